/*
 * Unit tests for scheduler/loop.c on real descriptors (pipes): callbacks for
 * ready descriptors only, deletion and addition from inside a callback, fd
 * numbers reused in the same pass, timers in order, cancelled, and added from
 * a timer. Timers are set in the past, so that no test waits on the clock.
 */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scheduler/loop.h"

/* What the callbacks saw. */
struct seen {
	struct sched_loop *loop;
	int calls[8];       /* per pipe: calls of its fd callback */
	int fds[8][2];
	int del_other;      /* pipe whose fd the callback of pipe 0 deletes, or -1 */
	int add_other;      /* pipe whose fd the callback of pipe 0 adds, or -1 */
	uint64_t order[8];  /* timer ids in the order they fired */
	size_t nfired;
	uint64_t cancel;    /* a timer the first timer to fire cancels */
	int rearm;          /* timers to add from a timer callback, due at once */
};

static struct seen s;

static void
on_fd(struct sched_loop *l, int fd, short revents, void *arg)
{
	int k = (int)(intptr_t)arg;
	char c;

	ck_assert_ptr_eq(l, s.loop);
	ck_assert_int_eq(fd, s.fds[k][0]);
	ck_assert(revents & POLLIN);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	s.calls[k]++;
	if (k == 0 && s.del_other >= 0)
		ck_assert_int_eq(sched_loop_del_fd(l, s.fds[s.del_other][0]), 0);
	if (k == 0 && s.add_other >= 0)
		ck_assert_int_eq(sched_loop_add_fd(l, s.fds[s.add_other][0], POLLIN, on_fd,
		    (void *)(intptr_t)s.add_other), 0);
}

static void
on_timer(struct sched_loop *l, uint64_t id, void *arg)
{
	(void)arg;
	s.order[s.nfired++] = id;
	if (s.cancel != 0) {
		sched_loop_del_timer(l, s.cancel);
		s.cancel = 0;
	}
	if (s.rearm > 0) {
		s.rearm--;
		sched_loop_add_timer(l, sched_loop_now() - 1, on_timer, NULL);
	}
}

static void
setup(void)
{
	char *cause = NULL;
	int k;

	memset(&s, 0, sizeof s);
	s.del_other = s.add_other = -1;
	s.loop = sched_loop_new(&cause);
	ck_assert_ptr_nonnull(s.loop);
	for (k = 0; k < 4; k++)
		ck_assert_int_eq(pipe2(s.fds[k], O_NONBLOCK | O_CLOEXEC), 0);
}

static void
teardown(void)
{
	int k;

	sched_loop_free(&s.loop);
	ck_assert_ptr_null(s.loop);
	for (k = 0; k < 4; k++) {
		close(s.fds[k][0]);
		close(s.fds[k][1]);
	}
}

static void
fill(int k)
{
	ck_assert_int_eq(write(s.fds[k][1], "x", 1), 1);
}

static void
add(int k)
{
	ck_assert_int_eq(sched_loop_add_fd(s.loop, s.fds[k][0], POLLIN, on_fd,
	    (void *)(intptr_t)k), 0);
}

static void
once(void)
{
	char *cause = NULL;

	ck_assert_msg(sched_loop_once(s.loop, &cause) == 0, "%s", cause);
}

/* Only the descriptors that are ready are called; a quiet one is not. */
START_TEST(test_ready_only)
{
	add(0);
	add(1);
	add(2);
	fill(1);
	once();
	ck_assert_int_eq(s.calls[0], 0);
	ck_assert_int_eq(s.calls[1], 1);
	ck_assert_int_eq(s.calls[2], 0);
	fill(0);
	fill(2);
	once();
	ck_assert_int_eq(s.calls[0], 1);
	ck_assert_int_eq(s.calls[1], 1);
	ck_assert_int_eq(s.calls[2], 1);
}
END_TEST

/* Twice the same fd, or deleting one never added, is refused. */
START_TEST(test_registration)
{
	add(0);
	ck_assert_int_eq(sched_loop_add_fd(s.loop, s.fds[0][0], POLLIN, on_fd, NULL), -1);
	ck_assert_int_eq(sched_loop_add_fd(s.loop, -1, POLLIN, on_fd, NULL), -1);
	ck_assert_int_eq(sched_loop_del_fd(s.loop, s.fds[1][0]), -1);
	ck_assert_int_eq(sched_loop_del_fd(s.loop, s.fds[0][0]), 0);
	ck_assert_int_eq(sched_loop_del_fd(s.loop, s.fds[0][0]), -1);
	/* Deleted: no longer heard (a due timer ends the pass). */
	fill(0);
	sched_loop_add_timer(s.loop, sched_loop_now() - 1, on_timer, NULL);
	once();
	ck_assert_int_eq(s.calls[0], 0);
	ck_assert_uint_eq(s.nfired, 1);
	add(0);
	once();
	ck_assert_int_eq(s.calls[0], 1);
}
END_TEST

/* A callback deletes a later descriptor that is ready too: it is not called. */
START_TEST(test_delete_in_callback)
{
	add(0);
	add(1);
	add(2);
	s.del_other = 1;
	fill(0);
	fill(1);
	fill(2);
	once();
	ck_assert_int_eq(s.calls[0], 1);
	ck_assert_int_eq(s.calls[1], 0);
	ck_assert_int_eq(s.calls[2], 1);
	/* Still ready, but no longer registered. */
	s.del_other = -1;
	fill(0);
	once();
	ck_assert_int_eq(s.calls[1], 0);
	ck_assert_int_eq(sched_loop_del_fd(s.loop, s.fds[1][0]), -1);
}
END_TEST

/* A descriptor added by a callback is heard from the next pass on. */
START_TEST(test_add_in_callback)
{
	add(0);
	s.add_other = 3;
	fill(0);
	fill(3);
	once();
	ck_assert_int_eq(s.calls[0], 1);
	ck_assert_int_eq(s.calls[3], 0);
	s.add_other = -1;
	once();
	ck_assert_int_eq(s.calls[3], 1);
}
END_TEST

/* An fd number deleted, closed and reused belongs to its new registration. */
START_TEST(test_fd_reused)
{
	int old;

	add(0);
	add(1);
	s.del_other = 1;
	fill(0);
	fill(1);
	/* Pipe 1's read end is deleted by pipe 0's callback, and its number... */
	once();
	ck_assert_int_eq(s.calls[1], 0);
	old = s.fds[1][0];
	close(s.fds[1][0]);
	close(s.fds[1][1]);
	/* ...comes back for a new pipe, registered afresh. */
	ck_assert_int_eq(pipe2(s.fds[1], O_NONBLOCK | O_CLOEXEC), 0);
	ck_assert_int_eq(s.fds[1][0], old);
	s.del_other = -1;
	add(1);
	fill(1);
	once();
	ck_assert_int_eq(s.calls[1], 1);
}
END_TEST

/* Due timers fire earliest first, once; a cancelled one never; ids are unique. */
START_TEST(test_timers)
{
	int64_t now = sched_loop_now();
	uint64_t a, b, c, d, far;

	c = sched_loop_add_timer(s.loop, now - 10, on_timer, NULL);
	a = sched_loop_add_timer(s.loop, now - 30, on_timer, NULL);
	d = sched_loop_add_timer(s.loop, now - 5, on_timer, NULL);
	b = sched_loop_add_timer(s.loop, now - 20, on_timer, NULL);
	far = sched_loop_add_timer(s.loop, now + 3600 * 1000, on_timer, NULL);
	ck_assert(a != 0 && b != 0 && c != 0 && d != 0 && far != 0);
	ck_assert(a != b && a != c && a != d && b != c && b != d && c != d);
	sched_loop_del_timer(s.loop, d);
	s.cancel = c; /* the first to fire cancels c, though it is due too */
	once();
	ck_assert_uint_eq(s.nfired, 2);
	ck_assert_uint_eq(s.order[0], a);
	ck_assert_uint_eq(s.order[1], b);
	/* Spent, cancelled and unknown ids are ignored. */
	sched_loop_del_timer(s.loop, a);
	sched_loop_del_timer(s.loop, 0);
	sched_loop_del_timer(s.loop, 9999);
	sched_loop_del_timer(s.loop, far);
	/* Nothing left to fire: a ready pipe ends the next pass. */
	add(0);
	fill(0);
	once();
	ck_assert_uint_eq(s.nfired, 2);
	ck_assert_int_eq(s.calls[0], 1);
}
END_TEST

/* A timer set by a timer, already due, fires in the next pass, not this one. */
START_TEST(test_timer_from_timer)
{
	uint64_t first;

	s.rearm = 1;
	first = sched_loop_add_timer(s.loop, sched_loop_now() - 1, on_timer, NULL);
	once();
	ck_assert_uint_eq(s.nfired, 1);
	ck_assert_uint_eq(s.order[0], first);
	once();
	ck_assert_uint_eq(s.nfired, 2);
	ck_assert(s.order[1] > first);
}
END_TEST

/* Many timers in a scrambled order come out sorted (the heap). */
START_TEST(test_timer_heap)
{
	static const int offs[] = { 7, 3, 5, 1, 6, 2, 4 };
	int64_t now = sched_loop_now();
	uint64_t ids[7];
	size_t i, j;

	for (i = 0; i < 7; i++)
		ids[i] = sched_loop_add_timer(s.loop, now - 100 + offs[i], on_timer, NULL);
	once();
	ck_assert_uint_eq(s.nfired, 7);
	for (i = 0; i < 7; i++) {
		for (j = 0; j < 7 && ids[j] != s.order[i]; j++)
			;
		ck_assert_uint_lt(j, 7);
		ck_assert_int_eq(offs[j], (int)i + 1);
	}
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("loop");
	TCase *tc = tcase_create("loop");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ready_only);
	tcase_add_test(tc, test_registration);
	tcase_add_test(tc, test_delete_in_callback);
	tcase_add_test(tc, test_add_in_callback);
	tcase_add_test(tc, test_fd_reused);
	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_timer_from_timer);
	tcase_add_test(tc, test_timer_heap);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
