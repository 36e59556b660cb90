/* loaxa play-file: play one file through the configured (or given) output now. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/audio.h"
#include "cli/cli.h"
#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/airing.h"

static volatile sig_atomic_t play_stop;

/* SIGINT and SIGTERM ask for a fade-out and a clean end. */
static void
play_on_signal(int sig)
{
	(void)sig;
	play_stop = 1;
}

/* Parses a number for option name; -1 after printing why. */
static int
play_number(const char *name, const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(*v >= lo && *v <= hi)) {
		fprintf(stderr, _("loaxa play-file: --%s takes a number from %g to %g, "
		    "not '%s'\n"), name, lo, hi, s);
		return -1;
	}
	return 0;
}

static int
play_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct config_audio *ca = &ctx->cfg->audio;
	struct audio_option *aopts;
	struct player_opts po;
	struct player_result res;
	struct audio_info info;
	struct sigaction sa;
	struct player *p = NULL;
	struct out *out;
	const char *file = args->argv[0], *s;
	char *cause = NULL;
	double v;
	int rc;

	sched_player_opts(ca, &po);
	if ((s = cli_opt(args, "driver")) != NULL)
		po.out.driver = s;
	if ((s = cli_opt(args, "out")) != NULL)
		po.out.file = s;
	if (cli_opt(args, "no-normalize") != NULL)
		po.normalize = 0;
	if (cli_opt(args, "no-realtime") != NULL)
		po.out.realtime = 0;
	if ((s = cli_opt(args, "loudness")) != NULL) {
		if (play_number("loudness", s, -70, 0, &v) != 0)
			return EXIT_USAGE;
		po.loudness_lufs = v;
	}
	if ((s = cli_opt(args, "fade-ms")) != NULL) {
		if (play_number("fade-ms", s, 0, 60000, &v) != 0)
			return EXIT_USAGE;
		po.fade_ms = (int)v;
	}

	/* Validate (and measure) first: a bad file is rejected, not played. */
	if (!po.normalize || !isnan(po.loudness_lufs)) {
		struct dec *d;

		if (dec_open(file, &d, &cause) != 0) {
			fprintf(stderr, "%s: %s\n", file, cause);
			free(cause);
			return EXIT_REJECTED;
		}
		dec_free(&d);
	} else {
		if (audio_probe(file, &info, &cause) != 0) {
			fprintf(stderr, "%s: %s\n", file, cause);
			free(cause);
			return EXIT_REJECTED;
		}
		po.loudness_lufs = info.loudness_lufs;
		po.expect_ms = info.duration_ms;
		audio_info_clear(&info);
	}

	aopts = sched_player_out_options(ca, &po);
	out = out_new(&po.out);
	po.device = out;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = play_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	po.stop_flag = &play_stop;
	p = player_new(&po);

	if (player_open(p, file, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", file, cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	rc = player_run(p, &res) == 0 ? EXIT_OK : EXIT_FAIL;
	if (out_close(out, &cause) != 0 && rc == EXIT_OK) {
		res.outcome = PLAYER_FAILED;
		free(res.reason);
		res.reason = cause;
		cause = NULL;
		rc = EXIT_FAIL;
	}
	free(cause);
	if (res.outcome == PLAYER_FAILED)
		fprintf(stderr, _("%s: %s after %lld ms\n"), file, res.reason,
		    (long long)res.played_ms);
	else
		printf(_("%s: %s, %lld ms played, gain %+.1f dB%s\n"), file,
		    player_outcome_name(res.outcome), (long long)res.played_ms,
		    res.gain_db, res.silence ? _(", silence over 10 s") : "");
	player_result_clear(&res);
out:
	player_free(&p);
	out_free(&out);
	free(aopts);
	return rc;
}

const struct cmd_entry cmd_play_file = {
	.name = "play-file",
	.usage = "FILE [--driver D] [--out PATH] [--no-normalize] [--no-realtime]",
	.summary = N_("play one file through the configured output now (speaker test, preview)"),
	.flags = CMD_CONFIG,
	.args = { "driver: out: no-normalize no-realtime loudness: fade-ms:", 1, 1 },
	.help = N_(
	    "Checks FILE as import does, then plays it through the audio output of\n"
	    "the configuration (audio.driver, audio.options, audio.file), brought\n"
	    "to audio.loudness_target (LUFS) with a limiter at audio.true_peak\n"
	    "(dBTP). Ctrl-C fades out over audio.fade_ms and stops. Prints the\n"
	    "outcome and the milliseconds played.\n"
	    "\n"
	    "options:\n"
	    "  --driver D       a libao driver instead of audio.driver: alsa, pulse,\n"
	    "                   null, wav, au, raw, or auto (the default device if\n"
	    "                   one opens, else null)\n"
	    "  --out PATH       the file that the wav, au and raw drivers write\n"
	    "  --no-normalize   play at the file's own level, no limiter\n"
	    "  --no-realtime    do not pace file and null drivers at real speed\n"
	    "  --loudness LUFS  the file's known loudness: skip measuring it\n"
	    "  --fade-ms MS     the fade on stop instead of audio.fade_ms\n"
	    "\n"
	    "exit status: 0 played or stopped, 1 the output failed, 3 a bad file.\n"
	    "\n"
	    "examples:\n"
	    "  loaxa play-file bantin.mp3\n"
	    "  loaxa play-file bantin.mp3 --driver wav --out /tmp/check.wav\n"),
	.exec = play_exec,
};
