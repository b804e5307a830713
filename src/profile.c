/*
 * profile.c -- read a role profile (checks/profiles/NAME.conf): the checks
 * and ports every node needs, those of each role, and the checks run once
 * per mail domain.
 *
 * The INI reading is the same as in config.c (see there why lines go
 * through our own reader): errors are "FILE:LINE: what is wrong" and the
 * first one stops the parse. Check ids are validated against the
 * catalogue here, so that a typo in a profile is found when it is loaded,
 * not when a plan silently lacks a check.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "catalog.h"
#include "inisrc.h"
#include "profile.h"
#include "xmalloc.h"

/* ---------------------------------------------------------- small helpers */

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

/* Role and service names: [a-z0-9-]+. */
static bool
valid_name(const char *s)
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
strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------ the parser */

enum prof_section {
	PS_NONE = 0,
	PS_PROFILE = 1,
	PS_ALL = 2,
	PS_ROLE = 4,
	PS_DOMAIN = 8,
};

struct prof_parser;

struct prof_key {
	const char *name;
	unsigned sections; /* where the key is allowed: PS_* bits */
	/*
	 * cont: an indented line continuing the value of the line above;
	 * every key of a profile may be continued.
	 */
	bool (*set)(struct prof_parser *ps, const char *value, bool cont);
};

struct prof_parser {
	struct ini_src src;
	struct profile *p;
	enum prof_section sec;
	size_t role;      /* index of the current [role NAME] */
	int *role_lines;  /* line of each [role NAME], for duplicates */
	int profile_line; /* first lines of the single sections */
	int all_line;
	int domain_line;
	const struct prof_key *seen[8]; /* keys set in this section */
	int seen_line[8];
	size_t nseen;
	const struct prof_key *key; /* key of the last key line */
	int key_line;
	int default_roles_line;
};

static bool __attribute__((format(printf, 2, 3)))
fail(struct prof_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_failv(&ps->src, ps->src.lineno, fmt, ap);
	va_end(ap);
	return false;
}

static const char *
section_label(const struct prof_parser *ps, char *buf, size_t len)
{
	switch (ps->sec) {
	case PS_PROFILE:
		return "[profile]";
	case PS_ALL:
		return "[all]";
	case PS_DOMAIN:
		return "[domain]";
	case PS_ROLE:
		snprintf(buf, len, "[role %s]", ps->p->roles[ps->role].name);
		return buf;
	case PS_NONE:
		break;
	}
	return "(no section)";
}

/* A bad value: the message is prefixed with the section and key. */
static bool __attribute__((format(printf, 2, 3)))
bad(struct prof_parser *ps, const char *fmt, ...)
{
	char msg[400], label[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(ps, "%s %s: %s", section_label(ps, label, sizeof(label)),
	            ps->key->name, msg);
}

/* The role being filled: [all] or the current [role NAME]. */
static struct profile_role *
cur_role(struct prof_parser *ps)
{
	return ps->sec == PS_ALL ? &ps->p->all : &ps->p->roles[ps->role];
}

/* ------------------------------------------------------------------ keys */

static bool
set_description(struct prof_parser *ps, const char *v, bool cont)
{
	char **d = ps->sec == PS_PROFILE ? &ps->p->description
	                                 : &cur_role(ps)->description;
	char *old = *d;

	/* A continued description is one paragraph. */
	*d = cont && old ? xasprintf("%s %s", old, v) : xstrdup(v);
	free(old);
	return true;
}

static bool
set_default_roles(struct prof_parser *ps, const char *v, bool cont)
{
	struct profile *p = ps->p;
	const char *s = v;
	char *item;

	(void)cont;
	ps->default_roles_line = ps->key_line;
	while ((item = next_item(&s)) != NULL) {
		if (!strv_has(p->default_roles, p->ndefault_roles, item))
			strv_push(&p->default_roles, &p->ndefault_roles, item);
		free(item);
	}
	return true;
}

/* Ids made from the ports: they are never listed as checks. */
static bool
generated_id(const char *id)
{
	return strncmp(id, "net.port.", 9) == 0 ||
	       strncmp(id, "host.port.", 10) == 0 ||
	       strncmp(id, "mail.", 5) == 0;
}

static void
check_names(enum check_scope scope, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < catalog_count && off < len; i++)
		if (catalog[i].scope == scope && !catalog[i].family &&
		    !generated_id(catalog[i].id))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			                        off ? ", " : "", catalog[i].id);
}

static bool
valid_check(struct prof_parser *ps, const char *id, enum check_scope scope)
{
	char names[512];

	if (generated_id(id))
		return bad(ps,
		           "'%s' is made from the ports; list the port in "
		           "external or internal instead",
		           id);
	if (catalog_find_scoped(id, scope) != NULL)
		return true;
	check_names(scope, names, sizeof(names));
	if (catalog_find(id) != NULL)
		return bad(ps, "'%s' is not a %s check; those are: %s", id,
		           scope == CHECK_NODE ? "node" : "domain", names);
	return bad(ps, "unknown check '%s'; %s checks are: %s", id,
	           scope == CHECK_NODE ? "node" : "domain", names);
}

static bool
set_checks(struct prof_parser *ps, const char *v, bool cont)
{
	enum check_scope scope =
		ps->sec == PS_DOMAIN ? CHECK_DOMAIN : CHECK_NODE;
	char ***vec = ps->sec == PS_DOMAIN ? &ps->p->domain_checks
	                                   : &cur_role(ps)->checks;
	size_t *n = ps->sec == PS_DOMAIN ? &ps->p->ndomain_checks
	                                 : &cur_role(ps)->nchecks;
	const char *s = v;
	char *item;

	(void)cont;
	while ((item = next_item(&s)) != NULL) {
		bool ok = valid_check(ps, item, scope);
		if (ok && strv_has(*vec, *n, item))
			ok = bad(ps, "check '%s' is listed twice", item);
		if (ok)
			strv_push(vec, n, item);
		free(item);
		if (!ok)
			return false;
	}
	return true;
}

/* "SERVICE:PORT" with SERVICE in [a-z0-9-]+ and PORT 1-65535. */
static bool
parse_service_port(struct prof_parser *ps, const char *item,
                   struct profile_port *pp)
{
	const char *colon = strchr(item, ':');
	char *service, *end;
	unsigned long port;

	if (colon == NULL)
		return bad(ps, "'%s' needs a port: SERVICE:PORT (e.g. smtp:25)",
		           item);
	service = xstrndup(item, (size_t)(colon - item));
	if (!valid_name(service)) {
		free(service);
		return bad(ps,
		           "'%s': the service name may contain only a-z, "
		           "0-9 and '-'",
		           item);
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno ||
	    port == 0 || port > 65535) {
		free(service);
		return bad(ps, "'%s': the port must be 1-65535", item);
	}
	pp->service = service;
	pp->port = (uint16_t)port;
	return true;
}

static bool
add_port(struct prof_parser *ps, const char *item, bool external)
{
	struct profile_role *r = cur_role(ps);
	struct profile_port pp;

	if (!parse_service_port(ps, item, &pp))
		return false;
	pp.external = external;
	for (size_t i = 0; i < r->nports; i++) {
		if (r->ports[i].port != pp.port)
			continue;
		bad(ps, "port %u is already in this section as %s:%u",
		    (unsigned)pp.port, r->ports[i].service,
		    (unsigned)r->ports[i].port);
		free(pp.service);
		return false;
	}
	r->ports = xreallocarray(r->ports, r->nports + 1, sizeof(*r->ports));
	r->ports[r->nports++] = pp;
	return true;
}

static bool
set_ports(struct prof_parser *ps, const char *v, bool external)
{
	const char *s = v;
	char *item;

	while ((item = next_item(&s)) != NULL) {
		bool ok = add_port(ps, item, external);
		free(item);
		if (!ok)
			return false;
	}
	return true;
}

static bool
set_external(struct prof_parser *ps, const char *v, bool cont)
{
	(void)cont;
	return set_ports(ps, v, true);
}

static bool
set_internal(struct prof_parser *ps, const char *v, bool cont)
{
	(void)cont;
	return set_ports(ps, v, false);
}

static const struct prof_key prof_keys[] = {
	{"description", PS_PROFILE | PS_ALL | PS_ROLE, set_description},
	{"default_roles", PS_PROFILE, set_default_roles},
	{"checks", PS_ALL | PS_ROLE | PS_DOMAIN, set_checks},
	{"external", PS_ALL | PS_ROLE, set_external},
	{"internal", PS_ALL | PS_ROLE, set_internal},
	{NULL, 0, NULL},
};

/* ------------------------------------------------------------- sections */

static bool
single_section(struct prof_parser *ps, enum prof_section sec, int *line,
               const char *name)
{
	if (*line)
		return fail(ps, "duplicate section [%s] (first on line %d)",
		            name, *line);
	*line = ps->src.lineno;
	ps->sec = sec;
	return true;
}

static bool
start_role(struct prof_parser *ps, const char *name)
{
	struct profile *p = ps->p;
	struct profile_role *r;

	if (*name == '\0')
		return fail(ps, "section [role] needs a name: [role mta]");
	if (strcmp(name, "all") == 0)
		return fail(ps, "[role all] is reserved; write [all]");
	if (!valid_name(name))
		return fail(ps,
		            "role name '%s' may contain only a-z, 0-9 and "
		            "'-'",
		            name);
	for (size_t i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].name, name) == 0)
			return fail(ps,
			            "duplicate section [role %s] (first "
			            "on line %d)",
			            name, ps->role_lines[i]);
	p->roles = xreallocarray(p->roles, p->nroles + 1, sizeof(*p->roles));
	ps->role_lines = xreallocarray(ps->role_lines, p->nroles + 1,
	                               sizeof(*ps->role_lines));
	r = &p->roles[p->nroles];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	ps->role_lines[p->nroles] = ps->src.lineno;
	ps->role = p->nroles++;
	ps->sec = PS_ROLE;
	return true;
}

static bool
prof_section(void *user, const char *hdr)
{
	struct prof_parser *ps = user;

	ps->nseen = 0;
	ps->key = NULL;
	if (strcmp(hdr, "profile") == 0)
		return single_section(ps, PS_PROFILE, &ps->profile_line, hdr);
	if (strcmp(hdr, "all") == 0)
		return single_section(ps, PS_ALL, &ps->all_line, hdr);
	if (strcmp(hdr, "domain") == 0)
		return single_section(ps, PS_DOMAIN, &ps->domain_line, hdr);
	if (strncmp(hdr, "role", 4) == 0 &&
	    (hdr[4] == '\0' || isspace((unsigned char)hdr[4])))
		return start_role(ps, hdr + 4 + strspn(hdr + 4, " \t"));
	return fail(ps,
	            "unknown section [%s]; expected [profile], [all], "
	            "[role NAME] or [domain]",
	            hdr);
}

/* ------------------------------------------------------------ key lines */

static bool
unknown_key(struct prof_parser *ps, const char *name)
{
	char list[128] = "", label[80];
	size_t off = 0;

	for (const struct prof_key *k = prof_keys; k->name; k++)
		if ((k->sections & ps->sec) && off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			                        "%s%s", off ? ", " : "",
			                        k->name);
	return fail(ps, "unknown key '%s' in %s; keys there are: %s", name,
	            section_label(ps, label, sizeof(label)), list);
}

/* An indented line: more of the value of the key above. */
static bool
continue_key(struct prof_parser *ps, const char *value)
{
	if (strchr(value, '=') != NULL)
		return fail(ps,
		            "this indented line continues '%s' from line "
		            "%d; start each key at the beginning of a "
		            "line",
		            ps->key->name, ps->key_line);
	return ps->key->set(ps, value, true);
}

static bool
new_key(struct prof_parser *ps, const char *name, const char *value)
{
	const struct prof_key *k = prof_keys;

	while (k->name &&
	       !(strcmp(k->name, name) == 0 && (k->sections & ps->sec)))
		k++;
	if (k->name == NULL)
		return unknown_key(ps, name);
	for (size_t i = 0; i < ps->nseen; i++)
		if (ps->seen[i] == k)
			return fail(ps,
			            "duplicate key '%s' (first set on line "
			            "%d)",
			            name, ps->seen_line[i]);
	ps->seen[ps->nseen] = k;
	ps->seen_line[ps->nseen++] = ps->src.lineno;
	ps->key = k;
	ps->key_line = ps->src.lineno;
	if (*value == '\0')
		return bad(ps, "no value; give one or remove the line");
	return k->set(ps, value, false);
}

static int
prof_handler(void *user, const char *section, const char *name,
             const char *value)
{
	struct prof_parser *ps = user;

	/* section is inih's copy, cut at 50 characters: ours is ps->sec. */
	(void)section;
	if (ps->src.failed)
		return 0;
	if (ps->src.indented && ps->src.after_key)
		return continue_key(ps, value);
	ps->src.after_key = true;
	if (ps->sec == PS_NONE)
		return fail(ps,
		            "key '%s' is outside any section; put it "
		            "under [profile], [all], [role NAME] or "
		            "[domain]",
		            name);
	return new_key(ps, name, value);
}

/* default_roles may name roles defined after it: check at the end. */
static bool
prof_finish(struct prof_parser *ps)
{
	const struct profile *p = ps->p;
	char names[256] = "";
	size_t off = 0;

	for (size_t i = 0; i < p->nroles && off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off,
		                        "%s%s", i ? ", " : "",
		                        p->roles[i].name);
	for (size_t i = 0; i < p->ndefault_roles; i++)
		if (profile_role(p, p->default_roles[i]) == NULL)
			return ini_fail_at(&ps->src, ps->default_roles_line,
			                   "[profile] default_roles: unknown "
			                   "role '%s' (roles here: %s)",
			                   p->default_roles[i],
			                   p->nroles ? names : "none");
	return true;
}

/* "dir/carbonio.conf" -> "carbonio" */
static char *
name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	return xstrndup(base, len);
}

static struct profile *
load(const char *path, FILE *fp, const char *text, char *err, size_t errlen)
{
	struct prof_parser ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.p = xcalloc(1, sizeof(*ps.p));
	ps.p->name = name_of(path);
	ps.p->path = xstrdup(path);
	ps.p->all.name = xstrdup("all");
	ps.src.name = path;
	ps.src.fp = fp;
	ps.src.text = text;
	ps.src.err = err;
	ps.src.errlen = errlen;
	ps.src.section = prof_section;
	ps.src.user = &ps;
	rc = ini_src_parse(&ps.src, prof_handler, &ps);
	if (rc == 0 && !prof_finish(&ps))
		rc = -1;
	ini_src_free(&ps.src);
	free(ps.role_lines);
	if (rc < 0) {
		profile_free(ps.p);
		return NULL;
	}
	return ps.p;
}

/* ------------------------------------------------------------ interface */

const char *
profile_dir(void)
{
	const char *d = getenv(PROFILE_DIR_ENV);

	return d != NULL && *d != '\0' ? d : MAILREADY_PROFILE_DIR;
}

struct profile *
profile_load(const char *name_or_path, char *err, size_t errlen)
{
	bool named = strchr(name_or_path, '/') == NULL;
	struct profile *p;
	char *path;
	FILE *fp;

	if (named && !valid_name(name_or_path)) {
		snprintf(err, errlen,
		         "profile name '%s' may contain only a-z, 0-9 and "
		         "'-'; give a file as a path with a '/'",
		         name_or_path);
		return NULL;
	}
	path = named ? xasprintf("%s/%s.conf", profile_dir(), name_or_path)
	             : xstrdup(name_or_path);
	fp = fopen(path, "r");
	if (fp == NULL) {
		if (named)
			snprintf(err, errlen, "profile '%s' %s: %s: %s",
			         name_or_path,
			         errno == ENOENT ? "not found" : "unreadable",
			         path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	p = load(path, fp, NULL, err, errlen);
	fclose(fp);
	free(path);
	return p;
}

struct profile *
profile_load_string(const char *name, const char *text, char *err,
                    size_t errlen)
{
	return load(name, NULL, text, err, errlen);
}

static void
role_free(struct profile_role *r)
{
	free(r->name);
	free(r->description);
	strv_free(r->checks, r->nchecks);
	for (size_t i = 0; i < r->nports; i++)
		free(r->ports[i].service);
	free(r->ports);
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->path);
	free(p->description);
	strv_free(p->default_roles, p->ndefault_roles);
	role_free(&p->all);
	for (size_t i = 0; i < p->nroles; i++)
		role_free(&p->roles[i]);
	free(p->roles);
	strv_free(p->domain_checks, p->ndomain_checks);
	free(p);
}

const struct profile_role *
profile_role(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].name, name) == 0)
			return &p->roles[i];
	return NULL;
}
