/*
 * host.c -- host.fqdn: the node's name is a usable FQDN; on the node itself,
 * the local host name is that FQDN and the system resolves it (hosts file
 * first, then DNS, as every local service will) to one of this host's own
 * addresses, never to loopback -- the 127.0.1.1 line Debian and Ubuntu
 * installers write into /etc/hosts is the classic trap: services then bind
 * or announce a loopback address.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fqdn.h"
#include "localnode.h"
#include "netpolicy.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"
#include "names.h"

struct host_state {
	struct dns_req *req;
};

/* Addresses configured on this host's interfaces. */
static struct mr_addr *
local_addrs(size_t *n)
{
	struct local_addr *l = localnode_addrs(n);
	struct mr_addr *v = xcalloc(*n ? *n : 1, sizeof(*v));

	for (size_t i = 0; i < *n; i++)
		v[i] = l[i].addr;
	free(l);
	return v;
}

static bool
is_local(const struct mr_addr *a, const struct mr_addr *local, size_t nlocal)
{
	/* All of 127/8 answers on lo though only 127.0.0.1 is listed. */
	if (a->family == AF_INET && a->bytes[0] == 127)
		return true;
	return addr_in(local, nlocal, a);
}

static void
on_resolved(void *arg, const struct mr_addr *addrs, size_t n,
            const char *detail)
{
	struct probe *p = arg;
	struct host_state *st = probe_state(p);
	const struct mr_node *node = probe_item(p)->node;
	struct mr_result *res = probe_result(p);
	char as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	st->req = NULL;
	if (addrs == NULL && dns_system_blocked(probe_dns(p)) != NULL) {
		/* Not in /etc/hosts, and the resolvers may not be asked:
		   nothing is known about DNS. */
		probe_finish(
			p, CODE_NOT_ALLOWED, MR_UNKNOWN,
			"%s is not in /etc/hosts, and the system resolvers "
			"were not asked: %s",
			node->name, dns_system_blocked(probe_dns(p)));
		return;
	}
	if (addrs == NULL) {
		f = probe_add(p, CODE_FQDN_UNRESOLVED, MR_FAIL,
		              "%s does not resolve on this host (%s)",
		              node->name, detail ? detail : "no address");
		mr_finding_hint(f,
		                "add \"<its address> %s\" to /etc/hosts or "
		                "publish it in DNS",
		                node->name);
		probe_done(p);
		return;
	}
	size_t nlocal;
	struct mr_addr *local = local_addrs(&nlocal);
	char *got = addr_list_str(addrs, n);
	bool any_local = false;
	for (size_t i = 0; i < n; i++) {
		if (addr_classify(&addrs[i]) == ADDR_LOOPBACK &&
		    !node_declares(node, &addrs[i]) &&
		    !node_is_loopback(node)) {
			f = probe_add(p, CODE_FQDN_LOOPBACK, MR_FAIL,
			              "%s resolves to the loopback address %s "
			              "on this host (see /etc/hosts): services "
			              "would bind or announce loopback",
			              node->name, mr_addr_str(&addrs[i], as));
			mr_finding_hint(f,
			                "map %s to the node's own address in "
			                "/etc/hosts instead",
			                node->name);
			mr_finding_set(f, "found", addr_list_json(addrs, n));
		} else if (is_local(&addrs[i], local, nlocal)) {
			any_local = true;
		}
	}
	if (!any_local && res->nfindings == 0) {
		char *ls = addr_list_str(local, nlocal);
		f = probe_add(p, CODE_FQDN_NOT_LOCAL, MR_FAIL,
		              "%s resolves to %s on this host, which is not an "
		              "address of this host (its addresses: %s)",
		              node->name, got, ls);
		mr_finding_hint(f, "fix /etc/hosts or the A record of %s",
		                node->name);
		mr_finding_set(f, "found", addr_list_json(addrs, n));
		mr_finding_set(f, "local", addr_list_json(local, nlocal));
		free(ls);
	}
	if (node->ninternal > 0) {
		bool has = false;
		for (size_t i = 0; i < node->ninternal; i++)
			has = has ||
			      addr_in(addrs, n, &node->internal_addrs[i]);
		if (!has) {
			char *ws = addr_list_str(node->internal_addrs,
			                         node->ninternal);
			f = probe_add(p, CODE_FQDN_NOT_INTERNAL, MR_FAIL,
			              "%s resolves to %s on this host, not to "
			              "the declared internal address %s",
			              node->name, got, ws);
			mr_finding_hint(f, "map %s to %s in /etc/hosts",
			                node->name, ws);
			mr_finding_set(f, "found", addr_list_json(addrs, n));
			mr_finding_set(f, "expected",
			               addr_list_json(node->internal_addrs,
			                              node->ninternal));
			free(ws);
		}
	}
	if (res->nfindings == 0) {
		f = probe_add(p, CODE_FQDN_OK, MR_PASS,
		              "%s is the local host name and resolves to %s on "
		              "this host",
		              node->name, got);
		mr_finding_set(f, "found", addr_list_json(addrs, n));
	}
	free(got);
	free(local);
	probe_done(p);
}

static void
start(struct probe *p)
{
	struct host_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	const char *name = it->node->name;
	char why[200];
	struct mr_finding *f;

	if (!fqdn_valid(name, why, sizeof(why))) {
		f = probe_add(p, CODE_FQDN_INVALID, MR_FAIL,
		              "'%s' is not a usable FQDN: %s", name, why);
		mr_finding_hint(f, "name the node with its fully qualified "
		                   "name, e.g. mta1.example.com");
		probe_done(p);
		return;
	}
	if (!it->self) {
		probe_finish(p, CODE_FQDN_OK, MR_PASS,
		             "%s is a valid FQDN (host name and local "
		             "resolution are checked on the node itself)",
		             name);
		return;
	}
	char host[256];
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (!name_equal(host, name)) {
		f = probe_add(p, CODE_HOSTNAME_MISMATCH, MR_FAIL,
		              "the local host name is '%s', not the FQDN '%s'",
		              host, name);
		mr_finding_hint(f, "hostnamectl set-hostname %s", name);
		mr_finding_set_text(f, "found", host);
		mr_finding_set_text(f, "expected", name);
		probe_done(p);
		return;
	}
	probe_waiting(p, "the system's resolution of %s", name);
	st->req = dns_system_addrinfo(probe_dns(p), name, on_resolved, p);
}

static void
cleanup(struct probe *p)
{
	struct host_state *st = probe_state(p);
	dns_cancel(st->req);
}

const struct probe_ops probe_host_fqdn_ops = {
	.state_size = sizeof(struct host_state),
	.start = start,
	.cleanup = cleanup,
};
