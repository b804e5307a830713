/*
 * test_plan.c -- unit tests of the plan (src/plan.c): which check
 * instances a config and a profile make, in which order, on which
 * addresses; default roles, port deduplication, self, --only/--skip and
 * errors.
 *
 * The "catalogue" tests are written against whatever the catalogue holds,
 * so that they keep passing, and start to mean more, as mail.*,
 * host.port.* and self-only checks are added to it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "services.h"

static const char profile_text[] = "[profile]\n"
				   "default_roles = mta\n"
				   "[all]\n"
				   "checks = dns.ptr, host.fqdn\n"
				   "internal = ssh:22\n"
				   "[role mta]\n"
				   "checks = dns.mx, dns.a.inside\n"
				   "external = smtp:25, submission:587\n"
				   "internal = milter:7026\n"
				   "[role store]\n"
				   "external = imap:143, msa:587\n"
				   "internal = lmtp:7025, ssh:22\n"
				   "[role empty]\n"
				   "[domain]\n"
				   "checks = dns.auth, dns.mx\n";

static const char config_text[] = "[cluster]\n"
				  "domains = example.com, example.net\n"
				  "\n"
				  "[node mta1.example.com]\n"
				  "roles = mta, store\n"
				  "public = 203.0.113.10, 2001:db8::10\n"
				  "internal = 10.0.0.10\n"
				  "\n"
				  "[node store1.example.com]\n"
				  "roles = store\n"
				  "internal = 10.0.0.20\n"
				  "\n"
				  "[node lab.example.com]\n";

struct fixture {
	struct mr_config *cfg;
	struct profile *prof;
	struct plan plan;
};

static void
fixture_load(struct fixture *f, const char *config, const char *profile)
{
	char err[512] = "";

	memset(f, 0, sizeof(*f));
	f->cfg = mr_config_load_string("c.conf", config, err, sizeof(err));
	ck_assert_msg(f->cfg != NULL, "%s", err);
	f->prof = profile_load_string("p.conf", profile, err, sizeof(err));
	ck_assert_msg(f->prof != NULL, "%s", err);
}

static void
fixture_plan(struct fixture *f, const struct plan_opts *o)
{
	char err[512] = "";

	ck_assert_msg(
		plan_build(f->cfg, f->prof, o, &f->plan, err, sizeof(err)) == 0,
		"%s", err);
}

static void
fixture_free(struct fixture *f)
{
	plan_free(&f->plan);
	profile_free(f->prof);
	mr_config_free(f->cfg);
}

/* "id target" of item i, or "" past the end. */
static const char *
item_str(const struct plan *p, size_t i)
{
	static char buf[256];

	if (i >= p->n)
		return "";
	snprintf(buf, sizeof(buf), "%s %s", p->items[i].id, p->items[i].target);
	return buf;
}

static void
assert_items(const struct plan *p, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(item_str(p, i), want[i]) == 0,
		              "item %zu: got '%s', want '%s'", i,
		              item_str(p, i), want[i]);
	ck_assert_uint_eq(p->n, n);
}

/*
 * mail.* items appear as the catalogue gains mail probes; the exact lists
 * below leave them out (the "catalogue" case tests them).
 */
static char *no_mail[] = {"mail.*"};

static size_t
count_id(const struct plan *p, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += strcmp(p->items[i].id, id) == 0;
	return n;
}

START_TEST(exact_plan)
{
	static const char *const want[] = {
		/* mta1: mta + store; checks in catalogue order */
		"host.fqdn mta1.example.com",
		"dns.a.inside mta1.example.com",
		"dns.ptr mta1.example.com",
		"dns.mx mta1.example.com",
		/* external ports ascending, on each public address */
		"net.port.smtp 203.0.113.10:25",
		"net.port.smtp [2001:db8::10]:25",
		"net.port.imap 203.0.113.10:143",
		"net.port.imap [2001:db8::10]:143",
		"net.port.submission 203.0.113.10:587",
		"net.port.submission [2001:db8::10]:587",
		/* then internal ports ascending, on the internal address */
		"net.port.ssh 10.0.0.10:22",
		"net.port.lmtp 10.0.0.10:7025",
		"net.port.milter 10.0.0.10:7026",
		/* store1: no public address, external ports go inside */
		"host.fqdn store1.example.com",
		"dns.ptr store1.example.com",
		"net.port.imap 10.0.0.20:143",
		"net.port.msa 10.0.0.20:587",
		"net.port.ssh 10.0.0.20:22",
		"net.port.lmtp 10.0.0.20:7025",
		/* lab: no roles (default mta), no address: the name */
		"host.fqdn lab.example.com",
		"dns.a.inside lab.example.com",
		"dns.ptr lab.example.com",
		"dns.mx lab.example.com",
		"net.port.smtp lab.example.com:25",
		"net.port.submission lab.example.com:587",
		"net.port.ssh lab.example.com:22",
		"net.port.milter lab.example.com:7026",
		/* domains, checks in catalogue order */
		"dns.mx example.com",
		"dns.auth example.com",
		"dns.mx example.net",
		"dns.auth example.net",
	};
	struct plan_opts o = {.mode = MODE_CHECK, .skip = no_mail, .nskip = 1};
	struct fixture f;

	fixture_load(&f, config_text, profile_text);
	fixture_plan(&f, &o);
	assert_items(&f.plan, want, sizeof(want) / sizeof(want[0]));
	fixture_free(&f);
}
END_TEST

START_TEST(item_fields)
{
	struct plan_opts o = {.mode = MODE_CHECK, .skip = no_mail, .nskip = 1};
	struct fixture f;
	const struct plan_item *it;
	char buf[MR_ADDR_STRLEN];

	fixture_load(&f, config_text, profile_text);
	fixture_plan(&f, &o);

	it = &f.plan.items[0]; /* host.fqdn mta1 */
	ck_assert_ptr_eq(it->def, catalog_find_scoped("host.fqdn", CHECK_NODE));
	ck_assert_ptr_eq(it->node, &f.cfg->nodes[0]);
	ck_assert_ptr_null(it->domain);
	ck_assert_ptr_null(it->service);
	ck_assert_uint_eq(it->port, 0);
	ck_assert(!it->has_addr);
	ck_assert(!it->self);
	ck_assert_ptr_null(it->skip_reason);

	it = &f.plan.items[5]; /* net.port.smtp [2001:db8::10]:25 */
	ck_assert_ptr_eq(it->def, catalog_find("net.port.smtp"));
	ck_assert_str_eq(it->service, "smtp");
	ck_assert_uint_eq(it->port, 25);
	ck_assert(it->external);
	ck_assert(it->has_addr);
	ck_assert_str_eq(mr_addr_str(&it->addr, buf), "2001:db8::10");

	it = &f.plan.items[10]; /* net.port.ssh 10.0.0.10:22 */
	ck_assert_str_eq(it->service, "ssh");
	ck_assert(!it->external);
	ck_assert_str_eq(mr_addr_str(&it->addr, buf), "10.0.0.10");

	it = &f.plan.items[15]; /* net.port.imap 10.0.0.20:143 */
	ck_assert_str_eq(it->id, "net.port.imap");
	ck_assert(it->external);
	ck_assert(it->has_addr);
	ck_assert_str_eq(mr_addr_str(&it->addr, buf), "10.0.0.20");

	it = &f.plan.items[23]; /* net.port.smtp lab.example.com:25 */
	ck_assert_str_eq(it->id, "net.port.smtp");
	ck_assert(!it->has_addr);

	it = &f.plan.items[f.plan.n - 1]; /* dns.auth example.net */
	ck_assert_ptr_eq(it->def,
	                 catalog_find_scoped("dns.auth", CHECK_DOMAIN));
	ck_assert_ptr_null(it->node);
	ck_assert_str_eq(it->domain, "example.net");
	ck_assert_ptr_eq(it->domain, f.cfg->domains[1]);
	it = &f.plan.items[f.plan.n - 4]; /* dns.mx example.com */
	ck_assert_ptr_eq(it->def, catalog_find_scoped("dns.mx", CHECK_DOMAIN));
	fixture_free(&f);
}
END_TEST

START_TEST(ports_deduplicated_across_roles)
{
	struct plan_opts o = {
		.mode = MODE_CHECK, .only = (char *[]){"net.*"}, .nonly = 1};
	struct fixture f;
	static const char *const want[] = {
		"net.port.smtp 192.0.2.1:25",
		"net.port.ssh 10.0.0.1:22",
		"net.port.smtp 10.0.0.1:25",
	};

	/* 25 is external for one role and internal for another: both. */
	fixture_load(&f,
	             "[node a.example.com]\n"
	             "roles = r1, r2, r3\n"
	             "public = 192.0.2.1\n"
	             "internal = 10.0.0.1\n",
	             "[all]\ninternal = ssh:22\n"
	             "[role r1]\nexternal = smtp:25\n"
	             "[role r2]\nexternal = mx:25\ninternal = shell:22\n"
	             "[role r3]\ninternal = smtp:25\n");
	fixture_plan(&f, &o);
	assert_items(&f.plan, want, sizeof(want) / sizeof(want[0]));
	fixture_free(&f);
}
END_TEST

START_TEST(self_marks_node)
{
	struct plan_opts o = {.mode = MODE_CHECK, .self = "MTA1.Example.com."};
	struct fixture f;

	fixture_load(&f, config_text, profile_text);
	fixture_plan(&f, &o);
	for (size_t i = 0; i < f.plan.n; i++) {
		const struct plan_item *it = &f.plan.items[i];
		bool want = it->node == &f.cfg->nodes[0];
		ck_assert_msg(it->self == want, "item %zu (%s): self %d", i,
		              item_str(&f.plan, i), it->self);
		/* No check of today's catalogue is self-only. */
		if (!it->def->self_only)
			ck_assert_ptr_null(it->skip_reason);
	}
	fixture_free(&f);
}
END_TEST

START_TEST(only_and_skip)
{
	struct plan_opts o = {
		.mode = MODE_CHECK,
		.only = (char *[]){"dns.*", "net.port.smtp"},
		.nonly = 2,
		.skip = (char *[]){"dns.a.*", "dns.mx"},
		.nskip = 2,
	};
	static const char *const want[] = {
		"dns.ptr mta1.example.com",
		"net.port.smtp 203.0.113.10:25",
		"net.port.smtp [2001:db8::10]:25",
		"dns.ptr store1.example.com",
		"dns.ptr lab.example.com",
		"net.port.smtp lab.example.com:25",
		"dns.auth example.com",
		"dns.auth example.net",
	};
	struct fixture f;

	fixture_load(&f, config_text, profile_text);
	fixture_plan(&f, &o);
	assert_items(&f.plan, want, sizeof(want) / sizeof(want[0]));
	fixture_free(&f);
}
END_TEST

START_TEST(skip_only)
{
	struct plan_opts o = {
		.mode = MODE_CHECK,
		.skip = (char *[]){"net.port.*", "dns.a.*", "mail.*"},
		.nskip = 3,
	};
	struct fixture f;

	fixture_load(&f, config_text, profile_text);
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "host.fqdn"), 3);
	ck_assert_uint_eq(count_id(&f.plan, "dns.a.inside"), 0);
	ck_assert_uint_eq(count_id(&f.plan, "net.port.smtp"), 0);
	/* mta1 3, store1 2, lab 3, domains 4 */
	ck_assert_uint_eq(f.plan.n, 3 + 2 + 3 + 4);
	fixture_free(&f);
}
END_TEST

START_TEST(error_unknown_role)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	char err[512] = "";

	fixture_load(&f,
	             "[cluster]\n"
	             "domains = example.com\n"
	             "[node mta1.example.com]\n"
	             "roles = mta\n"
	             "\n"
	             "[node mta2.example.com]\n"
	             "roles = mta, mtaa\n",
	             profile_text);
	ck_assert_int_eq(
		plan_build(f.cfg, f.prof, &o, &f.plan, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "c.conf:6: node mta2.example.com: unknown role "
	                      "'mtaa' in profile p (did you mean 'mta'?)");
	ck_assert_uint_eq(f.plan.n, 0);
	ck_assert_ptr_null(f.plan.items);
	fixture_free(&f);

	/* Nothing near: the roles there are. */
	fixture_load(&f, "[node a.example.com]\nroles = directory\n",
	             profile_text);
	ck_assert_int_eq(
		plan_build(f.cfg, f.prof, &o, &f.plan, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "c.conf:1: node a.example.com: unknown role "
	                      "'directory' (profile p has: mta, store, "
	                      "empty)");
	fixture_free(&f);
}
END_TEST

START_TEST(error_no_roles)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	char err[512] = "";

	fixture_load(&f,
	             "[node a.example.com]\nroles = empty\n\n"
	             "[node b.example.com]\n",
	             "[all]\nchecks = host.fqdn\n[role empty]\n");
	ck_assert_int_eq(
		plan_build(f.cfg, f.prof, &o, &f.plan, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "c.conf:4: node b.example.com: no roles given "
	                      "and profile p has no default_roles; add "
	                      "'roles = ...' to [node b.example.com]");
	fixture_free(&f);
}
END_TEST

START_TEST(role_without_checks_gets_all)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	static const char *const want[] = {
		"host.fqdn a.example.com",
		"net.port.ssh a.example.com:22",
	};

	fixture_load(&f, "[node a.example.com]\nroles = empty\n",
	             "[all]\nchecks = host.fqdn\ninternal = ssh:22\n"
	             "[role empty]\n");
	fixture_plan(&f, &o);
	assert_items(&f.plan, want, sizeof(want) / sizeof(want[0]));
	fixture_free(&f);
}
END_TEST

START_TEST(real_profile_and_example)
{
	char err[512] = "";
	struct mr_config *cfg =
		mr_config_load(SRCDIR "/checks/examples/carbonio-cluster.conf",
	                       err, sizeof(err));
	struct profile *prof;
	struct plan_opts o = {.mode = MODE_CHECK};
	struct plan p;

	ck_assert_msg(cfg != NULL, "%s", err);
	prof = profile_load(SRCDIR "/checks/profiles/carbonio.conf", err,
	                    sizeof(err));
	ck_assert_msg(prof != NULL, "%s", err);
	ck_assert_int_eq(plan_build(cfg, prof, &o, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(count_id(&p, "host.fqdn"), 7);
	ck_assert_uint_eq(count_id(&p, "dns.mx"), 2 + 1);
	/* proxy: 2 public addresses; mta1: 2; mta2: 1 */
	ck_assert_uint_eq(count_id(&p, "net.port.imaps"), 2);
	ck_assert_uint_eq(count_id(&p, "net.port.smtp"), 3);
	ck_assert_uint_eq(count_id(&p, "net.port.ssh"), 7);
	ck_assert_uint_eq(count_id(&p, "net.port.pgpool"), 1);
	/* 9330 is ldap-exporter on core, tcp-9330 on the mailstores. */
	ck_assert_uint_eq(count_id(&p, "net.port.ldap-exporter"), 1);
	ck_assert_uint_eq(count_id(&p, "net.port.tcp-9330"), 2);
	plan_free(&p);
	profile_free(prof);
	mr_config_free(cfg);
}
END_TEST

START_TEST(mode_names)
{
	ck_assert_str_eq(run_mode_name(MODE_PREFLIGHT), "preflight");
	ck_assert_str_eq(run_mode_name(MODE_CHECK), "check");
	ck_assert_str_eq(run_mode_name(MODE_HEALTH), "health");
}
END_TEST

/* ------------------------------------------- catalogue-driven behaviour */

static const char mail_config[] = "[node mx.example.com]\n"
				  "roles = mta\n"
				  "public = 192.0.2.25, 2001:db8::25\n"
				  "internal = 10.0.0.25\n";

static const char mail_profile[] = "[role mta]\n"
				   "external = smtp:25, https:443\n"
				   "internal = imap:143\n";

/* mail.SERVICE: for mail services only, on the same addresses as
 * net.port, as soon as the catalogue has the check. */
START_TEST(mail_items_follow_catalogue)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	bool have_smtp = catalog_find_scoped("mail.smtp", CHECK_NODE) != NULL;
	bool have_imap = catalog_find_scoped("mail.imap", CHECK_NODE) != NULL;

	fixture_load(&f, mail_config, mail_profile);
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "mail.smtp"), have_smtp ? 2 : 0);
	ck_assert_uint_eq(count_id(&f.plan, "mail.imap"), have_imap ? 1 : 0);
	ck_assert_uint_eq(count_id(&f.plan, "mail.https"), 0);
	for (size_t i = 0; i < f.plan.n; i++) {
		const struct plan_item *it = &f.plan.items[i];
		if (strcmp(it->id, "mail.imap") == 0) {
			ck_assert_str_eq(it->target, "10.0.0.25:143");
			ck_assert(!it->external);
		}
		if (strcmp(it->id, "mail.smtp") == 0)
			ck_assert(it->external && it->has_addr);
	}
	fixture_free(&f);
}
END_TEST

/* host.port.SERVICE: preflight, on the node itself, one per port. */
START_TEST(host_port_items_follow_catalogue)
{
	struct plan_opts o = {.mode = MODE_PREFLIGHT, .self = "mx.example.com"};
	struct fixture f;
	bool have = catalog_find_scoped("host.port.smtp", CHECK_NODE) != NULL;

	fixture_load(&f, mail_config, mail_profile);
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "host.port.smtp"), have ? 1 : 0);
	for (size_t i = 0; i < f.plan.n; i++) {
		const struct plan_item *it = &f.plan.items[i];
		if (strcmp(it->id, "host.port.smtp") == 0) {
			ck_assert_str_eq(it->target, ":25");
			ck_assert(!it->has_addr);
			ck_assert(it->self);
			ck_assert_ptr_null(it->skip_reason);
		}
	}
	plan_free(&f.plan);

	/* Not in check mode, and not on another node. */
	o.mode = MODE_CHECK;
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "host.port.smtp"), 0);
	plan_free(&f.plan);
	o.mode = MODE_PREFLIGHT;
	o.self = "other.example.com";
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "host.port.smtp"), 0);
	fixture_free(&f);
}
END_TEST

/* A self-only check elsewhere is kept, as a skip saying where to run. */
START_TEST(self_only_skipped_elsewhere)
{
	const struct check_def *def = NULL;
	struct plan_opts o = {.mode = MODE_CHECK, .self = "a.example.com"};
	struct fixture f;
	char profile[256];

	for (size_t i = 0; i < catalog_count && def == NULL; i++)
		if (catalog[i].scope == CHECK_NODE && catalog[i].self_only &&
		    !catalog[i].family)
			def = &catalog[i];
	if (def == NULL)
		return; /* none in the catalogue yet */
	snprintf(profile, sizeof(profile),
	         "[profile]\ndefault_roles = x\n[all]\nchecks = %s\n"
	         "[role x]\n",
	         def->id);
	fixture_load(&f, "[node a.example.com]\n[node b.example.com]\n",
	             profile);
	fixture_plan(&f, &o);
	ck_assert_uint_eq(f.plan.n, 2);
	ck_assert(f.plan.items[0].self);
	ck_assert_ptr_null(f.plan.items[0].skip_reason);
	ck_assert(!f.plan.items[1].self);
	/* What it tests there, and where this run is. */
	ck_assert_ptr_nonnull(
		strstr(f.plan.items[1].skip_reason, catalog_on_node(def)));
	ck_assert_ptr_nonnull(strstr(f.plan.items[1].skip_reason,
	                             "this run is on a.example.com"));
	ck_assert_int_eq(f.plan.items[1].skip_code, CODE_NOT_ON_NODE);
	ck_assert_int_eq(f.plan.items[1].skip_status, MR_SKIP);
	plan_free(&f.plan);

	/* No --self, in check mode: not this host. */
	o.self = NULL;
	fixture_plan(&f, &o);
	ck_assert_ptr_nonnull(strstr(f.plan.items[0].skip_reason,
	                             "this host is not a.example.com"));
	ck_assert_int_eq(f.plan.items[0].skip_status, MR_SKIP);
	plan_free(&f.plan);

	/* preflight on a host that is none of the nodes: unknown, not skip,
	   for every node. */
	o.mode = MODE_PREFLIGHT;
	o.not_a_node = "admin.example.org";
	fixture_plan(&f, &o);
	for (size_t i = 0; i < 2; i++) {
		const struct plan_item *it = &f.plan.items[i];
		ck_assert(!it->self);
		ck_assert_int_eq(it->skip_code, CODE_HOST_NOT_A_NODE);
		ck_assert_int_eq(it->skip_status, MR_UNKNOWN);
		ck_assert_ptr_nonnull(strstr(it->skip_reason,
		                             "this host (admin.example.org) is "
		                             "no node of the cluster file"));
	}
	fixture_free(&f);
}
END_TEST

/*
 * host.port: the programs expected come from the profile's holders of
 * the node's sections, '*' for a section's own ports, else from the
 * built-in table; a port neither knows has none.
 */
START_TEST(host_port_holders_from_profile)
{
	static const char prof[] =
		"[profile]\ndefault_roles = mta\n"
		"[all]\ninternal = ssh:22\nholders = ssh: sshd\n"
		"[role mta]\n"
		"external = smtp:25, submission:587\n"
		"internal = milter:7026, other:7777\n"
		"holders = smtp submission: master smtpd\n"
		"\tpostscreen, milter: java\n"
		"[role store]\nexternal = imap:143\ninternal = lmtp:7025\n"
		"holders = *: dovecot\n";
	static const char cfg[] = "[node a.example.com]\nroles = mta\n"
				  "[node b.example.com]\nroles = mta, store\n";
	struct plan_opts o = {.mode = MODE_PREFLIGHT};
	struct fixture f;
	const struct {
		const char *node, *id, *holders;
	} want[] = {
		{"a.example.com", "host.port.smtp", "master smtpd postscreen"},
		{"a.example.com", "host.port.submission",
	         "master smtpd postscreen"},
		{"a.example.com", "host.port.milter", "java"},
		{"a.example.com", "host.port.other", NULL},
		{"a.example.com", "host.port.ssh", "sshd"},
		{"b.example.com", "host.port.imap", "dovecot"},
		{"b.example.com", "host.port.lmtp", "dovecot"},
		/* '*' of store does not reach mta's ports. */
		{"b.example.com", "host.port.smtp", "master smtpd postscreen"},
	};

	if (catalog_find_scoped("host.port.smtp", CHECK_NODE) == NULL)
		return;
	fixture_load(&f, cfg, prof);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		o.self = want[k].node;
		fixture_plan(&f, &o);
		const struct plan_item *it = NULL;
		for (size_t i = 0; i < f.plan.n && it == NULL; i++)
			if (strcmp(f.plan.items[i].id, want[k].id) == 0 &&
			    f.plan.items[i].self)
				it = &f.plan.items[i];
		ck_assert_msg(it != NULL, "%s %s", want[k].node, want[k].id);
		if (want[k].holders == NULL)
			ck_assert_ptr_null(it->holders);
		else
			ck_assert_str_eq(it->holders, want[k].holders);
		plan_free(&f.plan);
	}
	fixture_free(&f);

	/* A profile without holders: the built-in table. */
	fixture_load(&f, mail_config, mail_profile);
	o.self = "mx.example.com";
	fixture_plan(&f, &o);
	for (size_t i = 0; i < f.plan.n; i++)
		if (strcmp(f.plan.items[i].id, "host.port.smtp") == 0)
			ck_assert_str_eq(f.plan.items[i].holders,
			                 service_find("smtp")->holders);
	fixture_free(&f);
}
END_TEST

/* ------------------------------------------------------------ services */

static const struct plan_item *
find_item(const struct plan *p, const char *id, const char *target)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].id, id) == 0 &&
		    strcmp(p->items[i].target, target) == 0)
			return &p->items[i];
	ck_abort_msg("no item %s %s", id, target);
	return NULL;
}

/* implicit_tls comes from the service table, for every port item. */
START_TEST(implicit_tls_from_services)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	const struct plan_item *it;

	fixture_load(&f,
	             "[node mx.example.com]\nroles = mta\n"
	             "public = 127.0.2.25\n",
	             "[role mta]\n"
	             "external = smtp:25, smtps:465, imaps:993, pop3:110,\n"
	             "  pop3s:995, custom:4465\n");
	fixture_plan(&f, &o);
	ck_assert(!find_item(&f.plan, "net.port.smtp", "127.0.2.25:25")
	                   ->implicit_tls);
	ck_assert(find_item(&f.plan, "net.port.smtps", "127.0.2.25:465")
	                  ->implicit_tls);
	ck_assert(!find_item(&f.plan, "net.port.custom", "127.0.2.25:4465")
	                   ->implicit_tls);
	if (catalog_find_scoped("mail.smtps", CHECK_NODE) != NULL) {
		it = find_item(&f.plan, "mail.smtps", "127.0.2.25:465");
		ck_assert(it->implicit_tls);
		ck_assert_str_eq(it->service, "smtps");
		it = find_item(&f.plan, "mail.smtp", "127.0.2.25:25");
		ck_assert(!it->implicit_tls);
	}
	if (catalog_find_scoped("mail.imaps", CHECK_NODE) != NULL)
		ck_assert(find_item(&f.plan, "mail.imaps", "127.0.2.25:993")
		                  ->implicit_tls);
	if (catalog_find_scoped("mail.pop3", CHECK_NODE) != NULL) {
		ck_assert(!find_item(&f.plan, "mail.pop3", "127.0.2.25:110")
		                   ->implicit_tls);
		ck_assert(find_item(&f.plan, "mail.pop3s", "127.0.2.25:995")
		                  ->implicit_tls);
	}
	ck_assert_uint_eq(count_id(&f.plan, "mail.custom"), 0);
	for (size_t i = 0; i < f.plan.n; i++)
		if (f.plan.items[i].service == NULL)
			ck_assert(!f.plan.items[i].implicit_tls);
	fixture_free(&f);
}
END_TEST

/*
 * mail.smtp in a profile's checks adds smtp:25 (external) to the role:
 * the plan makes its items from that port, and no item of its own.
 */
START_TEST(service_check_ids_make_ports)
{
	struct plan_opts o = {.mode = MODE_CHECK};
	struct fixture f;
	bool have = catalog_find_scoped("mail.smtp", CHECK_NODE) != NULL;

	fixture_load(&f,
	             "[node mx.example.com]\nroles = mta\n"
	             "public = 127.0.2.25\ninternal = 10.0.0.25\n",
	             "[all]\nchecks = host.fqdn\n"
	             "[role mta]\nchecks = mail.smtp, net.port.ssh\n"
	             "internal = ssh:2222\n");
	fixture_plan(&f, &o);
	ck_assert_uint_eq(count_id(&f.plan, "mail.smtp"), have ? 1 : 0);
	if (have)
		find_item(&f.plan, "mail.smtp", "127.0.2.25:25");
	find_item(&f.plan, "net.port.smtp", "127.0.2.25:25");
	/* The role's own ssh port, not the default one. */
	ck_assert_uint_eq(count_id(&f.plan, "net.port.ssh"), 1);
	find_item(&f.plan, "net.port.ssh", "10.0.0.25:2222");
	/* host.fqdn, net.port.smtp, net.port.ssh and mail.smtp. */
	ck_assert_uint_eq(f.plan.n, 3 + (have ? 1 : 0));
	fixture_free(&f);
}
END_TEST

/* The service table and the catalogue agree on the mail checks. */
START_TEST(services_table)
{
	for (size_t i = 0; i < services_count; i++) {
		const struct service_def *sd = &services[i];
		char id[64];
		ck_assert_ptr_eq(service_find(sd->name), sd);
		ck_assert_uint_gt(sd->port, 0);
		ck_assert_msg(sd->hint != NULL && *sd->hint, "%s", sd->name);
		for (size_t j = 0; j < i; j++) {
			ck_assert_str_ne(services[j].name, sd->name);
			ck_assert_uint_ne(services[j].port, sd->port);
		}
		snprintf(id, sizeof(id), "mail.%s", sd->name);
		if (sd->proto == SERVICE_PROTO_NONE) {
			ck_assert_ptr_null(service_of_check(id));
			continue;
		}
		ck_assert_msg(sd->holders != NULL, "%s", sd->name);
		ck_assert_str_eq(service_of_check(id), sd->name);
		ck_assert_msg(catalog_find_scoped(id, CHECK_NODE) != NULL,
		              "%s has a mail protocol but no %s check",
		              sd->name, id);
	}
	for (size_t i = 0; i < catalog_count; i++)
		if (strncmp(catalog[i].id, "mail.", 5) == 0 &&
		    catalog[i].scope == CHECK_NODE)
			ck_assert_msg(service_of_check(catalog[i].id) != NULL,
			              "%s: no mail service %s", catalog[i].id,
			              catalog[i].id + 5);
	ck_assert(services[0].proto == SERVICE_PROTO_SMTP);
	/* The fallback knows Postfix's processes, not only its master. */
	ck_assert_str_eq(service_find("smtp")->holders,
	                 "master smtpd postscreen tlsproxy exim4 exim "
	                 "sendmail");
	ck_assert_str_eq(service_find("smtps")->holders,
	                 "master smtpd postscreen tlsproxy exim4 exim sendmail "
	                 "dovecot submission-login");
	ck_assert(service_find("imaps")->implicit_tls);
	ck_assert_uint_eq(service_find("pop3s")->port, 995);
	ck_assert_ptr_null(service_find("SMTP"));
	ck_assert_str_eq(service_suggest("smpt"), "smtp");
	ck_assert_ptr_null(service_suggest("xmpp-server-to-server"));
	ck_assert_str_eq(service_proto_name(SERVICE_PROTO_IMAP), "imap");
	ck_assert_str_eq(service_proto_name(SERVICE_PROTO_NONE), "none");
	ck_assert_str_eq(service_of_check("net.port.milter"), "milter");
	ck_assert_str_eq(service_of_check("host.port.smtp"), "smtp");
	ck_assert_ptr_null(service_of_check("mail.dane"));
	ck_assert_ptr_null(service_of_check("dns.mx"));
}
END_TEST

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, exact_plan);
	tcase_add_test(tc, item_fields);
	tcase_add_test(tc, ports_deduplicated_across_roles);
	tcase_add_test(tc, self_marks_node);
	tcase_add_test(tc, only_and_skip);
	tcase_add_test(tc, skip_only);
	tcase_add_test(tc, error_unknown_role);
	tcase_add_test(tc, error_no_roles);
	tcase_add_test(tc, role_without_checks_gets_all);
	tcase_add_test(tc, real_profile_and_example);
	tcase_add_test(tc, mode_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("catalogue");
	tcase_add_test(tc, mail_items_follow_catalogue);
	tcase_add_test(tc, host_port_items_follow_catalogue);
	tcase_add_test(tc, self_only_skipped_elsewhere);
	tcase_add_test(tc, host_port_holders_from_profile);
	suite_add_tcase(s, tc);

	tc = tcase_create("services");
	tcase_add_test(tc, implicit_tls_from_services);
	tcase_add_test(tc, service_check_ids_make_ports);
	tcase_add_test(tc, services_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
