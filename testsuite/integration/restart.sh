#!/usr/bin/env bash
# Durability across a crash: every name the server acknowledged must still be
# answered, with the same address, after `kill -9` and a restart (DESIGN.md
# "Durable before acknowledged"; SECURITY.md E38).
#
#   testsuite/integration/restart.sh
#
# Steps, one result line each:
#   restart.start      the server starts and is ready
#   restart.register   COUNT unique names, each from its own source address
#                      198.18.3.N (the address in the record is the
#                      sender's), must all be acknowledged with rcode 0
#   restart.before     every acknowledged name answered with its address
#   restart.versions0  VERSION_CMD dump before the crash (skipped without it)
#   restart.signal     SIGKILL (or STOP_SIGNAL); the process is gone
#   restart.restart    the server starts on the same state and is ready
#   restart.after      every acknowledged name still answered, same address
#   restart.versions   the same version per name as before (VERSION_CMD)
# then "N passed, N failed[, N skipped]".  Exit 0 only if nothing failed.
#
# nmbd writes wins.dat only now and then, so against SERVER=nmbd
# restart.after is expected to fail: that validates the mechanics only.
#
# Environment (defaults in brackets): SERVER, TDBWINSD, SERVER_WRAPPER,
# SERVER_DAEMON as in run.sh;
#   RESULTS      logs, state, name lists        [build/integration/restart]
#   COUNT        names to register (1..250)                         [200]
#   STOP_SIGNAL  KILL (a crash) or TERM (an orderly stop: also shows that
#                the checks pass against nmbd, which dumps on exit)  [KILL]
#   VERSION_CMD  command that prints "NAME<TT> VERSION" per record; run as
#                VERSION_CMD SMB.CONF while the server runs.  Without it
#                the version steps are skipped.  Default for tdbwinsd:
#                testsuite/integration/tool-versions.sh (tdbwins-tool).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
it_need_root
it_traps

RESULTS="${RESULTS:-$IT_TOP/build/integration/restart}"
COUNT="${COUNT:-200}"
VERSION_CMD="${VERSION_CMD:-}"
# tdbwinsd: the admin tool reads the versions (read-only, beside the server)
if [ -z "$VERSION_CMD" ] && [ "${SERVER:-tdbwinsd}" = tdbwinsd ] &&
	[ -x "$IT_TOP/${TDBWINS_TOOL:-build/tdbwins-tool}" ]; then
	VERSION_CMD="$IT_TOP/testsuite/integration/tool-versions.sh"
fi
STOP_SIGNAL="${STOP_SIGNAL:-KILL}"
case "$STOP_SIGNAL" in
KILL|TERM) ;;
*) it_die "STOP_SIGNAL must be KILL or TERM" ;;
esac
[[ "$COUNT" =~ ^[0-9]+$ ]] && [ "$COUNT" -ge 1 ] && [ "$COUNT" -le 250 ] \
	|| it_die "COUNT must be 1..250"
for ip in $IT_CLIENT_IPS; do
	it_check_ip "$ip"
done

mkdir -p "$RESULTS"
RESULTS="$(cd "$RESULTS" && pwd)"
it_lock_results "$RESULTS"
rm -rf "$RESULTS/server" "$RESULTS/client" "$RESULTS/logs" \
	"$RESULTS/summary" "$RESULTS"/*.txt
mkdir -p "$RESULTS/logs"
SRV="$RESULTS/server"
it_server_argv "$SRV"	# fails early if the server binary is missing
CL="$RESULTS/client"
LOGS="$RESULTS/logs"
REG_NET="198.18.3"

npass=0
nfail=0
nskip=0
result() {
	local res="$1" t="$2" note="${3:-}"
	case $res in
	PASS) npass=$((npass + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	*) nfail=$((nfail + 1)) ;;
	esac
	printf '%-4s %-42s %s\n' "$res" "$t" "$note" | tee -a "$RESULTS/summary"
}
finish() {
	local s="$npass passed, $nfail failed"
	# stop and remove everything now, so that the summary is the last line
	it_run_cleanups || true
	[ $nskip -gt 0 ] && s="$s, $nskip skipped"
	echo "$s" | tee -a "$RESULTS/summary"
	[ $nfail = 0 ]
}

it_netns_create
for ip in $IT_CLIENT_IPS; do
	it_addr_add "$ip"
done
# one source address per name, in their own /24 on the same veth end
for i in $(seq 1 "$COUNT"); do
	echo "$REG_NET.$i/24"
done > "$RESULTS/addrs.txt"
it_addrs_add_batch "$RESULTS/addrs.txt"
it_server_conf "$SRV"
it_client_conf "$CL"

it_on_exit it_server_stop
if it_server_start "$SRV" && it_wait_ready "$CL"; then
	result PASS restart.start "pid $IT_SERVER_PID ready"
else
	result FAIL restart.start "not ready (see $SRV/log/)"
	finish
	exit 1
fi

# names: TWITR000<00> .. from 198.18.3.1 ..
for i in $(seq 1 "$COUNT"); do
	printf 'TWITR%03d<00> %s.%d %s.%d\n' "$i" "$REG_NET" "$i" "$REG_NET" "$i"
done > "$RESULTS/names.txt"

# ---- register ------------------------------------------------------------------
# (its exit status only says whether all were acknowledged; the lines say
# which were)
it_nbtclient "$CL" --file "$RESULTS/names.txt" --window 32 \
	register > "$RESULTS/register.txt" 2> "$LOGS/register.err" || true
# acknowledged = rcode 0; only those are promised to survive
awk '$3 == "rcode=0" { print $1, $2 }' "$RESULTS/register.txt" > "$RESULTS/acked.txt"
nack=$(wc -l < "$RESULTS/acked.txt")
if [ "$nack" = "$COUNT" ]; then
	result PASS restart.register "$nack/$COUNT acknowledged"
else
	result FAIL restart.register "$nack/$COUNT acknowledged (see register.txt)"
fi

# verify FILE STEP: query every "NAME ADDR" line; prints the mismatches
verify() {
	local step="$1" out="$RESULTS/$1.txt" bad
	it_nbtclient "$CL" --file "$RESULTS/acked.txt" --window 32 query \
		> "$out" 2> "$LOGS/$step.err" || true
	# a line passes when its answer lists exactly the registered address
	bad=$(awk 'NR == FNR { want[$1] = $2; next }
		{ if ($3 == "rcode=0" && $2 == want[$1]) ok[$1] = 1 }
		END { n = 0; for (k in want) if (!(k in ok)) n++; print n }' \
		"$RESULTS/acked.txt" "$out")
	echo "$bad"
}

dump_versions() {
	local f="$1"
	[ -n "$VERSION_CMD" ] || return 77
	it_jail_argv "$SRV"
	# shellcheck disable=SC2086  # VERSION_CMD is a command line
	it_fg timeout -k 5 60 "${IT_JAIL[@]}" $VERSION_CMD "$SRV/smb.conf" \
		> "$f" 2> "$LOGS/$(basename "$f").err" < /dev/null
}

acked_only() {
	awk 'NR == FNR { a[$1] = 1; next } ($1 in a)' "$RESULTS/acked.txt" "$1" \
		| sort
}

if [ "$nack" -gt 0 ]; then
	bad=$(verify before)
	if [ "$bad" = 0 ]; then
		result PASS restart.before "$nack names answered"
	else
		result FAIL restart.before "$bad of $nack not answered with their address"
	fi
else
	result FAIL restart.before "nothing acknowledged"
fi

vrc=0
dump_versions "$RESULTS/versions-before.txt" || vrc=$?
case $vrc in
0)
	nver=$(acked_only "$RESULTS/versions-before.txt" | wc -l)
	if [ "$nver" = "$nack" ]; then
		result PASS restart.versions0 "$nver acknowledged names listed"
	else
		result FAIL restart.versions0 "$nver of $nack acknowledged names listed"
	fi
	;;
77) result SKIP restart.versions0 "no VERSION_CMD" ;;
*) result FAIL restart.versions0 "VERSION_CMD failed (rc=$vrc)" ;;
esac

# ---- crash and restart ----------------------------------------------------------
old_pid="$IT_SERVER_PID"
case "$STOP_SIGNAL" in
KILL)
	if it_server_kill9; then
		result PASS restart.signal "pid $old_pid killed with SIGKILL"
	else
		result FAIL restart.signal "pid $old_pid did not die"
		finish
		exit 1
	fi
	;;
TERM)
	it_server_stop
	result PASS restart.signal "pid $old_pid stopped with SIGTERM"
	;;
esac
# anything the server left running in the namespace goes too (by PID)
for pid in $(it_netns_pids); do
	it_stop_pid "$pid" "leftover of $SERVER"
done

if it_server_start "$SRV" && it_wait_ready "$CL"; then
	result PASS restart.restart "pid $IT_SERVER_PID ready"
else
	result FAIL restart.restart "not ready after restart (see $SRV/log/)"
	finish
	exit 1
fi

bad=$(verify after)
if [ "$nack" -gt 0 ] && [ "$bad" = 0 ]; then
	result PASS restart.after "$nack names still answered"
else
	result FAIL restart.after "$bad of $nack lost or changed (see after.txt)"
fi

vrc=0
dump_versions "$RESULTS/versions-after.txt" || vrc=$?
case $vrc in
0)
	# only the acknowledged names: the server's own names may be
	# re-registered (new version) at start-up
	if diff <(acked_only "$RESULTS/versions-before.txt") \
		<(acked_only "$RESULTS/versions-after.txt") > "$LOGS/versions.diff"; then
		result PASS restart.versions "same versions"
	else
		result FAIL restart.versions "versions differ (logs/versions.diff)"
	fi
	;;
77) result SKIP restart.versions "no VERSION_CMD" ;;
*) result FAIL restart.versions "VERSION_CMD failed (rc=$vrc)" ;;
esac

finish
