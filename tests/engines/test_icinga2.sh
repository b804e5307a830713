#!/usr/bin/env bash
# test_icinga2.sh -- checks/icinga2/mailready.conf in Icinga 2:
#  1. `icinga2 daemon -C` validates a config of our own that includes it,
#     with a Host and Services using the CheckCommand;
#  2. every option of `mailready check` (from --help) has an argument;
#  3. a real Icinga 2 core runs the command (the program replaced by a
#     script that records its arguments) and the command lines it builds
#     from the custom variables are the expected ones.
# Everything stays in a temporary directory; nothing is contacted.
set -eu
. "$(dirname "$0")/common.sh"
need_env MAILREADY_SRCDIR MAILREADY_BIN
need_cmd icinga2 icinga2-bin

CONF=$MAILREADY_SRCDIR/checks/icinga2/mailready.conf
T=$(mktemp -d /tmp/mailready-icinga2.XXXXXX)
DAEMON=
cleanup() {
	if [ -n "$DAEMON" ]; then
		kill "$DAEMON" 2>/dev/null || true
		wait "$DAEMON" 2>/dev/null || true
	fi
	# The daemon's children (its worker) by our config path.
	local p
	for p in $(pids_with "$T/run.conf"); do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/cache" "$T/data" "$T/log" "$T/spool" "$T/run"

# Paths and user of the daemon: all in $T, as the user running the test.
icinga() {
	icinga2 daemon -c "$1" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" \
		-DDataDir="$T/data" -DLogDir="$T/log" -DCacheDir="$T/cache" \
		-DSpoolDir="$T/spool" -DInitRunDir="$T/run" -DZonesDir="$T/zones.d" \
		"${@:2}"
}

# A script in place of mailready: one line per argument.
cat >"$T/fake-mailready" <<EOF
#!/bin/sh
out="$T/args.\$\$"
for a in "\$@"; do printf '%s\n' "\$a"; done >"\$out.tmp"
mv "\$out.tmp" "\$out"
echo "MAILREADY OK - recorded"
EOF
chmod 755 "$T/fake-mailready"

# Services: "all" sets every variable; "cluster" checks a whole cluster
# file (mailready_host = false); "host" takes the defaults and the host's
# variables (roles from the host, the node from its name).
cat >"$T/objects.conf" <<EOF
object Host "mta1.example.test" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.2.10"
	vars.mailready_roles = [ "mta", "mailstore" ]
}

template Service "mailready-test" {
	check_command = "mailready"
	check_interval = 1s
	retry_interval = 1s
	vars.mailready_binary = "$T/fake-mailready"
}

object Service "all" {
	import "mailready-test"
	host_name = "mta1.example.test"
	vars.mailready_config = "/etc/mailready/cluster.conf"
	vars.mailready_host = "mx.example.test"
	vars.mailready_roles = [ "mta" ]
	vars.mailready_public = [ "\$address\$", "2001:db8::10" ]
	vars.mailready_internal = [ "10.0.0.10" ]
	vars.mailready_address = [ "\$address\$" ]
	vars.mailready_domains = [ "example.test", "example.net" ]
	vars.mailready_profile = "mail"
	vars.mailready_profile_dir = "/etc/mailready/profiles"
	vars.mailready_inside_resolver = "127.0.0.10"
	vars.mailready_outside_resolver = "iterate"
	vars.mailready_root_hints = "/etc/mailready/root.hints"
	vars.mailready_ca_file = "/etc/mailready/ca.pem"
	vars.mailready_allow_net = "127.0.0.0/8,::1/128"
	vars.mailready_public_net = "127.0.2.0/24"
	vars.mailready_warning = "cert=30:"
	vars.mailready_critical = "cert=7:"
	vars.mailready_timeout = 50
	vars.mailready_timeout_state = "critical"
	vars.mailready_probe_timeout = 4
	vars.mailready_greeting_timeout = 9
	vars.mailready_parallel = 16
	vars.mailready_format = "nagios"
	vars.mailready_only = [ "mail.*", "net.port.*" ]
	vars.mailready_skip = [ "mail.pop3" ]
	vars.mailready_self = "mx.example.test"
	vars.mailready_vantage = "icinga"
	vars.mailready_prometheus = "/var/lib/prometheus/node-exporter/mailready.prom"
	vars.mailready_no_color = true
	vars.mailready_verbose = true
}

object Service "cluster" {
	import "mailready-test"
	host_name = "mta1.example.test"
	vars.mailready_config = "/etc/mailready/cluster.conf"
	vars.mailready_host = false
	vars.mailready_verbose = false
}

object Service "host" {
	import "mailready-test"
	host_name = "mta1.example.test"
	vars.mailready_public = [ "\$address\$" ]
}
EOF

# The commented examples at the end of mailready.conf, taken out of their
# comment, with the site templates they use.
sed -n '/^ \* Examples/,$p' "$CONF" | sed -n 's/^ \*   //p' >"$T/examples.conf"
grep -q '^apply Service' "$T/examples.conf" || fail "no examples found in $CONF"
cat >>"$T/examples.conf" <<EOF
template Host "generic-host" {
	check_command = "dummy"
	enable_active_checks = false
}
template Service "generic-service" {
	import "mailready-test"
}
object Host "mail-cluster" {
	import "generic-host"
}
EOF

# For the agent example (command_endpoint = host.name): a master zone and
# one agent in the group it applies to; validated, never run.
cat >"$T/agent.conf" <<EOF
object Endpoint "master.example.test" { }
object Zone "master" { endpoints = [ "master.example.test" ] }
object Endpoint "node1.example.test" { }
object Zone "node1.example.test" {
	endpoints = [ "node1.example.test" ]
	parent = "master"
}
object Host "node1.example.test" {
	import "generic-host"
	zone = "master"
	groups = [ "mail-nodes" ]
}
object HostGroup "mail-nodes" { }
EOF

cat >"$T/validate.conf" <<EOF
include <itl>
include "$CONF"
include "$T/objects.conf"
include "$T/examples.conf"
include "$T/agent.conf"
EOF

say "icinga2 daemon -C with checks/icinga2/mailready.conf"
if ! icinga "$T/validate.conf" -C -DNodeName=master.example.test >"$T/validate.out" 2>&1; then
	cat "$T/validate.out" >&2
	fail "icinga2 daemon -C failed"
fi
# 3 test services; the examples: "mailready" on mail.example.com and on
# mta1.example.test (it has mailready_roles), "mailready node" on the
# agent, "mailready cluster".
grep -q "Instantiated 7 Services" "$T/validate.out" ||
	{ cat "$T/validate.out" >&2; fail "the 3 test and 4 example services were not instantiated"; }
if grep -Eq '(warning|critical)/' "$T/validate.out"; then
	grep -E '(warning|critical)/' "$T/validate.out" >&2
	fail "icinga2 warns about the config"
fi
say "  the config and the examples validate, without warnings"

say "every option of 'mailready check' is mapped"
# health-only, preflight-only and list-only options, and --dry-run (for a
# person at a shell), are left out on purpose: the command runs check.
opts=$("$MAILREADY_BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u |
	grep -vx -- '--help\|--version\|--state\|--syslog\|--remind\|--codes\|--dry-run\|--installed\|--config')
for o in $opts; do
	grep -q "\"$o\" = {" "$CONF" || fail "mailready.conf has no argument for $o"
done
grep -q '"--config" = {' "$CONF" || fail "mailready.conf has no argument for --config"
say "  $(echo "$opts" | wc -l) options, and --config"

say "an Icinga 2 core runs the test and example services"
# Every second here: the examples' own check_interval would keep one
# waiting for minutes.
grep -v 'check_interval' "$T/examples.conf" >"$T/examples-run.conf"
cat >"$T/run.conf" <<EOF
include <itl>
include "$CONF"
include "$T/objects.conf"
include "$T/examples-run.conf"
object CheckerComponent "checker" { }
EOF
# units FILE: the recorded arguments, one option with its value per line,
# sorted (Icinga 2 orders arguments by "order", the rest as it likes), after
# the arguments with an order (the command word, --config, --host).
units() {
	awk '
		/^--/ { if (u != "") print u; u = $0; next }
		{ if (u == "") { print "0 " $0; next } u = u " " $0 }
		END { if (u != "") print u }
	' "$1" | awk '
		$1 == "0" || $1 == "--config" || $1 == "--host" { print; next }
		{ rest[n++] = $0 }
		END { for (i = 0; i < n; i++) print rest[i] | "sort" }
	'
}

# ran ARG...: some run had exactly this command line.
ran() {
	local want f
	printf '%s\n' "$@" >"$T/want.args"
	want=$(units "$T/want.args")
	for f in "$T"/args.*; do
		[ -e "$f" ] || continue
		case $f in *.tmp) continue ;; esac
		[ "$(units "$f")" = "$want" ] && return 0
	done
	return 1
}

# What each service must run.
EXPECTED=(
	"all|check --config /etc/mailready/cluster.conf --host mx.example.test
	--address 127.0.2.10
	--allow-net 127.0.0.0/8,::1/128 --ca-file /etc/mailready/ca.pem
	--critical cert=7: --domain example.test --domain example.net
	--format nagios --inside-resolver 127.0.0.10 --internal 10.0.0.10
	--no-color --only mail.* --only net.port.* --outside-resolver iterate
	--greeting-timeout 9
	--parallel 16 --probe-timeout 4 --profile mail
	--profile-dir /etc/mailready/profiles
	--prometheus /var/lib/prometheus/node-exporter/mailready.prom
	--public 127.0.2.10 --public 2001:db8::10 --public-net 127.0.2.0/24
	--role mta --root-hints /etc/mailready/root.hints
	--self mx.example.test --skip mail.pop3 --timeout 50
	--timeout-state critical --vantage icinga --verbose --warning cert=30:"
	"cluster|check --config /etc/mailready/cluster.conf"
	"host|check --host mta1.example.test --public 127.0.2.10
	--role mta --role mailstore"
	"example mailready|check --host mail.example.com
	--critical cert=7 --domain example.com --public 203.0.113.25
	--role mta --role mailstore --warning cert=30"
	"example mailready on mta1|check --host mta1.example.test
	--critical cert=7 --public 127.0.2.10 --role mta --role mailstore
	--warning cert=30"
	"example mailready cluster|check --config /etc/mailready/cluster.conf
	--timeout 50"
)

# missing: the names of the services whose command line has not run yet
# (no value holds a blank, so word splitting gives the arguments).
missing() {
	local e args
	for e in "${EXPECTED[@]}"; do
		# no globbing of mail.* while splitting
		set -f
		# shellcheck disable=SC2206
		args=(${e#*|})
		set +f
		ran "${args[@]}" || echo "${e%%|*}"
	done
}

icinga "$T/run.conf" >"$T/daemon.out" 2>&1 &
DAEMON=$!
deadline=$((SECONDS + 30))
while :; do
	left=$(missing)
	[ -z "$left" ] && break
	if ! kill -0 "$DAEMON" 2>/dev/null; then
		cat "$T/daemon.out" >&2
		fail "icinga2 daemon exited"
	fi
	if [ "$SECONDS" -ge "$deadline" ]; then
		echo "recorded command lines:" >&2
		for f in "$T"/args.*; do
			[ -e "$f" ] || continue
			case $f in *.tmp) continue ;; esac
			printf '  %s\n' "$(tr '\n' ' ' <"$f")" >&2
		done
		fail "after 30 s, still not run as expected: $(echo "$left" | tr '\n' ',')"
	fi
	sleep 0.5
done
kill "$DAEMON"
wait "$DAEMON" 2>/dev/null || true
DAEMON=
set -f
for e in "${EXPECTED[@]}"; do
	# shellcheck disable=SC2086,SC2116 # one line of words
	say "  ${e%%|*}: $(echo ${e#*|})"
done
set +f
say "ok"
