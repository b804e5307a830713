/*
 * dns_auth.c -- dns.auth: every authoritative server of a domain's zone
 * answers authoritatively, and they agree on the SOA serial and on the
 * records that matter (the domain's MX and the A/AAAA of cluster nodes in
 * the zone).
 *
 * Phases: find the zone and its NS set (outside view) -> find each server's
 * addresses (outside view) -> ask every address directly, without
 * recursion, the same questions -> compare.
 *
 * Name servers, their addresses and the questions (two per node in the
 * zone) are sized per instance from what was found: a cluster of any size
 * has every node compared, and no server is left out.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/common.h"
#include "probes/probes.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "names.h"

struct question {
	char *name;
	ldns_rr_type type;
};

struct ns_name {
	struct probe *p;
	char *name;
	struct dns_req *req[2];
	const struct dns_reply *r[2];
};

struct ask_ctx {
	struct server *s;
	size_t q;
};

struct server {
	struct probe *p;
	const char *ns; /* borrowed from ns_name */
	struct mr_addr addr;
	/* One of each per question (auth_state.nq), owned: */
	struct dns_req **req;
	const struct dns_reply **r;
	struct ask_ctx *ctx; /* the callback's argument for each question */
};

struct auth_state {
	char *zone;
	struct dns_req *ns_req;
	const struct dns_reply *ns;
	bool retried_at_zone;
	struct ns_name *names; /* the NS set, owned */
	size_t nnames;
	struct server *servers; /* every address of every name, owned */
	size_t nservers;
	struct question *q; /* q[0] is the SOA; owned */
	size_t nq;
	size_t pending;
};

static void phase_addrs(struct probe *p);
static void phase_ask(struct probe *p);
static void compare(struct probe *p);

/* ------------------------------------------------------------------ */

/* The zone of a name that is not an apex: the owner of the SOA in the
 * authority section of its NODATA answer. */
static char *
zone_from_authority(const struct dns_reply *r)
{
	if (r->pkt == NULL)
		return NULL;
	const ldns_rr_list *auth = ldns_pkt_authority(r->pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
			return dns_rdf_name(ldns_rr_owner(rr));
	}
	return NULL;
}

static void
on_ns(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct auth_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;

	st->ns_req = NULL;
	st->ns = r;
	if (r->status == DNS_NODATA && !st->retried_at_zone) {
		char *zone = zone_from_authority(r);
		if (zone && !name_equal(zone, domain)) {
			st->retried_at_zone = true;
			free(st->zone);
			st->zone = zone;
			st->ns_req =
				dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, zone,
			                   LDNS_RR_TYPE_NS, on_ns, p);
			return;
		}
		free(zone);
	}
	if (r->status != DNS_OK && dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, st->zone, "NS");
		probe_done(p);
		return;
	}
	if (r->status != DNS_OK) {
		char *d = dns_reply_describe(r);
		struct mr_finding *f = probe_add(
			p, CODE_NS_MISSING, MR_FAIL,
			"cannot find the name servers of %s: %s", st->zone, d);
		mr_finding_hint(f, "delegate %s: NS records at its parent",
		                st->zone);
		free(d);
		probe_done(p);
		return;
	}
	phase_addrs(p);
}

static void
on_ns_addr(struct ns_name *n, int i, const struct dns_reply *r)
{
	struct auth_state *st = probe_state(n->p);
	n->req[i] = NULL;
	n->r[i] = r;
	if (--st->pending == 0)
		phase_ask(n->p);
}

static void
on_ns_a(void *arg, const struct dns_reply *r)
{
	on_ns_addr(arg, 0, r);
}

static void
on_ns_aaaa(void *arg, const struct dns_reply *r)
{
	on_ns_addr(arg, 1, r);
}

static void
phase_addrs(struct probe *p)
{
	struct auth_state *st = probe_state(p);
	size_t n = ldns_rr_list_rr_count(st->ns->rrs);

	st->names = xcalloc(n ? n : 1, sizeof(*st->names));
	for (size_t i = 0; i < n; i++) {
		const ldns_rdf *rd =
			ldns_rr_rdf(ldns_rr_list_rr(st->ns->rrs, i), 0);
		if (rd == NULL)
			continue;
		struct ns_name *nn = &st->names[st->nnames++];
		nn->p = p;
		nn->name = dns_rdf_name(rd);
	}
	/* Stable output: resolvers shuffle NS sets. */
	for (size_t i = 1; i < st->nnames; i++)
		for (size_t j = i; j > 0 && strcmp(st->names[j - 1].name,
		                                   st->names[j].name) > 0;
		     j--) {
			char *t = st->names[j].name;
			st->names[j].name = st->names[j - 1].name;
			st->names[j - 1].name = t;
		}
	probe_waiting(p, "addresses of the name servers of %s", st->zone);
	st->pending = st->nnames * 2;
	for (size_t i = 0; i < st->nnames; i++) {
		struct ns_name *nn = &st->names[i];
		nn->req[0] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE,
		                        nn->name, LDNS_RR_TYPE_A, on_ns_a, nn);
		nn->req[1] =
			dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, nn->name,
		                   LDNS_RR_TYPE_AAAA, on_ns_aaaa, nn);
	}
}

/* ------------------------------------------------------------------ */

static void
add_question(struct auth_state *st, const char *name, ldns_rr_type type)
{
	st->q[st->nq].name = xstrdup(name);
	st->q[st->nq].type = type;
	st->nq++;
}

/* Is name equal to or below zone? */
static bool
in_zone(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);
	if (ln < lz || strcasecmp(name + ln - lz, zone) != 0)
		return false;
	return ln == lz || name[ln - lz - 1] == '.';
}

static void
plan_questions(struct probe *p)
{
	struct auth_state *st = probe_state(p);
	const struct mr_config *cfg = probe_run(p)->cfg;
	const char *domain = probe_item(p)->domain;
	size_t in = 0;

	for (size_t i = 0; i < cfg->nnodes; i++)
		in += in_zone(cfg->nodes[i].name, st->zone);
	/* SOA, MX, then A and AAAA of each node in the zone. */
	st->q = xcalloc(2 + 2 * in, sizeof(*st->q));
	add_question(st, st->zone, LDNS_RR_TYPE_SOA);
	add_question(st, domain, LDNS_RR_TYPE_MX);
	for (size_t i = 0; i < cfg->nnodes; i++) {
		const char *n = cfg->nodes[i].name;
		if (!in_zone(n, st->zone))
			continue;
		add_question(st, n, LDNS_RR_TYPE_A);
		add_question(st, n, LDNS_RR_TYPE_AAAA);
	}
}

static void
on_asked(void *arg, const struct dns_reply *r)
{
	struct ask_ctx *c = arg;
	struct probe *p = c->s->p;
	struct auth_state *st = probe_state(p);

	c->s->req[c->q] = NULL;
	c->s->r[c->q] = r;
	if (--st->pending == 0)
		compare(p);
}

/* Said once per name server, in the phase that finds it out. */
static void
no_address(struct probe *p, const struct ns_name *nn)
{
	struct auth_state *st = probe_state(p);
	char *d = dns_reply_describe(nn->r[0]);
	struct mr_finding *f =
		probe_add(p, CODE_NS_NO_ADDRESS, MR_FAIL,
	                  "name server %s of %s has no address (%s): "
	                  "resolvers cannot use it",
	                  nn->name, st->zone, d);
	mr_finding_hint(f, "publish A/AAAA for %s, or remove its NS record",
	                nn->name);
	mr_finding_set_text(f, "server", nn->name);
	free(d);
}

/* One server per address of every name server; says which have none. */
static void
collect_servers(struct probe *p)
{
	struct auth_state *st = probe_state(p);

	for (size_t i = 0; i < st->nnames; i++) {
		struct ns_name *nn = &st->names[i];
		bool any = false;
		for (int k = 0; k < 2; k++) {
			size_t n;
			struct mr_addr *a = dns_reply_addrs(nn->r[k], &n);
			if (n > 0)
				st->servers = xreallocarray(
					st->servers, st->nservers + n,
					sizeof(*st->servers));
			for (size_t j = 0; j < n; j++) {
				struct server *s = &st->servers[st->nservers++];
				*s = (struct server){
					.p = p, .ns = nn->name, .addr = a[j]};
				any = true;
			}
			free(a);
		}
		if (!any)
			no_address(p, nn);
	}
}

/* Ask server s every question; the answers come back to on_asked. */
static void
ask_server(struct probe *p, struct server *s)
{
	struct auth_state *st = probe_state(p);

	s->req = xcalloc(st->nq, sizeof(*s->req));
	s->r = xcalloc(st->nq, sizeof(*s->r));
	s->ctx = xcalloc(st->nq, sizeof(*s->ctx));
	for (size_t q = 0; q < st->nq; q++) {
		s->ctx[q].s = s;
		s->ctx[q].q = q;
		s->req[q] = dns_query_server(probe_dns(p), &s->addr, 53,
		                             st->q[q].name, st->q[q].type,
		                             false, on_asked, &s->ctx[q]);
	}
}

static void
phase_ask(struct probe *p)
{
	struct auth_state *st = probe_state(p);

	collect_servers(p);
	if (st->nservers == 0) {
		probe_done(p);
		return;
	}
	plan_questions(p);
	probe_waiting(p, "answers from the %zu authoritative servers of %s",
	              st->nservers, st->zone);
	st->pending = st->nservers * st->nq;
	for (size_t i = 0; i < st->nservers; i++)
		ask_server(p, &st->servers[i]);
}

/* ------------------------------------------------------------------ */

/* The rdata of the answer as sorted text, for comparison. */
static char *
rrset_text(const struct dns_reply *r)
{
	size_t n = ldns_rr_list_rr_count(r->rrs);
	char **v = xcalloc(n ? n : 1, sizeof(*v));
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->rrs, i);
		struct strbuf b = STRBUF_INIT;
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			char *t = ldns_rdf2str(ldns_rr_rdf(rr, k));
			strbuf_sep(&b, " ");
			strbuf_add(&b, t ? t : "?");
			free(t);
		}
		v[i] = strbuf_take(&b);
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		strbuf_sep(&out, ", ");
		strbuf_add(&out, v[i]);
		free(v[i]);
	}
	free(v);
	if (n > 0)
		return strbuf_take(&out);
	return xstrdup(r->status == DNS_NXDOMAIN ? "NXDOMAIN" : "nothing");
}

static uint32_t
soa_serial(const struct dns_reply *r)
{
	const ldns_rr *soa = ldns_rr_list_rr(r->rrs, 0);
	const ldns_rdf *rd = soa ? ldns_rr_rdf(soa, 2) : NULL;
	return rd ? ldns_rdf2native_int32(rd) : 0;
}

static const char *
server_str(const struct server *s, char *buf, size_t len)
{
	char as[MR_ADDR_STRLEN];
	snprintf(buf, len, "%s (%s)", s->ns, mr_addr_str(&s->addr, as));
	return buf;
}

static void
server_data(struct mr_finding *f, const struct server *s)
{
	char as[MR_ADDR_STRLEN];

	mr_finding_set_text(f, "server", s->ns);
	mr_finding_set_text(f, "address", mr_addr_str(&s->addr, as));
}

/* A server that does not answer authoritatively is lame for the zone. */
static bool
judge_lame(struct probe *p, const struct server *s)
{
	struct auth_state *st = probe_state(p);
	const struct dns_reply *r = s->r[0];
	char sb[300];
	struct mr_finding *f;

	if (r->status == DNS_OK && r->aa)
		return false;
	char *d = dns_reply_describe(r);
	if (r->status == DNS_OK || r->status == DNS_REFERRAL)
		f = probe_add(p, CODE_NS_LAME, MR_FAIL,
		              "%s is lame for %s: it answers without authority",
		              server_str(s, sb, sizeof(sb)), st->zone);
	else
		f = probe_add(p, CODE_NS_LAME, MR_FAIL,
		              "%s does not answer authoritatively for %s (%s)",
		              server_str(s, sb, sizeof(sb)), st->zone, d);
	mr_finding_hint(f, "serve %s on %s, or remove its NS record", st->zone,
	                s->ns);
	server_data(f, s);
	free(d);
	return true;
}

static void
compare_serials(struct probe *p, const bool *ok)
{
	struct auth_state *st = probe_state(p);
	struct strbuf list = STRBUF_INIT;
	json_t *serials = json_object();
	bool differ = false, have = false;
	uint32_t first = 0;
	char sb[300], as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < st->nservers; i++) {
		if (!ok[i])
			continue;
		uint32_t s = soa_serial(st->servers[i].r[0]);
		if (have && s != first)
			differ = true;
		if (!have)
			first = s;
		have = true;
		strbuf_sep(&list, ", ");
		strbuf_addf(&list, "%s %u",
		            server_str(&st->servers[i], sb, sizeof(sb)), s);
		json_object_set_new(serials,
		                    mr_addr_str(&st->servers[i].addr, as),
		                    json_integer(s));
	}
	if (differ) {
		struct mr_finding *f =
			probe_add(p, CODE_SOA_SERIAL_MISMATCH, MR_FAIL,
		                  "SOA serials of %s differ: %s", st->zone,
		                  strbuf_str(&list));
		mr_finding_hint(f, "a secondary is not up to date: check zone "
		                   "transfers and NOTIFY");
		mr_finding_set(f, "serials", json_incref(serials));
	}
	json_decref(serials);
	strbuf_reset(&list);
}

static void
compare_records(struct probe *p, const bool *ok)
{
	struct auth_state *st = probe_state(p);
	char sb[300], sb0[300];
	struct mr_finding *f;

	for (size_t q = 1; q < st->nq; q++) {
		size_t ref = SIZE_MAX;
		char *reftext = NULL;
		char *type = ldns_rr_type2str(st->q[q].type);
		for (size_t i = 0; i < st->nservers; i++) {
			if (!ok[i])
				continue;
			const struct dns_reply *r = st->servers[i].r[q];
			if (dns_status_is_transport(r->status)) {
				char *d = dns_reply_describe(r);
				f = probe_add(p, CODE_AUTH_QUERY_FAILED,
				              MR_FAIL,
				              "%s failed to answer %s %s: %s",
				              server_str(&st->servers[i], sb,
				                         sizeof(sb)),
				              st->q[q].name, type, d);
				mr_finding_hint(f, "look at the logs of %s",
				                st->servers[i].ns);
				server_data(f, &st->servers[i]);
				free(d);
				continue;
			}
			char *t = rrset_text(r);
			if (ref == SIZE_MAX) {
				ref = i;
				reftext = t;
				continue;
			}
			if (strcmp(t, reftext) != 0) {
				f = probe_add(
					p, CODE_AUTH_RECORDS_DIFFER, MR_FAIL,
					"servers disagree on %s %s: %s has "
					"%s, %s has %s",
					st->q[q].name, type,
					server_str(&st->servers[ref], sb0,
				                   sizeof(sb0)),
					reftext,
					server_str(&st->servers[i], sb,
				                   sizeof(sb)),
					t);
				mr_finding_hint(f,
				                "make every server of %s "
				                "serve the same zone",
				                st->zone);
				mr_finding_set_text(f, "name", st->q[q].name);
				mr_finding_set_text(f, "type", type);
			}
			free(t);
		}
		free(type);
		free(reftext);
	}
}

static void
compare(struct probe *p)
{
	struct auth_state *st = probe_state(p);
	bool *ok = xcalloc(st->nservers, sizeof(*ok));
	size_t nok = 0;

	for (size_t i = 0; i < st->nservers; i++) {
		ok[i] = !judge_lame(p, &st->servers[i]);
		nok += ok[i];
	}
	compare_serials(p, ok);
	compare_records(p, ok);
	if (probe_result(p)->status <= MR_PASS) {
		struct strbuf list = STRBUF_INIT;
		char sb[300];
		for (size_t i = 0; i < st->nservers; i++) {
			strbuf_sep(&list, ", ");
			strbuf_add(&list,
			           server_str(&st->servers[i], sb, sizeof(sb)));
		}
		struct mr_finding *f = probe_add(
			p, CODE_AUTH_OK, MR_PASS,
			"%zu servers of %s answer authoritatively with serial "
			"%u and agree on %zu records: %s",
			nok, st->zone, soa_serial(st->servers[0].r[0]),
			st->nq - 1, strbuf_str(&list));
		mr_finding_set_int(f, "serial",
		                   soa_serial(st->servers[0].r[0]));
		strbuf_reset(&list);
	}
	free(ok);
	probe_done(p);
}

/* ------------------------------------------------------------------ */

static void
start(struct probe *p)
{
	struct auth_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;

	st->zone = xstrdup(domain);
	probe_waiting(p, "NS of %s from %s", domain,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	st->ns_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, domain,
	                        LDNS_RR_TYPE_NS, on_ns, p);
}

static void
cleanup(struct probe *p)
{
	struct auth_state *st = probe_state(p);

	dns_cancel(st->ns_req);
	for (size_t i = 0; i < st->nnames; i++) {
		dns_cancel(st->names[i].req[0]);
		dns_cancel(st->names[i].req[1]);
	}
	for (size_t i = 0; i < st->nservers; i++) {
		struct server *s = &st->servers[i];
		for (size_t q = 0; s->req != NULL && q < st->nq; q++)
			dns_cancel(s->req[q]);
		free(s->req);
		free(s->r);
		free(s->ctx);
	}
	free(st->servers);
	for (size_t i = 0; i < st->nnames; i++)
		free(st->names[i].name);
	free(st->names);
	for (size_t q = 0; q < st->nq; q++)
		free(st->q[q].name);
	free(st->q);
	free(st->zone);
}

const struct probe_ops probe_dns_auth_ops = {
	.state_size = sizeof(struct auth_state),
	.start = start,
	.cleanup = cleanup,
};
