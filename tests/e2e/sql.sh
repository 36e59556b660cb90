# Every SQL statement is a constant with bound parameters: tests/lint-sql.py
# on the sources passes with its allow-list, and fails on each kind of
# string-built SQL in snippets written here (so that the lint can fail).
# Then text that would break a string-built statement travels through the
# real binary as plain data.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
command -v python3 >/dev/null || fail "python3 is needed for the SQL lint"
LINT="python3 $SRC/tests/lint-sql.py"
ALLOW=$SRC/tests/lint-sql.allow

# --- The sources. ------------------------------------------------------------
run $LINT --allow "$ALLOW" $(for m in common config store audio library playlists \
    reports scheduler cli; do printf '%s ' "$SRC/$m"; done)
expect_rc 0

# --- What the lint must refuse. ----------------------------------------------
mkdir bad good
cat >bad/built.c <<'EOF'
static int
find(sqlite3 *db, const char *name, sqlite3_stmt **q)
{
	char *sql;

	xasprintf(&sql, "SELECT id FROM bulletins WHERE title = '%s'", name);
	return sqlite3_prepare_v2(db, sql, -1, q, NULL);
}
EOF
cat >bad/wrapped.c <<'EOF'
/* A wrapper of ours: its callers are held to the same rule. */
static int
run_sql(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

static int
drop(struct store *st, const char *topic)
{
	char buf[256] = "DELETE FROM bulletins WHERE topic = '";

	strcat(buf, topic);
	return run_sql(st, buf);
}

static const char *movable = "SELECT 1";

static int
moved(struct store *st)
{
	return run_sql(st, movable);
}
EOF
run $LINT bad
expect_rc 1
expect_err "bad/built.c:6: xasprintf() builds SQL text at run time"
expect_err "bad/built.c:7: sqlite3_prepare_v2() runs SQL that is not a constant: sql"
expect_err "bad/wrapped.c:14: run_sql() runs SQL that is not a constant: buf"
expect_err "bad/wrapped.c:22: run_sql() runs SQL that is not a constant: movable"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 4 ] || fail "four findings expected"

# --- What it must let through. -----------------------------------------------
cat >good/ok.c <<'EOF'
#define COLS "id, title"
static const char sql_one[] = "SELECT " COLS " FROM bulletins WHERE id = ?";
static const char *const sql_two = "DELETE FROM bulletins WHERE id = ?";

static int
prep(sqlite3 *db, const char *sql, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, sql, -1, q, NULL);
}

static int
uses(sqlite3 *db, sqlite3_stmt **q, const char *title)
{
	char *msg;

	xasprintf(&msg, "cannot select or update %s: where is it?", title);
	free(msg);
	return prep(db, sql_one, q) || prep(db, sql_two, q) ||
	    prep(db, "SELECT " COLS " FROM bulletins WHERE title = ?", q) ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}
EOF
mkdir good/inc
cat >good/inc/cond.h <<'EOF'
#define COND "id > ?1" \
    " AND title IS NOT NULL"
#define NOT_SQL pick_condition()
EOF
cat >good/header.c <<'EOF'
#include "inc/cond.h"
static const char sql_cond[] = "SELECT id FROM bulletins WHERE " COND;

static int
cond(sqlite3 *db, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, sql_cond, -1, q, NULL);
}
EOF
run $LINT good
expect_rc 0
# A header's macro that is not a literal does not make SQL a constant.
cat >good/header-bad.c <<'EOF'
#include "inc/cond.h"
static int
cond2(sqlite3 *db, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, NOT_SQL, -1, q, NULL);
}
EOF
run $LINT good
expect_rc 1; expect_err "header-bad.c:5: sqlite3_prepare_v2() runs SQL that is not a constant"
rm good/header-bad.c

# --- The allow-list: a reason each, and no entry that excuses nothing. -------
printf 'built.c find SELECT id\n' >noreason.allow
run $LINT --allow noreason.allow bad/built.c
expect_rc 2; expect_err "noreason.allow:1: an entry is PATH FUNCTION TEXT -- REASON"
printf 'built.c find SELECT id -- a test\nbuilt.c find sql -- a test\nbuilt.c gone x -- stale\n' >stale.allow
run $LINT --allow stale.allow bad/built.c
expect_rc 2; expect_err "stale.allow:3: allow-list entry matches nothing"
printf 'built.c find SELECT id -- a test\nbuilt.c find sql -- a test\n' >ok.allow
run $LINT --allow ok.allow bad/built.c
expect_rc 0

# --- Quotes and SQL in input are stored and shown as they came. --------------
cat >st.conf <<EOF
station = { code = "SQL-TT"; name = "Đài thử"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; };
EOF
"$LOAXA_GEN_AUDIO" --format wav --kind speech --seconds 2 --seed 9 a.wav >/dev/null ||
    fail "gen-audio"
EVIL="x'); DROP TABLE bulletins; --"
run $LOAXA -c st.conf import --title "$EVIL" --agency "O'Brien \"; DELETE FROM airings; --" \
    --approve --by "' OR '1'='1" a.wav
expect_rc 0
run $LOAXA -c st.conf list --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert len(r) == 1, r
assert r[0]["title"] == sys.argv[1], r
assert r[0]["agency"] == "O'"'"'Brien \"; DELETE FROM airings; --", r
' "$EVIL" || fail "hostile text was not kept as it came: $OUT"
CHECKS=$((CHECKS + 1))
run $LOAXA -c st.conf list --status "approved' OR '1'='1"
expect_rc 2
run $LOAXA -c st.conf show 1
expect_rc 0; expect_out "' OR '1'='1"
echo "sql: $CHECKS checks"
