/*
 * report.h -- the aggregator and the renderers.
 *
 * report_build() rolls results up per node and per domain (the worst status
 * wins); the renderers only format a report and decide nothing.
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
	enum mr_status status; /* worst of everything */
	size_t counts[MR_STATUS_COUNT];
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

/** One line: "2 of 5 nodes failing: mta2 (dns.ptr), ...". Caller frees. */
char *report_summary(const struct report *r);

struct text_opts {
	bool color;   /* ANSI colours (only on a TTY, never with NO_COLOR) */
	bool verbose; /* also list passing and skipped checks' messages */
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

#endif
