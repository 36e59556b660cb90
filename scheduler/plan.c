/*
 * Candidates from the library and the airing log; the selection for one
 * occurrence (quota counts, then pl_select); the forward simulation.
 */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/plan.h"

#define DAY_MS 86400000LL

struct sched_pool {
	struct pl_candidate *c;
	size_t n;
	char **strings;     /* every string the candidates point to */
	size_t nstrings;
};

/* Quota bookkeeping over the occurrences of a stretch of time. */
struct quota {
	const struct config *cfg;
	struct pl_candidate *c;
	size_t n;
	int64_t *from_ms;   /* per candidate: start of valid_from, or INT64_MIN */
	int64_t *until_ms;  /* per candidate: end of valid_until, or the horizon */
	unsigned char *match; /* n * nplaylists: playlist p could choose candidate i */
	int64_t **starts;   /* per playlist: starts of its non-skipped occurrences */
	size_t *nstarts;
};

/* Keeps a copy of s (may be NULL) in the pool and returns it. */
static const char *
pool_keep(struct sched_pool *p, const char *s)
{
	if (s == NULL)
		return NULL;
	p->strings = xreallocarray(p->strings, p->nstrings + 1, sizeof *p->strings);
	p->strings[p->nstrings] = xstrdup(s);
	return p->strings[p->nstrings++];
}

/* Orders candidates by id. */
static int
cand_by_id(const void *a, const void *b)
{
	const struct pl_candidate *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct sched_pool *
sched_pool_from(const struct pl_candidate *c, size_t n)
{
	struct sched_pool *p = xcalloc(1, sizeof *p);
	const char **tags;
	size_t i, j;

	p->c = xcalloc(n + 1, sizeof *p->c);
	p->n = n;
	for (i = 0; i < n; i++) {
		p->c[i] = c[i];
		p->c[i].sha256 = pool_keep(p, c[i].sha256);
		p->c[i].title = pool_keep(p, c[i].title);
		p->c[i].topic = pool_keep(p, c[i].topic);
		p->c[i].agency = pool_keep(p, c[i].agency);
		if (c[i].ntags > 0) {
			/* The tag array itself is kept as one more string block. */
			tags = xcalloc(c[i].ntags, sizeof *tags);
			for (j = 0; j < c[i].ntags; j++)
				tags[j] = pool_keep(p, c[i].tags[j]);
			p->strings = xreallocarray(p->strings, p->nstrings + 1,
			    sizeof *p->strings);
			p->strings[p->nstrings++] = (char *)tags;
			p->c[i].tags = tags;
		}
	}
	qsort(p->c, n, sizeof *p->c, cand_by_id);
	return p;
}

struct pl_candidate *
sched_pool_candidates(struct sched_pool *p, size_t *n)
{
	*n = p->n;
	return p->c;
}

void
sched_pool_free(struct sched_pool **pp)
{
	struct sched_pool *p = *pp;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->c);
	free(p);
	*pp = NULL;
}

/* Frees what quota_init allocated. */
static void
quota_free(struct quota *q)
{
	size_t i;

	for (i = 0; q->starts != NULL && i < q->cfg->nplaylists; i++)
		free(q->starts[i]);
	free(q->starts);
	free(q->nstarts);
	free(q->match);
	free(q->from_ms);
	free(q->until_ms);
	memset(q, 0, sizeof *q);
}

/*
 * Prepares quota counts for candidates c[0..n): their validity as instants
 * (horizon standing in for no end) and which playlists could choose them.
 */
static int
quota_init(struct quota *q, const struct config *cfg, struct pl_candidate *c,
    size_t n, int64_t horizon, char **cause)
{
	size_t i, k, np = cfg->nplaylists;

	memset(q, 0, sizeof *q);
	q->cfg = cfg;
	q->c = c;
	q->n = n;
	q->from_ms = xcalloc(n + 1, sizeof *q->from_ms);
	q->until_ms = xcalloc(n + 1, sizeof *q->until_ms);
	q->match = xcalloc(n * np + 1, 1);
	q->starts = xcalloc(np + 1, sizeof *q->starts);
	q->nstarts = xcalloc(np + 1, sizeof *q->nstarts);
	for (i = 0; i < n; i++) {
		q->from_ms[i] = INT64_MIN;
		q->until_ms[i] = horizon;
		if (c[i].min_airings <= 0)
			continue; /* counts matter only for quotas */
		if (c[i].valid_from != CONF_NO_DATE &&
		    sched_local_to_utc(cfg->station.timezone, c[i].valid_from, 0,
		    &q->from_ms[i], NULL, cause) != 0)
			goto fail;
		if (c[i].valid_until != CONF_NO_DATE &&
		    sched_local_to_utc(cfg->station.timezone, c[i].valid_until + 1, 0,
		    &q->until_ms[i], NULL, cause) != 0)
			goto fail;
		for (k = 0; k < np; k++)
			q->match[i * np + k] = pl_matches(&cfg->playlists[k], &c[i]);
	}
	return 0;
fail:
	quota_free(q);
	return -1;
}

/* Adds the non-skipped occurrences o[0..n) (sorted) to their playlists' lists. */
static void
quota_add_occurrences(struct quota *q, const struct sched_occurrence *o, size_t n)
{
	size_t i, p;

	for (i = 0; i < n; i++) {
		if (o[i].skipped)
			continue;
		p = q->cfg->slots[o[i].slot].playlist_index;
		q->starts[p] = xreallocarray(q->starts[p], q->nstarts[p] + 1,
		    sizeof **q->starts);
		q->starts[p][q->nstarts[p]++] = o[i].start;
	}
}

/* How many of a[0..n) (sorted) are in [lo, hi). */
static size_t
count_in(const int64_t *a, size_t n, int64_t lo, int64_t hi)
{
	size_t l = 0, h = n, m, first;

	if (hi <= lo)
		return 0;
	while (l < h) {
		m = (l + h) / 2;
		if (a[m] < lo)
			l = m + 1;
		else
			h = m;
	}
	first = l;
	h = n;
	while (l < h) {
		m = (l + h) / 2;
		if (a[m] < hi)
			l = m + 1;
		else
			h = m;
	}
	return l - first;
}

/* Sets remaining for every short candidate eligible on occ's day. */
static void
quota_fill(struct quota *q, const struct sched_occurrence *occ)
{
	size_t i, k, np = q->cfg->nplaylists, cnt;
	int64_t lo;

	for (i = 0; i < q->n; i++) {
		q->c[i].remaining = 0;
		if (!pl_short(&q->c[i]) || !pl_eligible(&q->c[i], occ->day))
			continue;
		lo = occ->start > q->from_ms[i] ? occ->start : q->from_ms[i];
		for (k = 0, cnt = 0; k < np; k++)
			if (q->match[i * np + k])
				cnt += count_in(q->starts[k], q->nstarts[k], lo,
				    q->until_ms[i]);
		q->c[i].remaining = cnt > 0 ? (int)cnt : 1;
	}
}

/* The programme of occ from at (ms) on, by pl_select. */
static size_t
select_at(const struct config *cfg, struct quota *q,
    const struct sched_occurrence *occ, int64_t at, struct pl_pick **out)
{
	const struct config_slot *sl = &cfg->slots[occ->slot];
	struct pl_request req;

	*out = NULL;
	if (occ->skipped || at >= occ->air_end)
		return 0;
	quota_fill(q, occ);
	memset(&req, 0, sizeof req);
	req.playlist = &cfg->playlists[sl->playlist_index];
	req.day = occ->day;
	req.length_ms = occ->air_end - at;
	req.allow_overrun = sl->allow_overrun;
	req.intro = sl->intro;
	req.outro = sl->outro;
	return pl_select(&req, q->c, q->n, out);
}

/* The latest end of validity among short candidates, capped at cap. */
static int64_t
quota_horizon(const struct config *cfg, const struct pl_candidate *c, size_t n,
    int64_t at, int64_t cap)
{
	int64_t h = at, e;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pl_short(&c[i]))
			continue;
		if (c[i].valid_until == CONF_NO_DATE)
			return cap;
		if (sched_local_to_utc(cfg->station.timezone, c[i].valid_until + 1, 0,
		    &e, NULL, &cause) == 0 && e > h)
			h = e;
		free(cause); /* an unknown zone fails again, with its cause, later */
		cause = NULL;
	}
	return h < cap ? h : cap;
}

int
sched_select(const struct config *cfg, struct sched_pool *pool,
    const struct sched_occurrence *occ, int64_t now, struct pl_pick **out,
    size_t *n, char **cause)
{
	struct sched_occurrence *o = NULL;
	int64_t horizon, at = now > occ->air_start ? now : occ->air_start;
	struct quota q;
	size_t no = 0;

	*out = NULL;
	*n = 0;
	if (occ->slot >= cfg->nslots) {
		xasprintf(cause, _("slot %zu is not in the timetable"), occ->slot);
		return -1;
	}
	horizon = quota_horizon(cfg, pool->c, pool->n, occ->start + 1,
	    occ->start + SCHED_QUOTA_DAYS * DAY_MS);
	if (quota_init(&q, cfg, pool->c, pool->n, horizon, cause) != 0)
		return -1;
	if (sched_occurrences(cfg->slots, cfg->nslots, cfg->station.timezone,
	    occ->start, horizon, &o, &no, cause) != 0) {
		quota_free(&q);
		return -1;
	}
	quota_add_occurrences(&q, o, no);
	free(o);
	*n = select_at(cfg, &q, occ, at, out);
	quota_free(&q);
	return 0;
}

int
sched_plan_run(const struct config *cfg, struct sched_pool *pool, int64_t from,
    int64_t to, struct sched_plan **out, char **cause)
{
	struct sched_occurrence *o = NULL;
	struct sched_plan_entry *en;
	struct sched_plan *pl;
	struct pl_candidate *c;
	struct pl_pick *picks;
	struct quota q;
	size_t no = 0, i, j, np, *by_end;
	int64_t horizon;

	*out = NULL;
	pl = xcalloc(1, sizeof *pl);
	pl->from = from;
	pl->to = to;
	pl->ncands = pool->n;
	pl->cands = xcalloc(pool->n + 1, sizeof *pl->cands);
	memcpy(pl->cands, pool->c, pool->n * sizeof *pool->c);
	c = xcalloc(pool->n + 1, sizeof *c);
	memcpy(c, pool->c, pool->n * sizeof *pool->c);
	horizon = quota_horizon(cfg, c, pool->n, to, from + SCHED_QUOTA_DAYS * DAY_MS);
	if (horizon < to)
		horizon = to;
	pl->horizon = horizon;
	if (quota_init(&q, cfg, c, pool->n, horizon, cause) != 0)
		goto fail;
	if (sched_occurrences(cfg->slots, cfg->nslots, cfg->station.timezone, from,
	    horizon, &o, &no, cause) != 0) {
		quota_free(&q);
		goto fail;
	}
	quota_add_occurrences(&q, o, no);
	by_end = xcalloc(pool->n + 1, sizeof *by_end);
	pl->simulated = no;
	for (i = 0; i < no; i++) {
		np = select_at(cfg, &q, &o[i], o[i].air_start, &picks);
		if (o[i].start < to) {
			pl->entries = xreallocarray(pl->entries, pl->nentries + 1,
			    sizeof *pl->entries);
			en = &pl->entries[pl->nentries++];
			en->occ = o[i];
			en->nitems = np;
			en->items = xcalloc(np + 1, sizeof *en->items);
			for (j = 0; j < np; j++) {
				en->items[j].cand = picks[j].cand;
				en->items[j].start = o[i].air_start + picks[j].offset_ms;
				en->items[j].role = picks[j].role;
			}
		}
		/* A relay slot's picks are its fallback: they air only if the source fails. */
		for (j = 0; j < np && cfg->slots[o[i].slot].relay == NULL; j++) {
			c[picks[j].cand].airings++;
			c[picks[j].cand].last_aired = o[i].air_start + picks[j].offset_ms;
			if (o[i].air_start + picks[j].offset_ms < q.until_ms[picks[j].cand])
				by_end[picks[j].cand]++;
		}
		free(picks);
	}
	for (i = 0; i < pool->n; i++) {
		struct sched_plan_quota *qu;

		if (pool->c[i].min_airings <= 0)
			continue;
		if (pool->c[i].valid_until != CONF_NO_DATE && q.until_ms[i] <= from)
			continue; /* its time is over */
		pl->quotas = xreallocarray(pl->quotas, pl->nquotas + 1,
		    sizeof *pl->quotas);
		qu = &pl->quotas[pl->nquotas++];
		memset(qu, 0, sizeof *qu);
		qu->cand = i;
		qu->required = pool->c[i].min_airings;
		qu->before = pool->c[i].airings;
		qu->planned = (int)by_end[i];
		qu->until_end = pool->c[i].valid_until != CONF_NO_DATE ? q.until_ms[i] : 0;
		qu->beyond = qu->until_end == 0 || qu->until_end > horizon;
		qu->short_by = qu->required - qu->before - qu->planned;
		if (qu->short_by < 0)
			qu->short_by = 0;
	}
	free(by_end);
	free(o);
	free(c);
	quota_free(&q);
	*out = pl;
	return 0;
fail:
	free(c);
	sched_plan_free(&pl);
	return -1;
}

void
sched_plan_free(struct sched_plan **pp)
{
	struct sched_plan *p = *pp;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nentries; i++)
		free(p->entries[i].items);
	free(p->entries);
	free(p->quotas);
	free(p->cands);
	free(p);
	*pp = NULL;
}
