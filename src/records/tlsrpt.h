/*
 * tlsrpt.h -- SMTP TLS Reporting records (RFC 8460 3): the TXT record of
 * _smtp._tls.DOMAIN, "v=TLSRPTv1; rua=URI,URI", where each URI is
 * mailto: or https:.
 *
 * Field names and the version are case-sensitive (%s"..." in the ABNF);
 * extension fields are ignored and named in warnings.
 */
#ifndef MAILREADY_RECORDS_TLSRPT_H
#define MAILREADY_RECORDS_TLSRPT_H

#include <stddef.h>

#include "records/record.h"

/* Longest record taken (its TXT strings joined); longer is an error. */
#define TLSRPT_RECORD_MAX 2048
/* URIs in the rua field; more is an error. */
#define TLSRPT_URI_MAX 8

struct tlsrpt_record {
	struct rec_uri rua[TLSRPT_URI_MAX]; /* scheme mailto or https */
	size_t nrua;                        /* at least 1 */
	struct rec_warnings warn;
};

/**
 * The TLS-RPT record among the TXT records of _smtp._tls.DOMAIN: the one
 * that starts with "v=TLSRPTv1" (RFC 8460 3).
 * @return as rec_select(): 1 (index set), 0 none, -1 several
 */
int tlsrpt_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
                  size_t errlen);

/**
 * Parse one record (len bytes of s, any byte possible) into r.
 * @return 0 (free r with tlsrpt_record_free()), or -1 with what is wrong
 *         in err (r holds nothing to free)
 */
int tlsrpt_parse(const char *s, size_t len, struct tlsrpt_record *r, char *err,
                 size_t errlen);

void tlsrpt_record_free(struct tlsrpt_record *r);

#endif
