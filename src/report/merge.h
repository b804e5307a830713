/*
 * merge.h -- reading JSON results (schema mailready/2, and mailready/1 of
 * earlier versions) back, to merge runs taken on several nodes or from
 * several vantage points into one report.
 */
#ifndef MAILREADY_REPORT_MERGE_H
#define MAILREADY_REPORT_MERGE_H

#include <stddef.h>
#include <time.h>

#include "mailready/config.h"
#include "mailready/result.h"
#include "strbuf.h"

struct merge {
	struct mr_config *cfg; /* nodes (with roles) and domains seen */
	struct mr_result_list results;
	time_t started_at;      /* earliest run */
	double duration_ms;     /* longest run */
	struct strbuf vantages; /* "mon1, mta1.example.com" */
	struct {
		char *vantage;
		char *path;
	} * runs; /* the files read, one vantage each */
	size_t nruns;
};

/**
 * Add one JSON file. Every result is labelled with the vantage of its run
 * (the file's "vantage", else the file name), so the same check seen from
 * two places stays two results. A second file of a vantage already read
 * is refused: its results could not be told apart.
 * @return 0, or -1 with "FILE: why" in err.
 */
int merge_add_file(struct merge *m, const char *path, char *err, size_t errlen);

/**
 * The same for the JSON text buf (len bytes, no NUL needed), named name
 * in messages and as the vantage of a run that names none (tests,
 * fuzzing).
 */
int merge_add_buffer(struct merge *m, const char *name, const char *buf,
                     size_t len, char *err, size_t errlen);

void merge_free(struct merge *m);

#endif
