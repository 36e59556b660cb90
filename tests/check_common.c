/* Unit tests for common/: JSON and CSV fields, dates, text columns, key files. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/csv.h"
#include "common/date.h"
#include "common/json.h"
#include "common/key.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "tests/testutil.h"

/* What fn wrote for s, as an allocated string. */
static char *
written(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, s);
	fclose(f);
	return buf;
}

/* Checks that fn writes want for s. */
static void
expect(void (*fn)(FILE *, const char *), const char *s, const char *want)
{
	char *got = written(fn, s);

	ck_assert_msg(strcmp(got, want) == 0, "for \"%s\": got [%s], want [%s]",
	    s ? s : "(null)", got, want);
	free(got);
}

START_TEST(test_json_escapes)
{
	char *q;

	expect(json_write, NULL, "null");
	expect(json_write, "", "\"\"");
	expect(json_write, "Bản tin \"PAPI\" \\ 1", "\"Bản tin \\\"PAPI\\\" \\\\ 1\"");
	/* Every control character, DEL included, as \u00XX. */
	expect(json_write, "a\nb\tc\rd\x01" "e\x1f" "f\x7f", "\"a\\u000ab\\u0009c\\u000dd"
	    "\\u0001e\\u001ff\\u007f\"");
	/* json_quote gives the same text. */
	q = json_quote("x\x7fy");
	ck_assert_str_eq(q, "\"x\\u007fy\"");
	free(q);
	q = json_quote(NULL);
	ck_assert_str_eq(q, "null");
	free(q);
}
END_TEST

START_TEST(test_json_always_utf8)
{
	static const char *const bad[] = {
		"\xff", "a\xc3", "\xc3(", "\xe1\xba", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\x80", NULL,
	};
	char *got;
	size_t i;

	/* Valid text of every length passes as it is. */
	expect(json_write, "Đài xã Toàn Thắng €𝄞", "\"Đài xã Toàn Thắng €𝄞\"");
	/* Each invalid byte becomes U+FFFD, escaped, and the rest is kept. */
	expect(json_write, "a\xff" "b", "\"a\\ufffdb\"");
	expect(json_write, "\xc3(", "\"\\ufffd(\"");
	for (i = 0; bad[i] != NULL; i++) {
		got = written(json_write, bad[i]);
		ck_assert_msg(utf8_valid(got), "invalid UTF-8 out of \"%s\"", got);
		ck_assert_msg(strstr(got, "\\ufffd") != NULL, "kept a bad byte: %s", got);
		free(got);
	}
}
END_TEST

START_TEST(test_csv_rfc4180)
{
	expect(csv_str, NULL, "");
	expect(csv_str, "", "");
	expect(csv_str, "Cải cách hành chính", "Cải cách hành chính");
	expect(csv_str, "a,b", "\"a,b\"");
	expect(csv_str, "say \"hi\"", "\"say \"\"hi\"\"\"");
	expect(csv_str, "two\nlines", "\"two\nlines\"");
	expect(csv_str, "cr\rhere", "\"cr\rhere\"");
	/* Spaces at either end survive readers that trim unquoted fields. */
	expect(csv_str, " leading", "\" leading\"");
	expect(csv_str, "trailing ", "\"trailing \"");
	expect(csv_str, "in side", "in side");
}
END_TEST

START_TEST(test_csv_formula)
{
	expect(csv_str, "=1+2", "'=1+2");
	expect(csv_str, "+84 912", "'+84 912");
	expect(csv_str, "-5", "'-5");
	expect(csv_str, "@SUM(A1)", "'@SUM(A1)");
	expect(csv_str, "\tx", "'\tx");
	expect(csv_str, "\rx", "\"'\rx\"");
	expect(csv_str, "=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	/* Only the first character counts. */
	expect(csv_str, "a=b", "a=b");
	expect(csv_str, "2026-06-14", "2026-06-14");
}
END_TEST

START_TEST(test_date_split)
{
	static const char *const bad[] = {
		"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
		"1969-12-31", "2026-1-01", "2026-01-1", "2026-+1-01", "2026-01- 1",
		" 2026-01-01", "2026-01-01 ", "2026/01/01", "20260101", "", "+2026-01-0",
		"2026-01-0x", "abcd-ef-gh", NULL,
	};
	int y, m, d;
	size_t i;

	ck_assert_int_eq(date_split("2024-02-29", &y, &m, &d), 0);
	ck_assert_int_eq(y, 2024);
	ck_assert_int_eq(m, 2);
	ck_assert_int_eq(d, 29);
	ck_assert_int_eq(date_split("1970-01-01", &y, &m, &d), 0);
	ck_assert_int_eq(date_split("9999-12-31", &y, &m, &d), 0);
	ck_assert_int_eq(date_split("2000-02-29", &y, &m, &d), 0);
	ck_assert_int_eq(date_split("1900-02-28", &y, &m, &d), -1);
	ck_assert_int_eq(date_valid("2100-02-29"), 0);
	ck_assert_int_eq(date_valid("2026-12-31"), 1);
	ck_assert_int_eq(date_valid(NULL), 0);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(date_split(bad[i], &y, &m, &d) == -1 && !date_valid(bad[i]),
		    "'%s' taken for a date", bad[i]);
}
END_TEST

START_TEST(test_date_iso8601)
{
	char t[DATE_ISO8601_LEN];

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	ck_assert_str_eq(date_iso8601(1781397000123LL, t), "2026-06-14T07:30:00.123+07:00");
	/* The offset of the instant itself: the south kept +08:00 until 1975. */
	ck_assert_str_eq(date_iso8601(0, t), "1970-01-01T08:00:00.000+08:00");
	setenv("TZ", "America/St_Johns", 1); /* -03:30 in winter */
	tzset();
	ck_assert_str_eq(date_iso8601(1765731600000LL, t), "2025-12-14T13:30:00.000-03:30");
	setenv("TZ", "UTC", 1);
	tzset();
	/* Before the epoch the milliseconds count forward from the second before. */
	ck_assert_str_eq(date_iso8601(-1, t), "1969-12-31T23:59:59.999+00:00");
	ck_assert_str_eq(date_iso8601(-1500, t), "1969-12-31T23:59:58.500+00:00");
}
END_TEST

/* What utf8_pad wrote for s and width. */
static char *
padded(const char *s, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	utf8_pad(f, s, width);
	fclose(f);
	return buf;
}

START_TEST(test_utf8_pad)
{
	/* "Tiếng" decomposed: e, U+0302, U+0301 */
	static const char nfd[] = "Tie\xcc\x82\xcc\x81ng";
	static const struct { const char *s; int width; const char *want; } k[] = {
		{ "abc", 5, "abc  " },
		{ "abcdef", 3, "abc" },
		{ "Đài xã", 8, "Đài xã  " },
		{ "Đài xã", 3, "Đài" },
		{ nfd, 6, "Tie\xcc\x82\xcc\x81ng " },
		{ nfd, 3, "Tie\xcc\x82\xcc\x81" },
		{ "a\xff" "b", 4, "a?b " },
		{ NULL, 3, "   " },
		{ "abc", 0, "" },
		{ "abc", -2, "" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		got = padded(k[i].s, k[i].width);
		ck_assert_msg(strcmp(got, k[i].want) == 0, "case %zu: got [%s], want [%s]",
		    i, got, k[i].want);
		free(got);
	}
	ck_assert_uint_eq(utf8_width(nfd), 5);
	ck_assert_uint_eq(utf8_width("Đài xã"), 6);
	ck_assert_uint_eq(utf8_width("a\xff"), 2);
	ck_assert_uint_eq(utf8_width(NULL), 0);
}
END_TEST

/* Text from others is printed with controls and broken UTF-8 replaced, and a log line stays one line. */
START_TEST(test_clean_and_log)
{
	char *c, *dir = tu_tmpdir(), *path, line[256];
	FILE *f;

	c = utf8_clean("T\xe1\xba\xa1m \033[31mx\nloaxa: forged\x7f\xff");
	ck_assert_str_eq(c, "T\xe1\xba\xa1m \xef\xbf\xbd[31mx\xef\xbf\xbdloaxa: forged"
	    "\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert(utf8_valid(c));
	free(c);

	xasprintf(&path, "%s/log", dir);
	ck_assert_ptr_nonnull(freopen(path, "w", stderr));
	log_warn("inbox: %s: refused", "a\nloaxa: all imported\033[2J");
	fflush(stderr);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(line, "loaxa: warning: inbox: a\xef\xbf\xbdloaxa: all imported"
	    "\xef\xbf\xbd[2J: refused\n");
	ck_assert_ptr_null(fgets(line, sizeof line, f));
	fclose(f);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_key_files)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path, *pubpath, *text, *nokey, *fifo;
	unsigned char sk[KEY_SECRET], pk[KEY_PUBLIC];
	char pub[KEY_PUBLIC_B64], again[KEY_PUBLIC_B64];
	struct stat sb;

	xasprintf(&path, "%s/k.key", dir);
	xasprintf(&pubpath, "%s/k.key.pub", dir);
	ck_assert_msg(key_generate(path, 1, pub, &cause) == 0, "%s", cause);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(pubpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0644);
	text = tu_read(pubpath, NULL);
	ck_assert_int_eq(strncmp(text, pub, strlen(pub)), 0);
	free(text);
	text = tu_read(path, NULL);
	ck_assert_int_eq(strncmp(text, "loaxa-ed25519-secret-key ", 25), 0);
	free(text);
	/* The secret key's public half is the one reported. */
	ck_assert_msg(key_read(path, sk, &cause) == 0, "%s", cause);
	key_public_encode(sk + 32, again);
	ck_assert_str_eq(again, pub);
	ck_assert_int_eq(key_public_decode(pub, pk), 0);
	ck_assert_int_eq(memcmp(pk, sk + 32, KEY_PUBLIC), 0);
	/* Never overwritten. */
	ck_assert_int_eq(key_generate(path, 0, pub, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "already exists"));
	free(cause);
	/* Not keys: a missing file, other text, a FIFO (read without waiting). */
	xasprintf(&nokey, "%s/missing", dir);
	ck_assert_int_eq(key_read(nokey, sk, &cause), KEY_NOT_A_KEY);
	free(cause);
	free(nokey);
	nokey = tu_write(dir, "other", "loaxa-ed25519-secret-key AAAA\n");
	ck_assert_int_eq(key_read(nokey, sk, &cause), KEY_NOT_A_KEY);
	ck_assert_ptr_nonnull(strstr(cause, "not a loaxa secret key"));
	free(cause);
	xasprintf(&fifo, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(key_read(fifo, sk, &cause), KEY_NOT_A_KEY);
	free(cause);
	ck_assert_int_eq(key_public_decode("AAAA", pk), -1);
	ck_assert_int_eq(key_public_decode("", pk), -1);
	tu_rmtree(dir);
	free(fifo);
	free(nokey);
	free(pubpath);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_key_generate_no_leftovers)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path, *pubpath;
	char pub[KEY_PUBLIC_B64];
	struct stat sb;

	/* The .pub is in the way: no secret key may be left without it. */
	xasprintf(&path, "%s/k.key", dir);
	xasprintf(&pubpath, "%s/k.key.pub", dir);
	ck_assert_int_eq(mkdir(pubpath, 0700), 0);
	ck_assert_int_eq(key_generate(path, 1, pub, &cause), -1);
	free(cause);
	ck_assert_int_eq(stat(path, &sb), -1);
	/* Without a .pub, the same path works. */
	ck_assert_msg(key_generate(path, 0, pub, &cause) == 0, "%s", cause);
	ck_assert_int_eq(strlen(pub), KEY_PUBLIC_B64 - 1);
	tu_rmtree(dir);
	free(pubpath);
	free(path);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("common");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_json_escapes);
	tcase_add_test(tc, test_json_always_utf8);
	tcase_add_test(tc, test_csv_rfc4180);
	tcase_add_test(tc, test_csv_formula);
	tcase_add_test(tc, test_date_split);
	tcase_add_test(tc, test_date_iso8601);
	tcase_add_test(tc, test_clean_and_log);
	tcase_add_test(tc, test_utf8_pad);
	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_key_generate_no_leftovers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
