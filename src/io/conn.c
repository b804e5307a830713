/*
 * conn.c -- one probe's TCP connection on the run's loop: connect, line
 * input with bounds, output, phase timeouts, and TLS on the same fd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <openssl/err.h>

#include "clock.h"
#include "io/conn.h"
#include "xmalloc.h"

enum conn_state {
	ST_CONNECTING,
	ST_OPEN,
	ST_HANDSHAKE,
	ST_DONE, /* closed, failed or timed out: no more events */
};

struct conn {
	int fd;
	enum conn_state state;
	struct event *rev; /* persistent read interest */
	struct event *wev; /* write interest, added when needed */
	struct event *timer;
	struct evbuffer *in;
	struct evbuffer *out;
	size_t total_in;
	char *line;
	SSL *ssl;
	conn_cb *cb;
	void *arg;
	struct timeval started;
	struct timeval tls_started;
	double connect_ms;
	double tls_ms;
	int pending_err; /* a connect failure reported from the loop */
	char error[512];
	int in_cb; /* callbacks running: free is deferred */
	bool dead; /* conn_free was called inside a callback */
};

static void conn_destroy(struct conn *c);

/* Call the owner; false if it freed the connection meanwhile. */
static bool
emit(struct conn *c, enum conn_event ev, int err)
{
	c->in_cb++;
	c->cb(c->arg, ev, err);
	c->in_cb--;
	if (c->dead && c->in_cb == 0) {
		conn_destroy(c);
		return false;
	}
	return !c->dead;
}

/* The last event of a connection: nothing follows. */
static void
finish(struct conn *c, enum conn_event ev, int err)
{
	c->state = ST_DONE;
	event_del(c->rev);
	event_del(c->wev);
	event_del(c->timer);
	emit(c, ev, err);
}

static void
set_tls_error(struct conn *c, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[200];

	if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		/* OpenSSL 3's words for a hang-up without an alert. */
		snprintf(c->error, sizeof(c->error),
		         "%s: the server closed the connection", what);
	} else if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		/* "error:0A00042E:SSL routines::tlsv1 alert protocol
		 * version" -> keep the reason after the last colon. */
		const char *r = strrchr(buf, ':');
		snprintf(c->error, sizeof(c->error), "%s: %s", what,
		         r ? r + 1 : buf);
	} else if (errno == ECONNRESET || errno == EPIPE) {
		/* A proxy whose back end is gone accepts, then hangs up. */
		snprintf(c->error, sizeof(c->error),
		         "%s: the server closed the connection (%s)", what,
		         strerror(errno));
	} else if (errno != 0) {
		snprintf(c->error, sizeof(c->error), "%s: %s", what,
		         strerror(errno));
	} else {
		snprintf(c->error, sizeof(c->error),
		         "%s: the server closed the connection", what);
	}
	ERR_clear_error();
}

static void
want_write(struct conn *c)
{
	event_add(c->wev, NULL);
}

/* ------------------------------------------------------------------ */
/* Input */

/* Hand out complete lines; false if the connection went away. */
/* What the server said, its NULs written out: "554 x\x00go away". The
   rest is escaped where it is shown, as every server word is. */
static void
nul_line_error(struct conn *c, size_t len)
{
	size_t off = (size_t)snprintf(c->error, sizeof(c->error),
	                              "a line with a NUL byte ('");

	for (size_t i = 0; i < len && i < 200 && off + 8 < sizeof(c->error);
	     i++) {
		if (c->line[i] == '\0') {
			memcpy(c->error + off, "\\x00", 4);
			off += 4;
		} else {
			c->error[off++] = c->line[i];
		}
	}
	snprintf(c->error + off, sizeof(c->error) - off, "%s')",
	         len > 200 ? "..." : "");
}

static bool
deliver_lines(struct conn *c)
{
	while (c->state == ST_OPEN) {
		struct evbuffer_ptr eol =
			evbuffer_search_eol(c->in, NULL, NULL, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(c->in) > CONN_MAX_LINE) {
				snprintf(c->error, sizeof(c->error),
				         "a line longer than %d bytes",
				         CONN_MAX_LINE);
				finish(c, CONN_OVERFLOW, 0);
				return false;
			}
			return true;
		}
		if ((size_t)eol.pos > CONN_MAX_LINE) {
			snprintf(c->error, sizeof(c->error),
			         "a line longer than %d bytes", CONN_MAX_LINE);
			finish(c, CONN_OVERFLOW, 0);
			return false;
		}
		size_t len;
		free(c->line);
		c->line = evbuffer_readln(c->in, &len, EVBUFFER_EOL_CRLF);
		if (c->line == NULL)
			return true;
		/* A NUL would end the line early for every reader after
		   this one: "220 ok\0..." is no greeting "220 ok". */
		if (memchr(c->line, '\0', len) != NULL) {
			nul_line_error(c, len);
			finish(c, CONN_OVERFLOW, 0);
			return false;
		}
		if (!emit(c, CONN_LINE, 0))
			return false;
	}
	return c->state != ST_DONE;
}

static int
read_some(struct conn *c, char *buf, size_t len)
{
	if (c->ssl == NULL) {
		ssize_t n = read(c->fd, buf, len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return -2;
		if (n < 0)
			snprintf(c->error, sizeof(c->error), "%s",
			         strerror(errno));
		return (int)n;
	}
	ERR_clear_error();
	int n = SSL_read(c->ssl, buf, (int)len);
	if (n > 0)
		return n;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		return -2;
	case SSL_ERROR_WANT_WRITE:
		want_write(c);
		return -2;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		set_tls_error(c, "TLS read");
		return -1;
	}
}

static void
on_readable(struct conn *c)
{
	char buf[8192];

	for (;;) {
		int n = read_some(c, buf, sizeof(buf));
		if (n == -2)
			break;
		if (n < 0) {
			finish(c, CONN_ERROR, errno);
			return;
		}
		if (n == 0) {
			/* Lines before the close still count. */
			if (!deliver_lines(c))
				return;
			if (c->state != ST_DONE)
				finish(c, CONN_CLOSED, 0);
			return;
		}
		c->total_in += (size_t)n;
		if (c->total_in > CONN_MAX_TOTAL) {
			snprintf(c->error, sizeof(c->error),
			         "more than %d bytes in all", CONN_MAX_TOTAL);
			finish(c, CONN_OVERFLOW, 0);
			return;
		}
		evbuffer_add(c->in, buf, (size_t)n);
		if (!deliver_lines(c) || c->state != ST_OPEN)
			return;
	}
}

/* ------------------------------------------------------------------ */
/* Output */

static void
flush_out(struct conn *c)
{
	while (evbuffer_get_length(c->out) > 0) {
		size_t len = evbuffer_get_contiguous_space(c->out);
		const unsigned char *p = evbuffer_pullup(c->out, (ssize_t)len);
		int n;
		if (c->ssl) {
			ERR_clear_error();
			n = SSL_write(c->ssl, p, (int)len);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);
				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ) {
					want_write(c);
					return;
				}
				set_tls_error(c, "TLS write");
				finish(c, CONN_ERROR, EIO);
				return;
			}
		} else {
			ssize_t w = write(c->fd, p, len);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				want_write(c);
				return;
			}
			if (w < 0) {
				snprintf(c->error, sizeof(c->error), "%s",
				         strerror(errno));
				finish(c, CONN_ERROR, errno);
				return;
			}
			n = (int)w;
		}
		evbuffer_drain(c->out, (size_t)n);
	}
}

void
conn_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->state == ST_DONE)
		return;
	va_start(ap, fmt);
	evbuffer_add_vprintf(c->out, fmt, ap);
	va_end(ap);
	evbuffer_add(c->out, "\r\n", 2);
	if (c->state == ST_OPEN)
		want_write(c);
}

/* ------------------------------------------------------------------ */
/* TLS */

static void
handshake(struct conn *c)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_connect(c->ssl);
	if (r == 1) {
		c->tls_ms = ms_since(&c->tls_started);
		c->state = ST_OPEN;
		if (!emit(c, CONN_TLS_READY, 0))
			return;
		if (evbuffer_get_length(c->out) > 0)
			want_write(c);
		/* Data may already sit in OpenSSL's buffer. */
		if (c->state == ST_OPEN && SSL_pending(c->ssl) > 0)
			on_readable(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return;
	case SSL_ERROR_WANT_WRITE:
		want_write(c);
		return;
	default:
		set_tls_error(c, "TLS handshake failed");
		finish(c, CONN_ERROR, EPROTO);
	}
}

void
conn_start_tls(struct conn *c, SSL *ssl)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = ssl;
	if (c->state == ST_DONE)
		return;
	if (evbuffer_get_length(c->in) > 0) {
		snprintf(c->error, sizeof(c->error),
		         "the server sent data after its STARTTLS reply, "
		         "before the TLS handshake (command injection risk)");
		c->pending_err = EPROTO;
	}
	SSL_set_fd(ssl, c->fd);
	c->state = ST_HANDSHAKE;
	gettimeofday(&c->tls_started, NULL);
	/* Start from the loop: the caller finishes its step first. */
	event_active(c->wev, EV_WRITE, 0);
}

/* ------------------------------------------------------------------ */
/* Events */

static void
on_connect_done(struct conn *c)
{
	int err = c->pending_err;
	socklen_t len = sizeof(err);

	if (err == 0 && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err != 0) {
		snprintf(c->error, sizeof(c->error), "%s", conn_strerror(err));
		finish(c, CONN_ERROR, err);
		return;
	}
	c->connect_ms = ms_since(&c->started);
	c->state = ST_OPEN;
	event_add(c->rev, NULL);
	if (!emit(c, CONN_CONNECTED, 0))
		return;
	if (c->state == ST_OPEN && evbuffer_get_length(c->out) > 0)
		want_write(c);
}

static void
on_event(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	c->in_cb++; /* keep c alive across the steps below */
	switch (c->state) {
	case ST_CONNECTING:
		if (what & EV_WRITE)
			on_connect_done(c);
		break;
	case ST_HANDSHAKE:
		if (c->pending_err)
			finish(c, CONN_ERROR, c->pending_err);
		else
			handshake(c);
		break;
	case ST_OPEN:
		if (what & EV_WRITE)
			flush_out(c);
		if (c->state == ST_OPEN && !c->dead && (what & EV_READ))
			on_readable(c);
		break;
	case ST_DONE:
		break;
	}
	c->in_cb--;
	if (c->dead && c->in_cb == 0)
		conn_destroy(c);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	finish(c, CONN_TIMEOUT, ETIMEDOUT);
}

void
conn_phase(struct conn *c, double timeout_s)
{
	struct timeval tv = tv_from_seconds(timeout_s);
	if (c->state != ST_DONE)
		evtimer_add(c->timer, &tv);
}

struct conn *
conn_connect(struct event_base *base, struct netpolicy *np,
             const struct mr_addr *addr, uint16_t port, double timeout_s,
             conn_cb *cb, void *arg, int *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = mr_addr_to_sockaddr(addr, port, &ss);

	if (!netpolicy_allows(np, addr)) {
		*err = EACCES;
		return NULL;
	}
	int fd = socket(ss.ss_family,
	                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	struct conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->cb = cb;
	c->arg = arg;
	c->state = ST_CONNECTING;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	gettimeofday(&c->started, NULL);
	c->rev = event_new(base, fd, EV_READ | EV_PERSIST, on_event, c);
	c->wev = event_new(base, fd, EV_WRITE, on_event, c);
	c->timer = evtimer_new(base, on_timer, c);
	if (netpolicy_connect(np, fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		/* Report from the loop, like every other outcome. */
		c->pending_err = errno;
		event_active(c->wev, EV_WRITE, 0);
		return c;
	}
	event_add(c->wev, NULL);
	conn_phase(c, timeout_s);
	return c;
}

const char *
conn_line(const struct conn *c)
{
	return c->line ? c->line : "";
}

SSL *
conn_ssl(const struct conn *c)
{
	return c->ssl;
}

const char *
conn_error(const struct conn *c)
{
	return c->error[0] ? c->error : "unknown error";
}

int
conn_local_addr(const struct conn *c, struct mr_addr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return mr_addr_from_sockaddr((struct sockaddr *)&ss, out, NULL);
}

double
conn_connect_ms(const struct conn *c)
{
	return c->connect_ms;
}

double
conn_tls_ms(const struct conn *c)
{
	return c->tls_ms;
}

static void
conn_destroy(struct conn *c)
{
	event_free(c->rev);
	event_free(c->wev);
	event_free(c->timer);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	if (c->ssl)
		SSL_free(c->ssl);
	free(c->line);
	close(c->fd);
	free(c);
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->in_cb > 0) {
		c->dead = true;
		c->state = ST_DONE;
		event_del(c->rev);
		event_del(c->wev);
		event_del(c->timer);
		return;
	}
	conn_destroy(c);
}

const char *
conn_strerror(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "connection refused";
	case ETIMEDOUT:
		return "timed out";
	case EHOSTUNREACH:
		return "no route to host";
	case ENETUNREACH:
		return "network unreachable";
	case EACCES:
		return "not allowed by allow_networks";
	default:
		return strerror(err);
	}
}
