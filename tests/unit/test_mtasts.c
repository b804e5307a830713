/*
 * test_mtasts.c -- unit tests of MTA-STS parsing and matching (src/
 * records/mtasts.c): the TXT record and policy examples of RFC 8461,
 * Google's and Microsoft's policies, every error path, every bound,
 * hostile bytes, and the mx pattern rules of RFC 8461 4.1.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records_check.h"
#include "records/mtasts.h"

#define ERRLEN 512

/* ========================================================== TXT record */

static void
rec_ok(const char *s, const char *id, struct mtasts_record *r)
{
	char err[ERRLEN] = "";

	ck_assert_msg(mtasts_record_parse(s, strlen(s), r, err, sizeof(err)) ==
	                      0,
	              "'%s': %s", s, err);
	ck_assert_str_eq(r->id, id);
	for (size_t i = 0; i < r->warn.n; i++)
		assert_clean(r->warn.msg[i]);
}

static void
rec_errn(const char *s, size_t len, const char *want)
{
	struct mtasts_record r;
	char err[ERRLEN] = "";

	ck_assert_msg(mtasts_record_parse(s, len, &r, err, sizeof(err)) == -1,
	              "'%s' accepted", s);
	assert_error(s, err, want);
	ck_assert_str_eq(r.id, "");
}

static void
rec_err(const char *s, const char *want)
{
	rec_errn(s, strlen(s), want);
}

START_TEST(record_rfc_and_real)
{
	struct mtasts_record r;

	/* RFC 8461 3.1 */
	rec_ok("v=STSv1; id=20160831085700Z;", "20160831085700Z", &r);
	ck_assert_uint_eq(r.warn.n, 0);
	/* google.com */
	rec_ok("v=STSv1; id=20190429T010101;", "20190429T010101", &r);
	rec_ok("v=STSv1;id=1", "1", &r);
	rec_ok("v=STSv1; id=abcdefghijklmnopqrstuvwxyz012345",
	       "abcdefghijklmnopqrstuvwxyz012345", &r);
	rec_ok("v=STSv1; id=x; ext_1=val", "x", &r);
	assert_warned(&r.warn, "unknown field 'ext_1=val' ignored");
	rec_ok("v=STSv1; id = x;; _bad=1", "x", &r);
	assert_warned(&r.warn, "spaces around '='");
	assert_warned(&r.warn,
	              "field '_bad=1' ignored: not a valid field name");
	assert_warned(&r.warn, "1 empty field");
	rec_ok("v = STSv1; id=x", "x", &r);
	assert_warned(&r.warn, "field 'v = STSv1': spaces around '='");
}
END_TEST

START_TEST(record_errors)
{
	char s[MTASTS_RECORD_MAX + 16];

	rec_err("", "does not start with 'v=STSv1', got nothing");
	rec_err("id=1; v=STSv1", "got 'id=1'");
	rec_err("v=STSv2; id=1", "got 'v=STSv2'");
	rec_err("v=STSv1 id=1", "(is a ';' missing?)");
	rec_err("v=stsv1; id=1", "does not start with");
	rec_err("v=STSv1", "no 'id' field");
	rec_err("v=STSv1;", "no 'id' field");
	rec_err("v=STSv1; id=", "field 'id=': expected an id of 1 to 32");
	rec_err("v=STSv1; id=abc-def", "field 'id=abc-def'");
	rec_err("v=STSv1; id=abcdefghijklmnopqrstuvwxyz0123456", "1 to 32");
	rec_err("v=STSv1; id=1; id=2", "field 'id=2': the id is given twice");
	rec_err("v=STSv1; id=1; v=STSv1", "'v' must be given once");
	rec_err("v=STSv1; id", "expected '='");
	rec_err("v=STSv1; id=\x01", "byte '\\x01'");
	rec_err("v=STSv1; id=caf\xc3\xa9", "byte '\\xc3'");
	rec_errn("v=STSv1; id=1\0", 15, "'\\x00'");
	/* The bound, then one byte more. */
	strcpy(s, "v=STSv1; id=1; x=");
	memset(s + strlen(s), 'a', MTASTS_RECORD_MAX - strlen(s));
	s[MTASTS_RECORD_MAX] = '\0';
	struct mtasts_record r;
	rec_ok(s, "1", &r);
	strcat(s, "a");
	rec_err(s, "over MTASTS_RECORD_MAX (1024)");
}
END_TEST

START_TEST(record_select)
{
	struct rec_txt txt[3] = {
		{"v=STSv1; id=1", 13},
		{"v=STSv10; id=1", 14},
		{"v=spf1 -all", 11},
	};
	char err[ERRLEN];
	size_t i = 9;

	ck_assert_int_eq(mtasts_select(txt, 3, &i, err, sizeof(err)), 1);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(mtasts_select(txt + 1, 2, &i, err, sizeof(err)), 0);
	ck_assert(strstr(err, "no MTA-STS record: 'v=STSv10; id=1' is not "
	                      "one") != NULL);
	txt[1] = txt[0];
	ck_assert_int_eq(mtasts_select(txt, 3, &i, err, sizeof(err)), -1);
	ck_assert(strstr(err, "2 TXT records start with 'v=STSv1'") != NULL);
}
END_TEST

/* ========================================================= policy file */

static void
pol_ok(const char *s, struct mtasts_policy *p)
{
	char err[ERRLEN] = "";

	ck_assert_msg(mtasts_policy_parse(s, strlen(s), p, err, sizeof(err)) ==
	                      0,
	              "'%s': %s", s, err);
	for (size_t i = 0; i < p->warn.n; i++)
		assert_clean(p->warn.msg[i]);
}

static void
pol_errn(const char *s, size_t len, const char *want)
{
	struct mtasts_policy p;
	char err[ERRLEN] = "";

	ck_assert_msg(mtasts_policy_parse(s, len, &p, err, sizeof(err)) == -1,
	              "'%s' accepted", s);
	assert_error(s, err, want);
	ck_assert_uint_eq(p.nmx, 0);
}

static void
pol_err(const char *s, const char *want)
{
	pol_errn(s, strlen(s), want);
}

START_TEST(policy_rfc_example)
{
	struct mtasts_policy p;

	/* RFC 8461 3.2 */
	pol_ok("version: STSv1\n"
	       "mode: enforce\n"
	       "mx: mail.example.com\n"
	       "mx: *.example.net\n"
	       "mx: backupmx.example.com\n"
	       "max_age: 604800\n",
	       &p);
	ck_assert_int_eq(p.mode, MTASTS_MODE_ENFORCE);
	ck_assert_uint_eq(p.max_age, 604800);
	ck_assert_uint_eq(p.nmx, 3);
	ck_assert_str_eq(p.mx[0], "mail.example.com");
	ck_assert_str_eq(p.mx[1], "*.example.net");
	ck_assert_str_eq(p.mx[2], "backupmx.example.com");
	ck_assert_uint_eq(p.warn.n, 0);
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_real_world)
{
	struct mtasts_policy p;

	/* mta-sts.google.com, CRLF */
	pol_ok("version: STSv1\r\nmode: enforce\r\nmx: smtp.google.com\r\n"
	       "mx: aspmx.l.google.com\r\nmx: *.aspmx.l.google.com\r\n"
	       "max_age: 86400\r\n",
	       &p);
	ck_assert_uint_eq(p.nmx, 3);
	ck_assert_uint_eq(p.max_age, 86400);
	mtasts_policy_free(&p);
	/* Microsoft 365, no final line end */
	pol_ok("version: STSv1\r\nmode: testing\r\n"
	       "mx: *.mail.protection.outlook.com\r\nmax_age: 604800",
	       &p);
	ck_assert_int_eq(p.mode, MTASTS_MODE_TESTING);
	mtasts_policy_free(&p);
	/* mode none needs no mx; blanks after ':' and at the end */
	pol_ok("version: STSv1\nmode:none \t\nmax_age:\t0\n\n", &p);
	ck_assert_int_eq(p.mode, MTASTS_MODE_NONE);
	ck_assert_uint_eq(p.max_age, 0);
	ck_assert_uint_eq(p.nmx, 0);
	assert_warned(&p.warn, "1 empty line ignored");
	mtasts_policy_free(&p);
	/* Warnings: order, unknown keys, duplicate mx, highest max_age */
	pol_ok("mode: enforce\nversion: STSv1\nfoo.bar: x y\n"
	       "mx: mail.example.com\nmx: MAIL.example.com\n"
	       "max_age: 31557600\n",
	       &p);
	assert_warned(&p.warn, "line 2: version is not the first line");
	assert_warned(&p.warn, "line 3: unknown key 'foo.bar' ignored");
	assert_warned(&p.warn, "line 5: mx 'MAIL.example.com' is given twice");
	ck_assert_uint_eq(p.nmx, 1);
	ck_assert_uint_eq(p.max_age, MTASTS_MAX_AGE_MAX);
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_errors)
{
	pol_err("", "no 'version' line");
	pol_err("mode: enforce\nmax_age: 1\nmx: a.example", "no 'version'");
	pol_err("version: STSv1\nmax_age: 1\nmx: a.example", "no 'mode' line");
	pol_err("version: STSv1\nmode: none", "no 'max_age' line");
	pol_err("version: STSv1\nmode: enforce\nmax_age: 1",
	        "no 'mx' line: mode enforce needs one or more");
	pol_err("version: STSv1\nmode: testing\nmax_age: 1", "mode testing");
	pol_err("version: STSv2\n", "line 1 'version: STSv2': expected "
	                            "version STSv1");
	pol_err("version: STSv1\nversion: STSv1\n",
	        "line 2 'version: STSv1': the key is given twice");
	pol_err("version: STSv1\nmode: Enforce\n", "line 2 'mode: Enforce': "
	                                           "expected enforce, testing "
	                                           "or none");
	pol_err("version: STSv1\nmode: none\nmode: none\n", "given twice");
	pol_err("version: STSv1\nmax_age: 31557601\n",
	        "line 2 'max_age: 31557601': over 31557600");
	pol_err("version: STSv1\nmax_age: 00000000001\n",
	        "expected at most 10 digits");
	pol_err("version: STSv1\nmax_age: 9999999999\n", "over 31557600");
	pol_err("version: STSv1\nmax_age: -1\n", "expected a number");
	pol_err("version: STSv1\nmax_age: 1d\n", "expected a number");
	pol_err("version: STSv1\nmax_age: 1\nmax_age: 1\n", "given twice");
	pol_err("version STSv1\n", "line 1 'version STSv1': expected 'key: "
	                           "value'");
	pol_err("version : STSv1\n", "right before ':'");
	pol_err(" version: STSv1\n", "right before ':'");
	pol_err(": x\n", "right before ':'");
	pol_err("version:\n", "line 1 'version:': the value is empty");
	pol_err("version: \t \n", "the value is empty");
	pol_err("version: STSv1\nmx: *\n", "line 2 'mx: *'");
	pol_err("version: STSv1\nmx: *.\n", "the host name is empty");
	pol_err("version: STSv1\nmx: a.*.example\n", "byte '*'");
	pol_err("version: STSv1\nmx: **.example.com\n", "byte '*'");
	pol_err("version: STSv1\nmx: *.*.example.com\n", "byte '*'");
	pol_err("version: STSv1\nmx: localhost\n", "two labels or more");
	pol_err("version: STSv1\nmx: *.com.\n", "two labels or more");
	pol_err("version: STSv1\nmx: mail..example\n",
	        "host name 'mail..example': an empty label");
	pol_err("version: STSv1\nmx: mail.example.com:25\n", "byte ':'");
	pol_err("version: STSv1\nmx: mail.example.com mx2.example.com\n",
	        "byte ' '");
}
END_TEST

START_TEST(policy_hostile)
{
	static const char nul[] = "version: STSv1\nmode: en\0force\n";

	pol_errn(nul, sizeof(nul) - 1,
	         "line 2 'mode: en\\x00force': byte "
	         "'\\x00' is not allowed");
	pol_err("version: STSv1\rmode: enforce\n", "byte '\\x0d'");
	pol_err("version: STSv1\r\r\n", "byte '\\x0d'");
	pol_err("version: STSv1\nmode: \x1b]0;pwned\x07\n", "'\\x1b'");
	pol_err("version: STSv1\nmx: m\xc3\xa9.example\n", "'\\xc3'");
	pol_err("version: STSv1\nx\x7f: 1\n", "'\\x7f'");
	pol_err("version: STSv1\n<html>\n", "expected 'key: value'");
	/* An HTML error page served in place of the policy */
	pol_err("<!DOCTYPE html>\n<html><body>404</body></html>\n",
	        "line 1 '<!DOCTYPE html>'");
	/* An unknown key with UTF-8 is a warning, quoted */
	struct mtasts_policy p;
	pol_ok("version: STSv1\nmode: none\nmax_age: 1\nnote: caf\xc3\xa9\n",
	       &p);
	assert_warned(&p.warn, "unknown key 'note'");
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_bounds)
{
	size_t n = MTASTS_POLICY_MAX + 2;
	char *s = malloc(n);
	ck_assert_ptr_nonnull(s);
	size_t blen = 0;
	struct mtasts_policy p;
	char line[MTASTS_LINE_MAX + 8];

	/* MTASTS_MX_MAX mx lines, then one more. */
	blen = (size_t)sprintf(s, "version: STSv1\nmode: enforce\n"
	                          "max_age: 1\n");
	for (int i = 0; i < MTASTS_MX_MAX; i++)
		blen += (size_t)sprintf(s + blen, "mx: mx%d.example.com\n", i);
	pol_ok(s, &p);
	ck_assert_uint_eq(p.nmx, MTASTS_MX_MAX);
	mtasts_policy_free(&p);
	strcpy(s + blen, "mx: last.example.com\n");
	pol_err(s, "line 68 'mx: last.example.com': more than 64 mx lines "
	           "(bound MTASTS_MX_MAX)");

	/* A line of MTASTS_LINE_MAX bytes, then one more. */
	memset(line, 'a', MTASTS_LINE_MAX);
	memcpy(line, "x: ", 3);
	line[MTASTS_LINE_MAX] = '\0';
	snprintf(s, n, "version: STSv1\nmode: none\nmax_age: 1\n%s\r\n", line);
	pol_ok(s, &p);
	mtasts_policy_free(&p);
	snprintf(s, n, "version: STSv1\nmode: none\nmax_age: 1\n%sa\n", line);
	pol_err(s, "line 4 is 1025 bytes long, over MTASTS_LINE_MAX (1024)");

	/* A policy of MTASTS_POLICY_MAX bytes, then one more. */
	blen = (size_t)sprintf(s, "version: STSv1\nmode: none\nmax_age: 1\n");
	while (blen + 12 <= MTASTS_POLICY_MAX)
		blen += (size_t)sprintf(s + blen, "x: 12345678\n");
	memset(s + blen, '\n', MTASTS_POLICY_MAX - blen);
	pol_errn(s, MTASTS_POLICY_MAX + 1, "over MTASTS_POLICY_MAX (65536)");
	char err[ERRLEN];
	ck_assert_int_eq(
		mtasts_policy_parse(s, MTASTS_POLICY_MAX, &p, err, sizeof(err)),
		0);
	ck_assert_uint_eq(p.warn.n, REC_WARN_MAX);
	ck_assert_uint_gt(p.warn.dropped, 5000);
	mtasts_policy_free(&p);
	free(s);
}
END_TEST

START_TEST(mode_names)
{
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_ENFORCE), "enforce");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_TESTING), "testing");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_NONE), "none");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_UNSET), "unset");
}
END_TEST

/* ========================================================== mx matching */

START_TEST(mx_match)
{
	/* RFC 8461 4.1 */
	ck_assert(mtasts_mx_match("mail.example.com", "mail.example.com"));
	ck_assert(mtasts_mx_match("*.example.com", "mx1.example.com"));
	ck_assert(!mtasts_mx_match("*.example.com", "example.com"));
	ck_assert(!mtasts_mx_match("*.example.com", "a.mx1.example.com"));
	/* Case and trailing dots */
	ck_assert(mtasts_mx_match("Mail.Example.COM", "mail.example.com."));
	ck_assert(mtasts_mx_match("mail.example.com.", "MAIL.EXAMPLE.COM"));
	ck_assert(mtasts_mx_match("*.Example.com.", "MX1.example.COM."));
	/* Label boundaries and near misses */
	ck_assert(!mtasts_mx_match("*.example.com", "mx1.notexample.com"));
	ck_assert(!mtasts_mx_match("*.example.com", "mx1example.com"));
	ck_assert(!mtasts_mx_match("*.example.com", ".example.com"));
	ck_assert(!mtasts_mx_match("*.example.com", "..example.com"));
	ck_assert(!mtasts_mx_match("mail.example.com", "mail.example.co"));
	ck_assert(!mtasts_mx_match("mail.example.com", "mail.example.comm"));
	ck_assert(!mtasts_mx_match("mail.example.com", "x.mail.example.com"));
	ck_assert(!mtasts_mx_match("example.com", "mail.example.com"));
	/* A wildcard only on the left, only one label */
	ck_assert(!mtasts_mx_match("mail.*.com", "mail.example.com"));
	ck_assert(!mtasts_mx_match("*mail.example.com", "mail.example.com"));
	ck_assert(!mtasts_mx_match("*.", "a."));
	ck_assert(!mtasts_mx_match("*", "a"));
	/* Empty on either side */
	ck_assert(!mtasts_mx_match("", ""));
	ck_assert(!mtasts_mx_match(".", "."));
	ck_assert(!mtasts_mx_match("mail.example.com", ""));
	ck_assert(!mtasts_mx_match("", "mail.example.com"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mtasts");
	TCase *rec = tcase_create("record");
	TCase *pol = tcase_create("policy");
	TCase *mx = tcase_create("mx");

	tcase_add_test(rec, record_rfc_and_real);
	tcase_add_test(rec, record_errors);
	tcase_add_test(rec, record_select);
	suite_add_tcase(s, rec);
	tcase_add_test(pol, policy_rfc_example);
	tcase_add_test(pol, policy_real_world);
	tcase_add_test(pol, policy_errors);
	tcase_add_test(pol, policy_hostile);
	tcase_add_test(pol, policy_bounds);
	tcase_add_test(pol, mode_names);
	suite_add_tcase(s, pol);
	tcase_add_test(mx, mx_match);
	suite_add_tcase(s, mx);
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
