/*
 * query.c -- the query service: the per-run answer cache, one c-ares
 * channel per server asked directly (and one for the system's resolvers),
 * packets built with ldns, and delivery of answers from the loop.
 */
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "dns/answer.h"
#include "dns/channel.h"
#include "dns/query.h"
#include "clock.h"
#include "names.h"
#include "xmalloc.h"

/* The cache's buckets: doubled when there are more entries than buckets
   (10,000 nodes ask some 40,000 questions). */
#define NBUCKETS_FIRST 512
#define EDNS_UDP_SIZE  1232

enum entry_kind {
	ENTRY_ASK,      /* a question on one channel */
	ENTRY_CACHED,   /* a question a layer above answers */
	ENTRY_ADDRINFO, /* the system's getaddrinfo */
};

struct query_entry {
	struct query_svc *qs;
	char *key;
	enum entry_kind kind;
	char *qname;
	ldns_rr_type qtype;
	bool done;
	struct dns_reply reply;
	struct mr_addr *addrs; /* ENTRY_ADDRINFO */
	size_t naddrs;
	struct dns_req *waiters;
	struct query_entry *next; /* bucket chain */
};

struct dns_req {
	struct query_entry *entry;
	dns_cb *cb;
	dns_addrinfo_cb *acb;
	void *arg;
	struct event *ev; /* delivery from the loop */
	struct dns_req *next;
};

struct query_chan {
	unsigned id; /* in cache keys */
	struct mr_server server;
	struct query_timing timing;
	bool shared; /* found by query_chan_server() */
	struct dns_channel *ch;
	struct query_chan *next;
};

struct query_svc {
	struct event_base *base;
	struct netpolicy *np;
	struct query_timing direct;
	struct query_chan system;
	struct query_chan *servers;
	unsigned next_id;
	struct query_entry **buckets;
	size_t nbuckets; /* a power of two */
	size_t nentries;
	bool freeing;
};

static size_t
hash_of(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void
grow_buckets(struct query_svc *qs)
{
	size_t n = qs->nbuckets ? qs->nbuckets * 2 : NBUCKETS_FIRST;
	struct query_entry **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < qs->nbuckets; i++)
		while (qs->buckets[i] != NULL) {
			struct query_entry *e = qs->buckets[i];
			qs->buckets[i] = e->next;
			size_t h = hash_of(e->key) & (n - 1);
			e->next = b[h];
			b[h] = e;
		}
	free(qs->buckets);
	qs->buckets = b;
	qs->nbuckets = n;
}

/* ------------------------------------------------------------------ */
/* Delivery */

static void
unlink_waiter(struct dns_req *req)
{
	struct dns_req **rp;

	for (rp = &req->entry->waiters; *rp && *rp != req; rp = &(*rp)->next)
		;
	if (*rp)
		*rp = req->next;
}

static void
deliver(evutil_socket_t fd, short what, void *arg)
{
	struct dns_req *req = arg;
	struct query_entry *e = req->entry;

	unlink_waiter(req);
	event_free(req->ev);
	if (req->acb)
		req->acb(req->arg, e->naddrs ? e->addrs : NULL, e->naddrs,
		         e->reply.detail);
	else
		req->cb(req->arg, &e->reply);
	free(req);
}

static void
schedule(struct dns_req *req)
{
	event_active(req->ev, EV_TIMEOUT, 0);
}

static void
entry_complete(struct query_entry *e)
{
	e->done = true;
	if (e->qs->freeing)
		return;
	for (struct dns_req *r = e->waiters; r; r = r->next)
		schedule(r);
}

static struct dns_req *
add_waiter(struct query_entry *e, dns_cb *cb, dns_addrinfo_cb *acb, void *arg)
{
	struct dns_req *req = xcalloc(1, sizeof(*req));
	req->entry = e;
	req->cb = cb;
	req->acb = acb;
	req->arg = arg;
	req->ev = event_new(e->qs->base, -1, 0, deliver, req);
	req->next = e->waiters;
	e->waiters = req;
	if (e->done)
		schedule(req);
	return req;
}

void
query_cancel(struct dns_req *req)
{
	if (req == NULL)
		return;
	unlink_waiter(req);
	event_free(req->ev);
	free(req);
}

/* ------------------------------------------------------------------ */
/* The cache */

static struct query_entry *
entry_find(struct query_svc *qs, const char *key)
{
	if (qs->nbuckets == 0)
		return NULL;
	for (struct query_entry *e =
	             qs->buckets[hash_of(key) & (qs->nbuckets - 1)];
	     e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Find the entry of key (taken over), or make it: *fresh says which. */
static struct query_entry *
entry_get(struct query_svc *qs, char *key, enum entry_kind kind,
          const char *qname, ldns_rr_type qtype, bool *fresh)
{
	struct query_entry *e = entry_find(qs, key);

	*fresh = e == NULL;
	if (e != NULL) {
		free(key);
		return e;
	}
	if (qs->nentries >= qs->nbuckets)
		grow_buckets(qs);
	qs->nentries++;
	e = xcalloc(1, sizeof(*e));
	size_t h = hash_of(key) & (qs->nbuckets - 1);
	e->qs = qs;
	e->key = key;
	e->kind = kind;
	e->qname = xstrdup(qname);
	e->qtype = qtype;
	e->next = qs->buckets[h];
	qs->buckets[h] = e;
	return e;
}

static void
entry_free(struct query_entry *e)
{
	while (e->waiters) {
		struct dns_req *r = e->waiters;
		e->waiters = r->next;
		event_free(r->ev);
		free(r);
	}
	dns_reply_clear(&e->reply);
	free(e->addrs);
	free(e->key);
	free(e->qname);
	free(e);
}

static void
entry_take_reply(struct query_entry *e, struct dns_reply *r)
{
	dns_reply_clear(&e->reply);
	e->reply = *r;
	memset(r, 0, sizeof(*r));
	entry_complete(e);
}

const char *
query_entry_name(const struct query_entry *e)
{
	return e->qname;
}

ldns_rr_type
query_entry_type(const struct query_entry *e)
{
	return e->qtype;
}

void
query_entry_done(struct query_entry *e, struct dns_reply *r)
{
	entry_take_reply(e, r);
}

/* ------------------------------------------------------------------ */
/* Sending */

static unsigned char *
build_query(const char *name, ldns_rr_type type, bool rd, size_t *len)
{
	ldns_rdf *qn = ldns_dname_new_frm_str(name);
	if (qn == NULL)
		return NULL;
	ldns_pkt *q = ldns_pkt_query_new(qn, type, LDNS_RR_CLASS_IN,
	                                 rd ? LDNS_RD : 0);
	if (q == NULL)
		return NULL;
	ldns_pkt_set_random_id(q);
	ldns_pkt_set_edns_udp_size(q, EDNS_UDP_SIZE);
	ldns_pkt_set_edns_do(q, true);
	uint8_t *wire = NULL;
	if (ldns_pkt2wire(&wire, q, len) != LDNS_STATUS_OK)
		wire = NULL;
	ldns_pkt_free(q);
	return wire;
}

struct send_ctx {
	struct query_entry *e;
	struct query_chan *qc;
	struct timeval sent;
};

static enum dns_status
ares_status_map(int status, bool tcp, const char **detail)
{
	switch (status) {
	case ARES_ETIMEOUT:
		*detail = NULL;
		return DNS_TIMEOUT;
	case ARES_ECONNREFUSED:
		/* c-ares retries a truncated UDP answer over TCP. */
		*detail = tcp ? "the answer was truncated (TC) and TCP port 53 "
		                "was refused: a DNS server must answer over "
		                "TCP too (RFC 7766)"
		              : "connection refused";
		return DNS_UNREACHABLE;
	default:
		*detail = ares_strerror(status);
		return DNS_UNREACHABLE;
	}
}

static void
on_ares_answer(void *arg, int status, int timeouts, unsigned char *abuf,
               int alen)
{
	struct send_ctx *sc = arg;
	struct query_entry *e = sc->e;
	const char *srv = dns_channel_servers_str(sc->qc->ch);
	struct dns_reply r;

	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED ||
	    e->qs->freeing) {
		free(sc);
		return;
	}
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
		memset(&r, 0, sizeof(r));
		r.server = xstrdup(srv);
		dns_answer_parse(abuf, (size_t)alen, e->qname, e->qtype, &r);
	} else {
		const char *detail;
		enum dns_status st = ares_status_map(
			status, dns_channel_tcp_tried(sc->qc->ch), &detail);
		/* The tries, not the time: the same cause, the same text. */
		char *why = st == DNS_TIMEOUT
		                    ? xasprintf("%d tr%s", timeouts,
		                                timeouts == 1 ? "y" : "ies")
		                    : xstrdup(detail);
		dns_reply_fail(&r, st, srv, e->qname, why);
	}
	r.rtt_ms = ms_since(&sc->sent);
	entry_take_reply(e, &r);
	free(sc);
}

/*
 * Nothing may be sent on ch: one server not contacted says who and why;
 * several (the system's) are summed up in one line.
 */
static void
blocked_reply(struct query_entry *e, struct dns_channel *ch)
{
	struct dns_reply r;
	const char *sum = dns_channel_blocked_reason(ch);

	if (dns_channel_nblocked(ch) == 1)
		dns_reply_fail(&r, DNS_BLOCKED,
		               dns_channel_blocked_server(ch, 0), e->qname,
		               xstrdup(dns_channel_blocked_why(ch, 0)));
	else
		dns_reply_fail(&r, DNS_BLOCKED, NULL, e->qname,
		               xstrdup(sum ? sum : "no resolver configured"));
	entry_take_reply(e, &r);
}

static void
send_on(struct query_entry *e, struct query_chan *qc, bool rd)
{
	struct dns_channel *ch = qc->ch;
	size_t len;
	struct dns_reply r;

	if (dns_channel_nservers(ch) == 0) {
		blocked_reply(e, ch);
		return;
	}
	unsigned char *q = build_query(e->qname, e->qtype, rd, &len);
	if (q == NULL) {
		dns_reply_fail(
			&r, DNS_MALFORMED, "(not sent)", e->qname,
			xasprintf("'%s' is not a valid domain name", e->qname));
		entry_take_reply(e, &r);
		return;
	}
	struct send_ctx *sc = xcalloc(1, sizeof(*sc));
	sc->e = e;
	sc->qc = qc;
	gettimeofday(&sc->sent, NULL);
	dns_channel_send(ch, q, (int)len, on_ares_answer, sc);
	free(q);
}

/* ------------------------------------------------------------------ */
/* Channels */

struct query_chan *
query_chan_new(struct query_svc *qs, const struct mr_server *srv,
               struct query_timing t)
{
	struct query_chan *qc = xcalloc(1, sizeof(*qc));
	char err[256];

	qc->id = qs->next_id++;
	qc->server = *srv;
	qc->timing = t;
	qc->ch = dns_channel_new(qs->base, qs->np, srv, t.timeout_ms, t.tries,
	                         err, sizeof(err));
	if (qc->ch == NULL)
		fatalx("DNS channel: %s", err);
	qc->next = qs->servers;
	qs->servers = qc;
	return qc;
}

struct query_chan *
query_chan_server(struct query_svc *qs, const struct mr_server *srv,
                  struct query_timing t)
{
	for (struct query_chan *qc = qs->servers; qc; qc = qc->next)
		if (qc->shared && qc->server.port == srv->port &&
		    mr_addr_equal(&qc->server.addr, &srv->addr) &&
		    qc->timing.timeout_ms == t.timeout_ms &&
		    qc->timing.tries == t.tries)
			return qc;
	struct query_chan *qc = query_chan_new(qs, srv, t);
	qc->shared = true;
	return qc;
}

struct query_chan *
query_chan_system(struct query_svc *qs)
{
	return &qs->system;
}

const char *
query_chan_servers_str(const struct query_chan *qc)
{
	return dns_channel_servers_str(qc->ch);
}

size_t
query_chan_nservers(const struct query_chan *qc)
{
	return dns_channel_nservers(qc->ch);
}

/* ------------------------------------------------------------------ */
/* Questions */

struct dns_req *
query_ask(struct query_svc *qs, struct query_chan *qc, const char *name,
          ldns_rr_type type, bool rd, dns_cb *cb, void *arg)
{
	char *qn = name_normalize(name);
	char *key = xasprintf("c%u|%d|%u|%s", qc->id, rd, (unsigned)type, qn);
	bool fresh;
	struct query_entry *e = entry_get(qs, key, ENTRY_ASK, qn, type, &fresh);

	free(qn);
	struct dns_req *req = add_waiter(e, cb, NULL, arg);
	if (fresh)
		send_on(e, qc, rd);
	return req;
}

struct dns_req *
query_server(struct query_svc *qs, const struct mr_server *srv,
             const char *name, ldns_rr_type type, bool rd, dns_cb *cb,
             void *arg)
{
	return query_ask(qs, query_chan_server(qs, srv, qs->direct), name, type,
	                 rd, cb, arg);
}

struct dns_req *
query_cached(struct query_svc *qs, const char *scope, const char *name,
             ldns_rr_type type, query_start_fn *start, void *owner, dns_cb *cb,
             void *arg)
{
	char *qn = name_normalize(name);
	char *key = xasprintf("x:%s|%u|%s", scope, (unsigned)type, qn);
	bool fresh;
	struct query_entry *e =
		entry_get(qs, key, ENTRY_CACHED, qn, type, &fresh);

	free(qn);
	struct dns_req *req = add_waiter(e, cb, NULL, arg);
	if (fresh)
		start(owner, e);
	return req;
}

static void
on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct query_entry *e = arg;
	struct dns_channel *sys = e->qs->system.ch;

	if (status == ARES_EDESTRUCTION || e->qs->freeing) {
		if (res)
			ares_freeaddrinfo(res);
		return;
	}
	for (struct ares_addrinfo_node *n = res ? res->nodes : NULL; n;
	     n = n->ai_next) {
		struct mr_addr a;
		if (mr_addr_from_sockaddr(n->ai_addr, &a, NULL) < 0)
			continue;
		bool dup = false;
		for (size_t i = 0; i < e->naddrs; i++)
			dup = dup || mr_addr_equal(&e->addrs[i], &a);
		if (dup)
			continue;
		e->addrs = xreallocarray(e->addrs, e->naddrs + 1,
		                         sizeof(*e->addrs));
		e->addrs[e->naddrs++] = a;
	}
	if (res)
		ares_freeaddrinfo(res);
	if (e->naddrs == 0) {
		const char *why = dns_channel_blocked_reason(sys);
		if (why && dns_channel_nservers(sys) == 0)
			e->reply.detail = xasprintf(
				"not in /etc/hosts, and the system resolvers "
				"were not asked: %s",
				why);
		else if (status == ARES_ENOTFOUND)
			e->reply.detail =
				xstrdup("not found in /etc/hosts nor in DNS");
		else
			e->reply.detail = xstrdup(ares_strerror(status));
	}
	entry_complete(e);
}

struct event_base *
query_svc_base(const struct query_svc *qs)
{
	return qs->base;
}

const char *
query_system_blocked(const struct query_svc *qs)
{
	struct dns_channel *sys = qs->system.ch;

	return dns_channel_nservers(sys) == 0 ? dns_channel_blocked_reason(sys)
	                                      : NULL;
}

struct dns_req *
query_addrinfo(struct query_svc *qs, const char *name, dns_addrinfo_cb *cb,
               void *arg)
{
	char *qn = name_normalize(name);
	char *key = xasprintf("ai|%s", qn);
	bool fresh;
	struct query_entry *e =
		entry_get(qs, key, ENTRY_ADDRINFO, qn, LDNS_RR_TYPE_A, &fresh);

	free(qn);
	struct dns_req *req = add_waiter(e, NULL, cb, arg);
	if (fresh)
		dns_channel_getaddrinfo(qs->system.ch, e->qname, on_addrinfo,
		                        e);
	return req;
}

/* ------------------------------------------------------------------ */
/* Setup */

struct query_svc *
query_svc_new(struct event_base *base, struct netpolicy *np,
              struct query_timing direct, struct query_timing system, char *err,
              size_t errlen)
{
	struct query_svc *qs = xcalloc(1, sizeof(*qs));

	qs->base = base;
	qs->np = np;
	qs->direct = direct;
	qs->system.id = qs->next_id++;
	qs->system.timing = system;
	qs->system.ch = dns_channel_new(base, np, NULL, system.timeout_ms,
	                                system.tries, err, errlen);
	if (qs->system.ch == NULL) {
		free(qs);
		return NULL;
	}
	return qs;
}

void
query_svc_free(struct query_svc *qs)
{
	if (qs == NULL)
		return;
	qs->freeing = true;
	/* Channels first: their pending callbacks see 'freeing'. */
	while (qs->servers) {
		struct query_chan *next = qs->servers->next;
		dns_channel_free(qs->servers->ch);
		free(qs->servers);
		qs->servers = next;
	}
	dns_channel_free(qs->system.ch);
	for (size_t b = 0; b < qs->nbuckets; b++) {
		while (qs->buckets[b]) {
			struct query_entry *e = qs->buckets[b];
			qs->buckets[b] = e->next;
			entry_free(e);
		}
	}
	free(qs->buckets);
	free(qs);
}
