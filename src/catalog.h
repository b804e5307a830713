/*
 * catalog.h -- the catalogue of checks: every check id, what it verifies
 * and where it runs. Metadata only: probes/bindings.c says which probe
 * runs each check (probes.h, bindings_ops), so that the parsers and the
 * plan, which need the catalogue, do not link the probes.
 *
 * A check id leads straight to its probe file: dns.ptr -> probes/dns_ptr.c,
 * net.port.SERVICE -> probes/port.c, mail.SERVICE -> probes/smtp.c etc.
 */
#ifndef MAILREADY_CATALOG_H
#define MAILREADY_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum check_scope {
	CHECK_NODE,   /* one instance per node (per address or port) */
	CHECK_DOMAIN, /* one instance per mail domain */
};

/* The perfdata a check gives in Nagios output, whatever it measured. */
enum check_perf {
	PERF_TIME = 1, /* 'time': the response time, in seconds */
	PERF_CERT = 2, /* 'cert_days': the certificate's days left */
	/* 'lookups': the DNS-querying terms an SPF policy costs a sender
	   it does not list, of the 10 receivers allow */
	PERF_LOOKUPS = 4,
};

struct check_def {
	const char *id; /* "dns.ptr"; for a family, "net.port.*" */
	enum check_scope scope;
	bool family;          /* id is a prefix completed by a service */
	bool self_only;       /* meaningful only on the node itself */
	const char *verifies; /* one line for `mailready list` */
	unsigned perf;        /* PERF_* bits */
};

extern const struct check_def catalog[];
extern const size_t catalog_count;

/**
 * The definition of a check id: an exact id, or a family id completed by
 * a service ("net.port.smtp" → "net.port.*").
 * @return the definition, or NULL if the id is unknown.
 */
const struct check_def *catalog_find(const char *id);

/**
 * What a check that runs only on the node itself reads or tests there,
 * for the reason it is not run elsewhere ("the node's own outbound
 * connections (port 25 included)").
 */
const char *catalog_on_node(const struct check_def *d);

/** The PERF_* bits of a check id; 0 for an unknown id. */
unsigned catalog_perf(const char *id);

/** Like catalog_find, for one scope (dns.mx exists for nodes and domains). */
const struct check_def *catalog_find_scoped(const char *id,
                                            enum check_scope scope);

#endif
