/*
 * result.h -- the result of one check instance.
 *
 * A result is data only: probes fill it, the aggregator rolls it up and the
 * renderers format it. Nothing downstream of a probe changes a status.
 */
#ifndef MAILREADY_RESULT_H
#define MAILREADY_RESULT_H

#include <stddef.h>

#include "mailready/status.h"

struct mr_metric {
	char *name; /* "cert_days_left", "connect_ms" */
	double value;
	char *unit; /* perfdata unit: "ms", "s", "d" or "" */
	/* Thresholds for perfdata; NaN when there are none. */
	double warn;
	double crit;
	/* Or thresholds in range syntax (-w/-c), which then win; NULL. */
	char *warn_range;
	char *crit_range;
};

struct mr_result {
	char *check_id; /* "dns.ptr", "net.port.smtp" */
	char *node;     /* node FQDN; NULL for a domain check */
	char *domain;   /* mail domain for a domain check; else NULL */
	char *target;   /* what was probed: "127.0.2.10", "example.com" */
	char *vantage;  /* where the run was taken; NULL for this run */
	enum mr_status status;
	char *message; /* one line saying what is wrong and what to do */
	double duration_ms;
	struct mr_metric *metrics;
	size_t nmetrics;
};

/** Allocate an empty result (status skip) owned by the caller. */
struct mr_result *mr_result_new(const char *check_id, const char *node,
                                const char *domain, const char *target);

/** Free a result and everything it owns. NULL is fine. */
void mr_result_free(struct mr_result *r);

/**
 * Replace the message (printf format). Control characters are kept as they
 * are here; renderers escape them.
 */
void mr_result_set_message(struct mr_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append a metric without thresholds. */
void mr_result_add_metric(struct mr_result *r, const char *name, double value,
                          const char *unit);

/** Append a metric with warn/crit thresholds (used in perfdata). */
void mr_result_add_metric_thresholds(struct mr_result *r, const char *name,
                                     double value, const char *unit,
                                     double warn, double crit);

/** Look up a metric by name; NULL if absent. */
const struct mr_metric *mr_result_metric(const struct mr_result *r,
                                         const char *name);

/* A growable list of results; owns its elements. */
struct mr_result_list {
	struct mr_result **v;
	size_t n;
	size_t cap;
};

void mr_result_list_push(struct mr_result_list *l, struct mr_result *r);
void mr_result_list_clear(struct mr_result_list *l);

#endif
