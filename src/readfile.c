/*
 * readfile.c -- regular files only, lines bounded while they are read
 * (see readfile.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "xmalloc.h"

/* /dev/null reads as an empty file: "-c /dev/null" is a known idiom. */
static bool
is_dev_null(const struct stat *sb)
{
	struct stat null;

	return S_ISCHR(sb->st_mode) && stat("/dev/null", &null) == 0 &&
	       null.st_rdev == sb->st_rdev;
}

FILE *
readfile_open(const char *path, char *why, size_t len)
{
	struct stat sb;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(why, len, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) && !is_dev_null(&sb)) {
		snprintf(why, len, "%s",
		         S_ISDIR(sb.st_mode) ? "is a directory, not a file"
		                             : "is not a regular file (a "
		                               "device, FIFO or socket)");
		close(fd);
		return NULL;
	}
	/* Regular files never block; reads go back to plain blocking. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	FILE *fp = fdopen(fd, "r");
	if (fp == NULL) {
		snprintf(why, len, "%s", strerror(errno));
		close(fd);
	}
	return fp;
}

long
readfile_line(FILE *fp, char **line, size_t *cap, size_t max)
{
	size_t n = 0;
	bool nul = false;
	int c;

	if (*cap < 128 || *line == NULL) {
		*cap = 128;
		*line = xrealloc(*line, *cap);
	}
	while ((c = getc(fp)) != EOF) {
		if (c == '\n')
			break;
		if (n == max) {
			/* Skip the rest, bounded by the file itself. */
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			(*line)[n] = '\0';
			return -2;
		}
		nul = nul || c == '\0';
		if (n + 2 > *cap) {
			*cap *= 2;
			*line = xrealloc(*line, *cap);
		}
		(*line)[n++] = (char)c;
	}
	if (c == EOF && ferror(fp))
		return -3;
	if (c == EOF && n == 0)
		return -1;
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	(*line)[n] = '\0';
	return nul ? -4 : (long)n;
}

json_t *
readfile_json(const char *path, json_error_t *jerr, char *why, size_t len)
{
	struct stat sb;
	FILE *fp = readfile_open(path, why, len);

	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &sb) == 0 && sb.st_size > READFILE_JSON_MAX) {
		snprintf(why, len, "is larger than %ld MB: no mailready output",
		         READFILE_JSON_MAX / (1024 * 1024));
		fclose(fp);
		return NULL;
	}
	why[0] = '\0';
	json_t *doc = json_loadf(fp, 0, jerr);
	fclose(fp);
	return doc;
}
