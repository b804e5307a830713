/*
 * spf.h -- SPF records (RFC 7208): picking the record among a name's TXT
 * strings, parsing it by the ABNF of section 12, checking and expanding
 * macros (section 7).
 *
 * Pure functions: nothing here queries DNS or reads a clock. The dns.spf
 * probe fetches the TXT records, and resolves include, redirect, a, mx,
 * ptr and exists itself with what spf_parse() and spf_expand() give it.
 */
#ifndef MAILREADY_RECORDS_SPF_H
#define MAILREADY_RECORDS_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailready/netaddr.h"

/*
 * Bounds. A record past one of them is a parse error naming it: real
 * records are far smaller (3.4 asks for 450 bytes), and a policy that
 * needs more would fail evaluation on the lookup limit anyway.
 */
#define SPF_MAX_RECORD      4096 /* bytes of one record, TXT strings joined */
#define SPF_MAX_DIRECTIVES  64   /* mechanisms in one record */
#define SPF_MAX_MODIFIERS   16   /* unknown modifiers in one record */
#define SPF_MAX_DOMAIN_SPEC 253  /* bytes of one domain-spec as written */
#define SPF_MAX_NAME        253  /* an expanded name, after 7.3 truncation */
#define SPF_MAX_EXPLAIN     1024 /* an expanded explanation */

/* The evaluation limits of 4.6.4, for the evaluator and for reviewers. */
#define SPF_MAX_LOOKUPS      10
#define SPF_MAX_VOID_LOOKUPS 2

/* What the parser and the expander return: SPF_OK or the kind of error. */
enum spf_error {
	SPF_OK = 0,
	SPF_E_VERSION,   /* not "v=spf1" followed by SP or the end */
	SPF_E_SYNTAX,    /* a term that is not a mechanism or modifier */
	SPF_E_DOMAIN,    /* a domain-spec or macro-string that breaks 7.1 */
	SPF_E_NETWORK,   /* an ip4/ip6 network or a CIDR length */
	SPF_E_DUPLICATE, /* redirect= or exp= given twice (6) */
	SPF_E_BOUND,     /* one of the SPF_MAX_* bounds above */
	SPF_E_EXPAND,    /* expansion: a macro needs what the context lacks */
};

enum spf_qualifier {
	SPF_Q_PASS = '+',
	SPF_Q_FAIL = '-',
	SPF_Q_SOFTFAIL = '~',
	SPF_Q_NEUTRAL = '?',
};

enum spf_mech {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
};

struct spf_directive {
	enum spf_qualifier qual; /* '+' when none was written */
	enum spf_mech mech;
	unsigned term;      /* 1-based position among the record's terms */
	const char *domain; /* domain-spec as written, macros unexpanded;
	                       NULL when none (a, mx, ptr: the current domain) */
	unsigned cidr4;     /* a, mx: dual-cidr-length, 32 by default */
	unsigned cidr6;     /* a, mx: 128 by default */
	struct mr_cidr net; /* ip4, ip6: host bits cleared */
	bool host_bits;     /* ip4, ip6: the address had bits past the prefix
	                       (legal; the evaluator masks them, 5.6) */
	bool unreachable;   /* after an "all": never evaluated */
};

struct spf_modifier {
	const char *name;  /* as written */
	const char *value; /* macro-string as written, maybe "" */
	unsigned term;
};

struct spf_record {
	char *text; /* owned copy of the record; the strings below point in */

	struct spf_directive dir[SPF_MAX_DIRECTIVES];
	size_t ndir;
	const char *redirect; /* redirect= domain-spec, or NULL */
	unsigned redirect_term;
	const char *exp; /* exp= domain-spec, or NULL */
	unsigned exp_term;
	struct spf_modifier unknown[SPF_MAX_MODIFIERS]; /* ignored (6) */
	size_t nunknown;
	unsigned nterms;

	/*
	 * The DNS-querying terms of 4.6.4 as written (include, a, mx, ptr,
	 * exists, redirect), and those evaluation can reach: not past the
	 * first "all", and redirect only when there is no "all" (6.1).
	 */
	unsigned lookups;
	unsigned lookups_reached;

	int all;               /* index in dir of the first "all", or -1 */
	unsigned nunreachable; /* directives after it */
	bool redirect_ignored; /* redirect= with an "all" present (6.1) */
	bool pass_all;         /* the first "all" is +all: anyone may send */
	bool neutral_all;      /* the first "all" is ?all: says nothing */
	unsigned nptr;         /* ptr mechanisms: discouraged (5.5) */
	/*
	 * The widest networks a reachable pass directive allows: the
	 * shortest prefix of +ip4/+ip6, and of +a/+mx (their CIDR length
	 * widens each address they resolve to); -1 when there is none.
	 * ip4:0.0.0.0/0 is +all under another name.
	 */
	int pass_prefix4;
	int pass_prefix6;
	/* Some domain-spec has a macro: evaluation needs the sender, HELO
	   or client address. */
	bool macros;
};

/**
 * Whether a TXT string (one RR's character-strings joined) is an SPF
 * record: "v=spf1", any case, then SP or the end (4.5).
 */
bool spf_is_record(const char *txt, size_t len);

enum spf_pick {
	SPF_PICK_NONE,   /* no SPF record: result none (4.5) */
	SPF_PICK_ONE,    /* exactly one, at *which */
	SPF_PICK_SEVERAL /* more than one: permerror (4.5); *which is the first */
};

/**
 * Choose the SPF record among the n TXT strings txt[i] of len[i] bytes.
 * @param which set to the index of the record (or of the first of them)
 * @param count set to how many SPF records there are; may be NULL
 */
enum spf_pick spf_pick(const char *const txt[], const size_t len[], size_t n,
                       size_t *which, size_t *count);

/**
 * Parse one SPF record of len bytes (a NUL inside is a syntax error) by
 * the ABNF of RFC 7208 section 12; terms are separated by SP only.
 * @param rec filled on success; release with spf_record_free(). On error
 *        it holds nothing to free.
 * @param err on error, a message naming the term and its position:
 *        "term 3 'ip4:10.0.0.1/40': prefix 40 is over 32"; bytes that are
 *        not printable ASCII are quoted as \xNN.
 * @return SPF_OK, or the kind of error
 */
enum spf_error spf_parse(const char *s, size_t len, struct spf_record *rec,
                         char *err, size_t errlen);

/** Free what spf_parse() allocated; rec may be zeroed or freed already. */
void spf_record_free(struct spf_record *rec);

/** "all", "include", ... */
const char *spf_mech_name(enum spf_mech m);

/* Where a macro-string stands: the letters and forms allowed differ. */
enum spf_where {
	SPF_IN_DOMAIN,  /* a domain-spec of a mechanism or redirect= */
	SPF_IN_EXP,     /* the exp= domain-spec: c, r and t allowed too */
	SPF_IN_EXPLAIN, /* the explanation TXT (explain-string): SP allowed,
	                   no domain-end, c, r and t allowed */
	SPF_IN_UNKNOWN, /* an unknown modifier's value: any letter, no
	                   domain-end, may be empty */
};

/**
 * Check the syntax of a macro-string of len bytes (7.1): macro-expand
 * forms, letters allowed at where, transformers, delimiters, and for
 * SPF_IN_DOMAIN / SPF_IN_EXP the domain-end rule on the text as written.
 * @return SPF_OK, or SPF_E_DOMAIN / SPF_E_BOUND with a message in err
 */
enum spf_error spf_macro_check(const char *s, size_t len, enum spf_where where,
                               char *err, size_t errlen);

/*
 * What macros expand to (7.2). Strings are NUL-terminated. A macro whose
 * value is NULL (or, for i, c and v, an ip of family 0) is SPF_E_EXPAND:
 * the probe can say which input the policy needs.
 */
struct spf_context {
	const char *local; /* sender's local-part; "" or NULL: "postmaster"
	                        (4.3) */
	const char *sender_domain; /* sender's domain (o, s) */
	const char *domain;        /* the current domain (d) */
	const char *helo;          /* HELO/EHLO name (h) */
	struct mr_addr ip;         /* the client address (i, c, v) */
	const char *ptr;      /* p: a validated name of ip, NULL: "unknown" */
	const char *receiver; /* r: this host's name, NULL: "unknown" */
	int64_t now;          /* t: seconds since the epoch */
};

/**
 * Expand the macro-string s (as written in the record; already checked
 * or not) in ctx. For SPF_IN_DOMAIN and SPF_IN_EXP the result is a name:
 * past SPF_MAX_NAME bytes its left labels are dropped (7.3).
 * @param out at least SPF_MAX_NAME + 1 bytes for a name,
 *        SPF_MAX_EXPLAIN + 1 for an explanation
 * @return SPF_OK, or the kind of error with a message in err
 */
enum spf_error spf_expand(const char *s, const struct spf_context *ctx,
                          enum spf_where where, char *out, size_t outlen,
                          char *err, size_t errlen);

#endif
