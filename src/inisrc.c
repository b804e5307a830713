/*
 * inisrc.c -- the INI engine (see inisrc.h): a line-counting reader behind
 * libinih, and the rules every file of mailready follows on top of it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "inisrc.h"
#include "readfile.h"
#include "strbuf.h"
#include "suggest.h"
#include "xmalloc.h"

/* ------------------------------------------------------------- errors */

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

bool
ini_fail(struct ini_src *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(s, s->lineno, fmt, ap);
	va_end(ap);
	return false;
}

bool
ini_fail_at(struct ini_src *s, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(s, line, fmt, ap);
	va_end(ap);
	return false;
}

bool
ini_badv(struct ini_src *s, const char *fmt, va_list ap)
{
	char msg[400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (s->key == NULL)
		return ini_fail(s, "%s %s", ini_label(s), msg);
	return ini_fail(s, "%s %s: %s", ini_label(s), s->key->name, msg);
}

bool
ini_bad(struct ini_src *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_badv(s, fmt, ap);
	va_end(ap);
	return false;
}

bool
ini_fail_verbatim(struct ini_src *s, const char *msg)
{
	if (s->failed)
		return false;
	if (msg != s->err)
		snprintf(s->err, s->errlen, "%s", msg);
	s->failed = true;
	s->err_line = s->lineno;
	return false;
}

/* ------------------------------------------------------- small helpers */

const char *
ini_label(const struct ini_src *s)
{
	return s->label != NULL ? s->label : "(no section)";
}

unsigned
ini_section_id(const struct ini_src *s)
{
	return s->sec != NULL ? s->sec->id : 0;
}

const char *
ini_line(const struct ini_src *s)
{
	if (s->lineno < 1 || (size_t)s->lineno > s->nlines)
		return "";
	return s->lines[s->lineno - 1];
}

const char *
ini_comment(const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p == ';' && (p == text || p[-1] == ' ' || p[-1] == '\t'))
			return p;
	return NULL;
}

char *
ini_next_item(const char **p)
{
	const char *s = *p + strspn(*p, ", \t");
	size_t n = strcspn(s, ", \t");

	*p = s + n;
	return n ? xstrndup(s, n) : NULL;
}

bool
ini_is_word(const char *value, const char *word)
{
	const char *p = value;
	char *item = ini_next_item(&p);
	bool yes = item != NULL && strcasecmp(item, word) == 0 &&
	           p[strspn(p, ", \t")] == '\0';

	free(item);
	return yes;
}

/* "[node NAME]", or "[node mta1]" with arg. */
static char *
section_label(const struct ini_section *sec, const char *arg)
{
	if (arg != NULL && *arg != '\0')
		return xasprintf("[%s %s]", sec->name, arg);
	return xasprintf("[%s]", sec->name);
}

void
ini_set_arg(struct ini_src *s, const char *arg)
{
	free(s->label);
	s->label = section_label(s->sec, arg);
}

static size_t
count_sections(const struct ini_syntax *syn)
{
	size_t n = 0;

	while (syn->sections[n].name != NULL)
		n++;
	return n;
}

/* "[cluster], [accept] or [node NAME]": the sections with one of ids. */
static void
add_section_list(struct strbuf *b, const struct ini_syntax *syn, unsigned ids)
{
	size_t n = 0, i = 0;

	for (const struct ini_section *sec = syn->sections; sec->name; sec++)
		n += (sec->id & ids) != 0;
	for (const struct ini_section *sec = syn->sections; sec->name; sec++) {
		if (!(sec->id & ids))
			continue;
		char *label = section_label(sec, sec->arg);
		strbuf_addf(b, "%s%s",
		            i == 0       ? ""
		            : i + 1 == n ? " or "
		                         : ", ",
		            label);
		free(label);
		i++;
	}
}

/* ------------------------------------------------------------ sections */

static const struct ini_section *
find_section(const struct ini_syntax *syn, const char *name)
{
	for (const struct ini_section *sec = syn->sections; sec->name; sec++)
		if (strcmp(sec->name, name) == 0)
			return sec;
	return NULL;
}

static bool
unknown_section(struct ini_src *s, const char *hdr, const char *word,
                const char *arg)
{
	const struct ini_syntax *syn = s->syntax;
	size_t n = count_sections(syn);
	const char **names = xcalloc(n, sizeof(*names));
	struct strbuf b = STRBUF_INIT;
	const struct ini_section *near = NULL;
	const char *pick;

	for (size_t i = 0; i < n; i++)
		names[i] = syn->sections[i].name;
	pick = suggest_nearest(word, names, n);
	if (pick != NULL)
		near = find_section(syn, pick);
	free(names);
	if (near != NULL) {
		char *label = section_label(near, *arg ? arg : near->arg);
		ini_fail(s, "unknown section [%s] (did you mean %s?)", hdr,
		         label);
		free(label);
		return false;
	}
	add_section_list(&b, syn, ~0u);
	ini_fail(s, "unknown section [%s]; expected %s", hdr, strbuf_str(&b));
	strbuf_reset(&b);
	return false;
}

static bool
start_section(struct ini_src *s, const char *hdr)
{
	size_t wl = strcspn(hdr, " \t");
	char *word = xstrndup(hdr, wl);
	const char *arg = hdr + wl + strspn(hdr + wl, " \t");
	const struct ini_section *sec = find_section(s->syntax, word);
	size_t idx;

	if (sec == NULL)
		unknown_section(s, hdr, word, arg);
	free(word);
	if (sec == NULL)
		return false;
	idx = (size_t)(sec - s->syntax->sections);
	if (sec->arg == NULL && *arg != '\0')
		return ini_fail(s, "section [%s] takes no name; write [%s]",
		                sec->name, sec->name);
	if (sec->arg == NULL && s->first_line[idx] != 0)
		return ini_fail(s, "duplicate section [%s] (first on line %d)",
		                sec->name, s->first_line[idx]);
	if (sec->arg == NULL)
		s->first_line[idx] = s->lineno;
	s->sec = sec;
	s->nseen = 0;
	s->key = NULL;
	free(s->label);
	s->label = section_label(sec, sec->arg ? arg : NULL);
	return sec->start == NULL || sec->start(s->user, sec->arg ? arg : NULL);
}

static bool
section_line(struct ini_src *s, const char *t)
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
	ok = start_section(s, hdr);
	free(hdr);
	return ok;
}

/* ---------------------------------------------------------------- keys */

static bool
key_here(const struct ini_src *s, const struct ini_key *k)
{
	return s->sec != NULL && (k->sections & s->sec->id);
}

static const struct ini_key *
find_key(const struct ini_src *s, const char *name, bool here)
{
	for (const struct ini_key *k = s->syntax->keys; k->name; k++)
		if (strcmp(k->name, name) == 0 && (!here || key_here(s, k)))
			return k;
	return NULL;
}

static bool
key_outside(struct ini_src *s, const char *name)
{
	const struct ini_key *k = find_key(s, name, false);
	struct strbuf b = STRBUF_INIT;

	add_section_list(&b, s->syntax, k ? k->sections : ~0u);
	ini_fail(s, "key '%s' is outside any section; put it under %s", name,
	         strbuf_str(&b));
	strbuf_reset(&b);
	return false;
}

static bool
unknown_key(struct ini_src *s, const char *name)
{
	const struct ini_key *elsewhere = find_key(s, name, false);
	struct strbuf b = STRBUF_INIT;
	const char *names[64] = {NULL};
	size_t n = 0;
	const char *near;

	if (elsewhere != NULL) {
		add_section_list(&b, s->syntax, elsewhere->sections);
		ini_fail(s, "key '%s' does not belong in %s; it goes in %s",
		         name, ini_label(s), strbuf_str(&b));
		strbuf_reset(&b);
		return false;
	}
	for (const struct ini_key *k = s->syntax->keys; k->name; k++)
		if (key_here(s, k) && n < sizeof(names) / sizeof(names[0]))
			names[n++] = k->name;
	near = suggest_nearest(name, names, n);
	if (near != NULL)
		return ini_fail(s,
		                "unknown key '%s' in %s (did you mean '%s'?)",
		                name, ini_label(s), near);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&b, "%s%s", i ? ", " : "", names[i]);
	ini_fail(s, "unknown key '%s' in %s; keys there are: %s", name,
	         ini_label(s), strbuf_str(&b));
	strbuf_reset(&b);
	return false;
}

/* An indented line: more of the value of the key above. */
static bool
continue_key(struct ini_src *s, const char *value)
{
	if (strchr(value, '=') != NULL)
		return ini_fail(s,
		                "this indented line continues '%s' from line "
		                "%d; start each key at the beginning of a "
		                "line",
		                s->key->name, s->key_line);
	if (!s->key->list)
		return ini_fail(s,
		                "this indented line continues '%s' from line "
		                "%d, which takes a single value",
		                s->key->name, s->key_line);
	return s->key->set(s->user, value, true);
}

static bool
new_key(struct ini_src *s, const char *name, const char *value)
{
	const struct ini_key *k;

	if (s->sec == NULL)
		return key_outside(s, name);
	k = find_key(s, name, true);
	if (k == NULL)
		return unknown_key(s, name);
	for (size_t i = 0; i < s->nseen; i++)
		if (s->seen[i].key == k)
			return ini_fail(s,
			                "duplicate key '%s' (first set on line "
			                "%d)",
			                name, s->seen[i].line);
	s->seen = xreallocarray(s->seen, s->nseen + 1, sizeof(*s->seen));
	s->seen[s->nseen].key = k;
	s->seen[s->nseen++].line = s->lineno;
	s->key = k;
	s->key_line = s->lineno;
	if (*value == '\0')
		return ini_bad(s, "no value; give one or remove the line");
	return k->set(s->user, value, false);
}

static char *trimmed(const char *a, const char *b);

/* The handler libinih calls for each key line. */
static int
key_line(void *user, const char *section, const char *name, const char *value)
{
	struct ini_src *s = user;

	/* section is inih's copy, cut at 50 characters: ours is s->sec. */
	(void)section;
	if (s->failed)
		return 0;
	if (s->indented && s->after_key) {
		/* libinih 55 keeps a " ; comment" on a continued line. */
		const char *cmt = ini_comment(value);
		char *v = trimmed(value, cmt ? cmt : value + strlen(value));
		bool ok = continue_key(s, v);
		free(v);
		return ok;
	}
	s->after_key = true;
	return new_key(s, name, value);
}

/* ----------------------------------------------------------- raw lines */

/* text between a and b, blanks trimmed, as a new string */
static char *
trimmed(const char *a, const char *b)
{
	a += strspn(a, " \t");
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	return xstrndup(a, (size_t)(b - a));
}

/*
 * A line of a section that takes its lines raw: a key of the section, the
 * continuation of one, or a line for the section's own reader.
 */
static bool
raw_line(struct ini_src *s, const char *t)
{
	const char *eq = strchr(t, '=');
	const char *end = t + strlen(t);
	const char *cmt;
	char *line, *name, *value;
	bool ok;

	if (s->indented && s->after_key) {
		cmt = ini_comment(t);
		value = trimmed(t, cmt ? cmt : end);
		ok = continue_key(s, value);
		free(value);
		return ok;
	}
	if (eq != NULL) {
		name = trimmed(t, eq);
		if (find_key(s, name, true) != NULL) {
			cmt = ini_comment(eq + 1);
			value = trimmed(eq + 1, cmt ? cmt : end);
			s->after_key = true;
			s->after_raw = false;
			ok = new_key(s, name, value);
			free(name);
			free(value);
			return ok;
		}
		free(name);
	}
	s->after_key = false;
	s->after_raw = true;
	s->key = NULL;
	line = trimmed(t, end);
	ok = s->sec->line(s->user, line, s->indented);
	free(line);
	return ok;
}

/* ------------------------------------------------------------ the reader */

/*
 * The next physical line without its end of line (or a UTF-8 BOM), kept in
 * s->lines; NULL at the end.
 */
static char *
next_line(struct ini_src *s, size_t *len)
{
	char *line = NULL;
	size_t cap = 0;

	if (s->fp != NULL) {
		/* Bounded while reading: /dev/zero or a file without a
		   newline must not grow memory without end. */
		long n = readfile_line(s->fp, &line, &cap, READFILE_LINE_MAX);
		if ((n == -2 || n == -4) && !s->failed) {
			snprintf(s->err, s->errlen, "%s:%zu: %s", s->name,
			         s->nlines + 1,
			         n == -2 ? "line is longer than " STRINGIFY(
						   READFILE_LINE_MAX) " bytes"
			                 : "line holds a NUL byte: not a text "
			                   "file");
			s->failed = true;
			s->err_line = (int)s->nlines + 1;
		}
		if (n < 0) {
			free(line);
			if (n == -3 && !s->failed) {
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

/*
 * An ini_reader: inih's lines are counted here, and sections seen here.
 * inih gets only a stand-in for comments, section lines and raw lines, so
 * that none is bound by its line buffer (a node name may be 253 bytes).
 */
static char *
ini_read(char *buf, int num, void *stream)
{
	struct ini_src *s = stream;
	const char *t, *give;
	size_t len;
	char *line;

	if (s->failed || (line = next_line(s, &len)) == NULL)
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
	} else if (*t == '[' &&
	           !(s->indented && (s->after_key || s->after_raw))) {
		/*
		 * As in inih: after a key, an indented "[" continues it
		 * (and so it does after a raw line).
		 */
		s->after_key = false;
		s->after_raw = false;
		if (!section_line(s, t))
			return NULL;
		give = "[]";
	} else if (*t == '\0') {
		give = "";
	}
	/* Room for the '\n' inih expects and the NUL. */
	if (strlen(give) + 2 > (size_t)num) {
		ini_fail(s,
		         "line is longer than %d characters; continue a "
		         "long list on indented lines",
		         num - 2);
		return NULL;
	}
	if (give == line && s->sec != NULL && s->sec->line != NULL) {
		if (!raw_line(s, t))
			return NULL;
		give = "#";
	}
	snprintf(buf, (size_t)num, "%s\n", give);
	return buf;
}

int
ini_src_parse(struct ini_src *s)
{
	const struct ini_syntax *syn = s->syntax;
	int ret;

	s->first_line = xcalloc(count_sections(syn) + 1, sizeof(int));
	if (syn->initial != NULL) {
		s->sec = syn->initial;
		s->label = section_label(s->sec, NULL);
	}
	ret = ini_parse_stream(ini_read, s, key_line, s);
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
	free(s->label);
	free(s->first_line);
	free(s->seen);
	s->lines = NULL;
	s->nlines = 0;
	s->label = NULL;
	s->first_line = NULL;
	s->seen = NULL;
	s->nseen = 0;
}
