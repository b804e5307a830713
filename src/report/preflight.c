/*
 * preflight.c -- the operator's report before an install: per node a
 * verdict (READY, READY WITH WARNINGS, NOT CHECKED FULLY, NOT READY),
 * every failure and warning on its own line with its fix, what passed in
 * one line and what was skipped with its reason; then the domains the
 * same way, and how many nodes are ready (none, from a host that is no
 * node of the file). The report's notes come first.
 */
#include <stdio.h>
#include <stdlib.h>

#include "report/report.h"
#include "report/text.h"

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

static const char *const preflight_words[MR_STATUS_COUNT] = {
	[MR_SKIP] = "skip", [MR_PASS] = "ok",  [MR_UNKNOWN] = "unknown",
	[MR_WARN] = "warn", [MR_FAIL] = "fix",
};

static void
group(const struct text_out *t, const struct report_group *g, bool verbose)
{
	size_t todo =
		g->counts[MR_FAIL] + g->counts[MR_WARN] + g->counts[MR_UNKNOWN];
	char *name = report_escape(g->name, false);

	text_colored(t, g->status, name);
	fprintf(t->out, ": %s", verdict(g->status));
	free(name);
	if (!verbose && text_group_is_quiet(g)) {
		char counts[64] = "";
		text_counts_of(g, counts, sizeof(counts));
		fprintf(t->out, " (%s)\n", counts);
		return;
	}
	if (todo > 0)
		fprintf(t->out, " (%zu to look at)", todo);
	fputc('\n', t->out);
	text_group_body(t, g, preflight_words, verbose);
}

int
report_render_preflight(const struct report *r, const struct text_opts *o,
                        FILE *out)
{
	struct text_out t = {out, o->color, o->width};
	char *summary = report_summary(r);
	size_t n[MR_STATUS_COUNT] = {0};

	fprintf(out, "mailready preflight: %s\n", summary);
	free(summary);
	text_notes(&t, r);
	for (size_t i = 0; i < r->nnodes; i++) {
		fputc('\n', out);
		group(&t, &r->nodes[i], o->verbose);
		n[r->nodes[i].status]++;
	}
	if (r->ndomains > 0)
		fputs("\ndomains\n", out);
	for (size_t i = 0; i < r->ndomains; i++) {
		fputc('\n', out);
		group(&t, &r->domains[i], o->verbose);
	}
	if (!o->verbose) {
		fputc('\n', out);
		text_on_node_note(&t, r);
	}
	/* Ready means checked and not failing: an unknown is not a yes. */
	size_t ready = n[MR_PASS] + n[MR_SKIP] + n[MR_WARN];
	/* From a host that is none of the nodes nothing is ready: what
	   only the node can tell was not looked at. */
	if (r->off_node)
		fprintf(out,
		        "\nno install verdict: this run is on no node of the "
		        "cluster file; run preflight on each node");
	else
		fprintf(out, "\n%zu of %zu node%s ready to install", ready,
		        r->nnodes, r->nnodes == 1 ? "" : "s");
	if (n[MR_FAIL] > 0)
		fprintf(out, "; %zu not ready", n[MR_FAIL]);
	if (n[MR_UNKNOWN] > 0)
		fprintf(out, "; %zu not checked fully (lines marked 'unknown')",
		        n[MR_UNKNOWN]);
	if (n[MR_FAIL] > 0)
		fputs("; fix the lines marked 'fix' first", out);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}
