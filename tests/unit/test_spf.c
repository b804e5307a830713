/*
 * test_spf.c -- unit tests of the SPF record parser and macro expander
 * (src/records/spf.c): record selection (4.5), the records of RFC 7208
 * appendix A and of large senders, every error path of the section 12
 * ABNF, the bounds, hostile bytes, and the macro examples of 7.4.
 * Messages are pinned where the wording is the contract.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "records/spf.h"

#define ERRLEN 512

static struct spf_record
parse_ok(const char *s)
{
	struct spf_record r;
	char err[ERRLEN] = "";
	enum spf_error e = spf_parse(s, strlen(s), &r, err, sizeof(err));

	ck_assert_msg(e == SPF_OK, "'%s': %d %s", s, e, err);
	return r;
}

static void
parse_all_ok(const char *const *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct spf_record r = parse_ok(recs[i]);
		spf_record_free(&r);
	}
}

/* No byte of a message may be a control byte or 8-bit. */
static void
assert_clean(const char *err)
{
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f,
		              "raw byte 0x%02x in '%s'", *p, err);
}

static void
parse_fail_n(const char *s, size_t len, enum spf_error want, const char *msg)
{
	struct spf_record r;
	char err[ERRLEN] = "";
	enum spf_error e = spf_parse(s, len, &r, err, sizeof(err));

	ck_assert_msg(e == want, "'%s': got %d (%s), want %d", s, e, err, want);
	ck_assert_msg(strstr(err, msg) != NULL, "'%s': error '%s' lacks '%s'",
	              s, err, msg);
	ck_assert_ptr_null(r.text);
	ck_assert_uint_eq(r.ndir, 0);
	ck_assert_int_eq(r.all, -1);
	ck_assert_int_eq(r.pass_prefix4, -1);
	assert_clean(err);
}

static void
parse_fail(const char *s, enum spf_error want, const char *msg)
{
	parse_fail_n(s, strlen(s), want, msg);
}

/* A literal that holds a NUL: its length is the array's. */
#define PARSE_FAIL_LIT(lit, want, msg) \
	parse_fail_n((lit), sizeof(lit) - 1, (want), (msg))

/* ========================================================= selection */

START_TEST(pick_record)
{
	const char *txt[] = {"google-site-verification=abc", "v=spf1 -all",
	                     "v=spf10 a", "spf2.0/pra ~all", "V=SPF1 mx"};
	size_t len[5], which = 99, count = 99;

	for (size_t i = 0; i < 5; i++)
		len[i] = strlen(txt[i]);
	ck_assert(spf_pick(txt, len, 0, &which, &count) == SPF_PICK_NONE);
	ck_assert_uint_eq(count, 0);
	ck_assert(spf_pick(txt, len, 4, &which, &count) == SPF_PICK_ONE);
	ck_assert_uint_eq(which, 1);
	ck_assert_uint_eq(count, 1);
	/* "V=SPF1" counts: the version is case-insensitive. */
	ck_assert(spf_pick(txt, len, 5, &which, &count) == SPF_PICK_SEVERAL);
	ck_assert_uint_eq(which, 1);
	ck_assert_uint_eq(count, 2);
	ck_assert(spf_pick(txt + 2, len + 2, 2, &which, NULL) == SPF_PICK_NONE);

	ck_assert(spf_is_record("v=spf1", 6));
	ck_assert(spf_is_record("v=spf1 ", 7));
	ck_assert(!spf_is_record("v=spf1\t-all", 11));
	ck_assert(!spf_is_record("v=spf1-all", 10));
	ck_assert(!spf_is_record("v=spf", 5));
	ck_assert(!spf_is_record(" v=spf1", 7));
	ck_assert(!spf_is_record("", 0));
	/* The length is the record's, not a NUL's. */
	ck_assert(!spf_is_record("v=spf1\0 a", 9));
}
END_TEST

/* ======================================================= appendix A */

START_TEST(appendix_a)
{
	static const char *const recs[] = {
		"v=spf1 +all",
		"v=spf1 a -all",
		"v=spf1 a:example.org -all",
		"v=spf1 mx -all",
		"v=spf1 mx:example.org -all",
		"v=spf1 mx mx:example.org -all",
		"v=spf1 mx/30 mx:example.org/30 -all",
		"v=spf1 ptr -all",
		"v=spf1 ip4:192.0.2.128/28 -all",
		"v=spf1 include:example.com include:example.net -all",
		"v=spf1 redirect=example.org",
		"v=spf1 mx -all exp=explain._spf.%{d}",
		"v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
		"v=spf1 -ip4:192.0.2.0/24 +all",
		"v=spf1 -ptr +all",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
		"v=spf1 include:_spf.google.com ~all",
		"v=spf1 include:spf.protection.outlook.com -all",
		"v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 "
		"ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ~all",
		"v=spf1 redirect=_spf.facebook.com",
		"v=spf1 include:amazonses.com include:mailgun.org "
		"include:sendgrid.net ?all",
		"V=SPF1 MX -ALL",
		"v=spf1",
		"v=spf1 ",
		"v=spf1   a    -all   ",
	};

	parse_all_ok(recs, sizeof(recs) / sizeof(*recs));
}
END_TEST

START_TEST(directives)
{
	struct spf_record r = parse_ok(
		"v=spf1 a mx:example.org/30 ~a:mail.example.com/24//64 "
		"?mx//48 ip4:192.0.2.128/28 -ip6:2001:db8::/32 ip4:192.0.2.1 "
		"ip6:::ffff:192.0.2.1 exists:%{i}.bl.example.org "
		"ptr:example.org include:_spf.example.net -all");
	char a[MR_ADDR_STRLEN];

	ck_assert_uint_eq(r.ndir, 12);
	ck_assert_uint_eq(r.nterms, 12);
	ck_assert(r.dir[0].mech == SPF_A && r.dir[0].qual == SPF_Q_PASS);
	ck_assert_ptr_null(r.dir[0].domain);
	ck_assert_uint_eq(r.dir[0].cidr4, 32);
	ck_assert_uint_eq(r.dir[0].cidr6, 128);
	ck_assert(r.dir[1].mech == SPF_MX);
	ck_assert_str_eq(r.dir[1].domain, "example.org");
	ck_assert_uint_eq(r.dir[1].cidr4, 30);
	ck_assert_uint_eq(r.dir[1].cidr6, 128);
	ck_assert(r.dir[2].qual == SPF_Q_SOFTFAIL);
	ck_assert_str_eq(r.dir[2].domain, "mail.example.com");
	ck_assert_uint_eq(r.dir[2].cidr4, 24);
	ck_assert_uint_eq(r.dir[2].cidr6, 64);
	ck_assert(r.dir[3].qual == SPF_Q_NEUTRAL && r.dir[3].mech == SPF_MX);
	ck_assert_uint_eq(r.dir[3].cidr4, 32);
	ck_assert_uint_eq(r.dir[3].cidr6, 48);
	ck_assert(r.dir[4].mech == SPF_IP4);
	ck_assert_str_eq(mr_addr_str(&r.dir[4].net.addr, a), "192.0.2.128");
	ck_assert_uint_eq(r.dir[4].net.prefix, 28);
	ck_assert(!r.dir[4].host_bits);
	ck_assert(r.dir[5].qual == SPF_Q_FAIL && r.dir[5].mech == SPF_IP6);
	ck_assert_int_eq(r.dir[5].net.addr.family, AF_INET6);
	ck_assert_uint_eq(r.dir[5].net.prefix, 32);
	ck_assert_uint_eq(r.dir[6].net.prefix, 32);
	/* RFC 4291 2.2 form 3 is an IPv6 address. */
	ck_assert_int_eq(r.dir[7].net.addr.family, AF_INET6);
	ck_assert_uint_eq(r.dir[7].net.prefix, 128);
	ck_assert(r.dir[8].mech == SPF_EXISTS);
	ck_assert_str_eq(r.dir[8].domain, "%{i}.bl.example.org");
	ck_assert(r.dir[9].mech == SPF_PTR);
	ck_assert_str_eq(r.dir[9].domain, "example.org");
	ck_assert(r.dir[10].mech == SPF_INCLUDE);
	ck_assert_uint_eq(r.dir[10].term, 11);
	ck_assert(r.dir[11].mech == SPF_ALL && r.dir[11].qual == SPF_Q_FAIL);
	ck_assert_int_eq(r.all, 11);
	ck_assert_uint_eq(r.nunreachable, 0);
	/* a mx ~a ?mx exists ptr include */
	ck_assert_uint_eq(r.lookups, 7);
	ck_assert_uint_eq(r.lookups_reached, 7);
	ck_assert_uint_eq(r.nptr, 1);
	ck_assert(r.macros);
	ck_assert(!r.pass_all && !r.neutral_all);
	ck_assert_int_eq(r.pass_prefix4, 28); /* a: 32, mx: 30, ip4 /28 */
	ck_assert_int_eq(r.pass_prefix6, 128);
	spf_record_free(&r);
	spf_record_free(&r); /* twice is harmless */

	/* Names are case-insensitive; the domain-spec keeps its case. */
	r = parse_ok("v=spf1 INCLUDE:Example.COM Ip4:10.0.0.0/8 -ALL");
	ck_assert(r.dir[0].mech == SPF_INCLUDE);
	ck_assert_str_eq(r.dir[0].domain, "Example.COM");
	ck_assert(r.dir[1].mech == SPF_IP4 && r.dir[2].mech == SPF_ALL);
	spf_record_free(&r);

	/* Prefix 0 and the trailing dot of domain-end. */
	r = parse_ok("v=spf1 a:example.com./0//0 ip4:0.0.0.0/0 ip6:::/0");
	ck_assert_str_eq(r.dir[0].domain, "example.com.");
	ck_assert_uint_eq(r.dir[0].cidr4, 0);
	ck_assert_uint_eq(r.dir[0].cidr6, 0);
	ck_assert_uint_eq(r.dir[1].net.prefix, 0);
	ck_assert_uint_eq(r.dir[2].net.prefix, 0);
	ck_assert(!r.macros);
	spf_record_free(&r);

	for (size_t i = 0; i < 8; i++)
		ck_assert_str_ne(spf_mech_name((enum spf_mech)i), "");
	ck_assert_str_eq(spf_mech_name(SPF_EXISTS), "exists");
}
END_TEST

START_TEST(host_bits)
{
	struct spf_record r =
		parse_ok("v=spf1 ip4:192.0.2.77/24 ip6:2001:db8::1/64 -all");
	char a[MR_ADDR_STRLEN];

	/* Legal (5.6): the evaluator masks them; a reviewer is told. */
	ck_assert(r.dir[0].host_bits);
	ck_assert_str_eq(mr_addr_str(&r.dir[0].net.addr, a), "192.0.2.0");
	ck_assert(r.dir[1].host_bits);
	ck_assert_str_eq(mr_addr_str(&r.dir[1].net.addr, a), "2001:db8::");
	spf_record_free(&r);
}
END_TEST

START_TEST(modifiers)
{
	struct spf_record r =
		parse_ok("v=spf1 mx Redirect=_spf.example.com exp=explain.%{d} "
	                 "foo-bar=xyz v=spf1 default=+ x.y_z= a=%{c}%{r}");

	ck_assert_str_eq(r.redirect, "_spf.example.com");
	ck_assert_uint_eq(r.redirect_term, 2);
	ck_assert_str_eq(r.exp, "explain.%{d}");
	ck_assert_uint_eq(r.exp_term, 3);
	ck_assert_uint_eq(r.nunknown, 5);
	ck_assert_str_eq(r.unknown[0].name, "foo-bar");
	ck_assert_str_eq(r.unknown[0].value, "xyz");
	ck_assert_uint_eq(r.unknown[0].term, 4);
	ck_assert_str_eq(r.unknown[1].name, "v");
	ck_assert_str_eq(r.unknown[1].value, "spf1");
	ck_assert_str_eq(r.unknown[2].value, "+");
	ck_assert_str_eq(r.unknown[3].name, "x.y_z");
	ck_assert_str_eq(r.unknown[3].value, "");
	/* A mechanism's name followed by '=' is a modifier's name. */
	ck_assert_str_eq(r.unknown[4].name, "a");
	ck_assert_uint_eq(r.ndir, 1);
	ck_assert_uint_eq(r.lookups, 2);
	ck_assert_uint_eq(r.lookups_reached, 2);
	ck_assert(!r.redirect_ignored);
	ck_assert_int_eq(r.all, -1);
	spf_record_free(&r);

	/* exp= may use c, r and t. */
	r = parse_ok("v=spf1 -all exp=%{c}.%{r}.%{t}.example.com");
	ck_assert_str_eq(r.exp, "%{c}.%{r}.%{t}.example.com");
	spf_record_free(&r);
}
END_TEST

START_TEST(summary)
{
	/* Past "all" nothing is reached; redirect is ignored (6.1). */
	struct spf_record r = parse_ok("v=spf1 include:a.example ?all mx "
	                               "ptr redirect=b.example");
	ck_assert_int_eq(r.all, 1);
	ck_assert(r.neutral_all && !r.pass_all);
	ck_assert_uint_eq(r.nunreachable, 2);
	ck_assert(!r.dir[0].unreachable && !r.dir[1].unreachable);
	ck_assert(r.dir[2].unreachable && r.dir[3].unreachable);
	ck_assert(r.redirect_ignored);
	ck_assert_uint_eq(r.lookups, 4);
	ck_assert_uint_eq(r.lookups_reached, 1);
	ck_assert_uint_eq(r.nptr, 1);
	ck_assert(!r.macros);
	spf_record_free(&r);

	/* The first "all" decides: a later -all is never reached. */
	r = parse_ok("v=spf1 +all -all");
	ck_assert(r.pass_all);
	ck_assert_int_eq(r.all, 0);
	ck_assert_uint_eq(r.nunreachable, 1);
	spf_record_free(&r);

	r = parse_ok("v=spf1 all");
	ck_assert(r.pass_all);
	ck_assert_int_eq(r.pass_prefix4, -1);
	ck_assert_int_eq(r.pass_prefix6, -1);
	spf_record_free(&r);

	/* +all by another name, and what only fail or hidden terms allow. */
	r = parse_ok("v=spf1 -ip4:0.0.0.0/0 ip4:192.0.2.0/24 ~ip6:::/0 "
	             "mx//56 a/16 -all ip4:0.0.0.0/0 ip6:::/0");
	ck_assert_int_eq(r.pass_prefix4, 16);
	ck_assert_int_eq(r.pass_prefix6, 56);
	spf_record_free(&r);
	r = parse_ok("v=spf1 ip4:0.0.0.0/0 ip6:2001:db8::/32 -all");
	ck_assert_int_eq(r.pass_prefix4, 0);
	ck_assert_int_eq(r.pass_prefix6, 32);
	ck_assert(!r.pass_all);
	spf_record_free(&r);

	/* Eleven lookups parse: the limit is the evaluator's (4.6.4). */
	r = parse_ok("v=spf1 a mx a mx a mx a mx a mx include:x.example "
	             "ip4:10.0.0.1 -all");
	ck_assert_uint_eq(r.lookups, 11);
	ck_assert_uint_gt(r.lookups_reached, SPF_MAX_LOOKUPS);
	spf_record_free(&r);

	r = parse_ok("v=spf1 ip4:10.0.0.1 redirect=%{d}.example");
	ck_assert(r.macros);
	ck_assert_uint_eq(r.lookups_reached, 1);
	spf_record_free(&r);
}
END_TEST

/* =========================================================== errors */

START_TEST(errors_version)
{
	parse_fail("", SPF_E_VERSION, "does not start with 'v=spf1'");
	parse_fail("v=spf2 -all", SPF_E_VERSION, "'v=spf2 -all'");
	parse_fail("spf2.0/pra", SPF_E_VERSION, "v=spf1");
	parse_fail("v=spf1\t-all", SPF_E_VERSION, "'v=spf1\\x09-all'");
	parse_fail(" v=spf1 -all", SPF_E_VERSION, "v=spf1");
	parse_fail("v=spf1-all", SPF_E_VERSION, "v=spf1");
}
END_TEST

START_TEST(errors_terms)
{
	char err[ERRLEN];
	struct spf_record r;

	/* The brief's own example, word for word. */
	spf_parse("v=spf1 a mx ip4:10.0.0.1/40", 27, &r, err, sizeof(err));
	ck_assert_str_eq(err,
	                 "term 3 'ip4:10.0.0.1/40': IPv4 prefix 40 is over 32");

	parse_fail("v=spf1 incude:_spf.google.com ~all", SPF_E_SYNTAX,
	           "term 1 'incude:_spf.google.com': unknown mechanism "
	           "'incude'");
	parse_fail("v=spf1 -all:foo", SPF_E_SYNTAX, "'all' takes no argument");
	parse_fail("v=spf1 all/24", SPF_E_SYNTAX, "takes no argument");
	parse_fail("v=spf1 include", SPF_E_SYNTAX,
	           "'include' needs ':' and a domain-spec");
	parse_fail("v=spf1 exists/24", SPF_E_SYNTAX, "'exists' needs ':'");
	parse_fail("v=spf1 include:", SPF_E_DOMAIN,
	           "term 1 'include:': domain-spec: empty domain-spec");
	parse_fail("v=spf1 ptr/24", SPF_E_SYNTAX, "'ptr' takes only ':'");
}
END_TEST

START_TEST(errors_modifiers)
{
	parse_fail("v=spf1 +redirect=example.org", SPF_E_SYNTAX,
	           "a modifier takes no qualifier");
	parse_fail("v=spf1 redirect=a.example redirect=b.example",
	           SPF_E_DUPLICATE,
	           "term 2 'redirect=b.example': a second redirect= (the "
	           "first is term 1; 6)");
	parse_fail("v=spf1 exp=a.example -all EXP=b.example", SPF_E_DUPLICATE,
	           "term 3 'EXP=b.example': a second exp=");
	parse_fail("v=spf1 redirect=", SPF_E_DOMAIN, "empty domain-spec");
	parse_fail("v=spf1 exp=", SPF_E_DOMAIN, "empty domain-spec");
	parse_fail("v=spf1 redirect=localhost", SPF_E_DOMAIN,
	           "must end in '.' and a top label");
	parse_fail("v=spf1 =foo", SPF_E_SYNTAX, "a name starts with a letter");
	parse_fail("v=spf1 1x=foo", SPF_E_SYNTAX, "starts with a letter");
	parse_fail("v=spf1 foo=%", SPF_E_DOMAIN, "'%' at the end");
	parse_fail("v=spf1 redirect=%{c}.example.com", SPF_E_DOMAIN,
	           "macro letter 'c' at character 3 is allowed only in exp");
}
END_TEST

START_TEST(errors_networks)
{
	parse_fail("v=spf1 ip4", SPF_E_SYNTAX, "'ip4' needs ':' and an IPv4");
	parse_fail("v=spf1 ip6/64", SPF_E_SYNTAX, "'ip6' needs ':'");
	parse_fail("v=spf1 ip4:", SPF_E_NETWORK, "'' is not an IPv4 address");
	parse_fail("v=spf1 ip4:/24", SPF_E_NETWORK, "not an IPv4 address");
	parse_fail("v=spf1 ip4:1.2.3", SPF_E_NETWORK,
	           "'1.2.3' is not an IPv4 address");
	parse_fail("v=spf1 ip4:01.2.3.4", SPF_E_NETWORK, "not an IPv4");
	parse_fail("v=spf1 ip4:256.1.1.1", SPF_E_NETWORK, "not an IPv4");
	parse_fail("v=spf1 ip4:example.com", SPF_E_NETWORK, "not an IPv4");
	parse_fail("v=spf1 ip4:2001:db8::1", SPF_E_NETWORK,
	           "'ip4' takes an IPv4 address, '2001:db8::1' is IPv6");
	parse_fail("v=spf1 ip6:192.0.2.1", SPF_E_NETWORK,
	           "'ip6' takes an IPv6 address, '192.0.2.1' is IPv4");
	parse_fail("v=spf1 ip6:fe80::1%eth0", SPF_E_NETWORK, "not an IPv6");
	parse_fail("v=spf1 ip6:2001:db8::/129", SPF_E_NETWORK,
	           "IPv6 prefix 129 is over 128");
	parse_fail("v=spf1 ip4:1.2.3.4/", SPF_E_NETWORK,
	           "'/' with no IPv4 prefix length");
	parse_fail("v=spf1 ip4:1.2.3.4/024", SPF_E_NETWORK,
	           "IPv4 prefix '024' has a leading zero");
	parse_fail("v=spf1 ip4:1.2.3.4/2x", SPF_E_NETWORK, "not a number");
	parse_fail("v=spf1 ip4:1.2.3.4/24/8", SPF_E_NETWORK, "not a number");
	parse_fail("v=spf1 ip4:1.2.3.4/99999999999999999999", SPF_E_NETWORK,
	           "IPv4 prefix 9999999999 is over 32");
	parse_fail("v=spf1 a/33", SPF_E_NETWORK, "IPv4 prefix 33 is over 32");
	parse_fail("v=spf1 mx:example.com//129", SPF_E_NETWORK,
	           "IPv6 prefix 129 is over 128");
	parse_fail("v=spf1 a/24//200", SPF_E_NETWORK, "IPv6 prefix 200");
	parse_fail("v=spf1 a/01", SPF_E_NETWORK, "leading zero");
	parse_fail("v=spf1 a//24//64", SPF_E_SYNTAX,
	           "'a' is followed by neither ':' nor a CIDR length");
	parse_fail("v=spf1 mxexample.com", SPF_E_SYNTAX, "unknown mechanism");
	parse_fail("v=spf1 a:example.com/", SPF_E_DOMAIN, "top label");
}
END_TEST

START_TEST(errors_domains)
{
	parse_fail("v=spf1 a:example", SPF_E_DOMAIN,
	           "domain-spec: it must end in '.' and a top label, or in a "
	           "macro (7.1)");
	parse_fail("v=spf1 a:192.0.2.1", SPF_E_DOMAIN,
	           "top label '1' is not letters, digits and inner hyphens, "
	           "not all digits");
	parse_fail("v=spf1 include:example.-com", SPF_E_DOMAIN, "top label");
	parse_fail("v=spf1 include:example.com-", SPF_E_DOMAIN, "top label");
	parse_fail("v=spf1 include:example.c_m", SPF_E_DOMAIN, "top label");
	parse_fail("v=spf1 include:.", SPF_E_DOMAIN, "must end in '.'");
	parse_fail("v=spf1 include:%{d}.", SPF_E_DOMAIN, "must end in '.'");
	parse_fail("v=spf1 include:%{x}.example.com", SPF_E_DOMAIN,
	           "'%{' at character 1 has no macro letter");
	parse_fail("v=spf1 include:%{d0}.example.com", SPF_E_DOMAIN,
	           "keeps 0 parts");
	parse_fail("v=spf1 include:%{d00r}.example.com", SPF_E_DOMAIN,
	           "keeps 0 parts");
	parse_fail("v=spf1 include:%{d", SPF_E_DOMAIN, "has no closing '}'");
	parse_fail("v=spf1 include:%{d2r.", SPF_E_DOMAIN, "no closing");
	parse_fail("v=spf1 include:%{d*}.example.com", SPF_E_DOMAIN,
	           "macro at character 1: '*' where a digit, 'r', a "
	           "delimiter (.-+,/_=) or '}' belongs");
	parse_fail("v=spf1 include:%{dr2}.example.com", SPF_E_DOMAIN,
	           "'2' where a digit");
	parse_fail("v=spf1 include:%x.example.com", SPF_E_DOMAIN,
	           "'%' at character 1 is followed by 'x', not '{'");
	parse_fail("v=spf1 exists:%{t}.example.com", SPF_E_DOMAIN,
	           "macro letter 't'");
	parse_fail("v=spf1 exists:%{R}.example.com", SPF_E_DOMAIN,
	           "macro letter 'R'");
	parse_fail("v=spf1 include:%", SPF_E_DOMAIN, "'%' at the end");

	/* Forms that are right: domain-end may be a macro of any form. */
	static const char *const good[] = {
		"v=spf1 include:%{d}",
		"v=spf1 include:foo.%%",
		"v=spf1 include:foo%-%_",
		"v=spf1 include:%{D2R.-+,/_=}",
		"v=spf1 include:%{l1r+-}._spf.%{d}",
		"v=spf1 include:%{d999999999999}.example.com",
		"v=spf1 include:%{d01}.123-456",
		"v=spf1 include:_spf.x-1.example",
		"v=spf1 a:a/b.example.com/24",
	};
	parse_all_ok(good, sizeof(good) / sizeof(*good));
}
END_TEST

START_TEST(macro_check_where)
{
	char err[ERRLEN];
	const char *ex = "%{i} is not one of %{d}'s designated mail servers.";

	ck_assert(spf_macro_check(ex, strlen(ex), SPF_IN_EXPLAIN, err,
	                          sizeof(err)) == SPF_OK);
	ck_assert(spf_macro_check(ex, strlen(ex), SPF_IN_DOMAIN, err,
	                          sizeof(err)) == SPF_E_DOMAIN);
	ck_assert_str_eq(err, "a space at character 5 is not allowed in a "
	                      "macro-string");
	ck_assert(spf_macro_check("", 0, SPF_IN_EXPLAIN, err, sizeof(err)) ==
	          SPF_OK);
	ck_assert(spf_macro_check("", 0, SPF_IN_UNKNOWN, err, sizeof(err)) ==
	          SPF_OK);
	ck_assert(spf_macro_check("", 0, SPF_IN_EXP, err, sizeof(err)) ==
	          SPF_E_DOMAIN);
	ck_assert(spf_macro_check("%{c}.%{r}.%{t}", 14, SPF_IN_EXPLAIN, err,
	                          sizeof(err)) == SPF_OK);
	/* Explanation and unknown values need no domain-end. */
	ck_assert(spf_macro_check("nothing", 7, SPF_IN_EXPLAIN, err,
	                          sizeof(err)) == SPF_OK);
	ck_assert(spf_macro_check("a\tb", 3, SPF_IN_EXPLAIN, err,
	                          sizeof(err)) == SPF_E_DOMAIN);
	ck_assert_str_eq(err, "'\\x09' at character 2 is not allowed in a "
	                      "macro-string");
	/* A NUL inside the length is a byte like any other. */
	ck_assert(spf_macro_check("a\0.com", 6, SPF_IN_UNKNOWN, err,
	                          sizeof(err)) == SPF_E_DOMAIN);
	ck_assert(strstr(err, "'\\x00' at character 2") != NULL);
	/* errlen 0 writes nothing. */
	ck_assert(spf_macro_check("%", 1, SPF_IN_UNKNOWN, NULL, 0) ==
	          SPF_E_DOMAIN);
}
END_TEST

/* ============================================================ bounds */

static char *
record_of(const char *term, size_t n)
{
	size_t tl = strlen(term), len = 6 + n * (tl + 1);
	char *s = malloc(len + 1), *p = s;

	ck_assert_ptr_nonnull(s);
	memcpy(p, "v=spf1", 6);
	p += 6;
	for (size_t i = 0; i < n; i++) {
		*p++ = ' ';
		memcpy(p, term, tl);
		p += tl;
	}
	*p = '\0';
	return s;
}

START_TEST(bounds)
{
	struct spf_record r;
	char *s;

	s = record_of("ip4:10.0.0.1", SPF_MAX_DIRECTIVES);
	r = parse_ok(s);
	ck_assert_uint_eq(r.ndir, SPF_MAX_DIRECTIVES);
	spf_record_free(&r);
	free(s);
	s = record_of("ip4:10.0.0.1", SPF_MAX_DIRECTIVES + 1);
	parse_fail(s, SPF_E_BOUND,
	           "term 65 'ip4:10.0.0.1': more than SPF_MAX_DIRECTIVES (64) "
	           "mechanisms");
	free(s);

	s = record_of("x=y", SPF_MAX_MODIFIERS);
	r = parse_ok(s);
	ck_assert_uint_eq(r.nunknown, SPF_MAX_MODIFIERS);
	spf_record_free(&r);
	free(s);
	s = record_of("x=y", SPF_MAX_MODIFIERS + 1);
	parse_fail(s, SPF_E_BOUND, "more than SPF_MAX_MODIFIERS (16)");
	free(s);

	/* A record of exactly SPF_MAX_RECORD bytes, then one more. */
	s = malloc(SPF_MAX_RECORD + 2);
	ck_assert_ptr_nonnull(s);
	memcpy(s, "v=spf1", 6);
	memset(s + 6, ' ', SPF_MAX_RECORD - 6 + 1);
	s[SPF_MAX_RECORD + 1] = '\0';
	parse_fail(s, SPF_E_BOUND,
	           "record of 4097 bytes is over SPF_MAX_RECORD (4096)");
	s[SPF_MAX_RECORD] = '\0';
	r = parse_ok(s);
	ck_assert_uint_eq(r.nterms, 0);
	spf_record_free(&r);
	free(s);

	/* A domain-spec of 253 bytes, then 254. */
	char spec[300] = "v=spf1 include:";
	size_t off = strlen(spec);
	memset(spec + off, 'a', 249);
	memcpy(spec + off + 249, ".com", 5);
	r = parse_ok(spec);
	ck_assert_uint_eq(strlen(r.dir[0].domain), SPF_MAX_DOMAIN_SPEC);
	spf_record_free(&r);
	memmove(spec + off + 1, spec + off, strlen(spec + off) + 1);
	parse_fail(spec, SPF_E_BOUND,
	           "domain-spec of 254 bytes is over SPF_MAX_DOMAIN_SPEC "
	           "(253)");
}
END_TEST

/* ==================================================== hostile bytes */

START_TEST(hostile_bytes)
{
	static const char rec[] = "v=spf1 a:ex\x1b[31m.com -all";
	char err[ERRLEN];
	struct spf_record r;

	parse_fail(rec, SPF_E_DOMAIN, "term 1 'a:ex\\x1b[31m.com'");
	parse_fail("v=spf1 a:ex\xc3\xa9.com", SPF_E_DOMAIN,
	           "'a:ex\\xc3\\xa9.com'");
	/* A backslash is a macro-literal, but quoted it could forge \xNN. */
	parse_fail("v=spf1 a:x\\x41", SPF_E_DOMAIN, "'a:x\\x5cx41'");
	parse_fail("v=spf1 -all\r\n", SPF_E_SYNTAX, "'-all\\x0d\\x0a'");
	parse_fail("v=spf1 a\x7f", SPF_E_SYNTAX, "'a\\x7f'");
	PARSE_FAIL_LIT("v=spf1 a:foo\0.com -all", SPF_E_DOMAIN,
	               "'a:foo\\x00.com'");
	PARSE_FAIL_LIT("v=spf1 ip4:1.2.3.4\0/8", SPF_E_NETWORK,
	               "not an IPv4 address");
	PARSE_FAIL_LIT("v=spf1 \0", SPF_E_SYNTAX, "term 1 '\\x00'");
	PARSE_FAIL_LIT("v=spf1 redirect=a.com\0", SPF_E_DOMAIN, "\\x00");

	/* A long hostile term is cut in the message. */
	char big[400] = "v=spf1 exists:";
	memset(big + 14, '\x01', 300);
	big[314] = '\0';
	spf_parse(big, strlen(big), &r, err, sizeof(err));
	assert_clean(err);
	ck_assert(strstr(err, "'...") != NULL);

	/* Every byte, alone and in each place, never gives a raw byte. */
	static const char *const forms[][2] = {
		{"v=spf1 ", ""},
		{"v=spf1 a:", ".com"},
		{"v=spf1 ip4:", ""},
		{"v=spf1 x=", ""},
		{"v=spf1 a/", ""},
		{"v=spf1 +", ""},
		{"v=spf1 include:%{", "}.com"},
	};
	for (size_t f = 0; f < sizeof(forms) / sizeof(*forms); f++) {
		for (int c = 0; c < 256; c++) {
			char in[64];
			size_t a = strlen(forms[f][0]), b = strlen(forms[f][1]);
			memcpy(in, forms[f][0], a);
			in[a] = (char)c;
			memcpy(in + a + 1, forms[f][1], b);
			err[0] = '\0';
			if (spf_parse(in, a + 1 + b, &r, err, sizeof(err)) ==
			    SPF_OK)
				spf_record_free(&r);
			else
				ck_assert(err[0] != '\0');
			assert_clean(err);
		}
	}
}
END_TEST

/* ======================================================== expansion */

static struct spf_context
ctx4(void)
{
	struct spf_context c = {
		.local = "strong-bad",
		.sender_domain = "email.example.com",
		.domain = "email.example.com",
		.helo = "mx.example.org",
		.receiver = "checker.example.net",
		.now = 1798761600,
	};
	ck_assert_int_eq(mr_addr_parse("192.0.2.3", &c.ip), 0);
	return c;
}

static void
expand_is(const char *spec, const struct spf_context *c, enum spf_where w,
          const char *want)
{
	char out[SPF_MAX_EXPLAIN + 1], err[ERRLEN] = "";
	enum spf_error e =
		spf_expand(spec, c, w, out, sizeof(out), err, sizeof(err));

	ck_assert_msg(e == SPF_OK, "'%s': %d %s", spec, e, err);
	ck_assert_msg(strcmp(out, want) == 0, "'%s' gave '%s', want '%s'", spec,
	              out, want);
}

START_TEST(expand_rfc_7_4)
{
	struct spf_context c = ctx4();
	static const char *const ex[][2] = {
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d3}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	         "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	         "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net",
	         "example.com.trusted-domains.example.net"},
	};

	for (size_t i = 0; i < sizeof(ex) / sizeof(*ex); i++)
		expand_is(ex[i][0], &c, SPF_IN_DOMAIN, ex[i][1]);

	ck_assert_int_eq(mr_addr_parse("2001:db8::cb01", &c.ip), 0);
	expand_is("%{ir}.%{v}._spf.%{d2}", &c, SPF_IN_DOMAIN,
	          "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0."
	          "0.2.ip6._spf.example.com");
	expand_is("%{i}", &c, SPF_IN_DOMAIN,
	          "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b."
	          "0.1");
	expand_is("%{c}", &c, SPF_IN_EXPLAIN, "2001:db8::cb01");
}
END_TEST

START_TEST(expand_forms)
{
	struct spf_context c = ctx4();

	/* Upper case: URL-escaped (7.3); "%%", "%_", "%-". */
	expand_is("%{S}", &c, SPF_IN_EXPLAIN, "strong-bad%40email.example.com");
	c.local = "a+b/c~d_e";
	expand_is("%{L}.x.example", &c, SPF_IN_DOMAIN,
	          "a%2Bb%2Fc~d_e.x.example");
	expand_is("%{l+/}.x.example", &c, SPF_IN_DOMAIN, "a.b.c~d_e.x.example");
	expand_is("%{l2r+/_}.x.example", &c, SPF_IN_DOMAIN, "b.a.x.example");
	expand_is("100%% %_ %-", &c, SPF_IN_EXPLAIN, "100%   %20");
	/* No local-part: "postmaster" (4.3). */
	c.local = "";
	expand_is("%{l}.%{s}", &c, SPF_IN_EXPLAIN,
	          "postmaster.postmaster@email.example.com");
	c.local = NULL;
	expand_is("%{l}", &c, SPF_IN_UNKNOWN, "postmaster");
	expand_is("%{h}.%{v}.%{p}.%{r}.%{t}", &c, SPF_IN_EXP,
	          "mx.example.org.in-addr.unknown.checker.example.net."
	          "1798761600");
	c.receiver = NULL;
	c.ptr = "mail.example.com";
	expand_is("%{p}.%{r}", &c, SPF_IN_EXPLAIN, "mail.example.com.unknown");
	expand_is("%{c} is not one of %{d}'s designated mail servers.", &c,
	          SPF_IN_EXPLAIN,
	          "192.0.2.3 is not one of email.example.com's designated mail "
	          "servers.");
	/* Empty parts survive the split and the join. */
	c.domain = "a..b.";
	expand_is("%{dr}", &c, SPF_IN_DOMAIN, ".b..a");
	expand_is("%{d2}", &c, SPF_IN_DOMAIN, "b.");
	expand_is("%{d999}", &c, SPF_IN_DOMAIN, "a..b.");
}
END_TEST

START_TEST(expand_errors)
{
	struct spf_context c = ctx4();
	char out[SPF_MAX_EXPLAIN + 1], err[ERRLEN];

	c.helo = NULL;
	ck_assert(spf_expand("%{h}.example.com", &c, SPF_IN_DOMAIN, out,
	                     sizeof(out), err, sizeof(err)) == SPF_E_EXPAND);
	ck_assert_str_eq(err,
	                 "macro 'h' needs a value the context does not give");
	ck_assert_str_eq(out, "");
	c.sender_domain = NULL;
	ck_assert(spf_expand("%{s}", &c, SPF_IN_DOMAIN, out, sizeof(out), err,
	                     sizeof(err)) == SPF_E_EXPAND);
	ck_assert(spf_expand("%{o}", &c, SPF_IN_DOMAIN, out, sizeof(out), err,
	                     sizeof(err)) == SPF_E_EXPAND);
	memset(&c.ip, 0, sizeof(c.ip));
	ck_assert(spf_expand("%{v}", &c, SPF_IN_DOMAIN, out, sizeof(out), err,
	                     sizeof(err)) == SPF_E_EXPAND);
	ck_assert_str_eq(err, "macro 'v' needs the client address");
	/* Unchecked text is checked first. */
	ck_assert(spf_expand("%{c}.example.com", &c, SPF_IN_DOMAIN, out,
	                     sizeof(out), err, sizeof(err)) == SPF_E_DOMAIN);
	ck_assert(spf_expand("example", &c, SPF_IN_DOMAIN, out, sizeof(out),
	                     err, sizeof(err)) == SPF_E_DOMAIN);
	/* The output buffer bounds the result. */
	c = ctx4();
	ck_assert(spf_expand("%{d}", &c, SPF_IN_DOMAIN, out, 5, err,
	                     sizeof(err)) == SPF_E_BOUND);
	ck_assert_str_eq(err, "expansion of 17 bytes does not fit in 5");
}
END_TEST

START_TEST(expand_truncation)
{
	struct spf_context c = ctx4();
	char local[400], out[SPF_MAX_NAME + 1], err[ERRLEN];

	/* 100 labels "ab." make 300 bytes: left labels go until <= 253. */
	for (size_t i = 0; i < 100; i++)
		memcpy(local + 3 * i, "ab.", 3);
	local[299] = '\0';
	c.local = local;
	ck_assert(spf_expand("%{l}.example.com", &c, SPF_IN_DOMAIN, out,
	                     sizeof(out), err, sizeof(err)) == SPF_OK);
	ck_assert_uint_le(strlen(out), SPF_MAX_NAME);
	ck_assert_uint_gt(strlen(out), SPF_MAX_NAME - 3);
	ck_assert(strncmp(out, "ab.", 3) == 0);
	ck_assert(strcmp(out + strlen(out) - 12, ".example.com") == 0);

	/* Exactly 253 stays whole. */
	memset(local, 'x', 241);
	local[241] = '\0';
	ck_assert(spf_expand("%{l}.example.com", &c, SPF_IN_DOMAIN, out,
	                     sizeof(out), err, sizeof(err)) == SPF_OK);
	ck_assert_uint_eq(strlen(out), SPF_MAX_NAME);
	ck_assert(out[0] == 'x');

	/* One label too long has no place to cut. */
	memset(local, 'x', 300);
	local[300] = '\0';
	ck_assert(spf_expand("%{l}", &c, SPF_IN_DOMAIN, out, sizeof(out), err,
	                     sizeof(err)) == SPF_E_EXPAND);
	ck_assert_str_eq(err, "expanded name has a label of 300 bytes, over "
	                      "253");

	/* An explanation is not cut: past SPF_MAX_EXPLAIN it is an error. */
	char big[SPF_MAX_EXPLAIN * 2];
	memset(big, 'y', 700);
	big[700] = '\0';
	c.local = big;
	char eout[SPF_MAX_EXPLAIN + 1];
	ck_assert(spf_expand("%{l} %{l}", &c, SPF_IN_EXPLAIN, eout,
	                     sizeof(eout), err, sizeof(err)) == SPF_E_BOUND);
	ck_assert_str_eq(err, "explanation of 1401 bytes is over "
	                      "SPF_MAX_EXPLAIN (1024)");
}
END_TEST

/* Records of the RFC 7208 test suite (2014.05), sections 3 and 13. */
START_TEST(rfc7208_suite)
{
	struct spf_context c = ctx4();
	struct spf_record r;

	r = parse_ok("v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all");
	ck_assert_str_eq(r.unknown[0].name, "moo.cow-far_out");
	ck_assert_str_eq(r.unknown[0].value, "man:dog/cat");
	spf_record_free(&r);
	parse_fail("v=spf1 ip4:1.2.3.4 -all moo", SPF_E_SYNTAX,
	           "term 3 'moo': unknown mechanism 'moo'");
	parse_fail("v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all",
	           SPF_E_SYNTAX, "unknown mechanism 'moo.cow'");
	parse_fail("v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all",
	           SPF_E_SYNTAX, "unknown mechanism");
	parse_fail("v=spf1 ip4:1.2.3.4 redirect:t2.example.com", SPF_E_SYNTAX,
	           "unknown mechanism 'redirect'");
	parse_fail("v=spf1 a:foo-bar -all", SPF_E_DOMAIN, "must end in '.'");
	parse_fail("v=spf1 exists:foo%.sbl.example.com ?all", SPF_E_DOMAIN,
	           "followed by '.'");
	parse_fail("v=spf1 exists:foo%(ir).sbl.example.com ?all", SPF_E_DOMAIN,
	           "followed by '('");
	parse_fail("v=spf1 a:%{a}.example.com -all", SPF_E_DOMAIN,
	           "no macro letter");

	r = parse_ok("v=spf1 a:macro%%percent%_%_space%-url-space.example.com "
	             "-all");
	expand_is(r.dir[0].domain, &c, SPF_IN_DOMAIN,
	          "macro%percent  space%20url-space.example.com");
	spf_record_free(&r);

	c.local = "philip-gladstone-test";
	c.domain = "e11.example.com";
	ck_assert_int_eq(mr_addr_parse("1.2.3.4", &c.ip), 0);
	expand_is("%{i}.%{l2r-}.user.%{d2}", &c, SPF_IN_DOMAIN,
	          "1.2.3.4.gladstone.philip.user.example.com");

	/* 258 bytes: "foobar." goes, and the TXT name of the suite is left. */
	c.sender_domain = "somewhat.long.exp.example.com";
	expand_is("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
	          &c, SPF_IN_EXP,
	          "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	          "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	          "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	          "somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	          "example.com");

	ck_assert_int_eq(mr_addr_parse("192.168.218.40", &c.ip), 0);
	expand_is("%{c} is queried as %{ir}.%{v}.arpa", &c, SPF_IN_EXPLAIN,
	          "192.168.218.40 is queried as 40.218.168.192.in-addr.arpa");
	c.local = "joe";
	c.domain = "e8.example.com";
	expand_is("http://example.com/why.html?l=%{L}", &c, SPF_IN_EXPLAIN,
	          "http://example.com/why.html?l=joe");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("spf");
	TCase *parse = tcase_create("parse");
	TCase *expand = tcase_create("expand");

	tcase_add_test(parse, pick_record);
	tcase_add_test(parse, appendix_a);
	tcase_add_test(parse, directives);
	tcase_add_test(parse, host_bits);
	tcase_add_test(parse, modifiers);
	tcase_add_test(parse, summary);
	tcase_add_test(parse, errors_version);
	tcase_add_test(parse, errors_terms);
	tcase_add_test(parse, errors_modifiers);
	tcase_add_test(parse, errors_networks);
	tcase_add_test(parse, errors_domains);
	tcase_add_test(parse, macro_check_where);
	tcase_add_test(parse, bounds);
	tcase_add_test(parse, hostile_bytes);
	suite_add_tcase(s, parse);

	tcase_add_test(expand, expand_rfc_7_4);
	tcase_add_test(expand, expand_forms);
	tcase_add_test(expand, expand_errors);
	tcase_add_test(expand, expand_truncation);
	tcase_add_test(expand, rfc7208_suite);
	suite_add_tcase(s, expand);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
