/*
 * policy.h -- the one place between the probes and the renderers where
 * what the probes found is weighed against what the operator asked for:
 *
 *   1. a check cut short (TIMEOUT, DEADLINE) takes --timeout-state;
 *   2. thresholds: the response time against -w/-c time ranges
 *      (RESPONSE_TIME), the certificate's days left against
 *      cert_warn_days/cert_crit_days or -w/-c cert=DAYS
 *      (CERT_EXPIRES_SOON), and the perfdata ranges that say so;
 *   3. [accept]: a finding accepted for its code and target counts as a
 *      pass until the entry's date, and says so; after the date it counts
 *      again, marked as an expired acceptance;
 *   4. every check's status is recomputed: its worst finding.
 *
 * Probes decide what they see; renderers only format; nothing else
 * changes a severity.
 */
#ifndef MAILREADY_POLICY_H
#define MAILREADY_POLICY_H

#include <time.h>

#include "mailready/config.h"
#include "mailready/result.h"
#include "threshold.h"

struct policy {
	const struct thresholds *t;   /* -w/-c; NULL for none */
	int cert_warn_days;           /* -1: no warning threshold */
	int cert_crit_days;           /* -1: no critical threshold */
	enum mr_status timeout_state; /* --timeout-state; unknown by default */
	/* Given on the command line: also the state of a server that
	   accepted the connection and then stalled (failed otherwise). */
	bool timeout_state_given;
	const struct mr_accept *accepts;
	size_t naccepts;
	time_t now; /* for acceptance dates; 0 means time(NULL) */
	/* Perfdata ranges of the certificate days: "30:" alerts below. */
	char cert_warn_range[16];
	char cert_crit_range[16];
};

/**
 * The policy of a run: the config's certificate days, overridden one by
 * one by -w/-c cert=DAYS (a threshold given for one level keeps the
 * other level's value), and the config's [accept] entries.
 */
void policy_init(struct policy *pol, const struct mr_config *cfg,
                 const struct thresholds *t, enum mr_status timeout_state,
                 bool timeout_state_given);

/**
 * The perfdata warn and crit ranges of a metric ("time" or
 * "cert_days_left") under this policy; NULL where there is none.
 */
void policy_perf_thresholds(const struct policy *pol, const char *metric,
                            const char *out[2]);

/** Apply the policy to every result (in place). */
void policy_apply(const struct policy *pol, struct mr_result_list *l);

/** Does accept entry a match finding f of result r? */
bool policy_accept_matches(const struct mr_accept *a, const struct mr_result *r,
                           const struct mr_finding *f);

#endif
