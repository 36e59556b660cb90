/*
 * The normalising gain and a look-ahead peak limiter.
 *
 * The limiter steers its gain per sub-block of S frames (a K-th of
 * LOOKAHEAD_MS, rounded up to 8 frames) instead of per frame: per sample
 * it only copies, takes a peak and multiplies, and its decisions cost O(K)
 * per sub-block.
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
 * Positions are counted, not divided: no 64-bit division per step.
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
#define K 4                     /* sub-blocks in the look-ahead */
#define NR 8                    /* ring of per-boundary values: > K + 2, a power of 2 */

struct limiter {
	int channels;
	long S;                 /* frames per sub-block */
	long R;                 /* frames in the ring: K + 3 sub-blocks */
	float gain;             /* the fixed normalising gain */
	float ceiling;          /* linear */
	float release;          /* per-sub-block release coefficient */

	/*
	 * The input, ungained: sub-blocks m-K-2..m. Sub-block m-K-2, whose
	 * frames go out as those of m come in, sits one sub-block after m.
	 */
	float *ring;
	long m;                 /* the sub-block being filled */
	long fill;              /* its frames so far */
	long base;              /* its first frame in the ring */
	float peak;             /* its peak so far */
	float r_prev;           /* r of the last complete sub-block */
	float q[NR], h[NR], G[NR]; /* by boundary, index & (NR - 1) */
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
	/* A multiple of 8 frames: the sample loops then have no scalar tail. */
	l->S = ((la + K - 1) / K + 7) / 8 * 8;
	l->R = (K + 3) * l->S;
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
 * Takes k frames (silence when in is NULL), at most what sub-block m still
 * lacks, raising *in_peak to their peak, and writes the frames D behind
 * them to out; returns how many (none while the delay fills). in is read
 * before out is written: they may overlap.
 */
static long
limiter_step(struct limiter *l, const float *in, float *out, long k,
    float *in_peak)
{
	size_t ch = (size_t)l->channels, len = (size_t)k * ch;
	float *dst = l->ring + (l->base + l->fill) * (long)ch, *src, g0, g1, dg, p;
	long j = l->m - K - 2, off = l->fill, i, next;
	size_t c;

	if (in != NULL) {
		p = audio_copy_peak(dst, in, len);
		l->peak = p > l->peak ? p : l->peak;
		*in_peak = p > *in_peak ? p : *in_peak;
	} else
		memset(dst, 0, len * sizeof *dst);
	l->fill += k;
	if (l->fill == l->S)
		limiter_plan(l, l->m);

	/* Out: the same frames of sub-block j, whose gains G[j], G[j+1] are planned. */
	if (j >= 0) {
		next = l->base + l->S;
		src = l->ring + ((next == l->R ? 0 : next) + off) * (long)ch;
		g0 = l->gain * l->G[j & (NR - 1)];
		g1 = l->gain * l->G[(j + 1) & (NR - 1)];
		if (g0 == g1)
			audio_scale(out, src, len, g0);
		else {
			dg = (g1 - g0) / (float)l->S;
			for (i = 0; i < k; i++)
				for (c = 0; c < ch; c++)
					out[(size_t)i * ch + c] = src[(size_t)i * ch + c] *
					    (g0 + dg * (float)(off + i));
		}
		l->out += k;
	} else
		k = 0;
	if (l->fill == l->S) {
		l->m++;
		l->fill = 0;
		l->base += l->S;
		if (l->base == l->R)
			l->base = 0;
	}
	return k;
}

/* Processes frames in place or from in to out; returns the frames written. */
long
limiter_process(struct limiter *l, const float *in, float *out, long frames,
    float *peak)
{
	long done = 0, w = 0, k;
	float p = 0;

	while (done < frames) {
		k = l->S - l->fill;
		if (k > frames - done)
			k = frames - done;
		w += limiter_step(l, in + done * l->channels, out + w * l->channels,
		    k, &p);
		done += k;
	}
	l->real += frames;
	if (peak != NULL)
		*peak = p;
	return w;
}

/* Pushes silence through to give out the held real frames, up to max. */
long
limiter_drain(struct limiter *l, float *out, long max)
{
	long w = 0, k;
	float p = 0;

	while (w < max && l->out < l->real) {
		k = l->S - l->fill;
		if (k > max - w)
			k = max - w;
		if (k > l->real - l->out)
			k = l->real - l->out;
		w += limiter_step(l, NULL, out + w * l->channels, k, &p);
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
