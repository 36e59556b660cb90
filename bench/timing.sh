#!/bin/sh
# bench/timing: the daemon on time. A real `loaxa run` airs 30 short generated
# bulletins (1 s and 1.5 s of tone or speech, WAV, MP3, FLAC and Vorbis,
# imported and approved) through the realtime-paced libao wav driver: 15
# one-off slots 5 s apart, each a fixed playlist of two items, so that half
# the airings start at a slot's instant (the player prepared ahead) and half
# right after the item before them. Lateness is the airing log's started_at
# minus its scheduled_at, in ms. Then, with the next slot well after it, an
# idle window (TIMING_IDLE_SECONDS, 60 by default): the daemon's CPU time over
# it from /proc/PID/stat, and its memory (VmHWM, VmRSS) from /proc/PID/status;
# the players' peak memory is sampled while they air.
# Targets: median lateness <= 5 ms, max <= 50 ms, idle CPU about 0, daemon
# memory < 10 MB. Figures over a target are marked; the bench fails only when
# the daemon fails or airings are missing.
# BENCH_DRIVER=pulse does the same through a private PulseAudio's null sink
# (tests/pulse-server.sh), recorded at 20 ms latency as a sound card would
# take it, and is skipped when PulseAudio cannot start.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
IDLE=${TIMING_IDLE_SECONDS:-60}
DRIVER=${BENCH_DRIVER:-wav}
SLOTS=15
SPACING=5
TZONE=Asia/Ho_Chi_Minh
HERE=$(cd "$(dirname "$0")/.." && pwd)
case "$DRIVER" in wav | pulse) ;; *) echo "bench/timing: BENCH_DRIVER is wav or pulse" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "bench/timing: python3 is not installed; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-timing.XXXXXX")
. "$HERE/tests/pulse-server.sh"
dpid=
spid=
rpid=
cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null || true
	[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null || true
	pulse_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T"
unset LOAXA_CONFIG

if [ "$DRIVER" = pulse ]; then
	if ! pulse_start "$T/pulse"; then
		echo "bench/timing: SKIP: pulse: $PULSE_WHY"
		exit 0
	fi
	# A listener at 20 ms keeps the null sink's latency near a sound
	# card's; with none, libao's drain at an item's end took some 2 s
	# here, and held the next item back by as much.
	parec --latency-msec=20 -d loaxa_null.monitor >/dev/null 2>&1 &
	rpid=$!
	AUDIO="driver = \"pulse\"; options = { server = \"$PULSE_SERVER\"; sink = \"loaxa_null\"; };"
else
	AUDIO="driver = \"wav\"; file = \"$T/loa.wav\";"
fi

# --- 30 bulletins: pairs of 1 s and 1.5 s, formats and kinds in turn. -------
i=0
for f in wav mp3 flac ogg wav mp3 flac ogg wav mp3 flac ogg wav mp3 flac ogg \
    wav mp3 flac ogg wav mp3 flac ogg wav mp3 flac ogg wav mp3; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 1 ]; then s=1; k=tone; else s=1.5; k=speech; fi
	"$LOAXA_GEN_AUDIO" --format "$f" --kind "$k" --seconds "$s" --seed "$i" \
	    --freq $((300 + 20 * i)) "b$(printf %02d $i).$f" >/dev/null
done
cat >loaxa.conf <<EOF
station = { code = "BENCH-TIMING"; name = "Bench"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { $AUDIO realtime = true; fade_ms = 300; };
EOF
export LOAXA_CONFIG="$T/loaxa.conf"
"$LOAXA" import --topic cchc --agency "Bench" --approve --by bench b??.* >import.out
ids=$(awk '{ print $NF }' import.out)
[ "$(echo "$ids" | wc -l)" -eq 30 ] || { echo "bench/timing: import failed" >&2; cat import.out >&2; exit 1; }

# --- The timetable: the first slot 6 s from now; one more after the idle. ---
BASE=$(($(date +%s) + 6))
LAST_END=$((BASE + (SLOTS - 1) * SPACING + 4))
IDLE_SLOT=$((LAST_END + IDLE + 30))
at() { TZ=$TZONE date -d "@$1" "+date = \"%Y-%m-%d\"; start = \"%H:%M:%S\";"; }
{
	printf 'playlists = (\n'
	k=0
	echo "$ids" | while read -r a && read -r b; do
		k=$((k + 1))
		[ $k -eq 1 ] || printf ',\n'
		printf '  { name = "p%d"; mode = "fixed"; items = [ "%s", "%s" ]; }' $k "$a" "$b"
	done
	printf '\n);\ntimetable = (\n'
	k=0
	while [ $k -lt $SLOTS ]; do
		k=$((k + 1))
		printf '  { name = "S%d"; %s length = "4s"; playlist = "p%d"; },\n' \
		    $k "$(at $((BASE + (k - 1) * SPACING)))" $k
	done
	printf '  { name = "later"; %s length = "4s"; playlist = "p1"; }\n);\n' \
	    "$(at $IDLE_SLOT)"
} >>loaxa.conf
"$LOAXA" check >/dev/null

"$LOAXA" run --for "$((IDLE_SLOT - BASE))s" 2>run.err &
dpid=$!

# The players' peak memory, sampled while they air (one /proc read a quarter second).
(
	peak=0
	while [ "$(date +%s)" -le "$LAST_END" ] && kill -0 "$dpid" 2>/dev/null; do
		for c in $(pgrep -P "$dpid" 2>/dev/null); do
			h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$c/status" 2>/dev/null || true)
			[ -z "$h" ] || [ "$h" -le "$peak" ] || peak=$h
		done
		echo "$peak" >player.hwm
		sleep 0.25
	done
) &
spid=$!

while [ "$(date +%s)" -le $((LAST_END + 1)) ]; do
	kill -0 "$dpid" 2>/dev/null || { echo "bench/timing: the daemon died" >&2; cat run.err >&2; exit 1; }
	sleep 1
done
wait "$spid" || true
spid=

# --- The idle window: nothing airs until the slot after it. -----------------
cpu() { sed 's/.*) //' "/proc/$dpid/stat" | awk '{ print $12 + $13 }'; }
c0=$(cpu)
sleep "$IDLE"
c1=$(cpu)
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$dpid/status"; }
mem="$(kb VmHWM) $(kb VmRSS) $(kb RssAnon) $(kb RssFile)"
kill -TERM "$dpid"
rc=0
wait "$dpid" || rc=$?
dpid=
[ "$rc" -eq 0 ] || { echo "bench/timing: the daemon exited with $rc" >&2; cat run.err >&2; exit 1; }

"$LOAXA" log --format json >log.json
python3 - log.json "$DRIVER" "$IDLE" "$((c1 - c0))" "$(getconf CLK_TCK)" "$mem" \
    "$(cat player.hwm 2>/dev/null || echo 0)" <<'PY'
import datetime, json, statistics, sys

rows = json.load(open(sys.argv[1]))
driver, idle, ticks, hz = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
hwm, rss, anon, filed = (int(x) for x in sys.argv[6].split())
phwm = int(sys.argv[7])

def ms(s):
    return datetime.datetime.fromisoformat(s).timestamp() * 1000

def mark(ok):
    return "PASS" if ok else "OVER TARGET"

done = [r for r in rows if r["outcome"] == "completed"]
if len(done) != 30 or len(rows) != 30:
    print("bench/timing: %d airings logged, %d completed, 30 expected:" % (len(rows), len(done)))
    for r in rows:
        print("  %s %s %s %s" % (r["slot"], r["scheduled_at"], r["outcome"], r["reason"]))
    sys.exit(1)
late = [ms(r["started_at"]) - ms(r["scheduled_at"]) for r in done]
first, follow, gaps = [], [], []
prev = None
for r, l in zip(done, late):
    if prev is not None and prev["slot"] == r["slot"]:
        follow.append(l)
        gaps.append(ms(r["started_at"]) - ms(prev["ended_at"]))
    else:
        first.append(l)
    prev = r

def line(name, xs, targets=True):
    med, mx = statistics.median(xs), max(xs)
    s = "  %-26s median %6.1f ms  max %6.1f ms" % (name, med, mx)
    if targets:
        s += "  (targets <= 5, <= 50)  %s" % mark(med <= 5 and mx <= 50)
    print(s)

print("bench/timing: 30 airings through the %s driver (15 slots 5 s apart, 2 items each)" % driver)
line("lateness, all 30", late)
line("at a slot's start (%d)" % len(first), first, False)
line("after the item before (%d)" % len(follow), follow, False)
line("silence between the two", gaps, False)
print("  daemon CPU, %3d s idle      %d ticks = %d ms  (target about 0)  %s"
      % (idle, ticks, ticks * 1000 // hz, mark(ticks <= 1)))
print("  daemon memory              VmHWM %.1f MB, VmRSS %.1f MB  (target < 10 MB)  %s"
      % (hwm / 1024, rss / 1024, mark(hwm < 10 * 1024)))
print("                             of which %.1f MB its own (RssAnon), %.1f MB shared"
      " libraries' pages (RssFile)" % (anon / 1024, filed / 1024))
print("  player process             VmHWM %.1f MB (peak sampled while airing)" % (phwm / 1024))
PY
