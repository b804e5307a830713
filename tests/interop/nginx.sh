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
# Inside the suite's namespace (interop_init re-executes this script there),
# before $T is made: a /tmp of its own (tmpfs), so that other runs cleaning
# /tmp/mailready-interop.* on a shared machine cannot remove $T under the
# running servers. KEEP_INTEROP=1 keeps the shared /tmp (to read $T after).
if [ -n "${INTEROP_NETNS:-}" ] && [ -z "${KEEP_INTEROP:-}" ]; then
	if ! mount --make-rprivate / ||
		! mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp; then
		fail "cannot mount a private /tmp in the namespace"
	fi
fi
interop_init "$@"

HERE=$INTEROP_DIR/nginx
START=$SECONDS
BACKEND=127.0.3.20
TEST_USER=tester@interop.test
TEST_PASS=InteropSecret42
CLIENT=("$PY" "$HERE/mailclient.py")
FAILED=()

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}
need nginx dovecot doveconf postfix postconf openssl ps
[ -e /usr/lib/nginx/modules/ngx_mail_module.so ] ||
	skip "libnginx-mod-mail is not installed"

# render IN OUT KEY=VALUE...: @KEY@ replaced; a placeholder left is an error
render() {
	local in=$1 out=$2 kv line
	shift 2
	while IFS= read -r line || [ -n "$line" ]; do
		for kv in "$@"; do
			line=${line//"@${kv%%=*}@"/"${kv#*=}"}
		done
		case $line in *@[A-Z]*@*) fail "setup: $in: placeholder left: $line" ;; esac
		printf '%s\n' "$line"
	done <"$in" >"$out"
}

# stop_daemon NAME PIDFILE|PID: SIGTERM that process (one this suite
# started) and wait up to 10 s for it and its children to exit
stop_daemon() {
	local name=$1 pid kids p alive i
	case $2 in
	*[!0-9]*) pid=$(tr -dc 0-9 <"$2" 2>/dev/null) || return 0 ;;
	*) pid=$2 ;;
	esac
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kids=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ')
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		alive=
		for p in $pid $kids; do
			kill -0 "$p" 2>/dev/null && alive+=" $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.1
	done
	say "$name did not stop in 10 s, killing$alive"
	# shellcheck disable=SC2086
	kill -KILL $alive 2>/dev/null || true
}

# wait_gone ADDR PORT: until nothing accepts there (a stopped back end)
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null || return 0
		sleep 0.1
	done
	fail "setup: $1:$2 still accepts connections"
}

show_logs() {
	local f
	for f in "$T/nginx/error.log" "$T/nginx/auth-access.log" \
		"$T/dovecot/dovecot.log" "$T/postfix/postfix.log"; do
		[ -s "$f" ] || continue
		printf '%s: ---- %s (last 40 lines)\n' "$TEST_NAME" "$f" >&2
		tail -n 40 "$f" >&2
	done
}

setup_fail() {
	show_logs
	fail "setup: $*"
}

# dialog NAME ARGS...: run mailclient.py, its transcript in $T/dialog/NAME
dialog() {
	local name=$1
	shift
	"${CLIENT[@]}" "$@" >"$T/dialog/$name" 2>&1
}

# saw NAME REGEX WHAT: the transcript has a line matching REGEX, or the
# suite's set-up is wrong (not mailready)
saw() {
	grep -Eq -- "$2" "$T/dialog/$1" && return 0
	printf '%s: ---- transcript %s\n' "$TEST_NAME" "$1" >&2
	cat "$T/dialog/$1" >&2
	setup_fail "$3 (no line matching '$2' in the dialogue $1)"
}
lacks() {
	grep -Eq -- "$2" "$T/dialog/$1" || return 0
	printf '%s: ---- transcript %s\n' "$TEST_NAME" "$1" >&2
	cat "$T/dialog/$1" >&2
	setup_fail "$3 (a line matches '$2' in the dialogue $1)"
}

# s_client NAME VERIFYNAME ARGS...: openssl's verdict on the certificate
s_client() {
	local name=$1 host=$2
	shift 2
	openssl s_client -CAfile "$PKI/root.pem" -verify_hostname "$host" \
		-servername "$host" "$@" </dev/null >"$T/dialog/$name" 2>&1
}

# mailready runs through a wrapper that keeps its exit status next to the
# config mr_check wrote (OUT.conf.rc): a run killed by a signal or refusing
# its config leaves no JSON, and the status says which
MR_REAL_BIN=$MAILREADY_BIN
MAILREADY_BIN=$T/mailready-rc
cat >"$MAILREADY_BIN" <<WRAP
#!/bin/bash
conf=
for ((i = 1; i < \$#; i++)); do
	[ "\${!i}" = -c ] && { j=\$((i + 1)); conf=\${!j}; }
done
"$MR_REAL_BIN" "\$@"
rc=\$?
[ -z "\$conf" ] || echo "\$rc" >"\$conf.rc"
exit "\$rc"
WRAP
chmod 755 "$MAILREADY_BIN"

# mr_status NAME: how the run of $T/NAME.json ended, in words
mr_status() {
	local rc
	rc=$(cat "$T/$1.json.conf.rc" 2>/dev/null) || { echo "did not run"; return; }
	if [ "$rc" -gt 128 ]; then
		echo "exit $rc: killed by SIG$(kill -l $((rc - 128)))"
	else
		echo "exit $rc"
	fi
}

# run NAME NODE ADDR SERVICES [OPTIONS...]: mr_check into $T/NAME.json;
# a run that wrote no JSON is reported (and its wants fail), the suite
# goes on
run() {
	local name=$1
	shift
	(mr_check "$T/$name.json" "$@") 2>/dev/null ||
		say "mailready wrote no JSON for $name ($(mr_status "$name"))"
}

# want NAME SCENARIO CHECK STATUS [CODE [FRAGMENT...]]: expect on
# $T/NAME.json, recorded instead of ending the suite
want() {
	local name=$1 out=$T/$1.json
	shift
	if [ ! -s "$out" ]; then
		printf 'MATRIX %-28s %-16s %-7s %-40s -- want %s%s\n' "$1" "$2" \
			"none" "(no JSON: $(mr_status "$name"))" "$3" "${4:+ $4}"
		printf 'interop: FAIL: %s %s: mailready wrote no JSON (%s); stderr: %s\n' \
			"$1" "$2" "$(mr_status "$name")" \
			"$(head -c 600 "$out.err" 2>/dev/null)" >&2
		FAILED+=("$1 $2")
		return
	fi
	(expect "$out" "$@") || FAILED+=("$1 $2")
}

# want_tls_data NAME SCENARIO CHECK: the check's TLS_SESSION finding
# carries the session's data (protocol, cipher, certificate)
want_tls_data() {
	local out=$T/$1.json
	if [ ! -s "$out" ] || ! "$PY" - "$out" "$2" "$3" <<'PY'; then
import json, sys
out, scenario, check = sys.argv[1:4]
doc = json.load(open(out))
for g in doc["nodes"] + doc["domains"]:
    for c in g["checks"]:
        if c["id"] != check:
            continue
        for f in c["findings"]:
            if f["code"] == "TLS_SESSION":
                data = f.get("data") or {}
                keys = ",".join(sorted(data)) or "-"
                print("MATRIX %-28s %-16s %-7s %-40s -- want data" % (
                    scenario, check, "data", keys[:40]))
                missing = [k for k in ("version", "cipher", "certificate")
                           if not data.get(k)]
                if not data or missing:
                    print("interop: FAIL: %s %s: TLS_SESSION data lacks %s: %s"
                          % (scenario, check, missing or "everything", data),
                          file=sys.stderr)
                    sys.exit(1)
                sys.exit(0)
print("interop: FAIL: %s %s: no TLS_SESSION finding" % (scenario, check),
      file=sys.stderr)
sys.exit(1)
PY
		FAILED+=("$2 $3 (TLS_SESSION data)")
	fi
}

mkdir -p "$T/dialog"

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
	wait_port "${l%:*}" "${l#*:}"
done
say "servers up after $((SECONDS - START)) s"

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
say "set-up verified after $((SECONDS - START)) s (wrong passwords: below)"

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
run s1 proxy2.interop.test 127.0.3.11 imap:143,pop3:110
want s1 nginx/starttls-on mail.imap warn IMAP_PLAINTEXT_LOGIN "starttls only"
want s1 nginx/starttls-on mail.pop3 warn POP3_PLAINTEXT_LOGIN "starttls only"

# 2. starttls only
run s2 proxy3.interop.test 127.0.3.12 imap:143,pop3:110
want s2 nginx/starttls-only mail.imap pass IMAP_OK
want s2 nginx/starttls-only mail.pop3 pass POP3_OK

# 3. implicit TLS: a certificate naming the node; the service name only,
# without and with tls_names
run s3 proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	want s3 nginx/implicit-tls mail.$c pass TLS_SESSION
	want_tls_data s3 nginx/implicit-tls mail.$c
done
run s3-svc proxy1.interop.test 127.0.3.10 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	want s3-svc nginx/service-cert mail.$c fail CERT_NAME_MISMATCH
done
MR_NODE_EXTRA="tls_names = mail.interop.test" \
	run s3-names proxy1.interop.test 127.0.3.10 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	want s3-names nginx/service-cert+tls_names mail.$c pass TLS_SESSION
done

# 5. the back end up: logging in (opt-in login_file)
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	run s5-ok proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
for c in imaps pop3s smtps; do
	want s5-ok nginx/login-ok mail.$c pass LOGIN_OK
done
MR_CLUSTER_EXTRA="login_file = $T/login-wrong" \
	run s5-wrong proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
# the answer is named: the mailstore's (passed on by nginx) or auth_http's
want s5-wrong nginx/login-wrong-pass mail.imaps fail LOGIN_FAILED "Authentication failed"
want s5-wrong nginx/login-wrong-pass mail.pop3s fail LOGIN_FAILED "Authentication failed"
want s5-wrong nginx/login-wrong-pass mail.smtps fail LOGIN_FAILED "Invalid login or password"
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
	run s5-mode proxy3.interop.test 127.0.3.12 imaps:993 >/dev/null
rc=$(cat "$T/s5-mode.json.conf.rc" 2>/dev/null || echo none)
err=$(tr '\n' ' ' <"$T/s5-mode.json.err")
names=no owner=no
grep -qF -- "$T/login-0644" <<<"$err" && names=yes
grep -Eqi -- 'owner|0600' <<<"$err" && owner=yes
printf 'MATRIX %-28s %-16s %-7s %-40s -- want exit 3 names-file=yes owner-only=yes\n' \
	nginx/login-file-0644 config "exit $rc" "names-file=$names owner-only=$owner"
if [ "$rc" != 3 ] || [ $names = no ] || [ $owner = no ]; then
	printf 'interop: FAIL: nginx/login-file-0644: exit %s, want 3 and a message naming %s and that only its owner may read it; stderr: %s\n' \
		"$rc" "$T/login-0644" "${err:0:600}" >&2
	FAILED+=("nginx/login-file-0644 config")
fi

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

run s4 proxy3.interop.test 127.0.3.12 imap:143,pop3:110,imaps:993,pop3s:995,smtps:465
for c in imap pop3 imaps pop3s smtps; do
	want s4 nginx/backend-down mail.$c pass
done
MR_CLUSTER_EXTRA="login_file = $T/login-ok" \
	run s4-login proxy3.interop.test 127.0.3.12 imaps:993,pop3s:995,smtps:465
want s4-login nginx/backend-down+login mail.imaps fail LOGIN_FAILED "internal server error"
want s4-login nginx/backend-down+login mail.pop3s fail LOGIN_FAILED "internal server error"
want s4-login nginx/backend-down+login mail.smtps fail LOGIN_FAILED "Internal server error"

# ------------------------------------------------------------- verdict
say "runtime $((SECONDS - START)) s"
if [ ${#FAILED[@]} -gt 0 ]; then
	show_logs
	say "${#FAILED[@]} assertion(s) failed:"
	printf '  %s\n' "${FAILED[@]}"
	exit 1
fi
say "all assertions hold"
