/*
 * threshold.h -- warning and critical thresholds in the Monitoring Plugins
 * range syntax (doc/developer-guidelines): "10" alerts outside 0..10,
 * "10:" below 10, "~:10" above 10, "10:20" outside 10..20, "@10:20"
 * inside 10..20.
 *
 * mailready takes -w/-c as a bare range (the response time of each
 * service, in seconds) or a list "time=RANGE,cert=DAYS". Certificate days
 * follow check_smtp -D and check_ssl_cert: -w cert=30 -c cert=7 warns at 30
 * days left or fewer and is critical at 7 or fewer ("30:" is read as 30,
 * the form of earlier versions).
 */
#ifndef MAILREADY_THRESHOLD_H
#define MAILREADY_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>

struct mr_range {
	bool set;
	bool inside;   /* '@': alert inside the range */
	bool no_start; /* '~': no lower bound */
	bool no_end;   /* "N:": no upper bound */
	double start;
	double end;
	char text[48]; /* as given, for perfdata */
};

/** Parse one range. @return 0, or -1 with the reason in err. */
int range_parse(const char *s, struct mr_range *r, char *err, size_t errlen);

/** Does value v raise an alert under r? (false when r is not set) */
bool range_alerts(const struct mr_range *r, double v);

struct thresholds {
	struct mr_range time_warn, time_crit; /* seconds */
	int cert_warn_days;                   /* -1: not given */
	int cert_crit_days;
};

/** No thresholds: ranges unset, days -1. */
void thresholds_init(struct thresholds *t);

/**
 * Parse a -w or -c value into t (the warn or crit half).
 * @return 0, or -1 with "what is wrong" in err.
 */
int thresholds_parse(const char *spec, bool critical, struct thresholds *t,
                     char *err, size_t errlen);

/** Is s written in range syntax (so that "-c 5" is not a file name)? */
bool thresholds_look_like(const char *s);

#endif
