/*
 * report.h -- the aggregator and the renderers.
 *
 * report_build() rolls results up per node and per domain (the worst status
 * wins); the renderers only format a report and decide nothing. What they
 * share -- the counts phrase, a check's message from its findings, grouping
 * of identical problems, escaping -- is here too, so that every format says
 * the same thing.
 */
#ifndef MAILREADY_REPORT_H
#define MAILREADY_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "mailready/config.h"
#include "mailready/result.h"

struct report_group {
	char *name;   /* node FQDN or domain */
	char **roles; /* nodes only */
	size_t nroles;
	enum mr_status status;           /* worst of its checks */
	const struct mr_result **checks; /* borrowed from the result list */
	size_t nchecks;
	size_t counts[MR_STATUS_COUNT];
};

struct report {
	const char *mode; /* "preflight", "check", "health", "report" */
	char *vantage;    /* where the run was taken (host name) */
	time_t started_at;
	double duration_ms;
	double probe_timeout_s; /* the most a response time can be; or NaN */
	/* Perfdata warn and crit ranges the policy set (or NULL): for labels
	   whose check measured nothing this run. */
	const char *time_thresholds[2];
	const char *cert_thresholds[2];
	enum mr_status status; /* worst of everything */
	size_t counts[MR_STATUS_COUNT];
	size_t nchecks;
	/* What the run found out about itself and says first: where the
	   node's public address came from, that this host is no node. One
	   line each, not escaped. */
	char **notes;
	size_t nnotes;
	/* preflight on a host that is no node of the file: the renderers
	   give no install verdict. */
	bool off_node;
	struct report_group *nodes;
	size_t nnodes;
	struct report_group *domains;
	size_t ndomains;
};

/**
 * Aggregate results. Nodes appear in config order (nodes with no config
 * entry, as in merged reports, follow in order of appearance); domains
 * likewise. The report borrows the results: keep the list alive.
 * @param cfg  may be NULL (merged reports): roles are then unknown.
 */
struct report *report_build(const struct mr_config *cfg,
                            const struct mr_result_list *results,
                            const char *mode, const char *vantage,
                            time_t started_at, double duration_ms);

void report_free(struct report *r);

/** Add a note (printf format) to what the report says first. */
void report_add_note(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * The counts, the same in every format: "20 of 25 nodes failing, 4
 * warning, 1 unknown; 1 of 8 domains failing", or "all 25 nodes and 8
 * domains pass". Caller frees.
 */
char *report_summary(const struct report *r);

/** "(27 fail, 5 warn, 160 pass, 4 skip)": checks by status, worst first. */
char *report_check_counts(const struct report *r);

/*
 * A finding as one line: its message, then "(accepted until DATE: why)"
 * or "(accepted until DATE, expired: why)", then with_hint "; HINT".
 * New string, not escaped.
 */
char *report_finding_text(const struct mr_finding *f, bool with_hint);

/*
 * What a check says in one line: its problem findings, worst first, joined
 * with "; "; when it has none, what it found (its passing or skipped
 * findings). New string, not escaped.
 */
char *report_check_message(const struct mr_result *r, bool with_hints);

/* Does the finding need to be shown as a problem (or an acceptance)? */
bool report_finding_notable(const struct mr_finding *f);

/*
 * Identical findings of one group, together: what a renderer shows as one
 * line ("net.port.smtp, mail.smtp 127.0.2.56:25: ... is closed").
 */
struct report_row {
	enum mr_status severity;
	const struct mr_finding *f; /* the first of them */
	const struct mr_result **checks;
	size_t nchecks;
};

struct report_rows {
	struct report_row *v;
	size_t n;
};

/**
 * The rows of a group with findings of severity st (accepted ones when
 * accepted is true, whatever their severity), in check order, identical
 * (severity, code, message, hint) findings merged.
 */
void report_group_rows(const struct report_group *g, enum mr_status st,
                       bool accepted, struct report_rows *out);
void report_rows_free(struct report_rows *rows);

/*
 * The label of a row: "mail.smtp 127.0.2.10:25", "net.port.smtp,
 * mail.smtp 127.0.2.56:25", "6 checks (net.port.smtp, net.port.smtps and
 * 4 more)". A target equal to the group's name is left out. New string,
 * not escaped.
 */
char *report_row_label(const struct report_row *row, const char *group);

struct text_opts {
	bool color;   /* ANSI colours (only on a TTY, never with NO_COLOR) */
	bool verbose; /* every check and every finding, passing ones too */
	int width;    /* wrap lines at this many columns; 0: do not wrap */
};

int report_render_text(const struct report *r, const struct text_opts *o,
                       FILE *out);
/* The preflight layout: a verdict per node, a line per thing to fix. */
int report_render_preflight(const struct report *r, const struct text_opts *o,
                            FILE *out);
int report_render_json(const struct report *r, FILE *out);
int report_render_nagios(const struct report *r, FILE *out);
int report_render_prometheus(const struct report *r, FILE *out);

/**
 * What a result looked at, for display: "127.0.2.10:25", and in merged
 * reports "127.0.2.10:25 @outside" (vantage point). "" when none. New
 * string, not escaped.
 */
char *report_target_label(const struct mr_result *r);

/*
 * Escaping of server-supplied text: control characters, newlines and
 * backslashes become \n, \r, \t, \\ or \xNN; with pipe also '|' becomes
 * \x7c (Nagios perfdata separator). Invalid UTF-8 bytes become \xNN.
 * Returns a new string the caller frees.
 */
char *report_escape(const char *s, bool pipe);

/**
 * As report_escape(), for JSON strings: control characters, line and
 * paragraph separators, bidirectional overrides and invalid UTF-8 as
 * "\xNN" (a script printing a message must not colour its terminal);
 * backslash and '|' kept, JSON escapes what it must itself.
 */
char *report_escape_controls(const char *s);

/** "mailready: PREFIX MSG" on stderr, MSG escaped as report_escape() does. */
void report_error(const char *prefix, const char *msg);

#endif
