/*
 * tagval.c -- tag=value list splitting (tagval.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "records/record.h"
#include "records/tagval.h"

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_name_char(char c)
{
	return isascii((unsigned char)c) &&
	       (isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.');
}

/* One "name = value" (no ';'), blanks around it already skipped. */
static int
parse_spec(const char *s, size_t len, struct tagval *t, char *err,
           size_t errlen)
{
	char q[REC_QUOTE_BUF], qb[16];
	size_t i = 0;

	t->spec = s, t->speclen = len;
	while (i < len && is_name_char(s[i]))
		i++;
	t->name = s, t->namelen = i;
	if (i == 0) {
		snprintf(err, errlen,
		         "tag %s: expected a tag name (letters, digits, "
		         "'_', '-', '.') before '='",
		         rec_quote(s, len, q, sizeof(q)));
		return -1;
	}
	t->spaced = false;
	while (i < len && is_wsp(s[i]))
		i++, t->spaced = true;
	if (i == len || s[i] != '=') {
		snprintf(err, errlen, "tag %s: expected '=' after the name%s",
		         rec_quote(s, len, q, sizeof(q)),
		         i == len ? "" : ", found another byte");
		return -1;
	}
	i++;
	if (i < len && is_wsp(s[i]))
		t->spaced = true;
	while (i < len && is_wsp(s[i]))
		i++;
	t->value = s + i, t->valuelen = len - i;
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x21 || c > 0x7e) && !is_wsp((char)c)) {
			snprintf(err, errlen,
			         "tag %s: byte %s is not allowed in a value",
			         rec_quote(s, len, q, sizeof(q)),
			         rec_quote(s + i, 1, qb, sizeof(qb)));
			return -1;
		}
	}
	return 0;
}

int
tagval_parse(const char *s, size_t len, struct tagval_list *l, char *err,
             size_t errlen)
{
	size_t i = 0;

	l->n = 0;
	l->empty = 0;
	while (i < len) {
		const char *semi = memchr(s + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - s) : len;
		size_t b = i, e = end;

		while (b < e && is_wsp(s[b]))
			b++;
		while (e > b && is_wsp(s[e - 1]))
			e--;
		i = semi ? end + 1 : len;
		if (b == e) {
			/* A final ';' (then blanks) ends the list cleanly. */
			if (semi != NULL || l->n == 0)
				l->empty++;
			continue;
		}
		if (l->n == TAGVAL_MAX_TAGS) {
			snprintf(err, errlen,
			         "more than %d tags (bound TAGVAL_MAX_TAGS)",
			         TAGVAL_MAX_TAGS);
			return -1;
		}
		if (parse_spec(s + b, e - b, &l->tag[l->n], err, errlen) < 0)
			return -1;
		l->n++;
	}
	return 0;
}

bool
tagval_is(const struct tagval *t, const char *name, bool nocase)
{
	size_t n = strlen(name);

	if (t->namelen != n)
		return false;
	return nocase ? strncasecmp(t->name, name, n) == 0
	              : memcmp(t->name, name, n) == 0;
}

bool
tagval_value_is(const struct tagval *t, const char *value, bool nocase)
{
	size_t n = strlen(value);

	if (t->valuelen != n)
		return false;
	return nocase ? strncasecmp(t->value, value, n) == 0
	              : memcmp(t->value, value, n) == 0;
}
