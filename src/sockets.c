/*
 * sockets.c -- this host's listening TCP sockets and who holds them, read
 * the way ss -p reads them: /proc/net/tcp{,6} for the sockets in LISTEN,
 * /proc/PID/fd for the processes holding an inode, /proc/PID/cgroup for
 * their systemd unit. What the node itself runs, for the on-node checks.
 */
#include <ctype.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockets.h"
#include "xmalloc.h"

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

/* The kernel's table order is its hash order: people read sorted. */
static int
listener_order(const void *x, const void *y)
{
	const struct listener *a = x, *b = y;

	if (a->a.family != b->a.family)
		return a->a.family == AF_INET ? -1 : 1;
	return memcmp(a->a.bytes, b->a.bytes, sizeof(a->a.bytes));
}

size_t
sockets_listening(uint16_t port, struct listener *out, size_t max)
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
		while (fgets(line, sizeof(line), f) &&
		       (out == NULL || n < max)) {
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
			if (out != NULL) {
				mr_addr_str(&a, out[n].addr);
				out[n].a = a;
				out[n].inode = inode;
			}
			n++;
		}
		fclose(f);
	}
	if (out != NULL && n > 1)
		qsort(out, n, sizeof(*out), listener_order);
	return n;
}

/* The listener of a socket inode, or SIZE_MAX. */
static size_t
listener_of(const struct listener *l, size_t n, unsigned long inode)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].inode == inode)
			return i;
	return SIZE_MAX;
}

/* What people and the judgement need of a holding process. */
static void
describe(pid_t pid, struct sock_holder *h)
{
	char path[64];
	FILE *f;
	ssize_t n;

	h->pid = pid;
	h->comm[0] = h->exe[0] = h->unit[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(h->comm, (int)sizeof(h->comm), f))
			h->comm[strcspn(h->comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, h->exe, sizeof(h->exe) - 1);
	h->exe[n > 0 ? n : 0] = '\0';
	if (!sockets_unit(pid, h->unit, sizeof(h->unit)))
		h->unit[0] = '\0';
}

/*
 * The sockets among l that the descriptors of pid refer to, as a bit per
 * listener (at most 64 are asked about).
 */
static uint64_t
held_by(const char *pid, const struct listener *l, size_t n)
{
	char path[600], link[64];
	uint64_t held = 0;
	struct dirent *fd;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if ((fds = opendir(path)) == NULL)
		return 0;
	while ((fd = readdir(fds)) != NULL) {
		unsigned long inode;
		size_t i;
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, fd->d_name);
		ssize_t len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) == 1 &&
		    (i = listener_of(l, n, inode)) != SIZE_MAX)
			held |= UINT64_C(1) << i;
	}
	closedir(fds);
	return held;
}

struct sock_holder *
sockets_holders(const struct listener *l, size_t n, size_t *nout)
{
	struct sock_holder *v = NULL;
	struct dirent *d;
	DIR *proc;

	*nout = 0;
	if (n > 64)
		n = 64;
	if (n == 0 || (proc = opendir("/proc")) == NULL)
		return NULL;
	/* One pass over /proc for all the sockets of the port. */
	while ((d = readdir(proc)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		uint64_t held = held_by(d->d_name, l, n);
		if (held == 0)
			continue;
		struct sock_holder h;
		describe((pid_t)atoi(d->d_name), &h);
		for (size_t i = 0; i < n; i++) {
			if (!(held & (UINT64_C(1) << i)))
				continue;
			v = xreallocarray(v, *nout + 1, sizeof(*v));
			h.listener = i;
			v[(*nout)++] = h;
		}
	}
	closedir(proc);
	return v;
}

bool
sockets_unit_of(const char *cgroup, char *unit, size_t len)
{
	const char *line = cgroup;
	bool found = false;

	/* "0::/system.slice/exim4.service": one line per hierarchy (v1 has
	   several; the unit is the same in each that names one). */
	while (!found && *line != '\0') {
		size_t n = strcspn(line, "\n");
		const char *end = NULL;
		/* The innermost unit: a service's own sub-cgroups come after
		   it ("/system.slice/foo.service/init"), so the last one. */
		for (const char *p = line; p < line + n; p++)
			if (strncmp(p, ".service", 8) == 0 &&
			    (p + 8 == line + n || p[8] == '/'))
				end = p + 8;
		if (end != NULL) {
			const char *start = end;
			while (start > line && start[-1] != '/')
				start--;
			if ((size_t)(end - start) < len) {
				memcpy(unit, start, (size_t)(end - start));
				unit[end - start] = '\0';
				found = true;
			}
		}
		line += n + (line[n] == '\n');
	}
	return found;
}

bool
sockets_unit(pid_t pid, char *unit, size_t len)
{
	char path[64], text[4096];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return sockets_unit_of(text, unit, len);
}
