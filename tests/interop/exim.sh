#!/bin/bash
# exim.sh -- mailready against Exim 4 (Debian's exim4-daemon-light, built
# with GnuTLS) as deployments configure it: STARTTLS on 25 and 587, AUTH
# only after TLS, implicit TLS on 465, greet pauses, multi-line banners,
# TLS 1.2 only, and the mistakes (AUTH before TLS, no authenticators, no
# STARTTLS).
#
# Exim conflicts with the Postfix package installed for the lab, so
# tests/deps.sh fetches its .deb files into $INTEROP_DEBS_DIR
# (/var/cache/mailready-interop) and this suite unpacks them and lays them
# over /usr and /etc (overlayfs) inside its own mount namespace: the
# host's files are untouched. Each scenario is an Exim daemon of its own on
# 127.0.3.1N, its files under $T/exim/NAME, its config exim/exim.conf.in
# below the scenario's macros. Nothing leaves the namespace, and Exim is
# kept from trying: no lookups, every RCPT refused, no router that
# delivers, no queue runner.
#
# Run as root: MAILREADY_BIN=build/src/mailready bash tests/interop/exim.sh
# (KEEP_INTEROP=1 keeps $T), or meson test -C build --suite interop.
#
# Before each verdict of mailready the suite asserts what the server
# offers as Python's smtplib/ssl see it (exim/smtp_facts.py): a failing
# MATRIX line is then mailready's, a "lab:" failure the setup's.
set -u
. "$(dirname "$0")/common.sh"
# Inside the namespace (interop_init re-executes this script there) and
# before $T is made: a /tmp of this namespace only, so that a run of
# another suite cleaning /tmp/mailready-interop.* on a shared machine
# cannot remove $T under the servers. KEEP_INTEROP=1 keeps the shared
# /tmp, to read $T afterwards.
if [ -n "${INTEROP_NETNS:-}" ] && [ -z "${KEEP_INTEROP:-}" ] &&
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ]; then
	mount --make-rprivate / &&
		mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp ||
		fail "cannot mount a private /tmp in the namespace"
fi
interop_init "$@"

INTEROP_DEBS_DIR=${INTEROP_DEBS_DIR:-/var/cache/mailready-interop}
EXIM_DIR=$INTEROP_DIR/exim
NODE=mx.interop.test
FAILED=()
START_S=$SECONDS

# ------------------------------------------------------------- the package

# the newest .deb of PKG in the cache
deb_of() {
	ls "$INTEROP_DEBS_DIR/$1"_*.deb 2>/dev/null | sort -V | tail -n 1
}

ROOT=$T/root
mkdir -p "$ROOT"
for pkg in exim4-daemon-light exim4-base libidn12; do
	deb=$(deb_of "$pkg")
	[ -n "$deb" ] || skip "no $pkg .deb in $INTEROP_DEBS_DIR (run tests/deps.sh)"
	dpkg-deb -x "$deb" "$ROOT" || fail "dpkg-deb -x $deb"
done
# Debian's Exim runs as Debian-exim (the package's postinst adds it): a
# passwd and group of this namespace only, laid over /etc with the package.
cp /etc/passwd /etc/group "$ROOT/etc/"
grep -q '^Debian-exim:' "$ROOT/etc/group" ||
	echo 'Debian-exim:x:64990:' >>"$ROOT/etc/group"
grep -q '^Debian-exim:' "$ROOT/etc/passwd" ||
	echo 'Debian-exim:x:64990:64990:Exim (interop):/nonexistent:/usr/sbin/nologin' \
		>>"$ROOT/etc/passwd"
mount -t overlay overlay -o "lowerdir=$ROOT/usr:/usr" /usr ||
	fail "overlay of the Exim package over /usr"
mount -t overlay overlay -o "lowerdir=$ROOT/etc:/etc" /etc ||
	fail "overlay of the Exim package over /etc"
EXIM=/usr/sbin/exim4
# (-bV without a config still says which Exim this is, then complains)
"$EXIM" -bV >"$T/exim-bV.txt" 2>&1
grep -q '^Exim version' "$T/exim-bV.txt" ||
	fail "the unpacked exim4 does not run: $(cat "$T/exim-bV.txt")"
say "$(grep '^Exim version' "$T/exim-bV.txt")"

# ---------------------------------------------------------------- the PKI

pki_leaf mx "DNS:$NODE"

# ----------------------------------------------------------- the instances

# exim_start NAME ADDR PORTS [MACRO=VALUE...]: an Exim daemon with the
# macros of its scenario above exim.conf.in, listening on ADDR:PORTS
# (an Exim list, "25 : 587"), its spool, log and pid under $T/exim/NAME.
exim_start() {
	local name=$1 addr=$2 ports=$3 dir=$T/exim/$1 m
	shift 3
	mkdir -p "$dir/spool" "$dir/log"
	: >"$dir/passwd"
	{
		echo "# scenario $name"
		echo "IL_HOSTNAME = $NODE"
		echo "IL_DIR = $dir"
		echo "IL_ADDR = $addr"
		echo "IL_PORTS = $ports"
		echo "IL_CERT = $PKI/mx.chain.pem"
		echo "IL_KEY = $PKI/mx.key"
		for m in "$@"; do
			echo "${m%%=*} = ${m#*=}"
		done
		cat "$EXIM_DIR/exim.conf.in"
	} >"$dir/exim.conf"
	chown -R Debian-exim:Debian-exim "$dir/spool" "$dir/log"
	chmod 644 "$dir/exim.conf" "$dir/passwd"
	"$EXIM" -C "$dir/exim.conf" -bV >"$dir/bV.txt" 2>&1 ||
		{ cat "$dir/bV.txt" >&2; fail "exim rejects the config of $name"; }
	"$EXIM" -C "$dir/exim.conf" -bdf -odq >"$dir/stderr" 2>&1 &
	echo $! >"$dir/daemon.pid"
	interop_on_exit "kill $! 2>/dev/null"
}

# exim_wait NAME ADDR PORT...: until the instance listens on every port
# (10 s); its log on stderr when its daemon dies or does not listen.
exim_wait() {
	local name=$1 addr=$2 port i pid
	shift 2
	pid=$(cat "$T/exim/$name/daemon.pid")
	for port in "$@"; do
		for ((i = 0; i < 100; i++)); do
			(exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null && continue 2
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		exim_log "$name"
		fail "exim/$name does not listen on $addr:$port"
	done
}

# exim_log NAME: the instance's logs, on stderr (after a failure).
exim_log() {
	local dir=$T/exim/$1 f
	for f in "$dir/stderr" "$dir"/log/*; do
		[ -s "$f" ] || continue
		printf -- '--- %s\n' "${f#"$T"/}" >&2
		tail -n 40 "$f" >&2
	done
}

# ------------------------------------------------------------- assertions

# facts NAME ADDR PORT starttls|implicit: what smtplib sees, in
# $T/facts.NAME.PORT (KEY=VALUE lines).
facts() {
	"$PY" "$EXIM_DIR/smtp_facts.py" "$2" "$3" "$4" "$PKI/root.pem" "$NODE" \
		>"$T/facts.$1.$3" 2>&1
}

fact() { sed -n "s/^$3=//p" "$T/facts.$1.$2" | head -n 1; }

# lab NAME PORT KEY REGEX WHAT: the lab must offer WHAT (KEY matches the
# extended REGEX); lab_not: KEY must not match. Otherwise the scenario's
# lab is wrong, and the suite fails as the lab's fault.
lab() { lab_match "$@" yes; }
lab_not() { lab_match "$@" no; }
lab_match() {
	local name=$1 port=$2 key=$3 re=$4 what=$5 want=$6 v got=no
	v=$(fact "$name" "$port" "$key")
	printf '%s\n' "$v" | grep -Eq -- "$re" && got=yes
	if [ "$got" != "$want" ]; then
		printf '%s: FAIL: lab: exim/%s port %s should offer %s (%s=%s)\n' \
			"$TEST_NAME" "$name" "$port" "$what" "$key" "$v" >&2
		sed 's/^/  facts: /' "$T/facts.$name.$port" >&2
		exim_log "$name"
		LAB_BAD=1
	fi
}

# verdict OUT SCENARIO NAME CHECK WANT [CODE [FRAGMENT...]]: `expect`, and
# the instance's log and mailready's JSON of that check when it fails.
verdict() {
	local out=$1 scenario=$2 name=$3 check=$4
	shift 4
	if ! (expect "$out" "$scenario" "$check" "$@"); then
		FAILED+=("$scenario $check")
		"$PY" - "$out" "$check" >&2 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for g in doc["nodes"]:
    for c in g["checks"]:
        if c["id"] == sys.argv[2]:
            print("  mailready: %s: %s" % (c["status"], c.get("message")))
            for f in c["findings"]:
                print("    %-28s %-5s %s | hint: %s" % (
                    f["code"], f["severity"], f["message"], f.get("hint")))
PY
		exim_log "$name"
	fi
}

# ------------------------------------------------------------- scenarios
# name           address     ports           macros
exim_start starttls    127.0.3.11 "25 : 587"
exim_start auth-any    127.0.3.12 "25 : 587" AUTH_SERVER_ALLOW_NOTLS_PASSWORDS=1
exim_start no-auth     127.0.3.13 "25 : 587" IL_NO_AUTH=1
exim_start banner      127.0.3.14 "25 : 587" \
	'IL_BANNER="$smtp_active_hostname ESMTP Exim $version_number $tod_full\nNo unsolicited bulk email.\nAll connections are logged."'
exim_start greet       127.0.3.15 "25 : 587" IL_GREET_PAUSE=7s
exim_start greet-all   127.0.3.16 "25 : 587" IL_GREET_PAUSE=7s IL_GREET_ALL_PORTS=1
exim_start tls12       127.0.3.17 "25 : 587" 'IL_TLS_CIPHERS=NORMAL:-VERS-TLS1.3'
exim_start smtps       127.0.3.18 "25 : 465 : 587" IL_TLS_ON_CONNECT=465 \
	'IL_AUTH_HOSTS=${if eq{$tls_in_cipher}{}{}{*}}'
exim_start no-tls      127.0.3.19 "25 : 587" IL_NO_TLS=1

exim_wait starttls  127.0.3.11 25 587
exim_wait auth-any  127.0.3.12 25 587
exim_wait no-auth   127.0.3.13 25 587
exim_wait banner    127.0.3.14 25 587
exim_wait greet     127.0.3.15 25 587
exim_wait greet-all 127.0.3.16 25 587
exim_wait tls12     127.0.3.17 25 587
exim_wait smtps     127.0.3.18 25 465 587
exim_wait no-tls    127.0.3.19 25 587
say "nine Exim daemons listen ($((SECONDS - START_S)) s)"

# What each server offers, independently of mailready (in parallel: the
# greet pauses wait 7 s).
LAB_BAD=
pids=()
for spec in starttls:11:25:starttls starttls:11:587:starttls \
	auth-any:12:587:starttls no-auth:13:587:starttls \
	banner:14:25:starttls greet:15:25:starttls greet:15:587:starttls \
	greet-all:16:587:starttls tls12:17:25:starttls \
	smtps:18:25:starttls smtps:18:465:implicit smtps:18:587:starttls \
	no-tls:19:25:starttls; do
	IFS=: read -r name a port mode <<<"$spec"
	facts "$name" "127.0.3.$a" "$port" "$mode" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

lab starttls 25 ehlo '(^|\|)STARTTLS($|\|)' "STARTTLS"
lab starttls 25 cert '^ok$' "a certificate that verifies"
lab_not starttls 587 ehlo '(^|\|)AUTH' "no AUTH before TLS"
lab starttls 587 ehlo_tls '(^|\|)AUTH ' "AUTH after TLS"
lab auth-any 587 ehlo '(^|\|)AUTH ' "AUTH before TLS"
lab no-auth 587 ehlo_tls 'STARTTLS|PIPELINING' "EHLO after TLS"
lab_not no-auth 587 ehlo_tls '(^|\|)AUTH' "no AUTH at all"
lab banner 25 greeting_lines '^3$' "a greeting of three lines"
lab greet 25 greeting_s '^([7-9]|[1-9][0-9])\.' "a greeting after 7 s"
lab greet 587 greeting_s '^[0-2]\.' "a prompt greeting on 587"
lab greet-all 587 greeting_s '^([7-9]|[1-9][0-9])\.' "a greeting after 7 s on 587"
lab tls12 25 tls_version '^TLSv1\.2$' "TLS 1.2 (and not 1.3)"
lab smtps 465 tls_version '^TLSv1\.[23]$' "implicit TLS on 465"
lab smtps 465 ehlo '(^|\|)AUTH ' "AUTH on 465"
lab_not smtps 587 ehlo '(^|\|)AUTH' "no AUTH before TLS on 587"
lab smtps 587 ehlo_tls '(^|\|)AUTH ' "AUTH after TLS on 587"
lab no-tls 25 ehlo 'PIPELINING' "EHLO"
lab_not no-tls 25 ehlo '(^|\|)STARTTLS' "no STARTTLS"
[ -z "$LAB_BAD" ] || fail "the Exim lab does not serve what the scenarios need"
say "the servers offer what the scenarios need ($((SECONDS - START_S)) s)"

# mailready over each instance, in parallel (two wait through 7 s pauses).
pids=()
for spec in starttls:11:smtp:25,submission:587 \
	auth-any:12:submission:587 no-auth:13:submission:587 \
	banner:14:smtp:25 greet:15:smtp:25,submission:587 \
	greet-all:16:submission:587 tls12:17:smtp:25,submission:587 \
	smtps:18:smtp:25,smtps:465,submission:587 no-tls:19:smtp:25; do
	IFS=: read -r name a services <<<"$spec"
	(mr_check "$T/$name.json" "$NODE" "127.0.3.$a" "$services") &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "mailready did not run"; done
say "mailready ran ($((SECONDS - START_S)) s)"

# 1. STARTTLS on 25 and 587, AUTH only after TLS on 587 (Debian's
#    server_advertise_condition).
verdict "$T/starttls.json" exim/starttls-auth-after-tls starttls \
	mail.smtp pass SMTP_OK
verdict "$T/starttls.json" exim/starttls-auth-after-tls starttls \
	mail.submission pass SMTP_OK
# 2. AUTH before TLS on 587 (AUTH_SERVER_ALLOW_NOTLS_PASSWORDS).
verdict "$T/auth-any.json" exim/auth-before-tls auth-any \
	mail.submission warn SMTP_AUTH_BEFORE_TLS auth_advertise_hosts
# 3. No authenticators at all: nobody can log in to send on 587.
verdict "$T/no-auth.json" exim/no-authenticators no-auth \
	mail.submission fail SMTP_AUTH_MISSING authenticator
# 4. A multi-line banner (smtp_banner with \n): the greeting parses.
verdict "$T/banner.json" exim/multiline-banner banner \
	mail.smtp pass SMTP_OK "$NODE"
# 5. A greet pause on 25 (acl_smtp_connect, delay = 7s): an anti-spam
#    measure; mailready waits for it. 587 greets at once.
verdict "$T/greet.json" exim/greet-pause-25 greet mail.smtp pass SMTP_OK
verdict "$T/greet.json" exim/greet-pause-25 greet mail.submission pass SMTP_OK
#    The same pause on 587 too delays users: a warning, naming the
#    pause.
verdict "$T/greet-all.json" exim/greet-pause-submission greet-all \
	mail.submission warn SMTP_GREETING_SLOW acl_smtp_connect
# 6. TLS 1.2 only (tls_require_ciphers = NORMAL:-VERS-TLS1.3).
verdict "$T/tls12.json" exim/tls12-only tls12 \
	mail.smtp pass TLS_SESSION TLSv1.2
verdict "$T/tls12.json" exim/tls12-only tls12 \
	mail.submission pass TLS_SESSION TLSv1.2
# 7. Implicit TLS on 465 (tls_on_connect_ports), AUTH there; STARTTLS and
#    AUTH after TLS on 587 (auth_advertise_hosts).
verdict "$T/smtps.json" exim/smtps-tls-on-connect smtps mail.smtps pass SMTP_OK
verdict "$T/smtps.json" exim/smtps-tls-on-connect smtps mail.smtp pass SMTP_OK
verdict "$T/smtps.json" exim/smtps-tls-on-connect smtps \
	mail.submission pass SMTP_OK
# 8. No STARTTLS (tls_advertise_hosts empty): mail travels in clear.
verdict "$T/no-tls.json" exim/no-starttls no-tls \
	mail.smtp fail SMTP_STARTTLS_MISSING tls_advertise_hosts

say "$((SECONDS - START_S)) s"
if [ "${#FAILED[@]}" -gt 0 ]; then
	fail "${#FAILED[@]} verdict(s) not the administrator's: $(printf '%s; ' "${FAILED[@]}")"
fi
say "PASS"
