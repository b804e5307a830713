/*
 * sockets.h -- this host's listening TCP sockets and their holders (the
 * on-node checks: host.port.*, and whether a service runs yet).
 */
#ifndef MAILREADY_SOCKETS_H
#define MAILREADY_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mailready/netaddr.h"

struct listener {
	char addr[MR_ADDR_STRLEN + 2];
	unsigned long inode;
};

/**
 * The sockets listening on TCP port, IPv4 and IPv6, into out (at most
 * max); out may be NULL to only count them.
 * @return how many there are (at most max when out is given).
 */
size_t sockets_listening(uint16_t port, struct listener *out, size_t max);

/** The process holding a socket inode: its pid and comm; 0 if unseen. */
pid_t sockets_owner(unsigned long inode, char *comm, size_t len);

/** The systemd unit of a process ("exim4.service"); false if none. */
bool sockets_unit(pid_t pid, char *unit, size_t len);

#endif
