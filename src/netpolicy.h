/*
 * netpolicy.h -- which addresses mailready may contact, and which count as
 * public.
 *
 * Every outgoing connection and every DNS socket is connected through
 * netpolicy_connect(): this is the one choke point for allow_networks. An
 * address outside it is never contacted; the caller reports the check as
 * unknown with netpolicy_explain().
 */
#ifndef MAILREADY_NETPOLICY_H
#define MAILREADY_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "mailready/config.h"
#include "mailready/netaddr.h"

/* Intrinsic class of an address, from the IANA special-purpose registries. */
enum addr_class {
	ADDR_GLOBAL,     /* ordinary global unicast */
	ADDR_LOOPBACK,   /* 127/8, ::1 */
	ADDR_PRIVATE,    /* RFC 1918, fc00::/7 */
	ADDR_SHARED,     /* 100.64/10 carrier-grade NAT */
	ADDR_LINK_LOCAL, /* 169.254/16, fe80::/10 */
	ADDR_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
	ADDR_BENCHMARK,   /* 198.18/15 */
	ADDR_MULTICAST,   /* 224/4, ff00::/8 */
	ADDR_UNSPECIFIED, /* 0.0.0.0/8, :: */
	ADDR_RESERVED,    /* everything else not routable on the Internet */
};

/** "loopback", "private (RFC 1918)", ... for messages. */
const char *addr_class_name(enum addr_class c);

enum addr_class addr_classify(const struct mr_addr *a);

#define NETPOLICY_ENV "MAILREADY_ALLOW_NETWORKS"

struct netpolicy {
	struct mr_cidr_list allow;     /* from config or --allow-net */
	struct mr_cidr_list env_allow; /* MAILREADY_ALLOW_NETWORKS */
	bool has_env;
	struct mr_cidr_list public_nets;
	bool public_default;
	unsigned long blocked; /* connections refused by the policy */
};

/**
 * Build the policy from the config and the environment variable value
 * (NULL if unset), which can only narrow the config.
 * @return 0, or -1 with the reason in err.
 */
int netpolicy_init(struct netpolicy *np, const struct mr_config *cfg,
                   const char *env_value, char *err, size_t errlen);

void netpolicy_free(struct netpolicy *np);

/** May a packet be sent to a? */
bool netpolicy_allows(const struct netpolicy *np, const struct mr_addr *a);

/**
 * connect(2) through the policy: refuses with EACCES (and counts it) when
 * the peer is not allowed.
 */
int netpolicy_connect(struct netpolicy *np, int fd, const struct sockaddr *sa,
                      socklen_t len);

/** Why a is not allowed, e.g. "10.0.0.53 is outside allow_networks (...)". */
const char *netpolicy_explain(const struct netpolicy *np,
                              const struct mr_addr *a, char *buf, size_t len);

/** Does a count as public (public_networks, or global unicast by default)? */
bool netpolicy_is_public(const struct netpolicy *np, const struct mr_addr *a);

#endif
