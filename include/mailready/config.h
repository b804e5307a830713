/*
 * config.h -- the cluster topology and run settings read from the INI file
 * (mailready.conf(5)) and adjusted by the command line.
 *
 * The config says what the cluster should look like; the plan (plan.h)
 * turns it into checks. Nothing here touches the network.
 */
#ifndef MAILREADY_CONFIG_H
#define MAILREADY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailready/netaddr.h"

struct mr_server {
	struct mr_addr addr;
	uint16_t port;
};

enum mr_resolvers_kind {
	MR_RESOLVERS_SYSTEM,  /* /etc/resolv.conf */
	MR_RESOLVERS_LIST,    /* the servers below */
	MR_RESOLVERS_ITERATE, /* from root hints, no recursion asked */
};

struct mr_resolvers {
	enum mr_resolvers_kind kind;
	struct mr_server *v;
	size_t n;
};

/* host:port the node must reach to be on the Internet (net.internet). */
struct mr_target {
	char *host; /* name or address literal */
	uint16_t port;
};

/*
 * A finding accepted on purpose ([accept] section, or the file it names):
 * "CODE TARGET = YYYY-MM-DD reason". Until the end of that day (UTC) the
 * finding no longer counts; after it, it counts again and says so.
 */
struct mr_accept {
	char *code;        /* "PTR_NAME_MISMATCH": a code of codes.def */
	char *target;      /* node or domain name, a check's target, or "*" */
	char until[11];    /* "2027-03-01" */
	long long until_t; /* the first second after that day, UTC */
	char *reason;      /* why, as written; "" if none was given */
	char *file;        /* where it was written, for messages */
	int line;
};

/* Where a node's public addresses came from, for what a run says. */
enum mr_public_from {
	MR_PUBLIC_DECLARED,   /* the cluster file or --public (or none) */
	MR_PUBLIC_INTERFACES, /* preflight without a file: this host's own */
	MR_PUBLIC_NOT_FOUND,  /* ... and none of them is public */
};

struct mr_node {
	char *name;   /* FQDN, lowercase, no trailing dot */
	char **roles; /* lowercase role names */
	size_t nroles;
	struct mr_addr *public_addrs;
	size_t npublic;
	enum mr_public_from public_from;
	struct mr_addr *internal_addrs;
	size_t ninternal;
	/* -I/--address: where the service checks connect, whatever the
	   declared addresses (a monitor's $HOSTADDRESS$); none: declared. */
	struct mr_addr *connect_addrs;
	size_t nconnect;
	/* Names its certificates may carry besides the FQDN (a proxy's
	   service name, a wildcard), on top of the cluster's. */
	char **tls_names;
	size_t ntls_names;
	int line; /* line of the [node ...] header, for messages */
};

struct name_index;

struct mr_config {
	char *file;    /* path the config was read from; NULL if none */
	char *profile; /* profile name ("carbonio") or a path */
	char **domains;
	size_t ndomains;
	struct mr_resolvers inside;
	struct mr_resolvers outside;
	char *root_hints; /* NULL: built-in root hints */
	char *ca_file;    /* NULL: the system trust store */
	struct mr_target *internet_targets;
	size_t ninternet_targets;
	bool internet_targets_builtin;
	struct mr_cidr_list public_networks; /* used when !public_default */
	bool public_default;                 /* "default": global unicast */
	struct mr_cidr_list allow_networks;  /* "any" is 0.0.0.0/0 and ::/0 */
	double timeout_s;                    /* global deadline */
	double probe_timeout_s;              /* one probe; <= timeout_s */
	/* The wait for a greeting, which greet pauses make long
	   (postscreen_greet_wait 6 s); <= timeout_s. */
	double greeting_timeout_s;
	char **tls_names; /* names every node's certificate may carry */
	size_t ntls_names;
	char **dkim_selectors; /* dns.dkim: SELECTOR._domainkey.DOMAIN */
	size_t ndkim_selectors;
	/* DNS blocklists (dns.bl) of addresses and of domains: zones,
	   the built-in ones by default, none after "none". */
	char **blocklists;
	size_t nblocklists;
	bool blocklists_builtin;
	char **domain_blocklists;
	size_t ndomain_blocklists;
	bool domain_blocklists_builtin;
	/* The opt-in test account for logins through the services
	   (login_file, mode 0600); NULL when not configured. Never shown. */
	char *login_file;
	char *login_user;
	char *login_password;
	int cert_warn_days;
	int cert_crit_days;
	struct mr_node *nodes;
	size_t nnodes;
	struct mr_accept *accepts;
	size_t naccepts;
	/* Node names hashed to their index (nameindex.h); valid while it
	   holds nnodes entries, else lookups scan. */
	struct name_index *node_index;
};

/** A config with every default of DESIGN.md and no nodes. */
struct mr_config *mr_config_new_default(void);

/**
 * Read an INI file over the defaults.
 * @param path  the file
 * @param err   on failure, "FILE:LINE: what is wrong" (size errlen)
 * @return a config owned by the caller, or NULL on any error.
 */
struct mr_config *mr_config_load(const char *path, char *err, size_t errlen);

/**
 * Parse from a string (tests); name is used in error messages.
 */
struct mr_config *mr_config_load_string(const char *name, const char *text,
                                        char *err, size_t errlen);

/**
 * Read the text of an accept file (what [accept] file = FILE names:
 * acceptances, the [accept] header optional) into c's acceptances (tests,
 * fuzzing); name is used in messages and in each acceptance's file.
 * @return 0, or -1 with "NAME:LINE: what is wrong" in err; c then keeps
 *         the acceptances read before the error.
 */
int mr_config_accept_string(struct mr_config *c, const char *name,
                            const char *text, char *err, size_t errlen);

void mr_config_free(struct mr_config *c);

/** Find a node by name (case-insensitive, trailing dot ignored). */
struct mr_node *mr_config_node(const struct mr_config *c, const char *name);

/**
 * Add a node; the config copies name and roles.
 * @return the new node, or NULL if the name exists already.
 */
struct mr_node *mr_config_add_node(struct mr_config *c, const char *name);

/** Free what a node owns (not the node itself) and zero it. */
void mr_node_clear(struct mr_node *n);

/** Append a role to a node (copied, lowercased). */
void mr_node_add_role(struct mr_node *n, const char *role);
bool mr_node_has_role(const struct mr_node *n, const char *role);

/**
 * Parse a resolver list value: "system", "iterate" or addresses
 * ("9.9.9.9, [2620:fe::fe]:53"). iterate is accepted only if allow_iterate.
 * @return 0, or -1 with the reason in err.
 */
int mr_resolvers_parse(const char *value, bool allow_iterate,
                       struct mr_resolvers *out, char *err, size_t errlen);

/**
 * Parse a comma-separated CIDR list into out (replacing it). "any" gives
 * 0.0.0.0/0 and ::/0.
 */
int mr_cidr_list_parse(const char *value, struct mr_cidr_list *out, char *err,
                       size_t errlen);

/**
 * What is wrong with a node name (normalised: lower case, no trailing
 * dot), as the cluster file judges it: "is not a host name", ...; NULL
 * when it is fine. -H names are judged the same way.
 */
const char *mr_node_name_problem(const char *name);

/** A mail domain as the cluster file takes it (and -d). */
bool mr_domain_name_ok(const char *d);

/** Rebuild the index of node names after nodes were moved or dropped. */
void mr_config_reindex(struct mr_config *c);

#endif
