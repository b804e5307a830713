/*
 * policy.c -- timeout state, thresholds and accepted findings over the
 * results (see policy.h for the order and why it is one place).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/codes.h"
#include "names.h"
#include "policy.h"
#include "tls/cert.h"
#include "xmalloc.h"

void
policy_init(struct policy *pol, const struct mr_config *cfg,
            const struct thresholds *t, enum mr_status timeout_state,
            bool timeout_state_given)
{
	memset(pol, 0, sizeof(*pol));
	pol->t = t;
	pol->cert_warn_days = cfg->cert_warn_days;
	pol->cert_crit_days = cfg->cert_crit_days;
	if (t != NULL && t->cert_warn_days >= 0)
		pol->cert_warn_days = t->cert_warn_days;
	if (t != NULL && t->cert_crit_days >= 0)
		pol->cert_crit_days = t->cert_crit_days;
	pol->timeout_state = timeout_state;
	pol->timeout_state_given = timeout_state_given;
	pol->accepts = cfg->accepts;
	pol->naccepts = cfg->naccepts;
	/* "30:": alert below; the guidelines' form for "fewer is worse". */
	if (pol->cert_warn_days >= 0)
		snprintf(pol->cert_warn_range, sizeof(pol->cert_warn_range),
		         "%d:", pol->cert_warn_days);
	if (pol->cert_crit_days >= 0)
		snprintf(pol->cert_crit_range, sizeof(pol->cert_crit_range),
		         "%d:", pol->cert_crit_days);
}

void
policy_perf_thresholds(const struct policy *pol, const char *metric,
                       const char *out[2])
{
	out[0] = out[1] = NULL;
	if (strcmp(metric, "time") == 0 && pol->t != NULL) {
		out[0] = pol->t->time_warn.set ? pol->t->time_warn.text : NULL;
		out[1] = pol->t->time_crit.set ? pol->t->time_crit.text : NULL;
	} else if (strcmp(metric, "cert_days_left") == 0) {
		out[0] = pol->cert_warn_range[0] ? pol->cert_warn_range : NULL;
		out[1] = pol->cert_crit_range[0] ? pol->cert_crit_range : NULL;
	}
}

/* 1. */
static void
apply_timeout_state(const struct policy *pol, struct mr_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		struct mr_finding *f = r->findings[i];
		if (strcmp(f->code, mr_code_name(CODE_TIMEOUT)) == 0 ||
		    strcmp(f->code, mr_code_name(CODE_DEADLINE)) == 0 ||
		    (pol->timeout_state_given &&
		     strcmp(f->code, mr_code_name(CODE_SERVER_STALLS)) == 0))
			f->severity = pol->timeout_state;
	}
}

/* 2: the response time against a warn/crit pair of ranges. */
static void
judge_time(struct mr_result *r, struct mr_metric *m, const struct thresholds *t)
{
	const struct mr_range *crit = &t->time_crit, *warn = &t->time_warn;
	struct mr_finding *f = NULL;

	mr_metric_set_thresholds(m, warn->set ? warn->text : NULL,
	                         crit->set ? crit->text : NULL);
	if (!warn->set && !crit->set)
		return;
	if (range_alerts(crit, m->value))
		f = mr_result_add(
			r, mr_code_name(CODE_RESPONSE_TIME), MR_FAIL,
			"response time %.3g s is outside the critical "
			"range %s",
			m->value, crit->text);
	else if (range_alerts(warn, m->value))
		f = mr_result_add(r, mr_code_name(CODE_RESPONSE_TIME), MR_WARN,
		                  "response time %.3g s is outside the warning "
		                  "range %s",
		                  m->value, warn->text);
	if (f != NULL) {
		mr_finding_hint(f, "find what is slow: DNS, a greet pause, the "
		                   "TLS handshake");
		mr_finding_set(f, "seconds", json_real(m->value));
	}
}

/* 2: the certificate's days left. */
static void
judge_cert_days(const struct policy *pol, struct mr_result *r,
                struct mr_metric *m)
{
	const struct mr_metric *na = mr_result_metric(r, "cert_not_after");
	const char *th[2];
	char *msg, *hint;

	policy_perf_thresholds(pol, "cert_days_left", th);
	mr_metric_set_thresholds(m, th[0], th[1]);
	if (na == NULL)
		return;
	enum mr_status st = cert_judge_days(
		(long long)m->value, (time_t)na->value, pol->cert_warn_days,
		pol->cert_crit_days, &msg, &hint);
	if (st == MR_PASS)
		return;
	struct mr_finding *f = mr_result_add(
		r, mr_code_name(CODE_CERT_EXPIRES_SOON), st, "%s", msg);
	mr_finding_hint(f, "%s", hint);
	mr_finding_set_int(f, "days_left", (long long)m->value);
	mr_finding_set_int(f, "threshold",
	                   st == MR_FAIL ? pol->cert_crit_days
	                                 : pol->cert_warn_days);
	free(msg);
	free(hint);
}

static void
apply_thresholds(const struct policy *pol, struct mr_result *r)
{
	/* Metrics may be added below: look them up by name, not pointer. */
	struct mr_metric *m = mr_result_metric(r, "time");
	if (m != NULL && pol->t != NULL)
		judge_time(r, m, pol->t);
	m = mr_result_metric(r, "cert_days_left");
	if (m != NULL)
		judge_cert_days(pol, r, m);
}

/* 3. */
bool
policy_accept_matches(const struct mr_accept *a, const struct mr_result *r,
                      const struct mr_finding *f)
{
	if (strcmp(a->code, f->code) != 0)
		return false;
	if (strcmp(a->target, "*") == 0)
		return true;
	if ((r->node && name_equal(a->target, r->node)) ||
	    (r->domain && name_equal(a->target, r->domain)) ||
	    (r->target && strcmp(a->target, r->target) == 0))
		return true;
	/* The address a finding is about (a PTR of one public address). */
	const char *addr =
		f->data ? json_string_value(json_object_get(f->data, "address"))
			: NULL;
	return addr != NULL && strcmp(a->target, addr) == 0;
}

static void
apply_accepts(const struct policy *pol, struct mr_result *r, time_t now)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		struct mr_finding *f = r->findings[i];
		if (f->severity <= MR_PASS)
			continue;
		for (size_t k = 0; k < pol->naccepts; k++) {
			const struct mr_accept *a = &pol->accepts[k];
			if (!policy_accept_matches(a, r, f))
				continue;
			free(f->accepted_until);
			free(f->accept_reason);
			f->accepted_until = xstrdup(a->until);
			f->accept_reason = xstrdup(a->reason ? a->reason : "");
			f->accept_expired = (long long)now >= a->until_t;
			if (!f->accept_expired)
				f->severity = MR_PASS;
			break;
		}
	}
}

void
policy_apply(const struct policy *pol, struct mr_result_list *l)
{
	time_t now = pol->now ? pol->now : time(NULL);

	for (size_t i = 0; i < l->n; i++) {
		struct mr_result *r = l->v[i];
		apply_timeout_state(pol, r);
		apply_thresholds(pol, r);
		apply_accepts(pol, r, now);
		mr_result_update(r);
	}
}
