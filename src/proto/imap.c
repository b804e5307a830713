/*
 * imap.c -- strict parser of IMAP server responses (RFC 9051 7, RFC 3501
 * 7): tagged, untagged and continuation lines, the [response code] of
 * status responses, and capability lists.
 *
 * Only what the IMAP probes read is supported: a response that ends in a
 * literal ("{123}") is refused, since the octets after it would be read as
 * a new line. Text may hold HT, printable ASCII and 8-bit bytes (UTF-8,
 * RFC 9051); any other control character is a protocol error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/proto.h"
#include "proto/text.h"
#include "xmalloc.h"

/* The line being parsed and where to say what was wrong with it. */
struct ctx {
	const char *line;
	char *err;
	size_t errlen;
};

/* Set err to "WHY, got 'LINE'" and return -1. */
__attribute__((format(printf, 2, 3))) static int
fail(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	proto_errorv(c->err, c->errlen, c->line, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * ATOM-CHAR: any 7-bit CHAR except atom-specials: "(" ")" "{" SP CTL
 * "%" "*" DQUOTE "\" "]".
 */
static bool
is_atom_char(unsigned char ch)
{
	if (ch <= 0x20 || ch >= 0x7f)
		return false;
	return strchr("(){%*\"\\]", ch) == NULL;
}

/* tag = 1*<any ASTRING-CHAR except "+">; ASTRING-CHAR adds "]". */
static bool
is_tag_char(unsigned char ch)
{
	return (is_atom_char(ch) || ch == ']') && ch != '+';
}

static size_t
atom_len(const char *s)
{
	size_t n = 0;
	while (is_atom_char((unsigned char)s[n]))
		n++;
	return n;
}

/* Does the line end in a literal announcement "{digits}"? */
static bool
ends_in_literal(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || s[n - 1] != '}')
		return false;
	size_t i = n - 1;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	return i < n - 1 && i > 0 && s[i - 1] == '{';
}

/* Copy an atom of n bytes upper-cased into status; false if it is too long. */
static bool
set_status(struct imap_line *out, const char *s, size_t n)
{
	if (n >= sizeof(out->status))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		out->status[i] = ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
	}
	out->status[n] = '\0';
	return true;
}

/* resp-text = ["[" resp-text-code "]" SP] [text] */
static int
parse_resp_text(const struct ctx *c, const char *p, struct imap_line *out)
{
	out->text = p;
	if (*p != '[')
		return 0;
	const char *end = strchr(p + 1, ']');
	if (end == NULL)
		return fail(c, "expected ']' to close the response code");
	/* resp-text-code starts with an atom ("ALERT", "CAPABILITY"). */
	size_t n = atom_len(p + 1);
	if (n == 0)
		return fail(c, "expected an atom after '['");
	if (p[1 + n] != ' ' && p + 1 + n != end)
		return fail(c,
		            "expected a space or ']' after the response "
		            "code '%.*s'",
		            (int)n, p + 1);
	if (end[1] != ' ' && end[1] != '\0')
		return fail(c, "expected a space after ']'");
	out->code = p + 1;
	out->code_len = (size_t)(end - (p + 1));
	out->text = end[1] == ' ' ? end + 2 : end + 1;
	return 0;
}

static bool
is_status_word(const char *s)
{
	static const char *const words[] = {"OK", "NO", "BAD", "BYE",
	                                    "PREAUTH"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/*
 * "KEYWORD[ rest]": the keyword goes to status, the rest is resp-text for
 * a status response, plain data otherwise.
 */
static int
parse_keyword(const struct ctx *c, const char *p, struct imap_line *out)
{
	size_t n = atom_len(p);

	if (n == 0)
		return fail(c, "expected a response keyword");
	if (p[n] != ' ' && p[n] != '\0')
		return fail(c, "expected a space or the end of the line after "
		               "the response keyword");
	if (!set_status(out, p, n))
		return fail(c,
		            "expected a response keyword of at most %zu "
		            "characters",
		            sizeof(out->status) - 1);
	p += p[n] == ' ' ? n + 1 : n;
	if (is_status_word(out->status))
		return parse_resp_text(c, p, out);
	out->text = p;
	return 0;
}

/*
 * "* 12 EXISTS": message data. The number is not kept (no probe needs it);
 * status gets the keyword after it, text the rest.
 */
static int
parse_untagged(const struct ctx *c, const char *p, struct imap_line *out)
{
	out->kind = IMAP_UNTAGGED;
	if (*p < '0' || *p > '9')
		return parse_keyword(c, p, out);
	size_t n = strspn(p, "0123456789");
	if (p[n] != ' ')
		return fail(c, "expected a space after the message number");
	if (parse_keyword(c, p + n + 1, out) < 0)
		return -1;
	if (is_status_word(out->status))
		return fail(c, "expected a message data keyword (EXISTS, "
		               "FETCH, ...) after the message number");
	return 0;
}

/* resp-cond-state: a command ends in OK, NO or BAD, never BYE/PREAUTH. */
static bool
is_tagged_status(const char *s)
{
	return strcmp(s, "OK") == 0 || strcmp(s, "NO") == 0 ||
	       strcmp(s, "BAD") == 0;
}

static int
parse_tagged(const struct ctx *c, const char *p, struct imap_line *out)
{
	size_t n = 0;

	out->kind = IMAP_TAGGED;
	while (is_tag_char((unsigned char)p[n]))
		n++;
	if (n == 0 || (p[n] != ' ' && p[n] != '\0'))
		return fail(c, "expected '* ', '+' or a tag of IMAP atom "
		               "characters");
	if (n >= sizeof(out->tag))
		return fail(c, "expected a tag of at most %zu characters",
		            sizeof(out->tag) - 1);
	memcpy(out->tag, p, n);
	out->tag[n] = '\0';
	if (p[n] == '\0')
		return fail(c, "expected OK, NO or BAD after the tag");
	p += n + 1;
	n = atom_len(p);
	if (!set_status(out, p, n) || !is_tagged_status(out->status) ||
	    (p[n] != ' ' && p[n] != '\0'))
		return fail(c, "expected OK, NO or BAD after the tag");
	return parse_resp_text(c, p[n] == ' ' ? p + n + 1 : p + n, out);
}

/* continue-req = "+" SP (resp-text / base64); a bare "+" is common. */
static int
parse_continuation(const struct ctx *c, const char *p, struct imap_line *out)
{
	out->kind = IMAP_CONTINUATION;
	if (*p != ' ' && *p != '\0')
		return fail(c, "expected a space after '+'");
	return parse_resp_text(c, *p == ' ' ? p + 1 : p, out);
}

int
imap_parse_line(const char *line, struct imap_line *out, char *err,
                size_t errlen)
{
	const struct ctx c = {line, err, errlen};

	memset(out, 0, sizeof(*out));
	out->text = line + strlen(line);
	if (*line == '\0')
		return fail(&c, "expected an IMAP response");
	long bad = proto_bad_text_byte(line);
	if (bad >= 0)
		return fail(&c,
		            "expected printable text, not control "
		            "character 0x%02x at byte %ld",
		            (unsigned char)line[bad], bad + 1);
	if (ends_in_literal(line))
		return fail(&c, "expected a response without a literal "
		                "('{N}' at the end of the line)");
	if (line[0] == '+')
		return parse_continuation(&c, line + 1, out);
	if (line[0] == '*' && line[1] == ' ')
		return parse_untagged(&c, line + 2, out);
	return parse_tagged(&c, line, out);
}

/* ------------------------------------------------------------------ */

static void
caps_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *
upper_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	for (char *p = d; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = *p - 'a' + 'A';
	return d;
}

/*
 * Spaces separate atoms; runs of them, and spaces at either end, are
 * tolerated: they change no capability, and refusing them would fail a
 * server over layout alone.
 */
int
imap_caps_parse(const char *s, size_t len, struct imap_caps *caps, char *err,
                size_t errlen)
{
	char **v = NULL;
	size_t nv = 0, i = 0;
	char q[PROTO_QUOTE_MAX + 8];

	while (i < len) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		size_t n = 0;
		while (i + n < len && is_atom_char((unsigned char)s[i + n]))
			n++;
		if (n == 0 || (i + n < len && s[i + n] != ' ')) {
			snprintf(err, errlen,
			         "expected a capability of IMAP atom "
			         "characters, got %s",
			         proto_quote(s + i, len - i, q, sizeof(q)));
			caps_free(v, nv);
			return -1;
		}
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = upper_dup(s + i, n);
		i += n;
	}
	if (nv == 0) {
		snprintf(err, errlen,
		         "expected at least one capability, got %s",
		         proto_quote(s, len, q, sizeof(q)));
		return -1;
	}
	imap_caps_clear(caps);
	caps->v = v;
	caps->n = nv;
	return 0;
}

bool
imap_caps_has(const struct imap_caps *caps, const char *cap)
{
	for (size_t i = 0; i < caps->n; i++)
		if (strcasecmp(caps->v[i], cap) == 0)
			return true;
	return false;
}

void
imap_caps_clear(struct imap_caps *caps)
{
	caps_free(caps->v, caps->n);
	caps->v = NULL;
	caps->n = 0;
}
