/*
 * pop3.c -- mail.pop3 (110) and mail.pop3s (995).
 *
 *   pop3:  greeting -> CAPA [-> USER probe] [-> AUTH probe -> *] -> STLS ->
 *          TLS -> CAPA [-> USER -> PASS] -> QUIT
 *   pop3s: TLS -> greeting -> CAPA [-> USER -> PASS] -> QUIT
 *
 * Checks the +OK greeting, that STLS is offered and works, that plain-text
 * login is not accepted before TLS, and the certificate. CAPA may list USER
 * and SASL PLAIN before TLS and the server still refuse them (Dovecot with
 * ssl = required, Courier with POP3_TLS_REQUIRED), so what the server
 * accepts is tried, without a password: "USER" with a name that is no
 * account, and "AUTH PLAIN" cancelled with "*" (RFC 5034) at the server's
 * "+" prompt. After a USER that was accepted the server waits for PASS and
 * some refuse STLS then (nginx), so the rest is done on a new connection.
 * With a test account (login_file) it logs in after TLS. Ends with QUIT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/mail.h"
#include "probes/probes.h"
#include "proto/proto.h"
#include "xmalloc.h"

/* No account has this name; it only shows what the server would do. */
#define PROBE_USER "mailready-plaintext-probe"

enum pop3_state {
	POP3_GREETING,
	POP3_CAPA,
	POP3_CAPA_LINES,
	POP3_USER_PROBE,
	POP3_SASL_PROBE,
	POP3_SASL_CANCEL,
	POP3_PROBE_QUIT,
	POP3_STLS,
	POP3_LOGIN_USER,
	POP3_LOGIN_PASS,
	POP3_QUIT,
};

static const char *const state_names[] = {
	[POP3_GREETING] = "greeting",
	[POP3_CAPA] = "reply to CAPA",
	[POP3_CAPA_LINES] = "capability list",
	[POP3_USER_PROBE] = "reply to USER before TLS",
	[POP3_SASL_PROBE] = "reply to AUTH PLAIN before TLS",
	[POP3_SASL_CANCEL] = "reply to the cancelled AUTH",
	[POP3_PROBE_QUIT] = "reply to QUIT before the second connection",
	[POP3_STLS] = "reply to STLS",
	[POP3_LOGIN_USER] = "reply to USER",
	[POP3_LOGIN_PASS] = "reply to the password",
	[POP3_QUIT] = "reply to QUIT",
};

struct pop3_data {
	struct mail_session m; /* first: the hooks get it */
	enum pop3_state state;
	struct pop3_multi capa;
	bool have_capa;
	bool plaintext_judged; /* the USER/AUTH probes are done */
	bool login_sasl;       /* the test login uses AUTH PLAIN */
};

static void
send_cmd(struct pop3_data *s, enum pop3_state st, const char *cmd)
{
	s->state = st;
	if (st == POP3_QUIT)
		mail_quit(&s->m, "QUIT");
	else
		mail_command(&s->m, state_names[st], "%s", cmd);
}

static void
finish(struct pop3_data *s)
{
	mail_finish(&s->m);
}

static bool
sasl_plain_offered(const struct pop3_multi *capa)
{
	const char *params;

	if (!pop3_capa_has(capa, "SASL", &params) || params == NULL)
		return false;
	return strcasestr(params, "PLAIN") != NULL;
}

/* Accepted before TLS: what was tried and what the server said. */
static void
plaintext_accepted(struct pop3_data *s, const char *what, const char *reply)
{
	struct mr_finding *f =
		mail_add(&s->m, CODE_POP3_PLAINTEXT_LOGIN, MR_WARN,
	                 "plain-text login is accepted before TLS: %s, sent "
	                 "without a password, got '%.100s'; the password "
	                 "would follow in clear",
	                 what, reply);
	mr_finding_hint(f, "refuse logins before TLS");
	mr_finding_set_text(f, "tried", what);
	mr_finding_set_text(f, "reply", reply);
}

static void
plaintext_refused(struct pop3_data *s, const char *what, const char *reply)
{
	struct mr_finding *f =
		mail_add(&s->m, CODE_PLAINTEXT_REFUSED, MR_PASS,
	                 "plain-text login is refused before TLS: %s got "
	                 "'%.100s'",
	                 what, reply);
	mr_finding_set_text(f, "tried", what);
	mr_finding_set_text(f, "reply", reply);
}

/* After the USER probe: AUTH PLAIN, if offered, then STLS. */
static void
probe_sasl_or_stls(struct pop3_data *s)
{
	if (s->have_capa && sasl_plain_offered(&s->capa)) {
		send_cmd(s, POP3_SASL_PROBE, "AUTH PLAIN");
		return;
	}
	s->plaintext_judged = true;
	send_cmd(s, POP3_STLS, "STLS");
}

/* The test account, after TLS: USER/PASS (RFC 1939), else AUTH PLAIN. */
static void
start_login(struct pop3_data *s)
{
	if (s->have_capa && !pop3_capa_has(&s->capa, "USER", NULL) &&
	    sasl_plain_offered(&s->capa)) {
		char *b64 = mail_sasl_plain(&s->m);
		char *line = xasprintf("AUTH PLAIN %s", b64);
		mail_secret_free(b64);
		s->login_sasl = true;
		s->state = POP3_LOGIN_PASS;
		mail_command_secret(&s->m, state_names[POP3_LOGIN_PASS], line);
		return;
	}
	char *line = xasprintf("USER %s", mail_login_user(&s->m));
	s->state = POP3_LOGIN_USER;
	mail_command_secret(&s->m, state_names[POP3_LOGIN_USER], line);
}

/* Capabilities known (or CAPA refused): decide the next step. */
static void
caps_known(struct pop3_data *s)
{
	if (s->m.tls) {
		if (mail_login_wanted(&s->m))
			start_login(s);
		else
			send_cmd(s, POP3_QUIT, NULL);
		return;
	}
	if (s->have_capa && !pop3_capa_has(&s->capa, "STLS", NULL)) {
		mail_fail(&s->m, CODE_POP3_STLS_MISSING,
		          "enable STLS: a certificate with its key and full "
		          "chain for the POP3 service",
		          "STLS (STARTTLS) is not offered on pop3 (%s): mail "
		          "clients would log in in clear",
		          mail_where(&s->m));
		return;
	}
	if (!s->plaintext_judged && s->have_capa &&
	    pop3_capa_has(&s->capa, "USER", NULL)) {
		send_cmd(s, POP3_USER_PROBE, "USER " PROBE_USER);
		return;
	}
	if (!s->plaintext_judged) {
		probe_sasl_or_stls(s);
		return;
	}
	send_cmd(s, POP3_STLS, "STLS");
}

static bool
status_line(struct pop3_data *s, const char *line, bool *ok, const char **text)
{
	char err[200];
	if (pop3_status(line, ok, text, err, sizeof(err)) == 0)
		return true;
	if (s->state == POP3_QUIT)
		finish(s);
	else
		mail_fail(&s->m, CODE_PROTOCOL_ERROR,
		          "make sure a POP3 server listens on the port",
		          "not POP3: the %s is garbled (%s)",
		          state_names[s->state], err);
	return false;
}

static void
after_greeting(struct pop3_data *s, bool ok, const char *line)
{
	if (!ok) {
		mail_fail(&s->m, CODE_POP3_REFUSED,
		          "look at the server's log for why it refuses",
		          "%s refuses connections: %.200s", mail_where(&s->m),
		          line);
		return;
	}
	/* The second connection greets again: one finding is enough. */
	if (!s->m.reconnected) {
		struct mr_finding *f = mail_add(&s->m, CODE_POP3_OK, MR_PASS,
		                                "greeting: %s", line);
		mr_finding_set_text(f, "banner", line);
		mail_set_product(&s->m, product_from_pop3(line));
	}
	send_cmd(s, POP3_CAPA, "CAPA");
}

static void
capa_done(struct pop3_data *s)
{
	const char *impl = NULL;

	s->have_capa = true;
	/* Courier greets "+OK Hello there." and names itself here. */
	if (!s->m.product && pop3_capa_has(&s->capa, "IMPLEMENTATION", &impl))
		mail_set_product(&s->m, product_from_pop3(impl));
	caps_known(s);
}

/* "+ " (or "+"): the SASL prompt, which pop3_status() does not take. */
static bool
is_continuation(const char *line)
{
	return line[0] == '+' && (line[1] == ' ' || line[1] == '\0');
}

static void
after_login_step(struct pop3_data *s, bool ok, const char *line)
{
	if (!ok) {
		mail_login_failed(&s->m,
		                  s->login_sasl ? "POP3 AUTH PLAIN"
		                  : s->state == POP3_LOGIN_USER ? "POP3 USER"
		                                                : "POP3 PASS",
		                  line);
		send_cmd(s, POP3_QUIT, NULL);
		return;
	}
	if (s->state == POP3_LOGIN_USER) {
		char *pass = xasprintf("PASS %s", mail_login_password(&s->m));
		s->state = POP3_LOGIN_PASS;
		mail_command_secret(&s->m, state_names[POP3_LOGIN_PASS], pass);
		return;
	}
	mail_login_ok(&s->m,
	              s->login_sasl ? "POP3 AUTH PLAIN" : "POP3 USER/PASS",
	              line);
	/* Nothing was marked for deletion: QUIT changes nothing. */
	send_cmd(s, POP3_QUIT, NULL);
}

static void
on_line(struct mail_session *m, const char *line)
{
	struct pop3_data *s = (struct pop3_data *)m;
	bool ok;
	const char *text;
	char err[200];

	if (s->state == POP3_CAPA_LINES) {
		switch (pop3_multi_feed(&s->capa, line, err, sizeof(err))) {
		case PROTO_MORE:
			return;
		case PROTO_ERROR:
			mail_fail(m, CODE_PROTOCOL_ERROR, NULL,
			          "not POP3: the capability list is garbled "
			          "(%s)",
			          err);
			return;
		case PROTO_DONE:
			capa_done(s);
			return;
		}
	}
	if (s->state == POP3_SASL_PROBE && is_continuation(line)) {
		plaintext_accepted(s, "AUTH PLAIN", line);
		s->plaintext_judged = true;
		send_cmd(s, POP3_SASL_CANCEL, "*");
		return;
	}
	if (!status_line(s, line, &ok, &text))
		return;
	switch (s->state) {
	case POP3_GREETING:
		after_greeting(s, ok, line);
		return;
	case POP3_CAPA:
		if (!ok) {
			/* Old servers without CAPA: try STLS anyway. */
			s->plaintext_judged = true;
			caps_known(s);
			return;
		}
		pop3_multi_clear(&s->capa);
		s->state = POP3_CAPA_LINES;
		return;
	case POP3_USER_PROBE:
		if (ok) {
			plaintext_accepted(s, "USER", line);
			s->plaintext_judged = true;
			send_cmd(s, POP3_PROBE_QUIT, "QUIT");
			return;
		}
		plaintext_refused(s, "USER", line);
		probe_sasl_or_stls(s);
		return;
	case POP3_SASL_PROBE:
		plaintext_refused(s, "AUTH PLAIN", line);
		s->plaintext_judged = true;
		send_cmd(s, POP3_STLS, "STLS");
		return;
	case POP3_SASL_CANCEL:
		/* "-ERR" as RFC 5034 says; the session is as before AUTH. */
		send_cmd(s, POP3_STLS, "STLS");
		return;
	case POP3_PROBE_QUIT:
		mail_reconnect(m);
		return;
	case POP3_STLS:
		if (!ok) {
			mail_fail(m, CODE_POP3_REFUSED,
			          "check the server's TLS certificate and key "
			          "settings",
			          "STLS refused: %.200s", line);
			return;
		}
		mail_starttls(m);
		return;
	case POP3_LOGIN_USER:
	case POP3_LOGIN_PASS:
		after_login_step(s, ok, line);
		return;
	case POP3_QUIT:
		finish(s);
		return;
	case POP3_CAPA_LINES:
		return;
	}
}

static void
on_begin(struct mail_session *m)
{
	struct pop3_data *s = (struct pop3_data *)m;
	s->state = POP3_GREETING;
	pop3_multi_clear(&s->capa);
	s->have_capa = false;
}

static void
on_tls_ready(struct mail_session *m)
{
	struct pop3_data *s = (struct pop3_data *)m;
	pop3_multi_clear(&s->capa);
	s->have_capa = false;
	send_cmd(s, POP3_CAPA, "CAPA");
}

static const struct mail_hooks hooks = {
	.begin = on_begin,
	.line = on_line,
	.tls_ready = on_tls_ready,
};

static void
start(struct probe *p)
{
	struct pop3_data *s = probe_state(p);
	mail_start(&s->m, p, &hooks, "POP3", probe_item(p)->implicit_tls);
}

static void
cleanup(struct probe *p)
{
	struct pop3_data *s = probe_state(p);
	pop3_multi_clear(&s->capa);
	mail_cleanup(&s->m);
}

const struct probe_ops probe_mail_pop3_ops = {
	.state_size = sizeof(struct pop3_data),
	.start = start,
	.cleanup = cleanup,
	.own_timeouts = true,
	.cut_short = mail_cut_short,
};
