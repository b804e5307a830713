/*
 * catalog.c -- every check mailready knows, in the order results are shown:
 * metadata only. Which probe runs a check is in probes/bindings.c, so that
 * what links the catalogue (the profile and plan parsers) links no probe.
 */
#include <string.h>

#include "catalog.h"

const struct check_def catalog[] = {
	{"host.fqdn", CHECK_NODE, false, false,
         "name is a valid FQDN, not localhost; on the node itself the local "
         "host name equals it and the system resolves it to one of the "
         "node's own addresses, never to loopback (the 127.0.1.1 trap)",
         0},
	{"dns.a.inside", CHECK_NODE, false, false,
         "A/AAAA records exist for internal clients (inside resolvers) and "
         "match the declared internal address",
         0},
	{"dns.a.outside", CHECK_NODE, false, false,
         "A/AAAA records exist for the Internet (outside resolvers or "
         "iterative resolution), are public, and match the declared public "
         "address",
         0},
	{"dns.ptr", CHECK_NODE, false, false,
         "every public address has a PTR naming the FQDN, and the FQDN "
         "resolves back to that address (forward-confirmed)",
         0},
	{"dns.mx", CHECK_NODE, false, false,
         "MTA nodes: the node is an MX target of the cluster's domains", 0},
	{"dns.bl", CHECK_NODE, false, false,
         "the node's public IPv4 and IPv6 addresses are on none of the "
         "blocklists (listings named with their reason; a list refusing the "
         "query is unknown, never listed)",
         0},
	{"net.internet", CHECK_NODE, false, true,
         "the node reaches its internet_targets (host:port), outbound port 25 "
         "singled out: cloud providers block it",
         0},
	{"host.port.*", CHECK_NODE, true, true,
         "preflight: each port the node's roles need is free, or held by the "
         "expected service (a foreign holder is named with its pid)",
         0},
	{"net.port.*", CHECK_NODE, true, false,
         "TCP connect to each port the node's roles need: external ports on "
         "the public address, internal ports on the internal address",
         PERF_TIME},
	{"mail.smtp", CHECK_NODE, false, false,
         "port 25: 220 greeting (host name vs FQDN and PTR), EHLO, STARTTLS "
         "offered and performed, certificate (chain, name, expiry), EHLO again",
         PERF_TIME | PERF_CERT},
	{"mail.submission", CHECK_NODE, false, false,
         "port 587: as mail.smtp, and AUTH offered only after STARTTLS",
         PERF_TIME | PERF_CERT},
	{"mail.smtps", CHECK_NODE, false, false,
         "port 465: implicit TLS, certificate, 220 greeting, EHLO with AUTH",
         PERF_TIME | PERF_CERT},
	{"mail.imap", CHECK_NODE, false, false,
         "port 143: * OK greeting, CAPABILITY, STARTTLS offered and performed, "
         "no plain-text login before TLS, certificate",
         PERF_TIME | PERF_CERT},
	{"mail.imaps", CHECK_NODE, false, false,
         "port 993: implicit TLS, certificate, * OK greeting, CAPABILITY",
         PERF_TIME | PERF_CERT},
	{"mail.pop3", CHECK_NODE, false, false,
         "port 110: +OK greeting, CAPA, STLS offered and performed, no "
         "plain-text login before TLS, certificate",
         PERF_TIME | PERF_CERT},
	{"mail.pop3s", CHECK_NODE, false, false,
         "port 995: implicit TLS, certificate, +OK greeting, CAPA",
         PERF_TIME | PERF_CERT},
	{"dns.mx", CHECK_DOMAIN, false, false,
         "domains: MX exists, is not a null MX, targets are host names with "
         "A/AAAA (no CNAME, no IP literal) and one is a cluster node",
         0},
	{"dns.auth", CHECK_DOMAIN, false, false,
         "domains: every authoritative server answers authoritatively and "
         "they agree on the SOA serial and on the records of the nodes",
         0},
	{"dns.spf", CHECK_DOMAIN, false, false,
         "domains: one valid SPF record (RFC 7208) that ends in -all or "
         "~all, stays within 10 DNS lookups and 2 void lookups, and permits "
         "every MTA node's public addresses (evaluated as receivers do); the "
         "HELO names' own records",
         PERF_LOOKUPS},
	{"dns.dkim", CHECK_DOMAIN, false, false,
         "domains: each of dkim_selectors publishes a valid key record (RFC "
         "6376), RSA of 2048 bits or more (under 1024 fails) or Ed25519, not "
         "in testing mode; at least one selector gives a usable key",
         0},
	{"dns.dmarc", CHECK_DOMAIN, false, false,
         "domains: one valid DMARC record (RFC 7489); p=none and pct under "
         "100 warn; report destinations in other domains have authorised "
         "the reports (7.1)",
         0},
	{"dns.mta-sts", CHECK_DOMAIN, false, false,
         "domains: the MTA-STS record and the policy fetched over HTTPS with "
         "full certificate verification and no redirect (RFC 8461), its "
         "mode, and mx patterns that cover every MX target",
         0},
	{"dns.bl", CHECK_DOMAIN, false, false,
         "domains: the domain is on none of the domain_blocklists", 0},
	{"dns.tlsrpt", CHECK_DOMAIN, false, false,
         "domains: the TLS-RPT record (RFC 8460), when there is one, is "
         "valid and names where senders report TLS failures",
         0},
};

const size_t catalog_count = sizeof(catalog) / sizeof(catalog[0]);

static bool
matches(const struct check_def *d, const char *id)
{
	if (!d->family)
		return strcmp(d->id, id) == 0;
	size_t plen = strlen(d->id) - 1; /* "net.port." */
	return strncmp(d->id, id, plen) == 0 && id[plen] != '\0';
}

const struct check_def *
catalog_find(const char *id)
{
	for (size_t i = 0; i < catalog_count; i++)
		if (matches(&catalog[i], id))
			return &catalog[i];
	return NULL;
}

const char *
catalog_on_node(const struct check_def *d)
{
	static const struct {
		const char *id;
		const char *what;
	} on_node[] = {
		{"net.internet",
	         "the node's own outbound connections (port 25 included)"},
		{"host.port.*", "which programs hold the node's own ports"},
		{"host.fqdn", "the node's own host name and how it resolves "
	                      "there"},
	};

	for (size_t i = 0; i < sizeof(on_node) / sizeof(on_node[0]); i++)
		if (strcmp(on_node[i].id, d->id) == 0)
			return on_node[i].what;
	return "the node's own state";
}

unsigned
catalog_perf(const char *id)
{
	const struct check_def *d = catalog_find(id);
	return d != NULL ? d->perf : 0;
}

const struct check_def *
catalog_find_scoped(const char *id, enum check_scope scope)
{
	for (size_t i = 0; i < catalog_count; i++)
		if (catalog[i].scope == scope && matches(&catalog[i], id))
			return &catalog[i];
	return NULL;
}
