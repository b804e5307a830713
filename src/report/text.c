/*
 * text.c -- the report as a table for people.
 *
 * One block per node (name, roles, status) with a line per check, then the
 * domains in the same layout, then a verdict line. Every check is listed:
 * an operator preparing an install wants to see what passed as well. All
 * text that may come from a server is escaped; colour is used only when
 * the caller asks for it (a TTY without NO_COLOR).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "xmalloc.h"

/* Widest status word ("UNKNOWN"); a target column never grows past this. */
#define TEXT_STATUS_WIDTH 7
#define TEXT_TARGET_MAX   40

static const char *const text_colors[MR_STATUS_COUNT] = {
	[MR_SKIP] = "\033[2m",     [MR_PASS] = "\033[32m",
	[MR_UNKNOWN] = "\033[35m", [MR_WARN] = "\033[33m",
	[MR_FAIL] = "\033[31m",
};

#define TEXT_RESET "\033[0m"

struct text_ctx {
	FILE *out;
	bool color;
	int id_width;
	int target_width;
};

/* Columns taken by UTF-8 text: one per code point, good enough here. */
static int
text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static char *
text_target(const struct mr_result *r)
{
	char *label = report_target_label(r);
	char *e = report_escape(*label ? label : "-", false);
	free(label);
	return e;
}

static void
text_pad(FILE *out, int from, int to)
{
	for (int i = from; i < to; i++)
		fputc(' ', out);
}

static void
text_status_word(enum mr_status st, bool upper, char *buf, size_t len)
{
	snprintf(buf, len, "%s", mr_status_name(st));
	for (char *p = buf; upper && *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

static void
text_colored(const struct text_ctx *t, enum mr_status st, const char *s)
{
	if (t->color)
		fprintf(t->out, "%s%s%s", text_colors[st], s, TEXT_RESET);
	else
		fputs(s, t->out);
}

static void
text_check(const struct text_ctx *t, const struct mr_result *r)
{
	char word[16];
	char *id = report_escape(r->check_id, false);
	char *target = text_target(r);
	char *msg = report_escape(r->message, false);

	/* Failures, warnings and unknowns in capitals so that they stand out. */
	text_status_word(r->status, r->status >= MR_UNKNOWN, word,
	                 sizeof(word));
	fputs("  ", t->out);
	text_colored(t, r->status, word);
	text_pad(t->out, text_width(word), TEXT_STATUS_WIDTH);
	fprintf(t->out, "  %s", id);
	text_pad(t->out, text_width(id), t->id_width);
	fprintf(t->out, "  %s", target);
	/* No trailing blanks when there is nothing more to say. */
	if (msg[0] != '\0') {
		text_pad(t->out, text_width(target), t->target_width);
		fprintf(t->out, "  %s", msg);
	}
	fputc('\n', t->out);
	free(id);
	free(target);
	free(msg);
}

static void
text_group(const struct text_ctx *t, const struct report_group *g)
{
	char word[16];
	char *name = report_escape(g->name, false);

	fprintf(t->out, "%s", name);
	for (size_t i = 0; i < g->nroles; i++) {
		char *role = report_escape(g->roles[i], false);
		fprintf(t->out, "%s%s", i == 0 ? " [" : ", ", role);
		free(role);
	}
	fputs(g->nroles > 0 ? "] " : " ", t->out);
	text_status_word(g->status, true, word, sizeof(word));
	text_colored(t, g->status, word);
	fputc('\n', t->out);
	for (size_t i = 0; i < g->nchecks; i++)
		text_check(t, g->checks[i]);
	fputc('\n', t->out);
	free(name);
}

/* Column widths over the whole report, so that all blocks line up. */
static void
text_measure_group(struct text_ctx *t, const struct report_group *g)
{
	for (size_t i = 0; i < g->nchecks; i++) {
		const struct mr_result *r = g->checks[i];
		char *id = report_escape(r->check_id, false);
		char *target = text_target(r);
		int w = text_width(target);

		if (text_width(id) > t->id_width)
			t->id_width = text_width(id);
		if (w > t->target_width)
			t->target_width =
				w < TEXT_TARGET_MAX ? w : TEXT_TARGET_MAX;
		free(id);
		free(target);
	}
}

static void
text_measure(struct text_ctx *t, const struct report *r)
{
	for (size_t i = 0; i < r->nnodes; i++)
		text_measure_group(t, &r->nodes[i]);
	for (size_t i = 0; i < r->ndomains; i++)
		text_measure_group(t, &r->domains[i]);
}

/*
 * "2 of 5 nodes failing, 1 warning": the first bad state names the total,
 * the following ones only add to it. All good: "all 5 nodes pass".
 */
static void
text_verdict_groups(FILE *out, const struct report_group *v, size_t n,
                    const char *one, const char *many, bool *sep)
{
	static const struct {
		enum mr_status st;
		const char *word;
	} bad[] = {
		{MR_FAIL, "failing"},
		{MR_WARN, "warning"},
		{MR_UNKNOWN, "unknown"},
	};
	bool first = true;

	if (n == 0)
		return;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		size_t c = 0;
		for (size_t i = 0; i < n; i++)
			c += v[i].status == bad[k].st;
		if (c == 0)
			continue;
		fputs(*sep ? ", " : "", out);
		if (first)
			fprintf(out, "%zu of %zu %s %s", c, n,
			        n == 1 ? one : many, bad[k].word);
		else
			fprintf(out, "%zu %s", c, bad[k].word);
		first = false;
		*sep = true;
	}
	if (first) {
		fprintf(out, "%sall %zu %s pass", *sep ? ", " : "", n,
		        n == 1 ? one : many);
		*sep = true;
	}
}

/* "(3 fail, 1 warn, 40 pass, 2 skip)", worst first, zeros left out. */
static void
text_verdict_counts(FILE *out, const struct report *r)
{
	bool any = false;

	fputs(" (", out);
	for (int st = MR_FAIL; st >= MR_SKIP; st--) {
		if (r->counts[st] == 0)
			continue;
		fprintf(out, "%s%zu %s", any ? ", " : "", r->counts[st],
		        mr_status_name((enum mr_status)st));
		any = true;
	}
	fputs(any ? ")" : "no checks)", out);
}

static void
text_verdict(const struct text_ctx *t, const struct report *r)
{
	bool sep = false;

	text_colored(t, r->status, mr_status_nagios(r->status));
	fputs(": ", t->out);
	text_verdict_groups(t->out, r->nodes, r->nnodes, "node", "nodes", &sep);
	text_verdict_groups(t->out, r->domains, r->ndomains, "domain",
	                    "domains", &sep);
	if (!sep)
		fputs("nothing was checked", t->out);
	text_verdict_counts(t->out, r);
	fprintf(t->out, " in %.0f ms\n", r->duration_ms);
}

int
report_render_text(const struct report *r, const struct text_opts *o, FILE *out)
{
	struct text_ctx t = {.out = out, .color = o != NULL && o->color};
	char *summary = report_summary(r);
	char *esc = report_escape(summary, false);

	text_measure(&t, r);
	fprintf(out, "mailready %s: %s\n\n", r->mode ? r->mode : "run", esc);
	for (size_t i = 0; i < r->nnodes; i++)
		text_group(&t, &r->nodes[i]);
	if (r->ndomains > 0)
		fputs("domains\n\n", out);
	for (size_t i = 0; i < r->ndomains; i++)
		text_group(&t, &r->domains[i]);
	text_verdict(&t, r);
	free(summary);
	free(esc);
	return ferror(out) ? -1 : 0;
}
