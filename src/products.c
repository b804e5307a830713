/*
 * products.c -- telling mail servers apart by their greetings, and their
 * own settings for each fix.
 *
 * Greetings are what the software sends by default; an administrator who
 * hides the product (smtpd_banner = $myhostname ESMTP) gets the fix in
 * protocol terms, which is still right. The settings are those of the
 * versions Debian 12 and current RHEL ship.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "products.h"

static const char *const names[PRODUCT_COUNT] = {
	[PRODUCT_UNKNOWN] = "",
	[PRODUCT_POSTFIX] = "Postfix",
	[PRODUCT_EXIM] = "Exim",
	[PRODUCT_SENDMAIL] = "Sendmail",
	[PRODUCT_OPENSMTPD] = "OpenSMTPD",
	[PRODUCT_EXCHANGE] = "Exchange",
	[PRODUCT_DOVECOT] = "Dovecot",
	[PRODUCT_COURIER] = "Courier",
	[PRODUCT_CYRUS] = "Cyrus",
	[PRODUCT_NGINX] = "nginx mail proxy",
};

const char *
product_name(enum product p)
{
	return (unsigned)p < PRODUCT_COUNT ? names[p] : "";
}

struct marker {
	const char *text; /* found anywhere in the greeting, any case */
	enum product product;
};

static enum product
match(const char *greeting, const struct marker *m, size_t n)
{
	if (greeting == NULL)
		return PRODUCT_UNKNOWN;
	for (size_t i = 0; i < n; i++)
		if (strcasestr(greeting, m[i].text) != NULL)
			return m[i].product;
	return PRODUCT_UNKNOWN;
}

enum product
product_from_smtp(const char *greeting)
{
	static const struct marker m[] = {
		{"ESMTP Postfix", PRODUCT_POSTFIX},
		{"Exim", PRODUCT_EXIM},
		{"Sendmail", PRODUCT_SENDMAIL},
		{"OpenSMTPD", PRODUCT_OPENSMTPD},
		{"Microsoft ESMTP MAIL Service", PRODUCT_EXCHANGE},
	};
	return match(greeting, m, sizeof(m) / sizeof(m[0]));
}

enum product
product_from_imap(const char *greeting)
{
	/* nginx greets "* OK IMAP4 ready" whatever its back end is; the
	   Zimbra/Carbonio proxy "* OK Zimbra 10.0 IMAP4 ready" when told to
	   show its version (the mailbox server itself says "IMAP4rev1"). */
	static const struct marker m[] = {
		{"Dovecot", PRODUCT_DOVECOT},
		{"Courier-IMAP", PRODUCT_COURIER},
		{"Cyrus IMAP", PRODUCT_CYRUS},
		{"IMAP4 ready", PRODUCT_NGINX},
	};
	return match(greeting, m, sizeof(m) / sizeof(m[0]));
}

enum product
product_from_pop3(const char *greeting)
{
	/* Also the IMPLEMENTATION of CAPA ("Courier Mail Server"). */
	static const struct marker m[] = {
		{"Dovecot", PRODUCT_DOVECOT},
		{"+OK Hello there", PRODUCT_COURIER},
		{"Courier", PRODUCT_COURIER},
		{"Cyrus", PRODUCT_CYRUS},
		{"POP3 ready", PRODUCT_NGINX},
	};
	return match(greeting, m, sizeof(m) / sizeof(m[0]));
}

struct hint {
	enum mr_code code;
	enum product product;
	const char *hint;
};

/* The settings that fix each finding, per product. */
static const struct hint hints[] = {
	/* SMTP: TLS */
	{CODE_SMTP_STARTTLS_MISSING, PRODUCT_POSTFIX,
         "Postfix: smtpd_tls_security_level = may and smtpd_tls_chain_files "
         "(key and full chain) in main.cf, or -o on this master.cf listener"},
	{CODE_SMTP_STARTTLS_MISSING, PRODUCT_EXIM,
         "Exim: tls_advertise_hosts = * with tls_certificate and "
         "tls_privatekey"},
	{CODE_SMTP_STARTTLS_MISSING, PRODUCT_SENDMAIL,
         "Sendmail: define confSERVER_CERT and confSERVER_KEY in sendmail.mc"},
	{CODE_SMTP_STARTTLS_MISSING, PRODUCT_OPENSMTPD,
         "OpenSMTPD: listen on ... tls pki NAME"},
	{CODE_SMTP_STARTTLS_MISSING, PRODUCT_EXCHANGE,
         "Exchange: assign a certificate to SMTP "
         "(Enable-ExchangeCertificate -Services SMTP)"},
	{CODE_SMTP_TLS_REQUIRED, PRODUCT_POSTFIX,
         "Postfix: smtpd_tls_security_level = may on port 25 (encrypt only "
         "on 587/465)"},
	{CODE_SMTP_TLS_REQUIRED, PRODUCT_EXIM,
         "Exim: drop the ACL that refuses MAIL before STARTTLS on port 25 "
         "(keep it for the submission ports)"},
	{CODE_SMTP_TLS_REQUIRED, PRODUCT_OPENSMTPD,
         "OpenSMTPD: listen on ... tls, not tls-require, on port 25"},
	/* SMTP: AUTH */
	{CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_POSTFIX,
         "Postfix: smtpd_tls_auth_only = yes"},
	{CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_EXIM,
         "Exim: auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}"},
	{CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_SENDMAIL,
         "Sendmail: define(`confAUTH_OPTIONS', `p,y')"},
	{CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_OPENSMTPD,
         "OpenSMTPD: listen on ... tls-require auth"},
	{CODE_SMTP_AUTH_MISSING, PRODUCT_POSTFIX,
         "Postfix: -o smtpd_sasl_auth_enable=yes (with smtpd_sasl_type = "
         "dovecot) on this master.cf listener"},
	{CODE_SMTP_AUTH_MISSING, PRODUCT_EXIM,
         "Exim: an authenticator (driver = plaintext or dovecot) whose "
         "server_advertise_condition holds after TLS"},
	{CODE_SMTP_AUTH_MISSING, PRODUCT_OPENSMTPD,
         "OpenSMTPD: listen on ... auth"},
	/* SMTP: greeting */
	{CODE_SMTP_GREETING_NAME_MISMATCH, PRODUCT_POSTFIX,
         "Postfix: myhostname = the node's FQDN (or -o myhostname on this "
         "master.cf listener)"},
	{CODE_SMTP_GREETING_NAME_MISMATCH, PRODUCT_EXIM,
         "Exim: primary_hostname = the node's FQDN (or smtp_active_hostname)"},
	{CODE_SMTP_GREETING_NAME_MISMATCH, PRODUCT_SENDMAIL,
         "Sendmail: define(`confDOMAIN_NAME', `the node's FQDN')"},
	{CODE_SMTP_GREETING_NAME_MISMATCH, PRODUCT_OPENSMTPD,
         "OpenSMTPD: listen on ... hostname the node's FQDN"},
	{CODE_SMTP_GREETING_NAME_MISMATCH, PRODUCT_EXCHANGE,
         "Exchange: Set-ReceiveConnector -Fqdn the node's FQDN"},
	{CODE_SMTP_GREETING_NO_HOST, PRODUCT_POSTFIX,
         "Postfix: smtpd_banner = $myhostname ESMTP"},
	{CODE_SMTP_GREETING_NO_HOST, PRODUCT_EXIM,
         "Exim: smtp_banner = $smtp_active_hostname ESMTP"},
	{CODE_SMTP_GREETING_SLOW, PRODUCT_POSTFIX,
         "Postfix: the pause is postscreen_greet_wait; on 587/465 run smtpd "
         "without postscreen"},
	{CODE_SMTP_GREETING_SLOW, PRODUCT_EXIM,
         "Exim: the pause is a delay in acl_smtp_connect; limit it to port "
         "25 ($received_port)"},
	/* IMAP and POP3 */
	{CODE_IMAP_PLAINTEXT_LOGIN, PRODUCT_DOVECOT,
         "Dovecot: disable_plaintext_auth = yes (2.4: auth_allow_cleartext = "
         "no)"},
	{CODE_IMAP_PLAINTEXT_LOGIN, PRODUCT_COURIER,
         "Courier: IMAP_TLS_REQUIRED=1 in /etc/courier/imapd-ssl"},
	{CODE_IMAP_PLAINTEXT_LOGIN, PRODUCT_CYRUS,
         "Cyrus: allowplaintext: no in imapd.conf"},
	{CODE_IMAP_PLAINTEXT_LOGIN, PRODUCT_NGINX,
         "nginx mail proxy: starttls only; in its imap server block, on the "
         "proxy node (Zimbra/Carbonio: zimbraReverseProxyImapStartTlsMode = "
         "only)"},
	{CODE_POP3_PLAINTEXT_LOGIN, PRODUCT_DOVECOT,
         "Dovecot: disable_plaintext_auth = yes (2.4: auth_allow_cleartext = "
         "no)"},
	{CODE_POP3_PLAINTEXT_LOGIN, PRODUCT_COURIER,
         "Courier: POP3_TLS_REQUIRED=1 in /etc/courier/pop3d-ssl"},
	{CODE_POP3_PLAINTEXT_LOGIN, PRODUCT_CYRUS,
         "Cyrus: allowplaintext: no in imapd.conf"},
	{CODE_POP3_PLAINTEXT_LOGIN, PRODUCT_NGINX,
         "nginx mail proxy: starttls only; in its pop3 server block, on the "
         "proxy node (Zimbra/Carbonio: zimbraReverseProxyPop3StartTlsMode = "
         "only)"},
	{CODE_IMAP_STARTTLS_MISSING, PRODUCT_DOVECOT,
         "Dovecot: ssl = yes with ssl_cert and ssl_key"},
	{CODE_IMAP_STARTTLS_MISSING, PRODUCT_COURIER,
         "Courier: IMAPDSTARTTLS=YES and TLS_CERTFILE in "
         "/etc/courier/imapd-ssl"},
	{CODE_IMAP_STARTTLS_MISSING, PRODUCT_CYRUS,
         "Cyrus: tls_server_cert and tls_server_key in imapd.conf"},
	{CODE_IMAP_STARTTLS_MISSING, PRODUCT_NGINX,
         "nginx mail proxy: starttls only; with ssl_certificate in the mail "
         "block"},
	{CODE_POP3_STLS_MISSING, PRODUCT_DOVECOT,
         "Dovecot: ssl = yes with ssl_cert and ssl_key"},
	{CODE_POP3_STLS_MISSING, PRODUCT_COURIER,
         "Courier: POP3_STARTTLS=YES and TLS_CERTFILE in "
         "/etc/courier/pop3d-ssl"},
	{CODE_POP3_STLS_MISSING, PRODUCT_CYRUS,
         "Cyrus: tls_server_cert and tls_server_key in imapd.conf"},
	{CODE_POP3_STLS_MISSING, PRODUCT_NGINX,
         "nginx mail proxy: starttls only; with ssl_certificate in the mail "
         "block"},
	/* The chain a server sends */
	{CODE_CERT_UNTRUSTED, PRODUCT_POSTFIX,
         "Postfix: smtpd_tls_chain_files = key, then the full chain (leaf "
         "and intermediates)"},
	{CODE_CERT_UNTRUSTED, PRODUCT_EXIM,
         "Exim: tls_certificate = the full chain (leaf and intermediates)"},
	{CODE_CERT_UNTRUSTED, PRODUCT_DOVECOT,
         "Dovecot: ssl_cert = </path/fullchain.pem (leaf and intermediates)"},
	{CODE_CERT_UNTRUSTED, PRODUCT_COURIER,
         "Courier: TLS_CERTFILE holding key, leaf and intermediates"},
	{CODE_CERT_UNTRUSTED, PRODUCT_CYRUS,
         "Cyrus: tls_server_cert = the full chain (leaf and intermediates)"},
	{CODE_CERT_UNTRUSTED, PRODUCT_NGINX,
         "nginx mail proxy: ssl_certificate = the full chain (leaf and "
         "intermediates)"},
};

const char *
product_hint(enum mr_code code, enum product p)
{
	if (p == PRODUCT_UNKNOWN)
		return NULL;
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].code == code && hints[i].product == p)
			return hints[i].hint;
	return NULL;
}
