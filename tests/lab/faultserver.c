/*
 * faultserver.c -- scripted misbehaving servers for the mailready lab: the
 * faults no real Postfix or Dovecot produces (stalls, garbage, endless
 * lines, STARTTLS command injection). Started by tests/lab/lab.sh; not part
 * of mailready.
 *
 *   faultserver [-p PIDFILE] ADDR:PORT=MODE...
 *
 * Listens on every ADDR:PORT (IPv4 in 127.0.0.0/8 only: anything else is
 * refused) and serves each connection by MODE:
 *
 *   stall-greeting    accept, never send anything
 *   garbage-greeting  send "\x1b[31m220\x07 \xff\xfe hello\r\n", then wait
 *   endless-line      send 1 MiB of 'A' without a newline, then wait
 *   stall-ehlo        send a 220 greeting, read one command line (the
 *                     EHLO), never answer
 *   stall-tls         220 greeting, EHLO -> "250-NAME / 250 STARTTLS",
 *                     STARTTLS -> "220 go ahead", then silence: the TLS
 *                     handshake never completes
 *   inject-starttls   like stall-tls, but STARTTLS is answered with
 *                     "220 go ahead\r\n250 injected\r\n" in one write
 *   bye-imap          send "* BYE too busy\r\n" and close
 *
 * "wait" and "silence" mean: read and discard whatever the client sends,
 * until it closes (or CONN_MAX_AGE passes). The PID file is written once
 * every listener is bound, and removed on SIGTERM/SIGINT. Logs to stderr.
 * Plain poll() loop, C11 + POSIX, no dependencies.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 64
#define MAX_CONNS     256
#define ENDLESS_BYTES (1024 * 1024)
#define LINE_LEN      512
#define CONN_MAX_AGE  600 /* seconds: then a connection is dropped */

enum mode {
	M_STALL_GREETING,
	M_GARBAGE_GREETING,
	M_ENDLESS_LINE,
	M_STALL_EHLO,
	M_STALL_TLS,
	M_INJECT_STARTTLS,
	M_BYE_IMAP,
};

static const char *const mode_names[] = {
	[M_STALL_GREETING] = "stall-greeting",
	[M_GARBAGE_GREETING] = "garbage-greeting",
	[M_ENDLESS_LINE] = "endless-line",
	[M_STALL_EHLO] = "stall-ehlo",
	[M_STALL_TLS] = "stall-tls",
	[M_INJECT_STARTTLS] = "inject-starttls",
	[M_BYE_IMAP] = "bye-imap",
};
#define N_MODES (sizeof(mode_names) / sizeof(mode_names[0]))

static const char garbage[] = "\x1b"
			      "[31m220"
			      "\x07"
			      " "
			      "\xff"
			      "\xfe"
			      " hello\r\n";

struct listener {
	int fd;
	enum mode mode;
	char label[64]; /* ADDR:PORT=MODE */
};

enum state {
	S_DISCARD,  /* read and throw away */
	S_COMMANDS, /* read SMTP command lines and answer them */
};

struct conn {
	int fd;
	const struct listener *l;
	char peer[64];
	time_t started;
	enum state state;
	char out[256];
	size_t out_len, out_off;
	size_t endless_left;   /* endless-line: 'A's still to send */
	int close_after_write; /* close once out[] is sent */
	char line[LINE_LEN];
	size_t line_len;
	unsigned long long received;
};

static struct listener listeners[MAX_LISTENERS];
static size_t n_listeners;
static struct conn conns[MAX_CONNS];
static size_t n_conns;
static int sig_pipe[2] = {-1, -1};
static const char *pid_file;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logmsg(const char *fmt, ...)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s faultserver[%ld]: ", ts, (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = saved;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Parse ADDR:PORT=MODE into sa and mode; refuse anything outside
 * 127.0.0.0/8. */
static int
parse_spec(const char *spec, struct sockaddr_in *sa, enum mode *mode)
{
	char buf[128];
	char *eq, *colon, *end;
	size_t i;
	long port;

	if (strlen(spec) >= sizeof(buf)) {
		logmsg("%s: too long", spec);
		return -1;
	}
	strcpy(buf, spec);
	eq = strchr(buf, '=');
	if (eq == NULL) {
		logmsg("%s: expected ADDR:PORT=MODE", spec);
		return -1;
	}
	*eq = '\0';
	for (i = 0; i < N_MODES; i++)
		if (strcmp(eq + 1, mode_names[i]) == 0)
			break;
	if (i == N_MODES) {
		logmsg("%s: unknown mode '%s'", spec, eq + 1);
		return -1;
	}
	*mode = (enum mode)i;
	colon = strrchr(buf, ':');
	if (colon == NULL) {
		logmsg("%s: expected ADDR:PORT=MODE", spec);
		return -1;
	}
	*colon = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535) {
		logmsg("%s: bad port '%s'", spec, colon + 1);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, buf, &sa->sin_addr) != 1) {
		logmsg("%s: '%s' is not an IPv4 address", spec, buf);
		return -1;
	}
	if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
		logmsg("%s: refusing %s: only 127.0.0.0/8 is allowed", spec,
		       buf);
		return -1;
	}
	return 0;
}

static int
open_listener(const char *spec)
{
	struct sockaddr_in sa;
	enum mode mode;
	int fd, one = 1;
	struct listener *l;

	if (n_listeners == MAX_LISTENERS) {
		logmsg("too many listeners (at most %d)", MAX_LISTENERS);
		return -1;
	}
	if (parse_spec(spec, &sa, &mode) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		logmsg("%s: socket: %s", spec, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0 || set_nonblock(fd) < 0) {
		logmsg("%s: cannot listen: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	l = &listeners[n_listeners++];
	l->fd = fd;
	l->mode = mode;
	snprintf(l->label, sizeof(l->label), "%s", spec);
	logmsg("listening on %s", spec);
	return 0;
}

static void
conn_close(struct conn *c, const char *why)
{
	logmsg("%s: %s: closing (%s; %llu bytes received)", c->l->label,
	       c->peer, why, c->received);
	close(c->fd);
	*c = conns[--n_conns];
}

static void
queue_out(struct conn *c, const char *data, size_t len)
{
	if (len > sizeof(c->out) - c->out_len)
		len = sizeof(c->out) - c->out_len;
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void
queue_str(struct conn *c, const char *s)
{
	queue_out(c, s, strlen(s));
}

/* The host name an SMTP mode announces: "<mode>.example.test". */
static void
queue_smtp_name(struct conn *c, const char *before, const char *after)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s%s.example.test%s", before,
	         mode_names[c->l->mode], after);
	queue_str(c, buf);
}

static void
accept_conn(struct listener *l)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char addr[INET_ADDRSTRLEN] = "?";
	struct conn *c;
	int fd;

	fd = accept(l->fd, (struct sockaddr *)&sa, &salen);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			logmsg("%s: accept: %s", l->label, strerror(errno));
		return;
	}
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	if (n_conns == MAX_CONNS || set_nonblock(fd) < 0) {
		logmsg("%s: %s:%u: too many connections, dropped", l->label,
		       addr, (unsigned)ntohs(sa.sin_port));
		close(fd);
		return;
	}
	c = &conns[n_conns++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->l = l;
	c->started = time(NULL);
	c->state = S_DISCARD;
	snprintf(c->peer, sizeof(c->peer), "%s:%u", addr,
	         (unsigned)ntohs(sa.sin_port));
	logmsg("%s: connection from %s", l->label, c->peer);

	switch (l->mode) {
	case M_STALL_GREETING:
		break;
	case M_GARBAGE_GREETING:
		queue_out(c, garbage, sizeof(garbage) - 1);
		break;
	case M_ENDLESS_LINE:
		c->endless_left = ENDLESS_BYTES;
		break;
	case M_STALL_EHLO:
	case M_STALL_TLS:
	case M_INJECT_STARTTLS:
		queue_smtp_name(c, "220 ", " ESMTP\r\n");
		c->state = S_COMMANDS;
		break;
	case M_BYE_IMAP:
		queue_str(c, "* BYE too busy\r\n");
		c->close_after_write = 1;
		break;
	}
}

/* The command line with control bytes escaped, for the log. */
static void
printable(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			                      ch);
	}
	out[o] = '\0';
}

static int
verb_is(const char *line, size_t len, const char *verb)
{
	size_t n = strlen(verb);
	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = line[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch != verb[i])
			return 0;
	}
	return len == n || line[n] == ' ';
}

/* One SMTP command line (without CRLF). Returns -1 to close. */
static int
smtp_command(struct conn *c, const char *line, size_t len)
{
	char shown[LINE_LEN * 4 + 1];

	printable(line, len, shown, sizeof(shown));
	logmsg("%s: %s: received '%s'", c->l->label, c->peer, shown);
	if (c->l->mode == M_STALL_EHLO) {
		/* read the EHLO, never answer */
		c->state = S_DISCARD;
		return 0;
	}
	if (verb_is(line, len, "EHLO")) {
		queue_smtp_name(c, "250-", "\r\n250 STARTTLS\r\n");
	} else if (verb_is(line, len, "HELO")) {
		queue_smtp_name(c, "250 ", "\r\n");
	} else if (verb_is(line, len, "STARTTLS")) {
		if (c->l->mode == M_INJECT_STARTTLS)
			queue_str(c, "220 go ahead\r\n250 injected\r\n");
		else
			queue_str(c, "220 go ahead\r\n");
		/* the client now starts TLS: never send another byte */
		c->state = S_DISCARD;
	} else if (verb_is(line, len, "NOOP") || verb_is(line, len, "RSET")) {
		queue_str(c, "250 2.0.0 ok\r\n");
	} else if (verb_is(line, len, "QUIT")) {
		queue_str(c, "221 2.0.0 bye\r\n");
		c->close_after_write = 1;
	} else {
		queue_str(c, "502 5.5.2 command not implemented\r\n");
	}
	return 0;
}

/* Readable: returns -1 when the connection is to be closed. */
static int
conn_read(struct conn *c)
{
	char buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n == 0) {
		conn_close(c, "closed by the client");
		return -1;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		conn_close(c, strerror(errno));
		return -1;
	}
	c->received += (unsigned long long)n;
	for (ssize_t i = 0; i < n && c->state == S_COMMANDS; i++) {
		if (buf[i] == '\n') {
			size_t len = c->line_len;
			if (len > 0 && c->line[len - 1] == '\r')
				len--;
			c->line_len = 0;
			smtp_command(c, c->line, len);
		} else if (c->line_len < sizeof(c->line)) {
			c->line[c->line_len++] = buf[i];
		}
	}
	return 0;
}

/* Writable (or something queued): returns -1 when closed. */
static int
conn_write(struct conn *c)
{
	static char as[65536];
	ssize_t n;

	if (as[0] != 'A')
		memset(as, 'A', sizeof(as));
	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		         MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			conn_close(c, strerror(errno));
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	while (c->endless_left > 0) {
		size_t chunk = c->endless_left < sizeof(as) ? c->endless_left
		                                            : sizeof(as);
		n = send(c->fd, as, chunk, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			conn_close(c, strerror(errno));
			return -1;
		}
		c->endless_left -= (size_t)n;
		if (c->endless_left == 0)
			logmsg("%s: %s: %d bytes without a newline sent, "
			       "now silent",
			       c->l->label, c->peer, ENDLESS_BYTES);
	}
	if (c->close_after_write) {
		conn_close(c, "done");
		return -1;
	}
	return 0;
}

static int
has_output(const struct conn *c)
{
	return c->out_off < c->out_len || c->endless_left > 0 ||
	       c->close_after_write;
}

static int
write_pid_file(void)
{
	FILE *f;

	if (pid_file == NULL)
		return 0;
	f = fopen(pid_file, "w");
	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
	    fclose(f) != 0) {
		logmsg("cannot write %s: %s", pid_file, strerror(errno));
		return -1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: faultserver [-p PIDFILE] ADDR:PORT=MODE...\n"
	                "modes:");
	for (size_t i = 0; i < N_MODES; i++)
		fprintf(stderr, " %s", mode_names[i]);
	fprintf(stderr, "\nADDR must be an IPv4 address in 127.0.0.0/8\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct pollfd pfd[1 + MAX_LISTENERS + MAX_CONNS];
	struct sigaction sa;
	int opt, stop = 0;

	setvbuf(stderr, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "p:h")) != -1) {
		switch (opt) {
		case 'p':
			pid_file = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc)
		usage();

	if (pipe(sig_pipe) < 0 || set_nonblock(sig_pipe[0]) < 0 ||
	    set_nonblock(sig_pipe[1]) < 0) {
		logmsg("pipe: %s", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	for (int i = optind; i < argc; i++)
		if (open_listener(argv[i]) < 0)
			return 1;
	if (write_pid_file() < 0)
		return 1;
	logmsg("ready: %zu listener(s)", n_listeners);

	while (!stop) {
		size_t np = 0, i;
		time_t now = time(NULL);

		/* drop connections past their age limit */
		for (i = 0; i < n_conns;)
			if (now - conns[i].started > CONN_MAX_AGE)
				conn_close(&conns[i], "too old");
			else
				i++;

		pfd[np].fd = sig_pipe[0];
		pfd[np++].events = POLLIN;
		for (i = 0; i < n_listeners; i++) {
			pfd[np].fd = listeners[i].fd;
			pfd[np++].events = n_conns < MAX_CONNS ? POLLIN : 0;
		}
		for (i = 0; i < n_conns; i++) {
			pfd[np].fd = conns[i].fd;
			pfd[np].events = POLLIN;
			if (has_output(&conns[i]))
				pfd[np].events |= POLLOUT;
			np++;
		}
		if (poll(pfd, (nfds_t)np, 1000) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			unsigned char b;
			if (read(sig_pipe[0], &b, 1) == 1) {
				logmsg("signal %d: exiting", (int)b);
				stop = 1;
				break;
			}
		}
		/* Connections first, walking backwards: conn_close() moves
		 * the last connection into the closed one's slot, and the
		 * pollfd entries match conns[] as they were before poll. */
		for (i = n_conns; i-- > 0;) {
			struct pollfd *p = &pfd[1 + n_listeners + i];
			struct conn *c = &conns[i];
			if (p->revents & POLLIN) {
				if (conn_read(c) < 0)
					continue;
			} else if (p->revents &
			           (POLLERR | POLLHUP | POLLNVAL)) {
				conn_close(c, "connection error");
				continue;
			}
			if (has_output(c) && conn_write(c) < 0)
				continue;
		}
		for (i = 0; i < n_listeners; i++)
			if (pfd[1 + i].revents & POLLIN)
				accept_conn(&listeners[i]);
	}
	for (size_t i = n_conns; i-- > 0;)
		conn_close(&conns[i], "exiting");
	if (pid_file != NULL)
		unlink(pid_file);
	return 0;
}
