/*
 * WAV, AIFF, FLAC, Ogg Vorbis and Opus through libsndfile, as float.
 *
 * The container states the length (WAV data chunk, FLAC STREAMINFO, the last
 * Ogg granule): dec_read holds the decoded length to it, and a WAV whose
 * header claims more than the file holds is refused at open (libsndfile
 * only notes that in its log). An Ogg file must end with its end-of-stream
 * page, since a cut one states the length of what is left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ogg/ogg.h>
#include <sndfile.h>

#include "audio/internal.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

/* Reads that may return nothing without an error before the file counts as stalled. */
#define SND_MAX_IDLE 4

struct snd {
	SNDFILE *sf;
	int fd;                 /* libsndfile's descriptor, ours to close */
	SF_INFO info;
	int idle;
};

/* Copies a tag string when libsndfile has one. */
static char *
snd_text(SNDFILE *sf, int which)
{
	const char *s = sf_get_string(sf, which);

	return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

/* Finds a "should be" note on the data chunk in libsndfile's log: a header that lies. */
static int
snd_header_lies(SNDFILE *sf, char **cause)
{
	char log[4096], *p, *end;

	log[0] = '\0';
	sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log);
	log[sizeof log - 1] = '\0';
	for (p = log; (p = strstr(p, "data :")) != NULL; p++) {
		if ((p == log || p[-1] == '\n') &&
		    (end = strchr(p, '\n')) != NULL &&
		    memmem(p, (size_t)(end - p), "should be", 9) != NULL) {
			*end = '\0';
			xasprintf(cause, _("truncated or damaged: the header's %s"), p);
			return 1;
		}
	}
	return 0;
}

/* Two of the largest Ogg pages (27 + 255 + 255 * 255 bytes): the tail searched for the last one. */
#define SND_OGG_TAIL (2 * 65307)

/*
 * An Ogg stream states its length in the granule of its last page, so a file
 * cut short, or whose last page is damaged, looks whole to libsndfile. A
 * whole one ends with an end-of-stream page whose checksum holds, right at
 * the end of the file: libogg finds the last good page in the file's tail.
 * Returns 0, or -1 with *cause.
 */
static int
snd_ogg_ends(int fd, char **cause)
{
	ogg_sync_state oy;
	ogg_page og;
	struct stat sb;
	long r, at = 0, last_end = -1, want;
	int eos = 0;
	char *buf;
	ssize_t n;

	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, _("cannot read: %s"), strerror(errno));
		return -1;
	}
	want = sb.st_size < SND_OGG_TAIL ? (long)sb.st_size : SND_OGG_TAIL;
	ogg_sync_init(&oy);
	buf = ogg_sync_buffer(&oy, want);
	n = pread(fd, buf, (size_t)want, sb.st_size - want);
	if (n != (ssize_t)want) {
		ogg_sync_clear(&oy);
		xasprintf(cause, _("cannot read the end of the file"));
		return -1;
	}
	ogg_sync_wrote(&oy, want);
	while ((r = ogg_sync_pageseek(&oy, &og)) != 0) {
		at += r < 0 ? -r : r;
		if (r > 0) {
			eos = ogg_page_eos(&og);
			last_end = at;
		}
	}
	ogg_sync_clear(&oy);
	if (last_end == want && eos)
		return 0;
	if (last_end == want)
		xasprintf(cause, _("truncated or damaged: the Ogg stream has no "
		    "end-of-stream page"));
	else
		xasprintf(cause, _("truncated or damaged: the Ogg stream does not end "
		    "with a whole page"));
	return -1;
}

/* The containers libsndfile plays here: up to two byte strings at fixed offsets. */
static const struct {
	const char *format;
	size_t at1;
	const char *magic1;
	size_t at2;
	const char *magic2;
} snd_magic[] = {
	{ "wav", 0, "RIFF", 8, "WAVE" },
	{ "wav", 0, "RF64", 8, "WAVE" },
	{ "aiff", 0, "FORM", 8, "AIFF" },
	{ "aiff", 0, "FORM", 8, "AIFC" },
	{ "flac", 0, "fLaC", 0, NULL },
	{ "vorbis", 0, "OggS", 28, "\001vorbis" },
	{ "opus", 0, "OggS", 28, "OpusHead" },
	{ "flac", 0, "OggS", 28, "\177FLAC" },
};

/* Whether the n bytes at b hold magic at offset at. */
static int
snd_has(const unsigned char *b, size_t n, size_t at, const char *magic)
{
	size_t len = strlen(magic);

	return at + len <= n && memcmp(b + at, magic, len) == 0;
}

/* Recognises the containers of snd_magic; an Ogg stream of another codec is refused. */
static int
snd_recognise(const struct dec_sniff *s, struct dec *d, char **cause)
{
	size_t i;

	if (s->tags > 0)
		return 0;
	for (i = 0; i < sizeof snd_magic / sizeof snd_magic[0]; i++) {
		if (snd_has(s->b, s->n, snd_magic[i].at1, snd_magic[i].magic1) &&
		    (snd_magic[i].magic2 == NULL ||
		    snd_has(s->b, s->n, snd_magic[i].at2, snd_magic[i].magic2))) {
			snprintf(d->format, sizeof d->format, "%s", snd_magic[i].format);
			return 1;
		}
	}
	if (snd_has(s->b, s->n, 0, "OggS")) {
		xasprintf(cause, _("an Ogg stream of an unsupported codec "
		    "(Vorbis, Opus and FLAC are supported)"));
		return -1;
	}
	return 0;
}

/* Opens the file with libsndfile; float output normalised to [-1, 1]. */
static int
snd_open(struct dec *d, char **cause)
{
	struct snd *s = xcalloc(1, sizeof *s);

	if ((s->fd = dec_dup(d, cause)) == -1) {
		free(s);
		return -1;
	}
	if ((s->sf = sf_open_fd(s->fd, SFM_READ, &s->info, SF_FALSE)) == NULL) {
		xasprintf(cause, _("cannot decode: %s"), sf_strerror(NULL));
		close(s->fd);
		free(s);
		return -1;
	}
	d->priv = s;
	if (snd_header_lies(s->sf, cause) ||
	    ((s->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG &&
	    snd_ogg_ends(dec_fd(d), cause) != 0)) {
		sf_close(s->sf);
		close(s->fd);
		free(s);
		d->priv = NULL;
		return -1;
	}
	d->rate = s->info.samplerate;
	d->channels = s->info.channels;
	if (s->info.frames > 0 && s->info.frames < INT64_MAX / 2)
		d->stated_frames = s->info.frames;
	d->title = snd_text(s->sf, SF_STR_TITLE);
	d->artist = snd_text(s->sf, SF_STR_ARTIST);
	return 0;
}

/* Reads up to frames frames; libsndfile's error becomes ours. */
static long
snd_read(struct dec *d, float *buf, long frames, char **cause)
{
	struct snd *s = d->priv;
	sf_count_t n;

	for (;;) {
		n = sf_readf_float(s->sf, buf, frames);
		if (n > 0)
			return (long)n;
		if (sf_error(s->sf) != SF_ERR_NO_ERROR) {
			xasprintf(cause, _("damaged %s audio: %s"), d->format,
			    sf_strerror(s->sf));
			return -1;
		}
		/* Zero without an error is the end; ask again only a few times. */
		if (++s->idle >= SND_MAX_IDLE || d->stated_frames < 0 ||
		    d->decoded >= d->stated_frames)
			return 0;
	}
}

/* Closes the libsndfile handle. */
static void
snd_close(struct dec *d)
{
	struct snd *s = d->priv;

	if (s == NULL)
		return;
	sf_close(s->sf);
	close(s->fd);
	free(s);
	d->priv = NULL;
}

const struct decoder_ops dec_sndfile_ops = {
	.name = "sndfile",
	.formats = "WAV, AIFF, FLAC, Ogg Vorbis, Opus",
	.recognise = snd_recognise,
	.open = snd_open,
	.read = snd_read,
	.close = snd_close,
};
