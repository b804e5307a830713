/*
 * internet.c -- net.internet (on the node itself): can the node reach the
 * Internet? Each of internet_targets (host:port) is resolved the way this
 * host resolves names and connected to; outbound port 25 is singled out,
 * since cloud providers block it by default and an MTA then cannot deliver.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/conn.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"

#define MAX_TARGETS 16

/* For real deployments only: the package mirror and a large mail host. */
static const struct mr_target builtin[] = {
	{"deb.debian.org", 443},
	{"gmail-smtp-in.l.google.com", 25},
};

const struct mr_target *
internet_targets(const struct mr_config *cfg, size_t *n)
{
	if (cfg->internet_targets_builtin) {
		*n = sizeof(builtin) / sizeof(builtin[0]);
		return builtin;
	}
	*n = cfg->ninternet_targets;
	return cfg->internet_targets;
}

struct target_run {
	struct probe *p;
	const struct mr_target *t;
	struct dns_req *req;
	struct conn *conn;
	struct mr_addr addr;
	bool done;
};

struct internet_state {
	struct target_run t[MAX_TARGETS];
	size_t n;
	size_t pending;
};

static struct mr_finding *target_done(struct target_run *tr, enum mr_code code,
                                      enum mr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record the target's finding (valid until target_end ends the probe). */
static struct mr_finding *
target_done(struct target_run *tr, enum mr_code code, enum mr_status st,
            const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = probe_addv(tr->p, code, st, fmt, ap);
	va_end(ap);
	tr->done = true;
	mr_finding_set_text(f, "target", tr->t->host);
	mr_finding_set_int(f, "port", tr->t->port);
	return f;
}

static void
target_end(struct target_run *tr)
{
	struct internet_state *s = probe_state(tr->p);

	if (--s->pending == 0)
		probe_done(tr->p);
}

static void
on_conn(void *arg, enum conn_event ev, int err)
{
	struct target_run *tr = arg;
	char as[MR_ADDR_STRLEN];
	const char *a = mr_addr_str(&tr->addr, as);

	struct mr_finding *f;

	if (ev == CONN_CONNECTED) {
		target_done(tr, CODE_INTERNET_OK, MR_PASS,
		            "reaches %s:%u (%s) in %.0f ms", tr->t->host,
		            tr->t->port, a, conn_connect_ms(tr->conn));
		target_end(tr);
		return;
	}
	const char *why = ev == CONN_TIMEOUT ? "no answer (filtered)"
	                                     : conn_strerror(err);
	if (tr->t->port == 25) {
		f = target_done(tr, CODE_OUTBOUND_25_BLOCKED, MR_FAIL,
		                "outbound port 25 is blocked: %s:25 (%s): %s; "
		                "an MTA cannot deliver mail",
		                tr->t->host, a, why);
		mr_finding_hint(f, "ask the provider to lift the block, or "
		                   "relay through a smarthost");
	} else {
		f = target_done(tr, CODE_INTERNET_UNREACHABLE, MR_FAIL,
		                "cannot reach %s:%u (%s): %s", tr->t->host,
		                tr->t->port, a, why);
		mr_finding_hint(f, "check the default route, the firewall and "
		                   "any proxy between this node and the "
		                   "Internet");
	}
	target_end(tr);
}

static void
connect_target(struct target_run *tr, const struct mr_addr *a)
{
	struct run *r = probe_run(tr->p);
	char why[320];
	int err;

	tr->addr = *a;
	tr->conn = conn_connect(r->base, r->np, a, tr->t->port,
	                        r->probe_timeout_s * 0.8, on_conn, tr, &err);
	if (tr->conn == NULL) {
		target_done(
			tr,
			err == EACCES ? CODE_NOT_ALLOWED : CODE_CONNECT_ERROR,
			MR_UNKNOWN, "%s:%u not tried: %s", tr->t->host,
			tr->t->port,
			err == EACCES
				? netpolicy_explain(r->np, a, why, sizeof(why))
				: conn_strerror(err));
		target_end(tr);
	}
}

static void
on_resolved(void *arg, const struct mr_addr *addrs, size_t n,
            const char *detail)
{
	struct target_run *tr = arg;

	tr->req = NULL;
	if (addrs == NULL || n == 0) {
		struct mr_finding *f =
			target_done(tr, CODE_INTERNET_UNRESOLVED, MR_FAIL,
		                    "cannot resolve %s: %s", tr->t->host,
		                    detail ? detail : "no address");
		mr_finding_hint(f, "check /etc/resolv.conf and the resolvers "
		                   "it names");
		target_end(tr);
		return;
	}
	/* IPv4 first: it is what most paths out still carry. */
	size_t pick = 0;
	for (size_t i = 0; i < n; i++)
		if (addrs[i].family == AF_INET) {
			pick = i;
			break;
		}
	connect_target(tr, &addrs[pick]);
}

static void
start(struct probe *p)
{
	struct internet_state *s = probe_state(p);
	size_t n;
	const struct mr_target *v = internet_targets(probe_run(p)->cfg, &n);

	if (n == 0) {
		probe_finish(p, CODE_NOTHING_CONFIGURED, MR_SKIP,
		             "no internet_targets configured");
		return;
	}
	s->n = n < MAX_TARGETS ? n : MAX_TARGETS;
	s->pending = s->n + 1; /* held until every target is started */
	probe_waiting(p, "connections to the Internet targets");
	for (size_t i = 0; i < s->n; i++) {
		s->t[i].p = p;
		s->t[i].t = &v[i];
	}
	for (size_t i = 0; i < s->n; i++) {
		struct target_run *tr = &s->t[i];
		struct mr_addr a;
		if (mr_addr_parse(tr->t->host, &a) == 0)
			connect_target(tr, &a);
		else
			tr->req = dns_system_addrinfo(probe_dns(p), tr->t->host,
			                              on_resolved, tr);
	}
	if (--s->pending == 0)
		probe_done(p);
}

static void
cleanup(struct probe *p)
{
	struct internet_state *s = probe_state(p);
	for (size_t i = 0; i < s->n; i++) {
		dns_cancel(s->t[i].req);
		conn_free(s->t[i].conn);
	}
}

const struct probe_ops probe_net_internet_ops = {
	.state_size = sizeof(struct internet_state),
	.start = start,
	.cleanup = cleanup,
};
