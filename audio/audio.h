/*
 * audio: decoders behind one ops table (MP3/MP2 through libmpg123; WAV, FLAC,
 * Ogg Vorbis, Opus through libsndfile), libao output, EBU R128 loudness and
 * the player. Uses nothing else of loaxa's but common/.
 *
 * Every function that can fail returns -1 (or NULL) and, where it takes one,
 * sets *cause to an allocated reason the caller frees; reasons hold no file
 * name (callers print "FILE: reason") but keep the library's own message.
 */
#ifndef LOAXA_AUDIO_H
#define LOAXA_AUDIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_SILENCE_DBFS -50.0  /* below this a stretch counts as silence */
#define AUDIO_SILENCE_FLAG_MS 10000 /* the player flags silence longer than this */
#define AUDIO_BLOCK_MS 20          /* the player's block: stop and progress granularity */
#define AUDIO_SHORT_MS 100         /* a play this far under the measured length failed */
#define AUDIO_SILENCE_BLOCK_MS 400 /* the stretch silent_ms counts in (a BS.1770 block) */

/* What one validating decode pass learns about a file. */
struct audio_info {
	char format[16];        /* "mp3", "mp2", "wav", "flac", "vorbis", "opus" */
	int sample_rate;
	int channels;
	int64_t frames;
	int64_t duration_ms;
	double loudness_lufs;   /* integrated, -HUGE_VAL when silent */
	double true_peak_dbtp;
	char sha256[65];        /* of the file's bytes, lower-case hex */
	int silent;             /* entirely below the silence threshold */
	int64_t silent_ms;      /* how much of it lies in AUDIO_SILENCE_BLOCK_MS
	                         * blocks entirely below the threshold */
	char *title;            /* from tags, or NULL; caller frees with audio_info_clear */
	char *artist;
};

/*
 * Decodes path once, validating it, and fills *info. Returns 0, or -1 with
 * *cause set to an allocated reason (no file name in it) that the caller frees.
 */
int audio_probe(const char *path, struct audio_info *info, char **cause);
void audio_info_clear(struct audio_info *);

/*
 * Decoding. The format comes from the content, never the name; samples come
 * out as interleaved float at the source's rate and channel count.
 */
struct dec;

/* Opens path for decoding. Returns 0 and a handle the caller frees with dec_free. */
int dec_open(const char *path, struct dec **, char **cause);
const char *dec_format(const struct dec *);
int dec_rate(const struct dec *);
int dec_channels(const struct dec *);
const char *dec_title(const struct dec *);  /* NULL when untagged; dec owns it */
const char *dec_artist(const struct dec *);

/*
 * Reads up to frames frames into buf (frames * channels floats). Returns the
 * count, 0 at the end of a complete stream, or -1 with *cause (damage,
 * truncation against the length the stream states, a decoder that stalls).
 */
long dec_read(struct dec *, float *buf, long frames, char **cause);
void dec_free(struct dec **);

/* Output through libao. */
struct audio_option {
	const char *name;
	const char *value;
};

struct out_spec {
	const char *driver;   /* a libao short name (alsa, pulse, null, wav, au, raw) or "auto" */
	const struct audio_option *options; /* handed to libao */
	size_t noptions;
	const char *file;     /* the output file of file drivers */
	int realtime;         /* pace file and null drivers at the audio's rate */
};

struct out;

/* A closed output for spec (copied); nothing is opened until out_prepare. */
struct out *out_new(const struct out_spec *);

/*
 * Loads libao and its driver plugins now rather than at the first out_new.
 * A process that forks players calls it once, so that each child starts
 * with them loaded instead of spending some 10 ms in dlopen at its instant.
 */
void out_preload(void);

/*
 * Opens the device for rate and channels, or reopens it when the format
 * differs from the open one (a file driver then starts its file again).
 * Returns 0, or -1 with *cause holding libao's reason.
 */
int out_prepare(struct out *, int rate, int channels, char **cause);

/* Plays interleaved float frames (clipped to 16 bits). -1 with *cause when the device fails. */
int out_write(struct out *, const float *buf, long frames, char **cause);

/* The driver actually opened ("null" when "auto" found no device), or NULL. */
const char *out_driver(const struct out *);

/* Closes the device (a file driver finishes its file). -1 with *cause on a write error. */
int out_close(struct out *, char **cause);
void out_free(struct out **);

/*
 * Loudness normalisation: a fixed gain, then a look-ahead peak limiter at the
 * ceiling. Output lags input by a fixed delay (the look-ahead and a little,
 * about 6 ms); limiter_drain empties it.
 */
struct limiter;

struct limiter *limiter_new(int rate, int channels, double gain_db,
    double ceiling_dbtp);

/*
 * Processes frames from in to out (which may be the same buffer); returns
 * frames written. *peak, unless peak is NULL, gets the largest |sample| of
 * in, before the gain (the player's silence test, without a pass of its own).
 */
long limiter_process(struct limiter *, const float *in, float *out, long frames,
    float *peak);

/* Writes at most max held frames to out; returns the count (0 when empty). */
long limiter_drain(struct limiter *, float *out, long max);
void limiter_free(struct limiter **);

/* The gain that brings loudness_lufs to target_lufs, bounded to +-30 dB; 0 when silent. */
double audio_norm_gain_db(double loudness_lufs, double target_lufs);

/*
 * The player: decode -> gain and limiter -> output, in blocks of
 * AUDIO_BLOCK_MS. Designed to run in a child process: player_stop (or the
 * optional stop_flag, set from a signal handler) fades out and stops within
 * fade_ms plus one block.
 */
enum player_outcome {
	PLAYER_COMPLETED,
	PLAYER_STOPPED,
	PLAYER_FAILED,
};

struct player_opts {
	struct out_spec out;       /* used when no output is lent */
	struct out *device;        /* optional: a lent output, reformatted as needed */
	int normalize;
	double target_lufs;        /* default -16 */
	double ceiling_dbtp;       /* default -1 */
	int fade_ms;               /* fade on stop */
	double loudness_lufs;      /* known loudness; NaN measures it first with audio_probe */
	int64_t expect_ms;         /* the length measured (at import); 0 unknown, or
	                            * what that audio_probe measures */
	const volatile sig_atomic_t *stop_flag; /* optional, checked every block */
	void (*on_start)(void *arg);                   /* the first block went out */
	void (*on_progress)(void *arg, int64_t played_ms); /* after every block */
	void *arg;
};

struct player_result {
	enum player_outcome outcome;
	int64_t played_ms;
	char *reason;              /* allocated; NULL when completed */
	int silence;               /* some stretch over AUDIO_SILENCE_FLAG_MS was silent */
	int64_t longest_silence_ms;
	double gain_db;            /* the normalising gain applied */
};

/* Fills opts with the defaults (auto driver, -16 LUFS, -1 dBTP, 1500 ms fade, normalise). */
void player_opts_init(struct player_opts *);

/* A player for opts (copied; strings and the lent device stay the caller's). */
struct player *player_new(const struct player_opts *);

/*
 * Opens path and readies the output, so that playing can start on time.
 * Returns 0, or -1 with *cause (bad file, no device).
 */
int player_open(struct player *, const char *path, char **cause);

/*
 * The SHA-256 (hex) of the very file player_open opened, which a later
 * rename over its path cannot change. Returns 0, or -1 with *cause.
 */
int player_sha256(const struct player *, char hex[65], char **cause);

/*
 * Plays the opened file to the end or until stopped, and fills *res (the
 * caller clears it with player_result_clear). Returns 0 when completed or
 * stopped, -1 when failed (res->reason says why). A decoder that ends more
 * than AUDIO_SHORT_MS before the length expected fails: played_ms says
 * what went out.
 */
int player_run(struct player *, struct player_result *res);

/* Asks a running player to fade out and stop; async-signal-safe. */
void player_stop(struct player *);
void player_result_clear(struct player_result *);
const char *player_outcome_name(enum player_outcome);
void player_free(struct player **);

#endif
