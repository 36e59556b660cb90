# The down direction end to end through `loaxa link`: a
# district package sent with `loaxa fleet send` reaches the station's link,
# is verified, moved into the inbox, imported by the daemon and aired on an
# emergency `fleet play`, the link acknowledging "imported" and "approved"
# once the daemon's inbox took it ("approved" only after `loaxa approve`
# for a key without auto_approve; "imported" not ok, with the inbox's
# reason, for one the daemon refuses); the broker killed and restarted in the middle of a
# package, the package still arrives whole; commands signed by an untrusted
# key, expired, replayed, or for another station are each refused with a
# line on the link's stderr and a refusal the district sees.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"

G=$LOAXA_GEN_AUDIO
B=$T/broker
broker_start "$B"
A=$(broker_prefix 00001)
O=$(broker_prefix 00004)

"$LOAXA" key generate --out "$T/district.key" >/dev/null || fail "key generate"
"$LOAXA" key generate --out "$T/other.key" >/dev/null || fail "key generate"
"$LOAXA" key generate --out "$T/nd.key" >/dev/null || fail "key generate"
PUB=$(cat "$T/district.key.pub")
NDPUB=$(cat "$T/nd.key.pub")
mkdir -p "$T/st"
cat >"$T/st/st.conf" <<CONF
station = { code = "00001"; name = "Đài xã thử"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/st/data"; inbox = "$T/st/inbox"; };
audio = { driver = "null"; realtime = true; fade_ms = 100; };
trust = { districts = ( { name = "TT huyện"; key = "$PUB"; auto_approve = true; },
  { name = "Phòng VH huyện"; key = "$NDPUB"; } ); };
link = { host = "127.0.0.1"; port = $BROKER_PORT; ca_file = "$BROKER_CAFILE";
  cert_file = "$B/station-00001.crt"; key_file = "$B/station-00001.key";
  topic_prefix = "$A"; groups = [ "ven-song" ]; };
CONF
# fleet_conf NAME KEY [EXPIRY]: a district configuration signing with KEY.
fleet_conf() {
	cat >"$T/$1.conf" <<CONF
station = { code = "DISTRICT-001"; name = "TT huyện"; };
paths = { data = "$T/$1-data"; };
fleet = { host = "127.0.0.1"; port = $BROKER_PORT; cafile = "$BROKER_CAFILE";
  certfile = "$B/district-001.crt"; keyfile = "$B/district-001.key";
  signing_key = "$2"; expiry = ${3:-600}; ack_timeout = 20;
  stations = ( { code = "00001"; prefix = "$A"; groups = [ "ven-song" ]; },
               { code = "00004"; prefix = "$O"; } ); };
CONF
}
fleet_conf d "$T/district.key"
fleet_conf rogue "$T/other.key"
fleet_conf short "$T/district.key" 10
fleet_conf nd "$T/nd.key"

"$LOAXA" -c "$T/st/st.conf" run 2>"$T/st/run.err" &
RUN=$!
"$LOAXA" -c "$T/st/st.conf" link 2>"$T/st/link.err" &
LINK=$!
trap 'kill $RUN $LINK 2>/dev/null; broker_cleanup; rm -rf "$T"' EXIT
wait_line "$T/st/link.err" "connected" 100 || fail "the link did not connect: $(cat "$T/st/link.err")"

# A package arrives, is verified, imported (auto_approve) and airs.
sub_start --as district-001 "$A/up/ack" "$T/acks0"
"$G" --format wav --kind speech --seconds 4 --seed 1 "$T/b1.wav" >/dev/null || fail gen-audio
run "$LOAXA" -c "$T/d.conf" package create --key "$T/district.key" --out "$T/p1.lxp" \
    --title "Bản tin huyện" "$T/b1.wav"
expect_rc 0
run "$LOAXA" -c "$T/d.conf" fleet send "$T/p1.lxp" --to 00001
expect_rc 0
expect_out "00001: acknowledged"
SHA=$(sha256sum "$T/b1.wav" | cut -d' ' -f1)
i=0
until "$LOAXA" -c "$T/st/st.conf" list --format json | grep -q "\"sha256\": *\"$SHA\""; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the package was not imported"; sleep 0.1
done
PK1=$(sha256sum "$T/p1.lxp" | cut -d' ' -f1)
wait_line "$T/acks0" "\"package\":\"$PK1\",\"what\":\"imported\",\"ok\":true" ||
    fail "no 'imported' acknowledgement: $(cat "$T/acks0")"
wait_line "$T/acks0" "\"package\":\"$PK1\",\"what\":\"approved\",\"ok\":true" ||
    fail "no 'approved' acknowledgement: $(cat "$T/acks0")"
CHECKS=$((CHECKS + 2))
run "$LOAXA" -c "$T/d.conf" fleet play "$SHA" --to ven-song --priority emergency
expect_rc 0
expect_out "00001: acknowledged"
wait_line "$T/st/run.err" "asked by TT huyện" 100 || fail "the daemon did not log the district's play"
wait_line "$T/st/run.err" "on air: 'Bản tin huyện'" 100 || fail "the bulletin did not air"
P1=$(sha256sum "$T/p1.lxp" | cut -c1-12)
run "$LOAXA" -c "$T/st/st.conf" status
expect_out "last package: $P1: imported and approved"
expect_out "last command: accepted: play"
# From a key without auto_approve: "imported", and "approved" only when an
# operator approves it, however much later.
"$G" --format wav --kind speech --seconds 3 --seed 4 "$T/b4.wav" >/dev/null || fail gen-audio
run "$LOAXA" -c "$T/nd.conf" package create --key "$T/nd.key" --out "$T/p4.lxp" "$T/b4.wav"
expect_rc 0
P4=$(sha256sum "$T/p4.lxp" | cut -d' ' -f1)
run "$LOAXA" -c "$T/nd.conf" fleet send "$T/p4.lxp" --to 00001
expect_out "00001: acknowledged"
wait_line "$T/acks0" "\"package\":\"$P4\",\"what\":\"imported\",\"ok\":true" 300 ||
    fail "no 'imported' acknowledgement (pending): $(cat "$T/acks0")"
SHA4=$(sha256sum "$T/b4.wav" | cut -d' ' -f1)
ID4=$(sqlite3 "$T/st/data/loaxa.db" "SELECT id FROM bulletins WHERE sha256 = '$SHA4'")
[ -n "$ID4" ] || fail "the pending bulletin is not in the library"
sleep 1
! grep -qF "\"package\":\"$P4\",\"what\":\"approved\"" "$T/acks0" ||
    fail "'approved' before anyone approved it"
run "$LOAXA" -c "$T/st/st.conf" approve --by "Cán bộ xã" "$ID4"
expect_rc 0
wait_line "$T/acks0" "\"package\":\"$P4\",\"what\":\"approved\",\"ok\":true" ||
    fail "no 'approved' acknowledgement after loaxa approve: $(cat "$T/acks0")"
CHECKS=$((CHECKS + 4))

# One the daemon refuses (numbered below the one it imported): the link
# delivers it, and says why the inbox refused it.
cp "$T/district.key.seq" "$T/seq.keep"
echo 5 >"$T/district.key.seq"
"$G" --format wav --kind speech --seconds 3 --seed 3 "$T/b0.wav" >/dev/null || fail gen-audio
run "$LOAXA" -c "$T/d.conf" package create --key "$T/district.key" --out "$T/p0.lxp" "$T/b0.wav"
expect_rc 0
cp "$T/seq.keep" "$T/district.key.seq"
P0=$(sha256sum "$T/p0.lxp" | cut -d' ' -f1)
run "$LOAXA" -c "$T/d.conf" fleet send "$T/p0.lxp" --to 00001
expect_out "00001: acknowledged"
wait_line "$T/acks0" "\"package\":\"$P0\",\"what\":\"imported\",\"ok\":false,\"why\":\"" 300 ||
    fail "no refusal of the import: $(cat "$T/acks0")"
grep -F "\"package\":\"$P0\",\"what\":\"imported\"" "$T/acks0" | grep -q "replayed\|older" ||
    fail "the refusal does not say why: $(grep -F "$P0" "$T/acks0")"
CHECKS=$((CHECKS + 2))

# The broker dies in the middle of a 20 MB package; the package arrives whole.
"$G" --format wav --kind speech --seconds 600 --rate 16000 --seed 2 "$T/b2.wav" >/dev/null ||
    fail gen-audio
run "$LOAXA" -c "$T/d.conf" package create --key "$T/district.key" --out "$T/p2.lxp" "$T/b2.wav"
expect_rc 0
P2=$(sha256sum "$T/p2.lxp" | cut -d' ' -f1)
"$LOAXA" -c "$T/d.conf" fleet send "$T/p2.lxp" --to 00001 >"$T/send1.out" 2>&1 &
i=0
until [ "$(sqlite3 "$T/st/data/link/link.db" "SELECT count(*) FROM link_chunks" 2>/dev/null || echo 0)" -gt 3 ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "no chunk arrived"; sleep 0.1
done
CONNECTS=$(grep -c "connected to" "$T/st/link.err")
broker_kill
# Resumed, not restarted: every chunk held at the kill is still held after.
chunks() {
	sqlite3 "$T/st/data/link/link.db" "SELECT idx FROM link_chunks WHERE package = '$P2' ORDER BY idx"
}
chunks >"$T/held1"
[ -s "$T/held1" ] || fail "no chunk of the package was held at the kill"
broker_restart
i=0
until [ "$(grep -c "connected to" "$T/st/link.err")" -gt "$CONNECTS" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "the link did not come back"; sleep 0.1
done
chunks >"$T/held2"
[ -z "$(comm -23 "$T/held1" "$T/held2")" ] || fail "chunks were dropped: the package restarted"
CHECKS=$((CHECKS + 1))
run "$LOAXA" -c "$T/d.conf" fleet send "$T/p2.lxp" --to 00001 --timeout 60
expect_rc 0
expect_out "00001: acknowledged"
i=0
until ls "$T/st/inbox/done/" 2>/dev/null | grep -q "$P2"; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "the package did not reach the inbox whole"; sleep 0.1
done
cmp "$T/p2.lxp" "$T/st/inbox/done/$P2.lxp" || fail "the package arrived changed"

# Refused commands: one stderr line each, and the district hears why.
sub_start --as district-001 "$A/up/ack" "$T/acks"
run "$LOAXA" -c "$T/rogue.conf" fleet stop --to 00001
expect_rc 1
expect_out "00001: refused: signed by an unknown key"
wait_line "$T/st/link.err" "refused: signed by an unknown key" || fail "no log line (untrusted)"
sub_start --as admin "$A/down/cmd" "$T/cmds" -N -F '%p' -C 1
run "$LOAXA" -c "$T/short.conf" fleet stop --to 00001 --timeout 5
expect_out "00001: acknowledged"
sleep 11
run timeout 10 mosquitto_pub $(broker_opts district-001) -t "$A/down/cmd" -f "$T/cmds" -q 1
wait_line "$T/st/link.err" "refused: expired" || fail "no log line (expired)"
wait_line "$T/acks" '"ok":false,"why":"expired' || fail "no refusal on up/ack (expired)"
run "$LOAXA" -c "$T/d.conf" fleet stop --to 00001
expect_out "00001: acknowledged"
sub_start --as admin "$A/down/cmd" "$T/cmds2" -N -F '%p' -C 1
run "$LOAXA" -c "$T/d.conf" fleet stop --to 00001
expect_rc 0
run timeout 10 mosquitto_pub $(broker_opts district-001) -t "$A/down/cmd" -f "$T/cmds2" -q 1
wait_line "$T/st/link.err" "refused: replayed" || fail "no log line (replayed)"
wait_line "$T/acks" '"ok":false,"why":"replayed' || fail "no refusal on up/ack (replayed)"
sub_start --as admin "$O/down/cmd" "$T/cmds3" -N -F '%p' -C 1
run "$LOAXA" -c "$T/d.conf" fleet stop --to 00004 --timeout 1
run timeout 10 mosquitto_pub $(broker_opts district-001) -t "$A/down/cmd" -f "$T/cmds3" -q 1
wait_line "$T/st/link.err" "refused: not for this station" || fail "no log line (other station)"
wait_line "$T/acks" '"ok":false,"why":"not for this station' || fail "no refusal on up/ack (not for this station)"
run "$LOAXA" -c "$T/st/st.conf" status
expect_out "last command: refused: not for this station"
# The session persists while the link is away: a command sent meanwhile
# waits at the broker and acts once the link is back.
kill "$LINK"; wait "$LINK"
ACCEPTED=$(grep -c "command: accepted: stop" "$T/st/link.err")
run "$LOAXA" -c "$T/d.conf" fleet stop --to 00001 --timeout 1
expect_out "0 of 1 station acknowledged"
"$LOAXA" -c "$T/st/st.conf" link 2>>"$T/st/link.err" &
LINK=$!
i=0
until [ "$(grep -c "command: accepted: stop" "$T/st/link.err")" -gt "$ACCEPTED" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "the command sent while the link was away never came"
	sleep 0.1
done
CHECKS=$((CHECKS + 12))
echo "link-down: $CHECKS checks passed"
