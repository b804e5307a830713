/*
 * fuzz_pop3.c -- POP3 replies (proto/pop3.c) as the POP3 probe reads
 * them: a status line, and after each +OK the lines of a multi-line
 * response (CAPA) up to its ".", then what the probe asks of a CAPA
 * (STLS, USER, SASL PLAIN, IMPLEMENTATION for the product).
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
	"STLS", "USER", "SASL",       "IMPLEMENTATION", "TOP",
	"UIDL", "",     "SASL PLAIN", /* never a capability: one word only */
};

static void
ask(const struct pop3_multi *m)
{
	const char *params;

	assert(m->nlines <= 256);
	for (size_t i = 0; i < sizeof(caps_asked) / sizeof(*caps_asked); i++) {
		params = NULL;
		if (pop3_capa_has(m, caps_asked[i], &params))
			assert(params != NULL);
		pop3_capa_has(m, caps_asked[i], NULL);
	}
	if (pop3_capa_has(m, "IMPLEMENTATION", &params))
		product_from_pop3(params);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_lines in;
	struct pop3_multi m;
	bool in_multi = false;
	const char *line;
	char err[256];

	memset(&m, 0, sizeof(m));
	fuzz_lines_init(&in, data, size);
	while ((line = fuzz_next_line(&in, CONN_MAX_LINE)) != NULL) {
		err[0] = '\0';
		if (in_multi) {
			enum proto_res res =
				pop3_multi_feed(&m, line, err, sizeof(err));
			if (res == PROTO_MORE)
				continue;
			if (res == PROTO_ERROR)
				assert(err[0] != '\0');
			ask(&m);
			pop3_multi_clear(&m);
			in_multi = false;
			continue;
		}
		bool ok = false;
		const char *text = NULL;
		if (pop3_status(line, &ok, &text, err, sizeof(err)) < 0) {
			assert(err[0] != '\0');
			continue;
		}
		assert(text >= line && text <= line + strlen(line));
		product_from_pop3(line);
		in_multi = ok;
	}
	ask(&m);
	pop3_multi_clear(&m);
	fuzz_lines_free(&in);
	return 0;
}
