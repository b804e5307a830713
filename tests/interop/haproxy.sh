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
interop_init "$@"

HERE=$INTEROP_DIR/haproxy
FRONT=127.0.3.30
BACK=127.0.3.40

need haproxy dovecot doveconf openssl ps

server_log "$T/haproxy/haproxy.log"
server_log "$T/dovecot/dovecot.log"

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
	wait_port "$BACK" "$p" || setup_fail "nothing listens on $BACK:$p"
	wait_port "$FRONT" "$p" || setup_fail "nothing listens on $FRONT:$p"
done
say "servers up after $((SECONDS - INTEROP_START)) s"

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
say "set-up verified after $((SECONDS - INTEROP_START)) s"

# ------------------------------------------------------------ scenarios
# 1. the back end up
mr_check "$T/s1.json" lb1.interop.test "$FRONT" imap:143,imaps:993,pop3:110,pop3s:995
expect "$T/s1.json" haproxy/starttls-passthrough mail.imap pass IMAP_OK
expect "$T/s1.json" haproxy/starttls-passthrough mail.pop3 pass POP3_OK
expect "$T/s1.json" haproxy/tls-at-dovecot mail.imaps pass TLS_SESSION
expect "$T/s1.json" haproxy/tls-at-dovecot mail.pop3s pass TLS_SESSION

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
mr_check "$T/s2.json" lb1.interop.test "$FRONT" imap:143,pop3:110
expect "$T/s2.json" haproxy/backend-down net.port.imap pass PORT_OPEN
expect "$T/s2.json" haproxy/backend-down mail.imap fail SERVER_CLOSED
expect "$T/s2.json" haproxy/backend-down mail.pop3 fail SERVER_CLOSED
# implicit TLS: closed before the handshake; the message must say that the
# server closed the connection, whatever the code
mr_check "$T/s2-tls.json" lb1.interop.test "$FRONT" imaps:993,pop3s:995
expect "$T/s2-tls.json" haproxy/backend-down net.port.imaps pass PORT_OPEN
expect "$T/s2-tls.json" haproxy/backend-down mail.imaps fail "" "closed"
expect "$T/s2-tls.json" haproxy/backend-down mail.pop3s fail "" "closed"

interop_done
