/*
 * fuzz_cert.c -- the certificate verdict (tls/cert.c,
 * cert_evaluate_x509()): a leaf as a server presents it, judged at a fixed
 * "now" (FUZZ_NOW) against a host and tls_names, with a verify result
 * either chosen or computed for the chain given (X509_verify_cert() at
 * that time, the last certificate as the only trusted one); then the
 * expiry thresholds (cert_judge_days()).
 *
 * Input: two selector bytes, then a chain, leaf first: PEM blocks (when
 * the input holds "-----BEGIN"), else DER certificates one after the
 * other. Byte 0: bits 0-3 pick the verify result (15: verify the chain),
 * bits 4-5 the host, bits 6-7 the protocol version. Byte 1: bit 0 adds
 * tls_names, bits 1-7 are the warning days (critical: a quarter).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "fuzz.h"
#include "tls/cert.h"

#define MAX_CHAIN 8

static const long verify_results[15] = {
	X509_V_OK,
	X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
	X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
	X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
	X509_V_ERR_CERT_HAS_EXPIRED,
	X509_V_ERR_CERT_NOT_YET_VALID,
	X509_V_ERR_HOSTNAME_MISMATCH,
	X509_V_ERR_IP_ADDRESS_MISMATCH,
	X509_V_ERR_CERT_SIGNATURE_FAILURE,
	X509_V_ERR_CERT_REVOKED,
	X509_V_ERR_INVALID_CA,
	X509_V_ERR_PATH_LENGTH_EXCEEDED,
	12345, /* a code OpenSSL does not know */
};

static const char *const hosts[4] = {
	"mail.example.test",
	"MAIL.Example.Test.",
	"127.0.2.10",
	"2001:db8:2::10",
};

static const char *const versions[4] = {"TLSv1.3", "TLSv1", NULL, "SSLv3"};

static char alt1[] = "*.example.test", alt2[] = "mx.example.test";
static char *const alt_names[] = {alt1, alt2};

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* No openssl.cnf: the target reads nothing but its input. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	return 0;
}

/* Encrypted PEM asks for a password: never (the default reads a tty). */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static int
read_pem(const uint8_t *data, size_t size, X509 **chain)
{
	BIO *bio = BIO_new_mem_buf(data, (int)size);
	int n = 0;

	while (bio != NULL && n < MAX_CHAIN) {
		X509 *x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
		if (x == NULL)
			break;
		chain[n++] = x;
	}
	BIO_free(bio);
	return n;
}

static int
read_der(const uint8_t *data, size_t size, X509 **chain)
{
	const unsigned char *p = data, *end = data + size;
	int n = 0;

	while (p < end && n < MAX_CHAIN) {
		X509 *x = d2i_X509(NULL, &p, (long)(end - p));
		if (x == NULL)
			break;
		chain[n++] = x;
	}
	return n;
}

/* The verify result of the chain at FUZZ_NOW, trusting its last one. */
static long
verify(X509 **chain, int n)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	long rc = X509_V_ERR_UNSPECIFIED;

	if (store == NULL || ctx == NULL || untrusted == NULL)
		abort();
	if (n > 1)
		X509_STORE_add_cert(store, chain[n - 1]);
	for (int i = 1; i < n - 1; i++)
		sk_X509_push(untrusted, chain[i]);
	if (X509_STORE_CTX_init(ctx, store, chain[0], untrusted) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, (time_t)FUZZ_NOW);
		X509_verify_cert(ctx);
		rc = X509_STORE_CTX_get_error(ctx);
	}
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

static void
check(const struct cert_verdict *v)
{
	assert(v->nissues <= CERT_MAX_ISSUES);
	assert(v->subject && v->issuer && v->names && v->fingerprint &&
	       v->summary && v->not_after_text);
	for (size_t i = 0; i < v->nissues; i++)
		assert(v->issues[i].message != NULL);
	for (size_t i = 0; i < v->nsans; i++)
		assert(strpbrk(v->sans[i], "\r\n") == NULL);
	assert(strpbrk(v->summary, "\r\n") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509 *chain[MAX_CHAIN];
	int n;

	if (size < 2)
		return 0;
	unsigned sel = data[0], sel2 = data[1];
	data += 2;
	size -= 2;
	if (size > 0 && memmem(data, size, "-----BEGIN", 10) != NULL)
		n = read_pem(data, size, chain);
	else
		n = read_der(data, size, chain);
	ERR_clear_error();

	struct cert_policy pol = {
		.host = hosts[(sel >> 4) & 3],
		.alt_names = alt_names,
		.nalt_names = (sel2 & 1) ? 2 : 0,
		.now = FUZZ_NOW,
	};
	long vr = (sel & 15) == 15 && n > 0 ? verify(chain, n)
	                                    : verify_results[(sel & 15) % 15];
	struct cert_verdict v;
	cert_evaluate_x509(n > 0 ? chain[0] : NULL, vr, versions[sel >> 6],
	                   &pol, &v);
	check(&v);
	if (v.dates_ok) {
		char *msg, *hint;
		int warn = (int)(sel2 >> 1), crit = warn / 4;
		cert_judge_days(v.days_left, v.not_after, warn, crit, &msg,
		                &hint);
		free(msg);
		free(hint);
		assert(v.days_left == cert_days_until(v.not_after, FUZZ_NOW));
	}
	cert_verdict_clear(&v);
	for (int i = 0; i < n; i++)
		X509_free(chain[i]);
	ERR_clear_error();
	return 0;
}
