# Relay faults against real servers on 127.0.0.1, each started here and
# stopped by its PID at exit: one relay slot per fault, each with the same
# fallback (a 1000 Hz bulletin), then an HLS source relayed.
#  A. a 404 (python3 -m http.server over a directory without the file);
#  B. a server that sends an HTTP header and then nothing;
#  C. a server that sends garbage;
#  D. a self-signed TLS certificate (https://127.0.0.1:PORT/...);
#     each logged on its relay's row with its reason, the slot filled by
#     the fallback;
#  E. an HLS source (ffmpeg -f hls into a served directory): relayed, its
#     tone (440 Hz) in the output, and no interruption;
#  F. an HLS source with segments of 6 s, as stations publish them: its
#     tone throughout the slot, with no gap and no interruption (the
#     segments come whole, a few seconds apart);
# and the day's export verifies without flagging the fallbacks, on air
# inside their relays' rows by design, as overlaps.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/relay-lib.sh"
relay_setup relay-faults ffmpeg python3 openssl

# shellcheck disable=SC2046 # one port a word
set -- $(python3 "$STREAMS" port 5)
P404=$1 PSTALL=$2 PJUNK=$3 PTLS=$4 PHLS=$5

# A. and E.: one directory, served; the HLS playlist is made in it below.
mkdir -p www
(cd www && exec python3 -m http.server --bind 127.0.0.1 "$P404") >"$T/http.err" 2>&1 &
pids="$pids $!"
(cd www && exec python3 -m http.server --bind 127.0.0.1 "$PHLS") >"$T/hls-http.err" 2>&1 &
pids="$pids $!"

# B. and C.: a header then nothing (each connection held for 60 s), and
# bytes that are no audio.
python3 "$STREAMS" head "$PSTALL" >"$T/stall.err" 2>&1 &
pids="$pids $!"
python3 "$STREAMS" junk "$PJUNK" >"$T/junk.err" 2>&1 &
pids="$pids $!"

# D. a TLS server with a certificate nobody signed.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || fail "openssl req"
python3 - "$PTLS" "$T/cert.pem" "$T/key.pem" >"$T/tls.err" 2>&1 <<'PY' &
import http.server, ssl, sys, threading, time
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
threading.Timer(180, srv.shutdown).start()
srv.serve_forever()
PY
pids="$pids $!"

# E. ffmpeg makes a live HLS programme (440 Hz AAC) in www/live.
mkdir -p www/live
ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -ac 2 -c:a aac -b:a 96k -f hls -hls_time 1 -hls_list_size 6 \
    -hls_flags delete_segments "www/live/p.m3u8" >"$T/ffmpeg.err" 2>&1 &
pids="$pids $!"
# F. the same with segments of 6 s, in www/live6: three of them by its slot.
mkdir -p www/live6
ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -ac 2 -c:a aac -b:a 96k -f hls -hls_time 6 -hls_list_size 6 \
    -hls_flags delete_segments "www/live6/p.m3u8" >"$T/ffmpeg6.err" 2>&1 &
pids="$pids $!"

BASE=$(($(date +%s) + 8))
at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
cat >st.conf <<CONF
station = { code = "FAULTS"; name = "Đài thử lỗi nguồn"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { driver = "wav"; file = "$T/out.wav"; realtime = true; fade_ms = 300; };
relay = { sources = ( { name = "404"; url = "http://127.0.0.1:$P404/none.mp3"; },
                      { name = "stall"; url = "http://127.0.0.1:$PSTALL/a.mp3"; },
                      { name = "junk"; url = "http://127.0.0.1:$PJUNK/a.mp3"; },
                      { name = "tls"; url = "https://127.0.0.1:$PTLS/a.mp3"; },
                      { name = "hls"; url = "http://127.0.0.1:$PHLS/live/p.m3u8"; },
                      { name = "hls6"; url = "http://127.0.0.1:$PHLS/live6/p.m3u8"; } ); };
playlists = ( { name = "filler"; mode = "fixed"; items = [ "1" ]; } );
timetable = (
  { name = "A"; date = "$day"; start = "$(at 0)"; length = "9s"; relay = "404"; fallback = "filler"; },
  { name = "B"; date = "$day"; start = "$(at 11)"; length = "10s"; relay = "stall"; fallback = "filler"; },
  { name = "C"; date = "$day"; start = "$(at 23)"; length = "9s"; relay = "junk"; fallback = "filler"; },
  { name = "D"; date = "$day"; start = "$(at 34)"; length = "9s"; relay = "tls"; fallback = "filler"; },
  { name = "E"; date = "$day"; start = "$(at 45)"; length = "10s"; relay = "hls"; fallback = "filler"; },
  { name = "F"; date = "$day"; start = "$(at 61)"; length = "20s"; relay = "hls6"; fallback = "filler"; }
);
CONF
"$G" --format wav --kind tone --freq 1000 --seconds 5 --rate 48000 --channels 2 filler.wav \
    >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --title "Bản tin dự phòng" --topic cchc --approve --by E2E filler.wav
expect_rc 0

relay_service st.conf data
n=0
until [ -s www/live/p.m3u8 ]; do
	n=$((n + 1)); [ $n -lt 80 ] || fail "no HLS playlist: $(cat "$T/ffmpeg.err")"
	sleep 0.1
done

"$LOAXA" -c st.conf run --for $((BASE + 83 - $(date +%s)))s 2>run.err &
dpid=$!
pids="$pids $dpid"
# Each airing child starts the WAV file again: keep E's before F's child
# (its pre-roll 4 s) starts.
sleep $((BASE + 56 - $(date +%s)))
cp out.wav e.wav
wait $dpid

"$LOAXA" -c st.conf log --format json >"$T/log.json" || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - "$T/log.json" <<'PY' || fail "the faults are not logged as they should be: $(cat "$T/log.json"; tail -20 run.err)"
import json, sys
rows = json.load(open(sys.argv[1]))
def relay(slot):
    r = [x for x in rows if x["slot"] == slot and x["bulletin"] is None]
    assert len(r) == 1, (slot, r)
    return r[0]
def fallback(slot):
    return sum(x["played_ms"] for x in rows if x["slot"] == slot and x["bulletin"] == 1)
# B: a header and then nothing is no audio by the slot's start, not a hang.
want = {"A": ("404", "source unreachable", "404"),
        "B": ("stall", "source unreachable", "no audio"),
        "C": ("junk", "source unreachable", "no audio in the stream"),
        "D": ("tls", "source unreachable", "certificate")}
for slot, (source, reason, word) in want.items():
    r = relay(slot)
    assert r["source"] == source, r
    ints = r["interruptions"]
    assert len(ints) >= 1, r
    reasons = {i["reason"] for i in ints}
    assert reasons == {reason}, (slot, ints)
    assert word in (ints[0]["detail"] or ""), (slot, ints)
    assert all("Bản tin dự phòng" in (i["fallback"] or "") for i in ints), (slot, ints)
    # The fallback filled the slot: most of its time is the bulletin's,
    # and none of it counts as relayed.
    assert fallback(slot) >= 4000, (slot, fallback(slot))
    assert r["played_ms"] == 0, (slot, "relayed", r["played_ms"])
e = relay("E")
assert e["source"] == "hls" and e["interruptions"] == [], e
assert e["played_ms"] >= 6000, e
f = relay("F")
assert f["source"] == "hls6" and f["interruptions"] == [], f
assert f["played_ms"] >= 18000, f
assert fallback("F") == 0, fallback("F")
PY
# E. the HLS relay's output: 440 Hz.
CHECKS=$((CHECKS + 1))
python3 - e.wav <<'PY' || fail "the HLS source's tone is not in the output: $(tail -20 run.err)"
import os, sys
sys.path.insert(0, os.environ["LOAXA_SRCDIR"] + "/tests/e2e")
from streams import tone_runs
seq, _ = tone_runs(sys.argv[1], [440], "R")
tone = sum(n for t, _, n in seq if t == "R")
print("440 Hz quarters:", tone)
if tone < 16:
    sys.exit("only %d quarter-seconds of 440 Hz" % tone)
PY
# F. the HLS relay with 6 s segments: 440 Hz from its start to its end,
# nothing else (no silence, no fallback) between.
CHECKS=$((CHECKS + 1))
python3 - out.wav <<'PY' || fail "the HLS source with 6 s segments is not aired whole: $(tail -20 run.err)"
import os, sys
sys.path.insert(0, os.environ["LOAXA_SRCDIR"] + "/tests/e2e")
from streams import tone_runs
seq, _ = tone_runs(sys.argv[1], [440, 1000], "RF")
print("F:", " ".join("%s@%.2f/%d" % (t, s, n) for t, s, n in seq))
runs = [r for r in seq if r[0] == "R"]
assert len(runs) == 1 and runs[0][2] >= 72, seq
assert not [r for r in seq if r[0] == "F"], seq
PY
# The export: each fallback row lies inside its relay's row; not an overlap.
relay_verify st.conf FAULTS "$day"
CHECKS=$((CHECKS + 1))
case "$OUT" in
*overlap*) fail "verify flags the relays' fallbacks as overlaps: $OUT" ;;
esac
echo "relay-faults: $CHECKS checks passed"
