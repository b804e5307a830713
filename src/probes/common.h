/*
 * common.h -- small helpers the probes share: building messages from
 * findings, address lists as text, the run's DNS and policy.
 */
#ifndef MAILREADY_PROBES_COMMON_H
#define MAILREADY_PROBES_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "mailready/config.h"
#include "mailready/probe.h"
#include "dns/dns.h"
#include "loop.h"
#include "plan.h"

/*
 * Findings of a check: each has a status; the check's status is the worst
 * and its message lists the worst findings first, joined by "; ".
 */
struct findings {
	enum mr_status worst;
	char **text;
	enum mr_status *status;
	size_t n;
};

void findings_add(struct findings *f, enum mr_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Finish the probe with the findings (pass with ok_msg when none). */
void findings_finish(struct findings *f, struct probe *p);

void findings_free(struct findings *f);

/** "127.0.2.10, 2001:db8::10" (caller frees); "(none)" when n is 0. */
char *addr_list_str(const struct mr_addr *v, size_t n);

bool addr_in(const struct mr_addr *v, size_t n, const struct mr_addr *a);

/** Is a one of the node's declared public or internal addresses? */
bool node_declares(const struct mr_node *node, const struct mr_addr *a);

/*
 * Does the config place the node on loopback addresses (a lab on one
 * machine)? Then loopback answers are not a misconfiguration by themselves.
 */
bool node_is_loopback(const struct mr_node *node);

static inline struct dns *
probe_dns(struct probe *p)
{
	return probe_run(p)->dns;
}

#endif
