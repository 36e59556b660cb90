/*
 * gen-audio: writes test audio with libsndfile, and damaged files, so that no
 * binary audio lives in the repository.
 *
 *   gen-audio [--format wav|flac|ogg|opus|mp3|mp2] [--kind tone|speech|silence]
 *             [--seconds S] [--rate R] [--channels C] [--gain-db G]
 *             [--bitrate-kbps K] [--seed N] [--freq HZ] OUT
 *
 * A tone is HZ (440 by default) with its third harmonic, so that tests can
 * tell items apart by pitch in what came out of a sound server.
 *   gen-audio --damage KIND [IN] OUT
 *
 * Damage kinds: empty, random, text, wav-lying, zero-channels, absurd-rate
 * (IN: a 16-bit WAV), truncate (IN cut at 50%), junk (64 KiB of random bytes
 * inserted in the middle of IN), id3-only, ogg-corrupt (IN: an Ogg file whose
 * middle page gets scrambled).
 *
 *   gen-audio --splice KIND IN [IN2] OUT
 *
 * MPEG streams that encoders do not write but that mpg123 plays, made from
 * the frames of IN (an MP3 or MP2 that gen-audio wrote), as libmpg123 finds
 * them: lead (4000 zero bytes, then IN), junk (3000 random bytes, then
 * IN), free (every frame of IN in free format: its bitrate index 0, so
 * that the frame length is the distance between headers), join (IN, then
 * the audio frames of IN2 without its tags: a stream that changes channels
 * or rate midway, and runs past the frame count IN's Info tag states).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpg123.h>
#include <sndfile.h>

struct gen {
	const char *format;
	const char *kind;
	double seconds;
	int rate;
	int channels;
	double gain_db;
	int bitrate_kbps;
	uint64_t seed;
	double freq;            /* a tone's fundamental, Hz */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: reproducible noise without libc's rand state. */
static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A uniform double in [-1, 1). */
static double
rng_uniform(void)
{
	return (double)(rng_next() >> 11) / (double)(1ULL << 52) - 1.0;
}

/* Prints a message and exits with status 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen-audio: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Reads a whole file; the caller frees the buffer. Exits on failure. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				die("out of memory");
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Writes len bytes to path. Exits on failure. */
static void
spill(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	if (len > 0 && fwrite(buf, 1, len, f) != len)
		die("%s: %s", path, strerror(errno));
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/* The envelope of speech-like sound at frame i: syllables in bursts, pauses between. */
static double
speech_envelope(int rate, long i, double *burst_left, double *pause_left,
    double *level)
{
	double t = (double)i / rate;

	if (*burst_left <= 0 && *pause_left <= 0) {
		*burst_left = 0.4 + 1.2 * (rng_uniform() + 1) / 2;
		*level = 0.5 + 0.5 * (rng_uniform() + 1) / 2;
	}
	if (*burst_left > 0) {
		*burst_left -= 1.0 / rate;
		if (*burst_left <= 0)
			*pause_left = 0.1 + 0.5 * (rng_uniform() + 1) / 2;
		/* Syllables near 4 Hz, sharp onsets: a high peak-to-loudness ratio. */
		return *level * pow(fabs(sin(M_PI * 4.3 * t)), 3.0);
	}
	*pause_left -= 1.0 / rate;
	return 0;
}

/* Fills frames of interleaved float for g->kind, continuing at frame start. */
static void
synth(const struct gen *g, float *buf, long start, long frames, double state[5])
{
	double amp = pow(10.0, g->gain_db / 20.0);
	long i;
	int c;

	for (i = 0; i < frames; i++) {
		long n = start + i;
		double t = (double)n / g->rate, v = 0;

		if (strcmp(g->kind, "tone") == 0) {
			v = 0.7 * sin(2 * M_PI * g->freq * t) +
			    0.3 * sin(2 * M_PI * (3 * g->freq) * t);
		} else if (strcmp(g->kind, "speech") == 0) {
			double e = speech_envelope(g->rate, n, &state[0], &state[1],
			    &state[2]);
			double x = rng_uniform();

			/* Two one-pole filters: a voiced band near 200-3000 Hz. */
			state[3] += 0.35 * (x - state[3]);
			state[4] += 0.05 * (state[3] - state[4]);
			v = e * (2.2 * (state[3] - state[4]) +
			    0.4 * sin(2 * M_PI * 160 * t) * e);
		}
		for (c = 0; c < g->channels; c++)
			buf[i * g->channels + c] = (float)(amp * v * (c == 1 ? 0.9 : 1.0));
	}
}

/* Writes the generated audio to out with libsndfile. */
static void
generate(const struct gen *g, const char *out)
{
	SF_INFO info;
	SNDFILE *sf;
	long total = (long)llround(g->seconds * g->rate), done = 0, n;
	double state[5] = { 0, 0, 1, 0, 0 };
	float *buf;
	const long block = 4096;

	memset(&info, 0, sizeof info);
	info.samplerate = g->rate;
	info.channels = g->channels;
	if (strcmp(g->format, "wav") == 0)
		info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	else if (strcmp(g->format, "flac") == 0)
		info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	else if (strcmp(g->format, "ogg") == 0)
		info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	else if (strcmp(g->format, "opus") == 0)
		info.format = SF_FORMAT_OGG | SF_FORMAT_OPUS;
	else if (strcmp(g->format, "mp3") == 0)
		info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
	else
		die("unknown format '%s' (wav, flac, ogg, opus, mp3, mp2)", g->format);
	if ((sf = sf_open(out, SFM_WRITE, &info)) == NULL)
		die("%s: %s", out, sf_strerror(NULL));
	if (strcmp(g->format, "mp3") == 0 || strcmp(g->format, "opus") == 0) {
		int mode = SF_BITRATE_MODE_CONSTANT;
		double level;

		/*
		 * libsndfile maps the compression level linearly onto the
		 * encoder's bitrate range (MP3: 320 down to 32 kbps at 32 kHz
		 * and over; Opus: 256 down to 6 per channel) and has no direct
		 * bitrate setting.
		 */
		if (strcmp(g->format, "mp3") == 0)
			level = (320.0 - g->bitrate_kbps) / (320.0 - 32.0);
		else
			level = (256.0 - g->bitrate_kbps / (double)g->channels) /
			    (256.0 - 6.0);
		if (level < 0)
			level = 0;
		if (level > 1)
			level = 1;
		/* These return varying truth values; sf_error() says. */
		sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
		if (sf_error(sf) != SF_ERR_NO_ERROR)
			die("%s: cannot set a constant bitrate: %s", out, sf_strerror(sf));
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
		if (sf_error(sf) != SF_ERR_NO_ERROR)
			die("%s: cannot set the bitrate: %s", out, sf_strerror(sf));
	}
	if ((buf = malloc(sizeof *buf * block * g->channels)) == NULL)
		die("out of memory");
	while (done < total) {
		n = total - done < block ? total - done : block;
		synth(g, buf, done, n, state);
		if (sf_writef_float(sf, buf, n) != n)
			die("%s: %s", out, sf_strerror(sf));
		done += n;
	}
	free(buf);
	if (sf_close(sf) != 0)
		die("%s: cannot close", out);
}

/*
 * Writes MPEG Layer II to out: libsndfile writes no Layer II, so a WAV of
 * the audio goes through the twolame program.
 */
static void
generate_mp2(const struct gen *g, const char *out)
{
	struct gen w = *g;
	char *wav, *cmd;
	int rc;

	w.format = "wav";
	if (asprintf(&wav, "%s.tmp.wav", out) < 0)
		die("out of memory");
	generate(&w, wav);
	if (asprintf(&cmd, "twolame --quiet -b %d '%s' '%s'", g->bitrate_kbps,
	    wav, out) < 0)
		die("out of memory");
	rc = system(cmd);
	remove(wav);
	if (rc != 0)
		die("%s: twolame failed (is it installed?)", out);
	free(cmd);
	free(wav);
}

/* Finds a RIFF chunk's header in a WAV image; returns its offset or -1. */
static long
wav_chunk(const unsigned char *b, size_t len, const char *id)
{
	size_t off = 12;

	while (off + 8 <= len) {
		uint32_t size = b[off + 4] | b[off + 5] << 8 | b[off + 6] << 16 |
		    (uint32_t)b[off + 7] << 24;

		if (memcmp(b + off, id, 4) == 0)
			return (long)off;
		off += 8 + size + (size & 1);
	}
	return -1;
}

/* Stores a little-endian value of n bytes. */
static void
put_le(unsigned char *p, uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes out a damaged variant of in (or of nothing) as kind says. */
static void
damage(const char *kind, const char *in, const char *out)
{
	unsigned char *b = NULL, *o;
	size_t len = 0, i;
	long off;

	if (strcmp(kind, "empty") == 0) {
		spill(out, "", 0);
		return;
	}
	if (strcmp(kind, "random") == 0) {
		if ((b = malloc(65536)) == NULL)
			die("out of memory");
		for (i = 0; i < 65536; i++)
			b[i] = (unsigned char)rng_next();
		spill(out, b, 65536);
		free(b);
		return;
	}
	if (strcmp(kind, "text") == 0) {
		static const char text[] =
		    "Thông báo: đây không phải là tệp âm thanh.\n"
		    "This is plain text, whatever its name says.\n";
		spill(out, text, sizeof text - 1);
		return;
	}
	if (strcmp(kind, "id3-only") == 0) {
		/* An ID3v2.3 tag holding one TIT2 frame, then nothing. */
		static const char title[] = "\003Bản tin không có âm thanh";
		unsigned char tag[128];
		size_t flen = sizeof title - 1, tlen = 10 + flen;

		memset(tag, 0, sizeof tag);
		memcpy(tag, "ID3\003\000\000", 6);
		tag[6] = (tlen >> 21) & 0x7f;
		tag[7] = (tlen >> 14) & 0x7f;
		tag[8] = (tlen >> 7) & 0x7f;
		tag[9] = tlen & 0x7f;
		memcpy(tag + 10, "TIT2", 4);
		tag[14] = 0; tag[15] = 0; tag[16] = 0; tag[17] = (unsigned char)flen;
		memcpy(tag + 20, title, flen);
		spill(out, tag, 10 + tlen);
		return;
	}
	if (in == NULL)
		die("--damage %s needs an input file", kind);
	b = slurp(in, &len);
	if (strcmp(kind, "truncate") == 0) {
		spill(out, b, len / 2);
	} else if (strcmp(kind, "junk") == 0) {
		if ((o = malloc(len + 65536)) == NULL)
			die("out of memory");
		memcpy(o, b, len / 2);
		for (i = 0; i < 65536; i++)
			o[len / 2 + i] = (unsigned char)rng_next();
		memcpy(o + len / 2 + 65536, b + len / 2, len - len / 2);
		spill(out, o, len + 65536);
		free(o);
	} else if (strcmp(kind, "wav-lying") == 0 ||
	    strcmp(kind, "zero-channels") == 0 || strcmp(kind, "absurd-rate") == 0) {
		if (len < 44 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WAVE", 4) != 0)
			die("%s: not a WAV file", in);
		if (strcmp(kind, "wav-lying") == 0) {
			/* The data chunk claims ten times the bytes that follow. */
			if ((off = wav_chunk(b, len, "data")) < 0)
				die("%s: no data chunk", in);
			put_le(b + off + 4, (uint32_t)(len - (size_t)off - 8) * 10, 4);
			put_le(b + 4, (uint32_t)(len - 8) * 10, 4);
		} else {
			if ((off = wav_chunk(b, len, "fmt ")) < 0)
				die("%s: no fmt chunk", in);
			if (strcmp(kind, "zero-channels") == 0)
				put_le(b + off + 10, 0, 2);
			else
				put_le(b + off + 12, 3000000000U, 4);
		}
		spill(out, b, len);
	} else if (strcmp(kind, "ogg-corrupt") == 0) {
		/* Scramble the body of the first page past the middle. */
		for (i = len / 2; i + 4 < len; i++)
			if (memcmp(b + i, "OggS", 4) == 0)
				break;
		if (i + 4 >= len)
			die("%s: no Ogg page past the middle", in);
		for (i += 40; i < len && i < len / 2 + 4096; i++)
			b[i] ^= (unsigned char)(rng_next() | 1);
		spill(out, b, len);
	} else {
		die("unknown damage '%s' (empty, random, text, wav-lying, "
		    "zero-channels, absurd-rate, truncate, junk, id3-only, ogg-corrupt)",
		    kind);
	}
	free(b);
}

/*
 * The byte offsets of the audio frames of the MPEG file path, as libmpg123
 * parses them (tags and an Info frame left out), and the file's length at
 * the end: n + 1 values, which the caller frees. Exits on failure.
 */
static off_t *
mpeg_frames(const char *path, size_t *n)
{
	mpg123_handle *mh;
	off_t *at = NULL;
	size_t cap = 0;
	FILE *f;
	int err;

	if ((mh = mpg123_new(NULL, &err)) == NULL)
		die("libmpg123: %s", mpg123_plain_strerror(err));
	mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_QUIET, 0);
	if (mpg123_open(mh, path) != MPG123_OK)
		die("%s: %s", path, mpg123_strerror(mh));
	*n = 0;
	for (;;) {
		err = mpg123_framebyframe_next(mh);
		if (err == MPG123_DONE)
			break;
		if (err != MPG123_OK && err != MPG123_NEW_FORMAT)
			die("%s: %s", path, mpg123_strerror(mh));
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 1024;
			if ((at = realloc(at, cap * sizeof *at)) == NULL)
				die("out of memory");
		}
		at[(*n)++] = mpg123_framepos(mh);
	}
	mpg123_delete(mh);
	if (*n == 0)
		die("%s: no MPEG frames", path);
	if ((f = fopen(path, "rb")) == NULL || fseeko(f, 0, SEEK_END) != 0)
		die("%s: %s", path, strerror(errno));
	at[*n] = ftello(f);
	fclose(f);
	return at;
}

/* Writes out an MPEG stream spliced from the frames of in (and in2) as kind says. */
static void
splice(const char *kind, const char *in, const char *in2, const char *out)
{
	unsigned char *b, *b2, *o;
	size_t len, len2, n, i, lead;
	off_t *at;

	b = slurp(in, &len);
	if (strcmp(kind, "lead") == 0 || strcmp(kind, "junk") == 0) {
		lead = strcmp(kind, "lead") == 0 ? 4000 : 3000;
		if ((o = malloc(lead + len)) == NULL)
			die("out of memory");
		for (i = 0; i < lead; i++)
			o[i] = kind[0] == 'l' ? 0 : (unsigned char)rng_next();
		memcpy(o + lead, b, len);
		spill(out, o, lead + len);
		free(o);
	} else if (strcmp(kind, "free") == 0) {
		/* The Info frame, which libmpg123 does not count, too. */
		at = mpeg_frames(in, &n);
		for (i = 0; i < n; i++)
			b[at[i] + 2] &= 0x0f;
		if (len > 4 && b[0] == 0xff && (b[1] & 0xe0) == 0xe0)
			b[2] &= 0x0f;
		spill(out, b, len);
		free(at);
	} else if (strcmp(kind, "join") == 0) {
		if (in2 == NULL)
			die("--splice join needs two input files");
		at = mpeg_frames(in2, &n);
		b2 = slurp(in2, &len2);
		if ((o = malloc(len + len2)) == NULL)
			die("out of memory");
		memcpy(o, b, len);
		memcpy(o + len, b2 + at[0], (size_t)(at[n] - at[0]));
		spill(out, o, len + (size_t)(at[n] - at[0]));
		free(o);
		free(b2);
		free(at);
	} else
		die("unknown splice '%s' (lead, junk, free, join)", kind);
	free(b);
}

/* Parses a number option or exits. */
static double
number(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("--%s: '%s' is not a number from %g to %g", opt, s, lo, hi);
	return v;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: gen-audio [--format wav|flac|ogg|opus|mp3|mp2] "
	    "[--kind tone|speech|silence]\n"
	    "                 [--seconds S] [--rate R] [--channels C] [--gain-db G]\n"
	    "                 [--bitrate-kbps K] [--seed N] [--freq HZ] OUT\n"
	    "       gen-audio --damage KIND [IN] OUT\n"
	    "       gen-audio --splice KIND IN [IN2] OUT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "channels", required_argument, NULL, 'c' },
		{ "gain-db", required_argument, NULL, 'g' },
		{ "bitrate-kbps", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'S' },
		{ "freq", required_argument, NULL, 'F' },
		{ "damage", required_argument, NULL, 'd' },
		{ "splice", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen g = { "wav", "tone", 2.0, 48000, 2, -12.0, 128, 1, 440.0 };
	const char *dmg = NULL, *spl = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': g.format = optarg; break;
		case 'k': g.kind = optarg; break;
		case 's': g.seconds = number("seconds", optarg, 0, 36000); break;
		case 'r': g.rate = (int)number("rate", optarg, 1000, 384000); break;
		case 'c': g.channels = (int)number("channels", optarg, 1, 8); break;
		case 'g': g.gain_db = number("gain-db", optarg, -120, 20); break;
		case 'b': g.bitrate_kbps = (int)number("bitrate-kbps", optarg, 8, 512); break;
		case 'S': g.seed = (uint64_t)number("seed", optarg, 0, 1e15); break;
		case 'F': g.freq = number("freq", optarg, 20, 20000); break;
		case 'd': dmg = optarg; break;
		case 'J': spl = optarg; break;
		default: usage();
		}
	}
	rng_state ^= g.seed * 0x9e3779b97f4a7c15ULL;
	if (rng_state == 0)
		rng_state = 1;
	if (spl != NULL) {
		if (argc - optind == 2)
			splice(spl, argv[optind], NULL, argv[optind + 1]);
		else if (argc - optind == 3)
			splice(spl, argv[optind], argv[optind + 1], argv[optind + 2]);
		else
			usage();
		return 0;
	}
	if (dmg != NULL) {
		if (argc - optind == 1)
			damage(dmg, NULL, argv[optind]);
		else if (argc - optind == 2)
			damage(dmg, argv[optind], argv[optind + 1]);
		else
			usage();
		return 0;
	}
	if (argc - optind != 1)
		usage();
	if (strcmp(g.kind, "tone") != 0 && strcmp(g.kind, "speech") != 0 &&
	    strcmp(g.kind, "silence") != 0)
		die("unknown kind '%s' (tone, speech, silence)", g.kind);
	if (strcmp(g.format, "mp2") == 0)
		generate_mp2(&g, argv[optind]);
	else
		generate(&g, argv[optind]);
	return 0;
}
