/*
 * fuzz_tlsrpt.c -- TLS-RPT records (src/records/tlsrpt.c, record.c,
 * tagval.c): selection among TXT records and parsing.
 *
 * Input: the TXT records of _smtp._tls.example.com separated by NUL
 * bytes (at most 8, the last keeps any further NULs); the selected one is
 * parsed, and so is the whole input as one record.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "records/tlsrpt.h"

static void
parse(const char *s, size_t len)
{
	struct tlsrpt_record r;
	char err[512], why[256];
	char *copy = fuzz_exact(s, len);

	err[0] = '\0';
	if (tlsrpt_parse(copy, len, &r, err, sizeof(err)) < 0) {
		assert(err[0] != '\0' && r.nrua == 0);
		fuzz_assert_printable(err);
		free(copy);
		return;
	}
	assert(r.nrua >= 1 && r.nrua <= TLSRPT_URI_MAX);
	for (size_t i = 0; i < r.nrua; i++) {
		assert(r.rua[i].scheme == REC_SCHEME_MAILTO ||
		       r.rua[i].scheme == REC_SCHEME_HTTPS);
		assert(r.rua[i].host != NULL && r.rua[i].max_size == 0);
		assert(rec_host_valid(r.rua[i].host, strlen(r.rua[i].host), why,
		                      sizeof(why)));
	}
	for (size_t i = 0; i < r.warn.n; i++)
		fuzz_assert_printable(r.warn.msg[i]);
	tlsrpt_record_free(&r);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_txt_records(data, size, tlsrpt_select, parse);
	return 0;
}
