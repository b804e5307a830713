/*
 * answer.c -- classification of DNS answers, and small reply helpers.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "names.h"
#include "xmalloc.h"

/* Longer CNAME chains are a loop or an attack; resolvers stop near here. */
#define MAX_CHAIN 12

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "answer";
	case DNS_NODATA:
		return "NODATA";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_REFUSED:
		return "REFUSED";
	case DNS_BADRCODE:
		return "error rcode";
	case DNS_REFERRAL:
		return "referral (not authoritative)";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_UNREACHABLE:
		return "unreachable";
	case DNS_BLOCKED:
		return "not contacted";
	case DNS_MALFORMED:
		return "malformed answer";
	case DNS_GAVEUP:
		return "resolution failed";
	}
	return "?";
}

bool
dns_status_is_transport(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		return false;
	default:
		return true;
	}
}

char *
dns_reply_describe(const struct dns_reply *r)
{
	const char *srv = r->server ? r->server : "?";

	switch (r->status) {
	case DNS_TIMEOUT:
		return r->detail ? xasprintf("no answer from %s (%s)", srv,
		                             r->detail)
		                 : xasprintf("no answer from %s", srv);
	case DNS_GAVEUP:
		/* The iterator's detail names the zone and each failure. */
		return xstrdup(r->detail ? r->detail : "resolution failed");
	case DNS_BLOCKED:
	case DNS_UNREACHABLE:
	case DNS_MALFORMED:
		return xasprintf("%s from %s: %s", dns_status_name(r->status),
		                 srv, r->detail ? r->detail : "");
	case DNS_BADRCODE: {
		char *rc = ldns_pkt_rcode2str((ldns_pkt_rcode)r->rcode);
		char *s = xasprintf("%s from %s", rc ? rc : "bad rcode", srv);
		free(rc);
		return s;
	}
	default:
		return xasprintf("%s from %s", dns_status_name(r->status), srv);
	}
}

void
dns_reply_clear(struct dns_reply *r)
{
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	if (r->rrs)
		ldns_rr_list_free(r->rrs); /* records belong to pkt */
	if (r->chain)
		ldns_rr_list_free(r->chain);
	if (r->owned)
		ldns_rr_list_deep_free(r->owned);
	free(r->final_name);
	free(r->server);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

char *
dns_rdf_name(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	if (s == NULL)
		return xstrdup("?");
	size_t len = strlen(s);
	if (len > 1 && s[len - 1] == '.')
		s[len - 1] = '\0';
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *out = xstrdup(s);
	free(s);
	return out;
}

static bool
owner_is(const ldns_rr *rr, const ldns_rdf *name)
{
	return ldns_dname_compare(ldns_rr_owner(rr), name) == 0;
}

static ldns_rr_list *
records_at(const ldns_rr_list *sec, const ldns_rdf *name, ldns_rr_type type)
{
	ldns_rr_list *out = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		if (ldns_rr_get_type(rr) == type && owner_is(rr, name))
			ldns_rr_list_push_rr(out, rr);
	}
	return out;
}

static bool
has_type(const ldns_rr_list *sec, ldns_rr_type type)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(sec); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(sec, i)) == type)
			return true;
	return false;
}

static bool
question_matches(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype)
{
	const ldns_rr_list *q = ldns_pkt_question(pkt);
	if (ldns_rr_list_rr_count(q) != 1)
		return false;
	const ldns_rr *rr = ldns_rr_list_rr(q, 0);
	return ldns_rr_get_type(rr) == qtype && owner_is(rr, qname);
}

/* Follow CNAMEs from qname within the answer section. */
static ldns_rdf *
follow_chain(const ldns_pkt *pkt, const ldns_rdf *qname, ldns_rr_type qtype,
             struct dns_reply *out)
{
	const ldns_rr_list *ans = ldns_pkt_answer(pkt);
	const ldns_rdf *cur = qname;

	out->chain = ldns_rr_list_new();
	for (int hops = 0; hops <= MAX_CHAIN; hops++) {
		ldns_rr_list *rrs = records_at(ans, cur, qtype);
		if (ldns_rr_list_rr_count(rrs) > 0 ||
		    qtype == LDNS_RR_TYPE_CNAME) {
			out->rrs = rrs;
			return ldns_rdf_clone(cur);
		}
		ldns_rr_list_free(rrs);
		ldns_rr_list *cn = records_at(ans, cur, LDNS_RR_TYPE_CNAME);
		if (ldns_rr_list_rr_count(cn) == 0) {
			ldns_rr_list_free(cn);
			out->rrs = ldns_rr_list_new();
			return ldns_rdf_clone(cur);
		}
		ldns_rr *c = ldns_rr_list_rr(cn, 0);
		ldns_rr_list_free(cn);
		ldns_rr_list_push_rr(out->chain, c);
		cur = ldns_rr_rdf(c, 0);
		if (cur == NULL)
			break;
	}
	out->rrs = ldns_rr_list_new();
	return NULL; /* a loop or an absurdly long chain */
}

void
dns_answer_classify(ldns_pkt *pkt, const char *qname, ldns_rr_type qtype,
                    struct dns_reply *out)
{
	ldns_rdf *qn = ldns_dname_new_frm_str(qname);

	out->pkt = pkt;
	out->rcode = ldns_pkt_get_rcode(pkt);
	out->aa = ldns_pkt_aa(pkt);
	if (qn == NULL || !ldns_pkt_qr(pkt) ||
	    !question_matches(pkt, qn, qtype)) {
		out->status = DNS_MALFORMED;
		free(out->detail);
		out->detail = xstrdup(qn == NULL ? "bad query name"
		                                 : "answer does not match the "
		                                   "question");
		out->rrs = ldns_rr_list_new();
		out->chain = ldns_rr_list_new();
		out->final_name = xstrdup(qname);
		if (qn)
			ldns_rdf_deep_free(qn);
		return;
	}
	ldns_rdf *final = follow_chain(pkt, qn, qtype, out);
	if (final == NULL) {
		out->status = DNS_MALFORMED;
		free(out->detail);
		out->detail = xstrdup("CNAME loop or chain too long");
		out->final_name = xstrdup(qname);
		ldns_rdf_deep_free(qn);
		return;
	}
	out->final_name = dns_rdf_name(final);
	ldns_rdf_deep_free(final);
	ldns_rdf_deep_free(qn);

	switch (out->rcode) {
	case LDNS_RCODE_NOERROR:
		break;
	case LDNS_RCODE_NXDOMAIN:
		out->status = DNS_NXDOMAIN;
		return;
	case LDNS_RCODE_SERVFAIL:
		out->status = DNS_SERVFAIL;
		return;
	case LDNS_RCODE_REFUSED:
		out->status = DNS_REFUSED;
		return;
	default:
		out->status = DNS_BADRCODE;
		return;
	}
	if (ldns_rr_list_rr_count(out->rrs) > 0) {
		out->status = DNS_OK;
		return;
	}
	const ldns_rr_list *auth = ldns_pkt_authority(pkt);
	if (!out->aa && has_type(auth, LDNS_RR_TYPE_NS) &&
	    !has_type(auth, LDNS_RR_TYPE_SOA))
		out->status = DNS_REFERRAL;
	else
		out->status = DNS_NODATA;
}

void
dns_answer_parse(const unsigned char *buf, size_t len, const char *qname,
                 ldns_rr_type qtype, struct dns_reply *out)
{
	ldns_pkt *pkt = NULL;
	ldns_status st = ldns_wire2pkt(&pkt, buf, len);

	if (st != LDNS_STATUS_OK) {
		out->status = DNS_MALFORMED;
		free(out->detail);
		out->detail = xasprintf("unparsable answer (%s)",
		                        ldns_get_errorstr_by_id(st));
		out->rrs = ldns_rr_list_new();
		out->chain = ldns_rr_list_new();
		out->final_name = xstrdup(qname);
		return;
	}
	dns_answer_classify(pkt, qname, qtype, out);
}

struct mr_addr *
dns_reply_addrs(const struct dns_reply *r, size_t *n)
{
	size_t cnt = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;
	struct mr_addr *v = xcalloc(cnt ? cnt : 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < cnt; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->rrs, i);
		const ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		if (rd == NULL)
			continue;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A &&
		    ldns_rdf_size(rd) == 4) {
			v[*n].family = AF_INET;
			memcpy(v[*n].bytes, ldns_rdf_data(rd), 4);
			(*n)++;
		} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA &&
		           ldns_rdf_size(rd) == 16) {
			v[*n].family = AF_INET6;
			memcpy(v[*n].bytes, ldns_rdf_data(rd), 16);
			(*n)++;
		}
	}
	return v;
}

char *
dns_reverse_name(const struct mr_addr *a)
{
	if (a->family == AF_INET)
		return xasprintf("%u.%u.%u.%u.in-addr.arpa", a->bytes[3],
		                 a->bytes[2], a->bytes[1], a->bytes[0]);
	char buf[16 * 4 + sizeof("ip6.arpa")];
	size_t off = 0;
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--) {
		buf[off++] = hex[a->bytes[i] & 0xf];
		buf[off++] = '.';
		buf[off++] = hex[a->bytes[i] >> 4];
		buf[off++] = '.';
	}
	memcpy(buf + off, "ip6.arpa", sizeof("ip6.arpa"));
	return xstrdup(buf);
}
