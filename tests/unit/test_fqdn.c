/*
 * test_fqdn.c -- host name syntax: what a mail server's name may be.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fqdn.h"

static void
bad(const char *name, const char *why_has)
{
	char why[256] = "";
	ck_assert_msg(!fqdn_valid(name, why, sizeof(why)), "%s accepted", name);
	ck_assert_msg(strstr(why, why_has) != NULL, "%s: '%s' lacks '%s'", name,
	              why, why_has);
}

START_TEST(good_names)
{
	char why[256];
	const char *ok[] = {"mta1.example.com",      "mta1.example.com.",
	                    "MX-1.Mail.Example.COM", "a.b",
	                    "1mail.example.com",     "xn--bcher-kva.example",
	                    "mta1.example.test",     NULL};
	for (int i = 0; ok[i]; i++)
		ck_assert_msg(fqdn_valid(ok[i], why, sizeof(why)), "%s: %s",
		              ok[i], why);
}
END_TEST

START_TEST(bad_names)
{
	bad("", "empty");
	bad(".", "empty");
	bad("mta1", "short name");
	bad("localhost", "local name");
	bad("localhost.localdomain", "local name");
	bad("mail.localdomain", "local name");
	bad("mail.localhost", "local name");
	bad("mail.local", "multicast DNS");
	bad("mail.invalid", ".invalid");
	bad("mail..example.com", "empty label");
	bad(".example.com", "empty label");
	bad("mail.example.com..", "empty label");
	bad("-mail.example.com", "hyphen");
	bad("mail-.example.com", "hyphen");
	bad("mail_1.example.com", "'_'");
	bad("mail 1.example.com", "' '");
	bad("mail.example.123", "numeric");
	bad("10.0.0.1", "numeric");
	bad("m\xc3\xa4il.example.com", "non-ASCII");
	bad("mail\n.example.com", "non-printable");
}
END_TEST

START_TEST(lengths)
{
	char label[70], name[300], why[256];
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.example.com", label);
	ck_assert(fqdn_valid(name, why, sizeof(why)));
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(name, sizeof(name), "%s.example.com", label);
	bad(name, "longer than 63");

	/* 253 characters are fine, 254 are not. */
	memset(name, 0, sizeof(name));
	for (int i = 0; i < 4; i++)
		strcat(name,
		       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	name[253] = '\0';
	name[252] = 'z';
	ck_assert_uint_eq(strlen(name), 253);
	ck_assert_msg(fqdn_valid(name, why, sizeof(why)), "%s", why);
	name[253] = 'z';
	name[254] = '\0';
	bad(name, "at most 253");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fqdn");
	TCase *tc = tcase_create("syntax");
	tcase_add_test(tc, good_names);
	tcase_add_test(tc, bad_names);
	tcase_add_test(tc, lengths);
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
