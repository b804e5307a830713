/*
 * test_report.c -- the aggregator, the summary line, escaping and the text,
 * JSON and Nagios renderers.
 *
 * Renderers write to a memory FILE and are compared with golden output, so
 * any change of layout is a deliberate one. Hostile server text is fed in
 * to show that it cannot break a line, the JSON or the perfdata.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "report/report.h"

/* 2026-11-28T19:00:00Z */
#define T0 ((time_t)1795892400)

/*
 * Fixtures
 */

static char *roles_mta[] = {"mta"};
static char *roles_mbox[] = {"mailstore"};
static char *roles_proxy[] = {"proxy", "mta"};
static char *fx_domains[] = {"example.com", "example.net"};

/* docs1 has no results: it must not show up. */
static struct mr_node fx_nodes[] = {
	{.name = "mta1.example.com", .roles = roles_mta, .nroles = 1},
	{.name = "mbox1.example.com", .roles = roles_mbox, .nroles = 1},
	{.name = "proxy1.example.com", .roles = roles_proxy, .nroles = 2},
	{.name = "docs1.example.com"},
};

static struct mr_config fx_cfg = {
	.nodes = fx_nodes,
	.nnodes = 4,
	.domains = fx_domains,
	.ndomains = 2,
};

static struct mr_result *
add(struct mr_result_list *l, const char *id, const char *node,
    const char *domain, const char *target, enum mr_status st, const char *msg,
    double ms)
{
	struct mr_result *r = mr_result_new(id, node, domain, target);
	mr_result_add(r, "FOUND", st, "%s", msg);
	r->duration_ms = ms;
	mr_result_list_push(l, r);
	return r;
}

/* A small failing cluster, pushed out of config order on purpose. */
static void
fx_results(struct mr_result_list *l)
{
	struct mr_result *r;

	add(l, "dns.ptr", "proxy1.example.com", NULL, "203.0.113.30", MR_FAIL,
	    "no PTR record for 203.0.113.30", 12);
	r = add(l, "net.port.smtp", "ext1.example.org", NULL, "198.51.100.5:25",
	        MR_PASS, "connected", 3.25);
	mr_result_add_metric(r, "connect_ms", 3.25, "ms");
	add(l, "dns.a.inside", "mta1.example.com", NULL, "10.0.0.10", MR_PASS,
	    "A 10.0.0.10 as declared", 1);
	add(l, "dns.mx", NULL, "example.com", "example.com", MR_FAIL,
	    "MX target mx.example.com is a CNAME", 20);
	r = add(l, "mail.smtp", "mta1.example.com", NULL, "203.0.113.10:25",
	        MR_WARN, "certificate expires in 20 days", 88.5);
	struct mr_metric *m =
		mr_result_add_metric(r, "cert_days_left", 20, "d");
	mr_metric_set_thresholds(m, "30:", "7:");
	mr_result_add_metric(r, "handshake_ms", 41.5, "ms");
	mr_finding_hint(r->findings[0], "renew it");
	add(l, "host.fqdn", "mbox1.example.com", NULL, "mbox1.example.com",
	    MR_SKIP, "runs on the node itself", 0);
	add(l, "net.port.imap", "mbox1.example.com", NULL, "10.0.0.20:143",
	    MR_PASS, "connected", 2);
	add(l, "dns.a.outside", "proxy1.example.com", NULL,
	    "proxy1.example.com", MR_UNKNOWN,
	    "no answer from 192.0.2.53 in 5 s", 5000);
	add(l, "dns.mx", NULL, "example.net", "example.net", MR_PASS,
	    "MX mta1.example.com", 9);
}

static struct report *
fx_report(struct mr_result_list *l)
{
	fx_results(l);
	return report_build(&fx_cfg, l, "check", "mon1.example.com", T0, 312.4);
}

/* Render into memory; returns the text, which the caller frees. */
enum fmt { FMT_TEXT, FMT_TEXT_COLOR, FMT_JSON, FMT_NAGIOS };

static char *
render(const struct report *r, enum fmt f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct text_opts o = {.color = f == FMT_TEXT_COLOR};
	int rc = -1;

	ck_assert_ptr_nonnull(out);
	switch (f) {
	case FMT_TEXT:
	case FMT_TEXT_COLOR:
		rc = report_render_text(r, &o, out);
		break;
	case FMT_JSON:
		rc = report_render_json(r, out);
		break;
	case FMT_NAGIOS:
		rc = report_render_nagios(r, out);
		break;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/*
 * Aggregation
 */

START_TEST(test_build_order)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);

	ck_assert_uint_eq(r->nnodes, 4);
	ck_assert_str_eq(r->nodes[0].name, "mta1.example.com");
	ck_assert_str_eq(r->nodes[1].name, "mbox1.example.com");
	ck_assert_str_eq(r->nodes[2].name, "proxy1.example.com");
	/* not in the config: after the configured nodes */
	ck_assert_str_eq(r->nodes[3].name, "ext1.example.org");

	ck_assert_uint_eq(r->nodes[2].nroles, 2);
	ck_assert_str_eq(r->nodes[2].roles[0], "proxy");
	ck_assert_str_eq(r->nodes[2].roles[1], "mta");
	ck_assert_uint_eq(r->nodes[3].nroles, 0);

	/* checks keep the order of the result list */
	ck_assert_uint_eq(r->nodes[2].nchecks, 2);
	ck_assert_str_eq(r->nodes[2].checks[0]->check_id, "dns.ptr");
	ck_assert_str_eq(r->nodes[2].checks[1]->check_id, "dns.a.outside");

	ck_assert_uint_eq(r->ndomains, 2);
	ck_assert_str_eq(r->domains[0].name, "example.com");
	ck_assert_str_eq(r->domains[1].name, "example.net");
	ck_assert_uint_eq(r->domains[0].nroles, 0);

	ck_assert_str_eq(r->mode, "check");
	ck_assert_str_eq(r->vantage, "mon1.example.com");
	ck_assert(r->started_at == T0);
	ck_assert_double_eq(r->duration_ms, 312.4);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_build_worst)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);

	ck_assert_int_eq(r->nodes[0].status, MR_WARN); /* pass + warn */
	ck_assert_int_eq(r->nodes[1].status, MR_PASS); /* skip + pass */
	ck_assert_int_eq(r->nodes[2].status, MR_FAIL); /* fail + unknown */
	ck_assert_int_eq(r->nodes[3].status, MR_PASS);
	ck_assert_int_eq(r->domains[0].status, MR_FAIL);
	ck_assert_int_eq(r->domains[1].status, MR_PASS);
	ck_assert_int_eq(r->status, MR_FAIL);

	ck_assert_uint_eq(r->nodes[2].counts[MR_FAIL], 1);
	ck_assert_uint_eq(r->nodes[2].counts[MR_UNKNOWN], 1);
	ck_assert_uint_eq(r->nodes[2].counts[MR_PASS], 0);
	ck_assert_uint_eq(r->nodes[1].counts[MR_SKIP], 1);
	ck_assert_uint_eq(r->nodes[1].counts[MR_PASS], 1);

	ck_assert_uint_eq(r->counts[MR_FAIL], 2);
	ck_assert_uint_eq(r->counts[MR_WARN], 1);
	ck_assert_uint_eq(r->counts[MR_UNKNOWN], 1);
	ck_assert_uint_eq(r->counts[MR_PASS], 4);
	ck_assert_uint_eq(r->counts[MR_SKIP], 1);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_build_worst_each_pair)
{
	/* Every pair of statuses on one node and one domain. */
	for (int a = 0; a < MR_STATUS_COUNT; a++) {
		for (int b = 0; b < MR_STATUS_COUNT; b++) {
			struct mr_result_list l = {0};
			add(&l, "x.a", "n.example.com", NULL, "t", a, "", 0);
			add(&l, "x.b", "n.example.com", NULL, "t", b, "", 0);
			add(&l, "d.a", NULL, "example.com", "t", b, "", 0);
			add(&l, "d.b", NULL, "example.com", "t", a, "", 0);
			struct report *r =
				report_build(NULL, &l, "check", NULL, T0, 0);
			enum mr_status w = a > b ? a : b;
			ck_assert_int_eq(r->nodes[0].status, w);
			ck_assert_int_eq(r->domains[0].status, w);
			ck_assert_int_eq(r->status, w);
			report_free(r);
			mr_result_list_clear(&l);
		}
	}
}
END_TEST

START_TEST(test_build_empty)
{
	struct mr_result_list l = {0};
	struct report *r = report_build(&fx_cfg, &l, "check", NULL, T0, 1);

	/* nothing was checked: that proves nothing */
	ck_assert_int_eq(r->status, MR_UNKNOWN);
	ck_assert_uint_eq(r->nnodes, 0);
	ck_assert_uint_eq(r->ndomains, 0);
	ck_assert_ptr_null(r->vantage);
	char *s = report_summary(r);
	ck_assert_str_eq(s, "no checks were run");
	free(s);
	report_free(r);

	r = report_build(NULL, NULL, "report", NULL, T0, 0);
	ck_assert_int_eq(r->status, MR_UNKNOWN);
	report_free(r);
}
END_TEST

START_TEST(test_build_all_skip)
{
	struct mr_result_list l = {0};
	add(&l, "host.fqdn", "a.example.com", NULL, "a", MR_SKIP, "", 0);
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);

	ck_assert_int_eq(r->status, MR_SKIP);
	ck_assert_int_eq(mr_status_exit_code(r->status), 0);
	char *s = report_summary(r);
	ck_assert_str_eq(s, "1 node: nothing checked, 1 check skipped");
	free(s);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_build_no_config)
{
	struct mr_result_list l = {0};
	add(&l, "dns.ptr", "b.example.com", NULL, "t", MR_PASS, "", 0);
	add(&l, "dns.mx", NULL, "z.example", "t", MR_PASS, "", 0);
	add(&l, "dns.ptr", "a.example.com", NULL, "t", MR_PASS, "", 0);
	add(&l, "dns.mx", NULL, "a.example", "t", MR_PASS, "", 0);
	add(&l, "dns.a.inside", "b.example.com", NULL, "t", MR_PASS, "", 0);
	struct report *r = report_build(NULL, &l, "report", NULL, T0, 0);

	/* order of first appearance, no roles */
	ck_assert_uint_eq(r->nnodes, 2);
	ck_assert_str_eq(r->nodes[0].name, "b.example.com");
	ck_assert_str_eq(r->nodes[1].name, "a.example.com");
	ck_assert_uint_eq(r->nodes[0].nchecks, 2);
	ck_assert_uint_eq(r->nodes[0].nroles, 0);
	ck_assert_ptr_null(r->nodes[0].roles);
	ck_assert_uint_eq(r->ndomains, 2);
	ck_assert_str_eq(r->domains[0].name, "z.example");
	ck_assert_str_eq(r->domains[1].name, "a.example");
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_build_names_fold)
{
	struct mr_result_list l = {0};
	add(&l, "dns.ptr", "MTA1.Example.COM.", NULL, "t", MR_FAIL, "", 0);
	add(&l, "dns.mx", NULL, "Example.NET", "t", MR_PASS, "", 0);
	add(&l, "dns.mx", NULL, "other.example", "t", MR_PASS, "", 0);
	add(&l, "dns.a.inside", "mta1.example.com", NULL, "t", MR_PASS, "", 0);
	struct report *r = report_build(&fx_cfg, &l, "check", NULL, T0, 0);

	/* DNS names match without case or trailing dot; config spelling */
	ck_assert_uint_eq(r->nnodes, 1);
	ck_assert_str_eq(r->nodes[0].name, "mta1.example.com");
	ck_assert_uint_eq(r->nodes[0].nchecks, 2);
	ck_assert_str_eq(r->nodes[0].roles[0], "mta");
	ck_assert_uint_eq(r->ndomains, 2);
	ck_assert_str_eq(r->domains[0].name, "example.net");
	ck_assert_str_eq(r->domains[1].name, "other.example");
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_build_many)
{
	/* enough results to make the arrays grow several times */
	struct mr_result_list l = {0};
	char node[32];

	for (int i = 0; i < 500; i++) {
		snprintf(node, sizeof(node), "n%d.example.com", i % 37);
		add(&l, "net.port.smtp", node, NULL, "t",
		    i == 321 ? MR_FAIL : MR_PASS, "", 0);
	}
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);
	size_t total = 0;

	ck_assert_uint_eq(r->nnodes, 37);
	for (size_t i = 0; i < r->nnodes; i++) {
		total += r->nodes[i].nchecks;
		ck_assert_int_eq(r->nodes[i].status,
		                 i == 321 % 37 ? MR_FAIL : MR_PASS);
	}
	ck_assert_uint_eq(total, 500);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

/*
 * Summary line
 */

START_TEST(test_summary_all_pass)
{
	struct mr_result_list l = {0};
	char node[32];

	for (int i = 0; i < 73; i++) {
		snprintf(node, sizeof(node), "n%d.example.com", i % 5);
		if (i >= 70)
			add(&l, "dns.mx", NULL,
			    i % 2 ? "a.example" : "b.example", "t", MR_PASS, "",
			    0);
		else
			add(&l, "dns.ptr", node, NULL, "t", MR_PASS, "", 0);
	}
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);
	char *s = report_summary(r);
	ck_assert_str_eq(s, "5 nodes and 2 domains: all 73 checks pass");
	free(s);
	report_free(r);

	add(&l, "host.fqdn", "n0.example.com", NULL, "t", MR_SKIP, "", 0);
	r = report_build(NULL, &l, "check", NULL, T0, 0);
	s = report_summary(r);
	ck_assert_str_eq(s, "5 nodes and 2 domains: all 73 checks pass, "
	                    "1 skipped");
	free(s);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_summary_failures)
{
	struct mr_result_list l = {0};
	static char *r1[] = {"mta"};
	static struct mr_node n[] = {
		{.name = "mta1.example.com", .roles = r1, .nroles = 1},
		{.name = "mta2.example.com", .roles = r1, .nroles = 1},
		{.name = "proxy1.example.com"},
		{.name = "mbox1.example.com"},
		{.name = "mbox2.example.com"},
	};
	static char *d[] = {"example.com", "example.net"};
	struct mr_config cfg = {
		.nodes = n, .nnodes = 5, .domains = d, .ndomains = 2};

	add(&l, "dns.ptr", "proxy1.example.com", NULL, "a", MR_FAIL, "", 0);
	add(&l, "dns.a.outside", "proxy1.example.com", NULL, "", MR_FAIL, "",
	    0);
	/* a second dns.ptr failure (second address) is named once */
	add(&l, "dns.ptr", "proxy1.example.com", NULL, "b", MR_FAIL, "", 0);
	add(&l, "mail.smtp", "mta1.example.com", NULL, "t", MR_WARN, "", 0);
	add(&l, "dns.ptr", "mta2.example.com", NULL, "t", MR_FAIL, "", 0);
	add(&l, "mail.imap", "mbox1.example.com", NULL, "t", MR_PASS, "", 0);
	add(&l, "mail.imap", "mbox2.example.com", NULL, "t", MR_PASS, "", 0);
	add(&l, "dns.mx", NULL, "example.com", "t", MR_PASS, "", 0);
	add(&l, "dns.mx", NULL, "example.net", "t", MR_UNKNOWN, "", 0);
	struct report *r = report_build(&cfg, &l, "check", NULL, T0, 0);
	char *s = report_summary(r);

	/* groups counted; which checks fail is for the renderers */
	ck_assert_str_eq(s, "2 of 5 nodes failing, 1 warning; 1 of 2 domains "
	                    "unknown");
	free(s);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_summary_short)
{
	struct mr_result_list l = {0};
	char node[32], id[32];

	/* however many groups and checks fail, the counts stay short */
	for (int i = 0; i < 7; i++) {
		snprintf(node, sizeof(node), "n%d.example.com", i);
		add(&l, "dns.ptr", node, NULL, "t", MR_FAIL, "", 0);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		add(&l, id, "n0.example.com", NULL, "t", MR_FAIL, "", 0);
	}
	add(&l, "mail.smtp", "w.example.com", NULL, "t", MR_WARN, "", 0);
	add(&l, "mail.smtp", "w2.example.com", NULL, "t", MR_WARN, "", 0);
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);
	char *s = report_summary(r);
	ck_assert_str_eq(s, "7 of 9 nodes failing, 2 warning");
	free(s);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

/* One and two read as they should ("all 1 check passes" no more). */
START_TEST(test_summary_grammar)
{
	struct mr_result_list l = {0};

	add(&l, "dns.ptr", "a.example.com", NULL, "t", MR_PASS, "", 0);
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);
	char *s = report_summary(r);
	ck_assert_str_eq(s, "1 node: the check passes");
	free(s);
	report_free(r);

	add(&l, "dns.mx", NULL, "a.example", "t", MR_PASS, "", 0);
	r = report_build(NULL, &l, "check", NULL, T0, 0);
	s = report_summary(r);
	ck_assert_str_eq(s, "1 node and 1 domain: both checks pass");
	free(s);
	char *c = report_check_counts(r);
	ck_assert_str_eq(c, "(2 pass)");
	free(c);
	report_free(r);

	add(&l, "dns.auth", NULL, "a.example", "t", MR_FAIL, "", 0);
	r = report_build(NULL, &l, "check", NULL, T0, 0);
	s = report_summary(r);
	ck_assert_str_eq(s, "the node passes; 1 of 1 domain failing");
	free(s);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

/*
 * Escaping
 */

static void
assert_escape(const char *in, bool pipe, const char *want)
{
	char *got = report_escape(in, pipe);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_escape_controls)
{
	assert_escape("plain text", false, "plain text");
	assert_escape("", false, "");
	assert_escape(NULL, false, "");
	assert_escape("a\nb", false, "a\\nb");
	assert_escape("a\rb", false, "a\\rb");
	assert_escape("a\tb", false, "a\\tb");
	assert_escape("a\\b", false, "a\\\\b");
	assert_escape("\x01\x1f", false, "\\x01\\x1f");
	assert_escape("del\x7f", false, "del\\x7f");
	assert_escape("\x1b[31mred\x1b[0m", false, "\\x1b[31mred\\x1b[0m");
	assert_escape("\x1b]0;title\x07", false, "\\x1b]0;title\\x07");
	assert_escape("220 mx ESMTP\r\n", false, "220 mx ESMTP\\r\\n");
}
END_TEST

START_TEST(test_escape_utf8)
{
	/* valid multibyte UTF-8 is kept */
	assert_escape("b\xc3\xbc\x63her.example", false,
	              "b\xc3\xbc\x63her.example");
	assert_escape("\xe2\x82\xac 5", false, "\xe2\x82\xac 5");
	assert_escape("\xf0\x9f\x93\xa7", false, "\xf0\x9f\x93\xa7");
	/* C1 controls: the CSI U+009B, NEL U+0085 */
	assert_escape("\xc2\x9b"
	              "2J",
	              false,
	              "\\xc2\\x9b"
	              "2J");
	assert_escape("a\xc2\x85z", false, "a\\xc2\\x85z");
	assert_escape("\xc2\xa0", false, "\xc2\xa0"); /* U+00A0 is fine */
	/* line separator and a bidi override */
	assert_escape("\xe2\x80\xa8", false, "\\xe2\\x80\\xa8");
	assert_escape("\xe2\x80\xae", false, "\\xe2\\x80\\xae");
}
END_TEST

START_TEST(test_escape_invalid_utf8)
{
	assert_escape("\xff", false, "\\xff");
	assert_escape("a\x80z", false, "a\\x80z");
	/* truncated sequence, then ASCII */
	assert_escape("\xe2\x82z", false, "\\xe2\\x82z");
	assert_escape("end\xc3", false, "end\\xc3");
	/* overlong '/', a surrogate, above U+10FFFF */
	assert_escape("\xc0\xaf", false, "\\xc0\\xaf");
	assert_escape("\xed\xa0\x80", false, "\\xed\\xa0\\x80");
	assert_escape("\xf4\x90\x80\x80", false, "\\xf4\\x90\\x80\\x80");
	assert_escape("\xe0\x80\xaf", false, "\\xe0\\x80\\xaf");
}
END_TEST

START_TEST(test_escape_pipe)
{
	assert_escape("a|b", false, "a|b");
	assert_escape("a|b", true, "a\\x7cb");
	assert_escape("x | 'y'=1\nOK", true, "x \\x7c 'y'=1\\nOK");
}
END_TEST

START_TEST(test_escape_every_byte)
{
	/* whatever comes in, what goes out is printable, one line, UTF-8 */
	char in[256];

	for (int i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	char *out = report_escape(in, true);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		ck_assert(*p >= 0x20 && *p < 0x7f);
		ck_assert(*p != '|');
	}
	json_t *j = json_string(out);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	free(out);
}
END_TEST

/*
 * Text
 */

static const char golden_text[] =
	"mailready check: 1 of 4 nodes failing, 1 warning; 1 of 2 domains "
	"failing\n"
	"\n"
	"mta1.example.com [mta] WARN\n"
	"  WARN      mail.smtp 203.0.113.10:25: certificate expires in 20 "
	"days; renew it\n"
	"  ok        1 check passes: dns.a.inside\n"
	"\n"
	"mbox1.example.com [mailstore] PASS\n"
	"  ok        1 check passes: net.port.imap\n"
	"  skip      host.fqdn: runs on the node itself\n"
	"\n"
	"proxy1.example.com [proxy, mta] FAIL\n"
	"  FAIL      dns.ptr 203.0.113.30: no PTR record for 203.0.113.30\n"
	"  UNKNOWN   dns.a.outside: no answer from 192.0.2.53 in 5 s\n"
	"\n"
	"ext1.example.org PASS: 1 check passes\n"
	"\n"
	"domains\n"
	"\n"
	"example.com FAIL\n"
	"  FAIL      dns.mx: MX target mx.example.com is a CNAME\n"
	"\n"
	"example.net PASS: 1 check passes\n"
	"\n"
	"CRITICAL: 1 of 4 nodes failing, 1 warning; 1 of 2 domains failing "
	"(2 fail, 1 warn, 1 unknown, 4 pass, 1 skip) in 312 ms\n";

START_TEST(test_text_golden)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);
	char *out = render(r, FMT_TEXT);

	ck_assert_str_eq(out, golden_text);
	ck_assert_ptr_null(strchr(out, '\033'));
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_text_color)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);
	char *out = render(r, FMT_TEXT_COLOR);

	ck_assert_ptr_nonnull(strstr(out, "\033[31mFAIL\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[33mWARN\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[35mUNKNOWN\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[32mok\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[2mskip\033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[31mCRITICAL\033[0m: "));
	/* padding after the colour codes keeps the column */
	ck_assert_ptr_nonnull(
		strstr(out, "  \033[32mok\033[0m        1 check passes"));
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_text_hostile)
{
	struct mr_result_list l = {0};
	add(&l, "mail.smtp", "mta1.example.com", NULL, "203.0.113.10:25",
	    MR_FAIL, "220 x\r\nFAIL fake line\x1b[2J\xff", 1);
	struct report *r = report_build(&fx_cfg, &l, "check", NULL, T0, 1);
	char *out = render(r, FMT_TEXT);

	ck_assert_ptr_nonnull(strstr(out, "220 x\\r\\nFAIL fake line"
	                                  "\\x1b[2J\\xff\n"));
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\r'));
	/* header, blank, node, check, blank, verdict */
	ck_assert_uint_eq(count_char(out, '\n'), 6);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_text_empty)
{
	struct report *r = report_build(NULL, NULL, "preflight", NULL, T0, 3);
	char *out = render(r, FMT_TEXT);

	ck_assert_str_eq(out, "mailready preflight: no checks were run\n\n"
	                      "UNKNOWN: no checks were run (no checks) in "
	                      "3 ms\n");
	free(out);
	report_free(r);
}
END_TEST

/* Identical problems of a node are one line; different ones are not. */
START_TEST(test_text_groups)
{
	struct mr_result_list l = {0};
	struct mr_result *r;
	const char *closed = "203.0.113.5 port 25 (smtp) is closed: "
			     "connection refused";

	r = add(&l, "net.port.smtp", "m.example", NULL, "203.0.113.5:25",
	        MR_FAIL, closed, 1);
	free(r->findings[0]->code);
	r->findings[0]->code = strdup("PORT_CLOSED");
	mr_finding_hint(r->findings[0], "start it");
	r = add(&l, "mail.smtp", "m.example", NULL, "203.0.113.5:25", MR_FAIL,
	        closed, 1);
	free(r->findings[0]->code);
	r->findings[0]->code = strdup("PORT_CLOSED");
	mr_finding_hint(r->findings[0], "start it");
	/* the same words on other targets: "N checks" */
	for (int port = 0; port < 3; port++) {
		char t[32];
		snprintf(t, sizeof(t), "[2001:db8::5]:%d", 25 + port);
		add(&l, port ? "net.port.smtps" : "net.port.smtp", "m.example",
		    NULL, t, MR_UNKNOWN,
		    "2001:db8::5 is outside allow_networks", 1);
	}
	struct mr_result *nn =
		mr_result_new("net.internet", "m.example", NULL, "m.example");
	struct mr_finding *f = mr_result_add(nn, "NOT_ON_NODE", MR_SKIP,
	                                     "runs only on the node itself");
	mr_finding_hint(f, "run mailready on m.example");
	mr_result_list_push(&l, nn);
	struct report *rep = report_build(NULL, &l, "check", NULL, T0, 1);
	char *out = render(rep, FMT_TEXT);

	ck_assert_ptr_nonnull(strstr(out, "  FAIL      net.port.smtp, "
	                                  "mail.smtp 203.0.113.5:25: "
	                                  "203.0.113.5 port 25 (smtp) is "
	                                  "closed: connection refused; start "
	                                  "it\n"));
	ck_assert_ptr_nonnull(strstr(out,
	                             "  UNKNOWN   3 checks (net.port.smtp, "
	                             "net.port.smtps): 2001:db8::5 is "
	                             "outside allow_networks\n"));
	/* an on-node check is said once for the report, not per node */
	ck_assert_ptr_null(strstr(out, "skip      net.internet: runs only"));
	ck_assert_ptr_nonnull(strstr(out, "  skip      net.internet runs only "
	                                  "on the node itself: not checked on "
	                                  "1 node; run mailready there (-v "
	                                  "lists them)\n"));
	free(out);
	report_free(rep);
	mr_result_list_clear(&l);
}
END_TEST

/* On a terminal, lines wrap at its width under their own text. */
START_TEST(test_text_wrap)
{
	struct mr_result_list l = {0};
	add(&l, "dns.ptr", "m.example", NULL, "m.example", MR_FAIL,
	    "no PTR for 203.0.113.5 (NXDOMAIN from 203.0.113.53); have the "
	    "owner of the address publish 5.113.0.203.in-addr.arpa PTR "
	    "m.example",
	    1);
	struct report *rep = report_build(NULL, &l, "check", NULL, T0, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct text_opts o = {.width = 60};
	ck_assert_int_eq(report_render_text(rep, &o, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "  FAIL      dns.ptr: no PTR for "
	                                  "203.0.113.5 (NXDOMAIN from\n"
	                                  "            203.0.113.53); have the "
	                                  "owner of the address\n"));
	for (char *line = buf; *line;) {
		size_t n = strcspn(line, "\n");
		ck_assert_msg(n <= 60 || memchr(line, ' ', n) == NULL,
		              "line longer than 60: %.*s", (int)n, line);
		line += n + (line[n] != '\0');
	}
	free(buf);
	report_free(rep);
	mr_result_list_clear(&l);
}
END_TEST

/* Preflight: an unknown is not ready; accepted findings are shown. */
START_TEST(test_preflight_ready)
{
	struct mr_result_list l = {0};
	add(&l, "dns.ptr", "a.example", NULL, "a.example", MR_PASS, "ok", 1);
	add(&l, "dns.ptr", "b.example", NULL, "b.example", MR_WARN, "meh", 1);
	add(&l, "dns.ptr", "c.example", NULL, "c.example", MR_UNKNOWN,
	    "not checked: timeout", 1);
	add(&l, "dns.ptr", "d.example", NULL, "d.example", MR_FAIL, "no PTR",
	    1);
	struct mr_result *r = add(&l, "dns.a.outside", "a.example", NULL,
	                          "a.example", MR_PASS, "PTR is x", 1);
	r->findings[0]->found = MR_FAIL;
	r->findings[0]->accepted_until = strdup("2027-03-01");
	r->findings[0]->accept_reason = strdup("provider");
	struct report *rep = report_build(NULL, &l, "preflight", NULL, T0, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct text_opts o = {0};
	ck_assert_int_eq(report_render_preflight(rep, &o, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "a.example: READY\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  accepted  dns.a.outside: PTR is "
	                                  "x (accepted until 2027-03-01: "
	                                  "provider)\n"));
	ck_assert_ptr_nonnull(strstr(buf, "b.example: READY WITH WARNINGS"));
	ck_assert_ptr_nonnull(strstr(buf, "c.example: NOT CHECKED FULLY"));
	ck_assert_ptr_nonnull(strstr(buf, "  unknown   dns.ptr: not checked: "
	                                  "timeout\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	                             "d.example: NOT READY (1 to look "
	                             "at)\n  fix       dns.ptr: no PTR\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n2 of 4 nodes ready to install; 1 "
	                                  "not ready; 1 not checked fully"));
	free(buf);
	report_free(rep);
	mr_result_list_clear(&l);
}
END_TEST

/* What a text renderer writes for rep, with no colour nor wrapping. */
static char *
render_with(int (*fn)(const struct report *, const struct text_opts *, FILE *),
            const struct report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct text_opts o = {0};

	ck_assert_int_eq(fn(rep, &o, f), 0);
	fclose(f);
	return buf;
}

/*
 * Preflight on a host that is no node of the file: the notes come first,
 * and no install verdict, though the checks run from here passed.
 */
START_TEST(test_preflight_off_node)
{
	struct mr_result_list l = {0};
	add(&l, "dns.ptr", "a.example", NULL, "a.example", MR_PASS, "ok", 1);
	struct report *rep = report_build(NULL, &l, "preflight", NULL, T0, 1);
	report_add_note(rep, "NOT ON A NODE: this host (x) is no node of %s",
	                "c.conf");
	rep->off_node = true;
	char *buf = render_with(report_render_preflight, rep);
	ck_assert_str_eq(buf, "mailready preflight: 1 node: the check passes\n"
	                      "NOT ON A NODE: this host (x) is no node of "
	                      "c.conf\n"
	                      "\n"
	                      "a.example: READY (1 check passes)\n"
	                      "\n"
	                      "\n"
	                      "no install verdict: this run is on no node of "
	                      "the cluster file; run preflight on each node\n");
	free(buf);
	/* The text layout and JSON carry the notes too. */
	buf = render_with(report_render_text, rep);
	ck_assert_ptr_nonnull(strstr(buf, "mailready preflight: 1 node: the "
	                                  "check passes\nNOT ON A NODE: this "
	                                  "host (x) is no node of c.conf\n\n"));
	free(buf);
	size_t len = 0;
	buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(report_render_json(rep, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"notes\": [\n    \"NOT ON A NODE: "
	                                  "this host (x) is no node of "
	                                  "c.conf\"\n  ],"));
	free(buf);
	report_free(rep);
	mr_result_list_clear(&l);
}
END_TEST

/*
 * JSON
 */

static json_t *
parse_json(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (j == NULL)
		ck_abort_msg("bad JSON at line %d: %s", err.line, err.text);
	return j;
}

/* The member names of an object, in document order, joined by ','. */
static void
assert_keys(json_t *obj, const char *want)
{
	char got[512] = "";
	const char *key;
	json_t *v;

	ck_assert(json_is_object(obj));
	json_object_foreach(obj, key, v)
	{
		if (got[0] != '\0')
			strcat(got, ",");
		strcat(got, key);
	}
	ck_assert_str_eq(got, want);
}

static const char *
jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static json_int_t
jint(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

START_TEST(test_json_schema)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);
	char *out = render(r, FMT_JSON);
	size_t len = strlen(out);

	/* pretty-printed, indent 2, one trailing newline */
	ck_assert(len > 2 && out[len - 1] == '\n' && out[len - 2] == '}');
	ck_assert(strncmp(out, "{\n  \"schema\": \"mailready/2\",\n", 29) == 0);

	/* JSON_PRESERVE_ORDER is the default when loading since 2.8 */
	json_t *j = parse_json(out);
	assert_keys(j, "schema,tool,mode,vantage,started_at,duration_ms,"
	               "status,summary,nodes,domains");
	ck_assert_str_eq(jstr(j, "schema"), "mailready/2");
	json_t *tool = json_object_get(j, "tool");
	assert_keys(tool, "name,version");
	ck_assert_str_eq(jstr(tool, "name"), "mailready");
	ck_assert_str_eq(jstr(tool, "version"), MAILREADY_VERSION);
	ck_assert_str_eq(jstr(j, "mode"), "check");
	ck_assert_str_eq(jstr(j, "vantage"), "mon1.example.com");
	ck_assert_str_eq(jstr(j, "started_at"), "2026-11-28T19:00:00Z");
	ck_assert_double_eq_tol(
		json_number_value(json_object_get(j, "duration_ms")), 312.4,
		1e-9);
	ck_assert_str_eq(jstr(j, "status"), "fail");

	json_t *sum = json_object_get(j, "summary");
	assert_keys(sum, "text,nodes,domains,checks");
	char *text = report_summary(r);
	ck_assert_str_eq(jstr(sum, "text"), text);
	free(text);
	ck_assert_int_eq(jint(sum, "nodes"), 4);
	ck_assert_int_eq(jint(sum, "domains"), 2);
	json_t *counts = json_object_get(sum, "checks");
	assert_keys(counts, "pass,warn,fail,unknown,skip");
	ck_assert_int_eq(jint(counts, "pass"), 4);
	ck_assert_int_eq(jint(counts, "warn"), 1);
	ck_assert_int_eq(jint(counts, "fail"), 2);
	ck_assert_int_eq(jint(counts, "unknown"), 1);
	ck_assert_int_eq(jint(counts, "skip"), 1);

	json_decref(j);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_json_groups)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);
	char *out = render(r, FMT_JSON);
	json_t *j = parse_json(out);

	json_t *nodes = json_object_get(j, "nodes");
	ck_assert_uint_eq(json_array_size(nodes), 4);
	json_t *mta = json_array_get(nodes, 0);
	assert_keys(mta, "name,roles,status,checks");
	ck_assert_str_eq(jstr(mta, "name"), "mta1.example.com");
	ck_assert_str_eq(jstr(mta, "status"), "warn");
	json_t *roles = json_object_get(mta, "roles");
	ck_assert_uint_eq(json_array_size(roles), 1);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "mta");
	ck_assert_uint_eq(json_array_size(json_object_get(
				  json_array_get(nodes, 3), "roles")),
	                  0);
	ck_assert_str_eq(jstr(json_array_get(nodes, 2), "status"), "fail");

	json_t *checks = json_object_get(mta, "checks");
	ck_assert_uint_eq(json_array_size(checks), 2);
	json_t *smtp = json_array_get(checks, 1);
	assert_keys(smtp, "id,target,status,message,duration_ms,metrics,"
	                  "findings");
	ck_assert_str_eq(jstr(smtp, "id"), "mail.smtp");
	ck_assert_str_eq(jstr(smtp, "target"), "203.0.113.10:25");
	ck_assert_str_eq(jstr(smtp, "status"), "warn");
	ck_assert_str_eq(jstr(smtp, "message"),
	                 "certificate expires in 20 days");
	ck_assert_double_eq_tol(
		json_number_value(json_object_get(smtp, "duration_ms")), 88.5,
		1e-9);
	json_t *m = json_object_get(smtp, "metrics");
	assert_keys(m, "cert_days_left,handshake_ms");
	ck_assert_double_eq(json_number_value(json_object_get(m, "cert_days_"
	                                                         "left")),
	                    20);
	ck_assert_double_eq(
		json_number_value(json_object_get(m, "handshake_ms")), 41.5);
	json_t *fs = json_object_get(smtp, "findings");
	ck_assert_uint_eq(json_array_size(fs), 1);
	json_t *f0 = json_array_get(fs, 0);
	assert_keys(f0, "code,severity,message,hint,data");
	ck_assert_str_eq(jstr(f0, "code"), "FOUND");
	ck_assert_str_eq(jstr(f0, "severity"), "warn");
	ck_assert_str_eq(jstr(f0, "message"), "certificate expires in 20 days");
	ck_assert_str_eq(jstr(f0, "hint"), "renew it");
	ck_assert(json_is_object(json_object_get(f0, "data")));

	json_t *domains = json_object_get(j, "domains");
	ck_assert_uint_eq(json_array_size(domains), 2);
	json_t *d0 = json_array_get(domains, 0);
	assert_keys(d0, "name,status,checks");
	ck_assert_str_eq(jstr(d0, "name"), "example.com");
	ck_assert_str_eq(jstr(d0, "status"), "fail");
	json_t *mx = json_array_get(json_object_get(d0, "checks"), 0);
	ck_assert_str_eq(jstr(mx, "id"), "dns.mx");
	ck_assert_str_eq(jstr(mx, "status"), "fail");

	json_decref(j);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_json_hostile)
{
	struct mr_result_list l = {0};
	const char *evil = "220 \"x\"}\r\n],\\ \x1b[2J \xe2\x82\xac";
	struct mr_result *res;

	add(&l, "mail.smtp", "mta1.example.com", NULL, "t", MR_FAIL, evil, 1);
	res = add(&l, "mail.imap", "mta1.example.com", NULL, NULL, MR_FAIL,
	          "bad \xff\xfe byte\n", 1);
	res->vantage = strdup("outside-1");
	mr_result_add_metric(res, "nan", NAN, "");
	struct report *r = report_build(NULL, &l, "report", NULL, T0, 1);
	char *out = render(r, FMT_JSON);
	json_t *j = parse_json(out);

	ck_assert(json_is_null(json_object_get(j, "vantage")));
	json_t *checks = json_object_get(
		json_array_get(json_object_get(j, "nodes"), 0), "checks");
	/* valid UTF-8 round-trips, its control characters written out: a
	   script printing the message must not have its terminal cleared */
	ck_assert_str_eq(jstr(json_array_get(checks, 0), "message"),
	                 "220 \"x\"}\\r\\n],\\ \\x1b[2J \xe2\x82\xac");
	ck_assert_ptr_null(
		json_object_get(json_array_get(checks, 0), "vantage"));
	/* invalid UTF-8 is escaped, not allowed to break the document */
	json_t *c1 = json_array_get(checks, 1);
	ck_assert_str_eq(jstr(c1, "message"), "bad \\xff\\xfe byte\\n");
	ck_assert(json_is_null(json_object_get(c1, "target")));
	assert_keys(c1, "id,target,status,message,duration_ms,metrics,"
	                "findings,vantage");
	ck_assert_str_eq(jstr(c1, "vantage"), "outside-1");
	ck_assert(json_is_null(
		json_object_get(json_object_get(c1, "metrics"), "nan")));

	json_decref(j);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_json_empty)
{
	struct report *r = report_build(NULL, NULL, "check", NULL, T0, 0);
	char *out = render(r, FMT_JSON);
	json_t *j = parse_json(out);

	ck_assert_str_eq(jstr(j, "status"), "unknown");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "nodes")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "domains")), 0);
	json_decref(j);
	free(out);
	report_free(r);
}
END_TEST

/*
 * Nagios
 */

static const char golden_nagios[] =
	"MAILREADY CRITICAL - 4 checks not OK (2 critical, 1 warning, 1 "
	"unknown) on 2 of 4 nodes and 1 of 2 domains; worst: "
	"proxy1.example.com dns.ptr 203.0.113.30: no PTR record for "
	"203.0.113.30 | 'time'=0.312s;;;0 'checks_fail'=2;;;0;9 "
	"'checks_warn'=1;;;0;9 'checks_unknown'=1;;;0;9 "
	"'checks_pass'=4;;;0;9 'checks_skip'=1;;;0;9 "
	"'mta1.example.com mail.smtp time'=U;;;0; "
	"'mta1.example.com mail.smtp cert_days'=20;30:;7:;0; "
	"'mbox1.example.com net.port.imap time'=U;;;0; "
	"'ext1.example.org net.port.smtp time'=U;;;0;\n"
	"[CRITICAL] proxy1.example.com dns.ptr 203.0.113.30: no PTR record "
	"for 203.0.113.30\n"
	"[CRITICAL] example.com dns.mx: MX target mx.example.com is a "
	"CNAME\n"
	"[WARNING] mta1.example.com mail.smtp 203.0.113.10:25: certificate "
	"expires in 20 days; renew it\n"
	"[UNKNOWN] proxy1.example.com dns.a.outside: no answer from "
	"192.0.2.53 in 5 s\n"
	"[OK] mta1.example.com: 1 check passes\n"
	"[OK] mbox1.example.com: 1 check passes, 1 skipped\n"
	"[OK] ext1.example.org: 1 check passes\n"
	"[OK] example.net: 1 check passes\n";

START_TEST(test_nagios_golden)
{
	struct mr_result_list l = {0};
	struct report *r = fx_report(&l);
	char *out = render(r, FMT_NAGIOS);

	ck_assert_str_eq(out, golden_nagios);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

/* The perfdata after the fixed counters, up to the end of line one. */
static char *
perf_after_counters(const char *out)
{
	const char *p = strstr(out, "'checks_skip'=");

	ck_assert_ptr_nonnull(p);
	p += strcspn(p, " \n");
	return strndup(p, strcspn(p, "\n"));
}

static struct mr_result *
with_metrics(struct mr_result_list *l, const char *id, const char *node,
             const char *target, enum mr_status st, double time, double days)
{
	struct mr_result *r = add(l, id, node, NULL, target, st, "x", 1);
	if (!isnan(time)) {
		struct mr_metric *m =
			mr_result_add_metric(r, "time", time, "s");
		mr_metric_set_thresholds(m, "2", "5");
	}
	if (!isnan(days)) {
		struct mr_metric *m =
			mr_result_add_metric(r, "cert_days_left", days, "d");
		mr_metric_set_thresholds(m, "30:", "7:");
	}
	return r;
}

static char *
nagios_perf(const struct mr_result_list *l, const struct mr_config *cfg)
{
	struct report *r = report_build(cfg, l, "check", NULL, T0, 1234);
	char *out = render(r, FMT_NAGIOS);
	char *perf = perf_after_counters(out);

	ck_assert_ptr_nonnull(strstr(out, " | 'time'=1.234s;;;0 "));
	free(out);
	report_free(r);
	return perf;
}

START_TEST(test_nagios_perfdata)
{
	struct mr_result_list l = {0};
	struct mr_config cfg = {.probe_timeout_s = 5};

	/* one node (a service per host): no node name in labels; a mail
	   check has its time and its certificate days, a port check its
	   time; max is the probe timeout; "d" is no Nagios UOM */
	with_metrics(&l, "mail.smtp", "a.example", "192.0.2.1:25", MR_PASS,
	             0.04213, 61);
	with_metrics(&l, "net.port.smtp", "a.example", "192.0.2.1:25", MR_PASS,
	             0.0012, NAN);
	add(&l, "dns.ptr", "a.example", NULL, "a.example", MR_PASS, "ok", 3);
	char *perf = nagios_perf(&l, &cfg);
	ck_assert_str_eq(perf, " 'mail.smtp time'=0.042s;2;5;0;5 "
	                       "'mail.smtp cert_days'=61;30:;7:;0; "
	                       "'net.port.smtp time'=0.001s;2;5;0;5");
	free(perf);
	mr_result_list_clear(&l);

	/* an expired certificate: negative days, so no min */
	with_metrics(&l, "mail.imaps", "a.example", "192.0.2.1:993", MR_FAIL,
	             0.5, -3);
	perf = nagios_perf(&l, &cfg);
	ck_assert_str_eq(perf, " 'mail.imaps time'=0.5s;2;5;0;5 "
	                       "'mail.imaps cert_days'=-3;30:;7:;;");
	free(perf);
	mr_result_list_clear(&l);
}
END_TEST

/* The label set is the plan's: a check that measured nothing this run
   keeps its labels, with "U" and the run's thresholds. */
START_TEST(test_nagios_labels_stable)
{
	struct mr_result_list a = {0}, b = {0};
	struct mr_config cfg = {.probe_timeout_s = 5};

	with_metrics(&a, "mail.smtp", "a.example", "192.0.2.1:25", MR_PASS,
	             0.04, 61);
	with_metrics(&a, "mail.smtp", "a.example", "198.51.100.1:25", MR_PASS,
	             0.05, 61);
	/* the second address stops answering: no time, no certificate */
	with_metrics(&b, "mail.smtp", "a.example", "192.0.2.1:25", MR_PASS,
	             0.04, 61);
	add(&b, "mail.smtp", "a.example", NULL, "198.51.100.1:25", MR_FAIL,
	    "closed", 1);
	struct report *r = report_build(&cfg, &b, "check", NULL, T0, 1234);
	r->time_thresholds[0] = "2";
	r->time_thresholds[1] = "5";
	r->cert_thresholds[0] = "30:";
	r->cert_thresholds[1] = "7:";
	char *out = render(r, FMT_NAGIOS);
	char *pb = perf_after_counters(out);
	char *pa = nagios_perf(&a, &cfg);
	ck_assert_str_eq(pa, " 'mail.smtp 192.0.2.1:25 time'=0.04s;2;5;0;5 "
	                     "'mail.smtp 192.0.2.1:25 cert_days'=61;30:;7:;0; "
	                     "'mail.smtp 198.51.100.1:25 time'=0.05s;2;5;0;5 "
	                     "'mail.smtp 198.51.100.1:25 cert_days'=61;30:;7:;"
	                     "0;");
	ck_assert_str_eq(pb, " 'mail.smtp 192.0.2.1:25 time'=0.04s;2;5;0;5 "
	                     "'mail.smtp 192.0.2.1:25 cert_days'=61;30:;7:;0; "
	                     "'mail.smtp 198.51.100.1:25 time'=U;2;5;0;5 "
	                     "'mail.smtp 198.51.100.1:25 cert_days'=U;30:;7:;"
	                     "0;");
	free(pa);
	free(pb);
	free(out);
	report_free(r);
	mr_result_list_clear(&a);
	mr_result_list_clear(&b);
}
END_TEST

START_TEST(test_nagios_labels)
{
	struct mr_result_list l = {0};

	/* several nodes: the node leads; ' and = are not allowed inside a
	   label; | and newline escaped */
	with_metrics(&l, "net.port.smtp", "it's=me|\n.example", "t", MR_PASS, 1,
	             NAN);
	with_metrics(&l, "net.port.smtp", "b.example", "t", MR_PASS, 2, NAN);
	char *perf = nagios_perf(&l, NULL);
	ck_assert_str_eq(perf, " 'it_s_me\\x7c\\n.example net.port.smtp "
	                       "time'=1s;2;5;0; 'b.example net.port.smtp "
	                       "time'=2s;2;5;0;");
	free(perf);
	mr_result_list_clear(&l);
}
END_TEST

/* A cluster too big for per-check labels gets one time and one
   certificate label per node, the slowest and the soonest; one too big
   even for that, the totals only. */
START_TEST(test_nagios_perf_per_node)
{
	struct mr_result_list l = {0};
	char node[64];

	for (int n = 0; n < 25; n++) {
		snprintf(node, sizeof(node), "mta%02d.example.com", n);
		with_metrics(&l, "mail.smtp", node, "192.0.2.1:25", MR_PASS,
		             0.25, 60 + n);
		with_metrics(&l, "mail.submission", node, "192.0.2.1:587",
		             MR_PASS, 0.5, 50 + n);
		with_metrics(&l, "net.port.smtp", node, "192.0.2.1:25", MR_PASS,
		             0.1, NAN);
	}
	char *perf = nagios_perf(&l, NULL);
	ck_assert(strncmp(perf,
	                  " 'mta00.example.com time'=0.5s;2;5;0; "
	                  "'mta00.example.com cert_days'=50;30:;7:;0; "
	                  "'mta01.example.com time'",
	                  strlen(" 'mta00.example.com time'=0.5s;2;5;0; "
	                         "'mta00.example.com cert_days'=50;30:;7:;"
	                         "0; 'mta01.example.com time'")) == 0);
	ck_assert_ptr_null(strstr(perf, "mail.smtp"));
	free(perf);
	for (int n = 25; n < 100; n++) {
		snprintf(node, sizeof(node), "mta%02d.example.com", n);
		with_metrics(&l, "mail.smtp", node, "192.0.2.1:25", MR_PASS,
		             0.25, 60 + n);
	}
	perf = nagios_perf(&l, NULL);
	ck_assert_str_eq(perf, "");
	free(perf);
	mr_result_list_clear(&l);
}
END_TEST

/* Nagios 4 keeps 8 KiB of a plugin's output: the problems come first
   and a last line says how many lines were left out. */
START_TEST(test_nagios_budget)
{
	struct mr_result_list l = {0};
	char node[64], msg[200];

	for (int n = 0; n < 200; n++) {
		snprintf(node, sizeof(node), "node%03d.example.com", n);
		snprintf(msg, sizeof(msg),
		         "no PTR for 192.0.2.%d (NXDOMAIN from 192.0.2.53)", n);
		add(&l, "dns.ptr", node, NULL, node,
		    n % 10 == 0 ? MR_FAIL : MR_PASS, msg, 1);
		add(&l, "dns.a.inside", node, NULL, node, MR_PASS, "ok", 1);
	}
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 1);
	char *out = render(r, FMT_NAGIOS);
	ck_assert_uint_le(strlen(out), 8000);
	/* all 20 problems are there, before any OK line */
	const char *last_problem = NULL, *p = out;
	int problems = 0;
	while ((p = strstr(p, "\n[CRITICAL] ")) != NULL) {
		last_problem = p++;
		problems++;
	}
	ck_assert_int_eq(problems, 20);
	ck_assert(last_problem < strstr(out, "\n[OK] "));
	ck_assert_ptr_nonnull(strstr(out, "more lines left out to stay "
	                                  "within Nagios' 8 KiB"));
	/* the first line names the count and the worst */
	ck_assert(strncmp(out,
	                  "MAILREADY CRITICAL - 20 checks not OK (20 "
	                  "critical) on 20 of 200 nodes; worst: "
	                  "node000.example.com dns.ptr: no PTR for "
	                  "192.0.2.0",
	                  strlen("MAILREADY CRITICAL - 20 checks not OK (20 "
	                         "critical) on 20 of 200 nodes; worst: "
	                         "node000.example.com dns.ptr: no PTR for "
	                         "192.0.2.0")) == 0);
	ck_assert_uint_le(strstr(out, " | ") - out, 200);
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_nagios_hostile)
{
	struct mr_result_list l = {0};
	struct mr_result *res;

	res = add(&l, "mail.smtp", "mta1.example.com", NULL, "203.0.113.10:25",
	          MR_FAIL, "220 x | 'evil'=1\nMAILREADY OK - all fine\r\xff",
	          1);
	mr_result_add_metric(res, "connect_ms", 5, "ms");
	add(&l, "dns.ptr", "mta1.example.com", NULL, "a|b\nc", MR_PASS,
	    "ptr | x\n", 1);
	add(&l, "dns.mx", NULL, "ex|ample.com\n", "t", MR_WARN, "|", 1);
	struct report *r = report_build(NULL, &l, "check", NULL, T0, 1);
	char *out = render(r, FMT_NAGIOS);

	/* exactly one '|' (the perfdata separator); two problems, and a
	   line for what passed */
	ck_assert_uint_eq(count_char(out, '|'), 1);
	ck_assert_uint_eq(count_char(out, '\n'), 1 + 3);
	ck_assert_ptr_null(strchr(out, '\r'));
	ck_assert(strncmp(out, "MAILREADY CRITICAL - ", 21) == 0);
	ck_assert_ptr_nonnull(strstr(out, "\n[CRITICAL] mta1.example.com "
	                                  "mail.smtp 203.0.113.10:25: 220 x "
	                                  "\\x7c 'evil'=1\\nMAILREADY OK - all "
	                                  "fine\\r\\xff\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n[WARNING] ex\\x7cample.com\\n "
	                                  "dns.mx t: \\x7c\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n[OK] mta1.example.com: 1 check "
	                                  "passes\n"));
	free(out);
	report_free(r);
	mr_result_list_clear(&l);
}
END_TEST

START_TEST(test_nagios_states)
{
	static const struct {
		enum mr_status st;
		const char *head;
	} cases[] = {
		{MR_PASS, "MAILREADY OK - 1 node: the check passes | "},
		{MR_SKIP, "MAILREADY OK - 1 node: nothing checked, 1 check "
	                  "skipped | "},
		{MR_WARN, "MAILREADY WARNING - n.example c.d: found | "},
		{MR_UNKNOWN, "MAILREADY UNKNOWN - n.example c.d: found | "},
		{MR_FAIL, "MAILREADY CRITICAL - n.example c.d: found | "},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mr_result_list l = {0};
		add(&l, "c.d", "n.example", NULL, NULL, cases[i].st, "found",
		    0);
		struct report *r = report_build(NULL, &l, "check", NULL, T0, 0);
		char *out = render(r, FMT_NAGIOS);
		ck_assert_msg(
			strncmp(out, cases[i].head, strlen(cases[i].head)) == 0,
			"got: %s", out);
		/* no target: nothing dangling */
		if (cases[i].st > MR_PASS)
			ck_assert_ptr_nonnull(strstr(out, "] n.example c.d: "
			                                  "found\n"));
		free(out);
		report_free(r);
		mr_result_list_clear(&l);
	}

	struct report *r = report_build(NULL, NULL, "check", NULL, T0, 0);
	char *out = render(r, FMT_NAGIOS);
	ck_assert_str_eq(out, "MAILREADY UNKNOWN - no checks were run | "
	                      "'time'=0s;;;0 'checks_fail'=0;;;0;0 "
	                      "'checks_warn'=0;;;0;0 'checks_unknown'=0;;;0;0 "
	                      "'checks_pass'=0;;;0;0 'checks_skip'=0;;;0;0\n");
	free(out);
	report_free(r);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *agg = tcase_create("aggregate");
	TCase *sum = tcase_create("summary");
	TCase *esc = tcase_create("escape");
	TCase *text = tcase_create("text");
	TCase *json = tcase_create("json");
	TCase *nag = tcase_create("nagios");

	tcase_add_test(agg, test_build_order);
	tcase_add_test(agg, test_build_worst);
	tcase_add_test(agg, test_build_worst_each_pair);
	tcase_add_test(agg, test_build_empty);
	tcase_add_test(agg, test_build_all_skip);
	tcase_add_test(agg, test_build_no_config);
	tcase_add_test(agg, test_build_names_fold);
	tcase_add_test(agg, test_build_many);
	tcase_add_test(sum, test_summary_all_pass);
	tcase_add_test(sum, test_summary_failures);
	tcase_add_test(sum, test_summary_short);
	tcase_add_test(sum, test_summary_grammar);
	tcase_add_test(esc, test_escape_controls);
	tcase_add_test(esc, test_escape_utf8);
	tcase_add_test(esc, test_escape_invalid_utf8);
	tcase_add_test(esc, test_escape_pipe);
	tcase_add_test(esc, test_escape_every_byte);
	tcase_add_test(text, test_text_golden);
	tcase_add_test(text, test_text_color);
	tcase_add_test(text, test_text_hostile);
	tcase_add_test(text, test_text_empty);
	tcase_add_test(text, test_text_groups);
	tcase_add_test(text, test_text_wrap);
	tcase_add_test(text, test_preflight_ready);
	tcase_add_test(text, test_preflight_off_node);
	tcase_add_test(json, test_json_schema);
	tcase_add_test(json, test_json_groups);
	tcase_add_test(json, test_json_hostile);
	tcase_add_test(json, test_json_empty);
	tcase_add_test(nag, test_nagios_golden);
	tcase_add_test(nag, test_nagios_perfdata);
	tcase_add_test(nag, test_nagios_labels_stable);
	tcase_add_test(nag, test_nagios_labels);
	tcase_add_test(nag, test_nagios_perf_per_node);
	tcase_add_test(nag, test_nagios_budget);
	tcase_add_test(nag, test_nagios_hostile);
	tcase_add_test(nag, test_nagios_states);
	suite_add_tcase(s, agg);
	suite_add_tcase(s, sum);
	suite_add_tcase(s, esc);
	suite_add_tcase(s, text);
	suite_add_tcase(s, json);
	suite_add_tcase(s, nag);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
