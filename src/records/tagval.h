/*
 * tagval.h -- the "tag=value; tag=value" lists of DKIM (RFC 6376 3.2),
 * DMARC (RFC 7489 6.4) and TLS-RPT (RFC 8460 3), split without copying.
 *
 * Only the shared syntax is checked here: a tag name of letters, digits,
 * '_', '-' and '.'; an '='; a value of printable ASCII without ';' that
 * may hold inner spaces. Spaces and tabs around names, '=' and values are
 * skipped and said (a grammar without them can refuse them). Folding
 * whitespace (CRLF) must be unfolded by the caller. Which names exist,
 * whether case matters, duplicates and values are the caller's business.
 */
#ifndef MAILREADY_RECORDS_TAGVAL_H
#define MAILREADY_RECORDS_TAGVAL_H

#include <stdbool.h>
#include <stddef.h>

/* Tags in one list; more is an error. */
#define TAGVAL_MAX_TAGS 32

struct tagval {
	const char *name; /* into the input, not NUL-terminated */
	size_t namelen;
	const char *value; /* may be empty */
	size_t valuelen;
	const char *spec; /* the whole "name = value", for messages */
	size_t speclen;
	bool spaced; /* space or tab next to the '=' */
};

struct tagval_list {
	struct tagval tag[TAGVAL_MAX_TAGS];
	size_t n;
	size_t empty; /* empty specs (";;"), not counting a final ';' */
};

/**
 * Split len bytes of s into tags, in order.
 * @return 0, or -1 with what is wrong in err (the tag is quoted, its
 *         bytes outside printable ASCII as \xNN)
 */
int tagval_parse(const char *s, size_t len, struct tagval_list *l, char *err,
                 size_t errlen);

/** Is t's name equal to name (case-insensitively when nocase)? */
bool tagval_is(const struct tagval *t, const char *name, bool nocase);

/** Is t's value equal to value (case-insensitively when nocase)? */
bool tagval_value_is(const struct tagval *t, const char *value, bool nocase);

#endif
