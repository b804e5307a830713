/*
 * common.c -- helpers shared by the probes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/conn.h"
#include "netpolicy.h"
#include "probes/common.h"
#include "strbuf.h"
#include "xmalloc.h"

char *
addr_list_str(const struct mr_addr *v, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		strbuf_sep(&b, ", ");
		strbuf_add(&b, mr_addr_str(&v[i], as));
	}
	return n ? strbuf_take(&b) : xstrdup("(none)");
}

json_t *
addr_list_json(const struct mr_addr *v, size_t n)
{
	json_t *a = json_array();
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(mr_addr_str(&v[i], as)));
	return a;
}

bool
addr_in(const struct mr_addr *v, size_t n, const struct mr_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (mr_addr_equal(&v[i], a))
			return true;
	return false;
}

bool
node_declares(const struct mr_node *node, const struct mr_addr *a)
{
	return addr_in(node->public_addrs, node->npublic, a) ||
	       addr_in(node->internal_addrs, node->ninternal, a);
}

bool
node_is_loopback(const struct mr_node *node)
{
	for (size_t i = 0; i < node->npublic; i++)
		if (addr_classify(&node->public_addrs[i]) == ADDR_LOOPBACK)
			return true;
	for (size_t i = 0; i < node->ninternal; i++)
		if (addr_classify(&node->internal_addrs[i]) == ADDR_LOOPBACK)
			return true;
	return false;
}

struct mr_finding *
probe_dns_unanswered(struct probe *p, const struct dns_reply *r,
                     const char *name, const char *type)
{
	char *d = dns_reply_describe(r);
	struct mr_finding *f = probe_add(p, CODE_DNS_UNANSWERED, MR_UNKNOWN,
	                                 "not checked: %s", d);
	free(d);
	mr_finding_set_text(f, "name", name);
	mr_finding_set_text(f, "type", type);
	mr_finding_set_text(f, "outcome", dns_status_name(r->status));
	mr_finding_set_text(f, "server", r->server);
	return f;
}

void
probe_finish_no_address(struct probe *p, const struct dns_reply *r)
{
	const struct mr_node *node = probe_item(p)->node;
	char *d = dns_reply_describe(r);
	struct mr_finding *f = probe_add(
		p, CODE_NO_ADDRESS, MR_UNKNOWN,
		"not checked: %s has no address (none declared, and inside: "
		"%s)",
		node->name, d);
	free(d);
	mr_finding_hint(f,
	                "declare public = or internal = in [node %s], or "
	                "publish its A record for internal clients",
	                node->name);
	mr_finding_set_text(f, "name", node->name);
	mr_finding_set_text(f, "outcome", dns_status_name(r->status));
	probe_done(p);
}

void
probe_finish_not_connected(struct probe *p, const struct mr_addr *a, int err)
{
	struct run *r = probe_run(p);
	char why[320], as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	mr_addr_str(a, as);
	if (err == EACCES) {
		f = probe_add(p, CODE_NOT_ALLOWED, MR_UNKNOWN, "%s",
		              netpolicy_explain(r->np, a, why, sizeof(why)));
		mr_finding_hint(f, "widen allow_networks to probe %s", as);
	} else {
		f = probe_add(p, CODE_CONNECT_ERROR, MR_UNKNOWN,
		              "cannot connect to %s: %s", as,
		              conn_strerror(err));
	}
	mr_finding_set_text(f, "address", as);
	probe_done(p);
}
