/*
 * fqdn.h -- is a name a fully qualified host name a mail server can use?
 */
#ifndef MAILREADY_FQDN_H
#define MAILREADY_FQDN_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Check host name syntax (RFC 1123 letters-digits-hyphens, labels of 1-63
 * characters, 253 in all, at least two labels, a non-numeric top label) and
 * names that cannot work for mail between hosts (localhost, .local,
 * .localdomain, .invalid). A single trailing dot is accepted.
 * @param why  on failure, what is wrong (size len)
 * @return true if the name is a usable FQDN.
 */
bool fqdn_valid(const char *name, char *why, size_t len);

#endif
