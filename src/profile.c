/*
 * profile.c -- read a role profile (checks/profiles/NAME.conf): the checks
 * and ports every node needs, those of each role, the programs expected
 * on those ports (holders), and the checks run once per mail domain.
 *
 * The INI engine (inisrc.h) reads the file, as it reads the cluster file;
 * this file declares the sections and keys of a profile and sets their
 * values. Check ids are validated against the catalogue here, so that a
 * typo in a profile is found when it is loaded, not when a plan silently
 * lacks a check.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build_config.h"
#include "catalog.h"
#include "inisrc.h"
#include "profile.h"
#include "readfile.h"
#include "services.h"
#include "strbuf.h"
#include "suggest.h"
#include "xmalloc.h"

/* ---------------------------------------------------------- small helpers */

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
	PS_PROFILE = 1,
	PS_ALL = 2,
	PS_ROLE = 4,
	PS_DOMAIN = 8,
};

/*
 * A check made from a port (mail.smtp, net.port.ldap) listed in a role:
 * it asks for the service's default port, unless the role has a port of
 * that service once the whole file is read.
 */
struct port_check {
	size_t role; /* SIZE_MAX: [all] */
	const char *id;
	const struct service_def *service;
	int line;
};

struct prof_parser {
	struct ini_src src;
	struct profile *p;
	size_t role;     /* index of the current [role NAME] */
	int *role_lines; /* line of each [role NAME], for duplicates */
	int default_roles_line;
	/* The holders group a group without ':' adds programs to: 1 + its
	   index in the current section, 0 at the start of a holders key. */
	size_t holders_group;
	struct port_check *port_checks;
	size_t nport_checks;
};

/* A bad value: the message is prefixed with the section and key. */
static bool __attribute__((format(printf, 2, 3)))
bad(struct prof_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ini_badv(&ps->src, fmt, ap);
	va_end(ap);
	return false;
}

static unsigned
cur_section(const struct prof_parser *ps)
{
	return ini_section_id(&ps->src);
}

/* The role being filled: [all] or the current [role NAME]. */
static struct profile_role *
cur_role(struct prof_parser *ps)
{
	return cur_section(ps) == PS_ALL ? &ps->p->all
	                                 : &ps->p->roles[ps->role];
}

/* ------------------------------------------------------------------ keys */

static bool
set_description(void *user, const char *v, bool cont)
{
	struct prof_parser *ps = user;
	char **d = cur_section(ps) == PS_PROFILE ? &ps->p->description
	                                         : &cur_role(ps)->description;
	char *old = *d;

	/* A continued description is one paragraph. */
	*d = cont && old ? xasprintf("%s %s", old, v) : xstrdup(v);
	free(old);
	return true;
}

static bool
set_default_roles(void *user, const char *v, bool cont)
{
	struct prof_parser *ps = user;
	struct profile *p = ps->p;
	const char *s = v;
	char *item;

	(void)cont;
	ps->default_roles_line = ps->src.key_line;
	while ((item = ini_next_item(&s)) != NULL) {
		if (!strv_has(p->default_roles, p->ndefault_roles, item))
			strv_push(&p->default_roles, &p->ndefault_roles, item);
		free(item);
	}
	return true;
}

/*
 * The ids of the catalogue for that scope, as a list for people: a family
 * as host.port.SERVICE, the mail.* checks made from ports as one
 * mail.SERVICE.
 */
static void
check_list(enum check_scope scope, struct strbuf *b)
{
	bool mail = false;

	for (size_t i = 0; i < catalog_count; i++) {
		const struct check_def *d = &catalog[i];
		size_t len = strlen(d->id);
		if (d->scope != scope)
			continue;
		if (!d->family && service_of_check(d->id) != NULL) {
			if (!mail)
				strbuf_addf(b, "%smail.SERVICE",
				            b->len ? ", " : "");
			mail = true;
			continue;
		}
		strbuf_sep(b, ", ");
		if (d->family)
			strbuf_addf(b, "%.*sSERVICE", (int)(len - 1), d->id);
		else
			strbuf_add(b, d->id);
	}
}

/* The single ids of a scope: what a misspelt id may have meant. */
static size_t
check_ids(enum check_scope scope, const char **ids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < catalog_count && n < max; i++)
		if (catalog[i].scope == scope && !catalog[i].family)
			ids[n++] = catalog[i].id;
	return n;
}

static bool
wrong_scope(struct prof_parser *ps, const char *id, enum check_scope scope)
{
	struct strbuf names = STRBUF_INIT;

	check_list(scope, &names);
	bad(ps, "'%s' is not a %s check; those are: %s", id,
	    scope == CHECK_NODE ? "node" : "domain", strbuf_str(&names));
	strbuf_reset(&names);
	return false;
}

/* mail.SERVICE, net.port.SERVICE, host.port.SERVICE: a known service. */
static bool
valid_port_check(struct prof_parser *ps, const char *id, const char *svc,
                 enum check_scope scope, const struct service_def **out)
{
	size_t plen = (size_t)(svc - id);
	const char *near;

	if (*svc == '\0' || strcmp(svc, "*") == 0)
		return bad(ps,
		           "'%s' stands for every port; name one service "
		           "(%.*ssmtp), or list ports in external or internal",
		           id, (int)plen, id);
	if (catalog_find_scoped(id, scope) == NULL)
		return wrong_scope(ps, id, scope);
	*out = service_find(svc);
	if (*out != NULL)
		return true;
	near = service_suggest(svc);
	if (near != NULL)
		return bad(ps,
		           "unknown service '%s' in '%s' (did you mean "
		           "'%.*s%s'?)",
		           svc, id, (int)plen, id, near);
	return bad(ps,
	           "unknown service '%s' in '%s': it has no default port; "
	           "list its port in external or internal (%s:PORT)",
	           svc, id, svc);
}

/* mail.ldap: a known service, but no mail protocol to check. */
static bool
not_mail(struct prof_parser *ps, const char *id)
{
	struct strbuf names = STRBUF_INIT;

	for (size_t i = 0; i < services_count; i++)
		if (services[i].proto != SERVICE_PROTO_NONE)
			strbuf_addf(&names, "%smail.%s", names.len ? ", " : "",
			            services[i].name);
	bad(ps, "'%s': %s speaks no mail protocol; the mail checks are %s", id,
	    id + 5, strbuf_str(&names));
	strbuf_reset(&names);
	return false;
}

/*
 * A check id for that scope. For one made from a port, *service is set
 * to its service; else to NULL.
 */
static bool
valid_check(struct prof_parser *ps, const char *id, enum check_scope scope,
            const struct service_def **service)
{
	const char *ids[64], *near, *svc = service_of_check(id);
	size_t n = check_ids(scope, ids, sizeof(ids) / sizeof(ids[0]));
	const struct service_def *sd;
	struct strbuf names = STRBUF_INIT;

	*service = NULL;
	if (svc != NULL)
		return valid_port_check(ps, id, svc, scope, service);
	if (strncmp(id, "mail.", 5) == 0 && (sd = service_find(id + 5)) &&
	    sd->proto == SERVICE_PROTO_NONE)
		return not_mail(ps, id);
	if (catalog_find_scoped(id, scope) != NULL)
		return true;
	if (catalog_find(id) != NULL)
		return wrong_scope(ps, id, scope);
	if ((near = suggest_nearest(id, ids, n)) != NULL)
		return bad(ps, "unknown check '%s' (did you mean '%s'?)", id,
		           near);
	check_list(scope, &names);
	bad(ps, "unknown check '%s'; %s checks are: %s", id,
	    scope == CHECK_NODE ? "node" : "domain", strbuf_str(&names));
	strbuf_reset(&names);
	return false;
}

/* Remember a port check of the current role, for prof_finish. */
static void
add_port_check(struct prof_parser *ps, const char *id,
               const struct service_def *sd)
{
	struct port_check *pc;

	ps->port_checks = xreallocarray(ps->port_checks, ps->nport_checks + 1,
	                                sizeof(*ps->port_checks));
	pc = &ps->port_checks[ps->nport_checks++];
	pc->role = cur_section(ps) == PS_ALL ? SIZE_MAX : ps->role;
	pc->id = id;
	pc->service = sd;
	pc->line = ps->src.lineno;
}

static bool
set_checks(void *user, const char *v, bool cont)
{
	struct prof_parser *ps = user;
	bool domain = cur_section(ps) == PS_DOMAIN;
	enum check_scope scope = domain ? CHECK_DOMAIN : CHECK_NODE;
	char ***vec = domain ? &ps->p->domain_checks : &cur_role(ps)->checks;
	size_t *n = domain ? &ps->p->ndomain_checks : &cur_role(ps)->nchecks;
	const char *s = v;
	char *item;

	(void)cont;
	while ((item = ini_next_item(&s)) != NULL) {
		const struct service_def *sd;
		bool ok = valid_check(ps, item, scope, &sd);
		if (ok && strv_has(*vec, *n, item))
			ok = bad(ps, "check '%s' is listed twice", item);
		if (ok)
			strv_push(vec, n, item);
		/* The role's copy outlives the item. */
		if (ok && sd != NULL)
			add_port_check(ps, (*vec)[*n - 1], sd);
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

	while ((item = ini_next_item(&s)) != NULL) {
		bool ok = add_port(ps, item, external);
		free(item);
		if (!ok)
			return false;
	}
	return true;
}

static bool
set_external(void *user, const char *v, bool cont)
{
	(void)cont;
	return set_ports(user, v, true);
}

static bool
set_internal(void *user, const char *v, bool cont)
{
	(void)cont;
	return set_ports(user, v, false);
}

/* ---------------------------------------------------------------- holders */

/*
 * A program of holders: a name as /proc/PID/comm or an executable's file
 * name gives it, or a shell pattern of one; never a path.
 */
static bool
valid_program(const char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == ':' || *s == ',' ||
		    *s == '/')
			return false;
	return true;
}

static bool
all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The blank-separated words of s (n bytes) into v, each once. */
static void
push_words(const char *s, size_t n, char ***v, size_t *nv)
{
	char *copy = xstrndup(s, n), *save = NULL;

	for (char *t = strtok_r(copy, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save))
		if (!strv_has(*v, *nv, t))
			strv_push(v, nv, t);
	free(copy);
}

static void
holders_free(struct profile_holders *h)
{
	strv_free(h->services, h->nservices);
	strv_free(h->programs, h->nprograms);
}

/* The group of r that names service already, or NULL. */
static const struct profile_holders *
holders_naming(const struct profile_role *r, const char *service)
{
	for (size_t i = 0; i < r->nholders; i++)
		if (strv_has(r->holders[i].services, r->holders[i].nservices,
		             service))
			return &r->holders[i];
	return NULL;
}

static bool
valid_holder_services(struct prof_parser *ps, const struct profile_holders *h,
                      const char *group)
{
	const struct profile_holders *prev;

	if (h->nservices == 0)
		return bad(ps,
		           "'%s': name the service before ':' (smtp: master "
		           "smtpd)",
		           group);
	for (size_t i = 0; i < h->nservices; i++) {
		const char *svc = h->services[i];
		if (strcmp(svc, "*") != 0 && !valid_name(svc))
			return bad(ps,
			           "'%s': the service name may contain only "
			           "a-z, 0-9 and '-', or be '*' (every port of "
			           "this section)",
			           svc);
		if ((prev = holders_naming(cur_role(ps), svc)) != NULL)
			return bad(ps,
			           "service '%s' has holders already (line %d)",
			           svc, prev->line);
	}
	return true;
}

static bool
valid_holder_programs(struct prof_parser *ps, char *const *v, size_t n,
                      const char *group)
{
	if (n == 0)
		return bad(ps,
		           "'%s': name the programs after ':' (smtp: master "
		           "smtpd)",
		           group);
	for (size_t i = 0; i < n; i++) {
		if (all_digits(v[i]))
			return bad(ps,
			           "'%s' is a port, not a program: holders "
			           "name the programs on a service's port "
			           "(smtp: master smtpd); ports go in external "
			           "or internal",
			           v[i]);
		if (!valid_program(v[i]))
			return bad(ps,
			           "'%s': a program is a process name as "
			           "/proc/PID/comm gives it (or a pattern such "
			           "as carbonio-*), without ':', ',' or '/'",
			           v[i]);
	}
	return true;
}

/* More programs for the group above: "PROGRAM..." without a ':'. */
static bool
add_holder_programs(struct prof_parser *ps, const char *group)
{
	struct profile_holders *h;
	struct profile_holders more = {0};
	bool ok;

	if (ps->holders_group == 0)
		return bad(ps,
		           "'%s' names no service: write SERVICE...: "
		           "PROGRAM... (smtp submission: master smtpd)",
		           group);
	h = &cur_role(ps)->holders[ps->holders_group - 1];
	push_words(group, strlen(group), &more.programs, &more.nprograms);
	ok = valid_holder_programs(ps, more.programs, more.nprograms, group);
	for (size_t i = 0; ok && i < more.nprograms; i++)
		if (!strv_has(h->programs, h->nprograms, more.programs[i]))
			strv_push(&h->programs, &h->nprograms,
			          more.programs[i]);
	holders_free(&more);
	return ok;
}

/* One "SERVICE...: PROGRAM..." group. */
static bool
add_holders(struct prof_parser *ps, const char *group)
{
	struct profile_role *r = cur_role(ps);
	const char *colon = strchr(group, ':');
	struct profile_holders h = {0};

	if (colon == NULL)
		return add_holder_programs(ps, group);
	push_words(group, (size_t)(colon - group), &h.services, &h.nservices);
	push_words(colon + 1, strlen(colon + 1), &h.programs, &h.nprograms);
	h.line = ps->src.lineno;
	if (!valid_holder_services(ps, &h, group) ||
	    !valid_holder_programs(ps, h.programs, h.nprograms, group)) {
		holders_free(&h);
		return false;
	}
	r->holders =
		xreallocarray(r->holders, r->nholders + 1, sizeof(*r->holders));
	r->holders[r->nholders++] = h;
	ps->holders_group = r->nholders;
	return true;
}

/*
 * holders = smtp submission: master smtpd, imap: dovecot imap-login
 * Groups are separated by commas or lines; within one, blanks separate
 * the words. Words without a ':' (after a comma, or on a line of their
 * own) are more programs of the group before them: a long list may go
 * on over lines.
 */
static bool
set_holders(void *user, const char *v, bool cont)
{
	struct prof_parser *ps = user;
	char *copy = xstrdup(v), *save = NULL;
	bool ok = true;

	if (!cont)
		ps->holders_group = 0;
	for (char *g = strtok_r(copy, ",", &save); ok && g != NULL;
	     g = strtok_r(NULL, ",", &save)) {
		g += strspn(g, " \t");
		size_t n = strlen(g);
		while (n > 0 && (g[n - 1] == ' ' || g[n - 1] == '\t'))
			g[--n] = '\0';
		if (n > 0)
			ok = add_holders(ps, g);
	}
	free(copy);
	return ok;
}

/* Every key of a profile may be continued on indented lines. */
static const struct ini_key prof_keys[] = {
	{"description", set_description, PS_PROFILE | PS_ALL | PS_ROLE, true},
	{"default_roles", set_default_roles, PS_PROFILE, true},
	{"checks", set_checks, PS_ALL | PS_ROLE | PS_DOMAIN, true},
	{"external", set_external, PS_ALL | PS_ROLE, true},
	{"internal", set_internal, PS_ALL | PS_ROLE, true},
	{"holders", set_holders, PS_ALL | PS_ROLE, true},
	{NULL, NULL, 0, false},
};

/* ------------------------------------------------------------- sections */

static bool
start_role(void *user, const char *name)
{
	struct prof_parser *ps = user;
	struct profile *p = ps->p;
	struct profile_role *r;

	if (*name == '\0')
		return ini_fail(&ps->src,
		                "section [role] needs a name: [role mta]");
	if (strcmp(name, "all") == 0)
		return ini_fail(&ps->src,
		                "[role all] is reserved; write [all]");
	if (!valid_name(name))
		return ini_fail(&ps->src,
		                "role name '%s' may contain only a-z, 0-9 and "
		                "'-'",
		                name);
	for (size_t i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].name, name) == 0)
			return ini_fail(&ps->src,
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
	return true;
}

static const struct ini_section prof_sections[] = {
	{"profile", PS_PROFILE, NULL, NULL, NULL},
	{"all", PS_ALL, NULL, NULL, NULL},
	{"role", PS_ROLE, "NAME", start_role, NULL},
	{"domain", PS_DOMAIN, NULL, NULL, NULL},
	{NULL, 0, NULL, NULL, NULL},
};

static const struct ini_syntax prof_syntax = {prof_sections, prof_keys, NULL};

/* "[all]" or "[role NAME]", for messages after the parse. */
static void
section_label(const struct profile_role *r, bool all, char *buf, size_t len)
{
	if (all)
		snprintf(buf, len, "[all]");
	else
		snprintf(buf, len, "[role %s]", r->name);
}

/*
 * A port check asks for its service's default port, as external, in a
 * role without a port of that service: known only at the end, since the
 * ports may come after the checks.
 */
static bool
add_default_port(struct prof_parser *ps, const struct port_check *pc)
{
	struct profile_role *r =
		pc->role == SIZE_MAX ? &ps->p->all : &ps->p->roles[pc->role];
	const struct service_def *sd = pc->service;
	char label[300];

	for (size_t i = 0; i < r->nports; i++)
		if (strcmp(r->ports[i].service, sd->name) == 0)
			return true;
	section_label(r, pc->role == SIZE_MAX, label, sizeof(label));
	for (size_t i = 0; i < r->nports; i++)
		if (r->ports[i].port == sd->port)
			return ini_fail_at(
				&ps->src, pc->line,
				"%s checks: '%s' needs port %s:%u, but port "
				"%u is %s:%u in this section; write it as "
				"%s:%u",
				label, pc->id, sd->name, (unsigned)sd->port,
				(unsigned)sd->port, r->ports[i].service,
				(unsigned)sd->port, sd->name,
				(unsigned)sd->port);
	r->ports = xreallocarray(r->ports, r->nports + 1, sizeof(*r->ports));
	r->ports[r->nports].service = xstrdup(sd->name);
	r->ports[r->nports].port = sd->port;
	r->ports[r->nports++].external = true;
	return true;
}

/* Does a section of p have a port of that service? */
static bool
profile_has_service(const struct profile *p, const char *service)
{
	for (size_t i = 0; i <= p->nroles; i++) {
		const struct profile_role *r = i ? &p->roles[i - 1] : &p->all;
		for (size_t j = 0; j < r->nports; j++)
			if (strcmp(r->ports[j].service, service) == 0)
				return true;
	}
	return false;
}

/* The port services of p nearest to a misspelt one, or NULL. */
static const char *
port_service_suggest(const struct profile *p, const char *service)
{
	const char **names = NULL, *near;
	size_t n = 0;

	for (size_t i = 0; i <= p->nroles; i++) {
		const struct profile_role *r = i ? &p->roles[i - 1] : &p->all;
		names = xreallocarray(names, n + r->nports + 1, sizeof(*names));
		for (size_t j = 0; j < r->nports; j++)
			names[n++] = r->ports[j].service;
	}
	near = suggest_nearest(service, names, n);
	free(names);
	return near;
}

/*
 * Holders name services that have a port somewhere in the profile, and
 * '*' a section with ports: a typo would leave a port to the built-in
 * table without a word. Known only at the end: ports may come later.
 */
static bool
check_holders(struct prof_parser *ps, const struct profile_role *r, bool all)
{
	const struct profile *p = ps->p;
	char label[300];
	const char *near;

	section_label(r, all, label, sizeof(label));
	for (size_t i = 0; i < r->nholders; i++) {
		const struct profile_holders *h = &r->holders[i];
		for (size_t k = 0; k < h->nservices; k++) {
			const char *svc = h->services[k];
			if (strcmp(svc, "*") == 0 && r->nports == 0)
				return ini_fail_at(
					&ps->src, h->line,
					"%s holders: '*' stands for the ports "
					"of this section, and it has none",
					label);
			if (strcmp(svc, "*") == 0 ||
			    profile_has_service(p, svc))
				continue;
			if ((near = port_service_suggest(p, svc)) != NULL)
				return ini_fail_at(
					&ps->src, h->line,
					"%s holders: no section has a port of "
					"service '%s' (did you mean '%s'?)",
					label, svc, near);
			return ini_fail_at(&ps->src, h->line,
			                   "%s holders: no section has a port "
			                   "of service '%s'; list it in "
			                   "external or internal (%s:PORT)",
			                   label, svc, svc);
		}
	}
	return true;
}

/* default_roles may name roles defined after it: check at the end. */
static bool
prof_finish(struct prof_parser *ps)
{
	for (size_t i = 0; i < ps->nport_checks; i++)
		if (!add_default_port(ps, &ps->port_checks[i]))
			return false;
	if (!check_holders(ps, &ps->p->all, true))
		return false;
	for (size_t i = 0; i < ps->p->nroles; i++)
		if (!check_holders(ps, &ps->p->roles[i], false))
			return false;
	const struct profile *p = ps->p;
	const char *name, *near;

	for (size_t i = 0; i < p->ndefault_roles; i++) {
		name = p->default_roles[i];
		if (profile_role(p, name) != NULL)
			continue;
		if ((near = profile_role_suggest(p, name)) != NULL)
			return ini_fail_at(&ps->src, ps->default_roles_line,
			                   "[profile] default_roles: unknown "
			                   "role '%s' (did you mean '%s'?)",
			                   name, near);
		char names[256];
		profile_role_names(p, names, sizeof(names));
		return ini_fail_at(&ps->src, ps->default_roles_line,
		                   "[profile] default_roles: unknown role '%s' "
		                   "(roles here: %s)",
		                   name, names);
	}
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
	ps.src.syntax = &prof_syntax;
	ps.src.user = &ps;
	rc = ini_src_parse(&ps.src);
	if (rc == 0 && !prof_finish(&ps))
		rc = -1;
	ini_src_free(&ps.src);
	free(ps.role_lines);
	free(ps.port_checks);
	if (rc < 0) {
		profile_free(ps.p);
		return NULL;
	}
	return ps.p;
}

/* ------------------------------------------------------------ interface */

static const char *profile_dir_given;

void
profile_set_dir(const char *dir)
{
	profile_dir_given = dir;
}

static bool
is_dir(const char *d)
{
	struct stat sb;
	return stat(d, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *
profile_dir(void)
{
	const char *d = getenv(PROFILE_DIR_ENV);

	if (d != NULL && *d != '\0')
		return d;
	if (profile_dir_given != NULL)
		return profile_dir_given;
	/* Not installed: the binary of a build tree uses its sources'. */
	if (!is_dir(MAILREADY_PROFILE_DIR) &&
	    is_dir(MAILREADY_SOURCE_PROFILE_DIR))
		return MAILREADY_SOURCE_PROFILE_DIR;
	return MAILREADY_PROFILE_DIR;
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
	char why[128];
	fp = readfile_open(path, why, sizeof(why));
	if (fp == NULL) {
		if (named && errno == ENOENT)
			snprintf(err, errlen,
			         "profile '%s' not found: %s: %s (install "
			         "mailready, or give --profile-dir DIR or "
			         "MAILREADY_PROFILE_DIR)",
			         name_or_path, path, why);
		else if (named)
			snprintf(err, errlen, "profile '%s' unreadable: %s: %s",
			         name_or_path, path, why);
		else
			snprintf(err, errlen, "%s: %s", path, why);
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
	for (size_t i = 0; i < r->nholders; i++)
		holders_free(&r->holders[i]);
	free(r->holders);
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

static bool
role_has_port(const struct profile_role *r, uint16_t port)
{
	for (size_t i = 0; i < r->nports; i++)
		if (r->ports[i].port == port)
			return true;
	return false;
}

static bool
holders_apply(const struct profile_holders *h, const char *service,
              bool section_port)
{
	for (size_t i = 0; i < h->nservices; i++)
		if (strcmp(h->services[i], service) == 0 ||
		    (section_port && strcmp(h->services[i], "*") == 0))
			return true;
	return false;
}

char *
profile_holders_of(const struct profile_role *const *roles, size_t nroles,
                   const char *service, uint16_t port)
{
	struct strbuf b = STRBUF_INIT;
	char **seen = NULL;
	size_t nseen = 0;

	for (size_t i = 0; i < nroles; i++) {
		const struct profile_role *r = roles[i];
		bool here = role_has_port(r, port);
		for (size_t k = 0; k < r->nholders; k++) {
			const struct profile_holders *h = &r->holders[k];
			if (!holders_apply(h, service, here))
				continue;
			for (size_t j = 0; j < h->nprograms; j++) {
				if (strv_has(seen, nseen, h->programs[j]))
					continue;
				strv_push(&seen, &nseen, h->programs[j]);
				strbuf_sep(&b, " ");
				strbuf_add(&b, h->programs[j]);
			}
		}
	}
	strv_free(seen, nseen);
	if (nseen == 0) {
		strbuf_reset(&b);
		return NULL;
	}
	return strbuf_take(&b);
}

const char *
profile_role_suggest(const struct profile *p, const char *name)
{
	const char **names = xcalloc(p->nroles + 1, sizeof(*names));
	const char *near;

	for (size_t i = 0; i < p->nroles; i++)
		names[i] = p->roles[i].name;
	near = suggest_nearest(name, names, p->nroles);
	free(names);
	return near;
}

void
profile_role_names(const struct profile *p, char *buf, size_t len)
{
	size_t off = 0;

	snprintf(buf, len, "none");
	for (size_t i = 0; i < p->nroles && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        i ? ", " : "", p->roles[i].name);
}
