/*
 * common.c -- helpers shared by the probes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/conn.h"
#include "io/reach.h"
#include "netpolicy.h"
#include "sockets.h"
#include "probes/common.h"
#include "records/record.h"
#include "strbuf.h"
#include "xmalloc.h"

char *
addr_list_str(const struct mr_addr *v, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < n && i < ADDR_LIST_MAX; i++) {
		strbuf_sep(&b, ", ");
		strbuf_add(&b, mr_addr_str(&v[i], as));
	}
	if (n > ADDR_LIST_MAX)
		strbuf_addf(&b, " and %zu more", n - ADDR_LIST_MAX);
	return n ? strbuf_take(&b) : xstrdup("(none)");
}

json_t *
addr_list_json(const struct mr_addr *v, size_t n)
{
	json_t *a = json_array();
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < n && i < ADDR_LIST_MAX; i++)
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

struct mr_finding *
probe_add_unreached(struct probe *p, const struct reach_result *r,
                    const struct mr_addr *a, uint16_t port, const char *service)
{
	const struct plan_item *it = probe_item(p);
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f = NULL;

	mr_addr_str(a, as);
	switch (r->outcome) {
	case REACH_REFUSED:
		f = probe_add(p, CODE_PORT_CLOSED, MR_FAIL,
		              "%s port %u (%s) is closed: connection refused",
		              as, port, service);
		mr_finding_hint(f,
		                "start the %s service on %s, or let the "
		                "firewall pass port %u",
		                service, as, port);
		break;
	case REACH_FILTERED:
		f = probe_add(p, CODE_PORT_FILTERED, MR_FAIL,
		              "%s port %u (%s): no answer within %.3g s, "
		              "filtered by a firewall or the host is down",
		              as, port, service, r->waited_s);
		mr_finding_hint(f, "open port %u for the %s service", port,
		                it->external ? "public" : "internal");
		break;
	case REACH_UNREACHABLE:
		f = probe_add(p, CODE_PORT_UNREACHABLE, MR_FAIL,
		              "%s port %u (%s) is unreachable: %s", as, port,
		              service, r->why);
		mr_finding_hint(f, "check the routing from this host to %s",
		                as);
		break;
	case REACH_OPEN:
		fatalx("probe_add_unreached: the port was reached");
	}
	mr_finding_set_text(f, "address", as);
	mr_finding_set_int(f, "port", port);
	return f;
}

bool
probe_first_addr(const struct dns_reply *const r[2], struct mr_addr *out)
{
	for (int i = 0; i < 2; i++) {
		size_t n;
		struct mr_addr *a = dns_reply_addrs(r[i], &n);
		if (n > 0)
			*out = a[0];
		free(a);
		if (n > 0)
			return true;
	}
	return false;
}

bool
probe_not_installed(struct probe *p)
{
	const struct plan_item *it = probe_item(p);

	if (!it->before_install || sockets_listening(it->port, NULL, 0) > 0)
		return false;
	/* The same words for every port: one line for them all. */
	struct mr_finding *f = probe_add(
		p, CODE_NOT_INSTALLED, MR_SKIP,
		"not installed yet: nothing listens on its port on this node");
	mr_finding_hint(f, "after the install, run preflight --installed (or "
	                   "check) to see the services answer");
	mr_finding_set_int(f, "port", it->port);
	probe_done(p);
	return true;
}

int
probe_pick_txt(const struct dns_reply *r, rec_select_fn *select, char **text,
               size_t *len, char *err, size_t errlen)
{
	size_t n = 0, which = 0;
	struct dns_txt *t = dns_reply_txts(r, &n);
	struct rec_txt *v = xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = (struct rec_txt){t[i].text, t[i].len};
	int sel = select(v, n, &which, err, errlen);
	free(v);
	*text = NULL;
	*len = 0;
	if (sel == 1) {
		*text = xmalloc(t[which].len + 1);
		memcpy(*text, t[which].text, t[which].len + 1);
		*len = t[which].len;
	}
	dns_txts_free(t, n);
	return sel;
}
