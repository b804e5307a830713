/*
 * mail.c -- the session layer shared by the SMTP, IMAP and POP3 probes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "clock.h"
#include "io/reach.h"
#include "probes/mail.h"
#include "xmalloc.h"

/*
 * A phase's timeout: a greeting may come after a greet pause (postscreen
 * waits 6 s, RFC 5321 allows 5 min), every other step gets the probe
 * timeout; neither outlasts the run, so a silent server is reported as
 * such, naming the phase, before the deadline could cut the check short.
 */
#define MAIL_GOODBYE_WAIT_S 1.0

static double
phase_timeout(const struct mail_session *m, const char *phase)
{
	const struct run *r = probe_run(m->p);
	double want = strcmp(phase, "greeting") == 0
	                      ? r->cfg->greeting_timeout_s
	                      : r->probe_timeout_s;
	/* Everything that matters was seen: a goodbye is not waited for
	   long (servers that never answer QUIT are common enough). */
	if (m->quitting && want > MAIL_GOODBYE_WAIT_S)
		want = MAIL_GOODBYE_WAIT_S;
	return run_step_timeout(r, want);
}

const char *
mail_where(struct mail_session *m)
{
	return m->where;
}

void
mail_phase(struct mail_session *m, const char *phase)
{
	m->phase = phase;
	m->phase_s = phase_timeout(m, phase);
	gettimeofday(&m->phase_started, NULL);
	probe_waiting(m->p, "the %s from %s", phase, mail_where(m));
	conn_phase(m->conn, m->phase_s);
}

double
mail_phase_elapsed_s(const struct mail_session *m)
{
	return ms_since(&m->phase_started) / 1000.0;
}

void
mail_command(struct mail_session *m, const char *phase, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	conn_printf(m->conn, "%s", buf);
	mail_phase(m, phase);
}

/* The product's own setting for each finding it has one for. */
static void
apply_product_hints(struct mail_session *m)
{
	struct mr_result *res = probe_result(m->p);

	if (m->product == PRODUCT_UNKNOWN)
		return;
	for (size_t i = 0; i < res->nfindings; i++) {
		struct mr_finding *f = res->findings[i];
		const struct mr_code_def *d = mr_code_find(f->code);
		const char *h =
			d != NULL ? product_hint((enum mr_code)(d - mr_codes),
		                                 m->product)
				  : NULL;
		if (h == NULL)
			continue;
		mr_finding_hint(f, "%s", h);
		mr_finding_set_text(f, "product", product_name(m->product));
	}
}

static void
finish_probe(struct mail_session *m)
{
	struct mr_result *res = probe_result(m->p);
	if (m->finished)
		return;
	m->finished = true;
	apply_product_hints(m);
	mr_result_add_metric(res, "time", probe_elapsed_ms(m->p) / 1000.0, "s");
	probe_done(m->p);
}

void
mail_finish(struct mail_session *m)
{
	finish_probe(m);
}

struct mr_finding *
mail_add(struct mail_session *m, enum mr_code code, enum mr_status severity,
         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = probe_addv(m->p, code, severity, fmt, ap);
	va_end(ap);
	return f;
}

void
mail_fail(struct mail_session *m, enum mr_code code, const char *hint,
          const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct mr_finding *f = probe_addv(m->p, code, MR_FAIL, fmt, ap);
	va_end(ap);
	if (hint != NULL)
		mr_finding_hint(f, "%s", hint);
	finish_probe(m);
}

void
mail_quit(struct mail_session *m, const char *command)
{
	m->quitting = true;
	mail_command(m, "reply to the ending", "%s", command);
}

const char *
mail_client_name(struct mail_session *m)
{
	const char *host = probe_run(m->p)->hostname;
	struct mr_addr a;
	char as[MR_ADDR_STRLEN];

	if (strchr(host, '.') != NULL)
		return host;
	/* No FQDN here: an address literal is what RFC 5321 asks for. */
	if (conn_local_addr(m->conn, &a) == 0) {
		snprintf(m->client_name, sizeof(m->client_name),
		         a.family == AF_INET6 ? "[IPv6:%s]" : "[%s]",
		         mr_addr_str(&a, as));
		return m->client_name;
	}
	return "[127.0.0.1]";
}

/* ------------------------------------------------------------------ */
/* TLS */

/*
 * The name asked for: a proxy that presents a service name (tls_names)
 * picks its certificate by it; a wildcard entry is no name to ask for,
 * and the FQDN falls under it.
 */
static const char *
sni_name(const struct mail_session *m)
{
	for (size_t i = 0; i < m->ntls_names; i++)
		if (strncmp(m->tls_names[i], "*.", 2) != 0)
			return m->tls_names[i];
	return probe_item(m->p)->node->name;
}

void
mail_starttls(struct mail_session *m)
{
	struct run *r = probe_run(m->p);
	SSL *ssl = SSL_new(r->ssl_ctx);

	if (ssl == NULL || cert_prepare_ssl(ssl, sni_name(m)) < 0) {
		if (ssl)
			SSL_free(ssl);
		probe_finish(m->p, CODE_CONNECT_ERROR, MR_UNKNOWN,
		             "cannot set up TLS for %s", mail_where(m));
		return;
	}
	mail_phase(m, "TLS handshake");
	conn_start_tls(m->conn, ssl);
}

/* The certificate as data: what a script or a person needs to act. */
static json_t *
cert_json(const struct cert_verdict *v)
{
	json_t *c = json_object(), *sans = json_array();

	for (size_t i = 0; i < v->nsans; i++)
		json_array_append_new(sans, mr_json_text(v->sans[i]));
	json_object_set_new(c, "subject", mr_json_text(v->subject));
	json_object_set_new(c, "issuer", mr_json_text(v->issuer));
	json_object_set_new(c, "names", sans);
	json_object_set_new(c, "not_after", mr_json_text(v->not_after_text));
	if (v->dates_ok) {
		json_object_set_new(c, "not_after_ts",
		                    json_integer((json_int_t)v->not_after));
		json_object_set_new(c, "days_left",
		                    json_integer((json_int_t)v->days_left));
	}
	json_object_set_new(c, "fingerprint_sha256",
	                    mr_json_text(v->fingerprint));
	return c;
}

static void
judge_cert(struct mail_session *m)
{
	struct cert_policy pol = {.host = probe_item(m->p)->node->name,
	                          .alt_names = m->tls_names,
	                          .nalt_names = m->ntls_names};
	struct mr_result *res = probe_result(m->p);
	struct cert_verdict *v = &m->cert;

	cert_evaluate(conn_ssl(m->conn), &pol, v);
	mr_result_add_metric(res, "tls_ms", conn_tls_ms(m->conn), "ms");
	if (v->have_cert && v->dates_ok) {
		/* Policy judges the days against the thresholds. */
		mr_result_add_metric(res, "cert_days_left",
		                     (double)v->days_left, "d");
		mr_result_add_metric(res, "cert_not_after",
		                     (double)v->not_after, "");
	}
	struct mr_finding *f =
		mail_add(m, CODE_TLS_SESSION, MR_PASS, "%s%s",
	                 m->implicit_tls ? "TLS: " : "STARTTLS: ", v->summary);
	mr_finding_set_text(f, "version", v->version);
	mr_finding_set_text(f, "cipher", v->cipher);
	if (v->matched != NULL)
		mr_finding_set_text(f, "matched_name", v->matched);
	if (v->have_cert)
		mr_finding_set(f, "certificate", cert_json(v));
	for (size_t i = 0; i < v->nissues; i++) {
		const struct cert_issue *is = &v->issues[i];
		f = mail_add(m, is->code, is->severity, "%s", is->message);
		if (is->hint != NULL)
			mr_finding_hint(f, "%s", is->hint);
		if (v->have_cert) {
			mr_finding_set_text(f, "subject", v->subject);
			mr_finding_set_text(f, "not_after", v->not_after_text);
		}
	}
	if (v->nunlisted > 0) {
		f = mail_add(m, CODE_LIMIT_REACHED, v->unlisted_status,
		             "and %zu more certificate issue%s, not listed "
		             "(at most %d are)",
		             v->nunlisted, v->nunlisted == 1 ? "" : "s",
		             CERT_MAX_ISSUES);
		mr_finding_set_int(f, "limit", CERT_MAX_ISSUES);
		mr_finding_set_int(f, "not_listed", (long long)v->nunlisted);
	}
}

/* ------------------------------------------------------------------ */
/* Connection events */

/* Where the fault of a failed handshake lies, from how it failed. */
static const char *
tls_failure_hint(const char *e)
{
	if (strstr(e, "closed the connection") != NULL)
		return "the server accepted the connection and hung up during "
		       "the TLS handshake: if a proxy (HAProxy, nginx) stands "
		       "in front, its back end may be down; else look at the "
		       "server's log";
	if (strstr(e, "alert") != NULL || strstr(e, "reset") != NULL)
		return "the server aborted the handshake: the fault is on the "
		       "server's side; look at its log and its TLS settings "
		       "(certificate, key, protocols, ciphers)";
	return "look at the server's TLS settings: protocols, ciphers, "
	       "certificate and key";
}

/* The connect failed: the words of net.port.SERVICE (probes/common.c). */
static void
unreached(struct mail_session *m, const struct reach_result *r)
{
	const struct plan_item *it = probe_item(m->p);

	if (m->finished)
		return;
	probe_add_unreached(m->p, r, &m->addr, it->port, it->service);
	finish_probe(m);
}

static void
on_closed(struct mail_session *m)
{
	if (m->quitting) {
		finish_probe(m);
		return;
	}
	if (m->in_login) {
		/* nginx: "* BAD internal server error", then it hangs up. */
		char said[200];
		snprintf(said, sizeof(said), "%s%sthe connection closed",
		         m->login_said, m->login_said[0] ? ", then " : "");
		mail_login_failed(m, NULL, said);
		finish_probe(m);
		return;
	}
	mail_fail(m, CODE_SERVER_CLOSED,
	          "look at the server's log for why it hangs up",
	          "%s closed the connection while we waited for the %s",
	          mail_where(m), m->phase);
}

static void
on_timeout(struct mail_session *m)
{
	if (m->quitting) {
		/* Everything that matters was seen: a slow goodbye is not a
		 * failure of the service. */
		finish_probe(m);
		return;
	}
	if (strcmp(m->phase, "TCP connect") == 0) {
		struct reach_result r = {REACH_FILTERED, 0, 0, m->phase_s, ""};
		unreached(m, &r);
		return;
	}
	if (m->greeting_begun && strcmp(m->phase, "greeting") == 0) {
		/* postscreen sends "220-" at once, the rest after its
		   pause: the server works, its pause is longer than ours. */
		struct mr_finding *f = mail_add(
			m, CODE_SMTP_GREETING_SLOW, MR_WARN,
			"the greeting began (220-) but its last line did not "
			"come within %.3g s from %s: a greet pause longer than "
			"the wait",
			m->phase_s, mail_where(m));
		mr_finding_hint(f, "raise greeting_timeout (--greeting-"
		                   "timeout) above the server's pause, or "
		                   "shorten the pause");
		finish_probe(m);
		return;
	}
	/* It accepted the connection and then did not answer in the time
	   the run allowed: the server failed, as a socket timeout is
	   critical for the Monitoring Plugins. */
	mail_fail(m, CODE_SERVER_STALLS,
	          "look at the server's log: it accepts connections but does "
	          "not answer",
	          "no %s within %.3g s from %s (the server stalls)", m->phase,
	          m->phase_s, mail_where(m));
}

static void
on_error(struct mail_session *m, int err)
{
	const struct plan_item *it = probe_item(m->p);

	if (strcmp(m->phase, "TCP connect") == 0) {
		struct reach_result r = {reach_outcome_of(err), err, 0, 0,
		                         conn_strerror(err)};
		unreached(m, &r);
		return;
	}
	if (m->quitting) {
		finish_probe(m);
		return;
	}
	(void)it;
	if (strcmp(m->phase, "TLS handshake") == 0) {
		const char *e = conn_error(m->conn);
		mail_fail(m, CODE_TLS_FAILED, tls_failure_hint(e), "%s: %s",
		          mail_where(m), e);
	} else
		mail_fail(m, CODE_SERVER_CLOSED, NULL,
		          "%s: %s while waiting for the %s", mail_where(m),
		          conn_error(m->conn), m->phase);
}

static void
on_conn(void *arg, enum conn_event ev, int err)
{
	struct mail_session *m = arg;
	struct mr_result *res = probe_result(m->p);

	switch (ev) {
	case CONN_CONNECTED:
		mr_result_add_metric(res, "connect_ms",
		                     conn_connect_ms(m->conn), "ms");
		if (m->implicit_tls) {
			mail_starttls(m);
			return;
		}
		mail_phase(m, "greeting");
		m->hooks->begin(m);
		return;
	case CONN_TLS_READY:
		m->tls = true;
		judge_cert(m);
		if (m->implicit_tls) {
			mail_phase(m, "greeting");
			m->hooks->begin(m);
		} else {
			m->hooks->tls_ready(m);
		}
		return;
	case CONN_LINE:
		m->hooks->line(m, conn_line(m->conn));
		return;
	case CONN_CLOSED:
		on_closed(m);
		return;
	case CONN_TIMEOUT:
		on_timeout(m);
		return;
	case CONN_ERROR:
		on_error(m, err);
		return;
	case CONN_OVERFLOW:
		mail_fail(m, CODE_PROTOCOL_ERROR,
		          "make sure the right service listens on the port",
		          "%s sent %s during the %s: not %s", mail_where(m),
		          conn_error(m->conn), m->phase, m->proto);
		return;
	}
}

static void
connect_to(struct mail_session *m, const struct mr_addr *addr)
{
	struct run *r = probe_run(m->p);
	const struct plan_item *it = probe_item(m->p);
	char as[MR_ADDR_STRLEN];
	int err;

	m->addr = *addr;
	mr_addr_str(addr, as);
	snprintf(m->where, sizeof(m->where), "%s port %u", as, it->port);
	m->phase = "TCP connect";
	m->phase_s = run_connect_timeout(r);
	probe_waiting(m->p, "the TCP connect to %s", mail_where(m));
	m->conn = conn_connect(r->base, r->np, addr, it->port, m->phase_s,
	                       on_conn, m, &err);
	if (m->conn == NULL)
		probe_finish_not_connected(m->p, addr, err);
}

static void
on_addr(struct mail_session *m, int i, const struct dns_reply *r)
{
	struct mr_addr a;

	m->addr_req[i] = NULL;
	m->addr_reply[i] = r;
	if (--m->addr_pending > 0)
		return;
	if (probe_first_addr(m->addr_reply, &a))
		connect_to(m, &a);
	else
		probe_finish_no_address(m->p, m->addr_reply[0]);
}

static void
on_a(void *arg, const struct dns_reply *r)
{
	on_addr(arg, 0, r);
}

static void
on_aaaa(void *arg, const struct dns_reply *r)
{
	on_addr(arg, 1, r);
}

/* The node's tls_names first (its SNI), then the cluster's. */
static void
collect_tls_names(struct mail_session *m)
{
	const struct mr_node *n = probe_item(m->p)->node;
	const struct mr_config *cfg = probe_run(m->p)->cfg;
	size_t total = n->ntls_names + cfg->ntls_names;

	if (total == 0)
		return;
	m->tls_names = xreallocarray(NULL, total, sizeof(*m->tls_names));
	for (size_t i = 0; i < n->ntls_names; i++)
		m->tls_names[m->ntls_names++] = n->tls_names[i];
	for (size_t i = 0; i < cfg->ntls_names; i++)
		m->tls_names[m->ntls_names++] = cfg->tls_names[i];
}

void
mail_start(struct mail_session *m, struct probe *p,
           const struct mail_hooks *hooks, const char *proto, bool implicit_tls)
{
	const struct plan_item *it = probe_item(p);

	m->p = p;
	m->hooks = hooks;
	m->proto = proto;
	m->implicit_tls = implicit_tls;
	collect_tls_names(m);
	if (probe_not_installed(p))
		return;
	if (it->has_addr) {
		connect_to(m, &it->addr);
		return;
	}
	probe_waiting(p, "the address of %s", it->node->name);
	m->addr_pending = 2;
	m->addr_req[0] = dns_lookup(probe_dns(p), DNS_VIEW_INSIDE,
	                            it->node->name, LDNS_RR_TYPE_A, on_a, m);
	m->addr_req[1] =
		dns_lookup(probe_dns(p), DNS_VIEW_INSIDE, it->node->name,
	                   LDNS_RR_TYPE_AAAA, on_aaaa, m);
}

void
mail_cleanup(struct mail_session *m)
{
	dns_cancel(m->addr_req[0]);
	dns_cancel(m->addr_req[1]);
	conn_free(m->conn);
	cert_verdict_clear(&m->cert);
	free(m->tls_names);
}

/* ------------------------------------------------------------------ */
/* Products, a second connection, the test account */

bool
mail_cut_short(struct probe *p)
{
	struct mail_session *m = probe_state(p);

	if (!m->quitting || m->finished)
		return false;
	finish_probe(m);
	return true;
}

void
mail_set_product(struct mail_session *m, enum product p)
{
	m->product = p;
}

void
mail_reconnect(struct mail_session *m)
{
	struct mr_addr a = m->addr;

	conn_free(m->conn);
	m->conn = NULL;
	m->tls = false;
	m->quitting = false;
	m->reconnected = true;
	cert_verdict_clear(&m->cert);
	connect_to(m, &a);
}

bool
mail_login_wanted(const struct mail_session *m)
{
	return probe_run(m->p)->cfg->login_user != NULL;
}

const char *
mail_login_user(const struct mail_session *m)
{
	return probe_run(m->p)->cfg->login_user;
}

const char *
mail_login_password(const struct mail_session *m)
{
	return probe_run(m->p)->cfg->login_password;
}

char *
mail_sasl_plain(const struct mail_session *m)
{
	const char *u = mail_login_user(m), *pw = mail_login_password(m);
	size_t ul = strlen(u), pl = strlen(pw), n = ul + pl + 2;
	unsigned char *raw = xmalloc(n);
	char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);

	/* authzid empty, authcid, password (RFC 4616). */
	raw[0] = '\0';
	memcpy(raw + 1, u, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, pw, pl);
	EVP_EncodeBlock((unsigned char *)b64, raw, (int)n);
	explicit_bzero(raw, n);
	free(raw);
	return b64;
}

void
mail_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
mail_command_secret(struct mail_session *m, const char *phase, char *line)
{
	m->in_login = true;
	m->login_said[0] = '\0';
	conn_printf(m->conn, "%s", line);
	mail_secret_free(line);
	mail_phase(m, phase);
}

void
mail_login_ok(struct mail_session *m, const char *how, const char *reply)
{
	struct mr_finding *f = mail_add(
		m, CODE_LOGIN_OK, MR_PASS,
		"the test account %s logged in over TLS (%s): '%.120s'; the "
		"service and what stands behind it answer",
		mail_login_user(m), how, reply);
	mr_finding_set_text(f, "user", mail_login_user(m));
	mr_finding_set_text(f, "reply", reply);
	m->in_login = false;
}

/* What an answer says about where the fault is. */
static const char *
login_failure_hint(const char *reply)
{
	if (strcasestr(reply, "internal server error") != NULL ||
	    strcasestr(reply, "temporar") != NULL ||
	    strcasestr(reply, "UNAVAILABLE") != NULL ||
	    strcasestr(reply, "connection closed") != NULL ||
	    (reply[0] == '4' && reply[1] >= '0' && reply[1] <= '9'))
		return "the server (or the back end a proxy forwards to) "
		       "could not check the login: look at the back end, the "
		       "mailstore, and the proxy's log";
	return "check the test account of login_file (user, password, not "
	       "locked), then the back end the proxy forwards to";
}

void
mail_login_failed(struct mail_session *m, const char *how, const char *reply)
{
	struct mr_finding *f;

	if (how != NULL)
		f = mail_add(m, CODE_LOGIN_FAILED, MR_FAIL,
		             "the test account %s could not log in over TLS "
		             "(%s): the server answered '%.160s'",
		             mail_login_user(m), how, reply);
	else
		f = mail_add(m, CODE_LOGIN_FAILED, MR_FAIL,
		             "the test account %s could not log in over TLS: "
		             "%.200s",
		             mail_login_user(m), reply);
	mr_finding_hint(f, "%s", login_failure_hint(reply));
	mr_finding_set_text(f, "user", mail_login_user(m));
	mr_finding_set_text(f, "reply", reply);
	m->in_login = false;
}
