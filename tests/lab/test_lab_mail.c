/*
 * test_lab_mail.c -- mailready against the real mail lab: Postfix and
 * Dovecot with certificates from the lab CA, and scripted servers for the
 * faults real servers do not produce. Every mail check, healthy and with
 * each planted fault, with its status and message; host.port and
 * net.internet on the node itself; and the escaping of hostile server text
 * in every output format.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "labtest.h"

static char ca_file[4096];

static void
run_mail(struct mr_run *r, const char *format)
{
	const char *argv[] = {
		"check",     "-c",         lab_config("mail.conf"),
		"--ca-file", ca_file,      "-f",
		format,      "--only",     "mail.*",
		"--only",    "net.port.*", NULL};
	mr_exec(r, argv, NULL);
}

START_TEST(healthy_services)
{
	struct mr_run r;
	run_mail(&r, "json");
	EXPECT(&r, "mta1.example.test", "net.port.smtp", "pass",
	       "127.0.2.10 port 25 (smtp) accepts connections");
	EXPECT(&r, "mta1.example.test", "mail.smtp", "pass",
	       "greeting: 220 mta1.example.test ESMTP",
	       "certificate CN=mta1.example.test (mta1.example.test), issued "
	       "by CN=Lab Issuing CA",
	       "TLSv1.3");
	EXPECT(&r, "mta1.example.test", "mail.submission", "pass",
	       "certificate CN=mta1.example.test");
	EXPECT(&r, "mta1.example.test", "mail.smtps", "pass",
	       "certificate CN=mta1.example.test");
	EXPECT(&r, "proxy2.example.test", "mail.imap", "pass", "greeting: * OK",
	       "certificate CN=proxy2.example.test");
	EXPECT(&r, "proxy2.example.test", "mail.imaps", "pass",
	       "certificate CN=proxy2.example.test");
	EXPECT(&r, "proxy2.example.test", "mail.pop3", "pass", "greeting: +OK",
	       "certificate CN=proxy2.example.test");
	EXPECT(&r, "proxy2.example.test", "mail.pop3s", "pass",
	       "certificate CN=proxy2.example.test");
	/* Metrics that perfdata and Prometheus are made of. */
	json_t *c = mr_find(&r, "mta1.example.test", "mail.smtp", NULL);
	json_t *m = json_object_get(c, "metrics");
	ck_assert(json_real_value(json_object_get(m, "cert_days_left")) > 300 ||
	          json_integer_value(json_object_get(m, "cert_days_left")) >
	                  300);
	ck_assert_ptr_nonnull(json_object_get(m, "connect_ms"));
	ck_assert_ptr_nonnull(json_object_get(m, "tls_ms"));
	mr_run_free(&r);
}
END_TEST

START_TEST(certificate_faults)
{
	struct mr_run r;
	run_mail(&r, "json");
	EXPECT(&r, "mx-expired.example.test", "mail.smtp", "fail",
	       "certificate expired on", "renew it");
	EXPECT(&r, "mx-wrongname.example.test", "mail.smtp", "fail",
	       "certificate is for mail.other.test, not "
	       "mx-wrongname.example.test");
	EXPECT(&r, "mx-untrusted.example.test", "mail.smtp", "fail",
	       "Rogue CA");
	EXPECT(&r, "mx-expiring.example.test", "mail.smtp", "warn",
	       "certificate expires in 9 days");
	ck_assert_int_eq(r.exit_code, 2);
	mr_run_free(&r);
}
END_TEST

START_TEST(protocol_faults)
{
	struct mr_run r;
	run_mail(&r, "json");
	EXPECT(&r, "mx-notls.example.test", "mail.smtp", "fail",
	       "STARTTLS is not offered on smtp (127.0.2.54 port 25)");
	EXPECT(&r, "mx-badhelo.example.test", "mail.smtp", "warn",
	       "the greeting announces 'relay.other.test', not the node's "
	       "name mx-badhelo.example.test",
	       "the PTR of 127.0.2.55 is mx-badhelo.example.test");
	EXPECT(&r, "mx-closed.example.test", "net.port.smtp", "fail",
	       "127.0.2.56 port 25 (smtp) is closed: connection refused");
	EXPECT(&r, "mx-closed.example.test", "mail.smtp", "fail",
	       "127.0.2.56 port 25 (smtp) is closed");
	EXPECT(&r, "sub-plain.example.test", "mail.submission", "warn",
	       "AUTH is offered before STARTTLS on submission: clients may "
	       "send passwords in clear; Postfix: smtpd_tls_auth_only = yes");
	mr_expect_code(&r, "sub-plain.example.test", "mail.submission",
	               "SMTP_AUTH_BEFORE_TLS", "warn");
	mr_expect_code(&r, "mx-notls.example.test", "mail.smtp",
	               "SMTP_STARTTLS_MISSING", "fail");
	mr_expect_code(&r, "mx-closed.example.test", "mail.smtp", "PORT_CLOSED",
	               "fail");
	mr_expect_code(&r, "imap-plain.example.test", "mail.imap",
	               "IMAP_PLAINTEXT_LOGIN", "warn");
	mr_expect_code(&r, "imap-plain.example.test", "mail.pop3",
	               "POP3_PLAINTEXT_LOGIN", "warn");
	EXPECT(&r, "imap-plain.example.test", "mail.imap", "warn",
	       "plain-text login is offered before TLS");
	/* Tried without a password: the server asked for it. */
	EXPECT(&r, "imap-plain.example.test", "mail.pop3", "warn",
	       "plain-text login is accepted before TLS: USER, sent without "
	       "a password, got '+OK'");
	/* The product's own setting, from the greeting. */
	EXPECT(&r, "imap-plain.example.test", "mail.pop3", "warn",
	       "Dovecot: disable_plaintext_auth = yes");
	mr_run_free(&r);
}
END_TEST

START_TEST(hostile_servers)
{
	struct mr_run r;
	run_mail(&r, "json");
	EXPECT(&r, "stall1.example.test", "mail.smtp", "fail",
	       "no greeting within 1 s from 127.0.2.60 port 25");
	EXPECT(&r, "stall2.example.test", "mail.smtp", "fail",
	       "no reply to EHLO within 1 s");
	EXPECT(&r, "stall3.example.test", "mail.smtp", "fail",
	       "no TLS handshake within 1 s");
	EXPECT(&r, "garbage1.example.test", "mail.smtp", "fail",
	       "not SMTP: the greeting is garbled");
	EXPECT(&r, "endless1.example.test", "mail.smtp", "fail",
	       "sent a line longer than 4096 bytes during the greeting");
	EXPECT(&r, "inject1.example.test", "mail.smtp", "fail",
	       "the server sent data after its STARTTLS reply");
	EXPECT(&r, "bye1.example.test", "mail.imap", "fail",
	       "refuses connections: * BYE too busy");
	/* The stalls did not hold up the run: it ends near one phase's
	 * timeout after the slowest start, well under their sum. */
	double ms = json_number_value(json_object_get(r.json, "duration_ms"));
	ck_assert_msg(ms < 8000, "run took %.0f ms", ms);
	mr_run_free(&r);
}
END_TEST

/* Server text is escaped: no raw control byte or extra line reaches the
 * terminal, and no '|' breaks Nagios perfdata. */
START_TEST(hostile_text_escaped)
{
	struct mr_run r;
	run_mail(&r, "text");
	for (const unsigned char *p = (const unsigned char *)r.out; *p; p++)
		ck_assert_msg(*p == '\n' || *p >= 0x20,
		              "raw control byte 0x%02x in text output", *p);
	ck_assert_ptr_nonnull(strstr(r.out, "\\x1b[31m220\\x07"));
	mr_run_free(&r);

	run_mail(&r, "nagios");
	char *first_nl = strchr(r.out, '\n');
	ck_assert_ptr_nonnull(first_nl);
	for (char *l = first_nl + 1; *l; l = strchr(l, '\n') + 1) {
		ck_assert_msg(l[0] == '[',
		              "long output line not a check: %.80s", l);
		char *end = strchr(l, '\n');
		ck_assert_ptr_nonnull(end);
		ck_assert_msg(memchr(l, '|', (size_t)(end - l)) == NULL,
		              "'|' in long output: %.*s", (int)(end - l), l);
	}
	mr_run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* net.internet: one finding per target, the check waits for them all */

/* The net.internet finding of host:port on stall1 (the --self node). */
static json_t *
target_finding(const struct mr_run *r, const char *host, int port)
{
	json_t *c = mr_find(r, "stall1.example.test", "net.internet", NULL);
	size_t k;
	json_t *f;

	ck_assert_msg(c != NULL, "no net.internet result");
	json_array_foreach(json_object_get(c, "findings"), k, f)
	{
		json_t *d = json_object_get(f, "data");
		const char *t = json_string_value(json_object_get(d, "target"));
		if (t && strcmp(t, host) == 0 &&
		    json_integer_value(json_object_get(d, "port")) == port)
			return f;
	}
	return NULL;
}

static void
expect_target(const struct mr_run *r, const char *host, int port,
              const char *code, const char *severity, const char *fragment)
{
	json_t *f = target_finding(r, host, port);

	ck_assert_msg(f != NULL, "no net.internet finding for %s:%d", host,
	              port);
	const char *m = json_string_value(json_object_get(f, "message"));
	ck_assert_str_eq(json_string_value(json_object_get(f, "code")), code);
	ck_assert_str_eq(json_string_value(json_object_get(f, "severity")),
	                 severity);
	ck_assert_msg(strstr(m, fragment) != NULL, "'%s' not in '%s'", fragment,
	              m);
}

/*
 * A TCP listener on addr:port whose accept queue is full (backlog 0, one
 * connection nobody accepts): Linux drops every further SYN there, as a
 * filtering firewall does. *filler is that connection.
 */
static int
filtered_listener(const char *addr, int port, int *filler)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, addr, &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 0), 0);
	*filler = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*filler, (struct sockaddr *)&sin, sizeof(sin)),
	                 0);
	return fd;
}

/*
 * mail.conf with other internet_targets, written to path; its profile
 * path made absolute, since the copy lives elsewhere.
 */
static void
write_targets_config(const char *path, const char *targets)
{
	char line[1024];
	FILE *in = fopen(lab_config("mail.conf"), "r");
	FILE *out = fopen(path, "w");

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "internet_targets", 16) == 0)
			fprintf(out, "internet_targets = %s\n", targets);
		else if (strncmp(line, "profile", 7) == 0)
			fprintf(out, "profile = %s\n",
			        lab_path("mail-lab.profile"));
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
}

/* net.internet on stall1 (as on the node) with these targets. */
static void
run_targets(struct mr_run *r, const char *conf, const char *targets)
{
	const char *argv[] = {"check",
	                      "-c",
	                      conf,
	                      "--self",
	                      "stall1.example.test",
	                      "-f",
	                      "json",
	                      "--only",
	                      "net.internet",
	                      NULL};

	write_targets_config(conf, targets);
	mr_exec(r, argv, NULL);
}

/*
 * This test process's /etc/resolv.conf names the lab's outside resolver
 * (in a mount namespace of its own: Check forks each test), so that named
 * targets resolve in the lab the way the node resolves them.
 */
static void
resolve_in_lab(const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("nameserver 127.0.0.11\n", f);
	fclose(f);
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL),
	                 0);
}

/*
 * Every kind of target at once: a server that greets (Postfix), one that
 * accepts and stays silent (the fault server's stall-greeting), a TLS port
 * that waits for the client (Dovecot's IMAPS), a refused port, a filtered
 * one (about 0.8 s to give up: the connect timeout of probe_timeout 1),
 * and two names, one resolving to the silent server, one that does not
 * exist. The three servers count as reached whatever they send; the check
 * waits for the filtered target and lists every target once.
 */
START_TEST(internet_every_outcome)
{
	char dir[] = "/tmp/mailready-internet.XXXXXX", conf[300];
	struct mr_run r;
	int filler;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/cluster.conf", dir);
	resolve_in_lab(dir);
	int lfd = filtered_listener("127.0.0.14", 443, &filler);
	run_targets(&r, conf,
	            "127.0.2.10:25, 127.0.2.60:25, 127.0.2.18:993, "
	            "127.0.2.56:443, 127.0.0.14:443, stall1.example.test:25, "
	            "nohost.example.test:443");
	close(filler);
	close(lfd);

	json_t *c = mr_find(&r, "stall1.example.test", "net.internet", NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")),
	                 "fail");
	expect_target(&r, "127.0.2.10", 25, "INTERNET_OK", "pass",
	              "reaches 127.0.2.10:25 (127.0.2.10) in ");
	expect_target(&r, "127.0.2.60", 25, "INTERNET_OK", "pass",
	              "reaches 127.0.2.60:25 (127.0.2.60) in ");
	expect_target(&r, "127.0.2.18", 993, "INTERNET_OK", "pass",
	              "reaches 127.0.2.18:993");
	expect_target(&r, "127.0.2.56", 443, "INTERNET_UNREACHABLE", "fail",
	              "cannot reach 127.0.2.56:443 (127.0.2.56): connection "
	              "refused");
	expect_target(&r, "127.0.0.14", 443, "INTERNET_UNREACHABLE", "fail",
	              "cannot reach 127.0.0.14:443 (127.0.0.14): no answer "
	              "within 0.8 s, filtered by a firewall or the host is "
	              "down");
	expect_target(&r, "stall1.example.test", 25, "INTERNET_OK", "pass",
	              "reaches stall1.example.test:25 (127.0.2.60)");
	expect_target(&r, "nohost.example.test", 443, "INTERNET_UNRESOLVED",
	              "fail", "cannot resolve nohost.example.test");
	/* One finding per target, no more: nothing counted twice. */
	ck_assert_uint_eq(json_array_size(json_object_get(c, "findings")), 7);
	/* It waited for the filtered target. */
	double ms = json_number_value(json_object_get(c, "duration_ms"));
	ck_assert_msg(ms >= 750 && ms < 1000, "net.internet took %.0f ms", ms);
	mr_run_free(&r);
	unlink(conf);
	snprintf(conf, sizeof(conf), "%s/resolv.conf", dir);
	unlink(conf);
	rmdir(dir);
}
END_TEST

/* Reached targets only: the check passes, the silent one included. */
START_TEST(internet_all_reached)
{
	char dir[] = "/tmp/mailready-internet.XXXXXX", conf[300];
	struct mr_run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/cluster.conf", dir);
	run_targets(&r, conf, "127.0.2.10:25, 127.0.2.60:25, 127.0.2.18:993");
	EXPECT(&r, "stall1.example.test", "net.internet", "pass",
	       "reaches 127.0.2.10:25", "reaches 127.0.2.60:25",
	       "reaches 127.0.2.18:993");
	ck_assert_int_eq(r.exit_code, 0);
	json_t *c = mr_find(&r, "stall1.example.test", "net.internet", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(c, "findings")), 3);
	mr_run_free(&r);
	unlink(conf);
	rmdir(dir);
}
END_TEST

START_TEST(on_node_ports_and_internet)
{
	struct mr_run r;
	const char *argv[] = {"preflight",
	                      "-c",
	                      lab_config("mail.conf"),
	                      "--self",
	                      "stall1.example.test",
	                      "--ca-file",
	                      ca_file,
	                      "-f",
	                      "json",
	                      "--only",
	                      "host.port.*",
	                      "--only",
	                      "net.internet",
	                      NULL};
	mr_exec(&r, argv, NULL);
	/* Port 25 here is held by Postfix and by the fault server. */
	EXPECT(&r, "stall1.example.test", "host.port.smtp", "fail",
	       "port 25 is held by faultserver (pid ",
	       "not by the smtp service (expected there: master, smtpd, "
	       "postscreen, tlsproxy");
	/* Postfix's own master is no foreign holder, once per program. */
	mr_expect_code(&r, "stall1.example.test", "host.port.smtp",
	               "PORT_HELD_EXPECTED", "pass");
	json_t *c = mr_find(&r, "stall1.example.test", "host.port.smtp", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(c, "findings")), 2);
	/* internet_targets: two answer, and port 25 of one is closed. */
	EXPECT(&r, "stall1.example.test", "net.internet", "fail",
	       "outbound port 25 is blocked: 127.0.2.56:25 (127.0.2.56): "
	       "connection refused",
	       "relay through a smarthost");
	expect_target(&r, "127.0.2.10", 25, "INTERNET_OK", "pass", "reaches");
	expect_target(&r, "127.0.2.18", 993, "INTERNET_OK", "pass", "reaches");
	expect_target(&r, "127.0.2.56", 25, "OUTBOUND_25_BLOCKED", "fail",
	              "connection refused");
	mr_run_free(&r);

	const char *argv2[] = {
		"preflight", "-H",         "mta1.example.test",    "-r",
		"mta",       "--internal", "127.0.1.10",           "-f",
		"json",      "--only",     "host.port.submission", NULL};
	mr_exec(&r, argv2, NULL);
	EXPECT(&r, "mta1.example.test", "host.port.submission", "pass",
	       "port 587 is held by master (pid", "as expected for submission");
	mr_run_free(&r);
}
END_TEST

/*
 * The whole lab in one run: every node's DNS, ports and protocols at once.
 * The failing checks are exactly the planted faults, no more, no fewer.
 */
START_TEST(full_lab_run)
{
	static const char *const planted[] = {
		"bye1.example.test mail.imap",
		"db1.example.test dns.a.outside",
		"drift1.example.test dns.a.inside",
		"endless1.example.test mail.smtp",
		"garbage1.example.test mail.smtp",
		"inject1.example.test mail.smtp",
		"lame.test dns.auth",
		"mta2.example.test dns.ptr",
		"mx-closed.example.test mail.smtp",
		"mx-closed.example.test net.port.smtp",
		"mx-expired.example.test mail.smtp",
		"mx-notls.example.test mail.smtp",
		"mx-untrusted.example.test mail.smtp",
		"mx-wrongname.example.test mail.smtp",
		"mxcname.test dns.mx",
		"mxliteral.test dns.mx",
		"mxnoaddr.test dns.mx",
		"nullmx.test dns.mx",
		"proxy1.example.test dns.ptr",
		"skew.test dns.auth",
		"stall1.example.test mail.smtp",
		"stall2.example.test mail.smtp",
		"stall3.example.test mail.smtp",
		"store1.example.test dns.a.outside",
		"store1.example.test dns.ptr",
		"web1.example.test dns.a.outside",
		"web1.example.test dns.ptr",
	};
	size_t nplanted = sizeof(planted) / sizeof(planted[0]);
	bool seen[sizeof(planted) / sizeof(planted[0])] = {false};
	struct mr_run r;
	const char *argv[] = {"check",     "-c",    lab_config("lab.conf"),
	                      "--ca-file", ca_file, "-f",
	                      "json",      NULL};

	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	const char *sections[] = {"nodes", "domains"};
	for (int s = 0; s < 2; s++) {
		size_t i, j;
		json_t *g, *c;
		json_array_foreach(json_object_get(r.json, sections[s]), i, g)
		{
			const char *name =
				json_string_value(json_object_get(g, "name"));
			/* ns1 and ns3 disagree on edge1: which one the
			 * resolver asks decides its own checks. */
			if (strcmp(name, "edge1.skew.test") == 0)
				continue;
			json_array_foreach(json_object_get(g, "checks"), j, c)
			{
				const char *st = json_string_value(
					json_object_get(c, "status"));
				if (strcmp(st, "fail") != 0)
					continue;
				char key[256];
				snprintf(key, sizeof(key), "%s %s", name,
				         json_string_value(
						 json_object_get(c, "id")));
				size_t k = 0;
				while (k < nplanted && strcmp(planted[k], key))
					k++;
				ck_assert_msg(k < nplanted,
				              "unplanted failure: %s: %s", key,
				              json_string_value(json_object_get(
						      c, "message")));
				seen[k] = true;
			}
		}
	}
	for (size_t k = 0; k < nplanted; k++)
		ck_assert_msg(seen[k], "planted fault not reported: %s",
		              planted[k]);
	EXPECT(&r, "mta1.example.test", "mail.submission", "pass",
	       "STARTTLS: certificate");
	EXPECT(&r, "proxy2.example.test", "dns.ptr", "pass",
	       "forward-confirmed");
	/* Every node of example.test compared: MX + A and AAAA of 24. */
	EXPECT(&r, "example.test", "dns.auth", "pass",
	       "2 servers of example.test answer authoritatively with serial "
	       "2026112801 and agree on 49 records");
	mr_run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The health job across real runs, its syslog lines and metrics file */

static int
listen_on(const char *addr, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, addr, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/*
 * syslog(3) writes to /dev/log, which this machine does not have: in a
 * mount namespace of this test process (Check forks each test), /dev gets
 * a tmpfs with the devices the binary needs and our own /dev/log.
 */
static int
capture_syslog(void)
{
	static const char *const devs[] = {"null", "zero", "urandom", "random"};
	char old[] = "/tmp/mailready-olddev.XXXXXX";

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_ptr_nonnull(mkdtemp(old));
	ck_assert_int_eq(mount("/dev", old, NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/dev", "tmpfs", 0, "mode=755"), 0);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		char from[128], to[64];
		snprintf(from, sizeof(from), "%s/%s", old, devs[i]);
		snprintf(to, sizeof(to), "/dev/%s", devs[i]);
		close(open(to, O_CREAT | O_WRONLY, 0666));
		ck_assert_int_eq(mount(from, to, NULL, MS_BIND, NULL), 0);
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX,
	                          .sun_path = "/dev/log"};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static char *
syslog_lines(int fd)
{
	static char all[8192];
	size_t off = 0;
	char buf[1024];
	ssize_t n;

	all[0] = '\0';
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0 &&
	       off + (size_t)n + 2 < sizeof(all)) {
		buf[n] = '\0';
		off += (size_t)snprintf(all + off, sizeof(all) - off, "%s\n",
		                        buf);
	}
	return all;
}

static void
run_health(struct mr_run *r, const char *state, const char *prom, bool syslog,
           const char *remind)
{
	const char *argv[] = {"health",
	                      "--remind",
	                      remind,
	                      "-c",
	                      lab_config("mail.conf"),
	                      "--ca-file",
	                      ca_file,
	                      "-H",
	                      "mx-closed.example.test",
	                      "--only",
	                      "net.port.*",
	                      "--state",
	                      state,
	                      "--prometheus",
	                      prom,
	                      syslog ? "--syslog" : NULL,
	                      NULL};
	mr_exec(r, argv, NULL);
}

START_TEST(health_across_runs)
{
	char dir[] = "/tmp/mailready-health.XXXXXX";
	char state[256], prom[256];
	struct mr_run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state/state.json", dir);
	snprintf(prom, sizeof(prom), "%s/mailready.prom", dir);
	int logfd = capture_syslog();

	/* 1: nothing listens on 127.0.2.56:25 */
	run_health(&r, state, prom, false, "1d");
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.out, "first run"));
	ck_assert_ptr_nonnull(strstr(r.out, "CRITICAL mx-closed.example.test "
	                                    "net.port.smtp 127.0.2.56:25: "
	                                    "PORT_CLOSED"));
	ck_assert_ptr_nonnull(strstr(r.out, "(since "));
	mr_run_free(&r);

	/* 2: still closed: no change, quiet: cron mails only news */
	run_health(&r, state, prom, false, "1d");
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_str_eq(r.out, "");
	mr_run_free(&r);

	/* 2b: still closed a second later, reminders every second: told
	   again, dated from the first run */
	sleep(1);
	run_health(&r, state, prom, false, "1s");
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.out, "no change since"));
	ck_assert_ptr_nonnull(strstr(r.out, "a reminder of what still "
	                                    "fails"));
	ck_assert_ptr_nonnull(strstr(r.out, "PORT_CLOSED"));
	mr_run_free(&r);

	/* 3: the port opens */
	int lfd = listen_on("127.0.2.56", 25);
	run_health(&r, state, prom, true, "1d");
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "1 change since"));
	ck_assert_ptr_nonnull(strstr(r.out, "mx-closed.example.test "
	                                    "net.port.smtp 127.0.2.56:25: "
	                                    "fail -> pass"));
	mr_run_free(&r);
	char *log = syslog_lines(logfd);
	ck_assert_msg(strstr(log, "mailready[") != NULL &&
	                      strstr(log,
	                             "mx-closed.example.test net.port.smtp "
	                             "127.0.2.56:25: fail -> pass") != NULL,
	              "syslog: %s", log);
	char *metrics = NULL;
	FILE *f = fopen(prom, "r");
	ck_assert_ptr_nonnull(f);
	metrics = calloc(1, 65536);
	ck_assert_uint_gt(fread(metrics, 1, 65535, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(metrics,
	                             "check=\"net.port.smtp\","
	                             "target=\"127.0.2.56:25\","
	                             "vantage=\"\",status=\"pass\"} 1"));
	free(metrics);

	/* 4: all pass, nothing changed: quiet, as cron wants */
	run_health(&r, state, prom, false, "1s");
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.out, "");
	mr_run_free(&r);

	/* 5: closed again */
	close(lfd);
	run_health(&r, state, prom, true, "1d");
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.out, "pass -> fail [PORT_CLOSED]"));
	log = syslog_lines(logfd);
	ck_assert_msg(strstr(log, "127.0.2.56:25: pass -> fail "
	                          "[PORT_CLOSED]") != NULL &&
	                      strstr(log, "(since ") != NULL,
	              "syslog: %s", log);
	mr_run_free(&r);

	/* Only the final files are left: writes went through rename. */
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "%s/state", dir);
	DIR *d = opendir(cmd);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(n, 1);
	unlink(state);
	unlink(prom);
	rmdir(cmd);
	rmdir(dir);
	close(logfd);
}
END_TEST

/*
 * On a terminal, a run longer than a second says what it still waits for
 * (the stalling fault servers hold it past a second), then clears the
 * line; colours too, but not with NO_COLOR.
 */
START_TEST(progress_on_a_tty)
{
	struct mr_run r;
	/* stalls of 2 s: the display shows after 1 s, twice a second */
	const char *argv[] = {"check",
	                      "-f",
	                      "text",
	                      "-c",
	                      lab_config("mail.conf"),
	                      "--ca-file",
	                      ca_file,
	                      "--only",
	                      "mail.*",
	                      "--probe-timeout",
	                      "2",
	                      NULL};

	unsetenv("NO_COLOR");
	mr_exec_tty(&r, argv);
	ck_assert_msg(strstr(r.out, "checks done; waiting for ") != NULL,
	              "exit %d, out: %.300s\nerr: %.300s", r.exit_code, r.out,
	              r.err);
	ck_assert_ptr_nonnull(strstr(r.out, ": mail.smtp on stall"));
	/* the progress line is cleared before the report */
	ck_assert_ptr_nonnull(strstr(r.out, "\r\033[Kmailready check: "));
	ck_assert_ptr_nonnull(strstr(r.out, "\033[31mFAIL\033[0m"));
	mr_run_free(&r);
	setenv("NO_COLOR", "1", 1);
}
END_TEST

/* The labels of a perfdata line, "'a'=;'b'=;" in order. */
static char *
perf_labels(const char *out)
{
	const char *p = strstr(out, " | ");
	char *labels = calloc(1, strlen(out) + 1);
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	for (p += 3; *p && *p != '\n'; p++) {
		if (*p != '\'')
			continue;
		const char *end = strstr(p + 1, "'=");
		ck_assert_ptr_nonnull(end);
		memcpy(labels + n, p, (size_t)(end - p + 2));
		n += (size_t)(end - p + 2);
		labels[n++] = ';';
		p = end + 1;
	}
	return labels;
}

/*
 * Graph history survives a change of results: the port of mx-closed is
 * refused in one run and answers (without speaking SMTP) in the next; the
 * perfdata labels are the same, only the values differ.
 */
START_TEST(perfdata_labels_stable)
{
	struct mr_run a, b;
	const char *argv[] = {
		"check", "-c", lab_config("mail.conf"),  "--ca-file",
		ca_file, "-H", "mx-closed.example.test", NULL};

	mr_exec(&a, argv, NULL);
	int lfd = listen_on("127.0.2.56", 25);
	mr_exec(&b, argv, NULL);
	close(lfd);
	ck_assert_int_eq(a.exit_code, 2);
	ck_assert_int_eq(b.exit_code, 2);
	char *la = perf_labels(a.out), *lb = perf_labels(b.out);
	ck_assert_str_eq(la, lb);
	ck_assert_ptr_nonnull(strstr(la, "'net.port.smtp time'="));
	ck_assert_ptr_nonnull(strstr(la, "'mail.smtp cert_days'="));
	/* refused: no time; then connected: a time */
	ck_assert_ptr_nonnull(
		strstr(a.out, "'mail.smtp cert_days'=U;30:;7:;0;"));
	ck_assert_ptr_nonnull(strstr(a.out, "[CRITICAL] mx-closed.example.test "
	                                    "net.port.smtp, mail.smtp "
	                                    "127.0.2.56:25: 127.0.2.56 port 25 "
	                                    "(smtp) is closed"));
	ck_assert_ptr_null(strstr(b.out, "'net.port.smtp time'=U"));
	free(la);
	free(lb);
	mr_run_free(&a);
	mr_run_free(&b);
}
END_TEST

/* -I: the Nagios habit -H $HOSTNAME$ -I $HOSTADDRESS$. The ports are
   probed on the given address, whatever the file declares; the DNS checks
   still judge the name. */
START_TEST(connect_address_option)
{
	struct mr_run r;
	const char *argv[] = {
		"check",      "-c",     lab_config("mail.conf"),  "--ca-file",
		ca_file,      "-H",     "mx-closed.example.test", "-I",
		"127.0.2.10", "--only", "net.port.*,mail.*",      "-f",
		"json",       NULL};

	mr_exec(&r, argv, NULL);
	json_t *port = mr_find(&r, "mx-closed.example.test", "net.port.smtp",
	                       "127.0.2.10:25");
	ck_assert_msg(port != NULL, "no net.port.smtp on 127.0.2.10: %s",
	              r.out);
	ck_assert_str_eq(json_string_value(json_object_get(port, "status")),
	                 "pass");
	/* nothing is probed on the declared, closed address */
	ck_assert_ptr_null(strstr(r.out, "127.0.2.56"));
	mr_run_free(&r);
}
END_TEST

START_TEST(thresholds_and_perfdata)
{
	struct mr_run r;
	const char *argv[] = {"check",
	                      "-c",
	                      lab_config("mail.conf"),
	                      "--ca-file",
	                      ca_file,
	                      "-H",
	                      "mta1.example.test",
	                      "--only",
	                      "mail.smtp",
	                      "-w",
	                      "time=30",
	                      "-c",
	                      "cert=400:",
	                      NULL};
	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_msg(strncmp(r.out, "MAILREADY CRITICAL - ", 21) == 0, "%s",
	              r.out);
	/* cert=400 (400: of 0.1 is read the same): critical at 400 days
	   or fewer, the config's warning level kept */
	ck_assert_ptr_nonnull(strstr(r.out, "certificate expires in "));
	ck_assert_ptr_nonnull(strstr(r.out, "; renew it now"));
	ck_assert_ptr_nonnull(strstr(r.out, "'mail.smtp cert_days'="));
	ck_assert_ptr_nonnull(strstr(r.out, ";30:;400:;0;"));
	ck_assert_ptr_nonnull(strstr(r.out, "s;30;;0;"));
	mr_run_free(&r);
}
END_TEST

START_TEST(timeout_state)
{
	struct mr_run r;
	/* Stalled servers, a deadline shorter than one phase: the checks
	 * the deadline cuts short take the state asked for. */
	const char *argv[] = {"check",
	                      "-c",
	                      lab_config("mail.conf"),
	                      "--ca-file",
	                      ca_file,
	                      "-H",
	                      "stall1.example.test",
	                      "--only",
	                      "mail.smtp",
	                      "--probe-timeout",
	                      "5",
	                      "-t",
	                      "0.5",
	                      "--timeout-state",
	                      "critical",
	                      NULL};
	mr_exec(&r, argv, NULL);
	ck_assert_int_eq(r.exit_code, 2);
	/* The greeting's timeout is cut to the run's: the stall is reported
	   as such, with the seconds waited, before the deadline. */
	ck_assert_msg(strstr(r.out, "no greeting within 0.4") != NULL, "%s",
	              r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "from 127.0.2.60 port 25 (the "
	                                    "server stalls)"));
	mr_run_free(&r);

	/* --timeout-state given: the state of a stalled server. */
	argv[14] = "warning";
	mr_exec(&r, argv, NULL);
	ck_assert_msg(r.exit_code == 1, "exit %d: %s", r.exit_code, r.out);
	mr_run_free(&r);

	/* Not given: a server that accepted and stalled has failed. */
	argv[13] = NULL;
	mr_exec(&r, argv, NULL);
	ck_assert_msg(r.exit_code == 2, "exit %d: %s", r.exit_code, r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "MAILREADY CRITICAL"));
	mr_run_free(&r);
}
END_TEST

static void
setup(void)
{
	snprintf(ca_file, sizeof(ca_file), "%s/mail/pki/root.pem",
	         getenv("LAB_RUNDIR"));
	lab_start("dns mail");
}

static void
teardown(void)
{
	lab_stop();
}

static Suite *
suite(void)
{
	Suite *s = suite_create("lab_mail");
	TCase *tc = tcase_create("mail");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, healthy_services);
	tcase_add_test(tc, certificate_faults);
	tcase_add_test(tc, protocol_faults);
	tcase_add_test(tc, hostile_servers);
	tcase_add_test(tc, hostile_text_escaped);
	tcase_add_test(tc, on_node_ports_and_internet);
	tcase_add_test(tc, internet_every_outcome);
	tcase_add_test(tc, internet_all_reached);
	tcase_add_test(tc, full_lab_run);
	tcase_add_test(tc, health_across_runs);
	tcase_add_test(tc, thresholds_and_perfdata);
	tcase_add_test(tc, progress_on_a_tty);
	tcase_add_test(tc, perfdata_labels_stable);
	tcase_add_test(tc, timeout_state);
	tcase_add_test(tc, connect_address_option);
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
