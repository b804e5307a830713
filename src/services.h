/*
 * services.h -- the facts mailready knows about a service name of the
 * profiles ("smtp" in `external = smtp:25`), in one table: the mail
 * protocol its port speaks (which makes a mail.SERVICE check), whether TLS
 * comes first there (implicit TLS, RFC 8314), its default port, the
 * programs expected to hold that port (host.port.SERVICE) and a hint.
 *
 * A service not in the table is fine in a profile (milter:7026): its port
 * is probed (net.port.SERVICE), and nothing more is assumed about it.
 */
#ifndef MAILREADY_SERVICES_H
#define MAILREADY_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum service_proto {
	SERVICE_PROTO_NONE, /* no mail.SERVICE check */
	SERVICE_PROTO_SMTP, /* probes/smtp.c */
	SERVICE_PROTO_IMAP, /* probes/imap.c */
	SERVICE_PROTO_POP3, /* probes/pop3.c */
};

struct service_def {
	const char *name;         /* "smtps" */
	enum service_proto proto; /* SMTP */
	bool implicit_tls;        /* TLS before the first byte of protocol */
	uint16_t port;            /* the default port: 465 */
	/* Programs that legitimately hold the port, as /proc/PID/comm names
	 * them, separated by blanks; NULL: none known. Only the fallback of
	 * host.port.SERVICE: a profile's holders key wins (plan.c). */
	const char *holders;
	const char *hint; /* one line for people */
};

extern const struct service_def services[];
extern const size_t services_count;

/** A service by name (exact, lower case). @return it, or NULL. */
const struct service_def *service_find(const char *name);

/** The known service nearest to a misspelt name, or NULL if none is close. */
const char *service_suggest(const char *name);

/** "smtp", "imap", "pop3", or "none". */
const char *service_proto_name(enum service_proto p);

/**
 * The service a check made from a port names: "net.port.ldap" and
 * "host.port.ldap" give "ldap" (any name: those are families), "mail.smtp"
 * gives "smtp" (only for a service with a mail protocol: mail.dane would be
 * a check of its own).
 * @return a pointer into id, or NULL for any other id.
 */
const char *service_of_check(const char *id);

#endif
