/*
 * prometheus.c -- the report in the Prometheus text exposition format, for
 * node_exporter's textfile collector: per check a state set (1 for its
 * status, 0 for the others) with its duration and its certificate's
 * expiry time, per node and domain the worst status, and the run's time
 * and counts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/*
 * Label values: control bytes and invalid UTF-8 first made visible as
 * everywhere (a report's input JSON is anyone's), then backslash, double
 * quote and newline escaped as the text format wants.
 */
static void
label_value(FILE *out, const char *s)
{
	char *safe = report_escape(s, false);

	fputc('"', out);
	for (const char *p = safe; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	free(safe);
}

static void
check_labels(FILE *out, const struct report_group *g, bool domain,
             const struct mr_result *r)
{
	fputs("{node=", out);
	label_value(out, domain ? "" : g->name);
	fputs(",domain=", out);
	label_value(out, domain ? g->name : "");
	fputs(",check=", out);
	label_value(out, r->check_id);
	fputs(",target=", out);
	label_value(out, r->target);
	fputs(",vantage=", out);
	label_value(out, r->vantage);
}

static void
header(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
number(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else
		fprintf(out, "%.15g", v);
}

static void
check_status(FILE *out, const struct report_group *v, size_t n, bool domain)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nchecks; j++)
			for (int s = 0; s < MR_STATUS_COUNT; s++) {
				const struct mr_result *r = v[i].checks[j];
				fputs("mailready_check_status", out);
				check_labels(out, &v[i], domain, r);
				fputs(",status=", out);
				label_value(out, mr_status_name(s));
				fprintf(out, "} %d\n", (int)r->status == s);
			}
}

static void
check_metric(FILE *out, const struct report_group *v, size_t n, bool domain,
             const char *metric, const char *source, double scale)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nchecks; j++) {
			const struct mr_result *r = v[i].checks[j];
			double value = r->duration_ms;
			if (source != NULL) {
				const struct mr_metric *m =
					mr_result_metric(r, source);
				if (m == NULL)
					continue;
				value = m->value;
			}
			fputs(metric, out);
			check_labels(out, &v[i], domain, r);
			fputs("} ", out);
			number(out, value * scale);
			fputc('\n', out);
		}
}

static void
group_status(FILE *out, const struct report_group *v, size_t n,
             const char *label)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "mailready_%s_status{%s=", label, label);
		label_value(out, v[i].name);
		fprintf(out, "} %d\n", mr_status_exit_code(v[i].status));
	}
}

int
report_render_prometheus(const struct report *r, FILE *out)
{
	header(out, "mailready_check_status",
	       "Outcome of a check: 1 for its status, 0 for the others.");
	check_status(out, r->nodes, r->nnodes, false);
	check_status(out, r->domains, r->ndomains, true);
	header(out, "mailready_check_duration_seconds", "Time a check took.");
	check_metric(out, r->nodes, r->nnodes, false,
	             "mailready_check_duration_seconds", NULL, 0.001);
	check_metric(out, r->domains, r->ndomains, true,
	             "mailready_check_duration_seconds", NULL, 0.001);
	/* An absolute time, as blackbox_exporter's
	   probe_ssl_earliest_cert_expiry: alert rules subtract time(). */
	header(out, "mailready_cert_expiry_timestamp_seconds",
	       "When the certificate a service presents expires (Unix "
	       "time).");
	check_metric(out, r->nodes, r->nnodes, false,
	             "mailready_cert_expiry_timestamp_seconds",
	             "cert_not_after", 1.0);
	header(out, "mailready_node_status",
	       "Worst status of a node's checks: 0 ok, 1 warning, 2 "
	       "critical, 3 unknown.");
	group_status(out, r->nodes, r->nnodes, "node");
	header(out, "mailready_domain_status",
	       "Worst status of a domain's checks: 0 ok, 1 warning, 2 "
	       "critical, 3 unknown.");
	group_status(out, r->domains, r->ndomains, "domain");
	header(out, "mailready_checks", "Checks of the last run by status.");
	for (int s = 0; s < MR_STATUS_COUNT; s++)
		fprintf(out, "mailready_checks{status=\"%s\"} %zu\n",
		        mr_status_name(s), r->counts[s]);
	header(out, "mailready_run_duration_seconds",
	       "Wall time of the last run.");
	fprintf(out, "mailready_run_duration_seconds %.3f\n",
	        r->duration_ms / 1000.0);
	header(out, "mailready_run_timestamp_seconds",
	       "When the last run started (Unix time).");
	fprintf(out, "mailready_run_timestamp_seconds %lld\n",
	        (long long)r->started_at);
	return ferror(out) ? -1 : 0;
}
