#!/bin/sh
# bench/sealed: what the airing child's private, sealed copy of a bulletin
# costs. A real `loaxa run` (null output, paced) airs operator plays of a
# 5-minute 128 kbps MP3 (4.8 MB) and a 3-minute 44.1 kHz stereo WAV (31 MB),
# BENCH_ROUNDS times each (default 5). For each: the start time, from the
# child's spawn to its first sample (an operator's play is scheduled at its
# spawn: the log's started_at minus scheduled_at), median and max; and one
# second into the airing the child's VmRSS and VmHWM and the bytes of the
# memfd it holds (its pages are memory, but not mapped, so not in VmRSS).
# With LOAXA_BEFORE set to another loaxa binary, the same for it, side by
# side. No target: the figures are for the record.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
ROUNDS=${BENCH_ROUNDS:-5}
command -v python3 >/dev/null || { echo "bench/sealed: python3 is not installed; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-sealed.XXXXXX")
dpid=
trap '[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null || true; rm -rf "$T"' EXIT
cd "$T"
unset LOAXA_CONFIG

"$LOAXA_GEN_AUDIO" --format mp3 --kind speech --rate 44100 --channels 2 \
	--bitrate-kbps 128 --seconds 300 b.mp3 >/dev/null
"$LOAXA_GEN_AUDIO" --format wav --kind speech --rate 44100 --channels 2 \
	--seconds 180 b.wav >/dev/null

# The airing child is not dumpable: only root lists its fds (the memfd).
[ "$(id -u)" -eq 0 ] || echo "sealed: memfd sizes need root (the airing child is not dumpable); shown as 0"
# child_mem PID: "VmRSS_kB VmHWM_kB memfd_bytes" of the airing child of PID.
child_mem() {
	c=$(ps --ppid "$1" -o pid= | head -n 1 | tr -d ' ')
	[ -n "$c" ] || { echo "- - -"; return; }
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$c/status")
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$c/status")
	# One memfd may be open more than once (the decoder reopens it).
	mem=$(for f in /proc/"$c"/fd/*; do
		case "$(readlink "$f" 2>/dev/null)" in
		/memfd:*) stat -L -c '%i %s' "$f" ;;
		esac
	done | sort -u | awk '{ n += $2 } END { print n + 0 }')
	echo "$rss $hwm $mem"
}

# bench NAME BINARY: the figures of one binary.
bench() {
	name=$1
	bin=$2
	rm -rf data st.conf mem.txt
	cat >st.conf <<EOF
station = { code = "BENCH"; name = "Bench"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; realtime = true; fade_ms = 0; };
EOF
	"$bin" -c st.conf import --topic cchc --approve --by bench b.mp3 >/dev/null
	"$bin" -c st.conf import --topic cchc --approve --by bench b.wav >/dev/null
	"$bin" -c st.conf run --for 10m 2>run.err &
	dpid=$!
	until [ -S data/control.sock ]; do sleep 0.1; done
	for id in 1 2; do
		i=0
		while [ $i -lt "$ROUNDS" ]; do
			"$bin" -c st.conf play $id >/dev/null
			sleep 1
			echo "$id $(child_mem $dpid)" >>mem.txt
			"$bin" -c st.conf skip >/dev/null
			sleep 0.5
			i=$((i + 1))
		done
	done
	kill -TERM $dpid
	wait $dpid || true
	dpid=
	"$bin" -c st.conf log --format json >log.json
	python3 - "$name" log.json mem.txt <<'PY'
import json, sys, datetime, statistics
name, rows = sys.argv[1], json.load(open(sys.argv[2]))
mem = [l.split() for l in open(sys.argv[3])]
t = lambda s: datetime.datetime.fromisoformat(s).timestamp() * 1000
for bid, what in ((1, "MP3 4.8 MB"), (2, "WAV 31 MB")):
    late = [t(r["started_at"]) - t(r["scheduled_at"]) for r in rows
            if r["bulletin"] == bid and r["started_at"]]
    m = [x for x in mem if x[0] == str(bid) and x[1] != "-"]
    rss = max(int(x[1]) for x in m) if m else 0
    hwm = max(int(x[2]) for x in m) if m else 0
    mfd = max(int(x[3]) for x in m) if m else 0
    print("%-8s %-11s start median %5.0f ms, max %5.0f ms; child VmRSS %6.1f MB, "
          "VmHWM %6.1f MB, memfd %5.1f MB" % (name, what, statistics.median(late),
          max(late), rss / 1024, hwm / 1024, mfd / 1048576))
PY
}

[ -z "${LOAXA_BEFORE:-}" ] || bench before "$LOAXA_BEFORE"
bench loaxa "$LOAXA"
