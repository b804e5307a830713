/*
 * dns_dkim.c -- dns.dkim, for a domain: each configured selector's key
 * record (SELECTOR._domainkey.DOMAIN) parses, its key is of a usable type
 * and strength (RFC 6376 3.6.1, RFC 8301, RFC 8463), and at least one
 * selector gives the domain a usable key.
 *
 * The selectors are one list for the cluster (dkim_selectors), so a
 * selector a domain does not publish is only said; a domain where none
 * does fails.
 */
#include <stdlib.h>
#include <string.h>

#include "probes/common.h"
#include "probes/probes.h"
#include "records/dkim.h"
#include "xmalloc.h"

struct dkim_sel {
	struct probe *p;
	const char *selector;
	char *name; /* SELECTOR._domainkey.DOMAIN */
	struct dns_req *req;
	const struct dns_reply *r;
};

struct dkim_state {
	struct dkim_sel *s;
	size_t ns;
	size_t pending;
};

static const struct {
	enum dkim_issue_code issue;
	enum mr_code code;
	const char *hint;
} issue_codes[] = {
	{DKIM_ISSUE_RSA_TOO_SHORT, CODE_DKIM_KEY_TOO_SHORT,
         "publish a 2048-bit RSA key under a new selector, sign with it, "
         "then revoke this one (p=)"},
	{DKIM_ISSUE_RSA_SHORT, CODE_DKIM_KEY_SHORT,
         "publish a 2048-bit RSA key under a new selector and sign with it"},
	{DKIM_ISSUE_TESTING, CODE_DKIM_TESTING, "drop t=y once signing works"},
	{DKIM_ISSUE_SHA1_ONLY, CODE_DKIM_WEAK_HASH,
         "allow sha256: drop h= or write h=sha256"},
	{DKIM_ISSUE_NO_HASH, CODE_DKIM_KEY_UNUSABLE, "drop the h= tag"},
	{DKIM_ISSUE_NOT_EMAIL, CODE_DKIM_KEY_UNUSABLE, "drop the s= tag"},
	{DKIM_ISSUE_REVOKED, CODE_DKIM_REVOKED, NULL},
	{DKIM_ISSUE_BARE_RSA, CODE_DKIM_OK, NULL},
};

static const char *
issue_text(enum dkim_issue_code c, const struct dkim_key *k)
{
	static char buf[96];

	switch (c) {
	case DKIM_ISSUE_RSA_TOO_SHORT:
	case DKIM_ISSUE_RSA_SHORT:
		snprintf(buf, sizeof(buf), "an RSA key of %d bits", k->bits);
		return buf;
	case DKIM_ISSUE_TESTING:
		return "testing mode (t=y)";
	case DKIM_ISSUE_SHA1_ONLY:
		return "SHA-1 only (h=sha1)";
	case DKIM_ISSUE_NO_HASH:
		return "no hash algorithm verifiers know (h=)";
	case DKIM_ISSUE_NOT_EMAIL:
		return "a service type that excludes email (s=)";
	case DKIM_ISSUE_REVOKED:
		return "a revoked key (empty p=)";
	case DKIM_ISSUE_BARE_RSA:
		return "a bare RSAPublicKey, not SubjectPublicKeyInfo (most "
		       "verifiers accept it)";
	}
	return "?";
}

/* One selector's record; true when it gives the domain a usable key. */
static bool
judge(struct probe *p, const struct dkim_sel *s)
{
	const struct dns_reply *r = s->r;
	struct mr_finding *f;
	char err[512];

	if (dns_status_is_transport(r->status)) {
		probe_dns_unanswered(p, r, s->name, "TXT");
		return false;
	}
	size_t n = 0;
	struct dns_txt *t = dns_reply_txts(r, &n);
	if (n == 0) {
		dns_txts_free(t, n);
		f = probe_add(
			p, CODE_DKIM_SELECTOR_ABSENT, MR_PASS,
			"selector %s: no key at %s (%s)", s->selector, s->name,
			r->status == DNS_NXDOMAIN ? "NXDOMAIN" : "NODATA");
		mr_finding_set_text(f, "selector", s->selector);
		return false;
	}
	if (n > 1) {
		dns_txts_free(t, n);
		f = probe_add(p, CODE_DKIM_SYNTAX, MR_FAIL,
		              "selector %s: %zu TXT records at %s; a verifier "
		              "reads one, whichever comes first",
		              s->selector, n, s->name);
		mr_finding_hint(f, "keep one key record per selector");
		mr_finding_set_text(f, "selector", s->selector);
		return false;
	}
	struct dkim_record rec;
	struct dkim_key key;
	struct dkim_verdict v;
	bool parsed = dkim_record_parse(t[0].text, t[0].len, &rec, err,
	                                sizeof(err)) == 0;
	dns_txts_free(t, n);
	if (!parsed) {
		f = probe_add(
			p, CODE_DKIM_SYNTAX, MR_FAIL,
			"selector %s: the key record at %s does not parse: "
			"%s",
			s->selector, s->name, err);
		mr_finding_hint(f,
		                "fix the tag named: verifiers ignore the key");
		mr_finding_set_text(f, "selector", s->selector);
		return false;
	}
	if (dkim_key_judge(&rec, &key, err, sizeof(err)) < 0) {
		f = probe_add(p, CODE_DKIM_SYNTAX, MR_FAIL,
		              "selector %s: the key at %s is unusable: %s",
		              s->selector, s->name, err);
		mr_finding_hint(f, "publish the public key the signer uses, "
		                   "base64 of its DER (SubjectPublicKeyInfo)");
		mr_finding_set_text(f, "selector", s->selector);
		return false;
	}
	dkim_verdict(&rec, &key, &v);
	bool usable = !key.revoked;
	for (size_t i = 0; i < v.nissues; i++) {
		const struct dkim_issue *is = &v.issues[i];
		size_t k = 0;
		while (issue_codes[k].issue != is->code)
			k++;
		if (is->severity == MR_FAIL)
			usable = false;
		f = probe_add(p, issue_codes[k].code, is->severity,
		              "selector %s: %s at %s", s->selector,
		              issue_text(is->code, &key), s->name);
		if (issue_codes[k].hint != NULL)
			mr_finding_hint(f, "%s", issue_codes[k].hint);
		mr_finding_set_text(f, "selector", s->selector);
	}
	if (usable) {
		f = probe_add(p, CODE_DKIM_OK, MR_PASS,
		              "selector %s: %s key of %d bits at %s",
		              s->selector, dkim_key_type_name(key.type),
		              key.bits, s->name);
		mr_finding_set_text(f, "selector", s->selector);
		mr_finding_set_text(f, "key_type",
		                    dkim_key_type_name(key.type));
		mr_finding_set_int(f, "bits", key.bits);
	}
	return usable;
}

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct dkim_sel *s = arg;
	struct probe *p = s->p;
	struct dkim_state *st = probe_state(p);

	s->req = NULL;
	s->r = r;
	if (--st->pending > 0)
		return;
	/* Every answer is in: judge them in the order of the config. */
	size_t usable = 0;
	bool unanswered = false;
	for (size_t i = 0; i < st->ns; i++) {
		usable += judge(p, &st->s[i]);
		unanswered |= dns_status_is_transport(st->s[i].r->status);
	}
	if (usable == 0 && !unanswered) {
		struct mr_finding *f = probe_add(
			p, CODE_DKIM_MISSING, MR_FAIL,
			"no usable DKIM key for %s under the %zu configured "
			"selector%s",
			probe_item(p)->domain, st->ns, st->ns == 1 ? "" : "s");
		mr_finding_hint(f,
		                "publish the signer's public key at "
		                "SELECTOR._domainkey.%s, or add the selector "
		                "your signer uses to dkim_selectors",
		                probe_item(p)->domain);
	}
	probe_done(p);
}

static void
dkim_start(struct probe *p)
{
	struct dkim_state *st = probe_state(p);
	const struct mr_config *cfg = probe_run(p)->cfg;
	const char *domain = probe_item(p)->domain;

	if (cfg->ndkim_selectors == 0) {
		probe_finish_hint(p, CODE_NOTHING_CONFIGURED, MR_SKIP,
		                  "name the selectors your signers use: "
		                  "dkim_selectors = SELECTOR... in [cluster]",
		                  "no dkim_selectors configured: a selector "
		                  "cannot be guessed from outside");
		return;
	}
	st->ns = cfg->ndkim_selectors;
	st->s = xcalloc(st->ns, sizeof(*st->s));
	st->pending = st->ns;
	probe_waiting(p, "the DKIM keys of %s from the %s", domain,
	              dns_view_describe(probe_dns(p), DNS_VIEW_OUTSIDE));
	for (size_t i = 0; i < st->ns; i++) {
		struct dkim_sel *s = &st->s[i];
		s->p = p;
		s->selector = cfg->dkim_selectors[i];
		s->name = xasprintf("%s._domainkey.%s", s->selector, domain);
		s->req = dns_lookup(probe_dns(p), DNS_VIEW_OUTSIDE, s->name,
		                    LDNS_RR_TYPE_TXT, on_txt, s);
	}
}

static void
dkim_cleanup(struct probe *p)
{
	struct dkim_state *st = probe_state(p);

	for (size_t i = 0; i < st->ns; i++) {
		if (st->s[i].req != NULL)
			dns_cancel(st->s[i].req);
		free(st->s[i].name);
	}
	free(st->s);
}

const struct probe_ops probe_dns_dkim_ops = {
	.state_size = sizeof(struct dkim_state),
	.start = dkim_start,
	.cleanup = dkim_cleanup,
};
