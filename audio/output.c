/*
 * Output through libao: any driver by its short name with its options; file
 * drivers (wav, au, raw) write the configured file. Samples go out as 16-bit
 * little-endian. With realtime set, file and null drivers are paced on
 * CLOCK_MONOTONIC at the audio's own rate (a live device paces itself).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ao/ao.h>

#include "audio/internal.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"

struct out {
	char *driver;           /* as asked: a name or "auto" */
	struct audio_option *options;
	size_t noptions;
	char *file;
	int realtime;

	ao_device *dev;
	int driver_id;
	int is_live;
	const char *opened;     /* the driver name libao opened */
	int rate;
	int channels;
	int16_t *pcm;
	size_t pcm_frames;
	struct timespec t0;     /* pacing: when frame 0 of this format was due */
	int64_t written;
};

static pthread_once_t out_once = PTHREAD_ONCE_INIT;

/* libao's process-wide start; its shutdown is left to process exit. */
static void
out_init_ao(void)
{
	ao_initialize();
}

void
out_preload(void)
{
	pthread_once(&out_once, out_init_ao);
}

/* A copy of spec, nothing opened yet. */
struct out *
out_new(const struct out_spec *spec)
{
	struct out *o = xcalloc(1, sizeof *o);
	size_t i;

	pthread_once(&out_once, out_init_ao);
	o->driver = xstrdup(spec->driver != NULL && spec->driver[0] != '\0' ?
	    spec->driver : "auto");
	o->noptions = spec->noptions;
	o->options = xcalloc(spec->noptions + 1, sizeof *o->options);
	for (i = 0; i < spec->noptions; i++) {
		o->options[i].name = xstrdup(spec->options[i].name);
		o->options[i].value = xstrdup(spec->options[i].value);
	}
	o->file = spec->file != NULL && spec->file[0] != '\0' ?
	    xstrdup(spec->file) : NULL;
	o->realtime = spec->realtime;
	o->driver_id = -1;
	return o;
}

/* libao's reason for a failed open, from errno as libao leaves it. */
static const char *
out_ao_reason(int err)
{
	switch (err) {
	case AO_ENODRIVER: return _("no such libao driver");
	case AO_ENOTFILE: return _("the driver does not write files");
	case AO_ENOTLIVE: return _("the driver writes files (set audio.file or --out)");
	case AO_EBADOPTION: return _("a driver option has a bad value");
	case AO_EOPENDEVICE: return _("cannot open the device");
	case AO_EOPENFILE: return _("cannot open the output file");
	case AO_EFILEEXISTS: return _("the output file exists");
	case AO_EBADFORMAT: return _("the driver cannot take this format");
	default: return _("libao failed");
	}
}

/* Opens driver id with the configured options; sets *cause on failure. */
static ao_device *
out_open_id(struct out *o, int id, ao_sample_format *fmt, char **cause)
{
	ao_info *info = ao_driver_info(id);
	ao_option *opts = NULL;
	ao_device *dev;
	size_t i;
	int err;

	for (i = 0; i < o->noptions; i++)
		ao_append_option(&opts, o->options[i].name, o->options[i].value);
	errno = 0;
	if (info->type == AO_TYPE_FILE) {
		if (o->file == NULL) {
			ao_free_options(opts);
			xasprintf(cause, _("the %s driver writes a file: give one "
			    "(audio.file or --out)"), info->short_name);
			return NULL;
		}
		dev = ao_open_file(id, o->file, 1, fmt, opts);
	} else
		dev = ao_open_live(id, fmt, opts);
	err = errno;
	ao_free_options(opts);
	if (dev == NULL) {
		if (err == AO_EOPENFILE || err == AO_EFILEEXISTS)
			xasprintf(cause, _("%s driver: cannot write %s"), info->short_name,
			    o->file);
		else
			xasprintf(cause, _("%s driver: %s"), info->short_name,
			    out_ao_reason(err));
		return NULL;
	}
	o->is_live = info->type == AO_TYPE_LIVE &&
	    strcmp(info->short_name, "null") != 0;
	o->opened = info->short_name;
	return dev;
}

/* Opens (or reopens for a new format) the device. */
int
out_prepare(struct out *o, int rate, int channels, char **cause)
{
	ao_sample_format fmt;
	int id;

	if (o->dev != NULL && o->rate == rate && o->channels == channels)
		return 0;
	if (o->dev != NULL && out_close(o, cause) != 0)
		return -1;
	memset(&fmt, 0, sizeof fmt);
	fmt.bits = 16;
	fmt.rate = rate;
	fmt.channels = channels;
	fmt.byte_format = AO_FMT_LITTLE;
	if (strcmp(o->driver, "auto") == 0) {
		/* libao's default live device when one opens, else null. */
		id = ao_default_driver_id();
		if (id >= 0 && ao_driver_info(id) != NULL &&
		    ao_driver_info(id)->type == AO_TYPE_LIVE) {
			char *why = NULL;

			o->dev = out_open_id(o, id, &fmt, &why);
			if (o->dev == NULL)
				log_debug("audio: no default device (%s); using null", why);
			free(why);
		}
		if (o->dev == NULL) {
			id = ao_driver_id("null");
			o->dev = id >= 0 ? out_open_id(o, id, &fmt, cause) : NULL;
		}
	} else {
		if ((id = ao_driver_id(o->driver)) < 0) {
			xasprintf(cause, _("no libao driver '%s'"), o->driver);
			return -1;
		}
		o->dev = out_open_id(o, id, &fmt, cause);
	}
	if (o->dev == NULL)
		return -1;
	o->driver_id = id;
	o->rate = rate;
	o->channels = channels;
	o->written = 0;
	clock_gettime(CLOCK_MONOTONIC, &o->t0);
	return 0;
}

/* Sleeps until frame o->written is due at the real rate. */
static void
out_pace(struct out *o)
{
	struct timespec due = o->t0;
	int64_t ns = o->written * 1000000000LL / o->rate;

	due.tv_sec += (time_t)(ns / 1000000000LL);
	due.tv_nsec += (long)(ns % 1000000000LL);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

/* Converts and plays frames; a refusing device is an error the caller sees. */
int
out_write(struct out *o, const float *buf, long frames, char **cause)
{
	size_t n = (size_t)frames * (size_t)o->channels;

	if (o->dev == NULL) {
		xasprintf(cause, _("the output is not open"));
		return -1;
	}
	if ((size_t)frames > o->pcm_frames) {
		o->pcm_frames = (size_t)frames;
		o->pcm = xreallocarray(o->pcm, n, sizeof *o->pcm);
	}
	audio_to_s16(o->pcm, buf, n);
	if (o->realtime && !o->is_live) {
		/* The clock starts at the first sample, not when the device opened. */
		if (o->written == 0)
			clock_gettime(CLOCK_MONOTONIC, &o->t0);
		/* Keep at most one block ahead of the clock. */
		out_pace(o);
	}
	if (ao_play(o->dev, (char *)o->pcm, (uint_32)(n * sizeof *o->pcm)) == 0) {
		xasprintf(cause, _("%s driver: the device refused the samples "
		    "(lost, or the disk is full)"), o->opened);
		return -1;
	}
	o->written += frames;
	return 0;
}

const char *
out_driver(const struct out *o)
{
	return o->dev != NULL ? o->opened : NULL;
}

/* Closes the device; a file driver's final write failing is reported. */
int
out_close(struct out *o, char **cause)
{
	int ok;

	if (o->dev == NULL)
		return 0;
	ok = ao_close(o->dev);
	o->dev = NULL;
	if (!ok) {
		xasprintf(cause, _("%s driver: closing the output failed"), o->opened);
		return -1;
	}
	return 0;
}

/* Closes (ignoring errors) and frees the output; *op becomes NULL. */
void
out_free(struct out **op)
{
	struct out *o = *op;
	char *cause = NULL;
	size_t i;

	if (o == NULL)
		return;
	if (out_close(o, &cause) != 0) {
		log_warn("audio: %s", cause);
		free(cause);
	}
	for (i = 0; i < o->noptions; i++) {
		free((char *)o->options[i].name);
		free((char *)o->options[i].value);
	}
	free(o->options);
	free(o->file);
	free(o->driver);
	free(o->pcm);
	free(o);
	*op = NULL;
}
