/*
 * clock.h -- elapsed time for durations and metrics.
 */
#ifndef MAILREADY_CLOCK_H
#define MAILREADY_CLOCK_H

#include <sys/time.h>

/* Milliseconds since t0 (gettimeofday). */
static inline double
ms_since(const struct timeval *t0)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(now.tv_usec - t0->tv_usec) / 1000.0;
}

/* A timeval for a duration in seconds. */
static inline struct timeval
tv_from_seconds(double s)
{
	struct timeval tv;
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	return tv;
}

#endif
