/*
 * The event loop: descriptors in an array in the order they were added (a
 * handful: walked, not hashed), timers in a binary min-heap by (at, id), and
 * one timerfd armed for the heap's top, so that the next timer costs O(1) to
 * find and O(log n) to take.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/now.h"
#include "common/xmalloc.h"
#include "scheduler/loop.h"

struct loop_fd {
	int fd;              /* -1: deleted during this pass */
	short events;
	sched_loop_fd_fn *fn;
	void *arg;
};

struct loop_timer {
	int64_t at;
	uint64_t id;
	sched_loop_timer_fn *fn;
	void *arg;
};

struct sched_loop {
	int tfd;
	struct loop_fd *fds;
	size_t nfds, fds_cap;
	struct pollfd *pfd;  /* [0] the timerfd, then fds as they were polled */
	size_t pfd_cap;
	int dispatching;     /* deletions only mark entries while set */
	struct loop_timer *heap;
	size_t ntimers, heap_cap;
	uint64_t next_id;
};

int64_t
sched_loop_now(void)
{
	return now_mono_ms();
}

struct sched_loop *
sched_loop_new(char **cause)
{
	struct sched_loop *l;
	int tfd;

	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0) {
		xasprintf(cause, "timerfd: %s", strerror(errno));
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	l->tfd = tfd;
	l->next_id = 1;
	return l;
}

void
sched_loop_free(struct sched_loop **lp)
{
	struct sched_loop *l = *lp;

	if (l == NULL)
		return;
	close(l->tfd);
	free(l->fds);
	free(l->pfd);
	free(l->heap);
	free(l);
	*lp = NULL;
}

/* The live entry for fd, or NULL. */
static struct loop_fd *
loop_find(struct sched_loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int
sched_loop_add_fd(struct sched_loop *l, int fd, short events, sched_loop_fd_fn *fn,
    void *arg)
{
	if (fd < 0 || loop_find(l, fd) != NULL)
		return -1;
	if (l->nfds == l->fds_cap) {
		l->fds_cap = l->fds_cap ? l->fds_cap * 2 : 8;
		l->fds = xreallocarray(l->fds, l->fds_cap, sizeof *l->fds);
	}
	l->fds[l->nfds++] = (struct loop_fd){ fd, events, fn, arg };
	return 0;
}

int
sched_loop_del_fd(struct sched_loop *l, int fd)
{
	struct loop_fd *e;

	if (fd < 0 || (e = loop_find(l, fd)) == NULL)
		return -1;
	if (l->dispatching) {
		e->fd = -1; /* its slot in pfd stays put until the pass is over */
		return 0;
	}
	memmove(e, e + 1, (size_t)(l->fds + l->nfds - (e + 1)) * sizeof *e);
	l->nfds--;
	return 0;
}

/* Whether timer a is due before timer b. */
static int
timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->at < b->at || (a->at == b->at && a->id < b->id);
}

static void
heap_swap(struct loop_timer *h, size_t i, size_t j)
{
	struct loop_timer t = h[i];

	h[i] = h[j];
	h[j] = t;
}

/* Restores the heap order around index i after it changed. */
static void
heap_fix(struct sched_loop *l, size_t i)
{
	struct loop_timer *h = l->heap;
	size_t c, n = l->ntimers;

	while (i > 0 && timer_before(&h[i], &h[(i - 1) / 2])) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && timer_before(&h[c + 1], &h[c]))
			c++;
		if (!timer_before(&h[c], &h[i]))
			break;
		heap_swap(h, i, c);
		i = c;
	}
}

/* Takes the timer at index i out of the heap. */
static void
heap_remove(struct sched_loop *l, size_t i)
{
	l->heap[i] = l->heap[--l->ntimers];
	if (i < l->ntimers)
		heap_fix(l, i);
}

uint64_t
sched_loop_add_timer(struct sched_loop *l, int64_t at, sched_loop_timer_fn *fn, void *arg)
{
	if (l->ntimers == l->heap_cap) {
		l->heap_cap = l->heap_cap ? l->heap_cap * 2 : 8;
		l->heap = xreallocarray(l->heap, l->heap_cap, sizeof *l->heap);
	}
	l->heap[l->ntimers] = (struct loop_timer){ at, l->next_id, fn, arg };
	heap_fix(l, l->ntimers++);
	return l->next_id++;
}

void
sched_loop_del_timer(struct sched_loop *l, uint64_t id)
{
	size_t i;

	for (i = 0; id != 0 && i < l->ntimers; i++)
		if (l->heap[i].id == id) {
			heap_remove(l, i);
			return;
		}
}

/* Arms the timerfd for the earliest timer, or disarms it when there is none. */
static void
loop_arm(struct sched_loop *l)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int64_t at;

	if (l->ntimers > 0) {
		at = l->heap[0].at > 0 ? l->heap[0].at : 0;
		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Calls the timers due by now that were set before this pass. */
static void
loop_timers(struct sched_loop *l)
{
	uint64_t limit = l->next_id;
	int64_t now = sched_loop_now();
	struct loop_timer t;

	while (l->ntimers > 0 && l->heap[0].at <= now && l->heap[0].id < limit) {
		t = l->heap[0];
		heap_remove(l, 0);
		t.fn(l, t.id, t.arg);
	}
}

int
sched_loop_once(struct sched_loop *l, char **cause)
{
	size_t i, n, k;
	uint64_t ticks;

	if (l->pfd_cap < l->nfds + 1) {
		l->pfd_cap = l->nfds + 1;
		l->pfd = xreallocarray(l->pfd, l->pfd_cap, sizeof *l->pfd);
	}
	loop_arm(l);
	l->pfd[0] = (struct pollfd){ l->tfd, POLLIN, 0 };
	n = l->nfds;
	for (i = 0; i < n; i++)
		l->pfd[i + 1] = (struct pollfd){ l->fds[i].fd, l->fds[i].events, 0 };
	if (poll(l->pfd, (nfds_t)n + 1, -1) < 0) {
		if (errno == EINTR)
			return 0;
		xasprintf(cause, "poll: %s", strerror(errno));
		return -1;
	}
	if (l->pfd[0].revents != 0 && read(l->tfd, &ticks, sizeof ticks) < 0)
		ticks = 0;
	l->dispatching = 1;
	loop_timers(l);
	/* fds[i] is pfd[i + 1] until the pass is over: deletions only mark. */
	for (i = 0; i < n; i++)
		if (l->pfd[i + 1].revents != 0 && l->fds[i].fd >= 0)
			l->fds[i].fn(l, l->fds[i].fd, l->pfd[i + 1].revents, l->fds[i].arg);
	l->dispatching = 0;
	for (i = k = 0; i < l->nfds; i++)
		if (l->fds[i].fd >= 0)
			l->fds[k++] = l->fds[i];
	l->nfds = k;
	return 0;
}
