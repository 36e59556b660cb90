/*
 * Exports collected from the stations (`fleet collect`): each one written
 * where the district wants it, verified with the verifier `loaxa verify`
 * uses (reports/), against the station's key in the fleet section, and the
 * airing rows fleet.db received live in its period matched against its
 * signed rows.
 */
#include <sodium.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/i18n.h"

#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"
#include "reports/reports.h"
#include "store/store.h"

int
fleet_export_save(sqlite3 *db, const char *json, const char *path,
    int64_t *request, char **cause)
{
	sqlite3_stmt *q;
	unsigned char *bin = NULL;
	const char *b64;
	size_t blen, n = 0;
	char *tmp;
	int fd, rc = -1;

	*request = -1;
	if (sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.request'),"
	    " json_extract(?1, '$.lxe') WHERE json_valid(?1)", -1, &q, NULL) != SQLITE_OK) {
		xasprintf(cause, "fleet.db: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(q, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW || (b64 = (const char *)sqlite3_column_text(q,
	    1)) == NULL) {
		xasprintf(cause, _("not an export message (no JSON with \"lxe\")"));
		sqlite3_finalize(q);
		return -1;
	}
	*request = sqlite3_column_int64(q, 0);
	blen = strlen(b64);
	bin = xmalloc(blen / 4 * 3 + 3);
	if (sodium_base642bin(bin, blen / 4 * 3 + 3, b64, blen, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		xasprintf(cause, _("the export is not valid base64"));
		goto out;
	}
	if ((fd = file_tmp_open(path, ".tmp", 0644, &tmp, cause)) < 0)
		goto out;
	if (write(fd, bin, n) != (ssize_t)n) {
		xasprintf(cause, _("%s: cannot write it"), path);
		close(fd);
		unlink(tmp);
		free(tmp);
		goto out;
	}
	rc = file_tmp_commit(fd, tmp, path, cause);
	free(tmp);
out:
	free(bin);
	sqlite3_finalize(q);
	return rc;
}

/* Column i of q as text ("" for NULL) for comparing a live row with the export. */
static const char *
col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? (const char *)t : "";
}

/*
 * Counts the rows fleet.db received live from station in v's period that
 * the export has not, or has otherwise; *first names the first one.
 */
static size_t
collect_match(sqlite3 *db, const char *station, const struct rep_verified *v,
    size_t *live, char **first)
{
	static const char *const names[] = { "sha256", "started_at", "ended_at",
		"played_ms", "outcome", "scheduled_at" };
	sqlite3_stmt *q, *e;
	size_t bad = 0;
	int i, rc;

	*live = 0;
	*first = NULL;
	if (sqlite3_prepare_v2(db, "SELECT airing_id, json_extract(json, '$.sha256'),"
	    " json_extract(json, '$.started_at_ms'), json_extract(json, '$.ended_at_ms'),"
	    " json_extract(json, '$.played_ms'), json_extract(json, '$.outcome'),"
	    " json_extract(json, '$.scheduled_at_ms') FROM airings WHERE station = ?1"
	    " AND coalesce(json_extract(json, '$.slot_start_ms'),"
	    "  json_extract(json, '$.scheduled_at_ms')) >= ?2 AND"
	    " coalesce(json_extract(json, '$.slot_start_ms'),"
	    "  json_extract(json, '$.scheduled_at_ms')) < ?3 ORDER BY airing_id", -1, &q,
	    NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(store_db(v->store), "SELECT sha256, started_at,"
	    " ended_at, played_ms, outcome, scheduled_at FROM airings WHERE id = ?1",
	    -1, &e, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return 0;
	}
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, v->period.from_ms);
	sqlite3_bind_int64(q, 3, v->period.to_ms);
	while (sqlite3_step(q) == SQLITE_ROW) {
		++*live;
		sqlite3_bind_int64(e, 1, sqlite3_column_int64(q, 0));
		rc = sqlite3_step(e);
		if (rc != SQLITE_ROW) {
			if (bad++ == 0)
				xasprintf(first, _("row %lld received live is not in "
				    "the export"), (long long)sqlite3_column_int64(q, 0));
		} else
			for (i = 0; i < 6; i++)
				if (strcmp(col(q, i + 1), col(e, i)) != 0) {
					if (bad++ == 0)
						xasprintf(first, _("row %lld: %s is '%s' "
						    "live, '%s' in the export"),
						    (long long)sqlite3_column_int64(q, 0),
						    names[i], col(q, i + 1), col(e, i));
					break;
				}
		sqlite3_reset(e);
	}
	sqlite3_finalize(e);
	sqlite3_finalize(q);
	return bad;
}

int
fleet_export_check(const struct config *cfg, size_t idx, sqlite3 *db,
    const char *path, char **why)
{
	const struct config_fleet_station *s = &cfg->fleet.stations[idx];
	struct rep_verified v;
	char *cause = NULL, *first;
	size_t bad, live;
	int rc;

	*why = NULL;
	memset(&v, 0, sizeof v);
	if (rep_verify(path, 1, &v, &cause) != 0) {
		xasprintf(why, "%s", cause);
		free(cause);
		return FLEET_EXPORT_FAILED;
	}
	rc = FLEET_EXPORT_FAILED;
	if (!v.ok)
		xasprintf(why, "%s%s", v.nproblems > 0 ? v.problems[0].what :
		    _("the signature or the chain does not hold"),
		    v.nproblems > 1 ? _(" (and more)") : "");
	else if (v.station.code == NULL || strcmp(v.station.code, s->code) != 0)
		xasprintf(why, _("the export is station '%s''s, not %s's"),
		    v.station.code ? v.station.code : "?", s->code);
	else if (!s->has_key)
		xasprintf(why, _("the fleet section has no key for %s to check it "
		    "with"), s->code);

	else if (sodium_memcmp(v.key, s->key, sizeof v.key) != 0)
		xasprintf(why, _("signed with %s, not the key the fleet section has "
		    "for %s"), v.key_b64, s->code);
	else if ((bad = collect_match(db, s->code, &v, &live, &first)) > 0) {
		xasprintf(why, _("%zu of the %zu rows received live do not match the "
		    "signed export; first: %s"), bad, live, first);
		free(first);
		rc = FLEET_EXPORT_MISMATCH;
	} else {
		xasprintf(why, _("%zu rows, %zu received live all match"), v.rows,
		    live);
		rc = FLEET_EXPORT_OK;
	}
	rep_verified_clear(&v);
	return rc;
}
