/*
 * suggest.h -- "did you mean": the nearest of known words to a misspelt
 * one, for config keys, sections, roles, check ids and finding codes.
 */
#ifndef MAILREADY_SUGGEST_H
#define MAILREADY_SUGGEST_H

#include <stddef.h>

/** Levenshtein distance, ASCII case-insensitive; SIZE_MAX past 63 chars. */
size_t edit_distance(const char *a, const char *b);

/**
 * The candidate nearest to word, if it is a likely typo (at most 2 edits,
 * 3 for words of 10 characters or more); else NULL.
 */
const char *suggest_nearest(const char *word, const char *const *candidates,
                            size_t n);

#endif
