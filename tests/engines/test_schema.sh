#!/usr/bin/env bash
# test_schema.sh -- the JSON every command writes is what
# checks/schema/mailready-2.schema.json says, validated with Debian's
# python3-jsonschema (an independent implementation of JSON Schema 2020-12):
# the golden merged report, and real runs over the whole lab (every
# planted fault, so every kind of finding) as check, preflight, health and
# report write them. `mailready list -f json` is checked for its codes.
set -eu
. "$(dirname "$0")/common.sh"
need_env MAILREADY_BIN MAILREADY_SRCDIR
need_root
PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null ||
	fail "python3-jsonschema is not installed (tests/deps.sh)"

BIN=$MAILREADY_BIN
SCHEMA=$MAILREADY_SRCDIR/checks/schema/mailready-2.schema.json
T=$(mktemp -d /tmp/mailready-schema.XXXXXX)
trap 'lab_stop; rm -rf "$T"' EXIT

# validate FILE...: each is a mailready/2 document; prints how many
# checks and findings were validated.
validate() {
	"$PY" - "$SCHEMA" "$@" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    doc = json.load(open(path))
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:5]:
        print("%s: %s at %s" % (path, e.message,
              "/".join(str(p) for p in e.path)), file=sys.stderr)
    if errors:
        sys.exit(1)
    checks = [c for g in doc["nodes"] + doc["domains"] for c in g["checks"]]
    findings = sum(len(c["findings"]) for c in checks)
    codes = {f["code"] for c in checks for f in c["findings"]}
    print("%s: %d checks, %d findings, %d codes" %
          (path.split("/")[-1], len(checks), findings, len(codes)))
PY
}

say "the schema, and the golden merged report"
out=$(validate "$MAILREADY_SRCDIR/tests/golden/report.json" \
	"$MAILREADY_SRCDIR/tests/golden/v2-inside.json" \
	"$MAILREADY_SRCDIR/tests/golden/v2-outside.json") ||
	fail "the golden JSON does not follow the schema"
say "  $(echo "$out" | tr '\n' ';')"

lab_start "$T/lab.log"
LAB_ALL=$MAILREADY_SRCDIR/tests/lab/configs/lab.conf

say "real runs over the lab"
"$BIN" check -f json -c "$LAB_ALL" --ca-file "$LAB_CA" --vantage inside \
	>"$T/check.json" || true
"$BIN" preflight -f json -c "$LAB_ALL" --ca-file "$LAB_CA" \
	--self mta1.example.test >"$T/preflight.json" || true
"$BIN" health -f json -c "$LAB_CONFIG" --ca-file "$LAB_CA" \
	--state "$T/state.json" >"$T/health.json" || true
"$BIN" check -f json -c "$LAB_CONFIG" --ca-file "$LAB_CA" \
	--vantage outside >"$T/outside.json" || true
"$BIN" report -f json "$T/check.json" "$T/outside.json" \
	>"$T/report.json" || true
out=$(validate "$T/check.json" "$T/preflight.json" "$T/health.json" \
	"$T/report.json") || fail "a run's JSON does not follow the schema"
say "  $(echo "$out" | tr '\n' ';')"

say "every code in the output is a documented code"
"$BIN" list -f json >"$T/list.json"
"$PY" - "$T/list.json" "$T/check.json" "$T/preflight.json" <<'PY' ||
import json, sys
known = {c["code"] for c in json.load(open(sys.argv[1]))["codes"]}
for path in sys.argv[2:]:
    doc = json.load(open(path))
    for g in doc["nodes"] + doc["domains"]:
        for c in g["checks"]:
            for f in c["findings"]:
                if f["code"] not in known:
                    sys.exit("%s: %s %s: code %s is not in mailready list"
                             % (path, g["name"], c["id"], f["code"]))
PY
	fail "an undocumented code"
say "ok"
