#!/usr/bin/env python3
"""capture-lab.py -- seed inputs for the fuzz targets, taken from the
running lab (tests/lab): what its servers really send.

    capture-lab.py RUNDIR OUTDIR

Run inside the lab's network namespace (fuzz/README.md); talks only to
127.0.0.0/8. Writes OUTDIR/<target>/lab-<what> files:
  fuzz_smtp_reply  greeting + EHLO (+ the EHLO after STARTTLS, and the
                   greeting of implicit TLS) of every SMTP listener
  fuzz_imap        greeting + CAPABILITY (+ after STARTTLS), IMAPS
  fuzz_pop3        greeting + CAPA (+ after STLS), POP3S
  fuzz_dns_answer, fuzz_iterate_step
                   answers of the lab's DNS servers: referrals from the
                   root and the TLD, authoritative answers, NXDOMAIN,
                   NODATA, CNAMEs, the liar's lies, REFUSED
  fuzz_cert        the certificates of the lab PKI (RUNDIR/mail/pki)
"""
import os
import socket
import ssl
import struct
import sys

RUNDIR, OUT = sys.argv[1], sys.argv[2]
CA = os.path.join(RUNDIR, "mail", "pki", "root.pem")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "lab-" + name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------ mail


class Talk:
    def __init__(self, addr, port, implicit_tls=False, sni=None):
        self.s = socket.create_connection((addr, port), timeout=3)
        self.sni = sni
        if implicit_tls:
            self.tls()
        self.buf = b""
        self.log = b""

    def tls(self):
        ctx = ssl.create_default_context(cafile=CA)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.s = ctx.wrap_socket(self.s, server_hostname=self.sni)

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                raise EOFError
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        self.log += l + b"\n"
        return l.rstrip(b"\r")

    def send(self, cmd):
        self.s.sendall(cmd + b"\r\n")

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def smtp_reply(t):
    while True:
        l = t.line()
        if len(l) < 4 or l[3:4] != b"-":
            return l


def smtp(name, addr, port, implicit=False, starttls=True):
    try:
        t = Talk(addr, port, implicit, name)
        t.s.settimeout(3)
        smtp_reply(t)
        t.send(b"EHLO probe.example.test")
        ehlo = smtp_reply(t)
        plain = t.log
        if starttls and not implicit and ehlo.startswith(b"250"):
            t.send(b"STARTTLS")
            if smtp_reply(t).startswith(b"220"):
                t.tls()
                t.log = b""
                t.send(b"EHLO probe.example.test")
                smtp_reply(t)
                put("fuzz_smtp_reply", name + "-%d-tls" % port, t.log)
        put("fuzz_smtp_reply", name + "-%d" % port, plain)
        t.send(b"QUIT")
        t.close()
    except (OSError, EOFError) as e:
        print("smtp", name, port, e, file=sys.stderr)
        if "t" in locals() and t.log:
            put("fuzz_smtp_reply", name + "-%d-cut" % port, t.log)


def imap(name, addr, port, implicit=False):
    try:
        t = Talk(addr, port, implicit, name)
        t.line()
        t.send(b"a1 CAPABILITY")
        while not t.line().startswith(b"a1 "):
            pass
        if not implicit:
            t.send(b"a2 STARTTLS")
            while not (l := t.line()).startswith(b"a2 "):
                pass
            if l.startswith(b"a2 OK"):
                t.tls()
                t.send(b"a3 CAPABILITY")
                while not t.line().startswith(b"a3 "):
                    pass
        t.send(b"a4 LOGOUT")
        while not t.line().startswith(b"a4 "):
            pass
        put("fuzz_imap", name + "-%d" % port, t.log)
        t.close()
    except (OSError, EOFError) as e:
        print("imap", name, port, e, file=sys.stderr)
        if "t" in locals() and t.log:
            put("fuzz_imap", name + "-%d-cut" % port, t.log)


def pop3(name, addr, port, implicit=False):
    def multi(t):
        if t.line().startswith(b"+OK"):
            while t.line() != b".":
                pass

    try:
        t = Talk(addr, port, implicit, name)
        t.line()
        t.send(b"CAPA")
        multi(t)
        if not implicit:
            t.send(b"STLS")
            if t.line().startswith(b"+OK"):
                t.tls()
                t.send(b"CAPA")
                multi(t)
        t.send(b"QUIT")
        t.line()
        put("fuzz_pop3", name + "-%d" % port, t.log)
        t.close()
    except (OSError, EOFError) as e:
        print("pop3", name, port, e, file=sys.stderr)
        if "t" in locals() and t.log:
            put("fuzz_pop3", name + "-%d-cut" % port, t.log)


def raw(target, name, addr, port, wait=1.5):
    """Whatever a scripted server sends first."""
    s = socket.create_connection((addr, port), timeout=wait)
    data = b""
    try:
        while len(data) < 8192:
            d = s.recv(8192)
            if not d:
                break
            data += d
    except OSError:
        pass
    s.close()
    put(target, name, data[:8192])


# ------------------------------------------------------------ DNS


def qname_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28}


def dns(name, server, qname, qtype, pick=0, rd=False):
    """Ask server; bits 4-7 of the first ID byte pick the zone asked
    (fuzz_iterate_step), bit 0 stays 0 (the packet's own question)."""
    qid = (pick << 12) | 0x0a5 | (0x2 << 8)
    flags = 0x0100 if rd else 0
    q = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1)
    q += qname_wire(qname) + struct.pack(">HH", TYPES[qtype], 1)
    # EDNS0, 1232-byte payload, DO bit, as mailready asks.
    q += b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.sendto(q, (server, 53))
        data, _ = s.recvfrom(65535)
    except OSError as e:
        print("dns", name, e, file=sys.stderr)
        return
    finally:
        s.close()
    for target in ("fuzz_dns_answer", "fuzz_iterate_step"):
        put(target, name, data)


def main():
    # SMTP: Postfix in every planted shape, and the fault server.
    for name, addr in [("mta1", "127.0.2.10"), ("mx-expired", "127.0.2.50"),
                       ("mx-wrongname", "127.0.2.51"),
                       ("mx-untrusted", "127.0.2.52"),
                       ("mx-notls", "127.0.2.54"),
                       ("mx-badhelo", "127.0.2.55"),
                       ("stall3", "127.0.2.64"), ("inject1", "127.0.2.65")]:
        smtp(name, addr, 25)
    smtp("mta1", "127.0.2.10", 587)
    smtp("mta1", "127.0.2.10", 465, implicit=True)
    smtp("sub-plain", "127.0.2.57", 587)
    raw("fuzz_smtp_reply", "garbage1-25", "127.0.2.61", 25)
    raw("fuzz_smtp_reply", "stall2-25", "127.0.2.63", 25)
    raw("fuzz_imap", "bye1-143", "127.0.2.66", 143)
    # IMAP, POP3: Dovecot with and without plain-text logins.
    for name, addr in [("proxy2", "127.0.2.18"), ("imap-plain", "127.0.2.58")]:
        imap(name, addr, 143)
        pop3(name, addr, 110)
    imap("proxy2", "127.0.2.18", 993, implicit=True)
    pop3("proxy2", "127.0.2.18", 995, implicit=True)

    # DNS: the way down from the lab root, pick = labels of the zone asked.
    dns("root-referral-mta1", "127.0.0.2", "mta1.example.test", "A", 0)
    dns("root-referral-ptr", "127.0.0.2", "10.2.0.127.in-addr.arpa", "PTR", 0)
    dns("root-referral-ip6", "127.0.0.2",
        "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        "PTR", 0)
    dns("tld-referral-mta1", "127.0.0.3", "mta1.example.test", "A", 1)
    dns("tld-referral-liar", "127.0.0.3", "ok.liar.test", "A", 1)
    dns("tld-referral-dead", "127.0.0.3", "www.dead.test", "A", 1)
    dns("tld-referral-ptr", "127.0.0.3", "10.2.0.127.in-addr.arpa", "PTR", 1)
    dns("tld-nxdomain", "127.0.0.3", "nothere.test", "A", 1)
    dns("tld-soa", "127.0.0.3", "test", "SOA", 1)
    dns("root-ns", "127.0.0.2", ".", "NS", 0)
    for name, q, t in [("a", "mta1.example.test", "A"),
                       ("aaaa", "mta1.example.test", "AAAA"),
                       ("mx", "example.test", "MX"),
                       ("ns", "example.test", "NS"),
                       ("soa", "example.test", "SOA"),
                       ("txt", "example.test", "TXT"),
                       ("nxdomain", "store1.example.test", "A"),
                       ("nodata", "mta1.example.test", "MX"),
                       ("mxcname", "mxcname.test", "MX"),
                       ("cname", "mail.mxcname.test", "A"),
                       ("nullmx", "nullmx.test", "MX"),
                       ("ptr", "10.2.0.127.in-addr.arpa", "PTR"),
                       ("ptr-nx", "11.2.0.127.in-addr.arpa", "PTR"),
                       ("many", "node14.many.test", "A")]:
        dns("ns1-" + name, "127.0.0.4", q, t, 2)
    dns("ns3-skew-soa", "127.0.0.6", "skew.test", "SOA", 2)
    dns("ns4-refused", "127.0.0.7", "lame.test", "SOA", 2)
    for lie in ["ok", "wrongq", "loop", "servfail", "notimp", "poison", "up",
                "garbage", "other"]:
        dns("liar-" + lie, "127.0.0.12", lie + ".liar.test", "A", 2)
    dns("liar-aaaa-refused", "127.0.0.12", "ok.liar.test", "AAAA", 2)
    # Through the resolvers (recursion): what the views see.
    dns("outside-a", "127.0.0.11", "mta1.example.test", "A", 0, rd=True)
    dns("outside-mx", "127.0.0.11", "mxcname.test", "MX", 0, rd=True)
    dns("outside-servfail", "127.0.0.11", "www.dead.test", "A", 0, rd=True)
    dns("inside-a", "127.0.0.10", "mta1.example.test", "A", 0, rd=True)
    dns("inside-aaaa-nodata", "127.0.0.10", "mta1.example.test", "AAAA", 0,
        rd=True)

    # Certificates: two selector bytes (fuzz_cert.c), then the PEM.
    pki = os.path.join(RUNDIR, "mail", "pki")
    for f in sorted(os.listdir(pki)):
        if not f.endswith(".pem") or "key" in f:
            continue
        with open(os.path.join(pki, f), "rb") as fh:
            pem = fh.read()
        put("fuzz_cert", f[:-4] + "-verify", b"\x0f\x3d" + pem)
        put("fuzz_cert", f[:-4] + "-ok", b"\x00\x3c" + pem)
        if f.endswith(".chain.pem"):
            with open(os.path.join(pki, "root.pem"), "rb") as fh:
                root = fh.read()
            put("fuzz_cert", f[:-10] + "-full-verify", b"\x0f\x3d" + pem + root)


main()
