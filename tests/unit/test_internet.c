/*
 * test_internet.c -- net.internet (src/probes/internet.c) run on the real
 * event loop against listeners of this test on 127.0.0.1: one that greets,
 * one that accepts and stays silent, a closed port, a port whose accept
 * queue is full (its SYNs are dropped: filtered), and an address outside
 * allow_networks. Each target is one finding, and the check waits for the
 * slowest. Nothing leaves 127.0.0.1 (the policy refuses the one address
 * outside it before any packet).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "netpolicy.h"
#include "plan.h"
#include "profile.h"

static const char profile_text[] = "[profile]\n"
				   "default_roles = mta\n"
				   "[all]\n"
				   "checks = net.internet\n"
				   "[role mta]\n";

/* A TCP socket bound to 127.0.0.1 on a port of the kernel's choice. */
static int
bound_socket(uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Accepts and never sends: the handshake completes, then silence. */
static int
silent_listener(uint16_t *port)
{
	int fd = bound_socket(port);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/* Bound, not listening: a connect is refused (RST). */
static int
closed_port(uint16_t *port)
{
	return bound_socket(port);
}

/*
 * Backlog 0 and one connection nobody accepts: the accept queue is full,
 * so Linux drops every further SYN, as a filtering firewall does.
 */
static int
filtered_listener(uint16_t *port, int *filler)
{
	int fd = bound_socket(port);
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons(*port)};

	ck_assert_int_eq(listen(fd, 0), 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	*filler = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*filler, (struct sockaddr *)&sin, sizeof(sin)),
	                 0);
	return fd;
}

/* A child that greets every connection like an MTA, then reads. */
static pid_t
greeter(uint16_t *port)
{
	int fd = silent_listener(port);
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid > 0) {
		close(fd);
		return pid;
	}
	/* Check's handler would take the test's process group down too. */
	signal(SIGTERM, SIG_DFL);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			_exit(1);
		static const char hello[] = "220 greeter.test ESMTP\r\n";
		if (write(c, hello, sizeof(hello) - 1) < 0)
			_exit(1);
		char buf[256];
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static void
stop_child(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* Run net.internet on the node itself with these targets. */
static struct mr_result *
run_internet(const char *targets, double *wall_ms)
{
	char text[2048], err[512] = "";
	struct netpolicy np;
	struct plan plan;
	struct run run;
	struct mr_result_list results = {NULL, 0, 0};
	char *only[] = {"net.internet"};

	snprintf(text, sizeof(text),
	         "[cluster]\n"
	         "allow_networks = 127.0.0.0/8\n"
	         "timeout = 5\n"
	         "probe_timeout = 1\n"
	         "internet_targets = %s\n"
	         "[node self.example.test]\n"
	         "roles = mta\n"
	         "internal = 127.0.0.1\n",
	         targets);
	struct mr_config *cfg =
		mr_config_load_string("c.conf", text, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	struct profile *prof =
		profile_load_string("p.conf", profile_text, err, sizeof(err));
	ck_assert_msg(prof != NULL, "%s", err);
	ck_assert_msg(netpolicy_init(&np, cfg, getenv(NETPOLICY_ENV), err,
	                             sizeof(err)) == 0,
	              "%s", err);
	struct plan_opts po = {.mode = MODE_CHECK,
	                       .self = "self.example.test",
	                       .only = only,
	                       .nonly = 1};
	ck_assert_msg(plan_build(cfg, prof, &po, &plan, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_msg(run_init(&run, cfg, &np, &plan, 4, err, sizeof(err)) == 0,
	              "%s", err);
	run_execute(&run);
	*wall_ms = run_elapsed_ms(&run);
	run_take_results(&run, &results);
	run_free(&run);
	ck_assert_uint_eq(results.n, 1);
	struct mr_result *res = results.v[0];
	results.v[0] = NULL;
	results.n = 0;
	mr_result_list_clear(&results);
	plan_free(&plan);
	netpolicy_free(&np);
	profile_free(prof);
	mr_config_free(cfg);
	return res;
}

/* The finding for target 127.0.0.1:port (or host:port), or NULL. */
static const struct mr_finding *
finding_for(const struct mr_result *res, const char *host, uint16_t port)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		const struct mr_finding *f = res->findings[i];
		const char *t =
			json_string_value(json_object_get(f->data, "target"));
		json_int_t p =
			json_integer_value(json_object_get(f->data, "port"));
		if (t && strcmp(t, host) == 0 && p == port)
			return f;
	}
	return NULL;
}

static void
expect_finding(const struct mr_result *res, const char *host, uint16_t port,
               const char *code, enum mr_status sev, const char *outcome,
               const char *fragment)
{
	const struct mr_finding *f = finding_for(res, host, port);

	ck_assert_msg(f != NULL, "no finding for %s:%u", host, port);
	ck_assert_str_eq(f->code, code);
	ck_assert_int_eq(f->severity, sev);
	if (outcome)
		ck_assert_str_eq(
			json_string_value(json_object_get(f->data, "outcome")),
			outcome);
	ck_assert_msg(strstr(f->message, fragment) != NULL, "'%s' not in '%s'",
	              fragment, f->message);
}

/* A greeting and silence after the handshake are both "reached". */
START_TEST(greeting_and_silence_are_reached)
{
	uint16_t pg, ps;
	pid_t g = greeter(&pg);
	int s = silent_listener(&ps);
	char targets[128];
	double ms;

	snprintf(targets, sizeof(targets), "127.0.0.1:%u, 127.0.0.1:%u", pg,
	         ps);
	struct mr_result *res = run_internet(targets, &ms);
	stop_child(g);
	close(s);

	ck_assert_int_eq(res->status, MR_PASS);
	ck_assert_uint_eq(res->nfindings, 2);
	expect_finding(res, "127.0.0.1", pg, "INTERNET_OK", MR_PASS, "open",
	               "reaches 127.0.0.1:");
	expect_finding(res, "127.0.0.1", ps, "INTERNET_OK", MR_PASS, "open",
	               "reaches 127.0.0.1:");
	/* Nothing waited for the silent one to speak. */
	ck_assert_msg(ms < 500, "took %.0f ms", ms);
	mr_result_free(res);
}
END_TEST

/*
 * A greeter and a silent server answer in a millisecond, one target is
 * filtered (the connect timeout, 0.8 s of the 1 s probe timeout), one
 * refuses: the check ends with the slowest, one finding each, and fails.
 * What the greeter sends, or the silent one does not, while the check
 * waits for the filtered one changes nothing.
 */
START_TEST(waits_for_every_target)
{
	uint16_t pg, ps, pf, pc;
	int filler;
	pid_t g = greeter(&pg);
	int s = silent_listener(&ps);
	int f = filtered_listener(&pf, &filler);
	int c = closed_port(&pc);
	char targets[200];
	double ms;

	snprintf(targets, sizeof(targets),
	         "127.0.0.1:%u, 127.0.0.1:%u, 127.0.0.1:%u, 127.0.0.1:%u", pg,
	         ps, pf, pc);
	struct mr_result *res = run_internet(targets, &ms);
	stop_child(g);
	close(filler);
	close(f);
	close(s);
	close(c);

	ck_assert_int_eq(res->status, MR_FAIL);
	ck_assert_uint_eq(res->nfindings, 4);
	expect_finding(res, "127.0.0.1", pg, "INTERNET_OK", MR_PASS, "open",
	               "reaches");
	expect_finding(res, "127.0.0.1", ps, "INTERNET_OK", MR_PASS, "open",
	               "reaches");
	expect_finding(res, "127.0.0.1", pf, "INTERNET_UNREACHABLE", MR_FAIL,
	               "filtered",
	               "no answer within 0.8 s, filtered by a firewall or the "
	               "host is down");
	expect_finding(res, "127.0.0.1", pc, "INTERNET_UNREACHABLE", MR_FAIL,
	               "refused", "connection refused");
	ck_assert_msg(ms >= 750 && ms < 1000, "took %.0f ms", ms);
	mr_result_free(res);
}
END_TEST

/*
 * A target outside allow_networks ends while the check starts (nothing is
 * sent to it); the check still waits for the others, and ends by itself
 * when no target is left to wait for.
 */
START_TEST(not_allowed_targets)
{
	uint16_t ps;
	int s = silent_listener(&ps);
	char targets[128];
	double ms;

	snprintf(targets, sizeof(targets), "198.51.100.25:443, 127.0.0.1:%u",
	         ps);
	struct mr_result *res = run_internet(targets, &ms);
	ck_assert_int_eq(res->status, MR_UNKNOWN);
	ck_assert_uint_eq(res->nfindings, 2);
	expect_finding(res, "198.51.100.25", 443, "NOT_ALLOWED", MR_UNKNOWN,
	               NULL,
	               "198.51.100.25:443 not tried: 198.51.100.25 is "
	               "outside allow_networks");
	expect_finding(res, "127.0.0.1", ps, "INTERNET_OK", MR_PASS, "open",
	               "reaches");
	mr_result_free(res);

	res = run_internet("198.51.100.25:443, 198.51.100.26:25", &ms);
	ck_assert_int_eq(res->status, MR_UNKNOWN);
	ck_assert_uint_eq(res->nfindings, 2);
	mr_result_free(res);
	close(s);
}
END_TEST

/* More targets than the old fixed table held (16): none is dropped. */
START_TEST(many_targets)
{
	enum { N = 20 };
	uint16_t port[N];
	int fd[N];
	char targets[N * 24] = "";
	double ms;

	for (int i = 0; i < N; i++) {
		fd[i] = silent_listener(&port[i]);
		size_t len = strlen(targets);
		/* One per line: a config line has a length limit. */
		snprintf(targets + len, sizeof(targets) - len, "%s127.0.0.1:%u",
		         i ? ",\n\t" : "", port[i]);
	}
	struct mr_result *res = run_internet(targets, &ms);
	ck_assert_int_eq(res->status, MR_PASS);
	ck_assert_uint_eq(res->nfindings, N);
	for (int i = 0; i < N; i++) {
		expect_finding(res, "127.0.0.1", port[i], "INTERNET_OK",
		               MR_PASS, "open", "reaches");
		close(fd[i]);
	}
	mr_result_free(res);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("internet");
	TCase *tc = tcase_create("internet");
	SRunner *sr;
	int failed;

	/* The greeter writes to clients that may have closed already. */
	signal(SIGPIPE, SIG_IGN);
	tcase_add_test(tc, greeting_and_silence_are_reached);
	tcase_add_test(tc, waits_for_every_target);
	tcase_add_test(tc, not_allowed_targets);
	tcase_add_test(tc, many_targets);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
