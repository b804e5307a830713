/*
 * host_port.c -- host.port.SERVICE (preflight, on the node itself): a port
 * the node's roles need is free, or held by the service expected there. A
 * foreign holder is named with its process ("port 25 is held by exim4,
 * pid 812"), found the way ss -p does: /proc/net/tcp{,6} for listening
 * sockets, then /proc/PID/fd for the process owning their inode.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/common.h"
#include "sockets.h"
#include "probes/probes.h"
#include "services.h"
#include "xmalloc.h"

#define MAX_LISTENERS 16

/* Programs that legitimately hold a service's port (services.c). */
static const char *
holders_of(const char *service)
{
	const struct service_def *sd = service_find(service);

	return sd != NULL ? sd->holders : NULL;
}

static bool
word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* "a, b": addresses fit, the buffer holds MAX_LISTENERS of them. */
static void
append_addr(char *buf, size_t len, const char *addr)
{
	size_t off = strlen(buf), n = strlen(addr);
	if (off + n + 3 > len)
		return;
	if (off > 0) {
		memcpy(buf + off, ", ", 2);
		off += 2;
	}
	memcpy(buf + off, addr, n + 1);
}

static void
judge_holder(struct probe *p, const struct plan_item *it, const char *want,
             pid_t pid, const char *comm, const char *addrs)
{
	struct mr_finding *f;

	if (pid == 0) {
		f = probe_add(p, CODE_PORT_HOLDER_HIDDEN, MR_WARN,
		              "port %u is in use on %s by a process this user "
		              "cannot see",
		              it->port, addrs);
		mr_finding_hint(f, "run mailready as root to see it");
	} else if (want != NULL && word_in(want, comm)) {
		f = probe_add(p, CODE_PORT_HELD_EXPECTED, MR_PASS,
		              "port %u is held by %s (pid %d, on %s), as "
		              "expected for %s",
		              it->port, comm, (int)pid, addrs, it->service);
	} else if (want != NULL) {
		f = probe_add(p, CODE_PORT_HELD_FOREIGN, MR_FAIL,
		              "port %u is held by %s, pid %d (on %s), not by "
		              "the %s service",
		              it->port, comm, (int)pid, addrs, it->service);
		mr_finding_hint(f,
		                "stop and disable it: systemctl disable "
		                "--now %s",
		                comm);
	} else {
		f = probe_add(p, CODE_PORT_HELD_UNKNOWN, MR_WARN,
		              "port %u is held by %s, pid %d (on %s)", it->port,
		              comm, (int)pid, addrs);
		mr_finding_hint(f, "make sure it is the %s service",
		                it->service);
	}
	mr_finding_set_int(f, "port", it->port);
	mr_finding_set_text(f, "addresses", addrs);
	if (pid != 0) {
		mr_finding_set_int(f, "pid", pid);
		mr_finding_set_text(f, "program", comm);
	}
}

static void
start(struct probe *p)
{
	const struct plan_item *it = probe_item(p);
	struct listener l[MAX_LISTENERS];
	size_t n = sockets_listening(it->port, l, MAX_LISTENERS);
	const char *want = holders_of(it->service);

	if (n == 0) {
		probe_finish(p, CODE_PORT_FREE, MR_PASS,
		             "port %u (%s) is free: nothing listens on it",
		             it->port, it->service);
		return;
	}
	/* One finding per holding process, with all its addresses. */
	pid_t pids[MAX_LISTENERS];
	char comms[MAX_LISTENERS][64];
	for (size_t i = 0; i < n; i++)
		pids[i] = sockets_owner(l[i].inode, comms[i], sizeof(comms[i]));
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen = seen || pids[k] == pids[i];
		if (seen)
			continue;
		char addrs[MAX_LISTENERS * (MR_ADDR_STRLEN + 2)] = "";
		for (size_t k = i; k < n; k++)
			if (pids[k] == pids[i])
				append_addr(addrs, sizeof(addrs), l[k].addr);
		judge_holder(p, it, want, pids[i], comms[i], addrs);
	}
	probe_done(p);
}

const struct probe_ops probe_host_port_ops = {
	.state_size = 0,
	.start = start,
};
