# common.sh -- shared by the engine suites (sourced, not run): messages,
# the environment meson passes, and the lab.
#
# Every suite runs with `set -eu`, says what it checks on stdout, and ends
# with exit 0 (all good), 1 (a check failed: the message says which) or
# 77 (not run by meson test: skipped, as the lab suites do).

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

say() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

fail() {
	printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

# need_env VAR...: the variables tests/engines/meson.build sets.
need_env() {
	local v
	for v in "$@"; do
		if [ -z "${!v:-}" ]; then
			printf '%s: %s is not set (run via meson test)\n' \
				"$TEST_NAME" "$v" >&2
			exit 77
		fi
	done
}

# need_cmd CMD PACKAGE: a tool the suite cannot do without.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		fail "'$1' not found: install the Debian package $2 (tests/deps.sh)"
}

need_root() {
	[ "$(id -u)" = 0 ] || fail "must run as root (the lab binds port 53 and 25)"
}

# No test sends anything past loopback, whatever a config says.
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128

# ------------------------------------------------------------------ lab
# lab_start: start the DNS and mail components the way tests/lab/labtest.c
# does, in RUNDIR under this build directory; lab_stop undoes it (safe to
# call twice, and after a failed start).

LAB_SH=${MAILREADY_SRCDIR:-.}/tests/lab/lab.sh
# shellcheck disable=SC2034 # used by the suites
LAB_CONFIG=${MAILREADY_SRCDIR:-.}/tests/lab/configs/mail.conf
RUNDIR=${ENGINES_BUILDDIR:-.}/run/$TEST_NAME
LAB_STARTED=

lab_start() {
	local log=$1 t0=$SECONDS
	mkdir -p "$RUNDIR"
	# The mail daemons run as their own users and must reach their files.
	chmod 755 "$RUNDIR"
	LAB_STARTED=1
	if ! "$LAB_SH" start "$RUNDIR" dns mail >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		lab_stop
		fail "the lab did not start (is another lab running? see above)"
	fi
	say "lab started in $((SECONDS - t0)) s ($RUNDIR)"
	LAB_CA=$RUNDIR/mail/pki/root.pem
	[ -s "$LAB_CA" ] || fail "the lab made no CA at $LAB_CA"
}

lab_stop() {
	[ -n "$LAB_STARTED" ] || return 0
	LAB_STARTED=
	"$LAB_SH" stop "$RUNDIR" >/dev/null 2>&1 || true
}

# pids_with ARG: processes whose command line has ARG as one argument
# (ARG is a path inside a temporary directory of ours, so this never
# matches anything we did not start).
pids_with() {
	local d pid a args
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = "$$" ] && continue
		{ mapfile -d '' -t args <"$d/cmdline"; } 2>/dev/null || continue
		for a in ${args[@]+"${args[@]}"}; do
			if [ "$a" = "$1" ]; then
				echo "$pid"
				break
			fi
		done
	done
}
