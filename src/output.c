/*
 * output.c -- rendering a finished report and the files it feeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic.h"
#include "build_config.h"
#include "health.h"
#include "output.h"

static enum cli_format
format_of(const struct cli *c)
{
	/* A plugin speaks Nagios unless told otherwise. */
	if (c->cmd == CMD_CHECK && !c->format_given)
		return FORMAT_NAGIOS;
	return c->format;
}

/* The terminal's width on a TTY, or COLUMNS; 0 (no wrapping) in a pipe,
   so that cron mail and files keep one problem per line. */
static int
output_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (cols != NULL && atoi(cols) >= 40)
		return atoi(cols);
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 0;
}

static int
render(const struct cli *c, const struct report *rep)
{
	switch (format_of(c)) {
	case FORMAT_JSON:
		return report_render_json(rep, stdout);
	case FORMAT_NAGIOS:
		return report_render_nagios(rep, stdout);
	case FORMAT_PROMETHEUS:
		return report_render_prometheus(rep, stdout);
	case FORMAT_TEXT: {
		struct text_opts o = {
			.color = !c->no_color && getenv("NO_COLOR") == NULL &&
		                 isatty(STDOUT_FILENO),
			.verbose = c->verbose,
			.width = output_width(),
		};
		if (c->cmd == CMD_PREFLIGHT && !c->verbose)
			return report_render_preflight(rep, &o, stdout);
		return report_render_text(rep, &o, stdout);
	}
	}
	return 0;
}

static int
write_prometheus(void *arg, FILE *f)
{
	return report_render_prometheus(arg, f);
}

/*
 * health: compare with the last run, say what changed (cron mails it) or
 * remind of what still fails, remember this run. A state that cannot be
 * read or written makes the run unknown: the operator must hear of it.
 */
static int
health(const struct cli *c, const struct report *rep,
       const struct mr_result_list *results)
{
	const char *path = c->state_path ? c->state_path
	                                 : MAILREADY_STATE_DIR "/state.json";
	struct health_diff d;
	char err[600];
	int rc = mr_status_exit_code(rep->status);
	time_t when = rep->started_at;
	bool printed = false;

	if (health_diff(path, results, when, &d, err, sizeof(err)) < 0) {
		report_error("", err);
		return MR_EXIT_USAGE;
	}
	if (format_of(c) != FORMAT_TEXT) {
		render(c, rep);
	} else if (health_should_print(&d, rep, c->remind_s, when)) {
		health_print(stdout, &d, rep, when);
		printed = rep->status > MR_PASS;
	}
	if (c->syslog)
		health_syslog(&d, when);
	if (health_save(path, results, &d, when, printed, err, sizeof(err)) <
	    0) {
		report_error("cannot save the state: ", err);
		rc = MR_EXIT_USAGE;
	}
	health_diff_free(&d);
	return rc;
}

int
output_report(const struct cli *c, const struct report *rep,
              const struct mr_result_list *results)
{
	int rc = mr_status_exit_code(rep->status);
	char err[600];

	if (c->cmd == CMD_HEALTH)
		rc = health(c, rep, results);
	else
		render(c, rep);
	fflush(stdout);
	if (c->prometheus_path != NULL &&
	    atomic_write(c->prometheus_path, write_prometheus, (void *)rep, err,
	                 sizeof(err)) < 0) {
		report_error("cannot write metrics: ", err);
		rc = MR_EXIT_USAGE;
	}
	return rc;
}
