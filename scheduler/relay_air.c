/*
 * The daemon's side of a relay slot's child (scheduler/relay_child.c): its
 * spec (the source by name, the relay service's socket, the fallback
 * bulletins), and the log of what it reports: a row per fallback bulletin
 * aired, a log line per interruption (when, how long, why, what the
 * fallback aired), and the relay's row with its source, its interruptions
 * (table relay_interruptions: each written as it begins, kept current as
 * the fallback airs, closed as it ends, so that a crash loses none) and a
 * detail that sums them up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "relay/relay.h"
#include "scheduler/airing.h"
#include "scheduler/internal.h"

struct sched_relay_air {
	char *source;
	char *sock;
	struct sched_fallback *fb;
	struct sched_item *items;    /* the programme's, which outlive the child */
	unsigned char *refused;      /* the programme's: fallback items logged tampered */
	size_t nfb;
	int64_t fb_row;              /* the fallback bulletin on air, or 0 */
	size_t fb_index;
	int64_t fault_at;            /* ms; the interruption under way, or 0 */
	int64_t fault_id;            /* its row in relay_interruptions, or 0 */
	enum sched_reason fault;
	char fault_detail[128];
	char aired[160];             /* what the fallback aired in it */
	size_t nints;                /* those ended */
	int64_t interrupted_ms;
};

struct sched_relay_air *
sched_relay_prepare(struct daemon *d, int64_t start_at, struct sched_airing_spec *spec)
{
	struct sched_relay_air *ra = xcalloc(1, sizeof *ra);
	struct sched_programme *p = &d->prog;
	size_t i;

	ra->source = xstrdup(p->relay);
	ra->sock = relay_socket_path(d->cfg->paths.data);
	ra->items = p->items + p->next;
	ra->refused = p->refused + p->next;
	ra->nfb = p->n - p->next;
	ra->fb = xcalloc(ra->nfb + 1, sizeof *ra->fb);
	for (i = 0; i < ra->nfb; i++) {
		ra->fb[i].path = ra->items[i].path;
		ra->fb[i].sha256 = ra->items[i].sha256;
		ra->fb[i].loudness_lufs = ra->items[i].loudness_lufs;
		ra->fb[i].duration_ms = ra->items[i].duration_ms;
		ra->fb[i].refused = ra->refused[i];
	}
	memset(spec, 0, sizeof *spec);
	spec->start_at = start_at;
	spec->audio = &d->cfg->audio;
	spec->normalize = 1;
	spec->relay_source = ra->source;
	spec->relay_sock = ra->sock;
	spec->end_at = p->occ.air_end;
	spec->silence_s = d->cfg->relay.silence_s;
	spec->fallback = ra->fb;
	spec->nfallback = ra->nfb;
	return ra;
}

/*
 * Writes the interruption under way as it is by until: begun when the
 * relay's row is there (a fault before the first sample waits for it),
 * with what the fallback has aired; closed when closed.
 */
static void
relay_interruption_write(struct daemon *d, struct sched_relay_air *ra, int64_t until,
    int closed)
{
	char *cause = NULL;
	int64_t id;

	if (ra->fault_at == 0 || d->air.row <= 0)
		return;
	if (ra->fault_id == 0) {
		if ((id = sched_log_interruption_begin(d->st, d->air.row, ra->fault_at,
		    ra->fault, ra->fault_detail[0] ? ra->fault_detail : NULL,
		    &cause)) < 0) {
			sched_daemon_log_failed(d, cause);
			return;
		}
		ra->fault_id = id;
	}
	if ((ra->aired[0] != '\0' || closed) && sched_log_interruption_update(d->st,
	    ra->fault_id, until, ra->aired[0] ? ra->aired : NULL, closed, &cause) != 0)
		sched_daemon_log_failed(d, cause);
}

/* Ends the interruption under way at until: its row, its log line, its sums. */
static void
relay_interruption_end(struct daemon *d, struct sched_relay_air *ra, int64_t until)
{
	char at[32];

	if (ra->fault_at == 0)
		return;
	if (until < ra->fault_at)
		until = ra->fault_at;
	relay_interruption_write(d, ra, until, 1);
	ra->nints++;
	ra->interrupted_ms += until - ra->fault_at;
	log_warn(_("relay %s interrupted at %s for %lld s (%s%s%s); the fallback aired: %s"),
	    ra->source, sched_local_time(ra->fault_at, at),
	    (long long)((until - ra->fault_at + 500) / 1000),
	    sched_reason_name(ra->fault), ra->fault_detail[0] ? ": " : "",
	    ra->fault_detail, ra->aired[0] ? ra->aired : _("nothing"));
	ra->fault_at = 0;
	ra->fault_id = 0;
}

/*
 * Closes the row of the fallback bulletin on air. Stopped, it says why: cut
 * with the relay when the daemon stopped it (an emergency, an operator's
 * stop, the daemon's end), else what the child says (the source came back,
 * the slot ended).
 */
static void
relay_fb_end(struct daemon *d, struct sched_relay_air *ra, int64_t played,
    enum sched_airing_end end, const char *why)
{
	enum sched_reason stop = d->air.stop_reason;
	char *cause = NULL, detail[160];

	if (ra->fb_row <= 0)
		return;
	if (stop != SCHED_R_NONE)
		snprintf(detail, sizeof detail, "the relay was cut: %s",
		    sched_reason_name(stop));
	else
		snprintf(detail, sizeof detail, "the fallback ended: %s",
		    why != NULL && why[0] != '\0' ? why : "the relay ended");
	if (sched_log_finish(d->st, ra->fb_row, sched_log_now_ms(), played,
	    end == SCHED_AIRING_COMPLETED ? SCHED_COMPLETED : SCHED_INTERRUPTED,
	    end == SCHED_AIRING_COMPLETED ? SCHED_R_NONE : stop != SCHED_R_NONE ? stop :
	    SCHED_R_STOPPED, end == SCHED_AIRING_COMPLETED ? NULL : detail, &cause) != 0)
		sched_daemon_log_failed(d, cause);
	ra->fb_row = 0;
}

/* The log item of fallback item i, scheduled at at; NULL when there is none. */
static const struct sched_item *
relay_fb_item(const struct sched_onair *a, size_t i, int64_t at, struct sched_log_item *li)
{
	const struct sched_item *it;

	if (i >= a->relay->nfb)
		return NULL;
	it = &a->relay->items[i];
	*li = (struct sched_log_item){ it->bulletin_id, it->sha256, a->slot,
		a->occ.start, sched_onair_priority(a), at, NULL };
	return it;
}

void
sched_relay_event(struct daemon *d, const struct sched_airing_event *ev)
{
	struct sched_onair *a = &d->air;
	struct sched_relay_air *ra = a->relay;
	const struct sched_item *it;
	struct sched_log_item li;
	char *cause = NULL;
	size_t len;

	if (ra == NULL)
		return;
	switch (ev->kind) {
	case SCHED_AIRING_FAULT:
		relay_interruption_end(d, ra, ev->at);
		ra->fault_at = ev->at;
		ra->fault = ev->reason;
		snprintf(ra->fault_detail, sizeof ra->fault_detail, "%s", ev->detail);
		ra->aired[0] = '\0';
		relay_interruption_write(d, ra, ev->at, 0);
		sched_daemon_error(d, "relay %s: %s: %s", ra->source,
		    sched_reason_name(ev->reason) ? sched_reason_name(ev->reason) : "fault",
		    ev->detail);
		break;
	case SCHED_AIRING_BACK:
		relay_interruption_end(d, ra, ev->at);
		log_info(_("relay %s: back on air"), ra->source);
		break;
	case SCHED_AIRING_FB_START:
		if ((it = relay_fb_item(a, ev->index, ev->at, &li)) == NULL)
			break;
		if ((ra->fb_row = sched_log_start(d->st, &li, ev->at, &cause)) < 0) {
			ra->fb_row = 0;
			sched_daemon_log_failed(d, cause);
		}
		len = strlen(ra->aired);
		snprintf(ra->aired + len, sizeof ra->aired - len, "%s'%s'",
		    len > 0 ? ", " : "", it->title ? it->title : "?");
		log_info(_("relay %s: fallback on air: '%s'"), ra->source,
		    it->title ? it->title : "?");
		relay_interruption_write(d, ra, ev->at, 0);
		break;
	case SCHED_AIRING_FB_END:
		relay_fb_end(d, ra, ev->played_ms, ev->end, ev->detail);
		break;
	case SCHED_AIRING_FB_REFUSED:
		/*
		 * Not aired, as a file item refused: a row says why. Tampered, it
		 * is said once in the slot: a new child (after an emergency, a
		 * device retry) is handed it refused, and a late word is dropped.
		 */
		if ((it = relay_fb_item(a, ev->index, sched_log_now_ms(), &li)) == NULL)
			break;
		if (ev->reason == SCHED_R_TAMPERED) {
			if (ra->refused[ev->index])
				break;
			ra->refused[ev->index] = 1;
		}
		sched_daemon_error(d, _("relay %s: the fallback '%s' did not air: %s%s%s"),
		    ra->source, it->title ? it->title : "?", sched_reason_name(ev->reason) ?
		    sched_reason_name(ev->reason) : "", ev->detail[0] ? ": " : "", ev->detail);
		if (sched_log_not_aired(d->st, &li, SCHED_FAILED, ev->reason, ev->detail,
		    &cause) < 0)
			sched_daemon_log_failed(d, cause);
		break;
	default:
		break;
	}
}

void
sched_relay_started(struct daemon *d)
{
	struct sched_relay_air *ra = d->air.relay;

	if (ra != NULL)
		relay_interruption_write(d, ra, sched_log_now_ms(), 0);
}

const char *
sched_relay_source(const struct sched_relay_air *ra)
{
	return ra->source;
}

int
sched_relay_finish(struct daemon *d, int64_t row, int64_t ended_at, int64_t played_ms,
    enum sched_outcome outcome, enum sched_reason reason, const char *detail,
    char **cause)
{
	struct sched_relay_air *ra = d->air.relay;
	char sum[96];

	relay_fb_end(d, ra, 0, SCHED_AIRING_STOPPED, NULL);
	relay_interruption_end(d, ra, ended_at);
	snprintf(sum, sizeof sum, "relay %s; %zu interruption%s, %lld s", ra->source,
	    ra->nints, ra->nints == 1 ? "" : "s", (long long)(ra->interrupted_ms / 1000));
	if (row <= 0)
		return 0;
	return sched_log_finish_relay(d->st, row, ended_at, played_ms, outcome, reason,
	    detail != NULL ? detail : sum, NULL, 0, cause);
}

void
sched_relay_free(struct sched_relay_air **rap)
{
	struct sched_relay_air *ra = *rap;

	if (ra == NULL)
		return;
	free(ra->source);
	free(ra->sock);
	free(ra->fb);
	free(ra);
	*rap = NULL;
}
