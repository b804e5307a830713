/*
 * health.c -- state file, change detection and reporting for the cron job.
 *
 * The state is JSON (schema mailready-state/1): one entry per check with
 * its node or domain, id, target, vantage and status.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "atomic.h"
#include "health.h"
#include "xmalloc.h"

#define STATE_SCHEMA "mailready-state/1"

/* "node check target @vantage": how a check is known across runs. */
static char *
make_key(const char *who, const char *id, const char *target,
         const char *vantage)
{
	return xasprintf("%s %s%s%s%s%s", who ? who : "", id ? id : "?",
	                 target ? " " : "", target ? target : "",
	                 vantage ? " @" : "", vantage ? vantage : "");
}

static char *
result_key(const struct mr_result *r)
{
	return make_key(r->node ? r->node : r->domain, r->check_id, r->target,
	                r->vantage);
}

static char *
entry_key(json_t *e)
{
	const char *node = json_string_value(json_object_get(e, "node"));
	return make_key(node ? node
	                     : json_string_value(json_object_get(e, "domain")),
	                json_string_value(json_object_get(e, "id")),
	                json_string_value(json_object_get(e, "target")),
	                json_string_value(json_object_get(e, "vantage")));
}

static void
push(struct health_diff *d, char *key, bool known, enum mr_status before,
     enum mr_status after, bool gone, const char *message)
{
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = (struct health_change){key,   known, before,
	                                      after, gone,  message};
}

static json_t *
load_state(const char *path, struct health_diff *d, char *err, size_t errlen)
{
	json_error_t jerr;
	struct stat sb;

	if (stat(path, &sb) < 0 && errno == ENOENT) {
		d->first_run = true;
		return json_object();
	}
	json_t *st = json_load_file(path, 0, &jerr);
	if (st == NULL) {
		snprintf(err, errlen, "%s:%d: not a mailready state file (%s)",
		         path, jerr.line, jerr.text);
		return NULL;
	}
	const char *schema = json_string_value(json_object_get(st, "schema"));
	if (schema == NULL || strcmp(schema, STATE_SCHEMA) != 0 ||
	    !json_is_array(json_object_get(st, "checks"))) {
		snprintf(err, errlen, "%s: not a %s state file", path,
		         STATE_SCHEMA);
		json_decref(st);
		return NULL;
	}
	const char *at = json_string_value(json_object_get(st, "written_at"));
	d->since = xstrdup(at ? at : "?");
	return st;
}

int
health_diff(const char *path, const struct mr_result_list *now,
            struct health_diff *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	json_t *st = load_state(path, d, err, errlen);
	if (st == NULL)
		return -1;
	json_t *checks = json_object_get(st, "checks");
	size_t nprev = json_array_size(checks);
	bool *matched = xcalloc(nprev ? nprev : 1, sizeof(*matched));
	char **prev_keys = xcalloc(nprev ? nprev : 1, sizeof(*prev_keys));
	for (size_t i = 0; i < nprev; i++)
		prev_keys[i] = entry_key(json_array_get(checks, i));

	for (size_t i = 0; i < now->n; i++) {
		const struct mr_result *r = now->v[i];
		char *key = result_key(r);
		size_t k = 0;
		while (k < nprev && strcmp(prev_keys[k], key) != 0)
			k++;
		if (k == nprev) {
			/* New checks count when they do not pass. */
			if (r->status > MR_PASS)
				push(d, key, false, MR_SKIP, r->status, false,
				     r->message);
			else
				free(key);
			continue;
		}
		matched[k] = true;
		enum mr_status before;
		const char *s = json_string_value(
			json_object_get(json_array_get(checks, k), "status"));
		if (s == NULL || mr_status_parse(s, &before) < 0)
			before = MR_UNKNOWN;
		if (before != r->status)
			push(d, key, true, before, r->status, false,
			     r->message);
		else
			free(key);
	}
	for (size_t k = 0; k < nprev; k++) {
		if (matched[k])
			continue;
		enum mr_status before;
		const char *s = json_string_value(
			json_object_get(json_array_get(checks, k), "status"));
		if (s == NULL || mr_status_parse(s, &before) < 0)
			before = MR_UNKNOWN;
		push(d, xstrdup(prev_keys[k]), true, before, MR_SKIP, true,
		     NULL);
	}
	for (size_t i = 0; i < nprev; i++)
		free(prev_keys[i]);
	free(prev_keys);
	free(matched);
	json_decref(st);
	return 0;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

struct save_ctx {
	json_t *doc;
};

static int
write_json(void *arg, FILE *f)
{
	struct save_ctx *s = arg;
	if (json_dumpf(s->doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

/* mkdir -p for the state directory (cron may run before anything made it). */
static void
make_parent(const char *path)
{
	char *dir = xstrdup(path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	free(dir);
}

int
health_save(const char *path, const struct mr_result_list *now, time_t when,
            char *err, size_t errlen)
{
	char at[32];
	struct tm tm;
	json_t *doc = json_object(), *checks = json_array();

	gmtime_r(&when, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(doc, "schema", json_string(STATE_SCHEMA));
	json_object_set_new(doc, "written_at", json_string(at));
	for (size_t i = 0; i < now->n; i++) {
		const struct mr_result *r = now->v[i];
		json_t *e = json_object();
		set_str(e, "node", r->node);
		set_str(e, "domain", r->domain);
		set_str(e, "id", r->check_id);
		set_str(e, "target", r->target);
		set_str(e, "vantage", r->vantage);
		set_str(e, "status", mr_status_name(r->status));
		json_array_append_new(checks, e);
	}
	json_object_set_new(doc, "checks", checks);
	make_parent(path);
	struct save_ctx s = {doc};
	int rc = atomic_write(path, write_json, &s, err, errlen);
	json_decref(doc);
	return rc;
}

static void
print_change(FILE *out, const struct health_change *c)
{
	char *key = report_escape(c->key, false);
	if (c->gone) {
		fprintf(out, "  %s: no longer checked (was %s)\n", key,
		        mr_status_name(c->before));
	} else {
		char *msg = report_escape(c->message ? c->message : "", false);
		fprintf(out, "  %s: %s -> %s: %s\n", key,
		        c->was_known ? mr_status_name(c->before) : "new",
		        mr_status_name(c->after), msg);
		free(msg);
	}
	free(key);
}

static void
print_failing(FILE *out, const struct report *rep)
{
	size_t bad = rep->counts[MR_FAIL] + rep->counts[MR_WARN] +
	             rep->counts[MR_UNKNOWN];
	if (bad == 0)
		return;
	fprintf(out, "\nnot passing now (%zu):\n", bad);
	const struct report_group *sets[2] = {rep->nodes, rep->domains};
	size_t counts[2] = {rep->nnodes, rep->ndomains};
	for (int status = MR_FAIL; status >= MR_UNKNOWN; status--)
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < counts[s]; i++)
				for (size_t j = 0; j < sets[s][i].nchecks;
				     j++) {
					const struct mr_result *r =
						sets[s][i].checks[j];
					if ((int)r->status != status)
						continue;
					char *msg = report_escape(r->message,
					                          false);
					char *tg = report_escape(
						r->target ? r->target : "",
						false);
					fprintf(out, "  %-7s %s %s %s: %s\n",
					        mr_status_nagios(r->status),
					        sets[s][i].name, r->check_id,
					        tg, msg);
					free(msg);
					free(tg);
				}
}

void
health_print(FILE *out, const struct health_diff *d, const struct report *rep)
{
	if (d->n == 0 && rep->status <= MR_PASS)
		return;
	char *summary = report_summary(rep);
	fprintf(out, "mailready health: %s\n", summary);
	free(summary);
	if (d->first_run)
		fputs("\nfirst run: no earlier state to compare with\n", out);
	else if (d->n == 0)
		fprintf(out, "\nno change since %s\n", d->since);
	else
		fprintf(out, "\n%zu change%s since %s:\n", d->n,
		        d->n == 1 ? "" : "s", d->since);
	for (size_t i = 0; i < d->n && !d->first_run; i++)
		print_change(out, &d->v[i]);
	print_failing(out, rep);
}

static int
priority(enum mr_status s)
{
	switch (s) {
	case MR_FAIL:
		return LOG_ERR;
	case MR_WARN:
		return LOG_WARNING;
	case MR_UNKNOWN:
		return LOG_NOTICE;
	default:
		return LOG_INFO;
	}
}

void
health_syslog(const struct health_diff *d)
{
	openlog("mailready", LOG_PID, LOG_DAEMON);
	for (size_t i = 0; i < d->n; i++) {
		const struct health_change *c = &d->v[i];
		char *key = report_escape(c->key, true);
		char *msg = report_escape(c->message ? c->message : "", true);
		if (c->gone)
			syslog(LOG_INFO, "%s: no longer checked (was %s)", key,
			       mr_status_name(c->before));
		else
			syslog(priority(c->after), "%s: %s -> %s: %s", key,
			       c->was_known ? mr_status_name(c->before) : "new",
			       mr_status_name(c->after), msg);
		free(key);
		free(msg);
	}
	closelog();
}

void
health_diff_free(struct health_diff *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].key);
	free(d->v);
	free(d->since);
	memset(d, 0, sizeof(*d));
}
