/*
 * conn.h -- one outgoing TCP connection owned by a probe: the fd, its
 * events on the run's loop, an input line buffer with hard bounds, an
 * output buffer, a phase timeout and the TLS state. It reports a handful
 * of events to its owner, the way OpenSMTPD's ioev.c does; TLS is driven
 * on the fd from loop events (SSL_connect/SSL_read/SSL_write on
 * WANT_READ/WANT_WRITE), not through bufferevent_openssl.
 */
#ifndef MAILREADY_IO_CONN_H
#define MAILREADY_IO_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "mailready/netaddr.h"
#include "netpolicy.h"

/* Bounds on what a peer may send: a hostile server cannot exhaust us. */
#define CONN_MAX_LINE  4096
#define CONN_MAX_TOTAL (256 * 1024)

enum conn_event {
	CONN_CONNECTED, /* the TCP handshake completed */
	CONN_LINE,      /* a line is ready: conn_line() */
	CONN_TLS_READY, /* the TLS handshake completed */
	CONN_CLOSED,    /* the peer closed the connection */
	CONN_ERROR,     /* see err (errno) and conn_error() */
	CONN_TIMEOUT,   /* the phase timeout passed */
	CONN_OVERFLOW,  /* a line or the whole input exceeded its bound */
};

struct conn;

typedef void conn_cb(void *arg, enum conn_event ev, int err);

/**
 * Start connecting to addr:port through the network policy. Events come
 * later from the loop, never from inside this call.
 * @param timeout_s  the connect phase's timeout
 * @return the connection; if the policy refuses the address, NULL with
 *         *err = EACCES (nothing was sent).
 */
struct conn *conn_connect(struct event_base *base, struct netpolicy *np,
                          const struct mr_addr *addr, uint16_t port,
                          double timeout_s, conn_cb *cb, void *arg, int *err);

/** Start a new phase: its own timeout, from now. */
void conn_phase(struct conn *c, double timeout_s);

/** Queue a command line; CRLF is appended. */
void conn_printf(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Begin the TLS handshake on this connection (after STARTTLS, or at once
 * for implicit TLS). Plaintext the server sent after its STARTTLS reply
 * is refused: that is command injection (CVE-2011-0411 and kin), reported
 * as CONN_ERROR. The outcome is CONN_TLS_READY or CONN_ERROR.
 * @param ssl  prepared by the caller (SNI, host name); the conn owns it.
 */
void conn_start_tls(struct conn *c, SSL *ssl);

/** The current line during a CONN_LINE event (no CR/LF; NUL-terminated). */
const char *conn_line(const struct conn *c);

/** The TLS session, or NULL before TLS. */
SSL *conn_ssl(const struct conn *c);

/** What went wrong, for CONN_ERROR ("connection refused", TLS alert). */
const char *conn_error(const struct conn *c);

/** The local address of the connection; -1 if unknown. */
int conn_local_addr(const struct conn *c, struct mr_addr *out);

/** Milliseconds the TCP handshake took (after CONN_CONNECTED). */
double conn_connect_ms(const struct conn *c);

/** Milliseconds the TLS handshake took (after CONN_TLS_READY). */
double conn_tls_ms(const struct conn *c);

/**
 * Close and free; no event follows. Safe from inside the connection's own
 * callback. NULL is fine.
 */
void conn_free(struct conn *c);

/** "connection refused", "no route to host" for an errno. */
const char *conn_strerror(int err);

#endif
