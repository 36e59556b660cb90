/* Helpers shared by the unit tests. */
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tests/testutil.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	xasprintf(&dir, "%s/loaxa-test.XXXXXX", base && base[0] ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

static int
tu_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, tu_rm, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_write(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

const char *
tu_srcdir(void)
{
	const char *s = getenv("LOAXA_SRCDIR");

	return s != NULL && s[0] != '\0' ? s : ".";
}

char *
tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096)
			buf = xrealloc(buf, cap = cap * 2 + 4096);
		if ((r = fread(buf + n, 1, cap - n - 1, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

char *
tu_wav(const char *dir, const char *name, double secs, double amp, double freq,
    double quiet_secs)
{
	SF_INFO si = { .samplerate = 8000, .channels = 1,
		.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	sf_count_t n = (sf_count_t)(secs * 8000), all, i;
	char *path;
	SNDFILE *sf;
	short *buf;

	all = n + (sf_count_t)(quiet_secs * 8000);
	xasprintf(&path, "%s/%s", dir, name);
	if ((sf = sf_open(path, SFM_WRITE, &si)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
		abort();
	}
	buf = xcalloc((size_t)all + 1, sizeof *buf);
	for (i = 0; i < n; i++)
		buf[i] = (short)(amp * 32000 * sin(2 * M_PI * freq * (double)i / 8000));
	if (sf_write_short(sf, buf, all) != all)
		abort();
	sf_close(sf);
	free(buf);
	return path;
}
