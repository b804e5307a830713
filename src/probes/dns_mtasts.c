/*
 * dns_mtasts.c -- dns.mta-sts, for a domain (RFC 8461): the _mta-sts TXT
 * record, the policy fetched from https://mta-sts.DOMAIN/.well-known/
 * mta-sts.txt with full certificate verification and no redirect, its
 * syntax and mode, and whether its mx patterns cover every MX target of
 * the domain (under enforce, a target they miss gets no mail from senders
 * that apply the policy).
 *
 * The policy host is resolved in the outside view, as senders see it, and
 * the fetch is pinned to those addresses (io/fetch.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/fetch.h"
#include "loop.h"
#include "probes/common.h"
#include "probes/probes.h"
#include "records/mtasts.h"
#include "strbuf.h"
#include "xmalloc.h"

#define POLICY_PATH "/.well-known/mta-sts.txt"

struct mtasts_state {
	struct dns_req *txt_req;
	struct dns_req *mx_req;
	struct dns_req *addr_req[2];
	const struct dns_reply *mx;
	struct fetch_req *fetch;
	char *txt_name; /* _mta-sts.DOMAIN */
	char *host;     /* mta-sts.DOMAIN */
	char id[64];
	struct mr_addr addrs[FETCH_MAX_ADDRS];
	size_t naddrs;
	int pending; /* MX + host addresses */
	char *body;
	size_t len;
	long code;
};

static void
cover_mx(struct probe *p, const struct mtasts_policy *pol)
{
	struct mtasts_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	const struct dns_reply *r = st->mx;
	struct mr_finding *f;
	size_t cnt = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;
	bool enforce = pol->mode == MTASTS_MODE_ENFORCE;

	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, domain, "MX");
		return;
	}
	for (size_t i = 0; i < cnt; i++) {
		const ldns_rdf *ex = ldns_rr_rdf(ldns_rr_list_rr(r->rrs, i), 1);
		if (ex == NULL)
			continue;
		char *target = dns_rdf_name(ex);
		bool covered = false;
		for (size_t j = 0; j < pol->nmx && !covered; j++)
			covered = mtasts_mx_match(pol->mx[j], target);
		if (!covered && target[0] != '\0') {
			struct strbuf b = STRBUF_INIT;
			for (size_t j = 0; j < pol->nmx; j++)
				strbuf_addf(&b, "%s%s", j ? ", " : "",
				            pol->mx[j]);
			f = probe_add(
				p, CODE_MTASTS_MX_NOT_COVERED,
				enforce ? MR_FAIL : MR_WARN,
				"MX target %s of %s matches no mx of its "
				"MTA-STS policy (%s)%s",
				target, domain, strbuf_str(&b),
				enforce ? ": senders enforcing it will not "
					  "deliver there"
					: "");
			mr_finding_hint(
				f,
				"add \"mx: %s\" to the policy and change "
				"the id of %s",
				target, st->txt_name);
			mr_finding_set_text(f, "target", target);
			strbuf_reset(&b);
		}
		free(target);
	}
}

static void
judge_policy(struct probe *p)
{
	struct mtasts_state *st = probe_state(p);
	struct mtasts_policy pol;
	struct mr_finding *f;
	char err[512];

	if (mtasts_policy_parse(st->body, st->len, &pol, err, sizeof(err)) <
	    0) {
		probe_finish_hint(p, CODE_MTASTS_POLICY_INVALID, MR_FAIL,
		                  "fix the line named: senders apply no policy",
		                  "the MTA-STS policy of %s does not parse: %s",
		                  st->host, err);
		return;
	}
	for (size_t i = 0; i < pol.warn.n; i++)
		probe_add(p, CODE_MTASTS_POLICY_INVALID, MR_WARN,
		          "the MTA-STS policy of %s: %s", st->host,
		          pol.warn.msg[i]);
	if (pol.mode == MTASTS_MODE_TESTING) {
		f = probe_add(p, CODE_MTASTS_TESTING, MR_WARN,
		              "the MTA-STS policy of %s is in testing mode",
		              probe_item(p)->domain);
		mr_finding_hint(f, "move to mode: enforce once the TLS reports "
		                   "show no failures");
	}
	cover_mx(p, &pol);
	f = probe_add(p,
	              pol.mode == MTASTS_MODE_NONE ? CODE_MTASTS_NONE
	                                           : CODE_MTASTS_OK,
	              MR_PASS,
	              "%s (id %s): mode %s, max_age %u s, %zu mx pattern%s",
	              st->host, st->id, mtasts_mode_name(pol.mode), pol.max_age,
	              pol.nmx, pol.nmx == 1 ? "" : "s");
	mr_finding_set_text(f, "mode", mtasts_mode_name(pol.mode));
	mr_finding_set_int(f, "max_age", pol.max_age);
	mtasts_policy_free(&pol);
	probe_done(p);
}

static void
on_policy(void *arg, const struct fetch_result *res)
{
	struct probe *p = arg;
	struct mtasts_state *st = probe_state(p);
	const char *url_host = st->host;

	st->fetch = NULL;
	switch (res->status) {
	case FETCH_OK:
		break;
	case FETCH_BLOCKED:
		probe_finish(p, CODE_NOT_ALLOWED, MR_UNKNOWN,
		             "the MTA-STS policy host %s was not contacted: %s",
		             url_host, res->error);
		return;
	default:
		probe_finish_hint(
			p, CODE_MTASTS_POLICY_UNREACHABLE, MR_FAIL,
			"serve the policy over HTTPS with a certificate for the "
			"policy host (senders verify it fully, RFC 8461 3.3)",
			"the MTA-STS policy of %s cannot be fetched from "
			"https://%s%s: %s",
			probe_item(p)->domain, url_host, POLICY_PATH,
			res->error);
		return;
	}
	if (res->http_code >= 300 && res->http_code < 400) {
		probe_finish_hint(
			p, CODE_MTASTS_POLICY_UNREACHABLE, MR_FAIL,
			"serve the policy at that URL itself: senders "
			"never follow redirects (RFC 8461 3.3)",
			"https://%s%s redirects (HTTP %ld to %s)", url_host,
			POLICY_PATH, res->http_code,
			res->redirect_to ? res->redirect_to : "?");
		return;
	}
	if (res->http_code != 200) {
		probe_finish_hint(p, CODE_MTASTS_POLICY_UNREACHABLE, MR_FAIL,
		                  "serve the policy file at that URL (status "
		                  "200)",
		                  "https://%s%s answers HTTP %ld", url_host,
		                  POLICY_PATH, res->http_code);
		return;
	}
	if (res->content_type == NULL ||
	    strncasecmp(res->content_type, "text/plain", 10) != 0) {
		struct mr_finding *f = probe_add(
			p, CODE_MTASTS_POLICY_INVALID, MR_WARN,
			"https://%s%s is served as %s, not text/plain",
			url_host, POLICY_PATH,
			res->content_type ? res->content_type : "no type");
		mr_finding_hint(f, "serve it with Content-Type: text/plain "
		                   "(RFC 8461 3.2)");
	}
	st->body = xmalloc(res->len + 1);
	memcpy(st->body, res->body, res->len);
	st->body[res->len] = '\0';
	st->len = res->len;
	judge_policy(p);
}

static void
fetch_policy(struct probe *p)
{
	struct mtasts_state *st = probe_state(p);
	struct run *r = probe_run(p);
	char err[256];

	if (st->naddrs == 0) {
		probe_finish_hint(
			p, CODE_MTASTS_POLICY_UNREACHABLE, MR_FAIL,
			"publish A/AAAA records for the policy host",
			"the MTA-STS policy host %s has no address on "
			"the Internet",
			st->host);
		return;
	}
	struct fetch_svc *svc = run_fetch(r, err, sizeof(err));
	if (svc == NULL) {
		probe_finish(p, CODE_MTASTS_POLICY_UNREACHABLE, MR_UNKNOWN,
		             "the policy of %s was not fetched: %s", st->host,
		             err);
		return;
	}
	struct fetch_opts o = {
		.addrs = st->addrs,
		.naddrs = st->naddrs,
		.timeout_s = run_step_timeout(r, r->probe_timeout_s),
		.max_bytes = MTASTS_POLICY_MAX,
		.ca_file = r->cfg->ca_file,
	};
	probe_waiting(p, "https://%s%s", st->host, POLICY_PATH);
	st->fetch = fetch_https(svc, st->host, POLICY_PATH, &o, on_policy, p,
	                        err, sizeof(err));
	if (st->fetch == NULL)
		probe_finish(p, CODE_MTASTS_POLICY_UNREACHABLE, MR_FAIL,
		             "the policy of %s cannot be fetched: %s", st->host,
		             err);
}

static void
step(struct probe *p)
{
	struct mtasts_state *st = probe_state(p);

	if (--st->pending == 0)
		fetch_policy(p);
}

static void
on_mx(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct mtasts_state *st = probe_state(p);

	st->mx_req = NULL;
	st->mx = r;
	step(p);
}

static void
on_addr(struct probe *p, int k, const struct dns_reply *r)
{
	struct mtasts_state *st = probe_state(p);
	size_t n = 0;
	struct mr_addr *v = dns_reply_addrs(r, &n);

	st->addr_req[k] = NULL;
	for (size_t i = 0; i < n && st->naddrs < FETCH_MAX_ADDRS; i++)
		st->addrs[st->naddrs++] = v[i];
	free(v);
	step(p);
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

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct mtasts_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	struct mtasts_record rec;
	char err[512];

	st->txt_req = NULL;
	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, st->txt_name, "TXT");
		probe_done(p);
		return;
	}
	char *text;
	size_t len;
	int sel =
		probe_pick_txt(r, mtasts_select, &text, &len, err, sizeof(err));
	if (sel == 0) {
		probe_finish_hint(
			p, CODE_MTASTS_NONE, MR_PASS,
			"publish an MTA-STS policy (RFC 8461) so that "
			"senders insist on TLS to your MX",
			"%s publishes no MTA-STS record at %s", domain,
			st->txt_name);
		return;
	}
	int rc = sel < 0 ? -1
	                 : mtasts_record_parse(text, len, &rec, err,
	                                       sizeof(err));
	free(text);
	if (rc < 0) {
		probe_finish_hint(p, CODE_MTASTS_RECORD_INVALID, MR_FAIL,
		                  "keep one \"v=STSv1; id=...\" record",
		                  "%s: %s", st->txt_name, err);
		return;
	}
	snprintf(st->id, sizeof(st->id), "%s", rec.id);
	st->host = xasprintf("mta-sts.%s", domain);
	st->pending = 3;
	probe_waiting(p, "MX of %s and the addresses of %s", domain, st->host);
	st->mx_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, domain,
	                        LDNS_RR_TYPE_MX, on_mx, p);
	st->addr_req[0] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->host,
	                             LDNS_RR_TYPE_A, on_a, p);
	st->addr_req[1] = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->host,
	                             LDNS_RR_TYPE_AAAA, on_aaaa, p);
}

static void
mtasts_start(struct probe *p)
{
	struct mtasts_state *st = probe_state(p);

	st->txt_name = xasprintf("_mta-sts.%s", probe_item(p)->domain);
	probe_waiting(p, "TXT of %s from the %s", st->txt_name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	st->txt_req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->txt_name,
	                         LDNS_RR_TYPE_TXT, on_txt, p);
}

static void
mtasts_cleanup(struct probe *p)
{
	struct mtasts_state *st = probe_state(p);

	if (st->txt_req != NULL)
		dns_cancel(st->txt_req);
	if (st->mx_req != NULL)
		dns_cancel(st->mx_req);
	for (int k = 0; k < 2; k++)
		if (st->addr_req[k] != NULL)
			dns_cancel(st->addr_req[k]);
	fetch_cancel(st->fetch);
	free(st->txt_name);
	free(st->host);
	free(st->body);
}

const struct probe_ops probe_dns_mtasts_ops = {
	.state_size = sizeof(struct mtasts_state),
	.start = mtasts_start,
	.cleanup = mtasts_cleanup,
};
