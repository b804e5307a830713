/*
 * nagios.c -- the report as Monitoring Plugins output (Nagios, Icinga 2,
 * Naemon, NRPE).
 *
 * Line one: "MAILREADY STATE - summary | perfdata"; then the long output,
 * one line per check, worst first. The engine splits on the first '|' and
 * on newlines, so no text from a server may carry either: everything free
 * goes through report_escape(s, true). Numbers use the C locale, as the
 * guidelines require; the program never calls setlocale() for LC_NUMERIC.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "xmalloc.h"

/* Units of measurement the plugin guidelines define; others are dropped. */
static const char *const nagios_uoms[] = {
	"s", "ms", "us", "%", "B", "KB", "MB", "TB", "c",
};

/* Long output order and tags: worst first, skipped last. */
static const struct {
	enum mr_status st;
	const char *tag;
} nagios_sections[] = {
	{MR_FAIL, "CRITICAL"}, {MR_WARN, "WARNING"}, {MR_UNKNOWN, "UNKNOWN"},
	{MR_PASS, "OK"},       {MR_SKIP, "SKIPPED"},
};

#define NAGIOS_NSECTIONS (sizeof(nagios_sections) / sizeof(nagios_sections[0]))

static const char *
nagios_uom(const char *unit)
{
	for (size_t i = 0; i < sizeof(nagios_uoms) / sizeof(nagios_uoms[0]);
	     i++)
		if (unit != NULL && strcmp(unit, nagios_uoms[i]) == 0)
			return nagios_uoms[i];
	return "";
}

/*
 * A perfdata number: digits, '-' and '.', no exponent (the guidelines allow
 * nothing else), at most three decimals, trailing zeros cut.
 */
static void
nagios_num(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.3f", v);
	char *dot = strchr(buf, '.');
	if (dot == NULL)
		return;
	char *end = buf + strlen(buf) - 1;
	while (end > dot && *end == '0')
		*end-- = '\0';
	if (end == dot)
		*end = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
}

/*
 * warn;crit in range syntax. A warn threshold above crit means that lower
 * values are worse (days until a certificate expires): "30:" alerts below
 * 30, where a bare "30" would alert above it.
 */
static void
nagios_thresholds(FILE *out, const struct mr_metric *m)
{
	if (m->warn_range != NULL || m->crit_range != NULL) {
		fprintf(out, ";%s;%s", m->warn_range ? m->warn_range : "",
		        m->crit_range ? m->crit_range : "");
		return;
	}
	bool below = !isnan(m->warn) && !isnan(m->crit) && m->warn > m->crit;
	const double t[2] = {m->warn, m->crit};
	char buf[64];

	for (int i = 0; i < 2; i++) {
		fputc(';', out);
		if (isnan(t[i]))
			continue;
		nagios_num(buf, sizeof(buf), t[i]);
		fprintf(out, "%s%s", buf, below ? ":" : "");
	}
}

/* A quoted label: the guidelines forbid ' and = inside it. */
static void
nagios_label(FILE *out, const char *raw)
{
	char *label = report_escape(raw, true);

	for (char *p = label; *p; p++)
		if (*p == '\'' || *p == '=')
			*p = '_';
	fprintf(out, " '%s'=", label);
	free(label);
}

static void
nagios_perf_counts(FILE *out, const struct report *r)
{
	static const enum mr_status order[] = {MR_FAIL, MR_WARN, MR_UNKNOWN,
	                                       MR_PASS, MR_SKIP};

	fprintf(out, "'time'=%.3fs;;;0", r->duration_ms / 1000.0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fprintf(out, " 'checks_%s'=%zu;;;0", mr_status_name(order[i]),
		        r->counts[order[i]]);
}

/*
 * Does another check of the group with the same id report metrics? Then
 * the target goes into the label, or the two series would be one graph.
 */
static bool
nagios_id_repeats(const struct report_group *g, const struct mr_result *r)
{
	for (size_t i = 0; i < g->nchecks; i++)
		if (g->checks[i] != r && g->checks[i]->nmetrics > 0 &&
		    strcmp(g->checks[i]->check_id, r->check_id) == 0)
			return true;
	return false;
}

static void
nagios_perf_metric(FILE *out, const struct report_group *g,
                   const struct mr_result *r, const struct mr_metric *m)
{
	char buf[64];
	char *raw;

	if (nagios_id_repeats(g, r) && r->target != NULL) {
		char *label = report_target_label(r);
		raw = xasprintf("%s %s %s %s", g->name, r->check_id, label,
		                m->name);
		free(label);
	} else
		raw = xasprintf("%s %s %s", g->name, r->check_id, m->name);
	nagios_label(out, raw);
	free(raw);
	/* "U": the value could not be determined (guidelines). */
	if (isfinite(m->value)) {
		nagios_num(buf, sizeof(buf), m->value);
		fprintf(out, "%s%s", buf, nagios_uom(m->unit));
	} else {
		fputc('U', out);
	}
	nagios_thresholds(out, m);
	/* An expired certificate has negative days left: no min then. */
	fputs(isfinite(m->value) && m->value < 0 ? ";" : ";0", out);
}

/*
 * A mail check's perfdata is its response time and its certificate's days
 * left: the connect and handshake times behind it stay in the JSON, since
 * Nagios cuts plugin output at 8 KiB and a cluster has many checks.
 * Checks without a response time give every metric.
 */
static bool
nagios_perf_wanted(const struct mr_result *r, const struct mr_metric *m)
{
	if (mr_result_metric(r, "time") == NULL)
		return true;
	return strcmp(m->name, "time") == 0 ||
	       strcmp(m->name, "cert_days_left") == 0;
}

static void
nagios_perf_groups(FILE *out, const struct report_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nchecks; j++)
			for (size_t k = 0; k < v[i].checks[j]->nmetrics; k++)
				if (nagios_perf_wanted(
					    v[i].checks[j],
					    &v[i].checks[j]->metrics[k]))
					nagios_perf_metric(
						out, &v[i], v[i].checks[j],
						&v[i].checks[j]->metrics[k]);
}

static void
nagios_first_line(FILE *out, const struct report *r)
{
	char *summary = report_summary(r);
	char *esc = report_escape(summary, true);

	fprintf(out, "MAILREADY %s - %s | ", mr_status_nagios(r->status), esc);
	nagios_perf_counts(out, r);
	nagios_perf_groups(out, r->nodes, r->nnodes);
	nagios_perf_groups(out, r->domains, r->ndomains);
	fputc('\n', out);
	free(summary);
	free(esc);
}

/* "[CRITICAL] mta2.example.com dns.ptr 203.0.113.20: no PTR record" */
static void
nagios_long_line(FILE *out, const char *tag, const char *group,
                 const struct mr_result *r)
{
	char *name = report_escape(group, true);
	char *id = report_escape(r->check_id, true);
	char *label = report_target_label(r);
	char *target = report_escape(label, true);
	free(label);
	char *msg = report_escape(r->message, true);

	fprintf(out, "[%s] %s %s", tag, name, id);
	if (target[0] != '\0')
		fprintf(out, " %s", target);
	if (msg[0] != '\0')
		fprintf(out, ": %s", msg);
	fputc('\n', out);
	free(name);
	free(id);
	free(target);
	free(msg);
}

static void
nagios_long_groups(FILE *out, const struct report_group *v, size_t n,
                   enum mr_status st, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nchecks; j++)
			if (v[i].checks[j]->status == st)
				nagios_long_line(out, tag, v[i].name,
				                 v[i].checks[j]);
}

int
report_render_nagios(const struct report *r, FILE *out)
{
	nagios_first_line(out, r);
	for (size_t s = 0; s < NAGIOS_NSECTIONS; s++) {
		nagios_long_groups(out, r->nodes, r->nnodes,
		                   nagios_sections[s].st,
		                   nagios_sections[s].tag);
		nagios_long_groups(out, r->domains, r->ndomains,
		                   nagios_sections[s].st,
		                   nagios_sections[s].tag);
	}
	return ferror(out) ? -1 : 0;
}
