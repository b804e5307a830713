/*
 * common.h -- small helpers the probes share: address lists as text and
 * data, the "not checked" findings that name their cause in one short line
 * (the same cause gives the same line, so renderers can group them), the
 * run's DNS.
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

/** "127.0.2.10, 2001:db8::10" (caller frees); "(none)" when n is 0. */
char *addr_list_str(const struct mr_addr *v, size_t n);

/** The addresses as a JSON array of strings (new reference). */
json_t *addr_list_json(const struct mr_addr *v, size_t n);

bool addr_in(const struct mr_addr *v, size_t n, const struct mr_addr *a);

/** Is a one of the node's declared public or internal addresses? */
bool node_declares(const struct mr_node *node, const struct mr_addr *a);

/*
 * Does the config place the node on loopback addresses (a lab on one
 * machine)? Then loopback answers are not a misconfiguration by themselves.
 */
bool node_is_loopback(const struct mr_node *node);

/**
 * An unknown DNS_UNANSWERED finding: "not checked: CAUSE", with the
 * question (name, type) and the answer's outcome as data.
 */
struct mr_finding *probe_dns_unanswered(struct probe *p,
                                        const struct dns_reply *r,
                                        const char *name, const char *type);

/**
 * End with an unknown NO_ADDRESS finding: the node has no declared address
 * for this check and its name does not resolve inside (r says how).
 */
void probe_finish_no_address(struct probe *p, const struct dns_reply *r);

/**
 * End with an unknown NOT_ALLOWED (err EACCES: outside allow_networks) or
 * CONNECT_ERROR finding, after conn_connect() refused to start.
 */
void probe_finish_not_connected(struct probe *p, const struct mr_addr *a,
                                int err);

static inline struct dns *
probe_dns(struct probe *p)
{
	return probe_run(p)->dns;
}

#endif
