/*
 * profile.h -- role profiles: which checks and ports each role needs.
 *
 * A profile is a data file in checks/profiles/ (carbonio.conf, mail.conf),
 * INI like the config:
 *
 *   [profile]   description, default_roles (for a node given no roles)
 *   [all]       checks and ports every node needs
 *   [role NAME] checks and ports of one role
 *   [domain]    checks run once per mail domain
 *
 * with keys `checks` (check ids), `external` and `internal` (SERVICE:PORT
 * lists; external ports are probed on the public address, internal ones on
 * the internal address), `holders` (the programs expected on those ports:
 * "SERVICE...: PROGRAM...", for host.port.SERVICE) and `description`.
 */
#ifndef MAILREADY_PROFILE_H
#define MAILREADY_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile_port {
	char *service; /* "smtp", "ldap", "node-exporter" */
	uint16_t port;
	bool external;
};

/*
 * One group of `holders = SERVICE...: PROGRAM...`: the programs that
 * legitimately hold the ports of those services (host.port.SERVICE).
 */
struct profile_holders {
	char **services; /* service names; "*": every port of the section */
	size_t nservices;
	/* Process names as /proc/PID/comm or the executable's file name
	   give them, or shell patterns of them ("carbonio-*"). */
	char **programs;
	size_t nprograms;
	int line; /* for messages */
};

struct profile_role {
	char *name; /* lowercase; "all" holds what every node needs */
	char *description;
	char **checks;
	size_t nchecks;
	struct profile_port *ports;
	size_t nports;
	struct profile_holders *holders;
	size_t nholders;
};

struct profile {
	char *name; /* file name without .conf */
	char *path;
	char *description;
	char **default_roles;
	size_t ndefault_roles;
	struct profile_role all;
	struct profile_role *roles;
	size_t nroles;
	char **domain_checks;
	size_t ndomain_checks;
};

/*
 * Where profiles named without a path are looked for: the environment
 * variable below if set, else the installed directory.
 */
#define PROFILE_DIR_ENV "MAILREADY_PROFILE_DIR"

/**
 * Load a profile by name ("carbonio" → DIR/carbonio.conf) or by path (any
 * value with a '/'). Check ids are validated against the catalogue.
 * @param err  "FILE:LINE: what is wrong" on failure
 * @return the profile (free with profile_free), or NULL.
 */
struct profile *profile_load(const char *name_or_path, char *err,
                             size_t errlen);

struct profile *profile_load_string(const char *name, const char *text,
                                    char *err, size_t errlen);

void profile_free(struct profile *p);

/** The role of that name, or NULL. */
const struct profile_role *profile_role(const struct profile *p,
                                        const char *name);

/**
 * The programs expected on a port of a node made of these sections
 * ([all] first, then its roles): every program the sections' holders
 * name for the port's service, or with "*" in a section that lists the
 * port itself, each once, blank-separated, in profile order.
 * @return a new string (caller frees), or NULL when no section names
 *         any (the built-in table of services.c is then the fallback).
 */
char *profile_holders_of(const struct profile_role *const *roles, size_t nroles,
                         const char *service, uint16_t port);

/** The role of p nearest to a misspelt name, or NULL if none is close. */
const char *profile_role_suggest(const struct profile *p, const char *name);

/** The role names of p, "mta, proxy, ..." ("none" without any), cut to len. */
void profile_role_names(const struct profile *p, char *buf, size_t len);

/**
 * The directory profiles are read from: MAILREADY_PROFILE_DIR, else the
 * one of --profile-dir, else the installed one, else (a binary run from
 * its build tree) the source tree's checks/profiles.
 */
const char *profile_dir(void);

/** --profile-dir: where named profiles are (kept, not copied). */
void profile_set_dir(const char *dir);

#endif
