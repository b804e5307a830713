/*
 * cli.h -- the command line: parsed into a struct, then applied over the
 * config (command-line values win).
 */
#ifndef MAILREADY_CLI_H
#define MAILREADY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mailready/config.h"
#include "mailready/status.h"
#include "plan.h"
#include "threshold.h"

enum cli_command {
	CMD_NONE,
	CMD_PREFLIGHT,
	CMD_CHECK,
	CMD_HEALTH,
	CMD_REPORT,
	CMD_LIST,
	CMD_HELP,
	CMD_VERSION,
};

enum cli_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_NAGIOS,
	FORMAT_PROMETHEUS,
};

struct strv {
	char **v;
	size_t n;
};

struct cli {
	enum cli_command cmd;
	const char *config_path;
	const char *host;
	struct strv roles;
	struct strv publics;
	struct strv internals;
	struct strv addresses; /* -I: where the -H node's ports are reached */
	struct strv domains;
	const char *profile;
	const char *inside;
	const char *outside;
	const char *root_hints;
	const char *ca_file;
	const char *allow_nets;
	const char *public_nets;
	const char *self;
	const char *vantage;       /* names this run in merged reports */
	double timeout_s;          /* 0: not given */
	double probe_timeout_s;    /* 0: not given */
	double greeting_timeout_s; /* 0: not given */
	const char *profile_dir;   /* --profile-dir */
	bool installed;            /* preflight --installed */
	unsigned parallel;
	enum cli_format format;
	bool format_given;
	struct strv only;
	struct strv skip;
	struct thresholds thresholds; /* -w / -c */
	bool have_thresholds;
	enum mr_status timeout_state;
	bool timeout_state_given;
	const char *state_path;      /* health --state */
	const char *prometheus_path; /* --prometheus */
	bool syslog;                 /* health --syslog */
	double remind_s;             /* health --remind; 0: never */
	bool dry_run; /* --dry-run: list contacts, send nothing */
	bool codes;   /* list --codes */
	bool no_color;
	bool verbose;
	struct strv files; /* report FILE... */
};

/**
 * Parse argv. @return 0, or -1 with "what is wrong" in err (exit 3).
 */
int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen);

/**
 * Apply the command line over the config: resolvers, networks, timeouts,
 * and the -H node (added when the config does not have it). With -H only
 * that node is checked, and domains come only from --domain.
 * @return 0, or -1 with the reason in err.
 */
int cli_apply(const struct cli *c, struct mr_config *cfg, char *err,
              size_t errlen);

void cli_free(struct cli *c);

void cli_usage(FILE *out);

enum run_mode cli_mode(const struct cli *c);

/**
 * preflight without -c or -H: the run checks this host as a single-server
 * install, and --role, --public, --internal and -I describe it.
 */
bool cli_local_node(const struct cli *c);

#endif
