#!/usr/bin/python3
"""smtp_facts.py HOST PORT starttls|implicit CAFILE NAME

What an SMTP server offers, seen by Python's smtplib and ssl (not by
mailready): the suite asserts these facts first, so that a failing
verdict is known to be mailready's and not the lab's. Prints KEY=VALUE
lines: greeting, greeting_lines, greeting_s, ehlo, tls_version,
tls_cipher, cert (ok or the verification error), ehlo_tls.
"""
import smtplib
import ssl
import sys
import time

host, port, mode, cafile, name = sys.argv[1:6]
port = int(port)
facts = {}


def out():
    for k, v in facts.items():
        print("%s=%s" % (k, v))


def keywords(s):
    # "AUTH PLAIN LOGIN", "STARTTLS", ... as one line, '|' between.
    return "|".join(sorted(
        line.strip() for line in (s.ehlo_resp or b"").decode(
            "ascii", "replace").splitlines()[1:]))


ctx = ssl.create_default_context(cafile=cafile)
try:
    t0 = time.monotonic()
    if mode == "implicit":
        s = smtplib.SMTP_SSL(timeout=30, context=ctx)
        s._host = name  # the name the certificate is verified against
        code, msg = s.connect(host, port)
    else:
        s = smtplib.SMTP(timeout=30)
        s._host = name
        code, msg = s.connect(host, port)
    facts["greeting_s"] = "%.1f" % (time.monotonic() - t0)
    lines = msg.decode("ascii", "replace").splitlines()
    facts["greeting_code"] = code
    facts["greeting"] = lines[0] if lines else ""
    facts["greeting_lines"] = len(lines)
    if mode == "implicit":
        facts["tls_version"] = s.sock.version()
        facts["tls_cipher"] = s.sock.cipher()[0]
        facts["cert"] = "ok"
    s.ehlo("facts.interop.test")
    facts["ehlo"] = keywords(s)
    if mode == "starttls" and s.has_extn("starttls"):
        try:
            s.starttls(context=ctx)
            facts["tls_version"] = s.sock.version()
            facts["tls_cipher"] = s.sock.cipher()[0]
            facts["cert"] = "ok"
            s.ehlo("facts.interop.test")
            facts["ehlo_tls"] = keywords(s)
        except ssl.SSLError as e:
            facts["cert"] = "error: %s" % e
    s.quit()
except Exception as e:  # the facts so far, and why they end
    facts["error"] = "%s: %s" % (type(e).__name__, e)
out()
