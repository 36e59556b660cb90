/* The control socket: both ends, with credential checks and bounded reads. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/now.h"
#include "common/xmalloc.h"
#include "scheduler/control.h"

/* A client that does not read its answer holds the daemon up at most this. */
#define CTL_REPLY_MS 100

/* Fills a sockaddr_un with path; -1 when the path is too long. */
static int
ctl_addr(const char *path, struct sockaddr_un *sa, char **cause)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		xasprintf(cause, _("%s: control socket path too long (max %zu bytes)"),
		    path, sizeof sa->sun_path - 1);
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

int
sched_ctl_listen(const char *path, int *fd, char **cause)
{
	struct sockaddr_un sa;
	mode_t old;
	int s;

	if (ctl_addr(path, &sa, cause) != 0)
		return -1;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		xasprintf(cause, "%s: socket: %s", path, strerror(errno));
		return -1;
	}
	/* A socket left by a daemon that was killed: nobody answers on it. */
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
		close(s);
		xasprintf(cause, _("%s: another loaxa daemon is running on this data "
		    "directory"), path);
		return -1;
	}
	unlink(path);
	old = umask(0117);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) != 0 || listen(s, 16) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	*fd = s;
	return 0;
}

int
sched_ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	size_t i;

	if (uid == 0 || uid == geteuid() || gid == getegid())
		return 1;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == getegid())
			return 1;
	return 0;
}

/*
 * The peer's supplementary groups, as they were when it connected
 * (SO_PEERGROUPS): a member of the daemon's group by a supplementary group
 * may open the socket (mode 0660), so it may talk to the daemon too.
 * Returns how many, with *groups allocated; 0 and NULL when unknown.
 */
static size_t
ctl_peer_groups(int c, gid_t **groups)
{
	socklen_t len = 64 * sizeof **groups;
	int rc;

	*groups = xmalloc(len);
	/* Too small a buffer: ERANGE, with the size it needs in len. */
	if ((rc = getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, *groups, &len)) != 0 &&
	    errno == ERANGE && len > 0) {
		free(*groups);
		*groups = xmalloc(len);
		rc = getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, *groups, &len);
	}
	if (rc == 0 && len > 0)
		return len / sizeof **groups;
	free(*groups);
	*groups = NULL;
	return 0;
}

int
sched_ctl_accept(int listen_fd, char **cause)
{
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t len = sizeof cred;
	gid_t *groups = NULL;
	size_t ngroups = 0;
	int c, ok;

	if ((c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
		xasprintf(cause, _("control socket: accept: %s"), strerror(errno));
		return -1;
	}
	ok = getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
	if (ok)
		ngroups = ctl_peer_groups(c, &groups);
	ok = ok && sched_ctl_peer_allowed(cred.uid, cred.gid, groups, ngroups);
	free(groups);
	if (!ok) {
		xasprintf(cause, _("control socket: refused a client (uid %ld, gid %ld): "
		    "not root, this user or this group"), (long)cred.uid, (long)cred.gid);
		sched_ctl_reply(c, 1, _("refused: not allowed to control this station"), "");
		return -1;
	}
	return c;
}

/*
 * The client's read of the answer: from fd until the end, at most max bytes,
 * within timeout_ms. Returns the allocated bytes read (terminated), or NULL.
 */
static char *
ctl_read(int fd, int timeout_ms, size_t max, char **cause)
{
	long long deadline = now_mono_ms() + timeout_ms, left;
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	char *buf = xmalloc(max + 1);
	ssize_t r;

	for (;;) {
		left = deadline - now_mono_ms();
		if (left <= 0) {
			xasprintf(cause, _("timed out"));
			break;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "poll: %s", strerror(errno));
			break;
		}
		if (p.revents == 0)
			continue;
		r = read(fd, buf + n, max - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/*
		 * A daemon that answers and closes before reading all we sent
		 * (a refusal answers at once) resets the connection; the answer
		 * came before the reset, and it is all there is.
		 */
		if (r < 0 && errno == ECONNRESET && n > 0)
			r = 0;
		if (r < 0) {
			xasprintf(cause, "read: %s", strerror(errno));
			break;
		}
		n += (size_t)r;
		buf[n] = '\0';
		if (r == 0 || n == max)
			return buf;
	}
	free(buf);
	return NULL;
}

int
sched_ctl_read_some(struct sched_ctl_req *r, char **cause)
{
	ssize_t got;
	char *nl;

	for (;;) {
		got = read(r->fd, r->buf + r->n, SCHED_CTL_MAX_REQUEST - r->n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (got < 0) {
			xasprintf(cause, "read: %s", strerror(errno));
			return -1;
		}
		nl = memchr(r->buf + r->n, '\n', (size_t)got);
		r->n += (size_t)got;
		r->buf[r->n] = '\0';
		if (nl != NULL)
			*nl = '\0';
		/* A client that closes without a newline: what it sent is its request. */
		if (nl != NULL || got == 0)
			return 1;
		if (r->n == SCHED_CTL_MAX_REQUEST) {
			xasprintf(cause, _("request longer than %d bytes"), SCHED_CTL_MAX_REQUEST);
			return -1;
		}
	}
}

/*
 * Writes all of buf, ignoring a client that went away. On a non-blocking fd
 * whose peer does not read, waits for room until deadline (monotonic ms),
 * then gives up on the rest.
 */
static void
ctl_write_all(int fd, const char *buf, size_t len, long long deadline)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	long long left;
	ssize_t w;

	while (len > 0) {
		w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			left = deadline - now_mono_ms();
			if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
				return;
			continue;
		}
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

void
sched_ctl_reply(int fd, int status, const char *message, const char *body)
{
	long long deadline = now_mono_ms() + CTL_REPLY_MS;
	char *head;
	int n;

	n = xasprintf(&head, "%d %s\n", status, message);
	ctl_write_all(fd, head, (size_t)n, deadline);
	if (body != NULL)
		ctl_write_all(fd, body, strlen(body), deadline);
	free(head);
	close(fd);
}

int
sched_ctl_request(const char *path, const char *request, int timeout_ms,
    char **message, char **body, char **cause)
{
	struct sockaddr_un sa;
	char *reply, *err = NULL, *nl;
	int s, status;

	*message = *body = NULL;
	if (ctl_addr(path, &sa, cause) != 0)
		return -1;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		xasprintf(cause, _("%s: no loaxa daemon is running here (%s); start it "
		    "with 'loaxa run' or 'systemctl start loaxa'"), path, strerror(errno));
		close(s);
		return -1;
	}
	/* A blocking socket: send waits for room, and the deadline never counts. */
	ctl_write_all(s, request, strlen(request), 0);
	ctl_write_all(s, "\n", 1, 0);
	reply = ctl_read(s, timeout_ms, 1 << 20, &err);
	close(s);
	if (reply == NULL || (nl = strchr(reply, '\n')) == NULL) {
		xasprintf(cause, _("%s: the daemon did not answer (%s)"), path,
		    err ? err : _("connection closed"));
		free(err);
		free(reply);
		return -1;
	}
	*nl = '\0';
	status = atoi(reply);
	*message = xstrdup(strchr(reply, ' ') ? strchr(reply, ' ') + 1 : "");
	*body = xstrdup(nl + 1);
	free(reply);
	return status;
}
