#!/bin/sh
# smoke.sh TARGET CORPUS [DICT] -- a short run of one fuzz target, for CI
# (meson test --suite fuzz): every input of CORPUS (the committed seeds
# and regressions) first, then mutations of them for FUZZ_SMOKE_SECONDS
# (default 6). New inputs go to a scratch directory, never into CORPUS.
# A crash, leak or timeout fails the test; its input is kept in
# fuzz-artifacts/ of the working directory (the build directory) and its
# libFuzzer report is printed.
set -u
exe=$1
corpus=$2
dict=${3:-}
secs=${FUZZ_SMOKE_SECONDS:-6}
name=$(basename "$exe")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/new"

"$exe" ${dict:+"-dict=$dict"} -max_total_time="$secs" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$tmp/" \
	"$tmp/new" "$corpus" >"$tmp/log" 2>&1
rc=$?
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$tmp/log"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$tmp/log"
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$tmp/log"
	mkdir -p fuzz-artifacts
	for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
		[ -e "$f" ] || continue
		cp "$f" "fuzz-artifacts/$name-$(basename "$f")"
		echo "$name: input kept in $(pwd)/fuzz-artifacts/$name-$(basename "$f")"
	done
fi
exit "$rc"
