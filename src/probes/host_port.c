/*
 * host_port.c -- host.port.SERVICE (preflight, on the node itself): a port
 * the node's roles need is free, or held by the programs expected there
 * (the profile's holders, else the built-in table of services.c). A
 * foreign holder is named once per program with how to get rid of it
 * ("port 25 is held by exim4 (pid 812) ...; systemctl disable --now
 * exim4.service"). The sockets and their holders are read the way ss -p
 * reads them (sockets.c); the judgement is apart so that tests can give it
 * made-up holders.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/common.h"
#include "probes/host_port.h"
#include "probes/probes.h"
#include "strbuf.h"
#include "xmalloc.h"

#define MAX_LISTENERS  64 /* a bit each in a uint64_t */
#define MAX_PIDS_SHOWN 4

/* ------------------------------------------------------------- matching */

/* The executable's file name, without the " (deleted)" of a replaced
   binary (an upgrade while it runs). */
static void
exe_base(const struct sock_holder *h, char *buf, size_t len)
{
	const char *base = strrchr(h->exe, '/');
	const char *del = " (deleted)";
	size_t n;

	base = base ? base + 1 : h->exe;
	n = strlen(base);
	if (n > strlen(del) && strcmp(base + n - strlen(del), del) == 0)
		n -= strlen(del);
	snprintf(buf, len, "%.*s", (int)n, base);
}

static bool
name_matches(const char *pattern, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return false;
	if (fnmatch(pattern, name, 0) == 0)
		return true;
	/* The kernel cuts comm at 15 characters. */
	return n == 15 && strlen(pattern) > 15 &&
	       strpbrk(pattern, "*?[") == NULL &&
	       strncmp(pattern, name, 15) == 0;
}

bool
host_port_expected(const char *want, const struct sock_holder *h)
{
	char first[sizeof(h->comm)], base[sizeof(h->exe)];
	char *copy, *save = NULL;
	bool yes = false;

	if (want == NULL)
		return false;
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(h->comm, " :("),
	         h->comm);
	exe_base(h, base, sizeof(base));
	copy = xstrdup(want);
	for (char *w = strtok_r(copy, " \t", &save); w != NULL && !yes;
	     w = strtok_r(NULL, " \t", &save))
		yes = name_matches(w, h->comm) || name_matches(w, first) ||
		      name_matches(w, base);
	free(copy);
	return yes;
}

/* ------------------------------------------------------------- programs */

/* The processes of one program among the holders of the port. */
struct program {
	char name[256];                /* what people read */
	const struct sock_holder *one; /* its first process: unit, exe */
	pid_t pids[MAX_LISTENERS];
	size_t npids;
	uint64_t listeners; /* the sockets it holds, a bit each */
	bool expected;
};

/* comm is cut at 15 characters; the executable's name is whole. */
static void
program_name(const struct sock_holder *h, char *buf, size_t len)
{
	char base[sizeof(h->exe)];

	exe_base(h, base, sizeof(base));
	if (strlen(h->comm) == 15 && strncmp(base, h->comm, 15) == 0)
		snprintf(buf, len, "%s", base);
	else if (h->comm[0] != '\0')
		snprintf(buf, len, "%s", h->comm);
	else
		snprintf(buf, len, "%s", base[0] ? base : "?");
}

/* Group the holders by program: one finding per program, not per pid. */
static struct program *
group_programs(const char *want, const struct sock_holder *h, size_t nh,
               size_t *nout)
{
	struct program *v = xcalloc(nh ? nh : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < nh; i++) {
		char name[256];
		size_t k;
		program_name(&h[i], name, sizeof(name));
		for (k = 0; k < n && strcmp(v[k].name, name) != 0; k++)
			;
		if (k == n) {
			snprintf(v[n].name, sizeof(v[n].name), "%s", name);
			v[n].one = &h[i];
			v[n].expected = host_port_expected(want, &h[i]);
			n++;
		}
		struct program *pg = &v[k];
		bool seen = false;
		for (size_t j = 0; j < pg->npids && !seen; j++)
			seen = pg->pids[j] == h[i].pid;
		if (!seen && pg->npids < MAX_LISTENERS)
			pg->pids[pg->npids++] = h[i].pid;
		if (h[i].listener < MAX_LISTENERS)
			pg->listeners |= UINT64_C(1) << h[i].listener;
	}
	*nout = n;
	return v;
}

/* "0.0.0.0, ::" for the sockets of a mask. */
static void
addrs_of(const struct listener *l, size_t nl, uint64_t mask, struct strbuf *b)
{
	for (size_t i = 0; i < nl && i < MAX_LISTENERS; i++)
		if (mask & (UINT64_C(1) << i)) {
			strbuf_sep(b, ", ");
			strbuf_add(b, l[i].addr);
		}
}

/* "pid 812" or "pids 812, 813, 814, 815 and 3 more" */
static void
pids_of(const struct program *pg, struct strbuf *b)
{
	strbuf_add(b, pg->npids == 1 ? "pid " : "pids ");
	for (size_t i = 0; i < pg->npids && i < MAX_PIDS_SHOWN; i++)
		strbuf_addf(b, "%s%d", i ? ", " : "", (int)pg->pids[i]);
	if (pg->npids > MAX_PIDS_SHOWN)
		strbuf_addf(b, " and %zu more", pg->npids - MAX_PIDS_SHOWN);
}

static json_t *
pids_json(const struct program *pg)
{
	json_t *a = json_array();
	for (size_t i = 0; i < pg->npids; i++)
		json_array_append_new(a, json_integer(pg->pids[i]));
	return a;
}

/* "master, smtpd, postscreen, tlsproxy" */
static void
want_list(const char *want, struct strbuf *b)
{
	char *copy = xstrdup(want), *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		strbuf_sep(b, ", ");
		strbuf_add(b, w);
	}
	free(copy);
}

/* ----------------------------------------------------------- judgement */

/*
 * How to be rid of a foreign holder: its unit when systemd started it,
 * the socket unit when systemd itself holds the port, else the process
 * and where its package is found.
 */
static void
foreign_hint(struct mr_finding *f, const struct program *pg)
{
	const struct sock_holder *h = pg->one;

	if (h->unit[0] != '\0')
		mr_finding_hint(f,
		                "stop it and keep it from starting again: "
		                "systemctl disable --now %s",
		                h->unit);
	else if (strcmp(h->comm, "systemd") == 0)
		mr_finding_hint(f, "systemd holds the port for a socket unit: "
		                   "systemctl list-sockets --all names it; "
		                   "then systemctl disable --now UNIT.socket");
	else if (h->exe[0] != '\0')
		mr_finding_hint(f,
		                "stop it (kill %d); dpkg -S %s (rpm -qf on "
		                "RHEL) names the package to remove",
		                (int)h->pid, h->exe);
	else
		mr_finding_hint(f,
		                "stop it (kill %d); dpkg -S $(readlink "
		                "/proc/%d/exe) (rpm -qf on RHEL) names the "
		                "package to remove",
		                (int)h->pid, (int)h->pid);
}

static void
set_process_data(struct mr_finding *f, const struct program *pg,
                 const char *addrs, uint16_t port)
{
	mr_finding_set_int(f, "port", port);
	mr_finding_set_text(f, "addresses", addrs);
	mr_finding_set_text(f, "program", pg->name);
	mr_finding_set(f, "pids", pids_json(pg));
	if (pg->one->unit[0] != '\0')
		mr_finding_set_text(f, "unit", pg->one->unit);
	if (pg->one->exe[0] != '\0')
		mr_finding_set_text(f, "exe", pg->one->exe);
}

/* A program holding sockets no expected program holds. */
static void
judge_other(struct mr_result *res, uint16_t port, const char *service,
            const char *want, const struct listener *l, size_t nl,
            const struct program *pg, uint64_t mask)
{
	struct strbuf addrs = STRBUF_INIT, pids = STRBUF_INIT;
	struct strbuf exp = STRBUF_INIT;
	struct mr_finding *f;

	addrs_of(l, nl, mask, &addrs);
	pids_of(pg, &pids);
	if (want != NULL) {
		want_list(want, &exp);
		f = mr_result_add(
			res, mr_code_name(CODE_PORT_HELD_FOREIGN), MR_FAIL,
			"port %u is held by %s (%s, on %s), not by "
			"the %s service (expected there: %s)",
			(unsigned)port, pg->name, strbuf_str(&pids),
			strbuf_str(&addrs), service, strbuf_str(&exp));
		foreign_hint(f, pg);
		mr_finding_set_text(f, "expected", strbuf_str(&exp));
	} else {
		f = mr_result_add(res, mr_code_name(CODE_PORT_HELD_UNKNOWN),
		                  MR_WARN, "port %u is held by %s (%s, on %s)",
		                  (unsigned)port, pg->name, strbuf_str(&pids),
		                  strbuf_str(&addrs));
		mr_finding_hint(f,
		                "make sure it is the %s service%s%s%s; the "
		                "profile's holders key names the programs "
		                "expected on a port",
		                service, pg->one->unit[0] ? " (its unit: " : "",
		                pg->one->unit, pg->one->unit[0] ? ")" : "");
	}
	set_process_data(f, pg, strbuf_str(&addrs), port);
	strbuf_reset(&addrs);
	strbuf_reset(&pids);
	strbuf_reset(&exp);
}

/* "master (pid 812) and smtpd (pids 900, 901)" */
static void
expected_line(const struct program *v, size_t n, struct strbuf *b,
              json_t *names)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += v[i].expected;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].expected)
			continue;
		if (k > 0)
			strbuf_add(b, k + 1 == total ? " and " : ", ");
		strbuf_addf(b, "%s (", v[i].name);
		pids_of(&v[i], b);
		strbuf_addc(b, ')');
		json_array_append_new(names, json_string(v[i].name));
		k++;
	}
}

void
host_port_judge(struct mr_result *res, uint16_t port, const char *service,
                const char *want, const struct listener *l, size_t nl,
                const struct sock_holder *h, size_t nh)
{
	size_t np;
	struct program *v = group_programs(want, h, nh, &np);
	uint64_t all = 0, covered = 0, expected_socks = 0;
	struct mr_finding *f;

	if (nl > MAX_LISTENERS)
		nl = MAX_LISTENERS;
	if (nl == 0)
		mr_result_add(res, mr_code_name(CODE_PORT_FREE), MR_PASS,
		              "port %u (%s) is free: nothing listens on it",
		              (unsigned)port, service);
	for (size_t i = 0; i < nl; i++)
		all |= UINT64_C(1) << i;
	for (size_t i = 0; i < np; i++) {
		covered |= v[i].listeners;
		if (v[i].expected)
			expected_socks |= v[i].listeners;
	}
	/* Only what no expected program holds counts against another. */
	for (size_t i = 0; i < np; i++) {
		uint64_t own = v[i].listeners & ~expected_socks;
		if (!v[i].expected && own != 0)
			judge_other(res, port, service, want, l, nl, &v[i],
			            own);
	}
	if ((all & ~covered) != 0) {
		struct strbuf addrs = STRBUF_INIT;
		addrs_of(l, nl, all & ~covered, &addrs);
		f = mr_result_add(res, mr_code_name(CODE_PORT_HOLDER_HIDDEN),
		                  MR_WARN,
		                  "port %u is in use on %s by a process this "
		                  "user cannot see",
		                  (unsigned)port, strbuf_str(&addrs));
		mr_finding_hint(f, "run mailready as root to see it");
		mr_finding_set_int(f, "port", port);
		mr_finding_set_text(f, "addresses", strbuf_str(&addrs));
		strbuf_reset(&addrs);
	}
	if (expected_socks != 0) {
		struct strbuf who = STRBUF_INIT, addrs = STRBUF_INIT;
		json_t *names = json_array();
		expected_line(v, np, &who, names);
		addrs_of(l, nl, expected_socks, &addrs);
		f = mr_result_add(res, mr_code_name(CODE_PORT_HELD_EXPECTED),
		                  MR_PASS,
		                  "port %u is held by %s, on %s, as expected "
		                  "for %s",
		                  (unsigned)port, strbuf_str(&who),
		                  strbuf_str(&addrs), service);
		mr_finding_set_int(f, "port", port);
		mr_finding_set_text(f, "addresses", strbuf_str(&addrs));
		mr_finding_set(f, "programs", names);
		strbuf_reset(&who);
		strbuf_reset(&addrs);
	}
	free(v);
}

/* ---------------------------------------------------------------- probe */

static void
start(struct probe *p)
{
	const struct plan_item *it = probe_item(p);
	struct listener l[MAX_LISTENERS];
	size_t nl = sockets_listening(it->port, l, MAX_LISTENERS), nh = 0;
	struct sock_holder *h = sockets_holders(l, nl, &nh);

	host_port_judge(probe_result(p), it->port, it->service, it->holders, l,
	                nl, h, nh);
	free(h);
	probe_done(p);
}

const struct probe_ops probe_host_port_ops = {
	.state_size = 0,
	.start = start,
};
