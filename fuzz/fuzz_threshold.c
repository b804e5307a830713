/*
 * fuzz_threshold.c -- threshold and range syntax (threshold.c): the
 * Monitoring Plugins ranges ("10", "10:", "~:10", "10:20", "@10:20") and
 * the -w/-c lists ("time=RANGE,cert=DAYS") the command line takes.
 *
 * Input: the first line is a -w value, the second a -c value; the whole
 * first line is also read as one range.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "threshold.h"

static void
probe_range(const struct mr_range *r)
{
	static const double values[] = {0, -1, 0.5, 10, 1e9, -1e9};

	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++)
		range_alerts(r, values[i]);
	range_alerts(r, NAN);
	if (!r->set)
		return;
	assert(strlen(r->text) < sizeof(r->text));
	assert(isfinite(r->start) && isfinite(r->end));
	if (!r->no_start && !r->no_end)
		assert(r->start <= r->end);
	/* A bound is within the range: it alerts only for '@'. */
	if (!r->no_start)
		assert(range_alerts(r, r->start) == r->inside);
	if (!r->no_end)
		assert(range_alerts(r, r->end) == r->inside);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	char *crit = strchr(text, '\n');
	struct thresholds t;
	struct mr_range r;
	char err[256];

	if (crit != NULL)
		*crit++ = '\0';
	err[0] = '\0';
	if (range_parse(text, &r, err, sizeof(err)) < 0)
		assert(err[0] != '\0' && !r.set);
	probe_range(&r);
	thresholds_look_like(text);
	thresholds_init(&t);
	if (thresholds_parse(text, false, &t, err, sizeof(err)) == 0)
		assert(t.cert_warn_days >= -1 && t.cert_warn_days <= 3650);
	if (crit != NULL &&
	    thresholds_parse(crit, true, &t, err, sizeof(err)) == 0)
		assert(t.cert_crit_days >= -1 && t.cert_crit_days <= 3650);
	probe_range(&t.time_warn);
	probe_range(&t.time_crit);
	free(text);
	return 0;
}
