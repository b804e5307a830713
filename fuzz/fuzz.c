/*
 * fuzz.c -- helpers of the fuzz targets (fuzz.h).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "records/record.h"
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

void
fuzz_txt_records(const uint8_t *data, size_t size,
                 int (*select)(const struct rec_txt *, size_t, size_t *, char *,
                               size_t),
                 void (*parse)(const char *, size_t))
{
	enum { MAX_TXT = 8 };
	struct rec_txt txt[MAX_TXT];
	const char *s[MAX_TXT];
	size_t len[MAX_TXT], n, index = 0;
	char err[512];

	n = fuzz_split(data, size, '\0', s, len, MAX_TXT);
	for (size_t i = 0; i < n; i++)
		txt[i] = (struct rec_txt){s[i], len[i]};
	err[0] = '\0';
	int found = select(txt, n, &index, err, sizeof(err));
	if (found == 1) {
		assert(index < n);
		parse(txt[index].s, txt[index].len);
	} else {
		assert(found == 0 || found == -1);
		assert(err[0] != '\0');
		fuzz_assert_printable(err);
	}
	parse((const char *)data, size);
}
