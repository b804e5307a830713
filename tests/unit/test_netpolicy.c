/*
 * test_netpolicy.c -- unit tests of the network policy (src/netpolicy.c):
 * address classes, allow_networks narrowed by MAILREADY_ALLOW_NETWORKS,
 * what counts as public, and the connect(2) choke point.
 *
 * Sockets here only ever reach 127.0.0.1. The refused connects aim at
 * documentation addresses over UDP, where even a connect(2) that slipped
 * through would send nothing.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailready/config.h"
#include "netpolicy.h"

static struct mr_addr
addr(const char *s)
{
	struct mr_addr a;

	ck_assert_msg(mr_addr_parse(s, &a) == 0, "cannot parse %s", s);
	return a;
}

#define CLASS(s, want)                                             \
	do {                                                       \
		struct mr_addr a_ = addr(s);                       \
		ck_assert_msg(addr_classify(&a_) == (want),        \
		              "%s: got %s, want %s", s,            \
		              addr_class_name(addr_classify(&a_)), \
		              addr_class_name(want));              \
	} while (0)

START_TEST(classify_v4)
{
	CLASS("8.8.8.8", ADDR_GLOBAL);
	CLASS("172.32.0.1", ADDR_GLOBAL);
	CLASS("100.128.0.1", ADDR_GLOBAL);
	CLASS("127.0.0.1", ADDR_LOOPBACK);
	CLASS("127.255.255.254", ADDR_LOOPBACK);
	CLASS("10.1.2.3", ADDR_PRIVATE);
	CLASS("172.16.0.1", ADDR_PRIVATE);
	CLASS("172.31.255.255", ADDR_PRIVATE);
	CLASS("192.168.1.1", ADDR_PRIVATE);
	CLASS("100.64.0.1", ADDR_SHARED);
	CLASS("100.127.255.255", ADDR_SHARED);
	CLASS("169.254.1.1", ADDR_LINK_LOCAL);
	CLASS("192.0.2.1", ADDR_DOCUMENTATION);
	CLASS("198.51.100.1", ADDR_DOCUMENTATION);
	CLASS("203.0.113.1", ADDR_DOCUMENTATION);
	CLASS("198.18.0.1", ADDR_BENCHMARK);
	CLASS("198.19.255.255", ADDR_BENCHMARK);
	CLASS("224.0.0.1", ADDR_MULTICAST);
	CLASS("239.255.255.255", ADDR_MULTICAST);
	CLASS("0.0.0.0", ADDR_UNSPECIFIED);
	CLASS("240.0.0.1", ADDR_RESERVED);
	CLASS("255.255.255.255", ADDR_RESERVED);
	CLASS("192.0.0.8", ADDR_RESERVED);
}
END_TEST

START_TEST(classify_v6)
{
	CLASS("2a00:1450:4001::1", ADDR_GLOBAL);
	CLASS("2606:4700::1111", ADDR_GLOBAL);
	CLASS("::1", ADDR_LOOPBACK);
	CLASS("fd00::1", ADDR_PRIVATE);
	CLASS("fc00::1", ADDR_PRIVATE);
	CLASS("fe80::1", ADDR_LINK_LOCAL);
	CLASS("2001:db8::1", ADDR_DOCUMENTATION);
	CLASS("3fff::1", ADDR_DOCUMENTATION);
	CLASS("ff02::1", ADDR_MULTICAST);
	CLASS("::", ADDR_UNSPECIFIED);
	CLASS("::ffff:192.0.2.1", ADDR_RESERVED);
	CLASS("2002::1", ADDR_RESERVED);
	CLASS("2001::1", ADDR_RESERVED);
	CLASS("64:ff9b:1::1", ADDR_RESERVED);
	CLASS("100::1", ADDR_RESERVED);
	/* Outside 2000::/3, the only global unicast block. */
	CLASS("4000::1", ADDR_RESERVED);
}
END_TEST

START_TEST(class_names)
{
	ck_assert_str_eq(addr_class_name(ADDR_GLOBAL), "public");
	ck_assert_str_eq(addr_class_name(ADDR_LOOPBACK), "loopback");
	ck_assert_str_eq(addr_class_name(ADDR_PRIVATE), "private");
	ck_assert_str_eq(addr_class_name(ADDR_DOCUMENTATION),
	                 "documentation-only");
	ck_assert_str_eq(addr_class_name(ADDR_UNSPECIFIED), "unspecified");
}
END_TEST

/* A config with allow_networks set to nets (NULL: the default, any). */
static struct mr_config *
config_allowing(const char *nets)
{
	struct mr_config *c = mr_config_new_default();
	char err[160];

	if (nets != NULL)
		ck_assert_msg(mr_cidr_list_parse(nets, &c->allow_networks, err,
		                                 sizeof(err)) == 0,
		              "%s", err);
	return c;
}

static bool
allows(const struct netpolicy *np, const char *s)
{
	struct mr_addr a = addr(s);

	return netpolicy_allows(np, &a);
}

START_TEST(policy_config_only)
{
	struct mr_config *c = config_allowing("127.0.0.0/8, ::1/128");
	struct netpolicy np;
	char err[160];

	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	ck_assert(!np.has_env);
	ck_assert(allows(&np, "127.0.2.10"));
	ck_assert(allows(&np, "::1"));
	ck_assert(!allows(&np, "10.0.0.1"));
	ck_assert(!allows(&np, "2001:db8::1"));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(policy_default_allows_any)
{
	struct mr_config *c = config_allowing(NULL);
	struct netpolicy np;
	char err[160];

	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	ck_assert(allows(&np, "192.0.2.1"));
	ck_assert(allows(&np, "2001:db8::1"));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(policy_env_narrows_any)
{
	struct mr_config *c = config_allowing("any");
	struct netpolicy np;
	char err[160];

	ck_assert_int_eq(
		netpolicy_init(&np, c, "127.0.0.0/8", err, sizeof(err)), 0);
	ck_assert(np.has_env);
	ck_assert(!allows(&np, "10.0.0.1"));
	ck_assert(!allows(&np, "::1"));
	ck_assert(allows(&np, "127.0.0.1"));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(policy_env_cannot_widen)
{
	struct mr_config *c = config_allowing("127.0.0.0/8, 10.0.0.0/8");
	struct netpolicy np;
	char err[160];

	ck_assert_int_eq(netpolicy_init(&np, c, "127.0.0.0/16, 192.0.2.0/24",
	                                err, sizeof(err)),
	                 0);
	/* Allowed only where both lists agree. */
	ck_assert(allows(&np, "127.0.0.1"));
	ck_assert(!allows(&np, "127.1.0.1")); /* config only */
	ck_assert(!allows(&np, "10.0.0.1"));  /* config only */
	ck_assert(!allows(&np, "192.0.2.1")); /* env only */
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(policy_env_bad)
{
	struct mr_config *c = config_allowing(NULL);
	struct netpolicy np;
	char err[160] = "";

	ck_assert_int_eq(netpolicy_init(&np, c, "10.0.0.1/8", err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "MAILREADY_ALLOW_NETWORKS: '10.0.0.1/8' has "
	                      "host bits set; write the network address");
	ck_assert_int_eq(netpolicy_init(&np, c, "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "MAILREADY_ALLOW_NETWORKS: no networks given");
	mr_config_free(c);
}
END_TEST

START_TEST(policy_explain)
{
	struct mr_config *c = config_allowing("127.0.0.0/8, 10.0.0.0/8");
	struct netpolicy np;
	struct mr_addr a;
	char err[160], buf[256];

	ck_assert_int_eq(
		netpolicy_init(&np, c, "127.0.0.0/8", err, sizeof(err)), 0);
	a = addr("192.0.2.53");
	ck_assert_str_eq(netpolicy_explain(&np, &a, buf, sizeof(buf)),
	                 "192.0.2.53 is outside allow_networks (127.0.0.0/8, "
	                 "10.0.0.0/8); not contacted");
	a = addr("10.0.0.53");
	ck_assert_str_eq(netpolicy_explain(&np, &a, buf, sizeof(buf)),
	                 "10.0.0.53 is outside MAILREADY_ALLOW_NETWORKS "
	                 "(127.0.0.0/8); not contacted");
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(public_default)
{
	struct mr_config *c = config_allowing(NULL);
	struct netpolicy np;
	struct mr_addr g = addr("8.8.8.8"), d = addr("203.0.113.10");
	struct mr_addr p = addr("10.0.0.10"), g6 = addr("2a00:1450:4001::1");
	char err[160];

	ck_assert(c->public_default);
	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	ck_assert(netpolicy_is_public(&np, &g));
	ck_assert(netpolicy_is_public(&np, &g6));
	ck_assert(!netpolicy_is_public(&np, &d));
	ck_assert(!netpolicy_is_public(&np, &p));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(public_configured)
{
	struct mr_config *c = config_allowing(NULL);
	struct netpolicy np;
	struct mr_addr g = addr("8.8.8.8"), d = addr("203.0.113.10");
	struct mr_addr lab = addr("127.0.2.10");
	char err[160];

	ck_assert_int_eq(mr_cidr_list_parse("203.0.113.0/24, 127.0.2.0/24",
	                                    &c->public_networks, err,
	                                    sizeof(err)),
	                 0);
	c->public_default = false;
	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	ck_assert(netpolicy_is_public(&np, &d));
	ck_assert(netpolicy_is_public(&np, &lab));
	ck_assert(!netpolicy_is_public(&np, &g));
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(connect_allowed)
{
	struct mr_config *c = config_allowing("127.0.0.0/8");
	struct netpolicy np;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char err[160];
	int lfd, fd;

	ck_assert_int_eq(
		netpolicy_init(&np, c, "127.0.0.1/32", err, sizeof(err)), 0);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(
		netpolicy_connect(&np, fd, (struct sockaddr *)&sin, len), 0);
	ck_assert_uint_eq(np.blocked, 0);
	close(fd);
	close(lfd);
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(connect_refused_never_connects)
{
	struct mr_config *c = config_allowing("127.0.0.0/8");
	struct netpolicy np;
	struct sockaddr_storage ss, peer;
	socklen_t len, plen = sizeof(peer);
	struct mr_addr a = addr("192.0.2.1");
	char err[160];
	int fd;

	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	len = mr_addr_to_sockaddr(&a, 9, &ss);
	errno = 0;
	ck_assert_int_eq(
		netpolicy_connect(&np, fd, (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_uint_eq(np.blocked, 1);
	/* connect(2) was never called: the socket has no peer. */
	ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &plen), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	close(fd);
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

START_TEST(connect_refused_v4_mapped)
{
	struct mr_config *c = config_allowing("127.0.0.0/8");
	struct netpolicy np;
	struct sockaddr_in6 s6;
	char err[160];
	int fd;

	ck_assert_int_eq(netpolicy_init(&np, c, NULL, err, sizeof(err)), 0);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		/* No IPv6 in this sandbox: nothing to test. */
		netpolicy_free(&np);
		mr_config_free(c);
		return;
	}
	ck_assert_int_ge(fd, 0);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(9);
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.1", &s6.sin6_addr),
	                 1);
	ck_assert_int_eq(
		netpolicy_connect(&np, fd, (struct sockaddr *)&s6, sizeof(s6)),
		-1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_uint_eq(np.blocked, 1);
	close(fd);
	netpolicy_free(&np);
	mr_config_free(c);
}
END_TEST

static Suite *
netpolicy_suite(void)
{
	Suite *s = suite_create("netpolicy");
	TCase *tc = tcase_create("classify");

	tcase_add_test(tc, classify_v4);
	tcase_add_test(tc, classify_v6);
	tcase_add_test(tc, class_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("allow");
	tcase_add_test(tc, policy_config_only);
	tcase_add_test(tc, policy_default_allows_any);
	tcase_add_test(tc, policy_env_narrows_any);
	tcase_add_test(tc, policy_env_cannot_widen);
	tcase_add_test(tc, policy_env_bad);
	tcase_add_test(tc, policy_explain);
	suite_add_tcase(s, tc);

	tc = tcase_create("public");
	tcase_add_test(tc, public_default);
	tcase_add_test(tc, public_configured);
	suite_add_tcase(s, tc);

	tc = tcase_create("connect");
	tcase_add_test(tc, connect_allowed);
	tcase_add_test(tc, connect_refused_never_connects);
	tcase_add_test(tc, connect_refused_v4_mapped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(netpolicy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
