/*
 * The daemon's view of the timetable (scheduler/timetable.c), the selection
 * (scheduler/plan.c) and the library's checked door (lib_open_for_airing).
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "scheduler/airlog.h"
#include "scheduler/bridge.h"
#include "scheduler/plan.h"
#include "scheduler/timetable.h"

/* Fills item from what the library handed over (taking its strings). */
static void
bridge_item(struct sched_item *item, struct lib_airing *a)
{
	memset(item, 0, sizeof *item);
	item->bulletin_id = a->id;
	item->path = a->path;
	item->sha256 = a->sha256;
	item->title = a->title;
	item->duration_ms = a->duration_ms;
	item->loudness_lufs = a->loudness_lufs;
	item->priority = a->priority ? conf_priority_parse(a->priority) : CONF_PRIO_NORMAL;
	if (item->priority < 0)
		item->priority = CONF_PRIO_NORMAL;
	a->path = a->sha256 = a->title = NULL;
	lib_airing_clear(a);
}

/* Opens id through the library's checks; rc of lib_open_for_airing. */
static int
bridge_open(struct library *lib, int64_t id, int64_t now, struct sched_item *item,
    int *tampered, char **cause)
{
	struct lib_airing a;
	int rc;

	memset(item, 0, sizeof *item);
	if ((rc = lib_open_for_airing(lib, id, now, &a, tampered, cause)) != 0)
		return rc;
	bridge_item(item, &a);
	return 0;
}

/* Records that bulletin id was chosen for occ of cfg but refused by the library. */
static void
bridge_refused(struct store *st, const struct config *cfg,
    const struct sched_occurrence *occ, int64_t id, int tampered, const char *why)
{
	const char *slot = cfg->slots[occ->slot].name;
	struct sched_log_item it = { id, NULL, slot, occ->start,
		conf_priority_name(occ->priority), occ->air_start, cfg->slots[occ->slot].relay };
	char *cause = NULL;

	log_error(_("slot %s: %s"), slot, why);
	if (sched_log_not_aired(st, &it, SCHED_FAILED, tampered ? SCHED_R_TAMPERED :
	    SCHED_R_REFUSED, why, &cause) < 0) {
		log_error(_("airing log: %s"), cause);
		free(cause);
	}
}

int
sched_bridge_select(struct store *st, const struct config *cfg,
    const struct sched_occurrence *occ, int64_t now, struct sched_item **out, size_t *n,
    char **cause)
{
	struct sched_pool *pool = NULL;
	struct library *lib = NULL;
	struct pl_candidate *c;
	struct pl_pick *picks = NULL;
	struct sched_item *items = NULL;
	size_t np = 0, nc, i, k = 0;
	char *why = NULL;
	int tampered, rc = -1;

	*out = NULL;
	*n = 0;
	if (sched_pool_load(st, cfg->paths.data, &pool, cause) != 0)
		return -1;
	if (sched_select(cfg, pool, occ, now, &picks, &np, cause) != 0)
		goto out;
	if (np > 0 && lib_new(st, cfg->paths.data, &lib, cause) != 0)
		goto out;
	c = sched_pool_candidates(pool, &nc);
	if (np > 0)
		items = xcalloc(np, sizeof *items);
	for (i = 0; i < np; i++) {
		if (picks[i].cand >= nc)
			continue;
		if (bridge_open(lib, c[picks[i].cand].id, now, &items[k], &tampered,
		    &why) != 0) {
			bridge_refused(st, cfg, occ, c[picks[i].cand].id, tampered,
			    why ? why : "refused");
			free(why);
			why = NULL;
			continue;
		}
		/* A scheduled item airs at the higher of its own and the slot's level. */
		if (occ->priority > items[k].priority)
			items[k].priority = occ->priority;
		k++;
	}
	if (k == 0) {
		free(items);
		items = NULL;
	}
	*out = items;
	*n = k;
	items = NULL;
	rc = 0;
out:
	free(items);
	free(picks);
	lib_free(&lib);
	sched_pool_free(&pool);
	return rc;
}

int
sched_bridge_bulletin(struct store *st, const struct config *cfg, int64_t id,
    int64_t now, struct sched_item *item, int *tampered, char **cause)
{
	struct library *lib = NULL;
	int rc;

	memset(item, 0, sizeof *item);
	*tampered = 0;
	if (lib_new(st, cfg->paths.data, &lib, cause) != 0)
		return -1;
	rc = bridge_open(lib, id, now, item, tampered, cause);
	lib_free(&lib);
	return rc == 0 ? 0 : -1;
}

void
sched_item_clear(struct sched_item *it)
{
	if (it == NULL)
		return;
	free(it->path);
	free(it->sha256);
	free(it->title);
	memset(it, 0, sizeof *it);
}

void
sched_item_free_all(struct sched_item **it, size_t n)
{
	size_t i;

	if (*it == NULL)
		return;
	for (i = 0; i < n; i++)
		sched_item_clear(&(*it)[i]);
	free(*it);
	*it = NULL;
}
