/*
 * reply.h -- what every DNS question ends in: a reply with its status,
 * records and who answered, the callback types that deliver it, and the
 * helpers that read it.
 *
 * This is the bottom of src/dns/: every other DNS module (query, iterate,
 * view) and every probe (through dns.h) uses these types, and this header
 * includes no other DNS header.
 */
#ifndef MAILREADY_DNS_REPLY_H
#define MAILREADY_DNS_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <ldns/ldns.h>

#include "mailready/netaddr.h"

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

/*
 * A reply. server names who answered or failed; it is NULL when the reply
 * sums up several servers, and then detail is the whole description.
 * For DNS_BLOCKED, detail is why the server was not contacted, without the
 * server: "outside allow_networks (127.0.0.0/8)".
 */
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

/** A request in flight, handed out by every asking function. */
struct dns_req;

/** Delivery of a reply; the reply belongs to the run's DNS context. */
typedef void dns_cb(void *arg, const struct dns_reply *reply);

/*
 * Delivery of the system's getaddrinfo: addrs is NULL on failure and
 * detail says why.
 */
typedef void dns_addrinfo_cb(void *arg, const struct mr_addr *addrs, size_t n,
                             const char *detail);

/** "NXDOMAIN", "NODATA", "timeout", ... */
const char *dns_status_name(enum dns_status s);

/**
 * A short phrase for messages: "NXDOMAIN from 127.0.0.11",
 * "no answer from 127.0.0.11 (2 tries)", "198.51.100.53 is outside
 * allow_networks (127.0.0.0/8); not contacted". It never depends on
 * timing, so the same cause gives the same text. Caller frees.
 */
char *dns_reply_describe(const struct dns_reply *r);

/**
 * Is the failure about the resolvers rather than the records? (timeout,
 * SERVFAIL, REFUSED, blocked...): then a check cannot judge the records and
 * reports unknown.
 */
bool dns_status_is_transport(enum dns_status s);

/**
 * Fill r (zeroed first) as a failure without a packet: empty record lists,
 * final_name from qname.
 * @param server  who failed (copied), or NULL when detail sums up several
 * @param detail  taken over (may be NULL)
 */
void dns_reply_fail(struct dns_reply *r, enum dns_status st, const char *server,
                    const char *qname, char *detail);

/**
 * Deep copy of from into to (zeroed first): the copy owns its packet and
 * records, and outlives from.
 */
void dns_reply_copy(struct dns_reply *to, const struct dns_reply *from);

/** Free what a reply owns and zero it. */
void dns_reply_clear(struct dns_reply *r);

/** Lowercase text of a domain-name rdf without the trailing dot. */
char *dns_rdf_name(const ldns_rdf *rdf);

/** Addresses of A/AAAA records of a reply (n is set; caller frees). */
struct mr_addr *dns_reply_addrs(const struct dns_reply *r, size_t *n);

/* One TXT record: its character-strings joined (RFC 7208 3.3). */
struct dns_txt {
	char *text; /* NUL-terminated; NULs inside are kept, count by len */
	size_t len;
};

/** The TXT records of a reply (n is set; free with dns_txts_free). */
struct dns_txt *dns_reply_txts(const struct dns_reply *r, size_t *n);

void dns_txts_free(struct dns_txt *t, size_t n);

/** The reverse name of an address: "10.2.0.127.in-addr.arpa". */
char *dns_reverse_name(const struct mr_addr *a);

#endif
