/*
 * dnsin.c -- the question of a DNS fuzz input (dnsin.h).
 */
#include "dnsin.h"
#include "dns/reply.h"
#include "xmalloc.h"

static const ldns_rr_type fixed_types[8] = {
	LDNS_RR_TYPE_A,   LDNS_RR_TYPE_AAAA,  LDNS_RR_TYPE_MX,
	LDNS_RR_TYPE_PTR, LDNS_RR_TYPE_NS,    LDNS_RR_TYPE_SOA,
	LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_CNAME,
};

void
fuzz_dns_question(const uint8_t *data, size_t size, char **qname,
                  ldns_rr_type *qtype)
{
	ldns_pkt *pkt = NULL;

	*qname = NULL;
	if (size > 0 && (data[0] & 1) == 0 &&
	    ldns_wire2pkt(&pkt, data, size) == LDNS_STATUS_OK &&
	    ldns_pkt_qdcount(pkt) == 1) {
		const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
		if (q != NULL) {
			*qname = dns_rdf_name(ldns_rr_owner(q));
			*qtype = ldns_rr_get_type(q);
		}
	}
	if (pkt != NULL)
		ldns_pkt_free(pkt);
	if (*qname == NULL) {
		*qname = xstrdup("mta1.example.test");
		*qtype = fixed_types[size > 0 ? (data[0] >> 1) & 7 : 0];
	}
}
