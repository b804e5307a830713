/*
 * dns_tlsrpt.c -- dns.tlsrpt, for a domain: one valid TLS-RPT record at
 * _smtp._tls.DOMAIN (RFC 8460 3), with the destinations senders report
 * TLS failures to. A domain without one is said, not failed: the record
 * is optional, but it is how a domain learns that MTA-STS or DANE breaks.
 */
#include <stdlib.h>
#include <string.h>

#include "probes/common.h"
#include "probes/probes.h"
#include "records/tlsrpt.h"
#include "strbuf.h"
#include "xmalloc.h"

struct tlsrpt_state {
	struct dns_req *req;
	char *name; /* _smtp._tls.DOMAIN */
};

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct probe *p = arg;
	struct tlsrpt_state *st = probe_state(p);
	struct tlsrpt_record rec;
	struct mr_finding *f;
	char err[512];

	st->req = NULL;
	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, st->name, "TXT");
		probe_done(p);
		return;
	}
	char *text;
	size_t len;
	int sel =
		probe_pick_txt(r, tlsrpt_select, &text, &len, err, sizeof(err));
	if (sel == 0) {
		probe_finish_hint(
			p, CODE_TLSRPT_MISSING, MR_PASS,
			"publish \"v=TLSRPTv1; rua=mailto:ADDRESS\" "
			"at _smtp._tls.DOMAIN to hear of TLS failures",
			"%s publishes no TLS-RPT record at %s",
			probe_item(p)->domain, st->name);
		return;
	}
	if (sel < 0) {
		probe_finish_hint(p, CODE_TLSRPT_INVALID, MR_FAIL,
		                  "keep one v=TLSRPTv1 record", "%s: %s",
		                  st->name, err);
		return;
	}
	int rc = tlsrpt_parse(text, len, &rec, err, sizeof(err));
	if (rc < 0) {
		f = probe_add(p, CODE_TLSRPT_INVALID, MR_FAIL,
		              "the TLS-RPT record at %s does not parse: %s",
		              st->name, err);
		mr_finding_hint(f, "fix the field named: senders ignore the "
		                   "record");
		mr_finding_set_text(f, "record", text);
		free(text);
		probe_done(p);
		return;
	}
	for (size_t i = 0; i < rec.warn.n; i++)
		probe_add(p, CODE_TLSRPT_INVALID, MR_WARN, "%s: %s", st->name,
		          rec.warn.msg[i]);
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < rec.nrua; i++) {
		strbuf_sep(&b, ", ");
		strbuf_add(&b, rec.rua[i].uri);
	}
	f = probe_add(p, CODE_TLSRPT_OK, MR_PASS, "%s: reports to %s", st->name,
	              strbuf_str(&b));
	mr_finding_set_text(f, "record", text);
	strbuf_reset(&b);
	free(text);
	tlsrpt_record_free(&rec);
	probe_done(p);
}

static void
tlsrpt_start(struct probe *p)
{
	struct tlsrpt_state *st = probe_state(p);

	st->name = xasprintf("_smtp._tls.%s", probe_item(p)->domain);
	probe_waiting(p, "TXT of %s from the %s", st->name,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	st->req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, st->name,
	                     LDNS_RR_TYPE_TXT, on_txt, p);
}

static void
tlsrpt_cleanup(struct probe *p)
{
	struct tlsrpt_state *st = probe_state(p);

	if (st->req != NULL)
		dns_cancel(st->req);
	free(st->name);
}

const struct probe_ops probe_dns_tlsrpt_ops = {
	.state_size = sizeof(struct tlsrpt_state),
	.start = tlsrpt_start,
	.cleanup = tlsrpt_cleanup,
};
