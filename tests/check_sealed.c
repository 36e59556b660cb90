/*
 * Unit tests for scheduler/sealed.c: the airing child's private copy of a
 * bulletin has the file's bytes, and nobody can change it afterwards, not
 * through the stored file, not through the copy itself.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "scheduler/sealed.h"
#include "tests/testutil.h"

START_TEST(test_copy_is_sealed)
{
	char *dir = tu_tmpdir(), *path = tu_write(dir, "b.wav", "approved bytes");
	char buf[64], again[32], *cause = NULL, *back;
	size_t len;
	int fd, w, rd;

	ck_assert_int_ge(fd = sched_sealed_copy(path, &cause), 0);
	ck_assert_ptr_null(cause);
	/* The stored file is written over, and grows, after the copy. */
	ck_assert_int_ge(w = open(path, O_WRONLY | O_TRUNC), 0);
	ck_assert_int_eq(write(w, "tampered bytes, and more", 24), 24);
	close(w);
	ck_assert_int_eq(pread(fd, buf, sizeof buf, 0), 14);
	ck_assert(memcmp(buf, "approved bytes", 14) == 0);
	/* The copy refuses writes, growth, shrinking and new seals. */
	ck_assert_int_eq(pwrite(fd, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_ne(ftruncate(fd, 100), 0);
	ck_assert_int_ne(ftruncate(fd, 1), 0);
	ck_assert_int_ne(fcntl(fd, F_ADD_SEALS, 0), 0);
	ck_assert_int_eq(fcntl(fd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_GROW |
	    F_SEAL_SHRINK | F_SEAL_SEAL), F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL);
	/* Reopened by its path, as the decoder opens it, it reads the copy. */
	sched_sealed_path(fd, again, sizeof again);
	ck_assert_ptr_nonnull(back = tu_read(again, &len));
	ck_assert_uint_eq(len, 14);
	ck_assert(memcmp(back, "approved bytes", 14) == 0);
	/* Reopened for writing, it still takes no write. */
	ck_assert_int_ge(rd = open(again, O_RDWR), 0);
	ck_assert_int_eq(write(rd, "x", 1), -1);
	ck_assert_int_eq(errno, EPERM);
	close(rd);
	free(back);
	close(fd);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_missing_file)
{
	char *dir = tu_tmpdir(), *path, *cause = NULL;

	xasprintf(&path, "%s/none.wav", dir);
	ck_assert_int_eq(sched_sealed_copy(path, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "none.wav"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(sched_sealed_copy(dir, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a regular file"));
	free(cause);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sealed");
	TCase *tc = tcase_create("sealed");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_copy_is_sealed);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
