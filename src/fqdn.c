/*
 * fqdn.c -- host name syntax as mail servers need it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fqdn.h"

static bool
ends_with_label(const char *name, size_t len, const char *suffix)
{
	size_t ls = strlen(suffix);
	if (len == ls)
		return strncasecmp(name, suffix, ls) == 0;
	return len > ls && name[len - ls - 1] == '.' &&
	       strncasecmp(name + len - ls, suffix, ls) == 0;
}

static bool
check_label(const char *l, size_t n, bool last, char *why, size_t len)
{
	if (n == 0) {
		snprintf(why, len,
		         "it has an empty label (two dots in a row, "
		         "or a leading dot)");
		return false;
	}
	if (n > 63) {
		snprintf(why, len,
		         "label '%.*s...' is longer than 63 "
		         "characters",
		         20, l);
		return false;
	}
	if (l[0] == '-' || l[n - 1] == '-') {
		snprintf(why, len, "label '%.*s' starts or ends with a hyphen",
		         (int)n, l);
		return false;
	}
	bool digits_only = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (!isascii(c) || !(isalnum(c) || c == '-')) {
			if (isprint(c))
				snprintf(why, len,
				         "'%c' in label '%.*s' is not allowed "
				         "in a host name (letters, digits and "
				         "hyphens only)",
				         c, (int)n, l);
			else
				snprintf(why, len,
				         "label %zu bytes long holds a "
				         "non-printable or non-ASCII byte "
				         "(use the A-label, xn--...)",
				         n);
			return false;
		}
		if (!isdigit(c))
			digits_only = false;
	}
	if (last && digits_only) {
		snprintf(why, len,
		         "the top-level label '%.*s' is numeric: "
		         "this looks like an address, not a name",
		         (int)n, l);
		return false;
	}
	return true;
}

bool
fqdn_valid(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0) {
		snprintf(why, len, "the name is empty");
		return false;
	}
	if (n > 253) {
		snprintf(why, len,
		         "the name is %zu characters long; at most "
		         "253 are allowed",
		         n);
		return false;
	}
	if (ends_with_label(name, n, "localhost") ||
	    ends_with_label(name, n, "localdomain")) {
		snprintf(why, len,
		         "'%.*s' is a local name; give the node its "
		         "real FQDN (e.g. mail.example.com)",
		         (int)n, name);
		return false;
	}
	if (ends_with_label(name, n, "local")) {
		snprintf(why, len,
		         ".local is for multicast DNS and does not "
		         "resolve between servers");
		return false;
	}
	if (ends_with_label(name, n, "invalid")) {
		snprintf(why, len, ".invalid names never resolve (RFC 6761)");
		return false;
	}
	if (memchr(name, '.', n) == NULL) {
		snprintf(why, len,
		         "'%.*s' is a short name; an FQDN has at "
		         "least two labels (host.example.com)",
		         (int)n, name);
		return false;
	}
	const char *l = name;
	while (l < name + n) {
		const char *dot = memchr(l, '.', (size_t)(name + n - l));
		size_t ll = dot ? (size_t)(dot - l) : (size_t)(name + n - l);
		if (!check_label(l, ll, dot == NULL, why, len))
			return false;
		if (dot == NULL)
			break;
		l = dot + 1;
		if (l == name + n) {
			snprintf(why, len, "it has an empty label");
			return false;
		}
	}
	return true;
}
