#!/bin/bash
# nginx.sh -- interop: nginx mail proxy in front of a mailstore, the way
# Carbonio's and Zimbra's "Proxy" node runs it (libnginx-mod-mail,
# auth_http, plain text to the back end), and mailready's verdicts on it.
#
#   127.0.3.10 proxy1.interop.test  993/995/465, certificate for the service
#                                   name mail.interop.test only
#   127.0.3.11 proxy2.interop.test  143/110 with `starttls on`
#   127.0.3.12 proxy3.interop.test  143/110 with `starttls only`, 993/995/465
#   127.0.3.5:80                    auth_http (a server block of the same nginx)
#   127.0.3.20 mstore1              Dovecot IMAP 143 / POP3 110 with one real
#                                   account, Postfix 25 (nginx's SMTP back end)
#
# Scenarios (the `want` is what a careful administrator says):
#   nginx/starttls-on        plain-text LOGIN/USER before TLS: warn, and the
#                            hint names nginx's `starttls only`
#   nginx/starttls-only      LOGINDISABLED / no USER in clear: pass
#   nginx/implicit-tls       993/995/465: pass, TLS session data present
#   nginx/service-cert       certificate names mail.interop.test, not the
#                            node: fail CERT_NAME_MISMATCH; with tls_names:
#                            pass (nginx/service-cert+tls_names)
#   nginx/login-ok           login_file, right password: LOGIN_OK
#   nginx/login-wrong-pass   wrong password: LOGIN_FAILED
#   nginx/login-file-0644    a login file others can read: exit 3, says so
#   nginx/backend-down       Dovecot and Postfix stopped: greeting and TLS
#                            pass (this check cannot see the back end)
#   nginx/backend-down+login with login_file: LOGIN_FAILED, naming nginx's
#                            answer
#
# Run as root: MAILREADY_BIN=build/src/mailready bash tests/interop/nginx.sh
# (KEEP_INTEROP=1 keeps $T). The suite's own set-up is checked with
# openssl s_client and nginx/mailclient.py before mailready is asked: a
# failure reported as "setup:" is this suite's, a MATRIX line not matching
# its `want` is mailready's.

set -u
. "$(dirname "$0")/common.sh"
interop_init "$@"

HERE=$INTEROP_DIR/nginx
BACKEND=127.0.3.20
TEST_USER=tester@interop.test
TEST_PASS=InteropSecret42
CLIENT=("$PY" "$HERE/mailclient.py")

need nginx dovecot doveconf postfix postconf openssl ps
[ -e /usr/lib/nginx/modules/ngx_mail_module.so ] ||
	skip "libnginx-mod-mail is not installed"

server_log "$T/nginx/error.log"
server_log "$T/nginx/auth-access.log"
server_log "$T/dovecot/dovecot.log"
server_log "$T/postfix/postfix.log"

# wait_gone ADDR PORT: until nothing accepts there (a stopped back end)
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null || return 0
		sleep 0.1
	done
	setup_fail "$1:$2 still accepts connections"
}

# dialog NAME ARGS...: run mailclient.py, its transcript in $T/dialog/NAME
# (common.sh's saw and lacks read it)
dialog() {
	local name=$1
	shift
	"${CLIENT[@]}" "$@" >"$T/dialog/$name" 2>&1
}

# ------------------------------------------------------------------ PKI
pki_leaf mail-only "DNS:mail.interop.test"
pki_leaf proxy2 "DNS:proxy2.interop.test"
pki_leaf proxy3 "DNS:proxy3.interop.test,DNS:mail.interop.test"

# --------------------------------------------------- back end: Dovecot
DC=$T/dovecot
mkdir -p "$DC/state" "$DC/home"
chown nobody:nogroup "$DC/home"
render "$HERE/dovecot.conf.in" "$DC/dovecot.conf" DIR="$DC" ADDR="$BACKEND" \
	PASSWORD="$TEST_PASS"
out=$(doveconf -c "$DC/dovecot.conf" -n 2>&1 >/dev/null) ||
	fail "setup: doveconf $DC/dovecot.conf: $out"
interop_on_exit stop_daemon dovecot "$DC/run/master.pid"
dovecot -c "$DC/dovecot.conf" </dev/null >>"$DC/dovecot.log" 2>&1 ||
	setup_fail "dovecot did not start"

# --------------------------------------- back end: Postfix (SMTP, port 25)
PF=$T/postfix
mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
chown postfix:postfix "$PF/data"
chmod 700 "$PF/data"
render "$HERE/postfix-main.cf.in" "$PF/conf/main.cf" QUEUE="$PF/queue" \
	DATA="$PF/data" LOG="$PF/postfix.log" DIR="$PF"
render "$HERE/postfix-master.cf.in" "$PF/conf/master.cf" ADDR="$BACKEND"
# Postfix re-reads a config file younger than a second: age them
touch -d '10 seconds ago' "$PF/conf/main.cf" "$PF/conf/master.cf"
interop_on_exit stop_daemon postfix "$PF/queue/pid/master.pid"
postfix -c "$PF/conf" check >"$PF/check.out" 2>&1 ||
	fail "setup: postfix check: $(cat "$PF/check.out")"
postfix -c "$PF/conf" start </dev/null >>"$PF/start.out" 2>&1 ||
	fail "setup: postfix did not start: $(cat "$PF/start.out")"

# ------------------------------------------------------------- nginx
NG=$T/nginx
mkdir -p "$NG/tmp"
render "$HERE/nginx.conf.in" "$NG/nginx.conf" DIR="$NG" PKI="$PKI" \
	BACKEND="$BACKEND" PASSWORD="$TEST_PASS"
NGINX=(nginx -p "$NG" -e "$NG/error.log" -c "$NG/nginx.conf"
	-g "pid $NG/nginx.pid; error_log $NG/error.log info;")
"${NGINX[@]}" -t >"$NG/test.out" 2>&1 ||
	fail "setup: nginx -t: $(cat "$NG/test.out")"
interop_on_exit stop_daemon nginx "$NG/nginx.pid"
"${NGINX[@]}" </dev/null >>"$NG/start.out" 2>&1 ||
	setup_fail "nginx did not start: $(cat "$NG/start.out")"

for l in $BACKEND:143 $BACKEND:110 $BACKEND:25 127.0.3.5:80 \
	127.0.3.10:993 127.0.3.10:995 127.0.3.10:465 127.0.3.11:143 \
	127.0.3.11:110 127.0.3.12:143 127.0.3.12:110 127.0.3.12:993 \
	127.0.3.12:995 127.0.3.12:465; do
	wait_port "${l%:*}" "${l#*:}" || setup_fail "nothing listens on $l"
done
say "servers up after $((SECONDS - INTEROP_START)) s"

# ------------------------------------------- the set-up, seen by others
# certificates: openssl's own verification
s_client imap-on proxy2.interop.test -starttls imap -connect 127.0.3.11:143
saw imap-on 'Verify return code: 0 \(ok\)' "proxy2 STARTTLS (IMAP) does not verify"
s_client pop3-only proxy3.interop.test -starttls pop3 -connect 127.0.3.12:110
saw pop3-only 'Verify return code: 0 \(ok\)' "proxy3 STLS (POP3) does not verify"
s_client imaps-svc mail.interop.test -connect 127.0.3.10:993
saw imaps-svc 'Verify return code: 0 \(ok\)' "proxy1:993 does not verify for mail.interop.test"
s_client imaps-node proxy1.interop.test -connect 127.0.3.10:993
saw imaps-node 'Verify return code: 62 \(hostname mismatch\)' \
	"proxy1:993 should not verify for proxy1.interop.test"
s_client smtps-svc mail.interop.test -connect 127.0.3.10:465
saw smtps-svc 'Verify return code: 0 \(ok\)' "proxy1:465 does not verify for mail.interop.test"
# starttls on: LOGIN / USER offered in clear
dialog cap-on imap 127.0.3.11 143 plain "$PKI/root.pem" proxy2.interop.test
saw cap-on '^S: \* CAPABILITY .*STARTTLS' "proxy2 IMAP offers no STARTTLS"
lacks cap-on 'LOGINDISABLED' "proxy2 (starttls on) announces LOGINDISABLED"
dialog capa-on pop3 127.0.3.11 110 plain "$PKI/root.pem" proxy2.interop.test
saw capa-on '^S: USER$' "proxy2 POP3 (starttls on) does not offer USER in clear"
# starttls only: LOGINDISABLED, no USER in clear, and USER refused there
dialog cap-only imap 127.0.3.12 143 starttls "$PKI/root.pem" proxy3.interop.test
saw cap-only '^S: \* CAPABILITY .*LOGINDISABLED' "proxy3 IMAP (starttls only) lacks LOGINDISABLED"
dialog capa-only pop3 127.0.3.12 110 plain "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
lacks capa-only '^S: USER$' "proxy3 POP3 (starttls only) offers USER in clear"
saw capa-only '^C: USER' "proxy3 POP3 dialogue did not get to USER"
saw capa-only '^S: -ERR' "proxy3 POP3 (starttls only) accepts USER in clear"
# the account, through the proxy, with the right and a wrong password
dialog login-imaps imap 127.0.3.12 993 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw login-imaps '^S: a4 OK' "IMAP login through nginx fails"
dialog login-pop3s pop3 127.0.3.12 995 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw login-pop3s '^S: \+OK Logged in' "POP3 login through nginx fails"
dialog login-smtps smtp 127.0.3.12 465 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw login-smtps '^S: 235 ' "SMTP AUTH through nginx fails"
say "set-up verified after $((SECONDS - INTEROP_START)) s (wrong passwords: below)"

# login files: the right account, a wrong password, one others can read
login_file() { # login_file FILE MODE PASSWORD
	printf '# mailready test account (interop)\nuser = %s\npassword = %s\n' \
		"$TEST_USER" "$3" >"$1"
	chmod "$2" "$1"
}
login_file "$T/login-ok" 600 "$TEST_PASS"
login_file "$T/login-wrong" 600 wrong-password
login_file "$T/login-0644" 644 "$TEST_PASS"

# ------------------------------------------------------------ scenarios
# 1. starttls on
mr_check "$T/s1.json" proxy2.interop.test 127.0.3.11 imap:143,pop3:110
expect "$T/s1.json" nginx/starttls-on mail.imap warn IMAP_PLAINTEXT_LOGIN "starttls only"
expect "$T/s1.json" nginx/starttls-on mail.pop3 warn POP3_PLAINTEXT_LOGIN "starttls only"

# 2. starttls only
mr_check "$T/s2.json" proxy3.interop.test 127.0.3.12 imap:143,pop3:110
expect "$T/s2.json" nginx/starttls-only mail.imap pass IMAP_OK
expect "$T/s2.json" nginx/starttls-only mail.pop3 pass POP3_OK

# 3. implicit TLS: a certificate naming the node; the service name only,
# without and with tls_names
mr_check "$T/s3.json" proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	expect "$T/s3.json" nginx/implicit-tls mail.$c pass TLS_SESSION
	expect_data "$T/s3.json" nginx/implicit-tls mail.$c TLS_SESSION version cipher certificate
done
mr_check "$T/s3-svc.json" proxy1.interop.test 127.0.3.10 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	expect "$T/s3-svc.json" nginx/service-cert mail.$c fail CERT_NAME_MISMATCH
done
MR_NODE_EXTRA="tls_names = mail.interop.test" \
	mr_check "$T/s3-names.json" proxy1.interop.test 127.0.3.10 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	expect "$T/s3-names.json" nginx/service-cert+tls_names mail.$c pass TLS_SESSION \
		"valid for mail.interop.test (tls_names)"
done

# 5. the back end up: logging in (opt-in login_file)
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	mr_check "$T/s5-ok.json" proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	expect "$T/s5-ok.json" nginx/login-ok mail.$c pass LOGIN_OK
done
expect_secret_absent "$T/s5-ok.json" nginx/login-ok "$TEST_PASS"
MR_CLUSTER_EXTRA="login_file = $T/login-wrong" \
	mr_check "$T/s5-wrong.json" proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
# the answer is named: the mailstore's (passed on by nginx) or auth_http's
expect "$T/s5-wrong.json" nginx/login-wrong-pass mail.imaps fail LOGIN_FAILED "Authentication failed"
expect "$T/s5-wrong.json" nginx/login-wrong-pass mail.pop3s fail LOGIN_FAILED "Authentication failed"
expect "$T/s5-wrong.json" nginx/login-wrong-pass mail.smtps fail LOGIN_FAILED "Invalid login or password"
expect_secret_absent "$T/s5-wrong.json" nginx/login-wrong-pass wrong-password
# the suite's own wrong-password dialogues come after mailready's:
# Dovecot's auth penalty makes every login from nginx's address wait 2 s or
# more after a failure (here they confirm what s5-wrong was asked against)
dialog wrong-imaps imap 127.0.3.12 993 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" wrong-password
saw wrong-imaps '^S: a4 NO \[AUTHENTICATIONFAILED\] Authentication failed' \
	"a wrong IMAP password is not refused by the mailstore"
dialog wrong-pop3s pop3 127.0.3.12 995 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" wrong-password
saw wrong-pop3s '^S: -ERR \[AUTH\] Authentication failed' \
	"a wrong POP3 password is not refused by the mailstore"
dialog wrong-smtps smtp 127.0.3.12 465 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" wrong-password
saw wrong-smtps '^S: 535 5.7.0 Invalid login or password' \
	"a wrong SMTP password is not refused by auth_http"

# a login file others can read: refused (exit 3) before anything is probed,
# with a message naming the file and saying it must be its owner's only
MR_CLUSTER_EXTRA="login_file = $T/login-0644" \
	mr_check "$T/s5-mode.json" proxy3.interop.test 127.0.3.12 imaps:993
expect_exit "$T/s5-mode.json" nginx/login-file-0644 3 "$T/login-0644" owner

# 4. the back end stopped (last: it stays down)
stop_daemon dovecot "$DC/run/master.pid"
stop_daemon postfix "$PF/queue/pid/master.pid"
wait_gone "$BACKEND" 143
wait_gone "$BACKEND" 110
wait_gone "$BACKEND" 25
dialog down-imaps imap 127.0.3.12 993 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw down-imaps '^S: \* OK' "nginx does not greet with its back end down"
saw down-imaps '^S: \* BAD internal server error' "nginx lets the login through with its back end down"
dialog down-pop3s pop3 127.0.3.12 995 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw down-pop3s '^S: -ERR internal server error' "nginx lets the POP3 login through with its back end down"
dialog down-smtps smtp 127.0.3.12 465 tls "$PKI/root.pem" proxy3.interop.test \
	"$TEST_USER" "$TEST_PASS"
saw down-smtps '^S: 451 4.3.2 Internal server error' "nginx lets SMTP AUTH through with its back end down"

mr_check "$T/s4.json" proxy3.interop.test 127.0.3.12 imap:143,pop3:110,imaps:993,pop3s:995,smtps:465
for c in imap pop3 imaps pop3s smtps; do
	expect "$T/s4.json" nginx/backend-down mail.$c pass
done
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	mr_check "$T/s4-login.json" proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
expect "$T/s4-login.json" nginx/backend-down+login mail.imaps fail LOGIN_FAILED "internal server error"
expect "$T/s4-login.json" nginx/backend-down+login mail.pop3s fail LOGIN_FAILED "internal server error"
expect "$T/s4-login.json" nginx/backend-down+login mail.smtps fail LOGIN_FAILED "Internal server error"
expect_secret_absent "$T/s4-login.json" nginx/backend-down+login "$TEST_PASS"

interop_done
