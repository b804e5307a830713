/*
 * host_port.h -- the judgement of host.port.SERVICE, apart from the probe
 * that reads /proc, so that it can be tested with made-up holders.
 */
#ifndef MAILREADY_PROBES_HOST_PORT_H
#define MAILREADY_PROBES_HOST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailready/result.h"
#include "sockets.h"

/**
 * Does a holding process match one of the expected programs? A program
 * is a name or a shell pattern matched against the process name
 * (/proc/PID/comm, also its first word: Perl daemons name themselves
 * "amavisd (master)"), and against its executable's file name (comm is
 * cut at 15 characters: carbonio-prometheus-node-exporter is
 * "carbonio-promet" there). A name longer than 15 characters also
 * matches a comm that is its first 15.
 * @param want  expected programs, blank-separated; NULL matches nothing
 */
bool host_port_expected(const char *want, const struct sock_holder *h);

/**
 * Judge who holds a port the node's roles need, as findings of res: free
 * (PORT_FREE), held by expected programs (PORT_HELD_EXPECTED, one finding
 * for them all), by a foreign one (PORT_HELD_FOREIGN, one finding per
 * program whatever its number of processes, with how to stop it: its
 * systemd unit, or where its package is found), by a program while none
 * is known for the service (PORT_HELD_UNKNOWN), or by processes this user
 * cannot see (PORT_HOLDER_HIDDEN). A program that shares only sockets an
 * expected one holds (a child, or systemd for a socket-activated service)
 * is not foreign.
 * @param service  the port's service ("smtp")
 * @param want     expected programs, blank-separated (plan_item.holders),
 *                 or NULL when none is known
 * @param l, nl    the sockets listening on the port (at most 64)
 * @param h, nh    the processes holding them (sockets_holders)
 */
void host_port_judge(struct mr_result *res, uint16_t port, const char *service,
                     const char *want, const struct listener *l, size_t nl,
                     const struct sock_holder *h, size_t nh);

#endif
