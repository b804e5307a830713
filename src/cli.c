/*
 * cli.c -- command-line parsing (getopt_long) and its overrides of the
 * config.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build_config.h"
#include "cli.h"
#include "names.h"
#include "xmalloc.h"

enum {
	OPT_INSIDE = 256,
	OPT_OUTSIDE,
	OPT_ROOT_HINTS,
	OPT_CA_FILE,
	OPT_ALLOW_NET,
	OPT_PUBLIC_NET,
	OPT_PROBE_TIMEOUT,
	OPT_PARALLEL,
	OPT_ONLY,
	OPT_SKIP,
	OPT_SELF,
	OPT_PROFILE,
	OPT_PUBLIC,
	OPT_INTERNAL,
	OPT_NO_COLOR,
	OPT_CRITICAL,
	OPT_TIMEOUT_STATE,
	OPT_STATE,
	OPT_PROMETHEUS,
	OPT_SYSLOG,
	OPT_VANTAGE,
	OPT_REMIND,
	OPT_DRY_RUN,
	OPT_CODES,
	OPT_PROFILE_DIR,
	OPT_INSTALLED,
	OPT_GREETING_TIMEOUT,
};

static const struct option long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"host", required_argument, NULL, 'H'},
	{"role", required_argument, NULL, 'r'},
	{"public", required_argument, NULL, OPT_PUBLIC},
	{"internal", required_argument, NULL, OPT_INTERNAL},
	{"domain", required_argument, NULL, 'd'},
	{"profile", required_argument, NULL, OPT_PROFILE},
	{"inside-resolver", required_argument, NULL, OPT_INSIDE},
	{"outside-resolver", required_argument, NULL, OPT_OUTSIDE},
	{"root-hints", required_argument, NULL, OPT_ROOT_HINTS},
	{"ca-file", required_argument, NULL, OPT_CA_FILE},
	{"allow-net", required_argument, NULL, OPT_ALLOW_NET},
	{"public-net", required_argument, NULL, OPT_PUBLIC_NET},
	{"timeout", required_argument, NULL, 't'},
	{"probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT},
	{"parallel", required_argument, NULL, OPT_PARALLEL},
	{"format", required_argument, NULL, 'f'},
	{"only", required_argument, NULL, OPT_ONLY},
	{"skip", required_argument, NULL, OPT_SKIP},
	{"self", required_argument, NULL, OPT_SELF},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, OPT_CRITICAL},
	{"timeout-state", required_argument, NULL, OPT_TIMEOUT_STATE},
	{"state", required_argument, NULL, OPT_STATE},
	{"prometheus", required_argument, NULL, OPT_PROMETHEUS},
	{"syslog", no_argument, NULL, OPT_SYSLOG},
	{"vantage", required_argument, NULL, OPT_VANTAGE},
	{"remind", required_argument, NULL, OPT_REMIND},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"codes", no_argument, NULL, OPT_CODES},
	{"address", required_argument, NULL, 'I'},
	{"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
	{"installed", no_argument, NULL, OPT_INSTALLED},
	{"greeting-timeout", required_argument, NULL, OPT_GREETING_TIMEOUT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void
cli_usage(FILE *out)
{
	fputs("mailready " MAILREADY_VERSION "\n"
	      "Tells whether every node of a mail cluster is ready: DNS (A/AAAA\n"
	      "inside and outside, PTR, MX, authoritative servers), ports, SMTP,\n"
	      "submission, SMTPS, IMAP(S), POP3(S) with STARTTLS and certificates.\n"
	      "\n"
	      "Usage:\n"
	      "  mailready preflight [-c FILE | -H FQDN -r ROLE] [OPTIONS]\n"
	      "  mailready check     [-c FILE | -H FQDN -r ROLE] [-w T] [-c T] [OPTIONS]\n"
	      "  mailready health    [-c FILE] [--state FILE] [--prometheus FILE]\n"
	      "                      [--syslog] [--remind DURATION] [OPTIONS]\n"
	      "  mailready report    [-f FORMAT] FILE.json...\n"
	      "  mailready list      [--codes] [-f json]\n"
	      "\n"
	      "Commands:\n"
	      " preflight   before installing, on the node itself: every failure with\n"
	      "             its fix, a verdict per node\n"
	      " check       Nagios-style plugin: status line, perfdata, long output\n"
	      " health      for cron or a systemd timer: quiet while nothing changed;\n"
	      "             otherwise what changed and what fails, since when\n"
	      " report      merge JSON results taken on several nodes or vantage\n"
	      "             points into one report\n"
	      " list        the catalogue of checks (--codes: of finding codes)\n"
	      "\n"
	      "Options:\n"
	      " -c, --config FILE\n"
	      "    Cluster file (mailready.conf(5)). A value in range syntax is a\n"
	      "    critical threshold instead (see -c below).\n"
	      " -H, --host FQDN\n"
	      "    Check only this node (added when not in the cluster file).\n"
	      " -I, --address ADDR\n"
	      "    Connect to this address for the -H node's ports (Nagios:\n"
	      "    -H $HOSTNAME$ -I $HOSTADDRESS$); repeatable.\n"
	      " -r, --role ROLE[,ROLE]\n"
	      "    Roles of the -H node (repeatable).\n"
	      " --public ADDR, --internal ADDR\n"
	      "    Addresses of the -H node, or of this host in preflight\n"
	      "    without -c (repeatable).\n"
	      " -d, --domain DOMAIN\n"
	      "    Mail domain to check (repeatable).\n"
	      " --profile NAME|FILE\n"
	      "    Role profile: carbonio, mail, or a file.\n"
	      " --profile-dir DIR\n"
	      "    Where named profiles are (default: the installed ones).\n"
	      " --inside-resolver system|ADDR[,ADDR]\n"
	      " --outside-resolver iterate|system|ADDR[,ADDR]\n"
	      " --root-hints FILE, --ca-file FILE\n"
	      " --allow-net CIDR[,CIDR]\n"
	      "    Send nothing outside these networks.\n"
	      " --public-net default|CIDR[,CIDR]\n"
	      "    Networks that count as public.\n"
	      " -w, --warning THRESHOLDS\n"
	      " -c, --critical THRESHOLDS\n"
	      "    A range in the Monitoring Plugins syntax (10, 10:, ~:10, @10:20)\n"
	      "    is the response time of each service in seconds; or a list\n"
	      "    time=RANGE,cert=DAYS: -w cert=30 -c cert=7 warn at 30 days left\n"
	      "    or fewer, critical at 7 or fewer (each keeps the other's value\n"
	      "    from the config: cert_warn_days, cert_crit_days).\n"
	      " -t, --timeout SECONDS\n"
	      "    Deadline of the whole run (default 20); no step outlasts it.\n"
	      " --timeout-state ok|warning|critical|unknown\n"
	      "    Status of checks the deadline cuts short (default unknown).\n"
	      " --probe-timeout SECONDS\n"
	      "    Timeout of each step of a check (default 5).\n"
	      " --greeting-timeout SECONDS\n"
	      "    How long a greeting may take: greet pauses are normal on\n"
	      "    port 25 (default 12).\n"
	      " --installed\n"
	      "    preflight: the node is installed; its services must answer.\n"
	      " --parallel N\n"
	      "    Checks running at once (default 64).\n"
	      " -f, --format text|json|nagios|prometheus\n"
	      "    Output (check: nagios; others: text).\n"
	      " --only GLOB, --skip GLOB\n"
	      "    Run only / leave out checks whose id matches (repeatable).\n"
	      " --self FQDN\n"
	      "    This host is node FQDN (on-node checks); a node of the run.\n"
	      " --vantage NAME\n"
	      "    Where this run looks from (default: this host's name); report\n"
	      "    keeps the same check seen from two vantage points apart.\n"
	      " --state FILE\n"
	      "    health: where the last run is kept (default " MAILREADY_STATE_DIR
	      "/state.json).\n"
	      " --prometheus FILE\n"
	      "    Also write metrics for node_exporter's textfile collector.\n"
	      " --syslog\n"
	      "    health: one syslog line per status change.\n"
	      " --remind DURATION\n"
	      "    health: tell again what still fails, at most this often\n"
	      "    (90m, 12h, 1d; default: only on a change).\n"
	      " --dry-run\n"
	      "    Print every address, port and DNS server the run would\n"
	      "    contact, with the allow_networks verdict; send nothing.\n"
	      " --no-color\n"
	      "    No colours (also when NO_COLOR is set).\n"
	      " -v, --verbose\n"
	      " -h, --help\n"
	      " -V, --version\n"
	      "\n"
	      "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also bad usage).\n"
	      "Environment: MAILREADY_ALLOW_NETWORKS narrows --allow-net; NO_COLOR.\n"
	      "See mailready(1) and mailready.conf(5).\n",
	      out);
}

static void
strv_push(struct strv *s, const char *v)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = xstrdup(v);
}

/* "a, b c" -> each item, for options that take lists. */
static void
strv_push_list(struct strv *s, const char *v)
{
	char *copy = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(copy, ", \t", &save); t;
	     t = strtok_r(NULL, ", \t", &save))
		strv_push(s, t);
	free(copy);
}

static void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
parse_seconds(const char *opt, const char *v, double *out, char *err,
              size_t errlen)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end != '\0' || errno || !(d > 0) || d > 3600) {
		snprintf(err, errlen,
		         "%s: '%s' is not a number of seconds (0 to 3600)", opt,
		         v);
		return -1;
	}
	*out = d;
	return 0;
}

/* "90", "90s", "30m", "12h", "1d", "1w": seconds. */
static int
parse_duration(const char *opt, const char *v, double *out, char *err,
               size_t errlen)
{
	static const struct {
		char unit;
		double secs;
	} units[] = {{'s', 1},
	             {'m', 60},
	             {'h', 3600},
	             {'d', 86400},
	             {'w', 7 * 86400}};
	char *end;

	errno = 0;
	double d = strtod(v, &end);
	double mult = *end == '\0' ? 1 : 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*end == units[i].unit && end[1] == '\0')
			mult = units[i].secs;
	if (end == v || mult == 0 || errno || !(d > 0) ||
	    d * mult > 366 * 86400.0) {
		snprintf(err, errlen,
		         "%s: '%s' is not a duration (90m, 12h, 1d; at most "
		         "a year)",
		         opt, v);
		return -1;
	}
	*out = d * mult;
	return 0;
}

static int
parse_threshold(struct cli *c, const char *arg, bool critical, char *err,
                size_t errlen)
{
	char why[200];
	if (thresholds_parse(arg, critical, &c->thresholds, why, sizeof(why)) <
	    0) {
		snprintf(err, errlen, "%s: %s", critical ? "-c" : "-w", why);
		return -1;
	}
	c->have_thresholds = true;
	return 0;
}

static int
parse_timeout_state(struct cli *c, const char *arg, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum mr_status st;
	} states[] = {
		{"ok", MR_PASS},
		{"warning", MR_WARN},
		{"critical", MR_FAIL},
		{"unknown", MR_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (strcasecmp(arg, states[i].name) == 0) {
			c->timeout_state = states[i].st;
			c->timeout_state_given = true;
			return 0;
		}
	}
	snprintf(
		err, errlen,
		"--timeout-state: '%s' is not ok, warning, critical or unknown",
		arg);
	return -1;
}

static int
parse_command(const char *s, struct cli *c, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum cli_command cmd;
	} cmds[] = {
		{"preflight", CMD_PREFLIGHT}, {"check", CMD_CHECK},
		{"health", CMD_HEALTH},       {"report", CMD_REPORT},
		{"list", CMD_LIST},           {"help", CMD_HELP},
		{"version", CMD_VERSION},
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(s, cmds[i].name) == 0) {
			c->cmd = cmds[i].cmd;
			return 0;
		}
	}
	snprintf(err, errlen,
	         "unknown command '%s' (preflight, check, health, report, "
	         "list)",
	         s);
	return -1;
}

static int
parse_option(int opt, const char *arg, struct cli *c, char *err, size_t errlen)
{
	char *end;

	switch (opt) {
	case 'c':
		/* -c is the plugins' critical threshold and our config file:
		 * a value in range syntax is the threshold. */
		if (thresholds_look_like(arg))
			return parse_threshold(c, arg, true, err, errlen);
		c->config_path = arg;
		break;
	case 'w':
		return parse_threshold(c, arg, false, err, errlen);
	case OPT_CRITICAL:
		return parse_threshold(c, arg, true, err, errlen);
	case OPT_TIMEOUT_STATE:
		return parse_timeout_state(c, arg, err, errlen);
	case OPT_STATE:
		c->state_path = arg;
		break;
	case OPT_PROMETHEUS:
		c->prometheus_path = arg;
		break;
	case OPT_SYSLOG:
		c->syslog = true;
		break;
	case OPT_VANTAGE:
		c->vantage = arg;
		break;
	case OPT_REMIND:
		return parse_duration("--remind", arg, &c->remind_s, err,
		                      errlen);
	case OPT_DRY_RUN:
		c->dry_run = true;
		break;
	case OPT_CODES:
		c->codes = true;
		break;
	case 'H':
		c->host = arg;
		break;
	case 'I':
		strv_push_list(&c->addresses, arg);
		break;
	case OPT_PROFILE_DIR:
		c->profile_dir = arg;
		break;
	case OPT_INSTALLED:
		c->installed = true;
		break;
	case OPT_GREETING_TIMEOUT:
		return parse_seconds("--greeting-timeout", arg,
		                     &c->greeting_timeout_s, err, errlen);
	case 'r':
		strv_push_list(&c->roles, arg);
		break;
	case OPT_PUBLIC:
		strv_push_list(&c->publics, arg);
		break;
	case OPT_INTERNAL:
		strv_push_list(&c->internals, arg);
		break;
	case 'd':
		strv_push_list(&c->domains, arg);
		break;
	case OPT_PROFILE:
		c->profile = arg;
		break;
	case OPT_INSIDE:
		c->inside = arg;
		break;
	case OPT_OUTSIDE:
		c->outside = arg;
		break;
	case OPT_ROOT_HINTS:
		c->root_hints = arg;
		break;
	case OPT_CA_FILE:
		c->ca_file = arg;
		break;
	case OPT_ALLOW_NET:
		c->allow_nets = arg;
		break;
	case OPT_PUBLIC_NET:
		c->public_nets = arg;
		break;
	case 't':
		return parse_seconds("--timeout", arg, &c->timeout_s, err,
		                     errlen);
	case OPT_PROBE_TIMEOUT:
		return parse_seconds("--probe-timeout", arg,
		                     &c->probe_timeout_s, err, errlen);
	case OPT_PARALLEL: {
		errno = 0;
		unsigned long n = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || errno || n == 0 ||
		    n > 4096) {
			snprintf(err, errlen,
			         "--parallel: '%s' is not a number from 1 to "
			         "4096",
			         arg);
			return -1;
		}
		c->parallel = (unsigned)n;
		break;
	}
	case 'f':
		c->format_given = true;
		if (strcmp(arg, "text") == 0)
			c->format = FORMAT_TEXT;
		else if (strcmp(arg, "json") == 0)
			c->format = FORMAT_JSON;
		else if (strcmp(arg, "nagios") == 0)
			c->format = FORMAT_NAGIOS;
		else if (strcmp(arg, "prometheus") == 0)
			c->format = FORMAT_PROMETHEUS;
		else {
			snprintf(err, errlen,
			         "--format: '%s' is not text, json, nagios or "
			         "prometheus",
			         arg);
			return -1;
		}
		break;
	case OPT_ONLY:
		strv_push_list(&c->only, arg);
		break;
	case OPT_SKIP:
		strv_push_list(&c->skip, arg);
		break;
	case OPT_SELF:
		c->self = arg;
		break;
	case OPT_NO_COLOR:
		c->no_color = true;
		break;
	case 'v':
		c->verbose = true;
		break;
	case 'h':
		c->cmd = CMD_HELP;
		break;
	case 'V':
		c->cmd = CMD_VERSION;
		break;
	default:
		snprintf(err, errlen, "unknown option (see mailready --help)");
		return -1;
	}
	return 0;
}

int
cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	int opt;
	enum cli_command forced = CMD_NONE;

	memset(c, 0, sizeof(*c));
	thresholds_init(&c->thresholds);
	c->parallel = 64;
	c->timeout_state = MR_UNKNOWN;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":c:H:I:r:d:t:f:w:vhV", long_opts,
	                          NULL)) != -1) {
		if (opt == '?') {
			snprintf(err, errlen, "unknown option '%s'",
			         argv[optind - 1]);
			return -1;
		}
		if (opt == ':') {
			snprintf(err, errlen, "option '%s' needs a value",
			         argv[optind - 1]);
			return -1;
		}
		if (parse_option(opt, optarg, c, err, errlen) < 0)
			return -1;
		if (c->cmd == CMD_HELP || c->cmd == CMD_VERSION)
			forced = c->cmd;
	}
	if (optind < argc) {
		if (parse_command(argv[optind++], c, err, errlen) < 0)
			return -1;
	}
	for (; optind < argc; optind++) {
		if (c->cmd != CMD_REPORT) {
			snprintf(err, errlen, "unexpected argument '%s'",
			         argv[optind]);
			return -1;
		}
		strv_push(&c->files, argv[optind]);
	}
	if (forced != CMD_NONE)
		c->cmd = forced;
	if (c->cmd == CMD_NONE) {
		snprintf(err, errlen,
		         "no command given (preflight, check, health, report, "
		         "list); see mailready --help");
		return -1;
	}
	if (c->cmd == CMD_REPORT && c->files.n == 0) {
		snprintf(err, errlen, "report needs one or more JSON files");
		return -1;
	}
	/* preflight without a file describes this host, as -H would. */
	if (c->host == NULL && !cli_local_node(c) &&
	    (c->roles.n || c->publics.n || c->internals.n || c->addresses.n)) {
		snprintf(err, errlen,
		         "--role, --public, --internal and -I describe the -H "
		         "node; give -H FQDN");
		return -1;
	}
	struct mr_addr a;
	if (c->host != NULL && mr_addr_parse(c->host, &a) == 0) {
		snprintf(err, errlen,
		         "-H takes the node's FQDN, not the address %s: give "
		         "the name with -H and the address with -I (Nagios: "
		         "-H $HOSTNAME$ -I $HOSTADDRESS$)",
		         c->host);
		return -1;
	}
	return 0;
}

bool
cli_local_node(const struct cli *c)
{
	return c->cmd == CMD_PREFLIGHT && c->config_path == NULL &&
	       c->host == NULL;
}

enum run_mode
cli_mode(const struct cli *c)
{
	switch (c->cmd) {
	case CMD_PREFLIGHT:
		return MODE_PREFLIGHT;
	case CMD_HEALTH:
		return MODE_HEALTH;
	default:
		return MODE_CHECK;
	}
}

static int
add_addrs(const struct strv *s, struct mr_addr **v, size_t *n, const char *opt,
          char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n; i++) {
		struct mr_addr a;
		if (mr_addr_parse(s->v[i], &a) < 0) {
			snprintf(err, errlen, "%s: '%s' is not an address", opt,
			         s->v[i]);
			return -1;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = a;
	}
	return 0;
}

/* --role, --public, --internal, -I: what the command line says of n. */
static int
apply_node(const struct cli *c, struct mr_node *n, char *err, size_t errlen)
{
	if (c->roles.n) {
		for (size_t i = 0; i < n->nroles; i++)
			free(n->roles[i]);
		n->nroles = 0;
		for (size_t i = 0; i < c->roles.n; i++)
			mr_node_add_role(n, c->roles.v[i]);
	}
	if (c->publics.n) {
		n->npublic = 0;
		if (add_addrs(&c->publics, &n->public_addrs, &n->npublic,
		              "--public", err, errlen) < 0)
			return -1;
	}
	if (c->internals.n) {
		n->ninternal = 0;
		if (add_addrs(&c->internals, &n->internal_addrs, &n->ninternal,
		              "--internal", err, errlen) < 0)
			return -1;
	}
	if (c->addresses.n) {
		n->nconnect = 0;
		if (add_addrs(&c->addresses, &n->connect_addrs, &n->nconnect,
		              "-I", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Keep only the -H node: a single-node run. */
static int
apply_host(const struct cli *c, struct mr_config *cfg, char *err, size_t errlen)
{
	/* The rules of [node NAME] in the file, for -H too. */
	char *norm = name_normalize(c->host);
	const char *why = mr_node_name_problem(norm);
	free(norm);
	if (why != NULL) {
		snprintf(err, errlen, "-H: '%s' %s: give the node's FQDN",
		         c->host, why);
		return -1;
	}
	struct mr_node *n = mr_config_node(cfg, c->host);
	if (n == NULL) {
		n = mr_config_add_node(cfg, c->host);
		if (n == NULL) {
			snprintf(err, errlen, "-H: bad node name '%s'",
			         c->host);
			return -1;
		}
	}
	if (apply_node(c, n, err, errlen) < 0)
		return -1;
	/* Move the node to the front and drop the others. */
	struct mr_node keep = *n;
	for (size_t i = 0; i < cfg->nnodes; i++) {
		struct mr_node *o = &cfg->nodes[i];
		if (o != n)
			mr_node_clear(o);
	}
	cfg->nodes[0] = keep;
	cfg->nnodes = 1;
	mr_config_reindex(cfg);
	for (size_t i = 0; i < cfg->ndomains; i++)
		free(cfg->domains[i]);
	cfg->ndomains = 0;
	return 0;
}

static int
set_domains(const struct strv *s, struct mr_config *cfg, char *err,
            size_t errlen)
{
	for (size_t i = 0; i < s->n; i++) {
		char *d = name_normalize(s->v[i]);
		bool ok = mr_domain_name_ok(d);
		free(d);
		if (!ok) {
			snprintf(
				err, errlen,
				"-d: '%s' is not a domain name (letters, "
				"digits, '-', labels separated by single dots)",
				s->v[i]);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->ndomains; i++)
		free(cfg->domains[i]);
	free(cfg->domains);
	cfg->domains = xcalloc(s->n ? s->n : 1, sizeof(*cfg->domains));
	cfg->ndomains = 0;
	for (size_t i = 0; i < s->n; i++)
		cfg->domains[cfg->ndomains++] = name_normalize(s->v[i]);
	return 0;
}

static int
apply_networks(const struct cli *c, struct mr_config *cfg, char *err,
               size_t errlen)
{
	char why[256];

	if (c->allow_nets) {
		mr_cidr_list_free(&cfg->allow_networks);
		if (mr_cidr_list_parse(c->allow_nets, &cfg->allow_networks, why,
		                       sizeof(why)) < 0) {
			snprintf(err, errlen, "--allow-net: %s", why);
			return -1;
		}
	}
	if (c->public_nets) {
		mr_cidr_list_free(&cfg->public_networks);
		if (strcmp(c->public_nets, "default") == 0) {
			cfg->public_default = true;
		} else if (mr_cidr_list_parse(c->public_nets,
		                              &cfg->public_networks, why,
		                              sizeof(why)) < 0) {
			snprintf(err, errlen, "--public-net: %s", why);
			return -1;
		} else {
			cfg->public_default = false;
		}
	}
	return 0;
}

static int
apply_resolvers(const struct cli *c, struct mr_config *cfg, char *err,
                size_t errlen)
{
	char why[256];
	struct mr_resolvers rs;

	if (c->inside) {
		if (mr_resolvers_parse(c->inside, false, &rs, why,
		                       sizeof(why)) < 0) {
			snprintf(err, errlen, "--inside-resolver: %s", why);
			return -1;
		}
		free(cfg->inside.v);
		cfg->inside = rs;
	}
	if (c->outside) {
		if (mr_resolvers_parse(c->outside, true, &rs, why,
		                       sizeof(why)) < 0) {
			snprintf(err, errlen, "--outside-resolver: %s", why);
			return -1;
		}
		free(cfg->outside.v);
		cfg->outside = rs;
	}
	if (c->root_hints) {
		free(cfg->root_hints);
		cfg->root_hints = strcmp(c->root_hints, "builtin") == 0
		                          ? NULL
		                          : xstrdup(c->root_hints);
	}
	if (c->ca_file) {
		free(cfg->ca_file);
		cfg->ca_file = strcmp(c->ca_file, "system") == 0
		                       ? NULL
		                       : xstrdup(c->ca_file);
	}
	return 0;
}

int
cli_apply(const struct cli *c, struct mr_config *cfg, char *err, size_t errlen)
{
	if (c->profile) {
		free(cfg->profile);
		cfg->profile = xstrdup(c->profile);
	}
	if (apply_resolvers(c, cfg, err, errlen) < 0 ||
	    apply_networks(c, cfg, err, errlen) < 0)
		return -1;
	if (c->timeout_s > 0)
		cfg->timeout_s = c->timeout_s;
	if (c->probe_timeout_s > 0)
		cfg->probe_timeout_s = c->probe_timeout_s;
	if (c->greeting_timeout_s > 0)
		cfg->greeting_timeout_s = c->greeting_timeout_s;
	/* No step outlasts the whole run. */
	if (cfg->probe_timeout_s > cfg->timeout_s)
		cfg->probe_timeout_s = cfg->timeout_s;
	if (cfg->greeting_timeout_s > cfg->timeout_s)
		cfg->greeting_timeout_s = cfg->timeout_s;
	if (c->host && apply_host(c, cfg, err, errlen) < 0)
		return -1;
	if (cli_local_node(c) && cfg->nnodes == 1 &&
	    apply_node(c, &cfg->nodes[0], err, errlen) < 0)
		return -1;
	if (c->domains.n && set_domains(&c->domains, cfg, err, errlen) < 0)
		return -1;
	return 0;
}

void
cli_free(struct cli *c)
{
	strv_free(&c->roles);
	strv_free(&c->publics);
	strv_free(&c->internals);
	strv_free(&c->addresses);
	strv_free(&c->domains);
	strv_free(&c->only);
	strv_free(&c->skip);
	strv_free(&c->files);
}
