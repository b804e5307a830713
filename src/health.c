/*
 * health.c -- state file, change detection and reporting for the cron job.
 *
 * The state is JSON (schema mailready-state/2): one entry per check with
 * its node or domain, id, target, vantage, status and since when it has
 * that status, and its problem findings (code, severity, since, whether
 * accepted). mailready-state/1 files of earlier versions are read too.
 * Entries are found by key through a jansson object, a hash table, so a
 * cluster of thousands of checks is compared in linear time.
 */
#include <errno.h>
#include <stdint.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "atomic.h"
#include "health.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "readfile.h"

#define STATE_SCHEMA    "mailready-state/2"
#define STATE_SCHEMA_V1 "mailready-state/1"

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

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *
entry_key(json_t *e)
{
	const char *node = jstr(e, "node");
	return make_key(node ? node : jstr(e, "domain"), jstr(e, "id"),
	                jstr(e, "target"), jstr(e, "vantage"));
}

static void
fmt_time(time_t t, char buf[static 32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "?");
}

static time_t
parse_time(const char *s, time_t dflt)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return dflt;
	return timegm(&tm);
}

static enum mr_status
entry_status(json_t *e, const char *key)
{
	enum mr_status st;
	const char *s = jstr(e, key);

	return s != NULL && mr_status_parse(s, &st) == 0 ? st : MR_UNKNOWN;
}

/* ------------------------------------------------------------ reading */

/* A time as mailready writes it ("2026-12-01T10:00:00Z"); anything else
   in the file (edited, damaged) is not echoed to a terminal. */
static bool
is_timestamp(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 40 && strspn(s, "0123456789-:+.TZ UTC") == n;
}

static json_t *
load_state(const char *path, struct health_diff *d, time_t *written, char *err,
           size_t errlen)
{
	json_error_t jerr;
	struct stat sb;

	if (lstat(path, &sb) < 0 && errno == ENOENT) {
		d->first_run = true;
		return json_object();
	}
	/* The file is replaced after the run: what may not be replaced is
	   not read either (a link would show another file's text). */
	if (atomic_check_target(path, err, errlen) == -2)
		return NULL;
	char why[128];
	json_t *st = readfile_json(path, &jerr, why, sizeof(why));
	if (st == NULL && why[0] != '\0') {
		snprintf(err, errlen, "state file %s: %s", path, why);
		return NULL;
	}
	const char *schema = json_string_value(json_object_get(st, "schema"));
	if (st == NULL || schema == NULL ||
	    (strcmp(schema, STATE_SCHEMA) != 0 &&
	     strcmp(schema, STATE_SCHEMA_V1) != 0) ||
	    !json_is_array(json_object_get(st, "checks"))) {
		if (st == NULL)
			snprintf(err, errlen,
			         "%s:%d: the state file is damaged (%s); move "
			         "it away or delete it to start afresh (the "
			         "next run writes a new one)",
			         path, jerr.line, jerr.text);
		else
			snprintf(err, errlen,
			         "%s: not a %s state file; move it away or "
			         "delete it to start afresh (the next run "
			         "writes a new one)",
			         path, STATE_SCHEMA);
		json_decref(st);
		return NULL;
	}
	const char *at = jstr(st, "written_at");
	d->since = xstrdup(at != NULL && is_timestamp(at) ? at : "?");
	*written = parse_time(at, 0);
	d->reminded_at = parse_time(jstr(st, "reminded_at"), 0);
	return st;
}

static void
push_change(struct health_diff *d, struct health_change c)
{
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = c;
}

static void
push_since(struct health_diff *d, const struct mr_result *r, const char *code,
           time_t since)
{
	d->s = xreallocarray(d->s, d->ns + 1, sizeof(*d->s));
	d->s[d->ns++] = (struct health_since){r, code, since};
}

/* The finding of a previous entry with that code, or NULL. */
static json_t *
prev_finding(json_t *prev, const char *code)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(prev, "findings"), i, f)
	{
		const char *c = jstr(f, "code");
		if (c != NULL && strcmp(c, code) == 0)
			return f;
	}
	return NULL;
}

static char *
problem_codes(const struct mr_result *r)
{
	struct strbuf b = STRBUF_INIT;

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mr_finding *f = r->findings[i];
		if (f->severity <= MR_PASS || strstr(strbuf_str(&b), f->code))
			continue;
		strbuf_sep(&b, ", ");
		strbuf_add(&b, f->code);
	}
	return b.len ? strbuf_take(&b) : NULL;
}

/* An acceptance that held at the last run and has run out since. */
static char *
expired_acceptance(const struct mr_result *r, json_t *prev)
{
	for (size_t i = 0; prev != NULL && i < r->nfindings; i++) {
		const struct mr_finding *f = r->findings[i];
		if (!f->accept_expired)
			continue;
		json_t *pf = prev_finding(prev, f->code);
		json_t *acc = json_object_get(pf, "accepted");
		if (acc != NULL &&
		    !json_is_true(json_object_get(acc, "expired")))
			return xasprintf("the acceptance of %s ran out on %s: "
			                 "it counts again",
			                 f->code, f->accepted_until);
	}
	return NULL;
}

/* Since when each notable finding of r has been there. */
static void
finding_since(struct health_diff *d, const struct mr_result *r, json_t *prev,
              time_t when, time_t prev_written)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mr_finding *f = r->findings[i];
		if (!report_finding_notable(f))
			continue;
		json_t *pf = prev != NULL ? prev_finding(prev, f->code) : NULL;
		time_t since = when;
		if (pf != NULL)
			since = parse_time(jstr(pf, "since"), prev_written);
		push_since(d, r, f->code, since);
	}
}

static void
diff_one(struct health_diff *d, const struct mr_result *r, json_t *prev,
         time_t when, time_t prev_written)
{
	char *key = result_key(r);
	enum mr_status before = prev ? entry_status(prev, "status") : MR_SKIP;
	char *expired = expired_acceptance(r, prev);
	time_t since = when;

	if (prev != NULL && before == r->status)
		since = parse_time(jstr(prev, "since"), prev_written);
	push_since(d, r, NULL, since);
	finding_since(d, r, prev, when, prev_written);
	/* New checks count when they do not pass. */
	if ((prev == NULL && r->status > MR_PASS) ||
	    (prev != NULL && before != r->status) || expired != NULL) {
		push_change(d, (struct health_change){
				       key, prev != NULL, before, r->status,
				       false, r, problem_codes(r), expired});
		return;
	}
	free(key);
}

static size_t
slot_of(const struct health_diff *d, const struct mr_result *r)
{
	size_t h = (size_t)(((uintptr_t)r >> 4) * 0x9E3779B97F4A7C15u);
	size_t mask = d->nslots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask)
		if (d->slot_r[i] == r || d->slot_r[i] == NULL)
			return i;
}

/* Index where each result's since entries start. */
static void
index_since(struct health_diff *d, size_t nresults)
{
	d->nslots = 16;
	while (d->nslots < 2 * nresults)
		d->nslots *= 2;
	d->slot_r = xcalloc(d->nslots, sizeof(*d->slot_r));
	d->slot_i = xcalloc(d->nslots, sizeof(*d->slot_i));
	for (size_t i = 0; i < d->ns; i++) {
		if (d->s[i].code != NULL)
			continue;
		size_t k = slot_of(d, d->s[i].r);
		d->slot_r[k] = d->s[i].r;
		d->slot_i[k] = i;
	}
}

int
health_diff(const char *path, const struct mr_result_list *now, time_t when,
            struct health_diff *d, char *err, size_t errlen)
{
	time_t written = when;

	memset(d, 0, sizeof(*d));
	json_t *st = load_state(path, d, &written, err, errlen);
	if (st == NULL)
		return -1;
	json_t *checks = json_object_get(st, "checks");
	json_t *index = json_object(), *seen = json_object();
	size_t i;
	json_t *e;

	json_array_foreach(checks, i, e)
	{
		char *k = entry_key(e);
		json_object_set(index, k, e);
		free(k);
	}
	for (i = 0; i < now->n; i++) {
		char *k = result_key(now->v[i]);
		json_object_set_new(seen, k, json_true());
		diff_one(d, now->v[i], json_object_get(index, k), when,
		         written);
		free(k);
	}
	json_array_foreach(checks, i, e)
	{
		char *k = entry_key(e);
		if (json_object_get(seen, k) != NULL) {
			free(k);
			continue;
		}
		push_change(d, (struct health_change){
				       k, true, entry_status(e, "status"),
				       MR_SKIP, true, NULL, NULL, NULL});
	}
	json_decref(index);
	json_decref(seen);
	json_decref(st);
	index_since(d, now->n);
	return 0;
}

time_t
health_since_of(const struct health_diff *d, const struct mr_result *r,
                const char *code, time_t dflt)
{
	if (d->nslots == 0)
		return dflt;
	size_t k = slot_of(d, r);
	if (d->slot_r[k] != r)
		return dflt;
	/* The check's own entry, then one per notable finding. */
	for (size_t i = d->slot_i[k]; i < d->ns && d->s[i].r == r; i++)
		if (code == NULL ? d->s[i].code == NULL
		                 : d->s[i].code != NULL &&
		                           strcmp(d->s[i].code, code) == 0)
			return d->s[i].since;
	return dflt;
}

bool
health_should_print(const struct health_diff *d, const struct report *rep,
                    double remind_s, time_t when)
{
	if (d->n > 0)
		return true;
	if (rep->status <= MR_PASS || remind_s <= 0)
		return false;
	return (double)(when - d->reminded_at) >= remind_s;
}

/* ------------------------------------------------------------ writing */

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

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, mr_json_text(v));
}

static void
set_time(json_t *o, const char *k, time_t t)
{
	char buf[32];

	fmt_time(t, buf);
	json_object_set_new(o, k, json_string(buf));
}

static json_t *
entry_findings(const struct health_diff *d, const struct mr_result *r,
               time_t when)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct mr_finding *f = r->findings[i];
		if (!report_finding_notable(f))
			continue;
		json_t *o = json_object();
		set_str(o, "code", f->code);
		set_str(o, "severity", mr_status_name(f->severity));
		set_time(o, "since", health_since_of(d, r, f->code, when));
		if (f->accepted_until != NULL) {
			json_t *acc = json_object();
			set_str(acc, "until", f->accepted_until);
			json_object_set_new(acc, "expired",
			                    json_boolean(f->accept_expired));
			json_object_set_new(o, "accepted", acc);
		}
		json_array_append_new(a, o);
	}
	return a;
}

int
health_save(const char *path, const struct mr_result_list *now,
            const struct health_diff *d, time_t when, bool printed, char *err,
            size_t errlen)
{
	json_t *doc = json_object(), *checks = json_array();

	set_str(doc, "schema", STATE_SCHEMA);
	set_time(doc, "written_at", when);
	if (printed || d->reminded_at != 0)
		set_time(doc, "reminded_at", printed ? when : d->reminded_at);
	for (size_t i = 0; i < now->n; i++) {
		const struct mr_result *r = now->v[i];
		json_t *e = json_object();
		set_str(e, "node", r->node);
		set_str(e, "domain", r->domain);
		set_str(e, "id", r->check_id);
		set_str(e, "target", r->target);
		set_str(e, "vantage", r->vantage);
		set_str(e, "status", mr_status_name(r->status));
		set_time(e, "since", health_since_of(d, r, NULL, when));
		json_object_set_new(e, "findings", entry_findings(d, r, when));
		json_array_append_new(checks, e);
	}
	json_object_set_new(doc, "checks", checks);
	struct save_ctx s = {doc};
	int rc = atomic_write(path, write_json, &s, err, errlen);
	json_decref(doc);
	return rc;
}

/* ---------------------------------------------------------- printing */

/* "2026-12-01 10:00 UTC" */
static void
fmt_since(time_t t, char buf[static 32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, 32, "?");
}

static char *
change_text(const struct health_change *c)
{
	struct strbuf b = STRBUF_INIT;

	if (c->gone) {
		strbuf_addf(&b, "%s: no longer checked (was %s)", c->key,
		            mr_status_name(c->before));
		return strbuf_take(&b);
	}
	strbuf_addf(&b, "%s: ", c->key);
	if (c->was_known && c->before == c->after)
		strbuf_addf(&b, "still %s", mr_status_name(c->after));
	else
		strbuf_addf(&b, "%s -> %s",
		            c->was_known ? mr_status_name(c->before) : "new",
		            mr_status_name(c->after));
	if (c->codes != NULL)
		strbuf_addf(&b, " [%s]", c->codes);
	if (c->now != NULL) {
		char *msg = report_check_message(c->now, false);
		strbuf_addf(&b, ": %s", msg);
		free(msg);
	}
	if (c->expired != NULL)
		strbuf_addf(&b, "; %s", c->expired);
	return strbuf_take(&b);
}

static void
print_finding(FILE *out, const struct health_diff *d, const char *group,
              const struct mr_result *r, const struct mr_finding *f,
              time_t when)
{
	char since[32];
	char *text = report_finding_text(f, true);
	char *line = xasprintf("%s %s%s%s: %s %s", group, r->check_id,
	                       r->target ? " " : "", r->target ? r->target : "",
	                       f->code, text);
	char *esc = report_escape(line, false);

	fmt_since(health_since_of(d, r, f->code, when), since);
	fprintf(out, "  %-8s %s (since %s)\n", mr_status_nagios(f->severity),
	        esc, since);
	free(esc);
	free(line);
	free(text);
}

static void
print_failing(FILE *out, const struct health_diff *d, const struct report *rep,
              time_t when)
{
	size_t bad = rep->counts[MR_FAIL] + rep->counts[MR_WARN] +
	             rep->counts[MR_UNKNOWN];
	if (bad == 0)
		return;
	fprintf(out, "\nnot passing now (%zu check%s):\n", bad,
	        bad == 1 ? "" : "s");
	const struct report_group *sets[2] = {rep->nodes, rep->domains};
	size_t counts[2] = {rep->nnodes, rep->ndomains};
	for (int st = MR_FAIL; st >= MR_UNKNOWN; st--)
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < counts[s]; i++) {
				const struct report_group *g = &sets[s][i];
				for (size_t j = 0; j < g->nchecks; j++) {
					const struct mr_result *r =
						g->checks[j];
					for (size_t k = 0; k < r->nfindings;
					     k++)
						if ((int)r->findings[k]
						            ->severity == st)
							print_finding(
								out, d, g->name,
								r,
								r->findings[k],
								when);
				}
			}
}

void
health_print(FILE *out, const struct health_diff *d, const struct report *rep,
             time_t when)
{
	char *summary = report_summary(rep);
	fprintf(out, "mailready health: %s\n", summary);
	free(summary);
	if (d->first_run)
		fputs("\nfirst run: no earlier state to compare with\n", out);
	else if (d->n == 0)
		fprintf(out,
		        "\nno change since %s; a reminder of what still "
		        "fails:\n",
		        d->since);
	else
		fprintf(out, "\n%zu change%s since %s:\n", d->n,
		        d->n == 1 ? "" : "s", d->since);
	for (size_t i = 0; i < d->n && !d->first_run; i++) {
		char *t = change_text(&d->v[i]);
		char *esc = report_escape(t, false);
		fprintf(out, "  %s\n", esc);
		free(esc);
		free(t);
	}
	print_failing(out, d, rep, when);
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
health_syslog(const struct health_diff *d, time_t when)
{
	openlog("mailready", LOG_PID, LOG_DAEMON);
	for (size_t i = 0; i < d->n; i++) {
		const struct health_change *c = &d->v[i];
		char *t = change_text(c);
		char *esc = report_escape(t, true);
		if (c->now != NULL && c->now->status > MR_PASS) {
			char since[32];
			fmt_since(health_since_of(d, c->now, NULL, when),
			          since);
			syslog(priority(c->after), "%s (since %s)", esc, since);
		} else {
			syslog(c->gone ? LOG_INFO : priority(c->after), "%s",
			       esc);
		}
		free(esc);
		free(t);
	}
	closelog();
}

void
health_diff_free(struct health_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].codes);
		free(d->v[i].expired);
	}
	free(d->v);
	free(d->s);
	free(d->slot_r);
	free(d->slot_i);
	free(d->since);
	memset(d, 0, sizeof(*d));
}
