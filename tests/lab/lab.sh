#!/usr/bin/env bash
# lab.sh -- the mailready test lab: real servers on loopback (127.0.0.0/8).
#
#   lab.sh start  RUNDIR [COMPONENT...]   (components: dns; default: dns)
#   lab.sh stop   RUNDIR                  (stops every component)
#   lab.sh status RUNDIR                  (exit 0 when everything runs)
#
# Every daemon gets its config, pid file and log file under RUNDIR; configs
# are generated from the templates next to this script. Must run as root.
# See tests/lab/README.md for the topology and the planted faults.
#
# Adding a component X: write start_X RUNDIR, stop_X RUNDIR and
# status_X RUNDIR, and append X to COMPONENTS below (start order; stop runs
# in reverse order).
#
# Network rule: nothing here listens on, sends from or talks to anything but
# 127.0.0.0/8.
set -euo pipefail

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
COMPONENTS=(dns)
DEFAULT_COMPONENTS=(dns)
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
