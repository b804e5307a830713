/*
 * test_threshold.c -- the Monitoring Plugins range syntax (the table of
 * doc/developer-guidelines), -w/-c threshold lists, and their application
 * to results.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "threshold.h"

static struct mr_range
range(const char *s)
{
	struct mr_range r;
	char err[160];
	ck_assert_msg(range_parse(s, &r, err, sizeof(err)) == 0, "%s: %s", s,
	              err);
	return r;
}

START_TEST(guideline_table)
{
	/* "10": alert if < 0 or > 10 */
	struct mr_range r = range("10");
	ck_assert(range_alerts(&r, -1));
	ck_assert(!range_alerts(&r, 0));
	ck_assert(!range_alerts(&r, 10));
	ck_assert(range_alerts(&r, 10.01));
	/* "10:": alert if < 10 */
	r = range("10:");
	ck_assert(range_alerts(&r, 9.99));
	ck_assert(!range_alerts(&r, 10));
	ck_assert(!range_alerts(&r, 1e9));
	/* "~:10": alert if > 10 */
	r = range("~:10");
	ck_assert(!range_alerts(&r, -1e9));
	ck_assert(range_alerts(&r, 11));
	/* "10:20": alert if < 10 or > 20 */
	r = range("10:20");
	ck_assert(range_alerts(&r, 9));
	ck_assert(!range_alerts(&r, 15));
	ck_assert(range_alerts(&r, 21));
	/* "@10:20": alert if >= 10 and <= 20 */
	r = range("@10:20");
	ck_assert(!range_alerts(&r, 9));
	ck_assert(range_alerts(&r, 10));
	ck_assert(range_alerts(&r, 20));
	ck_assert(!range_alerts(&r, 20.5));
	/* decimals and negatives */
	r = range("0.5:1.5");
	ck_assert(range_alerts(&r, 0.25));
	r = range("-5:5");
	ck_assert(!range_alerts(&r, -5));
	ck_assert_str_eq(r.text, "-5:5");
	/* an unset range never alerts */
	struct mr_range none = {0};
	ck_assert(!range_alerts(&none, 1e9));
}
END_TEST

START_TEST(bad_ranges)
{
	const char *bad[] = {"",    "abc",  "10:5", "1:2:3", "@",   "~",
	                     "10x", "x:10", ":",    "1e999", "inf", NULL};
	char err[160];
	struct mr_range r;
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(range_parse(bad[i], &r, err, sizeof(err)) < 0,
		              "'%s' accepted", bad[i]);
	range_parse("10:5", &r, err, sizeof(err));
	ck_assert_str_eq(err, "range '10:5' starts above its end");
}
END_TEST

START_TEST(threshold_lists)
{
	struct thresholds t;
	char err[200];
	thresholds_init(&t);
	ck_assert_int_eq(thresholds_parse("2", false, &t, err, sizeof(err)), 0);
	ck_assert(t.time_warn.set && !t.time_crit.set);
	ck_assert_int_eq(t.cert_warn_days, -1);
	ck_assert_int_eq(t.cert_crit_days, -1);
	ck_assert_int_eq(
		thresholds_parse("time=5,cert=7", true, &t, err, sizeof(err)),
		0);
	ck_assert(t.time_crit.set);
	ck_assert_int_eq(t.cert_crit_days, 7);
	ck_assert_int_eq(t.cert_warn_days, -1);
	/* "30:" of earlier versions is read as 30 */
	ck_assert_int_eq(
		thresholds_parse("cert=30:", false, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.cert_warn_days, 30);
	/* days are whole and not negative */
	ck_assert_int_lt(
		thresholds_parse("cert=7.5", true, &t, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "cert=7.5: give whole days (cert=30 alerts at "
	                      "30 days left or fewer)");
	ck_assert_int_lt(
		thresholds_parse("cert=-1", true, &t, err, sizeof(err)), 0);
	ck_assert_int_lt(
		thresholds_parse("cert=~:7", true, &t, err, sizeof(err)), 0);
	ck_assert_int_lt(
		thresholds_parse("speed=3", true, &t, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "unknown threshold 'speed' (time=RANGE or "
	                      "cert=DAYS)");
	/* -c disambiguation: ranges are thresholds, paths are files. */
	ck_assert(thresholds_look_like("5"));
	ck_assert(thresholds_look_like("10:"));
	ck_assert(thresholds_look_like("@1:2"));
	ck_assert(thresholds_look_like("cert=7:"));
	ck_assert(!thresholds_look_like("cluster.conf"));
	ck_assert(!thresholds_look_like("/etc/mailready/cluster.conf"));
	ck_assert(!thresholds_look_like("./5"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("threshold");
	TCase *tc = tcase_create("ranges");
	tcase_add_test(tc, guideline_table);
	tcase_add_test(tc, bad_ranges);
	tcase_add_test(tc, threshold_lists);
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
