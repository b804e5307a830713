/*
 * spf.c -- the SPF record parser and macro expander (RFC 7208, sections
 * 4.5, 5, 6, 7 and the ABNF of 12). No I/O: the dns.spf probe fetches and
 * evaluates; this file says what a record means and where it is wrong.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records/spf.h"
#include "strbuf.h"
#include "xmalloc.h"

/* At most this many bytes of a term are quoted in a message. */
#define SPF_QUOTE_MAX 64

/* Room for a quoted term: every byte may become \xNN, plus quotes and "...". */
#define SPF_QUOTE_BUF (SPF_QUOTE_MAX * 4 + 8)

/* A transformer's part count saturates here: more parts than any name has. */
#define SPF_DIGITS_MAX 1000

static const char *const mech_names[] = {
	[SPF_ALL] = "all", [SPF_INCLUDE] = "include", [SPF_A] = "a",
	[SPF_MX] = "mx",   [SPF_PTR] = "ptr",         [SPF_IP4] = "ip4",
	[SPF_IP6] = "ip6", [SPF_EXISTS] = "exists",
};

const char *
spf_mech_name(enum spf_mech m)
{
	if ((size_t)m >= sizeof(mech_names) / sizeof(*mech_names))
		fatalx("spf_mech_name: mechanism %d", (int)m);
	return mech_names[m];
}

/*
 * The record is the peer's text: a message quotes it with every byte that
 * is not printable ASCII, and the backslash, as \xNN, so that a message is
 * one clean line and the quoting cannot be forged.
 */
static const char *
spf_quote(const char *s, size_t len, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len < SPF_QUOTE_MAX ? len : SPF_QUOTE_MAX, o = 0;

	if (buflen < SPF_QUOTE_BUF)
		fatalx("spf_quote: buffer of %zu bytes", buflen);
	buf[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '\\') {
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

/* One byte for a message: 'x', or \xNN when not printable. */
static const char *
spf_quote_byte(char c, char *buf, size_t buflen)
{
	return spf_quote(&c, 1, buf, buflen);
}

static enum spf_error spf_fail(char *err, size_t errlen, enum spf_error code,
                               const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum spf_error
spf_fail(char *err, size_t errlen, enum spf_error code, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

bool
spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 &&
	       (len == 6 || txt[6] == ' ');
}

enum spf_pick
spf_pick(const char *const txt[], const size_t len[], size_t n, size_t *which,
         size_t *count)
{
	size_t found = 0;

	*which = 0;
	for (size_t i = 0; i < n; i++) {
		if (!spf_is_record(txt[i], len[i]))
			continue;
		if (found++ == 0)
			*which = i;
	}
	if (count != NULL)
		*count = found;
	if (found == 0)
		return SPF_PICK_NONE;
	return found == 1 ? SPF_PICK_ONE : SPF_PICK_SEVERAL;
}

/* Macros (7.1) */

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool
is_delimiter(char c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

/* One %{...} as read from the text. */
struct spf_macro {
	char letter;   /* lower case */
	bool url;      /* written in upper case: URL-encode (7.3) */
	unsigned keep; /* rightmost parts to keep, 0 for all */
	bool reverse;
	char delims[8]; /* NUL-terminated; "" means "." */
	size_t len;     /* bytes of the text it took */
};

/*
 * Read the macro-expand at s[0] == '%', s[1] == '{'. at is its offset, for
 * messages.
 */
static enum spf_error
macro_read(const char *s, size_t len, size_t at, enum spf_where where,
           struct spf_macro *m, char *err, size_t errlen)
{
	char q[SPF_QUOTE_BUF];
	size_t i = 2, ndigits = 0;
	unsigned long keep = 0;

	memset(m, 0, sizeof(*m));
	if (i >= len || strchr("slodiphcrtvSLODIPHCRTV", s[i]) == NULL ||
	    s[i] == '\0')
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "'%%{' at character %zu has no macro letter "
		                "(s l o d i p h c r t v) after it",
		                at + 1);
	m->url = s[i] >= 'A' && s[i] <= 'Z';
	m->letter = (char)(m->url ? s[i] - 'A' + 'a' : s[i]);
	if (strchr("crt", m->letter) != NULL && where == SPF_IN_DOMAIN)
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "macro letter '%c' at character %zu is allowed "
		                "only in exp (7.2)",
		                s[i], at + 3);
	for (i++; i < len && is_digit(s[i]); i++, ndigits++) {
		keep = keep * 10 + (unsigned long)(s[i] - '0');
		if (keep > SPF_DIGITS_MAX)
			keep = SPF_DIGITS_MAX;
	}
	if (ndigits > 0 && keep == 0)
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "macro at character %zu keeps 0 parts; the "
		                "number must not be zero (7.3)",
		                at + 1);
	m->keep = (unsigned)keep;
	if (i < len && (s[i] == 'r' || s[i] == 'R')) {
		m->reverse = true;
		i++;
	}
	for (size_t nd = 0; i < len && is_delimiter(s[i]); i++)
		if (strchr(m->delims, s[i]) == NULL && nd < 7)
			m->delims[nd++] = s[i];
	if (i >= len)
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "macro at character %zu has no closing '}'",
		                at + 1);
	if (s[i] != '}')
		return spf_fail(
			err, errlen, SPF_E_DOMAIN,
			"macro at character %zu: %s where a digit, 'r', "
			"a delimiter (.-+,/_=) or '}' belongs",
			at + 1, spf_quote_byte(s[i], q, sizeof(q)));
	m->len = i + 1;
	return SPF_OK;
}

/* Alphanumerics and inner hyphens, not all digits (toplabel of 7.1). */
static bool
toplabel_ok(const char *s, size_t len)
{
	bool alpha = false, hyphen = false;

	if (len == 0 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			hyphen = true;
		else if (is_alpha(s[i]))
			alpha = true;
		else if (!is_digit(s[i]))
			return false;
	}
	return alpha || hyphen;
}

/*
 * domain-end: the literal tail after the last macro must be "." toplabel
 * ["."], unless the text ends in a macro. tail is where that tail starts.
 */
static enum spf_error
domain_end_check(const char *s, size_t len, size_t tail, char *err,
                 size_t errlen)
{
	char q[SPF_QUOTE_BUF];
	size_t end = len, dot;

	if (tail == len)
		return SPF_OK;
	if (end > tail && s[end - 1] == '.')
		end--;
	for (dot = end; dot > tail && s[dot - 1] != '.'; dot--)
		;
	if (dot == tail)
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "it must end in '.' and a top label, or in a "
		                "macro (7.1)");
	if (!toplabel_ok(s + dot, end - dot))
		return spf_fail(err, errlen, SPF_E_DOMAIN,
		                "top label %s is not letters, digits and inner "
		                "hyphens, not all digits (7.1)",
		                spf_quote(s + dot, end - dot, q, sizeof(q)));
	return SPF_OK;
}

enum spf_error
spf_macro_check(const char *s, size_t len, enum spf_where where, char *err,
                size_t errlen)
{
	char q[SPF_QUOTE_BUF];
	bool name = where == SPF_IN_DOMAIN || where == SPF_IN_EXP;
	size_t tail = 0;
	enum spf_error e;

	if (name && len == 0)
		return spf_fail(err, errlen, SPF_E_DOMAIN, "empty domain-spec");
	if (name && len > SPF_MAX_DOMAIN_SPEC)
		return spf_fail(err, errlen, SPF_E_BOUND,
		                "domain-spec of %zu bytes is over "
		                "SPF_MAX_DOMAIN_SPEC (%d)",
		                len, SPF_MAX_DOMAIN_SPEC);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			struct spf_macro m;
			if (i + 1 >= len)
				return spf_fail(
					err, errlen, SPF_E_DOMAIN,
					"'%%' at the end; a percent sign "
					"is written '%%%%'");
			if (s[i + 1] == '{') {
				e = macro_read(s + i, len - i, i, where, &m,
				               err, errlen);
				if (e != SPF_OK)
					return e;
				i += m.len;
			} else if (strchr("%_-", s[i + 1]) != NULL &&
			           s[i + 1] != '\0') {
				i += 2;
			} else {
				return spf_fail(
					err, errlen, SPF_E_DOMAIN,
					"'%%' at character %zu is followed "
					"by %s, not '{', '%%', '_' or '-'",
					i + 1,
					spf_quote_byte(s[i + 1], q, sizeof(q)));
			}
			tail = i;
		} else if ((c >= 0x21 && c <= 0x7e) ||
		           (c == ' ' && where == SPF_IN_EXPLAIN)) {
			i++;
		} else {
			return spf_fail(
				err, errlen, SPF_E_DOMAIN,
				"%s at character %zu is not allowed in "
				"a macro-string",
				c == ' ' ? "a space"
					 : spf_quote_byte(s[i], q, sizeof(q)),
				i + 1);
		}
	}
	return name ? domain_end_check(s, len, tail, err, errlen) : SPF_OK;
}

/* Parsing (section 12) */

struct spf_parser {
	struct spf_record *rec;
	const char *orig; /* the term as given, for messages */
	size_t origlen;
	char *t; /* the term in rec->text, cut with NULs as it is read */
	size_t len;
	unsigned n;
	char *err;
	size_t errlen;
};

static enum spf_error term_fail(struct spf_parser *p, enum spf_error code,
                                const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum spf_error
term_fail(struct spf_parser *p, enum spf_error code, const char *fmt, ...)
{
	char q[SPF_QUOTE_BUF], why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return spf_fail(p->err, p->errlen, code, "term %u %s: %s", p->n,
	                spf_quote(p->orig, p->origlen, q, sizeof(q)), why);
}

/* Check the domain-spec at p->t[off..off+len) and cut it out as a string. */
static enum spf_error
term_domain(struct spf_parser *p, size_t off, size_t len, enum spf_where where,
            const char **out)
{
	char why[256];
	enum spf_error e;

	e = spf_macro_check(p->t + off, len, where, why, sizeof(why));
	if (e != SPF_OK)
		return term_fail(p, e, "domain-spec: %s", why);
	p->t[off + len] = '\0';
	*out = p->t + off;
	return SPF_OK;
}

/*
 * A CIDR length "/N" at s (len bytes, s[0] == '/'): "0" or digits without
 * a leading zero, at most max.
 */
static enum spf_error
term_prefix(struct spf_parser *p, const char *s, size_t len, unsigned max,
            const char *family, unsigned *out)
{
	unsigned long v = 0;

	if (len < 2)
		return term_fail(p, SPF_E_NETWORK,
		                 "'/' with no %s prefix length", family);
	for (size_t i = 1; i < len; i++) {
		if (!is_digit(s[i]))
			return term_fail(p, SPF_E_NETWORK,
			                 "%s prefix length is not a number",
			                 family);
		if (v <= max)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (s[1] == '0' && len > 2)
		return term_fail(p, SPF_E_NETWORK,
		                 "%s prefix '%.*s' has a leading zero", family,
		                 (int)(len - 1 > 10 ? 10 : len - 1), s + 1);
	if (v > max)
		return term_fail(p, SPF_E_NETWORK, "%s prefix %.*s is over %u",
		                 family, (int)(len - 1 > 10 ? 10 : len - 1),
		                 s + 1, max);
	*out = (unsigned)v;
	return SPF_OK;
}

/* Where a run of digits preceded by '/' ends s[0..len), or len if none. */
static size_t
slash_digits(const char *s, size_t len)
{
	size_t i = len;

	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i == len || i == 0 || s[i - 1] != '/')
		return len;
	return i - 1;
}

/*
 * a and mx: [":" domain-spec] [dual-cidr-length], rest being what follows
 * the name. The CIDR lengths are read from the end, since '/' is also a
 * macro-literal of the domain-spec.
 */
static enum spf_error
term_a_mx(struct spf_parser *p, size_t rest, struct spf_directive *d)
{
	size_t end = p->len, s4, s6;
	enum spf_error e;

	s6 = slash_digits(p->t + rest, end - rest) + rest;
	if (s6 < end && s6 > rest && p->t[s6 - 1] == '/') {
		if ((e = term_prefix(p, p->t + s6, end - s6, 128, "IPv6",
		                     &d->cidr6)) != SPF_OK)
			return e;
		end = --s6;
	}
	s4 = slash_digits(p->t + rest, end - rest) + rest;
	if (s4 < end && !(s4 > rest && p->t[s4 - 1] == '/')) {
		if ((e = term_prefix(p, p->t + s4, end - s4, 32, "IPv4",
		                     &d->cidr4)) != SPF_OK)
			return e;
		end = s4;
	}
	if (end == rest)
		return SPF_OK;
	if (p->t[rest] != ':')
		return term_fail(p, SPF_E_SYNTAX,
		                 "'%s' is followed by neither ':' nor a CIDR "
		                 "length",
		                 spf_mech_name(d->mech));
	return term_domain(p, rest + 1, end - rest - 1, SPF_IN_DOMAIN,
	                   &d->domain);
}

/* ip4 and ip6: ":" network ["/" prefix]. */
static enum spf_error
term_ip(struct spf_parser *p, size_t rest, struct spf_directive *d)
{
	char a[MR_ADDR_STRLEN], q[SPF_QUOTE_BUF];
	int want = d->mech == SPF_IP4 ? AF_INET : AF_INET6;
	unsigned max = want == AF_INET ? 32 : 128;
	const char *fam = want == AF_INET ? "IPv4" : "IPv6";
	size_t alen, slash;
	enum spf_error e;

	if (rest == p->len || p->t[rest] != ':')
		return term_fail(p, SPF_E_SYNTAX,
		                 "'%s' needs ':' and an %s network",
		                 spf_mech_name(d->mech), fam);
	rest++;
	for (slash = rest; slash < p->len && p->t[slash] != '/'; slash++)
		;
	alen = slash - rest;
	if (alen == 0 || alen >= sizeof(a))
		return term_fail(p, SPF_E_NETWORK, "%s is not an %s address",
		                 spf_quote(p->t + rest, alen, q, sizeof(q)),
		                 fam);
	memcpy(a, p->t + rest, alen);
	a[alen] = '\0';
	if (strlen(a) != alen || mr_addr_parse(a, &d->net.addr) < 0)
		return term_fail(p, SPF_E_NETWORK, "%s is not an %s address",
		                 spf_quote(p->t + rest, alen, q, sizeof(q)),
		                 fam);
	if (d->net.addr.family != want)
		return term_fail(p, SPF_E_NETWORK,
		                 "'%s' takes an %s address, '%s' is %s",
		                 spf_mech_name(d->mech), fam, a,
		                 want == AF_INET ? "IPv6" : "IPv4");
	d->net.prefix = max;
	if (slash < p->len &&
	    (e = term_prefix(p, p->t + slash, p->len - slash, max, fam,
	                     &d->net.prefix)) != SPF_OK)
		return e;
	/* Bits past the prefix are legal and ignored (5.6); say so. */
	for (unsigned bit = d->net.prefix; bit < max; bit++) {
		uint8_t mask = (uint8_t)(0x80 >> (bit % 8));
		if (d->net.addr.bytes[bit / 8] & mask) {
			d->host_bits = true;
			d->net.addr.bytes[bit / 8] &= (uint8_t)~mask;
		}
	}
	return SPF_OK;
}

static enum spf_error
term_mechanism(struct spf_parser *p, enum spf_qualifier q, size_t name,
               size_t rest)
{
	struct spf_record *r = p->rec;
	struct spf_directive *d;
	size_t nlen = rest - name;
	int m = -1;

	for (size_t i = 0; i < sizeof(mech_names) / sizeof(*mech_names); i++)
		if (strlen(mech_names[i]) == nlen &&
		    strncasecmp(p->t + name, mech_names[i], nlen) == 0)
			m = (int)i;
	if (m < 0)
		return term_fail(p, SPF_E_SYNTAX, "unknown mechanism '%.*s'",
		                 (int)(nlen > 32 ? 32 : nlen), p->t + name);
	if (r->ndir == SPF_MAX_DIRECTIVES)
		return term_fail(p, SPF_E_BOUND,
		                 "more than SPF_MAX_DIRECTIVES (%d) mechanisms",
		                 SPF_MAX_DIRECTIVES);
	d = &r->dir[r->ndir];
	memset(d, 0, sizeof(*d));
	d->qual = q;
	d->mech = (enum spf_mech)m;
	d->term = p->n;
	d->cidr4 = 32;
	d->cidr6 = 128;

	enum spf_error e = SPF_OK;
	switch (d->mech) {
	case SPF_ALL:
		if (rest != p->len)
			e = term_fail(p, SPF_E_SYNTAX,
			              "'all' takes no argument");
		break;
	case SPF_INCLUDE:
	case SPF_EXISTS:
		if (rest == p->len || p->t[rest] != ':')
			e = term_fail(p, SPF_E_SYNTAX,
			              "'%s' needs ':' and a domain-spec",
			              mech_names[m]);
		else
			e = term_domain(p, rest + 1, p->len - rest - 1,
			                SPF_IN_DOMAIN, &d->domain);
		break;
	case SPF_PTR:
		if (rest != p->len && p->t[rest] != ':')
			e = term_fail(p, SPF_E_SYNTAX,
			              "'ptr' takes only ':' and a domain-spec");
		else if (rest != p->len)
			e = term_domain(p, rest + 1, p->len - rest - 1,
			                SPF_IN_DOMAIN, &d->domain);
		break;
	case SPF_A:
	case SPF_MX:
		e = term_a_mx(p, rest, d);
		break;
	case SPF_IP4:
	case SPF_IP6:
		e = term_ip(p, rest, d);
		break;
	}
	if (e == SPF_OK)
		r->ndir++;
	return e;
}

static enum spf_error
term_modifier(struct spf_parser *p, size_t nlen)
{
	struct spf_record *r = p->rec;
	const char *name = p->t;
	size_t v = nlen + 1;
	enum spf_error e;

	if (nlen == 8 && strncasecmp(name, "redirect", 8) == 0) {
		if (r->redirect != NULL)
			return term_fail(
				p, SPF_E_DUPLICATE,
				"a second redirect= (the first is term "
				"%u; 6)",
				r->redirect_term);
		e = term_domain(p, v, p->len - v, SPF_IN_DOMAIN, &r->redirect);
		r->redirect_term = p->n;
		return e;
	}
	if (nlen == 3 && strncasecmp(name, "exp", 3) == 0) {
		if (r->exp != NULL)
			return term_fail(
				p, SPF_E_DUPLICATE,
				"a second exp= (the first is term %u; 6)",
				r->exp_term);
		e = term_domain(p, v, p->len - v, SPF_IN_EXP, &r->exp);
		r->exp_term = p->n;
		return e;
	}
	if (r->nunknown == SPF_MAX_MODIFIERS)
		return term_fail(p, SPF_E_BOUND,
		                 "more than SPF_MAX_MODIFIERS (%d) unknown "
		                 "modifiers",
		                 SPF_MAX_MODIFIERS);
	struct spf_modifier *m = &r->unknown[r->nunknown];
	if ((e = term_domain(p, v, p->len - v, SPF_IN_UNKNOWN, &m->value)) !=
	    SPF_OK)
		return e;
	p->t[nlen] = '\0';
	m->name = p->t;
	m->term = p->n;
	r->nunknown++;
	return SPF_OK;
}

/* directive / modifier: a name, then '=' for a modifier. */
static enum spf_error
term_parse(struct spf_parser *p)
{
	enum spf_qualifier q = SPF_Q_PASS;
	size_t name = 0, i;

	if (strchr("+-~?", p->t[0]) != NULL && p->t[0] != '\0') {
		q = (enum spf_qualifier)p->t[0];
		name = 1;
	}
	i = name;
	if (i < p->len && is_alpha(p->t[i]))
		for (i++;
		     i < p->len &&
		     (is_alnum(p->t[i]) || strchr("-_.", p->t[i]) != NULL) &&
		     p->t[i] != '\0';
		     i++)
			;
	if (i == name)
		return term_fail(p, SPF_E_SYNTAX,
		                 "not a mechanism or modifier: a name starts "
		                 "with a letter");
	if (i < p->len && p->t[i] == '=') {
		if (name != 0)
			return term_fail(p, SPF_E_SYNTAX,
			                 "a modifier takes no qualifier");
		return term_modifier(p, i);
	}
	return term_mechanism(p, q, name, i);
}

/* An empty record: what a failed parse leaves, and a freed one. */
static void
spf_record_init(struct spf_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->all = -1;
	rec->pass_prefix4 = rec->pass_prefix6 = -1;
}

static void
widest(int *cur, unsigned prefix)
{
	if (*cur < 0 || prefix < (unsigned)*cur)
		*cur = (int)prefix;
}

/* The widest networks a reachable pass directive d lets send. */
static void
pass_prefixes(struct spf_record *r, const struct spf_directive *d)
{
	if (d->qual != SPF_Q_PASS || d->unreachable)
		return;
	if (d->mech == SPF_A || d->mech == SPF_MX) {
		widest(&r->pass_prefix4, d->cidr4);
		widest(&r->pass_prefix6, d->cidr6);
	} else if (d->mech == SPF_IP4) {
		widest(&r->pass_prefix4, d->net.prefix);
	} else if (d->mech == SPF_IP6) {
		widest(&r->pass_prefix6, d->net.prefix);
	}
}

/* What a reviewer of the policy needs, from the terms as parsed. */
static void
spf_summarise(struct spf_record *r)
{
	for (size_t i = 0; i < r->ndir; i++) {
		struct spf_directive *d = &r->dir[i];
		if (r->all >= 0) {
			d->unreachable = true;
			r->nunreachable++;
		} else if (d->mech == SPF_ALL) {
			r->all = (int)i;
			r->pass_all = d->qual == SPF_Q_PASS;
			r->neutral_all = d->qual == SPF_Q_NEUTRAL;
		}
		pass_prefixes(r, d);
		if (d->mech == SPF_PTR)
			r->nptr++;
		if (d->domain != NULL && strstr(d->domain, "%{") != NULL)
			r->macros = true;
		if (d->mech == SPF_ALL || d->mech == SPF_IP4 ||
		    d->mech == SPF_IP6)
			continue;
		r->lookups++;
		if (!d->unreachable)
			r->lookups_reached++;
	}
	if (r->redirect != NULL) {
		r->lookups++;
		if (r->all < 0)
			r->lookups_reached++;
		else
			r->redirect_ignored = true;
		if (strstr(r->redirect, "%{") != NULL)
			r->macros = true;
	}
	if (r->exp != NULL && strstr(r->exp, "%{") != NULL)
		r->macros = true;
}

enum spf_error
spf_parse(const char *s, size_t len, struct spf_record *rec, char *err,
          size_t errlen)
{
	char q[SPF_QUOTE_BUF];
	struct spf_parser p = {.rec = rec, .err = err, .errlen = errlen};
	enum spf_error e = SPF_OK;
	size_t i = 6;

	spf_record_init(rec);
	if (len > SPF_MAX_RECORD)
		return spf_fail(
			err, errlen, SPF_E_BOUND,
			"record of %zu bytes is over SPF_MAX_RECORD (%d)", len,
			SPF_MAX_RECORD);
	if (!spf_is_record(s, len))
		return spf_fail(
			err, errlen, SPF_E_VERSION,
			"record %s does not start with 'v=spf1' and a "
			"space",
			spf_quote(s, len < 16 ? len : 16, q, sizeof(q)));
	rec->text = xmalloc(len + 1);
	memcpy(rec->text, s, len);
	rec->text[len] = '\0';
	while (e == SPF_OK) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		size_t end = i;
		while (end < len && s[end] != ' ')
			end++;
		p.n = ++rec->nterms;
		p.orig = s + i;
		p.origlen = end - i;
		p.t = rec->text + i;
		p.len = end - i;
		rec->text[end] = '\0';
		e = term_parse(&p);
		i = end;
	}
	if (e != SPF_OK) {
		spf_record_free(rec);
		return e;
	}
	spf_summarise(rec);
	return SPF_OK;
}

void
spf_record_free(struct spf_record *rec)
{
	free(rec->text);
	spf_record_init(rec);
}

/* Expansion (7.3, 7.4) */

static enum spf_error
ctx_need(const char *v, char m, char *err, size_t errlen)
{
	if (v != NULL)
		return SPF_OK;
	return spf_fail(err, errlen, SPF_E_EXPAND,
	                "macro '%c' needs a value the context does not give",
	                m);
}

/* i: dotted quad, or 32 dot-separated nibbles for IPv6 (7.3). */
static void
ip_dotted(const struct mr_addr *a, struct strbuf *b)
{
	static const char hex[] = "0123456789abcdef";

	if (a->family == AF_INET) {
		strbuf_addf(b, "%u.%u.%u.%u", a->bytes[0], a->bytes[1],
		            a->bytes[2], a->bytes[3]);
		return;
	}
	for (size_t i = 0; i < 16; i++) {
		if (i > 0)
			strbuf_addc(b, '.');
		strbuf_addc(b, hex[a->bytes[i] >> 4]);
		strbuf_addc(b, '.');
		strbuf_addc(b, hex[a->bytes[i] & 0xf]);
	}
}

/* The value of a macro letter before transformers, into b. */
static enum spf_error
macro_value(char letter, const struct spf_context *c, struct strbuf *b,
            char *err, size_t errlen)
{
	const char *local = c->local && *c->local ? c->local : "postmaster";
	char abuf[MR_ADDR_STRLEN];
	const char *v = NULL;
	enum spf_error e;

	switch (letter) {
	case 's':
		if ((e = ctx_need(c->sender_domain, letter, err, errlen)))
			return e;
		strbuf_addf(b, "%s@%s", local, c->sender_domain);
		return SPF_OK;
	case 'l':
		v = local;
		break;
	case 'o':
		v = c->sender_domain;
		break;
	case 'd':
		v = c->domain;
		break;
	case 'h':
		v = c->helo;
		break;
	case 'p':
		v = c->ptr ? c->ptr : "unknown";
		break;
	case 'r':
		v = c->receiver ? c->receiver : "unknown";
		break;
	case 't':
		strbuf_addf(b, "%lld", (long long)c->now);
		return SPF_OK;
	case 'i':
	case 'c':
	case 'v':
		if (c->ip.family != AF_INET && c->ip.family != AF_INET6)
			return spf_fail(err, errlen, SPF_E_EXPAND,
			                "macro '%c' needs the client address",
			                letter);
		if (letter == 'i')
			ip_dotted(&c->ip, b);
		else if (letter == 'c')
			strbuf_add(b, mr_addr_str(&c->ip, abuf));
		else
			strbuf_add(b,
			           c->ip.family == AF_INET ? "in-addr" : "ip6");
		return SPF_OK;
	default:
		fatalx("macro_value: letter %c", letter);
	}
	if ((e = ctx_need(v, letter, err, errlen)))
		return e;
	strbuf_add(b, v);
	return SPF_OK;
}

struct spf_part {
	const char *p;
	size_t n;
};

/*
 * Split on the delimiters, reverse, keep the rightmost parts, join with
 * '.' (7.3); URL-encode for an upper-case letter.
 */
static void
macro_transform(const struct spf_macro *m, const char *v, size_t len,
                struct strbuf *out)
{
	const char *delims = m->delims[0] ? m->delims : ".";
	struct spf_part *parts = NULL;
	size_t n = 0, start = 0, first;
	struct strbuf joined = STRBUF_INIT;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && strchr(delims, v[i]) == NULL)
			continue;
		parts = xreallocarray(parts, n + 1, sizeof(*parts));
		parts[n++] = (struct spf_part){v + start, i - start};
		start = i + 1;
	}
	if (m->reverse)
		for (size_t i = 0; i < n / 2; i++) {
			struct spf_part t = parts[i];
			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = t;
		}
	first = m->keep != 0 && m->keep < n ? n - m->keep : 0;
	for (size_t i = first; i < n; i++) {
		if (i > first)
			strbuf_addc(&joined, '.');
		strbuf_addn(&joined, parts[i].p, parts[i].n);
	}
	free(parts);
	if (!m->url) {
		strbuf_add(out, strbuf_str(&joined));
	} else {
		for (const char *s = strbuf_str(&joined); *s; s++)
			if (is_alnum(*s) || strchr("-._~", *s) != NULL)
				strbuf_addc(out, *s);
			else
				strbuf_addf(out, "%%%02X", (unsigned char)*s);
	}
	strbuf_reset(&joined);
}

/* 7.3: drop left labels until the name fits. */
static enum spf_error
name_truncate(struct strbuf *b, char *err, size_t errlen)
{
	const char *s = strbuf_str(b), *cut = s;
	size_t len = b->len;

	while (len > SPF_MAX_NAME) {
		const char *dot = memchr(cut, '.', len);
		if (dot == NULL)
			return spf_fail(
				err, errlen, SPF_E_EXPAND,
				"expanded name has a label of %zu bytes, "
				"over %d",
				len, SPF_MAX_NAME);
		len -= (size_t)(dot + 1 - cut);
		cut = dot + 1;
	}
	if (cut != s) {
		memmove(b->s, cut, len + 1);
		b->len = len;
	}
	return SPF_OK;
}

enum spf_error
spf_expand(const char *s, const struct spf_context *ctx, enum spf_where where,
           char *out, size_t outlen, char *err, size_t errlen)
{
	bool name = where == SPF_IN_DOMAIN || where == SPF_IN_EXP;
	size_t len = strlen(s), max = name ? SPF_MAX_NAME : SPF_MAX_EXPLAIN;
	struct strbuf b = STRBUF_INIT, v = STRBUF_INIT;
	enum spf_error e;

	if (outlen > 0)
		out[0] = '\0';
	if ((e = spf_macro_check(s, len, where, err, errlen)) != SPF_OK)
		return e;
	for (size_t i = 0; i < len && e == SPF_OK;) {
		struct spf_macro m;
		if (s[i] != '%') {
			strbuf_addc(&b, s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case '%':
			strbuf_addc(&b, '%');
			break;
		case '_':
			strbuf_addc(&b, ' ');
			break;
		case '-':
			strbuf_add(&b, "%20");
			break;
		default:
			/* Checked above: cannot fail. */
			if (macro_read(s + i, len - i, i, where, &m, err,
			               errlen) != SPF_OK)
				fatalx("spf_expand: macro_read");
			e = macro_value(m.letter, ctx, &v, err, errlen);
			if (e == SPF_OK)
				macro_transform(&m, strbuf_str(&v), v.len, &b);
			strbuf_reset(&v);
			i += m.len;
			continue;
		}
		i += 2;
	}
	if (e == SPF_OK && name)
		e = name_truncate(&b, err, errlen);
	if (e == SPF_OK && b.len > max)
		e = spf_fail(err, errlen, SPF_E_BOUND,
		             "explanation of %zu bytes is over SPF_MAX_EXPLAIN "
		             "(%d)",
		             b.len, SPF_MAX_EXPLAIN);
	if (e == SPF_OK && b.len >= outlen)
		e = spf_fail(err, errlen, SPF_E_BOUND,
		             "expansion of %zu bytes does not fit in %zu",
		             b.len, outlen);
	if (e == SPF_OK)
		memcpy(out, strbuf_str(&b), b.len + 1);
	strbuf_reset(&b);
	return e;
}
