/*
 * The candidates for selection from the station's data: approved bulletins
 * through the library, airing counts from the airing log. Kept apart from
 * plan.c so that the pure selection links without the library.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "scheduler/plan.h"
#include "store/store.h"

/* A date column "YYYY-MM-DD" (or NULL) as a day number, or CONF_NO_DATE. */
static int32_t
pool_date(const char *s)
{
	int32_t d;

	return s != NULL && conf_date_parse(s, &d) == 0 ? d : CONF_NO_DATE;
}

/* Orders candidates by id. */
static int
pool_by_id(const void *a, const void *b)
{
	const struct pl_candidate *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Reads every bulletin's completed airings and latest start into c (sorted by id). */
static int
pool_history(struct store *st, struct pl_candidate *c, size_t n, char **cause)
{
	static const char sql[] =
	    "SELECT bulletin_id, SUM(outcome = 'completed'), MAX(started_at) "
	    "FROM airings WHERE bulletin_id IS NOT NULL GROUP BY bulletin_id";
	struct pl_candidate key, *hit;
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK) {
		*cause = store_error(st, _("reading the airing log"));
		return -1;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		key.id = sqlite3_column_int64(stmt, 0);
		if ((hit = bsearch(&key, c, n, sizeof *c, pool_by_id)) == NULL)
			continue;
		hit->airings = sqlite3_column_int(stmt, 1);
		hit->last_aired = sqlite3_column_int64(stmt, 2);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_error(st, _("reading the airing log"));
		return -1;
	}
	return 0;
}

int
sched_pool_load(struct store *st, const char *datadir, struct sched_pool **out,
    char **cause)
{
	struct lib_bulletin *b = NULL;
	struct library *lib = NULL;
	struct pl_candidate *c;
	size_t nb = 0, i;
	int rc;

	*out = NULL;
	if (lib_new(st, datadir, &lib, cause) != 0)
		return -1;
	rc = lib_list(lib, "approved", NULL, &b, &nb, cause);
	lib_free(&lib);
	if (rc != 0)
		return -1;
	c = xcalloc(nb + 1, sizeof *c);
	for (i = 0; i < nb; i++) {
		c[i].id = b[i].id;
		c[i].sha256 = b[i].approved_sha256 ? b[i].approved_sha256 : b[i].sha256;
		c[i].title = b[i].title;
		c[i].topic = b[i].topic;
		c[i].agency = b[i].agency;
		c[i].tags = (const char *const *)b[i].tags;
		c[i].ntags = b[i].ntags;
		c[i].priority = b[i].priority ? conf_priority_parse(b[i].priority) : 0;
		if (c[i].priority < 0)
			c[i].priority = CONF_PRIO_NORMAL;
		c[i].approved = b[i].status != NULL && strcmp(b[i].status, "approved") == 0;
		c[i].valid_from = pool_date(b[i].valid_from);
		c[i].valid_until = pool_date(b[i].valid_until);
		c[i].duration_ms = b[i].duration_ms;
		c[i].min_airings = b[i].min_airings;
	}
	qsort(c, nb, sizeof *c, pool_by_id);
	rc = pool_history(st, c, nb, cause);
	if (rc == 0)
		*out = sched_pool_from(c, nb);
	free(c);
	lib_bulletins_free(&b, nb);
	return rc;
}
