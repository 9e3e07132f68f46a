#!/usr/bin/env bash
# Integration tests: real clients against the real server in a network
# namespace of our own.  The entry point of `./waf test --integration`.
#
#   testsuite/integration/run.sh [TEST...]
#
# TEST is a test name or a prefix of some (nmblookup, nbt.wins, py, ...);
# default: all.  `run.sh --list` prints the names.  Per test one line
#   PASS|FAIL|SKIP  NAME  SECONDS  NOTE
# and at the end exactly one line "N passed, N failed" (", N skipped" if
# any).  Exit status 0 only if nothing failed; 2 on set-up errors.
#
# Environment (defaults in brackets):
#   SERVER        tdbwinsd | nmbd                               [tdbwinsd]
#   TDBWINSD      daemon binary, relative to the repo top       [build/tdbwinsd]
#   SERVER_WRAPPER command words put before the server, e.g. valgrind  []
#   SERVER_DAEMON 1: start without -F and take the PID from the pidfile [0]
#   RESULTS       logs, configs, capture, results.tsv  [build/integration]
#   TEST_TIMEOUT  seconds per test                                [300]
#   BENCH_TIME    seconds for nbt.bench-wins.wins (smbtorture -t)   [10]
#   CAPTURE       0 disables the tshark capture and pcap.* tests     [1]
#   IT_SERVER_IP, IT_CLIENT_IPS, IT_SERVER_NAME, IT_WORKGROUP: see lib.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ALL_TESTS=(
	nmblookup.status
	nmblookup.own_name
	nmblookup.registered
	query.group
	nmblookup.unknown
	tcp.query
	nbt.register.register_own
	nbt.register.refresh_own
	nbt.wins.wins
	nbt.wins.wins_bad_names
	py.samba.tests.netbios
	py.samba.tests.dns_packet.TestNbtPackets
	nbt.bench-wins.wins
	server.alive
	server.sigterm
	pcap.malformed
	restart
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${ALL_TESTS[@]}"
	exit 0
fi
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
fi

# ---- selection ---------------------------------------------------------------
TESTS=()
RESTART_NAMED=0
for req in "$@"; do
	[ "$req" = restart ] && RESTART_NAMED=1
done
if [ $# -eq 0 ]; then
	TESTS=("${ALL_TESTS[@]}")
else
	for req in "$@"; do
		found=0
		for t in "${ALL_TESTS[@]}"; do
			if [ "$t" = "$req" ] || [[ "$t" == "$req".* ]]; then
				TESTS+=("$t")
				found=1
			fi
		done
		[ $found = 1 ] || it_die "no test named $req (see --list)"
	done
fi
selected() {
	local t
	for t in "${TESTS[@]}"; do
		[ "$t" = "$1" ] && return 0
	done
	return 1
}

it_need_root
it_traps
for ip in $IT_CLIENT_IPS; do
	it_check_ip "$ip"
done

RESULTS="${RESULTS:-$IT_TOP/build/integration}"
TEST_TIMEOUT="${TEST_TIMEOUT:-300}"
BENCH_TIME="${BENCH_TIME:-10}"
CAPTURE="${CAPTURE:-1}"
SMBTORTURE="${SMBTORTURE:-smbtorture}"

# Only what this script writes is removed: the results dir is ours.
mkdir -p "$RESULTS"
RESULTS="$(cd "$RESULTS" && pwd)"
it_lock_results "$RESULTS"
rm -rf "$RESULTS/logs" "$RESULTS/server" "$RESULTS/client" \
	"$RESULTS/restart" "$RESULTS/capture.pcapng" "$RESULTS/results.tsv"
mkdir -p "$RESULTS/logs"
SRV="$RESULTS/server"
CL="$RESULTS/client"
LOGS="$RESULTS/logs"
RES="$RESULTS/results.tsv"
printf 'test\tresult\tseconds\tnote\n' > "$RES"

# ---- namespace, server -------------------------------------------------------
it_server_argv "$SRV"	# fails early if the server binary is missing
it_netns_create
for ip in $IT_CLIENT_IPS; do
	it_addr_add "$ip"
done
it_server_conf "$SRV"
it_client_conf "$CL"

PCAP="$RESULTS/capture.pcapng"
if [ "$CAPTURE" = 1 ] && command -v tshark >/dev/null; then
	# lo carries everything between addresses of this namespace; the veth
	# end carries the server's broadcasts
	it_capture_start "$PCAP" "$LOGS/tshark.log" \
		'udp port 137 or tcp port 137' lo "$IT_IFACE"
fi

it_on_exit it_server_stop
t0=$EPOCHREALTIME
if ! it_server_start "$SRV" || ! it_wait_ready "$CL"; then
	if it_pid_alive "$IT_SERVER_PID"; then
		it_node_status "$CL" > "$LOGS/node-status.log"
		note="$IT_SERVER_NAME<20> not ACTIVE in node status"
	else
		note="exited during start-up"
	fi
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	# a server that cannot start is a failed test, not a harness error
	printf '%-4s %-42s %7s  %s\n' FAIL server.start "$secs" "$note (logs: $SRV/log/)"
	printf 'server.start\tFAIL\t%s\t%s\n' "$secs" "$note" >> "$RES"
	it_run_cleanups || true
	echo "0 passed, 1 failed"
	exit 1
fi
# nmbd needs a few more seconds before it defends its name (see lib.sh);
# if it never does, nbt.register.* below fail, not the set-up
if [ "$SERVER" = nmbd ] && ! it_wait_defends "$CL" 20; then
	it_log "WARNING: $SERVER does not defend $IT_SERVER_NAME<20> yet"
fi
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
it_log "$SERVER ready: $IT_SERVER_NAME=$IT_SERVER_IP in $IT_NS"
STARTED_LINE="$(printf '%-4s %-42s %7s  %s' PASS server.start "$secs" "pid $IT_SERVER_PID")"
printf 'server.start\tPASS\t%s\tpid %s\n' "$secs" "$IT_SERVER_PID" >> "$RES"

# ---- helpers for the tests ------------------------------------------------------
NOTE=""
jail() {
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 "$TEST_TIMEOUT" "${IT_JAIL[@]}" "$@" < /dev/null
}
nmblookup_q() {
	jail nmblookup -s "$CL/smb.conf" -U "$IT_SERVER_IP" --recursion "$1"
}
client() { it_nbtclient "$CL" "$@"; }

# ---- the tests: each returns 0 pass, 1 fail, 77 skip; may set NOTE -----------
t_nmblookup_status() {
	local out
	out="$(it_node_status "$CL")"
	echo "$out"
	local own wg
	own="$(grep -E "^[[:space:]]*${IT_SERVER_NAME}[[:space:]]+<20>" <<< "$out" || true)"
	wg="$(grep -E "^[[:space:]]*${IT_WORKGROUP}[[:space:]]+<00>" <<< "$out" || true)"
	if [ -z "$own" ] || grep -q GROUP <<< "$own" || ! grep -q ACTIVE <<< "$own"; then
		NOTE="$IT_SERVER_NAME<20> not listed as unique ACTIVE"
		return 1
	fi
	for sfx in 00 03; do
		if ! grep -qE "^[[:space:]]*${IT_SERVER_NAME}[[:space:]]+<$sfx>.*ACTIVE" <<< "$out"; then
			NOTE="$IT_SERVER_NAME<$sfx> not listed ACTIVE"
			return 1
		fi
	done
	if [ -z "$wg" ] || ! grep -q '<GROUP>' <<< "$wg"; then
		NOTE="$IT_WORKGROUP<00> not listed as GROUP"
		return 1
	fi
	return 0
}

t_nmblookup_own_name() {
	local out sfx
	for sfx in 00 20; do
		out="$(nmblookup_q "$IT_SERVER_NAME#$sfx" 2>&1 || true)"
		echo "$out"
		if ! grep -qE "^$IT_SERVER_IP $IT_SERVER_NAME<$sfx>" <<< "$out"; then
			NOTE="$IT_SERVER_NAME<$sfx> not answered with $IT_SERVER_IP"
			return 1
		fi
	done
}

# three unique names, each registered from its own client address (the
# address in the record is the sender's), then resolved by nmblookup
t_nmblookup_registered() {
	local ip i=0 specs=() out
	for ip in $IT_CLIENT_IPS; do
		i=$((i + 1))
		specs+=("TWITREG$i<00>=$ip@$ip")
	done
	if ! client register "${specs[@]}"; then
		NOTE="registration not acknowledged with rcode 0"
		return 1
	fi
	i=0
	for ip in $IT_CLIENT_IPS; do
		i=$((i + 1))
		out="$(nmblookup_q "TWITREG$i#00" 2>&1 || true)"
		echo "$out"
		if ! grep -qx "$ip TWITREG$i<00>" <<< "$out"; then
			NOTE="TWITREG$i<00> not answered with $ip"
			return 1
		fi
	done
}

# a normal group registered by two members: the WINS answer is positive
# with the G flag (PROTOCOL.md 2.6: Windows answers 255.255.255.255; nmbd
# answers 0.0.0.0, which nmblookup then hides, so our own client checks it
# and the address is not asserted)
t_query_group() {
	local a b out
	a="$(echo "$IT_CLIENT_IPS" | awk '{print $1}')"
	b="$(echo "$IT_CLIENT_IPS" | awk '{print $2}')"
	client register --group "TWITGRP<00>=$a@$a" "TWITGRP<00>=$b@$b" || {
		NOTE="group registration not acknowledged"
		return 1
	}
	out="$(client query --expect positive "TWITGRP<00>" || true)"
	echo "$out"
	if ! grep -qE '^TWITGRP<00> [0-9.,]+ rcode=0 group$' <<< "$out"; then
		NOTE="no positive group answer for TWITGRP<00>"
		return 1
	fi
	NOTE="answer: $(awk '{print $2}' <<< "$out")"
}

t_nmblookup_unknown() {
	local out
	out="$(nmblookup_q "TWITNOSUCH#00" 2>&1 || true)"
	echo "$out"
	if grep -qE '^[0-9.]+ TWITNOSUCH<00>' <<< "$out"; then
		NOTE="an unregistered name was answered"
		return 1
	fi
	if ! grep -q 'name_query failed to find name' <<< "$out"; then
		NOTE="no negative answer for an unregistered name"
		return 1
	fi
	# and our own client sees rcode NAM_ERR (3), not silence
	client query --expect negative "TWITNOSUCH<00>" || {
		NOTE="no negative reply (own client)"
		return 1
	}
}

# RFC 1002 4.2.1 TCP transport: same query over TCP 137
t_tcp_query() {
	if [ "$SERVER" = nmbd ]; then
		NOTE="nmbd does not serve TCP 137"
		return 77
	fi
	local bind
	bind="${IT_CLIENT_IPS%% *}"
	client --tcp --bind "$bind" query "$IT_SERVER_NAME<20>=$IT_SERVER_IP" || {
		NOTE="$IT_SERVER_NAME<20> not answered over TCP 137"
		return 1
	}
	client --tcp --bind "$bind" query --expect negative "TWITNOSUCH<00>" || {
		NOTE="no negative answer over TCP 137"
		return 1
	}
}

# smbtorture writes subunit: success:/failure:/error:/skip: NAME
torture() {
	local t="$1" tmo="$2" lf="$3" rc=0
	jail_tmo "$tmo" env SELFTEST_TMPDIR="$SRV/hook" "$SMBTORTURE" \
		--format=subunit -s "$CL/smb.conf" -N -t "$BENCH_TIME" \
		--basedir="$CL/basedir" "//$IT_SERVER_NAME/_none_" "$t" \
		> "$lf" 2>&1 || rc=$?
	return $rc
}
jail_tmo() {
	local tmo="$1"; shift
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 "$tmo" "${IT_JAIL[@]}" "$@" < /dev/null
}

t_smbtorture() {
	local t="$1" lf="$LOGS/$1.subunit" rc=0 nwarn
	torture "$t" "$TEST_TIMEOUT" "$lf" || rc=$?
	cat "$lf"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		NOTE="killed after ${TEST_TIMEOUT}s"
		return 1
	fi
	if grep -qE '^(failure|error): ' "$lf"; then
		# each failed check but the last is printed as "WARNING!:", the
		# last one follows "failure: NAME [" on the next line
		nwarn=$(grep -c '^WARNING!: ' "$lf" || true)
		if [ "$nwarn" -gt 0 ]; then
			NOTE="$((nwarn + 1)) failed checks, first: $(grep -m1 '^WARNING!: ' "$lf" | sed 's/^WARNING!: //')"
		else
			NOTE="$(awk '/^(failure|error): / { f = 1; sub(/^[a-z]*: [^ ]* *\[? */, ""); if ($0 != "") { print; exit } next }
				f && NF { print; exit }' "$lf")"
		fi
		NOTE="${NOTE//..\/..\/source4\/torture\/nbt\//}"
		return 1
	fi
	if grep -qE '^skip: ' "$lf"; then
		NOTE="$(grep -m1 '^skip: ' "$lf")"
		return 77
	fi
	if [ $rc = 0 ] && grep -qE '^success: ' "$lf"; then
		return 0
	fi
	NOTE="smbtorture rc=$rc without a result"
	return 1
}

t_wins_bad_names() {
	rm -f "$SRV/hook/wins_hook_writes_here"
	t_smbtorture nbt.wins.wins_bad_names
}

# nbt.bench-wins never reports failure and hangs if nothing answers: bound it
# and read "N queries per second (M failures)"
t_bench_wins() {
	local lf="$LOGS/nbt.bench-wins.wins.subunit" rc=0 line q f
	local tmo=$((BENCH_TIME + 60))
	torture nbt.bench-wins.wins "$tmo" "$lf" || rc=$?
	cat "$lf"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		NOTE="killed after ${tmo}s"
		return 1
	fi
	line="$(grep -oE '[0-9.]+ queries per second \([0-9]+ failures\)' "$lf" | tail -1 || true)"
	if [ -z "$line" ]; then
		NOTE="no rate line (rc=$rc)"
		return 1
	fi
	q="${line%% *}"
	f="$(sed -E 's/.*\(([0-9]+) failures\)/\1/' <<< "$line")"
	NOTE="$line"
	if [ "$f" != 0 ] || ! awk -v q="$q" 'BEGIN { exit !(q > 0) }'; then
		return 1
	fi
	grep -qE '^(failure|error): ' "$lf" && return 1
	return 0
}

t_python() {
	local mod="$1" rc=0
	if ! "$IT_PYTHON" -c 'import samba.netbios' 2>/dev/null; then
		NOTE="python3-samba not importable by $IT_PYTHON"
		return 77
	fi
	# the tests read SERVER_IP, SERVER, REALM, DC_NETBIOSNAME
	jail env PYTHONPATH= SERVER_IP="$IT_SERVER_IP" SERVER="$IT_SERVER_NAME" \
		REALM="$IT_WORKGROUP.TEST" DC_NETBIOSNAME="$IT_SERVER_NAME" \
		"$IT_PYTHON" -m unittest -v "$mod" 2>&1 || rc=$?
	[ $rc = 124 ] && { NOTE="killed after ${TEST_TIMEOUT}s"; return 1; }
	if [ $rc != 0 ]; then
		# which tests, and the first exception line
		NOTE="$(sed -n 's/^\(ERROR\|FAIL\): \([a-z_0-9]*\).*/\1 \2/p' "$LOGS/py.$mod.log" \
			| tr '\n' ' ')$(grep -m1 -E '^[A-Za-z.]*(Error|Exception)' "$LOGS/py.$mod.log" || true)"
		NOTE="${NOTE:-unittest rc=$rc}"
		return 1
	fi
}

# the server is still there after everything above (no crash)
t_server_alive() {
	if ! it_pid_alive "$IT_SERVER_PID"; then
		NOTE="$SERVER (pid $IT_SERVER_PID) is gone"
		return 1
	fi
	it_wait_ready "$CL" || { NOTE="no longer answers node status"; return 1; }
}

# SIGTERM: the server commits and exits 0 within 15 s (a daemonized server
# is not our child: only that it exits is checked)
t_server_sigterm() {
	local pid="$IT_SERVER_PID" rc=0
	it_pid_alive "$pid" || { NOTE="server not running"; return 1; }
	kill -TERM "$pid"
	local i
	for ((i = 0; i < 150; i++)); do
		it_pid_alive "$pid" || break
		sleep 0.1
	done
	if it_pid_alive "$pid"; then
		NOTE="still running 15 s after SIGTERM"
		return 1
	fi
	IT_SERVER_PID=""
	if [ "$SERVER_DAEMON" = 1 ]; then
		NOTE="exited"
		return 0
	fi
	wait "$pid" || rc=$?
	NOTE="exit status $rc"
	[ $rc = 0 ]
}

# tshark as an independent decoder of everything on UDP/TCP 137: no frame may
# be malformed.  Frames the tests send on purpose (dns_packet's dotty names,
# wins_bad_names) come from client addresses; a malformed frame from the
# server is always a bug, and one from a client is reported as well.
t_pcap_malformed() {
	if [ "$CAPTURE" != 1 ] || ! command -v tshark >/dev/null; then
		NOTE="capture disabled or tshark missing"
		return 77
	fi
	it_capture_stop
	[ -s "$PCAP" ] || { NOTE="no capture file"; return 1; }
	local fields="$LOGS/pcap.fields" total nbns mal mal_srv
	# one dissection pass: source, NBNS transaction id (set when the NBNS
	# dissector ran), the malformed marker
	tshark -n -r "$PCAP" -T fields -E separator=/t -e frame.number \
		-e ip.src -e nbns.id -e _ws.malformed > "$fields" 2>/dev/null \
		|| { NOTE="tshark cannot read the capture"; return 1; }
	read -r total nbns mal mal_srv < <(awk -F'\t' -v srv="$IT_SERVER_IP" '
		{ n++ }
		$3 != "" { b++ }
		$4 != "" { m++; if ($2 == srv) s++ }
		END { print n + 0, b + 0, m + 0, s + 0 }' "$fields")
	echo "frames=$total nbns=$nbns malformed=$mal malformed_from_server=$mal_srv"
	awk -F'\t' '$4 != ""' "$fields" | head -50
	NOTE="$total frames, $nbns nbns, $mal malformed ($mal_srv from the server)"
	[ "$nbns" -gt 0 ] || { NOTE="no NBNS frame captured"; return 1; }
	[ "$mal" = 0 ]
}

t_restart() {
	if [ "$SERVER" = nmbd ] && [ "$RESTART_NAMED" = 0 ]; then
		NOTE="nmbd writes wins.dat lazily (run.sh restart runs it anyway)"
		return 77
	fi
	RESULTS="$RESULTS/restart" IT_NS="twit-r$$" \
		it_fg timeout -k 10 "$TEST_TIMEOUT" "$IT_DIR/restart.sh" 2>&1
	local rc=$?
	NOTE="$(tail -1 "$RESULTS/restart/summary" 2>/dev/null || true)"
	return $rc
}

run_one() {
	case "$1" in
	nmblookup.*|tcp.query|query.group) "t_${1//./_}" ;;
	nbt.wins.wins_bad_names) t_wins_bad_names ;;
	nbt.bench-wins.wins)	t_bench_wins ;;
	nbt.*)			t_smbtorture "$1" ;;
	py.*)			t_python "${1#py.}" ;;
	server.alive)		t_server_alive ;;
	server.sigterm)		t_server_sigterm ;;
	pcap.malformed)		t_pcap_malformed ;;
	restart)		t_restart ;;
	*)			NOTE="unknown test"; return 1 ;;
	esac
}

# ---- run ---------------------------------------------------------------------
echo "$STARTED_LINE"
for t in "${TESTS[@]}"; do
	# the tests after server.sigterm need no server; the ones before it
	# need a running one
	case "$t" in
	pcap.*|restart|server.sigterm) ;;
	*)
		if [ -z "$IT_SERVER_PID" ]; then
			it_result FAIL "$t" - "server not running"
			continue
		fi
		;;
	esac
	it_run_test "$t" run_one
done

# stop and remove everything now, so that the summary is the last line
it_run_cleanups || true
echo "server: $SERVER ($IT_SERVER_NAME=$IT_SERVER_IP) in $IT_NS; logs: $RESULTS"
it_summary
