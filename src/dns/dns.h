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
 */
#ifndef MAILREADY_DNS_H
#define MAILREADY_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <ldns/ldns.h>

#include "mailready/config.h"
#include "netpolicy.h"

enum dns_view {
	DNS_VIEW_INSIDE,
	DNS_VIEW_OUTSIDE,
	DNS_VIEW_SYSTEM,
	DNS_VIEW_COUNT,
};

/* Outcome of a question, told apart in every message. */
enum dns_status {
	DNS_OK,       /* records of the type exist (after CNAMEs) */
	DNS_NODATA,   /* the name exists, not with this type */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_BADRCODE,    /* FORMERR, NOTIMP and other rcodes */
	DNS_REFERRAL,    /* a server asked directly is not authoritative */
	DNS_TIMEOUT,     /* no answer in time */
	DNS_UNREACHABLE, /* connection refused or network error */
	DNS_BLOCKED,     /* server outside allow_networks: not contacted */
	DNS_MALFORMED,   /* an answer that does not parse or does not fit */
	DNS_GAVEUP,      /* iteration could not finish (loop, limits, lame) */
};

struct dns_reply {
	enum dns_status status;
	ldns_pkt *pkt;       /* the answer as received; NULL if none */
	ldns_rr_list *rrs;   /* records of the type at final_name */
	ldns_rr_list *chain; /* CNAMEs followed from the name asked */
	ldns_rr_list *owned; /* records the reply owns beyond pkt's */
	char *final_name;    /* end of the CNAME chain, no trailing dot */
	bool aa;             /* authoritative answer */
	int rcode;           /* LDNS_RCODE_* when a packet came back */
	char *server;        /* who answered or failed: "127.0.0.11" */
	char *detail;        /* what went wrong, for messages; or NULL */
	double rtt_ms;
};

/** "NXDOMAIN", "NODATA", "timeout", ... */
const char *dns_status_name(enum dns_status s);

/**
 * A short phrase for messages: "NXDOMAIN from 127.0.0.11",
 * "no answer from 127.0.0.11 within 2 s". Caller frees.
 */
char *dns_reply_describe(const struct dns_reply *r);

/**
 * Is the failure about the resolvers rather than the records? (timeout,
 * SERVFAIL, REFUSED, blocked...): then a check cannot judge the records and
 * reports unknown.
 */
bool dns_status_is_transport(enum dns_status s);

struct dns;
struct dns_req;

typedef void dns_cb(void *arg, const struct dns_reply *reply);

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

/*
 * The system's own resolution of a name, as getaddrinfo would do it
 * (/etc/hosts, then DNS per /etc/nsswitch.conf), through c-ares.
 * addrs is NULL on failure; detail says why.
 */
typedef void dns_addrinfo_cb(void *arg, const struct mr_addr *addrs, size_t n,
                             const char *detail);

struct dns_req *dns_system_addrinfo(struct dns *d, const char *name,
                                    dns_addrinfo_cb *cb, void *arg);

/* Helpers for probes working on replies. */

/** Lowercase text of a domain-name rdf without the trailing dot. */
char *dns_rdf_name(const ldns_rdf *rdf);

/** Addresses of A/AAAA records of a reply (n is set; caller frees). */
struct mr_addr *dns_reply_addrs(const struct dns_reply *r, size_t *n);

/** The reverse name of an address: "10.2.0.127.in-addr.arpa". */
char *dns_reverse_name(const struct mr_addr *a);

#endif
