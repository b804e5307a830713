/*
 * dryrun.h -- `--dry-run`: everything a run would contact, and whether
 * allow_networks lets it, without sending a packet.
 */
#ifndef MAILREADY_DRYRUN_H
#define MAILREADY_DRYRUN_H

#include <stdio.h>

#include "mailready/config.h"
#include "netpolicy.h"
#include "plan.h"

/**
 * Print the DNS servers of each view, then per planned check the address
 * and port it would connect to (or how the address is found at run time),
 * each with the verdict of the network policy.
 * @return 0, or -1 with the reason in err (bad root hints...).
 */
int dryrun_print(FILE *out, const struct mr_config *cfg,
                 const struct netpolicy *np, const struct plan *plan, char *err,
                 size_t errlen);

#endif
