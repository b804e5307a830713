#!/usr/bin/env bash
# test_nagios.sh -- checks/nagios/mailready.cfg in a real Nagios 4 core:
#  1. `nagios4 -v` on a main config of our own (cfg_dir = checks/nagios,
#     plus a timeperiod, a contact, hosts and services) says "Things look
#     okay", with no warning; so does it for the commented examples of
#     mailready.cfg taken out of their comments, with the site objects
#     they name;
#  2. Nagios runs, as root, in the foreground with every file in a
#     temporary directory, against the lab (started here as the lab suites
#     do), and checks lab nodes with the three commands of mailready.cfg;
#     status.dat must show the expected states and "MAILREADY ..." output
#     within 60 s.
# Notifications, external commands, performance data processing and event
# handlers are off; mailready sees MAILREADY_ALLOW_NETWORKS through `env`
# in $USER10$, and every config it reads sets allow_networks.
set -eu
. "$(dirname "$0")/common.sh"
need_env MAILREADY_SRCDIR MAILREADY_BIN ENGINES_BUILDDIR MAILREADY_PROFILE_DIR
need_cmd nagios4 nagios4-core
need_root

SRC=$MAILREADY_SRCDIR
# Short path: Nagios' query socket lives here (sun_path is 108 bytes).
T=$(mktemp -d /tmp/mailready-nagios.XXXXXX)
NAGIOS=
cleanup() {
	if [ -n "$NAGIOS" ]; then
		kill "$NAGIOS" 2>/dev/null || true
		wait "$NAGIOS" 2>/dev/null || true
	fi
	# Its workers (nagios4 --worker $T/nagios.qh), should any remain.
	local p
	for p in $(pids_with "$T/nagios.qh") $(pids_with "$T/nagios.cfg"); do
		kill -9 "$p" 2>/dev/null || true
	done
	lab_stop
	rm -rf "$T"
}
trap cleanup EXIT
mkdir "$T/checkresults"

cat >"$T/nagios.cfg" <<EOF
# Everything under $T; nothing leaves this machine.
cfg_dir=$SRC/checks/nagios
cfg_file=$T/base.cfg
cfg_file=$T/objects.cfg
resource_file=$T/resource.cfg
log_file=$T/nagios.log
object_cache_file=$T/objects.cache
precached_object_file=$T/objects.precache
status_file=$T/status.dat
status_update_interval=1
temp_file=$T/nagios.tmp
temp_path=$T
lock_file=$T/nagios.lock
query_socket=$T/nagios.qh
command_file=$T/nagios.cmd
check_result_path=$T/checkresults
check_result_reaper_frequency=1
max_check_result_reaper_time=5
state_retention_file=$T/retention.dat
retain_state_information=0
use_retained_program_state=0
# root runs the lab and the test: Nagios keeps that user.
nagios_user=root
nagios_group=root
check_external_commands=0
enable_notifications=0
enable_event_handlers=0
process_performance_data=0
enable_flap_detection=0
obsess_over_services=0
obsess_over_hosts=0
use_syslog=0
log_notifications=0
log_initial_states=1
# Seconds as the time unit, every check at once at start.
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
service_check_timeout=60
illegal_macro_output_chars=\`~\$&|'"<>
EOF

# The program, with the test's environment (Nagios does not pass its own).
cat >"$T/resource.cfg" <<EOF
\$USER10\$=/usr/bin/env MAILREADY_ALLOW_NETWORKS=$MAILREADY_ALLOW_NETWORKS MAILREADY_PROFILE_DIR=$MAILREADY_PROFILE_DIR NO_COLOR=1 $MAILREADY_BIN
EOF

CA=$ENGINES_BUILDDIR/run/$TEST_NAME/mail/pki/root.pem
ONLY_MAIL="--ca-file $CA --only 'mail.*'"
# Without a cluster file the lab's resolvers, networks and CA come from
# the command line.
LAB_NET="--inside-resolver 127.0.0.10 --outside-resolver 127.0.0.11 --public-net 127.0.2.0/24 --allow-net 127.0.0.0/8,::1/128"

host() { # NAME ADDRESS [ROLES]
	cat <<EOF
define host {
    use                     test-host${3:+,mailready-node}
    host_name               $1
    address                 $2
${3:+    _MAILREADY_ROLES        $3
}}
EOF
}

service() { # HOST DESCRIPTION CHECK_COMMAND
	cat <<EOF
define service {
    use                     test-service
    host_name               $1
    service_description     $2
    check_command           $3
}
EOF
}

# What every config here needs: a time period, a contact that is never
# notified, host and service templates.
cat >"$T/base.cfg" <<EOF
define timeperiod {
    timeperiod_name         always
    alias                   always
    sunday                  00:00-24:00
    monday                  00:00-24:00
    tuesday                 00:00-24:00
    wednesday               00:00-24:00
    thursday                00:00-24:00
    friday                  00:00-24:00
    saturday                00:00-24:00
}
define command {
    command_name            test-notify-nothing
    command_line            /bin/true
}
define contact {
    contact_name            nobody
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        always
    service_notification_period     always
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      test-notify-nothing
    service_notification_commands   test-notify-nothing
}
define host {
    name                    test-host
    max_check_attempts      1
    check_period            always
    active_checks_enabled   0
    contacts                nobody
    notification_period     always
    notifications_enabled   0
    register                0
}
define service {
    name                    test-service
    max_check_attempts      1
    check_interval          300
    notification_interval   0
    retry_interval          300
    check_period            always
    contacts                nobody
    notification_period     always
    notifications_enabled   0
    register                0
}
EOF

{
	host mta1.example.test 127.0.2.10 mta
	host mx-expired.example.test 127.0.2.50
	host mx-expiring.example.test 127.0.2.53
	host lab-cluster 127.0.0.1
	service mta1.example.test "mail node" \
		"check_mailready_node!$LAB_CONFIG!$ONLY_MAIL"
	service mx-expired.example.test "mail node" \
		"check_mailready_node!$LAB_CONFIG!$ONLY_MAIL"
	service mx-expiring.example.test "mail node" \
		"check_mailready_node!$LAB_CONFIG!$ONLY_MAIL"
	service mta1.example.test "mail host" \
		"check_mailready_host!$LAB_NET $ONLY_MAIL"
	service lab-cluster "mail cluster" \
		"check_mailready_cluster!$LAB_CONFIG!--ca-file $CA"
} >"$T/objects.cfg"

say "nagios4 -v with cfg_dir=checks/nagios"
if ! nagios4 -v "$T/nagios.cfg" >"$T/verify.out" 2>&1; then
	cat "$T/verify.out" >&2
	fail "nagios4 -v failed"
fi
grep -q "Things look okay" "$T/verify.out" ||
	{ cat "$T/verify.out" >&2; fail "nagios4 -v did not say 'Things look okay'"; }
grep -q "Total Warnings: *0" "$T/verify.out" ||
	{ grep -i "warning" "$T/verify.out" >&2; fail "nagios4 -v warns"; }
say "  $(grep -c '^define command' "$SRC/checks/nagios/mailready.cfg") commands from mailready.cfg; Things look okay, no warning"

say "nagios4 -v with the examples of mailready.cfg"
mkdir "$T/examples"
# Uncomment the object definitions after the "Examples" banner.
awk '/^# Examples:/ { ex = 1 } ex && /^#(define|    |\})/ { sub(/^#/, "") } { print }' \
	"$SRC/checks/nagios/mailready.cfg" >"$T/examples/mailready.cfg"
n=$(sed -n '/^# Examples:/,$p' "$T/examples/mailready.cfg" | grep -c '^define ')
[ "$n" -ge 5 ] || fail "only $n examples found in mailready.cfg"
# What a site has and the examples use.
cat >"$T/examples/site.cfg" <<EOF
define host {
    name                    generic-host
    use                     test-host
    register                0
}
define service {
    name                    generic-service
    use                     test-service
    register                0
}
define host {
    use                     generic-host
    host_name               mail-cluster
    address                 127.0.0.1
}
define host {
    use                     generic-host
    host_name               mta1.example.com
    address                 127.0.0.1
    hostgroups              mail-nodes
}
define hostgroup {
    hostgroup_name          mail-nodes
    alias                   mail nodes
}
define command {
    command_name            check_nrpe
    command_line            /bin/false \$ARG1\$
}
EOF
sed "s|^cfg_dir=.*|cfg_dir=$T/examples|; /^cfg_file=.*objects.cfg/d" "$T/nagios.cfg" >"$T/examples.cfg"
if ! nagios4 -v "$T/examples.cfg" >"$T/verify-examples.out" 2>&1; then
	cat "$T/verify-examples.out" >&2
	fail "nagios4 -v failed on the examples"
fi
if ! grep -q "Things look okay" "$T/verify-examples.out" ||
	! grep -q "Total Warnings: *0" "$T/verify-examples.out"; then
	cat "$T/verify-examples.out" >&2
	fail "nagios4 -v is not happy with the examples"
fi
say "  $n example objects; Things look okay, no warning"

lab_start "$T/lab.log"

say "Nagios 4 checks the lab"
t0=$SECONDS
nagios4 "$T/nagios.cfg" >"$T/nagios.out" 2>&1 &
NAGIOS=$!

# status.dat, one line per checked service: host|service|state|output|long
statuses() {
	[ -r "$T/status.dat" ] || return 0
	awk '
		/^servicestatus \{/ { s = 1; h = d = st = out = chk = lo = ""; next }
		s && /^\t\}/ {
			if (chk == "1") print h "|" d "|" st "|" out "|" lo
			s = 0; next
		}
		s {
			line = $0; sub(/^\t/, "", line)
			k = line; sub(/=.*/, "", k)
			v = line; sub(/^[^=]*=/, "", v)
			if (k == "host_name") h = v
			else if (k == "service_description") d = v
			else if (k == "current_state") st = v
			else if (k == "plugin_output") out = v
			else if (k == "long_plugin_output") lo = v
			else if (k == "has_been_checked") chk = v
		}
	' "$T/status.dat"
}

want=5
deadline=$((SECONDS + 60))
while :; do
	n=$(statuses | wc -l)
	[ "$n" -ge "$want" ] && break
	if ! kill -0 "$NAGIOS" 2>/dev/null; then
		NAGIOS=
		cat "$T/nagios.out" "$T/nagios.log" >&2
		fail "nagios4 exited"
	fi
	if [ "$SECONDS" -ge "$deadline" ]; then
		statuses >&2
		tail -n 30 "$T/nagios.log" >&2
		fail "$n of $want services checked after 60 s"
	fi
	sleep 0.5
done
say "  $want services checked in $((SECONDS - t0)) s"
statuses >"$T/statuses"

expect() { # HOST SERVICE STATE WORD [LONG-OUTPUT FRAGMENT]
	local line st out lo
	line=$(grep -F "$1|$2|" "$T/statuses") ||
		fail "no status for $1 / $2"
	st=$(echo "$line" | cut -d'|' -f3)
	out=$(echo "$line" | cut -d'|' -f4)
	lo=$(echo "$line" | cut -d'|' -f5-)
	[ "$st" = "$3" ] ||
		fail "$1 / $2: current_state $st, expected $3: $out ($lo)"
	case $out in
	"MAILREADY $4 - "*) ;;
	*) fail "$1 / $2: plugin_output '$out', expected 'MAILREADY $4 - ...'" ;;
	esac
	if [ -n "${5:-}" ]; then
		case $lo in
		*"$5"*) ;;
		*) fail "$1 / $2: long_plugin_output lacks '$5': $lo" ;;
		esac
	fi
	say "  $1 / $2: $st, $out"
}
expect mta1.example.test "mail node" 0 OK \
	"[OK] mta1.example.test: "
expect mx-expired.example.test "mail node" 2 CRITICAL \
	"[CRITICAL] mx-expired.example.test mail.smtp 127.0.2.50:25: certificate expired"
expect mx-expiring.example.test "mail node" 1 WARNING \
	"[WARNING] mx-expiring.example.test mail.smtp 127.0.2.53:25: certificate expires in"
expect mta1.example.test "mail host" 0 OK \
	"[OK] mta1.example.test: "
expect lab-cluster "mail cluster" 2 CRITICAL \
	"[CRITICAL] mx-closed.example.test"
say "ok"
