#!/bin/bash
# courier.sh -- mailready against Courier-IMAP and Courier POP3 (Debian's
# courier-imap and courier-pop, built with GnuTLS) as deployments
# configure them: the packaged /etc/courier files with the certificate of
# the test PKI, edited the way an administrator edits them
# (IMAP_TLS_REQUIRED, POP3_TLS_REQUIRED, IMAPDSTARTTLS, POP3_STARTTLS), and
# started with the packaged start scripts (imapd, imapd-ssl, pop3d,
# pop3d-ssl start).
#
# Courier conflicts with the Dovecot package installed for the lab, so
# tests/deps.sh fetches its .deb files into $INTEROP_DEBS_DIR
# (/var/cache/mailready-interop) and this suite unpacks them and lays them
# over /usr and /etc (overlayfs, common.sh's deb_*) inside its own mount
# namespace: the host's files are untouched. Each scenario is one Courier (IMAP 143/993,
# POP3 110/995) on 127.0.3.2N with an /etc/courier of its own,
# bind-mounted in a mount namespace of its own (the start scripts read
# /etc/courier and nothing else). No authdaemond runs (its socket
# directory is compiled in, under the host's /run): mailready never logs
# in, so greetings, CAPABILITY/CAPA and STARTTLS/STLS are what it sees,
# and a login tried by the suite fails as "authdaemon: s_connect()
# failed" once the server has accepted to try it. couriertcpd's own
# messages go to syslog, which the namespace lacks; those of the login
# programs and couriertls go to $T/courier/NAME/*.log (-stderr=).
#
# Before each verdict of mailready the suite asserts what the server
# offers as Python's imaplib/poplib/ssl see it (courier/mail_facts.py): a
# failing MATRIX line is then mailready's, a "lab:" failure the setup's.
#
# Run as root: MAILREADY_BIN=build/src/mailready bash tests/interop/courier.sh
# (KEEP_INTEROP=1 keeps $T), or meson test -C build --suite interop.
set -u
. "$(dirname "$0")/common.sh"
interop_init "$@"

COURIER_DIR=$INTEROP_DIR/courier
NODE=imap.interop.test
SERVICES=imap:143,imaps:993,pop3:110,pop3s:995

# ------------------------------------------------------------- the package

ROOT=$T/root
deb_unpack "$ROOT" courier-base courier-imap courier-pop courier-authlib \
	libcourier-unicode4 libidn12 libltdl7 libgamin0
# What the packages' maintainer scripts would do: the courier user and
# group, and the makedat alternative.
deb_user "$ROOT" courier 64991 'Courier (interop)'
ln -sf ../lib/courier/makedat "$ROOT/usr/bin/makedat"
deb_overlay "$ROOT"
for b in /usr/bin/imapd /usr/lib/courier/courier/imaplogin \
	/usr/lib/courier/courier/courierpop3login /usr/bin/couriertls \
	/usr/sbin/couriertcpd; do
	if ldd "$b" | grep -q 'not found'; then
		fail "$b lacks libraries: $(ldd "$b" | grep 'not found')"
	fi
done
say "courier-imap $(dpkg-deb -f "$(deb_of courier-imap)" Version)," \
	"courier-pop $(dpkg-deb -f "$(deb_of courier-pop)" Version)"

# --------------------------------------------------------------- the PKI

pki_leaf imap "DNS:$NODE"
# Debian makes dhparams.pem at install (mkdhparams, with certtool); the
# RFC 7919 group that Dovecot ships does as well, and takes no time.
DH=/usr/share/dovecot/dh.pem
if [ ! -s "$DH" ]; then
	DH=$T/dh.pem
	openssl dhparam -dsaparam -out "$DH" 2048 2>/dev/null ||
		fail "openssl dhparam"
fi

# ----------------------------------------------------------- the instances

# set_var FILE NAME VALUE: NAME=VALUE in a Courier config file (the line
# replaced where the package has it, added otherwise).
set_var() {
	local file=$1 name=$2 value=$3
	if grep -q "^$name=" "$file"; then
		sed -i "s|^$name=.*|$name=$value|" "$file"
	else
		printf '%s=%s\n' "$name" "$value" >>"$file"
	fi
}

# courier_start NAME ADDR [FILE:NAME=VALUE...]: a Courier IMAP and POP3
# on ADDR with the packaged /etc/courier, the certificate of the PKI, and
# the scenario's settings ("imapd-ssl:IMAP_TLS_REQUIRED=1"); pid files,
# logs and TLS caches under $T/courier/NAME.
courier_start() {
	local name=$1 addr=$2 dir=$T/courier/$1 etc s f kv
	shift 2
	etc=$dir/etc
	mkdir -p "$dir"
	cp -a "$ROOT/etc/courier" "$etc"
	# the certificate: key, leaf and issuing CA in one file, as
	# mkimapdcert leaves it (root:courier 0640)
	for f in imapd.pem pop3d.pem; do
		cat "$PKI/imap.keychain.pem" >"$etc/$f"
	done
	cp "$DH" "$etc/dhparams.pem"
	chown root:courier "$etc/imapd.pem" "$etc/pop3d.pem" "$etc/dhparams.pem"
	chmod 640 "$etc/imapd.pem" "$etc/pop3d.pem" "$etc/dhparams.pem"
	# listen on the scenario's address; pid files, logs and caches here
	set_var "$etc/imapd" ADDRESS "$addr"
	set_var "$etc/imapd" PIDFILE "$dir/imapd.pid"
	set_var "$etc/imapd" TCPDOPTS "\"-nodnslookup -noidentlookup -stderr=$dir/imapd.log\""
	set_var "$etc/imapd-ssl" SSLADDRESS "$addr"
	set_var "$etc/imapd-ssl" SSLPIDFILE "$dir/imapd-ssl.pid"
	set_var "$etc/imapd-ssl" TLS_CACHEFILE "$dir/imapd-ssl.cache"
	set_var "$etc/pop3d" ADDRESS "$addr"
	set_var "$etc/pop3d" PIDFILE "$dir/pop3d.pid"
	set_var "$etc/pop3d" TCPDOPTS "\"-nodnslookup -noidentlookup -stderr=$dir/pop3d.log\""
	set_var "$etc/pop3d-ssl" SSLADDRESS "$addr"
	set_var "$etc/pop3d-ssl" SSLPIDFILE "$dir/pop3d-ssl.pid"
	set_var "$etc/pop3d-ssl" TLS_CACHEFILE "$dir/pop3d-ssl.cache"
	for s in "$@"; do
		f=${s%%:*}
		kv=${s#*:}
		set_var "$etc/$f" "${kv%%=*}" "${kv#*=}"
	done
	for s in imapd imapd-ssl pop3d pop3d-ssl; do
		interop_on_exit "/usr/sbin/courierlogger -pid=$dir/$s.pid -stop"
	done
	# shellcheck disable=SC2016 # the inner shell's $1
	unshare --mount -- /bin/sh -c '
		mount --bind "$1" /etc/courier || exit 1
		for s in imapd imapd-ssl pop3d pop3d-ssl; do
			/usr/sbin/$s start || exit 1
		done' sh "$etc" >"$dir/start.log" 2>&1 ||
		{ cat "$dir/start.log" >&2; fail "courier $name does not start"; }
}

# instance_logs NAME: the instance's logs (start.log, and those of the
# login programs and couriertls), on stderr (after a set-up failure)
instance_logs() { show_logs "$T/courier/$1/*.log"; }

# courier_wait NAME ADDR: until the instance listens on 143, 993, 110 and
# 995 (10 s), or fail with its logs
courier_wait() {
	local name=$1 addr=$2 port
	for port in 143 993 110 995; do
		wait_port "$addr" "$port" 10 && continue
		instance_logs "$name"
		fail "setup: courier/$name does not listen on $addr:$port"
	done
}

# ------------------------------------------------------------- lab facts

# facts NAME imap|pop3 ADDR PORT starttls|implicit: what imaplib/poplib
# see, in $T/facts.NAME.PORT (KEY=VALUE lines; common.sh's fact, lab,
# lab_not)
facts() {
	"$PY" "$COURIER_DIR/mail_facts.py" "$2" "$3" "$4" "$5" "$PKI/root.pem" \
		"$NODE" >"$T/facts.$1.$4" 2>&1
}

# ------------------------------------------------------------- scenarios
# 127.0.3.21: the packaged settings (STARTTLS offered, TLS not required).
courier_start defaults 127.0.3.21
# 127.0.3.22: TLS required before any login, the hardening Courier's own
# comments suggest.
courier_start tls-required 127.0.3.22 \
	imapd-ssl:IMAP_TLS_REQUIRED=1 pop3d-ssl:POP3_TLS_REQUIRED=1
# 127.0.3.23: STARTTLS switched off on 143 and 110 (IMAPS/POP3S only).
courier_start no-starttls 127.0.3.23 \
	imapd-ssl:IMAPDSTARTTLS=NO pop3d-ssl:POP3_STARTTLS=NO

courier_wait defaults 127.0.3.21
courier_wait tls-required 127.0.3.22
courier_wait no-starttls 127.0.3.23
say "three Courier instances listen ($((SECONDS - INTEROP_START)) s)"

pids=()
for a in defaults:21 tls-required:22 no-starttls:23; do
	name=${a%:*}
	addr=127.0.3.${a#*:}
	facts "$name" imap "$addr" 143 starttls &
	pids+=($!)
	facts "$name" imap "$addr" 993 implicit &
	pids+=($!)
	facts "$name" pop3 "$addr" 110 starttls &
	pids+=($!)
	facts "$name" pop3 "$addr" 995 implicit &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

for name in defaults tls-required no-starttls; do
	lab "$name" 993 cert '^ok$' "IMAPS with a certificate that verifies"
	lab "$name" 995 cert '^ok$' "POP3S with a certificate that verifies"
	lab "$name" 143 greeting 'Courier-IMAP ready' "Courier's IMAP greeting"
done
lab defaults 143 caps '(^|\|)STARTTLS($|\|)' "STARTTLS"
lab_not defaults 143 caps 'LOGINDISABLED' "LOGIN before TLS"
lab defaults 143 cert '^ok$' "a certificate that verifies after STARTTLS"
lab defaults 110 caps '(^|\|)STLS($|\|)' "STLS"
lab defaults 110 caps '(^|\|)USER($|\|)' "USER before TLS"
lab defaults 110 cert '^ok$' "a certificate that verifies after STLS"
lab defaults 110 login_before '^\+OK' "USER accepted before TLS"
lab tls-required 143 caps '(^|\|)STARTTLS($|\|)' "STARTTLS"
lab tls-required 143 caps '(^|\|)LOGINDISABLED($|\|)' "LOGINDISABLED before TLS"
lab_not tls-required 143 caps_tls 'LOGINDISABLED' "LOGIN after TLS"
lab tls-required 110 caps '(^|\|)STLS($|\|)' "STLS"
# Courier's CAPA still lists USER with POP3_TLS_REQUIRED=1, but USER
# (and AUTH) are refused until STLS: "-ERR TLS required to log in."
lab tls-required 110 login_before '^-ERR' "USER refused before TLS"
lab tls-required 143 login_before '^NO' "LOGIN refused before TLS"
lab_not no-starttls 143 caps 'STARTTLS' "no STARTTLS"
lab_not no-starttls 110 caps 'STLS' "no STLS"
[ -z "$LAB_BAD" ] || fail "the Courier lab does not serve what the scenarios need"
say "the servers offer what the scenarios need ($((SECONDS - INTEROP_START)) s)"

pids=()
for a in defaults:21 tls-required:22 no-starttls:23; do
	MR_LOGS="$T/courier/${a%:*}/*.log" \
		mr_check "$T/${a%:*}.json" "$NODE" "127.0.3.${a#*:}" "$SERVICES" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
say "mailready ran ($((SECONDS - INTEROP_START)) s)"

# 1. The packaged settings: IMAPS and POP3S pass; on 143 and 110 LOGIN /
#    USER work before STARTTLS, so passwords may cross in clear: warn,
#    naming the setting that stops it.
expect "$T/defaults.json" courier/defaults mail.imaps pass IMAP_OK
expect "$T/defaults.json" courier/defaults mail.pop3s pass POP3_OK
expect "$T/defaults.json" courier/plaintext-login \
	mail.imap warn IMAP_PLAINTEXT_LOGIN IMAP_TLS_REQUIRED
expect "$T/defaults.json" courier/plaintext-login \
	mail.pop3 warn POP3_PLAINTEXT_LOGIN POP3_TLS_REQUIRED
# 2. TLS required (IMAP_TLS_REQUIRED=1, POP3_TLS_REQUIRED=1): everything
#    passes.
expect "$T/tls-required.json" courier/tls-required mail.imap pass IMAP_OK
expect "$T/tls-required.json" courier/tls-required mail.pop3 pass POP3_OK
expect "$T/tls-required.json" courier/tls-required mail.imaps pass IMAP_OK
expect "$T/tls-required.json" courier/tls-required mail.pop3s pass POP3_OK
# 3. No STARTTLS on 143 and 110 (IMAPDSTARTTLS=NO, POP3_STARTTLS=NO):
#    logins there cross in clear.
expect "$T/no-starttls.json" courier/no-starttls \
	mail.imap fail IMAP_STARTTLS_MISSING IMAPDSTARTTLS
expect "$T/no-starttls.json" courier/no-starttls \
	mail.pop3 fail POP3_STLS_MISSING POP3_STARTTLS
expect "$T/no-starttls.json" courier/no-starttls mail.imaps pass IMAP_OK

interop_done
