/*
 * test_dkim.c -- unit tests of the DKIM key record parser and key
 * judgement (src/records/dkim.c): the examples of RFC 6376 and RFC 8463,
 * every error path, every bound at and past its value, hostile bytes,
 * and the comparison with key files.
 *
 * The keys are fixed, made once with the openssl command and pasted in
 * (RSA 512, 1024 and 2048 bits; a second RSA 1024; the Ed25519 key of
 * RFC 8463 appendix A), so that a run needs no key generation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "records/dkim.h"

#define ERRLEN 256

/* RFC 6376 appendix A.3 (brisbane._domainkey.example.com), 1024 bits. */
#define RFC6376_KEY                                                                                    \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt"             \
	"IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhi" \
	"tdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"

/* RFC 8463 appendix A.2 (brisbane._domainkey.football.example.com). */
#define RFC8463_KEY "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

#define RSA512                                                             \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAJgAsl/U17PRYRgLgVwj4OHpO4U+Zmr3" \
	"Sr7hQIUpg3TcaRq0o/vLZRqsdeA8hoT7KM4IvHFCdvsYKveuAq5FEOMCAwEAAQ=="

#define RSA1024                                                            \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+fuiaLQEpFDNXT182fjZMBQw" \
	"SRscYQYg82djBFcvq4I/ii2KueAPeSSqvVA0i1/DodjtFyloBPkC/OSib25Nx//L" \
	"l+ioWXlcRDx65ddZkrJNmmlxtIemOIXyV3ff5Y34i7VAO9+Fot2x5g/BASv3gEt6" \
	"ZjjxVisJUszrwDK4swIDAQAB"

#define RSA2048                                                            \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAprLMB/lcTd7xixEMp0ho" \
	"qe//iqfHLJWwrR4PRba+0LPe8+LXcXoSf6giuzTJaa0TPEESyi6UN7BHCDDqXhAu" \
	"vnNXfkBf+Yy03TexGAmvpC9zwDaBpbxx+W1Pb9oJyQHOZMCg0Ke1OKL4+qm9KIkM" \
	"T6KAQtpDSg0vUJQ+vNdkvcTn8rjHO26JkshP38jQ/KDEq/oe1Sjl83Pvx3Ej31r6" \
	"830gGq76TzJgyvAzYV+UMwBvTiR/GJ0ntqm2j82zvCKcZV6wIGd9yW0n+td/WpB5" \
	"htXc+NdfXAjdOBKFBauK4N1yMkQyUv/+FKVvI9aC/6Demc3GomOMl/6UMa3M2mts" \
	"hwIDAQAB"

#define RSA1024_PKCS1                                                      \
	"MIGJAoGBAKv5+6JotASkUM1dPXzZ+NkwFDBJGxxhBiDzZ2MEVy+rgj+KLYq54A95" \
	"JKq9UDSLX8Oh2O0XKWgE+QL85KJvbk3H/8uX6KhZeVxEPHrl11mSsk2aaXG0h6Y4" \
	"hfJXd9/ljfiLtUA734Wi3bHmD8EBK/eAS3pmOPFWKwlSzOvAMrizAgMBAAE="

/* RSA1024_PKCS1 and two bytes more. */
#define RSA1024_PKCS1_TRAILING                                             \
	"MIGJAoGBAKv5+6JotASkUM1dPXzZ+NkwFDBJGxxhBiDzZ2MEVy+rgj+KLYq54A95" \
	"JKq9UDSLX8Oh2O0XKWgE+QL85KJvbk3H/8uX6KhZeVxEPHrl11mSsk2aaXG0h6Y4" \
	"hfJXd9/ljfiLtUA734Wi3bHmD8EBK/eAS3pmOPFWKwlSzOvAMrizAgMBAAEAAA=="

#define ED25519_SPKI \
	"MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

#define EC_P256                                                            \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEa8sbKzIXul4J+mIJnhp7TXOG9ADS" \
	"OtMFgbG8zhxjy5m2UsBULSVt6a+6tVLPsJOSKBH16jRNYJMf8TDrYVrQQQ=="

static const char rsa1024_pkcs8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAKv5+6JotASkUM1d\n"
	"PXzZ+NkwFDBJGxxhBiDzZ2MEVy+rgj+KLYq54A95JKq9UDSLX8Oh2O0XKWgE+QL8\n"
	"5KJvbk3H/8uX6KhZeVxEPHrl11mSsk2aaXG0h6Y4hfJXd9/ljfiLtUA734Wi3bHm\n"
	"D8EBK/eAS3pmOPFWKwlSzOvAMrizAgMBAAECgYBpBbJLzhERPJ8zqpsgIaS8TYYm\n"
	"rp5lyEKL4NjkOQRdUimqT+Hb9AMGr/5aXl4amHqU58OnlhttMIw47ONa5x2+VRpg\n"
	"qi4a3DTDkUWQUTBn0zBRlS1G0KvpcBjDmL3fAXcqyRbs5Cnd/E9K1skjylwvdt3Z\n"
	"ZrGYS8685Ivyctk8oQJBAOP+Y5Q4Rc/pe++UoQewPgbTNyz+465SCrIZfbKIQw+i\n"
	"vBAXHRRoumXRjqpZOwrhRl7nEx5sRd9/8OmTkjZMMZkCQQDBGgwKz0yBgT4aVo3s\n"
	"hwXTln7SO2mqv3N1HQ06p8toACn4RjLYGrwabyxke/qf0wPN/Ikgjp4ZRelMk0CZ\n"
	"oAQrAkEAguRUVQ7tfYzlO0mQHXLgWVi/j5SSME0nmNIrqOiz33ElGPO8HTB2+ueR\n"
	"SVlLHVbx6KAvCMNOZh70t5SiV4vs2QJBAIym5E6bYCaUdR/KG+ZFE0FjRUzsabMt\n"
	"cHPFjXVD8yz1sZxdxXsTPiAjCjrG826mzQalA1zrhMzz11Mnjs5Xd7ECQQC8EFEf\n"
	"W4gJMS07GnwdZc1ImuP7fHf9GmD6wDVthA4tu2V6aqOGNMCcbh//fDxllSPCmBLM\n"
	"oeT2wAZUEKFQ45W6\n"
	"-----END PRIVATE KEY-----\n";

static const char rsa1024_trad[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIICXgIBAAKBgQCr+fuiaLQEpFDNXT182fjZMBQwSRscYQYg82djBFcvq4I/ii2K\n"
	"ueAPeSSqvVA0i1/DodjtFyloBPkC/OSib25Nx//Ll+ioWXlcRDx65ddZkrJNmmlx\n"
	"tIemOIXyV3ff5Y34i7VAO9+Fot2x5g/BASv3gEt6ZjjxVisJUszrwDK4swIDAQAB\n"
	"AoGAaQWyS84RETyfM6qbICGkvE2GJq6eZchCi+DY5DkEXVIpqk/h2/QDBq/+Wl5e\n"
	"Gph6lOfDp5YbbTCMOOzjWucdvlUaYKouGtw0w5FFkFEwZ9MwUZUtRtCr6XAYw5i9\n"
	"3wF3KskW7OQp3fxPStbJI8pcL3bd2WaxmEvOvOSL8nLZPKECQQDj/mOUOEXP6Xvv\n"
	"lKEHsD4G0zcs/uOuUgqyGX2yiEMPorwQFx0UaLpl0Y6qWTsK4UZe5xMebEXff/Dp\n"
	"k5I2TDGZAkEAwRoMCs9MgYE+GlaN7IcF05Z+0jtpqr9zdR0NOqfLaAAp+EYy2Bq8\n"
	"Gm8sZHv6n9MDzfyJII6eGUXpTJNAmaAEKwJBAILkVFUO7X2M5TtJkB1y4FlYv4+U\n"
	"kjBNJ5jSK6jos99xJRjzvB0wdvrnkUlZSx1W8eigLwjDTmYe9LeUoleL7NkCQQCM\n"
	"puROm2AmlHUfyhvmRRNBY0VM7GmzLXBzxY11Q/Ms9bGcXcV7Ez4gIwo6xvNups0G\n"
	"pQNc64TM89dTJ47OV3exAkEAvBBRH1uICTEtOxp8HWXNSJrj+3x3/Rpg+sA1bYQO\n"
	"LbtlemqjhjTAnG4f/3w8ZZUjwpgSzKHk9sAGVBChUOOVug==\n"
	"-----END RSA PRIVATE KEY-----\n";

static const char rsa1024_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+fuiaLQEpFDNXT182fjZMBQw\n"
	"SRscYQYg82djBFcvq4I/ii2KueAPeSSqvVA0i1/DodjtFyloBPkC/OSib25Nx//L\n"
	"l+ioWXlcRDx65ddZkrJNmmlxtIemOIXyV3ff5Y34i7VAO9+Fot2x5g/BASv3gEt6\n"
	"ZjjxVisJUszrwDK4swIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static const char rsa1024_rsapub[] =
	"-----BEGIN RSA PUBLIC KEY-----\n"
	"MIGJAoGBAKv5+6JotASkUM1dPXzZ+NkwFDBJGxxhBiDzZ2MEVy+rgj+KLYq54A95\n"
	"JKq9UDSLX8Oh2O0XKWgE+QL85KJvbk3H/8uX6KhZeVxEPHrl11mSsk2aaXG0h6Y4\n"
	"hfJXd9/ljfiLtUA734Wi3bHmD8EBK/eAS3pmOPFWKwlSzOvAMrizAgMBAAE=\n"
	"-----END RSA PUBLIC KEY-----\n";

static const char other1024_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1cHci7tvYrP3YJsytOdklVCB3\n"
	"wGpGKURHoyjpKxPFP0z5cQSMfOHgyBS5u4X2wzx4uFQoRnUqi97V4Is7XPRAn9Jw\n"
	"2UQe1YKPcpnq7E7QirVpKTILPRmqs8UXX5AvSHMxLVpQ9Ng7OPE/CMK8zRX8gVtP\n"
	"rB7S5Jd4IMpjnIAd+wIDAQAB\n"
	"-----END PUBLIC KEY-----\n";

static const char rsa1024_enc8[] =
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	"MIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIfG/lKaHHkvcCAggA\n"
	"MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAECBBALJJsqYzmEjhynO4pviC+oBIIC\n"
	"gMx4LCpRD9nUv4Y2Jz4wr1b5Gi+O4p4yOKfnSpvNTD5MUJVIk0IwKe+OqO/nL4WS\n"
	"crcjFlAPNe48W+WtUgPcicOnvf3/8KAtnmQyewfoYtChUopZ5bQ7l2URv9RoirtB\n"
	"JrqVTBern+gnX4GxGBIxQpjv2WGmNls96rM3Dw4muBCE6/OYi8qOqboT4Ss5T4+F\n"
	"XrzTbNoN6agfMLshaKJ6izd66oQmdePkbN5Fkhd5YQdszBw7KmVSvdMhJ8QKNZXb\n"
	"nEBlZumec5sl42vXAxYH7KOpnF4gUqQXU4FPG7BbNa3WOqCHY8DxXn5NF29t2XFD\n"
	"Wra4lKeo3VuZzjrKAQp+IvFhBIq/gdYNNqx0yifTrPDl5znm5Rq2IenucCm3eDAH\n"
	"xLRXU/nnlVkE+7rXCAhiELB3DoUawWjHbdURl/oE+Do0hQXOzd7KKU7O7quMFVuZ\n"
	"zDkn6L7+m8qb5nnWVgDSnwgE+vIkwzMoYteRPfS+TBRC0BJotuJyaO1BUmni5Jtu\n"
	"xcY2jCRRuLRLa2rMuCJ5/P0K27kJj5D8QHf+wij/gjKTvgnV7RGme1Ce5DWuk5pP\n"
	"m84DKI5dyliDCtWqDTa3s3vyOX/jDLyxTNYDKpdcBBC0mZjrEjMGb88PMTdOYcYs\n"
	"fM5IdQUe3Npv+nvxqUnv4IRrvRqW2Zzub56jYrPwl9fI7flXw9909jNY7PQxSDOg\n"
	"2jRaAWwXUmx2wEDUuL3X01fsoPN5VHbq+34pqKd4JhDnFbaprUEShXt7tmin+nKe\n"
	"RxBpJ44VWTmZ8osJWiQ+GVPhYU4qiViT2TS566AGl3+59kj/mjJ2Xt3pORVjHJ1b\n"
	"5IxrlS31IOU+bFpa8olSQAg=\n"
	"-----END ENCRYPTED PRIVATE KEY-----\n";

static const char rsa1024_enctrad[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"Proc-Type: 4,ENCRYPTED\n"
	"DEK-Info: AES-128-CBC,9BC7D5313C417720B77C58E00B48006E\n"
	"\n"
	"pPuzhxgXzdOeEV/RULrX6nZBbMtJfwg9ZRyp0LA8o1n7T1msqT7JvSbtDjfsNcIO\n"
	"VpXLqbGUnIKWgLTRktbikeGZ6+5yrFmkPLvfc67531Wi1bP420HGIPk0Jbw3oKjO\n"
	"8Vz7j9uceZ1G6uDZQAADTTVJgAKwersh6aMKIX51JiJdV38sZnHZMyiKNXaYIoHO\n"
	"pmCOX1kxm1GhM055LtuujUIuBbjjrNXsoW2kb1ciO2Sblj6DB3XLFA3ZNsCtDNtK\n"
	"ZzbXV3J5XU7Yd3MWbDk8VXZPmUP3wRuwVOCnpmpUA7cn57/jM2lqrxB+sYKhGapa\n"
	"FkWOaqkJlifIQHSo3WAxGZlLpkIj88RLp4Tbs2SBc9lOayAKAs/axhv/7oqVqorN\n"
	"c6oztvcN51pFiKQZXhvRpRgkdTYc+5/XyZ0RkyhdhpjpnzGpvy9IIAIrHpJMLDRc\n"
	"3IJeaUWl0LRmDJq8WUoWTRTWkXpF7JGUPcu8IpSlZ26VK9q8TOGShtnKu+VTY36C\n"
	"+C1yoGpXwNDR5M+HtqeU7qbOuAc7jIYd/p130w914ZXZfJjkKyOmjqZPrb7Gc4mp\n"
	"FtneQyJhVeRncUChWWaYXIE7gPlofGmJ1qYxm2rX24jX9bknbQqWwMKMg1MH/nkO\n"
	"ldUahIQjYXLh8Qwm4LtUXjhLPxMY/xtdoa2T4PV6GYc5X68A+DLRR/mdAkf59Mq9\n"
	"/vaxGTMRsNP7lsMR2zOjznJDs9Lvvs1/SuRZZEWQybX4Bhrg1HJZ9Vd5QLvNj4GM\n"
	"IQ/1/sFa5n8AQwhYqVomq2RoTeAME2PceSs6C6Bu7bpS22k3UqlBq/gi5ZfeJI5Z\n"
	"-----END RSA PRIVATE KEY-----\n";

static const char ed25519_priv[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
	"-----END PRIVATE KEY-----\n";

/* ------------------------------------------------------------ helpers */

/* No byte of a message can end a line or start a terminal escape, and
   it starts lower-case, to follow "dkim: " or a selector's name. */
static void
assert_clean(const char *err)
{
	ck_assert_msg(err[0] >= 'a' && err[0] <= 'z',
	              "message '%s' does not start lower-case", err);
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f,
		              "message '%s' holds byte 0x%02x", err, *p);
}

/* OpenSSL's error queue is left as it was found: empty. */
static void
assert_no_ssl_error(void)
{
	unsigned long e = ERR_peek_error();
	ck_assert_msg(e == 0, "OpenSSL error left queued: %s",
	              ERR_error_string(e, NULL));
}

/* The record, copied into a buffer of exactly len bytes (no NUL after
   it, so that a read past it meets ASan), parsed. */
static int
parse_n(const char *txt, size_t len, struct dkim_record *r, char *err)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, txt, len);
	err[0] = '\0';
	rc = dkim_record_parse(copy, len, r, err, ERRLEN);
	free(copy);
	return rc;
}

static void
parse_ok(const char *txt, struct dkim_record *r)
{
	char err[ERRLEN];

	ck_assert_msg(parse_n(txt, strlen(txt), r, err) == 0,
	              "'%s' refused: %s", txt, err);
}

static void
parse_err_n(const char *txt, size_t len, const char *want)
{
	struct dkim_record r;
	char err[ERRLEN];

	ck_assert_msg(parse_n(txt, len, &r, err) == -1, "'%.*s' accepted",
	              (int)len, txt);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err,
	              want);
	assert_clean(err);
}

static void
parse_err(const char *txt, const char *want)
{
	parse_err_n(txt, strlen(txt), want);
}

/* Parse and judge a record that must pass both. */
static void
judge_ok(const char *txt, struct dkim_record *r, struct dkim_key *k)
{
	char err[ERRLEN] = "";

	parse_ok(txt, r);
	ck_assert_msg(dkim_key_judge(r, k, err, sizeof(err)) == 0,
	              "'%s' key refused: %s", txt, err);
	assert_no_ssl_error();
}

static void
judge_err(const char *txt, const char *want)
{
	struct dkim_record r;
	struct dkim_key k;
	char err[ERRLEN] = "";

	parse_ok(txt, &r);
	ck_assert_msg(dkim_key_judge(&r, &k, err, sizeof(err)) == -1,
	              "'%s' key accepted", txt);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err,
	              want);
	assert_clean(err);
	assert_no_ssl_error();
}

/* The verdict's issues, as "NAME/status NAME/status". */
static const char *
issues(const char *txt, enum mr_status *status)
{
	static char buf[256];
	struct dkim_record r;
	struct dkim_key k;
	struct dkim_verdict v;
	size_t o = 0;

	judge_ok(txt, &r, &k);
	dkim_verdict(&r, &k, &v);
	buf[0] = '\0';
	for (size_t i = 0; i < v.nissues; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s/%s",
		                      i ? " " : "",
		                      dkim_issue_name(v.issues[i].code),
		                      mr_status_name(v.issues[i].severity));
	*status = v.status;
	return buf;
}

static void
assert_issues(const char *txt, const char *want, enum mr_status status)
{
	enum mr_status got;
	const char *s = issues(txt, &got);

	ck_assert_msg(strcmp(s, want) == 0, "'%s': issues '%s', want '%s'", txt,
	              s, want);
	ck_assert_int_eq(got, status);
}

/* A string of n copies of ch; caller frees. */
static char *
repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* ------------------------------------------------------- RFC examples */

START_TEST(rfc6376_example)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("v=DKIM1; p=" RFC6376_KEY, &r, &k);
	ck_assert(r.has_v);
	ck_assert_int_eq(r.key_type, DKIM_KEY_RSA);
	ck_assert_int_eq(k.type, DKIM_KEY_RSA);
	ck_assert_int_eq(k.bits, 1024);
	ck_assert(!k.revoked && !k.bare_rsa && !r.testing && !r.strict);
	ck_assert_uint_eq(r.nhashes, 0);
	ck_assert(!r.sha1_only && !r.no_hash && !r.not_email);
	ck_assert_uint_eq(r.nunknown, 0);
	ck_assert_uint_eq(r.keylen, 162);
	assert_issues("v=DKIM1; p=" RFC6376_KEY, "RSA_SHORT/warn", MR_WARN);
}
END_TEST

START_TEST(rfc8463_example)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("v=DKIM1; k=ed25519; p=" RFC8463_KEY, &r, &k);
	ck_assert_int_eq(r.key_type, DKIM_KEY_ED25519);
	ck_assert_int_eq(k.type, DKIM_KEY_ED25519);
	ck_assert_uint_eq(r.keylen, DKIM_ED25519_LEN);
	ck_assert_int_eq(k.bits, 256);
	ck_assert_str_eq(dkim_key_type_name(k.type), "ed25519");
	assert_issues("v=DKIM1; k=ed25519; p=" RFC8463_KEY, "", MR_PASS);
}
END_TEST

/* Google Workspace publishes "v=DKIM1; k=rsa; p=..." in two strings that
   the probe joins; zone files and providers also fold p= with spaces. */
START_TEST(real_world_forms)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("v=DKIM1; k=rsa; p=" RSA2048, &r, &k);
	ck_assert_int_eq(k.bits, 2048);
	assert_issues("v=DKIM1; k=rsa; p=" RSA2048, "", MR_PASS);
	judge_ok("k=rsa;t=s;p=" RSA2048 ";", &r, &k);
	ck_assert(r.strict && !r.testing && !r.has_v);
	judge_ok(
		"  v = DKIM1 ;\tk = rsa ; p = MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"
		" MIIBCgKCAQEAprLMB/lcTd7xixEMp0hoqe//iqfHLJWwrR4PRba+0LPe8+LX"
		"\r\n\tcXoSf6giuzTJaa0TPEESyi6UN7BHCDDqXhAuvnNXfkBf+Yy03TexGAmv"
		"pC9zwDaBpbxx+W1Pb9oJyQHOZMCg0Ke1OKL4+qm9KIkMT6KAQtpDSg0vUJQ+"
		"vNdkvcTn8rjHO26JkshP38jQ/KDEq/oe1Sjl83Pvx3Ej31r6830gGq76TzJg"
		"yvAzYV+UMwBvTiR/GJ0ntqm2j82zvCKcZV6wIGd9yW0n+td/WpB5htXc+Ndf"
		"XAjdOBKFBauK4N1yMkQyUv/+FKVvI9aC/6Demc3GomOMl/6UMa3M2mtshwIDA"
		"QAB  ;  ",
		&r, &k);
	ck_assert_int_eq(k.bits, 2048);
	/* Old DomainKeys-era tags (g=) and made-up ones are listed. */
	parse_ok(
		"v=DKIM1; g=*; k=rsa; n=a note, with = signs; x_y1=; p=" RSA1024,
		&r);
	ck_assert_uint_eq(r.nunknown, 2);
	ck_assert_str_eq(r.unknown[0], "g");
	ck_assert_str_eq(r.unknown[1], "x_y1");
}
END_TEST

/* ---------------------------------------------------------- key sizes */

START_TEST(rsa_sizes)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("p=" RSA512, &r, &k);
	ck_assert_int_eq(k.bits, 512);
	assert_issues("p=" RSA512, "RSA_TOO_SHORT/fail", MR_FAIL);
	judge_ok("p=" RSA1024, &r, &k);
	ck_assert_int_eq(k.bits, 1024);
	assert_issues("p=" RSA1024, "RSA_SHORT/warn", MR_WARN);
	assert_issues("p=" RSA2048, "", MR_PASS);
}
END_TEST

START_TEST(rsa_bare_pkcs1)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("p=" RSA1024_PKCS1, &r, &k);
	ck_assert(k.bare_rsa);
	ck_assert_int_eq(k.bits, 1024);
	assert_issues("p=" RSA1024_PKCS1, "RSA_SHORT/warn BARE_RSA/pass",
	              MR_WARN);
}
END_TEST

START_TEST(revoked)
{
	struct dkim_record r;
	struct dkim_key k;

	judge_ok("v=DKIM1; p=", &r, &k);
	ck_assert(r.revoked && k.revoked);
	ck_assert_uint_eq(r.keylen, 0);
	assert_issues("v=DKIM1; p=", "REVOKED/pass", MR_PASS);
	assert_issues("v=DKIM1; k=ed25519; t=y; p= ;",
	              "TESTING/warn REVOKED/pass", MR_WARN);
}
END_TEST

/* --------------------------------------------------------------- tags */

START_TEST(hash_lists)
{
	struct dkim_record r;

	parse_ok("h=sha256; p=", &r);
	ck_assert_uint_eq(r.nhashes, 1);
	ck_assert(!r.sha1_only && !r.no_hash);
	parse_ok("h=sha1; p=", &r);
	ck_assert(r.sha1_only);
	parse_ok("h = sha1 : sha256 ; p=", &r);
	ck_assert_uint_eq(r.nhashes, 2);
	ck_assert_str_eq(r.hashes[0], "sha1");
	ck_assert_str_eq(r.hashes[1], "sha256");
	ck_assert(!r.sha1_only);
	/* Unknown algorithms are ignored, and kept for the report. */
	parse_ok("h=sha512:sha1; p=", &r);
	ck_assert(r.sha1_only && !r.no_hash);
	ck_assert_str_eq(r.hashes[0], "sha512");
	parse_ok("h=sha512; p=", &r);
	ck_assert(r.no_hash);
	/* Values are case-sensitive (RFC 6376 3.2). */
	parse_ok("h=SHA256; p=", &r);
	ck_assert(r.no_hash);
	assert_issues("h=sha1; p=" RSA2048, "SHA1_ONLY/warn", MR_WARN);
	assert_issues("h=sha3-256; p=" RSA2048, "NO_HASH/fail", MR_FAIL);
}
END_TEST

START_TEST(service_and_flags)
{
	struct dkim_record r;

	parse_ok("s=email; p=", &r);
	ck_assert(!r.not_email);
	parse_ok("s=*; p=", &r);
	ck_assert(!r.not_email);
	parse_ok("s=tlsrpt:email; p=", &r);
	ck_assert(!r.not_email);
	parse_ok("s=tlsrpt; p=", &r);
	ck_assert(r.not_email);
	assert_issues("s=tlsrpt; p=" RSA2048, "NOT_EMAIL/fail", MR_FAIL);
	parse_ok("t=y; p=", &r);
	ck_assert(r.testing && !r.strict);
	parse_ok("t=s:y; p=", &r);
	ck_assert(r.testing && r.strict);
	/* Unknown flags MUST be ignored (RFC 6376 3.6.1). */
	parse_ok("t=x:future-flag; p=", &r);
	ck_assert(!r.testing && !r.strict);
	assert_issues("t=y; p=" RSA2048, "TESTING/warn", MR_WARN);
}
END_TEST

START_TEST(verdict_order)
{
	/* Worst first, then in the order they were found. */
	assert_issues("h=sha1; t=y; s=tlsrpt; p=" RSA512,
	              "RSA_TOO_SHORT/fail NOT_EMAIL/fail SHA1_ONLY/warn "
	              "TESTING/warn",
	              MR_FAIL);
	assert_issues("h=sha512; p=" RSA1024, "NO_HASH/fail RSA_SHORT/warn",
	              MR_FAIL);
	ck_assert_str_eq(dkim_issue_name((enum dkim_issue_code)99), "UNKNOWN");
}
END_TEST

/* ------------------------------------------------------ syntax errors */

START_TEST(syntax_errors)
{
	parse_err("", "empty");
	parse_err(" \t ", "empty");
	parse_err(";", "expected a tag name at offset 0");
	parse_err("v=DKIM1;;p=", "expected a tag name at offset 8");
	parse_err("v=DKIM1; ; p=", "expected a tag name");
	parse_err("p", "expected '=' after tag 'p' at the end");
	parse_err("p x=", "expected '=' after tag 'p' at offset 2, got 'x='");
	parse_err("=x; p=", "expected a tag name");
	parse_err("1x=y; p=", "expected a tag name");
	parse_err("v=DKIM1", "no p= tag");
	parse_err("v=DKIM2; p=", "v= must be DKIM1, got 'DKIM2'");
	parse_err("v=dkim1; p=", "v= must be DKIM1");
	parse_err("v=; p=", "v= must be DKIM1, got ''");
	parse_err("p=; v=DKIM1", "v= must be the first tag");
	parse_err("p=;p=", "tag 'p' appears twice");
	parse_err("v=DKIM1; v=DKIM1; p=", "tag 'v' appears twice");
	parse_err("k=rsa; k=rsa; p=", "tag 'k' appears twice");
	parse_err("x=1; p=; x=2", "tag 'x' appears twice");
	parse_err("k=dsa; p=", "unknown key type k='dsa' (rsa or ed25519)");
	parse_err("k=RSA; p=", "in lower case");
	parse_err("k=Ed25519; p=", "in lower case");
	parse_err("k=; p=", "unknown key type k=''");
	parse_err("k=rsa:ed25519; p=", "unknown key type");
	parse_err("h=; p=", "tag 'h' is empty");
	parse_err("t=; p=", "tag 't' is empty");
	parse_err("s=; p=", "tag 's' is empty");
	parse_err("h=sha1:; p=", "not a name");
	parse_err("h=:sha1; p=", "not a name");
	parse_err("h=sha1::sha256; p=", "not a name");
	parse_err("h=sha1 sha256; p=",
	          "expected ':' between the items of tag 'h'");
	parse_err("h=sha-; p=", "not a name");
	parse_err("h=1sha; p=", "not a name");
	parse_err("h=*; p=", "not a name");
	parse_err("t=y,s; p=", "not a name");
	parse_err("v=DKIM1\\; k=rsa\\; p=" RSA1024,
	          "tag 'v' ends in a backslash before ';' at offset 8: a "
	          "zone-file escape (\\;) published as text");
	parse_err("p=" RSA1024 " \\;", "tag 'p' ends in a backslash");
	/* A backslash elsewhere is only a wrong value. */
	parse_err("p=" RSA1024 "\\", "p= holds '\\x5c', not base64");
}
END_TEST

START_TEST(base64_errors)
{
	struct dkim_record r;

	parse_ok("p=QQ==", &r);
	ck_assert_uint_eq(r.keylen, 1);
	ck_assert_int_eq(r.key[0], 'A');
	parse_ok("p=QUI=", &r);
	ck_assert_uint_eq(r.keylen, 2);
	parse_ok("p=QUJD", &r);
	ck_assert_uint_eq(r.keylen, 3);
	parse_ok("p=Q U\tJ\r\n D", &r);
	ck_assert_uint_eq(r.keylen, 3);
	ck_assert(memcmp(r.key, "ABC", 3) == 0);
	parse_ok("p=QQ = =", &r);
	ck_assert_uint_eq(r.keylen, 1);
	parse_err("p=QUJ", "not a multiple of 4");
	parse_err("p=Q", "not a multiple of 4");
	parse_err("p=QQ=", "not a multiple of 4");
	parse_err("p=QQ=A", "goes on after its '=' padding");
	parse_err("p=Q===", "more than two '='");
	parse_err("p====", "more than two '='");
	parse_err("p=QU!D", "p= holds '!', not base64, at offset 4");
	parse_err("p=QU-D", "not base64");
	parse_err("p=QU_D", "not base64");
	parse_err("p=QR==", "bits its padding discards");
	parse_err("p=QUJ=", "bits its padding discards");
}
END_TEST

/* Control and 8-bit bytes are refused, and quoted as \xNN. */
START_TEST(hostile_bytes)
{
	parse_err_n("v=DKIM1\0; p=", 12, "byte \\x00 in the value of tag 'v'");
	parse_err_n("p=\0", 3, "byte \\x00");
	parse_err("p=AAAA\r\nBBBB", "byte \\x0d in the value of tag 'p'");
	parse_err("p=AAAA\nBBBB", "byte \\x0a");
	parse_err("p=AAAA\r\n", "byte \\x0d");
	parse_err("v=DKIM1\x1b[31m; p=", "byte \\x1b");
	parse_err("v=\xc3\xa9; p=", "byte \\xc3");
	parse_err("\x7f=1; p=",
	          "expected a tag name at offset 0, got '\\x7f=1; p='");
	parse_err("p=;\r\n",
	          "expected a tag name at offset 3, got '\\x0d\\x0a'");
	parse_err("\x1b]0;x\x07=", "got '\\x1b]0;x\\x07='");
	parse_err("p=; foo\x01=",
	          "expected '=' after tag 'foo' at offset 7, got "
	          "'\\x01='");
	/* A backslash is quoted too, so that \xNN in a message is ours. */
	parse_err("\\x41=; p=", "'\\x5cx41=; p='");
	/* Quotes are cut at 40 bytes of input. */
	parse_err("{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
	          "'{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'...");
}
END_TEST

/* ------------------------------------------------------------- bounds */

START_TEST(bound_record)
{
	struct dkim_record r;
	size_t pad = DKIM_RECORD_MAX - strlen("p=; n=");
	char *n = repeat('x', pad), *rec = malloc(DKIM_RECORD_MAX + 2);

	ck_assert_ptr_nonnull(rec);
	snprintf(rec, DKIM_RECORD_MAX + 2, "p=; n=%s", n);
	ck_assert_uint_eq(strlen(rec), DKIM_RECORD_MAX);
	parse_ok(rec, &r);
	strcat(rec, "x");
	parse_err(rec, "more than 4096 (DKIM_RECORD_MAX)");
	free(rec);
	free(n);
}
END_TEST

START_TEST(bound_tags)
{
	struct dkim_record r;
	char rec[512] = "p=";
	size_t o = 2;

	/* p= and 31 unknown tags: 32, the bound; one more is refused. */
	for (int i = 0; i < DKIM_MAX_TAGS - 1; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, ";x%d=", i);
	parse_ok(rec, &r);
	ck_assert_uint_eq(r.nunknown, DKIM_MAX_TAGS - 1);
	snprintf(rec + o, sizeof(rec) - o, ";y=");
	parse_err(rec, "more than 32 tags (DKIM_MAX_TAGS)");
	/* A trailing ';' is not a tag. */
	snprintf(rec + o, sizeof(rec) - o, ";");
	parse_ok(rec, &r);
}
END_TEST

START_TEST(bound_names)
{
	struct dkim_record r;
	char rec[256];
	char *name = repeat('a', DKIM_TAG_NAME_MAX);

	snprintf(rec, sizeof(rec), "p=; %s=1", name);
	parse_ok(rec, &r);
	ck_assert_str_eq(r.unknown[0], name);
	snprintf(rec, sizeof(rec), "p=; %sb=1", name);
	parse_err(rec, "longer than 32 bytes (DKIM_TAG_NAME_MAX) at offset 4");
	free(name);

	char *tok = repeat('h', DKIM_TOKEN_MAX);
	snprintf(rec, sizeof(rec), "h=%s; p=", tok);
	parse_ok(rec, &r);
	ck_assert_str_eq(r.hashes[0], tok);
	snprintf(rec, sizeof(rec), "h=%sh; p=", tok);
	parse_err(rec, "longer than 32 bytes (DKIM_TOKEN_MAX)");
	free(tok);
}
END_TEST

START_TEST(bound_lists)
{
	struct dkim_record r;

	parse_ok("h=a:b:c:d:e:f:g:sha256; p=", &r);
	ck_assert_uint_eq(r.nhashes, DKIM_LIST_MAX);
	ck_assert(!r.no_hash);
	parse_err("h=a:b:c:d:e:f:g:h:sha256; p=",
	          "tag 'h' lists more than 8 items (DKIM_LIST_MAX)");
	parse_err("t=a:b:c:d:e:f:g:h:y; p=", "(DKIM_LIST_MAX)");
	parse_err("s=a:b:c:d:e:f:g:h:email; p=", "(DKIM_LIST_MAX)");
}
END_TEST

START_TEST(bound_p)
{
	struct dkim_record r;
	char *a = repeat('A', DKIM_P_MAX), *rec = malloc(DKIM_P_MAX + 16);

	ck_assert_ptr_nonnull(rec);
	snprintf(rec, DKIM_P_MAX + 16, "p=%s", a);
	parse_ok(rec, &r);
	ck_assert_uint_eq(r.keylen, DKIM_KEY_MAX);
	/* Whitespace does not count. */
	snprintf(rec, DKIM_P_MAX + 16, "p=  %s  ", a);
	parse_ok(rec, &r);
	snprintf(rec, DKIM_P_MAX + 16, "p=%sAAAA", a);
	parse_err(rec, "longer than 2048 base64 characters (DKIM_P_MAX)");
	snprintf(rec, DKIM_P_MAX + 16, "p=%s==", a);
	parse_err(rec, "(DKIM_P_MAX)");
	free(rec);
	free(a);
}
END_TEST

/* -------------------------------------------------------- key errors */

START_TEST(key_errors)
{
	judge_err("p=" RFC8463_KEY, "an Ed25519 key, but the record has no "
	                            "k=ed25519");
	judge_err("k=rsa; p=" ED25519_SPKI,
	          "k=rsa, but p= holds an Ed25519 key");
	judge_err("p=" EC_P256, "k=rsa, but p= holds an EC key");
	judge_err("k=ed25519; p=" RSA1024,
	          "k=ed25519, but p= holds an RSA key");
	judge_err("k=ed25519; p=" ED25519_SPKI,
	          "RFC 8463 4.2 wants the bare 32-byte key");
	judge_err("k=ed25519; p=QUJD", "needs a 32-byte key, p= has 3 bytes");
	judge_err("p=QUJD", "p= (3 bytes) is not an RSA public key");
	judge_err("p=" RSA2048 "AAAA", "is not an RSA public key");
	judge_err("p=" RSA1024 "AAAA", "is not an RSA public key");
	judge_err("p=" RSA1024_PKCS1_TRAILING, "is not an RSA public key");
	/* An SPKI cut short. */
	judge_err("p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+fuiaLQEpFDN",
	          "is not an RSA public key");
}
END_TEST

/* ---------------------------------------------------------- key files */

static int
compare(const char *txt, const char *pem, size_t len, char *err)
{
	struct dkim_record r;
	char *copy = malloc(len ? len : 1);
	int rc;

	parse_ok(txt, &r);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pem, len);
	err[0] = '\0';
	rc = dkim_key_compare_pem(&r, copy, len, err, ERRLEN);
	free(copy);
	assert_clean(err);
	assert_no_ssl_error();
	return rc;
}

static void
compare_is(const char *txt, const char *pem, int want, const char *msg)
{
	char err[ERRLEN];
	int rc = compare(txt, pem, strlen(pem), err);

	ck_assert_msg(rc == want, "got %d (%s), want %d", rc, err, want);
	ck_assert_msg(strstr(err, msg) != NULL, "message '%s' lacks '%s'", err,
	              msg);
}

START_TEST(compare_same)
{
	compare_is("p=" RSA1024, rsa1024_pkcs8, 1, "the same key");
	compare_is("p=" RSA1024, rsa1024_trad, 1, "the same key");
	compare_is("p=" RSA1024, rsa1024_pub, 1, "the same key");
	compare_is("p=" RSA1024, rsa1024_rsapub, 1, "the same key");
	compare_is("p=" RSA1024_PKCS1, rsa1024_pkcs8, 1, "the same key");
	compare_is("k=ed25519; p=" RFC8463_KEY, ed25519_priv, 1,
	           "the same key");
}
END_TEST

START_TEST(compare_other)
{
	compare_is("p=" RSA1024, other1024_pub, 0,
	           "the key file holds another key (1024 bits)");
	compare_is("p=" RSA2048, rsa1024_pkcs8, 0, "another key (1024 bits)");
	compare_is("p=" RSA1024, ed25519_priv, 0,
	           "the key file holds an Ed25519 key, the record an RSA key");
	compare_is("k=ed25519; p=" RFC8463_KEY, rsa1024_pub, 0,
	           "holds an RSA key, the record an Ed25519 key");
}
END_TEST

/* The key follows a certificate, as in a combined PEM file. */
START_TEST(compare_bundle)
{
	char pem[2048];

	snprintf(
		pem, sizeof(pem),
		"junk before\n"
		"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
		"%s",
		rsa1024_pub);
	compare_is("p=" RSA1024, pem, 1, "the same key");
}
END_TEST

START_TEST(compare_refused)
{
	char err[ERRLEN];

	/* Refused by label or header, before anything could ask for a
	   password. */
	compare_is("p=" RSA1024, rsa1024_enc8, -1, "encrypted");
	compare_is("p=" RSA1024, rsa1024_enctrad, -1,
	           "never asks for a password");
	/* Encrypted DER under a plain label: unreadable, and still no
	   password asked. */
	char pem[2048];
	const char *body = strchr(rsa1024_enc8, '\n') + 1;
	snprintf(pem, sizeof(pem),
	         "-----BEGIN PRIVATE KEY-----\n%.*s-----END PRIVATE KEY-----\n",
	         (int)(strstr(body, "-----END") - body), body);
	compare_is("p=" RSA1024, pem, -1,
	           "PRIVATE KEY block is not a key OpenSSL can read");
	compare_is("p=" RSA1024, "", -1, "holds no PEM block");
	compare_is("p=" RSA1024, "hello\x1b[2J\n", -1, "holds no PEM block");
	compare_is(
		"p=" RSA1024,
		"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
		-1, "holds no key, only other PEM blocks");
	compare_is(
		"p=" RSA1024,
		"-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
		-1, "PRIVATE KEY block is not a key OpenSSL can read");
	compare_is(
		"p=" RSA1024,
		"-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----\n",
		-1, "PUBLIC KEY block is not a key");
	/* The record's side. */
	compare_is("p=", rsa1024_pub, -1, "revoked");
	compare_is("p=QUJD", rsa1024_pub, -1, "not an RSA public key");
	/* A PEM key cut in the middle. */
	ck_assert_int_eq(compare("p=" RSA1024, rsa1024_pub, 100, err), -1);
}
END_TEST

START_TEST(compare_bounds)
{
	char err[ERRLEN];
	static const char cert[] =
		"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
	char *pem = malloc(DKIM_PEM_MAX + 1);
	size_t o = 0;

	ck_assert_ptr_nonnull(pem);
	for (int i = 0; i < DKIM_PEM_MAX_BLOCKS; i++)
		o += (size_t)snprintf(pem + o, DKIM_PEM_MAX - o, "%s", cert);
	snprintf(pem + o, DKIM_PEM_MAX - o, "%s", rsa1024_pub);
	compare_is("p=" RSA1024, pem, -1,
	           "no key in the first 16 PEM blocks of the key file "
	           "(DKIM_PEM_MAX_BLOCKS)");
	memset(pem, '\n', DKIM_PEM_MAX + 1);
	ck_assert_int_eq(compare("p=" RSA1024, pem, DKIM_PEM_MAX + 1, err), -1);
	ck_assert_msg(strstr(err, "(DKIM_PEM_MAX)") != NULL, "%s", err);
	free(pem);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dkim");
	TCase *rec = tcase_create("record");
	TCase *err = tcase_create("errors");
	TCase *bound = tcase_create("bounds");
	TCase *key = tcase_create("keys");

	tcase_add_test(rec, rfc6376_example);
	tcase_add_test(rec, rfc8463_example);
	tcase_add_test(rec, real_world_forms);
	tcase_add_test(rec, rsa_sizes);
	tcase_add_test(rec, rsa_bare_pkcs1);
	tcase_add_test(rec, revoked);
	tcase_add_test(rec, hash_lists);
	tcase_add_test(rec, service_and_flags);
	tcase_add_test(rec, verdict_order);
	suite_add_tcase(s, rec);

	tcase_add_test(err, syntax_errors);
	tcase_add_test(err, base64_errors);
	tcase_add_test(err, hostile_bytes);
	tcase_add_test(err, key_errors);
	suite_add_tcase(s, err);

	tcase_add_test(bound, bound_record);
	tcase_add_test(bound, bound_tags);
	tcase_add_test(bound, bound_names);
	tcase_add_test(bound, bound_lists);
	tcase_add_test(bound, bound_p);
	suite_add_tcase(s, bound);

	tcase_add_test(key, compare_same);
	tcase_add_test(key, compare_other);
	tcase_add_test(key, compare_bundle);
	tcase_add_test(key, compare_refused);
	tcase_add_test(key, compare_bounds);
	suite_add_tcase(s, key);
	return s;
}

int
main(void)
{
	/* The tests read no openssl.cnf, as the fuzz target does not. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
