/*
 * imap.c -- mail.imap (143) and mail.imaps (993).
 *
 *   imap:  greeting -> CAPABILITY -> STARTTLS -> TLS -> CAPABILITY -> LOGOUT
 *   imaps: TLS -> greeting -> CAPABILITY -> LOGOUT
 *
 * Checks the "* OK" greeting, that STARTTLS is offered and works, that
 * plain-text login is not offered before TLS (LOGINDISABLED), and the
 * certificate. Never logs in; ends with LOGOUT.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/mail.h"
#include "probes/probes.h"
#include "proto/proto.h"
#include "xmalloc.h"

enum imap_state {
	IMAP_GREETING,
	IMAP_CAPA,
	IMAP_STARTTLS,
	IMAP_CAPA_TLS,
	IMAP_LOGOUT,
};

static const char *const state_names[] = {
	[IMAP_GREETING] = "greeting",
	[IMAP_CAPA] = "reply to CAPABILITY",
	[IMAP_STARTTLS] = "reply to STARTTLS",
	[IMAP_CAPA_TLS] = "reply to CAPABILITY after TLS",
	[IMAP_LOGOUT] = "reply to LOGOUT",
};

/* The tag of each command is the state's letter, so replies are checked. */
/* The command each state waits on, for refusal messages. */
static const char *const state_commands[] = {
	[IMAP_GREETING] = "the connection", [IMAP_CAPA] = "CAPABILITY",
	[IMAP_STARTTLS] = "STARTTLS",       [IMAP_CAPA_TLS] = "CAPABILITY",
	[IMAP_LOGOUT] = "LOGOUT",
};

static const char *const state_tags[] = {
	[IMAP_CAPA] = "m1",
	[IMAP_STARTTLS] = "m2",
	[IMAP_CAPA_TLS] = "m3",
	[IMAP_LOGOUT] = "m4",
};

struct imap_data {
	struct mail_session m; /* first: the hooks get it */
	enum imap_state state;
	struct imap_caps caps;
	bool have_caps;
};

static void
send_cmd(struct imap_data *s, enum imap_state st, const char *cmd)
{
	s->state = st;
	if (st == IMAP_LOGOUT) {
		mail_quit(&s->m, "m4 LOGOUT");
		return;
	}
	mail_command(&s->m, state_names[st], "%s %s", state_tags[st], cmd);
}

static void
finish(struct imap_data *s)
{
	mail_finish(&s->m);
}

/* Before TLS: STARTTLS must be offered and plain-text login must not. */
static void
judge_plain_caps(struct imap_data *s)
{
	if (!imap_caps_has(&s->caps, "STARTTLS")) {
		mail_fail(&s->m, CODE_IMAP_STARTTLS_MISSING,
		          "enable TLS in the IMAP server (Dovecot: ssl = yes "
		          "and a certificate)",
		          "STARTTLS is not offered on imap (%s): mail clients "
		          "would log in in clear",
		          mail_where(&s->m));
		return;
	}
	if (!imap_caps_has(&s->caps, "LOGINDISABLED")) {
		struct mr_finding *f = mail_add(
			&s->m, CODE_IMAP_PLAINTEXT_LOGIN, MR_WARN,
			"plain-text login is offered before TLS (no "
			"LOGINDISABLED): passwords may cross the network in "
			"clear");
		mr_finding_hint(f, "Dovecot: disable_plaintext_auth = yes");
	}
	send_cmd(s, IMAP_STARTTLS, "STARTTLS");
}

static void
caps_known(struct imap_data *s)
{
	if (s->m.tls)
		send_cmd(s, IMAP_LOGOUT, NULL);
	else
		judge_plain_caps(s);
}

static bool
take_caps(struct imap_data *s, const char *text, size_t len)
{
	char err[200];
	if (imap_caps_parse(text, len, &s->caps, err, sizeof(err)) < 0) {
		mail_fail(&s->m, CODE_PROTOCOL_ERROR, NULL,
		          "not IMAP: bad capability list (%s)", err);
		return false;
	}
	s->have_caps = true;
	return true;
}

static void
on_greeting(struct imap_data *s, const struct imap_line *l, const char *line)
{
	if (l->kind != IMAP_UNTAGGED) {
		mail_fail(&s->m, CODE_PROTOCOL_ERROR,
		          "make sure an IMAP server listens on the port",
		          "not IMAP: the greeting is not untagged: '%.60s'",
		          line);
		return;
	}
	if (strcmp(l->status, "BYE") == 0) {
		mail_fail(&s->m, CODE_IMAP_REFUSED,
		          "look at the server's log for why it refuses",
		          "%s refuses connections: %.200s", mail_where(&s->m),
		          line);
		return;
	}
	if (strcmp(l->status, "PREAUTH") == 0) {
		struct mr_finding *f = mail_add(
			&s->m, CODE_IMAP_PREAUTH, MR_WARN,
			"the server greets with PREAUTH: connections are "
			"logged in without credentials");
		mr_finding_hint(f, "require authentication on this listener");
	} else if (strcmp(l->status, "OK") != 0) {
		mail_fail(&s->m, CODE_PROTOCOL_ERROR,
		          "make sure an IMAP server listens on the port",
		          "not IMAP: expected '* OK' greeting, got '%.60s'",
		          line);
		return;
	}
	/* The capability list is judged below; the words are the banner. */
	struct mr_finding *g =
		mail_add(&s->m, CODE_IMAP_OK, MR_PASS, "greeting: * %s %s",
	                 l->status, l->text);
	mr_finding_set_text(g, "banner", line);
	if (l->code && l->code_len > 11 &&
	    strncasecmp(l->code, "CAPABILITY ", 11) == 0) {
		if (!take_caps(s, l->code + 11, l->code_len - 11))
			return;
		/* Capabilities announced before TLS must be fetched anew
		 * after it; those in an imaps greeting are final. */
		caps_known(s);
		return;
	}
	send_cmd(s, IMAP_CAPA, "CAPABILITY");
}

static void
on_tagged(struct imap_data *s, const struct imap_line *l, const char *line)
{
	if (s->state == IMAP_GREETING ||
	    strcmp(l->tag, state_tags[s->state]) != 0) {
		mail_fail(&s->m, CODE_PROTOCOL_ERROR, NULL,
		          "not IMAP: unexpected tagged reply '%.60s'", line);
		return;
	}
	if (strcmp(l->status, "OK") != 0) {
		if (s->state == IMAP_LOGOUT) {
			finish(s);
			return;
		}
		mail_fail(&s->m, CODE_IMAP_REFUSED, NULL, "%s refused: %.200s",
		          state_commands[s->state], line);
		return;
	}
	switch (s->state) {
	case IMAP_CAPA:
	case IMAP_CAPA_TLS:
		if (!s->have_caps) {
			mail_fail(&s->m, CODE_PROTOCOL_ERROR, NULL,
			          "the server sent no CAPABILITY list");
			return;
		}
		caps_known(s);
		return;
	case IMAP_STARTTLS:
		mail_starttls(&s->m);
		return;
	case IMAP_LOGOUT:
		finish(s);
		return;
	case IMAP_GREETING:
		return;
	}
}

static void
on_line(struct mail_session *m, const char *line)
{
	struct imap_data *s = (struct imap_data *)m;
	struct imap_line l;
	char err[200];

	if (imap_parse_line(line, &l, err, sizeof(err)) < 0) {
		if (s->state == IMAP_LOGOUT) {
			finish(s);
			return;
		}
		mail_fail(m, CODE_PROTOCOL_ERROR,
		          "make sure an IMAP server listens on the port",
		          "not IMAP: the %s is garbled (%s)",
		          state_names[s->state], err);
		return;
	}
	if (s->state == IMAP_GREETING) {
		on_greeting(s, &l, line);
		return;
	}
	if (l.kind == IMAP_TAGGED) {
		on_tagged(s, &l, line);
		return;
	}
	if (l.kind == IMAP_UNTAGGED && strcmp(l.status, "CAPABILITY") == 0 &&
	    (s->state == IMAP_CAPA || s->state == IMAP_CAPA_TLS))
		take_caps(s, l.text, strlen(l.text));
	/* Other untagged data (BYE before LOGOUT's OK, ...) is fine. */
}

static void
on_begin(struct mail_session *m)
{
	struct imap_data *s = (struct imap_data *)m;
	s->state = IMAP_GREETING;
}

static void
on_tls_ready(struct mail_session *m)
{
	struct imap_data *s = (struct imap_data *)m;
	imap_caps_clear(&s->caps);
	s->have_caps = false;
	send_cmd(s, IMAP_CAPA_TLS, "CAPABILITY");
}

static const struct mail_hooks hooks = {
	.begin = on_begin,
	.line = on_line,
	.tls_ready = on_tls_ready,
};

static void
start(struct probe *p)
{
	struct imap_data *s = probe_state(p);
	mail_start(&s->m, p, &hooks, "IMAP", probe_item(p)->implicit_tls);
}

static void
cleanup(struct probe *p)
{
	struct imap_data *s = probe_state(p);
	imap_caps_clear(&s->caps);
	mail_cleanup(&s->m);
}

const struct probe_ops probe_mail_imap_ops = {
	.state_size = sizeof(struct imap_data),
	.start = start,
	.cleanup = cleanup,
	.own_timeouts = true,
};
