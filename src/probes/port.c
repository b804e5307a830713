/*
 * port.c -- net.port.SERVICE: does the node accept TCP connections on a
 * port its roles need? Closed (refused), filtered (no answer) and
 * unreachable are told apart; the connect time is a metric.
 *
 * A port with no declared address is probed on the node's name as the
 * inside view resolves it (A first, then AAAA). Before the node's install
 * (preflight on the node) a port nothing listens on is not a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "io/reach.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"

struct port_state {
	struct dns_req *req[2]; /* A, AAAA */
	const struct dns_reply *reply[2];
	int pending;
	struct reach *reach;
	struct mr_addr addr;
};

static void
on_reach(void *arg, const struct reach_result *r)
{
	struct probe *p = arg;
	struct port_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	char as[MR_ADDR_STRLEN];

	st->reach = NULL;
	if (r->outcome != REACH_OPEN) {
		probe_add_unreached(p, r, &st->addr, it->port, it->service);
		probe_done(p);
		return;
	}
	mr_result_add_metric(probe_result(p), "connect_ms", r->connect_ms,
	                     "ms");
	mr_result_add_metric(probe_result(p), "time", r->connect_ms / 1000.0,
	                     "s");
	struct mr_finding *f =
		probe_add(p, CODE_PORT_OPEN, MR_PASS,
	                  "%s port %u (%s) accepts connections (%.1f ms)",
	                  mr_addr_str(&st->addr, as), it->port, it->service,
	                  r->connect_ms);
	mr_finding_set_text(f, "address", as);
	mr_finding_set_int(f, "port", it->port);
	probe_done(p);
}

static void
connect_to(struct probe *p, const struct mr_addr *addr)
{
	struct port_state *st = probe_state(p);
	struct run *r = probe_run(p);
	const struct plan_item *it = probe_item(p);
	char as[MR_ADDR_STRLEN];
	int err;

	st->addr = *addr;
	st->reach = reach_start(r->base, r->np, addr, it->port,
	                        run_connect_timeout(r), on_reach, p, &err);
	if (st->reach == NULL) {
		probe_finish_not_connected(p, addr, err);
		return;
	}
	probe_waiting(p, "TCP connect to %s port %u", mr_addr_str(addr, as),
	              it->port);
}

static void
on_name(struct probe *p, int i, const struct dns_reply *r)
{
	struct port_state *st = probe_state(p);
	struct mr_addr a;

	st->req[i] = NULL;
	st->reply[i] = r;
	if (--st->pending > 0)
		return;
	if (probe_first_addr(st->reply, &a))
		connect_to(p, &a);
	else
		probe_finish_no_address(p, st->reply[0]);
}

static void
on_a(void *arg, const struct dns_reply *r)
{
	on_name(arg, 0, r);
}

static void
on_aaaa(void *arg, const struct dns_reply *r)
{
	on_name(arg, 1, r);
}

static void
start(struct probe *p)
{
	struct port_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);

	if (probe_not_installed(p))
		return;
	if (it->has_addr) {
		connect_to(p, &it->addr);
		return;
	}
	probe_waiting(p, "the address of %s from %s", it->node->name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_INSIDE));
	st->pending = 2;
	st->req[0] = dns_lookup(probe_dns(p), DNS_VIEW_INSIDE, it->node->name,
	                        LDNS_RR_TYPE_A, on_a, p);
	st->req[1] = dns_lookup(probe_dns(p), DNS_VIEW_INSIDE, it->node->name,
	                        LDNS_RR_TYPE_AAAA, on_aaaa, p);
}

static void
cleanup(struct probe *p)
{
	struct port_state *st = probe_state(p);
	dns_cancel(st->req[0]);
	dns_cancel(st->req[1]);
	reach_cancel(st->reach);
}

const struct probe_ops probe_net_port_ops = {
	.state_size = sizeof(struct port_state),
	.start = start,
	.cleanup = cleanup,
};
