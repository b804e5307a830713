/*
 * host.c -- host.fqdn: the node's name is a usable FQDN; on the node itself,
 * the local host name is that FQDN and the system resolves it (hosts file
 * first, then DNS, as every local service will) to one of this host's own
 * addresses, never to loopback -- the 127.0.1.1 line Debian and Ubuntu
 * installers write into /etc/hosts is the classic trap: services then bind
 * or announce a loopback address.
 */
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fqdn.h"
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
	struct ifaddrs *ifa, *i;
	struct mr_addr *v = NULL;

	*n = 0;
	if (getifaddrs(&ifa) < 0)
		return NULL;
	for (i = ifa; i; i = i->ifa_next) {
		struct mr_addr a;
		if (i->ifa_addr == NULL ||
		    mr_addr_from_sockaddr(i->ifa_addr, &a, NULL) < 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = a;
	}
	freeifaddrs(ifa);
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
	struct findings f = {0};
	char as[MR_ADDR_STRLEN];

	st->req = NULL;
	if (addrs == NULL) {
		probe_finish(p, MR_FAIL,
		             "%s does not resolve on this host (%s); add "
		             "\"<its address> %s\" to /etc/hosts or publish "
		             "it in DNS",
		             node->name, detail ? detail : "no address",
		             node->name);
		return;
	}
	size_t nlocal;
	struct mr_addr *local = local_addrs(&nlocal);
	char *got = addr_list_str(addrs, n);
	bool any_local = false;
	for (size_t i = 0; i < n; i++) {
		if (addr_classify(&addrs[i]) == ADDR_LOOPBACK &&
		    !node_declares(node, &addrs[i]) && !node_is_loopback(node))
			findings_add(&f, MR_FAIL,
			             "%s resolves to the loopback address %s "
			             "on this host (see /etc/hosts): services "
			             "would bind or announce loopback; map it "
			             "to the node's own address instead",
			             node->name, mr_addr_str(&addrs[i], as));
		else if (is_local(&addrs[i], local, nlocal))
			any_local = true;
	}
	if (!any_local && f.n == 0) {
		char *ls = addr_list_str(local, nlocal);
		findings_add(&f, MR_FAIL,
		             "%s resolves to %s on this host, which is not an "
		             "address of this host (its addresses: %s)",
		             node->name, got, ls);
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
			findings_add(&f, MR_FAIL,
			             "%s resolves to %s on this host; it must "
			             "resolve to the declared internal address "
			             "%s",
			             node->name, got, ws);
			free(ws);
		}
	}
	if (f.n == 0)
		findings_add(&f, MR_PASS,
		             "%s is the local host name and resolves to %s on "
		             "this host",
		             node->name, got);
	free(got);
	free(local);
	findings_finish(&f, p);
}

static void
start(struct probe *p)
{
	struct host_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	const char *name = it->node->name;
	char why[200];

	if (!fqdn_valid(name, why, sizeof(why))) {
		probe_finish(p, MR_FAIL, "'%s' is not a usable FQDN: %s", name,
		             why);
		return;
	}
	if (!it->self) {
		probe_finish(p, MR_PASS,
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
		probe_finish(p, MR_FAIL,
		             "the local host name is '%s', not the FQDN '%s'; "
		             "set it with: hostnamectl set-hostname %s",
		             host, name, name);
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
