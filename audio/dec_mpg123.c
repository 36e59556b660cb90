/*
 * MPEG audio (Layer I, II, III) through libmpg123, as float.
 *
 * libmpg123 ends a truncated file with MPG123_DONE and no error, and may
 * keep resyncing through junk: every loop here is bounded, and where the
 * stream carries a Xing/Info/VBRI frame count the decoded length is held to
 * it (by dec_read).
 *
 * libmpg123 reads its input a frame header and a frame at a time: 46000
 * read calls for a 10-minute MP3, some 3% of decoding it. It reads here
 * through a stdio stream's buffer instead (2400 calls of 4 KiB).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpg123.h>

#include "audio/internal.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

/* Calls of mpg123_read that may yield nothing before the stream counts as stalled. */
#define MPG_MAX_IDLE 256

struct mpg {
	mpg123_handle *mh;
	FILE *f;                /* the input, which libmpg123 reads through mpg_fread */
	long rate;
	int channels;
};

/* The largest MPEG audio frame libmpg123 takes (its MAXFRAMESIZE), free format included. */
#define MPEG_MAX_FRAME 3456

/*
 * The length in bytes of the MPEG audio frame whose header is h: 0 for a
 * free-format frame (its length is the distance to the next header), -1
 * when h is no header. Sets the layer (1 to 3) and the padding byte.
 */
static int
mpeg_frame_len(const unsigned char *h, int *layer, int *pad)
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
	int ver, lay, bri, sri, rate, kbps;

	if (h[0] != 0xff || (h[1] & 0xe0) != 0xe0)
		return -1;
	ver = (h[1] >> 3) & 3;   /* 0: 2.5, 2: 2, 3: 1 */
	lay = (h[1] >> 1) & 3;   /* 1: III, 2: II, 3: I */
	bri = h[2] >> 4;
	sri = (h[2] >> 2) & 3;
	*pad = (h[2] >> 1) & 1;
	if (ver == 1 || lay == 0 || bri == 15 || sri == 3)
		return -1;
	rate = sr[sri] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
	kbps = br[ver == 3 ? 0 : 1][3 - lay][bri];
	*layer = 4 - lay;
	if (lay == 3)
		*pad *= 4;
	if (kbps == 0)
		return 0;
	if (lay == 3)
		return 12 * kbps * 1000 / rate * 4 + *pad;
	if (lay == 1 && ver != 3)
		return 72 * kbps * 1000 / rate + *pad;
	return 144 * kbps * 1000 / rate + *pad;
}

/* Whether headers a and b belong to one stream: version, layer, rate and (free) format alike. */
static int
mpeg_same(const unsigned char *a, const unsigned char *b)
{
	return (a[1] & 0xfe) == (b[1] & 0xfe) && (a[2] & 0x0c) == (b[2] & 0x0c) &&
	    ((a[2] & 0xf0) == 0) == ((b[2] & 0xf0) == 0);
}

/*
 * The 4 bytes at pos of the stream s describes (pos counts from s->b): from
 * what was sniffed, or read. 0, or -1 past the end of the file.
 */
static int
mpeg_peek(const struct dec_sniff *s, size_t pos, unsigned char h[4])
{
	if (pos + 4 <= s->n) {
		memcpy(h, s->b + pos, 4);
		return 0;
	}
	return pread(s->fd, h, 4, s->at + (off_t)pos) == 4 ? 0 : -1;
}

/*
 * Whether a stream of MPEG frames starts at pos: its header, then two more
 * of the same stream one frame apart each (or the end of the file). A
 * free-format frame's length is the distance to the next such header, and
 * holds for the frames after it (each but for its padding). Sets the layer.
 */
static int
mpeg_stream_at(const struct dec_sniff *s, size_t pos, int *layer)
{
	unsigned char first[4], h[4];
	int len, pad, lay, k, base = -1;
	size_t at = pos, j;

	if (mpeg_peek(s, pos, first) != 0 ||
	    (len = mpeg_frame_len(first, layer, &pad)) < 0)
		return 0;
	if (len == 0) {
		for (j = pos + 4; j < pos + MPEG_MAX_FRAME; j++)
			if (mpeg_peek(s, j, h) != 0 ||
			    (h[0] == 0xff && mpeg_same(first, h) &&
			    mpeg_frame_len(h, &lay, &pad) == 0))
				break;
		if (j >= pos + MPEG_MAX_FRAME || mpeg_peek(s, j, h) != 0)
			return 0;
		mpeg_frame_len(first, &lay, &pad);
		base = (int)(j - pos) - pad;
		len = base + pad;
	}
	for (k = 0; k < 2; k++) {
		at += (size_t)len;
		/* The file may end there, for a stream that starts right away or
		 * after one more frame: found by chance in junk, it would not. */
		if (s->at + (off_t)at + 4 > s->size)
			return pos == 0 || k > 0;
		if (mpeg_peek(s, at, h) != 0 || !mpeg_same(first, h) ||
		    (len = mpeg_frame_len(h, &lay, &pad)) < 0)
			return 0;
		if (len == 0)
			len = base + pad;
	}
	return 1;
}

/*
 * Recognises MPEG audio: the first frame within MPEG_SEARCH_BYTES of the
 * start (or of the ID3v2 tags' end), as libmpg123 finds it past padding or
 * junk. Notes a Xing/Info (with a frame count) or VBRI tag in that frame,
 * which states the stream's length.
 */
static int
mpg_recognise(const struct dec_sniff *s, struct dec *d, char **cause)
{
	const unsigned char *f, *x;
	size_t pos, room;
	int layer = 0;

	(void)cause;
	for (pos = 0; pos < MPEG_SEARCH_BYTES && pos + 4 <= s->n; pos++)
		if (s->b[pos] == 0xff && mpeg_stream_at(s, pos, &layer))
			break;
	if (pos >= MPEG_SEARCH_BYTES || pos + 4 > s->n)
		return 0;
	f = s->b + pos;
	room = s->n - pos < 64 ? s->n - pos : 64;
	if ((x = memmem(f, room, "Xing", 4)) == NULL)
		x = memmem(f, room, "Info", 4);
	if (x != NULL && x + 8 <= s->b + s->n && (x[7] & 1))
		d->length_tag = 1;
	if (memmem(f, room, "VBRI", 4) != NULL)
		d->length_tag = 1;
	snprintf(d->format, sizeof d->format, "mp%d", layer);
	return 1;
}

/* libmpg123's read on our stream: as read(2), -1 on an error. */
static mpg123_ssize_t
mpg_fread(void *f, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, f);

	return got == 0 && ferror((FILE *)f) ? -1 : (mpg123_ssize_t)got;
}

/* libmpg123's lseek on our stream: as lseek(2). */
static off_t
mpg_fseek(void *f, off_t off, int whence)
{
	return fseeko(f, off, whence) == 0 ? ftello(f) : -1;
}

/* Copies an ID3v2 text (UTF-8 from libmpg123) when it holds something. */
static char *
mpg_text(const mpg123_string *s)
{
	if (s == NULL || s->p == NULL || s->fill == 0 || s->p[0] == '\0')
		return NULL;
	return xstrndup(s->p, s->fill);
}

/* Sets *cause from libmpg123's error on mh (or the code when no handle). */
static void
mpg_cause(mpg123_handle *mh, int err, const char *what, char **cause)
{
	const char *msg = mh != NULL && err == MPG123_ERR ? mpg123_strerror(mh) :
	    mpg123_plain_strerror(err);

	xasprintf(cause, "%s: %s", what, msg);
}

/* Opens the file with libmpg123, float output at the stream's own rate and channels. */
static int
mpg_open(struct dec *d, char **cause)
{
	struct mpg *m = xcalloc(1, sizeof *m);
	const long *rates;
	size_t nrates, i;
	mpg123_id3v1 *v1;
	mpg123_id3v2 *v2;
	int err, enc, fd;

#if MPG123_API_VERSION < 46
	mpg123_init();
#endif
	if ((m->mh = mpg123_new(NULL, &err)) == NULL) {
		mpg_cause(NULL, err, _("cannot start the MPEG decoder"), cause);
		free(m);
		return -1;
	}
	d->priv = m;
	/*
	 * Streams stitched together (a change of channels or rate, frames past
	 * the count a Xing tag states) play to their end as mpg123 plays them:
	 * libmpg123's MPG123_NO_FRANKENSTEIN would end them early, without an
	 * error, at the first such seam.
	 */
	mpg123_param(m->mh, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_GAPLESS, 0);
	mpg123_format_none(m->mh);
	mpg123_rates(&rates, &nrates);
	for (i = 0; i < nrates; i++)
		mpg123_format(m->mh, rates[i], MPG123_MONO | MPG123_STEREO,
		    MPG123_ENC_FLOAT_32);
	if ((fd = dec_dup(d, cause)) == -1)
		goto fail;
	if ((m->f = fdopen(fd, "rb")) == NULL) {
		xasprintf(cause, _("cannot open: %s"), strerror(errno));
		close(fd);
		goto fail;
	}
	/* No cleanup callback: mpg_close closes m->f after the handle. */
	if (mpg123_replace_reader_handle(m->mh, mpg_fread, mpg_fseek, NULL) !=
	    MPG123_OK || mpg123_open_handle(m->mh, m->f) != MPG123_OK) {
		mpg_cause(m->mh, MPG123_ERR, _("cannot open"), cause);
		goto fail;
	}
	err = mpg123_getformat(m->mh, &m->rate, &m->channels, &enc);
	if (err == MPG123_DONE || err == MPG123_NEED_MORE) {
		xasprintf(cause, _("no MPEG audio frames in the file"));
		goto fail;
	}
	if (err != MPG123_OK) {
		mpg_cause(m->mh, MPG123_ERR, _("not MPEG audio"), cause);
		goto fail;
	}
	/*
	 * Keep this format for the whole stream: libmpg123 converts frames of
	 * another channel count (mixing or doubling) or rate (its NtoM
	 * resampler) to it, as `mpg123 -e f32 -r RATE --resample NtoM
	 * --mono|--stereo` does.
	 */
	mpg123_format_none(m->mh);
	mpg123_format(m->mh, m->rate, m->channels, MPG123_ENC_FLOAT_32);
	d->rate = (int)m->rate;
	d->channels = m->channels;
	if (d->length_tag) {
		off_t len = mpg123_length(m->mh);

		if (len > 0)
			d->stated_frames = len;
		d->slack = 1152;    /* one frame, for encoder delay estimates */
	}
	if (mpg123_id3(m->mh, &v1, &v2) == MPG123_OK && v2 != NULL) {
		d->title = mpg_text(v2->title);
		d->artist = mpg_text(v2->artist);
	}
	return 0;

fail:
	mpg123_delete(m->mh);
	if (m->f != NULL)
		fclose(m->f);
	free(m);
	d->priv = NULL;
	return -1;
}

/* Decodes up to frames frames; bounded against streams that only resync. */
static long
mpg_read(struct dec *d, float *buf, long frames, char **cause)
{
	struct mpg *m = d->priv;
	size_t want = (size_t)frames * (size_t)m->channels * sizeof *buf, got = 0, n;
	long rate;
	int idle = 0, err, ch, enc;

	while (got < want) {
		n = 0;
		err = mpg123_read(m->mh, (unsigned char *)buf + got, want - got, &n);
		got += n;
		if (err == MPG123_DONE)
			break;
		if (err == MPG123_NEW_FORMAT) {
			mpg123_getformat(m->mh, &rate, &ch, &enc);
			if (rate != m->rate || ch != m->channels) {
				xasprintf(cause, _("the stream changes format midway "
				    "(%ld Hz %d ch to %ld Hz %d ch)"), m->rate,
				    m->channels, rate, ch);
				return -1;
			}
		} else if (err != MPG123_OK) {
			mpg_cause(m->mh, err == MPG123_ERR ? MPG123_ERR : err,
			    _("damaged MPEG audio"), cause);
			return -1;
		}
		if (n == 0 && ++idle > MPG_MAX_IDLE) {
			xasprintf(cause, _("damaged MPEG audio: the decoder makes no "
			    "progress"));
			return -1;
		}
	}
	return (long)(got / ((size_t)m->channels * sizeof *buf));
}

/* Frees the libmpg123 handle. */
static void
mpg_close(struct dec *d)
{
	struct mpg *m = d->priv;

	if (m == NULL)
		return;
	mpg123_delete(m->mh);
	fclose(m->f);
	free(m);
	d->priv = NULL;
}

const struct decoder_ops dec_mpg123_ops = {
	.name = "mpg123",
	.formats = "MP3, MP2",
	.recognise = mpg_recognise,
	.open = mpg_open,
	.read = mpg_read,
	.close = mpg_close,
};
