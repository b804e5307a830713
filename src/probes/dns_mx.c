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
#include "strbuf.h"
#include "xmalloc.h"
#include "names.h"

/* MX targets looked up per domain (the set is the server's to make as
   big as it likes; beyond this the check says how many were left). */
#define MAX_TARGETS 16
/* Domains named in a node's "is MX for" line; the data lists them all. */
#define MAX_LISTED 8

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
	struct mx_domain *d; /* node mode: one per domain of the cluster */
	size_t nd;
	size_t ntotal; /* MX records, targets beyond MAX_TARGETS included */
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

	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(st->mx->rrs, i);
		const ldns_rdf *pref = ldns_rr_rdf(rr, 0);
		const ldns_rdf *ex = ldns_rr_rdf(rr, 1);
		if (pref == NULL || ex == NULL)
			continue;
		if (st->nt == MAX_TARGETS) {
			st->ntotal++;
			continue;
		}
		st->ntotal++;
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
		probe_finish_hint(p, CODE_NOTHING_CONFIGURED, MR_SKIP,
		                  "add domains = ... to [cluster]",
		                  "no mail domains configured: nothing to be "
		                  "an MX target of");
		return;
	}
	st->nd = cfg->ndomains;
	st->d = xcalloc(st->nd, sizeof(*st->d));
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
	free(st->d);
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
judge_target(struct probe *p, struct mx_target *t)
{
	const struct netpolicy *np = probe_run(p)->np;
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	if (t->literal) {
		f = probe_add(p, CODE_MX_IP_LITERAL, MR_FAIL,
		              "MX target %s is an IP address, not a host name",
		              t->name);
		mr_finding_hint(f, "point the MX at a host name with A/AAAA "
		                   "records (RFC 5321 5.1)");
		mr_finding_set_text(f, "target", t->name);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = t->r[i];
		if (r->status == DNS_OK &&
		    ldns_rr_list_rr_count(r->chain) > 0) {
			f = probe_add(p, CODE_MX_CNAME, MR_FAIL,
			              "MX target %s is an alias (CNAME) of %s",
			              t->name, r->final_name);
			mr_finding_hint(f,
			                "point the MX at %s directly (RFC 2181 "
			                "10.3)",
			                r->final_name);
			mr_finding_set_text(f, "target", t->name);
			mr_finding_set_text(f, "canonical", r->final_name);
			return;
		}
	}
	if (t->r[0]->status != DNS_OK && t->r[1]->status != DNS_OK) {
		const struct dns_reply *r = t->r[0];
		if (dns_status_is_transport(r->status)) {
			f = probe_dns_unanswered(p, r, t->name, "A");
		} else {
			char *d = dns_reply_describe(r);
			f = probe_add(
				p, CODE_MX_TARGET_NO_ADDRESS, MR_FAIL,
				"MX target %s has no A or AAAA record (%s)",
				t->name, d);
			mr_finding_hint(f,
			                "publish the address of %s, or fix "
			                "the MX",
			                t->name);
			free(d);
		}
		mr_finding_set_text(f, "target", t->name);
		return;
	}
	for (int i = 0; i < 2; i++) {
		size_t n;
		struct mr_addr *a = dns_reply_addrs(t->r[i], &n);
		for (size_t j = 0; j < n; j++) {
			if (netpolicy_is_public(np, &a[j]))
				continue;
			f = probe_add(p, CODE_MX_TARGET_PRIVATE, MR_FAIL,
			              "MX target %s resolves to %s, a %s "
			              "address the Internet cannot reach",
			              t->name, mr_addr_str(&a[j], as),
			              addr_class_name(addr_classify(&a[j])));
			mr_finding_hint(f, "publish the public address of %s",
			                t->name);
			mr_finding_set_text(f, "target", t->name);
			mr_finding_set_text(f, "address", as);
		}
		free(a);
	}
}

static char *
targets_str(const struct mx_state *st)
{
	struct strbuf b = STRBUF_INIT;

	for (size_t i = 0; i < st->nt; i++) {
		strbuf_sep(&b, ", ");
		strbuf_addf(&b, "%u %s", st->t[i].pref, st->t[i].name);
	}
	return st->nt ? strbuf_take(&b) : xstrdup("(none)");
}

static json_t *
targets_json(const struct mx_state *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->nt; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "preference",
		                    json_integer(st->t[i].pref));
		json_object_set_new(o, "target", mr_json_text(st->t[i].name));
		json_array_append_new(a, o);
	}
	return a;
}

static void
evaluate_domain(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	const struct mr_config *cfg = probe_run(p)->cfg;
	struct mr_result *res = probe_result(p);
	struct mr_finding *f;

	if (st->mx->status != DNS_OK) {
		char *d = dns_reply_describe(st->mx);
		if (dns_status_is_transport(st->mx->status)) {
			probe_dns_unanswered(p, st->mx, domain, "MX");
		} else if (st->mx->status == DNS_NXDOMAIN) {
			f = probe_add(
				p, CODE_DOMAIN_MISSING, MR_FAIL,
				"domain %s does not exist on the Internet "
				"(%s)",
				domain, d);
			mr_finding_hint(f, "register or delegate %s", domain);
		} else {
			f = probe_add(p, CODE_MX_MISSING, MR_FAIL,
			              "%s has no MX record (%s)", domain, d);
			mr_finding_hint(
				f,
				"publish %s MX 10 <one of the cluster's "
				"MTA nodes>",
				domain);
		}
		free(d);
		probe_done(p);
		return;
	}
	if (is_null_mx(st->mx)) {
		probe_finish_hint(p, CODE_MX_NULL, MR_FAIL,
		                  "replace it with MX 10 <an MTA node>",
		                  "%s publishes a null MX (RFC 7505: this "
		                  "domain accepts no mail)",
		                  domain);
		return;
	}
	if (st->ntotal > st->nt) {
		f = probe_add(p, CODE_LIMIT_REACHED, MR_WARN,
		              "%s has %zu MX records; the first %d were "
		              "checked (a bound of mailready: MAX_TARGETS)",
		              domain, st->ntotal, MAX_TARGETS);
		mr_finding_hint(f, "a handful of MX hosts is enough; more "
		                   "only slows senders down");
		mr_finding_set_int(f, "limit", MAX_TARGETS);
		mr_finding_set_int(f, "found", (long long)st->ntotal);
	}
	bool ours = false;
	for (size_t i = 0; i < st->nt; i++) {
		const struct mx_target *t = &st->t[i];
		judge_target(p, &st->t[i]);
		/* Through a CNAME the mail still lands on the node. */
		ours = ours || is_cluster_node(cfg, t->name) ||
		       (t->r[0] && is_cluster_node(cfg, t->r[0]->final_name));
	}
	char *ts = targets_str(st);
	if (!ours) {
		f = probe_add(p, CODE_MX_NOT_CLUSTER, MR_WARN,
		              "no MX target of %s is a node of this cluster "
		              "(MX %s): mail for %s goes elsewhere",
		              domain, ts, domain);
		mr_finding_hint(f,
		                "point the MX at the cluster's MTA nodes, or "
		                "list the MX hosts as nodes");
		mr_finding_set(f, "mx", targets_json(st));
	}
	if (res->status <= MR_PASS) {
		f = probe_add(p, CODE_MX_OK, MR_PASS, "%s MX %s", domain, ts);
		mr_finding_set(f, "mx", targets_json(st));
	}
	free(ts);
	probe_done(p);
}

static void
evaluate_node(struct probe *p)
{
	struct mx_state *st = probe_state(p);
	const char *name = probe_item(p)->node->name;
	struct strbuf listed = STRBUF_INIT;
	const struct dns_reply *failed = NULL;
	const char *failed_domain = NULL;
	json_t *as_mx = json_array();

	for (size_t i = 0; i < st->nd; i++) {
		const struct dns_reply *r = st->d[i].r;
		if (dns_status_is_transport(r->status)) {
			if (failed == NULL) {
				failed = r;
				failed_domain = st->d[i].domain;
			}
			continue;
		}
		for (size_t j = 0;
		     r->status == DNS_OK && j < ldns_rr_list_rr_count(r->rrs);
		     j++) {
			const ldns_rr *rr = ldns_rr_list_rr(r->rrs, j);
			const ldns_rdf *ex = ldns_rr_rdf(rr, 1);
			char *t = ex ? dns_rdf_name(ex) : NULL;
			if (t && name_equal(t, name)) {
				unsigned pref = ldns_rdf2native_int16(
					ldns_rr_rdf(rr, 0));
				if (json_array_size(as_mx) < MAX_LISTED) {
					strbuf_sep(&listed, ", ");
					strbuf_addf(&listed, "MX %u for %s",
					            pref, st->d[i].domain);
				}
				json_t *o = json_object();
				json_object_set_new(
					o, "domain",
					json_string(st->d[i].domain));
				json_object_set_new(o, "preference",
				                    json_integer(pref));
				json_array_append_new(as_mx, o);
			}
			free(t);
		}
	}
	struct mr_finding *f;
	if (json_array_size(as_mx) > MAX_LISTED)
		strbuf_addf(&listed, " and of %zu more domains",
		            json_array_size(as_mx) - MAX_LISTED);
	if (listed.len > 0) {
		f = probe_add(p, CODE_MX_NODE_OK, MR_PASS, "%s is %s", name,
		              strbuf_str(&listed));
		mr_finding_set(f, "mx_of", json_incref(as_mx));
	} else if (failed != NULL) {
		probe_dns_unanswered(p, failed, failed_domain, "MX");
	} else {
		f = probe_add(p, CODE_MX_NODE_NOT_TARGET, MR_WARN,
		              "%s is not an MX target of any cluster domain; "
		              "it receives no mail from the Internet (fine for "
		              "an outbound-only MTA)",
		              name);
		mr_finding_hint(f,
		                "add %s to the MX set of the domains it "
		                "should receive mail for",
		                name);
	}
	json_decref(as_mx);
	strbuf_reset(&listed);
	probe_done(p);
}

const struct probe_ops probe_dns_mx_ops = {
	.state_size = sizeof(struct mx_state),
	.start = start,
	.cleanup = cleanup,
};
