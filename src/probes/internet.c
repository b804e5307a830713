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
	struct findings f;
};

static void target_done(struct target_run *tr, enum mr_status st,
                        const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
target_done(struct target_run *tr, enum mr_status st, const char *fmt, ...)
{
	struct internet_state *s = probe_state(tr->p);
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tr->done = true;
	findings_add(&s->f, st, "%s", msg);
	if (--s->pending == 0)
		findings_finish(&s->f, tr->p);
}

static void
on_conn(void *arg, enum conn_event ev, int err)
{
	struct target_run *tr = arg;
	char as[MR_ADDR_STRLEN];
	const char *a = mr_addr_str(&tr->addr, as);

	if (ev == CONN_CONNECTED) {
		target_done(tr, MR_PASS, "reaches %s:%u (%s) in %.0f ms",
		            tr->t->host, tr->t->port, a,
		            conn_connect_ms(tr->conn));
		return;
	}
	const char *why = ev == CONN_TIMEOUT ? "no answer (filtered)"
	                                     : conn_strerror(err);
	if (tr->t->port == 25)
		target_done(tr, MR_FAIL,
		            "outbound port 25 is blocked: %s:25 (%s): %s; an "
		            "MTA cannot deliver mail: ask the provider to "
		            "lift the block, or relay through a smarthost",
		            tr->t->host, a, why);
	else
		target_done(tr, MR_FAIL, "cannot reach %s:%u (%s): %s",
		            tr->t->host, tr->t->port, a, why);
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
	if (tr->conn == NULL)
		target_done(tr, MR_UNKNOWN, "%s:%u not tried: %s", tr->t->host,
		            tr->t->port,
		            err == EACCES ? netpolicy_explain(r->np, a, why,
		                                              sizeof(why))
		                          : conn_strerror(err));
}

static void
on_resolved(void *arg, const struct mr_addr *addrs, size_t n,
            const char *detail)
{
	struct target_run *tr = arg;

	tr->req = NULL;
	if (addrs == NULL || n == 0) {
		target_done(tr, MR_FAIL, "cannot resolve %s: %s", tr->t->host,
		            detail ? detail : "no address");
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
	const struct mr_config *cfg = probe_run(p)->cfg;
	const struct mr_target *v = cfg->internet_targets;
	size_t n = cfg->ninternet_targets;

	if (cfg->internet_targets_builtin) {
		v = builtin;
		n = sizeof(builtin) / sizeof(builtin[0]);
	}
	if (n == 0) {
		probe_finish(p, MR_SKIP, "no internet_targets configured");
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
		findings_finish(&s->f, p);
}

static void
cleanup(struct probe *p)
{
	struct internet_state *s = probe_state(p);
	for (size_t i = 0; i < s->n; i++) {
		dns_cancel(s->t[i].req);
		conn_free(s->t[i].conn);
	}
	findings_free(&s->f);
}

const struct probe_ops probe_net_internet_ops = {
	.state_size = sizeof(struct internet_state),
	.start = start,
	.cleanup = cleanup,
};
