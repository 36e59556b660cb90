# A sound card input relayed (capture = "pulse:SOURCE"): a private
# PulseAudio (tests/pulse-server.sh) whose null sink loaxa_null is fed a
# 440 Hz tone by paplay, as a tuner on line-in would be; loaxa-relay
# captures its monitor, the daemon airs it to a WAV file.
#  C. while the tone plays, the relay slot airs it: on time, no
#     interruption, 440 Hz in the output;
#  D. the tone over, the input gives only silence (a dead tuner): "source
#     silent" after relay.silence_s (3), and the fallback (1000 Hz) airs.
# Skipped, with one line, when PulseAudio cannot start here.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/relay-lib.sh"
. "$LOAXA_SRCDIR/tests/pulse-server.sh"
relay_setup relay-capture python3 paplay
trap 'relay_cleanup; pulse_stop' EXIT
pulse_start "$T/pulse" || { echo "relay-capture: skipped: $PULSE_WHY"; exit 0; }

BASE=$(($(date +%s) + 7))
at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
cat >st.conf <<CONF
station = { code = "CAPTURE"; name = "Đài thử thu sóng"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { driver = "wav"; file = "$T/out.wav"; realtime = true; fade_ms = 300; };
relay = { sources = ( { name = "FM"; capture = "pulse:loaxa_null.monitor"; } ); silence_s = 3; };
playlists = ( { name = "filler"; mode = "fixed"; items = [ "1" ]; } );
timetable = (
  { name = "C"; date = "$day"; start = "$(at 0)"; length = "7s"; relay = "FM"; fallback = "filler"; },
  { name = "D"; date = "$day"; start = "$(at 13)"; length = "9s"; relay = "FM"; fallback = "filler"; }
);
CONF
"$G" --format wav --kind tone --freq 1000 --seconds 4 --rate 48000 --channels 2 filler.wav \
    >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --title "Bản tin dự phòng" --topic cchc --approve --by E2E filler.wav
expect_rc 0
relay_service st.conf data
# The tuner: 440 Hz from now (before C's pre-roll) until 2 s after C.
"$G" --format wav --kind tone --freq 440 --seconds $((BASE + 9 - $(date +%s))) --rate 48000 \
    --channels 2 tuner.wav >/dev/null || fail "gen-audio"
paplay -d loaxa_null tuner.wav 2>paplay.err &
pids="$pids $!"
"$LOAXA" -c st.conf run --for $((BASE + 23 - $(date +%s)))s 2>run.err &
dpid=$!
pids="$pids $dpid"
sleep $((BASE + 8 - $(date +%s)))
cp out.wav c.wav
wait $dpid

"$LOAXA" -c st.conf log --format json >log.json || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - log.json "$BASE" <<'PY' || fail "the capture relay is not logged as it should be: $(cat log.json; cat run.err relay.err)"
import json, sys, datetime
rows, base = json.load(open(sys.argv[1])), int(sys.argv[2]) * 1000
ms = lambda s: datetime.datetime.fromisoformat(s).timestamp() * 1000
c = [r for r in rows if r["slot"] == "C" and r["bulletin"] is None]
assert len(c) == 1 and c[0]["source"] == "FM" and c[0]["outcome"] == "completed", c
assert c[0]["interruptions"] == [] and c[0]["played_ms"] >= 6000, c
assert ms(c[0]["started_at"]) - base < 500, c
assert not [r for r in rows if r["slot"] == "C" and r["bulletin"] == 1], "the fallback aired in C"
d = [r for r in rows if r["slot"] == "D" and r["bulletin"] is None]
assert len(d) == 1, d
assert [i["reason"] for i in d[0]["interruptions"]] == ["source silent"], d
assert "Bản tin dự phòng" in (d[0]["interruptions"][0]["fallback"] or ""), d
assert sum(r["played_ms"] for r in rows if r["slot"] == "D" and r["bulletin"] == 1) >= 3000, rows
PY
CHECKS=$((CHECKS + 1))
python3 - c.wav <<'PY' || fail "the tuner's tone is not in C's output: $(cat run.err relay.err)"
import os, sys
sys.path.insert(0, os.environ["LOAXA_SRCDIR"] + "/tests/e2e")
from streams import tone_runs
seq, tags = tone_runs(sys.argv[1], [440, 1000], "RF")
print("C:", " ".join("%s@%.1f" % (t, s) for t, s, _ in seq))
assert tags == "R" and sum(n for t, _, n in seq if t == "R") >= 20, seq
PY
echo "relay-capture: $CHECKS checks passed"
