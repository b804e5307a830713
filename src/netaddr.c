/*
 * netaddr.c -- address, CIDR and endpoint parsing and comparison.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/netaddr.h"
#include "xmalloc.h"

static size_t
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int
mr_addr_parse(const char *s, struct mr_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *
mr_addr_str(const struct mr_addr *a, char *buf)
{
	if (inet_ntop(a->family, a->bytes, buf, MR_ADDR_STRLEN) == NULL)
		snprintf(buf, MR_ADDR_STRLEN, "(bad address)");
	return buf;
}

bool
mr_addr_equal(const struct mr_addr *a, const struct mr_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, addr_len(a->family)) == 0;
}

socklen_t
mr_addr_to_sockaddr(const struct mr_addr *a, uint16_t port,
                    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->bytes, 16);
	return sizeof(*sin6);
}

int
mr_addr_from_sockaddr(const struct sockaddr *sa, struct mr_addr *out,
                      uint16_t *port)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		out->family = AF_INET;
		memcpy(out->bytes, &sin->sin_addr, 4);
		if (port)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			out->family = AF_INET;
			memcpy(out->bytes, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->bytes, &s6->sin6_addr, 16);
		}
		if (port)
			*port = ntohs(s6->sin6_port);
		return 0;
	}
	return -1;
}

static bool
host_bits_clear(const struct mr_addr *a, unsigned prefix)
{
	size_t len = addr_len(a->family);
	for (size_t i = 0; i < len; i++) {
		unsigned bit = (unsigned)i * 8;
		uint8_t mask;
		if (bit + 8 <= prefix)
			continue;
		mask = bit >= prefix ? 0xff : (uint8_t)(0xff >> (prefix - bit));
		if (a->bytes[i] & mask)
			return false;
	}
	return true;
}

int
mr_cidr_parse(const char *s, struct mr_cidr *out, char *err, size_t errlen)
{
	char buf[MR_ADDR_STRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen == 0 || alen >= MR_ADDR_STRLEN) {
		snprintf(err, errlen, "'%s' is not an address or CIDR prefix",
		         s);
		return -1;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (mr_addr_parse(buf, &out->addr) < 0) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address",
		         buf);
		return -1;
	}
	unsigned max = (unsigned)addr_len(out->addr.family) * 8;
	out->prefix = max;
	if (slash) {
		char *end;
		errno = 0;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno ||
		    p > max) {
			snprintf(err, errlen,
			         "'%s' has a bad prefix length (0 to %u)", s,
			         max);
			return -1;
		}
		out->prefix = (unsigned)p;
	}
	if (!host_bits_clear(&out->addr, out->prefix)) {
		snprintf(err, errlen,
		         "'%s' has host bits set; write the network address",
		         s);
		return -1;
	}
	return 0;
}

bool
mr_cidr_contains(const struct mr_cidr *c, const struct mr_addr *a)
{
	if (c->addr.family != a->family)
		return false;
	unsigned full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

bool
mr_cidr_list_contains(const struct mr_cidr_list *l, const struct mr_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (mr_cidr_contains(&l->v[i], a))
			return true;
	return false;
}

const char *
mr_cidr_list_str(const struct mr_cidr_list *l, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n && off < len; i++) {
		char a[MR_ADDR_STRLEN];
		int w = snprintf(buf + off, len - off, "%s%s/%u", i ? ", " : "",
		                 mr_addr_str(&l->v[i].addr, a), l->v[i].prefix);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (l->n == 0)
		snprintf(buf, len, "(none)");
	return buf;
}

void
mr_cidr_list_add(struct mr_cidr_list *l, const struct mr_cidr *c)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = *c;
}

void
mr_cidr_list_free(struct mr_cidr_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	errno = 0;
	unsigned long p = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno || p == 0 ||
	    p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int
mr_endpoint_parse(const char *s, uint16_t default_port, struct mr_addr *a,
                  uint16_t *port)
{
	char buf[MR_ADDR_STRLEN + 8];
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	*port = default_port;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL)
			return -1;
		size_t alen = (size_t)(close - s - 1);
		memcpy(buf, s + 1, alen);
		buf[alen] = '\0';
		if (mr_addr_parse(buf, a) < 0 || a->family != AF_INET6)
			return -1;
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':')
			return -1;
		return parse_port(close + 2, port);
	}
	if (mr_addr_parse(s, a) == 0)
		return 0;
	const char *colon = strrchr(s, ':');
	if (colon == NULL || strchr(s, ':') != colon)
		return -1; /* bare IPv6 with a port needs brackets */
	size_t alen = (size_t)(colon - s);
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (mr_addr_parse(buf, a) < 0 || a->family != AF_INET)
		return -1;
	return parse_port(colon + 1, port);
}
