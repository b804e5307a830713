/*
 * health.h -- the cron job's memory: the statuses of the last run in a
 * state file, and what changed since. Quiet while nothing changed and all
 * pass; otherwise what changed and what fails (cron mails what is printed).
 */
#ifndef MAILREADY_HEALTH_H
#define MAILREADY_HEALTH_H

#include <stdbool.h>
#include <stdio.h>

#include "mailready/result.h"
#include "report/report.h"

struct health_change {
	char *key;      /* "node check target" as printed */
	bool was_known; /* false: first seen in this run */
	enum mr_status before;
	enum mr_status after; /* MR_SKIP with gone set: no longer checked */
	bool gone;
	const char *message; /* current message (borrowed), or NULL */
};

struct health_diff {
	bool first_run; /* no state file yet */
	char *since;    /* when the previous state was written */
	struct health_change *v;
	size_t n;
};

/**
 * Compare the results with the state file at path (a missing file is a
 * first run).
 * @return 0, or -1 with "path: why" in err (unreadable or not a state).
 */
int health_diff(const char *path, const struct mr_result_list *now,
                struct health_diff *d, char *err, size_t errlen);

/** Save the results as the new state, atomically (directory created). */
int health_save(const char *path, const struct mr_result_list *now, time_t when,
                char *err, size_t errlen);

/**
 * Print what a cron mail should say: nothing if nothing changed and all
 * pass; else the changes, then what fails now. Server text is escaped.
 */
void health_print(FILE *out, const struct health_diff *d,
                  const struct report *rep);

/** One syslog line per change (LOG_DAEMON, "mailready"). */
void health_syslog(const struct health_diff *d);

void health_diff_free(struct health_diff *d);

#endif
