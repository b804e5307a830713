/*
 * policy.h -- the -w/-c thresholds applied to finished results: a response
 * time or a certificate's days left outside a range makes the check warn
 * or fail, saying which range. This runs after the probes and before the
 * aggregator: the renderers still decide nothing.
 */
#ifndef MAILREADY_POLICY_H
#define MAILREADY_POLICY_H

#include "mailready/result.h"
#include "threshold.h"

/** Judge every result's time (seconds) and cert_days_left against t. */
void policy_apply(const struct thresholds *t, struct mr_result_list *l);

#endif
