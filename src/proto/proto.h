/*
 * proto.h -- strict parsers for the replies of SMTP (RFC 5321), IMAP
 * (RFC 9051/3501) and POP3 (RFC 1939, CAPA: RFC 2449).
 *
 * They see one line at a time, without its CRLF, already bounded in length
 * by the connection; they never read past it and never trust it: a line
 * that does not parse is an error with a message saying what was expected,
 * quoting at most a bounded, unescaped prefix of the line (renderers escape
 * it later).
 */
#ifndef MAILREADY_PROTO_H
#define MAILREADY_PROTO_H

#include <stdbool.h>
#include <stddef.h>

enum proto_res {
	PROTO_MORE,  /* the reply continues on the next line */
	PROTO_DONE,  /* the reply is complete */
	PROTO_ERROR, /* not the protocol: err says why */
};

/* ------------------------------------------------------------------ */
/* SMTP */

struct smtp_reply {
	int code;     /* 220, 250, ...; 0 before the first line */
	char **lines; /* text after "NNN-" / "NNN " of each line */
	size_t nlines;
	bool done;
};

/**
 * Feed one line of a (possibly multi-line) reply: "250-a", "250-b",
 * "250 c". Every line needs a 3-digit code (first digit 2-5), the same on
 * every line, then '-' (more follows), ' ' or the end of the line (last
 * line). At most 256 lines per reply.
 * @return PROTO_MORE, PROTO_DONE, or PROTO_ERROR with err set.
 */
enum proto_res smtp_reply_feed(struct smtp_reply *r, const char *line,
                               char *err, size_t errlen);

/** Free the lines and reset for the next reply. */
void smtp_reply_clear(struct smtp_reply *r);

/**
 * Does an EHLO reply offer keyword (case-insensitive, RFC 5321 2.4)? The
 * first line is the greeting host, not a keyword. If params is not NULL it
 * gets the parameters after the keyword ("PLAIN LOGIN" for AUTH), or "".
 */
bool smtp_ehlo_has(const struct smtp_reply *r, const char *keyword,
                   const char **params);

/**
 * The host name a 220 greeting or EHLO reply announces: the first word of
 * the first line (a new string), or NULL if the line is empty.
 */
char *smtp_reply_host(const struct smtp_reply *r);

/* ------------------------------------------------------------------ */
/* IMAP */

enum imap_kind {
	IMAP_UNTAGGED,     /* "* ..." */
	IMAP_TAGGED,       /* "a1 OK ..." */
	IMAP_CONTINUATION, /* "+ ..." */
};

struct imap_line {
	enum imap_kind kind;
	char tag[32];     /* tagged only */
	char status[16];  /* "OK", "NO", "BAD", "BYE", "PREAUTH", or the
			    untagged keyword ("CAPABILITY") / "" */
	const char *code; /* response code inside [...] without brackets,
			     or NULL; points into the line */
	size_t code_len;
	const char *text; /* the rest (after the code), into the line */
};

/**
 * Parse one response line. Tags are 1-31 characters of IMAP atom-chars
 * other than '+'. A "{n}" literal at the end of a line is an error here:
 * no reply mailready reads needs one.
 * @return 0, or -1 with err set.
 */
int imap_parse_line(const char *line, struct imap_line *out, char *err,
                    size_t errlen);

struct imap_caps {
	char **v; /* upper-cased capability atoms */
	size_t n;
};

/**
 * Parse a capability list ("IMAP4rev1 STARTTLS AUTH=PLAIN
 * LOGINDISABLED"), from a CAPABILITY response's text or a [CAPABILITY ...]
 * response code (without the word CAPABILITY). Replaces caps' contents.
 * @return 0, or -1 with err set (an empty list, a bad atom).
 */
int imap_caps_parse(const char *s, size_t len, struct imap_caps *caps,
                    char *err, size_t errlen);

bool imap_caps_has(const struct imap_caps *caps, const char *cap);
void imap_caps_clear(struct imap_caps *caps);

/* ------------------------------------------------------------------ */
/* POP3 */

/**
 * A status line: "+OK text" or "-ERR text" (the text may be absent).
 * @return 0 with *ok and *text (into line), or -1 with err set.
 */
int pop3_status(const char *line, bool *ok, const char **text, char *err,
                size_t errlen);

struct pop3_multi {
	char **lines; /* dot-unstuffed lines before the final "." */
	size_t nlines;
	bool done;
};

/**
 * Feed the lines after the +OK of a multi-line response (CAPA): "." alone
 * ends it, a leading ".." is unstuffed. At most 256 lines.
 */
enum proto_res pop3_multi_feed(struct pop3_multi *m, const char *line,
                               char *err, size_t errlen);

/** Does a CAPA response list cap (case-insensitive first word)? */
bool pop3_capa_has(const struct pop3_multi *m, const char *cap,
                   const char **params);

void pop3_multi_clear(struct pop3_multi *m);

#endif
