/*
 * nameindex.h -- host and domain names hashed to the index of their entry
 * in an array the caller owns (nodes of the config, groups of a report),
 * compared as name_equal() does: without regard to case, one trailing dot
 * aside. Lookups stay constant in time at 100,000 names.
 */
#ifndef MAILREADY_NAMEINDEX_H
#define MAILREADY_NAMEINDEX_H

#include <stddef.h>

/* The name of entry i of the caller's array. */
typedef const char *name_index_get(const void *arg, size_t i);

struct name_index {
	size_t *slots; /* entry indexes; SIZE_MAX for an empty slot */
	size_t nslots; /* a power of two, at least twice n */
	size_t n;      /* entries 0..n-1 are in */
};

/** Entries 0..n-1 of the array, afresh (after entries moved or went). */
void name_index_rebuild(struct name_index *ix, size_t n, name_index_get *get,
                        const void *arg);

/** Entry n (the array's new last one) goes in; ix->n must be n. */
void name_index_add(struct name_index *ix, size_t n, name_index_get *get,
                    const void *arg);

/** The index of name's entry, or SIZE_MAX. */
size_t name_index_find(const struct name_index *ix, const char *name,
                       name_index_get *get, const void *arg);

void name_index_free(struct name_index *ix);

#endif
