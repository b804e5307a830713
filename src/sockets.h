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
	struct mr_addr a; /* addr, parsed */
	unsigned long inode;
};

/**
 * The sockets listening on TCP port, IPv4 and IPv6, into out (at most
 * max), IPv4 first, each family in address order; out may be NULL to
 * only count them.
 * @return how many there are (at most max when out is given).
 */
size_t sockets_listening(uint16_t port, struct listener *out, size_t max);

/*
 * A process holding one of the listening sockets asked about. A socket
 * has as many holders as processes with a descriptor of it: Postfix's
 * smtpd and postscreen share master's listeners, Dovecot's imap-login
 * dovecot's, a socket-activated service systemd's.
 */
struct sock_holder {
	pid_t pid;
	size_t listener; /* index of the socket in the list asked about */
	char comm[16];   /* /proc/PID/comm: 15 characters at most */
	char exe[256];   /* /proc/PID/exe; "" when it cannot be read */
	char unit[128];  /* systemd unit ("exim4.service"); "" if none */
};

/**
 * Every process holding one of the sockets l[0..n), one entry per
 * process and socket, found the way ss -p finds them (/proc/PID/fd).
 * Processes this user may not look into are not seen: a socket without
 * any holder is held by one of them.
 * @return the holders (caller frees; NULL when none), their count in *nout
 */
struct sock_holder *sockets_holders(const struct listener *l, size_t n,
                                    size_t *nout);

/**
 * The systemd unit of a process, from /proc/PID/cgroup: the innermost
 * .service of its cgroup path ("exim4.service"); false if none (a process
 * started by hand, in a login session, or without systemd).
 */
bool sockets_unit(pid_t pid, char *unit, size_t len);

/**
 * The same from the text of a cgroup file (its lines), for tests.
 */
bool sockets_unit_of(const char *cgroup, char *unit, size_t len);

#endif
