/* audio/ inside: the decoder ops table and what decoders share. */
#ifndef LOAXA_AUDIO_INTERNAL_H
#define LOAXA_AUDIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audio/audio.h"

struct dec;

/*
 * How far libmpg123 looks for the first MPEG frame past leading junk (it
 * gives up on 65536 bytes of zeros before it); the sniffer looks as far.
 */
#define MPEG_SEARCH_BYTES 65536

/* What sniffing read of a file, for the decoders to recognise their formats in. */
struct dec_sniff {
	const unsigned char *b; /* the bytes after any ID3v2 tags */
	size_t n;
	off_t at;               /* where b starts in the file */
	int fd;                 /* the file, for a look further on (pread) */
	off_t size;
	int tags;               /* ID3v2 tags came before b */
};

/*
 * One decoder library behind the same calls (cmus ip.h style). Each declares
 * what it recognises: the sniffer asks every table in turn, by content.
 */
struct decoder_ops {
	const char *name;
	const char *formats;    /* what it plays, for the refusal of anything else */
	/*
	 * Whether s is this decoder's: 1 with d->format set (and any hint the
	 * open op uses), 0 when not, -1 with *cause for a stream that is of its
	 * kind but that it cannot play. Reads at most a bounded stretch.
	 */
	int (*recognise)(const struct dec_sniff *s, struct dec *d, char **cause);
	/*
	 * Opens the file d->fd (at offset 0; the op reads a descriptor of its
	 * own, dec_dup) and fills rate, channels, stated_frames, tags; -1 with
	 * *cause.
	 */
	int (*open)(struct dec *, char **cause);
	/* Up to frames frames; 0 at the end; -1 with *cause. Bounded: never spins. */
	long (*read)(struct dec *, float *buf, long frames, char **cause);
	void (*close)(struct dec *);
};

struct dec {
	const struct decoder_ops *ops;
	void *priv;
	int fd;                 /* the file, checked regular; kept for pread */
	char format[16];
	int rate;
	int channels;
	int64_t stated_frames;  /* the length the stream states, or -1 */
	int64_t slack;          /* frames the decoded length may fall short of it */
	int64_t decoded;
	int length_tag;         /* the sniffer saw an MPEG header frame stating the length */
	int done;
	char *title;
	char *artist;
};

/* Sample loops written to vectorise (samples.c). */
float audio_peak(const float *buf, size_t n);
float audio_copy_peak(float *restrict dst, const float *restrict src, size_t n);
float audio_curve(const float *buf, size_t n, size_t stride);
void audio_scale(float *restrict out, const float *restrict in, size_t n, float g);
void audio_to_s16(int16_t *out, const float *in, size_t n);

int dec_dup(const struct dec *, char **cause);
int dec_fd(const struct dec *);
int dec_sha256(const struct dec *, char hex[65], char **cause);

/* The decoders, in the order the sniffer asks them (decoder.c lists them). */
extern const struct decoder_ops dec_sndfile_ops;
extern const struct decoder_ops dec_mpg123_ops;

#endif
