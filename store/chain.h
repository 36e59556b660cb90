/*
 * The airing log's own hash chain, kept as rows are closed: each closed row
 * is linked to the one closed before it, so that a row changed, removed or
 * inserted in the database outside loaxa breaks the chain from that row on.
 */
#ifndef LOAXA_STORE_CHAIN_H
#define LOAXA_STORE_CHAIN_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

/*
 * A row's canonical final fields, as SQL over the airings table: a JSON
 * array, which SQLite writes the same way for the same values.
 */
#define STORE_CHAIN_ROW "json_array(id, bulletin_id, sha256, slot, slot_start," \
    " priority, scheduled_at, started_at, ended_at, played_ms, outcome, reason," \
    " paced)"

/* The chain's head: how many rows it links, and the last link. */
struct store_chain_head {
	int64_t n;
	unsigned char link[32]; /* all zero when n is 0 */
};

/*
 * Links the closed airing row id to the chain: BLAKE2b-256 of the last
 * link and the row's canonical fields. Call it once, when the row gets its
 * final outcome, inside the caller's transaction if any.
 */
int store_chain_close(struct store *, int64_t id, char **cause);

/*
 * Recomputes the whole chain from the rows as they are now. Returns 0 with
 * the head, or -1 with *cause naming the first row that no longer matches
 * its link (changed or removed), a closed row inserted after the chain
 * began, or a database error.
 */
int store_chain_check(sqlite3 *, struct store_chain_head *, char **cause);

#endif
