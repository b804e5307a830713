/*
 * probe_impl.h -- the probe object, as the run loop sees it.
 */
#ifndef MAILREADY_PROBE_IMPL_H
#define MAILREADY_PROBE_IMPL_H

#include <sys/time.h>

#include "mailready/probe.h"

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
	struct probe *next; /* the run's list of running probes (loop.c) */
	struct probe *prev;
};

void probe_start(struct probe *p);

/** What the probe waits for now, or NULL (progress display). */
const char *probe_waiting_for(const struct probe *p);

#endif
