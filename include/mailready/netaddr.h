/*
 * netaddr.h -- IPv4/IPv6 addresses, CIDR prefixes and endpoint parsing.
 *
 * One representation for every address the program handles, so that
 * comparisons, classification and policy checks are done in one way.
 */
#ifndef MAILREADY_NETADDR_H
#define MAILREADY_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct mr_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* network order; 4 used for AF_INET */
};

struct mr_cidr {
	struct mr_addr addr; /* host bits cleared */
	unsigned prefix;
};

struct mr_cidr_list {
	struct mr_cidr *v;
	size_t n;
};

/* Textual form of an address: enough for INET6_ADDRSTRLEN. */
#define MR_ADDR_STRLEN 46

/** Parse "203.0.113.10" or "2001:db8::10". @return 0, or -1 if invalid. */
int mr_addr_parse(const char *s, struct mr_addr *out);

/** Format into buf (MR_ADDR_STRLEN bytes); returns buf. */
const char *mr_addr_str(const struct mr_addr *a, char *buf);

bool mr_addr_equal(const struct mr_addr *a, const struct mr_addr *b);

/** Fill a sockaddr_storage with address and port; returns its length. */
socklen_t mr_addr_to_sockaddr(const struct mr_addr *a, uint16_t port,
                              struct sockaddr_storage *ss);

/**
 * Read the address out of a sockaddr (v4-mapped IPv6 becomes IPv4).
 * @return 0, or -1 for a family other than AF_INET/AF_INET6.
 */
int mr_addr_from_sockaddr(const struct sockaddr *sa, struct mr_addr *out,
                          uint16_t *port);

/**
 * Parse "10.0.0.0/8", "2001:db8::/32" or a bare address (full-length
 * prefix). Host bits must be zero: "10.0.0.1/8" is rejected, since it is
 * usually a typo for a host.
 * @return 0, or -1 with a reason in err (size errlen).
 */
int mr_cidr_parse(const char *s, struct mr_cidr *out, char *err, size_t errlen);

bool mr_cidr_contains(const struct mr_cidr *c, const struct mr_addr *a);

/** True if any prefix of the list contains a. */
bool mr_cidr_list_contains(const struct mr_cidr_list *l,
                           const struct mr_addr *a);

/** Format "a.b.c.d/n, ..." into buf; returns buf. */
const char *mr_cidr_list_str(const struct mr_cidr_list *l, char *buf,
                             size_t len);

void mr_cidr_list_add(struct mr_cidr_list *l, const struct mr_cidr *c);
void mr_cidr_list_free(struct mr_cidr_list *l);

/**
 * Parse "ADDR", "ADDR:PORT", "[V6]:PORT" into address and port (default_port
 * when none is given). Host names are not accepted here.
 * @return 0, or -1 if invalid.
 */
int mr_endpoint_parse(const char *s, uint16_t default_port, struct mr_addr *a,
                      uint16_t *port);

#endif
