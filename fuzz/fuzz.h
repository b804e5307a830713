/*
 * fuzz.h -- what the fuzz targets share: the input as C strings, and the
 * input cut into lines the way the connection hands them to the protocol
 * parsers (io/conn.c: at LF, a CR before it dropped, at most
 * CONN_MAX_LINE bytes, a longer line ends the session).
 *
 * Every target is a libFuzzer LLVMFuzzerTestOneInput(): no network, no
 * clock, no file but the input; everything it allocates is freed before
 * it returns, so that one input never changes the next.
 */
#ifndef MAILREADY_FUZZ_H
#define MAILREADY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* "now" for every target that needs one: 2027-01-01 00:00:00 UTC. */
#define FUZZ_NOW 1798761600

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * The input as a C string, as a reader given a C string sees it: a NUL
 * inside ends it. Caller frees.
 */
char *fuzz_string(const uint8_t *data, size_t size);

/**
 * n bytes copied into a buffer of exactly n bytes, no NUL after them: a
 * parser that is given a length and reads past it meets ASan's redzone.
 * Caller frees (malloc(1) when n is 0).
 */
char *fuzz_exact(const void *p, size_t n);

struct fuzz_lines {
	const uint8_t *p, *end;
	char *line; /* the last line handed out */
};

/** Lines of data (size bytes), for fuzz_next_line(). */
void fuzz_lines_init(struct fuzz_lines *l, const uint8_t *data, size_t size);

/**
 * The next line without its LF (and the CR before it), as a C string; NULL
 * at the end of the input or at a line longer than max (the connection
 * closes there). A last line without LF is not a line: the connection
 * would still wait for its end. Valid until the next call.
 */
const char *fuzz_next_line(struct fuzz_lines *l, size_t max);

void fuzz_lines_free(struct fuzz_lines *l);

/**
 * Cut the input at every byte sep into at most max pieces (the last one
 * keeps the rest, seps and all): piece i is s[i], len[i] bytes, into
 * data. An empty input is one empty piece.
 * @return the number of pieces
 */
size_t fuzz_split(const uint8_t *data, size_t size, char sep, const char **s,
                  size_t *len, size_t max);

struct rec_txt;

/**
 * What the record targets (fuzz_dmarc, fuzz_mtasts, fuzz_tlsrpt) do with
 * their input: cut it at NUL bytes into at most 8 TXT records, select
 * one with select (a *_select() of src/records), hand the selected one to
 * parse, then the whole input as one record too. A failed selection must
 * say why in printable ASCII.
 */
void fuzz_txt_records(const uint8_t *data, size_t size,
                      int (*select)(const struct rec_txt *, size_t, size_t *,
                                    char *, size_t),
                      void (*parse)(const char *, size_t));

/**
 * Assert that a parser's message is one line of printable ASCII: the
 * record parsers quote every other byte of their input as \xNN.
 */
void fuzz_assert_printable(const char *msg);

#endif
