/*
 * main.c -- command dispatch: config + profile -> plan -> run -> report.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "build_config.h"
#include "catalog.h"
#include "cli.h"
#include "dns/dns.h"
#include "dryrun.h"
#include "list.h"
#include "localnode.h"
#include "loop.h"
#include "netpolicy.h"
#include "output.h"
#include "policy.h"
#include "plan.h"
#include "profile.h"
#include "report/merge.h"
#include "report/report.h"
#include "xmalloc.h"

static struct timeval process_start;

#if defined(__SANITIZE_ADDRESS__)
#define FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FREE_AT_EXIT 1
#endif
#endif
#ifndef FREE_AT_EXIT
#define FREE_AT_EXIT 0
#endif

static int report_written(int rc);

static int
usage_error(const char *msg)
{
	report_error("", msg);
	return MR_EXIT_USAGE;
}

static void
local_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

static int
cmd_list(const struct cli *c)
{
	if (c->format_given && c->format == FORMAT_JSON)
		return list_render_json(stdout) < 0 ? MR_EXIT_USAGE : 0;
	if (c->codes)
		return list_render_codes(stdout) < 0 ? MR_EXIT_USAGE : 0;
	return list_render_checks(stdout) < 0 ? MR_EXIT_USAGE : 0;
}

/*
 * With no config and no -H, preflight checks this host as a single-server
 * install: its name from the system, roles from the mail profile, and the
 * mail domain its name sits in.
 */
static int
default_local_node(struct mr_config *cfg, const char *host, char *err,
                   size_t errlen)
{
	free(cfg->profile);
	cfg->profile = xstrdup("mail");
	if (mr_config_add_node(cfg, host) == NULL) {
		snprintf(err, errlen, "bad local host name '%s'", host);
		return -1;
	}
	const char *dot = strchr(host, '.');
	if (dot && strchr(dot + 1, '.')) {
		cfg->domains = xcalloc(1, sizeof(*cfg->domains));
		cfg->domains[0] = xstrdup(dot + 1);
		cfg->ndomains = 1;
	}
	return 0;
}

static struct mr_config *
load_config(const struct cli *c, const char *host, char *err, size_t errlen)
{
	struct mr_config *cfg;

	if (c->config_path) {
		cfg = mr_config_load(c->config_path, err, errlen);
		if (cfg == NULL)
			return NULL;
	} else {
		cfg = mr_config_new_default();
		if (c->host == NULL) {
			if (c->cmd != CMD_PREFLIGHT) {
				snprintf(err, errlen,
				         "nothing to check: give -c FILE or "
				         "-H FQDN (see mailready --help)");
				mr_config_free(cfg);
				return NULL;
			}
			/* --self: this host is to be that node. */
			if (default_local_node(cfg, c->self ? c->self : host,
			                       err, errlen) < 0) {
				mr_config_free(cfg);
				return NULL;
			}
		} else if (c->profile == NULL) {
			free(cfg->profile);
			cfg->profile = xstrdup("mail");
		}
	}
	if (cli_apply(c, cfg, err, errlen) < 0) {
		mr_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Merge JSON results of several runs into one report. */
static int
cmd_report(const struct cli *c)
{
	struct merge m = {0};
	char err[600];

	for (size_t i = 0; i < c->files.n; i++) {
		if (merge_add_file(&m, c->files.v[i], err, sizeof(err)) < 0) {
			merge_free(&m);
			return usage_error(err);
		}
	}
	struct report *rep = report_build(m.cfg, &m.results, "report",
	                                  strbuf_str(&m.vantages), m.started_at,
	                                  m.duration_ms);
	int rc = output_report(c, rep, &m.results);
	report_free(rep);
	merge_free(&m);
	return rc;
}

/*
 * On a terminal, a run that takes more than a second says what it still
 * waits for, on one line of stderr that is cleared at the end.
 */
static void
show_progress(const struct run *r, void *arg)
{
	struct winsize ws;
	char line[1024], waiting[800];
	int width = 80;

	if (run_elapsed_ms(r) < 1000.0)
		return;
	if (r->finished == r->plan->n || r->active == NULL) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	run_waiting(r, waiting, sizeof(waiting));
	snprintf(line, sizeof(line),
	         "mailready: %zu of %zu checks done; waiting for %zu: %s",
	         r->finished, r->plan->n, r->running, waiting);
	char *esc = report_escape(line, false);
	/* One line, or the terminal scrolls at each update. */
	size_t n = strlen(esc);
	if (n > (size_t)width - 1)
		n = (size_t)width - 1;
	while (n > 0 && ((unsigned char)esc[n] & 0xc0) == 0x80)
		n--;
	fprintf(stderr, "\r\033[K%.*s", (int)n, esc);
	free(esc);
}

static int
run_checks(const struct cli *c, struct mr_config *cfg, const char *host)
{
	char err[512];
	struct netpolicy np;
	struct plan plan = {0};
	struct run run;
	struct mr_result_list results = {0};
	int rc = MR_EXIT_USAGE;

	if (c->profile_dir != NULL)
		profile_set_dir(c->profile_dir);
	struct profile *prof = profile_load(cfg->profile, err, sizeof(err));
	if (prof == NULL)
		return usage_error(err);
	/* A node given no roles has the profile's defaults, in reports too. */
	for (size_t i = 0; i < cfg->nnodes; i++) {
		if (cfg->nodes[i].nroles > 0)
			continue;
		for (size_t k = 0; k < prof->ndefault_roles; k++)
			mr_node_add_role(&cfg->nodes[i],
			                 prof->default_roles[k]);
	}
	struct localnode ln;
	if (localnode_init(&ln, c, cfg, host, err, sizeof(err)) < 0 ||
	    netpolicy_init(&np, cfg, getenv(NETPOLICY_ENV), err, sizeof(err)) <
	            0) {
		localnode_free(&ln);
		profile_free(prof);
		return usage_error(err);
	}
	struct plan_opts po = {
		.mode = cli_mode(c),
		.self = ln.self,
		.not_a_node = ln.not_a_node,
		.only = c->only.v,
		.nonly = c->only.n,
		.skip = c->skip.v,
		.nskip = c->skip.n,
		.installed = c->installed,
	};
	if (plan_build(cfg, prof, &po, &plan, err, sizeof(err)) < 0) {
		usage_error(err);
		goto out;
	}
	if (c->dry_run) {
		rc = 0;
		if (dryrun_print(stdout, cfg, &np, &plan, err, sizeof(err)) < 0)
			rc = usage_error(err);
		goto out;
	}
	if (run_init(&run, cfg, &np, &plan, c->parallel, err, sizeof(err)) <
	    0) {
		usage_error(err);
		goto out;
	}
	run.origin = process_start;
	if (isatty(STDERR_FILENO) && c->format == FORMAT_TEXT) {
		run.on_progress = show_progress;
	}
	time_t started = time(NULL);
	run_execute(&run);
	double ms = run_elapsed_ms(&run);
	run_take_results(&run, &results);
	struct policy pol;
	policy_init(&pol, cfg, &c->thresholds, c->timeout_state,
	            c->timeout_state_given);
	policy_apply(&pol, &results);

	struct report *rep =
		report_build(cfg, &results, run_mode_name(po.mode),
	                     c->vantage ? c->vantage : host, started, ms);
	localnode_report(&ln, rep);
	policy_perf_thresholds(&pol, "time", rep->time_thresholds);
	policy_perf_thresholds(&pol, "cert_days_left", rep->cert_thresholds);
	rc = output_report(c, rep, &results);
	/* The report is out; what is left is freeing, which only the
	   sanitizer builds need (to prove every allocation has an owner):
	   50,000 results take a quarter of a second to free. */
	if (!FREE_AT_EXIT) {
		fflush(stdout);
		_exit(report_written(rc));
	}
	run_free(&run);
	report_free(rep);
	mr_result_list_clear(&results);
out:
	plan_free(&plan);
	netpolicy_free(&np);
	localnode_free(&ln);
	profile_free(prof);
	return rc;
}

/*
 * A report that did not reach its reader (a full disk, a closed pipe) is
 * lost: say so and exit UNKNOWN, whatever the checks found.
 */
static int
report_written(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "mailready: the output could not be written: %s\n",
	        strerror(errno ? errno : EIO));
	/* Nothing more is written there at exit. */
	fclose(stdout);
	return 3;
}

int
main(int argc, char **argv)
{
	struct cli c;
	char err[512], host[256];

	/* -t counts from here: reading the config and planning are part
	   of the run an engine waits for. */
	gettimeofday(&process_start, NULL);
	/* A server that closes first must be an EPIPE of that check, not
	   the death of the run (OpenSSL writes with plain write()). */
	signal(SIGPIPE, SIG_IGN);
	if (cli_parse(argc, argv, &c, err, sizeof(err)) < 0) {
		cli_free(&c);
		return usage_error(err);
	}
	int rc = 0;
	switch (c.cmd) {
	case CMD_HELP:
		cli_usage(stdout);
		break;
	case CMD_VERSION:
		printf("mailready %s\n", MAILREADY_VERSION);
		break;
	case CMD_LIST:
		rc = cmd_list(&c);
		break;
	case CMD_REPORT:
		rc = cmd_report(&c);
		break;
	default: {
		local_hostname(host, sizeof(host));
		struct mr_config *cfg = load_config(&c, host, err, sizeof(err));
		if (cfg == NULL) {
			rc = usage_error(err);
			break;
		}
		rc = run_checks(&c, cfg, host);
		mr_config_free(cfg);
		break;
	}
	}
	cli_free(&c);
	return report_written(rc);
}
