/*
 * dns_bl.c -- dns.bl: a node's public IPv4 and IPv6 addresses on the
 * configured DNS blocklists (blocklists: reversed octets, or nibbles for
 * IPv6, under each zone; RFC 5782), and a domain on the domain blocklists
 * (domain_blocklists).
 *
 * Answers are read by their codes: 127.0.0.x is a listing (its TXT says
 * why), 127.255.255.x is the list refusing the query (Spamhaus through
 * public resolvers), which says nothing about the address, and any other
 * address is a resolver rewriting NXDOMAIN or a list that is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "netpolicy.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Public addresses of a node looked up; the others are counted. */
#define BL_MAX_ADDRS 8

struct bl_query {
	struct probe *p;
	char *what; /* "127.0.2.23" or "example.com" */
	const char *zone;
	char *name;             /* what the list is asked */
	struct dns_req *req[2]; /* A, then TXT when listed */
	const struct dns_reply *a;
	const struct dns_reply *txt;
};

struct bl_state {
	struct bl_query *q;
	size_t nq;
	size_t pending;
	size_t nskipped; /* addresses past BL_MAX_ADDRS */
};

enum bl_answer { BL_NOT_LISTED, BL_IS_LISTED, BL_IS_REFUSED, BL_ODD };

static enum bl_answer
classify(const struct dns_reply *r, char code[MR_ADDR_STRLEN])
{
	size_t n = 0;
	struct mr_addr *v = dns_reply_addrs(r, &n);
	enum bl_answer a = BL_NOT_LISTED;

	code[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = v[i].bytes;
		enum bl_answer this;
		if (v[i].family != AF_INET)
			continue;
		mr_addr_str(&v[i], code);
		if (b[0] == 127 && b[1] == 255 && b[2] == 255)
			this = BL_IS_REFUSED;
		else if (b[0] == 127)
			this = BL_IS_LISTED;
		else
			this = BL_ODD;
		/* A refusal or odd answer outweighs a listing code. */
		if (this > a)
			a = this;
		if (a != BL_IS_LISTED)
			break;
	}
	free(v);
	return a;
}

static char *
reason_of(const struct dns_reply *r)
{
	size_t n = 0;
	struct dns_txt *t = r ? dns_reply_txts(r, &n) : NULL;
	char *s = n > 0 ? xstrndup(t[0].text, t[0].len) : NULL;

	if (t != NULL)
		dns_txts_free(t, n);
	return s;
}

static void
report(struct probe *p)
{
	struct bl_state *st = probe_state(p);
	struct strbuf zones = STRBUF_INIT, what = STRBUF_INIT;
	struct mr_finding *f;
	bool bad = false;
	char code[MR_ADDR_STRLEN];

	for (size_t i = 0; i < st->nq; i++) {
		const struct bl_query *q = &st->q[i];
		if (i == 0 || strcmp(q->what, st->q[i - 1].what) != 0)
			strbuf_addf(&what, "%s%s", i ? ", " : "", q->what);
		if (strcmp(q->what, st->q[0].what) == 0)
			strbuf_addf(&zones, "%s%s", i ? ", " : "", q->zone);
		if (dns_status_is_transport(q->a->status)) {
			probe_dns_unanswered(p, q->a, q->name, "A");
			bad = true;
			continue;
		}
		switch (classify(q->a, code)) {
		case BL_NOT_LISTED:
			break;
		case BL_IS_LISTED: {
			char *why = reason_of(q->txt);
			f = probe_add(p, CODE_BL_LISTED, MR_FAIL,
			              "%s is listed on %s (%s)%s%s", q->what,
			              q->zone, code, why ? ": " : "",
			              why ? why : "");
			mr_finding_hint(f,
			                "find why on %s's lookup page, fix the "
			                "cause, then ask %s for removal",
			                q->zone, q->zone);
			mr_finding_set_text(f, "list", q->zone);
			mr_finding_set_text(f, "listed", q->what);
			mr_finding_set_text(f, "code", code);
			if (why != NULL)
				mr_finding_set_text(f, "reason", why);
			free(why);
			bad = true;
			break;
		}
		case BL_IS_REFUSED:
			f = probe_add(p, CODE_BL_REFUSED, MR_UNKNOWN,
			              "%s refused the query for %s (%s): not "
			              "known whether it is listed",
			              q->zone, q->what, code);
			mr_finding_hint(
				f,
				"ask %s through resolvers of your own "
				"(outside_resolvers = iterate), not a public "
				"one, or register for its data feed",
				q->zone);
			mr_finding_set_text(f, "list", q->zone);
			bad = true;
			break;
		case BL_ODD:
			f = probe_add(
				p, CODE_BL_UNEXPECTED, MR_UNKNOWN,
				"%s answered %s for %s, not a listing code "
				"(127.0.0.x)",
				q->zone, code, q->what);
			mr_finding_hint(
				f, "use resolvers that do not rewrite "
				   "NXDOMAIN; drop the list if it is gone");
			bad = true;
			break;
		}
	}
	if (!bad) {
		f = probe_add(p, CODE_BL_OK, MR_PASS,
		              "%s %s on none of the blocklists: %s",
		              strbuf_str(&what),
		              strchr(strbuf_str(&what), ',') ? "are" : "is",
		              strbuf_str(&zones));
		if (st->nskipped > 0)
			mr_finding_set_int(f, "not_checked",
			                   (long long)st->nskipped);
	}
	strbuf_reset(&zones);
	strbuf_reset(&what);
	probe_done(p);
}

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct bl_query *q = arg;
	struct bl_state *st = probe_state(q->p);

	q->req[1] = NULL;
	q->txt = r;
	if (--st->pending == 0)
		report(q->p);
}

static void
on_a(void *arg, const struct dns_reply *r)
{
	struct bl_query *q = arg;
	struct bl_state *st = probe_state(q->p);
	char code[MR_ADDR_STRLEN];

	q->req[0] = NULL;
	q->a = r;
	/* A listing: its TXT says why. */
	if (!dns_status_is_transport(r->status) &&
	    classify(r, code) == BL_IS_LISTED) {
		q->req[1] = dns_lookup(probe_dns(q->p), DNS_VIEW_OUTSIDE,
		                       q->name, LDNS_RR_TYPE_TXT, on_txt, q);
		return;
	}
	if (--st->pending == 0)
		report(q->p);
}

/* "23.2.0.127" of "23.2.0.127.in-addr.arpa" (nibbles for IPv6). */
static char *
reversed(const struct mr_addr *a)
{
	char *rev = dns_reverse_name(a);
	char *dot = strstr(rev, a->family == AF_INET ? ".in-addr.arpa"
	                                             : ".ip6.arpa");

	if (dot != NULL)
		*dot = '\0';
	return rev;
}

static void
add_query(struct bl_state *st, struct probe *p, const char *what,
          const char *key, const char *zone)
{
	struct bl_query *q = &st->q[st->nq++];

	q->p = p;
	q->what = xstrdup(what);
	q->zone = zone;
	q->name = xasprintf("%s.%s", key, zone);
}

static void
bl_start(struct probe *p)
{
	struct bl_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	const struct mr_config *cfg = probe_run(p)->cfg;
	const struct netpolicy *np = probe_run(p)->np;
	char *const *zones =
		it->node ? cfg->blocklists : cfg->domain_blocklists;
	size_t nzones = it->node ? cfg->nblocklists : cfg->ndomain_blocklists;
	char as[MR_ADDR_STRLEN];

	if (nzones == 0) {
		probe_finish(p, CODE_NOTHING_CONFIGURED, MR_SKIP,
		             "no %s configured (none)",
		             it->node ? "blocklists" : "domain_blocklists");
		return;
	}
	if (it->node == NULL) {
		st->q = xcalloc(nzones, sizeof(*st->q));
		for (size_t z = 0; z < nzones; z++)
			add_query(st, p, it->domain, it->domain, zones[z]);
	} else {
		const struct mr_node *n = it->node;
		size_t na = 0;
		st->q = xcalloc(nzones * BL_MAX_ADDRS, sizeof(*st->q));
		for (size_t i = 0; i < n->npublic; i++) {
			if (!netpolicy_is_public(np, &n->public_addrs[i]))
				continue;
			if (na == BL_MAX_ADDRS) {
				st->nskipped++;
				continue;
			}
			na++;
			char *rev = reversed(&n->public_addrs[i]);
			mr_addr_str(&n->public_addrs[i], as);
			for (size_t z = 0; z < nzones; z++)
				add_query(st, p, as, rev, zones[z]);
			free(rev);
		}
		if (na == 0) {
			probe_finish(
				p, CODE_NO_PUBLIC_ADDRESS, MR_SKIP,
				"%s has no public address: blocklists list "
				"the addresses that send to the Internet",
				n->name);
			return;
		}
	}
	st->pending = st->nq;
	probe_waiting(p, "the blocklists (%s) from the %s", zones[0],
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	for (size_t i = 0; i < st->nq; i++)
		st->q[i].req[0] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE,
		                             st->q[i].name, LDNS_RR_TYPE_A,
		                             on_a, &st->q[i]);
}

static void
bl_cleanup(struct probe *p)
{
	struct bl_state *st = probe_state(p);

	for (size_t i = 0; i < st->nq; i++) {
		for (int k = 0; k < 2; k++)
			if (st->q[i].req[k] != NULL)
				dns_cancel(st->q[i].req[k]);
		free(st->q[i].what);
		free(st->q[i].name);
	}
	free(st->q);
}

const struct probe_ops probe_dns_bl_ops = {
	.state_size = sizeof(struct bl_state),
	.start = bl_start,
	.cleanup = bl_cleanup,
	.config_bounded = true, /* addresses x configured lists */
};
