#!/usr/bin/env bash
# test_install.sh -- `meson install` into a temporary DESTDIR: the binary,
# both man pages (rendered without a warning, and documenting every option
# and check the program has), the profiles and every file of the engine
# directories under checks/ land where they should, the systemd units
# verify, and the installed binary runs.
set -eu
. "$(dirname "$0")/common.sh"
need_env MAILREADY_SRCDIR MAILREADY_BUILDDIR MAILREADY_BIN MESON
need_cmd man man-db
need_cmd groff groff-base
need_cmd mandoc mandoc
need_cmd python3 python3

T=$(mktemp -d /tmp/mailready-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
SRC=$MAILREADY_SRCDIR
ENGINE_DIRS="nagios icinga2 nrpe cron systemd"

say "meson install --destdir $T"
"$MESON" install -C "$MAILREADY_BUILDDIR" --destdir "$T" --no-rebuild \
	>"$T.log" 2>&1 || { cat "$T.log" >&2; rm -f "$T.log"; fail "meson install failed"; }
rm -f "$T.log"

# Where meson put things: prefix, bindir, datadir, mandir of this build.
eval "$("$MESON" introspect "$MAILREADY_BUILDDIR" --buildoptions | python3 -c '
import json, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
for k in ("prefix", "bindir", "datadir", "mandir"):
    print("%s=%s" % (k.upper(), opts[k]))
')"
abs() { case $1 in /*) echo "$1" ;; *) echo "$PREFIX/$1" ;; esac; }
BIN=$T$(abs "$BINDIR")/mailready
DATA=$T$(abs "$DATADIR")/mailready
MAN=$T$(abs "$MANDIR")

say "the binary: $BIN"
[ -x "$BIN" ] || fail "no executable $BIN"
out=$("$BIN" --version) || fail "installed binary: --version exited $?"
case $out in
"mailready "[0-9]*) say "  --version: $out" ;;
*) fail "installed binary: --version printed '$out'" ;;
esac

say "the man pages"
for page in man1/mailready.1 man5/mailready.conf.5; do
	f=$MAN/$page
	[ -f "$f" ] || fail "no $f"
	cmp -s "$f" "$SRC/man/${page#*/}" || fail "$f differs from man/${page#*/}"
	# man(1) as a reader runs it, with groff's warnings on.
	err=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
	[ -z "$err" ] || fail "man -l $page warns: $err"
	lines=$(MANWIDTH=80 man -l "$f" 2>/dev/null | wc -l)
	[ "$lines" -gt 100 ] || fail "man -l $page renders only $lines lines"
	err=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
	[ -z "$err" ] || fail "groff -ww on $page: $err"
	err=$(mandoc -Tlint "$f" 2>&1) || fail "mandoc -Tlint on $page: $err"
	[ -z "$err" ] || fail "mandoc -Tlint on $page: $err"
	say "  $page: installed, renders ($lines lines), no warnings"
done

say "mailready(1) documents every option of --help and every check of list"
page1=$SRC/man/mailready.1
opts=$("$BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$opts" ] || fail "--help lists no long option"
for o in $opts; do
	# as written in roff: every '-' is '\-'
	grep -qF -- "${o//-/\\-}" "$page1" ||
		fail "mailready(1) does not document $o (from --help)"
done
ids=$("$BIN" list | awk '$1 != "" && $1 !~ /^(node|domain)$/ {print $1}' | sort -u)
[ -n "$ids" ] || fail "mailready list printed no check"
for id in $ids; do
	# host.port.* is written host.port.\fISERVICE\fR in the page
	grep -qF -- "${id%\*}" "$page1" || fail "mailready(1) does not document $id"
done
say "  $(echo "$opts" | wc -l) options, $(echo "$ids" | wc -l) check ids"

say "mailready.conf(5) documents every key of the cluster file"
keys=$(grep -o '{"[a-z_]*", set_' "$SRC/src/config.c" | sed 's/{"//; s/",.*//' | sort -u)
[ "$(echo "$keys" | wc -l)" -ge 16 ] ||
	fail "found only $(echo "$keys" | wc -l) keys in src/config.c"
for k in $keys; do
	grep -q "^\\.BI \"$k = " "$SRC/man/mailready.conf.5" ||
		fail "mailready.conf(5) does not document the key $k"
done
say "  $(echo "$keys" | wc -l) keys"

say "the data files under $DATA"
n=0
for d in profiles $ENGINE_DIRS; do
	[ -d "$SRC/checks/$d" ] || fail "no checks/$d in the source tree"
	for f in "$SRC/checks/$d"/*; do
		rel=$d/${f##*/}
		[ -f "$DATA/$rel" ] || fail "$rel is not installed in $DATA"
		cmp -s "$f" "$DATA/$rel" || fail "installed $rel differs from checks/$rel"
		n=$((n + 1))
	done
done
say "  $n files: profiles and $ENGINE_DIRS"

say "the installed binary reads the installed profiles"
for p in carbonio mail; do
	out=$(MAILREADY_PROFILE_DIR=$DATA/profiles "$BIN" check -f json \
		-H node.example.test --profile "$p" --only no-such-check \
		--allow-net 127.0.0.1/32 2>&1) && rc=0 || rc=$?
	# --only no-such-check: the profile and plan are built, nothing runs
	# (nothing checked is unknown, exit 3).
	[ "$rc" = 3 ] || fail "profile $p: exit $rc: $out"
	case $out in *'"schema": "mailready/2"'*) ;; *) fail "profile $p: $out" ;; esac
done
say "  carbonio and mail load"

say "the cron file"
cron=$DATA/cron/mailready
grep -Eq '^\*/5 \* \* \* \*[[:space:]]+root[[:space:]]+mailready health ' "$cron" ||
	fail "$cron has no '*/5 * * * * root mailready health' line"
case ${cron##*/} in *.*) fail "a cron.d file name must not hold a dot" ;; esac

if command -v systemd-analyze >/dev/null 2>&1; then
	say "systemd-analyze verify the units (ExecStart= on the installed binary)"
	mkdir "$T/units"
	sed "s|^ExecStart=mailready |ExecStart=$BIN |" \
		"$DATA/systemd/mailready-health.service" >"$T/units/mailready-health.service"
	cp "$DATA/systemd/mailready-health.timer" "$T/units/"
	grep -q "^ExecStart=$BIN " "$T/units/mailready-health.service" ||
		fail "mailready-health.service: no 'ExecStart=mailready ...' line"
	# verify exits 0 on unknown keys: any output is a failure here.
	err=$(systemd-analyze verify --man=no "$T/units/mailready-health.service" \
		"$T/units/mailready-health.timer" 2>&1) ||
		fail "systemd-analyze verify: $err"
	[ -z "$err" ] || fail "systemd-analyze verify: $err"
	say "  mailready-health.service and .timer verify cleanly"
else
	say "systemd-analyze not installed: the units are not verified"
fi
say "ok"
