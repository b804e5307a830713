/*
 * bindaddr.c -- LD_PRELOAD shim for the lab: make a server that can only
 * bind to the IPv4 wildcard (ldns-testns has no address option) listen on
 * one loopback address instead. Built and used by tests/lab/lab.sh; not
 * part of mailready.
 *
 *   LAB_BIND_ADDR=127.0.0.12 LD_PRELOAD=.../bindaddr.so ldns-testns -p 53 F
 *
 * Every bind() of an IPv4 socket to 0.0.0.0 is rewritten to LAB_BIND_ADDR;
 * a bind() to LAB_BIND_ADDR itself is passed through; every other IPv4 or
 * IPv6 bind() fails with EADDRNOTAVAIL, and so does every IPv4/IPv6 bind()
 * when LAB_BIND_ADDR is missing or not an address in 127.0.0.0/8. Fail
 * closed: the program can never listen on the wildcard or a non-loopback
 * address while this shim is loaded (lab.sh also checks the listeners).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

static struct in_addr lab_addr;
static int lab_addr_ok;

__attribute__((constructor)) static void
bindaddr_init(void)
{
	const char *s = getenv("LAB_BIND_ADDR");

	if (s != NULL && inet_pton(AF_INET, s, &lab_addr) == 1 &&
	    (ntohl(lab_addr.s_addr) >> 24) == 127)
		lab_addr_ok = 1;
	if (lab_addr_ok)
		fprintf(stderr, "bindaddr: IPv4 binds go to %s only\n", s);
	else
		fprintf(stderr, "bindaddr: LAB_BIND_ADDR is missing or not in "
		                "127.0.0.0/8: every bind() will fail\n");
}

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static bind_fn real_bind;
	struct sockaddr_in sin;

	if (real_bind == NULL)
		real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
	if (real_bind == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (sa == NULL || len < sizeof(sa_family_t))
		return real_bind(fd, sa, len);
	if (sa->sa_family == AF_INET6) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	if (sa->sa_family != AF_INET)
		return real_bind(fd, sa, len); /* AF_UNIX, AF_NETLINK... */
	if (!lab_addr_ok || len < sizeof(sin)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	memcpy(&sin, sa, sizeof(sin));
	if (sin.sin_addr.s_addr == htonl(INADDR_ANY))
		sin.sin_addr = lab_addr;
	if (sin.sin_addr.s_addr != lab_addr.s_addr) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return real_bind(fd, (const struct sockaddr *)&sin, sizeof(sin));
}
