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
	probe_cut_short(p, why);
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
	p->next = r->active;
	if (r->active)
		r->active->prev = p;
	r->active = p;
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

static void
probe_end(struct probe *p, enum mr_status status, char *message)
{
	struct run *r = p->run;
	struct mr_result *res = p->result;

	res->status = status;
	free(res->message);
	res->message = message;
	res->duration_ms = probe_elapsed_ms(p);
	if (p->ops->cleanup)
		p->ops->cleanup(p);
	event_free(p->timer);
	if (p->prev)
		p->prev->next = p->next;
	else
		r->active = p->next;
	if (p->next)
		p->next->prev = p->prev;
	size_t i = p->index;
	free(p->state);
	free(p->waiting);
	free(p);
	run_probe_done(r, true, i, res);
}

void
probe_finish(struct probe *p, enum mr_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	probe_end(p, status, m);
}

void
probe_cut_short(struct probe *p, const char *why)
{
	char *m = p->waiting ? xasprintf("%s while waiting for %s", why,
	                                 p->waiting)
	                     : xasprintf("%s", why);
	probe_end(p, p->run->timeout_state, m);
}
