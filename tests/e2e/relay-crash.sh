# A relay's interruption survives a crash of the daemon in the middle of it:
# a relay slot whose source cannot be reached (a closed port on 127.0.0.1,
# through loaxa-relay) airs its fallback; the daemon is killed (SIGKILL) 4 s
# into the slot and started again after it. The relay's row is closed as
# interrupted ("power loss") with its interruption, written as it began:
# "source unreachable", from the slot's start to the row's last heartbeat,
# with the fallback's title; the log's hash chain still holds.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/relay-lib.sh"
relay_setup relay-crash python3 sqlite3

DEAD=$(python3 "$STREAMS" port)
BASE=$(($(date +%s) + 7))
at() { TZ=$TZONE date -d "@$((BASE + $1))" +%H:%M:%S; }
day=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
cat >st.conf <<CONF
station = { code = "CRASH"; name = "Đài thử mất điện"; timezone = "$TZONE"; };
paths = { data = "$T/data"; };
audio = { driver = "wav"; file = "$T/out.wav"; realtime = true; fade_ms = 300; };
relay = { sources = ( { name = "VOV1"; url = "http://127.0.0.1:$DEAD/a.mp3"; } ); };
playlists = ( { name = "filler"; mode = "fixed"; items = [ "1" ]; } );
timetable = ( { name = "K"; date = "$day"; start = "$(at 0)"; length = "9s";
                relay = "VOV1"; fallback = "filler"; } );
CONF
"$G" --format wav --kind tone --freq 1000 --seconds 6 --rate 48000 --channels 2 \
    filler.wav >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --title "Bản tin dự phòng" --topic cchc --approve --by E2E filler.wav
expect_rc 0

relay_service st.conf data
"$LOAXA" -c st.conf run --for 60s 2>run.err &
dpid=$!
pids="$pids $dpid"
sleep $((BASE + 4 - $(date +%s)))
# In the interruption: it is in the database already.
CHECKS=$((CHECKS + 1))
[ "$(sqlite3 data/loaxa.db "SELECT count(*) FROM relay_interruptions")" = 1 ] ||
    fail "no interruption in the database 4 s into the slot: $(cat run.err)"
kill -KILL $dpid
wait $dpid 2>/dev/null
sleep $((BASE + 10 - $(date +%s)))
run "$LOAXA" -c st.conf run --for 2s
expect_rc 0

"$LOAXA" -c st.conf log --format json >log.json || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - log.json "$BASE" <<'PY' || fail "the interruption did not survive the crash: $(cat log.json; cat run.err)"
import json, sys, datetime
rows, base = json.load(open(sys.argv[1])), int(sys.argv[2]) * 1000
ms = lambda s: datetime.datetime.fromisoformat(s).timestamp() * 1000
relay = [r for r in rows if r["slot"] == "K" and r["bulletin"] is None]
assert len(relay) == 1, relay
r = relay[0]
assert (r["outcome"], r["reason"], r["source"]) == ("interrupted", "power loss", "VOV1"), r
assert r["played_ms"] == 0, r
ints = r["interruptions"]
assert len(ints) == 1, ints
i = ints[0]
assert i["reason"] == "source unreachable" and "Connection refused" in (i["detail"] or ""), i
assert abs(ms(i["at"]) - base) < 1000, (i, base)
# Until the last heartbeat before the kill, 4 s in.
assert 2000 <= i["duration_ms"] <= 4500, i
assert "Bản tin dự phòng" in (i["fallback"] or ""), i
fb = [x for x in rows if x["slot"] == "K" and x["bulletin"] == 1]
assert len(fb) == 1 and fb[0]["reason"] == "power loss", fb
PY
# The chain holds: an export of the day verifies.
relay_verify st.conf CRASH "$day"
echo "relay-crash: $CHECKS checks passed"
