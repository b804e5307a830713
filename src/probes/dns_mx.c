/*
 * dns_mx.c -- dns.mx, for a domain and for an MTA node.
 *
 * Domain: the MX set exists in the outside view, is not a null MX, and
 * every target is a host name (not an IP literal, not a CNAME) with public
 * A/AAAA records; one target is a node of the cluster.
 * MTA node: the node is an MX target of at least one cluster domain.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netpolicy.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"
#include "names.h"

#define MAX_TARGETS 16
#define MAX_DOMAINS 32

struct mx_target {
	struct probe *p;
	char *name;
	unsigned pref;
	bool literal;
	struct dns_req *req[2]; /* A, AAAA */
	const struct dns_reply *r[2];
};

struct mx_domain {
	struct probe *p;
	const char *domain;
	struct dns_req *req;
	const struct dns_reply *r;
};

struct mx_state {
	struct dns_req *mx_req;
	const struct dns_reply *mx;
	struct mx_target t[MAX_TARGETS];
	size_t nt;
	struct mx_domain d[MAX_DOMAINS]; /* node mode */
	size_t nd;
	int pending;
};

static void evaluate_domain(struct probe *p);
static void evaluate_node(struct probe *p);

static void
target_step(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	if (--st->pending == 0)
		evaluate_domain(p);
}

static void
on_target_a(void *arg, const struct dns_reply *r)
{
	struct mx_target *t = arg;
	t->req[0] = NULL;
	t->r[0] = r;
	target_step(t->p);
}

static void
on_target_aaaa(void *arg, const struct dns_reply *r)
{
	struct mx_target *t = arg;
	t->req[1] = NULL;
	t->r[1] = r;
	target_step(t->p);
}

static bool
is_null_mx(const struct dns_reply *r)
{
	if (ldns_rr_list_rr_count(r->rrs) != 1)
		return false;
	const ldns_rr *rr = ldns_rr_list_rr(r->rrs, 0);
	const ldns_rdf *ex = ldns_rr_rdf(rr, 1);
	return ex != NULL && ldns_dname_label_count(ex) == 0;
}

static void
collect_targets(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	size_t n = ldns_rr_list_rr_count(st->mx->rrs);

	for (size_t i = 0; i < n && st->nt < MAX_TARGETS; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(st->mx->rrs, i);
		const ldns_rdf *pref = ldns_rr_rdf(rr, 0);
		const ldns_rdf *ex = ldns_rr_rdf(rr, 1);
		if (pref == NULL || ex == NULL)
			continue;
		struct mx_target *t = &st->t[st->nt++];
		struct mr_addr a;
		t->p = p;
		t->pref = ldns_rdf2native_int16(pref);
		t->name = dns_rdf_name(ex);
		t->literal = mr_addr_parse(t->name, &a) == 0;
	}
}

static void
on_mx(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct mx_state *st = probe_state(p);

	st->mx_req = NULL;
	st->mx = r;
	if (r->status != DNS_OK || is_null_mx(r)) {
		evaluate_domain(p);
		return;
	}
	collect_targets(p);
	probe_waiting(p, "A/AAAA of the MX targets of %s",
	              probe_item(p)->domain);
	st->pending = 1; /* held until every lookup is sent */
	for (size_t i = 0; i < st->nt; i++) {
		struct mx_target *t = &st->t[i];
		if (t->literal)
			continue;
		st->pending += 2;
		t->req[0] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, t->name,
		                       LDNS_RR_TYPE_A, on_target_a, t);
		t->req[1] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, t->name,
		                       LDNS_RR_TYPE_AAAA, on_target_aaaa, t);
	}
	target_step(p);
}

static void
on_node_domain(void *arg, const struct dns_reply *r)
{
	struct mx_domain *d = arg;
	struct mx_state *st = probe_state(d->p);
	d->req = NULL;
	d->r = r;
	if (--st->pending == 0)
		evaluate_node(d->p);
}

static void
start(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	const struct mr_config *cfg = probe_run(p)->cfg;

	if (it->domain != NULL) {
		probe_waiting(
			p, "MX of %s from %s", it->domain,
			dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
		st->mx_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE,
		                        it->domain, LDNS_RR_TYPE_MX, on_mx, p);
		return;
	}
	if (cfg->ndomains == 0) {
		probe_finish(p, MR_SKIP,
		             "no mail domains configured (domains = ... in "
		             "[cluster]): nothing to be an MX target of");
		return;
	}
	st->nd = cfg->ndomains < MAX_DOMAINS ? cfg->ndomains : MAX_DOMAINS;
	st->pending = (int)st->nd;
	probe_waiting(p, "MX of the cluster's domains from %s",
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	for (size_t i = 0; i < st->nd; i++) {
		st->d[i].p = p;
		st->d[i].domain = cfg->domains[i];
	}
	for (size_t i = 0; i < st->nd; i++)
		st->d[i].req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE,
		                          st->d[i].domain, LDNS_RR_TYPE_MX,
		                          on_node_domain, &st->d[i]);
}

static void
cleanup(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	dns_cancel(st->mx_req);
	for (size_t i = 0; i < st->nt; i++) {
		dns_cancel(st->t[i].req[0]);
		dns_cancel(st->t[i].req[1]);
		free(st->t[i].name);
	}
	for (size_t i = 0; i < st->nd; i++)
		dns_cancel(st->d[i].req);
}

static bool
is_cluster_node(const struct mr_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nnodes; i++)
		if (name_equal(cfg->nodes[i].name, name))
			return true;
	return false;
}

static void
judge_target(struct probe *p, struct mx_target *t, struct findings *f)
{
	const struct netpolicy *np = probe_run(p)->np;
	char as[MR_ADDR_STRLEN];

	if (t->literal) {
		findings_add(f, MR_FAIL,
		             "MX target %s is an IP address; an MX must name "
		             "a host with A/AAAA records (RFC 5321 5.1)",
		             t->name);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = t->r[i];
		if (r->status == DNS_OK &&
		    ldns_rr_list_rr_count(r->chain) > 0) {
			findings_add(f, MR_FAIL,
			             "MX target %s is an alias (CNAME) of %s; "
			             "point the MX at %s directly (RFC 2181 "
			             "10.3)",
			             t->name, r->final_name, r->final_name);
			return;
		}
	}
	if (t->r[0]->status != DNS_OK && t->r[1]->status != DNS_OK) {
		const struct dns_reply *r = t->r[0];
		char *d = dns_reply_describe(r);
		findings_add(f,
		             dns_status_is_transport(r->status) ? MR_UNKNOWN
		                                                : MR_FAIL,
		             "MX target %s has no A or AAAA record (%s); "
		             "publish its address or fix the MX",
		             t->name, d);
		free(d);
		return;
	}
	for (int i = 0; i < 2; i++) {
		size_t n;
		struct mr_addr *a = dns_reply_addrs(t->r[i], &n);
		for (size_t j = 0; j < n; j++)
			if (!netpolicy_is_public(np, &a[j]))
				findings_add(
					f, MR_FAIL,
					"MX target %s resolves to %s, a "
					"%s address the Internet cannot "
					"reach",
					t->name, mr_addr_str(&a[j], as),
					addr_class_name(addr_classify(&a[j])));
		free(a);
	}
}

static char *
targets_str(const struct mx_state *st)
{
	char *s = NULL;
	for (size_t i = 0; i < st->nt; i++) {
		char *t = xasprintf("%s%s%u %s", s ? s : "", s ? ", " : "",
		                    st->t[i].pref, st->t[i].name);
		free(s);
		s = t;
	}
	return s ? s : xstrdup("(none)");
}

static void
evaluate_domain(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	const struct mr_config *cfg = probe_run(p)->cfg;
	struct findings f = {0};

	if (st->mx->status != DNS_OK) {
		char *d = dns_reply_describe(st->mx);
		if (dns_status_is_transport(st->mx->status))
			probe_finish(p, MR_UNKNOWN,
			             "cannot tell the MX of %s: %s", domain, d);
		else if (st->mx->status == DNS_NXDOMAIN)
			probe_finish(p, MR_FAIL,
			             "domain %s does not exist on the Internet "
			             "(%s); register or delegate it",
			             domain, d);
		else
			probe_finish(p, MR_FAIL,
			             "%s has no MX record (%s); publish %s MX "
			             "10 <one of the cluster's MTA nodes>",
			             domain, d, domain);
		free(d);
		return;
	}
	if (is_null_mx(st->mx)) {
		probe_finish(p, MR_FAIL,
		             "%s publishes a null MX (RFC 7505: this domain "
		             "accepts no mail); replace it with MX 10 <an MTA "
		             "node>",
		             domain);
		return;
	}
	bool ours = false;
	for (size_t i = 0; i < st->nt; i++) {
		const struct mx_target *t = &st->t[i];
		judge_target(p, &st->t[i], &f);
		/* Through a CNAME the mail still lands on the node. */
		ours = ours || is_cluster_node(cfg, t->name) ||
		       (t->r[0] && is_cluster_node(cfg, t->r[0]->final_name));
	}
	char *ts = targets_str(st);
	if (!ours)
		findings_add(&f, MR_WARN,
		             "no MX target of %s is a node of this cluster "
		             "(MX %s): mail for %s goes elsewhere",
		             domain, ts, domain);
	if (f.worst <= MR_PASS)
		findings_add(&f, MR_PASS, "%s MX %s", domain, ts);
	free(ts);
	findings_finish(&f, p);
}

static void
evaluate_node(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	const char *name = probe_item(p)->node->name;
	struct findings f = {0};
	char *listed = NULL, *unknown = NULL;

	for (size_t i = 0; i < st->nd; i++) {
		const struct dns_reply *r = st->d[i].r;
		if (dns_status_is_transport(r->status)) {
			char *d = dns_reply_describe(r);
			char *u = xasprintf(
				"%s%s%s (%s)", unknown ? unknown : "",
				unknown ? ", " : "", st->d[i].domain, d);
			free(d);
			free(unknown);
			unknown = u;
			continue;
		}
		for (size_t j = 0;
		     r->status == DNS_OK && j < ldns_rr_list_rr_count(r->rrs);
		     j++) {
			const ldns_rr *rr = ldns_rr_list_rr(r->rrs, j);
			const ldns_rdf *ex = ldns_rr_rdf(rr, 1);
			char *t = ex ? dns_rdf_name(ex) : NULL;
			if (t && name_equal(t, name)) {
				char *l = xasprintf("%s%sMX %u for %s",
				                    listed ? listed : "",
				                    listed ? ", " : "",
				                    ldns_rdf2native_int16(
							    ldns_rr_rdf(rr, 0)),
				                    st->d[i].domain);
				free(listed);
				listed = l;
			}
			free(t);
		}
	}
	if (listed)
		findings_add(&f, MR_PASS, "%s is %s", name, listed);
	else if (unknown)
		findings_add(&f, MR_UNKNOWN,
		             "cannot tell whether %s is an MX "
		             "target: %s",
		             name, unknown);
	else
		findings_add(&f, MR_WARN,
		             "%s is not an MX target of any cluster domain; it "
		             "receives no mail from the Internet (fine for an "
		             "outbound-only MTA)",
		             name);
	free(listed);
	free(unknown);
	findings_finish(&f, p);
}

const struct probe_ops probe_dns_mx_ops = {
	.state_size = sizeof(struct mx_state),
	.start = start,
	.cleanup = cleanup,
};
