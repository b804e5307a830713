/*
 * smtp.c -- strict parser of SMTP replies (RFC 5321 4.2): one line at a
 * time into a struct smtp_reply, and the questions the SMTP probes ask of
 * a complete reply (EHLO keywords, the announced host name).
 *
 * Reply text may hold HT, printable ASCII and 8-bit bytes (some servers
 * greet in UTF-8; the renderers escape it); any other control character
 * is a protocol error, so that a stray CR or escape sequence never passes
 * as text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/proto.h"
#include "proto/text.h"
#include "xmalloc.h"

#define SMTP_MAX_LINES 256

/* The line being parsed and where to say what was wrong with it. */
struct ctx {
	const char *line;
	char *err;
	size_t errlen;
};

/* Set err to "WHY, got 'LINE'" and return PROTO_ERROR. */
__attribute__((format(printf, 2, 3))) static enum proto_res
fail(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	proto_errorv(c->err, c->errlen, c->line, fmt, ap);
	va_end(ap);
	return PROTO_ERROR;
}

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39. */
static bool
parse_code(const char *line, int *code)
{
	if (!is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
		return false;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	return true;
}

static bool
code_in_range(const char *line)
{
	return line[0] >= '2' && line[0] <= '5' && line[1] <= '5';
}

/* Check one line; on success *code, *more and *text describe it. */
static enum proto_res
parse_line(const struct ctx *c, int *code, bool *more, const char **text)
{
	const char *line = c->line;

	if (!parse_code(line, code))
		return fail(c, "expected a 3-digit reply code");
	if (!code_in_range(line))
		return fail(c, "expected a reply code with first digit 2-5 "
		               "and second digit 0-5");
	if (line[3] != '-' && line[3] != ' ' && line[3] != '\0')
		return fail(c, "expected '-', ' ' or the end of the line "
		               "after the reply code");
	long bad = proto_bad_text_byte(line);
	if (bad >= 0)
		return fail(c,
		            "expected printable text, not control "
		            "character 0x%02x at byte %ld",
		            (unsigned char)line[bad], bad + 1);
	*more = line[3] == '-';
	*text = line[3] == '\0' ? line + 3 : line + 4;
	return PROTO_DONE;
}

static void
append_line(struct smtp_reply *r, const char *text)
{
	r->lines = xreallocarray(r->lines, r->nlines + 1, sizeof(*r->lines));
	r->lines[r->nlines++] = xstrdup(text);
}

enum proto_res
smtp_reply_feed(struct smtp_reply *r, const char *line, char *err,
                size_t errlen)
{
	const struct ctx c = {line, err, errlen};
	const char *text = "";
	bool more = false;
	int code = 0;

	/* A server that talks on after its final line is out of step. */
	if (r->done)
		return fail(&c, "expected no line after the end of the reply "
		                "(smtp_reply_clear starts the next one)");
	if (parse_line(&c, &code, &more, &text) == PROTO_ERROR)
		return PROTO_ERROR;
	if (r->nlines > 0 && code != r->code) {
		snprintf(err, errlen,
		         "reply code changed from %d to %d within one reply",
		         r->code, code);
		return PROTO_ERROR;
	}
	if (r->nlines >= SMTP_MAX_LINES)
		return fail(&c, "expected at most %d lines in one reply",
		            SMTP_MAX_LINES);
	r->code = code;
	append_line(r, text);
	r->done = !more;
	return r->done ? PROTO_DONE : PROTO_MORE;
}

void
smtp_reply_clear(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/*
 * Does ehlo-line s (RFC 5321 4.1.1.1: keyword *(SP param)) name keyword?
 * *params gets the rest after the separating space, or "".
 */
static bool
line_has(const char *s, const char *keyword, const char **params)
{
	size_t n = strlen(keyword);

	/* A keyword is one word: "AUTH PLAIN" never names a line. */
	if (n == 0 || strchr(keyword, ' ') != NULL)
		return false;
	if (strncasecmp(s, keyword, n) != 0)
		return false;
	if (s[n] != ' ' && s[n] != '\0')
		return false;
	*params = s[n] == ' ' ? s + n + 1 : s + n;
	return true;
}

/*
 * The pre-RFC 2554 drafts announced "AUTH=PLAIN LOGIN"; servers still
 * send it for old Outlook clients, often beside the standard line.
 */
static bool
line_has_old_auth(const char *s, const char *keyword, const char **params)
{
	if (strcasecmp(keyword, "AUTH") != 0 || strncasecmp(s, "AUTH=", 5))
		return false;
	*params = s + 5;
	return true;
}

bool
smtp_ehlo_has(const struct smtp_reply *r, const char *keyword,
              const char **params)
{
	const char *p = "";

	/* Only a positive reply lists extensions; line 1 is the greeting. */
	if (r->code != 250)
		return false;
	bool found = false;
	for (size_t i = 1; i < r->nlines && !found; i++)
		found = line_has(r->lines[i], keyword, &p);
	/* The standard form wins: it is what RFC 4954 clients read. */
	for (size_t i = 1; i < r->nlines && !found; i++)
		found = line_has_old_auth(r->lines[i], keyword, &p);
	if (found && params != NULL)
		*params = p;
	return found;
}

char *
smtp_reply_host(const struct smtp_reply *r)
{
	if (r->nlines == 0)
		return NULL;
	const char *s = r->lines[0];
	s += strspn(s, " \t");
	size_t n = strcspn(s, " \t");
	return n == 0 ? NULL : xstrndup(s, n);
}
