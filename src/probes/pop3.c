/*
 * pop3.c -- mail.pop3 (110) and mail.pop3s (995).
 *
 *   pop3:  greeting -> CAPA -> STLS -> TLS -> CAPA -> QUIT
 *   pop3s: TLS -> greeting -> CAPA -> QUIT
 *
 * Checks the +OK greeting, that STLS is offered and works, that plain-text
 * login (USER, SASL PLAIN/LOGIN) is not offered before TLS, and the
 * certificate. Never logs in; ends with QUIT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/mail.h"
#include "probes/probes.h"
#include "proto/proto.h"
#include "xmalloc.h"

enum pop3_state {
	POP3_GREETING,
	POP3_CAPA,
	POP3_CAPA_LINES,
	POP3_STLS,
	POP3_QUIT,
};

static const char *const state_names[] = {
	[POP3_GREETING] = "greeting",          [POP3_CAPA] = "reply to CAPA",
	[POP3_CAPA_LINES] = "capability list", [POP3_STLS] = "reply to STLS",
	[POP3_QUIT] = "reply to QUIT",
};

struct pop3_data {
	struct mail_session m; /* first: the hooks get it */
	enum pop3_state state;
	struct pop3_multi capa;
	bool have_capa;
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
plain_login_offered(const struct pop3_multi *capa)
{
	const char *params;
	if (pop3_capa_has(capa, "USER", NULL))
		return true;
	if (!pop3_capa_has(capa, "SASL", &params))
		return false;
	return strcasestr(params, "PLAIN") != NULL ||
	       strcasestr(params, "LOGIN") != NULL;
}

/* Capabilities known (or CAPA refused): decide the next step. */
static void
caps_known(struct pop3_data *s)
{
	if (s->m.tls) {
		send_cmd(s, POP3_QUIT, NULL);
		return;
	}
	if (s->have_capa && !pop3_capa_has(&s->capa, "STLS", NULL)) {
		mail_fail(&s->m, CODE_POP3_STLS_MISSING,
		          "enable TLS in the POP3 server (Dovecot: ssl = yes "
		          "and a certificate)",
		          "STLS (STARTTLS) is not offered on pop3 (%s): mail "
		          "clients would log in in clear",
		          mail_where(&s->m));
		return;
	}
	if (s->have_capa && plain_login_offered(&s->capa)) {
		struct mr_finding *f = mail_add(
			&s->m, CODE_POP3_PLAINTEXT_LOGIN, MR_WARN,
			"plain-text login (USER or SASL PLAIN/LOGIN) is offered "
			"before TLS: passwords may cross the network in clear");
		mr_finding_hint(f, "Dovecot: disable_plaintext_auth = yes");
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
			s->have_capa = true;
			caps_known(s);
			return;
		}
	}
	if (!status_line(s, line, &ok, &text))
		return;
	switch (s->state) {
	case POP3_GREETING:
		if (!ok) {
			mail_fail(m, CODE_POP3_REFUSED,
			          "look at the server's log for why it refuses",
			          "%s refuses connections: %.200s",
			          mail_where(m), line);
			return;
		}
		struct mr_finding *f = mail_add(m, CODE_POP3_OK, MR_PASS,
		                                "greeting: %s", line);
		mr_finding_set_text(f, "banner", line);
		send_cmd(s, POP3_CAPA, "CAPA");
		return;
	case POP3_CAPA:
		if (!ok) {
			/* Old servers without CAPA: try STLS anyway. */
			caps_known(s);
			return;
		}
		pop3_multi_clear(&s->capa);
		s->state = POP3_CAPA_LINES;
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
};
