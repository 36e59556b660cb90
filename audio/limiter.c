/*
 * The normalising gain and a look-ahead peak limiter.
 *
 * For every frame r[n] is the gain that keeps the frame under the ceiling.
 * h[n] is the minimum of r over the next LOOKAHEAD frames (a monotonic
 * deque), and the gain applied is the moving average of h over LOOKAHEAD+1
 * frames: every h in that average already looked at frame n, so the
 * average never exceeds r[n] (no overshoot) and attacks are linear ramps
 * rather than steps. Release is a one-pole rise. Output lags input by
 * LOOKAHEAD frames.
 *
 * The limiter works on sample peaks; a margin under the true-peak ceiling
 * (CEILING_MARGIN_DB) covers the overshoot between samples.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "common/xmalloc.h"

#define LOOKAHEAD_MS 5
#define RELEASE_MS 80
#define CEILING_MARGIN_DB 0.5
#define MAX_GAIN_DB 30.0

struct limiter {
	int channels;
	long la;                /* look-ahead in frames */
	long size;              /* la + 1: the length of every ring */
	float gain;             /* the fixed normalising gain */
	float ceiling;          /* linear */
	float release;          /* per-frame release coefficient */

	float *delay;           /* gained input, a ring */
	float *r;               /* required gains, a ring (the deque indexes it) */
	long *dq;               /* monotonic deque of frame numbers, a ring */
	long dq_head, dq_len;
	float *h;               /* window minima, a ring, for the average */
	long h_low;             /* how many h are under 1 */
	double hsum;
	float g;                /* the smoothed gain */
	long pos;               /* the ring slot of frame n */
	long n;                 /* frames taken in */
	long out;               /* frames given out */
	long real;              /* frames of input (not drain silence) taken in */
};

/* The gain to move loudness_lufs to target_lufs, bounded; 0 dB for silence. */
double
audio_norm_gain_db(double loudness_lufs, double target_lufs)
{
	double g;

	if (!isfinite(loudness_lufs) || loudness_lufs < -70.0)
		return 0.0;
	g = target_lufs - loudness_lufs;
	if (g > MAX_GAIN_DB)
		g = MAX_GAIN_DB;
	if (g < -MAX_GAIN_DB)
		g = -MAX_GAIN_DB;
	return g;
}

/* A limiter for the format; the caller frees it with limiter_free. */
struct limiter *
limiter_new(int rate, int channels, double gain_db, double ceiling_dbtp)
{
	struct limiter *l = xcalloc(1, sizeof *l);
	long i;

	l->channels = channels;
	l->la = (long)rate * LOOKAHEAD_MS / 1000;
	if (l->la < 1)
		l->la = 1;
	l->size = l->la + 1;
	l->gain = (float)pow(10.0, gain_db / 20.0);
	l->ceiling = (float)pow(10.0, (ceiling_dbtp - CEILING_MARGIN_DB) / 20.0);
	l->release = (float)(1.0 - exp(-1.0 / (rate * RELEASE_MS / 1000.0)));
	l->delay = xcalloc((size_t)(l->size * channels), sizeof *l->delay);
	l->r = xcalloc((size_t)l->size, sizeof *l->r);
	l->dq = xcalloc((size_t)l->size, sizeof *l->dq);
	l->h = xcalloc((size_t)l->size, sizeof *l->h);
	for (i = 0; i < l->size; i++) {
		l->h[i] = 1.0f;
		l->r[i] = 1.0f;
	}
	l->hsum = (double)l->size;
	l->g = 1.0f;
	return l;
}

/* Takes one frame (silence when in is NULL); writes the frame la behind it to out once primed. */
static int
limiter_frame(struct limiter *l, const float *in, float *out)
{
	long size = l->size, slot = l->pos, back, i;
	float peak = 0, v, r, hmin, target;
	float *d = l->delay + slot * l->channels;
	int c;

	for (c = 0; c < l->channels; c++) {
		v = in != NULL ? in[c] * l->gain : 0.0f;
		d[c] = v;
		if (fabsf(v) > peak)
			peak = fabsf(v);
	}
	r = peak > l->ceiling ? l->ceiling / peak : 1.0f;
	l->r[slot] = r;
	/* Sliding minimum of r over frames n-la..n: h for frame n-la. */
	if (l->dq_len > 0 && l->dq[l->dq_head] <= l->n - size) {
		if (++l->dq_head == size)
			l->dq_head = 0;
		l->dq_len--;
	}
	while (l->dq_len > 0) {
		i = l->dq_head + l->dq_len - 1;
		back = l->dq[i >= size ? i - size : i];
		if (l->r[back % size] <= r)
			break;
		l->dq_len--;
	}
	/* At most la older frames remain, so the ring of size never overflows. */
	i = l->dq_head + l->dq_len;
	l->dq[i >= size ? i - size : i] = l->n;
	l->dq_len++;
	hmin = l->r[l->dq[l->dq_head] % size];
	/* The moving average of h over frames n-2la..n-la. */
	l->h_low += (hmin < 1.0f) - (l->h[slot] < 1.0f);
	l->hsum += (double)hmin - (double)l->h[slot];
	l->h[slot] = hmin;
	if (l->h_low == 0)
		l->hsum = (double)size;   /* no drift once all is quiet again */
	l->n++;
	if (++l->pos == size)
		l->pos = 0;
	if (l->n <= l->la)
		return 0;
	target = (float)(l->hsum / (double)size);
	if (target < l->g)
		l->g = target;
	else if (target - l->g < 1e-5f)
		l->g = target;
	else
		l->g += (target - l->g) * l->release;
	/* Frame n-la sits in the next slot of the ring. */
	d = l->delay + l->pos * l->channels;
	for (c = 0; c < l->channels; c++)
		out[c] = d[c] * l->g;
	l->out++;
	return 1;
}

/*
 * Whether frames of in, gained, stay under the ceiling while the limiter
 * rests (no reduction pending or releasing): then it is a plain delay.
 */
static int
limiter_idle(const struct limiter *l, const float *in, long frames)
{
	uint32_t m = 0, u, lim;
	float cg = l->ceiling / l->gain;
	size_t i, n = (size_t)(frames * l->channels);

	if (l->g != 1.0f || l->h_low != 0 ||
	    l->r[l->dq[l->dq_head] % l->size] != 1.0f)
		return 0;
	/* Non-negative floats order as their bits do: a max that vectorises. */
	for (i = 0; i < n; i++) {
		memcpy(&u, in + i, sizeof u);
		u &= 0x7fffffffu;
		m = u > m ? u : m;
	}
	memcpy(&lim, &cg, sizeof lim);
	return m <= lim;
}

/* Processes frames in place or from in to out; returns the frames written. */
long
limiter_process(struct limiter *l, const float *in, float *out, long frames)
{
	float tmp[8], *d;
	long i, w = 0;
	int c;

	if (limiter_idle(l, in, frames)) {
		for (i = 0; i < frames; i++) {
			d = l->delay + l->pos * l->channels;
			for (c = 0; c < l->channels; c++)
				tmp[c] = in[i * l->channels + c] * l->gain;
			memcpy(d, tmp, sizeof *tmp * (size_t)l->channels);
			l->r[l->pos] = 1.0f;
			l->n++;
			if (++l->pos == l->size)
				l->pos = 0;
			if (l->n > l->la) {
				memcpy(out + w * l->channels,
				    l->delay + l->pos * l->channels,
				    sizeof *tmp * (size_t)l->channels);
				w++;
				l->out++;
			}
		}
		/* The window holds only 1s: the newest frame alone keeps the deque. */
		l->dq_head = 0;
		l->dq_len = 1;
		l->dq[0] = l->n - 1;
		l->real += frames;
		return w;
	}
	for (i = 0; i < frames; i++) {
		/* Read the input frame before out (maybe the same memory) is written. */
		memcpy(tmp, in + i * l->channels, sizeof *tmp * (size_t)l->channels);
		w += limiter_frame(l, tmp, out + w * l->channels);
		l->real++;
	}
	return w;
}

/* Pushes silence through to give out the held real frames, up to max. */
long
limiter_drain(struct limiter *l, float *out, long max)
{
	long w = 0;

	while (w < max && l->out < l->real)
		w += limiter_frame(l, NULL, out + w * l->channels);
	return w;
}

/* Frees the limiter; *lp becomes NULL. */
void
limiter_free(struct limiter **lp)
{
	struct limiter *l = *lp;

	if (l == NULL)
		return;
	free(l->delay);
	free(l->r);
	free(l->dq);
	free(l->h);
	free(l);
	*lp = NULL;
}
