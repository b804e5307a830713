/*
 * status.h -- the five outcomes of a check, their order and exit codes.
 *
 * Statuses are ordered by severity so that "the worst wins" is a max():
 * fail > warn > unknown > pass > skip (DESIGN.md).
 */
#ifndef MAILREADY_STATUS_H
#define MAILREADY_STATUS_H

enum mr_status {
	MR_SKIP = 0,
	MR_PASS,
	MR_UNKNOWN,
	MR_WARN,
	MR_FAIL,
};

#define MR_STATUS_COUNT 5

/** Lowercase name used in JSON and check ids: "pass", "fail", ... */
const char *mr_status_name(enum mr_status s);

/** Upper-case Nagios state word: OK, WARNING, CRITICAL, UNKNOWN. */
const char *mr_status_nagios(enum mr_status s);

/**
 * Parse a lowercase status name.
 * @return 0 and sets *out, or -1 if the name is not a status.
 */
int mr_status_parse(const char *name, enum mr_status *out);

/** The more severe of a and b. */
enum mr_status mr_status_worst(enum mr_status a, enum mr_status b);

/** Process exit code: 0 pass/skip, 1 warn, 2 fail, 3 unknown. */
int mr_status_exit_code(enum mr_status s);

/* Exit code for bad usage or a bad config, as for unknown. */
#define MR_EXIT_USAGE 3

#endif
