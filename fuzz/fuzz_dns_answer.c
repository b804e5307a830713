/*
 * fuzz_dns_answer.c -- the classification of a raw DNS answer
 * (dns/answer.c: ldns_wire2pkt, the question check, CNAME chains,
 * NXDOMAIN/NODATA/referral from rcode, AA and authority), then what is
 * done with every reply (dns/reply.c, dns/tally.c): its description, its
 * addresses, its deep copy, and the one-line summary of failures.
 *
 * Input: a DNS message as received (dnsin.h says which question it
 * answers).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/reply.h"
#include "dns/tally.h"
#include "dnsin.h"
#include "fuzz.h"
#include "strbuf.h"
#include "xmalloc.h"

static void
use(const struct dns_reply *r)
{
	size_t n;
	struct mr_addr *a = dns_reply_addrs(r, &n);
	for (size_t i = 0; i < n; i++) {
		char *rev = dns_reverse_name(&a[i]);
		free(rev);
	}
	free(a);
	for (size_t i = 0; i < ldns_rr_list_rr_count(r->chain); i++) {
		const ldns_rdf *t =
			ldns_rr_rdf(ldns_rr_list_rr(r->chain, i), 0);
		if (t != NULL)
			free(dns_rdf_name(t));
	}
	char *d = dns_reply_describe(r);
	assert(d != NULL);
	free(d);
	dns_status_is_transport(r->status);
	/* TXT records as the policy checks read them: joined strings. */
	size_t nt = 0;
	struct dns_txt *txt = dns_reply_txts(r, &nt);
	for (size_t i = 0; i < nt; i++)
		assert(txt[i].text[txt[i].len] == '\0' && txt[i].len < 65536);
	dns_txts_free(txt, nt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_reply r, copy;
	struct dns_tally t = TALLY_INIT;
	struct strbuf b = STRBUF_INIT;
	ldns_rr_type qtype;
	char *qname;

	fuzz_dns_question(data, size, &qname, &qtype);
	memset(&r, 0, sizeof(r));
	dns_answer_parse(data, size, qname, qtype, &r);
	r.server = xstrdup("127.0.0.11");
	assert(r.rrs != NULL && r.chain != NULL && r.final_name != NULL);
	assert(r.status != DNS_OK || ldns_rr_list_rr_count(r.rrs) > 0);
	use(&r);
	dns_reply_copy(&copy, &r);
	assert(copy.status == r.status);
	assert(ldns_rr_list_rr_count(copy.rrs) == ldns_rr_list_rr_count(r.rrs));
	use(&copy);
	tally_add_reply(&t, &r);
	tally_add_reply(&t, &copy);
	free(copy.server);
	copy.server = NULL;
	tally_add_reply(&t, &copy);
	tally_render(&t, &b, TALLY_MAX_LEN);
	assert(b.len <= TALLY_MAX_LEN);
	tally_clear(&t);
	strbuf_reset(&b);
	dns_reply_clear(&copy);
	dns_reply_clear(&r);
	free(qname);
	return 0;
}
