/*
 * The player: decode -> normalising gain and limiter -> output, one block
 * of AUDIO_BLOCK_MS at a time. Between blocks it looks at its stop flags,
 * so a stop (player_stop, or a flag a signal handler sets in a child
 * process) turns into a fade of fade_ms and then the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/internal.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"

struct player {
	struct player_opts o;
	struct out *own;        /* made from o.out when no device was lent */
	struct out *out;
	struct dec *dec;
	struct limiter *lim;
	float *buf;
	long block;             /* frames per block */
	int rate;
	int channels;
	double gain_db;
	int64_t expect_ms;      /* what a completed run plays, within AUDIO_SHORT_MS */
	volatile sig_atomic_t stop;
};

/* Defaults matching the configuration's. */
void
player_opts_init(struct player_opts *o)
{
	memset(o, 0, sizeof *o);
	o->out.driver = "auto";
	o->out.realtime = 1;
	o->normalize = 1;
	o->target_lufs = -16.0;
	o->ceiling_dbtp = -1.0;
	o->fade_ms = 1500;
	o->loudness_lufs = NAN;
}

/* A new idle player; the caller frees it with player_free. */
struct player *
player_new(const struct player_opts *opts)
{
	struct player *p = xcalloc(1, sizeof *p);

	p->o = *opts;
	return p;
}

/* Opens the file (measuring it first when its loudness is unknown) and the output. */
int
player_open(struct player *p, const char *path, char **cause)
{
	struct audio_info info;

	dec_free(&p->dec);
	limiter_free(&p->lim);
	p->gain_db = 0.0;
	p->expect_ms = p->o.expect_ms;
	if (p->o.normalize) {
		double lufs = p->o.loudness_lufs;

		if (isnan(lufs)) {
			if (audio_probe(path, &info, cause) != 0)
				return -1;
			lufs = info.loudness_lufs;
			if (p->expect_ms <= 0)
				p->expect_ms = info.duration_ms;
			audio_info_clear(&info);
		}
		p->gain_db = audio_norm_gain_db(lufs, p->o.target_lufs);
	}
	if (dec_open(path, &p->dec, cause) != 0)
		return -1;
	p->rate = dec_rate(p->dec);
	p->channels = dec_channels(p->dec);
	p->block = (long)p->rate * AUDIO_BLOCK_MS / 1000;
	free(p->buf);
	p->buf = xmalloc(sizeof *p->buf * (size_t)(p->block * p->channels));
	if (p->o.normalize)
		p->lim = limiter_new(p->rate, p->channels, p->gain_db,
		    p->o.ceiling_dbtp);
	if (p->o.device != NULL)
		p->out = p->o.device;
	else {
		if (p->own == NULL)
			p->own = out_new(&p->o.out);
		p->out = p->own;
	}
	if (out_prepare(p->out, p->rate, p->channels, cause) != 0) {
		dec_free(&p->dec);
		return -1;
	}
	log_debug("audio: %s, %d Hz, %d ch, gain %+.1f dB, to %s", dec_format(p->dec),
	    p->rate, p->channels, p->gain_db, out_driver(p->out));
	p->stop = 0;
	return 0;
}

/* Whether a stop was asked for, by player_stop or the caller's flag. */
static int
player_stopping(const struct player *p)
{
	return p->stop || (p->o.stop_flag != NULL && *p->o.stop_flag);
}

/* Ends the run: fills res and returns as player_run does. */
static int
player_end(struct player *p, struct player_result *res, enum player_outcome oc,
    int64_t frames, char *reason)
{
	res->outcome = oc;
	res->played_ms = frames * 1000 / p->rate;
	res->reason = reason;
	res->gain_db = p->gain_db;
	res->silence = res->longest_silence_ms > AUDIO_SILENCE_FLAG_MS;
	dec_free(&p->dec);
	return oc == PLAYER_FAILED ? -1 : 0;
}

/* Plays the opened file to its end, a stop, or a failure. */
int
player_sha256(const struct player *p, char hex[65], char **cause)
{
	if (p->dec == NULL) {
		xasprintf(cause, _("no file is open"));
		return -1;
	}
	return dec_sha256(p->dec, hex, cause);
}

int
player_run(struct player *p, struct player_result *res)
{
	const float quiet = (float)pow(10.0, AUDIO_SILENCE_DBFS / 20.0);
	int64_t written = 0, quiet_run = 0;
	long n, m, i, fade_total = 0, fade_left = 0, k;
	int fading = 0, ended = 0, c;
	char *cause = NULL;
	float v, peak;

	memset(res, 0, sizeof *res);
	if (p->dec == NULL) {
		p->rate = p->rate > 0 ? p->rate : 1;
		return player_end(p, res, PLAYER_FAILED, 0,
		    xstrdup(_("nothing opened to play")));
	}
	for (;;) {
		if (!fading && player_stopping(p)) {
			fade_total = (long)((int64_t)p->o.fade_ms * p->rate / 1000);
			if (fade_total <= 0)
				return player_end(p, res, PLAYER_STOPPED, written,
				    xstrdup("stopped"));
			fading = 1;
			fade_left = fade_total;
		}
		n = dec_read(p->dec, p->buf, p->block, &cause);
		if (n < 0)
			return player_end(p, res, PLAYER_FAILED, written, cause);
		if (n == 0) {
			ended = 1;
			m = p->lim != NULL ? limiter_drain(p->lim, p->buf, p->block) : 0;
			if (m == 0)
				break;
		} else {
			/* Silence is judged on the source, before any gain. */
			if (p->lim != NULL)
				m = limiter_process(p->lim, p->buf, p->buf, n, &peak);
			else {
				m = n;
				peak = audio_peak(p->buf, (size_t)(n * p->channels));
			}
			if (peak < quiet) {
				quiet_run += n;
				if (quiet_run * 1000 / p->rate > res->longest_silence_ms)
					res->longest_silence_ms = quiet_run * 1000 / p->rate;
			} else
				quiet_run = 0;
		}
		if (fading) {
			/* A linear ramp from where the fade stands to zero. */
			for (i = 0; i < m; i++) {
				k = fade_left - i;
				v = k > 0 ? (float)k / (float)fade_total : 0.0f;
				for (c = 0; c < p->channels; c++)
					p->buf[i * p->channels + c] *= v;
			}
			if (m > fade_left)
				m = fade_left;
			fade_left -= m;
		}
		if (m > 0 && out_write(p->out, p->buf, m, &cause) != 0)
			return player_end(p, res, PLAYER_FAILED, written, cause);
		if (written == 0 && m > 0 && p->o.on_start != NULL)
			p->o.on_start(p->o.arg);
		written += m;
		if (p->o.on_progress != NULL)
			p->o.on_progress(p->o.arg, written * 1000 / p->rate);
		if (fading && fade_left <= 0)
			return player_end(p, res, PLAYER_STOPPED, written,
			    xstrdup("stopped"));
		if (ended && p->lim == NULL)
			break;
	}
	/* A decoder that ends early without an error: say what went out. */
	if (p->expect_ms > 0 && written * 1000 / p->rate + AUDIO_SHORT_MS < p->expect_ms) {
		xasprintf(&cause, _("the audio ended after %lld of the %lld ms measured"),
		    (long long)(written * 1000 / p->rate), (long long)p->expect_ms);
		return player_end(p, res, PLAYER_FAILED, written, cause);
	}
	return player_end(p, res, PLAYER_COMPLETED, written, NULL);
}

/* Sets the stop flag: safe from a signal handler. */
void
player_stop(struct player *p)
{
	p->stop = 1;
}

const char *
player_outcome_name(enum player_outcome oc)
{
	switch (oc) {
	case PLAYER_COMPLETED: return "completed";
	case PLAYER_STOPPED: return "stopped";
	case PLAYER_FAILED: return "failed";
	}
	return "failed";
}

/* Frees the reason in res. */
void
player_result_clear(struct player_result *res)
{
	free(res->reason);
	res->reason = NULL;
}

/* Frees the player and its own output (a lent one stays open); *pp becomes NULL. */
void
player_free(struct player **pp)
{
	struct player *p = *pp;

	if (p == NULL)
		return;
	dec_free(&p->dec);
	limiter_free(&p->lim);
	out_free(&p->own);
	free(p->buf);
	free(p);
	*pp = NULL;
}
