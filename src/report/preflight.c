/*
 * preflight.c -- the operator's report before an install: per node a
 * verdict (READY, READY WITH WARNINGS, NOT READY), every failure and
 * warning on its own line with the fix its message carries, and what
 * passed in one line; then the domains the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "xmalloc.h"

static const char *
verdict(enum mr_status s)
{
	switch (s) {
	case MR_FAIL:
		return "NOT READY";
	case MR_WARN:
		return "READY WITH WARNINGS";
	case MR_UNKNOWN:
		return "NOT CHECKED FULLY";
	default:
		return "READY";
	}
}

static const char *
color_of(enum mr_status s, bool color)
{
	if (!color)
		return "";
	switch (s) {
	case MR_FAIL:
		return "\033[31m";
	case MR_WARN:
		return "\033[33m";
	case MR_UNKNOWN:
		return "\033[35m";
	default:
		return "\033[32m";
	}
}

static void
group(FILE *out, const struct report_group *g, bool color)
{
	size_t todo =
		g->counts[MR_FAIL] + g->counts[MR_WARN] + g->counts[MR_UNKNOWN];
	char *name = report_escape(g->name, false);

	fprintf(out, "%s%s%s: %s", color_of(g->status, color), name,
	        color ? "\033[0m" : "", verdict(g->status));
	if (todo > 0)
		fprintf(out, " (%zu to look at)", todo);
	fputc('\n', out);
	free(name);
	for (int s = MR_FAIL; s >= MR_UNKNOWN; s--)
		for (size_t i = 0; i < g->nchecks; i++) {
			const struct mr_result *r = g->checks[i];
			if ((int)r->status != s)
				continue;
			char *label = report_target_label(r);
			char *target = report_escape(label, false);
			char *msg = report_escape(r->message, false);
			fprintf(out, "  %s %s %s: %s\n",
			        s == MR_FAIL   ? "fix "
			        : s == MR_WARN ? "warn"
			                       : "??? ",
			        r->check_id, target, msg);
			free(label);
			free(target);
			free(msg);
		}
	if (g->counts[MR_PASS] > 0) {
		fprintf(out, "  ok   %zu check%s:", g->counts[MR_PASS],
		        g->counts[MR_PASS] == 1 ? "" : "s");
		const char *prev = NULL;
		for (size_t i = 0; i < g->nchecks; i++) {
			const struct mr_result *r = g->checks[i];
			if (r->status != MR_PASS ||
			    (prev && strcmp(prev, r->check_id) == 0))
				continue;
			fprintf(out, " %s", r->check_id);
			prev = r->check_id;
		}
		fputc('\n', out);
	}
	if (g->counts[MR_SKIP] > 0)
		fprintf(out,
		        "  skipped %zu (run on the node itself to check "
		        "them)\n",
		        g->counts[MR_SKIP]);
}

int
report_render_preflight(const struct report *r, const struct text_opts *o,
                        FILE *out)
{
	char *summary = report_summary(r);
	fprintf(out, "mailready preflight: %s\n", summary);
	free(summary);
	for (size_t i = 0; i < r->nnodes; i++) {
		fputc('\n', out);
		group(out, &r->nodes[i], o->color);
	}
	if (r->ndomains > 0)
		fputs("\ndomains\n", out);
	for (size_t i = 0; i < r->ndomains; i++) {
		fputc('\n', out);
		group(out, &r->domains[i], o->color);
	}
	size_t ready = 0;
	for (size_t i = 0; i < r->nnodes; i++)
		ready += r->nodes[i].status != MR_FAIL;
	fprintf(out, "\n%zu of %zu node%s ready to install%s\n", ready,
	        r->nnodes, r->nnodes == 1 ? "" : "s",
	        r->status == MR_FAIL ? "; fix the lines marked 'fix' first"
	                             : "");
	return ferror(out) ? -1 : 0;
}
