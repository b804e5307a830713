/*
 * readfile.h -- opening the files mailready reads (the cluster file, its
 * accept files, profiles, root hints, state and report inputs): regular
 * files only, so that a directory, a FIFO or /dev/zero given by mistake is
 * an error that says so, not a spin or a read without end.
 */
#ifndef MAILREADY_READFILE_H
#define MAILREADY_READFILE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The longest physical line a text input may have. */
#define READFILE_LINE_MAX 4096

#define STRINGIFY_(x)     #x
#define STRINGIFY(x)      STRINGIFY_(x)

/* The largest JSON input (a report of 100,000 nodes is ~200 MB). */
#define READFILE_JSON_MAX (512L * 1024 * 1024)

/**
 * Open path for reading if it is a regular file (symbolic links are
 * followed), or /dev/null. @return the stream, or NULL with why set: strerror(errno), or
 * "is a directory, not a file", "is not a regular file (a device, FIFO or
 * socket)".
 */
FILE *readfile_open(const char *path, char *why, size_t len);

/**
 * The next line of fp into *line (grown as needed, end of line removed),
 * reading at most max bytes of it.
 * @return its length; -1 at the end; -2 when the line is longer than max
 *         (the rest of the line is not read); -3 on a read error (errno);
 *         -4 when it holds a NUL byte (no text file).
 */
long readfile_line(FILE *fp, char **line, size_t *cap, size_t max);

/**
 * A JSON document from a regular file of at most READFILE_JSON_MAX bytes.
 * @return it, or NULL: with why set when the file could not be read (as
 *         readfile_open, or too large), with why "" and *jerr when it is
 *         not JSON.
 */
json_t *readfile_json(const char *path, json_error_t *jerr, char *why,
                      size_t len);

#endif
