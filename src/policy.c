/*
 * policy.c -- thresholds from the command line over the results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "xmalloc.h"

static void
worsen(struct mr_result *r, enum mr_status st, const char *what)
{
	r->status = mr_status_worst(r->status, st);
	char *m = xasprintf("%s%s%s", what, r->message[0] ? "; " : "",
	                    r->message);
	free(r->message);
	r->message = m;
}

/* Judge value v against a warn/crit pair; label the metric for perfdata. */
static void
judge(struct mr_result *r, struct mr_metric *m, double v,
      const struct mr_range *warn, const struct mr_range *crit,
      const char *what, const char *unit)
{
	char text[160];

	if (warn->set) {
		free(m->warn_range);
		m->warn_range = xstrdup(warn->text);
	}
	if (crit->set) {
		free(m->crit_range);
		m->crit_range = xstrdup(crit->text);
	}
	if (range_alerts(crit, v)) {
		snprintf(text, sizeof(text),
		         "%s %.3g %s is outside the critical range %s", what, v,
		         unit, crit->text);
		worsen(r, MR_FAIL, text);
	} else if (range_alerts(warn, v)) {
		snprintf(text, sizeof(text),
		         "%s %.3g %s is outside the warning range %s", what, v,
		         unit, warn->text);
		worsen(r, MR_WARN, text);
	}
}

void
policy_apply(const struct thresholds *t, struct mr_result_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct mr_result *r = l->v[i];
		for (size_t k = 0; k < r->nmetrics; k++) {
			struct mr_metric *m = &r->metrics[k];
			if (strcmp(m->name, "time") == 0)
				judge(r, m, m->value, &t->time_warn,
				      &t->time_crit, "response time", "s");
			else if (strcmp(m->name, "cert_days_left") == 0)
				judge(r, m, m->value, &t->cert_warn,
				      &t->cert_crit, "certificate days left",
				      "days");
		}
	}
}
