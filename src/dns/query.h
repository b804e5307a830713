/*
 * query.h -- the query service of a run: DNS questions to servers asked
 * directly, each asked once per run, with answers delivered from the loop.
 *
 * This is the bottom layer of the DNS context. It owns
 *   - the per-run answer cache: one entry per (channel, name, type, rd), or
 *     per (scope, name, type) for questions a layer above answers itself
 *     (a resolver view);
 *   - the c-ares channels: one per server asked directly, since a c-ares
 *     callback does not say which server answered, and one for the
 *     system's resolvers (/etc/resolv.conf);
 *   - delivery: every callback runs from the loop, never from inside the
 *     call that asked, and a cancelled request's callback never runs.
 * Iterative resolution (iterate.h) and the views (view.c) sit on top.
 */
#ifndef MAILREADY_DNS_QUERY_H
#define MAILREADY_DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <ldns/ldns.h>

#include "mailready/config.h"
#include "dns/reply.h"
#include "netpolicy.h"

struct query_svc;
struct query_chan;
struct query_entry;

/* How long a channel waits: per try, and how many tries per server. */
struct query_timing {
	int timeout_ms;
	int tries;
};

/**
 * Start the service.
 * @param direct  timing of channels to servers asked through query_server()
 * @param system  timing of the system resolvers' channel
 * @return the service, or NULL with the reason in err.
 */
/** The loop the service runs on (for timers of its users). */
struct event_base *query_svc_base(const struct query_svc *qs);

struct query_svc *query_svc_new(struct event_base *base, struct netpolicy *np,
                                struct query_timing direct,
                                struct query_timing system, char *err,
                                size_t errlen);

/**
 * Free every channel, entry and request; no callback runs any more. A layer
 * above must have cancelled its own requests first. Not from a callback.
 */
void query_svc_free(struct query_svc *qs);

/**
 * The shared channel to one server with the given timing, created on
 * first use and owned by the service. A server outside the network policy
 * gets a channel that sends nothing: its questions answer DNS_BLOCKED.
 */
struct query_chan *query_chan_server(struct query_svc *qs,
                                     const struct mr_server *srv,
                                     struct query_timing t);

/**
 * A channel of its own to one server (a view's resolver): its questions
 * are cached apart from every other channel's. Owned by the service.
 */
struct query_chan *query_chan_new(struct query_svc *qs,
                                  const struct mr_server *srv,
                                  struct query_timing t);

/** The channel to the system's resolvers (those the policy allows). */
struct query_chan *query_chan_system(struct query_svc *qs);

/** Its servers as text: "127.0.0.10", "[::1]:5353", or "none". */
const char *query_chan_servers_str(const struct query_chan *ch);

/** Number of servers the channel may send to (0: all outside policy). */
size_t query_chan_nservers(const struct query_chan *ch);

/**
 * Ask on a channel: name/type, recursion desired or not. Concurrent and
 * later askers of the same question share one answer.
 * @return a handle for query_cancel(); invalid once cb has run. The reply
 *         passed to cb lives until query_svc_free().
 */
struct dns_req *query_ask(struct query_svc *qs, struct query_chan *ch,
                          const char *name, ldns_rr_type type, bool rd,
                          dns_cb *cb, void *arg);

/** query_ask() on the channel to srv with the direct timing. */
struct dns_req *query_server(struct query_svc *qs, const struct mr_server *srv,
                             const char *name, ldns_rr_type type, bool rd,
                             dns_cb *cb, void *arg);

/**
 * The system's own resolution of a name, as getaddrinfo would do it
 * (/etc/hosts, then the system resolvers), cached like any question.
 */
/** Why no system resolver may be asked (the network policy), or NULL. */
const char *query_system_blocked(const struct query_svc *qs);

struct dns_req *query_addrinfo(struct query_svc *qs, const char *name,
                               dns_addrinfo_cb *cb, void *arg);

/*
 * Called once for a question met for the first time, to start answering
 * it; the owner later hands the reply over with query_entry_done().
 */
typedef void query_start_fn(void *owner, struct query_entry *e);

/**
 * A question that a layer above answers (a view with failover, or
 * iterative resolution), cached and delivered here like any other.
 * @param scope  what is asked: "view0"; questions of one scope are shared
 * @param start  runs at once (before this returns) on a cache miss
 */
struct dns_req *query_cached(struct query_svc *qs, const char *scope,
                             const char *name, ldns_rr_type type,
                             query_start_fn *start, void *owner, dns_cb *cb,
                             void *arg);

/** The question of an entry: name normalised, and type. */
const char *query_entry_name(const struct query_entry *e);
ldns_rr_type query_entry_type(const struct query_entry *e);

/**
 * The answer of an entry started by query_cached(): the entry takes over
 * what r owns (r is zeroed) and delivers it to every waiter from the loop.
 */
void query_entry_done(struct query_entry *e, struct dns_reply *r);

/** Forget a request: its callback will not run. NULL is allowed. */
void query_cancel(struct dns_req *req);

#endif
