# Attacks on the airing, run the way a hostile user on the controller would:
#  A. a write into the stored bulletin while it airs is never heard: what
#     goes out is the approved audio, and the row that says completed is
#     about the approved bytes;
#  B. a bulletin retired or rejected after it was queued (an operator's play,
#     a slot's item) never airs; its refusal is in the airing log, the daemon
#     log and status's last error;
#  C. `stop` also empties the operator's plays still waiting;
#  D. a user who floods the control socket with connections cannot keep
#     root's emergency out, and fills no log with warnings.
# Tests run as root; the hostile user is played with setpriv (nobody, with
# the daemon's group where the attack needs it).
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
command -v python3 >/dev/null || fail "python3 is needed to read WAV files and the log"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "attack-airing: skipped: needs root and setpriv"
	exit 0
fi
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3)
chmod 0755 "$T"
pids=""
trap 'for p in $pids; do kill -KILL $p 2>/dev/null; done; rm -rf "$T"' EXIT

# station DIR OUTPUT [SLOTS]: DIR/st.conf with data in DIR/data; OUTPUT is
# the audio section's body; SLOTS "NAME OFFSET_S LENGTH PLAYLIST" lines.
station() {
	mkdir -p "$1"
	{
		cat <<EOF
station = { code = "ATK-$1"; name = "Đài thử $1"; timezone = "$TZONE"; };
paths = { data = "$T/$1/data"; };
audio = { $2 };
playlists = ( { name = "threefour"; mode = "fixed"; items = [ "3", "4" ]; } );
EOF
		printf 'timetable = (\n'
		sep=""
		printf '%s\n' "${3:-}" | while read -r name off len pl; do
			[ -n "$name" ] || continue
			at=$((BASE + off))
			printf '%s  { name = "%s"; date = "%s"; start = "%s"; length = "%s"; playlist = "%s"; }\n' \
			    "$sep" "$name" "$(TZ=$TZONE date -d "@$at" +%Y-%m-%d)" \
			    "$(TZ=$TZONE date -d "@$at" +%H:%M:%S)" "$len" "$pl"
			sep=","
		done
		printf ');\n'
	} >"$1/st.conf"
}

# bulletin DIR FILE: imports and approves FILE.
bulletin() {
	run "$LOAXA" -c "$1/st.conf" import --title "Bản tin $(basename "$2")" --topic cchc \
	    --approve --by "E2E" "$2"
	expect_rc 0
}

# daemon DIR SECONDS: runs the daemon in the background (its pid in $dpid).
daemon() {
	"$LOAXA" -c "$1/st.conf" run --for "$2" 2>"$1/run.err" &
	dpid=$!
	pids="$pids $dpid"
	n=0
	until [ -S "$1/data/control.sock" ]; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "no control socket: $(cat "$1/run.err")"
		sleep 0.1
	done
}

# waitfor DIR TEXT SECONDS: polls `loaxa status` until its output has TEXT.
waitfor() {
	n=0
	while [ $n -lt $(($3 * 5)) ]; do
		"$LOAXA" -c "$1/st.conf" status >"$T/status.out" 2>/dev/null
		grep -q "$2" "$T/status.out" && return 0
		sleep 0.2
		n=$((n + 1))
	done
	fail "status never showed '$2': $(cat "$T/status.out")"
}

# logq DIR PYTHON: PYTHON is true of r, the airing log's rows.
logq() {
	"$LOAXA" -c "$1/st.conf" log --format json >"$T/log.json" 2>"$T/.err" ||
	    fail "loaxa log failed"
	CHECKS=$((CHECKS + 1))
	python3 - "$T/log.json" "$2" <<'PY' || fail "log check failed: $2 in $(cat "$T/log.json")"
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

# --- A. A write into the stored file while it airs is not heard. ------------
BASE=$(date +%s)
station a 'driver = "wav"; file = "'"$T"'/a/out.wav"; realtime = true; fade_ms = 300;'
"$G" --format wav --kind tone --freq 440 --seconds 6 --rate 16000 --channels 1 a/ok.wav \
    >/dev/null || fail "gen-audio"
"$G" --format wav --kind tone --freq 2500 --seconds 6 --rate 16000 --channels 1 a/bad.wav \
    >/dev/null || fail "gen-audio"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %s a/ok.wav)" = "$(stat -c %s a/bad.wav)" ] || fail "the two tones differ in size"
bulletin a a/ok.wav
approved=$(sha256sum a/ok.wav | cut -c1-64)
stored=$(ls a/data/bulletins/"$approved".*)
daemon a 20s
run "$LOAXA" -c a/st.conf play 1
expect_rc 0
waitfor a "Đang phát / on air: 'Bản tin" 5
sleep 1
# The attacker is given write access to the stored file and overwrites its
# bytes in place, the header and all, while it airs.
chmod 0660 "$stored"
run setpriv --reuid=65534 --regid=65534 --groups=0 dd if=a/bad.wav of="$stored" \
    conv=notrunc,fsync status=none
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(sha256sum "$stored" | cut -c1-64)" = "$(sha256sum a/bad.wav | cut -c1-64)" ] ||
    fail "the attack did not change the stored file"
waitfor a "Đang phát / on air: nothing" 10
kill -TERM $dpid
wait $dpid
# What went out, from its second second to its last: the approved 440 Hz
# tone, not the 2500 Hz one written in while it aired.
CHECKS=$((CHECKS + 1))
python3 - a/out.wav <<'PY' || fail "the output is not the approved audio"
import sys, struct
b = open(sys.argv[1], "rb").read()
at, rate, ch, data = 12, 0, 0, None
while at + 8 <= len(b):  # the chunks; the format may be WAVE_FORMAT_EXTENSIBLE
    cid, size = b[at:at + 4], struct.unpack("<I", b[at + 4:at + 8])[0]
    if cid == b"fmt ":
        ch, rate, bits = struct.unpack("<HI6xH", b[at + 10:at + 24])
        if bits != 16:
            sys.exit("%d-bit output" % bits)
    elif cid == b"data":
        raw = b[at + 8:at + 8 + size]
        data = struct.unpack("<%dh" % (len(raw) // 2), raw[:len(raw) // 2 * 2])[::ch]
    at += 8 + size + (size & 1)
if data is None or not rate:
    sys.exit("no audio in the output")
n = len(data)
if n < 5 * rate:
    sys.exit("only %d frames went out" % n)
# Half-second windows from 1.5 s to the fade: each must be the 440 Hz tone.
for start in range(int(1.5 * rate), n - int(1.0 * rate), rate // 2):
    win = data[start:start + rate // 2]
    cross = sum(1 for a, b in zip(win, win[1:]) if (a < 0) != (b < 0))
    hz = cross / 2 / 0.5
    if abs(hz - 440) > 40:
        sys.exit("at %.1f s the output is %.0f Hz, not 440 Hz" % (start / rate, hz))
PY
logq a 'len(r) == 1 and r[0]["outcome"] == "completed" and r[0]["sha256"] == "'"$approved"'"'

# --- B. Approval is checked when an item starts. ------------------------------
BASE=$(($(date +%s) + 1))
station b 'driver = "null"; realtime = true; fade_ms = 300;' "S1 12 20s threefour"
for i in 1 2 3 4; do
	"$G" --format wav --kind speech --seconds 3 --seed $i b/b$i.wav >/dev/null || fail "gen-audio"
	bulletin b b/b$i.wav
done
daemon b 24s
# An operator's play queued behind another, then retired.
run "$LOAXA" -c b/st.conf play 1
expect_rc 0
run "$LOAXA" -c b/st.conf play 2
expect_rc 0; expect_out "queued bulletin 2"
run "$LOAXA" -c b/st.conf retire --by "E2E" --reason "withdrawn" 2
expect_rc 0
waitfor b "last error: .*bulletin 2.*not approved" 8
# A slot's second item, rejected while the first airs.
waitfor b "Đang phát / on air: 'Bản tin b3.wav'" 15
run "$LOAXA" -c b/st.conf reject --by "E2E" --reason "wrong figures" 4
expect_rc 0
wait $dpid
logq b 'not [x for x in r if x["bulletin"] in (2, 4) and x["started_at"] is not None]'
logq b 'len([x for x in r if x["bulletin"] in (2, 4) and x["outcome"] == "failed" and "refused" in x["reason"]]) == 2'
logq b '[x["outcome"] for x in r if x["bulletin"] in (1, 3)] == ["completed", "completed"]'
CHECKS=$((CHECKS + 1))
grep -q "bulletin 2 is retired, not approved" b/run.err || fail "no daemon log line: $(cat b/run.err)"

# --- C. `stop` empties the operator's queue. ---------------------------------
BASE=$(date +%s)
station c 'driver = "null"; realtime = true; fade_ms = 300;'
for i in 1 2 3; do
	"$G" --format wav --kind speech --seconds 3 --seed $i c/b$i.wav >/dev/null || fail "gen-audio"
	bulletin c c/b$i.wav
done
daemon c 9s
for i in 1 2 3; do
	run "$LOAXA" -c c/st.conf play $i
	expect_rc 0
done
waitfor c "Đang phát / on air: 'Bản tin" 5
run "$LOAXA" -c c/st.conf stop
expect_rc 0
wait $dpid
logq c 'len(r) == 1 and r[0]["bulletin"] == 1 and r[0]["outcome"] == "interrupted"'

# --- D. A flood of control clients keeps no emergency out. --------------------
BASE=$(date +%s)
station d 'driver = "null"; realtime = true; fade_ms = 300;'
"$G" --format wav --kind speech --seconds 2 --seed 1 d/b1.wav >/dev/null || fail "gen-audio"
bulletin d d/b1.wav
cat >flood.py <<'EOF'
# flood.py SOCKET SECONDS: holds as many silent connections as it can and
# opens a new one for each the daemon closes.
import socket, sys, time, select
path, end = sys.argv[1], time.time() + float(sys.argv[2])
held = []
while time.time() < end:
    while len(held) < 200:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            s.close()
            break
        held.append(s)
    ready = select.select(held, [], [], 0.05)[0]
    for s in ready:
        held.remove(s)
        s.close()
EOF
daemon d 14s
# The flooding user may control the station (the daemon's group).
setpriv --reuid=65534 --regid=65534 --groups=0 $PY "$T/flood.py" "$T/d/data/control.sock" 6 &
fpid=$!
pids="$pids $fpid"
sleep 1.5
for i in 1 2 3 4 5; do
	run "$LOAXA" -c d/st.conf play 1 --priority emergency
	expect_rc 0; expect_out "queued bulletin 1 (emergency)"
	sleep 0.3
done
wait $fpid
wait $dpid
CHECKS=$((CHECKS + 1))
nwarn=$(grep -c "control socket" d/run.err)
[ "$nwarn" -le 10 ] || fail "$nwarn warnings about the control socket in 14 s"
logq d 'len(r) >= 1 and r[0]["bulletin"] == 1 and r[0]["priority"] == "emergency"'

echo "attack-airing: $CHECKS checks passed"
