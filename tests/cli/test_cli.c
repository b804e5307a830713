/*
 * test_cli.c -- the binary's command line: usage and config errors exit 3
 * with a message naming what is wrong (file and line for configs), help,
 * version and list, and the no-config preflight of this host (run in a
 * private network namespace, where nothing can leave the machine).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labtest.h"

static char tmpdir[] = "/tmp/mailready-cli.XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
expect_usage_error(const char *const *argv, const char *const *env,
                   const char *msg)
{
	struct mr_run r;
	mr_exec(&r, argv, env);
	ck_assert_msg(r.exit_code == 3, "exit %d, stderr: %s", r.exit_code,
	              r.err);
	ck_assert_msg(strstr(r.err, msg) != NULL, "stderr lacks '%s': %s", msg,
	              r.err);
	ck_assert_msg(strncmp(r.err, "mailready: ", 11) == 0, "%s", r.err);
	mr_run_free(&r);
}

#define USAGE_ERROR(msg, ...) \
	expect_usage_error((const char *const[]){__VA_ARGS__, NULL}, NULL, msg)

START_TEST(usage_errors)
{
	expect_usage_error((const char *const[]){NULL}, NULL,
	                   "no command given");
	USAGE_ERROR("unknown command 'chek'", "chek");
	USAGE_ERROR("unknown option '--bogus'", "check", "--bogus");
	USAGE_ERROR("option '--timeout' needs a value", "check", "--timeout");
	USAGE_ERROR("--timeout: 'abc' is not a number of seconds", "check",
	            "-t", "abc", "-H", "a.example.test");
	USAGE_ERROR("--parallel: '0' is not a number from 1 to 4096", "check",
	            "--parallel", "0");
	USAGE_ERROR("--format: 'xml' is not text, json, nagios or prometheus",
	            "check", "-f", "xml");
	USAGE_ERROR("nothing to check: give -c FILE or -H FQDN", "check");
	USAGE_ERROR("--role, --public, --internal and -I describe the -H node",
	            "check", "-r", "mta");
	USAGE_ERROR("--role, --public, --internal and -I describe the -H node",
	            "check", "-I", "127.0.0.1");
	/* The Nagios habit: -H $HOSTADDRESS$. */
	USAGE_ERROR("-H takes the node's FQDN, not the address 203.0.113.10: "
	            "give the name with -H and the address with -I",
	            "check", "-H", "203.0.113.10");
	USAGE_ERROR("not the address 2001:db8::25", "check", "-H",
	            "2001:db8::25");
	USAGE_ERROR("-I: 'mail.example.test' is not an address", "check", "-H",
	            "a.example.test", "-I", "mail.example.test");
	USAGE_ERROR("--greeting-timeout: 'soon' is not a number of seconds",
	            "check", "-H", "a.example.test", "--greeting-timeout",
	            "soon");
	USAGE_ERROR("--public: 'nope' is not an address", "check", "-H",
	            "a.example.test", "--public", "nope");
	USAGE_ERROR("--allow-net:", "check", "-H", "a.example.test",
	            "--allow-net", "10.0.0.1/8");
	USAGE_ERROR("--outside-resolver:", "check", "-H", "a.example.test",
	            "--outside-resolver", "resolver.example.test");
	USAGE_ERROR("report needs one or more JSON files", "report");
	expect_usage_error(
		(const char *const[]){"check", "-H", "a.example.test", NULL},
		(const char *const[]){"MAILREADY_ALLOW_NETWORKS=127.0.0.0/33",
	                              NULL},
		"MAILREADY_ALLOW_NETWORKS: ");
}
END_TEST

START_TEST(config_errors)
{
	const char *missing = "/nonexistent/mailready.conf";
	USAGE_ERROR("No such file or directory", "check", "-c", missing);

	const char *bad = write_file("bad.conf", "[cluster]\n"
	                                         "domains = example.test\n"
	                                         "dommains = example.test\n");
	char want[600];
	snprintf(want, sizeof(want),
	         "%s:3: unknown key 'dommains' in "
	         "[cluster]",
	         bad);
	USAGE_ERROR(want, "check", "-c", bad);

	const char *role = write_file("role.conf", "[cluster]\n"
	                                           "profile = carbonio\n"
	                                           "\n"
	                                           "[node mta1.example.test]\n"
	                                           "roles = mtaa\n");
	snprintf(want, sizeof(want),
	         "%s:4: node mta1.example.test: unknown "
	         "role 'mtaa'",
	         role);
	USAGE_ERROR(want, "check", "-c", role);

	const char *prof =
		write_file("prof.conf", "[cluster]\nprofile = nosuch\n"
	                                "[node a.example.test]\nroles = mta\n");
	USAGE_ERROR("profile 'nosuch' not found", "check", "-c", prof);

	const char *hints = write_file("hints.conf",
	                               "[cluster]\nroot_hints = nohints.txt\n"
	                               "[node a.example.test]\nroles = mta\n");
	USAGE_ERROR("nohints.txt", "check", "-c", hints);
}
END_TEST

START_TEST(help_version_list)
{
	struct mr_run r;
	mr_exec(&r, (const char *const[]){"--version", NULL}, NULL);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.out, "mailready 0.1.0\n");
	mr_run_free(&r);

	mr_exec(&r, (const char *const[]){"check", "--help", NULL}, NULL);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage:\n  mailready preflight"));
	ck_assert_ptr_nonnull(strstr(r.out, "Exit status: 0 OK, 1 WARNING, 2 "
	                                    "CRITICAL, 3 UNKNOWN"));
	mr_run_free(&r);

	mr_exec(&r, (const char *const[]){"list", NULL}, NULL);
	ck_assert_int_eq(r.exit_code, 0);
	const char *ids[] = {"host.fqdn", "dns.a.inside", "dns.a.outside",
	                     "dns.ptr",   "dns.mx",       "dns.auth",
	                     "net.port.*"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ck_assert_msg(strstr(r.out, ids[i]) != NULL, "list lacks %s",
		              ids[i]);
	mr_run_free(&r);
}
END_TEST

/*
 * With no config, preflight checks this host as a single-server install.
 * In a namespace of our own with no route anywhere, every resolver is
 * outside the allowed networks: the checks say so instead of sending.
 */
START_TEST(preflight_without_config)
{
	struct mr_run r;
	mr_exec_ns(&r, "ip link set lo up\n"
	               "ip link add mr0 type veth peer name mr1\n"
	               "ip addr add 10.9.0.20/24 dev mr0\n"
	               "ip link set mr0 up\n"
	               "hostname mail.example.test\n"
	               "h=$(mktemp)\n"
	               "printf '127.0.0.1 localhost\\n10.9.0.20 "
	               "mail.example.test mail\\n' > $h\n"
	               "mount --bind $h /etc/hosts\n"
	               "MAILREADY_ALLOW_NETWORKS=127.0.0.0/8 exec $MAILREADY "
	               "preflight -f json --only 'host.*' --only 'dns.*'\n");
	ck_assert_msg(r.json != NULL, "exit %d: %s %s", r.exit_code, r.out,
	              r.err);
	EXPECT(&r, "mail.example.test", "host.fqdn", "pass",
	       "mail.example.test is the local host name and resolves to "
	       "10.9.0.20 on this host");
	/* Roles from the mail profile's defaults, domain from the name. */
	json_t *node = json_array_get(json_object_get(r.json, "nodes"), 0);
	json_t *roles = json_object_get(node, "roles");
	ck_assert_int_eq(json_array_size(roles), 2);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "mta");
	ck_assert_str_eq(json_string_value(json_array_get(roles, 1)),
	                 "mailstore");
	EXPECT(&r, "mail.example.test", "dns.a.outside", "unknown",
	       "is outside MAILREADY_ALLOW_NETWORKS (127.0.0.0/8); not "
	       "contacted");
	EXPECT(&r, "example.test", "dns.mx", "unknown", "not contacted");
	ck_assert_int_eq(r.exit_code, 3);
	mr_run_free(&r);
}
END_TEST

/*
 * Refused, unreachable and filtered are told apart. In a namespace of our
 * own with no route but loopback, 10.9.9.9 is unreachable: nothing is sent.
 */
START_TEST(port_unreachable)
{
	struct mr_run r;
	mr_exec_ns(&r, "ip link set lo up\n"
	               "MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,10.9.9.0/24 "
	               "exec $MAILREADY check -H far.example.test -r mta "
	               "--public 10.9.9.9 --allow-net 10.9.9.0/24,127.0.0.0/8 "
	               "--only net.port.smtp --only mail.smtp -f json\n");
	EXPECT(&r, "far.example.test", "net.port.smtp", "fail",
	       "10.9.9.9 port 25 (smtp) is unreachable: ");
	EXPECT(&r, "far.example.test", "mail.smtp", "fail",
	       "10.9.9.9 port 25 (smtp) is unreachable");
	mr_run_free(&r);
}
END_TEST

/*
 * --dry-run names every contact with its verdict and sends nothing: under
 * strace, in a namespace of our own, it opens no internet socket at all.
 */
START_TEST(dry_run_sends_nothing)
{
	struct mr_run r;
	char script[2048];

	snprintf(script, sizeof(script),
	         "t=$(mktemp)\n"
	         /* LeakSanitizer cannot run under ptrace; leaks are
	            watched in every other test */
	         "ASAN_OPTIONS=detect_leaks=0 "
	         "MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128 strace -f -qq "
	         "-e trace=socket,connect,sendto,sendmsg -o $t $MAILREADY "
	         "check --dry-run -c %s >$t.out\n"
	         "rc=$?\n"
	         "cat $t.out\n"
	         "if grep -E 'AF_INET|AF_INET6|sin_port' $t; then echo "
	         "SENT; fi\n"
	         "rm -f $t $t.out\n"
	         "exit $rc\n",
	         lab_config("lab.conf"));
	mr_exec_ns(&r, script);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s %s", r.exit_code, r.out,
	              r.err);
	ck_assert_ptr_null(strstr(r.out, "SENT"));
	ck_assert_ptr_nonnull(strstr(r.out, "inside view, from "
	                                    "inside_resolvers:\n    "
	                                    "127.0.0.10 port 53 udp/tcp: "
	                                    "allowed\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  mta1.example.test mail.smtp "
	                                    "127.0.2.10:25: allowed\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  mta1.example.test mail.smtp "
	                                    "[2001:db8:2::10]:25: "
	                                    "2001:db8:2::10 is outside "
	                                    "allow_networks"));
	ck_assert_ptr_nonnull(strstr(r.out, "dns.auth: the authoritative "
	                                    "servers of the domain's zone, "
	                                    "port 53, found at run time"));
	ck_assert_ptr_nonnull(strstr(r.out, "Nothing was sent (--dry-run): "));
	mr_run_free(&r);
}
END_TEST

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char path[600];
	/* Only files this suite wrote. */
	const char *files[] = {"bad.conf", "role.conf", "prof.conf",
	                       "hints.conf"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

static Suite *
suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, help_version_list);
	tcase_add_test(tc, preflight_without_config);
	tcase_add_test(tc, port_unreachable);
	tcase_add_test(tc, dry_run_sends_nothing);
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
