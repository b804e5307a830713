/*
 * cert.c -- the verdict on a server's certificate: chain, host name,
 * validity dates, days to expiry and protocol version, each failure with
 * a message that says what to fix; and the client context and per-SSL
 * setup that let a handshake complete so that the verdict can be given.
 *
 * Why the chain error is recorded in the verify callback: the callback
 * accepts everything so that the handshake completes, and OpenSSL then
 * keeps only the LAST error as the verify result. An unknown issuer
 * (found while the chain is built) is overwritten by a host name mismatch
 * or an expired leaf (found later), so SSL_get_verify_result() alone
 * would hide an untrusted chain behind a problem we judge ourselves.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "strbuf.h"
#include "tls/cert.h"
#include "xmalloc.h"

/* At most this many names are listed in a message; the field has all. */
#define NAMES_IN_MESSAGE 5

/* The first chain error the verify callback saw, and where. */
struct chain_error {
	long code;  /* X509_V_OK when none */
	int depth;  /* -1 when unknown */
	X509 *cert; /* the certificate at that depth, or NULL */
};

/* ------------------------------------------------------------ strings */

/* Copy n bytes of server-supplied text, control characters (and NULs,
   which would cut the string) written out as "\xNN": one line stays one
   line, and nothing of the name is lost. */
static char *
clean_copy(const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *s = xmalloc(4 * n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			s[o++] = '\\';
			s[o++] = 'x';
			s[o++] = hex[p[i] >> 4];
			s[o++] = hex[p[i] & 0xf];
		} else {
			s[o++] = (char)p[i];
		}
	}
	s[o] = '\0';
	return s;
}

/* "CN=mx.example.com, O=Example": RFC 2253 order and escaping, but ", "
   between parts and UTF-8 left readable. */
static char *
name_text(const X509_NAME *name)
{
	unsigned long flags =
		(XN_FLAG_RFC2253 & ~(XN_FLAG_SEP_MASK | ASN1_STRFLGS_ESC_MSB)) |
		XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_UTF8_CONVERT;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	char *s;

	if (bio == NULL)
		fatalx("BIO_new failed");
	if (name == NULL || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		BIO_free(bio);
		return xstrdup("");
	}
	long n = BIO_get_mem_data(bio, &data);
	s = clean_copy((const unsigned char *)data, n > 0 ? (size_t)n : 0);
	BIO_free(bio);
	return s;
}

/* The most specific (last) CN of the subject, or NULL. */
static char *
subject_cn(X509 *x)
{
	const X509_NAME *name = X509_get_subject_name(x);
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;

	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return NULL;
	const ASN1_STRING *d =
		X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
	int n = ASN1_STRING_to_UTF8(&utf8, d);
	if (n < 0)
		return NULL;
	char *s = clean_copy(utf8, (size_t)n);
	OPENSSL_free(utf8);
	return s;
}

/*
 * The names the host is matched against (RFC 6125): the SAN dNSName
 * entries when there is at least one, else the CN. Returns an array of
 * *n strings (caller frees each and the array); *has_san says which.
 */
static char **
cert_names(X509 *x, size_t *n, bool *has_san)
{
	GENERAL_NAMES *gens =
		X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int count = sk_GENERAL_NAME_num(gens);
	char **names = xreallocarray(NULL, count > 0 ? (size_t)count : 1,
	                             sizeof(*names));

	*n = 0;
	for (int i = 0; i < count; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			names[(*n)++] = clean_copy(
				ASN1_STRING_get0_data(g->d.dNSName),
				(size_t)ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	*has_san = *n > 0;
	if (*n == 0 && (names[0] = subject_cn(x)) != NULL)
		*n = 1;
	return names;
}

/* The first max of n names joined with ", ", and how many more there
   are: a certificate for hundreds of hosts still gives a short line. */
static char *
join_names(char **names, size_t n, size_t max)
{
	struct strbuf b = STRBUF_INIT;

	for (size_t i = 0; i < n && i < max; i++) {
		strbuf_sep(&b, ", ");
		strbuf_add(&b, names[i]);
	}
	if (n > max)
		strbuf_addf(&b, " and %zu more", n - max);
	return strbuf_take(&b);
}

/* ------------------------------------------------------------- dates */

/* "2027-02-01" (UTC). */
static void
fmt_date(time_t t, char buf[static 16])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, 16, "(bad date)");
}

/* "less than a day", "1 day", "20 days". */
static void
fmt_days(long long days, char buf[static 32])
{
	if (days <= 0)
		snprintf(buf, 32, "less than a day");
	else if (days == 1)
		snprintf(buf, 32, "1 day");
	else
		snprintf(buf, 32, "%lld days", days);
}

/* An ASN1_TIME as a time_t, through its difference from now (which
   spares timegm()). Returns -1 if the time cannot be read. */
static int
asn1_time_t(const ASN1_TIME *t, time_t now, time_t *out)
{
	ASN1_TIME *at_now = ASN1_TIME_set(NULL, now);
	int day = 0, sec = 0;
	int ok = at_now != NULL && t != NULL &&
	         ASN1_TIME_diff(&day, &sec, at_now, t);

	ASN1_TIME_free(at_now);
	if (!ok)
		return -1;
	*out = now + (time_t)day * 86400 + sec;
	return 0;
}

/* ------------------------------------------------------------ findings */

struct judge {
	X509 *leaf;
	const struct cert_policy *pol;
	struct cert_verdict *out;
	time_t now;
	bool in_dates;     /* now is within the validity dates */
	char *short_names; /* the names as messages list them */
	bool matched_alt;  /* valid for a tls_names entry, not the host */
};

static void
issue(struct judge *j, enum mr_code code, enum mr_status st, char *message,
      const char *hint)
{
	struct cert_verdict *v = j->out;

	v->status = mr_status_worst(v->status, st);
	if (v->nissues == CERT_MAX_ISSUES) {
		v->nunlisted++;
		v->unlisted_status = mr_status_worst(v->unlisted_status, st);
		free(message);
		return;
	}
	v->issues[v->nissues++] = (struct cert_issue){
		code, st, message, hint ? xstrdup(hint) : NULL};
}

static const char *
or_empty(const char *dn)
{
	return dn[0] != '\0' ? dn : "(empty name)";
}

long long
cert_days_until(time_t t, time_t now)
{
	long long secs = (long long)t - (long long)now;
	/* Rounded down, also below zero: 1 second ago is day -1. */
	return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/* 2 and 3: the leaf's own dates, against pol->now rather than the
   verify result, which may have been computed at another time. Returns
   whether the certificate is within its validity period. */
static bool
judge_dates(struct judge *j)
{
	const struct cert_verdict *v = j->out;
	const char *subj = or_empty(v->subject);
	const char *iss = or_empty(v->issuer);
	char date[16], days[32];

	if (v->not_after < j->now) {
		fmt_date(v->not_after, date);
		fmt_days((j->now - v->not_after) / 86400, days);
		issue(j, CODE_CERT_EXPIRED, MR_FAIL,
		      xasprintf("certificate expired on %s (%s ago): %s, "
		                "issued by %s",
		                date, days, subj, iss),
		      "renew it and reload the service");
		return false;
	}
	if (v->not_before > j->now) {
		fmt_date(v->not_before, date);
		fmt_days((v->not_before - j->now) / 86400, days);
		issue(j, CODE_CERT_NOT_YET_VALID, MR_FAIL,
		      xasprintf("certificate is not valid before %s (in %s): "
		                "%s, issued by %s",
		                date, days, subj, iss),
		      "check this host's clock, or install a certificate "
		      "that is valid now");
		return false;
	}
	return true;
}

/* The message for an issuer certificate out of its dates. */
static char *
issuer_dates_text(long code, X509 *cert, time_t now)
{
	bool expired = code == X509_V_ERR_CERT_HAS_EXPIRED;
	char date[16] = "";
	time_t t;

	if (cert == NULL)
		return xasprintf("an issuer certificate in the chain %s",
		                 expired ? "has expired" : "is not valid yet");
	char *dn = name_text(X509_get_subject_name(cert));
	const ASN1_TIME *at =
		expired ? X509_get0_notAfter(cert) : X509_get0_notBefore(cert);
	if (asn1_time_t(at, now, &t) == 0)
		fmt_date(t, date);
	char *s = xasprintf("issuer certificate '%s' %s %s", or_empty(dn),
	                    expired ? "expired on" : "is not valid before",
	                    date[0] ? date : "(unreadable date)");
	free(dn);
	return s;
}

/* 4: the chain. The leaf's own dates and name are judged elsewhere, so
   those codes count only when they concern another certificate. */
static void
judge_chain(struct judge *j, const struct chain_error *ce)
{
	X509 *at = ce->cert != NULL ? ce->cert : j->leaf;
	char *dn;

	switch (ce->code) {
	case X509_V_OK:
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		/* The leaf's own dates were judged against pol->now; the
		   error is an issuer's when it was reported at a depth
		   above 0, or, depth unknown, when the leaf is in date. */
		if (ce->depth == 0 || (ce->depth < 0 && !j->in_dates))
			return;
		issue(j, CODE_CERT_ISSUER_DATES, MR_FAIL,
		      issuer_dates_text(ce->code, ce->cert, j->now),
		      "install the CA's current intermediate certificate");
		return;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		dn = name_text(X509_get_issuer_name(at));
		issue(j, CODE_CERT_UNTRUSTED, MR_FAIL,
		      xasprintf("issuer '%s' is not trusted (not in the CA "
		                "bundle, or the server does not send the "
		                "intermediate certificate)",
		                or_empty(dn)),
		      "send the full chain (leaf and intermediates), or add "
		      "the CA to ca_file");
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		dn = name_text(X509_get_subject_name(j->leaf));
		issue(j, CODE_CERT_SELF_SIGNED, MR_FAIL,
		      xasprintf("self-signed certificate '%s' is not trusted",
		                or_empty(dn)),
		      "install one issued by a trusted CA, or add it to "
		      "ca_file");
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		/* Without the chain the root cannot be named. */
		dn = ce->cert != NULL
		             ? name_text(X509_get_subject_name(ce->cert))
		             : NULL;
		issue(j, CODE_CERT_UNTRUSTED_ROOT, MR_FAIL,
		      dn != NULL
		              ? xasprintf("chain ends in an untrusted root "
		                          "'%s' (not in the CA bundle)",
		                          or_empty(dn))
		              : xstrdup("chain ends in an untrusted root (not "
		                        "in the CA bundle)"),
		      "use a certificate from a trusted CA, or add the root "
		      "to ca_file");
		break;
	default:
		dn = ce->cert != NULL && ce->depth > 0
		             ? name_text(X509_get_subject_name(ce->cert))
		             : NULL;
		issue(j, CODE_CERT_CHAIN_INVALID, MR_FAIL,
		      dn != NULL
		              ? xasprintf(
					"certificate chain is not trusted: %s "
					"at '%s' (depth %d, X509 error %ld)",
					X509_verify_cert_error_string(ce->code),
					or_empty(dn), ce->depth, ce->code)
		              : xasprintf(
					"certificate chain is not trusted: %s "
					"(X509 error %ld)",
					X509_verify_cert_error_string(ce->code),
					ce->code),
		      "fix the chain the server sends");
		break;
	}
	free(dn);
}

/* Whether host is an IPv4 or IPv6 address literal. */
static bool
is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

/* One name against the leaf, per RFC 6125: X509_check_host() does the
   matching; the flags make it ignore the CN whenever a SAN dNSName
   exists and refuse partial wildcards ("f*o.example.com"). A wildcard
   name ("*.example.com", from tls_names) matches only a certificate that
   carries that wildcard itself. */
static bool
name_matches(const struct judge *j, const char *h, bool has_san)
{
	unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

	/* Not a host name; X509_check_host() would take it as "any name
	   under this domain". */
	if (h[0] == '.')
		return false;
	if (is_ip_literal(h))
		return X509_check_ip_asc(j->leaf, h, 0) == 1;
	if (strncmp(h, "*.", 2) == 0) {
		for (size_t i = 0; i < j->out->nsans; i++)
			if (strcasecmp(j->out->sans[i], h) == 0)
				return true;
		return false;
	}
	if (has_san)
		flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	return X509_check_host(j->leaf, h, strlen(h), flags, NULL) == 1;
}

/* "mx.example.com." is the same host: one trailing dot dropped, which
   X509_check_host() would otherwise compare literally. */
static char *
host_without_dot(const char *host)
{
	size_t len = strlen(host);

	if (len > 1 && host[len - 1] == '.')
		len--;
	return xstrndup(host, len);
}

/* 5: the host name, or one of the other names the node may present. */
static void
judge_host(struct judge *j, bool has_san)
{
	const char *host = j->pol->host;

	/* A name with no host to match against is not judged. */
	if (host == NULL || host[0] == '\0')
		return;
	char *h = host_without_dot(host);
	bool r = name_matches(j, h, has_san);
	if (r)
		j->out->matched = xstrdup(h);
	for (size_t i = 0; !r && i < j->pol->nalt_names; i++) {
		char *alt = host_without_dot(j->pol->alt_names[i]);
		r = name_matches(j, alt, has_san);
		if (r) {
			j->out->matched = alt;
			j->matched_alt = true;
		} else
			free(alt);
	}
	if (!r && j->pol->nalt_names > 0) {
		const char *names = j->short_names;
		struct strbuf want = STRBUF_INIT;
		strbuf_add(&want, h);
		for (size_t i = 0; i < j->pol->nalt_names; i++) {
			strbuf_sep(&want, ", ");
			strbuf_add(&want, j->pol->alt_names[i]);
		}
		char *hint = xasprintf("issue one whose subjectAltName "
		                       "includes one of %s (tls_names), or "
		                       "add the name it carries to tls_names",
		                       strbuf_str(&want));
		issue(j, CODE_CERT_NAME_MISMATCH, MR_FAIL,
		      xasprintf("certificate is for %s, not %s",
		                names[0] ? names
		                         : "no host (no subjectAltName DNS "
		                           "name, no CN)",
		                strbuf_str(&want)),
		      hint);
		free(hint);
		strbuf_reset(&want);
	} else if (!r) {
		const char *names = j->short_names;
		char *hint =
			xasprintf("issue one whose subjectAltName "
		                  "includes %s%s",
		                  is_ip_literal(h) ? "IP address " : "", h);
		issue(j, CODE_CERT_NAME_MISMATCH, MR_FAIL,
		      xasprintf("certificate is for %s, not %s",
		                names[0] ? names
		                         : "no host (no subjectAltName DNS "
		                           "name, no CN)",
		                h),
		      hint);
		free(hint);
	}
	free(h);
}

enum mr_status
cert_judge_days(long long left, time_t not_after, int warn_days, int crit_days,
                char **message, char **hint)
{
	char date[16], days[32], renew[16];

	*message = *hint = NULL;
	if (left < 0)
		return MR_PASS; /* expired: CERT_EXPIRED says so */
	fmt_date(not_after, date);
	fmt_days(left, days);
	if (crit_days >= 0 && left <= crit_days) {
		*message =
			xasprintf("certificate expires in %s (%s)", days, date);
		*hint = xstrdup("renew it now");
		return MR_FAIL;
	}
	if (warn_days >= 0 && left <= warn_days) {
		*message =
			xasprintf("certificate expires in %s (%s)", days, date);
		if (crit_days >= 0) {
			/* The day it turns critical is the deadline that
			   matters to whoever reads a warning. */
			fmt_date(not_after - (time_t)crit_days * 86400, renew);
			*hint = xasprintf("renew it before %s, when this "
			                  "check turns critical",
			                  renew);
		} else {
			*hint = xstrdup("renew it");
		}
		return MR_WARN;
	}
	return MR_PASS;
}

/* 7: TLS below 1.2 still works but is refused by current clients. */
static void
judge_version(struct judge *j, const char *version)
{
	static const char *const old[] = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"};

	if (version == NULL)
		return;
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		if (strcmp(version, old[i]) == 0) {
			issue(j, CODE_TLS_VERSION_OLD, MR_WARN,
			      xasprintf("server negotiated %s", version),
			      "enable TLS 1.2 and 1.3");
			return;
		}
	}
}

/* The one-line description of a certificate. */
static char *
summary_text(const struct judge *j)
{
	const struct cert_verdict *v = j->out;
	char days[32];
	struct strbuf b = STRBUF_INIT;

	strbuf_addf(&b, "certificate %s (%s), issued by %s",
	            or_empty(v->subject), j->short_names, or_empty(v->issuer));
	if (v->dates_ok) {
		fmt_days(v->days_left, days);
		strbuf_addf(&b, ", valid until %s (%s)", v->not_after_text,
		            v->days_left < 0 ? "expired" : days);
	}
	if (v->version != NULL)
		strbuf_addf(&b, ", %s", v->version);
	/* Which name made it valid, when it is not the node's own. */
	if (j->matched_alt)
		strbuf_addf(&b, "; valid for %s (tls_names)", v->matched);
	return strbuf_take(&b);
}

/* "AB:CD:...": the SHA-256 fingerprint, as openssl x509 -fingerprint. */
static char *
fingerprint(X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct strbuf b = STRBUF_INIT;

	if (!X509_digest(x, EVP_sha256(), md, &n))
		return xstrdup("");
	for (unsigned int i = 0; i < n; i++)
		strbuf_addf(&b, "%s%02X", i ? ":" : "", md[i]);
	return strbuf_take(&b);
}

/* Fill the descriptive fields and the dates; returns whether the
   certificate has SAN dNSName entries. */
static bool
describe(struct judge *j)
{
	struct cert_verdict *v = j->out;
	bool has_san;
	char date[16] = "";

	v->subject = name_text(X509_get_subject_name(j->leaf));
	v->issuer = name_text(X509_get_issuer_name(j->leaf));
	v->sans = cert_names(j->leaf, &v->nsans, &has_san);
	v->names = join_names(v->sans, v->nsans, SIZE_MAX);
	j->short_names = join_names(v->sans, v->nsans, NAMES_IN_MESSAGE);
	v->fingerprint = fingerprint(j->leaf);
	v->dates_ok = asn1_time_t(X509_get0_notAfter(j->leaf), j->now,
	                          &v->not_after) == 0 &&
	              asn1_time_t(X509_get0_notBefore(j->leaf), j->now,
	                          &v->not_before) == 0;
	if (v->dates_ok) {
		fmt_date(v->not_after, date);
		v->days_left = cert_days_until(v->not_after, j->now);
	}
	v->not_after_text = xstrdup(date);
	return has_san;
}

/* Judge in the order of the contract (cert.h); every issue is kept,
   so one run shows everything there is to fix. */
static void
evaluate(X509 *leaf, const struct chain_error *ce, const char *version,
         const char *cipher, const struct cert_policy *pol,
         struct cert_verdict *out)
{
	struct judge j = {.leaf = leaf, .pol = pol, .out = out};

	memset(out, 0, sizeof(*out));
	out->status = MR_PASS;
	out->version = version != NULL ? xstrdup(version) : NULL;
	out->cipher = cipher != NULL ? xstrdup(cipher) : NULL;
	j.now = pol->now != 0 ? pol->now : time(NULL);
	if (leaf == NULL) {
		issue(&j, CODE_CERT_MISSING, MR_FAIL,
		      xstrdup("the server presented no certificate"),
		      "configure a certificate and key for the service");
		out->subject = xstrdup("");
		out->issuer = xstrdup("");
		out->not_after_text = xstrdup("");
		out->names = xstrdup("");
		out->fingerprint = xstrdup("");
		out->summary = xstrdup("no certificate");
		return;
	}
	out->have_cert = true;
	bool has_san = describe(&j);
	if (!out->dates_ok)
		issue(&j, CODE_CERT_BAD_DATES, MR_FAIL,
		      xstrdup("certificate has unreadable validity dates"),
		      "install a well-formed certificate");
	else
		j.in_dates = judge_dates(&j);
	judge_chain(&j, ce);
	judge_host(&j, has_san);
	judge_version(&j, version);
	out->summary = summary_text(&j);
	free(j.short_names);
}

void
cert_evaluate_x509(X509 *leaf, long verify_result, const char *version,
                   const struct cert_policy *pol, struct cert_verdict *out)
{
	struct chain_error ce = {.code = verify_result, .depth = -1};

	evaluate(leaf, &ce, version, NULL, pol, out);
}

/* ------------------------------------------------------------ handshake */

/* SSL ex_data slot for the first chain error: (code << 8) | depth,
   stored in the pointer itself so nothing needs freeing. */
static int chain_error_idx = -1;
static CRYPTO_ONCE chain_error_once = CRYPTO_ONCE_STATIC_INIT;

static void
chain_error_init(void)
{
	chain_error_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Whether a verify error belongs to the chain verdict (4) rather than to
   the leaf's dates or name, which are judged from the leaf itself. */
static bool
is_chain_error(int code, int depth)
{
	switch (code) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return false;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return depth > 0;
	default:
		return true;
	}
}

/* Accept every certificate so that the handshake completes, but keep the
   first chain error: OpenSSL's verify result holds only the last one. */
static int
verify_accept(int preverify_ok, X509_STORE_CTX *xs)
{
	if (preverify_ok || chain_error_idx < 0)
		return 1;
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	int code = X509_STORE_CTX_get_error(xs);
	int depth = X509_STORE_CTX_get_error_depth(xs);

	if (ssl == NULL || code <= 0 || depth < 0 || depth > 0xff ||
	    !is_chain_error(code, depth) ||
	    SSL_get_ex_data(ssl, chain_error_idx) != NULL)
		return 1;
	SSL_set_ex_data(ssl, chain_error_idx,
	                (void *)(((uintptr_t)code << 8) | (uintptr_t)depth));
	return 1;
}

void
cert_evaluate(SSL *ssl, const struct cert_policy *pol, struct cert_verdict *out)
{
	struct chain_error ce = {.code = SSL_get_verify_result(ssl),
	                         .depth = -1};
	void *rec = chain_error_idx >= 0 ? SSL_get_ex_data(ssl, chain_error_idx)
	                                 : NULL;

	if (rec != NULL) {
		/* The callback's record is the first chain error; the chain
		   OpenSSL built has the certificate it concerns. */
		STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);
		ce.code = (long)((uintptr_t)rec >> 8);
		ce.depth = (int)((uintptr_t)rec & 0xff);
		if (ce.depth < sk_X509_num(chain))
			ce.cert = sk_X509_value(chain, ce.depth);
	} else if (SSL_get_verify_callback(ssl) == verify_accept) {
		/* Our callback saw no chain error: whatever the verify
		   result says (a name, the leaf's dates) is judged from the
		   leaf. An SSL set up elsewhere keeps its verify result. */
		ce.code = X509_V_OK;
	}
	evaluate(SSL_get0_peer_certificate(ssl), &ce, SSL_get_version(ssl),
	         SSL_get_cipher_name(ssl), pol, out);
}

void
cert_verdict_clear(struct cert_verdict *v)
{
	for (size_t i = 0; i < v->nissues; i++) {
		free(v->issues[i].message);
		free(v->issues[i].hint);
	}
	for (size_t i = 0; i < v->nsans; i++)
		free(v->sans[i]);
	free(v->sans);
	free(v->subject);
	free(v->issuer);
	free(v->not_after_text);
	free(v->names);
	free(v->fingerprint);
	free(v->version);
	free(v->cipher);
	free(v->summary);
	free(v->matched);
	memset(v, 0, sizeof(*v));
}

/* "what: reason" into err, and an empty error queue after. The earliest
   error is the cause ("No such file or directory"); later ones only say
   which layers it went through ("system lib"). */
static void
ssl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_error();
	const char *reason = NULL;
	char buf[256];

	if (e != 0 && ERR_SYSTEM_ERROR(e))
		reason = strerror(ERR_GET_REASON(e));
	else if (e != 0)
		reason = ERR_reason_error_string(e);
	if (reason == NULL && e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		reason = buf;
	}
	snprintf(err, errlen, "%s: %s", what,
	         reason != NULL ? reason : "unknown OpenSSL error");
	ERR_clear_error();
}

SSL_CTX *
cert_client_ctx(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	if (!CRYPTO_THREAD_run_once(&chain_error_once, chain_error_init) ||
	    chain_error_idx < 0) {
		ssl_error(err, errlen, "cannot set up certificate checks");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ssl_error(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	/* Old servers must still complete a handshake so that their TLS
	   1.0 and weak keys are reported, not hidden behind an error. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_security_level(ctx, 0);
	if (ca_file != NULL) {
		if (!SSL_CTX_load_verify_locations(ctx, ca_file, NULL)) {
			char what[1024];
			snprintf(what, sizeof(what),
			         "cannot load trusted certificates from "
			         "ca_file %s",
			         ca_file);
			ssl_error(err, errlen, what);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
		ssl_error(err, errlen,
		          "cannot load the system's trusted certificates");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_accept);
	SSL_CTX_set_verify_depth(ctx, 10);
	return ctx;
}

int
cert_prepare_ssl(SSL *ssl, const char *host)
{
	char name[256];
	size_t len;
	int ok;

	if (host == NULL || (len = strlen(host)) == 0 || len >= sizeof(name))
		return -1;
	/* SNI carries no trailing dot (RFC 6066), and the name check is
	   the same without it. */
	memcpy(name, host, len + 1);
	if (len > 1 && name[len - 1] == '.')
		name[len - 1] = '\0';
	ERR_clear_error();
	if (is_ip_literal(name)) {
		/* RFC 6066: no SNI for address literals. */
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = SSL_set_tlsext_host_name(ssl, name) &&
		     SSL_set1_host(ssl, name);
	}
	ERR_clear_error();
	return ok ? 0 : -1;
}
