#!/bin/sh
# run-all.sh -- set up and run every test: the build with warnings as
# errors, the format check, then every suite twice (plain, and under
# AddressSanitizer + UndefinedBehaviorSanitizer), and a short run of every
# fuzz target (fuzz/README.md). Run as root from anywhere; builds go to
# build/, build-asan/ and build-fuzz/ (clang) in the source tree.
#
# The suites run in a network namespace of their own (a private loopback,
# nothing else): the labs bind 127.x:53 and :25 without meeting anything
# else on the machine, and no packet can leave it.
#
#   tests/run-all.sh [--suite unit|cli|lab|engines|interop|hostile|fuzz]...
#                                                        (a subset)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tests/deps.sh

# No test may reach past loopback, whatever a config says.
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128

echo "== format check" >&2
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

echo "== build (-Werror)" >&2
if [ -d build ]; then
	meson configure build -Dwerror=true
else
	meson setup build -Dwerror=true
fi
meson compile -C build
# in_netns CMD...: CMD in a private network, mount and UTS namespace.
in_netns() {
	unshare --net --mount --uts --fork sh -c 'ip link set lo up && exec "$@"' \
		sh "$@"
}

echo "== tests" >&2
in_netns meson test -C build --print-errorlogs "$@"

echo "== build with ASan/UBSan" >&2
[ -d build-asan ] || meson setup build-asan -Dwerror=true \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
meson compile -C build-asan
echo "== tests under ASan/UBSan" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	in_netns meson test -C build-asan --print-errorlogs "$@"

# The fuzz suite: every target over its corpus (seeds and regressions),
# then a few seconds of mutation, two at a time; only in build-fuzz, and
# only when all suites or the fuzz suite are asked for.
fuzz_wanted() {
	[ $# -eq 0 ] && return 0
	case " $* " in *" fuzz "*) return 0 ;; esac
	return 1
}
if fuzz_wanted "$@"; then
	echo "== fuzz smoke (clang, libFuzzer)" >&2
	[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzzing=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dtests=false
	meson compile -C build-fuzz
	in_netns meson test -C build-fuzz --suite fuzz --num-processes 2 \
		--print-errorlogs
fi
echo "== all tests passed" >&2
