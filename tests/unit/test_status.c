/*
 * test_status.c -- check statuses: severity order, "worst wins", exit codes,
 * names and Nagios state words. Exit codes are the contract with Nagios and
 * cron, so each one is pinned here.
 */
#include <check.h>
#include <stdlib.h>

#include "mailready/status.h"

START_TEST(test_order)
{
	/* fail > warn > unknown > pass > skip (DESIGN.md) */
	ck_assert_int_gt(MR_FAIL, MR_WARN);
	ck_assert_int_gt(MR_WARN, MR_UNKNOWN);
	ck_assert_int_gt(MR_UNKNOWN, MR_PASS);
	ck_assert_int_gt(MR_PASS, MR_SKIP);
	ck_assert_int_eq(MR_STATUS_COUNT, 5);
}
END_TEST

START_TEST(test_worst)
{
	static const enum mr_status order[] = {MR_SKIP, MR_PASS, MR_UNKNOWN,
	                                       MR_WARN, MR_FAIL};

	for (int i = 0; i < 5; i++) {
		for (int j = 0; j < 5; j++) {
			enum mr_status w = mr_status_worst(order[i], order[j]);
			ck_assert_int_eq(w, order[i > j ? i : j]);
		}
	}
	ck_assert_int_eq(mr_status_worst(MR_PASS, MR_UNKNOWN), MR_UNKNOWN);
	ck_assert_int_eq(mr_status_worst(MR_FAIL, MR_WARN), MR_FAIL);
	ck_assert_int_eq(mr_status_worst(MR_SKIP, MR_PASS), MR_PASS);
}
END_TEST

START_TEST(test_exit_codes)
{
	ck_assert_int_eq(mr_status_exit_code(MR_PASS), 0);
	ck_assert_int_eq(mr_status_exit_code(MR_SKIP), 0);
	ck_assert_int_eq(mr_status_exit_code(MR_WARN), 1);
	ck_assert_int_eq(mr_status_exit_code(MR_FAIL), 2);
	ck_assert_int_eq(mr_status_exit_code(MR_UNKNOWN), 3);
	ck_assert_int_eq(MR_EXIT_USAGE, 3);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(mr_status_name(MR_SKIP), "skip");
	ck_assert_str_eq(mr_status_name(MR_PASS), "pass");
	ck_assert_str_eq(mr_status_name(MR_UNKNOWN), "unknown");
	ck_assert_str_eq(mr_status_name(MR_WARN), "warn");
	ck_assert_str_eq(mr_status_name(MR_FAIL), "fail");
	ck_assert_str_eq(mr_status_name((enum mr_status)42), "invalid");
}
END_TEST

START_TEST(test_nagios_words)
{
	ck_assert_str_eq(mr_status_nagios(MR_PASS), "OK");
	ck_assert_str_eq(mr_status_nagios(MR_SKIP), "OK");
	ck_assert_str_eq(mr_status_nagios(MR_WARN), "WARNING");
	ck_assert_str_eq(mr_status_nagios(MR_FAIL), "CRITICAL");
	ck_assert_str_eq(mr_status_nagios(MR_UNKNOWN), "UNKNOWN");
	ck_assert_str_eq(mr_status_nagios((enum mr_status)42), "UNKNOWN");
}
END_TEST

START_TEST(test_parse)
{
	enum mr_status s = MR_SKIP;

	for (int i = 0; i < MR_STATUS_COUNT; i++) {
		ck_assert_int_eq(mr_status_parse(mr_status_name(i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	s = MR_WARN;
	ck_assert_int_eq(mr_status_parse("FAIL", &s), -1);
	ck_assert_int_eq(mr_status_parse("ok", &s), -1);
	ck_assert_int_eq(mr_status_parse("", &s), -1);
	ck_assert_int_eq(mr_status_parse("pass ", &s), -1);
	ck_assert_int_eq(s, MR_WARN); /* untouched on error */
}
END_TEST

static Suite *
status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_worst);
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_nagios_words);
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(status_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
