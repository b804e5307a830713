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

# spawn LOG CMD...: start a daemon with its output appended to LOG and
# without the RUNDIR lock descriptor (fd 9), which it would otherwise keep
# for its whole life and so block every later lab.sh run.
spawn() {
	local log=$1; shift
	"$@" </dev/null >>"$log" 2>&1 9>&-
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
DNS_UNBOUND=(inside:127.0.0.10 outside:127.0.0.11)
# the zone each NSD is asked for when the lab waits for it to answer
declare -A DNS_PROBE_ZONE=([root]=. [tld]=test. [ns1]=example.test. [ns2]=example.test.
	[ns3]=skew.test. [ns4]=dummy.test.)

dns_fail() { # dns_fail MESSAGE LOG...: report, show logs, exit (the EXIT trap stops the lab)
	local msg=$1; shift
	say "error: $msg"
	local f
	for f in "$@"; do show_log "$f"; done
	exit 1
}

start_dns() {
	local run=$1 dns=$1/dns src=$LAB_DIR/dns
	local ent name addr dir conf zone zfile out t0 deadline pending next line

	need_cmds nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf dig ss
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

	# --- every address must be free (another lab, a system resolver...)
	local addrs=()
	for ent in "${DNS_NSD[@]}" "${DNS_UNBOUND[@]}"; do addrs+=("${ent#*:}"); done
	out=$(addrs_in_use 53 "${addrs[@]}")
	[ -z "$out" ] || dns_fail "port 53 of a lab address is already in use (another lab running?):
$out"

	# --- start (both daemons fork into the background; a bind or config
	# error makes the foreground process exit non-zero)
	t0=$(now_ms)
	for ent in "${DNS_NSD[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/nsd-$name
		spawn "$dir/nsd.log" nsd -c "$dir/nsd.conf" ||
			dns_fail "nsd $name ($addr) failed to start" "$dir/nsd.log"
	done
	for ent in "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:} dir=$dns/unbound-$name
		spawn "$dir/unbound.log" unbound -c "$dir/unbound.conf" ||
			dns_fail "unbound $name ($addr) failed to start" "$dir/unbound.log"
	done

	# --- wait until every server answers (one deadline for all)
	deadline=$(( t0 + START_TIMEOUT * 1000 ))
	pending=("${DNS_NSD[@]}" "${DNS_UNBOUND[@]}")
	while [ ${#pending[@]} -gt 0 ]; do
		next=()
		for ent in "${pending[@]}"; do
			name=${ent%%:*} addr=${ent#*:}
			if [ -n "${DNS_PROBE_ZONE[$name]:-}" ]; then
				# NSD: an authoritative NOERROR for its zone (zones loaded)
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
			next+=("$ent")
		done
		pending=(${next[@]+"${next[@]}"})
		[ ${#pending[@]} -eq 0 ] && break
		if [ "$(now_ms)" -ge "$deadline" ]; then
			local logs=()
			for ent in "${pending[@]}"; do
				name=${ent%%:*}
				if [ -n "${DNS_PROBE_ZONE[$name]:-}" ]; then logs+=("$dns/nsd-$name/nsd.log")
				else logs+=("$dns/unbound-$name/unbound.log"); fi
			done
			dns_fail "no answer within ${START_TIMEOUT}s from: ${pending[*]}" "${logs[@]}"
		fi
		sleep 0.1
	done

	# --- end to end: both resolvers resolve a lab name from the lab root
	for ent in "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:}
		while :; do
			out=$(dig +time=2 +tries=1 @"$addr" example.test SOA 2>&1) || true
			grep -q 'status: NOERROR' <<<"$out" && grep -q '^example\.test\..*SOA' <<<"$out" && break
			[ "$(now_ms)" -ge "$deadline" ] &&
				dns_fail "unbound $name ($addr) cannot resolve example.test SOA from the lab root:
$out" "$dns/unbound-$name/unbound.log"
			sleep 0.1
		done
	done
	say "dns up in $(( $(now_ms) - t0 )) ms: ${DNS_NSD[*]} ${DNS_UNBOUND[*]}"
}

stop_dns() {
	local run=$1 dns=$1/dns ent name i all
	# no early return when $dns is missing: daemons are also found by
	# their command line, so a lab whose RUNDIR was deleted still stops
	# resolvers first, then the authoritative servers (reverse start order)
	all=("${DNS_NSD[@]}" "${DNS_UNBOUND[@]}")
	for (( i=${#all[@]}-1; i>=0; i-- )); do
		ent=${all[i]} name=${ent%%:*}
		if [ -n "${DNS_PROBE_ZONE[$name]:-}" ]; then
			stop_daemon "nsd $name" "$dns/nsd-$name/nsd.pid" "$dns/nsd-$name/nsd.conf"
		else
			stop_daemon "unbound $name" "$dns/unbound-$name/unbound.pid" "$dns/unbound-$name/unbound.conf"
		fi
	done
}

status_dns() {
	local run=$1 dns=$1/dns ent name addr conf pidf pids state bad=0
	for ent in "${DNS_NSD[@]}" "${DNS_UNBOUND[@]}"; do
		name=${ent%%:*} addr=${ent#*:}
		if [ -n "${DNS_PROBE_ZONE[$name]:-}" ]; then
			conf=$dns/nsd-$name/nsd.conf pidf=$dns/nsd-$name/nsd.pid name="nsd $name"
		else
			conf=$dns/unbound-$name/unbound.conf pidf=$dns/unbound-$name/unbound.pid name="unbound $name"
		fi
		pids=$(daemon_pids "$pidf" "$conf")
		if [ -z "$pids" ]; then
			state=stopped bad=1
		elif dig +norec +time=1 +tries=1 @"$addr" . SOA >/dev/null 2>&1; then
			state="running (pid ${pids//$'\n'/ }), answers"
		else
			state="running (pid ${pids//$'\n'/ }), NOT answering" bad=1
		fi
		printf 'dns  %-16s %-11s %s\n' "$name" "$addr" "$state"
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
