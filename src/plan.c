/*
 * plan.c -- expand the topology (config) and the role profile into check
 * instances: which check runs for which node or domain, on which address
 * and port.
 *
 * Each node's items come in catalogue order; the checks made from ports
 * (net.port.*, host.port.*, and mail.SERVICE for the services with a mail
 * protocol in services.c) are expanded where they stand in the catalogue,
 * port by port (external ports first, then internal, each ascending) and
 * address by address. So adding a probe to the catalogue is all it takes
 * for the plan to use it.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "plan.h"
#include "services.h"
#include "xmalloc.h"

const char *
run_mode_name(enum run_mode m)
{
	switch (m) {
	case MODE_PREFLIGHT:
		return "preflight";
	case MODE_CHECK:
		return "check";
	case MODE_HEALTH:
		return "health";
	}
	return "unknown";
}

/* What one node needs, gathered from [all] and its roles. */
struct node_needs {
	const struct profile_role **roles; /* [all] first */
	size_t nroles;
	struct profile_port *ports; /* union, sorted; strings borrowed */
	size_t nports;
};

/* Items made from a port: the catalogue decides which exist. */
enum port_kind {
	PORT_HOST, /* host.port.SERVICE: preflight, on the node itself */
	PORT_NET,  /* net.port.SERVICE: TCP connect */
	PORT_MAIL, /* mail.SERVICE: the mail protocols only */
};

static const char *const port_prefix[] = {
	[PORT_HOST] = "host.port.",
	[PORT_NET] = "net.port.",
	[PORT_MAIL] = "mail.",
};

static bool
glob_any(char *const *globs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], id, 0) == 0)
			return true;
	return false;
}

static bool
wanted(const struct plan_opts *o, const char *id)
{
	if (o->nonly > 0 && !glob_any(o->only, o->nonly, id))
		return false;
	return !glob_any(o->skip, o->nskip, id);
}

static void
item_free(struct plan_item *it)
{
	free(it->id);
	free(it->target);
	free(it->service);
	free(it->holders);
	free(it->skip_reason);
}

/*
 * Why a check that runs on the node itself is not run: what it tests
 * there, and where this run is. Before an install, from a host that is
 * none of the nodes, that leaves the verdict open (unknown).
 */
static void
not_here(struct plan_item *it, const struct plan_opts *o)
{
	const char *what = catalog_on_node(it->def);

	if (o->not_a_node != NULL) {
		it->skip_reason = xasprintf(
			"not run: it tests %s, and this host (%s) is no node "
			"of the cluster file",
			what, o->not_a_node);
		it->skip_code = CODE_HOST_NOT_A_NODE;
		it->skip_status = MR_UNKNOWN;
		return;
	}
	if (o->self != NULL)
		it->skip_reason = xasprintf("not run here: it tests %s, and "
		                            "this run is on %s",
		                            what, o->self);
	else
		it->skip_reason = xasprintf("not run here: it tests %s, and "
		                            "this host is not %s",
		                            what, it->node->name);
	it->skip_code = CODE_NOT_ON_NODE;
	it->skip_status = MR_SKIP;
}

/* Append it (taking its strings) unless --only/--skip leave it out. */
static void
push(struct plan *out, const struct plan_opts *o, struct plan_item *it)
{
	if (!wanted(o, it->id)) {
		item_free(it);
		return;
	}
	if (it->node != NULL && it->def->self_only && !it->self)
		not_here(it, o);
	/* Double at each power of two: amortised growth without a cap. */
	if ((out->n & (out->n - 1)) == 0)
		out->items = xreallocarray(out->items, out->n ? 2 * out->n : 1,
		                           sizeof(*out->items));
	out->items[out->n++] = *it;
}

/* ------------------------------------------------------------ node roles */

static int
node_error(const struct mr_config *cfg, const struct mr_node *n, char *err,
           size_t errlen, const char *msg)
{
	if (cfg->file != NULL)
		snprintf(err, errlen, "%s:%d: node %s: %s", cfg->file, n->line,
		         n->name, msg);
	else
		snprintf(err, errlen, "node %s: %s", n->name, msg);
	return -1;
}

static int
node_roles(const struct mr_config *cfg, const struct profile *prof,
           const struct mr_node *n, struct node_needs *nd, char *err,
           size_t errlen)
{
	char *const *names = n->nroles ? n->roles : prof->default_roles;
	size_t count = n->nroles ? n->nroles : prof->ndefault_roles;
	char msg[400], have[256];

	if (count == 0) {
		snprintf(msg, sizeof(msg),
		         "no roles given and profile %s has no "
		         "default_roles; add 'roles = ...' to [node %s]",
		         prof->name, n->name);
		return node_error(cfg, n, err, errlen, msg);
	}
	nd->roles = xcalloc(count + 1, sizeof(*nd->roles));
	nd->roles[nd->nroles++] = &prof->all;
	for (size_t i = 0; i < count; i++) {
		const struct profile_role *r = profile_role(prof, names[i]);
		const char *near = NULL;
		if (r == NULL && (near = profile_role_suggest(prof, names[i])))
			snprintf(
				msg, sizeof(msg),
				"unknown role '%s' in profile %s (did you mean "
				"'%s'?)",
				names[i], prof->name, near);
		if (r == NULL && near == NULL) {
			profile_role_names(prof, have, sizeof(have));
			snprintf(msg, sizeof(msg),
			         "unknown role '%s' (profile %s has: %s)",
			         names[i], prof->name, have);
		}
		if (r == NULL)
			return node_error(cfg, n, err, errlen, msg);
		nd->roles[nd->nroles++] = r;
	}
	return 0;
}

static bool
needs_check(const struct node_needs *nd, const char *id)
{
	for (size_t i = 0; i < nd->nroles; i++)
		for (size_t j = 0; j < nd->roles[i]->nchecks; j++)
			if (strcmp(nd->roles[i]->checks[j], id) == 0)
				return true;
	return false;
}

static int
port_order(const void *a, const void *b)
{
	const struct profile_port *x = a, *y = b;

	if (x->external != y->external)
		return x->external ? -1 : 1;
	return (int)x->port - (int)y->port;
}

/* The union of the roles' ports; the first service named for one wins. */
static void
collect_ports(struct node_needs *nd)
{
	for (size_t i = 0; i < nd->nroles; i++) {
		const struct profile_role *r = nd->roles[i];
		for (size_t j = 0; j < r->nports; j++) {
			const struct profile_port *pp = &r->ports[j];
			bool dup = false;
			for (size_t k = 0; k < nd->nports && !dup; k++)
				dup = nd->ports[k].port == pp->port &&
				      nd->ports[k].external == pp->external;
			if (dup)
				continue;
			nd->ports = xreallocarray(nd->ports, nd->nports + 1,
			                          sizeof(*nd->ports));
			nd->ports[nd->nports++] = *pp;
		}
	}
	if (nd->nports > 1)
		qsort(nd->ports, nd->nports, sizeof(*nd->ports), port_order);
}

/* -------------------------------------------------------------- items */

static void
add_node_check(struct plan *out, const struct plan_opts *o,
               const struct check_def *def, const struct mr_node *n, bool self)
{
	struct plan_item it = {
		.def = def,
		.id = xstrdup(def->id),
		.node = n,
		.target = xstrdup(n->name),
		.self = self,
	};

	push(out, o, &it);
}

static char *
port_target(const struct mr_node *n, const struct mr_addr *a, uint16_t port)
{
	char buf[MR_ADDR_STRLEN];

	if (a == NULL)
		return xasprintf("%s:%u", n->name, (unsigned)port);
	if (a->family == AF_INET6)
		return xasprintf("[%s]:%u", mr_addr_str(a, buf),
		                 (unsigned)port);
	return xasprintf("%s:%u", mr_addr_str(a, buf), (unsigned)port);
}

/* target: what the output shows as probed; holders (or NULL): host.port
   only. Both are taken. */
static void
add_port_item(struct plan *out, const struct plan_opts *o,
              const struct check_def *def, const char *id,
              const struct mr_node *n, const struct profile_port *pp,
              const struct mr_addr *a, char *target, char *holders, bool self)
{
	struct plan_item it = {
		.def = def,
		.id = xstrdup(id),
		.node = n,
		.target = target,
		.service = xstrdup(pp->service),
		.port = pp->port,
		.external = pp->external,
		.holders = holders,
		.has_addr = a != NULL,
		.self = self,
	};
	const struct service_def *sd = service_find(pp->service);

	it.implicit_tls = sd != NULL && sd->implicit_tls;
	it.before_install = self && o->mode == MODE_PREFLIGHT &&
	                    !o->installed && strncmp(id, "host.port.", 10) != 0;
	if (a != NULL)
		it.addr = *a;
	push(out, o, &it);
}

/*
 * External ports are probed on the public addresses, or the internal
 * ones when the node has none (a lab, or a NAT in front); internal ports
 * on the internal addresses; every port on the -I addresses when given.
 * No address at all: the probe resolves the node's name.
 */
static void
add_port_items(struct plan *out, const struct plan_opts *o,
               const struct check_def *def, const char *id,
               const struct mr_node *n, const struct profile_port *pp,
               bool self)
{
	const struct mr_addr *v = n->internal_addrs;
	size_t count = n->ninternal;

	if (n->nconnect > 0) {
		v = n->connect_addrs;
		count = n->nconnect;
	} else if (pp->external && n->npublic > 0) {
		v = n->public_addrs;
		count = n->npublic;
	}
	if (count == 0)
		add_port_item(out, o, def, id, n, pp, NULL,
		              port_target(n, NULL, pp->port), NULL, self);
	for (size_t i = 0; i < count; i++)
		add_port_item(out, o, def, id, n, pp, &v[i],
		              port_target(n, &v[i], pp->port), NULL, self);
}

static bool
port_kind_applies(enum port_kind k, const struct plan_opts *o,
                  const char *service, bool self)
{
	switch (k) {
	case PORT_HOST:
		return o->mode == MODE_PREFLIGHT && self;
	case PORT_NET:
		return true;
	case PORT_MAIL: {
		const struct service_def *sd = service_find(service);
		return sd != NULL && sd->proto != SERVICE_PROTO_NONE;
	}
	}
	return false;
}

/*
 * The programs expected on port pp of the node: what its sections' holders
 * say, else what mailready knows of the service. New string or NULL.
 */
static char *
expected_holders(const struct node_needs *nd, const struct profile_port *pp)
{
	char *h = profile_holders_of(nd->roles, nd->nroles, pp->service,
	                             pp->port);
	const struct service_def *sd;

	if (h == NULL && (sd = service_find(pp->service)) != NULL &&
	    sd->holders != NULL)
		h = xstrdup(sd->holders);
	return h;
}

/* The items of one kind that catalogue entry def makes from port pp. */
static void
add_port_kind(struct plan *out, const struct plan_opts *o,
              const struct check_def *def, const struct mr_node *n,
              const struct node_needs *nd, const struct profile_port *pp,
              enum port_kind k, bool self)
{
	char *id = xasprintf("%s%s", port_prefix[k], pp->service);
	bool here = catalog_find_scoped(id, CHECK_NODE) == def;

	/* host.port reads the local socket table: no address. */
	if (here && k == PORT_HOST)
		add_port_item(out, o, def, id, n, pp, NULL,
		              xasprintf(":%u", (unsigned)pp->port),
		              expected_holders(nd, pp), self);
	else if (here)
		add_port_items(out, o, def, id, n, pp, self);
	free(id);
}

static void
add_ports_for(struct plan *out, const struct plan_opts *o,
              const struct check_def *def, const struct mr_node *n,
              const struct node_needs *nd, bool self)
{
	for (size_t i = 0; i < nd->nports; i++)
		for (enum port_kind k = PORT_HOST; k <= PORT_MAIL; k++)
			if (port_kind_applies(k, o, nd->ports[i].service, self))
				add_port_kind(out, o, def, n, nd, &nd->ports[i],
				              k, self);
}

static int
plan_node(const struct mr_config *cfg, const struct profile *prof,
          const struct plan_opts *o, const struct mr_node *n, struct plan *out,
          char *err, size_t errlen)
{
	struct node_needs nd = {NULL, 0, NULL, 0};
	bool self = o->self != NULL && name_equal(o->self, n->name);

	if (node_roles(cfg, prof, n, &nd, err, errlen) < 0) {
		free(nd.roles);
		return -1;
	}
	collect_ports(&nd);
	/* The MTA role is the one that asks for dns.mx on its nodes. */
	if (needs_check(&nd, "dns.mx")) {
		out->senders = xreallocarray(out->senders, out->nsenders + 1,
		                             sizeof(*out->senders));
		out->senders[out->nsenders++] = n;
	}
	for (size_t i = 0; i < catalog_count; i++) {
		const struct check_def *def = &catalog[i];
		if (def->scope != CHECK_NODE)
			continue;
		/* mail.smtp in a profile's checks only asked for a port. */
		if (!def->family && service_of_check(def->id) == NULL &&
		    needs_check(&nd, def->id))
			add_node_check(out, o, def, n, self);
		add_ports_for(out, o, def, n, &nd, self);
	}
	free(nd.roles);
	free(nd.ports);
	return 0;
}

static bool
strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void
plan_domain(const struct profile *prof, const struct plan_opts *o,
            const char *domain, struct plan *out)
{
	for (size_t i = 0; i < catalog_count; i++) {
		const struct check_def *def = &catalog[i];
		if (def->scope != CHECK_DOMAIN || def->family ||
		    !strv_has(prof->domain_checks, prof->ndomain_checks,
		              def->id))
			continue;
		struct plan_item it = {
			.def = def,
			.id = xstrdup(def->id),
			.domain = domain,
			.target = xstrdup(domain),
		};
		push(out, o, &it);
	}
}

int
plan_build(const struct mr_config *cfg, const struct profile *prof,
           const struct plan_opts *opts, struct plan *out, char *err,
           size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cfg->nnodes; i++) {
		if (plan_node(cfg, prof, opts, &cfg->nodes[i], out, err,
		              errlen) < 0) {
			plan_free(out);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->ndomains; i++)
		plan_domain(prof, opts, cfg->domains[i], out);
	return 0;
}

void
plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		item_free(&p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = 0;
	free(p->senders);
	p->senders = NULL;
	p->nsenders = 0;
}
