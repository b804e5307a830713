/*
 * probes.h -- the probe implementations, one file each, and the bindings
 * of catalogue checks to them (bindings.c).
 */
#ifndef MAILREADY_PROBES_H
#define MAILREADY_PROBES_H

#include <stddef.h>

#include "mailready/probe.h"

extern const struct probe_ops probe_host_fqdn_ops;     /* host.c */
extern const struct probe_ops probe_dns_a_inside_ops;  /* dns_a.c */
extern const struct probe_ops probe_dns_a_outside_ops; /* dns_a.c */
extern const struct probe_ops probe_dns_ptr_ops;       /* dns_ptr.c */
extern const struct probe_ops probe_dns_mx_ops;        /* dns_mx.c */
extern const struct probe_ops probe_dns_auth_ops;      /* dns_auth.c */
extern const struct probe_ops probe_dns_spf_ops;       /* dns_spf.c */
extern const struct probe_ops probe_dns_dkim_ops;      /* dns_dkim.c */
extern const struct probe_ops probe_dns_dmarc_ops;     /* dns_dmarc.c */
extern const struct probe_ops probe_dns_tlsrpt_ops;    /* dns_tlsrpt.c */
extern const struct probe_ops probe_dns_mtasts_ops;    /* dns_mtasts.c */
extern const struct probe_ops probe_dns_bl_ops;        /* dns_bl.c */
extern const struct probe_ops probe_net_port_ops;      /* port.c */
extern const struct probe_ops probe_mail_smtp_ops;     /* smtp.c */
extern const struct probe_ops probe_mail_imap_ops;     /* imap.c */
extern const struct probe_ops probe_mail_pop3_ops;     /* pop3.c */
extern const struct probe_ops probe_host_port_ops;     /* host_port.c */
extern const struct probe_ops probe_net_internet_ops;  /* internet.c */

struct check_def;

/**
 * The probe that runs a check of the catalogue. Every check has one: a
 * catalogue entry without a binding is a bug, and aborts (fatalx).
 */
const struct probe_ops *bindings_ops(const struct check_def *def);

/** The probe bound to a catalogue id ("net.port.*"), or NULL. */
const struct probe_ops *bindings_find(const char *id);

/* internet.c: the targets net.internet connects to (config or built in). */
struct mr_config;
struct mr_target;
const struct mr_target *internet_targets(const struct mr_config *cfg,
                                         size_t *n);

#endif
