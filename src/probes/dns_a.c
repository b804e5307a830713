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

/* Both families absent, or a resolver failure: say which. */
static bool
judge_missing(struct probe *p, const struct mr_addr *declared, size_t ndecl)
{
	struct dns_a_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;
	const struct dns_reply *a = st->reply[0], *aaaa = st->reply[1];
	const char *where = st->view == DNS_VIEW_INSIDE ? "internal clients"
	                                                : "the Internet";

	if (a->status == DNS_OK || aaaa->status == DNS_OK)
		return false;
	/* NXDOMAIN settles it; otherwise a failed query leaves it open. */
	bool nx = a->status == DNS_NXDOMAIN || aaaa->status == DNS_NXDOMAIN;
	const struct dns_reply *failed = dns_status_is_transport(a->status) ? a
	                                 : dns_status_is_transport(aaaa->status)
	                                         ? aaaa
	                                         : NULL;
	if (!nx && failed != NULL) {
		char *d = dns_reply_describe(failed);
		probe_finish(p, MR_UNKNOWN, "cannot tell what %s %s for %s: %s",
		             where,
		             st->view == DNS_VIEW_INSIDE ? "see" : "sees",
		             node->name, d);
		free(d);
		return true;
	}
	char *d = dns_reply_describe(a);
	if (st->view == DNS_VIEW_OUTSIDE && ndecl == 0) {
		probe_finish(p, MR_PASS,
		             "%s is not published on the Internet (%s), as "
		             "expected for a node with no public address",
		             node->name, d);
	} else if (ndecl > 0) {
		char *want = addr_list_str(declared, ndecl);
		probe_finish(p, MR_FAIL,
		             "%s does not resolve for %s (%s); publish %s A/"
		             "AAAA %s in the %s zone",
		             node->name, where, d, node->name, want,
		             st->view == DNS_VIEW_INSIDE ? "internal"
		                                         : "public");
		free(want);
	} else {
		probe_finish(p, MR_FAIL,
		             "%s does not resolve for %s (%s); publish an A "
		             "record for it",
		             node->name, where, d);
	}
	free(d);
	return true;
}

static void
note_family_failure(struct probe *p, struct findings *f)
{
	struct dns_a_state *st = probe_state(p);
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = st->reply[i];
		if (!dns_status_is_transport(r->status))
			continue;
		char *d = dns_reply_describe(r);
		findings_add(f, MR_WARN,
		             "the %s query failed (%s) while the other worked: "
		             "some clients will stall on this name",
		             i == 0 ? "A" : "AAAA", d);
		free(d);
	}
}

static void
note_cname(struct probe *p, struct findings *f)
{
	struct dns_a_state *st = probe_state(p);
	for (int i = 0; i < 2; i++) {
		const struct dns_reply *r = st->reply[i];
		if (r->status != DNS_OK || ldns_rr_list_rr_count(r->chain) == 0)
			continue;
		findings_add(f, MR_WARN,
		             "%s is an alias (CNAME) of %s; a mail host needs "
		             "its own A/AAAA records",
		             probe_item(p)->node->name, r->final_name);
		return;
	}
}

static void
evaluate_inside(struct probe *p, const struct mr_addr *got, size_t ngot,
                struct findings *f)
{
	const struct mr_node *node = probe_item(p)->node;
	const struct mr_addr *want = node->internal_addrs;
	size_t nwant = node->ninternal;
	const char *kind = "internal";
	char as[MR_ADDR_STRLEN];

	if (nwant == 0) {
		want = node->public_addrs;
		nwant = node->npublic;
		kind = "public";
	}
	for (size_t i = 0; i < ngot; i++)
		if (addr_classify(&got[i]) == ADDR_LOOPBACK &&
		    !node_declares(node, &got[i]) && !node_is_loopback(node))
			findings_add(f, MR_FAIL,
			             "internal clients get the loopback "
			             "address %s for %s: they would connect "
			             "to themselves; publish the node's "
			             "internal address",
			             mr_addr_str(&got[i], as), node->name);
	if (nwant == 0)
		return;
	bool any = false;
	for (size_t i = 0; i < ngot; i++)
		any = any || addr_in(want, nwant, &got[i]);
	char *gs = addr_list_str(got, ngot), *ws = addr_list_str(want, nwant);
	if (!any) {
		findings_add(f, MR_FAIL,
		             "internal clients get %s for %s; it must be %s "
		             "(declared %s)",
		             gs, node->name, ws, kind);
	} else {
		for (size_t i = 0; i < nwant; i++)
			if (!addr_in(got, ngot, &want[i]))
				findings_add(f, MR_WARN,
				             "declared %s address %s is not "
				             "published for internal clients",
				             kind, mr_addr_str(&want[i], as));
		for (size_t i = 0; i < ngot; i++)
			if (!node_declares(node, &got[i]))
				findings_add(f, MR_WARN,
				             "%s also resolves to %s, which is "
				             "not a declared address of the "
				             "node",
				             node->name,
				             mr_addr_str(&got[i], as));
	}
	free(gs);
	free(ws);
}

static void
evaluate_outside(struct probe *p, const struct mr_addr *got, size_t ngot,
                 struct findings *f)
{
	const struct mr_node *node = probe_item(p)->node;
	const struct netpolicy *np = probe_run(p)->np;
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < ngot; i++) {
		if (netpolicy_is_public(np, &got[i]))
			continue;
		findings_add(f, MR_FAIL,
		             "the Internet sees %s at %s, a %s address "
		             "(not public); publish the public address "
		             "instead, or keep this record in the internal "
		             "zone only",
		             node->name, mr_addr_str(&got[i], as),
		             addr_class_name(addr_classify(&got[i])));
	}
	size_t npub = 0;
	for (size_t i = 0; i < ngot; i++)
		npub += netpolicy_is_public(np, &got[i]);
	if (node->npublic == 0 && npub == 0)
		return;
	if (node->npublic == 0) {
		char *gs = addr_list_str(got, ngot);
		findings_add(f, MR_WARN,
		             "%s is published on the Internet at %s but the "
		             "config declares no public address for it; add "
		             "public = ... to [node %s]",
		             node->name, gs, node->name);
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
		findings_add(f, MR_FAIL,
		             "the Internet sees %s at %s; it must be %s "
		             "(declared public)",
		             node->name, gs, ws);
		free(gs);
		free(ws);
		return;
	}
	for (size_t i = 0; i < node->npublic; i++)
		if (!addr_in(got, ngot, &node->public_addrs[i]))
			findings_add(f, MR_WARN,
			             "declared public address %s is not "
			             "published (no %s record)",
			             mr_addr_str(&node->public_addrs[i], as),
			             node->public_addrs[i].family == AF_INET
			                     ? "A"
			                     : "AAAA");
	for (size_t i = 0; i < ngot; i++)
		if (!node_declares(node, &got[i]) &&
		    netpolicy_is_public(np, &got[i]))
			findings_add(f, MR_WARN,
			             "%s also resolves to %s on the Internet, "
			             "which is not a declared address",
			             node->name, mr_addr_str(&got[i], as));
}

static void
evaluate(struct probe *p)
{
	struct dns_a_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;
	struct findings f = {0};
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

	note_cname(p, &f);
	note_family_failure(p, &f);
	if (st->view == DNS_VIEW_INSIDE)
		evaluate_inside(p, got, ngot, &f);
	else
		evaluate_outside(p, got, ngot, &f);
	if (f.n == 0 || f.worst <= MR_PASS) {
		char *gs = addr_list_str(got, ngot);
		findings_add(&f, MR_PASS, "%s resolves to %s via %s",
		             node->name, gs,
		             dns_view_describe(probe_dns(p), st->view));
		free(gs);
	}
	free(got);
	findings_finish(&f, p);
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
