/*
 * The control socket: a Unix stream socket in the data directory, mode 0660.
 * A client sends one request line ("status json", "play 12 emergency",
 * "play 12 emergency by NAME" (who asked, for the daemon's log), "stop",
 * "skip", "reload"); the daemon answers with a status line
 * "<exit status> <message>" and then a body, and closes.
 */
#ifndef LOAXA_CONTROL_H
#define LOAXA_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#define SCHED_CTL_NAME "control.sock"
#define SCHED_CTL_MAX_REQUEST 1024

/* Creates, binds (mode 0660) and listens; -1 with *cause. */
int sched_ctl_listen(const char *path, int *fd, char **cause);

/*
 * Accepts one client and checks its credentials (SO_PEERCRED and
 * SO_PEERGROUPS): root, this user, or a member of this group, before
 * anything is read. Returns the client fd, non-blocking, or -1 (refused or
 * nothing to accept).
 */
int sched_ctl_accept(int listen_fd, char **cause);

/*
 * Whether a peer with these credentials may control the daemon: root, the
 * daemon's effective user, or its effective group as the peer's primary
 * group or one of its ngroups supplementary groups.
 */
int sched_ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups,
    size_t ngroups);

/* A request line being read from a client, as its bytes arrive. */
struct sched_ctl_req {
	int fd;
	size_t n;
	char buf[SCHED_CTL_MAX_REQUEST + 1];
};

/*
 * Reads what the client has sent so far without blocking (fd is
 * non-blocking). Returns 1 when the request is whole: r->buf holds the line
 * without its newline (or all the client sent before it closed); 0 when more
 * is to come; -1 with *cause (longer than SCHED_CTL_MAX_REQUEST, a read
 * error).
 */
int sched_ctl_read_some(struct sched_ctl_req *r, char **cause);

/*
 * Writes the answer "<status> <message>\n<body>" and closes fd. On the
 * daemon's non-blocking fds, a client that does not read its answer holds
 * the caller up for at most 100 ms when the answer is more than the
 * socket's buffer takes; the rest is then dropped.
 */
void sched_ctl_reply(int fd, int status, const char *message, const char *body);

/*
 * Client side: sends request to the daemon at path and reads the answer.
 * Returns the daemon's status (0..3) with *message and *body allocated, or
 * -1 with *cause (no daemon, refused, timed out).
 */
int sched_ctl_request(const char *path, const char *request, int timeout_ms,
    char **message, char **body, char **cause);

#endif
