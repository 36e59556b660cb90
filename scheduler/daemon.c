/*
 * The daemon's event loop. Everything happens in one thread: poll() wakes on
 * the wall-clock timer (the next slot), the monotonic timer (heartbeats while
 * an item airs, hang detection, the systemd watchdog), signals, control
 * clients and the airing child's reports. Blocking audio lives in the child.
 * A control client is read as its bytes arrive, never waited for.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio/audio.h"
#include "common/date.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/airing.h"
#include "scheduler/airlog.h"
#include "scheduler/bridge.h"
#include "scheduler/control.h"
#include "scheduler/daemon.h"
#include "scheduler/notify.h"
#include "store/store.h"

#define PREROLL_MS 1500       /* the child starts this long before its instant */
#define HEARTBEAT_MS 1000     /* the open row is updated this often */
#define HANG_MS 5000          /* no progress for this long: the child is killed */
#define DEVICE_RETRY_MS 2000  /* a device that will not open is retried this often */
#define LOOKAHEAD_MS (36LL * 3600 * 1000) /* how far ahead the next slot is sought */
/*
 * A control client's request line must arrive within this, or it is dropped.
 * Waiting costs the loop nothing; loaxa's own client writes at once, and a
 * script typing through socat has this long.
 */
#define CTL_REQUEST_MS 2000
#define CTL_PENDING 8          /* clients heard at once; the next is refused */
#define NQUEUE 16

/* The item on air (or being prepared) and what the log knows of it. */
struct onair {
	struct sched_airing *child;
	struct sched_item item;
	struct sched_occ occ; /* slot == NULL for an operator's play */
	int64_t scheduled_at;
	int64_t row;          /* 0 until the first sample went out */
	int64_t started_at;
	int64_t played_ms;
	int64_t last_progress; /* monotonic ms */
	const char *stop_reason; /* set when we asked it to stop */
	int emergency;
};

/* A control client whose request line is not all there yet. */
struct ctl_client {
	struct sched_ctl_req req;
	int64_t deadline;    /* monotonic ms */
};

/* A slot occurrence being aired: its items, in order. */
struct programme {
	int active;
	struct sched_occ occ;
	struct sched_item *items;
	size_t n, next;
	int64_t device_retry_at; /* ms; while the device will not open */
	int aired;               /* at least one item went on air */
};

struct daemon {
	struct config *cfg;
	const struct sched_run_opts *opts;
	struct store *st;
	char *sock_path;
	int rtfd, monofd, sigfd, lfd;
	int inofd;           /* inotify on the package inbox, or -1 */
	struct ctl_client ctl[CTL_PENDING]; /* in accept order, so deadline order */
	size_t nctl;
	pid_t inbox_pid;     /* a `loaxa inbox` at work, or 0 */
	int inbox_due;       /* packages arrived: import them when nothing airs */
	struct onair air;
	int air_active;
	struct programme prog;
	struct sched_item queue[NQUEUE]; /* operator plays; emergencies first */
	size_t nqueue;
	int64_t horizon;     /* every occurrence starting before it is handled */
	int64_t since;       /* ms: when this run began (after catching up) */
	int64_t deadline;    /* run_for end, or 0 */
	int64_t watchdog_ms;
	int64_t mono_every;  /* the monotonic timer's interval now, 0: off */
	int64_t last_watchdog;
	int stopping;        /* SIGTERM: fading out, then exit */
	int64_t stop_deadline;
	char *last_error;
	int device_ok;
	const char *play_reason; /* "emergency" or "operator play": the last one */
	int64_t play_ended;      /* ms; when it ended */
	int64_t last_wall;       /* ms; the wall clock before the loop last slept */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms since the epoch as the station's local date and time, for the daemon's log lines. */
static const char *
local_time(int64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* Remembers the last error for `loaxa status` and logs it. */
static void
daemon_error(struct daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
daemon_error(struct daemon *d, const char *fmt, ...)
{
	va_list ap;

	free(d->last_error);
	va_start(ap, fmt);
	xvasprintf(&d->last_error, fmt, ap);
	va_end(ap);
	log_error("%s", d->last_error);
}

/* Logs an error from the airing log itself; the daemon goes on. */
static void
daemon_log_failed(struct daemon *d, char *cause)
{
	daemon_error(d, "airing log: %s", cause ? cause : "unknown error");
	free(cause);
}

/* A copy of occ (for the on-air record). */
static void
occ_copy(struct sched_occ *dst, const struct sched_occ *src)
{
	*dst = *src;
	dst->slot = src->slot ? xstrdup(src->slot) : NULL;
	dst->priority = src->priority ? xstrdup(src->priority) : NULL;
}

/* The log's view of the on-air item. */
static struct sched_log_item
log_item(const struct onair *a)
{
	struct sched_log_item it = {
		.bulletin_id = a->item.bulletin_id,
		.sha256 = a->item.sha256,
		.slot = a->occ.slot,
		.slot_start = a->occ.start,
		.priority = a->emergency ? "emergency" :
		    (a->item.priority ? a->item.priority :
		    (a->occ.priority ? a->occ.priority : "normal")),
		.scheduled_at = a->scheduled_at,
	};

	return it;
}

/* Records a slot occurrence that did not air at all. */
static void
log_occ_missed(struct daemon *d, const struct sched_occ *o, const char *reason)
{
	/* Planned at its air start; one skipped for overlap has none: its start. */
	struct sched_log_item it = { 0, NULL, o->slot, o->start,
		o->priority ? o->priority : "normal",
		o->air_start ? o->air_start : o->start };
	const char *outcome = o->skipped ? "skipped" : "missed";
	char *cause = NULL, at[32];

	if (o->skipped)
		reason = "overlap";
	if (sched_log_not_aired(d->st, &it, outcome, reason, &cause) < 0)
		daemon_log_failed(d, cause);
	log_info("slot %s at %s: %s (%s)", o->slot, local_time(o->start, at), outcome,
	    reason);
}

/* Ends the programme, logging it missed when nothing of it aired. */
static void
programme_end(struct daemon *d, const char *missed_reason)
{
	struct programme *p = &d->prog;

	if (!p->active)
		return;
	/* A refused item has already logged the occurrence as failed. */
	if (!p->aired && missed_reason != NULL &&
	    !sched_log_has_occurrence(d->st, p->occ.slot, p->occ.start))
		log_occ_missed(d, &p->occ, missed_reason);
	sched_item_free_all(&p->items, p->n);
	sched_occ_clear(&p->occ);
	memset(p, 0, sizeof *p);
}

/* Starts the child for item at start_at. */
static int
onair_spawn(struct daemon *d, struct sched_item *item, const struct sched_occ *occ,
    int64_t start_at, int emergency)
{
	struct sched_airing_spec spec = {
		.path = item->path,
		.expect_sha256 = item->sha256,
		.start_at = start_at,
		.audio = &d->cfg->audio,
		.normalize = 1,
		.loudness_lufs = item->loudness_lufs,
	};
	struct onair *a = &d->air;
	char *cause = NULL, at[32];

	memset(a, 0, sizeof *a);
	if (sched_airing_spawn(&spec, &a->child, &cause) != 0) {
		daemon_error(d, "cannot start the player: %s", cause);
		free(cause);
		return -1;
	}
	a->item = *item;
	memset(item, 0, sizeof *item);
	if (occ != NULL)
		occ_copy(&a->occ, occ);
	a->scheduled_at = start_at;
	a->last_progress = mono_ms() + (start_at - sched_log_now_ms());
	a->emergency = emergency;
	d->air_active = 1;
	log_debug("player %d prepares '%s' for %s", (int)sched_airing_pid(a->child),
	    a->item.title ? a->item.title : a->item.path, local_time(start_at, at));
	return 0;
}

/* Frees what the on-air record holds. */
static void
onair_clear(struct daemon *d)
{
	struct onair *a = &d->air;

	sched_airing_free(&a->child);
	sched_item_clear(&a->item);
	sched_occ_clear(&a->occ);
	memset(a, 0, sizeof *a);
	d->air_active = 0;
}

/* Asks the on-air child to fade out; reason goes into the log. */
static void
onair_stop(struct daemon *d, const char *reason)
{
	if (!d->air_active || d->air.stop_reason != NULL)
		return;
	d->air.stop_reason = reason;
	sched_airing_stop(d->air.child);
}

/* Whether the item on air (or being prepared) is the current programme's. */
static int
programme_owns(const struct daemon *d, const struct onair *a)
{
	return d->prog.active && a->occ.slot != NULL && d->prog.occ.slot != NULL &&
	    strcmp(a->occ.slot, d->prog.occ.slot) == 0 && a->occ.start == d->prog.occ.start;
}

/* Puts the item that did not air back at the head of its programme. */
static void
programme_give_back(struct daemon *d, struct onair *a)
{
	if (d->prog.next > 0)
		d->prog.next--;
	sched_item_clear(&d->prog.items[d->prog.next]);
	d->prog.items[d->prog.next] = a->item;
	memset(&a->item, 0, sizeof a->item);
}

/*
 * The child has ended (ev is its DONE report): close the log row, or write
 * one for an item that never went on air.
 */
static void
onair_done(struct daemon *d, const struct sched_airing_event *ev)
{
	struct onair *a = &d->air;
	struct sched_log_item it = log_item(a);
	const char *outcome = ev->outcome, *reason = ev->reason[0] ? ev->reason : NULL;
	int64_t now = sched_log_now_ms();
	char *cause = NULL;
	int device = strncmp(ev->reason, "device", 6) == 0;
	int64_t played = ev->played_ms > a->played_ms ? ev->played_ms : a->played_ms;

	if (strcmp(outcome, "stopped") == 0) {
		outcome = "interrupted";
		reason = a->stop_reason ? a->stop_reason : "stopped";
	} else if (strcmp(outcome, "completed") != 0)
		outcome = "failed";
	if (a->stop_reason != NULL && strcmp(outcome, "failed") == 0 && a->row != 0) {
		outcome = "interrupted";
		reason = a->stop_reason;
	}
	d->device_ok = !device;
	if (a->row != 0) {
		if (sched_log_finish(d->st, a->row, now, played, outcome, reason,
		    &cause) != 0)
			daemon_log_failed(d, cause);
	} else if (device && programme_owns(d, a) && !d->stopping) {
		/* The device would not open: try again shortly, log at the slot's end. */
		daemon_error(d, "%s", ev->reason);
		d->prog.device_retry_at = now + DEVICE_RETRY_MS;
		programme_give_back(d, a);
	} else if (a->stop_reason != NULL && strcmp(outcome, "interrupted") == 0) {
		/*
		 * Stopped before its first sample (in the pre-roll). Cut by an
		 * emergency, it airs after it if its slot still has time; skipped,
		 * it is logged skipped; a stop or a shutdown is the slot's matter.
		 */
		if (strcmp(a->stop_reason, "emergency") == 0 && programme_owns(d, a))
			programme_give_back(d, a);
		else if (strcmp(a->stop_reason, "skipped by operator") == 0 &&
		    sched_log_not_aired(d->st, &it, "skipped", a->stop_reason, &cause) < 0)
			daemon_log_failed(d, cause);
	} else if (a->stop_reason == NULL || strcmp(outcome, "failed") == 0) {
		if (strcmp(outcome, "failed") == 0)
			daemon_error(d, "'%s' failed: %s", a->item.title ? a->item.title :
			    a->item.path, reason ? reason : "unknown");
		if (sched_log_not_aired(d->st, &it, a->stop_reason ? "skipped" : outcome,
		    a->stop_reason ? a->stop_reason : reason, &cause) < 0)
			daemon_log_failed(d, cause);
	}
	if (a->row != 0)
		log_info("'%s' %s after %lld ms%s%s", a->item.title ? a->item.title : "?",
		    outcome, (long long)played, reason ? ": " : "",
		    reason ? reason : "");
	if (a->row != 0 && programme_owns(d, a))
		d->prog.aired = 1;
	if (a->occ.slot == NULL) { /* an operator's play: a slot it kept off air says why */
		d->play_reason = a->emergency ? "emergency" : "operator play";
		d->play_ended = now;
	}
	onair_clear(d);
}

/* Reads what the child reports. */
static void
onair_events(struct daemon *d)
{
	struct onair *a = &d->air;
	struct sched_airing_event ev;
	struct sched_log_item it;
	char *cause = NULL;
	int r;

	while (d->air_active && (r = sched_airing_read(a->child, &ev)) != 0) {
		switch (ev.kind) {
		case SCHED_AIRING_STARTED:
			a->started_at = ev.at;
			a->last_progress = mono_ms();
			d->device_ok = 1;
			it = log_item(a);
			a->row = sched_log_start(d->st, &it, ev.at, &cause);
			if (a->row < 0) {
				a->row = 0;
				daemon_log_failed(d, cause);
				cause = NULL;
			}
			log_info("on air: '%s' (%s), %lld ms late",
			    a->item.title ? a->item.title : "?",
			    a->occ.slot ? a->occ.slot : "operator",
			    (long long)(ev.at - a->scheduled_at));
			break;
		case SCHED_AIRING_PROGRESS:
			a->played_ms = ev.played_ms;
			a->last_progress = mono_ms();
			break;
		case SCHED_AIRING_DONE:
			onair_done(d, &ev);
			return;
		}
	}
}

/* Every second while an item airs: the heartbeat, and the hang check. */
static void
onair_tick(struct daemon *d)
{
	struct onair *a = &d->air;
	struct sched_airing_event ev;
	char *cause = NULL;

	if (!d->air_active)
		return;
	if (a->row != 0 && sched_log_heartbeat(d->st, a->row, sched_log_now_ms(),
	    a->played_ms, &cause) != 0)
		daemon_log_failed(d, cause);
	if (mono_ms() - a->last_progress > HANG_MS) {
		sched_airing_kill(a->child);
		memset(&ev, 0, sizeof ev);
		ev.kind = SCHED_AIRING_DONE;
		snprintf(ev.outcome, sizeof ev.outcome, "failed");
		snprintf(ev.reason, sizeof ev.reason, "player hung: no progress for %d s",
		    HANG_MS / 1000);
		ev.played_ms = a->played_ms;
		a->stop_reason = NULL;
		onair_done(d, &ev);
	}
}

/*
 * Logs as missed every occurrence that started in [from, to) and ended by
 * to without a row (the controller was off, or the clock jumped).
 */
static void
catch_up(struct daemon *d, int64_t from, int64_t to, const char *reason)
{
	struct sched_occ *occ = NULL;
	char *cause = NULL;
	size_t n = 0, i;

	if (from <= 0 || from >= to)
		return;
	if (sched_bridge_occurrences(d->cfg, from, to, &occ, &n, &cause) != 0) {
		daemon_error(d, "timetable: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++)
		if (occ[i].end <= to && !sched_log_has_occurrence(d->st, occ[i].slot,
		    occ[i].start))
			log_occ_missed(d, &occ[i], reason);
	sched_occ_free_all(&occ, n);
}

/*
 * Finds the occurrence that is in progress or next. Returns 1 with *out
 * filled (the caller clears it), 0 when none lies ahead.
 */
static int
next_occurrence(struct daemon *d, int64_t now, struct sched_occ *out, int record)
{
	struct sched_occ *occ = NULL;
	char *cause = NULL;
	size_t n = 0, i;
	int found = 0;

	if (sched_bridge_occurrences(d->cfg, now - LOOKAHEAD_MS / 12,
	    now + LOOKAHEAD_MS, &occ, &n, &cause) != 0) {
		daemon_error(d, "timetable: %s", cause);
		free(cause);
		return 0;
	}
	for (i = 0; i < n && !found; i++) {
		if (occ[i].end <= now || occ[i].skipped) {
			/*
			 * Over, or left no air time by a higher priority: log it
			 * once when nothing of it aired since the daemon started.
			 */
			if (record && occ[i].start >= d->since && occ[i].start <= now &&
			    !sched_log_has_occurrence(d->st, occ[i].slot, occ[i].start))
				log_occ_missed(d, &occ[i], d->play_ended > occ[i].start ?
				    d->play_reason : "controller busy");
			continue;
		}
		if (occ[i].start < d->horizon)
			continue;
		/*
		 * Logged already (after a restart or a clock jump): over, unless
		 * it is in progress and the operator did not stop it, when what
		 * is left of it airs (programme_begin leaves out what is logged).
		 */
		if (sched_log_has_occurrence(d->st, occ[i].slot, occ[i].start) &&
		    (occ[i].start > now ||
		    sched_log_in_occurrence(d->st, occ[i].slot, occ[i].start, 0)))
			continue;
		*out = occ[i];
		memset(&occ[i], 0, sizeof occ[i]);
		found = 1;
	}
	sched_occ_free_all(&occ, n);
	return found;
}

/* Starts a programme for occ: selects its items now. */
static void
programme_begin(struct daemon *d, struct sched_occ *occ, int64_t now)
{
	struct programme *p = &d->prog;
	char *cause = NULL;
	size_t i, kept;

	memset(p, 0, sizeof *p);
	p->occ = *occ;
	memset(occ, 0, sizeof *occ);
	p->active = 1;
	d->horizon = p->occ.start + 1;
	if (sched_bridge_select(d->st, d->cfg, &p->occ, now, &p->items, &p->n,
	    &cause) != 0) {
		daemon_error(d, "slot %s: %s", p->occ.slot, cause);
		free(cause);
		programme_end(d, "no content");
		return;
	}
	/* Taking up a slot in progress after a restart: what is logged does not air again. */
	for (i = kept = 0; i < p->n; i++)
		if (sched_log_in_occurrence(d->st, p->occ.slot, p->occ.start,
		    p->items[i].bulletin_id)) {
			log_info("slot %s: '%s' is logged already; not aired again",
			    p->occ.slot, p->items[i].title ? p->items[i].title : "?");
			sched_item_clear(&p->items[i]);
		} else
			p->items[kept++] = p->items[i];
	p->n = kept;
	log_info("slot %s: %zu item%s", p->occ.slot, p->n, p->n == 1 ? "" : "s");
	if (p->n == 0)
		programme_end(d, "no content");
}

/* Takes the next item of the programme that may start at now, or NULL. */
static struct sched_item *
programme_next(struct daemon *d, int64_t now)
{
	struct programme *p = &d->prog;
	struct sched_item *it;
	char at[32];

	while (p->next < p->n) {
		it = &p->items[p->next];
		if (!p->occ.overrun && now + it->duration_ms > p->occ.end + 500) {
			log_info("slot %s: '%s' would not finish before %s; not started",
			    p->occ.slot, it->title ? it->title : "?",
			    local_time(p->occ.end, at));
			p->next++;
			continue;
		}
		p->next++;
		return it;
	}
	return NULL;
}

/*
 * Decides what happens now when nothing is on air, and returns when the
 * wall-clock timer must next wake the loop (0: no wall-clock wake needed).
 */
static int64_t
plan(struct daemon *d)
{
	int64_t now = sched_log_now_ms(), start;
	struct sched_occ occ;
	struct sched_item *it, item;
	size_t i;

	if (d->stopping)
		return 0;
	if (d->air_active)
		return d->prog.active ? d->prog.occ.end : 0;
	/* Operator plays and emergencies go first. */
	if (d->nqueue > 0) {
		item = d->queue[0];
		for (i = 1; i < d->nqueue; i++)
			d->queue[i - 1] = d->queue[i];
		d->nqueue--;
		onair_spawn(d, &item, NULL, now,
		    item.priority && strcmp(item.priority, "emergency") == 0);
		sched_item_clear(&item);
		return 0;
	}
	if (d->prog.active) {
		if (now >= d->prog.occ.end) {
			programme_end(d, d->device_ok ? "no content" : "device");
			return plan(d);
		}
		if (d->prog.device_retry_at > now)
			return d->prog.device_retry_at;
		d->prog.device_retry_at = 0;
		if ((it = programme_next(d, now)) == NULL) {
			programme_end(d, d->device_ok ? "no content" : "device");
			return plan(d);
		}
		/* Never before the slot's start (the first item, or one after a skip). */
		start = now;
		if (d->prog.occ.air_start > now)
			start = d->prog.occ.air_start;
		if (onair_spawn(d, it, &d->prog.occ, start, 0) != 0)
			return now + DEVICE_RETRY_MS;
		return d->prog.occ.end;
	}
	if (!next_occurrence(d, now, &occ, 1))
		return now + LOOKAHEAD_MS / 2;
	if (occ.air_start - PREROLL_MS > now) {
		start = occ.air_start - PREROLL_MS;
		sched_occ_clear(&occ);
		return start;
	}
	programme_begin(d, &occ, now);
	return plan(d);
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

/* Arms the monotonic timer: every second while on air or stopping, else the watchdog. */
static void
arm_monotonic(struct daemon *d)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int64_t every = 0;

	if (d->air_active || d->stopping)
		every = d->stopping ? 100 : HEARTBEAT_MS;
	if (d->watchdog_ms > 0 && (every == 0 || every > d->watchdog_ms / 2))
		every = d->watchdog_ms / 2;
	/* Re-arming pushes the next tick back: only on a change of pace. */
	if (every == d->mono_every)
		return;
	d->mono_every = every;
	if (every > 0) {
		its.it_value.tv_sec = every / 1000;
		its.it_value.tv_nsec = (every % 1000) * 1000000;
		its.it_interval = its.it_value;
	}
	timerfd_settime(d->monofd, 0, &its, NULL);
}

/* Re-reads the configuration; keeps the old one when the new one is bad. */
static int
daemon_reload(struct daemon *d, char **problems)
{
	struct config_problems p = { 0 };
	struct config *cfg = NULL;
	size_t i, len = 0;
	char *text = NULL;
	int64_t start;

	if (conf_read(conf_find(d->opts->config_path), &cfg, &p) != 0) {
		for (i = 0; i < p.n; i++) {
			text = xrealloc(text, len + strlen(p.lines[i]) + 2);
			memcpy(text + len, p.lines[i], strlen(p.lines[i]));
			len += strlen(p.lines[i]);
			text[len++] = '\n';
			text[len] = '\0';
			log_error("reload refused: %s", p.lines[i]);
		}
		/* For `loaxa status`: a SIGHUP (systemctl reload) has no one to answer. */
		if (p.n > 0)
			daemon_error(d, "reload refused, the old configuration stays: %s%s",
			    p.lines[0], p.n > 1 ? " (and more; see loaxa check)" : "");
		conf_problems_clear(&p);
		*problems = text;
		return -1;
	}
	if (strcmp(cfg->paths.data, d->cfg->paths.data) != 0)
		log_warn("reload: paths.data changed; it takes effect at the next start");
	/*
	 * The item on air keeps playing; what comes next follows the new
	 * timetable. A programme waiting (for the device, say) is taken up again
	 * from the new one: the loop finds its occurrence anew if it still has
	 * one and nothing of it is logged.
	 */
	if (d->prog.active && !d->air_active) {
		start = d->prog.occ.start;
		programme_end(d, NULL);
		if (d->horizon > start)
			d->horizon = start;
	}
	conf_free(&d->cfg);
	d->cfg = cfg;
	log_info("configuration reloaded from %s", cfg->file);
	*problems = NULL;
	return 0;
}

/* Formats ms since the epoch as local ISO 8601 in the station's zone. */
static void
fmt_time(const struct daemon *d, int64_t ms, char *buf, size_t len)
{
	char t[DATE_ISO8601_LEN];

	(void)d;
	snprintf(buf, len, "%s", date_iso8601(ms, t));
}

/* Appends a JSON string literal of s to *buf. */
static void
json_str(char **buf, const char *s)
{
	char *out, *o = json_quote(s);

	out = *buf;
	xasprintf(buf, "%s%s", out ? out : "", o);
	free(out);
	free(o);
}

/* Appends printf output to *buf. */
static void
cat(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cat(char **buf, const char *fmt, ...)
{
	char *add, *old = *buf;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&add, fmt, ap);
	va_end(ap);
	xasprintf(buf, "%s%s", old ? old : "", add);
	free(old);
	free(add);
}

/* The status document, as JSON or as text for a person. */
static char *
daemon_status(struct daemon *d, int json)
{
	int64_t now = sched_log_now_ms(), elapsed = 0, remaining = 0;
	struct sched_occ occ = { 0 };
	char *b = NULL, t[64];
	int have_next, have_air = d->air_active && d->air.row != 0;
	size_t i;

	if (have_air) {
		elapsed = now - d->air.started_at;
		remaining = d->air.item.duration_ms - d->air.played_ms;
		if (remaining < 0)
			remaining = 0;
	}
	have_next = next_occurrence(d, d->prog.active ? d->prog.occ.end : now, &occ, 0);
	if (json) {
		cat(&b, "{\"station\":");
		json_str(&b, d->cfg->station.code);
		cat(&b, ",\"now\":");
		fmt_time(d, now, t, sizeof t);
		json_str(&b, t);
		cat(&b, ",\"on_air\":");
		if (have_air) {
			cat(&b, "{\"bulletin\":%lld,\"title\":", (long long)d->air.item.bulletin_id);
			json_str(&b, d->air.item.title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->air.occ.slot);
			cat(&b, ",\"priority\":");
			json_str(&b, log_item(&d->air).priority);
			cat(&b, ",\"elapsed_ms\":%lld,\"remaining_ms\":%lld}",
			    (long long)elapsed, (long long)remaining);
		} else
			cat(&b, "null");
		cat(&b, ",\"starting\":");
		if (d->air_active && !have_air) {
			/* Prepared in the pre-roll: its first sample is due at "at". */
			cat(&b, "{\"bulletin\":%lld,\"title\":", (long long)d->air.item.bulletin_id);
			json_str(&b, d->air.item.title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->air.occ.slot);
			fmt_time(d, d->air.scheduled_at, t, sizeof t);
			cat(&b, ",\"at\":");
			json_str(&b, t);
			cat(&b, "}");
		} else
			cat(&b, "null");
		cat(&b, ",\"next\":[");
		for (i = d->prog.next; d->prog.active && i < d->prog.n; i++) {
			cat(&b, "%s{\"bulletin\":%lld,\"title\":", i > d->prog.next ? "," : "",
			    (long long)d->prog.items[i].bulletin_id);
			json_str(&b, d->prog.items[i].title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->prog.occ.slot);
			cat(&b, "}");
		}
		cat(&b, "],\"next_slot\":");
		if (have_next) {
			cat(&b, "{\"slot\":");
			json_str(&b, occ.slot);
			fmt_time(d, occ.start, t, sizeof t);
			cat(&b, ",\"start\":");
			json_str(&b, t);
			cat(&b, "}");
		} else
			cat(&b, "null");
		cat(&b, ",\"device\":\"%s\",\"last_error\":", d->device_ok ? "ok" : "failing");
		json_str(&b, d->last_error);
		cat(&b, "}\n");
	} else {
		cat(&b, "Đài / station: %s (%s)\n", d->cfg->station.name, d->cfg->station.code);
		if (have_air)
			cat(&b, "Đang phát / on air: '%s' (%s), %lld s played, %lld s left\n",
			    d->air.item.title ? d->air.item.title : "?",
			    d->air.occ.slot ? d->air.occ.slot : "operator",
			    (long long)(elapsed / 1000), (long long)(remaining / 1000));
		else if (d->air_active) {
			fmt_time(d, d->air.scheduled_at, t, sizeof t);
			cat(&b, "Đang phát / on air: nothing yet; '%s' (%s) starts at %s\n",
			    d->air.item.title ? d->air.item.title : "?",
			    d->air.occ.slot ? d->air.occ.slot : "operator", t);
		} else
			cat(&b, "Đang phát / on air: nothing\n");
		for (i = d->prog.next; d->prog.active && i < d->prog.n; i++)
			cat(&b, "  then: '%s'\n", d->prog.items[i].title ?
			    d->prog.items[i].title : "?");
		if (have_next) {
			fmt_time(d, occ.start, t, sizeof t);
			cat(&b, "Khung giờ tới / next slot: %s at %s\n", occ.slot, t);
		} else
			cat(&b, "Khung giờ tới / next slot: none in the timetable\n");
		cat(&b, "Thiết bị / device: %s (%s)\n", d->device_ok ? "ok" : "failing",
		    d->cfg->audio.driver);
		cat(&b, "Lỗi gần nhất / last error: %s\n", d->last_error ? d->last_error : "none");
	}
	sched_occ_clear(&occ);
	return b;
}

/* A play's place in the queue: 0 emergency, 1 priority, 2 normal. */
static int
play_rank(const char *priority)
{
	if (priority != NULL && strcmp(priority, "emergency") == 0)
		return 0;
	return priority != NULL && strcmp(priority, "priority") == 0 ? 1 : 2;
}

/* Queues an operator's play; an emergency goes first and cuts what is on air. */
static int
daemon_play(struct daemon *d, int64_t id, const char *priority, char **why)
{
	struct sched_item item;
	int tampered = 0, rank;
	size_t i, at;

	if (sched_bridge_bulletin(d->st, d->cfg, id, sched_log_now_ms(), &item,
	    &tampered, why) != 0)
		return -1;
	if (d->nqueue == NQUEUE) {
		sched_item_clear(&item);
		xasprintf(why, "too many plays are waiting (%d)", NQUEUE);
		return -1;
	}
	free(item.priority);
	item.priority = xstrdup(priority);
	/* Emergencies first, then priority plays, then normal ones; in order within each. */
	rank = play_rank(priority);
	for (at = 0; at < d->nqueue && play_rank(d->queue[at].priority) <= rank; at++)
		;
	for (i = d->nqueue; i > at; i--)
		d->queue[i] = d->queue[i - 1];
	d->queue[at] = item;
	d->nqueue++;
	if (rank == 0)
		onair_stop(d, "emergency");
	return 0;
}

/* Answers one control request, line, on fd and closes fd. */
static void
daemon_request(struct daemon *d, int fd, char *line)
{
	char *body, *arg, *why = NULL, *end;
	long long id;
	const char *prio;
	int prog;

	log_debug("control: %s", line);
	if (strcmp(line, "status") == 0 || strcmp(line, "status json") == 0) {
		body = daemon_status(d, strcmp(line, "status json") == 0);
		sched_ctl_reply(fd, 0, "ok", body);
		free(body);
	} else if (strncmp(line, "play ", 5) == 0) {
		arg = line + 5;
		id = strtoll(arg, &end, 10);
		prio = *end == ' ' ? end + 1 : "normal";
		if (end == arg || id <= 0 || (*end != '\0' && *end != ' '))
			sched_ctl_reply(fd, 2, "play: the bulletin id must be a number", NULL);
		else if (strcmp(prio, "normal") != 0 && strcmp(prio, "priority") != 0 &&
		    strcmp(prio, "emergency") != 0)
			sched_ctl_reply(fd, 2, "play: priority must be normal, priority or "
			    "emergency", NULL);
		else if (d->stopping)
			sched_ctl_reply(fd, 1, "refused: the daemon is stopping", NULL);
		else if (daemon_play(d, id, prio, &why) != 0) {
			xasprintf(&body, "refused: bulletin %lld: %s", id, why);
			sched_ctl_reply(fd, 3, body, NULL);
			free(body);
			free(why);
		} else {
			xasprintf(&body, "queued bulletin %lld (%s)", id, prio);
			sched_ctl_reply(fd, 0, body, NULL);
			free(body);
		}
	} else if (strcmp(line, "stop") == 0) {
		/* A slot stopped before anything of it aired is logged missed. */
		prog = d->prog.active;
		if (d->air_active)
			onair_stop(d, "operator stop");
		programme_end(d, "operator stop");
		sched_ctl_reply(fd, 0, d->air_active ? "stopping what is on air; the "
		    "rest of this slot will not air" : prog ? "this slot will not air "
		    "(logged missed: operator stop)" : "nothing was on air", NULL);
	} else if (strcmp(line, "skip") == 0) {
		if (d->air_active) {
			onair_stop(d, "skipped by operator");
			sched_ctl_reply(fd, 0, "skipping to the next item", NULL);
		} else
			sched_ctl_reply(fd, 1, "nothing is on air", NULL);
	} else if (strcmp(line, "reload") == 0) {
		if (daemon_reload(d, &why) != 0) {
			sched_ctl_reply(fd, 2, "refused: the new configuration has problems; "
			    "the old one stays", why);
			free(why);
		} else
			sched_ctl_reply(fd, 0, "configuration reloaded", NULL);
	} else
		sched_ctl_reply(fd, 2, "unknown request (status, play ID [PRIORITY], "
		    "stop, skip, reload)", NULL);
}

/*
 * A client that passed the credential check: heard by the loop from now on,
 * or refused at once when CTL_PENDING others are still to be heard.
 */
static void
ctl_add(struct daemon *d, int fd)
{
	struct ctl_client *c;

	if (d->nctl == CTL_PENDING) {
		log_warn("control socket: %d clients are still to send their request; "
		    "refused another", CTL_PENDING);
		sched_ctl_reply(fd, 1, "refused: too many control clients at once; "
		    "try again", NULL);
		return;
	}
	c = &d->ctl[d->nctl++];
	c->req.fd = fd;
	c->req.n = 0;
	c->deadline = mono_ms() + CTL_REQUEST_MS;
}

/*
 * Reads from the pending clients that poll() found ready (ready[k] for
 * d->ctl[k], k < n), answers those whose request is whole, then drops those
 * past their deadline. Every client answered or dropped is closed.
 */
static void
ctl_serve(struct daemon *d, const struct pollfd *ready, size_t n)
{
	struct ctl_client *c;
	char *cause = NULL;
	int64_t now;
	size_t k, kept;
	int rc;

	for (k = 0; k < n; k++) {
		c = &d->ctl[k];
		if (ready[k].revents == 0 || (rc = sched_ctl_read_some(&c->req, &cause)) == 0)
			continue;
		if (rc < 0) {
			log_warn("control socket: %s", cause);
			free(cause);
			cause = NULL;
			sched_ctl_reply(c->req.fd, 2, "no request", NULL);
		} else
			daemon_request(d, c->req.fd, c->req.buf);
		c->req.fd = -1;
	}
	now = mono_ms();
	for (k = 0; k < d->nctl; k++) {
		c = &d->ctl[k];
		if (c->req.fd >= 0 && c->deadline <= now) {
			log_warn("control socket: a client sent no request within %d ms; "
			    "dropped it", CTL_REQUEST_MS);
			sched_ctl_reply(c->req.fd, 2, "no request", NULL);
			c->req.fd = -1;
		}
	}
	for (k = kept = 0; k < d->nctl; k++)
		if (d->ctl[k].req.fd >= 0) {
			if (kept != k)
				d->ctl[kept] = d->ctl[k];
			kept++;
		}
	d->nctl = kept;
}

/*
 * How long poll() may sleep, in ms: until the end of --for or the oldest
 * pending client's deadline. -1 (no limit) when neither: an idle daemon
 * wakes only for its timers, signals and clients.
 */
static int
loop_timeout(const struct daemon *d, int64_t now)
{
	int64_t until = d->deadline;

	if (d->nctl > 0 && (until == 0 || d->ctl[0].deadline < until))
		until = d->ctl[0].deadline;
	if (until == 0)
		return -1;
	if (until <= now)
		return 0;
	return until - now > INT_MAX ? INT_MAX : (int)(until - now);
}

/* Handles the signals signalfd delivers. */
/*
 * The package inbox: watched with inotify (no polling), imported by a child
 * `loaxa inbox` so that decoding a large package never holds up the loop.
 * It starts only when nothing is on air, so the import's disk and CPU load
 * never share the air with a bulletin.
 */
/* Whether a package (a file whose name does not start with '.') waits in dir. */
static int
inbox_waiting(const char *dir)
{
	struct dirent *e;
	DIR *dp;
	int found = 0;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(dp)) != NULL)
		found = e->d_name[0] != '.' && e->d_type != DT_DIR;
	closedir(dp);
	return found;
}

static void
inbox_open(struct daemon *d)
{
	const char *dir = d->cfg->paths.inbox;

	d->inofd = -1;
	if (dir == NULL)
		return;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_warn("inbox %s: %s; packages must be imported by hand", dir,
		    strerror(errno));
		return;
	}
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inofd < 0 || inotify_add_watch(d->inofd, dir,
	    IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		log_warn("inbox %s: cannot watch it (%s); packages must be imported "
		    "by hand", dir, strerror(errno));
		if (d->inofd >= 0)
			close(d->inofd);
		d->inofd = -1;
		return;
	}
	d->inbox_due = inbox_waiting(dir); /* what arrived while the daemon was off */
}

/* Drains the inotify events: a file was written or moved into the inbox. */
static void
inbox_events(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t r;
	char *p;

	while ((r = read(d->inofd, buf, sizeof buf)) > 0)
		for (p = buf; p < buf + r; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->len > 0 && ev->name[0] != '.' && !(ev->mask & IN_ISDIR))
				d->inbox_due = 1;
		}
}

/* Reaps the inbox child when it has finished. */
static void
inbox_reap(struct daemon *d)
{
	int status;

	if (d->inbox_pid <= 0 || waitpid(d->inbox_pid, &status, WNOHANG) != d->inbox_pid)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		log_warn("inbox: a package was refused (see inbox/rejected/)");
	else if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0))
		daemon_error(d, "inbox: the import failed (status %d)", status);
	d->inbox_pid = 0;
}

/* Starts `loaxa [-c FILE] inbox` when packages wait and nothing airs. */
static void
inbox_run(struct daemon *d)
{
	const char *argv[5];
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int i = 0, e;

	if (!d->inbox_due || d->inbox_pid > 0 || d->air_active || d->stopping)
		return;
	d->inbox_due = 0;
	argv[i++] = "loaxa";
	if (d->opts->config_path != NULL) {
		argv[i++] = "-c";
		argv[i++] = d->opts->config_path;
	}
	argv[i++] = "inbox";
	argv[i] = NULL;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&d->inbox_pid, "/proc/self/exe", NULL, &attr,
	    (char *const *)(void *)argv, environ);
	posix_spawnattr_destroy(&attr);
	if (e != 0) {
		d->inbox_pid = 0;
		daemon_error(d, "inbox: cannot start the import: %s", strerror(e));
	}
}

static void
daemon_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	char *why = NULL;

	while (read(d->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!d->stopping) {
				log_info("stopping (signal %u)", si.ssi_signo);
				d->stopping = 1;
				d->stop_deadline = mono_ms() + d->cfg->audio.fade_ms + 1500;
				onair_stop(d, "shutdown");
			}
			break;
		case SIGHUP:
			if (daemon_reload(d, &why) != 0)
				free(why);
			break;
		case SIGCHLD:
			inbox_reap(d);
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

	if (store_open_dir(d->cfg->paths.data, &d->st, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	xasprintf(&d->sock_path, "%s/%s", d->cfg->paths.data, SCHED_CTL_NAME);
	if (sched_ctl_listen(d->sock_path, &d->lfd, &cause) != 0) {
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
	d->monofd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->sigfd < 0 || d->rtfd < 0 || d->monofd < 0) {
		fprintf(stderr, "loaxa run: %s\n", strerror(errno));
		return -1;
	}
	/* After a crash or a power cut: close the airing that was cut. */
	if ((n = sched_log_recover(d->st, &cause)) < 0)
		daemon_log_failed(d, cause);
	else if (n > 0)
		log_warn("recovered %d airing%s cut by a power loss or crash", n,
		    n == 1 ? "" : "s");
	d->horizon = sched_log_last_alive(d->st);
	catch_up(d, d->horizon, sched_log_now_ms(), "controller off");
	d->horizon = 0;
	d->since = sched_log_now_ms();
	if (sched_log_mark_alive(d->st, sched_log_now_ms(), &cause) != 0)
		daemon_log_failed(d, cause);
	d->device_ok = 1;
	d->watchdog_ms = sched_watchdog_ms();
	inbox_open(d);
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

	for (i = 0; i < d->nctl; i++)
		sched_ctl_reply(d->ctl[i].req.fd, 1, "refused: the daemon is stopping", NULL);
	d->nctl = 0;
	if (d->air_active)
		onair_clear(d);
	/*
	 * A slot that began but has nothing logged yet: the daemon counts as
	 * off from just before it, so that the next start airs what is left of
	 * it, or logs it missed (controller off) when it is over.
	 */
	alive = sched_log_now_ms();
	if (d->prog.active && d->st != NULL && !d->prog.aired &&
	    !sched_log_has_occurrence(d->st, d->prog.occ.slot, d->prog.occ.start) &&
	    d->prog.occ.start - 1 < alive)
		alive = d->prog.occ.start - 1;
	programme_end(d, NULL);
	for (i = 0; i < d->nqueue; i++)
		sched_item_clear(&d->queue[i]);
	if (d->st != NULL && sched_log_mark_alive(d->st, alive, &cause) != 0)
		free(cause);
	if (d->sock_path != NULL && d->lfd > 0)
		unlink(d->sock_path);
	free(d->sock_path);
	if (d->lfd > 0)
		close(d->lfd);
	if (d->sigfd > 0)
		close(d->sigfd);
	if (d->rtfd > 0)
		close(d->rtfd);
	if (d->monofd > 0)
		close(d->monofd);
	if (d->inofd >= 0)
		close(d->inofd);
	if (d->inbox_pid > 0)
		while (waitpid(d->inbox_pid, NULL, 0) < 0 && errno == EINTR)
			;
	store_close(&d->st);
	free(d->last_error);
	conf_free(&d->cfg);
}

int
sched_run(struct config *cfg, const struct sched_run_opts *opts)
{
	struct daemon d = { 0 };
	struct pollfd all[6 + CTL_PENDING];
	int64_t wake, now;
	uint64_t ticks;
	char *cause = NULL, status[256];
	size_t i, nctl;
	int c, n, rc = 0;

	d.cfg = cfg;
	d.opts = opts;
	/* Times in the log and in status are the station's local time. */
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	d.lfd = d.sigfd = d.rtfd = d.monofd = d.inofd = -1;
	if (daemon_open(&d) != 0) {
		daemon_close(&d);
		return 1;
	}
	if (opts->run_for_ms > 0)
		d.deadline = mono_ms() + opts->run_for_ms;
	log_info("running: station %s, data in %s, audio %s", d.cfg->station.code,
	    d.cfg->paths.data, d.cfg->audio.driver);
	sched_notify("READY=1\nSTATUS=running");
	for (;;) {
		wake = plan(&d);
		if (d.stopping && !d.air_active)
			break;
		arm_realtime(&d, wake);
		arm_monotonic(&d);
		all[0] = (struct pollfd){ d.rtfd, POLLIN, 0 };
		all[1] = (struct pollfd){ d.monofd, POLLIN, 0 };
		all[2] = (struct pollfd){ d.sigfd, POLLIN, 0 };
		all[3] = (struct pollfd){ d.lfd, POLLIN, 0 };
		all[4] = (struct pollfd){ d.inofd, POLLIN, 0 };
		n = 5;
		if (d.air_active)
			all[n++] = (struct pollfd){ sched_airing_fd(d.air.child), POLLIN, 0 };
		/* The pending clients last: all[6 + k] is d.ctl[k]. */
		if (n == 5)
			all[n++] = (struct pollfd){ -1, 0, 0 };
		nctl = d.nctl;
		for (i = 0; i < nctl; i++)
			all[n++] = (struct pollfd){ d.ctl[i].req.fd, POLLIN, 0 };
		now = mono_ms();
		d.last_wall = sched_log_now_ms();
		if (poll(all, (nfds_t)n, loop_timeout(&d, now)) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (all[0].revents) {
			/* ECANCELED: the clock was set; the next pass re-plans from it. */
			if (read(d.rtfd, &ticks, sizeof ticks) < 0 && errno == ECANCELED) {
				/* Forward: the slots jumped over are logged missed. */
				log_info("the system clock changed; re-planning");
				catch_up(&d, d.last_wall, sched_log_now_ms(), "clock change");
			}
		}
		if (all[1].revents) {
			if (read(d.monofd, &ticks, sizeof ticks) < 0)
				ticks = 0;
			onair_tick(&d);
			if (d.watchdog_ms > 0 && mono_ms() - d.last_watchdog >= d.watchdog_ms / 2) {
				sched_notify("WATCHDOG=1");
				d.last_watchdog = mono_ms();
			}
		}
		if (all[2].revents)
			daemon_signals(&d);
		/* Before the accept, so that ctl[k] still matches all[6 + k]. */
		ctl_serve(&d, all + 6, nctl);
		if (all[3].revents && (c = sched_ctl_accept(d.lfd, &cause)) >= 0)
			ctl_add(&d, c);
		else if (cause != NULL) {
			log_warn("%s", cause);
			free(cause);
			cause = NULL;
		}
		if (d.inofd >= 0 && all[4].revents)
			inbox_events(&d);
		if (d.air_active && all[5].revents)
			onair_events(&d);
		inbox_run(&d);
		if (d.stopping && d.air_active && mono_ms() > d.stop_deadline) {
			log_warn("the player did not stop in time; killing it");
			sched_airing_kill(d.air.child);
		}
		if (d.deadline > 0 && mono_ms() >= d.deadline && !d.stopping) {
			log_info("the requested run time is over; stopping");
			d.stopping = 1;
			d.stop_deadline = mono_ms() + d.cfg->audio.fade_ms + 1500;
			onair_stop(&d, "shutdown");
		}
		if (d.air_active) {
			snprintf(status, sizeof status, "STATUS=on air: %s",
			    d.air.item.title ? d.air.item.title : "?");
			sched_notify(status);
		}
	}
	sched_notify("STOPPING=1");
	daemon_close(&d);
	return rc;
}
