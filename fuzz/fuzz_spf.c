/*
 * fuzz_spf.c -- SPF records (src/records/spf.c): picking the record among
 * TXT strings, the parser, macro-string checks and macro expansion.
 *
 * Input: the whole input is one record, handed over with its length in a
 * buffer of exactly that many bytes (a NUL inside is a byte of it). The
 * input cut at NUL bytes is also the list of a name's TXT strings for
 * spf_pick(), and the whole input is checked, and if valid expanded, as a
 * macro-string of every kind. A record that parses has every domain-spec
 * expanded in a fixed context, once with an IPv4 and once with an IPv6
 * client.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "records/spf.h"

#define FUZZ_MAX_TXT 64

/* A message is one line of printable ASCII. */
static void
assert_message(const char *err)
{
	assert(err[0] != '\0');
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		assert(*p >= 0x20 && *p < 0x7f);
}

static void
check_pick(const uint8_t *data, size_t size)
{
	const char *txt[FUZZ_MAX_TXT];
	size_t len[FUZZ_MAX_TXT], n = 0, start = 0, which, count, want = 0;

	for (size_t i = 0; i <= size && n < FUZZ_MAX_TXT; i++) {
		if (i < size && data[i] != '\0')
			continue;
		txt[n] = (const char *)data + start;
		len[n] = i - start;
		if (spf_is_record(txt[n], len[n]))
			want++;
		n++;
		start = i + 1;
	}
	enum spf_pick p = spf_pick(txt, len, n, &which, &count);
	assert(count == want);
	assert(p == (want == 0   ? SPF_PICK_NONE
	             : want == 1 ? SPF_PICK_ONE
	                         : SPF_PICK_SEVERAL));
	if (want > 0)
		assert(which < n && spf_is_record(txt[which], len[which]));
}

/* checked: spec passed spf_macro_check() for w, as a parsed record's did. */
static void
expand(const char *spec, const struct spf_context *ctx, enum spf_where w,
       bool checked)
{
	char out[SPF_MAX_EXPLAIN + 1], err[256];
	bool name = w == SPF_IN_DOMAIN || w == SPF_IN_EXP;
	enum spf_error e;

	err[0] = '\0';
	e = spf_expand(spec, ctx, w, out, sizeof(out), err, sizeof(err));
	if (e != SPF_OK) {
		/* The context gives every value: only sizes can fail. */
		assert(e == SPF_E_EXPAND || e == SPF_E_BOUND ||
		       (e == SPF_E_DOMAIN && !checked));
		assert_message(err);
		assert(out[0] == '\0');
		return;
	}
	assert(strlen(out) <= (name ? SPF_MAX_NAME : SPF_MAX_EXPLAIN));
}

static bool
lookup_mech(enum spf_mech m)
{
	return m != SPF_ALL && m != SPF_IP4 && m != SPF_IP6;
}

static void
check_directive(const struct spf_record *r, size_t i, unsigned *prev)
{
	const struct spf_directive *d = &r->dir[i];
	char err[256];

	assert(d->term > *prev && d->term <= r->nterms);
	*prev = d->term;
	assert(strchr("+-~?", (int)d->qual) != NULL);
	spf_mech_name(d->mech);
	assert(d->cidr4 <= 32 && d->cidr6 <= 128);
	assert(d->unreachable == (r->all >= 0 && i > (size_t)r->all));
	if (d->mech == SPF_IP4 || d->mech == SPF_IP6) {
		unsigned max = d->mech == SPF_IP4 ? 32 : 128;
		assert(d->net.addr.family ==
		       (d->mech == SPF_IP4 ? AF_INET : AF_INET6));
		assert(d->net.prefix <= max);
		for (unsigned b = d->net.prefix; b < max; b++)
			assert(!(d->net.addr.bytes[b / 8] & (0x80 >> (b % 8))));
		assert(d->domain == NULL);
	}
	if (d->mech == SPF_INCLUDE || d->mech == SPF_EXISTS)
		assert(d->domain != NULL);
	if (d->mech == SPF_ALL)
		assert(d->domain == NULL);
	if (d->domain != NULL) {
		assert(strlen(d->domain) <= SPF_MAX_DOMAIN_SPEC);
		assert(spf_macro_check(d->domain, strlen(d->domain),
		                       SPF_IN_DOMAIN, err,
		                       sizeof(err)) == SPF_OK);
	}
}

/*
 * Whether d is a reachable pass directive for the family of ip (SPF_IP4
 * or SPF_IP6); none of them may be wider than the record's pass prefix.
 */
static bool
check_pass_prefix(const struct spf_record *r, const struct spf_directive *d,
                  enum spf_mech ip)
{
	bool v4 = ip == SPF_IP4;
	unsigned p;

	if (d->qual != SPF_Q_PASS || d->unreachable)
		return false;
	if (d->mech == SPF_A || d->mech == SPF_MX)
		p = v4 ? d->cidr4 : d->cidr6;
	else if (d->mech == ip)
		p = d->net.prefix;
	else
		return false;
	assert((int)p >= (v4 ? r->pass_prefix4 : r->pass_prefix6));
	return true;
}

static void
check_record(const struct spf_record *r, const struct spf_context *ctx)
{
	unsigned lookups = 0, reached = 0, unreach = 0, prev = 0;
	bool pass4 = false, pass6 = false;

	assert(r->ndir <= SPF_MAX_DIRECTIVES);
	assert(r->nunknown <= SPF_MAX_MODIFIERS);
	assert(r->nterms == r->ndir + r->nunknown + (r->redirect != NULL) +
	                            (r->exp != NULL));
	assert(r->all >= -1 && r->all < (int)r->ndir);
	for (size_t i = 0; i < r->ndir; i++) {
		check_directive(r, i, &prev);
		unreach += r->dir[i].unreachable;
		if (lookup_mech(r->dir[i].mech)) {
			lookups++;
			reached += !r->dir[i].unreachable;
		}
		if (r->dir[i].mech == SPF_ALL && r->all >= 0)
			assert(i >= (size_t)r->all);
		if (r->dir[i].domain != NULL)
			expand(r->dir[i].domain, ctx, SPF_IN_DOMAIN, true);
		pass4 |= check_pass_prefix(r, &r->dir[i], SPF_IP4);
		pass6 |= check_pass_prefix(r, &r->dir[i], SPF_IP6);
	}
	if (r->redirect != NULL) {
		lookups++;
		reached += r->all < 0;
		assert(r->redirect_ignored == (r->all >= 0));
		expand(r->redirect, ctx, SPF_IN_DOMAIN, true);
	}
	if (r->exp != NULL)
		expand(r->exp, ctx, SPF_IN_EXP, true);
	for (size_t i = 0; i < r->nunknown; i++)
		expand(r->unknown[i].value, ctx, SPF_IN_UNKNOWN, true);
	assert(r->lookups == lookups && r->lookups_reached == reached);
	assert(r->nunreachable == unreach);
	assert(pass4 == (r->pass_prefix4 >= 0) && r->pass_prefix4 <= 32);
	assert(pass6 == (r->pass_prefix6 >= 0) && r->pass_prefix6 <= 128);
	if (r->all >= 0) {
		assert(r->dir[r->all].mech == SPF_ALL);
		assert(r->pass_all == (r->dir[r->all].qual == SPF_Q_PASS));
	} else {
		assert(!r->pass_all && !r->neutral_all);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum spf_where wheres[] = {SPF_IN_DOMAIN, SPF_IN_EXP,
	                                        SPF_IN_EXPLAIN, SPF_IN_UNKNOWN};
	struct spf_context ctx = {
		.local = "strong-bad",
		.sender_domain = "email.example.com",
		.domain = "email.example.com",
		.helo = "mx.example.org",
		.ptr = "mail.example.com",
		.receiver = "checker.example.net",
		.now = FUZZ_NOW,
	};
	char *rec = fuzz_exact(data, size), *str, err[256];
	struct spf_record r;

	check_pick(data, size);
	err[0] = '\0';
	if (spf_parse(rec, size, &r, err, sizeof(err)) == SPF_OK) {
		mr_addr_parse("192.0.2.3", &ctx.ip);
		check_record(&r, &ctx);
		mr_addr_parse("2001:db8::cb01", &ctx.ip);
		check_record(&r, &ctx);
		spf_record_free(&r);
	} else {
		assert_message(err);
		assert(r.text == NULL && r.ndir == 0 && r.all == -1);
	}
	mr_addr_parse("192.0.2.3", &ctx.ip);
	str = fuzz_string(data, size);
	for (size_t i = 0; i < sizeof(wheres) / sizeof(*wheres); i++) {
		err[0] = '\0';
		bool ok = spf_macro_check(rec, size, wheres[i], err,
		                          sizeof(err)) == SPF_OK;
		if (!ok)
			assert_message(err);
		expand(str, &ctx, wheres[i], ok && strlen(str) == size);
	}
	free(str);
	free(rec);
	return 0;
}
