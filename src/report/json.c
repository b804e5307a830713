/*
 * json.c -- the report as JSON, schema "mailready/2" (DESIGN.md, Outputs;
 * checks/schema/mailready-2.schema.json is its JSON Schema).
 *
 * This is the machine interface: `mailready report` merges these files and
 * other tools parse them, so the member names and their order are part of
 * the contract. Every check carries its findings: code, severity, message,
 * hint and data, and the acceptance that applied to it, if any. Strings
 * carry the raw text; jansson escapes it for JSON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "build_config.h"
#include "report/report.h"
#include "xmalloc.h"

#define JSON_SCHEMA "mailready/2"

/* Enough significant digits for milliseconds and metrics, no float noise. */
#define JSON_FLAGS \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

static json_t *
json_text(const char *s)
{
	return mr_json_text(s);
}

/* Whole numbers as integers ("312", not "312.0"); NaN and inf as null. */
static json_t *
json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void
json_put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		fatalx("json: cannot set member %s", key);
}

static json_t *
json_metrics(const struct mr_result *r)
{
	json_t *m = json_object();

	for (size_t i = 0; i < r->nmetrics; i++) {
		/* Keys must be UTF-8 too; names of merged results are input. */
		char *key = report_escape(r->metrics[i].name, false);
		json_put(m, key, json_num(r->metrics[i].value));
		free(key);
	}
	return m;
}

static json_t *
json_finding(const struct mr_finding *f)
{
	json_t *o = json_object();

	json_put(o, "code", json_text(f->code));
	json_put(o, "severity", json_string(mr_status_name(f->severity)));
	json_put(o, "message", json_text(f->message));
	json_put(o, "hint", json_text(f->hint));
	json_put(o, "data", f->data ? json_deep_copy(f->data) : json_object());
	if (f->accepted_until != NULL) {
		json_t *a = json_object();
		json_put(a, "until", json_text(f->accepted_until));
		json_put(a, "reason", json_text(f->accept_reason));
		json_put(a, "expired", json_boolean(f->accept_expired));
		json_put(a, "found", json_string(mr_status_name(f->found)));
		json_put(o, "accepted", a);
	}
	return o;
}

static json_t *
json_check(const struct mr_result *r)
{
	json_t *c = json_object();
	json_t *findings = json_array();
	char *msg = report_check_message(r, false);

	json_put(c, "id", json_text(r->check_id));
	json_put(c, "target", json_text(r->target));
	json_put(c, "status", json_string(mr_status_name(r->status)));
	json_put(c, "message", json_text(msg));
	json_put(c, "duration_ms", json_num(r->duration_ms));
	json_put(c, "metrics", json_metrics(r));
	for (size_t i = 0; i < r->nfindings; i++)
		json_array_append_new(findings, json_finding(r->findings[i]));
	json_put(c, "findings", findings);
	free(msg);
	/* Only merged reports have results taken elsewhere. */
	if (r->vantage != NULL)
		json_put(c, "vantage", json_text(r->vantage));
	return c;
}

static json_t *
json_group(const struct report_group *g, bool node)
{
	json_t *o = json_object();
	json_t *checks = json_array();

	json_put(o, "name", json_text(g->name));
	if (node) {
		json_t *roles = json_array();
		for (size_t i = 0; i < g->nroles; i++)
			json_array_append_new(roles, json_text(g->roles[i]));
		json_put(o, "roles", roles);
	}
	json_put(o, "status", json_string(mr_status_name(g->status)));
	for (size_t i = 0; i < g->nchecks; i++)
		json_array_append_new(checks, json_check(g->checks[i]));
	json_put(o, "checks", checks);
	return o;
}

static json_t *
json_groups(const struct report_group *v, size_t n, bool node)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_group(&v[i], node));
	return a;
}

static json_t *
json_summary(const struct report *r)
{
	json_t *s = json_object();
	json_t *counts = json_object();
	char *text = report_summary(r);
	static const enum mr_status order[] = {MR_PASS, MR_WARN, MR_FAIL,
	                                       MR_UNKNOWN, MR_SKIP};

	json_put(s, "text", json_text(text));
	json_put(s, "nodes", json_integer((json_int_t)r->nnodes));
	json_put(s, "domains", json_integer((json_int_t)r->ndomains));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		json_put(counts, mr_status_name(order[i]),
		         json_integer((json_int_t)r->counts[order[i]]));
	json_put(s, "checks", counts);
	free(text);
	return s;
}

/* "2026-11-28T19:00:00Z": UTC, so that merged reports compare. */
static json_t *
json_time(time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_null();
	return json_string(buf);
}

static json_t *
json_report(const struct report *r)
{
	json_t *root = json_object();
	json_t *tool = json_object();

	json_put(root, "schema", json_string(JSON_SCHEMA));
	json_put(tool, "name", json_string("mailready"));
	json_put(tool, "version", json_string(MAILREADY_VERSION));
	json_put(root, "tool", tool);
	json_put(root, "mode", json_text(r->mode));
	json_put(root, "vantage", json_text(r->vantage));
	json_put(root, "started_at", json_time(r->started_at));
	json_put(root, "duration_ms", json_num(r->duration_ms));
	json_put(root, "status", json_string(mr_status_name(r->status)));
	json_put(root, "summary", json_summary(r));
	if (r->nnotes > 0) {
		json_t *notes = json_array();
		for (size_t i = 0; i < r->nnotes; i++)
			json_array_append_new(notes, json_text(r->notes[i]));
		json_put(root, "notes", notes);
	}
	json_put(root, "nodes", json_groups(r->nodes, r->nnodes, true));
	json_put(root, "domains", json_groups(r->domains, r->ndomains, false));
	return root;
}

int
report_render_json(const struct report *r, FILE *out)
{
	json_t *root = json_report(r);
	int rc = json_dumpf(root, out, JSON_FLAGS);

	json_decref(root);
	if (rc != 0 || fputc('\n', out) == EOF)
		return -1;
	return ferror(out) ? -1 : 0;
}
