/*
 * probe.c -- the life of one check instance: start, wait, finish once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "loop.h"
#include "probe_impl.h"
#include "probes/probes.h"
#include "xmalloc.h"

static void
on_probe_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	char why[96];

	snprintf(why, sizeof(why), "did not finish within %g s",
	         p->run->probe_timeout_s);
	probe_cut_short(p, CODE_TIMEOUT, why);
}

struct probe *
probe_new(struct run *r, size_t i)
{
	const struct plan_item *it = &r->plan->items[i];
	struct probe *p = xcalloc(1, sizeof(*p));

	p->run = r;
	p->index = i;
	p->ops = bindings_ops(it->def);
	p->result = mr_result_new(it->id, it->node ? it->node->name : NULL,
	                          it->domain, it->target);
	p->state = xcalloc(1, p->ops->state_size ? p->ops->state_size : 1);
	p->timer = evtimer_new(r->base, on_probe_timeout, p);
	gettimeofday(&p->started, NULL);
	return p;
}

void
probe_start(struct probe *p)
{
	struct timeval tv = tv_from_seconds(p->run->probe_timeout_s);
	if (!p->ops->own_timeouts)
		evtimer_add(p->timer, &tv);
	p->ops->start(p);
}

void *
probe_state(struct probe *p)
{
	return p->state;
}

const struct plan_item *
probe_item(const struct probe *p)
{
	return &p->run->plan->items[p->index];
}

struct run *
probe_run(const struct probe *p)
{
	return p->run;
}

struct mr_result *
probe_result(struct probe *p)
{
	return p->result;
}

const char *
probe_waiting_for(const struct probe *p)
{
	return p->waiting;
}

void
probe_waiting(struct probe *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *w = xvasprintf(fmt, ap);
	va_end(ap);
	free(p->waiting);
	p->waiting = w;
}

double
probe_elapsed_ms(const struct probe *p)
{
	return ms_since(&p->started);
}

static size_t
count_code(const struct mr_result *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i]->code, name) == 0;
	return n;
}

/* A finding past the bound: counted, and given a place to be filled in
   that is thrown away (the caller may still set its hint and data). */
static struct mr_finding *
add_excess(struct probe *p, enum mr_code code, enum mr_status severity,
           const char *fmt, va_list ap)
{
	if (p->excess == NULL) {
		p->excess = xcalloc(CODE_COUNT, sizeof(*p->excess));
		p->excess_worst = xcalloc(CODE_COUNT, sizeof(*p->excess_worst));
	}
	p->excess[code]++;
	p->excess_worst[code] =
		mr_status_worst(p->excess_worst[code], severity);
	/* Bounded too: a few recent ones, for callers still filling them. */
	if (p->scratch != NULL && p->scratch->nfindings >= 8) {
		mr_result_free(p->scratch);
		p->scratch = NULL;
	}
	if (p->scratch == NULL)
		p->scratch = mr_result_new("", NULL, NULL, NULL);
	return mr_result_addv(p->scratch, mr_code_name(code), severity, fmt,
	                      ap);
}

struct mr_finding *
probe_addv(struct probe *p, enum mr_code code, enum mr_status severity,
           const char *fmt, va_list ap)
{
	const char *name = mr_code_name(code);

	if ((unsigned)code < CODE_COUNT && !p->ops->config_bounded &&
	    count_code(p->result, name) >= PROBE_MAX_SAME_CODE)
		return add_excess(p, code, severity, fmt, ap);
	return mr_result_addv(p->result, name, severity, fmt, ap);
}

/* One closing finding per code that went past the bound. */
static void
add_excess_findings(struct probe *p)
{
	for (int c = 0; p->excess != NULL && c < CODE_COUNT; c++) {
		if (p->excess[c] == 0)
			continue;
		struct mr_finding *f = mr_result_add(
			p->result, mr_code_name((enum mr_code)c),
			p->excess_worst[c],
			"and %u more %s findings like those above, not listed "
			"(at most %d of a kind are)",
			p->excess[c], mr_code_name((enum mr_code)c),
			PROBE_MAX_SAME_CODE);
		mr_finding_set_int(f, "not_listed", p->excess[c]);
		mr_finding_set_int(f, "limit", PROBE_MAX_SAME_CODE);
	}
	free(p->excess);
	free(p->excess_worst);
	mr_result_free(p->scratch);
	p->excess = NULL;
	p->excess_worst = NULL;
	p->scratch = NULL;
}

struct mr_finding *
probe_add(struct probe *p, enum mr_code code, enum mr_status severity,
          const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = probe_addv(p, code, severity, fmt, ap);
	va_end(ap);
	return f;
}

void
probe_done(struct probe *p)
{
	struct run *r = p->run;
	struct mr_result *res = p->result;

	if (res->nfindings == 0)
		fatalx("check %s on %s ended with no finding", res->check_id,
		       res->target ? res->target : "?");
	res->duration_ms = probe_elapsed_ms(p);
	add_excess_findings(p);
	if (p->ops->cleanup)
		p->ops->cleanup(p);
	event_free(p->timer);
	size_t i = p->index;
	struct probe *self = p;
	free(p->state);
	free(p->waiting);
	run_probe_done(r, self, i, res);
	free(self);
}

void
probe_finish(struct probe *p, enum mr_code code, enum mr_status severity,
             const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mr_result_addv(p->result, mr_code_name(code), severity, fmt, ap);
	va_end(ap);
	probe_done(p);
}

void
probe_finish_hint(struct probe *p, enum mr_code code, enum mr_status severity,
                  const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = mr_result_addv(p->result, mr_code_name(code),
	                                      severity, fmt, ap);
	va_end(ap);
	mr_finding_hint(f, "%s", hint);
	probe_done(p);
}

/* What the probe found before it was cut short stays: it is still true. */
void
probe_cut_short(struct probe *p, enum mr_code code, const char *why)
{
	/* One rule for an unanswered goodbye, whichever timer ends it. */
	if (p->ops->cut_short != NULL && p->ops->cut_short(p))
		return;
	struct mr_finding *f =
		p->waiting
			? probe_add(p, code, MR_UNKNOWN,
	                            "%s while waiting for %s", why, p->waiting)
			: probe_add(p, code, MR_UNKNOWN, "%s", why);
	mr_finding_set_text(f, "waiting_for", p->waiting);
	probe_done(p);
}
