/*
 * reply.c -- DNS replies: status names, descriptions for messages, copies,
 * and the helpers probes use to read records.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/reply.h"
#include "names.h"
#include "xmalloc.h"

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "answer";
	case DNS_NODATA:
		return "NODATA";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_REFUSED:
		return "REFUSED";
	case DNS_BADRCODE:
		return "error rcode";
	case DNS_REFERRAL:
		return "referral (not authoritative)";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_UNREACHABLE:
		return "unreachable";
	case DNS_BLOCKED:
		return "not contacted";
	case DNS_MALFORMED:
		return "malformed answer";
	case DNS_GAVEUP:
		return "resolution failed";
	}
	return "?";
}

bool
dns_status_is_transport(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		return false;
	default:
		return true;
	}
}

char *
dns_reply_describe(const struct dns_reply *r)
{
	const char *srv = r->server;

	if (srv == NULL) /* a summary of several servers */
		return xstrdup(r->detail ? r->detail
		                         : dns_status_name(r->status));
	switch (r->status) {
	case DNS_TIMEOUT:
		return r->detail ? xasprintf("no answer from %s (%s)", srv,
		                             r->detail)
		                 : xasprintf("no answer from %s", srv);
	case DNS_GAVEUP:
		/* The iterator's detail names the zone and each failure. */
		return xstrdup(r->detail ? r->detail : "resolution failed");
	case DNS_BLOCKED:
		/* detail is why, without the server */
		return xasprintf("%s is %s; not contacted", srv,
		                 r->detail ? r->detail : "outside the policy");
	case DNS_UNREACHABLE:
	case DNS_MALFORMED:
		return xasprintf("%s from %s: %s", dns_status_name(r->status),
		                 srv, r->detail ? r->detail : "");
	case DNS_BADRCODE: {
		char *rc = ldns_pkt_rcode2str((ldns_pkt_rcode)r->rcode);
		char *s = xasprintf("%s from %s", rc ? rc : "bad rcode", srv);
		free(rc);
		return s;
	}
	default:
		return xasprintf("%s from %s", dns_status_name(r->status), srv);
	}
}

void
dns_reply_clear(struct dns_reply *r)
{
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	if (r->rrs)
		ldns_rr_list_free(r->rrs); /* records belong to pkt */
	if (r->chain)
		ldns_rr_list_free(r->chain);
	if (r->owned)
		ldns_rr_list_deep_free(r->owned);
	free(r->final_name);
	free(r->server);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

void
dns_reply_fail(struct dns_reply *r, enum dns_status st, const char *server,
               const char *qname, char *detail)
{
	memset(r, 0, sizeof(*r));
	r->status = st;
	r->server = server ? xstrdup(server) : NULL;
	r->detail = detail;
	r->rrs = ldns_rr_list_new();
	r->chain = ldns_rr_list_new();
	r->final_name = name_normalize(qname);
}

/* Clone each record of src into owned, and list the clone in dst. */
static ldns_rr_list *
clone_into(const ldns_rr_list *src, ldns_rr_list *owned)
{
	ldns_rr_list *dst = ldns_rr_list_new();
	for (size_t i = 0; src && i < ldns_rr_list_rr_count(src); i++) {
		ldns_rr *c = ldns_rr_clone(ldns_rr_list_rr(src, i));
		ldns_rr_list_push_rr(owned, c);
		ldns_rr_list_push_rr(dst, c);
	}
	return dst;
}

void
dns_reply_copy(struct dns_reply *to, const struct dns_reply *from)
{
	memset(to, 0, sizeof(*to));
	to->status = from->status;
	to->rcode = from->rcode;
	to->aa = from->aa;
	to->rtt_ms = from->rtt_ms;
	to->server = from->server ? xstrdup(from->server) : NULL;
	to->detail = from->detail ? xstrdup(from->detail) : NULL;
	to->final_name = from->final_name ? xstrdup(from->final_name) : NULL;
	to->pkt = from->pkt ? ldns_pkt_clone(from->pkt) : NULL;
	/* Records are cloned so that they outlive no one's packet. */
	to->owned = ldns_rr_list_new();
	to->rrs = clone_into(from->rrs, to->owned);
	to->chain = clone_into(from->chain, to->owned);
}

char *
dns_rdf_name(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	if (s == NULL)
		return xstrdup("?");
	size_t len = strlen(s);
	if (len > 1 && s[len - 1] == '.')
		s[len - 1] = '\0';
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *out = xstrdup(s);
	free(s);
	return out;
}

struct mr_addr *
dns_reply_addrs(const struct dns_reply *r, size_t *n)
{
	size_t cnt = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;
	struct mr_addr *v = xcalloc(cnt ? cnt : 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < cnt; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->rrs, i);
		const ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		if (rd == NULL)
			continue;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A &&
		    ldns_rdf_size(rd) == 4) {
			v[*n].family = AF_INET;
			memcpy(v[*n].bytes, ldns_rdf_data(rd), 4);
			(*n)++;
		} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA &&
		           ldns_rdf_size(rd) == 16) {
			v[*n].family = AF_INET6;
			memcpy(v[*n].bytes, ldns_rdf_data(rd), 16);
			(*n)++;
		}
	}
	return v;
}

struct dns_txt *
dns_reply_txts(const struct dns_reply *r, size_t *n)
{
	size_t cnt = r->rrs ? ldns_rr_list_rr_count(r->rrs) : 0;
	struct dns_txt *v = xcalloc(cnt ? cnt : 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < cnt; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->rrs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		size_t len = 0;
		for (size_t j = 0; j < ldns_rr_rd_count(rr); j++) {
			const ldns_rdf *rd = ldns_rr_rdf(rr, j);
			if (ldns_rdf_size(rd) > 0)
				len += ldns_rdf_size(rd) - 1;
		}
		char *t = xmalloc(len + 1);
		size_t at = 0;
		/* Each rdf is a length byte and that many bytes. */
		for (size_t j = 0; j < ldns_rr_rd_count(rr); j++) {
			const ldns_rdf *rd = ldns_rr_rdf(rr, j);
			size_t sz = ldns_rdf_size(rd);
			if (sz == 0)
				continue;
			size_t k = ldns_rdf_data(rd)[0];
			if (k > sz - 1)
				k = sz - 1;
			memcpy(t + at, ldns_rdf_data(rd) + 1, k);
			at += k;
		}
		t[at] = '\0';
		v[*n].text = t;
		v[*n].len = at;
		(*n)++;
	}
	return v;
}

void
dns_txts_free(struct dns_txt *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

char *
dns_reverse_name(const struct mr_addr *a)
{
	if (a->family == AF_INET)
		return xasprintf("%u.%u.%u.%u.in-addr.arpa", a->bytes[3],
		                 a->bytes[2], a->bytes[1], a->bytes[0]);
	char buf[16 * 4 + sizeof("ip6.arpa")];
	size_t off = 0;
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--) {
		buf[off++] = hex[a->bytes[i] & 0xf];
		buf[off++] = '.';
		buf[off++] = hex[a->bytes[i] >> 4];
		buf[off++] = '.';
	}
	memcpy(buf + off, "ip6.arpa", sizeof("ip6.arpa"));
	return xstrdup(buf);
}
