/*
 * test_dns_step.c -- one step of iterative resolution (dns_iter_step):
 * what an iteration does after each kind of reply; referrals, their glue
 * and its bailiwick, lame and upward referrals, and what
 * fuzz_iterate_step found: NS records without a name, zones told apart
 * by an escaped dot.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/iterate.h"

/* A non-authoritative NOERROR reply to qname A with these sections. */
static void
reply(const char *qname, const char *const *authority,
      const char *const *additional, struct dns_reply *r)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname),
	                                 LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	const char *const *secs[2] = {authority, additional};
	ldns_pkt_section which[2] = {LDNS_SECTION_AUTHORITY,
	                             LDNS_SECTION_ADDITIONAL};

	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_qr(p, true);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; secs[s] && secs[s][i]; i++) {
			ldns_rr *rr = NULL;
			ck_assert_int_eq(ldns_rr_new_frm_str(&rr, secs[s][i],
			                                     300, NULL, NULL),
			                 LDNS_STATUS_OK);
			ldns_pkt_push_rr(p, which[s], rr);
		}
	}
	memset(r, 0, sizeof(*r));
	dns_answer_classify(p, qname, LDNS_RR_TYPE_A, r);
}

START_TEST(referral_glue_within_bailiwick)
{
	const char *ns[] = {"example.test. IN NS ns1.example.test.",
	                    "example.test. IN NS ns.elsewhere.org.",
	                    "example.test. IN NS ns2.example.test.", NULL};
	const char *glue[] = {"ns1.example.test. IN A 127.0.0.4",
	                      "ns1.example.test. IN AAAA 2001:db8::4",
	                      "ns.elsewhere.org. IN A 10.6.6.6", NULL};
	struct dns_reply r;
	struct dns_step s;

	reply("mta1.example.test", ns, glue, &r);
	ck_assert_int_eq(r.status, DNS_REFERRAL);
	dns_iter_step(&r, "test", "mta1.example.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_REFERRAL);
	ck_assert_str_eq(s.child, "example.test");
	ck_assert_uint_eq(s.nnames, 3);
	/* ns.elsewhere.org is outside "test": its glue is not taken. */
	ck_assert_uint_eq(s.nglue, 2);
	ck_assert_int_eq(s.glue[0].family, AF_INET);
	ck_assert_int_eq(s.glue[1].family, AF_INET6);
	ck_assert_uint_eq(s.nunglued, 2);
	ck_assert_str_eq(s.unglued[0], "ns.elsewhere.org");
	ck_assert_str_eq(s.unglued[1], "ns2.example.test");
	dns_step_clear(&s);
	ck_assert_ptr_null(s.child);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(referral_upward_or_sideways_is_lame)
{
	const char *up[] = {". IN NS a.root.test.", NULL};
	const char *side[] = {"other.test. IN NS ns.other.test.", NULL};
	struct dns_reply r;
	struct dns_step s;

	reply("mta1.example.test", up, NULL, &r);
	dns_iter_step(&r, "example.test", "mta1.example.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_LAME);
	ck_assert_ptr_null(s.child);
	dns_reply_clear(&r);
	reply("mta1.example.test", side, NULL, &r);
	dns_iter_step(&r, "test", "mta1.example.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_LAME);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(referral_out_of_zone_by_an_escaped_dot_is_lame)
{
	/* Labels "example" and ".org": text "example.\.org", not in org
	   (found by fuzz_iterate_step). */
	const char *ns[] = {"example.\\.org. IN NS ns.example.\\.org.", NULL};
	struct dns_reply r;
	struct dns_step s;

	reply("mta1.example.\\.org", ns, NULL, &r);
	ck_assert_int_eq(r.status, DNS_REFERRAL);
	dns_iter_step(&r, "org", "mta1.example.\\.org", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_LAME);
	dns_iter_step(&r, "\\.org", "mta1.example.\\.org", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_REFERRAL);
	ck_assert_str_eq(s.child, "example.\\.org");
	dns_step_clear(&s);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(referral_to_no_one_is_lame)
{
	/* "liar.test NS" with empty RDATA: a cut without servers. */
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str("ok.liar.test"),
	                                 LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	ldns_rr *ns = ldns_rr_new();
	struct dns_reply r = {0};
	struct dns_step s;

	ldns_pkt_set_qr(p, true);
	ldns_rr_set_owner(ns, ldns_dname_new_frm_str("liar.test."));
	ldns_rr_set_type(ns, LDNS_RR_TYPE_NS);
	ldns_rr_set_class(ns, LDNS_RR_CLASS_IN);
	ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, ns);
	dns_answer_classify(p, "ok.liar.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_REFERRAL);
	dns_iter_step(&r, "test", "ok.liar.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_LAME);
	ck_assert_ptr_null(s.child);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(other_replies)
{
	struct dns_reply r = {0};
	struct dns_step s;

	r.chain = ldns_rr_list_new();
	r.status = DNS_OK;
	dns_iter_step(&r, "", "x.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_ANSWER);
	r.status = DNS_NODATA;
	dns_iter_step(&r, "", "x.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_ANSWER);
	ldns_rr *cn = NULL;
	ldns_rr_new_frm_str(&cn, "x.test. 300 IN CNAME y.other.", 300, NULL,
	                    NULL);
	ldns_rr_list_push_rr(r.chain, cn);
	dns_iter_step(&r, "", "x.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_CNAME);
	r.status = DNS_SERVFAIL;
	dns_iter_step(&r, "", "x.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_FAILED);
	r.status = DNS_REFERRAL; /* without a packet */
	dns_iter_step(&r, "", "x.test", &s);
	ck_assert_int_eq(s.kind, DNS_STEP_LAME);
	ldns_rr_list_deep_free(r.chain);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dns_step");
	TCase *tc = tcase_create("step");
	tcase_add_test(tc, referral_glue_within_bailiwick);
	tcase_add_test(tc, referral_upward_or_sideways_is_lame);
	tcase_add_test(tc, referral_out_of_zone_by_an_escaped_dot_is_lame);
	tcase_add_test(tc, referral_to_no_one_is_lame);
	tcase_add_test(tc, other_replies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
