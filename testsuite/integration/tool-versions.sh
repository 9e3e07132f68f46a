#!/usr/bin/env bash
# VERSION_CMD for restart.sh: "NAME<TT> VERSION" per record of the
# database the given smb.conf names, read-only beside the running server.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$top/${TDBWINS_TOOL:-build/tdbwins-tool}" -s "$1" versions
