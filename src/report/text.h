/*
 * text.h -- the pieces of the text layout that preflight.c shares with
 * text.c: a status line wrapped to the width, and a group's body.
 */
#ifndef MAILREADY_REPORT_TEXT_H
#define MAILREADY_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"

struct text_out {
	FILE *out;
	bool color;
	int width; /* 0: do not wrap */
};

/** The report's notes, one wrapped paragraph each (nothing if none). */
void text_notes(const struct text_out *t, const struct report *r);

/** s in the colour of st (when colours are on). */
void text_colored(const struct text_out *t, enum mr_status st, const char *s);

/** "  WORD      text", text escaped and wrapped under itself. */
void text_line(const struct text_out *t, enum mr_status st, const char *word,
               const char *text);

/**
 * A group's lines: problems worst first (identical ones merged),
 * acceptances, what passed in one line, skips grouped; or, verbose, every
 * check with its findings. words[] names each status at the line start.
 */
void text_group_body(const struct text_out *t, const struct report_group *g,
                     const char *const words[MR_STATUS_COUNT], bool verbose);

/**
 * Has the group nothing to look at: every check passed or was skipped
 * for running only on the node itself, nothing accepted? Then one line
 * says it.
 */
bool text_group_is_quiet(const struct report_group *g);

/** "12 checks pass, 1 skipped" (either part left out when 0). */
void text_counts_of(const struct report_group *g, char *buf, size_t len);

/**
 * The checks that ran nowhere because they run only on the node itself,
 * said once for the report: "net.internet runs only on the node itself:
 * not checked on 25 nodes; ...". Nothing when there are none.
 */
void text_on_node_note(const struct text_out *t, const struct report *r);

#endif
