# The district's fleet against a real mosquitto and real station links:
# fleet watch keeps fleet.db (airing rows as they come); fleet status lists
# every station, problems first, and a station whose link is killed goes
# offline within its keepalive; a package sent to a group reaches exactly
# the group's stations; an emergency play is acknowledged and the station
# logs the district as who asked; fleet collect writes and verifies each
# export, names a station that is offline as missing and one whose export
# was altered as failing verification, and matches the live rows against
# the export; the merge reads what collect wrote; the ACL written by fleet
# broker-config, on a second mosquitto, refuses a station that publishes
# another's state; a link and a district on MQTT 3.1.1 (protocol). Bad
# input: one line, exit 2 or 3, nothing sent.
BROKER_STATIONS="01/001/00001 01/001/00004 01/001/00007"
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
B=$T/broker
broker_start "$B"
A=$(broker_prefix 00001)
O=$(broker_prefix 00004)
C=$(broker_prefix 00007)
PIDS=
trap 'for p in $PIDS; do broker_end "$p" TERM; done; broker_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

"$LOAXA" key generate --out "$T/district.key" >/dev/null || fail "key generate"
PUB=$(cat "$T/district.key.pub")
BASE=$(($(date +%s) + 5))

# station CODE: a station with a link (keepalive 5 s) and one slot of its
# 1-s bulletins from BASE for 20 s; prints nothing, leaves its key in KEY_CODE.
station() {
	d=$T/$1
	mkdir -p "$d"
	cat >"$d/st.conf" <<CONF
station = { code = "$1"; name = "Đài xã $1"; timezone = "$TZONE"; };
paths = { data = "$d/data"; inbox = "$d/inbox"; };
audio = { driver = "null"; realtime = true; fade_ms = 100; };
trust = { districts = ( { name = "TT huyện thử"; key = "$PUB"; auto_approve = true; } ); };
playlists = ( { name = "all"; mode = "rotate"; repeat = true; } );
timetable = ( { name = "S"; date = "$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)";
  start = "$(TZ=$TZONE date -d "@$BASE" +%H:%M:%S)"; length = "20s"; playlist = "all"; } );
link = { host = "127.0.0.1"; port = $BROKER_PORT; ca_file = "$BROKER_CAFILE";
  cert_file = "$B/station-$1.crt"; key_file = "$B/station-$1.key";
  topic_prefix = "loaxa/v1/01/001/$1"; keepalive = 5; reconnect_min = 1; reconnect_max = 2; };
CONF
	"$G" --format wav --kind speech --seconds 1 --seed 7 "$d/b.wav" >/dev/null || fail gen-audio
	"$LOAXA" -c "$d/st.conf" import --title "Bản tin $1" --topic cchc --approve --by E2E \
	    "$d/b.wav" >/dev/null || fail "import at $1"
	"$LOAXA" -c "$d/st.conf" key station >"$d/key.out" || fail "key station at $1"
	eval "KEY_$1=\$(awk '{ print \$NF }' \"\$d/key.out\" | tail -n 1)"
}
station 00001
station 00004
station 00007
cat >"$T/d.conf" <<CONF
station = { code = "DISTRICT-001"; name = "TT huyện thử"; timezone = "$TZONE"; };
paths = { data = "$T/d-data"; };
trust = { stations = ( { code = "00001"; key = "$KEY_00001"; },
                       { code = "00004"; key = "$KEY_00004"; },
                       { code = "00007"; key = "$KEY_00007"; } ); };
fleet = { host = "127.0.0.1"; port = $BROKER_PORT; cafile = "$BROKER_CAFILE";
  certfile = "$B/district-001.crt"; keyfile = "$B/district-001.key";
  username = "district-001";
  signing_key = "$T/district.key"; ack_timeout = 10;
  stations = ( { code = "00001"; prefix = "$A"; key = "$KEY_00001"; groups = [ "ven-song" ]; },
               { code = "00004"; prefix = "$O"; key = "$KEY_00004"; },
               { code = "00007"; prefix = "$C"; key = "$KEY_00007"; groups = [ "ven-song" ]; } ); };
CONF
export LOAXA_CONFIG=$T/d.conf
run "$LOAXA" check
expect_rc 0

# Bad input: one line, exit 2 or 3, nothing sent.
sub_start --as admin "loaxa/v1/+/+/+/down/#" "$T/down.sub"
run "$LOAXA" fleet collect --period 2026-H1 --out "$T/x" --to nowhere
expect_rc 2; expect_err "'nowhere' is no station or group"; expect_one_err_line
run "$LOAXA" fleet collect --period 2026-H7 --out "$T/x"
expect_rc 2; expect_one_err_line
run "$LOAXA" fleet status --format yaml
expect_rc 2; expect_one_err_line
echo "not a package" >"$T/junk.lxp"
run "$LOAXA" fleet send "$T/junk.lxp" --to all
expect_rc 3; expect_one_err_line
sed 's/signing_key = "[^"]*";/signing_key = 12;/' "$T/d.conf" >"$T/bad.conf"
run "$LOAXA" -c "$T/bad.conf" fleet status
expect_rc 2
[ ! -s "$T/down.sub" ] || fail "bad input sent something: $(cat "$T/down.sub")"
[ ! -e "$T/x" ] || fail "collect made its directory on bad input"
CHECKS=$((CHECKS + 2))

# The stations: 00001 airs; 00004 has a link only; 00007 never connects.
"$LOAXA" -c "$T/00001/st.conf" run 2>"$T/00001/run.err" &
PIDS="$PIDS $!"
"$LOAXA" -c "$T/00001/st.conf" link 2>"$T/00001/link.err" &
PIDS="$PIDS $!"
"$LOAXA" -c "$T/00004/st.conf" link 2>"$T/00004/link.err" &
LINK4=$!
PIDS="$PIDS $LINK4"
"$LOAXA" fleet watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH=$!
PIDS="$PIDS $WATCH"
wait_line "$T/watch.err" "listening to 3 stations" || fail "watch: $(cat "$T/watch.err")"

# Status: every station, the one that never connected among the problems first.
i=0
until "$LOAXA" fleet status --wait 2 >"$T/st.out" 2>&1 &&
    grep -q "^00001  trực tuyến" "$T/st.out" && grep -q "^00004  trực tuyến" "$T/st.out"; do
	i=$((i + 1)); [ $i -lt 30 ] || fail "status never showed both online: $(cat "$T/st.out")"
	sleep 0.5
done
[ "$(wc -l <"$T/st.out")" -eq 3 ] || fail "status is not one line a station: $(cat "$T/st.out")"
head -n 1 "$T/st.out" | grep -q "^00007  chưa kết nối" || fail "the never-connected station is not first: $(cat "$T/st.out")"
grep "^00001" "$T/st.out" | grep -q "device: ok" || fail "no device state: $(cat "$T/st.out")"
grep "^00001" "$T/st.out" | grep -q "disk free: [0-9]" || fail "no disk free: $(cat "$T/st.out")"
grep "^00001" "$T/st.out" | grep -q "loaxa " || fail "no version: $(cat "$T/st.out")"
run "$LOAXA" fleet status --format json --wait 1
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [s["station"] for s in d][0] == "00007", d
assert {s["station"]: s["state"] for s in d} == {"00001": "online", "00004": "online", "00007": "never"}, d
' || fail "status json: $OUT"
CHECKS=$((CHECKS + 6))

# The airings of 00001 come to watch, one line each, once.
until [ "$(date +%s)" -ge $((BASE + 8)) ]; do sleep 0.3; done
wait_line "$T/watch.out" "00001 " 100 || fail "watch printed no airing: $(cat "$T/watch.err")"
grep -q "Bản tin 00001" "$T/watch.out" || fail "watch line lacks the title: $(cat "$T/watch.out")"
n1=$(sqlite3 "$T/d-data/fleet.db" "SELECT count(*) FROM airings WHERE station = '00001'")
[ "$n1" -ge 1 ] || fail "fleet.db kept no airing row"
CHECKS=$((CHECKS + 2))

# A package to a group: exactly 00001 and 00007 get chunks; 00001 acknowledges.
"$G" --format wav --kind speech --seconds 2 --seed 3 "$T/p.wav" >/dev/null || fail gen-audio
run "$LOAXA" package create --key "$T/district.key" --title "Bản tin huyện" --out "$T/p.lxp" "$T/p.wav"
expect_rc 0
PSHA=$(sha256sum "$T/p.lxp" | cut -d' ' -f1)
run "$LOAXA" fleet send "$T/p.lxp" --to ven-song --timeout 15
expect_rc 1
expect_out "00001: acknowledged"
expect_out "00007: no acknowledgement"
grep -q "^$A/down/pkg" "$T/down.sub" || fail "00001 got no chunk"
grep -q "^$C/down/pkg" "$T/down.sub" || fail "00007 got no chunk"
! grep -q "^$O/down" "$T/down.sub" || fail "00004, outside the group, got something"
CHECKS=$((CHECKS + 3))
run "$LOAXA" fleet deliveries
expect_rc 0
expect_out "${PSHA%"${PSHA#????????????}"}  00001  arrived: yes"
expect_out "00007  arrived: no"

# An emergency play, acknowledged; the station logs the district as who asked.
BSHA=$(sha256sum "$T/00001/b.wav" | cut -d' ' -f1)
run "$LOAXA" fleet play "$BSHA" --to 00001 --priority emergency
expect_rc 0
expect_out "00001: acknowledged"
wait_line "$T/00001/run.err" "asked by TT huyện thử" 100 || fail "the daemon did not log the district: $(tail -n 5 "$T/00001/run.err")"
CHECKS=$((CHECKS + 1))

# 00004's link killed: offline within 1.5 keepalives (the broker's will).
kill -KILL "$LINK4"
wait "$LINK4" 2>/dev/null
K0=$(date +%s)
until "$LOAXA" fleet status --wait 1 2>/dev/null | grep -q "^00004  mất kết nối since"; do
	[ $(($(date +%s) - K0)) -lt 12 ] || fail "00004 not offline after 12 s: $("$LOAXA" fleet status --wait 1 2>&1)"
	sleep 0.5
done
"$LOAXA" fleet status --wait 1 2>/dev/null | head -n 1 | grep -q "^00004  mất kết nối" ||
    fail "the offline station is not first"
CHECKS=$((CHECKS + 2))

# MQTT 3.1.1 (protocol = "3.1.1" in link and fleet): 00004's link again,
# online, a command acknowledged (refused: it has no daemon), and offline
# again when it stops cleanly (3.1.1 drops the will on a DISCONNECT: the
# link publishes its offline state itself).
sed 's/keepalive = 5;/keepalive = 5; protocol = "3.1.1";/' "$T/00004/st.conf" >"$T/00004/v311.conf"
sed 's/ack_timeout = 10;/ack_timeout = 10; protocol = "3.1.1";/' "$T/d.conf" >"$T/d311.conf"
run "$LOAXA" -c "$T/00004/v311.conf" check
expect_rc 0
"$LOAXA" -c "$T/00004/v311.conf" link 2>"$T/00004/link311.err" &
LINK4=$!
PIDS="$PIDS $LINK4"
i=0
until "$LOAXA" -c "$T/d311.conf" fleet status --wait 1 2>/dev/null | grep -q "^00004  trực tuyến"; do
	i=$((i + 1)); [ $i -lt 30 ] || fail "00004 not online over 3.1.1: $(cat "$T/00004/link311.err")"
	sleep 0.5
done
run "$LOAXA" -c "$T/d311.conf" fleet stop --to 00004
expect_out "00004: refused:"
broker_end "$LINK4" TERM
run "$LOAXA" -c "$T/d311.conf" fleet status --wait 1
expect_out "00004  mất kết nối since"
CHECKS=$((CHECKS + 1))

# Collect: 00001 answers itself; 00004's link is down, so the test answers
# for it with its real export altered; 00007 never answers.
until [ "$(date +%s)" -ge $((BASE + 21)) ]; do sleep 0.3; done
DAY=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
run "$LOAXA" -c "$T/00004/st.conf" export --from "$DAY" --to "$DAY" --out "$T/o.lxe"
expect_rc 0
grep -q "Đài xã 00004" "$T/o.lxe" || fail "the export lacks the station's name"
sed -i 's/Đài xã 00004/Đài xã 00009/' "$T/o.lxe"
sub_start --as admin "$O/down/cmd" "$T/o.cmd" -N -F '%p' -C 1
"$LOAXA" fleet collect --period "$DAY..$DAY" --out "$T/ex" --timeout 20 >"$T/co.out" 2>"$T/co.err" &
CO=$!
wait_line "$T/o.cmd" "signature " 100 || fail "no export command for 00004"
SEQ=$(sed -n 's/^sequence //p' "$T/o.cmd")
python3 -c '
import base64, json, sys
print(json.dumps({"v": 1, "msg_id": "00004:export:" + sys.argv[2], "request": int(sys.argv[2]),
    "period": sys.argv[3], "lxe": base64.b64encode(open(sys.argv[1], "rb").read()).decode()}))
' "$T/o.lxe" "$SEQ" "$DAY..$DAY" >"$T/o.msg"
run timeout 10 mosquitto_pub $(broker_opts station-00004) -t "$O/up/export" -f "$T/o.msg" -q 1
expect_rc 0
wait $CO
RC=$?
OUT=$(cat "$T/co.out") ERR=$(cat "$T/co.err")
expect_rc 1
expect_out "00001: verified"
expect_out "received live all match"
expect_out "00004: failed verification"
expect_out "00007: missing"
expect_out "2 of 3 came: 1 verified, 1 failed verification"
run "$LOAXA" report --merge "$T/ex/00001.lxe"
expect_rc 0
expect_out "00001"

# A live row that differs from the signed one is reported.
run timeout 10 mosquitto_pub $(broker_opts station-00001) -t "$A/up/airing" -q 1 \
    -m "{\"v\":1,\"msg_id\":\"00001:airing:99999\",\"station\":\"00001\",\"id\":1,\"sha256\":\"$BSHA\",\"scheduled_at_ms\":$((BASE * 1000)),\"started_at_ms\":$((BASE * 1000)),\"outcome\":\"completed\",\"played_ms\":1}"
expect_rc 0
i=0
until [ "$(sqlite3 "$T/d-data/fleet.db" "SELECT count(*) FROM airings WHERE msg_id = '00001:airing:99999'")" = 1 ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "watch did not keep the row"; sleep 0.1
done
run "$LOAXA" fleet collect --period "$DAY..$DAY" --out "$T/ex2" --to 00001 --timeout 20
expect_rc 1
expect_out "00001: verified, but the live rows differ"
broker_end "$WATCH" TERM

# broker-config: a second mosquitto on what it writes; its ACL refuses a
# station that publishes another's state, and a station writing down.
P2=$(broker_free_ports 1)
run "$LOAXA" fleet broker-config --out "$T/b2" --port "$P2" --bind 127.0.0.1 \
    --certfile "$B/server.crt" --keyfile "$B/server.key" --persistence "$T/b2" --user "$(id -un)"
expect_rc 0
grep -q '^[^:]*:\$' "$T/b2/passwords" || fail "the password file is not hashed"
mosquitto -c "$T/b2/mosquitto.conf" >"$T/b2.log" 2>&1 &
M2=$!
PIDS="$PIDS $M2"
m2() { # m2 USER mosquitto_pub|mosquitto_sub ARGS...
	_u=$1 _c=$2; shift 2
	timeout 10 "$_c" -h 127.0.0.1 -p "$P2" --cafile "$BROKER_CAFILE" -u "$_u" \
	    -P "$(cat "$T/b2/$_u.pass")" -V mqttv5 "$@"
}
i=0
until m2 district-001 mosquitto_pub -t "$A/down/cmd" -m probe -q 1 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the generated broker does not start: $(cat "$T/b2.log")"; sleep 0.2
done
m2 district-001 mosquitto_sub -t "$O/up/state" -W 6 -F '%p' >"$T/b2.sub" 2>/dev/null &
S2=$!
sleep 1
# mosquitto_pub says a refused PUBACK on stderr and still exits 0.
run m2 station-00001 mosquitto_pub -t "$O/up/state" -m '{"online":true,"forged":1}' -q 1
expect_err "Not authorized"
run m2 station-00001 mosquitto_pub -t "$A/down/cmd" -m forged -q 1
expect_err "Not authorized"
run m2 station-00004 mosquitto_pub -t "$O/up/state" -m '{"online":true,"own":1}' -q 1
expect_rc 0
wait $S2
grep -q '"own":1' "$T/b2.sub" || fail "the station's own state did not pass: $(cat "$T/b2.sub")"
! grep -q forged "$T/b2.sub" || fail "the forged state passed the ACL"
CHECKS=$((CHECKS + 2))

echo "fleet: $CHECKS checks passed"
