/*
 * products.h -- which software answers on a port, as its greeting tells
 * it (Postfix, Exim, Sendmail, OpenSMTPD, Exchange; Dovecot, Courier,
 * Cyrus; the nginx mail proxy of Carbonio and Zimbra), and the fix of a
 * finding in that software's own terms.
 *
 * The hints are data, in one table (products.c): a probe gives the fix in
 * protocol terms, and the session layer replaces it with the product's
 * setting when the product is known.
 */
#ifndef MAILREADY_PRODUCTS_H
#define MAILREADY_PRODUCTS_H

#include "mailready/codes.h"

enum product {
	PRODUCT_UNKNOWN,
	PRODUCT_POSTFIX,
	PRODUCT_EXIM,
	PRODUCT_SENDMAIL,
	PRODUCT_OPENSMTPD,
	PRODUCT_EXCHANGE,
	PRODUCT_DOVECOT,
	PRODUCT_COURIER,
	PRODUCT_CYRUS,
	PRODUCT_NGINX, /* the nginx mail proxy (Carbonio, Zimbra) */
	PRODUCT_COUNT
};

/** "Postfix", "nginx mail proxy"; "" for PRODUCT_UNKNOWN. */
const char *product_name(enum product p);

/** From the text of an SMTP 220 greeting (after the code). */
enum product product_from_smtp(const char *greeting);

/** From an IMAP greeting line ("* OK [CAPABILITY ...] Dovecot ready."). */
enum product product_from_imap(const char *greeting);

/** From a POP3 greeting line ("+OK Dovecot ready."). */
enum product product_from_pop3(const char *greeting);

/** The fix of a finding in the product's terms, or NULL if none. */
const char *product_hint(enum mr_code code, enum product p);

#endif
