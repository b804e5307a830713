#!/usr/bin/env python3
# update-codes.py -- rewrite the FINDING CODES section of mailready(1)
# from the codes table, after a change to include/mailready/codes.def:
#
#   build/src/mailready list -f json | man/update-codes.py man/mailready.1
#
# tests/unit/test_codes.c fails while the section and the table differ.
import json
import sys
import textwrap

INTRO = r""".SH FINDING CODES
Every finding has one of these codes.
They are stable: the JSON output, the
.B [accept]
section of
.BR mailready.conf (5),
the health state and its syslog lines name them, and
.B "mailready list \-\-codes"
prints this list.
A code says what was found; the severity it counts as depends on the
case (a name that does not resolve fails, a resolver that does not
answer leaves the check unknown) and on the policy (thresholds,
.BR \-\-timeout\-state ,
accepted findings).
Codes that report a pass have no fix."""


def esc(t):
    return t.replace("\\", "\\e").replace("-", "\\-")


def wrap(t):
    out = []
    for line in textwrap.wrap(t, 78, break_on_hyphens=False,
                              break_long_words=False):
        out.append("\\&" + line if line[0] in ".'" else line)
    return out


def section(codes):
    out = INTRO.split("\n")
    for c in codes:
        out += [".TP", ".B " + c["code"]]
        m = c["meaning"]
        out += wrap(esc(m[0].upper() + m[1:]) + ".")
        if c["fix"]:
            out += wrap("Usual fix: " + esc(c["fix"]) + ".")
    return "\n".join(out) + "\n"


def main():
    path = sys.argv[1]
    codes = json.load(sys.stdin)["codes"]
    page = open(path).read()
    start = page.index(".SH FINDING CODES\n")
    end = page.index("\n.SH ", start) + 1
    page = page[:start] + section(codes) + page[end:]
    open(path, "w").write(page)


main()
