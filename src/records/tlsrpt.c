/*
 * tlsrpt.c -- TLS-RPT record selection and parsing (tlsrpt.h).
 */
#include <stdio.h>
#include <string.h>

#include "records/tagval.h"
#include "records/tlsrpt.h"

static int
parse_rua(const struct tagval *t, struct tlsrpt_record *r, char *err,
          size_t errlen)
{
	struct rec_items it = {t->value, t->value + t->valuelen, ','};
	char why[REC_WARN_LEN], q[REC_QUOTE_BUF];
	const char *b;
	size_t n;

	while (rec_next_item(&it, &b, &n)) {
		if (n == 0) {
			snprintf(err, errlen,
			         "field %s: an empty URI in the list",
			         rec_quote(t->spec, t->speclen, q, sizeof(q)));
			return -1;
		}
		if (r->nrua == TLSRPT_URI_MAX) {
			snprintf(err, errlen,
			         "field 'rua': more than %d URIs (bound "
			         "TLSRPT_URI_MAX)",
			         TLSRPT_URI_MAX);
			return -1;
		}
		struct rec_uri *u = &r->rua[r->nrua];
		if (rec_uri_parse(b, n, false, u, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "field 'rua': %s", why);
			return -1;
		}
		r->nrua++;
		if (u->scheme == REC_SCHEME_OTHER) {
			snprintf(err, errlen,
			         "field 'rua': %s: expected a mailto: or "
			         "https: URI (RFC 8460 3)",
			         rec_quote(b, n, q, sizeof(q)));
			return -1;
		}
	}
	return 0;
}

static int
parse_fields(const struct tagval_list *l, struct tlsrpt_record *r, char *err,
             size_t errlen)
{
	char q[REC_QUOTE_BUF];
	bool rua = false;

	for (size_t i = 1; i < l->n; i++) {
		const struct tagval *t = &l->tag[i];
		const char *why = NULL;

		if (tagval_is(t, "v", false))
			why = "'v' must be given once, first";
		else if (tagval_is(t, "rua", false) && rua)
			why = "the rua field is given twice";
		if (why != NULL) {
			snprintf(err, errlen, "field %s: %s",
			         rec_quote(t->spec, t->speclen, q, sizeof(q)),
			         why);
			return -1;
		}
		if (!tagval_is(t, "rua", false)) {
			rec_strict_unknown(t, &r->warn);
			continue;
		}
		rua = true;
		if (parse_rua(t, r, err, errlen) < 0)
			return -1;
	}
	if (!rua) {
		snprintf(err, errlen,
		         "no 'rua' field: it is required (RFC 8460 3)");
		return -1;
	}
	return 0;
}

int
tlsrpt_parse(const char *s, size_t len, struct tlsrpt_record *r, char *err,
             size_t errlen)
{
	struct tagval_list l;

	memset(r, 0, sizeof(*r));
	if (rec_strict_split(s, len, TLSRPT_RECORD_MAX, "TLSRPT_RECORD_MAX",
	                     "TLSRPTv1", &l, &r->warn, err, errlen) < 0 ||
	    parse_fields(&l, r, err, errlen) < 0) {
		tlsrpt_record_free(r);
		return -1;
	}
	return 0;
}

void
tlsrpt_record_free(struct tlsrpt_record *r)
{
	for (size_t i = 0; i < r->nrua; i++)
		rec_uri_free(&r->rua[i]);
	memset(r, 0, sizeof(*r));
}

int
tlsrpt_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
              size_t errlen)
{
	return rec_select(txt, n, "v=TLSRPTv1", "TLS-RPT", index, err, errlen);
}
