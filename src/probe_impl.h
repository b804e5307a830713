/*
 * probe_impl.h -- the probe object, as the run loop sees it.
 */
#ifndef MAILREADY_PROBE_IMPL_H
#define MAILREADY_PROBE_IMPL_H

#include <sys/time.h>

#include "mailready/codes.h"
#include "mailready/probe.h"

/*
 * At most this many findings of one code per check are listed; the rest
 * are counted in one closing finding of that code ("and 3990 more"), so
 * that a DNS answer of 4000 addresses cannot make 4000 lines.
 */
#define PROBE_MAX_SAME_CODE 16

struct run;

struct probe {
	struct run *run;
	size_t index; /* plan item */
	const struct probe_ops *ops;
	struct mr_result *result;
	void *state;
	struct event *timer;
	struct timeval started;
	char *waiting;
	/* Findings past PROBE_MAX_SAME_CODE: counted per code, their worst
	   severity kept; written into a scratch result, never reported. */
	unsigned *excess;
	enum mr_status *excess_worst;
	struct mr_result *scratch;
	struct probe *next; /* the run's list of running probes (loop.c) */
	struct probe *prev;
};

void probe_start(struct probe *p);

/** What the probe waits for now, or NULL (progress display). */
const char *probe_waiting_for(const struct probe *p);

#endif
