/*
 * test_products.c -- unit tests of src/products.c: the software named by
 * the greetings real servers send by default (as captured from the
 * packages the interop suites run), and the hints table.
 */
#include <check.h>
#include <string.h>

#include "mailready/codes.h"
#include "products.h"

START_TEST(smtp_greetings)
{
	ck_assert_int_eq(product_from_smtp("mx.example.com ESMTP Postfix "
	                                   "(Debian/GNU)"),
	                 PRODUCT_POSTFIX);
	ck_assert_int_eq(product_from_smtp("mx.example.com ESMTP Exim 4.96 "
	                                   "Tue, 01 Dec 2026 22:00:00 +0000"),
	                 PRODUCT_EXIM);
	ck_assert_int_eq(product_from_smtp("mx.example.com ESMTP Sendmail "
	                                   "8.17.1.9/8.17.1.9"),
	                 PRODUCT_SENDMAIL);
	ck_assert_int_eq(product_from_smtp("mx.example.com ESMTP OpenSMTPD"),
	                 PRODUCT_OPENSMTPD);
	ck_assert_int_eq(product_from_smtp("EX01.corp.example.com Microsoft "
	                                   "ESMTP MAIL Service ready"),
	                 PRODUCT_EXCHANGE);
	/* A banner that hides the product: the fix stays in protocol terms. */
	ck_assert_int_eq(product_from_smtp("mx.example.com ESMTP"),
	                 PRODUCT_UNKNOWN);
	ck_assert_int_eq(product_from_smtp(""), PRODUCT_UNKNOWN);
	ck_assert_int_eq(product_from_smtp(NULL), PRODUCT_UNKNOWN);
}
END_TEST

START_TEST(imap_pop3_greetings)
{
	ck_assert_int_eq(
		product_from_imap("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-"
	                          "REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
	                          "AUTH=PLAIN] Dovecot (Debian) ready."),
		PRODUCT_DOVECOT);
	ck_assert_int_eq(product_from_imap("* OK [CAPABILITY IMAP4rev1 "
	                                   "UIDPLUS CHILDREN NAMESPACE] "
	                                   "Courier-IMAP ready. Copyright "
	                                   "1998-2018 Double Precision, Inc."),
	                 PRODUCT_COURIER);
	ck_assert_int_eq(product_from_imap("* OK [CAPABILITY IMAP4rev1] "
	                                   "mail.example.com Cyrus IMAP "
	                                   "3.6.1 server ready"),
	                 PRODUCT_CYRUS);
	/* nginx, and the Carbonio/Zimbra proxy showing its version. */
	ck_assert_int_eq(product_from_imap("* OK IMAP4 ready"), PRODUCT_NGINX);
	ck_assert_int_eq(product_from_imap("* OK Zimbra 10.0.0 IMAP4 ready"),
	                 PRODUCT_NGINX);
	/* The Zimbra mailbox server itself is not the proxy. */
	ck_assert_int_eq(product_from_imap("* OK mbox1.example.com Zimbra "
	                                   "IMAP4rev1 server ready"),
	                 PRODUCT_UNKNOWN);

	ck_assert_int_eq(product_from_pop3("+OK Dovecot (Debian) ready."),
	                 PRODUCT_DOVECOT);
	ck_assert_int_eq(product_from_pop3("+OK Hello there."),
	                 PRODUCT_COURIER);
	/* Courier names itself in CAPA's IMPLEMENTATION. */
	ck_assert_int_eq(product_from_pop3("Courier Mail Server"),
	                 PRODUCT_COURIER);
	ck_assert_int_eq(product_from_pop3("+OK POP3 ready"), PRODUCT_NGINX);
	ck_assert_int_eq(product_from_pop3("+OK mail.example.com Cyrus POP3 "
	                                   "3.6.1 server ready"),
	                 PRODUCT_CYRUS);
	ck_assert_int_eq(product_from_pop3("+OK ready"), PRODUCT_UNKNOWN);
}
END_TEST

START_TEST(hints)
{
	/* The same finding, each product's own setting. */
	const char *h = product_hint(CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_EXIM);
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "auth_advertise_hosts"));
	h = product_hint(CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_POSTFIX);
	ck_assert_ptr_nonnull(strstr(h, "smtpd_tls_auth_only = yes"));
	h = product_hint(CODE_IMAP_PLAINTEXT_LOGIN, PRODUCT_NGINX);
	ck_assert_ptr_nonnull(strstr(h, "starttls only"));
	ck_assert_ptr_nonnull(strstr(h, "proxy node"));
	h = product_hint(CODE_POP3_PLAINTEXT_LOGIN, PRODUCT_COURIER);
	ck_assert_ptr_nonnull(strstr(h, "POP3_TLS_REQUIRED"));
	/* Unknown software, or a finding without a product setting. */
	ck_assert_ptr_null(
		product_hint(CODE_SMTP_AUTH_BEFORE_TLS, PRODUCT_UNKNOWN));
	ck_assert_ptr_null(product_hint(CODE_DEADLINE, PRODUCT_POSTFIX));
	ck_assert_str_eq(product_name(PRODUCT_NGINX), "nginx mail proxy");
	ck_assert_str_eq(product_name(PRODUCT_UNKNOWN), "");
	ck_assert_str_eq(product_name((enum product)99), "");
}
END_TEST

/* Every hint starts with the product's name, so it reads on its own. */
START_TEST(hints_name_their_product)
{
	for (int c = 0; c < CODE_COUNT; c++)
		for (int p = PRODUCT_UNKNOWN + 1; p < PRODUCT_COUNT; p++) {
			const char *h =
				product_hint((enum mr_code)c, (enum product)p);
			const char *name = product_name((enum product)p);
			if (h == NULL)
				continue;
			ck_assert_msg(strncmp(h, name, strlen(name)) == 0,
			              "%s/%s: '%s'", mr_codes[c].name, name, h);
		}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("products");
	TCase *tc = tcase_create("products");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, smtp_greetings);
	tcase_add_test(tc, imap_pop3_greetings);
	tcase_add_test(tc, hints);
	tcase_add_test(tc, hints_name_their_product);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
