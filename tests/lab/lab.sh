#!/usr/bin/env bash
# lab.sh -- the mailready test lab: real servers on loopback (127.0.0.0/8).
#
#   lab.sh start  RUNDIR [COMPONENT...]   (components: dns mail web;
#                                          default: dns mail)
#   lab.sh stop   RUNDIR                  (stops every component)
#   lab.sh status RUNDIR                  (exit 0 when everything runs)
#
# Every daemon gets its config, pid file and log file under RUNDIR; configs
# are generated from the templates next to this script. Must run as root.
# See tests/lab/README.md for the topology and the planted faults.
#
# Environment: LAB_FAULTSERVER=PATH, the fault server built by meson
# (tests/lab/faultserver); unset, lab.sh builds faultserver.c with cc.
#
# Adding a component X: write start_X RUNDIR, stop_X RUNDIR and
# status_X RUNDIR, and append X to COMPONENTS below (start order; stop runs
# in reverse order).
#
# Network rule: nothing here listens on, sends from or talks to anything but
# 127.0.0.0/8.
set -euo pipefail

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
COMPONENTS=(dns mail web)
DEFAULT_COMPONENTS=(dns mail)
START_TIMEOUT=10        # seconds, whole wait for all servers of a component
STOP_TIMEOUT=5          # seconds per daemon before SIGKILL

# ---------------------------------------------------------------- helpers

say()  { printf 'lab: %s\n' "$*" >&2; }
die()  { say "error: $*"; exit 1; }

usage() {
	cat >&2 <<EOF
usage: ${0##*/} start RUNDIR [COMPONENT...]   (components: ${COMPONENTS[*]}; default: ${DEFAULT_COMPONENTS[*]})
       ${0##*/} stop RUNDIR
       ${0##*/} status RUNDIR
EOF
	exit 2
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

need_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "'$c' not found (install it; see .ci/run)"
	done
}

# render TEMPLATE... -- KEY=VALUE...: concatenate the templates on stdout,
# replacing every @KEY@ with VALUE.
render() {
	local files=() subs=() line kv
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	subs=("$@")
	cat -- "${files[@]}" | while IFS= read -r line || [ -n "$line" ]; do
		for kv in "${subs[@]}"; do
			# quoted replacement: no '&' expansion (bash 5.2)
			line=${line//"@${kv%%=*}@"/"${kv#*=}"}
		done
		case $line in *@[A-Z]*@*) say "unsubstituted placeholder: $line"; exit 1 ;; esac
		printf '%s\n' "$line"
	done
}

# show_log FILE: the end of a daemon's log, for failure reports.
show_log() {
	local f=$1
	if [ -s "$f" ]; then
		say "---- last lines of $f ----"
		tail -n 40 -- "$f" | sed 's/^/    /' >&2
		say "---- end of $f ----"
	else
		say "($f is empty or missing)"
	fi
}

# pid_matches PID CONF: PID is alive and was started with CONF as argument.
pid_matches() {
	local pid=$1 conf=$2 a args=()
	{ mapfile -d '' -t args <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
	for a in ${args[@]+"${args[@]}"}; do [ "$a" = "$conf" ] && return 0; done
	return 1
}

# daemon_pids PIDFILE CONF: the pid in PIDFILE (if it is really ours) plus
# every process whose command line names CONF (forked children, or a daemon
# that died before writing its pid file). CONF is a path inside RUNDIR, so
# this never matches another lab or a system daemon.
daemon_pids() {
	local pidfile=$1 conf=$2 pid d
	{
		if [ -r "$pidfile" ]; then
			read -r pid <"$pidfile" || true
			case ${pid:-} in ''|*[!0-9]*) ;; *)
				if pid_matches "$pid" "$conf"; then echo "$pid"; fi ;;
			esac
		fi
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			[ "$pid" = "$$" ] && continue
			if pid_matches "$pid" "$conf"; then echo "$pid"; fi
		done
	} | sort -un
}

# stop_daemon LABEL PIDFILE CONF: SIGTERM, wait up to STOP_TIMEOUT, SIGKILL.
# A daemon counts as stopped once it has exited (it may still be a zombie:
# see wait_reaped).
SIGNALLED=()
stop_daemon() {
	local label=$1 pidfile=$2 conf=$3 pids left deadline
	pids=$(daemon_pids "$pidfile" "$conf")
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2206
		SIGNALLED+=($pids)
		say "stopping $label (pid ${pids//$'\n'/ })"
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
		while :; do
			left=
			for pid in $pids; do
				pid_matches "$pid" "$conf" && left+=" $pid"
			done
			[ -z "$left" ] && break
			if [ "$(now_ms)" -ge "$deadline" ]; then
				say "$label did not exit in ${STOP_TIMEOUT}s, killing:$left"
				# shellcheck disable=SC2086
				kill -KILL $left 2>/dev/null || true
				sleep 0.2
				break
			fi
			sleep 0.05
		done
	fi
	rm -f -- "$pidfile"
}

# wait_reaped: the daemons double-fork, so once stopped they are zombies
# until PID 1 reaps them. Some container/VM inits reap lazily (here: ~2 s),
# and `pgrep nsd` would still list them. Wait (bounded) until they are gone
# from /proc, so that "stopped" also means "no process left".
wait_reaped() {
	local deadline=$(( $(now_ms) + 3000 )) pid left
	while :; do
		left=
		for pid in ${SIGNALLED[@]+"${SIGNALLED[@]}"}; do
			[ -e "/proc/$pid" ] && left+=" $pid"
		done
		[ -z "$left" ] && return 0
		if [ "$(now_ms)" -ge "$deadline" ]; then
			say "note: exited daemons not yet reaped by PID 1 (zombies):$left"
			return 0
		fi
		sleep 0.05
	done
}

# spawn [-b] LOG CMD...: start a daemon with its output appended to LOG and
# without the RUNDIR lock descriptor (fd 9), which it would otherwise keep
# for its whole life and so block every later lab.sh run. CMD is expected
# to fork into the background and its exit status is returned; with -b,
# CMD is a program that stays in the foreground: it is run in the
# background in a session of its own (setsid, no controlling terminal, like
# a daemon) and SPAWN_PID is set to its pid.
SPAWN_PID=
spawn() {
	local bg=0 log
	if [ "$1" = -b ]; then bg=1; shift; fi
	log=$1; shift
	if [ $bg -eq 1 ]; then
		setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
		SPAWN_PID=$!
	else
		"$@" </dev/null >>"$log" 2>&1 9>&-
	fi
}

# addrs_in_use PORT ADDR...: prints the listeners that would clash with a
# daemon on ADDR:PORT (same address or the wildcard), if any.
addrs_in_use() {
	local port=$1; shift
	{ ss -Hlnup "sport = :$port"; ss -Hlntp "sport = :$port"; } 2>/dev/null |
		awk -v p=":$port" -v list="$*" '
			BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) want[a[i] p] = 1 }
			($4 in want) || $4 == "0.0.0.0" p || $4 == "*" p { print "  " $0 }'
}

# ---------------------------------------------------------------- dns
#
# name:address of every DNS daemon (see README.md).
DNS_NSD=(root:127.0.0.2 tld:127.0.0.3 ns1:127.0.0.4 ns2:127.0.0.5 ns3:127.0.0.6 ns4:127.0.0.7)
# ldns-testns: canned (mostly lying) answers from dns/NAME.testns
DNS_TESTNS=(liar:127.0.0.12)
DNS_UNBOUND=(inside:127.0.0.10 outside:127.0.0.11)
# addresses of lab name servers where nothing may listen (dead.test's
# ns5.example.test): start refuses to run when something does
DNS_DEAD=(127.0.0.8)
# the zone each authoritative server is asked for when the lab waits for it
declare -A DNS_PROBE_ZONE=([root]=. [tld]=test. [ns1]=example.test. [ns2]=example.test.
	[ns3]=skew.test. [ns4]=dummy.test. [liar]=liar.test.)
# kind of every daemon by name: nsd, testns or unbound
declare -A DNS_KIND=()
for _e in "${DNS_NSD[@]}"; do DNS_KIND[${_e%%:*}]=nsd; done
for _e in "${DNS_TESTNS[@]}"; do DNS_KIND[${_e%%:*}]=testns; done
for _e in "${DNS_UNBOUND[@]}"; do DNS_KIND[${_e%%:*}]=unbound; done
unset _e

# dns_files DNSDIR NAME: set D_LABEL, D_CONF (the file on the daemon's
# command line: how stop finds it), D_PID and D_LOG for daemon NAME.
dns_files() {
	local dns=$1 name=$2
	case ${DNS_KIND[$name]} in
	nsd)
		D_LABEL="nsd $name" D_CONF=$dns/nsd-$name/nsd.conf
		D_PID=$dns/nsd-$name/nsd.pid D_LOG=$dns/nsd-$name/nsd.log ;;
	testns)
		D_LABEL="ldns-testns $name" D_CONF=$dns/testns-$name/$name.testns
		D_PID=$dns/testns-$name/ldns-testns.pid D_LOG=$dns/testns-$name/ldns-testns.log ;;
	unbound)
		D_LABEL="unbound $name" D_CONF=$dns/unbound-$name/unbound.conf
		D_PID=$dns/unbound-$name/unbound.pid D_LOG=$dns/unbound-$name/unbound.log ;;
	esac
}

# listeners_of PID...: "PROTO LOCAL-ADDRESS" of every socket those
# processes listen on, sorted
listeners_of() {
	local pid
	for pid in "$@"; do
		ss -Hlnupt 2>/dev/null | awk -v p="pid=$pid," 'index($0, p) { print $1, $5 }'
	done | sort -u
}

dns_fail() { # dns_fail MESSAGE LOG...: report, show logs, exit (the EXIT trap stops the lab)
	local msg=$1; shift
	say "error: $msg"
	local f
	for f in "$@"; do show_log "$f"; done
	exit 1
}

start_dns() {
	local run=$1 dns=$1/dns src=$LAB_DIR/dns
	local ent name addr dir conf zone zfile out t0 deadline pending next line pids want

	need_cmds nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf \
		ldns-testns cc setsid dig ss
	stop_dns "$run"

	# fresh generated tree (daemons are stopped, logs of the old run go too)
	rm -rf -- "$dns"
	mkdir -p -- "$dns/zones"
	cp -- "$src"/zones/*.zone "$dns/zones/"
	cp -- "$src/root.hints" "$dns/root.hints"

	# --- generate and check every config
	for ent in "${DNS_NSD[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/nsd-$name conf=$dns/nsd-$name/nsd.conf
		mkdir -p -- "$dir/xfr"
		render "$src/nsd.conf.in" "$src/nsd-$name.zones.in" -- \
			NAME="$name" ADDR="$addr" DIR="$dir" ZONEDIR="$dns/zones" >"$conf"
		out=$(nsd-checkconf "$conf" 2>&1) || dns_fail "nsd-checkconf $conf: $out"
		# every zone: (name, zonefile) pairs of the generated config
		while read -r zone zfile; do
			out=$(nsd-checkzone "$zone" "$zfile" 2>&1) ||
				dns_fail "nsd-checkzone $zone $zfile: $out"
		done < <(awk -F'"' '/^[ \t]*name:/ { z = $2 } /^[ \t]*zonefile:/ { print z, $2 }' "$conf")
	done
	for ent in "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/unbound-$name conf=$dns/unbound-$name/unbound.conf
		mkdir -p -- "$dir"
		local parts=("$src/unbound.conf.in")
		[ -f "$src/unbound-$name.local.conf" ] && parts+=("$src/unbound-$name.local.conf")
		render "${parts[@]}" -- NAME="$name" ADDR="$addr" DIR="$dir" \
			HINTS="$dns/root.hints" >"$conf"
		out=$(unbound-checkconf "$conf" 2>&1) || dns_fail "unbound-checkconf $conf: $out"
	done
	# ldns-testns can only bind to the wildcard (it has no address option):
	# it runs with bindaddr.so preloaded, which turns its bind() to 0.0.0.0
	# into LAB_BIND_ADDR and makes every other bind() fail (see bindaddr.c)
	if [ ${#DNS_TESTNS[@]} -gt 0 ]; then
		out=$(cc -shared -fPIC -O2 -o "$dns/bindaddr.so" "$src/bindaddr.c" 2>&1) ||
			dns_fail "cannot build $src/bindaddr.c: $out"
	fi
	for ent in "${DNS_TESTNS[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/testns-$name
		mkdir -p -- "$dir"
		cp -- "$src/$name.testns" "$dir/$name.testns"
		# the shim loads (ld.so only warns when a preload fails)...
		out=$(env LAB_BIND_ADDR="$addr" LD_PRELOAD="$dns/bindaddr.so" true 2>&1) || true
		[ "$out" = "bindaddr: IPv4 binds go to $addr only" ] ||
			dns_fail "$dns/bindaddr.so does not load: $out"
		# ...and the data file parses: with no valid LAB_BIND_ADDR the shim
		# fails every bind(), so ldns-testns reads its file, then exits
		# without binding anything
		out=$(env LAB_BIND_ADDR=none LD_PRELOAD="$dns/bindaddr.so" \
			ldns-testns -p 53 "$dir/$name.testns" 2>&1) || true
		grep -q 'cannot bind(): Cannot assign requested address' <<<"$out" ||
			dns_fail "ldns-testns cannot read $dir/$name.testns: $out"
	done

	# --- every address must be free (another lab, a system resolver...)
	local addrs=()
	for ent in "${DNS_NSD[@]}" "${DNS_TESTNS[@]}" "${DNS_UNBOUND[@]}"; do addrs+=("${ent#*:}"); done
	out=$(addrs_in_use 53 "${addrs[@]}")
	[ -z "$out" ] || dns_fail "port 53 of a lab address is already in use (another lab running?):
$out"
	out=$(addrs_in_use 53 "${DNS_DEAD[@]}")
	[ -z "$out" ] || dns_fail "something listens on port 53 of ${DNS_DEAD[*]}, which must stay dead (dead.test):
$out"

	# --- start (NSD and Unbound fork into the background; a bind or config
	# error makes the foreground process exit non-zero). ldns-testns starts
	# after NSD: should it ever try the wildcard, 0.0.0.0:53 is then taken.
	t0=$(now_ms)
	for ent in "${DNS_NSD[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/nsd-$name
		spawn "$dir/nsd.log" nsd -c "$dir/nsd.conf" ||
			dns_fail "nsd $name ($addr) failed to start" "$dir/nsd.log"
	done
	for ent in "${DNS_TESTNS[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/testns-$name
		# stays in the foreground: spawn -b runs it in the background
		spawn -b "$dir/ldns-testns.log" env LAB_BIND_ADDR="$addr" \
			LD_PRELOAD="$dns/bindaddr.so" ldns-testns -v -p 53 "$dir/$name.testns"
		printf '%s\n' "$SPAWN_PID" >"$dir/ldns-testns.pid"
	done
	for ent in "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/unbound-$name
		spawn "$dir/unbound.log" unbound -c "$dir/unbound.conf" ||
			dns_fail "unbound $name ($addr) failed to start" "$dir/unbound.log"
	done

	# --- wait until every server answers (one deadline for all)
	deadline=$(( t0 + START_TIMEOUT * 1000 ))
	pending=("${DNS_NSD[@]}" "${DNS_TESTNS[@]}" "${DNS_UNBOUND[@]}")
	while [ ${#pending[@]} -gt 0 ]; do
		next=()
		for ent in "${pending[@]}"; do
			name=${ent%%:*} addr=${ent#*:}
			if [ -n "${DNS_PROBE_ZONE[$name]:-}" ]; then
				# authoritative: NOERROR + AA for its zone (zones loaded)
				out=$(dig +norec +time=1 +tries=1 @"$addr" "${DNS_PROBE_ZONE[$name]}" SOA 2>&1) || true
				if grep -q 'status: NOERROR' <<<"$out" && grep -q 'flags: qr aa' <<<"$out"; then
					continue
				fi
			else
				# Unbound: any answer at all (+norec is REFUSED: fine)
				if dig +norec +time=1 +tries=1 @"$addr" . SOA >/dev/null 2>&1; then
					continue
				fi
			fi
			if [ "${DNS_KIND[$name]}" = testns ]; then
				# not a daemon: if it exited, it will not come back
				dns_files "$dns" "$name"
				[ -n "$(daemon_pids "$D_PID" "$D_CONF")" ] ||
					dns_fail "ldns-testns $name ($addr) exited" "$D_LOG"
			fi
			next+=("$ent")
		done
		pending=(${next[@]+"${next[@]}"})
		[ ${#pending[@]} -eq 0 ] && break
		if [ "$(now_ms)" -ge "$deadline" ]; then
			local logs=()
			for ent in "${pending[@]}"; do
				dns_files "$dns" "${ent%%:*}"
				logs+=("$D_LOG")
			done
			dns_fail "no answer within ${START_TIMEOUT}s from: ${pending[*]}" "${logs[@]}"
		fi
		sleep 0.1
	done

	# --- ldns-testns listens on its own address only, UDP and TCP
	for ent in "${DNS_TESTNS[@]}"; do
		name=${ent%%:*} addr=${ent#*:}
		dns_files "$dns" "$name"
		pids=$(daemon_pids "$D_PID" "$D_CONF")
		# shellcheck disable=SC2086
		out=$(listeners_of $pids)
		want="tcp $addr:53"$'\n'"udp $addr:53"
		[ "$out" = "$want" ] ||
			dns_fail "ldns-testns $name (pid ${pids//$'\n'/ }) must listen on $addr:53 only, listens on:
${out:-nothing}" "$D_LOG"
	done

	# --- end to end: both resolvers resolve lab names from the lab root,
	# through the NSD tree and through the liar's honest answer
	for ent in "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:}
		while :; do
			out=$(dig +time=2 +tries=1 @"$addr" example.test SOA 2>&1) || true
			grep -q 'status: NOERROR' <<<"$out" && grep -q '^example\.test\..*SOA' <<<"$out" &&
				out=$(dig +time=2 +tries=1 @"$addr" ok.liar.test A 2>&1) &&
				grep -q '^ok\.liar\.test\..*A[[:space:]]*127\.0\.2\.40$' <<<"$out" && break
			[ "$(now_ms)" -ge "$deadline" ] &&
				dns_fail "unbound $name ($addr) cannot resolve example.test SOA and ok.liar.test A from the lab root:
$out" "$dns/unbound-$name/unbound.log"
			sleep 0.1
		done
	done
	say "dns up in $(( $(now_ms) - t0 )) ms: ${DNS_NSD[*]} ${DNS_TESTNS[*]} ${DNS_UNBOUND[*]}"
}

stop_dns() {
	local run=$1 dns=$1/dns i all
	# no early return when $dns is missing: daemons are also found by
	# their command line, so a lab whose RUNDIR was deleted still stops
	# resolvers first, then the authoritative servers (reverse start order)
	all=("${DNS_NSD[@]}" "${DNS_TESTNS[@]}" "${DNS_UNBOUND[@]}")
	for (( i=${#all[@]}-1; i>=0; i-- )); do
		dns_files "$dns" "${all[i]%%:*}"
		stop_daemon "$D_LABEL" "$D_PID" "$D_CONF"
	done
}

status_dns() {
	local run=$1 dns=$1/dns ent name addr pids state bad=0
	for ent in "${DNS_NSD[@]}" "${DNS_TESTNS[@]}" "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:}
		dns_files "$dns" "$name"
		pids=$(daemon_pids "$D_PID" "$D_CONF")
		if [ -z "$pids" ]; then
			state=stopped bad=1
		elif dig +norec +time=1 +tries=1 @"$addr" . SOA >/dev/null 2>&1; then
			state="running (pid ${pids//$'\n'/ }), answers"
		else
			state="running (pid ${pids//$'\n'/ }), NOT answering" bad=1
		fi
		printf 'dns  %-16s %-11s %s\n' "$D_LABEL" "$addr" "$state"
	done
	return $bad
}

# ---------------------------------------------------------------- mail
#
# One Postfix (every SMTP host is a listener of its own), one Dovecot (IMAP
# and POP3 on two addresses), the fault server (tests/lab/faultserver.c)
# and a lab PKI, all under RUNDIR/mail (see README.md, "Mail").

# leaf certificates: NAME:KIND (good, expiring, expired, wrongname, rogue)
MAIL_CERTS=(mta1.example.test:good proxy2.example.test:good mx2.policy.test:good
	imap-plain.example.test:good mx-badhelo.example.test:good
	sub-plain.example.test:good
	mx-expired.example.test:expired mx-wrongname.example.test:wrongname
	mx-untrusted.example.test:rogue mx-expiring.example.test:expiring)
# the listeners of each daemon, exactly (start checks them with ss)
MAIL_POSTFIX_LISTEN=(127.0.2.10:25 127.0.2.10:587 127.0.2.10:465
	127.0.2.19:25 127.0.2.19:587 127.0.2.19:465
	127.0.2.50:25 127.0.2.51:25 127.0.2.52:25 127.0.2.53:25 127.0.2.54:25
	127.0.2.55:25 127.0.2.57:587)
MAIL_DOVECOT_LISTEN=(127.0.2.18:143 127.0.2.18:993 127.0.2.18:110
	127.0.2.18:995 127.0.2.58:143 127.0.2.58:110)
# ADDR:PORT=MODE of the fault server
MAIL_FAULTS=(127.0.2.60:25=stall-greeting 127.0.2.61:25=garbage-greeting
	127.0.2.62:25=endless-line 127.0.2.63:25=stall-ehlo
	127.0.2.64:25=stall-tls 127.0.2.65:25=inject-starttls
	127.0.2.66:143=bye-imap)
# where nothing may listen (mx-closed.example.test)
MAIL_CLOSED=(127.0.2.56:25)
# greeting expected on each plain-text listener when the lab waits for it
declare -A MAIL_GREETING=([127.0.2.10:25]='220 mta1.example.test ESMTP'
	[127.0.2.10:587]='220 mta1.example.test ESMTP'
	[127.0.2.19:25]='220 mx2.policy.test ESMTP'
	[127.0.2.19:587]='220 mx2.policy.test ESMTP'
	[127.0.2.50:25]='220 mx-expired.example.test ESMTP'
	[127.0.2.51:25]='220 mx-wrongname.example.test ESMTP'
	[127.0.2.52:25]='220 mx-untrusted.example.test ESMTP'
	[127.0.2.53:25]='220 mx-expiring.example.test ESMTP'
	[127.0.2.54:25]='220 mx-notls.example.test ESMTP'
	[127.0.2.55:25]='220 relay.other.test ESMTP'
	[127.0.2.57:587]='220 sub-plain.example.test ESMTP'
	[127.0.2.18:143]='* OK ' [127.0.2.18:110]='+OK '
	[127.0.2.58:143]='* OK ' [127.0.2.58:110]='+OK '
	[127.0.2.66:143]='* BYE too busy')
# the services the lab Postfix may run (master.cf "command" column): no
# smtp, lmtp, local, virtual or pipe, so it can never deliver anything
MAIL_POSTFIX_SERVICES=" smtpd pickup cleanup qmgr tlsmgr trivial-rewrite bounce flush proxymap showq error discard anvil scache postlogd "

# mail_files MAILDIR: paths of the mail component
mail_files() {
	local m=$1
	M_PKI=$m/pki
	M_PF_CONF=$m/postfix M_PF_QUEUE=$m/postfix-queue M_PF_DATA=$m/postfix-data
	M_PF_LOG=$m/postfix.log M_PF_PID=$m/postfix-queue/pid/master.pid
	M_DC_DIR=$m/dovecot M_DC_CONF=$m/dovecot/dovecot.conf
	M_DC_LOG=$m/dovecot/dovecot.log M_DC_PID=$m/dovecot/run/master.pid
	M_FS_DIR=$m/fault M_FS_PID=$m/fault/faultserver.pid M_FS_LOG=$m/fault/faultserver.log
}

mail_fail() { # mail_fail MESSAGE LOG...: report, show logs, exit (the EXIT trap stops the lab)
	local msg=$1 f
	shift
	say "error: $msg"
	for f in "$@"; do show_log "$f"; done
	exit 1
}

# proc_start PID: the start time of PID (with the pid, its identity), or
# nothing when it is gone or a zombie
proc_start() {
	local stat rest
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	case $1 in Z|X) return 1 ;; esac
	printf '%s\n' "${20}"
}

# env_pids VAR=VALUE: pids of the processes with exactly that variable in
# their environment (Postfix passes MAIL_CONFIG to master and every child)
env_pids() {
	grep -lzxF -- "$1" /proc/[0-9]*/environ 2>/dev/null |
		sed -n 's#^/proc/\([0-9]*\)/environ$#\1#p' | grep -vx "$$" | sort -un || true
}

# stop_procs LABEL "MAIN..." "ALL...": SIGTERM the main processes (they stop
# their children), or all when no main one is left; wait up to
# STOP_TIMEOUT until every process of ALL has exited, then SIGKILL the rest.
# Processes are followed by pid and start time (no pid reuse surprises).
stop_procs() {
	local label=$1 mains=$2 procs=$3 pid st ids=() left deadline
	for pid in $procs $mains; do
		st=$(proc_start "$pid") && ids+=("$pid:$st")
	done
	[ ${#ids[@]} -gt 0 ] || return 0
	# shellcheck disable=SC2206
	SIGNALLED+=($procs $mains)
	[ -n "${mains//[[:space:]]/}" ] || mains=$procs
	# shellcheck disable=SC2086
	pid=$(printf '%s\n' $procs $mains | sort -un | tr '\n' ' ')
	say "stopping $label (pid ${pid% })"
	# shellcheck disable=SC2086
	kill -TERM $mains 2>/dev/null || true
	deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
	while :; do
		left=
		for pid in "${ids[@]}"; do
			[ "$(proc_start "${pid%%:*}")" = "${pid#*:}" ] && left+=" ${pid%%:*}"
		done
		[ -z "$left" ] && return 0
		if [ "$(now_ms)" -ge "$deadline" ]; then
			say "$label did not exit in ${STOP_TIMEOUT}s, killing:$left"
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null || true
			sleep 0.2
			return 0
		fi
		sleep 0.05
	done
}

# the Postfix master (from its pid file, if it is ours) and every process
# of that instance
mail_postfix_pids() { # sets PF_MAIN and PF_ALL
	local pid
	PF_ALL=$(env_pids "MAIL_CONFIG=$M_PF_CONF")
	PF_MAIN=
	pid=$(pidfile_pid "$M_PF_PID")
	if [ -n "$pid" ] && grep -qx -- "$pid" <<<"$PF_ALL"; then PF_MAIN=$pid; fi
}

# the Dovecot master(s) of this config and their children
mail_dovecot_pids() { # sets DC_MAIN and DC_ALL
	local m
	DC_MAIN=$(daemon_pids "$M_DC_PID" "$M_DC_CONF")
	DC_ALL=$DC_MAIN
	for m in $DC_MAIN; do
		DC_ALL+=$'\n'$(ps -o pid= --ppid "$m" 2>/dev/null | tr -d ' ')
	done
	DC_ALL=$(sort -un <<<"$DC_ALL" | grep . || true)
}

# pidfile_pid FILE: the number in a pid file (Postfix pads it), if any
pidfile_pid() {
	local pid=
	{ read -r pid <"$1"; } 2>/dev/null || true
	pid=${pid//[[:space:]]/}
	case $pid in ''|*[!0-9]*) ;; *) printf '%s\n' "$pid" ;; esac
}

# snap_listeners SNAPSHOT PID: "PROTO LOCAL-ADDRESS" of the sockets PID
# listens on, sorted, from the output of `ss -Hlntup`
snap_listeners() {
	awk -v p="pid=$2," 'index($0, p) { print $1, $5 }' <<<"$1" | sort -u
}

# probe_line ADDR PORT: the first line the server sends (CR removed),
# within 2 s. In-shell (bash /dev/tcp): no process per probe.
probe_line() {
	local fd l=
	{ exec {fd}<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
	IFS= read -r -t 2 l <&"$fd" || true
	exec {fd}>&-
	printf '%s\n' "${l%$'\r'}"
}

# probe_greetings: the plain-text listeners of MAIL_GREETING that do not
# greet as expected. All connections are opened first (on loopback a
# connect completes at once), so the servers start their processes in
# parallel; then each greeting is read.
probe_greetings() {
	local ent fd line bad=
	local -A fds=()
	for ent in "${!MAIL_GREETING[@]}"; do
		if { exec {fd}<>"/dev/tcp/${ent%:*}/${ent##*:}"; } 2>/dev/null; then
			fds[$ent]=$fd
		else
			bad+=" $ent"
		fi
	done
	for ent in "${!fds[@]}"; do
		fd=${fds[$ent]} line=
		IFS= read -r -t 2 line <&"$fd" || true
		exec {fd}>&-
		[[ ${line%$'\r'} == "${MAIL_GREETING[$ent]}"* ]] || bad+=" $ent"
	done
	printf '%s' "$bad"
}

# tls_probe ARGS...: openssl s_client with the lab root as the only trust
# anchor; succeeds when the chain and the name verify. Input on stdin.
tls_probe() {
	timeout 5 openssl s_client -verify_return_error -CAfile "$M_PKI/root.pem" \
		-quiet "$@" 2>&1 9>&-
}

# mail_pki MAILDIR: the lab CAs (made once per RUNDIR) and fresh leaves
mail_pki() {
	local pki=$1/pki out
	pki_init "$pki"
	pki_leaves "$pki" "${MAIL_CERTS[@]}"
	# what clients trust: root.pem only
	out=$(openssl verify -CAfile "$pki/root.pem" -untrusted "$pki/issuing.pem" \
		"$pki/mta1.example.test.cert.pem" 2>&1) || mail_fail "the lab PKI does not verify: $out"
}

# pki_init PKI: the openssl config, an empty scratch database and the lab
# CAs (made once per RUNDIR, kept while complete and consistent). The web
# component issues its leaves from the same CAs.
pki_init() {
	local pki=$1 ent name cn
	mkdir -p -- "$pki"
	chmod 755 "$pki"
	render "$LAB_DIR/mail/openssl.cnf.in" -- PKI="$pki" >"$pki/openssl.cnf"
	rm -rf -- "$pki/db"
	mkdir -p -- "$pki/db/new"
	: >"$pki/db/index.txt"

	# CAs: reuse them if complete and consistent, else make all three
	if ! { [ -s "$pki/root.key" ] && [ -s "$pki/issuing.key" ] && [ -s "$pki/rogue.key" ] &&
		openssl verify -CAfile "$pki/root.pem" "$pki/root.pem" "$pki/issuing.pem" >/dev/null 2>&1 &&
		openssl verify -CAfile "$pki/rogue.pem" "$pki/rogue.pem" >/dev/null 2>&1; }; then
		say "making the lab CAs (once per run directory)"
		rm -f -- "$pki"/root.* "$pki"/issuing.* "$pki"/rogue.*
		# validity 2020..2049, so the expired leaf lies inside it
		for ent in "root:Lab Root CA" "rogue:Rogue CA"; do
			name=${ent%%:*} cn=${ent#*:}
			mail_openssl req -new -config "$pki/openssl.cnf" -newkey ec \
				-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$name.key" \
				-subj "/CN=$cn" -out "$pki/$name.csr"
			mail_openssl ca -batch -notext -config "$pki/openssl.cnf" -name "ca_$name" \
				-selfsign -keyfile "$pki/$name.key" -in "$pki/$name.csr" \
				-out "$pki/$name.pem" -extensions v3_root -rand_serial \
				-startdate 20200101000000Z -enddate 20491231235959Z
		done
		mail_openssl req -new -config "$pki/openssl.cnf" -newkey ec \
			-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/issuing.key" \
			-subj "/CN=Lab Issuing CA" -out "$pki/issuing.csr"
		mail_openssl ca -batch -notext -config "$pki/openssl.cnf" -name ca_root \
			-in "$pki/issuing.csr" -out "$pki/issuing.pem" -extensions v3_issuing \
			-rand_serial -startdate 20200101000000Z -enddate 20491231235959Z
		rm -f -- "$pki"/*.csr
		: >"$pki/db/index.txt"
	fi
}

# pki_leaves PKI NAME:KIND...: issue the leaves that are missing, too old
# or of another kind (KIND: good, expiring, expired, wrongname, rogue)
pki_leaves() {
	local pki=$1 ent name kind cn ca
	shift
	# leaves: mx-expiring (10 days) is issued anew at every start, so it
	# stays 9-10 days from expiry; the others are kept while younger than
	# 30 days and than their CA (365 days: always more than 300 left)
	for ent in "$@"; do
		name=${ent%%:*} kind=${ent#*:} cn=$name ca=issuing
		local validity=(-days 365)
		case $kind in
		expiring) validity=(-days 10) ;;
		expired) validity=(-startdate 20210101000000Z -enddate 20220101000000Z) ;;
		wrongname) cn=mail.other.test ;;
		rogue) ca=rogue ;;
		esac
		if [ "$kind" != expiring ] && [ -s "$pki/$name.key-chain.pem" ] &&
			[ "$(cat -- "$pki/$name.kind" 2>/dev/null)" = "$kind" ] &&
			[ -n "$(find "$pki/$name.cert.pem" -mtime -30 -newer "$pki/$ca.pem" 2>/dev/null)" ]; then
			continue
		fi
		rm -f -- "$pki/$name".*
		mail_openssl req -new -config "$pki/openssl.cnf" -newkey ec \
			-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/$name.key.pem" \
			-subj "/CN=$cn" -addext "subjectAltName=DNS:$cn" -out "$pki/$name.csr"
		mail_openssl ca -batch -notext -config "$pki/openssl.cnf" -name "ca_$ca" \
			-in "$pki/$name.csr" -out "$pki/$name.cert.pem" -extensions v3_leaf \
			-rand_serial "${validity[@]}"
		rm -f -- "$pki/$name.csr"
		# what servers send: the leaf and its CA (Dovecot: ssl_cert), and
		# the same after the key (Postfix: smtpd_tls_chain_files)
		cat -- "$pki/$name.cert.pem" "$pki/$ca.pem" >"$pki/$name.chain.pem"
		(umask 077 && cat -- "$pki/$name.key.pem" "$pki/$name.chain.pem" >"$pki/$name.key-chain.pem")
		printf '%s\n' "$kind" >"$pki/$name.kind"
	done
	chmod 600 -- "$pki"/*.key "$pki"/*.key.pem
}

mail_openssl() { # mail_openssl ARGS...: openssl, quiet unless it fails
	local out
	out=$(openssl "$@" 2>&1 9>&-) || mail_fail "openssl $1 failed: $out"
}

start_mail() {
	local run=$1 m=$1/mail src=$LAB_DIR/mail
	local out t0 deadline ent port want pending fs
	need_cmds openssl postfix postconf dovecot doveconf setsid ss ps timeout runuser
	umask 022
	stop_mail "$run"
	mail_files "$m"

	# --- every address must be free (also of wildcard listeners on those
	# ports), and mx-closed must stay closed
	out=$(ss -Hltnp 2>/dev/null | awk -v list="${MAIL_POSTFIX_LISTEN[*]} ${MAIL_DOVECOT_LISTEN[*]} ${MAIL_FAULTS[*]%%=*} ${MAIL_CLOSED[*]}" '
		BEGIN { n = split(list, a, " ")
			for (i = 1; i <= n; i++) { want[a[i]] = 1; sub(/.*:/, "", a[i]); port[a[i]] = 1 } }
		{ p = $4; sub(/.*:/, "", p); w = substr($4, 1, length($4) - length(p) - 1) }
		($4 in want) || ((p in port) && (w == "0.0.0.0" || w == "*" || w == "[::]")) { print "  " $0 }')
	[ -z "$out" ] || mail_fail "a lab mail address is already in use (another lab running?):
$out"

	# fresh tree, but the CAs stay (pki/)
	mkdir -p -- "$m"
	chmod 755 "$m"
	find "$m" -mindepth 1 -maxdepth 1 ! -name pki -exec rm -rf -- {} +
	# --- Postfix: config owned by root, its own queue and data directories
	mkdir -p -- "$M_PF_CONF" "$M_PF_QUEUE" "$M_PF_DATA"
	chown postfix:postfix "$M_PF_DATA"
	chmod 700 "$M_PF_DATA"
	render "$src/postfix-main.cf.in" -- QUEUE="$M_PF_QUEUE" DATA="$M_PF_DATA" \
		LOG="$M_PF_LOG" MAILDIR="$m" PKI="$M_PKI" >"$M_PF_CONF/main.cf"
	render "$src/postfix-master.cf.in" -- PKI="$M_PKI" >"$M_PF_CONF/master.cf"
	# Postfix re-reads a config file until its mtime is at least a
	# second old (about 1.5 s per command for a fresh file): age them
	touch -d '10 seconds ago' -- "$M_PF_CONF/main.cf" "$M_PF_CONF/master.cf"
	runuser -u postfix -- test -x "$M_PF_QUEUE" ||
		mail_fail "user postfix cannot reach $M_PF_QUEUE (a parent directory of RUNDIR is not searchable)"
	# never deliver, never look up: refuse a config that could
	out=$(postconf -c "$M_PF_CONF" -M 2>&1 | awk -v ok="$MAIL_POSTFIX_SERVICES" '
		{ if (index(ok, " " $8 " ") == 0) print "service " $1 " runs " $8
		  if ($2 == "inet" && ($8 != "smtpd" || $1 !~ /^127\.[0-9.]+:[0-9]+$/)) print "inet service " $1 }')
	[ -z "$out" ] || mail_fail "$M_PF_CONF/master.cf must not have: $out"
	out=$(postconf -c "$M_PF_CONF" -h smtp_dns_support_level smtpd_peername_lookup relayhost \
		default_transport relay_transport local_transport virtual_transport \
		smtpd_recipient_restrictions smtpd_relay_restrictions 2>&1 | tr '\n' '|')
	[[ $out == 'disabled|no||error:'*'|error:'*'|error:'*'|error:'*'|reject|reject|' ]] ||
		mail_fail "$M_PF_CONF/main.cf must keep Postfix off the network (got: $out)"
	# `postfix check` (about 0.9 s; it also makes the queue directories)
	# and the fault server's build run while the certificates are made
	postfix -c "$M_PF_CONF" check >"$m/postfix-check.out" 2>&1 9>&- &
	local check_pid=$! cc_pid=
	mkdir -p -- "$M_FS_DIR"
	if [ -n "${LAB_FAULTSERVER:-}" ]; then
		fs=$LAB_FAULTSERVER
		[ -x "$fs" ] || mail_fail "LAB_FAULTSERVER=$fs is not an executable"
	else
		need_cmds cc
		fs=$m/faultserver
		cc -O2 -o "$fs" "$LAB_DIR/faultserver.c" >"$m/faultserver-cc.out" 2>&1 9>&- &
		cc_pid=$!
	fi

	mail_pki "$m"

	wait "$check_pid" || mail_fail "postfix -c $M_PF_CONF check: $(cat -- "$m/postfix-check.out")"
	[ ! -s "$m/postfix-check.out" ] || say "postfix check: $(cat -- "$m/postfix-check.out")"
	if [ -n "$cc_pid" ]; then
		wait "$cc_pid" || mail_fail "cannot build $LAB_DIR/faultserver.c: $(cat -- "$m/faultserver-cc.out")"
	fi

	# --- Dovecot
	mkdir -p -- "$M_DC_DIR/state"
	render "$src/dovecot.conf.in" -- DIR="$M_DC_DIR" PKI="$M_PKI" QUEUE="$M_PF_QUEUE" >"$M_DC_CONF"
	out=$(doveconf -c "$M_DC_CONF" -n 2>&1 >/dev/null 9>&-) || mail_fail "doveconf $M_DC_CONF: $out"

	# --- start: Postfix first (it makes the private/ directory where
	# Dovecot puts the SASL socket), then Dovecot, then the fault server
	t0=$(now_ms)
	spawn "$M_PF_LOG" postfix -c "$M_PF_CONF" start ||
		mail_fail "postfix failed to start" "$M_PF_LOG"
	spawn "$M_DC_LOG" dovecot -c "$M_DC_CONF" ||
		mail_fail "dovecot failed to start" "$M_DC_LOG"
	spawn -b "$M_FS_LOG" "$fs" -p "$M_FS_PID" "${MAIL_FAULTS[@]}"

	# --- wait: each daemon holds exactly its listeners (one ss snapshot
	# per round; the masters come from their pid files), then each
	# plain-text listener greets
	deadline=$(( t0 + START_TIMEOUT * 1000 ))
	local fs_pid=$SPAWN_PID pf dc snap
	local want_pf want_dc want_fs
	want_pf=$(printf 'tcp %s\n' "${MAIL_POSTFIX_LISTEN[@]}" | sort)
	want_dc=$(printf 'tcp %s\n' "${MAIL_DOVECOT_LISTEN[@]}" | sort)
	want_fs=$(printf 'tcp %s\n' "${MAIL_FAULTS[@]%%=*}" | sort)
	while :; do
		pending=
		snap=$(ss -Hlntup 2>/dev/null)
		pf=$(pidfile_pid "$M_PF_PID")
		if [ -z "$pf" ] || ! grep -qzxF -- "MAIL_CONFIG=$M_PF_CONF" "/proc/$pf/environ" 2>/dev/null ||
			[ "$(snap_listeners "$snap" "$pf")" != "$want_pf" ]; then
			pending+=" postfix"
		fi
		dc=$(pidfile_pid "$M_DC_PID")
		if [ -z "$dc" ] || ! pid_matches "$dc" "$M_DC_CONF" ||
			[ "$(snap_listeners "$snap" "$dc")" != "$want_dc" ]; then
			pending+=" dovecot"
		fi
		if [ ! -s "$M_FS_PID" ] || [ "$(snap_listeners "$snap" "$fs_pid")" != "$want_fs" ]; then
			pending+=" faultserver"
		fi
		if [ -z "$pending" ]; then
			pending=$(probe_greetings)
		fi
		[ -z "$pending" ] && break
		[ -n "$(proc_start "$fs_pid")" ] || mail_fail "the fault server exited" "$M_FS_LOG"
		if [ "$(now_ms)" -ge "$deadline" ]; then
			mail_fail "not ready within ${START_TIMEOUT}s:$pending (postfix master ${pf:-none}, dovecot ${dc:-none}, faultserver $fs_pid); listening:
$(grep '127\.0\.2\.' <<<"$snap")" "$M_PF_LOG" "$M_DC_LOG" "$M_FS_LOG"
		fi
		sleep 0.1
	done
	out=$(ss -Hltn | awk '{ print $4 }')
	for ent in "${MAIL_CLOSED[@]}"; do
		! grep -qxF -- "$ent" <<<"$out" ||
			mail_fail "something listens on $ent, which must stay closed (mx-closed)"
	done

	# --- end to end, TLS with the lab root as the only trust anchor:
	# submission (AUTH only after STARTTLS: the Dovecot SASL socket works)
	# and IMAPS
	if ! out=$(printf 'EHLO lab.test\r\nQUIT\r\n' | tls_probe -connect 127.0.2.10:587 \
		-starttls smtp -servername mta1.example.test -verify_hostname mta1.example.test) ||
		! grep -q '^250-AUTH PLAIN LOGIN' <<<"$out"; then
		mail_fail "submission on 127.0.2.10:587 does not verify or offers no AUTH after STARTTLS:
$out" "$M_PF_LOG" "$M_DC_LOG"
	fi
	if ! out=$(printf 'a LOGOUT\r\n' | tls_probe -connect 127.0.2.18:993 \
		-servername proxy2.example.test -verify_hostname proxy2.example.test) ||
		! grep -q '^\* BYE' <<<"$out"; then
		mail_fail "IMAPS on 127.0.2.18:993 does not verify:
$out" "$M_DC_LOG"
	fi
	say "mail up in $(( $(now_ms) - t0 )) ms: postfix (${#MAIL_POSTFIX_LISTEN[@]} listeners), dovecot (${#MAIL_DOVECOT_LISTEN[@]}), faultserver (${#MAIL_FAULTS[@]})"
}

stop_mail() {
	local run=$1
	mail_files "$run/mail"
	# no early return when RUNDIR is gone: Postfix is
	# found by MAIL_CONFIG in its environment, Dovecot and the fault
	# server by their command lines
	stop_procs faultserver "" "$(daemon_pids "$M_FS_PID" "$M_FS_PID")"
	# Postfix before Dovecot: Dovecot's auth process (and with it log,
	# anvil and stats) outlives its master by 20 s or more while smtpd
	# processes are still connected to its SASL socket
	mail_postfix_pids
	stop_procs postfix "$PF_MAIN" "$PF_ALL"
	mail_dovecot_pids
	stop_procs dovecot "$DC_MAIN" "$DC_ALL"
	rm -f -- "$M_FS_PID"
}

status_mail() {
	local run=$1 bad=0 state
	mail_files "$run/mail"
	mail_postfix_pids
	if [ -z "$PF_MAIN" ]; then
		state=stopped bad=1
	elif [[ $(probe_line 127.0.2.10 25) == '220 mta1.example.test '* ]]; then
		state="running (master pid $PF_MAIN), answers"
	else
		state="running (master pid $PF_MAIN), NOT answering" bad=1
	fi
	printf 'mail %-16s %-11s %s\n' postfix 127.0.2.10 "$state"
	mail_dovecot_pids
	if [ -z "$DC_MAIN" ]; then
		state=stopped bad=1
	elif [[ $(probe_line 127.0.2.18 143) == '* OK '* ]]; then
		state="running (pid ${DC_MAIN//$'\n'/ }), answers"
	else
		state="running (pid ${DC_MAIN//$'\n'/ }), NOT answering" bad=1
	fi
	printf 'mail %-16s %-11s %s\n' dovecot 127.0.2.18 "$state"
	state=$(daemon_pids "$M_FS_PID" "$M_FS_PID")
	if [ -z "$state" ]; then
		state=stopped bad=1
	elif [[ $(probe_line 127.0.2.66 143) == '* BYE too busy' ]]; then
		state="running (pid ${state//$'\n'/ }), answers"
	else
		state="running (pid ${state//$'\n'/ }), NOT answering" bad=1
	fi
	printf 'mail %-16s %-11s %s\n' faultserver 127.0.2.60-66 "$state"
	return $bad
}

# ---------------------------------------------------------------- web
#
# One nginx: the MTA-STS policy hosts (RFC 8461) of the mail-policy
# domains on 127.0.2.90 (by SNI) and 127.0.2.91 (sts-badcert.test),
# certificates from the lab PKI, everything under RUNDIR/web (see
# README.md, "Web").

# leaf certificates (issued into RUNDIR/mail/pki, like the mail leaves)
WEB_CERTS=(mta-sts.policy.test:good mta-sts.sts-missing.test:good
	mta-sts.sts-testing.test:good mta-sts.sts-badcert.test:wrongname)
# the policy of each host: web/DOMAIN.mta-sts.txt, served from
# RUNDIR/web/htdocs/mta-sts.DOMAIN/.well-known/mta-sts.txt
WEB_POLICIES=(policy.test sts-missing.test sts-testing.test sts-badcert.test)
# the listeners of nginx, exactly
WEB_LISTEN=(127.0.2.90:443 127.0.2.91:443)
# HOST=ADDR the lab fetches (and verifies) when it waits for nginx
WEB_PROBE=mta-sts.policy.test=127.0.2.90

# web_files WEBDIR: paths of the web component
web_files() {
	W_CONF=$1/nginx.conf W_PID=$1/nginx.pid W_LOG=$1/error.log
	W_HTDOCS=$1/htdocs
}

# the nginx master(s) of this config (its title keeps the command line:
# "nginx: master process nginx -c CONF -e LOG") and their workers
web_nginx_pids() { # sets WEB_MAIN and WEB_ALL
	local d pid cmd m
	WEB_MAIN=
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = "$$" ] && continue
		{ cmd=$(tr '\0' ' ' <"$d/cmdline"); } 2>/dev/null || continue
		case "$cmd " in "nginx: master process "*" -c $W_CONF "*) WEB_MAIN+=$pid$'\n' ;; esac
	done
	WEB_MAIN=$(grep . <<<"$WEB_MAIN" || true)
	WEB_ALL=$WEB_MAIN
	for m in $WEB_MAIN; do
		WEB_ALL+=$'\n'$(ps -o pid= --ppid "$m" 2>/dev/null | tr -d ' ')
	done
	WEB_ALL=$(sort -un <<<"$WEB_ALL" | grep . || true)
}

# web_fetch HOST=ADDR [CURL-ARGS...]: GET the MTA-STS policy of HOST from
# ADDR with the lab root as the only trust anchor (no proxy, no redirect)
web_fetch() {
	local host=${1%%=*} addr=${1#*=}
	shift
	timeout 5 curl -sS --noproxy '*' --max-time 3 --proto =https \
		--cacert "$M_PKI/root.pem" --resolve "$host:443:$addr" "$@" \
		"https://$host/.well-known/mta-sts.txt" 9>&-
}

start_web() {
	local run=$1 w=$1/web src=$LAB_DIR/web
	local out t0 deadline dom want snap pending
	need_cmds nginx openssl curl ss ps timeout runuser
	umask 022
	stop_web "$run"
	mail_files "$run/mail"
	web_files "$w"

	out=$(ss -Hltnp 2>/dev/null | awk -v list="${WEB_LISTEN[*]}" '
		BEGIN { n = split(list, a, " ")
			for (i = 1; i <= n; i++) { want[a[i]] = 1; sub(/.*:/, "", a[i]); port[a[i]] = 1 } }
		{ p = $4; sub(/.*:/, "", p); w = substr($4, 1, length($4) - length(p) - 1) }
		($4 in want) || ((p in port) && (w == "0.0.0.0" || w == "*" || w == "[::]")) { print "  " $0 }')
	[ -z "$out" ] || mail_fail "a lab web address is already in use (another lab running?):
$out"

	# fresh tree; the certificates come from the mail PKI (same CAs)
	rm -rf -- "$w"
	mkdir -p -- "$w/tmp" "$W_HTDOCS"
	chmod 755 "$w"
	pki_init "$M_PKI"
	pki_leaves "$M_PKI" "${WEB_CERTS[@]}"
	for dom in "${WEB_POLICIES[@]}"; do
		mkdir -p -- "$W_HTDOCS/mta-sts.$dom/.well-known"
		cp -- "$src/$dom.mta-sts.txt" "$W_HTDOCS/mta-sts.$dom/.well-known/mta-sts.txt"
	done
	chmod -R a+rX -- "$W_HTDOCS"
	# the workers run as nobody: they must reach the policies
	runuser -u nobody -- test -r "$W_HTDOCS/mta-sts.policy.test/.well-known/mta-sts.txt" ||
		mail_fail "user nobody cannot read $W_HTDOCS (a parent directory of RUNDIR is not searchable)"
	render "$src/nginx.conf.in" -- DIR="$w" PKI="$M_PKI" HTDOCS="$W_HTDOCS" >"$W_CONF"
	out=$(nginx -t -q -c "$W_CONF" -e "$W_LOG" 2>&1 9>&-) || mail_fail "nginx -t -c $W_CONF: $out"

	t0=$(now_ms)
	spawn "$W_LOG" nginx -c "$W_CONF" -e "$W_LOG" || mail_fail "nginx failed to start" "$W_LOG"

	# --- wait: the master holds exactly its listeners, then the good
	# policy host answers over TLS verified by the lab root
	deadline=$(( t0 + START_TIMEOUT * 1000 ))
	want=$(printf 'tcp %s\n' "${WEB_LISTEN[@]}" | sort)
	local pid
	while :; do
		pending=
		pid=$(pidfile_pid "$W_PID")
		snap=$(ss -Hlntup 2>/dev/null)
		if [ -z "$pid" ] || [ "$(snap_listeners "$snap" "$pid")" != "$want" ]; then
			pending=listeners
		elif ! out=$(web_fetch "$WEB_PROBE" 2>&1) || ! grep -qx 'version: STSv1' <<<"$out"; then
			pending="fetch of $WEB_PROBE: $out"
		fi
		[ -z "$pending" ] && break
		if [ "$(now_ms)" -ge "$deadline" ]; then
			mail_fail "nginx not ready within ${START_TIMEOUT}s ($pending; master ${pid:-none}); listening:
$(grep '127\.0\.2\.9[01]:' <<<"$snap")" "$W_LOG"
		fi
		sleep 0.05
	done
	say "web up in $(( $(now_ms) - t0 )) ms: nginx (${#WEB_LISTEN[@]} listeners, ${#WEB_POLICIES[@]} policy hosts)"
}

stop_web() {
	local run=$1
	web_files "$run/web"
	# no early return when RUNDIR is gone: the master is found by its
	# config path in its title, the workers as its children
	web_nginx_pids
	stop_procs nginx "$WEB_MAIN" "$WEB_ALL"
	rm -f -- "$W_PID"
}

status_web() {
	local run=$1 bad=0 state
	mail_files "$run/mail"
	web_files "$run/web"
	web_nginx_pids
	if [ -z "$WEB_MAIN" ]; then
		state=stopped bad=1
	elif web_fetch "$WEB_PROBE" 2>/dev/null | grep -qx 'version: STSv1'; then
		state="running (pid ${WEB_MAIN//$'\n'/ }), answers"
	else
		state="running (pid ${WEB_MAIN//$'\n'/ }), NOT answering" bad=1
	fi
	printf 'web  %-16s %-11s %s\n' nginx 127.0.2.90-91 "$state"
	return $bad
}

# ---------------------------------------------------------------- main

STARTED=()
on_start_exit() {
	local rc=$? i
	[ $rc -eq 0 ] && return 0
	say "start failed; stopping what was started (logs stay in $RUNDIR)"
	for (( i=${#STARTED[@]}-1; i>=0; i-- )); do
		"stop_${STARTED[i]}" "$RUNDIR" || true
	done
	exit $rc
}

is_component() {
	local c
	for c in "${COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done
	return 1
}

[ $# -ge 2 ] || usage
CMD=$1 RUNDIR=$2
shift 2
[ "$(id -u)" -eq 0 ] || die "must run as root (ports 25/53/...; lab daemons run as root)"
case $RUNDIR in /*) ;; *) RUNDIR=$PWD/$RUNDIR ;; esac
RUNDIR=${RUNDIR%/}
[[ $RUNDIR =~ ^/[A-Za-z0-9/._+-]+$ ]] ||
	die "RUNDIR must be a path of letters, digits and / . _ + - (it goes into config files): $RUNDIR"
case $RUNDIR in /|/etc|/etc/*|/usr|/usr/*|/var|/bin|/sbin|/lib|/lib64|/boot|/proc*|/sys*|/dev*)
	die "refusing RUNDIR $RUNDIR" ;; esac

lock_rundir() {
	mkdir -p -- "$RUNDIR"
	exec 9>"$RUNDIR/.lab.lock"
	flock -w 60 9 || die "another lab.sh holds $RUNDIR/.lab.lock"
}

case $CMD in
start)
	comps=("$@")
	[ ${#comps[@]} -gt 0 ] || comps=("${DEFAULT_COMPONENTS[@]}")
	for c in "${comps[@]}"; do is_component "$c" || die "unknown component '$c' (known: ${COMPONENTS[*]})"; done
	lock_rundir
	trap on_start_exit EXIT
	# start in COMPONENTS order, whatever order they were given in
	for c in "${COMPONENTS[@]}"; do
		for want in "${comps[@]}"; do
			if [ "$c" = "$want" ]; then
				STARTED+=("$c")
				"start_$c" "$RUNDIR"
				break
			fi
		done
	done
	trap - EXIT
	say "lab started in $RUNDIR: ${STARTED[*]}"
	;;
stop)
	[ $# -eq 0 ] || usage
	if [ -d "$RUNDIR" ]; then lock_rundir; fi
	for (( i=${#COMPONENTS[@]}-1; i>=0; i-- )); do
		"stop_${COMPONENTS[i]}" "$RUNDIR"
	done
	wait_reaped
	say "lab stopped in $RUNDIR"
	;;
status)
	[ $# -eq 0 ] || usage
	rc=0
	for c in "${COMPONENTS[@]}"; do "status_$c" "$RUNDIR" || rc=1; done
	exit $rc
	;;
*)
	usage
	;;
esac
