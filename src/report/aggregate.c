/*
 * aggregate.c -- roll check results up per node and per domain.
 *
 * The aggregator is the only place where statuses are combined: a group is
 * as bad as its worst check and the report as bad as its worst group.
 * Renderers take the report as it is and decide nothing. The counts
 * phrase lives here too, so that text, JSON and Nagios output say the
 * same thing.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nameindex.h"
#include "names.h"
#include "report/report.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Results with neither node nor domain still have to be shown somewhere. */
#define REPORT_NO_NODE "(cluster)"

/* A list of groups being built; cap tracks the allocation. */
struct group_list {
	struct report_group *v;
	size_t n;
	size_t cap;
	struct name_index index; /* names to groups: 10,000 nodes */
};

static const char *
group_name_at(const void *arg, size_t i)
{
	return ((const struct group_list *)arg)->v[i].name;
}

static struct report_group *
group_add(struct group_list *l, const char *name, char *const *roles,
          size_t nroles)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	struct report_group *g = &l->v[l->n];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	name_index_add(&l->index, l->n, group_name_at, l);
	l->n++;
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
	size_t i = name_index_find(&l->index, name, group_name_at, l);

	return i == SIZE_MAX ? NULL : &l->v[i];
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
	rep->probe_timeout_s = cfg != NULL && cfg->probe_timeout_s > 0
	                               ? cfg->probe_timeout_s
	                               : NAN;
	rep->nchecks = results != NULL ? results->n : 0;

	/* Sized once: growing 10,000 groups by doubling costs more than
	   the groups themselves in a heap full of freed results. */
	if (cfg != NULL && cfg->nnodes > 0) {
		nodes.cap = cfg->nnodes + 1;
		nodes.v = xreallocarray(NULL, nodes.cap, sizeof(*nodes.v));
		name_index_rebuild(&nodes.index, 0, group_name_at, &nodes);
	}
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
	name_index_free(&nodes.index);
	name_index_free(&domains.index);
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
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r);
}

void
report_add_note(struct report *r, const char *fmt, ...)
{
	struct strbuf b = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof(*r->notes));
	r->notes[r->nnotes++] = strbuf_take(&b);
}

/*
 * Counts.
 */

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "20 of 25 nodes failing, 4 warning, 1 unknown"; all good: NULL. */
static void
counts_of(struct strbuf *b, const struct report_group *v, size_t n,
          const char *one, const char *many)
{
	static const struct {
		enum mr_status st;
		const char *word;
	} bad[] = {
		{MR_FAIL, "failing"},
		{MR_WARN, "warning"},
		{MR_UNKNOWN, "unknown"},
	};
	bool first = true;

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		size_t c = 0;
		for (size_t i = 0; i < n; i++)
			c += v[i].status == bad[k].st;
		if (c == 0)
			continue;
		if (first)
			strbuf_addf(b, "%zu of %zu %s %s", c, n,
			            plural(n, one, many), bad[k].word);
		else
			strbuf_addf(b, ", %zu %s", c, bad[k].word);
		first = false;
	}
}

static bool
all_good(const struct report_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].status > MR_PASS)
			return false;
	return true;
}

/* "the node", "both nodes", "all 25 nodes" */
static void
all_of(struct strbuf *b, size_t n, const char *one, const char *many)
{
	if (n == 1)
		strbuf_addf(b, "the %s", one);
	else if (n == 2)
		strbuf_addf(b, "both %s", many);
	else
		strbuf_addf(b, "all %zu %s", n, many);
}

/* "5 nodes and 2 domains", "1 node" */
static void
scope(struct strbuf *b, const struct report *r)
{
	if (r->nnodes > 0)
		strbuf_addf(b, "%zu %s", r->nnodes,
		            plural(r->nnodes, "node", "nodes"));
	if (r->nnodes > 0 && r->ndomains > 0)
		strbuf_add(b, " and ");
	if (r->ndomains > 0)
		strbuf_addf(b, "%zu %s", r->ndomains,
		            plural(r->ndomains, "domain", "domains"));
}

/* "5 nodes and 2 domains: all 73 checks pass, 1 skipped" */
static void
summary_all_good(struct strbuf *b, const struct report *r)
{
	size_t pass = r->counts[MR_PASS], skip = r->counts[MR_SKIP];

	scope(b, r);
	strbuf_add(b, ": ");
	if (pass == 0) {
		strbuf_addf(b, "nothing checked, %zu %s skipped", skip,
		            plural(skip, "check", "checks"));
		return;
	}
	all_of(b, pass, "check", "checks");
	strbuf_add(b, pass == 1 ? " passes" : " pass");
	if (skip > 0)
		strbuf_addf(b, ", %zu skipped", skip);
}

char *
report_summary(const struct report *r)
{
	struct strbuf b = STRBUF_INIT;
	bool nodes_ok = all_good(r->nodes, r->nnodes);
	bool domains_ok = all_good(r->domains, r->ndomains);

	if (r->nnodes == 0 && r->ndomains == 0)
		return xstrdup("no checks were run");
	if (nodes_ok && domains_ok) {
		summary_all_good(&b, r);
		return strbuf_take(&b);
	}
	if (!nodes_ok)
		counts_of(&b, r->nodes, r->nnodes, "node", "nodes");
	else if (r->nnodes > 0) {
		all_of(&b, r->nnodes, "node", "nodes");
		strbuf_add(&b, r->nnodes == 1 ? " passes" : " pass");
	}
	if (r->ndomains > 0) {
		strbuf_sep(&b, "; ");
		if (!domains_ok)
			counts_of(&b, r->domains, r->ndomains, "domain",
			          "domains");
		else {
			all_of(&b, r->ndomains, "domain", "domains");
			strbuf_add(&b, r->ndomains == 1 ? " passes" : " pass");
		}
	}
	return strbuf_take(&b);
}

char *
report_check_counts(const struct report *r)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_add(&b, "(");
	for (int st = MR_FAIL; st >= MR_SKIP; st--) {
		if (r->counts[st] == 0)
			continue;
		if (b.len > 1)
			strbuf_add(&b, ", ");
		strbuf_addf(&b, "%zu %s", r->counts[st],
		            mr_status_name((enum mr_status)st));
	}
	strbuf_add(&b, b.len > 1 ? ")" : "no checks)");
	return strbuf_take(&b);
}

char *
report_target_label(const struct mr_result *r)
{
	const char *t = r->target ? r->target : "";
	if (r->vantage == NULL)
		return xstrdup(t);
	return xasprintf("%s%s@%s", t, *t ? " " : "", r->vantage);
}
