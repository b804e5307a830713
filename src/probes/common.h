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

/* Lists of addresses in messages and data stop here ("... and 3968
   more"; JSON: the first ones, with a *_count beside the list). */
#define ADDR_LIST_MAX 32

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

/**
 * The address to connect to from the A and AAAA answers for a name:
 * the first IPv4 one, else the first IPv6 one. @return false if none.
 */
bool probe_first_addr(const struct dns_reply *const r[2], struct mr_addr *out);

/**
 * Before the node's install (preflight on it, without --installed), a
 * service nothing listens on yet is not a failure: end the probe with a
 * NOT_INSTALLED skip and return true. Otherwise return false (go on).
 */
bool probe_not_installed(struct probe *p);

struct reach_result;

/**
 * A port that was not reached (refused, filtered, unreachable): the same
 * code and words in every check, so two checks of one closed port show as
 * one problem.
 */
struct mr_finding *probe_add_unreached(struct probe *p,
                                       const struct reach_result *r,
                                       const struct mr_addr *a, uint16_t port,
                                       const char *service);

struct rec_txt;
typedef int rec_select_fn(const struct rec_txt *txt, size_t n, size_t *index,
                          char *err, size_t errlen);

/**
 * The record select (dmarc_select, ...) picks among the TXT records of r.
 * @param text set to a copy of it when one is picked (caller frees)
 * @return 1 picked, 0 none, -1 several (err says)
 */
int probe_pick_txt(const struct dns_reply *r, rec_select_fn *select,
                   char **text, size_t *len, char *err, size_t errlen);

static inline struct dns *
probe_dns(struct probe *p)
{
	return probe_run(p)->dns;
}

#endif
