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
wait $pid
RC=$?
event a stop
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
wait $pid
RC=$?
event a stop
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

missed, inter, topics = {}, {}, {}
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
        x = topics.setdefault(topic, {"airings": 0, "completed": 0, "lo": 0, "hi": 0})
        started = True
        total += 1
        x["airings"] += 1
        assert t + dur <= e, ("the slot would cut", name)
        if r[1] < t + dur:
            assert abs(r[1] - t - dur) >= 400, ("too close to call", name)
            inter[r[2]] = inter.get(r[2], 0) + 1
            p = r[1] - t
            # A power cut is logged from the last heartbeat (each second);
            # a stop after the fade.
            l, h = (p - 1300, p + 100) if r[2] == "power loss" else (p - 100, p + 800)
            x["lo"] += l; x["hi"] += h
            break
        completed += 1
        x["completed"] += 1
        x["lo"] += dur - 50; x["hi"] += dur + 150
        t += dur
    if started:
        aired += 1
    else:
        missed["controller off"] = missed.get("controller off", 0) + 1
n = len(occ)
json.dump({"scheduled": n, "aired": aired, "missed": n - aired, "missed_by": missed,
           "percent": "%.1f" % (math.floor(aired * 1000 / n) / 10) if n else "-",
           "fraction": math.floor(aired * 10000 / n) / 10000 if n else None,
           "cell": math.floor(aired * 1000 / n) / 1000 if n else None,
           "total": total, "completed": completed, "interrupted": sum(inter.values()),
           "failed": 0, "interruptions": inter,
           "lo": sum(x["lo"] for x in topics.values()), "hi": sum(x["hi"] for x in topics.values()),
           "topics": topics, "slots": [o[0] for o in occ]},
          open(os.path.join(d, "answers.json"), "w"), indent=1)
PY

# check.py ANSWERS PREFIX [merge]: PREFIX.json, .txt, .csv, .html and .xlsx
# all carry the answers (a station's report, or a merge's totals).
cat >"$T/check.py" <<'PY'
import csv, json, re, sys, zipfile, xml.etree.ElementTree as ET

want, pre = json.load(open(sys.argv[1])), sys.argv[2]
merge = len(sys.argv) > 3
labels = {"controller off": "máy tắt", "overlap": "trùng lịch", "power loss": "mất điện",
          "shutdown": "dừng máy"}
topic_names = {"cchc": "Ý nghĩa, tầm quan trọng của cải cách hành chính",
               "danchu": "Quy chế dân chủ ở cơ sở"}
bad = []

def minutes(lo, hi):
    return {"%.1f" % (lo / 60000), "%.1f" % (hi / 60000)}

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
if not merge:
    if s["compliance"] != want["fraction"]:
        bad.append(("json", "compliance", s["compliance"], want["fraction"]))
    if {x["reason"]: x["count"] for x in j["interruptions"]} != want["interruptions"]:
        bad.append(("json", "interruptions", j["interruptions"]))
if not want["lo"] <= a["played_ms"] <= want["hi"]:
    bad.append(("json", "played_ms", a["played_ms"], want["lo"], want["hi"]))
jt = {t["key"]: t for t in j0["topics"]}
if set(jt) != set(want["topics"]):
    bad.append(("json", "topics", sorted(jt), sorted(want["topics"])))
for k, w in want["topics"].items():
    t = jt.get(k, {})
    if t.get("airings") != w["airings"] or not w["lo"] <= t.get("played_ms", -1) <= w["hi"]:
        bad.append(("json", "topic", k, t, w))

# The other formats, as rows of cells.
def xlsx(path):
    z = zipfile.ZipFile(path)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = ["".join(x.text or "" for x in si.iter("{%s}t" % ns["m"])) for si in
               ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    rows = []
    for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
        for row in ET.fromstring(z.read(name)).iter("{%s}row" % ns["m"]):
            rows.append([strings[int(c.findtext("m:v", "", ns))] if c.get("t") == "s"
                         else c.findtext("m:v", "", ns) for c in row.findall("m:c", ns)])
    return rows

def text(path):
    rows, lines = [], open(path, encoding="utf-8").read().splitlines()
    for i, l in enumerate(lines):
        m = re.match(r"^\s+(\d+) Lượt phát, ([\d.]+) Số phút", l)
        t = re.match(r"^\s+(\d+) Lượt phát\s+([\d.]+) Số phút\s+(.*)$", l)
        if m and i > 0:
            # A topic: its name on the line above.
            rows.append([lines[i - 1].strip(), m.group(1), m.group(2)])
        elif t:
            # A topic of the merge: its name after its figures.
            rows.append([t.group(3), t.group(1), t.group(2)])
        else:
            # LABEL, two spaces or more, the values ("1  (0.0 Số phút)").
            label, _, rest = l.strip().partition("  ")
            rows.append([label] + rest.replace("(", " ").split())
    return rows

fmts = {"text": text(pre + ".txt"),
        "csv": list(csv.reader(open(pre + ".csv", encoding="utf-8-sig", newline=""))),
        "html": [re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", l)
                 for l in open(pre + ".html", encoding="utf-8").read().splitlines()],
        "xlsx": xlsx(pre + ".xlsx")}

def num(x):
    try:
        return float(x)
    except ValueError:
        return None

def has(rows, label, ok):
    return any(r and r[0].startswith(label) and any(ok(x) for x in r[1:]) for r in rows)

for fmt, rows in fmts.items():
    def val(v):
        return lambda x: x == str(v)
    def mins(lo, hi):
        if fmt == "xlsx":
            return lambda x: num(x) is not None and lo / 60000 - 1e-9 <= num(x) <= hi / 60000 + 1e-9
        return lambda x: x in minutes(lo, hi)
    need = [("Số lượt theo lịch", val(want["scheduled"])), ("Đã phát", val(want["aired"])),
            ("Không phát được", val(want["missed"])), ("Lượt phát", val(want["total"])),
            ("Phát trọn vẹn", val(want["completed"])), ("Bị ngắt", val(want["interrupted"])),
            ("Lỗi", val(want["failed"])), ("Số phút", mins(want["lo"], want["hi"]))]
    if merge:
        # The merge's total row: the station table's columns, in order.
        seq = need[:3] + [("%", (lambda x: num(x) == want["cell"]) if fmt == "xlsx"
                          else val(want["percent"]))] + need[3:]
        if not any(r and r[0] == "Tổng cộng" and any(
                all(ok(x) for (_, ok), x in zip(seq, r[i:i + len(seq)]))
                for i in range(1, len(r) - len(seq) + 1)) for r in rows):
            bad.append((fmt, "Tổng cộng"))
        need = []
    else:
        # The workbook holds the fraction, to the tenth of a per cent.
        need.append(("Tỷ lệ thực hiện", (lambda x: num(x) == want["cell"]) if fmt == "xlsx"
                     else val(want["percent"])))
        need += [(labels[k], val(v)) for k, v in want["interruptions"].items()]
        need += [(labels[k], val(v)) for k, v in want["missed_by"].items()]
    for k, w in want["topics"].items():
        need.append((topic_names[k], val(w["airings"])))
        need.append((topic_names[k], mins(w["lo"], w["hi"])))
    for label, ok in need:
        if not has(rows, label, ok):
            bad.append((fmt, label))
if bad:
    print("\n".join(map(str, bad)), "\nwant:", json.dumps(want))
    sys.exit(1)
PY

# figures PREFIX ARGS...: the report of ARGS in every format, PREFIX.*.
figures() {
	pre=$1
	shift
	for f in json txt csv html xlsx; do
		"$@" --out "$pre.$f" 2>"$T/.err"
		RC=$?
		[ $RC -eq 0 ] || fail "$* --out $pre.$f: exit $RC: $(cat "$T/.err")"
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

# The district merge of both signed exports: the sum of the two.
for s in a b; do
	run $LOAXA -c $s/st.conf export --from "$FIRST" --to "$LAST" --out "$s.lxe"
	expect_rc 0
	eval "KEY_$s=\$(printf '%s' \"\$OUT\" | grep -o '[A-Za-z0-9+/]\{43\}=' | head -n 1)"
done
[ -n "$KEY_a" ] && [ -n "$KEY_b" ] || fail "the exports name no key"
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
