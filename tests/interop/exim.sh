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
# over /usr and /etc (overlayfs, common.sh's deb_*) inside its own mount
# namespace: the host's files are untouched. Each scenario is an Exim
# daemon of its own on 127.0.3.1N, its files under $T/exim/NAME, its
# config exim/exim.conf.in below the scenario's macros. Nothing leaves
# the namespace, and Exim is kept from trying: no lookups, every RCPT
# refused, no router that delivers, no queue runner.
#
# Run as root: MAILREADY_BIN=build/src/mailready bash tests/interop/exim.sh
# (KEEP_INTEROP=1 keeps $T), or meson test -C build --suite interop.
#
# Before each verdict of mailready the suite asserts what the server
# offers as Python's smtplib/ssl see it (exim/smtp_facts.py): a failing
# MATRIX line is then mailready's, a "lab:" failure the setup's.
set -u
. "$(dirname "$0")/common.sh"
interop_init "$@"

EXIM_DIR=$INTEROP_DIR/exim
NODE=mx.interop.test

# ------------------------------------------------------------- the package

ROOT=$T/root
deb_unpack "$ROOT" exim4-daemon-light exim4-base libidn12
# Debian's Exim runs as Debian-exim (the package's postinst adds it)
deb_user "$ROOT" Debian-exim 64990 'Exim (interop)'
deb_overlay "$ROOT"
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
	interop_on_exit stop_daemon "exim/$name" "$dir/daemon.pid"
}

# exim_logs NAME: the instance's logs (patterns, for MR_LOGS);
# instance_logs NAME: their ends, on stderr (after a set-up failure)
exim_logs() { echo "$T/exim/$1/stderr $T/exim/$1/log/*"; }
instance_logs() {
	local logs
	read -ra logs <<<"$(exim_logs "$1")"
	show_logs "${logs[@]}"
}

# exim_wait NAME ADDR PORT...: until the instance listens on every port
# (10 s), or fail with its logs when its daemon dies or does not listen
exim_wait() {
	local name=$1 addr=$2 port pid
	shift 2
	pid=$(cat "$T/exim/$name/daemon.pid")
	for port in "$@"; do
		wait_port "$addr" "$port" 10 "$pid" && continue
		instance_logs "$name"
		fail "setup: exim/$name does not listen on $addr:$port"
	done
}

# ------------------------------------------------------------- lab facts

# facts NAME ADDR PORT starttls|implicit: what smtplib sees, in
# $T/facts.NAME.PORT (KEY=VALUE lines; common.sh's fact, lab, lab_not)
facts() {
	"$PY" "$EXIM_DIR/smtp_facts.py" "$2" "$3" "$4" "$PKI/root.pem" "$NODE" \
		>"$T/facts.$1.$3" 2>&1
}

# ------------------------------------------------------------- scenarios
# name           address     ports           macros
exim_start starttls    127.0.3.11 "25 : 587"
exim_start auth-any    127.0.3.12 "25 : 587" AUTH_SERVER_ALLOW_NOTLS_PASSWORDS=1
exim_start no-auth     127.0.3.13 "25 : 587" IL_NO_AUTH=1
# shellcheck disable=SC2016 # Exim expands it, not the shell
exim_start banner      127.0.3.14 "25 : 587" \
	'IL_BANNER="$smtp_active_hostname ESMTP Exim $version_number $tod_full\nNo unsolicited bulk email.\nAll connections are logged."'
exim_start greet       127.0.3.15 "25 : 587" IL_GREET_PAUSE=7s
exim_start greet-all   127.0.3.16 "25 : 587" IL_GREET_PAUSE=7s IL_GREET_ALL_PORTS=1
exim_start tls12       127.0.3.17 "25 : 587" 'IL_TLS_CIPHERS=NORMAL:-VERS-TLS1.3'
# shellcheck disable=SC2016
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
say "nine Exim daemons listen ($((SECONDS - INTEROP_START)) s)"

# What each server offers, independently of mailready (in parallel: the
# greet pauses wait 7 s).
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
say "the servers offer what the scenarios need ($((SECONDS - INTEROP_START)) s)"

# mailready over each instance, in parallel (two wait through 7 s pauses).
pids=()
for spec in starttls:11:smtp:25,submission:587 \
	auth-any:12:submission:587 no-auth:13:submission:587 \
	banner:14:smtp:25 greet:15:smtp:25,submission:587 \
	greet-all:16:submission:587 tls12:17:smtp:25,submission:587 \
	smtps:18:smtp:25,smtps:465,submission:587 no-tls:19:smtp:25; do
	IFS=: read -r name a services <<<"$spec"
	MR_LOGS=$(exim_logs "$name") \
		mr_check "$T/$name.json" "$NODE" "127.0.3.$a" "$services" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
say "mailready ran ($((SECONDS - INTEROP_START)) s)"

# 1. STARTTLS on 25 and 587, AUTH only after TLS on 587 (Debian's
#    server_advertise_condition).
expect "$T/starttls.json" exim/starttls-auth-after-tls mail.smtp pass SMTP_OK
expect "$T/starttls.json" exim/starttls-auth-after-tls \
	mail.submission pass SMTP_OK
# 2. AUTH before TLS on 587 (AUTH_SERVER_ALLOW_NOTLS_PASSWORDS).
expect "$T/auth-any.json" exim/auth-before-tls \
	mail.submission warn SMTP_AUTH_BEFORE_TLS auth_advertise_hosts
# 3. No authenticators at all: nobody can log in to send on 587.
expect "$T/no-auth.json" exim/no-authenticators \
	mail.submission fail SMTP_AUTH_MISSING authenticator
# 4. A multi-line banner (smtp_banner with \n): the greeting parses.
expect "$T/banner.json" exim/multiline-banner mail.smtp pass SMTP_OK "$NODE"
# 5. A greet pause on 25 (acl_smtp_connect, delay = 7s): an anti-spam
#    measure; mailready waits for it. 587 greets at once.
expect "$T/greet.json" exim/greet-pause-25 mail.smtp pass SMTP_OK
expect "$T/greet.json" exim/greet-pause-25 mail.submission pass SMTP_OK
#    The same pause on 587 too delays users: a warning, naming the
#    pause.
expect "$T/greet-all.json" exim/greet-pause-submission \
	mail.submission warn SMTP_GREETING_SLOW acl_smtp_connect
# 6. TLS 1.2 only (tls_require_ciphers = NORMAL:-VERS-TLS1.3).
expect "$T/tls12.json" exim/tls12-only mail.smtp pass TLS_SESSION TLSv1.2
expect "$T/tls12.json" exim/tls12-only mail.submission pass TLS_SESSION TLSv1.2
# 7. Implicit TLS on 465 (tls_on_connect_ports), AUTH there; STARTTLS and
#    AUTH after TLS on 587 (auth_advertise_hosts).
expect "$T/smtps.json" exim/smtps-tls-on-connect mail.smtps pass SMTP_OK
expect "$T/smtps.json" exim/smtps-tls-on-connect mail.smtp pass SMTP_OK
expect "$T/smtps.json" exim/smtps-tls-on-connect mail.submission pass SMTP_OK
# 8. No STARTTLS (tls_advertise_hosts empty): mail travels in clear.
expect "$T/no-tls.json" exim/no-starttls \
	mail.smtp fail SMTP_STARTTLS_MISSING tls_advertise_hosts

interop_done
