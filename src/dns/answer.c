/*
 * answer.c -- classification of DNS answers: what a packet says about the
 * question asked (answer, CNAME chain, NXDOMAIN, NODATA, referral, error
 * rcode, or an answer that does not fit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "names.h"
#include "xmalloc.h"

/* Longer CNAME chains are a loop or an attack; resolvers stop near here. */
#define MAX_CHAIN 12

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
