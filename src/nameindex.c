/*
 * nameindex.c -- open addressing with linear probing, kept at most half
 * full (see nameindex.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "nameindex.h"
#include "xmalloc.h"

#define EMPTY SIZE_MAX

/* FNV-1a over the name as name_equal() sees it. */
static size_t
hash(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 14695981039346656037ULL;

	if (len > 1 && s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)tolower((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static void
put(struct name_index *ix, size_t i, name_index_get *get, const void *arg)
{
	size_t mask = ix->nslots - 1;
	size_t at = hash(get(arg, i)) & mask;

	while (ix->slots[at] != EMPTY)
		at = (at + 1) & mask;
	ix->slots[at] = i;
}

void
name_index_rebuild(struct name_index *ix, size_t n, name_index_get *get,
                   const void *arg)
{
	size_t want = 16;

	while (want < 2 * (n + 1))
		want *= 2;
	free(ix->slots);
	ix->slots = xreallocarray(NULL, want, sizeof(*ix->slots));
	ix->nslots = want;
	for (size_t i = 0; i < want; i++)
		ix->slots[i] = EMPTY;
	for (size_t i = 0; i < n; i++)
		put(ix, i, get, arg);
	ix->n = n;
}

void
name_index_add(struct name_index *ix, size_t n, name_index_get *get,
               const void *arg)
{
	if (ix->slots == NULL || ix->n != n || 2 * (n + 2) > ix->nslots) {
		name_index_rebuild(ix, n + 1, get, arg);
		return;
	}
	put(ix, n, get, arg);
	ix->n = n + 1;
}

size_t
name_index_find(const struct name_index *ix, const char *name,
                name_index_get *get, const void *arg)
{
	if (ix->slots == NULL)
		return EMPTY;
	size_t mask = ix->nslots - 1;
	for (size_t at = hash(name) & mask; ix->slots[at] != EMPTY;
	     at = (at + 1) & mask)
		if (name_equal(get(arg, ix->slots[at]), name))
			return ix->slots[at];
	return EMPTY;
}

void
name_index_free(struct name_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
