#!/usr/bin/env bash
#
# tdbwins — build and run every libFuzzer target (testsuite/fuzz/fuzz_*.c).
#
#   testsuite/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGET names (fuzz_wrepl ...) restrict the
# run.  Each target is built with clang and -fsanitize=fuzzer,address,
# undefined, linked with a sanitizer build of the core sources it needs
# (FUZZ_SRC_DIRS, default source/wire source/ingress source/store, put in a
# static archive so the linker takes only what a target uses), and run for
# SECONDS with -max_len=4096 -timeout=10.
#
# Seeds come from the unit-test vector tables testsuite/unit/vectors_nbns.h
# and vectors_wrepl.h (testsuite/fuzz/seeds.c writes one file per vector);
# the corpus a run grows is kept in testsuite/fuzz/corpus/<target>/ and
# inputs that once found a bug can be committed to
# testsuite/fuzz/regress/<target>/: both are replayed before fuzzing.
# A target whose "twbuild-needs:" sources are not all in the tree yet is
# skipped.  Findings (crash-*, leak-*, timeout-*, oom-*) land in
# testsuite/fuzz/findings/<target>/; corpus/ and findings/ are ignored by
# git.
#
# Prints the executions per target and exits non-zero on any finding or
# build failure.
#
# Environment: FUZZ_CC (default clang-14, else clang), FUZZ_OUT (build
# directory, default build/fuzz), FUZZ_SRC_DIRS, FUZZ_JOBS (parallel
# compiles, default nproc).
set -euo pipefail

secs=${1:-60}
if [ $# -gt 0 ]; then
	shift
fi
case "$secs" in
''|*[!0-9]*)
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
	;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/testsuite/fuzz"
out=${FUZZ_OUT:-"$top/build/fuzz"}
findings="$here/findings"
corpus="$here/corpus"
regress="$here/regress"
src_dirs=${FUZZ_SRC_DIRS:-"source/wire source/ingress source/store"}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ -n "${FUZZ_CC:-}" ]; then
	cc=$FUZZ_CC
elif command -v clang-14 >/dev/null 2>&1; then
	cc=clang-14
else
	cc=clang
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi

# The sanitizer flags for everything; the core is compiled without the
# fuzzer's main (fuzzer-no-link) so that coverage reaches into it.
read -r -a pkg_cflags <<<"$(pkg-config --cflags talloc tevent tdb)"
read -r -a pkg_libs <<<"$(pkg-config --libs talloc tevent tdb)"
san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra
	-I"$top/source" -I"$top/include" "${pkg_cflags[@]}")

mkdir -p "$out/obj" "$out/bin" "$out/seed" "$out/log" "$findings" "$corpus"

# ---- targets ----
targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.c}
		t=${t##*/}
		if [ ! -f "$here/$t.c" ]; then
			echo "fuzz: no target $here/$t.c" >&2
			exit 2
		fi
		targets+=("$t")
	done
else
	for f in "$here"/fuzz_*.c; do
		[ -e "$f" ] || continue
		t=$(basename "$f" .c)
		targets+=("$t")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no targets in $here" >&2
	exit 1
fi

# ---- the sanitizer build of the core ----
echo "fuzz: compiler $("$cc" --version | head -n 1)"
echo "fuzz: compiling core sources from: $src_dirs"
srcs=()
for d in $src_dirs; do
	[ -d "$top/$d" ] || continue
	while IFS= read -r f; do
		srcs+=("$f")
	done < <(find "$top/$d" -name '*.c' -type f | sort)
done
if [ ${#srcs[@]} -eq 0 ]; then
	echo "fuzz: no sources in $src_dirs" >&2
	exit 1
fi
rm -f "$out/obj"/*.o "$out/libtwfuzz.a"
export cc out top
# Bash arrays cannot be exported: hand the flags over as words.
export FUZZ_CFLAGS_WORDS="${cflags[*]} ${san[*]}"
failed_compile=0
printf '%s\n' "${srcs[@]}" | xargs -P "$jobs" -I{} bash -c '
	src="$1"
	rel=${src#"$top"/}
	obj="$out/obj/$(echo "$rel" | tr "/" "_" | sed "s/\.c$/.o/")"
	# shellcheck disable=SC2086
	"$cc" $FUZZ_CFLAGS_WORDS -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
' _ {} || failed_compile=1
if [ "$failed_compile" -ne 0 ]; then
	echo "fuzz: FAILED to compile the core with $cc" >&2
	exit 1
fi
ar rcs "$out/libtwfuzz.a" "$out/obj"/*.o

# ---- seeds from the unit-test vector tables ----
# The seed writer runs outside libFuzzer, so it gets a plain (not
# instrumented) build of the same sources when it needs the record codec.
rm -rf "$out/seed" "$out/plain"
mkdir -p "$out/seed" "$out/plain"
seed_extra=()
if [ -f "$top/source/store/wrec_codec.c" ]; then
	for src in "${srcs[@]}"; do
		rel=${src#"$top"/}
		"$cc" "${cflags[@]}" -c "$src" \
			-o "$out/plain/$(echo "$rel" | tr '/' '_' | sed 's/\.c$/.o/')"
	done
	ar rcs "$out/libtwplain.a" "$out/plain"/*.o
	seed_extra=(-DSEEDS_HAVE_WREC "$out/libtwplain.a" "${pkg_libs[@]}")
fi
"$cc" "${cflags[@]}" -I"$top/testsuite/unit" "$here/seeds.c" \
	"${seed_extra[@]}" -o "$out/bin/seeds"
"$out/bin/seeds" "$out/seed"

# A target may list the sources it needs on "twbuild-needs:" lines in its
# first 40 lines (as the wscript honours them): while one is not in the
# tree yet, the target is skipped, not failed.
missing_needs() {
	head -n 40 "$1" | sed -n 's/.*twbuild-needs://p' | sed 's|\*/||' |
	while read -r words; do
		for w in $words; do
			[ -e "$top/$w" ] || printf '%s ' "$w"
		done
	done
}

# ---- build and run each target ----
status=0
summary=()
for t in "${targets[@]}"; do
	bin="$out/bin/$t"
	log="$out/log/$t.log"
	missing=$(missing_needs "$here/$t.c")
	if [ -n "$missing" ]; then
		summary+=("$t: skipped, not in the tree yet: $missing")
		continue
	fi
	if ! "$cc" "${cflags[@]}" "${san[@]}" -fsanitize=fuzzer \
		"$here/$t.c" "$out/libtwfuzz.a" "${pkg_libs[@]}" -o "$bin"; then
		summary+=("$t: BUILD FAILED")
		status=1
		continue
	fi
	mkdir -p "$corpus/$t" "$findings/$t" "$out/seed/$t"
	dirs=("$corpus/$t" "$out/seed/$t")
	if [ -d "$regress/$t" ]; then
		dirs+=("$regress/$t")
	fi
	before=$(find "$findings/$t" -type f | wc -l)
	echo "fuzz: running $t for ${secs}s"
	rc=0
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_len=4096 -timeout=10 -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$findings/$t/" \
		"${dirs[@]}" >"$log" 2>&1 || rc=$?
	after=$(find "$findings/$t" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	secs_run=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" |
		tail -n 1)
	units=$(find "$corpus/$t" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		status=1
		summary+=("$t: FINDING (exit $rc, ${execs:-?} execs); see $log and $findings/$t/")
		echo "---- $t: last lines of $log"
		tail -n 60 "$log"
	else
		summary+=("$t: ok, ${execs:-?} execs (${secs_run:-?}/s), corpus $units")
	fi
done

echo "---- fuzz summary (${secs}s per target)"
n_ok=0
n_bad=0
n_skip=0
for line in "${summary[@]}"; do
	echo "$line"
	case "$line" in
	*": ok,"*) n_ok=$((n_ok + 1)) ;;
	*": skipped"*) n_skip=$((n_skip + 1)) ;;
	*) n_bad=$((n_bad + 1)) ;;
	esac
done
# one case per target, in the plain form CI reads
if [ "$n_skip" -gt 0 ]; then
	echo "fuzz: $n_ok passed, $n_bad failed, $n_skip skipped"
else
	echo "fuzz: $n_ok passed, $n_bad failed"
fi
exit "$status"
