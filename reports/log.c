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
    " a.detail"
    " FROM airings a LEFT JOIN bulletins b ON b.id = a.bulletin_id"
    " WHERE a.scheduled_at >= ?1 AND a.scheduled_at < ?2"
    " ORDER BY a.scheduled_at, a.id";

int
rep_log_each(sqlite3 *db, const struct config *cfg, int64_t from_ms, int64_t to_ms,
    int (*fn)(const struct rep_airing *, void *), void *arg, char **cause)
{
	const struct config_topic *t;
	struct rep_airing r;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql_log, -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, _("airing log: %s"), sqlite3_errmsg(db));
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
		t = r.topic != NULL && cfg != NULL ? conf_topic(cfg, r.topic) : NULL;
		r.topic_name = t != NULL ? t->name : r.topic;
		if (fn(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, _("airing log: %s"), sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
