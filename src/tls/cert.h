/*
 * cert.h -- judging the certificate a server presented: chain, host name,
 * validity dates and days to expiry, and the protocol version, with a
 * message that says what to fix.
 *
 * The handshake is never refused over the certificate: verification runs
 * with a callback that accepts, and cert_evaluate() judges the outcome
 * afterwards from SSL_get_verify_result(), so every failure gets a precise
 * message (expired, wrong name, unknown issuer...) instead of a handshake
 * error.
 */
#ifndef MAILREADY_TLS_CERT_H
#define MAILREADY_TLS_CERT_H

#include <stdbool.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mailready/codes.h"
#include "mailready/status.h"

struct cert_policy {
	const char *host; /* the name the certificate must match (FQDN) */
	/* Other names it may carry instead (tls_names: a service name, or a
	   "*.example.com" the certificate must carry as such). */
	char *const *alt_names;
	size_t nalt_names;
	time_t now; /* "now", for tests; 0 means time(NULL) */
};

/* One thing wrong with a certificate (or the TLS session). */
struct cert_issue {
	enum mr_code code;
	enum mr_status severity;
	char *message; /* what is wrong */
	char *hint;    /* what to do about it */
};

#define CERT_MAX_ISSUES 8

struct cert_verdict {
	enum mr_status status; /* worst issue; pass when there is none */
	struct cert_issue issues[CERT_MAX_ISSUES];
	size_t nissues;
	size_t nunlisted; /* issues past CERT_MAX_ISSUES: counted in status */
	enum mr_status unlisted_status; /* the worst of them */
	bool have_cert;                 /* the server presented one */
	bool dates_ok;                  /* its validity dates could be read */
	time_t not_before;
	time_t not_after;
	long long days_left; /* whole days to not_after, rounded down;
	                        negative once expired */
	char *subject;       /* one-line RFC 2253 form */
	char *issuer;
	char *not_after_text; /* "2027-02-01" (UTC), "" if unreadable */
	char **sans;          /* SAN DNS names (or the CN when none) */
	size_t nsans;
	char *names;       /* the same, comma-separated */
	char *fingerprint; /* SHA-256 of the DER, "AB:CD:..." */
	char *version;     /* "TLSv1.3", or NULL */
	char *cipher;      /* "TLS_AES_256_GCM_SHA384", or NULL */
	char *matched;     /* the name of the policy it matched, or NULL */
	/* "CN=mx.example.com (mx.example.com), issued by CN=R11, valid until
	   2027-02-01 (65 days), TLSv1.3" */
	char *summary;
};

/**
 * Judge a leaf certificate given the verify result of its chain (an
 * X509_V_* code), the negotiated protocol version ("TLSv1.2", may be NULL)
 * and the policy. Host-name mismatch is judged here too (RFC 6125:
 * SAN DNS names only when present, else the CN; a wildcard only as the
 * whole left-most label; case-insensitive), whatever verify_result says.
 *
 * Issues (all fail but the last): no certificate, an untrusted chain, a
 * wrong name, an expired or not-yet-valid certificate, unreadable dates;
 * warn for TLS below 1.2. Days to expiry are measured, not judged: the
 * thresholds are policy's (cert_judge_days).
 * The verdict owns its strings: free with cert_verdict_clear().
 */
void cert_evaluate_x509(X509 *leaf, long verify_result, const char *version,
                        const struct cert_policy *pol,
                        struct cert_verdict *out);

/** The same for a finished handshake: leaf, verify result, version, cipher. */
void cert_evaluate(SSL *ssl, const struct cert_policy *pol,
                   struct cert_verdict *out);

void cert_verdict_clear(struct cert_verdict *v);

/**
 * Days left against the thresholds: warn at warn_days or fewer, fail at
 * crit_days or fewer (whole days, rounded down, as everywhere). A negative
 * threshold is not set.
 * @return MR_PASS when neither applies; else the severity, with message
 *         and hint (caller frees) for a CERT_EXPIRES_SOON finding.
 */
enum mr_status cert_judge_days(long long days_left, time_t not_after,
                               int warn_days, int crit_days, char **message,
                               char **hint);

/** Whole days from now to t, rounded down (negative in the past). */
long long cert_days_until(time_t t, time_t now);

/**
 * A client context for probing: trusts ca_file (PEM bundle) or the system
 * store when NULL; accepts TLS 1.0 and up so old servers can be reported
 * (as a warning) instead of failing the handshake; verification callback
 * that never aborts the handshake.
 * @return the context, or NULL with the reason in err.
 */
SSL_CTX *cert_client_ctx(const char *ca_file, char *err, size_t errlen);

/**
 * Prepare an SSL for one connection: SNI and the expected host name
 * (SSL_set_tlsext_host_name, SSL_set1_host with
 * X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS).
 * @return 0, or -1 on failure.
 */
int cert_prepare_ssl(SSL *ssl, const char *host);

#endif
