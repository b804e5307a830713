/*
 * suggest.c -- nearest known word to a misspelt one.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "suggest.h"

size_t
edit_distance(const char *a, const char *b)
{
	size_t lb = strlen(b), row[64], i, j;

	if (lb >= sizeof(row) / sizeof(row[0]) || strlen(a) >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; a[i - 1]; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) !=
			                     tolower((unsigned char)b[j - 1]));
			size_t best = up + 1 < row[j - 1] + 1 ? up + 1
			                                      : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
suggest_nearest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word), limit = len >= 10 ? 3 : 2;
	size_t best = limit + 1;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		/* The distance is at least the difference in length: most
		   candidates need no table (a file of typos stays cheap). */
		size_t clen = strlen(candidates[i]);
		if ((clen > len ? clen - len : len - clen) > limit)
			continue;
		size_t d = edit_distance(word, candidates[i]);
		if (d < best) {
			best = d;
			pick = candidates[i];
		}
	}
	return pick;
}
