/*
 * dns.h -- asynchronous DNS on the run's event loop: resolver views, direct
 * queries to one server, iterative resolution, and answers parsed with ldns.
 *
 * Three views answer "what does this name resolve to":
 *   DNS_VIEW_INSIDE   what internal clients see (inside_resolvers)
 *   DNS_VIEW_OUTSIDE  what the Internet sees (outside_resolvers or iterate)
 *   DNS_VIEW_SYSTEM   this machine's own resolver (/etc/resolv.conf)
 * and dns_query_server() asks one server directly (authoritative checks).
 *
 * Every question is asked once per run: concurrent and later askers of the
 * same (view, name, type) share one answer. Answers live until dns_free().
 * Callbacks always run from the loop, never from inside the call that asked.
 *
 * Replies, their status and the helpers that read them are in dns/reply.h
 * (included). Inside src/dns/ the layers are, bottom up, each including
 * only headers below it:
 *   reply, answer, roothints, tally    replies, packets, root hints, and
 *                                      failures summed up in one line
 *   channel                            one c-ares channel on the loop
 *   query                              cache, channels, delivery, cancel
 *   iterate                            iterative resolution
 *   view, contacts                     this API: views, failover, dry run
 */
#ifndef MAILREADY_DNS_H
#define MAILREADY_DNS_H

#include <sys/time.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <ldns/ldns.h>

#include "mailready/config.h"
#include "dns/reply.h"
#include "netpolicy.h"

enum dns_view {
	DNS_VIEW_INSIDE,
	DNS_VIEW_OUTSIDE,
	DNS_VIEW_SYSTEM,
	DNS_VIEW_COUNT,
};

struct dns;

/**
 * Set up the views from the config. Resolvers outside the network policy
 * are dropped here (their questions answer DNS_BLOCKED, saying so).
 * @return the context, or NULL with the reason in err (bad root hints...).
 */
struct dns *dns_new(struct event_base *base, struct netpolicy *np,
                    const struct mr_config *cfg, char *err, size_t errlen);

/** Free everything. Not from inside a callback. */
void dns_free(struct dns *d);

/**
 * Ask a view for name/type. The reply passed to cb lives until dns_free().
 * @return a handle for dns_cancel(); it is invalid once cb has run.
 */
struct dns_req *dns_lookup(struct dns *d, enum dns_view view, const char *name,
                           ldns_rr_type type, dns_cb *cb, void *arg);

/**
 * Ask one server directly, with or without recursion desired.
 */
struct dns_req *dns_query_server(struct dns *d, const struct mr_addr *addr,
                                 uint16_t port, const char *name,
                                 ldns_rr_type type, bool rd, dns_cb *cb,
                                 void *arg);

/** Forget a request: its callback will not run. */
void dns_cancel(struct dns_req *req);

/** "inside resolvers 127.0.0.10", "outside view (iterative from root)". */
const char *dns_view_describe(const struct dns *d, enum dns_view view);

/**
 * The system's own resolution of a name, as getaddrinfo would do it
 * (/etc/hosts, then DNS per /etc/nsswitch.conf), through c-ares.
 * addrs is NULL on failure; detail says why.
 */
struct dns_req *dns_system_addrinfo(struct dns *d, const char *name,
                                    dns_addrinfo_cb *cb, void *arg);

/**
 * Why the system's resolvers may not be asked (they all lie outside the
 * network policy), or NULL: a name that then fails to resolve is
 * mailready's limit, not the host's fault.
 */
const char *dns_system_blocked(const struct dns *d);

/** The run's end: no resolution outlasts it (see dns_iter_ctx_set_limits). */
void dns_set_deadline(struct dns *d, const struct timeval *end);

/* ------------------------------------------------------------------ */
/* Dry run: who would be asked, and may they be */

/* One DNS server a view would contact first, and the policy's verdict. */
struct dns_contact {
	enum dns_view view;
	enum mr_resolvers_kind kind; /* where the view's servers come from */
	const char *source;          /* "inside_resolvers", "outside_resolvers",
	                                "/etc/resolv.conf", "built-in root hints",
	                                "root_hints FILE" */
	const struct mr_server *server;
	size_t index;    /* 0-based place in the view's list (failover order) */
	size_t count;    /* servers in the view's list */
	bool allowed;    /* inside the network policy: would be contacted */
	const char *why; /* !allowed: netpolicy_explain()'s "198.41.0.4 is
	                    outside allow_networks (127.0.0.0/8); not
	                    contacted"; NULL when allowed */
};

/** One server of a view; c and what it points to live during the call. */
typedef void dns_contact_cb(void *arg, const struct dns_contact *c);

/**
 * List, for each view (inside, outside, system, in that order), the DNS
 * servers it would contact first, with each one's allow_networks verdict.
 * Sends nothing and opens no socket: for `check --dry-run`.
 *   - a resolver list (inside_resolvers/outside_resolvers): its servers,
 *     in failover order;
 *   - system (and a view set to "system"): the nameservers of
 *     /etc/resolv.conf as the system channel reads them with c-ares
 *     (c-ares's default 127.0.0.1 when the file names none); when none is
 *     allowed, the run looks names up in /etc/hosts only;
 *   - iterate: the root servers, from the built-in hints or root_hints.
 * @param cfg  the config (resolver lists, root_hints)
 * @param np   the network policy giving the verdicts
 * @param cb   called once per server, in order
 * @return 0, or -1 with the reason in err (an unreadable root_hints file,
 *         c-ares failing to read the system's configuration); then cb has
 *         not been called.
 */
int dns_contacts(const struct mr_config *cfg, const struct netpolicy *np,
                 dns_contact_cb *cb, void *arg, char *err, size_t errlen);

#endif
