# Reports end to end: the airing log, the coverage report in every format,
# signed exports and tampering, and a district merge of three stations.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (tools/deps)"; exit 1; }
HAVE_PY=0
command -v python3 >/dev/null && HAVE_PY=1

# A station's config: code, name, data directory.
station_conf() {
	cat > "$1.conf" <<CONF
station = { code = "$1"; name = "Đài truyền thanh xã $2"; commune = "$2";
            district = "Kim Động"; province = "Hưng Yên"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/$1-data"; };
CONF
}

# Fills a station's log: 2026-01-05 aired (bulletin 1, 5 min), 2026-01-06
# interrupted by an emergency (1 min), 2026-01-07 missed (controller off),
# 2026-06-14 23:00 aired (the last day of 2026-H1), 2026-06-15 aired (outside).
fill() {
	sqlite3 "$T/$1-data/loaxa.db" <<'SQL'
INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, min_airings,
  format, sample_rate, channels, duration_ms, size, approved_sha256, imported_at)
VALUES (1, printf('%064d', 1), 'f', 'Cải cách hành chính, "PAPI"', 'cchc',
  'TT VH-TT&DL Kim Động', 'approved', 3, 'wav', 48000, 1, 300000, 1, printf('%064d', 1), 1),
  (2, printf('%064d', 2), 'f', 'Quy chế dân chủ', 'danchu', 'UBND xã', 'approved', 1,
  'wav', 48000, 1, 300000, 1, printf('%064d', 2), 1);
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome, reason) VALUES
  (1, printf('%064d', 1), 'Buổi sáng', 1767565800000, 1767565800000, 1767565800000,
   1767566100000, 300000, 'completed', NULL),
  (1, printf('%064d', 1), 'Buổi sáng', 1767652200000, 1767652200000, 1767652200000,
   1767652260000, 60000, 'interrupted', 'emergency'),
  (NULL, NULL, 'Buổi sáng', 1767738600000, 1767738600000, NULL, NULL, 0, 'missed',
   'controller off'),
  (2, printf('%064d', 2), 'Buổi tối', 1781452800000, 1781452800000, 1781452800000,
   1781453100000, 300000, 'completed', NULL),
  (2, printf('%064d', 2), 'Buổi sáng', 1781476200000, 1781476200000, 1781476200000,
   1781476500000, 300000, 'completed', NULL);
SQL
}

station_conf HY-KD-TT "Toàn Thắng"
C="-c HY-KD-TT.conf"

# The data directory is created on first use, without a key: the station's
# key (0600) is made only when asked, once.
run "$LOAXA" $C log
expect_rc 0; expect_out "SCHEDULED"
[ ! -e "$T/HY-KD-TT-data/station.key" ] || fail "a station key made unasked"
run "$LOAXA" $C export --period 2026-H1 --out a.lxe
expect_rc 1; expect_err "station.key: this station has no export key yet"
expect_err "loaxa key station"; expect_one_err_line
[ ! -e "$T/HY-KD-TT-data/station.key" ] || fail "export made a station key"
run "$LOAXA" $C key station
expect_rc 0; KEY_A=$OUT
expect_err "{ code = \"HY-KD-TT\"; key = \"$KEY_A\"; }"
[ "$(stat -c %a "$T/HY-KD-TT-data/station.key")" = 600 ] || fail "station key not 0600"
[ "$(sqlite3 "$T/HY-KD-TT-data/loaxa.db" "SELECT value FROM meta WHERE key = 'station_key'")" = "$KEY_A" ] ||
	fail "the public key is not in meta: $KEY_A"
[ ${#KEY_A} -eq 44 ] || fail "no public key: $KEY_A"
run "$LOAXA" $C key station
expect_rc 1; expect_err "station.key: already exists, public key $KEY_A"
fill HY-KD-TT

# The log: table, CSV with the contract's columns, JSON with ISO 8601 times.
run "$LOAXA" $C log
expect_rc 0; expect_out "Cải cách hành chính"; expect_out "controller off"
run "$LOAXA" $C log --format csv --from 2026-01-01 --to 2026-06-14
expect_rc 0
expect_out "id,station,bulletin,title,topic,sha256,slot,priority,scheduled_at,started_at,ended_at,played_ms,outcome,reason,detail"
[ "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf ] ||
    fail "log CSV has no byte-order mark"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 5 ] || fail "expected 4 rows in --from/--to"
run "$LOAXA" $C log --format json
expect_rc 0
expect_out '"scheduled_at": "2026-01-05T05:30:00.000+07:00"'
expect_out '"started_at": null'; expect_out '"outcome": "missed"'
expect_out '"station": "HY-KD-TT"'
if [ $HAVE_PY -eq 1 ]; then
	printf '%s' "$OUT" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 5, rows
need = "id station bulletin title topic sha256 slot priority scheduled_at started_at ended_at played_ms outcome reason detail".split()
for r in rows:
    for k in need:
        assert k in r, k
assert rows[1]["reason"] == "emergency" and rows[1]["played_ms"] == 60000
' || fail "log JSON does not hold the contract's fields"
fi
run "$LOAXA" $C log --format yaml
expect_rc 2; expect_err "unknown format 'yaml'"
run "$LOAXA" $C log --from 2026-02-30
expect_rc 2; expect_err "2026-02-30"; expect_one_err_line

# The report: text in Vietnamese by default, English on request.
run "$LOAXA" $C report --period 2026-H1
expect_rc 0
expect_out "BÁO CÁO KẾT QUẢ PHÁT THANH"; expect_out "15/12/2025 .. 14/06/2026"
expect_out "máy tắt"; expect_out "75,0"
run "$LOAXA" $C report --period 2026-H1 --lang en
expect_rc 0; expect_out "Compliance (%)"; expect_out "controller off"
run "$LOAXA" $C report
expect_rc 2; expect_err "which period"
run "$LOAXA" $C report --period 2026-H7
expect_rc 2; expect_err "unknown period '2026-H7'"
run "$LOAXA" $C report --period 2026 --from 2026-01-01 --to 2026-02-01
expect_rc 2
run "$LOAXA" $C report --period 2026-H1 --format pdf
expect_rc 2; expect_err "unknown format 'pdf'"
run "$LOAXA" $C report --period 2026-H1 --format xlsx
expect_rc 2; expect_err "--out"

# JSON: the known answers for 2026-H1 (the 15 June airing is outside it).
run "$LOAXA" $C report --period 2026-H1 --format json
expect_rc 0
if [ $HAVE_PY -eq 1 ]; then
	printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
s = r["slots"]
assert (s["scheduled"], s["aired"], s["missed"]) == (4, 3, 1), s
assert abs(s["compliance"] - 0.75) < 1e-9
assert s["missed_by"] == [{"reason": "controller off", "count": 1, "played_ms": 0}]
a = r["airings"]
assert (a["total"], a["completed"], a["interrupted"], a["played_ms"]) == (3, 2, 1, 660000), a
b = {x["id"]: x for x in r["bulletins"]}
assert b[1]["airings"] == 2 and b[1]["met"] is False and b[1]["min_airings"] == 3
assert b[2]["airings"] == 1 and b[2]["met"] is True
assert b[2]["last_airing"] == "2026-06-14T23:00:00.000+07:00"
assert r["quotas"] == {"required": 2, "met": 1}
assert r["interruptions"][0]["reason"] == "emergency"
assert [t["key"] for t in r["topics"]] == ["cchc", "danchu"]
' || fail "report JSON known answers"
fi

# CSV: a BOM, Vietnamese intact, read back by a CSV parser.
run "$LOAXA" $C report --period 2026-H1 --out r.csv
expect_rc 0
[ "$(head -c 3 r.csv | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "CSV has no BOM"
grep -q "Cải cách hành chính, \"\"PAPI\"\"" r.csv || fail "CSV quoting"
if [ $HAVE_PY -eq 1 ]; then
	python3 -c '
import csv
rows = list(csv.reader(open("r.csv", encoding="utf-8-sig", newline="")))
assert rows[0] == ["Mục", "Giá trị"], rows[0]
d = {r[0]: r[1] for r in rows if len(r) == 2}
assert d["Mã đài"] == "HY-KD-TT" and d["Số lượt theo lịch"] == "4"
titles = [r[1] for r in rows if len(r) == 11]
assert "Cải cách hành chính, \"PAPI\"" in titles, titles
' || fail "CSV does not read back"
fi

# HTML: the administrative header, well-formed.
run "$LOAXA" $C report --period 2026-H1 --format html --out r.html
expect_rc 0
grep -q "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" r.html || fail "no national header"
grep -q "Độc lập - Tự do - Hạnh phúc" r.html || fail "no motto"
grep -q "Toàn Thắng, ngày" r.html || fail "no place and date"
grep -q "NGƯỜI LẬP BÁO CÁO" r.html || fail "no signature block"
grep -q "size: A4" r.html || fail "not A4"
if command -v xmllint >/dev/null; then
	# The HTML 4 parser knows no SVG: the charts are checked as XML below.
	sed '/<svg /,/<\/svg>/d' r.html > r-nosvg.html
	xmllint --html --noout r-nosvg.html 2>xml.err || fail "HTML: $(cat xml.err)"
	[ ! -s xml.err ] || fail "HTML: $(cat xml.err)"
	xmllint --noout r.html 2>xml.err || fail "HTML is not well-formed XML: $(cat xml.err)"
fi

# XLSX: a real workbook with the same content.
run "$LOAXA" $C report --period 2026-H1 --out r.xlsx
expect_rc 0
if [ $HAVE_PY -eq 1 ]; then
	python3 -c '
import zipfile
z = zipfile.ZipFile("r.xlsx")
assert z.testzip() is None
names = z.namelist()
assert "xl/worksheets/sheet3.xml" in names, names
s = z.read("xl/sharedStrings.xml").decode()
assert "Cải cách hành chính" in s and "Tỷ lệ thực hiện" in s
assert "Tổng hợp" in z.read("xl/workbook.xml").decode()
' || fail "XLSX"
fi
# Opened by a real spreadsheet program when one is installed (gnumeric's
# ssconvert, or LibreOffice): every sheet converts, with the content.
if command -v ssconvert >/dev/null; then
	ssconvert -S r.xlsx sheet.csv >/dev/null 2>&1 || fail "ssconvert cannot open the XLSX"
	grep -q "Tỷ lệ thực hiện" sheet.csv.0 || fail "XLSX summary sheet"
	grep -q "máy tắt" sheet.csv.0 || fail "XLSX missed reasons"
	grep -q "Quy chế dân chủ" sheet.csv.2 || fail "XLSX bulletins sheet"
elif command -v libreoffice >/dev/null; then
	libreoffice --headless --convert-to csv --outdir lo r.xlsx >/dev/null 2>&1
	grep -q "Tỷ lệ thực hiện" lo/r.csv || fail "LibreOffice cannot open the XLSX"
fi
# A rate is never rounded up, and every format carries every figure: 2,000
# hourly slots from 2025-12-15 in HY-KD-RR, 1 missed (99.95 %: 99.9), 6
# interrupted, 3 failed (started, so the slot aired), 1,990 completed.
station_conf HY-KD-RR "Rạng Rỡ"
run "$LOAXA" -c HY-KD-RR.conf log; expect_rc 0
sqlite3 "$T/HY-KD-RR-data/loaxa.db" <<'SQL'
INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, min_airings,
  format, sample_rate, channels, duration_ms, size, approved_sha256, imported_at)
VALUES (1, printf('%064d', 1), 'f', 'Tin xã', 'cchc', 'UBND xã', 'approved', 0, 'wav',
  48000, 1, 60000, 1, printf('%064d', 1), 1);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999)
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome, reason)
SELECT CASE WHEN i = 0 THEN NULL ELSE 1 END, CASE WHEN i = 0 THEN NULL ELSE printf('%064d', 1) END,
  'Giờ', 1765731600000 + i * 3600000, 1765731600000 + i * 3600000,
  CASE WHEN i = 0 THEN NULL ELSE 1765731600000 + i * 3600000 END,
  CASE WHEN i = 0 THEN NULL ELSE 1765731600000 + i * 3600000 + 60000 END,
  CASE WHEN i = 0 THEN 0 ELSE 60000 END,
  CASE WHEN i = 0 THEN 'missed' WHEN i <= 6 THEN 'interrupted' WHEN i <= 9 THEN 'failed'
  ELSE 'completed' END,
  CASE WHEN i = 0 THEN 'controller off' WHEN i <= 6 THEN 'emergency' WHEN i <= 9 THEN 'device' END
FROM n;
SQL
RR="-c HY-KD-RR.conf report --period 2026-H1"
run "$LOAXA" $RR --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
s, a = r["slots"], r["airings"]
assert (s["scheduled"], s["aired"], s["missed"]) == (2000, 1999, 1), s
assert s["compliance"] <= 0.9995, s
assert (a["total"], a["completed"], a["interrupted"], a["failed"]) == (1999, 1990, 6, 3), a
' || fail "2,000 slots: JSON"
for f in txt csv html xlsx; do
	run "$LOAXA" $RR --out rr.$f; expect_rc 0
done
[ $HAVE_PY -eq 1 ] && python3 - <<'PY' || fail "2,000 slots: a format rounds up or lacks a figure"
import csv, re, zipfile, xml.etree.ElementTree as ET

def xlsx_rows(path):
    z = zipfile.ZipFile(path)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = [si.findtext("m:t", "", ns) for si in
               ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    rows = []
    for row in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter("{%s}row" % ns["m"]):
        cells = []
        for c in row.findall("m:c", ns):
            v = c.findtext("m:v", "", ns)
            cells.append(strings[int(v)] if c.get("t") == "s" else v)
        rows.append(cells)
    return rows

def has(rows, label, value):
    for r in rows:
        if any(label in x for x in r[:1]) and any(x == value or x.startswith(value) for x in r[1:]):
            return True
    return False

text = open("rr.txt", encoding="utf-8").read().splitlines()
html = open("rr.html", encoding="utf-8").read().splitlines()
rows = {
    "text": [[l[:34].strip()] + l[34:].split() for l in text],
    "csv": list(csv.reader(open("rr.csv", encoding="utf-8-sig", newline=""))),
    "html": [re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", l) for l in html],
    "xlsx": xlsx_rows("rr.xlsx"),
}
want = [("Số lượt theo lịch", "2000"), ("Đã phát", "1999"), ("Không phát được", "1"),
        ("Lượt phát", "1999"), ("Phát trọn vẹn", "1990"), ("Bị ngắt", "6"), ("Lỗi", "3"),
        ("Số phút", "1999")]
def vi(num):
    """A dot-decimal number as a Vietnamese reader writes it: 1.999,5."""
    whole, _, frac = num.partition(".")
    whole = "{:,}".format(int(whole)).replace(",", ".")
    return whole + ("," + frac if frac else "")

# Text and HTML are for people: the same figures in Vietnamese form.
for fmt, r in rows.items():
    human = fmt in ("text", "html")
    for label, value in want:
        assert has(r, label, vi(value) if human else value), (fmt, label, value)
    rate = "0.999" if fmt == "xlsx" else "99,9" if human else "99.9"
    assert has(r, "Tỷ lệ thực hiện", rate), (fmt, "rate")
    assert not has(r, "Tỷ lệ thực hiện", "100") and not has(r, "Tỷ lệ thực hiện", "0.9995"), (fmt, "rounded up")
PY
CHECKS=$((CHECKS + 1))

# Slots scheduled come from the timetable, not only from the log: a station
# created on 2025-11-01 (meta created_at) that never ran has every slot of
# 2026-11-02..2026-11-08 missed with the controller off (7 daily + 5 weekday).
station_conf HY-KD-TL "Toàn Lâm"
cat >> HY-KD-TL.conf <<'CONF'
playlists = ( { name = "p"; mode = "rotate"; topics = [ "cchc" ]; } );
timetable = ( { name = "Sáng"; days = "daily"; start = "05:30"; length = "20m"; playlist = "p"; },
              { name = "Tối"; days = "weekdays"; start = "23:50"; length = "20m"; playlist = "p"; } );
CONF
run "$LOAXA" -c HY-KD-TL.conf log; expect_rc 0
sqlite3 "$T/HY-KD-TL-data/loaxa.db" "UPDATE meta SET value = '1761930000000' WHERE key = 'created_at'"
run "$LOAXA" -c HY-KD-TL.conf report --from 2026-11-02 --to 2026-11-08 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
s = json.load(sys.stdin)["slots"]
assert (s["scheduled"], s["aired"], s["missed"]) == (12, 0, 12), s
assert s["missed_by"] == [{"reason": "controller off", "count": 12, "played_ms": 0}], s
' || fail "days before the first run: every slot missed"
[ "$(sqlite3 "$T/HY-KD-TL-data/loaxa.db" "SELECT in_force_from || recorded_by FROM timetables")" = 1761930000000report ] ||
    fail "the report did not record the timetable as in force since the store's creation"
# A programme across the 14/15 December cut-off (Tối of 14 Dec 23:50, an
# item at 00:05 on 15 Dec) belongs to the period of its slot, whole.
sqlite3 "$T/HY-KD-TL-data/loaxa.db" <<'SQL'
INSERT INTO bulletins (id, sha256, file, title, topic, status, format, sample_rate,
  channels, duration_ms, size, approved_sha256, imported_at)
VALUES (1, printf('%064d', 1), 'f', 'Tin', 'cchc', 'approved', 'wav', 48000, 1, 300000, 1,
  printf('%064d', 1), 1);
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome) VALUES
  (1, printf('%064d', 1), 'Tối', 1765731000000, 1765731000000, 1765731000000, 1765731300000, 300000, 'completed'),
  (1, printf('%064d', 1), 'Tối', 1765731000000, 1765731900000, 1765731900000, 1765732200000, 300000, 'completed');
SQL
run "$LOAXA" -c HY-KD-TL.conf report --from 2025-12-14 --to 2025-12-14 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
a = json.load(sys.stdin)["airings"]
assert (a["total"], a["played_ms"]) == (2, 600000), a
' || fail "a programme across the cut-off is split"
run "$LOAXA" -c HY-KD-TL.conf report --period 2026-H1 --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
assert json.load(sys.stdin)["airings"]["total"] == 0
' || fail "the next period counts an item of a programme of the one before"
run "$LOAXA" -c HY-KD-TL.conf key station; expect_rc 0
run "$LOAXA" -c HY-KD-TL.conf export --from 2025-12-14 --to 2025-12-14 --out tl.lxe
expect_rc 0; expect_out "tl.lxe: 2 airings"
CHECKS=$((CHECKS + 1))

# The --out file is not left half-written when the directory is missing.
run "$LOAXA" $C report --period 2026-H1 --out "$T/nodir/r.txt"
expect_rc 1; expect_err "$T/nodir/r.txt"; expect_one_err_line

# Signed export and verify.
run "$LOAXA" $C export --period 2026-H1 --out a.lxe
expect_rc 0; expect_out "a.lxe: 4 airings of station HY-KD-TT"; expect_out "$KEY_A"
# Intact, but its key is not in trust.stations (nor is there any
# configuration to list it): untrusted, not ok.
run "$LOAXA" $C verify a.lxe
expect_rc 3; expect_err "a.lxe: untrusted: station HY-KD-TT"; expect_err "$KEY_A"
expect_one_err_line
[ -z "$OUT" ] || fail "an untrusted export printed: $OUT"
mkdir noconf
run sh -c "cd noconf && env -u LOAXA_CONFIG \"$LOAXA\" verify ../a.lxe"
expect_rc 3; expect_err "a.lxe: untrusted"
run "$LOAXA" $C export --out x.lxe
expect_rc 2
# A changed row.
sed 's/\t60000\tinterrupted\temergency/\t300000\tcompleted\t\\N/' a.lxe > changed.lxe
run "$LOAXA" $C verify changed.lxe
expect_rc 3; expect_out "changed.lxe:"; expect_out "row 2 changed"
expect_err "changed.lxe: rejected: 1 changed"; expect_one_err_line
# A removed row.
awk '!(/^row/ && ++n == 3)' a.lxe > removed.lxe
run "$LOAXA" $C verify removed.lxe
expect_rc 3; expect_out "row 3 removed"; expect_one_err_line
# Two rows swapped.
awk '/^row/ { n++; if (n == 1) { keep = $0; next } print; if (n == 2) print keep; next } { print }' a.lxe > swapped.lxe
run "$LOAXA" $C verify swapped.lxe
expect_rc 3; expect_out "row 1 out of order (reordered)"
# An inserted row (a copy of one).
awk '/^row/ && ++n == 2 { print } { print }' a.lxe > inserted.lxe
run "$LOAXA" $C verify inserted.lxe
expect_rc 3; expect_out "row 2 inserted"
# Not an export at all; a missing file.
echo "hello" > junk.lxe
run "$LOAXA" $C verify junk.lxe
expect_rc 3; expect_err "junk.lxe: not a loaxa airing-log export"; expect_one_err_line
run "$LOAXA" $C verify nonexistent.lxe
expect_rc 3; expect_err "nonexistent.lxe: No such file"; expect_one_err_line

# The district merge: three stations, one forged, one that sent nothing.
station_conf HY-KD-MD "Mai Động"
station_conf HY-KD-NT "Nghĩa Dân"
for s in HY-KD-MD HY-KD-NT; do
	run "$LOAXA" -c $s.conf key station; expect_rc 0
	fill $s
done
KEY_B=$(sqlite3 "$T/HY-KD-MD-data/loaxa.db" "SELECT value FROM meta WHERE key = 'station_key'")
KEY_C=$(sqlite3 "$T/HY-KD-NT-data/loaxa.db" "SELECT value FROM meta WHERE key = 'station_key'")
run "$LOAXA" -c HY-KD-MD.conf export --period 2026-H1 --out b.lxe; expect_rc 0
# A forger with its own key claims to be HY-KD-NT.
sed "s|$T/HY-KD-NT-data|$T/forger-data|" HY-KD-NT.conf > forger.conf
run "$LOAXA" -c forger.conf key station; expect_rc 0
fill forger
run "$LOAXA" -c forger.conf export --period 2026-H1 --out c.lxe; expect_rc 0
cat > district.conf <<CONF
station = { code = "HY-KD"; name = "Trung tâm VH-TT&DL huyện Kim Động"; commune = "Kim Động";
            district = "Kim Động"; province = "Hưng Yên"; };
paths = { data = "$T/district-data"; };
trust = { stations = ( { code = "HY-KD-TT"; key = "$KEY_A"; },
                       { code = "HY-KD-MD"; key = "$KEY_B"; },
                       { code = "HY-KD-NT"; key = "$KEY_C"; },
                       { code = "HY-KD-XX"; key = "$KEY_A"; } ); };
CONF
run "$LOAXA" -c district.conf verify a.lxe b.lxe
expect_rc 0; expect_out "(trusted)"
run "$LOAXA" -c district.conf verify c.lxe
expect_rc 3; expect_err "c.lxe: rejected: signed with key"
run "$LOAXA" -c district.conf report --merge a.lxe b.lxe c.lxe changed.lxe
expect_rc 3
expect_err "c.lxe: rejected: signed with key"
expect_err "changed.lxe: rejected: "
expect_out "HY-KD-TT"; expect_out "HY-KD-MD"; expect_out "BỊ TỪ CHỐI"
expect_out "không gửi số liệu"; expect_out "HY-KD-XX"
run "$LOAXA" -c district.conf report --merge --format json a.lxe b.lxe c.lxe
expect_rc 3
if [ $HAVE_PY -eq 1 ]; then
	printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
st = {(s["code"], s["status"]) for s in r["stations"]}
assert ("HY-KD-TT", "ok") in st and ("HY-KD-MD", "ok") in st, st
assert ("HY-KD-NT", "rejected") in st and ("HY-KD-XX", "missing") in st, st
codes = [s["code"] for s in r["stations"]]
assert sorted(codes) == ["HY-KD-MD", "HY-KD-NT", "HY-KD-TT", "HY-KD-XX"], codes
t = r["totals"]
assert (t["trusted"], t["accepted"], t["rejected"], t["missing"]) == (4, 2, 1, 1), t
assert (t["slots"]["scheduled"], t["slots"]["aired"], t["airings"]["total"]) == (8, 6, 6), t
assert r["missing"] == ["HY-KD-XX"], r["missing"]
assert [x["file"] for x in r["refused"]] == ["c.lxe"], r["refused"]
assert {x["key"]: x["airings"] for x in r["topics"]} == {"cchc": 4, "danchu": 2}
' || fail "merge JSON"
fi
run "$LOAXA" -c district.conf report --merge --format html --out d.html a.lxe b.lxe
expect_rc 0
grep -q "BÁO CÁO TỔNG HỢP" d.html || fail "district HTML title"
if command -v xmllint >/dev/null; then
	xmllint --noout d.html || fail "district HTML is not well-formed"
fi
# The chart of compliance per commune: sorted, best first, the communes under
# 90 % marked, and a line at 90 %; the rates are the district table's.
[ $HAVE_PY -eq 1 ] && python3 - <<'PY' || fail "district chart of compliance per commune"
import re, xml.etree.ElementTree as ET
html = open("d.html", encoding="utf-8").read()
svgs = re.findall(r"<svg .*?</svg>", html, re.S)
assert len(svgs) == 1, len(svgs)
svg = ET.fromstring(svgs[0])
texts = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
assert "Tỷ lệ thực hiện theo xã (%)" in texts and "90 %" in texts, texts
rates = [t for t in texts if re.match(r"^\d+,\d( - dưới ngưỡng)?$", t)]
values = [float(t.split()[0].replace(",", ".")) for t in rates]
assert values and values == sorted(values, reverse=True), rates
for t, v in zip(rates, values):
    assert ("dưới ngưỡng" in t) == (v < 90), t
    assert t.split()[0] in html.split("<svg", 1)[0], ("rate not in the table", t)
PY
run "$LOAXA" -c district.conf report --merge --out d.xlsx a.lxe b.lxe
expect_rc 0
run "$LOAXA" -c district.conf report --merge --format csv a.lxe b.lxe
expect_rc 0; expect_out "HY-KD-MD"
# Options may follow the files.
run "$LOAXA" -c district.conf report --merge a.lxe b.lxe --lang en
expect_rc 0; expect_out "DISTRICT BROADCAST COVERAGE REPORT"; expect_out "Stations that sent nothing"
# Nothing good at all: still a report, every failure named.
run "$LOAXA" -c district.conf report --merge junk.lxe changed.lxe
expect_rc 3; expect_err "junk.lxe: rejected: not a loaxa airing-log export"
expect_out "HY-KD-TT"
# A district asking for another period refuses exports of 2026-H1.
run "$LOAXA" -c district.conf report --merge --period 2026 a.lxe
expect_rc 3; expect_err "covers 2025-12-15..2026-06-14"
run "$LOAXA" -c district.conf report --merge
expect_rc 2
echo "$CHECKS checks"
