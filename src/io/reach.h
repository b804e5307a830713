/*
 * reach.h -- "can host:port be reached": one TCP connect, told apart as
 * open, refused, filtered (no answer) or unreachable, and closed at once.
 * net.port.*, net.internet and the connect of the mail probes share it, so
 * one outcome reads the same in every check (and renderers can merge the
 * identical lines of two checks of one closed port).
 */
#ifndef MAILREADY_IO_REACH_H
#define MAILREADY_IO_REACH_H

#include <stdint.h>

#include <event2/event.h>

#include "mailready/netaddr.h"
#include "netpolicy.h"

enum reach_outcome {
	REACH_OPEN,        /* the TCP handshake completed */
	REACH_REFUSED,     /* RST: nothing listens, or a firewall rejects */
	REACH_FILTERED,    /* no answer within the timeout */
	REACH_UNREACHABLE, /* no route, host or network unreachable */
};

struct reach_result {
	enum reach_outcome outcome;
	int err;           /* errno of a failure; 0 */
	double connect_ms; /* REACH_OPEN: the handshake's time */
	double waited_s;   /* REACH_FILTERED: how long it waited */
	const char *why;   /* conn_strerror() of err, or "" */
};

struct reach;

typedef void reach_cb(void *arg, const struct reach_result *r);

/**
 * Connect to addr:port within timeout_s; cb runs once, from the loop.
 * @return the attempt, or NULL with *err set when it could not start
 *         (EACCES: outside the network policy; nothing was sent).
 */
struct reach *reach_start(struct event_base *base, struct netpolicy *np,
                          const struct mr_addr *addr, uint16_t port,
                          double timeout_s, reach_cb *cb, void *arg, int *err);

/** Stop an attempt; cb will not run. NULL is fine. */
void reach_cancel(struct reach *r);

/** The outcome of a failed connect's errno (refused or unreachable). */
enum reach_outcome reach_outcome_of(int err);

#endif
