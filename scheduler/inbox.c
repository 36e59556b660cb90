/*
 * The package inbox: watched with inotify (no polling), imported by a child
 * `loaxa inbox` so that decoding a large package never holds up the loop.
 * It starts only when nothing is on air, so the import's disk and CPU load
 * never share the air with a bulletin.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "config/config.h"
#include "library/library.h"
#include "scheduler/daemon.h"
#include "scheduler/internal.h"
#include "scheduler/loop.h"

/*
 * Whether a package waits in dir: a regular file (not a link, a FIFO or a
 * folder someone planted) whose name does not start with '.'.
 */
static int
inbox_waiting(const char *dir)
{
	struct dirent *e;
	struct stat st;
	DIR *dp;
	int found = 0;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_UNKNOWN)
			found = fstatat(dirfd(dp), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode);
		else
			found = e->d_type == DT_REG;
	}
	closedir(dp);
	return found;
}

/* Drains the inotify events: a file was written or moved into the inbox. */
static void inbox_events(struct sched_loop *, int, short, void *);

void
sched_inbox_open(struct daemon *d)
{
	const char *dir = d->cfg->paths.inbox;

	d->inbox.fd = -1;
	if (dir == NULL)
		return;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_warn(_("inbox %s: %s; packages must be imported by hand"), dir,
		    strerror(errno));
		return;
	}
	d->inbox.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inbox.fd < 0 || inotify_add_watch(d->inbox.fd, dir,
	    IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		log_warn(_("inbox %s: cannot watch it (%s); packages must be imported "
		    "by hand"), dir, strerror(errno));
		if (d->inbox.fd >= 0)
			close(d->inbox.fd);
		d->inbox.fd = -1;
		return;
	}
	sched_loop_add_fd(d->loop, d->inbox.fd, POLLIN, inbox_events, d);
	d->inbox.due = inbox_waiting(dir); /* what arrived while the daemon was off */
}

static void
inbox_events(struct sched_loop *loop, int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t r;
	char *p;

	(void)loop;
	(void)revents;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		for (p = buf; p < buf + r; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->len > 0 && ev->name[0] != '.' && !(ev->mask & IN_ISDIR))
				d->inbox.due = 1;
		}
}

/* The settle time is over: look at the inbox again. */
static void
inbox_retry(struct sched_loop *loop, uint64_t id, void *arg)
{
	struct daemon *d = arg;

	(void)loop;
	(void)id;
	d->inbox.retry = 0;
	d->inbox.due = 1;
}

void
sched_inbox_reap(struct daemon *d)
{
	int status, ok;

	if (d->inbox.pid <= 0 || waitpid(d->inbox.pid, &status, WNOHANG) != d->inbox.pid)
		return;
	ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		log_warn(_("inbox: a package was refused (see inbox/rejected/)"));
	else if (!ok)
		sched_daemon_error(d, _("inbox: the import failed (status %d)"), status);
	d->inbox.pid = 0;
	/*
	 * A package left because it was still being copied in is looked at
	 * again once it can have settled. Not after a failure (done/ or
	 * rejected/ not the daemon's, say): retrying would only loop.
	 */
	if (ok && d->inbox.retry == 0 && inbox_waiting(d->cfg->paths.inbox))
		d->inbox.retry = sched_loop_add_timer(d->loop,
		    sched_loop_now() + LIB_INBOX_SETTLE_MS, inbox_retry, d);
}

void
sched_inbox_run(struct daemon *d)
{
	const char *argv[5];
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int i = 0, e;

	if (!d->inbox.due || d->inbox.pid > 0 || d->air_active || d->stopping)
		return;
	d->inbox.due = 0;
	argv[i++] = "loaxa";
	if (d->opts->config_path != NULL) {
		argv[i++] = "-c";
		argv[i++] = d->opts->config_path;
	}
	argv[i++] = "inbox";
	argv[i] = NULL;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&d->inbox.pid, "/proc/self/exe", NULL, &attr,
	    (char *const *)(void *)argv, environ);
	posix_spawnattr_destroy(&attr);
	if (e != 0) {
		d->inbox.pid = 0;
		sched_daemon_error(d, _("inbox: cannot start the import: %s"), strerror(e));
	}
}

void
sched_inbox_close(struct daemon *d)
{
	if (d->inbox.retry != 0)
		sched_loop_del_timer(d->loop, d->inbox.retry);
	d->inbox.retry = 0;
	if (d->inbox.fd >= 0) {
		sched_loop_del_fd(d->loop, d->inbox.fd);
		close(d->inbox.fd);
		d->inbox.fd = -1;
	}
	if (d->inbox.pid > 0)
		while (waitpid(d->inbox.pid, NULL, 0) < 0 && errno == EINTR)
			;
	d->inbox.pid = 0;
}
