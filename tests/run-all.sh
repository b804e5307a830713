#!/bin/sh
# run-all.sh -- set up and run every test: the build with warnings as
# errors, the format check, then the unit and lab suites twice (plain, and
# under AddressSanitizer + UndefinedBehaviorSanitizer). Run as root from
# anywhere; builds go to build/ and build-asan/ in the source tree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tests/deps.sh

# No test may reach past loopback, whatever a config says.
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128

echo "== format check" >&2
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

echo "== build (-Werror)" >&2
[ -d build ] || meson setup build -Dwerror=true
meson compile -C build
echo "== tests" >&2
meson test -C build --print-errorlogs

echo "== build with ASan/UBSan" >&2
[ -d build-asan ] || meson setup build-asan -Dwerror=true \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
meson compile -C build-asan
echo "== tests under ASan/UBSan" >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs
echo "== all tests passed" >&2
