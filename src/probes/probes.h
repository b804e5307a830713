/*
 * probes.h -- the probe implementations, one file each.
 */
#ifndef MAILREADY_PROBES_H
#define MAILREADY_PROBES_H

#include "mailready/probe.h"

extern const struct probe_ops probe_host_fqdn_ops;     /* host.c */
extern const struct probe_ops probe_dns_a_inside_ops;  /* dns_a.c */
extern const struct probe_ops probe_dns_a_outside_ops; /* dns_a.c */
extern const struct probe_ops probe_dns_ptr_ops;       /* dns_ptr.c */
extern const struct probe_ops probe_dns_mx_ops;        /* dns_mx.c */
extern const struct probe_ops probe_dns_auth_ops;      /* dns_auth.c */
extern const struct probe_ops probe_net_port_ops;      /* port.c */
extern const struct probe_ops probe_mail_smtp_ops;     /* smtp.c */
extern const struct probe_ops probe_mail_imap_ops;     /* imap.c */
extern const struct probe_ops probe_mail_pop3_ops;     /* pop3.c */
extern const struct probe_ops probe_host_port_ops;     /* host_port.c */
extern const struct probe_ops probe_net_internet_ops;  /* internet.c */

#endif
