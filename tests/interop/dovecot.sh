#!/bin/bash
# dovecot.sh -- interop: real Dovecot IMAP and POP3 servers on 127.0.3.N
# configured the way deployments do (Debian's ssl/auth settings, per-IP
# certificates, ssl = required, TLS 1.3 only, a test account), and the
# verdicts a careful mail administrator gives on them.
#
#   MAILREADY_BIN=$PWD/build/src/mailready bash tests/interop/dovecot.sh
#   meson test -C build --suite interop --print-errorlogs
#
# Root only; the script puts itself in a private network namespace (lo
# only, see common.sh). Two Dovecot instances: the main one
# (dovecot/dovecot.conf.in, one `local` block per scenario address) and
# one with `ssl = required` server-wide (dovecot/dovecot-required.conf.in).
# Before mailready runs, the suite checks with its own client that each
# server behaves as its scenario says (a setup error is not mailready's).
# KEEP_INTEROP=1 keeps $T (configs, logs, JSON).
#
# Every assertion prints its MATRIX line; a failing one is reported (with
# mailready's findings and the server log of that run) and the suite goes
# on, so that one run shows the whole matrix (common.sh).
set -u
. "$(dirname "$0")/common.sh"
interop_init "$@"

SRC=$INTEROP_DIR/dovecot
DC_DIR=$T/dovecot
DC_CONF=$DC_DIR/dovecot.conf
DR_DIR=$T/dovecot-required
DR_CONF=$DR_DIR/dovecot.conf
OUT=$T/out
mkdir -p "$OUT"
PASSWORD=interop-$RANDOM$RANDOM
export PASSWORD

declare -A NODE_ADDR=(
	[required.interop.test]=127.0.3.20
	[plain.interop.test]=127.0.3.21
	[nochain.interop.test]=127.0.3.22
	[ecdsa.interop.test]=127.0.3.23
	[rsa.interop.test]=127.0.3.24
	[mx.interop.test]=127.0.3.25
	[tls13.interop.test]=127.0.3.26
	[login.interop.test]=127.0.3.27
	[strict.interop.test]=127.0.3.28
)
DC_LISTEN=(127.0.3.21:143 127.0.3.21:110 127.0.3.26:143 127.0.3.26:110)
for a in 22 23 24 25 26 27; do DC_LISTEN+=("127.0.3.$a:993" "127.0.3.$a:995"); done
DR_LISTEN=(127.0.3.20:143 127.0.3.20:993 127.0.3.20:110 127.0.3.20:995
	127.0.3.28:143 127.0.3.28:110)

# run_check NAME NODE SERVICES [OPTIONS]: mr_check on the node's address
# ($OUT/NAME)
run_check() {
	mr_check "$OUT/$1" "$2" "${NODE_ADDR[$2]}" "$3" "${@:4}"
}

# ------------------------------------------------------------ the PKI

pki_leaf required "DNS:required.interop.test"
pki_leaf plain "DNS:plain.interop.test"
pki_leaf nochain "DNS:nochain.interop.test"
pki_leaf ecdsa "DNS:ecdsa.interop.test" ec
pki_leaf rsa "DNS:rsa.interop.test" rsa
pki_leaf wildcard "DNS:*.interop.test"
pki_leaf tls13 "DNS:tls13.interop.test"
pki_leaf login "DNS:login.interop.test"
pki_leaf strict "DNS:strict.interop.test"
chmod 600 "$PKI"/*.key

# ------------------------------------------------------------ Dovecot

mkdir -p "$DC_DIR/state" "$DC_DIR/mail" "$DR_DIR/state"
chown nobody:nogroup "$DC_DIR/mail"
render "$SRC/dovecot.conf.in" "$DC_CONF" DIR="$DC_DIR" PKI="$PKI" PASSWORD="$PASSWORD"
render "$SRC/dovecot-required.conf.in" "$DR_CONF" DIR="$DR_DIR" PKI="$PKI"
chmod 600 "$DC_CONF"
for c in "$DC_CONF" "$DR_CONF"; do
	out=$(doveconf -c "$c" -n 2>&1 >/dev/null) || fail "doveconf $c: $out"
done

interop_on_exit stop_daemon dovecot "$DC_DIR/run/master.pid"
interop_on_exit stop_daemon dovecot-required "$DR_DIR/run/master.pid"
server_log "$DC_DIR/dovecot.log"
server_log "$DR_DIR/dovecot.log"
t0=$SECONDS
for c in "$DC_CONF" "$DR_CONF"; do
	dovecot -c "$c" >"${c%/*}/start.out" 2>&1 ||
		setup_fail "dovecot -c $c did not start: $(cat "${c%/*}/start.out")"
done
for lp in "${DC_LISTEN[@]}" "${DR_LISTEN[@]}"; do
	wait_port "${lp%:*}" "${lp##*:}" 15 ||
		setup_fail "nothing listens on $lp after 15 s"
done
# listening exactly where the scenarios say, and nowhere but 127.0.3.x
got=$(ss -Hltun | awk '{ print $1 " " $5 }' | sort)
[ "$got" = "$(printf 'tcp %s\n' "${DC_LISTEN[@]}" "${DR_LISTEN[@]}" | sort)" ] ||
	fail "listeners are not the scenarios' ones: ${got//$'\n'/ }"
say "two dovecots (${#DC_LISTEN[@]} + ${#DR_LISTEN[@]} listeners) up in $((SECONDS - t0)) s"

# ------------------------------------------------------------ the setup
# Our own client (Python's imaplib/poplib/ssl) confirms that every server
# does what its scenario says; otherwise a verdict would prove nothing.
"$PY" - "$PKI" <<'PY' || setup_fail "the servers do not behave as the scenarios say"
import imaplib, os, poplib, socket, ssl, subprocess, sys
pki, pw = sys.argv[1], os.environ["PASSWORD"]
bad = []
def ctx(name, **kw):
    c = ssl.create_default_context(cafile=pki + "/root.pem")
    for k, v in kw.items():
        setattr(c, k, v)
    return c
def want(cond, what):
    print("setup: %s: %s" % ("ok" if cond else "WRONG", what))
    if not cond:
        bad.append(what)

# ssl = required: USER listed before STLS, refused in clear; LOGINDISABLED
p = poplib.POP3("127.0.3.20", 110, timeout=5)
capa = p.capa()
want("USER" in capa and "STLS" in capa, "required: POP3 CAPA before STLS lists USER and STLS (%s)" % sorted(capa))
try:
    r = p._shortcmd("USER probe@interop.test")
    want(False, "required: POP3 USER in clear refused (got %r)" % r)
except poplib.error_proto as e:
    want(b"Plaintext authentication disallowed" in e.args[0], "required: POP3 USER in clear refused: %r" % e.args[0])
p.quit()
i = imaplib.IMAP4("127.0.3.20", 143, timeout=5)
want("LOGINDISABLED" in i.capabilities, "required: IMAP LOGINDISABLED before STARTTLS (%s)" % " ".join(i.capabilities))
i.logout()
# ... and with disable_plaintext_auth = yes as well
p = poplib.POP3("127.0.3.28", 110, timeout=5)
try:
    r = p._shortcmd("USER probe@interop.test")
    want(False, "strict: POP3 USER in clear refused (got %r)" % r)
except poplib.error_proto as e:
    want(e.args[0].startswith(b"-ERR"), "strict: POP3 USER in clear refused: %r" % e.args[0])
p.quit()

# ssl = yes, disable_plaintext_auth = no: login in clear really works
p = poplib.POP3("127.0.3.21", 110, timeout=5)
p.user("probe@interop.test")
try:
    r = p.pass_(pw)
    want(r.startswith(b"+OK"), "plain: POP3 USER/PASS in clear logs in")
except poplib.error_proto as e:
    want(False, "plain: POP3 USER/PASS in clear logs in (%r)" % e.args[0])
p.quit()
i = imaplib.IMAP4("127.0.3.21", 143, timeout=5)
want("LOGINDISABLED" not in i.capabilities, "plain: no LOGINDISABLED before STARTTLS")
want(i.login("probe@interop.test", pw)[0] == "OK", "plain: IMAP LOGIN in clear logs in")
i.logout()

# missing intermediate: one certificate in the chain, which then fails
out = subprocess.run(["openssl", "s_client", "-connect", "127.0.3.22:993",
                      "-servername", "nochain.interop.test", "-showcerts",
                      "-CAfile", pki + "/root.pem"], input=b"", capture_output=True,
                     timeout=10)
out = (out.stdout + out.stderr).decode(errors="replace")
want(out.count("BEGIN CERTIFICATE") == 1, "nochain: the server sends the leaf alone")
want("unable to get local issuer certificate" in out, "nochain: the chain does not verify against the root")

# certificates, names and the TLS 1.3 floor, verified with the root only
for addr, name, port, what in [
        ("127.0.3.23", "ecdsa.interop.test", 993, "id-ecPublicKey"),
        ("127.0.3.24", "rsa.interop.test", 993, "rsaEncryption"),
        ("127.0.3.25", "mx.interop.test", 993, "DNS:*.interop.test"),
        ("127.0.3.26", "tls13.interop.test", 993, "tls13")]:
    s = ctx(name).wrap_socket(socket.create_connection((addr, port), 5), server_hostname=name)
    der = s.getpeercert(True)
    txt = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-text"],
                         input=der, capture_output=True).stdout.decode()
    want(s.version() == "TLSv1.3" if what == "tls13" else what in txt, "%s: TLS with %s verifies (%s, %s)" % (name, what, s.version(), s.cipher()[0]))
    s.close()
try:
    c = ctx("tls13.interop.test", maximum_version=ssl.TLSVersion.TLSv1_2)
    c.wrap_socket(socket.create_connection(("127.0.3.26", 993), 5), server_hostname="tls13.interop.test")
    want(False, "tls13: TLS 1.2 is refused")
except ssl.SSLError as e:
    want(True, "tls13: TLS 1.2 is refused (%s)" % e.reason)
c = ctx("ecdsa.interop.test", maximum_version=ssl.TLSVersion.TLSv1_2)
s = c.wrap_socket(socket.create_connection(("127.0.3.23", 993), 5), server_hostname="ecdsa.interop.test")
want(s.version() == "TLSv1.2", "ecdsa: TLS 1.2 still works elsewhere")
s.close()

# the test account: the password logs in over TLS, another one does not
# (the libraries ask for the address as the name: names are checked above)
for port in (993, 995):
    for password, ok in ((pw, True), (pw + "-wrong", False)):
        try:
            if port == 993:
                i = imaplib.IMAP4_SSL("127.0.3.27", 993, ssl_context=ctx("login.interop.test", check_hostname=False), timeout=10)
                i.login("probe@interop.test", password)
                i.logout()
            else:
                p = poplib.POP3_SSL("127.0.3.27", 995, context=ctx("login.interop.test", check_hostname=False), timeout=10)
                p.user("probe@interop.test")
                p.pass_(password)
                p.quit()
            got = True
        except (imaplib.IMAP4.error, poplib.error_proto):
            got = False
        want(got == ok, "login: port %d, %s password %s" % (port, "the" if ok else "a wrong",
             "logs in" if ok else "is refused"))
sys.exit(1 if bad else 0)
PY

# ------------------------------------------------------------ scenarios

# 1. ssl = required with disable_plaintext_auth = no: POP3 CAPA lists USER
# before STLS, but USER in clear gets -ERR [AUTH] (and IMAP says
# LOGINDISABLED). No password can cross in clear: pass, and no
# POP3_PLAINTEXT_LOGIN / IMAP_PLAINTEXT_LOGIN.
run_check ssl-required required.interop.test imap:143,pop3:110
expect "$OUT/ssl-required" dovecot/ssl-required mail.pop3 pass TLS_SESSION
expect_absent "$OUT/ssl-required" dovecot/ssl-required mail.pop3 POP3_PLAINTEXT_LOGIN
expect "$OUT/ssl-required" dovecot/ssl-required mail.imap pass TLS_SESSION
expect_absent "$OUT/ssl-required" dovecot/ssl-required mail.imap IMAP_PLAINTEXT_LOGIN

# what was tried, and what the server said
expect "$OUT/ssl-required" dovecot/ssl-required mail.pop3 pass PLAINTEXT_REFUSED \
	"USER got '-ERR [AUTH] Plaintext authentication disallowed"

# ... and with disable_plaintext_auth = yes too (Debian's default): CAPA
# no longer lists USER before STLS, so nothing is tried; the same verdict
run_check ssl-required-strict strict.interop.test imap:143,pop3:110
expect "$OUT/ssl-required-strict" dovecot/ssl-required-strict mail.pop3 pass TLS_SESSION
expect_absent "$OUT/ssl-required-strict" dovecot/ssl-required-strict mail.pop3 POP3_PLAINTEXT_LOGIN
expect "$OUT/ssl-required-strict" dovecot/ssl-required-strict mail.imap pass TLS_SESSION
expect_absent "$OUT/ssl-required-strict" dovecot/ssl-required-strict mail.imap IMAP_PLAINTEXT_LOGIN

# ssl = yes, disable_plaintext_auth = no: login in clear really works
run_check plaintext-login plain.interop.test imap:143,pop3:110
expect "$OUT/plaintext-login" dovecot/plaintext-login mail.pop3 warn POP3_PLAINTEXT_LOGIN
expect "$OUT/plaintext-login" dovecot/plaintext-login mail.imap warn IMAP_PLAINTEXT_LOGIN

# 2. the server sends the leaf without its intermediate: clients that
# trust only the root cannot build the chain
run_check missing-intermediate nochain.interop.test imaps:993,pop3s:995
expect "$OUT/missing-intermediate" dovecot/missing-intermediate mail.imaps fail CERT_UNTRUSTED
expect "$OUT/missing-intermediate" dovecot/missing-intermediate mail.pop3s fail CERT_UNTRUSTED

# 3. an ECDSA-only certificate, and an RSA one: both are fine
run_check ecdsa-only ecdsa.interop.test imaps:993,pop3s:995
expect "$OUT/ecdsa-only" dovecot/ecdsa-only mail.imaps pass TLS_SESSION
expect "$OUT/ecdsa-only" dovecot/ecdsa-only mail.pop3s pass TLS_SESSION
run_check rsa rsa.interop.test imaps:993,pop3s:995
expect "$OUT/rsa" dovecot/rsa mail.imaps pass TLS_SESSION
expect "$OUT/rsa" dovecot/rsa mail.pop3s pass TLS_SESSION

# 4. the certificate names only *.interop.test; the node is
# mx.interop.test, which the wildcard covers (RFC 6125)
run_check wildcard-san mx.interop.test imaps:993,pop3s:995
expect "$OUT/wildcard-san" dovecot/wildcard-san mail.imaps pass TLS_SESSION
expect_absent "$OUT/wildcard-san" dovecot/wildcard-san mail.imaps CERT_NAME_MISMATCH
expect "$OUT/wildcard-san" dovecot/wildcard-san mail.pop3s pass TLS_SESSION

# 5. ssl_min_protocol = TLSv1.3, with STARTTLS and implicit TLS
run_check tls13-only tls13.interop.test imap:143,imaps:993,pop3:110,pop3s:995
expect "$OUT/tls13-only" dovecot/tls13-only mail.imap pass TLS_SESSION
expect "$OUT/tls13-only" dovecot/tls13-only mail.imaps pass TLS_SESSION TLSv1.3
expect "$OUT/tls13-only" dovecot/tls13-only mail.pop3 pass TLS_SESSION
expect "$OUT/tls13-only" dovecot/tls13-only mail.pop3s pass TLS_SESSION TLSv1.3

# 6. the opt-in login with the test account of login_file (mode 0600):
# LOGIN_OK over TLS on 993 and 995; a wrong password: LOGIN_FAILED
umask 077
printf 'user = probe@interop.test\npassword = %s\n' "$PASSWORD" >"$T/login-ok"
printf 'user = probe@interop.test\npassword = %s-wrong\n' "$PASSWORD" >"$T/login-wrong"
umask 022
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	run_check login-ok login.interop.test imaps:993,pop3s:995
expect "$OUT/login-ok" dovecot/login-ok mail.imaps pass LOGIN_OK
expect "$OUT/login-ok" dovecot/login-ok mail.pop3s pass LOGIN_OK
expect_secret_absent "$OUT/login-ok" dovecot/login-ok "$PASSWORD"
# after STARTTLS and STLS (the same server, another listener)
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	run_check login-starttls tls13.interop.test imap:143,pop3:110
expect "$OUT/login-starttls" dovecot/login-starttls mail.imap pass LOGIN_OK
expect "$OUT/login-starttls" dovecot/login-starttls mail.pop3 pass LOGIN_OK
MR_CLUSTER_EXTRA="login_file = $T/login-wrong" \
	run_check login-wrong login.interop.test imaps:993,pop3s:995
expect "$OUT/login-wrong" dovecot/login-wrong mail.imaps fail LOGIN_FAILED
expect "$OUT/login-wrong" dovecot/login-wrong mail.pop3s fail LOGIN_FAILED

interop_done
