#!/bin/sh
# bench/relay: relays on time, and what the relay service costs. A real
# `loaxa run` airs RELAY_STARTS (10) one-off relay slots of 3 s, 5 s apart,
# from a stream server on 127.0.0.1 (python3, started and stopped here) that
# sends an MP3 programme made by ffmpeg at its own bit rate, through
# loaxa-relay, to the realtime-paced wav driver:
#  - lateness: the relay row's started_at minus its scheduled_at (ms), median
#    and max (the files' targets: median <= 5 ms, max <= 50 ms);
#  - loss to fallback: in a last slot of 12 s the server closes the stream
#    4 s in; the time from that close to the fallback bulletin's started_at;
#  - the relay service's CPU time and peak memory (VmHWM) over the run, and
#    its CPU per relayed minute. The stream cannot be fetched faster than it
#    airs (the airing child paces it), so the run is real time.
# Figures over a target are marked; the bench fails only when the daemon fails
# or rows are missing.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
N=${RELAY_STARTS:-10}
TZONE=Asia/Ho_Chi_Minh
RELAY=$(dirname "$LOAXA")/loaxa-relay
for c in python3 ffmpeg; do
	command -v $c >/dev/null || { echo "bench/relay: $c is not installed; skipped"; exit 0; }
done
[ -x "$RELAY" ] || { echo "bench/relay: no $RELAY" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-relay.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || :; done
	[ -n "${BENCH_KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
cd "$T"

ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=30" \
    -ac 2 -c:a libmp3lame -b:a 128k a.mp3
"$LOAXA_GEN_AUDIO" --format wav --kind tone --freq 1000 --seconds 4 --rate 48000 --channels 2 \
    filler.wav >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=$(($(date +%s) + 10))
LOSS_SLOT=$((N * 5))
LOSS_AT=$((BASE + LOSS_SLOT + 4))
# The stream server: each connection gets the MP3 at 128 kbit/s (16 kB/s);
# a connection made for the last slot is closed at LOSS_AT, and the moment
# (ms) is written to closed.ms. Everything ends within 200 s.
python3 - "$PORT" "$LOSS_AT" >server.err 2>&1 <<'PY' &
import os, socket, sys, threading, time
port, loss_at = int(sys.argv[1]), int(sys.argv[2])
data = open("a.mp3", "rb").read()
def talk(c):
    try:
        c.settimeout(5)
        c.recv(4096)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n")
        start, sent, last = time.time(), 0, time.time() >= loss_at - 8
        while sent < len(data):
            if last and time.time() >= loss_at:
                if not os.path.exists("closed.ms"):  # the first close, not a retry's
                    open("closed.ms", "w").write("%d" % int(time.time() * 1000))
                break
            ahead = sent - (time.time() - start) * 16000 - 32000
            if ahead > 0:
                time.sleep(ahead / 16000)
            c.sendall(data[sent:sent + 4096])
            sent += 4096
    except OSError:
        pass
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
deadline = time.time() + 200
while time.time() < deadline:
    s.settimeout(deadline - time.time())
    try:
        c, _ = s.accept()
    except OSError:
        break
    threading.Thread(target=talk, args=(c,), daemon=True).start()
PY
pids="$pids $!"

at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
{
	echo "station = { code = \"BENCH\"; name = \"Bench\"; timezone = \"$TZONE\"; };"
	echo "paths = { data = \"$T/data\"; };"
	echo "audio = { driver = \"wav\"; file = \"$T/out.wav\"; realtime = true; fade_ms = 300; };"
	echo "relay = { sources = ( { name = \"S\"; url = \"http://127.0.0.1:$PORT/a.mp3\"; } ); };"
	echo "playlists = ( { name = \"filler\"; mode = \"fixed\"; items = [ \"1\" ]; } );"
	echo "timetable = ("
	i=0
	while [ $i -lt "$N" ]; do
		echo "  { name = \"R$i\"; date = \"$day\"; start = \"$(at $((i * 5)))\"; length = \"3s\"; relay = \"S\"; fallback = \"filler\"; },"
		i=$((i + 1))
	done
	echo "  { name = \"LOSS\"; date = \"$day\"; start = \"$(at $LOSS_SLOT)\"; length = \"12s\"; relay = \"S\"; fallback = \"filler\"; }"
	echo ");"
} >st.conf
"$LOAXA" -c st.conf import --title filler --topic cchc --approve --by bench filler.wav >/dev/null
"$RELAY" -c st.conf 2>relay.err &
rpid=$!
pids="$pids $rpid"
"$LOAXA" -c st.conf run --for $((BASE + LOSS_SLOT + 14 - $(date +%s)))s 2>run.err || {
	echo "bench/relay: the daemon failed: $(tail -5 run.err)" >&2; exit 1; }
# The relay service's CPU (user + system, clock ticks) and peak memory.
ticks=$(awk '{ print $14 + $15 }' /proc/$rpid/stat)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$rpid/status)
hz=$(getconf CLK_TCK)
"$LOAXA" -c st.conf log --format json >log.json
python3 - log.json "$ticks" "$hz" "$hwm" "$(cat closed.ms 2>/dev/null || echo 0)" "$N" <<'PY'
import json, sys, datetime, statistics
rows = json.load(open(sys.argv[1]))
ticks, hz, hwm, closed, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ms = lambda s: datetime.datetime.fromisoformat(s).timestamp() * 1000
relays = [r for r in rows if r["bulletin"] is None and r["slot"].startswith("R") and r["started_at"]]
if len(relays) != n:
    sys.exit("bench/relay: %d relay rows of %d" % (len(relays), n))
late = sorted(ms(r["started_at"]) - ms(r["scheduled_at"]) for r in relays)
med, mx = statistics.median(late), max(late)
print("relay starts:        %d, first-sample lateness median %.0f ms%s, max %.0f ms%s"
      % (n, med, "" if med <= 5 else " (over 5)", mx, "" if mx <= 50 else " (over 50)"))
fb = [r for r in rows if r["slot"] == "LOSS" and r["bulletin"] == 1 and r["started_at"]]
if closed and fb:
    print("loss to fallback:    %.0f ms (stream closed, then the fallback's first sample)"
          % (ms(fb[0]["started_at"]) - closed))
else:
    print("loss to fallback:    not measured (closed %d, fallback rows %d)" % (closed, len(fb)))
relayed = sum(r["played_ms"] for r in rows if r["bulletin"] is None and r["started_at"]) / 60000
cpu = ticks / hz
print("relay service:       CPU %.2f s over %.1f relayed minutes (%.2f s a minute), VmHWM %.1f MB"
      % (cpu, relayed, cpu / relayed if relayed else 0, hwm / 1024))
PY
