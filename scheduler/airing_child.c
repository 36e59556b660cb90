/*
 * The airing child: opens the file and the device ahead of time, waits for
 * the scheduled instant, plays, and reports over the pipe (scheduler/airing.h):
 *   S <ms since the epoch when the first block went out>
 *   P <ms played>              (about four times a second)
 *   D <completed|stopped|failed> <ms played> <reason code>[: <detail>]
 *     (scheduler/airlog.h's codes; other words are the player's failure)
 * The device is closed before the D line, so that the daemon's next child
 * can open it at once.
 *
 * For the end-to-end tests only: LOAXA_TEST_FAULT=crash makes the child
 * abort one second into the airing, =hang stops its progress (it ignores
 * SIGTERM), =nodevice fails the device.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "audio/audio.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "scheduler/airing.h"
#include "scheduler/airing_child.h"
#include "scheduler/airlog.h"
#include "scheduler/sealed.h"

#define PROGRESS_EVERY_MS 250

static volatile sig_atomic_t child_stop;

static void
child_on_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

struct child {
	int fd;
	int broken;          /* the daemon is gone */
	int64_t last_progress;
	const char *fault;
};

int
sched_child_vsay(int fd, const char *fmt, va_list ap)
{
	char line[256];
	size_t len, off = 0;
	ssize_t w;
	int n;

	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	if (n < 0)
		return 0;
	len = strlen(line);
	for (off = 0; off < len; off++)
		if (line[off] == '\n' || line[off] == '\r')
			line[off] = ' ';
	line[len++] = '\n';
	for (off = 0; off < len; off += (size_t)w) {
		w = write(fd, line + off, len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			child_stop = 1;
			return -1;
		}
	}
	return 0;
}

/* Writes one report line; a daemon that is gone stops the airing. */
static void
child_say(struct child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
child_say(struct child *c, const char *fmt, ...)
{
	va_list ap;

	if (c->broken)
		return;
	va_start(ap, fmt);
	if (sched_child_vsay(c->fd, fmt, ap) != 0)
		c->broken = 1;
	va_end(ap);
}

static void
child_started(void *arg)
{
	struct child *c = arg;

	child_say(c, "S %lld", (long long)sched_log_now_ms());
	c->last_progress = 0;
}

static void
child_progress(void *arg, int64_t played_ms)
{
	struct child *c = arg;

	if (played_ms - c->last_progress < PROGRESS_EVERY_MS)
		return;
	c->last_progress = played_ms;
	child_say(c, "P %lld", (long long)played_ms);
	if (c->fault != NULL && played_ms >= 1000) {
		if (strcmp(c->fault, "crash") == 0)
			abort();
		if (strcmp(c->fault, "hang") == 0) {
			signal(SIGTERM, SIG_IGN);
			for (;;)
				pause();
		}
	}
}

/* Sleeps until the wall-clock instant at (ms), or until asked to stop. */
static void
child_wait(int64_t at)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(at / 1000);
	ts.tv_nsec = (long)(at % 1000) * 1000000L;
	while (!child_stop && sched_log_now_ms() < at &&
	    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Whether path decodes at all: tells a bad file from a device that will not open. */
static int
child_file_ok(const char *path, char **cause)
{
	struct dec *d = NULL;

	if (dec_open(path, &d, cause) != 0)
		return 0;
	dec_free(&d);
	return 1;
}

const volatile sig_atomic_t *
sched_child_init(void)
{
	struct sigaction sa;
	sigset_t none;

	/* The daemon blocks its signals for signalfd: take them back. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = child_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);  /* Ctrl-C reaches the daemon, which asks us */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* When the daemon dies (killed, power cut in a test), fade out too. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		child_stop = 1;
	return &child_stop;
}

int
sched_airing_child(const struct sched_airing_spec *spec, int fd)
{
	const struct config_audio *ca = spec->audio;
	struct child c = { fd, 0, 0, getenv("LOAXA_TEST_FAULT") };
	struct audio_option *aopts;
	struct player_opts po;
	struct player_result res;
	struct player *p = NULL;
	struct out *out;
	char hex[65], sealed[32], *cause = NULL, *why = NULL;
	int mfd;

	sched_child_init();
	/*
	 * What is hashed, decoded and aired is one private copy that nobody can
	 * change: a write into the stored file from now on is never heard.
	 */
	if ((mfd = sched_sealed_copy(spec->path, &cause)) < 0) {
		child_say(&c, "D failed 0 %s%s", mfd == -1 ? "tampered: " : "", cause);
		free(cause);
		return 0;
	}
	sched_sealed_path(mfd, sealed, sizeof sealed);
	if (spec->expect_sha256 != NULL) {
		if (lib_sha256_file(sealed, hex, &cause) != 0) {
			child_say(&c, "D failed 0 tampered: %s", cause);
			close(mfd);
			return 0;
		}
		if (strcmp(hex, spec->expect_sha256) != 0) {
			child_say(&c, "D failed 0 tampered: %s changed since it was "
			    "approved", spec->path);
			close(mfd);
			return 0;
		}
	}

	sched_player_opts(ca, &po);
	po.normalize = spec->normalize;
	po.loudness_lufs = spec->loudness_lufs;
	if (po.loudness_lufs == 0 || !isfinite(po.loudness_lufs))
		po.loudness_lufs = NAN;
	po.expect_ms = spec->duration_ms;
	aopts = sched_player_out_options(ca, &po);
	if (c.fault != NULL && strcmp(c.fault, "nodevice") == 0)
		po.out.driver = "no-such-driver";
	out = out_new(&po.out);
	po.device = out;
	po.stop_flag = &child_stop;
	po.on_start = child_started;
	po.on_progress = child_progress;
	po.arg = &c;
	p = player_new(&po);

	if (player_open(p, sealed, &cause) != 0) {
		if (child_file_ok(sealed, &why))
			child_say(&c, "D failed 0 device: %s", cause);
		else
			child_say(&c, "D failed 0 decoder: %s", why ? why : cause);
		free(why);
		goto out;
	}
	child_wait(spec->start_at);
	if (child_stop) {
		out_close(out, &why);
		child_say(&c, "D stopped 0 stopped: before it started");
		goto out;
	}
	player_run(p, &res);
	if (out_close(out, &why) != 0 && res.outcome != PLAYER_FAILED) {
		res.outcome = PLAYER_FAILED;
		free(res.reason);
		xasprintf(&res.reason, "device: %s", why);
	}
	if (res.outcome == PLAYER_COMPLETED && res.silence)
		child_say(&c, "D completed %lld silence: %lld s at the longest",
		    (long long)res.played_ms, (long long)(res.longest_silence_ms / 1000));
	else
		child_say(&c, "D %s %lld %s", player_outcome_name(res.outcome),
		    (long long)res.played_ms, res.reason ? res.reason : "");
	player_result_clear(&res);
out:
	free(why);
	free(cause);
	player_free(&p);
	out_free(&out);
	free(aopts);
	close(mfd);
	return 0;
}
