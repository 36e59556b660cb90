/* The airing child process and the daemon's side of its pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "scheduler/airing.h"
#include "scheduler/airing_child.h"

struct sched_airing {
	pid_t pid;
	int fd;
	char buf[512];
	size_t len;
	int eof;
	int done;
};

int
sched_airing_spawn(const struct sched_airing_spec *spec, struct sched_airing **out,
    char **cause)
{
	struct sched_airing *a;
	int p[2];
	pid_t pid;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		xasprintf(cause, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/*
		 * The child holds nothing of the daemon's but its pipe: with the
		 * control socket inherited, a player fading out after its daemon
		 * was killed made the restarted daemon see "another daemon".
		 */
		if (p[1] > 3)
			close_range(3, (unsigned)p[1] - 1, 0);
		close_range((unsigned)p[1] + 1, ~0U, 0);
		_exit(spec->relay_source != NULL ? sched_relay_child(spec, p[1]) :
		    sched_airing_child(spec, p[1]));
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	a = xcalloc(1, sizeof *a);
	a->pid = pid;
	a->fd = p[0];
	*out = a;
	return 0;
}

int
sched_airing_fd(const struct sched_airing *a)
{
	return a->fd;
}

pid_t
sched_airing_pid(const struct sched_airing *a)
{
	return a->pid;
}

/*
 * Splits the child's "code: detail" into the event's reason and detail; a
 * failure in words of its own is the player's, the words its detail.
 */
static void
airing_reason(struct sched_airing_event *ev, const char *text)
{
	const char *detail;

	ev->reason = sched_reason_code(text, &detail);
	if (ev->reason == SCHED_R_NONE && *text != '\0')
		ev->reason = SCHED_R_PLAYER;
	snprintf(ev->detail, sizeof ev->detail, "%s", detail);
	ev->device = ev->reason == SCHED_R_DEVICE;
}

/* Parses one line "S at", "P ms" or "D outcome ms reason" into *ev. */
static int
airing_parse(const char *line, struct sched_airing_event *ev)
{
	char outcome[16] = "";
	long long a = 0;
	int n = 0;

	memset(ev, 0, sizeof *ev);
	switch (line[0]) {
	case 'S':
		ev->kind = SCHED_AIRING_STARTED;
		ev->at = atoll(line + 1);
		return 1;
	case 'P':
		ev->kind = SCHED_AIRING_PROGRESS;
		ev->played_ms = atoll(line + 1);
		return 1;
	case 'F':
		ev->kind = SCHED_AIRING_FAULT;
		if (sscanf(line + 1, " %lld %n", &a, &n) < 1)
			return 0;
		ev->at = a;
		airing_reason(ev, line + 1 + n);
		return 1;
	case 'R':
		ev->kind = SCHED_AIRING_BACK;
		ev->at = atoll(line + 1);
		return 1;
	case 'B':
	case 'E':
		ev->kind = line[0] == 'B' ? SCHED_AIRING_FB_START : SCHED_AIRING_FB_END;
		if (sscanf(line + 1, " %zu %lld %15s %n", &ev->index, &a, outcome, &n) < 2)
			return 0;
		ev->at = ev->played_ms = a;
		if (n > 0)
			snprintf(ev->detail, sizeof ev->detail, "%s", line + 1 + n);
		ev->end = strcmp(outcome, "completed") == 0 ? SCHED_AIRING_COMPLETED :
		    strcmp(outcome, "stopped") == 0 ? SCHED_AIRING_STOPPED :
		    SCHED_AIRING_FAILED;
		return 1;
	case 'X':
		ev->kind = SCHED_AIRING_FB_REFUSED;
		if (sscanf(line + 1, " %zu %n", &ev->index, &n) < 1)
			return 0;
		airing_reason(ev, line + 1 + n);
		return 1;
	case 'D':
		ev->kind = SCHED_AIRING_DONE;
		if (sscanf(line + 1, " %15s %lld %n", outcome, &a, &n) < 2)
			return 0;
		ev->end = strcmp(outcome, "completed") == 0 ? SCHED_AIRING_COMPLETED :
		    strcmp(outcome, "stopped") == 0 ? SCHED_AIRING_STOPPED :
		    SCHED_AIRING_FAILED;
		ev->played_ms = a;
		airing_reason(ev, line + 1 + n);
		return 1;
	default:
		return 0;
	}
}

/* Reaps the child and describes how it ended when it never said. */
static void
airing_reap(struct sched_airing *a, struct sched_airing_event *ev)
{
	int status = 0;
	pid_t r;

	memset(ev, 0, sizeof *ev);
	ev->kind = SCHED_AIRING_DONE;
	ev->end = SCHED_AIRING_FAILED;
	ev->reason = SCHED_R_PLAYER;
	do
		r = waitpid(a->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r == a->pid) {
		a->pid = -1;
		if (WIFSIGNALED(status))
			snprintf(ev->detail, sizeof ev->detail,
			    "crashed (signal %d, %s)", WTERMSIG(status),
			    strsignal(WTERMSIG(status)));
		else
			snprintf(ev->detail, sizeof ev->detail,
			    "exited with status %d", WEXITSTATUS(status));
	} else
		snprintf(ev->detail, sizeof ev->detail, "vanished");
}

int
sched_airing_read(struct sched_airing *a, struct sched_airing_event *ev)
{
	char *nl;
	ssize_t r;
	int ok;

	for (;;) {
		if ((nl = memchr(a->buf, '\n', a->len)) != NULL) {
			*nl = '\0';
			ok = airing_parse(a->buf, ev);
			a->len -= (size_t)(nl + 1 - a->buf);
			memmove(a->buf, nl + 1, a->len);
			if (!ok)
				continue;
			if (ev->kind == SCHED_AIRING_DONE)
				a->done = 1;
			return 1;
		}
		if (a->eof) {
			if (a->done)
				return 0;
			airing_reap(a, ev);
			a->done = 1;
			return -1;
		}
		if (a->len == sizeof a->buf)
			a->len = 0; /* a line too long to be ours: drop it */
		r = read(a->fd, a->buf + a->len, sizeof a->buf - a->len);
		if (r > 0)
			a->len += (size_t)r;
		else if (r == 0)
			a->eof = 1;
		else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN)
			return 0;
		else
			a->eof = 1;
	}
}

void
sched_airing_stop(struct sched_airing *a)
{
	if (a->pid > 0)
		kill(a->pid, SIGTERM);
}

void
sched_airing_kill(struct sched_airing *a)
{
	if (a->pid > 0)
		kill(a->pid, SIGKILL);
}

void
sched_airing_free(struct sched_airing **ap)
{
	struct sched_airing *a = *ap;
	int status;

	if (a == NULL)
		return;
	if (a->pid > 0) {
		/* After its report the child only closes the device and exits. */
		if (!a->done)
			kill(a->pid, SIGKILL);
		while (waitpid(a->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(a->fd);
	free(a);
	*ap = NULL;
}
