/*
 * dmarc.h -- DMARC policy records (RFC 7489 6.3, 6.4; np from RFC 9091):
 * picking the record among the TXT records of _dmarc.DOMAIN, parsing its
 * tags, and telling which report destinations are external (7.1).
 *
 * Tag names and keyword values are compared case-insensitively (RFC 7489
 * writes them as ABNF strings); "v=DMARC1" must start the record exactly.
 * Unknown tags are ignored (6.3) and each is named in a warning.
 */
#ifndef MAILREADY_RECORDS_DMARC_H
#define MAILREADY_RECORDS_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/record.h"

/* Longest record taken (its TXT strings joined); longer is an error. */
#define DMARC_RECORD_MAX 2048
/* URIs in one rua or ruf tag; more is an error. */
#define DMARC_URI_MAX 8

enum dmarc_policy {
	DMARC_POLICY_UNSET, /* sp, np absent: they follow p (and sp) */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

enum dmarc_align {
	DMARC_ALIGN_RELAXED, /* r, the default */
	DMARC_ALIGN_STRICT,  /* s */
};

/* fo options (a set). */
#define DMARC_FO_0 0x1 /* report when all mechanisms fail: the default */
#define DMARC_FO_1 0x2 /* report when any fails */
#define DMARC_FO_D 0x4 /* DKIM failed */
#define DMARC_FO_S 0x8 /* SPF failed */

/* Bits of struct dmarc_record.seen: which tags the record gives. */
#define DMARC_TAG_P     0x001
#define DMARC_TAG_SP    0x002
#define DMARC_TAG_NP    0x004
#define DMARC_TAG_PCT   0x008
#define DMARC_TAG_RUA   0x010
#define DMARC_TAG_RUF   0x020
#define DMARC_TAG_ADKIM 0x040
#define DMARC_TAG_ASPF  0x080
#define DMARC_TAG_FO    0x100
#define DMARC_TAG_RF    0x200
#define DMARC_TAG_RI    0x400

struct dmarc_record {
	unsigned seen; /* DMARC_TAG_* */
	enum dmarc_policy p, sp, np;
	unsigned pct; /* 0..100; 100 when absent */
	enum dmarc_align adkim, aspf;
	unsigned fo;  /* DMARC_FO_*; DMARC_FO_0 when absent */
	bool rf_afrf; /* rf lists afrf (the default, and the only format) */
	uint32_t ri;  /* seconds; 86400 when absent */
	struct rec_uri rua[DMARC_URI_MAX];
	size_t nrua;
	struct rec_uri ruf[DMARC_URI_MAX];
	size_t nruf;
	struct rec_warnings warn; /* unknown tags, ignored values, ... */
};

/**
 * The DMARC record among the TXT records of _dmarc.DOMAIN: the one that
 * starts with "v=DMARC1" (RFC 7489 6.6.3).
 * @return as rec_select(): 1 (index set), 0 none, -1 several
 */
int dmarc_select(const struct rec_txt *txt, size_t n, size_t *index, char *err,
                 size_t errlen);

/**
 * Parse one record (len bytes of s, any byte possible) into r. Syntax
 * errors in any tag, duplicate tags, values out of range and a missing
 * or bad p are errors ("tag 'pct=150': over 100"); unknown tags, unknown
 * rf formats, fo without ruf, non-mailto URIs and empty tags (";;") are
 * warnings in r->warn.
 * @return 0 (free r with dmarc_record_free()), or -1 with the first
 *         error in err (r holds nothing to free)
 */
int dmarc_parse(const char *s, size_t len, struct dmarc_record *r, char *err,
                size_t errlen);

void dmarc_record_free(struct dmarc_record *r);

/** "none", "quarantine", "reject", or "unset". */
const char *dmarc_policy_name(enum dmarc_policy p);

/**
 * Is a report destination outside the policy domain's organisation, so
 * that it must authorise the reports (RFC 7489 7.1)? Without a public
 * suffix list the organisational domain is approximated: after
 * lowercasing and dropping a trailing dot, a host equal to domain or one
 * a subdomain of the other is internal, anything else external. Two
 * subdomains of one registered domain (a.example.com sending to
 * b.example.com) are therefore called external, and the probe then asks
 * for an authorisation record that the RFC would not need.
 * @param domain the domain the policy was found for (without _dmarc.)
 * @param uri    a rua or ruf URI ("mailto:d@example.net!10m")
 * @param qname  when external, set to the authorisation record's name
 *               "DOMAIN._report._dmarc.HOST" (at least 512 bytes)
 * @return 1 external, 0 internal, -1 no destination host (err says why)
 */
int dmarc_uri_external(const char *domain, const char *uri, char *qname,
                       size_t qnamelen, char *err, size_t errlen);

#endif
