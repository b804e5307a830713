/*
 * atomic.c -- temporary file, fsync, rename.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "xmalloc.h"

/* mkdir -p of the file's directory: cron may run before anything made
   /var/lib/mailready or the collector's directory. */
static void
make_parent(const char *path)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	free(dir);
}

int
atomic_write(const char *path, atomic_writer *write, void *arg, char *err,
             size_t errlen)
{
	make_parent(path);
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *f = NULL;

	if (fd < 0)
		goto fail;
	/* Readable by the collector; mkstemp makes it 0600. */
	if (fchmod(fd, 0644) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	if (write(arg, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
