/*
 * Decoding: the format from the file's first bytes, then the decoder that
 * handles it. The generic layer checks what every decoder must honour: a
 * sane rate and channel count, and no stream shorter than it says it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/internal.h"
#include "common/file.h"
#include "common/xmalloc.h"

#define SNIFF_BYTES 4096
#define MAX_ID3_TAGS 4

/* The length in bytes of the MPEG audio frame whose header is h, or 0 when h is no header. */
static int
mpeg_frame_len(const unsigned char *h, int *layer)
{
	static const int br[2][3][16] = {
		{ /* MPEG-1: layers I, II, III */
		    { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0 },
		    { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0 },
		    { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0 } },
		{ /* MPEG-2 and 2.5 */
		    { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0 },
		    { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0 },
		    { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0 } },
	};
	static const int sr[3] = { 44100, 48000, 32000 };
	int ver, lay, bri, sri, pad, rate, kbps;

	if (h[0] != 0xff || (h[1] & 0xe0) != 0xe0)
		return 0;
	ver = (h[1] >> 3) & 3;   /* 0: 2.5, 2: 2, 3: 1 */
	lay = (h[1] >> 1) & 3;   /* 1: III, 2: II, 3: I */
	bri = h[2] >> 4;
	sri = (h[2] >> 2) & 3;
	pad = (h[2] >> 1) & 1;
	if (ver == 1 || lay == 0 || bri == 0 || bri == 15 || sri == 3)
		return 0;
	rate = sr[sri] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
	kbps = br[ver == 3 ? 0 : 1][3 - lay][bri];
	*layer = 4 - lay;
	if (lay == 3)
		return (12 * kbps * 1000 / rate + pad) * 4;
	if (lay == 1 && ver != 3)
		return 72 * kbps * 1000 / rate + pad;
	return 144 * kbps * 1000 / rate + pad;
}

/* Whether the bytes look like text a person wrote (to name the mistake). */
static int
looks_like_text(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')
			return 0;
	return n > 0;
}

/*
 * Names the format of the open file fd from its content: sets format and
 * ops, or returns -1 with *cause saying what the file is instead.
 */
static int
sniff(int fd, char *format, size_t fsize, const struct decoder_ops **ops,
    int *length_tag, char **cause)
{
	unsigned char b[SNIFF_BYTES];
	off_t at = 0;
	ssize_t n;
	int tags = 0, layer, len, i;

	for (;;) {
		n = pread(fd, b, sizeof b, at);
		if (n < 0) {
			xasprintf(cause, "cannot read: %s", strerror(errno));
			return -1;
		}
		if (n == 0 && at == 0) {
			xasprintf(cause, "empty file");
			return -1;
		}
		if (n >= 10 && memcmp(b, "ID3", 3) == 0 && tags < MAX_ID3_TAGS) {
			at += 10 + ((b[6] & 0x7f) << 21 | (b[7] & 0x7f) << 14 |
			    (b[8] & 0x7f) << 7 | (b[9] & 0x7f)) + ((b[5] & 0x10) ? 10 : 0);
			tags++;
			continue;
		}
		break;
	}
	if (tags > 0) {
		/* After ID3 tags: MPEG audio, perhaps after some padding. */
		for (i = 0; i + 4 <= n; i++)
			if ((len = mpeg_frame_len(b + i, &layer)) > 0)
				break;
		if (n <= 0 || i + 4 > n) {
			xasprintf(cause, n <= 0 ? "an ID3 tag with no audio after it" :
			    "an ID3 tag but no MPEG audio after it");
			return -1;
		}
		goto mpeg;
	}
	if (n >= 12 && (memcmp(b, "RIFF", 4) == 0 || memcmp(b, "RF64", 4) == 0) &&
	    memcmp(b + 8, "WAVE", 4) == 0) {
		snprintf(format, 16, "wav");
		*ops = &dec_sndfile_ops;
		return 0;
	}
	if (n >= 12 && memcmp(b, "FORM", 4) == 0 &&
	    (memcmp(b + 8, "AIFF", 4) == 0 || memcmp(b + 8, "AIFC", 4) == 0)) {
		snprintf(format, 16, "aiff");
		*ops = &dec_sndfile_ops;
		return 0;
	}
	if (n >= 4 && memcmp(b, "fLaC", 4) == 0) {
		snprintf(format, 16, "flac");
		*ops = &dec_sndfile_ops;
		return 0;
	}
	if (n >= 4 && memcmp(b, "OggS", 4) == 0) {
		*ops = &dec_sndfile_ops;
		if (n >= 35 && memcmp(b + 28, "\001vorbis", 7) == 0)
			snprintf(format, 16, "vorbis");
		else if (n >= 36 && memcmp(b + 28, "OpusHead", 8) == 0)
			snprintf(format, 16, "opus");
		else if (n >= 33 && memcmp(b + 28, "\177FLAC", 5) == 0)
			snprintf(format, 16, "flac");
		else {
			xasprintf(cause, "an Ogg stream of an unsupported codec "
			    "(Vorbis, Opus and FLAC are supported)");
			return -1;
		}
		return 0;
	}
	i = 0;
	if (n >= 4 && (len = mpeg_frame_len(b, &layer)) > 0) {
		/* A bare MPEG stream: a second header must follow the first. */
		unsigned char h2[4];
		int layer2;

		if ((size_t)len + 4 > fsize ||
		    (pread(fd, h2, 4, len) == 4 && mpeg_frame_len(h2, &layer2) > 0 &&
		    layer2 == layer))
			goto mpeg;
	}
	if (looks_like_text(b, (size_t)n))
		xasprintf(cause, "not audio: the file holds text");
	else
		xasprintf(cause, "not a recognised audio format (MP3, MP2, WAV, "
		    "FLAC, Ogg Vorbis, Opus)");
	return -1;

mpeg:
	/* A Xing/Info (with a frame count) or VBRI tag in the first frame states the length. */
	if (n - i >= 64) {
		const unsigned char *x = memmem(b + i, 64, "Xing", 4);

		if (x == NULL)
			x = memmem(b + i, 64, "Info", 4);
		if (x != NULL && x + 8 <= b + n && (x[7] & 1))
			*length_tag = 1;
		if (memmem(b + i, 64, "VBRI", 4) != NULL)
			*length_tag = 1;
	}
	snprintf(format, 16, "mp%d", layer);
	*ops = &dec_mpg123_ops;
	return 0;
}

/* Opens path with the decoder its content calls for; the caller frees the handle. */
int
dec_open(const char *path, struct dec **dp, char **cause)
{
	const struct decoder_ops *ops = NULL;
	struct dec *d;
	struct stat st;
	char format[16];
	int fd, length_tag = 0;

	*dp = NULL;
	if ((fd = file_open_regular(path, &st)) < 0) {
		xasprintf(cause, "%s", file_open_error(fd));
		return -1;
	}
	if (sniff(fd, format, (size_t)st.st_size, &ops, &length_tag, cause) != 0) {
		close(fd);
		return -1;
	}

	/* The decoder reads the very file that was checked (and probe hashes
	 * it), not whatever the path names a moment later. */
	d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->ops = ops;
	d->stated_frames = -1;
	d->length_tag = length_tag;
	snprintf(d->format, sizeof d->format, "%s", format);
	if (ops->open(d, cause) != 0) {
		close(fd);
		free(d);
		return -1;
	}
	if (d->rate < 1000 || d->rate > 384000) {
		xasprintf(cause, "unsupported sample rate %d Hz", d->rate);
		dec_free(&d);
		return -1;
	}
	if (d->channels < 1 || d->channels > 8) {
		xasprintf(cause, "unsupported channel count %d", d->channels);
		dec_free(&d);
		return -1;
	}
	*dp = d;
	return 0;
}

const char *
dec_format(const struct dec *d)
{
	return d->format;
}

int
dec_rate(const struct dec *d)
{
	return d->rate;
}

int
dec_channels(const struct dec *d)
{
	return d->channels;
}

const char *
dec_title(const struct dec *d)
{
	return d->title;
}

const char *
dec_artist(const struct dec *d)
{
	return d->artist;
}

/* Reads frames through the decoder, turning a short stream into an error at its end. */
long
dec_read(struct dec *d, float *buf, long frames, char **cause)
{
	long n;

	if (d->done)
		return 0;
	n = d->ops->read(d, buf, frames, cause);
	if (n < 0) {
		d->done = 1;
		return -1;
	}
	if (n > 0) {
		d->decoded += n;
		return n;
	}
	d->done = 1;
	if (d->stated_frames >= 0 && d->decoded + d->slack < d->stated_frames) {
		xasprintf(cause, "truncated: %.1f s of the %.1f s the stream states",
		    (double)d->decoded / d->rate, (double)d->stated_frames / d->rate);
		return -1;
	}
	if (d->decoded == 0) {
		xasprintf(cause, "no audio in the stream");
		return -1;
	}
	return 0;
}

/* Closes the decoder and frees the handle; *dp becomes NULL. */
/*
 * A descriptor of the decoder's file for a decoder library to own, at the
 * start of the file: its own, so that closing it leaves d->fd alone.
 */
int
dec_dup(const struct dec *d, char **cause)
{
	int fd;

	if ((fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		xasprintf(cause, "cannot open: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
dec_fd(const struct dec *d)
{
	return d->fd;
}

void
dec_free(struct dec **dp)
{
	struct dec *d = *dp;

	if (d == NULL)
		return;
	if (d->ops != NULL && d->ops->close != NULL)
		d->ops->close(d);
	if (d->fd >= 0)
		close(d->fd);
	free(d->title);
	free(d->artist);
	free(d);
	*dp = NULL;
}
