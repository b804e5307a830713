#!/usr/bin/env bash
# policy-check.sh -- prove that the lab serves the mail-policy records and
# MTA-STS policies that tests/lab/README.md ("Policy") and
# configs/policy.conf describe, with independent clients only: dig and
# drill against the lab resolvers, openssl for the DKIM keys and the
# certificates, curl for the MTA-STS policies. mailready is not run.
#
#   policy-check.sh [RUNDIR]
#
# Must run as root. Runs itself in a private network namespace (unshare
# --net --mount --uts: its own loopback, nothing can leave the machine),
# starts the lab components dns and web there (RUNDIR, default a new
# directory under ${TMPDIR:-/tmp}), checks every record and policy, stops
# the lab and exits 0 when everything matched, 1 on any mismatch (each one
# printed as "FAIL ..."), 2 when the lab cannot be started.
#
# Expected values are written out here, not read from the zone files: this
# script checks what the lab serves against what the README promises.
set -uo pipefail

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
OUT=127.0.0.11          # outside view (plain recursion from the lab root)
IN=127.0.0.10           # inside view (split horizon)
NS=(127.0.0.4 127.0.0.5)  # ns1, ns2: authoritative for every policy domain

[ "$(id -u)" -eq 0 ] || { echo "policy-check: must run as root" >&2; exit 2; }

if [ "${POLICY_CHECK_NS:-}" != 1 ]; then
	exec env POLICY_CHECK_NS=1 unshare --net --mount --uts --fork \
		bash -c 'ip link set lo up && exec "$0" "$@"' "${BASH_SOURCE[0]}" "$@"
fi

# ------------------------------------------------------------ the lab

if [ $# -ge 1 ]; then
	RUNDIR=$1
	OWN_RUNDIR=0
else
	RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/policy-check.XXXXXX") || exit 2
	chmod 755 "$RUNDIR"
	OWN_RUNDIR=1
fi
CA=$RUNDIR/mail/pki/root.pem

stop_lab() {
	"$LAB_DIR/lab.sh" stop "$RUNDIR" >/dev/null 2>&1
	[ "$OWN_RUNDIR" -eq 0 ] || rm -rf -- "$RUNDIR"
}
t0=${EPOCHREALTIME/./}
if ! "$LAB_DIR/lab.sh" start "$RUNDIR" dns web; then
	echo "policy-check: the lab did not start (logs in $RUNDIR)" >&2
	OWN_RUNDIR=0
	stop_lab
	exit 2
fi
trap stop_lab EXIT
trap 'exit 130' INT TERM HUP
t1=${EPOCHREALTIME/./}
echo "policy-check: lab (dns web) started in $(( (t1 - t0) / 1000 )) ms"

# ------------------------------------------------------------ helpers

PASSES=0 FAILS=0
ok()   { PASSES=$((PASSES + 1)); [ -z "${VERBOSE:-}" ] || echo "ok   $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $*"; }

# q SERVER NAME TYPE: the answer's records (dig +short), one per line,
# sorted; TXT strings of one record joined (as RFC 7208/6376 read them)
q() {
	dig +short +time=2 +tries=2 @"$1" "$2" "$3" 2>&1 |
		if [ "$3" = TXT ]; then sed 's/" "//g; s/^"//; s/"$//'; else cat; fi | sort
}

# rcode SERVER NAME TYPE: NOERROR, NXDOMAIN, SERVFAIL, ...
rcode() {
	dig +time=2 +tries=2 @"$1" "$2" "$3" 2>&1 |
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# expect [-s SERVER] NAME TYPE VALUE...: the answer is exactly these records
expect() {
	local srv=$OUT got want
	if [ "$1" = -s ]; then srv=$2; shift 2; fi
	local name=$1 type=$2
	shift 2
	got=$(q "$srv" "$name" "$type")
	want=$(printf '%s\n' "$@" | sort)
	if [ "$got" = "$want" ]; then
		ok "$name $type @$srv"
	else
		fail "$name $type @$srv: got [${got//$'\n'/ | }], want [${want//$'\n'/ | }]"
	fi
}

# expect_nx [-s SERVER] NAME TYPE: NXDOMAIN
expect_nx() {
	local srv=$OUT got
	if [ "$1" = -s ]; then srv=$2; shift 2; fi
	got=$(rcode "$srv" "$1" "$2")
	if [ "$got" = NXDOMAIN ]; then ok "$1 $2 NXDOMAIN"; else fail "$1 $2 @$srv: got ${got:-no answer}, want NXDOMAIN"; fi
}

# expect_drill NAME TYPE VALUE: drill (ldns, another client) sees VALUE
# among the answer's records too
expect_drill() {
	local got
	got=$(drill @"$OUT" "$1" "$2" 2>&1 | awk '/^;; ANSWER SECTION/ { a = 1; next } /^$/ { a = 0 } a')
	if grep -qF -- "$3" <<<"$got"; then ok "drill $1 $2"; else fail "drill $1 $2: [$got] lacks [$3]"; fi
}

# spf_terms DOMAIN [DEPTH]: the number of DNS-querying terms (RFC 7208
# 4.6.4: include, a, mx, ptr, exists, redirect) of DOMAIN's SPF record
# and, recursively, of the records it includes or redirects to
spf_terms() {
	local dom=$1 depth=${2:-0} rec t m n=0 sub
	[ "$depth" -le 12 ] || { echo 99; return; }
	rec=$(q "$OUT" "$dom" TXT | grep -i '^v=spf1\( \|$\)' | head -n 1)
	for t in $rec; do
		t=${t#[+~?-]}
		m=${t%%[:/=]*}
		case ${m,,} in
		include|redirect)
			sub=${t#*[:=]}
			n=$(( n + 1 + $(spf_terms "$sub" $((depth + 1))) )) ;;
		a|mx|ptr|exists) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# dkim_key NAME: the DER public key of the DKIM record at NAME, base64
dkim_key() {
	q "$OUT" "$1" TXT | sed -n 's/.*p=\([A-Za-z0-9+/=]*\).*/\1/p'
}

# expect_dkim NAME BITS PUBFILE [KEYFILE]: the record's key has BITS bits
# and is the committed public key (and the private key's pair)
expect_dkim() {
	local name=$1 bits=$2 pub=$3 key=${4:-} p got want
	p=$(dkim_key "$name")
	got=$(base64 -d <<<"$p" 2>/dev/null | openssl pkey -pubin -inform DER -noout -text 2>/dev/null |
		sed -n 's/^Public-Key: (\([0-9]*\) bit)$/\1/p')
	[ "$got" = "$bits" ] && ok "$name: RSA $bits bits" ||
		fail "$name: key of ${got:-unreadable} bits, want $bits"
	want=$(openssl pkey -pubin -in "$pub" -outform DER 2>/dev/null | base64 -w0)
	[ -n "$p" ] && [ "$p" = "$want" ] && ok "$name = $pub" ||
		fail "$name: the published key is not $pub"
	if [ -n "$key" ]; then
		want=$(openssl pkey -in "$key" -pubout -outform DER 2>/dev/null | base64 -w0)
		[ "$p" = "$want" ] && ok "$name pairs with $key" ||
			fail "$name: the published key is not the public half of $key"
	fi
}

# fetch HOST ADDR [CURL-ARGS...]: GET https://HOST/.well-known/mta-sts.txt
# from ADDR, trusting the lab root only; headers in $HDR, body in $BODY,
# curl's exit status in $RC and its message in $ERR
fetch() {
	local host=$1 addr=$2 tmp
	shift 2
	tmp=$(mktemp -d "$RUNDIR/fetch.XXXXXX")
	curl -sS --noproxy '*' --max-time 5 --proto =https --cacert "$CA" \
		--resolve "$host:443:$addr" -D "$tmp/h" -o "$tmp/b" "$@" \
		"https://$host/.well-known/mta-sts.txt" 2>"$tmp/e"
	RC=$?
	HDR=$(tr -d '\r' <"$tmp/h" 2>/dev/null) BODY=$(cat "$tmp/b" 2>/dev/null)
	ERR=$(cat "$tmp/e")
	rm -rf -- "$tmp"
}

# policy_is DOMAIN BODY MODE MX...: the policy BODY is STSv1 with this mode,
# exactly these mx lines and max_age 604800
policy_is() {
	local dom=$1 body=$2 mode=$3 got want
	shift 3
	got=$(grep -v '^mx: ' <<<"$body" | sort; grep '^mx: ' <<<"$body" | sort)
	want=$(printf '%s\n' "version: STSv1" "mode: $mode" "max_age: 604800" | sort; printf 'mx: %s\n' "$@" | sort)
	[ "$got" = "$want" ] && ok "mta-sts.$dom policy: $mode, mx $*" ||
		fail "mta-sts.$dom policy: [${got//$'\n'/ | }], want [${want//$'\n'/ | }]"
}

# expect_policy DOMAIN ADDR MODE MX...: the policy host serves
# web/DOMAIN.mta-sts.txt exactly, 200, Content-Type text/plain, certificate
# verified by the lab root, and that policy has MODE and these mx lines
expect_policy() {
	local dom=$1 addr=$2 file=$LAB_DIR/web/$1.mta-sts.txt
	shift 2
	fetch "mta-sts.$dom" "$addr"
	if [ "$RC" -ne 0 ]; then
		fail "mta-sts.$dom ($addr): curl exit $RC: $ERR"
		return
	fi
	grep -q '^HTTP/[0-9.]* 200' <<<"$HDR" && ok "mta-sts.$dom 200" ||
		fail "mta-sts.$dom: status $(head -n 1 <<<"$HDR")"
	grep -qix 'content-type: text/plain' <<<"$HDR" && ok "mta-sts.$dom text/plain" ||
		fail "mta-sts.$dom: $(grep -i '^content-type' <<<"$HDR" || echo 'no Content-Type')"
	[ "$BODY" = "$(cat -- "$file")" ] && ok "mta-sts.$dom body" ||
		fail "mta-sts.$dom: body [$BODY] is not $file"
	policy_is "$dom" "$BODY" "$@"
}

GOOD_SPF='v=spf1 ip4:127.0.2.10 ip6:2001:db8:2::10 include:_spf.policy.test -all'
POL=$LAB_DIR/policy

# ------------------------------------------------------------ DNS

echo "policy-check: DNS"
# every policy zone is served by ns1 and ns2, authoritatively, same serial
for z in policy spf-missing spf-limit spf-plusall spf-two dmarc-none dmarc-extrua \
	dmarc-extrua-ok dkim-weak sts-missing sts-badcert sts-testing tlsrpt-bad bl refuse dbl; do
	for s in "${NS[@]}"; do
		out=$(dig +norec +time=2 +tries=2 @"$s" "$z.test" SOA 2>&1)
		if grep -q 'status: NOERROR' <<<"$out" && grep -q 'flags: qr aa' <<<"$out" &&
			grep -q "^$z\.test\..*SOA.* 2026112801 " <<<"$out"; then
			ok "$z.test SOA @$s"
		else
			fail "$z.test SOA @$s: not authoritative with serial 2026112801"
		fi
	done
done

# policy.test: everything right
expect policy.test MX "10 mta1.example.test."
expect policy.test TXT "$GOOD_SPF"
expect _spf.policy.test TXT "v=spf1 ip4:127.0.2.19 -all"
expect _dmarc.policy.test TXT "v=DMARC1; p=reject; rua=mailto:dmarc@policy.test"
expect _mta-sts.policy.test TXT "v=STSv1; id=20261201"
expect mta-sts.policy.test A 127.0.2.90
expect _smtp._tls.policy.test TXT "v=TLSRPTv1; rua=mailto:tlsrpt@policy.test"
expect_dkim s2026._domainkey.policy.test 2048 "$POL/policy.test.s2026.pub.pem" "$POL/policy.test.s2026.key.pem"
expect_drill s2026._domainkey.policy.test TXT '"v=DKIM1; k=rsa; " "p=MIIBIjAN'
n=$(spf_terms policy.test)
[ "$n" = 1 ] && ok "policy.test SPF: 1 DNS-querying term" || fail "policy.test SPF: $n DNS-querying terms, want 1"
for sel in weak1024 weak512 revoked; do expect_nx "$sel._domainkey.policy.test" TXT; done
# its nodes: forward and reverse, both views
expect mx2.policy.test A 127.0.2.19
expect listed.policy.test A 127.0.2.23
expect listed.policy.test AAAA 2001:db8:2::23
expect 19.2.0.127.in-addr.arpa PTR mx2.policy.test.
expect 23.2.0.127.in-addr.arpa PTR listed.policy.test.
expect 3.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR listed.policy.test.
expect -s "$IN" mx2.policy.test A 127.0.1.19
expect -s "$IN" listed.policy.test A 127.0.1.23
expect -s "$IN" 19.1.0.127.in-addr.arpa PTR mx2.policy.test.
expect -s "$IN" 23.1.0.127.in-addr.arpa PTR listed.policy.test.
expect mta1.example.test A 127.0.2.10
expect mta1.example.test AAAA 2001:db8:2::10

# every fault domain: MX mta1.example.test; good SPF and DMARC where the
# fault is elsewhere
for d in spf-missing spf-limit spf-plusall spf-two dmarc-none dmarc-extrua \
	dmarc-extrua-ok dkim-weak sts-missing sts-badcert sts-testing tlsrpt-bad; do
	expect "$d.test" MX "10 mta1.example.test."
	case $d in spf-*) ;; *) expect "$d.test" TXT "$GOOD_SPF" ;; esac
	case $d in dmarc-*) ;; *) expect "_dmarc.$d.test" TXT "v=DMARC1; p=reject; rua=mailto:dmarc@$d.test" ;; esac
done

# SPF faults
expect spf-missing.test TXT "v=spf1 ip4:127.0.2.10 ip6:2001:db8:2::10 -all"
expect spf-limit.test TXT "v=spf1 include:n1.spf-limit.test ip4:127.0.2.10 ip6:2001:db8:2::10 ip4:127.0.2.19 -all"
expect n4.spf-limit.test TXT "v=spf1 a:a.root.test -all"
n=$(spf_terms spf-limit.test)
[ "$n" = 11 ] && ok "spf-limit.test SPF: 11 DNS-querying terms" ||
	fail "spf-limit.test SPF: $n DNS-querying terms, want 11"
# no void lookup on the way: every a/mx term of the chain has an answer
for t in "mail.other.test A" "mxforeign.test MX" "ns1.example.test A" "ns2.example.test A" \
	"ns.nic.test A" "a.root.test A"; do
	# shellcheck disable=SC2086
	[ -n "$(q "$OUT" $t)" ] && ok "spf-limit term $t answers" || fail "spf-limit term $t: void lookup"
done
expect spf-plusall.test TXT "v=spf1 ip4:127.0.2.10 ip6:2001:db8:2::10 include:_spf.policy.test +all"
expect spf-two.test TXT "$GOOD_SPF" "v=spf1 ip4:127.0.2.10 include:_spf.policy.test ~all"
expect_drill spf-two.test TXT '~all'

# DMARC faults
expect _dmarc.dmarc-none.test TXT "v=DMARC1; p=none; pct=50; rua=mailto:dmarc@dmarc-none.test"
expect _dmarc.dmarc-extrua.test TXT "v=DMARC1; p=reject; rua=mailto:dmarc@reports.other.test"
expect_nx dmarc-extrua.test._report._dmarc.reports.other.test TXT
expect _dmarc.dmarc-extrua-ok.test TXT "v=DMARC1; p=reject; rua=mailto:dmarc@reports.other.test"
expect dmarc-extrua-ok.test._report._dmarc.reports.other.test TXT "v=DMARC1"
expect reports.other.test MX "10 mail.other.test."

# DKIM faults
expect_dkim s2026._domainkey.dkim-weak.test 2048 "$POL/policy.test.s2026.pub.pem"
expect_dkim weak1024._domainkey.dkim-weak.test 1024 "$POL/dkim-weak.test.weak1024.pub.pem" "$POL/dkim-weak.test.weak1024.key.pem"
expect_dkim weak512._domainkey.dkim-weak.test 512 "$POL/dkim-weak.test.weak512.pub.pem" "$POL/dkim-weak.test.weak512.key.pem"
expect revoked._domainkey.dkim-weak.test TXT "v=DKIM1; k=rsa; p="

# MTA-STS and TLS-RPT records
for d in sts-missing sts-testing; do
	expect "_mta-sts.$d.test" TXT "v=STSv1; id=20261201"
	expect "mta-sts.$d.test" A 127.0.2.90
	expect "_smtp._tls.$d.test" TXT "v=TLSRPTv1; rua=mailto:tlsrpt@$d.test"
done
expect _mta-sts.sts-badcert.test TXT "v=STSv1; id=20261201"
expect mta-sts.sts-badcert.test A 127.0.2.91
expect _smtp._tls.sts-badcert.test TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts-badcert.test"
expect _smtp._tls.tlsrpt-bad.test TXT "v=TLSRPTv1"
expect_nx _mta-sts.tlsrpt-bad.test TXT

# IP blocklist bl.test: listed.policy.test (v4 and v6) and the RFC 5782
# test entries; nothing else
V6L=3.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.8.b.d.0.1.0.0.2   # 2001:db8:2::23
V6M=0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.8.b.d.0.1.0.0.2   # 2001:db8:2::10
expect 23.2.0.127.bl.test A 127.0.0.2
expect 23.2.0.127.bl.test TXT "127.0.2.23 listed by the mailready lab: spam source"
expect $V6L.bl.test A 127.0.0.2
expect $V6L.bl.test TXT "2001:db8:2::23 listed by the mailready lab: spam source"
expect 2.0.0.127.bl.test A 127.0.0.2
expect 2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.test A 127.0.0.2
expect_drill 23.2.0.127.bl.test A 127.0.0.2
for n in 1.0.0.127 10.2.0.127 19.2.0.127 $V6M; do expect_nx "$n.bl.test" A; done
# refuse.test: every name is "refused", listed or not
for n in 23.2.0.127 10.2.0.127 19.2.0.127 $V6L 1.0.0.127 anything.at.all; do
	expect "$n.refuse.test" A 127.255.255.254
done
expect 10.2.0.127.refuse.test TXT "query refused: queries through public resolvers are not answered"
# domain blocklist dbl.test: spf-plusall.test and the test entry
expect spf-plusall.test.dbl.test A 127.0.1.2
expect spf-plusall.test.dbl.test TXT "spf-plusall.test listed by the mailready lab: spam domain"
expect test.dbl.test A 127.0.0.2
for d in policy dkim-weak spf-missing invalid; do expect_nx "$d.test.dbl.test" A; done
expect_nx invalid.dbl.test A

# ------------------------------------------------------------ MTA-STS over HTTPS

echo "policy-check: MTA-STS policies"
expect_policy policy.test 127.0.2.90 enforce mta1.example.test mx2.policy.test
# fault: no mx line for the MX target mta1.example.test
expect_policy sts-missing.test 127.0.2.90 enforce mx2.policy.test
# fault: mode testing
expect_policy sts-testing.test 127.0.2.90 testing mta1.example.test mx2.policy.test

# sts-badcert: verification fails on the name only
fetch mta-sts.sts-badcert.test 127.0.2.91
[ "$RC" = 60 ] && grep -q 'no alternative certificate subject name matches' <<<"$ERR" &&
	ok "mta-sts.sts-badcert.test: name mismatch (curl 60)" ||
	fail "mta-sts.sts-badcert.test: curl exit $RC ($ERR), want 60 name mismatch"
fetch mta-sts.sts-badcert.test 127.0.2.91 --insecure
[ "$RC" = 0 ] && [ "$BODY" = "$(cat -- "$LAB_DIR/web/sts-badcert.test.mta-sts.txt")" ] &&
	ok "mta-sts.sts-badcert.test: the policy itself is served (without verification)" ||
	fail "mta-sts.sts-badcert.test --insecure: curl exit $RC, body [$BODY]"
policy_is sts-badcert.test "$BODY" enforce mta1.example.test mx2.policy.test
out=$(timeout 5 openssl s_client -connect 127.0.2.91:443 -servername mta-sts.sts-badcert.test \
	-CAfile "$CA" </dev/null 2>&1)
grep -q 'subject=CN = mail.other.test' <<<"$out" && grep -q 'Verify return code: 0 (ok)' <<<"$out" &&
	ok "127.0.2.91: certificate mail.other.test, chain good" ||
	fail "127.0.2.91: want a certificate for mail.other.test with a good chain: $(grep -E 'subject=|Verify return' <<<"$out")"
out=$(timeout 5 openssl s_client -connect 127.0.2.91:443 -servername mta-sts.sts-badcert.test \
	-CAfile "$CA" -verify_hostname mta-sts.sts-badcert.test </dev/null 2>&1)
grep -q 'Verify return code: 62 (hostname mismatch)' <<<"$out" &&
	ok "127.0.2.91: hostname mismatch (62)" ||
	fail "127.0.2.91: want verify error 62: $(grep 'Verify return' <<<"$out")"
# the good hosts' certificates carry their own name, under the lab root
for d in policy.test sts-missing.test sts-testing.test; do
	out=$(timeout 5 openssl s_client -connect 127.0.2.90:443 -servername "mta-sts.$d" \
		-CAfile "$CA" -verify_hostname "mta-sts.$d" </dev/null 2>&1)
	grep -q 'Verify return code: 0 (ok)' <<<"$out" && ok "mta-sts.$d certificate" ||
		fail "mta-sts.$d certificate: $(grep 'Verify return' <<<"$out")"
done
# no SNI or an unknown name on 127.0.2.90: handshake refused
fetch unknown.policy.test 127.0.2.90
[ "$RC" = 35 ] && ok "127.0.2.90, unknown SNI: handshake refused" ||
	fail "127.0.2.90 unknown SNI: curl exit $RC ($ERR), want 35"
# any other path: 404
code=$(curl -s --noproxy '*' --max-time 5 --cacert "$CA" -o /dev/null -w '%{http_code}' \
	--resolve mta-sts.policy.test:443:127.0.2.90 https://mta-sts.policy.test/ 2>&1)
[ "$code" = 404 ] && ok "mta-sts.policy.test/: 404" || fail "mta-sts.policy.test/: $code, want 404"

# ------------------------------------------------------------ result

echo "policy-check: $PASSES checks passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
