/*
 * internet.c -- net.internet (on the node itself): can the node reach the
 * Internet? Each of internet_targets (host:port) is resolved the way this
 * host resolves names and connected to; outbound port 25 is singled out,
 * since cloud providers block it by default and an MTA then cannot deliver.
 *
 * A target is reached when the TCP handshake completes: the connection is
 * closed at once (io/reach.c), so what the server sends or does not send
 * afterwards (a greeting, silence, a TLS server waiting for its client)
 * does not matter. Every target ends exactly once with one finding, and
 * the check ends when the last target has its outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/conn.h"
#include "io/reach.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "strbuf.h"
#include "xmalloc.h"

/* For real deployments only: the package mirror and a large mail host. */
static const struct mr_target builtin[] = {
	{"deb.debian.org", 443},
	{"gmail-smtp-in.l.google.com", 25},
};

/* How many pending targets the "waiting for" text names before "N more". */
#define WAITING_NAMED 3

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
	struct dns_req *req; /* resolving a named target */
	struct reach *reach; /* connecting */
	struct mr_addr addr; /* what is (or was) connected to */
	bool have_addr;
	bool done; /* its finding is recorded */
};

struct internet_state {
	struct target_run *t; /* one per target, owned; n of them */
	size_t n;
	size_t pending; /* targets without an outcome yet */
	bool starting;  /* start() still runs: nobody may end the probe */
};

static const char *const outcome_names[] = {
	[REACH_OPEN] = "open",
	[REACH_REFUSED] = "refused",
	[REACH_FILTERED] = "filtered",
	[REACH_UNREACHABLE] = "unreachable",
};

/* ------------------------------------------------------------------ */

/* "connections to a:25, b:443 and 2 more", for a timeout's message. */
static void
say_waiting(struct probe *p)
{
	struct internet_state *s = probe_state(p);
	struct strbuf b = STRBUF_INIT;
	size_t named = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct target_run *tr = &s->t[i];
		if (tr->done || named++ >= WAITING_NAMED)
			continue;
		strbuf_sep(&b, ", ");
		strbuf_addf(&b, "%s:%u", tr->t->host, tr->t->port);
	}
	if (named > WAITING_NAMED)
		strbuf_addf(&b, " and %zu more", named - WAITING_NAMED);
	probe_waiting(p, "%s to %s",
	              named == 1 ? "the connection" : "connections",
	              strbuf_str(&b));
	strbuf_reset(&b);
}

/*
 * The target has its outcome: count it once, and end the check with the
 * last one. Nothing may touch tr after this returns.
 */
static void
target_end(struct target_run *tr)
{
	struct probe *p = tr->p;
	struct internet_state *s = probe_state(p);

	if (tr->done)
		fatalx("net.internet: %s:%u ended twice", tr->t->host,
		       tr->t->port);
	tr->done = true;
	if (--s->pending == 0 && !s->starting) {
		probe_done(p);
		return;
	}
	if (s->pending > 0)
		say_waiting(p);
}

static struct mr_finding *target_add(struct target_run *tr, enum mr_code code,
                                     enum mr_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The target's finding, with the target as data. */
static struct mr_finding *
target_add(struct target_run *tr, enum mr_code code, enum mr_status st,
           const char *fmt, ...)
{
	char as[MR_ADDR_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = probe_addv(tr->p, code, st, fmt, ap);
	va_end(ap);
	mr_finding_set_text(f, "target", tr->t->host);
	mr_finding_set_int(f, "port", tr->t->port);
	if (tr->have_addr)
		mr_finding_set_text(f, "address", mr_addr_str(&tr->addr, as));
	return f;
}

/* ------------------------------------------------------------------ */

static void
reached(struct target_run *tr, const struct reach_result *r)
{
	char as[MR_ADDR_STRLEN];

	struct mr_finding *f = target_add(
		tr, CODE_INTERNET_OK, MR_PASS, "reaches %s:%u (%s) in %.1f ms",
		tr->t->host, tr->t->port, mr_addr_str(&tr->addr, as),
		r->connect_ms);
	mr_finding_set_text(f, "outcome", outcome_names[r->outcome]);
	mr_finding_set(f, "connect_ms", json_real(r->connect_ms));
}

/*
 * Not reached: refused, filtered or unreachable, in the words net.port.*
 * uses for them (probe_add_unreached), under this check's own codes: the
 * target is not a service of ours, so the fix is on the way out.
 */
static void
unreached(struct target_run *tr, const struct reach_result *r)
{
	char as[MR_ADDR_STRLEN], why[160];
	struct mr_finding *f;

	mr_addr_str(&tr->addr, as);
	if (r->outcome == REACH_FILTERED)
		snprintf(why, sizeof(why),
		         "no answer within %.3g s, filtered by a firewall or "
		         "the host is down",
		         r->waited_s);
	else
		snprintf(why, sizeof(why), "%s", r->why);
	if (tr->t->port == 25) {
		f = target_add(tr, CODE_OUTBOUND_25_BLOCKED, MR_FAIL,
		               "outbound port 25 is blocked: %s:25 (%s): %s; "
		               "an MTA cannot deliver mail",
		               tr->t->host, as, why);
		mr_finding_hint(f, "ask the provider to lift the block, or "
		                   "relay through a smarthost");
	} else {
		f = target_add(tr, CODE_INTERNET_UNREACHABLE, MR_FAIL,
		               "cannot reach %s:%u (%s): %s", tr->t->host,
		               tr->t->port, as, why);
		mr_finding_hint(f, "check the default route, the firewall and "
		                   "any proxy between this node and the "
		                   "Internet");
	}
	mr_finding_set_text(f, "outcome", outcome_names[r->outcome]);
	if (r->outcome == REACH_FILTERED)
		mr_finding_set(f, "waited_s", json_real(r->waited_s));
}

static void
on_reach(void *arg, const struct reach_result *r)
{
	struct target_run *tr = arg;

	tr->reach = NULL;
	if (r->outcome == REACH_OPEN)
		reached(tr, r);
	else
		unreached(tr, r);
	target_end(tr);
}

/* reach_start() refused to begin: nothing was sent (see port.c). */
static void
not_started(struct target_run *tr, int err)
{
	struct run *r = probe_run(tr->p);
	char why[320], as[MR_ADDR_STRLEN];
	struct mr_finding *f;

	mr_addr_str(&tr->addr, as);
	if (err == EACCES) {
		f = target_add(
			tr, CODE_NOT_ALLOWED, MR_UNKNOWN, "%s:%u not tried: %s",
			tr->t->host, tr->t->port,
			netpolicy_explain(r->np, &tr->addr, why, sizeof(why)));
		mr_finding_hint(f, "widen allow_networks to probe %s", as);
	} else {
		target_add(tr, CODE_CONNECT_ERROR, MR_UNKNOWN,
		           "%s:%u not tried: cannot connect to %s: %s",
		           tr->t->host, tr->t->port, as, conn_strerror(err));
	}
	target_end(tr);
}

static void
connect_target(struct target_run *tr, const struct mr_addr *a)
{
	struct run *r = probe_run(tr->p);
	int err;

	tr->addr = *a;
	tr->have_addr = true;
	tr->reach = reach_start(r->base, r->np, a, tr->t->port,
	                        run_connect_timeout(r), on_reach, tr, &err);
	if (tr->reach == NULL)
		not_started(tr, err);
}

static void
on_resolved(void *arg, const struct mr_addr *addrs, size_t n,
            const char *detail)
{
	struct target_run *tr = arg;

	tr->req = NULL;
	if ((addrs == NULL || n == 0) &&
	    dns_system_blocked(probe_dns(tr->p)) != NULL) {
		target_add(
			tr, CODE_NOT_ALLOWED, MR_UNKNOWN,
			"%s not tried: the system resolvers may not be asked "
			"(%s)",
			tr->t->host, dns_system_blocked(probe_dns(tr->p)));
		target_end(tr);
		return;
	}
	if (addrs == NULL || n == 0) {
		struct mr_finding *f =
			target_add(tr, CODE_INTERNET_UNRESOLVED, MR_FAIL,
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
start_target(struct target_run *tr)
{
	struct mr_addr a;

	if (mr_addr_parse(tr->t->host, &a) == 0)
		connect_target(tr, &a);
	else
		tr->req = dns_system_addrinfo(probe_dns(tr->p), tr->t->host,
		                              on_resolved, tr);
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
	s->t = xcalloc(n, sizeof(*s->t));
	s->n = n;
	s->pending = n;
	for (size_t i = 0; i < n; i++) {
		s->t[i].p = p;
		s->t[i].t = &v[i];
	}
	say_waiting(p);
	/* A target refused by the policy ends inside this loop: the check
	   must not end before every target has been started. */
	s->starting = true;
	for (size_t i = 0; i < n; i++)
		start_target(&s->t[i]);
	s->starting = false;
	if (s->pending == 0)
		probe_done(p);
}

static void
cleanup(struct probe *p)
{
	struct internet_state *s = probe_state(p);

	for (size_t i = 0; i < s->n; i++) {
		dns_cancel(s->t[i].req);
		reach_cancel(s->t[i].reach);
	}
	free(s->t);
}

const struct probe_ops probe_net_internet_ops = {
	.state_size = sizeof(struct internet_state),
	.start = start,
	.cleanup = cleanup,
	.config_bounded = true,
};
