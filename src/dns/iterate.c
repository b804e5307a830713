/*
 * iterate.c -- iterative resolution from the root, without recursion.
 *
 * This is how the Internet sees a name: ask the closest known zone cut's
 * servers (starting at the root), follow referrals down, and take the
 * authoritative answer. Every question goes through the query service
 * (query_server), so the per-run cache shares work between iterations; zone cuts learnt from
 * referrals are kept for the whole run.
 *
 * Defences against lying or broken servers: glue is taken only for the
 * names a referral delegates to and only within the asking zone's
 * authority (bailiwick), a referral must lead strictly downwards towards
 * the name, and every iteration has a query budget and a depth limit.
 *
 * What to do after each reply is decided by dns_iter_step() from the
 * reply, the zone asked and the name alone, so that it can be tested (and
 * fuzzed) without a loop; the iteration then applies it to its cuts.
 *
 * A failure names one cause in one short line: the failures at the zone
 * cut where the iteration ended, grouped by outcome (tally.h), and only
 * those: failures at a cut the iteration got past are not the cause.
 */
#include <stdio.h>
#include <strings.h>
#include <sys/time.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "dns/iterate.h"
#include "dns/query.h"
#include "dns/reply.h"
#include "dns/tally.h"
#include "strbuf.h"
#include "xmalloc.h"

#define MAX_QUERIES 48 /* per top-level resolution, subs included */
#define MAX_DEPTH   4  /* nested resolutions of NS names */
#define MAX_CNAMES  12 /* restarts along a CNAME chain */
/* Ahead of the run's deadline, so the resolution says why it failed. */
#define ITER_DEADLINE_MARGIN_MS 150

struct zone_cut {
	char *zone; /* "" for the root, else "example.test" */
	struct mr_addr *addrs;
	size_t naddrs;
	size_t nnames;     /* names of its NS set, for messages */
	size_t nskipped;   /* NS names past DNS_STEP_MAX_NS, never asked */
	char **unresolved; /* NS names without glue, not yet looked up */
	size_t nunresolved;
	struct zone_cut *next;
};

struct dns_iter_ctx {
	struct query_svc *qs;
	struct zone_cut *cuts;
	struct dns_iter *live;   /* every running iteration, for ctx_free */
	double budget_ms;        /* time of one resolution; 0: unbounded */
	struct timeval deadline; /* the run's end; tv_sec 0: none */
};

struct dns_iter {
	struct dns_iter_ctx *ic;
	char *asked; /* the name this iteration was started for */
	char *qname; /* the name asked now (moves along CNAMEs) */
	ldns_rr_type qtype;
	dns_iter_done *done;
	void *arg;
	struct zone_cut *cut;
	size_t server_idx;
	int *budget; /* shared with sub-resolutions */
	int own_budget;
	int depth;
	int restarts;
	struct dns_req *req;
	struct dns_iter *sub;
	char *sub_name;         /* the NS name sub is resolving */
	ldns_rr_list *chain;    /* CNAMEs followed so far (owned clones) */
	struct dns_tally tally; /* failures at the current cut */
	struct event *timer;    /* top level: the time budget */
	double budget_s;        /* what it was, for the message */
	struct dns_iter *live_next;
};

static void ask(struct dns_iter *it);

/* ------------------------------------------------------------------ */
/* Names */

/*
 * Does the '.' at name[i] end a label? In the text ldns gives, a dot
 * inside a label is written "\." (and a backslash "\\"): an odd run of
 * backslashes before it escapes it.
 */
static bool
ends_label(const char *name, size_t i)
{
	size_t n = 0;

	while (n < i && name[i - 1 - n] == '\\')
		n++;
	return n % 2 == 0;
}

/* Is name equal to or below zone? ("" is the root) */
static bool
in_zone(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);
	if (lz == 0)
		return true;
	if (ln < lz || strcasecmp(name + ln - lz, zone) != 0)
		return false;
	/* "example.\.org" (labels "example" and ".org") is not in "org". */
	return ln == lz ||
	       (name[ln - lz - 1] == '.' && ends_label(name, ln - lz - 1));
}

static char *
rdf_zone(const ldns_rdf *rdf)
{
	char *s = dns_rdf_name(rdf);
	if (strcmp(s, ".") == 0)
		s[0] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Zone cuts */

static struct zone_cut *
cut_find(struct dns_iter_ctx *ic, const char *zone)
{
	for (struct zone_cut *c = ic->cuts; c; c = c->next)
		if (strcasecmp(c->zone, zone) == 0)
			return c;
	return NULL;
}

/* The deepest known cut at or above name. */
static struct zone_cut *
cut_closest(struct dns_iter_ctx *ic, const char *name)
{
	struct zone_cut *best = NULL;
	for (struct zone_cut *c = ic->cuts; c; c = c->next)
		if (in_zone(name, c->zone) &&
		    (best == NULL || strlen(c->zone) > strlen(best->zone)))
			best = c;
	return best;
}

static void
cut_add_addr(struct zone_cut *c, const struct mr_addr *a)
{
	for (size_t i = 0; i < c->naddrs; i++)
		if (mr_addr_equal(&c->addrs[i], a))
			return;
	c->addrs = xreallocarray(c->addrs, c->naddrs + 1, sizeof(*c->addrs));
	/* IPv4 before IPv6: many hosts lack a working IPv6 route. */
	if (a->family == AF_INET) {
		size_t pos = 0;
		while (pos < c->naddrs && c->addrs[pos].family == AF_INET)
			pos++;
		memmove(&c->addrs[pos + 1], &c->addrs[pos],
		        (c->naddrs - pos) * sizeof(*c->addrs));
		c->addrs[pos] = *a;
	} else {
		c->addrs[c->naddrs] = *a;
	}
	c->naddrs++;
}

static struct zone_cut *
cut_new(struct dns_iter_ctx *ic, const char *zone)
{
	struct zone_cut *c = xcalloc(1, sizeof(*c));
	c->zone = xstrdup(zone);
	c->next = ic->cuts;
	ic->cuts = c;
	return c;
}

static void
cut_free(struct zone_cut *c)
{
	for (size_t i = 0; i < c->nunresolved; i++)
		free(c->unresolved[i]);
	free(c->unresolved);
	free(c->addrs);
	free(c->zone);
	free(c);
}

/* ------------------------------------------------------------------ */
/* Ending */

static void
unlink_live(struct dns_iter *it)
{
	struct dns_iter **p;
	for (p = &it->ic->live; *p && *p != it; p = &(*p)->live_next)
		;
	if (*p)
		*p = it->live_next;
}

static void
iter_free(struct dns_iter *it)
{
	unlink_live(it);
	if (it->timer != NULL)
		event_free(it->timer);
	query_cancel(it->req);
	if (it->sub)
		dns_iter_cancel(it->sub);
	if (it->chain)
		ldns_rr_list_deep_free(it->chain);
	tally_clear(&it->tally);
	free(it->sub_name);
	free(it->asked);
	free(it->qname);
	free(it);
}

/* Hand over a copy of 'from' (which stays its owner's), CNAMEs prepended. */
static void
finish_with(struct dns_iter *it, const struct dns_reply *from)
{
	struct dns_reply r;

	dns_reply_copy(&r, from);
	if (r.final_name == NULL)
		r.final_name = xstrdup(it->qname);
	if (ldns_rr_list_rr_count(it->chain) > 0) {
		/* The CNAMEs followed before this answer come first. */
		ldns_rr_list *chain = ldns_rr_list_new();
		for (size_t i = 0; i < ldns_rr_list_rr_count(it->chain); i++) {
			ldns_rr *c =
				ldns_rr_clone(ldns_rr_list_rr(it->chain, i));
			ldns_rr_list_push_rr(r.owned, c);
			ldns_rr_list_push_rr(chain, c);
		}
		for (size_t i = 0; i < ldns_rr_list_rr_count(r.chain); i++)
			ldns_rr_list_push_rr(chain,
			                     ldns_rr_list_rr(r.chain, i));
		ldns_rr_list_free(r.chain);
		r.chain = chain;
	}
	dns_iter_done *done = it->done;
	void *arg = it->arg;
	iter_free(it);
	done(arg, &r);
}

/* Fail with a description (taken over) that sums up several servers. */
static void
finish_fail(struct dns_iter *it, enum dns_status st, char *detail)
{
	struct dns_reply r;

	dns_reply_fail(&r, st, NULL, it->qname, detail);
	finish_with(it, &r);
	dns_reply_clear(&r);
}

/* The iteration moves to another zone cut: earlier failures are past. */
static void
move_to(struct dns_iter *it, struct zone_cut *c)
{
	it->cut = c;
	it->server_idx = 0;
	tally_clear(&it->tally);
}

/* "each of the 13 root servers (26 addresses)", "the server of zone x.test
 * (127.0.0.8)": every server of cut c, for a sentence about them all. */
static void
describe_servers(struct strbuf *b, const struct zone_cut *c)
{
	size_t n = c->naddrs, k = c->nnames ? c->nnames : c->naddrs;
	bool root = c->zone[0] == '\0';
	char as[MR_ADDR_STRLEN];

	if (n == 1) {
		strbuf_add(b, root ? "the root server" : "the server");
		if (!root)
			strbuf_addf(b, " of zone %s", c->zone);
		strbuf_addf(b, " (%s)", mr_addr_str(&c->addrs[0], as));
		return;
	}
	if (k == 1)
		strbuf_add(b, root ? "the root server" : "the server");
	else
		strbuf_addf(b, "each of the %zu %s", k,
		            root ? "root servers" : "servers");
	if (!root)
		strbuf_addf(b, " of zone %s", c->zone);
	if (n != k || k == 1)
		strbuf_addf(b, " (%zu addresses)", n);
}

/* A failure at a cut whose NS set was cut to the bound says so: the
   servers not asked might have answered. */
static void
describe_skipped(struct strbuf *b, const struct zone_cut *c)
{
	if (c != NULL && c->nskipped > 0)
		strbuf_addf(b,
		            "; %zu more name server%s of the zone not asked "
		            "(mailready asks at most %d per zone)",
		            c->nskipped, c->nskipped == 1 ? "" : "s",
		            DNS_STEP_MAX_NS);
}

/* Every server of the cut was tried, or its names looked up, in vain. */
static void
fail_at_cut(struct dns_iter *it)
{
	const struct zone_cut *c = it->cut;
	const char *why = tally_blocked_why(&it->tally);
	struct strbuf b = STRBUF_INIT;

	if (why != NULL && c->nunresolved == 0 &&
	    tally_count(&it->tally) == c->naddrs) {
		/* Nothing was sent: say so once, whatever the number. */
		describe_servers(&b, c);
		strbuf_addf(&b, " is %s; not contacted", why);
		describe_skipped(&b, c);
		finish_fail(it, DNS_BLOCKED, strbuf_take(&b));
		return;
	}
	strbuf_addf(&b, "no server of zone %s answered",
	            c->zone[0] ? c->zone : ".");
	/* The name only when it is not the one asked (a CNAME target). */
	if (strcasecmp(it->qname, it->asked) != 0)
		strbuf_addf(&b, " for %s", it->qname);
	if (tally_count(&it->tally) == 0)
		strbuf_add(&b, ": no address of its servers is known");
	else
		strbuf_add(&b, ": ");
	tally_render(&it->tally, &b, TALLY_MAX_LEN);
	describe_skipped(&b, c);
	finish_fail(it, DNS_GAVEUP, strbuf_take(&b));
}

/*
 * The resolution's time ran out while servers stayed silent: name the zone
 * whose servers did not answer (the innermost one asked) and how many
 * were tried, before the check's own timeout or the run's deadline would
 * say only "waiting".
 */
static void
on_time_up(evutil_socket_t fd, short what, void *arg)
{
	struct dns_iter *top = arg, *it = top;
	struct strbuf b = STRBUF_INIT;

	(void)fd;
	(void)what;
	while (it->sub != NULL)
		it = it->sub;
	const struct zone_cut *c = it->cut;
	size_t asked = it->server_idx;
	strbuf_addf(&b, "no answer within %.3g s from the servers of zone %s",
	            top->budget_s, c && c->zone[0] ? c->zone : ".");
	if (it != top)
		strbuf_addf(&b, " (looking up %s)", it->qname);
	else if (strcasecmp(it->qname, it->asked) != 0)
		strbuf_addf(&b, " for %s", it->qname);
	if (c != NULL)
		strbuf_addf(&b, ": %zu of %zu addresses asked, none answered",
		            asked, c->naddrs);
	if (tally_count(&it->tally) > 0) {
		strbuf_add(&b, " (");
		tally_render(&it->tally, &b, TALLY_MAX_LEN);
		strbuf_add(&b, ")");
	}
	describe_skipped(&b, c);
	finish_fail(top, DNS_TIMEOUT, strbuf_take(&b));
}

/* A top-level resolution gets the budget of the context, cut to what is
   left of the run. */
static void
arm_budget(struct dns_iter *it)
{
	const struct dns_iter_ctx *ic = it->ic;
	double ms = ic->budget_ms;

	if (ic->deadline.tv_sec != 0) {
		struct timeval now;
		gettimeofday(&now, NULL);
		double left =
			(double)(ic->deadline.tv_sec - now.tv_sec) * 1e3 +
			(double)(ic->deadline.tv_usec - now.tv_usec) / 1e3 -
			ITER_DEADLINE_MARGIN_MS;
		if (ms <= 0 || left < ms)
			ms = left;
	}
	if (ms <= 0 && ic->budget_ms <= 0 && ic->deadline.tv_sec == 0)
		return;
	if (ms < 10)
		ms = 10;
	it->budget_s = ms / 1000.0;
	it->timer = evtimer_new(query_svc_base(ic->qs), on_time_up, it);
	struct timeval tv = {(time_t)(ms / 1000),
	                     (suseconds_t)((long)ms % 1000) * 1000};
	evtimer_add(it->timer, &tv);
}

static void
fail_budget(struct dns_iter *it)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_addf(&b, "gave up after %d queries", MAX_QUERIES);
	if (strcasecmp(it->qname, it->asked) != 0)
		strbuf_addf(&b, " for %s", it->qname);
	if (tally_count(&it->tally) > 0)
		strbuf_add(&b, ": ");
	tally_render(&it->tally, &b, TALLY_MAX_LEN);
	describe_skipped(&b, it->cut);
	finish_fail(it, DNS_GAVEUP, strbuf_take(&b));
}

/* ------------------------------------------------------------------ */
/* Referrals */

/* Add the glue (A/AAAA in add) of NS target to s; false if it has none. */
static bool
take_glue(struct dns_step *s, const ldns_rr_list *add, const ldns_rdf *target)
{
	bool glued = false;

	for (size_t j = 0; j < ldns_rr_list_rr_count(add); j++) {
		ldns_rr *g = ldns_rr_list_rr(add, j);
		ldns_rr_type t = ldns_rr_get_type(g);
		const ldns_rdf *rd = ldns_rr_rdf(g, 0);
		if ((t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA) ||
		    rd == NULL ||
		    ldns_dname_compare(ldns_rr_owner(g), target) != 0)
			continue;
		struct mr_addr a = {.family = t == LDNS_RR_TYPE_A ? AF_INET
		                                                  : AF_INET6};
		if (ldns_rdf_size(rd) != (t == LDNS_RR_TYPE_A ? 4u : 16u))
			continue;
		memcpy(a.bytes, ldns_rdf_data(rd), ldns_rdf_size(rd));
		s->glue =
			xreallocarray(s->glue, s->nglue + 1, sizeof(*s->glue));
		s->glue[s->nglue++] = a;
		glued = true;
	}
	return glued;
}

/*
 * The delegation a referral from a server of zone makes: false when it
 * does not lead strictly downwards towards qname (lame or upward).
 */
static bool
read_referral(const ldns_pkt *pkt, const char *zone, const char *qname,
              struct dns_step *s)
{
	const ldns_rr_list *auth = ldns_pkt_authority(pkt);
	const ldns_rr_list *add = ldns_pkt_additional(pkt);
	char *child = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS) {
			child = rdf_zone(ldns_rr_owner(rr));
			break;
		}
	}
	if (child == NULL || strlen(child) <= strlen(zone) ||
	    !in_zone(child, zone) || !in_zone(qname, child)) {
		free(child);
		return false;
	}
	s->child = child;
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *ns = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(ns) != LDNS_RR_TYPE_NS ||
		    ldns_rr_rdf(ns, 0) == NULL)
			continue;
		char *owner = rdf_zone(ldns_rr_owner(ns));
		bool same = strcasecmp(owner, child) == 0;
		free(owner);
		if (!same)
			continue;
		if (s->nnames == DNS_STEP_MAX_NS) {
			s->nskipped++;
			continue;
		}
		s->nnames++;
		const ldns_rdf *target = ldns_rr_rdf(ns, 0);
		char *tname = dns_rdf_name(target);
		/* Glue only within the asking server's authority. */
		if (in_zone(tname, zone) && take_glue(s, add, target)) {
			free(tname);
			continue;
		}
		s->unglued = xreallocarray(s->unglued, s->nunglued + 1,
		                           sizeof(*s->unglued));
		s->unglued[s->nunglued++] = tname;
	}
	/* NS records without a name (empty RDATA) delegate to no one: a
	   cut without servers would stand for the zone all run long. */
	if (s->nnames == 0) {
		free(s->child);
		s->child = NULL;
		return false;
	}
	return true;
}

void
dns_iter_step(const struct dns_reply *r, const char *zone, const char *qname,
              struct dns_step *out)
{
	memset(out, 0, sizeof(*out));
	switch (r->status) {
	case DNS_OK:
	case DNS_NXDOMAIN:
		out->kind = DNS_STEP_ANSWER;
		return;
	case DNS_NODATA:
		/* A CNAME out of this server's zone: follow it. */
		out->kind = ldns_rr_list_rr_count(r->chain) > 0
		                    ? DNS_STEP_CNAME
		                    : DNS_STEP_ANSWER;
		return;
	case DNS_REFERRAL:
		out->kind = r->pkt != NULL && read_referral(r->pkt, zone, qname,
		                                            out)
		                    ? DNS_STEP_REFERRAL
		                    : DNS_STEP_LAME;
		return;
	default:
		out->kind = DNS_STEP_FAILED;
		return;
	}
}

void
dns_step_clear(struct dns_step *s)
{
	for (size_t i = 0; i < s->nunglued; i++)
		free(s->unglued[i]);
	free(s->unglued);
	free(s->glue);
	free(s->child);
	memset(s, 0, sizeof(*s));
}

/* The cut a referral step leads to, learnt (or known already). */
static struct zone_cut *
take_referral(struct dns_iter *it, const struct dns_step *s)
{
	struct zone_cut *c = cut_find(it->ic, s->child);

	if (c != NULL && c->naddrs > 0)
		return c;
	if (c == NULL)
		c = cut_new(it->ic, s->child);
	if (s->nnames > c->nnames)
		c->nnames = s->nnames;
	if (s->nskipped > c->nskipped)
		c->nskipped = s->nskipped;
	for (size_t i = 0; i < s->nglue; i++)
		cut_add_addr(c, &s->glue[i]);
	for (size_t i = 0; i < s->nunglued; i++) {
		c->unresolved = xreallocarray(c->unresolved, c->nunresolved + 1,
		                              sizeof(*c->unresolved));
		c->unresolved[c->nunresolved++] = xstrdup(s->unglued[i]);
	}
	return c;
}

/* ------------------------------------------------------------------ */
/* Asking */

static void
restart_at(struct dns_iter *it, const struct dns_reply *r)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(r->chain); i++)
		ldns_rr_list_push_rr(
			it->chain, ldns_rr_clone(ldns_rr_list_rr(r->chain, i)));
	free(it->qname);
	it->qname = xstrdup(r->final_name);
	move_to(it, cut_closest(it->ic, it->qname));
	ask(it);
}

static void
on_answer(void *arg, const struct dns_reply *r)
{
	struct dns_iter *it = arg;
	struct dns_step step;

	it->req = NULL;
	dns_iter_step(r, it->cut->zone, it->qname, &step);
	switch (step.kind) {
	case DNS_STEP_ANSWER:
		finish_with(it, r);
		break;
	case DNS_STEP_CNAME:
		if (++it->restarts > MAX_CNAMES) {
			finish_fail(it, DNS_GAVEUP,
			            xasprintf("CNAME chain from %s is too long",
			                      it->asked));
			break;
		}
		restart_at(it, r);
		break;
	case DNS_STEP_REFERRAL:
		move_to(it, take_referral(it, &step));
		ask(it);
		break;
	case DNS_STEP_LAME:
		tally_add(&it->tally, "lame or upward referral", r->server,
		          NULL);
		ask(it);
		break;
	case DNS_STEP_FAILED:
		tally_add_reply(&it->tally, r);
		ask(it);
		break;
	}
	dns_step_clear(&step);
}

static void
on_ns_resolved(void *arg, struct dns_reply *r)
{
	struct dns_iter *it = arg;

	it->sub = NULL;
	if (r->status == DNS_OK) {
		size_t n;
		struct mr_addr *a = dns_reply_addrs(r, &n);
		for (size_t i = 0; i < n; i++)
			cut_add_addr(it->cut, &a[i]);
		free(a);
	} else {
		char *d = dns_reply_describe(r);
		char *t = xasprintf("cannot resolve name server %s: %s",
		                    it->sub_name, d);
		tally_add_text(&it->tally, t);
		free(t);
		free(d);
	}
	free(it->sub_name);
	it->sub_name = NULL;
	dns_reply_clear(r);
	ask(it);
}

static struct dns_iter *iter_new(struct dns_iter_ctx *ic, const char *qname,
                                 ldns_rr_type qtype, dns_iter_done *done,
                                 void *arg);

static void
ask(struct dns_iter *it)
{
	struct zone_cut *c = it->cut;

	if (*it->budget <= 0) {
		fail_budget(it);
		return;
	}
	if (it->server_idx < c->naddrs) {
		struct mr_addr a = c->addrs[it->server_idx++];
		struct mr_server srv = {.addr = a, .port = 53};
		(*it->budget)--;
		it->req = query_server(it->ic->qs, &srv, it->qname, it->qtype,
		                       false, on_answer, it);
		return;
	}
	if (c->nunresolved > 0 && it->depth < MAX_DEPTH) {
		/* A server name without glue: find its address first. */
		char *ns = c->unresolved[--c->nunresolved];
		struct dns_iter *sub = iter_new(it->ic, ns, LDNS_RR_TYPE_A,
		                                on_ns_resolved, it);
		free(it->sub_name);
		it->sub_name = ns;
		sub->budget = it->budget;
		sub->depth = it->depth + 1;
		it->sub = sub;
		sub->cut = cut_closest(sub->ic, sub->qname);
		ask(sub);
		return;
	}
	fail_at_cut(it);
}

static struct dns_iter *
iter_new(struct dns_iter_ctx *ic, const char *qname, ldns_rr_type qtype,
         dns_iter_done *done, void *arg)
{
	struct dns_iter *it = xcalloc(1, sizeof(*it));
	it->ic = ic;
	it->asked = xstrdup(qname);
	it->qname = xstrdup(qname);
	it->qtype = qtype;
	it->done = done;
	it->arg = arg;
	it->own_budget = MAX_QUERIES;
	it->budget = &it->own_budget;
	it->chain = ldns_rr_list_new();
	it->live_next = ic->live;
	ic->live = it;
	return it;
}

struct dns_iter *
dns_iter_start(struct dns_iter_ctx *ic, const char *qname, ldns_rr_type qtype,
               dns_iter_done *done, void *arg)
{
	struct dns_iter *it = iter_new(ic, qname, qtype, done, arg);
	it->cut = cut_closest(ic, qname);
	arm_budget(it);
	ask(it);
	return it;
}

void
dns_iter_ctx_set_limits(struct dns_iter_ctx *ic, double budget_ms,
                        const struct timeval *deadline)
{
	ic->budget_ms = budget_ms;
	if (deadline != NULL)
		ic->deadline = *deadline;
}

void
dns_iter_cancel(struct dns_iter *it)
{
	iter_free(it);
}

struct dns_iter_ctx *
dns_iter_ctx_new(struct query_svc *qs, const struct mr_server *roots,
                 size_t nroots, size_t nnames)
{
	struct dns_iter_ctx *ic = xcalloc(1, sizeof(*ic));
	ic->qs = qs;
	struct zone_cut *root = cut_new(ic, "");
	for (size_t i = 0; i < nroots; i++)
		cut_add_addr(root, &roots[i].addr);
	root->nnames = nnames;
	return ic;
}

void
dns_iter_ctx_free(struct dns_iter_ctx *ic)
{
	if (ic == NULL)
		return;
	/* Every iteration is on the live list: free each once, alone. */
	for (struct dns_iter *it = ic->live; it; it = it->live_next)
		it->sub = NULL;
	while (ic->live)
		iter_free(ic->live);
	while (ic->cuts) {
		struct zone_cut *next = ic->cuts->next;
		cut_free(ic->cuts);
		ic->cuts = next;
	}
	free(ic);
}
