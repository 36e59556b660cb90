# Relays (tiếp sóng) against real servers on 127.0.0.1, started and stopped
# here: Icecast (icecast2) fed by ffmpeg as a source client with a 440 Hz
# programme; loaxa-relay (`loaxa relay`) fetching it; the daemon airing the
# relay slot to a WAV file. The fallback bulletin is a 1000 Hz tone.
#  A. the relay starts on time and its audio (440 Hz) is in the output; the
#     source killed mid-slot, the fallback (1000 Hz) airs within 5 s; the
#     source back, the relay resumes (440 Hz again); the log has the
#     fallback's row, the relay's row with its interruption, and the
#     daemon's log says when, how long, why and what the fallback aired;
#  B. a source whose port is closed: logged unreachable, the fallback airs;
#  C. a name that is not in relay.sources is refused by the service.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/relay-lib.sh"
relay_setup relay icecast2 ffmpeg python3 runuser
[ "$(id -u)" -eq 0 ] || { echo "relay: skipped: icecast2 is run as nobody, which needs root"; exit 0; }

# Two free TCP ports on 127.0.0.1: Icecast's, and one nothing listens on.
# shellcheck disable=SC2046 # one port a word
set -- $(python3 "$STREAMS" port 2)
PORT=$1 DEAD=$2

# Icecast refuses root: it runs as nobody, from a directory nobody can read.
ICE=$(mktemp -d /tmp/loaxa-ice.XXXXXX)
RELAY_RM=$ICE
chmod 0755 "$ICE"
mkdir "$ICE/log"
chown nobody "$ICE/log"
cat >"$ICE/ice.xml" <<XML
<icecast>
  <limits><clients>10</clients><sources>2</sources><source-timeout>2</source-timeout>
    <header-timeout>5</header-timeout><burst-size>16384</burst-size></limits>
  <authentication><source-password>e2e-source</source-password>
    <admin-user>admin</admin-user><admin-password>e2e-admin</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$PORT</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>$ICE/log</logdir>
    <webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot></security>
</icecast>
XML
runuser -u nobody -- icecast2 -c "$ICE/ice.xml" >"$ICE/ice.out" 2>&1 &
pids="$pids $!"

# source_start: ffmpeg sends a 440 Hz programme as MP3 to the mount /a.mp3.
source_start() {
	ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
	    -ac 2 -c:a libmp3lame -b:a 128k -content_type audio/mpeg -f mp3 \
	    "icecast://source:e2e-source@127.0.0.1:$PORT/a.mp3" >>"$T/ffmpeg.err" 2>&1 &
	fpid=$!
	pids="$pids $fpid"
	n=0
	until python3 "$STREAMS" probe "$PORT" /a.mp3; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "icecast never served /a.mp3: $(cat "$ICE/ice.out" "$T/ffmpeg.err")"
		sleep 0.2
	done
}

BASE=$(($(date +%s) + 8))
at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
mkdir -p a
cat >a/st.conf <<CONF
station = { code = "RELAY"; name = "Đài thử tiếp sóng"; timezone = "$TZONE"; };
paths = { data = "$T/a/data"; };
audio = { driver = "wav"; file = "$T/a/out.wav"; realtime = true; fade_ms = 300; };
relay = { sources = ( { name = "VOV1"; url = "http://127.0.0.1:$PORT/a.mp3"; },
                      { name = "Đài tỉnh"; url = "http://127.0.0.1:$DEAD/none.mp3"; } ); };
playlists = ( { name = "filler"; mode = "fixed"; items = [ "1" ]; } );
timetable = (
  { name = "Thời sự"; date = "$day"; start = "$(at 0)"; length = "30s";
    relay = "VOV1"; fallback = "filler"; },
  { name = "Tỉnh"; date = "$day"; start = "$(at 40)"; length = "8s";
    relay = "Đài tỉnh"; fallback = "filler"; }
);
CONF
"$G" --format wav --kind tone --freq 1000 --seconds 6 --rate 48000 --channels 2 a/filler.wav \
    >/dev/null || fail "gen-audio"
run "$LOAXA" -c a/st.conf import --title "Bản tin dự phòng" --topic cchc --approve --by E2E a/filler.wav
expect_rc 0
run "$LOAXA" -c a/st.conf check
expect_rc 0
# loaxa plan shows the relay slots: source and fallback, in table and JSON.
run "$LOAXA" -c a/st.conf plan --from "$day" --days 1
expect_rc 0
expect_out "Thời sự  [normal, relay VOV1, fallback filler]"
expect_out "relay VOV1, live until $(at 30)"
expect_out "fallback while the source fails:"
run "$LOAXA" -c a/st.conf plan --from "$day" --days 1 --format json
expect_rc 0
CHECKS=$((CHECKS + 1))
printf '%s' "$OUT" | python3 -c '
import json, sys
p = json.load(sys.stdin)
o = {x["slot"]: x for x in p["occurrences"]}
assert o["Thời sự"]["relay"] == "VOV1" and o["Thời sự"]["fallback"] == "filler", o
assert o["Tỉnh"]["relay"] == "Đài tỉnh" and o["Tỉnh"]["outcome"] == "planned", o
assert o["Thời sự"]["items"][0]["bulletin"] == 1, o
' || fail "loaxa plan --format json lacks the relay: $OUT"

source_start
relay_service a/st.conf a/data

# C. The service names only configured sources.
CHECKS=$((CHECKS + 1))
python3 - a/data/relay.sock <<'PY' || fail "the relay service served an unknown source"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"SOURCE http://127.0.0.1:1/x\n")
line = s.makefile("rb").readline()
sys.exit(0 if line.startswith(b"ERR unknown source") else 1)
PY

"$LOAXA" -c a/st.conf run --for $((BASE + 52 - $(date +%s)))s 2>a/run.err &
dpid=$!
pids="$pids $dpid"
# The source is killed 8 s into the slot and comes back 6 s later.
sleep $((BASE + 8 - $(date +%s)))
kill -TERM $fpid
sleep 6
source_start
# Each airing child starts the WAV file again: keep the first slot's.
sleep $((BASE + 32 - $(date +%s)))
cp a/out.wav a/relay.wav
wait $dpid

# What went out: 440 Hz (the relay), then 1000 Hz (the fallback), then 440 Hz
# again. The fallback must start within 5 s of the loss.
CHECKS=$((CHECKS + 1))
python3 - a/relay.wav <<'PY' || fail "the output is not relay, fallback, relay: $(cat a/run.err)"
import os, sys
sys.path.insert(0, os.environ["LOAXA_SRCDIR"] + "/tests/e2e")
from streams import tone_runs
seq, tags = tone_runs(sys.argv[1], [440, 1000], "RF")
print("sequence:", " ".join("%s@%.1f" % (t, s) for t, s, _ in seq))
if not tags.startswith("RFR"):
    sys.exit("expected relay, fallback, relay; got " + tags)
r = [s for t, s, _ in seq if t == "R"]
f = [s for t, s, _ in seq if t == "F"]
# The source went 8 s into the slot; the gap before the fallback is at most 5 s.
if f[0] - r[0] > 8 + 5.5:
    sys.exit("the fallback came %.1f s after the relay began" % (f[0] - r[0]))
PY
# The log: the relay's row, on time; the fallback's rows.
"$LOAXA" -c a/st.conf log --format json >"$T/log.json" || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - "$T/log.json" <<'PY' || fail "the log lacks the relay: $(cat "$T/log.json")"
import json, sys, datetime
rows = json.load(open(sys.argv[1]))
def ms(s):
    return datetime.datetime.fromisoformat(s).timestamp() * 1000
relay = [r for r in rows if r["slot"] == "Thời sự" and r["bulletin"] is None]
fb = [r for r in rows if r["slot"] == "Thời sự" and r["bulletin"] == 1]
assert len(relay) == 1, relay
assert relay[0]["outcome"] == "completed", relay[0]
assert ms(relay[0]["started_at"]) - ms(relay[0]["scheduled_at"]) < 1000, relay[0]
assert 10000 <= relay[0]["played_ms"] <= 30000, relay[0]
assert len(fb) >= 1 and fb[0]["started_at"] is not None, fb
tinh = [r for r in rows if r["slot"] == "Tỉnh" and r["bulletin"] == 1]
assert len(tinh) >= 1 and sum(r["played_ms"] for r in tinh) > 4000, tinh
# The relay's row names its source and carries its interruption: when, how
# long (the source was away 6 s, plus the time to notice and to reconnect),
# why and what the fallback aired.
assert relay[0]["source"] == "VOV1", relay[0]
ints = relay[0]["interruptions"]
assert len(ints) == 1, ints
i = ints[0]
assert i["reason"] == "source lost", i
assert 3000 <= i["duration_ms"] <= 16000, i
assert 5000 <= ms(i["at"]) - ms(relay[0]["started_at"]) <= 13000, i
assert "Bản tin dự phòng" in i["fallback"], i
assert all(r["source"] is None and "interruptions" not in r for r in fb), fb
tr = [r for r in rows if r["slot"] == "Tỉnh" and r["bulletin"] is None]
assert len(tr) == 1 and tr[0]["source"] == "Đài tỉnh", tr
assert [x["reason"] for x in tr[0]["interruptions"]] == ["source unreachable"], tr
assert tr[0]["played_ms"] == 0, tr
assert "Bản tin dự phòng" in tr[0]["interruptions"][0]["fallback"], tr
PY
"$LOAXA" -c a/st.conf log --format csv >"$T/log.csv" || fail "loaxa log --format csv"
CHECKS=$((CHECKS + 1))
python3 - "$T/log.csv" <<'PY' || fail "the CSV log lacks the relay's source: $(cat "$T/log.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
relay = [r for r in rows if r["slot"] == "Thời sự" and r["bulletin"] == ""]
assert len(relay) == 1 and relay[0]["source"] == "VOV1", relay
assert relay[0]["interruptions"] == "1" and int(relay[0]["interrupted_ms"]) >= 3000, relay
assert all(r["source"] == "" for r in rows if r["bulletin"] != ""), rows
PY
CHECKS=$((CHECKS + 1))
grep -q "relay VOV1 interrupted at .* (source lost: .*); the fallback aired: 'Bản tin dự phòng'" a/run.err ||
    fail "the daemon did not log the interruption: $(cat a/run.err)"
CHECKS=$((CHECKS + 1))
grep -q "relay Đài tỉnh interrupted at .* (source unreachable: .*Connection refused" a/run.err ||
    fail "the daemon did not log the unreachable source: $(cat a/run.err)"
echo "relay: $CHECKS checks passed"
