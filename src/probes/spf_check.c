/*
 * spf_check.c -- check_host() (RFC 7208 4.6) as a state machine: one frame
 * per record being evaluated (include pushes one, redirect replaces it),
 * one mechanism at a time, each waiting for its DNS answers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/spf_check.h"
#include "records/spf.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Nested include frames: every one costs a lookup, so 10 is the most
   check_host can reach before the lookup limit ends it. */
#define MAX_FRAMES    (SPF_MAX_LOOKUPS + 1)
#define MAX_MX_NAMES  10 /* 4.6.4: more is a permerror */
#define MAX_PTR_NAMES 10 /* 4.6.4: the others are ignored */

struct frame {
	char *domain; /* the current domain (d) of this record */
	struct spf_record rec;
	bool parsed;
	size_t next; /* the next directive to evaluate */
};

struct spf_check;

/* One question in flight, for a mechanism that may ask several. */
struct ask {
	struct spf_check *c;
	struct dns_req *req;
	char *name; /* ptr: the name whose addresses are asked */
};

struct spf_check {
	struct dns *dns;
	enum dns_view view;
	struct spf_context ctx;
	char *sender_domain;
	char *helo;
	struct frame fr[MAX_FRAMES];
	int depth; /* frames in use; fr[depth - 1] is evaluated */
	const struct spf_directive *cur; /* the mechanism waiting for DNS */
	struct ask asks[MAX_MX_NAMES];
	int pending;
	bool matched;
	bool transport; /* an address lookup of mx or ptr failed */
	char expanded[SPF_MAX_NAME + 1];
	unsigned lookups, voids;
	struct strbuf path;
	struct strbuf why;
	enum spf_result result;
	bool ending; /* finish() was called: answers still coming are moot */
	struct event *finish_ev;
	spf_check_cb *cb;
	spf_wait_cb *wait;
	void *arg;
};

static void step(struct spf_check *c);
static void frame_done(struct spf_check *c, enum spf_result r);

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = {
		"none",     "neutral",   "pass",      "fail",
		"softfail", "temperror", "permerror",
	};
	return names[r];
}

/* "-all", "include:_spf.example.com", "ip4:203.0.113.0/24" */
static void
term_text(struct strbuf *b, const struct spf_directive *d)
{
	char as[MR_ADDR_STRLEN];

	if (d->qual != SPF_Q_PASS)
		strbuf_addc(b, (char)d->qual);
	strbuf_add(b, spf_mech_name(d->mech));
	if (d->mech == SPF_IP4 || d->mech == SPF_IP6) {
		strbuf_addf(b, ":%s/%u", mr_addr_str(&d->net.addr, as),
		            d->net.prefix);
		return;
	}
	if (d->domain != NULL)
		strbuf_addf(b, ":%s", d->domain);
	if ((d->mech == SPF_A || d->mech == SPF_MX) && d->cidr4 != 32)
		strbuf_addf(b, "/%u", d->cidr4);
	if ((d->mech == SPF_A || d->mech == SPF_MX) && d->cidr6 != 128)
		strbuf_addf(b, "//%u", d->cidr6);
}

static struct frame *
top(struct spf_check *c)
{
	return &c->fr[c->depth - 1];
}

static void
on_finish(evutil_socket_t fd, short what, void *arg)
{
	struct spf_check *c = arg;
	struct spf_outcome o = {
		.result = c->result,
		.why = strbuf_str(&c->why),
		.path = strbuf_str(&c->path),
		.lookups = c->lookups,
		.voids = c->voids,
	};

	(void)fd;
	(void)what;
	spf_check_cb *cb = c->cb;
	void *arg2 = c->arg;
	c->cb = NULL;
	cb(arg2, &o);
	spf_check_cancel(c);
}

/* The whole evaluation ends with r: from the loop, never from a start. */
static void
finish(struct spf_check *c, enum spf_result r)
{
	c->result = r;
	c->cur = NULL;
	c->ending = true;
	event_active(c->finish_ev, EV_TIMEOUT, 0);
}

static void finish_why(struct spf_check *c, enum spf_result r, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

static void
finish_why(struct spf_check *c, enum spf_result r, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&c->why);
	va_start(ap, fmt);
	strbuf_vaddf(&c->why, fmt, ap);
	va_end(ap);
	finish(c, r);
}

/* "term 3 'include:x.test' of example.com" */
static void
describe_term(struct strbuf *b, const struct spf_check *c,
              const struct spf_directive *d)
{
	strbuf_addf(b, "term %u '", d->term);
	term_text(b, d);
	strbuf_addf(b, "' of %s", c->fr[c->depth - 1].domain);
}

static void
wait_for(struct spf_check *c, const char *type, const char *name)
{
	char what[SPF_MAX_NAME + 32];

	if (c->wait == NULL)
		return;
	snprintf(what, sizeof(what), "%s of %s", type, name);
	c->wait(c->arg, what);
}

/* A DNS-querying term: the eleventh ends the evaluation (4.6.4). */
static bool
count_lookup(struct spf_check *c, const struct spf_directive *d)
{
	if (++c->lookups <= SPF_MAX_LOOKUPS)
		return true;
	strbuf_reset(&c->why);
	strbuf_addf(&c->why,
	            "more than %d DNS-querying terms (RFC 7208 4.6.4), at ",
	            SPF_MAX_LOOKUPS);
	if (d != NULL)
		describe_term(&c->why, c, d);
	else
		strbuf_addf(&c->why, "redirect=%s of %s", top(c)->rec.redirect,
		            top(c)->domain);
	c->lookups = SPF_MAX_LOOKUPS + 1;
	finish(c, SPF_RES_PERMERROR);
	return false;
}

/* A lookup that found nothing: the third ends the evaluation. */
static bool
count_void(struct spf_check *c)
{
	if (++c->voids <= SPF_MAX_VOID_LOOKUPS)
		return true;
	strbuf_reset(&c->why);
	strbuf_addf(&c->why,
	            "more than %d lookups found nothing (void lookups, RFC "
	            "7208 4.6.4), the last at ",
	            SPF_MAX_VOID_LOOKUPS);
	describe_term(&c->why, c, c->cur);
	finish(c, SPF_RES_PERMERROR);
	return false;
}

/* The domain-spec of d (or the current domain) expanded into c->expanded. */
static bool
expand(struct spf_check *c, const struct spf_directive *d, const char *spec)
{
	char err[256];

	c->ctx.domain = top(c)->domain;
	if (spec == NULL) {
		snprintf(c->expanded, sizeof(c->expanded), "%s",
		         top(c)->domain);
		return true;
	}
	if (spf_expand(spec, &c->ctx, SPF_IN_DOMAIN, c->expanded,
	               sizeof(c->expanded), err, sizeof(err)) == SPF_OK)
		return true;
	strbuf_reset(&c->why);
	if (d != NULL)
		describe_term(&c->why, c, d);
	else
		strbuf_addf(&c->why, "redirect=%s of %s", spec, top(c)->domain);
	strbuf_addf(&c->why, ": %s", err);
	finish(c, SPF_RES_PERMERROR);
	return false;
}

static enum spf_result
result_of(enum spf_qualifier q)
{
	switch (q) {
	case SPF_Q_FAIL:
		return SPF_RES_FAIL;
	case SPF_Q_SOFTFAIL:
		return SPF_RES_SOFTFAIL;
	case SPF_Q_NEUTRAL:
		return SPF_RES_NEUTRAL;
	default:
		return SPF_RES_PASS;
	}
}

static void
match(struct spf_check *c, const struct spf_directive *d)
{
	strbuf_reset(&c->why);
	describe_term(&c->why, c, d);
	c->cur = NULL;
	frame_done(c, result_of(d->qual));
}

static bool
in_cidr(const struct spf_check *c, const struct mr_addr *a, unsigned p4,
        unsigned p6)
{
	struct mr_cidr net = {*a, a->family == AF_INET ? p4 : p6};

	return a->family == c->ctx.ip.family &&
	       mr_cidr_contains(&net, &c->ctx.ip);
}

/* ------------------------------------------------------------------ */
/* Records */

enum spf_pick
spf_pick_reply(const struct dns_reply *r, char **text, size_t *len,
               size_t *count, size_t *ntxt)
{
	size_t n = 0, which = 0;
	struct dns_txt *t = dns_reply_txts(r, &n);
	const char **txt = xcalloc(n ? n : 1, sizeof(*txt));
	size_t *lens = xcalloc(n ? n : 1, sizeof(*lens));

	for (size_t i = 0; i < n; i++) {
		txt[i] = t[i].text;
		lens[i] = t[i].len;
	}
	enum spf_pick pick = spf_pick(txt, lens, n, &which, count);
	*text = NULL;
	*len = 0;
	if (pick == SPF_PICK_ONE) {
		*text = xmalloc(t[which].len + 1);
		memcpy(*text, t[which].text, t[which].len + 1);
		*len = t[which].len;
	}
	*ntxt = n;
	free(txt);
	free(lens);
	dns_txts_free(t, n);
	return pick;
}

static void
on_txt(void *arg, const struct dns_reply *r)
{
	struct ask *a = arg;
	struct spf_check *c = a->c;
	struct frame *f = top(c);
	char err[512];

	a->req = NULL;
	c->pending = 0;
	if (c->ending)
		return;
	if (dns_status_is_transport(r->status)) {
		char *why = dns_reply_describe(r);
		finish_why(c, SPF_RES_TEMPERROR, "TXT of %s: %s", f->domain,
		           why);
		free(why);
		return;
	}
	size_t count = 0, ntxt = 0, len = 0;
	char *text;
	enum spf_pick pick = spf_pick_reply(r, &text, &len, &count, &ntxt);
	enum spf_error pe = SPF_OK;
	if (pick == SPF_PICK_ONE) {
		pe = spf_parse(text, len, &f->rec, err, sizeof(err));
		f->parsed = pe == SPF_OK;
	}
	free(text);
	if (pick == SPF_PICK_NONE) {
		/* The top domain: "none"; an include or redirect target
		   without a policy breaks the policy (5.2, 6.1). */
		finish_why(c, c->depth == 1 ? SPF_RES_NONE : SPF_RES_PERMERROR,
		           "%s has no SPF record", f->domain);
		return;
	}
	if (pick == SPF_PICK_SEVERAL) {
		finish_why(c, SPF_RES_PERMERROR,
		           "%s has %zu SPF records (RFC 7208 4.5: exactly one)",
		           f->domain, count);
		return;
	}
	if (pe != SPF_OK) {
		finish_why(c, SPF_RES_PERMERROR, "the SPF record of %s: %s",
		           f->domain, err);
		return;
	}
	step(c);
}

/* Evaluate the record of name in a new frame, or in this one (redirect). */
static void
enter(struct spf_check *c, const char *name, bool replace)
{
	struct frame *f;

	if (replace) {
		f = top(c);
		spf_record_free(&f->rec);
		free(f->domain);
		memset(f, 0, sizeof(*f));
	} else
		f = &c->fr[c->depth++];
	f->domain = xstrdup(name);
	if (c->depth > 1 || replace)
		strbuf_addf(&c->path, " > %s%s", replace ? "redirect=" : "",
		            name);
	wait_for(c, "TXT", name);
	c->asks[0].c = c;
	c->pending = 1;
	c->asks[0].req = dns_lookup(c->dns, c->view, name, LDNS_RR_TYPE_TXT,
	                            on_txt, &c->asks[0]);
}

/* ------------------------------------------------------------------ */
/* Mechanisms */

static void
mechanism_done(struct spf_check *c)
{
	const struct spf_directive *d = c->cur;

	if (c->matched) {
		match(c, d);
		return;
	}
	if (c->transport && d->mech == SPF_MX) {
		strbuf_reset(&c->why);
		describe_term(&c->why, c, d);
		strbuf_add(&c->why, ": an address lookup of its MX targets "
		                    "failed");
		finish(c, SPF_RES_TEMPERROR);
		return;
	}
	c->cur = NULL;
	step(c);
}

/* A, AAAA of a (mx or a), or exists */
static void
on_addrs(void *arg, const struct dns_reply *r)
{
	struct ask *a = arg;
	struct spf_check *c = a->c;
	const struct spf_directive *d = c->cur;

	a->req = NULL;
	c->pending--;
	if (c->ending)
		return;
	if (dns_status_is_transport(r->status)) {
		if (d->mech == SPF_MX || d->mech == SPF_PTR) {
			c->transport = d->mech == SPF_MX;
		} else {
			char *why = dns_reply_describe(r);
			strbuf_reset(&c->why);
			describe_term(&c->why, c, d);
			strbuf_addf(&c->why, ": %s", why);
			free(why);
			finish(c, SPF_RES_TEMPERROR);
			return;
		}
	}
	size_t n = 0;
	struct mr_addr *v = dns_reply_addrs(r, &n);
	if (n == 0 && (d->mech == SPF_A || d->mech == SPF_EXISTS) &&
	    !count_void(c)) {
		free(v);
		return;
	}
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++) {
		if (d->mech == SPF_EXISTS)
			hit = true;
		else if (d->mech == SPF_PTR)
			hit = mr_addr_equal(&v[i], &c->ctx.ip);
		else
			hit = in_cidr(c, &v[i], d->cidr4, d->cidr6);
	}
	if (hit && d->mech == SPF_PTR) {
		/* A validated name (5.5): does it end in the target? */
		size_t ln = strlen(a->name), lt = strlen(c->expanded);
		hit = strcasecmp(a->name, c->expanded) == 0 ||
		      (ln > lt && a->name[ln - lt - 1] == '.' &&
		       strcasecmp(a->name + ln - lt, c->expanded) == 0);
	}
	if (hit)
		c->matched = true;
	free(v);
	free(a->name);
	a->name = NULL;
	if (c->pending == 0)
		mechanism_done(c);
}

static ldns_rr_type
addr_type(const struct spf_check *c)
{
	return c->ctx.ip.family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
}

/* Ask the addresses of names (mx targets or ptr names), at once. */
static void
ask_addrs(struct spf_check *c, char **names, size_t n)
{
	c->pending = (int)n;
	for (size_t i = 0; i < n; i++) {
		struct ask *a = &c->asks[i];
		a->c = c;
		a->name = names[i];
		wait_for(c, c->ctx.ip.family == AF_INET ? "A" : "AAAA",
		         names[i]);
		a->req = dns_lookup(c->dns, c->view, names[i], addr_type(c),
		                    on_addrs, a);
	}
	if (n == 0)
		mechanism_done(c);
}

static void
on_names(void *arg, const struct dns_reply *r)
{
	struct ask *a = arg;
	struct spf_check *c = a->c;
	const struct spf_directive *d = c->cur;
	bool mx = d->mech == SPF_MX;

	a->req = NULL;
	c->pending = 0;
	if (c->ending)
		return;
	if (dns_status_is_transport(r->status)) {
		if (!mx) { /* ptr: a DNS error is no match (5.5) */
			mechanism_done(c);
			return;
		}
		char *why = dns_reply_describe(r);
		strbuf_reset(&c->why);
		describe_term(&c->why, c, d);
		strbuf_addf(&c->why, ": %s", why);
		free(why);
		finish(c, SPF_RES_TEMPERROR);
		return;
	}
	size_t cnt = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;
	char *names[MAX_MX_NAMES];
	size_t n = 0, total = 0;
	for (size_t i = 0; i < cnt; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->rrs, i);
		const ldns_rdf *rd = ldns_rr_rdf(rr, mx ? 1 : 0);
		if (rd == NULL)
			continue;
		char *name = dns_rdf_name(rd);
		/* A null MX (RFC 7505) names no host. */
		if (name[0] == '\0' || strcmp(name, ".") == 0) {
			free(name);
			continue;
		}
		total++;
		if (n < MAX_MX_NAMES)
			names[n++] = name;
		else
			free(name);
	}
	if (mx && total > MAX_MX_NAMES) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		strbuf_reset(&c->why);
		describe_term(&c->why, c, d);
		strbuf_addf(&c->why,
		            ": %zu MX names, more than the %d RFC 7208 4.6.4 "
		            "allows",
		            total, MAX_MX_NAMES);
		finish(c, SPF_RES_PERMERROR);
		return;
	}
	if (total == 0 && !count_void(c)) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		return;
	}
	ask_addrs(c, names, n);
}

static void
ask_one(struct spf_check *c, const char *type, const char *name, ldns_rr_type t,
        dns_cb *cb)
{
	wait_for(c, type, name);
	c->asks[0].c = c;
	c->pending = 1;
	c->asks[0].req = dns_lookup(c->dns, c->view, name, t, cb, &c->asks[0]);
}

/* Evaluate directives from the frame's next one until one waits. */
static void
step(struct spf_check *c)
{
	struct frame *f = top(c);

	while (f->next < f->rec.ndir) {
		const struct spf_directive *d = &f->rec.dir[f->next++];
		c->cur = d;
		c->matched = false;
		c->transport = false;
		switch (d->mech) {
		case SPF_ALL:
			match(c, d);
			return;
		case SPF_IP4:
		case SPF_IP6:
			if (in_cidr(c, &d->net.addr, d->net.prefix,
			            d->net.prefix)) {
				match(c, d);
				return;
			}
			continue;
		case SPF_INCLUDE:
			if (!count_lookup(c, d) || !expand(c, d, d->domain))
				return;
			enter(c, c->expanded, false);
			return;
		case SPF_A:
			if (!count_lookup(c, d) || !expand(c, d, d->domain))
				return;
			ask_one(c, c->ctx.ip.family == AF_INET ? "A" : "AAAA",
			        c->expanded, addr_type(c), on_addrs);
			return;
		case SPF_EXISTS:
			if (!count_lookup(c, d) || !expand(c, d, d->domain))
				return;
			ask_one(c, "A", c->expanded, LDNS_RR_TYPE_A, on_addrs);
			return;
		case SPF_MX:
			if (!count_lookup(c, d) || !expand(c, d, d->domain))
				return;
			ask_one(c, "MX", c->expanded, LDNS_RR_TYPE_MX,
			        on_names);
			return;
		case SPF_PTR: {
			if (!count_lookup(c, d) || !expand(c, d, d->domain))
				return;
			char *rev = dns_reverse_name(&c->ctx.ip);
			ask_one(c, "PTR", rev, LDNS_RR_TYPE_PTR, on_names);
			free(rev);
			return;
		}
		}
	}
	c->cur = NULL;
	/* No mechanism matched: redirect, unless an "all" is there (6.1). */
	if (f->rec.redirect != NULL && f->rec.all < 0) {
		if (!count_lookup(c, NULL) || !expand(c, NULL, f->rec.redirect))
			return;
		enter(c, c->expanded, true);
		return;
	}
	strbuf_reset(&c->why);
	strbuf_addf(&c->why, "no term of the SPF record of %s matched",
	            f->domain);
	frame_done(c, SPF_RES_NEUTRAL);
}

/* The record of the top frame gave r: pass it up to an include or end. */
static void
frame_done(struct spf_check *c, enum spf_result r)
{
	struct frame *f = top(c);

	spf_record_free(&f->rec);
	free(f->domain);
	memset(f, 0, sizeof(*f));
	c->depth--;
	if (c->depth == 0) {
		finish(c, r);
		return;
	}
	/* The parent waits in an include (5.2). */
	const struct spf_directive *inc = &top(c)->rec.dir[top(c)->next - 1];
	c->cur = inc;
	switch (r) {
	case SPF_RES_PASS:
		match(c, inc);
		return;
	case SPF_RES_FAIL:
	case SPF_RES_SOFTFAIL:
	case SPF_RES_NEUTRAL:
		c->cur = NULL;
		step(c);
		return;
	default:
		finish(c, r);
	}
}

struct spf_check *
spf_check_start(struct event_base *base, struct dns *d, enum dns_view view,
                const struct spf_check_params *pa, spf_check_cb *cb,
                spf_wait_cb *wait, void *arg)
{
	struct spf_check *c = xcalloc(1, sizeof(*c));

	c->dns = d;
	c->view = view;
	c->cb = cb;
	c->wait = wait;
	c->arg = arg;
	c->sender_domain = xstrdup(pa->sender ? pa->sender : pa->domain);
	c->helo = pa->helo ? xstrdup(pa->helo) : NULL;
	c->ctx.local = "postmaster";
	c->ctx.sender_domain = c->sender_domain;
	c->ctx.helo = c->helo;
	c->ctx.ip = pa->ip;
	c->ctx.now = pa->now;
	c->finish_ev = event_new(base, -1, 0, on_finish, c);
	strbuf_add(&c->path, pa->domain);
	enter(c, pa->domain, false);
	return c;
}

void
spf_check_cancel(struct spf_check *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < MAX_MX_NAMES; i++) {
		if (c->asks[i].req != NULL)
			dns_cancel(c->asks[i].req);
		free(c->asks[i].name);
	}
	for (int i = 0; i < c->depth; i++) {
		spf_record_free(&c->fr[i].rec);
		free(c->fr[i].domain);
	}
	event_free(c->finish_ev);
	strbuf_reset(&c->path);
	strbuf_reset(&c->why);
	free(c->sender_domain);
	free(c->helo);
	free(c);
}
