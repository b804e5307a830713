/*
 * dns_a.c -- dns.a.inside and dns.a.outside: does the node's name resolve,
 * in each view, to the addresses the config declares?
 *
 * Inside: internal clients must get the internal address (split horizon).
 * Outside: the Internet must get the public address, and nothing private.
 */
#include <stdlib.h>
#include <string.h>

#include "netpolicy.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"

struct dns_a_state {
	enum dns_view view;
	struct dns_req *req[2]; /* A, AAAA */
	const struct dns_reply *reply[2];
	int pending;
};

static void evaluate(struct probe *p);

static void
on_reply(struct probe *p, int i, const struct dns_reply *r)
{
	struct dns_a_state *st = probe_state(p);
	st->req[i] = NULL;
	st->reply[i] = r;
	if (--st->pending == 0)
		evaluate(p);
}

static void
on_a(void *arg, const struct dns_reply *r)
{
	on_reply(arg, 0, r);
}

static void
on_aaaa(void *arg, const struct dns_reply *r)
{
	on_reply(arg, 1, r);
}

static void
start(struct probe *p, enum dns_view view)
{
	struct dns_a_state *st = probe_state(p);
	const char *name = probe_item(p)->node->name;

	st->view = view;
	st->pending = 2;
	probe_waiting(p, "A/AAAA of %s from %s", name,
	              dns_view_describe(probe_dns(p), view));
	st->req[0] =
		dns_lookup(probe_dns(p), view, name, LDNS_RR_TYPE_A, on_a, p);
	st->req[1] = dns_lookup(probe_dns(p), view, name, LDNS_RR_TYPE_AAAA,
	                        on_aaaa, p);
}

static void
start_inside(struct probe *p)
{
	start(p, DNS_VIEW_INSIDE);
}

static void
start_outside(struct probe *p)
{
	start(p, DNS_VIEW_OUTSIDE);
}

static void
cleanup(struct probe *p)
{
	struct dns_a_state *st = probe_state(p);
	for (int i = 0; i < 2; i++)
		dns_cancel(st->req[i]);
}

static const char *
audience(const struct dns_a_state *st)
{
	return st->view == DNS_VIEW_INSIDE ? "internal clients"
	                                   : "the Internet";
}

/* Both families absent, or a resolver failure: say which. */
static bool
judge_missing(struct probe *p, const struct mr_addr *declared, size_t ndecl)
{
	struct dns_a_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;
	const struct dns_reply *a = st->reply[0], *aaaa = st->reply[1];
	struct mr_finding *f;

	if (a->status == DNS_OK || aaaa->status == DNS_OK)
		return false;
	/* NXDOMAIN settles it; otherwise a failed query leaves it open. */
	bool nx = a->status == DNS_NXDOMAIN || aaaa->status == DNS_NXDOMAIN;
	const struct dns_reply *failed = dns_status_is_transport(a->status) ? a
	                                 : dns_status_is_transport(aaaa->status)
	                                         ? aaaa
	                                         : NULL;
	if (!nx && failed != NULL) {
		probe_dns_unanswered(p, failed, node->name,
		                     failed == a ? "A" : "AAAA");
		probe_done(p);
		return true;
	}
	char *d = dns_reply_describe(a);
	if (st->view == DNS_VIEW_OUTSIDE && ndecl == 0) {
		f = probe_add(p, CODE_A_NOT_PUBLIC, MR_PASS,
		              "%s is not published on the Internet (%s), as "
		              "expected for a node with no public address",
		              node->name, d);
	} else {
		f = probe_add(p, CODE_A_MISSING, MR_FAIL,
		              "%s does not resolve for %s (%s)", node->name,
		              audience(st), d);
		char *want = ndecl ? addr_list_str(declared, ndecl)
		                   : xstrdup("its address");
		mr_finding_hint(f, "publish %s A/AAAA %s in the %s zone",
		                node->name, want,
		                st->view == DNS_VIEW_INSIDE ? "internal"
		                                            : "public");
		mr_finding_set(f, "expected", addr_list_json(declared, ndecl));
		free(want);
	}
	mr_finding_set_text(f, "outcome", dns_status_name(a->status));
	free(d);
	probe_done(p);
	return true;
}

static void
note_family_failure(struct probe *p)
{
	struct dns_a_state *st = probe_state(p);
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = st->reply[i];
		if (!dns_status_is_transport(r->status))
			continue;
		char *d = dns_reply_describe(r);
		struct mr_finding *f = probe_add(
			p, CODE_A_FAMILY_FAILED, MR_WARN,
			"the %s query failed (%s) while the other worked: some "
			"clients will stall on this name",
			i == 0 ? "A" : "AAAA", d);
		mr_finding_hint(f, "fix the resolver or zone for %s queries",
		                i == 0 ? "A" : "AAAA");
		free(d);
	}
}

static void
note_cname(struct probe *p)
{
	struct dns_a_state *st = probe_state(p);
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = st->reply[i];
		if (r->status != DNS_OK || ldns_rr_list_rr_count(r->chain) == 0)
			continue;
		struct mr_finding *f =
			probe_add(p, CODE_A_CNAME, MR_WARN,
		                  "%s is an alias (CNAME) of %s",
		                  probe_item(p)->node->name, r->final_name);
		mr_finding_hint(f,
		                "give %s its own A/AAAA records: a mail host "
		                "should not be an alias",
		                probe_item(p)->node->name);
		mr_finding_set_text(f, "canonical", r->final_name);
		return;
	}
}

static void
set_addrs(struct mr_finding *f, const struct mr_addr *got, size_t ngot,
          const struct mr_addr *want, size_t nwant)
{
	mr_finding_set(f, "found", addr_list_json(got, ngot));
	mr_finding_set(f, "expected", addr_list_json(want, nwant));
	if (ngot > ADDR_LIST_MAX)
		mr_finding_set_int(f, "found_count", (long long)ngot);
	if (nwant > ADDR_LIST_MAX)
		mr_finding_set_int(f, "expected_count", (long long)nwant);
}

static void
evaluate_inside(struct probe *p, const struct mr_addr *got, size_t ngot)
{
	const struct mr_node *node = probe_item(p)->node;
	const struct mr_addr *want = node->internal_addrs;
	size_t nwant = node->ninternal;
	const char *kind = "internal";
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	if (nwant == 0) {
		want = node->public_addrs;
		nwant = node->npublic;
		kind = "public";
	}
	for (size_t i = 0; i < ngot; i++)
		if (addr_classify(&got[i]) == ADDR_LOOPBACK &&
		    !node_declares(node, &got[i]) && !node_is_loopback(node)) {
			f = probe_add(
				p, CODE_A_LOOPBACK, MR_FAIL,
				"internal clients get the loopback address "
				"%s for %s: they would connect to "
				"themselves",
				mr_addr_str(&got[i], as), node->name);
			mr_finding_hint(
				f, "publish the node's internal address for "
				   "internal clients");
			set_addrs(f, got, ngot, want, nwant);
		}
	if (nwant == 0)
		return;
	bool any = false;
	for (size_t i = 0; i < ngot; i++)
		any = any || addr_in(want, nwant, &got[i]);
	if (!any) {
		char *gs = addr_list_str(got, ngot);
		char *ws = addr_list_str(want, nwant);
		f = probe_add(
			p, CODE_A_WRONG_ADDRESS, MR_FAIL,
			"internal clients get %s for %s, not the declared "
			"%s address %s",
			gs, node->name, kind, ws);
		mr_finding_hint(f,
		                "make the internal zone answer %s for %s, or "
		                "correct the node's %s = line",
		                ws, node->name, kind);
		set_addrs(f, got, ngot, want, nwant);
		free(gs);
		free(ws);
		return;
	}
	for (size_t i = 0; i < nwant; i++)
		if (!addr_in(got, ngot, &want[i])) {
			f = probe_add(p, CODE_A_DECLARED_MISSING, MR_WARN,
			              "declared %s address %s is not published "
			              "for internal clients",
			              kind, mr_addr_str(&want[i], as));
			mr_finding_hint(
				f, "add the %s record for %s",
				want[i].family == AF_INET ? "A" : "AAAA", as);
			set_addrs(f, got, ngot, want, nwant);
		}
	for (size_t i = 0; i < ngot; i++)
		if (!node_declares(node, &got[i])) {
			f = probe_add(p, CODE_A_EXTRA_ADDRESS, MR_WARN,
			              "%s also resolves to %s, which is not a "
			              "declared address of the node",
			              node->name, mr_addr_str(&got[i], as));
			mr_finding_hint(f,
			                "remove that record, or declare the "
			                "address in [node %s]",
			                node->name);
			set_addrs(f, got, ngot, want, nwant);
		}
}

static void
evaluate_outside(struct probe *p, const struct mr_addr *got, size_t ngot)
{
	const struct mr_node *node = probe_item(p)->node;
	const struct netpolicy *np = probe_run(p)->np;
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f;
	size_t npub = 0;

	for (size_t i = 0; i < ngot; i++) {
		if (netpolicy_is_public(np, &got[i])) {
			npub++;
			continue;
		}
		f = probe_add(p, CODE_A_PRIVATE_OUTSIDE, MR_FAIL,
		              "the Internet sees %s at %s, a %s address (not "
		              "public)",
		              node->name, mr_addr_str(&got[i], as),
		              addr_class_name(addr_classify(&got[i])));
		mr_finding_hint(f,
		                "publish the public address instead, or keep "
		                "this record in the internal zone only");
		set_addrs(f, got, ngot, node->public_addrs, node->npublic);
	}
	if (node->npublic == 0 && npub == 0)
		return;
	if (node->npublic == 0) {
		char *gs = addr_list_str(got, ngot);
		f = probe_add(p, CODE_A_UNDECLARED_PUBLIC, MR_WARN,
		              "%s is published on the Internet at %s but the "
		              "config declares no public address for it",
		              node->name, gs);
		mr_finding_hint(f, "add public = %s to [node %s]", gs,
		                node->name);
		set_addrs(f, got, ngot, NULL, 0);
		free(gs);
		return;
	}
	bool any = false;
	for (size_t i = 0; i < ngot; i++)
		any = any ||
		      addr_in(node->public_addrs, node->npublic, &got[i]);
	if (!any) {
		char *gs = addr_list_str(got, ngot);
		char *ws = addr_list_str(node->public_addrs, node->npublic);
		f = probe_add(p, CODE_A_WRONG_ADDRESS, MR_FAIL,
		              "the Internet sees %s at %s, not the declared "
		              "public address %s",
		              node->name, gs, ws);
		mr_finding_hint(f,
		                "make the public zone answer %s for %s, or "
		                "correct the node's public = line",
		                ws, node->name);
		set_addrs(f, got, ngot, node->public_addrs, node->npublic);
		free(gs);
		free(ws);
		return;
	}
	for (size_t i = 0; i < node->npublic; i++)
		if (!addr_in(got, ngot, &node->public_addrs[i])) {
			const char *type =
				node->public_addrs[i].family == AF_INET
					? "A"
					: "AAAA";
			f = probe_add(p, CODE_A_DECLARED_MISSING, MR_WARN,
			              "declared public address %s is not "
			              "published (no %s record)",
			              mr_addr_str(&node->public_addrs[i], as),
			              type);
			mr_finding_hint(f, "publish %s %s %s", node->name, type,
			                as);
			set_addrs(f, got, ngot, node->public_addrs,
			          node->npublic);
		}
	for (size_t i = 0; i < ngot; i++)
		if (!node_declares(node, &got[i]) &&
		    netpolicy_is_public(np, &got[i])) {
			f = probe_add(p, CODE_A_EXTRA_ADDRESS, MR_WARN,
			              "%s also resolves to %s on the Internet, "
			              "which is not a declared address",
			              node->name, mr_addr_str(&got[i], as));
			mr_finding_hint(f,
			                "remove that record, or declare the "
			                "address in [node %s]",
			                node->name);
			set_addrs(f, got, ngot, node->public_addrs,
			          node->npublic);
		}
}

static void
evaluate(struct probe *p)
{
	struct dns_a_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;
	struct mr_result *res = probe_result(p);
	size_t n4, n6;

	const struct mr_addr *decl = st->view == DNS_VIEW_INSIDE
	                                     ? node->internal_addrs
	                                     : node->public_addrs;
	size_t ndecl =
		st->view == DNS_VIEW_INSIDE ? node->ninternal : node->npublic;
	if (st->view == DNS_VIEW_INSIDE && ndecl == 0) {
		decl = node->public_addrs;
		ndecl = node->npublic;
	}
	if (judge_missing(p, decl, ndecl))
		return;
	struct mr_addr *a4 = dns_reply_addrs(st->reply[0], &n4);
	struct mr_addr *a6 = dns_reply_addrs(st->reply[1], &n6);
	struct mr_addr *got = xcalloc(n4 + n6 + 1, sizeof(*got));
	memcpy(got, a4, n4 * sizeof(*got));
	memcpy(got + n4, a6, n6 * sizeof(*got));
	size_t ngot = n4 + n6;
	free(a4);
	free(a6);

	note_cname(p);
	note_family_failure(p);
	if (st->view == DNS_VIEW_INSIDE)
		evaluate_inside(p, got, ngot);
	else
		evaluate_outside(p, got, ngot);
	if (res->nfindings == 0) {
		char *gs = addr_list_str(got, ngot);
		struct mr_finding *f =
			probe_add(p, CODE_A_OK, MR_PASS,
		                  "%s resolves to %s via %s", node->name, gs,
		                  dns_view_describe(probe_dns(p), st->view));
		mr_finding_set(f, "found", addr_list_json(got, ngot));
		free(gs);
	}
	free(got);
	probe_done(p);
}

const struct probe_ops probe_dns_a_inside_ops = {
	.state_size = sizeof(struct dns_a_state),
	.start = start_inside,
	.cleanup = cleanup,
};

const struct probe_ops probe_dns_a_outside_ops = {
	.state_size = sizeof(struct dns_a_state),
	.start = start_outside,
	.cleanup = cleanup,
};
