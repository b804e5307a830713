/*
 * mtasts.h -- MTA-STS (RFC 8461): the _mta-sts.DOMAIN TXT record (3.1),
 * the policy file served at https://mta-sts.DOMAIN/.well-known/
 * mta-sts.txt (3.2), and matching MX host names against its mx patterns
 * (4.1).
 *
 * Keys and keywords are case-sensitive, as the RFC's ABNF (%s"...") says.
 */
#ifndef MAILREADY_RECORDS_MTASTS_H
#define MAILREADY_RECORDS_MTASTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/record.h"

/* Longest TXT record taken (strings joined); longer is an error. */
#define MTASTS_RECORD_MAX 1024
/* The id field: 1 to 32 letters and digits (RFC 8461 3.1). */
#define MTASTS_ID_MAX 32
/* Largest policy file taken. Policies are a few lines; the fetcher can
   stop reading here. */
#define MTASTS_POLICY_MAX 65536
/* Longest line of a policy file, its line end not counted. */
#define MTASTS_LINE_MAX 1024
/* mx lines in one policy; more is an error. */
#define MTASTS_MX_MAX 64
/* The largest max_age allowed: about one year (RFC 8461 3.2). */
#define MTASTS_MAX_AGE_MAX 31557600

struct mtasts_record {
	char id[MTASTS_ID_MAX + 1];
	struct rec_warnings warn; /* extension fields, spaces */
};

enum mtasts_mode {
	MTASTS_MODE_UNSET,
	MTASTS_MODE_ENFORCE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
};

struct mtasts_policy {
	enum mtasts_mode mode;
	uint32_t max_age;        /* seconds */
	char *mx[MTASTS_MX_MAX]; /* patterns as written, "*.example.com" */
	size_t nmx;
	struct rec_warnings warn; /* unknown keys, empty lines, ... */
};

/**
 * The MTA-STS record among the TXT records of _mta-sts.DOMAIN: the one
 * that starts with "v=STSv1" (RFC 8461 3.1).
 * @return as rec_select(): 1 (index set), 0 none, -1 several
 */
int mtasts_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
                  size_t errlen);

/**
 * Parse the TXT record (len bytes of s): "v=STSv1; id=ID" and extension
 * fields, which are ignored and named in warnings.
 * @return 0, or -1 with what is wrong in err
 */
int mtasts_record_parse(const char *s, size_t len, struct mtasts_record *r,
                        char *err, size_t errlen);

/**
 * Parse a policy file body (len bytes, lines ending in LF or CRLF):
 * version (STSv1), mode, max_age and mx lines (required unless mode is
 * none); unknown keys are ignored and named in warnings, as is a version
 * line that is not the first.
 * @return 0 (free p with mtasts_policy_free()), or -1 with the first
 *         error, its line number included, in err (p holds nothing)
 */
int mtasts_policy_parse(const char *body, size_t len, struct mtasts_policy *p,
                        char *err, size_t errlen);

void mtasts_policy_free(struct mtasts_policy *p);

/** "enforce", "testing", "none", or "unset". */
const char *mtasts_mode_name(enum mtasts_mode m);

/**
 * Does MX host name host match the policy's mx pattern (RFC 8461 4.1)?
 * Case-insensitive, one trailing dot on either ignored; a leading "*."
 * matches exactly one leftmost label, never the bare domain.
 */
bool mtasts_mx_match(const char *pattern, const char *host);

#endif
