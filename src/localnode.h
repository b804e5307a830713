/*
 * localnode.h -- this host as a node of the run: which node a run is on
 * (--self, -H in preflight, or the host name among the nodes), whether
 * preflight runs on a host that is none of them, and, for preflight
 * without a cluster file, the node's public addresses taken from this
 * host's interfaces.
 */
#ifndef MAILREADY_LOCALNODE_H
#define MAILREADY_LOCALNODE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailready/netaddr.h"

struct cli;
struct mr_config;
struct report;

/* An address configured on one of this host's interfaces. */
struct local_addr {
	struct mr_addr addr;
	char ifname[IF_NAMESIZE];
	bool loopback; /* on a loopback interface */
};

/**
 * The addresses of this host's interfaces (getifaddrs), IPv4 and IPv6.
 * @return them (caller frees; NULL when none), their count in *n
 */
struct local_addr *localnode_addrs(size_t *n);

struct localnode {
	const char *file;       /* the cluster file, or NULL */
	const char *self;       /* the node this run is on, or NULL */
	const char *not_a_node; /* preflight with a file on a host that is
	                           none of its nodes: this host's name */
	const char *near;       /* then the node it may be meant to be */
	char *public_note;      /* where the public addresses came from */
};

/**
 * Settle which node the run is on. --self must name a node of the run
 * (else a usage error naming the nearest node or the nodes); preflight
 * with -H runs on that node; else a node named like this host.
 * Preflight without a cluster file, -H or --public also takes the
 * node's public addresses from this host's interfaces (those that
 * count as public: public_networks, not loopback, not link-local).
 * @param host  this host's name (gethostname)
 * @return 0, or -1 with the message in err (exit 3)
 */
int localnode_init(struct localnode *ln, const struct cli *c,
                   struct mr_config *cfg, const char *host, char *err,
                   size_t errlen);

/** Say in the report what the run found out about this host. */
void localnode_report(const struct localnode *ln, struct report *rep);

void localnode_free(struct localnode *ln);

#endif
