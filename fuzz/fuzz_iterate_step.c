/*
 * fuzz_iterate_step.c -- one step of iterative resolution
 * (dns/iterate.c, dns_iter_step()): a server's answer in, classified as
 * the query service does it (dns/answer.c), and the zone it was asked as;
 * the next step out: the answer, a CNAME to follow, a referral (child
 * zone, glue within bailiwick, names without glue), a lame referral, or
 * a failed server.
 *
 * Input: a DNS message (dnsin.h says which question it answers). Bits 4-7
 * of the first ID byte pick the zone asked: 0 the root, k the last k
 * labels of the name asked (the name itself or beyond stays the name),
 * 15 a zone the name is not in.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/iterate.h"
#include "dnsin.h"
#include "fuzz.h"
#include "xmalloc.h"

/*
 * Is name equal to or below zone ("" is the root)? Asked of ldns, label by
 * label, rather than of the text as iterate.c compares it: an oracle of
 * its own.
 */
static bool
in_zone(const char *name, const char *zone)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	ldns_rdf *z = ldns_dname_new_frm_str(zone[0] ? zone : ".");
	bool in = n != NULL && z != NULL &&
	          (ldns_dname_compare(n, z) == 0 ||
	           ldns_dname_is_subdomain(n, z));

	ldns_rdf_deep_free(n);
	ldns_rdf_deep_free(z);
	return in;
}

/* The last k labels of name ("" for k = 0). */
static const char *
last_labels(const char *name, unsigned k)
{
	const char *p = name + strlen(name);

	if (k == 0 || strcmp(name, ".") == 0)
		return "";
	while (p > name) {
		if (p[-1] == '.' && --k == 0)
			return p;
		p--;
	}
	return name;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_reply r;
	struct dns_step step;
	ldns_rr_type qtype;
	char *qname;
	unsigned pick = size > 0 ? data[0] >> 4 : 0;

	fuzz_dns_question(data, size, &qname, &qtype);
	const char *zone =
		pick == 15 ? "elsewhere.test" : last_labels(qname, pick);
	memset(&r, 0, sizeof(r));
	dns_answer_parse(data, size, qname, qtype, &r);
	r.server = xstrdup("127.0.0.2");
	dns_iter_step(&r, zone, qname, &step);
	switch (step.kind) {
	case DNS_STEP_REFERRAL:
		assert(r.status == DNS_REFERRAL);
		assert(step.child != NULL && strlen(step.child) > strlen(zone));
		assert(in_zone(step.child, zone) && in_zone(qname, step.child));
		assert(step.nnames <= DNS_STEP_MAX_NS);
		assert(step.nunglued <= step.nnames);
		assert(step.nnames > 0);
		/* Names are skipped only past the bound, and counted. */
		assert(step.nskipped == 0 || step.nnames == DNS_STEP_MAX_NS);
		for (size_t i = 0; i < step.nglue; i++)
			assert(step.glue[i].family == AF_INET ||
			       step.glue[i].family == AF_INET6);
		break;
	case DNS_STEP_CNAME:
		assert(r.status == DNS_NODATA && r.final_name != NULL);
		/* fall through */
	default:
		assert(step.child == NULL && step.nglue == 0 &&
		       step.nunglued == 0 && step.nskipped == 0);
	}
	dns_step_clear(&step);
	dns_reply_clear(&r);
	free(qname);
	return 0;
}
