/*
 * fuzz_imap.c -- IMAP response lines and capability lists (proto/imap.c):
 * each line parsed as the IMAP probe parses it, and every capability list
 * found (a CAPABILITY response, a [CAPABILITY ...] response code) read as
 * the probe reads it. Capability lists are also given the whole line, in a
 * buffer of exactly its length: the parser takes a length and must not
 * read past it.
 *
 * Input: what a server sends, LF- or CRLF-terminated lines.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "io/conn.h"
#include "products.h"
#include "proto/proto.h"

static const char *const caps_asked[] = {
	"STARTTLS",  "LOGINDISABLED", "AUTH=PLAIN", "SASL-IR",
	"IMAP4rev1", "IMAP4rev2",     "ID",         "",
};

static void
take_caps(const char *s, size_t len, struct imap_caps *caps)
{
	char *exact = fuzz_exact(s, len);
	char err[256];

	err[0] = '\0';
	if (imap_caps_parse(exact, len, caps, err, sizeof(err)) < 0) {
		assert(err[0] != '\0');
	} else {
		assert(caps->n > 0);
		for (size_t i = 0; i < caps->n; i++)
			assert(caps->v[i][0] != '\0');
	}
	free(exact);
	for (size_t i = 0; i < sizeof(caps_asked) / sizeof(*caps_asked); i++)
		imap_caps_has(caps, caps_asked[i]);
}

/* The fields point into the line, and are where they say. */
static void
check_line(const char *line, const struct imap_line *l)
{
	const char *end = line + strlen(line);

	assert(strlen(l->tag) < sizeof(l->tag));
	assert(strlen(l->status) < sizeof(l->status));
	assert(l->text >= line && l->text <= end);
	if (l->code != NULL)
		assert(l->code > line && l->code + l->code_len < end &&
		       l->code[l->code_len] == ']');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_lines in;
	struct imap_caps caps = {NULL, 0};
	const char *line;
	char err[256];

	fuzz_lines_init(&in, data, size);
	while ((line = fuzz_next_line(&in, CONN_MAX_LINE)) != NULL) {
		struct imap_line l;

		take_caps(line, strlen(line), &caps);
		err[0] = '\0';
		if (imap_parse_line(line, &l, err, sizeof(err)) < 0) {
			assert(err[0] != '\0');
			continue;
		}
		check_line(line, &l);
		if (l.code != NULL && l.code_len > 11 &&
		    strncasecmp(l.code, "CAPABILITY ", 11) == 0)
			take_caps(l.code + 11, l.code_len - 11, &caps);
		if (l.kind == IMAP_UNTAGGED &&
		    strcmp(l.status, "CAPABILITY") == 0)
			take_caps(l.text, strlen(l.text), &caps);
		product_from_imap(line);
	}
	imap_caps_clear(&caps);
	fuzz_lines_free(&in);
	return 0;
}
