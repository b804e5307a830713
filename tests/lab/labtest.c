/*
 * labtest.c -- lab control and mailready runs for the lab suites.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labtest.h"

static const char *
env_or_die(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		fprintf(stderr, "labtest: %s is not set (run via meson test)\n",
		        name);
		exit(77);
	}
	return v;
}

static int
run_lab(const char *verb, const char *components)
{
	char script[4096];
	snprintf(script, sizeof(script), "%s/lab.sh", env_or_die("LAB_DIR"));
	const char *argv[16] = {script, verb, env_or_die("LAB_RUNDIR")};
	size_t n = 3;
	char *copy = strdup(components ? components : ""), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t && n < 15;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execv(script, (char *const *)argv);
		_exit(127);
	}
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	free(copy);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void
lab_start(const char *components)
{
	if (run_lab("start", components) != 0) {
		fprintf(stderr, "labtest: the lab did not start\n");
		run_lab("stop", NULL);
		exit(99);
	}
}

void
lab_stop(void)
{
	run_lab("stop", NULL);
}

const char *
lab_path(const char *rel)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", env_or_die("LAB_DIR"), rel);
	return buf;
}

const char *
lab_config(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/configs/%s", env_or_die("LAB_DIR"),
	         name);
	return buf;
}

/* Read both pipes until the child closes them or the deadline passes. */
static void
collect(int out_fd, int err_fd, pid_t pid, struct mr_run *r)
{
	size_t cap[2] = {4096, 4096}, len[2] = {0, 0};
	char *buf[2] = {malloc(cap[0]), malloc(cap[1])};
	int fds[2] = {out_fd, err_fd};
	time_t deadline = time(NULL) + 60;

	while (fds[0] >= 0 || fds[1] >= 0) {
		struct pollfd pfd[2];
		for (int i = 0; i < 2; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
		}
		int n = poll(pfd, 2, 1000);
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			break;
		}
		if (n <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (fds[i] < 0 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (len[i] + 4096 > cap[i]) {
				cap[i] *= 2;
				buf[i] = realloc(buf[i], cap[i]);
			}
			ssize_t got = read(fds[i], buf[i] + len[i], 4095);
			if (got <= 0) {
				close(fds[i]);
				fds[i] = -1;
			} else {
				len[i] += (size_t)got;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	buf[0][len[0]] = '\0';
	buf[1][len[1]] = '\0';
	r->out = buf[0];
	r->err = buf[1];
}

static void
spawn(struct mr_run *r, const char *const *argv, const char *const *env)
{
	int po[2], pe[2];
	struct timeval t0, t1;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(pipe(po), 0);
	ck_assert_int_eq(pipe(pe), 0);
	gettimeofday(&t0, NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	collect(po[0], pe[0], pid, r);
	int status;
	waitpid(pid, &status, 0);
	gettimeofday(&t1, NULL);
	r->wall_ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 +
	             (double)(t1.tv_usec - t0.tv_usec) / 1000.0;
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
	                                 : 128 + WTERMSIG(status);
	/* A sanitizer report from the binary fails the test it ran in. */
	ck_assert_msg(strstr(r->err, "Sanitizer") == NULL &&
	                      strstr(r->err, "runtime error:") == NULL,
	              "sanitizer report from %s:\n%s", argv[0], r->err);
	json_error_t jerr;
	r->json = json_loads(r->out, 0, &jerr);
}

void
mr_exec(struct mr_run *r, const char *const *argv, const char *const *env)
{
	const char *full[64];
	size_t n = 0;
	full[n++] = env_or_die("MAILREADY_BIN");
	for (size_t i = 0; argv[i] && n < 63; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	spawn(r, full, env);
}

/* 'a b' -> 'a b' quoted for sh: every ' becomes '\'' */
static void
sh_quote(char *buf, size_t len, size_t *off, const char *arg)
{
	*off += (size_t)snprintf(buf + *off, len - *off, " '");
	for (const char *p = arg; *p && *off + 5 < len; p++) {
		if (*p == '\'')
			*off += (size_t)snprintf(buf + *off, len - *off,
			                         "'\\''");
		else
			buf[(*off)++] = *p;
	}
	*off += (size_t)snprintf(buf + *off, len - *off, "'");
}

void
mr_exec_tty(struct mr_run *r, const char *const *argv)
{
	char cmd[8192];
	size_t off = 0;

	sh_quote(cmd, sizeof(cmd), &off, env_or_die("MAILREADY_BIN"));
	for (size_t i = 0; argv[i]; i++)
		sh_quote(cmd, sizeof(cmd), &off, argv[i]);
	/* script(1) of util-linux: a pseudo-terminal for the command. */
	const char *full[] = {"script", "-qec", cmd, "/dev/null", NULL};
	spawn(r, full, NULL);
}

void
mr_exec_ns(struct mr_run *r, const char *script)
{
	char envbin[4096];
	snprintf(envbin, sizeof(envbin), "MAILREADY=%s",
	         env_or_die("MAILREADY_BIN"));
	const char *argv[] = {"unshare", "--mount", "--net", "--uts", "--",
	                      "sh",      "-ec",     script,  NULL};
	const char *env[] = {envbin, NULL};
	spawn(r, argv, env);
}

void
mr_run_free(struct mr_run *r)
{
	free(r->out);
	free(r->err);
	if (r->json)
		json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static json_t *
find_in(json_t *groups, const char *group, const char *id, const char *target)
{
	size_t i, j;
	json_t *g, *c;
	json_array_foreach(groups, i, g)
	{
		if (strcmp(json_string_value(json_object_get(g, "name")),
		           group) != 0)
			continue;
		json_array_foreach(json_object_get(g, "checks"), j, c)
		{
			const char *cid =
				json_string_value(json_object_get(c, "id"));
			const char *ct =
				json_string_value(json_object_get(c, "target"));
			if (strcmp(cid, id) == 0 &&
			    (target == NULL || (ct && strcmp(ct, target) == 0)))
				return c;
		}
	}
	return NULL;
}

json_t *
mr_find(const struct mr_run *r, const char *group, const char *id,
        const char *target)
{
	ck_assert_msg(r->json != NULL, "output is not JSON: %s\nstderr: %s",
	              r->out, r->err);
	json_t *c =
		find_in(json_object_get(r->json, "nodes"), group, id, target);
	if (c == NULL)
		c = find_in(json_object_get(r->json, "domains"), group, id,
		            target);
	return c;
}

/*
 * What a check says, as the renderers do with hints: its findings of the
 * worst severity down to unknown (all of them when it passed), each
 * "message; hint", joined with "; ". Caller frees.
 */
static char *
check_text(json_t *c)
{
	static const char *const order[] = {"fail", "warn", "unknown", "pass",
	                                    "skip"};
	const char *st = json_string_value(json_object_get(c, "status"));
	bool problems = strcmp(st, "fail") == 0 || strcmp(st, "warn") == 0 ||
	                strcmp(st, "unknown") == 0;
	size_t len = 1, k;
	json_t *f;
	char *out;

	json_array_foreach(json_object_get(c, "findings"), k, f)
	{
		const char *m =
			json_string_value(json_object_get(f, "message"));
		const char *h = json_string_value(json_object_get(f, "hint"));
		len += (m ? strlen(m) : 0) + (h ? strlen(h) : 0) + 4;
	}
	out = calloc(1, len);
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		if (problems && o >= 3)
			break;
		json_array_foreach(json_object_get(c, "findings"), k, f)
		{
			const char *sev = json_string_value(
				json_object_get(f, "severity"));
			const char *m = json_string_value(
				json_object_get(f, "message"));
			const char *h =
				json_string_value(json_object_get(f, "hint"));
			if (sev == NULL || strcmp(sev, order[o]) != 0)
				continue;
			if (out[0])
				strcat(out, "; ");
			strcat(out, m ? m : "");
			if (h) {
				strcat(out, "; ");
				strcat(out, h);
			}
		}
	}
	return out;
}

void
mr_expect(const struct mr_run *r, const char *group, const char *id,
          const char *status, const char *const *fragments)
{
	json_t *c = mr_find(r, group, id, NULL);
	ck_assert_msg(c != NULL, "no %s result for %s in:\n%s", id, group,
	              r->out);
	const char *st = json_string_value(json_object_get(c, "status"));
	char *msg = check_text(c);
	ck_assert_msg(strcmp(st, status) == 0,
	              "%s %s: status %s, expected %s; message: %s", group, id,
	              st, status, msg);
	for (size_t i = 0; fragments && fragments[i]; i++)
		ck_assert_msg(strstr(msg, fragments[i]) != NULL,
		              "%s %s: message lacks '%s': %s", group, id,
		              fragments[i], msg);
	free(msg);
}

void
mr_expect_code(const struct mr_run *r, const char *group, const char *id,
               const char *code, const char *severity)
{
	json_t *c = mr_find(r, group, id, NULL);
	size_t k;
	json_t *f;

	ck_assert_msg(c != NULL, "no %s result for %s", id, group);
	json_array_foreach(json_object_get(c, "findings"), k, f)
	{
		const char *fc = json_string_value(json_object_get(f, "code"));
		const char *fs =
			json_string_value(json_object_get(f, "severity"));
		if (fc && strcmp(fc, code) == 0 && fs &&
		    strcmp(fs, severity) == 0)
			return;
	}
	char *msg = check_text(c);
	ck_abort_msg("%s %s: no %s finding of severity %s: %s", group, id, code,
	             severity, msg);
	free(msg);
}
