/*
 * status.c -- names, order and exit codes of check statuses.
 */
#include <string.h>

#include "mailready/status.h"

static const char *const names[MR_STATUS_COUNT] = {
	[MR_SKIP] = "skip", [MR_PASS] = "pass", [MR_UNKNOWN] = "unknown",
	[MR_WARN] = "warn", [MR_FAIL] = "fail",
};

static const char *const nagios[MR_STATUS_COUNT] = {
	[MR_SKIP] = "OK",      [MR_PASS] = "OK",       [MR_UNKNOWN] = "UNKNOWN",
	[MR_WARN] = "WARNING", [MR_FAIL] = "CRITICAL",
};

const char *
mr_status_name(enum mr_status s)
{
	return (unsigned)s < MR_STATUS_COUNT ? names[s] : "invalid";
}

const char *
mr_status_nagios(enum mr_status s)
{
	return (unsigned)s < MR_STATUS_COUNT ? nagios[s] : "UNKNOWN";
}

int
mr_status_parse(const char *name, enum mr_status *out)
{
	for (int i = 0; i < MR_STATUS_COUNT; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum mr_status)i;
			return 0;
		}
	}
	return -1;
}

enum mr_status
mr_status_worst(enum mr_status a, enum mr_status b)
{
	return a > b ? a : b;
}

int
mr_status_exit_code(enum mr_status s)
{
	switch (s) {
	case MR_SKIP:
	case MR_PASS:
		return 0;
	case MR_WARN:
		return 1;
	case MR_FAIL:
		return 2;
	case MR_UNKNOWN:
		return 3;
	}
	return 3;
}
