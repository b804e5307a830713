/*
 * fuzz_accept.c -- an accept file (what "[accept] file = FILE" reads:
 * "CODE TARGET = YYYY-MM-DD reason" lines, the [accept] header optional)
 * through mr_config_accept_string(), the reader of config.c the cluster
 * file uses for it.
 *
 * Input: an accept file.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mailready/config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct mr_config *c = mr_config_new_default();
	char err[1024];

	err[0] = '\0';
	if (mr_config_accept_string(c, "fuzz.accept", text, err, sizeof(err)) <
	    0)
		assert(strncmp(err, "fuzz.accept:", 12) == 0);
	for (size_t i = 0; i < c->naccepts; i++) {
		const struct mr_accept *a = &c->accepts[i];
		assert(strlen(a->until) == 10 && a->until_t % 86400 == 0);
		assert(a->code[0] != '\0' && a->target[0] != '\0');
		assert(a->reason != NULL && a->line > 0);
	}
	mr_config_free(c);
	free(text);
	return 0;
}
