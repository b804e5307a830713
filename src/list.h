/*
 * list.h -- `mailready list`: the catalogue of checks and the finding
 * codes, for people (text) and for scripts (JSON, schema mailready-list/1).
 */
#ifndef MAILREADY_LIST_H
#define MAILREADY_LIST_H

#include <stdio.h>

/** Every check id with its scope and what it verifies. */
int list_render_checks(FILE *out);

/** Every finding code with its meaning and usual fix. */
int list_render_codes(FILE *out);

/** Both, as one JSON document. */
int list_render_json(FILE *out);

#endif
