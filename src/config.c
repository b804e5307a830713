/*
 * config.c -- read the cluster file (mailready.conf(5)) into a struct
 * mr_config: the cluster settings, and every node with its roles and
 * addresses.
 *
 * libinih does the INI syntax. Debian builds it without
 * INI_HANDLER_LINENO, so lines reach it through our own reader, which
 * counts them. The reader also parses [section] lines itself: inih cuts
 * section names at 50 characters and never tells a handler about a
 * section without keys. Lines longer than inih's buffer are refused
 * (inih would split them silently); a long list continues on indented
 * lines, as in Python's configparser.
 *
 * Every error is "FILE:LINE: what is wrong", and parsing stops at the
 * first one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inisrc.h"
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

/*
 * The next item of a list separated by commas and/or blanks, as a new
 * string; NULL at the end. Empty items ("a,,b") are skipped.
 */
static char *
next_item(const char **p)
{
	const char *s = *p + strspn(*p, ", \t");
	size_t n = strcspn(s, ", \t");

	*p = s + n;
	return n ? xstrndup(s, n) : NULL;
}

/* value is word alone, blanks aside (case-insensitive). */
static bool
is_word(const char *value, const char *word)
{
	const char *p = value;
	char *item = next_item(&p);
	bool yes = item != NULL && strcasecmp(item, word) == 0 &&
	           p[strspn(p, ", \t")] == '\0';

	free(item);
	return yes;
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
	c->timeout_s = 10;
	c->probe_timeout_s = 5;
	c->cert_warn_days = 30;
	c->cert_crit_days = 7;
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
free_node(struct mr_node *n)
{
	free(n->name);
	free_strv(n->roles, n->nroles);
	free(n->public_addrs);
	free(n->internal_addrs);
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
		free_node(&c->nodes[i]);
	free(c->nodes);
	for (size_t i = 0; i < c->naccepts; i++) {
		free(c->accepts[i].code);
		free(c->accepts[i].target);
		free(c->accepts[i].reason);
		free(c->accepts[i].file);
	}
	free(c->accepts);
	free(c);
}

struct mr_node *
mr_config_node(const struct mr_config *c, const char *name)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (name_equal(c->nodes[i].name, name))
			return &c->nodes[i];
	return NULL;
}

struct mr_node *
mr_config_add_node(struct mr_config *c, const char *name)
{
	struct mr_node *n;

	if (mr_config_node(c, name) != NULL)
		return NULL;
	c->nodes = xreallocarray(c->nodes, c->nnodes + 1, sizeof(*c->nodes));
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->name = name_normalize(name);
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

	while ((item = next_item(&p)) != NULL) {
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

	if (is_word(value, "system")) {
		r.kind = MR_RESOLVERS_SYSTEM;
	} else if (is_word(value, "iterate")) {
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

	while ((item = next_item(&p)) != NULL) {
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
	SEC_NONE,
	SEC_CLUSTER,
	SEC_NODE,
};

struct cfg_parser;

struct cfg_key {
	const char *name;
	/* cont: an indented line continuing the value of the line above */
	bool (*set)(struct cfg_parser *ps, const char *value, bool cont);
	bool list; /* may be continued on indented lines */
};

struct seen_key {
	const struct cfg_key *key;
	int line;
};

struct cfg_parser {
	struct ini_src src;
	struct mr_config *cfg;
	char *dir; /* directory of the file: relative paths start there */
	enum cfg_section sec;
	size_t node; /* index of the current node */
	int cluster_line;
	struct seen_key seen[16];
	size_t nseen;
	const struct cfg_key *key; /* key of the last key line */
	int key_line;
	int warn_line; /* where cert_*_days were set, for the final check */
	int crit_line;
};

static bool __attribute__((format(printf, 2, 3)))
fail(struct cfg_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(&ps->src, ps->src.lineno, fmt, ap);
	va_end(ap);
	return false;
}

/* A bad value: the message is prefixed with the section and key. */
static bool __attribute__((format(printf, 2, 3)))
bad(struct cfg_parser *ps, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->sec == SEC_NODE)
		return fail(ps, "[node %s] %s: %s",
		            ps->cfg->nodes[ps->node].name, ps->key->name, msg);
	return fail(ps, "[cluster] %s: %s", ps->key->name, msg);
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
set_profile(struct cfg_parser *ps, const char *v, bool cont)
{
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
set_domains(struct cfg_parser *ps, const char *v, bool cont)
{
	struct mr_config *c = ps->cfg;
	const char *p = v;
	char *item;

	(void)cont;
	while ((item = next_item(&p)) != NULL) {
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
set_inside(struct cfg_parser *ps, const char *v, bool cont)
{
	return set_resolvers(ps, &ps->cfg->inside, v, cont, false);
}

static bool
set_outside(struct cfg_parser *ps, const char *v, bool cont)
{
	return set_resolvers(ps, &ps->cfg->outside, v, cont, true);
}

static bool
set_root_hints(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	set_str(&ps->cfg->root_hints,
	        is_word(v, "builtin") ? NULL : resolve_path(ps, v));
	return true;
}

static bool
set_ca_file(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	set_str(&ps->cfg->ca_file,
	        is_word(v, "system") ? NULL : resolve_path(ps, v));
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
set_internet_targets(struct cfg_parser *ps, const char *v, bool cont)
{
	struct mr_config *c = ps->cfg;
	const char *p = v;
	char *item;

	if (cont && c->internet_targets_builtin)
		return bad(ps, "builtin stands alone; it cannot be continued "
		               "or mixed with targets");
	if (is_word(v, "builtin")) {
		free_targets(c->internet_targets, c->ninternet_targets);
		c->internet_targets = NULL;
		c->ninternet_targets = 0;
		c->internet_targets_builtin = true;
		return true;
	}
	c->internet_targets_builtin = false;
	while ((item = next_item(&p)) != NULL) {
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
set_public_networks(struct cfg_parser *ps, const char *v, bool cont)
{
	struct mr_config *c = ps->cfg;

	if (is_word(v, "default") || (cont && c->public_default)) {
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
set_allow_networks(struct cfg_parser *ps, const char *v, bool cont)
{
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
set_timeout(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	return set_seconds(ps, v, &ps->cfg->timeout_s);
}

static bool
set_probe_timeout(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	return set_seconds(ps, v, &ps->cfg->probe_timeout_s);
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
set_warn_days(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	ps->warn_line = ps->src.lineno;
	return set_days(ps, v, &ps->cfg->cert_warn_days);
}

static bool
set_crit_days(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	ps->crit_line = ps->src.lineno;
	return set_days(ps, v, &ps->cfg->cert_crit_days);
}

static const struct cfg_key cluster_keys[] = {
	{"profile", set_profile, false},
	{"domains", set_domains, true},
	{"inside_resolvers", set_inside, true},
	{"outside_resolvers", set_outside, true},
	{"root_hints", set_root_hints, false},
	{"ca_file", set_ca_file, false},
	{"internet_targets", set_internet_targets, true},
	{"public_networks", set_public_networks, true},
	{"allow_networks", set_allow_networks, true},
	{"timeout", set_timeout, false},
	{"probe_timeout", set_probe_timeout, false},
	{"cert_warn_days", set_warn_days, false},
	{"cert_crit_days", set_crit_days, false},
	{NULL, NULL, false},
};

/* --------------------------------------------------------- [node] keys */

static bool
valid_role(const char *s)
{
	return valid_profile_name(s);
}

static bool
set_roles(struct cfg_parser *ps, const char *v, bool cont)
{
	struct mr_node *n = &ps->cfg->nodes[ps->node];
	const char *p = v;
	char *item;

	(void)cont;
	while ((item = next_item(&p)) != NULL) {
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

	while ((item = next_item(&p)) != NULL) {
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
set_public(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	struct mr_node *n = &ps->cfg->nodes[ps->node];
	return add_addrs(ps, v, &n->public_addrs, &n->npublic);
}

static bool
set_internal(struct cfg_parser *ps, const char *v, bool cont)
{
	(void)cont;
	struct mr_node *n = &ps->cfg->nodes[ps->node];
	return add_addrs(ps, v, &n->internal_addrs, &n->ninternal);
}

static const struct cfg_key node_keys[] = {
	{"roles", set_roles, true},
	{"public", set_public, true},
	{"internal", set_internal, true},
	{NULL, NULL, false},
};

/* --------------------------------------------------------- sections */

static bool
node_name_ok(struct cfg_parser *ps, const char *raw, const char *name)
{
	if (*raw == '\0')
		return fail(ps, "section [node] needs a host name: "
		                "[node mta1.example.com]");
	if (*name == '\0' || strcmp(name, ".") == 0)
		return fail(ps,
		            "node name '%s' is not a host name: write "
		            "[node mta1.example.com]",
		            raw);
	for (const char *s = name; *s; s++) {
		if (isspace((unsigned char)*s))
			return fail(ps,
			            "node name '%s' contains a blank; "
			            "write one host name per [node ...]",
			            raw);
		if (!isalnum((unsigned char)*s) && !strchr(".-_*", *s))
			return fail(ps,
			            "node name '%s' may contain only "
			            "letters, digits, '.', '-', '_' and "
			            "'*'",
			            raw);
	}
	return true;
}

static bool
start_node(struct cfg_parser *ps, const char *raw)
{
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
	ps->sec = SEC_NODE;
	return true;
}

static bool
cfg_section(void *user, const char *hdr)
{
	struct cfg_parser *ps = user;

	ps->nseen = 0;
	ps->key = NULL;
	if (strcmp(hdr, "cluster") == 0) {
		if (ps->cluster_line)
			return fail(ps,
			            "duplicate section [cluster] (first "
			            "on line %d)",
			            ps->cluster_line);
		ps->cluster_line = ps->src.lineno;
		ps->sec = SEC_CLUSTER;
		return true;
	}
	if (strncmp(hdr, "node", 4) == 0 &&
	    (hdr[4] == '\0' || isspace((unsigned char)hdr[4])))
		return start_node(ps, hdr + 4 + strspn(hdr + 4, " \t"));
	return fail(ps,
	            "unknown section [%s]; expected [cluster] or "
	            "[node NAME]",
	            hdr);
}

/* ------------------------------------------------------------ key lines */

/* Levenshtein distance, case-insensitive, for "did you mean". */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t lb = strlen(b), row[64], i, j;

	if (lb >= sizeof(row) / sizeof(row[0]) || strlen(a) >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; a[i - 1]; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) !=
			                     tolower((unsigned char)b[j - 1]));
			size_t best = up + 1 < row[j - 1] + 1 ? up + 1
			                                      : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

static bool
unknown_key(struct cfg_parser *ps, const char *name, const struct cfg_key *keys,
            const char *where)
{
	const struct cfg_key *near = NULL;
	size_t best = 3; /* more edits than this is not a typo */
	char list[256] = "";
	size_t off = 0;

	for (const struct cfg_key *k = keys; k->name; k++) {
		size_t d = edit_distance(name, k->name);
		if (d < best) {
			best = d;
			near = k;
		}
	}
	if (near != NULL)
		return fail(ps, "unknown key '%s' in %s (did you mean '%s'?)",
		            name, where, near->name);
	for (const struct cfg_key *k = keys; k->name && off < sizeof(list); k++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		                        off ? ", " : "", k->name);
	return fail(ps, "unknown key '%s' in %s; keys there are: %s", name,
	            where, list);
}

static const struct cfg_key *
find_key(const struct cfg_key *keys, const char *name)
{
	for (const struct cfg_key *k = keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* An indented line: more of the value of the key above. */
static bool
continue_key(struct cfg_parser *ps, const char *value)
{
	if (strchr(value, '=') != NULL)
		return fail(ps,
		            "this indented line continues '%s' from line "
		            "%d; start each key at the beginning of a "
		            "line",
		            ps->key->name, ps->key_line);
	if (!ps->key->list)
		return fail(ps,
		            "this indented line continues '%s' from line "
		            "%d, which takes a single value",
		            ps->key->name, ps->key_line);
	return ps->key->set(ps, value, true);
}

static bool
new_key(struct cfg_parser *ps, const char *name, const char *value)
{
	const struct cfg_key *keys =
		ps->sec == SEC_CLUSTER ? cluster_keys : node_keys;
	char where[300];
	const struct cfg_key *k = find_key(keys, name);

	if (ps->sec == SEC_CLUSTER)
		snprintf(where, sizeof(where), "[cluster]");
	else
		snprintf(where, sizeof(where), "[node %s]",
		         ps->cfg->nodes[ps->node].name);
	if (k == NULL)
		return unknown_key(ps, name, keys, where);
	for (size_t i = 0; i < ps->nseen; i++)
		if (ps->seen[i].key == k)
			return fail(ps,
			            "duplicate key '%s' (first set on line "
			            "%d)",
			            name, ps->seen[i].line);
	ps->seen[ps->nseen].key = k;
	ps->seen[ps->nseen++].line = ps->src.lineno;
	ps->key = k;
	ps->key_line = ps->src.lineno;
	if (*value == '\0')
		return bad(ps, "no value; give one or remove the line");
	return k->set(ps, value, false);
}

static int
cfg_handler(void *user, const char *section, const char *name,
            const char *value)
{
	struct cfg_parser *ps = user;

	/* section is inih's copy, cut at 50 characters: ours is ps->sec. */
	(void)section;
	if (ps->src.failed)
		return 0;
	if (ps->src.indented && ps->src.after_key)
		return continue_key(ps, value);
	ps->src.after_key = true;
	if (ps->sec == SEC_NONE)
		return fail(ps,
		            "key '%s' is outside any section; put it "
		            "under [cluster] or [node NAME]",
		            name);
	return new_key(ps, name, value);
}

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
	/* One probe cannot outlast the whole run. */
	if (c->probe_timeout_s > c->timeout_s)
		c->probe_timeout_s = c->timeout_s;
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
	ps.src.name = name;
	ps.src.fp = fp;
	ps.src.text = text;
	ps.src.err = err;
	ps.src.errlen = errlen;
	ps.src.section = cfg_section;
	ps.src.user = &ps;
	rc = ini_src_parse(&ps.src, cfg_handler, &ps);
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
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
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
