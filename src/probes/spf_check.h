/*
 * spf_check.h -- check_host() of RFC 7208 (section 4) on the run's loop:
 * may this address send mail for this domain? The record is fetched and
 * every include, redirect, a, mx, ptr and exists is resolved through the
 * run's DNS views, with the limits of 4.6.4 (10 DNS-querying terms, 2 void
 * lookups, 10 names per mx or ptr), as receivers evaluate it.
 */
#ifndef MAILREADY_PROBES_SPF_CHECK_H
#define MAILREADY_PROBES_SPF_CHECK_H

#include "dns/dns.h"
#include "mailready/netaddr.h"
#include "records/spf.h"

enum spf_result {
	SPF_RES_NONE,      /* no record */
	SPF_RES_NEUTRAL,   /* ?all, or no "all" and no redirect */
	SPF_RES_PASS,      /* permitted */
	SPF_RES_FAIL,      /* -all */
	SPF_RES_SOFTFAIL,  /* ~all */
	SPF_RES_TEMPERROR, /* a DNS failure: try again later */
	SPF_RES_PERMERROR, /* the policy is broken: receivers may reject */
};

/* "pass", "softfail", ... as RFC 7208 writes them. */
const char *spf_result_name(enum spf_result r);

struct spf_outcome {
	enum spf_result result;
	/* What decided it: "term 5 '-all' of example.com", "include:x.test
	   of example.com: x.test has no SPF record", "TXT of x.test: ..." */
	const char *why;
	/* The chain of records evaluated to get there: "example.com >
	   include:_spf.example.com" */
	const char *path;
	unsigned lookups; /* DNS-querying terms evaluated */
	unsigned voids;   /* of them, lookups that found nothing */
};

typedef void spf_check_cb(void *arg, const struct spf_outcome *o);
/* What the evaluation waits for now ("TXT of _spf.example.com"). */
typedef void spf_wait_cb(void *arg, const char *what);

struct spf_check;

struct spf_check_params {
	const char *domain; /* the domain whose policy is evaluated */
	struct mr_addr ip;  /* the client address */
	const char *sender; /* the MAIL FROM domain (o, s macros); NULL:
	                       domain, with local-part "postmaster" */
	const char *helo;   /* the HELO name (h macro), or NULL */
	long long now;      /* the t macro */
};

/**
 * Start check_host(). cb is called once, from the loop (never inside this
 * call); wait, if not NULL, each time the evaluation sends a question.
 */
struct spf_check *spf_check_start(struct event_base *base, struct dns *d,
                                  enum dns_view view,
                                  const struct spf_check_params *pa,
                                  spf_check_cb *cb, spf_wait_cb *wait,
                                  void *arg);

/**
 * The SPF record among the TXT records of r (RFC 7208 4.5).
 * @param text  set to a copy of it when there is exactly one (caller
 *              frees), else NULL
 * @param count set to the number of SPF records
 * @param ntxt  set to the number of TXT records
 */
enum spf_pick spf_pick_reply(const struct dns_reply *r, char **text,
                             size_t *len, size_t *count, size_t *ntxt);

/** Stop an evaluation; cb will not be called. */
void spf_check_cancel(struct spf_check *c);

#endif
