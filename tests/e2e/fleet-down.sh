# The district's side of the link against a real mosquitto: `loaxa fleet send`
# publishes a signed package in chunks on each target's down/pkg (a group
# reaches exactly its members), and prints which stations acknowledged (one
# station's acknowledgement is played here by mosquitto_pub); `fleet play`
# and `fleet stop` publish signed commands with a 10-minute expiry and rising
# sequence numbers; a station outside the district's ACL is refused by the
# broker (MQTT 5 PUBACK); bad input (an unknown group, an unsigned or
# foreign package) gets one line, exit 2 or 3, and sends nothing.
# `fleet watch` outlives a broker restart: one line when it loses the
# broker, one when it is back, and a row a station published while the
# watch was away arrives after (its persistent session).
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"

B=$T/broker
broker_start "$B"
A=$(broker_prefix 00001)
O=$(broker_prefix 00004)
X=$(broker_prefix 00037)   # another district's station

run "$LOAXA" key generate --out "$T/district.key"
expect_rc 0
run "$LOAXA" key generate --out "$T/other.key"
expect_rc 0
"$LOAXA_GEN_AUDIO" --seconds 700 "$T/long.wav" >/dev/null 2>&1 ||
    fail "gen-audio failed"
cat >"$T/loaxa.conf" <<CONF
station = { code = "DISTRICT-001"; name = "TT VH-TT&DL huyện"; };
paths = { data = "$T/data"; };
fleet = {
  host = "127.0.0.1"; port = $BROKER_PORT; cafile = "$BROKER_CAFILE";
  certfile = "$B/district-001.crt"; keyfile = "$B/district-001.key";
  signing_key = "$T/district.key"; ack_timeout = 3;
  stations = (
    { code = "00001"; prefix = "$A"; groups = [ "ven-song" ]; },
    { code = "00004"; prefix = "$O"; groups = [ "ven-song" ]; },
    { code = "00037"; prefix = "$X"; }
  );
};
CONF
export LOAXA_CONFIG=$T/loaxa.conf
run "$LOAXA" check
expect_rc 0
run "$LOAXA" package create --key "$T/district.key" --out "$T/p.lxp" "$T/long.wav"
expect_rc 0
run "$LOAXA" package create --key "$T/other.key" --out "$T/foreign.lxp" "$T/long.wav"
expect_rc 0
SHA=$(sha256sum "$T/p.lxp" | cut -d' ' -f1)
SIZE=$(stat -c %s "$T/p.lxp")
NCHUNKS=$(( (SIZE + 262143) / 262144 ))
[ "$NCHUNKS" -gt 1 ] || fail "the package is too small to be cut ($SIZE bytes)"

sub_start --as station-00001 "$A/down/#" "$T/s1" -F '%t %l'
sub_start --as station-00004 "$O/down/#" "$T/s4" -F '%t %l'
sub_start --as admin "$X/down/#" "$T/s37" -F '%t %l'
sub_start --as admin "loaxa/v1/+/+/+/down/cmd" "$T/cmds" -F '## %t\n%p'

# Bad input: one line, nothing sent.
run "$LOAXA" fleet send "$T/p.lxp" --to ven-sogn
expect_rc 2
expect_err "'ven-sogn' is no station or group of the fleet section; did you mean 'ven-song'?"
expect_one_err_line
run "$LOAXA" fleet send "$T/foreign.lxp" --to ven-song
expect_rc 3
expect_err "trust"
expect_one_err_line
head -c 4000 "$T/p.lxp" >"$T/cut.lxp"
run "$LOAXA" fleet send "$T/cut.lxp" --to ven-song
expect_rc 3
expect_err "truncated"
run "$LOAXA" fleet play 12x --to 00001
expect_rc 2
run "$LOAXA" fleet stop
expect_rc 2
expect_err "--to"

# The package to the group: every chunk to 00001 and 00004, none to 00037.
# 00001 acknowledges as its link would; 00004 does not answer.
"$LOAXA" fleet send "$T/p.lxp" --to ven-song --timeout 20 >"$T/send.out" 2>"$T/send.err" &
SEND=$!
wait_line "$T/s1" "$A/down/pkg" 200 || fail "no chunk reached 00001"
sleep 1
run pub --as station-00001 "$A/up/ack" \
    "{\"msg_id\":\"00001:package:$SHA\",\"package\":\"$SHA\",\"what\":\"arrived\",\"ok\":true,\"why\":null}" -q 1
expect_rc 0
wait $SEND
RC=$?
OUT=$(cat "$T/send.out")
ERR=$(cat "$T/send.err")
expect_rc 1
expect_out "00001: acknowledged"
expect_out "00004: no acknowledgement within 20 s"
expect_out "1 of 2 stations acknowledged"
case "$OUT" in *00037*) fail "00037 is not in the group" ;; esac
CHECKS=$((CHECKS + 3))
[ "$(grep -c "^$A/down/pkg " "$T/s1")" -eq "$NCHUNKS" ] ||
    fail "00001 got $(grep -c "^$A/down/pkg " "$T/s1") chunks, not $NCHUNKS"
[ "$(grep -c "^$O/down/pkg " "$T/s4")" -eq "$NCHUNKS" ] ||
    fail "00004 got $(grep -c "^$O/down/pkg " "$T/s4") chunks"
[ ! -s "$T/s37" ] || fail "00037 got something: $(cat "$T/s37")"
# Every chunk but the last is 256 KiB plus its header.
awk -v n="$NCHUNKS" 'NR < n && ($2 < 262144 || $2 > 262144 + 400) { exit 1 }' "$T/s1" ||
    fail "a chunk of the wrong size: $(cat "$T/s1")"

# An emergency play to one station, then a stop to the group: signed commands.
run "$LOAXA" fleet play 12 --to 00001 --priority emergency --timeout 1
expect_rc 1
expect_out "00001: no acknowledgement within 1 s"
run "$LOAXA" fleet stop --to ven-song --timeout 1
expect_rc 1
wait_line "$T/cmds" "action stop" || fail "no stop command seen"
awk '/^## /{n++} END { exit n == 3 ? 0 : 1 }' "$T/cmds" ||
    fail "expected 3 commands (1 play, 2 stops): $(cat "$T/cmds")"
play=$(awk '/^## /{n++} n == 1' "$T/cmds")
stop=$(awk '/^## /{n++} n == 2' "$T/cmds")
for want in "## $A/down/cmd" "LOAXA-COMMAND 1" "stations 00001" "action play" \
    "bulletin 12" "priority emergency" "signature "; do
	case "$play" in *"$want"*) ;; *) fail "the play lacks '$want': $play" ;; esac
done
for want in "groups ven-song" "action stop"; do
	case "$stop" in *"$want"*) ;; *) fail "the stop lacks '$want': $stop" ;; esac
done
s1=$(printf '%s\n' "$play" | sed -n 's/^sequence //p')
s2=$(printf '%s\n' "$stop" | sed -n 's/^sequence //p')
[ "$s2" -gt "$s1" ] || fail "sequences do not rise: $s1 then $s2"
at=$(printf '%s\n' "$play" | sed -n 's/^signed-at //p')
ex=$(printf '%s\n' "$play" | sed -n 's/^expires //p')
[ $((ex - at)) -eq 600 ] || fail "the play is valid for $((ex - at)) s, not 600"
[ "$(cat "$T/district.key.seq")" = "$s2" ] || fail "the counter beside the key is not $s2"
CHECKS=$((CHECKS + 6))

# The broker refuses the district a station of another district.
run "$LOAXA" fleet stop --to 00037
expect_rc 1
expect_err "refused"
expect_one_err_line
[ ! -s "$T/s37" ] || fail "00037 got something: $(cat "$T/s37")"

# fleet watch through a broker restart.
WATCH=
trap '[ -z "$WATCH" ] || broker_end "$WATCH" TERM; broker_cleanup; rm -rf "$T"' EXIT
airing() { # airing N: station 00001's airing row N, as its link sends it
	printf '{"v":1,"msg_id":"00001:airing:%s","station":"00001","id":%s,"title":"Bản tin %s","scheduled_at_ms":%s000,"started_at_ms":%s000,"outcome":"completed","played_ms":1000}' \
	    "$1" "$1" "$1" "$(date +%s)" "$(date +%s)"
}
"$LOAXA" fleet watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH=$!
wait_line "$T/watch.err" "listening to 3 stations" || fail "watch: $(cat "$T/watch.err")"
run pub --as station-00001 "$A/up/airing" "$(airing 1)" -q 1
expect_rc 0
wait_line "$T/watch.out" "Bản tin 1" || fail "watch printed no row: $(cat "$T/watch.out" "$T/watch.err")"
broker_stop
wait_line "$T/watch.err" "lost the broker" || fail "watch said nothing of the broker: $(cat "$T/watch.err")"
# Two tries fail the same way (after 1 s and 3 s): said once, with the reason.
sleep 4
[ "$(grep -c "still no broker: .*127.0.0.1" "$T/watch.err")" -eq 1 ] ||
    fail "not one line for the failed tries: $(cat "$T/watch.err")"
kill -0 "$WATCH" 2>/dev/null || fail "watch ended with the broker: $(cat "$T/watch.err")"
broker_launch || fail "the broker did not start again: $BROKER_WHY"
# Published at once: the watch is still waiting (1 s, then 2, 4, 8) to retry.
run pub --as station-00001 "$A/up/airing" "$(airing 2)" -q 1
expect_rc 0
wait_line "$T/watch.err" "the broker is back" 200 || fail "watch did not reconnect: $(cat "$T/watch.err")"
expect_err_file() { grep -q "$1" "$T/watch.err" || fail "watch: no '$1': $(cat "$T/watch.err")"; }
expect_err_file "kept what came meanwhile"
wait_line "$T/watch.out" "Bản tin 2" 100 || fail "the row sent while watch was away did not come: $(cat "$T/watch.out")"
run pub --as station-00001 "$A/up/airing" "$(airing 3)" -q 1
wait_line "$T/watch.out" "Bản tin 3" 100 || fail "a row after the restart did not come: $(cat "$T/watch.out")"
[ "$(grep -c "lost the broker" "$T/watch.err")" -eq 1 ] || fail "not one line for the loss: $(cat "$T/watch.err")"
[ "$(sqlite3 "$T/data/fleet.db" "SELECT count(*) FROM airings WHERE station = '00001'")" = 3 ] ||
    fail "fleet.db does not have the 3 rows"
kill -TERM "$WATCH"
i=0
while kill -0 "$WATCH" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait "$WATCH"
RC=$?
WATCH=
expect_rc 0
CHECKS=$((CHECKS + 5))

echo "fleet-down: $CHECKS checks passed"
