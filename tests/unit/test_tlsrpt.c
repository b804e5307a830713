/*
 * test_tlsrpt.c -- unit tests of the TLS-RPT record parser (src/records/
 * tlsrpt.c): the examples of RFC 8460 3.1, records Google and Microsoft
 * publish, every error path, every bound, and hostile bytes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records_check.h"
#include "records/tlsrpt.h"

#define ERRLEN 512

static void
parse_ok(const char *s, struct tlsrpt_record *r)
{
	char err[ERRLEN] = "";

	ck_assert_msg(tlsrpt_parse(s, strlen(s), r, err, sizeof(err)) == 0,
	              "'%s': %s", s, err);
	ck_assert_uint_ge(r->nrua, 1);
	for (size_t i = 0; i < r->warn.n; i++)
		assert_clean(r->warn.msg[i]);
}

static void
parse_errn(const char *s, size_t len, const char *want)
{
	struct tlsrpt_record r;
	char err[ERRLEN] = "";

	ck_assert_msg(tlsrpt_parse(s, len, &r, err, sizeof(err)) == -1,
	              "'%s' accepted", s);
	assert_error(s, err, want);
	ck_assert_uint_eq(r.nrua, 0);
}

static void
parse_err(const char *s, const char *want)
{
	parse_errn(s, strlen(s), want);
}

START_TEST(rfc_examples)
{
	struct tlsrpt_record r;

	parse_ok("v=TLSRPTv1; rua=mailto:reports@example.com", &r);
	ck_assert_uint_eq(r.nrua, 1);
	ck_assert_int_eq(r.rua[0].scheme, REC_SCHEME_MAILTO);
	ck_assert_str_eq(r.rua[0].uri, "mailto:reports@example.com");
	ck_assert_str_eq(r.rua[0].host, "example.com");
	ck_assert_uint_eq(r.warn.n, 0);
	tlsrpt_record_free(&r);
	parse_ok("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", &r);
	ck_assert_int_eq(r.rua[0].scheme, REC_SCHEME_HTTPS);
	ck_assert_str_eq(r.rua[0].host, "reporting.example.com");
	tlsrpt_record_free(&r);
}
END_TEST

START_TEST(real_world)
{
	struct tlsrpt_record r;

	/* google.com */
	parse_ok("v=TLSRPTv1;rua=mailto:sts-reports@google.com", &r);
	ck_assert_str_eq(r.rua[0].host, "google.com");
	tlsrpt_record_free(&r);
	/* Microsoft-style https endpoint, and a list of both */
	parse_ok("v=TLSRPTv1; rua=https://tlsrpt.azurewebsites.net/report", &r);
	tlsrpt_record_free(&r);
	parse_ok("v=TLSRPTv1; rua=mailto:tls@example.com , "
	         "https://r.example.net:8443/tls?x=1 ;",
	         &r);
	ck_assert_uint_eq(r.nrua, 2);
	ck_assert_str_eq(r.rua[1].host, "r.example.net");
	ck_assert_str_eq(r.rua[1].uri, "https://r.example.net:8443/tls?x=1");
	tlsrpt_record_free(&r);
}
END_TEST

START_TEST(warnings)
{
	struct tlsrpt_record r;

	parse_ok("v=TLSRPTv1;; rua = mailto:a@example.com; ext=1; -x=2", &r);
	assert_warned(&r.warn, "field 'rua = mailto:a@example.com': spaces "
	                       "around '='");
	assert_warned(&r.warn, "unknown field 'ext=1' ignored");
	assert_warned(&r.warn, "field '-x=2' ignored: not a valid field name");
	assert_warned(&r.warn, "1 empty field (';;') ignored");
	tlsrpt_record_free(&r);
}
END_TEST

START_TEST(errors)
{
	parse_err("", "does not start with 'v=TLSRPTv1', got nothing");
	parse_err("rua=mailto:a@example.com; v=TLSRPTv1", "got 'rua=");
	parse_err("v=TLSRPTv2; rua=mailto:a@example.com", "got 'v=TLSRPTv2'");
	parse_err("v=TLSRPTv1 rua=mailto:a@example.com", "is a ';' missing?");
	parse_err("v=tlsrptv1; rua=mailto:a@example.com", "does not start");
	parse_err("v=TLSRPTv1", "no 'rua' field: it is required");
	parse_err("v=TLSRPTv1; RUA=mailto:a@example.com", "no 'rua' field");
	parse_err("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@x.y",
	          "field 'rua=mailto:b@x.y': the rua field is given twice");
	parse_err("v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv1",
	          "'v' must be given once, first");
	parse_err("v=TLSRPTv1; rua=", "field 'rua=': an empty URI");
	parse_err("v=TLSRPTv1; rua=mailto:a@example.com,",
	          "an empty URI in the list");
	parse_err("v=TLSRPTv1; rua=ftp://example.com/x",
	          "field 'rua': 'ftp://example.com/x': expected a mailto: or "
	          "https: URI");
	parse_err("v=TLSRPTv1; rua=http://example.com/x", "expected a mailto:");
	parse_err("v=TLSRPTv1; rua=reports@example.com", "not a URI");
	parse_err("v=TLSRPTv1; rua=mailto:reports", "needs an address with "
	                                            "'@'");
	parse_err("v=TLSRPTv1; rua=https:/x.example", "expected 'https://'");
	parse_err("v=TLSRPTv1; rua=https://[2001:db8::1]/x", "byte '['");
	parse_err("v=TLSRPTv1; rua=mailto:a@exa_mple.com", "byte '_'");
	parse_err("v=TLSRPTv1; rua", "expected '='");
	/* '!' is no size limit here, so it lands in the host name */
	parse_err("v=TLSRPTv1; rua=mailto:tls@example.com!10m",
	          "host name 'example.com!10m': byte '!'");
}
END_TEST

START_TEST(bounds)
{
	char rec[TLSRPT_RECORD_MAX + 16] = "v=TLSRPTv1; rua=";
	struct tlsrpt_record r;

	for (int i = 0; i < TLSRPT_URI_MAX; i++)
		sprintf(rec + strlen(rec), "%smailto:r%d@example.com",
		        i ? "," : "", i);
	parse_ok(rec, &r);
	ck_assert_uint_eq(r.nrua, TLSRPT_URI_MAX);
	tlsrpt_record_free(&r);
	strcat(rec, ",https://x.example");
	parse_err(rec, "field 'rua': more than 8 URIs (bound TLSRPT_URI_MAX)");
	/* Freed what it took before the error (ASan's leak check). */
	parse_err("v=TLSRPTv1; rua=mailto:a@example.com,gopher:x",
	          "expected a mailto:");

	strcpy(rec, "v=TLSRPTv1; rua=mailto:a@example.com; x=");
	memset(rec + strlen(rec), 'a', TLSRPT_RECORD_MAX - strlen(rec));
	rec[TLSRPT_RECORD_MAX] = '\0';
	parse_ok(rec, &r);
	tlsrpt_record_free(&r);
	strcat(rec, "a");
	parse_err(rec, "the record is 2049 bytes long, over TLSRPT_RECORD_MAX "
	               "(2048)");
}
END_TEST

START_TEST(hostile_bytes)
{
	static const char nul[] = "v=TLSRPTv1; rua=mailto:a@example.com\0x";

	parse_errn(nul, sizeof(nul) - 1, "byte '\\x00'");
	parse_err("v=TLSRPTv1; rua=mailto:a@example.com\r\n", "'\\x0d'");
	parse_err("v=TLSRPTv1; rua=mailto:\x1b[2J@example.com", "'\\x1b'");
	parse_err("v=TLSRPTv1; rua=mailto:a@ex\xc3\xa4mple.com", "'\\xc3'");
	parse_err("v=TLSRPTv1; rua=mailto:a b@example.com",
	          "byte ' ' is not allowed in a URI");
	parse_err("v=TLSRPT\x01v1; rua=x",
	          "tag 'v=TLSRPT\\x01v1': byte '\\x01'");
}
END_TEST

START_TEST(selection)
{
	struct rec_txt txt[3] = {
		{"v=TLSRPTv1; rua=mailto:a@example.com", 36},
		{"v=spf1 -all", 11},
		{"v=TLSRPTv1;rua=mailto:b@example.com", 35},
	};
	char err[ERRLEN];
	size_t i = 9;

	ck_assert_int_eq(tlsrpt_select(txt, 2, &i, err, sizeof(err)), 1);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(tlsrpt_select(txt, 3, &i, err, sizeof(err)), -1);
	ck_assert(strstr(err, "2 TXT records start with 'v=TLSRPTv1'") != NULL);
	ck_assert_int_eq(tlsrpt_select(txt + 1, 1, &i, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "no TLS-RPT record: none of 1 TXT records starts "
	                      "with 'v=TLSRPTv1'");
	txt[0] = (struct rec_txt){"v = TLSRPTv1; rua=x", 19};
	ck_assert_int_eq(tlsrpt_select(txt, 2, &i, err, sizeof(err)), 0);
	ck_assert(strstr(err, "'v = TLSRPTv1; rua=x' is not one") != NULL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tlsrpt");
	TCase *tc = tcase_create("tlsrpt");

	tcase_add_test(tc, rfc_examples);
	tcase_add_test(tc, real_world);
	tcase_add_test(tc, warnings);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, hostile_bytes);
	tcase_add_test(tc, selection);
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
