/*
 * test_lab_policy.c -- the mail-policy checks against the policy lab
 * (tests/lab/README.md, "Policy"): real NSD zones with every record right
 * for policy.test and one planted fault per other domain. Each check's
 * status and message are asserted for each planted fault.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labtest.h"

static struct mr_run run;
static char ca_file[4096];

static void
setup(void)
{
	snprintf(ca_file, sizeof(ca_file), "%s/mail/pki/root.pem",
	         getenv("LAB_RUNDIR"));
	const char *argv[] = {"check",     "-c",     lab_config("policy.conf"),
	                      "--ca-file", ca_file,  "-f",
	                      "json",      "--only", "dns.*",
	                      NULL};

	/* web: nginx serving the MTA-STS policies */
	lab_start("dns web");
	mr_exec(&run, argv, NULL);
	ck_assert_msg(run.json != NULL, "not JSON (exit %d): %s\n%s",
	              run.exit_code, run.out, run.err);
}

static void
teardown(void)
{
	mr_run_free(&run);
	lab_stop();
}

START_TEST(spf_reference_domain)
{
	EXPECT(&run, "policy.test", "dns.spf", "pass",
	       "v=spf1 ip4:127.0.2.10 ip6:2001:db8:2::10 "
	       "include:_spf.policy.test -all",
	       "permits 3 of 3 MTA node addresses",
	       "1 of 10 DNS lookups for a sender it does not list",
	       "fail: term 4 '-all' of policy.test");
	mr_expect_code(&run, "policy.test", "dns.spf", "SPF_OK", "pass");
}
END_TEST

START_TEST(spf_node_missing)
{
	EXPECT(&run, "spf-missing.test", "dns.spf", "fail",
	       "MTA node mx2.policy.test 127.0.2.19 is not permitted to send "
	       "for spf-missing.test: fail (term 3 '-all' of "
	       "spf-missing.test)",
	       "add ip4:127.0.2.19 (or a:mx2.policy.test) to the SPF record of "
	       "spf-missing.test");
	mr_expect_code(&run, "spf-missing.test", "dns.spf",
	               "SPF_NODE_NOT_PERMITTED", "fail");
}
END_TEST

START_TEST(spf_lookup_limit)
{
	EXPECT(&run, "spf-limit.test", "dns.spf", "fail",
	       "fails with permerror for senders it does not list: more than "
	       "10 DNS-querying terms (RFC 7208 4.6.4), at term 1 "
	       "'a:a.root.test' of n4.spf-limit.test",
	       "flatten includes into ip4:/ip6: terms");
	mr_expect_code(&run, "spf-limit.test", "dns.spf", "SPF_PERMERROR",
	               "fail");
}
END_TEST

START_TEST(spf_plus_all)
{
	EXPECT(&run, "spf-plusall.test", "dns.spf", "fail",
	       "the SPF record of spf-plusall.test ends in +all: anyone may "
	       "send as spf-plusall.test",
	       "end the record with -all or ~all after the real senders");
	mr_expect_code(&run, "spf-plusall.test", "dns.spf", "SPF_PERMITS_ALL",
	               "fail");
}
END_TEST

START_TEST(spf_two_records)
{
	EXPECT(&run, "spf-two.test", "dns.spf", "fail",
	       "spf-two.test publishes 2 SPF records",
	       "merge them into one v=spf1 record");
	mr_expect_code(&run, "spf-two.test", "dns.spf", "SPF_MULTIPLE", "fail");
}
END_TEST

/* The domains planted for other checks have the common SPF record. */
START_TEST(spf_other_domains_pass)
{
	const char *domains[] = {"dmarc-none.test", "dkim-weak.test",
	                         "sts-missing.test", "tlsrpt-bad.test"};

	for (size_t i = 0; i < sizeof(domains) / sizeof(*domains); i++)
		EXPECT(&run, domains[i], "dns.spf", "pass",
		       "permits 3 of 3 MTA node addresses");
}
END_TEST

START_TEST(dkim_reference_domain)
{
	EXPECT(&run, "policy.test", "dns.dkim", "pass",
	       "selector s2026: rsa key of 2048 bits at "
	       "s2026._domainkey.policy.test",
	       "selector weak512: no key at weak512._domainkey.policy.test "
	       "(NXDOMAIN)");
	mr_expect_code(&run, "policy.test", "dns.dkim", "DKIM_OK", "pass");
}
END_TEST

START_TEST(dkim_weak_keys)
{
	EXPECT(&run, "dkim-weak.test", "dns.dkim", "fail",
	       "selector weak512: an RSA key of 512 bits at "
	       "weak512._domainkey.dkim-weak.test",
	       "selector weak1024: an RSA key of 1024 bits",
	       "publish a 2048-bit RSA key under a new selector");
	/* Said, not failed: a revoked key is how keys are retired. */
	mr_expect_code(&run, "dkim-weak.test", "dns.dkim", "DKIM_KEY_TOO_SHORT",
	               "fail");
	mr_expect_code(&run, "dkim-weak.test", "dns.dkim", "DKIM_KEY_SHORT",
	               "warn");
	mr_expect_code(&run, "dkim-weak.test", "dns.dkim", "DKIM_REVOKED",
	               "pass");
	mr_expect_code(&run, "dkim-weak.test", "dns.dkim", "DKIM_OK", "pass");
}
END_TEST

START_TEST(dmarc_reference_domain)
{
	EXPECT(&run, "policy.test", "dns.dmarc", "pass",
	       "_dmarc.policy.test: policy reject, 100%, aggregate reports to "
	       "mailto:dmarc@policy.test");
	mr_expect_code(&run, "policy.test", "dns.dmarc", "DMARC_OK", "pass");
}
END_TEST

START_TEST(dmarc_monitor_only)
{
	EXPECT(&run, "dmarc-none.test", "dns.dmarc", "warn",
	       "the DMARC policy of dmarc-none.test is p=none",
	       "applies to 50% of failing mail (pct=50)",
	       "publish p=quarantine, then p=reject");
	mr_expect_code(&run, "dmarc-none.test", "dns.dmarc",
	               "DMARC_MONITOR_ONLY", "warn");
	mr_expect_code(&run, "dmarc-none.test", "dns.dmarc", "DMARC_PARTIAL",
	               "warn");
}
END_TEST

START_TEST(dmarc_external_reports)
{
	EXPECT(&run, "dmarc-extrua.test", "dns.dmarc", "warn",
	       "reports of dmarc-extrua.test go to reports.other.test, which "
	       "has not authorised them: no "
	       "dmarc-extrua.test._report._dmarc.reports.other.test record "
	       "(NXDOMAIN)",
	       "have reports.other.test publish \"v=DMARC1\"");
	mr_expect_code(&run, "dmarc-extrua.test", "dns.dmarc",
	               "DMARC_REPORT_UNAUTHORISED", "warn");
	EXPECT(&run, "dmarc-extrua-ok.test", "dns.dmarc", "pass",
	       "aggregate reports to mailto:dmarc@reports.other.test");
}
END_TEST

START_TEST(tlsrpt_records)
{
	EXPECT(&run, "policy.test", "dns.tlsrpt", "pass",
	       "_smtp._tls.policy.test: reports to mailto:tlsrpt@policy.test");
	EXPECT(&run, "tlsrpt-bad.test", "dns.tlsrpt", "fail",
	       "the TLS-RPT record at _smtp._tls.tlsrpt-bad.test does not "
	       "parse: no 'rua' field");
	mr_expect_code(&run, "tlsrpt-bad.test", "dns.tlsrpt", "TLSRPT_INVALID",
	               "fail");
	/* Optional: said, not failed. */
	mr_expect_code(&run, "spf-two.test", "dns.tlsrpt", "TLSRPT_MISSING",
	               "pass");
}
END_TEST

START_TEST(mtasts_reference_domain)
{
	EXPECT(&run, "policy.test", "dns.mta-sts", "pass",
	       "mta-sts.policy.test (id 20261201): mode enforce, max_age "
	       "604800 s, 2 mx patterns");
	mr_expect_code(&run, "policy.test", "dns.mta-sts", "MTASTS_OK", "pass");
	mr_expect_code(&run, "spf-two.test", "dns.mta-sts", "MTASTS_NONE",
	               "pass");
}
END_TEST

START_TEST(mtasts_faults)
{
	EXPECT(&run, "sts-missing.test", "dns.mta-sts", "fail",
	       "MX target mta1.example.test of sts-missing.test matches no mx "
	       "of its MTA-STS policy (mx2.policy.test): senders enforcing it "
	       "will not deliver there",
	       "add \"mx: mta1.example.test\" to the policy and change the id "
	       "of _mta-sts.sts-missing.test");
	mr_expect_code(&run, "sts-missing.test", "dns.mta-sts",
	               "MTASTS_MX_NOT_COVERED", "fail");
	/* curl's words for the name mismatch, after ours */
	EXPECT(&run, "sts-badcert.test", "dns.mta-sts", "fail",
	       "the MTA-STS policy of sts-badcert.test cannot be fetched from "
	       "https://mta-sts.sts-badcert.test/.well-known/mta-sts.txt: ",
	       "mta-sts.sts-badcert.test'");
	mr_expect_code(&run, "sts-badcert.test", "dns.mta-sts",
	               "MTASTS_POLICY_UNREACHABLE", "fail");
	EXPECT(&run, "sts-testing.test", "dns.mta-sts", "warn",
	       "the MTA-STS policy of sts-testing.test is in testing mode");
}
END_TEST

START_TEST(blocklists)
{
	EXPECT(&run, "listed.policy.test", "dns.bl", "fail",
	       "127.0.2.23 is listed on bl.test (127.0.0.2): 127.0.2.23 listed "
	       "by the mailready lab: spam source",
	       "2001:db8:2::23 is listed on bl.test (127.0.0.2)",
	       "ask bl.test for removal");
	mr_expect_code(&run, "listed.policy.test", "dns.bl", "BL_LISTED",
	               "fail");
	/* A refusal is unknown, never a listing. */
	EXPECT(&run, "mx2.policy.test", "dns.bl", "unknown",
	       "refuse.test refused the query for 127.0.2.19 "
	       "(127.255.255.254): not known whether it is listed",
	       "not a public one");
	mr_expect_code(&run, "mx2.policy.test", "dns.bl", "BL_REFUSED",
	               "unknown");
	EXPECT(&run, "spf-plusall.test", "dns.bl", "fail",
	       "spf-plusall.test is listed on dbl.test (127.0.1.2)");
	EXPECT(&run, "policy.test", "dns.bl", "pass",
	       "policy.test is on none of the blocklists: dbl.test");
}
END_TEST

/* redirect=, exists: with %{i} (IPv4 octets, IPv6 nibbles), %{d2}, a: */
START_TEST(spf_macros_and_redirect)
{
	EXPECT(&run, "spf-macro.test", "dns.spf", "pass",
	       "spf-macro.test: v=spf1 redirect=_spf.%{d}; permits 3 of 3 MTA "
	       "node addresses; 3 of 10 DNS lookups for a sender it does not "
	       "list (fail: term 3 '-all' of _spf.spf-macro.test)");
}
END_TEST

/* ptr: evaluated (forward-confirmed names), and warned about. */
START_TEST(spf_ptr)
{
	EXPECT(&run, "spf-ptr.test", "dns.spf", "warn",
	       "the SPF record of spf-ptr.test uses ptr (2 times)",
	       "replace ptr with ip4:/ip6: or a: terms");
	mr_expect_code(&run, "spf-ptr.test", "dns.spf", "SPF_PTR", "warn");
}
END_TEST

/* The lookups an SPF policy costs, as Nagios perfdata. */
START_TEST(spf_lookups_perfdata)
{
	struct mr_run r;
	const char *argv[] = {"check",   "-c",     lab_config("policy.conf"),
	                      "-f",      "nagios", "--only",
	                      "dns.spf", NULL};

	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	const char *want[] = {
		"'policy.test dns.spf lookups'=1;;;0;10",
		"'spf-limit.test dns.spf lookups'=11;;;0;10",
		"'spf-macro.test dns.spf lookups'=3;;;0;10",
		"'spf-two.test dns.spf lookups'=U;;;0;10",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		ck_assert_msg(strstr(r.out, want[i]) != NULL, "no %s in:\n%s",
		              want[i], r.out);
	mr_run_free(&r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("lab_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, spf_reference_domain);
	tcase_add_test(tc, spf_node_missing);
	tcase_add_test(tc, spf_lookup_limit);
	tcase_add_test(tc, spf_plus_all);
	tcase_add_test(tc, spf_two_records);
	tcase_add_test(tc, spf_other_domains_pass);
	tcase_add_test(tc, spf_macros_and_redirect);
	tcase_add_test(tc, spf_ptr);
	tcase_add_test(tc, spf_lookups_perfdata);
	tcase_add_test(tc, dkim_reference_domain);
	tcase_add_test(tc, dkim_weak_keys);
	tcase_add_test(tc, dmarc_reference_domain);
	tcase_add_test(tc, dmarc_monitor_only);
	tcase_add_test(tc, dmarc_external_reports);
	tcase_add_test(tc, tlsrpt_records);
	tcase_add_test(tc, mtasts_reference_domain);
	tcase_add_test(tc, mtasts_faults);
	tcase_add_test(tc, blocklists);
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
