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

#include "mailready/status.h"

struct cert_policy {
	const char *host; /* the name the certificate must match (FQDN) */
	int warn_days;    /* cert_warn_days */
	int crit_days;    /* cert_crit_days */
	time_t now;       /* "now", for tests; 0 means time(NULL) */
};

struct cert_verdict {
	enum mr_status status;
	char *message;    /* one line; what is wrong and what to do, or a
			    summary: "CN=mx.example.com, issued by ..., valid
			    until 2027-02-01 (65 days), TLSv1.3" */
	double days_left; /* may be negative when expired */
	char *subject;    /* one-line RFC 2253 form */
	char *issuer;
	char *not_after; /* "2027-02-01" (UTC) */
	char *names;     /* SAN DNS names, comma-separated (or the CN) */
	char *version;   /* "TLSv1.3" */
};

/**
 * Judge a leaf certificate given the verify result of its chain (an
 * X509_V_* code), the negotiated protocol version ("TLSv1.2", may be NULL)
 * and the policy. Host-name mismatch is judged here too (RFC 6125:
 * SAN DNS names only when present, else the CN; a wildcard only as the
 * whole left-most label; case-insensitive), whatever verify_result says.
 *
 * Statuses: fail for no certificate, an untrusted chain, a wrong name, an
 * expired or not-yet-valid certificate, or one within crit_days; warn
 * within warn_days or for TLS below 1.2; else pass.
 * The verdict owns its strings: free with cert_verdict_clear().
 */
void cert_evaluate_x509(X509 *leaf, long verify_result, const char *version,
                        const struct cert_policy *pol,
                        struct cert_verdict *out);

/** The same for a finished handshake: leaf, verify result and version. */
void cert_evaluate(SSL *ssl, const struct cert_policy *pol,
                   struct cert_verdict *out);

void cert_verdict_clear(struct cert_verdict *v);

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
