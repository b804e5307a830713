#!/bin/sh
# demo.sh -- the main job against the bundled lab: build mailready, start the
# lab (real NSD, Unbound, Postfix and Dovecot on loopback, certificates from
# a lab CA), check the whole lab cluster with its planted faults in one run,
# and stop the lab. Run as root.
#
#   tests/lab/demo.sh [CONFIG] [mailready options...]
#
# CONFIG defaults to tests/lab/configs/lab.conf (every node, every fault).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
if [ -z "${MAILREADY_DEMO_NETNS:-}" ]; then
	# Packages and the build need the machine's network; the lab runs in
	# a network namespace of its own (a private loopback, nothing else).
	sh tests/deps.sh
	# The same build as tests/run-all.sh, whichever runs first.
	if [ -d build ]; then
		meson configure build -Dwerror=true >/dev/null
	else
		meson setup build -Dwerror=true >/dev/null
	fi
	meson compile -C build >/dev/null
	export MAILREADY_DEMO_NETNS=1
	exec unshare --net --mount --uts --fork \
		sh -c 'ip link set lo up && exec "$@"' sh "$0" "$@"
fi

config=${1:-tests/lab/configs/lab.conf}
[ $# -gt 0 ] && shift
run=$(mktemp -d /tmp/mailready-lab.XXXXXX)
# The mail daemons run as their own users and must reach their files.
chmod 755 "$run"
trap 'tests/lab/lab.sh stop "$run" >/dev/null 2>&1; rm -rf "$run"' EXIT INT TERM
if ! tests/lab/lab.sh start "$run" dns mail web >"$run.start.log" 2>&1; then
	# Keep what tells why: the lab's own words and its directory.
	trap - EXIT INT TERM
	tests/lab/lab.sh stop "$run" >/dev/null 2>&1 || true
	echo "demo: the lab did not start:" >&2
	tail -n 30 "$run.start.log" >&2
	echo "demo: kept $run (server logs) and $run.start.log" >&2
	exit 3
fi
rm -f "$run.start.log"
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128
export MAILREADY_PROFILE_DIR="$top/checks/profiles"
set +e
build/src/mailready check -f text -c "$config" \
	--ca-file "$run/mail/pki/root.pem" "$@"
rc=$?
echo "(mailready exit status: $rc)" >&2
exit $rc
