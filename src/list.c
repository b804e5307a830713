/*
 * list.c -- the catalogue and the codes, as text and as JSON.
 */
#include <jansson.h>
#include <string.h>

#include "catalog.h"
#include "list.h"
#include "mailready/codes.h"

static const char *
scope_name(const struct check_def *d)
{
	return d->scope == CHECK_DOMAIN ? "domain" : "node";
}

int
list_render_checks(FILE *out)
{
	const char *prev = NULL;

	for (size_t i = 0; i < catalog_count; i++) {
		const struct check_def *d = &catalog[i];
		bool again = prev != NULL && strcmp(prev, d->id) == 0;
		fprintf(out, "%-16s %-6s %s\n", again ? "" : d->id,
		        scope_name(d), d->verifies);
		prev = d->id;
	}
	return ferror(out) ? -1 : 0;
}

int
list_render_codes(FILE *out)
{
	for (size_t i = 0; i < CODE_COUNT; i++) {
		const struct mr_code_def *c = &mr_codes[i];
		fprintf(out, "%s\n    %s\n", c->name, c->meaning);
		if (c->fix[0] != '\0')
			fprintf(out, "    fix: %s\n", c->fix);
	}
	return ferror(out) ? -1 : 0;
}

int
list_render_json(FILE *out)
{
	json_t *root = json_object(), *checks = json_array();
	json_t *codes = json_array();

	json_object_set_new(root, "schema", json_string("mailready-list/1"));
	for (size_t i = 0; i < catalog_count; i++) {
		const struct check_def *d = &catalog[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(d->id));
		json_object_set_new(o, "scope", json_string(scope_name(d)));
		json_object_set_new(o, "family", json_boolean(d->family));
		json_object_set_new(o, "on_node_only",
		                    json_boolean(d->self_only));
		json_object_set_new(o, "verifies", json_string(d->verifies));
		json_array_append_new(checks, o);
	}
	for (size_t i = 0; i < CODE_COUNT; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(mr_codes[i].name));
		json_object_set_new(o, "meaning",
		                    json_string(mr_codes[i].meaning));
		json_object_set_new(o, "fix", json_string(mr_codes[i].fix));
		json_array_append_new(codes, o);
	}
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "codes", codes);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc != 0 || fputc('\n', out) == EOF)
		return -1;
	return ferror(out) ? -1 : 0;
}
