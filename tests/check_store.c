/* Unit tests for store/: pragmas, migrations, refusing newer or foreign files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "store/migrations.h"
#include "store/store.h"
#include "tests/testutil.h"

/* The first column of the first row of sql, as an allocated string. */
static char *
query1(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	char *v = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

START_TEST(test_open_pragmas)
{
	char *dir = tu_tmpdir(), *cause = NULL, *v, *path;
	struct store *st = NULL;
	struct stat sb;

	xasprintf(&path, "%s/data", dir);
	ck_assert_msg(store_open_dir(path, &st, &cause) == 0, "%s", cause);
	ck_assert_str_eq(v = query1(st, "PRAGMA journal_mode"), "wal");
	free(v);
	ck_assert_str_eq(v = query1(st, "PRAGMA foreign_keys"), "1");
	free(v);
	ck_assert_str_eq(v = query1(st, "PRAGMA synchronous"), "2"); /* FULL */
	free(v);
	ck_assert_int_eq(atoi(v = query1(st, "PRAGMA user_version")),
	    store_schema_version());
	free(v);
	ck_assert_ptr_nonnull(v = query1(st, "PRAGMA busy_timeout"));
	ck_assert_int_ge(atoi(v), 1000);
	free(v);
	store_close(&st);
	ck_assert_ptr_null(st);
	/* The directory and the database are not open to others. */
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0007, 0);
	free(path);
	xasprintf(&path, "%s/data/%s", dir, STORE_DB_NAME);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0007, 0);
	/* Opening again migrates nothing and keeps the data. */
	ck_assert_int_eq(store_open(path, &st, &cause), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO meta VALUES ('k', 'v')", &cause), 0);
	store_close(&st);
	ck_assert_int_eq(store_open(path, &st, &cause), 0);
	ck_assert_str_eq(v = query1(st, "SELECT value FROM meta WHERE key = 'k'"), "v");
	free(v);
	store_close(&st);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_newer_refused)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path, *sql;
	struct store *st = NULL;

	xasprintf(&path, "%s/x.db", dir);
	ck_assert_int_eq(store_open(path, &st, &cause), 0);
	xasprintf(&sql, "PRAGMA user_version = %d", store_schema_version() + 1);
	ck_assert_int_eq(store_exec(st, sql, &cause), 0);
	store_close(&st);
	ck_assert_int_eq(store_open(path, &st, &cause), -1);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(cause, path));
	ck_assert_ptr_nonnull(strstr(cause, "newer loaxa"));
	free(cause);
	tu_rmtree(dir);
	free(sql);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_not_a_database)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path;
	struct store *st = NULL;
	char junk[4096];

	memset(junk, 'x', sizeof junk - 1);
	junk[sizeof junk - 1] = '\0';
	path = tu_write(dir, "junk.db", junk);
	ck_assert_int_eq(store_open(path, &st, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, path));
	ck_assert_ptr_nonnull(strstr(cause, "not a"));
	free(cause);
	free(path);
	/* A directory where the database should be. */
	xasprintf(&path, "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(store_open(path, &st, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, path));
	free(cause);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_transactions)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path, *v;
	struct store *st = NULL;

	xasprintf(&path, "%s/t.db", dir);
	ck_assert_int_eq(store_open(path, &st, &cause), 0);
	ck_assert_int_eq(store_begin(st, &cause), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO meta VALUES ('a', '1')", &cause), 0);
	store_rollback(st);
	ck_assert_ptr_null(query1(st, "SELECT value FROM meta WHERE key = 'a'"));
	ck_assert_int_eq(store_begin(st, &cause), 0);
	ck_assert_int_eq(store_exec(st, "INSERT INTO meta VALUES ('a', '2')", &cause), 0);
	ck_assert_int_eq(store_commit(st, &cause), 0);
	ck_assert_str_eq(v = query1(st, "SELECT value FROM meta WHERE key = 'a'"), "2");
	free(v);
	ck_assert_int_eq(store_exec(st, "SELECT * FROM nosuchtable", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "nosuchtable"));
	free(cause);
	store_close(&st);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/*
 * A database a loaxa before the tags left (schema 2, with a bulletin) is
 * brought to the latest schema: its rows kept, bulletin_tags added, and the
 * table refusing what is not a tag.
 */
START_TEST(test_upgrade_from_2)
{
	static const char *const bad[] = {
		"INSERT INTO bulletin_tags VALUES (7, 'Papi', 0, 'x')",
		"INSERT INTO bulletin_tags VALUES (7, 'a b', 0, 'x')",
		"INSERT INTO bulletin_tags VALUES (7, '', 0, 'x')",
		"INSERT INTO bulletin_tags VALUES (7, printf('%033d', 1), 0, 'x')",
		"INSERT INTO bulletin_tags VALUES (7, '-a', 0, 'x')",
		"INSERT INTO bulletin_tags VALUES (8, 'papi', 0, 'x')",
	};
	char *dir = tu_tmpdir(), *cause = NULL, *path, *v;
	struct store *st = NULL;
	sqlite3 *db;
	int i;

	ck_assert_int_ge(store_schema_version(), 3);
	xasprintf(&path, "%s/old.db", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 1; i <= 2; i++)
		ck_assert_int_eq(sqlite3_exec(db, store_migration(i), NULL, NULL, NULL),
		    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO bulletins (id, sha256, file, "
	    "title, format, sample_rate, channels, duration_ms, size, imported_at) "
	    "VALUES (7, printf('%064d', 7), 'f', 'Tin cũ', 'wav', 8000, 1, 2000, 1, 0);"
	    "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	ck_assert_msg(store_open(path, &st, &cause) == 0, "%s", cause);
	ck_assert_int_eq(atoi(v = query1(st, "PRAGMA user_version")), store_schema_version());
	free(v);
	ck_assert_str_eq(v = query1(st, "SELECT title FROM bulletins WHERE id = 7"),
	    "Tin cũ");
	free(v);
	ck_assert_int_eq(store_exec(st, "INSERT INTO bulletin_tags VALUES (7, 'papi', "
	    "0, 'x'), (7, 'bau-cu_2026', 0, 'x')", &cause), 0);
	ck_assert_str_eq(v = query1(st, "SELECT count(*) FROM bulletin_tags"), "2");
	free(v);
	/* Not tags (upper case, a space, empty, too long, a leading '-'), or not
	 * of a bulletin that exists. */
	for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
		ck_assert_msg(store_exec(st, bad[i], &cause) == -1, "%s", bad[i]);
		free(cause);
	}
	ck_assert_str_eq(v = query1(st, "SELECT count(*) FROM bulletin_tags"), "2");
	free(v);
	store_close(&st);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* The in-memory database: the same schema, foreign keys on, nothing on disk. */
START_TEST(test_open_memory)
{
	char *dir = tu_tmpdir(), *cause = NULL, *v, *path, *cwd;
	struct store *st = NULL;
	struct stat sb;

	cwd = getcwd(NULL, 0);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_msg(store_open_memory(&st, &cause) == 0, "%s", cause);
	ck_assert_int_eq(atoi(v = query1(st, "PRAGMA user_version")), store_schema_version());
	free(v);
	ck_assert_str_eq(v = query1(st, "PRAGMA foreign_keys"), "1");
	free(v);
	ck_assert_str_eq(v = query1(st, "SELECT count(*) FROM sqlite_master WHERE"
	    " name IN ('airings', 'bulletins', 'bulletin_events', 'bulletin_tags')"), "4");
	free(v);
	ck_assert_int_eq(store_exec(st, "INSERT INTO airings (scheduled_at, outcome)"
	    " VALUES (1, 'aired')", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK"));
	free(cause);
	store_close(&st);
	xasprintf(&path, "%s/:memory:", dir);
	ck_assert_int_eq(stat(path, &sb), -1);
	ck_assert_int_eq(chdir(cwd), 0);
	tu_rmtree(dir);
	free(path);
	free(cwd);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_open_pragmas);
	tcase_add_test(tc, test_newer_refused);
	tcase_add_test(tc, test_not_a_database);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_upgrade_from_2);
	tcase_add_test(tc, test_open_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
