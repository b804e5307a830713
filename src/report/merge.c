/*
 * merge.c -- JSON results back into results, for `mailready report`.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "report/merge.h"
#include "xmalloc.h"

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

static int
add_result(struct merge *m, json_t *c, const char *node, const char *domain,
           const char *vantage, const char *path, char *err, size_t errlen)
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
	mr_result_set_message(r, "%s",
	                      str(c, "message") ? str(c, "message") : "");
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
           const char *path, char *err, size_t errlen)
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
			               domains ? name : NULL, vantage, path,
			               err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

static void
note_run(struct merge *m, json_t *doc, const char *vantage)
{
	time_t t = parse_time(str(doc, "started_at"));
	double d = json_number_value(json_object_get(doc, "duration_ms"));
	if (t != 0 && (m->started_at == 0 || t < m->started_at))
		m->started_at = t;
	if (d > m->duration_ms)
		m->duration_ms = d;
	char *v = xasprintf("%s%s%s", m->vantages ? m->vantages : "",
	                    m->vantages ? ", " : "", vantage);
	free(m->vantages);
	m->vantages = v;
}

int
merge_add_file(struct merge *m, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (m->cfg == NULL)
		m->cfg = mr_config_new_default();
	if (doc == NULL) {
		snprintf(err, errlen, "%s:%d: not JSON: %s", path, jerr.line,
		         jerr.text);
		return -1;
	}
	const char *schema = str(doc, "schema");
	if (schema == NULL || strcmp(schema, "mailready/1") != 0) {
		snprintf(err, errlen,
		         "%s: not mailready results (schema mailready/1)",
		         path);
		json_decref(doc);
		return -1;
	}
	const char *vantage = str(doc, "vantage") ? str(doc, "vantage") : path;
	int rc = add_groups(m, json_object_get(doc, "nodes"), false, vantage,
	                    path, err, errlen);
	if (rc == 0)
		rc = add_groups(m, json_object_get(doc, "domains"), true,
		                vantage, path, err, errlen);
	if (rc == 0)
		note_run(m, doc, vantage);
	json_decref(doc);
	return rc;
}

void
merge_free(struct merge *m)
{
	mr_result_list_clear(&m->results);
	mr_config_free(m->cfg);
	free(m->vantages);
	memset(m, 0, sizeof(*m));
}
