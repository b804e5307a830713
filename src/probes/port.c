/*
 * port.c -- net.port.SERVICE: does the node accept TCP connections on a
 * port its roles need? Closed (refused), filtered (no answer) and
 * unreachable are told apart; the connect time is a metric.
 *
 * A port with no declared address is probed on the node's name as the
 * inside view resolves it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/conn.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "xmalloc.h"

struct port_state {
	struct dns_req *req;
	struct conn *conn;
	struct mr_addr addr;
};

static void
on_conn(void *arg, enum conn_event ev, int err)
{
	struct probe *p = arg;
	struct port_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);
	char as[MR_ADDR_STRLEN];
	const char *a = mr_addr_str(&st->addr, as);
	struct mr_finding *f;

	switch (ev) {
	case CONN_CONNECTED: {
		double ms = conn_connect_ms(st->conn);
		mr_result_add_metric(probe_result(p), "connect_ms", ms, "ms");
		mr_result_add_metric(probe_result(p), "time", ms / 1000.0, "s");
		f = probe_add(p, CODE_PORT_OPEN, MR_PASS,
		              "%s port %u (%s) accepts connections (%.1f ms)",
		              a, it->port, it->service, ms);
		break;
	}
	case CONN_TIMEOUT:
		f = probe_add(
			p, CODE_PORT_FILTERED, MR_FAIL,
			"%s port %u (%s): no answer within %g s, filtered "
			"by a firewall or the host is down",
			a, it->port, it->service,
			probe_run(p)->probe_timeout_s * 0.8);
		mr_finding_hint(f, "open it for the %s service",
		                it->external ? "public" : "internal");
		break;
	case CONN_ERROR:
		if (err == ECONNREFUSED) {
			f = probe_add(p, CODE_PORT_CLOSED, MR_FAIL,
			              "%s port %u (%s) is closed: connection "
			              "refused",
			              a, it->port, it->service);
			mr_finding_hint(f,
			                "start the %s service on %s, or let "
			                "the firewall pass port %u",
			                it->service, a, it->port);
		} else {
			f = probe_add(p, CODE_PORT_UNREACHABLE, MR_FAIL,
			              "%s port %u (%s) is unreachable: %s", a,
			              it->port, it->service,
			              conn_strerror(err));
			mr_finding_hint(f,
			                "check the routing from this host to "
			                "%s",
			                a);
		}
		break;
	default:
		/* The connection is closed as soon as it is up. */
		fatalx("net.port: unexpected connection event %d", (int)ev);
	}
	mr_finding_set_text(f, "address", a);
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
	/* Leave the probe time to report a filtered port as such. */
	st->conn = conn_connect(r->base, r->np, addr, it->port,
	                        r->probe_timeout_s * 0.8, on_conn, p, &err);
	if (st->conn == NULL) {
		probe_finish_not_connected(p, addr, err);
		return;
	}
	probe_waiting(p, "TCP connect to %s port %u", mr_addr_str(addr, as),
	              it->port);
}

static void
on_name(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct port_state *st = probe_state(p);
	size_t n;

	st->req = NULL;
	struct mr_addr *a = dns_reply_addrs(r, &n);
	if (n == 0)
		probe_finish_no_address(p, r);
	else
		connect_to(p, &a[0]);
	free(a);
}

static void
start(struct probe *p)
{
	struct port_state *st = probe_state(p);
	const struct plan_item *it = probe_item(p);

	if (it->has_addr) {
		connect_to(p, &it->addr);
		return;
	}
	probe_waiting(p, "the address of %s from %s", it->node->name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_INSIDE));
	st->req = dns_lookup(probe_dns(p), DNS_VIEW_INSIDE, it->node->name,
	                     LDNS_RR_TYPE_A, on_name, p);
}

static void
cleanup(struct probe *p)
{
	struct port_state *st = probe_state(p);
	dns_cancel(st->req);
	conn_free(st->conn);
}

const struct probe_ops probe_net_port_ops = {
	.state_size = sizeof(struct port_state),
	.start = start,
	.cleanup = cleanup,
};
