/*
 * codes.h -- the finding codes (codes.def): stable names, each with its
 * meaning and its usual fix, for probes, the [accept] section, the man
 * page and `mailready list --codes`.
 */
#ifndef MAILREADY_CODES_H
#define MAILREADY_CODES_H

#include <stddef.h>

enum mr_code {
#define CODE(name, meaning, fix) CODE_##name,
#include "mailready/codes.def"
#undef CODE
	CODE_COUNT
};

struct mr_code_def {
	const char *name;    /* "PTR_MISSING" */
	const char *meaning; /* one sentence */
	const char *fix; /* the usual fix; "" for codes that report a pass */
};

extern const struct mr_code_def mr_codes[CODE_COUNT];

/** The stable name of a code. */
const char *mr_code_name(enum mr_code c);

/** A code by name (exact, upper case). @return it, or NULL. */
const struct mr_code_def *mr_code_find(const char *name);

/** The known code nearest to a misspelt name, or NULL if none is close. */
const char *mr_code_suggest(const char *name);

#endif
