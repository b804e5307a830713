/*
 * test_bindings.c -- every check of the catalogue (src/catalog.c) has a
 * probe (src/probes/bindings.c), and every binding names a check. Its own
 * test: it links all the probes, which test_profile and test_plan do not.
 */
#include <check.h>
#include <string.h>

#include "catalog.h"
#include "probes/probes.h"

START_TEST(every_check_has_a_probe)
{
	for (size_t i = 0; i < catalog_count; i++) {
		const struct probe_ops *ops = bindings_find(catalog[i].id);
		ck_assert_msg(ops != NULL, "%s has no probe", catalog[i].id);
		ck_assert_ptr_eq(bindings_ops(&catalog[i]), ops);
		ck_assert_ptr_nonnull(ops->start);
	}
}
END_TEST

START_TEST(ids_lead_to_their_probe)
{
	ck_assert_ptr_eq(bindings_find("dns.ptr"), &probe_dns_ptr_ops);
	ck_assert_ptr_eq(bindings_find("net.port.*"), &probe_net_port_ops);
	ck_assert_ptr_eq(bindings_find("mail.smtps"), &probe_mail_smtp_ops);
	ck_assert_ptr_eq(bindings_find("mail.imaps"), &probe_mail_imap_ops);
	ck_assert_ptr_eq(bindings_find("mail.pop3"), &probe_mail_pop3_ops);
	/* A family is bound as a family, not per service. */
	ck_assert_ptr_null(bindings_find("net.port.smtp"));
	ck_assert_ptr_null(bindings_find("no.such.check"));
	ck_assert_ptr_eq(
		bindings_ops(catalog_find_scoped("net.port.smtp", CHECK_NODE)),
		&probe_net_port_ops);
	ck_assert_ptr_eq(
		bindings_ops(catalog_find_scoped("dns.mx", CHECK_DOMAIN)),
		&probe_dns_mx_ops);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bindings");
	TCase *tc = tcase_create("bindings");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_check_has_a_probe);
	tcase_add_test(tc, ids_lead_to_their_probe);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
