/*
 * sockets.c -- this host's listening TCP sockets and who holds them, read
 * the way ss -p reads them: /proc/net/tcp{,6} for the sockets in LISTEN,
 * /proc/PID/fd for the process owning an inode, /proc/PID/cgroup for its
 * systemd unit. What the node itself runs, for the on-node checks.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockets.h"

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
				out[n].inode = inode;
			}
			n++;
		}
		fclose(f);
	}
	return n;
}

/* The process holding a socket inode: pid and command name. */
pid_t
sockets_owner(unsigned long inode, char *comm, size_t len)
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

bool
sockets_unit(pid_t pid, char *unit, size_t len)
{
	char path[64], line[512];
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	/* "0::/system.slice/exim4.service": the last .service of the path. */
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *svc = strstr(line, ".service");
		if (svc == NULL)
			continue;
		char *end = svc + strlen(".service");
		char *start = svc;
		while (start > line && start[-1] != '/')
			start--;
		if ((size_t)(end - start) < len) {
			memcpy(unit, start, (size_t)(end - start));
			unit[end - start] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}
