/*
 * reach.c -- one TCP connect, its outcome, nothing more.
 */
#include <errno.h>
#include <stdlib.h>

#include "io/conn.h"
#include "io/reach.h"
#include "xmalloc.h"

struct reach {
	struct conn *conn;
	reach_cb *cb;
	void *arg;
	double timeout_s;
};

enum reach_outcome
reach_outcome_of(int err)
{
	return err == ECONNREFUSED ? REACH_REFUSED : REACH_UNREACHABLE;
}

static void
on_conn(void *arg, enum conn_event ev, int err)
{
	struct reach *r = arg;
	struct reach_result res = {REACH_OPEN, 0, 0, 0, ""};

	switch (ev) {
	case CONN_CONNECTED:
		res.connect_ms = conn_connect_ms(r->conn);
		break;
	case CONN_TIMEOUT:
		res.outcome = REACH_FILTERED;
		res.waited_s = r->timeout_s;
		break;
	case CONN_ERROR:
		res.outcome = reach_outcome_of(err);
		res.err = err;
		res.why = conn_strerror(err);
		break;
	default:
		/* Nothing is read: the connection ends when it is up. */
		return;
	}
	reach_cb *cb = r->cb;
	void *cb_arg = r->arg;
	conn_free(r->conn);
	free(r);
	cb(cb_arg, &res);
}

struct reach *
reach_start(struct event_base *base, struct netpolicy *np,
            const struct mr_addr *addr, uint16_t port, double timeout_s,
            reach_cb *cb, void *arg, int *err)
{
	struct reach *r = xcalloc(1, sizeof(*r));

	r->cb = cb;
	r->arg = arg;
	r->timeout_s = timeout_s;
	r->conn =
		conn_connect(base, np, addr, port, timeout_s, on_conn, r, err);
	if (r->conn == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
reach_cancel(struct reach *r)
{
	if (r == NULL)
		return;
	conn_free(r->conn);
	free(r);
}
