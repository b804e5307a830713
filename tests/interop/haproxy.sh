#!/bin/bash
# haproxy.sh -- interop: HAProxy in TCP mode with send-proxy-v2 in front of
# a Dovecot that expects the PROXY header (haproxy = yes,
# haproxy_trusted_networks), and mailready's verdicts on it.
#
#   127.0.3.30 lb1.interop.test  HAProxy: 143, 993, 110, 995 (TCP, no TLS)
#   127.0.3.40 mstore1           Dovecot: the same ports; STARTTLS and
#                                implicit TLS, certificate lb1.interop.test
#
# Scenarios (the `want` is what a careful administrator says):
#   haproxy/starttls-passthrough  143 and 110: Dovecot's greeting and
#                                 STARTTLS through HAProxy: pass
#   haproxy/tls-at-dovecot        993 and 995, TLS ends at Dovecot: pass
#   haproxy/backend-down          Dovecot stopped: HAProxy accepts the TCP
#                                 connection and closes it at once: the port
#                                 is open (pass) but the service fails, saying
#                                 that the server closed the connection
#                                 (SERVER_CLOSED), neither unknown nor pass
#
# Run as root: MAILREADY_BIN=build/src/mailready bash tests/interop/haproxy.sh
# (KEEP_INTEROP=1 keeps $T). A failure reported as "setup:" is this suite's;
# a MATRIX line not matching its `want` is mailready's.

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

HERE=$INTEROP_DIR/haproxy
START=$SECONDS
FRONT=127.0.3.30
BACK=127.0.3.40
FAILED=()

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}
need haproxy dovecot doveconf openssl ps

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

show_logs() {
	local f
	for f in "$T/haproxy/haproxy.log" "$T/dovecot/dovecot.log"; do
		[ -s "$f" ] || continue
		printf '%s: ---- %s (last 40 lines)\n' "$TEST_NAME" "$f" >&2
		tail -n 40 "$f" >&2
	done
}

setup_fail() {
	show_logs
	fail "setup: $*"
}

# first_line ADDR PORT SECONDS: what the server sends first (CR removed),
# or "EOF" when it closes without a word, or "SILENT"
first_line() {
	local fd l rc
	{ exec {fd}<>"/dev/tcp/$1/$2"; } 2>/dev/null || { echo REFUSED; return; }
	IFS= read -r -t "$3" l <&"$fd"
	rc=$?
	exec {fd}>&-
	if [ $rc -eq 0 ] || [ -n "$l" ]; then
		printf '%s\n' "${l%$'\r'}"
	elif [ $rc -gt 128 ]; then
		echo SILENT # read timed out
	else
		echo EOF
	fi
}

# s_client NAME VERIFYNAME ARGS...: openssl's verdict on the certificate
s_client() {
	local name=$1 host=$2
	shift 2
	openssl s_client -CAfile "$PKI/root.pem" -verify_hostname "$host" \
		-servername "$host" "$@" </dev/null >"$T/dialog/$name" 2>&1
}
saw() {
	grep -Eq -- "$2" "$T/dialog/$1" && return 0
	printf '%s: ---- transcript %s\n' "$TEST_NAME" "$1" >&2
	cat "$T/dialog/$1" >&2
	setup_fail "$3 (no line matching '$2' in $1)"
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

mkdir -p "$T/dialog"
pki_leaf lb1 "DNS:lb1.interop.test"

# ------------------------------------------------------------- Dovecot
DC=$T/dovecot
mkdir -p "$DC/state"
render "$HERE/dovecot.conf.in" "$DC/dovecot.conf" DIR="$DC" ADDR="$BACK" PKI="$PKI"
out=$(doveconf -c "$DC/dovecot.conf" -n 2>&1 >/dev/null) ||
	fail "setup: doveconf $DC/dovecot.conf: $out"
interop_on_exit stop_daemon dovecot "$DC/run/master.pid"
dovecot -c "$DC/dovecot.conf" </dev/null >>"$DC/dovecot.log" 2>&1 ||
	setup_fail "dovecot did not start"

# ------------------------------------------------------------- HAProxy
HA=$T/haproxy
mkdir -p "$HA"
render "$HERE/haproxy.cfg.in" "$HA/haproxy.cfg" FRONT="$FRONT" BACK="$BACK"
haproxy -c -f "$HA/haproxy.cfg" >"$HA/check.out" 2>&1 ||
	fail "setup: haproxy -c: $(cat "$HA/check.out")"
# in the foreground (-db), logging to stdout: stopped by its pid
haproxy -db -f "$HA/haproxy.cfg" </dev/null >>"$HA/haproxy.log" 2>&1 &
interop_on_exit stop_daemon haproxy $!

# (wait_port's own connections to $BACK carry no PROXY header: Dovecot logs
# them as "haproxy: Client not trusted")
for p in 143 993 110 995; do
	wait_port "$BACK" "$p"
	wait_port "$FRONT" "$p"
done
say "servers up after $((SECONDS - START)) s"

# ------------------------------------------- the set-up, seen by others
l=$(first_line "$FRONT" 143 5)
[[ $l == '* OK '*' Dovecot '*'ready.' ]] || setup_fail "IMAP through HAProxy greets with: $l"
l=$(first_line "$FRONT" 110 5)
[[ $l == '+OK Dovecot '*'ready.' ]] || setup_fail "POP3 through HAProxy greets with: $l"
s_client imap lb1.interop.test -starttls imap -connect "$FRONT:143"
saw imap 'Verify return code: 0 \(ok\)' "STARTTLS through HAProxy (IMAP) does not verify"
s_client imaps lb1.interop.test -connect "$FRONT:993"
saw imaps 'Verify return code: 0 \(ok\)' "IMAPS through HAProxy does not verify"
s_client pop3 lb1.interop.test -starttls pop3 -connect "$FRONT:110"
saw pop3 'Verify return code: 0 \(ok\)' "STLS through HAProxy (POP3) does not verify"
s_client pop3s lb1.interop.test -connect "$FRONT:995"
saw pop3s 'Verify return code: 0 \(ok\)' "POP3S through HAProxy does not verify"
# the PROXY header reached Dovecot: it logs the balancer's address as its
# local one (without the header it would see its own, $BACK)
sleep 0.2
grep -q "lip=$FRONT" "$DC/dovecot.log" ||
	setup_fail "Dovecot did not take the PROXY header (no lip=$FRONT in its log)"
! grep -qi 'haproxy.*\(invalid\|fail\|error\)' "$DC/dovecot.log" ||
	setup_fail "Dovecot logs PROXY protocol errors"
say "set-up verified after $((SECONDS - START)) s"

# ------------------------------------------------------------ scenarios
# 1. the back end up
run s1 lb1.interop.test "$FRONT" imap:143,imaps:993,pop3:110,pop3s:995
want s1 haproxy/starttls-passthrough mail.imap pass IMAP_OK
want s1 haproxy/starttls-passthrough mail.pop3 pass POP3_OK
want s1 haproxy/tls-at-dovecot mail.imaps pass TLS_SESSION
want s1 haproxy/tls-at-dovecot mail.pop3s pass TLS_SESSION

# 2. the back end stopped: wait until HAProxy's checks mark it DOWN (then
# it accepts and closes at once), and see that with bash
stop_daemon dovecot "$DC/run/master.pid"
backends_down() {
	grep -o 'Server dovecot_[a-z0-9]*/mstore1 is DOWN' "$HA/haproxy.log" |
		sort -u | wc -l
}
for ((i = 0; i < 100; i++)); do
	[ "$(backends_down)" -ge 4 ] && break
	sleep 0.1
done
[ "$(backends_down)" -ge 4 ] ||
	setup_fail "HAProxy did not mark the stopped Dovecot DOWN in 10 s"
for p in 143 110 993 995; do
	l=$(first_line "$FRONT" "$p" 5)
	[ "$l" = EOF ] || setup_fail "HAProxy $FRONT:$p with its back end down: $l (want: accepted, then closed)"
done

# (two runs: the plain-text ports and the implicit-TLS ones, so that one
# service's trouble cannot hide the other's verdict)
run s2 lb1.interop.test "$FRONT" imap:143,pop3:110
want s2 haproxy/backend-down net.port.imap pass PORT_OPEN
want s2 haproxy/backend-down mail.imap fail SERVER_CLOSED
want s2 haproxy/backend-down mail.pop3 fail SERVER_CLOSED
# implicit TLS: closed before the handshake; the message must say that the
# server closed the connection, whatever the code
run s2-tls lb1.interop.test "$FRONT" imaps:993,pop3s:995
want s2-tls haproxy/backend-down net.port.imaps pass PORT_OPEN
want s2-tls haproxy/backend-down mail.imaps fail "" "closed"
want s2-tls haproxy/backend-down mail.pop3s fail "" "closed"

# ------------------------------------------------------------- verdict
say "runtime $((SECONDS - START)) s"
if [ ${#FAILED[@]} -gt 0 ]; then
	show_logs
	say "${#FAILED[@]} assertion(s) failed:"
	printf '  %s\n' "${FAILED[@]}"
	exit 1
fi
say "all assertions hold"
