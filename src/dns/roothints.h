/*
 * roothints.h -- the root servers iterative resolution starts from: the
 * built-in list (IANA's named.root) or a root hints file (labs).
 */
#ifndef MAILREADY_DNS_ROOTHINTS_H
#define MAILREADY_DNS_ROOTHINTS_H

#include <stddef.h>
#include <stdio.h>

#include "mailready/config.h"

/**
 * Load root server addresses: from path (zone-file syntax, NS records for
 * "." and A/AAAA records for their names), or the built-in ones when path
 * is NULL. IPv4 addresses come first.
 * @param nnames  if not NULL, set to the number of root server names (13
 *                built in), for messages: "13 root servers (26 addresses)"
 * @return 0 with *out (caller frees) and *n, or -1 with "FILE:LINE: why".
 */
int roothints_load(const char *path, struct mr_server **out, size_t *n,
                   size_t *nnames, char *err, size_t errlen);

/**
 * The same from a stream already open (tests, fuzzing: fmemopen), named
 * name in messages; fp stays the caller's, read to its end or the error.
 */
int roothints_read(FILE *fp, const char *name, struct mr_server **out,
                   size_t *n, size_t *nnames, char *err, size_t errlen);

#endif
