/*
 * plan.h -- topology × role profiles → the list of check instances.
 *
 * The plan is pure data: nothing is probed while it is built. Each item
 * names its check, its node or domain, and what exactly to probe.
 */
#ifndef MAILREADY_PLAN_H
#define MAILREADY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailready/codes.h"
#include "mailready/config.h"
#include "mailready/status.h"
#include "catalog.h"
#include "profile.h"

enum run_mode {
	MODE_PREFLIGHT,
	MODE_CHECK,
	MODE_HEALTH,
};

const char *run_mode_name(enum run_mode m);

struct plan_opts {
	enum run_mode mode;
	const char *self; /* name of the node this runs on, or NULL */
	char **only;      /* check id globs; none means all */
	size_t nonly;
	char **skip; /* check id globs to leave out */
	size_t nskip;
	bool installed; /* preflight --installed: the self node's services
	                   must answer */
	/* Preflight on a host that is no node of the cluster file: this
	   host's name (its on-node checks are unknown, not skipped); else
	   NULL. */
	const char *not_a_node;
};

struct plan_item {
	const struct check_def *def;
	char *id;                   /* full id: "net.port.smtp" */
	const struct mr_node *node; /* NULL for domain checks */
	const char *domain;         /* for domain checks; else NULL */
	char *target;               /* what is probed, for output */
	char *service;              /* port checks: "smtp"; else NULL */
	uint16_t port;              /* port checks; else 0 */
	bool external;              /* port checks: public side */
	bool implicit_tls;          /* port checks: TLS first (services.h) */
	/* Preflight on the node before its install: the service is not
	   expected to answer unless something already listens there. */
	bool before_install;
	/* host.port: the programs expected on the port, blank-separated
	   (the profile's holders, else the built-in table of services.c);
	   NULL when none is known. */
	char *holders;
	bool has_addr;          /* addr below is set */
	struct mr_addr addr;    /* port checks: the address probed */
	bool self;              /* runs on the node itself */
	char *skip_reason;      /* set: not run, result is skip */
	enum mr_code skip_code; /* the skip's finding code */
	/* The severity of that finding: skip, or unknown when a verdict
	   needed the check (HOST_NOT_A_NODE). */
	enum mr_status skip_status;
};

struct plan {
	struct plan_item *items;
	size_t n;
	/* The MTA nodes, which send the cluster's mail: a role of theirs
	   asks for dns.mx (the domain policies must permit them). */
	const struct mr_node **senders;
	size_t nsenders;
};

/**
 * Expand config × profile into check instances, in a stable order: nodes in
 * config order (each node's checks in catalogue order, then ports in profile
 * order), then domains.
 * @return 0, or -1 with "FILE:LINE: what is wrong" in err (a role the
 *         profile does not know, ...).
 */
int plan_build(const struct mr_config *cfg, const struct profile *prof,
               const struct plan_opts *opts, struct plan *out, char *err,
               size_t errlen);

void plan_free(struct plan *p);

#endif
