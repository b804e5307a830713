/*
 * test_sockets.c -- unit tests of who holds a port: the systemd unit from
 * a cgroup file (src/sockets.c), and the judgement of host.port.SERVICE
 * (src/probes/host_port.c) over made-up listeners and holders: expected
 * programs, foreign ones named once per program with their unit or
 * package, children sharing an expected listener, systemd socket
 * activation, hidden holders, a port nobody knows. The reading of /proc
 * itself is tested in the lab (test_lab_mail: processes holding ports in
 * a namespace of the suite's own).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/codes.h"
#include "probes/host_port.h"
#include "sockets.h"

static const char postfix[] = "master smtpd postscreen tlsproxy";

static struct listener
listener(const char *addr, unsigned long inode)
{
	struct listener l;

	memset(&l, 0, sizeof(l));
	snprintf(l.addr, sizeof(l.addr), "%s", addr);
	l.inode = inode;
	return l;
}

static struct sock_holder
holder(pid_t pid, size_t listener_index, const char *comm, const char *exe,
       const char *unit)
{
	struct sock_holder h;

	memset(&h, 0, sizeof(h));
	h.pid = pid;
	h.listener = listener_index;
	snprintf(h.comm, sizeof(h.comm), "%s", comm);
	snprintf(h.exe, sizeof(h.exe), "%s", exe);
	snprintf(h.unit, sizeof(h.unit), "%s", unit);
	return h;
}

static struct mr_result *
judge(const char *want, const struct listener *l, size_t nl,
      const struct sock_holder *h, size_t nh)
{
	struct mr_result *r =
		mr_result_new("host.port.smtp", "mx.example", NULL, ":25");
	host_port_judge(r, 25, "smtp", want, l, nl, h, nh);
	return r;
}

static size_t
count_code(const struct mr_result *r, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i]->code, code) == 0;
	return n;
}

/* The only finding with that code. */
static const struct mr_finding *
only(const struct mr_result *r, const char *code)
{
	ck_assert_msg(count_code(r, code) == 1, "%zu findings %s",
	              count_code(r, code), code);
	return mr_result_finding(r, code);
}

START_TEST(unit_from_cgroup)
{
	char unit[128];

	ck_assert(sockets_unit_of("0::/system.slice/exim4.service\n", unit,
	                          sizeof(unit)));
	ck_assert_str_eq(unit, "exim4.service");
	/* cgroup v1: several lines; the unit is in the systemd one. */
	ck_assert(sockets_unit_of("12:memory:/\n"
	                          "1:name=systemd:/system.slice/"
	                          "postfix@-.service\n",
	                          unit, sizeof(unit)));
	ck_assert_str_eq(unit, "postfix@-.service");
	/* A service's sub-cgroups, and a user's manager: the innermost. */
	ck_assert(sockets_unit_of("0::/system.slice/dovecot.service/init\n",
	                          unit, sizeof(unit)));
	ck_assert_str_eq(unit, "dovecot.service");
	ck_assert(sockets_unit_of("0::/user.slice/user-1000.slice/"
	                          "user@1000.service/app.slice/foo.service\n",
	                          unit, sizeof(unit)));
	ck_assert_str_eq(unit, "foo.service");
	/* By hand in a login session, in a container, without systemd. */
	ck_assert(!sockets_unit_of("0::/user.slice/user-0.slice/"
	                           "session-3.scope\n",
	                           unit, sizeof(unit)));
	ck_assert(!sockets_unit_of("0::/\n", unit, sizeof(unit)));
	ck_assert(!sockets_unit_of("", unit, sizeof(unit)));
	ck_assert(!sockets_unit_of("0::/system.slice/x.services\n", unit,
	                           sizeof(unit)));
}
END_TEST

START_TEST(expected_names)
{
	struct sock_holder h;

	h = holder(1, 0, "master", "/usr/lib/postfix/sbin/master", "");
	ck_assert(host_port_expected(postfix, &h));
	ck_assert(!host_port_expected("exim4 exim", &h));
	ck_assert(!host_port_expected(NULL, &h));
	/* comm is cut at 15: the executable's name, or the long name's
	   first 15 characters, match. */
	h = holder(2, 0, "carbonio-promet",
	           "/usr/bin/carbonio-prometheus-node-exporter", "");
	ck_assert(host_port_expected("carbonio-prometheus-node-exporter", &h));
	ck_assert(host_port_expected("carbonio-prometheus-*", &h));
	h.exe[0] = '\0';
	ck_assert(host_port_expected("carbonio-prometheus-node-exporter", &h));
	ck_assert(!host_port_expected("carbonio-prometheus-*", &h));
	/* Perl daemons rename themselves; a binary replaced while it runs. */
	h = holder(3, 0, "amavisd (master", "/usr/bin/perl", "");
	ck_assert(host_port_expected("amavisd", &h));
	h = holder(4, 0, "exim4", "/usr/sbin/exim4 (deleted)", "");
	ck_assert(host_port_expected("exim", &h) == false);
	ck_assert(host_port_expected("exim4", &h));
	/* Patterns, and no substring matches. */
	h = holder(5, 0, "imap-login", "/usr/lib/dovecot/imap-login", "");
	ck_assert(host_port_expected("dovecot *-login", &h));
	ck_assert(!host_port_expected("imap", &h));
	ck_assert(!host_port_expected("login", &h));
}
END_TEST

START_TEST(free_port)
{
	struct mr_result *r = judge(postfix, NULL, 0, NULL, 0);

	ck_assert_int_eq(r->status, MR_PASS);
	ck_assert_str_eq(only(r, "PORT_FREE")->message,
	                 "port 25 (smtp) is free: nothing listens on it");
	mr_result_free(r);
}
END_TEST

/*
 * Postfix: master holds the listeners, smtpd and postscreen processes
 * share them. One passing finding names them all; nothing is foreign.
 */
START_TEST(postfix_is_expected)
{
	struct listener l[] = {listener("0.0.0.0", 10), listener("::", 11)};
	struct sock_holder h[] = {
		holder(800, 0, "master", "/usr/lib/postfix/sbin/master", ""),
		holder(800, 1, "master", "/usr/lib/postfix/sbin/master", ""),
		holder(901, 0, "smtpd", "/usr/lib/postfix/sbin/smtpd", ""),
		holder(902, 0, "smtpd", "/usr/lib/postfix/sbin/smtpd", ""),
		holder(903, 1, "postscreen", "/usr/lib/postfix/sbin/postscreen",
	               ""),
	};
	struct mr_result *r = judge(postfix, l, 2, h, 5);

	ck_assert_int_eq(r->status, MR_PASS);
	ck_assert_uint_eq(r->nfindings, 1);
	ck_assert_str_eq(only(r, "PORT_HELD_EXPECTED")->message,
	                 "port 25 is held by master (pid 800), smtpd (pids "
	                 "901, 902) and postscreen (pid 903), on 0.0.0.0, ::, "
	                 "as expected for smtp");
	mr_result_free(r);
}
END_TEST

/*
 * Exim on a Postfix node: one finding for the program, however many
 * processes and addresses, with its unit to disable.
 */
START_TEST(foreign_named_once_with_unit)
{
	struct listener l[] = {listener("0.0.0.0", 10), listener("::", 11)};
	struct sock_holder h[] = {
		holder(812, 0, "exim4", "/usr/sbin/exim4", "exim4.service"),
		holder(812, 1, "exim4", "/usr/sbin/exim4", "exim4.service"),
		holder(813, 0, "exim4", "/usr/sbin/exim4", "exim4.service"),
		holder(814, 1, "exim4", "/usr/sbin/exim4", "exim4.service"),
	};
	struct mr_result *r = judge(postfix, l, 2, h, 4);
	const struct mr_finding *f;

	ck_assert_int_eq(r->status, MR_FAIL);
	ck_assert_uint_eq(r->nfindings, 1);
	f = only(r, "PORT_HELD_FOREIGN");
	ck_assert_str_eq(f->message,
	                 "port 25 is held by exim4 (pids 812, 813, 814, on "
	                 "0.0.0.0, ::), not by the smtp service (expected "
	                 "there: master, smtpd, postscreen, tlsproxy)");
	ck_assert_str_eq(f->hint, "stop it and keep it from starting again: "
	                          "systemctl disable --now exim4.service");
	ck_assert_str_eq(json_string_value(json_object_get(f->data, "unit")),
	                 "exim4.service");
	ck_assert_int_eq(json_array_size(json_object_get(f->data, "pids")), 3);
	mr_result_free(r);
}
END_TEST

/* No unit (started by hand, no systemd): how to find its package. */
START_TEST(foreign_without_unit)
{
	struct listener l[] = {listener("127.0.0.1", 10)};
	struct sock_holder h[] = {
		holder(77, 0, "sendmail", "/usr/sbin/sendmail-mta", ""),
	};
	struct mr_result *r = judge(postfix, l, 1, h, 1);

	ck_assert_str_eq(only(r, "PORT_HELD_FOREIGN")->hint,
	                 "stop it (kill 77); dpkg -S /usr/sbin/sendmail-mta "
	                 "(rpm -qf on RHEL) names the package to remove");
	mr_result_free(r);
	h[0].exe[0] = '\0';
	r = judge(postfix, l, 1, h, 1);
	ck_assert_str_eq(only(r, "PORT_HELD_FOREIGN")->hint,
	                 "stop it (kill 77); dpkg -S $(readlink /proc/77/exe) "
	                 "(rpm -qf on RHEL) names the package to remove");
	mr_result_free(r);
}
END_TEST

/*
 * Expected on one address, foreign on another: both said; a program
 * sharing only the expected listener (a child, systemd's socket of an
 * activated service) is not foreign.
 */
START_TEST(mixed_holders)
{
	struct listener l[] = {listener("127.0.2.10", 10),
	                       listener("127.0.2.56", 11)};
	struct sock_holder h[] = {
		holder(1, 0, "systemd", "/usr/lib/systemd/systemd", ""),
		holder(800, 0, "master", "/usr/lib/postfix/sbin/master",
	               "postfix@-.service"),
		holder(950, 1, "faultserver", "/tmp/faultserver", ""),
	};
	struct mr_result *r = judge(postfix, l, 2, h, 3);

	ck_assert_int_eq(r->status, MR_FAIL);
	ck_assert_uint_eq(r->nfindings, 2);
	ck_assert_str_eq(only(r, "PORT_HELD_FOREIGN")->message,
	                 "port 25 is held by faultserver (pid 950, on "
	                 "127.0.2.56), not by the smtp service (expected "
	                 "there: master, smtpd, postscreen, tlsproxy)");
	ck_assert_str_eq(only(r, "PORT_HELD_EXPECTED")->message,
	                 "port 25 is held by master (pid 800), on 127.0.2.10, "
	                 "as expected for smtp");
	mr_result_free(r);
}
END_TEST

/* systemd alone: socket activation of something not expected here. */
START_TEST(socket_activation)
{
	struct listener l[] = {listener("0.0.0.0", 10)};
	struct sock_holder h[] = {
		holder(1, 0, "systemd", "/usr/lib/systemd/systemd", ""),
	};
	struct mr_result *r = judge(postfix, l, 1, h, 1);

	ck_assert_str_eq(only(r, "PORT_HELD_FOREIGN")->hint,
	                 "systemd holds the port for a socket unit: systemctl "
	                 "list-sockets --all names it; then systemctl disable "
	                 "--now UNIT.socket");
	mr_result_free(r);
	/* ... or of the expected one, when the profile says so (ssh). */
	r = judge("sshd systemd", l, 1, h, 1);
	ck_assert_int_eq(r->status, MR_PASS);
	mr_result_free(r);
}
END_TEST

START_TEST(hidden_and_unknown)
{
	struct listener l[] = {listener("0.0.0.0", 10), listener("::", 11)};
	struct sock_holder h[] = {
		holder(40, 1, "foo", "/opt/foo/bin/foo", "foo.service"),
	};
	/* Not root: nobody seen on 0.0.0.0. */
	struct mr_result *r = judge(postfix, l, 2, h, 1);

	ck_assert_int_eq(r->status, MR_FAIL);
	ck_assert_str_eq(only(r, "PORT_HOLDER_HIDDEN")->message,
	                 "port 25 is in use on 0.0.0.0 by a process this user "
	                 "cannot see");
	ck_assert_uint_eq(count_code(r, "PORT_HELD_FOREIGN"), 1);
	mr_result_free(r);
	/* Nothing known of the service: a warning, never a failure. */
	r = judge(NULL, l, 2, h, 1);
	ck_assert_int_eq(r->status, MR_WARN);
	ck_assert_str_eq(only(r, "PORT_HELD_UNKNOWN")->message,
	                 "port 25 is held by foo (pid 40, on ::)");
	ck_assert_str_eq(only(r, "PORT_HELD_UNKNOWN")->hint,
	                 "make sure it is the smtp service (its unit: "
	                 "foo.service); the profile's holders key names the "
	                 "programs expected on a port");
	mr_result_free(r);
}
END_TEST

/* A long name cut in comm is shown whole, from the executable. */
START_TEST(long_names_shown_whole)
{
	struct listener l[] = {listener("0.0.0.0", 10)};
	struct sock_holder h[] = {
		holder(60, 0, "carbonio-promet",
	               "/usr/bin/carbonio-prometheus-nginx-exporter", ""),
	};
	struct mr_result *r = judge(postfix, l, 1, h, 1);

	ck_assert_ptr_nonnull(strstr(only(r, "PORT_HELD_FOREIGN")->message,
	                             "held by carbonio-prometheus-nginx-"
	                             "exporter (pid 60"));
	mr_result_free(r);
}
END_TEST

static Suite *
sockets_suite(void)
{
	Suite *s = suite_create("sockets");
	TCase *tc = tcase_create("holders");

	tcase_add_test(tc, unit_from_cgroup);
	tcase_add_test(tc, expected_names);
	tcase_add_test(tc, free_port);
	tcase_add_test(tc, postfix_is_expected);
	tcase_add_test(tc, foreign_named_once_with_unit);
	tcase_add_test(tc, foreign_without_unit);
	tcase_add_test(tc, mixed_holders);
	tcase_add_test(tc, socket_activation);
	tcase_add_test(tc, hidden_and_unknown);
	tcase_add_test(tc, long_names_shown_whole);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sockets_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
