/*
 * channel.h -- one c-ares channel driven by the run's libevent loop.
 *
 * c-ares tells us which sockets to watch (ARES_OPT_SOCK_STATE_CB); the loop
 * calls ares_process_fd on readiness and on a timer re-armed from
 * ares_timeout after every call. Sockets are connected through the network
 * policy (ares_set_socket_functions), the one choke point for DNS traffic.
 */
#ifndef MAILREADY_DNS_CHANNEL_H
#define MAILREADY_DNS_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include <ares.h>
#include <event2/event.h>

#include "mailready/config.h"
#include "netpolicy.h"

struct dns_channel;

/**
 * A channel to one server (server != NULL) or to the system's resolvers
 * from /etc/resolv.conf (server == NULL), those outside the policy dropped.
 * @param timeout_ms  per try
 * @param tries       tries per server
 * @return the channel, or NULL with the reason in err.
 */
struct dns_channel *dns_channel_new(struct event_base *base,
                                    struct netpolicy *np,
                                    const struct mr_server *server,
                                    int timeout_ms, int tries, char *err,
                                    size_t errlen);

/**
 * Destroy: pending callbacks run with ARES_EDESTRUCTION. Never call this
 * from inside one of the channel's callbacks.
 */
void dns_channel_free(struct dns_channel *ch);

/** Send a wire-format query (id is set by c-ares). */
void dns_channel_send(struct dns_channel *ch, const unsigned char *q, int qlen,
                      ares_callback cb, void *arg);

/** ares_getaddrinfo with the system's lookup order (hosts file, DNS). */
void dns_channel_getaddrinfo(struct dns_channel *ch, const char *name,
                             ares_addrinfo_callback cb, void *arg);

/** Number of servers the channel may use (0: all were outside policy). */
size_t dns_channel_nservers(const struct dns_channel *ch);

/** Whether a query of ch went over TCP (after a truncated answer). */
bool dns_channel_tcp_tried(const struct dns_channel *ch);

/** The servers as text "127.0.0.10, 127.0.0.11" (owned by the channel). */
const char *dns_channel_servers_str(const struct dns_channel *ch);

/**
 * Why servers were dropped, in one short line ("10.0.0.53 is outside
 * allow_networks (127.0.0.0/8); not contacted"), or NULL if none was.
 */
const char *dns_channel_blocked_reason(const struct dns_channel *ch);

/** Number of servers dropped by the network policy. */
size_t dns_channel_nblocked(const struct dns_channel *ch);

/** Dropped server i as text ("10.0.0.53", "[::1]:5353"). */
const char *dns_channel_blocked_server(const struct dns_channel *ch, size_t i);

/** Why server i was dropped, without it: "outside allow_networks (...)". */
const char *dns_channel_blocked_why(const struct dns_channel *ch, size_t i);

/**
 * The servers a system channel would start from (/etc/resolv.conf, or
 * c-ares's default when it names none), before the network policy: read
 * with the same c-ares options as dns_channel_new(NULL, ...), without
 * opening a socket. For dry runs.
 * @param resolv_conf  another file to read instead (tests), or NULL
 * @return 0 with *out (caller frees) and *n, or -1 with the reason in err.
 */
int dns_channel_system_servers(const char *resolv_conf, struct mr_server **out,
                               size_t *n, char *err, size_t errlen);

#endif
