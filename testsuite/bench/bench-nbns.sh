#!/bin/bash
# tdbwins — name server benchmark (docs/benchmarks.md).  Prints figures;
# never a pass/fail judgement on time.
#
#   sudo testsuite/bench/bench-nbns.sh          (after ./waf build)
#
# In a network namespace it creates (and deletes again), with addresses in
# 198.18.0.0/15 only:
#   1. tdbwinsd, durable (tdbwins:nosync = no: every acknowledged
#      registration was committed with fsync); nbnsbench registers NAMES
#      names (default 100000): durable registrations/s;
#   2. nbnsbench queries random names of that set for QUERY_SECONDS with
#      window WINDOW (64): tdbwinsd queries/s;
#   3. tdbwinsd stopped, `canned` (a fixed-answer responder) on the same
#      address and port, the same query workload: canned queries/s;
#   4. tdbwinsd again on an empty database with tdbwins:nosync = yes,
#      the same registrations: registrations/s NOT durable, for comparison.
# Then a table of the figures and the machine.
#
# Exit status: 0 if every phase ran; 1 if something did not run (a server
# failed to start, a phase got no positive answer); 2 on a set-up error;
# 77 if it cannot run here (not root, tools missing).
#
# Environment (defaults in brackets):
#   NAMES [100000]        names registered, then queried
#   WINDOW [64]           queries in flight
#   REG_WINDOW [WINDOW]   registrations in flight
#   QUERY_SECONDS [10]    length of each query run
#   SOURCES [8]           client source addresses (name i is always
#                         registered and queried from address i % SOURCES)
#   NET [198.18.6]        the /24 used inside the namespace: server .1,
#                         clients .11 onwards; must be in 198.18.0.0/15
#   PIN [auto]            auto: with 2+ CPUs the server runs on CPU 1 and
#                         nbnsbench on CPU 0 (taskset); 0: no pinning
#   BENCH_DIR [build/bench-nbns]  configs, logs, databases (the tdb files
#                         are deleted at the end unless KEEP=1); put it on
#                         the disk the server will use: fsync is measured
#   BUILD [build]  TDBWINSD NBNSBENCH CANNED  where the programs are
#   CANNED_BATCH [1]      canned --batch (1: recvfrom/sendto per datagram)

set -u

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$TOP/build}"
TDBWINSD="${TDBWINSD:-$BUILD/tdbwinsd}"
NBNSBENCH="${NBNSBENCH:-$BUILD/testsuite/bench/nbnsbench}"
CANNED="${CANNED:-$BUILD/testsuite/bench/canned}"
NAMES="${NAMES:-100000}"
WINDOW="${WINDOW:-64}"
REG_WINDOW="${REG_WINDOW:-$WINDOW}"
QUERY_SECONDS="${QUERY_SECONDS:-10}"
SOURCES="${SOURCES:-8}"
NET="${NET:-198.18.6}"
PIN="${PIN:-auto}"
BENCH_DIR="${BENCH_DIR:-$BUILD/bench-nbns}"
CANNED_BATCH="${CANNED_BATCH:-1}"
KEEP="${KEEP:-0}"

NS="twbench-$$"
IFACE="twb0"
SERVER_IP="$NET.1"
CLIENT_FIRST="$NET.11"
NS_CREATED=0
SERVER_PID=""
CHILD_PID=""
PIN_SERVER=()
PIN_CLIENT=()
FAILED=0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

# ---- checks ----

for v in NAMES WINDOW REG_WINDOW QUERY_SECONDS SOURCES CANNED_BATCH; do
	[[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[ "$SOURCES" -le 200 ] || die "SOURCES must be at most 200 (one /24)"

# every address this script uses lies in NET.0/24: refuse anything that
# is not inside 198.18.0.0/15 (RFC 2544 benchmarking space)
if ! [[ "$NET" =~ ^198\.1[89]\.([0-9]{1,3})$ ]] ||
	[ "${BASH_REMATCH[1]}" -gt 255 ]; then
	die "NET=$NET is not a /24 inside 198.18.0.0/15"
fi

if [ "$(id -u)" != 0 ]; then
	log "SKIP: must run as root (network namespace)"
	exit 77
fi
for c in ip timeout awk; do
	command -v "$c" > /dev/null || { log "SKIP: $c not found"; exit 77; }
done
for p in "$TDBWINSD" "$NBNSBENCH" "$CANNED"; do
	[ -x "$p" ] || die "$p not found: run ./waf build first"
done

# ---- clean-up: by PID, and the namespace this run created ----

# alive PID: running, i.e. exists and is not a zombie
alive() {
	kill -0 "$1" 2> /dev/null &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2> /dev/null
}

# stop_pid PID NAME: SIGTERM, up to 15 s, then SIGKILL; this PID only
stop_pid() {
	local pid="$1" name="$2" i
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		kill -TERM "$pid" 2> /dev/null
		for ((i = 0; i < 150; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			log "$name (pid $pid) ignored SIGTERM: SIGKILL"
			kill -KILL "$pid" 2> /dev/null
		fi
	fi
	wait "$pid" 2> /dev/null
	return 0
}

# shellcheck disable=SC2317  # run from the EXIT trap
cleanup() {
	local rc=$? pid
	set +e
	trap '' PIPE
	stop_pid "$CHILD_PID" "nbnsbench"
	CHILD_PID=""
	stop_pid "$SERVER_PID" "server"
	SERVER_PID=""
	if [ "$NS_CREATED" = 1 ]; then
		# stragglers of ours: only this run's processes are in it
		for pid in $(ip netns pids "$NS" 2> /dev/null); do
			stop_pid "$pid" "leftover process in $NS"
		done
		ip netns del "$NS" 2> /dev/null
		NS_CREATED=0
	fi
	if [ "$KEEP" != 1 ] && [ -d "$BENCH_DIR" ]; then
		rm -f "$BENCH_DIR"/*/state/tdbwins.tdb
	fi
	return "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# ---- namespace ----

ip netns list 2> /dev/null | awk '{print $1}' | grep -qx -- "$NS" &&
	die "network namespace $NS exists already (not ours)"
ip netns add "$NS" || die "ip netns add $NS failed"
NS_CREATED=1
ip -n "$NS" link set lo up
# a veth pair with both ends inside: no route leads out of the namespace
ip -n "$NS" link add "$IFACE" type veth peer name "${IFACE}p" ||
	die "cannot create veth in $NS"
ip -n "$NS" link set "$IFACE" up
ip -n "$NS" link set "${IFACE}p" up
{
	echo "addr add $SERVER_IP/24 dev $IFACE"
	for ((i = 0; i < SOURCES; i++)); do
		echo "addr add $NET.$((11 + i))/24 dev $IFACE"
	done
} | ip -n "$NS" -batch - || die "cannot add addresses in $NS"

NPROC="$(nproc)"
if [ "$PIN" = auto ] && [ "$NPROC" -ge 2 ] &&
	command -v taskset > /dev/null; then
	PIN_SERVER=(taskset -c 1)
	PIN_CLIENT=(taskset -c 0)
	PIN_NOTE="server on CPU 1, nbnsbench on CPU 0"
else
	PIN_NOTE="none"
fi

mkdir -p "$BENCH_DIR" || die "cannot create $BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"

# ---- servers ----

# write_conf DIR NOSYNC: smb.conf for tdbwinsd, everything under DIR
write_conf() {
	local d="$1" nosync="$2"
	rm -rf "$d"
	mkdir -p "$d"/{pid,state,lock,cache,private,ncalrpc,log} ||
		die "cannot create $d"
	cat > "$d/smb.conf" << EOF
[global]
	netbios name = TWBENCH
	workgroup = TWBENCHWG
	server role = standalone server
	interfaces = $SERVER_IP/24
	bind interfaces only = yes
	wins support = yes
	dns proxy = no
	local master = no
	domain master = no
	preferred master = no
	pid directory = $d/pid
	state directory = $d/state
	lock directory = $d/lock
	cache directory = $d/cache
	private dir = $d/private
	ncalrpc dir = $d/ncalrpc
	log file = $d/log/log.%m
	max log size = 0
	log level = 0
	tdbwins:database = $d/state/tdbwins.tdb
	tdbwins:nosync = $nosync
EOF
}

# wait_ready NAME: until the server answers a query (any answer will do)
wait_ready() {
	local name="$1"
	ip netns exec "$NS" timeout -k 2 30 "$NBNSBENCH" -s "$SERVER_IP" \
		-d 20 wait > /dev/null 2>&1 < /dev/null &
	CHILD_PID=$!
	if ! wait "$CHILD_PID"; then
		CHILD_PID=""
		log "$name did not answer within 20 s"
		return 1
	fi
	CHILD_PID=""
	if ! alive "$SERVER_PID"; then
		log "$name exited during start-up"
		return 1
	fi
	return 0
}

# start_tdbwinsd DIR NOSYNC
start_tdbwinsd() {
	local d="$1"
	write_conf "$d" "$2"
	ip netns exec "$NS" "${PIN_SERVER[@]}" "$TDBWINSD" -s "$d/smb.conf" \
		-F -d 0 "--pidfile=$d/pid/tdbwinsd.pid" \
		>> "$d/log/server.out" 2>&1 < /dev/null &
	SERVER_PID=$!
	if ! wait_ready "tdbwinsd"; then
		tail -n 15 "$d/log/server.out" >&2
		return 1
	fi
	log "tdbwinsd (pid $SERVER_PID, nosync = $2) answers on $SERVER_IP"
	return 0
}

start_canned() {
	local d="$1"
	rm -rf "$d"
	mkdir -p "$d/log"
	ip netns exec "$NS" "${PIN_SERVER[@]}" "$CANNED" -a "$SERVER_IP" \
		--batch "$CANNED_BATCH" >> "$d/log/server.out" 2>&1 \
		< /dev/null &
	SERVER_PID=$!
	if ! wait_ready "canned"; then
		tail -n 15 "$d/log/server.out" >&2
		return 1
	fi
	log "canned (pid $SERVER_PID) answers on $SERVER_IP"
	return 0
}

stop_server() {
	stop_pid "$SERVER_PID" "server"
	SERVER_PID=""
}

# ---- load ----

# bench LOG SECONDS_BOUND ARGS...: nbnsbench inside the namespace from the
# client addresses, its output in LOG and (indented) on stdout
bench() {
	local out="$1" bound="$2" rc=0
	shift 2
	ip netns exec "$NS" "${PIN_CLIENT[@]}" timeout -k 5 "$bound" \
		"$NBNSBENCH" -s "$SERVER_IP" -b "$CLIENT_FIRST+$SOURCES" \
		-n "$NAMES" "$@" > "$out" 2>&1 < /dev/null &
	CHILD_PID=$!
	wait "$CHILD_PID" || rc=$?
	CHILD_PID=""
	sed 's/^/    /' "$out"
	return $rc
}

# result LOG KEY: a value from nbnsbench's RESULT line ("-" if none)
result() {
	awk -v k="$2" '
		/^RESULT / {
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == k) { v = kv[2] }
			}
		}
		END { print (v == "" ? "-" : v) }' "$1"
}

# phase_ok LOG NAME: the run produced positive answers
phase_ok() {
	local pos
	pos="$(result "$1" positive)"
	if [ "$pos" = "-" ] || [ "$pos" = 0 ]; then
		log "$2: no positive answer (see $1)"
		FAILED=1
		return 1
	fi
	return 0
}

REG_BOUND=$((120 + NAMES / 100))	# 100 registrations/s would be absurd
QUERY_BOUND=$((QUERY_SECONDS + 60))
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
START_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"

D_DUR="$BENCH_DIR/durable"
D_CAN="$BENCH_DIR/canned"
D_NOS="$BENCH_DIR/nosync"
L_REG="$BENCH_DIR/register-durable.log"
L_QRY="$BENCH_DIR/query-tdbwinsd.log"
L_CAN="$BENCH_DIR/query-canned.log"
L_NOS="$BENCH_DIR/register-nosync.log"
rm -f "$L_REG" "$L_QRY" "$L_CAN" "$L_NOS"

log "1/4 tdbwinsd durable: register $NAMES names (window $REG_WINDOW)"
if start_tdbwinsd "$D_DUR" no; then
	bench "$L_REG" "$REG_BOUND" -w "$REG_WINDOW" register
	phase_ok "$L_REG" "durable registrations"
	log "2/4 tdbwinsd: queries, window $WINDOW, $QUERY_SECONDS s"
	bench "$L_QRY" "$QUERY_BOUND" -w "$WINDOW" -d "$QUERY_SECONDS" \
		--verify query
	phase_ok "$L_QRY" "tdbwinsd queries"
	stop_server
else
	FAILED=1
	stop_server
fi

log "3/4 canned: the same queries"
if start_canned "$D_CAN"; then
	bench "$L_CAN" "$QUERY_BOUND" -w "$WINDOW" -d "$QUERY_SECONDS" query
	phase_ok "$L_CAN" "canned queries"
	stop_server
else
	FAILED=1
	stop_server
fi

log "4/4 tdbwinsd nosync = yes: register $NAMES names"
if start_tdbwinsd "$D_NOS" yes; then
	bench "$L_NOS" "$REG_BOUND" -w "$REG_WINDOW" register
	phase_ok "$L_NOS" "nosync registrations"
	stop_server
else
	FAILED=1
	stop_server
fi

# ---- the table ----

cpu_model() {
	awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo
}

fs_type() {
	df --output=fstype "$1" 2> /dev/null | tail -n 1
}

row() {
	# row LABEL LOG
	printf '%-46s %9s %8s %8s %9s\n' "$1" "$(result "$2" rate)" \
		"$(result "$2" p50_ms)" "$(result "$2" p99_ms)" \
		"$(result "$2" failures)"
}

RATIO="$(awk -v a="$(result "$L_QRY" rate)" -v b="$(result "$L_CAN" rate)" \
	'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b;
		 else print "-" }')"
FS="$(fs_type "$BENCH_DIR")"

echo
echo "== tdbwins name server benchmark, $START_DATE"
echo "machine   nproc $NPROC, $(cpu_model), Linux $(uname -r)"
echo "load      $LOAD_START at start," \
	"$(cut -d' ' -f1-3 /proc/loadavg) at end (1/5/15 min averages)"
echo "storage   $BENCH_DIR ($FS)"
echo "workload  $NAMES names from $SOURCES source addresses;" \
	"registrations: window $REG_WINDOW;" \
	"queries: random names, window $WINDOW, $QUERY_SECONDS s"
echo "pinning   $PIN_NOTE"
echo
printf '%-46s %9s %8s %8s %9s\n' "figure" "per s" "p50 ms" "p99 ms" "failures"
row "tdbwinsd queries/s" "$L_QRY"
row "canned queries/s" "$L_CAN"
printf '%-46s %9s\n' "ratio tdbwinsd / canned" "$RATIO"
row "tdbwinsd registrations/s (durable, fsync)" "$L_REG"
row "tdbwinsd registrations/s (nosync: NOT durable)" "$L_NOS"
if [ "$FS" = tmpfs ]; then
	echo "note: $BENCH_DIR is on tmpfs, where fsync costs nothing"
fi
{
	printf 'date\t%s\nnproc\t%s\ncpu\t%s\nfs\t%s\n' "$START_DATE" \
		"$NPROC" "$(cpu_model)" "$FS"
	printf 'tdbwinsd_queries\t%s\n' "$(result "$L_QRY" rate)"
	printf 'canned_queries\t%s\n' "$(result "$L_CAN" rate)"
	printf 'ratio\t%s\n' "$RATIO"
	printf 'registrations_durable\t%s\n' "$(result "$L_REG" rate)"
	printf 'registrations_nosync\t%s\n' "$(result "$L_NOS" rate)"
} > "$BENCH_DIR/results.tsv"

if [ "$FAILED" != 0 ]; then
	log "something did not run: see the logs in $BENCH_DIR"
	exit 1
fi
exit 0
