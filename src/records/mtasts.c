/*
 * mtasts.c -- MTA-STS TXT records, policy files and mx patterns
 * (mtasts.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records/mtasts.h"
#include "records/tagval.h"
#include "xmalloc.h"

#define STS_PREFIX "v=STSv1"

/* ---------------------------------------------------------- TXT record */

static bool
ext_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 32 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static int
parse_id(const struct tagval *t, struct mtasts_record *r, char *err,
         size_t errlen)
{
	char q[REC_QUOTE_BUF];
	bool ok = t->valuelen > 0 && t->valuelen <= MTASTS_ID_MAX;

	for (size_t i = 0; ok && i < t->valuelen; i++)
		ok = isascii((unsigned char)t->value[i]) &&
		     isalnum((unsigned char)t->value[i]);
	if (!ok) {
		snprintf(err, errlen,
		         "field %s: expected an id of 1 to %d letters and "
		         "digits (MTASTS_ID_MAX)",
		         rec_quote(t->spec, t->speclen, q, sizeof(q)),
		         MTASTS_ID_MAX);
		return -1;
	}
	memcpy(r->id, t->value, t->valuelen);
	r->id[t->valuelen] = '\0';
	return 0;
}

static int
parse_fields(const struct tagval_list *l, struct mtasts_record *r, char *err,
             size_t errlen)
{
	char q[REC_QUOTE_BUF];

	for (size_t i = 1; i < l->n; i++) {
		const struct tagval *t = &l->tag[i];

		if (tagval_is(t, "v", false)) {
			snprintf(err, errlen,
			         "field %s: 'v' must be given once, first",
			         rec_quote(t->spec, t->speclen, q, sizeof(q)));
			return -1;
		}
		if (!tagval_is(t, "id", false)) {
			rec_strict_unknown(t, &r->warn);
			continue;
		}
		if (r->id[0] != '\0') {
			snprintf(err, errlen, "field %s: the id is given twice",
			         rec_quote(t->spec, t->speclen, q, sizeof(q)));
			return -1;
		}
		if (parse_id(t, r, err, errlen) < 0)
			return -1;
	}
	if (r->id[0] == '\0') {
		snprintf(err, errlen,
		         "no 'id' field: it is required (RFC 8461 3.1)");
		return -1;
	}
	return 0;
}

int
mtasts_record_parse(const char *s, size_t len, struct mtasts_record *r,
                    char *err, size_t errlen)
{
	struct tagval_list l;

	memset(r, 0, sizeof(*r));
	if (rec_strict_split(s, len, MTASTS_RECORD_MAX, "MTASTS_RECORD_MAX",
	                     "STSv1", &l, &r->warn, err, errlen) < 0 ||
	    parse_fields(&l, r, err, errlen) < 0) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return 0;
}

int
mtasts_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
              size_t errlen)
{
	return rec_select(txt, n, STS_PREFIX, "MTA-STS", index, err, errlen);
}

/* --------------------------------------------------------- policy file */

struct line {
	unsigned no; /* from 1 */
	const char *s;
	size_t len;
	const char *key, *value;
	size_t keylen, valuelen;
};

static int
line_error(const struct line *l, char *err, size_t errlen, const char *why)
{
	char q[REC_QUOTE_BUF];

	snprintf(err, errlen, "line %u %s: %s", l->no,
	         rec_quote(l->s, l->len, q, sizeof(q)), why);
	return -1;
}

/* Split "key: value", refusing control bytes anywhere in the line. */
static int
split_line(struct line *l, char *err, size_t errlen)
{
	char why[64], qb[16];
	const char *colon;

	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(why, sizeof(why), "byte %s is not allowed",
			         rec_quote(l->s + i, 1, qb, sizeof(qb)));
			return line_error(l, err, errlen, why);
		}
	}
	colon = memchr(l->s, ':', l->len);
	if (colon == NULL)
		return line_error(l, err, errlen, "expected 'key: value'");
	l->key = l->s;
	l->keylen = (size_t)(colon - l->s);
	if (!ext_name_valid(l->key, l->keylen))
		return line_error(l, err, errlen,
		                  "expected a key of letters, digits, '_', "
		                  "'-' and '.' right before ':'");
	l->value = colon + 1;
	l->valuelen = l->len - l->keylen - 1;
	while (l->valuelen > 0 && (*l->value == ' ' || *l->value == '\t'))
		l->value++, l->valuelen--;
	while (l->valuelen > 0 && (l->value[l->valuelen - 1] == ' ' ||
	                           l->value[l->valuelen - 1] == '\t'))
		l->valuelen--;
	if (l->valuelen == 0)
		return line_error(l, err, errlen, "the value is empty");
	return 0;
}

static bool
key_is(const struct line *l, const char *key)
{
	return l->keylen == strlen(key) && memcmp(l->key, key, l->keylen) == 0;
}

static bool
value_is(const struct line *l, const char *v)
{
	return l->valuelen == strlen(v) &&
	       memcmp(l->value, v, l->valuelen) == 0;
}

static int
parse_mode(const struct line *l, struct mtasts_policy *p, char *err,
           size_t errlen)
{
	if (value_is(l, "enforce"))
		p->mode = MTASTS_MODE_ENFORCE;
	else if (value_is(l, "testing"))
		p->mode = MTASTS_MODE_TESTING;
	else if (value_is(l, "none"))
		p->mode = MTASTS_MODE_NONE;
	else
		return line_error(l, err, errlen,
		                  "expected enforce, testing or none");
	return 0;
}

static int
parse_max_age(const struct line *l, struct mtasts_policy *p, char *err,
              size_t errlen)
{
	uint64_t v = 0;

	for (size_t i = 0; i < l->valuelen; i++) {
		if (!isdigit((unsigned char)l->value[i]))
			return line_error(l, err, errlen,
			                  "expected a number of seconds");
		if (v <= MTASTS_MAX_AGE_MAX)
			v = v * 10 + (unsigned)(l->value[i] - '0');
	}
	if (l->valuelen > 10)
		return line_error(l, err, errlen,
		                  "expected at most 10 digits (RFC 8461 3.2)");
	if (v > MTASTS_MAX_AGE_MAX)
		return line_error(l, err, errlen,
		                  "over 31557600 (MTASTS_MAX_AGE_MAX, a year)");
	p->max_age = (uint32_t)v;
	return 0;
}

static int
parse_mx(const struct line *l, struct mtasts_policy *p, char *err,
         size_t errlen)
{
	char why[REC_WARN_LEN], q[REC_QUOTE_BUF];
	const char *h = l->value;
	size_t n = l->valuelen;

	if (p->nmx == MTASTS_MX_MAX)
		return line_error(
			l, err, errlen,
			"more than 64 mx lines (bound MTASTS_MX_MAX)");
	if (n >= 2 && h[0] == '*' && h[1] == '.')
		h += 2, n -= 2;
	if (!rec_host_valid(h, n, why, sizeof(why)))
		return line_error(l, err, errlen, why);
	if (h[n - 1] == '.')
		n--;
	if (memchr(h, '.', n) == NULL)
		return line_error(l, err, errlen,
		                  "expected a host name of two labels or more");
	for (size_t i = 0; i < p->nmx; i++)
		if (strlen(p->mx[i]) == l->valuelen &&
		    strncasecmp(p->mx[i], l->value, l->valuelen) == 0) {
			rec_warn(
				&p->warn, "line %u: mx %s is given twice",
				l->no,
				rec_quote(l->value, l->valuelen, q, sizeof(q)));
			return 0;
		}
	p->mx[p->nmx++] = xstrndup(l->value, l->valuelen);
	return 0;
}

/* Which of version, mode, max_age each line set, for duplicates. */
#define SEEN_VERSION 0x1
#define SEEN_MODE    0x2
#define SEEN_MAX_AGE 0x4

static int
parse_line(const struct line *l, unsigned *seen, struct mtasts_policy *p,
           char *err, size_t errlen)
{
	static const struct {
		const char *key;
		unsigned bit;
	} once[] = {
		{"version", SEEN_VERSION},
		{"mode", SEEN_MODE},
		{"max_age", SEEN_MAX_AGE},
	};
	char q[REC_QUOTE_BUF];

	if (key_is(l, "mx"))
		return parse_mx(l, p, err, errlen);
	for (size_t i = 0; i < sizeof(once) / sizeof(*once); i++) {
		if (!key_is(l, once[i].key))
			continue;
		if (*seen & once[i].bit)
			return line_error(l, err, errlen,
			                  "the key is given twice");
		*seen |= once[i].bit;
		switch (once[i].bit) {
		case SEEN_VERSION:
			if (!value_is(l, "STSv1"))
				return line_error(l, err, errlen,
				                  "expected version STSv1");
			if (l->no != 1)
				rec_warn(&p->warn,
				         "line %u: version is not the first "
				         "line",
				         l->no);
			return 0;
		case SEEN_MODE:
			return parse_mode(l, p, err, errlen);
		default:
			return parse_max_age(l, p, err, errlen);
		}
	}
	rec_warn(&p->warn, "line %u: unknown key %s ignored", l->no,
	         rec_quote(l->key, l->keylen, q, sizeof(q)));
	return 0;
}

static int
check_required(unsigned seen, const struct mtasts_policy *p, char *err,
               size_t errlen)
{
	const char *missing = !(seen & SEEN_VERSION)   ? "version"
	                      : !(seen & SEEN_MODE)    ? "mode"
	                      : !(seen & SEEN_MAX_AGE) ? "max_age"
	                                               : NULL;

	if (missing != NULL) {
		snprintf(err, errlen,
		         "no '%s' line: it is required (RFC 8461 3.2)",
		         missing);
		return -1;
	}
	if (p->nmx == 0 && p->mode != MTASTS_MODE_NONE) {
		snprintf(err, errlen,
		         "no 'mx' line: mode %s needs one or more (RFC 8461 "
		         "3.2)",
		         mtasts_mode_name(p->mode));
		return -1;
	}
	return 0;
}

static int
parse_lines(const char *body, size_t len, struct mtasts_policy *p, char *err,
            size_t errlen)
{
	struct line l = {0};
	const char *s = body, *end = body + len;
	unsigned seen = 0, empty = 0;

	while (s < end) {
		const char *lf = memchr(s, '\n', (size_t)(end - s));
		const char *e = lf ? lf : end;

		l.no++;
		l.s = s;
		l.len = (size_t)(e - s);
		if (lf != NULL && l.len > 0 && e[-1] == '\r')
			l.len--;
		s = lf ? lf + 1 : end;
		if (l.len > MTASTS_LINE_MAX) {
			snprintf(err, errlen,
			         "line %u is %zu bytes long, over "
			         "MTASTS_LINE_MAX (%d)",
			         l.no, l.len, MTASTS_LINE_MAX);
			return -1;
		}
		if (l.len == 0) {
			empty++;
			continue;
		}
		if (split_line(&l, err, errlen) < 0 ||
		    parse_line(&l, &seen, p, err, errlen) < 0)
			return -1;
	}
	if (empty > 0)
		rec_warn(&p->warn, "%u empty line%s ignored", empty,
		         empty == 1 ? "" : "s");
	return check_required(seen, p, err, errlen);
}

int
mtasts_policy_parse(const char *body, size_t len, struct mtasts_policy *p,
                    char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (len > MTASTS_POLICY_MAX) {
		snprintf(err, errlen,
		         "the policy is %zu bytes long, over "
		         "MTASTS_POLICY_MAX (%d)",
		         len, MTASTS_POLICY_MAX);
		return -1;
	}
	if (parse_lines(body, len, p, err, errlen) < 0) {
		mtasts_policy_free(p);
		return -1;
	}
	return 0;
}

void
mtasts_policy_free(struct mtasts_policy *p)
{
	for (size_t i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	memset(p, 0, sizeof(*p));
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_NONE:
		return "none";
	case MTASTS_MODE_UNSET:
		break;
	}
	return "unset";
}

/* ---------------------------------------------------------- mx matching */

bool
mtasts_mx_match(const char *pattern, const char *host)
{
	size_t lp = strlen(pattern), lh = strlen(host);

	if (lp > 0 && pattern[lp - 1] == '.')
		lp--;
	if (lh > 0 && host[lh - 1] == '.')
		lh--;
	if (lp == 0 || lh == 0)
		return false;
	if (lp >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* ".example.com": the host is one label, then that. */
		const char *suffix = pattern + 1;
		size_t ls = lp - 1;
		if (lh <= ls || ls < 2 ||
		    strncasecmp(host + lh - ls, suffix, ls) != 0)
			return false;
		return memchr(host, '.', lh - ls) == NULL;
	}
	return lp == lh && strncasecmp(pattern, host, lp) == 0;
}
