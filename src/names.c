/*
 * names.c -- comparing and normalizing DNS names.
 */
#include <string.h>
#include <strings.h>

#include "names.h"
#include "xmalloc.h"

static size_t
len_without_dot(const char *s)
{
	size_t n = strlen(s);
	return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

bool
name_equal(const char *a, const char *b)
{
	size_t la = len_without_dot(a), lb = len_without_dot(b);
	return la == lb && strncasecmp(a, b, la) == 0;
}

char *
name_normalize(const char *name)
{
	char *s = xstrndup(name, len_without_dot(name));
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}
