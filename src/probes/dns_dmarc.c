/*
 * dns_dmarc.c -- dns.dmarc, for a domain: one valid DMARC record at
 * _dmarc.DOMAIN (RFC 7489 6.3), its policy strength (p=none and pct under
 * 100 warn; sp and np said), and every report destination in another
 * domain authorised by that domain's DOMAIN._report._dmarc.HOST record
 * (7.1), without which receivers send it nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/common.h"
#include "probes/probes.h"
#include "records/dmarc.h"
#include "strbuf.h"
#include "xmalloc.h"

/* One external report destination and its authorisation record. */
struct dmarc_dest {
	struct probe *p;
	char *uri;
	char *host;
	char qname[512];
	struct dns_req *req;
	const struct dns_reply *r;
};

struct dmarc_state {
	struct dns_req *req;
	char *name; /* _dmarc.DOMAIN */
	char *record;
	struct dmarc_record rec;
	bool parsed;
	struct dmarc_dest dest[2 * DMARC_URI_MAX];
	size_t ndest;
	size_t pending;
};

static void
uris_text(struct strbuf *b, const struct rec_uri *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(b, "%s%s", i > 0 ? ", " : "", u[i].uri);
}

/* Is this the authorisation: a TXT record starting with v=DMARC1? */
static bool
authorised(const struct dns_reply *r)
{
	size_t n = 0;
	struct dns_txt *t = dns_reply_txts(r, &n);
	bool ok = false;

	for (size_t i = 0; i < n && !ok; i++)
		ok = t[i].len >= 8 &&
		     strncasecmp(t[i].text, "v=DMARC1", 8) == 0;
	dns_txts_free(t, n);
	return ok;
}

static void
report(struct probe *p)
{
	struct dmarc_state *st = probe_state(p);
	const struct dmarc_record *d = &st->rec;
	const char *domain = probe_item(p)->domain;
	struct strbuf b = STRBUF_INIT;
	struct mr_finding *f;
	bool weak = false;

	for (size_t i = 0; i < d->warn.n; i++) {
		f = probe_add(p, CODE_DMARC_IGNORED, MR_WARN,
		              "the DMARC record of %s: %s", domain,
		              d->warn.msg[i]);
		mr_finding_hint(f, "drop or fix it: receivers ignore it");
	}
	if (d->p == DMARC_POLICY_NONE) {
		weak = true;
		f = probe_add(p, CODE_DMARC_MONITOR_ONLY, MR_WARN,
		              "the DMARC policy of %s is p=none: mail failing "
		              "SPF and DKIM alignment is delivered as usual",
		              domain);
		mr_finding_hint(f, "once the aggregate reports show every real "
		                   "sender passing, publish p=quarantine, then "
		                   "p=reject");
	}
	if (d->pct < 100) {
		weak = true;
		f = probe_add(
			p, CODE_DMARC_PARTIAL, MR_WARN,
			"the DMARC policy of %s applies to %u%% of failing "
			"mail (pct=%u)",
			domain, d->pct, d->pct);
		mr_finding_hint(f, "raise pct to 100, or drop the tag");
		mr_finding_set_int(f, "pct", d->pct);
	}
	for (size_t i = 0; i < st->ndest; i++) {
		const struct dmarc_dest *x = &st->dest[i];
		if (dns_status_is_transport(x->r->status)) {
			probe_dns_unanswered(p, x->r, x->qname, "TXT");
			continue;
		}
		if (authorised(x->r))
			continue;
		f = probe_add(
			p, CODE_DMARC_REPORT_UNAUTHORISED, MR_WARN,
			"reports of %s go to %s, which has not authorised "
			"them: no %s record (%s)",
			domain, x->host, x->qname,
			x->r->status == DNS_NXDOMAIN ? "NXDOMAIN"
						     : "no v=DMARC1");
		mr_finding_hint(
			f,
			"have %s publish \"v=DMARC1\" at %s, or send the "
			"reports to an address of %s",
			x->host, x->qname, domain);
		mr_finding_set_text(f, "uri", x->uri);
	}
	strbuf_addf(&b, "policy %s", dmarc_policy_name(d->p));
	if (d->sp != DMARC_POLICY_UNSET)
		strbuf_addf(&b, ", subdomains %s", dmarc_policy_name(d->sp));
	if (d->np != DMARC_POLICY_UNSET)
		strbuf_addf(&b, ", non-existent subdomains %s",
		            dmarc_policy_name(d->np));
	strbuf_addf(&b, ", %u%%", d->pct);
	if (d->nrua > 0) {
		strbuf_add(&b, ", aggregate reports to ");
		uris_text(&b, d->rua, d->nrua);
	} else
		strbuf_add(&b, ", no aggregate reports (rua)");
	if (d->nruf > 0) {
		strbuf_add(&b, ", failure reports to ");
		uris_text(&b, d->ruf, d->nruf);
	}
	/* The summary stands alone only when nothing is wrong. */
	const struct mr_result *res = probe_result(p);
	bool clean = !weak;
	for (size_t i = 0; i < res->nfindings && clean; i++)
		clean = res->findings[i]->found == MR_PASS;
	if (clean) {
		f = probe_add(p, CODE_DMARC_OK, MR_PASS, "%s: %s", st->name,
		              strbuf_str(&b));
		mr_finding_set_text(f, "record", st->record);
		mr_finding_set_text(f, "p", dmarc_policy_name(d->p));
		mr_finding_set_int(f, "pct", d->pct);
	}
	strbuf_reset(&b);
	probe_done(p);
}

static void
on_auth(void *arg, const struct dns_reply *r)
{
	struct dmarc_dest *x = arg;
	struct dmarc_state *st = probe_state(x->p);

	x->req = NULL;
	x->r = r;
	if (--st->pending == 0)
		report(x->p);
}

static void
add_dests(struct probe *p, const struct rec_uri *u, size_t n)
{
	struct dmarc_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	char err[256];

	for (size_t i = 0; i < n; i++) {
		struct dmarc_dest *x = &st->dest[st->ndest];
		if (u[i].host == NULL ||
		    dmarc_uri_external(domain, u[i].uri, x->qname,
		                       sizeof(x->qname), err, sizeof(err)) != 1)
			continue;
		bool seen = false;
		for (size_t j = 0; j < st->ndest && !seen; j++)
			seen = strcmp(st->dest[j].qname, x->qname) == 0;
		if (seen)
			continue;
		x->p = p;
		x->uri = xstrdup(u[i].uri);
		x->host = xstrdup(u[i].host);
		st->ndest++;
	}
}

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct dmarc_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;
	char err[512];

	st->req = NULL;
	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, st->name, "TXT");
		probe_done(p);
		return;
	}
	size_t len;
	int sel = probe_pick_txt(r, dmarc_select, &st->record, &len, err,
	                         sizeof(err));
	if (sel == 0) {
		probe_finish_hint(p, CODE_DMARC_MISSING, MR_WARN,
		                  "publish \"v=DMARC1; p=none; rua=mailto:"
		                  "dmarc@DOMAIN\" at _dmarc.DOMAIN, read the "
		                  "reports, then move to p=quarantine and "
		                  "p=reject",
		                  "%s publishes no DMARC record at %s (%s)",
		                  domain, st->name,
		                  r->status == DNS_NXDOMAIN ? "NXDOMAIN"
		                                            : "no v=DMARC1");
		return;
	}
	if (sel < 0) {
		probe_finish_hint(p, CODE_DMARC_MULTIPLE, MR_FAIL,
		                  "keep one v=DMARC1 record",
		                  "%s: %s; receivers apply no policy", st->name,
		                  err);
		return;
	}
	int rc = dmarc_parse(st->record, len, &st->rec, err, sizeof(err));
	if (rc < 0) {
		struct mr_finding *f =
			probe_add(p, CODE_DMARC_SYNTAX, MR_FAIL,
		                  "the DMARC record of %s does not parse: %s",
		                  domain, err);
		mr_finding_hint(f, "fix the tag named: receivers ignore the "
		                   "record");
		mr_finding_set_text(f, "record", st->record);
		probe_done(p);
		return;
	}
	st->parsed = true;
	add_dests(p, st->rec.rua, st->rec.nrua);
	add_dests(p, st->rec.ruf, st->rec.nruf);
	if (st->ndest == 0) {
		report(p);
		return;
	}
	st->pending = st->ndest;
	probe_waiting(p, "the report authorisations of %s", domain);
	for (size_t i = 0; i < st->ndest; i++)
		st->dest[i].req = dns_lookup(
			probe_dns(p), DNS_VIEW_OUTSIDE, st->dest[i].qname,
			LDNS_RR_TYPE_TXT, on_auth, &st->dest[i]);
}

static void
dmarc_start(struct probe *p)
{
	struct dmarc_state *st = probe_state(p);
	const char *domain = probe_item(p)->domain;

	st->name = xasprintf("_dmarc.%s", domain);
	probe_waiting(p, "TXT of %s from the %s", st->name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	st->req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->name,
	                     LDNS_RR_TYPE_TXT, on_txt, p);
}

static void
dmarc_cleanup(struct probe *p)
{
	struct dmarc_state *st = probe_state(p);

	if (st->req != NULL)
		dns_cancel(st->req);
	for (size_t i = 0; i < st->ndest; i++) {
		if (st->dest[i].req != NULL)
			dns_cancel(st->dest[i].req);
		free(st->dest[i].uri);
		free(st->dest[i].host);
	}
	if (st->parsed)
		dmarc_record_free(&st->rec);
	free(st->record);
	free(st->name);
}

const struct probe_ops probe_dns_dmarc_ops = {
	.state_size = sizeof(struct dmarc_state),
	.start = dmarc_start,
	.cleanup = dmarc_cleanup,
};
