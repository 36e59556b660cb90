/*
 * Unit tests for audio/: every format's duration, every kind of damage
 * refused quickly, normalisation, the limiter's ceiling, stop with fade,
 * silence, output failures. Test audio comes from gen-audio ($LOAXA_GEN_AUDIO).
 */
#include <check.h>
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/audio.h"
#include "common/xmalloc.h"
#include "tests/testutil.h"

/* Runs gen-audio with args into dir/name; returns the allocated path. */
static char *
gen(const char *dir, const char *name, const char *args)
{
	const char *g = getenv("LOAXA_GEN_AUDIO");
	char *path, *cmd;

	if (g == NULL)
		g = "build/tests/gen-audio";
	xasprintf(&path, "%s/%s", dir, name);
	xasprintf(&cmd, "'%s' %s '%s'", g, args, path);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
	free(cmd);
	return path;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Plays in to a WAV at out, unpaced, normalised; returns the player's status. */
static int
play_to_wav(const char *in, const char *out, struct player_result *res)
{
	struct player_opts o;
	struct player *p;
	char *cause = NULL;
	int rc;

	player_opts_init(&o);
	o.out.driver = "wav";
	o.out.file = out;
	o.out.realtime = 0;
	p = player_new(&o);
	ck_assert_msg(player_open(p, in, &cause) == 0, "open: %s", cause);
	rc = player_run(p, res);
	player_free(&p);
	return rc;
}

static const struct {
	const char *name, *args, *format;
	int rate;
} formats[] = {
	{ "a.wav", "--format wav --rate 44100 --channels 1", "wav", 44100 },
	{ "a.flac", "--format flac --rate 48000", "flac", 48000 },
	{ "a.ogg", "--format ogg --rate 44100", "vorbis", 44100 },
	{ "a.opus", "--format opus --rate 48000", "opus", 48000 },
	{ "a.mp3", "--format mp3 --rate 44100 --bitrate-kbps 128", "mp3", 44100 },
	{ "b.mp3", "--format mp3 --rate 22050 --channels 1 --bitrate-kbps 32 --kind speech", "mp3", 22050 },
	/* Named after another format: the content decides. */
	{ "wav-named.mp3", "--format wav --rate 16000", "wav", 16000 },
};

START_TEST(test_format_duration)
{
	char *dir = tu_tmpdir(), *path, *args, *cause = NULL;
	struct audio_info in;
	double frame_ms;

	xasprintf(&args, "%s --seconds 3.5", formats[_i].args);
	path = gen(dir, formats[_i].name, args);
	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s: %s", path, cause);
	ck_assert_str_eq(in.format, formats[_i].format);
	ck_assert_int_eq(in.sample_rate, formats[_i].rate);
	/* Within one frame: 1152 samples for MP3, 20 ms for Opus. */
	frame_ms = strcmp(in.format, "mp3") == 0 ? 1152.0 * 1000 / in.sample_rate : 20;
	ck_assert_msg(fabs((double)in.duration_ms - 3500) <= frame_ms,
	    "%s: %lld ms", path, (long long)in.duration_ms);
	ck_assert_int_eq((int)strlen(in.sha256), 64);
	ck_assert(isfinite(in.loudness_lufs));
	ck_assert(!in.silent);
	audio_info_clear(&in);
	free(args);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	const char *name, *source, *damage;
} damages[] = {
	{ "empty.mp3", NULL, "empty" },
	{ "random.mp3", NULL, "random" },
	{ "text.mp3", NULL, "text" },
	{ "lying.wav", "--format wav", "wav-lying" },
	{ "zero.wav", "--format wav", "zero-channels" },
	{ "rate.wav", "--format wav", "absurd-rate" },
	{ "half.mp3", "--format mp3", "truncate" },
	{ "junk.mp3", "--format mp3", "junk" },
	{ "id3.mp3", NULL, "id3-only" },
	{ "half.flac", "--format flac", "truncate" },
	{ "bad.ogg", "--format ogg", "ogg-corrupt" },
};

START_TEST(test_damaged)
{
	char *dir = tu_tmpdir(), *src = NULL, *path, *args, *cause = NULL;
	struct audio_info in;
	double t0;
	int rc;

	if (damages[_i].source != NULL) {
		xasprintf(&args, "%s --seconds 6 --kind speech", damages[_i].source);
		src = gen(dir, "source", args);
		free(args);
		xasprintf(&args, "--damage %s '%s'", damages[_i].damage, src);
	} else
		xasprintf(&args, "--damage %s", damages[_i].damage);
	path = gen(dir, damages[_i].name, args);
	t0 = now_s();
	rc = audio_probe(path, &in, &cause);
	ck_assert_msg(now_s() - t0 < 2.0, "%s took %.2f s", damages[_i].damage,
	    now_s() - t0);
	/* Every kind here is refused, with a reason and no file name in it. */
	ck_assert_msg(rc == -1, "%s accepted", damages[_i].damage);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, dir) == NULL, "cause names the file: %s", cause);
	free(cause);
	free(args);
	free(src);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * MPEG streams that no encoder writes but that mpg123 plays, spliced by
 * gen-audio from frames it wrote: each must decode to what `mpg123 -s`
 * makes of it, float for float. The output format is the first frame's for
 * the whole stream, later frames converted as mpg123 converts them when
 * told that format (-r RATE --resample NtoM, --mono or --stereo).
 */
static const struct {
	const char *name, *a, *b, *splice;
} mpeg_cases[] = {
	/* A run of zero bytes, or of junk, before the first frame. */
	{ "lead.mp3", "--format mp3 --rate 44100", NULL, "lead" },
	{ "junk.mp3", "--format mp3 --rate 48000 --channels 1", NULL, "junk" },
	/* Free format: the frame length only from the distance between headers. */
	{ "free.mp3", "--format mp3 --rate 44100 --bitrate-kbps 128", NULL, "free" },
	{ "free.mp2", "--format mp2 --rate 48000 --bitrate-kbps 192", NULL, "free" },
	{ "plain.mp2", "--format mp2 --rate 44100 --bitrate-kbps 128", NULL, NULL },
	/* Channels change midway, both ways, and past the first Info tag's count. */
	{ "mono-stereo.mp3", "--format mp3 --rate 44100 --channels 1",
	    "--format mp3 --rate 44100 --channels 2 --freq 660", "join" },
	{ "stereo-mono.mp3", "--format mp3 --rate 44100 --channels 2",
	    "--format mp3 --rate 44100 --channels 1 --freq 660", "join" },
	/* The rate changes midway, down and up. */
	{ "rate-down.mp3", "--format mp3 --rate 44100",
	    "--format mp3 --rate 22050 --freq 660", "join" },
	{ "rate-up.mp3", "--format mp3 --rate 22050 --bitrate-kbps 64",
	    "--format mp3 --rate 48000 --freq 660", "join" },
};

START_TEST(test_mpeg_as_mpg123)
{
	char *dir = tu_tmpdir(), *a, *b = NULL, *path, *args, *cmd, *cause = NULL;
	struct audio_info in;
	struct dec *d;
	float *pcm = NULL, *ref;
	size_t cap = 0, got = 0, reflen;
	long n;

	xasprintf(&args, "%s --seconds 2", mpeg_cases[_i].a);
	a = gen(dir, "a", args);
	free(args);
	if (mpeg_cases[_i].b != NULL) {
		xasprintf(&args, "%s --seconds 2", mpeg_cases[_i].b);
		b = gen(dir, "b", args);
		free(args);
	}
	if (mpeg_cases[_i].splice != NULL) {
		xasprintf(&args, "--splice %s '%s'%s%s%s", mpeg_cases[_i].splice, a,
		    b != NULL ? " '" : "", b != NULL ? b : "", b != NULL ? "'" : "");
		path = gen(dir, mpeg_cases[_i].name, args);
		free(args);
	} else
		path = xstrdup(a);

	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s: %s",
	    mpeg_cases[_i].name, cause);
	ck_assert_msg(dec_open(path, &d, &cause) == 0, "%s", cause);
	for (;;) {
		if (cap - got < 4096 * 2) {
			cap = cap ? cap * 2 : 1 << 20;
			pcm = xrealloc(pcm, cap * sizeof *pcm);
		}
		n = dec_read(d, pcm + got, 4096, &cause);
		ck_assert_msg(n >= 0, "%s: %s", mpeg_cases[_i].name, cause);
		if (n == 0)
			break;
		got += (size_t)n * (size_t)dec_channels(d);
	}
	ck_assert_int_eq((int64_t)got, in.frames * in.channels);

	xasprintf(&cmd, "mpg123 -q -s -e f32 -r %d --resample NtoM %s '%s' > '%s/ref'",
	    dec_rate(d), dec_channels(d) == 1 ? "--mono" : "--stereo", path, dir);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
	free(cmd);
	xasprintf(&cmd, "%s/ref", dir);
	ref = (float *)tu_read(cmd, &reflen);
	ck_assert_ptr_nonnull(ref);
	/* Every stream here holds 2 s of audio or more: none is cut short. */
	ck_assert_msg(reflen / sizeof *ref >= (size_t)(2 * dec_rate(d) * dec_channels(d)),
	    "%s: mpg123 gave %zu samples", mpeg_cases[_i].name, reflen / sizeof *ref);
	ck_assert_msg(reflen == got * sizeof *pcm, "%s: %zu samples, mpg123 %zu",
	    mpeg_cases[_i].name, got, reflen / sizeof *ref);
	ck_assert_msg(memcmp(ref, pcm, reflen) == 0, "%s: samples differ from mpg123's",
	    mpeg_cases[_i].name);
	dec_free(&d);
	audio_info_clear(&in);
	free(ref); free(pcm); free(cmd);
	free(a); free(b); free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * A decoder that ends before the length measured at import (here: a length
 * said to be 1.5 s longer than the file) fails the play, with what went
 * out; a play of the whole length completes.
 */
/* Plays path with a player for o; returns player_run's status. */
static int
play_with(const struct player_opts *o, const char *path, struct player_result *res)
{
	struct player *p = player_new(o);
	char *cause = NULL;
	int rc;

	ck_assert_msg(player_open(p, path, &cause) == 0, "%s", cause);
	rc = player_run(p, res);
	player_free(&p);
	return rc;
}

START_TEST(test_ends_early)
{
	char *dir = tu_tmpdir(), *path;
	struct out_spec spec = { "null", NULL, 0, NULL, 0 };
	struct player_result res;
	struct player_opts o;

	path = gen(dir, "a.mp3", "--format mp3 --seconds 2 --rate 44100");
	player_opts_init(&o);
	o.out = spec;
	o.loudness_lufs = -20;
	o.expect_ms = 3500;
	ck_assert_int_eq(play_with(&o, path, &res), -1);
	ck_assert_int_eq(res.outcome, PLAYER_FAILED);
	ck_assert_int_eq(res.played_ms, 2000);
	ck_assert_msg(strstr(res.reason, "ended after 2000 of the 3500 ms") != NULL,
	    "%s", res.reason);
	player_result_clear(&res);

	o.expect_ms = 2000;
	ck_assert_int_eq(play_with(&o, path, &res), 0);
	ck_assert_int_eq(res.outcome, PLAYER_COMPLETED);
	ck_assert_int_eq(res.played_ms, 2000);
	player_result_clear(&res);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_normalize_quiet_and_loud)
{
	char *dir = tu_tmpdir(), *q, *l, *qo, *lo, *cause = NULL;
	struct player_result res;
	struct audio_info a, b;

	q = gen(dir, "quiet.mp3", "--format mp3 --kind speech --seconds 8 --gain-db -30 --seed 3");
	l = gen(dir, "loud.flac", "--format flac --kind speech --seconds 8 --gain-db -18 --seed 4");
	xasprintf(&qo, "%s/quiet-out.wav", dir);
	xasprintf(&lo, "%s/loud-out.wav", dir);
	ck_assert_int_eq(play_to_wav(q, qo, &res), 0);
	ck_assert_int_eq(res.outcome, PLAYER_COMPLETED);
	player_result_clear(&res);
	ck_assert_int_eq(play_to_wav(l, lo, &res), 0);
	player_result_clear(&res);
	ck_assert_msg(audio_probe(qo, &a, &cause) == 0, "%s", cause);
	ck_assert_msg(audio_probe(lo, &b, &cause) == 0, "%s", cause);
	ck_assert_msg(fabs(a.loudness_lufs - b.loudness_lufs) <= 1.0,
	    "%.2f vs %.2f LUFS", a.loudness_lufs, b.loudness_lufs);
	ck_assert_msg(fabs(a.loudness_lufs + 16) <= 1.0, "%.2f LUFS", a.loudness_lufs);
	/* Speech lifted by 14 dB would cross -1 dBTP without the limiter. */
	ck_assert_msg(a.true_peak_dbtp <= -0.5, "%.2f dBTP", a.true_peak_dbtp);
	ck_assert_msg(b.true_peak_dbtp <= -0.5, "%.2f dBTP", b.true_peak_dbtp);
	free(q); free(l); free(qo); free(lo);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

struct stop_probe {
	struct player *p;
	double asked;
	int64_t at_ms;
};

/* Asks the player to stop once at_ms have played. */
static void
stop_when(void *arg, int64_t played_ms)
{
	struct stop_probe *s = arg;

	if (s->asked == 0 && played_ms >= s->at_ms) {
		s->asked = now_s();
		player_stop(s->p);
	}
}

START_TEST(test_stop_with_fade)
{
	char *dir = tu_tmpdir(), *path, *cause = NULL;
	struct stop_probe s = { NULL, 0, 400 };
	struct player_result res;
	struct player_opts o;
	double took;

	path = gen(dir, "long.wav", "--seconds 10");
	player_opts_init(&o);
	o.out.driver = "null";
	o.out.realtime = 1;
	o.fade_ms = 300;
	o.on_progress = stop_when;
	o.arg = &s;
	s.p = player_new(&o);
	ck_assert_msg(player_open(s.p, path, &cause) == 0, "%s", cause);
	ck_assert_int_eq(player_run(s.p, &res), 0);
	took = now_s() - s.asked;
	ck_assert_int_eq(res.outcome, PLAYER_STOPPED);
	ck_assert_msg(took <= 0.300 + 0.100, "stop took %.3f s", took);
	ck_assert_msg(res.played_ms >= 400 + 250 && res.played_ms <= 400 + 400,
	    "played %lld ms", (long long)res.played_ms);
	player_result_clear(&res);
	player_free(&s.p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_stop_flag_no_fade)
{
	static volatile sig_atomic_t flag = 1;
	char *dir = tu_tmpdir(), *path, *cause = NULL;
	struct player_result res;
	struct player_opts o;
	struct player *p;

	path = gen(dir, "a.wav", "--seconds 2");
	player_opts_init(&o);
	o.out.driver = "null";
	o.fade_ms = 0;
	o.stop_flag = &flag;
	p = player_new(&o);
	ck_assert_msg(player_open(p, path, &cause) == 0, "%s", cause);
	ck_assert_int_eq(player_run(p, &res), 0);
	ck_assert_int_eq(res.outcome, PLAYER_STOPPED);
	ck_assert_int_eq(res.played_ms, 0);
	player_result_clear(&res);
	player_free(&p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_unwritable_wav)
{
	char *dir = tu_tmpdir(), *path, *out, *cause = NULL;
	struct player_opts o;
	struct player *p;

	path = gen(dir, "a.wav", "--seconds 1");
	xasprintf(&out, "%s/no/such/dir/out.wav", dir);
	player_opts_init(&o);
	o.out.driver = "wav";
	o.out.file = out;
	p = player_new(&o);
	ck_assert_int_eq(player_open(p, path, &cause), -1);
	ck_assert_msg(strstr(cause, "cannot write") != NULL, "%s", cause);
	free(cause);
	player_free(&p);
	free(out);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_bad_driver_and_missing_file)
{
	struct out_spec spec = { "nosuchdriver", NULL, 0, NULL, 0 };
	struct out *o = out_new(&spec);
	char *cause = NULL;
	struct dec *d;

	ck_assert_int_eq(out_prepare(o, 44100, 2, &cause), -1);
	ck_assert_msg(strstr(cause, "nosuchdriver") != NULL, "%s", cause);
	free(cause);
	out_free(&o);
	ck_assert_ptr_null(o);
	spec.driver = "wav";
	o = out_new(&spec);
	ck_assert_int_eq(out_prepare(o, 44100, 2, &cause), -1);
	ck_assert_msg(strstr(cause, "file") != NULL, "%s", cause);
	free(cause);
	out_free(&o);
	ck_assert_int_eq(dec_open("/nonexistent/a.mp3", &d, &cause), -1);
	ck_assert_ptr_null(d);
	free(cause);
}
END_TEST

START_TEST(test_reopen_on_format_change)
{
	char *dir = tu_tmpdir(), *a, *b, *cause = NULL;
	struct out_spec spec = { "null", NULL, 0, NULL, 0 };
	struct player_result res;
	struct player_opts o;
	struct player *p;
	struct out *out = out_new(&spec);

	a = gen(dir, "a.wav", "--seconds 1 --rate 48000 --channels 2");
	b = gen(dir, "b.wav", "--seconds 1 --rate 22050 --channels 1");
	player_opts_init(&o);
	o.device = out;
	o.out.realtime = 0;
	p = player_new(&o);
	ck_assert_msg(player_open(p, a, &cause) == 0, "%s", cause);
	ck_assert_int_eq(player_run(p, &res), 0);
	player_result_clear(&res);
	ck_assert_msg(player_open(p, b, &cause) == 0, "%s", cause);
	ck_assert_int_eq(player_run(p, &res), 0);
	ck_assert_int_eq(res.played_ms, 1000);
	player_result_clear(&res);
	ck_assert_str_eq(out_driver(out), "null");
	player_free(&p);
	ck_assert_int_eq(out_close(out, &cause), 0);
	out_free(&out);
	free(a); free(b);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * How much of a file is silent: 400 ms blocks with no sample above the
 * threshold, whole or the last part; a block with any sound is not silent.
 */
START_TEST(test_silent_share)
{
	char *dir = tu_tmpdir(), *cause = NULL, *path;
	struct audio_info in;

	/* 2 s of sound, then 58 s of nothing: 145 silent blocks. */
	path = tu_wav(dir, "gap.wav", 2, 0.3, 440, 58);
	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s", cause);
	ck_assert(!in.silent);
	ck_assert_int_eq(in.duration_ms, 60000);
	ck_assert_int_eq(in.silent_ms, 58000);
	audio_info_clear(&in);
	free(path);
	/* Sound to 2.2 s: the block from 2.0 s has some, the rest (57.6 s) none. */
	path = tu_wav(dir, "gap2.wav", 2.2, 0.3, 440, 1.7);
	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s", cause);
	ck_assert_int_eq(in.silent_ms, 1500);
	audio_info_clear(&in);
	free(path);
	/* Sound throughout. */
	path = tu_wav(dir, "tone.wav", 3, 0.3, 440, 0);
	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s", cause);
	ck_assert_int_eq(in.silent_ms, 0);
	audio_info_clear(&in);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_silence)
{
	char *dir = tu_tmpdir(), *path, *cause = NULL;
	struct player_result res;
	struct player_opts o;
	struct audio_info in;
	struct player *p;

	path = gen(dir, "quiet.flac", "--format flac --kind silence --seconds 12");
	ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s", cause);
	ck_assert(in.silent);
	ck_assert(!isfinite(in.loudness_lufs));
	audio_info_clear(&in);
	player_opts_init(&o);
	o.out.driver = "null";
	o.out.realtime = 0;
	p = player_new(&o);
	ck_assert_msg(player_open(p, path, &cause) == 0, "%s", cause);
	ck_assert_int_eq(player_run(p, &res), 0);
	ck_assert(res.silence);
	ck_assert_int_ge(res.longest_silence_ms, 11900);
	ck_assert(res.gain_db == 0.0);
	player_result_clear(&res);
	player_free(&p);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_limiter_ceiling)
{
	struct limiter *l = limiter_new(48000, 1, 12.0, -1.0);
	float buf[4800], out[4800 + 480];
	long n, i, total = 0;
	float peak = 0;

	/* A full-scale burst lifted 12 dB; everything must come out under -1 dBFS. */
	for (i = 0; i < 4800; i++)
		buf[i] = (float)(0.9 * sin(i * 0.05) * (i > 2000 && i < 2400 ? 1 : 0.1));
	n = limiter_process(l, buf, out, 4800, NULL);
	total += n;
	total += limiter_drain(l, out + n, 480);
	ck_assert_int_eq(total, 4800);
	for (i = 0; i < total; i++)
		if (fabsf(out[i]) > peak)
			peak = fabsf(out[i]);
	ck_assert_msg(peak <= powf(10, -1.0f / 20) + 1e-6, "peak %f", peak);
	ck_assert_msg(peak >= powf(10, -2.0f / 20), "over-limited: %f", peak);
	limiter_free(&l);
	ck_assert_ptr_null(l);
}
END_TEST

/*
 * Signals made to overshoot their samples between them, after a plainer
 * stretch whose true peak they must beat: probe skips oversampling only
 * where its bound says a block cannot raise the answer.
 */
static const char *const tp_kinds[] = {
	"quarter-rate",  /* fs/4 at 45 degrees: samples at 0.71 of the peak */
	"worst-pattern", /* signs matched to the 4x filter's midpoint phase */
	"near-nyquist",  /* 0.47 fs, beating */
	"noise",
	"steady-tone",   /* 1 kHz: every block ties, the tolerance case */
};

/* Sample i of channel c of tp_kinds[kind] at rate. */
static float
tp_sample(int kind, long i, int c, int rate)
{
	static const float pattern[12] = { -1, 1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1 };
	double t = (double)i / rate;

	if (kind != 4 && i < rate)  /* first a second of 200 Hz at 0.5 */
		return (float)(0.5 * sin(2 * M_PI * 200 * t));
	switch (kind) {
	case 0:
		return (float)(0.6 * sin(M_PI / 2 * ((double)i + c) + M_PI / 4));
	case 1:
		return i % 1000 < 12 ? 0.3f * pattern[i % 1000] * (c ? -1 : 1) : 0.0f;
	case 2:
		return (float)(0.7 * sin(2 * M_PI * 0.47 * (double)i + 0.3 * c));
	case 3:
		return (float)(0.3 * ((double)rand() / RAND_MAX * 2 - 1));
	default:
		return (float)(0.5 * sin(2 * M_PI * 1000 * t + c));
	}
}

START_TEST(test_true_peak_bound)
{
	static const int rates[] = { 44100, 96000 };
	char *dir = tu_tmpdir(), *path, *cause = NULL;
	SF_INFO sfi = { 0 };
	struct audio_info in;
	ebur128_state *st;
	SNDFILE *sf;
	float *buf;
	double full = 0, v;
	long i, frames;
	int r, c, kind = _i;

	for (r = 0; r < 2; r++) {
		srand(1);
		frames = 3L * rates[r];
		sfi.samplerate = rates[r];
		sfi.channels = 2;
		sfi.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
		buf = xmalloc(sizeof *buf * (size_t)frames * 2);
		for (i = 0; i < frames; i++)
			for (c = 0; c < 2; c++)
				buf[i * 2 + c] = tp_sample(kind, i, c, rates[r]);
		xasprintf(&path, "%s/%s-%d.wav", dir, tp_kinds[kind], rates[r]);
		ck_assert_ptr_nonnull(sf = sf_open(path, SFM_WRITE, &sfi));
		ck_assert_int_eq(sf_writef_float(sf, buf, frames), frames);
		sf_close(sf);
		/* The whole stream through libebur128's true-peak meter. */
		st = ebur128_init(2, (unsigned long)rates[r], EBUR128_MODE_TRUE_PEAK);
		ebur128_add_frames_float(st, buf, (size_t)frames);
		full = 0;
		for (c = 0; c < 2; c++)
			if (ebur128_true_peak(st, (unsigned)c, &v) == EBUR128_SUCCESS &&
			    v > full)
				full = v;
		ebur128_destroy(&st);
		full = 20 * log10(full);
		ck_assert_msg(audio_probe(path, &in, &cause) == 0, "%s", cause);
		ck_assert_msg(in.true_peak_dbtp <= full + 1e-6 &&
		    in.true_peak_dbtp >= full - 0.1 - 1e-6,
		    "%s at %d Hz: probe %.4f dBTP, libebur128 %.4f dBTP",
		    tp_kinds[kind], rates[r], in.true_peak_dbtp, full);
		audio_info_clear(&in);
		free(buf);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("audio");
	TCase *tc = tcase_create("audio");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_format_duration, 0,
	    (int)(sizeof formats / sizeof formats[0]));
	tcase_add_loop_test(tc, test_damaged, 0,
	    (int)(sizeof damages / sizeof damages[0]));
	tcase_add_loop_test(tc, test_mpeg_as_mpg123, 0,
	    (int)(sizeof mpeg_cases / sizeof mpeg_cases[0]));
	tcase_add_test(tc, test_ends_early);
	tcase_add_test(tc, test_normalize_quiet_and_loud);
	tcase_add_test(tc, test_stop_with_fade);
	tcase_add_test(tc, test_stop_flag_no_fade);
	tcase_add_test(tc, test_unwritable_wav);
	tcase_add_test(tc, test_bad_driver_and_missing_file);
	tcase_add_test(tc, test_reopen_on_format_change);
	tcase_add_test(tc, test_silence);
	tcase_add_test(tc, test_silent_share);
	tcase_add_test(tc, test_limiter_ceiling);
	tcase_add_loop_test(tc, test_true_peak_bound, 0,
	    (int)(sizeof tp_kinds / sizeof tp_kinds[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
