/*
 * channel.c -- one c-ares channel on the libevent loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dns/channel.h"
#include "dns/tally.h"
#include "strbuf.h"
#include "xmalloc.h"

struct watched_sock {
	ares_socket_t fd;
	struct event *ev;
	struct dns_channel *ch;
	struct watched_sock *next;
};

struct dns_channel {
	ares_channel ares;
	struct event_base *base;
	struct netpolicy *np;
	struct event *timer;
	struct watched_sock *socks; /* list */
	size_t nservers;
	char *servers_str;
	char **blocked;     /* servers dropped by the policy, as text */
	char **blocked_why; /* and why, without the server */
	size_t nblocked;
	char *blocked_reason; /* all of them in one line */
	bool destroying;
	/* c-ares went over TCP (it does after a truncated UDP answer). */
	bool tcp_tried;
};

static void rearm_timer(struct dns_channel *ch);

static void
on_sock_ready(evutil_socket_t fd, short what, void *arg)
{
	struct watched_sock *ws = arg;
	struct dns_channel *ch = ws->ch;

	ares_process_fd(ch->ares, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	                (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	rearm_timer(ch);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dns_channel *ch = arg;

	ares_process_fd(ch->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm_timer(ch);
}

static void
rearm_timer(struct dns_channel *ch)
{
	struct timeval tv, *tvp;

	if (ch->destroying)
		return;
	tvp = ares_timeout(ch->ares, NULL, &tv);
	if (tvp == NULL)
		event_del(ch->timer);
	else
		evtimer_add(ch->timer, tvp);
}

static struct watched_sock **
find_sock(struct dns_channel *ch, ares_socket_t fd)
{
	struct watched_sock **wp;
	for (wp = &ch->socks; *wp; wp = &(*wp)->next)
		if ((*wp)->fd == fd)
			break;
	return wp;
}

/* c-ares says which sockets it wants watched, and for what. */
static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_channel *ch = data;
	struct watched_sock **wp = find_sock(ch, fd), *ws = *wp;

	if (!readable && !writable) {
		if (ws == NULL)
			return;
		*wp = ws->next;
		event_free(ws->ev);
		free(ws);
		return;
	}
	if (ws == NULL) {
		ws = xcalloc(1, sizeof(*ws));
		ws->fd = fd;
		ws->ch = ch;
		ws->next = ch->socks;
		ch->socks = ws;
	} else {
		event_free(ws->ev);
	}
	short what = EV_PERSIST | (readable ? EV_READ : 0) |
	             (writable ? EV_WRITE : 0);
	ws->ev = event_new(ch->base, fd, what, on_sock_ready, ws);
	event_add(ws->ev, NULL);
}

/* The policy choke point: c-ares connects every DNS socket through here. */
/*
 * With socket functions of its own, c-ares leaves socket setup to us:
 * non-blocking is a must on the loop.
 */
static ares_socket_t
sock_open(int domain, int type, int protocol, void *data)
{
	return socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
}

static int
sock_close(ares_socket_t fd, void *data)
{
	return close(fd);
}

static int
sock_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
             void *data)
{
	struct dns_channel *ch = data;
	int type = 0;
	socklen_t tl = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	    type == SOCK_STREAM)
		ch->tcp_tried = true;
	return netpolicy_connect(ch->np, fd, sa, len);
}

bool
dns_channel_tcp_tried(const struct dns_channel *ch)
{
	return ch->tcp_tried;
}

static ares_ssize_t
sock_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
              struct sockaddr *from, ares_socklen_t *fromlen, void *data)
{
	return recvfrom(fd, buf, len, flags, from, fromlen);
}

static ares_ssize_t
sock_sendv(ares_socket_t fd, const struct iovec *iov, int iovcnt, void *data)
{
	return writev(fd, iov, iovcnt);
}

static const struct ares_socket_functions policy_socket_functions = {
	.asocket = sock_open,
	.aclose = sock_close,
	.aconnect = sock_connect,
	.arecvfrom = sock_recvfrom,
	.asendv = sock_sendv,
};

/* Remember a server the policy does not allow, and why. */
static void
note_blocked(struct dns_channel *ch, const char *server,
             const struct mr_addr *a)
{
	char why[320];

	tally_policy_why(ch->np, a, why, sizeof(why));
	ch->blocked = xreallocarray(ch->blocked, ch->nblocked + 1,
	                            sizeof(*ch->blocked));
	ch->blocked_why = xreallocarray(ch->blocked_why, ch->nblocked + 1,
	                                sizeof(*ch->blocked_why));
	ch->blocked[ch->nblocked] = xstrdup(server);
	ch->blocked_why[ch->nblocked] = xstrdup(why);
	ch->nblocked++;
}

/* "10.0.0.53 is outside allow_networks (...); not contacted", grouped. */
static void
sum_up_blocked(struct dns_channel *ch)
{
	struct dns_tally t = TALLY_INIT;
	struct strbuf b = STRBUF_INIT;

	if (ch->nblocked == 0)
		return;
	for (size_t i = 0; i < ch->nblocked; i++)
		tally_add_blocked(&t, ch->blocked[i], ch->blocked_why[i]);
	tally_render(&t, &b, TALLY_MAX_LEN);
	tally_clear(&t);
	ch->blocked_reason = strbuf_take(&b);
}

/* Keep only the servers the policy allows; remember why others went. */
static int
filter_servers(struct dns_channel *ch, char *err, size_t errlen)
{
	struct ares_addr_port_node *list = NULL, *allowed = NULL, **tail;
	struct strbuf names = STRBUF_INIT;
	char as[MR_ADDR_STRLEN];

	if (ares_get_servers_ports(ch->ares, &list) != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot read the system resolvers");
		return -1;
	}
	tail = &allowed;
	for (struct ares_addr_port_node *n = list; n; n = n->next) {
		struct mr_addr a = {.family = n->family};
		memcpy(a.bytes, &n->addr, n->family == AF_INET ? 4 : 16);
		if (!netpolicy_allows(ch->np, &a)) {
			note_blocked(ch, mr_addr_str(&a, as), &a);
			continue;
		}
		struct ares_addr_port_node *c = xcalloc(1, sizeof(*c));
		*c = *n;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
		strbuf_sep(&names, ", ");
		strbuf_add(&names, mr_addr_str(&a, as));
		ch->nservers++;
	}
	ares_free_data(list);
	sum_up_blocked(ch);
	int rc = ares_set_servers_ports(ch->ares, allowed);
	while (allowed) {
		struct ares_addr_port_node *next = allowed->next;
		free(allowed);
		allowed = next;
	}
	if (rc != ARES_SUCCESS) {
		strbuf_reset(&names);
		snprintf(err, errlen, "cannot set resolvers: %s",
		         ares_strerror(rc));
		return -1;
	}
	ch->servers_str = ch->nservers ? strbuf_take(&names) : xstrdup("none");
	return 0;
}

/*
 * No system resolver may be asked: look in the hosts file only. (c-ares
 * 1.18 also leaks when it tries DNS with no servers at all.)
 */
static int
hosts_file_only(struct dns_channel *ch, struct ares_options *opts, int mask)
{
	char lookups[] = "f";

	ch->destroying = true;
	ares_destroy(ch->ares);
	ch->destroying = false;
	opts->lookups = lookups;
	opts->nservers = 0;
	opts->servers = NULL;
	mask |= ARES_OPT_LOOKUPS | ARES_OPT_SERVERS;
	if (ares_init_options(&ch->ares, opts, mask) != ARES_SUCCESS) {
		ch->ares = NULL;
		return -1;
	}
	ares_set_socket_functions(ch->ares, &policy_socket_functions, ch);
	return 0;
}

/* Options every channel shares; the system's resolvers unless overridden. */
static int
base_options(struct ares_options *opts, int timeout_ms, int tries)
{
	memset(opts, 0, sizeof(*opts));
	/*
	 * NOCHECKRESP: else c-ares hides REFUSED/SERVFAIL behind a generic
	 * error and tries the next server; we want to see every rcode.
	 */
	opts->flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN;
	opts->timeout = timeout_ms;
	opts->tries = tries;
	return ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
}

struct dns_channel *
dns_channel_new(struct event_base *base, struct netpolicy *np,
                const struct mr_server *server, int timeout_ms, int tries,
                char *err, size_t errlen)
{
	struct ares_options opts;
	int mask =
		base_options(&opts, timeout_ms, tries) | ARES_OPT_SOCK_STATE_CB;
	struct dns_channel *ch = xcalloc(1, sizeof(*ch));

	ch->base = base;
	ch->np = np;
	opts.sock_state_cb = on_sock_state;
	opts.sock_state_cb_data = ch;
	if (server != NULL) {
		/* One server, no search domains: nothing from resolv.conf. */
		opts.ndomains = 0;
		opts.domains = NULL;
		opts.nservers = 0;
		mask |= ARES_OPT_DOMAINS | ARES_OPT_SERVERS;
	}
	int rc = ares_init_options(&ch->ares, &opts, mask);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(ch);
		return NULL;
	}
	ares_set_socket_functions(ch->ares, &policy_socket_functions, ch);
	ch->timer = evtimer_new(base, on_timer, ch);
	if (server != NULL) {
		struct ares_addr_port_node n;
		char as[MR_ADDR_STRLEN];
		memset(&n, 0, sizeof(n));
		n.family = server->addr.family;
		memcpy(&n.addr, server->addr.bytes,
		       n.family == AF_INET ? 4 : 16);
		n.udp_port = n.tcp_port = server->port;
		mr_addr_str(&server->addr, as);
		ch->servers_str =
			server->port == 53
				? xstrdup(as)
				: xasprintf(n.family == AF_INET6 ? "[%s]:%u"
		                                                 : "%s:%u",
		                            as, server->port);
		if (!netpolicy_allows(np, &server->addr)) {
			note_blocked(ch, ch->servers_str, &server->addr);
			sum_up_blocked(ch);
			return ch; /* no servers set: nothing can be sent */
		}
		ch->nservers = 1;
		rc = ares_set_servers_ports(ch->ares, &n);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
			dns_channel_free(ch);
			return NULL;
		}
		return ch;
	}
	if (filter_servers(ch, err, errlen) < 0) {
		dns_channel_free(ch);
		return NULL;
	}
	if (ch->nservers == 0 && hosts_file_only(ch, &opts, mask) < 0) {
		snprintf(err, errlen,
		         "c-ares: cannot set up the system channel");
		dns_channel_free(ch);
		return NULL;
	}
	return ch;
}

void
dns_channel_free(struct dns_channel *ch)
{
	if (ch == NULL)
		return;
	ch->destroying = true;
	if (ch->ares)
		ares_destroy(ch->ares);
	while (ch->socks) {
		struct watched_sock *next = ch->socks->next;
		event_free(ch->socks->ev);
		free(ch->socks);
		ch->socks = next;
	}
	event_free(ch->timer);
	free(ch->servers_str);
	for (size_t i = 0; i < ch->nblocked; i++) {
		free(ch->blocked[i]);
		free(ch->blocked_why[i]);
	}
	free(ch->blocked);
	free(ch->blocked_why);
	free(ch->blocked_reason);
	free(ch);
}

void
dns_channel_send(struct dns_channel *ch, const unsigned char *q, int qlen,
                 ares_callback cb, void *arg)
{
	ares_send(ch->ares, q, qlen, cb, arg);
	rearm_timer(ch);
}

void
dns_channel_getaddrinfo(struct dns_channel *ch, const char *name,
                        ares_addrinfo_callback cb, void *arg)
{
	struct ares_addrinfo_hints hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(ch->ares, name, NULL, &hints, cb, arg);
	rearm_timer(ch);
}

size_t
dns_channel_nservers(const struct dns_channel *ch)
{
	return ch->nservers;
}

const char *
dns_channel_servers_str(const struct dns_channel *ch)
{
	return ch->servers_str;
}

const char *
dns_channel_blocked_reason(const struct dns_channel *ch)
{
	return ch->blocked_reason;
}

size_t
dns_channel_nblocked(const struct dns_channel *ch)
{
	return ch->nblocked;
}

const char *
dns_channel_blocked_server(const struct dns_channel *ch, size_t i)
{
	return ch->blocked[i];
}

const char *
dns_channel_blocked_why(const struct dns_channel *ch, size_t i)
{
	return ch->blocked_why[i];
}

int
dns_channel_system_servers(const char *resolv_conf, struct mr_server **out,
                           size_t *n, char *err, size_t errlen)
{
	struct ares_options opts;
	struct ares_addr_port_node *list = NULL;
	ares_channel ares;
	int mask = base_options(&opts, 1000, 1);

	*out = NULL;
	*n = 0;
	if (resolv_conf != NULL) {
		opts.resolvconf_path = (char *)resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	/* ares_init_options reads the files; sockets open on a first query. */
	int rc = ares_init_options(&ares, &opts, mask);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	rc = ares_get_servers_ports(ares, &list);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot read the system resolvers: %s",
		         ares_strerror(rc));
		ares_destroy(ares);
		return -1;
	}
	for (struct ares_addr_port_node *p = list; p; p = p->next) {
		struct mr_server srv = {.addr.family = p->family,
		                        .port = p->udp_port ? p->udp_port : 53};
		memcpy(srv.addr.bytes, &p->addr, p->family == AF_INET ? 4 : 16);
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = srv;
	}
	ares_free_data(list);
	ares_destroy(ares);
	return 0;
}
