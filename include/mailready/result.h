/*
 * result.h -- the result of one check instance and its findings.
 *
 * A result is data only: probes add findings (what they concluded, each
 * with a stable code, a severity, a message, a hint and structured data),
 * policy (policy.h) adjusts severities in one documented place, the
 * aggregator rolls results up and the renderers format them. A check's
 * status is the worst severity among its findings.
 */
#ifndef MAILREADY_RESULT_H
#define MAILREADY_RESULT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mailready/status.h"

/* One conclusion of a probe. */
struct mr_finding {
	char *code;              /* stable name from codes.def */
	enum mr_status severity; /* what it counts as (after policy) */
	enum mr_status found;    /* what the probe decided (before policy) */
	char *message;           /* what was found: one line, no advice */
	char *hint;              /* what to do about it; NULL if nothing */
	json_t *data;            /* structured details (object); or NULL */
	/* Set by policy when an [accept] entry matches this finding. */
	char *accepted_until; /* "2027-03-01"; NULL when not accepted */
	char *accept_reason;
	bool accept_expired; /* the entry's date has passed: counts again */
};

struct mr_metric {
	char *name; /* "time", "cert_days_left", "connect_ms" */
	double value;
	char *unit; /* perfdata unit: "s", "ms", "d" or "" */
	/* Thresholds in range syntax for perfdata, set by policy; or NULL. */
	char *warn;
	char *crit;
	/* Bounds for perfdata; NaN when not known. */
	double min;
	double max;
};

struct mr_result {
	char *check_id; /* "dns.ptr", "net.port.smtp" */
	char *node;     /* node FQDN; NULL for a domain check */
	char *domain;   /* mail domain for a domain check; else NULL */
	char *target;   /* what was probed: "127.0.2.10:25", "example.com" */
	char *vantage;  /* where the run was taken; NULL for this run */
	enum mr_status status; /* worst finding; see mr_result_update() */
	struct mr_finding **findings;
	size_t nfindings;
	double duration_ms;
	struct mr_metric *metrics;
	size_t nmetrics;
};

/** Allocate an empty result (no findings, status skip) owned by the caller. */
struct mr_result *mr_result_new(const char *check_id, const char *node,
                                const char *domain, const char *target);

/** Free a result and everything it owns. NULL is fine. */
void mr_result_free(struct mr_result *r);

/**
 * Add a finding (message in printf format) and fold its severity into the
 * status. The finding belongs to the result; the pointer stays valid until
 * the result is freed. Control characters are kept; renderers escape.
 */
struct mr_finding *mr_result_add(struct mr_result *r, const char *code,
                                 enum mr_status severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct mr_finding *mr_result_addv(struct mr_result *r, const char *code,
                                  enum mr_status severity, const char *fmt,
                                  va_list ap)
	__attribute__((format(printf, 4, 0)));

/** Set the hint of a finding (printf format), replacing any earlier one. */
void mr_finding_hint(struct mr_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Store value (reference stolen) under key in the finding's data. */
void mr_finding_set(struct mr_finding *f, const char *key, json_t *value);

/**
 * Store text under key. Server-supplied text that is not valid UTF-8 is
 * kept legible: invalid bytes become \xNN. NULL stores JSON null.
 */
void mr_finding_set_text(struct mr_finding *f, const char *key,
                         const char *text);

void mr_finding_set_int(struct mr_finding *f, const char *key, long long v);

/** A JSON string of text, invalid UTF-8 bytes escaped; null for NULL. */
json_t *mr_json_text(const char *text);

/** Recompute the status from the findings (after policy changed them). */
void mr_result_update(struct mr_result *r);

/** The first finding with that code, or NULL. */
struct mr_finding *mr_result_finding(const struct mr_result *r,
                                     const char *code);

/** The worst finding (the first of the worst severity), or NULL. */
const struct mr_finding *mr_result_worst(const struct mr_result *r);

/** Append a metric (no thresholds, no bounds). */
struct mr_metric *mr_result_add_metric(struct mr_result *r, const char *name,
                                       double value, const char *unit);

/** Look up a metric by name; NULL if absent. */
struct mr_metric *mr_result_metric(const struct mr_result *r, const char *name);

/** Set a metric's perfdata thresholds (range syntax; NULL for none). */
void mr_metric_set_thresholds(struct mr_metric *m, const char *warn,
                              const char *crit);

/* A growable list of results; owns its elements. */
struct mr_result_list {
	struct mr_result **v;
	size_t n;
	size_t cap;
};

void mr_result_list_push(struct mr_result_list *l, struct mr_result *r);
void mr_result_list_clear(struct mr_result_list *l);

#endif
