/*
 * fuzz_dmarc.c -- DMARC records (src/records/dmarc.c, record.c,
 * tagval.c): selection among TXT records, parsing, and the external
 * destination question for every report URI parsed.
 *
 * Input: the TXT records of _dmarc.example.com, separated by NUL bytes
 * (at most 8, the last keeps any further NULs); the whole input is also parsed as one record, NULs and
 * all.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "records/dmarc.h"

static void
check_uris(const struct rec_uri *u, size_t n)
{
	char qname[512], err[256], why[256];

	for (size_t i = 0; i < n; i++) {
		assert(u[i].uri != NULL);
		if (u[i].scheme != REC_SCHEME_OTHER) {
			assert(u[i].host != NULL);
			assert(rec_host_valid(u[i].host, strlen(u[i].host), why,
			                      sizeof(why)));
		}
		err[0] = '\0';
		int ext = dmarc_uri_external("example.com", u[i].uri, qname,
		                             sizeof(qname), err, sizeof(err));
		/* The URI kept (its size limit cut) parses again to the
		   same host; only the name's length can still fail. */
		if (u[i].host == NULL)
			assert(ext == -1);
		else if (ext == -1)
			assert(strstr(err, "is over") != NULL);
		else if (ext == 1)
			assert(strlen(qname) >= strlen(u[i].host) &&
			       strcmp(qname + strlen(qname) - strlen(u[i].host),
			              u[i].host) == 0);
		if (ext == -1)
			fuzz_assert_printable(err);
	}
}

static void
parse(const char *s, size_t len)
{
	struct dmarc_record r;
	char err[512];
	char *copy = fuzz_exact(s, len);

	err[0] = '\0';
	if (dmarc_parse(copy, len, &r, err, sizeof(err)) < 0) {
		assert(err[0] != '\0');
		fuzz_assert_printable(err);
		assert(r.nrua == 0 && r.nruf == 0);
		free(copy);
		return;
	}
	assert(r.p != DMARC_POLICY_UNSET && r.pct <= 100);
	assert(r.nrua <= DMARC_URI_MAX && r.nruf <= DMARC_URI_MAX);
	assert(r.warn.n <= REC_WARN_MAX);
	for (size_t i = 0; i < r.warn.n; i++)
		fuzz_assert_printable(r.warn.msg[i]);
	check_uris(r.rua, r.nrua);
	check_uris(r.ruf, r.nruf);
	dmarc_record_free(&r);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_txt_records(data, size, dmarc_select, parse);
	return 0;
}
