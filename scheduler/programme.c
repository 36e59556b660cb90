/*
 * What airs, as a state machine: nothing, a programme (a slot occurrence
 * with its items) waiting for its start or its device, an item in its
 * pre-roll, an item on air, and the operator's plays that go before them.
 * Each change that the log must know is written here, and only here: the
 * start of an item, its heartbeat, its outcome, and a row for every slot
 * and item that did not air.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/airing.h"
#include "scheduler/internal.h"
#include "scheduler/loop.h"

/* The level the on-air item airs at, as the log writes it. */
const char *
sched_onair_priority(const struct sched_onair *a)
{
	return conf_priority_name(a->emergency ? CONF_PRIO_EMERGENCY : a->item.priority);
}

/* The log's view of the on-air item. */
static struct sched_log_item
log_item(const struct sched_onair *a)
{
	struct sched_log_item it = {
		.bulletin_id = a->item.bulletin_id,
		.sha256 = a->item.sha256,
		.slot = a->slot,
		.slot_start = a->occ.start,
		.priority = sched_onair_priority(a),
		.scheduled_at = a->scheduled_at,
		.source = a->relay != NULL ? sched_relay_source(a->relay) : NULL,
	};

	return it;
}

/* The name of slot index i of the configuration now. */
static const char *
slot_name(const struct daemon *d, size_t i)
{
	return d->cfg->slots[i].name;
}

/* Records a slot occurrence (of slot) that did not air at all; a relay's names its source. */
static void
log_occ_missed(struct daemon *d, const char *slot, const struct sched_occurrence *o,
    enum sched_reason reason)
{
	/* Planned at its air start; one skipped for overlap has none: its start. */
	struct sched_log_item it = { 0, NULL, slot, o->start,
		conf_priority_name(o->priority), o->air_start ? o->air_start : o->start,
		o->slot < d->cfg->nslots && strcmp(slot_name(d, o->slot), slot) == 0 ?
		d->cfg->slots[o->slot].relay : NULL };
	enum sched_outcome outcome = o->skipped ? SCHED_SKIPPED : SCHED_MISSED;
	char *cause = NULL, at[32];

	if (o->skipped)
		reason = SCHED_R_OVERLAP;
	if (sched_log_not_aired(d->st, &it, outcome, reason, NULL, &cause) < 0)
		sched_daemon_log_failed(d, cause);
	log_info(_("slot %s at %s: %s (%s)"), slot, sched_local_time(o->start, at),
	    sched_outcome_name(outcome), sched_reason_name(reason));
}

void
sched_prog_end(struct daemon *d, enum sched_reason missed)
{
	struct sched_programme *p = &d->prog;

	if (!p->active)
		return;
	/* A refused item has already logged the occurrence as failed. */
	if (!p->aired && missed != SCHED_R_NONE &&
	    !sched_log_has_occurrence(d->st, p->slot, p->occ.start))
		log_occ_missed(d, p->slot, &p->occ, missed);
	sched_item_free_all(&p->items, p->n);
	free(p->refused);
	free(p->slot);
	free(p->relay);
	memset(p, 0, sizeof *p);
}

/* A reason and its detail as a log line says them: "tampered: FILE: ...". */
static const char *
reason_text(enum sched_reason reason, const char *detail, char *buf, size_t size)
{
	const char *name = sched_reason_name(reason);

	snprintf(buf, size, "%s%s%s", name ? name : "unknown",
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	return buf;
}

/*
 * Whether item may still start now, at start_at: approval is checked as an
 * item starts, not when it was queued or selected, so that a bulletin
 * retired, rejected, expired or changed since then never airs. A refusal is
 * logged failed (the airing log, the daemon's log and status's last error)
 * and returns -1.
 */
static int
onair_approved(struct daemon *d, const struct sched_item *item, const char *slot,
    const struct sched_occurrence *occ, int64_t start_at)
{
	struct sched_log_item it = { item->bulletin_id, item->sha256, slot,
		slot != NULL ? occ->start : 0, conf_priority_name(item->priority), start_at, NULL };
	struct sched_item now;
	char *why = NULL, *cause = NULL;
	int tampered = 0, same;

	if (sched_bridge_bulletin(d->st, d->cfg, item->bulletin_id, sched_log_now_ms(),
	    &now, &tampered, &why) == 0) {
		same = strcmp(now.sha256, item->sha256) == 0;
		sched_item_clear(&now);
		if (same)
			return 0;
		xasprintf(&why, "bulletin %lld: its approved content changed since it "
		    "was queued", (long long)item->bulletin_id);
	}
	if (slot != NULL)
		sched_daemon_error(d, _("slot %s: %s"), slot, why);
	else
		sched_daemon_error(d, _("play of bulletin %lld refused: %s"),
		    (long long)item->bulletin_id, why);
	if (sched_log_not_aired(d->st, &it, SCHED_FAILED,
	    tampered ? SCHED_R_TAMPERED : SCHED_R_REFUSED, why, &cause) < 0)
		sched_daemon_log_failed(d, cause);
	free(why);
	return -1;
}

/* Reads what the child reports; the loop calls it when its pipe is ready. */
static void onair_ready(struct sched_loop *, int, short, void *);

/* Starts the child for item at start_at (slot NULL: an operator's play). */
static int
onair_spawn(struct daemon *d, struct sched_item *item, const char *slot,
    const struct sched_occurrence *occ, int64_t start_at, int emergency,
    struct sched_relay_air *relay, const struct sched_airing_spec *relay_spec)
{
	struct sched_airing_spec spec = {
		.path = item->path,
		.expect_sha256 = item->sha256,
		.start_at = start_at,
		.audio = &d->cfg->audio,
		.normalize = 1,
		.loudness_lufs = item->loudness_lufs,
		.duration_ms = item->duration_ms,
	};
	struct sched_onair *a = &d->air;
	char *cause = NULL, at[32];

	memset(a, 0, sizeof *a);
	if (sched_airing_spawn(relay_spec != NULL ? relay_spec : &spec, &a->child,
	    &cause) != 0) {
		sched_daemon_error(d, _("cannot start the player: %s"), cause);
		free(cause);
		sched_relay_free(&relay);
		return -1;
	}
	a->relay = relay;
	a->item = *item;
	memset(item, 0, sizeof *item);
	if (slot != NULL) {
		a->slot = xstrdup(slot);
		a->occ = *occ;
	}
	a->scheduled_at = start_at;
	a->last_progress = sched_loop_now() + (start_at - sched_log_now_ms());
	a->emergency = emergency;
	d->air_active = 1;
	sched_loop_add_fd(d->loop, sched_airing_fd(a->child), POLLIN, onair_ready, d);
	log_debug("player %d prepares '%s' for %s", (int)sched_airing_pid(a->child),
	    a->item.title ? a->item.title : a->item.path, sched_local_time(start_at, at));
	return 0;
}

void
sched_onair_clear(struct daemon *d)
{
	struct sched_onair *a = &d->air;

	if (a->child != NULL)
		sched_loop_del_fd(d->loop, sched_airing_fd(a->child));
	sched_airing_free(&a->child);
	sched_item_clear(&a->item);
	sched_relay_free(&a->relay);
	free(a->slot);
	memset(a, 0, sizeof *a);
	d->air_active = 0;
}

void
sched_onair_stop(struct daemon *d, enum sched_reason reason)
{
	if (!d->air_active || d->air.stop_reason != SCHED_R_NONE)
		return;
	d->air.stop_reason = reason;
	sched_airing_stop(d->air.child);
}

/* Whether the item on air (or being prepared) is the current programme's. */
static int
programme_owns(const struct daemon *d, const struct sched_onair *a)
{
	return d->prog.active && a->slot != NULL && d->prog.slot != NULL &&
	    strcmp(a->slot, d->prog.slot) == 0 && a->occ.start == d->prog.occ.start;
}

/* Puts the item that did not air back at the head of its programme. */
static void
programme_give_back(struct daemon *d, struct sched_onair *a)
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
	struct sched_onair *a = &d->air;
	struct sched_log_item it = log_item(a);
	enum sched_reason stop = a->stop_reason, reason = ev->reason;
	enum sched_outcome outcome = SCHED_COMPLETED;
	const char *detail = ev->detail[0] ? ev->detail : NULL;
	int64_t now = sched_log_now_ms();
	char *cause = NULL, why[192];
	int64_t played = ev->played_ms > a->played_ms ? ev->played_ms : a->played_ms;

	/*
	 * Cut by an emergency, a relay resumes after it if time is left; one
	 * whose device would not open is tried again, as a file item is.
	 */
	if (a->relay != NULL && programme_owns(d, a) && stop != SCHED_R_EMERGENCY &&
	    !(ev->device && a->row == 0))
		d->prog.relay_done = 1;

	if (ev->end == SCHED_AIRING_STOPPED) {
		outcome = SCHED_INTERRUPTED;
		reason = stop != SCHED_R_NONE ? stop : SCHED_R_STOPPED;
		if (stop != SCHED_R_NONE)
			detail = NULL;
	} else if (ev->end == SCHED_AIRING_FAILED)
		outcome = SCHED_FAILED;
	if (stop != SCHED_R_NONE && outcome == SCHED_FAILED && a->row != 0) {
		outcome = SCHED_INTERRUPTED;
		reason = stop;
		detail = NULL;
	}
	d->device_ok = !ev->device;
	/* A relay closes its fallback's row, then its own with its interruptions. */
	if (a->relay != NULL && sched_relay_finish(d, a->row, now, played, outcome, reason,
	    detail, &cause) != 0) {
		sched_daemon_log_failed(d, cause);
		cause = NULL;
	}
	if (a->row != 0) {
		if (a->relay == NULL && sched_log_finish(d->st, a->row, now, played,
		    outcome, reason, detail, &cause) != 0)
			sched_daemon_log_failed(d, cause);
	} else if (ev->device && programme_owns(d, a) && !d->stopping) {
		/* The device would not open: try again shortly, log at the slot's end. */
		sched_daemon_error(d, "%s", reason_text(reason, detail, why, sizeof why));
		d->prog.device_retry_at = now + SCHED_DEVICE_RETRY_MS;
		if (a->relay == NULL) /* a relay's item is not the programme's */
			programme_give_back(d, a);
	} else if (stop != SCHED_R_NONE && outcome == SCHED_INTERRUPTED) {
		/*
		 * Stopped before its first sample (in the pre-roll). Cut by an
		 * emergency, it airs after it if its slot still has time; skipped,
		 * it is logged skipped; a stop or a shutdown is the slot's matter.
		 */
		if (stop == SCHED_R_EMERGENCY && programme_owns(d, a) && a->relay == NULL)
			programme_give_back(d, a);
		else if (stop == SCHED_R_SKIPPED && sched_log_not_aired(d->st, &it,
		    SCHED_SKIPPED, stop, NULL, &cause) < 0)
			sched_daemon_log_failed(d, cause);
	} else if (stop == SCHED_R_NONE || outcome == SCHED_FAILED) {
		if (outcome == SCHED_FAILED)
			sched_daemon_error(d, _("'%s' failed: %s"), a->item.title ?
			    a->item.title : a->item.path,
			    reason_text(reason, detail, why, sizeof why));
		if (sched_log_not_aired(d->st, &it, stop != SCHED_R_NONE ? SCHED_SKIPPED :
		    outcome, stop != SCHED_R_NONE ? stop : reason,
		    stop != SCHED_R_NONE ? NULL : detail, &cause) < 0)
			sched_daemon_log_failed(d, cause);
	}
	if (a->row != 0)
		log_info(_("'%s' %s after %lld ms%s%s"), a->item.title ? a->item.title : "?",
		    sched_outcome_name(outcome), (long long)played,
		    reason != SCHED_R_NONE ? ": " : "", reason != SCHED_R_NONE ?
		    reason_text(reason, detail, why, sizeof why) : "");
	if (a->row != 0 && programme_owns(d, a))
		d->prog.aired = 1;
	if (a->slot == NULL) { /* an operator's play: a slot it kept off air says why */
		d->play_reason = a->emergency ? SCHED_R_EMERGENCY : SCHED_R_OPERATOR_PLAY;
		d->play_ended = now;
	}
	sched_onair_clear(d);
}

static void
onair_ready(struct sched_loop *loop, int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct sched_onair *a = &d->air;
	struct sched_airing_event ev;
	struct sched_log_item it;
	char *cause = NULL;
	int r;

	(void)loop;
	(void)fd;
	(void)revents;
	while (d->air_active && (r = sched_airing_read(a->child, &ev)) != 0) {
		switch (ev.kind) {
		case SCHED_AIRING_STARTED:
			a->started_at = ev.at;
			a->last_progress = sched_loop_now();
			d->device_ok = 1;
			it = log_item(a);
			a->row = sched_log_start(d->st, &it, ev.at, &cause);
			if (a->row > 0 && sched_log_paced(d->st, a->row,
			    d->cfg->audio.realtime, &cause) != 0)
				a->row = -1;
			if (a->row < 0) {
				a->row = 0;
				sched_daemon_log_failed(d, cause);
				cause = NULL;
			}
			sched_relay_started(d);
			log_info(_("on air: '%s' (%s), %lld ms late"),
			    a->item.title ? a->item.title : "?",
			    a->slot ? a->slot : _("operator"),
			    (long long)(ev.at - a->scheduled_at));
			break;
		case SCHED_AIRING_PROGRESS:
			a->played_ms = ev.played_ms;
			a->last_progress = sched_loop_now();
			break;
		case SCHED_AIRING_DONE:
			onair_done(d, &ev);
			return;
		default:
			sched_relay_event(d, &ev);
			break;
		}
	}
}

void
sched_onair_tick(struct daemon *d)
{
	struct sched_onair *a = &d->air;
	struct sched_airing_event ev;
	char *cause = NULL;

	if (!d->air_active)
		return;
	if (a->row != 0 && sched_log_heartbeat(d->st, a->row, sched_log_now_ms(),
	    a->played_ms, &cause) != 0)
		sched_daemon_log_failed(d, cause);
	if (sched_loop_now() - a->last_progress > SCHED_HANG_MS) {
		sched_airing_kill(a->child);
		memset(&ev, 0, sizeof ev);
		ev.kind = SCHED_AIRING_DONE;
		ev.end = SCHED_AIRING_FAILED;
		ev.reason = SCHED_R_PLAYER;
		snprintf(ev.detail, sizeof ev.detail, "hung: no progress for %d s",
		    SCHED_HANG_MS / 1000);
		ev.played_ms = a->played_ms;
		a->stop_reason = SCHED_R_NONE;
		onair_done(d, &ev);
	}
}

/*
 * The occurrences of the timetable now that start in [from, to); 0 with
 * *out allocated (the caller frees it), -1 when the timetable fails.
 */
static int
occurrences(struct daemon *d, int64_t from, int64_t to, struct sched_occurrence **out,
    size_t *n)
{
	char *cause = NULL;

	*out = NULL;
	*n = 0;
	if (d->cfg->nslots == 0)
		return 0;
	if (sched_occurrences(d->cfg->slots, d->cfg->nslots, d->cfg->station.timezone,
	    from, to, out, n, &cause) != 0) {
		sched_daemon_error(d, _("timetable: %s"), cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Logs as missed every occurrence that was due in [from, to) and over by to
 * without a row (the controller was off, or the clock jumped): those that
 * started in it, and those that started before it but were waiting behind
 * an overlapping slot to go on air in it.
 */
void
sched_prog_catch_up(struct daemon *d, int64_t from, int64_t to, enum sched_reason reason)
{
	struct sched_occurrence *occ;
	size_t n, i;

	if (from <= 0 || from >= to ||
	    occurrences(d, from - SCHED_LOOKAHEAD_MS / 12, to, &occ, &n) != 0)
		return;
	for (i = 0; i < n; i++)
		if ((occ[i].start >= from || (!occ[i].skipped && occ[i].air_start >= from)) &&
		    occ[i].air_end <= to && !sched_log_has_occurrence(d->st,
		    slot_name(d, occ[i].slot), occ[i].start))
			log_occ_missed(d, slot_name(d, occ[i].slot), &occ[i], reason);
	free(occ);
}

/*
 * Finds the occurrence that is in progress or next. Returns 1 with *out
 * filled, 0 when none lies ahead.
 */
int
sched_prog_next_occurrence(struct daemon *d, int64_t now, struct sched_occurrence *out,
    int record)
{
	struct sched_occurrence *occ;
	const char *slot;
	size_t n, i;
	int found = 0;

	if (occurrences(d, now - SCHED_LOOKAHEAD_MS / 12, now + SCHED_LOOKAHEAD_MS,
	    &occ, &n) != 0)
		return 0;
	for (i = 0; i < n && !found; i++) {
		slot = slot_name(d, occ[i].slot);
		if (occ[i].air_end <= now || occ[i].skipped) {
			/*
			 * Over, or left no air time by a higher priority: log it
			 * once when nothing of it aired since the daemon started.
			 */
			if (record && occ[i].start >= d->since && occ[i].start <= now &&
			    !sched_log_has_occurrence(d->st, slot, occ[i].start))
				log_occ_missed(d, slot, &occ[i], d->play_ended > occ[i].start ?
				    d->play_reason : SCHED_R_CONTROLLER_BUSY);
			continue;
		}
		if (occ[i].start < d->horizon)
			continue;
		/*
		 * Logged already (after a restart or a clock jump): over, unless
		 * it is in progress and the operator did not stop it, when what
		 * is left of it airs (programme_begin leaves out what is logged).
		 */
		if (sched_log_has_occurrence(d->st, slot, occ[i].start) &&
		    (occ[i].start > now ||
		    sched_log_in_occurrence(d->st, slot, occ[i].start, 0)))
			continue;
		*out = occ[i];
		found = 1;
	}
	free(occ);
	return found;
}

/* Starts a programme for occ (of the timetable now): selects its items now. */
static void
programme_begin(struct daemon *d, const struct sched_occurrence *occ, int64_t now)
{
	struct sched_programme *p = &d->prog;
	char *cause = NULL;
	size_t i, kept;

	memset(p, 0, sizeof *p);
	p->occ = *occ;
	p->slot = xstrdup(slot_name(d, occ->slot));
	p->active = 1;
	if (d->cfg->slots[occ->slot].relay != NULL)
		p->relay = xstrdup(d->cfg->slots[occ->slot].relay);
	d->horizon = p->occ.start + 1;
	if (sched_bridge_select(d->st, d->cfg, &p->occ, now, &p->items, &p->n,
	    &cause) != 0) {
		sched_daemon_error(d, _("slot %s: %s"), p->slot, cause);
		free(cause);
		if (p->relay == NULL) {
			sched_prog_end(d, SCHED_R_NO_CONTENT);
			return;
		}
	}
	/* Taking up a slot in progress after a restart: what is logged does not air again. */
	for (i = kept = 0; i < p->n; i++)
		if (sched_log_in_occurrence(d->st, p->slot, p->occ.start,
		    p->items[i].bulletin_id)) {
			log_info(_("slot %s: '%s' is logged already; not aired again"),
			    p->slot, p->items[i].title ? p->items[i].title : "?");
			sched_item_clear(&p->items[i]);
		} else
			p->items[kept++] = p->items[i];
	p->n = kept;
	p->refused = xcalloc(p->n + 1, 1);
	if (p->relay != NULL)
		log_info(ngettext("slot %s: a relay, fallback %zu item",
		    "slot %s: a relay, fallback %zu items", p->n), p->slot, p->n);
	else
		log_info(ngettext("slot %s: %zu item", "slot %s: %zu items", p->n), p->slot,
		    p->n);
	if (p->n == 0 && p->relay == NULL)
		sched_prog_end(d, SCHED_R_NO_CONTENT);
}

/* Takes the next item of the programme that may start at now, or NULL. */
static struct sched_item *
programme_next(struct daemon *d, int64_t now)
{
	struct sched_programme *p = &d->prog;
	struct sched_item *it;
	char at[32];

	while (p->next < p->n) {
		it = &p->items[p->next];
		if (!p->occ.overrun && now + it->duration_ms > p->occ.air_end + 500) {
			log_info(_("slot %s: '%s' would not finish before %s; not started"),
			    p->slot, it->title ? it->title : "?",
			    sched_local_time(p->occ.air_end, at));
			p->next++;
			continue;
		}
		p->next++;
		return it;
	}
	return NULL;
}

/* Starts (or resumes) the programme's relay; returns when to wake. */
static int64_t
relay_begin(struct daemon *d, int64_t now)
{
	struct sched_airing_spec spec;
	struct sched_relay_air *ra;
	struct sched_item item;
	int64_t start = now > d->prog.occ.air_start ? now : d->prog.occ.air_start;

	memset(&item, 0, sizeof item);
	item.priority = d->prog.occ.priority;
	item.title = xstrdup(d->prog.relay);
	ra = sched_relay_prepare(d, start, &spec);
	if (onair_spawn(d, &item, d->prog.slot, &d->prog.occ, start, 0, ra, &spec) != 0) {
		sched_item_clear(&item);
		return now + SCHED_DEVICE_RETRY_MS;
	}
	return d->prog.occ.air_end;
}

/*
 * Decides what happens now when nothing is on air, and returns when the
 * wall-clock timer must next wake the loop (0: no wall-clock wake needed).
 */
int64_t
sched_prog_plan(struct daemon *d)
{
	int64_t now = sched_log_now_ms(), start, preroll;
	struct sched_occurrence occ;
	struct sched_item *it, item;
	size_t i;

	if (d->stopping)
		return 0;
	if (d->air_active)
		return d->prog.active ? d->prog.occ.air_end : 0;
	/* Operator plays and emergencies go first. */
	if (d->nqueue > 0) {
		item = d->queue[0];
		for (i = 1; i < d->nqueue; i++)
			d->queue[i - 1] = d->queue[i];
		d->nqueue--;
		if (onair_approved(d, &item, NULL, NULL, now) != 0) {
			sched_item_clear(&item);
			return sched_prog_plan(d);
		}
		onair_spawn(d, &item, NULL, NULL, now, item.priority == CONF_PRIO_EMERGENCY,
		    NULL, NULL);
		sched_item_clear(&item);
		return 0;
	}
	if (d->prog.active) {
		if (now >= d->prog.occ.air_end) {
			sched_prog_end(d, d->device_ok ? SCHED_R_NO_CONTENT : SCHED_R_DEVICE);
			return sched_prog_plan(d);
		}
		if (d->prog.device_retry_at > now)
			return d->prog.device_retry_at;
		d->prog.device_retry_at = 0;
		if (d->prog.relay != NULL) {
			if (d->prog.relay_done) {
				sched_prog_end(d, SCHED_R_NONE);
				return sched_prog_plan(d);
			}
			return relay_begin(d, now);
		}
		if ((it = programme_next(d, now)) == NULL) {
			sched_prog_end(d, d->device_ok ? SCHED_R_NO_CONTENT : SCHED_R_DEVICE);
			return sched_prog_plan(d);
		}
		/* Never before the slot's start (the first item, or one after a skip). */
		start = now;
		if (d->prog.occ.air_start > now)
			start = d->prog.occ.air_start;
		if (onair_approved(d, it, d->prog.slot, &d->prog.occ, start) != 0)
			return sched_prog_plan(d);
		if (onair_spawn(d, it, d->prog.slot, &d->prog.occ, start, 0, NULL, NULL) != 0)
			return now + SCHED_DEVICE_RETRY_MS;
		return d->prog.occ.air_end;
	}
	if (!sched_prog_next_occurrence(d, now, &occ, 1))
		return now + SCHED_LOOKAHEAD_MS / 2;
	preroll = d->cfg->slots[occ.slot].relay != NULL ? SCHED_RELAY_PREROLL_MS :
	    SCHED_PREROLL_MS;
	if (occ.air_start - preroll > now)
		return occ.air_start - preroll;
	programme_begin(d, &occ, now);
	return sched_prog_plan(d);
}

/* A play's place in the queue: 0 emergency, 1 priority, 2 normal. */
static int
play_rank(int priority)
{
	return CONF_PRIO_EMERGENCY - priority;
}

/* Queues an operator's play; an emergency goes first and cuts what is on air. */
int
sched_prog_play(struct daemon *d, int64_t id, int priority, char **why)
{
	struct sched_item item;
	int tampered = 0, rank;
	size_t i, at;

	if (sched_bridge_bulletin(d->st, d->cfg, id, sched_log_now_ms(), &item,
	    &tampered, why) != 0)
		return -1;
	if (d->nqueue == SCHED_NQUEUE) {
		sched_item_clear(&item);
		xasprintf(why, _("too many plays are waiting (%d)"), SCHED_NQUEUE);
		return -1;
	}
	item.priority = priority;
	/* Emergencies first, then priority plays, then normal ones; in order within each. */
	rank = play_rank(priority);
	for (at = 0; at < d->nqueue && play_rank(d->queue[at].priority) <= rank; at++)
		;
	for (i = d->nqueue; i > at; i--)
		d->queue[i] = d->queue[i - 1];
	d->queue[at] = item;
	d->nqueue++;
	if (rank == 0)
		sched_onair_stop(d, SCHED_R_EMERGENCY);
	return 0;
}

size_t
sched_prog_drop_queue(struct daemon *d)
{
	size_t i, n = d->nqueue;

	for (i = 0; i < n; i++)
		sched_item_clear(&d->queue[i]);
	d->nqueue = 0;
	if (n > 0)
		log_info(ngettext("stop: %zu waiting play dropped",
		    "stop: %zu waiting plays dropped", n), n);
	return n;
}
