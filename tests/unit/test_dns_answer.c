/*
 * test_dns_answer.c -- classification of DNS answers built with ldns:
 * answer, CNAME chains, NXDOMAIN, NODATA, referral, error rcodes, answers
 * to another question, loops and garbage.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "names.h"

/* A response to qname/qtype with the given records ("owner TTL IN T rdata"). */
static ldns_pkt *
response(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode, bool aa,
         const char *const *answer, const char *const *authority,
         const char *const *additional)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype,
	                                 LDNS_RR_CLASS_IN, 0);
	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	const char *const *secs[3] = {answer, authority, additional};
	ldns_pkt_section which[3] = {LDNS_SECTION_ANSWER,
	                             LDNS_SECTION_AUTHORITY,
	                             LDNS_SECTION_ADDITIONAL};
	for (int s = 0; s < 3; s++) {
		for (size_t i = 0; secs[s] && secs[s][i]; i++) {
			ldns_rr *rr = NULL;
			ck_assert_int_eq(ldns_rr_new_frm_str(&rr, secs[s][i],
			                                     300, NULL, NULL),
			                 LDNS_STATUS_OK);
			ldns_pkt_push_rr(p, which[s], rr);
		}
	}
	return p;
}

static const char *const soa[] = {
	"example.test. 300 IN SOA ns1.example.test. h.example.test. 1 2 3 4 5",
	NULL};

START_TEST(answer_a)
{
	const char *ans[] = {"mta1.example.test. 300 IN A 127.0.2.10",
	                     "mta1.example.test. 300 IN A 127.0.2.11", NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("mta1.example.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, NULL, NULL),
	                    "MTA1.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_OK);
	ck_assert(r.aa);
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.rrs), 2);
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.chain), 0);
	ck_assert_str_eq(r.final_name, "mta1.example.test");
	size_t n;
	struct mr_addr *a = dns_reply_addrs(&r, &n);
	ck_assert_uint_eq(n, 2);
	char buf[MR_ADDR_STRLEN];
	ck_assert_str_eq(mr_addr_str(&a[1], buf), "127.0.2.11");
	free(a);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(answer_records_of_other_names_ignored)
{
	/* A server stuffing unrelated records must not be believed. */
	const char *ans[] = {"evil.test. 300 IN A 10.6.6.6",
	                     "mta1.example.test. 300 IN AAAA 2001:db8::1",
	                     NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("mta1.example.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, soa, NULL),
	                    "mta1.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_NODATA);
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.rrs), 0);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(cname_chain)
{
	const char *ans[] = {
		"mail.mxcname.test. 300 IN CNAME relay.mxcname.test.",
		"relay.mxcname.test. 300 IN CNAME mta1.example.test.",
		"mta1.example.test. 300 IN A 127.0.2.10", NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("mail.mxcname.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, false, ans, NULL,
	                             NULL),
	                    "mail.mxcname.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_OK);
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.chain), 2);
	ck_assert_str_eq(r.final_name, "mta1.example.test");
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.rrs), 1);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(cname_to_nothing_is_nodata_at_target)
{
	const char *ans[] = {"www.example.test. 300 IN CNAME far.other.test.",
	                     NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("www.example.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, NULL, NULL),
	                    "www.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_NODATA);
	ck_assert_str_eq(r.final_name, "far.other.test");
	ck_assert_uint_eq(ldns_rr_list_rr_count(r.chain), 1);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(cname_loop_is_malformed)
{
	const char *ans[] = {"a.test. 300 IN CNAME b.test.",
	                     "b.test. 300 IN CNAME a.test.", NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("a.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, NULL, NULL),
	                    "a.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(r.detail, "loop"));
	dns_reply_clear(&r);
}
END_TEST

START_TEST(nxdomain)
{
	struct dns_reply r = {0};
	dns_answer_classify(response("store1.example.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NXDOMAIN, true, NULL, soa,
	                             NULL),
	                    "store1.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_NXDOMAIN);
	ck_assert(!dns_status_is_transport(r.status));
	r.server = strdup("127.0.0.11");
	char *d = dns_reply_describe(&r);
	ck_assert_str_eq(d, "NXDOMAIN from 127.0.0.11");
	free(d);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(nodata_with_soa)
{
	struct dns_reply r = {0};
	dns_answer_classify(response("mta1.example.test.", LDNS_RR_TYPE_AAAA,
	                             LDNS_RCODE_NOERROR, true, NULL, soa, NULL),
	                    "mta1.example.test", LDNS_RR_TYPE_AAAA, &r);
	ck_assert_int_eq(r.status, DNS_NODATA);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(nodata_without_authority)
{
	/* Some resolvers send an empty NOERROR with nothing else. */
	struct dns_reply r = {0};
	dns_answer_classify(response("x.example.test.", LDNS_RR_TYPE_AAAA,
	                             LDNS_RCODE_NOERROR, false, NULL, NULL,
	                             NULL),
	                    "x.example.test", LDNS_RR_TYPE_AAAA, &r);
	ck_assert_int_eq(r.status, DNS_NODATA);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(referral)
{
	const char *auth[] = {"example.test. 300 IN NS ns1.example.test.",
	                      "example.test. 300 IN NS ns2.example.test.",
	                      NULL};
	const char *add[] = {"ns1.example.test. 300 IN A 127.0.0.4", NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("mta1.example.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, false, NULL, auth,
	                             add),
	                    "mta1.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_REFERRAL);
	ck_assert(dns_status_is_transport(r.status));
	dns_reply_clear(&r);
}
END_TEST

START_TEST(error_rcodes)
{
	struct {
		ldns_pkt_rcode rc;
		enum dns_status st;
		const char *text;
	} cases[] = {
		{LDNS_RCODE_SERVFAIL, DNS_SERVFAIL, "SERVFAIL from 127.0.0.9"},
		{LDNS_RCODE_REFUSED, DNS_REFUSED, "REFUSED from 127.0.0.9"},
		{LDNS_RCODE_FORMERR, DNS_BADRCODE, "FORMERR from 127.0.0.9"},
		{LDNS_RCODE_NOTIMPL, DNS_BADRCODE, "NOTIMPL from 127.0.0.9"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dns_reply r = {0};
		dns_answer_classify(response("lame.test.", LDNS_RR_TYPE_SOA,
		                             cases[i].rc, false, NULL, NULL,
		                             NULL),
		                    "lame.test", LDNS_RR_TYPE_SOA, &r);
		ck_assert_int_eq(r.status, cases[i].st);
		ck_assert(dns_status_is_transport(r.status));
		r.server = strdup("127.0.0.9");
		char *d = dns_reply_describe(&r);
		ck_assert_str_eq(d, cases[i].text);
		free(d);
		dns_reply_clear(&r);
	}
}
END_TEST

START_TEST(wrong_question_is_malformed)
{
	const char *ans[] = {"other.test. 300 IN A 127.0.0.1", NULL};
	struct dns_reply r = {0};
	dns_answer_classify(response("other.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, NULL, NULL),
	                    "mta1.example.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(r.detail, "does not match"));
	dns_reply_clear(&r);

	/* Same name, other type. */
	dns_answer_classify(response("other.test.", LDNS_RR_TYPE_A,
	                             LDNS_RCODE_NOERROR, true, ans, NULL, NULL),
	                    "other.test", LDNS_RR_TYPE_MX, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(query_not_response_is_malformed)
{
	ldns_pkt *p = response("a.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	                       true, NULL, NULL, NULL);
	ldns_pkt_set_qr(p, false);
	struct dns_reply r = {0};
	dns_answer_classify(p, "a.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(garbage_wire)
{
	unsigned char junk[] = {0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00,
	                        0x05, 0x00, 0x00, 0x00, 0x00, 0x03, 'f'};
	struct dns_reply r = {0};
	dns_answer_parse(junk, sizeof(junk), "a.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(r.detail, "unparsable"));
	ck_assert_ptr_nonnull(r.rrs);
	dns_reply_clear(&r);

	dns_answer_parse(junk, 0, "a.test", LDNS_RR_TYPE_A, &r);
	ck_assert_int_eq(r.status, DNS_MALFORMED);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(wire_round_trip)
{
	const char *ans[] = {"example.test. 300 IN MX 10 mta1.example.test.",
	                     NULL};
	ldns_pkt *p = response("example.test.", LDNS_RR_TYPE_MX,
	                       LDNS_RCODE_NOERROR, true, ans, NULL, NULL);
	uint8_t *wire;
	size_t len;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	struct dns_reply r = {0};
	dns_answer_parse(wire, len, "example.test.", LDNS_RR_TYPE_MX, &r);
	free(wire);
	ck_assert_int_eq(r.status, DNS_OK);
	char *ex = dns_rdf_name(ldns_rr_rdf(ldns_rr_list_rr(r.rrs, 0), 1));
	ck_assert_str_eq(ex, "mta1.example.test");
	free(ex);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(reverse_names)
{
	struct mr_addr a;
	ck_assert_int_eq(mr_addr_parse("127.0.2.10", &a), 0);
	char *s = dns_reverse_name(&a);
	ck_assert_str_eq(s, "10.2.0.127.in-addr.arpa");
	free(s);
	ck_assert_int_eq(mr_addr_parse("2001:db8:2::10", &a), 0);
	s = dns_reverse_name(&a);
	ck_assert_str_eq(s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0."
	                    "8.b.d.0.1.0.0.2.ip6.arpa");
	free(s);
}
END_TEST

START_TEST(name_helpers)
{
	ck_assert(name_equal("MTA1.Example.test.", "mta1.example.test"));
	ck_assert(!name_equal("mta1.example.test", "mta1.example.tes"));
	ck_assert(!name_equal("a.example.test", "aa.example.test"));
	ldns_rdf *rd = ldns_dname_new_frm_str("Mail.Other.TEST.");
	char *s = dns_rdf_name(rd);
	ck_assert_str_eq(s, "mail.other.test");
	free(s);
	ldns_rdf_deep_free(rd);
	rd = ldns_dname_new_frm_str(".");
	s = dns_rdf_name(rd);
	ck_assert_str_eq(s, ".");
	free(s);
	ldns_rdf_deep_free(rd);
}
END_TEST

START_TEST(transport_classes)
{
	ck_assert(!dns_status_is_transport(DNS_OK));
	ck_assert(!dns_status_is_transport(DNS_NODATA));
	ck_assert(!dns_status_is_transport(DNS_NXDOMAIN));
	ck_assert(dns_status_is_transport(DNS_TIMEOUT));
	ck_assert(dns_status_is_transport(DNS_BLOCKED));
	ck_assert(dns_status_is_transport(DNS_GAVEUP));
	struct dns_reply r = {.status = DNS_TIMEOUT,
	                      .server = "127.0.0.8",
	                      .detail = "2 tries of 1000 ms"};
	char *d = dns_reply_describe(&r);
	ck_assert_str_eq(d, "no answer from 127.0.0.8 (2 tries of 1000 ms)");
	free(d);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dns_answer");
	TCase *tc = tcase_create("classify");
	tcase_add_test(tc, answer_a);
	tcase_add_test(tc, answer_records_of_other_names_ignored);
	tcase_add_test(tc, cname_chain);
	tcase_add_test(tc, cname_to_nothing_is_nodata_at_target);
	tcase_add_test(tc, cname_loop_is_malformed);
	tcase_add_test(tc, nxdomain);
	tcase_add_test(tc, nodata_with_soa);
	tcase_add_test(tc, nodata_without_authority);
	tcase_add_test(tc, referral);
	tcase_add_test(tc, error_rcodes);
	tcase_add_test(tc, wrong_question_is_malformed);
	tcase_add_test(tc, query_not_response_is_malformed);
	tcase_add_test(tc, garbage_wire);
	tcase_add_test(tc, wire_round_trip);
	tcase_add_test(tc, reverse_names);
	tcase_add_test(tc, name_helpers);
	tcase_add_test(tc, transport_classes);
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
