/*
 * result.c -- construction and ownership of check results.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/result.h"
#include "xmalloc.h"

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct mr_result *
mr_result_new(const char *check_id, const char *node, const char *domain,
              const char *target)
{
	struct mr_result *r = xcalloc(1, sizeof(*r));
	r->check_id = xstrdup(check_id);
	r->node = dup_or_null(node);
	r->domain = dup_or_null(domain);
	r->target = dup_or_null(target);
	r->status = MR_SKIP;
	r->message = xstrdup("");
	return r;
}

void
mr_result_free(struct mr_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].unit);
		free(r->metrics[i].warn_range);
		free(r->metrics[i].crit_range);
	}
	free(r->metrics);
	free(r->check_id);
	free(r->node);
	free(r->domain);
	free(r->target);
	free(r->vantage);
	free(r->message);
	free(r);
}

void
mr_result_set_message(struct mr_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->message);
	r->message = m;
}

void
mr_result_add_metric_thresholds(struct mr_result *r, const char *name,
                                double value, const char *unit, double warn,
                                double crit)
{
	r->metrics =
		xreallocarray(r->metrics, r->nmetrics + 1, sizeof(*r->metrics));
	struct mr_metric *m = &r->metrics[r->nmetrics++];
	m->name = xstrdup(name);
	m->value = value;
	m->unit = xstrdup(unit ? unit : "");
	m->warn = warn;
	m->crit = crit;
	m->warn_range = NULL;
	m->crit_range = NULL;
}

void
mr_result_add_metric(struct mr_result *r, const char *name, double value,
                     const char *unit)
{
	mr_result_add_metric_thresholds(r, name, value, unit, NAN, NAN);
}

const struct mr_metric *
mr_result_metric(const struct mr_result *r, const char *name)
{
	for (size_t i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0)
			return &r->metrics[i];
	return NULL;
}

void
mr_result_list_push(struct mr_result_list *l, struct mr_result *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = r;
}

void
mr_result_list_clear(struct mr_result_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mr_result_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
