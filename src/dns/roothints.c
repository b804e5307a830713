/*
 * roothints.c -- root server addresses for iterative resolution.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns/roothints.h"
#include "readfile.h"
#include "xmalloc.h"

/* IANA root hints (named.root, 2023). Used only in real deployments. */
#define BUILTIN_NAMES 13 /* a.root-servers.net to m.root-servers.net */
static const char *const builtin_roots[] = {
	"198.41.0.4",      "170.247.170.2",       "192.33.4.12",
	"199.7.91.13",     "192.203.230.10",      "192.5.5.241",
	"192.112.36.4",    "198.97.190.53",       "192.36.148.17",
	"192.58.128.30",   "193.0.14.129",        "199.7.83.42",
	"202.12.27.33",    "2001:503:ba3e::2:30", "2801:1b8:10::b",
	"2001:500:2::c",   "2001:500:2d::d",      "2001:500:a8::e",
	"2001:500:2f::f",  "2001:500:12::d0d",    "2001:500:1::53",
	"2001:7fe::53",    "2001:503:c27::2:30",  "2001:7fd::1",
	"2001:500:9f::42", "2001:dc3::35",
};

static void
push(struct mr_server **v, size_t *n, const struct mr_addr *a)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].addr = *a;
	(*v)[*n].port = 53;
	(*n)++;
}

/* IPv4 first: many hosts have no working IPv6 route. */
static void
order_v4_first(struct mr_server *v, size_t n)
{
	size_t w = 0;
	for (size_t pass = 0; pass < 2; pass++) {
		int fam = pass == 0 ? AF_INET : AF_INET6;
		for (size_t i = w; i < n; i++) {
			if (v[i].addr.family != fam)
				continue;
			struct mr_server t = v[w];
			v[w] = v[i];
			v[i] = t;
			w++;
		}
	}
}

static int
load_builtin(struct mr_server **out, size_t *n)
{
	for (size_t i = 0; i < sizeof(builtin_roots) / sizeof(*builtin_roots);
	     i++) {
		struct mr_addr a;
		if (mr_addr_parse(builtin_roots[i], &a) == 0)
			push(out, n, &a);
	}
	return 0;
}

static bool
name_in(ldns_rdf *const *names, size_t n, const ldns_rdf *name)
{
	for (size_t i = 0; i < n; i++)
		if (ldns_dname_compare(names[i], name) == 0)
			return true;
	return false;
}

static int
fail(char *err, size_t errlen, const char *path, int line, const char *why,
     ldns_rr_list *rrs)
{
	snprintf(err, errlen, "%s:%d: %s", path, line, why);
	ldns_rr_list_deep_free(rrs);
	return -1;
}

int
roothints_load(const char *path, struct mr_server **out, size_t *n,
               size_t *nnames, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (nnames != NULL)
		*nnames = 0;
	if (path == NULL) {
		if (nnames != NULL)
			*nnames = BUILTIN_NAMES;
		return load_builtin(out, n);
	}

	char what[128];
	FILE *fp = readfile_open(path, what, sizeof(what));
	if (fp == NULL) {
		snprintf(err, errlen, "root_hints %s: %s", path, what);
		return -1;
	}
	int rc = roothints_read(fp, path, out, n, nnames, err, errlen);
	fclose(fp);
	return rc;
}

int
roothints_read(FILE *fp, const char *path, struct mr_server **out, size_t *n,
               size_t *nnames, char *err, size_t errlen)
{
	size_t unused;

	if (nnames == NULL)
		nnames = &unused;
	*out = NULL;
	*n = 0;
	*nnames = 0;
	ldns_rr_list *rrs = ldns_rr_list_new();
	uint32_t ttl = 3600;
	ldns_rdf *origin = NULL, *prev = NULL;
	int line = 0;
	char why[200];
	while (!feof(fp) && !ferror(fp)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin,
		                                      &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			snprintf(why, sizeof(why), "%s",
			         ldns_get_errorstr_by_id(st));
			ldns_rdf_deep_free(origin);
			ldns_rdf_deep_free(prev);
			return fail(err, errlen, path, line, why, rrs);
		}
		ldns_rr_list_push_rr(rrs, rr);
	}
	bool read_error = ferror(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (read_error) {
		ldns_rr_list_deep_free(rrs);
		snprintf(err, errlen, "root_hints %s: %s", path,
		         strerror(errno));
		return -1;
	}

	/* Names the root NS set points to; only their addresses count. */
	size_t nn = 0, cnt = ldns_rr_list_rr_count(rrs);
	ldns_rdf **names = xcalloc(cnt ? cnt : 1, sizeof(*names));
	for (size_t i = 0; i < cnt; i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS &&
		    ldns_dname_label_count(ldns_rr_owner(rr)) == 0)
			names[nn++] = ldns_rr_rdf(rr, 0);
	}
	for (size_t i = 0; i < cnt; i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		if ((t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA) ||
		    rd == NULL || !name_in(names, nn, ldns_rr_owner(rr)))
			continue;
		struct mr_addr a = {.family = t == LDNS_RR_TYPE_A ? AF_INET
		                                                  : AF_INET6};
		memcpy(a.bytes, ldns_rdf_data(rd), ldns_rdf_size(rd));
		push(out, n, &a);
	}
	free(names);
	ldns_rr_list_deep_free(rrs);
	*nnames = nn;
	if (*n == 0) {
		snprintf(err, errlen,
		         "%s: no root server addresses (need NS records for "
		         "\".\" and A/AAAA records for their names)",
		         path);
		return -1;
	}
	order_v4_first(*out, *n);
	return 0;
}
