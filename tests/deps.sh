#!/bin/sh
# deps.sh -- install what building mailready, its tests and its lab need on
# Debian 12 (run as root). Every package comes from Debian itself.
set -eu
export DEBIAN_FRONTEND=noninteractive
BUILD="gcc meson ninja-build pkg-config libc-ares-dev libldns-dev libssl-dev
 libevent-dev libinih-dev libjansson-dev libcurl4-openssl-dev check"
LAB="nsd unbound ldnsutils dnsutils iproute2 procps util-linux openssl postfix
 dovecot-imapd dovecot-pop3d"
# the real engines the shipped definitions are tested with, and the
# man page tools
ENGINES="nagios4-core icinga2-bin prometheus mandoc man-db groff-base"
# (python3 runs the hostile suite's scripted servers; GNU time measures
# each run's peak memory)
TOOLS="clang-format python3-jsonschema strace python3 time"
# the fuzz targets: clang with libFuzzer and its sanitizers (a Recommends
# of clang that a minimal image does not install)
FUZZ="clang libclang-rt-14-dev"
# third-party servers of the interop suites (tests/interop) that install
# beside Postfix and Dovecot; those that conflict with them are fetched as
# .deb files below and unpacked by their suites
INTEROP="nginx libnginx-mod-mail haproxy"
# ... and those that conflict with them (Exim, Courier), with the libraries
# they need that nothing here installs: .deb files in a cache that the
# suites unpack in a mount namespace of their own, where there is no
# network (tests/interop/exim.sh, courier.sh)
INTEROP_DEBS_DIR=/var/cache/mailready-interop
INTEROP_DEBS="exim4-daemon-light exim4-base libidn12 courier-base courier-imap
 courier-pop courier-authlib libcourier-unicode4 libltdl7 libgamin0"
if [ "${MAILREADY_SKIP_APT:-}" = 1 ]; then
	exit 0
fi
mkdir -p "$INTEROP_DEBS_DIR"
debs=
for p in $INTEROP_DEBS; do
	ls "$INTEROP_DEBS_DIR/${p}_"*.deb >/dev/null 2>&1 || debs="$debs $p"
done
if [ -n "$debs" ]; then
	echo "deps: downloading$debs into $INTEROP_DEBS_DIR" >&2
	# (a stale package list names versions the mirror no longer has)
	(cd "$INTEROP_DEBS_DIR" && apt-get download -q $debs) ||
		{ apt-get update -q &&
			(cd "$INTEROP_DEBS_DIR" && apt-get download -q $debs); } ||
		echo "deps: could not download$debs: the exim and courier" \
			"interop suites will skip" >&2
fi
missing=
for p in $BUILD $LAB $ENGINES $TOOLS $FUZZ $INTEROP; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
apt-get update -q
# policy-rc.d keeps the packaged daemons from starting on install; the lab
# starts its own instances on loopback.
apt-get install -y -q --no-install-recommends $missing
