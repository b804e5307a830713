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
	struct probe *next; /* run's active list */
	struct probe *prev;
};

void probe_start(struct probe *p);

#endif
