#!/usr/bin/env python3
"""make-seeds.py -- the seed inputs of the fuzz targets that need no lab:
RFC examples, the project's own configs, profiles and JSON results,
hand-made DNS packets and certificates made with the openssl CLI.

    make-seeds.py SRCDIR OUTDIR

Writes OUTDIR/<target>/<name>. Certificates come out different at every
run (fresh keys): the committed corpus holds one run's. Sends nothing.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SRC, OUT = sys.argv[1], sys.argv[2]


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def crlf(*lines):
    return "".join(l + "\r\n" for l in lines)


def copy(target, path, name=None):
    with open(os.path.join(SRC, path), "rb") as f:
        put(target, name or os.path.basename(path), f.read())


# ------------------------------------------------------------------ SMTP
# RFC 5321 D.1, RFC 3207, RFC 4954, and what real servers send.
smtp = {
    "rfc5321-d1": crlf("220 foo.com Simple Mail Transfer Service Ready",
                       "250-foo.com greets bar.com", "250-8BITMIME",
                       "250-SIZE", "250-DSN", "250 HELP"),
    "rfc3207": crlf("220 mail.imc.org SMTP service ready",
                    "250-mail.imc.org offers a warm hug of welcome",
                    "250-8BITMIME", "250-STARTTLS", "250 DSN",
                    "220 Go ahead"),
    "rfc4954": crlf("220 smtp.example.com ESMTP server ready",
                    "250-smtp.example.com Hello client.example.com",
                    "250-AUTH GSSAPI DIGEST-MD5",
                    "250-ENHANCEDSTATUSCODES", "250 STARTTLS"),
    "old-auth": crlf("220 mx.example.test ESMTP",
                     "250-mx.example.test", "250-AUTH=LOGIN PLAIN",
                     "250-AUTH PLAIN LOGIN CRAM-MD5", "250 SIZE 52428800"),
    "exim": crlf("220 mx.example.test ESMTP Exim 4.96 Mon, 01 Jun 2026 "
                 "10:00:00 +0000",
                 "250-mx.example.test Hello probe [127.0.0.1]",
                 "250-SIZE 52428800", "250-8BITMIME", "250-PIPELINING",
                 "250-PIPE_CONNECT", "250-CHUNKING", "250-STARTTLS",
                 "250-PRDR", "250 HELP"),
    "exchange": crlf("220 EX01.corp.example.test Microsoft ESMTP MAIL "
                     "Service ready at Mon, 1 Jun 2026 10:00:00 +0000",
                     "250-EX01.corp.example.test Hello [127.0.0.1]",
                     "250-SIZE 37748736", "250-PIPELINING", "250-DSN",
                     "250-ENHANCEDSTATUSCODES", "250-STARTTLS",
                     "250-X-ANONYMOUSTLS", "250-AUTH NTLM",
                     "250-X-EXPS GSSAPI NTLM", "250-8BITMIME",
                     "250-BINARYMIME", "250-CHUNKING", "250 XRDST"),
    "opensmtpd": crlf("220 mx.example.test ESMTP OpenSMTPD",
                      "250-mx.example.test Hello probe [127.0.0.1], "
                      "pleased to meet you",
                      "250-8BITMIME", "250-ENHANCEDSTATUSCODES",
                      "250-SIZE 36700160", "250-DSN", "250 HELP"),
    "sendmail": crlf("220 mx.example.test ESMTP Sendmail 8.17.1.9/8.17.1.9;"
                     " Mon, 1 Jun 2026 10:00:00 GMT",
                     "250-mx.example.test Hello localhost [127.0.0.1], "
                     "pleased to meet you", "250-ENHANCEDSTATUSCODES",
                     "250-PIPELINING", "250-8BITMIME", "250-SIZE",
                     "250-DSN", "250-ETRN", "250-DELIVERBY", "250 HELP"),
    "postscreen-cut": "220-mx.example.test ESMTP Postfix\r\n",
    "postscreen-pregreet": crlf("220-mx.example.test ESMTP Postfix",
                                "220 mx.example.test ESMTP Postfix"),
    "refused": crlf("554 5.7.1 mx.example.test: no SMTP service here"),
    "busy": crlf("421 4.3.2 Service not available, closing channel"),
    "code-change": crlf("250-mx.example.test", "251 SIZE 10"),
    "no-space": crlf("220", "250-", "250"),
    "talk-on": crlf("220 a", "250 b", "250 c"),
    "injection": crlf("220 go ahead", "250 injected"),
    "utf8-tab": "220 m\xc3\xa5il.example.test\tESMTP h\xc3\xa9llo\r\n",
    "control": "220 a\x1b[31mred\r\n220 b\x7f\r\n",
    "bare-lf": "220 mx.example.test ESMTP\n250-mx\n250 STARTTLS\n",
    "bad-codes": crlf("600 six", "199 low", "2x0 x", "260 high", "25"),
}
for k, v in smtp.items():
    put("fuzz_smtp_reply", k, v)
put("fuzz_smtp_reply", "many-lines",
    crlf("220 x") + crlf(*["250-L%d" % i for i in range(300)]) +
    crlf("250 end"))
put("fuzz_smtp_reply", "long-line", "220 " + "a" * 4100 + "\r\n")

# ------------------------------------------------------------------ IMAP
# RFC 9051 and RFC 3501 examples, and greetings of real servers.
imap = {
    "rfc9051-greeting": crlf("* OK IMAP4rev2 server ready",
                             "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI "
                             "LOGINDISABLED",
                             "abcd OK CAPABILITY completed",
                             "efgh OK STARTLS completed",
                             "* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN",
                             "ijkl OK CAPABILITY completed"),
    "rfc9051-codes": crlf("* OK [ALERT] System shutdown in 10 minutes",
                          "* OK [UIDVALIDITY 3857529045] UIDs valid",
                          "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] "
                          "Limited",
                          "* 172 EXISTS", "* 1 RECENT",
                          "* FLAGS (\\Answered \\Flagged \\Deleted)",
                          "A142 OK [READ-WRITE] SELECT completed",
                          "a002 NO [AUTHENTICATIONFAILED] Authentication "
                          "failed", "a003 BAD Command unknown",
                          "+ ", "+", "+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4"),
    "preauth": crlf("* PREAUTH [CAPABILITY IMAP4rev1] IMAP4rev1 server "
                    "logged in as Smith"),
    "bye": crlf("* BYE Autologout; idle for too long"),
    "literal": crlf("* LIST () \"/\" {5}", "a1 OK {12}"),
    "courier": crlf("* OK [CAPABILITY IMAP4rev1 UIDPLUS CHILDREN NAMESPACE "
                    "THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE "
                    "ACL ACL2=UNION STARTTLS] Courier-IMAP ready. Copyright "
                    "1998-2018 Double Precision, Inc.  See COPYING for "
                    "distribution information."),
    "cyrus": crlf("* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE STARTTLS "
                  "AUTH=PLAIN SASL-IR] imap.example.test Cyrus IMAP "
                  "3.6.1 server ready"),
    "nginx": crlf("* OK IMAP4 ready",
                  "* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS STARTTLS "
                  "LOGINDISABLED", "a1 OK completed"),
    "bad": crlf("* ", "*", "a1", "a1 MAYBE", "* 12", "* 12 OK x",
                "a\"b OK x", "* OK [", "* OK []", "* OK [CAPABILITY]x",
                "*  OK", "a1 OK [CAPABILITY IMAP4rev1 ] x",
                "* CAPABILITY", "* CAPABILITY  IMAP4rev1  STARTTLS ",
                "* CAPABILITY IMAP4rev1 (x)", "a" * 40 + " OK x",
                "* VERYLONGKEYWORDXYZ x"),
}
for k, v in imap.items():
    put("fuzz_imap", k, v)

# ------------------------------------------------------------------ POP3
# RFC 1939 and RFC 2449 examples.
pop3 = {
    "rfc1939": crlf("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
                    "+OK 2 messages (320 octets)"),
    "rfc2449-capa": crlf("+OK POP3 server ready", "+OK Capability list "
                         "follows", "TOP", "USER", "SASL CRAM-MD5 KERBEROS_V4",
                         "RESP-CODES", "LOGIN-DELAY 900", "PIPELINING",
                         "EXPIRE 60", "UIDL",
                         "IMPLEMENTATION Shlemazle-Plotz-v302", "."),
    "rfc2449-codes": crlf("-ERR [IN-USE] Do you have another POP session "
                          "running?", "-ERR [LOGIN-DELAY] wait",
                          "-ERR", "+OK"),
    "courier": crlf("+OK Hello there.", "+OK Here's what I can do:", "STLS",
                    "TOP", "USER", "LOGIN-DELAY 10", "PIPELINING", "UIDL",
                    "IMPLEMENTATION Courier Mail Server", "."),
    "dot-stuffed": crlf("+OK", "+OK", "..hidden", ".bad", "x", ".", "+OK"),
    "nginx": crlf("+OK POP3 ready", "+OK Capability list follows", "TOP",
                  "USER", "UIDL", "STLS", "."),
    "bad": crlf("OK", "+ok lower", "-err lower", "+OKAY", "-ERRR", "",
                "+OK\x01ctl"),
}
for k, v in pop3.items():
    put("fuzz_pop3", k, v)
put("fuzz_pop3", "many-lines",
    crlf("+OK", "+OK") + crlf(*["X%d" % i for i in range(300)]) + crlf("."))

# ------------------------------------------------- cluster file, profiles
for d in ("checks/examples", "tests/lab/configs"):
    for f in sorted(os.listdir(os.path.join(SRC, d))):
        copy("fuzz_config", os.path.join(d, f))
put("fuzz_config", "design", """[cluster]
profile = carbonio               ; checks/profiles/carbonio.conf
domains = example.com
inside_resolvers = system
outside_resolvers = iterate      ; or addresses, e.g. 9.9.9.9, 149.112.112.112
root_hints = builtin             ; or a root hints file (labs)
ca_file = system                 ; or a PEM bundle of trusted CAs
internet_targets = builtin       ; or host:port list; outbound 25 is one of them
public_networks = default        ; CIDRs that count as public (labs set their own)
allow_networks = any             ; probes send nothing outside these CIDRs
timeout = 10
cert_warn_days = 30
cert_crit_days = 7
tls_names = mail.example.com     ; names certificates may carry besides the node FQDN (per node too)

[accept]                         ; findings accepted on purpose, until a date
PTR_NAME_MISMATCH mta2.example.com = 2027-03-01 ; provider changes the PTR in March

[node mta1.example.com]
roles = mta
public = 203.0.113.10
internal = 10.0.0.10
tls_names = *.example.com, smtp.example.com
""")
put("fuzz_config", "continued", """\xef\xbb\xbf[cluster]
domains = example.com,
  example.org
\texample.net
outside_resolvers = 9.9.9.9, [2620:fe::fe]:53,
    149.112.112.112:53
internet_targets = 127.0.2.10:25, [::1]:443, mail.example.com:587
probe_timeout = 2.5
greeting_timeout = 6

[accept]
PTR_MISSING * = 2028-02-29
A_MISSING Mta1.Example.COM. = 2027-01-01 waiting ; ticket 4
SMTP_STARTTLS_MISSING [2001:DB8::25]:25 = 2000-02-29 long ago,
    and continued
\tover two lines

[node MTA1.example.com.]
roles = mta, proxy
public = 203.0.113.10, 2001:db8::10
""")
put("fuzz_config", "errors", """[cluster]
timeout = 0
[clustr]
[node]
roles =
cert_crit_days = 40
[accept]
PTR_MISSNG x = 2027-02-30
""")
for f in sorted(os.listdir(os.path.join(SRC, "checks/profiles"))):
    copy("fuzz_profile", os.path.join("checks/profiles", f))
copy("fuzz_profile", "tests/lab/mail-lab.profile")

# ------------------------------------------------------------ accept file
put("fuzz_accept", "plain", """# acceptances of the mail cluster
PTR_NAME_MISMATCH mta2.example.com = 2027-03-01 provider changes the PTR
CERT_EXPIRES_SOON 127.0.2.10:25 = 2026-12-15 ; renewal on the 10th
PTR_MISSING * = 2028-02-29
    continued reason
""")
put("fuzz_accept", "header", """[accept]
A_MISSING Mta1.Example.COM. = 2027-01-01 waiting ; ticket 4
SMTP_STARTTLS_MISSING [2001:DB8::25]:25 = 2000-02-29 long ago
""")
put("fuzz_accept", "errors", """file = other.accept
PTR_MISSING
PTR_MISSING a b = 2027-01-01
PTR_MISSNG x = 2027-01-01
PTR_MISSING x = 2027-13-01
PTR_MISSING x = 2027-02-29
PTR_MISSING x = 2027-01-01
PTR_MISSING x = 2027-01-01
[node x]
""")

# ------------------------------------------------------------- thresholds
for i, t in enumerate(["10", "10:", "~:10", "10:20", "@10:20", "@~:0.5",
                       "-1:+2.5", "time=2,cert=30\ntime=5,cert=7",
                       "cert=30:\ncert=7", "time=~:\ncert=3651",
                       "20:10", ":", "~:", "@", "1e5", "nan", "0x10",
                       "size=1", "time=1,,cert=2", ","]):
    put("fuzz_threshold", "t%02d" % i, t)

# ------------------------------------------------------------------ names
for i, s in enumerate(["203.0.113.10", "2001:db8::10", "::ffff:10.0.0.1",
                       "10.0.0.0/8", "2001:db8::/32", "10.0.0.1/8",
                       "0.0.0.0/0, ::/0", "any", "127.0.0.0/8,::1/128",
                       "9.9.9.9, [2620:fe::fe]:53, 149.112.112.112:5353",
                       "system", "iterate", "system, 1.1.1.1",
                       "[::1]:0", "[::1]:65536", "1.2.3.4:25",
                       "fe80::1%eth0", "mta1.example.com",
                       "MTA1.Example.COM.", "localhost", "a..b", "x.local",
                       "123.456", "-bad-.example.com", "a" * 64 + ".com",
                       "*.example.com", "\xc3\xa5.example.com", "",
                       "..", ".", "100.64.0.1", "169.254.1.1",
                       "198.18.0.1", "224.0.0.1", "240.0.0.1", "ff02::1",
                       "fc00::1", "::", "0.0.0.0"]):
    put("fuzz_names", "n%02d" % i, s)

# ----------------------------------------------------------------- report
g = os.path.join(SRC, "tests/golden")


def golden(n):
    with open(os.path.join(g, n), "rb") as f:
        return f.read()


for n in ("v1-inside.json", "v1-outside.json", "v2-inside.json",
          "v2-outside.json", "report.json"):
    put("fuzz_report", n, golden(n))
put("fuzz_report", "v2-both", golden("v2-inside.json") + b"\0" +
    golden("v2-outside.json"))
put("fuzz_report", "v1-both", golden("v1-inside.json") + b"\0" +
    golden("v1-outside.json"))
put("fuzz_report", "v1-v2-report", golden("v1-inside.json") + b"\0" +
    golden("v2-outside.json") + b"\0" + golden("report.json"))
put("fuzz_report", "same-vantage", golden("v2-inside.json") + b"\0" +
    golden("v2-inside.json"))
put("fuzz_report", "minimal", '{"schema":"mailready/2","nodes":[{"name":'
    '"a","checks":[{"id":"x","status":"warn"}]}]}')
put("fuzz_report", "bad", '{"schema":"mailready/3"}\0[1,2]\0{"schema":'
    '"mailready/1","nodes":[{"checks":[]}]}')

# -------------------------------------------------------------- root hints
copy("fuzz_roothints", "tests/lab/dns/root.hints")
put("fuzz_roothints", "iana-style", """;       This file holds the information on root name servers
;       last update:     2023
$TTL 3600000
$ORIGIN .
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
; End of file
""")
put("fuzz_roothints", "errors", """. NS a.root.test.
a.root.test. A 999.1.1.1
""")
put("fuzz_roothints", "no-roots", """$ORIGIN test.
ns 3600 IN A 127.0.0.3
@ IN NS ns
$INCLUDE other.zone
""")

# -------------------------------------------------------------------- DNS


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=300):
    return name(owner) + struct.pack(">HHIH", rtype, 1, ttl,
                                     len(rdata)) + rdata


A, NS, CNAME, SOA, AAAA = 1, 2, 5, 6, 28


def pkt(qid, flags, q, qtype, an=(), ns=(), ar=()):
    h = struct.pack(">HHHHHH", qid, flags, 1, len(an), len(ns), len(ar))
    return h + name(q) + struct.pack(">HH", qtype, 1) + b"".join(an) + \
        b"".join(ns) + b"".join(ar)


QR, AA = 0x8000, 0x0400
ip4 = bytes([127, 0, 0, 4])
ip6 = bytes(15) + b"\1"
dns = {
    # pick 1 (zone "test"): a referral to example.test, glue in and out of
    # bailiwick, AAAA glue, a name without glue.
    "referral-glue": pkt(0x1201, QR, "mta1.example.test", A, ns=[
        rr("example.test", NS, name("ns1.example.test")),
        rr("example.test", NS, name("ns2.example.test")),
        rr("example.test", NS, name("ns.elsewhere.org"))], ar=[
        rr("ns1.example.test", A, ip4), rr("ns1.example.test", AAAA, ip6),
        rr("ns.elsewhere.org", A, bytes([10, 6, 6, 6]))]),
    # pick 2 (zone "example.test"): upward, sideways and too-deep referrals.
    "referral-upward": pkt(0x2202, QR, "mta1.example.test", A, ns=[
        rr(".", NS, name("a.root.test"))]),
    "referral-sideways": pkt(0x2204, QR, "mta1.example.test", A, ns=[
        rr("other.test", NS, name("ns.other.test"))]),
    "referral-deeper": pkt(0x0206, QR, "mta1.example.test", A, ns=[
        rr("x.mta1.example.test", NS, name("ns.x.mta1.example.test"))]),
    "referral-with-soa": pkt(0x1208, QR, "mta1.example.test", A, ns=[
        rr("example.test", NS, name("ns1.example.test")),
        rr("example.test", SOA, name("ns1.example.test") +
           name("hostmaster.example.test") +
           struct.pack(">IIIII", 1, 2, 3, 4, 5))]),
    "cname-out-of-zone": pkt(0x220a, QR | AA, "www.example.test", A, an=[
        rr("www.example.test", CNAME, name("web.other.test"))]),
    "cname-loop": pkt(0x220c, QR | AA, "a.example.test", A, an=[
        rr("a.example.test", CNAME, name("b.example.test")),
        rr("b.example.test", CNAME, name("a.example.test"))]),
    "nxdomain": pkt(0x220e, QR | AA | 3, "x.example.test", A, ns=[
        rr("example.test", SOA, name("ns1.example.test") +
           name("hostmaster.example.test") +
           struct.pack(">IIIII", 1, 2, 3, 4, 5))]),
    "fixed-question": pkt(0x0301, QR | AA, "mta1.example.test", A, an=[
        rr("mta1.example.test", A, bytes([127, 0, 2, 10]))]),
    "truncated": pkt(0x2210, QR | 0x0200, "mta1.example.test", A)[:20],
    "short-a": pkt(0x2212, QR | AA, "mta1.example.test", A, an=[
        rr("mta1.example.test", A, b"\1\2")]),
    "not-a-response": pkt(0x2214, 0, "mta1.example.test", A),
}
for k, v in dns.items():
    put("fuzz_dns_answer", k, v)
    put("fuzz_iterate_step", k, v)

# --------------------------------------------------------------- certificates


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


with tempfile.TemporaryDirectory() as t:
    def selfsigned(n, subj, ext=None, days="30", extra=()):
        args = ["req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", n + ".key",
                "-out", n + ".pem", "-subj", subj, "-days", days]
        if ext:
            args += ["-addext", ext]
        openssl(*(args + list(extra)), cwd=t)
        openssl("x509", "-in", n + ".pem", "-outform", "DER", "-out",
                n + ".der", cwd=t)
        with open(os.path.join(t, n + ".pem"), "rb") as f:
            pem = f.read()
        with open(os.path.join(t, n + ".der"), "rb") as f:
            der = f.read()
        return pem, der

    certs = {
        "san": selfsigned("san", "/CN=mail.example.test",
                          "subjectAltName=DNS:mail.example.test,"
                          "DNS:mx.example.test"),
        "wildcard": selfsigned("wild", "/CN=*.example.test",
                               "subjectAltName=DNS:*.example.test"),
        "ip": selfsigned("ip", "/CN=127.0.2.10",
                         "subjectAltName=IP:127.0.2.10,IP:2001:db8:2::10"),
        "cn-only": selfsigned("cn", "/O=Example/CN=MAIL.EXAMPLE.TEST"),
        "no-names": selfsigned("none", "/O=Nobody"),
        "utf8": selfsigned("utf8", "/CN=m\u00e5il.example.test/O=\u00c5\u00c4",
                           extra=["-utf8"]),
        "partial-wildcard": selfsigned("pw", "/CN=m*.example.test",
                                       "subjectAltName=DNS:m*.example.test"),
        "long-validity": selfsigned("long", "/CN=mail.example.test",
                                    days="36500"),
    }
    for k, (pem, der) in certs.items():
        put("fuzz_cert", k + "-pem", b"\x00\x01" + pem)
        put("fuzz_cert", k + "-der", b"\x0f\x3c" + der)
    put("fuzz_cert", "chain-der", b"\x0f\x00" + certs["san"][1] +
        certs["wildcard"][1])
    put("fuzz_cert", "chain-pem", b"\x05\x61" + certs["ip"][0] +
        certs["cn-only"][0])
    put("fuzz_cert", "none", b"\x00\x00")
