/*
 * merge.c -- JSON results back into results, for `mailready report`.
 *
 * mailready/2 files give back every finding as it was (code, severity,
 * message, hint, data, acceptance); mailready/1 files carry one message per
 * check, which becomes one V1_RESULT finding of the check's status.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "report/merge.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "readfile.h"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static time_t
parse_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

/* JSON carries values only; units follow the metric names' convention. */
static const char *
metric_unit(const char *name)
{
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, "_ms") == 0)
		return "ms";
	if (strcmp(name, "time") == 0 || (n > 2 && !strcmp(name + n - 2, "_s")))
		return "s";
	if (n > 10 && strcmp(name + n - 10, "_days_left") == 0)
		return "d";
	return "";
}

static enum mr_status
status_of(json_t *o, const char *key, enum mr_status dflt)
{
	enum mr_status st;
	const char *s = str(o, key);

	return s != NULL && mr_status_parse(s, &st) == 0 ? st : dflt;
}

static void
add_finding(struct mr_result *r, json_t *jf)
{
	const char *code = str(jf, "code");
	enum mr_status sev = status_of(jf, "severity", r->status);
	struct mr_finding *f =
		mr_result_add(r, code ? code : "V1_RESULT", sev, "%s",
	                      str(jf, "message") ? str(jf, "message") : "");
	if (str(jf, "hint") != NULL)
		mr_finding_hint(f, "%s", str(jf, "hint"));
	json_t *data = json_object_get(jf, "data");
	if (json_is_object(data) && json_object_size(data) > 0)
		f->data = json_deep_copy(data);
	json_t *acc = json_object_get(jf, "accepted");
	if (json_is_object(acc) && str(acc, "until") != NULL) {
		f->accepted_until = xstrdup(str(acc, "until"));
		f->accept_reason =
			xstrdup(str(acc, "reason") ? str(acc, "reason") : "");
		f->accept_expired =
			json_is_true(json_object_get(acc, "expired"));
		f->found = status_of(acc, "found", sev);
	}
}

static int
add_result(struct merge *m, json_t *c, const char *node, const char *domain,
           const char *vantage, int version, const char *path, char *err,
           size_t errlen)
{
	const char *id = str(c, "id"), *st = str(c, "status");
	enum mr_status status;

	if (id == NULL || st == NULL || mr_status_parse(st, &status) < 0) {
		snprintf(err, errlen,
		         "%s: a check without a valid id or status", path);
		return -1;
	}
	struct mr_result *r = mr_result_new(id, node, domain, str(c, "target"));
	r->status = status;
	json_t *findings = json_object_get(c, "findings");
	if (version >= 2 && json_array_size(findings) > 0) {
		size_t i;
		json_t *jf;
		json_array_foreach(findings, i, jf)
		{
			add_finding(r, jf);
		}
	} else {
		mr_result_add(r, "V1_RESULT", status, "%s",
		              str(c, "message") ? str(c, "message") : "");
	}
	/* The file's status stands, whatever the findings say. */
	r->status = status;
	r->duration_ms = json_number_value(json_object_get(c, "duration_ms"));
	/* A result merged before keeps where it was seen. */
	const char *own = str(c, "vantage");
	r->vantage = xstrdup(own ? own : vantage);
	const char *name;
	json_t *v;
	json_object_foreach(json_object_get(c, "metrics"), name, v)
	{
		mr_result_add_metric(
			r, name, json_is_number(v) ? json_number_value(v) : NAN,
			metric_unit(name));
	}
	mr_result_list_push(&m->results, r);
	return 0;
}

static void
note_node(struct merge *m, json_t *n, const char *name)
{
	struct mr_node *node = mr_config_node(m->cfg, name);
	if (node == NULL)
		node = mr_config_add_node(m->cfg, name);
	if (node == NULL || node->nroles > 0)
		return;
	size_t i;
	json_t *role;
	json_array_foreach(json_object_get(n, "roles"), i, role)
	{
		if (json_is_string(role))
			mr_node_add_role(node, json_string_value(role));
	}
}

static void
note_domain(struct merge *m, const char *name)
{
	for (size_t i = 0; i < m->cfg->ndomains; i++)
		if (name_equal(m->cfg->domains[i], name))
			return;
	m->cfg->domains = xreallocarray(m->cfg->domains, m->cfg->ndomains + 1,
	                                sizeof(*m->cfg->domains));
	m->cfg->domains[m->cfg->ndomains++] = name_normalize(name);
}

static int
add_groups(struct merge *m, json_t *groups, bool domains, const char *vantage,
           int version, const char *path, char *err, size_t errlen)
{
	size_t i, j;
	json_t *g, *c;

	json_array_foreach(groups, i, g)
	{
		const char *name = str(g, "name");
		if (name == NULL) {
			snprintf(err, errlen, "%s: a %s without a name", path,
			         domains ? "domain" : "node");
			return -1;
		}
		if (domains)
			note_domain(m, name);
		else
			note_node(m, g, name);
		json_array_foreach(json_object_get(g, "checks"), j, c)
		{
			if (add_result(m, c, domains ? NULL : name,
			               domains ? name : NULL, vantage, version,
			               path, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

static void
note_run(struct merge *m, json_t *doc, const char *vantage, const char *path)
{
	time_t t = parse_time(str(doc, "started_at"));
	double d = json_number_value(json_object_get(doc, "duration_ms"));
	if (t != 0 && (m->started_at == 0 || t < m->started_at))
		m->started_at = t;
	if (d > m->duration_ms)
		m->duration_ms = d;
	strbuf_sep(&m->vantages, ", ");
	strbuf_add(&m->vantages, vantage);
	m->runs = xreallocarray(m->runs, m->nruns + 1, sizeof(*m->runs));
	m->runs[m->nruns].vantage = xstrdup(vantage);
	m->runs[m->nruns].path = xstrdup(path);
	m->nruns++;
}

/* Two runs seen from one place would merge into one series each: the
   same check twice, with nothing to tell them apart. */
static const char *
vantage_taken(const struct merge *m, const char *vantage)
{
	for (size_t i = 0; i < m->nruns; i++)
		if (strcmp(m->runs[i].vantage, vantage) == 0)
			return m->runs[i].path;
	return NULL;
}

/* Add the results of doc (taken over), read from path; why says what kept
   a file from being read at all. */
static int
add_doc(struct merge *m, json_t *doc, const json_error_t *jerr, const char *why,
        const char *path, char *err, size_t errlen)
{
	if (m->cfg == NULL)
		m->cfg = mr_config_new_default();
	if (doc == NULL && why[0] != '\0') {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	if (doc == NULL) {
		snprintf(err, errlen, "%s:%d: not JSON: %s", path, jerr->line,
		         jerr->text);
		return -1;
	}
	const char *schema = str(doc, "schema");
	int version = 0;
	if (schema != NULL && strcmp(schema, "mailready/1") == 0)
		version = 1;
	else if (schema != NULL && strcmp(schema, "mailready/2") == 0)
		version = 2;
	if (version == 0) {
		snprintf(err, errlen,
		         "%s: not mailready results (schema mailready/2 or "
		         "mailready/1)",
		         path);
		json_decref(doc);
		return -1;
	}
	const char *vantage = str(doc, "vantage") ? str(doc, "vantage") : path;
	const char *other = vantage_taken(m, vantage);
	if (other != NULL) {
		snprintf(err, errlen,
		         "%s and %s were both taken at vantage '%s'; run "
		         "each with its own --vantage NAME",
		         other, path, vantage);
		json_decref(doc);
		return -1;
	}
	int rc = add_groups(m, json_object_get(doc, "nodes"), false, vantage,
	                    version, path, err, errlen);
	if (rc == 0)
		rc = add_groups(m, json_object_get(doc, "domains"), true,
		                vantage, version, path, err, errlen);
	if (rc == 0)
		note_run(m, doc, vantage, path);
	json_decref(doc);
	return rc;
}

int
merge_add_file(struct merge *m, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	char why[128];
	json_t *doc = readfile_json(path, &jerr, why, sizeof(why));

	return add_doc(m, doc, &jerr, why, path, err, errlen);
}

int
merge_add_buffer(struct merge *m, const char *name, const char *buf, size_t len,
                 char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(buf, len, 0, &jerr);

	return add_doc(m, doc, &jerr, "", name, err, errlen);
}

void
merge_free(struct merge *m)
{
	mr_result_list_clear(&m->results);
	mr_config_free(m->cfg);
	strbuf_reset(&m->vantages);
	for (size_t i = 0; i < m->nruns; i++) {
		free(m->runs[i].vantage);
		free(m->runs[i].path);
	}
	free(m->runs);
	memset(m, 0, sizeof(*m));
}
