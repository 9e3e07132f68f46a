#!/usr/bin/env bash
# Two-way WINS replication between tdbwinsd (A, 198.18.2.1) and a real
# Samba 4 AD DC (D, 198.18.2.3: its nbt server is the WINS server, its
# wrepl service the replication partner), both in a network namespace of
# our own (../lib.sh): no packet can leave it, and the partner addresses
# exist only inside it.
#
#   testsuite/integration/wrepl/dc.sh
#
# Per test one line  PASS|FAIL|SKIP|XFAIL  NAME  SECONDS  NOTE, then
# "N passed, N failed[, N skipped][, N expected failures]".  Exit 0 only
# if nothing failed; 2 on set-up errors, 77 if it cannot run here.
#
# A: tdbwins:partners = D (pull and push), pull interval 1800 (so after
#    start-up only a notification makes A pull); the client addresses are
#    push partners (wrdump.py reads records over TCP 42 from .201).
# D: partners in its wins_config.ldb: A (type 3, pullInterval
#    $DC_PULL_INTERVAL, pushChangeCount 1: an INFORM after every change)
#    and .201 (type 3, no pulls, no pushes: the dump tool).
#
# The provision (a minute or two) is kept in $RESULTS/dc-prov and reused
# while DC_IP stays the same.
#
# Environment: RESULTS [build/integration-wrepl-dc], CAPTURE [1],
# DC_PULL_INTERVAL [20], plus the variables of ../lib.sh.
set -euo pipefail
# A's verification runs are notices (level 2)
SERVER_LOGLEVEL="${SERVER_LOGLEVEL:-2}"
. "$(dirname "$0")/../lib.sh"

it_need_root
it_traps
for c in samba samba-tool tshark; do
	command -v "$c" >/dev/null || { it_log "SKIP: $c missing"; exit 77; }
done

RESULTS="${RESULTS:-$IT_TOP/build/integration-wrepl-dc}"
CAPTURE="${CAPTURE:-1}"
DC_PULL_INTERVAL="${DC_PULL_INTERVAL:-20}"
DC_IP="${IT_SERVER_IP%.*}.3"
DC_NAME=TWITDC
DC_DOMAIN=TWITDOM
DC_REALM=TWITDOM.TEST
DUMP_IP="${IT_CLIENT_IPS%% *}"
A_IP="$IT_SERVER_IP"

mkdir -p "$RESULTS"
RESULTS="$(cd "$RESULTS" && pwd)"
it_lock_results "$RESULTS"
rm -rf "$RESULTS/logs" "$RESULTS/server" "$RESULTS/client" "$RESULTS/dc" \
	"$RESULTS/capture.pcapng" "$RESULTS/results.tsv"
mkdir -p "$RESULTS/logs"
SRV="$RESULTS/server"
CL="$RESULTS/client"
LOGS="$RESULTS/logs"
RES="$RESULTS/results.tsv"
DCD="$RESULTS/dc"
PROV="$RESULTS/dc-prov"
PCAP="$RESULTS/capture.pcapng"
T_START=$EPOCHREALTIME

it_netns_create
for ip in $IT_CLIENT_IPS $DC_IP; do
	it_addr_add "$ip"
done
# shellcheck disable=SC2034  # read by it_server_conf
IT_EXTRA_CONF="	tdbwins:partners = $DC_IP
	tdbwins:push partners = $IT_CLIENT_IPS
	tdbwins:pull interval = 1800
	tdbwins:push update count = 1
	wreplsrv:tombstone_interval = 60
	wreplsrv:scavenging_interval = 10
	wreplsrv:verify_interval = 60"
it_server_conf "$SRV"
it_client_conf "$CL"

# ---- capture ----------------------------------------------------------------
if [ "$CAPTURE" = 1 ]; then
	# all addresses sit on the namespace's veth end: the traffic is on lo
	it_capture_start "$PCAP" "$LOGS/tshark.log" "tcp port 42" lo
fi

# ---- the DC -------------------------------------------------------------------
. "$IT_DIR/wrepl/dclib.sh"
dc_provision "$PROV" "$DCD" "$LOGS/provision.log"

# A starts with an empty store each run; a WINS database of the DC kept
# from an earlier run would hold higher versions of A's owner than A now
# advertises, and the DC would (rightly) pull nothing from A
rm -f "$PROV/state/wins.ldb"

dc_write_conf "$PROV" "$DCD" "	wreplsrv:periodic_interval = 5
	wreplsrv:tombstone_interval = 30
	wreplsrv:scavenging_interval = 10"

# D's partners: A (pull and push, an INFORM after every change) and the
# dump tool (no pulls, no pushes)
dc_write_partners "$PROV/private/wins_config.ldb" \
	TDBWINS_A "$A_IP" 0x3 "$DC_PULL_INTERVAL" 10 1 \
	DUMP "$DUMP_IP" 0x3 0 - 0

it_on_exit dc_stop
stop_dc() { dc_stop; }
start_dc() { dc_start "$DCD" "$CL"; }
start_a() {
	it_server_start "$SRV" && it_wait_ready "$CL"
}

# D first, so that A's start-up pull finds it
if ! start_dc; then
	echo "FAIL dc.start  -  the DC did not start (logs: $DCD/log/)"
	it_run_cleanups || true
	echo "0 passed, 1 failed"
	exit 1
fi
it_log "DC ready: $DC_NAME=$DC_IP (pid $DC_PID)"
# Samba's nbt server answers its own names from its interfaces; they are
# not in its WINS database and so never replicated.  A name registered at
# D before A starts is what A's start-up pull must bring.
register_early() {
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 30 "${IT_JAIL[@]}" env PYTHONPATH= "$IT_PYTHON" \
		"$IT_DIR/nbtclient.py" --server "$DC_IP" --bind "$DUMP_IP" \
		--total-timeout 20 register "WRDCSTART<00>=$DUMP_IP" < /dev/null
}
register_early > "$LOGS/register-early.log" 2>&1 \
	|| it_die "cannot register WRDCSTART<00> at the DC"
it_on_exit it_server_stop
if ! start_a; then
	echo "FAIL server.start  -  (logs: $SRV/log/)"
	it_run_cleanups || true
	echo "0 passed, 1 failed"
	exit 1
fi
echo "PASS server.start  -  A pid $IT_SERVER_PID, DC pid $DC_PID"

# ---- helpers ------------------------------------------------------------------
NOTE=""
# query SERVER_IP NAME: "NAME ADDRS rcode=N"
query() {
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 20 "${IT_JAIL[@]}" env PYTHONPATH= "$IT_PYTHON" \
		"$IT_DIR/nbtclient.py" --server "$1" --timeout 1 --retries 0 \
		--total-timeout 3 query --expect auto "$2" < /dev/null 2>&1 \
		|| true
}
# register SERVER_IP NAME ADDR [--op release]
register() {
	local srv="$1" name="$2" addr="$3"
	shift 3
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 30 "${IT_JAIL[@]}" env PYTHONPATH= "$IT_PYTHON" \
		"$IT_DIR/nbtclient.py" --server "$srv" --bind "$addr" \
		--total-timeout 20 register "$@" "$name=$addr" < /dev/null
}
# wait_name SERVER_IP NAME ADDR SECONDS: until NAME resolves to ADDR there
wait_name() {
	local srv="$1" name="$2" addr="$3" secs="$4" i out=""
	for i in $(seq 1 "$secs"); do
		out="$(query "$srv" "$name")"
		if grep -q "$addr" <<< "$out"; then
			echo "$out"
			return 0
		fi
		sleep 1
	done
	echo "$out"
	return 1
}
# dump SERVER_IP [OWNER...]: records over TCP 42 (wrdump.py)
dump() {
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 30 "${IT_JAIL[@]}" env PYTHONPATH= "$IT_PYTHON" \
		"$IT_DIR/wrepl/wrdump.py" --bind "$DUMP_IP" "$@" < /dev/null
}
# wait_record SERVER_IP OWNER PATTERN SECONDS: until dump shows PATTERN
wait_record() {
	local srv="$1" owner="$2" pat="$3" secs="$4" i out=""
	for ((i = 0; i < secs; i += 2)); do
		out="$(dump "$srv" "$owner" 2>&1 || true)"
		if grep -qE "$pat" <<< "$out"; then
			grep -E "$pat" <<< "$out"
			return 0
		fi
		sleep 2
	done
	echo "$out"
	return 1
}
# frames NAME FILTER: count of TCP 42 frames matching FILTER so far
frames() {
	tshark -n -r "$PCAP" -d tcp.port==42,winsrepl -Y "$1" \
		-T fields -e frame.number 2>/dev/null | wc -l
}

# the push engine as a program of its own (pushprobe.c): tdbwinsd does not
# read the push options yet
PROBE="$RESULTS/pushprobe"
PROBE_OK=0
if gcc -O1 -I"$IT_TOP/source" -I"$IT_TOP/build" -o "$PROBE" \
	"$IT_DIR/wrepl/pushprobe.c" "$IT_TOP/build/libtwcore.a" \
	$(pkg-config --cflags --libs talloc tevent tdb) \
	> "$LOGS/pushprobe-build.log" 2>&1; then
	PROBE_OK=1
fi

# ---- tests --------------------------------------------------------------------
# a name registered at D before A started reaches A by its start-up pull
t_a_pulls_dc() {
	if wait_name "$A_IP" "WRDCSTART<00>" "$DUMP_IP" 20; then
		NOTE="A answers WRDCSTART<00> = $DUMP_IP (pulled from the DC at start-up)"
		return 0
	fi
	NOTE="A does not know WRDCSTART<00>"
	return 1
}

# a name registered at A reaches D by D's periodic pull
t_dc_pulls_a() {
	local addr="${IT_CLIENT_IPS##* }"
	register "$A_IP" "WRDCA<00>" "$addr" || { NOTE="registration at A failed"; return 1; }
	if wait_name "$DC_IP" "WRDCA<00>" "$addr" $((DC_PULL_INTERVAL * 3)); then
		NOTE="the DC answers WRDCA<00> = $addr (pulled from A)"
		return 0
	fi
	NOTE="the DC does not know WRDCA<00> after $((DC_PULL_INTERVAL * 3)) s"
	return 1
}

# a name registered at D reaches A through D's INFORM (pushChangeCount 1):
# A's pull interval is 1800 s, so only the notification explains it
t_dc_pushes_a() {
	local addr="${IT_CLIENT_IPS##* }" n
	register "$DC_IP" "WRDCD<00>" "$addr" || { NOTE="registration at the DC failed"; return 1; }
	if ! wait_name "$A_IP" "WRDCD<00>" "$addr" 45; then
		NOTE="A does not know WRDCD<00> 45 s after it was registered at the DC"
		return 1
	fi
	if [ "$CAPTURE" = 1 ]; then
		n="$(frames "ip.src==$DC_IP && ip.dst==$A_IP && (winsrepl.repl_cmd==8 || winsrepl.repl_cmd==4)")"
		echo "notifications D->A: $n"
		[ "$n" -gt 0 ] || { NOTE="A knows WRDCD<00> but no notification from the DC is in the capture"; return 1; }
	fi
	NOTE="the DC's INFORM made A pull WRDCD<00>"
}

# A to D by A's own push (tdbwins:push update count = 1: an INFORM at
# the next 15-second check after a change).  D pulls every
# $DC_PULL_INTERVAL s anyway, so what counts is the capture: an INFORM
# from A after the registration, and D's first request after it a Name
# Records Request (a pull caused by the notification, not a periodic one,
# which starts with a map query).
t_a_pushes_dc() {
	local addr="${IT_CLIENT_IPS##* }" before inf first i
	[ "$CAPTURE" = 1 ] || { NOTE="capture disabled"; return 77; }
	sleep 1
	before="$(tshark -n -r "$PCAP" -T fields -e frame.number 2>/dev/null | tail -1)"
	register "$A_IP" "WRPUSHA<00>" "$addr" || { NOTE="registration at A failed"; return 1; }
	inf=""
	for i in $(seq 1 25); do
		inf="$(tshark -n -r "$PCAP" -d tcp.port==42,winsrepl \
			-Y "frame.number > ${before:-0} && ip.src==$A_IP && ip.dst==$DC_IP && winsrepl.repl_cmd==8" \
			-T fields -e frame.number 2>/dev/null | head -1)"
		[ -n "$inf" ] && break
		sleep 1
	done
	[ -n "$inf" ] || { NOTE="A sent the DC no INFORM within 25 s of a change"; return 1; }
	if ! wait_name "$DC_IP" "WRPUSHA<00>" "$addr" 5; then
		NOTE="A's INFORM (frame $inf) did not make the DC pull WRPUSHA<00> within 5 s"
		return 1
	fi
	sleep 1
	first="$(tshark -n -r "$PCAP" -d tcp.port==42,winsrepl \
		-Y "frame.number > $inf && ip.src==$DC_IP && ip.dst==$A_IP && winsrepl.repl_cmd" \
		-T fields -e winsrepl.repl_cmd 2>/dev/null | head -1)"
	echo "INFORM frame $inf, first DC->A request after it: ${first:-none}"
	case "$first" in
	0x00000002|2)
		NOTE="tdbwinsd's INFORM (update count 1) made the DC pull WRPUSHA<00> at once" ;;
	*)	NOTE="the DC got WRPUSHA<00>, but its first request after A's INFORM was ${first:-none}"
		return 1 ;;
	esac
}

# A's push engine against the DC: an INFORM from A's address with A's
# current table makes the DC pull the new name at once.  The DC's periodic
# pull starts with a map query; a pull caused by the INFORM goes straight
# to the Name Records Request with the owners of the notification, so the
# first DC->A request after the INFORM tells which one it was.
t_a_push_probe() {
	local addr="${IT_CLIENT_IPS##* }" max out inf first
	[ "$PROBE_OK" = 1 ] || { NOTE="pushprobe did not build (see $LOGS/pushprobe-build.log)"; return 77; }
	register "$A_IP" "WRPROBE<00>" "$addr" || { NOTE="registration at A failed"; return 1; }
	max="$(dump "$A_IP" "${IT_SERVER_IP%.*}.250" 2>/dev/null | awk -v a="$A_IP" '$1 == "owner" && $2 == a { sub("max=", "", $3); print $3 }')" || true
	[ -n "$max" ] || { NOTE="cannot read A's version"; return 1; }
	out="$(it_fg timeout -k 5 40 ip netns exec "$IT_NS" "$PROBE" "$DC_IP" "$A_IP" 8 "$A_IP" "$max" 2>&1)" \
		|| { NOTE="pushprobe: $out"; return 1; }
	echo "$out"
	if ! wait_name "$DC_IP" "WRPROBE<00>" "$addr" 5; then
		NOTE="the DC did not pull WRPROBE<00> within 5 s of A's INFORM"
		return 1
	fi
	[ "$CAPTURE" = 1 ] || { NOTE="INFORM accepted, name pulled (no capture to tell why)"; return 0; }
	sleep 1
	inf="$(tshark -n -r "$PCAP" -d tcp.port==42,winsrepl \
		-Y "ip.src==$A_IP && ip.dst==$DC_IP && winsrepl.repl_cmd==8" \
		-T fields -e frame.number 2>/dev/null | tail -1)"
	first="$(tshark -n -r "$PCAP" -d tcp.port==42,winsrepl \
		-Y "frame.number > ${inf:-0} && ip.src==$DC_IP && ip.dst==$A_IP && winsrepl.repl_cmd" \
		-T fields -e winsrepl.repl_cmd 2>/dev/null | head -1)"
	echo "INFORM frame ${inf:-none}, first DC->A request after it: ${first:-none}"
	case "$first" in
	0x00000002|2)
		NOTE="A's INFORM (wrp_push.c, max $max) made the DC pull WRPROBE<00> at once" ;;
	*)	NOTE="the DC got WRPROBE<00>, but its first request after the INFORM was ${first:-none}, not a Name Records Request"
		return 1 ;;
	esac
}

# a release becomes a tombstone on both sides: WRDCA (owner A) released
# at A, WRDCD (owner D) released at D
t_release_tombstone() {
	local addr="${IT_CLIENT_IPS##* }" ok=1 out
	register "$A_IP" "WRDCA<00>" "$addr" --op release || { NOTE="release at A failed"; return 1; }
	register "$DC_IP" "WRDCD<00>" "$addr" --op release || { NOTE="release at the DC failed"; return 1; }
	echo "-- A's WRDCA at the DC"
	out="$(wait_record "$DC_IP" "$A_IP" '^WRDCA<00> .*state=tombstone' 150)" || ok=0
	echo "$out"
	echo "-- the DC's WRDCD at A"
	out="$(wait_record "$A_IP" "$DC_IP" '^WRDCD<00> .*state=tombstone' 90)" || ok=0
	echo "$out"
	if [ $ok = 1 ]; then
		NOTE="WRDCA<00> is a tombstone at the DC, WRDCD<00> at A"
		return 0
	fi
	NOTE="a released name did not become a tombstone on the other side"
	return 1
}

# nothing is lost when A restarts: its own name, D's name and D's
# registrations are still answered
t_restart_a() {
	local addr="${IT_CLIENT_IPS##* }" out
	register "$A_IP" "WRKEEPA<00>" "$addr" || { NOTE="registration at A failed"; return 1; }
	it_server_stop
	start_a || { NOTE="A did not start again"; return 1; }
	out="$(query "$A_IP" "WRKEEPA<00>")"; echo "$out"
	grep -q "$addr" <<< "$out" || { NOTE="A lost its own WRKEEPA<00>"; return 1; }
	out="$(query "$A_IP" "WRDCSTART<00>")"; echo "$out"
	grep -q "$DUMP_IP" <<< "$out" || { NOTE="A lost the replica WRDCSTART<00>"; return 1; }
	NOTE="after a restart A answers its own WRKEEPA<00> and the replica WRDCSTART<00>"
}

# nothing is lost when D restarts: the replica of A's name is still there
t_restart_dc() {
	local addr="${IT_CLIENT_IPS##* }" out
	wait_name "$DC_IP" "WRKEEPA<00>" "$addr" $((DC_PULL_INTERVAL * 3)) \
		> /dev/null || { NOTE="the DC never pulled WRKEEPA<00>"; return 1; }
	stop_dc
	start_dc || { NOTE="the DC did not start again"; return 1; }
	out="$(query "$DC_IP" "WRKEEPA<00>")"; echo "$out"
	grep -q "$addr" <<< "$out" || { NOTE="the DC lost the replica WRKEEPA<00>"; return 1; }
	out="$(query "$DC_IP" "WRDCSTART<00>")"; echo "$out"
	grep -q "$DUMP_IP" <<< "$out" || { NOTE="the DC lost its own WRDCSTART<00>"; return 1; }
	NOTE="after a restart the DC answers the replica WRKEEPA<00> and its own WRDCSTART<00>"
}

# A verifies its replicas of D against D ([MS-WINSRA] 3.2.5.4,
# wreplsrv:verify_interval 60 here, a run every 10 s): D still holds
# them at the same versions, so a run extends them and deletes nothing.
t_verify() {
	local log="$SRV/log/server.out" line="" i
	for i in $(seq 1 90); do
		line="$(grep 'verification: [1-9][0-9]* replicas due' "$log" \
			| grep -v ' 0 extended' | tail -n 1 || true)"
		[ -n "$line" ] && break
		sleep 1
	done
	echo "${line:-no verification run with replicas due}"
	[ -n "$line" ] || { NOTE="no verification of D's replicas within 90 s"; return 1; }
	case "$line" in
	*" 0 deleted, 0 unreachable"*) ;;
	*)	NOTE="verification against D: ${line#*verification: }"
		return 1 ;;
	esac
	NOTE="${line#*verification: }"
}

# tshark decodes all TCP 42 traffic of both sides: no malformed frame
t_pcap_malformed() {
	if [ "$CAPTURE" != 1 ]; then
		NOTE="capture disabled"
		return 77
	fi
	it_capture_stop
	[ -s "$PCAP" ] || { NOTE="no capture file"; return 1; }
	local fields="$LOGS/pcap.fields" total wr mal
	tshark -n -r "$PCAP" -d tcp.port==42,winsrepl -T fields \
		-E separator=/t -e frame.number -e ip.src \
		-e winsrepl.message_type -e _ws.malformed > "$fields" \
		2>/dev/null || { NOTE="tshark cannot read the capture"; return 1; }
	read -r total wr mal < <(awk -F'\t' '
		{ n++ } $3 != "" { w++ } $4 != "" { m++ }
		END { print n + 0, w + 0, m + 0 }' "$fields")
	awk -F'\t' '$4 != ""' "$fields" | head -50
	NOTE="$total frames, $wr winsrepl, $mal malformed"
	[ "$wr" -gt 0 ] || { NOTE="no WINS replication frame captured"; return 1; }
	[ "$mal" = 0 ]
}

TESTS=(dc.a_pulls_dc dc.dc_pulls_a dc.dc_pushes_a dc.a_pushes_dc
	dc.a_push_probe dc.restart_a dc.restart_dc dc.release_tombstone
	dc.verify pcap.wrepl_malformed)
run_one() {
	case "$1" in
	dc.a_pulls_dc)		t_a_pulls_dc ;;
	dc.dc_pulls_a)		t_dc_pulls_a ;;
	dc.dc_pushes_a)		t_dc_pushes_a ;;
	dc.a_pushes_dc)		t_a_pushes_dc ;;
	dc.a_push_probe)	t_a_push_probe ;;
	dc.release_tombstone)	t_release_tombstone ;;
	dc.restart_a)		t_restart_a ;;
	dc.restart_dc)		t_restart_dc ;;
	dc.verify)		t_verify ;;
	pcap.wrepl_malformed)	t_pcap_malformed ;;
	*)			NOTE="unknown test"; return 1 ;;
	esac
}

for t in "${TESTS[@]}"; do
	it_run_test "$t" run_one
done
it_run_cleanups || true
it_summary "($(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s in all)"
