#!/bin/bash
# hostile.sh -- mailready against hostile servers (issue 9): scripted mail
# servers (mailsrv.py) and DNS servers (dnssrv.py: a lab root of its own,
# lying and broken authoritative servers and resolvers) that stall, drip,
# flood, reset, loop and inject; for every case the run must end by its
# deadline (+200 ms), its memory stay bounded, no byte of the server's
# reach the text or Nagios output raw, its verdict be the right one, its
# exit status 0-3, and no packet leave for an address outside
# allow_networks. hostile.py runs the cases and prints the table.
#
# Runs as root in network, mount and UTS namespaces of its own (this
# script re-executes itself there once, as tests/interop/common.sh does),
# with a private tmpfs on /tmp: lo, and a veth pair (d0/d1) that only the
# leak guard looks at. Nothing can leave the namespace.
#
#   MAILREADY_BIN=build/src/mailready bash tests/hostile/hostile.sh [CASE...]
#   meson test -C build --suite hostile
#
# HOSTILE_KEEP=1 keeps the temp dir (then on the shared /tmp, under
# /tmp/mailready-hostile.XXXXXX) and prints its path; HOSTILE_JOBS=N runs
# N cases at once (default 3); CASE... runs only the cases whose names
# match those shell patterns.
set -u
NAME=hostile
say() { printf '%s: %s\n' "$NAME" "$*"; }
fail() { printf '%s: FAIL: %s\n' "$NAME" "$*" >&2; exit 1; }
skip() { printf '%s: SKIP: %s\n' "$NAME" "$*" >&2; exit 77; }

[ "$(id -u)" = 0 ] || fail "must run as root (namespaces, port 53, port 25)"
[ -n "${MAILREADY_BIN:-}" ] || skip "MAILREADY_BIN is not set (run via meson test)"
for c in unshare ip python3 openssl mount; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time, package time) is not installed"
HERE=$(cd "$(dirname "$0")" && pwd)

# Re-execute in new namespaces, unless this is that run. HOSTILE_NETNS
# names the pid that re-executed (the new shell's parent) and the
# namespaces it left, so that an inherited value never passes for them.
read -r pid net mnt <<<"${HOSTILE_NETNS:-}"
if [ "${pid:-}" != "$PPID" ]; then
	HOSTILE_NETNS="$$ $(readlink /proc/self/ns/net) $(readlink /proc/self/ns/mnt)"
	export HOSTILE_NETNS
	exec unshare --net --mount --uts --fork -- "$BASH" "$0" "$@"
fi
if [ "$net" = "$(readlink /proc/self/ns/net)" ] ||
	[ "$mnt" = "$(readlink /proc/self/ns/mnt)" ]; then
	fail "unshare gave the suite no namespaces of its own"
fi
ip link set lo up || fail "cannot bring lo up"
mount --make-rprivate / || fail "cannot make the mounts private"
# /sys of this network namespace (the leak guard reads d0's counters)
mount -t sysfs sysfs /sys || fail "cannot mount /sys for the namespace"
hostname hostile-suite.invalid

# A /tmp of this mount namespace only, unless something the suite needs
# lives under /tmp (the tmpfs would hide it) or HOSTILE_KEEP asks to read
# the files afterwards.
private_tmp=1
[ "${HOSTILE_KEEP:-0}" = 0 ] || private_tmp=0
for p in "$MAILREADY_BIN" "$HERE" "${MAILREADY_PROFILE_DIR:-}"; do
	[ -n "$p" ] || continue
	case $(realpath -m -- "$p") in /tmp | /tmp/*) private_tmp=0 ;; esac
done
if [ $private_tmp = 1 ]; then
	mount -t tmpfs -o mode=1777,size=2g tmpfs /tmp ||
		fail "cannot mount a private /tmp"
fi

# The leak guard's interface: a veth pair whose d0 carries a TEST-NET-2
# address and the default routes (v4 and v6), so that a packet for any
# address but loopback would leave through d0 and be counted in its
# tx_packets. Static neighbours for the gateways: a leaked packet is sent
# at once (one packet, one count), never an ARP or ND retry. IPv6 on d0
# makes no link-local address and sends no DAD, RS or MLD of its own
# after the first seconds (hostile.py waits until the counter is still).
ip link add d0 type veth peer name d1 || fail "cannot make a veth pair"
for i in d0 d1; do
	sysctl -qw "net.ipv6.conf.$i.addr_gen_mode=1" \
		"net.ipv6.conf.$i.accept_ra=0" "net.ipv6.conf.$i.dad_transmits=0" \
		"net.ipv6.conf.$i.router_solicitations=0" >/dev/null 2>&1 || true
done
sysctl -qw net.ipv6.conf.d1.disable_ipv6=1 >/dev/null 2>&1 || true
ip link set d0 up && ip link set d1 up || fail "cannot bring the veth pair up"
ip addr add 198.51.100.1/24 dev d0 &&
	ip route add default via 198.51.100.254 dev d0 &&
	ip neigh replace 198.51.100.254 lladdr 02:00:00:00:00:fe dev d0 nud permanent ||
	fail "cannot set the leak guard's IPv4 address and route"
ip -6 addr add 2001:db8:ffff::1/64 dev d0 nodad &&
	ip -6 route add default via 2001:db8:ffff::fe dev d0 &&
	ip -6 neigh replace 2001:db8:ffff::fe lladdr 02:00:00:00:00:fe dev d0 nud permanent ||
	fail "cannot set the leak guard's IPv6 address and route"

# The environment's narrowing would hide a leak of the configs'
# allow_networks: here, where nothing can leave, every run relies on the
# config alone (the leak guard counts what it lets through).
unset MAILREADY_ALLOW_NETWORKS
export NO_COLOR=1 HOSTILE_PRIVATE_TMP=$private_tmp
exec python3 "$HERE/hostile.py" "$@"
