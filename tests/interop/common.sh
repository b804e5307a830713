# common.sh -- shared by the interop suites (sourced, not run): real
# third-party mail servers as deployments configure them, each suite in a
# network namespace of its own, and mailready's verdicts on them asserted.
#
# A suite script:
#   . "$(dirname "$0")/common.sh"
#   interop_init "$@"          # root, namespace, temp dir $T, PKI in $PKI
#   pki_leaf mx "DNS:mx.interop.test"           # $PKI/mx.{key,pem,chain.pem}
#   ... start the server on 127.0.3.N (its files under $T) ...
#   mr_check "$T/out.json" mx.interop.test 127.0.3.N smtp:25,submission:587
#   expect "$T/out.json" postfix/postscreen mail.smtp pass SMTP_OK "greeting"
#
# Every `expect` prints one line of the interop matrix:
#   MATRIX <server/scenario> <check> <status> [codes] -- want <status>
# and fails the suite when mailready's verdict is not the one a careful
# administrator gives (the `want`).
#
# Addresses: 127.0.3.0/24 only (the lab uses 127.0.0-2.x; each suite has
# its own namespace anyway). Nothing leaves the namespace: lo is its only
# interface, and every config sets allow_networks = 127.0.0.0/8.

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
INTEROP_DIR=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

fail() {
	printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

# skip WHY: the suite cannot run here (exit 77: meson's "skipped").
skip() {
	printf '%s: SKIP: %s\n' "$TEST_NAME" "$*" >&2
	exit 77
}

# interop_init "$@": run as root, in a private network/mount/UTS namespace
# (re-executing this script there once), with a temp dir $T and a test
# PKI in $PKI (root and issuing CA; $PKI/root.pem is the trust anchor).
interop_init() {
	[ "$(id -u)" = 0 ] || fail "must run as root (ports 25, 110, 143...)"
	[ -n "${MAILREADY_BIN:-}" ] ||
		{ echo "$TEST_NAME: MAILREADY_BIN is not set (run via meson test)" >&2; exit 77; }
	if [ -z "${INTEROP_NETNS:-}" ]; then
		export INTEROP_NETNS=1
		exec unshare --net --mount --uts --fork -- "$BASH" "$0" "$@"
	fi
	ip link set lo up
	mount --make-rprivate /
	T=$(mktemp -d /tmp/mailready-interop.XXXXXX)
	chmod 755 "$T"
	trap 'interop_cleanup' EXIT
	PKI=$T/pki
	pki_init
	export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128
	export NO_COLOR=1
}

# Suites register what must be stopped: interop_on_exit CMD...
INTEROP_CLEANUP=()
interop_on_exit() { INTEROP_CLEANUP+=("$*"); }

interop_cleanup() {
	local i
	for ((i = ${#INTEROP_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${INTEROP_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	[ -n "${KEEP_INTEROP:-}" ] || rm -rf "$T"
}

# ------------------------------------------------------------------ PKI

pki_init() {
	mkdir -p "$PKI"
	chmod 755 "$PKI"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/root.key" -out "$PKI/root.pem" -days 3650 \
		-subj "/CN=Interop Root CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null ||
		fail "openssl could not make the root CA"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/issuing.key" -out "$PKI/issuing.csr" \
		-subj "/CN=Interop Issuing CA" 2>/dev/null
	printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' \
		>"$PKI/issuing.ext"
	openssl x509 -req -in "$PKI/issuing.csr" -CA "$PKI/root.pem" \
		-CAkey "$PKI/root.key" -CAcreateserial -days 3650 \
		-extfile "$PKI/issuing.ext" -out "$PKI/issuing.pem" 2>/dev/null ||
		fail "openssl could not make the issuing CA"
}

# pki_leaf NAME SAN [ec|rsa] [DAYS]: $PKI/NAME.key, NAME.pem (the leaf),
# NAME.chain.pem (leaf + issuing CA, what servers should send) and
# NAME.keychain.pem (key, leaf, issuing CA). SAN: "DNS:a,DNS:b".
pki_leaf() {
	local name=$1 san=$2 kind=${3:-ec} days=${4:-365} cn
	cn=${san%%,*}
	cn=${cn#DNS:}
	case $kind in
	ec) openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
		-subj "/CN=$cn" 2>/dev/null ;;
	rsa) openssl req -new -newkey rsa:2048 -nodes \
		-keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
		-subj "/CN=$cn" 2>/dev/null ;;
	*) fail "pki_leaf: kind $kind" ;;
	esac
	printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=serverAuth\n' \
		"$san" >"$PKI/$name.ext"
	openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/issuing.pem" \
		-CAkey "$PKI/issuing.key" -CAcreateserial -days "$days" \
		-extfile "$PKI/$name.ext" -out "$PKI/$name.pem" 2>/dev/null ||
		fail "openssl could not make the leaf $name"
	cat "$PKI/$name.pem" "$PKI/issuing.pem" >"$PKI/$name.chain.pem"
	cat "$PKI/$name.key" "$PKI/$name.pem" "$PKI/issuing.pem" \
		>"$PKI/$name.keychain.pem"
	chmod 644 "$PKI/$name".*
}

# --------------------------------------------------------------- waiting

# wait_port ADDR PORT [SECONDS]: until something accepts there.
wait_port() {
	local addr=$1 port=$2 t=${3:-10} i
	for ((i = 0; i < t * 10; i++)); do
		if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	fail "nothing listens on $addr:$port after $t s"
}

# --------------------------------------------------------------- mailready

# mr_check OUT NODE ADDR SERVICES [OPTIONS...]: `mailready check -f json`
# over one node (public address ADDR) that runs SERVICES ("smtp:25,
# imaps:993"), trusting the interop root; extra mailready options follow.
# The config is written next to OUT (OUT.conf) with its own role profile;
# MR_CLUSTER_EXTRA and MR_NODE_EXTRA (lines) are added to its [cluster]
# and [node] sections (login_file = ..., tls_names = ...).
mr_check() {
	local out=$1 node=$2 addr=$3 services=$4
	shift 4
	cat >"$out.profile" <<PROF
[profile]
description = interop: the services of one server
default_roles = server
[all]
checks = host.fqdn
[role server]
external = $services
PROF
	cat >"$out.conf" <<CONF
[cluster]
profile = $out.profile
inside_resolvers = 127.0.0.53
outside_resolvers = 127.0.0.53
public_networks = 127.0.3.0/24
allow_networks = 127.0.0.0/8
timeout = 30
${MR_CLUSTER_EXTRA:-}
[node $node]
public = $addr
${MR_NODE_EXTRA:-}
CONF
	"$MAILREADY_BIN" check -f json -c "$out.conf" --ca-file "$PKI/root.pem" \
		--only 'mail.*' --only 'net.port.*' "$@" >"$out" 2>"$out.err" || true
	[ -s "$out" ] || fail "mailready wrote no JSON: $(cat "$out.err")"
}

# expect OUT SCENARIO CHECK WANT_STATUS [CODE [FRAGMENT...]]: the check
# (by id; the first of that id) has that status, a finding with that code
# (when given), and its findings' messages and hints contain each fragment.
# Prints the matrix line.
expect() {
	local out=$1 scenario=$2 check=$3 want=$4
	shift 4
	"$PY" - "$out" "$scenario" "$check" "$want" "$@" <<'PY' || exit 1
import json, sys
out, scenario, check, want = sys.argv[1:5]
code = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
fragments = sys.argv[6:]
doc = json.load(open(out))
found = None
for g in doc["nodes"] + doc["domains"]:
    for c in g["checks"]:
        if c["id"] == check:
            found = c
            break
    if found:
        break
if found is None:
    print("%s: FAIL: %s: no %s in the output" % (sys.argv[0], scenario, check),
          file=sys.stderr)
    sys.exit(1)
codes = [f["code"] for f in found["findings"] if f["severity"] != "pass"
         or f.get("accepted")]
text = "; ".join("%s; %s" % (f["message"], f["hint"] or "")
                 for f in found["findings"])
print("MATRIX %-28s %-16s %-7s %-40s -- want %s%s" % (
    scenario, check, found["status"], ",".join(codes) or "-", want,
    (" " + code) if code else ""))
problems = []
if found["status"] != want:
    problems.append("status %s, want %s" % (found["status"], want))
if code and code not in [f["code"] for f in found["findings"]]:
    problems.append("no %s finding" % code)
for frag in fragments:
    if frag not in text:
        problems.append("lacks '%s'" % frag)
if problems:
    print("interop: FAIL: %s %s: %s\n  findings: %s" % (
        scenario, check, "; ".join(problems), text[:600]), file=sys.stderr)
    sys.exit(1)
PY
}
