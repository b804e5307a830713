/*
 * dns_spf.c -- dns.spf, for a domain: one valid SPF record (RFC 7208), a
 * policy that says what happens to other senders, within the lookup
 * limits, and that permits every MTA node of the cluster.
 *
 * The record is judged as written, then evaluated as a receiver would
 * (spf_check.h): for each public address of each MTA node, for the node's
 * HELO name, and for an address no node has, which shows the lookups a
 * forgery costs and whether the policy lets anyone through.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netpolicy.h"
#include "plan.h"
#include "loop.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "probes/spf_check.h"
#include "records/spf.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Addresses evaluated per node; the others are counted in the message. */
#define MAX_NODE_ADDRS 8
/* Never a node's address: whoever it passes, anyone passes. */
#define UNLISTED_ADDR "255.255.255.255"

struct spf_sender {
	struct probe *p;
	const struct mr_node *node;
	struct mr_addr addrs[MAX_NODE_ADDRS];
	size_t naddrs;
	size_t nskipped;
	struct dns_req *req[2]; /* A, AAAA when none is declared */
};

struct spf_eval {
	struct probe *p;
	struct spf_check *c;
	const struct spf_sender *s; /* NULL: the unlisted address */
	struct mr_addr ip;
	bool helo; /* the node's own name, not the domain */
	bool done;
	enum spf_result result;
	char *why;
	char *path;
	unsigned lookups, voids;
};

static void report(struct probe *p);

struct spf_state {
	struct dns_req *txt_req;
	char *record; /* as published */
	bool judged;  /* the record parsed: evaluate it */
	bool pass_all;
	struct spf_sender *s;
	size_t ns;
	struct spf_eval *ev;
	size_t nev;
	int pending;
};

static void
on_wait(void *arg, const char *what)
{
	struct spf_eval *e = arg;

	probe_waiting(e->p, "%s (SPF of %s)", what, probe_item(e->p)->domain);
}

static void
on_outcome(void *arg, const struct spf_outcome *o)
{
	struct spf_eval *e = arg;
	struct spf_state *st = probe_state(e->p);

	e->c = NULL;
	e->done = true;
	e->result = o->result;
	e->why = xstrdup(o->why);
	e->path = xstrdup(o->path);
	e->lookups = o->lookups;
	e->voids = o->voids;
	if (--st->pending == 0)
		report(e->p);
}

static bool
same_why(const struct spf_state *st, size_t upto, const char *why)
{
	for (size_t i = 0; i < upto; i++)
		if (st->ev[i].done && st->ev[i].result == SPF_RES_PERMERROR &&
		    strcmp(st->ev[i].why, why) == 0)
			return true;
	return false;
}

static void
report_node(struct probe *p, size_t i)
{
	struct spf_state *st = probe_state(p);
	const struct spf_eval *e = &st->ev[i];
	const char *domain = probe_item(p)->domain;
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	mr_addr_str(&e->ip, as);
	if (e->result == SPF_RES_PASS)
		return;
	if (e->result == SPF_RES_NONE && e->helo)
		return; /* the HELO name publishes nothing: nothing to judge */
	if (e->result == SPF_RES_TEMPERROR) {
		f = probe_add(p, CODE_SPF_TEMPERROR, MR_UNKNOWN,
		              "%s %s not judged: %s", e->s->node->name, as,
		              e->why);
	} else if (e->result == SPF_RES_PERMERROR) {
		const struct spf_eval *u = &st->ev[st->nev - 1];
		if (same_why(st, i, e->why) ||
		    (u->result == SPF_RES_PERMERROR &&
		     strcmp(u->why, e->why) == 0))
			return;
		f = probe_add(
			p, CODE_SPF_PERMERROR, MR_FAIL,
			"the SPF policy of %s fails with permerror for %s "
			"%s: %s",
			e->helo ? e->s->node->name : probe_item(p)->domain,
			e->s->node->name, as, e->why);
		mr_finding_hint(f, "fix the term named: receivers reject or "
		                   "junk mail whose policy fails this way");
	} else if (e->helo) {
		f = probe_add(p, CODE_SPF_HELO, MR_WARN,
		              "the SPF record of %s (the HELO name) gives %s "
		              "for %s: %s",
		              e->s->node->name, spf_result_name(e->result), as,
		              e->why);
		mr_finding_hint(f,
		                "permit %s in the SPF record of %s "
		                "(\"v=spf1 a -all\" permits the name's own "
		                "addresses)",
		                as, e->s->node->name);
	} else {
		f = probe_add(p, CODE_SPF_NODE_NOT_PERMITTED, MR_FAIL,
		              "MTA node %s %s is not permitted to send for %s: "
		              "%s (%s)",
		              e->s->node->name, as, domain,
		              spf_result_name(e->result), e->why);
		mr_finding_hint(f,
		                "add %s:%s (or a:%s) to the SPF record of %s",
		                e->ip.family == AF_INET ? "ip4" : "ip6", as,
		                e->s->node->name, domain);
	}
	mr_finding_set_text(f, "address", as);
	if (e->s != NULL)
		mr_finding_set_text(f, "node", e->s->node->name);
	mr_finding_set_text(f, "result", spf_result_name(e->result));
	mr_finding_set_text(f, "path", e->path);
}

static void
report(struct probe *p)
{
	struct spf_state *st = probe_state(p);
	const struct spf_eval *u = &st->ev[st->nev - 1];
	const char *domain = probe_item(p)->domain;
	size_t naddrs = 0, nnodes = 0, permitted = 0;
	struct mr_finding *f;

	/* The unlisted address: what a forgery meets. */
	mr_result_add_metric(probe_result(p), "spf_lookups", u->lookups, "");
	if (u->result == SPF_RES_PERMERROR) {
		f = probe_add(p, CODE_SPF_PERMERROR, MR_FAIL,
		              "the SPF policy of %s fails with permerror for "
		              "senders it does not list: %s",
		              domain, u->why);
		mr_finding_hint(
			f, "%s",
			u->lookups > SPF_MAX_LOOKUPS
				? "flatten includes into ip4:/ip6: terms "
				  "and drop those of services no longer "
				  "used: receivers stop at 10 lookups"
				: "fix the term named");
		mr_finding_set_int(f, "lookups", u->lookups);
		mr_finding_set_int(f, "void_lookups", u->voids);
	} else if (u->result == SPF_RES_PASS && !st->pass_all) {
		f = probe_add(p, CODE_SPF_PERMITS_ALL, MR_FAIL,
		              "the SPF policy of %s passes %s, an address no "
		              "node has: %s",
		              domain, UNLISTED_ADDR, u->why);
		mr_finding_hint(f, "list the real senders and end the record "
		                   "with -all or ~all");
	} else if (u->result == SPF_RES_TEMPERROR) {
		f = probe_add(p, CODE_SPF_TEMPERROR, MR_UNKNOWN,
		              "the SPF policy of %s could not be evaluated: %s",
		              domain, u->why);
	}
	for (size_t i = 0; i + 1 < st->nev; i++)
		report_node(p, i);
	for (size_t i = 0; i < st->ns; i++) {
		naddrs += st->s[i].naddrs;
		nnodes += st->s[i].naddrs > 0;
	}
	for (size_t i = 0; i + 1 < st->nev; i++)
		permitted +=
			!st->ev[i].helo && st->ev[i].result == SPF_RES_PASS;
	/* The summary stands alone only when nothing is wrong. */
	const struct mr_result *res = probe_result(p);
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i]->found != MR_PASS) {
			probe_done(p);
			return;
		}
	f = probe_add(p, CODE_SPF_OK, MR_PASS,
	              "%s: %s; permits %zu of %zu MTA node addresses; %u of %d "
	              "DNS lookups for a sender it does not list (%s: %s)",
	              domain, st->record, permitted, naddrs, u->lookups,
	              SPF_MAX_LOOKUPS, spf_result_name(u->result), u->why);
	mr_finding_set_text(f, "record", st->record);
	mr_finding_set_int(f, "lookups", u->lookups);
	mr_finding_set_int(f, "void_lookups", u->voids);
	mr_finding_set_int(f, "mta_nodes", (long long)nnodes);
	probe_done(p);
}

static void
start_eval(struct probe *p, struct spf_eval *e, const char *domain)
{
	struct spf_state *st = probe_state(p);
	struct spf_check_params pa = {
		.domain = domain,
		.ip = e->ip,
		.helo = e->s != NULL ? e->s->node->name : NULL,
		.now = (long long)time(NULL),
	};

	e->p = p;
	st->pending++;
	e->c = spf_check_start(probe_run(p)->base, probe_dns(p),
	                       DNS_VIEW_OUTSIDE, &pa, on_outcome, on_wait, e);
}

/* Every address is known and the record parsed: evaluate. */
static void
evaluate(struct probe *p)
{
	struct spf_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	size_t n = 1;

	for (size_t i = 0; i < st->ns; i++)
		n += 2 * st->s[i].naddrs;
	st->ev = xcalloc(n, sizeof(*st->ev));
	for (size_t i = 0; i < st->ns; i++)
		for (size_t j = 0; j < st->s[i].naddrs; j++)
			for (int helo = 0; helo < 2; helo++) {
				struct spf_eval *e = &st->ev[st->nev++];
				e->s = &st->s[i];
				e->ip = st->s[i].addrs[j];
				e->helo = helo;
			}
	struct spf_eval *u = &st->ev[st->nev++];
	mr_addr_parse(UNLISTED_ADDR, &u->ip);
	/* Count first: an evaluation may end before the next starts. */
	for (size_t i = 0; i < st->nev; i++)
		start_eval(p, &st->ev[i],
		           st->ev[i].helo ? st->ev[i].s->node->name : domain);
}

/* A record for a domain that has none: the MTA nodes' addresses. */
static char *
suggest_record(const struct spf_state *st)
{
	struct strbuf b = STRBUF_INIT;
	char as[MR_ADDR_STRLEN];

	strbuf_add(&b, "v=spf1");
	for (size_t i = 0; i < st->ns; i++) {
		const struct spf_sender *s = &st->s[i];
		if (s->node->npublic == 0)
			strbuf_addf(&b, " a:%s", s->node->name);
		for (size_t j = 0; s->node->npublic > 0 && j < s->naddrs; j++)
			strbuf_addf(&b, " %s:%s",
			            s->addrs[j].family == AF_INET ? "ip4"
			                                          : "ip6",
			            mr_addr_str(&s->addrs[j], as));
	}
	strbuf_add(&b, " -all");
	return strbuf_take(&b);
}

/* The record as written: findings that need no evaluation. */
static bool
judge_record(struct probe *p, const struct dns_reply *r)
{
	struct spf_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	struct mr_finding *f;
	char err[512];

	if (r->status == DNS_NXDOMAIN) {
		probe_finish(p, CODE_DOMAIN_MISSING, MR_FAIL,
		             "%s does not exist (NXDOMAIN)", domain);
		return false;
	}
	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, domain, "TXT");
		probe_done(p);
		return false;
	}
	size_t n = 0, count = 0, len = 0;
	enum spf_pick pick = spf_pick_reply(r, &st->record, &len, &count, &n);
	if (pick == SPF_PICK_NONE) {
		f = probe_add(p, CODE_SPF_MISSING, MR_FAIL,
		              "%s publishes no SPF record (%zu TXT record%s)",
		              domain, n, n == 1 ? "" : "s");
		char *rec = suggest_record(st);
		mr_finding_hint(f, "publish one TXT record at %s: \"%s\"",
		                domain, rec);
		free(rec);
		probe_done(p);
		return false;
	}
	if (pick == SPF_PICK_SEVERAL) {
		probe_finish_hint(
			p, CODE_SPF_MULTIPLE, MR_FAIL,
			"merge them into one v=spf1 record",
			"%s publishes %zu SPF records; receivers take "
			"that as a permanent error",
			domain, count);
		return false;
	}
	struct spf_record rec;
	enum spf_error pe = spf_parse(st->record, len, &rec, err, sizeof(err));
	if (pe != SPF_OK) {
		f = probe_add(p, CODE_SPF_SYNTAX, MR_FAIL,
		              "the SPF record of %s does not parse: %s", domain,
		              err);
		mr_finding_hint(f, "fix the term named: receivers treat the "
		                   "whole policy as a permanent error");
		mr_finding_set_text(f, "record", st->record);
		probe_done(p);
		return false;
	}
	if (rec.pass_all) {
		f = probe_add(p, CODE_SPF_PERMITS_ALL, MR_FAIL,
		              "the SPF record of %s ends in +all: anyone may "
		              "send as %s",
		              domain, domain);
		mr_finding_hint(f, "end the record with -all or ~all after the "
		                   "real senders");
		st->pass_all = true;
	} else if (rec.neutral_all) {
		f = probe_add(p, CODE_SPF_WEAK, MR_WARN,
		              "the SPF record of %s ends in ?all (neutral): it "
		              "says nothing about other senders",
		              domain);
		mr_finding_hint(f, "end the record with -all or ~all");
	} else if (rec.all < 0 && rec.redirect == NULL) {
		f = probe_add(
			p, CODE_SPF_WEAK, MR_WARN,
			"the SPF record of %s has no all and no redirect: "
			"other senders get neutral",
			domain);
		mr_finding_hint(f, "end the record with -all or ~all");
	}
	/* "v=spf1 -all": the domain says it sends no mail (a null-MX
	   domain, a parked one), so no node has to be permitted. */
	if (rec.ndir == 1 && rec.dir[0].mech == SPF_ALL &&
	    rec.dir[0].qual == SPF_Q_FAIL && rec.redirect == NULL) {
		spf_record_free(&rec);
		f = probe_add(p, CODE_SPF_OK, MR_PASS,
		              "%s: %s; the domain sends no mail", domain,
		              st->record);
		mr_finding_set_text(f, "record", st->record);
		probe_done(p);
		return false;
	}
	if (rec.nptr > 0) {
		f = probe_add(p, CODE_SPF_PTR, MR_WARN,
		              "the SPF record of %s uses ptr (%u time%s)",
		              domain, rec.nptr, rec.nptr == 1 ? "" : "s");
		mr_finding_hint(f, "replace ptr with ip4:/ip6: or a: terms "
		                   "(RFC 7208 5.5)");
	}
	spf_record_free(&rec);
	st->judged = true;
	return true;
}

static void
step(struct probe *p)
{
	struct spf_state *st = probe_state(p);

	if (--st->pending > 0)
		return;
	if (!st->judged)
		return; /* judge_record ended the probe */
	evaluate(p);
}

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct spf_state *st = probe_state(p);

	st->txt_req = NULL;
	if (!judge_record(p, r))
		return;
	step(p);
}

static void
add_public(struct spf_sender *s, const struct netpolicy *np,
           const struct dns_reply *r)
{
	size_t n = 0;
	struct mr_addr *v = dns_reply_addrs(r, &n);

	for (size_t i = 0; i < n; i++) {
		if (!netpolicy_is_public(np, &v[i]))
			continue;
		if (s->naddrs < MAX_NODE_ADDRS)
			s->addrs[s->naddrs++] = v[i];
		else
			s->nskipped++;
	}
	free(v);
}

static void
on_addr(struct spf_sender *s, int k, const struct dns_reply *r)
{
	s->req[k] = NULL;
	add_public(s, probe_run(s->p)->np, r);
	step(s->p);
}

static void
on_a(void *arg, const struct dns_reply *r)
{
	on_addr(arg, 0, r);
}

static void
on_aaaa(void *arg, const struct dns_reply *r)
{
	on_addr(arg, 1, r);
}

static void
spf_start(struct probe *p)
{
	struct spf_state *st = probe_state(p);
	const struct plan *plan = probe_run(p)->plan;
	const char *domain = probe_item(p)->domain;

	st->ns = plan->nsenders;
	st->s = xcalloc(st->ns ? st->ns : 1, sizeof(*st->s));
	st->pending = 1; /* the TXT */
	for (size_t i = 0; i < st->ns; i++) {
		struct spf_sender *s = &st->s[i];
		const struct mr_node *n = plan->senders[i];
		s->p = p;
		s->node = n;
		for (size_t j = 0; j < n->npublic; j++)
			if (s->naddrs < MAX_NODE_ADDRS)
				s->addrs[s->naddrs++] = n->public_addrs[j];
			else
				s->nskipped++;
		if (n->npublic > 0)
			continue;
		/* No declared address: the ones the Internet sees. */
		st->pending += 2;
		s->req[0] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, n->name,
		                       LDNS_RR_TYPE_A, on_a, s);
		s->req[1] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, n->name,
		                       LDNS_RR_TYPE_AAAA, on_aaaa, s);
	}
	probe_waiting(p, "TXT of %s from the %s", domain,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	st->txt_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, domain,
	                         LDNS_RR_TYPE_TXT, on_txt, p);
}

static void
spf_cleanup(struct probe *p)
{
	struct spf_state *st = probe_state(p);

	if (st->txt_req != NULL)
		dns_cancel(st->txt_req);
	for (size_t i = 0; i < st->ns; i++)
		for (int k = 0; k < 2; k++)
			if (st->s[i].req[k] != NULL)
				dns_cancel(st->s[i].req[k]);
	for (size_t i = 0; i < st->nev; i++) {
		spf_check_cancel(st->ev[i].c);
		free(st->ev[i].why);
		free(st->ev[i].path);
	}
	free(st->ev);
	free(st->s);
	free(st->record);
}

const struct probe_ops probe_dns_spf_ops = {
	.state_size = sizeof(struct spf_state),
	.start = spf_start,
	.cleanup = spf_cleanup,
};
