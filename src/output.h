/*
 * output.h -- what becomes of a finished report: the format asked for on
 * stdout, the Prometheus textfile, and for the health job the state file,
 * the change report and syslog. Returns the process exit code.
 */
#ifndef MAILREADY_OUTPUT_H
#define MAILREADY_OUTPUT_H

#include "cli.h"
#include "mailready/result.h"
#include "report/report.h"

int output_report(const struct cli *c, const struct report *rep,
                  const struct mr_result_list *results);

#endif
