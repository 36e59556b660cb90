/* loaxa probe: decode files once and print what they hold (format, loudness, SHA-256). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "cli/cli.h"
#include "common/i18n.h"
#include "common/json.h"

/* Prints a measurement to 0.01, or null when there is none (silence). */
static void
probe_json_num(double v)
{
	if (isfinite(v))
		printf("%.2f", v);
	else
		fputs("null", stdout);
}

/* One file's measurements as a JSON object. */
static void
probe_json(const char *file, const struct audio_info *in)
{
	fputs("  {\"file\": ", stdout);
	json_write(stdout, file);
	printf(", \"format\": \"%s\", \"sample_rate\": %d, \"channels\": %d, "
	    "\"duration_ms\": %lld, \"loudness_lufs\": ", in->format,
	    in->sample_rate, in->channels, (long long)in->duration_ms);
	probe_json_num(in->loudness_lufs);
	fputs(", \"true_peak_dbtp\": ", stdout);
	probe_json_num(in->true_peak_dbtp);
	printf(", \"sha256\": \"%s\", \"silent\": %s, \"silent_ms\": %lld, "
	    "\"title\": ", in->sha256, in->silent ? "true" : "false",
	    (long long)in->silent_ms);
	json_write(stdout, in->title);
	fputs(", \"artist\": ", stdout);
	json_write(stdout, in->artist);
	fputs("}", stdout);
}

/* One file's measurements as a line of text. */
static void
probe_text(const char *file, const struct audio_info *in)
{
	printf("%s: %s, %d Hz, %d ch, %lld ms, ", file, in->format,
	    in->sample_rate, in->channels, (long long)in->duration_ms);
	if (isfinite(in->loudness_lufs))
		printf("%.1f LUFS, %.1f dBTP", in->loudness_lufs, in->true_peak_dbtp);
	else
		printf("%s", _("silent"));
	/* The share of 400 ms blocks with no sound, when some are. */
	if (isfinite(in->loudness_lufs) && in->silent_ms > 0 && in->duration_ms > 0)
		printf(_(", %.0f%% silent"), 100.0 * (double)in->silent_ms /
		    (double)in->duration_ms);
	printf(", sha256 %s\n", in->sha256);
}

static int
probe_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct audio_info info;
	const char *format = cli_opt(args, "format");
	char *const *files = args->argv;
	char *cause;
	int i, json, rc = EXIT_OK, first = 1, nfiles = args->argc;

	(void)ctx;
	if (format == NULL)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, _("loaxa probe: --format is text or json, not '%s'\n"),
		    format);
		return EXIT_USAGE;
	}
	json = strcmp(format, "json") == 0;
	if (json)
		fputs("[\n", stdout);
	for (i = 0; i < nfiles; i++) {
		cause = NULL;
		if (audio_probe(files[i], &info, &cause) != 0) {
			fprintf(stderr, "%s: %s\n", files[i], cause);
			free(cause);
			rc = EXIT_REJECTED;
			continue;
		}
		if (json) {
			if (!first)
				fputs(",\n", stdout);
			probe_json(files[i], &info);
		} else
			probe_text(files[i], &info);
		first = 0;
		fflush(stdout);
		audio_info_clear(&info);
	}
	if (json)
		fputs(first ? "]\n" : "\n]\n", stdout);
	return rc;
}

const struct cmd_entry cmd_probe = {
	.name = "probe",
	.usage = "FILE... [--format text|json]",
	.summary = N_("decode audio files once and print format, loudness, true peak, SHA-256"),
	.args = { "format:", 1, -1 },
	.help = N_(
	    "Decodes each FILE completely, as import does, and prints its format\n"
	    "(found from the content, not the name: mp3, mp2, wav, flac, vorbis,\n"
	    "opus), sample rate, channels, duration in milliseconds, integrated\n"
	    "loudness (EBU R128, LUFS), true peak (dBTP) and the SHA-256 of its\n"
	    "bytes. A damaged, truncated or non-audio file gets one line\n"
	    "FILE: reason on stderr and exit status 3; the good files are still\n"
	    "printed.\n"
	    "\n"
	    "options:\n"
	    "  --format text|json  json: one array, an object per good file with\n"
	    "                      duration_ms, sample_rate, channels, format,\n"
	    "                      loudness_lufs, true_peak_dbtp, sha256 (null\n"
	    "                      loudness for silence)\n"
	    "\n"
	    "example:\n"
	    "  loaxa probe bantin-0601.mp3 --format json\n"),
	.exec = probe_exec,
};
