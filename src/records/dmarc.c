/*
 * dmarc.c -- DMARC record selection and parsing (dmarc.h).
 *
 * Parsing stops at the first error: a probe reports one precise reason,
 * and a record with one is already broken. What receivers silently
 * ignore but still works is a warning.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records/dmarc.h"
#include "records/tagval.h"

#define DMARC_PREFIX "v=DMARC1"

static const char *
spec_quote(const struct tagval *t, char *buf, size_t buflen)
{
	return rec_quote(t->spec, t->speclen, buf, buflen);
}

static int
tag_error(const struct tagval *t, const char *why, char *err, size_t errlen)
{
	char q[REC_QUOTE_BUF];

	snprintf(err, errlen, "tag %s: %s", spec_quote(t, q, sizeof(q)), why);
	return -1;
}

static int
parse_policy(const struct tagval *t, enum dmarc_policy *p, char *err,
             size_t errlen)
{
	if (tagval_value_is(t, "none", true))
		*p = DMARC_POLICY_NONE;
	else if (tagval_value_is(t, "quarantine", true))
		*p = DMARC_POLICY_QUARANTINE;
	else if (tagval_value_is(t, "reject", true))
		*p = DMARC_POLICY_REJECT;
	else
		return tag_error(t, "expected none, quarantine or reject", err,
		                 errlen);
	return 0;
}

/* Digits only, at most max; "over MAX" said as such. */
static int
parse_number(const struct tagval *t, uint32_t max, uint32_t *v, char *err,
             size_t errlen)
{
	char why[80];
	uint64_t n = 0;

	if (t->valuelen == 0)
		return tag_error(t, "expected a number", err, errlen);
	for (size_t i = 0; i < t->valuelen; i++) {
		if (!isdigit((unsigned char)t->value[i])) {
			snprintf(why, sizeof(why), "expected a number 0 to %u",
			         max);
			return tag_error(t, why, err, errlen);
		}
		if (n <= max)
			n = n * 10 + (unsigned)(t->value[i] - '0');
	}
	if (n > max) {
		snprintf(why, sizeof(why), "over %u", max);
		return tag_error(t, why, err, errlen);
	}
	*v = (uint32_t)n;
	return 0;
}

static int
parse_align(const struct tagval *t, enum dmarc_align *a, char *err,
            size_t errlen)
{
	if (tagval_value_is(t, "r", true))
		*a = DMARC_ALIGN_RELAXED;
	else if (tagval_value_is(t, "s", true))
		*a = DMARC_ALIGN_STRICT;
	else
		return tag_error(t, "expected r (relaxed) or s (strict)", err,
		                 errlen);
	return 0;
}

static int
parse_fo(const struct tagval *t, unsigned *fo, char *err, size_t errlen)
{
	static const char opts[] = "01ds";
	struct rec_items it = {t->value, t->value + t->valuelen, ':'};
	const char *item, *o;
	size_t len;

	*fo = 0;
	while (rec_next_item(&it, &item, &len)) {
		if (len != 1 || *item == '\0' ||
		    (o = strchr(opts, tolower((unsigned char)*item))) == NULL)
			return tag_error(t,
			                 "expected options 0, 1, d or s "
			                 "separated by ':'",
			                 err, errlen);
		*fo |= 1u << (o - opts);
	}
	return 0;
}

static int
parse_rf(const struct tagval *t, struct dmarc_record *r, char *err,
         size_t errlen)
{
	struct rec_items it = {t->value, t->value + t->valuelen, ':'};
	const char *item;
	char q[REC_QUOTE_BUF];
	size_t len;

	r->rf_afrf = false;
	while (rec_next_item(&it, &item, &len)) {
		bool ok = len > 0;
		for (size_t i = 0; i < len; i++)
			ok = ok && isalnum((unsigned char)item[i]);
		if (!ok)
			return tag_error(t,
			                 "expected report formats (letters and "
			                 "digits) separated by ':'",
			                 err, errlen);
		if (len == 4 && strncasecmp(item, "afrf", 4) == 0)
			r->rf_afrf = true;
		else
			rec_warn(&r->warn,
			         "tag 'rf': unknown report format %s ignored "
			         "(only afrf is defined)",
			         rec_quote(item, len, q, sizeof(q)));
	}
	return 0;
}

static int
parse_uris(const struct tagval *t, struct rec_uri *uris, size_t *n,
           struct dmarc_record *r, char *err, size_t errlen)
{
	struct rec_items it = {t->value, t->value + t->valuelen, ','};
	char name[8], why[REC_WARN_LEN], q[REC_QUOTE_BUF];
	const char *item;
	size_t len;

	snprintf(name, sizeof(name), "%.*s", (int)t->namelen, t->name);
	for (size_t i = 0; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	while (rec_next_item(&it, &item, &len)) {
		if (len == 0)
			return tag_error(t, "an empty URI in the list", err,
			                 errlen);
		if (*n == DMARC_URI_MAX) {
			snprintf(why, sizeof(why),
			         "more than %d URIs (bound DMARC_URI_MAX)",
			         DMARC_URI_MAX);
			return tag_error(t, why, err, errlen);
		}
		if (rec_uri_parse(item, len, true, &uris[*n], why,
		                  sizeof(why)) < 0) {
			snprintf(err, errlen, "tag '%s': %s", name, why);
			return -1;
		}
		if (uris[*n].scheme != REC_SCHEME_MAILTO)
			rec_warn(&r->warn,
			         "tag '%s': %s is not a mailto: URI, the only "
			         "scheme receivers must support (RFC 7489 6.2)",
			         name, rec_quote(item, len, q, sizeof(q)));
		(*n)++;
	}
	return 0;
}

/* Which tag t is, as its DMARC_TAG_* bit; 0 for an unknown one. */
static unsigned
tag_bit(const struct tagval *t)
{
	static const struct {
		const char *name;
		unsigned bit;
	} tags[] = {
		{"p", DMARC_TAG_P},         {"sp", DMARC_TAG_SP},
		{"np", DMARC_TAG_NP},       {"pct", DMARC_TAG_PCT},
		{"rua", DMARC_TAG_RUA},     {"ruf", DMARC_TAG_RUF},
		{"adkim", DMARC_TAG_ADKIM}, {"aspf", DMARC_TAG_ASPF},
		{"fo", DMARC_TAG_FO},       {"rf", DMARC_TAG_RF},
		{"ri", DMARC_TAG_RI},
	};

	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++)
		if (tagval_is(t, tags[i].name, true))
			return tags[i].bit;
	return 0;
}

static int
parse_tag(const struct tagval *t, unsigned bit, struct dmarc_record *r,
          char *err, size_t errlen)
{
	uint32_t v;

	switch (bit) {
	case DMARC_TAG_P:
		return parse_policy(t, &r->p, err, errlen);
	case DMARC_TAG_SP:
		return parse_policy(t, &r->sp, err, errlen);
	case DMARC_TAG_NP:
		return parse_policy(t, &r->np, err, errlen);
	case DMARC_TAG_PCT:
		if (parse_number(t, 100, &v, err, errlen) < 0)
			return -1;
		r->pct = v;
		return 0;
	case DMARC_TAG_RUA:
		return parse_uris(t, r->rua, &r->nrua, r, err, errlen);
	case DMARC_TAG_RUF:
		return parse_uris(t, r->ruf, &r->nruf, r, err, errlen);
	case DMARC_TAG_ADKIM:
		return parse_align(t, &r->adkim, err, errlen);
	case DMARC_TAG_ASPF:
		return parse_align(t, &r->aspf, err, errlen);
	case DMARC_TAG_FO:
		return parse_fo(t, &r->fo, err, errlen);
	case DMARC_TAG_RF:
		return parse_rf(t, r, err, errlen);
	case DMARC_TAG_RI:
		return parse_number(t, UINT32_MAX, &r->ri, err, errlen);
	}
	return 0;
}

static int
parse_version(const struct tagval_list *l, char *err, size_t errlen)
{
	if (l->n == 0 || !tagval_is(&l->tag[0], "v", false)) {
		snprintf(err, errlen,
		         "the record does not start with '" DMARC_PREFIX "'");
		return -1;
	}
	if (!tagval_value_is(&l->tag[0], "DMARC1", false))
		return tag_error(&l->tag[0],
		                 "expected exactly 'DMARC1' (is a ';' "
		                 "missing after it?)",
		                 err, errlen);
	return 0;
}

static int
parse_tags(const struct tagval_list *l, struct dmarc_record *r, char *err,
           size_t errlen)
{
	char q[REC_QUOTE_BUF];

	for (size_t i = 1; i < l->n; i++) {
		const struct tagval *t = &l->tag[i];
		unsigned bit = tag_bit(t);

		if (tagval_is(t, "v", true))
			return tag_error(t, "'v' must be given once, first",
			                 err, errlen);
		if (bit == 0) {
			rec_warn(&r->warn, "unknown tag %s ignored",
			         spec_quote(t, q, sizeof(q)));
			continue;
		}
		if (r->seen & bit)
			return tag_error(t, "the tag is given twice", err,
			                 errlen);
		r->seen |= bit;
		if (parse_tag(t, bit, r, err, errlen) < 0)
			return -1;
	}
	if (!(r->seen & DMARC_TAG_P)) {
		snprintf(err, errlen,
		         "no 'p' tag: p=none, quarantine or reject is required "
		         "(RFC 7489 6.3)");
		return -1;
	}
	return 0;
}

int
dmarc_parse(const char *s, size_t len, struct dmarc_record *r, char *err,
            size_t errlen)
{
	struct tagval_list l;

	memset(r, 0, sizeof(*r));
	r->pct = 100;
	r->fo = DMARC_FO_0;
	r->rf_afrf = true;
	r->ri = 86400;
	if (len > DMARC_RECORD_MAX) {
		snprintf(err, errlen,
		         "the record is %zu bytes long, over DMARC_RECORD_MAX "
		         "(%d)",
		         len, DMARC_RECORD_MAX);
		return -1;
	}
	if (tagval_parse(s, len, &l, err, errlen) < 0 ||
	    parse_version(&l, err, errlen) < 0 ||
	    parse_tags(&l, r, err, errlen) < 0) {
		dmarc_record_free(r);
		return -1;
	}
	if (l.empty > 0)
		rec_warn(&r->warn, "%zu empty tag%s (';;') ignored", l.empty,
		         l.empty == 1 ? "" : "s");
	if ((r->seen & DMARC_TAG_FO) && r->nruf == 0)
		rec_warn(&r->warn,
		         "tag 'fo' has no effect without ruf (RFC 7489 6.3)");
	return 0;
}

void
dmarc_record_free(struct dmarc_record *r)
{
	for (size_t i = 0; i < r->nrua; i++)
		rec_uri_free(&r->rua[i]);
	for (size_t i = 0; i < r->nruf; i++)
		rec_uri_free(&r->ruf[i]);
	memset(r, 0, sizeof(*r));
}

int
dmarc_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
             size_t errlen)
{
	return rec_select(txt, n, DMARC_PREFIX, "DMARC", index, err, errlen);
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	case DMARC_POLICY_UNSET:
		break;
	}
	return "unset";
}

/* Is sub equal to dom or below it (label-wise)? */
static bool
within(const char *sub, const char *dom)
{
	size_t ls = strlen(sub), ld = strlen(dom);

	if (ls == ld)
		return strcmp(sub, dom) == 0;
	return ls > ld && sub[ls - ld - 1] == '.' &&
	       strcmp(sub + ls - ld, dom) == 0;
}

int
dmarc_uri_external(const char *domain, const char *uri, char *qname,
                   size_t qnamelen, char *err, size_t errlen)
{
	char dom[REC_HOST_MAX + 2], why[REC_WARN_LEN], q[REC_QUOTE_BUF];
	struct rec_uri u;
	int ext;

	if (!rec_host_valid(domain, strlen(domain), why, sizeof(why)) ||
	    !rec_host_norm(domain, strlen(domain), dom, sizeof(dom))) {
		snprintf(err, errlen, "policy domain: %s", why);
		return -1;
	}
	if (rec_uri_parse(uri, strlen(uri), true, &u, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (u.host == NULL) {
		snprintf(err, errlen,
		         "%s: no destination host (only mailto: and https: "
		         "URIs have one here)",
		         rec_quote(uri, strlen(uri), q, sizeof(q)));
		rec_uri_free(&u);
		return -1;
	}
	ext = !within(u.host, dom) && !within(dom, u.host);
	if (ext) {
		int n = snprintf(qname, qnamelen, "%s._report._dmarc.%s", dom,
		                 u.host);
		if (n < 0 || (size_t)n >= qnamelen || n > REC_HOST_MAX) {
			snprintf(err, errlen,
			         "the authorisation record's name "
			         "%s._report._dmarc.%s is over %d bytes",
			         dom, u.host, REC_HOST_MAX);
			ext = -1;
		}
	}
	rec_uri_free(&u);
	return ext;
}
