/*
 * test_health.c -- the cron job's change detection: first run, nothing
 * changed, changes, new and vanished checks, the state file round trip
 * (written atomically), what is printed, and a broken state file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"

static char dir[] = "/tmp/mailready-health.XXXXXX";
static char path[600];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/state.json", dir);
}

static void
teardown(void)
{
	unlink(path);
	char sub[600];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
}

static void
add(struct mr_result_list *l, const char *node, const char *id,
    const char *target, enum mr_status st, const char *msg)
{
	struct mr_result *r = mr_result_new(id, node, NULL, target);
	r->status = st;
	mr_result_set_message(r, "%s", msg);
	mr_result_list_push(l, r);
}

static char *
printed(const struct health_diff *d, const struct mr_result_list *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct report *rep = report_build(NULL, l, "health", "h", 0, 1);
	health_print(f, d, rep);
	fclose(f);
	report_free(rep);
	return buf;
}

START_TEST(cycle)
{
	struct mr_result_list a = {0}, b = {0};
	struct health_diff d;
	char err[700];

	add(&a, "n1.example", "mail.smtp", "192.0.2.1:25", MR_PASS, "ok");
	add(&a, "n1.example", "dns.ptr", "n1.example", MR_FAIL, "no PTR");

	/* first run: no state yet; the failure is printed */
	ck_assert_int_eq(health_diff(path, &a, &d, err, sizeof(err)), 0);
	ck_assert(d.first_run);
	char *out = printed(&d, &a);
	ck_assert_ptr_nonnull(strstr(out, "first run"));
	ck_assert_ptr_nonnull(strstr(out, "CRITICAL n1.example dns.ptr "
	                                  "n1.example: no PTR"));
	free(out);
	health_diff_free(&d);
	ck_assert_int_eq(health_save(path, &a, 1764324000, err, sizeof(err)),
	                 0);

	/* same again: no change, still failing, still printed */
	ck_assert_int_eq(health_diff(path, &a, &d, err, sizeof(err)), 0);
	ck_assert(!d.first_run);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(d.since, "2025-11-28T10:00:00Z");
	out = printed(&d, &a);
	ck_assert_ptr_nonnull(strstr(out, "no change since "
	                                  "2025-11-28T10:00:00Z"));
	free(out);
	health_diff_free(&d);

	/* fixed PTR, smtp broken, a new failing check, one gone */
	add(&b, "n1.example", "mail.smtp", "192.0.2.1:25", MR_WARN,
	    "expires\nsoon | 'x'=1");
	add(&b, "n1.example", "dns.ptr", "n1.example", MR_PASS, "ok");
	add(&b, "n2.example", "dns.a.inside", "n2.example", MR_FAIL, "gone");
	ck_assert_int_eq(health_diff(path, &b, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert(d.v[0].was_known);
	ck_assert_int_eq(d.v[0].before, MR_PASS);
	ck_assert_int_eq(d.v[0].after, MR_WARN);
	ck_assert_int_eq(d.v[1].before, MR_FAIL);
	ck_assert_int_eq(d.v[1].after, MR_PASS);
	ck_assert(!d.v[2].was_known);
	out = printed(&d, &b);
	ck_assert_ptr_nonnull(strstr(out, "3 changes since"));
	ck_assert_ptr_nonnull(strstr(out,
	                             "n1.example mail.smtp 192.0.2.1:25: "
	                             "pass -> warn: expires\\nsoon | 'x'=1"));
	ck_assert_ptr_nonnull(strstr(out, "n1.example dns.ptr n1.example: "
	                                  "fail -> pass: ok"));
	ck_assert_ptr_nonnull(strstr(out, "n2.example dns.a.inside "
	                                  "n2.example: new -> fail"));
	/* server text stays on its line */
	ck_assert_ptr_null(strstr(out, "expires\nsoon"));
	free(out);
	health_diff_free(&d);
	ck_assert_int_eq(health_save(path, &b, 1764324300, err, sizeof(err)),
	                 0);

	/* all pass and nothing changed: quiet */
	struct mr_result_list c = {0};
	add(&c, "n1.example", "dns.ptr", "n1.example", MR_PASS, "ok");
	ck_assert_int_eq(health_save(path, &c, 1764324600, err, sizeof(err)),
	                 0);
	ck_assert_int_eq(health_diff(path, &c, &d, err, sizeof(err)), 0);
	out = printed(&d, &c);
	ck_assert_str_eq(out, "");
	free(out);
	health_diff_free(&d);

	/* a vanished check is a change */
	struct mr_result_list e = {0};
	ck_assert_int_eq(health_diff(path, &e, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(d.v[0].gone);
	health_diff_free(&d);

	mr_result_list_clear(&a);
	mr_result_list_clear(&b);
	mr_result_list_clear(&c);
}
END_TEST

START_TEST(broken_state)
{
	struct mr_result_list a = {0};
	struct health_diff d;
	char err[700];

	ck_assert_int_eq(health_save(path, &a, 0, err, sizeof(err)), 0);
	FILE *f = fopen(path, "w");
	fputs("{\"schema\": \"nope\"}", f);
	fclose(f);
	ck_assert_int_lt(health_diff(path, &a, &d, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a mailready-state/1 state"));
	f = fopen(path, "w");
	fputs("{{{", f);
	fclose(f);
	ck_assert_int_lt(health_diff(path, &a, &d, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a mailready state file"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, broken_state);
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
