/*
 * fuzz_profile.c -- a role profile (profile.c) read from a string with
 * profile_load_string(), through the real INI reader, then what the plan
 * and preflight ask of it: roles by name and misspelt, the role list,
 * the programs expected on every port.
 *
 * Input: a profile (checks/profiles/ holds the real ones).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "profile.h"

static void
ask(const struct profile *p)
{
	const struct profile_role *sect[2] = {&p->all, NULL};
	char names[256];

	profile_role_names(p, names, sizeof(names));
	assert(strlen(names) < sizeof(names));
	profile_role_suggest(p, "mta");
	profile_role_suggest(p, "");
	for (size_t i = 0; i < p->nroles; i++) {
		const struct profile_role *r = &p->roles[i];
		assert(profile_role(p, r->name) == r);
		sect[1] = r;
		for (size_t j = 0; j < r->nports; j++) {
			char *h = profile_holders_of(
				sect, 2, r->ports[j].service, r->ports[j].port);
			free(h);
		}
	}
	for (size_t j = 0; j < p->all.nports; j++) {
		char *h = profile_holders_of(sect, 1, p->all.ports[j].service,
		                             p->all.ports[j].port);
		free(h);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	char err[1024];

	err[0] = '\0';
	struct profile *p =
		profile_load_string("fuzz.conf", text, err, sizeof(err));
	if (p != NULL) {
		ask(p);
		profile_free(p);
	} else {
		assert(strncmp(err, "fuzz.conf", 9) == 0);
	}
	free(text);
	return 0;
}
