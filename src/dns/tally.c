/*
 * tally.c -- failures of many servers, grouped by outcome, in one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/tally.h"
#include "xmalloc.h"

enum tally_form {
	FORM_FROM,    /* "<what> from <servers>[: <tail>]" */
	FORM_BLOCKED, /* "<servers> is|are <why>; not contacted" */
	FORM_TEXT,    /* "<what>", no server */
};

struct tally_group {
	enum tally_form form;
	char *what; /* FORM_BLOCKED: the why */
	char *tail; /* FORM_FROM only; or NULL */
	char **servers;
	size_t n; /* servers (or repeats of a text) */
};

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static struct tally_group *
group_get(struct dns_tally *t, enum tally_form form, const char *what,
          const char *tail)
{
	for (size_t i = 0; i < t->ngroups; i++) {
		struct tally_group *g = &t->groups[i];
		if (g->form == form && same(g->what, what) &&
		    same(g->tail, tail))
			return g;
	}
	t->groups =
		xreallocarray(t->groups, t->ngroups + 1, sizeof(*t->groups));
	struct tally_group *g = &t->groups[t->ngroups++];
	memset(g, 0, sizeof(*g));
	g->form = form;
	g->what = xstrdup(what);
	g->tail = tail ? xstrdup(tail) : NULL;
	return g;
}

static void
group_push(struct dns_tally *t, struct tally_group *g, const char *server)
{
	t->nitems++;
	if (server != NULL) {
		g->servers = xreallocarray(g->servers, g->n + 1,
		                           sizeof(*g->servers));
		g->servers[g->n] = xstrdup(server);
	}
	g->n++;
}

void
tally_add(struct dns_tally *t, const char *what, const char *server,
          const char *tail)
{
	if (tail != NULL && tail[0] == '\0')
		tail = NULL;
	group_push(t, group_get(t, FORM_FROM, what, tail),
	           server ? server : "?");
}

void
tally_add_blocked(struct dns_tally *t, const char *server, const char *why)
{
	group_push(
		t,
		group_get(t, FORM_BLOCKED, why ? why : "outside policy", NULL),
		server ? server : "?");
}

void
tally_add_text(struct dns_tally *t, const char *text)
{
	group_push(t, group_get(t, FORM_TEXT, text, NULL), NULL);
}

void
tally_add_reply(struct dns_tally *t, const struct dns_reply *r)
{
	if (r->server == NULL || r->status == DNS_GAVEUP) {
		char *d = dns_reply_describe(r);
		tally_add_text(t, d);
		free(d);
		return;
	}
	switch (r->status) {
	case DNS_BLOCKED:
		tally_add_blocked(t, r->server, r->detail);
		return;
	case DNS_TIMEOUT:
		/* Not the tries nor the time: the same cause, the same text. */
		tally_add(t, "no answer", r->server, NULL);
		return;
	case DNS_UNREACHABLE:
	case DNS_MALFORMED:
		tally_add(t, dns_status_name(r->status), r->server, r->detail);
		return;
	case DNS_BADRCODE: {
		char *rc = ldns_pkt_rcode2str((ldns_pkt_rcode)r->rcode);
		tally_add(t, rc ? rc : "bad rcode", r->server, NULL);
		free(rc);
		return;
	}
	default:
		tally_add(t, dns_status_name(r->status), r->server, NULL);
		return;
	}
}

size_t
tally_count(const struct dns_tally *t)
{
	return t->nitems;
}

const char *
tally_blocked_why(const struct dns_tally *t)
{
	if (t->ngroups != 1 || t->groups[0].form != FORM_BLOCKED)
		return NULL;
	return t->groups[0].what;
}

/* The first 'named' of v, then "and N more" for the rest of total. */
static void
name_some(struct strbuf *b, char *const *v, size_t named, size_t total)
{
	for (size_t i = 0; i < named; i++) {
		if (i > 0)
			strbuf_add(b, ", ");
		strbuf_add(b, v[i]);
	}
	if (named == 0)
		strbuf_addf(b, "%zu more server%s", total,
		            total == 1 ? "" : "s");
	else if (total > named)
		strbuf_addf(b, " and %zu more", total - named);
}

void
tally_list(struct strbuf *b, const char *const *v, size_t n)
{
	name_some(b, (char *const *)v,
	          n < TALLY_MAX_LISTED ? n : TALLY_MAX_LISTED, n);
}

/* One group, naming at most 'named' of its servers and counting the rest. */
static void
render_group(const struct tally_group *g, size_t named, struct strbuf *b)
{
	switch (g->form) {
	case FORM_TEXT:
		strbuf_add(b, g->what);
		if (g->n > 1)
			strbuf_addf(b, " (%zu times)", g->n);
		return;
	case FORM_FROM:
		strbuf_addf(b, "%s from ", g->what);
		name_some(b, g->servers, named, g->n);
		if (g->tail)
			strbuf_addf(b, ": %s", g->tail);
		return;
	case FORM_BLOCKED:
		name_some(b, g->servers, named, g->n);
		strbuf_addf(b, " %s %s; not contacted",
		            g->n == 1 ? "is" : "are", g->what);
		return;
	}
}

/* Cut a text that alone is too long at a word, with an ellipsis. */
static void
add_cut(struct strbuf *b, const char *s, size_t len, size_t room)
{
	if (len <= room) {
		strbuf_addn(b, s, len);
		return;
	}
	size_t cut = room > 3 ? room - 3 : 0;
	while (cut > 0 && s[cut] != ' ')
		cut--;
	strbuf_addn(b, s, cut);
	strbuf_add(b, "...");
}

void
tally_render(const struct dns_tally *t, struct strbuf *b, size_t max_len)
{
	/* Room kept for "; and 999 more". */
	const size_t reserve = 16;
	size_t omitted = 0, with_servers = 0;
	bool any = false;

	/*
	 * Every group names its first server; what is left of
	 * TALLY_MAX_LISTED goes to the first groups.
	 */
	for (size_t i = 0; i < t->ngroups; i++)
		with_servers += t->groups[i].form != FORM_TEXT;
	size_t extra = TALLY_MAX_LISTED > with_servers
	                       ? TALLY_MAX_LISTED - with_servers
	                       : 0;
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct tally_group *g = &t->groups[i];
		size_t here = 0;
		struct strbuf gb = STRBUF_INIT;

		if (g->form != FORM_TEXT && g->n > 0) {
			here = g->n < 1 + extra ? g->n : 1 + extra;
			extra -= here - 1;
		}
		render_group(g, here, &gb);
		if (!any) {
			/* The first group is always told, cut if need be. */
			size_t left = max_len > b->len + reserve
			                      ? max_len - b->len - reserve
			                      : 0;
			add_cut(b, strbuf_str(&gb), gb.len, left);
			any = true;
		} else if (omitted == 0 &&
		           b->len + 2 + gb.len + reserve <= max_len) {
			strbuf_add(b, "; ");
			strbuf_add(b, strbuf_str(&gb));
		} else {
			/* Once one is left out, so are the rest: order kept. */
			omitted += g->n;
		}
		strbuf_reset(&gb);
	}
	if (omitted > 0)
		strbuf_addf(b, "; and %zu more", omitted);
}

void
tally_clear(struct dns_tally *t)
{
	for (size_t i = 0; i < t->ngroups; i++) {
		struct tally_group *g = &t->groups[i];
		for (size_t j = 0; g->servers && j < g->n; j++)
			free(g->servers[j]);
		free(g->servers);
		free(g->what);
		free(g->tail);
	}
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

const char *
tally_policy_why(const struct netpolicy *np, const struct mr_addr *a, char *buf,
                 size_t len)
{
	char nets[256];

	/* As netpolicy_explain() says it, less the address. */
	if (!mr_cidr_list_contains(&np->allow, a))
		snprintf(buf, len, "outside allow_networks (%s)",
		         mr_cidr_list_str(&np->allow, nets, sizeof(nets)));
	else
		snprintf(buf, len, "outside %s (%s)", NETPOLICY_ENV,
		         mr_cidr_list_str(&np->env_allow, nets, sizeof(nets)));
	return buf;
}
