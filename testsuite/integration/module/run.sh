#!/usr/bin/env bash
# tdbwins.so inside Debian's `samba`: a dedicated WINS host (no AD DC) in a
# network namespace and a private mount namespace of our own.
#
#   testsuite/integration/module/run.sh [TEST...]
#
# The system's Samba module directory is never written: a COPY of it, with
# tdbwins.so added under service/, is bind-mounted over the original in the
# private mount namespace samba runs in.  Per test one line
#   PASS|FAIL|SKIP  NAME  SECONDS  NOTE
# and at the end exactly one line "N passed, N failed".  Exit status 0 only
# if nothing failed; 2 on set-up errors; 77 if it cannot run here.
#
# Environment (defaults in brackets):
#   MODULE        the module, relative to the repo top   [build/tdbwins.so]
#   SAMBA         the samba daemon                                   [samba]
#   SAMBA_MODEL   samba's process model (-M); empty: samba's default   []
#   SETUP         wins: a dedicated WINS host (server services = tdbwins);
#                 dc: a freshly provisioned AD DC with
#                 server services = -nbt -wrepl +tdbwins
#                 (needs samba-ad-provision, samba-dsdb-modules and
#                 samba-vfs-modules)                                  [wins]
#   RESULTS       logs, configs, results.tsv     [build/integration-module]
#   TEST_TIMEOUT  seconds per smbtorture test                          [300]
#   IT_SERVER_IP, IT_CLIENT_IPS, IT_SERVER_NAME, IT_WORKGROUP: see ../lib.sh
set -euo pipefail
# the service's notices (ready, reloaded, stopped) are at level 2
SERVER_LOGLEVEL="${SERVER_LOGLEVEL:-2}"
. "$(dirname "$0")/../lib.sh"

MOD_DIR="$IT_DIR/module"
ALL_TESTS=(
	module.exports
	module.load
	nmblookup.query
	nbt.register.register_own
	nbt.wins.wins
	smbcontrol.ping
	smbcontrol.reload-config
	module.wrepl
	smbcontrol.debug
	smbcontrol.debuglevel
	smbcontrol.pool-usage
	dc.smb
	smbcontrol.shutdown
	dc.services
	module.crash
	module.bind_error
	module.config_error
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${ALL_TESTS[@]}"
	exit 0
fi
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
fi
TESTS=()
for t in "${ALL_TESTS[@]}"; do
	if [ $# = 0 ]; then
		TESTS+=("$t")
		continue
	fi
	for req in "$@"; do
		case "$t" in "$req"*) TESTS+=("$t"); break ;; esac
	done
done
[ ${#TESTS[@]} -gt 0 ] || it_die "no test matches: $*"

cd "$IT_TOP"
MODULE="${MODULE:-build/tdbwins.so}"
case "$MODULE" in /*) ;; *) MODULE="$IT_TOP/$MODULE" ;; esac
SAMBA="${SAMBA:-samba}"
SAMBA_MODEL="${SAMBA_MODEL:-}"
SETUP="${SETUP:-wins}"
case "$SETUP" in wins|dc) ;; *) it_die "SETUP must be wins or dc" ;; esac
RESULTS="${RESULTS:-build/integration-module}"
TEST_TIMEOUT="${TEST_TIMEOUT:-300}"
# a namespace name of our own, distinct from ../run.sh's
IT_NS="${IT_NS_MODULE:-twmod-$$}"

it_need_root
for c in "$SAMBA" smbcontrol smbtorture nm; do
	command -v "$c" >/dev/null || { it_log "SKIP: $c not found"; exit 77; }
done
[ -f "$MODULE" ] || { it_log "SKIP: $MODULE not built"; exit 77; }
# the module directory compiled into samba (samba -b: MODULESDIR)
SAMBA_MODULESDIR="$("$SAMBA" -b | awk '$1 == "MODULESDIR:" { print $2 }')"
[ -d "$SAMBA_MODULESDIR/service" ] \
	|| it_die "samba's module directory '$SAMBA_MODULESDIR' not found"

mkdir -p "$RESULTS"
RESULTS="$(cd "$RESULTS" && pwd)"
it_lock_results "$RESULTS"
rm -rf "$RESULTS/logs" "$RESULTS/server" "$RESULTS/client" \
	"$RESULTS/samba-modules" "$RESULTS/results.tsv"
mkdir -p "$RESULTS/logs"
SRV="$RESULTS/server"
CL="$RESULTS/client"
LOGS="$RESULTS/logs"
RES="$RESULTS/results.tsv"
MODCOPY="$RESULTS/samba-modules"
printf 'test\tresult\tseconds\tnote\n' > "$RES"

# ---- the module directory copy -------------------------------------------
cp -a "$SAMBA_MODULESDIR" "$MODCOPY"
cp "$MODULE" "$MODCOPY/service/tdbwins.so"

# ---- namespace, configuration ----------------------------------------------
it_traps
it_netns_create
for ip in $IT_CLIENT_IPS; do
	it_addr_add "$ip"
done
it_client_conf "$CL"
# samba logs into a file (not --debug-stdout): only there does Samba 4.17
# write the header "[time, LEVEL, pid=PID, class=CLASS]" before each
# message, which smbcontrol.debuglevel reads
LOG_CONF="	log file = $SRV/log/server.out
	max log size = 0
	debug pid = yes
	debug class = yes"
if [ "$SETUP" = wins ]; then
	# a dedicated WINS host: samba without the AD DC role (check:inhibit)
	# and only our service
	IT_EXTRA_CONF="	server role check:inhibit = yes
	server services = tdbwins
	tdbwins:commit delay = 0
$LOG_CONF"
	it_server_conf "$SRV"
	# samba opens private/sam.ldb before it starts any service, even with
	# no service that uses it: the documented step makes an empty tdb
	"$IT_TOP/build/tdbwins-tool" samba-placeholder "$SRV/private" \
		|| it_die "cannot create the sam.ldb placeholder"
else
	# an AD DC of its own (realm TWIT.TEST) whose nbt and wrepl services
	# are replaced by tdbwins
	mkdir -p "$SRV"/{pid,log,hook}
	it_jail_argv "$SRV"
	it_log "provisioning an AD DC in $SRV/dc"
	timeout -k 5 300 "${IT_JAIL[@]}" samba-tool domain provision \
		--targetdir="$SRV/dc" --realm=TWIT.TEST \
		--domain="$IT_WORKGROUP" --server-role=dc \
		--dns-backend=SAMBA_INTERNAL --adminpass='Tw1t-Adm1n-Pw' \
		--host-name="${IT_SERVER_NAME,,}" --host-ip="$IT_SERVER_IP" \
		--option="netbios name = $IT_SERVER_NAME" \
		--option="interfaces = $IT_SERVER_IP/$IT_PLEN" \
		--option="bind interfaces only = yes" \
		> "$LOGS/provision.log" 2>&1 < /dev/null \
		|| { tail -n 20 "$LOGS/provision.log" >&2
		     it_die "samba-tool domain provision failed (samba-ad-provision, samba-dsdb-modules and samba-vfs-modules installed?)"; }
	# provision copies the host's resolver into "dns forwarder": no
	# packet may go there (the namespace has no route anyway)
	grep -v '^[[:space:]]*dns forwarder' "$SRV/dc/etc/smb.conf" \
		| sed '/^\[global\]/a\
	server services = -nbt -wrepl +tdbwins\
	wins support = yes\
	log file = '"$SRV"'/log/server.out\
	max log size = 0\
	debug pid = yes\
	debug class = yes\
	pid directory = '"$SRV"'/pid\
	log level = '"$SERVER_LOGLEVEL"'\
	tdbwins:database = '"$SRV"'/dc/state/tdbwins.tdb\
	tdbwins:commit delay = 0' > "$SRV/smb.conf"
fi

# ---- samba -------------------------------------------------------------------
SAMBA_PID=""
samba_start() {
	local model=()
	[ -n "$SAMBA_MODEL" ] && model=(-M "$SAMBA_MODEL")
	it_jail_argv "$SRV"
	echo "=== $(date '+%F %T') start samba ${model[*]}" >> "$SRV/log/server.out"
	# inside the jail's private mount namespace: the copy with tdbwins.so
	# over samba's module directory, then samba itself (exec: same PID)
	# shellcheck disable=SC2016  # expanded by the inner shell
	"${IT_JAIL[@]}" /bin/sh -c '
		mount --bind "$1" "$2" || exit 1
		shift 2
		exec "$@"' mod-bind "$MODCOPY" "$SAMBA_MODULESDIR" \
		"$SAMBA" -s "$SRV/smb.conf" -F --no-process-group \
		-d "$SERVER_LOGLEVEL" "${model[@]}" \
		>> "$SRV/log/server.out" 2>&1 < /dev/null &
	SAMBA_PID=$!
	IT_SERVER_PID=$SAMBA_PID
	SERVER=samba
	IT_SERVER_LOGDIR="$SRV/log"
	it_log "started samba (pid $SAMBA_PID) in $IT_NS on $IT_SERVER_IP"
}
samba_stop() {
	[ -n "$SAMBA_PID" ] || return 0
	it_stop_pid "$SAMBA_PID" samba
	SAMBA_PID=""
	IT_SERVER_PID=""
}
it_on_exit samba_stop

# ---- helpers -------------------------------------------------------------------
jail_tmo() {
	local tmo="$1"; shift
	it_jail_argv "$CL" "$CL/hosts"
	it_fg timeout -k 5 "$tmo" "${IT_JAIL[@]}" "$@" < /dev/null
}
# smbcontrol with the server's smb.conf: it finds tdbwins.pid in the
# server's pid directory and the messaging sockets in its lock directory
smbctl() {
	it_jail_argv "$SRV"
	it_fg timeout -k 5 20 "${IT_JAIL[@]}" smbcontrol -s "$SRV/smb.conf" \
		"$@" < /dev/null
}
client() {
	it_nbtclient "$CL" --timeout 2 --retries 1 --total-timeout 30 "$@"
}
task_pid() { cat "$SRV/pid/tdbwins.pid" 2>/dev/null | tr -d ' \n'; }

NOTE=""
t_exports() {
	local out rc=0
	out="$("$MOD_DIR/exports.sh" "$MODULE")" || rc=$?
	echo "$out"
	[ $rc = 0 ] || NOTE="$out"
	return $rc
}

# samba loaded the module and the task came up: our ready line in samba's
# log, the pid file, and the server's own name ACTIVE in node status
t_load() {
	local i out
	for i in $(seq 1 "$IT_READY_TIMEOUT"); do
		grep -q 'tdbwins ready:' "$SRV/log/server.out" && break
		if ! it_pid_alive "$SAMBA_PID"; then
			break
		fi
		sleep 1
	done
	if ! grep -q 'tdbwins ready:' "$SRV/log/server.out"; then
		NOTE="no 'tdbwins ready' in samba's log"
		it_server_log_tail
		return 1
	fi
	grep -m1 'tdbwins ready:' "$SRV/log/server.out"
	if [ -z "$(task_pid)" ]; then
		NOTE="no $SRV/pid/tdbwins.pid"
		return 1
	fi
	if ! it_wait_ready "$CL"; then
		NOTE="$IT_SERVER_NAME<20> not ACTIVE in node status"
		return 1
	fi
	# UDP 137 belongs to the tdbwins task, not to Samba's nbt service
	out="$(ip netns exec "$IT_NS" ss -Hlunp "sport = :137" || true)"
	echo "$out"
	if ! grep -q "pid=$(task_pid)," <<< "$out"; then
		NOTE="UDP 137 is not bound by the tdbwins task"
		return 1
	fi
}

t_nmblookup() {
	local out
	out="$(jail_tmo 20 nmblookup -s "$CL/smb.conf" -U "$IT_SERVER_IP" --recursion \
		"$IT_SERVER_NAME#20" 2>&1 || true)"
	echo "$out"
	if ! grep -qE "^$IT_SERVER_IP $IT_SERVER_NAME<20>" <<< "$out"; then
		NOTE="nmblookup got no answer for $IT_SERVER_NAME<20>"
		return 1
	fi
}

# smbtorture writes subunit: success:/failure:/error:/skip: NAME
t_smbtorture() {
	local t="$1" lf="$LOGS/$1.subunit" rc=0
	jail_tmo "$TEST_TIMEOUT" env SELFTEST_TMPDIR="$SRV/hook" smbtorture \
		--format=subunit -s "$CL/smb.conf" -N \
		--basedir="$CL/basedir" "//$IT_SERVER_NAME/_none_" "$t" \
		> "$lf" 2>&1 || rc=$?
	cat "$lf"
	if grep -qE '^(failure|error): ' "$lf"; then
		NOTE="$(grep -m1 -E '^(WARNING!|failure|error): ' "$lf")"
		return 1
	fi
	if [ $rc = 0 ] && grep -qE '^success: ' "$lf"; then
		return 0
	fi
	NOTE="smbtorture rc=$rc without a result"
	return 1
}

t_ping() {
	local out pid
	pid="$(task_pid)"
	out="$(smbctl tdbwins ping 2>&1 || true)"
	echo "$out"
	if ! grep -qx "PONG from pid $pid" <<< "$out"; then
		NOTE="no PONG from the tdbwins task (pid $pid): $out"
		return 1
	fi
}

# add TWITPROT to "tdbwins:protected names" and reload-config
protect_twitprot() {
	local n
	grep -q TWITPROT "$SRV/smb.conf" && return 0
	# into [global]: a provisioned DC's smb.conf has shares after it
	sed -i '/^\[global\]/a\
	tdbwins:protected names = WPAD ISATAP TWITPROT' "$SRV/smb.conf"
	n="$(grep -c 'configuration reloaded' "$SRV/log/server.out" || true)"
	smbctl tdbwins reload-config || {
		NOTE="smbcontrol reload-config failed"
		return 1
	}
	for _ in $(seq 1 50); do
		[ "$(grep -c 'configuration reloaded' "$SRV/log/server.out" \
			|| true)" -gt "$n" ] && return 0
		sleep 0.1
	done
	NOTE="no 'configuration reloaded' in samba's log"
	return 1
}

# reload-config makes a changed option take effect: the same registration
# is accepted before and refused (RFS_ERR) after "tdbwins:protected names"
# names it
t_reload() {
	local bind="${IT_CLIENT_IPS%% *}" n
	if ! client --bind "$bind" register --expect 0 \
		"TWITPROT<00>=$bind"; then
		NOTE="registration refused before the change"
		return 1
	fi
	protect_twitprot || return 1
	if ! client --bind "$bind" register --expect 5 \
		"TWITPROT<00>=$bind"; then
		NOTE="registration of a newly protected name not refused"
		return 1
	fi
}

# The first replication partner arrives by reload-config: the replication
# service starts inside samba without a restart (TCP 42), and that partner
# can read our Owner-Version Map, which lists our own owner.
t_wrepl() {
	local bind="${IT_CLIENT_IPS%% *}" n out
	sed -i '/^\[global\]/a\
	tdbwins:push partners = '"$bind" "$SRV/smb.conf"
	n="$(grep -c 'configuration reloaded' "$SRV/log/server.out" || true)"
	smbctl tdbwins reload-config || {
		NOTE="smbcontrol reload-config failed"
		return 1
	}
	for _ in $(seq 1 50); do
		[ "$(grep -c 'configuration reloaded' "$SRV/log/server.out" \
			|| true)" -gt "$n" ] && break
		sleep 0.1
	done
	out="$(jail_tmo 30 env PYTHONPATH= "$IT_PYTHON" -c '
import socket, struct, sys, time
def rd(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b
def pdu(s):
    return rd(s, struct.unpack(">I", rd(s, 4))[0])
for i in range(50):
    try:
        s = socket.socket()
        s.bind((sys.argv[1], 0))
        s.settimeout(5)
        s.connect((sys.argv[2], 42))
        break
    except ConnectionRefusedError:
        s.close()
        time.sleep(0.1)
else:
    print("refused")
    sys.exit(1)
s.sendall(struct.pack(">IIIIIHH", 41, 0x7800, 0, 0, 7, 2, 5) + bytes(21))
h = struct.unpack(">I", pdu(s)[12:16])[0]
s.sendall(struct.pack(">IIIII", 16, 0x7800, h, 3, 0))
b = pdu(s)
n = struct.unpack(">I", b[16:20])[0]
print(" ".join("%s:%d" % (socket.inet_ntoa(b[20 + 24 * i:24 + 24 * i]),
                          struct.unpack(">Q", b[24 + 24 * i:32 + 24 * i])[0])
               for i in range(n)))
' "$bind" "$IT_SERVER_IP")" || true
	echo "map: $out"
	case " $out" in
	*" $IT_SERVER_IP:"*)
		NOTE="after reload-config the service on TCP 42 serves its map: $out" ;;
	*)	NOTE="no map with our owner from TCP 42 after reload-config: ${out:-nothing}"
		return 1 ;;
	esac
}

# shutdown stops the service: the task process ends (or, in the single
# process model, closes its sockets) and the name is no longer answered;
# samba itself keeps running
t_shutdown() {
	local pid out
	pid="$(task_pid)"
	smbctl tdbwins shutdown || {
		NOTE="smbcontrol shutdown failed"
		return 1
	}
	for _ in $(seq 1 100); do
		grep -q 'tdbwins stopped' "$SRV/log/server.out" && break
		sleep 0.1
	done
	if ! grep -q 'tdbwins stopped' "$SRV/log/server.out"; then
		NOTE="no 'tdbwins stopped' in samba's log"
		return 1
	fi
	if [ "$pid" != "$SAMBA_PID" ] && ! it_wait_gone "$pid" 100; then
		NOTE="task process $pid still running"
		return 1
	fi
	if [ -e "$SRV/pid/tdbwins.pid" ]; then
		NOTE="tdbwins.pid left behind"
		return 1
	fi
	out="$(client query --expect auto "$IT_SERVER_NAME<20>" 2>&1 || true)"
	echo "$out"
	if ! grep -q 'timeout' <<< "$out"; then
		NOTE="the name server still answers: $out"
		return 1
	fi
	if ! it_pid_alive "$SAMBA_PID"; then
		NOTE="samba itself stopped"
		return 1
	fi
}

# smbcontrol debug reaches the tdbwins debug class, and the core follows
# the new level at once: a refusal notice (level 2) is not logged with the
# class at 0 and is logged again at 2
t_debug() {
	local rc=0
	t_debug_steps || rc=$?
	# whatever happened, the notices the later tests read are back on
	smbctl tdbwins debug "${SERVER_LOGLEVEL%% *} tdbwins:2" > /dev/null \
		2>&1 || true
	return $rc
}
t_debug_steps() {
	local bind="${IT_CLIENT_IPS%% *}" base="${SERVER_LOGLEVEL%% *}"
	local n0 n1 n2 out
	count() { grep -c 'refused registration of TWITPROT' \
		"$SRV/log/server.out" || true; }
	protect_twitprot || return 1
	smbctl tdbwins debug "$base tdbwins:0" \
		|| { NOTE="smbcontrol debug failed"; return 1; }
	sleep 0.5
	n0="$(count)"
	client --bind "$bind" register --expect 5 "TWITPROT<00>=$bind" \
		|| { NOTE="TWITPROT<00> not refused"; return 1; }
	sleep 0.5
	n1="$(count)"
	smbctl tdbwins debug "$base tdbwins:2" \
		|| { NOTE="smbcontrol debug failed"; return 1; }
	sleep 0.5
	client --bind "$bind" register --expect 5 "TWITPROT<00>=$bind" \
		|| { NOTE="TWITPROT<00> not refused"; return 1; }
	sleep 0.5
	n2="$(count)"
	echo "refusal notices: $n0 before, $n1 at level 0, $n2 at level 2"
	out="$(smbctl tdbwins debuglevel 2>&1 || true)"
	echo "$out"
	if ! grep -q 'tdbwins:2' <<< "$out"; then
		NOTE="debuglevel does not list the tdbwins class at 2"
		return 1
	fi
	if [ "$n1" != "$n0" ] || [ "$n2" -le "$n1" ]; then
		NOTE="notices $n0/$n1/$n2: the level change was not followed"
		return 1
	fi
}

# ---- log windows -------------------------------------------------------------
# samba's log as "LEVEL PID CLASS" per message header, lines $1 to $2
# (the class of DBGC_ALL is printed as no class: "all")
log_headers() {
	sed -n "$1,$2p" "$SRV/log/server.out" | sed -nE \
		's/^\[[^],]*, *([0-9]+), pid=([0-9]+)(, [^]]*)?\].*$/\1 \2 \3/p' \
		| awk '{ c = "all"
			 if (match($0, /class=[^ ,]+/)) {
				 c = substr($0, RSTART + 6, RLENGTH - 6)
			 }
			 print $1, $2, c }'
}
# count_hi FROM TO PID ours|other: messages at level >= 5 of PID
count_hi() {
	log_headers "$1" "$2" | awk -v p="$3" -v w="$4" '
		$1 >= 5 && $2 == p && (($3 == "tdbwins") == (w == "ours"))' \
		| wc -l
}
log_lines() { wc -l < "$SRV/log/server.out"; }

# things that make the task log: messages and a name query (not
# reload-config: it re-applies smb.conf's "log level")
debug_exercise() {
	smbctl tdbwins ping > /dev/null 2>&1 || true
	smbctl tdbwins pool-usage > /dev/null 2>&1 || true
	smbctl tdbwins debuglevel > /dev/null 2>&1 || true
	client query --expect auto "$IT_SERVER_NAME<20>" > /dev/null 2>&1 \
		|| true
	sleep 1
}

# "smbcontrol tdbwins debug '1 tdbwins:5'" raises our class only: in the
# task's process, messages at level 5 and above come from class tdbwins
# (at least the module's level notice), none from another class.  The
# same sequence with "debug 5" first is the control: there Samba's own
# level-5 "Current debug levels" dump (class all) appears, so the "none"
# below can fail.
t_debuglevel() {
	local rc=0
	t_debuglevel_steps || rc=$?
	smbctl tdbwins debug "${SERVER_LOGLEVEL%% *} tdbwins:2" > /dev/null \
		2>&1 || true
	return $rc
}
t_debuglevel_steps() {
	local pid l0 la l2 out all_other all_ours our_other our_ours
	pid="$(task_pid)"
	[ -n "$pid" ] || { NOTE="tdbwins task not running"; return 1; }
	l0=$(($(log_lines) + 1))
	smbctl tdbwins debug 5 || { NOTE="smbcontrol debug failed"; return 1; }
	debug_exercise
	la=$(($(log_lines) + 1))
	smbctl tdbwins debug "1 tdbwins:5" \
		|| { NOTE="smbcontrol debug failed"; return 1; }
	debug_exercise
	out="$(smbctl tdbwins debuglevel 2>&1 || true)"
	echo "$out"
	l2=$(log_lines)
	all_other="$(count_hi "$l0" $((la - 1)) "$pid" other)"
	all_ours="$(count_hi "$l0" $((la - 1)) "$pid" ours)"
	our_other="$(count_hi "$la" "$l2" "$pid" other)"
	our_ours="$(count_hi "$la" "$l2" "$pid" ours)"
	echo "level>=5 messages of pid $pid: with 'debug 5': $all_ours" \
		"tdbwins, $all_other other; with '1 tdbwins:5': $our_ours" \
		"tdbwins, $our_other other"
	tail -n "+$la" "$SRV/log/server.out" \
		| grep -A1 -E "^\[[^]]*, *[5-9], pid=$pid, class=tdbwins\]" \
		| head -n 20
	if ! grep -qE '(^|[[:space:]])tdbwins:5([[:space:]]|$)' <<< "$out" \
		|| ! grep -qE '(^|[[:space:]])all:1([[:space:]]|$)' <<< "$out"; then
		NOTE="debuglevel does not show all:1 tdbwins:5"
		return 1
	fi
	if ! tail -n "+$la" "$SRV/log/server.out" \
		| grep -q 'debug level of class tdbwins is now 5'; then
		NOTE="no level-5 notice from tdbwins after the change"
		return 1
	fi
	if [ "$our_ours" -lt 1 ]; then
		NOTE="no level>=5 message of class tdbwins"
		return 1
	fi
	if [ "$all_other" -lt 1 ]; then
		NOTE="control: no level>=5 message of another class even with every class at 5"
		return 1
	fi
	if [ "$our_other" != 0 ]; then
		NOTE="$our_other level>=5 messages of other classes with '1 tdbwins:5'"
		return 1
	fi
}

# pool-usage is answered by the task: the module's talloc report of the
# task's tree (with our contexts) and then Samba's own report
t_pool_usage() {
	local out
	out="$(smbctl tdbwins pool-usage 2>&1 || true)"
	printf '%s\n' "$out" | head -n 60
	echo "... $(wc -l <<< "$out") lines"
	if ! grep -qx "tdbwins task, pid $(task_pid):" <<< "$out"; then
		NOTE="no report from the tdbwins task (pid $(task_pid))"
		return 1
	fi
	if ! grep -q "talloc report on 'null_context'" <<< "$out"; then
		NOTE="Samba's own report is missing"
		return 1
	fi
	if ! grep -q 'struct twsamba' <<< "$out" \
		|| ! grep -q 'struct twhost' <<< "$out"; then
		NOTE="the report does not contain tdbwins' contexts (struct twsamba, struct twhost)"
		return 1
	fi
}

# an LDAP search as Administrator on the DC, from the client's jail
dc_ldap_search() {
	# shellcheck disable=SC2016  # python, not shell
	jail_tmo 60 env PYTHONPATH= "$IT_PYTHON" -c '
import sys
from samba.param import LoadParm
from samba.credentials import Credentials
from samba.samdb import SamDB
import ldb
lp = LoadParm()
lp.load(sys.argv[1])
creds = Credentials()
creds.guess(lp)
creds.set_username("Administrator")
creds.set_password(sys.argv[3])
db = SamDB(url="ldap://" + sys.argv[2], credentials=creds, lp=lp)
res = db.search(base=db.domain_dn(), scope=ldb.SCOPE_SUBTREE,
                expression="(sAMAccountName=Administrator)",
                attrs=["sAMAccountName"])
print("domain %s: %d entries for Administrator" % (db.domain_dn(), len(res)))
' "$CL/smb.conf" "$IT_SERVER_IP" 'Tw1t-Adm1n-Pw' 2>&1 || true
}

# on the DC the SMB server answers beside our name service: a share list
# with an authenticated session as Administrator; and LDAP answers a
# search as Administrator
t_dc_smb() {
	local out
	if [ "$SETUP" != dc ]; then
		NOTE="SETUP=dc only"
		return 77
	fi
	out="$(jail_tmo 60 smbclient -s "$CL/smb.conf" -L "//$IT_SERVER_IP" \
		-U 'Administrator%Tw1t-Adm1n-Pw' 2>&1 || true)"
	echo "$out"
	if ! grep -qE '^[[:space:]]+netlogon[[:space:]]+Disk' <<< "$out" \
		|| ! grep -qE '^[[:space:]]+sysvol[[:space:]]+Disk' <<< "$out"; then
		NOTE="smbclient -L did not list netlogon and sysvol"
		return 1
	fi
	# and LDAP: an authenticated search through Samba's own Python
	# bindings (ldbsearch is not always installed); the DC may still be
	# starting its LDAP server when this runs first: up to 30 tries
	for _ in $(seq 1 30); do
		out="$(dc_ldap_search)"
		grep -q '^domain ' <<< "$out" && break
		sleep 1
	done
	echo "$out"
	if ! grep -qx 'domain DC=twit,DC=test: 1 entries for Administrator' \
		<<< "$out"; then
		NOTE="LDAP search as Administrator failed"
		return 1
	fi
}

# ---- crash of the task -------------------------------------------------------
ready_count() { grep -c 'tdbwins ready:' "$SRV/log/server.out" || true; }
udp137_owner() {
	ip netns exec "$IT_NS" ss -Hlunp "sport = :137" 2>/dev/null \
		| grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}
# wait_task_up SECONDS READY_BEFORE: a new ready line, the pid file names a
# live process, and that process owns UDP 137
wait_task_up() {
	local i pid
	for i in $(seq 1 $(($1 * 10))); do
		pid="$(task_pid)"
		if [ "$(ready_count)" -gt "$2" ] && [ -n "$pid" ] \
			&& it_pid_alive "$pid" && [ "$(udp137_owner)" = "$pid" ]
		then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
db_versions() {
	"$IT_TOP/build/tdbwins-tool" -s "$SRV/smb.conf" versions | sort
}
max_version() { awk '{ print $NF }' | sort -n | tail -n 1; }

# SIGKILL (CRASH_SIGNAL) to the process that runs the task.  Samba 4.17's
# prefork model restarts a service's process that ends on a signal
# (prefork_child_pipe_handler); the standard model does not.  Either
# way samba stays up; then (no restart) reload-config is tried and samba
# restarted; the database must come back intact: the same names with the
# same versions, each still answered, and a new registration gets a
# version above every old one (the version counter was not lost).
CRASH_SIGNAL="${CRASH_SIGNAL:-KILL}"
t_crash() {
	local bind="${IT_CLIENT_IPS%% *}" pid before after n0 l0 owner
	local names="TWCRASH1<00> TWCRASH2<20> TWCRASH3<00>" nm max newv out t0
	if [ -z "$(task_pid)" ] || ! it_pid_alive "$(task_pid)"; then
		samba_stop
		n0="$(ready_count)"
		samba_start
		wait_task_up 30 "$n0" || { NOTE="tdbwins did not start"; return 1; }
	fi
	for nm in $names; do
		client --bind "$bind" register --expect 0 "$nm=$bind" \
			|| { NOTE="registration of $nm failed"; return 1; }
	done
	before="$(db_versions)" || { NOTE="tdbwins-tool versions failed"; return 1; }
	echo "versions before:"; echo "$before"
	pid="$(task_pid)"
	owner="$(udp137_owner)"
	if [ "$owner" != "$pid" ]; then
		NOTE="UDP 137 belongs to pid '$owner', tdbwins.pid says $pid"
		return 1
	fi
	n0="$(ready_count)"
	l0=$(($(log_lines) + 1))
	echo "kill -$CRASH_SIGNAL $pid (samba $SAMBA_PID, model ${SAMBA_MODEL:-default})"
	kill "-$CRASH_SIGNAL" "$pid"
	if ! it_wait_gone "$pid" 100; then
		NOTE="task $pid survived SIG$CRASH_SIGNAL"
		return 1
	fi
	if wait_task_up 20 "$n0"; then
		CRASH_OUTCOME="restarted by samba"
	else
		CRASH_OUTCOME="not restarted by samba"
	fi
	echo "samba's log after the kill:"
	tail -n "+$l0" "$SRV/log/server.out" \
		| grep -iE -A1 'child|restart|signal|tdbwins ready' | head -n 20
	if ! it_pid_alive "$SAMBA_PID"; then
		NOTE="samba stopped after the task was killed"
		return 1
	fi
	if [ "$CRASH_OUTCOME" = "not restarted by samba" ]; then
		smbctl samba reload-config || true
		if wait_task_up 10 "$n0"; then
			CRASH_OUTCOME="$CRASH_OUTCOME, back after reload-config"
		else
			CRASH_OUTCOME="$CRASH_OUTCOME, not back after reload-config, back after a restart of samba"
			if ! it_pid_alive "$SAMBA_PID"; then
				NOTE="samba stopped after reload-config"
				return 1
			fi
			samba_stop
			samba_start
			if ! wait_task_up 30 "$n0"; then
				NOTE="tdbwins not back after a restart of samba"
				return 1
			fi
		fi
	fi
	echo "outcome: $CRASH_OUTCOME (new task pid $(task_pid))"
	after="$(db_versions)" || { NOTE="tdbwins-tool versions failed"; return 1; }
	echo "versions after:"; echo "$after"
	if [ "$before" != "$after" ]; then
		diff <(echo "$before") <(echo "$after") || true
		NOTE="$CRASH_OUTCOME; versions differ after the crash"
		return 1
	fi
	for nm in $names; do
		out="$(client query --expect auto "$nm" 2>&1 || true)"
		echo "$out" | tr -s ' '
		if ! grep -qF "$bind" <<< "$out"; then
			NOTE="$CRASH_OUTCOME; $nm not answered with $bind"
			return 1
		fi
	done
	max="$(max_version <<< "$before")"
	client --bind "$bind" register --expect 0 "TWCRASH4<00>=$bind" \
		|| { NOTE="registration after the crash failed"; return 1; }
	newv="$("$IT_TOP/build/tdbwins-tool" -s "$SRV/smb.conf" versions \
		| awk '$1 == "TWCRASH4<00>" { print $2 }')"
	echo "highest version before: $max; TWCRASH4<00> now: $newv"
	if [ -z "$newv" ] || [ "$newv" -le "$max" ]; then
		NOTE="$CRASH_OUTCOME; new version $newv not above $max"
		return 1
	fi
	NOTE="$CRASH_OUTCOME; database intact"
	[ "$CRASH_OUTCOME" = "restarted by samba" ] || return 0
	# a second crash: samba restarts again, after its backoff
	# ("prefork backoff increment", 10 s by default)
	pid="$(task_pid)"
	n0="$(ready_count)"
	t0=$(date +%s)
	kill "-$CRASH_SIGNAL" "$pid"
	if ! wait_task_up 40 "$n0"; then
		NOTE="$NOTE; not restarted after a second crash"
		return 1
	fi
	echo "second crash: back after $(($(date +%s) - t0)) s"
	NOTE="$NOTE; second crash: back after $(($(date +%s) - t0)) s"
}

# on the DC, stopping tdbwins leaves the directory running: LDAP (389) and
# Kerberos (88) still listen, UDP 137 is free, samba is up
t_dc_services() {
	local out
	if [ "$SETUP" != dc ]; then
		NOTE="SETUP=dc only"
		return 77
	fi
	out="$(ip netns exec "$IT_NS" ss -Hlntup || true)"
	echo "$out"
	if ! grep -qE "^tcp .* $IT_SERVER_IP:389 " <<< "$out" \
		|| ! grep -qE "^tcp .* $IT_SERVER_IP:88 " <<< "$out"; then
		NOTE="LDAP or Kerberos not listening"
		return 1
	fi
	if grep -qE ":137 " <<< "$out"; then
		NOTE="something still listens on port 137"
		return 1
	fi
	if ! it_pid_alive "$SAMBA_PID"; then
		NOTE="samba stopped"
		return 1
	fi
}

# start samba again with something that makes the task fail to start;
# the failure must end only the task: samba stays up (fatal=false)
BLOCKER_PID=""
blocker_stop() {
	[ -n "$BLOCKER_PID" ] || return 0
	it_stop_pid "$BLOCKER_PID" "UDP 137 blocker"
	BLOCKER_PID=""
}
it_on_exit blocker_stop
restart_expect_failure() {
	local what="$1" n i
	samba_stop
	n="$(grep -c 'tdbwins: .*failed\|tdbwins: configuration error' \
		"$SRV/log/server.out" || true)"
	rm -f "$SRV/pid/tdbwins.pid"
	samba_start
	for i in $(seq 1 100); do
		[ "$(grep -c 'tdbwins: .*failed\|tdbwins: configuration error' \
			"$SRV/log/server.out" || true)" -gt "$n" ] && break
		it_pid_alive "$SAMBA_PID" || break
		sleep 0.1
	done
	grep 'tdbwins: .*failed\|tdbwins: configuration error' \
		"$SRV/log/server.out" | tail -n 2
	if [ "$(grep -c 'tdbwins: .*failed\|tdbwins: configuration error' \
		"$SRV/log/server.out" || true)" -le "$n" ]; then
		NOTE="no $what failure logged"
		return 1
	fi
	sleep 2
	if ! it_pid_alive "$SAMBA_PID"; then
		NOTE="samba stopped after the $what failure"
		return 1
	fi
	if [ -e "$SRV/pid/tdbwins.pid" ]; then
		NOTE="tdbwins.pid left behind"
		return 1
	fi
}

t_bind_error() {
	local rc=0
	# the port must be free for the blocker (module.crash leaves the
	# task running)
	samba_stop
	# a UDP socket on the server's address and port 137, in the namespace
	ip netns exec "$IT_NS" "$IT_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 137))
time.sleep(600)' "$IT_SERVER_IP" < /dev/null &
	BLOCKER_PID=$!
	sleep 0.5
	restart_expect_failure bind || rc=$?
	blocker_stop
	return $rc
}

t_config_error() {
	sed -i 's/^\twins support = yes$/\twins support = no/' "$SRV/smb.conf"
	restart_expect_failure configuration
}

# ---- run -----------------------------------------------------------------------
PASSED=0
FAILED=0
SKIPPED=0
STARTED=0
run_test() {
	local name="$1" fn="$2" t0 rc=0 res
	NOTE=""
	t0=$(date +%s)
	it_log "--- $name"
	"$fn" "${@:3}" > "$LOGS/$name.log" 2>&1 || rc=$?
	case $rc in
	0) res=PASS; PASSED=$((PASSED + 1)) ;;
	77) res=SKIP; SKIPPED=$((SKIPPED + 1)) ;;
	*) res=FAIL; FAILED=$((FAILED + 1)) ;;
	esac
	NOTE="$(printf '%s' "$NOTE" | tr '\t\n' '  ' | cut -c1-200)"
	printf '%s\t%s\t%s\t%s\n' "$res" "$name" "$(($(date +%s) - t0))" \
		"$NOTE"
	printf '%s\t%s\t%s\t%s\n' "$name" "$res" "$(($(date +%s) - t0))" \
		"$NOTE" >> "$RES"
}

for t in "${TESTS[@]}"; do
	if [ "$t" != module.exports ] && [ $STARTED = 0 ]; then
		samba_start
		STARTED=1
		# every test needs the service up: load runs first anyway
		run_test module.load t_load
		[ "$t" = module.load ] && continue
	fi
	case "$t" in
	module.exports)		run_test "$t" t_exports ;;
	module.load)		;;
	nmblookup.query)	run_test "$t" t_nmblookup ;;
	nbt.*)			run_test "$t" t_smbtorture "$t" ;;
	smbcontrol.ping)	run_test "$t" t_ping ;;
	smbcontrol.reload-config) run_test "$t" t_reload ;;
	module.wrepl)		run_test "$t" t_wrepl ;;
	smbcontrol.debug)	run_test "$t" t_debug ;;
	smbcontrol.debuglevel)	run_test "$t" t_debuglevel ;;
	smbcontrol.pool-usage)	run_test "$t" t_pool_usage ;;
	dc.smb)			run_test "$t" t_dc_smb ;;
	smbcontrol.shutdown)	run_test "$t" t_shutdown ;;
	dc.services)		run_test "$t" t_dc_services ;;
	module.crash)		run_test "$t" t_crash ;;
	module.bind_error)	run_test "$t" t_bind_error ;;
	module.config_error)	run_test "$t" t_config_error ;;
	esac
done

# clean-up first, so that the summary is the last line
it_run_cleanups || true
trap - EXIT
summary="$PASSED passed, $FAILED failed"
[ $SKIPPED = 0 ] || summary="$summary, $SKIPPED skipped"
echo "$summary"
[ $FAILED = 0 ]
