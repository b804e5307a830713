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
#include "probes/probes.h"
#include "services.h"
#include "xmalloc.h"

#define MAX_LISTENERS 16

struct listener {
	char addr[MR_ADDR_STRLEN + 2];
	unsigned long inode;
};

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

/* "0100007F:0019" (v4, host order words) or 32 hex digits (v6). */
static bool
parse_local(const char *hex, int family, struct mr_addr *a, unsigned *port)
{
	const char *colon = strchr(hex, ':');
	size_t len = family == AF_INET ? 8 : 32;
	if (colon == NULL || (size_t)(colon - hex) != len)
		return false;
	memset(a, 0, sizeof(*a));
	a->family = family;
	for (size_t w = 0; w < len / 8; w++) {
		unsigned long v;
		char word[9];
		memcpy(word, hex + w * 8, 8);
		word[8] = '\0';
		v = strtoul(word, NULL, 16);
		/* Each 32-bit word is printed in host (little-endian) order. */
		for (int b = 0; b < 4; b++)
			a->bytes[w * 4 + (size_t)b] = (uint8_t)(v >> (8 * b));
	}
	*port = (unsigned)strtoul(colon + 1, NULL, 16);
	return true;
}

static size_t
find_listeners(uint16_t port, struct listener *out, size_t max)
{
	static const struct {
		const char *path;
		int family;
	} tables[] = {{"/proc/net/tcp", AF_INET}, {"/proc/net/tcp6", AF_INET6}};
	size_t n = 0;
	char line[512];

	for (size_t t = 0; t < 2; t++) {
		FILE *f = fopen(tables[t].path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) && n < max) {
			char local[64], remote[64], st[8];
			unsigned long inode;
			struct mr_addr a;
			unsigned lport;
			if (sscanf(line,
			           " %*s %63s %63s %7s %*s %*s %*s %*s %*s "
			           "%lu",
			           local, remote, st, &inode) != 4 ||
			    strcmp(st, "0A") != 0 ||
			    !parse_local(local, tables[t].family, &a, &lport) ||
			    lport != port)
				continue;
			mr_addr_str(&a, out[n].addr);
			out[n].inode = inode;
			n++;
		}
		fclose(f);
	}
	return n;
}

/* The process holding a socket inode: pid and command name. */
static pid_t
find_owner(unsigned long inode, char *comm, size_t len)
{
	char want[64], path[600], link[64];
	DIR *proc = opendir("/proc");
	struct dirent *d;
	pid_t found = 0;

	if (proc == NULL)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (found == 0 && (d = readdir(proc)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", d->d_name);
		DIR *fds = opendir(path);
		struct dirent *fd;
		if (fds == NULL)
			continue;
		while ((fd = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			         d->d_name, fd->d_name);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				found = (pid_t)atoi(d->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	if (found == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)found);
	FILE *f = fopen(path, "r");
	comm[0] = '\0';
	if (f) {
		if (fgets(comm, (int)len, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	return found;
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
	size_t n = find_listeners(it->port, l, MAX_LISTENERS);
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
		pids[i] = find_owner(l[i].inode, comms[i], sizeof(comms[i]));
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
