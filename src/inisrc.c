/*
 * inisrc.c -- the line-counting reader behind libinih (see inisrc.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inisrc.h"
#include "xmalloc.h"

bool
ini_failv(struct ini_src *s, int line, const char *fmt, va_list ap)
{
	char msg[512];

	if (s->failed)
		return false;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(s->err, s->errlen, "%s:%d: %s", s->name, line, msg);
	s->failed = true;
	s->err_line = line;
	return false;
}

/* Record the first error, on the line being read; returns false. */
bool
ini_fail(struct ini_src *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(s, s->lineno, fmt, ap);
	va_end(ap);
	return false;
}

/* The same, for an error found after reading, about an earlier line. */
bool
ini_fail_at(struct ini_src *s, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(s, line, fmt, ap);
	va_end(ap);
	return false;
}

/*
 * The next physical line without its end of line (or a UTF-8 BOM), kept in
 * s->lines; NULL at the end.
 */
static char *
ini_next_line(struct ini_src *s, size_t *len)
{
	char *line = NULL;
	size_t cap = 0;

	if (s->fp != NULL) {
		ssize_t n = getline(&line, &cap, s->fp);
		if (n < 0) {
			free(line);
			if (ferror(s->fp) && !s->failed) {
				snprintf(s->err, s->errlen, "%s: %s", s->name,
				         strerror(errno));
				s->failed = true;
				s->err_line = INT_MAX;
			}
			return NULL;
		}
		*len = (size_t)n;
	} else {
		if (*s->text == '\0')
			return NULL;
		*len = strcspn(s->text, "\n");
		line = xstrndup(s->text, *len);
		s->text += *len + (s->text[*len] == '\n');
	}
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
	if (s->nlines == 0 && strncmp(line, "\xef\xbb\xbf", 3) == 0) {
		memmove(line, line + 3, *len - 2);
		*len -= 3;
	}
	s->lines = xreallocarray(s->lines, s->nlines + 1, sizeof(*s->lines));
	s->lines[s->nlines++] = line;
	return line;
}

static bool
ini_section_line(struct ini_src *s, const char *t)
{
	const char *close = strchr(t, ']');
	const char *after;
	char *hdr;
	size_t a, b;
	bool ok;

	if (close == NULL)
		return ini_fail(s, "section header without ']'");
	after = close + 1 + strspn(close + 1, " \t");
	if (*after != '\0' && *after != ';' && *after != '#')
		return ini_fail(s, "unexpected text after ']': '%s'", after);
	a = 1 + strspn(t + 1, " \t");
	b = (size_t)(close - t);
	while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t'))
		b--;
	hdr = xstrndup(t + a, b - a);
	ok = s->section(s->user, hdr);
	free(hdr);
	return ok;
}

/*
 * An ini_reader: inih's lines are counted here, and sections seen here.
 * inih gets only a stand-in for comments and section lines, so that
 * neither is bound by its line buffer (a node name may be 253 bytes).
 */
static char *
ini_read(char *buf, int num, void *stream)
{
	struct ini_src *s = stream;
	const char *t, *give;
	size_t len;
	char *line;

	if (s->failed || (line = ini_next_line(s, &len)) == NULL)
		return NULL;
	s->lineno++;
	if (strlen(line) != len) {
		ini_fail(s, "line contains a NUL byte");
		return NULL;
	}
	s->indented = line[0] == ' ' || line[0] == '\t';
	t = line + strspn(line, " \t");
	give = line;
	if (*t == ';' || *t == '#') {
		give = "#";
	} else if (*t == '[' && !(s->indented && s->after_key)) {
		/* As in inih: after a key, an indented "[" continues it. */
		s->after_key = false;
		if (!ini_section_line(s, t))
			return NULL;
		give = "[]";
	}
	/* Room for the '\n' inih expects and the NUL. */
	if (strlen(give) + 2 > (size_t)num) {
		ini_fail(s,
		         "line is longer than %d characters; continue a "
		         "long list on indented lines",
		         num - 2);
		return NULL;
	}
	snprintf(buf, (size_t)num, "%s\n", give);
	return buf;
}

/* Parse to the end or the first error; returns 0 or -1 (err is set). */
int
ini_src_parse(struct ini_src *s, ini_handler handler, void *user)
{
	int ret = ini_parse_stream(ini_read, s, handler, user);

	if (s->failed && (ret <= 0 || ret >= s->err_line))
		return -1;
	if (ret > 0) {
		const char *l = s->lines[ret - 1];
		l += strspn(l, " \t");
		snprintf(s->err, s->errlen,
		         "%s:%d: expected '[section]', 'key = value' or a "
		         "comment, not '%.60s'",
		         s->name, ret, l);
		return -1;
	}
	if (ret < 0) {
		snprintf(s->err, s->errlen, "%s: out of memory", s->name);
		return -1;
	}
	return 0;
}

void
ini_src_free(struct ini_src *s)
{
	for (size_t i = 0; i < s->nlines; i++)
		free(s->lines[i]);
	free(s->lines);
}
