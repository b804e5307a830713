/*
 * imap.c -- mail.imap (143) and mail.imaps (993).
 *
 *   imap:  greeting -> CAPABILITY -> STARTTLS -> TLS -> CAPABILITY
 *          [-> LOGIN] -> LOGOUT
 *   imaps: TLS -> greeting -> CAPABILITY [-> LOGIN] -> LOGOUT
 *
 * Checks the "* OK" greeting, that STARTTLS is offered and works, that
 * plain-text login is not offered before TLS (LOGINDISABLED), and the
 * certificate. With a test account (login_file) it logs in after TLS
 * (LOGIN, or AUTHENTICATE PLAIN); it never selects a mailbox. Ends with
 * LOGOUT.
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
	IMAP_LOGIN,
	IMAP_LOGOUT,
};

static const char *const state_names[] = {
	[IMAP_GREETING] = "greeting",
	[IMAP_CAPA] = "reply to CAPABILITY",
	[IMAP_STARTTLS] = "reply to STARTTLS",
	[IMAP_CAPA_TLS] = "reply to CAPABILITY after TLS",
	[IMAP_LOGIN] = "reply to the login",
	[IMAP_LOGOUT] = "reply to LOGOUT",
};

/* The tag of each command is the state's letter, so replies are checked. */
/* The command each state waits on, for refusal messages. */
static const char *const state_commands[] = {
	[IMAP_GREETING] = "the connection", [IMAP_CAPA] = "CAPABILITY",
	[IMAP_STARTTLS] = "STARTTLS",       [IMAP_CAPA_TLS] = "CAPABILITY",
	[IMAP_LOGIN] = "the login",         [IMAP_LOGOUT] = "LOGOUT",
};

static const char *const state_tags[] = {
	[IMAP_CAPA] = "m1",   [IMAP_STARTTLS] = "m2", [IMAP_CAPA_TLS] = "m3",
	[IMAP_LOGOUT] = "m4", [IMAP_LOGIN] = "m5",
};

struct imap_data {
	struct mail_session m; /* first: the hooks get it */
	enum imap_state state;
	struct imap_caps caps;
	bool have_caps;
	bool login_sasl;     /* AUTHENTICATE PLAIN, not LOGIN */
	bool login_prompted; /* AUTHENTICATE: the "+" came, the response went */
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
		mail_fail(
			&s->m, CODE_IMAP_STARTTLS_MISSING,
			"enable STARTTLS: a certificate with its key and full "
			"chain for the IMAP service",
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
		mr_finding_hint(f, "refuse logins before TLS (then the server "
		                   "announces LOGINDISABLED)");
	}
	send_cmd(s, IMAP_STARTTLS, "STARTTLS");
}

/* A quoted string (RFC 3501) holds 7-bit text without CR, LF or NUL. */
static bool
quotable(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	return true;
}

static void
append_quoted(char **line, const char *v)
{
	size_t n = strlen(*line), vl = strlen(v);
	char *out = xmalloc(n + 2 * vl + 4);

	memcpy(out, *line, n);
	out[n++] = '"';
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			out[n++] = '\\';
		out[n++] = *v;
	}
	out[n++] = '"';
	out[n] = '\0';
	mail_secret_free(*line);
	*line = out;
}

/* The test account, after TLS: LOGIN with quoted strings, else SASL
   PLAIN (inline with SASL-IR, else at the "+" prompt). */
static void
start_login(struct imap_data *s)
{
	const char *u = mail_login_user(&s->m),
		   *pw = mail_login_password(&s->m);
	char *line;

	s->state = IMAP_LOGIN;
	if (!imap_caps_has(&s->caps, "LOGINDISABLED") && quotable(u) &&
	    quotable(pw)) {
		line = xstrdup("m5 LOGIN ");
		append_quoted(&line, u);
		char *sp = xasprintf("%s ", line);
		mail_secret_free(line);
		line = sp;
		append_quoted(&line, pw);
	} else if (imap_caps_has(&s->caps, "AUTH=PLAIN")) {
		s->login_sasl = true;
		if (imap_caps_has(&s->caps, "SASL-IR")) {
			char *b64 = mail_sasl_plain(&s->m);
			line = xasprintf("m5 AUTHENTICATE PLAIN %s", b64);
			mail_secret_free(b64);
			s->login_prompted = true;
		} else {
			line = xstrdup("m5 AUTHENTICATE PLAIN");
		}
	} else {
		mail_login_failed(&s->m, "IMAP",
		                  "no LOGIN and no AUTH=PLAIN "
		                  "offered after TLS");
		send_cmd(s, IMAP_LOGOUT, NULL);
		return;
	}
	mail_command_secret(&s->m, state_names[IMAP_LOGIN], line);
}

static void
caps_known(struct imap_data *s)
{
	if (s->m.tls && mail_login_wanted(&s->m))
		start_login(s);
	else if (s->m.tls)
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
	mail_set_product(&s->m, product_from_imap(line));
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
	if (s->state == IMAP_LOGIN) {
		const char *how = s->login_sasl ? "IMAP AUTHENTICATE PLAIN"
		                                : "IMAP LOGIN";
		if (strcmp(l->status, "OK") == 0)
			mail_login_ok(&s->m, how, line);
		else
			mail_login_failed(&s->m, how, line);
		send_cmd(s, IMAP_LOGOUT, NULL);
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
	case IMAP_LOGIN:
		return;
	}
}

/* During the login: the SASL prompt, or what a proxy says before it
   hangs up ("* BAD internal server error" from nginx). */
static bool
login_line(struct imap_data *s, const char *line)
{
	if (line[0] == '+' && (line[1] == ' ' || line[1] == '\0')) {
		if (!s->login_sasl || s->login_prompted) {
			/* A second prompt: the response was refused. */
			mail_command(&s->m, state_names[IMAP_LOGIN], "*");
			return true;
		}
		s->login_prompted = true;
		mail_command_secret(&s->m, state_names[IMAP_LOGIN],
		                    mail_sasl_plain(&s->m));
		return true;
	}
	if (line[0] == '*' && s->m.login_said[0] == '\0')
		snprintf(s->m.login_said, sizeof(s->m.login_said), "'%.120s'",
		         line);
	return false;
}

static void
on_line(struct mail_session *m, const char *line)
{
	struct imap_data *s = (struct imap_data *)m;
	struct imap_line l;
	char err[200];

	if (s->state == IMAP_LOGIN && login_line(s, line))
		return;
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
	.cut_short = mail_cut_short,
};
