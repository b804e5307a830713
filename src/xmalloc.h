/*
 * xmalloc.h -- allocation that never returns NULL, and small string helpers.
 *
 * Running out of memory in a short-lived checker is not a condition to
 * report per check: the process says so and exits 3 (unknown).
 */
#ifndef MAILREADY_XMALLOC_H
#define MAILREADY_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of elements of size 'size' to hold at least need items. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/* Abort with a message: an impossible internal state (fatalx in OpenSMTPD). */
_Noreturn void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
