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
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "report/merge.h"
#include "report/report.h"

#define MAX_FILES 3

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* A fixed hash seed: jansson would read /dev/urandom for one. */
	json_object_seed(1);
	return 0;
}

/*
 * Server-supplied text is escaped before it is printed: without colour,
 * the text and Nagios outputs hold no control character but the newlines
 * that end their lines (JSON's strings jansson escapes; Prometheus has
 * its own check below).
 */
static void
check_plain(const char *what, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n' || (c >= 0x20 && c != 0x7f))
			continue;
		size_t from = i > 60 ? i - 60 : 0;
		fprintf(stderr, "%s: byte 0x%02x at %zu, after '%.*s'\n", what,
		        c, i, (int)(i - from), buf + from);
		abort();
	}
}

/* The name of a metric or label: [a-zA-Z_][a-zA-Z0-9_]* (':' in metrics). */
static const char *
prom_name(const char *q, bool metric)
{
	assert(isalpha((unsigned char)*q) || *q == '_');
	while (isalnum((unsigned char)*q) || *q == '_' || (metric && *q == ':'))
		q++;
	return q;
}

/* {LABEL="VALUE",...}: values with \\, \" and \n escaped, nothing else. */
static const char *
prom_labels(const char *q, const char *eol)
{
	for (q++;;) {
		q = prom_name(q, false);
		assert(q[0] == '=' && q[1] == '"');
		for (q += 2; *q != '"'; q++) {
			assert(q < eol);
			if (*q == '\\') {
				q++;
				assert(*q == '\\' || *q == '"' || *q == 'n');
			}
		}
		q++;
		if (*q != ',')
			break;
		q++;
	}
	assert(*q == '}');
	return q + 1;
}

/*
 * The text exposition format line by line, as node_exporter's textfile
 * collector reads it: "# ..." or NAME[{LABELS}] VALUE. Label values may
 * hold any other character (the format allows it).
 */
static void
check_prometheus(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		assert(eol != NULL);
		if (*p != '#') {
			const char *q = prom_name(p, true);
			if (*q == '{')
				q = prom_labels(q, eol);
			assert(*q == ' ' && q + 1 < eol);
			assert(memchr(q + 1, ' ', (size_t)(eol - q - 1)) ==
			       NULL);
		}
		p = eol + 1;
	}
}

/* Render with fn into memory; check the text unless it may hold colour. */
static void
render_one(const struct report *rep, const char *what,
           int (*fn)(const struct report *, FILE *),
           int (*text_fn)(const struct report *, const struct text_opts *,
                          FILE *),
           const struct text_opts *o, bool check)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		abort();
	if (fn != NULL)
		fn(rep, out);
	else
		text_fn(rep, o, out);
	fclose(out);
	if (fn == report_render_prometheus)
		check_prometheus(buf, len);
	else if (check)
		check_plain(what, buf, len);
	free(buf);
}

static void
render(const struct report *rep)
{
	const struct text_opts plain = {false, false, 0};
	const struct text_opts wide = {true, true, 72};

	render_one(rep, "text", NULL, report_render_text, &plain, true);
	render_one(rep, "text", NULL, report_render_text, &wide, false);
	render_one(rep, "preflight", NULL, report_render_preflight, &plain,
	           true);
	render_one(rep, "json", report_render_json, NULL, NULL, false);
	render_one(rep, "nagios", report_render_nagios, NULL, NULL, true);
	render_one(rep, "prometheus", report_render_prometheus, NULL, NULL,
	           false);
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
