# loaxa plan end to end: the timetable and playlists sections through `loaxa
# check`, then plans over bulletins and airings written straight into the
# station's database (planning needs no audio): rotation, quotas met and
# short, content that must never be planned, the airing log's effect, JSON.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

cat > st.conf <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; };
playlists = ( { name = "papi"; mode = "rotate"; topics = [ "cchc" ]; },
              { name = "le"; mode = "fixed"; items = [ "3", "1" ]; } );
timetable = ( { name = "Buổi sáng"; days = "daily"; start = "05:30"; length = "2m";
                playlist = "papi"; },
              { name = "Quốc khánh"; date = "2026-09-02"; start = "07:00:00"; length = "20m";
                playlist = "le"; priority = "priority"; } );
CONF
L="$LOAXA -c st.conf"
run $LOAXA check st.conf
expect_rc 0; expect_out "ok (station HY-KD-TT"

# Bad sections: FILE:LINE and a suggestion, exit 2.
cat > bad.conf <<'CONF'
station = { code = "A"; name = "B"; };
playlists = ( { name = "papi"; mode = "rotate"; } );
timetable = ( { name = "S"; days = "dayly"; start = "05:30"; end = "06:00"; playlist = "pap"; } );
CONF
run $LOAXA check bad.conf
expect_rc 2
expect_err "bad.conf:3: slot 'S': unknown day 'dayly'; did you mean 'daily'?"
expect_err "bad.conf:3: slot 'S': unknown playlist 'pap'; did you mean 'papi'?"

# An empty library: every occurrence is missed for want of content.
run $L plan --from 2026-09-01 --days 2
expect_rc 0; expect_out "2026-09-01 05:30:00 - 05:32:00  Buổi sáng"; expect_out "missed: no content"
expect_out "2026-09-02 07:00:00 - 07:20:00  Quốc khánh  [priority, playlist le]"

# Bulletins: 1-4 approved cchc (60 s), 5 pending, 6 retired, 7 expired, 8 from the
# future, 9 another topic; 4 must air 5 times by 2026-09-05.
python3 - data/loaxa.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [(1, 'approved', None, None, 0, 'cchc'), (2, 'approved', None, None, 0, 'cchc'),
        (3, 'approved', None, None, 0, 'cchc'), (4, 'approved', None, '2026-09-05', 5, 'cchc'),
        (5, 'pending', None, None, 0, 'cchc'), (6, 'retired', None, None, 0, 'cchc'),
        (7, 'approved', None, '2026-08-31', 0, 'cchc'), (8, 'approved', '2026-10-01', None, 0, 'cchc'),
        (9, 'approved', None, None, 0, 'tthc'), (10, 'approved', None, '2026-09-03', 9, 'cchc')]
for i, status, vf, vu, mins, topic in rows:
    sha = '%064x' % (i * 7919)
    db.execute("INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, valid_from,"
               " valid_until, min_airings, format, sample_rate, channels, duration_ms, size,"
               " approved_sha256, imported_at) VALUES (?, ?, ?, ?, ?, 'UBND', ?, ?, ?, ?, 'wav',"
               " 8000, 1, 60000, 1, ?, 0)",
               (i, sha, sha, 'Bản tin %d' % i, topic, status, vf, vu, mins,
                sha if status == 'approved' else None))
# The log: 1 and 2 aired yesterday; 3 never.
for b, t in ((1, 1788220800000), (2, 1788220860000)):
    db.execute("INSERT INTO airings (bulletin_id, scheduled_at, started_at, ended_at, played_ms,"
               " outcome) VALUES (?, ?, ?, ?, 60000, 'completed')", (b, t, t, t + 60000))
db.commit()
PY
run $L plan --from 2026-09-01 --days 5
expect_rc 0
# Quotas first (10: 9 in 3 days, most urgent; 4: 5 in 5 days), then the least aired (3).
expect_out "2026-09-01 05:30:00 - 05:32:00  Buổi sáng"
expect_out "  05:30:00  #10    1m00s     Bản tin 10  [cchc]"
expect_out "  05:31:00  #4     1m00s     Bản tin 4  [cchc]"
expect_out "  07:00:00  #3     1m00s     Bản tin 3  [cchc]"
expect_out "  07:01:00  #1     1m00s     Bản tin 1  [cchc]"
expect_out "#4     Bản tin 4: 5 by 2026-09-05; 0 aired, 5 planned: met"
expect_out "#10    Bản tin 10: 9 by 2026-09-03; 0 aired, 3 planned: short by 6"
for n in 5 6 7 8 9; do
	case "$OUT" in *"#$n "*) fail "bulletin $n was planned" ;; esac
done
CHECKS=$((CHECKS + 5))

# JSON: one document, the log's fields, and the same plan.
run $L plan --from 2026-09-01 --days 5 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
occ = d["occurrences"]
assert d["station"] == "HY-KD-TT" and d["from"] == "2026-09-01T00:00:00.000+07:00", d["from"]
assert len(occ) == 6, len(occ)
assert occ[0]["scheduled_at"] == "2026-09-01T05:30:00.000+07:00"
assert [i["bulletin"] for i in occ[0]["items"]] == [10, 4]
ids = {i["bulletin"] for o in occ for i in o["items"]}
assert not ids & {5, 6, 7, 8, 9}, ids
q = {r["bulletin"]: r for r in d["required"]}
assert q[4]["met"] and q[4]["planned"] == 5 and not q[10]["met"] and q[10]["short_by"] == 6, q
' || fail "plan JSON"
CHECKS=$((CHECKS + 1))

# Tags: a rotate playlist with tags plans the bulletins tagged with any of
# them and never an untagged one; with topics too, those that match both.
# 2 (cchc) and 9 (tthc) are tagged papi, 3 (cchc) bau-cu, the rest nothing.
python3 - data/loaxa.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executemany("INSERT INTO bulletin_tags VALUES (?, ?, 0, 'plan.sh')",
               [(2, 'papi'), (9, 'papi'), (3, 'bau-cu')])
db.commit()
PY
cat > tags.conf <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; };
playlists = ( { name = "papi"; mode = "rotate"; tags = [ "papi" ]; },
              { name = "xa"; mode = "rotate"; topics = [ "cchc" ]; tags = [ "papi", "bau-cu" ]; } );
timetable = ( { name = "Tin PAPI"; date = "2026-09-01"; start = "05:30"; length = "10m";
                playlist = "papi"; },
              { name = "Tin xã"; date = "2026-09-01"; start = "17:00"; length = "10m";
                playlist = "xa"; } );
CONF
run $LOAXA check tags.conf
expect_rc 0
run $LOAXA -c tags.conf plan --from 2026-09-01 --days 1 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
occ = json.load(sys.stdin)["occurrences"]
got = [[i["bulletin"] for i in o["items"]] for o in occ]
assert got == [[9, 2], [3, 2]], got
' || fail "tags playlists plan $OUT"
CHECKS=$((CHECKS + 1))
sed 's/tags = \[ "papi" \]/tags = [ "Papi" ]/' tags.conf > bad-tags.conf
run $LOAXA check bad-tags.conf
expect_rc 2; expect_err "bad-tags.conf:3: 'Papi' is not a tag"

# Without --from the plan starts with the slot on air now: one that began two
# minutes ago and runs three hours (the station's zone, Asia/Ho_Chi_Minh).
NOW_HM=$(TZ=Asia/Ho_Chi_Minh date -d '2 minutes ago' +%H:%M)
cat > now.conf <<CONF
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; };
playlists = ( { name = "papi"; mode = "rotate"; topics = [ "cchc" ]; } );
timetable = ( { name = "Đang phát"; days = "daily"; start = "$NOW_HM"; length = "3h";
                playlist = "papi"; } );
CONF
run $LOAXA -c now.conf plan --days 1
expect_rc 0; expect_out "$NOW_HM:00 - "; expect_out "Đang phát"
run $LOAXA -c now.conf plan --days 1 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
occ = json.load(sys.stdin)["occurrences"]
assert occ and occ[0]["scheduled_at"][11:16] == sys.argv[1], (sys.argv[1], occ[:1])
' "$NOW_HM" || fail "the slot on air now is not in the plan"
CHECKS=$((CHECKS + 1))

# Usage errors: exit 2, one line.
run $L plan --days 0
expect_rc 2; expect_err "--days '0' must be a number from 1 to 366"
run $L plan --from 2026-02-30
expect_rc 2; expect_err "--from '2026-02-30' is not a date"; expect_one_err_line
run $L plan --format xml
expect_rc 2; expect_err "unknown format 'xml'"
run $L plan extra
expect_rc 2; expect_err "usage: loaxa plan"
echo "plan: $CHECKS checks"
