/*
 * record.c -- the pieces the DMARC, TLS-RPT and MTA-STS parsers share
 * (record.h): record selection, quoting, warnings, URIs, host names.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records/record.h"
#include "records/tagval.h"
#include "xmalloc.h"

const char *
rec_quote(const char *s, size_t len, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len < REC_QUOTE_MAX ? len : REC_QUOTE_MAX;
	size_t o = 0;

	if (buflen < n * 4 + 6) {
		if (buflen > 0)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '\'';
	if (n < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

void
rec_warn(struct rec_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n == REC_WARN_MAX) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n++], REC_WARN_LEN, fmt, ap);
	va_end(ap);
}

static bool
starts_record(const struct rec_txt *t, const char *prefix)
{
	size_t lp = strlen(prefix);

	if (t->len < lp || memcmp(t->s, prefix, lp) != 0)
		return false;
	return t->len == lp || t->s[lp] == ' ' || t->s[lp] == '\t' ||
	       t->s[lp] == ';';
}

/* Equal to prefix but for case and blanks: a typo worth naming. */
static bool
looks_like(const struct rec_txt *t, const char *prefix)
{
	size_t i = 0;

	for (const char *p = prefix; *p != '\0'; p++) {
		while (i < t->len && (t->s[i] == ' ' || t->s[i] == '\t'))
			i++;
		if (i == t->len || tolower((unsigned char)t->s[i]) !=
		                           tolower((unsigned char)*p))
			return false;
		i++;
	}
	return true;
}

int
rec_select(const struct rec_txt *txt, size_t n, const char *prefix,
           const char *what, size_t *index, char *err, size_t errlen)
{
	size_t found = 0, near = n;
	char q[REC_QUOTE_BUF];

	for (size_t i = 0; i < n; i++) {
		if (starts_record(&txt[i], prefix)) {
			if (found++ == 0)
				*index = i;
		} else if (near == n && looks_like(&txt[i], prefix)) {
			near = i;
		}
	}
	if (found == 1)
		return 1;
	if (found > 1) {
		snprintf(err, errlen,
		         "%zu TXT records start with '%s': with more than "
		         "one, receivers ignore them all",
		         found, prefix);
		return -1;
	}
	if (near < n)
		snprintf(err, errlen,
		         "no %s record: %s is not one, a record starts with "
		         "'%s' exactly",
		         what,
		         rec_quote(txt[near].s, txt[near].len, q, sizeof(q)),
		         prefix);
	else
		snprintf(
			err, errlen,
			"no %s record: none of %zu TXT records starts with '%s'",
			what, n, prefix);
	return 0;
}

bool
rec_host_valid(const char *s, size_t len, char *why, size_t whylen)
{
	char q[REC_QUOTE_BUF], qb[16];
	size_t start = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(why, whylen, "the host name is empty");
		return false;
	}
	if (len > REC_HOST_MAX) {
		snprintf(why, whylen,
		         "the host name is %zu bytes long, over REC_HOST_MAX "
		         "(%d)",
		         len, REC_HOST_MAX);
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			unsigned char c = (unsigned char)s[i];
			if (!isascii(c) || (!isalnum(c) && c != '-')) {
				snprintf(
					why, whylen,
					"host name %s: byte %s is not a letter, "
					"digit, '-' or '.'",
					rec_quote(s, len, q, sizeof(q)),
					rec_quote(s + i, 1, qb, sizeof(qb)));
				return false;
			}
			continue;
		}
		size_t l = i - start;
		if (l == 0) {
			snprintf(why, whylen, "host name %s: an empty label",
			         rec_quote(s, len, q, sizeof(q)));
			return false;
		}
		if (l > 63) {
			snprintf(
				why, whylen,
				"host name %s: a label is %zu bytes long, over "
				"63",
				rec_quote(s, len, q, sizeof(q)), l);
			return false;
		}
		if (s[start] == '-' || s[i - 1] == '-') {
			char ql[REC_QUOTE_BUF];
			snprintf(
				why, whylen,
				"host name %s: label %s starts or ends with '-'",
				rec_quote(s, len, q, sizeof(q)),
				rec_quote(s + start, l, ql, sizeof(ql)));
			return false;
		}
		start = i + 1;
	}
	return true;
}

bool
rec_host_norm(const char *s, size_t len, char *buf, size_t buflen)
{
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len >= buflen)
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[len] = '\0';
	return true;
}

/* "!10m" at the end of a DMARC URI: its length, or -1 when malformed. */
static long
size_suffix(const char *s, size_t len, uint64_t *bytes, char *err,
            size_t errlen)
{
	/* The first '!': RFC 7489 6.2 has any other one written %21. */
	const char *bang = memchr(s, '!', len);
	char q[REC_QUOTE_BUF];

	if (bang == NULL)
		return 0;
	size_t n = (size_t)(s + len - bang);
	uint64_t v = 0;
	size_t i = 1;
	for (; i < n && isdigit((unsigned char)bang[i]); i++) {
		unsigned d = (unsigned)(bang[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			goto toobig;
		v = v * 10 + d;
	}
	size_t digits = i - 1;
	unsigned shift = 0;
	if (digits > 0 && i + 1 == n) {
		const char *units = "kmgt", *u;
		u = strchr(units, tolower((unsigned char)bang[i]));
		if (u == NULL || bang[i] == '\0')
			goto bad;
		shift = 10 * (unsigned)(u - units + 1);
		i++;
	}
	if (digits == 0 || i != n)
		goto bad;
	if (v > (UINT64_MAX >> shift))
		goto toobig;
	*bytes = v << shift;
	return (long)n;
bad:
	snprintf(err, errlen,
	         "size limit %s: expected '!' then digits and an optional "
	         "unit k, m, g or t (a '!' in the URI is written %%21)",
	         rec_quote(bang, n, q, sizeof(q)));
	return -1;
toobig:
	snprintf(err, errlen, "size limit %s: over 2^64 bytes",
	         rec_quote(bang, n, q, sizeof(q)));
	return -1;
}

/* The host of "mailto:local@HOST?hdrs" or "https://user@HOST:port/path". */
static int
uri_host(const char *s, size_t len, struct rec_uri *u, char *err, size_t errlen)
{
	const char *h, *end = s + len;
	char q[REC_QUOTE_BUF], why[REC_WARN_LEN];

	if (u->scheme == REC_SCHEME_MAILTO) {
		const char *at = NULL;
		for (const char *p = s + 7; p < end && *p != '?'; p++)
			if (*p == '@')
				at = p;
		if (at == NULL) {
			snprintf(err, errlen,
			         "%s: a mailto: URI needs an address with '@'",
			         rec_quote(s, len, q, sizeof(q)));
			return -1;
		}
		h = at + 1;
		end = memchr(h, '?', (size_t)(end - h));
		if (end == NULL)
			end = s + len;
	} else {
		if (len < 8 || memcmp(s + 6, "//", 2) != 0) {
			snprintf(err, errlen,
			         "%s: expected 'https://' and a host",
			         rec_quote(s, len, q, sizeof(q)));
			return -1;
		}
		h = s + 8;
		end = h;
		while (end < s + len && *end != '/' && *end != '?' &&
		       *end != '#')
			end++;
		for (const char *p = h; p < end; p++)
			if (*p == '@')
				h = p + 1;
		const char *colon = memchr(h, ':', (size_t)(end - h));
		if (colon != NULL)
			end = colon;
	}
	if (!rec_host_valid(h, (size_t)(end - h), why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", rec_quote(s, len, q, sizeof(q)),
		         why);
		return -1;
	}
	u->host = xmalloc((size_t)(end - h) + 1);
	rec_host_norm(h, (size_t)(end - h), u->host, (size_t)(end - h) + 1);
	return 0;
}

int
rec_uri_parse(const char *s, size_t len, bool size, struct rec_uri *u,
              char *err, size_t errlen)
{
	char q[REC_QUOTE_BUF], qb[16];
	size_t i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~') {
			snprintf(
				err, errlen,
				"%s: byte %s is not allowed in a URI (encode it)",
				rec_quote(s, len, q, sizeof(q)),
				rec_quote(s + i, 1, qb, sizeof(qb)));
			return -1;
		}
	for (i = 0; i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' ||
	                        s[i] == '-' || s[i] == '.');
	     i++)
		;
	if (len == 0 || i == len || s[i] != ':' || i == 0 ||
	    !isalpha((unsigned char)s[0])) {
		snprintf(err, errlen,
		         "%s: not a URI (expected a scheme such as 'mailto:')",
		         len ? rec_quote(s, len, q, sizeof(q)) : "''");
		return -1;
	}
	if (size) {
		long n = size_suffix(s, len, &u->max_size, err, errlen);
		if (n < 0)
			return -1;
		len -= (size_t)n;
	}
	if (i == 6 && strncasecmp(s, "mailto", 6) == 0)
		u->scheme = REC_SCHEME_MAILTO;
	else if (i == 5 && strncasecmp(s, "https", 5) == 0)
		u->scheme = REC_SCHEME_HTTPS;
	if (u->scheme != REC_SCHEME_OTHER && uri_host(s, len, u, err, errlen))
		return -1;
	u->uri = xstrndup(s, len);
	return 0;
}

void
rec_uri_free(struct rec_uri *u)
{
	free(u->uri);
	free(u->host);
	memset(u, 0, sizeof(*u));
}

int
rec_strict_split(const char *s, size_t len, size_t max, const char *maxname,
                 const char *version, struct tagval_list *l,
                 struct rec_warnings *w, char *err, size_t errlen)
{
	char q[REC_QUOTE_BUF];
	size_t lv = strlen(version);

	if (len > max) {
		snprintf(err, errlen,
		         "the record is %zu bytes long, over %s (%zu)", len,
		         maxname, max);
		return -1;
	}
	if (tagval_parse(s, len, l, err, errlen) < 0)
		return -1;
	if (l->n == 0 || !tagval_is(&l->tag[0], "v", false) ||
	    !tagval_value_is(&l->tag[0], version, false)) {
		bool semi = l->n > 0 && l->tag[0].valuelen > lv &&
		            memcmp(l->tag[0].value, version, lv) == 0;
		snprintf(err, errlen,
		         "the record does not start with 'v=%s', got %s%s",
		         version,
		         l->n ? rec_quote(l->tag[0].spec, l->tag[0].speclen, q,
		                          sizeof(q))
		              : "nothing",
		         semi ? " (is a ';' missing?)" : "");
		return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->tag[i].spaced)
			rec_warn(w,
			         "field %s: spaces around '=' are not in the "
			         "grammar",
			         rec_quote(l->tag[i].spec, l->tag[i].speclen, q,
			                   sizeof(q)));
	if (l->empty > 0)
		rec_warn(w, "%zu empty field%s (';;') ignored", l->empty,
		         l->empty == 1 ? "" : "s");
	return 0;
}

void
rec_strict_unknown(const struct tagval *t, struct rec_warnings *w)
{
	char q[REC_QUOTE_BUF];
	bool valid = t->namelen <= 32 && isalnum((unsigned char)t->name[0]);

	rec_warn(w,
	         valid ? "unknown field %s ignored"
	               : "field %s ignored: not a valid field name",
	         rec_quote(t->spec, t->speclen, q, sizeof(q)));
}

bool
rec_next_item(struct rec_items *it, const char **item, size_t *len)
{
	if (it->p == NULL)
		return false;
	const char *sep = memchr(it->p, it->sep, (size_t)(it->end - it->p));
	const char *e = sep ? sep : it->end;
	const char *b = it->p;

	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*item = b;
	*len = (size_t)(e - b);
	it->p = sep ? sep + 1 : NULL;
	return true;
}
