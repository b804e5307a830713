/*
 * threshold.c -- range syntax and -w/-c threshold lists.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threshold.h"
#include "xmalloc.h"

static bool
parse_number(const char *s, size_t len, double *out)
{
	char buf[40];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*out) &&
	       strspn(buf, "+-0123456789.") == len;
}

int
range_parse(const char *s, struct mr_range *r, char *err, size_t errlen)
{
	const char *p = s;
	const char *colon;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(r->text) || *s == '\0')
		goto bad;
	snprintf(r->text, sizeof(r->text), "%s", s);
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	colon = strchr(p, ':');
	/* ":" and "~:" bound nothing: a typo, not a threshold. */
	if (colon != NULL && colon[1] == '\0' &&
	    (colon == p || (colon == p + 1 && *p == '~')))
		goto bad;
	if (colon == NULL) {
		/* "10": 0..10 */
		r->start = 0;
		if (!parse_number(p, strlen(p), &r->end))
			goto bad;
	} else {
		if (colon == p + 1 && *p == '~')
			r->no_start = true;
		else if (colon == p)
			r->start = 0;
		else if (!parse_number(p, (size_t)(colon - p), &r->start))
			goto bad;
		if (colon[1] == '\0')
			r->no_end = true;
		else if (!parse_number(colon + 1, strlen(colon + 1), &r->end))
			goto bad;
	}
	if (!r->no_start && !r->no_end && r->start > r->end) {
		snprintf(err, errlen, "range '%s' starts above its end", s);
		return -1;
	}
	r->set = true;
	return 0;
bad:
	snprintf(err, errlen,
	         "'%s' is not a range (10, 10:, ~:10, 10:20 or @10:20)", s);
	return -1;
}

bool
range_alerts(const struct mr_range *r, double v)
{
	if (!r->set)
		return false;
	bool within =
		(r->no_start || v >= r->start) && (r->no_end || v <= r->end);
	return r->inside ? within : !within;
}

void
thresholds_init(struct thresholds *t)
{
	memset(t, 0, sizeof(*t));
	t->cert_warn_days = -1;
	t->cert_crit_days = -1;
}

/*
 * The shape of a threshold, valid or not ("10:5" is a range the wrong way
 * round, not a file name): then its parse error is the message, not "no
 * such file".
 */
bool
thresholds_look_like(const char *s)
{
	if (strncmp(s, "time=", 5) == 0 || strncmp(s, "cert=", 5) == 0)
		return true;
	if (*s == '@')
		s++;
	return *s != '\0' && strspn(s, "0123456789.:~-") == strlen(s) &&
	       strpbrk(s, "0123456789") != NULL;
}

/* "30" or "30:": whole days, 0 to 3650. */
static int
parse_days(const char *v, int *out, char *err, size_t errlen)
{
	char *end;
	long d;

	errno = 0;
	d = strtol(v, &end, 10);
	if (end != v && *end == ':' && end[1] == '\0')
		end++;
	if (end == v || *end != '\0' || errno != 0 || d < 0 || d > 3650 ||
	    !(*v >= '0' && *v <= '9')) {
		snprintf(err, errlen,
		         "cert=%s: give whole days (cert=30 alerts at 30 days "
		         "left or fewer)",
		         v);
		return -1;
	}
	*out = (int)d;
	return 0;
}

int
thresholds_parse(const char *spec, bool critical, struct thresholds *t,
                 char *err, size_t errlen)
{
	char *copy = xstrdup(spec), *save = NULL;
	int rc = 0;
	bool any = false;

	for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		struct mr_range *r;
		const char *value = item;
		char why[160];
		char *eq = strchr(item, '=');
		if (eq == NULL || strncmp(item, "time=", 5) == 0) {
			r = critical ? &t->time_crit : &t->time_warn;
			value = eq ? eq + 1 : item;
		} else if (strncmp(item, "cert=", 5) == 0) {
			rc = parse_days(eq + 1,
			                critical ? &t->cert_crit_days
			                         : &t->cert_warn_days,
			                err, errlen);
			any = true;
			continue;
		} else {
			*eq = '\0';
			snprintf(err, errlen,
			         "unknown threshold '%s' (time=RANGE or "
			         "cert=DAYS)",
			         item);
			rc = -1;
			break;
		}
		if (range_parse(value, r, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s", why);
			rc = -1;
		}
		any = true;
	}
	if (rc == 0 && !any) {
		snprintf(err, errlen, "empty threshold");
		rc = -1;
	}
	free(copy);
	return rc;
}
