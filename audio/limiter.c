/*
 * The normalising gain and a look-ahead peak limiter.
 *
 * The limiter steers its gain per sub-block of S frames (LOOKAHEAD_MS
 * split in K parts) instead of per frame: per sample it only copies,
 * takes a peak and multiplies, and its decisions cost O(K) per sub-block.
 *
 * r[j] is the gain that keeps sub-block j under the ceiling (1 when it is
 * under already). The gain G[b] at boundary b, between sub-blocks b-1 and
 * b, may be at most q[b] = min(r[b-1], r[b]); inside sub-block j the gain
 * runs linearly from G[j] to G[j+1], so every frame of j gets at most r[j].
 * h[b] is the minimum of q over the next K+1 boundaries, and G[b] the mean
 * of h over the last K+1: each of those h already looked at q[b], so the
 * mean never exceeds q[b], and an attack is a ramp over the look-ahead
 * rather than a step. Release is a one-pole rise, one step per sub-block.
 *
 * G[b] needs r up to sub-block b+K, and sub-block j needs G[j+1]: output
 * lags input by D = (K+2) S frames, a fixed delay, so that every call gives
 * out as many frames as it takes in (once primed) and may work in place.
 *
 * The limiter works on sample peaks; a margin under the true-peak ceiling
 * (CEILING_MARGIN_DB) covers the overshoot between samples.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/internal.h"
#include "common/xmalloc.h"

#define LOOKAHEAD_MS 5
#define RELEASE_MS 80
#define CEILING_MARGIN_DB 0.5
#define MAX_GAIN_DB 30.0
#define K 8                     /* sub-blocks in the look-ahead */
#define NR 16                   /* ring of per-boundary values: > K + 2, a power of 2 */

struct limiter {
	int channels;
	long S;                 /* frames per sub-block */
	long D;                 /* the delay, (K + 2) * S frames */
	long R;                 /* frames in the ring: D + S */
	float gain;             /* the fixed normalising gain */
	float ceiling;          /* linear */
	float release;          /* per-sub-block release coefficient */

	float *ring;            /* input frames n-D..n, ungained */
	float peak;             /* of the sub-block being filled */
	float r_prev;           /* r of the last complete sub-block */
	float q[NR], h[NR], G[NR]; /* by boundary, index & (NR - 1) */
	long n;                 /* frames taken in (real and drain silence) */
	long real;              /* frames of real input taken in */
	long out;               /* frames given out */
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
	long la = (long)rate * LOOKAHEAD_MS / 1000;
	int i;

	l->channels = channels;
	l->S = la > 0 ? (la + K - 1) / K : 1;
	l->D = (K + 2) * l->S;
	l->R = l->D + l->S;
	l->gain = (float)pow(10.0, gain_db / 20.0);
	l->ceiling = (float)pow(10.0, (ceiling_dbtp - CEILING_MARGIN_DB) / 20.0);
	l->release = (float)(1.0 - exp(-(double)l->S /
	    (rate * RELEASE_MS / 1000.0)));
	l->ring = xcalloc((size_t)(l->R * channels), sizeof *l->ring);
	/* Before the first frame all is quiet: no reduction anywhere. */
	l->r_prev = 1.0f;
	for (i = 0; i < NR; i++)
		l->q[i] = l->h[i] = l->G[i] = 1.0f;
	return l;
}

/* Sub-block m is complete: its r gives q[m], h[m-K] and the gain G[m-K]. */
static void
limiter_plan(struct limiter *l, long m)
{
	float r, q, hmin, sum, a, g;
	long b = m - K;
	int i;

	r = l->peak * l->gain > l->ceiling ? l->ceiling / (l->peak * l->gain) :
	    1.0f;
	l->peak = 0;
	l->q[m & (NR - 1)] = r < l->r_prev ? r : l->r_prev;
	l->r_prev = r;
	hmin = 1.0f;
	for (i = 0; i <= K; i++) {
		q = l->q[(b + i) & (NR - 1)];
		hmin = q < hmin ? q : hmin;
	}
	l->h[b & (NR - 1)] = hmin;
	sum = 0;
	for (i = 0; i <= K; i++)
		sum += l->h[(b - i) & (NR - 1)];
	a = sum / (K + 1);
	g = l->G[(b - 1) & (NR - 1)];
	if (a < g || a - g < 1e-5f)
		g = a;
	else
		g += (a - g) * l->release;
	/* Rounding in the mean must not lift the gain over the bound. */
	q = l->q[b & (NR - 1)];
	l->G[b & (NR - 1)] = g < q ? g : q;
}

/*
 * Takes k frames (silence when in is NULL), all inside one sub-block, and
 * writes the frames D behind them to out; returns how many (fewer while
 * the delay fills). in is read before out is written: they may overlap.
 */
static long
limiter_step(struct limiter *l, const float *in, float *out, long k)
{
	size_t ch = (size_t)l->channels, len = (size_t)k * ch;
	float *dst = l->ring + (l->n % l->R) * (long)ch, *src, g0, dg, g, p;
	long t, off, skip = 0, i;
	size_t s;

	/* In: frames n.. into the ring, the sub-block's plan once it is whole. */
	t = l->n - l->D;
	if (in != NULL) {
		memcpy(dst, in, len * sizeof *dst);
		p = audio_peak(in, len);
		l->peak = p > l->peak ? p : l->peak;
	} else
		memset(dst, 0, len * sizeof *dst);
	l->n += k;
	if (l->n % l->S == 0)
		limiter_plan(l, l->n / l->S - 1);

	/* Out: frames t.. of sub-block j, which the delay already planned. */
	if (t < 0) {
		skip = -t < k ? -t : k;
		t += skip;
	}
	k -= skip;
	if (k == 0)
		return 0;
	src = l->ring + (t % l->R) * (long)ch;
	off = t % l->S;
	i = t / l->S;
	g0 = l->gain * l->G[i & (NR - 1)];
	dg = l->gain * (l->G[(i + 1) & (NR - 1)] - l->G[i & (NR - 1)]) /
	    (float)l->S;
	if (dg == 0.0f) {
		for (s = 0; s < (size_t)k * ch; s++)
			out[s] = src[s] * g0;
	} else {
		for (i = 0; i < k; i++) {
			g = g0 + dg * (float)(off + i);
			for (s = 0; s < ch; s++)
				out[(size_t)i * ch + s] = src[(size_t)i * ch + s] * g;
		}
	}
	l->out += k;
	return k;
}

/* Processes frames in place or from in to out; returns the frames written. */
long
limiter_process(struct limiter *l, const float *in, float *out, long frames)
{
	long done = 0, w = 0, k;

	while (done < frames) {
		k = l->S - l->n % l->S;
		if (k > frames - done)
			k = frames - done;
		w += limiter_step(l, in + done * l->channels, out + w * l->channels,
		    k);
		done += k;
	}
	l->real += frames;
	return w;
}

/* Pushes silence through to give out the held real frames, up to max. */
long
limiter_drain(struct limiter *l, float *out, long max)
{
	long w = 0, k;

	while (w < max && l->out < l->real) {
		k = l->S - l->n % l->S;
		if (k > max - w)
			k = max - w;
		if (k > l->real - l->out)
			k = l->real - l->out;
		w += limiter_step(l, NULL, out + w * l->channels, k);
	}
	return w;
}

/* Frees the limiter; *lp becomes NULL. */
void
limiter_free(struct limiter **lp)
{
	struct limiter *l = *lp;

	if (l == NULL)
		return;
	free(l->ring);
	free(l);
	*lp = NULL;
}
