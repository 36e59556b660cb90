/*
 * audio_probe: one validating decode pass that also measures. SHA-256 over
 * the file's bytes (libsodium), integrated loudness and true peak per
 * ITU-R BS.1770 (libebur128), duration and silence: whether any sound
 * reaches AUDIO_SILENCE_DBFS at all, and how much of the length lies in
 * 400 ms blocks that stay below it (a 10-hour file with 2 s of sound is
 * almost all silence, though not entirely).
 *
 * True peak is the costly part (libebur128 oversamples 4x with a 49-tap
 * filter: about ten decodes' worth of work), so a span of TP_SPAN frames
 * goes through it only when it can raise the answer. What can a span's
 * true peak be at most? Every value libebur128's interpolator makes is
 * (1 + excess) times a linear interpolation of the two samples beside it,
 * plus a weighted sum of the second differences within the filter's reach,
 * whose weights add up to curve (both from the filter's coefficients, see
 * tp_init). So no interpolated value exceeds (1 + excess) P + curve D2, P
 * and D2 being the largest |sample| and |second difference| of the span
 * and the frames before it that the filter reaches. A span is oversampled
 * when that bound passes the largest true peak so far by more than
 * TP_TOLERANCE_DB.
 *
 * Why a tolerance: the spans of a steady tone all have the same true peak
 * within 0.01 dB, and no bound computed from samples can tell which of
 * them holds the largest; without one every block of a tone is
 * oversampled (11x mpg123's time). With it, the true peak reported is
 * libebur128's over the whole stream or at most TP_TOLERANCE_DB under it
 * (4x oversampling itself may read up to 0.7 dB under the analogue peak).
 * The bound is sharp for smooth signals (a 1 kHz tone: 0.06 dB over its
 * samples) and loose for harsh ones, where it only oversamples more.
 *
 * And the loudness, libebur128's integrated mode, as costly as decoding,
 * is measured in a thread of its own beside the decoder, which hashes
 * and scans for the true peak between its blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ebur128.h>
#include <sodium.h>

#include "audio/internal.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"

#define PROBE_BLOCK 2048        /* frames per decode call */
#define TP_SPAN 256             /* frames oversampled or skipped together: in speech
                                 * 0.4% of the frames went through, 2% with 2048 */
#define TP_TOLERANCE_DB 0.1     /* how far under the full measure the result may read */
#define TP_REACH 32             /* frames before a sample that its interpolated values
                                 * depend on: the filter's 13 taps at 4x, 25 at 2x,
                                 * and two more for the second differences */

struct tp_scan {
	ebur128_state *st;
	float *win;             /* TP_REACH frames before the block (zeros before the
	                         * stream, as libebur128 starts), then the block */
	int fed_prev;           /* the previous span went to st: its history is real */
	double excess, curve;   /* the interpolator's bound: (1 + excess) P + curve D2 */
	double tolerance;       /* linear TP_TOLERANCE_DB */
	double max;             /* the largest true peak so far, linear */
	long fed, skipped;
};

/*
 * Hashes the bytes of the very file the decoder reads (by pread on its
 * descriptor, so that the decoder's position stays) into hex. -1 with *cause
 * on a read error.
 */
int
dec_sha256(const struct dec *d, char hex[65], char **cause)
{
	crypto_hash_sha256_state h;
	unsigned char md[crypto_hash_sha256_BYTES], *buf;
	off_t at = 0;
	ssize_t n;

	buf = xmalloc(1 << 16);
	crypto_hash_sha256_init(&h);
	while ((n = pread(dec_fd(d), buf, 1 << 16, at)) > 0) {
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		at += n;
	}
	free(buf);
	if (n < 0) {
		xasprintf(cause, _("cannot read: %s"), strerror(errno));
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
 * The bound's constants for libebur128's interpolator at rate: 4x under
 * 96 kHz, 2x under 192 kHz, none above (the true peak is then the sample
 * peak). Its filter is a 49-tap Hann-windowed sinc; splitting each phase
 * into a linear interpolation and a remainder that vanishes on straight
 * lines gives a sum of coefficients of at most 1.00091 (4x) or 1.00012
 * (2x), and remainder weights on the second differences adding up to
 * 0.302 (4x) or 0.417 (2x). Rounded up here; tests/check_audio.c holds
 * libebur128 to the result.
 */
static void
tp_init(struct tp_scan *tp, int rate, int channels)
{
	tp->excess = 0.001;
	tp->curve = rate < 96000 ? 0.31 : rate < 192000 ? 0.42 : 0.0;
	tp->tolerance = pow(10.0, TP_TOLERANCE_DB / 20.0);
	tp->win = xcalloc((size_t)(TP_REACH + PROBE_BLOCK) * (size_t)channels,
	    sizeof *tp->win);
}

/*
 * Feeds each span of the block of n frames to the true-peak meter when its
 * bound passes the largest true peak so far by more than the tolerance. A
 * span after one that was not fed first gets the frames before it, so that
 * the oversampler's history is the real one (the values made from that
 * call are not read).
 */
static void
tp_block(struct tp_scan *tp, const float *buf, long n, int channels)
{
	size_t ch = (size_t)channels, len;
	double bound;
	float *w;
	long o;

	memcpy(tp->win + TP_REACH * ch, buf, sizeof *buf * (size_t)n * ch);
	for (o = 0; o < n; o += TP_SPAN) {
		/* The span and the TP_REACH frames before it. */
		w = tp->win + (size_t)o * ch;
		len = (size_t)(n - o < TP_SPAN ? n - o : TP_SPAN);
		bound = (1.0 + tp->excess) * audio_peak(w, (TP_REACH + len) * ch) +
		    tp->curve * audio_curve(w, (TP_REACH + len) * ch, ch);
		if (bound > tp->max * tp->tolerance) {
			if (!tp->fed_prev)
				ebur128_add_frames_float(tp->st, w, TP_REACH);
			ebur128_add_frames_float(tp->st, w + TP_REACH * ch, len);
			if (tp_prev(tp->st, channels) > tp->max)
				tp->max = tp_prev(tp->st, channels);
			tp->fed_prev = 1;
			tp->fed++;
		} else {
			tp->fed_prev = 0;
			tp->skipped++;
		}
	}
	/* The window's last TP_REACH frames come before the next block. */
	memmove(tp->win, tp->win + (size_t)n * ch, sizeof *buf * TP_REACH * ch);
}

/*
 * The measuring thread: the decoder fills blocks of a small ring, the meter
 * takes them, so decoding and measuring run side by side. Whichever side
 * is faster waits, and is woken only once the other has made half the
 * ring's worth of room or data: waking it for every block cost some 40000
 * futex calls and context switches per 10-minute file.
 */
#define RING 8

struct meter {
	pthread_mutex_t lock;
	pthread_cond_t room;    /* the decoder waits here for a free block */
	pthread_cond_t data;    /* the meter waits here for a full one */
	int dec_waiting, meter_waiting;
	float *blocks[RING];
	long frames[RING];
	int head, count, done;
	int channels;
	ebur128_state *st;
	double peak;
	long block_frames;      /* frames in an AUDIO_SILENCE_BLOCK_MS block */
	long block_at;          /* frames of the current block seen so far */
	double block_peak;      /* its sample peak so far */
	int64_t silent_frames;  /* frames in blocks below the silence threshold */
	int failed;
};

/*
 * Takes the sample peak of the n frames of buf, and counts them into the
 * silence blocks: a block whose every sample stays under AUDIO_SILENCE_DBFS
 * adds its frames to silent_frames. A last, shorter block counts when the
 * stream ends (meter_silence_end).
 */
static void
meter_silence(struct meter *m, const float *buf, long n)
{
	double floor = pow(10.0, AUDIO_SILENCE_DBFS / 20.0), p;
	long take;

	while (n > 0) {
		take = m->block_frames - m->block_at;
		if (take > n)
			take = n;
		p = audio_peak(buf, (size_t)(take * m->channels));
		if (p > m->block_peak)
			m->block_peak = p;
		if (p > m->peak)
			m->peak = p;
		m->block_at += take;
		buf += take * m->channels;
		n -= take;
		if (m->block_at == m->block_frames) {
			if (m->block_peak < floor)
				m->silent_frames += m->block_at;
			m->block_at = 0;
			m->block_peak = 0;
		}
	}
}

/* Counts the last, partial silence block. */
static void
meter_silence_end(struct meter *m)
{
	if (m->block_at > 0 && m->block_peak < pow(10.0, AUDIO_SILENCE_DBFS / 20.0))
		m->silent_frames += m->block_at;
	m->block_at = 0;
}

/* Takes blocks until the decoder is done: loudness and sample peak. */
static void *
meter_main(void *arg)
{
	struct meter *m = arg;
	float *buf;
	long n;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		while (m->count == 0 && !m->done) {
			m->meter_waiting = 1;
			pthread_cond_wait(&m->data, &m->lock);
		}
		if (m->count == 0 && m->done) {
			pthread_mutex_unlock(&m->lock);
			return NULL;
		}
		buf = m->blocks[m->head];
		n = m->frames[m->head];
		pthread_mutex_unlock(&m->lock);

		meter_silence(m, buf, n);
		if (ebur128_add_frames_float(m->st, buf, (size_t)n) != EBUR128_SUCCESS)
			m->failed = 1;

		pthread_mutex_lock(&m->lock);
		m->head = (m->head + 1) % RING;
		m->count--;
		if (m->dec_waiting && m->count <= RING / 2) {
			m->dec_waiting = 0;
			pthread_cond_signal(&m->room);
		}
		pthread_mutex_unlock(&m->lock);
	}
}

/* The next free block for the decoder, waiting while the ring is full. */
static float *
meter_slot(struct meter *m)
{
	float *b;

	pthread_mutex_lock(&m->lock);
	while (m->count == RING) {
		m->dec_waiting = 1;
		pthread_cond_wait(&m->room, &m->lock);
	}
	b = m->blocks[(m->head + m->count) % RING];
	pthread_mutex_unlock(&m->lock);
	return b;
}

/*
 * Hands the block meter_slot gave to the meter (n frames), or ends the
 * stream (n 0, which always wakes the meter).
 */
static void
meter_push(struct meter *m, long n)
{
	pthread_mutex_lock(&m->lock);
	if (n > 0) {
		m->frames[(m->head + m->count) % RING] = n;
		m->count++;
	} else
		m->done = 1;
	if (m->meter_waiting && (m->count >= RING / 2 || m->done)) {
		m->meter_waiting = 0;
		pthread_cond_signal(&m->data);
	}
	pthread_mutex_unlock(&m->lock);
}

/* Decodes, measures and hashes path into *info; -1 with *cause when the file is bad. */
int
audio_probe(const char *path, struct audio_info *info, char **cause)
{
	struct dec *d = NULL;
	struct tp_scan tp;
	struct meter m;
	pthread_t thread;
	float *buf;
	double lufs;
	int64_t frames = 0;
	long n = 0;
	int ch, i, rc = -1, started = 0;

	memset(info, 0, sizeof *info);
	memset(&m, 0, sizeof m);
	memset(&tp, 0, sizeof tp);
	if (sodium_init() < 0) {
		xasprintf(cause, _("cannot start libsodium"));
		return -1;
	}
	if (dec_open(path, &d, cause) != 0)
		return -1;
	if (dec_sha256(d, info->sha256, cause) != 0)
		goto out;
	ch = dec_channels(d);
	m.channels = ch;
	m.block_frames = (long)dec_rate(d) * AUDIO_SILENCE_BLOCK_MS / 1000;
	if (m.block_frames < 1)
		m.block_frames = 1;
	m.st = ebur128_init((unsigned)ch, (unsigned long)dec_rate(d), EBUR128_MODE_I);
	tp.st = ebur128_init((unsigned)ch, (unsigned long)dec_rate(d),
	    EBUR128_MODE_TRUE_PEAK);
	if (m.st == NULL || tp.st == NULL) {
		xasprintf(cause, _("cannot measure loudness at %d Hz, %d channels"),
		    dec_rate(d), ch);
		goto out;
	}
	tp_init(&tp, dec_rate(d), ch);
	for (i = 0; i < RING; i++)
		m.blocks[i] = xmalloc(sizeof *buf * PROBE_BLOCK * (size_t)ch);
	pthread_mutex_init(&m.lock, NULL);
	pthread_cond_init(&m.room, NULL);
	pthread_cond_init(&m.data, NULL);
	if (pthread_create(&thread, NULL, meter_main, &m) != 0) {
		xasprintf(cause, _("cannot start the measuring thread"));
		goto out;
	}
	started = 1;

	for (;;) {
		buf = meter_slot(&m);
		if ((n = dec_read(d, buf, PROBE_BLOCK, cause)) <= 0)
			break;
		frames += n;
		tp_block(&tp, buf, n, ch);
		meter_push(&m, n);
	}
	meter_push(&m, 0);
	pthread_join(thread, NULL);
	started = 0;
	if (n < 0)
		goto out;
	if (m.failed) {
		xasprintf(cause, _("loudness measurement failed"));
		goto out;
	}

	snprintf(info->format, sizeof info->format, "%s", dec_format(d));
	info->sample_rate = dec_rate(d);
	info->channels = ch;
	info->frames = frames;
	info->duration_ms = frames * 1000 / dec_rate(d);
	if (ebur128_loudness_global(m.st, &lufs) != EBUR128_SUCCESS || isnan(lufs) ||
	    lufs < -70.0)
		lufs = -HUGE_VAL;
	info->loudness_lufs = lufs;
	if (tp.max < m.peak)
		tp.max = m.peak;
	info->true_peak_dbtp = tp.max > 0 ? 20.0 * log10(tp.max) : -HUGE_VAL;
	info->silent = m.peak < pow(10.0, AUDIO_SILENCE_DBFS / 20.0);
	meter_silence_end(&m);
	info->silent_ms = m.silent_frames * 1000 / dec_rate(d);
	if (dec_title(d) != NULL)
		info->title = xstrdup(dec_title(d));
	if (dec_artist(d) != NULL)
		info->artist = xstrdup(dec_artist(d));
	rc = 0;

out:
	if (started) {
		meter_push(&m, 0);
		pthread_join(thread, NULL);
	}
	log_debug("probe: true peak over %ld spans, %ld skipped", tp.fed,
	    tp.skipped);
	if (m.blocks[0] != NULL) {
		pthread_mutex_destroy(&m.lock);
		pthread_cond_destroy(&m.room);
		pthread_cond_destroy(&m.data);
	}
	for (i = 0; i < RING; i++)
		free(m.blocks[i]);
	free(tp.win);
	if (m.st != NULL)
		ebur128_destroy(&m.st);
	if (tp.st != NULL)
		ebur128_destroy(&tp.st);
	dec_free(&d);
	return rc;
}
