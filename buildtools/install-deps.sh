#!/usr/bin/env bash
#
# tdbwins — install everything the build, the daemon and the tests need on
# Debian 12, from Debian's packages (root).  Used by the README's commands
# and by .ci/run.
#
#   sudo buildtools/install-deps.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
	build-essential pkg-config python3
	libtalloc-dev libtevent-dev libtdb-dev libcmocka-dev samba-dev
	clang libclang-rt-14-dev valgrind tshark tdb-tools
	samba samba-testsuite smbclient samba-common-bin python3-samba
	iproute2
	samba-ad-provision samba-dsdb-modules samba-vfs-modules
)
if [ "$(id -u)" -eq 0 ]; then
	# tshark asks whether non-root users may capture: no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		debconf-set-selections
	# Installing samba must not start nmbd/smbd on this machine: they
	# would take UDP 137 from the tests.  Refuse service starts while
	# apt-get runs (policy-rc.d exit 101), unless the machine already
	# has such a policy.
	own_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	ok=0
	for try in 1 2 3; do
		if apt-get update -q &&
		   apt-get install -y -q --no-install-recommends \
			"${packages[@]}"; then
			ok=1
			break
		fi
		echo "install-deps: apt-get failed (try $try); retrying in 10 s"
		sleep 10
	done
	if [ "$own_policy" -eq 1 ]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	if [ "$ok" -ne 1 ]; then
		echo "install-deps: could not install the dependencies"
		exit 1
	fi
else
	echo "install-deps: not root; assuming these are installed: ${packages[*]}"
fi

