#!/bin/sh
# bench/relay: relays on time, and what relaying costs. A real `loaxa run`
# airs RELAY_STARTS (20) one-off relay slots of 3 s, 5 s apart, from a live
# stream server on 127.0.0.1 (tests/e2e/streams.py, started and stopped
# here) that sends an MP3 programme made by ffmpeg at its own bit rate,
# through loaxa-relay, to the realtime-paced wav driver:
#  - lateness: the relay row's started_at minus its scheduled_at (ms), median
#    and max (the files' targets: median <= 5 ms, max <= 50 ms);
#  - loss to fallback: in a last slot of 12 s the server closes the stream
#    4 s in; the time from that close to the fallback bulletin's started_at;
#  - the relay service's CPU time and peak memory (VmHWM) over that run, and
#    its CPU per relayed minute (real time: the airing child paces it).
# Then one hour of stream, compressed: RELAY_HOUR_S (3600) seconds of MP3
# (a minute of programme, its frames served RELAY_HOUR_S / 60 times over
# without pause by the stream server) fetched and decoded by a loaxa-relay
# worker as fast as a reader on its socket takes the PCM (nothing paces it),
# so an hour takes seconds; the worker's CPU (user + system, from the
# service's reaped children) and its peak resident memory (VmHWM, sampled
# while it runs), and CPU per hour of stream.
# Figures over a target are marked; the bench fails only when the daemon fails
# or rows are missing.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
N=${RELAY_STARTS:-20}
HOUR_S=${RELAY_HOUR_S:-3600}
TZONE=Asia/Ho_Chi_Minh
RELAY=$(dirname "$LOAXA")/loaxa-relay
STREAMS=$(cd "$(dirname "$0")/.." && pwd)/tests/e2e/streams.py
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
PORT=$(python3 "$STREAMS" port)
BASE=$(($(date +%s) + 10))
LOSS_SLOT=$((N * 5))
LOSS_AT=$((BASE + LOSS_SLOT + 4))
# The stream server: a live station airing the MP3 at 128 kbit/s (16 kB/s);
# the connection of the last slot is closed at LOSS_AT, and the moment (ms)
# is written to closed.ms.
python3 "$STREAMS" live "$PORT" a.mp3 16000 --cut-at "$LOSS_AT" --cut-file closed.ms \
    --for $((LOSS_SLOT + 40)) >server.err 2>&1 &
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

# One hour of stream, compressed: a minute of programme as raw MP3 frames (no
# ID3 or Xing header, so that copies join up), served HOUR_S / 60 times over
# as fast as it is read, by a relay service of its own with one source.
ffmpeg -nostdin -loglevel error -f lavfi \
    -i "aevalsrc='0.3*sin(2*PI*440*t)+0.05*(random(0)-0.5)':s=44100:d=60" \
    -ac 2 -c:a libmp3lame -b:a 128k -write_xing 0 -id3v2_version 0 -f mp3 minute.mp3
HPORT=$(python3 "$STREAMS" port)
python3 "$STREAMS" fast "$HPORT" minute.mp3 $((HOUR_S / 60)) --for 600 >fast.err 2>&1 &
pids="$pids $!"
mkdir -p hour/data
cat >hour/st.conf <<CONF
station = { code = "BENCH"; name = "Bench"; timezone = "$TZONE"; };
paths = { data = "$T/hour/data"; };
relay = { sources = ( { name = "H"; url = "http://127.0.0.1:$HPORT/h.mp3"; } ); };
CONF
"$RELAY" -c hour/st.conf 2>hour/relay.err &
hpid=$!
pids="$pids $hpid"
n=0
until [ -S hour/data/relay.sock ]; do
	n=$((n + 1)); [ $n -lt 50 ] || { echo "bench/relay: no relay socket" >&2; exit 1; }
	sleep 0.1
done
python3 - hour/data/relay.sock "$hpid" "$(getconf CLK_TCK)" "$HOUR_S" <<'PY'
import os, socket, sys, time
path, service, hz, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def reaped_ticks():  # the service's reaped children: cutime + cstime
    f = open("/proc/%d/stat" % service).read().rsplit(")", 1)[1].split()
    return int(f[13]) + int(f[14])
def worker():
    for pid in os.listdir("/proc"):
        try:
            f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if pid.isdigit() and int(f[1]) == service:
            return int(pid)
    return 0
def hwm(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
before = reaped_ticks()
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.sendall(b"SOURCE H\n")
t0 = time.time()
head = b""
while not head.endswith(b"\n"):
    head += s.recv(1)
if not head.startswith(b"OK 48000 2"):
    sys.exit("bench/relay: the service said " + head.decode(errors="replace"))
pid, peak, got, last = 0, 0, 0, 0.0
buf = bytearray(1 << 20)
while True:
    n = s.recv_into(buf)
    if n == 0:
        break
    got += n
    if time.time() - last > 0.25:
        last = time.time()
        pid = pid or worker()
        peak = max(peak, hwm(pid)) if pid else peak
wall = time.time() - t0
s.close()
for _ in range(50):  # the service reaps its worker
    time.sleep(0.1)
    if reaped_ticks() != before:
        break
cpu = (reaped_ticks() - before) / hz
secs = got / (48000 * 2 * 4)
if secs < want * 0.95:
    sys.exit("bench/relay: only %.0f s of the %d s stream came" % (secs, want))
print("one hour compressed: %.0f s of stream (MP3 128 kbit/s, 44.1 kHz) decoded and"
      " resampled to 48 kHz float in %.1f s wall (%.0fx real time)" % (secs, wall, secs / wall))
print("relay worker:        CPU %.2f s (%.2f s an hour of stream, %.2f%% of one core"
      " in real time), VmHWM %.1f MB" % (cpu, cpu * 3600 / secs, cpu / secs * 100, peak / 1024))
PY
