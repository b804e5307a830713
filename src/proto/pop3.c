/*
 * pop3.c -- strict parser of POP3 replies (RFC 1939 3): "+OK"/"-ERR"
 * status lines and dot-terminated multi-line responses such as CAPA
 * (RFC 2449).
 *
 * Text may hold HT, printable ASCII and 8-bit bytes (the renderers escape
 * it); any other control character is a protocol error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/proto.h"
#include "proto/text.h"
#include "xmalloc.h"

#define POP3_MAX_LINES 256

/* The line being parsed and where to say what was wrong with it. */
struct ctx {
	const char *line;
	char *err;
	size_t errlen;
};

/* Set err to "WHY, got 'LINE'". */
__attribute__((format(printf, 2, 3))) static void
fail(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	proto_errorv(c->err, c->errlen, c->line, fmt, ap);
	va_end(ap);
}

/* Is the line text (HT, SP..~, 8-bit)? If not, say which byte is not. */
static bool
check_text(const struct ctx *c)
{
	long bad = proto_bad_text_byte(c->line);
	if (bad < 0)
		return true;
	fail(c,
	     "expected printable text, not control character 0x%02x at "
	     "byte %ld",
	     (unsigned char)c->line[bad], bad + 1);
	return false;
}

/*
 * Does line start with the status indicator word, followed by a space or
 * the end? Servers send them upper-case; RFC 1939 does not say the case
 * matters, so any case is taken.
 */
static bool
status_is(const char *line, const char *word, const char **text)
{
	size_t n = strlen(word);

	if (strncasecmp(line, word, n) != 0)
		return false;
	if (line[n] != ' ' && line[n] != '\0')
		return false;
	*text = line[n] == ' ' ? line + n + 1 : line + n;
	return true;
}

int
pop3_status(const char *line, bool *ok, const char **text, char *err,
            size_t errlen)
{
	const struct ctx c = {line, err, errlen};

	if (!check_text(&c))
		return -1;
	if (status_is(line, "+OK", text)) {
		*ok = true;
		return 0;
	}
	if (status_is(line, "-ERR", text)) {
		*ok = false;
		return 0;
	}
	fail(&c, "expected '+OK' or '-ERR', then a space or the end of the "
	         "line");
	return -1;
}

static void
append_line(struct pop3_multi *m, const char *s)
{
	m->lines = xreallocarray(m->lines, m->nlines + 1, sizeof(*m->lines));
	m->lines[m->nlines++] = xstrdup(s);
}

enum proto_res
pop3_multi_feed(struct pop3_multi *m, const char *line, char *err,
                size_t errlen)
{
	const struct ctx c = {line, err, errlen};

	if (m->done) {
		fail(&c, "expected no line after the final '.' "
		         "(pop3_multi_clear starts the next response)");
		return PROTO_ERROR;
	}
	if (!check_text(&c))
		return PROTO_ERROR;
	if (strcmp(line, ".") == 0) {
		m->done = true;
		return PROTO_DONE;
	}
	/* RFC 1939 3: the server stuffs a '.' before any line starting so. */
	if (line[0] == '.' && line[1] != '.') {
		fail(&c, "expected '.' alone or a dot-stuffed line ('..')");
		return PROTO_ERROR;
	}
	if (m->nlines >= POP3_MAX_LINES) {
		fail(&c, "expected at most %d lines before the final '.'",
		     POP3_MAX_LINES);
		return PROTO_ERROR;
	}
	append_line(m, line[0] == '.' ? line + 1 : line);
	return PROTO_MORE;
}

bool
pop3_capa_has(const struct pop3_multi *m, const char *cap, const char **params)
{
	size_t n = strlen(cap);

	/* A capability is one word: "SASL PLAIN" never names a line. */
	if (n == 0 || strchr(cap, ' ') != NULL)
		return false;
	for (size_t i = 0; i < m->nlines; i++) {
		const char *s = m->lines[i];
		if (strncasecmp(s, cap, n) != 0 ||
		    (s[n] != ' ' && s[n] != '\0'))
			continue;
		if (params != NULL)
			*params = s[n] == ' ' ? s + n + 1 : s + n;
		return true;
	}
	return false;
}

void
pop3_multi_clear(struct pop3_multi *m)
{
	for (size_t i = 0; i < m->nlines; i++)
		free(m->lines[i]);
	free(m->lines);
	memset(m, 0, sizeof(*m));
}
