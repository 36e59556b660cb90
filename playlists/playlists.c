/* Selection of a slot occurrence's programme: fixed lists, fair rotation, quotas. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "playlists/playlists.h"

int
pl_eligible(const struct pl_candidate *c, int32_t day)
{
	if (!c->approved || c->duration_ms <= 0)
		return 0;
	if (c->valid_from != CONF_NO_DATE && day < c->valid_from)
		return 0;
	if (c->valid_until != CONF_NO_DATE && day > c->valid_until)
		return 0;
	return 1;
}

int
pl_ref_matches(const char *ref, const struct pl_candidate *c)
{
	size_t n = strlen(ref), i;
	int digits = n > 0;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)ref[i]))
			digits = 0;
	/* Up to 7 digits is an id; 8 or more hex digits, a SHA-256 prefix. */
	if (digits && n < 8)
		return strtoll(ref, NULL, 10) == c->id;
	return n >= 8 && c->sha256 != NULL && strncasecmp(c->sha256, ref, n) == 0;
}

long
pl_resolve(const char *ref, const struct pl_candidate *c, size_t n)
{
	long found = -1;
	size_t i;

	for (i = 0; i < n; i++)
		if (pl_ref_matches(ref, &c[i])) {
			if (found >= 0)
				return -1; /* an ambiguous SHA-256 prefix names none */
			found = (long)i;
		}
	return found;
}

/* Whether s is one of list[0..n). */
static int
in_list(const char *s, char *const *list, size_t n)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
pl_matches(const struct config_playlist *p, const struct pl_candidate *c)
{
	size_t i;
	int any;

	if (p->nitems > 0) {
		for (i = 0, any = 0; i < p->nitems && !any; i++)
			any = pl_ref_matches(p->items[i], c);
		if (!any)
			return 0;
	}
	if (p->mode == CONF_PL_FIXED)
		return 1;
	if (p->ntopics > 0 && !in_list(c->topic, p->topics, p->ntopics))
		return 0;
	if (p->nagencies > 0 && !in_list(c->agency, p->agencies, p->nagencies))
		return 0;
	if (p->ntags > 0) {
		for (i = 0, any = 0; i < c->ntags && !any; i++)
			any = in_list(c->tags[i], p->tags, p->ntags);
		if (!any)
			return 0;
	}
	return 1;
}

int
pl_short(const struct pl_candidate *c)
{
	return c->min_airings > c->airings;
}

/* Orders candidate indexes by the rotation's rules (see playlists.h). */
static int
rotate_order(const void *a, const void *b, void *arg)
{
	const struct pl_candidate *c = arg;
	const struct pl_candidate *x = &c[*(const size_t *)a];
	const struct pl_candidate *y = &c[*(const size_t *)b];
	int64_t ux, uy;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (pl_short(x) != pl_short(y))
		return pl_short(x) ? -1 : 1;
	if (pl_short(x)) {
		/* shortfall / remaining, compared without division */
		ux = (int64_t)(x->min_airings - x->airings) *
		    (y->remaining > 0 ? y->remaining : 1);
		uy = (int64_t)(y->min_airings - y->airings) *
		    (x->remaining > 0 ? x->remaining : 1);
		if (ux != uy)
			return ux > uy ? -1 : 1;
	}
	if (x->airings != y->airings)
		return x->airings < y->airings ? -1 : 1;
	if (x->last_aired != y->last_aired)
		return x->last_aired < y->last_aired ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* A programme being built: picks and the time they take. */
struct prog {
	struct pl_pick *picks;
	size_t n;
	int64_t at;
};

/* Appends candidate i at the current time. */
static void
prog_add(struct prog *p, size_t i, int64_t dur, int role)
{
	p->picks = xreallocarray(p->picks, p->n + 1, sizeof *p->picks);
	p->picks[p->n].cand = i;
	p->picks[p->n].offset_ms = p->at;
	p->picks[p->n].role = role;
	p->n++;
	p->at += dur;
}

/* The eligible candidate a slot's intro or outro names, or -1. */
static long
slot_extra(const char *ref, const struct pl_candidate *c, size_t n, int32_t day)
{
	long i;

	if (ref == NULL || (i = pl_resolve(ref, c, n)) < 0 || !pl_eligible(&c[i], day))
		return -1;
	return i;
}

size_t
pl_select(const struct pl_request *req, const struct pl_candidate *c, size_t n,
    struct pl_pick **out)
{
	const struct config_playlist *p = req->playlist;
	struct prog pr = { NULL, 0, 0 };
	size_t *order, norder = 0, i, j, took;
	unsigned char *used;
	int64_t limit;
	long intro, outro, k;

	*out = NULL;
	if (req->length_ms <= 0)
		return 0;
	intro = slot_extra(req->intro, c, n, req->day);
	outro = slot_extra(req->outro, c, n, req->day);
	if (intro >= 0 && c[intro].duration_ms > req->length_ms && !req->allow_overrun)
		intro = -1;
	if (intro >= 0)
		prog_add(&pr, (size_t)intro, c[intro].duration_ms, PL_INTRO);
	if (outro >= 0 && pr.at + c[outro].duration_ms > req->length_ms)
		outro = -1;
	/* Items must end by limit, leaving the outro its time. */
	limit = req->length_ms - (outro >= 0 ? c[outro].duration_ms : 0);

	order = xreallocarray(NULL, n + (p->mode == CONF_PL_FIXED ? p->nitems : 0) + 1,
	    sizeof *order);
	used = xcalloc(n + 1, 1);
	if (p->mode == CONF_PL_FIXED) {
		for (j = 0; j < p->nitems; j++) {
			k = pl_resolve(p->items[j], c, n);
			if (k >= 0 && pl_eligible(&c[k], req->day))
				order[norder++] = (size_t)k;
		}
	} else {
		for (i = 0; i < n; i++)
			if ((long)i != intro && (long)i != outro &&
			    pl_eligible(&c[i], req->day) && pl_matches(p, &c[i]))
				order[norder++] = i;
		qsort_r(order, norder, sizeof *order, rotate_order, (void *)c);
	}
	do {
		took = 0;
		for (j = 0; j < norder; j++) {
			i = order[j];
			if (used[i] && !p->repeat)
				continue;
			if (req->allow_overrun ? pr.at >= limit :
			    pr.at + c[i].duration_ms > limit)
				continue; /* would not finish in time: not started */
			prog_add(&pr, i, c[i].duration_ms, PL_ITEM);
			used[i] = 1;
			took++;
		}
	} while (p->repeat && took > 0 && pr.at < limit);
	if (outro >= 0)
		prog_add(&pr, (size_t)outro, c[outro].duration_ms, PL_OUTRO);
	free(used);
	free(order);
	*out = pr.picks;
	return pr.n;
}
