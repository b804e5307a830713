/*
 * fuzz_smtp_reply.c -- SMTP replies (proto/smtp.c), line by line as the
 * connection delivers them, and the questions the SMTP probe asks of each
 * complete reply: EHLO keywords, the announced host, the product.
 *
 * Input: what a server sends, LF- or CRLF-terminated lines.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "io/conn.h"
#include "products.h"
#include "proto/proto.h"

static const char *const keywords[] = {
	"STARTTLS", "AUTH",     "SIZE",       "PIPELINING",
	"8BITMIME", "SMTPUTF8", "DSN",        "REQUIRETLS",
	"auth",     "",         "AUTH PLAIN", /* never a keyword: one word only */
};

static void
check_params(const struct smtp_reply *r, const char *params)
{
	/* params points into one of the reply's lines. */
	for (size_t i = 0; i < r->nlines; i++) {
		const char *l = r->lines[i];
		if (params >= l && params <= l + strlen(l))
			return;
	}
	abort();
}

/* Everything the probe asks of a reply, complete or not. */
static void
ask(const struct smtp_reply *r)
{
	const char *params;

	assert(r->nlines <= 256);
	if (r->nlines > 0)
		assert(r->code >= 200 && r->code <= 559);
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		params = NULL;
		if (smtp_ehlo_has(r, keywords[i], &params))
			check_params(r, params);
		smtp_ehlo_has(r, keywords[i], NULL);
	}
	/* A keyword the server chose: the first word of its last line. */
	if (r->nlines > 1) {
		const char *last = r->lines[r->nlines - 1];
		char *kw = strndup(last, strcspn(last, " "));
		if (kw != NULL && smtp_ehlo_has(r, kw, &params))
			check_params(r, params);
		free(kw);
	}
	char *host = smtp_reply_host(r);
	assert(host == NULL || (*host && !strpbrk(host, " \t")));
	free(host);
	if (r->nlines > 0) {
		enum product p = product_from_smtp(r->lines[0]);
		assert(product_name(p) != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_lines in;
	struct smtp_reply r;
	const char *line;
	char err[256];

	memset(&r, 0, sizeof(r));
	fuzz_lines_init(&in, data, size);
	while ((line = fuzz_next_line(&in, CONN_MAX_LINE)) != NULL) {
		err[0] = '\0';
		enum proto_res res =
			smtp_reply_feed(&r, line, err, sizeof(err));
		if (res == PROTO_MORE)
			continue;
		if (res == PROTO_ERROR)
			assert(err[0] != '\0' && strlen(err) < sizeof(err));
		ask(&r);
		/* After an error the probe stops; going on finds more. */
		smtp_reply_clear(&r);
	}
	ask(&r);
	smtp_reply_clear(&r);
	fuzz_lines_free(&in);
	return 0;
}
