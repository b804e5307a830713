/*
 * health.h -- the cron job's memory: the checks of the last run and their
 * findings in a state file, with since when each has been as it is; what
 * changed since; and when to remind of what still fails.
 *
 * Quiet while nothing changed; otherwise what changed and what does not
 * pass now, each problem with its code and since when it fails (cron
 * mails what is printed). With a reminder interval, what still fails is
 * told again at most that often.
 */
#ifndef MAILREADY_HEALTH_H
#define MAILREADY_HEALTH_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "mailready/result.h"
#include "report/report.h"

struct health_change {
	char *key;      /* "node check target" as printed */
	bool was_known; /* false: first seen in this run */
	enum mr_status before;
	enum mr_status after; /* MR_SKIP with gone set: no longer checked */
	bool gone;
	const struct mr_result *now; /* the check now (borrowed), or NULL */
	/* The codes of its problem findings now, "PTR_MISSING, ..." */
	char *codes;
	/* An acceptance of one of its findings ran out since the last run. */
	char *expired;
};

/* Since when a check, or one finding of it, has been as it is now. */
struct health_since {
	const struct mr_result *r;
	const char *code; /* NULL: the check's status */
	time_t since;
};

struct health_diff {
	bool first_run;     /* no state file yet */
	char *since;        /* when the previous state was written */
	time_t reminded_at; /* last time the failures were told; 0: never */
	struct health_change *v;
	size_t n;
	struct health_since *s; /* for every check and notable finding now */
	size_t ns;
	/* Where each result's entries start in s: open addressing on the
	   result's address, so lookups stay O(1) for large clusters. */
	const struct mr_result **slot_r;
	size_t *slot_i;
	size_t nslots;
};

/**
 * Compare the results with the state file at path (a missing file is a
 * first run); now is this run's time.
 * @return 0, or -1 with a one-line "path: why; how to start afresh" in err
 *         (unreadable or not a state file).
 */
int health_diff(const char *path, const struct mr_result_list *now, time_t when,
                struct health_diff *d, char *err, size_t errlen);

/** Since when the check (code NULL) or its finding has been as now. */
time_t health_since_of(const struct health_diff *d, const struct mr_result *r,
                       const char *code, time_t dflt);

/**
 * Should this run print? When something changed, or when something fails
 * and the last reminder (or change) is remind_s or more ago (remind_s 0:
 * never remind).
 */
bool health_should_print(const struct health_diff *d, const struct report *rep,
                         double remind_s, time_t when);

/**
 * Save the results as the new state, atomically (directory created).
 * printed: this run told the failures (the reminder clock restarts).
 */
int health_save(const char *path, const struct mr_result_list *now,
                const struct health_diff *d, time_t when, bool printed,
                char *err, size_t errlen);

/**
 * What a cron mail should say: the changes, then what does not pass now
 * with codes and since when. Server text is escaped.
 */
void health_print(FILE *out, const struct health_diff *d,
                  const struct report *rep, time_t when);

/** One syslog line per change, with its codes (LOG_DAEMON, "mailready"). */
void health_syslog(const struct health_diff *d, time_t when);

void health_diff_free(struct health_diff *d);

#endif
