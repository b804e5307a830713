/*
 * nagios.c -- the report as Monitoring Plugins output (Nagios, Icinga 2,
 * Naemon, NRPE).
 *
 * Line one: "MAILREADY STATE - what is wrong | perfdata". With one check
 * not OK, its message; with more, the counts and the worst one; under
 * NAGIOS_FIRST_MAX bytes before the '|'. Then the long output, one line per
 * problem, worst first, identical problems of a node merged, and a line
 * per node for what passed. Nagios 4 keeps only NAGIOS_OUTPUT_MAX bytes of
 * a plugin's output: past that budget lines are left out and a last line
 * says how many, so the problems, which come first, are always seen.
 *
 * Perfdata labels come from the plan, not from what this run measured:
 * every planned check with a metric gets its label every run ("U" when
 * there is no value), so graphs keep their history when a check fails.
 * With one node the labels carry no node name (a service per host, -H,
 * whatever domains it has); with several, the node name leads; a domain's
 * labels always carry the domain. A cluster too large for per-check
 * labels within the budget gets one response time and one certificate
 * label per node instead -- decided from the plan, so just as stable.
 *
 * The engine splits on the first '|' and on newlines, so no text from a
 * server may carry either: everything free goes through report_escape(s,
 * true). Numbers use the C locale, as the guidelines require.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "report/report.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Nagios 4 MAX_PLUGIN_OUTPUT_LENGTH, with room for the engine's own NUL. */
#define NAGIOS_OUTPUT_MAX 8000
/* The status text before the '|': what fits in a notification. */
#define NAGIOS_FIRST_MAX 200
/* Per-check perfdata up to this many bytes; beyond, per node. */
#define NAGIOS_PERF_BUDGET 3000

/* Long output: worst first. */
static const struct {
	enum mr_status st;
	const char *tag;
} nagios_sections[] = {
	{MR_FAIL, "CRITICAL"},
	{MR_WARN, "WARNING"},
	{MR_UNKNOWN, "UNKNOWN"},
};

#define NAGIOS_NSECTIONS (sizeof(nagios_sections) / sizeof(nagios_sections[0]))

/* The metrics a check reports in perfdata: the catalogue's word. */
static bool
perf_has_time(const char *id)
{
	return (catalog_perf(id) & PERF_TIME) != 0;
}

static bool
perf_has_cert(const char *id)
{
	return (catalog_perf(id) & PERF_CERT) != 0;
}

/*
 * A perfdata number: digits, '-' and '.', no exponent (the guidelines allow
 * nothing else), at most three decimals, trailing zeros cut.
 */
static void
nagios_num(struct strbuf *b, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", v);
	char *dot = strchr(buf, '.');
	if (dot != NULL) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	strbuf_add(b, strcmp(buf, "-0") == 0 ? "0" : buf);
}

/* " 'label'=": the guidelines forbid ' and = inside a label. */
static void
nagios_label(struct strbuf *b, const char *raw)
{
	char *label = report_escape(raw, true);

	for (char *p = label; *p; p++)
		if (*p == '\'' || *p == '=')
			*p = '_';
	strbuf_addf(b, " '%s'=", label);
	free(label);
}

/*
 * value[UOM];warn;crit;min;max -- "U" when there is no value. The
 * thresholds are the run's (th), so a label keeps them when its check
 * measured nothing; a merged report has only the metric's own.
 */
static void
nagios_value(struct strbuf *b, const struct mr_metric *m, const char *uom,
             const char *const th[2], double min, double max)
{
	const char *warn = m && m->warn ? m->warn : th ? th[0] : NULL;
	const char *crit = m && m->crit ? m->crit : th ? th[1] : NULL;

	if (m == NULL || !isfinite(m->value)) {
		strbuf_add(b, "U");
	} else {
		nagios_num(b, m->value);
		strbuf_add(b, uom);
	}
	strbuf_addf(b, ";%s;%s;", warn ? warn : "", crit ? crit : "");
	if (isfinite(min) && !(m && isfinite(m->value) && m->value < min))
		nagios_num(b, min);
	strbuf_add(b, ";");
	if (isfinite(max))
		nagios_num(b, max);
}

/* Is another check of the group planned with the same id? */
static bool
nagios_id_repeats(const struct report_group *g, const struct mr_result *r)
{
	for (size_t i = 0; i < g->nchecks; i++)
		if (g->checks[i] != r &&
		    strcmp(g->checks[i]->check_id, r->check_id) == 0)
			return true;
	return false;
}

static void
nagios_perf_check(struct strbuf *b, const struct report *rep,
                  const struct report_group *g, const struct mr_result *r,
                  bool with_node)
{
	struct strbuf base = STRBUF_INIT;

	if (with_node)
		strbuf_addf(&base, "%s ", g->name);
	strbuf_add(&base, r->check_id);
	if (nagios_id_repeats(g, r)) {
		char *t = report_target_label(r);
		strbuf_addf(&base, " %s", t);
		free(t);
	}
	if (perf_has_time(r->check_id)) {
		char *l = xasprintf("%s time", strbuf_str(&base));
		nagios_label(b, l);
		nagios_value(b, mr_result_metric(r, "time"), "s",
		             rep->time_thresholds, 0, rep->probe_timeout_s);
		free(l);
	}
	if (perf_has_cert(r->check_id)) {
		char *l = xasprintf("%s cert_days", strbuf_str(&base));
		nagios_label(b, l);
		nagios_value(b, mr_result_metric(r, "cert_days_left"), "",
		             rep->cert_thresholds, 0, NAN);
		free(l);
	}
	if ((catalog_perf(r->check_id) & PERF_LOOKUPS) != 0) {
		char *l = xasprintf("%s lookups", strbuf_str(&base));
		nagios_label(b, l);
		nagios_value(b, mr_result_metric(r, "spf_lookups"), "", NULL, 0,
		             10);
		free(l);
	}
	strbuf_reset(&base);
}

/* Per node: the slowest response and the certificate nearest expiry. */
static void
nagios_perf_node(struct strbuf *b, const struct report *rep,
                 const struct report_group *g)
{
	struct mr_metric slow = {.value = NAN}, soon = {.value = NAN};
	bool any_time = false, any_cert = false;

	for (size_t i = 0; i < g->nchecks; i++) {
		const struct mr_result *r = g->checks[i];
		const struct mr_metric *t = mr_result_metric(r, "time");
		const struct mr_metric *c =
			mr_result_metric(r, "cert_days_left");
		any_time = any_time || perf_has_time(r->check_id);
		any_cert = any_cert || perf_has_cert(r->check_id);
		if (t && (isnan(slow.value) || t->value > slow.value))
			slow = *t;
		if (c && (isnan(soon.value) || c->value < soon.value))
			soon = *c;
	}
	if (any_time) {
		char *l = xasprintf("%s time", g->name);
		nagios_label(b, l);
		nagios_value(b, isnan(slow.value) ? NULL : &slow, "s",
		             rep->time_thresholds, 0, rep->probe_timeout_s);
		free(l);
	}
	if (any_cert) {
		char *l = xasprintf("%s cert_days", g->name);
		nagios_label(b, l);
		nagios_value(b, isnan(soon.value) ? NULL : &soon, "",
		             rep->cert_thresholds, 0, NAN);
		free(l);
	}
}

static void
nagios_perf_counts(struct strbuf *b, const struct report *r)
{
	static const enum mr_status order[] = {MR_FAIL, MR_WARN, MR_UNKNOWN,
	                                       MR_PASS, MR_SKIP};

	strbuf_add(b, "'time'=");
	nagios_num(b, r->duration_ms / 1000.0);
	strbuf_add(b, "s;;;0");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		strbuf_addf(b, " 'checks_%s'=%zu;;;0;%zu",
		            mr_status_name(order[i]), r->counts[order[i]],
		            r->nchecks);
}

static void
nagios_perf_groups(struct strbuf *b, const struct report *rep,
                   const struct report_group *v, size_t n, bool with_node)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nchecks; j++)
			nagios_perf_check(b, rep, &v[i], v[i].checks[j],
			                  with_node);
}

static char *
nagios_perfdata(const struct report *r)
{
	struct strbuf b = STRBUF_INIT;

	nagios_perf_counts(&b, r);
	size_t base = b.len;
	/* A node's labels need its name only beside other nodes; a
	   domain's always carry it (dns.mx exists for both). */
	nagios_perf_groups(&b, r, r->nodes, r->nnodes, r->nnodes > 1);
	nagios_perf_groups(&b, r, r->domains, r->ndomains, true);
	/* The label set, and so the size, is the plan's: the same choice
	   every run. */
	if (b.len - base > NAGIOS_PERF_BUDGET) {
		strbuf_truncate(&b, base);
		for (size_t i = 0; i < r->nnodes; i++)
			nagios_perf_node(&b, r, &r->nodes[i]);
	}
	/* A cluster of hundreds of nodes: the totals only. */
	if (b.len - base > NAGIOS_PERF_BUDGET) {
		strbuf_truncate(&b, base);
	}
	return strbuf_take(&b);
}

/* ------------------------------------------------------------ text */

/* The first check with the worst status, and its group. */
static const struct mr_result *
nagios_worst(const struct report *r, const char **group)
{
	for (size_t k = 0; k < r->nnodes + r->ndomains; k++) {
		const struct report_group *g =
			k < r->nnodes ? &r->nodes[k]
				      : &r->domains[k - r->nnodes];
		for (size_t i = 0; i < g->nchecks; i++)
			if (g->checks[i]->status == r->status) {
				*group = g->name;
				return g->checks[i];
			}
	}
	return NULL;
}

/* "mx1.example.com mail.smtp 127.0.2.10:25: certificate expired ..." */
static char *
nagios_check_text(const struct mr_result *c, const char *group, bool hints)
{
	char *label = report_target_label(c);
	char *msg = report_check_message(c, hints);
	bool show_target = label[0] && strcmp(label, group) != 0;
	char *s = xasprintf("%s %s%s%s: %s", group, c->check_id,
	                    show_target ? " " : "", show_target ? label : "",
	                    msg);
	free(label);
	free(msg);
	return s;
}

/* Cut an escaped text to max bytes, at a character boundary, with "...". */
static void
nagios_cut(char *s, size_t max)
{
	if (strlen(s) <= max)
		return;
	size_t n = max - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
}

static size_t
not_ok(const struct report_group *v, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += v[i].status > MR_PASS;
	return c;
}

/* "24 of 25 nodes and 7 of 8 domains" */
static void
nagios_groups_not_ok(struct strbuf *b, const struct report *r)
{
	size_t nodes = not_ok(r->nodes, r->nnodes);
	size_t domains = not_ok(r->domains, r->ndomains);

	if (nodes > 0)
		strbuf_addf(b, "%zu of %zu %s", nodes, r->nnodes,
		            r->nnodes == 1 ? "node" : "nodes");
	if (nodes > 0 && domains > 0)
		strbuf_add(b, " and ");
	if (domains > 0)
		strbuf_addf(b, "%zu of %zu %s", domains, r->ndomains,
		            r->ndomains == 1 ? "domain" : "domains");
}

static char *
nagios_status_text(const struct report *r)
{
	size_t bad =
		r->counts[MR_FAIL] + r->counts[MR_WARN] + r->counts[MR_UNKNOWN];
	const char *group = NULL;
	char *text;

	if (bad == 0) {
		text = report_summary(r);
	} else if (bad == 1) {
		const struct mr_result *w = nagios_worst(r, &group);
		text = nagios_check_text(w, group, true);
	} else {
		const struct mr_result *w = nagios_worst(r, &group);
		char *worst = nagios_check_text(w, group, false);
		struct strbuf b = STRBUF_INIT;
		strbuf_addf(&b, "%zu checks not OK (", bad);
		for (int st = MR_FAIL, first = 1; st >= MR_UNKNOWN; st--) {
			if (r->counts[st] == 0)
				continue;
			strbuf_addf(&b, "%s%zu %s", first ? "" : ", ",
			            r->counts[st],
			            st == MR_FAIL   ? "critical"
			            : st == MR_WARN ? "warning"
			                            : "unknown");
			first = 0;
		}
		strbuf_add(&b, ") on ");
		nagios_groups_not_ok(&b, r);
		strbuf_addf(&b, "; worst: %s", worst);
		text = strbuf_take(&b);
		free(worst);
	}
	char *esc = report_escape(text, true);
	free(text);
	/* "MAILREADY CRITICAL - " counts too. */
	nagios_cut(esc, NAGIOS_FIRST_MAX - strlen("MAILREADY  - ") -
	                        strlen(mr_status_nagios(r->status)));
	return esc;
}

/* The long output, line by line, within what is left of the budget. */
struct nagios_out {
	struct strbuf lines;
	size_t budget;
	size_t left_out;
	bool hints; /* each problem with what to do about it */
};

static void
nagios_emit(struct nagios_out *o, const char *line)
{
	size_t n = strlen(line) + 1;

	if (o->left_out > 0 || n > o->budget) {
		o->left_out++;
		return;
	}
	strbuf_add(&o->lines, line);
	strbuf_addc(&o->lines, '\n');
	o->budget -= n;
}

static void
nagios_problem_rows(struct nagios_out *o, const struct report_group *g,
                    enum mr_status st, const char *tag)
{
	struct report_rows rows;

	report_group_rows(g, st, false, &rows);
	for (size_t i = 0; i < rows.n; i++) {
		char *label = report_row_label(&rows.v[i], g->name);
		char *msg = report_finding_text(rows.v[i].f, o->hints);
		char *raw = xasprintf("[%s] %s%s%s: %s", tag, g->name,
		                      label[0] ? " " : "", label, msg);
		char *esc = report_escape(raw, true);
		nagios_emit(o, esc);
		free(esc);
		free(raw);
		free(msg);
		free(label);
	}
	report_rows_free(&rows);
}

/* "[OK] mta1.example.com: 14 checks pass, 2 skipped" */
static void
nagios_ok_line(struct nagios_out *o, const struct report_group *g)
{
	size_t pass = g->counts[MR_PASS], skip = g->counts[MR_SKIP];

	if (pass == 0 && skip == 0)
		return;
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "[OK] %s: ", g->name);
	if (pass > 0)
		strbuf_addf(&b, "%zu %s", pass,
		            pass == 1 ? "check passes" : "checks pass");
	if (skip > 0)
		strbuf_addf(&b, "%s%zu skipped", pass ? ", " : "", skip);
	char *raw = strbuf_take(&b);
	char *esc = report_escape(raw, true);
	nagios_emit(o, esc);
	free(esc);
	free(raw);
}

/* Returns whether every problem line fitted. */
static bool
nagios_long(struct nagios_out *o, const struct report *r)
{
	for (size_t s = 0; s < NAGIOS_NSECTIONS; s++) {
		for (size_t i = 0; i < r->nnodes; i++)
			nagios_problem_rows(o, &r->nodes[i],
			                    nagios_sections[s].st,
			                    nagios_sections[s].tag);
		for (size_t i = 0; i < r->ndomains; i++)
			nagios_problem_rows(o, &r->domains[i],
			                    nagios_sections[s].st,
			                    nagios_sections[s].tag);
	}
	bool all = o->left_out == 0;
	for (size_t i = 0; i < r->nnodes; i++)
		nagios_ok_line(o, &r->nodes[i]);
	for (size_t i = 0; i < r->ndomains; i++)
		nagios_ok_line(o, &r->domains[i]);
	return all;
}

int
report_render_nagios(const struct report *r, FILE *out)
{
	char *status = nagios_status_text(r);
	char *perf = nagios_perfdata(r);
	char *first = xasprintf("MAILREADY %s - %s | %s",
	                        mr_status_nagios(r->status), status, perf);
	/* Room for the closing line, should one be needed. */
	const size_t closing = 96;
	size_t used = strlen(first) + 1;
	size_t budget = used + closing < NAGIOS_OUTPUT_MAX
	                        ? NAGIOS_OUTPUT_MAX - used - closing
	                        : 0;
	struct nagios_out o = {STRBUF_INIT, budget, 0, true};

	/* More problems than fit with their fixes: every problem first, the
	   fixes are in -f text and JSON. */
	if (!nagios_long(&o, r)) {
		strbuf_reset(&o.lines);
		o = (struct nagios_out){STRBUF_INIT, budget, 0, false};
		nagios_long(&o, r);
	}
	fprintf(out, "%s\n%s", first, strbuf_str(&o.lines));
	if (o.left_out > 0)
		fprintf(out,
		        "... %zu more line%s left out to stay within Nagios' "
		        "8 KiB (mailready check -f text shows all)\n",
		        o.left_out, o.left_out == 1 ? "" : "s");
	strbuf_reset(&o.lines);
	free(first);
	free(perf);
	free(status);
	return ferror(out) ? -1 : 0;
}
