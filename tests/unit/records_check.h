/*
 * records_check.h -- what the record parsers' unit tests (test_dmarc.c,
 * test_mtasts.c, test_tlsrpt.c) assert about messages: one line of
 * printable ASCII, and a warning that says what it should.
 */
#ifndef MAILREADY_TESTS_RECORDS_CHECK_H
#define MAILREADY_TESTS_RECORDS_CHECK_H

#include <check.h>
#include <string.h>

#include "records/record.h"

/* No byte of the input leaks into a message raw. */
static inline void
assert_clean(const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f,
		              "message '%s' holds byte 0x%02x", msg, *p);
}

/* Every warning is clean, and one of them contains want. */
static inline void
assert_warned(const struct rec_warnings *w, const char *want)
{
	bool found = false;

	for (size_t i = 0; i < w->n; i++) {
		assert_clean(w->msg[i]);
		found = found || strstr(w->msg[i], want) != NULL;
	}
	ck_assert_msg(found, "no warning says '%s' (%zu warnings)", want, w->n);
}

/* The error of a failed parse: clean and saying want. */
static inline void
assert_error(const char *input, const char *err, const char *want)
{
	ck_assert_msg(strstr(err, want) != NULL, "'%s': error '%s' lacks '%s'",
	              input, err, want);
	assert_clean(err);
}

#endif
