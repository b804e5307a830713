/*
 * atomic.h -- replace a file all at once: readers (node_exporter, the next
 * health run) see the old file or the new one, never half of either.
 */
#ifndef MAILREADY_ATOMIC_H
#define MAILREADY_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

typedef int atomic_writer(void *arg, FILE *f);

/**
 * Write path through a temporary file in the same directory, flushed and
 * synced, then renamed over path (mode 0644). A path that is a symbolic
 * link, a directory or a device is refused; the file's own directory is
 * made when missing (mode 0755), none above it.
 * @return 0, or -1 with "path: why" in err.
 */
int atomic_write(const char *path, atomic_writer *write, void *arg, char *err,
                 size_t errlen);

/**
 * Whether path may be replaced: missing, or a regular file (not a symbolic
 * link, a directory or a device). @return 0; -2 with the reason in err;
 * -1 when lstat failed otherwise (errno).
 */
int atomic_check_target(const char *path, char *err, size_t errlen);

#endif
