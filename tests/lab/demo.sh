#!/bin/sh
# demo.sh -- the main job against the bundled lab: build mailready, start the
# lab (real NSD and Unbound on loopback), check the lab cluster with its
# planted faults, and stop the lab. Run as root.
#
#   tests/lab/demo.sh [CONFIG] [mailready options...]
#
# CONFIG defaults to tests/lab/configs/dns-faults.conf.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
sh tests/deps.sh
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null

config=${1:-tests/lab/configs/dns-faults.conf}
[ $# -gt 0 ] && shift
run=$(mktemp -d /tmp/mailready-lab.XXXXXX)
trap 'tests/lab/lab.sh stop "$run" >/dev/null 2>&1; rm -rf "$run"' EXIT INT TERM
tests/lab/lab.sh start "$run" >/dev/null 2>&1 || {
	echo "demo: the lab did not start; see tests/lab/lab.sh start $run" >&2
	exit 3
}
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128
export MAILREADY_PROFILE_DIR="$top/checks/profiles"
set +e
# The lab serves DNS only so far: mail servers come with the mail probes.
build/src/mailready check -f text -c "$config" --only 'host.*' --only 'dns.*' \
	"$@"
rc=$?
echo "(mailready exit status: $rc)" >&2
exit $rc
