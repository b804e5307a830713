/*
 * bindings.c -- which probe runs each check of the catalogue. The one
 * place that ties the catalogue's metadata (catalog.c) to the probe code:
 * the run loop asks here, and nothing that only reads or plans checks
 * (config, profiles, plan) links a probe.
 */
#include <string.h>

#include "catalog.h"
#include "probes/probes.h"
#include "xmalloc.h"

/* By catalogue id; a family by its id with the '*' ("net.port.*"). */
static const struct {
	const char *id;
	const struct probe_ops *ops;
} bindings[] = {
	{"host.fqdn", &probe_host_fqdn_ops},
	{"dns.a.inside", &probe_dns_a_inside_ops},
	{"dns.a.outside", &probe_dns_a_outside_ops},
	{"dns.ptr", &probe_dns_ptr_ops},
	{"dns.mx", &probe_dns_mx_ops}, /* nodes and domains */
	{"dns.auth", &probe_dns_auth_ops},
	{"dns.spf", &probe_dns_spf_ops},
	{"dns.dkim", &probe_dns_dkim_ops},
	{"dns.dmarc", &probe_dns_dmarc_ops},
	{"dns.tlsrpt", &probe_dns_tlsrpt_ops},
	{"dns.mta-sts", &probe_dns_mtasts_ops},
	{"dns.bl", &probe_dns_bl_ops}, /* nodes and domains */
	{"net.internet", &probe_net_internet_ops},
	{"host.port.*", &probe_host_port_ops},
	{"net.port.*", &probe_net_port_ops},
	{"mail.smtp", &probe_mail_smtp_ops},
	{"mail.submission", &probe_mail_smtp_ops},
	{"mail.smtps", &probe_mail_smtp_ops},
	{"mail.imap", &probe_mail_imap_ops},
	{"mail.imaps", &probe_mail_imap_ops},
	{"mail.pop3", &probe_mail_pop3_ops},
	{"mail.pop3s", &probe_mail_pop3_ops},
};

const struct probe_ops *
bindings_find(const char *id)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (strcmp(bindings[i].id, id) == 0)
			return bindings[i].ops;
	return NULL;
}

const struct probe_ops *
bindings_ops(const struct check_def *def)
{
	const struct probe_ops *ops = bindings_find(def->id);

	if (ops == NULL)
		fatalx("check %s is in the catalogue but has no probe "
		       "(src/probes/bindings.c)",
		       def->id);
	return ops;
}
