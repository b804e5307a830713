/*
 * netpolicy.c -- allow_networks, public_networks and address classes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netpolicy.h"

struct class_range {
	const char *cidr;
	enum addr_class cls;
};

/* Most specific first: the first match wins. */
static const struct class_range special[] = {
	{"0.0.0.0/8", ADDR_UNSPECIFIED},
	{"10.0.0.0/8", ADDR_PRIVATE},
	{"100.64.0.0/10", ADDR_SHARED},
	{"127.0.0.0/8", ADDR_LOOPBACK},
	{"169.254.0.0/16", ADDR_LINK_LOCAL},
	{"172.16.0.0/12", ADDR_PRIVATE},
	{"192.0.0.0/24", ADDR_RESERVED},
	{"192.0.2.0/24", ADDR_DOCUMENTATION},
	{"192.88.99.0/24", ADDR_RESERVED},
	{"192.168.0.0/16", ADDR_PRIVATE},
	{"198.18.0.0/15", ADDR_BENCHMARK},
	{"198.51.100.0/24", ADDR_DOCUMENTATION},
	{"203.0.113.0/24", ADDR_DOCUMENTATION},
	{"224.0.0.0/4", ADDR_MULTICAST},
	{"240.0.0.0/4", ADDR_RESERVED},
	{"::/128", ADDR_UNSPECIFIED},
	{"::1/128", ADDR_LOOPBACK},
	{"::ffff:0:0/96", ADDR_RESERVED},
	{"64:ff9b:1::/48", ADDR_RESERVED},
	{"100::/64", ADDR_RESERVED},
	{"2001::/23", ADDR_RESERVED},
	{"2001:db8::/32", ADDR_DOCUMENTATION},
	{"2002::/16", ADDR_RESERVED},
	{"3fff::/20", ADDR_DOCUMENTATION},
	{"fc00::/7", ADDR_PRIVATE},
	{"fe80::/10", ADDR_LINK_LOCAL},
	{"ff00::/8", ADDR_MULTICAST},
};

const char *
addr_class_name(enum addr_class c)
{
	switch (c) {
	case ADDR_GLOBAL:
		return "public";
	case ADDR_LOOPBACK:
		return "loopback";
	case ADDR_PRIVATE:
		return "private";
	case ADDR_SHARED:
		return "carrier-grade NAT (RFC 6598)";
	case ADDR_LINK_LOCAL:
		return "link-local";
	case ADDR_DOCUMENTATION:
		return "documentation-only";
	case ADDR_BENCHMARK:
		return "benchmarking (RFC 2544)";
	case ADDR_MULTICAST:
		return "multicast";
	case ADDR_UNSPECIFIED:
		return "unspecified";
	case ADDR_RESERVED:
		return "reserved";
	}
	return "unknown";
}

enum addr_class
addr_classify(const struct mr_addr *a)
{
	static struct mr_cidr parsed[sizeof(special) / sizeof(special[0])];
	static bool ready;
	char err[64];

	if (!ready) {
		for (size_t i = 0; i < sizeof(special) / sizeof(special[0]);
		     i++)
			if (mr_cidr_parse(special[i].cidr, &parsed[i], err,
			                  sizeof(err)) < 0)
				return ADDR_RESERVED;
		ready = true;
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (mr_cidr_contains(&parsed[i], a))
			return special[i].cls;
	/* Only 2000::/3 is allocated as global unicast. */
	if (a->family == AF_INET6 && (a->bytes[0] & 0xe0) != 0x20)
		return ADDR_RESERVED;
	return ADDR_GLOBAL;
}

static void
copy_list(struct mr_cidr_list *dst, const struct mr_cidr_list *src)
{
	for (size_t i = 0; i < src->n; i++)
		mr_cidr_list_add(dst, &src->v[i]);
}

int
netpolicy_init(struct netpolicy *np, const struct mr_config *cfg,
               const char *env_value, char *err, size_t errlen)
{
	char why[160];

	memset(np, 0, sizeof(*np));
	copy_list(&np->allow, &cfg->allow_networks);
	copy_list(&np->public_nets, &cfg->public_networks);
	np->public_default = cfg->public_default;
	if (env_value != NULL) {
		np->has_env = true;
		if (mr_cidr_list_parse(env_value, &np->env_allow, why,
		                       sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", NETPOLICY_ENV, why);
			netpolicy_free(np);
			return -1;
		}
	}
	return 0;
}

void
netpolicy_free(struct netpolicy *np)
{
	mr_cidr_list_free(&np->allow);
	mr_cidr_list_free(&np->env_allow);
	mr_cidr_list_free(&np->public_nets);
}

bool
netpolicy_allows(const struct netpolicy *np, const struct mr_addr *a)
{
	if (!mr_cidr_list_contains(&np->allow, a))
		return false;
	return !np->has_env || mr_cidr_list_contains(&np->env_allow, a);
}

int
netpolicy_connect(struct netpolicy *np, int fd, const struct sockaddr *sa,
                  socklen_t len)
{
	struct mr_addr a;

	if (mr_addr_from_sockaddr(sa, &a, NULL) < 0 ||
	    !netpolicy_allows(np, &a)) {
		np->blocked++;
		errno = EACCES;
		return -1;
	}
	return connect(fd, sa, len);
}

const char *
netpolicy_explain(const struct netpolicy *np, const struct mr_addr *a,
                  char *buf, size_t len)
{
	char as[MR_ADDR_STRLEN], nets[256];

	if (!mr_cidr_list_contains(&np->allow, a))
		snprintf(buf, len,
		         "%s is outside allow_networks (%s); not contacted",
		         mr_addr_str(a, as),
		         mr_cidr_list_str(&np->allow, nets, sizeof(nets)));
	else
		snprintf(buf, len, "%s is outside %s (%s); not contacted",
		         mr_addr_str(a, as), NETPOLICY_ENV,
		         mr_cidr_list_str(&np->env_allow, nets, sizeof(nets)));
	return buf;
}

bool
netpolicy_is_public(const struct netpolicy *np, const struct mr_addr *a)
{
	if (!np->public_default)
		return mr_cidr_list_contains(&np->public_nets, a);
	return addr_classify(a) == ADDR_GLOBAL;
}
