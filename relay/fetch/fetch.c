/*
 * One source to one client, through FFmpeg: libavformat opens the URL
 * (HTTP and HTTPS with the certificate and host name checked, Icecast and
 * Shoutcast streams, HLS playlists and their segments) or the capture
 * device (libavdevice's pulse and alsa inputs), libavcodec decodes MP3,
 * AAC, Vorbis and Opus, libswresample makes 48 kHz stereo float.
 *
 * A stall is bounded twice: rw_timeout makes the network layer give up
 * after RELAY_STALL_MS without bytes, and the interrupt callback aborts any
 * blocking call once the deadline it watches has passed (the open, or no
 * decoded audio for RELAY_STALL_MS).
 *
 * An HLS source is written at the pace it plays, FETCH_LEAD_MS ahead: its
 * reader gets whole segments (6 s or more) at once and, read as fast as it
 * gives, would reach the live edge and then wait a segment for the next,
 * longer than a stall; paced, it stays the segments it started behind the
 * edge (FFmpeg starts three back), and the client gets a steady stream. An
 * Icecast stream is paced by its server, a capture by its card.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/now.h"
#include "config/config.h"
#include "relay/fetch/fetch.h"
#include "relay/relay.h"

#define FETCH_LEAD_MS 4000 /* a paced source's audio runs this far ahead */

/* FFmpeg's last error message, for the client's ERR line. */
static char last_error[160];

/* Keeps FFmpeg's last error line (the reason an open failed) and logs it. */
static void
fetch_av_log(void *avcl, int level, const char *fmt, va_list ap)
{
	char line[sizeof last_error];
	size_t n;

	(void)avcl;
	if (level > AV_LOG_ERROR)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0)
		return;
	memcpy(last_error, line, sizeof last_error);
	log_debug("ffmpeg: %s", line);
}

/* The deadline the interrupt callback watches: a blocking call past it ends. */
struct fetch {
	int64_t deadline;
	int fd;
};

static int
fetch_interrupt(void *arg)
{
	const struct fetch *f = arg;

	return now_mono_ms() > f->deadline;
}

/* Writes all of buf to the client; -1 when it has gone. */
static int
fetch_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Waits until frames written since start are no more than FETCH_LEAD_MS ahead. */
static void
fetch_pace(int64_t start, int64_t frames)
{
	int64_t ahead = frames * 1000 / RELAY_RATE - FETCH_LEAD_MS -
	    (now_mono_ms() - start);

	if (ahead > 0)
		poll(NULL, 0, (int)ahead);
}

/* Says "ERR source unreachable: why" (FFmpeg's own message when it gave one). */
static int
fetch_refuse(int fd, const char *what, int err)
{
	char line[320], msg[AV_ERROR_MAX_STRING_SIZE];

	av_strerror(err, msg, sizeof msg);
	snprintf(line, sizeof line, "ERR source unreachable: %s: %s%s%s%s\n", what, msg,
	    last_error[0] ? " (" : "", last_error, last_error[0] ? ")" : "");
	for (char *p = line; p[1] != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	log_warn("%.*s", (int)strlen(line) - 1, line);
	fetch_write(fd, line, strlen(line));
	return 1;
}

/* FFmpeg's own way to open what a demuxer opens (HLS segments, keys). */
static int (*fetch_io_open_default)(struct AVFormatContext *, AVIOContext **,
    const char *, int, AVDictionary **);

/*
 * Opens what a demuxer opens beside its input (an HLS playlist's segments
 * and keys) with the certificate checks on: the HLS demuxer passes only
 * some of the input's options on, and tls_verify is not one of them.
 */
static int
fetch_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
    AVDictionary **options)
{
	av_dict_set(options, "tls_verify", "1", 0);
	return fetch_io_open_default(s, pb, url, flags, options);
}

/* Opens src's input into *fmt: a URL, or a pulse or alsa capture device. */
static int
fetch_open(const struct config_relay_source *src, struct fetch *f,
    AVFormatContext **fmt)
{
	const AVInputFormat *in = NULL;
	AVDictionary *o = NULL;
	const char *url = src->url;
	char stall[32];
	int err;

	*fmt = avformat_alloc_context();
	(*fmt)->interrupt_callback.callback = fetch_interrupt;
	(*fmt)->interrupt_callback.opaque = f;
	fetch_io_open_default = (*fmt)->io_open;
	(*fmt)->io_open = fetch_io_open;
	if (src->capture != NULL) {
		avdevice_register_all();
		url = strchr(src->capture, ':') ? strchr(src->capture, ':') + 1 : "default";
		in = av_find_input_format(strncmp(src->capture, "pulse", 5) == 0 ?
		    "pulse" : "alsa");
		if (in == NULL)
			return AVERROR_DEMUXER_NOT_FOUND;
		av_dict_set(&o, "sample_rate", "48000", 0);
		av_dict_set(&o, "channels", "2", 0);
	} else {
		snprintf(stall, sizeof stall, "%d", RELAY_STALL_MS * 1000);
		/* Certificates are checked: FFmpeg's TLS default is not to. */
		av_dict_set(&o, "tls_verify", "1", 0);
		av_dict_set(&o, "rw_timeout", stall, 0);
		av_dict_set(&o, "reconnect", "0", 0);
		av_dict_set(&o, "user_agent", "loaxa/" LOAXA_VERSION, 0);
		/* Enough to know the codec: a live stream's probe costs air time. */
		av_dict_set(&o, "formatprobesize", "32768", 0);
		av_dict_set(&o, "probesize", "16384", 0);
		av_dict_set(&o, "analyzeduration", "300000", 0);
		/* Only the network and HLS: never file:, pipe: or anything local. */
		av_dict_set(&o, "protocol_whitelist", "http,https,tls,tcp,crypto,hls", 0);
	}
	err = avformat_open_input(fmt, url, in, &o);
	av_dict_free(&o);
	return err;
}

int
relay_fetch_serve(const struct config_relay_source *src, int fd)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	const AVCodec *codec = NULL;
	AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
	struct SwrContext *swr = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	struct fetch f = { now_mono_ms() + RELAY_OPEN_MS, fd };
	uint8_t *out = NULL;
	int64_t start = 0, frames = 0;
	int err, stream, said = 0, rc = 1, max = 0, n, paced;
	char line[64];

	av_log_set_callback(fetch_av_log);
	if ((err = fetch_open(src, &f, &fmt)) < 0) {
		rc = fetch_refuse(fd, src->url ? src->url : src->capture, err);
		goto out;
	}
	if ((err = avformat_find_stream_info(fmt, NULL)) < 0 ||
	    (err = stream = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1,
	    &codec, 0)) < 0) {
		rc = fetch_refuse(fd, "no audio in the stream", err);
		goto out;
	}
	dec = avcodec_alloc_context3(codec);
	avcodec_parameters_to_context(dec, fmt->streams[stream]->codecpar);
	if ((err = avcodec_open2(dec, codec, NULL)) < 0) {
		rc = fetch_refuse(fd, "the decoder would not open", err);
		goto out;
	}
	log_info(_("relay %s: %s, %s, %d Hz, %d ch"), src->name, fmt->iformat->name,
	    codec->name, dec->sample_rate, dec->ch_layout.nb_channels);
	paced = strcmp(fmt->iformat->name, "hls") == 0;
	for (;;) {
		f.deadline = now_mono_ms() + (said ? RELAY_STALL_MS : RELAY_OPEN_MS);
		if ((err = av_read_frame(fmt, pkt)) < 0)
			break;
		if (pkt->stream_index != stream) {
			av_packet_unref(pkt);
			continue;
		}
		err = avcodec_send_packet(dec, pkt);
		av_packet_unref(pkt);
		if (err < 0 && err != AVERROR(EAGAIN))
			continue; /* a damaged packet: the next may decode */
		while (avcodec_receive_frame(dec, frame) == 0) {
			if (swr == NULL && (swr_alloc_set_opts2(&swr, &stereo,
			    AV_SAMPLE_FMT_FLT, RELAY_RATE, &frame->ch_layout, frame->format,
			    frame->sample_rate, 0, NULL) < 0 || swr_init(swr) < 0)) {
				rc = fetch_refuse(fd, "cannot convert the audio",
				    AVERROR(EINVAL));
				goto out;
			}
			n = swr_get_out_samples(swr, frame->nb_samples);
			if (n > max) {
				av_freep(&out);
				max = n;
				out = av_malloc((size_t)max * RELAY_CHANNELS * sizeof(float));
			}
			n = swr_convert(swr, &out, max, (const uint8_t **)frame->extended_data,
			    frame->nb_samples);
			av_frame_unref(frame);
			if (n <= 0)
				continue;
			if (!said) {
				snprintf(line, sizeof line, "OK %d %d\n", RELAY_RATE,
				    RELAY_CHANNELS);
				if (fetch_write(fd, line, strlen(line)) != 0)
					goto gone;
				said = 1;
				start = now_mono_ms();
				log_info(_("relay %s: on"), src->name);
			}
			if (paced)
				fetch_pace(start, frames);
			frames += n;
			if (fetch_write(fd, out, (size_t)n * RELAY_CHANNELS *
			    sizeof(float)) != 0)
				goto gone;
		}
	}
	if (!said)
		rc = fetch_refuse(fd, "no audio came", err);
	else
		log_warn(_("relay %s: the source ended: %s"), src->name,
		    err == AVERROR_EOF ? _("end of stream") : av_err2str(err));
	goto out;
gone:
	log_info(_("relay %s: the client went"), src->name);
	rc = 0;
out:
	av_free(out);
	swr_free(&swr);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	return rc;
}
