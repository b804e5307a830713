/*
 * dkim.h -- DKIM key records (RFC 6376 3.6.1, RFC 8463, RFC 8301): the
 * TXT record at SELECTOR._domainkey.DOMAIN parsed, its public key read
 * with OpenSSL and judged, and compared with a key file an operator names.
 *
 * Pure functions: no I/O, no allocation left behind. Every result lives in
 * fixed-size structs, so that the bounds below are the whole story of what
 * a hostile record can make us hold.
 */
#ifndef MAILREADY_RECORDS_DKIM_H
#define MAILREADY_RECORDS_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "mailready/status.h"

/* Bounds; reaching one is an error that names it. */
#define DKIM_RECORD_MAX   4096 /* bytes of the joined TXT strings */
#define DKIM_MAX_TAGS     32   /* tag=value pairs in a record */
#define DKIM_TAG_NAME_MAX 32   /* bytes of a tag name */
#define DKIM_LIST_MAX     8    /* items of an h=, s= or t= list */
#define DKIM_TOKEN_MAX    32   /* bytes of one item of such a list */
/* base64 characters of p= (whitespace not counted): an RSA key of 8192
   bits is 1400 of them. */
#define DKIM_P_MAX   2048
#define DKIM_KEY_MAX (DKIM_P_MAX / 4 * 3)

/* RFC 8301 3.2: keys under 1024 bits MUST NOT be considered valid, and
   signers SHOULD use 2048. */
#define DKIM_RSA_MIN_BITS  1024
#define DKIM_RSA_GOOD_BITS 2048

#define DKIM_ED25519_LEN   32 /* RFC 8463 4.2: the bare public key */

/* A key file to compare with: bytes, and PEM blocks read before the
   first key. */
#define DKIM_PEM_MAX        65536
#define DKIM_PEM_MAX_BLOCKS 16

enum dkim_key_type {
	DKIM_KEY_RSA,
	DKIM_KEY_ED25519,
};

struct dkim_record {
	bool has_v;                  /* v=DKIM1 was given (it is optional) */
	enum dkim_key_type key_type; /* k=, rsa when absent */
	/* h=, in the record's order; none when h= is absent (all allowed).
	   Unknown algorithms are kept: they are ignored, not an error. */
	char hashes[DKIM_LIST_MAX][DKIM_TOKEN_MAX + 1];
	size_t nhashes;
	bool sha1_only; /* h= allows sha1 and no sha256 (RFC 8301 3.1) */
	bool no_hash;   /* h= names neither sha1 nor sha256 */
	bool not_email; /* s= names neither "*" nor "email" */
	bool testing;   /* t=y */
	bool strict;    /* t=s */
	bool revoked;   /* p= is empty */
	/* Tags this parser does not know, ignored as RFC 6376 3.2 says. */
	char unknown[DKIM_MAX_TAGS][DKIM_TAG_NAME_MAX + 1];
	size_t nunknown;
	/* p= decoded from base64; not yet read as a key. */
	unsigned char key[DKIM_KEY_MAX];
	size_t keylen;
};

/* What the public key is, as OpenSSL reads it. */
struct dkim_key {
	enum dkim_key_type type;
	bool revoked; /* no key to read: nothing else is set */
	/* p= holds a bare PKCS#1 RSAPublicKey instead of the
	   SubjectPublicKeyInfo RFC 6376 3.6.1 asks for; some signers publish
	   that and many verifiers accept it. */
	bool bare_rsa;
	int bits; /* modulus bits for RSA, 256 for Ed25519 */
};

enum dkim_issue_code {
	DKIM_ISSUE_RSA_TOO_SHORT, /* under DKIM_RSA_MIN_BITS: fail */
	DKIM_ISSUE_RSA_SHORT,     /* under DKIM_RSA_GOOD_BITS: warn */
	DKIM_ISSUE_TESTING,       /* t=y: warn */
	DKIM_ISSUE_SHA1_ONLY,     /* warn */
	DKIM_ISSUE_NO_HASH,       /* no usable hash algorithm: fail */
	DKIM_ISSUE_NOT_EMAIL,     /* s= excludes email: fail */
	DKIM_ISSUE_REVOKED,       /* noted (pass) */
	DKIM_ISSUE_BARE_RSA,      /* noted (pass) */
};

#define DKIM_ISSUE_COUNT 8

struct dkim_issue {
	enum dkim_issue_code code;
	enum mr_status severity;
};

struct dkim_verdict {
	enum mr_status status; /* worst issue; pass when there is none */
	struct dkim_issue issues[DKIM_ISSUE_COUNT];
	size_t nissues;
};

/**
 * Parse a DKIM key record: the character-strings of one TXT RR, joined.
 * @param txt  the record, len bytes; it need not end in NUL, and a NUL
 *             inside is an error like any other control byte
 * @param r    filled in; on error its contents are unspecified
 * @param err  on error, why, with bytes of the record quoted safely
 * @return 0, or -1 with err set
 */
int dkim_record_parse(const char *txt, size_t len, struct dkim_record *r,
                      char *err, size_t errlen);

/**
 * Read the record's public key with OpenSSL: an RSA SubjectPublicKeyInfo
 * (or bare RSAPublicKey) for k=rsa, 32 bytes for k=ed25519. A key of the
 * other type is an error. A revoked record gives k->revoked and 0.
 * @return 0, or -1 with err set
 */
int dkim_key_judge(const struct dkim_record *r, struct dkim_key *k, char *err,
                   size_t errlen);

/**
 * The issues of a parsed record and its key (as a successful
 * dkim_key_judge() left it), worst first, with the severity each
 * deserves. Data only: the probe words the findings.
 */
void dkim_verdict(const struct dkim_record *r, const struct dkim_key *k,
                  struct dkim_verdict *v);

/** Stable upper-case name of an issue: "RSA_TOO_SHORT", ... */
const char *dkim_issue_name(enum dkim_issue_code c);

/** "rsa" or "ed25519", as k= spells it. */
const char *dkim_key_type_name(enum dkim_key_type t);

/**
 * Whether a PEM text (the signing key on the MTA node: a private key,
 * PKCS#8 or traditional, or a public key, SPKI or PKCS#1) holds the same
 * key as the record. The first key in the text counts; an encrypted one
 * is refused without asking for a password.
 * @param pem  len bytes, need not end in NUL
 * @param err  what the file holds ("the same key", "another key (1024
 *             bits)"), or why it could not be compared
 * @return 1 same key, 0 another key, -1 the text holds no usable key (or
 *         the record none: revoked or unreadable)
 */
int dkim_key_compare_pem(const struct dkim_record *r, const char *pem,
                         size_t len, char *err, size_t errlen);

#endif
