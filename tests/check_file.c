/*
 * Unit tests for common/file.c: writing a file whole or not at all through a
 * temporary file beside it (file_tmp_open, file_tmp_commit).
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/xmalloc.h"
#include "tests/testutil.h"

/* How many entries dir has besides . and .. */
static int
entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Writes text to fd whole. */
static void
put(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* A new file appears under its name with its bytes and mode; nothing else is left. */
START_TEST(test_write_new)
{
	char *dir = tu_tmpdir(), *path, *tmp = NULL, *cause = NULL, *data;
	struct stat sb;
	mode_t old = umask(022);
	int fd;

	xasprintf(&path, "%s/report.csv", dir);
	fd = file_tmp_open(path, NULL, 0664, &tmp, &cause);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(cause);
	/* Beside the file it stands for, named after it, not the file yet. */
	ck_assert_int_eq(strncmp(tmp, path, strlen(path)), 0);
	ck_assert_int_eq(strncmp(tmp + strlen(path), FILE_TMP_INFIX,
	    strlen(FILE_TMP_INFIX)), 0);
	ck_assert_uint_eq(strlen(tmp), strlen(path) + strlen(FILE_TMP_INFIX) + 6);
	ck_assert_int_ne(access(path, F_OK), 0);
	put(fd, "a,b\n1,2\n");
	ck_assert_int_eq(file_tmp_commit(fd, tmp, path, &cause), 0);
	ck_assert_ptr_null(cause);
	close(fd);
	ck_assert_str_eq(data = tu_read(path, NULL), "a,b\n1,2\n");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0644); /* 0664 under umask 022 */
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(entries(dir), 1);
	umask(old);
	tu_rmtree(dir);
	free(data);
	free(tmp);
	free(path);
	free(dir);
}
END_TEST

/*
 * A directory's hidden temporary files end in the tail given; two at once
 * have different names; replacing an existing file leaves only the new bytes.
 */
START_TEST(test_replace_and_tail)
{
	char *dir = tu_tmpdir(), *prefix, *a = NULL, *b = NULL, *cause = NULL;
	char *path, *data;
	int fa, fb;

	xasprintf(&prefix, "%s/", dir);
	fa = file_tmp_open(prefix, ".wav", 0640, &a, &cause);
	fb = file_tmp_open(prefix, ".wav", 0640, &b, &cause);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_ge(fb, 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a + strlen(prefix), FILE_TMP_INFIX,
	    strlen(FILE_TMP_INFIX)), 0);
	ck_assert_str_eq(a + strlen(a) - 4, ".wav");
	path = tu_write(dir, "x.wav", "old bytes, longer than the new");
	put(fa, "new");
	ck_assert_int_eq(file_tmp_commit(fa, a, path, &cause), 0);
	ck_assert_str_eq(data = tu_read(path, NULL), "new");
	close(fa);
	close(fb);
	unlink(b);
	ck_assert_int_eq(entries(dir), 1);
	tu_rmtree(dir);
	free(data);
	free(path);
	free(a);
	free(b);
	free(prefix);
	free(dir);
}
END_TEST

/* A file another library wrote by the temporary name is committed by name. */
START_TEST(test_commit_by_name)
{
	char *dir = tu_tmpdir(), *path, *tmp = NULL, *cause = NULL, *data;
	FILE *f;
	int fd;

	xasprintf(&path, "%s/book.xlsx", dir);
	ck_assert_int_ge(fd = file_tmp_open(path, NULL, 0666, &tmp, &cause), 0);
	close(fd);
	ck_assert_ptr_nonnull(f = fopen(tmp, "wb"));
	fputs("PK workbook", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(file_tmp_commit(-1, tmp, path, &cause), 0);
	ck_assert_str_eq(data = tu_read(path, NULL), "PK workbook");
	ck_assert_int_eq(entries(dir), 1);
	tu_rmtree(dir);
	free(data);
	free(tmp);
	free(path);
	free(dir);
}
END_TEST

/*
 * Failures: no directory to write in; a rename that cannot happen (a
 * directory in the way) removes the temporary file and leaves the directory;
 * a temporary file that is a symbolic link is not followed.
 */
START_TEST(test_failures)
{
	char *dir = tu_tmpdir(), *path, *tmp = NULL, *cause = NULL, *elsewhere;
	struct stat sb;
	int fd;

	xasprintf(&path, "%s/no/such/dir/out.csv", dir);
	ck_assert_int_eq(file_tmp_open(path, NULL, 0644, &tmp, &cause), -1);
	ck_assert_ptr_null(tmp);
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
	cause = NULL;
	free(path);

	xasprintf(&path, "%s/busy", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	free(tu_write(path, "inside", "x"));
	ck_assert_int_ge(fd = file_tmp_open(path, NULL, 0644, &tmp, &cause), 0);
	put(fd, "data");
	ck_assert_int_eq(file_tmp_commit(fd, tmp, path, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "cannot put the file in place"));
	close(fd);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(entries(dir), 1);
	free(cause);
	cause = NULL;

	/* Committing a name that is a symbolic link refuses it, and removes it. */
	xasprintf(&elsewhere, "%s/elsewhere", dir);
	free(tmp);
	xasprintf(&tmp, "%s/link" FILE_TMP_INFIX "abcdef", dir);
	ck_assert_int_eq(symlink(elsewhere, tmp), 0);
	free(tu_write(dir, "elsewhere", "someone else's"));
	free(path);
	xasprintf(&path, "%s/link", dir);
	ck_assert_int_eq(file_tmp_commit(-1, tmp, path, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "cannot write"));
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_ne(lstat(tmp, &sb), 0);
	free(cause);
	tu_rmtree(dir);
	free(elsewhere);
	free(tmp);
	free(path);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("file");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_write_new);
	tcase_add_test(tc, test_replace_and_tail);
	tcase_add_test(tc, test_commit_by_name);
	tcase_add_test(tc, test_failures);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
