/*
 * test_cli.c -- the binary's command line: usage and config errors exit 3
 * with a message naming what is wrong (file and line for configs), help,
 * version and list, and the no-config preflight of this host (run in a
 * private network namespace, where nothing can leave the machine): its
 * public address from its interfaces, --self and a preflight on a host
 * that is no node, the holders of its ports.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
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
	/* A threshold the wrong way round is no file name. */
	USAGE_ERROR("-c: range '10:5' starts above its end", "check", "-c",
	            "10:5");
	/* The names the file would refuse, refused on the command line. */
	USAGE_ERROR("-H: '' is not a host name", "check", "-H", "");
	USAGE_ERROR("-H: 'a b.example.test' contains a blank", "check", "-H",
	            "a b.example.test");
	USAGE_ERROR("-d: '..' is not a domain name", "check", "-H",
	            "a.example.test", "-d", "..");
	USAGE_ERROR("-d: 'example..test' is not a domain name", "check", "-H",
	            "a.example.test", "-d", "example..test");
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
	/* 10.9.0.20 is private: no public address, so no PTR verdict. */
	EXPECT(&r, "mail.example.test", "dns.ptr", "unknown",
	       "PTR cannot be judged without --public", "--public ADDR");
	json_t *notes = json_object_get(r.json, "notes");
	ck_assert_int_eq(json_array_size(notes), 1);
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_array_get(notes, 0)),
	               "no public address on this host's interfaces "
	               "(10.9.0.20 on mr0: private"));
	ck_assert_int_eq(r.exit_code, 3);
	mr_run_free(&r);
}
END_TEST

/*
 * Without a config, the node's public addresses are this host's: those
 * of its interfaces that count as public (203.0.113.0/24 is made public
 * here with --public-net; by default it is documentation). --dry-run and
 * the report say where they came from; nothing is sent to them.
 */
START_TEST(preflight_public_from_interfaces)
{
	static const char setup[] =
		"ip link set lo up\n"
		"ip link add mr0 type veth peer name mr1\n"
		"ip addr add 203.0.113.25/24 dev mr0\n"
		"ip addr add 10.9.0.20/24 dev mr0\n"
		"ip -6 addr add fe80::25/64 dev mr0\n"
		"ip link set mr0 up\n"
		"hostname mail.example.test\n"
		"export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8\n";
	char script[2048];
	struct mr_run r;

	snprintf(script, sizeof(script),
	         "%s$MAILREADY preflight --dry-run --public-net "
	         "203.0.113.0/24\n",
	         setup);
	mr_exec_ns(&r, script);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s %s", r.exit_code, r.out,
	              r.err);
	ck_assert_msg(strncmp(r.out,
	                      "mail.example.test: public address from this "
	                      "host's interfaces: 203.0.113.25\n",
	                      60) == 0,
	              "%s", r.out);
	/* The external ports are planned on it, and not contacted. */
	ck_assert_ptr_nonnull(strstr(r.out, "mail.example.test mail.smtp "
	                                    "203.0.113.25:25: 203.0.113.25 "
	                                    "is outside"));
	mr_run_free(&r);

	snprintf(script, sizeof(script),
	         "%sexec $MAILREADY preflight -f json --only dns.ptr "
	         "--public-net 203.0.113.0/24\n",
	         setup);
	mr_exec_ns(&r, script);
	EXPECT(&r, "mail.example.test", "dns.ptr", "unknown", "not contacted");
	json_t *notes = json_object_get(r.json, "notes");
	ck_assert_str_eq(json_string_value(json_array_get(notes, 0)),
	                 "public address of mail.example.test from this "
	                 "host's interfaces: 203.0.113.25 (mr0) (give "
	                 "--public ADDR to name another)");
	mr_run_free(&r);

	/* By default 203.0.113.25 is not public: say so, and what to do. */
	snprintf(script, sizeof(script),
	         "%sexec $MAILREADY preflight --dry-run\n", setup);
	mr_exec_ns(&r, script);
	ck_assert_ptr_nonnull(strstr(r.out, "mail.example.test: no public "
	                                    "address on this host's "
	                                    "interfaces: its PTR cannot be "
	                                    "judged without --public ADDR"));
	mr_run_free(&r);

	/* --public without -H describes this host: nothing is looked up. */
	snprintf(script, sizeof(script),
	         "%sexec $MAILREADY preflight --dry-run --public 198.51.100.9 "
	         "-r mta\n",
	         setup);
	mr_exec_ns(&r, script);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s %s", r.exit_code, r.out,
	              r.err);
	ck_assert_ptr_null(strstr(r.out, "interfaces"));
	ck_assert_ptr_nonnull(strstr(r.out, "mail.example.test mail.smtp "
	                                    "198.51.100.9:25: "));
	ck_assert_ptr_null(strstr(r.out, "mail.imap"));
	mr_run_free(&r);
}
END_TEST

/* A cluster of two nodes, for --self and preflight off the nodes. */
static const char two_nodes[] = "[cluster]\n"
				"profile = mail\n"
				"[node mta1.example.test]\n"
				"roles = mta\n"
				"internal = 127.0.1.10\n"
				"[node store1.example.test]\n"
				"roles = mailstore\n"
				"internal = 127.0.1.11\n";

START_TEST(self_must_be_a_node)
{
	const char *conf = write_file("two.conf", two_nodes);
	char want[700];

	snprintf(want, sizeof(want),
	         "--self mta2.example.test is not a node of %s (did you mean "
	         "mta1.example.test?)",
	         conf);
	USAGE_ERROR(want, "preflight", "-c", conf, "--self",
	            "mta2.example.test");
	/* A short name: the node with that first label. */
	USAGE_ERROR("--self mta1 is not a node of", "preflight", "-c", conf,
	            "--self", "mta1");
	USAGE_ERROR("(did you mean mta1.example.test?)", "check", "-c", conf,
	            "--self", "mta1");
	snprintf(want, sizeof(want),
	         "--self web.example.org is not a node of %s (its nodes: "
	         "mta1.example.test, store1.example.test)",
	         conf);
	USAGE_ERROR(want, "preflight", "-c", conf, "--self", "web.example.org");
	USAGE_ERROR("--self b.example.test is not the node this run checks "
	            "(-H a.example.test)",
	            "check", "-H", "a.example.test", "--self",
	            "b.example.test");
}
END_TEST

/*
 * preflight on a host that is no node of the file says so first, makes
 * the on-node checks unknown (each with its reason) and gives no install
 * verdict; --self NODE or a host of that name is the node.
 */
START_TEST(preflight_off_the_nodes)
{
	const char *conf = write_file("two.conf", two_nodes);
	char script[2048];
	struct mr_run r;

	snprintf(script, sizeof(script),
	         "ip link set lo up\nhostname mta1\n"
	         "$MAILREADY preflight -c %s --only net.internet -f json "
	         "--allow-net 127.0.0.0/8 >json || true\n"
	         "exec $MAILREADY preflight -c %s --only net.internet "
	         "--allow-net 127.0.0.0/8 -t 2\n",
	         conf, conf);
	mr_exec_ns(&r, script);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_msg(strstr(r.out, "\nNOT ON A NODE: this host (mta1) is no "
	                            "node of ") != NULL,
	              "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "If this host is to be "
	                                    "mta1.example.test, name it so "
	                                    "(hostnamectl set-hostname "
	                                    "mta1.example.test) or give "
	                                    "--self mta1.example.test"));
	ck_assert_ptr_nonnull(strstr(r.out, "  unknown   net.internet: not "
	                                    "run: it tests the node's own "
	                                    "outbound connections (port 25 "
	                                    "included), and this host (mta1) "
	                                    "is no node of the cluster file; "
	                                    "run mailready preflight on "
	                                    "store1.example.test\n"));
	ck_assert_ptr_null(strstr(r.out, "nodes ready to install"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nno install verdict: this run "
	                                    "is on no node of the cluster "
	                                    "file; run preflight on each "
	                                    "node"));
	mr_run_free(&r);

	/* On the node (by --self, or by its name) nothing of it is said. */
	snprintf(script, sizeof(script),
	         "ip link set lo up\nhostname mta1.example.test\n"
	         "exec $MAILREADY preflight -c %s --only net.internet "
	         "--allow-net 127.0.0.0/8 -t 2 -f json\n",
	         conf);
	mr_exec_ns(&r, script);
	ck_assert_ptr_null(json_object_get(r.json, "notes"));
	EXPECT(&r, "store1.example.test", "net.internet", "skip",
	       "not run here: it tests the node's own outbound connections "
	       "(port 25 included), and this run is on mta1.example.test");
	json_t *c = mr_find(&r, "mta1.example.test", "net.internet", NULL);
	ck_assert_str_ne(json_string_value(json_object_get(c, "status")),
	                 "skip");
	mr_run_free(&r);
}
END_TEST

/*
 * host.port in a namespace of our own: a copy of the fault server named
 * exim4 holds port 25 on two addresses (one finding for the program, how
 * to find its package: no systemd here), one named master holds 587
 * (expected for Postfix's submission).
 */
START_TEST(preflight_port_holders)
{
	struct mr_run r;

	mr_exec_ns(&r, "ip link set lo up\n"
	               "t=$(mktemp -d)\n"
	               "trap 'kill $(cat $t/*.pid) 2>/dev/null; rm -rf $t' "
	               "EXIT\n"
	               "cp \"$LAB_FAULTSERVER\" $t/exim4\n"
	               "cp \"$LAB_FAULTSERVER\" $t/master\n"
	               "$t/exim4 -p $t/exim4.pid 127.0.0.1:25=stall-greeting "
	               "127.0.0.2:25=stall-greeting 2>/dev/null &\n"
	               "$t/master -p $t/master.pid "
	               "127.0.0.1:587=stall-greeting 2>/dev/null &\n"
	               "for i in $(seq 50); do [ -s $t/exim4.pid ] && "
	               "[ -s $t/master.pid ] && break; sleep 0.1; done\n"
	               "$MAILREADY preflight -H mail.example.test -r mta "
	               "--internal 127.0.0.1 --only 'host.port.*' -f json "
	               "|| true\n");
	EXPECT(&r, "mail.example.test", "host.port.smtp", "fail",
	       "port 25 is held by exim4 (pid ",
	       "on 127.0.0.1, 127.0.0.2), not by the smtp service (expected "
	       "there: master, smtpd, postscreen, tlsproxy)",
	       "stop it (kill ", "dpkg -S /", "/exim4 (rpm -qf on RHEL)");
	json_t *c = mr_find(&r, "mail.example.test", "host.port.smtp", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(c, "findings")), 1);
	EXPECT(&r, "mail.example.test", "host.port.submission", "pass",
	       "port 587 is held by master (pid ",
	       "on 127.0.0.1, as expected for submission");
	EXPECT(&r, "mail.example.test", "host.port.smtps", "pass",
	       "port 465 (smtps) is free");
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

/* Files that are no text files, and paths mailready must not replace:
   each an error that says so (issue 9), never a spin or a read without
   end. */
START_TEST(hostile_files)
{
	char path[600], want[700];

	USAGE_ERROR("/dev/zero: is not a regular file", "check", "-c",
	            "/dev/zero");
	USAGE_ERROR("/tmp: is a directory, not a file", "check", "-c", "/tmp");
	USAGE_ERROR("root_hints /dev/zero: is not a regular file", "check",
	            "-H", "a.example.test", "--root-hints", "/dev/zero");
	USAGE_ERROR("root_hints /tmp: is a directory", "check", "-H",
	            "a.example.test", "--root-hints", "/tmp");
	USAGE_ERROR("/dev/zero: is not a regular file", "check", "-H",
	            "a.example.test", "--profile", "/dev/zero");

	/* One line without an end: bounded while it is read. */
	snprintf(path, sizeof(path), "%s/long.conf", tmpdir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[cluster]\ndomains = ", f);
	for (int i = 0; i < 100000; i++)
		fputs("example.test ", f);
	fclose(f);
	snprintf(want, sizeof(want), "%s:2: line is longer than 4096 bytes",
	         path);
	USAGE_ERROR(want, "check", "-c", path);

	const char *nul = write_file("nul.conf", "[cluster]\nprofile = mail");
	f = fopen(nul, "a");
	fputc('\0', f);
	fputs("x\n", f);
	fclose(f);
	snprintf(want, sizeof(want), "%s:2: line holds a NUL byte", nul);
	USAGE_ERROR(want, "check", "-c", nul);

	/* Config text echoed in an error is escaped. */
	const char *esc =
		write_file("esc.conf", "[cluster]\n\033[31mfoo = 1\n");
	struct mr_run r;
	mr_exec(&r, (const char *const[]){"check", "-c", esc, NULL}, NULL);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_null(strchr(r.err, '\033'));
	ck_assert_ptr_nonnull(strstr(r.err, "\\x1b[31mfoo"));
	mr_run_free(&r);

	/* Outputs: never a device, a link or a directory. */
	const char *net = "MAILREADY_ALLOW_NETWORKS=127.0.0.0/8";
	mr_exec(&r,
	        (const char *const[]){"check", "-H", "a.example.test", "--only",
	                              "host.fqdn", "--prometheus", "/dev/full",
	                              NULL},
	        (const char *const[]){net, NULL});
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(
		strstr(r.err, "/dev/full: is not a regular file"));
	mr_run_free(&r);
	snprintf(path, sizeof(path), "%s/state-link.json", tmpdir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	mr_exec(&r,
	        (const char *const[]){"health", "-H", "a.example.test",
	                              "--only", "host.fqdn", "--state", path,
	                              NULL},
	        (const char *const[]){net, NULL});
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "is a symbolic link"));
	/* nothing of the file it points to is shown */
	ck_assert_ptr_null(strstr(r.err, "root"));
	mr_run_free(&r);
	unlink(path);
	/* No tree of directories for a mistyped path. */
	snprintf(path, sizeof(path), "%s/a/b/x.prom", tmpdir);
	mr_exec(&r,
	        (const char *const[]){"check", "-H", "a.example.test", "--only",
	                              "host.fqdn", "--prometheus", path, NULL},
	        (const char *const[]){net, NULL});
	ck_assert_int_eq(r.exit_code, 3);
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	ck_assert_int_ne(access(path, F_OK), 0);
	mr_run_free(&r);
	snprintf(path, sizeof(path), "%s/long.conf", tmpdir);
	unlink(path);
}
END_TEST

/* A report that cannot be written is lost: exit 3, saying why. */
START_TEST(output_write_error)
{
	int err[2];
	ck_assert_int_eq(pipe(err), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int full = open("/dev/full", O_WRONLY);
		dup2(full, 1);
		dup2(err[1], 2);
		execl(getenv("MAILREADY_BIN"), "mailready", "list",
		      (char *)NULL);
		_exit(127);
	}
	close(err[1]);
	char buf[512] = "";
	ssize_t n = read(err[0], buf, sizeof(buf) - 1);
	close(err[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 3);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, "the output could not be written: "
	                                  "No space left on device"));
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
	const char *files[] = {"bad.conf",   "role.conf", "prof.conf",
	                       "hints.conf", "two.conf",  "nul.conf",
	                       "esc.conf"};
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
	tcase_add_test(tc, preflight_public_from_interfaces);
	tcase_add_test(tc, self_must_be_a_node);
	tcase_add_test(tc, preflight_off_the_nodes);
	tcase_add_test(tc, preflight_port_holders);
	tcase_add_test(tc, port_unreachable);
	tcase_add_test(tc, dry_run_sends_nothing);
	tcase_add_test(tc, hostile_files);
	tcase_add_test(tc, output_write_error);
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
