# A district timetable through the link: `loaxa fleet timetable` signs a
# timetable file; the station (link.district_timetable = true) checks it as
# loaxa check does, puts it in DATA/link/timetable.conf and the daemon
# reloads, so that plan shows the new slot. A file with a problem is refused
# with its FILE:LINE in the acknowledgement, one signed by a key the station
# does not trust is refused, one a link killed while the daemon reloaded
# left half-applied is undone at the link's next start, one the daemon
# cannot take (it is not running) is put back, and a station that has not
# opted in refuses: each time the previous file stays as it was.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"

B=$T/broker
broker_start "$B"
A=$(broker_prefix 00001)

"$LOAXA" key generate --out "$T/district.key" >/dev/null || fail "key generate"
"$LOAXA" key generate --out "$T/other.key" >/dev/null || fail "key generate"
PUB=$(cat "$T/district.key.pub")
mkdir -p "$T/st"
cat >"$T/st/st.conf" <<CONF
station = { code = "00001"; name = "Đài xã thử"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/st/data"; inbox = "$T/st/inbox"; };
audio = { driver = "null"; realtime = true; fade_ms = 100; };
trust = { districts = ( { name = "TT huyện"; key = "$PUB"; auto_approve = true; } ); };
playlists = ( { name = "tin"; mode = "rotate"; } );
timetable = ( { name = "Buổi sáng xã"; days = "daily"; start = "05:30"; length = "30m";
  playlist = "tin"; } );
link = { host = "127.0.0.1"; port = $BROKER_PORT; ca_file = "$BROKER_CAFILE";
  cert_file = "$B/station-00001.crt"; key_file = "$B/station-00001.key";
  topic_prefix = "$A"; district_timetable = true; };
CONF
fleet_conf() {
	cat >"$T/$1.conf" <<CONF
station = { code = "DISTRICT-001"; name = "TT huyện"; };
paths = { data = "$T/$1-data"; };
fleet = { host = "127.0.0.1"; port = $BROKER_PORT; cafile = "$BROKER_CAFILE";
  certfile = "$B/district-001.crt"; keyfile = "$B/district-001.key";
  signing_key = "$2"; ack_timeout = 20;
  stations = ( { code = "00001"; prefix = "$A"; } ); };
CONF
}
fleet_conf d "$T/district.key"
fleet_conf rogue "$T/other.key"

cat >"$T/lich-tuan.conf" <<'TT'
# The district's timetable for the week.
playlists = ( { name = "huyen"; mode = "rotate"; } );
timetable = ( { name = "Chiều huyện"; days = "daily"; start = "17:00"; length = "20m";
  playlist = "huyen"; } );
TT
cat >"$T/lich-sai.conf" <<'TT'
timetable = (
  { name = "Tối huyện"; days = "daily"; start = "19:00"; length = "20m";
    playlist = "khong-co"; } );
TT

"$LOAXA" -c "$T/st/st.conf" run 2>"$T/st/run.err" &
RUN=$!
"$LOAXA" -c "$T/st/st.conf" link 2>"$T/st/link.err" &
LINK=$!
trap 'kill $RUN $LINK 2>/dev/null; broker_cleanup; rm -rf "$T"' EXIT
wait_line "$T/st/link.err" "connected" 100 || fail "the link did not connect: $(cat "$T/st/link.err")"
i=0
until "$LOAXA" -c "$T/st/st.conf" status >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the daemon did not start: $(cat "$T/st/run.err")"; sleep 0.1
done

run "$LOAXA" -c "$T/st/st.conf" plan --days 2
expect_out "Buổi sáng xã"

# A signed timetable arrives, is put in place, and the daemon reloads it.
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/lich-tuan.conf" --to 00001
expect_rc 0
expect_out "(timetable) to 1 station"
expect_out "00001: acknowledged"
TTF=$T/st/data/link/timetable.conf
cmp "$T/lich-tuan.conf" "$TTF" || fail "the timetable was not put in place as sent"
wait_line "$T/st/run.err" "configuration reloaded" 100 || fail "the daemon did not reload"
run "$LOAXA" -c "$T/st/st.conf" plan --days 2
expect_out "Chiều huyện"
case "$OUT" in *"Buổi sáng xã"*) fail "the station's own timetable still in force" ;; esac
run "$LOAXA" -c "$T/st/st.conf" check
expect_rc 0
expect_out "link/timetable.conf: ok, the district's timetable (1 slot) in place of the file's own"

# A timetable with a problem: refused with its FILE:LINE, the old one stays.
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/lich-sai.conf" --to 00001
expect_rc 1
expect_out "00001: refused: the timetable has problems, nothing changed: lich-sai.conf:3: "
expect_out "unknown playlist 'khong-co'"
wait_line "$T/st/link.err" "refused: the timetable has problems" || fail "no log line (bad timetable)"
cmp "$T/lich-tuan.conf" "$TTF" || fail "a refused timetable changed the file"
CHECKS=$((CHECKS + 1))

# The district checks what it can before it signs: a file that is not
# UTF-8 text, does not parse, has an @include or holds more than a
# timetable is refused on one line naming it (exit 3), no sequence is
# taken and nothing is sent.
SEQ=$(cat "$T/district.key.seq")
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/khong-co.conf" --to 00001
expect_rc 3
expect_one_err_line
expect_err "$T/khong-co.conf: cannot read: No such file or directory"
printf 'timetable = ( );\n# l\341ch\n' >"$T/khong-utf8.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/khong-utf8.conf" --to 00001
expect_rc 3
expect_one_err_line
expect_err "$T/khong-utf8.conf:2: not UTF-8 text: byte offset 20"
printf 'timetable = ( );\n@include "%s"\n' "$T/st/st.conf" >"$T/include.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/include.conf" --to 00001
expect_rc 3
expect_one_err_line
expect_err "$T/include.conf:2: @include is not allowed in the district's timetable"
printf 'timetable = ( { name = ; } );\n# week 50\n' >"$T/cu-phap.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/cu-phap.conf" --to 00001
expect_rc 3
expect_one_err_line
expect_err "$T/cu-phap.conf:1: syntax error"
printf 'station = { code = "00002"; };\ntimetable = ( );\n' >"$T/them.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/them.conf" --to 00001
expect_rc 3
expect_err "$T/them.conf:1: "
printf 'playlists = ( );\n' >"$T/khong-lich.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/khong-lich.conf" --to 00001
expect_rc 3
expect_err "$T/khong-lich.conf: a district's timetable file holds a 'timetable' list"
[ "$(cat "$T/district.key.seq")" = "$SEQ" ] || fail "a refused file took a sequence number"
cmp "$T/lich-tuan.conf" "$TTF" || fail "a file the district refused changed the station's"
CHECKS=$((CHECKS + 2))

# A Vietnamese file name with spaces is sent with '-' for each space: the
# station names it so in its problems.
cp "$T/lich-sai.conf" "$T/lịch sai tuần 50.conf"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/lịch sai tuần 50.conf" --to 00001
expect_rc 1
expect_out "00001: refused: the timetable has problems, nothing changed: lịch-sai-tuần-50.conf:3: "

# One signed by a key the station does not trust: refused, nothing changed.
run "$LOAXA" -c "$T/rogue.conf" fleet timetable "$T/lich-sai.conf" --to 00001
expect_rc 1
expect_out "00001: refused: signed by an unknown key"
cmp "$T/lich-tuan.conf" "$TTF" || fail "an untrusted timetable changed the file"

# Unsigned text on the command topic: refused.
sub_start --as district-001 "$A/up/ack" "$T/acks"
printf 'timetable = ( );\n' >"$T/plain"
run timeout 10 mosquitto_pub $(broker_opts district-001) -t "$A/down/cmd" -f "$T/plain" -q 1
wait_line "$T/acks" '"ok":false,"why":"not a loaxa command' || fail "no refusal on up/ack (unsigned)"
cmp "$T/lich-tuan.conf" "$TTF" || fail "an unsigned timetable changed the file"
CHECKS=$((CHECKS + 3))

# A link killed while the daemon reloads (the daemon is stopped, so the
# link waits for its answer) leaves the new file in place with the previous
# one beside it: the next link start puts the previous one back and has the
# daemon reload it, so the timetable is the old one, not half the new one.
sed 's/17:00/18:00/' "$T/lich-tuan.conf" >"$T/lich-moi.conf"
kill -STOP "$RUN"
"$LOAXA" -c "$T/d.conf" fleet timetable "$T/lich-moi.conf" --to 00001 --timeout 2 \
	>"$T/killed.out" 2>&1 &
FT=$!
i=0
until cmp -s "$T/lich-moi.conf" "$TTF"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the link did not write the timetable"; sleep 0.1
done
[ -e "$TTF.prev" ] || fail "no previous file beside the new one"
kill -KILL "$LINK"; wait "$LINK" 2>/dev/null
kill -CONT "$RUN"
wait "$FT"
grep -q "00001: no acknowledgement" "$T/killed.out" || fail "an acknowledgement from a killed link: $(cat "$T/killed.out")"
RELOADS=$(grep -c "configuration reloaded" "$T/st/run.err")
"$LOAXA" -c "$T/st/st.conf" link 2>"$T/st/link2.err" &
LINK=$!
wait_line "$T/st/link2.err" "an unfinished district timetable was undone" ||
	fail "no line about the undone timetable: $(cat "$T/st/link2.err")"
cmp "$T/lich-tuan.conf" "$TTF" || fail "the half-applied timetable stayed in place"
[ ! -e "$TTF.prev" ] || fail "the previous file was left beside it after the undo"
i=0
until [ "$(grep -c "configuration reloaded" "$T/st/run.err")" -gt "$RELOADS" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the daemon was not asked to reload"; sleep 0.1
done
run "$LOAXA" -c "$T/st/st.conf" status
expect_out "Chiều huyện"
expect_out "17:00"
case "$OUT" in *"18:00"*) fail "the daemon runs the undone timetable: $OUT" ;; esac
CHECKS=$((CHECKS + 5))

# Without the daemon the reload cannot happen: the previous file goes back.
kill "$RUN"; wait "$RUN"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/lich-moi.conf" --to 00001
expect_rc 1
expect_out "00001: refused: "
cmp "$T/lich-tuan.conf" "$TTF" || fail "a timetable the daemon did not take stayed in place"
[ ! -e "$TTF.prev" ] || fail "the previous file was left beside it"
run "$LOAXA" -c "$T/st/st.conf" status
expect_out "last command: refused: "
CHECKS=$((CHECKS + 2))

# A station that has not opted in (district_timetable = false) refuses.
kill "$LINK"; wait "$LINK"
sed 's/district_timetable = true/district_timetable = false/' "$T/st/st.conf" >"$T/st/no.conf"
"$LOAXA" -c "$T/st/no.conf" link 2>"$T/st/link3.err" &
LINK=$!
wait_line "$T/st/link3.err" "connected" 100 || fail "the link did not connect: $(cat "$T/st/link3.err")"
run "$LOAXA" -c "$T/d.conf" fleet timetable "$T/lich-moi.conf" --to 00001
expect_rc 1
expect_out "00001: refused: this station does not take timetables from the district"
cmp "$T/lich-tuan.conf" "$TTF" || fail "a station that has not opted in took a timetable"
[ ! -e "$TTF.prev" ] || fail "a refusal left a previous file"
CHECKS=$((CHECKS + 2))
# An @include in the district's file (put there by hand, say) is refused
# by loaxa check at its line: it would take a file of the station's.
printf 'timetable = ( );\n  @include "%s"\n' "$T/lich-moi.conf" >"$TTF"
run "$LOAXA" -c "$T/st/st.conf" check
[ "$RC" -ne 0 ] || fail "check took a district timetable with @include"
expect_err "link/timetable.conf:2: @include is not allowed in the district's timetable"
echo "link-timetable: $CHECKS checks passed"
