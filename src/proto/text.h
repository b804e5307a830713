/*
 * text.h -- what the SMTP, IMAP and POP3 parsers share: quoting a bounded
 * piece of a peer's line in an error, and finding bytes that are not text.
 */
#ifndef MAILREADY_PROTO_TEXT_H
#define MAILREADY_PROTO_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/* At most this many bytes of a peer's line are quoted in a message. */
#define PROTO_QUOTE_MAX 40

/**
 * "'at most PROTO_QUOTE_MAX bytes of s'" (then "..." if cut), or "an empty
 * line" when len is 0. Never reads past len or a NUL.
 * @return buf (buflen >= PROTO_QUOTE_MAX + 8 is enough)
 */
const char *proto_quote(const char *s, size_t len, char *buf, size_t buflen);

/**
 * Set err to "WHY, got 'LINE'" (WHY from fmt).
 */
void proto_errorv(char *err, size_t errlen, const char *line, const char *fmt,
                  va_list ap) __attribute__((format(printf, 4, 0)));

/** Offset of the first byte that is not text (HT, SP..~, 8-bit), or -1. */
long proto_bad_text_byte(const char *s);

#endif
