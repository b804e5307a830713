/*
 * strbuf.h -- a growable string, for messages and lists built piece by
 * piece ("a, b and 3 more") without re-copying the whole text each time.
 *
 *   struct strbuf b = STRBUF_INIT;
 *   strbuf_addf(&b, "%s port %u", addr, port);
 *   char *s = strbuf_take(&b);   // caller frees s; b is empty again
 */
#ifndef MAILREADY_STRBUF_H
#define MAILREADY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *s; /* NUL-terminated once anything was added; else NULL */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strbuf_add(struct strbuf *b, const char *s);
void strbuf_addn(struct strbuf *b, const char *s, size_t n);
void strbuf_addc(struct strbuf *b, char c);
void strbuf_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/** Add sep first unless b is empty: lists without a leading separator. */
void strbuf_sep(struct strbuf *b, const char *sep);

/** The text so far ("" when empty); valid until the next change. */
const char *strbuf_str(const struct strbuf *b);

/** Hand the text over (never NULL; "" when empty) and reset b. */
char *strbuf_take(struct strbuf *b);

/** Cut the text back to its first len bytes (len <= b->len). */
void strbuf_truncate(struct strbuf *b, size_t len);

void strbuf_reset(struct strbuf *b);

#endif
