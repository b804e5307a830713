/*
 * test_netaddr.c -- unit tests of addresses, CIDR prefixes and endpoints
 * (src/netaddr.c): parsing, formatting, sockaddr round trips, prefix
 * arithmetic at odd lengths. Nothing here touches the network.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "mailready/netaddr.h"

static struct mr_addr
addr(const char *s)
{
	struct mr_addr a;

	ck_assert_msg(mr_addr_parse(s, &a) == 0, "cannot parse %s", s);
	return a;
}

static struct mr_cidr
cidr(const char *s)
{
	struct mr_cidr c;
	char err[128];

	ck_assert_msg(mr_cidr_parse(s, &c, err, sizeof(err)) == 0, "%s: %s", s,
	              err);
	return c;
}

START_TEST(addr_parse_v4)
{
	struct mr_addr a = addr("203.0.113.10");
	const uint8_t want[4] = {203, 0, 113, 10};

	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_mem_eq(a.bytes, want, 4);
}
END_TEST

START_TEST(addr_parse_v6)
{
	struct mr_addr a = addr("2001:db8::10");

	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.bytes[0], 0x20);
	ck_assert_uint_eq(a.bytes[1], 0x01);
	ck_assert_uint_eq(a.bytes[2], 0x0d);
	ck_assert_uint_eq(a.bytes[3], 0xb8);
	ck_assert_uint_eq(a.bytes[15], 0x10);
}
END_TEST

START_TEST(addr_parse_invalid)
{
	static const char *const bad[] = {
		"",
		"203.0.113.300",
		"1.2.3",
		"abc",
		"::g",
		" 1.2.3.4",
		"1.2.3.4 ",
		"2001:db8::1/64",
		"[2001:db8::1]",
		"1.2.3.4:53",
	};
	struct mr_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mr_addr_parse(bad[i], &a) == -1,
		              "'%s' was accepted", bad[i]);
}
END_TEST

START_TEST(addr_str_round_trip)
{
	char buf[MR_ADDR_STRLEN];
	struct mr_addr a = addr("2001:0db8:0:0:0:0:0:0001");

	ck_assert_str_eq(mr_addr_str(&a, buf), "2001:db8::1");
	a = addr("10.0.0.1");
	ck_assert_str_eq(mr_addr_str(&a, buf), "10.0.0.1");
	a = addr("::ffff:192.0.2.1");
	ck_assert_str_eq(mr_addr_str(&a, buf), "::ffff:192.0.2.1");
	a = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_str_eq(mr_addr_str(&a, buf),
	                 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

START_TEST(addr_equal)
{
	struct mr_addr a = addr("192.0.2.1"), b = addr("192.0.2.1");
	struct mr_addr c = addr("192.0.2.2"), m = addr("::ffff:192.0.2.1");
	struct mr_addr v6a = addr("2001:db8::1"), v6b = addr("2001:db8:0::1");

	ck_assert(mr_addr_equal(&a, &b));
	ck_assert(!mr_addr_equal(&a, &c));
	/* A v4-mapped address is another family until a sockaddr says so. */
	ck_assert(!mr_addr_equal(&a, &m));
	ck_assert(mr_addr_equal(&v6a, &v6b));
}
END_TEST

START_TEST(sockaddr_v4)
{
	struct sockaddr_storage ss;
	struct mr_addr a = addr("127.0.2.10"), back;
	uint16_t port = 0;
	socklen_t len = mr_addr_to_sockaddr(&a, 25, &ss);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

	ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 25);
	ck_assert_int_eq(
		mr_addr_from_sockaddr((struct sockaddr *)&ss, &back, &port), 0);
	ck_assert(mr_addr_equal(&a, &back));
	ck_assert_uint_eq(port, 25);
}
END_TEST

START_TEST(sockaddr_v6)
{
	struct sockaddr_storage ss;
	struct mr_addr a = addr("2001:db8::10"), back;
	uint16_t port = 0;
	socklen_t len = mr_addr_to_sockaddr(&a, 5353, &ss);

	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(
		mr_addr_from_sockaddr((struct sockaddr *)&ss, &back, &port), 0);
	ck_assert(mr_addr_equal(&a, &back));
	ck_assert_uint_eq(port, 5353);
	/* The port is optional. */
	ck_assert_int_eq(
		mr_addr_from_sockaddr((struct sockaddr *)&ss, &back, NULL), 0);
}
END_TEST

START_TEST(sockaddr_v4_mapped)
{
	struct sockaddr_in6 s6;
	struct mr_addr back;
	uint16_t port = 0;
	char buf[MR_ADDR_STRLEN];

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(587);
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr),
	                 1);
	ck_assert_int_eq(
		mr_addr_from_sockaddr((struct sockaddr *)&s6, &back, &port), 0);
	ck_assert_int_eq(back.family, AF_INET);
	ck_assert_str_eq(mr_addr_str(&back, buf), "127.0.0.1");
	ck_assert_uint_eq(port, 587);
}
END_TEST

START_TEST(sockaddr_other_family)
{
	struct sockaddr_un sun;
	struct mr_addr back;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(
		mr_addr_from_sockaddr((struct sockaddr *)&sun, &back, NULL),
		-1);
}
END_TEST

START_TEST(cidr_parse_ok)
{
	struct mr_cidr c = cidr("10.0.0.0/8");
	char buf[MR_ADDR_STRLEN];

	ck_assert_uint_eq(c.prefix, 8);
	ck_assert_str_eq(mr_addr_str(&c.addr, buf), "10.0.0.0");
	c = cidr("2001:db8::/32");
	ck_assert_uint_eq(c.prefix, 32);
	c = cidr("192.0.2.7");
	ck_assert_uint_eq(c.prefix, 32);
	c = cidr("2001:db8::7");
	ck_assert_uint_eq(c.prefix, 128);
	c = cidr("0.0.0.0/0");
	ck_assert_uint_eq(c.prefix, 0);
	c = cidr("::/0");
	ck_assert_uint_eq(c.prefix, 0);
	c = cidr("192.168.2.0/23");
	ck_assert_uint_eq(c.prefix, 23);
}
END_TEST

#define CIDR_ERR(in, want)                                                   \
	do {                                                                 \
		struct mr_cidr c_;                                           \
		char err_[160] = "";                                         \
		ck_assert_int_eq(mr_cidr_parse(in, &c_, err_, sizeof(err_)), \
		                 -1);                                        \
		ck_assert_str_eq(err_, want);                                \
	} while (0)

START_TEST(cidr_parse_errors)
{
	CIDR_ERR("10.0.0.1/8",
	         "'10.0.0.1/8' has host bits set; write the network address");
	CIDR_ERR("192.168.1.0/23", "'192.168.1.0/23' has host bits set; "
	                           "write the network address");
	CIDR_ERR("2001:db8::1/32", "'2001:db8::1/32' has host bits set; "
	                           "write the network address");
	CIDR_ERR("10.0.0.0/33",
	         "'10.0.0.0/33' has a bad prefix length (0 to 32)");
	CIDR_ERR("2001:db8::/129",
	         "'2001:db8::/129' has a bad prefix length (0 to 128)");
	CIDR_ERR("10.0.0.0/", "'10.0.0.0/' has a bad prefix length (0 to 32)");
	CIDR_ERR("10.0.0.0/-1",
	         "'10.0.0.0/-1' has a bad prefix length (0 to 32)");
	CIDR_ERR("10.0.0.0/8x",
	         "'10.0.0.0/8x' has a bad prefix length (0 to 32)");
	CIDR_ERR("10.0.0.0/ 8",
	         "'10.0.0.0/ 8' has a bad prefix length (0 to 32)");
	CIDR_ERR("garbage", "'garbage' is not an IPv4 or IPv6 address");
	CIDR_ERR("10.0.0.256/32", "'10.0.0.256' is not an IPv4 or IPv6 "
	                          "address");
	CIDR_ERR("/8", "'/8' is not an address or CIDR prefix");
	CIDR_ERR("", "'' is not an address or CIDR prefix");
}
END_TEST

START_TEST(cidr_contains_odd_prefixes)
{
	struct mr_cidr c = cidr("10.0.0.0/9");
	struct mr_addr in = addr("10.127.255.255"), out = addr("10.128.0.0");

	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));

	c = cidr("192.168.0.0/23");
	in = addr("192.168.1.255");
	out = addr("192.168.2.0");
	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));

	c = cidr("128.0.0.0/1");
	in = addr("255.255.255.255");
	out = addr("127.255.255.255");
	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));

	c = cidr("192.0.2.6/31");
	in = addr("192.0.2.7");
	out = addr("192.0.2.8");
	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));

	c = cidr("2001:db8::/33");
	in = addr("2001:db8:7fff:ffff::1");
	out = addr("2001:db8:8000::");
	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));

	c = cidr("2001:db8::a/127");
	in = addr("2001:db8::b");
	out = addr("2001:db8::c");
	ck_assert(mr_cidr_contains(&c, &in));
	ck_assert(!mr_cidr_contains(&c, &out));
}
END_TEST

START_TEST(cidr_contains_zero_and_family)
{
	struct mr_cidr any4 = cidr("0.0.0.0/0"), any6 = cidr("::/0");
	struct mr_addr v4 = addr("203.0.113.1"), v6 = addr("2001:db8::1");
	struct mr_addr mapped = addr("::ffff:203.0.113.1");

	ck_assert(mr_cidr_contains(&any4, &v4));
	ck_assert(!mr_cidr_contains(&any4, &v6));
	ck_assert(mr_cidr_contains(&any6, &v6));
	ck_assert(!mr_cidr_contains(&any6, &v4));
	/* v4-mapped is IPv6 as an mr_addr: not inside an IPv4 prefix. */
	ck_assert(!mr_cidr_contains(&any4, &mapped));
}
END_TEST

START_TEST(cidr_list)
{
	struct mr_cidr_list l = {NULL, 0};
	struct mr_cidr a = cidr("10.0.0.0/8"), b = cidr("2001:db8::/32");
	struct mr_addr in = addr("2001:db8::5"), out = addr("192.0.2.1");
	char buf[128];

	ck_assert_str_eq(mr_cidr_list_str(&l, buf, sizeof(buf)), "(none)");
	ck_assert(!mr_cidr_list_contains(&l, &in));
	mr_cidr_list_add(&l, &a);
	mr_cidr_list_add(&l, &b);
	ck_assert_uint_eq(l.n, 2);
	ck_assert(mr_cidr_list_contains(&l, &in));
	ck_assert(!mr_cidr_list_contains(&l, &out));
	ck_assert_str_eq(mr_cidr_list_str(&l, buf, sizeof(buf)),
	                 "10.0.0.0/8, 2001:db8::/32");
	/* A short buffer is cut, never overrun. */
	ck_assert_str_eq(mr_cidr_list_str(&l, buf, 8), "10.0.0.");
	mr_cidr_list_free(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

#define ENDPOINT_OK(in, want_addr, want_port)                           \
	do {                                                            \
		struct mr_addr a_;                                      \
		uint16_t p_ = 0;                                        \
		char b_[MR_ADDR_STRLEN];                                \
		ck_assert_msg(mr_endpoint_parse(in, 53, &a_, &p_) == 0, \
		              "'%s' refused", in);                      \
		ck_assert_str_eq(mr_addr_str(&a_, b_), want_addr);      \
		ck_assert_uint_eq(p_, want_port);                       \
	} while (0)

START_TEST(endpoint_parse_ok)
{
	ENDPOINT_OK("1.2.3.4:53", "1.2.3.4", 53);
	ENDPOINT_OK("127.0.0.1:5353", "127.0.0.1", 5353);
	ENDPOINT_OK("192.0.2.1", "192.0.2.1", 53);
	ENDPOINT_OK("[::1]:5353", "::1", 5353);
	ENDPOINT_OK("[2001:db8::53]", "2001:db8::53", 53);
	ENDPOINT_OK("::1", "::1", 53);
	ENDPOINT_OK("2001:db8::1", "2001:db8::1", 53);
	ENDPOINT_OK("198.51.100.1:65535", "198.51.100.1", 65535);
}
END_TEST

START_TEST(endpoint_parse_bad)
{
	static const char *const bad[] = {
		"",
		"1.2.3.4:0",
		"1.2.3.4:65536",
		"1.2.3.4:",
		"1.2.3.4:abc",
		"1.2.3.4:53x",
		"1.2.3.4:-1",
		"[::1]:",
		"[::1]:0",
		"[::1]x",
		"[::1",
		"[1.2.3.4]:53",
		"ns1.example.com:53",
		"ns1.example.com",
		"1.2.3.400:53",
	};
	struct mr_addr a;
	uint16_t port;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mr_endpoint_parse(bad[i], 53, &a, &port) == -1,
		              "'%s' was accepted", bad[i]);
}
END_TEST

static Suite *
netaddr_suite(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc = tcase_create("addr");

	tcase_add_test(tc, addr_parse_v4);
	tcase_add_test(tc, addr_parse_v6);
	tcase_add_test(tc, addr_parse_invalid);
	tcase_add_test(tc, addr_str_round_trip);
	tcase_add_test(tc, addr_equal);
	tcase_add_test(tc, sockaddr_v4);
	tcase_add_test(tc, sockaddr_v6);
	tcase_add_test(tc, sockaddr_v4_mapped);
	tcase_add_test(tc, sockaddr_other_family);
	suite_add_tcase(s, tc);

	tc = tcase_create("cidr");
	tcase_add_test(tc, cidr_parse_ok);
	tcase_add_test(tc, cidr_parse_errors);
	tcase_add_test(tc, cidr_contains_odd_prefixes);
	tcase_add_test(tc, cidr_contains_zero_and_family);
	tcase_add_test(tc, cidr_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("endpoint");
	tcase_add_test(tc, endpoint_parse_ok);
	tcase_add_test(tc, endpoint_parse_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(netaddr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
