/*
 * fuzz_report.c -- the reader of `mailready report` (report/merge.c):
 * JSON results of schema mailready/2 or mailready/1 merged into one set
 * of results, then what `report` does with them: aggregation per node and
 * domain, and every renderer (text, preflight, JSON, Nagios, Prometheus),
 * into memory.
 *
 * Input: up to three JSON documents separated by NUL bytes (JSON text
 * holds none), each read as one file of the command line.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/merge.h"
#include "report/report.h"

#define MAX_FILES 3

static void
render(const struct report *rep)
{
	const struct text_opts plain = {false, false, 0};
	const struct text_opts wide = {true, true, 72};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		abort();
	report_render_text(rep, &plain, out);
	report_render_text(rep, &wide, out);
	report_render_preflight(rep, &plain, out);
	report_render_json(rep, out);
	report_render_nagios(rep, out);
	report_render_prometheus(rep, out);
	fclose(out);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MAX_FILES] = {"inside.json",
	                                             "outside.json", "c.json"};
	const char *p = (const char *)data, *end = p + size;
	struct merge m;
	char err[1024];
	int rc = 0;

	memset(&m, 0, sizeof(m));
	for (int i = 0; i < MAX_FILES && rc == 0 && p <= end; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		char *doc = fuzz_exact(p, n);
		err[0] = '\0';
		rc = merge_add_buffer(&m, names[i], doc, n, err, sizeof(err));
		if (rc < 0)
			assert(err[0] != '\0');
		free(doc);
		if (nul == NULL)
			break;
		p = nul + 1;
	}
	if (rc == 0) {
		struct report *rep = report_build(m.cfg, &m.results, "report",
		                                  strbuf_str(&m.vantages),
		                                  m.started_at, m.duration_ms);
		assert(rep != NULL);
		render(rep);
		char *s = report_summary(rep);
		free(s);
		s = report_check_counts(rep);
		free(s);
		report_free(rep);
	}
	merge_free(&m);
	return 0;
}
