#!/usr/bin/env python3
"""dnssrv.py -- the scripted DNS servers of the hostile suite.

    dnssrv.py WORLD.json PIDFILE

One process, many addresses: every server of WORLD.json listens on its
address, port 53, UDP (and TCP unless it says "tcp": false), and answers by
its mode. Packets are built by hand (no dnspython), so that the suite can
send what no real server sends: wrong IDs, answers to another question,
compression-pointer loops, 64 KB answers, referrals that lead nowhere.

A server is {"addr": A, "mode": M, ...}:

  auth       authoritative for its "zones" (a list of zone names) with the
             world's records; names below a delegation (NS records at a
             cut) get a referral with the world's glue for the NS names
  resolver   answers every question from the world's records as a
             recursive resolver would (RA set, no AA, CNAME chains
             followed), so that the resolver views can be pointed at it
  silent     reads queries, never answers
  late       as auth (or resolver with "as": "resolver"), but each answer
             leaves "delay" seconds late

and these, which apply to every question (as auth unless "as": "resolver"):

  wrongid    the right answer with another query ID
  otherq     an answer to another question (the QUESTION names "other")
  tc         UDP: TC=1 and nothing else; TCP: not served ("tcp": false)
  big        UDP: TC=1; TCP: 4000 A records ("bigudp": the 64 KB answer
             over UDP too, whatever the client's EDNS size)
  ptrloop    a header saying one answer, whose owner name is a compression
             pointer to itself
  refloop    a referral for the zone to "to" (another server with its
             own referral back): no server ever answers
  sideways   a referral to "to_zone", a zone that does not contain the
             question

Only 127.0.0.0/8 addresses are ever bound (anything else is refused).
The world's records are {"name type": [rdata text...]} under "records";
"glue" lists the addresses of NS names the referrals carry (and "extra"
records a referral adds in ADDITIONAL, in or out of bailiwick).
Logs one line per query to stderr.
"""
import asyncio
import ipaddress
import json
import os
import signal
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28}
TYPE_NAMES = {v: k for k, v in TYPES.items()}


def log(msg):
    sys.stderr.write("%s dnssrv: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def norm(name):
    name = name.lower()
    return name if name.endswith(".") else name + "."


def wire_name(name):
    name = norm(name)
    if name == ".":
        return b"\x00"
    out = b""
    for label in name[:-1].split("."):
        b = label.encode()
        out += bytes([len(b)]) + b
    return out + b"\x00"


def rdata(rtype, text):
    if rtype == "A":
        return ipaddress.IPv4Address(text).packed
    if rtype == "AAAA":
        return ipaddress.IPv6Address(text).packed
    if rtype in ("NS", "CNAME", "PTR"):
        return wire_name(text)
    if rtype == "MX":
        pref, host = text.split()
        return struct.pack("!H", int(pref)) + wire_name(host)
    if rtype == "SOA":
        m, r, serial = text.split()[:3]
        return (wire_name(m) + wire_name(r) +
                struct.pack("!IIIII", int(serial), 3600, 600, 86400, 60))
    if rtype == "TXT":
        b = text.encode()
        return bytes([len(b)]) + b
    raise ValueError(rtype)


def rr(name, rtype, text, ttl=60):
    d = rdata(rtype, text)
    return (wire_name(name) + struct.pack("!HHIH", TYPES[rtype], 1, ttl,
                                          len(d)) + d)


class Query:
    def __init__(self, data):
        if len(data) < 12:
            raise ValueError("short")
        self.id, self.flags, qd = struct.unpack("!HHH", data[:6])
        if qd != 1:
            raise ValueError("qdcount %d" % qd)
        labels, i = [], 12
        while True:
            n = data[i]
            i += 1
            if n == 0:
                break
            if n & 0xC0:
                raise ValueError("pointer in question")
            labels.append(data[i:i + n].decode("ascii", "replace"))
            i += n
        self.qname = norm(".".join(labels)) if labels else "."
        self.qtype, self.qclass = struct.unpack("!HH", data[i:i + 4])
        self.question = data[12:i + 4]
        self.rd = bool(self.flags & 0x0100)

    @property
    def tname(self):
        return TYPE_NAMES.get(self.qtype, str(self.qtype))


def header(qid, rcode=0, aa=False, tc=False, rd=False, ra=False,
           qd=1, an=0, ns=0, ar=0):
    flags = 0x8000 | rcode
    if aa:
        flags |= 0x0400
    if tc:
        flags |= 0x0200
    if rd:
        flags |= 0x0100
    if ra:
        flags |= 0x0080
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


class World:
    def __init__(self, spec):
        self.records = {}
        for key, vals in spec.get("records", {}).items():
            name, rtype = key.rsplit(" ", 1)
            self.records.setdefault(norm(name), {})[rtype] = list(vals)
        self.glue = {norm(k): v for k, v in spec.get("glue", {}).items()}
        self.servers = spec["servers"]

    def get(self, name, rtype):
        return self.records.get(norm(name), {}).get(rtype, [])

    def exists(self, name):
        name = norm(name)
        return any(k == name or k.endswith("." + name)
                   for k in self.records)

    def glue_rrs(self, ns_names):
        out = []
        for n in ns_names:
            for a in self.glue.get(norm(n), []):
                out.append(rr(n, "AAAA" if ":" in a else "A", a))
        return out


def in_zone(name, zone):
    return zone == "." or name == zone or name.endswith("." + zone)


class Server:
    def __init__(self, world, spec):
        self.world = world
        self.spec = spec
        self.addr = spec["addr"]
        self.mode = spec["mode"]
        self.zones = [norm(z) for z in spec.get("zones", [])]
        # this server's own records and glue (a liar's), before the world's
        self.own = World({"servers": [], "records": spec.get("records", {}),
                          "glue": spec.get("glue", {})})

    def get(self, name, rtype):
        return self.own.get(name, rtype) or self.world.get(name, rtype)

    def glue_rrs(self, ns_names):
        out = []
        for n in ns_names:
            own = self.own.glue.get(norm(n))
            for a in own if own is not None else self.world.glue.get(
                    norm(n), []):
                out.append(rr(n, "AAAA" if ":" in a else "A", a))
        return out

    # -- honest answers ------------------------------------------------
    def zone_of(self, qname):
        best = None
        for z in self.zones:
            if in_zone(qname, z) and (best is None or len(z) > len(best)):
                best = z
        return best

    def soa(self, zone):
        vals = self.get(zone, "SOA") or ["ns.%s hostmaster.%s 1"
                                               % (zone, zone)]
        return rr(zone, "SOA", vals[0])

    def cut(self, qname, zone):
        """The delegation below zone on the way to qname, if any."""
        labels = qname[:-1].split(".") if qname != "." else []
        zl = 0 if zone == "." else len(zone[:-1].split("."))
        for n in range(zl + 1, len(labels) + 1):
            name = norm(".".join(labels[-n:]))
            if self.get(name, "NS") and name != zone:
                return name
        return None

    def auth_answer(self, q):
        """(rcode, aa, answer, authority, additional) from the zones."""
        zone = self.zone_of(q.qname)
        if zone is None:
            return 5, False, [], [], []  # REFUSED
        child = self.cut(q.qname, zone)
        if child is not None:
            ns = self.get(child, "NS")
            return (0, False, [], [rr(child, "NS", n) for n in ns],
                    self.glue_rrs(ns) + self.extra())
        answer, name, seen = [], q.qname, set()
        while name not in seen:
            seen.add(name)
            vals = self.get(name, q.tname)
            if vals:
                answer += [rr(name, q.tname, v) for v in vals]
                return 0, True, answer, [], []
            cn = self.get(name, "CNAME")
            if cn and q.tname != "CNAME":
                answer.append(rr(name, "CNAME", cn[0]))
                name = norm(cn[0])
                if not in_zone(name, zone) or self.cut(name, zone):
                    return 0, True, answer, [], []
                continue
            break
        else:
            return 0, True, answer, [], []  # a loop: the records as they are
        if answer or self.world.exists(name) or self.own.exists(name):
            return 0, True, answer, [self.soa(zone)], []
        return 3, True, answer, [self.soa(zone)], []

    def resolver_answer(self, q):
        answer, name = [], q.qname
        seen = set()
        while name not in seen:
            seen.add(name)
            vals = self.get(name, q.tname)
            if vals:
                answer += [rr(name, q.tname, v) for v in vals]
                return 0, answer
            cn = self.get(name, "CNAME")
            if not cn:
                break
            answer.append(rr(name, "CNAME", cn[0]))
            name = norm(cn[0])
        else:
            return 0, answer  # a loop: the records as they are
        if answer or self.world.exists(name):
            return 0, answer
        return 3, answer

    def extra(self):
        out = []
        for e in self.spec.get("extra", []):
            name, rtype, text = e.split(" ", 2)
            out.append(rr(name, rtype, text))
        return out

    def honest(self, q, qid=None):
        qid = q.id if qid is None else qid
        if self.spec.get("as", "auth" if self.mode != "resolver"
                         else "resolver") == "resolver":
            rcode, ans = self.resolver_answer(q)
            return (header(qid, rcode, rd=q.rd, ra=True, an=len(ans)) +
                    q.question + b"".join(ans))
        rcode, aa, ans, auth, add = self.auth_answer(q)
        return (header(qid, rcode, aa=aa, rd=q.rd, an=len(ans),
                       ns=len(auth), ar=len(add)) + q.question +
                b"".join(ans + auth + add))

    # -- what each mode sends ------------------------------------------
    def answer(self, q, tcp):
        """(bytes or None, delay seconds)"""
        m = self.mode
        if m == "silent":
            return None, 0
        if m in ("auth", "resolver"):
            return self.honest(q), 0
        if m == "late":
            return self.honest(q), float(self.spec.get("delay", 25))
        if m == "wrongid":
            return self.honest(q, qid=q.id ^ 0x5a5a), 0
        if m == "otherq":
            other = "other." + q.qname
            ques = wire_name(other) + struct.pack("!HH", q.qtype, 1)
            ans = rr(other, "A", "127.0.4.66") if q.tname == "A" else b""
            return (header(q.id, 0, aa=True, ra=True, an=1 if ans else 0) +
                    ques + ans), 0
        if m == "tc":
            return header(q.id, 0, aa=True, tc=True, ra=True) + \
                q.question, 0
        if m == "big":
            if q.tname != "A":
                return self.honest(q), 0
            if not tcp and not self.spec.get("bigudp"):
                return header(q.id, 0, aa=True, tc=True, ra=True) + \
                    q.question, 0
            n = int(self.spec.get("count", 4000))
            out = [header(q.id, 0, aa=True, ra=True, an=n), q.question]
            first = ipaddress.IPv4Address(self.spec.get("first",
                                                        "127.0.8.0"))
            for i in range(n):
                out.append(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
                           (first + i).packed)
            return b"".join(out), 0
        if m == "ptrloop":
            if q.tname == "SOA" or q.tname == "NS":
                return self.honest(q), 0
            # the answer's owner name: a pointer to its own offset
            off = 12 + len(q.question)
            loop = struct.pack("!H", 0xC000 | off)
            body = loop + struct.pack("!HHIH", 1, 1, 60, 4) + \
                bytes([127, 0, 4, 66])
            return header(q.id, 0, aa=True, ra=True, an=1) + \
                q.question + body, 0
        if m in ("refloop", "sideways"):
            zone = norm(self.spec["zone" if m == "refloop" else "to_zone"])
            to = self.spec["to"]
            glue = self.glue_rrs([to])
            return (header(q.id, 0, ns=1, ar=len(glue)) + q.question +
                    rr(zone, "NS", to) + b"".join(glue)), 0
        raise ValueError("mode " + m)


def check_addr(a):
    if not ipaddress.ip_address(a) in ipaddress.ip_network("127.0.0.0/8"):
        raise SystemExit("dnssrv: refusing %s: only 127.0.0.0/8" % a)


class Udp(asyncio.DatagramProtocol):
    def __init__(self, srv):
        self.srv = srv

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, peer):
        try:
            q = Query(data)
        except (ValueError, IndexError) as e:
            log("%s udp from %s: unparsable query (%s)" % (
                self.srv.addr, peer[0], e))
            return
        out, delay = self.srv.answer(q, False)
        log("%s udp %s %s %s -> %s%s" % (
            self.srv.addr, peer[0], q.qname, q.tname, self.srv.mode,
            "" if out is None else " %d bytes" % len(out) +
            (" after %gs" % delay if delay else "")))
        if out is None:
            return
        if delay:
            asyncio.get_running_loop().call_later(
                delay, self.transport.sendto, out, peer)
        else:
            self.transport.sendto(out, peer)


async def tcp_client(srv, reader, writer):
    peer = writer.get_extra_info("peername")
    try:
        while True:
            n = struct.unpack("!H", await reader.readexactly(2))[0]
            data = await reader.readexactly(n)
            try:
                q = Query(data)
            except (ValueError, IndexError) as e:
                log("%s tcp: unparsable query (%s)" % (srv.addr, e))
                break
            out, delay = srv.answer(q, True)
            log("%s tcp %s %s %s -> %s%s" % (
                srv.addr, peer[0], q.qname, q.tname, srv.mode,
                "" if out is None else " %d bytes" % len(out)))
            if out is None:
                continue
            if delay:
                await asyncio.sleep(delay)
            writer.write(struct.pack("!H", len(out)) + out)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    world_file, pid_file = sys.argv[1:3]
    with open(world_file) as f:
        spec = json.load(f)
    world = World(spec)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(1))
    for s in world.servers:
        check_addr(s["addr"])
        srv = Server(world, s)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        sock.bind((s["addr"], 53))
        await loop.create_datagram_endpoint(lambda srv=srv: Udp(srv),
                                            sock=sock)
        if s.get("tcp", True) and s["mode"] != "tc":
            await asyncio.start_server(
                lambda r, w, srv=srv: tcp_client(srv, r, w),
                s["addr"], 53, reuse_address=True)
    with open(pid_file + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(pid_file + ".tmp", pid_file)
    log("ready: %d servers" % len(world.servers))
    await stop
    log("exiting")


if __name__ == "__main__":
    asyncio.run(main())
