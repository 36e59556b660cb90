/*
 * The daemon: opens the store, the clocks, the signals, the control socket
 * and the inbox, registers each with the event loop (scheduler/loop.h), and
 * runs it. Each pass first lets the programme (programme.c) decide what airs
 * now and when the wall clock must next wake it; then the loop sleeps until
 * a descriptor or a timer calls back. Blocking audio lives in the airing
 * child.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio/audio.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/perm.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/airing.h"
#include "scheduler/daemon.h"
#include "scheduler/history.h"
#include "scheduler/internal.h"
#include "scheduler/loop.h"
#include "scheduler/notify.h"
#include "store/store.h"

const char *
sched_local_time(int64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	/* A log line for a person: dd/mm/yyyy, as common/human.h writes dates. */
	strftime(buf, 32, "%d/%m/%Y %H:%M:%S", &tm);
	return buf;
}

void
sched_daemon_error(struct daemon *d, const char *fmt, ...)
{
	va_list ap;

	free(d->last_error);
	va_start(ap, fmt);
	xvasprintf(&d->last_error, fmt, ap);
	va_end(ap);
	log_error("%s", d->last_error);
}

void
sched_daemon_log_failed(struct daemon *d, char *cause)
{
	sched_daemon_error(d, _("airing log: %s"), cause ? cause : _("unknown error"));
	free(cause);
}

/* Arms the wall-clock timer for at (absolute, cancelled on clock changes). */
static void
arm_realtime(struct daemon *d, int64_t at)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (at > 0) {
		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(d->rtfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

/* The wall-clock timer fired, or the clock was set (ECANCELED). */
static void
realtime_ready(struct sched_loop *loop, int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	uint64_t ticks;

	(void)loop;
	(void)revents;
	/* ECANCELED: the clock was set; the next pass re-plans from it. */
	if (read(fd, &ticks, sizeof ticks) < 0 && errno == ECANCELED) {
		/* Forward: the slots jumped over are logged missed. */
		log_info(_("the system clock changed; re-planning"));
		sched_prog_catch_up(d, d->last_wall, sched_log_now_ms(),
		    SCHED_R_CLOCK_CHANGE);
	}
}

/* The tick: the heartbeat and hang check of what airs, and the systemd watchdog. */
static void
tick(struct sched_loop *loop, uint64_t id, void *arg)
{
	struct daemon *d = arg;
	int64_t now;

	(void)id;
	sched_onair_tick(d);
	if (d->watchdog_ms > 0 && sched_loop_now() - d->last_watchdog >= d->watchdog_ms / 2) {
		sched_notify("WATCHDOG=1");
		d->last_watchdog = sched_loop_now();
	}
	/* On the same beat; a pass that came late does not make up the ticks it missed. */
	now = sched_loop_now();
	d->tick_at += d->tick_every;
	if (d->tick_at <= now)
		d->tick_at = now + d->tick_every;
	d->tick = sched_loop_add_timer(loop, d->tick_at, tick, d);
}

/* Sets the tick's pace: every second while on air, 100 ms stopping, else the watchdog. */
static void
arm_tick(struct daemon *d)
{
	int64_t every = 0;

	if (d->air_active || d->stopping)
		every = d->stopping ? 100 : SCHED_HEARTBEAT_MS;
	if (d->watchdog_ms > 0 && (every == 0 || every > d->watchdog_ms / 2))
		every = d->watchdog_ms / 2;
	/* Setting it again pushes the next tick back: only on a change of pace. */
	if (every == d->tick_every)
		return;
	d->tick_every = every;
	sched_loop_del_timer(d->loop, d->tick);
	d->tick = 0;
	if (every > 0) {
		d->tick_at = sched_loop_now() + every;
		d->tick = sched_loop_add_timer(d->loop, d->tick_at, tick, d);
	}
}

/* Fades out what airs, then the loop ends. */
static void
daemon_stop(struct daemon *d)
{
	d->stopping = 1;
	d->stop_deadline = sched_loop_now() + d->cfg->audio.fade_ms + 1500;
	sched_onair_stop(d, SCHED_R_SHUTDOWN);
}

/* The end of --for. */
static void
run_for_over(struct sched_loop *loop, uint64_t id, void *arg)
{
	struct daemon *d = arg;

	(void)loop;
	(void)id;
	if (!d->stopping) {
		log_info(_("the requested run time is over; stopping"));
		daemon_stop(d);
	}
}

/* Re-reads the configuration; keeps the old one when the new one is bad. */
int
sched_daemon_reload(struct daemon *d, char **problems)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;
	size_t i, len = 0;
	char *text = NULL, *cause = NULL;
	int64_t start;

	if (conf_read(conf_find(d->opts->config_path), &cfg, &p) != 0) {
		for (i = 0; i < p.n; i++) {
			text = xrealloc(text, len + strlen(p.lines[i]) + 2);
			memcpy(text + len, p.lines[i], strlen(p.lines[i]));
			len += strlen(p.lines[i]);
			text[len++] = '\n';
			text[len] = '\0';
			log_error(_("reload refused: %s"), p.lines[i]);
		}
		/* For `loaxa status`: a SIGHUP (systemctl reload) has no one to answer. */
		if (p.n > 0)
			sched_daemon_error(d, _("reload refused, the old configuration stays: %s%s"),
			    p.lines[0], p.n > 1 ? _(" (and more; see loaxa check)") : "");
		conf_problems_clear(&p);
		*problems = text;
		return -1;
	}
	if (strcmp(cfg->paths.data, d->cfg->paths.data) != 0)
		log_warn(_("reload: paths.data changed; it takes effect at the next start"));
	/*
	 * The item on air keeps playing; what comes next follows the new
	 * timetable. A programme waiting (for the device, say) is taken up again
	 * from the new one: the loop finds its occurrence anew if it still has
	 * one and nothing of it is logged.
	 */
	if (d->prog.active && !d->air_active) {
		start = d->prog.occ.start;
		sched_prog_end(d, SCHED_R_NONE);
		if (d->horizon > start)
			d->horizon = start;
	}
	conf_free(&d->cfg);
	d->cfg = cfg;
	log_info(_("configuration reloaded from %s"), cfg->file);
	/*
	 * The new timetable is in force from now: a slot it adds whose time
	 * passed before is not logged missed, as it was not scheduled then.
	 */
	d->since = sched_log_now_ms();
	if (sched_history_record(d->st, d->cfg, d->since, &cause) < 0)
		sched_daemon_log_failed(d, cause);
	*problems = NULL;
	return 0;
}

/* Handles the signals signalfd delivers. */
static void
daemon_signals(struct sched_loop *loop, int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	char *why = NULL;

	(void)loop;
	(void)revents;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!d->stopping) {
				log_info(_("stopping (signal %u)"), si.ssi_signo);
				daemon_stop(d);
			}
			break;
		case SIGHUP:
			if (sched_daemon_reload(d, &why) != 0)
				free(why);
			break;
		case SIGCHLD:
			sched_inbox_reap(d);
			break;
		default:
			break;
		}
	}
}

/* Opens everything the loop needs, recovers the log, catches up on missed slots. */
static int
daemon_open(struct daemon *d)
{
	char *cause = NULL;
	sigset_t set;
	int n;

	if (store_open_dir(d->cfg->paths.data, &d->st, &cause) != 0 ||
	    (d->loop = sched_loop_new(&cause)) == NULL ||
	    sched_server_open(d, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	d->rtfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->sigfd < 0 || d->rtfd < 0) {
		fprintf(stderr, "loaxa run: %s\n", strerror(errno));
		return -1;
	}
	sched_loop_add_fd(d->loop, d->rtfd, POLLIN, realtime_ready, d);
	sched_loop_add_fd(d->loop, d->sigfd, POLLIN, daemon_signals, d);
	/* After a crash or a power cut: close the airing that was cut. */
	if ((n = sched_log_recover(d->st, &cause)) < 0)
		sched_daemon_log_failed(d, cause);
	else if (n > 0)
		log_warn(ngettext("recovered %d airing cut by a power loss or crash",
		    "recovered %d airings cut by a power loss or crash", (unsigned long)n), n);
	/* What the station link had acknowledged leaves the outbox. */
	if (sched_outbox_prune(d->st, d->cfg->paths.data, d->cfg->link.enabled,
	    &cause) < 0)
		sched_daemon_log_failed(d, cause);
	d->horizon = sched_log_last_alive(d->st);
	sched_prog_catch_up(d, d->horizon, sched_log_now_ms(), SCHED_R_CONTROLLER_OFF);
	d->horizon = 0;
	/* The timetable in force from now, for reports of any past period. */
	if (sched_history_record(d->st, d->cfg, sched_log_now_ms(), &cause) < 0)
		sched_daemon_log_failed(d, cause);
	d->since = sched_log_now_ms();
	if (sched_log_mark_alive(d->st, sched_log_now_ms(), &cause) != 0)
		sched_daemon_log_failed(d, cause);
	d->device_ok = 1;
	d->watchdog_ms = sched_watchdog_ms();
	sched_inbox_open(d);
	/* The players are forked from here: let them inherit libao loaded. */
	out_preload();
	return 0;
}

static void
daemon_close(struct daemon *d)
{
	char *cause = NULL;
	int64_t alive;
	size_t i;

	if (d->air_active)
		sched_onair_clear(d);
	/*
	 * A slot that began but has nothing logged yet: the daemon counts as
	 * off from just before it, so that the next start airs what is left of
	 * it, or logs it missed (controller off) when it is over.
	 */
	alive = sched_log_now_ms();
	if (d->prog.active && d->st != NULL && !d->prog.aired &&
	    !sched_log_has_occurrence(d->st, d->prog.slot, d->prog.occ.start) &&
	    d->prog.occ.start - 1 < alive)
		alive = d->prog.occ.start - 1;
	sched_prog_end(d, SCHED_R_NONE);
	for (i = 0; i < d->nqueue; i++)
		sched_item_clear(&d->queue[i]);
	if (d->st != NULL && sched_log_mark_alive(d->st, alive, &cause) != 0)
		free(cause);
	if (d->loop != NULL)
		sched_server_close(d);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->rtfd >= 0)
		close(d->rtfd);
	if (d->loop != NULL)
		sched_inbox_close(d);
	sched_loop_free(&d->loop);
	store_close(&d->st);
	free(d->last_error);
	conf_free(&d->cfg);
}

/* What a pass does after the callbacks: the inbox, a stop that hangs, systemd. */
static void
daemon_after(struct daemon *d)
{
	char status[256];

	sched_inbox_run(d);
	if (d->stopping && d->air_active && sched_loop_now() > d->stop_deadline) {
		log_warn(_("the player did not stop in time; killing it"));
		sched_airing_kill(d->air.child);
	}
	if (d->air_active) {
		snprintf(status, sizeof status, "STATUS=on air: %s",
		    d->air.item.title ? d->air.item.title : "?");
		sched_notify(status);
	}
}

int
sched_run(struct config *cfg, const struct sched_run_opts *opts)
{
	struct daemon d = { 0 };
	char *cause = NULL;
	int64_t wake;
	int rc = 0;

	d.cfg = cfg;
	d.opts = opts;
	perm_close_proc();
	/* Times in the log and in status are the station's local time. */
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	d.sigfd = d.rtfd = d.srv.lfd = d.inbox.fd = -1;
	if (daemon_open(&d) != 0) {
		daemon_close(&d);
		return 1;
	}
	if (opts->run_for_ms > 0)
		sched_loop_add_timer(d.loop, sched_loop_now() + opts->run_for_ms,
		    run_for_over, &d);
	log_info(_("running: station %s, data in %s, audio %s"), d.cfg->station.code,
	    d.cfg->paths.data, d.cfg->audio.driver);
	sched_notify("READY=1\nSTATUS=running");
	for (;;) {
		wake = sched_prog_plan(&d);
		if (d.stopping && !d.air_active)
			break;
		arm_realtime(&d, wake);
		arm_tick(&d);
		d.last_wall = sched_log_now_ms();
		if (sched_loop_once(d.loop, &cause) != 0) {
			log_error("%s", cause);
			free(cause);
			rc = 1;
			break;
		}
		daemon_after(&d);
	}
	sched_notify("STOPPING=1");
	daemon_close(&d);
	return rc;
}
