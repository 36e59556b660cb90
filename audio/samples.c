/*
 * Loops over samples that every block goes through: the peak (silence in
 * the player, the limiter's look-ahead, probe's measuring), the curvature
 * (probe's true-peak bound), the limiter's gain and the float to 16-bit
 * conversion of the output.
 *
 * GCC at -O2 vectorises a loop only when its trip count is a known multiple
 * of the vector width, so these run in fixed groups of LANES samples and
 * finish the remainder one by one. Independent lanes also break the chain
 * of a running maximum (one maxss after another, each waiting on the last),
 * which alone cost more than the comparisons.
 */
#include <math.h>

#include "audio/internal.h"

#define LANES 8          /* two SSE vectors: measured faster than 4 or 16 */

/* The largest absolute value of n samples; 0 for none. */
float
audio_peak(const float *buf, size_t n)
{
	float m[LANES] = { 0 }, r = 0, v;
	size_t i = 0;
	int k;

	for (; i + LANES <= n; i += LANES)
		for (k = 0; k < LANES; k++) {
			v = fabsf(buf[i + k]);
			m[k] = v > m[k] ? v : m[k];
		}
	for (; i < n; i++) {
		v = fabsf(buf[i]);
		r = v > r ? v : r;
	}
	for (k = 0; k < LANES; k++)
		r = m[k] > r ? m[k] : r;
	return r;
}

/* Copies n samples from src to dst (separate buffers); returns their peak as audio_peak. */
float
audio_copy_peak(float *restrict dst, const float *restrict src, size_t n)
{
	float m[LANES] = { 0 }, r = 0, v;
	size_t i = 0;
	int k;

	for (; i + LANES <= n; i += LANES)
		for (k = 0; k < LANES; k++) {
			dst[i + k] = src[i + k];
			v = fabsf(src[i + k]);
			m[k] = v > m[k] ? v : m[k];
		}
	for (; i < n; i++) {
		dst[i] = src[i];
		v = fabsf(src[i]);
		r = v > r ? v : r;
	}
	for (k = 0; k < LANES; k++)
		r = m[k] > r ? m[k] : r;
	return r;
}

/*
 * The largest |x[i] - 2 x[i+stride] + x[i+2 stride]| over n interleaved
 * samples, stride being the channel count: how sharply the signal bends
 * between samples, which bounds how far it can overshoot them (probe.c).
 */
float
audio_curve(const float *buf, size_t n, size_t stride)
{
	float m[LANES] = { 0 }, r = 0, v;
	size_t i = 0, end = n > 2 * stride ? n - 2 * stride : 0;
	int k;

	for (; i + LANES <= end; i += LANES)
		for (k = 0; k < LANES; k++) {
			v = fabsf(buf[i + k] - 2.0f * buf[i + k + stride] +
			    buf[i + k + 2 * stride]);
			m[k] = v > m[k] ? v : m[k];
		}
	for (; i < end; i++) {
		v = fabsf(buf[i] - 2.0f * buf[i + stride] + buf[i + 2 * stride]);
		r = v > r ? v : r;
	}
	for (k = 0; k < LANES; k++)
		r = m[k] > r ? m[k] : r;
	return r;
}

/* Writes n samples of in times g to out (separate buffers). */
void
audio_scale(float *restrict out, const float *restrict in, size_t n, float g)
{
	size_t i = 0;
	int k;

	for (; i + LANES <= n; i += LANES)
		for (k = 0; k < LANES; k++)
			out[i + k] = in[i + k] * g;
	for (; i < n; i++)
		out[i] = in[i] * g;
}

/*
 * One sample to 16 bits, clipped symmetrically at full scale, rounded half
 * away from zero. The sign enters through copysignf, not a branch: a branch
 * that the data decides defeats vectorising and, on audio, mispredicts half
 * the time. NaN clips to full scale.
 */
static inline int16_t
to_s16(float v)
{
	v *= 32767.0f;
	v = fabsf(v) < 32767.0f ? v : copysignf(32767.0f, v);
	return (int16_t)(int32_t)(v + copysignf(0.5f, v));
}

/* Converts n samples to 16 bits into out, clipping at full scale. */
void
audio_to_s16(int16_t *out, const float *in, size_t n)
{
	size_t i = 0;
	int k;

	for (; i + LANES <= n; i += LANES)
		for (k = 0; k < LANES; k++)
			out[i + k] = to_s16(in[i + k]);
	for (; i < n; i++)
		out[i] = to_s16(in[i]);
}
