/*
 * dryrun.c -- the contacts of a run, listed instead of made.
 *
 * What is known before the run is listed with its verdict: the views'
 * first DNS servers (dns_contacts), each port check's address, the
 * net.internet targets given as addresses. What only the run can find --
 * a node's address from its name, the authoritative servers of a domain,
 * a target's address from its name -- is named as found at run time,
 * with the view that would find it.
 */
#include <stdio.h>
#include <string.h>

#include "dns/dns.h"
#include "dryrun.h"
#include "probes/probes.h"

static const char *const view_names[DNS_VIEW_COUNT] = {
	[DNS_VIEW_INSIDE] = "inside",
	[DNS_VIEW_OUTSIDE] = "outside",
	[DNS_VIEW_SYSTEM] = "system",
};

struct dns_out {
	FILE *out;
	int last_view;
	size_t allowed, refused;
};

static void
on_contact(void *arg, const struct dns_contact *c)
{
	struct dns_out *d = arg;
	char as[MR_ADDR_STRLEN];

	if ((int)c->view != d->last_view) {
		fprintf(d->out, "  %s view, from %s:\n", view_names[c->view],
		        c->source);
		d->last_view = (int)c->view;
	}
	mr_addr_str(&c->server->addr, as);
	if (c->allowed)
		d->allowed++;
	else
		d->refused++;
	fprintf(d->out, "    %s%s%s port %u udp/tcp: %s\n",
	        c->server->addr.family == AF_INET6 ? "[" : "", as,
	        c->server->addr.family == AF_INET6 ? "]" : "",
	        (unsigned)c->server->port, c->allowed ? "allowed" : c->why);
}

static void
verdict(FILE *out, struct dns_out *d, const struct netpolicy *np,
        const struct mr_addr *a)
{
	char why[320];

	if (netpolicy_allows(np, a)) {
		fputs("allowed\n", out);
		d->allowed++;
	} else {
		fprintf(out, "%s\n",
		        netpolicy_explain(np, a, why, sizeof(why)));
		d->refused++;
	}
}

/* What a check connects to, if anything. */
static void
item(FILE *out, struct dns_out *d, const struct netpolicy *np,
     const struct mr_config *cfg, const struct plan_item *it)
{
	const char *who = it->node ? it->node->name : it->domain;

	if (strcmp(it->id, "dns.auth") == 0) {
		fprintf(out,
		        "  %s %s: the authoritative servers of the domain's "
		        "zone, port 53, found at run time through the outside "
		        "view\n",
		        who, it->id);
		return;
	}
	if (strcmp(it->id, "net.internet") == 0) {
		size_t n;
		const struct mr_target *t = internet_targets(cfg, &n);
		for (size_t i = 0; i < n; i++) {
			struct mr_addr a;
			fprintf(out, "  %s %s %s port %u: ", who, it->id,
			        t[i].host, (unsigned)t[i].port);
			if (mr_addr_parse(t[i].host, &a) == 0)
				verdict(out, d, np, &a);
			else
				fputs("address found at run time through the "
				      "system's resolver\n",
				      out);
		}
		return;
	}
	if (it->port == 0 || strncmp(it->id, "host.port.", 10) == 0)
		return; /* DNS only, or the node's own socket table */
	fprintf(out, "  %s %s %s: ", who, it->id, it->target);
	if (it->has_addr)
		verdict(out, d, np, &it->addr);
	else
		fputs("address found at run time through the inside view\n",
		      out);
}

/* Public addresses mailready found itself (preflight without a file). */
static void
found_addresses(FILE *out, const struct mr_config *cfg)
{
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < cfg->nnodes; i++) {
		const struct mr_node *n = &cfg->nodes[i];
		if (n->public_from == MR_PUBLIC_NOT_FOUND)
			fprintf(out,
			        "%s: no public address on this host's "
			        "interfaces: its PTR cannot be judged without "
			        "--public ADDR\n\n",
			        n->name);
		if (n->public_from != MR_PUBLIC_INTERFACES)
			continue;
		fprintf(out,
		        "%s: public address%s from this host's "
		        "interfaces:",
		        n->name, n->npublic == 1 ? "" : "es");
		for (size_t k = 0; k < n->npublic; k++)
			fprintf(out, " %s",
			        mr_addr_str(&n->public_addrs[k], as));
		fputs("\n\n", out);
	}
}

int
dryrun_print(FILE *out, const struct mr_config *cfg, const struct netpolicy *np,
             const struct plan *plan, char *err, size_t errlen)
{
	struct dns_out d = {out, -1, 0, 0};

	found_addresses(out, cfg);
	fputs("DNS servers the views would ask first:\n", out);
	if (dns_contacts(cfg, np, on_contact, &d, err, errlen) < 0)
		return -1;
	fputs("\nAddresses and ports the checks would connect to:\n", out);
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].skip_reason == NULL)
			item(out, &d, np, cfg, &plan->items[i]);
	fprintf(out,
	        "\nNothing was sent (--dry-run): %zu contacts allowed, %zu "
	        "outside allow_networks; addresses found at run time are "
	        "judged when found.\n",
	        d.allowed, d.refused);
	return ferror(out) ? -1 : 0;
}
