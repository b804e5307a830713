/*
 * test_profile.c -- unit tests of role profiles (src/profile.c): the real
 * checks/profiles/carbonio.conf and mail.conf, loading by name and by
 * path, and every error with its line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "profile.h"

#define PROFILES SRCDIR "/checks/profiles"

static struct profile *
load_ok(const char *name_or_path)
{
	char err[512] = "";
	struct profile *p = profile_load(name_or_path, err, sizeof(err));

	ck_assert_msg(p != NULL, "%s", err);
	return p;
}

static const struct profile_role *
role(const struct profile *p, const char *name)
{
	const struct profile_role *r = profile_role(p, name);

	ck_assert_msg(r != NULL, "no role %s", name);
	return r;
}

/* The ports of r as "svc:port" separated by ", ", externals marked "+". */
static const char *
ports_str(const struct profile_role *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nports && off < len; i++)
		off += (size_t)snprintf(
			buf + off, len - off, "%s%s%s:%u", i ? ", " : "",
			r->ports[i].external ? "+" : "", r->ports[i].service,
			(unsigned)r->ports[i].port);
	return buf;
}

static const char *
strv_str(char *const *v, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		                        i ? ", " : "", v[i]);
	return buf;
}

START_TEST(carbonio_profile)
{
	struct profile *p = load_ok(PROFILES "/carbonio.conf");
	static const char *const roles[] = {
		"mta",           "proxy",     "mailstore", "db",
		"db-connection", "directory", "mesh",      "monitoring",
		"files",         "docs",      "preview",   "user-management",
		"admin",
	};
	char buf[1024];

	ck_assert_str_eq(p->name, "carbonio");
	ck_assert_str_eq(p->path, PROFILES "/carbonio.conf");
	ck_assert_ptr_nonnull(p->description);
	ck_assert_str_eq(
		strv_str(p->default_roles, p->ndefault_roles, buf, sizeof(buf)),
		"mta, proxy, mailstore, directory, db, mesh");
	ck_assert_uint_eq(p->nroles, sizeof(roles) / sizeof(roles[0]));
	for (size_t i = 0; i < p->nroles; i++) {
		ck_assert_str_eq(p->roles[i].name, roles[i]);
		ck_assert_msg(p->roles[i].description != NULL &&
		                      *p->roles[i].description,
		              "role %s has no description", roles[i]);
	}
	ck_assert_str_eq(p->all.name, "all");
	ck_assert_str_eq(
		strv_str(p->all.checks, p->all.nchecks, buf, sizeof(buf)),
		"host.fqdn, dns.a.inside, dns.a.outside, dns.ptr, "
		"net.internet");
	ck_assert_str_eq(ports_str(&p->all, buf, sizeof(buf)),
	                 "ssh:22, consul-serf-lan:8301, node-exporter:9100, "
	                 "process-exporter:9256");
	ck_assert_str_eq(
		strv_str(p->domain_checks, p->ndomain_checks, buf, sizeof(buf)),
		"dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
	profile_free(p);
}
END_TEST

START_TEST(carbonio_roles)
{
	struct profile *p = load_ok(PROFILES "/carbonio.conf");
	const struct profile_role *r;
	char buf[1024];

	r = role(p, "mta");
	ck_assert_str_eq(strv_str(r->checks, r->nchecks, buf, sizeof(buf)),
	                 "dns.mx, dns.bl");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+smtp:25, +smtps:465, +submission:587, "
	                 "milter:7026, tcp-9810:9810");
	r = role(p, "proxy");
	ck_assert_uint_eq(r->nchecks, 0);
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+http:80, +pop3:110, +imap:143, +https:443, "
	                 "+imaps:993, +pop3s:995, +xmpp:5222, "
	                 "+admin-panel:6071, nginx-exporter:9113, "
	                 "memcached:11211");
	r = role(p, "mailstore");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "lmtp:7025, admin-soap:7071, nginx-lookup:7072, "
	                 "sasl-auth:7073, pop3-backend:7110, "
	                 "imap-backend:7143, imaps-backend:7993, "
	                 "pop3s-backend:7995, http-backend:8080, "
	                 "mailbox-internal:8735, tcp-8742:8742, "
	                 "tcp-8743:8743, tcp-9330:9330");
	r = role(p, "db");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "postgresql:5432, postgres-exporter:9187");
	r = role(p, "db-connection");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)), "pgpool:9999");
	r = role(p, "directory");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "ldap:389, ldaps:636, ldap-exporter:9330");
	r = role(p, "mesh");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "consul-rpc:8300, consul-serf-wan:8302, "
	                 "consul-dns:8600");
	r = role(p, "monitoring");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "prometheus:9090, tcp-9999:9999");
	static const char *const bare[] = {"files", "docs", "preview",
	                                   "user-management", "admin"};
	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		r = role(p, bare[i]);
		ck_assert_uint_eq(r->nchecks, 0);
		ck_assert_uint_eq(r->nports, 0);
	}
	/* A description continued on indented lines is one paragraph. */
	r = role(p, "mta");
	ck_assert_str_eq(r->description,
	                 "Carbonio MTA: Postfix with Amavis, SpamAssassin and "
	                 "ClamAV; receives mail from the Internet and relays "
	                 "the users' outgoing mail");
	ck_assert_ptr_null(profile_role(p, "all"));
	ck_assert_ptr_null(profile_role(p, "nope"));
	profile_free(p);
}
END_TEST

START_TEST(mail_profile)
{
	struct profile *p = load_ok(PROFILES "/mail.conf");
	const struct profile_role *r;
	char buf[512];

	ck_assert_str_eq(p->name, "mail");
	ck_assert_str_eq(
		strv_str(p->default_roles, p->ndefault_roles, buf, sizeof(buf)),
		"mta, mailstore");
	ck_assert_uint_eq(p->nroles, 2);
	ck_assert_str_eq(
		strv_str(p->all.checks, p->all.nchecks, buf, sizeof(buf)),
		"host.fqdn, dns.a.inside, dns.a.outside, dns.ptr, "
		"net.internet");
	ck_assert_str_eq(ports_str(&p->all, buf, sizeof(buf)), "ssh:22");
	r = role(p, "mta");
	ck_assert_str_eq(strv_str(r->checks, r->nchecks, buf, sizeof(buf)),
	                 "dns.mx, dns.bl");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+smtp:25, +submission:587, +smtps:465");
	r = role(p, "mailstore");
	ck_assert_uint_eq(r->nchecks, 0);
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+imap:143, +imaps:993, +pop3:110, +pop3s:995");
	ck_assert_str_eq(
		strv_str(p->domain_checks, p->ndomain_checks, buf, sizeof(buf)),
		"dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
	profile_free(p);
}
END_TEST

START_TEST(load_by_name)
{
	struct profile *p;

	setenv(PROFILE_DIR_ENV, PROFILES, 1);
	ck_assert_str_eq(profile_dir(), PROFILES);
	p = load_ok("carbonio");
	ck_assert_str_eq(p->name, "carbonio");
	ck_assert_str_eq(p->path, PROFILES "/carbonio.conf");
	profile_free(p);
	p = load_ok("mail");
	ck_assert_str_eq(p->name, "mail");
	profile_free(p);
}
END_TEST

/* Installed, the installed directory; run from the build tree, the sources'. */
static const char *
expected_default_dir(void)
{
	struct stat sb;

	if (stat(MAILREADY_PROFILE_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
		return MAILREADY_PROFILE_DIR;
	return MAILREADY_SOURCE_PROFILE_DIR;
}

START_TEST(profile_dir_default)
{
	unsetenv(PROFILE_DIR_ENV);
	ck_assert_str_eq(profile_dir(), expected_default_dir());
	setenv(PROFILE_DIR_ENV, "", 1);
	ck_assert_str_eq(profile_dir(), expected_default_dir());
}
END_TEST

START_TEST(profile_dir_option)
{
	unsetenv(PROFILE_DIR_ENV);
	profile_set_dir("/opt/profiles");
	ck_assert_str_eq(profile_dir(), "/opt/profiles");
	/* The environment still wins, as for every other setting. */
	setenv(PROFILE_DIR_ENV, "/env/profiles", 1);
	ck_assert_str_eq(profile_dir(), "/env/profiles");
	profile_set_dir(NULL);
	unsetenv(PROFILE_DIR_ENV);
	ck_assert_str_eq(profile_dir(), expected_default_dir());
}
END_TEST

START_TEST(load_not_found)
{
	char err[512] = "";

	setenv(PROFILE_DIR_ENV, "/nonexistent/profiles", 1);
	ck_assert_ptr_null(profile_load("nope", err, sizeof(err)));
	ck_assert_str_eq(err, "profile 'nope' not found: "
	                      "/nonexistent/profiles/nope.conf: No such file "
	                      "or directory (install mailready, or give "
	                      "--profile-dir DIR or MAILREADY_PROFILE_DIR)");
	ck_assert_ptr_null(profile_load("./nope.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "./nope.conf: No such file or directory");
	ck_assert_ptr_null(profile_load("Carbonio", err, sizeof(err)));
	ck_assert_str_eq(err, "profile name 'Carbonio' may contain only a-z, "
	                      "0-9 and '-'; give a file as a path with a '/'");
	ck_assert_ptr_null(profile_load("carbonio.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "profile name 'carbonio.conf' may contain only "
	                      "a-z, 0-9 and '-'; give a file as a path with "
	                      "a '/'");
}
END_TEST

START_TEST(load_string_ok)
{
	char err[512] = "";
	struct profile *p =
		profile_load_string("lab.conf",
	                            "; a lab profile\n"
	                            "[profile]\n"
	                            "description = lab\n"
	                            "default_roles = store\n"
	                            "[role store]\n"
	                            "external = imap:143,imaps:993 pop3:110\n"
	                            "internal = lmtp:24\n"
	                            "  sieve:4190\n"
	                            "checks = dns.a.inside ; inline comment\n"
	                            "[domain]\n"
	                            "checks = dns.auth\n",
	                            err, sizeof(err));
	const struct profile_role *r;
	char buf[256];

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_str_eq(p->name, "lab");
	ck_assert_uint_eq(p->all.nchecks, 0);
	ck_assert_uint_eq(p->all.nports, 0);
	r = role(p, "store");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+imap:143, +imaps:993, +pop3:110, lmtp:24, "
	                 "sieve:4190");
	ck_assert_str_eq(strv_str(r->checks, r->nchecks, buf, sizeof(buf)),
	                 "dns.a.inside");
	ck_assert_ptr_null(r->description);
	profile_free(p);
}
END_TEST

/* Load text and expect exactly the error want. */
#define PROFILE_ERR(text, want)                                                \
	do {                                                                   \
		char err_[512] = "";                                           \
		struct profile *p_ = profile_load_string("p.conf", text, err_, \
		                                         sizeof(err_));        \
		ck_assert_ptr_null(p_);                                        \
		ck_assert_str_eq(err_, want);                                  \
	} while (0)

START_TEST(error_unknown_check)
{
	PROFILE_ERR("[all]\n"
	            "checks = host.fqdn\n"
	            "[role mta]\n"
	            "checks = dns.mxx\n",
	            "p.conf:4: [role mta] checks: unknown check 'dns.mxx' "
	            "(did you mean 'dns.mx'?)");
	PROFILE_ERR("[all]\nchecks = host.fqdn, dns.prt\n",
	            "p.conf:2: [all] checks: unknown check 'dns.prt' (did you "
	            "mean 'dns.ptr'?)");
	PROFILE_ERR("[all]\nchecks = dns.a.insde\n",
	            "p.conf:2: [all] checks: unknown check 'dns.a.insde' (did "
	            "you mean 'dns.a.inside'?)");
	PROFILE_ERR("[all]\nchecks = spf\n",
	            "p.conf:2: [all] checks: unknown check 'spf'; node checks "
	            "are: host.fqdn, dns.a.inside, dns.a.outside, dns.ptr, "
	            "dns.mx, dns.bl, net.internet, host.port.SERVICE, "
	            "net.port.SERVICE, mail.SERVICE");
	PROFILE_ERR(
		"[domain]\n"
		"\n"
		"checks = dns.mx, dns.nope\n",
		"p.conf:3: [domain] checks: unknown check 'dns.nope'; "
		"domain checks are: dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
}
END_TEST

START_TEST(error_wrong_scope)
{
	PROFILE_ERR(
		"[all]\nchecks = dns.auth\n",
		"p.conf:2: [all] checks: 'dns.auth' is not a node check; "
		"those are: host.fqdn, dns.a.inside, dns.a.outside, dns.ptr, "
		"dns.mx, dns.bl, net.internet, host.port.SERVICE, "
		"net.port.SERVICE, mail.SERVICE");
	PROFILE_ERR(
		"[domain]\nchecks = host.fqdn\n",
		"p.conf:2: [domain] checks: 'host.fqdn' is not a domain "
		"check; those are: dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
}
END_TEST

/*
 * mail.SERVICE, net.port.SERVICE and host.port.SERVICE may be listed: each
 * asks for the service's default port (external), unless the role has a
 * port of that service anywhere in its section.
 */
START_TEST(port_checks_add_ports)
{
	char err[512] = "", buf[512];
	struct profile *p =
		profile_load_string("p.conf",
	                            "[all]\n"
	                            "checks = host.fqdn, net.port.ssh\n"
	                            "[role mta]\n"
	                            "checks = mail.smtp, mail.submission,\n"
	                            "  host.port.smtps\n"
	                            "[role store]\n"
	                            "external = imap:1143\n"
	                            "checks = mail.imap, mail.imaps\n"
	                            "[role late]\n"
	                            "checks = mail.pop3s, net.port.ldap\n"
	                            "internal = pop3s:10995\n"
	                            "[role web]\n"
	                            "checks = net.port.https\n"
	                            "external = https:443\n",
	                            err, sizeof(err));
	const struct profile_role *r;

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_str_eq(
		strv_str(p->all.checks, p->all.nchecks, buf, sizeof(buf)),
		"host.fqdn, net.port.ssh");
	ck_assert_str_eq(ports_str(&p->all, buf, sizeof(buf)), "+ssh:22");
	r = role(p, "mta");
	ck_assert_str_eq(strv_str(r->checks, r->nchecks, buf, sizeof(buf)),
	                 "mail.smtp, mail.submission, host.port.smtps");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+smtp:25, +submission:587, +smtps:465");
	/* The role's own imap port stays; imaps gets its default. */
	r = role(p, "store");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "+imap:1143, +imaps:993");
	/* A port given after the checks line counts too. */
	r = role(p, "late");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)),
	                 "pop3s:10995, +ldap:389");
	r = role(p, "web");
	ck_assert_str_eq(ports_str(r, buf, sizeof(buf)), "+https:443");
	profile_free(p);
}
END_TEST

START_TEST(error_port_checks)
{
	PROFILE_ERR("[all]\nchecks = net.port.*\n",
	            "p.conf:2: [all] checks: 'net.port.*' stands for every "
	            "port; name one service (net.port.smtp), or list ports in "
	            "external or internal");
	PROFILE_ERR("[all]\nchecks = host.port.\n",
	            "p.conf:2: [all] checks: 'host.port.' stands for every "
	            "port; name one service (host.port.smtp), or list ports "
	            "in external or internal");
	PROFILE_ERR("[role mta]\nchecks = net.port.smpt\n",
	            "p.conf:2: [role mta] checks: unknown service 'smpt' in "
	            "'net.port.smpt' (did you mean 'net.port.smtp'?)");
	PROFILE_ERR("[role mta]\nchecks = host.port.submision\n",
	            "p.conf:2: [role mta] checks: unknown service 'submision' "
	            "in 'host.port.submision' (did you mean "
	            "'host.port.submission'?)");
	PROFILE_ERR("[role mta]\nchecks = mail.smpt\n",
	            "p.conf:2: [role mta] checks: unknown check 'mail.smpt' "
	            "(did you mean 'mail.smtp'?)");
	PROFILE_ERR("[role mta]\ninternal = milter:7026\n"
	            "checks = net.port.milter\n",
	            "p.conf:3: [role mta] checks: unknown service 'milter' in "
	            "'net.port.milter': it has no default port; list its port "
	            "in external or internal (milter:PORT)");
	PROFILE_ERR("[role dir]\nchecks = mail.ldap\n",
	            "p.conf:2: [role dir] checks: 'mail.ldap': ldap speaks no "
	            "mail protocol; the mail checks are mail.smtp, "
	            "mail.submission, mail.smtps, mail.imap, mail.imaps, "
	            "mail.pop3, mail.pop3s");
	PROFILE_ERR(
		"[domain]\nchecks = net.port.smtp\n",
		"p.conf:2: [domain] checks: 'net.port.smtp' is not a "
		"domain check; those are: dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
	PROFILE_ERR(
		"[domain]\nchecks = mail.smtp\n",
		"p.conf:2: [domain] checks: 'mail.smtp' is not a domain "
		"check; those are: dns.mx, dns.auth, dns.spf, dns.dkim, dns.dmarc, dns.mta-sts, dns.bl, dns.tlsrpt");
	PROFILE_ERR("[role mta]\nchecks = mail.smtp, mail.smtp\n",
	            "p.conf:2: [role mta] checks: check 'mail.smtp' is listed "
	            "twice");
	/* The default port taken by another service of the section. */
	PROFILE_ERR("[role mta]\n"
	            "checks = dns.mx,\n"
	            "  mail.submission\n"
	            "external = smtp:25, msa:587\n",
	            "p.conf:3: [role mta] checks: 'mail.submission' needs "
	            "port submission:587, but port 587 is msa:587 in this "
	            "section; write it as submission:587");
	PROFILE_ERR("[all]\n"
	            "internal = alt-ssh:22\n"
	            "checks = net.port.ssh\n",
	            "p.conf:3: [all] checks: 'net.port.ssh' needs port "
	            "ssh:22, but port 22 is alt-ssh:22 in this section; write "
	            "it as ssh:22");
}
END_TEST

START_TEST(error_duplicate_check)
{
	PROFILE_ERR("[all]\nchecks = dns.ptr, host.fqdn, dns.ptr\n",
	            "p.conf:2: [all] checks: check 'dns.ptr' is listed twice");
}
END_TEST

START_TEST(error_bad_service_port)
{
	PROFILE_ERR("[role mta]\nexternal = smtp\n",
	            "p.conf:2: [role mta] external: 'smtp' needs a port: "
	            "SERVICE:PORT (e.g. smtp:25)");
	PROFILE_ERR("[role mta]\nexternal = SMTP:25\n",
	            "p.conf:2: [role mta] external: 'SMTP:25': the service "
	            "name may contain only a-z, 0-9 and '-'");
	PROFILE_ERR("[role mta]\nexternal = :25\n",
	            "p.conf:2: [role mta] external: ':25': the service name "
	            "may contain only a-z, 0-9 and '-'");
	PROFILE_ERR("[all]\ninternal = ssh:0\n",
	            "p.conf:2: [all] internal: 'ssh:0': the port must be "
	            "1-65535");
	PROFILE_ERR("[all]\ninternal = ssh:65536\n",
	            "p.conf:2: [all] internal: 'ssh:65536': the port must be "
	            "1-65535");
	PROFILE_ERR("[all]\ninternal = ssh:22x\n",
	            "p.conf:2: [all] internal: 'ssh:22x': the port must be "
	            "1-65535");
	PROFILE_ERR("[all]\ninternal = ssh:\n",
	            "p.conf:2: [all] internal: 'ssh:': the port must be "
	            "1-65535");
}
END_TEST

START_TEST(error_duplicate_port)
{
	PROFILE_ERR("[role mta]\n"
	            "external = smtp:25, submission:587\n"
	            "internal = relay:25\n",
	            "p.conf:3: [role mta] internal: port 25 is already in "
	            "this section as smtp:25");
	PROFILE_ERR("[role mta]\n"
	            "external = smtp:25,\n"
	            "\tsmtp-again:25\n",
	            "p.conf:3: [role mta] external: port 25 is already in "
	            "this section as smtp:25");
}
END_TEST

START_TEST(ports_may_repeat_across_sections)
{
	char err[512] = "";
	struct profile *p = profile_load_string("p.conf",
	                                        "[all]\ninternal = ssh:22\n"
	                                        "[role a]\ninternal = ssh:22\n"
	                                        "[role b]\nexternal = ssh:22\n",
	                                        err, sizeof(err));

	ck_assert_msg(p != NULL, "%s", err);
	profile_free(p);
}
END_TEST

START_TEST(error_unknown_default_role)
{
	PROFILE_ERR("[profile]\n"
	            "description = x\n"
	            "default_roles = mta, stor\n"
	            "[role mta]\n"
	            "[role store]\n",
	            "p.conf:3: [profile] default_roles: unknown role 'stor' "
	            "(did you mean 'store'?)");
	PROFILE_ERR("[profile]\n"
	            "default_roles = mta, mailbox\n"
	            "[role mta]\n"
	            "[role store]\n",
	            "p.conf:2: [profile] default_roles: unknown role "
	            "'mailbox' (roles here: mta, store)");
	PROFILE_ERR("[profile]\ndefault_roles = mta\n",
	            "p.conf:2: [profile] default_roles: unknown role 'mta' "
	            "(roles here: none)");
}
END_TEST

START_TEST(error_sections)
{
	PROFILE_ERR("[all]\nchecks = host.fqdn\n\n[roles mta]\n",
	            "p.conf:4: unknown section [roles mta] (did you mean "
	            "[role mta]?)");
	PROFILE_ERR("[rol mta]\n", "p.conf:1: unknown section [rol mta] (did "
	                           "you mean [role mta]?)");
	PROFILE_ERR("[domains]\n", "p.conf:1: unknown section [domains] (did "
	                           "you mean [domain]?)");
	PROFILE_ERR("[node mta]\n", "p.conf:1: unknown section [node mta] "
	                            "(did you mean [role mta]?)");
	PROFILE_ERR("[cluster]\n",
	            "p.conf:1: unknown section [cluster]; expected "
	            "[profile], [all], [role NAME] or [domain]");
	PROFILE_ERR("[all x]\n",
	            "p.conf:1: section [all] takes no name; write [all]");
	PROFILE_ERR("[role]\n", "p.conf:1: section [role] needs a name: "
	                        "[role mta]");
	PROFILE_ERR("[role Mta]\n", "p.conf:1: role name 'Mta' may contain "
	                            "only a-z, 0-9 and '-'");
	PROFILE_ERR("[role all]\n",
	            "p.conf:1: [role all] is reserved; write [all]");
	PROFILE_ERR("[role mta]\n[role proxy]\n[role mta]\n",
	            "p.conf:3: duplicate section [role mta] (first on line "
	            "1)");
	PROFILE_ERR("[all]\n[domain]\n[all]\n",
	            "p.conf:3: duplicate section [all] (first on line 1)");
	PROFILE_ERR("checks = host.fqdn\n",
	            "p.conf:1: key 'checks' is outside any section; put it "
	            "under [all], [role NAME] or [domain]");
	PROFILE_ERR("[all\n", "p.conf:1: section header without ']'");
}
END_TEST

START_TEST(error_keys)
{
	PROFILE_ERR("[all]\nchecks = host.fqdn\nports = smtp:25\n",
	            "p.conf:3: unknown key 'ports' in [all]; keys there are: "
	            "description, checks, external, internal, holders");
	PROFILE_ERR("[domain]\nexternal = smtp:25\n",
	            "p.conf:2: key 'external' does not belong in [domain]; "
	            "it goes in [all] or [role NAME]");
	PROFILE_ERR("[profile]\nchecks = host.fqdn\n",
	            "p.conf:2: key 'checks' does not belong in [profile]; it "
	            "goes in [all], [role NAME] or [domain]");
	PROFILE_ERR("[profile]\nfoo = x\n",
	            "p.conf:2: unknown key 'foo' in [profile]; keys there "
	            "are: description, default_roles");
	PROFILE_ERR("[role mta]\nchekcs = dns.mx\n",
	            "p.conf:2: unknown key 'chekcs' in [role mta] (did you "
	            "mean 'checks'?)");
	PROFILE_ERR("[role mta]\nexternals = smtp:25\n",
	            "p.conf:2: unknown key 'externals' in [role mta] (did you "
	            "mean 'external'?)");
	PROFILE_ERR("[role mta]\n"
	            "checks = dns.mx\n"
	            "external = smtp:25\n"
	            "checks = host.fqdn\n",
	            "p.conf:4: duplicate key 'checks' (first set on line 2)");
	PROFILE_ERR("[role mta]\nchecks =\n",
	            "p.conf:2: [role mta] checks: no value; give one or "
	            "remove the line");
	PROFILE_ERR("[role mta]\n"
	            "checks = dns.mx\n"
	            "  external = smtp:25\n",
	            "p.conf:3: this indented line continues 'checks' from "
	            "line 2; start each key at the beginning of a line");
}
END_TEST

/* The programs expected on a port of that role (with [all]), or NULL. */
static char *
holders_of(const struct profile *p, const char *role_name, const char *svc,
           unsigned port)
{
	const struct profile_role *v[2] = {&p->all, NULL};
	size_t n = 1;

	if (role_name != NULL)
		v[n++] = role(p, role_name);
	return profile_holders_of(v, n, svc, (uint16_t)port);
}

#define EXPECT_HOLDERS(p, role_name, svc, port, want)              \
	do {                                                       \
		const char *r_ = (role_name);                      \
		char *h_ = holders_of(p, r_, svc, port);           \
		ck_assert_msg(h_ != NULL, "%s: no holders for %s", \
		              r_ ? r_ : "all", svc);               \
		ck_assert_str_eq(h_, want);                        \
		free(h_);                                          \
	} while (0)

/*
 * The shipped profiles say who holds every port they name, but the
 * Carbonio ports known only by number (tcp-9810...), which the built-in
 * table does not know either.
 */
static void
every_port_has_holders(const struct profile *p)
{
	for (size_t i = 0; i <= p->nroles; i++) {
		const struct profile_role *r = i ? &p->roles[i - 1] : &p->all;
		for (size_t k = 0; k < r->nports; k++) {
			const struct profile_port *pp = &r->ports[k];
			char *h = holders_of(p, i ? r->name : NULL, pp->service,
			                     pp->port);
			if (strncmp(pp->service, "tcp-", 4) == 0 && i > 0 &&
			    strcmp(r->name, "mailstore") != 0)
				ck_assert_msg(h == NULL, "%s: %s", r->name, h);
			else
				ck_assert_msg(h != NULL, "%s %s:%u: no holders",
				              r->name, pp->service,
				              (unsigned)pp->port);
			free(h);
		}
	}
}

START_TEST(holders_of_shipped_profiles)
{
	struct profile *p = load_ok(PROFILES "/carbonio.conf");

	every_port_has_holders(p);
	EXPECT_HOLDERS(p, NULL, "ssh", 22, "sshd systemd");
	EXPECT_HOLDERS(p, "mta", "smtp", 25,
	               "master smtpd postscreen tlsproxy");
	EXPECT_HOLDERS(p, "mta", "submission", 587,
	               "master smtpd postscreen tlsproxy");
	EXPECT_HOLDERS(p, "mta", "milter", 7026, "java");
	EXPECT_HOLDERS(p, "proxy", "imaps", 993, "nginx");
	EXPECT_HOLDERS(p, "proxy", "memcached", 11211, "memcached");
	EXPECT_HOLDERS(p, "proxy", "nginx-exporter", 9113,
	               "carbonio-prometheus-nginx-exporter "
	               "nginx-prometheus-exporter");
	EXPECT_HOLDERS(p, "mailstore", "lmtp", 7025, "java zmmailboxdmgr");
	EXPECT_HOLDERS(p, "mailstore", "tcp-8742", 8742, "java zmmailboxdmgr");
	EXPECT_HOLDERS(p, "db", "postgresql", 5432, "postgres postmaster");
	EXPECT_HOLDERS(p, "db-connection", "pgpool", 9999, "pgpool");
	EXPECT_HOLDERS(p, "directory", "ldaps", 636, "slapd");
	EXPECT_HOLDERS(p, "mesh", "consul-dns", 8600, "consul");
	EXPECT_HOLDERS(p, NULL, "consul-serf-lan", 8301, "consul");
	EXPECT_HOLDERS(p, "monitoring", "prometheus", 9090,
	               "carbonio-prometheus prometheus");
	/* Exim is no program of a Carbonio MTA. */
	char *h = holders_of(p, "mta", "smtp", 25);
	ck_assert_ptr_null(strstr(h, "exim"));
	free(h);
	profile_free(p);

	p = load_ok(PROFILES "/mail.conf");
	every_port_has_holders(p);
	EXPECT_HOLDERS(p, "mta", "smtp", 25,
	               "master smtpd postscreen tlsproxy");
	EXPECT_HOLDERS(p, "mta", "submission", 587,
	               "master smtpd postscreen tlsproxy dovecot "
	               "submission-login");
	EXPECT_HOLDERS(p, "mta", "smtps", 465,
	               "master smtpd postscreen tlsproxy dovecot "
	               "submission-login");
	EXPECT_HOLDERS(p, "mailstore", "imap", 143, "dovecot imap-login");
	EXPECT_HOLDERS(p, "mailstore", "pop3s", 995, "dovecot pop3-login");
	profile_free(p);
}
END_TEST

/*
 * holders = SERVICE...: PROGRAM..., groups between commas or on lines of
 * their own; words without ':' add to the group before them; '*' is
 * every port of its own section only; [all] and the roles add up.
 */
START_TEST(holders_parse)
{
	char err[512] = "";
	struct profile *p =
		profile_load_string("p.conf",
	                            "[all]\n"
	                            "internal = ssh:22\n"
	                            "holders = ssh: sshd\n"
	                            "[role mta]\n"
	                            "holders = smtp submission: master smtpd,\n"
	                            "\tpostscreen tlsproxy ; Postfix\n"
	                            "\tmilter: java, milter-*\n"
	                            "external = smtp:25, submission:587\n"
	                            "internal = milter:7026\n"
	                            "[role store]\n"
	                            "external = imap:143, ssh:22\n"
	                            "holders = *: dovecot imap-login\n",
	                            err, sizeof(err));
	const struct profile_role *r;

	ck_assert_msg(p != NULL, "%s", err);
	r = role(p, "mta");
	ck_assert_uint_eq(r->nholders, 2);
	ck_assert_uint_eq(r->holders[0].nservices, 2);
	ck_assert_str_eq(r->holders[0].services[1], "submission");
	ck_assert_uint_eq(r->holders[0].nprograms, 4);
	ck_assert_str_eq(r->holders[0].programs[3], "tlsproxy");
	ck_assert_int_eq(r->holders[0].line, 5);
	ck_assert_int_eq(r->holders[1].line, 7);
	EXPECT_HOLDERS(p, "mta", "submission", 587,
	               "master smtpd postscreen tlsproxy");
	EXPECT_HOLDERS(p, "mta", "milter", 7026, "java milter-*");
	EXPECT_HOLDERS(p, "store", "imap", 143, "dovecot imap-login");
	/* [all] and the role's '*' (store lists 22 too) add up. */
	EXPECT_HOLDERS(p, "store", "ssh", 22, "sshd dovecot imap-login");
	/* '*' of store is not for the ports of other sections. */
	EXPECT_HOLDERS(p, "mta", "ssh", 22, "sshd");
	char *none = holders_of(p, "mta", "lmtp", 7025);
	ck_assert_ptr_null(none);
	profile_free(p);
}
END_TEST

START_TEST(error_holders)
{
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = sshd\n",
	            "p.conf:3: [all] holders: 'sshd' names no service: write "
	            "SERVICE...: PROGRAM... (smtp submission: master smtpd)");
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = : sshd\n",
	            "p.conf:3: [all] holders: ': sshd': name the service "
	            "before ':' (smtp: master smtpd)");
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = ssh:\n",
	            "p.conf:3: [all] holders: 'ssh:': name the programs "
	            "after ':' (smtp: master smtpd)");
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = ssh:22\n",
	            "p.conf:3: [all] holders: '22' is a port, not a program: "
	            "holders name the programs on a service's port (smtp: "
	            "master smtpd); ports go in external or internal");
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = SSH: sshd\n",
	            "p.conf:3: [all] holders: 'SSH': the service name may "
	            "contain only a-z, 0-9 and '-', or be '*' (every port of "
	            "this section)");
	PROFILE_ERR("[all]\ninternal = ssh:22\n"
	            "holders = ssh: /usr/sbin/sshd\n",
	            "p.conf:3: [all] holders: '/usr/sbin/sshd': a program is "
	            "a process name as /proc/PID/comm gives it (or a pattern "
	            "such as carbonio-*), without ':', ',' or '/'");
	PROFILE_ERR("[all]\ninternal = ssh:22\n"
	            "holders = ssh: sshd\n"
	            "\tssh: dropbear\n",
	            "p.conf:4: [all] holders: service 'ssh' has holders "
	            "already (line 3)");
	PROFILE_ERR("[all]\ninternal = ssh:22\nholders = ssh: sshd\n"
	            "\t/bin/x\n",
	            "p.conf:4: [all] holders: '/bin/x': a program is a "
	            "process name as /proc/PID/comm gives it (or a pattern "
	            "such as carbonio-*), without ':', ',' or '/'");
	/* Found at the end: ports may come after the holders. */
	PROFILE_ERR("[all]\nholders = shh: sshd\ninternal = ssh:22\n",
	            "p.conf:2: [all] holders: no section has a port of "
	            "service 'shh' (did you mean 'ssh'?)");
	PROFILE_ERR("[role mta]\nexternal = smtp:25\n"
	            "holders = milter: java\n",
	            "p.conf:3: [role mta] holders: no section has a port of "
	            "service 'milter'; list it in external or internal "
	            "(milter:PORT)");
	PROFILE_ERR("[role x]\nholders = *: foo\n",
	            "p.conf:2: [role x] holders: '*' stands for the ports of "
	            "this section, and it has none");
	PROFILE_ERR("[domain]\nholders = smtp: master\n",
	            "p.conf:2: key 'holders' does not belong in [domain]; "
	            "it goes in [all] or [role NAME]");
}
END_TEST

START_TEST(error_syntax)
{
	PROFILE_ERR("[all]\nchecks = host.fqdn\nthis is not ini\n",
	            "p.conf:3: expected '[section]', 'key = value' or a "
	            "comment, not 'this is not ini'");
}
END_TEST

START_TEST(error_in_real_file_names_path)
{
	char path[] = "/tmp/mailready-profile-XXXXXX";
	char err[512] = "", want[512];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ck_assert_ptr_nonnull(f);
	fputs("[all]\n# comment\nchecks = dns.ptr\n\n[role x]\nexternal = "
	      "smtp:25:1\n",
	      f);
	fclose(f);
	ck_assert_ptr_null(profile_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	         "%s:6: [role x] external: 'smtp:25:1': the port must be "
	         "1-65535",
	         path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("files");

	tcase_add_test(tc, carbonio_profile);
	tcase_add_test(tc, carbonio_roles);
	tcase_add_test(tc, mail_profile);
	tcase_add_test(tc, load_by_name);
	tcase_add_test(tc, profile_dir_default);
	tcase_add_test(tc, profile_dir_option);
	tcase_add_test(tc, load_not_found);
	tcase_add_test(tc, load_string_ok);
	tcase_add_test(tc, ports_may_repeat_across_sections);
	tcase_add_test(tc, port_checks_add_ports);
	tcase_add_test(tc, holders_of_shipped_profiles);
	tcase_add_test(tc, holders_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, error_unknown_check);
	tcase_add_test(tc, error_wrong_scope);
	tcase_add_test(tc, error_port_checks);
	tcase_add_test(tc, error_duplicate_check);
	tcase_add_test(tc, error_bad_service_port);
	tcase_add_test(tc, error_duplicate_port);
	tcase_add_test(tc, error_holders);
	tcase_add_test(tc, error_unknown_default_role);
	tcase_add_test(tc, error_sections);
	tcase_add_test(tc, error_keys);
	tcase_add_test(tc, error_syntax);
	tcase_add_test(tc, error_in_real_file_names_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
