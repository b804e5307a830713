/*
 * names.h -- DNS names as the program compares and stores them: without
 * case and without the trailing dot ("MTA1.Example.com." is
 * "mta1.example.com").
 */
#ifndef MAILREADY_NAMES_H
#define MAILREADY_NAMES_H

#include <stdbool.h>

/** Equal ignoring ASCII case and one trailing dot. */
bool name_equal(const char *a, const char *b);

/** A new lowercase copy without the trailing dot ("." stays "."). */
char *name_normalize(const char *name);

#endif
