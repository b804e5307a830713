/*
 * fetch.h -- HTTPS GET on the run's loop, for policies published over the
 * web (the MTA-STS policy): libcurl's multi-socket API drives its sockets
 * from libevent, so a fetch is one more event source of the one loop.
 *
 * A fetch never resolves names itself: the caller resolves the host in the
 * view that matters (outside, for MTA-STS) and gives the addresses, which
 * libcurl is pinned to. Every socket it opens passes allow_networks. Only
 * https is spoken, redirects are reported and never followed, proxies from
 * the environment are ignored, and the body is bounded.
 */
#ifndef MAILREADY_IO_FETCH_H
#define MAILREADY_IO_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "mailready/netaddr.h"
#include "netpolicy.h"

/* Addresses a fetch may be pinned to; the caller says how many it left. */
#define FETCH_MAX_ADDRS 8

enum fetch_status {
	FETCH_OK,      /* a response came: see http_code (3xx: redirect_to) */
	FETCH_BLOCKED, /* no address passed allow_networks: nothing sent */
	FETCH_CONNECT, /* no connection to any address */
	FETCH_TLS,     /* the handshake or the certificate failed */
	FETCH_TOO_BIG, /* the body went past max_bytes */
	FETCH_TIMEOUT, /* no complete response within timeout_s */
	FETCH_ERROR,   /* anything else: see error */
};

struct fetch_result {
	enum fetch_status status;
	long http_code;            /* 0 when no response came */
	const char *body;          /* NUL-terminated (NULs inside kept) */
	size_t len;                /* bytes of body */
	const char *content_type;  /* as sent, or NULL */
	const char *redirect_to;   /* Location of a 3xx, or NULL */
	const char *error;         /* what went wrong, or NULL on FETCH_OK */
	char addr[MR_ADDR_STRLEN]; /* the address that answered, or "" */
};

typedef void fetch_cb(void *arg, const struct fetch_result *r);

struct fetch_svc;
struct fetch_req;

struct fetch_opts {
	const struct mr_addr *addrs; /* where host is; at least one */
	size_t naddrs;
	uint16_t port;       /* 0: 443 */
	double timeout_s;    /* the whole transfer */
	size_t max_bytes;    /* of the body */
	const char *ca_file; /* NULL: the system trust store */
};

/**
 * The service of a run. np must outlive it.
 * @return NULL with the reason in err when libcurl cannot be set up.
 */
struct fetch_svc *fetch_svc_new(struct event_base *base, struct netpolicy *np,
                                char *err, size_t errlen);

/** Cancel every fetch still running (their callbacks are not called). */
void fetch_svc_free(struct fetch_svc *s);

/**
 * GET https://host[:port]/path. cb is called once, from the loop, never
 * from inside this call. host is a DNS name (letters, digits, '-', '.');
 * path starts with '/'.
 * @return the request, for fetch_cancel(); NULL only with a host or path
 *         that cannot be fetched, with the reason in err.
 */
struct fetch_req *fetch_https(struct fetch_svc *s, const char *host,
                              const char *path, const struct fetch_opts *o,
                              fetch_cb *cb, void *arg, char *err,
                              size_t errlen);

/** Stop a fetch; its callback will not be called. */
void fetch_cancel(struct fetch_req *r);

#endif
