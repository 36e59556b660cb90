/*
 * The airing log's hash chain. A link is BLAKE2b-256(previous link || the
 * row's STORE_CHAIN_ROW text); the first row's previous link is 32 zero
 * bytes. Links are kept in airing_chain in the order rows were closed, which
 * is not the rows' id order (a row is inserted when it starts playing and
 * closed when it ends). Anyone who can write the database can recompute the
 * chain; what it buys is that the head published in a signed export pins
 * every row closed before it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "store/chain.h"
#include "store/store.h"

/* link = BLAKE2b-256(prev || text). */
static void
chain_link(unsigned char link[32], const unsigned char prev[32], const unsigned char *text,
    size_t len)
{
	crypto_generichash_state s;

	crypto_generichash_init(&s, NULL, 0, 32);
	crypto_generichash_update(&s, prev, 32);
	crypto_generichash_update(&s, text, len);
	crypto_generichash_final(&s, link, 32);
}

int
store_chain_close(struct store *st, int64_t id, char **cause)
{
	unsigned char prev[32] = { 0 }, link[32];
	const unsigned char *text;
	char hex[65];
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT (SELECT link FROM airing_chain"
	    " ORDER BY seq DESC LIMIT 1), " STORE_CHAIN_ROW " FROM airings"
	    " WHERE id = ?1 AND outcome <> 'playing'", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	if ((rc = sqlite3_step(q)) == SQLITE_DONE) {
		sqlite3_finalize(q);
		xasprintf(cause, _("airing log: row %lld is not closed"), (long long)id);
		return -1;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	if (sqlite3_column_type(q, 0) != SQLITE_NULL &&
	    sodium_hex2bin(prev, 32, (const char *)sqlite3_column_text(q, 0),
	    (size_t)sqlite3_column_bytes(q, 0), NULL, NULL, NULL) != 0) {
		sqlite3_finalize(q);
		xasprintf(cause, _("airing log: the chain's last link is damaged"));
		return -1;
	}
	text = sqlite3_column_text(q, 1);
	chain_link(link, prev, text, (size_t)sqlite3_column_bytes(q, 1));
	sqlite3_finalize(q);
	sodium_bin2hex(hex, sizeof hex, link, 32);
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO airing_chain (airing_id, link)"
	    " VALUES (?1, ?2)", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, hex, 64, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	return 0;
fail:
	*cause = store_error(st, _("airing log chain"));
	sqlite3_finalize(q);
	return -1;
}

/* Every link in order, with its row's text now (NULL when the row is gone). */
static const char sql_chain[] =
    "SELECT c.seq, c.airing_id, c.link, (SELECT " STORE_CHAIN_ROW " FROM airings a"
    " WHERE a.id = c.airing_id) FROM airing_chain c ORDER BY c.seq";

/* A closed row that is not in the chain though the chain had begun before it. */
static const char sql_unchained[] =
    "SELECT a.id FROM airings a WHERE a.outcome <> 'playing'"
    " AND a.id > (SELECT min(airing_id) FROM airing_chain)"
    " AND NOT EXISTS (SELECT 1 FROM airing_chain c WHERE c.airing_id = a.id)"
    " ORDER BY a.id LIMIT 1";

int
store_chain_check(sqlite3 *db, struct store_chain_head *head, char **cause)
{
	unsigned char link[32], stated[32];
	sqlite3_stmt *q = NULL;
	int rc;

	memset(head, 0, sizeof *head);
	if (sqlite3_prepare_v2(db, sql_chain, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(q, 1);

		if (sqlite3_column_type(q, 3) == SQLITE_NULL) {
			xasprintf(cause, _("airing log row %lld was removed from the "
			    "database after it was closed"), id);
			sqlite3_finalize(q);
			return -1;
		}
		chain_link(link, head->link, sqlite3_column_text(q, 3),
		    (size_t)sqlite3_column_bytes(q, 3));
		if (sqlite3_column_bytes(q, 2) != 64 ||
		    sodium_hex2bin(stated, 32, (const char *)sqlite3_column_text(q, 2), 64,
		    NULL, NULL, NULL) != 0 || sodium_memcmp(link, stated, 32) != 0) {
			xasprintf(cause, _("airing log row %lld was changed in the database "
			    "after it was closed (it no longer matches its link in the "
			    "log's hash chain)"), id);
			sqlite3_finalize(q);
			return -1;
		}
		memcpy(head->link, link, 32);
		head->n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db, sql_unchained, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		xasprintf(cause, _("airing log row %lld was inserted into the database "
		    "outside loaxa (it is not in the log's hash chain)"),
		    (long long)sqlite3_column_int64(q, 0));
		sqlite3_finalize(q);
		return -1;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	return 0;
fail:
	xasprintf(cause, _("airing log chain: %s"), sqlite3_errmsg(db));
	sqlite3_finalize(q);
	return -1;
}
