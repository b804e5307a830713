/*
 * fuzz_dkim.c -- DKIM key records (records/dkim.c): the tag-list parsed
 * (dkim_record_parse), its key read by OpenSSL (dkim_key_judge), the
 * verdict (dkim_verdict), and the comparison with a PEM key file
 * (dkim_key_compare_pem).
 *
 * Input: the record (the TXT strings joined), then optionally a NUL byte
 * and a PEM text, the key file. A record that does not parse still lets
 * the PEM text be compared, with a fixed record: the RFC 8463 Ed25519 key
 * when the record part has an odd length, the RFC 6376 RSA key otherwise.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "fuzz.h"
#include "records/dkim.h"

static const char rfc8463[] =
	"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char rfc6376[] =
	"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3"
	"/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/R"
	"tdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPS"
	"PDdQPNUYckcQ2QIDAQAB";

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* No openssl.cnf: the target reads nothing but its input. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	return 0;
}

/* A message or a name: one line of printable ASCII. */
static void
check_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert(*p >= 0x20 && *p < 0x7f);
}

/* An error: text, not empty, lower-case first. */
static void
check_error(const char *s)
{
	assert(s[0] >= 'a' && s[0] <= 'z');
	check_text(s);
}

static void
check_record(const struct dkim_record *r)
{
	assert(r->nhashes <= DKIM_LIST_MAX);
	assert(r->nunknown < DKIM_MAX_TAGS);
	assert(r->keylen <= DKIM_KEY_MAX);
	/* No base64 spelling of p= but the empty one decodes to nothing. */
	assert(r->revoked == (r->keylen == 0));
	assert(!(r->sha1_only && r->no_hash));
	for (size_t i = 0; i < r->nhashes; i++) {
		assert(strlen(r->hashes[i]) <= DKIM_TOKEN_MAX);
		check_text(r->hashes[i]);
	}
	for (size_t i = 0; i < r->nunknown; i++) {
		assert(strlen(r->unknown[i]) <= DKIM_TAG_NAME_MAX);
		check_text(r->unknown[i]);
	}
}

static void
check_key(const struct dkim_record *r, const struct dkim_key *k)
{
	struct dkim_verdict v;
	enum mr_status worst = MR_PASS;

	assert(k->type == r->key_type);
	assert(k->revoked == r->revoked);
	assert(k->revoked || k->bits > 0);
	assert(!k->bare_rsa || k->type == DKIM_KEY_RSA);
	dkim_verdict(r, k, &v);
	assert(v.nissues <= DKIM_ISSUE_COUNT);
	for (size_t i = 0; i < v.nissues; i++) {
		assert(i == 0 ||
		       v.issues[i - 1].severity >= v.issues[i].severity);
		worst = mr_status_worst(worst, v.issues[i].severity);
		assert(strcmp(dkim_issue_name(v.issues[i].code), "UNKNOWN"));
	}
	assert(v.status == worst);
}

static void
compare(const struct dkim_record *r, const uint8_t *pem, size_t n)
{
	char *buf = fuzz_exact(pem, n), err[256] = "";
	int rc = dkim_key_compare_pem(r, buf, n, err, sizeof(err));

	assert(rc >= -1 && rc <= 1);
	check_error(err);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t rlen = nul != NULL ? (size_t)(nul - data) : size;
	char *txt = fuzz_exact(data, rlen), err[256] = "";
	struct dkim_record r;
	struct dkim_key k;
	int parsed, judged = -1;

	parsed = dkim_record_parse(txt, rlen, &r, err, sizeof(err));
	if (parsed == 0) {
		check_record(&r);
		judged = dkim_key_judge(&r, &k, err, sizeof(err));
		if (judged == 0)
			check_key(&r, &k);
		else
			check_error(err);
	} else {
		check_error(err);
	}
	assert(ERR_peek_error() == 0);
	if (nul != NULL) {
		if (parsed == -1) {
			const char *fixed = rlen % 2 ? rfc8463 : rfc6376;
			parsed = dkim_record_parse(fixed, strlen(fixed), &r,
			                           err, sizeof(err));
			assert(parsed == 0);
		}
		compare(&r, nul + 1, size - rlen - 1);
		assert(ERR_peek_error() == 0);
	}
	free(txt);
	return 0;
}
