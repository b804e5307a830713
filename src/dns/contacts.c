/*
 * contacts.c -- the dry run of the views: which DNS servers each view
 * would contact first, and whether the network policy lets it. Nothing is
 * sent: the lists come from the config, /etc/resolv.conf (read by c-ares
 * as the system channel reads it) and the root hints.
 *
 * Beside view.c at the top of src/dns/: it builds no DNS context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/channel.h"
#include "dns/dns.h"
#include "dns/roothints.h"
#include "xmalloc.h"

/* The servers of one view, before the verdicts. */
struct view_list {
	enum mr_resolvers_kind kind;
	const char *source;
	const struct mr_server *v; /* borrowed: config or sources */
	size_t n;
};

/* The system's resolvers and the root hints are read once. */
struct sources {
	struct mr_server *sys, *roots;
	size_t nsys, nroots;
	bool have_sys, have_roots;
	char *hints_label;
};

static int
system_list(struct sources *src, struct view_list *l, char *err, size_t errlen)
{
	if (!src->have_sys) {
		if (dns_channel_system_servers(NULL, &src->sys, &src->nsys, err,
		                               errlen) < 0)
			return -1;
		src->have_sys = true;
	}
	l->source = "/etc/resolv.conf";
	l->v = src->sys;
	l->n = src->nsys;
	return 0;
}

static int
roots_list(struct sources *src, const struct mr_config *cfg,
           struct view_list *l, char *err, size_t errlen)
{
	if (!src->have_roots) {
		if (roothints_load(cfg->root_hints, &src->roots, &src->nroots,
		                   NULL, err, errlen) < 0)
			return -1;
		src->have_roots = true;
		src->hints_label =
			cfg->root_hints
				? xasprintf("root_hints %s", cfg->root_hints)
				: xstrdup("built-in root hints");
	}
	l->source = src->hints_label;
	l->v = src->roots;
	l->n = src->nroots;
	return 0;
}

static int
view_list(struct sources *src, const struct mr_config *cfg,
          const struct mr_resolvers *rs, const char *key, struct view_list *l,
          char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->kind = rs->kind;
	switch (rs->kind) {
	case MR_RESOLVERS_LIST:
		l->source = key;
		l->v = rs->v;
		l->n = rs->n;
		return 0;
	case MR_RESOLVERS_SYSTEM:
		return system_list(src, l, err, errlen);
	case MR_RESOLVERS_ITERATE:
		return roots_list(src, cfg, l, err, errlen);
	}
	snprintf(err, errlen, "unknown resolver kind %d", (int)rs->kind);
	return -1;
}

int
dns_contacts(const struct mr_config *cfg, const struct netpolicy *np,
             dns_contact_cb *cb, void *arg, char *err, size_t errlen)
{
	struct mr_resolvers sys = {.kind = MR_RESOLVERS_SYSTEM};
	const struct mr_resolvers *rs[DNS_VIEW_COUNT] = {
		[DNS_VIEW_INSIDE] = &cfg->inside,
		[DNS_VIEW_OUTSIDE] = &cfg->outside,
		[DNS_VIEW_SYSTEM] = &sys,
	};
	static const char *const keys[DNS_VIEW_COUNT] = {
		[DNS_VIEW_INSIDE] = "inside_resolvers",
		[DNS_VIEW_OUTSIDE] = "outside_resolvers",
		[DNS_VIEW_SYSTEM] = "system",
	};
	struct view_list lists[DNS_VIEW_COUNT];
	struct sources src;
	int rc = 0;

	memset(&src, 0, sizeof(src));
	/* Every list first: on an error, nothing has been reported. */
	for (int v = 0; v < DNS_VIEW_COUNT && rc == 0; v++)
		rc = view_list(&src, cfg, rs[v], keys[v], &lists[v], err,
		               errlen);
	for (int v = 0; v < DNS_VIEW_COUNT && rc == 0; v++) {
		for (size_t i = 0; i < lists[v].n; i++) {
			char why[320];
			struct dns_contact c = {
				.view = (enum dns_view)v,
				.kind = lists[v].kind,
				.source = lists[v].source,
				.server = &lists[v].v[i],
				.index = i,
				.count = lists[v].n,
			};
			c.allowed = netpolicy_allows(np, &c.server->addr);
			if (!c.allowed)
				c.why = netpolicy_explain(np, &c.server->addr,
				                          why, sizeof(why));
			cb(arg, &c);
		}
	}
	free(src.sys);
	free(src.roots);
	free(src.hints_label);
	return rc;
}
