/*
 * result.c -- construction and ownership of check results and findings.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/result.h"
#include "report/report.h"
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
	return r;
}

static void
finding_free(struct mr_finding *f)
{
	free(f->code);
	free(f->message);
	free(f->hint);
	json_decref(f->data);
	free(f->accepted_until);
	free(f->accept_reason);
	free(f);
}

void
mr_result_free(struct mr_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nfindings; i++)
		finding_free(r->findings[i]);
	free(r->findings);
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].unit);
		free(r->metrics[i].warn);
		free(r->metrics[i].crit);
	}
	free(r->metrics);
	free(r->check_id);
	free(r->node);
	free(r->domain);
	free(r->target);
	free(r->vantage);
	free(r);
}

struct mr_finding *
mr_result_addv(struct mr_result *r, const char *code, enum mr_status severity,
               const char *fmt, va_list ap)
{
	struct mr_finding *f = xcalloc(1, sizeof(*f));

	f->code = xstrdup(code);
	f->severity = f->found = severity;
	f->message = xvasprintf(fmt, ap);
	r->findings = xreallocarray(r->findings, r->nfindings + 1,
	                            sizeof(*r->findings));
	r->findings[r->nfindings++] = f;
	r->status = mr_status_worst(r->status, severity);
	return f;
}

struct mr_finding *
mr_result_add(struct mr_result *r, const char *code, enum mr_status severity,
              const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = mr_result_addv(r, code, severity, fmt, ap);
	va_end(ap);
	return f;
}

void
mr_finding_hint(struct mr_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *h = xvasprintf(fmt, ap);
	va_end(ap);
	free(f->hint);
	f->hint = h;
}

json_t *
mr_json_text(const char *text)
{
	if (text == NULL)
		return json_null();
	/* Server words: no control character of theirs reaches a reader of
	   the JSON, and jansson refuses invalid UTF-8, which servers send. */
	char *esc = report_escape_controls(text);
	json_t *j = json_string(esc);
	free(esc);
	if (j == NULL)
		fatalx("json: escaped text is not UTF-8");
	return j;
}

void
mr_finding_set(struct mr_finding *f, const char *key, json_t *value)
{
	if (value == NULL)
		fatalx("finding %s: no value for %s", f->code, key);
	if (f->data == NULL)
		f->data = json_object();
	if (json_object_set_new(f->data, key, value) != 0)
		fatalx("finding %s: cannot set %s", f->code, key);
}

void
mr_finding_set_text(struct mr_finding *f, const char *key, const char *text)
{
	mr_finding_set(f, key, mr_json_text(text));
}

void
mr_finding_set_int(struct mr_finding *f, const char *key, long long v)
{
	mr_finding_set(f, key, json_integer((json_int_t)v));
}

void
mr_result_update(struct mr_result *r)
{
	r->status = MR_SKIP;
	for (size_t i = 0; i < r->nfindings; i++)
		r->status =
			mr_status_worst(r->status, r->findings[i]->severity);
}

struct mr_finding *
mr_result_finding(const struct mr_result *r, const char *code)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i]->code, code) == 0)
			return r->findings[i];
	return NULL;
}

const struct mr_finding *
mr_result_worst(const struct mr_result *r)
{
	const struct mr_finding *w = NULL;

	for (size_t i = 0; i < r->nfindings; i++)
		if (w == NULL || r->findings[i]->severity > w->severity)
			w = r->findings[i];
	return w;
}

struct mr_metric *
mr_result_add_metric(struct mr_result *r, const char *name, double value,
                     const char *unit)
{
	r->metrics =
		xreallocarray(r->metrics, r->nmetrics + 1, sizeof(*r->metrics));
	struct mr_metric *m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	m->value = value;
	m->unit = xstrdup(unit ? unit : "");
	m->min = NAN;
	m->max = NAN;
	return m;
}

struct mr_metric *
mr_result_metric(const struct mr_result *r, const char *name)
{
	for (size_t i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0)
			return &r->metrics[i];
	return NULL;
}

void
mr_metric_set_thresholds(struct mr_metric *m, const char *warn,
                         const char *crit)
{
	free(m->warn);
	free(m->crit);
	m->warn = dup_or_null(warn);
	m->crit = dup_or_null(crit);
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
