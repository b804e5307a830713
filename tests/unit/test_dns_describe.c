/*
 * test_dns_describe.c -- failure descriptions are one short line per
 * cause: many servers not contacted say so once, mixed outcomes are
 * grouped and capped, identical causes give identical text. From built
 * replies (tally.h, reply.h), and end to end through dns_new/dns_lookup
 * with every server outside the policy, so that nothing is ever sent.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/tally.h"

/*
 * Nothing here may send a packet: this socket() (which c-ares calls too)
 * refuses, and counts how often it was asked.
 */
static int sockets_opened;

int
socket(int domain, int type, int protocol)
{
	sockets_opened++;
	errno = EACCES;
	return -1;
}

static const char blocked_why[] = "outside allow_networks (127.0.0.0/8)";

static char *
render(const struct dns_tally *t)
{
	struct strbuf b = STRBUF_INIT;
	tally_render(t, &b, TALLY_MAX_LEN);
	return strbuf_take(&b);
}

/* A failure reply as the query service makes them. */
static void
failure(struct dns_reply *r, enum dns_status st, const char *server,
        const char *detail, double rtt_ms)
{
	dns_reply_fail(r, st, server, "mta1.example.test",
	               detail ? strdup(detail) : NULL);
	r->rtt_ms = rtt_ms;
}

/* ------------------------------------------------------------------ */
/* Built replies */

START_TEST(many_blocked_one_line)
{
	struct dns_tally t = TALLY_INIT;
	char name[32];

	for (int i = 0; i < 26; i++) {
		snprintf(name, sizeof(name), "198.51.100.%d", i + 1);
		tally_add_blocked(&t, name, blocked_why);
	}
	ck_assert_uint_eq(tally_count(&t), 26);
	ck_assert_str_eq(tally_blocked_why(&t), blocked_why);
	char *s = render(&t);
	ck_assert_str_eq(s, "198.51.100.1, 198.51.100.2, 198.51.100.3 and 23 "
	                    "more are outside allow_networks (127.0.0.0/8); "
	                    "not contacted");
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(blocked_for_two_reasons_is_not_one)
{
	struct dns_tally t = TALLY_INIT;

	tally_add_blocked(&t, "198.51.100.1", blocked_why);
	tally_add_blocked(&t, "198.51.100.2",
	                  "outside MAILREADY_ALLOW_NETWORKS (127.0.0.0/8)");
	ck_assert_ptr_null(tally_blocked_why(&t));
	char *s = render(&t);
	ck_assert_str_eq(s, "198.51.100.1 is outside allow_networks "
	                    "(127.0.0.0/8); not contacted; 198.51.100.2 is "
	                    "outside MAILREADY_ALLOW_NETWORKS (127.0.0.0/8); "
	                    "not contacted");
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(mixed_grouped_in_order)
{
	struct dns_tally t = TALLY_INIT;
	struct dns_reply r;

	failure(&r, DNS_TIMEOUT, "127.0.0.21", "2 tries", 1501);
	tally_add_reply(&t, &r);
	dns_reply_clear(&r);
	failure(&r, DNS_REFUSED, "127.0.0.23", NULL, 3);
	tally_add_reply(&t, &r);
	dns_reply_clear(&r);
	failure(&r, DNS_TIMEOUT, "127.0.0.22", "2 tries", 1498);
	tally_add_reply(&t, &r);
	dns_reply_clear(&r);
	ck_assert_ptr_null(tally_blocked_why(&t));
	char *s = render(&t);
	ck_assert_str_eq(s, "no answer from 127.0.0.21, 127.0.0.22; REFUSED "
	                    "from 127.0.0.23");
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(mixed_capped)
{
	struct dns_tally t = TALLY_INIT;
	struct dns_reply r;
	char name[32];

	/* 5 silent, 2 refusing, 1 lame, 1 unreachable, 2 not contacted. */
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "127.0.0.%d", 21 + i);
		failure(&r, DNS_TIMEOUT, name, "1 try", 300 + i);
		tally_add_reply(&t, &r);
		dns_reply_clear(&r);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "127.0.0.%d", 31 + i);
		failure(&r, DNS_REFUSED, name, NULL, 1);
		tally_add_reply(&t, &r);
		dns_reply_clear(&r);
	}
	tally_add(&t, "lame or upward referral", "127.0.0.41", NULL);
	failure(&r, DNS_UNREACHABLE, "127.0.0.51", "connection refused", 0);
	tally_add_reply(&t, &r);
	dns_reply_clear(&r);
	tally_add_blocked(&t, "198.51.100.1", blocked_why);
	tally_add_blocked(&t, "198.51.100.2", blocked_why);
	char *s = render(&t);
	ck_assert_str_eq(s,
	                 "no answer from 127.0.0.21 and 4 more; REFUSED from "
	                 "127.0.0.31 and 1 more; lame or upward referral from "
	                 "127.0.0.41; unreachable from 127.0.0.51: connection "
	                 "refused; and 2 more");
	ck_assert_uint_lt(strlen(s), TALLY_MAX_LEN);
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(length_bounded_whatever_the_number)
{
	struct dns_tally t = TALLY_INIT;
	char name[64], tail[64];

	/* 300 servers, each failing its own way: still one short line. */
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "127.0.%d.%d", i / 250, i % 250);
		snprintf(tail, sizeof(tail), "error number %d", i);
		tally_add(&t, "unreachable", name, tail);
	}
	char *s = render(&t);
	ck_assert_msg(strlen(s) < TALLY_MAX_LEN, "%zu: %s", strlen(s), s);
	ck_assert_ptr_nonnull(strstr(s, "unreachable from 127.0.0.0: error "
	                                "number 0; "));
	const char *more = strrchr(s, ';');
	ck_assert_ptr_nonnull(more);
	unsigned long n = 0;
	ck_assert_int_eq(sscanf(more, "; and %lu more", &n), 1);
	/* Every server is either shown (one per group here) or counted. */
	size_t shown = 0;
	for (const char *p = s; (p = strstr(p, "unreachable from ")); p++)
		shown++;
	ck_assert_uint_eq(shown + n, 300);
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(long_text_is_cut)
{
	struct dns_tally t = TALLY_INIT;
	char text[600];

	memset(text, 0, sizeof(text));
	for (size_t i = 0; strlen(text) < 500; i++)
		strcat(text, "word ");
	tally_add_text(&t, text);
	char *s = render(&t);
	ck_assert_uint_lt(strlen(s), TALLY_MAX_LEN);
	ck_assert_str_eq(s + strlen(s) - 3, "...");
	free(s);
	tally_clear(&t);
}
END_TEST

START_TEST(identical_causes_identical_text)
{
	struct dns_tally a = TALLY_INIT, b = TALLY_INIT;
	struct dns_reply r1, r2;

	/* The same silent server, the same refusal, other timings. */
	failure(&r1, DNS_TIMEOUT, "127.0.0.21", "2 tries", 1501.2);
	failure(&r2, DNS_TIMEOUT, "127.0.0.21", "2 tries", 1733.9);
	char *d1 = dns_reply_describe(&r1), *d2 = dns_reply_describe(&r2);
	ck_assert_str_eq(d1, d2);
	ck_assert_str_eq(d1, "no answer from 127.0.0.21 (2 tries)");
	tally_add_reply(&a, &r1);
	tally_add_reply(&b, &r2);
	dns_reply_clear(&r1);
	dns_reply_clear(&r2);
	failure(&r1, DNS_REFUSED, "127.0.0.23", NULL, 1.0);
	failure(&r2, DNS_REFUSED, "127.0.0.23", NULL, 9.0);
	tally_add_reply(&a, &r1);
	tally_add_reply(&b, &r2);
	char *s1 = render(&a), *s2 = render(&b);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	free(d1);
	free(d2);
	dns_reply_clear(&r1);
	dns_reply_clear(&r2);
	tally_clear(&a);
	tally_clear(&b);
}
END_TEST

START_TEST(describe_blocked_and_summary)
{
	struct dns_reply r;

	failure(&r, DNS_BLOCKED, "198.51.100.53", blocked_why, 0);
	char *d = dns_reply_describe(&r);
	ck_assert_str_eq(d, "198.51.100.53 is outside allow_networks "
	                    "(127.0.0.0/8); not contacted");
	free(d);
	dns_reply_clear(&r);
	/* A reply without a server sums up several: its detail says it. */
	failure(&r, DNS_TIMEOUT, NULL, "no answer from 127.0.0.21, 127.0.0.22",
	        0);
	d = dns_reply_describe(&r);
	ck_assert_str_eq(d, "no answer from 127.0.0.21, 127.0.0.22");
	free(d);
	dns_reply_clear(&r);
}
END_TEST

START_TEST(policy_why)
{
	struct netpolicy np;
	struct mr_addr a;
	char err[256], buf[320];
	struct mr_config *c = mr_config_load_string(
		"t.conf", "[cluster]\nallow_networks = any\n", err,
		sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(
		netpolicy_init(&np, c, "127.0.0.0/8", err, sizeof(err)), 0);
	ck_assert_int_eq(mr_addr_parse("198.51.100.53", &a), 0);
	ck_assert_str_eq(tally_policy_why(&np, &a, buf, sizeof(buf)),
	                 "outside MAILREADY_ALLOW_NETWORKS (127.0.0.0/8)");
	/* The same words as netpolicy_explain, less the address. */
	char full[320];
	netpolicy_explain(&np, &a, full, sizeof(full));
	ck_assert_ptr_nonnull(strstr(full, buf));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* End to end: every server outside the policy, nothing sent */

struct got {
	bool done;
	enum dns_status status;
	char *desc;
};

static void
on_reply(void *arg, const struct dns_reply *r)
{
	struct got *g = arg;
	g->done = true;
	g->status = r->status;
	g->desc = dns_reply_describe(r);
}

static bool guard_fired;

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	guard_fired = true;
}

static bool
all_done(const struct got *got, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!got[i].done)
			return false;
	return true;
}

/*
 * Ask the outside view for each name (A, then MX) with the config text,
 * on a loop of its own; the replies land in got[].
 */
static void
ask_outside(const char *conf, const char *env, const char *const *names,
            size_t n, struct got *got)
{
	char err[512];
	struct netpolicy np;
	struct mr_config *c =
		mr_config_load_string("t.conf", conf, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(netpolicy_init(&np, c, env, err, sizeof(err)), 0);
	struct event_base *base = event_base_new();
	struct dns *d = dns_new(base, &np, c, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	sockets_opened = 0;
	for (size_t i = 0; i < n; i++) {
		memset(&got[i], 0, sizeof(got[i]));
		dns_lookup(d, DNS_VIEW_OUTSIDE, names[i],
		           i % 2 ? LDNS_RR_TYPE_MX : LDNS_RR_TYPE_A, on_reply,
		           &got[i]);
		/* Callbacks run from the loop, never from the call. */
		ck_assert(!got[i].done);
	}
	/* Turn the loop until every reply is in; a guard stops a hang. */
	struct timeval limit = {3, 0};
	struct event *guard = evtimer_new(base, on_guard, NULL);
	evtimer_add(guard, &limit);
	guard_fired = false;
	while (!all_done(got, n) && !guard_fired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(guard);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i].done, "no reply for %s", names[i]);
	ck_assert_int_eq(sockets_opened, 0);
	ck_assert_uint_eq(np.blocked, 0);
	dns_free(d);
	event_base_free(base);
	netpolicy_free(&np);
	mr_config_free(c);
}

static void
expect_all(struct got *got, size_t n, enum dns_status st, const char *text)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(got[i].status, st);
		ck_assert_str_eq(got[i].desc, text);
		ck_assert_uint_lt(strlen(got[i].desc), TALLY_MAX_LEN);
		free(got[i].desc);
	}
}

static const char *const names[] = {"mx.example.com", "example.com",
                                    "www.example.org", "example.org"};

START_TEST(iterate_builtin_roots_blocked)
{
	struct got got[4];

	ask_outside("[cluster]\noutside_resolvers = iterate\n"
	            "inside_resolvers = 127.0.0.10\n"
	            "allow_networks = 127.0.0.0/8\n",
	            NULL, names, 4, got);
	expect_all(got, 4, DNS_BLOCKED,
	           "each of the 13 root servers (26 addresses) is outside "
	           "allow_networks (127.0.0.0/8); not contacted");
}
END_TEST

START_TEST(iterate_roots_blocked_by_environment)
{
	struct got got[2];

	ask_outside("[cluster]\noutside_resolvers = iterate\n"
	            "inside_resolvers = 127.0.0.10\n",
	            "127.0.0.0/8", names, 2, got);
	expect_all(got, 2, DNS_BLOCKED,
	           "each of the 13 root servers (26 addresses) is outside "
	           "MAILREADY_ALLOW_NETWORKS (127.0.0.0/8); not contacted");
}
END_TEST

START_TEST(iterate_root_hints_file_blocked)
{
	char path[] = "/tmp/mr-roots.XXXXXX", conf[512];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	fputs(".            3600 IN NS   a.root.test.\n"
	      ".            3600 IN NS   b.root.test.\n"
	      ".            3600 IN NS   c.root.test.\n"
	      "a.root.test. 3600 IN A    198.51.100.1\n"
	      "a.root.test. 3600 IN AAAA 2001:db8::1\n"
	      "b.root.test. 3600 IN A    198.51.100.2\n"
	      "b.root.test. 3600 IN AAAA 2001:db8::2\n"
	      "c.root.test. 3600 IN A    198.51.100.3\n",
	      fp);
	fclose(fp);
	snprintf(conf, sizeof(conf),
	         "[cluster]\noutside_resolvers = iterate\nroot_hints = %s\n"
	         "inside_resolvers = 127.0.0.10\n"
	         "allow_networks = 127.0.0.0/8\n",
	         path);
	struct got got[2];
	ask_outside(conf, NULL, names, 2, got);
	unlink(path);
	expect_all(got, 2, DNS_BLOCKED,
	           "each of the 3 root servers (5 addresses) is outside "
	           "allow_networks (127.0.0.0/8); not contacted");
}
END_TEST

START_TEST(resolver_list_blocked)
{
	struct got got[2];

	ask_outside("[cluster]\noutside_resolvers = 198.51.100.53, "
	            "198.51.100.54, 198.51.100.55, 198.51.100.56\n"
	            "inside_resolvers = 127.0.0.10\n"
	            "allow_networks = 127.0.0.0/8\n",
	            NULL, names, 2, got);
	expect_all(got, 2, DNS_BLOCKED,
	           "each of the 4 resolvers (198.51.100.53, 198.51.100.54, "
	           "198.51.100.55 and 1 more) is outside allow_networks "
	           "(127.0.0.0/8); not contacted");
}
END_TEST

START_TEST(one_resolver_blocked)
{
	struct got got[1];

	ask_outside("[cluster]\noutside_resolvers = 198.51.100.53\n"
	            "inside_resolvers = 127.0.0.10\n"
	            "allow_networks = 127.0.0.0/8\n",
	            NULL, names, 1, got);
	expect_all(got, 1, DNS_BLOCKED,
	           "198.51.100.53 is outside allow_networks (127.0.0.0/8); "
	           "not contacted");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dns_describe");
	TCase *tc = tcase_create("tally");
	tcase_add_test(tc, many_blocked_one_line);
	tcase_add_test(tc, blocked_for_two_reasons_is_not_one);
	tcase_add_test(tc, mixed_grouped_in_order);
	tcase_add_test(tc, mixed_capped);
	tcase_add_test(tc, length_bounded_whatever_the_number);
	tcase_add_test(tc, long_text_is_cut);
	tcase_add_test(tc, identical_causes_identical_text);
	tcase_add_test(tc, describe_blocked_and_summary);
	tcase_add_test(tc, policy_why);
	suite_add_tcase(s, tc);
	tc = tcase_create("views");
	tcase_add_test(tc, iterate_builtin_roots_blocked);
	tcase_add_test(tc, iterate_roots_blocked_by_environment);
	tcase_add_test(tc, iterate_root_hints_file_blocked);
	tcase_add_test(tc, resolver_list_blocked);
	tcase_add_test(tc, one_resolver_blocked);
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
