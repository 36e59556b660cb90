/* Targets, packages in chunks, and the acknowledgements that come back. */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"
#include "fleet/fleet.h"
#include "fleet/internal.h"
#include "library/library.h"
#include "link/chunk.h"

/* Chunks of a package in flight at once: 64 x 256 KiB at most. */
#define FLEET_WINDOW 64

/* Appends i to idx unless it is there. */
static void
fleet_add(size_t **idx, size_t *n, size_t i)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if ((*idx)[k] == i)
			return;
	*idx = xreallocarray(*idx, *n + 1, sizeof **idx);
	(*idx)[(*n)++] = i;
}

int
fleet_targets(const struct config *cfg, const char *to, size_t **idx, size_t *n,
    char **cause)
{
	const struct config_fleet *f = &cfg->fleet;
	const char **names, *hint;
	size_t i, g, k = 0;

	*idx = NULL;
	*n = 0;
	for (i = 0; i < f->nstations; i++) {
		if (strcmp(to, "all") == 0 || strcmp(to, f->stations[i].code) == 0)
			fleet_add(idx, n, i);
		for (g = 0; g < f->stations[i].ngroups; g++)
			if (strcmp(to, f->stations[i].groups[g]) == 0)
				fleet_add(idx, n, i);
	}
	if (*n > 0)
		return 0;
	names = xcalloc(1, sizeof *names);
	for (i = 0; i < f->nstations; i++) {
		names = xreallocarray(names, k + f->stations[i].ngroups + 2,
		    sizeof *names);
		names[k++] = f->stations[i].code;
		for (g = 0; g < f->stations[i].ngroups; g++)
			names[k++] = f->stations[i].groups[g];
		names[k] = NULL;
	}
	hint = cfg_suggest(to, names);
	if (hint != NULL)
		xasprintf(cause, _("'%s' is no station or group of the fleet section; "
		    "did you mean '%s'?"), to, hint);
	else
		xasprintf(cause, _("'%s' is no station or group of the fleet section"),
		    to);

	free(names);
	return -1;
}

int
fleet_send_package(struct fleet *f, const size_t *idx, size_t n,
    const unsigned char *pkg, int64_t size, const char *sha, int timeout_ms,
    char **cause)
{
	int64_t deadline = fleet_deadline(timeout_ms), count, c;
	unsigned char *msg;
	char *topic;
	size_t i, len;
	int rc = 0;

	f->window = FLEET_WINDOW;
	count = (size + LINK_CHUNK_MAX - 1) / LINK_CHUNK_MAX;
	for (c = 0; c < count && rc == 0; c++) {
		len = link_chunk_make(pkg, size, sha, LINK_CHUNK_MAX, c, &msg);
		for (i = 0; i < n && rc == 0; i++) {
			xasprintf(&topic, "%s/down/pkg", f->cfg->fleet.stations[idx[i]].prefix);
			rc = fleet_publish_one(f, topic, msg, len, deadline, cause);
			free(topic);
		}
		free(msg);
	}
	return rc == 0 ? fleet_drain(f, deadline, cause) : -1;
}

/*
 * The string value of "key": in json, unescaped as far as \" and \\ go
 * (enough to show a reason), or NULL.
 */
static char *
fleet_json_string(const char *json, size_t len, const char *key)
{
	char *pat, *out;
	const char *p, *end = json + len;
	size_t n = 0;

	xasprintf(&pat, "\"%s\":\"", key);
	p = memmem(json, len, pat, strlen(pat));
	if (p == NULL) {
		free(pat);
		return NULL;
	}
	p += strlen(pat);
	free(pat);
	out = xmalloc((size_t)(end - p) + 1);
	for (; p < end && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
	return out;
}

/*
 * Takes h as the acknowledgement fleet_wait_acks waits for when it is its
 * station's "CODE:kind:id" and the first: one comparison an acknowledgement.
 */
static void
fleet_match(struct fleet *f, const struct fleet_heard *h)
{
	struct fleet_ack *a;
	char *want;
	long pos;

	if (f->want_pos == NULL || (pos = f->want_pos[h->station]) < 0 ||
	    (a = &f->want_acks[pos])->got)
		return;
	xasprintf(&want, "%s:%s:%s", f->cfg->fleet.stations[h->station].code,
	    f->want_kind, f->want_id);
	if (strcmp(h->msg_id, want) == 0) {
		a->got = 1;
		a->ok = h->ok;
		a->why = h->why != NULL ? xstrdup(h->why) : NULL;
		f->ngot++;
	}
	free(want);
}

void
fleet_ack_heard(struct fleet *f, size_t station, const char *json, size_t len)
{
	struct fleet_heard h;

	if ((h.msg_id = fleet_json_string(json, len, "msg_id")) == NULL)
		return;
	h.station = station;
	h.ok = memmem(json, len, "\"ok\":true", 9) != NULL;
	h.why = fleet_json_string(json, len, "why");
	f->heard = xreallocarray(f->heard, f->nheard + 1, sizeof *f->heard);
	f->heard[f->nheard++] = h;
	fleet_match(f, &f->heard[f->nheard - 1]);
}

static int
fleet_all_heard(const struct fleet *f)
{
	return f->ngot >= f->nunique;
}

void
fleet_wait_acks(struct fleet *f, const size_t *idx, size_t n, const char *kind,
    const char *id, int timeout_ms, struct fleet_ack *acks)
{
	size_t i, nst = f->cfg->fleet.nstations;
	long first;

	memset(acks, 0, n * sizeof *acks);
	f->want_pos = xmalloc((nst + 1) * sizeof *f->want_pos);
	for (i = 0; i < nst; i++)
		f->want_pos[i] = -1;
	f->nunique = 0;
	for (i = 0; i < n; i++)
		if (f->want_pos[idx[i]] < 0) {
			f->want_pos[idx[i]] = (long)i;
			f->nunique++;
		}
	f->want = idx;
	f->nwant = n;
	f->ngot = 0;
	f->want_kind = kind;
	f->want_id = id;
	f->want_acks = acks;
	/* What came before the wait (while publishing), then what comes. */
	for (i = 0; i < f->nheard; i++)
		fleet_match(f, &f->heard[i]);
	fleet_loop_until(f, fleet_all_heard, fleet_deadline(timeout_ms));
	/* A station named twice: its answer in each place. */
	for (i = 0; i < n; i++)
		if ((first = f->want_pos[idx[i]]) != (long)i && acks[first].got) {
			acks[i] = acks[first];
			acks[i].why = acks[first].why ? xstrdup(acks[first].why) : NULL;
		}
	free(f->want_pos);
	f->want_pos = NULL;
	f->want_acks = NULL;
}

void
fleet_acks_clear(struct fleet_ack *acks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(acks[i].why);
}

int64_t
fleet_now_ms(void)
{
	return lib_now_ms();
}

void
fleet_keep_message(struct fleet *f, size_t station, const char *kind,
    const char *text, size_t len, int retained)
{
	const char *code = f->cfg->fleet.stations[station].code;
	int64_t now = fleet_now_ms();

	f->fresh = 1;
	if (strcmp(kind, "ack") == 0) {
		if (len < 65536)
			fleet_ack_heard(f, station, text, len);
		if (f->db != NULL)
			fleet_db_ack(f->db, code, text, now);
	} else if (f->db == NULL)
		return;
	else if (strcmp(kind, "state") == 0)
		fleet_db_state(f->db, code, text, retained, now);
	else if (strcmp(kind, "airing") == 0)
		fleet_db_airing(f->db, code, text, now, &f->fresh);
}

int
fleet_last_fresh(const struct fleet *f)
{
	return f->fresh;
}
