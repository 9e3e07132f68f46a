#!/bin/sh
#
# tdbwins — tshark as an independent oracle for our encoders.
#
#   testsuite/oracle/run.sh        (run by "./waf test" / "make test")
#
# build/testsuite/oracle/pcapgen writes a capture of NBNS (UDP 137) and WINS
# replication (TCP 42) messages built with nbp_encode() and wrw_encode();
# this script lets tshark decode it and checks that
#   - every frame is there and is dissected as the protocol we meant;
#   - no frame is malformed and tshark has no warning or error to report;
#   - the IPv4/UDP/TCP checksums the generator computed are right;
#   - each message carries the field values we put in (one check per frame).
# Display names like "FRED<20> (Server service)" are reduced to "FRED<20>"
# so that a different Wireshark label does not matter.
#
# Wireshark's WINS replication dissector calls the u16 at offset 16 of a
# Start message "minor" and the one at offset 18 "major" (Samba's IDL
# naming); [MS-WINSRA] 2.2.3 has major (2) first.  The expected table below
# therefore shows winsrepl.minor_version = 2, winsrepl.major_version = 5.
#
# Ends with "N passed, N failed"; exit 0 if nothing failed, 1 otherwise,
# 77 (skip) if tshark or the generator is not there.
#
# Environment: TW_BUILD_DIR (default <top>/build), TW_WRAPPER (a command
# prefix for the generator, e.g. valgrind), TSHARK (default tshark).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TW_BUILD_DIR:-"$top/build"}
gen="$build/testsuite/oracle/pcapgen"
work="$build/testsuite/oracle/out"
pcap="$work/oracle.pcap"
tshark=${TSHARK:-tshark}

passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "PASS: oracle: $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: oracle: $1"
}

if ! command -v "$tshark" >/dev/null 2>&1; then
	echo "oracle: tshark not found; skipped (apt-get install tshark)"
	exit 77
fi
if [ ! -x "$gen" ]; then
	echo "oracle: $gen not built (its sources are not all there yet);" \
	     "skipped"
	exit 77
fi
mkdir -p "$work"
rm -f "$pcap"

# ---- 1. write the capture with our encoders ----
# shellcheck disable=SC2086
if ${TW_WRAPPER:-} "$gen" "$pcap"; then
	pass "pcapgen wrote $pcap"
else
	fail "pcapgen failed"
	echo "$passed passed, $failed failed"
	exit 1
fi

ts() {
	# tshark warns about running as root on stderr; keep that out of
	# the results but keep real errors for the log.
	"$tshark" -n -r "$pcap" "$@" 2>>"$work/tshark.stderr"
}
: >"$work/tshark.stderr"

count() {
	ts -Y "$1" | wc -l | tr -d ' '
}

expect_count() {
	got=$(count "$1")
	if [ "$got" = "$2" ]; then
		pass "$2 frame(s) match '$1'"
	else
		fail "frames matching '$1': expected $2, got $got"
	fi
}

# ---- 2. frames, protocols, malformed ----
expect_count 'frame' 28
expect_count 'nbns' 14
expect_count 'winsrepl' 8
expect_count '_ws.malformed' 0

# ---- 3. expert info: nothing above "note" from anyone ----
expert=$(ts -q -z expert,note)
bad=$(echo "$expert" | awk '
	/^(Errors|Warns) \(/ { s = 1; next }
	/^(Notes|Chats|Comments) \(/ { s = 0 }
	s && $1 ~ /^[0-9]+$/ { n += $1 }
	END { print n + 0 }')
if [ "$bad" -eq 0 ]; then
	pass "no expert warnings or errors"
else
	fail "$bad expert warning(s)/error(s):"
	echo "$expert"
fi

# ---- 4. checksums (1 = good) ----
sums=$(ts -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
	-o tcp.check_checksum:TRUE -T fields -e ip.checksum.status \
	-e udp.checksum.status -e tcp.checksum.status |
	tr '\t' '\n' | grep -v '^$' | sort | uniq -c | tr -s ' ')
if [ "$sums" = " 56 1" ]; then
	pass "IPv4, UDP and TCP checksums all good"
else
	fail "checksum status counts (want 56 x good): $sums"
fi

# ---- 5. field values, one check per frame ----
normalise() {
	# "FRED<20> (Server service)" -> "FRED<20>"
	sed 's/ ([^)|,]*)//g'
}

compare_table() {
	label=$1
	expected=$2
	actual=$3
	echo "$expected" | while IFS= read -r want; do
		[ -n "$want" ] || continue
		frame=${want%%|*}
		got=$(echo "$actual" | grep "^$frame|" || true)
		if [ "$got" = "$want" ]; then
			echo "PASS $label frame $frame"
		else
			echo "FAIL $label frame $frame"
			echo "     want: $want"
			echo "     got:  $got"
		fi
	done
}

tally() {
	while IFS= read -r line; do
		case "$line" in
		"PASS "*)
			pass "${line#PASS }"
			;;
		"FAIL "*)
			fail "${line#FAIL }"
			;;
		*)
			echo "$line"
			;;
		esac
	done
}

# frame|id|flags|opcode|rcode|QD|AN|AR|udp.length|name|type|class|ttl|
# rdlength|nb_flags|addr|nbstat names|nbstat flags|unit id
nbns_fields="-e frame.number -e nbns.id -e nbns.flags -e nbns.flags.opcode
 -e nbns.flags.rcode -e nbns.count.queries -e nbns.count.answers
 -e nbns.count.add_rr -e udp.length -e nbns.name -e nbns.type -e nbns.class
 -e nbns.ttl -e nbns.data_length -e nbns.nb_flags -e nbns.addr
 -e nbns.netbios_name -e nbns.name_flags -e nbns.unit_id"

# What we encoded (pcapgen.c write_nbns).  Registration-type requests are
# 68 bytes (udp.length 76) only because the RR name is the 0xC00C pointer
# (PROTOCOL.md 1.4: 100 bytes uncompressed); the WACK's RDATA is the
# request's flags word, which tshark shows as a second nbns.flags/opcode.
nbns_expected='1|0x0001|0x0100|0||1|0|0|58|FRED<20>|32|1|||||||
2|0x0001|0x8580|0|0|0|1|0|76|FRED<20>|32|1|300000|12|0x6000,0x6000|198.18.0.16,198.18.0.17|||
3|0x0002|0x8583|0|3|0|1|0|64|NOBODY<00>|10|1|0|0|||||
4|0x0003|0x2900|5||1|0|1|76|FRED<00>,FRED<00>|32,32|1,1|300000|6|0x6000|198.18.0.16|||
5|0x0003|0xbc00,0x2900|7,5|0|0|1|0|66|FRED<00>|32|1|2|2|||||
6|0x0003|0xad80|5|0|0|1|0|70|FRED<00>|32|1|300000|6|0x6000|198.18.0.16|||
7|0x0004|0x2900|5||1|0|1|88|HOST<00>.example.com,HOST<00>.example.com|32,32|1,1|300000|6|0x6000|198.18.0.16|||
8|0x0004|0xad86|5|6|0|1|0|82|HOST<00>.example.com|32|1|300000|6|0x6000|198.18.0.16|||
9|0x0005|0x7900|15||1|0|1|76|FRED<00>,FRED<00>|32,32|1,1|300000|6|0x6000|198.18.0.17|||
10|0x0006|0x4000|8||1|0|1|76|FRED<00>,FRED<00>|32,32|1,1|300000|6|0x6000|198.18.0.16|||
11|0x0007|0x3000|6||1|0|1|76|FRED<20>,FRED<20>|32,32|1,1|0|6|0xe000|198.18.0.16|||
12|0x0007|0xb400|6|0|0|1|0|70|FRED<20>|32|1|0|6|0xe000|198.18.0.16|||
13|0x0008|0x0000|0||1|0|0|58|*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>|33|1|||||||
14|0x0008|0x8400|0|0|0|1|0|165|*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>|33|1|0|101|||FRED,FRED,WORKGROUP|0x6400,0x6400,0xe400|02:00:00:00:00:01'

# shellcheck disable=SC2086
nbns_actual=$(ts -Y nbns -T fields -E separator='|' $nbns_fields |
	normalise)

# frame|size|opcode word|assoc_ctx (header, start sender)|type|
# "major"(off 18)|"minor"(off 16)|repl cmd|stop reason|owners|owner addrs|
# max|min|owner type|initiator|records|name len|names|suffixes|flags|group|
# versions|ips|ip owners|num ips|reserved3
wr_fields="-e frame.number -e winsrepl.size -e winsrepl.opcode
 -e winsrepl.assoc_ctx -e winsrepl.message_type -e winsrepl.major_version
 -e winsrepl.minor_version -e winsrepl.repl_cmd -e winsrepl.reason
 -e winsrepl.partner_count -e winsrepl.owner_address -e winsrepl.max_version
 -e winsrepl.min_version -e winsrepl.owner_type -e winsrepl.initiator
 -e winsrepl.num_names -e winsrepl.name_len -e netbios.nb_name
 -e netbios.nb_name_type -e winsrepl.name_flags -e winsrepl.name_group_flag
 -e winsrepl.name_version_id -e winsrepl.ip_address -e winsrepl.ip_owner
 -e winsrepl.num_ips -e winsrepl.unknown"

# What we encoded (pcapgen.c write_wrepl).  Record 4 is WORKGROUP<1b>: on
# the wire its first and sixteenth bytes are swapped (PROTOCOL.md 3.3),
# and tshark, which does not undo that, shows "<1b>ORKGROUP" with suffix
# 0x57 ('W') -- proof that the swap is applied on send.  HOST<20> with
# scope "example.com" has Name Length 28, a multiple of 4, so 4 bytes of
# padding follow; tshark finds every later field where we put it only if
# that padding is right.  0x100000005 = 4294967301.
wr_expected='18|41|0x00007800|0x00000000,0x0c0ffee1|0|5|2|||||||||||||||||||
19|41|0x00007800|0x0c0ffee1,0x5eed0001|1|5|2|||||||||||||||||||
20|16|0x00007800|0x5eed0001|3|||0x00000000||||||||||||||||||
21|72|0x00007800|0x0c0ffee1|3|||0x00000001||2|198.18.0.1,198.18.0.2|4294967301,42|1,7|1,1|0.0.0.0|||||||||||
22|40|0x00007800|0x5eed0001|3|||0x00000002|||198.18.0.1|4294967301|1|1||||||||||||
23|304|0x00007800|0x0c0ffee1|3|||0x00000003||||||||5|17,17,17,28,17|FRED,WORKGROUP,WORKGROUP,HOST,<1b>ORKGROUP|0x00,0x1e,0x1c,0x20,0x57|0x00000060,0x00000061,0x00000062,0x00000063,0x000000e8|0x00000000,0x00000001,0x00000001,0x00000000,0x00000000|1,2,3,4,4294967301|198.18.0.16,255.255.255.255,198.18.0.16,198.18.0.17,198.18.0.16,198.18.0.17,198.18.0.1|198.18.0.1,198.18.0.2,198.18.0.1,198.18.0.1|2,2|255.255.255.255,255.255.255.255,255.255.255.255,255.255.255.255,255.255.255.255
24|48|0x00007800|0x0c0ffee1|3|||0x00000009||1|198.18.0.1|4294967301|1|1|198.18.0.1|||||||||||
25|40|0x00007800|0x5eed0001|2||||0x00000000|||||||||||||||||'

# shellcheck disable=SC2086
wr_actual=$(ts -Y winsrepl -T fields -E separator='|' $wr_fields |
	normalise)

results=$(compare_table nbns "$nbns_expected" "$nbns_actual";
	  compare_table winsrepl "$wr_expected" "$wr_actual")
tally_tmp="$work/tally"
echo "$results" >"$tally_tmp"
tally <"$tally_tmp"

if [ -s "$work/tshark.stderr" ] &&
   grep -v -i 'running as user' "$work/tshark.stderr" | grep -q .; then
	echo "oracle: tshark said on stderr:"
	grep -v -i 'running as user' "$work/tshark.stderr" | head -20
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
