/*
 * smtp.c -- mail.smtp (25), mail.submission (587), mail.smtps (465).
 *
 *   smtp:       greeting -> EHLO -> MAIL FROM:<> -> RSET -> STARTTLS ->
 *               TLS -> EHLO -> QUIT
 *   submission: greeting -> EHLO -> STARTTLS -> TLS -> EHLO [-> AUTH] -> QUIT
 *   smtps:      TLS -> greeting -> EHLO [-> AUTH] -> QUIT
 *
 * Checks the 220 greeting (its delay, its host name against the node's
 * FQDN, and on port 25 against the PTR of the address), that STARTTLS is
 * offered and works, that port 25 takes mail without TLS (MAIL FROM:<>,
 * then RSET: no mail is sent), the certificate, and on submission that
 * AUTH is offered only after TLS. With a test account (login_file) it
 * logs in after TLS on 587/465; never sends mail; ends with QUIT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "names.h"
#include "probes/mail.h"
#include "probes/probes.h"
#include "proto/proto.h"
#include "strbuf.h"
#include "xmalloc.h"

enum smtp_state {
	SMTP_GREETING,
	SMTP_EHLO,
	SMTP_MAIL_PLAIN,
	SMTP_RSET,
	SMTP_STARTTLS,
	SMTP_EHLO_TLS,
	SMTP_AUTH,      /* reply to AUTH PLAIN, or to the password */
	SMTP_AUTH_USER, /* AUTH LOGIN: the 334 asking for the user */
	SMTP_AUTH_PASS, /* AUTH LOGIN: the 334 asking for the password */
	SMTP_QUIT,
};

static const char *const state_names[] = {
	[SMTP_GREETING] = "greeting",
	[SMTP_EHLO] = "reply to EHLO",
	[SMTP_MAIL_PLAIN] = "reply to MAIL FROM before TLS",
	[SMTP_RSET] = "reply to RSET",
	[SMTP_STARTTLS] = "reply to STARTTLS",
	[SMTP_EHLO_TLS] = "reply to EHLO after TLS",
	[SMTP_AUTH] = "reply to the login",
	[SMTP_AUTH_USER] = "reply to AUTH LOGIN",
	[SMTP_AUTH_PASS] = "reply to the user name",
	[SMTP_QUIT] = "reply to QUIT",
};

/* A greeting later than this is worth a word (greet pause, slow DNS). */
#define SMTP_SLOW_GREETING_S 2.0

struct smtp_state_data {
	struct mail_session m; /* first: the hooks get it */
	enum smtp_state state;
	struct smtp_reply reply;
	char *greeting_host;
	bool submission;
	bool mx; /* port 25, where other MTAs deliver */
	struct dns_req *ptr_req;
	const struct dns_reply *ptr;
	bool ended; /* waiting only for the PTR answer */
};

static void
enter(struct smtp_state_data *s, enum smtp_state st, const char *cmd)
{
	s->state = st;
	smtp_reply_clear(&s->reply);
	if (cmd)
		mail_command(&s->m, state_names[st], "%s", cmd);
	else
		mail_phase(&s->m, state_names[st]);
}

static char *
reply_text(const struct smtp_reply *r)
{
	return xasprintf("%d %s", r->code, r->nlines ? r->lines[0] : "");
}

/* The greeting host must be the node's name and its address's PTR. */
static void
judge_greeting_host(struct smtp_state_data *s)
{
	const char *fqdn = probe_item(s->m.p)->node->name;
	struct mr_finding *f;

	if (s->greeting_host == NULL) {
		f = mail_add(&s->m, CODE_SMTP_GREETING_NO_HOST, MR_WARN,
		             "the greeting names no host");
		mr_finding_hint(f, "make the 220 greeting start with %s", fqdn);
		return;
	}
	if (!name_equal(s->greeting_host, fqdn)) {
		f = mail_add(&s->m, CODE_SMTP_GREETING_NAME_MISMATCH, MR_WARN,
		             "the greeting announces '%s', not the node's name "
		             "%s",
		             s->greeting_host, fqdn);
		mr_finding_hint(f,
		                "make the server announce %s in its "
		                "greeting and EHLO reply",
		                fqdn);
		mr_finding_set_text(f, "found", s->greeting_host);
		mr_finding_set_text(f, "expected", fqdn);
	}
	/* Receiving MTAs compare the greeting with the PTR; submission
	   clients do not. dns.ptr reports missing PTRs. */
	if (!s->mx || s->ptr == NULL || s->ptr->status != DNS_OK)
		return;
	bool match = false;
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < ldns_rr_list_rr_count(s->ptr->rrs); i++) {
		const ldns_rdf *rd =
			ldns_rr_rdf(ldns_rr_list_rr(s->ptr->rrs, i), 0);
		char *n = rd ? dns_rdf_name(rd) : xstrdup("?");
		match = match || name_equal(n, s->greeting_host);
		strbuf_sep(&names, ", ");
		strbuf_add(&names, n);
		free(n);
	}
	char as[MR_ADDR_STRLEN];
	if (!match) {
		f = mail_add(&s->m, CODE_SMTP_GREETING_PTR_MISMATCH, MR_WARN,
		             "the greeting announces '%s' but the PTR of %s is "
		             "%s: receivers compare them",
		             s->greeting_host, mr_addr_str(&s->m.addr, as),
		             names.len ? strbuf_str(&names) : "(none)");
		mr_finding_hint(f, "make the greeting name, the PTR and the A "
		                   "record agree");
		mr_finding_set_text(f, "greeting_host", s->greeting_host);
		mr_finding_set_text(f, "ptr", strbuf_str(&names));
	}
	strbuf_reset(&names);
}

static void
finish(struct smtp_state_data *s)
{
	if (s->ptr_req != NULL) {
		s->ended = true; /* on_ptr finishes */
		return;
	}
	judge_greeting_host(s);
	mail_finish(&s->m);
}

static void
on_ptr(void *arg, const struct dns_reply *r)
{
	struct smtp_state_data *s = arg;
	s->ptr_req = NULL;
	s->ptr = r;
	if (s->ended)
		finish(s);
}

static void
send_ehlo(struct smtp_state_data *s, enum smtp_state st)
{
	char *cmd = xasprintf("EHLO %s", mail_client_name(&s->m));
	enter(s, st, cmd);
	free(cmd);
}

/*
 * A greet pause holds off spam bots on port 25 (postscreen waits 6 s, Exim
 * setups delay in acl_smtp_connect): worth knowing there, a fault where
 * users wait. A greeting that came in time is never a failure.
 */
static void
judge_greeting_delay(struct smtp_state_data *s)
{
	double waited = mail_phase_elapsed_s(&s->m);
	struct mr_finding *f;

	if (waited < SMTP_SLOW_GREETING_S)
		return;
	if (s->mx) {
		f = mail_add(&s->m, CODE_SMTP_GREETING_SLOW, MR_PASS,
		             "the greeting came after %.1f s: a greet pause, "
		             "which holds off spam bots on port 25",
		             waited);
	} else {
		f = mail_add(&s->m, CODE_SMTP_GREETING_SLOW, MR_WARN,
		             "the greeting came after %.1f s on %s: users' "
		             "mail clients wait that long for every message",
		             waited, probe_item(s->m.p)->service);
		mr_finding_hint(f, "remove the greet pause (or slow lookup) "
		                   "from the submission ports; keep it on 25");
	}
	mr_finding_set(f, "seconds", json_real(waited));
}

static void
after_greeting(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;

	if (r->code != 220) {
		char *t = reply_text(r);
		mail_fail(&s->m, CODE_SMTP_REFUSED,
		          "look at the server's access rules and load",
		          "%s greets with '%s' instead of 220: it refuses "
		          "connections",
		          mail_where(&s->m), t);
		free(t);
		return;
	}
	s->greeting_host = smtp_reply_host(r);
	struct mr_finding *f =
		mail_add(&s->m, CODE_SMTP_OK, MR_PASS, "greeting: %d %s",
	                 r->code, r->lines[0]);
	mr_finding_set_text(f, "banner", r->lines[0]);
	for (size_t i = 0; i < r->nlines && !s->m.product; i++)
		mail_set_product(&s->m, product_from_smtp(r->lines[i]));
	judge_greeting_delay(s);
	send_ehlo(s, SMTP_EHLO);
}

static void
quit(struct smtp_state_data *s)
{
	s->state = SMTP_QUIT;
	smtp_reply_clear(&s->reply);
	mail_quit(&s->m, "QUIT");
}

static void
no_auth(struct smtp_state_data *s, enum mr_status st, const char *when)
{
	struct mr_finding *f = mail_add(
		&s->m, CODE_SMTP_AUTH_MISSING, st,
		"no AUTH offered %s on %s: users cannot log in to send", when,
		probe_item(s->m.p)->service);
	mr_finding_hint(f, "enable SMTP AUTH (SASL) on this listener, "
	                   "offered after TLS");
}

/* SASL PLAIN (RFC 4616), else LOGIN: what the submission clients use. */
static void
start_login(struct smtp_state_data *s, const struct smtp_reply *r)
{
	const char *mechs = NULL;

	smtp_ehlo_has(r, "AUTH", &mechs);
	if (mechs != NULL && strcasestr(mechs, "PLAIN") != NULL) {
		char *b64 = mail_sasl_plain(&s->m);
		char *line = xasprintf("AUTH PLAIN %s", b64);
		mail_secret_free(b64);
		s->state = SMTP_AUTH;
		smtp_reply_clear(&s->reply);
		mail_command_secret(&s->m, state_names[SMTP_AUTH], line);
		return;
	}
	if (mechs != NULL && strcasestr(mechs, "LOGIN") != NULL) {
		enter(s, SMTP_AUTH_USER, "AUTH LOGIN");
		s->m.in_login = true;
		return;
	}
	mail_login_failed(&s->m, "SMTP AUTH",
	                  "no PLAIN or LOGIN mechanism offered after TLS");
	quit(s);
}

/* Base64 of a string, for AUTH LOGIN's two answers. */
static char *
b64(const char *text)
{
	size_t n = strlen(text);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text,
	                (int)n);
	return out;
}

static void
after_auth(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;
	char *t = reply_text(r);

	if (r->code == 235)
		mail_login_ok(&s->m, "SMTP AUTH", t);
	else
		mail_login_failed(&s->m, "SMTP AUTH", t);
	free(t);
	quit(s);
}

static void
after_auth_step(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;

	if (r->code != 334) {
		after_auth(s);
		return;
	}
	if (s->state == SMTP_AUTH_USER) {
		char *u = b64(mail_login_user(&s->m));
		enter(s, SMTP_AUTH_PASS, u);
		free(u);
		return;
	}
	s->state = SMTP_AUTH;
	smtp_reply_clear(&s->reply);
	mail_command_secret(&s->m, state_names[SMTP_AUTH],
	                    b64(mail_login_password(&s->m)));
}

static void
after_ehlo(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;
	const char *service = probe_item(s->m.p)->service;
	struct mr_finding *f;

	if (r->code != 250) {
		char *t = reply_text(r);
		mail_fail(&s->m, CODE_SMTP_EHLO_REFUSED,
		          "look at the server's HELO restrictions",
		          "EHLO refused: %s", t);
		free(t);
		return;
	}
	if (s->m.tls) {
		/* smtps: TLS came first; the session is as after STARTTLS. */
		/* 465 is submission over TLS (RFC 8314): the same fault as
		   on 587, the same severity. */
		if (!smtp_ehlo_has(r, "AUTH", NULL))
			no_auth(s, MR_FAIL, "over TLS");
		else if (mail_login_wanted(&s->m)) {
			start_login(s, r);
			return;
		}
		quit(s);
		return;
	}
	if (smtp_ehlo_has(r, "AUTH", NULL) && s->submission) {
		f = mail_add(&s->m, CODE_SMTP_AUTH_BEFORE_TLS, MR_WARN,
		             "AUTH is offered before STARTTLS on submission: "
		             "clients may send passwords in clear");
		mr_finding_hint(f, "offer AUTH only after STARTTLS");
	}
	if (!smtp_ehlo_has(r, "STARTTLS", NULL)) {
		mail_fail(
			&s->m, CODE_SMTP_STARTTLS_MISSING,
			"enable STARTTLS: a certificate with its key and full "
			"chain for this listener",
			"STARTTLS is not offered on %s (%s): mail to and from "
			"this node travels in clear",
			service, mail_where(&s->m));
		return;
	}
	/* A public MX must not refuse senders without TLS (RFC 3207 4):
	   ask for a transaction in clear, then undo it. No mail is sent. */
	if (s->mx) {
		enter(s, SMTP_MAIL_PLAIN, "MAIL FROM:<>");
		return;
	}
	enter(s, SMTP_STARTTLS, "STARTTLS");
}

static void
after_mail_plain(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;
	char *t = reply_text(r);

	/* 530 5.7.0 "Must issue a STARTTLS command first" (RFC 3207);
	   other refusals (policy, greylisting) say nothing about TLS. */
	if (r->code == 530 ||
	    (r->code / 100 == 5 && t != NULL && strcasestr(t, "TLS"))) {
		struct mr_finding *f = mail_add(
			&s->m, CODE_SMTP_TLS_REQUIRED, MR_WARN,
			"port 25 refuses mail before STARTTLS ('%s'): senders "
			"that do not use TLS cannot deliver to this MX",
			t);
		mr_finding_hint(f, "offer TLS on port 25 without requiring "
		                   "it; require it on 587/465 instead");
	}
	free(t);
	enter(s, SMTP_RSET, "RSET");
}

static void
after_starttls(struct smtp_state_data *s)
{
	if (s->reply.code != 220) {
		char *t = reply_text(&s->reply);
		mail_fail(&s->m, CODE_SMTP_STARTTLS_REFUSED,
		          "check the server's TLS certificate and key settings",
		          "STARTTLS is offered but refused: %s", t);
		free(t);
		return;
	}
	mail_starttls(&s->m);
}

static void
after_ehlo_tls(struct smtp_state_data *s)
{
	const struct smtp_reply *r = &s->reply;

	if (r->code != 250) {
		char *t = reply_text(r);
		mail_fail(&s->m, CODE_SMTP_EHLO_REFUSED,
		          "look at the server's HELO restrictions",
		          "EHLO after TLS refused: %s", t);
		free(t);
		return;
	}
	if (s->submission && !smtp_ehlo_has(r, "AUTH", NULL))
		no_auth(s, MR_FAIL, "after STARTTLS");
	else if (s->submission && mail_login_wanted(&s->m)) {
		start_login(s, r);
		return;
	}
	quit(s);
}

static void
on_line(struct mail_session *m, const char *line)
{
	struct smtp_state_data *s = (struct smtp_state_data *)m;
	char err[200];

	switch (smtp_reply_feed(&s->reply, line, err, sizeof(err))) {
	case PROTO_MORE:
		if (s->state == SMTP_GREETING)
			m->greeting_begun = true;
		return;
	case PROTO_ERROR:
		if (s->state == SMTP_QUIT) {
			finish(s);
			return;
		}
		mail_fail(m, CODE_PROTOCOL_ERROR,
		          "make sure an SMTP server listens on the port",
		          "not SMTP: the %s is garbled (%s)",
		          state_names[s->state], err);
		return;
	case PROTO_DONE:
		break;
	}
	switch (s->state) {
	case SMTP_GREETING:
		after_greeting(s);
		break;
	case SMTP_EHLO:
		after_ehlo(s);
		break;
	case SMTP_MAIL_PLAIN:
		after_mail_plain(s);
		break;
	case SMTP_RSET:
		/* Whatever it says, the transaction is gone; TLS next. */
		enter(s, SMTP_STARTTLS, "STARTTLS");
		break;
	case SMTP_STARTTLS:
		after_starttls(s);
		break;
	case SMTP_EHLO_TLS:
		after_ehlo_tls(s);
		break;
	case SMTP_AUTH:
		after_auth(s);
		break;
	case SMTP_AUTH_USER:
	case SMTP_AUTH_PASS:
		after_auth_step(s);
		break;
	case SMTP_QUIT:
		finish(s);
		break;
	}
}

static void
on_begin(struct mail_session *m)
{
	struct smtp_state_data *s = (struct smtp_state_data *)m;
	s->state = SMTP_GREETING;
}

static void
on_tls_ready(struct mail_session *m)
{
	send_ehlo((struct smtp_state_data *)m, SMTP_EHLO_TLS);
}

static const struct mail_hooks hooks = {
	.begin = on_begin,
	.line = on_line,
	.tls_ready = on_tls_ready,
};

static void
start(struct probe *p)
{
	struct smtp_state_data *s = probe_state(p);
	const struct plan_item *it = probe_item(p);

	s->submission = strcmp(it->service, "submission") == 0;
	s->mx = strcmp(it->service, "smtp") == 0;
	/* The PTR of the address, to compare with the greeting (port 25). */
	if (it->has_addr && s->mx) {
		char *rev = dns_reverse_name(&it->addr);
		s->ptr_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, rev,
		                        LDNS_RR_TYPE_PTR, on_ptr, s);
		free(rev);
	}
	mail_start(&s->m, p, &hooks, "SMTP", probe_item(p)->implicit_tls);
}

static void
cleanup(struct probe *p)
{
	struct smtp_state_data *s = probe_state(p);
	dns_cancel(s->ptr_req);
	smtp_reply_clear(&s->reply);
	free(s->greeting_host);
	mail_cleanup(&s->m);
}

const struct probe_ops probe_mail_smtp_ops = {
	.state_size = sizeof(struct smtp_state_data),
	.start = start,
	.cleanup = cleanup,
	.own_timeouts = true,
	.cut_short = mail_cut_short,
};
