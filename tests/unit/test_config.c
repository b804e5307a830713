/*
 * test_config.c -- unit tests of the cluster file (src/config.c): the
 * defaults, every key, every error with its exact "FILE:LINE: ..." text,
 * paths relative to the file, and the example files in checks/examples.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailready/config.h"

static struct mr_config *
load_ok(const char *text)
{
	char err[512] = "";
	struct mr_config *c =
		mr_config_load_string("t.conf", text, err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

/* Load text and expect exactly the error want. */
#define CONFIG_ERR(text, want)                                \
	do {                                                  \
		char err_[512] = "";                          \
		struct mr_config *c_ = mr_config_load_string( \
			"t.conf", text, err_, sizeof(err_));  \
		ck_assert_ptr_null(c_);                       \
		ck_assert_str_eq(err_, want);                 \
	} while (0)

static const char *
addr_str(const struct mr_addr *a)
{
	static char buf[MR_ADDR_STRLEN];

	return mr_addr_str(a, buf);
}

static const char *
cidrs_str(const struct mr_cidr_list *l)
{
	static char buf[256];

	return mr_cidr_list_str(l, buf, sizeof(buf));
}

/* ------------------------------------------------------------- defaults */

static void
assert_defaults(const struct mr_config *c)
{
	ck_assert_str_eq(c->profile, "carbonio");
	ck_assert_uint_eq(c->ndomains, 0);
	ck_assert_int_eq(c->inside.kind, MR_RESOLVERS_SYSTEM);
	ck_assert_uint_eq(c->inside.n, 0);
	ck_assert_int_eq(c->outside.kind, MR_RESOLVERS_ITERATE);
	ck_assert_uint_eq(c->outside.n, 0);
	ck_assert_ptr_null(c->root_hints);
	ck_assert_ptr_null(c->ca_file);
	ck_assert(c->internet_targets_builtin);
	ck_assert_uint_eq(c->ninternet_targets, 0);
	ck_assert(c->public_default);
	ck_assert_uint_eq(c->public_networks.n, 0);
	ck_assert_str_eq(cidrs_str(&c->allow_networks), "0.0.0.0/0, ::/0");
	ck_assert_double_eq(c->timeout_s, 20);
	ck_assert_double_eq(c->probe_timeout_s, 5);
	ck_assert_double_eq(c->greeting_timeout_s, 12);
	ck_assert_uint_eq(c->ntls_names, 0);
	ck_assert_ptr_null(c->login_file);
	ck_assert_int_eq(c->cert_warn_days, 30);
	ck_assert_int_eq(c->cert_crit_days, 7);
	ck_assert_uint_eq(c->nnodes, 0);
}

START_TEST(defaults)
{
	struct mr_config *c = mr_config_new_default();

	assert_defaults(c);
	ck_assert_ptr_null(c->file);
	mr_config_free(c);
}
END_TEST

START_TEST(empty_file_is_defaults)
{
	struct mr_config *c = load_ok("; nothing\n\n# at all\n");

	assert_defaults(c);
	ck_assert_str_eq(c->file, "t.conf");
	mr_config_free(c);
	c = load_ok("");
	assert_defaults(c);
	mr_config_free(c);
}
END_TEST

/* ------------------------------------------------------------ every key */

static const char full[] =
	"# every key of [cluster]\n"
	"[cluster]\n"
	"profile = mail\n"
	"domains = Example.COM., example.net,example.org  example.net\n"
	"inside_resolvers = 10.0.0.53, 10.0.0.54:5353 [2001:db8::53]:53\n"
	"outside_resolvers = 9.9.9.9 ; Quad9\n"
	"root_hints = /etc/mailready/root.hints\n"
	"ca_file = /etc/ssl/lab-ca.pem\n"
	"internet_targets = smtp.example.net:25, 192.0.2.1:443,\n"
	"\t[2001:db8::1]:80\n"
	"public_networks = 203.0.113.0/24, 2001:db8::/32\n"
	"allow_networks = 127.0.0.0/8, ::1\n"
	"timeout = 2.5\n"
	"probe_timeout = 1.25\n"
	"cert_warn_days = 20\n"
	"cert_crit_days = 20\n"
	"\n"
	"[node MTA1.Example.com.]\n"
	"roles = MTA, proxy mta\n"
	"public = 203.0.113.10, 2001:db8::10\n"
	"internal = 10.0.0.10\n"
	"\n"
	"[node store1.example.com]\n"
	"roles = mailstore\n"
	"internal = 10.0.0.20 10.0.0.21,\n"
	"    fd00::20\n"
	"\n"
	"[node bare.example.com]\n";

START_TEST(every_key)
{
	struct mr_config *c = load_ok(full);

	ck_assert_str_eq(c->profile, "mail");
	ck_assert_uint_eq(c->ndomains, 3);
	ck_assert_str_eq(c->domains[0], "example.com");
	ck_assert_str_eq(c->domains[1], "example.net");
	ck_assert_str_eq(c->domains[2], "example.org");

	ck_assert_int_eq(c->inside.kind, MR_RESOLVERS_LIST);
	ck_assert_uint_eq(c->inside.n, 3);
	ck_assert_str_eq(addr_str(&c->inside.v[0].addr), "10.0.0.53");
	ck_assert_uint_eq(c->inside.v[0].port, 53);
	ck_assert_str_eq(addr_str(&c->inside.v[1].addr), "10.0.0.54");
	ck_assert_uint_eq(c->inside.v[1].port, 5353);
	ck_assert_str_eq(addr_str(&c->inside.v[2].addr), "2001:db8::53");
	ck_assert_uint_eq(c->inside.v[2].port, 53);
	ck_assert_int_eq(c->outside.kind, MR_RESOLVERS_LIST);
	ck_assert_uint_eq(c->outside.n, 1);
	ck_assert_str_eq(addr_str(&c->outside.v[0].addr), "9.9.9.9");

	ck_assert_str_eq(c->root_hints, "/etc/mailready/root.hints");
	ck_assert_str_eq(c->ca_file, "/etc/ssl/lab-ca.pem");

	ck_assert(!c->internet_targets_builtin);
	ck_assert_uint_eq(c->ninternet_targets, 3);
	ck_assert_str_eq(c->internet_targets[0].host, "smtp.example.net");
	ck_assert_uint_eq(c->internet_targets[0].port, 25);
	ck_assert_str_eq(c->internet_targets[1].host, "192.0.2.1");
	ck_assert_uint_eq(c->internet_targets[1].port, 443);
	ck_assert_str_eq(c->internet_targets[2].host, "2001:db8::1");
	ck_assert_uint_eq(c->internet_targets[2].port, 80);

	ck_assert(!c->public_default);
	ck_assert_str_eq(cidrs_str(&c->public_networks),
	                 "203.0.113.0/24, 2001:db8::/32");
	ck_assert_str_eq(cidrs_str(&c->allow_networks), "127.0.0.0/8, ::1/128");
	ck_assert_double_eq(c->timeout_s, 2.5);
	ck_assert_double_eq(c->probe_timeout_s, 1.25);
	ck_assert_int_eq(c->cert_warn_days, 20);
	ck_assert_int_eq(c->cert_crit_days, 20);
	mr_config_free(c);
}
END_TEST

START_TEST(nodes)
{
	struct mr_config *c = load_ok(full);
	const struct mr_node *n;

	ck_assert_uint_eq(c->nnodes, 3);
	n = &c->nodes[0];
	ck_assert_str_eq(n->name, "mta1.example.com");
	ck_assert_int_eq(n->line, 18);
	ck_assert_uint_eq(n->nroles, 2);
	ck_assert_str_eq(n->roles[0], "mta");
	ck_assert_str_eq(n->roles[1], "proxy");
	ck_assert_uint_eq(n->npublic, 2);
	ck_assert_str_eq(addr_str(&n->public_addrs[0]), "203.0.113.10");
	ck_assert_str_eq(addr_str(&n->public_addrs[1]), "2001:db8::10");
	ck_assert_uint_eq(n->ninternal, 1);
	ck_assert_str_eq(addr_str(&n->internal_addrs[0]), "10.0.0.10");

	n = &c->nodes[1];
	ck_assert_str_eq(n->name, "store1.example.com");
	ck_assert_int_eq(n->line, 23);
	ck_assert_uint_eq(n->npublic, 0);
	ck_assert_uint_eq(n->ninternal, 3);
	ck_assert_str_eq(addr_str(&n->internal_addrs[2]), "fd00::20");

	/* A node without keys exists, without roles or addresses. */
	n = &c->nodes[2];
	ck_assert_str_eq(n->name, "bare.example.com");
	ck_assert_int_eq(n->line, 28);
	ck_assert_uint_eq(n->nroles, 0);
	ck_assert_uint_eq(n->npublic + n->ninternal, 0);

	ck_assert_ptr_eq(mr_config_node(c, "MTA1.example.COM."), &c->nodes[0]);
	ck_assert_ptr_eq(mr_config_node(c, "bare.example.com"), &c->nodes[2]);
	ck_assert_ptr_null(mr_config_node(c, "mta2.example.com"));
	mr_config_free(c);
}
END_TEST

START_TEST(keywords)
{
	struct mr_config *c = load_ok("[cluster]\n"
	                              "inside_resolvers = system\n"
	                              "outside_resolvers = iterate\n"
	                              "root_hints = builtin\n"
	                              "ca_file = system\n"
	                              "internet_targets = builtin\n"
	                              "public_networks = default\n"
	                              "allow_networks = any\n");

	assert_defaults(c);
	mr_config_free(c);
	c = load_ok("[cluster]\noutside_resolvers = system\n"
	            "inside_resolvers = SYSTEM\n");
	ck_assert_int_eq(c->outside.kind, MR_RESOLVERS_SYSTEM);
	ck_assert_int_eq(c->inside.kind, MR_RESOLVERS_SYSTEM);
	mr_config_free(c);
}
END_TEST

START_TEST(odd_but_printable_node_names)
{
	/* host.fqdn reports these; the config must take them. */
	struct mr_config *c = load_ok("[node mail_1.example.com]\n"
	                              "[node localhost]\n"
	                              "[node *.example.com]\n"
	                              "[node  spaced.example.com  ]\n");

	ck_assert_uint_eq(c->nnodes, 4);
	ck_assert_str_eq(c->nodes[0].name, "mail_1.example.com");
	ck_assert_str_eq(c->nodes[1].name, "localhost");
	ck_assert_str_eq(c->nodes[2].name, "*.example.com");
	ck_assert_str_eq(c->nodes[3].name, "spaced.example.com");
	mr_config_free(c);
}
END_TEST

START_TEST(probe_timeout_clamped)
{
	struct mr_config *c = load_ok("[cluster]\ntimeout = 3\n");

	ck_assert_double_eq(c->timeout_s, 3);
	ck_assert_double_eq(c->probe_timeout_s, 3);
	mr_config_free(c);
	c = load_ok("[cluster]\nprobe_timeout = 60\ntimeout = 30\n");
	ck_assert_double_eq(c->probe_timeout_s, 30);
	mr_config_free(c);
	c = load_ok("[cluster]\ntimeout = 3600\nprobe_timeout = 0.5\n");
	ck_assert_double_eq(c->timeout_s, 3600);
	ck_assert_double_eq(c->probe_timeout_s, 0.5);
	mr_config_free(c);
}
END_TEST

START_TEST(cert_days_zero)
{
	struct mr_config *c = load_ok("[cluster]\ncert_crit_days = 0\n"
	                              "cert_warn_days = 0\n");

	ck_assert_int_eq(c->cert_warn_days, 0);
	ck_assert_int_eq(c->cert_crit_days, 0);
	mr_config_free(c);
}
END_TEST

START_TEST(layout_tolerance)
{
	/* BOM, CRLF, indented first key, "key: value", inline comments. */
	struct mr_config *c = load_ok("\xef\xbb\xbf[cluster] ; the cluster\r\n"
	                              "  domains = example.com ; comment\r\n"
	                              "timeout: 7\r\n"
	                              "[node a.example.com]\r\n"
	                              "roles = mta ;\r\n");

	ck_assert_uint_eq(c->ndomains, 1);
	ck_assert_str_eq(c->domains[0], "example.com");
	ck_assert_double_eq(c->timeout_s, 7);
	mr_config_free(c);
}
END_TEST

/* ------------------------------------------------------------ the API */

START_TEST(node_api)
{
	struct mr_config *c = mr_config_new_default();
	struct mr_node *n = mr_config_add_node(c, "Node1.Example.com.");

	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->name, "node1.example.com");
	ck_assert_ptr_null(mr_config_add_node(c, "node1.example.com"));
	mr_node_add_role(n, "MTA");
	mr_node_add_role(n, "proxy");
	mr_node_add_role(n, "mta");
	ck_assert_uint_eq(n->nroles, 2);
	ck_assert_str_eq(n->roles[0], "mta");
	ck_assert(mr_node_has_role(n, "mta"));
	ck_assert(mr_node_has_role(n, "Proxy"));
	ck_assert(!mr_node_has_role(n, "mailstore"));
	n = mr_config_add_node(c, "node2.example.com");
	ck_assert_uint_eq(c->nnodes, 2);
	ck_assert_ptr_eq(mr_config_node(c, "node2.example.com."), n);
	mr_config_free(c);
	mr_config_free(NULL);
}
END_TEST

START_TEST(resolvers_parse)
{
	struct mr_resolvers r;
	char err[256] = "";

	ck_assert_int_eq(mr_resolvers_parse("9.9.9.9, [2620:fe::fe]:53 "
	                                    "127.0.0.1:5353",
	                                    true, &r, err, sizeof(err)),
	                 0);
	ck_assert_int_eq(r.kind, MR_RESOLVERS_LIST);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_str_eq(addr_str(&r.v[1].addr), "2620:fe::fe");
	ck_assert_uint_eq(r.v[2].port, 5353);
	free(r.v);
	ck_assert_int_eq(
		mr_resolvers_parse("iterate", true, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.kind, MR_RESOLVERS_ITERATE);
	ck_assert_int_eq(
		mr_resolvers_parse("iterate", false, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "iterate only applies to outside_resolvers");
	ck_assert_int_eq(mr_resolvers_parse(" , ", true, &r, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "no resolvers given; write system, iterate or "
	                      "addresses");
	ck_assert_int_eq(mr_resolvers_parse("", false, &r, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "no resolvers given; write system or addresses");
	ck_assert_int_eq(mr_resolvers_parse("9.9.9.9, ns.example.net", true, &r,
	                                    err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "'ns.example.net' is not ADDR, ADDR:PORT or "
	                      "[IPv6]:PORT (port 1-65535)");
}
END_TEST

START_TEST(cidr_list_parse)
{
	struct mr_cidr_list l = {NULL, 0};
	char err[256] = "";

	ck_assert_int_eq(mr_cidr_list_parse("any", &l, err, sizeof(err)), 0);
	ck_assert_str_eq(cidrs_str(&l), "0.0.0.0/0, ::/0");
	/* Replaces the list. */
	ck_assert_int_eq(
		mr_cidr_list_parse("10.0.0.0/8,192.168.0.0/16 fd00::/8", &l,
	                           err, sizeof(err)),
		0);
	ck_assert_str_eq(cidrs_str(&l), "10.0.0.0/8, 192.168.0.0/16, fd00::/8");
	/* An error leaves it alone and names the bad item. */
	ck_assert_int_eq(mr_cidr_list_parse("10.0.0.0/8, 192.168.1.0/16", &l,
	                                    err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "'192.168.1.0/16' has host bits set; write the "
	                      "network address");
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(mr_cidr_list_parse(",", &l, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no networks given");
	mr_cidr_list_free(&l);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(error_syntax)
{
	CONFIG_ERR("[cluster]\nprofile = carbonio\ngarbage\n",
	           "t.conf:3: expected '[section]', 'key = value' or a "
	           "comment, not 'garbage'");
	CONFIG_ERR("[cluster\n", "t.conf:1: section header without ']'");
	CONFIG_ERR("[cluster] x\n", "t.conf:1: unexpected text after ']': 'x'");
	/* After a key, an indented line continues it, even "[...". */
	CONFIG_ERR("[cluster]\ntimeout = 5\n  [node a.example.com]\n",
	           "t.conf:3: this indented line continues 'timeout' from "
	           "line 2, which takes a single value");
	/* inih's error on line 2 comes before ours on line 3. */
	CONFIG_ERR("[cluster]\nnonsense\ndommains = x\n",
	           "t.conf:2: expected '[section]', 'key = value' or a "
	           "comment, not 'nonsense'");
}
END_TEST

START_TEST(error_long_line)
{
	char text[400];

	snprintf(text, sizeof(text), "[cluster]\n\ndomains = %0250d\n", 0);
	CONFIG_ERR(text, "t.conf:3: line is longer than 198 characters; "
	                 "continue a long list on indented lines");
}
END_TEST

START_TEST(long_lines)
{
	char text[1024], name[256] = "", roles[256] = "roles = ";
	struct mr_config *c;

	/* Comments and section lines are not bound by inih's buffer. */
	for (int i = 0; i < 4; i++)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		         "%s%057d", i ? "." : "", i);
	ck_assert_uint_eq(strlen(name), 231);
	/* A key line of 198 characters is the longest inih takes. */
	while (strlen(roles) < 198 - 1)
		strcat(roles, "ab,");
	strcat(roles, "z");
	ck_assert_uint_eq(strlen(roles), 198);
	snprintf(text, sizeof(text), "# %0300d\n[node %s]\n%s\n", 0, name,
	         roles);
	c = load_ok(text);
	ck_assert_str_eq(c->nodes[0].name, name);
	ck_assert_uint_eq(c->nodes[0].nroles, 2);
	mr_config_free(c);
	snprintf(text, sizeof(text), "[node a]\n%sz\n", roles);
	CONFIG_ERR(text, "t.conf:2: line is longer than 198 characters; "
	                 "continue a long list on indented lines");
}
END_TEST

START_TEST(error_unknown)
{
	CONFIG_ERR("[cluster]\nprofile = carbonio\ndommains = example.com\n",
	           "t.conf:3: unknown key 'dommains' in [cluster] (did you "
	           "mean 'domains'?)");
	CONFIG_ERR("[cluster]\nfoo = 1\n",
	           "t.conf:2: unknown key 'foo' in [cluster]; keys there "
	           "are: profile, domains, inside_resolvers, "
	           "outside_resolvers, root_hints, ca_file, "
	           "internet_targets, public_networks, allow_networks, "
	           "timeout, probe_timeout, cert_warn_days, cert_crit_days, "
	           "greeting_timeout, login_file, tls_names, dkim_selectors, "
	           "blocklists, domain_blocklists");
	CONFIG_ERR("[node a.example.com]\nrole = mta\n",
	           "t.conf:2: unknown key 'role' in [node a.example.com] "
	           "(did you mean 'roles'?)");
	CONFIG_ERR("[node a.example.com]\naddress = 10.0.0.1\n",
	           "t.conf:2: unknown key 'address' in [node a.example.com]; "
	           "keys there are: roles, public, internal, tls_names");
	CONFIG_ERR("[cluster]\n\n[clustre]\n",
	           "t.conf:3: unknown section [clustre] (did you mean "
	           "[cluster]?)");
	CONFIG_ERR("[Cluster]\n",
	           "t.conf:1: unknown section [Cluster] (did you mean "
	           "[cluster]?)");
	CONFIG_ERR("[nod mta1.example.com]\nroles = mta\n",
	           "t.conf:1: unknown section [nod mta1.example.com] (did you "
	           "mean [node mta1.example.com]?)");
	CONFIG_ERR("[acept]\n", "t.conf:1: unknown section [acept] (did you "
	                        "mean [accept]?)");
	CONFIG_ERR("[mta1.example.com]\n",
	           "t.conf:1: unknown section [mta1.example.com]; expected "
	           "[cluster], [accept] or [node NAME]");
	CONFIG_ERR("[cluster main]\n", "t.conf:1: section [cluster] takes no "
	                               "name; write [cluster]");
	/* Outside any section: where the key goes, or every section. */
	CONFIG_ERR("domains = example.com\n[cluster]\n",
	           "t.conf:1: key 'domains' is outside any section; put it "
	           "under [cluster]");
	CONFIG_ERR("bogus = 1\n",
	           "t.conf:1: key 'bogus' is outside any section; put it "
	           "under [cluster], [accept] or [node NAME]");
	/* A known key in the wrong section says where it goes. */
	CONFIG_ERR("[cluster]\nroles = mta\n",
	           "t.conf:2: key 'roles' does not belong in [cluster]; it "
	           "goes in [node NAME]");
	CONFIG_ERR("[node MTA1.example.com.]\ntimeout = 5\n",
	           "t.conf:2: key 'timeout' does not belong in [node "
	           "mta1.example.com]; it goes in [cluster]");
	CONFIG_ERR("[node a.example.com]\npubilc = 10.0.0.1\n",
	           "t.conf:2: unknown key 'pubilc' in [node a.example.com] "
	           "(did you mean 'public'?)");
	CONFIG_ERR("[cluster]\ninternet_target = builtin\n",
	           "t.conf:2: unknown key 'internet_target' in [cluster] (did "
	           "you mean 'internet_targets'?)");
}
END_TEST

START_TEST(error_duplicates)
{
	CONFIG_ERR("[cluster]\n"
	           "profile = carbonio\n"
	           "domains = example.com\n"
	           "timeout = 5\n"
	           "domains = example.net\n",
	           "t.conf:5: duplicate key 'domains' (first set on line 3)");
	CONFIG_ERR("[node a.example.com]\n"
	           "roles = mta\n"
	           "\n"
	           "[node b.example.com]\n"
	           "roles = mta\n"
	           "[node A.example.com.]\n",
	           "t.conf:6: duplicate [node a.example.com] (first on line "
	           "1)");
	CONFIG_ERR("[cluster]\n[node a.example.com]\n[cluster]\n",
	           "t.conf:3: duplicate section [cluster] (first on line 1)");
	/* The same key in two sections is fine. */
	struct mr_config *c = load_ok("[node a.example.com]\nroles = mta\n"
	                              "[node b.example.com]\nroles = mta\n");
	mr_config_free(c);
}
END_TEST

START_TEST(error_node_names)
{
	CONFIG_ERR("[node]\n", "t.conf:1: section [node] needs a host name: "
	                       "[node mta1.example.com]");
	CONFIG_ERR("[node .]\n", "t.conf:1: node name '.' is not a host "
	                         "name: write [node mta1.example.com]");
	CONFIG_ERR("[node mta1 example.com]\n",
	           "t.conf:1: node name 'mta1 example.com' contains a blank; "
	           "write one host name per [node ...]");
	/* Found by fuzz_config: the name kept a dot at its end. */
	CONFIG_ERR("[node 2t3r....]\n",
	           "t.conf:1: node name '2t3r....' has an empty label (two "
	           "dots in a row, or a dot at an end)");
	CONFIG_ERR("[node mta1..example.com]\n",
	           "t.conf:1: node name 'mta1..example.com' has an empty "
	           "label (two dots in a row, or a dot at an end)");
	CONFIG_ERR("[node mta1@example.com]\n",
	           "t.conf:1: node name 'mta1@example.com' may contain only "
	           "letters, digits, '.', '-', '_' and '*'");
	CONFIG_ERR("[nodes]\n", "t.conf:1: unknown section [nodes] (did you "
	                        "mean [node NAME]?)");
}
END_TEST

START_TEST(error_bad_address)
{
	CONFIG_ERR("[cluster]\n"
	           "domains = example.com\n"
	           "[node mta1.example.com]\n"
	           "roles = mta\n"
	           "public = 203.0.113.300\n",
	           "t.conf:5: [node mta1.example.com] public: '203.0.113.300' "
	           "is not an IPv4 or IPv6 address");
	CONFIG_ERR("[node mta1.example.com]\n"
	           "internal = 10.0.0.1,\n"
	           "\t10.0.0.2/24\n",
	           "t.conf:3: [node mta1.example.com] internal: '10.0.0.2/24' "
	           "is not an IPv4 or IPv6 address; write the address without "
	           "a prefix length");
	CONFIG_ERR("[node mta1.example.com]\npublic = mta1.example.com\n",
	           "t.conf:2: [node mta1.example.com] public: "
	           "'mta1.example.com' is not an IPv4 or IPv6 address");
	CONFIG_ERR("[node mta1.example.com]\nroles = mta, m@il\n",
	           "t.conf:2: [node mta1.example.com] roles: 'm@il' is not a "
	           "role name (letters, digits, '-')");
	CONFIG_ERR("[node mta1.example.com]\npublic =\n",
	           "t.conf:2: [node mta1.example.com] public: no value; give "
	           "one or remove the line");
}
END_TEST

START_TEST(error_bad_cidr)
{
	CONFIG_ERR("[cluster]\npublic_networks = 203.0.113.0/24, 10.0.0.1/8\n",
	           "t.conf:2: [cluster] public_networks: '10.0.0.1/8' has "
	           "host bits set; write the network address");
	CONFIG_ERR("[cluster]\nallow_networks = 127.0.0.0/33\n",
	           "t.conf:2: [cluster] allow_networks: '127.0.0.0/33' has a "
	           "bad prefix length (0 to 32)");
	CONFIG_ERR("[cluster]\nallow_networks = localhost\n",
	           "t.conf:2: [cluster] allow_networks: 'localhost' is not "
	           "an IPv4 or IPv6 address");
	CONFIG_ERR("[cluster]\npublic_networks = default,\n  10.0.0.0/8\n",
	           "t.conf:3: [cluster] public_networks: default stands "
	           "alone; it cannot be continued or mixed with networks");
}
END_TEST

START_TEST(error_bad_port)
{
	CONFIG_ERR("[cluster]\ninternet_targets = smtp.example.net:0\n",
	           "t.conf:2: [cluster] internet_targets: "
	           "'smtp.example.net:0': port must be 1-65535");
	CONFIG_ERR("[cluster]\ninternet_targets = 192.0.2.1:65536\n",
	           "t.conf:2: [cluster] internet_targets: '192.0.2.1:65536': "
	           "port must be 1-65535");
	CONFIG_ERR("[cluster]\ninternet_targets = smtp.example.net\n",
	           "t.conf:2: [cluster] internet_targets: 'smtp.example.net' "
	           "needs a port: HOST:PORT (e.g. smtp.example.net:25)");
	CONFIG_ERR("[cluster]\ninternet_targets = 2001:db8::1:25\n",
	           "t.conf:2: [cluster] internet_targets: '2001:db8::1:25': "
	           "write an IPv6 address in brackets, [ADDR]:PORT");
	CONFIG_ERR("[cluster]\ninternet_targets = [192.0.2.1]:25\n",
	           "t.conf:2: [cluster] internet_targets: '[192.0.2.1]:25' is "
	           "not [IPv6]:PORT");
	CONFIG_ERR("[cluster]\ninternet_targets = sm/tp:25\n",
	           "t.conf:2: [cluster] internet_targets: 'sm/tp:25' is not "
	           "HOST:PORT");
	CONFIG_ERR("[cluster]\ninternet_targets = builtin,\n  a.example:25\n",
	           "t.conf:3: [cluster] internet_targets: builtin stands "
	           "alone; it cannot be continued or mixed with targets");
	CONFIG_ERR("[cluster]\noutside_resolvers = 9.9.9.9:99999\n",
	           "t.conf:2: [cluster] outside_resolvers: '9.9.9.9:99999' is "
	           "not ADDR, ADDR:PORT or [IPv6]:PORT (port 1-65535)");
}
END_TEST

START_TEST(error_resolvers)
{
	CONFIG_ERR("[cluster]\ninside_resolvers = iterate\n",
	           "t.conf:2: [cluster] inside_resolvers: iterate only "
	           "applies to outside_resolvers");
	CONFIG_ERR("[cluster]\noutside_resolvers = system, 9.9.9.9\n",
	           "t.conf:2: [cluster] outside_resolvers: 'system' must be "
	           "the only value, not mixed with addresses");
	CONFIG_ERR("[cluster]\noutside_resolvers = iterate\n\t9.9.9.9\n",
	           "t.conf:3: [cluster] outside_resolvers: system and iterate "
	           "stand alone; they cannot be continued or mixed with "
	           "addresses");
	CONFIG_ERR("[cluster]\ninside_resolvers =\n",
	           "t.conf:2: [cluster] inside_resolvers: no value; give one "
	           "or remove the line");
}
END_TEST

START_TEST(error_timeouts)
{
	static const char *const bad[] = {"0",    "-1",  "3601", "abc",
	                                  "1e3",  "10s", ".5",   "1.",
	                                  "0x10", "inf", "0.0",  "1..2"};
	char text[128], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[cluster]\n\ntimeout = %s\n",
		         bad[i]);
		snprintf(want, sizeof(want),
		         "t.conf:3: [cluster] timeout: '%s' is not a number of "
		         "seconds greater than 0 and at most 3600",
		         bad[i]);
		CONFIG_ERR(text, want);
	}
	CONFIG_ERR("[cluster]\nprobe_timeout = 0\n",
	           "t.conf:2: [cluster] probe_timeout: '0' is not a number of "
	           "seconds greater than 0 and at most 3600");
	CONFIG_ERR("[cluster]\ntimeout = 5\n  6\n",
	           "t.conf:3: this indented line continues 'timeout' from "
	           "line 2, which takes a single value");
}
END_TEST

START_TEST(error_cert_days)
{
	CONFIG_ERR("[cluster]\ncert_warn_days = 5\ncert_crit_days = 10\n",
	           "t.conf:3: cert_crit_days (10) is greater than "
	           "cert_warn_days (5); a certificate must turn warning "
	           "before it turns critical");
	CONFIG_ERR("[cluster]\ncert_crit_days = 10\ncert_warn_days = 5\n",
	           "t.conf:2: cert_crit_days (10) is greater than "
	           "cert_warn_days (5); a certificate must turn warning "
	           "before it turns critical");
	/* Against the default of the other one. */
	CONFIG_ERR("[cluster]\n\ncert_warn_days = 5\n",
	           "t.conf:3: cert_crit_days (7) is greater than "
	           "cert_warn_days (5); a certificate must turn warning "
	           "before it turns critical");
	CONFIG_ERR("[cluster]\ncert_warn_days = -1\n",
	           "t.conf:2: [cluster] cert_warn_days: '-1' is not a whole "
	           "number of days (0 or more)");
	CONFIG_ERR("[cluster]\ncert_crit_days = 7.5\n",
	           "t.conf:2: [cluster] cert_crit_days: '7.5' is not a whole "
	           "number of days (0 or more)");
	CONFIG_ERR("[cluster]\ncert_warn_days = 99999999999\n",
	           "t.conf:2: [cluster] cert_warn_days: '99999999999' is not "
	           "a whole number of days (0 or more)");
}
END_TEST

START_TEST(error_domains_and_profile)
{
	CONFIG_ERR("[cluster]\ndomains = example.com, exa..mple.com\n",
	           "t.conf:2: [cluster] domains: 'exa..mple.com' is not a "
	           "domain name (letters, digits, '-', labels separated by "
	           "single dots)");
	CONFIG_ERR("[cluster]\ndomains = .example.com\n",
	           "t.conf:2: [cluster] domains: '.example.com' is not a "
	           "domain name (letters, digits, '-', labels separated by "
	           "single dots)");
	CONFIG_ERR("[cluster]\ndomains = exa$mple.com\n",
	           "t.conf:2: [cluster] domains: 'exa$mple.com' is not a "
	           "domain name (letters, digits, '-', labels separated by "
	           "single dots)");
	CONFIG_ERR("[cluster]\nprofile = carbonio.conf\n",
	           "t.conf:2: [cluster] profile: 'carbonio.conf' is not a "
	           "profile name (a-z, 0-9, '-') nor a path; write "
	           "./carbonio.conf for a file next to this one");
	CONFIG_ERR("[cluster]\ndomains = example.com\n  domains = x\n",
	           "t.conf:3: this indented line continues 'domains' from "
	           "line 2; start each key at the beginning of a line");
}
END_TEST

START_TEST(error_first_one_wins)
{
	CONFIG_ERR("[cluster]\n"
	           "timeout = 0\n"
	           "foo = 1\n"
	           "[bar]\n",
	           "t.conf:2: [cluster] timeout: '0' is not a number of "
	           "seconds greater than 0 and at most 3600");
}
END_TEST

/* ------------------------------------------------------------- [accept] */

static const struct mr_accept *
accept_at(const struct mr_config *c, size_t i)
{
	ck_assert_uint_lt(i, c->naccepts);
	return &c->accepts[i];
}

START_TEST(accept_lines)
{
	struct mr_config *c = load_ok(
		"[cluster]\n"
		"domains = example.com\n"
		"\n"
		"[accept]\n"
		"# findings we know about\n"
		"PTR_NAME_MISMATCH mta2.example.com = 2027-03-01 provider "
		"changes the PTR in March\n"
		"CERT_EXPIRES_SOON 127.0.2.10:25 = 2026-12-15 ; renewal on the "
		"10th\n"
		"PTR_MISSING * = 2028-02-29\n"
		"A_MISSING Mta1.Example.COM. = 2027-01-01 waiting ; ticket 4\n"
		"SMTP_STARTTLS_MISSING [2001:DB8::25]:25 = 2000-02-29 long ago,\n"
		"    and continued\n"
		"\tover two lines\n"
		"[node mta1.example.com]\n");
	const struct mr_accept *a;

	ck_assert_uint_eq(c->naccepts, 5);
	a = accept_at(c, 0);
	ck_assert_str_eq(a->code, "PTR_NAME_MISMATCH");
	ck_assert_str_eq(a->target, "mta2.example.com");
	ck_assert_str_eq(a->until, "2027-03-01");
	/* The first second after that day, UTC: 2027-03-02T00:00:00Z. */
	ck_assert_int_eq(a->until_t, 1803945600LL);
	ck_assert_str_eq(a->reason, "provider changes the PTR in March");
	ck_assert_str_eq(a->file, "t.conf");
	ck_assert_int_eq(a->line, 6);

	/* The reason written as a comment, as DESIGN.md has it. */
	a = accept_at(c, 1);
	ck_assert_str_eq(a->code, "CERT_EXPIRES_SOON");
	ck_assert_str_eq(a->target, "127.0.2.10:25");
	ck_assert_int_eq(a->until_t, 1797379200LL);
	ck_assert_str_eq(a->reason, "renewal on the 10th");
	ck_assert_int_eq(a->line, 7);

	/* No reason; a leap day; every target. */
	a = accept_at(c, 2);
	ck_assert_str_eq(a->target, "*");
	ck_assert_str_eq(a->until, "2028-02-29");
	ck_assert_int_eq(a->until_t, 1835481600LL);
	ck_assert_str_eq(a->reason, "");

	/* Names compare without case and trailing dot; a reason, then a
	 * comment: the comment is dropped. */
	a = accept_at(c, 3);
	ck_assert_str_eq(a->target, "mta1.example.com");
	ck_assert_int_eq(a->until_t, 1798848000LL);
	ck_assert_str_eq(a->reason, "waiting");

	/* A past date is no error; indented lines continue the reason. */
	a = accept_at(c, 4);
	ck_assert_str_eq(a->target, "[2001:db8::25]:25");
	ck_assert_int_eq(a->until_t, 951868800LL);
	ck_assert_str_eq(a->reason, "long ago, and continued over two lines");
	ck_assert_int_eq(a->line, 10);

	ck_assert_uint_eq(c->nnodes, 1);
	mr_config_free(c);
}
END_TEST

/* The [accept] example of DESIGN.md, as written there. */
START_TEST(accept_design_example)
{
	struct mr_config *c = load_ok(
		"[cluster]\n"
		"profile = carbonio               ; checks/profiles/carbonio.conf\n"
		"domains = example.com\n"
		"\n"
		"[accept]                         ; findings accepted on purpose, "
		"until a date\n"
		"PTR_NAME_MISMATCH mta2.example.com = 2027-03-01 ; provider "
		"changes the PTR in March\n"
		"\n"
		"[node mta1.example.com]\n"
		"roles = mta\n");

	ck_assert_uint_eq(c->naccepts, 1);
	ck_assert_str_eq(c->accepts[0].code, "PTR_NAME_MISMATCH");
	ck_assert_str_eq(c->accepts[0].target, "mta2.example.com");
	ck_assert_str_eq(c->accepts[0].until, "2027-03-01");
	ck_assert_int_eq(c->accepts[0].until_t, 1803945600LL);
	ck_assert_str_eq(c->accepts[0].reason,
	                 "provider changes the PTR in March");
	ck_assert_int_eq(c->accepts[0].line, 6);
	mr_config_free(c);

	/* An indented "[" continues a reason, as it continues a key. */
	c = load_ok("[accept]\n"
	            "PTR_MISSING * = 2027-03-01 see\n"
	            "  [ticket 42]\n"
	            "[cluster]\n");
	ck_assert_str_eq(c->accepts[0].reason, "see [ticket 42]");
	mr_config_free(c);
}
END_TEST

START_TEST(accept_empty_and_none)
{
	struct mr_config *c = load_ok("[accept]\n; nothing accepted yet\n");

	ck_assert_uint_eq(c->naccepts, 0);
	ck_assert_ptr_null(c->accepts);
	mr_config_free(c);
	c = mr_config_new_default();
	ck_assert_uint_eq(c->naccepts, 0);
	mr_config_free(c);
}
END_TEST

START_TEST(error_accept_code)
{
	CONFIG_ERR("[accept]\n"
	           "PTR_NAME_MISMATC mta2.example.com = 2027-03-01 x\n",
	           "t.conf:2: [accept] unknown code 'PTR_NAME_MISMATC' (did "
	           "you mean 'PTR_NAME_MISMATCH'?)");
	/* Codes are upper case; a lower-case one is pointed at it. */
	CONFIG_ERR("[accept]\nptr_missing mta2.example.com = 2027-03-01\n",
	           "t.conf:2: [accept] unknown code 'ptr_missing' (did you "
	           "mean 'PTR_MISSING'?)");
	CONFIG_ERR("[accept]\nNO_SUCH_THING_AT_ALL x = 2027-03-01\n",
	           "t.conf:2: [accept] unknown code 'NO_SUCH_THING_AT_ALL'; "
	           "mailready(1) lists the codes (FINDING CODES)");
	CONFIG_ERR("[accept]\n= 2027-03-01 why\n",
	           "t.conf:2: [accept] an acceptance is CODE TARGET = "
	           "YYYY-MM-DD reason");
}
END_TEST

START_TEST(error_accept_target)
{
	CONFIG_ERR("[accept]\nPTR_MISSING = 2027-03-01\n",
	           "t.conf:2: [accept] PTR_MISSING needs a target: a node or "
	           "domain name, a check target such as 127.0.2.10:25, or *");
	CONFIG_ERR("[accept]\nPTR_MISSING a.example.com b.example.com = "
	           "2027-03-01\n",
	           "t.conf:2: [accept] 'PTR_MISSING a.example.com "
	           "b.example.com': one target per acceptance; write a line "
	           "for each");
	CONFIG_ERR("[accept]\nPTR_MISSING mta/1 = 2027-03-01\n",
	           "t.conf:2: [accept] target 'mta/1' is not a node or domain "
	           "name, a check target such as 127.0.2.10:25, or *");
}
END_TEST

START_TEST(error_accept_date)
{
	static const char need[] = "an acceptance needs an expiry date: CODE "
				   "TARGET = YYYY-MM-DD reason";
	char want[256];

	snprintf(want, sizeof(want), "t.conf:2: [accept] %s", need);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com\n", want);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com 2027-03-01\n", want);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com =\n", want);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = ; soon\n", want);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com ; soon\n", want);
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = soon\n",
	           "t.conf:2: [accept] expiry 'soon' is not a date; write "
	           "YYYY-MM-DD (e.g. 2027-03-01)");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-3-1 x\n",
	           "t.conf:2: [accept] expiry '2027-3-1' is not a date; write "
	           "YYYY-MM-DD (e.g. 2027-03-01)");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-03-01x\n",
	           "t.conf:2: [accept] expiry '2027-03-01x' is not a date; "
	           "write YYYY-MM-DD (e.g. 2027-03-01)");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 01.03.2027\n",
	           "t.conf:2: [accept] expiry '01.03.2027' is not a date; "
	           "write YYYY-MM-DD (e.g. 2027-03-01)");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-13-01\n",
	           "t.conf:2: [accept] expiry '2027-13-01' is not a date: "
	           "there is no month 13");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-00-10\n",
	           "t.conf:2: [accept] expiry '2027-00-10' is not a date: "
	           "there is no month 0");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-02-29\n",
	           "t.conf:2: [accept] expiry '2027-02-29' is not a date: "
	           "2027-02 has 28 days");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2100-02-29\n",
	           "t.conf:2: [accept] expiry '2100-02-29' is not a date: "
	           "2100-02 has 28 days");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-04-31\n",
	           "t.conf:2: [accept] expiry '2027-04-31' is not a date: "
	           "2027-04 has 30 days");
	CONFIG_ERR("[accept]\nPTR_MISSING mta2.example.com = 2027-01-00\n",
	           "t.conf:2: [accept] expiry '2027-01-00' is not a date: "
	           "2027-01 has 31 days");
}
END_TEST

START_TEST(error_accept_duplicates)
{
	CONFIG_ERR("[accept]\n"
	           "PTR_MISSING mta2.example.com = 2027-03-01 one\n"
	           "PTR_MISSING * = 2027-03-01\n"
	           "\n"
	           "PTR_MISSING MTA2.example.com. = 2028-01-01 two\n",
	           "t.conf:5: [accept] duplicate acceptance PTR_MISSING "
	           "mta2.example.com (first on line 2)");
	CONFIG_ERR("[accept]\n[cluster]\n[accept]\n",
	           "t.conf:3: duplicate section [accept] (first on line 1)");
	CONFIG_ERR("[accept x]\n",
	           "t.conf:1: section [accept] takes no name; write [accept]");
	CONFIG_ERR("[accept]\n"
	           "PTR_MISSING mta2.example.com = 2027-03-01 why\n"
	           "  more = less\n",
	           "t.conf:3: this indented line continues the acceptance on "
	           "line 2; start each acceptance at the beginning of a line");
	/* The same code on two targets, two codes on one: fine. */
	struct mr_config *c = load_ok("[accept]\n"
	                              "PTR_MISSING a.example.com = 2027-03-01\n"
	                              "PTR_MISSING b.example.com = 2027-03-01\n"
	                              "A_MISSING a.example.com = 2027-03-01\n");
	ck_assert_uint_eq(c->naccepts, 3);
	mr_config_free(c);
}
END_TEST

START_TEST(error_accept_keys)
{
	CONFIG_ERR("[accept]\nfile =\n",
	           "t.conf:2: [accept] file: no value; give one or remove the "
	           "line");
	CONFIG_ERR("[accept]\nfile = /nonexistent/accepted.conf\n",
	           "t.conf:2: [accept] file: /nonexistent/accepted.conf: No "
	           "such file or directory");
	CONFIG_ERR("[cluster]\nfile = x.conf\n",
	           "t.conf:2: key 'file' does not belong in [cluster]; it "
	           "goes in [accept]");
	CONFIG_ERR("[accept]\nfile = /dev/null\n  /dev/zero\n",
	           "t.conf:3: this indented line continues 'file' from line "
	           "2, which takes a single value");
	CONFIG_ERR("[accept]\nfile = /dev/null\nfile = /dev/null ; again\n",
	           "t.conf:3: duplicate key 'file' (first set on line 2)");
	/* An acceptance is no key of [node]. */
	CONFIG_ERR("[node a.example.com]\nPTR_MISSING a.example.com = "
	           "2027-03-01\n",
	           "t.conf:2: unknown key 'PTR_MISSING a.example.com' in [node "
	           "a.example.com]; keys there are: roles, public, internal, "
	           "tls_names");
}
END_TEST

/* --------------------------------------------------------------- files */

static char tmpdir[] = "/tmp/mailready-config-XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

START_TEST(file_relative_paths)
{
	char path[300], want[600], err[512] = "", sub[256];
	struct mr_config *c;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sub, sizeof(sub), "%s/lab", tmpdir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/cluster.conf", sub);
	write_file(path, "[cluster]\n"
	                 "profile = profiles/lab.conf\n"
	                 "root_hints = dns/root.hints\n"
	                 "ca_file = ca.pem\n"
	                 "[node a.example.com]\n");
	c = mr_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->file, path);
	snprintf(want, sizeof(want), "%s/profiles/lab.conf", sub);
	ck_assert_str_eq(c->profile, want);
	snprintf(want, sizeof(want), "%s/dns/root.hints", sub);
	ck_assert_str_eq(c->root_hints, want);
	snprintf(want, sizeof(want), "%s/ca.pem", sub);
	ck_assert_str_eq(c->ca_file, want);
	ck_assert_uint_eq(c->nnodes, 1);
	mr_config_free(c);

	/* Absolute paths and profile names stay as they are. */
	write_file(path, "[cluster]\n"
	                 "profile = mail\n"
	                 "root_hints = /srv/root.hints\n");
	c = mr_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->profile, "mail");
	ck_assert_str_eq(c->root_hints, "/srv/root.hints");
	mr_config_free(c);

	/* Errors name the file as given. */
	write_file(path, "[cluster]\n; comment\ntimeout = never\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:3: [cluster] timeout: 'never' is not a number of seconds "
	         "greater than 0 and at most 3600",
	         path);
	ck_assert_str_eq(err, want);
	unlink(path);
	rmdir(sub);
	rmdir(tmpdir);
}
END_TEST

START_TEST(accept_file)
{
	char dir[] = "/tmp/mailready-accept-XXXXXX";
	char path[300], afile[300], want[700], err[700] = "";
	struct mr_config *c;
	const struct mr_accept *a;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cluster.conf", dir);
	snprintf(afile, sizeof(afile), "%s/accepted.conf", dir);
	write_file(afile, "# accepted on purpose; no section header needed\n"
	                  "PTR_NAME_MISMATCH mta2.example.com = 2027-03-01 "
	                  "provider changes the PTR in March\n"
	                  "\n"
	                  "; the certificate is renewed on the 10th\n"
	                  "CERT_EXPIRES_SOON 127.0.2.10:25 = 2026-12-15 ; "
	                  "renewal\n");
	write_file(path, "[cluster]\n"
	                 "[accept]\n"
	                 "PTR_MISSING * = 2028-02-29 inline\n"
	                 "file = accepted.conf ; relative to this file\n"
	                 "A_MISSING mta1.example.com = 2027-01-01 after\n");
	c = mr_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->naccepts, 4);
	a = accept_at(c, 0);
	ck_assert_str_eq(a->file, path);
	ck_assert_int_eq(a->line, 3);
	a = accept_at(c, 1);
	ck_assert_str_eq(a->code, "PTR_NAME_MISMATCH");
	ck_assert_str_eq(a->reason, "provider changes the PTR in March");
	ck_assert_str_eq(a->file, afile);
	ck_assert_int_eq(a->line, 2);
	a = accept_at(c, 2);
	ck_assert_str_eq(a->reason, "renewal");
	ck_assert_int_eq(a->line, 5);
	a = accept_at(c, 3);
	ck_assert_str_eq(a->code, "A_MISSING");
	ck_assert_str_eq(a->file, path);
	ck_assert_int_eq(a->line, 5);
	mr_config_free(c);

	/* An [accept] header in the file is allowed, once. */
	write_file(afile, "[accept]\nPTR_MISSING * = 2027-01-01\n");
	write_file(path, "[accept]\nfile = accepted.conf\n");
	c = mr_config_load(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->naccepts, 1);
	mr_config_free(c);

	/* Errors in the file name the file and its line. */
	write_file(afile, "# comment\n"
	                  "PTR_MISSING * = 2027-01-01\n"
	                  "PTR_MISSING mta2.example.com = 2027-02-30 oops\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:3: [accept] expiry '2027-02-30' is not a date: 2027-02 "
	         "has 28 days",
	         afile);
	ck_assert_str_eq(err, want);

	write_file(afile, "\nPTR_MISSNG mta2.example.com = 2027-02-01\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:2: [accept] unknown code 'PTR_MISSNG' (did you mean "
	         "'PTR_MISSING'?)",
	         afile);
	ck_assert_str_eq(err, want);

	write_file(afile, "PTR_MISSING mta2.example.com\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:1: [accept] an acceptance needs an expiry date: CODE "
	         "TARGET = YYYY-MM-DD reason",
	         afile);
	ck_assert_str_eq(err, want);

	write_file(afile, "file = other.conf\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:1: [accept] file = works only in the [accept] section of "
	         "the cluster file, not in an accept file",
	         afile);
	ck_assert_str_eq(err, want);

	write_file(afile, "PTR_MISSING * = 2027-01-01\n[node a.example.com]\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:2: unknown section [node a.example.com]; expected "
	         "[accept]",
	         afile);
	ck_assert_str_eq(err, want);

	/* Twice over the two files: the first is named with its file. */
	write_file(afile, "\n\nPTR_MISSING mta2.example.com = 2027-01-01\n");
	write_file(path, "[accept]\n"
	                 "file = accepted.conf\n"
	                 "PTR_MISSING MTA2.example.com = 2027-05-01\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:3: [accept] duplicate acceptance PTR_MISSING "
	         "mta2.example.com (first at %s:3)",
	         path, afile);
	ck_assert_str_eq(err, want);
	write_file(path, "[accept]\n"
	                 "PTR_MISSING mta2.example.com = 2027-05-01\n"
	                 "file = accepted.conf\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:3: [accept] duplicate acceptance PTR_MISSING "
	         "mta2.example.com (first at %s:2)",
	         afile, path);
	ck_assert_str_eq(err, want);

	/* An error after the file, in the cluster file, names that. */
	write_file(afile, "PTR_MISSING * = 2027-01-01\n");
	write_file(path, "[accept]\nfile = accepted.conf\n[cluster]\n"
	                 "timeout = 0\n");
	ck_assert_ptr_null(mr_config_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:4: [cluster] timeout: '0' is not a number of seconds "
	         "greater than 0 and at most 3600",
	         path);
	ck_assert_str_eq(err, want);

	unlink(afile);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(file_relative_to_cwd)
{
	char err[512] = "";
	struct mr_config *c = mr_config_load_string(
		"cluster.conf", "[cluster]\nprofile = ./lab.conf\n", err,
		sizeof(err));

	/* A file in the working directory: the path is already right. */
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->profile, "./lab.conf");
	mr_config_free(c);
	c = mr_config_load_string("/etc/mailready/cluster.conf",
	                          "[cluster]\nprofile = p/lab.conf\n", err,
	                          sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->profile, "/etc/mailready/p/lab.conf");
	mr_config_free(c);
}
END_TEST

START_TEST(file_missing)
{
	char err[512] = "";

	ck_assert_ptr_null(
		mr_config_load("/nonexistent/cluster.conf", err, sizeof(err)));
	ck_assert_str_eq(
		err, "/nonexistent/cluster.conf: No such file or directory");
	ck_assert_ptr_null(mr_config_load("/tmp", err, sizeof(err)));
	ck_assert_str_eq(err, "/tmp: is a directory, not a file");
}
END_TEST

START_TEST(example_carbonio)
{
	char err[512] = "";
	struct mr_config *c =
		mr_config_load(SRCDIR "/checks/examples/carbonio-cluster.conf",
	                       err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->profile, "carbonio");
	ck_assert_uint_eq(c->nnodes, 7);
	ck_assert_uint_eq(c->ndomains, 1);
	ck_assert_str_eq(c->domains[0], "example.com");
	for (size_t i = 0; i < c->nnodes; i++) {
		ck_assert_uint_ge(c->nodes[i].nroles, 1);
		ck_assert_uint_ge(c->nodes[i].ninternal, 1);
	}
	mr_config_free(c);
}
END_TEST

START_TEST(example_mail_server)
{
	char err[512] = "";
	struct mr_config *c = mr_config_load(
		SRCDIR "/checks/examples/mail-server.conf", err, sizeof(err));

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->profile, "mail");
	ck_assert_uint_eq(c->nnodes, 1);
	mr_config_free(c);
}
END_TEST

START_TEST(greeting_timeout_and_tls_names)
{
	struct mr_config *c =
		load_ok("[cluster]\ntimeout = 8\ngreeting_timeout = 30\n"
	                "tls_names = mail.example.com, *.Example.COM.\n"
	                "[node a.example.com]\n"
	                "tls_names = imap.example.com\n"
	                "  webmail.example.com\n"
	                "[node b.example.com]\n");

	/* No step outlasts the run. */
	ck_assert_double_eq(c->greeting_timeout_s, 8);
	ck_assert_uint_eq(c->ntls_names, 2);
	ck_assert_str_eq(c->tls_names[0], "mail.example.com");
	ck_assert_str_eq(c->tls_names[1], "*.example.com");
	ck_assert_uint_eq(c->nodes[0].ntls_names, 2);
	ck_assert_str_eq(c->nodes[0].tls_names[0], "imap.example.com");
	ck_assert_str_eq(c->nodes[0].tls_names[1], "webmail.example.com");
	ck_assert_uint_eq(c->nodes[1].ntls_names, 0);
	mr_config_free(c);

	CONFIG_ERR("[cluster]\ntls_names = mail..example.com\n",
	           "t.conf:2: [cluster] tls_names: 'mail..example.com' is not "
	           "a host name (or *.domain wildcard) a certificate can "
	           "carry");
	CONFIG_ERR("[node a.example.com]\ntls_names = *\n",
	           "t.conf:2: [node a.example.com] tls_names: '*' is not a "
	           "host name (or *.domain wildcard) a certificate can carry");
	CONFIG_ERR("[cluster]\ngreeting_timeout = 0\n",
	           "t.conf:2: [cluster] greeting_timeout: '0' is not a number "
	           "of seconds greater than 0 and at most 3600");
}
END_TEST

START_TEST(policy_lists)
{
	struct mr_config *c = load_ok("[cluster]\n");

	/* The built-in lists until the config names its own. */
	ck_assert(c->blocklists_builtin && c->domain_blocklists_builtin);
	ck_assert_uint_eq(c->nblocklists, 4);
	ck_assert_str_eq(c->blocklists[0], "zen.spamhaus.org");
	ck_assert_uint_eq(c->ndomain_blocklists, 3);
	ck_assert_str_eq(c->domain_blocklists[0], "dbl.spamhaus.org");
	ck_assert_uint_eq(c->ndkim_selectors, 0);
	mr_config_free(c);

	c = load_ok("[cluster]\ndkim_selectors = s2026, Google, s2026\n"
	            "  mail._sub\nblocklists = bl.test, REFUSE.test.\n"
	            "  bl.test\ndomain_blocklists = none\n");
	ck_assert_uint_eq(c->ndkim_selectors, 3);
	ck_assert_str_eq(c->dkim_selectors[1], "google");
	ck_assert_str_eq(c->dkim_selectors[2], "mail._sub");
	ck_assert(!c->blocklists_builtin);
	ck_assert_uint_eq(c->nblocklists, 2);
	ck_assert_str_eq(c->blocklists[1], "refuse.test");
	ck_assert(!c->domain_blocklists_builtin);
	ck_assert_uint_eq(c->ndomain_blocklists, 0);
	mr_config_free(c);

	c = load_ok("[cluster]\nblocklists = builtin\n");
	ck_assert(c->blocklists_builtin);
	ck_assert_uint_eq(c->nblocklists, 4);
	mr_config_free(c);

	CONFIG_ERR("[cluster]\ndkim_selectors = s/2026\n",
	           "t.conf:2: [cluster] dkim_selectors: 's/2026' is not a "
	           "DKIM selector (letters, digits, '-' and '_', labels "
	           "separated by single dots)");
	CONFIG_ERR("[cluster]\nblocklists = bl..test\n",
	           "t.conf:2: [cluster] blocklists: 'bl..test' is not a "
	           "blocklist zone (letters, digits, '-' and '_', labels "
	           "separated by single dots)");
	CONFIG_ERR("[cluster]\nblocklists = builtin\n  bl.test\n",
	           "t.conf:3: [cluster] blocklists: builtin stands alone; it "
	           "cannot be continued or mixed with zones");
}
END_TEST

START_TEST(login_file)
{
	char path[300], conf[700], want[900], err[512] = "";
	struct mr_config *c;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/login", tmpdir);
	write_file(path, "# test account\nuser = probe@example.com\n"
	                 "password =  s3cret with spaces  \n");
	ck_assert_int_eq(chmod(path, 0600), 0);
	snprintf(conf, sizeof(conf), "[cluster]\nlogin_file = %s\n", path);
	c = load_ok(conf);
	ck_assert_str_eq(c->login_file, path);
	ck_assert_str_eq(c->login_user, "probe@example.com");
	ck_assert_str_eq(c->login_password, "s3cret with spaces");
	mr_config_free(c);

	/* Readable by others: refused, and the message tells how to fix. */
	ck_assert_int_eq(chmod(path, 0640), 0);
	snprintf(want, sizeof(want),
	         "t.conf:2: [cluster] login_file: %s holds a password and must "
	         "be readable by its owner only (mode 0640, owner uid %u); "
	         "chmod 600 it and chown it to the user that runs mailready",
	         path, (unsigned)geteuid());
	ck_assert_ptr_null(
		mr_config_load_string("t.conf", conf, err, sizeof(err)));
	ck_assert_str_eq(err, want);

	/* No password: refused; the secret is never part of a message. */
	write_file(path, "user = probe\n");
	ck_assert_int_eq(chmod(path, 0600), 0);
	snprintf(want, sizeof(want),
	         "t.conf:2: [cluster] login_file: %s needs both 'user = NAME' "
	         "and 'password = SECRET'",
	         path);
	ck_assert_ptr_null(
		mr_config_load_string("t.conf", conf, err, sizeof(err)));
	ck_assert_str_eq(err, want);

	write_file(path, "user = probe\npassword = hunter2\npasswd = x\n");
	ck_assert_ptr_null(
		mr_config_load_string("t.conf", conf, err, sizeof(err)));
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_nonnull(strstr(err, ":3: unknown key 'passwd'"));
	unlink(path);

	ck_assert_ptr_null(
		mr_config_load_string("t.conf", conf, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	rmdir(tmpdir);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, empty_file_is_defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, nodes);
	tcase_add_test(tc, keywords);
	tcase_add_test(tc, odd_but_printable_node_names);
	tcase_add_test(tc, probe_timeout_clamped);
	tcase_add_test(tc, cert_days_zero);
	tcase_add_test(tc, layout_tolerance);
	tcase_add_test(tc, greeting_timeout_and_tls_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_test(tc, node_api);
	tcase_add_test(tc, resolvers_parse);
	tcase_add_test(tc, cidr_list_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, error_syntax);
	tcase_add_test(tc, error_long_line);
	tcase_add_test(tc, long_lines);
	tcase_add_test(tc, error_unknown);
	tcase_add_test(tc, error_duplicates);
	tcase_add_test(tc, error_node_names);
	tcase_add_test(tc, error_bad_address);
	tcase_add_test(tc, error_bad_cidr);
	tcase_add_test(tc, error_bad_port);
	tcase_add_test(tc, error_resolvers);
	tcase_add_test(tc, error_timeouts);
	tcase_add_test(tc, error_cert_days);
	tcase_add_test(tc, error_domains_and_profile);
	tcase_add_test(tc, error_first_one_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("accept");
	tcase_add_test(tc, accept_lines);
	tcase_add_test(tc, accept_design_example);
	tcase_add_test(tc, accept_empty_and_none);
	tcase_add_test(tc, error_accept_code);
	tcase_add_test(tc, error_accept_target);
	tcase_add_test(tc, error_accept_date);
	tcase_add_test(tc, error_accept_duplicates);
	tcase_add_test(tc, error_accept_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, file_relative_paths);
	tcase_add_test(tc, accept_file);
	tcase_add_test(tc, file_relative_to_cwd);
	tcase_add_test(tc, file_missing);
	tcase_add_test(tc, policy_lists);
	tcase_add_test(tc, login_file);
	tcase_add_test(tc, example_carbonio);
	tcase_add_test(tc, example_mail_server);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
