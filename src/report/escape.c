/*
 * escape.c -- make server-supplied text safe to print on one line.
 *
 * Greetings, PTR names, TXT records and error strings come from servers we
 * do not control. Before a renderer prints them they must not be able to
 * end a line (fake a Nagios state or a text table row), inject terminal
 * escape sequences, add a perfdata '|' or produce bytes that are not UTF-8.
 * Valid multibyte UTF-8 is kept so that IDN names and messages stay legible.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "xmalloc.h"

/* A growing output buffer; worst case every byte becomes four. */
struct esc_buf {
	char *p;
	size_t n;
};

static void
esc_put(struct esc_buf *b, const char *s, size_t len)
{
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

static void
esc_hex(struct esc_buf *b, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		char e[4] = {'\\', 'x', hex[s[i] >> 4], hex[s[i] & 0xf]};
		esc_put(b, e, sizeof(e));
	}
}

/*
 * Length of the valid UTF-8 sequence at s (2 to 4), or 0 if s does not
 * start one. Overlong forms, surrogates and code points above U+10FFFF are
 * invalid (RFC 3629). The code point is stored in *cp.
 */
static size_t
esc_utf8_len(const unsigned char *s, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL terminator fails this test, so we never read past it. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Code points that are valid but would still break or disguise a line: C1
 * controls (U+009B is a terminal CSI), the Unicode line and paragraph
 * separators, and the bidirectional overrides that can make text read
 * differently from what it is.
 */
static bool
esc_unsafe_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Escape one ASCII byte; returns false if it is printed as it is. */
static bool
esc_ascii(struct esc_buf *b, unsigned char c, bool pipe, bool backslash)
{
	switch (c) {
	case '\n':
		esc_put(b, "\\n", 2);
		return true;
	case '\r':
		esc_put(b, "\\r", 2);
		return true;
	case '\t':
		esc_put(b, "\\t", 2);
		return true;
	case '\\':
		if (!backslash)
			return false;
		esc_put(b, "\\\\", 2);
		return true;
	case '|':
		if (!pipe)
			return false;
		esc_hex(b, &c, 1);
		return true;
	default:
		if (c >= 0x20 && c != 0x7f)
			return false;
		esc_hex(b, &c, 1);
		return true;
	}
}

static char *
escape(const char *s, bool pipe, bool backslash)
{
	if (s == NULL)
		return xstrdup("");

	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	struct esc_buf b = {xmalloc(len * 4 + 1), 0};

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n;

		if (u[i] < 0x80) {
			if (!esc_ascii(&b, u[i], pipe, backslash))
				esc_put(&b, s + i, 1);
			i++;
		} else if ((n = esc_utf8_len(u + i, &cp)) == 0) {
			esc_hex(&b, u + i, 1);
			i++;
		} else {
			if (esc_unsafe_cp(cp))
				esc_hex(&b, u + i, n);
			else
				esc_put(&b, s + i, n);
			i += n;
		}
	}
	b.p[b.n] = '\0';
	return b.p;
}

char *
report_escape(const char *s, bool pipe)
{
	return escape(s, pipe, true);
}

char *
report_escape_controls(const char *s)
{
	return escape(s, false, false);
}

void
report_error(const char *prefix, const char *msg)
{
	/* Messages quote config lines, paths and server words: nothing of
	   theirs may move the cursor or colour the terminal. */
	char *e = report_escape(msg, false);

	fprintf(stderr, "mailready: %s%s\n", prefix, e);
	free(e);
}
