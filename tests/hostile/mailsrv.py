#!/usr/bin/env python3
"""mailsrv.py -- the scripted mail servers of the hostile suite.

    mailsrv.py PKIDIR PIDFILE ADDR:PORT=MODE[/CERT][@NAME]...

Listens on every ADDR:PORT (127.0.0.0/8 only) and plays MODE with each
client. The protocol comes from the port: 25/587 SMTP, 465 SMTP over
implicit TLS, 143 IMAP, 993 IMAP over TLS, 110 POP3. CERT names the
certificate the service presents, PKIDIR/CERT.{key,chain.pem} (default
"good": the suite's leaf for *.mail.test, with its issuing CA); NAME is
the host name the server announces (default MODE.mail.test).

Modes (any protocol unless said):

  good              a well-behaved server: greeting, capabilities with
                    STARTTLS, TLS, the rest, an answer to QUIT/LOGOUT
  stall-greeting    accept, never send anything
  stall-capa        greet, read EHLO / CAPABILITY / CAPA, never answer
  stall-starttls    no reply to STARTTLS (STLS)
  stall-after-starttls  the STARTTLS reply, then silence: the ClientHello
                    is never even read
  stall-tls-mid     the STARTTLS reply, read the ClientHello, send the
                    first 9 bytes of a ServerHello record, then silence
  stall-tls         (implicit TLS ports) read the ClientHello, answer
                    nothing
  rst-tls           the STARTTLS reply (implicit: nothing), read the
                    ClientHello, reset the connection (SO_LINGER 0)
  drip              everything it sends, one byte a second
  garbage           10 MB of random bytes at once, then wait
  greet-close       the greeting, then close
  endless-capa      the EHLO reply (CAPABILITY, CAPA) never ends:
                    continuation lines forever (250-, * CAPABILITY, ...)
  code-change       SMTP: the EHLO reply is "250-a" then "251 b"
  banner-hostile    a greeting full of what a terminal or a parser must
                    not get: NUL, invalid UTF-8, ANSI escapes, |, bare
                    CR, $(...) and backquotes (SMTP: in the host name
                    it announces too); then a good server
  banner-pipe       SMTP: a greeting whose host name has |, $(...) and
                    backquotes (no control bytes); then a good server
  banner-lf         SMTP: a greeting whose first line has a bare line
                    feed in it, followed by a line that is not SMTP
  refuse-hostile    a refusal (SMTP 554, IMAP * BYE, POP3 -ERR) with the
                    same bytes, then close
  ehlo-hostile      SMTP: the same bytes in the EHLO reply's lines
  quit-silent       a good server that never answers QUIT / LOGOUT

Every connection is dropped after 120 s. Logs to stderr.
"""
import asyncio
import ipaddress
import os
import random
import signal
import socket
import ssl
import struct
import sys
import time

# What a terminal, a Nagios status line or a log parser must never get
# from a server: escaped by mailready, or the test fails. INJ marks
# what would start a line of its own if a newline got through.
HOSTILE = (b"x\x00NUL \xff\xfe\xc3\x28 \x1b[31mRED\x1b[0m\x1b]0;title\x07"
           b" | pipe $(reboot) `id` \x08\x7f\x9b31m \x85"
           b"\rINJ-CR \x0bINJ-VT")
SMTP_PORTS = (25, 587, 465)
IMAP_PORTS = (143, 993)
POP3_PORTS = (110, 995)
IMPLICIT = (465, 993, 995)
MAX_AGE = 120


def log(msg):
    sys.stderr.write("%.3f mailsrv: %s\n" % (time.time() % 1000, msg))
    sys.stderr.flush()


class Session:
    def __init__(self, srv, reader, writer):
        self.srv = srv
        self.mode = srv.mode
        self.port = srv.port
        self.r, self.w = reader, writer
        self.tls = False
        self.name = srv.name
        if self.port in SMTP_PORTS:
            self.proto = "smtp"
        elif self.port in IMAP_PORTS:
            self.proto = "imap"
        else:
            self.proto = "pop3"

    # ------------------------------------------------------------ I/O
    async def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.mode == "drip":
            for i in range(len(data)):
                self.w.write(data[i:i + 1])
                await self.w.drain()
                await asyncio.sleep(1)
            return
        self.w.write(data)
        await self.w.drain()

    async def flood(self, chunks):
        """write chunk after chunk while the client is there (a write to
        a connection asyncio has lost neither raises nor blocks: check)"""
        for c in chunks:
            if self.w.is_closing() or self.r.at_eof():
                raise ConnectionError("the client went away")
            self.w.write(c)
            await self.w.drain()

    async def endless(self, line):
        """LINE (CRLF added) over and over: 64 MB, more than any client
        should read (built once: the server must not be the slow one)"""
        chunk = (line + b"\r\n") * (16384 // (len(line) + 2))
        await self.flood(chunk for _ in range((64 << 20) // len(chunk)))

    async def line(self):
        ln = await self.r.readline()
        if not ln:
            raise EOFError
        return ln.rstrip(b"\r\n").decode("latin-1")

    async def wait_close(self):
        """read and discard until the client goes"""
        while await self.r.read(65536):
            pass

    def reset(self):
        sock = self.w.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        self.w.transport.abort()

    async def read_client_hello(self):
        data = await self.r.read(16384)
        log("%s: read %d bytes of ClientHello" % (self.srv.label,
                                                    len(data)))
        return data

    async def start_tls(self):
        await self.w.start_tls(self.srv.ctx)
        self.tls = True

    # ----------------------------------------------------- the session
    async def run(self):
        m = self.mode
        if m == "stall-greeting":
            return await self.wait_close()
        if m == "garbage":
            rnd = random.Random(9)
            await self.flood(rnd.randbytes(65536) for _ in range(10 * 16))
            log("%s: 10 MB of garbage sent" % self.srv.label)
            return await self.wait_close()
        if self.port in IMPLICIT:
            if m == "stall-tls":
                await self.read_client_hello()
                return await self.wait_close()
            if m == "rst-tls":
                await self.read_client_hello()
                return self.reset()
            # the listener did the handshake (start_server(ssl=...)):
            # a start_tls() here would race with the ClientHello, which
            # the stream may have read already
            self.tls = True
        await getattr(self, self.proto)()

    async def tls_phase(self, reply):
        """After STARTTLS/STLS: reply (bytes) then the handshake."""
        m = self.mode
        if m == "stall-starttls":
            return await self.wait_close()
        if m not in ("stall-after-starttls", "stall-tls-mid", "rst-tls"):
            # the reply, and at once the handshake: no await between
            # them (drain() would let the loop read the ClientHello into
            # the stream before start_tls() stops it reading)
            self.w.write(reply)
            await self.start_tls()
            return True
        await self.send(reply)
        if m == "stall-after-starttls":
            await asyncio.sleep(MAX_AGE)
            return False
        if m == "stall-tls-mid":
            await self.read_client_hello()
            # a handshake record of 4096 bytes announced, 4 sent
            self.w.write(b"\x16\x03\x03\x10\x00\x02\x00\x0f\xfc")
            await self.w.drain()
            await self.wait_close()
            return False
        if m == "rst-tls":
            await self.read_client_hello()
            self.reset()
            return False
        raise AssertionError(m)

    async def greeting(self, good, hostile_refusal):
        m = self.mode
        if m == "refuse-hostile":
            await self.send(hostile_refusal)
            self.w.close()
            return False
        if m == "banner-hostile":
            if self.proto == "smtp":
                # the host name itself is hostile
                good = (b"220 evil\x1b[2J\x00|$(id)\xff.mail.test ESMTP "
                        b"\r\n")
            await self.send(good.replace(b"\r\n", b" ") + HOSTILE +
                            b"\r\n")
            return True
        if m == "banner-pipe":
            # no control bytes: |, $(...) and backquotes in the name
            await self.send(b"220 evil|$(reboot)`id`.mail.test ESMTP | "
                            b"pipe $(reboot) `id` |\r\n")
            return True
        if m == "banner-lf":
            # a line feed inside the banner: what follows is a line of
            # its own, which is no continuation of the greeting
            await self.send(b"220-" + self.name.encode() + b" " + HOSTILE +
                            b"\nINJ-LF " + HOSTILE + b"\r\n" + good)
            return True
        await self.send(good)
        if m == "greet-close":
            self.w.close()
            return False
        return True

    # ----------------------------------------------------------- SMTP
    async def smtp(self):
        m = self.mode
        name = self.name.encode()
        if not await self.greeting(
                b"220 " + name + b" ESMTP hostile\r\n",
                b"554 5.7.1 " + HOSTILE + b" go away\r\n"):
            return await self.wait_close()
        while True:
            cmd = await self.line()
            verb = cmd.split(" ", 1)[0].upper()
            log("%s: %s" % (self.srv.label, cmd[:80]))
            if verb in ("EHLO", "HELO"):
                if m == "stall-capa":
                    return await self.wait_close()
                if m == "endless-capa":
                    return await self.endless(b"250-X-ENDLESS-CONTINUATION")
                if m == "code-change":
                    await self.send(b"250-" + name + b"\r\n251 b\r\n")
                    continue
                caps = [name, b"PIPELINING", b"SIZE 10240000"]
                if m == "ehlo-hostile":
                    caps = [name + b" " + HOSTILE, HOSTILE, b"8BITMIME"]
                if not self.tls and self.port != 465:
                    caps.append(b"STARTTLS")
                if self.tls or self.port == 465:
                    caps.append(b"AUTH PLAIN LOGIN")
                await self.send(b"".join(b"250-" + c + b"\r\n"
                                         for c in caps[:-1]) +
                                b"250 " + caps[-1] + b"\r\n")
            elif verb == "STARTTLS" and not self.tls:
                if not await self.tls_phase(b"220 2.0.0 go ahead\r\n"):
                    return
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                await self.send(b"250 2.0.0 ok\r\n")
            elif verb == "AUTH":
                await self.send(b"535 5.7.8 no\r\n")
            elif verb == "QUIT":
                if m == "quit-silent":
                    return await self.wait_close()
                await self.send(b"221 2.0.0 bye\r\n")
                self.w.close()
                return
            else:
                await self.send(b"502 5.5.2 not implemented\r\n")

    # ----------------------------------------------------------- IMAP
    async def imap(self):
        m = self.mode
        caps = b"IMAP4rev1 SASL-IR ID ENABLE IDLE"

        def capability():
            if self.tls:
                return caps + b" AUTH=PLAIN"
            return caps + b" STARTTLS LOGINDISABLED"
        if not await self.greeting(
                b"* OK [CAPABILITY " + capability() + b"] hostile ready\r\n",
                b"* BYE " + HOSTILE + b" go away\r\n"):
            return await self.wait_close()
        while True:
            cmd = await self.line()
            log("%s: %s" % (self.srv.label, cmd[:80]))
            parts = cmd.split(" ")
            tag = parts[0].encode()
            verb = parts[1].upper() if len(parts) > 1 else ""
            if verb == "CAPABILITY":
                if m == "stall-capa":
                    return await self.wait_close()
                if m == "endless-capa":
                    return await self.endless(b"* CAPABILITY IMAP4rev1 "
                                              b"X-ENDLESS")
                await self.send(b"* CAPABILITY " + capability() + b"\r\n" +
                                tag + b" OK done\r\n")
            elif verb == "STARTTLS" and not self.tls:
                if not await self.tls_phase(tag + b" OK begin TLS\r\n"):
                    return
            elif verb == "LOGOUT":
                if m == "quit-silent":
                    return await self.wait_close()
                await self.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
                self.w.close()
                return
            elif verb in ("ID", "NOOP"):
                await self.send(tag + b" OK done\r\n")
            else:
                await self.send(tag + b" NO not here\r\n")

    # ----------------------------------------------------------- POP3
    async def pop3(self):
        m = self.mode
        if not await self.greeting(b"+OK hostile ready\r\n",
                                   b"-ERR " + HOSTILE + b" go away\r\n"):
            return await self.wait_close()
        while True:
            cmd = await self.line()
            log("%s: %s" % (self.srv.label, cmd[:80]))
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "CAPA":
                if m == "stall-capa":
                    return await self.wait_close()
                if m == "endless-capa":
                    self.w.write(b"+OK capabilities\r\n")
                    return await self.endless(b"X-ENDLESS-CAPABILITY")
                caps = [b"TOP", b"UIDL", b"PIPELINING"]
                if not self.tls:
                    caps.append(b"STLS")
                await self.send(b"+OK\r\n" + b"".join(c + b"\r\n"
                                                      for c in caps) +
                                b".\r\n")
            elif verb == "STLS" and not self.tls:
                if not await self.tls_phase(b"+OK begin TLS\r\n"):
                    return
            elif verb == "QUIT":
                if m == "quit-silent":
                    return await self.wait_close()
                await self.send(b"+OK bye\r\n")
                self.w.close()
                return
            elif verb == "*":
                await self.send(b"-ERR cancelled\r\n")
            else:
                await self.send(b"-ERR not before TLS\r\n")


class Listener:
    def __init__(self, pki, spec):
        where, mode = spec.rsplit("=", 1)
        self.label = spec
        cert, self.name = "good", "%s.mail.test" % mode.split("/")[0]
        if "@" in mode:
            mode, self.name = mode.split("@", 1)
        if "/" in mode:
            mode, cert = mode.split("/", 1)
        addr, port = where.rsplit(":", 1)
        if ipaddress.ip_address(addr) not in \
                ipaddress.ip_network("127.0.0.0/8"):
            raise SystemExit("mailsrv: refusing %s: only 127.0.0.0/8" %
                             addr)
        self.addr, self.port, self.mode = addr, int(port), mode
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(pki, cert + ".chain.pem"),
                                 os.path.join(pki, cert + ".key"))

    async def client(self, reader, writer):
        peer = writer.get_extra_info("peername")
        log("%s: connection from %s:%d" % (self.label, peer[0], peer[1]))
        try:
            await asyncio.wait_for(Session(self, reader, writer).run(),
                                   MAX_AGE)
        except (EOFError, ConnectionError, asyncio.TimeoutError,
                ssl.SSLError, OSError, asyncio.IncompleteReadError) as e:
            log("%s: %s:%d: %s" % (self.label, peer[0], peer[1],
                                   type(e).__name__))
        finally:
            try:
                writer.close()
            except Exception:
                pass


async def main():
    pki, pid_file = sys.argv[1:3]
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(1))
    for spec in sys.argv[3:]:
        lst = Listener(pki, spec)
        tls = lst.port in IMPLICIT and lst.mode not in ("stall-tls",
                                                        "rst-tls")
        await asyncio.start_server(lst.client, lst.addr, lst.port,
                                   reuse_address=True, limit=1 << 20,
                                   ssl=lst.ctx if tls else None,
                                   ssl_handshake_timeout=30 if tls
                                   else None)
    with open(pid_file + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(pid_file + ".tmp", pid_file)
    log("ready: %d listeners" % (len(sys.argv) - 3))

    async def lag():
        # the loop's own health: a late tick means a busy server, whose
        # slowness a client would take for the server's behaviour
        while True:
            t = time.monotonic()
            await asyncio.sleep(0.05)
            late = time.monotonic() - t - 0.05
            if late > 0.1:
                log("LAG: the loop was %.3f s late" % late)
    asyncio.ensure_future(lag())
    await stop


if __name__ == "__main__":
    asyncio.run(main())
