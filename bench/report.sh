#!/bin/sh
# bench/report: 1,000,000 airings over 200 bulletins and 3 years (2024-2026,
# 48 half-hourly slots a day, 19 items a slot; some missed, interrupted and
# failed) written into a real station database with the sqlite3 CLI (one
# transaction, a recursive CTE). Then:
#   - `loaxa report --period 2026` (the annual report, a third of the rows)
#     against the sqlite3 CLI running the same GROUP BY queries on the same
#     database. Targets: under 1 s, and within 1.5x of the sqlite3 CLI.
#   - `loaxa export` of all 1M rows and `loaxa verify` of the file. Targets:
#     under 5 s each.
# Each timing is the best of 3 runs.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
command -v sqlite3 >/dev/null || { echo "bench/report: needs the sqlite3 CLI" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-report.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
cat > loaxa.conf <<'CONF'
station = { code = "BENCH"; name = "Đài truyền thanh xã (bench)"; commune = "Toàn Thắng";
            timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "./data"; };
CONF
export LOAXA_CONFIG="$T/loaxa.conf"
"$LOAXA" log --from 2020-01-01 --to 2020-01-01 >/dev/null   # creates the data
# The station's key signs the export; listed as trusted, verify accepts it.
KEY=$("$LOAXA" key station 2>/dev/null)
echo "trust = { stations = ( { code = \"BENCH\"; key = \"$KEY\"; } ); };" >> loaxa.conf
DB=data/loaxa.db

start=$(date +%s%N)
sqlite3 "$DB" <<'SQL'
BEGIN;
WITH RECURSIVE b(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM b WHERE i < 200)
INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, min_airings,
  format, sample_rate, channels, duration_ms, size, approved_sha256, imported_at)
SELECT i, printf('%064x', i * 2654435761), 'f', 'Bản tin ' || i,
  (SELECT value FROM json_each('["cchc","chinhsach","dautu","chinhquyen","tthc","doanhnghiep","danchu"]')
   WHERE key = i % 7), 'TT VH-TT&DL huyện', 'approved', CASE WHEN i % 5 = 0 THEN 2000 ELSE 0 END,
  'wav', 48000, 1, 90000, 1000, printf('%064x', i * 2654435761), 0 FROM b;
-- 2024-01-01T00:00+07:00 is 1704042000000.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999),
r AS (SELECT i, i / 19 AS occ, i % 19 AS item,
  1704042000000 + (i / 19 / 48) * 86400000 + ((i / 19) % 48) * 1800000 AS slot_start,
  (i * 7919) % 200 + 1 AS b FROM n)
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, priority, scheduled_at,
  started_at, ended_at, played_ms, outcome, reason)
SELECT
  CASE WHEN occ % 50 = 7 THEN NULL ELSE b END,
  CASE WHEN occ % 50 = 7 THEN NULL ELSE printf('%064x', b * 2654435761) END,
  'slot ' || (occ % 48), slot_start, 'normal', slot_start + item * 90000,
  CASE WHEN occ % 50 = 7 OR i % 211 = 5 THEN NULL ELSE slot_start + item * 90000 END,
  CASE WHEN occ % 50 = 7 OR i % 211 = 5 THEN NULL
       WHEN i % 97 = 3 THEN slot_start + item * 90000 + 30000
       ELSE slot_start + item * 90000 + 90000 END,
  CASE WHEN occ % 50 = 7 OR i % 211 = 5 THEN 0 WHEN i % 97 = 3 THEN 30000 ELSE 90000 END,
  CASE WHEN occ % 50 = 7 THEN 'missed' WHEN i % 211 = 5 THEN 'failed'
       WHEN i % 97 = 3 THEN 'interrupted' ELSE 'completed' END,
  CASE WHEN occ % 50 = 7 THEN (CASE occ % 3 WHEN 0 THEN 'controller off'
       WHEN 1 THEN 'no content' ELSE 'device' END)
       WHEN i % 211 = 5 THEN 'device' WHEN i % 97 = 3 THEN 'emergency' END
FROM r;
COMMIT;
ANALYZE;
SQL
end=$(date +%s%N)
rows=$(sqlite3 "$DB" "SELECT count(*) FROM airings")
echo "bench/report: generated $rows airings over 200 bulletins in $(( (end - start) / 1000000 )) ms"

# Best of 3 wall-clock runs of a command, in ms.
best() {
	b=""
	for run in 1 2 3; do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		ms=$(( (e - s) / 1000000 ))
		if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
	done
	echo "$b"
}

# The annual report 2026: 15 Dec 2025 (1765731600000) to 15 Dec 2026
# (1797267600000), the same queries reports/coverage.c runs.
FROM=1765731600000 TO=1797267600000 TO2=1797440400000
cat > queries.sql <<SQL
SELECT reason, count(*) FROM (
 SELECT CASE WHEN max(started_at IS NOT NULL) THEN NULL ELSE
  coalesce(max(CASE WHEN outcome IN ('missed', 'skipped') THEN reason END),
  max(reason), 'unknown') END AS reason
 FROM airings
 WHERE scheduled_at >= $FROM AND scheduled_at < $TO2
  AND slot_start >= $FROM AND slot_start < $TO AND slot IS NOT NULL
 GROUP BY slot_start, slot)
 GROUP BY reason ORDER BY count(*) DESC, reason;
SELECT bulletin_id, outcome, reason, count(*), count(started_at),
 total(played_ms), min(started_at), max(started_at)
 FROM airings INDEXED BY airings_by_time
 WHERE scheduled_at >= $FROM AND scheduled_at < $TO AND bulletin_id IS NOT NULL
 GROUP BY bulletin_id, outcome, reason;
SELECT id, sha256, title, agency, topic, min_airings FROM bulletins;
SELECT id, sha256, title, agency, topic, min_airings FROM bulletins
 WHERE min_airings > 0 AND status IN ('approved', 'retired')
  AND coalesce(valid_from, '0000-00-00') <= '2026-12-14'
  AND coalesce(valid_until, '9999-99-99') >= '2025-12-15';
SQL
cli_ms=$(best sqlite3 "$DB" ".read queries.sql")
rep_ms=$(best "$LOAXA" report --period 2026 --format json)
"$LOAXA" report --period 2026 --format json > report.json
inperiod=$(sqlite3 "$DB" "SELECT count(*) FROM airings WHERE scheduled_at >= $FROM AND scheduled_at < $TO")
ratio=$(awk -v a="$rep_ms" -v b="$cli_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "bench/report: annual report 2026 ($inperiod airings): loaxa $rep_ms ms, sqlite3 CLI $cli_ms ms, ratio ${ratio}x (targets: < 1000 ms, <= 1.5x)"

exp_ms=$(best "$LOAXA" export --from 2024-01-01 --to 2027-01-01 --out all.lxe)
size=$(wc -c < all.lxe)
ver_ms=$(best "$LOAXA" verify all.lxe)
"$LOAXA" verify all.lxe
echo "bench/report: export of $rows rows ($(( size / 1048576 )) MiB): $exp_ms ms; verify: $ver_ms ms (targets: < 5000 ms each)"

fail=0
[ "$rep_ms" -lt 1000 ] || { echo "bench/report: report over 1 s" >&2; fail=1; }
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }' || { echo "bench/report: report over 1.5x the sqlite3 CLI" >&2; fail=1; }
[ "$exp_ms" -lt 5000 ] || { echo "bench/report: export over 5 s" >&2; fail=1; }
[ "$ver_ms" -lt 5000 ] || { echo "bench/report: verify over 5 s" >&2; fail=1; }
exit $fail
