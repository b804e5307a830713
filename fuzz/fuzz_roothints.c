/*
 * fuzz_roothints.c -- a root hints file (dns/roothints.c, in zone-file
 * syntax read by ldns: NS records for "." and A/AAAA records for their
 * names), as `root_hints = FILE` gives it, read from memory.
 *
 * Input: a root hints file.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/roothints.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_server *roots = NULL;
	size_t n = 0, nnames = 0;
	char err[512];
	/* fmemopen needs a buffer it may own the size of; a copy keeps
	   the input const. */
	char *copy = fuzz_exact(data, size);
	FILE *fp = fmemopen(copy, size ? size : 1, "r");

	if (fp == NULL)
		abort();
	if (size == 0)
		fgetc(fp); /* an empty file: at its end at once */
	err[0] = '\0';
	if (roothints_read(fp, "fuzz.hints", &roots, &n, &nnames, err,
	                   sizeof(err)) == 0) {
		assert(n > 0 && roots != NULL);
		/* IPv4 first, then IPv6. */
		for (size_t i = 1; i < n; i++)
			assert(roots[i - 1].addr.family == AF_INET ||
			       roots[i].addr.family == AF_INET6);
		for (size_t i = 0; i < n; i++)
			assert(roots[i].port == 53);
	} else {
		assert(strncmp(err, "fuzz.hints", 10) == 0 && roots == NULL);
	}
	free(roots);
	fclose(fp);
	free(copy);
	return 0;
}
