/*
 * fuzz.c -- helpers of the fuzz targets (fuzz.h).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xmalloc.h"

char *
fuzz_string(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

char *
fuzz_exact(const void *p, size_t n)
{
	char *b = xmalloc(n ? n : 1);

	if (n > 0)
		memcpy(b, p, n);
	return b;
}

void
fuzz_lines_init(struct fuzz_lines *l, const uint8_t *data, size_t size)
{
	l->p = data;
	l->end = data + size;
	l->line = NULL;
}

const char *
fuzz_next_line(struct fuzz_lines *l, size_t max)
{
	const uint8_t *lf;
	size_t n;

	free(l->line);
	l->line = NULL;
	if (l->p >= l->end)
		return NULL;
	lf = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (lf == NULL || (size_t)(lf - l->p) > max)
		return NULL;
	n = (size_t)(lf - l->p);
	/* evbuffer_readln(EVBUFFER_EOL_CRLF): LF, or one CR and LF. A NUL
	   inside cuts the C string the parser sees. */
	if (n > 0 && l->p[n - 1] == '\r')
		n--;
	l->line = xstrndup((const char *)l->p, n);
	l->p = lf + 1;
	return l->line;
}

void
fuzz_lines_free(struct fuzz_lines *l)
{
	free(l->line);
	l->line = NULL;
}

void
fuzz_assert_printable(const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		assert(*p >= 0x20 && *p < 0x7f);
}

size_t
fuzz_split(const uint8_t *data, size_t size, char sep, const char **s,
           size_t *len, size_t max)
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	while (n < max) {
		const char *at =
			n + 1 < max ? memchr(p, sep, (size_t)(end - p)) : NULL;
		const char *e = at ? at : end;
		s[n] = p;
		len[n++] = (size_t)(e - p);
		if (at == NULL)
			break;
		p = at + 1;
	}
	return n;
}
