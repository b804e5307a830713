/*
 * test_cert.c -- unit tests of the certificate verdict (src/tls/cert.c).
 * Every certificate is made here with the OpenSSL API, dated around a
 * fixed "now" (2026-11-28 00:00 UTC): a lab root, an issuing CA under it,
 * an unrelated root, and leaves with chosen names and dates. Verify
 * results come both as bare X509_V_ERR_* codes and from real chain
 * verification and in-memory TLS handshakes through cert_client_ctx().
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/cert.h"

#define NOW  ((time_t)1795824000) /* 2026-11-28 00:00:00 UTC */
#define DAY  ((time_t)86400)
#define HOST "mta1.example.test"

/* The lab PKI, made once in main(); forked tests inherit it. */
static EVP_PKEY *root_key, *inter_key, *other_key, *other_inter_key, *leaf_key;
static X509 *root, *inter, *other_root, *other_inter;

/* ------------------------------------------------------------ helpers */

/* Check's asserts work only inside a test; the PKI is also made in
   main(), so its helpers stop the program themselves. */
#define REQUIRE(cond)                                                   \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__, \
			        __LINE__, #cond);                       \
			abort();                                        \
		}                                                       \
	} while (0)

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
	REQUIRE(ext != NULL);
	REQUIRE(X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
}

/*
 * A certificate with subject CN=cn (none when NULL), SAN san (OpenSSL's
 * "DNS:a,DNS:b" syntax; none when NULL), valid from now+nb to now+na,
 * signed by issuer/ikey (self-signed when issuer is NULL).
 */
static X509 *
make_cert(const char *cn, const char *san, time_t nb, time_t na, bool ca,
          EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	REQUIRE(x != NULL && name != NULL);
	REQUIRE(X509_set_version(x, X509_VERSION_3) == 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	if (cn != NULL)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		                           (const unsigned char *)cn, -1, -1,
		                           0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
	                                       : name);
	X509_NAME_free(name);
	REQUIRE(ASN1_TIME_set(X509_getm_notBefore(x), NOW + nb) != NULL);
	REQUIRE(ASN1_TIME_set(X509_getm_notAfter(x), NOW + na) != NULL);
	X509_set_pubkey(x, key);
	if (issuer == NULL) {
		issuer = x;
		ikey = key;
	}
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage,
		        "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
	}
	if (san != NULL)
		add_ext(x, issuer, NID_subject_alt_name, san);
	REQUIRE(X509_sign(x, ikey, EVP_sha256()) > 0);
	return x;
}

/* A leaf issued by the lab's issuing CA, dates relative to NOW. */
static X509 *
leaf(const char *cn, const char *san, time_t nb, time_t na)
{
	return make_cert(cn, san, nb, na, false, leaf_key, inter, inter_key);
}

/* The usual good leaf: 65 days left. */
static X509 *
good_leaf(void)
{
	return leaf(HOST, "DNS:" HOST, -30 * DAY, 65 * DAY);
}

static struct cert_policy
policy(const char *host)
{
	return (struct cert_policy){.host = host, .now = NOW};
}

/* Judge x (freed here) for host with verify result vr and version. */
static void
judge(X509 *x, long vr, const char *version, const char *host,
      struct cert_verdict *v)
{
	struct cert_policy pol = policy(host);

	cert_evaluate_x509(x, vr, version, &pol, v);
	X509_free(x);
}

/* The verdict as one line: each issue's message and hint, "; "-joined,
   or the summary when there is no issue. Valid until the next call. */
static const char *
vtext(const struct cert_verdict *v)
{
	static char buf[4096];
	size_t off = 0;

	if (v->nissues == 0)
		return v->summary;
	buf[0] = '\0';
	for (size_t i = 0; i < v->nissues && off < sizeof(buf); i++)
		off += (size_t)snprintf(
			buf + off, sizeof(buf) - off, "%s%s%s%s", i ? "; " : "",
			v->issues[i].message, v->issues[i].hint ? "; " : "",
			v->issues[i].hint ? v->issues[i].hint : "");
	return buf;
}

/* Assert status and exact text, then clear. */
#define VERDICT_EQ(v, st, msg)                      \
	do {                                        \
		ck_assert_str_eq(vtext(&(v)), msg); \
		ck_assert_int_eq((v).status, st);   \
		cert_verdict_clear(&(v));           \
	} while (0)

#define HAS(s, frag)                                                       \
	ck_assert_msg(strstr((s), (frag)) != NULL, "'%s' lacks '%s'", (s), \
	              (frag))

/* The status of judging a good-dated leaf with SAN san for host. */
static enum mr_status
host_status(const char *san, const char *cn, const char *host)
{
	struct cert_verdict v;

	judge(leaf(cn, san, -DAY, 65 * DAY), X509_V_OK, "TLSv1.3", host, &v);
	enum mr_status st = v.status;
	cert_verdict_clear(&v);
	return st;
}

/* --------------------------------------------------------------- pass */

START_TEST(test_pass)
{
	struct cert_verdict v;

	judge(good_leaf(), X509_V_OK, "TLSv1.3", HOST, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_str_eq(
		vtext(&v),
		"certificate CN=mta1.example.test (mta1.example.test), "
		"issued by CN=Lab Issuing CA, valid until 2027-02-01 "
		"(65 days), TLSv1.3");
	ck_assert_str_eq(v.subject, "CN=mta1.example.test");
	ck_assert_str_eq(v.issuer, "CN=Lab Issuing CA");
	ck_assert_str_eq(v.not_after_text, "2027-02-01");
	ck_assert_str_eq(v.names, HOST);
	ck_assert_str_eq(v.version, "TLSv1.3");
	ck_assert_int_eq(v.days_left, 65);
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_pass_fields)
{
	struct cert_verdict v;
	X509 *x = make_cert("mta1.example.test",
	                    "DNS:" HOST ",DNS:mail.example.test,IP:192.0.2.1",
	                    -DAY, 65 * DAY + DAY / 2, false, leaf_key, inter,
	                    inter_key);
	/* An O after signing: the signature no longer matches, which is
	   fine, only the verdict's wording is under test. */
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_UTF8,
	                           (const unsigned char *)"Example, Inc.", -1,
	                           -1, 0);

	/* Version unknown: the summary simply omits it. Names are the DNS
	   SANs only; 65.5 days show as 65. */
	judge(x, X509_V_OK, NULL, HOST, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_str_eq(v.subject, "O=Example\\, Inc., CN=mta1.example.test");
	ck_assert_str_eq(v.names, "mta1.example.test, mail.example.test");
	ck_assert_ptr_null(v.version);
	ck_assert_int_eq(v.days_left, 65);
	ck_assert_str_eq(vtext(&v),
	                 "certificate O=Example\\, Inc., CN=mta1.example.test "
	                 "(mta1.example.test, mail.example.test), issued by "
	                 "CN=Lab Issuing CA, valid until 2027-02-01 (65 days)");
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_now_zero_means_time)
{
	struct cert_verdict v;
	struct cert_policy pol = policy(HOST);
	/* Valid from the real now for a year and a day: pol.now = 0 must
	   use time(NULL), not the epoch (when it was not yet valid). */
	time_t real = time(NULL);
	X509 *x = leaf(HOST, "DNS:" HOST, real - NOW - DAY,
	               real - NOW + 366 * DAY);

	pol.now = 0;
	cert_evaluate_x509(x, X509_V_OK, "TLSv1.2", &pol, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_int_ge(v.days_left, 365);
	ck_assert_int_le(v.days_left, 366);
	cert_verdict_clear(&v);
	X509_free(x);
}
END_TEST

/* -------------------------------------------------------------- dates */

START_TEST(test_expired)
{
	struct cert_verdict v;
	const char *want = "certificate expired on 2026-02-01 (300 days "
			   "ago): CN=mta1.example.test, issued by CN=Lab "
			   "Issuing CA; renew it and reload the service";

	judge(leaf(HOST, "DNS:" HOST, -400 * DAY, -300 * DAY), X509_V_OK,
	      "TLSv1.3", HOST, &v);
	ck_assert_str_eq(v.not_after_text, "2026-02-01");
	ck_assert_int_eq(v.days_left, -300);
	VERDICT_EQ(v, MR_FAIL, want);

	/* The verify result agrees: judged once, from the leaf. */
	judge(leaf(HOST, "DNS:" HOST, -400 * DAY, -300 * DAY),
	      X509_V_ERR_CERT_HAS_EXPIRED, "TLSv1.3", HOST, &v);
	VERDICT_EQ(v, MR_FAIL, want);

	judge(leaf(HOST, "DNS:" HOST, -400 * DAY, -3600), X509_V_OK, NULL, HOST,
	      &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate expired on 2026-11-27 (less than a day "
	           "ago): CN=mta1.example.test, issued by CN=Lab Issuing CA; "
	           "renew it and reload the service");

	judge(leaf(HOST, "DNS:" HOST, -400 * DAY, -DAY), X509_V_OK, NULL, HOST,
	      &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate expired on 2026-11-27 (1 day ago): "
	           "CN=mta1.example.test, issued by CN=Lab Issuing CA; "
	           "renew it and reload the service");
}
END_TEST

START_TEST(test_not_yet_valid)
{
	struct cert_verdict v;

	judge(leaf(HOST, "DNS:" HOST, 5 * DAY, 400 * DAY),
	      X509_V_ERR_CERT_NOT_YET_VALID, "TLSv1.3", HOST, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is not valid before 2026-12-03 (in 5 days): "
	           "CN=mta1.example.test, issued by CN=Lab Issuing CA; check "
	           "this host's clock, or install a certificate that is "
	           "valid now");
}
END_TEST

/* Days to expiry are measured here and judged by policy through
   cert_judge_days(), with whole days rounded down everywhere. */
START_TEST(test_days_measured)
{
	struct cert_verdict v;

	/* 3 days left: measured, no issue of its own. */
	judge(leaf(HOST, "DNS:" HOST, -DAY, 3 * DAY), X509_V_OK, "TLSv1.3",
	      HOST, &v);
	ck_assert_int_eq(v.days_left, 3);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_uint_eq(v.nissues, 0);
	cert_verdict_clear(&v);

	/* 7 days and 23 hours: 7 whole days. */
	judge(leaf(HOST, "DNS:" HOST, -DAY, 8 * DAY - 3600), X509_V_OK, NULL,
	      HOST, &v);
	ck_assert_int_eq(v.days_left, 7);
	cert_verdict_clear(&v);

	/* notAfter == now is still valid (RFC 5280: inclusive): 0 days;
	   one second before now it has expired: day -1. */
	judge(leaf(HOST, "DNS:" HOST, -DAY, 0), X509_V_OK, NULL, HOST, &v);
	ck_assert_int_eq(v.days_left, 0);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
	judge(leaf(HOST, "DNS:" HOST, -DAY, -1), X509_V_OK, NULL, HOST, &v);
	ck_assert_int_eq(v.days_left, -1);
	ck_assert_int_eq(v.status, MR_FAIL);
	HAS(vtext(&v), "certificate expired on 2026-11-27 (less than a day "
	               "ago)");
	cert_verdict_clear(&v);

	/* notBefore == now is valid; one second later is not yet. */
	judge(leaf(HOST, "DNS:" HOST, 0, 65 * DAY), X509_V_OK, NULL, HOST, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
	judge(leaf(HOST, "DNS:" HOST, 1, 65 * DAY), X509_V_OK, NULL, HOST, &v);
	ck_assert_int_eq(v.status, MR_FAIL);
	HAS(vtext(&v), "certificate is not valid before 2026-11-28 (in less "
	               "than a day)");
	cert_verdict_clear(&v);
}
END_TEST

/* The thresholds: warn at warn_days or fewer, fail at crit_days or
   fewer, as check_smtp -D and check_ssl_cert do. */
START_TEST(test_judge_days)
{
	char *msg, *hint;

	ck_assert_int_eq(cert_judge_days(3, NOW + 3 * DAY, 30, 7, &msg, &hint),
	                 MR_FAIL);
	ck_assert_str_eq(msg, "certificate expires in 3 days (2026-12-01)");
	ck_assert_str_eq(hint, "renew it now");
	free(msg);
	free(hint);

	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, 30, 7, &msg, &hint),
		MR_WARN);
	ck_assert_str_eq(msg, "certificate expires in 20 days (2026-12-18)");
	ck_assert_str_eq(hint, "renew it before 2026-12-11, when this check "
	                       "turns critical");
	free(msg);
	free(hint);

	/* The boundaries belong to the worse side. */
	ck_assert_int_eq(cert_judge_days(7, NOW + 7 * DAY, 30, 7, &msg, &hint),
	                 MR_FAIL);
	free(msg);
	free(hint);
	ck_assert_int_eq(cert_judge_days(8, NOW + 8 * DAY, 30, 7, &msg, &hint),
	                 MR_WARN);
	free(msg);
	free(hint);
	ck_assert_int_eq(
		cert_judge_days(30, NOW + 30 * DAY, 30, 7, &msg, &hint),
		MR_WARN);
	free(msg);
	free(hint);
	ck_assert_int_eq(
		cert_judge_days(31, NOW + 31 * DAY, 30, 7, &msg, &hint),
		MR_PASS);
	ck_assert_ptr_null(msg);
	ck_assert_ptr_null(hint);

	/* Less than a day left. */
	ck_assert_int_eq(cert_judge_days(0, NOW, 30, 7, &msg, &hint), MR_FAIL);
	ck_assert_str_eq(msg, "certificate expires in less than a day "
	                      "(2026-11-28)");
	free(msg);
	free(hint);

	/* Expired: CERT_EXPIRED says it, not this. */
	ck_assert_int_eq(cert_judge_days(-1, NOW - 1, 30, 7, &msg, &hint),
	                 MR_PASS);
	ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(test_custom_thresholds)
{
	char *msg, *hint;

	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, 10, 5, &msg, &hint),
		MR_PASS);
	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, 60, 21, &msg, &hint),
		MR_FAIL);
	free(msg);
	free(hint);
	/* crit 0: critical only in the last day. */
	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, 30, 0, &msg, &hint),
		MR_WARN);
	ck_assert_str_eq(hint, "renew it before 2026-12-18, when this check "
	                       "turns critical");
	free(msg);
	free(hint);
	/* A level not set (-1) never alerts; the other still does. */
	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, -1, 7, &msg, &hint),
		MR_PASS);
	ck_assert_int_eq(cert_judge_days(5, NOW + 5 * DAY, -1, 7, &msg, &hint),
	                 MR_FAIL);
	free(msg);
	free(hint);
	ck_assert_int_eq(
		cert_judge_days(20, NOW + 20 * DAY, 30, -1, &msg, &hint),
		MR_WARN);
	ck_assert_str_eq(hint, "renew it");
	free(msg);
	free(hint);
}
END_TEST

/* ---------------------------------------------------------- host name */

START_TEST(test_wrong_host)
{
	struct cert_verdict v;

	judge(leaf("mx.other.test", "DNS:mx.other.test,DNS:*.other.test", -DAY,
	           65 * DAY),
	      X509_V_ERR_HOSTNAME_MISMATCH, "TLSv1.3", HOST, &v);
	ck_assert_str_eq(v.names, "mx.other.test, *.other.test");
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for mx.other.test, *.other.test, not "
	           "mta1.example.test; issue one whose subjectAltName "
	           "includes mta1.example.test");
}
END_TEST

START_TEST(test_wildcard_one_label)
{
	const char *san = "DNS:*.example.test";

	ck_assert_int_eq(host_status(san, NULL, "a.example.test"), MR_PASS);
	ck_assert_int_eq(host_status(san, NULL, "mta1.example.test"), MR_PASS);
	/* Not two labels, not the apex, not a suffix match. */
	ck_assert_int_eq(host_status(san, NULL, "a.b.example.test"), MR_FAIL);
	ck_assert_int_eq(host_status(san, NULL, "example.test"), MR_FAIL);
	ck_assert_int_eq(host_status(san, NULL, "a.xexample.test"), MR_FAIL);
	ck_assert_int_eq(host_status(san, NULL, ".example.test"), MR_FAIL);
	/* A wildcard over a public suffix-like single label never matches. */
	ck_assert_int_eq(host_status("DNS:*.test", NULL, "example.test"),
	                 MR_FAIL);
	/* The wildcard is only valid as the whole left-most label. */
	ck_assert_int_eq(
		host_status("DNS:mta1.*.test", NULL, "mta1.example.test"),
		MR_FAIL);
}
END_TEST

/* tls_names: a proxy that presents the service name, or a wildcard. */
START_TEST(test_tls_names)
{
	char *names[] = {"mail.example.test", "*.example.org"};
	struct cert_policy pol = {
		.host = HOST, .alt_names = names, .nalt_names = 2, .now = NOW};
	struct cert_verdict v;
	X509 *x = leaf("mail.example.test", "DNS:mail.example.test", -DAY,
	               65 * DAY);

	cert_evaluate_x509(x, X509_V_ERR_HOSTNAME_MISMATCH, "TLSv1.3", &pol,
	                   &v);
	X509_free(x);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_str_eq(v.matched, "mail.example.test");
	HAS(v.summary, "; valid for mail.example.test (tls_names)");
	cert_verdict_clear(&v);

	/* A wildcard entry: the certificate must carry it as such. */
	x = leaf("*.example.org", "DNS:*.example.org", -DAY, 65 * DAY);
	cert_evaluate_x509(x, X509_V_OK, "TLSv1.3", &pol, &v);
	X509_free(x);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_str_eq(v.matched, "*.example.org");
	cert_verdict_clear(&v);
	x = leaf("a.example.org", "DNS:a.example.org", -DAY, 65 * DAY);
	cert_evaluate_x509(x, X509_V_OK, "TLSv1.3", &pol, &v);
	X509_free(x);
	ck_assert_int_eq(v.status, MR_FAIL);
	cert_verdict_clear(&v);

	/* The node's own name still matches first, and says nothing more. */
	x = good_leaf();
	cert_evaluate_x509(x, X509_V_OK, "TLSv1.3", &pol, &v);
	X509_free(x);
	ck_assert_int_eq(v.status, MR_PASS);
	ck_assert_str_eq(v.matched, HOST);
	ck_assert_ptr_null(strstr(v.summary, "tls_names"));
	cert_verdict_clear(&v);

	/* None matches: every name is listed, and the way out. */
	x = leaf("mx.other.test", "DNS:mx.other.test", -DAY, 65 * DAY);
	cert_evaluate_x509(x, X509_V_OK, "TLSv1.3", &pol, &v);
	X509_free(x);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for mx.other.test, not mta1.example.test, "
	           "mail.example.test, *.example.org; issue one whose "
	           "subjectAltName includes one of mta1.example.test, "
	           "mail.example.test, *.example.org (tls_names), or add the "
	           "name it carries to tls_names");
}
END_TEST

START_TEST(test_wildcard_partial)
{
	ck_assert_int_eq(
		host_status("DNS:f*o.example.test", NULL, "foo.example.test"),
		MR_FAIL);
	ck_assert_int_eq(
		host_status("DNS:f*.example.test", NULL, "foo.example.test"),
		MR_FAIL);
	ck_assert_int_eq(
		host_status("DNS:*o.example.test", NULL, "foo.example.test"),
		MR_FAIL);
	/* Same with the name only in the CN. */
	ck_assert_int_eq(
		host_status(NULL, "f*o.example.test", "foo.example.test"),
		MR_FAIL);
}
END_TEST

START_TEST(test_host_case_and_dot)
{
	ck_assert_int_eq(host_status("DNS:" HOST, NULL, "MTA1.Example.TEST"),
	                 MR_PASS);
	ck_assert_int_eq(host_status("DNS:MTA1.EXAMPLE.test", NULL, HOST),
	                 MR_PASS);
	ck_assert_int_eq(
		host_status("DNS:*.EXAMPLE.TEST", NULL, "Mta1.example.test"),
		MR_PASS);
	ck_assert_int_eq(host_status("DNS:" HOST, NULL, HOST "."), MR_PASS);
	ck_assert_int_eq(
		host_status("DNS:*.example.test", NULL, "a.example.test."),
		MR_PASS);
	/* One trailing dot only. */
	ck_assert_int_eq(host_status("DNS:" HOST, NULL, HOST ".."), MR_FAIL);
}
END_TEST

START_TEST(test_cn_only_without_san)
{
	struct cert_verdict v;

	/* No SAN: the CN counts and is the listed name. */
	judge(leaf(HOST, NULL, -DAY, 65 * DAY), X509_V_OK, "TLSv1.3", HOST, &v);
	ck_assert_str_eq(v.names, HOST);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
	ck_assert_int_eq(host_status(NULL, "*.example.test", HOST), MR_PASS);

	/* A SAN dNSName exists: the matching CN is ignored. */
	judge(leaf(HOST, "DNS:mx.other.test", -DAY, 65 * DAY), X509_V_OK,
	      "TLSv1.3", HOST, &v);
	ck_assert_str_eq(v.names, "mx.other.test");
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for mx.other.test, not "
	           "mta1.example.test; issue one whose subjectAltName "
	           "includes mta1.example.test");

	/* SANs without a dNSName (an address): the CN still counts. */
	ck_assert_int_eq(host_status("IP:192.0.2.1", HOST, HOST), MR_PASS);

	/* Neither SAN nor CN. */
	judge(leaf(NULL, NULL, -DAY, 65 * DAY), X509_V_OK, "TLSv1.3", HOST, &v);
	ck_assert_str_eq(v.names, "");
	ck_assert_str_eq(v.subject, "");
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for no host (no subjectAltName DNS name, "
	           "no CN), not mta1.example.test; issue one whose "
	           "subjectAltName includes mta1.example.test");
}
END_TEST

START_TEST(test_many_names)
{
	struct cert_verdict v;

	judge(leaf("a.test",
	           "DNS:a.test,DNS:b.test,DNS:c.test,DNS:d.test,DNS:e.test,"
	           "DNS:f.test,DNS:g.test",
	           -DAY, 65 * DAY),
	      X509_V_OK, NULL, HOST, &v);
	/* The field has every name, the message the first five. */
	ck_assert_str_eq(v.names, "a.test, b.test, c.test, d.test, e.test, "
	                          "f.test, g.test");
	HAS(vtext(&v), "certificate is for a.test, b.test, c.test, d.test, "
	               "e.test and 2 more, not mta1.example.test");
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_ip_host)
{
	struct cert_verdict v;

	ck_assert_int_eq(
		host_status("DNS:" HOST ",IP:192.0.2.10", NULL, "192.0.2.10"),
		MR_PASS);
	ck_assert_int_eq(host_status("IP:2001:db8::10", NULL, "2001:db8::10"),
	                 MR_PASS);
	/* An address in the CN or a dNSName is not an IP identity. */
	judge(leaf("192.0.2.10", "DNS:192.0.2.10", -DAY, 65 * DAY), X509_V_OK,
	      NULL, "192.0.2.10", &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for 192.0.2.10, not 192.0.2.10; issue "
	           "one whose subjectAltName includes IP address 192.0.2.10");
}
END_TEST

START_TEST(test_no_host_in_policy)
{
	struct cert_verdict v;

	/* Nothing to match against: the name is not judged. */
	judge(leaf("mx.other.test", "DNS:mx.other.test", -DAY, 65 * DAY),
	      X509_V_OK, NULL, NULL, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
}
END_TEST

/* ------------------------------------------------------ verify results */

/* The verdict on a good leaf with verify result vr. */
static void
chain_verdict(long vr, struct cert_verdict *v)
{
	judge(good_leaf(), vr, "TLSv1.3", HOST, v);
}

START_TEST(test_chain_unknown_issuer)
{
	static const long codes[] = {
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
		X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	};
	struct cert_verdict v;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		chain_verdict(codes[i], &v);
		VERDICT_EQ(
			v, MR_FAIL,
			"issuer 'CN=Lab Issuing CA' is not trusted (not in "
			"the CA bundle, or the server does not send the "
			"intermediate certificate); send the full chain (leaf and "
			"intermediates), or add the CA to ca_file");
	}
}
END_TEST

START_TEST(test_chain_self_signed)
{
	struct cert_verdict v;
	X509 *x = make_cert(HOST, "DNS:" HOST, -DAY, 65 * DAY, false, leaf_key,
	                    NULL, NULL);

	judge(x, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "TLSv1.3", HOST, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "self-signed certificate 'CN=mta1.example.test' is not "
	           "trusted; install one issued by a trusted CA, or add it "
	           "to ca_file");

	/* Without the chain, the root cannot be named. */
	chain_verdict(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, &v);
	VERDICT_EQ(
		v, MR_FAIL,
		"chain ends in an untrusted root (not in the CA bundle); use a certificate from a trusted CA, "
		"or add the root to ca_file");
}
END_TEST

START_TEST(test_chain_other_codes)
{
	static const long codes[] = {
		X509_V_ERR_CERT_UNTRUSTED,
		X509_V_ERR_CERT_REVOKED,
		X509_V_ERR_INVALID_PURPOSE,
		X509_V_ERR_CERT_SIGNATURE_FAILURE,
		X509_V_ERR_CERT_REJECTED,
		X509_V_ERR_INVALID_CA,
		X509_V_ERR_PATH_LENGTH_EXCEEDED,
		X509_V_ERR_CERT_CHAIN_TOO_LONG,
	};
	struct cert_verdict v;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char want[256];

		snprintf(want, sizeof(want),
		         "certificate chain is not trusted: %s (X509 error "
		         "%ld); fix the chain the server sends",
		         X509_verify_cert_error_string(codes[i]), codes[i]);
		chain_verdict(codes[i], &v);
		VERDICT_EQ(v, MR_FAIL, want);
	}
	chain_verdict(X509_V_ERR_CERT_REVOKED, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate chain is not trusted: certificate revoked "
	           "(X509 error 23); fix the chain the server sends");
}
END_TEST

START_TEST(test_chain_ignored_codes)
{
	struct cert_verdict v;

	/* A name mismatch is judged from the certificate itself. */
	chain_verdict(X509_V_ERR_HOSTNAME_MISMATCH, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
	chain_verdict(X509_V_ERR_IP_ADDRESS_MISMATCH, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_chain_issuer_dates)
{
	struct cert_verdict v;

	/* The leaf is in date, so an expiry in the chain is an issuer's. */
	chain_verdict(X509_V_ERR_CERT_HAS_EXPIRED, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "an issuer certificate in the chain has expired; install "
	           "the CA's current intermediate certificate");
	chain_verdict(X509_V_ERR_CERT_NOT_YET_VALID, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "an issuer certificate in the chain is not valid yet; "
	           "install the CA's current intermediate certificate");
}
END_TEST

/* ---------------------------------------------------------- versions */

START_TEST(test_versions)
{
	static const char *const old[] = {"SSLv3", "TLSv1", "TLSv1.1"};
	static const char *const fine[] = {"TLSv1.2", "TLSv1.3"};
	struct cert_verdict v;

	for (size_t i = 0; i < 3; i++) {
		char want[128];

		snprintf(want, sizeof(want),
		         "server negotiated %s; enable TLS 1.2 and 1.3",
		         old[i]);
		judge(good_leaf(), X509_V_OK, old[i], HOST, &v);
		ck_assert_str_eq(v.version, old[i]);
		VERDICT_EQ(v, MR_WARN, want);
	}
	for (size_t i = 0; i < 2; i++) {
		judge(good_leaf(), X509_V_OK, fine[i], HOST, &v);
		ck_assert_int_eq(v.status, MR_PASS);
		HAS(vtext(&v), fine[i]);
		cert_verdict_clear(&v);
	}
}
END_TEST

/* ------------------------------------------------- several and none */

START_TEST(test_no_certificate)
{
	struct cert_verdict v;
	struct cert_policy pol = policy(HOST);

	cert_evaluate_x509(NULL, X509_V_OK, "TLSv1.3", &pol, &v);
	ck_assert_str_eq(v.subject, "");
	ck_assert_str_eq(v.names, "");
	ck_assert_str_eq(v.not_after_text, "");
	ck_assert_str_eq(v.version, "TLSv1.3");
	VERDICT_EQ(v, MR_FAIL,
	           "the server presented no certificate; configure a "
	           "certificate and key for the service");
}
END_TEST

START_TEST(test_several_findings)
{
	struct cert_verdict v;

	/* A wrong name and an old protocol: two issues, fail first. */
	judge(leaf("mx.other.test", "DNS:mx.other.test", -DAY, 20 * DAY),
	      X509_V_OK, "TLSv1", HOST, &v);
	ck_assert_uint_eq(v.nissues, 2);
	ck_assert_int_eq(v.issues[0].code, CODE_CERT_NAME_MISMATCH);
	ck_assert_int_eq(v.issues[1].code, CODE_TLS_VERSION_OLD);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for mx.other.test, not mta1.example.test; "
	           "issue one whose subjectAltName includes "
	           "mta1.example.test; server negotiated TLSv1; enable TLS "
	           "1.2 and 1.3");

	/* Failures first in the contract's order; the worst status wins. */
	judge(leaf("mx.other.test", "DNS:mx.other.test", -400 * DAY,
	           -300 * DAY),
	      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "TLSv1.1", HOST,
	      &v);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate expired on 2026-02-01 (300 days ago): "
	           "CN=mx.other.test, issued by CN=Lab Issuing CA; renew it "
	           "and reload the service; issuer 'CN=Lab Issuing CA' is not "
	           "trusted (not in the CA bundle, or the server does not send "
	           "the intermediate certificate); send the full chain (leaf "
	           "and intermediates), or add the CA to ca_file; certificate "
	           "is for mx.other.test, not "
	           "mta1.example.test; issue one whose subjectAltName "
	           "includes mta1.example.test; server negotiated TLSv1.1; "
	           "enable TLS 1.2 and 1.3");

	/* An expired certificate outranks a version warning. */
	judge(leaf(HOST, "DNS:" HOST, -3 * DAY, -DAY), X509_V_OK, "TLSv1.1",
	      HOST, &v);
	ck_assert_int_eq(v.status, MR_FAIL);
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_hostile_names)
{
	struct cert_verdict v;
	X509 *x = leaf("evil\ncn", "DNS:a.test", -DAY, 65 * DAY);

	/* Control characters in server-supplied names never break the
	   line. */
	judge(x, X509_V_OK, NULL, HOST, &v);
	ck_assert_ptr_null(strchr(vtext(&v), '\n'));
	ck_assert_ptr_null(strchr(v.subject, '\n'));
	cert_verdict_clear(&v);

	judge(leaf("evil\001cn", NULL, -DAY, 65 * DAY), X509_V_OK, NULL, HOST,
	      &v);
	/* written out, not lost */
	ck_assert_str_eq(v.names, "evil\\x01cn");
	cert_verdict_clear(&v);
}
END_TEST

START_TEST(test_verdict_clear)
{
	struct cert_verdict v;

	judge(good_leaf(), X509_V_OK, "TLSv1.3", HOST, &v);
	cert_verdict_clear(&v);
	ck_assert_ptr_null(v.summary);
	ck_assert_ptr_null(v.subject);
	ck_assert_ptr_null(v.issuer);
	ck_assert_ptr_null(v.not_after_text);
	ck_assert_ptr_null(v.names);
	ck_assert_ptr_null(v.version);
	ck_assert_ptr_null(v.fingerprint);
	ck_assert_uint_eq(v.nissues, 0);
	ck_assert_int_eq(v.status, 0);
	ck_assert_int_eq(v.days_left, 0);
	cert_verdict_clear(&v); /* twice is harmless */
}
END_TEST

/* -------------------------------------------- real chain verification */

/* Verify x with the given untrusted chain against a store holding
   trusted; returns the first error, and its certificate in *at. */
static long
verify_chain(X509 *x, X509 *const *chain, int n, X509 *trusted, X509 **at)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();

	ck_assert_int_eq(X509_STORE_add_cert(store, trusted), 1);
	for (int i = 0; i < n; i++)
		sk_X509_push(untrusted, chain[i]);
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, x, untrusted), 1);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), NOW);
	X509_verify_cert(ctx);
	long err = X509_STORE_CTX_get_error(ctx);
	if (at != NULL) {
		*at = X509_STORE_CTX_get_current_cert(ctx);
		if (*at != NULL)
			X509_up_ref(*at);
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	return err;
}

START_TEST(test_real_chain)
{
	struct cert_verdict v;
	struct cert_policy pol = policy(HOST);
	X509 *x = good_leaf();
	X509 *chain[] = {inter, other_root};
	long err;

	/* Leaf + intermediate, root trusted. */
	err = verify_chain(x, chain, 1, root, NULL);
	ck_assert_int_eq(err, X509_V_OK);
	cert_evaluate_x509(x, err, "TLSv1.3", &pol, &v);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);

	/* The server forgot the intermediate. */
	err = verify_chain(x, NULL, 0, root, NULL);
	ck_assert_int_eq(err, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	cert_evaluate_x509(x, err, "TLSv1.3", &pol, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "issuer 'CN=Lab Issuing CA' is not trusted (not in the "
	           "CA bundle, or the server does not send the intermediate "
	           "certificate); send the full chain (leaf and "
	           "intermediates), or add the CA to ca_file");
	X509_free(x);

	/* A chain up to a root we do not trust, root sent along. */
	x = make_cert(HOST, "DNS:" HOST, -DAY, 65 * DAY, false, leaf_key,
	              other_inter, other_inter_key);
	chain[0] = other_inter;
	err = verify_chain(x, chain, 2, root, NULL);
	ck_assert_int_eq(err, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	cert_evaluate_x509(x, err, "TLSv1.3", &pol, &v);
	VERDICT_EQ(
		v, MR_FAIL,
		"chain ends in an untrusted root (not in the CA bundle); use a certificate from a trusted CA, "
		"or add the root to ca_file");

	/* ... and not sent: the issuer is what is missing. */
	err = verify_chain(x, chain, 1, root, NULL);
	ck_assert_int_eq(err, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	cert_evaluate_x509(x, err, "TLSv1.3", &pol, &v);
	HAS(vtext(&v), "issuer 'CN=Other CA' is not trusted");
	cert_verdict_clear(&v);
	X509_free(x);

	/* Self-signed leaf. */
	x = make_cert(HOST, "DNS:" HOST, -DAY, 65 * DAY, false, leaf_key, NULL,
	              NULL);
	err = verify_chain(x, NULL, 0, root, NULL);
	ck_assert_int_eq(err, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	cert_evaluate_x509(x, err, "TLSv1.3", &pol, &v);
	HAS(vtext(&v), "self-signed certificate 'CN=mta1.example.test'");
	cert_verdict_clear(&v);
	X509_free(x);
}
END_TEST

/* -------------------------------------------------------- client ctx */

static char ca_path[] = "/tmp/test_cert_ca_XXXXXX";

/* Write certificates as a PEM bundle to path (mkstemp template). */
static void
write_pem(char *path, X509 *const *certs, int n)
{
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	FILE *f = fdopen(fd, "w");
	REQUIRE(f != NULL);
	for (int i = 0; i < n; i++)
		REQUIRE(PEM_write_X509(f, certs[i]) == 1);
	fclose(f);
}

START_TEST(test_ctx_missing_file)
{
	char err[512] = "";
	SSL_CTX *ctx = cert_client_ctx("/nonexistent/ca.pem", err, sizeof(err));

	ck_assert_ptr_null(ctx);
	HAS(err, "cannot load trusted certificates from ca_file "
	         "/nonexistent/ca.pem: ");
	HAS(err, "No such file or directory");
	ck_assert_int_eq(ERR_peek_error(), 0); /* queue left empty */
}
END_TEST

START_TEST(test_ctx_not_pem)
{
	char path[] = "/tmp/test_cert_bad_XXXXXX";
	char err[512] = "";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	SSL_CTX *ctx = cert_client_ctx(path, err, sizeof(err));
	unlink(path);
	ck_assert_ptr_null(ctx);
	HAS(err, path);
	HAS(err, "no certificate or crl found");
}
END_TEST

START_TEST(test_ctx_ok)
{
	char err[512] = "";
	SSL_CTX *ctx = cert_client_ctx(ca_path, err, sizeof(err));

	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(SSL_CTX_get_min_proto_version(ctx), TLS1_VERSION);
	ck_assert_int_eq(SSL_CTX_get_security_level(ctx), 0);
	ck_assert_int_eq(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
	ck_assert_int_eq(SSL_CTX_get_verify_depth(ctx), 10);
	ck_assert_ptr_nonnull(SSL_CTX_get_verify_callback(ctx));
	SSL_CTX_free(ctx);

	/* The system store. */
	ctx = cert_client_ctx(NULL, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	SSL_CTX_free(ctx);
}
END_TEST

START_TEST(test_prepare_ssl)
{
	char err[512] = "";
	SSL_CTX *ctx = cert_client_ctx(ca_path, err, sizeof(err));
	SSL *ssl;

	ck_assert_msg(ctx != NULL, "%s", err);
	ssl = SSL_new(ctx);
	ck_assert_int_eq(cert_prepare_ssl(ssl, HOST "."), 0);
	ck_assert_str_eq(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name),
	                 HOST);
	ck_assert_str_eq(X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl), 0),
	                 HOST);
	ck_assert_uint_eq(X509_VERIFY_PARAM_get_hostflags(SSL_get0_param(ssl)),
	                  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	SSL_free(ssl);

	/* An address literal: no SNI (RFC 6066). */
	ssl = SSL_new(ctx);
	ck_assert_int_eq(cert_prepare_ssl(ssl, "192.0.2.1"), 0);
	ck_assert_ptr_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
	SSL_free(ssl);
	ssl = SSL_new(ctx);
	ck_assert_int_eq(cert_prepare_ssl(ssl, "2001:db8::1"), 0);
	ck_assert_ptr_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
	SSL_free(ssl);

	ssl = SSL_new(ctx);
	ck_assert_int_eq(cert_prepare_ssl(ssl, NULL), -1);
	ck_assert_int_eq(cert_prepare_ssl(ssl, ""), -1);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}
END_TEST

/* ------------------------------------------------ in-memory handshakes */

struct server {
	X509 *cert;
	X509 *chain[2];
	int nchain;
	int max_version;     /* 0: any */
	const char *ciphers; /* NULL: default */
	bool plain_client;   /* a client context not from cert_client_ctx */
};

/*
 * Handshake a cert_client_ctx() client (trusting ca_path, expecting host)
 * with an in-memory server, then judge with cert_evaluate(). Returns the
 * client's verify result; the verdict is in v.
 */
static long
handshake(const struct server *srv, const char *host, struct cert_verdict *v)
{
	char err[512] = "";
	SSL_CTX *cctx = cert_client_ctx(ca_path, err, sizeof(err));
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	struct cert_policy pol = policy(host);
	BIO *cb, *sb;

	ck_assert_msg(cctx != NULL, "%s", err);
	if (srv->plain_client) {
		SSL_CTX_free(cctx);
		cctx = SSL_CTX_new(TLS_client_method());
		ck_assert_int_eq(
			SSL_CTX_load_verify_locations(cctx, ca_path, NULL), 1);
		SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	}
	ck_assert_ptr_nonnull(sctx);
	SSL_CTX_set_security_level(sctx, 0);
	SSL_CTX_set_min_proto_version(sctx, TLS1_VERSION);
	if (srv->max_version)
		SSL_CTX_set_max_proto_version(sctx, srv->max_version);
	if (srv->cert != NULL) {
		ck_assert_int_eq(SSL_CTX_use_certificate(sctx, srv->cert), 1);
		ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, leaf_key), 1);
	}
	for (int i = 0; i < srv->nchain; i++)
		ck_assert_int_eq(SSL_CTX_add1_chain_cert(sctx, srv->chain[i]),
		                 1);

	SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
	if (srv->ciphers != NULL) {
		ck_assert_int_eq(SSL_set_cipher_list(c, srv->ciphers), 1);
		ck_assert_int_eq(SSL_set_cipher_list(s, srv->ciphers), 1);
	}
	ck_assert_int_eq(cert_prepare_ssl(c, host), 0);
	X509_VERIFY_PARAM_set_time(SSL_get0_param(c), NOW);
	ck_assert_int_eq(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);

	int cdone = 0, sdone = 0;
	for (int i = 0; i < 100 && !(cdone && sdone); i++) {
		if (!cdone) {
			int r = SSL_do_handshake(c);
			cdone = r == 1;
			ck_assert_msg(r == 1 || SSL_get_error(c, r) ==
			                                SSL_ERROR_WANT_READ,
			              "client handshake failed: %lu",
			              ERR_peek_error());
		}
		if (!sdone) {
			int r = SSL_do_handshake(s);
			sdone = r == 1;
			ck_assert_msg(r == 1 || SSL_get_error(s, r) ==
			                                SSL_ERROR_WANT_READ,
			              "server handshake failed: %lu",
			              ERR_peek_error());
		}
	}
	ck_assert(cdone && sdone);
	long vr = SSL_get_verify_result(c);
	cert_evaluate(c, &pol, v);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	return vr;
}

START_TEST(test_handshake_pass)
{
	struct cert_verdict v;
	struct server srv = {
		.cert = good_leaf(), .chain = {inter}, .nchain = 1};

	ck_assert_int_eq(handshake(&srv, HOST, &v), X509_V_OK);
	VERDICT_EQ(v, MR_PASS,
	           "certificate CN=mta1.example.test (mta1.example.test), "
	           "issued by CN=Lab Issuing CA, valid until 2027-02-01 "
	           "(65 days), TLSv1.3");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_wrong_host)
{
	struct cert_verdict v;
	struct server srv = {
		.cert = good_leaf(), .chain = {inter}, .nchain = 1};

	/* SSL_set1_host makes OpenSSL report the mismatch too. */
	ck_assert_int_eq(handshake(&srv, "mta2.example.test", &v),
	                 X509_V_ERR_HOSTNAME_MISMATCH);
	VERDICT_EQ(v, MR_FAIL,
	           "certificate is for mta1.example.test, not "
	           "mta2.example.test; issue one whose subjectAltName "
	           "includes mta2.example.test");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_missing_intermediate)
{
	struct cert_verdict v;
	struct server srv = {.cert = good_leaf()};

	handshake(&srv, HOST, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "issuer 'CN=Lab Issuing CA' is not trusted (not in the "
	           "CA bundle, or the server does not send the intermediate "
	           "certificate); send the full chain (leaf and "
	           "intermediates), or add the CA to ca_file");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_plain_client)
{
	struct cert_verdict v;
	struct server srv = {.cert = good_leaf(), .plain_client = true};

	/* No record from our callback: OpenSSL's verify result is used. */
	long vr = handshake(&srv, HOST, &v);
	ck_assert_int_ne(vr, X509_V_OK);
	VERDICT_EQ(v, MR_FAIL,
	           "issuer 'CN=Lab Issuing CA' is not trusted (not in the "
	           "CA bundle, or the server does not send the intermediate "
	           "certificate); send the full chain (leaf and "
	           "intermediates), or add the CA to ca_file");
	X509_free(srv.cert);

	srv.cert = good_leaf();
	srv.chain[0] = inter;
	srv.nchain = 1;
	ck_assert_int_eq(handshake(&srv, HOST, &v), X509_V_OK);
	ck_assert_int_eq(v.status, MR_PASS);
	cert_verdict_clear(&v);
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_errors_not_overwritten)
{
	struct cert_verdict v;
	struct server srv = {
		.cert = leaf(HOST, "DNS:" HOST, -400 * DAY, -300 * DAY)};

	/* Unknown issuer, wrong name and an expired leaf: OpenSSL's verify
	   result keeps only the last error, the verdict has all three. */
	long vr = handshake(&srv, "mta2.example.test", &v);
	ck_assert_int_ne(vr, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	ck_assert_int_eq(v.status, MR_FAIL);
	HAS(vtext(&v), "certificate expired on 2026-02-01 (300 days ago)");
	HAS(vtext(&v), "; issuer 'CN=Lab Issuing CA' is not trusted");
	HAS(vtext(&v), "; certificate is for mta1.example.test, not "
	               "mta2.example.test");
	cert_verdict_clear(&v);
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_untrusted_root)
{
	struct cert_verdict v;
	struct server srv = {.cert = make_cert(HOST, "DNS:" HOST, -DAY,
	                                       65 * DAY, false, leaf_key,
	                                       other_inter, other_inter_key),
	                     .chain = {other_inter, other_root},
	                     .nchain = 2};

	ck_assert_int_eq(handshake(&srv, HOST, &v),
	                 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	/* With the chain at hand the root has a name. */
	VERDICT_EQ(v, MR_FAIL,
	           "chain ends in an untrusted root 'CN=Other Root' (not in "
	           "the CA bundle); use a certificate from a trusted CA, "
	           "or add the root to ca_file");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_self_signed)
{
	struct cert_verdict v;
	struct server srv = {.cert = make_cert(HOST, "DNS:" HOST, -DAY,
	                                       65 * DAY, false, leaf_key, NULL,
	                                       NULL)};

	ck_assert_int_eq(handshake(&srv, HOST, &v),
	                 X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	VERDICT_EQ(v, MR_FAIL,
	           "self-signed certificate 'CN=mta1.example.test' is not "
	           "trusted; install one issued by a trusted CA, or add it "
	           "to ca_file");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_expired_intermediate)
{
	struct cert_verdict v;
	X509 *old = make_cert("Lab Issuing CA", NULL, -400 * DAY, -10 * DAY,
	                      true, inter_key, root, root_key);
	struct server srv = {.cert = good_leaf(), .chain = {old}, .nchain = 1};

	ck_assert_int_eq(handshake(&srv, HOST, &v),
	                 X509_V_ERR_CERT_HAS_EXPIRED);
	VERDICT_EQ(v, MR_FAIL,
	           "issuer certificate 'CN=Lab Issuing CA' expired on "
	           "2026-11-18; install the CA's current intermediate "
	           "certificate");
	X509_free(srv.cert);
	X509_free(old);
}
END_TEST

START_TEST(test_handshake_tls11)
{
	struct cert_verdict v;
	struct server srv = {.cert = good_leaf(),
	                     .chain = {inter},
	                     .nchain = 1,
	                     .max_version = TLS1_1_VERSION,
	                     .ciphers = "DEFAULT:@SECLEVEL=0"};

	/* The context reaches an old server, and says it is old. */
	ck_assert_int_eq(handshake(&srv, HOST, &v), X509_V_OK);
	VERDICT_EQ(v, MR_WARN,
	           "server negotiated TLSv1.1; enable TLS 1.2 and 1.3");
	X509_free(srv.cert);
}
END_TEST

START_TEST(test_handshake_no_certificate)
{
	struct cert_verdict v;
	struct server srv = {.max_version = TLS1_2_VERSION,
	                     .ciphers = "aNULL:@SECLEVEL=0"};

	/* Anonymous ECDH: the server sends no certificate at all. */
	handshake(&srv, HOST, &v);
	VERDICT_EQ(v, MR_FAIL,
	           "the server presented no certificate; configure a "
	           "certificate and key for the service");
}
END_TEST

/* -------------------------------------------------------------- main */

static Suite *
cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("verdict");
	TCase *chain = tcase_create("chain");
	TCase *tls = tcase_create("tls");

	tcase_add_test(tc, test_pass);
	tcase_add_test(tc, test_pass_fields);
	tcase_add_test(tc, test_now_zero_means_time);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_not_yet_valid);
	tcase_add_test(tc, test_days_measured);
	tcase_add_test(tc, test_judge_days);
	tcase_add_test(tc, test_custom_thresholds);
	tcase_add_test(tc, test_wrong_host);
	tcase_add_test(tc, test_wildcard_one_label);
	tcase_add_test(tc, test_tls_names);
	tcase_add_test(tc, test_wildcard_partial);
	tcase_add_test(tc, test_host_case_and_dot);
	tcase_add_test(tc, test_cn_only_without_san);
	tcase_add_test(tc, test_many_names);
	tcase_add_test(tc, test_ip_host);
	tcase_add_test(tc, test_no_host_in_policy);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_no_certificate);
	tcase_add_test(tc, test_several_findings);
	tcase_add_test(tc, test_hostile_names);
	tcase_add_test(tc, test_verdict_clear);
	suite_add_tcase(s, tc);

	tcase_add_test(chain, test_chain_unknown_issuer);
	tcase_add_test(chain, test_chain_self_signed);
	tcase_add_test(chain, test_chain_other_codes);
	tcase_add_test(chain, test_chain_ignored_codes);
	tcase_add_test(chain, test_chain_issuer_dates);
	tcase_add_test(chain, test_real_chain);
	suite_add_tcase(s, chain);

	tcase_add_test(tls, test_ctx_missing_file);
	tcase_add_test(tls, test_ctx_not_pem);
	tcase_add_test(tls, test_ctx_ok);
	tcase_add_test(tls, test_prepare_ssl);
	tcase_add_test(tls, test_handshake_pass);
	tcase_add_test(tls, test_handshake_wrong_host);
	tcase_add_test(tls, test_handshake_missing_intermediate);
	tcase_add_test(tls, test_handshake_plain_client);
	tcase_add_test(tls, test_handshake_errors_not_overwritten);
	tcase_add_test(tls, test_handshake_untrusted_root);
	tcase_add_test(tls, test_handshake_self_signed);
	tcase_add_test(tls, test_handshake_expired_intermediate);
	tcase_add_test(tls, test_handshake_tls11);
	tcase_add_test(tls, test_handshake_no_certificate);
	suite_add_tcase(s, tls);
	return s;
}

static EVP_PKEY *
keygen(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	if (k == NULL) {
		fputs("test_cert: cannot generate a key\n", stderr);
		exit(EXIT_FAILURE);
	}
	return k;
}

int
main(void)
{
	root_key = keygen();
	inter_key = keygen();
	other_key = keygen();
	other_inter_key = keygen();
	leaf_key = keygen();
	root = make_cert("Lab Root CA", NULL, -3650 * DAY, 3650 * DAY, true,
	                 root_key, NULL, NULL);
	inter = make_cert("Lab Issuing CA", NULL, -365 * DAY, 1825 * DAY, true,
	                  inter_key, root, root_key);
	other_root = make_cert("Other Root", NULL, -3650 * DAY, 3650 * DAY,
	                       true, other_key, NULL, NULL);
	other_inter = make_cert("Other CA", NULL, -365 * DAY, 1825 * DAY, true,
	                        other_inter_key, other_root, other_key);
	write_pem(ca_path, &root, 1);

	SRunner *sr = srunner_create(cert_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	unlink(ca_path);
	X509_free(root);
	X509_free(inter);
	X509_free(other_root);
	X509_free(other_inter);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(other_inter_key);
	EVP_PKEY_free(leaf_key);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
