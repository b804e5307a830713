/*
 * codes.c -- the table of finding codes, built from codes.def.
 */
#include <string.h>

#include "mailready/codes.h"
#include "suggest.h"

const struct mr_code_def mr_codes[CODE_COUNT] = {
#define CODE(name, meaning, fix) [CODE_##name] = {#name, meaning, fix},
#include "mailready/codes.def"
#undef CODE
};

const char *
mr_code_name(enum mr_code c)
{
	return (unsigned)c < CODE_COUNT ? mr_codes[c].name : "UNKNOWN_CODE";
}

const struct mr_code_def *
mr_code_find(const char *name)
{
	for (size_t i = 0; i < CODE_COUNT; i++)
		if (strcmp(mr_codes[i].name, name) == 0)
			return &mr_codes[i];
	return NULL;
}

const char *
mr_code_suggest(const char *name)
{
	static const char *names[CODE_COUNT];

	for (size_t i = 0; i < CODE_COUNT; i++)
		names[i] = mr_codes[i].name;
	return suggest_nearest(name, names, CODE_COUNT);
}
