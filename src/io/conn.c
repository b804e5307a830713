/*
 * conn.c -- non-blocking TCP connect on the run's loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "io/conn.h"
#include "clock.h"
#include "xmalloc.h"

struct conn {
	int fd;
	struct event *ev;
	struct event *timer;
	conn_cb *cb;
	void *arg;
	struct timeval started;
	double connect_ms;
	int pending_err; /* immediate failure, reported from the loop */
};

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (what & EV_TIMEOUT) {
		event_del(c->ev);
		c->cb(c->arg, CONN_TIMEOUT, ETIMEDOUT);
		return;
	}
	if (c->pending_err) {
		c->cb(c->arg, CONN_ERROR, c->pending_err);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	event_del(c->timer);
	if (err != 0) {
		c->cb(c->arg, CONN_ERROR, err);
		return;
	}
	c->connect_ms = ms_since(&c->started);
	c->cb(c->arg, CONN_CONNECTED, 0);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	on_writable(-1, EV_TIMEOUT, arg);
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
	gettimeofday(&c->started, NULL);
	c->ev = event_new(base, fd, EV_WRITE, on_writable, c);
	c->timer = evtimer_new(base, on_timer, c);
	if (netpolicy_connect(np, fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		/* Report from the loop, like every other outcome. */
		c->pending_err = errno;
		event_active(c->ev, EV_WRITE, 0);
		return c;
	}
	struct timeval tv = tv_from_seconds(timeout_s);
	event_add(c->ev, NULL);
	evtimer_add(c->timer, &tv);
	return c;
}

double
conn_connect_ms(const struct conn *c)
{
	return c->connect_ms;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	event_free(c->ev);
	event_free(c->timer);
	close(c->fd);
	free(c);
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
