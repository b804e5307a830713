/*
 * view.c -- the DNS context of a run: the resolver views (inside, outside,
 * system), failover over a resolver list, iterative resolution for the
 * outside view, and the wiring of dns_new()/dns_free().
 *
 * The top of src/dns/: questions go down to the query service (query.h),
 * which caches and delivers them, directly or through iterate.h. When
 * every resolver of a list fails, the reply names the cause once, in one
 * short line (tally.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"
#include "dns/iterate.h"
#include "dns/query.h"
#include "dns/reply.h"
#include "dns/roothints.h"
#include "dns/tally.h"
#include "strbuf.h"
#include "xmalloc.h"

struct view_conf {
	struct dns *d;
	enum dns_view view;
	enum mr_resolvers_kind kind;
	struct query_chan **chans; /* LIST: one per resolver, in order */
	size_t nchans;
	const char **names; /* LIST: each resolver as text */
	char scope[16];     /* cache scope of its questions */
	char *describe;
};

/* One question to a view with a resolver list or iteration, being answered. */
struct view_q {
	struct dns *d;
	enum dns_view view;
	struct query_entry *e;
	size_t next_server;     /* LIST: next resolver to ask */
	struct dns_tally tally; /* resolvers that failed so far */
	struct dns_req *req;    /* LIST: the resolver being asked */
	struct view_q *next;    /* every question, for dns_free */
};

struct dns {
	struct query_svc *qs;
	struct view_conf views[DNS_VIEW_COUNT];
	struct dns_iter_ctx *iter;
	double iter_budget_ms;
	struct view_q *questions;
};

/* Per-try timeout for a share of the probe's time. */
static int
try_ms(double budget_ms)
{
	if (budget_ms > 1500.0)
		return 1500;
	if (budget_ms < 100.0)
		return 100;
	return (int)budget_ms;
}

/* ------------------------------------------------------------------ */
/* Failover over a resolver list */

/* A server or resolver failing (rather than the name) lets us try another. */
static bool
try_next_resolver(enum dns_status st)
{
	return st == DNS_TIMEOUT || st == DNS_UNREACHABLE ||
	       st == DNS_SERVFAIL || st == DNS_REFUSED || st == DNS_MALFORMED ||
	       st == DNS_BADRCODE || st == DNS_REFERRAL || st == DNS_BLOCKED;
}

static void
finish(struct view_q *vq, struct dns_reply *r)
{
	vq->req = NULL;
	tally_clear(&vq->tally);
	query_entry_done(vq->e, r);
}

static void ask_next_resolver(struct view_q *vq);

/*
 * Every resolver of the list failed, the last with r: one line for them
 * all. If none could be contacted, for one reason, that is the line.
 */
static void
sum_up_failures(struct view_q *vq, struct dns_reply *r)
{
	struct view_conf *vc = &vq->d->views[vq->view];
	const char *why = tally_blocked_why(&vq->tally);
	struct strbuf b = STRBUF_INIT;

	if (why != NULL) {
		strbuf_addf(&b, "each of the %zu resolvers (", vc->nchans);
		tally_list(&b, vc->names, vc->nchans);
		strbuf_addf(&b, ") is %s; not contacted", why);
	} else {
		tally_render(&vq->tally, &b, TALLY_MAX_LEN);
	}
	free(r->detail);
	r->detail = strbuf_take(&b);
	free(r->server);
	r->server = NULL; /* the detail sums them up */
}

static void
on_resolver_answer(void *arg, const struct dns_reply *from)
{
	struct view_q *vq = arg;
	struct view_conf *vc = &vq->d->views[vq->view];
	struct dns_reply r;

	vq->req = NULL;
	if (try_next_resolver(from->status)) {
		tally_add_reply(&vq->tally, from);
		if (vq->next_server < vc->nchans) {
			ask_next_resolver(vq);
			return;
		}
	}
	dns_reply_copy(&r, from);
	if (try_next_resolver(r.status) && tally_count(&vq->tally) > 1)
		sum_up_failures(vq, &r);
	finish(vq, &r);
}

static void
ask_next_resolver(struct view_q *vq)
{
	struct view_conf *vc = &vq->d->views[vq->view];
	struct query_chan *ch = vc->chans[vq->next_server++];

	vq->req = query_ask(vq->d->qs, ch, query_entry_name(vq->e),
	                    query_entry_type(vq->e), true, on_resolver_answer,
	                    vq);
}

/* ------------------------------------------------------------------ */
/* Iteration */

static void
on_iter_done(void *arg, struct dns_reply *r)
{
	struct view_q *vq = arg;
	finish(vq, r);
}

/* The cache met a question to a view for the first time. */
static void
start_view_question(void *owner, struct query_entry *e)
{
	struct view_conf *vc = owner;
	struct dns *d = vc->d;
	struct view_q *vq = xcalloc(1, sizeof(*vq));

	vq->d = d;
	vq->view = vc->view;
	vq->e = e;
	vq->next = d->questions;
	d->questions = vq;
	if (vc->kind == MR_RESOLVERS_LIST) {
		ask_next_resolver(vq);
		return;
	}
	/*
	 * The handle is not kept: dns_free() cancels every iteration through
	 * dns_iter_ctx_free(), and the iteration may end before this returns.
	 */
	(void)dns_iter_start(d->iter, query_entry_name(e), query_entry_type(e),
	                     on_iter_done, vq);
}

/* ------------------------------------------------------------------ */
/* Public questions */

struct dns_req *
dns_lookup(struct dns *d, enum dns_view view, const char *name,
           ldns_rr_type type, dns_cb *cb, void *arg)
{
	struct view_conf *vc = &d->views[view];

	if (vc->kind == MR_RESOLVERS_SYSTEM)
		return query_ask(d->qs, query_chan_system(d->qs), name, type,
		                 true, cb, arg);
	return query_cached(d->qs, vc->scope, name, type, start_view_question,
	                    vc, cb, arg);
}

struct dns_req *
dns_query_server(struct dns *d, const struct mr_addr *addr, uint16_t port,
                 const char *name, ldns_rr_type type, bool rd, dns_cb *cb,
                 void *arg)
{
	struct mr_server srv = {.addr = *addr, .port = port};
	return query_server(d->qs, &srv, name, type, rd, cb, arg);
}

struct dns_req *
dns_system_addrinfo(struct dns *d, const char *name, dns_addrinfo_cb *cb,
                    void *arg)
{
	return query_addrinfo(d->qs, name, cb, arg);
}

void
dns_set_deadline(struct dns *d, const struct timeval *end)
{
	if (d->iter != NULL)
		dns_iter_ctx_set_limits(d->iter, d->iter_budget_ms, end);
}

const char *
dns_system_blocked(const struct dns *d)
{
	return query_system_blocked(d->qs);
}

void
dns_cancel(struct dns_req *req)
{
	query_cancel(req);
}

const char *
dns_view_describe(const struct dns *d, enum dns_view view)
{
	return d->views[view].describe;
}

/* ------------------------------------------------------------------ */
/* Setup */

static void
setup_view(struct dns *d, enum dns_view v, const struct mr_resolvers *rs,
           const char *label, double probe_ms)
{
	struct view_conf *vc = &d->views[v];
	struct query_chan *sys = query_chan_system(d->qs);

	vc->d = d;
	vc->view = v;
	vc->kind = rs->kind;
	snprintf(vc->scope, sizeof(vc->scope), "view%d", (int)v);
	switch (rs->kind) {
	case MR_RESOLVERS_SYSTEM:
		vc->describe = xasprintf("%s: system resolvers %s", label,
		                         query_chan_nservers(sys)
		                                 ? query_chan_servers_str(sys)
		                                 : "(none allowed)");
		break;
	case MR_RESOLVERS_ITERATE:
		vc->describe = xasprintf("%s: iterative resolution from the "
		                         "root servers",
		                         label);
		break;
	case MR_RESOLVERS_LIST: {
		/*
		 * c-ares doubles the timeout on the second try: a resolver
		 * list shares 3/4 of the probe's time.
		 */
		struct query_timing t = {
			.timeout_ms = try_ms(probe_ms / (4.0 * (double)rs->n)),
			.tries = 2,
		};
		struct strbuf b = STRBUF_INIT;
		vc->chans = xcalloc(rs->n, sizeof(*vc->chans));
		vc->names = xcalloc(rs->n, sizeof(*vc->names));
		for (size_t i = 0; i < rs->n; i++) {
			vc->chans[i] = query_chan_new(d->qs, &rs->v[i], t);
			vc->names[i] = query_chan_servers_str(vc->chans[i]);
			vc->nchans++;
		}
		strbuf_addf(&b, "%s resolver%s ", label, rs->n == 1 ? "" : "s");
		if (rs->n == 0)
			strbuf_add(&b, "(none)");
		tally_list(&b, vc->names, vc->nchans);
		vc->describe = strbuf_take(&b);
		break;
	}
	}
}

struct dns *
dns_new(struct event_base *base, struct netpolicy *np,
        const struct mr_config *cfg, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	struct mr_resolvers sys = {.kind = MR_RESOLVERS_SYSTEM};
	double probe_ms = cfg->probe_timeout_s * 1000.0;
	/*
	 * Servers asked directly are authoritative ones: one try each, so a
	 * dead one costs little before the next is asked (and is reported).
	 * The system's resolvers: t + 2t = 3/4 of the probe's time, so a
	 * dead resolver is reported as such before the probe gives up.
	 */
	struct query_timing direct = {try_ms(probe_ms / 5.0), 1};
	struct query_timing system = {try_ms(probe_ms / 4.0), 2};

	d->qs = query_svc_new(base, np, direct, system, err, errlen);
	if (d->qs == NULL)
		goto fail;
	setup_view(d, DNS_VIEW_INSIDE, &cfg->inside, "inside", probe_ms);
	setup_view(d, DNS_VIEW_OUTSIDE, &cfg->outside, "outside", probe_ms);
	setup_view(d, DNS_VIEW_SYSTEM, &sys, "system", probe_ms);
	if (cfg->outside.kind == MR_RESOLVERS_ITERATE ||
	    cfg->inside.kind == MR_RESOLVERS_ITERATE) {
		struct mr_server *roots;
		size_t nroots, nnames;
		if (roothints_load(cfg->root_hints, &roots, &nroots, &nnames,
		                   err, errlen) < 0)
			goto fail;
		d->iter = dns_iter_ctx_new(d->qs, roots, nroots, nnames);
		free(roots);
		/* A resolution ends, saying why, before its check's own
		   timeout would cut it short with "waiting". */
		d->iter_budget_ms = probe_ms * 0.8;
		dns_iter_ctx_set_limits(d->iter, d->iter_budget_ms, NULL);
	}
	return d;
fail:
	dns_free(d);
	return NULL;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	/* Top down: iterations and view questions cancel their requests. */
	dns_iter_ctx_free(d->iter);
	while (d->questions) {
		struct view_q *next = d->questions->next;
		query_cancel(d->questions->req);
		tally_clear(&d->questions->tally);
		free(d->questions);
		d->questions = next;
	}
	for (int v = 0; v < DNS_VIEW_COUNT; v++) {
		free(d->views[v].chans);
		free(d->views[v].names);
		free(d->views[v].describe);
	}
	query_svc_free(d->qs);
	free(d);
}
