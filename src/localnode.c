/*
 * localnode.c -- this host as a node of the run (see localnode.h): the
 * node a run is on, a preflight on a host that is none of the nodes, and
 * the public addresses of a node described by nothing but this host.
 */
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "localnode.h"
#include "names.h"
#include "netpolicy.h"
#include "report/report.h"
#include "strbuf.h"
#include "suggest.h"
#include "xmalloc.h"

struct local_addr *
localnode_addrs(size_t *n)
{
	struct ifaddrs *ifa, *i;
	struct local_addr *v = NULL;

	*n = 0;
	if (getifaddrs(&ifa) < 0)
		return NULL;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct mr_addr a;
		/* AF_PACKET entries (one per interface) carry no address. */
		if (i->ifa_addr == NULL ||
		    mr_addr_from_sockaddr(i->ifa_addr, &a, NULL) < 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[*n].addr = a;
		snprintf(v[*n].ifname, sizeof(v[*n].ifname), "%s",
		         i->ifa_name ? i->ifa_name : "?");
		v[*n].loopback = (i->ifa_flags & IFF_LOOPBACK) != 0;
		(*n)++;
	}
	freeifaddrs(ifa);
	return v;
}

/* ------------------------------------------------------- which node */

/*
 * The node a misspelt or short name may mean: the nearest by edit
 * distance, else the only node with the same first label (a host still
 * named "mta1" that is to be mta1.example.com).
 */
static const char *
nearest_node(const struct mr_config *cfg, const char *name)
{
	const char **names = xcalloc(cfg->nnodes + 1, sizeof(*names));
	const char *near, *only = NULL;
	size_t label = strcspn(name, "."), count = 0;

	for (size_t i = 0; i < cfg->nnodes; i++)
		names[i] = cfg->nodes[i].name;
	near = suggest_nearest(name, names, cfg->nnodes);
	free(names);
	if (near != NULL)
		return near;
	for (size_t i = 0; i < cfg->nnodes; i++) {
		const char *n = cfg->nodes[i].name;
		if (strcspn(n, ".") == label &&
		    strncasecmp(n, name, label) == 0) {
			only = n;
			count++;
		}
	}
	return count == 1 ? only : NULL;
}

/* "a, b, c, d, e and 4 more" */
static void
node_names(const struct mr_config *cfg, struct strbuf *b)
{
	size_t shown = cfg->nnodes > 6 ? 5 : cfg->nnodes;

	for (size_t i = 0; i < shown; i++) {
		strbuf_sep(b, ", ");
		strbuf_add(b, cfg->nodes[i].name);
	}
	if (cfg->nnodes > shown)
		strbuf_addf(b, " and %zu more", cfg->nnodes - shown);
}

static int
self_unknown(const struct cli *c, const struct mr_config *cfg, char *err,
             size_t errlen)
{
	const char *near = nearest_node(cfg, c->self);
	struct strbuf names = STRBUF_INIT;

	if (c->host != NULL || cfg->file == NULL) {
		/* -H: the run has that one node. */
		snprintf(err, errlen,
		         "--self %s is not the node this run checks (-H %s): "
		         "--self names the node a run is on",
		         c->self, cfg->nnodes ? cfg->nodes[0].name : "?");
		return -1;
	}
	node_names(cfg, &names);
	if (near != NULL)
		snprintf(err, errlen,
		         "--self %s is not a node of %s (did you mean %s?)",
		         c->self, cfg->file, near);
	else
		snprintf(err, errlen, "--self %s is not a node of %s (%s: %s)",
		         c->self, cfg->file,
		         cfg->nnodes == 1 ? "its node" : "its nodes",
		         cfg->nnodes ? strbuf_str(&names) : "none");
	strbuf_reset(&names);
	return -1;
}

static const char *
node_named(const struct mr_config *cfg, const char *name)
{
	const struct mr_node *n = mr_config_node(cfg, name);
	return n != NULL ? n->name : NULL;
}

/* ----------------------------------------- public addresses, no file */

/*
 * Addresses of this host that count as public, as a node's would: not
 * loopback, not link-local, and public by public_networks (global
 * unicast by default; labs name their own).
 */
static bool
usable_public(const struct netpolicy *np, const struct local_addr *l)
{
	enum addr_class k = addr_classify(&l->addr);

	if (l->loopback || k == ADDR_LOOPBACK || k == ADDR_LINK_LOCAL ||
	    k == ADDR_MULTICAST || k == ADDR_UNSPECIFIED)
		return false;
	return netpolicy_is_public(np, &l->addr);
}

static bool
has_addr(const struct mr_node *n, const struct mr_addr *a)
{
	for (size_t i = 0; i < n->npublic; i++)
		if (mr_addr_equal(&n->public_addrs[i], a))
			return true;
	return false;
}

static void
find_public(struct localnode *ln, const struct mr_config *cfg,
            struct mr_node *n)
{
	struct strbuf pub = STRBUF_INIT, other = STRBUF_INIT;
	char as[MR_ADDR_STRLEN], why[256];
	struct netpolicy np;
	size_t nl;
	struct local_addr *l;

	/* Only its public_networks count: no connection is made. */
	if (netpolicy_init(&np, cfg, NULL, why, sizeof(why)) < 0)
		return;
	l = localnode_addrs(&nl);
	for (size_t i = 0; i < nl; i++) {
		const struct local_addr *a = &l[i];
		enum addr_class k = addr_classify(&a->addr);
		mr_addr_str(&a->addr, as);
		if (usable_public(&np, a) && !has_addr(n, &a->addr)) {
			n->public_addrs =
				xreallocarray(n->public_addrs, n->npublic + 1,
			                      sizeof(*n->public_addrs));
			n->public_addrs[n->npublic++] = a->addr;
			strbuf_sep(&pub, ", ");
			strbuf_addf(&pub, "%s (%s)", as, a->ifname);
		} else if (!a->loopback && k != ADDR_LOOPBACK &&
		           k != ADDR_LINK_LOCAL) {
			strbuf_sep(&other, ", ");
			strbuf_addf(&other, "%s on %s: %s", as, a->ifname,
			            k == ADDR_GLOBAL ? "outside public_networks"
			                             : addr_class_name(k));
		}
	}
	free(l);
	netpolicy_free(&np);
	n->public_from =
		n->npublic > 0 ? MR_PUBLIC_INTERFACES : MR_PUBLIC_NOT_FOUND;
	if (n->npublic > 0)
		ln->public_note = xasprintf(
			"public address%s of %s from this host's interfaces: "
			"%s (give --public ADDR to name another)",
			n->npublic == 1 ? "" : "es", n->name, strbuf_str(&pub));
	else
		ln->public_note = xasprintf(
			"no public address on this host's interfaces (%s): the "
			"PTR of %s cannot be judged without --public ADDR",
			other.len ? strbuf_str(&other)
				  : "only loopback and link-local ones",
			n->name);
	strbuf_reset(&pub);
	strbuf_reset(&other);
}

/* ----------------------------------------------------------- interface */

int
localnode_init(struct localnode *ln, const struct cli *c, struct mr_config *cfg,
               const char *host, char *err, size_t errlen)
{
	memset(ln, 0, sizeof(*ln));
	ln->file = cfg->file;
	if (c->self != NULL) {
		if ((ln->self = node_named(cfg, c->self)) == NULL)
			return self_unknown(c, cfg, err, errlen);
	} else if (c->cmd == CMD_PREFLIGHT && c->host != NULL) {
		/* preflight -H: the node described is this host. */
		ln->self = node_named(cfg, c->host);
	} else {
		ln->self = node_named(cfg, host);
	}
	if (ln->self == NULL && c->cmd == CMD_PREFLIGHT &&
	    c->config_path != NULL) {
		ln->not_a_node = host;
		ln->near = nearest_node(cfg, host);
	}
	/* Without a file nor --public, the node is this host as it is. */
	if (c->cmd == CMD_PREFLIGHT && c->config_path == NULL &&
	    c->host == NULL && c->publics.n == 0 && cfg->nnodes == 1 &&
	    cfg->nodes[0].npublic == 0)
		find_public(ln, cfg, &cfg->nodes[0]);
	return 0;
}

void
localnode_report(const struct localnode *ln, struct report *rep)
{
	if (ln->public_note != NULL)
		report_add_note(rep, "%s", ln->public_note);
	if (ln->not_a_node == NULL)
		return;
	rep->off_node = true;
	if (ln->near != NULL)
		report_add_note(
			rep,
			"NOT ON A NODE: this host (%s) is no node of %s: what "
			"only a node can tell (its host name, its ports, its "
			"outbound connections) was not looked at, and no node "
			"is ready to install from here. If this host is to be "
			"%s, name it so (hostnamectl set-hostname %s) or give "
			"--self %s; else run mailready preflight on each node",
			ln->not_a_node, ln->file ? ln->file : "the cluster",
			ln->near, ln->near, ln->near);
	else
		report_add_note(
			rep,
			"NOT ON A NODE: this host (%s) is no node of %s: what "
			"only a node can tell (its host name, its ports, its "
			"outbound connections) was not looked at, and no node "
			"is ready to install from here. Run mailready "
			"preflight on each node, or give --self NODE on the "
			"host that is to become NODE",
			ln->not_a_node, ln->file ? ln->file : "the cluster");
}

void
localnode_free(struct localnode *ln)
{
	free(ln->public_note);
	ln->public_note = NULL;
}
