/*
 * dns_ptr.c -- dns.ptr: every public address of the node has a PTR naming
 * the node's FQDN, and that name resolves back to the address
 * (forward-confirmed reverse DNS, which receiving MTAs check).
 *
 * Per address: PTR lookup in the outside view, then the forward lookup of
 * the FQDN (A for IPv4, AAAA for IPv6). All addresses run in parallel.
 */
#include <stdlib.h>
#include <string.h>

#include "probes/common.h"
#include "probes/probes.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "names.h"

struct ptr_addr {
	struct probe *p;
	size_t index;
	struct mr_addr addr;
	char *rev;
	struct dns_req *ptr_req;
	struct dns_req *fwd_req;
	const struct dns_reply *ptr;
	const struct dns_reply *fwd;
};

struct ptr_state {
	struct ptr_addr *a; /* one per public address of the node */
	size_t n;
	int pending;
};

static void evaluate(struct probe *p);

static void
step_done(struct probe *p)
{
	struct ptr_state *st = probe_state(p);
	if (--st->pending == 0)
		evaluate(p);
}

static void
on_fwd(void *arg, const struct dns_reply *r)
{
	struct ptr_addr *pa = arg;
	pa->fwd_req = NULL;
	pa->fwd = r;
	step_done(pa->p);
}

static void
on_ptr(void *arg, const struct dns_reply *r)
{
	struct ptr_addr *pa = arg;
	const char *fqdn = probe_item(pa->p)->node->name;

	pa->ptr_req = NULL;
	pa->ptr = r;
	if (r->status == DNS_OK) {
		/* Forward-confirm against the FQDN, whatever the PTR says. */
		pa->fwd_req = dns_lookup(
			probe_dns(pa->p), DNS_VIEW_OUTSIDE, fqdn,
			pa->addr.family == AF_INET ? LDNS_RR_TYPE_A
						   : LDNS_RR_TYPE_AAAA,
			on_fwd, pa);
		return;
	}
	step_done(pa->p);
}

static void
start(struct probe *p)
{
	struct ptr_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;

	/* preflight without a file looked on the interfaces, in vain:
	   the PTR is not irrelevant, only unknown (NAT). */
	if (node->npublic == 0 && node->public_from == MR_PUBLIC_NOT_FOUND) {
		probe_finish_hint(p, CODE_PUBLIC_ADDRESS_UNKNOWN, MR_UNKNOWN,
		                  "give the address the Internet sees this "
		                  "host by: mailready preflight --public ADDR",
		                  "PTR cannot be judged without --public: no "
		                  "address on this host's interfaces is public "
		                  "(behind NAT the Internet sees another one)");
		return;
	}
	if (node->npublic == 0) {
		probe_finish(p, CODE_NO_PUBLIC_ADDRESS, MR_SKIP,
		             "%s has no public address: PTR records matter "
		             "for the addresses that talk to the Internet",
		             node->name);
		return;
	}
	st->n = node->npublic;
	st->a = xcalloc(st->n, sizeof(*st->a));
	st->pending = (int)st->n;
	probe_waiting(p, "PTR records of %s from %s", node->name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	for (size_t i = 0; i < st->n; i++) {
		struct ptr_addr *pa = &st->a[i];
		pa->p = p;
		pa->index = i;
		pa->addr = node->public_addrs[i];
		pa->rev = dns_reverse_name(&pa->addr);
	}
	for (size_t i = 0; i < st->n; i++)
		st->a[i].ptr_req =
			dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->a[i].rev,
		                   LDNS_RR_TYPE_PTR, on_ptr, &st->a[i]);
}

static void
cleanup(struct probe *p)
{
	struct ptr_state *st = probe_state(p);
	for (size_t i = 0; i < st->n; i++) {
		dns_cancel(st->a[i].ptr_req);
		dns_cancel(st->a[i].fwd_req);
		free(st->a[i].rev);
	}
	free(st->a);
}

static char *
ptr_names(const struct dns_reply *r, bool *has_fqdn, const char *fqdn,
          size_t *n, json_t **list)
{
	struct strbuf b = STRBUF_INIT;

	*has_fqdn = false;
	*n = ldns_rr_list_rr_count(r->rrs);
	*list = json_array();
	for (size_t i = 0; i < *n; i++) {
		const ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(r->rrs, i), 0);
		char *name = rd ? dns_rdf_name(rd) : xstrdup("?");
		if (name_equal(name, fqdn))
			*has_fqdn = true;
		strbuf_sep(&b, ", ");
		strbuf_add(&b, name);
		json_array_append_new(*list, mr_json_text(name));
		free(name);
	}
	return strbuf_take(&b);
}

static void
ptr_data(struct mr_finding *f, const char *addr, const char *fqdn)
{
	mr_finding_set_text(f, "address", addr);
	mr_finding_set_text(f, "expected", fqdn);
}

static void
judge_address(struct probe *p, struct ptr_addr *pa)
{
	const char *fqdn = probe_item(p)->node->name;
	char as[MR_ADDR_STRLEN];
	const char *addr = mr_addr_str(&pa->addr, as);
	struct mr_finding *f;

	if (pa->ptr->status != DNS_OK) {
		if (dns_status_is_transport(pa->ptr->status)) {
			f = probe_dns_unanswered(p, pa->ptr, pa->rev, "PTR");
			ptr_data(f, addr, fqdn);
			return;
		}
		char *d = dns_reply_describe(pa->ptr);
		f = probe_add(p, CODE_PTR_MISSING, MR_FAIL,
		              "no PTR for %s (%s)", addr, d);
		mr_finding_hint(f,
		                "have the owner of the address (your provider) "
		                "publish %s PTR %s",
		                pa->rev, fqdn);
		ptr_data(f, addr, fqdn);
		mr_finding_set_text(f, "outcome",
		                    dns_status_name(pa->ptr->status));
		free(d);
		return;
	}
	bool has;
	size_t n;
	json_t *found;
	char *names = ptr_names(pa->ptr, &has, fqdn, &n, &found);
	if (!has) {
		f = probe_add(p, CODE_PTR_NAME_MISMATCH, MR_FAIL,
		              "PTR for %s is %s, not %s (receiving servers "
		              "compare it with the greeting name)",
		              addr, names, fqdn);
		mr_finding_hint(f,
		                "have the owner of the address set %s PTR %s",
		                pa->rev, fqdn);
		ptr_data(f, addr, fqdn);
		mr_finding_set(f, "found", found);
		free(names);
		return;
	}
	if (n > 1) {
		f = probe_add(p, CODE_PTR_MULTIPLE, MR_WARN,
		              "%s has %zu PTR records (%s): receivers pick one "
		              "at random",
		              addr, n, names);
		mr_finding_hint(f, "keep only %s PTR %s", pa->rev, fqdn);
		ptr_data(f, addr, fqdn);
		mr_finding_set(f, "found", json_incref(found));
	}
	json_decref(found);
	free(names);
	if (pa->fwd == NULL)
		return;
	size_t nf;
	struct mr_addr *back = dns_reply_addrs(pa->fwd, &nf);
	if (pa->fwd->status != DNS_OK &&
	    dns_status_is_transport(pa->fwd->status)) {
		f = probe_dns_unanswered(p, pa->fwd, fqdn,
		                         pa->addr.family == AF_INET ? "A"
		                                                    : "AAAA");
		ptr_data(f, addr, fqdn);
	} else if (pa->fwd->status != DNS_OK) {
		char *d = dns_reply_describe(pa->fwd);
		f = probe_add(p, CODE_PTR_NOT_FORWARD_CONFIRMED, MR_FAIL,
		              "PTR for %s is %s, but %s does not resolve back "
		              "(%s): not forward-confirmed",
		              addr, fqdn, fqdn, d);
		mr_finding_hint(f, "publish %s %s %s", fqdn,
		                pa->addr.family == AF_INET ? "A" : "AAAA",
		                addr);
		ptr_data(f, addr, fqdn);
		free(d);
	} else if (!addr_in(back, nf, &pa->addr)) {
		char *bs = addr_list_str(back, nf);
		f = probe_add(p, CODE_PTR_NOT_FORWARD_CONFIRMED, MR_FAIL,
		              "PTR for %s is %s, but %s resolves to %s, not "
		              "back to %s (not forward-confirmed)",
		              addr, fqdn, fqdn, bs, addr);
		mr_finding_hint(f, "fix the A/AAAA record of %s or the PTR",
		                fqdn);
		ptr_data(f, addr, fqdn);
		mr_finding_set(f, "forward", addr_list_json(back, nf));
		free(bs);
	} else {
		f = probe_add(p, CODE_PTR_OK, MR_PASS,
		              "%s -> %s -> %s (forward-confirmed)", addr, fqdn,
		              addr);
		ptr_data(f, addr, fqdn);
	}
	free(back);
}

static void
evaluate(struct probe *p)
{
	struct ptr_state *st = probe_state(p);

	for (size_t i = 0; i < st->n; i++)
		judge_address(p, &st->a[i]);
	probe_done(p);
}

const struct probe_ops probe_dns_ptr_ops = {
	.state_size = sizeof(struct ptr_state),
	.start = start,
	.cleanup = cleanup,
};
