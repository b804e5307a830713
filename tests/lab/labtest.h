/*
 * labtest.h -- helpers for the lab suites: start and stop the lab, run the
 * mailready binary, and look into its JSON output.
 *
 * Paths come from the environment meson sets: MAILREADY_BIN (the built
 * binary), LAB_DIR (tests/lab in the source tree), LAB_RUNDIR (where the
 * lab's daemons keep their files).
 */
#ifndef MAILREADY_LABTEST_H
#define MAILREADY_LABTEST_H

#include <jansson.h>
#include <stdbool.h>

/* Start the lab components ("dns", "dns mail"); aborts the suite on error. */
void lab_start(const char *components);
void lab_stop(void);

/* "LAB_DIR/configs/NAME" (static buffer, valid until the next call). */
const char *lab_config(const char *name);
const char *lab_path(const char *rel);

struct mr_run {
	int exit_code;
	char *out;    /* stdout */
	char *err;    /* stderr */
	json_t *json; /* parsed stdout when it is JSON, else NULL */
	double wall_ms;
};

/*
 * Run the binary with argv (NULL-terminated, without argv[0]) and extra
 * environment assignments (NULL-terminated "K=V", may be NULL); kill it
 * after 60 s.
 */
void mr_exec(struct mr_run *r, const char *const *argv, const char *const *env);

/*
 * Run the binary on a pseudo-terminal (script(1)), stdout and stderr
 * together in r->out, as a person at a terminal sees them.
 */
void mr_exec_tty(struct mr_run *r, const char *const *argv);

/* Run under `unshare -mnu sh -c SCRIPT` with $MAILREADY as the binary. */
void mr_exec_ns(struct mr_run *r, const char *script);

void mr_run_free(struct mr_run *r);

/* The check of a node (or domain) with that id, and target when not NULL. */
json_t *mr_find(const struct mr_run *r, const char *group, const char *id,
                const char *target);

/*
 * Assert status and that what the check says (its findings' messages and
 * hints, as the renderers show them) contains every given fragment.
 */
void mr_expect(const struct mr_run *r, const char *group, const char *id,
               const char *status, const char *const *fragments);

/* Assert that the check has a finding with that code and severity. */
void mr_expect_code(const struct mr_run *r, const char *group, const char *id,
                    const char *code, const char *severity);

#define EXPECT(run, group, id, status, ...) \
	mr_expect(run, group, id, status,   \
	          (const char *const[]){__VA_ARGS__, NULL})

#endif
