/*
 * What goes up, version 1 (loaxa(1), LINK): the airing message of one
 * outbox row, the station's state and its last will. JSON, one object,
 * times in milliseconds since the epoch (UTC), every message with "v" (the
 * protocol version) and "msg_id" (STATION:KIND:ID, station-unique).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "link/internal.h"
#include "store/store.h"

/* Writes ,"key":value for a column that may be NULL (an integer or text). */
static void
up_column(FILE *f, const char *key, sqlite3_stmt *q, int i)
{
	fprintf(f, ",\"%s\":", key);
	switch (sqlite3_column_type(q, i)) {
	case SQLITE_NULL:
		fputs("null", f);
		break;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(q, i));
		break;
	default:
		json_write(f, (const char *)sqlite3_column_text(q, i));
	}
}

char *
link_up_airing(struct store *st, const char *station, int64_t outbox_id,
    int64_t airing_id, char **cause)
{
	static const char *const keys[] = { "id", "bulletin", "title", "topic",
		"agency", "sha256", "slot", "slot_start_ms", "priority",
		"scheduled_at_ms", "started_at_ms", "ended_at_ms", "played_ms",
		"outcome", "reason", "paced", "chain_seq", "chain" };
	sqlite3_stmt *q;
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT a.id, a.bulletin_id, b.title, b.topic, b.agency, a.sha256, a.slot,"
	    " a.slot_start, a.priority, a.scheduled_at, a.started_at, a.ended_at,"
	    " a.played_ms, a.outcome, a.reason, a.paced, c.seq, c.link"
	    " FROM airings a LEFT JOIN bulletins b ON b.id = a.bulletin_id"
	    " LEFT JOIN airing_chain c ON c.airing_id = a.id WHERE a.id = ?1", -1, &q,
	    NULL) != SQLITE_OK) {
		*cause = store_error(st, "airing log");
		return NULL;
	}
	sqlite3_bind_int64(q, 1, airing_id);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = store_error(st, "airing log");
		sqlite3_finalize(q);
		return NULL;
	}
	f = open_memstream(&out, &len);
	fprintf(f, "{\"v\":%d,\"msg_id\":", LINK_PROTOCOL);
	link_msg_id(f, station, "airing", outbox_id);
	fputs(",\"station\":", f);
	json_write(f, station);
	if (rc == SQLITE_ROW)
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			up_column(f, keys[i], q, (int)i);
	else
		/* Not in the log (it cannot be: the row came with it): say so. */
		fprintf(f, ",\"id\":%lld,\"outcome\":null", (long long)airing_id);
	fputs("}", f);
	fclose(f);
	sqlite3_finalize(q);
	return out;
}

void
link_msg_id(FILE *f, const char *station, const char *kind, int64_t id)
{
	char *s;

	xasprintf(&s, "%s:%s:%lld", station, kind, (long long)id);
	json_write(f, s);
	free(s);
}

char *
link_up_state(const struct config *cfg, const struct link_state_facts *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fprintf(f, "{\"v\":%d,\"msg_id\":", LINK_PROTOCOL);
	link_msg_id(f, cfg->station.code, "state", s->sent_at_ms);
	fputs(",\"station\":", f);
	json_write(f, cfg->station.code);
	fprintf(f, ",\"online\":%s,\"software\":", s->online ? "true" : "false");
	json_write(f, "loaxa " LOAXA_VERSION);
	if (s->online) {
		fprintf(f, ",\"sent_at_ms\":%lld,\"connected_since_ms\":%lld,"
		    "\"queued\":%lld,\"disk_free_bytes\":%lld,\"daemon\":",
		    (long long)s->sent_at_ms, (long long)s->since_ms,
		    (long long)s->queued, (long long)s->disk_free);
		/* The daemon's own `status --format json` document, as it is. */
		fputs(s->daemon_json != NULL ? s->daemon_json : "null", f);
		fputs(",\"daemon_error\":", f);
		json_write(f, s->daemon_error);
	}
	fputs("}", f);
	fclose(f);
	return out;
}
