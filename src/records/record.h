/*
 * record.h -- what the mail-policy record parsers (DMARC, TLS-RPT,
 * MTA-STS) share: picking the one record of a version among the TXT
 * records of a name, quoting input bytes in messages, a bounded list of
 * warnings, report URIs and host name syntax.
 *
 * Everything here is pure: no I/O, no clock, no global state.
 */
#ifndef MAILREADY_RECORDS_RECORD_H
#define MAILREADY_RECORDS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many input bytes are quoted in one message. */
#define REC_QUOTE_MAX 60
/* A buffer that always holds a quote of REC_QUOTE_MAX bytes (4 per byte). */
#define REC_QUOTE_BUF (REC_QUOTE_MAX * 4 + 8)
/* Warnings kept per record; those past it are only counted. */
#define REC_WARN_MAX 16
/* Length of one warning, NUL included. */
#define REC_WARN_LEN 200
/* Host names as DNS bounds them (RFC 1035 2.3.4, no trailing dot). */
#define REC_HOST_MAX 253

/** One TXT record: its character-strings joined, as the DNS gave it. */
struct rec_txt {
	const char *s; /* may hold any byte, NUL included */
	size_t len;
};

/** Non-fatal findings of a parse, in input order. */
struct rec_warnings {
	size_t n;       /* kept in msg[] */
	size_t dropped; /* more than REC_WARN_MAX: counted, not kept */
	char msg[REC_WARN_MAX][REC_WARN_LEN];
};

enum rec_scheme {
	REC_SCHEME_OTHER,
	REC_SCHEME_MAILTO,
	REC_SCHEME_HTTPS,
};

/** A report destination (DMARC rua/ruf, TLS-RPT rua). */
struct rec_uri {
	char *uri;  /* as written, surrounding spaces trimmed */
	char *host; /* destination host, lowercase, no trailing dot; NULL
	               when the scheme has none we know how to find */
	enum rec_scheme scheme;
	uint64_t max_size; /* DMARC "!size" in bytes; 0: none given */
};

/**
 * "'TEXT'" for len bytes of s, at most REC_QUOTE_MAX of them (then "..."),
 * every byte outside printable ASCII, the quote and the backslash written
 * as \xNN, so that a message never carries a raw byte of the input.
 * @return buf: "" when buflen cannot hold the quote (4 bytes a byte
 *         quoted, plus 6); REC_QUOTE_BUF is always enough
 */
const char *rec_quote(const char *s, size_t len, char *buf, size_t buflen);

/** Add a warning (printf-style); past REC_WARN_MAX it is only counted. */
void rec_warn(struct rec_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Among n TXT records, the one that starts with prefix ("v=DMARC1"),
 * followed by the end, a space, a tab or ';' (so "v=DMARC10" is not one).
 * @param what  the record's name in messages ("DMARC")
 * @param index set to the record's position when one is found
 * @return 1 found; 0 none (err says so, and names a record that looks
 *         like one but differs in case or spacing); -1 several (err
 *         counts them: receivers then ignore them all)
 */
int rec_select(const struct rec_txt *txt, size_t n, const char *prefix,
               const char *what, size_t *index, char *err, size_t errlen);

/**
 * Is s (len bytes) a host name: LDH labels of 1 to 63 bytes, not starting
 * or ending with '-', REC_HOST_MAX bytes in all, one trailing dot allowed?
 * @return true, or false with the reason in why
 */
bool rec_host_valid(const char *s, size_t len, char *why, size_t whylen);

/**
 * Parse one report URI (len bytes, spaces already trimmed) into u: its
 * scheme and, for mailto: and https:, its destination host, which must be
 * a valid host name. DMARC's "!size[kmgt]" suffix is read only when
 * size_suffix is true. u->uri and u->host are allocated: rec_uri_free().
 * @return 0, or -1 with the reason in err (u is then left empty)
 */
int rec_uri_parse(const char *s, size_t len, bool size_suffix,
                  struct rec_uri *u, char *err, size_t errlen);

void rec_uri_free(struct rec_uri *u);

/** Items of a list value ("a, b" or "0:1"), for rec_next_item(). */
struct rec_items {
	const char *p, *end; /* p NULL once done */
	char sep;
};

/**
 * The next item of the list, blanks around it trimmed; an empty item
 * (",,") is given as one of length 0.
 * @return false after the last
 */
bool rec_next_item(struct rec_items *it, const char **item, size_t *len);

struct tagval;
struct tagval_list;

/**
 * Split a record of RFC 8460 or RFC 8461 grammar (TLS-RPT, MTA-STS):
 * at most max bytes (maxname names that bound in the message), tags as
 * tagval_parse() reads them, the first exactly "v=VERSION". Spaces around
 * an '=' (not in those grammars) and empty fields are warnings in w.
 * @return 0, or -1 with what is wrong in err
 */
int rec_strict_split(const char *s, size_t len, size_t max, const char *maxname,
                     const char *version, struct tagval_list *l,
                     struct rec_warnings *w, char *err, size_t errlen);

/**
 * The warning for a field the parser does not know, which is ignored:
 * an extension, or not even a valid field name (RFC 8460 3, 8461 3.1).
 */
void rec_strict_unknown(const struct tagval *t, struct rec_warnings *w);

/**
 * A copy of len bytes of s, lowercased, without one trailing dot, in buf.
 * @return false if it does not fit (buflen must exceed its length)
 */
bool rec_host_norm(const char *s, size_t len, char *buf, size_t buflen);

#endif
