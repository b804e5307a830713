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

/*
 * The file's own directory, made when it is missing and its parent exists:
 * cron may run before anything made /var/lib/mailready or the collector's
 * directory. Nothing above it is made: a mistyped path must not leave a
 * tree of directories behind.
 */
static void
make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	free(dir);
}

/* What is at path may be replaced: nothing, or a regular file. A device
   (--prometheus /dev/full as root) or a symbolic link is not ours. */
int
atomic_check_target(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISREG(sb.st_mode))
		return 0;
	snprintf(err, errlen,
	         "%s: %s; mailready replaces this file as a whole and "
	         "writes only regular files: give another path",
	         path,
	         S_ISLNK(sb.st_mode)   ? "is a symbolic link"
	         : S_ISDIR(sb.st_mode) ? "is a directory"
	                               : "is not a regular file (a device, "
	                                 "FIFO or socket)");
	return -2;
}

int
atomic_write(const char *path, atomic_writer *write, void *arg, char *err,
             size_t errlen)
{
	int chk = atomic_check_target(path, err, errlen);

	if (chk == -2)
		return -1;
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
