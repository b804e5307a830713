/*
 * services.c -- the table of known services (see services.h).
 */
#include <string.h>

#include "services.h"
#include "suggest.h"

/*
 * The programs expected on a service's port when the profile names none
 * (its holders key): the usual ones of every product, since such a
 * profile does not say which product the node runs. As /proc/PID/comm
 * names them: Postfix's master holds the listeners and smtpd, postscreen
 * and tlsproxy share them (OpenSMTPD's processes are smtpd too);
 * Dovecot's login processes share dovecot's, and Dovecot may serve
 * submission; nginx is a mail proxy too (Carbonio and Zimbra Proxy).
 */
#define MTA   "master smtpd postscreen tlsproxy exim4 exim sendmail"
#define MSA   MTA " dovecot submission-login"
#define IMAPD "dovecot imap-login nginx"
#define POP3D "dovecot pop3-login nginx"
#define HTTPD "nginx apache2 httpd"

const struct service_def services[] = {
	{"smtp", SERVICE_PROTO_SMTP, false, 25, MTA,
         "SMTP between servers: the MX receives mail here, STARTTLS"},
	{"submission", SERVICE_PROTO_SMTP, false, 587, MSA,
         "mail submission by users (RFC 6409): STARTTLS, then AUTH"},
	{"smtps", SERVICE_PROTO_SMTP, true, 465, MSA,
         "mail submission over implicit TLS (RFC 8314)"},
	{"imap", SERVICE_PROTO_IMAP, false, 143, IMAPD,
         "IMAP: STARTTLS before any login"},
	{"imaps", SERVICE_PROTO_IMAP, true, 993, IMAPD,
         "IMAP over implicit TLS"},
	{"pop3", SERVICE_PROTO_POP3, false, 110, POP3D,
         "POP3: STLS before any login"},
	{"pop3s", SERVICE_PROTO_POP3, true, 995, POP3D,
         "POP3 over implicit TLS"},
	{"http", SERVICE_PROTO_NONE, false, 80, HTTPD,
         "HTTP: web client, ACME challenges, redirects to HTTPS"},
	{"https", SERVICE_PROTO_NONE, true, 443, HTTPD,
         "HTTPS: web client, MTA-STS policy"},
	/* systemd: sshd started from ssh.socket (Ubuntu 24.04). */
	{"ssh", SERVICE_PROTO_NONE, false, 22, "sshd systemd",
         "SSH, for the admins"},
	{"ldap", SERVICE_PROTO_NONE, false, 389, "slapd",
         "LDAP, with StartTLS: the directory"},
	{"ldaps", SERVICE_PROTO_NONE, true, 636, "slapd",
         "LDAP over implicit TLS"},
	{"postgresql", SERVICE_PROTO_NONE, false, 5432, "postgres postmaster",
         "PostgreSQL"},
	{"pgpool", SERVICE_PROTO_NONE, false, 9999, "pgpool",
         "pgpool-II, the pooler in front of PostgreSQL"},
	{"prometheus", SERVICE_PROTO_NONE, false, 9090, "prometheus",
         "Prometheus server"},
	{"node-exporter", SERVICE_PROTO_NONE, false, 9100,
         "node_exporter prometheus-node", "Prometheus node exporter"},
};

const size_t services_count = sizeof(services) / sizeof(services[0]);

const struct service_def *
service_find(const char *name)
{
	for (size_t i = 0; i < services_count; i++)
		if (strcmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

const char *
service_suggest(const char *name)
{
	const char *names[sizeof(services) / sizeof(services[0])];

	for (size_t i = 0; i < services_count; i++)
		names[i] = services[i].name;
	return suggest_nearest(name, names, services_count);
}

const char *
service_proto_name(enum service_proto p)
{
	switch (p) {
	case SERVICE_PROTO_SMTP:
		return "smtp";
	case SERVICE_PROTO_IMAP:
		return "imap";
	case SERVICE_PROTO_POP3:
		return "pop3";
	case SERVICE_PROTO_NONE:
		break;
	}
	return "none";
}

const char *
service_of_check(const char *id)
{
	const struct service_def *sd;

	if (strncmp(id, "net.port.", 9) == 0)
		return id + 9;
	if (strncmp(id, "host.port.", 10) == 0)
		return id + 10;
	if (strncmp(id, "mail.", 5) == 0 && (sd = service_find(id + 5)) &&
	    sd->proto != SERVICE_PROTO_NONE)
		return id + 5;
	return NULL;
}
