/*
 * test_codes.c -- the finding codes (include/mailready/codes.def): names
 * are unique, stable in form (UPPER_SNAKE), each has a meaning, and
 * mailready(1) lists exactly these codes in its FINDING CODES section,
 * each with that meaning, so the documentation cannot drift from the
 * table. Also the did-you-mean for a misspelt code.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/codes.h"

START_TEST(names_unique_and_well_formed)
{
	for (size_t i = 0; i < CODE_COUNT; i++) {
		const char *n = mr_codes[i].name;
		ck_assert_msg(isupper((unsigned char)n[0]), "%s", n);
		for (const char *p = n; *p; p++)
			ck_assert_msg(isupper((unsigned char)*p) ||
			                      isdigit((unsigned char)*p) ||
			                      *p == '_',
			              "%s", n);
		ck_assert_msg(mr_codes[i].meaning[0] != '\0', "%s", n);
		for (size_t k = i + 1; k < CODE_COUNT; k++)
			ck_assert_msg(strcmp(n, mr_codes[k].name) != 0,
			              "%s twice", n);
		ck_assert_ptr_eq(mr_code_find(n), &mr_codes[i]);
		ck_assert_str_eq(mr_code_name((enum mr_code)i), n);
	}
	ck_assert_ptr_null(mr_code_find("ptr_missing"));
	ck_assert_str_eq(mr_code_suggest("PTR_MISING"), "PTR_MISSING");
	ck_assert_str_eq(mr_code_suggest("CERT_EXPIRE_SOON"),
	                 "CERT_EXPIRES_SOON");
	ck_assert_ptr_null(mr_code_suggest("SOMETHING_ELSE_ENTIRELY"));
}
END_TEST

/* The FINDING CODES section of mailready(1), as read by a person. */
static char *
man_section(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/man/mailready.1", SRCDIR);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char all[1 << 20];
	size_t n = fread(all, 1, sizeof(all) - 1, f);
	all[n] = '\0';
	fclose(f);
	char *start = strstr(all, "\n.SH FINDING CODES\n");
	ck_assert_msg(start != NULL, "mailready(1) has no FINDING CODES");
	char *end = strstr(start + 1, "\n.SH ");
	if (end)
		*end = '\0';
	return start;
}

/* groff's escapes for '-' and '\' as the generated section writes them. */
static char *
unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == '-') {
			*o++ = '-';
			s++;
		} else if (s[0] == '\\' && s[1] == 'e') {
			*o++ = '\\';
			s++;
		} else if (s[0] == '\\' && s[1] == '&') {
			s++;
		} else {
			*o++ = *s == '\n' ? ' ' : *s;
		}
	}
	*o = '\0';
	return out;
}

START_TEST(man_page_lists_every_code)
{
	char *sec = man_section();
	size_t listed = 0;

	for (char *p = strstr(sec, "\n.TP\n.B "); p != NULL;
	     p = strstr(p + 1, "\n.TP\n.B ")) {
		char name[64];
		ck_assert_int_eq(sscanf(p + 8, "%63[A-Z0-9_]", name), 1);
		const struct mr_code_def *c = mr_code_find(name);
		ck_assert_msg(c != NULL,
		              "mailready(1) lists %s, which is "
		              "not a code",
		              name);
		/* The text up to the next entry has the meaning. */
		char *next = strstr(p + 1, "\n.TP\n");
		char *body = strndup(p, next ? (size_t)(next - p) : strlen(p));
		char *plain = unescape(body);
		ck_assert_msg(strcasestr(plain, c->meaning + 1) != NULL,
		              "mailready(1): %s lacks its meaning '%s'", name,
		              c->meaning);
		if (c->fix[0] != '\0')
			ck_assert_msg(strstr(plain, c->fix) != NULL,
			              "mailready(1): %s lacks its fix '%s'",
			              name, c->fix);
		free(plain);
		free(body);
		listed++;
	}
	ck_assert_uint_eq(listed, CODE_COUNT);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("codes");
	TCase *tc = tcase_create("codes");
	tcase_add_test(tc, names_unique_and_well_formed);
	tcase_add_test(tc, man_page_lists_every_code);
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
