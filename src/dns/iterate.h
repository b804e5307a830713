/*
 * iterate.h -- iterative resolution from root hints, as the Internet sees
 * a name: ask a root server without recursion, follow referrals down to the
 * zone's authoritative servers, and take their answer.
 *
 * Built on the query service alone (query.h): every question to a server
 * goes through query_server(), so the per-run cache shares work between
 * iterations.
 */
#ifndef MAILREADY_DNS_ITERATE_H
#define MAILREADY_DNS_ITERATE_H

#include <sys/time.h>
#include <ldns/ldns.h>

#include "mailready/config.h"
#include "dns/query.h"
#include "dns/reply.h"

struct dns_iter_ctx;
struct dns_iter;

/* The final reply; the callee takes what it owns (a struct copy). */
typedef void dns_iter_done(void *arg, struct dns_reply *reply);

/**
 * Shared state of all iterations of a run: the zone cuts learnt so far,
 * starting from the root servers.
 * @param qs     the query service every question goes through
 * @param roots  addresses of the root servers (copied; at least one)
 * @param nnames number of root server names, for messages ("13 root
 *               servers (26 addresses)"); 0 if unknown
 */
struct dns_iter_ctx *dns_iter_ctx_new(struct query_svc *qs,
                                      const struct mr_server *roots,
                                      size_t nroots, size_t nnames);

/**
 * Bound every resolution in time: budget_ms from its start (0: none), and
 * never past deadline (NULL: none). When the time is up the resolution
 * fails, naming the zone whose servers stayed silent.
 */
void dns_iter_ctx_set_limits(struct dns_iter_ctx *ic, double budget_ms,
                             const struct timeval *deadline);

/** Free the zone cuts and cancel every iteration still running. */
void dns_iter_ctx_free(struct dns_iter_ctx *ic);

/**
 * Resolve qname/qtype; done is called once. It may be called before
 * dns_iter_start() returns (a zone cut already known to have no server),
 * and then the handle returned is already invalid. A failure's reply
 * has server NULL and one short detail naming the cause (which
 * dns_reply_describe() returns): DNS_BLOCKED when no server of the
 * zone could be contacted, DNS_GAVEUP otherwise.
 */
struct dns_iter *dns_iter_start(struct dns_iter_ctx *ic, const char *qname,
                                ldns_rr_type qtype, dns_iter_done *done,
                                void *arg);

/** Stop an iteration; done will not be called. */
void dns_iter_cancel(struct dns_iter *it);

/* ------------------------------------------------------------------ */
/* One step, decided from one reply (pure: what the iteration then does
   with the zone cuts is its own business) */

/* Servers taken from one referral, at most. */
#define DNS_STEP_MAX_NS 16

enum dns_step_kind {
	DNS_STEP_ANSWER,   /* the reply is the answer: OK, NXDOMAIN, NODATA */
	DNS_STEP_CNAME,    /* NODATA at the end of CNAMEs: ask for final_name */
	DNS_STEP_REFERRAL, /* go down to the child zone's servers */
	DNS_STEP_LAME,     /* a referral not leading down towards the name */
	DNS_STEP_FAILED,   /* the server failed: try the next one */
};

struct dns_step {
	enum dns_step_kind kind;
	/* DNS_STEP_REFERRAL only; the rest empty otherwise. */
	char *child;          /* the zone delegated to ("example.test") */
	size_t nnames;        /* NS names of child taken (<= DNS_STEP_MAX_NS) */
	size_t nskipped;      /* NS names of child past the bound, not taken */
	struct mr_addr *glue; /* addresses of those names, in packet order */
	size_t nglue;
	char **unglued; /* the names without usable glue */
	size_t nunglued;
};

/**
 * What an iteration does after reply r of a server of zone ("" for the
 * root) to a question about qname. A referral is followed only when the
 * owner of its first NS record lies strictly below zone and at or above
 * qname, and that NS set names at least one server; glue is taken only
 * for the names it delegates to, and only for names within zone (the
 * asking server's authority).
 * Reads r and r->pkt, changes nothing else.
 * @param out  filled; free with dns_step_clear()
 */
void dns_iter_step(const struct dns_reply *r, const char *zone,
                   const char *qname, struct dns_step *out);

/** Free what a step owns and zero it. */
void dns_step_clear(struct dns_step *s);

#endif
