# shellcheck shell=bash
# Shared helpers for the tdbwins integration tests (sourced by run.sh and
# restart.sh; see docs/testing.md).
#
# What a script gets from here:
#   - a network namespace of its own (IT_NS, created here and only deleted if
#     created here) with lo up and a veth pair whose both ends stay inside it,
#     so no packet can leave: the server address (198.18.2.1/24 by default,
#     RFC 2544 benchmarking space) and the client addresses (.201-.203) sit on
#     one end.  127/8 stays on the namespace's own lo.
#   - it_jail_argv: runs samba tools in a private mount namespace in which the
#     compiled-in Samba directories (/var/log/samba, /run/samba,
#     /var/lib/samba, /var/cache/samba, /etc/samba) are bind-mounted onto a
#     private run dir, because the tools open those paths before they read the
#     smb.conf they are given.
#   - the server under test (SERVER=tdbwinsd|nmbd) started and stopped by PID,
#     and a readiness wait: node status lists NAME<20> ACTIVE and unique.
#   - one EXIT trap that stops what was started and removes what was created.
#
# Every address the harness puts on an interface or into a packet must be in
# 198.18.0.0/15 or 127.0.0.0/8; it_check_ip enforces that.

IT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IT_TOP="$(cd "$IT_DIR/../.." && pwd)"

SERVER="${SERVER:-tdbwinsd}"
TDBWINSD="${TDBWINSD:-build/tdbwinsd}"
NMBD="${NMBD:-nmbd}"
SERVER_WRAPPER="${SERVER_WRAPPER:-}"	# e.g. "valgrind --error-exitcode=99"
SERVER_DAEMON="${SERVER_DAEMON:-0}"	# 1: let the server daemonize itself
SERVER_LOGLEVEL="${SERVER_LOGLEVEL:-1}"
IT_NS="${IT_NS:-twit-$$}"
IT_IFACE="${IT_IFACE:-twit0}"
IT_SERVER_IP="${IT_SERVER_IP:-198.18.2.1}"
IT_PLEN="${IT_PLEN:-24}"
IT_CLIENT_IPS="${IT_CLIENT_IPS:-${IT_SERVER_IP%.*}.201 ${IT_SERVER_IP%.*}.202 ${IT_SERVER_IP%.*}.203}"
IT_SERVER_NAME="${IT_SERVER_NAME:-TWITSRV}"
IT_WORKGROUP="${IT_WORKGROUP:-TWITWG}"
IT_READY_TIMEOUT="${IT_READY_TIMEOUT:-60}"
IT_PYTHON="${IT_PYTHON:-/usr/bin/python3}"	# python3-samba loads only here

IT_NS_CREATED=0
IT_SERVER_PID=""
IT_SERVER_LOGDIR=""
IT_CLEANUPS=()

it_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
it_die() { it_log "ERROR: $*"; exit 2; }

# it_need_root: the harness cannot run here without root and the basic
# tools; exit 77 ("cannot run here", automake's SKIP) rather than fail
it_need_root() {
	local c
	if [ "$(id -u)" != 0 ]; then
		it_log "SKIP: must run as root (network namespaces)"
		exit 77
	fi
	for c in ip unshare timeout nmblookup "$IT_PYTHON"; do
		if ! command -v "$c" >/dev/null; then
			it_log "SKIP: $c not found"
			exit 77
		fi
	done
}

# it_lock_results DIR: one run per results dir at a time (runs in separate
# namespaces do not disturb each other, but they would empty and overwrite
# each other's logs); waits up to IT_LOCK_WAIT seconds for another run
it_lock_results() {
	local fd
	exec {fd}>> "$1/.lock"
	if ! flock -n "$fd"; then
		it_log "another run uses $1; waiting up to ${IT_LOCK_WAIT:-600}s"
		flock -w "${IT_LOCK_WAIT:-600}" "$fd" \
			|| it_die "$1 is still in use by another run"
	fi
}

# it_check_ip IP: dies unless IP is in 198.18.0.0/15 or 127.0.0.0/8
it_check_ip() {
	local a b c d
	IFS=. read -r a b c d <<< "$1"
	for o in "$a" "$b" "$c" "$d"; do
		[[ "$o" =~ ^[0-9]{1,3}$ ]] && [ "$o" -le 255 ] \
			|| it_die "not an IPv4 address: $1"
	done
	if [ "$a" = 127 ]; then
		return 0
	fi
	if [ "$a" = 198 ] && { [ "$b" = 18 ] || [ "$b" = 19 ]; }; then
		return 0
	fi
	it_die "$1 is outside 198.18.0.0/15 and 127.0.0.0/8: refused"
}

# it_on_exit CMD: run CMD (a string for eval) from the EXIT trap, newest first
it_on_exit() { IT_CLEANUPS+=("$1"); }

it_run_cleanups() {
	local rc=$? i
	set +e
	# the reader of our output may be gone (run.sh | head): a write must
	# not end the clean-up half way
	trap '' PIPE
	for ((i = ${#IT_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${IT_CLEANUPS[$i]}"
	done
	IT_CLEANUPS=()
	return $rc
}

# it_fg CMD...: run CMD as if in the foreground, but as a background job
# waited for, so that INT/TERM reach our trap at once instead of after CMD
# ends (timeout(1) puts CMD in its own process group, where a terminal's
# Ctrl-C does not reach it); the EXIT trap then stops CMD by its PID.
IT_CHILD=""
it_fg() {
	local rc=0
	"$@" &
	IT_CHILD=$!
	wait "$IT_CHILD" || rc=$?
	IT_CHILD=""
	return $rc
}

it_kill_child() {
	if [ -n "$IT_CHILD" ]; then
		it_stop_pid "$IT_CHILD" "child"
	fi
	IT_CHILD=""
}

# it_traps: install the EXIT trap (INT/TERM end the script through it)
it_traps() {
	it_on_exit it_kill_child
	trap it_run_cleanups EXIT
	# caught (not ignored, so children still get the default action):
	# SIGPIPE's and SIGHUP's default would end us without the EXIT trap
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

it_netns_exists() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"
}

# it_netns_create: IT_NS with lo up, veth IT_IFACE<->IT_IFACE"p" (both ends
# inside), IT_SERVER_IP/IT_PLEN on IT_IFACE.  Refuses to adopt a namespace
# that already exists: this run must own everything it later deletes.
it_netns_create() {
	it_check_ip "$IT_SERVER_IP"
	if it_netns_exists "$IT_NS"; then
		it_die "network namespace $IT_NS already exists (not ours)"
	fi
	ip netns add "$IT_NS" || it_die "ip netns add $IT_NS failed"
	IT_NS_CREATED=1
	it_on_exit it_netns_destroy
	ip -n "$IT_NS" link set lo up
	ip -n "$IT_NS" link add "$IT_IFACE" type veth peer name "${IT_IFACE}p"
	ip -n "$IT_NS" link set "$IT_IFACE" up
	ip -n "$IT_NS" link set "${IT_IFACE}p" up
	it_addr_add "$IT_SERVER_IP"
	it_log "created network namespace $IT_NS ($IT_SERVER_IP/$IT_PLEN on $IT_IFACE)"
}

# it_addr_add IP [PLEN]: add IP to IT_IFACE inside IT_NS (it goes away with
# the namespace; nothing is added outside it)
it_addr_add() {
	it_check_ip "$1"
	ip -n "$IT_NS" addr add "$1/${2:-$IT_PLEN}" brd + dev "$IT_IFACE" \
		|| it_die "cannot add $1 in $IT_NS"
}

# it_addrs_add_batch FILE: one "IP/PLEN" per line, added with one ip -batch
it_addrs_add_batch() {
	local f="$1" ip
	while read -r ip; do
		it_check_ip "${ip%/*}"
	done < "$f"
	sed "s|^|addr add |; s|\$| dev $IT_IFACE|" "$f" \
		| ip -n "$IT_NS" -batch - || it_die "cannot add addresses from $f"
}

# it_netns_pids: processes inside IT_NS (only ours can be there)
it_netns_pids() { ip netns pids "$IT_NS" 2>/dev/null || true; }

it_netns_destroy() {
	local pid
	[ "$IT_NS_CREATED" = 1 ] || return 0
	# stragglers of ours (server children, a tool a timeout missed), by PID
	for pid in $(it_netns_pids); do
		it_stop_pid "$pid" "leftover process in $IT_NS"
	done
	ip netns del "$IT_NS" && it_log "deleted network namespace $IT_NS"
	IT_NS_CREATED=0
}

# it_pid_alive PID: running, i.e. exists and is not a zombie (an exited
# daemon may wait a while for a parent that is not us to reap it)
it_pid_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null \
		&& ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# it_wait_gone PID TENTHS: until PID is not running (bounded); reaps it if
# it is our child
it_wait_gone() {
	local pid="$1" n="$2" i
	for ((i = 0; i < n; i++)); do
		it_pid_alive "$pid" || break
		sleep 0.1
	done
	if it_pid_alive "$pid"; then
		return 1
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# it_stop_pid PID NAME: SIGTERM, up to 15 s, then SIGKILL; this PID only
it_stop_pid() {
	local pid="$1" name="${2:-process}"
	it_pid_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	if ! it_wait_gone "$pid" 150; then
		it_log "$name (pid $pid) ignored SIGTERM: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		it_wait_gone "$pid" 50 || it_log "$name (pid $pid) survived SIGKILL"
	fi
}

# it_jail_argv DIR [HOSTS]: sets IT_JAIL=(command prefix).  "${IT_JAIL[@]}"
# CMD... runs CMD inside IT_NS, in a private mount namespace in which Samba's
# compiled-in directories are DIR/sysdirs/* and /etc/hosts is HOSTS (if
# given).  Every step execs, so CMD keeps the PID of the prefix: "&" then $!
# is CMD's PID.
it_jail_argv() {
	local sd="$1/sysdirs" hosts="${2:-}"
	mkdir -p "$sd"/{log,run,lib,cache,etc}
	# shellcheck disable=SC2016  # expanded by the inner shell
	IT_JAIL=(ip netns exec "$IT_NS" unshare --mount --propagation private
		/bin/bash -c '
		set -e
		sd="$1"; hosts="$2"; shift 2
		for p in log:/var/log/samba run:/run/samba lib:/var/lib/samba \
			 cache:/var/cache/samba etc:/etc/samba; do
			if [ -d "${p#*:}" ]; then
				mount --bind "$sd/${p%%:*}" "${p#*:}"
			fi
		done
		if [ -n "$hosts" ]; then
			mount --bind "$hosts" /etc/hosts
		fi
		exec "$@"' it-jail "$sd" "$hosts")
}

# it_client_conf DIR: an smb.conf for samba client tools run in the jail
it_client_conf() {
	local d="$1" ifaces="" ip
	mkdir -p "$d"/{private,lock,state,cache,ncalrpc,pid,basedir}
	for ip in $IT_CLIENT_IPS; do
		ifaces="$ifaces $ip/$IT_PLEN"
	done
	cat > "$d/smb.conf" <<EOF
[global]
	netbios name = TWITCLIENT
	workgroup = $IT_WORKGROUP
	interfaces =$ifaces
	bind interfaces only = yes
	name resolve order = host
	private dir = $d/private
	lock dir = $d/lock
	state directory = $d/state
	cache directory = $d/cache
	ncalrpc dir = $d/ncalrpc
	pid directory = $d/pid
	log file = $d/log.%m
	torture:progress = no
EOF
	# smbtorture addresses the server by NetBIOS name; answer that from a
	# private hosts file, not from the server under test
	printf '127.0.0.1 localhost\n%s %s %s\n' "$IT_SERVER_IP" \
		"$IT_SERVER_NAME" "$IT_WORKGROUP" > "$d/hosts"
}

# it_server_conf DIR: smb.conf, wins hook and directories for the server.
# The hook writes its name argument into DIR/hook/wins_hook_writes_here,
# which smbtorture's nbt.wins.wins_bad_names reads as
# $SELFTEST_TMPDIR/wins_hook_writes_here.
it_server_conf() {
	local d="$1"
	mkdir -p "$d"/{pid,state,lock,cache,private,ncalrpc,log,hook}
	cat > "$d/wins_hook.sh" <<EOF
#!/bin/sh
# wins hook: \$1 operation, \$2 name, \$3 type, \$4 ttl, \$5... addresses
printf '%s' "\${2-}" > "$d/hook/wins_hook_writes_here"
printf '%s\n' "\$*" >> "$d/hook/calls.log"
EOF
	chmod 755 "$d/wins_hook.sh"
	cat > "$d/smb.conf" <<EOF
[global]
	netbios name = $IT_SERVER_NAME
	workgroup = $IT_WORKGROUP
	server role = standalone server
	interfaces = $IT_SERVER_IP/$IT_PLEN
	bind interfaces only = yes
	wins support = yes
	wins hook = $d/wins_hook.sh
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
	log level = $SERVER_LOGLEVEL
	tdbwins:database = $d/state/tdbwins.tdb
	tdbwins:nosync = no
${IT_EXTRA_CONF:-}
EOF
}

# it_server_argv DIR: sets IT_SERVER_ARGV for SERVER (foreground unless
# SERVER_DAEMON=1)
it_server_argv() {
	local d="$1" bin
	case "$SERVER" in
	tdbwinsd)
		bin="$TDBWINSD"
		case "$bin" in /*) ;; *) bin="$IT_TOP/$bin" ;; esac
		[ -x "$bin" ] || it_die "tdbwinsd not found at $bin (set TDBWINSD=)"
		IT_SERVER_ARGV=("$bin" -s "$d/smb.conf" -d "$SERVER_LOGLEVEL"
			"--pidfile=$d/pid/tdbwinsd.pid")
		[ "$SERVER_DAEMON" = 1 ] || IT_SERVER_ARGV+=(-F)
		;;
	nmbd)
		command -v "$NMBD" >/dev/null || it_die "nmbd not found"
		IT_SERVER_ARGV=("$NMBD" -s "$d/smb.conf" -l "$d/log"
			-d "$SERVER_LOGLEVEL")
		if [ "$SERVER_DAEMON" = 1 ]; then
			IT_SERVER_ARGV+=(-D)
		else
			IT_SERVER_ARGV+=(-F --no-process-group)
		fi
		;;
	*)
		it_die "SERVER must be tdbwinsd or nmbd, not '$SERVER'"
		;;
	esac
}

# it_server_start DIR: start SERVER with DIR/smb.conf; sets IT_SERVER_PID.
# Not to be called in a subshell: the PID must stay this shell's child.
it_server_start() {
	local d="$1" pf i
	IT_SERVER_LOGDIR="$d/log"
	it_server_argv "$d"
	it_jail_argv "$d"
	# shellcheck disable=SC2206  # SERVER_WRAPPER is a word list
	local wrap=($SERVER_WRAPPER)
	echo "=== $(date '+%F %T') start: ${wrap[*]} ${IT_SERVER_ARGV[*]}" \
		>> "$d/log/server.out"
	if [ "$SERVER_DAEMON" = 1 ]; then
		rm -f "$d"/pid/*.pid
		if ! timeout 30 "${IT_JAIL[@]}" "${wrap[@]}" \
			"${IT_SERVER_ARGV[@]}" >> "$d/log/server.out" 2>&1 \
			< /dev/null; then
			it_log "$SERVER failed to daemonize (see $d/log/)"
			return 1
		fi
		pf=""
		for i in $(seq 1 100); do
			pf="$(find "$d/pid" -name '*.pid' -size +0 | head -1)"
			[ -n "$pf" ] && break
			sleep 0.1
		done
		if [ -z "$pf" ]; then
			it_log "$SERVER wrote no pidfile in $d/pid"
			return 1
		fi
		# a pidfile is written in one go, but read it twice to be sure
		sleep 0.1
		IT_SERVER_PID="$(cat "$pf")"
		if ! ip netns pids "$IT_NS" | grep -qx -- "$IT_SERVER_PID"; then
			it_log "pidfile $pf names '$IT_SERVER_PID', not a process in $IT_NS"
			IT_SERVER_PID=""
			return 1
		fi
	else
		"${IT_JAIL[@]}" "${wrap[@]}" "${IT_SERVER_ARGV[@]}" \
			>> "$d/log/server.out" 2>&1 < /dev/null &
		IT_SERVER_PID=$!
	fi
	it_log "started $SERVER (pid $IT_SERVER_PID) in $IT_NS on $IT_SERVER_IP"
}

# it_server_stop: SIGTERM (the server commits and exits), then SIGKILL
it_server_stop() {
	[ -n "$IT_SERVER_PID" ] || return 0
	it_stop_pid "$IT_SERVER_PID" "$SERVER"
	it_log "stopped $SERVER (pid $IT_SERVER_PID)"
	IT_SERVER_PID=""
}

# it_server_kill9: SIGKILL, then wait (bounded) until the PID is gone
it_server_kill9() {
	local pid="$IT_SERVER_PID"
	[ -n "$pid" ] || return 1
	kill -KILL "$pid" 2>/dev/null || return 1
	IT_SERVER_PID=""
	it_wait_gone "$pid" 50
}

# it_server_log_tail: the end of what the server printed, for a failed start
it_server_log_tail() {
	[ -n "${IT_SERVER_LOGDIR:-}" ] || return 0
	tail -n 15 "$IT_SERVER_LOGDIR/server.out" >&2 2>/dev/null || true
}

# it_node_status DIR: nmblookup -A against the server (a samba tool as an
# independent decoder); prints its output
it_node_status() {
	local d="$1"
	it_jail_argv "$d" "$d/hosts"
	it_fg timeout -k 2 10 "${IT_JAIL[@]}" nmblookup -s "$d/smb.conf" \
		-A "$IT_SERVER_IP" 2>&1 < /dev/null || true
}

# it_wait_ready DIR: until node status lists IT_SERVER_NAME<20> ACTIVE and
# not GROUP, i.e. the server registered its own name and so defends it.
# DIR is a client directory (it_client_conf).  Polled with our own client
# (1 s per try), then confirmed once by nmblookup, an independent decoder.
# Fails early if the server died.
it_wait_ready() {
	local d="$1" i out line
	for i in $(seq 1 "$IT_READY_TIMEOUT"); do
		if [ -n "$IT_SERVER_PID" ] && ! it_pid_alive "$IT_SERVER_PID"; then
			it_log "$SERVER (pid $IT_SERVER_PID) exited during start-up"
			it_server_log_tail
			return 1
		fi
		out="$(it_nbtclient "$d" --timeout 1 --retries 0 \
			--total-timeout 3 status '*<00>' 2>/dev/null || true)"
		if grep -qix "$IT_SERVER_NAME<20> UNIQUE ACTIVE" <<< "$out"; then
			break
		fi
		sleep 1
	done
	out="$(it_node_status "$d")"
	line="$(grep -iE "^[[:space:]]*${IT_SERVER_NAME}[[:space:]]+<20>" \
		<<< "$out" || true)"
	if [ -n "$line" ] && ! grep -q '<GROUP>' <<< "$line" \
		&& grep -q '<ACTIVE>' <<< "$line"; then
		return 0
	fi
	it_log "$IT_SERVER_NAME<20> not ACTIVE in node status of $IT_SERVER_IP"
	return 1
}

# it_nbtclient DIR ARGS...: the harness's own NBNS client inside IT_NS
# (bounded: --total-timeout plus a margin)
it_nbtclient() {
	local d="$1"; shift
	it_jail_argv "$d" "$d/hosts"
	it_fg timeout -k 5 300 "${IT_JAIL[@]}" env PYTHONPATH= "$IT_PYTHON" \
		"$IT_DIR/nbtclient.py" --server "$IT_SERVER_IP" "$@" < /dev/null
}

# it_wait_defends DIR SECONDS: until a B-flag registration of the server's
# own NAME<20> from a client address is refused with ACT_ERR.  nmbd answers
# node status at once but only defends its name once its own broadcast
# registration is over, a few seconds later.  The probe cannot steal the
# name: a server that does not defend yet does not answer B-flag packets on
# its WINS path at all.
it_wait_defends() {
	local d="$1" t="$2" i bind
	bind="${IT_CLIENT_IPS%% *}"
	for i in $(seq 1 "$t"); do
		if it_nbtclient "$d" --bind "$bind" --timeout 1 --retries 0 \
			--total-timeout 5 register --bcast --expect 6 \
			"$IT_SERVER_NAME<20>=$bind" > /dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	return 1
}

# ---- result table ------------------------------------------------------------
# Every suite prints one line per test,  PASS|FAIL|SKIP|XFAIL  NAME  SECONDS
# NOTE, appends it to $RES (tab-separated) and ends with one summary line.
# The counts start with server.start, which the suites report themselves.
IT_NPASS=1
IT_NFAIL=0
IT_NSKIP=0
IT_NXFAIL=0

# it_result RESULT NAME SECONDS NOTE: count and print one line
it_result() {
	local res="$1" t="$2" secs="$3" note="$4"
	case "$res" in
	PASS) IT_NPASS=$((IT_NPASS + 1)) ;;
	SKIP) IT_NSKIP=$((IT_NSKIP + 1)) ;;
	XFAIL) IT_NXFAIL=$((IT_NXFAIL + 1)) ;;
	*) IT_NFAIL=$((IT_NFAIL + 1)) ;;
	esac
	note="${note//$'\n'/ }"
	note="${note//$'\t'/ }"
	note="${note:0:200}"
	printf '%-4s %-42s %7s  %s\n' "$res" "$t" "$secs" "$note"
	if [ -n "${RES:-}" ]; then
		printf '%s\t%s\t%s\t%s\n' "$t" "$res" "$secs" "$note" >> "$RES"
	fi
}

# it_run_test NAME FN: run FN NAME with its output in $LOGS/NAME.log; FN
# sets NOTE and returns 0 (PASS), 77 (SKIP), 78 (XFAIL) or else (FAIL)
it_run_test() {
	local t="$1" fn="$2" t0 rc=0 secs res
	NOTE=""
	t0=$EPOCHREALTIME
	"$fn" "$t" > "$LOGS/$t.log" 2>&1 || rc=$?
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0) res=PASS ;;
	77) res=SKIP ;;
	78) res=XFAIL ;;
	*) res=FAIL ;;
	esac
	it_result "$res" "$t" "$secs" "$NOTE"
}

# it_summary [SUFFIX]: the last line; returns 1 if anything failed
it_summary() {
	local summary="$IT_NPASS passed, $IT_NFAIL failed"
	[ "$IT_NSKIP" = 0 ] || summary="$summary, $IT_NSKIP skipped"
	[ "$IT_NXFAIL" = 0 ] || \
		summary="$summary, $IT_NXFAIL expected failures"
	echo "$summary${1:+ $1}"
	[ "$IT_NFAIL" = 0 ]
}

# ---- capture -----------------------------------------------------------------
IT_TSHARK_PID=""
# it_capture_start PCAP LOG FILTER IFACE...: tshark in the namespace on
# IFACE... (lo carries everything between addresses of the namespace),
# stopped by it_capture_stop or at exit
it_capture_start() {
	local pcap="$1" log="$2" filter="$3" ifs=() i
	shift 3
	for i in "$@"; do
		ifs+=(-i "$i")
	done
	ip netns exec "$IT_NS" tshark -q -n "${ifs[@]}" -f "$filter" \
		-w "$pcap" > "$log" 2>&1 < /dev/null &
	IT_TSHARK_PID=$!
	it_on_exit it_capture_stop
	for _ in $(seq 1 40); do
		grep -q 'Capturing on' "$log" 2>/dev/null && break
		sleep 0.25
	done
}
it_capture_stop() {
	if [ -n "$IT_TSHARK_PID" ] && it_pid_alive "$IT_TSHARK_PID"; then
		# give the last replies time to be captured, then let tshark
		# flush and close the file
		sleep 1
		kill -INT "$IT_TSHARK_PID" 2>/dev/null || true
		for _ in $(seq 1 20); do
			it_pid_alive "$IT_TSHARK_PID" || break
			sleep 0.25
		done
		it_stop_pid "$IT_TSHARK_PID" tshark
	fi
	IT_TSHARK_PID=""
}
