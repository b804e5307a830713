/*
 * test_fetch.c -- HTTPS fetches (src/io/fetch.c) against a real nginx on
 * loopback, with a certificate from a CA this test makes with openssl:
 * a policy served, 404, a redirect not followed, a body over the bound, a
 * certificate for another name, an untrusted CA, an address outside
 * allow_networks, a closed port, a server that never answers, and a fetch
 * cancelled before it ends. nginx and openssl are needed (tests/deps.sh
 * installs them).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "io/fetch.h"
#include "mailready/config.h"
#include "netpolicy.h"

extern char **environ;

#define HOST "mta-sts.fetch.test"
#define POLICY                                                     \
	"version: STSv1\r\nmode: enforce\r\nmx: mx.fetch.test\r\n" \
	"max_age: 86400\r\n"

static char dir[] = "/tmp/mailready-fetch.XXXXXX";
static pid_t nginx_pid;
static uint16_t port;
static bool have_tools;

static int
run(const char *const *argv)
{
	pid_t pid;
	int st;
	posix_spawn_file_actions_t fa;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	                      environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *
in_dir(const char *name)
{
	static char buf[16][256];
	static int i;

	i = (i + 1) % 16;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

/* A port nothing listens on now (bound, read, closed). */
static uint16_t
free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sl), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static bool
accepts(uint16_t p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void
make_pki(void)
{
	const char *ca[] = {"openssl",
	                    "req",
	                    "-x509",
	                    "-newkey",
	                    "ec",
	                    "-pkeyopt",
	                    "ec_paramgen_curve:P-256",
	                    "-nodes",
	                    "-keyout",
	                    in_dir("ca.key"),
	                    "-out",
	                    in_dir("ca.pem"),
	                    "-subj",
	                    "/CN=Fetch Test CA",
	                    "-days",
	                    "2",
	                    "-addext",
	                    "basicConstraints=critical,CA:TRUE",
	                    "-addext",
	                    "keyUsage=critical,keyCertSign",
	                    NULL};
	const char *csr[] = {"openssl",
	                     "req",
	                     "-new",
	                     "-newkey",
	                     "ec",
	                     "-pkeyopt",
	                     "ec_paramgen_curve:P-256",
	                     "-nodes",
	                     "-keyout",
	                     in_dir("leaf.key"),
	                     "-out",
	                     in_dir("leaf.csr"),
	                     "-subj",
	                     "/CN=" HOST,
	                     NULL};
	const char *sign[] = {"openssl",
	                      "x509",
	                      "-req",
	                      "-in",
	                      in_dir("leaf.csr"),
	                      "-CA",
	                      in_dir("ca.pem"),
	                      "-CAkey",
	                      in_dir("ca.key"),
	                      "-CAcreateserial",
	                      "-days",
	                      "2",
	                      "-extfile",
	                      in_dir("ext.cnf"),
	                      "-out",
	                      in_dir("leaf.pem"),
	                      NULL};
	const char *ext = "subjectAltName=DNS:" HOST "\n";

	write_file(in_dir("ext.cnf"), ext, strlen(ext));
	ck_assert_int_eq(run(ca), 0);
	ck_assert_int_eq(run(csr), 0);
	ck_assert_int_eq(run(sign), 0);
}

static void
start_nginx(void)
{
	char conf[2048];
	char *big = malloc(100 * 1024);

	ck_assert_ptr_nonnull(big);
	mkdir(in_dir("www"), 0755);
	mkdir(in_dir("www/.well-known"), 0755);
	mkdir(in_dir("tmp"), 0755);
	write_file(in_dir("www/.well-known/mta-sts.txt"), POLICY,
	           strlen(POLICY));
	memset(big, 'x', 100 * 1024);
	write_file(in_dir("www/big.txt"), big, 100 * 1024);
	free(big);
	port = free_port();
	snprintf(conf, sizeof(conf),
	         "daemon off; master_process off; pid %s/nginx.pid;\n"
	         "error_log %s/error.log info;\n"
	         "events { worker_connections 64; }\n"
	         "http { access_log off; client_body_temp_path %s/tmp;\n"
	         " proxy_temp_path %s/tmp; fastcgi_temp_path %s/tmp;\n"
	         " uwsgi_temp_path %s/tmp; scgi_temp_path %s/tmp;\n"
	         " types { text/plain txt; } default_type text/html;\n"
	         " server { listen 127.0.0.1:%u ssl; server_name " HOST ";\n"
	         "  ssl_certificate %s/leaf.pem;\n"
	         "  ssl_certificate_key %s/leaf.key;\n"
	         "  root %s/www;\n"
	         "  location = /moved { return 301 https://elsewhere.test/; }\n"
	         " }\n}\n",
	         dir, dir, dir, dir, dir, dir, dir, port, dir, dir, dir);
	write_file(in_dir("nginx.conf"), conf, strlen(conf));
	const char *argv[] = {"nginx", "-e", in_dir("error.log"),  "-p",
	                      dir,     "-c", in_dir("nginx.conf"), NULL};
	ck_assert_int_eq(posix_spawnp(&nginx_pid, "nginx", NULL, NULL,
	                              (char *const *)argv, environ),
	                 0);
	for (int i = 0; i < 100 && !accepts(port); i++) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	ck_assert_msg(accepts(port), "nginx did not start (see %s/error.log)",
	              dir);
}

static void
setup(void)
{
	const char *which[] = {"sh", "-c",
	                       "command -v nginx && command -v openssl", NULL};

	have_tools = run(which) == 0;
	ck_assert_msg(have_tools, "nginx and openssl are needed here "
	                          "(tests/deps.sh installs them)");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_pki();
	start_nginx();
}

static void
teardown(void)
{
	if (nginx_pid > 0) {
		kill(nginx_pid, SIGTERM);
		waitpid(nginx_pid, NULL, 0);
	}
	if (have_tools) {
		const char *rm[] = {"rm", "-rf", "--", dir, NULL};
		run(rm);
	}
}

/* A loop, a fetch service and a network policy allowing loopback only. */
struct env {
	struct mr_config *cfg;
	struct netpolicy np;
	struct event_base *base;
	struct fetch_svc *s;
	struct mr_addr a;
	char err[256];
};

static void
env_open(struct env *e, const char *addr)
{
	memset(e, 0, sizeof(*e));
	e->cfg = mr_config_new_default();
	ck_assert_int_eq(mr_addr_parse(addr, &e->a), 0);
	ck_assert_int_eq(netpolicy_init(&e->np, e->cfg, "127.0.0.0/8,::1/128",
	                                e->err, sizeof(e->err)),
	                 0);
	e->base = event_base_new();
	e->s = fetch_svc_new(e->base, &e->np, e->err, sizeof(e->err));
	ck_assert_ptr_nonnull(e->s);
}

static void
env_close(struct env *e)
{
	fetch_svc_free(e->s);
	event_base_free(e->base);
	netpolicy_free(&e->np);
	mr_config_free(e->cfg);
}

/* One fetch on a fresh loop, to its end. */
struct outcome {
	bool called;
	enum fetch_status status;
	long code;
	char body[256];
	size_t len;
	char ctype[64];
	char location[128];
	char error[512];
};

static void
on_done(void *arg, const struct fetch_result *r)
{
	struct outcome *o = arg;

	o->called = true;
	o->status = r->status;
	o->code = r->http_code;
	o->len = r->len;
	snprintf(o->body, sizeof(o->body), "%s", r->body);
	snprintf(o->ctype, sizeof(o->ctype), "%s",
	         r->content_type ? r->content_type : "");
	snprintf(o->location, sizeof(o->location), "%s",
	         r->redirect_to ? r->redirect_to : "");
	snprintf(o->error, sizeof(o->error), "%s", r->error ? r->error : "");
}

static struct outcome
fetch(const char *host, const char *path, const char *addr, uint16_t p,
      size_t max, double timeout_s, bool trust_lab)
{
	struct outcome o;
	struct env e;

	memset(&o, 0, sizeof(o));
	env_open(&e, addr);
	struct fetch_opts opt = {&e.a, 1,
	                         p,    timeout_s,
	                         max,  trust_lab ? in_dir("ca.pem") : NULL};
	ck_assert_ptr_nonnull(fetch_https(e.s, host, path, &opt, on_done, &o,
	                                  e.err, sizeof(e.err)));
	ck_assert(!o.called); /* never from inside fetch_https */
	event_base_dispatch(e.base);
	ck_assert(o.called);
	env_close(&e);
	return o;
}

START_TEST(policy_served)
{
	struct outcome o = fetch(HOST, "/.well-known/mta-sts.txt", "127.0.0.1",
	                         port, 65536, 5, true);
	ck_assert_int_eq(o.status, FETCH_OK);
	ck_assert_int_eq(o.code, 200);
	ck_assert_str_eq(o.body, POLICY);
	ck_assert_uint_eq(o.len, strlen(POLICY));
	ck_assert_str_eq(o.ctype, "text/plain");
	ck_assert_str_eq(o.error, "");
}
END_TEST

START_TEST(not_found)
{
	struct outcome o =
		fetch(HOST, "/nothing", "127.0.0.1", port, 65536, 5, true);
	ck_assert_int_eq(o.status, FETCH_OK);
	ck_assert_int_eq(o.code, 404);
}
END_TEST

START_TEST(redirect_not_followed)
{
	struct outcome o =
		fetch(HOST, "/moved", "127.0.0.1", port, 65536, 5, true);
	ck_assert_int_eq(o.status, FETCH_OK);
	ck_assert_int_eq(o.code, 301);
	ck_assert_str_eq(o.location, "https://elsewhere.test/");
}
END_TEST

START_TEST(body_over_bound)
{
	struct outcome o =
		fetch(HOST, "/big.txt", "127.0.0.1", port, 65536, 5, true);
	ck_assert_int_eq(o.status, FETCH_TOO_BIG);
	ck_assert_msg(strstr(o.error, "over 65536 bytes"), "%s", o.error);
}
END_TEST

START_TEST(other_name)
{
	struct outcome o = fetch("other.fetch.test", "/.well-known/mta-sts.txt",
	                         "127.0.0.1", port, 65536, 5, true);
	ck_assert_int_eq(o.status, FETCH_TLS);
	ck_assert_msg(strstr(o.error, "other.fetch.test") ||
	                      strstr(o.error, "certificate"),
	              "%s", o.error);
}
END_TEST

START_TEST(untrusted_ca)
{
	struct outcome o = fetch(HOST, "/.well-known/mta-sts.txt", "127.0.0.1",
	                         port, 65536, 5, false);
	ck_assert_int_eq(o.status, FETCH_TLS);
	ck_assert_str_ne(o.error, "");
}
END_TEST

START_TEST(outside_allow_networks)
{
	/* No server needed: nothing may be sent. */
	struct outcome o = fetch(HOST, "/.well-known/mta-sts.txt", "10.9.9.9",
	                         443, 65536, 5, false);
	ck_assert_int_eq(o.status, FETCH_BLOCKED);
	ck_assert_msg(strstr(o.error, "10.9.9.9") &&
	                      strstr(o.error, "not contacted"),
	              "%s", o.error);
}
END_TEST

START_TEST(closed_port)
{
	struct outcome o =
		fetch(HOST, "/", "127.0.0.1", free_port(), 65536, 5, false);
	ck_assert_int_eq(o.status, FETCH_CONNECT);
	ck_assert_str_ne(o.error, "");
}
END_TEST

START_TEST(silent_server)
{
	/* Listening, never accepting: the handshake waits for nothing. */
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sl), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	struct outcome o = fetch(HOST, "/", "127.0.0.1", ntohs(sa.sin_port),
	                         65536, 0.3, false);
	close(fd);
	ck_assert_int_eq(o.status, FETCH_TIMEOUT);
}
END_TEST

static void
never(void *arg, const struct fetch_result *r)
{
	(void)arg;
	(void)r;
	ck_abort_msg("a cancelled fetch called back");
}

START_TEST(cancelled)
{
	struct env e;

	env_open(&e, "127.0.0.1");
	struct fetch_opts opt = {&e.a, 1, port, 5, 65536, in_dir("ca.pem")};
	struct fetch_req *r =
		fetch_https(e.s, HOST, "/.well-known/mta-sts.txt", &opt, never,
	                    NULL, e.err, sizeof(e.err));
	ck_assert_ptr_nonnull(r);
	event_base_loop(e.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	fetch_cancel(r);
	/* One more running fetch left to the service to cancel. */
	ck_assert_ptr_nonnull(fetch_https(e.s, HOST, "/", &opt, never, NULL,
	                                  e.err, sizeof(e.err)));
	event_base_loop(e.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	env_close(&e);
}
END_TEST

START_TEST(bad_arguments)
{
	struct env e;
	char *err = e.err;

	env_open(&e, "127.0.0.1");
	struct fetch_opts opt = {&e.a, 1, 443, 5, 65536, NULL};
	ck_assert_ptr_null(fetch_https(e.s, "a.test:1@b.test", "/", &opt, never,
	                               NULL, err, sizeof(e.err)));
	ck_assert_msg(strstr(err, "cannot fetch"), "%s", err);
	ck_assert_ptr_null(fetch_https(e.s, HOST, "/a b", &opt, never, NULL,
	                               err, sizeof(e.err)));
	ck_assert_ptr_null(fetch_https(e.s, HOST, "x", &opt, never, NULL, err,
	                               sizeof(e.err)));
	opt.naddrs = 0;
	ck_assert_ptr_null(fetch_https(e.s, HOST, "/", &opt, never, NULL, err,
	                               sizeof(e.err)));
	env_close(&e);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("nginx");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, policy_served);
	tcase_add_test(tc, not_found);
	tcase_add_test(tc, redirect_not_followed);
	tcase_add_test(tc, body_over_bound);
	tcase_add_test(tc, other_name);
	tcase_add_test(tc, untrusted_ca);
	tcase_add_test(tc, outside_allow_networks);
	tcase_add_test(tc, closed_port);
	tcase_add_test(tc, silent_server);
	tcase_add_test(tc, cancelled);
	tcase_add_test(tc, bad_arguments);
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
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
