/*
 * mail.c -- the session layer shared by the SMTP, IMAP and POP3 probes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/mail.h"
#include "xmalloc.h"

static double
phase_timeout(const struct mail_session *m)
{
	return probe_run(m->p)->probe_timeout_s;
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
	probe_waiting(m->p, "the %s from %s", phase, mail_where(m));
	conn_phase(m->conn, phase_timeout(m));
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

static void
finish_probe(struct mail_session *m)
{
	struct mr_result *res = probe_result(m->p);
	if (m->finished)
		return;
	m->finished = true;
	mr_result_add_metric(res, "time", probe_elapsed_ms(m->p) / 1000.0, "s");
	findings_finish(&m->f, m->p);
}

void
mail_finish(struct mail_session *m)
{
	finish_probe(m);
}

void
mail_fail(struct mail_session *m, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	findings_add(&m->f, MR_FAIL, "%s", buf);
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

void
mail_starttls(struct mail_session *m)
{
	struct run *r = probe_run(m->p);
	SSL *ssl = SSL_new(r->ssl_ctx);

	if (ssl == NULL ||
	    cert_prepare_ssl(ssl, probe_item(m->p)->node->name) < 0) {
		if (ssl)
			SSL_free(ssl);
		probe_finish(m->p, MR_UNKNOWN, "cannot set up TLS");
		return;
	}
	mail_phase(m, "TLS handshake");
	conn_start_tls(m->conn, ssl);
}

static void
judge_cert(struct mail_session *m)
{
	const struct mr_config *cfg = probe_run(m->p)->cfg;
	struct cert_policy pol = {
		.host = probe_item(m->p)->node->name,
		.warn_days = cfg->cert_warn_days,
		.crit_days = cfg->cert_crit_days,
	};
	struct mr_result *res = probe_result(m->p);

	cert_evaluate(conn_ssl(m->conn), &pol, &m->cert);
	mr_result_add_metric(res, "tls_ms", conn_tls_ms(m->conn), "ms");
	if (m->cert.subject != NULL)
		mr_result_add_metric_thresholds(
			res, "cert_days_left", m->cert.days_left, "d",
			cfg->cert_warn_days, cfg->cert_crit_days);
	if (m->cert.status <= MR_PASS)
		findings_add(&m->f, m->cert.status, "%s%s",
		             m->implicit_tls ? "TLS: " : "STARTTLS: ",
		             m->cert.message);
	else
		findings_add(&m->f, m->cert.status, "%s", m->cert.message);
}

/* ------------------------------------------------------------------ */
/* Connection events */

static void
on_closed(struct mail_session *m)
{
	if (m->quitting) {
		finish_probe(m);
		return;
	}
	mail_fail(m, "%s closed the connection while we waited for the %s",
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
		mail_fail(m,
		          "%s: no answer to the TCP connect within %g s "
		          "(filtered by a firewall, or the host is down)",
		          mail_where(m), phase_timeout(m));
		return;
	}
	mail_fail(m, "no %s within %g s from %s (the server stalls)", m->phase,
	          phase_timeout(m), mail_where(m));
}

static void
on_error(struct mail_session *m, int err)
{
	const struct plan_item *it = probe_item(m->p);

	if (strcmp(m->phase, "TCP connect") == 0) {
		mail_fail(m, "%s (%s) is %s: %s", mail_where(m), it->service,
		          err == ECONNREFUSED ? "closed" : "unreachable",
		          conn_error(m->conn));
		return;
	}
	if (m->quitting) {
		finish_probe(m);
		return;
	}
	if (strcmp(m->phase, "TLS handshake") == 0)
		mail_fail(m, "%s: %s", mail_where(m), conn_error(m->conn));
	else
		mail_fail(m, "%s: %s while waiting for the %s", mail_where(m),
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
		mail_fail(m, "%s sent %s during the %s: not %s", mail_where(m),
		          conn_error(m->conn), m->phase, m->proto);
		return;
	}
}

static void
connect_to(struct mail_session *m, const struct mr_addr *addr)
{
	struct run *r = probe_run(m->p);
	const struct plan_item *it = probe_item(m->p);
	char why[320], as[MR_ADDR_STRLEN];
	int err;

	m->addr = *addr;
	mr_addr_str(addr, as);
	snprintf(m->where, sizeof(m->where), "%s port %u", as, it->port);
	m->phase = "TCP connect";
	probe_waiting(m->p, "the TCP connect to %s", mail_where(m));
	m->conn = conn_connect(r->base, r->np, addr, it->port, phase_timeout(m),
	                       on_conn, m, &err);
	if (m->conn == NULL) {
		if (err == EACCES)
			probe_finish(m->p, MR_UNKNOWN, "%s",
			             netpolicy_explain(r->np, addr, why,
			                               sizeof(why)));
		else
			probe_finish(m->p, MR_UNKNOWN,
			             "cannot connect to %s: %s", mail_where(m),
			             conn_strerror(err));
	}
}

static void
on_addr(void *arg, const struct dns_reply *r)
{
	struct mail_session *m = arg;
	size_t n;

	m->addr_req = NULL;
	struct mr_addr *a = dns_reply_addrs(r, &n);
	if (n == 0) {
		char *d = dns_reply_describe(r);
		probe_finish(m->p, MR_UNKNOWN,
		             "no address to connect to: the config declares "
		             "none for %s and it does not resolve inside (%s)",
		             probe_item(m->p)->node->name, d);
		free(d);
		free(a);
		return;
	}
	connect_to(m, &a[0]);
	free(a);
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
	if (it->has_addr) {
		connect_to(m, &it->addr);
		return;
	}
	probe_waiting(p, "the address of %s", it->node->name);
	m->addr_req = dns_lookup(probe_dns(p), DNS_VIEW_INSIDE, it->node->name,
	                         LDNS_RR_TYPE_A, on_addr, m);
}

void
mail_cleanup(struct mail_session *m)
{
	dns_cancel(m->addr_req);
	conn_free(m->conn);
	cert_verdict_clear(&m->cert);
	findings_free(&m->f);
}
