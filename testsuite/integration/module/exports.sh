#!/bin/sh
# tdbwins.so must export samba_init_module and nothing else: it is loaded
# into the samba process beside Samba's own nbt/wrepl code, and any other
# exported symbol could interpose on (or be interposed by) Samba's
# (STYLE.md "Names", DESIGN.md "Samba integration facts").
#
#   testsuite/integration/module/exports.sh [build/tdbwins.so]
#
# Prints "PASS|FAIL|SKIP exports ..." and then "N passed, N failed" (the
# closing line our shell suites share); exit 0 pass, 1 fail, 77 cannot run
# (no module built, no nm).
so="${1:-build/tdbwins.so}"
if [ ! -f "$so" ]; then
	echo "SKIP exports: $so not built"
	exit 77
fi
if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP exports: nm not found"
	exit 77
fi
# defined dynamic symbols, minus the markers the toolchain may add
# (section-bound symbols have no address of ours to interpose)
syms="$(nm -D --defined-only "$so" | awk '$2 != "w" && $2 != "A" { print $3 }' | sort)"
if [ "$syms" = "samba_init_module" ]; then
	type="$(nm -D --defined-only "$so" | awk '$3 == "samba_init_module" { print $2 }')"
	if [ "$type" = T ]; then
		echo "PASS exports: $so exports only samba_init_module"
		echo "1 passed, 0 failed"
		exit 0
	fi
	echo "FAIL exports: samba_init_module is of type '$type', not T"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "FAIL exports: $so exports:"
printf '%s\n' "$syms" | sed 's/^/    /'
echo "0 passed, 1 failed"
exit 1
