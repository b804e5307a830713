#!/usr/bin/env bash
# test_prometheus.sh -- the Prometheus output against the lab, validated by
# promtool (package prometheus):
#  1. `mailready check -f prometheus` over the lab's mail cluster: promtool
#     check metrics accepts it, every family of mailready(1) is there, and
#     the planted faults show in the series;
#  2. `mailready health --prometheus FILE` (twice, with a state file): the
#     file is replaced, readable by node_exporter (0644), accepted by
#     promtool, and says the same.
# The lab is started here as the lab suites do, and stopped at the end.
set -eu
. "$(dirname "$0")/common.sh"
need_env MAILREADY_SRCDIR MAILREADY_BIN ENGINES_BUILDDIR
need_cmd promtool prometheus
need_root

BIN=$MAILREADY_BIN
T=$(mktemp -d /tmp/mailready-prometheus.XXXXXX)
trap 'lab_stop; rm -rf "$T"' EXIT

# The metric families mailready(1) documents (OUTPUT, prometheus).
FAMILIES="mailready_check_status mailready_check_duration_seconds
 mailready_cert_expiry_timestamp_seconds mailready_node_status mailready_domain_status
 mailready_checks mailready_run_duration_seconds
 mailready_run_timestamp_seconds"

say "mailready speaks -f prometheus"
# Nothing is probed: the profile and plan are built, no check matches.
out=$("$BIN" check -f prometheus -H node.example.test --profile mail \
	--only no-such-check --allow-net 127.0.0.1/32 2>"$T/err") || true
case $out in
"# HELP "* | "# TYPE "*) ;;
*) fail "'mailready check -f prometheus' is not implemented in this build (src/report/prometheus.c, -f in src/cli.c): $(cat "$T/err")" ;;
esac

# validate FILE WHAT: promtool accepts it, only mailready_ series, every
# documented family.
validate() {
	local f=$1 what=$2 lint fam
	[ -s "$f" ] || fail "$what: empty"
	if ! lint=$(promtool check metrics <"$f" 2>&1); then
		echo "$lint" >&2
		fail "$what: promtool check metrics rejects it"
	fi
	[ -z "$lint" ] || fail "$what: promtool check metrics: $lint"
	if grep -v '^#' "$f" | grep -v '^mailready_' | grep -q .; then
		grep -v '^#' "$f" | grep -v '^mailready_' | head -3 >&2
		fail "$what: series without the mailready_ prefix"
	fi
	for fam in $FAMILIES; do
		grep -q "^# TYPE $fam gauge\$" "$f" ||
			fail "$what: no '# TYPE $fam gauge' (documented in mailready(1))"
	done
	say "  $what: promtool accepts $(grep -vc '^#' "$f") series, every documented family"
}

# has FILE WHAT SERIES-NAME VALUE LABEL...: a series with all these labels
# (name="value" each) has that value.
has() {
	local f=$1 what=$2 name=$3 value=$4 l
	shift 4
	local lines
	lines=$(grep "^$name{" "$f" || true)
	for l in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F "$l" || true)
	done
	printf '%s\n' "$lines" | grep -q " $value\$" ||
		fail "$what: no $name{$*} $value; have: $(printf '%s\n' "$lines" | head -5)"
}

faults() { # FILE WHAT: the planted faults as the series tell them
	has "$1" "$2" mailready_node_status 2 'node="mx-expired.example.test"'
	has "$1" "$2" mailready_node_status 1 'node="mx-expiring.example.test"'
	has "$1" "$2" mailready_check_status 1 'node="mx-expired.example.test"' \
		'check="mail.smtp"' 'status="fail"'
	has "$1" "$2" mailready_check_status 1 'node="mx-expiring.example.test"' \
		'check="mail.smtp"' 'status="warn"'
	has "$1" "$2" mailready_check_status 0 'node="mx-expiring.example.test"' \
		'check="mail.smtp"' 'status="pass"'
	has "$1" "$2" mailready_check_status 1 'node="mta1.example.test"' \
		'check="mail.submission"' 'status="pass"'
	has "$1" "$2" mailready_check_status 1 'node="mx-closed.example.test"' \
		'check="net.port.smtp"' 'status="fail"'
	# mx-expiring: about 10 days from now (issued at each lab start for
	# 10 days); mx-expired: in the past. Unix times, as blackbox does.
	local at now
	now=$(date +%s)
	at=$(grep -F 'mailready_cert_expiry_timestamp_seconds{' "$1" |
		grep -F 'node="mx-expiring.example.test"' | awk '{print $NF}')
	awk -v s="$at" -v n="$now" 'BEGIN { exit !(s - n > 8 * 86400 && s - n <= 10 * 86400 + 60) }' ||
		fail "$2: mx-expiring's certificate expires at '$at', not in about 10 days from $now"
	at=$(grep -F 'mailready_cert_expiry_timestamp_seconds{' "$1" |
		grep -F 'node="mx-expired.example.test"' | awk '{print $NF}')
	awk -v s="$at" -v n="$now" 'BEGIN { exit !(s < n) }' ||
		fail "$2: mx-expired's certificate expiry '$at' is not in the past"
	say "  $2: the planted faults are there"
}

lab_start "$T/lab.log"

say "mailready check -f prometheus over the lab's mail cluster"
"$BIN" check -f prometheus -c "$LAB_CONFIG" --ca-file "$LAB_CA" \
	>"$T/check.prom" 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "check exited $rc, expected 2 (the lab has failures): $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "check wrote to stderr: $(cat "$T/err")"
validate "$T/check.prom" "check -f prometheus"
faults "$T/check.prom" "check -f prometheus"
grep -Eq '^mailready_domain_status\{domain="example.test"\} [0-3]$' "$T/check.prom" ||
	fail "check -f prometheus: no mailready_domain_status for example.test"

say "report -f prometheus merges two vantage points without a repeated series"
"$BIN" check -f json -c "$LAB_CONFIG" --ca-file "$LAB_CA" --vantage inside \
	>"$T/inside.json" || true
"$BIN" check -f json -c "$LAB_CONFIG" --ca-file "$LAB_CA" --vantage outside \
	>"$T/outside.json" || true
"$BIN" report -f prometheus "$T/inside.json" "$T/outside.json" \
	>"$T/merged.prom" 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "report exited $rc: $(cat "$T/err")"
validate "$T/merged.prom" "report -f prometheus"
# A report's input is anyone's JSON: control bytes in its names and
# vantage come out visible (\x1b), never raw, and promtool still reads it.
python3 - "$T/inside.json" "$T/hostile.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["vantage"] = "in\x1b[31mside\x07"
for n in d.get("nodes", [])[:1]:
    n["name"] = "mta1\x1b]0;owned\x07.example.test"
json.dump(d, open(sys.argv[2], "w"))
PY
"$BIN" report -f prometheus "$T/hostile.json" >"$T/hostile.prom" 2>"$T/err" || true
if LC_ALL=C grep -q "$(printf '\033')" "$T/hostile.prom" ||
	LC_ALL=C grep -q "$(printf '\007')" "$T/hostile.prom"; then
	fail "report -f prometheus passes raw control bytes from its input"
fi
grep -q 'x1b' "$T/hostile.prom" || fail "report -f prometheus lost the hostile names: $(head -c 300 "$T/hostile.prom")"
validate "$T/hostile.prom" "report -f prometheus of hostile input"
dups=$(grep -v '^#' "$T/merged.prom" | sed 's/ [^ ]*$//' | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "report -f prometheus repeats series: $dups"
grep -q 'vantage="inside"' "$T/merged.prom" && grep -q 'vantage="outside"' "$T/merged.prom" ||
	fail "report -f prometheus lost a vantage point"
"$BIN" report -f prometheus "$T/inside.json" "$T/inside.json" \
	>/dev/null 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 3 ] && grep -q "both taken at vantage 'inside'" "$T/err" ||
	fail "report of one vantage twice: exit $rc: $(cat "$T/err")"

say "mailready health --prometheus FILE into a missing directory, twice"
# The file's own directory is made, nothing above it (a mistyped path
# leaves no tree behind).
mkdir -p "$T/textfile"
"$BIN" check -c "$LAB_CONFIG" --ca-file "$LAB_CA" --only host.fqdn \
	--prometheus "$T/nowhere/deeper/mailready.prom" >/dev/null 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 3 ] && [ ! -e "$T/nowhere" ] ||
	fail "--prometheus two levels deep: exit $rc, $(ls -d "$T/nowhere" 2>&1): $(cat "$T/err")"
prom=$T/textfile/new/mailready.prom
for run in 1 2; do
	"$BIN" health -c "$LAB_CONFIG" --ca-file "$LAB_CA" --state "$T/state/state.json" \
		--prometheus "$prom" >"$T/health$run.out" 2>"$T/err" && rc=0 || rc=$?
	[ "$rc" = 2 ] || fail "health run $run exited $rc, expected 2: $(cat "$T/err")"
	[ ! -s "$T/err" ] || fail "health run $run wrote to stderr: $(cat "$T/err")"
	[ -s "$T/state/state.json" ] || fail "health run $run kept no state"
	mode=$(stat -c %a "$prom")
	[ "$mode" = 644 ] || fail "health run $run: $prom has mode $mode, not 644"
	validate "$prom" "health run $run"
	faults "$prom" "health run $run"
	cp "$prom" "$T/health$run.prom"
done
# The second run replaced the file: a later start time.
t1=$(awk '/^mailready_run_timestamp_seconds /{print $2}' "$T/health1.prom")
t2=$(awk '/^mailready_run_timestamp_seconds /{print $2}' "$T/health2.prom")
if [ -z "$t1" ] || [ -z "$t2" ] || [ "$t2" -lt "$t1" ]; then
	fail "mailready_run_timestamp_seconds: run 1 '$t1', run 2 '$t2'"
fi
grep -q "first run" "$T/health1.out" ||
	fail "health run 1 does not say it is the first run: $(head -3 "$T/health1.out")"
# Nothing written but the two files.
left=$(find "$T/textfile" "$T/state" -type f | sort | tr '\n' ' ')
# (the collector's directory was made by health, as the state's was)
want=$(printf '%s\n' "$prom" "$T/state/state.json" | sort | tr '\n' ' ')
[ "$left" = "$want" ] || fail "files left: $left (expected $want)"
say "ok"
