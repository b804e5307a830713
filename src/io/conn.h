/*
 * conn.h -- one outgoing TCP connection owned by a probe: the fd, its
 * events on the run's loop, and its phase timeout. It reports a handful of
 * events to its owner (as OpenSMTPD's io layer does).
 */
#ifndef MAILREADY_IO_CONN_H
#define MAILREADY_IO_CONN_H

#include <stdint.h>

#include <event2/event.h>

#include "mailready/netaddr.h"
#include "netpolicy.h"

enum conn_event {
	CONN_CONNECTED, /* the TCP handshake completed */
	CONN_ERROR,     /* err holds the errno */
	CONN_TIMEOUT,   /* the phase timeout passed */
};

struct conn;

typedef void conn_cb(void *arg, enum conn_event ev, int err);

/**
 * Start connecting to addr:port through the network policy. Events come
 * later from the loop, never from inside this call.
 * @return the connection; if the policy refuses the address, NULL with
 *         *err = EACCES (nothing was sent).
 */
struct conn *conn_connect(struct event_base *base, struct netpolicy *np,
                          const struct mr_addr *addr, uint16_t port,
                          double timeout_s, conn_cb *cb, void *arg, int *err);

/** Milliseconds the TCP handshake took (valid after CONN_CONNECTED). */
double conn_connect_ms(const struct conn *c);

/** Close and free; no event follows. NULL is fine. */
void conn_free(struct conn *c);

/** "connection refused", "no route to host" for an errno. */
const char *conn_strerror(int err);

#endif
