/*
 * text.c -- the report for people: per node (then per domain) what is
 * wrong first, one line per problem with what to do about it, identical
 * problems of a node on one line; what passed summed in one line and
 * identical skips grouped, unless verbose. Lines wrap at the terminal's
 * width. preflight.c lays out the same blocks under its own verdicts.
 *
 * All text that may come from a server is escaped; colour is used only
 * when the caller asks for it (a TTY without NO_COLOR).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/text.h"
#include "strbuf.h"
#include "xmalloc.h"

/* "  accepted  ": two blanks, the widest word (8), two blanks. */
#define TEXT_WORD_WIDTH 12
#define TEXT_INDENT     2

static const char *const text_colors[MR_STATUS_COUNT] = {
	[MR_SKIP] = "\033[2m",     [MR_PASS] = "\033[32m",
	[MR_UNKNOWN] = "\033[35m", [MR_WARN] = "\033[33m",
	[MR_FAIL] = "\033[31m",
};

#define TEXT_RESET "\033[0m"

/* Columns taken by UTF-8 text: one per code point, good enough here. */
static int
text_width(const char *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n && s[i]; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* The byte length of the longest prefix of s that fits in cols columns
   and ends before a blank; 0 if even the first word is wider. */
static size_t
text_fit(const char *s, int cols)
{
	size_t best = 0;
	int w = 0;

	for (size_t i = 0; s[i]; i++) {
		if (s[i] == ' ' && w <= cols)
			best = i;
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
		if (w > cols)
			return best;
	}
	return strlen(s);
}

void
text_colored(const struct text_out *t, enum mr_status st, const char *s)
{
	if (t->color)
		fprintf(t->out, "%s%s%s", text_colors[st], s, TEXT_RESET);
	else
		fputs(s, t->out);
}

/* Print s wrapped: the first line has first columns, the following
   lines are indented by indent blanks. s is already escaped. */
static void
text_wrap(const struct text_out *t, const char *s, int first, int indent)
{
	int cols = first;

	for (;;) {
		size_t n = strlen(s);
		if (t->width > 0 && cols > 10 && text_width(s, n) > cols) {
			size_t cut = text_fit(s, cols);
			if (cut == 0) /* one long word: let it overflow */
				cut = strcspn(s, " ");
			fwrite(s, 1, cut, t->out);
			s += cut + strspn(s + cut, " ");
			if (*s == '\0')
				break;
			fprintf(t->out, "\n%*s", indent, "");
			cols = t->width - indent;
			continue;
		}
		fputs(s, t->out);
		break;
	}
	fputc('\n', t->out);
}

void
text_notes(const struct text_out *t, const struct report *r)
{
	for (size_t i = 0; i < r->nnotes; i++) {
		char *esc = report_escape(r->notes[i], false);
		text_wrap(t, esc, t->width, TEXT_INDENT);
		free(esc);
	}
}

void
text_line(const struct text_out *t, enum mr_status st, const char *word,
          const char *text)
{
	char *esc = report_escape(text, false);
	int pad = TEXT_WORD_WIDTH - TEXT_INDENT - (int)strlen(word);

	fprintf(t->out, "%*s", TEXT_INDENT, "");
	text_colored(t, st, word);
	fprintf(t->out, "%*s", pad > 1 ? pad : 1, "");
	text_wrap(t, esc, t->width - TEXT_WORD_WIDTH, TEXT_WORD_WIDTH);
	free(esc);
}

/* "mail.smtp 127.0.2.10:25: certificate expired ...; renew it" */
static bool
is_not_on_node(const struct mr_finding *f)
{
	return strcmp(f->code, "NOT_ON_NODE") == 0;
}

static void
text_rows(const struct text_out *t, const struct report_group *g,
          enum mr_status st, bool accepted, const char *word)
{
	struct report_rows rows;

	report_group_rows(g, st, accepted, &rows);
	for (size_t i = 0; i < rows.n; i++) {
		/* Said once for the whole report: text_on_node_note(). */
		if (st == MR_SKIP && is_not_on_node(rows.v[i].f))
			continue;
		char *label = report_row_label(&rows.v[i], g->name);
		char *msg = report_finding_text(rows.v[i].f, true);
		char *line =
			xasprintf("%s%s%s", label, label[0] ? ": " : "", msg);
		text_line(t, accepted ? MR_PASS : st, word, line);
		free(line);
		free(msg);
		free(label);
	}
	report_rows_free(&rows);
}

/* "12 checks pass: host.fqdn, dns.a.inside, ..." (ids once each). */
static void
text_passes(const struct text_out *t, const struct report_group *g,
            const char *word)
{
	struct strbuf b = STRBUF_INIT;
	size_t n = g->counts[MR_PASS];

	if (n == 0)
		return;
	strbuf_addf(&b, "%zu %s:", n, n == 1 ? "check passes" : "checks pass");
	for (size_t i = 0; i < g->nchecks; i++) {
		const struct mr_result *r = g->checks[i];
		bool seen = false;
		if (r->status != MR_PASS)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = g->checks[k]->status == MR_PASS &&
			       strcmp(g->checks[k]->check_id, r->check_id) == 0;
		if (!seen)
			strbuf_addf(&b, "%s %s",
			            b.s[b.len - 1] == ':' ? "" : ",",
			            r->check_id);
	}
	text_line(t, MR_PASS, word, strbuf_str(&b));
	strbuf_reset(&b);
}

void
text_group_body(const struct text_out *t, const struct report_group *g,
                const char *const words[MR_STATUS_COUNT], bool verbose)
{
	if (verbose) {
		for (int st = MR_FAIL; st >= MR_SKIP; st--)
			for (size_t i = 0; i < g->nchecks; i++) {
				const struct mr_result *r = g->checks[i];
				if ((int)r->status != st)
					continue;
				char *label = report_target_label(r);
				char *msg = report_check_message(r, true);
				char *line = xasprintf(
					"%s%s%s: %s", r->check_id,
					label[0] ? " " : "", label, msg);
				text_line(t, r->status, words[st], line);
				free(line);
				free(msg);
				free(label);
			}
		return;
	}
	for (int st = MR_FAIL; st >= MR_UNKNOWN; st--)
		text_rows(t, g, (enum mr_status)st, false, words[st]);
	text_rows(t, g, MR_PASS, true, "accepted");
	text_passes(t, g, words[MR_PASS]);
	text_rows(t, g, MR_SKIP, false, words[MR_SKIP]);
}

void
text_on_node_note(const struct text_out *t, const struct report *r)
{
	struct strbuf ids = STRBUF_INIT;
	size_t nodes = 0;

	for (size_t i = 0; i < r->nnodes; i++) {
		const struct report_group *g = &r->nodes[i];
		bool here = false;
		for (size_t j = 0; j < g->nchecks; j++) {
			const struct mr_result *c = g->checks[j];
			if (c->status != MR_SKIP || c->nfindings == 0 ||
			    !is_not_on_node(c->findings[0]))
				continue;
			here = true;
			/* A family once: host.port.smtp, .imap... */
			const char *dot = strrchr(c->check_id, '.');
			size_t n = strncmp(c->check_id, "host.port.", 10) == 0
			                   ? (size_t)(dot - c->check_id)
			                   : strlen(c->check_id);
			char *id =
				xasprintf("%.*s%s", (int)n, c->check_id,
			                  n < strlen(c->check_id) ? ".*" : "");
			if (!strstr(strbuf_str(&ids), id)) {
				strbuf_sep(&ids, ", ");
				strbuf_add(&ids, id);
			}
			free(id);
		}
		nodes += here;
	}
	if (nodes > 0) {
		char *line = xasprintf("%s %s only on the node itself: not "
		                       "checked on %zu %s; run mailready there "
		                       "(-v lists them)",
		                       strbuf_str(&ids),
		                       strchr(strbuf_str(&ids), ',') ? "run"
		                                                     : "runs",
		                       nodes, nodes == 1 ? "node" : "nodes");
		text_line(t, MR_SKIP, "skip", line);
		fputc('\n', t->out);
		free(line);
	}
	strbuf_reset(&ids);
}

static const char *const check_words[MR_STATUS_COUNT] = {
	[MR_SKIP] = "skip", [MR_PASS] = "ok",   [MR_UNKNOWN] = "UNKNOWN",
	[MR_WARN] = "WARN", [MR_FAIL] = "FAIL",
};

bool
text_group_is_quiet(const struct report_group *g)
{
	if (g->status > MR_PASS)
		return false;
	for (size_t i = 0; i < g->nchecks; i++)
		for (size_t k = 0; k < g->checks[i]->nfindings; k++) {
			const struct mr_finding *f = g->checks[i]->findings[k];
			if (f->accepted_until != NULL ||
			    (f->severity == MR_SKIP && !is_not_on_node(f)))
				return false;
		}
	return true;
}

void
text_counts_of(const struct report_group *g, char *buf, size_t len)
{
	size_t pass = g->counts[MR_PASS], skip = g->counts[MR_SKIP];
	int n = 0;

	if (pass > 0)
		n = snprintf(buf, len, "%zu %s", pass,
		             pass == 1 ? "check passes" : "checks pass");
	if (skip > 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s%zu skipped",
		         pass ? ", " : "", skip);
}

/* The group's name, roles and status word, without the newline. */
static void
text_group_head(const struct text_out *t, const struct report_group *g)
{
	char word[16];
	char *name = report_escape(g->name, false);

	fputs(name, t->out);
	for (size_t i = 0; i < g->nroles; i++) {
		char *role = report_escape(g->roles[i], false);
		fprintf(t->out, "%s%s", i == 0 ? " [" : ", ", role);
		free(role);
	}
	fputs(g->nroles > 0 ? "] " : " ", t->out);
	snprintf(word, sizeof(word), "%s", mr_status_name(g->status));
	for (char *p = word; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	text_colored(t, g->status, word);
	free(name);
}

/*
 * A group with nothing to look at takes one line, and a run of them no
 * blank lines between: the problems stand out, a large cluster stays a
 * screen.
 */
static void
text_groups(const struct text_out *t, const struct report_group *v, size_t n,
            bool verbose)
{
	bool after_quiet = false;

	for (size_t i = 0; i < n; i++) {
		const struct report_group *g = &v[i];
		bool quiet = !verbose && text_group_is_quiet(g);
		char counts[64] = "";

		if (after_quiet && !quiet)
			fputc('\n', t->out);
		text_group_head(t, g);
		if (quiet) {
			text_counts_of(g, counts, sizeof(counts));
			fprintf(t->out, ": %s\n", counts);
		} else {
			fputc('\n', t->out);
			text_group_body(t, g, check_words, verbose);
			fputc('\n', t->out);
		}
		after_quiet = quiet;
	}
	if (after_quiet)
		fputc('\n', t->out);
}

int
report_render_text(const struct report *r, const struct text_opts *o, FILE *out)
{
	struct text_out t = {out, o && o->color, o ? o->width : 0};
	char *summary = report_summary(r);
	char *counts = report_check_counts(r);

	fprintf(out, "mailready %s: %s\n", r->mode ? r->mode : "run", summary);
	text_notes(&t, r);
	fputc('\n', out);
	text_groups(&t, r->nodes, r->nnodes, o && o->verbose);
	if (r->ndomains > 0)
		fputs("domains\n\n", out);
	text_groups(&t, r->domains, r->ndomains, o && o->verbose);
	if (!(o && o->verbose))
		text_on_node_note(&t, r);
	text_colored(&t, r->status, mr_status_nagios(r->status));
	fprintf(out, ": %s %s in %.0f ms\n", summary, counts, r->duration_ms);
	free(summary);
	free(counts);
	return ferror(out) ? -1 : 0;
}
