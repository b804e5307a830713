/*
 * test_policy.c -- the one place between probes and renderers
 * (src/policy.c): response-time ranges, certificate days with one level
 * given on the command line keeping the other, the timeout state, and
 * accepted findings before and after their date, matched by node, target,
 * address or "*".
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mailready/codes.h"
#include "policy.h"

#define NOW ((time_t)1795824000) /* 2026-11-28 00:00:00 UTC */
#define DAY 86400

static struct mr_result *
result(const char *node, const char *target)
{
	struct mr_result *r = mr_result_new("mail.smtp", node, NULL, target);
	mr_result_add(r, "SMTP_OK", MR_PASS, "greeting ok");
	return r;
}

static struct mr_result *
with_time(double secs)
{
	struct mr_result *r = result("a.example", "192.0.2.1:25");
	mr_result_add_metric(r, "time", secs, "s");
	return r;
}

static struct mr_result *
with_days(long long days)
{
	struct mr_result *r = result("a.example", "192.0.2.1:25");
	mr_result_add_metric(r, "cert_days_left", (double)days, "d");
	mr_result_add_metric(r, "cert_not_after",
	                     (double)(NOW + days * DAY + 3600), "");
	return r;
}

static struct mr_config *
config(void)
{
	struct mr_config *cfg = mr_config_new_default();
	return cfg; /* cert_warn_days 30, cert_crit_days 7 */
}

static void
apply(struct mr_config *cfg, const struct thresholds *t, enum mr_status ts,
      struct mr_result_list *l)
{
	struct policy pol;

	policy_init(&pol, cfg, t, ts, true);
	pol.now = NOW;
	policy_apply(&pol, l);
}

START_TEST(response_time)
{
	struct thresholds t;
	char err[200];
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};

	thresholds_init(&t);
	ck_assert_int_eq(thresholds_parse("2", false, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(thresholds_parse("5", true, &t, err, sizeof(err)), 0);
	mr_result_list_push(&l, with_time(1.0));
	mr_result_list_push(&l, with_time(3.0));
	mr_result_list_push(&l, with_time(6.0));
	apply(cfg, &t, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_PASS);
	ck_assert_int_eq(l.v[1]->status, MR_WARN);
	const struct mr_finding *f = mr_result_worst(l.v[1]);
	ck_assert_str_eq(f->code, "RESPONSE_TIME");
	ck_assert_str_eq(f->message, "response time 3 s is outside the "
	                             "warning range 2");
	ck_assert_int_eq(l.v[2]->status, MR_FAIL);
	/* perfdata gets the ranges */
	ck_assert_str_eq(l.v[0]->metrics[0].warn, "2");
	ck_assert_str_eq(l.v[0]->metrics[0].crit, "5");
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

/* Thresholds never make a check better: a failure inside every range
   stays a failure. */
START_TEST(never_better)
{
	struct thresholds t;
	char err[200];
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};

	thresholds_init(&t);
	thresholds_parse("10", false, &t, err, sizeof(err));
	struct mr_result *r = with_time(0.1);
	mr_result_add(r, "SMTP_STARTTLS_MISSING", MR_FAIL, "no STARTTLS");
	mr_result_list_push(&l, r);
	apply(cfg, &t, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_FAIL);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

START_TEST(cert_days_from_config)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};
	struct thresholds t;

	thresholds_init(&t);
	mr_result_list_push(&l, with_days(60));
	mr_result_list_push(&l, with_days(30));
	mr_result_list_push(&l, with_days(8));
	mr_result_list_push(&l, with_days(7));
	apply(cfg, &t, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_PASS);
	ck_assert_int_eq(l.v[1]->status, MR_WARN);
	ck_assert_int_eq(l.v[2]->status, MR_WARN);
	ck_assert_int_eq(l.v[3]->status, MR_FAIL);
	const struct mr_finding *f = mr_result_worst(l.v[3]);
	ck_assert_str_eq(f->code, "CERT_EXPIRES_SOON");
	ck_assert_str_eq(f->message,
	                 "certificate expires in 7 days (2026-12-05)");
	ck_assert_str_eq(f->hint, "renew it now");
	/* perfdata: "fewer is worse" */
	ck_assert_str_eq(l.v[0]->metrics[0].warn, "30:");
	ck_assert_str_eq(l.v[0]->metrics[0].crit, "7:");
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

/* -c cert=7: alone must not drop the warning level (0.1 made a 9-day
   certificate OK that way). */
START_TEST(cert_one_level_keeps_other)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};
	struct thresholds t;
	char err[200];

	thresholds_init(&t);
	ck_assert_int_eq(
		thresholds_parse("cert=7:", true, &t, err, sizeof(err)), 0);
	mr_result_list_push(&l, with_days(9));
	apply(cfg, &t, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_WARN);
	mr_result_list_clear(&l);

	/* -w cert=60 alone: the config's 7 stays critical */
	thresholds_init(&t);
	ck_assert_int_eq(
		thresholds_parse("cert=60", false, &t, err, sizeof(err)), 0);
	mr_result_list_push(&l, with_days(45));
	mr_result_list_push(&l, with_days(5));
	apply(cfg, &t, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_WARN);
	ck_assert_int_eq(l.v[1]->status, MR_FAIL);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

START_TEST(timeout_state)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};
	struct mr_result *r = result("a.example", "192.0.2.1:25");

	mr_result_add(r, "TIMEOUT", MR_UNKNOWN, "did not finish within 5 s");
	mr_result_list_push(&l, r);
	r = result("a.example", "192.0.2.1:587");
	mr_result_add(r, "DEADLINE", MR_UNKNOWN, "not started");
	mr_result_list_push(&l, r);
	r = result("a.example", "192.0.2.1:143");
	mr_result_add(r, "SERVER_STALLS", MR_FAIL, "no greeting within 12 s");
	mr_result_list_push(&l, r);
	apply(cfg, NULL, MR_WARN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_WARN);
	ck_assert_int_eq(l.v[1]->status, MR_WARN);
	/* --timeout-state given: a stalled server too */
	ck_assert_int_eq(l.v[2]->status, MR_WARN);
	/* the probe's own verdict is kept */
	ck_assert_int_eq(l.v[0]->findings[1]->found, MR_UNKNOWN);
	ck_assert_int_eq(l.v[2]->findings[1]->found, MR_FAIL);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

/* Not given: a server that accepted and stalled has failed, as a socket
   timeout is critical for the Monitoring Plugins. */
START_TEST(stall_fails_by_default)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};
	struct mr_result *r = result("a.example", "192.0.2.1:25");
	struct policy pol;

	mr_result_add(r, "SERVER_STALLS", MR_FAIL, "no greeting within 12 s");
	mr_result_list_push(&l, r);
	r = result("a.example", "192.0.2.1:587");
	mr_result_add(r, "DEADLINE", MR_UNKNOWN, "not started");
	mr_result_list_push(&l, r);
	policy_init(&pol, cfg, NULL, MR_UNKNOWN, false);
	pol.now = NOW;
	policy_apply(&pol, &l);
	ck_assert_int_eq(l.v[0]->status, MR_FAIL);
	ck_assert_int_eq(l.v[1]->status, MR_UNKNOWN);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

static void
add_accept(struct mr_config *cfg, const char *code, const char *target,
           const char *until, long long until_t)
{
	cfg->accepts = realloc(cfg->accepts,
	                       (cfg->naccepts + 1) * sizeof(*cfg->accepts));
	struct mr_accept *a = &cfg->accepts[cfg->naccepts++];
	memset(a, 0, sizeof(*a));
	a->code = strdup(code);
	a->target = strdup(target);
	snprintf(a->until, sizeof(a->until), "%s", until);
	a->until_t = until_t;
	a->reason = strdup("provider changes it in March");
	a->file = strdup("test.conf");
	a->line = 1;
}

static struct mr_result *
ptr_mismatch(const char *node, const char *addr)
{
	struct mr_result *r = mr_result_new("dns.ptr", node, NULL, node);
	struct mr_finding *f = mr_result_add(r, "PTR_NAME_MISMATCH", MR_FAIL,
	                                     "PTR for %s is x", addr);
	mr_finding_set_text(f, "address", addr);
	return r;
}

START_TEST(accepted_until_date)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};

	/* valid until the end of 2027-03-01; now is 2026-11-28 */
	add_accept(cfg, "PTR_NAME_MISMATCH", "mta2.example.com", "2027-03-01",
	           1804032000);
	mr_result_list_push(&l, ptr_mismatch("mta2.example.com", "192.0.2.20"));
	mr_result_list_push(&l, ptr_mismatch("mta3.example.com", "192.0.2.30"));
	apply(cfg, NULL, MR_UNKNOWN, &l);
	const struct mr_finding *f = l.v[0]->findings[0];
	ck_assert_int_eq(l.v[0]->status, MR_PASS);
	ck_assert_int_eq(f->severity, MR_PASS);
	ck_assert_int_eq(f->found, MR_FAIL);
	ck_assert_str_eq(f->accepted_until, "2027-03-01");
	ck_assert_str_eq(f->accept_reason, "provider changes it in March");
	ck_assert(!f->accept_expired);
	/* another node is not covered */
	ck_assert_int_eq(l.v[1]->status, MR_FAIL);
	ck_assert_ptr_null(l.v[1]->findings[0]->accepted_until);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

START_TEST(acceptance_expired)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};

	/* ran out at the end of 2026-11-27, a second before now */
	add_accept(cfg, "PTR_NAME_MISMATCH", "mta2.example.com", "2026-11-27",
	           NOW);
	mr_result_list_push(&l, ptr_mismatch("mta2.example.com", "192.0.2.20"));
	apply(cfg, NULL, MR_UNKNOWN, &l);
	const struct mr_finding *f = l.v[0]->findings[0];
	ck_assert_int_eq(l.v[0]->status, MR_FAIL);
	ck_assert_str_eq(f->accepted_until, "2026-11-27");
	ck_assert(f->accept_expired);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

START_TEST(accept_targets)
{
	struct mr_config *cfg = config();
	struct mr_result_list l = {0};

	/* by the address the finding is about, by the check's target, and
	   "*" for a code anywhere */
	add_accept(cfg, "PTR_NAME_MISMATCH", "192.0.2.30", "2027-03-01",
	           1804032000);
	add_accept(cfg, "SMTP_GREETING_NAME_MISMATCH", "192.0.2.1:25",
	           "2027-03-01", 1804032000);
	add_accept(cfg, "TLS_VERSION_OLD", "*", "2027-03-01", 1804032000);
	mr_result_list_push(&l, ptr_mismatch("mta3.example.com", "192.0.2.30"));
	struct mr_result *r = result("a.example", "192.0.2.1:25");
	mr_result_add(r, "SMTP_GREETING_NAME_MISMATCH", MR_WARN, "greets x");
	mr_result_add(r, "TLS_VERSION_OLD", MR_WARN, "TLSv1");
	mr_result_list_push(&l, r);
	r = result("b.example", "192.0.2.2:25");
	mr_result_add(r, "SMTP_GREETING_NAME_MISMATCH", MR_WARN, "greets y");
	mr_result_add(r, "TLS_VERSION_OLD", MR_WARN, "TLSv1");
	mr_result_list_push(&l, r);
	apply(cfg, NULL, MR_UNKNOWN, &l);
	ck_assert_int_eq(l.v[0]->status, MR_PASS);
	ck_assert_int_eq(l.v[1]->status, MR_PASS);
	/* b.example: only the "*" entry applies */
	ck_assert_int_eq(l.v[2]->status, MR_WARN);
	ck_assert_ptr_null(l.v[2]->findings[1]->accepted_until);
	ck_assert_ptr_nonnull(l.v[2]->findings[2]->accepted_until);
	mr_result_list_clear(&l);
	mr_config_free(cfg);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, response_time);
	tcase_add_test(tc, never_better);
	tcase_add_test(tc, cert_days_from_config);
	tcase_add_test(tc, cert_one_level_keeps_other);
	tcase_add_test(tc, timeout_state);
	tcase_add_test(tc, stall_fails_by_default);
	tcase_add_test(tc, accepted_until_date);
	tcase_add_test(tc, acceptance_expired);
	tcase_add_test(tc, accept_targets);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
