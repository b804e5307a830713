/*
 * format.c -- what every renderer says the same way: a finding as a line,
 * a check's message from its findings, and identical problems of a group
 * gathered into one row.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "strbuf.h"
#include "xmalloc.h"

bool
report_finding_notable(const struct mr_finding *f)
{
	return f->severity > MR_PASS || f->accepted_until != NULL;
}

char *
report_finding_text(const struct mr_finding *f, bool with_hint)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_add(&b, f->message);
	if (f->accepted_until != NULL) {
		strbuf_addf(&b, " (accepted until %s%s", f->accepted_until,
		            f->accept_expired ? ", expired" : "");
		if (f->accept_reason != NULL && f->accept_reason[0] != '\0')
			strbuf_addf(&b, ": %s", f->accept_reason);
		strbuf_add(&b, ")");
	}
	if (with_hint && f->hint != NULL && f->hint[0] != '\0')
		strbuf_addf(&b, "; %s", f->hint);
	return strbuf_take(&b);
}

char *
report_check_message(const struct mr_result *r, bool with_hints)
{
	struct strbuf b = STRBUF_INIT;
	/* Problems worst first; when there are none, what was found. */
	int lowest = r->status > MR_PASS ? MR_UNKNOWN : MR_SKIP;

	for (int st = MR_FAIL; st >= lowest; st--)
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct mr_finding *f = r->findings[i];
			if ((int)f->severity != st)
				continue;
			char *t = report_finding_text(f, with_hints);
			strbuf_sep(&b, "; ");
			strbuf_add(&b, t);
			free(t);
		}
	return strbuf_take(&b);
}

static bool
same_finding(const struct mr_finding *a, const struct mr_finding *b)
{
	return a->severity == b->severity && strcmp(a->code, b->code) == 0 &&
	       strcmp(a->message, b->message) == 0 &&
	       (a->hint == NULL) == (b->hint == NULL) &&
	       (a->hint == NULL || strcmp(a->hint, b->hint) == 0) &&
	       (a->accepted_until == NULL) == (b->accepted_until == NULL);
}

static void
row_add_check(struct report_row *row, const struct mr_result *r)
{
	for (size_t i = 0; i < row->nchecks; i++)
		if (row->checks[i] == r)
			return;
	row->checks = xreallocarray(row->checks, row->nchecks + 1,
	                            sizeof(*row->checks));
	row->checks[row->nchecks++] = r;
}

void
report_group_rows(const struct report_group *g, enum mr_status st,
                  bool accepted, struct report_rows *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < g->nchecks; i++) {
		const struct mr_result *r = g->checks[i];
		for (size_t k = 0; k < r->nfindings; k++) {
			const struct mr_finding *f = r->findings[k];
			if (accepted ? f->accepted_until == NULL ||
			                       f->accept_expired
			             : f->severity != st ||
			                       (f->accepted_until != NULL &&
			                        !f->accept_expired))
				continue;
			size_t j = 0;
			while (j < out->n && !same_finding(out->v[j].f, f))
				j++;
			if (j == out->n) {
				out->v = xreallocarray(out->v, out->n + 1,
				                       sizeof(*out->v));
				out->v[out->n++] = (struct report_row){
					f->severity, f, NULL, 0};
			}
			row_add_check(&out->v[j], r);
		}
	}
}

void
report_rows_free(struct report_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		free(rows->v[i].checks);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

/* At most this many check ids in a row's label; the rest are counted. */
#define ROW_MAX_IDS 3

char *
report_row_label(const struct report_row *row, const char *group)
{
	struct strbuf b = STRBUF_INIT;
	size_t nids = 0, more = 0;
	bool same_target = true;
	char *target = report_target_label(row->checks[0]);

	for (size_t i = 1; i < row->nchecks; i++) {
		char *t = report_target_label(row->checks[i]);
		same_target = same_target && strcmp(t, target) == 0;
		free(t);
	}
	struct strbuf ids = STRBUF_INIT;
	for (size_t i = 0; i < row->nchecks; i++) {
		const char *id = row->checks[i]->check_id;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(row->checks[k]->check_id, id) == 0;
		if (seen)
			continue;
		if (nids == ROW_MAX_IDS) {
			more++;
			continue;
		}
		strbuf_sep(&ids, ", ");
		strbuf_add(&ids, id);
		nids++;
	}
	if (more > 0)
		strbuf_addf(&ids, " and %zu more", more);
	if (same_target) {
		strbuf_add(&b, strbuf_str(&ids));
		if (target[0] != '\0' && strcmp(target, group) != 0)
			strbuf_addf(&b, " %s", target);
	} else {
		strbuf_addf(&b, "%zu checks (%s)", row->nchecks,
		            strbuf_str(&ids));
	}
	strbuf_reset(&ids);
	free(target);
	return strbuf_take(&b);
}
