/*
 * common.c -- helpers shared by the probes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "netpolicy.h"
#include "probes/common.h"
#include "xmalloc.h"

void
findings_add(struct findings *f, enum mr_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = xvasprintf(fmt, ap);
	va_end(ap);
	f->text = xreallocarray(f->text, f->n + 1, sizeof(*f->text));
	f->status = xreallocarray(f->status, f->n + 1, sizeof(*f->status));
	f->text[f->n] = t;
	f->status[f->n] = st;
	f->n++;
	f->worst = mr_status_worst(f->worst, st);
}

void
findings_finish(struct findings *f, struct probe *p)
{
	char *msg = NULL;
	enum mr_status worst = f->n ? f->worst : MR_PASS;

	/*
	 * Worst first, so the first words say what to fix; what passed is
	 * told only when everything did.
	 */
	int lowest = worst > MR_PASS ? MR_UNKNOWN : MR_SKIP;
	for (int s = MR_FAIL; s >= lowest; s--) {
		for (size_t i = 0; i < f->n; i++) {
			if ((int)f->status[i] != s)
				continue;
			char *m = xasprintf("%s%s%s", msg ? msg : "",
			                    msg ? "; " : "", f->text[i]);
			free(msg);
			msg = m;
		}
	}
	findings_free(f);
	probe_finish(p, worst, "%s", msg ? msg : "");
	free(msg);
}

void
findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->text[i]);
	free(f->text);
	free(f->status);
	memset(f, 0, sizeof(*f));
}

char *
addr_list_str(const struct mr_addr *v, size_t n)
{
	char *s = NULL;
	char as[MR_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s ? s : "", s ? ", " : "",
		                    mr_addr_str(&v[i], as));
		free(s);
		s = t;
	}
	return s ? s : xstrdup("(none)");
}

bool
addr_in(const struct mr_addr *v, size_t n, const struct mr_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (mr_addr_equal(&v[i], a))
			return true;
	return false;
}

bool
node_declares(const struct mr_node *node, const struct mr_addr *a)
{
	return addr_in(node->public_addrs, node->npublic, a) ||
	       addr_in(node->internal_addrs, node->ninternal, a);
}

bool
node_is_loopback(const struct mr_node *node)
{
	for (size_t i = 0; i < node->npublic; i++)
		if (addr_classify(&node->public_addrs[i]) == ADDR_LOOPBACK)
			return true;
	for (size_t i = 0; i < node->ninternal; i++)
		if (addr_classify(&node->internal_addrs[i]) == ADDR_LOOPBACK)
			return true;
	return false;
}
