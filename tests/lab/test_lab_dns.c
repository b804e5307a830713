/*
 * test_lab_dns.c -- mailready against the real DNS lab (NSD + Unbound on
 * loopback): every DNS check, healthy and with each planted fault, through
 * recursive resolvers and by iterative resolution from the lab root; plus
 * resolvers that are blocked, dead or silent, and the on-node host.fqdn
 * checks in a private network/UTS/mount namespace.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "labtest.h"

#define DNS_ONLY "--only", "host.*", "--only", "dns.*"

static void
run_config(struct mr_run *r, const char *config)
{
	const char *argv[] = {"check",  "-c", lab_config(config), "-f", "json",
	                      DNS_ONLY, NULL};
	mr_exec(r, argv, NULL);
	ck_assert_msg(r->json != NULL, "not JSON (exit %d): %s\n%s",
	              r->exit_code, r->out, r->err);
}

/* ------------------------------------------------------------------ */

static void
expect_healthy(const char *config)
{
	struct mr_run r;
	run_config(&r, config);
	ck_assert_msg(r.exit_code == 0, "exit %d:\n%s", r.exit_code, r.out);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")),
	                 "pass");
	EXPECT(&r, "mta1.example.test", "host.fqdn", "pass", "valid FQDN");
	EXPECT(&r, "mta1.example.test", "dns.a.inside", "pass",
	       "resolves to 127.0.1.10");
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "pass", "127.0.2.10",
	       "2001:db8:2::10");
	EXPECT(&r, "mta1.example.test", "dns.ptr", "pass",
	       "127.0.2.10 -> mta1.example.test -> 127.0.2.10 "
	       "(forward-confirmed)",
	       "2001:db8:2::10 -> mta1.example.test -> 2001:db8:2::10");
	EXPECT(&r, "mta1.example.test", "dns.mx", "pass",
	       "MX 10 for example.test");
	EXPECT(&r, "mbox1.example.test", "dns.a.inside", "pass", "127.0.1.17");
	EXPECT(&r, "mbox1.example.test", "dns.a.outside", "pass",
	       "not published on the Internet (NXDOMAIN");
	EXPECT(&r, "mbox1.example.test", "dns.ptr", "skip",
	       "no public address");
	EXPECT(&r, "proxy2.example.test", "dns.ptr", "pass",
	       "127.0.2.18 -> proxy2.example.test");
	EXPECT(&r, "example.test", "dns.mx", "pass",
	       "example.test MX 10 mta1.example.test");
	EXPECT(&r, "example.test", "dns.auth", "pass",
	       "2 servers of example.test answer authoritatively with "
	       "serial 2026112801",
	       "ns1.example.test (127.0.0.4)", "ns2.example.test (127.0.0.5)");
	mr_run_free(&r);
}

START_TEST(healthy_via_resolvers)
{
	expect_healthy("dns-healthy.conf");
}
END_TEST

START_TEST(healthy_iterative)
{
	expect_healthy("dns-healthy-iterate.conf");
}
END_TEST

static void
expect_faults(const char *config)
{
	struct mr_run r;
	run_config(&r, config);
	ck_assert_msg(r.exit_code == 2, "exit %d:\n%s", r.exit_code, r.out);

	EXPECT(&r, "mta1.example.test", "dns.ptr", "pass", "forward-confirmed");
	EXPECT(&r, "mta2.example.test", "dns.ptr", "fail",
	       "no PTR for 127.0.2.11 (NXDOMAIN",
	       "publish 11.2.0.127.in-addr.arpa PTR mta2.example.test");
	EXPECT(&r, "proxy1.example.test", "dns.ptr", "fail",
	       "PTR for 127.0.2.12 is mail.other.test, not "
	       "proxy1.example.test");
	mr_expect_code(&r, "proxy1.example.test", "dns.ptr",
	               "PTR_NAME_MISMATCH", "fail");
	mr_expect_code(&r, "mta2.example.test", "dns.ptr", "PTR_MISSING",
	               "fail");
	EXPECT(&r, "store1.example.test", "dns.a.outside", "fail",
	       "store1.example.test does not resolve for the Internet "
	       "(NXDOMAIN",
	       "publish store1.example.test A/AAAA 127.0.2.13 in the public "
	       "zone");
	EXPECT(&r, "store1.example.test", "dns.a.inside", "pass", "127.0.1.13");
	EXPECT(&r, "db1.example.test", "dns.a.outside", "fail",
	       "the Internet sees db1.example.test at 10.0.0.14, a private "
	       "address (not public)");
	EXPECT(&r, "web1.example.test", "dns.ptr", "fail",
	       "PTR for 127.0.2.15 is web1.example.test, but "
	       "web1.example.test resolves to 127.0.2.16",
	       "not forward-confirmed");
	EXPECT(&r, "web1.example.test", "dns.a.outside", "fail",
	       "at 127.0.2.16, not the declared public address 127.0.2.15");
	mr_expect_code(&r, "web1.example.test", "dns.ptr",
	               "PTR_NOT_FORWARD_CONFIRMED", "fail");
	mr_expect_code(&r, "web1.example.test", "dns.a.outside",
	               "A_WRONG_ADDRESS", "fail");
	EXPECT(&r, "drift1.example.test", "dns.a.inside", "fail",
	       "internal clients get 127.0.1.32 for drift1.example.test, not "
	       "the declared internal address 127.0.1.31");
	EXPECT(&r, "example.test", "dns.mx", "pass", "MX 10 mta1.example.test");
	EXPECT(&r, "example.test", "dns.auth", "pass", "agree");
	EXPECT(&r, "mxcname.test", "dns.mx", "fail",
	       "MX target mail.mxcname.test is an alias (CNAME) of "
	       "mta1.example.test; point the MX at mta1.example.test");
	EXPECT(&r, "mxliteral.test", "dns.mx", "fail",
	       "MX target 127.0.2.10 is an IP address");
	EXPECT(&r, "nullmx.test", "dns.mx", "fail", "null MX",
	       "accepts no mail");
	EXPECT(&r, "mxnoaddr.test", "dns.mx", "fail",
	       "MX target nohost.mxnoaddr.test has no A or AAAA record "
	       "(NXDOMAIN");
	EXPECT(&r, "mxforeign.test", "dns.mx", "warn",
	       "no MX target of mxforeign.test is a node of this cluster",
	       "mail.other.test");
	EXPECT(&r, "skew.test", "dns.auth", "fail",
	       "SOA serials of skew.test differ",
	       "ns1.example.test (127.0.0.4) 2026112801",
	       "ns3.example.test (127.0.0.6) 2026112701",
	       "servers disagree on edge1.skew.test A", "127.0.2.20",
	       "127.0.2.21");
	EXPECT(&r, "lame.test", "dns.auth", "fail",
	       "ns4.example.test (127.0.0.7) does not answer "
	       "authoritatively for lame.test (REFUSED from 127.0.0.7)");

	/* The per-node roll-up: the worst check wins. */
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(r.json, "nodes"), i, n)
	{
		const char *name =
			json_string_value(json_object_get(n, "name"));
		const char *st =
			json_string_value(json_object_get(n, "status"));
		if (strcmp(name, "mta1.example.test") == 0)
			ck_assert_str_eq(st, "pass");
		if (strcmp(name, "mta2.example.test") == 0)
			ck_assert_str_eq(st, "fail");
	}
	mr_run_free(&r);
}

START_TEST(faults_via_resolvers)
{
	expect_faults("dns-faults.conf");
}
END_TEST

START_TEST(faults_iterative)
{
	expect_faults("dns-faults-iterate.conf");
}
END_TEST

/*
 * dns.auth asks every node of a zone, however many: 14 nodes in many.test
 * (more than the 11 whose records fitted its old fixed table), and the one
 * difference between ns1 and ns3 is on the last node.
 */
START_TEST(auth_compares_every_node)
{
	struct mr_run r;
	const char *argv[] = {
		"check",    "-c",   lab_config("dns-many-nodes.conf"),
		"-f",       "json", "--only",
		"dns.auth", NULL};

	mr_exec(&r, argv, NULL);
	EXPECT(&r, "many.test", "dns.auth", "fail",
	       "servers disagree on node14.many.test A: ns1.example.test "
	       "(127.0.0.4) has 127.0.2.84, ns3.example.test (127.0.0.6) has "
	       "127.0.2.94");
	/* That is all: the serials and the other 13 nodes agree. */
	json_t *c = mr_find(&r, "many.test", "dns.auth", NULL);
	json_t *findings = json_object_get(c, "findings");
	ck_assert_uint_eq(json_array_size(findings), 1);
	json_t *f = json_array_get(findings, 0);
	ck_assert_str_eq(json_string_value(json_object_get(f, "code")),
	                 "AUTH_RECORDS_DIFFER");
	json_t *d = json_object_get(f, "data");
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")),
	                 "node14.many.test");
	ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "A");
	ck_assert_int_eq(r.exit_code, 2);
	mr_run_free(&r);
}
END_TEST

START_TEST(outputs_and_exit_codes)
{
	struct mr_run r;
	const char *nagios[] = {"check", "-c", lab_config("dns-faults.conf"),
	                        DNS_ONLY, NULL};
	mr_exec(&r, nagios, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_msg(strncmp(r.out, "MAILREADY CRITICAL - ", 21) == 0, "%s",
	              r.out);
	char *nl = strchr(r.out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_ptr_nonnull(strstr(r.out, " | 'time'="));
	ck_assert_ptr_nonnull(strstr(r.out, "'checks_fail'="));
	ck_assert_ptr_nonnull(strstr(nl + 1, "[CRITICAL] mta2.example.test "
	                                     "dns.ptr"));
	mr_run_free(&r);

	/* On a node (host.fqdn would check this host's name there). */
	const char *text[] = {"preflight",
	                      "-c",
	                      lab_config("dns-healthy.conf"),
	                      "--self",
	                      "mta1.example.test",
	                      "--only",
	                      "dns.*",
	                      NULL};
	mr_exec(&r, text, (const char *const[]){"NO_COLOR=1", NULL});
	ck_assert_int_eq(r.exit_code, 0);
	/* preflight: a verdict per node */
	ck_assert_ptr_nonnull(strstr(r.out, "mta1.example.test: READY ("));
	ck_assert_ptr_nonnull(strstr(r.out, "3 of 3 nodes ready to install"));
	ck_assert_ptr_null(strchr(r.out, '\033'));
	mr_run_free(&r);

	/* From a host that is none of the nodes: no install verdict, and
	   the first lines say why. */
	const char *off[] = {"preflight", "-c", lab_config("dns-healthy.conf"),
	                     DNS_ONLY, NULL};
	mr_exec(&r, off, (const char *const[]){"NO_COLOR=1", NULL});
	ck_assert_ptr_nonnull(strstr(r.out, "\nNOT ON A NODE: this host ("));
	ck_assert_ptr_null(strstr(r.out, "nodes ready to install"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nno install verdict: "));
	mr_run_free(&r);

	/* health is quiet when all is well (its state in a directory of
	   the test's own, never the machine's) */
	char dir[] = "/tmp/mailready-dns-health.XXXXXX", state[300];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state.json", dir);
	const char *health[] = {
		"health",  "-c",  lab_config("dns-healthy.conf"),
		"--state", state, DNS_ONLY,
		NULL};
	mr_exec(&r, health, NULL);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.out, "");
	mr_run_free(&r);
	unlink(state);
	rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Resolvers that are blocked, dead or silent */

/* ------------------------------------------------------------------ */
/* [accept]: a known finding downgraded until its date, then counting
   again, in check, text, JSON and health across runs */

/* dns-faults.conf with an [accept] section, written into dir. */
static void
write_accept_config(const char *dir, const char *path, int days_from_now)
{
	char date[16], buf[8192];
	time_t t = time(NULL) + (time_t)days_from_now * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	FILE *in = fopen(lab_config("dns-faults.conf"), "r");
	FILE *out = fopen(path, "w");
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fprintf(out,
	        "\n[accept]\n"
	        "PTR_MISSING mta2.example.test = %s the provider publishes "
	        "it next month\n"
	        "PTR_NAME_MISMATCH 127.0.2.12 = %s ; reverse zone moves\n",
	        date, date);
	fclose(in);
	fclose(out);
	(void)dir;
}

START_TEST(accepted_until_expiry)
{
	char dir[] = "/tmp/mailready-accept.XXXXXX", conf[300], state[300];
	struct mr_run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/cluster.conf", dir);
	snprintf(state, sizeof(state), "%s/state.json", dir);

	/* 1: accepted until tomorrow: the PTR checks pass, saying why */
	write_accept_config(dir, conf, 1);
	const char *json[] = {"check", "-c",     conf,      "-f",
	                      "json",  "--only", "dns.ptr", NULL};
	mr_exec(&r, json, NULL);
	EXPECT(&r, "mta2.example.test", "dns.ptr", "pass",
	       "no PTR for 127.0.2.11");
	EXPECT(&r, "proxy1.example.test", "dns.ptr", "pass",
	       "PTR for 127.0.2.12 is mail.other.test");
	json_t *c = mr_find(&r, "mta2.example.test", "dns.ptr", NULL);
	json_t *f = json_array_get(json_object_get(c, "findings"), 0);
	json_t *acc = json_object_get(f, "accepted");
	ck_assert_ptr_nonnull(acc);
	ck_assert_str_eq(json_string_value(json_object_get(acc, "reason")),
	                 "the provider publishes it next month");
	ck_assert(json_is_false(json_object_get(acc, "expired")));
	ck_assert_str_eq(json_string_value(json_object_get(acc, "found")),
	                 "fail");
	c = mr_find(&r, "proxy1.example.test", "dns.ptr", NULL);
	f = json_array_get(json_object_get(c, "findings"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(f, "accepted"), "reason")),
	                 "reverse zone moves");
	mr_run_free(&r);

	const char *text[] = {"check", "-c",     conf,      "-f",
	                      "text",  "--only", "dns.ptr", NULL};
	mr_exec(&r, text, NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "  accepted  dns.ptr: no PTR for "
	                                    "127.0.2.11 (NXDOMAIN from "
	                                    "127.0.0.11) (accepted until "));
	ck_assert_ptr_nonnull(strstr(r.out, ": the provider publishes it next "
	                                    "month)"));
	mr_run_free(&r);

	const char *health[] = {"health", "-c",     conf,      "--state",
	                        state,    "--only", "dns.ptr", NULL};
	mr_exec(&r, health, NULL);
	ck_assert_int_eq(r.exit_code, 2); /* web1 and edge1 still fail */
	mr_run_free(&r);

	/* 2: the date has passed: the findings count again, and health says
	   that the acceptance ran out */
	write_accept_config(dir, conf, -1);
	mr_exec(&r, json, NULL);
	EXPECT(&r, "mta2.example.test", "dns.ptr", "fail",
	       "no PTR for 127.0.2.11");
	c = mr_find(&r, "mta2.example.test", "dns.ptr", NULL);
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(c, "message")),
	               ", expired: the provider publishes it next month)"));
	f = json_array_get(json_object_get(c, "findings"), 0);
	ck_assert(json_is_true(
		json_object_get(json_object_get(f, "accepted"), "expired")));
	mr_run_free(&r);
	mr_exec(&r, health, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.out, "mta2.example.test dns.ptr "
	                                    "mta2.example.test: pass -> fail "
	                                    "[PTR_MISSING]"));
	ck_assert_ptr_nonnull(strstr(r.out, "the acceptance of PTR_MISSING "
	                                    "ran out on "));
	ck_assert_ptr_nonnull(strstr(r.out, "the acceptance of "
	                                    "PTR_NAME_MISMATCH ran out on "));
	mr_run_free(&r);

	/* 3: a typo in a code is a config error with the line and a guess */
	FILE *fp = fopen(conf, "a");
	fputs("PTR_MISING mta2.example.test = 2030-01-01\n", fp);
	fclose(fp);
	mr_exec(&r, json, NULL);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "cluster.conf:"));
	ck_assert_ptr_nonnull(strstr(r.err, "did you mean 'PTR_MISSING'?"));
	mr_run_free(&r);

	unlink(conf);
	unlink(state);
	rmdir(dir);
}
END_TEST

START_TEST(blocked_by_allow_networks)
{
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "--internal",
	                      "127.0.1.10",
	                      "--outside-resolver",
	                      "198.51.100.53",
	                      "--inside-resolver",
	                      "127.0.0.10",
	                      "--allow-net",
	                      "127.0.0.0/8",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.*",
	                      NULL};
	mr_exec(&r, argv, NULL);
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "unknown",
	       "198.51.100.53 is outside allow_networks (127.0.0.0/8); not "
	       "contacted");
	EXPECT(&r, "mta1.example.test", "dns.a.inside", "pass", "127.0.1.10");
	ck_assert_int_eq(r.exit_code, 3);
	mr_run_free(&r);
}
END_TEST

START_TEST(blocked_by_environment)
{
	struct mr_run r;
	/* The config allows anything; the environment narrows it. */
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "--outside-resolver",
	                      "198.51.100.53",
	                      "--inside-resolver",
	                      "127.0.0.10",
	                      "--allow-net",
	                      "any",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      NULL};
	mr_exec(&r, argv,
	        (const char *const[]){"MAILREADY_ALLOW_NETWORKS=127.0.0.0/8",
	                              NULL});
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "unknown",
	       "198.51.100.53 is outside MAILREADY_ALLOW_NETWORKS "
	       "(127.0.0.0/8); not contacted");
	mr_run_free(&r);
}
END_TEST

START_TEST(dead_resolver)
{
	struct mr_run r;
	/* Nothing listens on 127.0.0.13: the kernel refuses at once. */
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "--outside-resolver",
	                      "127.0.0.13",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      NULL};
	mr_exec(&r, argv, NULL);
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "unknown",
	       "not checked: unreachable from 127.0.0.13: connection refused");
	mr_expect_code(&r, "mta1.example.test", "dns.a.outside",
	               "DNS_UNANSWERED", "unknown");
	mr_run_free(&r);
}
END_TEST

START_TEST(failover_to_second_resolver)
{
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "--public",
	                      "127.0.2.10, 2001:db8:2::10",
	                      "--public-net",
	                      "127.0.2.0/24, 2001:db8:2::/48",
	                      "--outside-resolver",
	                      "127.0.0.13, 127.0.0.11",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      NULL};
	mr_exec(&r, argv, NULL);
	/* The dead first resolver costs no more than its refusal. */
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "pass",
	       "resolves to 127.0.2.10, 2001:db8:2::10 via outside resolvers "
	       "127.0.0.13, 127.0.0.11");
	ck_assert_msg(r.wall_ms < 2000, "took %.0f ms", r.wall_ms);
	mr_run_free(&r);
}
END_TEST

static int
silent_server(const char *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, addr, &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

START_TEST(silent_resolver)
{
	int fd = silent_server("127.0.0.14");
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "--outside-resolver",
	                      "127.0.0.14",
	                      "--probe-timeout",
	                      "1.5",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      NULL};
	mr_exec(&r, argv, NULL);
	close(fd);
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "unknown",
	       "no answer from 127.0.0.14");
	ck_assert_msg(r.wall_ms < 5000, "took %.0f ms", r.wall_ms);
	mr_run_free(&r);
}
END_TEST

START_TEST(global_deadline)
{
	int fd = silent_server("127.0.0.14");
	struct mr_run r;
	/* One check at a time, each waiting 750 ms on a silent resolver. */
	const char *argv[] = {"check",
	                      "-H",
	                      "mta1.example.test",
	                      "-r",
	                      "mta",
	                      "-d",
	                      "example.test",
	                      "--outside-resolver",
	                      "127.0.0.14",
	                      "--inside-resolver",
	                      "127.0.0.14",
	                      "--parallel",
	                      "1",
	                      "-t",
	                      "1",
	                      "--probe-timeout",
	                      "1",
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.*",
	                      NULL};
	mr_exec(&r, argv, NULL);
	close(fd);
	EXPECT(&r, "mta1.example.test", "dns.a.inside", "unknown",
	       "no answer from 127.0.0.14");
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "unknown",
	       "the run deadline of 1 s was reached while waiting for A/AAAA "
	       "of mta1.example.test from outside resolver 127.0.0.14");
	EXPECT(&r, "example.test", "dns.auth", "unknown",
	       "not started: the run deadline of 1 s was reached");
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_msg(r.wall_ms < 2500, "took %.0f ms", r.wall_ms);
	mr_run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lying and dead DNS servers (tests/lab/dns/liar.testns) */

static void
expect_lies(const struct mr_run *r, const char *via)
{
	EXPECT(r, "ok.liar.test", "dns.a.outside", "pass",
	       "resolves to 127.0.2.40");
	/* The out-of-bailiwick record in the answer is not believed. */
	EXPECT(r, "poison.liar.test", "dns.a.outside", "pass",
	       "poison.liar.test resolves to 127.0.2.42 via");
	EXPECT(r, "loop.liar.test", "dns.a.outside", "unknown", via,
	       "malformed answer from 127.0.0.12: CNAME loop or chain too "
	       "long");
	EXPECT(r, "servfail.liar.test", "dns.a.outside", "unknown", via,
	       "SERVFAIL from 127.0.0.12");
	EXPECT(r, "notimp.liar.test", "dns.a.outside", "unknown", via,
	       "NOTIMPL from 127.0.0.12");
	/* c-ares drops answers to another question and unparsable ones:
	 * they end as silence. */
	EXPECT(r, "wrongq.liar.test", "dns.a.outside", "unknown", via,
	       "no answer from 127.0.0.12");
	EXPECT(r, "garbage.liar.test", "dns.a.outside", "unknown", via,
	       "no answer from 127.0.0.12");
}

START_TEST(lying_resolver)
{
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-c",
	                      lab_config("dns-liar.conf"),
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      NULL};
	mr_exec(&r, argv, NULL);
	expect_lies(&r, "not checked: ");
	EXPECT(&r, "up.liar.test", "dns.a.outside", "unknown",
	       "referral (not authoritative) from 127.0.0.12");
	ck_assert_int_eq(r.exit_code, 3);
	mr_run_free(&r);
}
END_TEST

START_TEST(lying_authoritative_iterative)
{
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-c",
	                      lab_config("dns-liar-iterate.conf"),
	                      "-f",
	                      "json",
	                      "--only",
	                      "dns.a.outside",
	                      "--parallel",
	                      "1",
	                      NULL};
	mr_exec(&r, argv, NULL);
	/* The cause, not the name asked: that is in the check's message. */
	expect_lies(&r, "no server of zone liar.test answered: ");
	EXPECT(&r, "up.liar.test", "dns.a.outside", "unknown",
	       "no server of zone liar.test answered: lame or upward "
	       "referral from 127.0.0.12");
	EXPECT(&r, "www.dead.test", "dns.a.outside", "unknown",
	       "not checked: no server of zone dead.test answered: ",
	       /* refused or silent, as the kernel reports it */
	       "from 127.0.0.8");
	EXPECT(&r, "mta1.example.test", "dns.a.outside", "pass",
	       "resolves to 127.0.2.10, 2001:db8:2::10");
	mr_run_free(&r);
}
END_TEST

START_TEST(servfail_from_resolver)
{
	struct mr_run r;
	/* The recursive resolver cannot reach dead.test's only server. */
	const char *argv[] = {"check",         "-H",
	                      "www.dead.test", "-r",
	                      "mta",           "--outside-resolver",
	                      "127.0.0.11",    "-f",
	                      "json",          "--only",
	                      "dns.a.outside", NULL};
	mr_exec(&r, argv, NULL);
	EXPECT(&r, "www.dead.test", "dns.a.outside", "unknown",
	       "not checked: SERVFAIL from 127.0.0.11");
	mr_run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* host.fqdn on the node itself, in a namespace of the test's own */

static void
run_host_ns(struct mr_run *r, const char *hostname, const char *hosts_line)
{
	char script[2048];
	snprintf(script, sizeof(script),
	         "ip link set lo up\n"
	         "ip link add mr0 type veth peer name mr1\n"
	         "ip addr add 10.9.0.10/24 dev mr0\n"
	         "ip link set mr0 up\n"
	         "hostname %s\n"
	         "h=$(mktemp)\n"
	         "printf '127.0.0.1 localhost\\n%s\\n' > $h\n"
	         "mount --bind $h /etc/hosts\n"
	         "MAILREADY_ALLOW_NETWORKS=127.0.0.0/8 exec $MAILREADY "
	         "preflight -H mta9.example.test -r mta --internal 10.9.0.10 "
	         "--only host.fqdn -f json\n",
	         hostname, hosts_line);
	mr_exec_ns(r, script);
}

START_TEST(host_on_node_ok)
{
	struct mr_run r;
	run_host_ns(&r, "mta9.example.test",
	            "10.9.0.10 mta9.example.test mta9");
	EXPECT(&r, "mta9.example.test", "host.fqdn", "pass",
	       "mta9.example.test is the local host name and resolves to "
	       "10.9.0.10 on this host");
	mr_run_free(&r);
}
END_TEST

START_TEST(host_on_node_loopback_trap)
{
	struct mr_run r;
	run_host_ns(&r, "mta9.example.test",
	            "127.0.1.1 mta9.example.test mta9");
	EXPECT(&r, "mta9.example.test", "host.fqdn", "fail",
	       "mta9.example.test resolves to the loopback address 127.0.1.1 "
	       "on this host");
	mr_expect_code(&r, "mta9.example.test", "host.fqdn", "FQDN_LOOPBACK",
	               "fail");
	mr_run_free(&r);
}
END_TEST

START_TEST(host_on_node_short_hostname)
{
	struct mr_run r;
	run_host_ns(&r, "mta9", "10.9.0.10 mta9.example.test mta9");
	EXPECT(&r, "mta9.example.test", "host.fqdn", "fail",
	       "the local host name is 'mta9', not the FQDN "
	       "'mta9.example.test'; hostnamectl set-hostname "
	       "mta9.example.test");
	mr_expect_code(&r, "mta9.example.test", "host.fqdn",
	               "HOSTNAME_MISMATCH", "fail");
	mr_run_free(&r);
}
END_TEST

START_TEST(host_on_node_foreign_address)
{
	struct mr_run r;
	run_host_ns(&r, "mta9.example.test", "10.9.0.99 mta9.example.test");
	EXPECT(&r, "mta9.example.test", "host.fqdn", "fail",
	       "resolves to 10.9.0.99 on this host, which is not an address "
	       "of this host",
	       "not to the declared internal address 10.9.0.10");
	mr_expect_code(&r, "mta9.example.test", "host.fqdn", "FQDN_NOT_LOCAL",
	               "fail");
	mr_expect_code(&r, "mta9.example.test", "host.fqdn",
	               "FQDN_NOT_INTERNAL", "fail");
	mr_run_free(&r);
}
END_TEST

START_TEST(host_on_node_unresolvable)
{
	struct mr_run r;
	/* Not in the hosts file; the system resolver is off-limits: what
	   DNS would say is unknown, not a fault of the host. */
	run_host_ns(&r, "mta9.example.test", "10.9.0.10 other.example.test");
	EXPECT(&r, "mta9.example.test", "host.fqdn", "unknown",
	       "mta9.example.test is not in /etc/hosts, and the system "
	       "resolvers were not asked",
	       "outside MAILREADY_ALLOW_NETWORKS");
	mr_expect_code(&r, "mta9.example.test", "host.fqdn", "NOT_ALLOWED",
	               "unknown");
	mr_run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */

static void
setup(void)
{
	lab_start("dns");
}

static void
teardown(void)
{
	lab_stop();
}

static Suite *
suite(void)
{
	Suite *s = suite_create("lab_dns");
	TCase *tc = tcase_create("dns");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, healthy_via_resolvers);
	tcase_add_test(tc, healthy_iterative);
	tcase_add_test(tc, faults_via_resolvers);
	tcase_add_test(tc, faults_iterative);
	tcase_add_test(tc, auth_compares_every_node);
	tcase_add_test(tc, outputs_and_exit_codes);
	tcase_add_test(tc, accepted_until_expiry);
	tcase_add_test(tc, blocked_by_allow_networks);
	tcase_add_test(tc, blocked_by_environment);
	tcase_add_test(tc, dead_resolver);
	tcase_add_test(tc, failover_to_second_resolver);
	tcase_add_test(tc, silent_resolver);
	tcase_add_test(tc, global_deadline);
	tcase_add_test(tc, lying_resolver);
	tcase_add_test(tc, lying_authoritative_iterative);
	tcase_add_test(tc, servfail_from_resolver);
	tcase_add_test(tc, host_on_node_ok);
	tcase_add_test(tc, host_on_node_loopback_trap);
	tcase_add_test(tc, host_on_node_short_hostname);
	tcase_add_test(tc, host_on_node_foreign_address);
	tcase_add_test(tc, host_on_node_unresolvable);
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
