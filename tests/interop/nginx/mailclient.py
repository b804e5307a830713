#!/usr/bin/python3
"""mailclient.py -- a small mail client of the interop suites' own, to check
their set-up independently of mailready: greeting, capabilities, STARTTLS or
implicit TLS (certificate verified against the suite's root for a given
name), an optional login, then logout. Prints the dialogue, one line each:

    S: <server line>      C: <client line> (passwords hidden)
    TLS: <version> <cipher> names=<subjectAltName DNS names>
    EOF                   the server closed the connection

and exits 0 (the caller judges the transcript), 2 on a client error.

usage: mailclient.py PROTO HOST PORT {plain|starttls|tls} CAFILE NAME
                     [USER PASSWORD]
"""
import base64
import socket
import ssl
import sys


class Closed(Exception):
    pass


class Session:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                print("EOF")
                raise Closed()
            self.buf += data
        raw, self.buf = self.buf.split(b"\n", 1)
        text = raw.rstrip(b"\r").decode("utf-8", "replace")
        print("S: " + text)
        return text

    def send(self, text, shown=None):
        print("C: " + (shown if shown is not None else text))
        self.sock.sendall(text.encode() + b"\r\n")

    def tls(self, cafile, name):
        ctx = ssl.create_default_context(cafile=cafile)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=name)
        cert = self.sock.getpeercert()
        names = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
        print("TLS: %s %s names=%s" % (self.sock.version(),
                                       self.sock.cipher()[0],
                                       ",".join(names)))
        self.buf = b""


def imap(s, mode, cafile, name, user, password):
    def until(tag):
        while True:
            line = s.line()
            if line.startswith(tag + " "):
                return line
    s.line()
    s.send("a1 CAPABILITY")
    until("a1")
    if mode == "starttls":
        s.send("a2 STARTTLS")
        if not until("a2").startswith("a2 OK"):
            return
        s.tls(cafile, name)
        s.send("a3 CAPABILITY")
        until("a3")
    if user:
        s.send("a4 LOGIN %s %s" % (user, password), "a4 LOGIN %s ****" % user)
        until("a4")
    s.send("a5 LOGOUT")
    until("a5")


def pop3(s, mode, cafile, name, user, password):
    def multi():
        if s.line().startswith("+OK"):
            while s.line() != ".":
                pass
    s.line()
    s.send("CAPA")
    multi()
    if mode == "starttls":
        s.send("STLS")
        if not s.line().startswith("+OK"):
            return
        s.tls(cafile, name)
        s.send("CAPA")
        multi()
    if user:
        s.send("USER " + user)
        if s.line().startswith("+OK"):
            s.send("PASS " + password, "PASS ****")
            s.line()
    s.send("QUIT")
    s.line()


def smtp(s, mode, cafile, name, user, password):
    def reply():
        while True:
            line = s.line()
            if len(line) < 4 or line[3] != "-":
                return line
    reply()
    s.send("EHLO client.interop.test")
    reply()
    if mode == "starttls":
        s.send("STARTTLS")
        if not reply().startswith("220"):
            return
        s.tls(cafile, name)
        s.send("EHLO client.interop.test")
        reply()
    if user:
        token = base64.b64encode(("\0%s\0%s" % (user, password)).encode())
        s.send("AUTH PLAIN " + token.decode(), "AUTH PLAIN ****")
        reply()
    s.send("QUIT")
    reply()


def main(argv):
    if len(argv) not in (7, 9):
        print(__doc__, file=sys.stderr)
        return 2
    proto, host, port, mode, cafile, name = argv[1:7]
    user, password = (argv[7], argv[8]) if len(argv) == 9 else (None, None)
    try:
        s = Session(host, int(port))
        if mode == "tls":
            s.tls(cafile, name)
        {"imap": imap, "pop3": pop3, "smtp": smtp}[proto](
            s, mode, cafile, name, user, password)
    except Closed:
        pass
    except (OSError, ssl.SSLError) as e:
        print("ERROR: %s" % e)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
