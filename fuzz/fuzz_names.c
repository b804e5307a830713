/*
 * fuzz_names.c -- addresses and names as config, command line and DNS
 * answers give them: mr_addr_parse (and back with mr_addr_str), CIDR
 * prefixes and lists, endpoints (ADDR:PORT, [V6]:PORT), resolver lists,
 * address classes, reverse names, name normalisation and comparison
 * (names.c), and the FQDN check (fqdn.c).
 *
 * Input: one string, given to each of them.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dns/reply.h"
#include "fqdn.h"
#include "fuzz.h"
#include "mailready/config.h"
#include "mailready/netaddr.h"
#include "names.h"
#include "netpolicy.h"

/* An address printed parses back to itself. */
static void
round_trip(const struct mr_addr *a)
{
	char buf[MR_ADDR_STRLEN];
	struct mr_addr b;

	assert(a->family == AF_INET || a->family == AF_INET6);
	assert(mr_addr_parse(mr_addr_str(a, buf), &b) == 0);
	assert(mr_addr_equal(a, &b));
	assert(addr_class_name(addr_classify(a)) != NULL);
	free(dns_reverse_name(a));
}

static void
addresses(const char *s)
{
	struct mr_addr a;
	struct mr_cidr c;
	struct mr_cidr_list l = {NULL, 0};
	struct mr_resolvers r;
	uint16_t port;
	char err[256], buf[512];

	if (mr_addr_parse(s, &a) == 0)
		round_trip(&a);
	if (mr_cidr_parse(s, &c, err, sizeof(err)) == 0) {
		round_trip(&c.addr);
		assert(c.prefix <= (c.addr.family == AF_INET ? 32u : 128u));
		assert(mr_cidr_contains(&c, &c.addr));
	}
	if (mr_cidr_list_parse(s, &l, err, sizeof(err)) == 0) {
		assert(l.n > 0);
		mr_cidr_list_str(&l, buf, sizeof(buf));
		assert(strlen(buf) < sizeof(buf));
		for (size_t i = 0; i < l.n; i++)
			assert(mr_cidr_list_contains(&l, &l.v[i].addr));
	}
	mr_cidr_list_free(&l);
	if (mr_endpoint_parse(s, 53, &a, &port) == 0) {
		round_trip(&a);
		assert(port != 0);
	}
	for (int it = 0; it < 2; it++) {
		if (mr_resolvers_parse(s, it, &r, err, sizeof(err)) != 0)
			continue;
		assert(r.kind != MR_RESOLVERS_LIST || r.n > 0);
		for (size_t i = 0; i < r.n; i++)
			round_trip(&r.v[i].addr);
		free(r.v);
	}
}

static void
names(const char *s)
{
	char why[256];
	size_t n = strlen(s);
	char *norm = name_normalize(s);

	assert(strlen(norm) <= n);
	assert(name_equal(s, s));
	/* One trailing dot is dropped, on either side. */
	if (!(n >= 2 && s[n - 1] == '.' && s[n - 2] == '.'))
		assert(name_equal(s, norm) && name_equal(norm, s));
	why[0] = '\0';
	if (!fqdn_valid(s, why, sizeof(why)))
		assert(why[0] != '\0');
	else
		assert(fqdn_valid(norm, why, sizeof(why)));
	free(norm);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	addresses(s);
	names(s);
	free(s);
	return 0;
}
