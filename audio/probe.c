/*
 * audio_probe: one validating decode pass that also measures. SHA-256 over
 * the file's bytes (libsodium), integrated loudness and true peak per
 * ITU-R BS.1770 (libebur128), duration and silence.
 *
 * True peak is the costly part (4x oversampling: several decodes' worth of
 * work), so it is computed only where it can change the answer: a block
 * whose sample peak, raised by the largest intersample overshoot the
 * oversampler can produce in practice (TP_MARGIN_DB), stays below the
 * largest true peak so far cannot raise it and is not oversampled.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ebur128.h>
#include <sodium.h>

#include "audio/internal.h"
#include "common/log.h"
#include "common/xmalloc.h"

#define PROBE_BLOCK 2048        /* frames per decode call */
#define TP_MARGIN_DB 3.0        /* intersample overshoot allowed for when skipping */
#define TP_EDGE 64              /* frames either side that settle the oversampler */

struct tp_scan {
	ebur128_state *st;
	float *tail;            /* the last TP_EDGE frames of the previous block */
	long ntail;
	int fed_prev;           /* the previous block went through whole */
	double margin;          /* linear TP_MARGIN_DB */
	double max;             /* the largest true peak so far, linear */
	long fed, skipped;
};

/* Hashes the file's bytes into hex (65 bytes). Returns -1 with *cause on a read error. */
static int
probe_sha256(const char *path, char *hex, char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char md[crypto_hash_sha256_BYTES], *buf;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s", strerror(errno));
		return -1;
	}
	buf = xmalloc(1 << 16);
	crypto_hash_sha256_init(&h);
	while ((n = read(fd, buf, 1 << 16)) > 0)
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
	free(buf);
	close(fd);
	if (n < 0) {
		xasprintf(cause, "cannot read: %s", strerror(errno));
		return -1;
	}
	crypto_hash_sha256_final(&h, md);
	sodium_bin2hex(hex, 65, md, sizeof md);
	return 0;
}

/* The largest true peak of the last frames added to st, over all channels. */
static double
tp_prev(ebur128_state *st, int channels)
{
	double v, m = 0;
	int c;

	for (c = 0; c < channels; c++)
		if (ebur128_prev_true_peak(st, (unsigned)c, &v) == EBUR128_SUCCESS &&
		    v > m)
			m = v;
	return m;
}

/*
 * Feeds a block to the true-peak meter when it can raise the maximum: first
 * the previous block's tail (so the oversampler's history is the real one),
 * then the block. The head of the block after a fed one always goes through,
 * so that peaks between the two blocks are seen.
 */
static void
tp_block(struct tp_scan *tp, const float *buf, long n, int channels,
    double block_peak)
{
	long head;

	if (block_peak * tp->margin >= tp->max) {
		if (!tp->fed_prev && tp->ntail > 0)
			ebur128_add_frames_float(tp->st, tp->tail, (size_t)tp->ntail);
		ebur128_add_frames_float(tp->st, buf, (size_t)n);
		if (tp_prev(tp->st, channels) > tp->max)
			tp->max = tp_prev(tp->st, channels);
		tp->fed_prev = 1;
		tp->fed++;
	} else {
		if (tp->fed_prev) {
			head = n < TP_EDGE ? n : TP_EDGE;
			ebur128_add_frames_float(tp->st, buf, (size_t)head);
			if (tp_prev(tp->st, channels) > tp->max)
				tp->max = tp_prev(tp->st, channels);
		}
		tp->fed_prev = 0;
		tp->skipped++;
	}
	if (n >= TP_EDGE) {
		memcpy(tp->tail, buf + (n - TP_EDGE) * channels,
		    sizeof *buf * TP_EDGE * (size_t)channels);
		tp->ntail = TP_EDGE;
	} else {
		/* A short block (the last): keep what there is. */
		memcpy(tp->tail, buf, sizeof *buf * (size_t)(n * channels));
		tp->ntail = n;
	}
}

/* The largest absolute sample in n frames. */
static double
block_peak(const float *buf, size_t nsamples)
{
	float m = 0, v;
	size_t i;

	for (i = 0; i < nsamples; i++) {
		v = fabsf(buf[i]);
		if (v > m)
			m = v;
	}
	return m;
}

/* Decodes, measures and hashes path into *info; -1 with *cause when the file is bad. */
int
audio_probe(const char *path, struct audio_info *info, char **cause)
{
	struct dec *d = NULL;
	struct tp_scan tp;
	ebur128_state *st = NULL;
	float *buf = NULL;
	double peak = 0, p, lufs;
	int64_t frames = 0;
	long n;
	int ch, rc = -1;

	memset(info, 0, sizeof *info);
	memset(&tp, 0, sizeof tp);
	if (sodium_init() < 0) {
		xasprintf(cause, "cannot start libsodium");
		return -1;
	}
	if (dec_open(path, &d, cause) != 0)
		return -1;
	if (probe_sha256(path, info->sha256, cause) != 0)
		goto out;
	ch = dec_channels(d);
	st = ebur128_init((unsigned)ch, (unsigned long)dec_rate(d), EBUR128_MODE_I);
	tp.st = ebur128_init((unsigned)ch, (unsigned long)dec_rate(d),
	    EBUR128_MODE_TRUE_PEAK);
	if (st == NULL || tp.st == NULL) {
		xasprintf(cause, "cannot measure loudness at %d Hz, %d channels",
		    dec_rate(d), ch);
		goto out;
	}
	tp.tail = xmalloc(sizeof *tp.tail * TP_EDGE * (size_t)ch);
	tp.margin = pow(10.0, TP_MARGIN_DB / 20.0);
	buf = xmalloc(sizeof *buf * PROBE_BLOCK * (size_t)ch);

	while ((n = dec_read(d, buf, PROBE_BLOCK, cause)) > 0) {
		frames += n;
		p = block_peak(buf, (size_t)(n * ch));
		if (p > peak)
			peak = p;
		if (ebur128_add_frames_float(st, buf, (size_t)n) != EBUR128_SUCCESS) {
			xasprintf(cause, "loudness measurement failed");
			goto out;
		}
		tp_block(&tp, buf, n, ch, p);
	}
	if (n < 0)
		goto out;

	snprintf(info->format, sizeof info->format, "%s", dec_format(d));
	info->sample_rate = dec_rate(d);
	info->channels = ch;
	info->frames = frames;
	info->duration_ms = frames * 1000 / dec_rate(d);
	if (ebur128_loudness_global(st, &lufs) != EBUR128_SUCCESS || isnan(lufs) ||
	    lufs < -70.0)
		lufs = -HUGE_VAL;
	info->loudness_lufs = lufs;
	if (tp.max < peak)
		tp.max = peak;
	info->true_peak_dbtp = tp.max > 0 ? 20.0 * log10(tp.max) : -HUGE_VAL;
	info->silent = peak < pow(10.0, AUDIO_SILENCE_DBFS / 20.0);
	if (dec_title(d) != NULL)
		info->title = xstrdup(dec_title(d));
	if (dec_artist(d) != NULL)
		info->artist = xstrdup(dec_artist(d));
	rc = 0;

out:
	log_debug("probe: true peak over %ld blocks, %ld skipped", tp.fed,
	    tp.skipped);
	free(buf);
	free(tp.tail);
	if (st != NULL)
		ebur128_destroy(&st);
	if (tp.st != NULL)
		ebur128_destroy(&tp.st);
	dec_free(&d);
	return rc;
}

/* Frees the tag strings of info. */
void
audio_info_clear(struct audio_info *info)
{
	free(info->title);
	free(info->artist);
	info->title = NULL;
	info->artist = NULL;
}
