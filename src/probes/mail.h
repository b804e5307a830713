/*
 * mail.h -- what the SMTP, IMAP and POP3 probes share: the connection to
 * the service's address, implicit TLS or STARTTLS with the certificate
 * judged, a named phase with its own timeout (so a stall is reported as
 * "no greeting within 5 s"), findings and metrics, and the polite ending.
 *
 * A protocol probe embeds struct mail_session first in its state, sets the
 * hooks, and calls mail_start(); it then only sees protocol lines.
 */
#ifndef MAILREADY_PROBES_MAIL_H
#define MAILREADY_PROBES_MAIL_H

#include <stdbool.h>
#include <sys/time.h>

#include "io/conn.h"
#include "probes/common.h"
#include "products.h"
#include "tls/cert.h"

struct mail_session;

struct mail_hooks {
	/* TCP is up (plaintext) or TLS is up (implicit TLS): the protocol
	 * starts reading its greeting. */
	void (*begin)(struct mail_session *m);
	/* A line from the server in the current phase. */
	void (*line)(struct mail_session *m, const char *line);
	/* TLS came up after STARTTLS. */
	void (*tls_ready)(struct mail_session *m);
};

struct mail_session {
	struct probe *p;
	const struct mail_hooks *hooks;
	const char *proto; /* "SMTP", "IMAP", "POP3" */
	bool implicit_tls; /* 465, 993, 995 */
	struct conn *conn;
	struct dns_req *addr_req[2]; /* A, AAAA of the node (no address) */
	const struct dns_reply *addr_reply[2];
	int addr_pending;
	struct mr_addr addr;
	const char *phase; /* "greeting", "reply to EHLO", ... */
	double phase_s;    /* its timeout */
	struct timeval phase_started;
	bool quitting; /* the polite ending was sent */
	bool tls;      /* TLS is up */
	bool finished;
	bool reconnected;     /* the second connection (mail_reconnect) */
	bool greeting_begun;  /* SMTP: "220-" lines came, not the last one */
	bool in_login;        /* the test account's login is under way */
	char login_said[160]; /* an untagged word of the server meanwhile */
	enum product product; /* what the greeting tells */
	/* The names the certificate may carry besides the FQDN (tls_names
	   of the node, then of the cluster); not owned. */
	char **tls_names;
	size_t ntls_names;
	char where[MR_ADDR_STRLEN + 16];      /* "127.0.2.10 port 25" */
	char client_name[MR_ADDR_STRLEN + 8]; /* an EHLO address literal */
	struct cert_verdict cert;
};

/** Connect (resolving the node's name first if no address is planned). */
void mail_start(struct mail_session *m, struct probe *p,
                const struct mail_hooks *hooks, const char *proto,
                bool implicit_tls);

/** Enter a phase: what we now wait for, with a fresh timeout. */
void mail_phase(struct mail_session *m, const char *phase);

/** Seconds since the current phase began (a greeting's delay). */
double mail_phase_elapsed_s(const struct mail_session *m);

/** Send a command line (CRLF added) and enter the phase of its reply. */
void mail_command(struct mail_session *m, const char *phase, const char *fmt,
                  ...) __attribute__((format(printf, 3, 4)));

/** The server agreed to STARTTLS: run the handshake. */
void mail_starttls(struct mail_session *m);

/** Send the polite ending (QUIT / LOGOUT) and finish once answered. */
void mail_quit(struct mail_session *m, const char *command);

/** Finish now with the findings so far (after the ending). */
void mail_finish(struct mail_session *m);

/**
 * A protocol violation or refusal: a fail finding (hint may be NULL),
 * then finish now. The session's findings so far stay.
 */
void mail_fail(struct mail_session *m, enum mr_code code, const char *hint,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Record a finding (probe_add() on the session's probe). */
struct mr_finding *mail_add(struct mail_session *m, enum mr_code code,
                            enum mr_status severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** The name we announce (EHLO): this host's FQDN or an address literal. */
const char *mail_client_name(struct mail_session *m);

/**
 * The software the greeting names: its fixes replace the protocol-terms
 * hints of the findings when the probe finishes (products.c).
 */
void mail_set_product(struct mail_session *m, enum product p);

/**
 * Hang up and connect again to the same address (the server's state after
 * a harmless probe cannot be trusted); the begin hook runs again, with
 * m->reconnected set.
 */
void mail_reconnect(struct mail_session *m);

/** A test account is configured (login_file): log in after TLS. */
bool mail_login_wanted(const struct mail_session *m);

/** Its user name, for protocol commands; NULL when none. */
const char *mail_login_user(const struct mail_session *m);

/** Its password; never written anywhere but to the server, over TLS. */
const char *mail_login_password(const struct mail_session *m);

/** SASL PLAIN's response, base64 ("\0user\0password"); free with
    mail_secret_free(). */
char *mail_sasl_plain(const struct mail_session *m);

/** Wipe and free a string that held the password. */
void mail_secret_free(char *s);

/**
 * Send a line holding the password (CRLF added), wipe it, and enter the
 * phase of its reply; the login phase (m->in_login) begins.
 */
void mail_command_secret(struct mail_session *m, const char *phase, char *line);

/** The login succeeded (LOGIN_OK): how ("IMAP LOGIN") and the reply. */
void mail_login_ok(struct mail_session *m, const char *how, const char *reply);

/** The login failed (LOGIN_FAILED), with the server's words. */
void mail_login_failed(struct mail_session *m, const char *how,
                       const char *reply);

/**
 * probe_ops.cut_short of the mail probes (their state starts with the
 * session): only the goodbye unanswered, the verdict stands.
 */
bool mail_cut_short(struct probe *p);

/** Release the connection and requests (probe cleanup). */
void mail_cleanup(struct mail_session *m);

/** Service as written in messages: "smtp (127.0.2.10 port 25)". */
const char *mail_where(struct mail_session *m);

#endif
