#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# tdbwins — WINS replication benchmark (docs/benchmarks.md).  Prints
# figures beside a reference measured in the same run (a Samba 4 AD DC);
# never a pass/fail judgement on time.
#
#   sudo testsuite/bench/bench-wrepl.sh          (after ./waf build)
#
# In a network namespace it creates (and deletes again), addresses in
# NET.0/24 inside 198.18.0.0/15 only:
#   S  NET.2    tdbwinsd, the source: N names registered at it (nbnsbench,
#               durable), so it owns N records; push partners A and D
#   A  NET.1    tdbwinsd under test: pull partner S, push partner C
#   D  NET.3    samba -M single, an AD DC (provision cached in
#               BENCH_DIR/dc-prov): partners S (pull + push, pullInterval
#               0: it pulls only when told) and C
#   C  NET.201  wreplbench, the measuring client
#
#   1. pull:  an INFORM from S's address to A, then to D (what S would
#      send after a change); seconds until the puller's Owner-Version Map
#      shows S's maximum (for A: committed, it syncs before it answers).
#      Also A's start-up pull (a fresh A with tdbwins:pull interval 1800),
#      timed from A's exec.
#   2. serve: wreplbench pulls every record of owner S from A, RUNS times,
#      then from D: Start, Owner-Version Map, Name Records Request [1, max]
#      (again from the highest version got if a response was capped);
#      records/s, and the server's VmRSS before and after each pull, VmHWM
#      after (D: the samba process itself, where -M single runs the wrepl
#      task; not its tfork helper children).
# Then a table of the figures.
#
# Exit status: 0 if every phase ran; 1 if something did not run; 2 on a
# set-up error; 77 if it cannot run here (not root, tools missing).
#
# Environment (defaults in brackets):
#   N [50000]           names registered at S (S also holds its own few)
#   RUNS [3]            serve runs per server
#   NET [198.18.7]      the /24 used inside the namespace (lib.sh refuses
#                       any address outside 198.18.0.0/15 and 127.0.0.0/8)
#   DC [1]              0: skip the Samba DC (no reference column)
#   PIN [auto]          auto with 2+ CPUs: A and D on CPU 1, wreplbench and
#                       nbnsbench on CPU 0; S unpinned; 0: no pinning
#   WREPL_MAX_RECORDS [N + 1000, at least 50000]  tdbwins:wrepl max records
#                       of A and S: one response per pull
#   PULL_TIMEOUT [300]  seconds a pull may take before it counts as failed
#   DC_NOSYNC [0]       1: the DC with winsdb:nosync = yes (its wins.ldb
#                       commits without fsync; NOT durable, for comparison)
#   BENCH_DIR [build/bench-wrepl]  configs, logs, databases, DC provision
#   BUILD [build]  TDBWINSD WREPLBENCH NBNSBENCH  where the programs are
#   SERVER_LOGLEVEL [0] tdbwinsd's -d

set -u

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$TOP/build}"
N="${N:-50000}"
RUNS="${RUNS:-3}"
NET="${NET:-198.18.7}"
DC="${DC:-1}"
DC_NOSYNC="${DC_NOSYNC:-0}"
PIN="${PIN:-auto}"
PULL_TIMEOUT="${PULL_TIMEOUT:-300}"
BENCH_DIR="${BENCH_DIR:-$BUILD/bench-wrepl}"
WREPLBENCH="${WREPLBENCH:-$BUILD/testsuite/bench/wreplbench}"
NBNSBENCH="${NBNSBENCH:-$BUILD/testsuite/bench/nbnsbench}"
export TDBWINSD="${TDBWINSD:-$BUILD/tdbwinsd}"
export SERVER_LOGLEVEL="${SERVER_LOGLEVEL:-0}"

for v in N RUNS PULL_TIMEOUT; do
	if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then
		echo "$v must be a positive integer" >&2
		exit 2
	fi
done
DEF_MAX=$((N + 1000 > 50000 ? N + 1000 : 50000))
WREPL_MAX_RECORDS="${WREPL_MAX_RECORDS:-$DEF_MAX}"

# lib.sh reads these when sourced
export IT_NS="twbwr-$$"
export IT_IFACE="twbw0"
export IT_SERVER_IP="$NET.1"
export IT_CLIENT_IPS="$NET.201"
export IT_SERVER_NAME="TWBWA"
export IT_WORKGROUP="TWBWWG"
# shellcheck source=../integration/lib.sh
. "$TOP/testsuite/integration/lib.sh"
# read by dclib.sh
DC_IP="$NET.3"
DC_NAME="TWBWDC"
export DC_DOMAIN="TWBWDOM"
export DC_REALM="TWBWDOM.TEST"
# shellcheck source=../integration/wrepl/dclib.sh
. "$TOP/testsuite/integration/wrepl/dclib.sh"

A_IP="$NET.1"
S_IP="$NET.2"
C_IP="$NET.201"
REG_FIRST="$NET.11"
REG_SOURCES=8

it_need_root
for c in taskset awk; do
	command -v "$c" > /dev/null || { it_log "SKIP: $c not found"; exit 77; }
done
for p in "$TDBWINSD" "$WREPLBENCH" "$NBNSBENCH"; do
	[ -x "$p" ] || it_die "$p not found: run ./waf build first"
done
if [ "$DC" = 1 ]; then
	for c in samba samba-tool; do
		if ! command -v "$c" > /dev/null; then
			it_log "$c not found: no Samba DC reference (DC=0)"
			DC=0
		fi
	done
fi
it_traps

mkdir -p "$BENCH_DIR" || it_die "cannot create $BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
it_lock_results "$BENCH_DIR"
LOGS="$BENCH_DIR/logs"
rm -rf "$LOGS" "$BENCH_DIR/S" "$BENCH_DIR/A" "$BENCH_DIR/client" \
	"$BENCH_DIR/dc" "$BENCH_DIR/results.tsv"
mkdir -p "$LOGS"
PROV="$BENCH_DIR/dc-prov"
DCD="$BENCH_DIR/dc"
CL="$BENCH_DIR/client"
FAILED=0
START_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

it_netns_create
for ip in "$S_IP" "$DC_IP" "$C_IP"; do
	it_addr_add "$ip"
done
for ((i = 0; i < REG_SOURCES; i++)); do
	echo "${NET}.$((11 + i))/$IT_PLEN"
done > "$LOGS/sources.txt"
it_addrs_add_batch "$LOGS/sources.txt"
it_client_conf "$CL"

PIN_SRV=()
PIN_CL=()
PIN_NOTE="none"
if [ "$PIN" = auto ] && [ "$(nproc)" -ge 2 ]; then
	PIN_SRV=(taskset -c 1)
	PIN_CL=(taskset -c 0)
	PIN_NOTE="A and the DC on CPU 1, the clients on CPU 0, S unpinned"
fi

# ---- processes -----------------------------------------------------------

S_PID=""
A_PID=""
# shellcheck disable=SC2317  # run from the EXIT trap
stop_tw() {
	it_stop_pid "$A_PID" "tdbwinsd A"
	A_PID=""
	it_stop_pid "$S_PID" "tdbwinsd S"
	S_PID=""
}
it_on_exit stop_tw
it_on_exit dc_stop

# start_tw DIR IP NAME WRAPPER EXTRA: tdbwinsd with lib.sh's smb.conf plus
# EXTRA, on an empty database; prints its PID.  `wins hook =` (empty, the
# later line wins) turns off the hook it_server_conf installs: a fork per
# registration is not what is measured here.
start_tw() {
	local d="$1" ip="$2" name="$3" wrapper="$4" extra="$5"
	rm -rf "$d"
	IT_SERVER_IP="$ip" IT_SERVER_NAME="$name" IT_EXTRA_CONF="	wins hook =
	tdbwins:wrepl max records = $WREPL_MAX_RECORDS
$extra" it_server_conf "$d"
	SERVER_WRAPPER="$wrapper" IT_SERVER_IP="$ip" it_server_start "$d" \
		|| return 1
	TW_PID="$IT_SERVER_PID"
	IT_SERVER_PID=""
}

# wrb ARGS...: wreplbench from C inside the namespace (bounded)
wrb() {
	it_fg timeout -k 5 $((PULL_TIMEOUT + 60)) ip netns exec "$IT_NS" \
		"${PIN_CL[@]}" "$WREPLBENCH" "$@" < /dev/null
}

# result LOG KEY: a value from wreplbench's or nbnsbench's RESULT line
result() {
	awk -v k="$2" '
		/^RESULT / {
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == k) { v = kv[2] }
			}
		}
		END { print (v == "" ? "-" : v) }' "$1" 2> /dev/null
}

# owner_max SERVER OWNER: the owner's maximum version in SERVER's map
owner_max() {
	wrb -s "$1" -b "$C_IP" -d 20 map 2> /dev/null |
		awk -v o="$2" '$1 == "owner" && $2 == o {
			sub("max=", "", $3); print $3 }'
}

# mem PID...: "VmRSS VmHWM" in kB, summed over the PIDs
mem() {
	local pid rss=0 hwm=0 r h
	for pid in "$@"; do
		read -r r h < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
			END { print r + 0, h + 0 }' "/proc/$pid/status" \
			2> /dev/null || echo "0 0")
		rss=$((rss + r))
		hwm=$((hwm + h))
	done
	echo "$rss $hwm"
}

# dc_pids: the DC and its children.  With -M single every task of the
# samba process (nbt, wrepl, ldap, ...) runs in DC_PID; its children
# ("samba: tfork waiter process") run no WINS task: the figures are
# DC_PID's, the children are only named in the log.
dc_pids() {
	local pid
	[ -n "$DC_PID" ] || return 0
	echo "$DC_PID"
	for pid in $(it_netns_pids); do
		if [ "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" \
			2> /dev/null)" = "$DC_PID" ]; then
			echo "$pid"
		fi
	done
}

dc_children() {
	local pid
	for pid in $(dc_pids); do
		[ "$pid" = "$DC_PID" ] && continue
		printf '[%s: %s kB] ' \
			"$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null |
				cut -c1-40)" "$(mem "$pid" | cut -d' ' -f1)"
	done
}

secs_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.3g", a / b; else print "-" }'
}

# ---- 0. the DC first (it pulls nothing until told: pullInterval 0) ------

if [ "$DC" = 1 ]; then
	dc_provision "$PROV" "$DCD" "$LOGS/provision.log"
	# a WINS database of an earlier run would already hold S's versions
	rm -f "$PROV/state/wins.ldb"
	DC_EXTRA=""
	if [ "$DC_NOSYNC" = 1 ]; then
		DC_EXTRA="	winsdb:nosync = yes"
	fi
	dc_write_conf "$PROV" "$DCD" "$DC_EXTRA"
	dc_write_partners "$PROV/private/wins_config.ldb" \
		SOURCE "$S_IP" 0x3 0 - 0 \
		BENCH "$C_IP" 0x3 0 - 0
	DC_WRAPPER="${PIN_SRV[*]}"
	if dc_start "$DCD" "$CL"; then
		it_log "DC ready: $DC_NAME=$DC_IP (pid $DC_PID)"
	else
		it_log "the DC did not start (logs: $DCD/log/): no reference"
		dc_stop
		DC=0
		FAILED=1
	fi
fi

# ---- S: the source of the N records ---------------------------------------

start_tw "$BENCH_DIR/S" "$S_IP" TWBWS "" \
	"	tdbwins:push partners = $A_IP $DC_IP $C_IP" || it_die "S did not start"
S_PID="$TW_PID"
ip netns exec "$IT_NS" timeout -k 2 30 "$NBNSBENCH" -s "$S_IP" -d 20 wait \
	> /dev/null 2>&1 < /dev/null || it_die "S does not answer name queries"
it_log "registering $N names at S ($S_IP)"
it_fg timeout -k 5 $((120 + N / 100)) ip netns exec "$IT_NS" \
	"${PIN_CL[@]}" "$NBNSBENCH" -s "$S_IP" \
	-b "$REG_FIRST+$REG_SOURCES" -n "$N" -w 64 register \
	> "$LOGS/register.log" 2>&1 < /dev/null
REG_FAIL="$(result "$LOGS/register.log" failures)"
REG_OK="$(result "$LOGS/register.log" positive)"
[ "$REG_OK" = "$N" ] ||
	it_die "S acknowledged $REG_OK of $N registrations (see $LOGS/register.log)"
S_MAX="$(owner_max "$S_IP" "$S_IP")"
[ -n "$S_MAX" ] || it_die "cannot read S's owner version"
it_log "S holds its owner at version $S_MAX ($N registered," \
	"failures $REG_FAIL)"

# ---- 1. pull ----------------------------------------------------------------

A_CONF="	tdbwins:pull partners = $S_IP
	tdbwins:push partners = $C_IP"
PULL_A="-"
PULL_A_START="-"
PULL_D="-"

# (a) A pulls on S's INFORM
if start_tw "$BENCH_DIR/A" "$A_IP" TWBWA "${PIN_SRV[*]}" "$A_CONF
	tdbwins:pull interval = 0"; then
	A_PID="$TW_PID"
	A_RSS0="-"
	A_RSS1="-"
	if wrb -s "$A_IP" -b "$C_IP" -d 20 map > "$LOGS/a-ready.log" 2>&1 &&
		read -r A_RSS0 _ < <(mem "$A_PID") &&
		wrb -s "$A_IP" -b "$C_IP" -I "$S_IP" -o "$S_IP" -m "$S_MAX" \
			-d "$PULL_TIMEOUT" -i 20 trigger \
			> "$LOGS/pull-a-inform.log" 2>&1; then
		PULL_A="$(result "$LOGS/pull-a-inform.log" seconds)"
		read -r A_RSS1 A_HWM1 < <(mem "$A_PID")
		it_log "A pulled $S_MAX versions of S in $PULL_A s (INFORM)"
	else
		it_log "A's pull on INFORM failed (see $LOGS/pull-a-inform.log)"
		FAILED=1
	fi
	it_stop_pid "$A_PID" "tdbwinsd A"
	A_PID=""
else
	FAILED=1
fi

# (b) a fresh A's start-up pull, timed from its exec; this A is then the
# server for the serve runs
T0=$EPOCHREALTIME
if start_tw "$BENCH_DIR/A" "$A_IP" TWBWA "${PIN_SRV[*]}" "$A_CONF
	tdbwins:pull interval = 1800"; then
	A_PID="$TW_PID"
	if wrb -s "$A_IP" -b "$C_IP" -o "$S_IP" -m "$S_MAX" \
		-d "$PULL_TIMEOUT" -i 20 wait > "$LOGS/pull-a-startup.log" 2>&1
	then
		PULL_A_START="$(awk -v a="$T0" -v b="$EPOCHREALTIME" \
			'BEGIN { printf "%.3f", b - a }')"
		it_log "A's start-up pull held S's $S_MAX versions $PULL_A_START s after exec"
	else
		it_log "A's start-up pull failed (see $LOGS/pull-a-startup.log)"
		FAILED=1
	fi
else
	FAILED=1
fi

# (c) the DC pulls on S's INFORM
if [ "$DC" = 1 ]; then
	read -r D_RSS0 _ < <(mem "$DC_PID")
	if wrb -s "$DC_IP" -b "$C_IP" -I "$S_IP" -o "$S_IP" -m "$S_MAX" \
		-d "$PULL_TIMEOUT" -i 200 trigger > "$LOGS/pull-dc-inform.log" 2>&1
	then
		PULL_D="$(result "$LOGS/pull-dc-inform.log" seconds)"
		it_log "the DC pulled $S_MAX versions of S in $PULL_D s (INFORM)"
	else
		it_log "the DC's pull on INFORM failed (see $LOGS/pull-dc-inform.log)"
		FAILED=1
		DC=0
	fi
	read -r D_RSS1 D_HWM1 < <(mem "$DC_PID")
	it_log "the DC's children (not counted): $(dc_children)"
	it_log "DC RSS $D_RSS0 -> $D_RSS1 kB over its pull (HWM $D_HWM1 kB)"
fi

# ---- 2. serve ---------------------------------------------------------------

# serve SIDE SERVER PIDS...: RUNS full pulls of owner S, one TSV line each:
# side run records seconds rate rss_before rss_after hwm_after
serve() {
	local side="$1" srv="$2" run log rb ra ha
	shift 2
	for ((run = 1; run <= RUNS; run++)); do
		log="$LOGS/serve-$side-$run.log"
		read -r rb _ < <(mem "$@")
		if ! wrb -s "$srv" -b "$C_IP" -o "$S_IP" -d "$PULL_TIMEOUT" \
			pull > "$log" 2>&1; then
			it_log "$side: serve run $run failed (see $log)"
			FAILED=1
		fi
		read -r ra ha < <(mem "$@")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$side" "$run" \
			"$(result "$log" records)" "$(result "$log" seconds)" \
			"$(result "$log" rate)" "$rb" "$ra" "$ha" \
			>> "$LOGS/serve.tsv"
		it_log "$side run $run: $(result "$log" records) records," \
			"$(result "$log" rate)/s, RSS $rb -> $ra kB"
	done
}

: > "$LOGS/serve.tsv"
if [ -n "$A_PID" ]; then
	serve tdbwinsd "$A_IP" "$A_PID"
fi
if [ "$DC" = 1 ]; then
	serve samba "$DC_IP" "$DC_PID"
fi

# ---- the table -----------------------------------------------------------

it_run_cleanups
trap - EXIT

cpu_model() {
	awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo
}

# median rate of one side
median_rate() {
	awk -F'\t' -v s="$1" '$1 == s && $5 != "-" { print $5 }' \
		"$LOGS/serve.tsv" | sort -n |
		awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'
}

R_OURS="$(median_rate tdbwinsd)"
R_SAMBA="$(median_rate samba)"

echo
echo "== tdbwins WINS replication benchmark, $START_DATE"
echo "machine   nproc $(nproc), $(cpu_model), Linux $(uname -r)"
echo "load      $LOAD_START at start," \
	"$(cut -d' ' -f1-3 /proc/loadavg) at end (1/5/15 min averages)"
echo "samba     $(samba --version 2> /dev/null || echo -)"
echo "workload  owner S = $S_IP holding $N registered names (max version" \
	"$S_MAX); tdbwins:wrepl max records $WREPL_MAX_RECORDS"
echo "pinning   $PIN_NOTE"
echo "storage   $BENCH_DIR ($(df --output=fstype "$BENCH_DIR" 2> /dev/null |
	tail -n 1))"
echo
echo "serve: wreplbench pulls every record of owner S (map, then [1, max])"
printf '%-9s %3s %8s %8s %10s %12s %12s %12s\n' side run records seconds \
	"rec/s" "RSS before" "RSS after" "HWM after"
awk -F'\t' '{ printf "%-9s %3s %8s %8s %10s %9s kB %9s kB %9s kB\n",
	$1, $2, $3, $4, $5, $6, $7, $8 }' "$LOGS/serve.tsv"
echo
echo "pull: seconds until the puller's map shows S's maximum"
printf '%-9s %14s %16s\n' side "on INFORM" "start-up pull"
printf '%-9s %14s %16s\n' tdbwinsd "$PULL_A" "$PULL_A_START"
printf '%-9s %14s %16s\n' samba "$PULL_D" "-"
printf 'A over its pull on INFORM: RSS %s -> %s kB, HWM %s kB\n' \
	"${A_RSS0:--}" "${A_RSS1:--}" "${A_HWM1:--}"
if [ "$PULL_D" != "-" ]; then
	printf 'the DC over its pull: RSS %s -> %s kB, HWM %s kB\n' \
		"${D_RSS0:--}" "${D_RSS1:--}" "${D_HWM1:--}"
fi
if [ "$DC_NOSYNC" = 1 ]; then
	echo "note: the DC ran with winsdb:nosync = yes (not durable); tdbwinsd fsyncs"
fi
echo
printf 'ratio ours/Samba: serve rec/s (median) %s, pull time %s\n' \
	"$(secs_ratio "$R_OURS" "$R_SAMBA")" "$(secs_ratio "$PULL_A" "$PULL_D")"
{
	printf 'date\t%s\nnproc\t%s\ncpu\t%s\nN\t%s\ns_max\t%s\n' \
		"$START_DATE" "$(nproc)" "$(cpu_model)" "$N" "$S_MAX"
	printf 'pull_tdbwinsd_inform\t%s\npull_tdbwinsd_startup\t%s\n' \
		"$PULL_A" "$PULL_A_START"
	printf 'pull_samba_inform\t%s\n' "$PULL_D"
	printf 'serve_median_tdbwinsd\t%s\nserve_median_samba\t%s\n' \
		"$R_OURS" "$R_SAMBA"
	sed 's/^/serve\t/' "$LOGS/serve.tsv"
} > "$BENCH_DIR/results.tsv"

if [ "$FAILED" != 0 ]; then
	it_log "something did not run: see the logs in $LOGS"
	exit 1
fi
exit 0
