#!/bin/sh
#
# Fetch waflib for the ./waf launcher.
#
# The repository ships no third-party code.  Debian 12 ("bookworm") carries
# waflib 2.0.15 inside the xmds2 binary package; this script downloads that
# package with apt-get (no installation, no dependencies pulled in) and
# extracts only the waf library into .waflib/ at the top of the tree, which
# git ignores:
#
#   .waflib/usr/lib/python3/dist-packages/xpdeint/waf/waflib
#
# Usage: buildtools/get-waflib.sh [DESTDIR]   (default: <top>/.waflib)
#
# If the download fails and we are root, the package lists are refreshed
# with apt-get update and the download is retried once.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-"$top/.waflib"}
sub=usr/lib/python3/dist-packages/xpdeint/waf
want_version=2.0.15

if [ -f "$dest/$sub/waflib/Scripting.py" ]; then
	echo "get-waflib: already present in $dest/$sub"
	exit 0
fi

for tool in apt-get dpkg-deb; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "get-waflib: $tool not found (this needs Debian 12 or a" \
		     "derivative); set WAFLIB_DIR to a waflib $want_version" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
# apt drops privileges to _apt for downloads; let it write here.
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$tmp"
fi

download() {
	(cd "$tmp" && apt-get download -q xmds2)
}

if ! download; then
	if [ "$(id -u)" = 0 ]; then
		echo "get-waflib: download failed; running apt-get update" >&2
		apt-get update -q
		download
	else
		echo "get-waflib: download failed; as root, run apt-get update" \
		     "and try again" >&2
		exit 1
	fi
fi

deb=$(ls "$tmp"/xmds2_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	echo "get-waflib: apt-get download produced no xmds2 package" >&2
	exit 1
fi
dpkg-deb -x "$deb" "$tmp/x"

lib="$tmp/x/$sub/waflib"
if [ ! -f "$lib/Scripting.py" ] || [ ! -f "$lib/Context.py" ]; then
	echo "get-waflib: $deb has no waflib under $sub" >&2
	exit 1
fi
got=$(sed -n 's/^WAFVERSION *= *"\([^"]*\)".*/\1/p' "$lib/Context.py")
if [ "$got" != "$want_version" ]; then
	# Another 2.0.x works with our wscript; say so rather than fail.
	echo "get-waflib: note: package has waflib $got, expected" \
	     "$want_version" >&2
fi

# Install atomically: a half-copied waflib must never be picked up.
mkdir -p "$dest/$sub"
rm -rf "$dest/$sub/waflib.new"
cp -R "$lib" "$dest/$sub/waflib.new"
rm -rf "$dest/$sub/waflib"
mv "$dest/$sub/waflib.new" "$dest/$sub/waflib"
echo "get-waflib: waflib $got installed in $dest/$sub"
