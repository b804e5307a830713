/*
 * iterate.h -- iterative resolution from root hints, as the Internet sees
 * a name: ask a root server without recursion, follow referrals down to the
 * zone's authoritative servers, and take their answer.
 */
#ifndef MAILREADY_DNS_ITERATE_H
#define MAILREADY_DNS_ITERATE_H

#include <ldns/ldns.h>

#include "dns/dns.h"

struct dns_iter_ctx;
struct dns_iter;

/* The final reply; the callee takes what it owns (a struct copy). */
typedef void dns_iter_done(void *arg, struct dns_reply *reply);

/**
 * Shared state of all iterations of a run: the zone cuts learnt so far,
 * starting from the root servers.
 * @param roots  addresses of the root servers (copied)
 */
struct dns_iter_ctx *
dns_iter_ctx_new(struct dns *d, const struct mr_server *roots, size_t nroots);
void dns_iter_ctx_free(struct dns_iter_ctx *ic);

/** Resolve qname/qtype; done is called once from the loop. */
struct dns_iter *dns_iter_start(struct dns_iter_ctx *ic, const char *qname,
                                ldns_rr_type qtype, dns_iter_done *done,
                                void *arg);

/** Stop an iteration; done will not be called. */
void dns_iter_cancel(struct dns_iter *it);

#endif
