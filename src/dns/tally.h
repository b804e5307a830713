/*
 * tally.h -- the failures of many DNS servers summed up in one short line.
 *
 * When every server of a zone cut, or every resolver of a list, fails, the
 * message must name the cause once: servers are grouped by outcome
 * ("no answer from 127.0.0.21, 127.0.0.22; REFUSED from 127.0.0.23"), a
 * few are listed and the rest counted ("and 4 more"), and the text stays
 * short whatever the number of servers. The text depends only on the
 * outcomes and their order, never on timing, so identical causes give
 * identical text and renderers can group the checks they broke.
 *
 * A leaf of src/dns/: it knows replies (reply.h) and the network policy,
 * nothing of channels, queries or views.
 */
#ifndef MAILREADY_DNS_TALLY_H
#define MAILREADY_DNS_TALLY_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/reply.h"
#include "netpolicy.h"
#include "strbuf.h"

/*
 * Servers named in one summary, beyond the first of each outcome; the
 * others are counted.
 */
#define TALLY_MAX_LISTED 3

/* What a summary is kept under: a description stays below ~200 chars. */
#define TALLY_MAX_LEN 200

struct tally_group;

struct dns_tally {
	struct tally_group *groups; /* in order of first occurrence */
	size_t ngroups;
	size_t nitems; /* failures added */
};

#define TALLY_INIT         \
	{                  \
		NULL, 0, 0 \
	}

/**
 * Add one server's failure: "<what> from <server>[: <tail>]". Failures
 * with the same what and tail are grouped.
 * @param what    the outcome: "SERVFAIL", "lame or upward referral"
 * @param server  who failed ("127.0.0.12")
 * @param tail    what else is known ("connection refused"), or NULL
 */
void tally_add(struct dns_tally *t, const char *what, const char *server,
               const char *tail);

/**
 * Add a server that was not contacted, and why ("outside allow_networks
 * (127.0.0.0/8)"): "<server> is <why>; not contacted".
 */
void tally_add_blocked(struct dns_tally *t, const char *server,
                       const char *why);

/** Add a failure that names no single server (a sub-resolution's text). */
void tally_add_text(struct dns_tally *t, const char *text);

/**
 * Add a reply's failure by its status: timeouts are "no answer" whatever
 * their timing; DNS_BLOCKED replies go to tally_add_blocked(); summaries
 * and DNS_GAVEUP to tally_add_text().
 */
void tally_add_reply(struct dns_tally *t, const struct dns_reply *r);

/** Number of failures added. */
size_t tally_count(const struct dns_tally *t);

/**
 * Was every failure a server not contacted, all for the same reason?
 * @return that reason ("outside allow_networks (127.0.0.0/8)"; owned by
 *         the tally), or NULL.
 */
const char *tally_blocked_why(const struct dns_tally *t);

/**
 * Append the summary to b: groups in order, separated by "; ", each naming
 * its first server and, while fewer than TALLY_MAX_LISTED are named in
 * all, more of them; the groups that would take b past max_len are counted
 * in a final "; and N more". Nothing is added when the tally is empty.
 */
void tally_render(const struct dns_tally *t, struct strbuf *b, size_t max_len);

/** Free what the tally holds and empty it. */
void tally_clear(struct dns_tally *t);

/**
 * Why the policy does not allow a, without the address: "outside
 * allow_networks (127.0.0.0/8)" or "outside MAILREADY_ALLOW_NETWORKS
 * (127.0.0.0/8)". The same words as netpolicy_explain().
 * @return buf
 */
const char *tally_policy_why(const struct netpolicy *np,
                             const struct mr_addr *a, char *buf, size_t len);

/**
 * Append "a, b, c and N more" to b: the first TALLY_MAX_LISTED items of
 * v, then the count of the others.
 */
void tally_list(struct strbuf *b, const char *const *v, size_t n);

#endif
