"""pki.py -- the certificates of the hostile suite, made in its temp dir.

openssl makes every key and every signature, and the ordinary CAs and
leaf (req, x509 -req). The hostile certificates hold what openssl's
command line cannot put in a name (NUL bytes, invalid UTF-8 in a
UTF8String, bare CR/LF in a dNSName), or are built 100 deep or 1 MB
large: their TBSCertificate is put together here in DER, then signed
with `openssl dgst -sha256 -sign`.

    make_pki(DIR) -> {"root": DIR/root.pem, ...}

Files: root.{key,pem} (the trust anchor), issuing.{key,pem}, and for each
server certificate NAME: NAME.key and NAME.chain.pem (what the server
sends): good (*.mail.test), hostile, chain100, big.
"""
import base64
import os
import subprocess

HOSTILE_CN = (b"evil\x1b[31m|$(reboot)`id`\x00NUL\xff\xfe \x9b1m"
              b"\rINJ-CR\nINJ-LF")
HOSTILE_O = ("Org\x07\x1b[5m|x\u009b2J\u202eRTL\u0085NEL").encode()
HOSTILE_SANS = [b"a\x00b.mail.test", b"\x1b[2J|$(id).mail.test",
                b"x\ny.mail.test\rINJ-SAN", b"\xff\xfe.mail.test"]


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, check=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).stdout


# ----------------------------------------------------------------- DER
def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=False)
    return tlv(0x02, b)


def oid(text):
    parts = [int(p) for p in text.split(".")]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def name(*rdns):
    """rdns: (oid, tag, bytes)"""
    return seq(*[tlv(0x31, seq(oid(o), tlv(t, v))) for o, t, v in rdns])


def cn(text):
    return name(("2.5.4.3", 0x0C, text if isinstance(text, bytes)
                 else text.encode()))


def parse(der, off=0):
    """(tag, header length, content length) of the TLV at off"""
    tag, ln = der[off], der[off + 1]
    if ln < 0x80:
        return tag, 2, ln
    k = ln & 0x7F
    return tag, 2 + k, int.from_bytes(der[off + 2:off + 2 + k], "big")


def children(der, off):
    tag, h, n = parse(der, off)
    i, end, out = off + h, off + h + n, []
    while i < end:
        t, hh, nn = parse(der, i)
        out.append(der[i:i + hh + nn])
        i += hh + nn
    return out


def subject_of(pem_file):
    der = run("openssl", "x509", "-in", pem_file, "-outform", "DER")
    tbs = children(der, 0)[0]
    fields = children(tbs, 0)
    # [0] version, serial, signature, issuer, validity, subject
    return fields[5] if fields[0][0] == 0xA0 else fields[4]


def ext(oid_text, value, critical=False):
    return seq(oid(oid_text), tlv(0x01, b"\xff") if critical else b"",
               tlv(0x04, value))


def basic_ca():
    return ext("2.5.29.19", seq(tlv(0x01, b"\xff")), critical=True)


def ku_ca():
    # keyCertSign, cRLSign
    return ext("2.5.29.15", tlv(0x03, b"\x01\x06"), critical=True)


def san(names):
    return ext("2.5.29.17", seq(*[tlv(0x82, n) for n in names]))


def eku_server():
    return ext("2.5.29.37", seq(oid("1.3.6.1.5.5.7.3.1")))


ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))
VALIDITY = seq(tlv(0x17, b"200101000000Z"), tlv(0x17, b"491231235959Z"))


class Maker:
    def __init__(self, d):
        self.d = d
        self.serial = 1000

    def path(self, f):
        return os.path.join(self.d, f)

    def key(self, n):
        k = self.path(n + ".key")
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-out", k)
        os.chmod(k, 0o644)
        return k

    def spki(self, key):
        return run("openssl", "pkey", "-in", key, "-pubout", "-outform",
                   "DER")

    def cert(self, subject, issuer, pub_key, sign_key, exts):
        self.serial += 1
        tbs = seq(tlv(0xA0, der_int(2)), der_int(self.serial), ECDSA_SHA256,
                  issuer, VALIDITY, subject, self.spki(pub_key),
                  tlv(0xA3, seq(*exts)))
        sig = run("openssl", "dgst", "-sha256", "-sign", sign_key,
                  stdin=tbs)
        return seq(tbs, ECDSA_SHA256, tlv(0x03, b"\x00" + sig))


def pem(der):
    b = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) +
            "\n-----END CERTIFICATE-----\n")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def make_pki(d):
    os.makedirs(d, exist_ok=True)
    m = Maker(d)
    p = m.path
    # the CAs and the good leaf: openssl alone
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("root.key"),
        "-out", p("root.pem"), "-days", "3650", "-subj",
        "/CN=Hostile Suite Root CA", "-addext",
        "basicConstraints=critical,CA:TRUE", "-addext",
        "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("issuing.key"),
        "-out", p("issuing.csr"), "-subj", "/CN=Hostile Suite Issuing CA")
    write(p("issuing.ext"), "basicConstraints=critical,CA:TRUE\n"
          "keyUsage=critical,keyCertSign,cRLSign\n")
    run("openssl", "x509", "-req", "-in", p("issuing.csr"), "-CA",
        p("root.pem"), "-CAkey", p("root.key"), "-CAcreateserial", "-days",
        "3650", "-extfile", p("issuing.ext"), "-out", p("issuing.pem"))
    with open(p("issuing.pem")) as f:
        issuing_pem = f.read()
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("good.key"),
        "-out", p("good.csr"), "-subj", "/CN=*.mail.test")
    write(p("good.ext"), "basicConstraints=CA:FALSE\n"
          "subjectAltName=DNS:*.mail.test\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", p("good.csr"), "-CA",
        p("issuing.pem"), "-CAkey", p("issuing.key"), "-CAcreateserial",
        "-days", "365", "-extfile", p("good.ext"), "-out", p("good.pem"))
    with open(p("good.pem")) as f:
        write(p("good.chain.pem"), f.read() + issuing_pem)
    for k in ("root.key", "issuing.key", "good.key"):
        os.chmod(p(k), 0o644)

    issuing = subject_of(p("issuing.pem"))
    root = subject_of(p("root.pem"))

    # hostile names: NUL, escapes, invalid UTF-8, CR/LF, |, $(...)
    k = m.key("hostile")
    # (OpenSSL refuses to decode a UTF8String that is not UTF-8: the
    # invalid bytes go in a T61String, which it takes as it is; the
    # UTF8String has C1 controls and a right-to-left override instead)
    leaf = m.cert(name(("2.5.4.3", 0x14, HOSTILE_CN),
                       ("2.5.4.10", 0x0C, HOSTILE_O)),
                  issuing, k, p("issuing.key"),
                  [san(HOSTILE_SANS), eku_server()])
    write(p("hostile.chain.pem"), pem(leaf) + issuing_pem)

    # 1 MB: a good leaf for *.mail.test with a 1 MiB private extension
    k = m.key("big")
    blob = os.urandom(1 << 20)
    leaf = m.cert(cn("*.mail.test"), issuing, k, p("issuing.key"),
                  [san([b"*.mail.test"]), eku_server(),
                   ext("1.3.6.1.4.1.32473.1", tlv(0x04, blob))])
    write(p("big.chain.pem"), pem(leaf) + issuing_pem)

    # a chain of 100 certificates: the leaf and 99 CAs, the last one
    # issued by the root (every CA of the chain shares one key)
    ck = m.key("chain-ca")
    k = m.key("chain100")
    certs = []
    names = [cn("Hostile Chain CA %02d" % i) for i in range(1, 100)]
    certs.append(m.cert(cn("*.mail.test"), names[0], k, ck,
                        [san([b"*.mail.test"]), eku_server()]))
    for i in range(99):
        issuer = names[i + 1] if i + 1 < 99 else root
        key = ck if i + 1 < 99 else p("root.key")
        certs.append(m.cert(names[i], issuer, ck, key, [basic_ca(),
                                                        ku_ca()]))
    write(p("chain100.chain.pem"), "".join(pem(c) for c in certs))
    return p("root.pem")


if __name__ == "__main__":
    import sys
    make_pki(sys.argv[1])
