/*
 * view.c -- the DNS context of a run: resolver views, direct queries, the
 * per-run answer cache, and delivery of answers to probes.
 *
 * One c-ares channel per server asked directly (each authoritative server,
 * each configured resolver), since a c-ares callback does not say which
 * server answered; one channel for the system's resolvers.
 */
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "dns/answer.h"
#include "dns/channel.h"
#include "dns/dns.h"
#include "dns/iterate.h"
#include "dns/roothints.h"
#include "names.h"
#include "clock.h"
#include "xmalloc.h"

#define NBUCKETS      509
#define EDNS_UDP_SIZE 1232

enum entry_kind {
	ENTRY_VIEW,     /* a question to a view */
	ENTRY_SERVER,   /* a question to one server */
	ENTRY_ADDRINFO, /* the system's getaddrinfo */
};

struct dns_entry {
	struct dns *d;
	char *key;
	enum entry_kind kind;
	enum dns_view view;
	char *qname;
	ldns_rr_type qtype;
	bool rd;
	struct dns_channel *server_ch; /* ENTRY_SERVER */
	size_t next_server;            /* ENTRY_VIEW with resolver list */
	char *failures;                /* resolvers that failed so far */
	struct dns_iter *iter;
	struct timeval sent;
	bool done;
	struct dns_reply reply;
	struct mr_addr *addrs; /* ENTRY_ADDRINFO */
	size_t naddrs;
	struct dns_req *waiters;
	struct dns_entry *next; /* bucket chain */
};

struct dns_req {
	struct dns_entry *entry;
	dns_cb *cb;
	dns_addrinfo_cb *acb;
	void *arg;
	struct event *ev; /* delivery from the loop */
	struct dns_req *next;
};

struct server_channel {
	struct mr_server server;
	struct dns_channel *ch;
	struct server_channel *next;
};

struct view_conf {
	enum mr_resolvers_kind kind;
	struct dns_channel **chans; /* LIST: one per resolver */
	size_t nchans;
	char *describe;
};

struct dns {
	struct event_base *base;
	struct netpolicy *np;
	double probe_ms; /* one probe's time: DNS must answer well within */
	struct dns_channel *system;
	struct view_conf views[DNS_VIEW_COUNT];
	struct server_channel *servers;
	struct dns_iter_ctx *iter;
	struct dns_entry *buckets[NBUCKETS];
	bool freeing;
};

/* Per-try timeout for a share of the probe's time. */
static int
try_ms(double budget_ms)
{
	if (budget_ms > 1500.0)
		return 1500;
	if (budget_ms < 100.0)
		return 100;
	return (int)budget_ms;
}

static unsigned
hash(const char *s)
{
	unsigned h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % NBUCKETS;
}

/* ------------------------------------------------------------------ */
/* Delivery */

static void
deliver(evutil_socket_t fd, short what, void *arg)
{
	struct dns_req *req = arg;
	struct dns_entry *e = req->entry;
	struct dns_req **rp;

	for (rp = &e->waiters; *rp && *rp != req; rp = &(*rp)->next)
		;
	if (*rp)
		*rp = req->next;
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
entry_complete(struct dns_entry *e)
{
	e->done = true;
	if (e->d->freeing)
		return;
	for (struct dns_req *r = e->waiters; r; r = r->next)
		schedule(r);
}

static struct dns_req *
add_waiter(struct dns_entry *e, dns_cb *cb, dns_addrinfo_cb *acb, void *arg)
{
	struct dns_req *req = xcalloc(1, sizeof(*req));
	req->entry = e;
	req->cb = cb;
	req->acb = acb;
	req->arg = arg;
	req->ev = event_new(e->d->base, -1, 0, deliver, req);
	req->next = e->waiters;
	e->waiters = req;
	if (e->done)
		schedule(req);
	return req;
}

void
dns_cancel(struct dns_req *req)
{
	struct dns_req **rp;

	if (req == NULL)
		return;
	for (rp = &req->entry->waiters; *rp && *rp != req; rp = &(*rp)->next)
		;
	if (*rp)
		*rp = req->next;
	event_free(req->ev);
	free(req);
}

/* ------------------------------------------------------------------ */
/* Entries and the cache */

static struct dns_entry *
entry_find(struct dns *d, const char *key)
{
	for (struct dns_entry *e = d->buckets[hash(key)]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static struct dns_entry *
entry_new(struct dns *d, char *key, enum entry_kind kind, const char *qname,
          ldns_rr_type qtype)
{
	struct dns_entry *e = xcalloc(1, sizeof(*e));
	unsigned h = hash(key);
	e->d = d;
	e->key = key;
	e->kind = kind;
	e->qname = xstrdup(qname);
	e->qtype = qtype;
	e->next = d->buckets[h];
	d->buckets[h] = e;
	return e;
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

typedef void ares_done(struct dns_entry *e, struct dns_channel *ch,
                       struct dns_reply *r);

struct send_ctx {
	struct dns_entry *e;
	struct dns_channel *ch;
	ares_done *done;
	struct timeval sent;
};

static enum dns_status
ares_status_map(int status, const char **detail)
{
	switch (status) {
	case ARES_ETIMEOUT:
		*detail = NULL;
		return DNS_TIMEOUT;
	case ARES_ECONNREFUSED:
		*detail = "connection refused";
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
	struct dns_entry *e = sc->e;
	struct dns_reply r;

	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED ||
	    e->d->freeing) {
		free(sc);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.rtt_ms = ms_since(&sc->sent);
	r.server = xstrdup(dns_channel_servers_str(sc->ch));
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
		dns_answer_parse(abuf, (size_t)alen, e->qname, e->qtype, &r);
	} else {
		const char *detail;
		r.status = ares_status_map(status, &detail);
		if (r.status == DNS_TIMEOUT)
			r.detail = xasprintf("%d tr%s in %.0f ms", timeouts,
			                     timeouts == 1 ? "y" : "ies",
			                     r.rtt_ms);
		else
			r.detail = xstrdup(detail);
		r.rrs = ldns_rr_list_new();
		r.chain = ldns_rr_list_new();
		r.final_name = name_normalize(e->qname);
	}
	sc->done(e, sc->ch, &r);
	free(sc);
}

static void
send_on(struct dns_entry *e, struct dns_channel *ch, bool rd, ares_done *done)
{
	size_t len;
	struct dns_reply r;

	if (dns_channel_nservers(ch) == 0) {
		memset(&r, 0, sizeof(r));
		r.status = DNS_BLOCKED;
		r.server = xstrdup(dns_channel_servers_str(ch));
		const char *why = dns_channel_blocked_reason(ch);
		r.detail = xstrdup(why ? why : "no resolver configured");
		r.rrs = ldns_rr_list_new();
		r.chain = ldns_rr_list_new();
		r.final_name = name_normalize(e->qname);
		done(e, ch, &r);
		return;
	}
	unsigned char *q = build_query(e->qname, e->qtype, rd, &len);
	if (q == NULL) {
		memset(&r, 0, sizeof(r));
		r.status = DNS_MALFORMED;
		r.server = xstrdup("(not sent)");
		r.detail =
			xasprintf("'%s' is not a valid domain name", e->qname);
		r.rrs = ldns_rr_list_new();
		r.chain = ldns_rr_list_new();
		r.final_name = name_normalize(e->qname);
		done(e, ch, &r);
		return;
	}
	struct send_ctx *sc = xcalloc(1, sizeof(*sc));
	sc->e = e;
	sc->ch = ch;
	sc->done = done;
	gettimeofday(&sc->sent, NULL);
	dns_channel_send(ch, q, (int)len, on_ares_answer, sc);
	free(q);
}

static void
take_reply(struct dns_entry *e, struct dns_reply *r)
{
	dns_reply_clear(&e->reply);
	e->reply = *r;
	entry_complete(e);
}

/* A server or resolver failing (rather than the name) lets us try another. */
static bool
try_next_resolver(enum dns_status st)
{
	return st == DNS_TIMEOUT || st == DNS_UNREACHABLE ||
	       st == DNS_SERVFAIL || st == DNS_REFUSED || st == DNS_MALFORMED ||
	       st == DNS_BADRCODE || st == DNS_REFERRAL || st == DNS_BLOCKED;
}

static void send_view_next(struct dns_entry *e);

static void
on_view_answer(struct dns_entry *e, struct dns_channel *ch, struct dns_reply *r)
{
	struct view_conf *vc = &e->d->views[e->view];

	if (try_next_resolver(r->status) && e->next_server < vc->nchans) {
		char *desc = dns_reply_describe(r);
		char *f = xasprintf("%s%s%s", e->failures ? e->failures : "",
		                    e->failures ? "; " : "", desc);
		free(desc);
		free(e->failures);
		e->failures = f;
		dns_reply_clear(r);
		send_view_next(e);
		return;
	}
	if (e->failures && try_next_resolver(r->status)) {
		char *desc = dns_reply_describe(r);
		free(r->detail);
		r->detail = xasprintf("%s; %s", e->failures, desc);
		free(desc);
		free(r->server);
		r->server = xstrdup(vc->describe);
	}
	take_reply(e, r);
}

static void
send_view_next(struct dns_entry *e)
{
	struct view_conf *vc = &e->d->views[e->view];
	struct dns_channel *ch = vc->chans[e->next_server++];
	send_on(e, ch, true, on_view_answer);
}

static void
on_iter_done(void *arg, struct dns_reply *r)
{
	struct dns_entry *e = arg;
	e->iter = NULL;
	take_reply(e, r);
}

static void
on_server_answer(struct dns_entry *e, struct dns_channel *ch,
                 struct dns_reply *r)
{
	take_reply(e, r);
}

static void
start_view_entry(struct dns_entry *e)
{
	struct dns *d = e->d;
	struct view_conf *vc = &d->views[e->view];

	switch (vc->kind) {
	case MR_RESOLVERS_SYSTEM:
		send_on(e, d->system, true, on_server_answer);
		break;
	case MR_RESOLVERS_LIST:
		send_view_next(e);
		break;
	case MR_RESOLVERS_ITERATE:
		e->iter = dns_iter_start(d->iter, e->qname, e->qtype,
		                         on_iter_done, e);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Public questions */

struct dns_req *
dns_lookup(struct dns *d, enum dns_view view, const char *name,
           ldns_rr_type type, dns_cb *cb, void *arg)
{
	char *qn = name_normalize(name);
	char *key = xasprintf("v%d|%u|%s", (int)view, (unsigned)type, qn);
	struct dns_entry *e = entry_find(d, key);

	if (e != NULL) {
		free(key);
		free(qn);
		return add_waiter(e, cb, NULL, arg);
	}
	e = entry_new(d, key, ENTRY_VIEW, qn, type);
	free(qn);
	e->view = view;
	e->rd = true;
	struct dns_req *req = add_waiter(e, cb, NULL, arg);
	start_view_entry(e);
	return req;
}

static struct dns_channel *
server_channel(struct dns *d, const struct mr_addr *addr, uint16_t port)
{
	struct server_channel *sc;
	char err[256];

	for (sc = d->servers; sc; sc = sc->next)
		if (sc->server.port == port &&
		    mr_addr_equal(&sc->server.addr, addr))
			return sc->ch;
	sc = xcalloc(1, sizeof(*sc));
	sc->server.addr = *addr;
	sc->server.port = port;
	/*
	 * Servers asked directly are authoritative ones: one try each, so a
	 * dead one costs little before the next is asked (and is reported).
	 */
	sc->ch =
		dns_channel_new(d->base, d->np, &sc->server,
	                        try_ms(d->probe_ms / 5.0), 1, err, sizeof(err));
	if (sc->ch == NULL)
		fatalx("DNS channel: %s", err);
	sc->next = d->servers;
	d->servers = sc;
	return sc->ch;
}

struct dns_req *
dns_query_server(struct dns *d, const struct mr_addr *addr, uint16_t port,
                 const char *name, ldns_rr_type type, bool rd, dns_cb *cb,
                 void *arg)
{
	char as[MR_ADDR_STRLEN];
	char *qn = name_normalize(name);
	char *key = xasprintf("s|%s|%u|%d|%u|%s", mr_addr_str(addr, as),
	                      (unsigned)port, rd, (unsigned)type, qn);
	struct dns_entry *e = entry_find(d, key);

	if (e != NULL) {
		free(key);
		free(qn);
		return add_waiter(e, cb, NULL, arg);
	}
	e = entry_new(d, key, ENTRY_SERVER, qn, type);
	free(qn);
	e->rd = rd;
	e->server_ch = server_channel(d, addr, port);
	struct dns_req *req = add_waiter(e, cb, NULL, arg);
	send_on(e, e->server_ch, rd, on_server_answer);
	return req;
}

static void
on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct dns_entry *e = arg;

	if (status == ARES_EDESTRUCTION || e->d->freeing) {
		if (res)
			ares_freeaddrinfo(res);
		return;
	}
	if (status == ARES_SUCCESS && res != NULL) {
		for (struct ares_addrinfo_node *n = res->nodes; n;
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
	}
	if (res)
		ares_freeaddrinfo(res);
	if (e->naddrs == 0) {
		const char *why = dns_channel_blocked_reason(e->d->system);
		if (why && dns_channel_nservers(e->d->system) == 0)
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

struct dns_req *
dns_system_addrinfo(struct dns *d, const char *name, dns_addrinfo_cb *cb,
                    void *arg)
{
	char *qn = name_normalize(name);
	char *key = xasprintf("ai|%s", qn);
	struct dns_entry *e = entry_find(d, key);

	if (e != NULL) {
		free(key);
		free(qn);
		return add_waiter(e, NULL, cb, arg);
	}
	e = entry_new(d, key, ENTRY_ADDRINFO, qn, LDNS_RR_TYPE_A);
	free(qn);
	struct dns_req *req = add_waiter(e, NULL, cb, arg);
	dns_channel_getaddrinfo(d->system, e->qname, on_addrinfo, e);
	return req;
}

/* ------------------------------------------------------------------ */
/* Setup */

static int
setup_view(struct dns *d, enum dns_view v, const struct mr_resolvers *rs,
           const char *label, char *err, size_t errlen)
{
	struct view_conf *vc = &d->views[v];

	vc->kind = rs->kind;
	switch (rs->kind) {
	case MR_RESOLVERS_SYSTEM:
		vc->describe = xasprintf("%s: system resolvers %s", label,
		                         dns_channel_servers_str(d->system));
		break;
	case MR_RESOLVERS_ITERATE:
		vc->describe = xasprintf("%s: iterative resolution from the "
		                         "root servers",
		                         label);
		break;
	case MR_RESOLVERS_LIST: {
		char *names = NULL;
		vc->chans = xcalloc(rs->n, sizeof(*vc->chans));
		for (size_t i = 0; i < rs->n; i++) {
			vc->chans[i] = dns_channel_new(
				d->base, d->np, &rs->v[i],
				try_ms(d->probe_ms / (4.0 * (double)rs->n)), 2,
				err, errlen);
			if (vc->chans[i] == NULL)
				return -1;
			vc->nchans++;
			char *n = xasprintf(
				"%s%s%s", names ? names : "", names ? ", " : "",
				dns_channel_servers_str(vc->chans[i]));
			free(names);
			names = n;
		}
		vc->describe = xasprintf("%s resolver%s %s", label,
		                         rs->n == 1 ? "" : "s",
		                         names ? names : "(none)");
		free(names);
		break;
	}
	}
	return 0;
}

struct dns *
dns_new(struct event_base *base, struct netpolicy *np,
        const struct mr_config *cfg, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	struct mr_resolvers sys = {.kind = MR_RESOLVERS_SYSTEM};

	d->base = base;
	d->np = np;
	d->probe_ms = cfg->probe_timeout_s * 1000.0;
	/*
	 * c-ares doubles the timeout on the second try: t + 2t = 3/4 of the
	 * probe's time, so a dead resolver is reported as such before the
	 * probe gives up.
	 */
	d->system = dns_channel_new(base, np, NULL, try_ms(d->probe_ms / 4.0),
	                            2, err, errlen);
	if (d->system == NULL)
		goto fail;
	if (setup_view(d, DNS_VIEW_INSIDE, &cfg->inside, "inside", err,
	               errlen) < 0 ||
	    setup_view(d, DNS_VIEW_OUTSIDE, &cfg->outside, "outside", err,
	               errlen) < 0 ||
	    setup_view(d, DNS_VIEW_SYSTEM, &sys, "system", err, errlen) < 0)
		goto fail;
	if (cfg->outside.kind == MR_RESOLVERS_ITERATE) {
		struct mr_server *roots;
		size_t nroots;
		if (roothints_load(cfg->root_hints, &roots, &nroots, err,
		                   errlen) < 0)
			goto fail;
		d->iter = dns_iter_ctx_new(d, roots, nroots);
		free(roots);
	}
	return d;
fail:
	dns_free(d);
	return NULL;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	d->freeing = true;
	/* Channels first: their pending callbacks see 'freeing'. */
	dns_iter_ctx_free(d->iter);
	for (int v = 0; v < DNS_VIEW_COUNT; v++) {
		for (size_t i = 0; i < d->views[v].nchans; i++)
			dns_channel_free(d->views[v].chans[i]);
		free(d->views[v].chans);
		free(d->views[v].describe);
	}
	while (d->servers) {
		struct server_channel *next = d->servers->next;
		dns_channel_free(d->servers->ch);
		free(d->servers);
		d->servers = next;
	}
	dns_channel_free(d->system);
	for (int b = 0; b < NBUCKETS; b++) {
		while (d->buckets[b]) {
			struct dns_entry *e = d->buckets[b];
			d->buckets[b] = e->next;
			while (e->waiters) {
				struct dns_req *r = e->waiters;
				e->waiters = r->next;
				event_free(r->ev);
				free(r);
			}
			dns_reply_clear(&e->reply);
			free(e->addrs);
			free(e->failures);
			free(e->key);
			free(e->qname);
			free(e);
		}
	}
	free(d);
}

const char *
dns_view_describe(const struct dns *d, enum dns_view view)
{
	return d->views[view].describe;
}
