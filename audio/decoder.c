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
#include "common/i18n.h"
#include "common/file.h"
#include "common/xmalloc.h"

/*
 * The bytes sniffing reads after any ID3v2 tags: enough for an MPEG stream's
 * first frame after the junk libmpg123 skips (dec_mpg123.c) and two more.
 */
#define SNIFF_BYTES (MPEG_SEARCH_BYTES + 3 * 4608)
#define MAX_ID3_TAGS 4

/* The decoders the sniffer asks, in turn: container formats first. */
static const struct decoder_ops *const decoders[] = {
	&dec_sndfile_ops,
	&dec_mpg123_ops,
};

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
 * Finds the decoder for the content of the open file fd, past any ID3v2
 * tags: sets d->ops and d->format, or returns -1 with *cause saying what the
 * file is instead.
 */
static int
sniff(int fd, off_t size, struct dec *d, char **cause)
{
	struct dec_sniff s;
	unsigned char *b;
	size_t i, len;
	ssize_t n;
	int rc = 0;

	b = xmalloc(SNIFF_BYTES);
	memset(&s, 0, sizeof s);
	s.fd = fd;
	s.size = size;
	for (;;) {
		n = pread(fd, b, SNIFF_BYTES, s.at);
		if (n < 0) {
			xasprintf(cause, _("cannot read: %s"), strerror(errno));
			free(b);
			return -1;
		}
		if (n >= 10 && memcmp(b, "ID3", 3) == 0 && s.tags < MAX_ID3_TAGS) {
			s.at += 10 + ((b[6] & 0x7f) << 21 | (b[7] & 0x7f) << 14 |
			    (b[8] & 0x7f) << 7 | (b[9] & 0x7f)) + ((b[5] & 0x10) ? 10 : 0);
			s.tags++;
			continue;
		}
		break;
	}
	s.b = b;
	s.n = (size_t)n;
	if (n == 0 && s.tags == 0)
		xasprintf(cause, _("empty file"));
	else if (n == 0)
		xasprintf(cause, _("an ID3 tag with no audio after it"));
	for (i = 0; n > 0 && i < sizeof decoders / sizeof decoders[0]; i++) {
		if ((rc = decoders[i]->recognise(&s, d, cause)) == 0)
			continue;
		if (rc == 1)
			d->ops = decoders[i];
		break;
	}
	if (n > 0 && rc == 0) {
		if (s.tags > 0)
			xasprintf(cause, _("an ID3 tag but no MPEG audio after it"));
		else if (looks_like_text(b, s.n < 4096 ? s.n : 4096))
			xasprintf(cause, _("not audio: the file holds text"));
		else {
			char names[128] = "";

			for (i = 0; i < sizeof decoders / sizeof decoders[0]; i++) {
				len = strlen(names);
				snprintf(names + len, sizeof names - len, "%s%s",
				    i > 0 ? ", " : "", decoders[i]->formats);
			}
			xasprintf(cause, _("not a recognised audio format (%s)"), names);
		}
	}
	free(b);
	return d->ops != NULL ? 0 : -1;
}

/* Opens path with the decoder its content calls for; the caller frees the handle. */
int
dec_open(const char *path, struct dec **dp, char **cause)
{
	struct dec *d;
	struct stat st;
	int fd;

	*dp = NULL;
	if ((fd = file_open_regular(path, &st)) < 0) {
		xasprintf(cause, "%s", file_open_error(fd));
		return -1;
	}
	/* The decoder reads the very file that was checked (and probe hashes
	 * it), not whatever the path names a moment later. */
	d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->stated_frames = -1;
	if (sniff(fd, st.st_size, d, cause) != 0 || d->ops->open(d, cause) != 0) {
		close(fd);
		free(d);
		return -1;
	}
	if (d->rate < 1000 || d->rate > 384000) {
		xasprintf(cause, _("unsupported sample rate %d Hz"), d->rate);
		dec_free(&d);
		return -1;
	}
	if (d->channels < 1 || d->channels > 8) {
		xasprintf(cause, _("unsupported channel count %d"), d->channels);
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
		xasprintf(cause, _("truncated: %.1f s of the %.1f s the stream states"),
		    (double)d->decoded / d->rate, (double)d->stated_frames / d->rate);
		return -1;
	}
	if (d->decoded == 0) {
		xasprintf(cause, _("no audio in the stream"));
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
		xasprintf(cause, _("cannot open: %s"), strerror(errno));
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
