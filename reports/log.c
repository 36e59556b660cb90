/* Walking the airing log with each row's bulletin metadata. */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "reports/reports.h"

static const char sql_log[] =
    "SELECT a.id, a.bulletin_id, coalesce(a.sha256, b.sha256), b.title, b.topic,"
    " b.agency, coalesce(b.min_airings, 0), a.slot, a.slot_start, a.priority,"
    " a.scheduled_at, a.started_at, a.ended_at, a.played_ms, a.outcome, a.reason,"
    " a.detail, a.source"
    " FROM airings a LEFT JOIN bulletins b ON b.id = a.bulletin_id"
    " WHERE a.scheduled_at >= ?1 AND a.scheduled_at < ?2"
    " ORDER BY a.scheduled_at, a.id";

static const char sql_interruptions[] =
    "SELECT at, duration_ms, reason, detail, fallback FROM relay_interruptions"
    " WHERE airing_id = ?1 ORDER BY at, id";

/*
 * Reads the interruptions of row id into *v (grown as needed, its strings
 * owned and freed on the next call), or -1.
 */
static int
log_interruptions(sqlite3_stmt *q, int64_t id, struct rep_interruption **v, size_t *n,
    size_t *cap)
{
	struct rep_interruption *in;
	int rc;

	while (*n > 0) {
		(*n)--;
		free((char *)(*v)[*n].reason);
		free((char *)(*v)[*n].detail);
		free((char *)(*v)[*n].fallback);
	}
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4;
			*v = xreallocarray(*v, *cap, sizeof **v);
		}
		in = &(*v)[(*n)++];
		in->at = sqlite3_column_int64(q, 0);
		in->duration_ms = sqlite3_column_int64(q, 1);
		in->reason = xstrdup((const char *)sqlite3_column_text(q, 2));
		in->detail = sqlite3_column_type(q, 3) == SQLITE_NULL ? NULL :
		    xstrdup((const char *)sqlite3_column_text(q, 3));
		in->fallback = sqlite3_column_type(q, 4) == SQLITE_NULL ? NULL :
		    xstrdup((const char *)sqlite3_column_text(q, 4));
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int
rep_log_each(sqlite3 *db, const struct config *cfg, int64_t from_ms, int64_t to_ms,
    int (*fn)(const struct rep_airing *, void *), void *arg, char **cause)
{
	const struct config_topic *t;
	struct rep_interruption *ints = NULL;
	size_t nints = 0, cap = 0;
	struct rep_airing r;
	sqlite3_stmt *q, *qi = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql_log, -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql_interruptions, -1, &qi, NULL) != SQLITE_OK) {
		xasprintf(cause, _("airing log: %s"), sqlite3_errmsg(db));
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.id = sqlite3_column_int64(q, 0);
		r.bulletin_id = sqlite3_column_int64(q, 1);
		r.sha256 = (const char *)sqlite3_column_text(q, 2);
		r.title = (const char *)sqlite3_column_text(q, 3);
		r.topic = (const char *)sqlite3_column_text(q, 4);
		r.agency = (const char *)sqlite3_column_text(q, 5);
		r.min_airings = sqlite3_column_int(q, 6);
		r.slot = (const char *)sqlite3_column_text(q, 7);
		r.slot_start = sqlite3_column_int64(q, 8);
		r.priority = (const char *)sqlite3_column_text(q, 9);
		r.scheduled_at = sqlite3_column_int64(q, 10);
		r.started_at = sqlite3_column_int64(q, 11);
		r.ended_at = sqlite3_column_int64(q, 12);
		r.played_ms = sqlite3_column_int64(q, 13);
		r.outcome = (const char *)sqlite3_column_text(q, 14);
		r.reason = (const char *)sqlite3_column_text(q, 15);
		r.detail = (const char *)sqlite3_column_text(q, 16);
		r.source = (const char *)sqlite3_column_text(q, 17);
		if (r.source != NULL && r.started_at != 0) {
			if (log_interruptions(qi, r.id, &ints, &nints, &cap) != 0) {
				rc = SQLITE_ERROR;
				break;
			}
			r.interruptions = ints;
			r.ninterruptions = nints;
		}
		t = r.topic != NULL && cfg != NULL ? conf_topic(cfg, r.topic) : NULL;
		r.topic_name = t != NULL ? t->name : r.topic;
		if (fn(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	log_interruptions(qi, 0, &ints, &nints, &cap);
	sqlite3_finalize(qi);
	free(ints);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, _("airing log: %s"), sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
