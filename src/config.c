/*
 * config.c -- read the cluster file (mailready.conf(5)) into a struct
 * mr_config: the cluster settings, every node with its roles and
 * addresses, and the findings accepted until a date.
 *
 * The INI engine (inisrc.h) reads the file; this file declares its
 * sections and keys and sets their values. Every error is
 * "FILE:LINE: what is wrong", and parsing stops at the first one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailready/codes.h"
#include "inisrc.h"
#include "nameindex.h"
#include "readfile.h"
#include "mailready/config.h"
#include "names.h"
#include "xmalloc.h"

/* ---------------------------------------------------------- small helpers */

static void
str_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long p;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	p = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* Host names as written in configs: letters, digits, '-', '.', '_'. */
static bool
host_chars_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-._", *s))
			return false;
	return true;
}

/* ------------------------------------------------------- the config itself */

/*
 * The blocklists receivers consult most, queried when the config names
 * none (mailready.conf(5) lists them). Spamhaus refuses queries through
 * public resolvers: dns.bl tells that apart from a listing.
 */
static const char *const builtin_blocklists[] = {
	"zen.spamhaus.org",
	"bl.spamcop.net",
	"b.barracudacentral.org",
	"psbl.surriel.com",
};
static const char *const builtin_domain_blocklists[] = {
	"dbl.spamhaus.org",
	"multi.surbl.org",
	"multi.uribl.com",
};

static void
set_builtin(char ***list, size_t *n, const char *const *names, size_t count)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = xcalloc(count, sizeof(**list));
	for (size_t i = 0; i < count; i++)
		(*list)[i] = xstrdup(names[i]);
	*n = count;
}

struct mr_config *
mr_config_new_default(void)
{
	struct mr_config *c = xcalloc(1, sizeof(*c));
	char err[128];

	c->profile = xstrdup("carbonio");
	c->inside.kind = MR_RESOLVERS_SYSTEM;
	c->outside.kind = MR_RESOLVERS_ITERATE;
	c->internet_targets_builtin = true;
	c->public_default = true;
	if (mr_cidr_list_parse("any", &c->allow_networks, err, sizeof(err)) < 0)
		fatalx("default allow_networks: %s", err);
	/* Room for a greet pause (postscreen waits 6 s, Exim setups 7 s)
	   inside the deadline; a healthy run takes a fraction of it. */
	c->timeout_s = 20;
	c->probe_timeout_s = 5;
	c->greeting_timeout_s = 12;
	c->cert_warn_days = 30;
	c->cert_crit_days = 7;
	set_builtin(&c->blocklists, &c->nblocklists, builtin_blocklists,
	            sizeof(builtin_blocklists) / sizeof(*builtin_blocklists));
	c->blocklists_builtin = true;
	set_builtin(&c->domain_blocklists, &c->ndomain_blocklists,
	            builtin_domain_blocklists,
	            sizeof(builtin_domain_blocklists) /
	                    sizeof(*builtin_domain_blocklists));
	c->domain_blocklists_builtin = true;
	return c;
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_targets(struct mr_target *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].host);
	free(v);
}

static void
free_accepts(struct mr_accept *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].target);
		free(v[i].reason);
		free(v[i].file);
	}
	free(v);
}

void
mr_node_clear(struct mr_node *n)
{
	free(n->name);
	free_strv(n->roles, n->nroles);
	free(n->public_addrs);
	free(n->internal_addrs);
	free(n->connect_addrs);
	free_strv(n->tls_names, n->ntls_names);
	memset(n, 0, sizeof(*n));
}

void
mr_config_free(struct mr_config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->profile);
	free_strv(c->domains, c->ndomains);
	free(c->inside.v);
	free(c->outside.v);
	free(c->root_hints);
	free(c->ca_file);
	free_targets(c->internet_targets, c->ninternet_targets);
	mr_cidr_list_free(&c->public_networks);
	mr_cidr_list_free(&c->allow_networks);
	for (size_t i = 0; i < c->nnodes; i++)
		mr_node_clear(&c->nodes[i]);
	free(c->nodes);
	if (c->node_index != NULL)
		name_index_free(c->node_index);
	free(c->node_index);
	free_accepts(c->accepts, c->naccepts);
	free_strv(c->tls_names, c->ntls_names);
	free_strv(c->dkim_selectors, c->ndkim_selectors);
	free_strv(c->blocklists, c->nblocklists);
	free_strv(c->domain_blocklists, c->ndomain_blocklists);
	free(c->login_file);
	free(c->login_user);
	if (c->login_password != NULL) {
		explicit_bzero(c->login_password, strlen(c->login_password));
		free(c->login_password);
	}
	free(c);
}

/* Node names are looked up for every [node] line and every result. */
static const char *
node_name_at(const void *arg, size_t i)
{
	return ((const struct mr_config *)arg)->nodes[i].name;
}

void
mr_config_reindex(struct mr_config *c)
{
	if (c->node_index == NULL)
		c->node_index = xcalloc(1, sizeof(*c->node_index));
	name_index_rebuild(c->node_index, c->nnodes, node_name_at, c);
}

struct mr_node *
mr_config_node(const struct mr_config *c, const char *name)
{
	if (c->node_index == NULL || c->node_index->n != c->nnodes) {
		for (size_t i = 0; i < c->nnodes; i++)
			if (name_equal(c->nodes[i].name, name))
				return &c->nodes[i];
		return NULL;
	}
	size_t i = name_index_find(c->node_index, name, node_name_at, c);
	return i == SIZE_MAX ? NULL : &c->nodes[i];
}

struct mr_node *
mr_config_add_node(struct mr_config *c, const char *name)
{
	struct mr_node *n;

	if (c->node_index == NULL || c->node_index->n != c->nnodes)
		mr_config_reindex(c);
	if (mr_config_node(c, name) != NULL)
		return NULL;
	c->nodes = xreallocarray(c->nodes, c->nnodes + 1, sizeof(*c->nodes));
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->name = name_normalize(name);
	name_index_add(c->node_index, c->nnodes - 1, node_name_at, c);
	return n;
}

void
mr_node_add_role(struct mr_node *n, const char *role)
{
	if (mr_node_has_role(n, role))
		return;
	n->roles = xreallocarray(n->roles, n->nroles + 1, sizeof(*n->roles));
	n->roles[n->nroles] = xstrdup(role);
	str_lower(n->roles[n->nroles++]);
}

bool
mr_node_has_role(const struct mr_node *n, const char *role)
{
	for (size_t i = 0; i < n->nroles; i++)
		if (strcasecmp(n->roles[i], role) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------- lists of addresses */

static int
resolvers_list(const char *value, struct mr_resolvers *r, char *err,
               size_t errlen)
{
	const char *p = value;
	char *item;

	while ((item = ini_next_item(&p)) != NULL) {
		struct mr_server sv;
		if (strcasecmp(item, "system") == 0 ||
		    strcasecmp(item, "iterate") == 0) {
			snprintf(err, errlen,
			         "'%s' must be the only value, not mixed "
			         "with addresses",
			         item);
			free(item);
			return -1;
		}
		if (mr_endpoint_parse(item, 53, &sv.addr, &sv.port) < 0) {
			snprintf(err, errlen,
			         "'%s' is not ADDR, ADDR:PORT or [IPv6]:PORT "
			         "(port 1-65535)",
			         item);
			free(item);
			return -1;
		}
		free(item);
		r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
		r->v[r->n++] = sv;
	}
	return 0;
}

int
mr_resolvers_parse(const char *value, bool allow_iterate,
                   struct mr_resolvers *out, char *err, size_t errlen)
{
	struct mr_resolvers r = {MR_RESOLVERS_LIST, NULL, 0};

	if (ini_is_word(value, "system")) {
		r.kind = MR_RESOLVERS_SYSTEM;
	} else if (ini_is_word(value, "iterate")) {
		if (!allow_iterate) {
			snprintf(err, errlen,
			         "iterate only applies to outside_resolvers");
			return -1;
		}
		r.kind = MR_RESOLVERS_ITERATE;
	} else if (resolvers_list(value, &r, err, errlen) < 0) {
		free(r.v);
		return -1;
	} else if (r.n == 0) {
		snprintf(err, errlen,
		         "no resolvers given; write system%s or "
		         "addresses",
		         allow_iterate ? ", iterate" : "");
		return -1;
	}
	*out = r;
	return 0;
}

int
mr_cidr_list_parse(const char *value, struct mr_cidr_list *out, char *err,
                   size_t errlen)
{
	struct mr_cidr_list l = {NULL, 0};
	const char *p = value;
	char *item;

	while ((item = ini_next_item(&p)) != NULL) {
		struct mr_cidr c;
		bool any = strcasecmp(item, "any") == 0;
		int rc = mr_cidr_parse(any ? "0.0.0.0/0" : item, &c, err,
		                       errlen);
		free(item);
		if (rc < 0) {
			mr_cidr_list_free(&l);
			return -1;
		}
		mr_cidr_list_add(&l, &c);
		if (any && mr_cidr_parse("::/0", &c, err, errlen) == 0)
			mr_cidr_list_add(&l, &c);
	}
	if (l.n == 0) {
		snprintf(err, errlen, "no networks given");
		return -1;
	}
	mr_cidr_list_free(out);
	*out = l;
	return 0;
}

/* ------------------------------------------------------------ the parser */

enum cfg_section {
	SEC_CLUSTER = 1,
	SEC_ACCEPT = 2,
	SEC_NODE = 4,
};

struct cfg_parser {
	struct ini_src src;  /* the cluster file */
	struct ini_src *cur; /* the file being read: src or an accept file */
	struct mr_config *cfg;
	char *dir;   /* directory of the file: relative paths start there */
	size_t node; /* index of the current node */
	/* The acceptance an indented line continues; SIZE_MAX: none. */
	size_t last_accept;
	int warn_line; /* where cert_*_days were set, for the final check */
	int crit_line;
};

static bool __attribute__((format(printf, 2, 3)))
fail(struct cfg_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(ps->cur, ps->cur->lineno, fmt, ap);
	va_end(ap);
	return false;
}

/* A bad value: the message is prefixed with the section and key. */
static bool __attribute__((format(printf, 2, 3)))
bad(struct cfg_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_badv(ps->cur, fmt, ap);
	va_end(ap);
	return false;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Paths in the file are relative to the file, not to the working dir. */
static char *
resolve_path(const struct cfg_parser *ps, const char *path)
{
	size_t dl = strlen(ps->dir);

	if (path[0] == '/' || strcmp(ps->dir, ".") == 0)
		return xstrdup(path);
	if (ps->dir[dl - 1] == '/')
		return xasprintf("%s%s", ps->dir, path);
	return xasprintf("%s/%s", ps->dir, path);
}

static void
set_str(char **dst, char *value)
{
	free(*dst);
	*dst = value;
}

/* ------------------------------------------------------- [cluster] keys */

static bool
valid_profile_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static bool
set_profile(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	if (strchr(v, '/') != NULL) {
		set_str(&ps->cfg->profile, resolve_path(ps, v));
		return true;
	}
	if (!valid_profile_name(v))
		return bad(ps,
		           "'%s' is not a profile name (a-z, 0-9, '-') nor a "
		           "path; write ./%s for a file next to this one",
		           v, v);
	set_str(&ps->cfg->profile, xstrdup(v));
	return true;
}

static bool
valid_domain(const char *d)
{
	size_t label = 0;

	if (*d == '\0' || strlen(d) > 253)
		return false;
	for (; *d; d++) {
		if (*d == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*d) || *d == '-' ||
		           *d == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

static bool
has_domain(const struct mr_config *c, const char *d)
{
	for (size_t i = 0; i < c->ndomains; i++)
		if (strcmp(c->domains[i], d) == 0)
			return true;
	return false;
}

static bool
set_domains(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;
	const char *p = v;
	char *item;

	(void)cont;
	while ((item = ini_next_item(&p)) != NULL) {
		char *d = name_normalize(item);
		if (!valid_domain(d)) {
			bad(ps,
			    "'%s' is not a domain name (letters, digits, '-', "
			    "labels separated by single dots)",
			    item);
			free(item);
			free(d);
			return false;
		}
		free(item);
		if (has_domain(c, d)) {
			free(d);
			continue;
		}
		c->domains = xreallocarray(c->domains, c->ndomains + 1,
		                           sizeof(*c->domains));
		c->domains[c->ndomains++] = d;
	}
	return true;
}

static bool
set_resolvers(struct cfg_parser *ps, struct mr_resolvers *r, const char *v,
              bool cont, bool allow_iterate)
{
	struct mr_resolvers tmp;
	char why[256];

	if (mr_resolvers_parse(v, allow_iterate, &tmp, why, sizeof(why)) < 0)
		return bad(ps, "%s", why);
	if (!cont) {
		free(r->v);
		*r = tmp;
		return true;
	}
	if (r->kind != MR_RESOLVERS_LIST || tmp.kind != MR_RESOLVERS_LIST) {
		free(tmp.v);
		return bad(ps, "system and iterate stand alone; they cannot "
		               "be continued or mixed with addresses");
	}
	r->v = xreallocarray(r->v, r->n + tmp.n, sizeof(*r->v));
	memcpy(r->v + r->n, tmp.v, tmp.n * sizeof(*tmp.v));
	r->n += tmp.n;
	free(tmp.v);
	return true;
}

static bool
set_inside(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	return set_resolvers(ps, &ps->cfg->inside, v, cont, false);
}

static bool
set_outside(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	return set_resolvers(ps, &ps->cfg->outside, v, cont, true);
}

static bool
set_root_hints(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	set_str(&ps->cfg->root_hints,
	        ini_is_word(v, "builtin") ? NULL : resolve_path(ps, v));
	return true;
}

static bool
set_ca_file(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	set_str(&ps->cfg->ca_file,
	        ini_is_word(v, "system") ? NULL : resolve_path(ps, v));
	return true;
}

/* "HOST:PORT" or "[V6]:PORT": the port is required. */
static bool
parse_target(struct cfg_parser *ps, const char *item, struct mr_target *t)
{
	const char *colon;
	struct mr_addr a;
	char *host;

	if (item[0] == '[') {
		const char *close = strchr(item, ']');
		host = close ? xstrndup(item + 1, (size_t)(close - item - 1))
		             : NULL;
		if (host == NULL || mr_addr_parse(host, &a) < 0 ||
		    a.family != AF_INET6 || close[1] != ':') {
			free(host);
			return bad(ps, "'%s' is not [IPv6]:PORT", item);
		}
		colon = close + 1;
	} else {
		colon = strrchr(item, ':');
		if (colon == NULL)
			return bad(ps,
			           "'%s' needs a port: HOST:PORT (e.g. %s:25)",
			           item, item);
		if (strchr(item, ':') != colon)
			return bad(ps,
			           "'%s': write an IPv6 address in "
			           "brackets, [ADDR]:PORT",
			           item);
		host = xstrndup(item, (size_t)(colon - item));
		if (!host_chars_ok(host)) {
			free(host);
			return bad(ps, "'%s' is not HOST:PORT", item);
		}
	}
	if (parse_port(colon + 1, &t->port) < 0) {
		free(host);
		return bad(ps, "'%s': port must be 1-65535", item);
	}
	str_lower(host);
	t->host = host;
	return true;
}

static bool
set_internet_targets(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;
	const char *p = v;
	char *item;

	if (cont && c->internet_targets_builtin)
		return bad(ps, "builtin stands alone; it cannot be continued "
		               "or mixed with targets");
	if (ini_is_word(v, "builtin")) {
		free_targets(c->internet_targets, c->ninternet_targets);
		c->internet_targets = NULL;
		c->ninternet_targets = 0;
		c->internet_targets_builtin = true;
		return true;
	}
	c->internet_targets_builtin = false;
	while ((item = ini_next_item(&p)) != NULL) {
		struct mr_target t;
		bool ok = parse_target(ps, item, &t);
		free(item);
		if (!ok)
			return false;
		c->internet_targets = xreallocarray(
			c->internet_targets, c->ninternet_targets + 1,
			sizeof(*c->internet_targets));
		c->internet_targets[c->ninternet_targets++] = t;
	}
	return true;
}

/* Parse into *l, or append to it for a continuation line. */
static bool
set_cidrs(struct cfg_parser *ps, struct mr_cidr_list *l, const char *v,
          bool cont)
{
	struct mr_cidr_list tmp = {NULL, 0};
	char why[256];

	if (mr_cidr_list_parse(v, &tmp, why, sizeof(why)) < 0)
		return bad(ps, "%s", why);
	if (!cont)
		mr_cidr_list_free(l);
	for (size_t i = 0; i < tmp.n; i++)
		mr_cidr_list_add(l, &tmp.v[i]);
	mr_cidr_list_free(&tmp);
	return true;
}

static bool
set_public_networks(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;

	if (ini_is_word(v, "default") || (cont && c->public_default)) {
		if (cont)
			return bad(ps, "default stands alone; it cannot be "
			               "continued or mixed with networks");
		mr_cidr_list_free(&c->public_networks);
		c->public_default = true;
		return true;
	}
	c->public_default = false;
	return set_cidrs(ps, &c->public_networks, v, cont);
}

static bool
set_allow_networks(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	return set_cidrs(ps, &ps->cfg->allow_networks, v, cont);
}

/* Seconds: digits with an optional fraction, 0 < s <= 3600. */
static bool
set_seconds(struct cfg_parser *ps, const char *v, double *out)
{
	size_t ip = strspn(v, "0123456789"), fp = 0;
	double d;

	if (v[ip] == '.')
		fp = 1 + strspn(v + ip + 1, "0123456789");
	d = strtod(v, NULL);
	if (ip == 0 || fp == 1 || v[ip + fp] != '\0' || !(d > 0 && d <= 3600))
		return bad(ps,
		           "'%s' is not a number of seconds greater than 0 "
		           "and at most 3600",
		           v);
	*out = d;
	return true;
}

static bool
set_timeout(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	return set_seconds(ps, v, &ps->cfg->timeout_s);
}

static bool
set_probe_timeout(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	return set_seconds(ps, v, &ps->cfg->probe_timeout_s);
}

static bool
set_greeting_timeout(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	return set_seconds(ps, v, &ps->cfg->greeting_timeout_s);
}

/* Host names, "*.example.com" wildcards among them. */
static bool
set_tls_names(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;
	bool in_node = ps->cur->sec != NULL && ps->cur->sec->id == SEC_NODE;
	char ***list = in_node ? &c->nodes[ps->node].tls_names : &c->tls_names;
	size_t *n = in_node ? &c->nodes[ps->node].ntls_names : &c->ntls_names;
	const char *p = v;
	char *item;

	(void)cont;
	while ((item = ini_next_item(&p)) != NULL) {
		char *name = name_normalize(item);
		const char *host =
			strncmp(name, "*.", 2) == 0 ? name + 2 : name;
		if (!valid_domain(host)) {
			bad(ps,
			    "'%s' is not a host name (or *.domain wildcard) "
			    "a certificate can carry",
			    item);
			free(item);
			free(name);
			return false;
		}
		free(item);
		*list = xreallocarray(*list, *n + 1, sizeof(**list));
		(*list)[(*n)++] = name;
	}
	return true;
}

/*
 * Names below a domain (DKIM selectors, blocklist zones): labels of
 * letters, digits, '-' and '_', lowercase, no duplicates.
 */
static bool
add_names(struct cfg_parser *ps, char ***list, size_t *n, const char *v,
          const char *what)
{
	const char *p = v;
	char *item;

	while ((item = ini_next_item(&p)) != NULL) {
		char *name = name_normalize(item);
		if (!valid_domain(name)) {
			bad(ps,
			    "'%s' is not %s (letters, digits, '-' and '_', "
			    "labels separated by single dots)",
			    item, what);
			free(item);
			free(name);
			return false;
		}
		free(item);
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = strcmp((*list)[i], name) == 0;
		if (seen) {
			free(name);
			continue;
		}
		*list = xreallocarray(*list, *n + 1, sizeof(**list));
		(*list)[(*n)++] = name;
	}
	return true;
}

static bool
set_dkim_selectors(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	return add_names(ps, &ps->cfg->dkim_selectors,
	                 &ps->cfg->ndkim_selectors, v, "a DKIM selector");
}

/* "builtin", "none", or zones; the first line of a key replaces the
   default, continuation lines add to it. */
static bool
set_zone_list(struct cfg_parser *ps, char ***list, size_t *n, bool *builtin,
              const char *const *names, size_t count, const char *v, bool cont)
{
	if (ini_is_word(v, "builtin") || ini_is_word(v, "none")) {
		if (cont)
			return bad(ps,
			           "'%s' stands alone; it cannot be "
			           "continued or mixed with zones",
			           v);
		bool none = ini_is_word(v, "none");
		set_builtin(list, n, names, none ? 0 : count);
		*builtin = !none;
		return true;
	}
	if (cont && *builtin)
		return bad(ps, "builtin stands alone; it cannot be continued "
		               "or mixed with zones");
	if (!cont) {
		set_builtin(list, n, names, 0);
		*builtin = false;
	}
	return add_names(ps, list, n, v, "a blocklist zone");
}

static bool
set_blocklists(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;

	return set_zone_list(ps, &c->blocklists, &c->nblocklists,
	                     &c->blocklists_builtin, builtin_blocklists,
	                     sizeof(builtin_blocklists) /
	                             sizeof(*builtin_blocklists),
	                     v, cont);
}

static bool
set_domain_blocklists(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_config *c = ps->cfg;

	return set_zone_list(ps, &c->domain_blocklists, &c->ndomain_blocklists,
	                     &c->domain_blocklists_builtin,
	                     builtin_domain_blocklists,
	                     sizeof(builtin_domain_blocklists) /
	                             sizeof(*builtin_domain_blocklists),
	                     v, cont);
}

/*
 * The test account: "user = NAME" and "password = SECRET" lines ('#'
 * comments). Read here so that a bad file is an error of its config line;
 * the secret itself never appears in a message.
 */
static bool
read_login_file(struct cfg_parser *ps, const char *path)
{
	struct mr_config *c = ps->cfg;
	struct stat sb;
	char line[1024];
	int lineno = 0;
	char why[128];
	FILE *f = readfile_open(path, why, sizeof(why));

	if (f == NULL)
		return bad(ps, "%s: %s", path, why);
	if (fstat(fileno(f), &sb) < 0) {
		fclose(f);
		return bad(ps, "%s: %s", path, strerror(errno));
	}
	/* Credentials others can read are credentials others have. */
	if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
		fclose(f);
		return bad(ps,
		           "%s holds a password and must be readable by its "
		           "owner only (mode %04o, owner uid %u); chmod 600 it "
		           "and chown it to the user that runs mailready",
		           path, (unsigned)(sb.st_mode & 07777),
		           (unsigned)sb.st_uid);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		char *k = line + strspn(line, " \t");
		if (*k == '#' || *k == ';' || *k == '\0')
			continue;
		char *eq = strchr(k, '=');
		if (eq == NULL) {
			fclose(f);
			return bad(ps,
			           "%s:%d: expected 'user = NAME' or "
			           "'password = SECRET'",
			           path, lineno);
		}
		char *ke = eq;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		char *val = eq + 1 + strspn(eq + 1, " \t");
		size_t vl = strlen(val);
		while (vl > 0 && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
			val[--vl] = '\0';
		if (strcmp(k, "user") == 0) {
			free(c->login_user);
			c->login_user = xstrdup(val);
		} else if (strcmp(k, "password") == 0) {
			free(c->login_password);
			c->login_password = xstrdup(val);
		} else {
			fclose(f);
			return bad(ps,
			           "%s:%d: unknown key '%s' (user, password)",
			           path, lineno, k);
		}
	}
	fclose(f);
	if (c->login_user == NULL || c->login_password == NULL ||
	    c->login_user[0] == '\0')
		return bad(ps,
		           "%s needs both 'user = NAME' and 'password = "
		           "SECRET'",
		           path);
	return true;
}

static bool
set_login_file(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	set_str(&ps->cfg->login_file, resolve_path(ps, v));
	return read_login_file(ps, ps->cfg->login_file);
}

static bool
set_days(struct cfg_parser *ps, const char *v, int *out)
{
	char *end;
	long d;

	errno = 0;
	d = strtol(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end != '\0' || errno != 0 ||
	    d > INT_MAX)
		return bad(ps, "'%s' is not a whole number of days (0 or more)",
		           v);
	*out = (int)d;
	return true;
}

static bool
set_warn_days(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	ps->warn_line = ps->src.lineno;
	return set_days(ps, v, &ps->cfg->cert_warn_days);
}

static bool
set_crit_days(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;

	(void)cont;
	ps->crit_line = ps->src.lineno;
	return set_days(ps, v, &ps->cfg->cert_crit_days);
}

/* --------------------------------------------------------- [node] keys */

static bool
valid_role(const char *s)
{
	return valid_profile_name(s);
}

static bool
set_roles(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_node *n = &ps->cfg->nodes[ps->node];
	const char *p = v;
	char *item;

	(void)cont;
	while ((item = ini_next_item(&p)) != NULL) {
		str_lower(item);
		if (!valid_role(item)) {
			bad(ps,
			    "'%s' is not a role name (letters, digits, '-')",
			    item);
			free(item);
			return false;
		}
		mr_node_add_role(n, item);
		free(item);
	}
	return true;
}

static bool
add_addrs(struct cfg_parser *ps, const char *v, struct mr_addr **vec,
          size_t *count)
{
	const char *p = v;
	char *item;

	while ((item = ini_next_item(&p)) != NULL) {
		struct mr_addr a;
		bool dup = false;
		if (mr_addr_parse(item, &a) < 0) {
			bad(ps, "'%s' is not an IPv4 or IPv6 address%s", item,
			    strchr(item, '/') ? "; write the address without "
			                        "a prefix length"
			                      : "");
			free(item);
			return false;
		}
		free(item);
		for (size_t i = 0; i < *count; i++)
			dup = dup || mr_addr_equal(&(*vec)[i], &a);
		if (dup)
			continue;
		*vec = xreallocarray(*vec, *count + 1, sizeof(**vec));
		(*vec)[(*count)++] = a;
	}
	return true;
}

static bool
set_public(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_node *n = &ps->cfg->nodes[ps->node];

	(void)cont;
	return add_addrs(ps, v, &n->public_addrs, &n->npublic);
}

static bool
set_internal(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	struct mr_node *n = &ps->cfg->nodes[ps->node];

	(void)cont;
	return add_addrs(ps, v, &n->internal_addrs, &n->ninternal);
}

/* ---------------------------------------------------------- [accept] */

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil): no time zone, no libc.
 */
static long long
days_from_civil(int y, int m, int d)
{
	long long yy = m <= 2 ? y - 1 : y;
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153LL * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Ten characters: digits, with '-' at 4 and 7 (a NUL fails the test). */
static bool
date_shape(const char *s)
{
	for (size_t i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-'
		                     : !isdigit((unsigned char)s[i]))
			return false;
	return s[10] == '\0';
}

/* "YYYY-MM-DD", a day of the calendar: its end as a UNIX time. */
static bool
parse_date(struct cfg_parser *ps, const char *s, long long *end_t)
{
	int y, m, d;

	if (!date_shape(s))
		return bad(ps,
		           "expiry '%s' is not a date; write YYYY-MM-DD "
		           "(e.g. 2027-03-01)",
		           s);
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12)
		return bad(ps,
		           "expiry '%s' is not a date: there is no month %d", s,
		           m);
	if (d < 1 || d > days_in_month(y, m))
		return bad(ps, "expiry '%s' is not a date: %.7s has %d days", s,
		           s, days_in_month(y, m));
	*end_t = (days_from_civil(y, m, d) + 1) * 86400;
	return true;
}

/* Names, addresses, ADDR:PORT, [V6]:PORT, wildcards. */
static bool
valid_accept_target(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".-_*:[]", *s))
			return false;
	return true;
}

/* The next blank-separated word of *p, as a new string; NULL at the end. */
static char *
next_word(const char **p)
{
	const char *s = *p + strspn(*p, " \t");
	size_t n = strcspn(s, " \t");

	*p = s + n;
	return n ? xstrndup(s, n) : NULL;
}

static const struct mr_accept *
find_accept(const struct mr_config *c, const char *code, const char *target)
{
	for (size_t i = 0; i < c->naccepts; i++)
		if (strcmp(c->accepts[i].code, code) == 0 &&
		    strcmp(c->accepts[i].target, target) == 0)
			return &c->accepts[i];
	return NULL;
}

static bool
accept_code(struct cfg_parser *ps, const char *code)
{
	const char *near;

	if (mr_code_find(code) != NULL)
		return true;
	if (strcmp(code, "file") == 0 && ps->cur != &ps->src)
		return bad(ps, "file = works only in the [accept] section of "
		               "the cluster file, not in an accept file");
	near = mr_code_suggest(code);
	if (near != NULL)
		return bad(ps, "unknown code '%s' (did you mean '%s'?)", code,
		           near);
	return bad(ps,
	           "unknown code '%s'; mailready(1) lists the codes "
	           "(FINDING CODES)",
	           code);
}

/*
 * "CODE TARGET": the code known, one target. has_date: an '=' follows;
 * without one, the date is missing (the likeliest mistake).
 */
static bool
accept_names(struct cfg_parser *ps, const char *lhs, bool has_date,
             struct mr_accept *a)
{
	const char *p = lhs;
	char *extra, *target;

	a->code = next_word(&p);
	if (a->code == NULL)
		return bad(ps, "an acceptance is CODE TARGET = YYYY-MM-DD "
		               "reason");
	if (!accept_code(ps, a->code))
		return false;
	if (!has_date)
		return bad(ps, "an acceptance needs an expiry date: CODE "
		               "TARGET = YYYY-MM-DD reason");
	target = next_word(&p);
	if (target == NULL)
		return bad(ps,
		           "%s needs a target: a node or domain name, a "
		           "check target such as 127.0.2.10:25, or *",
		           a->code);
	a->target = name_normalize(target);
	if ((extra = next_word(&p)) != NULL) {
		bad(ps,
		    "'%s %s %s': one target per acceptance; write a line "
		    "for each",
		    a->code, target, extra);
		free(extra);
		free(target);
		return false;
	}
	if (!valid_accept_target(target)) {
		bad(ps,
		    "target '%s' is not a node or domain name, a check "
		    "target such as 127.0.2.10:25, or *",
		    target);
		free(target);
		return false;
	}
	free(target);
	return true;
}

/* "= YYYY-MM-DD ...": the date; *rest is what follows it. */
static bool
accept_date(struct cfg_parser *ps, const char *eq, struct mr_accept *a,
            const char **rest)
{
	const char *date = eq + 1 + strspn(eq + 1, " \t");
	char *day;
	bool ok;

	*rest = date + strcspn(date, " \t;");
	if (*rest == date)
		return bad(ps, "an acceptance needs an expiry date: CODE "
		               "TARGET = YYYY-MM-DD reason");
	day = xstrndup(date, (size_t)(*rest - date));
	ok = parse_date(ps, day, &a->until_t);
	if (ok) /* 10 characters and the NUL */
		memcpy(a->until, day, sizeof(a->until));
	free(day);
	return ok;
}

/* (CODE, TARGET) once, over the cluster file and its accept file. */
static bool
accept_unique(struct cfg_parser *ps, const struct mr_accept *a)
{
	const struct mr_accept *old = find_accept(ps->cfg, a->code, a->target);

	if (old == NULL)
		return true;
	if (strcmp(old->file, ps->cur->name) == 0)
		return bad(ps, "duplicate acceptance %s %s (first on line %d)",
		           a->code, a->target, old->line);
	return bad(ps, "duplicate acceptance %s %s (first at %s:%d)", a->code,
	           a->target, old->file, old->line);
}

/*
 * The reason after the date: the words there, up to a comment; or, with
 * none, the comment itself ("= 2027-03-01 ; provider changes the PTR").
 */
static char *
accept_reason(const char *rest)
{
	const char *cmt = ini_comment(rest);
	const char *end = cmt ? cmt : rest + strlen(rest);
	const char *a = rest + strspn(rest, " \t;");

	while (end > a && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end <= a && cmt != NULL) {
		a = cmt + 1 + strspn(cmt + 1, " \t");
		end = a + strlen(a);
	}
	return xstrndup(a, end > a ? (size_t)(end - a) : 0);
}

/* "CODE TARGET = YYYY-MM-DD reason" */
static bool
add_accept(struct cfg_parser *ps, const char *line)
{
	const char *eq = strchr(line, '=');
	const char *cmt = ini_comment(line);
	const char *lhs_end = eq ? eq : cmt ? cmt : line + strlen(line);
	char *lhs = xstrndup(line, (size_t)(lhs_end - line));
	struct mr_accept a = {0};
	struct mr_config *c = ps->cfg;
	const char *rest = NULL;
	bool ok = accept_names(ps, lhs, eq != NULL, &a) &&
	          accept_date(ps, eq, &a, &rest) && accept_unique(ps, &a);

	free(lhs);
	if (!ok) {
		free(a.code);
		free(a.target);
		return false;
	}
	a.reason = accept_reason(rest);
	a.file = xstrdup(ps->cur->name);
	a.line = ps->cur->lineno;
	c->accepts =
		xreallocarray(c->accepts, c->naccepts + 1, sizeof(*c->accepts));
	c->accepts[c->naccepts] = a;
	ps->last_accept = c->naccepts++;
	return true;
}

/* An indented line goes on with the reason of the acceptance above. */
static bool
continue_reason(struct cfg_parser *ps, const char *line)
{
	struct mr_accept *a = &ps->cfg->accepts[ps->last_accept];
	char *more, *old = a->reason;

	if (strchr(line, '=') != NULL)
		return fail(ps,
		            "this indented line continues the acceptance on "
		            "line %d; start each acceptance at the beginning "
		            "of a line",
		            a->line);
	more = accept_reason(line);
	a->reason = *old ? xasprintf("%s %s", old, more) : xstrdup(more);
	free(more);
	free(old);
	return true;
}

static bool
accept_line(void *user, const char *line, bool indented)
{
	struct cfg_parser *ps = user;

	if (indented && ps->last_accept != SIZE_MAX)
		return continue_reason(ps, line);
	ps->last_accept = SIZE_MAX;
	return add_accept(ps, line);
}

static bool
start_accept(void *user, const char *arg)
{
	struct cfg_parser *ps = user;

	(void)arg;
	ps->last_accept = SIZE_MAX;
	return true;
}

static const struct ini_section accept_file_sections[] = {
	{"accept", SEC_ACCEPT, NULL, start_accept, accept_line},
	{NULL, 0, NULL, NULL, NULL},
};

static const struct ini_key no_keys[] = {
	{NULL, NULL, 0, false},
};

/* An accept file: acceptances only, the [accept] header optional. */
static const struct ini_syntax accept_file_syntax = {
	accept_file_sections,
	no_keys,
	&accept_file_sections[0],
};

/*
 * Read an accept file (in: name, and fp or text) through ps: its
 * acceptances join the config's. The message of an error, naming the
 * accept file, goes to the cluster file's err.
 */
static int
read_accepts(struct cfg_parser *ps, struct ini_src *in)
{
	int rc;

	in->err = ps->src.err;
	in->errlen = ps->src.errlen;
	in->syntax = &accept_file_syntax;
	in->user = ps;
	ps->cur = in;
	rc = ini_src_parse(in);
	ps->cur = &ps->src;
	ps->last_accept = SIZE_MAX;
	ini_src_free(in);
	return rc;
}

static bool
set_accept_file(void *user, const char *v, bool cont)
{
	struct cfg_parser *ps = user;
	char *path = resolve_path(ps, v);
	struct ini_src in = {.name = path};
	int rc;

	char why[128];

	(void)cont;
	in.fp = readfile_open(path, why, sizeof(why));
	if (in.fp == NULL) {
		bad(ps, "%s: %s", path, why);
		free(path);
		return false;
	}
	rc = read_accepts(ps, &in);
	fclose(in.fp);
	free(path);
	/* The message, naming the accept file, is in err already. */
	return rc == 0 || ini_fail_verbatim(&ps->src, ps->src.err);
}

int
mr_config_accept_string(struct mr_config *c, const char *name, const char *text,
                        char *err, size_t errlen)
{
	struct cfg_parser ps = {
		.src = {.name = "(cluster file)", .err = err, .errlen = errlen},
		.cfg = c,
		.last_accept = SIZE_MAX,
	};
	struct ini_src in = {.name = name, .text = text};

	ps.cur = &ps.src;
	return read_accepts(&ps, &in);
}

/* ------------------------------------------------------------ the syntax */

static const struct ini_key cfg_keys[] = {
	{"profile", set_profile, SEC_CLUSTER, false},
	{"domains", set_domains, SEC_CLUSTER, true},
	{"inside_resolvers", set_inside, SEC_CLUSTER, true},
	{"outside_resolvers", set_outside, SEC_CLUSTER, true},
	{"root_hints", set_root_hints, SEC_CLUSTER, false},
	{"ca_file", set_ca_file, SEC_CLUSTER, false},
	{"internet_targets", set_internet_targets, SEC_CLUSTER, true},
	{"public_networks", set_public_networks, SEC_CLUSTER, true},
	{"allow_networks", set_allow_networks, SEC_CLUSTER, true},
	{"timeout", set_timeout, SEC_CLUSTER, false},
	{"probe_timeout", set_probe_timeout, SEC_CLUSTER, false},
	{"cert_warn_days", set_warn_days, SEC_CLUSTER, false},
	{"cert_crit_days", set_crit_days, SEC_CLUSTER, false},
	{"greeting_timeout", set_greeting_timeout, SEC_CLUSTER, false},
	{"login_file", set_login_file, SEC_CLUSTER, false},
	{"file", set_accept_file, SEC_ACCEPT, false},
	{"roles", set_roles, SEC_NODE, true},
	{"public", set_public, SEC_NODE, true},
	{"internal", set_internal, SEC_NODE, true},
	{"tls_names", set_tls_names, SEC_CLUSTER | SEC_NODE, true},
	{"dkim_selectors", set_dkim_selectors, SEC_CLUSTER, true},
	{"blocklists", set_blocklists, SEC_CLUSTER, true},
	{"domain_blocklists", set_domain_blocklists, SEC_CLUSTER, true},
	{NULL, NULL, 0, false},
};

const char *
mr_node_name_problem(const char *name)
{
	if (*name == '\0' || strcmp(name, ".") == 0)
		return "is not a host name";
	for (const char *s = name; *s; s++) {
		if (isspace((unsigned char)*s))
			return "contains a blank";
		if (!isalnum((unsigned char)*s) && !strchr(".-_*", *s))
			return "may contain only letters, digits, '.', '-', '_' "
			       "and '*'";
		/* "a..b", ".a", and "a.." (one trailing dot is already
		   gone): a label with nothing in it (found by fuzz_config) */
		if (*s == '.' && (s == name || s[1] == '.' || s[1] == '\0'))
			return "has an empty label (two dots in a row, or a dot "
			       "at an end)";
	}
	return NULL;
}

bool
mr_domain_name_ok(const char *d)
{
	return valid_domain(d);
}

static bool
node_name_ok(struct cfg_parser *ps, const char *raw, const char *name)
{
	const char *why = mr_node_name_problem(name);

	if (*raw == '\0')
		return fail(ps, "section [node] needs a host name: "
		                "[node mta1.example.com]");
	if (why == NULL)
		return true;
	if (strcmp(why, "is not a host name") == 0)
		return fail(ps,
		            "node name '%s' is not a host name: write "
		            "[node mta1.example.com]",
		            raw);
	if (strcmp(why, "contains a blank") == 0)
		return fail(ps,
		            "node name '%s' contains a blank; write one host "
		            "name per [node ...]",
		            raw);
	return fail(ps, "node name '%s' %s", raw, why);
}

static bool
start_node(void *user, const char *raw)
{
	struct cfg_parser *ps = user;
	char *name = name_normalize(raw);
	const struct mr_node *old;
	struct mr_node *n;

	if (!node_name_ok(ps, raw, name)) {
		free(name);
		return false;
	}
	old = mr_config_node(ps->cfg, name);
	if (old != NULL) {
		fail(ps, "duplicate [node %s] (first on line %d)", name,
		     old->line);
		free(name);
		return false;
	}
	n = mr_config_add_node(ps->cfg, name);
	free(name);
	n->line = ps->src.lineno;
	ps->node = ps->cfg->nnodes - 1;
	ini_set_arg(&ps->src, n->name);
	return true;
}

static const struct ini_section cfg_sections[] = {
	{"cluster", SEC_CLUSTER, NULL, NULL, NULL},
	{"accept", SEC_ACCEPT, NULL, start_accept, accept_line},
	{"node", SEC_NODE, "NAME", start_node, NULL},
	{NULL, 0, NULL, NULL, NULL},
};

static const struct ini_syntax cfg_syntax = {cfg_sections, cfg_keys, NULL};

/* Checks that need the whole file. */
static bool
cfg_finish(struct cfg_parser *ps)
{
	struct mr_config *c = ps->cfg;

	if (c->cert_crit_days > c->cert_warn_days)
		return ini_fail_at(
			&ps->src, ps->crit_line ? ps->crit_line : ps->warn_line,
			"cert_crit_days (%d) is greater than "
			"cert_warn_days (%d); a certificate must "
			"turn warning before it turns critical",
			c->cert_crit_days, c->cert_warn_days);
	/* No step outlasts the whole run. */
	if (c->probe_timeout_s > c->timeout_s)
		c->probe_timeout_s = c->timeout_s;
	if (c->greeting_timeout_s > c->timeout_s)
		c->greeting_timeout_s = c->timeout_s;
	return true;
}

static struct mr_config *
load(const char *name, FILE *fp, const char *text, char *err, size_t errlen)
{
	struct cfg_parser ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.cfg = mr_config_new_default();
	ps.cfg->file = xstrdup(name);
	ps.dir = dir_of(name);
	ps.cur = &ps.src;
	ps.last_accept = SIZE_MAX;
	ps.src.name = name;
	ps.src.fp = fp;
	ps.src.text = text;
	ps.src.err = err;
	ps.src.errlen = errlen;
	ps.src.syntax = &cfg_syntax;
	ps.src.user = &ps;
	rc = ini_src_parse(&ps.src);
	if (rc == 0 && !cfg_finish(&ps))
		rc = -1;
	ini_src_free(&ps.src);
	free(ps.dir);
	if (rc < 0) {
		mr_config_free(ps.cfg);
		return NULL;
	}
	return ps.cfg;
}

struct mr_config *
mr_config_load(const char *path, char *err, size_t errlen)
{
	struct mr_config *c;
	char why[128];
	FILE *fp = readfile_open(path, why, sizeof(why));

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	c = load(path, fp, NULL, err, errlen);
	fclose(fp);
	return c;
}

struct mr_config *
mr_config_load_string(const char *name, const char *text, char *err,
                      size_t errlen)
{
	return load(name, NULL, text, err, errlen);
}
