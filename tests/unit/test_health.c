/*
 * test_health.c -- the cron job's change detection: first run, nothing
 * changed, changes, new and vanished checks, the state file round trip
 * (written atomically), what is printed with codes and "since", when to
 * print and remind, an acceptance running out, and a broken state file.
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

#define T0 ((time_t)1764324000) /* 2025-11-28 10:00:00 UTC */

/* A check with one finding: its code, severity and message. */
static struct mr_result *
add(struct mr_result_list *l, const char *node, const char *id,
    const char *target, enum mr_status st, const char *code, const char *msg)
{
	struct mr_result *r = mr_result_new(id, node, NULL, target);
	mr_result_add(r, code, st, "%s", msg);
	mr_result_list_push(l, r);
	return r;
}

/* What the job prints, or "" when it stays quiet. */
static char *
printed(const struct health_diff *d, const struct mr_result_list *l,
        double remind, time_t when)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct report *rep = report_build(NULL, l, "health", "h", when, 1);
	if (health_should_print(d, rep, remind, when))
		health_print(f, d, rep, when);
	fclose(f);
	report_free(rep);
	return buf;
}

/* diff, print, save: one cron run. */
static char *
run(const struct mr_result_list *l, double remind, time_t when)
{
	struct health_diff d;
	char err[700];
	struct report *rep = report_build(NULL, l, "health", "h", when, 1);

	ck_assert_int_eq(health_diff(path, l, when, &d, err, sizeof(err)), 0);
	char *out = printed(&d, l, remind, when);
	ck_assert_int_eq(health_save(path, l, &d, when,
	                             out[0] != '\0' && rep->status > MR_PASS,
	                             err, sizeof(err)),
	                 0);
	health_diff_free(&d);
	report_free(rep);
	return out;
}

START_TEST(cycle)
{
	struct mr_result_list a = {0}, b = {0};
	struct health_diff d;
	char err[700];

	add(&a, "n1.example", "mail.smtp", "192.0.2.1:25", MR_PASS, "SMTP_OK",
	    "ok");
	add(&a, "n1.example", "dns.ptr", "n1.example", MR_FAIL, "PTR_MISSING",
	    "no PTR");

	/* first run: no state yet; the failure is printed with its code
	   and since when */
	ck_assert_int_eq(health_diff(path, &a, T0, &d, err, sizeof(err)), 0);
	ck_assert(d.first_run);
	char *out = printed(&d, &a, 0, T0);
	ck_assert_ptr_nonnull(strstr(out, "first run"));
	ck_assert_ptr_nonnull(strstr(out, "CRITICAL n1.example dns.ptr "
	                                  "n1.example: PTR_MISSING no PTR "
	                                  "(since 2025-11-28 10:00 UTC)"));
	free(out);
	ck_assert_int_eq(health_save(path, &a, &d, T0, true, err, sizeof(err)),
	                 0);
	health_diff_free(&d);

	/* same again five minutes later: no change, quiet, the failure
	   still dated from the first run */
	ck_assert_int_eq(health_diff(path, &a, T0 + 300, &d, err, sizeof(err)),
	                 0);
	ck_assert(!d.first_run);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(d.since, "2025-11-28T10:00:00Z");
	ck_assert_int_eq(health_since_of(&d, a.v[1], "PTR_MISSING", 0), T0);
	ck_assert_int_eq(health_since_of(&d, a.v[1], NULL, 0), T0);
	out = printed(&d, &a, 0, T0 + 300);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(
		health_save(path, &a, &d, T0 + 300, false, err, sizeof(err)),
		0);
	health_diff_free(&d);

	/* fixed PTR, smtp broken, a new failing check, one gone */
	add(&b, "n1.example", "mail.smtp", "192.0.2.1:25", MR_WARN,
	    "CERT_EXPIRES_SOON", "expires\nsoon | 'x'=1");
	add(&b, "n1.example", "dns.ptr", "n1.example", MR_PASS, "PTR_OK", "ok");
	add(&b, "n2.example", "dns.a.inside", "n2.example", MR_FAIL,
	    "A_MISSING", "gone");
	ck_assert_int_eq(health_diff(path, &b, T0 + 600, &d, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert(d.v[0].was_known);
	ck_assert_int_eq(d.v[0].before, MR_PASS);
	ck_assert_int_eq(d.v[0].after, MR_WARN);
	ck_assert_int_eq(d.v[1].before, MR_FAIL);
	ck_assert_int_eq(d.v[1].after, MR_PASS);
	ck_assert(!d.v[2].was_known);
	out = printed(&d, &b, 0, T0 + 600);
	ck_assert_ptr_nonnull(strstr(out, "3 changes since"));
	ck_assert_ptr_nonnull(
		strstr(out, "n1.example mail.smtp 192.0.2.1:25: pass -> warn "
	                    "[CERT_EXPIRES_SOON]: expires\\nsoon | 'x'=1"));
	ck_assert_ptr_nonnull(strstr(out, "n1.example dns.ptr n1.example: "
	                                  "fail -> pass: ok"));
	ck_assert_ptr_nonnull(strstr(out, "n2.example dns.a.inside "
	                                  "n2.example: new -> fail "
	                                  "[A_MISSING]: gone"));
	/* server text stays on its line */
	ck_assert_ptr_null(strstr(out, "expires\nsoon"));
	free(out);
	ck_assert_int_eq(
		health_save(path, &b, &d, T0 + 600, true, err, sizeof(err)), 0);
	health_diff_free(&d);

	/* all pass and nothing changed: quiet */
	struct mr_result_list c = {0};
	add(&c, "n1.example", "dns.ptr", "n1.example", MR_PASS, "PTR_OK", "ok");
	ck_assert_int_eq(
		health_save(path, &c, &d, T0 + 900, false, err, sizeof(err)),
		0);
	ck_assert_int_eq(health_diff(path, &c, T0 + 1200, &d, err, sizeof(err)),
	                 0);
	out = printed(&d, &c, 3600, T0 + 1200);
	ck_assert_str_eq(out, "");
	free(out);
	health_diff_free(&d);

	/* a vanished check is a change */
	struct mr_result_list e = {0};
	ck_assert_int_eq(health_diff(path, &e, T0 + 1500, &d, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(d.v[0].gone);
	health_diff_free(&d);

	mr_result_list_clear(&a);
	mr_result_list_clear(&b);
	mr_result_list_clear(&c);
}
END_TEST

/* --remind: what still fails is told again, at most that often. */
START_TEST(remind)
{
	struct mr_result_list a = {0};

	add(&a, "n1.example", "dns.ptr", "n1.example", MR_FAIL, "PTR_MISSING",
	    "no PTR");
	char *out = run(&a, 3600, T0);
	ck_assert_ptr_nonnull(strstr(out, "first run"));
	free(out);
	/* half an hour later: quiet */
	out = run(&a, 3600, T0 + 1800);
	ck_assert_str_eq(out, "");
	free(out);
	/* an hour after the last mail: the reminder, dated */
	out = run(&a, 3600, T0 + 3600);
	ck_assert_ptr_nonnull(strstr(out, "no change since"));
	ck_assert_ptr_nonnull(strstr(out, "a reminder of what still fails"));
	ck_assert_ptr_nonnull(strstr(out, "PTR_MISSING no PTR (since "
	                                  "2025-11-28 10:00 UTC)"));
	free(out);
	/* and the clock restarts */
	out = run(&a, 3600, T0 + 5400);
	ck_assert_str_eq(out, "");
	free(out);
	/* without --remind: never again while nothing changes */
	out = run(&a, 0, T0 + 86400);
	ck_assert_str_eq(out, "");
	free(out);
	mr_result_list_clear(&a);
}
END_TEST

/* An accepted finding whose date passes is a change, and says so. */
START_TEST(acceptance_runs_out)
{
	struct mr_result_list a = {0}, b = {0};
	struct health_diff d;
	char err[700];

	struct mr_result *r = add(&a, "n1.example", "dns.ptr", "n1.example",
	                          MR_PASS, "PTR_NAME_MISMATCH", "PTR is x");
	r->findings[0]->found = MR_FAIL;
	r->findings[0]->accepted_until = strdup("2025-11-28");
	r->findings[0]->accept_reason = strdup("provider");
	char *out = run(&a, 0, T0);
	free(out);

	r = add(&b, "n1.example", "dns.ptr", "n1.example", MR_FAIL,
	        "PTR_NAME_MISMATCH", "PTR is x");
	r->findings[0]->accepted_until = strdup("2025-11-28");
	r->findings[0]->accept_reason = strdup("provider");
	r->findings[0]->accept_expired = true;
	ck_assert_int_eq(
		health_diff(path, &b, T0 + 86400, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_ptr_nonnull(d.v[0].expired);
	out = printed(&d, &b, 0, T0 + 86400);
	ck_assert_ptr_nonnull(strstr(out, "pass -> fail [PTR_NAME_MISMATCH]"));
	ck_assert_ptr_nonnull(strstr(out, "the acceptance of "
	                                  "PTR_NAME_MISMATCH ran out on "
	                                  "2025-11-28: it counts again"));
	free(out);
	health_diff_free(&d);
	mr_result_list_clear(&a);
	mr_result_list_clear(&b);
}
END_TEST

START_TEST(broken_state)
{
	struct mr_result_list a = {0};
	struct health_diff d;
	char err[700];

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(health_save(path, &a, &d, 0, false, err, sizeof(err)),
	                 0);
	FILE *f = fopen(path, "w");
	fputs("{\"schema\": \"nope\"}", f);
	fclose(f);
	ck_assert_int_lt(health_diff(path, &a, T0, &d, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a mailready-state/2 state"));
	ck_assert_ptr_nonnull(strstr(err, "to start afresh"));
	ck_assert_ptr_null(strchr(err, '\n'));
	f = fopen(path, "w");
	fputs("{{{", f);
	fclose(f);
	ck_assert_int_lt(health_diff(path, &a, T0, &d, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "the state file is damaged"));
	ck_assert_ptr_nonnull(strstr(err, "delete it to start afresh"));
}
END_TEST

/* A state written by version 0.1 still reads. */
START_TEST(state_v1)
{
	struct mr_result_list a = {0};
	struct health_diff d;
	char err[700];
	FILE *f;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(health_save(path, &a, &d, 0, false, err, sizeof(err)),
	                 0);
	f = fopen(path, "w");
	fputs("{\"schema\": \"mailready-state/1\", \"written_at\": "
	      "\"2025-11-28T10:00:00Z\", \"checks\": [{\"node\": "
	      "\"n1.example\", \"id\": \"dns.ptr\", \"target\": "
	      "\"n1.example\", \"status\": \"fail\"}]}",
	      f);
	fclose(f);
	add(&a, "n1.example", "dns.ptr", "n1.example", MR_FAIL, "PTR_MISSING",
	    "no PTR");
	ck_assert_int_eq(health_diff(path, &a, T0 + 60, &d, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(health_since_of(&d, a.v[0], NULL, 0), T0);
	health_diff_free(&d);
	mr_result_list_clear(&a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, remind);
	tcase_add_test(tc, acceptance_runs_out);
	tcase_add_test(tc, broken_state);
	tcase_add_test(tc, state_v1);
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
