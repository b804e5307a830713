/*
 * probe.h -- the interface between the run loop and the probes.
 *
 * A probe is a small state machine started on the shared event loop. It
 * never blocks: it asks for DNS answers or connections, returns, and is
 * called back. It ends exactly once, with probe_finish(); after that the
 * loop calls its cleanup hook and frees its state. If the probe's timeout
 * or the run's deadline comes first, the loop ends it (status unknown,
 * message naming what it was waiting for) and calls cleanup the same way.
 */
#ifndef MAILREADY_PROBE_H
#define MAILREADY_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "mailready/result.h"
#include "mailready/status.h"

struct probe;
struct plan_item;
struct run;

struct probe_ops {
	/* Bytes of per-instance state, allocated zeroed before start. */
	size_t state_size;
	/* Begin: ask for what is needed, or finish at once. */
	void (*start)(struct probe *p);
	/*
	 * Release what is still pending (DNS requests, sockets, timers).
	 * Called once, after the probe finished or was ended by a timeout.
	 * May be NULL when the probe holds nothing.
	 */
	void (*cleanup)(struct probe *p);
	/*
	 * The probe times each of its phases itself (a mail session: "no
	 * greeting within 5 s"); the loop then applies only the run's
	 * deadline, not the per-probe timeout.
	 */
	bool own_timeouts;
};

/** The probe's zeroed private state (ops->state_size bytes). */
void *probe_state(struct probe *p);

/** What to check: node, domain, target, port. */
const struct plan_item *probe_item(const struct probe *p);

/** The run: event base, config, DNS views, network policy. */
struct run *probe_run(const struct probe *p);

/** The result being built (add metrics to it; set status by finishing). */
struct mr_result *probe_result(struct probe *p);

/**
 * Say what the probe now waits for ("PTR of 203.0.113.10 from the outside
 * resolvers"), so that a timeout message can name it.
 */
void probe_waiting(struct probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * End the probe with a status and message. Must be the probe's last action
 * on p: cleanup runs and the state is freed before this returns control to
 * the loop.
 */
void probe_finish(struct probe *p, enum mr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Milliseconds since the probe started. */
double probe_elapsed_ms(const struct probe *p);

#endif
