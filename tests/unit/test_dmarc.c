/*
 * test_dmarc.c -- unit tests of the DMARC record parser (src/records/
 * dmarc.c) and the pieces it shares (record.c, tagval.c): the examples of
 * RFC 7489 appendix B, records Google and Microsoft publish, every error
 * path, every bound, and hostile bytes. Error texts are pinned where the
 * wording is the contract.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records_check.h"
#include "records/dmarc.h"
#include "records/tagval.h"

#define ERRLEN 512

static void
parse_ok(const char *s, struct dmarc_record *r)
{
	char err[ERRLEN] = "";

	ck_assert_msg(dmarc_parse(s, strlen(s), r, err, sizeof(err)) == 0,
	              "'%s': %s", s, err);
	for (size_t i = 0; i < r->warn.n; i++)
		assert_clean(r->warn.msg[i]);
}

static void
parse_errn(const char *s, size_t len, const char *want)
{
	struct dmarc_record r;
	char err[ERRLEN] = "";

	ck_assert_msg(dmarc_parse(s, len, &r, err, sizeof(err)) == -1,
	              "'%s' accepted", s);
	assert_error(s, err, want);
	ck_assert_uint_eq(r.nrua + r.nruf, 0);
}

static void
parse_err(const char *s, const char *want)
{
	parse_errn(s, strlen(s), want);
}

/* ======================================================== RFC examples */

START_TEST(rfc_b21_minimal)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com", &r);
	ck_assert_int_eq(r.p, DMARC_POLICY_NONE);
	ck_assert_int_eq(r.sp, DMARC_POLICY_UNSET);
	ck_assert_int_eq(r.np, DMARC_POLICY_UNSET);
	ck_assert_uint_eq(r.pct, 100);
	ck_assert_uint_eq(r.ri, 86400);
	ck_assert_uint_eq(r.fo, DMARC_FO_0);
	ck_assert(r.rf_afrf);
	ck_assert_int_eq(r.adkim, DMARC_ALIGN_RELAXED);
	ck_assert_int_eq(r.aspf, DMARC_ALIGN_RELAXED);
	ck_assert_uint_eq(r.seen, DMARC_TAG_P | DMARC_TAG_RUA);
	ck_assert_uint_eq(r.nrua, 1);
	ck_assert_str_eq(r.rua[0].uri, "mailto:dmarc-feedback@example.com");
	ck_assert_str_eq(r.rua[0].host, "example.com");
	ck_assert_int_eq(r.rua[0].scheme, REC_SCHEME_MAILTO);
	ck_assert_uint_eq(r.rua[0].max_size, 0);
	ck_assert_uint_eq(r.warn.n, 0);
	dmarc_record_free(&r);
}
END_TEST

START_TEST(rfc_b22_third_party)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
	         "ruf=mailto:auth-reports@thirdparty.example.net",
	         &r);
	ck_assert_uint_eq(r.nruf, 1);
	ck_assert_str_eq(r.ruf[0].host, "thirdparty.example.net");
	dmarc_record_free(&r);
}
END_TEST

START_TEST(rfc_b23_size_and_pct)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1; p=quarantine; "
	         "rua=mailto:dmarc-feedback@example.com,"
	         "mailto:tld-test@thirdparty.example.net!10m; pct=25",
	         &r);
	ck_assert_int_eq(r.p, DMARC_POLICY_QUARANTINE);
	ck_assert_uint_eq(r.pct, 25);
	ck_assert_uint_eq(r.nrua, 2);
	ck_assert_str_eq(r.rua[1].uri,
	                 "mailto:tld-test@thirdparty.example.net");
	ck_assert_str_eq(r.rua[1].host, "thirdparty.example.net");
	ck_assert_uint_eq(r.rua[1].max_size, 10ull << 20);
	dmarc_record_free(&r);
}
END_TEST

START_TEST(real_world)
{
	struct dmarc_record r;

	/* google.com */
	parse_ok("v=DMARC1; p=reject; rua=mailto:mailauth-reports@google.com",
	         &r);
	ck_assert_int_eq(r.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&r);
	/* microsoft.com */
	parse_ok("v=DMARC1; p=reject; pct=100; "
	         "rua=mailto:itex-rua@microsoft.com; "
	         "ruf=mailto:itex-ruf@microsoft.com; fo=1",
	         &r);
	ck_assert_uint_eq(r.fo, DMARC_FO_1);
	ck_assert_uint_eq(r.nruf, 1);
	ck_assert_uint_eq(r.warn.n, 0);
	dmarc_record_free(&r);
	/* Everything, in other case and spacing, trailing ';' */
	parse_ok("v=DMARC1;P=Reject;sp = quarantine ; np=NONE;adkim=s;"
	         "aspf=S;fo=0:1 : d:s;rf=afrf;ri=3600;pct=0;"
	         "rua=mailto:a@Example.COM.!1k , mailto:b@x.example.net!2T;",
	         &r);
	ck_assert_int_eq(r.p, DMARC_POLICY_REJECT);
	ck_assert_int_eq(r.sp, DMARC_POLICY_QUARANTINE);
	ck_assert_int_eq(r.np, DMARC_POLICY_NONE);
	ck_assert_int_eq(r.adkim, DMARC_ALIGN_STRICT);
	ck_assert_int_eq(r.aspf, DMARC_ALIGN_STRICT);
	ck_assert_uint_eq(r.fo,
	                  DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S);
	ck_assert_uint_eq(r.ri, 3600);
	ck_assert_uint_eq(r.pct, 0);
	ck_assert_str_eq(r.rua[0].host, "example.com");
	ck_assert_uint_eq(r.rua[0].max_size, 1024);
	ck_assert_uint_eq(r.rua[1].max_size, 2ull << 40);
	/* fo without ruf is a warning */
	assert_warned(&r.warn, "tag 'fo' has no effect without ruf");
	dmarc_record_free(&r);
}
END_TEST

START_TEST(warnings)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1;; p=none; t=y; psd=n; rf=afrf:iodef; "
	         "rua=https://reports.example.com/dmarc",
	         &r);
	assert_warned(&r.warn, "unknown tag 't=y' ignored");
	assert_warned(&r.warn, "unknown tag 'psd=n' ignored");
	assert_warned(&r.warn, "unknown report format 'iodef'");
	assert_warned(&r.warn, "is not a mailto: URI");
	assert_warned(&r.warn, "1 empty tag (';;') ignored");
	ck_assert(r.rf_afrf);
	ck_assert_int_eq(r.rua[0].scheme, REC_SCHEME_HTTPS);
	ck_assert_str_eq(r.rua[0].host, "reports.example.com");
	dmarc_record_free(&r);
	/* Unknown schemes have no host. */
	parse_ok("v=DMARC1; p=none; rua=ftp:x", &r);
	ck_assert_ptr_null(r.rua[0].host);
	ck_assert_int_eq(r.rua[0].scheme, REC_SCHEME_OTHER);
	dmarc_record_free(&r);
	/* rf without afrf */
	parse_ok("v=DMARC1; p=none; rf=iodef", &r);
	ck_assert(!r.rf_afrf);
	dmarc_record_free(&r);
}
END_TEST

START_TEST(warnings_bounded)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1; p=none; a=1; b=1; c=1; d=1; e=1; f=1; g=1; "
	         "h=1; i=1; j=1; k=1; l=1; m=1; n=1; o=1; q=1; r=1; s=1",
	         &r);
	ck_assert_uint_eq(r.warn.n, REC_WARN_MAX);
	ck_assert_uint_eq(r.warn.dropped, 18 - REC_WARN_MAX);
	dmarc_record_free(&r);
}
END_TEST

/* ============================================================== errors */

START_TEST(version_errors)
{
	parse_err("", "does not start with 'v=DMARC1'");
	parse_err("p=none; v=DMARC1", "does not start with 'v=DMARC1'");
	parse_err("v=DMARC2; p=none", "tag 'v=DMARC2': expected exactly");
	parse_err("v=DMARC1 p=none", "is a ';' missing");
	parse_err("v=dmarc1; p=none", "expected exactly 'DMARC1'");
	parse_err("V=DMARC1; p=none", "does not start with");
	parse_err("v=DMARC1; p=none; v=DMARC1", "'v' must be given once");
}
END_TEST

START_TEST(tag_errors)
{
	parse_err("v=DMARC1; p=none; =x", "expected a tag name");
	parse_err("v=DMARC1; p", "tag 'p': expected '='");
	parse_err("v=DMARC1; p none", "expected '=' after the name");
	parse_err("v=DMARC1; p=none; p=reject", "tag 'p=reject': the tag is "
	                                        "given twice");
	parse_err("v=DMARC1; p=none; RUA=mailto:a@b.example; rua=mailto:x@y.z",
	          "given twice");
	parse_err("v=DMARC1; rua=mailto:a@example.com", "no 'p' tag");
	parse_err("v=DMARC1", "no 'p' tag");
}
END_TEST

START_TEST(value_errors)
{
	parse_err("v=DMARC1; p=block", "tag 'p=block': expected none, "
	                               "quarantine or reject");
	parse_err("v=DMARC1; p=", "tag 'p=': expected none");
	parse_err("v=DMARC1; p=none; sp=all", "tag 'sp=all'");
	parse_err("v=DMARC1; p=none; np=x", "tag 'np=x'");
	parse_err("v=DMARC1; p=none; pct=150", "tag 'pct=150': over 100");
	parse_err("v=DMARC1; p=none; pct=99999999999999999999", "over 100");
	parse_err("v=DMARC1; p=none; pct=-1", "expected a number 0 to 100");
	parse_err("v=DMARC1; p=none; pct=", "expected a number");
	parse_err("v=DMARC1; p=none; pct=5 0", "expected a number");
	parse_err("v=DMARC1; p=none; ri=4294967296", "over 4294967295");
	parse_err("v=DMARC1; p=none; ri=1h", "expected a number");
	parse_err("v=DMARC1; p=none; adkim=relaxed", "expected r (relaxed)");
	parse_err("v=DMARC1; p=none; aspf=", "tag 'aspf='");
	parse_err("v=DMARC1; p=none; fo=2", "expected options 0, 1, d or s");
	parse_err("v=DMARC1; p=none; fo=0::1", "expected options");
	parse_err("v=DMARC1; p=none; fo=01", "expected options");
	parse_err("v=DMARC1; p=none; rf=", "expected report formats");
	parse_err("v=DMARC1; p=none; rf=afrf:", "expected report formats");
	parse_err("v=DMARC1; p=none; rf=a-b", "expected report formats");
}
END_TEST

START_TEST(uri_errors)
{
	parse_err("v=DMARC1; p=none; rua=", "an empty URI");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example,,mailto:c@d.e",
	          "an empty URI");
	parse_err("v=DMARC1; p=none; rua=dmarc@example.com",
	          "tag 'rua': 'dmarc@example.com': not a URI");
	parse_err("v=DMARC1; p=none; rua=:x", "not a URI");
	parse_err("v=DMARC1; p=none; rua=1x:y", "not a URI");
	parse_err("v=DMARC1; p=none; rua=mailto:example.com",
	          "needs an address with '@'");
	parse_err("v=DMARC1; p=none; ruf=mailto:a@", "tag 'ruf'");
	parse_err("v=DMARC1; p=none; ruf=mailto:a@", "the host name is empty");
	parse_err("v=DMARC1; p=none; rua=mailto:a@ex_ample.com",
	          "byte '_' is not a letter");
	parse_err("v=DMARC1; p=none; rua=mailto:a@-x.example",
	          "host name '-x.example': label '-x' starts or ends with '-'");
	parse_err("v=DMARC1; p=none; rua=mailto:a@x-.example", "label 'x-'");
	parse_err("v=DMARC1; p=none; rua=mailto:a@x..example",
	          "an empty label");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!",
	          "size limit '!': expected");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!10x",
	          "size limit '!10x'");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!m", "size limit");
	/* Found by fuzz_dmarc: a '!' inside the URI is not a size limit. */
	parse_err("v=DMARC1; p=none; rua=mailto:a!b@c.example!10m",
	          "size limit '!b@c.example!10m': expected '!' then digits");
	parse_err("v=DMARC1; p=none; rua=mailto:a@c.example!1!0m",
	          "is written %21");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!10mm",
	          "size limit");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!99999999999999999t",
	          "over 2^64 bytes");
	parse_err("v=DMARC1; p=none; rua=mailto:a@b.example!"
	          "99999999999999999999999",
	          "over 2^64 bytes");
	parse_err("v=DMARC1; p=none; rua=https:x", "expected 'https://'");
	parse_err("v=DMARC1; p=none; rua=https://", "the host name is empty");
	parse_err("v=DMARC1; p=none; rua=mailto:a b@c.example",
	          "byte ' ' is not allowed in a URI");
}
END_TEST

START_TEST(https_hosts)
{
	struct dmarc_record r;

	parse_ok("v=DMARC1; p=none; "
	         "rua=https://user@Reports.Example.com:8443/x?y#z",
	         &r);
	ck_assert_str_eq(r.rua[0].host, "reports.example.com");
	dmarc_record_free(&r);
}
END_TEST

/* ============================================================== bounds */

START_TEST(bounds)
{
	char *s = malloc(DMARC_RECORD_MAX + 2);

	/* The longest record taken, then one byte more. */
	strcpy(s, "v=DMARC1; p=none; x=");
	size_t l = strlen(s);
	memset(s + l, 'a', DMARC_RECORD_MAX - l);
	s[DMARC_RECORD_MAX] = '\0';
	struct dmarc_record r;
	parse_ok(s, &r);
	dmarc_record_free(&r);
	s[DMARC_RECORD_MAX] = 'a';
	s[DMARC_RECORD_MAX + 1] = '\0';
	parse_err(s, "over DMARC_RECORD_MAX (2048)");
	free(s);

	/* DMARC_URI_MAX URIs, then one more. */
	char rec[1024] = "v=DMARC1; p=none; rua=";
	for (int i = 0; i < DMARC_URI_MAX; i++)
		sprintf(rec + strlen(rec), "%smailto:r%d@example.com",
		        i ? "," : "", i);
	parse_ok(rec, &r);
	ck_assert_uint_eq(r.nrua, DMARC_URI_MAX);
	dmarc_record_free(&r);
	strcat(rec, ",mailto:last@example.com");
	parse_err(rec, "more than 8 URIs (bound DMARC_URI_MAX)");
	/* ... and freed what it had taken (ASan's leak check). */
	strcpy(rec, "v=DMARC1; p=none; rua=mailto:a@b.example; ruf=mailto:x");
	parse_err(rec, "tag 'ruf'");

	/* TAGVAL_MAX_TAGS tags, then one more. */
	strcpy(rec, "v=DMARC1; p=none");
	for (int i = 2; i < TAGVAL_MAX_TAGS; i++)
		sprintf(rec + strlen(rec), "; x%d=1", i);
	parse_ok(rec, &r);
	dmarc_record_free(&r);
	strcat(rec, "; y=2");
	parse_err(rec, "more than 32 tags (bound TAGVAL_MAX_TAGS)");

	/* A host name of 253 bytes, then 254. */
	char host[300];
	for (int i = 0; i < 4; i++)
		memset(host + i * 64, 'a', 63), host[i * 64 + 63] = '.';
	host[253] = '\0';
	host[252] = 'b';
	snprintf(rec, sizeof(rec), "v=DMARC1; p=none; rua=mailto:x@%s", host);
	parse_ok(rec, &r);
	dmarc_record_free(&r);
	snprintf(rec, sizeof(rec), "v=DMARC1; p=none; rua=mailto:x@%sb", host);
	parse_err(rec, "over REC_HOST_MAX (253)");
	memset(host, 'a', 64);
	strcpy(host + 64, ".example");
	snprintf(rec, sizeof(rec), "v=DMARC1; p=none; rua=mailto:x@%s", host);
	parse_err(rec, "a label is 64 bytes long, over 63");
}
END_TEST

/* ====================================================== hostile bytes */

START_TEST(hostile_bytes)
{
	static const char nul[] = "v=DMARC1; p=none\0; p=reject";

	parse_errn(nul, sizeof(nul) - 1, "byte '\\x00' is not allowed");
	parse_err("v=DMARC1; p=none\r\n", "byte '\\x0d'");
	parse_err("v=DMARC1; p=\x1b[31mreject", "tag 'p=\\x1b[31mreject'");
	parse_err("v=DMARC1; p=r\xc3\xa9ject", "'\\xc3'");
	parse_err("v=DMARC1; p=none; rua=mailto:a@\xff.example", "'\\xff'");
	parse_err("v=DMARC1; p=none; ab\x7f=1", "expected '='");
	parse_err("v=DMARC1; p='quoted\\'", "'p=\\x27quoted\\x5c\\x27'");
	/* A long value is cut in the message. */
	parse_err("v=DMARC1; p=nonenonenonenonenonenonenonenonenonenonenone"
	          "nonenonenonenonenonenone",
	          "noneno'...: expected");
}
END_TEST

/* =========================================================== selection */

START_TEST(selection)
{
	struct rec_txt txt[4] = {
		{"v=spf1 -all", 11},
		{"v=DMARC10; p=none", 17},
		{"v=DMARC1; p=none", 16},
		{"google-site-verification=x", 26},
	};
	char err[ERRLEN] = "";
	size_t i = 99;

	ck_assert_int_eq(dmarc_select(txt, 4, &i, err, sizeof(err)), 1);
	ck_assert_uint_eq(i, 2);
	ck_assert_int_eq(dmarc_select(txt, 2, &i, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "no DMARC record: 'v=DMARC10; p=none' is not "
	                      "one, a record starts with 'v=DMARC1' exactly");
	ck_assert_int_eq(dmarc_select(txt, 1, &i, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "no DMARC record: none of 1 TXT records starts "
	                      "with 'v=DMARC1'");
	ck_assert_int_eq(dmarc_select(txt, 0, &i, err, sizeof(err)), 0);
	txt[0] = (struct rec_txt){"v=DMARC1", 8};
	ck_assert_int_eq(dmarc_select(txt, 3, &i, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "2 TXT records start with 'v=DMARC1': with "
	                      "more than one, receivers ignore them all");
	txt[0] = (struct rec_txt){"v=DMARC1\tp=none", 15};
	ck_assert_int_eq(dmarc_select(txt, 1, &i, err, sizeof(err)), 1);
	/* Near misses are named. */
	txt[0] = (struct rec_txt){" V = dmarc1;\x01p=none", 19};
	ck_assert_int_eq(dmarc_select(txt, 2, &i, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "no DMARC record: ' V = dmarc1;\\x01p=none' is "
	                      "not one, a record starts with 'v=DMARC1' "
	                      "exactly");
	txt[0] = (struct rec_txt){"v=DMARC", 7};
	ck_assert_int_eq(dmarc_select(txt, 1, &i, err, sizeof(err)), 0);
	ck_assert(strstr(err, "none of 1 TXT records") != NULL);
}
END_TEST

/* ============================================== external destinations */

static void
external(const char *domain, const char *uri, int want, const char *qn)
{
	char qname[512] = "", err[ERRLEN] = "";
	int got = dmarc_uri_external(domain, uri, qname, sizeof(qname), err,
	                             sizeof(err));

	ck_assert_msg(got == want, "%s, %s: got %d, want %d (%s)", domain, uri,
	              got, want, err);
	if (want == 1)
		ck_assert_str_eq(qname, qn);
	if (want == -1) {
		ck_assert(strstr(err, qn) != NULL);
		assert_clean(err);
	}
}

START_TEST(external_destinations)
{
	/* RFC 7489 7.1's example */
	external("example.com", "mailto:dmarc-feedback@thirdparty.example.net",
	         1, "example.com._report._dmarc.thirdparty.example.net");
	external("Example.COM.", "mailto:x@Example.NET.!10m", 1,
	         "example.com._report._dmarc.example.net");
	external("example.com", "https://r.vendor.example/dmarc", 1,
	         "example.com._report._dmarc.r.vendor.example");
	external("example.com", "mailto:d@example.com", 0, NULL);
	external("example.com", "mailto:d@EXAMPLE.com.", 0, NULL);
	external("example.com", "mailto:d@reports.example.com", 0, NULL);
	external("mail.example.com", "mailto:d@example.com", 0, NULL);
	/* Label boundaries: notexample.com is another domain. */
	external("example.com", "mailto:d@notexample.com", 1,
	         "example.com._report._dmarc.notexample.com");
	/* The documented simplification: siblings count as external. */
	external("a.example.com", "mailto:d@b.example.com", 1,
	         "a.example.com._report._dmarc.b.example.com");
	external("example.com", "ftp://x", -1, "no destination host");
	external("example.com", "nonsense", -1, "not a URI");
	external("exa mple.com", "mailto:a@b.example", -1, "policy domain");
	external("example.com", "mailto:\x1b@b", -1, "'\\x1b'");
	/* A name longer than the DNS allows */
	char dom[100], host[200], uri[256];
	memset(dom, 'd', 60);
	strcpy(dom + 60, ".example.com");
	memset(host, 'a', 60);
	memcpy(host + 60, ".", 1);
	memset(host + 61, 'b', 60);
	memcpy(host + 121, ".", 1);
	memset(host + 122, 'c', 60);
	strcpy(host + 182, ".example");
	snprintf(uri, sizeof(uri), "mailto:x@%s", host);
	external(dom, uri, -1, "is over 253 bytes");
}
END_TEST

START_TEST(policy_names)
{
	ck_assert_str_eq(dmarc_policy_name(DMARC_POLICY_NONE), "none");
	ck_assert_str_eq(dmarc_policy_name(DMARC_POLICY_QUARANTINE),
	                 "quarantine");
	ck_assert_str_eq(dmarc_policy_name(DMARC_POLICY_REJECT), "reject");
	ck_assert_str_eq(dmarc_policy_name(DMARC_POLICY_UNSET), "unset");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dmarc");
	TCase *tc = tcase_create("dmarc");

	tcase_add_test(tc, rfc_b21_minimal);
	tcase_add_test(tc, rfc_b22_third_party);
	tcase_add_test(tc, rfc_b23_size_and_pct);
	tcase_add_test(tc, real_world);
	tcase_add_test(tc, warnings);
	tcase_add_test(tc, warnings_bounded);
	tcase_add_test(tc, version_errors);
	tcase_add_test(tc, tag_errors);
	tcase_add_test(tc, value_errors);
	tcase_add_test(tc, uri_errors);
	tcase_add_test(tc, https_hosts);
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, hostile_bytes);
	tcase_add_test(tc, selection);
	tcase_add_test(tc, external_destinations);
	tcase_add_test(tc, policy_names);
	suite_add_tcase(s, tc);
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
