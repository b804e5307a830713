/*
 * fuzz_config.c -- the cluster file (config.c) through the real INI
 * reader (inisrc.c and libinih): mr_config_load_string(), then the
 * lookups the plan makes of what it read.
 *
 * Two keys open files: login_file (the test account) and file in
 * [accept] (an accept file). An input that sets either is skipped, so
 * that the target reads nothing but its input; the accept-file syntax
 * has its own target (fuzz_accept), and [accept] lines in the cluster
 * file are read here.
 *
 * Input: a cluster file.
 */
#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mailready/config.h"

/* Leading blanks, as libinih skips them (isspace), and UTF-8 BOMs. */
static const char *
skip_lead(const char *s, const char *end)
{
	for (;;) {
		if (s < end && isspace((unsigned char)*s))
			s++;
		else if (end - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		else
			return s;
	}
}

/*
 * Would a line set a key named name? Its key is what stands before the
 * first '=' or ':', blanks trimmed (libinih; raw [accept] lines split at
 * '=' only, which can only give a longer name).
 */
static bool
sets_key(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; *l;) {
		const char *end = l + strcspn(l, "\n");
		const char *k = skip_lead(l, end);
		const char *eq = k + strcspn(k, "=:\n");
		while (eq > k && isspace((unsigned char)eq[-1]))
			eq--;
		if ((size_t)(eq - k) == n && memcmp(k, name, n) == 0)
			return true;
		l = *end ? end + 1 : end;
	}
	return false;
}

static void
look_up(const struct mr_config *c)
{
	assert(c->probe_timeout_s <= c->timeout_s);
	assert(c->cert_crit_days <= c->cert_warn_days);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct mr_node *n = &c->nodes[i];
		size_t len = strlen(n->name);
		/* config.h: "FQDN, lowercase, no trailing dot". */
		assert(len > 0 && n->name[len - 1] != '.');
		for (size_t j = 0; j < len; j++)
			assert(!isupper((unsigned char)n->name[j]));
		char *dotted = malloc(len + 2);
		assert(mr_config_node(c, n->name) == n);
		strcpy(dotted, n->name);
		strcat(dotted, ".");
		assert(mr_config_node(c, dotted) == n);
		free(dotted);
		for (size_t j = 0; j < n->nroles; j++)
			assert(mr_node_has_role(n, n->roles[j]));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	char err[1024];

	if (!sets_key(text, "file") && !sets_key(text, "login_file")) {
		err[0] = '\0';
		struct mr_config *c = mr_config_load_string("fuzz.conf", text,
		                                            err, sizeof(err));
		if (c != NULL) {
			look_up(c);
			mr_config_free(c);
		} else {
			assert(strncmp(err, "fuzz.conf", 9) == 0);
		}
	}
	free(text);
	return 0;
}
