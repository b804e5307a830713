/*
 * loop.c -- the run: one libevent loop drives every probe, at most
 * `parallel` at a time, all under one global deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "io/fetch.h"
#include "clock.h"
#include "loop.h"
#include "tls/cert.h"
#include "probe_impl.h"
#include "xmalloc.h"

static void kick(struct run *r);

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	kick(arg);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	char why[128];

	r->deadline_hit = true;
	snprintf(why, sizeof(why), "the run deadline of %g s was reached",
	         r->deadline_s);
	while (r->active)
		probe_cut_short(r->active, CODE_DEADLINE, why);
	while (r->next < r->plan->n) {
		size_t i = r->next++;
		const struct plan_item *it = &r->plan->items[i];
		struct mr_result *res =
			mr_result_new(it->id, it->node ? it->node->name : NULL,
		                      it->domain, it->target);
		struct mr_finding *f =
			mr_result_add(res, mr_code_name(CODE_DEADLINE),
		                      MR_UNKNOWN, "not started: %s", why);
		mr_finding_hint(f, "raise -t, or --parallel above %u",
		                r->parallel);
		r->results[i] = res;
		r->finished++;
	}
	event_base_loopbreak(r->base);
}

static void
start_item(struct run *r, size_t i)
{
	const struct plan_item *it = &r->plan->items[i];

	if (it->skip_reason != NULL) {
		struct mr_result *res =
			mr_result_new(it->id, it->node ? it->node->name : NULL,
		                      it->domain, it->target);
		struct mr_finding *f =
			mr_result_add(res, mr_code_name(it->skip_code),
		                      it->skip_status, "%s", it->skip_reason);
		if (it->skip_code == CODE_NOT_ON_NODE)
			mr_finding_hint(f, "run mailready on %s",
			                it->node->name);
		/* The report's first lines say what else may be meant. */
		if (it->skip_code == CODE_HOST_NOT_A_NODE)
			mr_finding_hint(f, "run mailready preflight on %s",
			                it->node->name);
		run_probe_done(r, NULL, i, res);
		return;
	}
	struct probe *p = probe_new(r, i);
	p->next = r->active;
	if (r->active)
		r->active->prev = p;
	r->active = p;
	r->running++;
	probe_start(p);
}

/*
 * Checks that end at once (skips, cached answers) free their slot inside
 * this loop: without a bound it would start a whole 50,000-check plan in
 * one callback, and the deadline would wait for it.
 */
#define KICK_BATCH 64

static void
kick(struct run *r)
{
	unsigned started = 0;

	while (!r->deadline_hit && r->running < r->parallel &&
	       r->next < r->plan->n && started++ < KICK_BATCH)
		start_item(r, r->next++);
	if (r->finished == r->plan->n)
		event_base_loopbreak(r->base);
	else if (!r->deadline_hit && r->running < r->parallel &&
	         r->next < r->plan->n)
		event_active(r->kick_ev, EV_TIMEOUT, 0);
}

void
run_probe_done(struct run *r, struct probe *p, size_t i, struct mr_result *res)
{
	if (r->results[i] != NULL)
		fatalx("check %zu finished twice", i);
	r->results[i] = res;
	r->finished++;
	if (p != NULL) {
		if (p->prev)
			p->prev->next = p->next;
		else
			r->active = p->next;
		if (p->next)
			p->next->prev = p->prev;
		r->running--;
	}
	if (!r->deadline_hit)
		event_active(r->kick_ev, EV_TIMEOUT, 0);
}

/*
 * Thousands of TLS handshakes ready at once must not keep the deadline
 * waiting: two priorities (the deadline above everything), and the loop
 * looks at its timers again after LOOP_MAX_BATCH callbacks or
 * LOOP_MAX_BATCH_MS of them.
 */
#define LOOP_MAX_BATCH    32
#define LOOP_MAX_BATCH_MS 10

static struct event_base *
new_base(void)
{
	struct event_config *ec = event_config_new();
	struct timeval batch = {0, LOOP_MAX_BATCH_MS * 1000};
	struct event_base *base;

	if (ec == NULL)
		return NULL;
	event_config_set_max_dispatch_interval(ec, &batch, LOOP_MAX_BATCH, 1);
	base = event_base_new_with_config(ec);
	event_config_free(ec);
	if (base != NULL && event_base_priority_init(base, 2) < 0) {
		event_base_free(base);
		return NULL;
	}
	return base;
}

/*
 * Checks running at once within the open-file limit: each holds a socket
 * or two, and the DNS channels, the CA bundle and stdio need some. The
 * soft limit is raised to the hard one first, as servers do.
 */
#define RUN_FDS_PER_CHECK 2
#define RUN_FDS_RESERVED  64

static unsigned
fd_bound_parallel(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t reserved = rl.rlim_cur / 4 > RUN_FDS_RESERVED ? rl.rlim_cur / 4
	                                                     : RUN_FDS_RESERVED;
	rlim_t room = rl.rlim_cur > reserved + RUN_FDS_PER_CHECK
	                      ? (rl.rlim_cur - reserved) / RUN_FDS_PER_CHECK
	                      : 1;
	return (rlim_t)want > room ? (unsigned)room : want;
}

int
run_init(struct run *r, const struct mr_config *cfg, struct netpolicy *np,
         const struct plan *plan, unsigned parallel, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->np = np;
	r->plan = plan;
	r->parallel = fd_bound_parallel(parallel ? parallel : 1);
	r->deadline_s = cfg->timeout_s;
	/*
	 * Not clamped to the deadline: when -t is the shorter, the run's
	 * deadline cuts checks short and --timeout-state decides their status.
	 */
	r->probe_timeout_s = cfg->probe_timeout_s;
	r->base = new_base();
	if (r->base == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	r->dns = dns_new(r->base, np, cfg, err, errlen);
	if (r->dns == NULL) {
		event_base_free(r->base);
		r->base = NULL;
		return -1;
	}
	r->ssl_ctx = cert_client_ctx(cfg->ca_file, err, errlen);
	if (r->ssl_ctx == NULL) {
		dns_free(r->dns);
		event_base_free(r->base);
		r->base = NULL;
		r->dns = NULL;
		return -1;
	}
	if (gethostname(r->hostname, sizeof(r->hostname)) < 0)
		r->hostname[0] = '\0';
	r->hostname[sizeof(r->hostname) - 1] = '\0';
	r->results = xcalloc(plan->n ? plan->n : 1, sizeof(*r->results));
	r->kick_ev = event_new(r->base, -1, 0, on_kick, r);
	r->deadline_ev = evtimer_new(r->base, on_deadline, r);
	/* The deadline first, before any waiting socket work. */
	event_priority_set(r->deadline_ev, 0);
	return 0;
}

static void
on_progress_tick(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	r->on_progress(r, r->progress_arg);
}

void
run_execute(struct run *r)
{
	struct timeval tv;

	if (r->origin.tv_sec != 0)
		r->started = r->origin;
	else
		gettimeofday(&r->started, NULL);
	double left = r->deadline_s - ms_since(&r->started) / 1000.0;
	tv = tv_from_seconds(left > 0 ? left : 0);
	evtimer_add(r->deadline_ev, &tv);
	struct timeval now, end;
	gettimeofday(&now, NULL);
	timeradd(&now, &tv, &end);
	dns_set_deadline(r->dns, &end);
	if (r->on_progress != NULL) {
		struct timeval half = {0, 500000};
		r->progress_ev =
			event_new(r->base, -1, EV_PERSIST, on_progress_tick, r);
		event_add(r->progress_ev, &half);
	}
	kick(r);
	if (r->finished < r->plan->n)
		event_base_dispatch(r->base);
	event_del(r->deadline_ev);
	if (r->progress_ev != NULL) {
		event_free(r->progress_ev);
		r->progress_ev = NULL;
		r->on_progress(r, r->progress_arg);
	}
}

void
run_waiting(const struct run *r, char *buf, size_t len)
{
	size_t off = 0, shown = 0, more = 0;

	buf[0] = '\0';
	for (const struct probe *p = r->active; p != NULL; p = p->next) {
		const struct plan_item *it = &r->plan->items[p->index];
		const char *who = it->node ? it->node->name : it->domain;
		const char *what = probe_waiting_for(p);
		char one[512];
		int n = snprintf(one, sizeof(one), "%s%s on %s%s%s%s",
		                 shown ? "; " : "", it->id, who ? who : "?",
		                 what ? " (" : "", what ? what : "",
		                 what ? ")" : "");
		/* Room for " and N more" after the last one shown. */
		if (more > 0 || n < 0 || off + (size_t)n + 20 >= len) {
			more++;
			continue;
		}
		memcpy(buf + off, one, (size_t)n + 1);
		off += (size_t)n;
		shown++;
	}
	if (more > 0)
		snprintf(buf + off, len - off, " and %zu more", more);
}

double
run_step_timeout(const struct run *r, double want_s)
{
	/* A margin, so that the step's own timer fires first. */
	double left = r->deadline_s - run_elapsed_ms(r) / 1000.0 - 0.05;

	if (want_s > left)
		want_s = left;
	return want_s > 0.01 ? want_s : 0.01;
}

double
run_connect_timeout(const struct run *r)
{
	/* Leave the probe time to report a filtered port as such. */
	return run_step_timeout(r, r->probe_timeout_s * 0.8);
}

double
run_elapsed_ms(const struct run *r)
{
	return ms_since(&r->started);
}

void
run_take_results(struct run *r, struct mr_result_list *list)
{
	for (size_t i = 0; i < r->plan->n; i++) {
		if (r->results[i] != NULL)
			mr_result_list_push(list, r->results[i]);
		r->results[i] = NULL;
	}
}

struct fetch_svc *
run_fetch(struct run *r, char *err, size_t errlen)
{
	if (r->fetch == NULL)
		r->fetch = fetch_svc_new(r->base, r->np, err, errlen);
	return r->fetch;
}

void
run_free(struct run *r)
{
	while (r->active)
		probe_cut_short(r->active, CODE_DEADLINE, "the run ended");
	if (r->results) {
		for (size_t i = 0; i < r->plan->n; i++)
			mr_result_free(r->results[i]);
		free(r->results);
	}
	fetch_svc_free(r->fetch);
	dns_free(r->dns);
	if (r->ssl_ctx)
		SSL_CTX_free(r->ssl_ctx);
	if (r->kick_ev)
		event_free(r->kick_ev);
	if (r->deadline_ev)
		event_free(r->deadline_ev);
	if (r->base)
		event_base_free(r->base);
	memset(r, 0, sizeof(*r));
}
