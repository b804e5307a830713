/*
 * probe.h -- the interface between the run loop and the probes.
 *
 * A probe is a small state machine started on the shared event loop. It
 * never blocks: it asks for DNS answers or connections, returns, and is
 * called back. It ends exactly once, with probe_done(); after that the
 * loop calls its cleanup hook and frees its state. If the probe's timeout
 * or the run's deadline comes first, the loop ends it (a TIMEOUT or
 * DEADLINE finding naming what it was waiting for; policy decides its
 * severity) and calls cleanup the same way.
 */
#ifndef MAILREADY_PROBE_H
#define MAILREADY_PROBE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailready/codes.h"
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
	/*
	 * Its findings are one per configured item (net.internet: one per
	 * target), so their number is the config's: no PROBE_MAX_SAME_CODE
	 * bound, which is for what servers send.
	 */
	bool config_bounded;
	/*
	 * The run's deadline came: finish with what was seen if that is a
	 * verdict (call probe_done and return true: a session that only
	 * waits for the answer to its QUIT), else return false and the loop
	 * records DEADLINE. May be NULL.
	 */
	bool (*cut_short)(struct probe *p);
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
 * Record a finding: a code from codes.def, a severity and a message saying
 * what was found (no advice: put that in mr_finding_hint()). Add data with
 * mr_finding_set*(). The check's status will be its worst finding.
 */
struct mr_finding *probe_add(struct probe *p, enum mr_code code,
                             enum mr_status severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** probe_add() for helpers that take a format of their own. */
struct mr_finding *probe_addv(struct probe *p, enum mr_code code,
                              enum mr_status severity, const char *fmt,
                              va_list ap) __attribute__((format(printf, 4, 0)));

/**
 * End the probe with the findings recorded. Must be the probe's last
 * action on p: cleanup runs and the state is freed before this returns
 * control to the loop. A probe that recorded nothing is a bug (fatal).
 */
void probe_done(struct probe *p);

/** probe_add() then probe_done(): end with one more finding. */
void probe_finish(struct probe *p, enum mr_code code, enum mr_status severity,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/**
 * The same with a hint: the common case of a probe that ends on a
 * problem and says what to do about it.
 */
void probe_finish_hint(struct probe *p, enum mr_code code,
                       enum mr_status severity, const char *hint,
                       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** Milliseconds since the probe started. */
double probe_elapsed_ms(const struct probe *p);

#endif
