/*
 * text.c -- error quoting and text validation for the reply parsers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto/text.h"

const char *
proto_quote(const char *s, size_t len, char *buf, size_t buflen)
{
	if (len == 0 || *s == '\0')
		return "an empty line";
	size_t n = strnlen(s, len < PROTO_QUOTE_MAX ? len : PROTO_QUOTE_MAX);
	bool cut = n < len && s[n] != '\0';
	snprintf(buf, buflen, "'%.*s'%s", (int)n, s, cut ? "..." : "");
	return buf;
}

void
proto_errorv(char *err, size_t errlen, const char *line, const char *fmt,
             va_list ap)
{
	char why[160], q[PROTO_QUOTE_MAX + 8];

	vsnprintf(why, sizeof(why), fmt, ap);
	snprintf(err, errlen, "%s, got %s", why,
	         proto_quote(line, strlen(line), q, sizeof(q)));
}

long
proto_bad_text_byte(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return (long)(p - (const unsigned char *)s);
	return -1;
}
