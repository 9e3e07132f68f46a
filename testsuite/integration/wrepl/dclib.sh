# shellcheck shell=bash
# A Samba 4 AD DC as a WINS replication partner, inside the network
# namespace of ../lib.sh.  Sourced after ../lib.sh by the scripts that need
# one (testsuite/integration/wrepl/dc.sh, testsuite/bench/bench-wrepl.sh).
#
# The DC is provisioned once into PROV and reused while DC_IP stays the
# same (a provision takes seconds to minutes); each run gets its own
# smb.conf, pid/log/socket directories (DCD) and partner list.  Samba's
# compiled-in directories are never touched: every samba command runs in
# lib.sh's mount jail (it_jail_argv DCD).
#
# Inputs (set before calling): DC_IP (required, inside IT_NS), DC_NAME
# [TWITDC], DC_DOMAIN [TWITDOM], DC_REALM [TWITDOM.TEST], IT_PLEN,
# IT_PYTHON; DC_WRAPPER (a word list put before `samba`, e.g. "taskset -c 1").
#
#   dc_provision PROV DCD LOG     provision into PROV unless already there
#   dc_write_conf PROV DCD [EXTRA]  DCD/smb.conf: the provisioned smb.conf
#                                 with our [global] lines (+ EXTRA lines)
#   dc_write_partners LDB NAME ADDR TYPE PULL RETRY PUSH [...]
#                                 a new wins_config.ldb with these partners
#   dc_start DCD CLIENT_DIR       start samba -M single, wait until it
#                                 answers node status; sets DC_PID
#   dc_stop                       stop DC_PID (register it with it_on_exit)

DC_NAME="${DC_NAME:-TWITDC}"
DC_DOMAIN="${DC_DOMAIN:-TWITDOM}"
DC_REALM="${DC_REALM:-TWITDOM.TEST}"
DC_WRAPPER="${DC_WRAPPER:-}"
DC_PID=""

# dc_provision PROV DCD LOG: PROV/ip records the address it was made for
dc_provision() {
	local prov="$1" dcd="$2" log="$3"
	mkdir -p "$dcd"/{pid,log,ncalrpc,ntp_signd}
	chmod 0750 "$dcd/ntp_signd"
	if [ -f "$prov/private/sam.ldb" ] &&
		[ "$(cat "$prov/ip" 2>/dev/null)" = "$DC_IP" ]; then
		return 0
	fi
	it_log "provisioning the AD DC into $prov (a minute or two)"
	rm -rf "$prov"
	mkdir -p "$prov"
	: > "$dcd/provision-base.conf"
	it_jail_argv "$dcd"
	if ! "${IT_JAIL[@]}" samba-tool domain provision \
		-s "$dcd/provision-base.conf" --targetdir="$prov" \
		--realm="$DC_REALM" --domain="$DC_DOMAIN" \
		--host-name="${DC_NAME,,}" --host-ip="$DC_IP" \
		--server-role=dc --dns-backend=NONE \
		--adminpass='Twit-Admin-Pass1' \
		--option="interfaces=$DC_IP/$IT_PLEN" \
		--option="bind interfaces only=yes" \
		> "$log" 2>&1 < /dev/null; then
		tail -20 "$log" >&2
		it_die "provision failed"
	fi
	cp "$prov/etc/smb.conf" "$prov/etc/smb.conf.provisioned"
	echo "$DC_IP" > "$prov/ip"
}

# dc_write_conf PROV DCD [EXTRA]: only the nbt (WINS) and wrepl services
# matter here; DNS and its update hooks are off so nothing dials out
dc_write_conf() {
	local prov="$1" dcd="$2" extra="${3:-}"
	local lines="	netbios name = $DC_NAME
	interfaces = $DC_IP/$IT_PLEN
	bind interfaces only = yes
	wins support = yes
	server services = -dns -dnsupdate
	dns update command = /bin/true
	spn update command = /bin/true
	pid directory = $dcd/pid
	ncalrpc dir = $dcd/ncalrpc
	ntp signd socket directory = $dcd/ntp_signd
	log file = $dcd/log/log.%m
	max log size = 0
	log level = 1"
	if [ -n "$extra" ]; then
		lines="$lines
$extra"
	fi
	# the provisioned smb.conf, with ours appended to [global]
	awk -v extra="$lines" '
		/^\[/ { if (ing) { print extra; done = 1 }
			ing = ($0 ~ /^\[global\]/) }
		{ print }
		END { if (ing && !done) print extra }' \
		"$prov/etc/smb.conf.provisioned" > "$dcd/smb.conf"
}

# dc_write_partners LDB (NAME ADDR TYPE PULL_INTERVAL PULL_RETRY PUSH_COUNT)...
# Samba reads its partners from wins_config.ldb, not smb.conf.  TYPE 0x1
# push, 0x2 pull, 0x3 both (Samba's WINSREPL_PARTNER_*); "-" leaves an
# attribute out (Samba's default applies).
dc_write_partners() {
	local path="$1"
	shift
	[ $(($# % 6)) = 0 ] || it_die "dc_write_partners: 6 values per partner"
	PYTHONPATH='' "$IT_PYTHON" - "$path" "$@" <<'PY'
import os, sys, ldb
path, args = sys.argv[1], sys.argv[2:]
if os.path.exists(path):
    os.unlink(path)
db = ldb.Ldb(path)
for i in range(0, len(args), 6):
    name, addr, ptype, pull, retry, push = args[i:i + 6]
    msg = {"dn": "name=%s,CN=PARTNERS" % name,
           "objectClass": "wreplPartner", "name": name,
           "address": addr, "type": ptype}
    for attr, val in (("pullInterval", pull), ("pullRetryInterval", retry),
                      ("pushChangeCount", push)):
        if val != "-":
            msg[attr] = val
    db.add(msg)
PY
}

# dc_start DCD CLIENT_DIR: CLIENT_DIR from it_client_conf (the readiness
# probe's smb.conf and hosts)
dc_start() {
	local dcd="$1" cl="$2"
	# shellcheck disable=SC2206  # DC_WRAPPER is a word list
	local wrap=($DC_WRAPPER)
	it_jail_argv "$dcd"
	"${IT_JAIL[@]}" "${wrap[@]}" samba -F --no-process-group -M single \
		-s "$dcd/smb.conf" >> "$dcd/log/samba.out" 2>&1 < /dev/null &
	DC_PID=$!
	(IT_SERVER_NAME="$DC_NAME" IT_SERVER_IP="$DC_IP" \
		IT_SERVER_PID="$DC_PID" it_wait_ready "$cl")
}

dc_stop() {
	[ -n "$DC_PID" ] || return 0
	it_stop_pid "$DC_PID" "samba DC"
	DC_PID=""
}
