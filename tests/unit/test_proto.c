/*
 * test_proto.c -- unit tests of the SMTP, IMAP and POP3 reply parsers
 * (src/proto): real greetings and capability lists of Postfix, Exim,
 * Microsoft Exchange, Dovecot, Cyrus and Courier, every error path, and
 * hostile input (control characters, 8-bit bytes, very long lines, too
 * many lines). Error texts are pinned where the wording is the contract.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

#define ERRLEN 256

/* err contains want, starts lower-case and quotes at most 40 bytes. */
static void
assert_err(const char *err, const char *want)
{
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err,
	              want);
	ck_assert_msg(err[0] >= 'a' && err[0] <= 'z',
	              "error '%s' does not start lower-case", err);
	ck_assert_msg(strstr(err, "expected") != NULL || strstr(err, "changed"),
	              "error '%s' does not say what was expected", err);
}

/* prefix, then n copies of ch; the caller frees it. */
static char *
repeat(const char *prefix, char ch, size_t n)
{
	size_t lp = strlen(prefix);
	char *s = malloc(lp + n + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, lp);
	memset(s + lp, ch, n);
	s[lp + n] = '\0';
	return s;
}

/* ================================================================ SMTP */

/* Feed a NULL-terminated list of lines; all but the last must be MORE. */
static void
smtp_ok(struct smtp_reply *r, const char *const *lines)
{
	char err[ERRLEN] = "";

	for (size_t i = 0; lines[i] != NULL; i++) {
		enum proto_res want = lines[i + 1] ? PROTO_MORE : PROTO_DONE;
		enum proto_res got =
			smtp_reply_feed(r, lines[i], err, sizeof(err));
		ck_assert_msg(got == want, "line '%s': got %d, want %d (%s)",
		              lines[i], got, want, err);
	}
	ck_assert(r->done);
}

/* One line that must be refused, leaving the reply empty. */
static void
smtp_bad(const char *line, const char *want)
{
	struct smtp_reply r = {0};
	char err[ERRLEN] = "";

	ck_assert_int_eq(smtp_reply_feed(&r, line, err, sizeof(err)),
	                 PROTO_ERROR);
	assert_err(err, want);
	ck_assert_uint_eq(r.nlines, 0);
	ck_assert(!r.done);
	smtp_reply_clear(&r);
}

static void
assert_ehlo(const struct smtp_reply *r, const char *kw, const char *params)
{
	const char *p = NULL;

	ck_assert_msg(smtp_ehlo_has(r, kw, &p), "EHLO lacks %s", kw);
	ck_assert_str_eq(p, params);
}

START_TEST(smtp_postfix)
{
	static const char *const greet[] = {
		"220 mx.example.com ESMTP Postfix (Debian/GNU)", NULL};
	static const char *const ehlo[] = {"250-mx.example.com",
	                                   "250-PIPELINING",
	                                   "250-SIZE 10240000",
	                                   "250-VRFY",
	                                   "250-ETRN",
	                                   "250-STARTTLS",
	                                   "250-ENHANCEDSTATUSCODES",
	                                   "250-8BITMIME",
	                                   "250-DSN",
	                                   "250-SMTPUTF8",
	                                   "250 CHUNKING",
	                                   NULL};
	struct smtp_reply r = {0};

	smtp_ok(&r, greet);
	ck_assert_int_eq(r.code, 220);
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert_str_eq(r.lines[0],
	                 "mx.example.com ESMTP Postfix (Debian/GNU)");
	char *host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "mx.example.com");
	free(host);
	/* A greeting is not an EHLO reply. */
	ck_assert(!smtp_ehlo_has(&r, "ESMTP", NULL));
	smtp_reply_clear(&r);

	smtp_ok(&r, ehlo);
	ck_assert_int_eq(r.code, 250);
	ck_assert_uint_eq(r.nlines, 11);
	assert_ehlo(&r, "PIPELINING", "");
	assert_ehlo(&r, "SIZE", "10240000");
	assert_ehlo(&r, "ETRN", "");
	assert_ehlo(&r, "STARTTLS", "");
	assert_ehlo(&r, "ENHANCEDSTATUSCODES", "");
	assert_ehlo(&r, "8BITMIME", "");
	assert_ehlo(&r, "DSN", "");
	assert_ehlo(&r, "SMTPUTF8", "");
	assert_ehlo(&r, "CHUNKING", "");
	ck_assert(!smtp_ehlo_has(&r, "AUTH", NULL));
	ck_assert(!smtp_ehlo_has(&r, "BINARYMIME", NULL));
	/* Line 1 is the host, not a keyword; prefixes do not match. */
	ck_assert(!smtp_ehlo_has(&r, "mx.example.com", NULL));
	ck_assert(!smtp_ehlo_has(&r, "START", NULL));
	ck_assert(!smtp_ehlo_has(&r, "STARTTLSX", NULL));
	ck_assert(!smtp_ehlo_has(&r, "", NULL));
	host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "mx.example.com");
	free(host);
	smtp_reply_clear(&r);
	ck_assert_uint_eq(r.nlines, 0);
	ck_assert_ptr_null(r.lines);
	ck_assert_int_eq(r.code, 0);
	ck_assert(!r.done);
}
END_TEST

START_TEST(smtp_exim)
{
	static const char *const greet[] = {
		"220 mail.example.org ESMTP Exim 4.96 Mon, 01 Jan 2024 "
		"12:00:00 +0000",
		NULL};
	static const char *const ehlo[] = {
		"250-mail.example.org Hello client.example.net [192.0.2.1]",
		"250-SIZE 52428800",
		"250-8BITMIME",
		"250-PIPELINING",
		"250-PIPE_CONNECT",
		"250-AUTH PLAIN LOGIN",
		"250-CHUNKING",
		"250-STARTTLS",
		"250-PRDR",
		"250 HELP",
		NULL};
	struct smtp_reply r = {0};

	smtp_ok(&r, greet);
	char *host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "mail.example.org");
	free(host);
	smtp_reply_clear(&r);

	smtp_ok(&r, ehlo);
	assert_ehlo(&r, "SIZE", "52428800");
	assert_ehlo(&r, "PIPELINING", "");
	assert_ehlo(&r, "PIPE_CONNECT", "");
	assert_ehlo(&r, "AUTH", "PLAIN LOGIN");
	assert_ehlo(&r, "STARTTLS", "");
	assert_ehlo(&r, "HELP", "");
	ck_assert(!smtp_ehlo_has(&r, "PIPE", NULL));
	ck_assert(!smtp_ehlo_has(&r, "Hello", NULL));
	host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "mail.example.org");
	free(host);
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_exchange)
{
	static const char *const greet[] = {
		"220 EXCH01.corp.example.com Microsoft ESMTP MAIL Service "
		"ready at Mon, 1 Jan 2024 12:00:00 +0100",
		NULL};
	static const char *const ehlo[] = {
		"250-EXCH01.corp.example.com Hello [192.0.2.10]",
		"250-SIZE 37748736",
		"250-PIPELINING",
		"250-DSN",
		"250-ENHANCEDSTATUSCODES",
		"250-STARTTLS",
		"250-X-ANONYMOUSTLS",
		"250-AUTH NTLM LOGIN",
		"250-X-EXPS GSSAPI NTLM",
		"250-8BITMIME",
		"250-BINARYMIME",
		"250-CHUNKING",
		"250 XRDST",
		NULL};
	struct smtp_reply r = {0};

	smtp_ok(&r, greet);
	char *host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "EXCH01.corp.example.com");
	free(host);
	smtp_reply_clear(&r);

	smtp_ok(&r, ehlo);
	assert_ehlo(&r, "AUTH", "NTLM LOGIN");
	assert_ehlo(&r, "X-EXPS", "GSSAPI NTLM");
	assert_ehlo(&r, "X-ANONYMOUSTLS", "");
	assert_ehlo(&r, "BINARYMIME", "");
	assert_ehlo(&r, "XRDST", "");
	ck_assert(!smtp_ehlo_has(&r, "SMTPUTF8", NULL));
	/* params may be NULL */
	ck_assert(smtp_ehlo_has(&r, "CHUNKING", NULL));
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_keywords_case)
{
	static const char *const ehlo[] = {"250-mx.example.com", "250-starttls",
	                                   "250-Size 1000", "250 auth plain",
	                                   NULL};
	struct smtp_reply r = {0};

	smtp_ok(&r, ehlo);
	assert_ehlo(&r, "STARTTLS", "");
	assert_ehlo(&r, "StartTLS", "");
	assert_ehlo(&r, "size", "1000");
	assert_ehlo(&r, "SIZE", "1000");
	/* The parameters are returned as sent. */
	assert_ehlo(&r, "AUTH", "plain");
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_old_auth)
{
	static const char *const old_only[] = {"250-mx.example.com",
	                                       "250-AUTH=PLAIN LOGIN",
	                                       "250 8BITMIME", NULL};
	static const char *const both[] = {
		"250-mx.example.com", "250-auth=LOGIN",
		"250-AUTH PLAIN LOGIN CRAM-MD5", "250 8BITMIME", NULL};
	struct smtp_reply r = {0};

	smtp_ok(&r, old_only);
	assert_ehlo(&r, "AUTH", "PLAIN LOGIN");
	assert_ehlo(&r, "auth", "PLAIN LOGIN");
	/* Only the first word is a keyword; only AUTH had the '=' form. */
	ck_assert(!smtp_ehlo_has(&r, "PLAIN", NULL));
	ck_assert(!smtp_ehlo_has(&r, "AUTH PLAIN", NULL));
	ck_assert(!smtp_ehlo_has(&r, "8BITMIME=", NULL));
	smtp_reply_clear(&r);

	/* The standard line wins even when the old one comes first. */
	smtp_ok(&r, both);
	assert_ehlo(&r, "AUTH", "PLAIN LOGIN CRAM-MD5");
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_forms)
{
	static const char *const bare[] = {"250", NULL};
	static const char *const empty_cont[] = {"250-", "250-", "250 ok",
	                                         NULL};
	static const char *const err5[] = {
		"554-mx.example.com", "554 5.7.1 Service unavailable", NULL};
	struct smtp_reply r = {0};
	char err[ERRLEN];

	smtp_ok(&r, bare);
	ck_assert_int_eq(r.code, 250);
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert_str_eq(r.lines[0], "");
	ck_assert_ptr_null(smtp_reply_host(&r));
	smtp_reply_clear(&r);

	ck_assert_int_eq(smtp_reply_feed(&r, "220 ", err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_str_eq(r.lines[0], "");
	ck_assert_ptr_null(smtp_reply_host(&r));
	smtp_reply_clear(&r);

	smtp_ok(&r, empty_cont);
	ck_assert_uint_eq(r.nlines, 3);
	ck_assert_str_eq(r.lines[0], "");
	ck_assert_str_eq(r.lines[2], "ok");
	smtp_reply_clear(&r);

	/* A refusal is a reply like any other; it offers no extension. */
	smtp_ok(&r, err5);
	ck_assert_int_eq(r.code, 554);
	ck_assert(!smtp_ehlo_has(&r, "5.7.1", NULL));
	smtp_reply_clear(&r);

	/* Leading blanks before the host are skipped; tabs end the word. */
	ck_assert_int_eq(smtp_reply_feed(&r, "220  \tmx.example.com\tESMTP",
	                                 err, sizeof(err)),
	                 PROTO_DONE);
	char *host = smtp_reply_host(&r);
	ck_assert_str_eq(host, "mx.example.com");
	free(host);
	smtp_reply_clear(&r);

	/* Nothing fed yet. */
	ck_assert_ptr_null(smtp_reply_host(&r));
	ck_assert(!smtp_ehlo_has(&r, "STARTTLS", NULL));
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_code_ranges)
{
	static const char *const good[] = {"200 x", "220 x", "354 go", "421 x",
	                                   "451 x", "500 x", "554 x",  "559 x",
	                                   "250 x", "505 x"};
	struct smtp_reply r = {0};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(smtp_reply_feed(&r, good[i], err, sizeof(err)),
		                 PROTO_DONE);
		ck_assert_int_eq(r.code, atoi(good[i]));
		smtp_reply_clear(&r);
	}
	smtp_bad("150 x", "first digit 2-5 and second digit 0-5");
	smtp_bad("199", "first digit 2-5");
	smtp_bad("600 x", "first digit 2-5");
	smtp_bad("000 x", "first digit 2-5");
	smtp_bad("260 x", "second digit 0-5");
	smtp_bad("290 x", "second digit 0-5");
}
END_TEST

START_TEST(smtp_syntax_errors)
{
	char err[ERRLEN];
	struct smtp_reply r = {0};

	ck_assert_int_eq(smtp_reply_feed(&r, "hello", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected a 3-digit reply code, got 'hello'");
	ck_assert_int_eq(smtp_reply_feed(&r, "", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err,
	                 "expected a 3-digit reply code, got an empty line");
	ck_assert_int_eq(smtp_reply_feed(&r, "2500 x", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected '-', ' ' or the end of the line after "
	                      "the reply code, got '2500 x'");
	smtp_reply_clear(&r);

	smtp_bad("25O ok", "got '25O ok'");
	smtp_bad("250_x", "expected '-', ' ' or the end of the line");
	smtp_bad("250\tx", "expected '-', ' ' or the end of the line");
	smtp_bad("25", "3-digit reply code");
	smtp_bad("2", "3-digit reply code");
	smtp_bad(" 250 ok", "3-digit reply code");
	smtp_bad("-250 ok", "3-digit reply code");
	smtp_bad("+OK ready", "3-digit reply code");
	smtp_bad("* OK ready", "3-digit reply code");
	smtp_bad("SSH-2.0-OpenSSH_9.2p1 Debian-2", "3-digit reply code");
	smtp_bad("HTTP/1.1 400 Bad Request", "3-digit reply code");
	smtp_bad("\x16\x03\x01", "3-digit reply code");
}
END_TEST

START_TEST(smtp_code_change)
{
	struct smtp_reply r = {0};
	char err[ERRLEN];

	ck_assert_int_eq(smtp_reply_feed(&r, "250-a", err, sizeof(err)),
	                 PROTO_MORE);
	ck_assert_int_eq(smtp_reply_feed(&r, "251 b", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err,
	                 "reply code changed from 250 to 251 within one reply");
	/* The refused line is not kept. */
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert(!r.done);
	ck_assert_int_eq(smtp_reply_feed(&r, "550-b", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err,
	                 "reply code changed from 250 to 550 within one reply");
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_after_done)
{
	struct smtp_reply r = {0};
	char err[ERRLEN];

	ck_assert_int_eq(smtp_reply_feed(&r, "220 mx ESMTP", err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 more", err, sizeof(err)),
	                 PROTO_ERROR);
	assert_err(err, "expected no line after the end of the reply");
	assert_err(err, "got '250 more'");
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert_int_eq(r.code, 220);
	smtp_reply_clear(&r);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 more", err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_int_eq(r.code, 250);
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_hostile_bytes)
{
	struct smtp_reply r = {0};
	char err[ERRLEN];

	smtp_bad("250 ok\r", "control character 0x0d at byte 7");
	smtp_bad("250 ok\rinjected", "control character 0x0d");
	smtp_bad("250-a\nb", "control character 0x0a at byte 6");
	smtp_bad("220 \x1b[2Jmx", "control character 0x1b at byte 5");
	smtp_bad("220 mx\x7f", "control character 0x7f");
	smtp_bad("220 \x01", "control character 0x01");
	smtp_bad("220\x1b", "expected '-', ' ' or the end of the line");
	/* The quote carries the raw bytes; renderers escape them. */
	smtp_bad("220 \x1b[31mred", "got '220 \x1b[31mred'");

	/* HT and 8-bit text (UTF-8 greetings) are text. */
	ck_assert_int_eq(smtp_reply_feed(&r,
	                                 "220 mx\tESMTP h\xc3\xa9"
	                                 "llo \xff\x80",
	                                 err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_str_eq(r.lines[0], "mx\tESMTP h\xc3\xa9llo \xff\x80");
	smtp_reply_clear(&r);
	smtp_bad("\xc3\xa9 250", "3-digit reply code");
}
END_TEST

START_TEST(smtp_long_lines)
{
	struct smtp_reply r = {0};
	char err[ERRLEN];
	char *line = repeat("250 ", 'a', 10000);

	ck_assert_int_eq(smtp_reply_feed(&r, line, err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_uint_eq(strlen(r.lines[0]), 10000);
	smtp_reply_clear(&r);
	free(line);

	/* At most 40 bytes are quoted, then "...". */
	line = repeat("", 'x', 10000);
	ck_assert_int_eq(smtp_reply_feed(&r, line, err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected a 3-digit reply code, got "
	                      "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'...");
	free(line);

	/* Exactly 40 bytes: no ellipsis. */
	line = repeat("", 'y', 40);
	ck_assert_int_eq(smtp_reply_feed(&r, line, err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected a 3-digit reply code, got "
	                      "'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'");
	free(line);

	/* A small err buffer is filled, never overrun. */
	char small[8];
	ck_assert_int_eq(smtp_reply_feed(&r, "hello", small, sizeof(small)),
	                 PROTO_ERROR);
	ck_assert_str_eq(small, "expecte");
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(smtp_line_cap)
{
	struct smtp_reply r = {0};
	char err[ERRLEN];

	for (int i = 0; i < 255; i++)
		ck_assert_int_eq(smtp_reply_feed(&r, "250-x", err, sizeof(err)),
		                 PROTO_MORE);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 last", err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_uint_eq(r.nlines, 256);
	ck_assert_str_eq(r.lines[255], "last");
	smtp_reply_clear(&r);

	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(smtp_reply_feed(&r, "250-x", err, sizeof(err)),
		                 PROTO_MORE);
	ck_assert_int_eq(smtp_reply_feed(&r, "250 last", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected at most 256 lines in one reply, "
	                      "got '250 last'");
	ck_assert_uint_eq(r.nlines, 256);
	ck_assert_int_eq(smtp_reply_feed(&r, "250-x", err, sizeof(err)),
	                 PROTO_ERROR);
	smtp_reply_clear(&r);
}
END_TEST

/* ================================================================ IMAP */

static void
imap_ok(const char *line, struct imap_line *l)
{
	char err[ERRLEN] = "";

	ck_assert_msg(imap_parse_line(line, l, err, sizeof(err)) == 0,
	              "'%s': %s", line, err);
}

static void
imap_bad(const char *line, const char *want)
{
	struct imap_line l;
	char err[ERRLEN] = "";

	ck_assert_int_eq(imap_parse_line(line, &l, err, sizeof(err)), -1);
	assert_err(err, want);
}

/* The [code] of l is exactly want (NULL: no code). */
static void
assert_code(const struct imap_line *l, const char *want)
{
	if (want == NULL) {
		ck_assert_ptr_null(l->code);
		return;
	}
	ck_assert_ptr_nonnull(l->code);
	ck_assert_uint_eq(l->code_len, strlen(want));
	ck_assert_int_eq(memcmp(l->code, want, l->code_len), 0);
}

static void
caps_ok(const char *s, struct imap_caps *caps)
{
	char err[ERRLEN] = "";

	ck_assert_msg(imap_caps_parse(s, strlen(s), caps, err, sizeof(err)) ==
	                      0,
	              "'%s': %s", s, err);
}

/* Parse the capabilities of a [CAPABILITY ...] response code. */
static void
caps_from_code(const struct imap_line *l, struct imap_caps *caps)
{
	char err[ERRLEN] = "";
	const size_t skip = strlen("CAPABILITY ");

	ck_assert_uint_gt(l->code_len, skip);
	ck_assert_int_eq(strncmp(l->code, "CAPABILITY ", skip), 0);
	ck_assert_msg(imap_caps_parse(l->code + skip, l->code_len - skip, caps,
	                              err, sizeof(err)) == 0,
	              "%s", err);
}

START_TEST(imap_dovecot)
{
	struct imap_line l;
	struct imap_caps caps = {0};

	imap_ok("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
	        "IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.",
	        &l);
	ck_assert_int_eq(l.kind, IMAP_UNTAGGED);
	ck_assert_str_eq(l.status, "OK");
	ck_assert_str_eq(l.tag, "");
	assert_code(&l, "CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID "
	                "ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED");
	ck_assert_str_eq(l.text, "Dovecot (Debian) ready.");

	caps_from_code(&l, &caps);
	ck_assert_uint_eq(caps.n, 9);
	ck_assert_str_eq(caps.v[0], "IMAP4REV1");
	ck_assert_str_eq(caps.v[8], "LOGINDISABLED");
	ck_assert(imap_caps_has(&caps, "IMAP4rev1"));
	ck_assert(imap_caps_has(&caps, "STARTTLS"));
	ck_assert(imap_caps_has(&caps, "starttls"));
	ck_assert(imap_caps_has(&caps, "LoginDisabled"));
	ck_assert(imap_caps_has(&caps, "literal+"));
	ck_assert(imap_caps_has(&caps, "SASL-IR"));
	ck_assert(!imap_caps_has(&caps, "IMAP4"));
	ck_assert(!imap_caps_has(&caps, "LITERAL"));
	ck_assert(!imap_caps_has(&caps, "AUTH=PLAIN"));
	ck_assert(!imap_caps_has(&caps, ""));
	imap_caps_clear(&caps);

	imap_ok("a1 OK Pre-login capabilities listed, post-login capabilities "
	        "have more.",
	        &l);
	ck_assert_int_eq(l.kind, IMAP_TAGGED);
	ck_assert_str_eq(l.tag, "a1");
	ck_assert_str_eq(l.status, "OK");
	assert_code(&l, NULL);
	imap_ok("a2 OK Begin TLS negotiation now.", &l);
	ck_assert_str_eq(l.tag, "a2");
	imap_ok("* BYE Logging out", &l);
	ck_assert_int_eq(l.kind, IMAP_UNTAGGED);
	ck_assert_str_eq(l.status, "BYE");
	ck_assert_str_eq(l.text, "Logging out");
	imap_ok("a3 OK Logout completed (0.001 + 0.000 secs).", &l);
	ck_assert_str_eq(l.text, "Logout completed (0.001 + 0.000 secs).");
	imap_ok("a4 NO [AUTHENTICATIONFAILED] Authentication failed.", &l);
	ck_assert_str_eq(l.status, "NO");
	assert_code(&l, "AUTHENTICATIONFAILED");
	ck_assert_str_eq(l.text, "Authentication failed.");
	imap_ok("a5 BAD Error in IMAP command received by server.", &l);
	ck_assert_str_eq(l.status, "BAD");
}
END_TEST

START_TEST(imap_cyrus_courier_exchange)
{
	struct imap_line l;
	struct imap_caps caps = {0};

	imap_ok("* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE STARTTLS "
	        "AUTH=PLAIN AUTH=LOGIN SASL-IR] imap.example.com Cyrus IMAP "
	        "3.6.1 server ready",
	        &l);
	ck_assert_str_eq(l.text,
	                 "imap.example.com Cyrus IMAP 3.6.1 server ready");
	caps_from_code(&l, &caps);
	ck_assert(imap_caps_has(&caps, "AUTH=PLAIN"));
	ck_assert(imap_caps_has(&caps, "auth=login"));
	ck_assert(!imap_caps_has(&caps, "AUTH"));
	ck_assert(!imap_caps_has(&caps, "AUTH=GSSAPI"));

	/* Courier: '=' in atoms, two spaces inside the text. */
	imap_ok("* OK [CAPABILITY IMAP4rev1 UIDPLUS CHILDREN NAMESPACE "
	        "THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE ACL "
	        "ACL2=UNION STARTTLS] Courier-IMAP ready. Copyright 1998-2018 "
	        "Double Precision, Inc.  See COPYING for distribution "
	        "information.",
	        &l);
	ck_assert_str_eq(l.text, "Courier-IMAP ready. Copyright 1998-2018 "
	                         "Double Precision, Inc.  See COPYING for "
	                         "distribution information.");
	caps_from_code(&l, &caps); /* replaces the Cyrus list */
	ck_assert_uint_eq(caps.n, 12);
	ck_assert(imap_caps_has(&caps, "ACL2=UNION"));
	ck_assert(imap_caps_has(&caps, "thread=references"));
	ck_assert(!imap_caps_has(&caps, "AUTH=PLAIN"));

	/* Exchange: plain greeting, then a CAPABILITY response. */
	imap_ok("* OK The Microsoft Exchange IMAP4 service is ready.", &l);
	ck_assert_str_eq(l.status, "OK");
	assert_code(&l, NULL);
	ck_assert_str_eq(l.text,
	                 "The Microsoft Exchange IMAP4 service is ready.");
	imap_ok("* CAPABILITY IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI AUTH=PLAIN "
	        "STARTTLS UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE "
	        "LITERAL+",
	        &l);
	ck_assert_int_eq(l.kind, IMAP_UNTAGGED);
	ck_assert_str_eq(l.status, "CAPABILITY");
	assert_code(&l, NULL);
	caps_ok(l.text, &caps);
	ck_assert_uint_eq(caps.n, 14);
	ck_assert(imap_caps_has(&caps, "IMAP4"));
	ck_assert(imap_caps_has(&caps, "AUTH=NTLM"));
	imap_ok("a1 OK CAPABILITY completed.", &l);
	ck_assert_str_eq(l.text, "CAPABILITY completed.");
	imap_caps_clear(&caps);
	ck_assert_uint_eq(caps.n, 0);
	ck_assert_ptr_null(caps.v);
}
END_TEST

START_TEST(imap_forms)
{
	struct imap_line l;

	imap_ok("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN", &l);
	ck_assert_str_eq(l.status, "CAPABILITY");
	ck_assert_str_eq(l.text, "IMAP4rev1 STARTTLS AUTH=PLAIN");

	imap_ok("a1 OK [READ-WRITE] done", &l);
	ck_assert_int_eq(l.kind, IMAP_TAGGED);
	ck_assert_str_eq(l.tag, "a1");
	ck_assert_str_eq(l.status, "OK");
	assert_code(&l, "READ-WRITE");
	ck_assert_str_eq(l.text, "done");
	imap_ok("a1 NO x", &l);
	ck_assert_str_eq(l.status, "NO");
	ck_assert_str_eq(l.text, "x");
	imap_ok("a1 BAD x", &l);
	ck_assert_str_eq(l.status, "BAD");

	/* Status words in any case, stored upper-case. */
	imap_ok("A0001 ok [capability imap4rev1] Logged in", &l);
	ck_assert_str_eq(l.tag, "A0001");
	ck_assert_str_eq(l.status, "OK");
	assert_code(&l, "capability imap4rev1");
	imap_ok("* Ok ready", &l);
	ck_assert_str_eq(l.status, "OK");
	imap_ok("* capability IMAP4rev1", &l);
	ck_assert_str_eq(l.status, "CAPABILITY");
	imap_ok("x bAd what", &l);
	ck_assert_str_eq(l.status, "BAD");

	/* Text and code are optional. */
	imap_ok("a1 OK", &l);
	ck_assert_str_eq(l.text, "");
	assert_code(&l, NULL);
	imap_ok("* OK [ALERT]", &l);
	assert_code(&l, "ALERT");
	ck_assert_str_eq(l.text, "");
	imap_ok("* CAPABILITY", &l);
	ck_assert_str_eq(l.text, "");

	imap_ok("* PREAUTH [CAPABILITY IMAP4rev2] imap.example.com ready", &l);
	ck_assert_str_eq(l.status, "PREAUTH");
	assert_code(&l, "CAPABILITY IMAP4rev2");
	imap_ok("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\*)] Limited", &l);
	assert_code(&l, "PERMANENTFLAGS (\\Answered \\Flagged \\*)");
	imap_ok("* OK [UIDVALIDITY 3857529045] UIDs valid", &l);
	assert_code(&l, "UIDVALIDITY 3857529045");
	imap_ok("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", &l);
	ck_assert_str_eq(l.status, "FLAGS");
	ck_assert_str_eq(l.text, "(\\Answered \\Flagged \\Deleted \\Seen "
	                         "\\Draft)");
	assert_code(&l, NULL);
	/* Only status responses have a code: a data '[' is text. */
	imap_ok("* ID (\"name\" \"[x\")", &l);
	assert_code(&l, NULL);

	/* Tags: atom characters and ']', 1-31 of them. */
	imap_ok("a.b-c_d~1! OK x", &l);
	ck_assert_str_eq(l.tag, "a.b-c_d~1!");
	imap_ok("]tag OK x", &l);
	ck_assert_str_eq(l.tag, "]tag");
	imap_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa OK x", &l);
	ck_assert_uint_eq(strlen(l.tag), 31);
}
END_TEST

START_TEST(imap_numeric)
{
	struct imap_line l;

	/* The number is dropped: status is the keyword after it. */
	imap_ok("* 12 EXISTS", &l);
	ck_assert_int_eq(l.kind, IMAP_UNTAGGED);
	ck_assert_str_eq(l.status, "EXISTS");
	ck_assert_str_eq(l.text, "");
	assert_code(&l, NULL);
	imap_ok("* 0 recent", &l);
	ck_assert_str_eq(l.status, "RECENT");
	imap_ok("* 3 FETCH (FLAGS (\\Seen) UID 4827313)", &l);
	ck_assert_str_eq(l.status, "FETCH");
	ck_assert_str_eq(l.text, "(FLAGS (\\Seen) UID 4827313)");

	imap_bad("* 12", "expected a space after the message number");
	imap_bad("* 12x EXISTS", "expected a space after the message number");
	imap_bad("* 12 ", "expected a response keyword");
	imap_bad("* 12  EXISTS", "expected a response keyword");
	imap_bad("* 12 OK [ALERT] x", "expected a message data keyword");
	imap_bad("* 1 BYE", "expected a message data keyword");
}
END_TEST

START_TEST(imap_continuation)
{
	struct imap_line l;

	imap_ok("+ go ahead", &l);
	ck_assert_int_eq(l.kind, IMAP_CONTINUATION);
	ck_assert_str_eq(l.text, "go ahead");
	ck_assert_str_eq(l.status, "");
	ck_assert_str_eq(l.tag, "");
	imap_ok("+", &l);
	ck_assert_int_eq(l.kind, IMAP_CONTINUATION);
	ck_assert_str_eq(l.text, "");
	imap_ok("+ ", &l);
	ck_assert_str_eq(l.text, "");
	imap_ok("+ idling", &l);
	imap_ok("+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRA",
	        &l);
	ck_assert_str_eq(
		l.text,
		"YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRA");
	imap_ok("+ [ALERT] hurry", &l);
	assert_code(&l, "ALERT");
	ck_assert_str_eq(l.text, "hurry");
	imap_bad("+x", "expected a space after '+'");
	imap_bad("++", "expected a space after '+'");
}
END_TEST

START_TEST(imap_errors)
{
	struct imap_line l;
	char err[ERRLEN];

	ck_assert_int_eq(imap_parse_line("", &l, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "expected an IMAP response, got an empty line");
	ck_assert_int_eq(imap_parse_line("a1 BYE x", &l, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "expected OK, NO or BAD after the tag, got "
	                      "'a1 BYE x'");

	/* Tags */
	imap_bad("*", "expected '* ', '+' or a tag");
	imap_bad("*OK ready", "expected '* ', '+' or a tag");
	imap_bad(" a1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a(1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a+1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a%1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a\"1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a\\1 OK x", "expected '* ', '+' or a tag");
	imap_bad("a{1 OK x", "expected '* ', '+' or a tag");
	imap_bad("\xc3\xa9 OK x", "expected '* ', '+' or a tag");
	imap_bad("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa OK x",
	         "expected a tag of at most 31 characters");

	/* Tagged status */
	imap_bad("a1", "expected OK, NO or BAD after the tag");
	imap_bad("a1 ", "expected OK, NO or BAD after the tag");
	imap_bad("a1  OK x", "expected OK, NO or BAD after the tag");
	imap_bad("a1 PREAUTH x", "expected OK, NO or BAD after the tag");
	imap_bad("a1 CAPABILITY x", "expected OK, NO or BAD after the tag");
	imap_bad("a1 OKAY x", "expected OK, NO or BAD after the tag");
	imap_bad("a1 OK[x] y", "expected OK, NO or BAD after the tag");
	imap_bad("a1 VERYLONGSTATUSWORDINDEED x",
	         "expected OK, NO or BAD after the tag");

	/* Untagged keyword */
	imap_bad("* ", "expected a response keyword");
	imap_bad("*  OK", "expected a response keyword");
	imap_bad("* (x)", "expected a response keyword");
	imap_bad("* OK(x)", "expected a space or the end of the line after "
	                    "the response keyword");
	imap_bad("* AVERYLONGKEYWORD x",
	         "expected a response keyword of at most 15 characters");
	imap_bad("*\tOK x", "expected '* ', '+' or a tag");

	/* Response codes */
	imap_bad("* OK [ALERT", "expected ']' to close the response code");
	imap_bad("a1 OK [READ-WRITE done", "expected ']'");
	imap_bad("* OK [] x", "expected an atom after '['");
	imap_bad("* OK [ ALERT] x", "expected an atom after '['");
	imap_bad("* OK [ALERT(x)] y", "expected a space or ']' after the "
	                              "response code 'ALERT'");
	imap_bad("* OK [ALERT]x", "expected a space after ']'");

	/* Literals */
	imap_bad("* LIST () \"/\" {5}",
	         "expected a response without a literal");
	imap_bad("a1 OK {123}", "without a literal");
	imap_bad("* 1 FETCH (BODY[] {0}", "without a literal");
	imap_bad("* 1 FETCH (BINARY[] ~{12}", "without a literal");
	imap_ok("* OK {} is not a literal", &l);
	imap_ok("* OK {x}", &l);
	imap_ok("* OK }", &l);
	imap_ok("* OK {5} then text", &l);
}
END_TEST

START_TEST(imap_hostile_bytes)
{
	struct imap_line l;
	char err[ERRLEN];

	imap_bad("* OK hi\x1b[2J", "control character 0x1b at byte 8");
	imap_bad("* OK hi\r", "control character 0x0d");
	imap_bad("* OK hi\r\n* BYE", "control character 0x0d");
	imap_bad("a1 OK \x7f", "control character 0x7f");
	imap_bad("\x01", "control character 0x01 at byte 1");
	imap_bad("* OK [ALERT\x07] x", "control character 0x07");

	/* 8-bit (UTF-8) text and HT are text; not in tags or keywords. */
	imap_ok("* OK Pr\xc3\xaat \xe2\x9c\x93\tready", &l);
	ck_assert_str_eq(l.text, "Pr\xc3\xaat \xe2\x9c\x93\tready");
	imap_bad("* \xc3\x89TAT x", "expected a response keyword");

	/* Very long lines parse; errors quote 40 bytes. */
	char *line = repeat("* OK ", 'a', 20000);
	imap_ok(line, &l);
	ck_assert_uint_eq(strlen(l.text), 20000);
	free(line);
	line = repeat("", 't', 5000);
	ck_assert_int_eq(imap_parse_line(line, &l, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "expected a tag of at most 31 characters, got "
	                      "'tttttttttttttttttttttttttttttttttttttttt'...");
	free(line);
	line = repeat("* OK [", 'C', 5000);
	imap_bad(line, "expected ']'");
	free(line);
}
END_TEST

START_TEST(imap_caps)
{
	struct imap_caps caps = {0};
	char err[ERRLEN];

	caps_ok("IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED", &caps);
	ck_assert_uint_eq(caps.n, 4);
	ck_assert_str_eq(caps.v[2], "AUTH=PLAIN");
	ck_assert(imap_caps_has(&caps, "auth=plain"));
	ck_assert(!imap_caps_has(&caps, "AUTH"));
	ck_assert(!imap_caps_has(&caps, "AUTH=PLAI"));

	/* Extra spaces change nothing. */
	caps_ok("  IMAP4rev1   STARTTLS ", &caps);
	ck_assert_uint_eq(caps.n, 2);
	ck_assert_str_eq(caps.v[1], "STARTTLS");
	caps_ok("X", &caps);
	ck_assert_uint_eq(caps.n, 1);
	/* Printable atom characters beyond letters: ; ! # & ' etc. */
	caps_ok("X-A;B!#$&'+,-./:<=>?@[^_`|~", &caps);
	ck_assert_str_eq(caps.v[0], "X-A;B!#$&'+,-./:<=>?@[^_`|~");

	/* Only len bytes are read: the code inside a longer line. */
	const char *line = "IMAP4rev1 STARTTLS] Dovecot ready.";
	ck_assert_int_eq(imap_caps_parse(line, 18, &caps, err, sizeof(err)), 0);
	ck_assert_uint_eq(caps.n, 2);
	ck_assert_int_eq(imap_caps_parse(line, 9, &caps, err, sizeof(err)), 0);
	ck_assert_uint_eq(caps.n, 1);
	ck_assert_str_eq(caps.v[0], "IMAP4REV1");

	/* Errors leave the previous list in place. */
	ck_assert_int_eq(imap_caps_parse("", 0, &caps, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "expected at least one capability, got an "
	                      "empty line");
	ck_assert_int_eq(imap_caps_parse("   ", 3, &caps, err, sizeof(err)),
	                 -1);
	assert_err(err, "expected at least one capability");
	ck_assert_int_eq(
		imap_caps_parse("IMAP4rev1 (X)", 13, &caps, err, sizeof(err)),
		-1);
	ck_assert_str_eq(err, "expected a capability of IMAP atom characters, "
	                      "got '(X)'");
	ck_assert_uint_eq(caps.n, 1);
	ck_assert_str_eq(caps.v[0], "IMAP4REV1");

	static const char *const bad[] = {
		"A\"B",     "IMAP4rev1 *",   "A]B",          "A%",
		"A\\B",     "A{5}",          "A\tB",         "A\x01",
		"\xc3\xa9", "IDLE \x1b[31m", "STARTTLS\x7f", "A)"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(imap_caps_parse(bad[i], strlen(bad[i]), &caps,
		                              err, sizeof(err)) == -1,
		              "'%s' accepted", bad[i]);
		assert_err(err,
		           "expected a capability of IMAP atom characters");
	}
	ck_assert_uint_eq(caps.n, 1);

	/* Long lists and long atoms: quote 40 bytes at the bad atom. */
	char *s = repeat("IMAP4rev1 ", 'Z', 3000);
	caps_ok(s, &caps);
	ck_assert_uint_eq(strlen(caps.v[1]), 3000);
	s[2000] = '(';
	ck_assert_int_eq(imap_caps_parse(s, strlen(s), &caps, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err,
	                 "expected a capability of IMAP atom characters, "
	                 "got 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'...");
	free(s);
	imap_caps_clear(&caps);
	imap_caps_clear(&caps);
}
END_TEST

/* ================================================================ POP3 */

static void
pop3_ok(const char *line, bool want_ok, const char *want_text)
{
	bool ok = !want_ok;
	const char *text = NULL;
	char err[ERRLEN] = "";

	ck_assert_msg(pop3_status(line, &ok, &text, err, sizeof(err)) == 0,
	              "'%s': %s", line, err);
	ck_assert(ok == want_ok);
	ck_assert_str_eq(text, want_text);
}

static void
pop3_bad(const char *line, const char *want)
{
	bool ok;
	const char *text;
	char err[ERRLEN] = "";

	ck_assert_int_eq(pop3_status(line, &ok, &text, err, sizeof(err)), -1);
	assert_err(err, want);
}

/* Feed a NULL-terminated list; all but the last must be MORE. */
static void
pop3_multi_ok(struct pop3_multi *m, const char *const *lines)
{
	char err[ERRLEN] = "";

	for (size_t i = 0; lines[i] != NULL; i++) {
		enum proto_res want = lines[i + 1] ? PROTO_MORE : PROTO_DONE;
		enum proto_res got =
			pop3_multi_feed(m, lines[i], err, sizeof(err));
		ck_assert_msg(got == want, "line '%s': got %d, want %d (%s)",
		              lines[i], got, want, err);
	}
	ck_assert(m->done);
}

static void
assert_capa(const struct pop3_multi *m, const char *cap, const char *params)
{
	const char *p = NULL;

	ck_assert_msg(pop3_capa_has(m, cap, &p), "CAPA lacks %s", cap);
	ck_assert_str_eq(p, params);
}

START_TEST(pop3_greetings)
{
	pop3_ok("+OK Dovecot (Debian) ready.", true, "Dovecot (Debian) ready.");
	pop3_ok("+OK Hello there.", true, "Hello there.");
	pop3_ok("+OK The Microsoft Exchange POP3 service is ready.", true,
	        "The Microsoft Exchange POP3 service is ready.");
	pop3_ok("+OK pop.example.com Cyrus POP3 v3.6.1 server ready "
	        "<1896.1704110400@pop.example.com>",
	        true,
	        "pop.example.com Cyrus POP3 v3.6.1 server ready "
	        "<1896.1704110400@pop.example.com>");
	pop3_ok("+OK", true, "");
	pop3_ok("+OK ", true, "");
	pop3_ok("-ERR", false, "");
	pop3_ok("-ERR [AUTH] Authentication failed.", false,
	        "[AUTH] Authentication failed.");
	pop3_ok("-ERR [SYS/TEMP] Try again later", false,
	        "[SYS/TEMP] Try again later");
	pop3_ok("+OK Begin TLS negotiation now.", true,
	        "Begin TLS negotiation now.");
	/* Any case is taken. */
	pop3_ok("+ok lower", true, "lower");
	pop3_ok("-err no", false, "no");
	pop3_ok("-Err", false, "");
	/* HT and 8-bit text */
	pop3_ok("+OK pr\xc3\xaat\tnow", true, "pr\xc3\xaat\tnow");
}
END_TEST

START_TEST(pop3_status_errors)
{
	bool ok;
	const char *text;
	char err[ERRLEN];

	ck_assert_int_eq(pop3_status("hello", &ok, &text, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "expected '+OK' or '-ERR', then a space or the "
	                      "end of the line, got 'hello'");
	ck_assert_int_eq(pop3_status("", &ok, &text, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "expected '+OK' or '-ERR', then a space or the "
	                      "end of the line, got an empty line");

	pop3_bad("OK ready", "expected '+OK' or '-ERR'");
	pop3_bad("+OKAY", "expected '+OK' or '-ERR'");
	pop3_bad("+OK\tx", "expected '+OK' or '-ERR'");
	pop3_bad("-ERROR x", "expected '+OK' or '-ERR'");
	pop3_bad("+ OK", "expected '+OK' or '-ERR'");
	pop3_bad(" +OK", "expected '+OK' or '-ERR'");
	pop3_bad("+", "expected '+OK' or '-ERR'");
	pop3_bad("-", "expected '+OK' or '-ERR'");
	pop3_bad("* OK IMAP ready", "expected '+OK' or '-ERR'");
	pop3_bad("220 mx ESMTP", "got '220 mx ESMTP'");
	pop3_bad("+OK ready\r", "control character 0x0d at byte 10");
	pop3_bad("+OK \x1b]0;title\x07", "control character 0x1b");
	pop3_bad("\x7f+OK", "control character 0x7f at byte 1");

	char *line = repeat("", '-', 100);
	ck_assert_int_eq(pop3_status(line, &ok, &text, err, sizeof(err)), -1);
	assert_err(err, "got '----------------------------------------'...");
	free(line);
	line = repeat("+OK ", 'o', 30000);
	ck_assert_int_eq(pop3_status(line, &ok, &text, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(text), 30000);
	free(line);
}
END_TEST

START_TEST(pop3_capa)
{
	static const char *const dovecot[] = {
		"CAPA",       "TOP",        "UIDL",
		"RESP-CODES", "PIPELINING", "AUTH-RESP-CODE",
		"STLS",       "USER",       "SASL PLAIN",
		".",          NULL};
	static const char *const courier[] = {
		"TOP",        "USER", "LOGIN-DELAY 10",
		"PIPELINING", "UIDL", "IMPLEMENTATION Courier Mail Server",
		"STLS",       ".",    NULL};
	struct pop3_multi m = {0};

	pop3_multi_ok(&m, dovecot);
	ck_assert_uint_eq(m.nlines, 9);
	assert_capa(&m, "TOP", "");
	assert_capa(&m, "UIDL", "");
	assert_capa(&m, "RESP-CODES", "");
	assert_capa(&m, "AUTH-RESP-CODE", "");
	assert_capa(&m, "STLS", "");
	assert_capa(&m, "stls", "");
	assert_capa(&m, "User", "");
	assert_capa(&m, "SASL", "PLAIN");
	ck_assert(pop3_capa_has(&m, "PIPELINING", NULL));
	ck_assert(!pop3_capa_has(&m, "APOP", NULL));
	ck_assert(!pop3_capa_has(&m, "RESP", NULL));
	ck_assert(!pop3_capa_has(&m, "SASL PLAIN", NULL));
	ck_assert(!pop3_capa_has(&m, "", NULL));
	ck_assert(!pop3_capa_has(&m, ".", NULL));
	pop3_multi_clear(&m);
	ck_assert_uint_eq(m.nlines, 0);
	ck_assert_ptr_null(m.lines);
	ck_assert(!m.done);

	pop3_multi_ok(&m, courier);
	assert_capa(&m, "LOGIN-DELAY", "10");
	assert_capa(&m, "implementation", "Courier Mail Server");
	assert_capa(&m, "STLS", "");
	ck_assert(!pop3_capa_has(&m, "SASL", NULL));
	pop3_multi_clear(&m);

	/* An empty response. */
	ck_assert_int_eq(pop3_multi_feed(&m, ".", NULL, 0), PROTO_DONE);
	ck_assert_uint_eq(m.nlines, 0);
	ck_assert(!pop3_capa_has(&m, "STLS", NULL));
	pop3_multi_clear(&m);
}
END_TEST

START_TEST(pop3_dots)
{
	static const char *const stuffed[] = {"..", "..hidden",    "...", "a.b",
	                                      "",   "SASL  PLAIN", ".",   NULL};
	struct pop3_multi m = {0};
	char err[ERRLEN];

	pop3_multi_ok(&m, stuffed);
	ck_assert_uint_eq(m.nlines, 6);
	ck_assert_str_eq(m.lines[0], ".");
	ck_assert_str_eq(m.lines[1], ".hidden");
	ck_assert_str_eq(m.lines[2], "..");
	ck_assert_str_eq(m.lines[3], "a.b");
	ck_assert_str_eq(m.lines[4], "");
	/* "rest after one space" */
	assert_capa(&m, "SASL", " PLAIN");
	ck_assert(!pop3_capa_has(&m, "", NULL));

	/* Fed after the end */
	ck_assert_int_eq(pop3_multi_feed(&m, "TOP", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected no line after the final '.' "
	                      "(pop3_multi_clear starts the next response), "
	                      "got 'TOP'");
	ck_assert_uint_eq(m.nlines, 6);
	pop3_multi_clear(&m);

	ck_assert_int_eq(pop3_multi_feed(&m, "TOP", err, sizeof(err)),
	                 PROTO_MORE);
	ck_assert_int_eq(pop3_multi_feed(&m, ".x", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected '.' alone or a dot-stuffed line "
	                      "('..'), got '.x'");
	ck_assert_int_eq(pop3_multi_feed(&m, ". ", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_int_eq(pop3_multi_feed(&m, ".\t", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_uint_eq(m.nlines, 1);
	ck_assert(!m.done);
	ck_assert_int_eq(pop3_multi_feed(&m, "UIDL\r", err, sizeof(err)),
	                 PROTO_ERROR);
	assert_err(err, "control character 0x0d at byte 5");
	ck_assert_int_eq(pop3_multi_feed(&m, ".\r", err, sizeof(err)),
	                 PROTO_ERROR);
	assert_err(err, "control character 0x0d at byte 2");
	ck_assert_int_eq(pop3_multi_feed(&m, "\x1b[1mSTLS", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_int_eq(
		pop3_multi_feed(&m, "X-\xc3\xa9T\xc3\xa9", err, sizeof(err)),
		PROTO_MORE);
	ck_assert_uint_eq(m.nlines, 2);
	pop3_multi_clear(&m);
}
END_TEST

START_TEST(pop3_line_cap)
{
	struct pop3_multi m = {0};
	char err[ERRLEN];

	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(pop3_multi_feed(&m, "X", err, sizeof(err)),
		                 PROTO_MORE);
	ck_assert_int_eq(pop3_multi_feed(&m, ".", err, sizeof(err)),
	                 PROTO_DONE);
	ck_assert_uint_eq(m.nlines, 256);
	pop3_multi_clear(&m);

	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(pop3_multi_feed(&m, "X", err, sizeof(err)),
		                 PROTO_MORE);
	ck_assert_int_eq(pop3_multi_feed(&m, "Y", err, sizeof(err)),
	                 PROTO_ERROR);
	ck_assert_str_eq(err, "expected at most 256 lines before the final "
	                      "'.', got 'Y'");
	ck_assert_uint_eq(m.nlines, 256);
	ck_assert(!m.done);
	pop3_multi_clear(&m);

	char *line = repeat("IMPLEMENTATION ", 'v', 50000);
	ck_assert_int_eq(pop3_multi_feed(&m, line, err, sizeof(err)),
	                 PROTO_MORE);
	const char *p;
	ck_assert(pop3_capa_has(&m, "IMPLEMENTATION", &p));
	ck_assert_uint_eq(strlen(p), 50000);
	free(line);
	pop3_multi_clear(&m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("proto");
	TCase *smtp = tcase_create("smtp");
	TCase *imap = tcase_create("imap");
	TCase *pop3 = tcase_create("pop3");

	tcase_add_test(smtp, smtp_postfix);
	tcase_add_test(smtp, smtp_exim);
	tcase_add_test(smtp, smtp_exchange);
	tcase_add_test(smtp, smtp_keywords_case);
	tcase_add_test(smtp, smtp_old_auth);
	tcase_add_test(smtp, smtp_forms);
	tcase_add_test(smtp, smtp_code_ranges);
	tcase_add_test(smtp, smtp_syntax_errors);
	tcase_add_test(smtp, smtp_code_change);
	tcase_add_test(smtp, smtp_after_done);
	tcase_add_test(smtp, smtp_hostile_bytes);
	tcase_add_test(smtp, smtp_long_lines);
	tcase_add_test(smtp, smtp_line_cap);
	suite_add_tcase(s, smtp);

	tcase_add_test(imap, imap_dovecot);
	tcase_add_test(imap, imap_cyrus_courier_exchange);
	tcase_add_test(imap, imap_forms);
	tcase_add_test(imap, imap_numeric);
	tcase_add_test(imap, imap_continuation);
	tcase_add_test(imap, imap_errors);
	tcase_add_test(imap, imap_hostile_bytes);
	tcase_add_test(imap, imap_caps);
	suite_add_tcase(s, imap);

	tcase_add_test(pop3, pop3_greetings);
	tcase_add_test(pop3, pop3_status_errors);
	tcase_add_test(pop3, pop3_capa);
	tcase_add_test(pop3, pop3_dots);
	tcase_add_test(pop3, pop3_line_cap);
	suite_add_tcase(s, pop3);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
