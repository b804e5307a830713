/*
 * test_golden.c -- every output format, byte for byte: `mailready report`
 * over two fixed mailready/2 runs (an inside and an outside vantage
 * point, with findings, hints, data, an accepted finding and hostile
 * server text) must print exactly tests/golden/report.FORMAT; the
 * mailready/1 files of version 0.1 still read (report-v1.text).
 * GOLDEN_UPDATE=1 rewrites the files instead (review the diff!).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labtest.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

static void
golden_of(const char *inputs, const char *format, const char *want_name)
{
	char in1[4096], in2[4096], want_path[4096];
	const char *src = getenv("SRCDIR");

	snprintf(in1, sizeof(in1), "%s/tests/golden/%s-inside.json", src,
	         inputs);
	snprintf(in2, sizeof(in2), "%s/tests/golden/%s-outside.json", src,
	         inputs);
	snprintf(want_path, sizeof(want_path), "%s/tests/golden/%s", src,
	         want_name);
	struct mr_run r;
	const char *argv[] = {"report", in1, in2, "-f", format, NULL};
	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	if (getenv("GOLDEN_UPDATE")) {
		FILE *f = fopen(want_path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(r.out, f);
		fclose(f);
	}
	char *want = slurp(want_path);
	ck_assert_msg(want != NULL, "%s is missing", want_path);
	ck_assert_msg(strcmp(want, r.out) == 0,
	              "%s differs from the output:\n%s", want_path, r.out);
	free(want);
	mr_run_free(&r);
}

static void
golden(const char *format)
{
	char name[64];

	snprintf(name, sizeof(name), "report.%s", format);
	golden_of("v2", format, name);
}

START_TEST(golden_v1_text)
{
	golden_of("v1", "text", "report-v1.text");
}
END_TEST

START_TEST(golden_text)
{
	golden("text");
}
END_TEST

START_TEST(golden_json)
{
	golden("json");
}
END_TEST

START_TEST(golden_nagios)
{
	golden("nagios");
}
END_TEST

START_TEST(golden_prometheus)
{
	golden("prometheus");
}
END_TEST

/* The same check from two vantage points stays two results. */
START_TEST(merge_keeps_vantages)
{
	char in1[4096], in2[4096];
	const char *src = getenv("SRCDIR");
	snprintf(in1, sizeof(in1), "%s/tests/golden/v2-inside.json", src);
	snprintf(in2, sizeof(in2), "%s/tests/golden/v2-outside.json", src);
	struct mr_run r;
	const char *argv[] = {"report", in1, in2, "-f", "json", NULL};
	mr_exec(&r, argv, NULL);
	size_t smtp = 0, i;
	json_t *c, *node = json_array_get(json_object_get(r.json, "nodes"), 0);
	json_array_foreach(json_object_get(node, "checks"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "id")),
		           "mail.smtp") != 0)
			continue;
		smtp++;
		const char *v =
			json_string_value(json_object_get(c, "vantage"));
		ck_assert(v != NULL && (strcmp(v, "mon-inside") == 0 ||
		                        strcmp(v, "probe-outside") == 0));
	}
	ck_assert_uint_eq(smtp, 2);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "vantage")),
	                 "mon-inside, probe-outside");
	mr_run_free(&r);
}
END_TEST

/* Two runs from one vantage would merge into indistinguishable series. */
START_TEST(merge_same_vantage)
{
	char in1[4096];
	const char *src = getenv("SRCDIR");
	snprintf(in1, sizeof(in1), "%s/tests/golden/v2-inside.json", src);
	struct mr_run r;
	const char *argv[] = {"report", in1, in1, NULL};
	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "were both taken at vantage "
	                                    "'mon-inside'; run each with its "
	                                    "own --vantage NAME"));
	mr_run_free(&r);
}
END_TEST

START_TEST(merge_rejects_garbage)
{
	char path[] = "/tmp/mailready-golden.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"schema\": \"other/2\"}\n", 22), 22);
	close(fd);
	struct mr_run r;
	const char *argv[] = {"report", path, NULL};
	mr_exec(&r, argv, NULL);
	unlink(path);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "not mailready results"));
	mr_run_free(&r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("report");
	tcase_add_test(tc, golden_text);
	tcase_add_test(tc, golden_json);
	tcase_add_test(tc, golden_nagios);
	tcase_add_test(tc, golden_prometheus);
	tcase_add_test(tc, golden_v1_text);
	tcase_add_test(tc, merge_same_vantage);
	tcase_add_test(tc, merge_keeps_vantages);
	tcase_add_test(tc, merge_rejects_garbage);
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
