# shellcheck shell=bash
# common.sh -- shared by the interop suites (sourced, not run): real
# third-party mail servers as deployments configure them, each suite in
# namespaces of its own, and mailready's verdicts on them asserted.
#
# A suite script:
#   set -u
#   . "$(dirname "$0")/common.sh"
#   interop_init "$@"          # root, namespaces, private /tmp, $T, $PKI
#   pki_leaf mx "DNS:mx.interop.test"           # $PKI/mx.{key,pem,chain.pem}
#   render "$INTEROP_DIR/x/x.conf.in" "$T/x.conf" DIR="$T" PKI="$PKI"
#   interop_on_exit stop_daemon x "$T/x.pid"
#   ... start the server on 127.0.3.N, its files under $T ...
#   server_log "$T/x.log"      # shown after a failed assertion
#   wait_port 127.0.3.N 25 || setup_fail "nothing listens on 127.0.3.N:25"
#   mr_check "$T/out.json" mx.interop.test 127.0.3.N smtp:25,submission:587
#   expect "$T/out.json" postfix/postscreen mail.smtp pass SMTP_OK "greeting"
#   interop_done               # the summary; exit 1 if an assertion failed
#
# Every assertion (expect, expect_absent, expect_data, expect_log,
# expect_exit) prints one line of the interop matrix:
#   MATRIX <server/scenario> <check> <status> [codes] -- want <status>
# where the `want` is what a careful administrator says. A failed one is
# recorded and reported (mailready's findings and stderr, and what the
# server logs got during that run) and the suite goes on, so that one run
# shows the whole matrix; interop_done exits 1 if any failed. A fault of
# the suite's own set-up (a server that does not start, or does not do
# what its scenario says) ends the suite at once: setup_fail, fail.
#
# Addresses: 127.0.3.0/24 only (the lab uses 127.0.0-2.x; each suite has
# its own network namespace anyway). Nothing leaves the namespace: lo is
# its only interface, and every config sets allow_networks = 127.0.0.0/8.
#
# KEEP_INTEROP=1 keeps $T (then on the shared /tmp) and prints its path.

SUITE=$(basename "$0" .sh)
TEST_NAME=${TEST_NAME:-$SUITE}
INTEROP_DIR=$(cd "$(dirname "$0")" && pwd)
INTEROP_DEBS_DIR=${INTEROP_DEBS_DIR:-/var/cache/mailready-interop}
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

# need COMMAND...: skip the suite when one is not installed
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

interop_keep() { [ "${KEEP_INTEROP:-0}" != 0 ]; }

# interop_init "$@": run as root, in private network, mount and UTS
# namespaces (re-executing this script there once) with a /tmp of their
# own, a temp dir $T and a test PKI in $PKI (root and issuing CA;
# $PKI/root.pem is the trust anchor).
interop_init() {
	[ "$(id -u)" = 0 ] || fail "must run as root (ports 25, 110, 143...)"
	[ -n "${MAILREADY_BIN:-}" ] ||
		skip "MAILREADY_BIN is not set (run via meson test)"
	interop_unshare "$@"
	INTEROP_NET=$(readlink /proc/self/ns/net)
	ip link set lo up
	mount --make-rprivate /
	interop_private_tmp
	T=$(mktemp -d "/tmp/mailready-interop-$SUITE.XXXXXX") ||
		fail "cannot make a temp dir in /tmp"
	chmod 755 "$T"
	trap 'interop_cleanup' EXIT
	trap 'interop_killed 1' HUP
	trap 'interop_killed 2' INT
	trap 'interop_killed 15' TERM
	! interop_keep || say "KEEP_INTEROP: $T is kept"
	mkdir -p "$T/dialog"
	: >"$T/assertions"
	INTEROP_START=$SECONDS
	PKI=$T/pki
	pki_init
	export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128
	export NO_COLOR=1
}

# interop_unshare "$@": exec the suite again in new namespaces, unless
# this is that run. INTEROP_NETNS names the pid that re-executed (the new
# shell's parent) and the namespaces it left, so that a value inherited
# from anywhere else never passes for them.
interop_unshare() {
	local pid net mnt
	read -r pid net mnt <<<"${INTEROP_NETNS:-}"
	if [ "$pid" = "$PPID" ]; then
		if [ "$net" = "$(readlink /proc/self/ns/net)" ] ||
			[ "$mnt" = "$(readlink /proc/self/ns/mnt)" ]; then
			fail "unshare gave the suite no namespaces of its own"
		fi
		return 0
	fi
	INTEROP_NETNS="$$ $(readlink /proc/self/ns/net) $(readlink /proc/self/ns/mnt)"
	export INTEROP_NETNS
	exec unshare --net --mount --uts --fork -- "$BASH" "$0" "$@"
}

# interop_private_tmp: a /tmp of this mount namespace only (tmpfs), so
# that nobody cleaning the shared /tmp can remove $T under the running
# servers, and nothing of the suite stays there. KEEP_INTEROP=1 keeps the
# shared /tmp (to read $T after the run), and so does a suite whose own
# files are under /tmp, which the tmpfs would hide.
interop_private_tmp() {
	local p
	! interop_keep || return 0
	for p in "$MAILREADY_BIN" "$INTEROP_DIR" "${MAILREADY_PROFILE_DIR:-}" \
		"$INTEROP_DEBS_DIR"; do
		[ -n "$p" ] || continue
		case $(realpath -m -- "$p") in
		/tmp | /tmp/*)
			say "$p is under /tmp: no private /tmp"
			return 0
			;;
		esac
	done
	mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp ||
		fail "cannot mount a private /tmp in the namespace"
}

# Suites register what must be stopped: interop_on_exit CMD...
INTEROP_CLEANUP=()
interop_on_exit() { INTEROP_CLEANUP+=("$*"); }

interop_cleanup() {
	local i
	for ((i = ${#INTEROP_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${INTEROP_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	interop_kill_rest
	interop_remove_tmp
}

# interop_killed SIGNO: the suite was told to stop (meson's timeout sends
# SIGTERM to its process group and SIGKILL half a second later): no time
# for orderly stops, but the daemons are in sessions of their own
interop_killed() {
	trap - EXIT
	say "killed by SIG$(kill -l "$1")"
	interop_kill_rest
	interop_remove_tmp
	exit $((128 + $1))
}

# interop_kill_rest: SIGKILL whatever is still running in the suite's
# network namespace, where every process is the suite's: all but this
# shell and its parent (unshare, which waits for it there)
interop_kill_rest() {
	local self=$BASHPID pat p left=
	# (never in the host's namespace, whatever went wrong before)
	[ -n "${INTEROP_NET:-}" ] &&
		[ "$INTEROP_NET" != "$(readlink /proc/1/ns/net)" ] || return 0
	pat=${INTEROP_NET//[/\\[}
	pat=${pat//]/\\]}
	for p in $(find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' \
		-lname "$pat" 2>/dev/null | cut -d/ -f3); do
		case $p in "$$" | "$PPID" | "$self") continue ;; esac
		! alive "$p" || left+=" $p"
	done
	[ -n "$left" ] || return 0
	left=${left# }
	say "still running, killed: $(ps -o pid=,comm= -p "${left// /,}" | tr -s ' \n' ' ')"
	# shellcheck disable=SC2086 # one pid a word
	kill -KILL $left 2>/dev/null
}

interop_remove_tmp() {
	if interop_keep; then
		say "KEEP_INTEROP: kept $T"
	else
		rm -rf "$T"
	fi
}

# interop_done: "N assertions, M failed" and the runtime; exit 1 if one
# failed (each is listed) or none was made.
interop_done() {
	local n m
	n=$(grep -c '' "$T/assertions") || n=0
	m=$(grep -c '^fail ' "$T/assertions") || m=0
	say "$n assertions, $m failed ($((SECONDS - INTEROP_START)) s)"
	if [ "$m" -gt 0 ]; then
		sed -n 's/^fail /  failed: /p' "$T/assertions" >&2
		exit 1
	fi
	[ "$n" -gt 0 ] || fail "the suite made no assertion"
	exit 0
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

# -------------------------------------------------------------- servers

# render TEMPLATE OUT NAME=VALUE...: OUT is TEMPLATE with every @NAME@
# replaced by its VALUE; a placeholder left (@X@, capitals) is a set-up
# fault.
render() {
	local in=$1 out=$2 kv line
	shift 2
	while IFS= read -r line || [ -n "$line" ]; do
		for kv in "$@"; do
			line=${line//"@${kv%%=*}@"/"${kv#*=}"}
		done
		case $line in *@[A-Z]*@*) fail "setup: $in: placeholder left: $line" ;; esac
		printf '%s\n' "$line"
	done <"$in" >"$out"
}

# wait_port ADDR PORT [SECONDS [PID]]: until something accepts there
# (10 s). Non-zero when nothing does in time, or as soon as PID (the
# server's, when given) is gone: the caller says so, with the server's
# log (setup_fail).
wait_port() {
	local addr=$1 port=$2 t=${3:-10} pid=${4:-} i
	for ((i = 0; i < t * 10; i++)); do
		if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
			return 0
		fi
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# descendants PID...: the pids and all their descendants
descendants() {
	local p kids
	for p in "$@"; do
		printf '%s\n' "$p"
		kids=$(ps -o pid= --ppid "$p" 2>/dev/null | tr -d ' ')
		# shellcheck disable=SC2086 # one pid a word
		[ -z "$kids" ] || descendants $kids
	done
}

# ours PID: a process of this suite (in its network namespace)
ours() {
	[ -n "$1" ] && [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$INTEROP_NET" ]
}

# alive PID: running (not gone, not a zombie)
alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.Z' "/proc/$1/status" 2>/dev/null
}

# stop_daemon LABEL PIDFILE|PID [EXTRA_PIDS]: SIGTERM the daemon (of the
# pid file, or that pid; EXTRA_PIDS when there is none), wait up to 10 s
# for it, every descendant and EXTRA_PIDS to exit, then SIGKILL what is
# left. Only processes of this suite's network namespace are signalled:
# a stale pid file cannot name anyone else's.
stop_daemon() {
	local label=$1 extra=${3:-} main all left p i
	case $2 in
	*[!0-9]*) main=$(tr -dc '0-9' 2>/dev/null <"$2") ;;
	*) main=$2 ;;
	esac
	ours "$main" || main=
	# shellcheck disable=SC2086 # one pid a word
	all=$({ [ -z "$main" ] || descendants "$main"; printf '%s\n' $extra; } |
		sort -un | while read -r p; do ! ours "$p" || echo "$p"; done)
	[ -n "$all" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM ${main:-$all} 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		left=
		for p in $all; do
			! alive "$p" || left+=" $p"
		done
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	say "$label did not exit in 10 s, killing:$left"
	# shellcheck disable=SC2086
	kill -KILL $left 2>/dev/null
	return 0
}

# ----------------------------------------------------------- server logs
# A failed assertion shows what each server log of its run got during
# that run: mr_check notes how long the logs are (mark_logs, in files
# next to OUT, so that runs can be background jobs) and show_run_logs
# prints what came after.

SERVER_LOGS=()
declare -gA LOG_FILTER=()

# server_log FILE [FILTER]: FILE is a log of the suite's servers, of every
# run. FILTER, a command, gets a run's lines on stdin and the run's OUT as
# $1, and keeps that run's own (one log for the servers of many
# scenarios).
server_log() {
	SERVER_LOGS+=("$1")
	[ $# -lt 2 ] || LOG_FILTER[$1]=$2
}

# log_files PATTERN...: the files there are, in order
log_files() {
	local p
	for p in "$@"; do
		[ -z "$p" ] || compgen -G "$p" || true
	done
}

# mark_logs OUT: the run OUT's logs (MR_LOGS, patterns separated by
# spaces, when set; else every server_log) in OUT.logs, and how long each
# is now in OUT.marks
mark_logs() {
	local out=$1 f pats=()
	if [ -n "${MR_LOGS:-}" ]; then
		read -ra pats <<<"$MR_LOGS"
	else
		pats=("${SERVER_LOGS[@]}")
	fi
	printf '%s\n' "${pats[@]}" >"$out.logs"
	log_files "${pats[@]}" | while IFS= read -r f; do
		printf '%s\t%s\n' "$(wc -l <"$f")" "$f"
	done >"$out.marks"
}

# log_mark OUT FILE: how many lines FILE had when the run OUT started
log_mark() {
	[ -f "$1.marks" ] || { echo 0; return; }
	awk -F '\t' -v f="$2" '$2 == f { n = $1 } END { print n + 0 }' "$1.marks"
}

# log_since OUT FILE: the lines FILE got since the run OUT started (the
# run's own, through FILE's filter)
log_since() {
	local out=$1 f=$2 from
	from=$(log_mark "$out" "$f")
	if [ -n "${LOG_FILTER[$f]:-}" ]; then
		tail -n +"$((from + 1))" "$f" 2>/dev/null | "${LOG_FILTER[$f]}" "$out"
	else
		tail -n +"$((from + 1))" "$f" 2>/dev/null
	fi
}

# show_run_logs OUT: what the run's logs got since it started (the last
# 80 lines of each), on stderr
show_run_logs() {
	local out=$1 f lines pats=()
	[ -f "$out.logs" ] || return 0
	mapfile -t pats <"$out.logs"
	while IFS= read -r f; do
		lines=$(log_since "$out" "$f" | tail -n 80)
		[ -n "$lines" ] || continue
		printf -- '--- %s (from line %d)\n%s\n' "$f" \
			"$(($(log_mark "$out" "$f") + 1))" "$lines" >&2
	done < <(log_files "${pats[@]}")
}

# show_logs [FILE|PATTERN...]: the last 40 lines of each (of every
# server_log by default), on stderr
show_logs() {
	local f
	[ $# -gt 0 ] || set -- "${SERVER_LOGS[@]}"
	log_files "$@" | while IFS= read -r f; do
		[ -s "$f" ] || continue
		printf -- '--- %s (last 40 lines)\n' "$f" >&2
		tail -n 40 "$f" >&2
	done
}

# setup_fail WHY: the suite's own set-up is wrong (not mailready): the
# server logs, and the suite ends
setup_fail() {
	show_logs
	fail "setup: $*"
}

# ------------------------------------------------- the suite's own client

# s_client NAME VERIFYNAME ARGS...: an openssl s_client session verifying
# the certificate for VERIFYNAME against the interop root; its transcript
# in $T/dialog/NAME
s_client() {
	local name=$1 host=$2
	shift 2
	openssl s_client -CAfile "$PKI/root.pem" -verify_hostname "$host" \
		-servername "$host" "$@" </dev/null >"$T/dialog/$name" 2>&1
}

# saw NAME REGEX WHAT: the transcript $T/dialog/NAME has a line matching
# the extended REGEX; lacks: it has none. Otherwise the suite's set-up is
# wrong (WHAT says how) and the suite ends.
saw() {
	grep -Eq -- "$2" "$T/dialog/$1" && return 0
	dialog_fail "$1" "$2" "$3" "no line matching"
}
lacks() {
	grep -Eq -- "$2" "$T/dialog/$1" || return 0
	dialog_fail "$1" "$2" "$3" "a line matching"
}
dialog_fail() {
	printf '%s: ---- transcript %s\n' "$TEST_NAME" "$1" >&2
	cat "$T/dialog/$1" >&2
	setup_fail "$3 ($4 '$2' in the dialogue $1)"
}

# What a server offers as the suite's own client sees it, before mailready
# is asked: $T/facts.NAME.PORT, KEY=VALUE lines (the suite's facts
# script). fact NAME PORT KEY: the value.
fact() { sed -n "s/^$3=//p" "$T/facts.$1.$2" | head -n 1; }

# lab NAME PORT KEY REGEX WHAT: instance NAME must offer WHAT on PORT (KEY
# matches the extended REGEX); lab_not: KEY must not match. Otherwise the
# scenario's lab is wrong: the facts and the instance's logs (the suite's
# instance_logs NAME) are shown and LAB_BAD is set, for the suite to fail
# as the lab's fault once every fact is looked at.
# shellcheck disable=SC2034 # the suites read it
LAB_BAD=
lab() { lab_match "$@" yes; }
lab_not() { lab_match "$@" no; }
# shellcheck disable=SC2034
lab_match() {
	local name=$1 port=$2 key=$3 re=$4 what=$5 want=$6 v got=no
	v=$(fact "$name" "$port" "$key")
	printf '%s\n' "$v" | grep -Eq -- "$re" && got=yes
	[ "$got" != "$want" ] || return 0
	printf '%s: FAIL: lab: %s/%s port %s should offer %s (%s=%s)\n' \
		"$TEST_NAME" "$SUITE" "$name" "$port" "$what" "$key" "$v" >&2
	sed 's/^/  facts: /' "$T/facts.$name.$port" >&2
	! declare -F instance_logs >/dev/null || instance_logs "$name"
	LAB_BAD=1
}

# ------------------------------------------------- packages that conflict
# Servers whose packages conflict with the lab's Postfix and Dovecot
# (Exim, Courier) come as .deb files, which tests/deps.sh fetches into
# $INTEROP_DEBS_DIR: unpacked under $T and laid over /usr and /etc in the
# suite's own mount namespace, they leave the host's files untouched.

# deb_of PKG: the newest .deb of PKG in the cache (non-zero: none)
deb_of() {
	local f
	f=$(printf '%s\n' "$INTEROP_DEBS_DIR/$1"_*.deb | sort -V | tail -n 1)
	[ -e "$f" ] && printf '%s\n' "$f"
}

# deb_unpack ROOT PKG...: each package unpacked into ROOT; the suite is
# skipped when one is not in the cache
deb_unpack() {
	local root=$1 pkg deb
	shift
	mkdir -p "$root"
	for pkg in "$@"; do
		deb=$(deb_of "$pkg") ||
			skip "no $pkg .deb in $INTEROP_DEBS_DIR (run tests/deps.sh)"
		dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x $deb"
	done
}

# deb_user ROOT NAME ID GECOS: the user and group NAME (uid = gid = ID)
# that the package's maintainer script would add, in a passwd and group
# of ROOT's (copies of the host's, laid over /etc with the package)
deb_user() {
	local root=$1 name=$2 id=$3 gecos=$4
	mkdir -p "$root/etc"
	[ -e "$root/etc/passwd" ] || cp /etc/passwd /etc/group "$root/etc/"
	grep -q "^$name:" "$root/etc/group" ||
		echo "$name:x:$id:" >>"$root/etc/group"
	grep -q "^$name:" "$root/etc/passwd" ||
		echo "$name:x:$id:$id:$gecos:/nonexistent:/usr/sbin/nologin" \
			>>"$root/etc/passwd"
}

# deb_overlay ROOT: ROOT/usr over /usr and ROOT/etc over /etc (overlayfs,
# in this suite's mount namespace only)
deb_overlay() {
	local root=$1 d
	for d in usr etc; do
		mount -t overlay overlay -o "lowerdir=$root/$d:/$d" "/$d" ||
			fail "overlay of $root/$d over /$d"
	done
}

# ------------------------------------------------------------ mailready

# mr_check OUT NODE ADDR SERVICES [OPTIONS...]: `mailready check -f json`
# over one node (public address ADDR) that runs SERVICES ("smtp:25,
# imaps:993"), trusting the interop root; extra mailready options follow.
# The JSON goes to OUT, mailready's stderr to OUT.err and its exit status
# to OUT.rc: a run without JSON is not a set-up fault, the assertions on
# it fail (saying why). The config is written next to OUT (OUT.conf) with
# its own role profile; its resolvers (inside and outside) are
# MR_RESOLVERS (127.0.0.53); MR_CLUSTER_EXTRA and MR_NODE_EXTRA (lines)
# are added to its [cluster] and [node] sections (login_file = ...,
# tls_names = ...); MR_LOGS (patterns) names the run's server logs when
# not every server_log.
mr_check() {
	local out=$1 node=$2 addr=$3 services=$4 rc=0
	shift 4
	rm -f "$out" "$out.err" "$out.rc"
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
inside_resolvers = ${MR_RESOLVERS:-127.0.0.53}
outside_resolvers = ${MR_RESOLVERS:-127.0.0.53}
public_networks = 127.0.3.0/24
allow_networks = 127.0.0.0/8
timeout = 30
${MR_CLUSTER_EXTRA:-}
[node $node]
public = $addr
${MR_NODE_EXTRA:-}
CONF
	mark_logs "$out"
	say "mailready on $node ($addr: $services)"
	"$MAILREADY_BIN" check -f json -c "$out.conf" --ca-file "$PKI/root.pem" \
		--only 'mail.*' --only 'net.port.*' "$@" >"$out" 2>"$out.err" ||
		rc=$?
	echo "$rc" >"$out.rc"
	return 0
}

# mr_status OUT: how mailready's run of OUT ended, in words
mr_status() {
	local rc
	rc=$(cat "$1.rc" 2>/dev/null) || { echo "did not run"; return; }
	if [ "$rc" -gt 128 ]; then
		echo "exit $rc: killed by SIG$(kill -l $((rc - 128)))"
	else
		echo "exit $rc"
	fi
}

# ----------------------------------------------------------- assertions

declare -gA SHOWN=()

# assertion OUT SCENARIO WHAT ok|fail: one assertion on the run OUT (its
# MATRIX line printed), counted for interop_done. The first failed one of
# a run is followed by mailready's stderr and the run's server logs.
assertion() {
	local out=$1 scenario=$2 what=$3 result=$4
	printf '%s %s %s\n' "$result" "$scenario" "$what" >>"$T/assertions"
	[ "$result" = fail ] || return 0
	if [ -n "${SHOWN[$out]:-}" ]; then
		echo "  (mailready's stderr and the server logs of this run: above)" >&2
		return 0
	fi
	SHOWN[$out]=1
	if [ -s "$out.err" ]; then
		echo "  mailready stderr ($(mr_status "$out")):"
		head -c 1500 "$out.err"
		echo
	fi >&2
	show_run_logs "$out"
}

# expect OUT SCENARIO CHECK WANT_STATUS [CODE [FRAGMENT...]]: the check
# (by id; the first of that id) has that status, a finding with that code
# (when given, and not empty), and its findings' messages and hints
# contain each fragment.
expect() {
	[ $# -ge 4 ] || fail "usage: expect OUT SCENARIO CHECK STATUS [CODE [FRAGMENT...]]"
	mr_verdict expect "$@"
}

# expect_absent OUT SCENARIO CHECK CODE: the check has no CODE finding
expect_absent() {
	[ $# -eq 4 ] || fail "usage: expect_absent OUT SCENARIO CHECK CODE"
	mr_verdict absent "$@"
}

# expect_data OUT SCENARIO CHECK CODE KEY...: the check's CODE finding
# carries data with each KEY set (TLS_SESSION: version, cipher...)
expect_data() {
	[ $# -ge 5 ] || fail "usage: expect_data OUT SCENARIO CHECK CODE KEY..."
	mr_verdict data "$@"
}

# mr_verdict MODE OUT SCENARIO CHECK ARGS...: the three above. The check's
# findings are shown with the first failed assertion on it.
mr_verdict() {
	local mode=$1 out=$2 scenario=$3 check=$4 result=ok
	shift 4
	"$PY" - "$TEST_NAME" "$mode" "$out" "$scenario" "$check" \
		"${SHOWN[$out|$check]:-1}" "$(mr_status "$out")" "$@" <<'PY' || result=fail
import json, os, sys
test, mode, out, scenario, check, show, ran = sys.argv[1:8]
args = sys.argv[8:]
if mode == "expect":
    code = args[1] if len(args) > 1 and args[1] else None
    want = args[0] + (" " + code if code else "")
elif mode == "absent":
    code = args[0]
    want = "no " + code
else:
    code, keys = args[0], args[1:]
    want = "data"


def matrix(status, codes):
    print("MATRIX %-28s %-16s %-7s %-40s -- want %s" % (
        scenario, check, status, codes, want), flush=True)


def failed(problems, found=None):
    print("%s: FAIL: %s %s: %s" % (test, scenario, check, "; ".join(problems)),
          file=sys.stderr)
    if found is not None and show == "1":
        print("  mailready %s: status %s (%s ms): %s" % (
            found["id"], found["status"], found.get("duration_ms"),
            found.get("message")), file=sys.stderr)
        for f in found["findings"]:
            print("    %-28s %-5s %s%s" % (
                f["code"], f["severity"], f["message"],
                (" [hint: %s]" % f["hint"]) if f.get("hint") else ""),
                file=sys.stderr)
    elif found is not None:
        print("  (mailready's %s: above)" % check, file=sys.stderr)
    sys.exit(1)


try:
    with open(out) as f:
        doc = json.load(f)
except (OSError, ValueError):
    bad = os.path.exists(out) and os.path.getsize(out) > 0
    what = "%s JSON: %s" % ("bad" if bad else "no", ran)
    matrix("nojson" if mode == "absent" else "none",
           code if mode == "absent" else "(%s)" % what)
    failed(["mailready wrote %s" % what])
found = None
for g in doc.get("nodes", []) + doc.get("domains", []):
    for c in g.get("checks", []):
        if c["id"] == check:
            found = c
            break
    if found:
        break
if found is None:
    matrix("nocheck" if mode == "absent" else "none",
           code if mode == "absent" else "(not in the output)")
    failed(["no %s in the output" % check])
findings = found["findings"]
problems = []
if mode == "expect":
    codes = [f["code"] for f in findings if f["severity"] != "pass"
             or f.get("accepted")]
    text = "; ".join("%s; %s" % (f["message"], f.get("hint") or "")
                     for f in findings)
    matrix(found["status"], ",".join(codes) or "-")
    if found["status"] != args[0]:
        problems.append("status %s, want %s" % (found["status"], args[0]))
    if code and code not in [f["code"] for f in findings]:
        problems.append("no %s finding" % code)
    for frag in args[2:]:
        if frag not in text:
            problems.append("lacks '%s'" % frag)
elif mode == "absent":
    present = any(f["code"] == code for f in findings)
    matrix("present" if present else "absent", code)
    if present:
        problems.append("%s is present" % code)
else:
    hit = next((f for f in findings if f["code"] == code), None)
    if hit is None:
        matrix("none", "(no %s finding)" % code)
        problems.append("no %s finding" % code)
    else:
        data = hit.get("data") or {}
        matrix("data", (",".join(sorted(data)) or "-")[:40])
        missing = [k for k in keys if not data.get(k)]
        if not data or missing:
            problems.append("%s data lacks %s: %s" % (
                code, ",".join(missing) or "everything", data))
if problems:
    failed(problems, found)
PY
	[ "$result" = ok ] || SHOWN[$out|$check]=0
	assertion "$out" "$scenario" "$check" "$result"
}

# expect_exit OUT SCENARIO RC [FRAGMENT...]: mailready's run of OUT ended
# with exit status RC and its stderr (lines joined) contains each
# fragment: a configuration it must refuse before probing anything.
expect_exit() {
	local out=$1 scenario=$2 want=$3 rc err frag n=0 found=0 lacks=
	shift 3
	rc=$(cat "$out.rc" 2>/dev/null) || rc=none
	err=$(tr '\n' ' ' <"$out.err" 2>/dev/null)
	for frag in "$@"; do
		n=$((n + 1))
		case $err in
		*"$frag"*) found=$((found + 1)) ;;
		*) lacks+=" '$frag'" ;;
		esac
	done
	printf 'MATRIX %-28s %-16s %-7s %-40s -- want exit %s, stderr: %s\n' \
		"$scenario" exit "exit $rc" "stderr: $found of $n fragments" \
		"$want" "$n fragments"
	if [ "$rc" = "$want" ] && [ -z "$lacks" ]; then
		assertion "$out" "$scenario" exit ok
		return
	fi
	printf '%s: FAIL: %s: %s, want exit %s%s\n' "$TEST_NAME" "$scenario" \
		"$(mr_status "$out")" "$want" "${lacks:+; stderr lacks$lacks}" >&2
	assertion "$out" "$scenario" exit fail
}

# expect_log OUT SCENARIO WHAT FILE REGEX present|absent: FILE (a
# server_log) got a line matching the extended REGEX during the run OUT,
# or none (through FILE's filter: the run's own lines)
# expect_secret_absent OUT SCENARIO SECRET: the run's output (its JSON,
# which holds every message, hint and datum the renderers show) and its
# stderr never contain SECRET (the login_file password)
expect_secret_absent() {
	local out=$1 scenario=$2 secret=$3 got=absent f
	for f in "$out" "$out.err"; do
		[ -e "$f" ] && grep -qF -- "$secret" "$f" && got=present
	done
	printf 'MATRIX %-28s %-16s %-7s %-40s -- want absent\n' "$scenario" \
		password "$got" "in JSON and stderr"
	if [ "$got" = absent ]; then
		assertion "$out" "$scenario" password ok
		return
	fi
	printf '%s: FAIL: %s: the password is in the output of %s\n' \
		"$TEST_NAME" "$scenario" "$out" >&2
	assertion "$out" "$scenario" password fail
}

expect_log() {
	local out=$1 scenario=$2 what=$3 file=$4 re=$5 want=$6 got=absent
	log_since "$out" "$file" | grep -Eq -- "$re" && got=present
	printf 'MATRIX %-28s %-16s %-7s %-40s -- want %s\n' "$scenario" "$what" \
		"$got" "log: $re" "$want"
	if [ "$got" = "$want" ]; then
		assertion "$out" "$scenario" "$what" ok
		return
	fi
	printf '%s: FAIL: %s: %s: /%s/ %s in %s\n' "$TEST_NAME" "$scenario" \
		"$what" "$re" "$got" "$file" >&2
	assertion "$out" "$scenario" "$what" fail
}
