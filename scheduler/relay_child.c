/*
 * The airing child of a relay slot: the source's PCM from the relay service
 * (relay/relay.h) through a slow automatic gain on the short-term loudness
 * (libebur128, 3 s) and the true-peak limiter to the device, from the
 * slot's instant to its end. A fault (the service or the source unreachable,
 * the stream ended, no audio for RELAY_STALL_MS, only silence for
 * silence_s) airs the slot's fallback bulletins while the source is asked
 * for again with back-off; once it gives a second of sound again, the
 * bulletin fades and the relay resumes. Reports as scheduler/airing_child.h
 * says.
 */
#include <ebur128.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/audio.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "relay/relay.h"
#include "scheduler/airing.h"
#include "scheduler/airing_child.h"
#include "scheduler/airlog.h"
#include "scheduler/loop.h"
#include "scheduler/sealed.h"

#define RELAY_BLOCK 960            /* frames: 20 ms at 48 kHz */
#define RELAY_AHEAD_MS 3000        /* off air, the newest audio kept; older is dropped */
#define RELAY_HOLD_MS 30000        /* on air, at most this is held */
#define RELAY_STALL_MS 5000        /* no audio this long: the source is lost */
#define RELAY_BACK_MS 1000         /* a returning source must sound this long */
#define RELAY_RESUME_MS 2000       /* a relay resumed in its slot waits this for audio */
#define RELAY_RETRY_MIN_MS 1000
#define RELAY_RETRY_MAX_MS 10000
#define RELAY_AGC_DB_PER_S 1.5     /* how fast the gain follows the loudness */
#define RELAY_AGC_MAX_DB 20.0
#define RELAY_FB_RETRY_MS 1000     /* a fallback item the controller failed waits this */

struct relay {
	const struct sched_airing_spec *spec;
	const volatile sig_atomic_t *stop;
	int fd;                    /* the report pipe */
	int conn;                  /* the relay service, or -1 */
	int ok;                    /* its OK line came */
	char line[256];
	size_t linelen;
	char why[200];             /* why the last try failed */
	char *ring;                /* audio read ahead, interleaved floats */
	size_t head;               /* where its oldest byte is */
	size_t bytes;              /* in it */
	size_t have, cap;          /* whole frames in it; its size, in bytes */
	int64_t retry_at;          /* ms, monotonic */
	int64_t backoff;
	int64_t loud_ms;           /* sound since it (re)connected */
	int64_t last_audio;        /* monotonic ms of the last audio read */
	int64_t played;            /* frames out: the source's, the filler's */
	int64_t relayed;           /* frames out of them from the source */
	struct out *out;
	ebur128_state *meter;
	struct limiter *lim;
	double gain_db;
	int on_relay;
	int started;
	unsigned char *refused;    /* fallback items not the approved file: never again */
	int64_t *retry_fb;         /* monotonic ms: an item the controller failed waits */
	volatile sig_atomic_t back; /* end the fallback: the source is back, or stop */
	const char *back_why;      /* what ended it, for its row */
};

static void
relay_say(struct relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
relay_say(struct relay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sched_child_vsay(r->fd, fmt, ap);
	va_end(ap);
}

/* Drops the connection and schedules the next try, later each time. */
static void
relay_drop(struct relay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
relay_drop(struct relay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	if (r->conn >= 0)
		close(r->conn);
	r->conn = -1;
	r->ok = 0;
	r->linelen = r->have = r->bytes = r->head = 0;
	r->loud_ms = 0;
	r->retry_at = sched_loop_now() + r->backoff;
	r->backoff = r->backoff * 3 / 2 > RELAY_RETRY_MAX_MS ? RELAY_RETRY_MAX_MS :
	    r->backoff * 3 / 2;
}

/* Copies n bytes of b into the ring at offset at, wrapping. */
static void
relay_ring_put(struct relay *r, size_t at, const char *b, size_t n)
{
	size_t first = r->cap - at < n ? r->cap - at : n;

	memcpy(r->ring + at, b, first);
	memcpy(r->ring, b + first, n - first);
}

/*
 * Appends the bytes read to the ring (bytes, so that a frame split across
 * reads joins up). On air it holds up to RELAY_HOLD_MS, so that a source
 * that comes in bursts (HLS, a segment at a time) airs whole; off air (the
 * pre-roll, the fallback) only the newest RELAY_AHEAD_MS, so that the relay
 * starts near the live edge. Counts how long the source has sounded.
 */
static void
relay_take(struct relay *r, const char *b, size_t n)
{
	const float quiet = (float)pow(10.0, AUDIO_SILENCE_DBFS / 20.0);
	const size_t fsz = sizeof(float) * RELAY_CHANNELS;
	const size_t keep = (size_t)RELAY_RATE * (r->on_relay ? RELAY_HOLD_MS :
	    RELAY_AHEAD_MS) / 1000 * fsz;
	size_t drop, from, to, i;
	float peak = 0, v;

	if (n > keep) {
		b += (n - keep + fsz - 1) / fsz * fsz;
		n -= (n - keep + fsz - 1) / fsz * fsz;
	}
	if (r->bytes + n > keep) {
		drop = (r->bytes + n - keep + fsz - 1) / fsz * fsz;
		if (drop > r->bytes)
			drop = r->bytes / fsz * fsz;
		r->head = (r->head + drop) % r->cap;
		r->bytes -= drop;
	}
	/* Whole floats, the one a read split included once it is whole. */
	from = r->bytes / sizeof(float);
	relay_ring_put(r, (r->head + r->bytes) % r->cap, b, n);
	r->bytes += n;
	to = r->bytes / sizeof(float);
	for (i = from; i < to; i++) {
		memcpy(&v, r->ring + (r->head + i * sizeof(float)) % r->cap, sizeof v);
		if ((v = fabsf(v)) > peak)
			peak = v;
	}
	r->have = r->bytes / fsz;
	if (n > 0) {
		r->last_audio = sched_loop_now();
		if (peak >= quiet)
			r->loud_ms += (int64_t)n * 1000 / (int64_t)(fsz * RELAY_RATE);
		else if (!r->on_relay)
			r->loud_ms = 0;
	}
}

/* Takes the oldest block of frames out of the ring into buf. */
static void
relay_block(struct relay *r, float *buf, size_t frames)
{
	const size_t len = frames * sizeof(float) * RELAY_CHANNELS;
	const size_t first = r->cap - r->head < len ? r->cap - r->head : len;

	memcpy(buf, r->ring + r->head, first);
	memcpy((char *)buf + first, r->ring, len - first);
	r->head = (r->head + len) % r->cap;
	r->bytes -= len;
	r->have = r->bytes / (sizeof(float) * RELAY_CHANNELS);
}

/* Connects, reads the answer and what audio is there; never blocks. */
static void
relay_pump(struct relay *r)
{
	char buf[32768], *cause = NULL;
	const char *detail;
	ssize_t n;
	int h;

	if (r->conn < 0) {
		if (sched_loop_now() < r->retry_at)
			return;
		if ((r->conn = relay_client_open(r->spec->relay_sock,
		    r->spec->relay_source, &cause)) < 0) {
			relay_drop(r, "source unreachable: %s", cause);
			free(cause);
			return;
		}
		r->last_audio = sched_loop_now();
	}
	if (!r->ok) {
		if ((h = relay_client_header(r->conn, r->line, sizeof r->line,
		    &r->linelen)) < 0) {
			relay_drop(r, "source unreachable: the relay service closed");
			return;
		}
		if (h == 0) {
			if (sched_loop_now() - r->last_audio > 15000)
				relay_drop(r, "source unreachable: no answer in 15 s");
			return;
		}
		if (strncmp(r->line, "OK ", 3) != 0) {
			detail = strncmp(r->line, "ERR ", 4) == 0 ? r->line + 4 : r->line;
			relay_drop(r, "%s", detail);
			return;
		}
		r->ok = 1;
		r->last_audio = sched_loop_now();
	}
	for (;;) {
		n = read(r->conn, buf, sizeof buf);
		if (n > 0) {
			relay_take(r, buf, (size_t)n);
			continue;
		}
		if (n == 0) {
			relay_drop(r, "source lost: the stream ended");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			relay_drop(r, "source lost: %s", strerror(errno));
		break;
	}
	if (r->ok && sched_loop_now() - r->last_audio > RELAY_STALL_MS)
		relay_drop(r, "source lost: no audio for %d s", RELAY_STALL_MS / 1000);
}

/* The slow gain: toward the target from the short-term loudness, bounded. */
static void
relay_agc(struct relay *r, float *buf, long frames)
{
	double st, want, step, g;
	long i;

	ebur128_add_frames_float(r->meter, buf, (size_t)frames);
	if (ebur128_loudness_shortterm(r->meter, &st) == EBUR128_SUCCESS &&
	    isfinite(st) && st > AUDIO_SILENCE_DBFS) {
		/* The meter hears the source before the gain. */
		want = r->spec->audio->loudness_target - st;
		if (want > RELAY_AGC_MAX_DB)
			want = RELAY_AGC_MAX_DB;
		if (want < -RELAY_AGC_MAX_DB)
			want = -RELAY_AGC_MAX_DB;
		step = RELAY_AGC_DB_PER_S * (double)frames / RELAY_RATE;
		if (want > r->gain_db + step)
			r->gain_db += step;
		else if (want < r->gain_db - step)
			r->gain_db -= step;
		else
			r->gain_db = want;
	}
	g = pow(10.0, r->gain_db / 20.0);
	for (i = 0; i < frames * RELAY_CHANNELS; i++)
		buf[i] *= (float)g;
}

/* The time relayed so far, in ms: what the log's played_ms says of a relay. */
static int64_t
relay_ms(const struct relay *r)
{
	return r->relayed * 1000 / RELAY_RATE;
}

/*
 * Writes one block; the first one says S. Only the source's blocks count
 * as relayed (source), not the silence that fills a gap in the stream or
 * stands in when there is no fallback. -1 when the device failed.
 */
static int
relay_out(struct relay *r, float *buf, long frames, int source, char **cause)
{
	if (out_write(r->out, buf, frames, cause) != 0)
		return -1;
	if (!r->started) {
		relay_say(r, "S %lld", (long long)sched_log_now_ms());
		r->started = 1;
	}
	r->played += frames;
	if (source)
		r->relayed += frames;
	if (r->played % (RELAY_BLOCK * 12) < frames)
		relay_say(r, "P %lld", (long long)relay_ms(r));
	return 0;
}

/*
 * While a fallback bulletin airs: keep asking for the source; end it when
 * back, at the slot's end, or when the child is told to stop (an
 * emergency, a stop, a skip, the daemon's end): the player watches only
 * r->back, so the stop reaches it through that. Its progress keeps the
 * daemon's hang watch quiet; what it reports is the time relayed, which
 * the fallback does not add to (its own row has its time).
 */
static void
relay_fallback_progress(void *arg, int64_t played_ms)
{
	struct relay *r = arg;

	if (*r->stop && !r->back) {
		r->back = 1;
		r->back_why = "the relay was stopped";
	}
	relay_pump(r);
	if (r->ok && r->loud_ms >= RELAY_BACK_MS && !r->back) {
		r->back = 1;
		r->back_why = "the source came back";
	}
	if (sched_log_now_ms() + r->spec->audio->fade_ms >= r->spec->end_at && !r->back) {
		r->back = 1;
		r->back_why = "the slot ended";
	}
	if (played_ms % 1000 < AUDIO_BLOCK_MS)
		relay_say(r, "P %lld", (long long)relay_ms(r));
}

/*
 * Fallback item i failed for the controller's own sake (no memory for its
 * copy, its copy unreadable), not the file's: says so (X, as a file item's
 * player failure), once until it airs, and waits RELAY_FB_RETRY_MS.
 */
static void
relay_fallback_failed(struct relay *r, size_t i, const char *cause)
{
	if (r->retry_fb[i] == 0)
		relay_say(r, "X %zu player: %s", i, cause);
	r->retry_fb[i] = sched_loop_now() + RELAY_FB_RETRY_MS;
}

/*
 * Airs fallback item i (its sealed copy, checked); returns ms played. An
 * item that is not the approved file (the daemon's list, or its copy now)
 * is reported tampered (X) once and not tried again in this slot; one that
 * the controller failed to copy or hash is tried again later.
 */
static int64_t
relay_fallback(struct relay *r, size_t i)
{
	const struct sched_fallback *fb = &r->spec->fallback[i];
	struct player_opts po;
	struct player_result res;
	struct player *p = NULL;
	char sealed[32], hex[65], *cause = NULL;
	int mfd;
	int64_t ms = 0;

	if (r->refused[i] || sched_loop_now() < r->retry_fb[i])
		return 0;
	if ((mfd = sched_sealed_copy(fb->path, &cause)) < 0) {
		if (mfd == -1) {
			relay_say(r, "X %zu tampered: %s", i, cause);
			r->refused[i] = 1;
		} else
			relay_fallback_failed(r, i, cause);
		free(cause);
		return 0;
	}
	sched_sealed_path(mfd, sealed, sizeof sealed);
	if (lib_sha256_file(sealed, hex, &cause) != 0 || strcmp(hex, fb->sha256) != 0) {
		if (cause != NULL)
			relay_fallback_failed(r, i, cause);
		else {
			relay_say(r, "X %zu tampered: %s changed since it was approved", i,
			    fb->path);
			r->refused[i] = 1;
		}
		free(cause);
		close(mfd);
		return 0;
	}
	r->retry_fb[i] = 0;
	sched_player_opts(r->spec->audio, &po);
	po.device = r->out;
	po.loudness_lufs = fb->loudness_lufs != 0 ? fb->loudness_lufs : NAN;
	po.expect_ms = fb->duration_ms;
	po.stop_flag = &r->back;
	po.on_progress = relay_fallback_progress;
	po.arg = r;
	p = player_new(&po);
	if (player_open(p, sealed, &cause) == 0) {
		relay_say(r, "B %zu %lld", i, (long long)sched_log_now_ms());
		if (!r->started) {
			relay_say(r, "S %lld", (long long)sched_log_now_ms());
			r->started = 1;
		}
		player_run(p, &res);
		ms = res.played_ms;
		relay_say(r, "E %zu %lld %s %s", i, (long long)ms,
		    player_outcome_name(res.outcome), res.outcome == PLAYER_STOPPED &&
		    r->back_why != NULL ? r->back_why : "");
		player_result_clear(&res);
	}
	free(cause);
	player_free(&p);
	close(mfd);
	out_prepare(r->out, RELAY_RATE, RELAY_CHANNELS, &cause);
	free(cause);
	return ms;
}

int
sched_relay_child(const struct sched_airing_spec *spec, int fd)
{
	const float quiet = (float)pow(10.0, AUDIO_SILENCE_DBFS / 20.0);
	struct relay r;
	struct player_opts po;
	struct audio_option *aopts;
	float buf[RELAY_BLOCK * RELAY_CHANNELS], peak, v;
	int64_t silent_ms = 0, now, until, fade_total, fade_left = -1;
	size_t next = 0, nfb_tries;
	char *cause = NULL;
	long i, k;
	int c, stopped = 0, resume, gap;

	memset(&r, 0, sizeof r);
	r.spec = spec;
	r.fd = fd;
	r.conn = -1;
	r.backoff = RELAY_RETRY_MIN_MS;
	r.stop = sched_child_init();
	/* A frame more than the most held: a partial frame waits at its end. */
	r.cap = ((size_t)RELAY_RATE * RELAY_HOLD_MS / 1000 + 1) * sizeof(float) *
	    RELAY_CHANNELS;
	r.ring = xmalloc(r.cap);
	r.refused = xcalloc(spec->nfallback + 1, 1);
	r.retry_fb = xcalloc(spec->nfallback + 1, sizeof *r.retry_fb);
	for (i = 0; i < (long)spec->nfallback; i++)
		r.refused[i] = spec->fallback[i].refused;
	sched_player_opts(spec->audio, &po);
	aopts = sched_player_out_options(spec->audio, &po);
	r.out = out_new(&po.out);
	if (out_prepare(r.out, RELAY_RATE, RELAY_CHANNELS, &cause) != 0) {
		relay_say(&r, "D failed 0 device: %s", cause);
		goto out;
	}
	r.meter = ebur128_init(RELAY_CHANNELS, RELAY_RATE, EBUR128_MODE_S);
	r.lim = limiter_new(RELAY_RATE, RELAY_CHANNELS, 0.0, spec->audio->true_peak);
	fade_total = (int64_t)spec->audio->fade_ms * RELAY_RATE / 1000;

	/*
	 * The pre-roll: connect and read ahead until the instant. A relay that
	 * resumes in its slot (after an emergency, or a restart) has none: it
	 * goes on air with the source's first audio, waiting for it at most
	 * RELAY_RESUME_MS before the source counts as failed.
	 */
	now = sched_log_now_ms();
	resume = now >= spec->start_at;
	until = resume ? now + RELAY_RESUME_MS : spec->start_at;
	/* Reads every 20 ms, the last wait no longer than the instant. */
	while (!*r.stop && sched_log_now_ms() < until && !(resume && r.ok && r.have > 0)) {
		relay_pump(&r);
		now = sched_log_now_ms();
		poll(NULL, 0, until - now >= 20 ? 20 : until > now ? (int)(until - now) : 0);
	}
	r.on_relay = r.ok && r.have > 0;
	if (!r.on_relay && !*r.stop) {
		if (r.why[0] == '\0')
			snprintf(r.why, sizeof r.why, "source unreachable: no audio by "
			    "the slot's start");
		relay_say(&r, "F %lld %s", (long long)sched_log_now_ms(), r.why);
	}
	for (;;) {
		now = sched_log_now_ms();
		if (*r.stop && fade_left < 0) {
			stopped = 1;
			fade_left = fade_total;
		}
		if (fade_left < 0 && now + spec->audio->fade_ms >= spec->end_at)
			fade_left = fade_total;
		if (fade_left == 0 || (fade_left < 0 && now >= spec->end_at))
			break;
		if (!r.on_relay) {
			if (fade_left >= 0)
				break;
			/* The fallback, a bulletin at a time, until the source is back. */
			r.back = 0;
			r.back_why = NULL;
			for (nfb_tries = 0; !r.back && !*r.stop && nfb_tries <
			    spec->nfallback; nfb_tries++) {
				relay_fallback(&r, next);
				next = (next + 1) % spec->nfallback;
			}
			relay_pump(&r);
			if (r.ok && r.loud_ms >= RELAY_BACK_MS && !*r.stop &&
			    sched_log_now_ms() + spec->audio->fade_ms < spec->end_at) {
				r.on_relay = 1;
				silent_ms = 0;
				r.backoff = RELAY_RETRY_MIN_MS;
				relay_say(&r, "R %lld", (long long)sched_log_now_ms());
			} else if (spec->nfallback == 0 || nfb_tries == spec->nfallback) {
				/* Nothing to fill with: silence, a block at a time. */
				memset(buf, 0, sizeof buf);
				if (relay_out(&r, buf, RELAY_BLOCK, 0, &cause) != 0)
					break;
			}
			continue;
		}
		relay_pump(&r);
		if (!r.ok) {
			relay_say(&r, "F %lld %s", (long long)sched_log_now_ms(), r.why);
			r.on_relay = 0;
			continue;
		}
		if ((gap = r.have < RELAY_BLOCK))
			memset(buf, 0, sizeof buf); /* a gap in the stream: a block of silence */
		else
			relay_block(&r, buf, RELAY_BLOCK);
		relay_agc(&r, buf, RELAY_BLOCK);
		k = limiter_process(r.lim, buf, buf, RELAY_BLOCK, &peak);
		silent_ms = peak * (float)pow(10.0, -r.gain_db / 20.0) < quiet ?
		    silent_ms + AUDIO_BLOCK_MS : 0;
		if (fade_left >= 0) {
			for (i = 0; i < k; i++) {
				v = fade_left - i > 0 ? (float)(fade_left - i) / (float)fade_total : 0;
				for (c = 0; c < RELAY_CHANNELS; c++)
					buf[i * RELAY_CHANNELS + c] *= v;
			}
			fade_left = fade_left > k ? fade_left - k : 0;
		}
		if (k > 0 && relay_out(&r, buf, k, !gap, &cause) != 0)
			break;
		if (silent_ms > (int64_t)spec->silence_s * 1000 && fade_left < 0) {
			relay_drop(&r, "source silent: only silence for %d s",
			    spec->silence_s);
			/* A silent source is asked again at once, then with back-off. */
			r.retry_at = sched_loop_now();
			relay_say(&r, "F %lld %s", (long long)sched_log_now_ms(), r.why);
			r.on_relay = 0;
		}
	}
	if (r.conn >= 0)
		close(r.conn);
	if (out_close(r.out, &cause) != 0 || cause != NULL)
		relay_say(&r, "D failed %lld device: %s", (long long)relay_ms(&r), cause);
	else
		relay_say(&r, "D %s %lld ", stopped ? "stopped" : "completed",
		    (long long)relay_ms(&r));
out:
	free(cause);
	limiter_free(&r.lim);
	if (r.meter != NULL)
		ebur128_destroy(&r.meter);
	out_free(&r.out);
	free(aopts);
	free(r.ring);
	free(r.refused);
	free(r.retry_fb);
	return 0;
}
