# Known answers for the coverage report, as a district auditor checks it: a
# timetable of dated slots a few seconds apart, aired by the real daemon
# through a power cut mid-airing, a clean stop while a slot waits behind an
# overlapping one, a reload that removes a slot and adds two, and past days
# when the controller was off (the store is dated three days back, as for a
# station installed then). The expected figures are computed here, from the
# timetable text and the instants of the starts, kills, stops and the reload,
# by the rule of loaxa(1) (the timetable in force at each slot's start, the
# first one in force since the store was created; a slot without an airing is
# missed), and every figure of text, CSV, JSON, HTML and XLSX is checked
# against them, then the district merge of two stations against their sum.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
command -v python3 >/dev/null || fail "python3 is needed to compute the answers"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (tools/deps)"

# ms: now, in milliseconds since the epoch.
ms() { date +%s%3N; }

# event DIR WHAT: appends "WHAT MS" to DIR/events (what the answers use).
event() { echo "$2 $(ms)" >>"$1/events"; }

# until_ms MS: sleeps until BASE seconds + MS milliseconds.
until_ms() {
	while [ "$(ms)" -lt $((BASE * 1000 + $1)) ]; do sleep 0.05; done
}

# station DIR CODE SLOTS: DIR/slots (one "NAME DATE HH:MM:SS SECONDS PLAYLIST"
# a line) from SLOTS, a list of "NAME OFFSET SECONDS PLAYLIST" lines whose
# OFFSET is seconds from BASE, or "dN@HH:MM:SS" for that time N days from
# today; and DIR/st.conf with that timetable.
station() {
	mkdir -p "$1"
	printf '%s\n' "$3" | while read -r name off len pl; do
		[ -n "$name" ] || continue
		case $off in
		d*@*)
			n=${off#d}; n=${n%@*}
			day=$(TZ=$TZONE date -d "$(TZ=$TZONE date -d "@$BASE" +%F) $n days" +%F)
			at=$(TZ=$TZONE date -d "$day ${off#*@}" +%s) ;;
		*) at=$((BASE + off)) ;;
		esac
		printf '%s %s %s %s\n' "$name" "$(TZ=$TZONE date -d "@$at" '+%F %T')" "$len" "$pl"
	done >"$1/slots"
	conf "$1" "$2"
}

# conf DIR CODE: writes DIR/st.conf from DIR/slots.
conf() {
	{
		cat <<EOF
station = { code = "$2"; name = "Đài truyền thanh xã $1"; commune = "Xã $1";
            district = "Kim Động"; province = "Hưng Yên"; timezone = "$TZONE"; };
paths = { data = "$T/$1/data"; };
audio = { driver = "null"; realtime = true; fade_ms = 300; };
playlists = ( { name = "one"; mode = "fixed"; items = [ "1" ]; },
              { name = "two"; mode = "fixed"; items = [ "2" ]; },
              { name = "three"; mode = "fixed"; items = [ "3" ]; },
              { name = "onetwo"; mode = "fixed"; items = [ "1", "2" ]; } );
timetable = (
EOF
		sep=" "
		while read -r name day at len pl; do
			printf '%s { name = "%s"; date = "%s"; start = "%s"; length = "%ss"; playlist = "%s"; }\n' \
			    "$sep" "$name" "$day" "$at" "$len" "$pl"
			sep=","
		done <"$1/slots"
		printf ');\n'
	} >"$1/st.conf"
}

# bulletins DIR TOPIC:SECONDS...: imports and approves one speech-like WAV
# per argument (bulletin 1, 2, ...), and lists "ID TOPIC MS" in DIR/bulletins.
bulletins() {
	dir=$1
	shift
	i=0
	for b in "$@"; do
		i=$((i + 1))
		"$G" --format wav --kind speech --seconds "${b#*:}" --seed "$i" "$dir/b$i.wav" \
		    >/dev/null || fail "gen-audio"
		run $LOAXA -c "$dir/st.conf" import --title "Bản tin $i" --topic "${b%:*}" \
		    --approve --by "E2E" "$dir/b$i.wav"
		expect_rc 0
		echo "$i ${b%:*} $(python3 -c "print(round(${b#*:} * 1000))")" >>"$dir/bulletins"
	done
}

# created DIR DAYS: dates the store DAYS days back at 01:00 (as for a station
# installed then: the first timetable is in force since).
created() {
	day=$(TZ=$TZONE date -d "$(TZ=$TZONE date -d "@$BASE" +%F) -$2 days" +%F)
	at=$(TZ=$TZONE date -d "$day 01:00" +%s)
	sqlite3 "$1/data/loaxa.db" "UPDATE meta SET value = '${at}000' WHERE key = 'created_at'" ||
	    fail "cannot date the store"
	echo "created ${at}000" >>"$1/events"
}

# Past days: a slot on each of the two days before, one removed from the
# timetable by the reload (it was in force on its day) and one added by it
# (it was not). Today: A1 airs; a power cut while A2's first item is on air;
# A3 passes with the controller off; O1 is on air and O2 waits behind it
# when the daemon is stopped; after the restart K1 airs, then the reload
# removes R1 and adds N1, and Z, whose time passed before the reload; L1
# comes after the last stop.
BASE=$(($(date +%s) + 2))
# Not across midnight, where "today" would change under the test.
if [ "$(TZ=$TZONE date -d "@$((BASE + 70))" +%F)" != "$(TZ=$TZONE date -d "@$BASE" +%F)" ]; then
	sleep 75
	BASE=$(($(date +%s) + 2))
fi
A_SLOTS="P1 d-2@09:00:00 300 one
P2 d-1@10:00:00 600 two
A1 3 4 one
A2 8 6 onetwo
A3 14 2 two
O1 19 6 three
O2 21 7 two
K1 31 3 two
R1 38 3 one
L1 48 1 one"
station a HY-KD-KA "$A_SLOTS"
bulletins a cchc:3 danchu:2 cchc:5
created a 3
B_SLOTS="Q1 d-1@18:00:00 900 one
S1 5 4 one
S2 10 3 one"
station b HY-KD-KB "$B_SLOTS"
bulletins b danchu:2.5
created b 1
# B's operator asked for a report before the first run: the history is
# recorded then; A's was not, and the daemon records it. Both must count
# the days before the first run alike.
run $LOAXA -c b/st.conf report --from "$(TZ=$TZONE date -d "@$BASE" +%F)" --to "$(TZ=$TZONE date -d "@$BASE" +%F)"
expect_rc 0

# Station B runs alongside: S1 and S2 air, then it stops for good.
until_ms 0
$LOAXA -c b/st.conf run --for 14s 2>b/run.err &
bpid=$!
event b start
echo "stop $(($(ms) + 14000))" >>b/events

# A, run 1: A1 airs, A2's first item is cut by a power cut.
$LOAXA -c a/st.conf run 2>a/run1.err &
pid=$!
event a start
until_ms 9500
kill -KILL $pid
event a kill
wait $pid 2>/dev/null

# Run 2, after A3: O1 airs, O2 waits behind it; a clean stop.
until_ms 17000
$LOAXA -c a/st.conf run 2>a/run2.err &
pid=$!
event a start
until_ms 22500
kill -TERM $pid
event a stop
wait $pid
RC=$?
expect_rc 0
wait $bpid
RC=$?
expect_rc 0

# Run 3, after O2's time: K1 airs; the reload removes R1, adds N1 and Z.
until_ms 29000
$LOAXA -c a/st.conf run 2>a/run3.err &
pid=$!
event a start
until_ms 36000
cp a/slots a/slots.0
{
	grep -v '^R1 ' a/slots
	printf 'Z %s 1 two\n' "$(TZ=$TZONE date -d "@$((BASE + 34))" '+%F %T')"
	printf 'N1 %s 3 two\n' "$(TZ=$TZONE date -d "@$((BASE + 40))" '+%F %T')"
	printf 'P3 %s 11:00:00 600 one\n' "$(TZ=$TZONE date -d "$(TZ=$TZONE date -d "@$BASE" +%F) -1 days" +%F)"
} >a/slots.new
mv a/slots.new a/slots
conf a HY-KD-KA
event a reload
kill -HUP $pid
sleep 1
grep -q "configuration reloaded" a/run3.err || fail "the reload was not accepted: $(cat a/run3.err)"
until_ms 45000
kill -TERM $pid
event a stop
wait $pid
RC=$?
expect_rc 0
until_ms 50000
[ "$(sqlite3 a/data/loaxa.db "SELECT count(*) FROM timetables")" -ge 2 ] ||
    fail "the reload did not record its timetable"

# --- The answers, from the timetables and the events alone. ---------------
# answers DIR: DIR/answers.json, the figures the rule gives for the period
# FROM..TO (reads DIR/slots.0, the timetable before the reload when there
# was one, DIR/slots, DIR/events, DIR/bulletins).
cat >"$T/answers.py" <<'PY'
import datetime, json, math, os, sys, time, zoneinfo

d, first, last = sys.argv[1], sys.argv[2], sys.argv[3]
tz = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The playlists of conf() in the shell script.
playlists = {"one": [1], "two": [2], "three": [3], "onetwo": [1, 2]}

def ms(day, hms):
    return int(datetime.datetime.fromisoformat(day + "T" + hms).replace(tzinfo=tz).timestamp() * 1000)

def timetable(path):
    out = []
    for line in open(path):
        name, day, hms, length, pl = line.split()
        s = ms(day, hms)
        out.append((name, s, s + int(length) * 1000, pl))
    return out

ev = [l.split() for l in open(os.path.join(d, "events"))]
created = [int(t) for w, t in ev if w == "created"][0]
reload = [int(t) for w, t in ev if w == "reload"]
runs, cur = [], None
for w, t in ev:
    if w == "start":
        cur = int(t)
    elif w in ("kill", "stop"):
        runs.append((cur, int(t), "power loss" if w == "kill" else "shutdown"))
        cur = None
assert cur is None, "a run without its end"
bulletins = {int(i): (topic, int(dur)) for i, topic, dur in (l.split() for l in open(os.path.join(d, "bulletins")))}
now = int(time.time() * 1000)
p_from, p_to = ms(first, "00:00:00"), ms(last, "00:00:00") + 86400000

# The timetable in force: the first since the store was created, then each
# reload's from its instant.
tts = [timetable(os.path.join(d, "slots.0" if reload else "slots"))]
froms = [created] + reload
if reload:
    tts.append(timetable(os.path.join(d, "slots")))
occ = []
for i, tt in enumerate(tts):
    until = froms[i + 1] if i + 1 < len(froms) else 1 << 62
    occ += [o for o in tt if froms[i] <= o[1] < until and o[2] <= now and p_from <= o[1] < p_to]
occ.sort(key=lambda o: o[1])

def up(t):
    for r in runs:
        # The daemon prepares an item 1.5 s ahead (a start 1.2 s ahead is on time); nothing this test plans
        # comes closer to a start or an end than 0.4 s.
        assert not (abs(t - r[0]) < 1200 or abs(t - r[1]) < 400), ("too close to call", t, r)
        if r[0] <= t < r[1]:
            return r
    return None

missed, inter, topics, per = {}, {}, {}, {}
aired = total = completed = 0
lo = hi = 0
prev_end = 0
for name, s, e, pl in occ:
    a = max(s, prev_end)
    prev_end = max(prev_end, e)
    if a >= e:
        missed["overlap"] = missed.get("overlap", 0) + 1
        continue
    t, started = a, False
    for b in playlists[pl]:
        r = up(t) if t < e else None
        if r is None:
            break
        topic, dur = bulletins[b]
        x = topics.setdefault(topic, {"airings": 0, "completed": 0, "lo": 0, "hi": 0,
                                      "bulletins": set()})
        y = per.setdefault(b, {"airings": 0, "completed": 0, "lo": 0, "hi": 0})
        started = True
        total += 1
        x["airings"] += 1
        y["airings"] += 1
        x["bulletins"].add(b)
        assert t + dur <= e, ("the slot would cut", name)
        if r[1] < t + dur:
            assert abs(r[1] - t - dur) >= 400, ("too close to call", name)
            inter[r[2]] = inter.get(r[2], 0) + 1
            p = r[1] - t
            # A power cut is logged from the last heartbeat (each second);
            # a stop after the fade (its event is the signal, not the exit).
            l, h = (p - 1300, p + 100) if r[2] == "power loss" else (p - 100, p + 800)
            x["lo"] += l; x["hi"] += h
            y["lo"] += l; y["hi"] += h
            break
        completed += 1
        x["completed"] += 1
        y["completed"] += 1
        x["lo"] += dur - 50; x["hi"] += dur + 150
        y["lo"] += dur - 50; y["hi"] += dur + 150
        t += dur
    if started:
        aired += 1
    else:
        missed["controller off"] = missed.get("controller off", 0) + 1
n = len(occ)
for x in topics.values():
    x["bulletins"] = len(x["bulletins"])
json.dump({"scheduled": n, "aired": aired, "missed": n - aired, "missed_by": missed,
           "percent": "%.1f" % (math.floor(aired * 1000 / n) / 10) if n else "-",
           "fraction": math.floor(aired * 10000 / n) / 10000 if n else None,
           "cell": math.floor(aired * 1000 / n) / 1000 if n else None,
           "total": total, "completed": completed, "interrupted": sum(inter.values()),
           "failed": 0, "interruptions": inter,
           "lo": sum(x["lo"] for x in topics.values()), "hi": sum(x["hi"] for x in topics.values()),
           "topics": topics, "bulletins": {str(b): y for b, y in per.items()},
           "slots": [o[0] for o in occ]},
          open(os.path.join(d, "answers.json"), "w"), indent=1)
PY

# check.py ANSWERS PREFIX [merge]: PREFIX.json, .txt, .csv, .html and .xlsx
# all carry the answers (a station's report, or a merge's totals and each
# station's reasons); text and HTML are read in the Vietnamese form, and
# PREFIX.en.txt and .en.html, when there, in the English form.
cat >"$T/check.py" <<'PY'
import csv, json, math, os, re, sys, zipfile, xml.etree.ElementTree as ET

want, pre = json.load(open(sys.argv[1])), sys.argv[2]
merge = len(sys.argv) > 3
# The words of each language (reports/labels.c's, as a reader sees them).
WORDS = {
    "vi": {"scheduled": "Số lượt theo lịch", "aired": "Đã phát", "missed": "Không phát được",
           "rate": "Tỷ lệ thực hiện (%)", "airings": "Lượt phát", "completed": "Phát trọn vẹn",
           "interrupted": "Bị ngắt", "failed": "Lỗi", "minutes": "Số phút",
           "nbulletins": "Số bản tin", "count": "Số lượt", "topic": "Chủ đề",
           "title": "Tên bản tin", "code": "Mã đài", "reason": "Lý do",
           "missed_by": "Lý do không phát", "interruptions": "Bị ngắt giữa chừng",
           "total": "Tổng cộng",
           "controller off": "máy tắt", "overlap": "trùng lịch", "power loss": "mất điện",
           "shutdown": "dừng máy"},
    "en": {"scheduled": "Scheduled", "aired": "Aired", "missed": "Missed",
           "rate": "Compliance (%)", "airings": "Airings", "completed": "Completed",
           "interrupted": "Interrupted", "failed": "Failed", "minutes": "Minutes",
           "nbulletins": "Bulletins", "count": "Count", "topic": "Topic",
           "title": "Title", "code": "Station code", "reason": "Reason",
           "missed_by": "Missed, by reason", "interruptions": "Interruptions",
           "total": "Total",
           "controller off": "controller off", "overlap": "overlap",
           "power loss": "power loss", "shutdown": "shutdown"},
}
topic_names = {"cchc": "Ý nghĩa, tầm quan trọng của cải cách hành chính",
               "danchu": "Quy chế dân chủ ở cơ sở"}
bad = []

# JSON: every figure, exactly (the played time within what the events allow).
j0 = json.load(open(pre + ".json"))
j = j0["totals"] if merge else j0
s, a = j["slots"], j["airings"]
got = {"scheduled": s["scheduled"], "aired": s["aired"], "missed": s["missed"],
       "missed_by": {x["reason"]: x["count"] for x in s.get("missed_by", [])},
       "total": a["total"], "completed": a["completed"], "interrupted": a["interrupted"],
       "failed": a["failed"]}
for k, v in got.items():
    if v != want[k]:
        bad.append(("json", k, v, want[k]))
if merge:
    for st in j0["stations"]:
        by = {x["reason"]: x["count"] for x in st["slots"]["missed_by"]}
        if by != want["stations"][st["code"]]:
            bad.append(("json", st["code"], "missed_by", by))
else:
    if s["compliance"] != want["fraction"]:
        bad.append(("json", "compliance", s["compliance"], want["fraction"]))
    if {x["reason"]: x["count"] for x in j["interruptions"]} != want["interruptions"]:
        bad.append(("json", "interruptions", j["interruptions"]))
    jb = {str(b["id"]): b for b in j0["bulletins"]}
    for k, w in want["bulletins"].items():
        b = jb.get(k, {})
        if (b.get("airings"), b.get("completed")) != (w["airings"], w["completed"]) or \
           not w["lo"] <= b.get("played_ms", -1) <= w["hi"]:
            bad.append(("json", "bulletin", k, b, w))
if not want["lo"] <= a["played_ms"] <= want["hi"]:
    bad.append(("json", "played_ms", a["played_ms"], want["lo"], want["hi"]))
jt = {t["key"]: t for t in j0["topics"]}
if set(jt) != set(want["topics"]):
    bad.append(("json", "topics", sorted(jt), sorted(want["topics"])))
for k, w in want["topics"].items():
    t = jt.get(k, {})
    if t.get("airings") != w["airings"] or t.get("completed") != w["completed"] or \
       not w["lo"] <= t.get("played_ms", -1) <= w["hi"] or \
       (not merge and t.get("bulletins") != w["bulletins"]):
        bad.append(("json", "topic", k, t, w))

# Each format as tables: (title, header, rows), a row a list of cells. The
# title is the heading above the table (the header's first cell in CSV).
def xlsx(path):
    z = zipfile.ZipFile(path)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = ["".join(x.text or "" for x in si.iter("{%s}t" % ns["m"])) for si in
               ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    out = []
    for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
        rows = []
        for row in ET.fromstring(z.read(name)).iter("{%s}row" % ns["m"]):
            # Each cell in its column (an empty one is not written).
            r = []
            for c in row.findall("m:c", ns):
                col = 0
                for ch in re.match(r"[A-Z]+", c.get("r")).group(0):
                    col = col * 26 + ord(ch) - 64
                r += [""] * (col - 1 - len(r))
                r.append(strings[int(c.findtext("m:v", "", ns))] if c.get("t") == "s"
                         else c.findtext("m:v", "", ns))
            rows.append(r)
        out.append(rows)
    return out

def tables(sheets, heads, titled):
    out, title, cur = [], "", None
    for rows in sheets:
        title, cur = "", None
        for r in rows:
            if not any(r):
                cur = None
            elif titled and len([x for x in r if x]) == 1:
                title, cur = r[0], None
            elif r[0] in heads:
                cur = (r[0] if not titled else title, r, [])
                out.append(cur)
            elif cur is not None:
                cur[2].append(r)
            else:
                out.append((title, None, [r]))
    return out

def html(path):
    rows = []
    for l in open(path, encoding="utf-8").read().splitlines():
        h = re.match(r"<h2>(?:\d+\. )?([^<]*)</h2>", l)
        if h:
            rows.append([h.group(1)])
        elif "<table" in l or "</table>" in l:
            rows.append([])
        cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", l)
        if cells:
            rows.append(cells)
    return [rows]

def text(path):
    # Sections: a title at the margin, indented lines under it: "LABEL  VALUE"
    # (two spaces or more between), a topic's name then "N LABEL, N LABEL",
    # a bulletin's "#ID TITLE  N LABEL, ...".
    out, cur, lines = [], None, open(path, encoding="utf-8").read().splitlines()
    for i, l in enumerate(lines):
        if not l.strip():
            continue
        if not l.startswith(" "):
            cur = (l.strip(), None, [])
            out.append(cur)
            continue
        b = re.match(r"^\s+#\d+\s+(.*?)\s{2,}(\S.*)$", l)
        body = b.group(2) if b else l.strip()
        pairs = [re.match(r"^([\d.,]+) (.+)$", p) for p in body.split(", ")]
        if pairs[0] and (b or i > 0):
            row = {k.group(2): k.group(1) for k in pairs if k}
            row[""] = b.group(1) if b else lines[i - 1].strip()
            cur[2].append(row)
        else:
            # Cells two spaces or more apart; figures one space apart too.
            cells = []
            for c in re.split(r"\s{2,}", l.strip()):
                nums = c.split(" ")
                cells += nums if all(re.match(r"^[-\d.,]+$", x) for x in nums) else [c]
            cur[2].append(cells)
    return out

def number(fmt, lang, x):
    x = x.strip()
    if fmt in ("text", "html"):
        x = x.replace(".", "").replace(",", ".") if lang == "vi" else x.replace(",", "")
    try:
        return float(x)
    except ValueError:
        return None

def check(fmt, lang, tabs):
    W = WORDS[lang]
    def n(x):
        return number(fmt, lang, x)
    def val(v):
        return lambda x: n(x) == v
    def mins(lo, hi):
        # Minutes to one decimal, of a played time within [lo, hi].
        return lambda x: n(x) is not None and \
            math.floor(lo / 6000) <= round(n(x) * 10) <= math.ceil(hi / 6000)
    def rows_of(tab):
        # Each row as (name, {column: cell}), by the header when there is one.
        title, head, rows = tab
        for r in rows:
            if isinstance(r, dict):
                yield r.get("", ""), r
            elif head is not None:
                yield r[0] if r else "", dict(zip(head, r))
            else:
                yield r[0] if r else "", {"": r[1:]}
    def find(label, ok, col=None, name=None, title=None):
        # A row named label (its first cell, or the column name) in a table
        # titled title, whose column col (any cell without) is ok.
        for tab in tabs:
            if title is not None and tab[0] != title:
                continue
            for rn, cells in rows_of(tab):
                key = cells.get(name, "") if name else rn
                if not (key == label or key.startswith(label + ",")):
                    continue
                if col is None:
                    vs = cells.get("", [])
                    vs = vs if isinstance(vs, list) else [vs]
                    if any(ok(x) for x in vs) or any(ok(x) for x in cells.values()
                                                     if isinstance(x, str)):
                        return True
                elif col in cells and ok(cells[col]):
                    return True
        return False
    def need(what, *args, **kw):
        if not find(*args, **kw):
            bad.append((fmt, lang) + what)
    figs = [("scheduled", val(want["scheduled"])), ("aired", val(want["aired"])),
            ("missed", val(want["missed"]))]
    rate = (lambda x: n(x) == want["cell"]) if fmt == "xlsx" else \
        (lambda x: n(x) == float(want["percent"]))
    figs2 = [("airings", val(want["total"])), ("completed", val(want["completed"])),
             ("interrupted", val(want["interrupted"])), ("failed", val(want["failed"])),
             ("minutes", mins(want["lo"], want["hi"]))]
    if merge:
        # The totals row of the station table: its columns, in order.
        seq = [ok for _, ok in figs] + [rate] + [ok for _, ok in figs2]
        if not any(any(all(ok(x) for ok, x in zip(seq, r[i:i + len(seq)]))
                       for i in range(1, len(r) - len(seq) + 1))
                   for tab in tabs for r in tab[2] if isinstance(r, list) and r and
                   r[0] == W["total"]):
            bad.append((fmt, lang, "total row"))
        # Missed by reason: each station's, then the total's.
        for code, by in list(want["stations"].items()) + [(W["total"], want["missed_by"])]:
            for k, v in by.items():
                for tab in tabs:
                    if W["missed_by"] in [tab[0]] + (tab[1] or []):
                        if any(r[:1] == [code] and W[k] in r and
                               any(val(v)(x) for x in r[r.index(W[k]) + 1:][:1])
                               for r in tab[2] if isinstance(r, list)):
                            break
                else:
                    bad.append((fmt, lang, "missed by", code, k))
    else:
        for k, ok in figs + [("rate", rate)] + figs2:
            need((k,), W[k], ok)
        for title, key in (("missed_by", "missed_by"), ("interruptions", "interruptions")):
            for k, v in want[key].items():
                col = None if fmt == "text" else (W["count"] if fmt != "csv" else None)
                need((title, k), W[k], val(v), col=col, title=W[title] if fmt != "csv"
                     else None)
        for k, w in want["bulletins"].items():
            for c, ok in ((W["airings"], val(w["airings"])),
                          (W["completed"], val(w["completed"])),
                          (W["minutes"], mins(w["lo"], w["hi"]))):
                need(("bulletin", k, c), "Bản tin " + k, ok, col=c,
                     name=None if fmt == "text" else W["title"])
    for k, w in want["topics"].items():
        cols = [(W["airings"], val(w["airings"])), (W["completed"], val(w["completed"])),
                (W["minutes"], mins(w["lo"], w["hi"]))]
        if not merge:
            cols.append((W["nbulletins"], val(w["bulletins"])))
        for c, ok in cols:
            need(("topic", k, c), topic_names[k], ok, col=c)

H = lambda lang: {W[k] for W in [WORDS[lang]] for k in ("topic", "title", "reason", "code",
                                                         "missed_by", "interruptions")} | \
    {"Mã bản tin", "Bulletin id", "Interruptions", "Đài", "Station"}
check("csv", "vi", tables(
    [list(csv.reader(open(pre + ".csv", encoding="utf-8-sig", newline="")))], H("vi"), False))
check("xlsx", "vi", tables(xlsx(pre + ".xlsx"), H("vi"), True))
check("html", "vi", tables(html(pre + ".html"), H("vi"), True))
check("text", "vi", text(pre + ".txt"))
if os.path.exists(pre + ".en.txt"):
    check("html", "en", tables(html(pre + ".en.html"), H("en"), True))
    check("text", "en", text(pre + ".en.txt"))
if bad:
    print("\n".join(map(str, bad)), "\nwant:", json.dumps(want))
    sys.exit(1)
PY

# figures PREFIX ARGS...: the report of ARGS in every format, PREFIX.*.
figures() {
	pre=$1
	shift
	for f in json txt csv html xlsx en.txt en.html; do
		case $f in en.*) lang=en ;; *) lang=vi ;; esac
		"$@" --lang $lang --out "$pre.$f" 2>"$T/.err"
		RC=$?
		[ $RC -eq 0 ] || fail "$* --lang $lang --out $pre.$f: exit $RC: $(cat "$T/.err")"
	done
}

FIRST=$(TZ=$TZONE date -d "$(TZ=$TZONE date -d "@$BASE" +%F) -3 days" +%F)
LAST=$(TZ=$TZONE date -d "@$BASE" +%F)
for s in a b; do
	python3 "$T/answers.py" "$T/$s" "$FIRST" "$LAST" || fail "answers for $s"
	figures "$T/$s/r" $LOAXA -c $s/st.conf report --from "$FIRST" --to "$LAST"
	CHECKS=$((CHECKS + 1))
	python3 "$T/check.py" "$T/$s/answers.json" "$T/$s/r" >"$T/.out" 2>&1 ||
	    fail "station $s: the report's figures are not the answers: $(cat "$T/.out")"
done

# The district merge of both signed exports: the sum of the two. Each
# station makes its export key once; the district trusts what it printed.
for s in a b; do
	run $LOAXA -c $s/st.conf key station
	expect_rc 0
	eval "KEY_$s=\$OUT"
	run $LOAXA -c $s/st.conf export --from "$FIRST" --to "$LAST" --out "$s.lxe"
	expect_rc 0
done
[ ${#KEY_a} -eq 44 ] && [ ${#KEY_b} -eq 44 ] || fail "no station key: $KEY_a, $KEY_b"
cat >district.conf <<CONF
station = { code = "HY-KD"; name = "Trung tâm huyện"; commune = "Kim Động";
            district = "Kim Động"; province = "Hưng Yên"; timezone = "$TZONE"; };
paths = { data = "$T/district"; };
trust = { stations = ( { code = "HY-KD-KA"; key = "$KEY_a"; },
                       { code = "HY-KD-KB"; key = "$KEY_b"; } ); };
CONF
run $LOAXA -c district.conf verify a.lxe b.lxe
expect_rc 0; expect_out "(trusted)"
python3 - "$T/a/answers.json" "$T/b/answers.json" >"$T/sum.json" <<'PY'
import json, math, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
out = {}
for k in ("scheduled", "aired", "missed", "total", "completed", "interrupted", "failed", "lo", "hi"):
    out[k] = a[k] + b[k]
for k in ("missed_by", "interruptions"):
    out[k] = {r: a[k].get(r, 0) + b[k].get(r, 0) for r in set(a[k]) | set(b[k])}
out["stations"] = {"HY-KD-KA": a["missed_by"], "HY-KD-KB": b["missed_by"]}
n = out["scheduled"]
out["percent"] = "%.1f" % (math.floor(out["aired"] * 1000 / n) / 10)
out["cell"] = math.floor(out["aired"] * 1000 / n) / 1000
out["topics"] = {}
for t in set(a["topics"]) | set(b["topics"]):
    x, y = a["topics"].get(t, {}), b["topics"].get(t, {})
    out["topics"][t] = {k: x.get(k, 0) + y.get(k, 0) for k in ("airings", "completed", "lo", "hi")}
json.dump(out, sys.stdout)
PY
figures "$T/d" $LOAXA -c district.conf report --merge a.lxe b.lxe
CHECKS=$((CHECKS + 1))
python3 "$T/check.py" "$T/sum.json" "$T/d" merge >"$T/.out" 2>&1 ||
    fail "the merge is not the sum of the stations: $(cat "$T/.out")"
run $LOAXA -c district.conf report --merge a.lxe b.lxe --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
t = json.load(sys.stdin)["totals"]
assert (t["trusted"], t["accepted"], t["rejected"], t["missing"]) == (2, 2, 0, 0), t
' || fail "the merge does not accept both stations once: $OUT"
CHECKS=$((CHECKS + 1))

echo "known-answer: $CHECKS checks"
