/*
 * fetch.c -- HTTPS GET through libcurl's multi-socket API on libevent (the
 * pattern of curl's own hiperfifo example): curl says which sockets and
 * which timeout it wants watched, the loop tells it what became ready.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "build_config.h"
#include "io/fetch.h"
#include "strbuf.h"
#include "xmalloc.h"

struct fetch_svc {
	struct event_base *base;
	struct netpolicy *np;
	CURLM *multi;
	struct event *timer;
	struct fetch_req *live; /* every running fetch, for fetch_svc_free */
};

struct fetch_req {
	struct fetch_svc *s;
	CURL *easy;
	struct curl_slist *resolve;
	char *body;
	size_t len, cap, max;
	bool too_big;
	bool in_callback; /* fetch_cancel from the callback: freed after it */
	unsigned opened;  /* sockets allow_networks let curl open */
	unsigned refused; /* and those it did not */
	char refused_why[160];
	char errbuf[CURL_ERROR_SIZE];
	fetch_cb *cb;
	void *arg;
	struct fetch_req *next, *prev;
};

/* A socket curl asked the loop to watch. */
struct fetch_sock {
	struct fetch_svc *s;
	curl_socket_t fd;
	struct event *ev;
};

static void check_done(struct fetch_svc *s);

static void
on_socket_ready(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock *fs = arg;
	struct fetch_svc *s = fs->s;
	int flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	/* fs may be freed inside: curl removes sockets as it goes. */
	curl_multi_socket_action(s->multi, fd, flags, &running);
	check_done(s);
}

static int
on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct fetch_svc *s = userp;
	struct fetch_sock *fs = sockp;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			event_free(fs->ev);
			free(fs);
		}
		curl_multi_assign(s->multi, fd, NULL);
		return 0;
	}
	if (fs == NULL) {
		fs = xcalloc(1, sizeof(*fs));
		fs->s = s;
		fs->fd = fd;
		curl_multi_assign(s->multi, fd, fs);
	} else
		event_free(fs->ev);
	short kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	fs->ev = event_new(s->base, fd, kind, on_socket_ready, fs);
	event_add(fs->ev, NULL);
	return 0;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_svc *s = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(s);
}

/* curl's wish for a timeout: only armed here (curl must not be re-entered
   from this callback). */
static int
on_curl_timer(CURLM *multi, long ms, void *userp)
{
	struct fetch_svc *s = userp;

	(void)multi;
	if (ms < 0) {
		evtimer_del(s->timer);
		return 0;
	}
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(s->timer, &tv);
	return 0;
}

/* Every socket passes allow_networks, whatever curl was told. */
static curl_socket_t
on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct fetch_req *r = clientp;
	struct mr_addr a;

	(void)purpose;
	if (mr_addr_from_sockaddr(&sa->addr, &a, NULL) < 0 ||
	    !netpolicy_allows(r->s->np, &a)) {
		if (r->refused++ == 0)
			netpolicy_explain(r->s->np, &a, r->refused_why,
			                  sizeof(r->refused_why));
		return CURL_SOCKET_BAD;
	}
	int fd = socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
	if (fd >= 0)
		r->opened++;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct fetch_req *r = arg;
	size_t len = size * n;

	if (len > r->max - r->len) {
		r->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	if (r->len + len + 1 > r->cap) {
		r->cap = r->len + len + 1 > 2 * r->cap ? r->len + len + 1
		                                       : 2 * r->cap;
		r->body = xrealloc(r->body, r->cap);
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static void
req_free(struct fetch_req *r)
{
	struct fetch_svc *s = r->s;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		s->live = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	curl_multi_remove_handle(s->multi, r->easy);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->resolve);
	free(r->body);
	free(r);
}

static enum fetch_status
status_of(const struct fetch_req *r, CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return FETCH_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return FETCH_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return FETCH_TOO_BIG;
	case CURLE_WRITE_ERROR:
		return r->too_big ? FETCH_TOO_BIG : FETCH_ERROR;
	case CURLE_COULDNT_CONNECT:
		return r->opened == 0 && r->refused > 0 ? FETCH_BLOCKED
		                                        : FETCH_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return FETCH_TLS;
	default:
		return FETCH_ERROR;
	}
}

static void
finish(struct fetch_req *r, CURLcode rc)
{
	struct fetch_result res;
	struct strbuf why = STRBUF_INIT;
	char *ip = NULL, *ctype = NULL, *location = NULL;

	memset(&res, 0, sizeof(res));
	res.status = status_of(r, rc);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.http_code);
	curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_URL, &location);
	if (ip != NULL)
		snprintf(res.addr, sizeof(res.addr), "%s", ip);
	res.body = r->body != NULL ? r->body : "";
	res.len = r->len;
	res.content_type = ctype;
	res.redirect_to = location;
	switch (res.status) {
	case FETCH_OK:
		break;
	case FETCH_BLOCKED:
		strbuf_addf(&why, "%s; not contacted", r->refused_why);
		break;
	case FETCH_TOO_BIG:
		strbuf_addf(&why, "the body is over %zu bytes", r->max);
		break;
	default:
		strbuf_add(&why, r->errbuf[0] != '\0' ? r->errbuf
		                                      : curl_easy_strerror(rc));
		if (r->refused > 0)
			strbuf_addf(&why, " (and %s; not contacted)",
			            r->refused_why);
	}
	res.error = res.status == FETCH_OK ? NULL : strbuf_str(&why);
	r->in_callback = true;
	r->cb(r->arg, &res);
	strbuf_reset(&why);
	req_free(r);
}

static void
check_done(struct fetch_svc *s)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct fetch_req *r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		finish(r, m->data.result);
	}
}

struct fetch_svc *
fetch_svc_new(struct event_base *base, struct netpolicy *np, char *err,
              size_t errlen)
{
	static bool initialised;

	if (!initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "libcurl could not be set up");
			return NULL;
		}
		initialised = true;
	}
	struct fetch_svc *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->np = np;
	s->multi = curl_multi_init();
	if (s->multi == NULL) {
		snprintf(err, errlen, "libcurl could not be set up");
		free(s);
		return NULL;
	}
	s->timer = evtimer_new(base, on_timer, s);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	return s;
}

void
fetch_svc_free(struct fetch_svc *s)
{
	if (s == NULL)
		return;
	while (s->live != NULL)
		req_free(s->live);
	curl_multi_cleanup(s->multi);
	event_free(s->timer);
	free(s);
}

/* A DNS name, so that the URL and the resolve entry mean what they say. */
static bool
host_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return false;
	return true;
}

static bool
path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '#')
			return false;
	return true;
}

/* "host:port:addr,[v6addr]": curl connects there and resolves nothing. */
static struct curl_slist *
resolve_entry(const char *host, uint16_t port, const struct fetch_opts *o)
{
	struct strbuf b = STRBUF_INIT;
	char as[MR_ADDR_STRLEN];

	strbuf_addf(&b, "%s:%u:", host, port);
	for (size_t i = 0; i < o->naddrs && i < FETCH_MAX_ADDRS; i++) {
		strbuf_sep(&b, ",");
		mr_addr_str(&o->addrs[i], as);
		if (o->addrs[i].family == AF_INET6)
			strbuf_addf(&b, "[%s]", as);
		else
			strbuf_add(&b, as);
	}
	struct curl_slist *l = curl_slist_append(NULL, strbuf_str(&b));
	strbuf_reset(&b);
	return l;
}

struct fetch_req *
fetch_https(struct fetch_svc *s, const char *host, const char *path,
            const struct fetch_opts *o, fetch_cb *cb, void *arg, char *err,
            size_t errlen)
{
	uint16_t port = o->port ? o->port : 443;

	if (!host_ok(host) || !path_ok(path) || o->naddrs == 0) {
		snprintf(err, errlen, "cannot fetch from host '%s' path '%s'",
		         host_ok(host) ? host : "?",
		         path_ok(path) ? path : "?");
		return NULL;
	}
	struct fetch_req *r = xcalloc(1, sizeof(*r));
	r->s = s;
	r->cb = cb;
	r->arg = arg;
	r->max = o->max_bytes;
	r->easy = curl_easy_init();
	r->resolve = resolve_entry(host, port, o);
	if (r->easy == NULL || r->resolve == NULL) {
		snprintf(err, errlen, "libcurl could not start a transfer");
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->resolve);
		free(r);
		return NULL;
	}
	char *url = xasprintf("https://%s:%u%s", host, port, path);
	CURL *e = r->easy;
	curl_easy_setopt(e, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else /* RHEL 8 and 9 ship 7.61 and 7.76 */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_RESOLVE, r->resolve);
	/* An https_proxy of the environment would send the request
	   elsewhere than allow_networks says. */
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
		e, CURLOPT_TIMEOUT_MS,
		(long)(o->timeout_s * 1000 > 1 ? o->timeout_s * 1000 : 1));
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mailready/" MAILREADY_VERSION);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)o->max_bytes);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
	r->next = s->live;
	if (s->live != NULL)
		s->live->prev = r;
	s->live = r;
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		snprintf(err, errlen, "libcurl could not start a transfer");
		req_free(r);
		return NULL;
	}
	return r;
}

void
fetch_cancel(struct fetch_req *r)
{
	if (r != NULL && !r->in_callback)
		req_free(r);
}
