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

#include <mpg123.h>

#include "audio/internal.h"
#include "common/xmalloc.h"

/* Calls of mpg123_read that may yield nothing before the stream counts as stalled. */
#define MPG_MAX_IDLE 256

struct mpg {
	mpg123_handle *mh;
	FILE *f;                /* the input, which libmpg123 reads through mpg_fread */
	long rate;
	int channels;
};

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
		mpg_cause(NULL, err, "cannot start the MPEG decoder", cause);
		free(m);
		return -1;
	}
	d->priv = m;
	mpg123_param(m->mh, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_GAPLESS |
	    MPG123_NO_FRANKENSTEIN, 0);
	mpg123_format_none(m->mh);
	mpg123_rates(&rates, &nrates);
	for (i = 0; i < nrates; i++)
		mpg123_format(m->mh, rates[i], MPG123_MONO | MPG123_STEREO,
		    MPG123_ENC_FLOAT_32);
	if ((fd = dec_dup(d, cause)) == -1)
		goto fail;
	if ((m->f = fdopen(fd, "rb")) == NULL) {
		xasprintf(cause, "cannot open: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	/* No cleanup callback: mpg_close closes m->f after the handle. */
	if (mpg123_replace_reader_handle(m->mh, mpg_fread, mpg_fseek, NULL) !=
	    MPG123_OK || mpg123_open_handle(m->mh, m->f) != MPG123_OK) {
		mpg_cause(m->mh, MPG123_ERR, "cannot open", cause);
		goto fail;
	}
	err = mpg123_getformat(m->mh, &m->rate, &m->channels, &enc);
	if (err == MPG123_DONE || err == MPG123_NEED_MORE) {
		xasprintf(cause, "no MPEG audio frames in the file");
		goto fail;
	}
	if (err != MPG123_OK) {
		mpg_cause(m->mh, MPG123_ERR, "not MPEG audio", cause);
		goto fail;
	}
	/* Keep this format: a change midway is an error, not a surprise. */
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
				xasprintf(cause, "the stream changes format midway "
				    "(%ld Hz %d ch to %ld Hz %d ch)", m->rate,
				    m->channels, rate, ch);
				return -1;
			}
		} else if (err != MPG123_OK) {
			mpg_cause(m->mh, err == MPG123_ERR ? MPG123_ERR : err,
			    "damaged MPEG audio", cause);
			return -1;
		}
		if (n == 0 && ++idle > MPG_MAX_IDLE) {
			xasprintf(cause, "damaged MPEG audio: the decoder makes no "
			    "progress");
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
	.open = mpg_open,
	.read = mpg_read,
	.close = mpg_close,
};
