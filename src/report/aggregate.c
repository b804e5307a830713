/*
 * aggregate.c -- roll check results up per node and per domain.
 *
 * The aggregator is the only place where statuses are combined: a group is
 * as bad as its worst check and the report as bad as its worst group.
 * Renderers take the report as it is and decide nothing. The summary line
 * lives here too, so that text, JSON and Nagios output say the same thing.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "report/report.h"
#include "xmalloc.h"

/* Groups named in the summary before "and N more"; ids likewise per group. */
#define SUMMARY_MAX_GROUPS 5
#define SUMMARY_MAX_IDS    4

/* Results with neither node nor domain still have to be shown somewhere. */
#define REPORT_NO_NODE "(cluster)"

/* A list of groups being built; cap tracks the allocation. */
struct group_list {
	struct report_group *v;
	size_t n;
	size_t cap;
};

static struct report_group *
group_add(struct group_list *l, const char *name, char *const *roles,
          size_t nroles)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	struct report_group *g = &l->v[l->n++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	g->status = MR_SKIP;
	if (nroles > 0) {
		g->roles = xreallocarray(NULL, nroles, sizeof(*g->roles));
		for (size_t i = 0; i < nroles; i++)
			g->roles[i] = xstrdup(roles[i]);
		g->nroles = nroles;
	}
	return g;
}

static struct report_group *
group_find(struct group_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (name_equal(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static void
group_free(struct report_group *g)
{
	free(g->name);
	for (size_t i = 0; i < g->nroles; i++)
		free(g->roles[i]);
	free(g->roles);
	free(g->checks);
}

/*
 * The config only fixes order and roles. A configured node without results
 * (the run was limited to other nodes) would otherwise show as a group that
 * checked nothing, so it is dropped.
 */
static void
group_list_compact(struct group_list *l)
{
	size_t w = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].nchecks == 0)
			group_free(&l->v[i]);
		else
			l->v[w++] = l->v[i];
	}
	l->n = w;
}

static void
group_push(struct report_group *g, const struct mr_result *r)
{
	/* Grow by doubling; a power of two marks a full array. */
	size_t n = g->nchecks;
	if (n == 0 || (n & (n - 1)) == 0)
		g->checks = xreallocarray(g->checks, n ? n * 2 : 1,
		                          sizeof(*g->checks));
	g->checks[g->nchecks++] = r;
	g->status = mr_status_worst(g->status, r->status);
	g->counts[r->status]++;
}

static void
report_seed_nodes(struct group_list *l, const struct mr_config *cfg)
{
	for (size_t i = 0; cfg != NULL && i < cfg->nnodes; i++)
		if (group_find(l, cfg->nodes[i].name) == NULL)
			group_add(l, cfg->nodes[i].name, cfg->nodes[i].roles,
			          cfg->nodes[i].nroles);
}

static void
report_seed_domains(struct group_list *l, const struct mr_config *cfg)
{
	for (size_t i = 0; cfg != NULL && i < cfg->ndomains; i++)
		if (group_find(l, cfg->domains[i]) == NULL)
			group_add(l, cfg->domains[i], NULL, 0);
}

static void
report_place(struct group_list *nodes, struct group_list *domains,
             const struct mr_result *r)
{
	struct group_list *l = nodes;
	const char *name = r->node;

	if (name == NULL && r->domain != NULL) {
		l = domains;
		name = r->domain;
	} else if (name == NULL) {
		name = REPORT_NO_NODE;
	}
	struct report_group *g = group_find(l, name);
	if (g == NULL)
		g = group_add(l, name, NULL, 0);
	group_push(g, r);
}

struct report *
report_build(const struct mr_config *cfg, const struct mr_result_list *results,
             const char *mode, const char *vantage, time_t started_at,
             double duration_ms)
{
	struct report *rep = xcalloc(1, sizeof(*rep));
	struct group_list nodes = {0}, domains = {0};

	rep->mode = mode;
	rep->vantage = vantage ? xstrdup(vantage) : NULL;
	rep->started_at = started_at;
	rep->duration_ms = duration_ms;

	report_seed_nodes(&nodes, cfg);
	report_seed_domains(&domains, cfg);
	for (size_t i = 0; results != NULL && i < results->n; i++) {
		const struct mr_result *r = results->v[i];
		if ((unsigned)r->status >= MR_STATUS_COUNT)
			fatalx("result %s has status %d", r->check_id,
			       (int)r->status);
		report_place(&nodes, &domains, r);
		rep->counts[r->status]++;
	}
	group_list_compact(&nodes);
	group_list_compact(&domains);

	/* Nothing checked proves nothing: that is unknown, not a pass. */
	rep->status = results != NULL && results->n > 0 ? MR_SKIP : MR_UNKNOWN;
	for (size_t i = 0; results != NULL && i < results->n; i++)
		rep->status =
			mr_status_worst(rep->status, results->v[i]->status);

	rep->nodes = nodes.v;
	rep->nnodes = nodes.n;
	rep->domains = domains.v;
	rep->ndomains = domains.n;
	return rep;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nnodes; i++)
		group_free(&r->nodes[i]);
	for (size_t i = 0; i < r->ndomains; i++)
		group_free(&r->domains[i]);
	free(r->nodes);
	free(r->domains);
	free(r->vantage);
	free(r);
}

/*
 * Summary line.
 */

/* A growable string; the summary is short, so simplicity wins. */
struct sbuf {
	char *s;
	size_t n;
};

static void
sbuf_add(struct sbuf *b, const char *s)
{
	size_t len = strlen(s);
	b->s = xrealloc(b->s, b->n + len + 1);
	memcpy(b->s + b->n, s, len + 1);
	b->n += len;
}

static void sbuf_addf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_add(b, s);
	free(s);
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Has an earlier check of the group with this status the same id? */
static bool
summary_seen_id(const struct report_group *g, size_t upto, enum mr_status st)
{
	for (size_t i = 0; i < upto; i++)
		if (g->checks[i]->status == st &&
		    strcmp(g->checks[i]->check_id, g->checks[upto]->check_id) ==
		            0)
			return true;
	return false;
}

/* "mta2.example.com: dns.ptr, dns.a.outside" (ids deduplicated). */
static void
summary_group(struct sbuf *b, const struct report_group *g, enum mr_status st)
{
	size_t shown = 0, more = 0;

	sbuf_addf(b, "%s: ", g->name);
	for (size_t i = 0; i < g->nchecks; i++) {
		if (g->checks[i]->status != st || summary_seen_id(g, i, st))
			continue;
		if (shown == SUMMARY_MAX_IDS) {
			more++;
			continue;
		}
		sbuf_addf(b, "%s%s", shown ? "+" : "", g->checks[i]->check_id);
		shown++;
	}
	if (more > 0)
		sbuf_addf(b, " and %zu more", more);
}

static size_t
summary_count_groups(const struct report *r, enum mr_status st)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nnodes; i++)
		n += r->nodes[i].status == st;
	for (size_t i = 0; i < r->ndomains; i++)
		n += r->domains[i].status == st;
	return n;
}

/* State of the summary line while its clauses are written. */
struct summary {
	struct sbuf b;
	size_t budget; /* groups that may still be named */
	bool clauses;  /* a clause was written: the next needs ", " */
};

/*
 * One clause: "2 failing (a: x, b: y+z)". Groups beyond the budget of the
 * whole line are only counted, as "and N more".
 */
static void
summary_clause(struct summary *s, const struct report *r, enum mr_status st,
               const char *word)
{
	size_t total = summary_count_groups(r, st), shown = 0;

	if (total == 0)
		return;
	sbuf_addf(&s->b, "%s%zu %s", s->clauses ? ", " : "", total, word);
	s->clauses = true;
	if (s->budget == 0)
		return;
	sbuf_add(&s->b, " (");
	for (size_t k = 0; k < r->nnodes + r->ndomains; k++) {
		const struct report_group *g =
			k < r->nnodes ? &r->nodes[k]
				      : &r->domains[k - r->nnodes];
		if (g->status != st)
			continue;
		if (shown == s->budget)
			break;
		/* No ';': Nagios turns it into ':' on the status line. */
		if (shown > 0)
			sbuf_add(&s->b, ", ");
		summary_group(&s->b, g, st);
		shown++;
	}
	if (shown < total)
		sbuf_addf(&s->b, ", and %zu more", total - shown);
	sbuf_add(&s->b, ")");
	s->budget -= shown;
}

/* "5 nodes, 2 domains: " -- either part left out when there is none. */
static void
summary_scope(struct sbuf *b, const struct report *r)
{
	if (r->nnodes > 0)
		sbuf_addf(b, "%zu %s", r->nnodes,
		          plural(r->nnodes, "node", "nodes"));
	if (r->nnodes > 0 && r->ndomains > 0)
		sbuf_add(b, ", ");
	if (r->ndomains > 0)
		sbuf_addf(b, "%zu %s", r->ndomains,
		          plural(r->ndomains, "domain", "domains"));
	sbuf_add(b, ": ");
}

static void
summary_all_good(struct sbuf *b, const struct report *r)
{
	size_t pass = r->counts[MR_PASS], skip = r->counts[MR_SKIP];

	if (pass == 0) {
		sbuf_addf(b, "all %zu %s skipped", skip,
		          plural(skip, "check", "checks"));
		return;
	}
	sbuf_addf(b, "all %zu %s", pass,
	          plural(pass, "check passes", "checks pass"));
	if (skip > 0)
		sbuf_addf(b, ", %zu skipped", skip);
}

char *
report_summary(const struct report *r)
{
	struct summary s = {.budget = SUMMARY_MAX_GROUPS};

	if (r->nnodes == 0 && r->ndomains == 0)
		return xstrdup("no checks were run");
	summary_scope(&s.b, r);
	if (r->status == MR_PASS || r->status == MR_SKIP) {
		summary_all_good(&s.b, r);
		return s.b.s;
	}
	summary_clause(&s, r, MR_FAIL, "failing");
	summary_clause(&s, r, MR_WARN, "warning");
	summary_clause(&s, r, MR_UNKNOWN, "unknown");
	return s.b.s;
}

char *
report_target_label(const struct mr_result *r)
{
	const char *t = r->target ? r->target : "";
	if (r->vantage == NULL)
		return xstrdup(t);
	return xasprintf("%s%s@%s", t, *t ? " " : "", r->vantage);
}
