# Relays against live stream servers on 127.0.0.1 (tests/e2e/streams.py,
# started here and stopped by their PIDs), through loaxa-relay, aired to a
# WAV file. The live station airs 440 Hz; the fallback bulletin is 1000 Hz,
# the emergency bulletin 700 Hz.
#  T. a relay slot of 6 s ends on time, within the fade, while the stream
#     goes on (the relay service says the client went, not the source);
#  E. an emergency (`loaxa play --priority emergency`) 5 s into a relay: it
#     cuts the relay at once and airs; the relay resumes in the same slot
#     with no fault, and its audio (440 Hz) is in the output; the log and
#     the daemon's log show both;
#  S. a source that airs only silence (digital zeros) for 7 s, longer than
#     relay.silence_s (3): "source silent", the fallback airs, the relay
#     comes back when the sound does (440, 1000, 440 Hz in the output);
#  X. an emergency during the fallback of a relay (its source a closed
#     port, its fallback one long bulletin): it cuts the fallback at once
#     and airs, not when the bulletin ends.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/relay-lib.sh"
relay_setup relay-more ffmpeg python3

BASE=$(($(date +%s) + 9))
at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
# The programmes: 440 Hz for a minute; 440 Hz with 7 s of zeros from 8 s.
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=60" \
    -ac 2 -c:a libmp3lame -b:a 128k live.mp3 || fail "ffmpeg"
ffmpeg -nostdin -loglevel error -f lavfi \
    -i "aevalsrc='if(between(t,8,15),0,0.5*sin(2*PI*440*t))':s=44100:d=60" \
    -ac 2 -c:a libmp3lame -b:a 128k silent.mp3 || fail "ffmpeg"
# shellcheck disable=SC2046 # one port a word
set -- $(python3 "$STREAMS" port 3)
PLIVE=$1 PSIL=$2 PDEAD=$3
python3 "$STREAMS" live "$PLIVE" live.mp3 16000 --for 120 >live.err 2>&1 &
pids="$pids $!"
# The silent source's programme is at 0 s 6 s before its slot: zeros from
# 2 s into the slot until 9 s.
python3 "$STREAMS" live "$PSIL" silent.mp3 16000 --t0 $((BASE + 34 - 6)) --for 120 \
    >silent.err 2>&1 &
pids="$pids $!"

cat >st.conf <<CONF
station = { code = "MORE"; name = "Đài thử tiếp sóng"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { driver = "wav"; file = "$T/out.wav"; realtime = true; fade_ms = 300; };
relay = { sources = ( { name = "VOV1"; url = "http://127.0.0.1:$PLIVE/a.mp3"; },
                      { name = "Câm"; url = "http://127.0.0.1:$PSIL/a.mp3"; },
                      { name = "Tắt"; url = "http://127.0.0.1:$PDEAD/a.mp3"; } );
          silence_s = 3; };
playlists = ( { name = "filler"; mode = "fixed"; items = [ "1" ]; },
              { name = "long"; mode = "fixed"; items = [ "3" ]; } );
timetable = (
  { name = "T"; date = "$day"; start = "$(at 0)"; length = "6s"; relay = "VOV1"; fallback = "filler"; },
  { name = "E"; date = "$day"; start = "$(at 10)"; length = "18s"; relay = "VOV1"; fallback = "filler"; },
  { name = "S"; date = "$day"; start = "$(at 34)"; length = "16s"; relay = "Câm"; fallback = "filler"; },
  { name = "X"; date = "$day"; start = "$(at 56)"; length = "14s"; relay = "Tắt"; fallback = "long"; }
);
CONF
"$G" --format wav --kind tone --freq 1000 --seconds 4 --rate 48000 --channels 2 filler.wav \
    >/dev/null || fail "gen-audio"
"$G" --format wav --kind tone --freq 700 --seconds 3 --rate 48000 --channels 2 alarm.wav \
    >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --title "Bản tin dự phòng" --topic cchc --approve --by E2E filler.wav
expect_rc 0
run "$LOAXA" -c st.conf import --title "Báo cháy" --topic cchc --approve --by E2E alarm.wav
expect_rc 0
"$G" --format wav --kind tone --freq 1000 --seconds 12 --rate 48000 --channels 2 long.wav \
    >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --title "Bản tin dài" --topic cchc --approve --by E2E long.wav
expect_rc 0

relay_service st.conf data
"$LOAXA" -c st.conf run --for $((BASE + 72 - $(date +%s)))s 2>run.err &
dpid=$!
pids="$pids $dpid"
# E: the emergency 5 s into the slot.
sleep $((BASE + 15 - $(date +%s)))
run "$LOAXA" -c st.conf play 2 --priority emergency
expect_rc 0
# Each airing child starts the WAV file again: keep E's (its resumed relay).
sleep $((BASE + 29 - $(date +%s)))
cp out.wav e.wav
# Keep S's output before X's child (its pre-roll 4 s) starts one.
sleep $((BASE + 51 - $(date +%s)))
cp out.wav s.wav
# X: the emergency 4 s into the slot, its fallback on air.
sleep $((BASE + 60 - $(date +%s)))
run "$LOAXA" -c st.conf play 2 --priority emergency
expect_rc 0
wait $dpid

"$LOAXA" -c st.conf log --format json >log.json || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - log.json "$BASE" <<'PY' || fail "the log is not as it should be: $(cat log.json; cat run.err)"
import json, sys, datetime
rows, base = json.load(open(sys.argv[1])), int(sys.argv[2]) * 1000
ms = lambda s: datetime.datetime.fromisoformat(s).timestamp() * 1000
def relays(slot):
    return [r for r in rows if r["slot"] == slot and r["bulletin"] is None]
# T: on time at both ends; the end within the fade (300 ms) of the slot's.
t = relays("T")
assert len(t) == 1 and t[0]["outcome"] == "completed" and t[0]["interruptions"] == [], t
assert ms(t[0]["started_at"]) - base < 500, t
end = base + 6000
assert end - 300 - 150 <= ms(t[0]["ended_at"]) <= end + 400, (t, end)
assert t[0]["played_ms"] >= 5300, t
# E: the relay cut by the emergency, the emergency aired whole, the relay
# again in the same slot until its end, with no fault.
e = sorted(relays("E"), key=lambda r: r["started_at"])
alarm = sorted([r for r in rows if r["bulletin"] == 2], key=lambda r: r["started_at"])
assert len(e) == 2, e
assert len(alarm) == 2, alarm
a = alarm[0]
assert (e[0]["outcome"], e[0]["reason"]) == ("interrupted", "emergency"), e[0]
assert (a["outcome"], a["priority"], a["slot"]) == ("completed", "emergency", None), a
assert abs(ms(a["started_at"]) - (base + 15000)) < 1500, a
assert ms(a["started_at"]) - ms(e[0]["ended_at"]) < 1000, (e[0], a)
assert a["played_ms"] >= 2900, a
assert e[1]["slot_start"] == e[0]["slot_start"], e
assert 0 <= ms(e[1]["started_at"]) - ms(a["ended_at"]) < 2500, (a, e[1])
assert e[1]["outcome"] == "completed" and e[1]["interruptions"] == [], e[1]
assert abs(ms(e[1]["ended_at"]) - (base + 28000)) < 500, e[1]
assert e[0]["played_ms"] >= 4000 and e[1]["played_ms"] >= 8000, e
assert not [r for r in rows if r["slot"] == "E" and r["bulletin"] == 1], "the fallback aired in E"
# S: the silent source's interruption, the fallback in it, the relay back.
s = relays("S")
assert len(s) == 1 and s[0]["outcome"] == "completed", s
ints = s[0]["interruptions"]
assert [i["reason"] for i in ints] == ["source silent"], ints
assert "Bản tin dự phòng" in (ints[0]["fallback"] or ""), ints
assert 3000 <= ms(ints[0]["at"]) - ms(s[0]["started_at"]) <= 8000, (s, ints)
assert 1000 <= ints[0]["duration_ms"] <= 10000, ints
assert s[0]["played_ms"] >= 6000, s
# X: the fallback and the relay cut by the emergency at once, not when
# the bulletin would have ended; the relay again after it, in its slot.
x = sorted(relays("X"), key=lambda r: r["started_at"])
a = alarm[1]
assert len(x) >= 1 and (x[0]["outcome"], x[0]["reason"]) == ("interrupted", "emergency"), x
assert abs(ms(a["started_at"]) - (base + 60000)) < 1500, (a, x)
assert ms(a["started_at"]) - ms(x[0]["ended_at"]) < 1000, (x[0], a)
fb = sorted([r for r in rows if r["slot"] == "X" and r["bulletin"] == 3], key=lambda r: r["started_at"])
assert fb and ms(fb[0]["ended_at"]) <= ms(a["started_at"]), (fb, a)
assert a["outcome"] == "completed" and a["played_ms"] >= 2900, a
PY
# T: the relay ended the client's side; the source went on.
CHECKS=$((CHECKS + 1))
grep -q "relay VOV1: the client went" relay.err ||
    fail "the relay service did not see the slot end: $(cat relay.err)"
CHECKS=$((CHECKS + 1))
if ! grep -q "on air: 'Báo cháy' (operator)" run.err ||
    [ "$(grep -c "on air: 'VOV1' (E)" run.err)" -ne 2 ]; then
	fail "the daemon's log lacks the emergency or the relay's return: $(cat run.err)"
fi
CHECKS=$((CHECKS + 1))
if ! grep -q "relay Câm interrupted at .* (source silent: .*); the fallback aired: 'Bản tin dự phòng'" run.err ||
    ! grep -q "relay Câm: back on air" run.err; then
	fail "the daemon did not log the silent source: $(cat run.err)"
fi
# The output: E's resumed relay is the station (440 Hz); S's is relay,
# fallback, relay.
CHECKS=$((CHECKS + 1))
python3 - e.wav s.wav <<'PY' || fail "the output is not what aired: $(tail -20 run.err)"
import os, sys
sys.path.insert(0, os.environ["LOAXA_SRCDIR"] + "/tests/e2e")
from streams import tone_runs
seq, tags = tone_runs(sys.argv[1], [440, 1000, 700], "RFA")
print("E after the emergency:", tags)
assert tags == "R" and sum(n for t, _, n in seq if t == "R") >= 24, seq
seq, tags = tone_runs(sys.argv[2], [440, 1000, 700], "RFA")
print("S:", " ".join("%s@%.1f" % (t, s) for t, s, _ in seq))
assert tags == "RFR", tags
PY
echo "relay-more: $CHECKS checks passed"
