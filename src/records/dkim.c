/*
 * dkim.c -- DKIM key records: the RFC 6376 3.2 tag-list, the key tags of
 * 3.6.1 (with k=ed25519 from RFC 8463), the public key read by OpenSSL,
 * the RFC 8301 strength rules, and the comparison with a key file.
 *
 * The record comes from DNS and the key file from an operator who may
 * have pasted the wrong thing: every byte is checked, errors quote what
 * they saw with control bytes written as \xNN, and OpenSSL's error queue
 * is left empty.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "records/dkim.h"

/* At most this many bytes of the input are quoted in a message. */
#define DKIM_QUOTE_MAX 40
#define QUOTE_BUF      (DKIM_QUOTE_MAX * 4 + 8)

/* One tag=value of the record, as offsets into it. */
struct tag {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
	size_t off; /* of the value in the record, for messages */
};

/* One item of a colon-separated value. */
struct item {
	const char *p;
	size_t n;
};

enum known_tag {
	TAG_V = 1 << 0,
	TAG_H = 1 << 1,
	TAG_K = 1 << 2,
	TAG_N = 1 << 3,
	TAG_P = 1 << 4,
	TAG_S = 1 << 5,
	TAG_T = 1 << 6,
	TAG_UNKNOWN = 0,
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * 'at most DKIM_QUOTE_MAX bytes of s' (then "..." if cut), printable
 * ASCII as it is and every other byte as \xNN, so that a message can
 * neither end a line nor carry a terminal escape.
 */
static const char *
quote(const char *s, size_t n, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, lim = n < DKIM_QUOTE_MAX ? n : DKIM_QUOTE_MAX;

	if (buflen < QUOTE_BUF)
		return "'?'";
	buf[o++] = '\'';
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 0xf];
	}
	buf[o++] = '\'';
	if (lim < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------ tag-list */

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* What folding whitespace is made of. */
static bool
is_fws_byte(char c)
{
	return is_wsp(c) || c == '\r' || c == '\n';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 6376 3.2 VALCHAR: printable ASCII but ';'. */
static bool
is_valchar(char c)
{
	return (c >= 0x21 && c <= 0x3a) || (c >= 0x3c && c <= 0x7e);
}

/* Bytes of folding whitespace (RFC 5322 FWS: [*WSP CRLF] 1*WSP) at i. */
static size_t
fws(const char *s, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && is_wsp(s[j]))
		j++;
	if (j + 2 < len && s[j] == '\r' && s[j + 1] == '\n' &&
	    is_wsp(s[j + 2])) {
		j += 2;
		while (j < len && is_wsp(s[j]))
			j++;
	}
	return j - i;
}

/* "at offset N, got 'X...'" or "at the end of the record". */
static const char *
where(const char *s, size_t len, size_t i, char *buf, size_t buflen)
{
	char q[QUOTE_BUF];

	if (i >= len)
		return "at the end of the record";
	snprintf(buf, buflen, "at offset %zu, got %s", i,
	         quote(s + i, len - i, q, sizeof(q)));
	return buf;
}

/*
 * The tag-spec at *i (not at folding whitespace): name, '=', value up to
 * the next ';' or the end, its folding whitespace trimmed. *i is left at
 * the ';' or the end.
 */
static int
next_tag(const char *s, size_t len, size_t *i, struct tag *t, char *err,
         size_t errlen)
{
	char w[QUOTE_BUF + 48];
	size_t j = *i;

	if (!is_alpha(s[j]))
		return fail(err, errlen, "expected a tag name %s",
		            where(s, len, j, w, sizeof(w)));
	t->name = s + j;
	while (j < len && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '_'))
		j++;
	t->nlen = (size_t)(s + j - t->name);
	if (t->nlen > DKIM_TAG_NAME_MAX)
		return fail(err, errlen,
		            "a tag name is longer than %d bytes "
		            "(DKIM_TAG_NAME_MAX) at offset %zu",
		            DKIM_TAG_NAME_MAX, *i);
	j += fws(s, len, j);
	if (j == len || s[j] != '=')
		return fail(err, errlen, "expected '=' after tag '%.*s' %s",
		            (int)t->nlen, t->name,
		            where(s, len, j, w, sizeof(w)));
	j++;
	j += fws(s, len, j);
	t->val = s + j;
	t->off = j;
	while (j < len && s[j] != ';') {
		size_t f;
		if (is_valchar(s[j]))
			j++;
		else if ((f = fws(s, len, j)) > 0)
			j += f;
		else
			return fail(err, errlen,
			            "byte \\x%02x in the value of tag '%.*s' "
			            "at offset %zu",
			            (unsigned char)s[j], (int)t->nlen, t->name,
			            j);
	}
	t->vlen = (size_t)(s + j - t->val);
	/* Only valid folding whitespace got this far. */
	while (t->vlen > 0 && is_fws_byte(t->val[t->vlen - 1]))
		t->vlen--;
	/* Copied from a zone file or a DNS panel's export, "\;" stays. */
	if (j < len && t->vlen > 0 && t->val[t->vlen - 1] == '\\')
		return fail(err, errlen,
		            "tag '%.*s' ends in a backslash before ';' at "
		            "offset %zu: a zone-file escape (\\;) published "
		            "as text",
		            (int)t->nlen, t->name, j);
	*i = j;
	return 0;
}

static bool
equals(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

/* RFC 6376 hyphenated-word: ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ] */
static bool
is_hyphenated_word(const char *p, size_t n)
{
	if (n == 0 || !is_alpha(p[0]) || p[n - 1] == '-')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '-')
			return false;
	return true;
}

/*
 * The colon-separated items of t's value (h=, s=, t=), folding whitespace
 * allowed around the colons. Each is a hyphenated-word, or "*" where
 * star is allowed (s=).
 */
static int
split_list(const struct tag *t, bool star, struct item *items, size_t *nitems,
           char *err, size_t errlen)
{
	char q[QUOTE_BUF];
	const char *v = t->val;
	size_t i = 0, n = 0;

	if (t->vlen == 0)
		return fail(err, errlen, "tag '%.*s' is empty", (int)t->nlen,
		            t->name);
	for (;;) {
		size_t start = i;
		while (i < t->vlen && v[i] != ':' && is_valchar(v[i]))
			i++;
		struct item it = {v + start, i - start};
		if (!is_hyphenated_word(it.p, it.n) &&
		    !(star && equals(it.p, it.n, "*")))
			return fail(
				err, errlen,
				"tag '%.*s' holds %s, not a name, "
				"at offset %zu",
				(int)t->nlen, t->name,
				quote(v + start, t->vlen - start, q, sizeof(q)),
				t->off + start);
		if (it.n > DKIM_TOKEN_MAX)
			return fail(err, errlen,
			            "an item of tag '%.*s' is longer than %d "
			            "bytes (DKIM_TOKEN_MAX)",
			            (int)t->nlen, t->name, DKIM_TOKEN_MAX);
		if (n == DKIM_LIST_MAX)
			return fail(err, errlen,
			            "tag '%.*s' lists more than %d items "
			            "(DKIM_LIST_MAX)",
			            (int)t->nlen, t->name, DKIM_LIST_MAX);
		items[n++] = it;
		i += fws(v, t->vlen, i);
		if (i == t->vlen)
			break;
		if (v[i] != ':')
			return fail(err, errlen,
			            "expected ':' between the items of tag "
			            "'%.*s' at offset %zu, got %s",
			            (int)t->nlen, t->name, t->off + i,
			            quote(v + i, t->vlen - i, q, sizeof(q)));
		i++;
		i += fws(v, t->vlen, i);
	}
	*nitems = n;
	return 0;
}

/* ------------------------------------------------------------- base64 */

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648 4) of p=, folding whitespace skipped: no other
 * character, '=' only at the end and only as much as the length needs,
 * and the bits the padding leaves over zero, so that one key has one
 * spelling.
 */
static int
b64_decode(const struct tag *t, unsigned char *out, size_t *outlen, char *err,
           size_t errlen)
{
	char q[QUOTE_BUF];
	uint32_t acc = 0;
	size_t nchar = 0, npad = 0, o = 0;

	for (size_t i = 0; i < t->vlen; i++) {
		char c = t->val[i];
		if (is_fws_byte(c))
			continue;
		if (nchar + npad == DKIM_P_MAX)
			return fail(err, errlen,
			            "p= is longer than %d base64 characters "
			            "(DKIM_P_MAX)",
			            DKIM_P_MAX);
		if (c == '=') {
			if (++npad > 2)
				return fail(err, errlen,
				            "p= has more than two '=' at "
				            "offset %zu",
				            t->off + i);
			continue;
		}
		int d = b64_value(c);
		if (d < 0)
			return fail(err, errlen,
			            "p= holds %s, not base64, at offset %zu",
			            quote(&t->val[i], 1, q, sizeof(q)),
			            t->off + i);
		if (npad > 0)
			return fail(err, errlen,
			            "p= goes on after its '=' padding at "
			            "offset %zu",
			            t->off + i);
		acc = (acc << 6) | (uint32_t)d;
		if (++nchar % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if ((nchar + npad) % 4 != 0)
		return fail(err, errlen,
		            "p= is %zu base64 characters, not a multiple of 4 "
		            "(its '=' padding is missing or cut)",
		            nchar + npad);
	/* With npad <= 2 and a multiple of 4, nchar % 4 is 0, 2 or 3. */
	if (nchar % 4 == 2) {
		if (acc & 0xf)
			return fail(err, errlen,
			            "p= ends in bits its padding discards");
		out[o++] = (unsigned char)(acc >> 4);
	} else if (nchar % 4 == 3) {
		if (acc & 0x3)
			return fail(err, errlen,
			            "p= ends in bits its padding discards");
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	*outlen = o;
	return 0;
}

/* ---------------------------------------------------------- key tags */

static enum known_tag
tag_id(const struct tag *t)
{
	static const struct {
		char name;
		enum known_tag id;
	} known[] = {
		{'v', TAG_V}, {'h', TAG_H}, {'k', TAG_K}, {'n', TAG_N},
		{'p', TAG_P}, {'s', TAG_S}, {'t', TAG_T},
	};

	if (t->nlen != 1)
		return TAG_UNKNOWN;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (t->name[0] == known[i].name)
			return known[i].id;
	return TAG_UNKNOWN;
}

static int
take_v(struct dkim_record *r, const struct tag *t, size_t ntags, char *err,
       size_t errlen)
{
	char q[QUOTE_BUF];

	if (ntags != 0)
		return fail(err, errlen,
		            "v= must be the first tag (RFC 6376 3.6.1)");
	if (!equals(t->val, t->vlen, "DKIM1"))
		return fail(err, errlen, "v= must be DKIM1, got %s",
		            quote(t->val, t->vlen, q, sizeof(q)));
	r->has_v = true;
	return 0;
}

static int
take_h(struct dkim_record *r, const struct tag *t, char *err, size_t errlen)
{
	struct item items[DKIM_LIST_MAX];
	bool sha1 = false, sha256 = false;

	if (split_list(t, false, items, &r->nhashes, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < r->nhashes; i++) {
		memcpy(r->hashes[i], items[i].p, items[i].n);
		r->hashes[i][items[i].n] = '\0';
		sha1 |= equals(items[i].p, items[i].n, "sha1");
		sha256 |= equals(items[i].p, items[i].n, "sha256");
	}
	r->sha1_only = sha1 && !sha256;
	r->no_hash = !sha1 && !sha256;
	return 0;
}

static int
take_k(struct dkim_record *r, const struct tag *t, char *err, size_t errlen)
{
	char q[QUOTE_BUF];

	if (equals(t->val, t->vlen, "rsa")) {
		r->key_type = DKIM_KEY_RSA;
		return 0;
	}
	if (equals(t->val, t->vlen, "ed25519")) {
		r->key_type = DKIM_KEY_ED25519;
		return 0;
	}
	bool other_case = (t->vlen == 3 && !strncasecmp(t->val, "rsa", 3)) ||
	                  (t->vlen == 7 && !strncasecmp(t->val, "ed25519", 7));
	return fail(err, errlen, "unknown key type k=%s (rsa or ed25519%s)",
	            quote(t->val, t->vlen, q, sizeof(q)),
	            other_case ? ", in lower case" : "");
}

static int
take_s(struct dkim_record *r, const struct tag *t, char *err, size_t errlen)
{
	struct item items[DKIM_LIST_MAX];
	size_t n;

	if (split_list(t, true, items, &n, err, errlen) == -1)
		return -1;
	r->not_email = true;
	for (size_t i = 0; i < n; i++)
		if (equals(items[i].p, items[i].n, "*") ||
		    equals(items[i].p, items[i].n, "email"))
			r->not_email = false;
	return 0;
}

static int
take_t(struct dkim_record *r, const struct tag *t, char *err, size_t errlen)
{
	struct item items[DKIM_LIST_MAX];
	size_t n;

	if (split_list(t, false, items, &n, err, errlen) == -1)
		return -1;
	/* Unknown flags MUST be ignored (RFC 6376 3.6.1). */
	for (size_t i = 0; i < n; i++) {
		r->testing |= equals(items[i].p, items[i].n, "y");
		r->strict |= equals(items[i].p, items[i].n, "s");
	}
	return 0;
}

static int
take_unknown(struct dkim_record *r, const struct tag *t, char *err,
             size_t errlen)
{
	for (size_t i = 0; i < r->nunknown; i++)
		if (equals(t->name, t->nlen, r->unknown[i]))
			return fail(err, errlen,
			            "tag '%.*s' appears twice (RFC 6376 3.2)",
			            (int)t->nlen, t->name);
	memcpy(r->unknown[r->nunknown], t->name, t->nlen);
	r->unknown[r->nunknown][t->nlen] = '\0';
	r->nunknown++;
	return 0;
}

static int
take_tag(struct dkim_record *r, const struct tag *t, size_t ntags,
         unsigned *seen, char *err, size_t errlen)
{
	enum known_tag id = tag_id(t);

	if (id == TAG_UNKNOWN)
		return take_unknown(r, t, err, errlen);
	if (*seen & id)
		return fail(err, errlen,
		            "tag '%c' appears twice (RFC 6376 3.2)",
		            t->name[0]);
	*seen |= id;
	switch (id) {
	case TAG_V:
		return take_v(r, t, ntags, err, errlen);
	case TAG_H:
		return take_h(r, t, err, errlen);
	case TAG_K:
		return take_k(r, t, err, errlen);
	case TAG_P:
		r->revoked = t->vlen == 0;
		return b64_decode(t, r->key, &r->keylen, err, errlen);
	case TAG_S:
		return take_s(r, t, err, errlen);
	case TAG_T:
		return take_t(r, t, err, errlen);
	default: /* n= is notes for people */
		return 0;
	}
}

int
dkim_record_parse(const char *txt, size_t len, struct dkim_record *r, char *err,
                  size_t errlen)
{
	size_t i = 0, ntags = 0;
	unsigned seen = 0;

	memset(r, 0, sizeof(*r));
	r->key_type = DKIM_KEY_RSA;
	if (len > DKIM_RECORD_MAX)
		return fail(err, errlen,
		            "the record is %zu bytes, more than %d "
		            "(DKIM_RECORD_MAX)",
		            len, DKIM_RECORD_MAX);
	for (;;) {
		struct tag t;
		i += fws(txt, len, i);
		/* The tag-list may end in ';'. */
		if (i == len && ntags > 0)
			break;
		if (i == len)
			return fail(err, errlen, "the record is empty");
		if (ntags == DKIM_MAX_TAGS)
			return fail(err, errlen,
			            "the record has more than %d tags "
			            "(DKIM_MAX_TAGS)",
			            DKIM_MAX_TAGS);
		if (next_tag(txt, len, &i, &t, err, errlen) == -1 ||
		    take_tag(r, &t, ntags, &seen, err, errlen) == -1)
			return -1;
		ntags++;
		if (i == len)
			break;
		i++;
	}
	if (!(seen & TAG_P))
		return fail(err, errlen,
		            "the record has no p= tag (RFC 6376 3.6.1: "
		            "required)");
	return 0;
}

/* ---------------------------------------------------------- the key */

/* "an RSA", "a DSA": the key's type with its article, for messages. */
static const char *
pkey_name(const EVP_PKEY *pk)
{
	static const char *const names[][2] = {
		{"RSA", "an RSA"},
		{"RSA-PSS", "an RSA-PSS"},
		{"ED25519", "an Ed25519"},
		{"ED448", "an Ed448"},
		{"EC", "an EC"},
		{"DSA", "a DSA"},
		{"X25519", "an X25519"},
		{"X448", "an X448"},
		{"DH", "a DH"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (EVP_PKEY_is_a(pk, names[i][0]))
			return names[i][1];
	return "an unknown type of";
}

/* d2i_PUBKEY over all n bytes, or NULL. */
static EVP_PKEY *
spki_decode(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;

	ERR_clear_error();
	pk = d2i_PUBKEY(NULL, &p, (long)n);
	if (pk != NULL && p != der + n) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	ERR_clear_error();
	return pk;
}

static int
rsa_pkey(const struct dkim_record *r, EVP_PKEY **out, bool *bare, char *err,
         size_t errlen)
{
	EVP_PKEY *pk = spki_decode(r->key, r->keylen);

	if (pk != NULL && !EVP_PKEY_is_a(pk, "RSA")) {
		const char *what = pkey_name(pk);
		EVP_PKEY_free(pk);
		return fail(err, errlen, "k=rsa, but p= holds %s key", what);
	}
	if (pk == NULL) {
		const unsigned char *p = r->key;
		ERR_clear_error();
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)r->keylen);
		if (pk != NULL && p != r->key + r->keylen) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		ERR_clear_error();
		*bare = pk != NULL;
	}
	if (pk == NULL && r->keylen == DKIM_ED25519_LEN)
		return fail(err, errlen,
		            "p= is %d bytes, an Ed25519 key, but the record "
		            "has no k=ed25519 (rsa is the default)",
		            DKIM_ED25519_LEN);
	if (pk == NULL)
		return fail(err, errlen,
		            "p= (%zu bytes) is not an RSA public key: neither "
		            "a SubjectPublicKeyInfo nor an RSAPublicKey",
		            r->keylen);
	*out = pk;
	return 0;
}

static int
ed25519_pkey(const struct dkim_record *r, EVP_PKEY **out, char *err,
             size_t errlen)
{
	EVP_PKEY *pk = NULL;

	if (r->keylen != DKIM_ED25519_LEN) {
		pk = spki_decode(r->key, r->keylen);
		const char *what = pk != NULL ? pkey_name(pk) : NULL;
		EVP_PKEY_free(pk);
		if (what != NULL && strcmp(what, "an Ed25519") == 0)
			return fail(err, errlen,
			            "p= is an Ed25519 SubjectPublicKeyInfo; "
			            "RFC 8463 4.2 wants the bare %d-byte key",
			            DKIM_ED25519_LEN);
		if (what != NULL)
			return fail(err, errlen,
			            "k=ed25519, but p= holds %s key", what);
		return fail(err, errlen,
		            "k=ed25519 needs a %d-byte key, p= has %zu bytes",
		            DKIM_ED25519_LEN, r->keylen);
	}
	ERR_clear_error();
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, r->key,
	                                 r->keylen);
	ERR_clear_error();
	if (pk == NULL)
		return fail(err, errlen,
		            "the Ed25519 key is refused by OpenSSL");
	*out = pk;
	return 0;
}

/* The record's key as OpenSSL reads it; caller frees. */
static int
record_pkey(const struct dkim_record *r, EVP_PKEY **out, bool *bare, char *err,
            size_t errlen)
{
	*bare = false;
	if (r->revoked)
		return fail(err, errlen, "the key is revoked (p= is empty)");
	if (r->key_type == DKIM_KEY_RSA)
		return rsa_pkey(r, out, bare, err, errlen);
	return ed25519_pkey(r, out, err, errlen);
}

int
dkim_key_judge(const struct dkim_record *r, struct dkim_key *k, char *err,
               size_t errlen)
{
	EVP_PKEY *pk = NULL;

	memset(k, 0, sizeof(*k));
	k->type = r->key_type;
	if (r->revoked) {
		k->revoked = true;
		return 0;
	}
	if (record_pkey(r, &pk, &k->bare_rsa, err, errlen) == -1)
		return -1;
	k->bits = EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return 0;
}

/* ------------------------------------------------------------ verdict */

static void
add_issue(struct dkim_verdict *v, enum dkim_issue_code code,
          enum mr_status severity)
{
	size_t i = v->nissues++;

	/* Worst first; equal ones keep the order they were found in. */
	while (i > 0 && v->issues[i - 1].severity < severity) {
		v->issues[i] = v->issues[i - 1];
		i--;
	}
	v->issues[i] = (struct dkim_issue){code, severity};
	v->status = mr_status_worst(v->status, severity);
}

void
dkim_verdict(const struct dkim_record *r, const struct dkim_key *k,
             struct dkim_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->status = MR_PASS;
	if (k->type == DKIM_KEY_RSA && !k->revoked) {
		if (k->bits < DKIM_RSA_MIN_BITS)
			add_issue(v, DKIM_ISSUE_RSA_TOO_SHORT, MR_FAIL);
		else if (k->bits < DKIM_RSA_GOOD_BITS)
			add_issue(v, DKIM_ISSUE_RSA_SHORT, MR_WARN);
	}
	if (r->no_hash)
		add_issue(v, DKIM_ISSUE_NO_HASH, MR_FAIL);
	if (r->not_email)
		add_issue(v, DKIM_ISSUE_NOT_EMAIL, MR_FAIL);
	if (r->sha1_only)
		add_issue(v, DKIM_ISSUE_SHA1_ONLY, MR_WARN);
	if (r->testing)
		add_issue(v, DKIM_ISSUE_TESTING, MR_WARN);
	/* How a selector is retired (RFC 6376 3.6.1): whether this one
	   should still sign is the probe's to say. */
	if (k->revoked)
		add_issue(v, DKIM_ISSUE_REVOKED, MR_PASS);
	if (k->bare_rsa)
		add_issue(v, DKIM_ISSUE_BARE_RSA, MR_PASS);
}

const char *
dkim_issue_name(enum dkim_issue_code c)
{
	static const char *const names[DKIM_ISSUE_COUNT] = {
		[DKIM_ISSUE_RSA_TOO_SHORT] = "RSA_TOO_SHORT",
		[DKIM_ISSUE_RSA_SHORT] = "RSA_SHORT",
		[DKIM_ISSUE_TESTING] = "TESTING",
		[DKIM_ISSUE_SHA1_ONLY] = "SHA1_ONLY",
		[DKIM_ISSUE_NO_HASH] = "NO_HASH",
		[DKIM_ISSUE_NOT_EMAIL] = "NOT_EMAIL",
		[DKIM_ISSUE_REVOKED] = "REVOKED",
		[DKIM_ISSUE_BARE_RSA] = "BARE_RSA",
	};

	return (unsigned)c < DKIM_ISSUE_COUNT ? names[c] : "UNKNOWN";
}

const char *
dkim_key_type_name(enum dkim_key_type t)
{
	return t == DKIM_KEY_ED25519 ? "ed25519" : "rsa";
}

/* ------------------------------------------------------- key files */

static bool
is_label(const char *name, const char *label)
{
	return strcmp(name, label) == 0;
}

/*
 * The key of one PEM block: 1 and *out, 0 when the block holds no key (a
 * certificate, parameters), -1 when it holds one we cannot or will not
 * read. Nothing here can decrypt, so nothing can ask for a password: an
 * encrypted key is recognised by its label or header and refused.
 */
static int
pem_block_key(const char *name, const char *header, const unsigned char *der,
              long n, EVP_PKEY **out, char *err, size_t errlen)
{
	const unsigned char *p = der;
	bool private = strstr(name, "PRIVATE KEY") != NULL;
	EVP_PKEY *pk = NULL;

	if (strstr(name, "ENCRYPTED") != NULL || strstr(header, "ENCRYPTED"))
		return fail(err, errlen,
		            "the key file is encrypted, and mailready never "
		            "asks for a password: give it the public key "
		            "(openssl pkey -pubout)");
	ERR_clear_error();
	if (private)
		pk = d2i_AutoPrivateKey(NULL, &p, n);
	else if (is_label(name, "PUBLIC KEY"))
		pk = d2i_PUBKEY(NULL, &p, n);
	else if (is_label(name, "RSA PUBLIC KEY"))
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n);
	else
		return 0;
	ERR_clear_error();
	if (pk == NULL)
		return fail(err, errlen,
		            "the key file's %s block is not a key OpenSSL "
		            "can read",
		            private ? "PRIVATE KEY" : "PUBLIC KEY");
	*out = pk;
	return 1;
}

/* The first key of a PEM text; caller frees. */
static int
pem_first_key(const char *pem, size_t len, EVP_PKEY **out, char *err,
              size_t errlen)
{
	BIO *bio;
	int rc = 0, nblocks = 0;

	if (len > DKIM_PEM_MAX)
		return fail(err, errlen,
		            "the key file is %zu bytes, more than %d "
		            "(DKIM_PEM_MAX)",
		            len, DKIM_PEM_MAX);
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return fail(err, errlen, "out of memory");
	while (rc == 0 && nblocks < DKIM_PEM_MAX_BLOCKS) {
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long n = 0;
		if (PEM_read_bio(bio, &name, &header, &der, &n) != 1)
			break;
		nblocks++;
		rc = pem_block_key(name, header, der, n, out, err, errlen);
		OPENSSL_free(name);
		OPENSSL_free(header);
		/* It may be the signing key. */
		OPENSSL_clear_free(der, (size_t)n);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (rc == 0 && nblocks == DKIM_PEM_MAX_BLOCKS)
		return fail(err, errlen,
		            "no key in the first %d PEM blocks of the key "
		            "file (DKIM_PEM_MAX_BLOCKS)",
		            DKIM_PEM_MAX_BLOCKS);
	if (rc == 0)
		return fail(err, errlen,
		            nblocks > 0 ? "the key file holds no key, only "
		                          "other PEM blocks"
		                        : "the key file holds no PEM block");
	return rc == 1 ? 0 : -1;
}

int
dkim_key_compare_pem(const struct dkim_record *r, const char *pem, size_t len,
                     char *err, size_t errlen)
{
	EVP_PKEY *rk = NULL, *fk = NULL;
	bool bare;
	int eq;

	if (record_pkey(r, &rk, &bare, err, errlen) == -1)
		return -1;
	if (pem_first_key(pem, len, &fk, err, errlen) == -1) {
		EVP_PKEY_free(rk);
		return -1;
	}
	ERR_clear_error();
	eq = EVP_PKEY_eq(rk, fk);
	ERR_clear_error();
	if (eq == 1)
		snprintf(err, errlen, "the same key");
	else if (strcmp(pkey_name(fk), pkey_name(rk)) != 0)
		snprintf(err, errlen,
		         "the key file holds %s key, the "
		         "record %s key",
		         pkey_name(fk), pkey_name(rk));
	else
		snprintf(err, errlen,
		         "the key file holds another key "
		         "(%d bits)",
		         EVP_PKEY_get_bits(fk));
	EVP_PKEY_free(rk);
	EVP_PKEY_free(fk);
	return eq == 1;
}
