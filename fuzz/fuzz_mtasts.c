/*
 * fuzz_mtasts.c -- MTA-STS (src/records/mtasts.c, record.c, tagval.c):
 * the _mta-sts TXT record, the policy file, and mx pattern matching.
 *
 * Input: the first byte chooses. Even: the rest is the TXT records of
 * _mta-sts.example.com separated by NUL bytes (at most 8), the record
 * selected is parsed, and so is the whole rest. Odd: the rest is a
 * policy file; every mx pattern it yields is matched against a few fixed
 * host names and against names made from the pattern itself.
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "records/mtasts.h"
#include "xmalloc.h"

static void
record(const char *s, size_t len)
{
	struct mtasts_record r;
	char err[512];
	char *copy = fuzz_exact(s, len);

	err[0] = '\0';
	if (mtasts_record_parse(copy, len, &r, err, sizeof(err)) < 0) {
		assert(err[0] != '\0' && r.id[0] == '\0');
		fuzz_assert_printable(err);
	} else {
		size_t n = strlen(r.id);
		assert(n >= 1 && n <= MTASTS_ID_MAX);
		for (size_t i = 0; i < r.warn.n; i++)
			fuzz_assert_printable(r.warn.msg[i]);
	}
	free(copy);
}

/* The properties of RFC 8461 4.1 that hold for any pattern and host. */
static void
match_one(const char *pattern, const char *host)
{
	bool m = mtasts_mx_match(pattern, host);
	size_t lh = strlen(host), lp = strlen(pattern);
	char *up = xmalloc(lh + 2);

	for (size_t i = 0; i < lh; i++)
		up[i] = (char)toupper((unsigned char)host[i]);
	up[lh] = '\0';
	assert(mtasts_mx_match(pattern, up) == m);
	if (lh > 0 && host[lh - 1] != '.') {
		memcpy(up, host, lh);
		memcpy(up + lh, ".", 2);
		assert(mtasts_mx_match(pattern, up) == m);
	}
	/* Without a wildcard, a match is the same name. */
	if (m && (lp < 2 || pattern[0] != '*' || pattern[1] != '.')) {
		lp -= pattern[lp - 1] == '.';
		lh -= host[lh - 1] == '.';
		assert(lp == lh && strncasecmp(pattern, host, lp) == 0);
	}
	free(up);
}

static void
match_all(const char *pattern)
{
	static const char *const hosts[] = {
		"mail.example.com",  "mx1.example.net",
		"example.com",       "a.b.example.com",
		"MAIL.EXAMPLE.COM.", "",
		"*.example.com",     ".",
	};
	size_t lp = strlen(pattern);
	char *made = xmalloc(lp + 4);

	for (size_t i = 0; i < sizeof(hosts) / sizeof(*hosts); i++)
		match_one(pattern, hosts[i]);
	match_one(pattern, pattern);
	if (lp > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* One label more matches; the bare domain and two more do
		   not. */
		memcpy(made, "mx", 2);
		memcpy(made + 2, pattern + 1, lp);
		assert(mtasts_mx_match(pattern, made));
		assert(!mtasts_mx_match(pattern, pattern + 2));
		memcpy(made, "a.mx", 4);
		memcpy(made + 4, pattern + 1, lp);
		assert(!mtasts_mx_match(pattern, made));
	} else {
		assert(mtasts_mx_match(pattern, pattern) == (lp > 0));
	}
	free(made);
}

static void
policy(const uint8_t *data, size_t size)
{
	struct mtasts_policy p;
	char err[512];
	char *copy = fuzz_exact(data, size);

	err[0] = '\0';
	if (mtasts_policy_parse(copy, size, &p, err, sizeof(err)) < 0) {
		assert(err[0] != '\0' && p.nmx == 0);
		fuzz_assert_printable(err);
		free(copy);
		return;
	}
	assert(p.mode != MTASTS_MODE_UNSET);
	assert(p.max_age <= MTASTS_MAX_AGE_MAX);
	assert(p.nmx <= MTASTS_MX_MAX);
	assert(p.nmx > 0 || p.mode == MTASTS_MODE_NONE);
	for (size_t i = 0; i < p.warn.n; i++)
		fuzz_assert_printable(p.warn.msg[i]);
	for (size_t i = 0; i < p.nmx; i++)
		match_all(p.mx[i]);
	mtasts_policy_free(&p);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		policy(data + 1, size - 1);
	else
		fuzz_txt_records(data + 1, size - 1, mtasts_select, record);
	return 0;
}
