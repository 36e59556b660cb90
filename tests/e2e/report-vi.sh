# The coverage report for Vietnamese readers: every figure of the JSON report
# appears, in Vietnamese form (1.234,5; 06/12/2026 13:20), in the text and
# HTML reports, and as the same number in the XLSX workbook, so that a
# formatting change can never change a figure. The HTML carries well-formed
# SVG charts (an empty one says why), and prints on A4 through headless
# Chromium: the pages are saved as PNG under build/report-pages/.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (tools/deps)"; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed (tools/deps)"; exit 1; }

cat > st.conf <<CONF
station = { code = "HY-KD-VI"; name = "Đài truyền thanh xã Toàn Thắng";
            commune = "Xã Toàn Thắng"; district = "Kim Động"; province = "Hưng Yên";
            timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/data"; };
topics = (
  { key = "cchc"; name = "Ý nghĩa, tầm quan trọng của cải cách hành chính, cải thiện Chỉ số PAPI"; },
  { key = "tthc"; name = "Văn bản pháp luật, thủ tục hành chính"; },
  { key = "danchu"; name = "Quy chế dân chủ ở cơ sở"; }
);
CONF
C="-c st.conf"
run "$LOAXA" $C log; expect_rc 0

# 2,100 half-hourly-ish slots from 2025-12-15 (every 2 h): one bulletin of
# each topic in turn, 4 min 30 s each; every 97th missed (controller off),
# every 41st interrupted by an emergency after 1 min 15 s, every 300th failed.
sqlite3 "$T/data/loaxa.db" <<'SQL'
INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, min_airings,
  format, sample_rate, channels, duration_ms, size, approved_sha256, imported_at)
VALUES (1, printf('%064d', 1), 'f', 'Cải cách hành chính & "PAPI"', 'cchc',
  'TT VH-TT&DL Kim Động', 'approved', 500, 'wav', 48000, 1, 270000, 1, printf('%064d', 1), 1),
  (2, printf('%064d', 2), 'f', 'Thủ tục hành chính mới', 'tthc', 'UBND xã', 'approved', 900,
  'wav', 48000, 1, 270000, 1, printf('%064d', 2), 1),
  (3, printf('%064d', 3), 'f', 'Quy chế dân chủ', 'danchu', 'UBND xã', 'approved', 10,
  'wav', 48000, 1, 270000, 1, printf('%064d', 3), 1);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2099)
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome, reason)
SELECT CASE WHEN i % 97 = 0 THEN NULL ELSE i % 3 + 1 END,
  CASE WHEN i % 97 = 0 THEN NULL ELSE printf('%064d', i % 3 + 1) END,
  'Giờ', 1765731600000 + i * 7200000, 1765731600000 + i * 7200000,
  CASE WHEN i % 97 = 0 THEN NULL ELSE 1765731600000 + i * 7200000 END,
  CASE WHEN i % 97 = 0 THEN NULL ELSE 1765731600000 + i * 7200000 + 270000 END,
  CASE WHEN i % 97 = 0 THEN 0 WHEN i % 41 = 0 THEN 75000 ELSE 270000 END,
  CASE WHEN i % 97 = 0 THEN 'missed' WHEN i % 41 = 0 THEN 'interrupted'
  WHEN i % 300 = 0 THEN 'failed' ELSE 'completed' END,
  CASE WHEN i % 97 = 0 THEN 'controller off' WHEN i % 41 = 0 THEN 'emergency'
  WHEN i % 300 = 0 THEN 'device' END
FROM n;
SQL

R="$C report --period 2026-H1"
run "$LOAXA" $R --format json; expect_rc 0
printf '%s' "$OUT" > r.json
run "$LOAXA" $R; expect_rc 0
printf '%s\n' "$OUT" > r.txt
for f in html xlsx csv; do
	run "$LOAXA" $R --out r.$f; expect_rc 0
done
run "$LOAXA" $R --format json --lang en; expect_rc 0
printf '%s' "$OUT" > r-en.json
cmp -s r.json r-en.json || fail "the JSON report depends on --lang"

python3 - <<'PY' || fail "a figure of the JSON report differs in a format for people"
import csv, json, re, zipfile, datetime, xml.etree.ElementTree as ET

def vi(num):
    """A dot-decimal number as a Vietnamese reader writes it: 1.234,5."""
    s = str(num)
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    whole = "{:,}".format(int(whole)).replace(",", ".")
    return ("-" if neg else "") + whole + ("," + frac if frac else "")

def vi_time(iso):
    """2026-01-05T05:30:00.000+07:00 -> 05/01/2026 05:30"""
    return "%s/%s/%s %s" % (iso[8:10], iso[5:7], iso[0:4], iso[11:16])

r = json.load(open("r.json"))
assert r["airings"]["total"] > 1000 and r["airings"]["minutes"] > 1000, r["airings"]
# (label, JSON figure, as it is shown for people)
figs = []
s, a, q = r["slots"], r["airings"], r["quotas"]
for label, v in (("Số lượt theo lịch", s["scheduled"]), ("Đã phát", s["aired"]),
                 ("Không phát được", s["missed"]), ("Lượt phát", a["total"]),
                 ("Phát trọn vẹn", a["completed"]), ("Bị ngắt", a["interrupted"]),
                 ("Lỗi", a["failed"]), ("Số phút", "%.1f" % a["minutes"]),
                 ("Bản tin có số lượt tối thiểu", q["required"]),
                 ("Bản tin đạt số lượt tối thiểu", q["met"])):
    figs.append((label, str(v), vi(v)))
# The rate: JSON's fraction rounded down to 4 decimals; people see a
# percentage rounded down to 1 decimal: the same rate, truncated.
rate = s["compliance"]
pct = "%d.%d" % divmod(int(round(rate * 10000)) // 10, 10)
figs.append(("Tỷ lệ thực hiện", pct, vi(pct)))

text = open("r.txt", encoding="utf-8").read()
html = open("r.html", encoding="utf-8").read()
tlines = text.splitlines()
hcells = [re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", l) for l in html.splitlines()]
for label, machine, human in figs:
    assert any(l.strip().startswith(label) and l.split()[-1] == human for l in tlines), \
        ("text", label, human)
    assert any(len(c) == 2 and c[0].startswith(label) and c[1] == human for c in hcells), \
        ("html", label, human)
    # Never in machine form where the two differ.
    if machine != human:
        assert not any(l.strip().startswith(label) and l.split()[-1] == machine
                       for l in tlines), ("text keeps", label, machine)

# Per topic and per bulletin: airings, minutes, first and last airing.
for t in r["topics"]:
    assert vi(t["airings"]) in text and vi("%.1f" % t["minutes"]) in text, t
    assert [t["name"], vi(t["bulletins"]), vi(t["airings"]), vi(t["completed"]),
            vi("%.1f" % t["minutes"])] in hcells, ("html topic", t)
for b in r["bulletins"]:
    for when in (b["first_airing"], b["last_airing"]):
        assert vi_time(when) in text and vi_time(when) in html, when
    assert vi("%.1f" % b["minutes"]) in html and vi(b["airings"]) in html, b
for m in r["slots"]["missed_by"]:
    assert any(c[:2] == ["máy tắt", vi(m["count"])] for c in hcells), m
for m in r["interruptions"]:
    assert any(c[:3] == ["tin khẩn cấp", vi(m["count"]), vi("%.1f" % (m["played_ms"] / 60000))]
               for c in hcells), m
assert "15/12/2025" in text and "14/06/2026" in html

# The machine formats keep the machine's form.
rows = list(csv.reader(open("r.csv", encoding="utf-8-sig", newline="")))
for label, machine, human in figs:
    assert any(len(x) == 2 and x[0].startswith(label) and x[1] == machine for x in rows), \
        ("csv", label, machine)

# XLSX: the same numbers, as numbers, with Vietnamese number formats.
z = zipfile.ZipFile("r.xlsx")
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
strings = ["".join(t.text or "" for t in si.iter("{%s}t" % ns["m"]))
           for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
styles = ET.fromstring(z.read("xl/styles.xml"))
numfmts = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter("{%s}numFmt" % ns["m"])}
xfs = [x.get("numFmtId") for x in styles.find("m:cellXfs", ns).findall("m:xf", ns)]
def sheet(n):
    out = []
    for row in ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % n)).iter("{%s}row" % ns["m"]):
        cells = []
        for c in row.findall("m:c", ns):
            v = c.findtext("m:v", "", ns)
            fmt = numfmts.get(xfs[int(c.get("s", "0"))], "") if c.get("s") else ""
            cells.append((strings[int(v)] if c.get("t") == "s" else float(v), fmt))
        out.append(cells)
    return out
summary = sheet(1)
for label, machine, human in figs:
    found = [row for row in summary if len(row) > 1 and str(row[0][0]).startswith(label)]
    assert found, ("xlsx", label)
    v, fmt = found[0][1]
    if label == "Tỷ lệ thực hiện":
        assert abs(v * 100 - float(machine)) < 1e-9 and fmt == "0.0%", (label, v, fmt)
    else:
        assert abs(v - float(machine)) < 1e-9, ("xlsx", label, v, machine)
        assert fmt in ("#,##0", "#,##0.0"), ("xlsx format", label, fmt)
# Times are date cells shown dd/mm/yyyy hh:mm, and the same instants.
bulletins = sheet(3)
for b in r["bulletins"]:
    row = [x for x in bulletins if x and x[0][0] == b["id"]][0]
    first = datetime.datetime.fromisoformat(b["first_airing"])
    serial = (first.replace(tzinfo=None) - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
    assert abs(row[9][0] - serial) < 1e-6 and row[9][1] == "dd/mm/yyyy hh:mm", (row[9], serial)
# The charts sheet: native charts over the monthly figures, which add up.
names = z.namelist()
charts = [n for n in names if n.startswith("xl/charts/chart")]
assert len(charts) == 3, names
months = [m for m in sheet(4) if m and re.fullmatch(r"\d\d/\d{4}", str(m[0][0]))]
assert len(months) == 7, months
assert sum(m[4][0] for m in months if len(m) > 4) == a["total"], months
assert sum(m[1][0] for m in months if len(m) > 1) == s["scheduled"]

# The SVG charts: three, well-formed, with a bar or column each.
svgs = re.findall(r"<svg .*?</svg>", html, re.S)
assert len(svgs) == 3, len(svgs)
for x in svgs:
    root = ET.fromstring(x)
    assert root.find("{http://www.w3.org/2000/svg}rect") is not None
ET.fromstring(html.split("<!DOCTYPE html>", 1)[1])
PY
CHECKS=$((CHECKS + 1))

# A period with no airings: empty charts that say so, no error.
run "$LOAXA" $C report --from 2027-01-01 --to 2027-01-31 --out empty.html
expect_rc 0
grep -c "Không có lượt phát nào trong kỳ báo cáo" empty.html | grep -qx 2 ||
    fail "an empty report's charts do not say there were no airings"
python3 -c '
import re, sys, xml.etree.ElementTree as ET
svgs = re.findall(r"<svg .*?</svg>", open("empty.html", encoding="utf-8").read(), re.S)
assert len(svgs) == 3
for x in svgs: ET.fromstring(x)
' || fail "empty charts are not well-formed SVG"
run "$LOAXA" $C report --from 2027-01-01 --to 2027-01-31 --out empty.xlsx
expect_rc 0

# Printed to PDF on A4 by headless Chromium, the pages kept as PNG.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] || ! command -v pdftoppm >/dev/null; then
	echo "SKIP: printing to PDF (chromium and pdftoppm from tools/deps are missing)"
	exit 0
fi
OUTDIR="$LOAXA_SRCDIR/build/report-pages"
rm -rf "$OUTDIR"
mkdir -p "$OUTDIR" || fail "cannot create $OUTDIR"
cp r.html "$OUTDIR/report.html"
for f in report empty; do
	[ "$f" = empty ] && cp empty.html "$OUTDIR/empty.html"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --no-first-run --user-data-dir="$T/chromium-$f" --no-pdf-header-footer \
	    --print-to-pdf="$OUTDIR/$f.pdf" "file://$OUTDIR/$f.html" \
	    >"$T/chromium.log" 2>&1 || fail "chromium: $(tail -3 "$T/chromium.log")"
	pages=$(pdfinfo "$OUTDIR/$f.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	[ "${pages:-0}" -ge 1 ] || fail "$f.pdf has no pages"
	pdfinfo "$OUTDIR/$f.pdf" | grep -q "^Page size:.*(A4)" || fail "$f.pdf is not A4"
	pdftoppm -r 60 -png "$OUTDIR/$f.pdf" "$OUTDIR/$f" || fail "pdftoppm $f.pdf"
	echo "report-vi: $f: $pages page(s) in $OUTDIR"
done
