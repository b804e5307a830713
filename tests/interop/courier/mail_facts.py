#!/usr/bin/python3
"""mail_facts.py imap|pop3 HOST PORT starttls|implicit CAFILE NAME

What an IMAP or POP3 server offers, seen by Python's imaplib/poplib and
ssl (not by mailready): the suite asserts these facts first, so that a
failing verdict is known to be mailready's and not the lab's. Prints
KEY=VALUE lines: greeting, caps (before TLS; '|' between), tls_version,
cert (ok or the verification error), caps_tls (after STARTTLS or on the
implicit TLS port), and on the STARTTLS ports login_before: the reply to
a login (IMAP LOGIN, POP3 USER) of an account that does not exist, tried
on a connection of its own before any TLS.
"""
import imaplib
import poplib
import ssl
import sys

proto, host, port, mode, cafile, name = sys.argv[1:7]
port = int(port)
facts = {}
ctx = ssl.create_default_context(cafile=cafile)


def tls_facts(sock):
    facts["tls_version"] = sock.version()
    facts["tls_cipher"] = sock.cipher()[0]
    facts["cert"] = "ok"


def imap():
    if mode == "implicit":
        m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx, timeout=20)
        tls_facts(m.sock)
    else:
        m = imaplib.IMAP4(host, port, timeout=20)
    facts["greeting"] = m.welcome.decode("ascii", "replace")
    facts["caps"] = "|".join(m.capabilities)
    if mode == "starttls" and "STARTTLS" in m.capabilities:
        m.starttls(ssl_context=ctx)
        tls_facts(m.sock)
        facts["caps_tls"] = "|".join(m.capabilities)
    elif mode == "implicit":
        facts["caps_tls"] = facts["caps"]
    m.logout()


def imap_login_before():
    m = imaplib.IMAP4(host, port, timeout=20)
    try:
        typ, data = m.login("interop-probe", "not-a-password")
        facts["login_before"] = "%s %s" % (typ, data[0].decode())
    except imaplib.IMAP4.error as e:
        facts["login_before"] = "NO %s" % e
    m.shutdown()


def pop3_user_before():
    p = poplib.POP3(host, port, timeout=20)
    try:
        facts["login_before"] = p.user("interop-probe").decode()
    except poplib.error_proto as e:
        facts["login_before"] = e.args[0].decode()
    p.close()


def pop3():
    if mode == "implicit":
        p = poplib.POP3_SSL(host, port, context=ctx, timeout=20)
        tls_facts(p.sock)
    else:
        p = poplib.POP3(host, port, timeout=20)
    facts["greeting"] = p.getwelcome().decode("ascii", "replace")
    caps = p.capa()
    facts["caps"] = "|".join(
        " ".join([k] + v) for k, v in sorted(caps.items()))
    if mode == "starttls" and "STLS" in caps:
        p.stls(context=ctx)
        tls_facts(p.sock)
        facts["caps_tls"] = "|".join(
            " ".join([k] + v) for k, v in sorted(p.capa().items()))
    elif mode == "implicit":
        facts["caps_tls"] = facts["caps"]
    p.quit()


# The certificate is verified against NAME (the node), not the address.
_wrap = ctx.wrap_socket


def wrap(sock, server_side=False, do_handshake_on_connect=True,
         suppress_ragged_eofs=True, server_hostname=None, session=None):
    return _wrap(sock, server_side=server_side,
                 do_handshake_on_connect=do_handshake_on_connect,
                 suppress_ragged_eofs=suppress_ragged_eofs,
                 server_hostname=name, session=session)


ctx.wrap_socket = wrap
try:
    {"imap": imap, "pop3": pop3}[proto]()
    if mode == "starttls":
        {"imap": imap_login_before, "pop3": pop3_user_before}[proto]()
except ssl.SSLError as e:
    facts["cert"] = "error: %s" % e
except Exception as e:  # the facts so far, and why they end
    facts["error"] = "%s: %s" % (type(e).__name__, e)
for k, v in facts.items():
    print("%s=%s" % (k, v))
