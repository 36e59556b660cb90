/*
 * audio: decoders behind one ops table (MP3/MP2 through libmpg123; WAV, FLAC,
 * Ogg Vorbis, Opus through libsndfile), libao output, EBU R128 loudness and
 * the player. Uses nothing else of loaxa's but common/.
 */
#ifndef LOAXA_AUDIO_H
#define LOAXA_AUDIO_H

#include <stdint.h>

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
	char *title;            /* from tags, or NULL; caller frees with audio_info_clear */
	char *artist;
};

/*
 * Decodes path once, validating it, and fills *info. Returns 0, or -1 with
 * *cause set to an allocated reason (no file name in it) that the caller frees.
 */
int audio_probe(const char *path, struct audio_info *info, char **cause);
void audio_info_clear(struct audio_info *);

#endif
