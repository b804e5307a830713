/*
 * test_dns_contacts.c -- the dry run of the views (dns_contacts): which
 * DNS servers each view would contact first, with the allow_networks
 * verdict, for resolver lists, the built-in root hints, a root_hints file
 * and a resolv.conf; and that it opens no socket at all.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/channel.h"
#include "dns/dns.h"

/* A dry run opens no socket: this socket() (c-ares's too) counts. */
static int sockets_opened;

int
socket(int domain, int type, int protocol)
{
	sockets_opened++;
	errno = EACCES;
	return -1;
}

#define MAX_SEEN 64

struct seen {
	enum dns_view view;
	enum mr_resolvers_kind kind;
	char source[256];
	char addr[MR_ADDR_STRLEN];
	uint16_t port;
	size_t index, count;
	bool allowed;
	char why[320];
};

struct seen_list {
	struct seen v[MAX_SEEN];
	size_t n;
};

static void
on_contact(void *arg, const struct dns_contact *c)
{
	struct seen_list *l = arg;
	ck_assert_uint_lt(l->n, MAX_SEEN);
	struct seen *s = &l->v[l->n++];
	s->view = c->view;
	s->kind = c->kind;
	snprintf(s->source, sizeof(s->source), "%s", c->source);
	mr_addr_str(&c->server->addr, s->addr);
	s->port = c->server->port;
	s->index = c->index;
	s->count = c->count;
	s->allowed = c->allowed;
	/* why is set exactly when the server is not allowed */
	ck_assert(c->allowed == (c->why == NULL));
	snprintf(s->why, sizeof(s->why), "%s", c->why ? c->why : "");
}

/* Run dns_contacts on a config text; every contact lands in l. */
static int
contacts(const char *conf, const char *env, struct seen_list *l, char *err,
         size_t errlen)
{
	struct netpolicy np;
	struct mr_config *c =
		mr_config_load_string("t.conf", conf, err, errlen);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(netpolicy_init(&np, c, env, err, errlen), 0);
	memset(l, 0, sizeof(*l));
	sockets_opened = 0;
	int rc = dns_contacts(c, &np, on_contact, l, err, errlen);
	ck_assert_int_eq(sockets_opened, 0);
	ck_assert_uint_eq(np.blocked, 0);
	netpolicy_free(&np);
	mr_config_free(c);
	return rc;
}

static size_t
count_view(const struct seen_list *l, enum dns_view v)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].view == v;
	return n;
}

static const struct seen *
nth_of_view(const struct seen_list *l, enum dns_view v, size_t k)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].view == v && k-- == 0)
			return &l->v[i];
	ck_abort_msg("view %d has no contact %zu", (int)v, k);
	return NULL;
}

static char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/mr-contacts.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(resolver_list_one_outside)
{
	struct seen_list l;
	char err[256];

	ck_assert_int_eq(
		contacts("[cluster]\n"
	                 "inside_resolvers = 127.0.0.10, 198.51.100.53\n"
	                 "outside_resolvers = 127.0.0.11\n"
	                 "allow_networks = 127.0.0.0/8\n",
	                 NULL, &l, err, sizeof(err)),
		0);
	ck_assert_uint_eq(count_view(&l, DNS_VIEW_INSIDE), 2);
	const struct seen *a = nth_of_view(&l, DNS_VIEW_INSIDE, 0);
	ck_assert_str_eq(a->addr, "127.0.0.10");
	ck_assert_uint_eq(a->port, 53);
	ck_assert_int_eq(a->kind, MR_RESOLVERS_LIST);
	ck_assert_str_eq(a->source, "inside_resolvers");
	ck_assert_uint_eq(a->index, 0);
	ck_assert_uint_eq(a->count, 2);
	ck_assert(a->allowed);
	const struct seen *b = nth_of_view(&l, DNS_VIEW_INSIDE, 1);
	ck_assert_str_eq(b->addr, "198.51.100.53");
	ck_assert_uint_eq(b->index, 1);
	ck_assert(!b->allowed);
	ck_assert_str_eq(b->why, "198.51.100.53 is outside allow_networks "
	                         "(127.0.0.0/8); not contacted");
	ck_assert_uint_eq(count_view(&l, DNS_VIEW_OUTSIDE), 1);
	const struct seen *o = nth_of_view(&l, DNS_VIEW_OUTSIDE, 0);
	ck_assert_str_eq(o->addr, "127.0.0.11");
	ck_assert_str_eq(o->source, "outside_resolvers");
	ck_assert(o->allowed);
	/* The system view is always told, from resolv.conf. */
	ck_assert_uint_ge(count_view(&l, DNS_VIEW_SYSTEM), 1);
	ck_assert_str_eq(nth_of_view(&l, DNS_VIEW_SYSTEM, 0)->source,
	                 "/etc/resolv.conf");
	/* Views in order: inside, outside, system. */
	for (size_t i = 1; i < l.n; i++)
		ck_assert_int_le(l.v[i - 1].view, l.v[i].view);
}
END_TEST

START_TEST(resolver_port_kept)
{
	struct seen_list l;
	char err[256];

	ck_assert_int_eq(contacts("[cluster]\n"
	                          "outside_resolvers = [::1]:5353\n"
	                          "allow_networks = 127.0.0.0/8, ::1/128\n",
	                          NULL, &l, err, sizeof(err)),
	                 0);
	const struct seen *o = nth_of_view(&l, DNS_VIEW_OUTSIDE, 0);
	ck_assert_str_eq(o->addr, "::1");
	ck_assert_uint_eq(o->port, 5353);
	ck_assert(o->allowed);
}
END_TEST

START_TEST(iterate_builtin_all_blocked)
{
	struct seen_list l;
	char err[256];

	ck_assert_int_eq(contacts("[cluster]\noutside_resolvers = iterate\n"
	                          "inside_resolvers = 127.0.0.10\n"
	                          "allow_networks = 127.0.0.0/8\n",
	                          NULL, &l, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(count_view(&l, DNS_VIEW_OUTSIDE), 26);
	for (size_t k = 0; k < 26; k++) {
		const struct seen *s = nth_of_view(&l, DNS_VIEW_OUTSIDE, k);
		ck_assert_int_eq(s->kind, MR_RESOLVERS_ITERATE);
		ck_assert_str_eq(s->source, "built-in root hints");
		ck_assert_uint_eq(s->index, k);
		ck_assert_uint_eq(s->count, 26);
		ck_assert_uint_eq(s->port, 53);
		ck_assert(!s->allowed);
		ck_assert_ptr_nonnull(strstr(s->why,
		                             "is outside allow_networks "
		                             "(127.0.0.0/8); not "
		                             "contacted"));
	}
	/* IPv4 first, a.root-servers.net leading. */
	ck_assert_str_eq(nth_of_view(&l, DNS_VIEW_OUTSIDE, 0)->addr,
	                 "198.41.0.4");
	ck_assert_str_eq(nth_of_view(&l, DNS_VIEW_OUTSIDE, 13)->addr,
	                 "2001:503:ba3e::2:30");
	ck_assert(nth_of_view(&l, DNS_VIEW_INSIDE, 0)->allowed);
}
END_TEST

START_TEST(iterate_blocked_by_environment)
{
	struct seen_list l;
	char err[256];

	ck_assert_int_eq(contacts("[cluster]\noutside_resolvers = iterate\n",
	                          "127.0.0.0/8", &l, err, sizeof(err)),
	                 0);
	const struct seen *s = nth_of_view(&l, DNS_VIEW_OUTSIDE, 0);
	ck_assert(!s->allowed);
	ck_assert_str_eq(s->why, "198.41.0.4 is outside "
	                         "MAILREADY_ALLOW_NETWORKS (127.0.0.0/8); "
	                         "not contacted");
}
END_TEST

START_TEST(iterate_root_hints_file)
{
	struct seen_list l;
	char err[256], conf[512], source[300];
	char *path = write_temp(".            3600 IN NS a.root.test.\n"
	                        ".            3600 IN NS b.root.test.\n"
	                        "b.root.test. 3600 IN A  198.51.100.2\n"
	                        "a.root.test. 3600 IN A  127.0.0.2\n"
	                        "a.root.test. 3600 IN AAAA ::1\n"
	                        "x.other.test. 3600 IN A 127.0.0.99\n");

	snprintf(conf, sizeof(conf),
	         "[cluster]\noutside_resolvers = iterate\nroot_hints = %s\n"
	         "allow_networks = 127.0.0.0/8, ::1/128\n",
	         path);
	ck_assert_int_eq(contacts(conf, NULL, &l, err, sizeof(err)), 0);
	unlink(path);
	/* Only the addresses of the root's names; IPv4 first. */
	ck_assert_uint_eq(count_view(&l, DNS_VIEW_OUTSIDE), 3);
	snprintf(source, sizeof(source), "root_hints %s", path);
	const struct seen *s0 = nth_of_view(&l, DNS_VIEW_OUTSIDE, 0);
	const struct seen *s1 = nth_of_view(&l, DNS_VIEW_OUTSIDE, 1);
	const struct seen *s2 = nth_of_view(&l, DNS_VIEW_OUTSIDE, 2);
	ck_assert_str_eq(s0->source, source);
	ck_assert_str_eq(s0->addr, "198.51.100.2");
	ck_assert(!s0->allowed);
	ck_assert_str_eq(s1->addr, "127.0.0.2");
	ck_assert(s1->allowed);
	ck_assert_str_eq(s2->addr, "::1");
	ck_assert(s2->allowed);
	free(path);
}
END_TEST

START_TEST(bad_root_hints_reports_nothing)
{
	struct seen_list l;
	char err[256];

	ck_assert_int_eq(contacts("[cluster]\noutside_resolvers = iterate\n"
	                          "root_hints = /nonexistent/root.hints\n",
	                          NULL, &l, err, sizeof(err)),
	                 -1);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/root.hints"));
}
END_TEST

START_TEST(system_servers_from_resolv_conf)
{
	struct mr_server *v;
	size_t n;
	char err[256], as[MR_ADDR_STRLEN];
	char *path = write_temp("# test\nsearch example.test\n"
	                        "nameserver 127.0.0.53\n"
	                        "nameserver 198.51.100.53\n"
	                        "nameserver ::1\n");

	sockets_opened = 0;
	ck_assert_int_eq(
		dns_channel_system_servers(path, &v, &n, err, sizeof(err)), 0);
	unlink(path);
	free(path);
	ck_assert_int_eq(sockets_opened, 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(mr_addr_str(&v[0].addr, as), "127.0.0.53");
	ck_assert_uint_eq(v[0].port, 53);
	ck_assert_str_eq(mr_addr_str(&v[1].addr, as), "198.51.100.53");
	ck_assert_str_eq(mr_addr_str(&v[2].addr, as), "::1");
	free(v);
}
END_TEST

START_TEST(system_servers_default)
{
	struct mr_server *v;
	size_t n;
	char err[256], as[MR_ADDR_STRLEN];
	char *path = write_temp("# no nameserver line at all\n");

	ck_assert_int_eq(
		dns_channel_system_servers(path, &v, &n, err, sizeof(err)), 0);
	unlink(path);
	free(path);
	/* c-ares's convention: the local host when none is named. */
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(mr_addr_str(&v[0].addr, as), "127.0.0.1");
	free(v);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dns_contacts");
	TCase *tc = tcase_create("contacts");
	tcase_add_test(tc, resolver_list_one_outside);
	tcase_add_test(tc, resolver_port_kept);
	tcase_add_test(tc, iterate_builtin_all_blocked);
	tcase_add_test(tc, iterate_blocked_by_environment);
	tcase_add_test(tc, iterate_root_hints_file);
	tcase_add_test(tc, bad_root_hints_reports_nothing);
	tcase_add_test(tc, system_servers_from_resolv_conf);
	tcase_add_test(tc, system_servers_default);
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
