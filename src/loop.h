/*
 * loop.h -- a run: the one event loop, the probes running on it, their
 * parallelism bound and the global deadline.
 */
#ifndef MAILREADY_LOOP_H
#define MAILREADY_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "mailready/config.h"
#include "mailready/result.h"
#include "dns/dns.h"
#include "netpolicy.h"
#include "plan.h"

struct probe;

struct fetch_svc;

struct run {
	struct event_base *base;
	const struct mr_config *cfg;
	struct netpolicy *np;
	struct dns *dns;
	SSL_CTX *ssl_ctx;        /* for every TLS probe: trust from ca_file */
	struct fetch_svc *fetch; /* HTTPS fetches; made at the first */
	char hostname[256];      /* this host, for EHLO */
	const struct plan *plan;
	struct mr_result **results; /* one per plan item, in plan order */
	size_t next;                /* next plan item to start */
	size_t running;
	size_t finished;
	unsigned parallel;
	double deadline_s;
	double probe_timeout_s;
	struct probe *active; /* running probes; only loop.c links them */
	struct event *deadline_ev;
	struct event *kick_ev;
	struct timeval started;
	/* When the deadline's clock began: the start of the process (its
	   config and plan count against -t), or run_execute when unset. */
	struct timeval origin;
	bool deadline_hit;
	/* Called twice a second while checks run, and once when all are
	   done (progress display); may be NULL. */
	void (*on_progress)(const struct run *r, void *arg);
	void *progress_arg;
	struct event *progress_ev;
};

/**
 * Prepare a run over a plan: creates the event base and the DNS views.
 * @return 0, or -1 with the reason in err (bad root hints, ...).
 */
int run_init(struct run *r, const struct mr_config *cfg, struct netpolicy *np,
             const struct plan *plan, unsigned parallel, char *err,
             size_t errlen);

/**
 * Run every check of the plan to completion or to the deadline. Afterwards
 * results[i] holds the result of plan item i.
 */
void run_execute(struct run *r);

/**
 * What the run still waits for, for people: "mail.pop3 on
 * proxy1.example.com (the greeting from 127.0.2.18 port 110); dns.auth on
 * example.com and 3 more" -- at most len bytes, cut at a check's end.
 */
void run_waiting(const struct run *r, char *buf, size_t len);

/**
 * A step's timeout within what is left of the run: want, or less so that
 * the step times out (and says so) just before the run's deadline would
 * cut it short. Never below 10 ms.
 */
double run_step_timeout(const struct run *r, double want_s);

/** The connect timeout every check uses (within the run, as above). */
double run_connect_timeout(const struct run *r);

/** Milliseconds since run_execute started. */
double run_elapsed_ms(const struct run *r);

/** Move the results into list (in plan order); the run keeps none. */
void run_take_results(struct run *r, struct mr_result_list *list);

void run_free(struct run *r);

/**
 * The run's HTTPS fetch service, set up at the first call.
 * @return NULL with the reason in err when libcurl cannot be set up.
 */
struct fetch_svc *run_fetch(struct run *r, char *err, size_t errlen);

/* Used by probe.c */
struct probe *probe_new(struct run *r, size_t item_index);
/* End a running probe now with a TIMEOUT or DEADLINE finding. */
void probe_cut_short(struct probe *p, enum mr_code code, const char *why);
/* A check ended (p is the probe that ran it, or NULL if none did). */
void run_probe_done(struct run *r, struct probe *p, size_t item_index,
                    struct mr_result *res);

#endif
