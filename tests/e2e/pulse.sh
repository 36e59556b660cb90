# loaxa run through a real sound server: a private PulseAudio with a null
# sink (tests/pulse-server.sh), the daemon on libao's pulse driver with its
# server and sink given as driver options, and the sink's monitor recorded
# with parec while one slot airs three tones of distinct pitch and length in
# the order its fixed playlist gives. What came out must be those three
# tones in that order, each as long as its file (+-150 ms), with no long
# silence between them; the log must say completed for each. Skipped (exit
# 0) when PulseAudio or libao's pulse plugin is missing.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/pulse-server.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
command -v python3 >/dev/null || fail "python3 is needed to analyse the recording"
dpid=
rpid=
trap '[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null; [ -z "$rpid" ] || kill "$rpid" 2>/dev/null; pulse_stop; rm -rf "$T"' EXIT

skip() {
	echo "pulse.sh: SKIP: $*"
	exit 0
}

pulse_start "$T/pulse" || skip "$PULSE_WHY"

# Bulletins: 500 Hz for 2 s (WAV), 800 Hz for 3 s (FLAC), 1250 Hz for 1.5 s
# (MP3); the playlist airs them as 3, 1, 2.
"$G" --format wav --freq 500 --seconds 2 t500.wav >/dev/null || fail "gen-audio"
"$G" --format flac --freq 800 --seconds 3 t800.flac >/dev/null || fail "gen-audio"
"$G" --format mp3 --freq 1250 --seconds 1.5 t1250.mp3 >/dev/null || fail "gen-audio"

# libao's pulse plugin, and the path through it, before the daemon.
run "$LOAXA" play-file t500.wav --driver pulse --fade-ms 0
case "$ERR" in *"no libao driver"* | *"no such libao driver"*) skip "libao has no pulse driver: $ERR" ;; esac
expect_rc 0; expect_out "completed, 2000 ms played"

# The station first, to import into; then the timetable, from 5 s after the
# import (a loaded machine may take a while to import and start).
conf() {
	cat >st.conf <<EOF
station = { code = "E2E-PULSE"; name = "Đài thử pulse"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { driver = "pulse"; options = { server = "$PULSE_SERVER"; sink = "loaxa_null"; };
          realtime = true; fade_ms = 300; };
playlists = ( { name = "ba"; mode = "fixed"; items = [ "3", "1", "2" ]; } );
timetable = ( { name = "P"; date = "$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)";
                start = "$(TZ=$TZONE date -d "@$BASE" +%H:%M:%S)"; length = "9s";
                playlist = "ba"; } );
EOF
}
BASE=$(($(date +%s) + 60))
conf
run "$LOAXA" -c st.conf import --topic cchc --approve --by E2E t500.wav t800.flac t1250.mp3
expect_rc 0
BASE=$(($(date +%s) + 5))
conf

parec --latency-msec=20 -d loaxa_null.monitor --rate=48000 --channels=1 \
    --format=s16le --file-format=wav rec.wav 2>parec.err &
rpid=$!
"$LOAXA" -c st.conf run --for "$((BASE + 9 - $(date +%s)))s" 2>run.err &
dpid=$!
wait "$dpid"
RC=$?
dpid=
expect_rc 0
sleep 0.3
kill "$rpid"
wait "$rpid"
rpid=

# The log: three airings, completed, in the playlist's order.
$LOAXA -c st.conf log --format json >log.json 2>.err || fail "loaxa log failed"
CHECKS=$((CHECKS + 1))
python3 - log.json <<'PY' || fail "the log: $(cat log.json) $(cat run.err)"
import json, sys
r = json.load(open(sys.argv[1]))
for x in r:
    print("log:", x["bulletin"], x["scheduled_at"], x["started_at"], x["ended_at"], x["played_ms"])
assert [x["bulletin"] for x in r] == [3, 1, 2], r
assert all(x["outcome"] == "completed" and x["slot"] == "P" for x in r), r
assert [round(x["played_ms"] / 100) for x in r] == [15, 20, 30], r
PY

# The recording: which tone sounds in each 20 ms window (Goertzel), then the
# runs of one tone; runs under 100 ms (the edges) do not count.
CHECKS=$((CHECKS + 1))
python3 - rec.wav <<'PY' || fail "the recording does not match the schedule ($(cat parec.err))"
import array, math, sys, wave

w = wave.open(sys.argv[1])
rate = w.getframerate()
assert w.getnchannels() == 1 and w.getsampwidth() == 2, "parec wrote another format"
s = array.array("h", w.readframes(w.getnframes()))
win = rate // 50
tones = [500, 800, 1250]

def power(x, f):
    k = 2 * math.cos(2 * math.pi * f / rate)
    a = b = 0.0
    for v in x:
        a, b = v + k * a - b, a
    return a * a + b * b - k * a * b

labels = []
for i in range(0, len(s) - win + 1, win):
    x = s[i:i + win]
    if math.sqrt(sum(v * v for v in x) / win) < 300:
        labels.append(None)
        continue
    p = [power(x, f) for f in tones]
    labels.append(tones[p.index(max(p))])
runs = []
for i, l in enumerate(labels):
    if runs and runs[-1][0] == l:
        runs[-1][2] = i + 1
    else:
        runs.append([l, i, i + 1])
runs = [r for r in runs if r[0] is not None and (r[2] - r[1]) * 20 >= 100]
merged = []
for r in runs:
    if merged and merged[-1][0] == r[0]:
        merged[-1][2] = r[2]
    else:
        merged.append(r)
got = [(r[0], (r[2] - r[1]) * 20) for r in merged]
print("recorded (Hz, ms):", got, "; gaps (ms):",
      [(b[1] - a[2]) * 20 for a, b in zip(merged, merged[1:])])
want = [(1250, 1500), (500, 2000), (800, 3000)]
assert [g[0] for g in got] == [x[0] for x in want], ("order", got)
assert all(abs(g[1] - x[1]) <= 250 for g, x in zip(got, want)), ("lengths", got)
assert all(b[1] - a[2] <= 10 for a, b in zip(merged, merged[1:])), ("gaps", got)
PY

echo "pulse: $CHECKS checks"
