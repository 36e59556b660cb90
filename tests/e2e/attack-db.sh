# A database edited behind loaxa's back, by whoever owns the files (the
# daemon's user can always write them), is detected:
#  A. verify-library names each bulletin whose row no longer says what the
#     library wrote: a file path that is not the one its hash names, an
#     approved hash that is not the content's, an approval whose audit event
#     was deleted (the append-only trigger dropped first), a state the audit
#     trail does not leave it in; exit 3;
#  B. an airing row changed after it was closed breaks the log's hash chain,
#     and `loaxa export` refuses the log;
#  C. a station whose output was not real-time (audio.realtime = false: a
#     bulletin "completes" at once) is flagged by `verify` and in every
#     format of `report --merge`.
# As root, the station is a user the test creates, and the attacker is that
# user; otherwise both are the user running the test.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
command -v sqlite3 >/dev/null || { echo "attack-db: skipped: needs sqlite3"; exit 0; }
TZONE=Asia/Ho_Chi_Minh
AS=""
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v runuser >/dev/null; then
	U=loaxa-e2e-own
	id -u $U >/dev/null 2>&1 || useradd -r -M -d /nonexistent -s /bin/sh $U 2>/dev/null ||
	    id -u $U >/dev/null 2>&1 || fail "cannot create the user $U"
	chmod 0755 "$T"
	mkdir st
	chown $U st
	AS="runuser -u $U --"
else
	mkdir st
fi
# L ARGS...: loaxa as the station's user. DB SQL: the attacker's edit, as that user.
L() { $AS "$LOAXA" -c "$T/st/st.conf" "$@"; }
DB() { $AS sqlite3 "$T/st/data/loaxa.db" "$1" || fail "sqlite3: $1"; }
Q() { $AS sqlite3 "$T/st/data/loaxa.db" "$1"; }

# The station: null output, not real-time, a slot a few seconds from now.
BASE=$(($(date +%s) + 3))
TODAY=$(TZ=$TZONE date -d "@$BASE" +%Y-%m-%d)
$AS sh -c "cat >'$T/st/st.conf'" <<EOF
station = { code = "ATK-DB"; name = "Đài thử"; timezone = "$TZONE"; };
paths = { data = "$T/st/data"; };
audio = { driver = "null"; realtime = false; };
playlists = ( { name = "all"; mode = "rotate"; } );
timetable = ( { name = "sáng"; date = "$TODAY"; start = "$(TZ=$TZONE date -d "@$BASE" +%H:%M:%S)";
                length = "2m"; playlist = "all"; } );
EOF
for i in 1 2 3; do
	"$G" --format wav --kind speech --seconds $((i * 10)) --seed $i b$i.wav >/dev/null ||
	    fail "gen-audio"
	chmod 0644 b$i.wav
done
run L import --topic cchc --title "Bản tin 1" --approve --by "Admin" "$T/b1.wav"
expect_rc 0
B1=${OUT##* }
run L import --topic cchc --title "Bản tin 2" --approve --by "Admin" "$T/b2.wav"
expect_rc 0
B2=${OUT##* }
run L import --topic cchc --title "Bản tin 3" "$T/b3.wav"
expect_rc 0
B3=${OUT##* }
run L verify-library
expect_rc 0; expect_out "all intact"
run L key station
expect_rc 0

# --- C. Not real-time: 30 s of bulletins "air" in no time. ----------------
run L run --for 8s
expect_rc 0
n=$(Q "SELECT count(*) FROM airings WHERE outcome = 'completed' AND paced = 0")
[ "${n:-0}" -ge 1 ] || fail "no unpaced airing was logged ($n): $ERR"
run L export --from "$TODAY" --to "$TODAY" --out "$T/st/a.lxe"
expect_rc 0
KEY=$(Q "SELECT value FROM meta WHERE key = 'station_key'")
cat >district.conf <<EOF
station = { code = "ATK"; name = "Huyện"; };
paths = { data = "$T/district-data"; };
trust = { stations = ( { code = "ATK-DB"; key = "$KEY"; } ); };
EOF
run "$LOAXA" -c district.conf verify st/a.lxe
expect_rc 0; expect_out "(trusted)"
expect_out "flagged: row"; expect_out "not real-time"
run "$LOAXA" -c district.conf report --merge --from "$TODAY" --to "$TODAY" --lang en st/a.lxe
expect_rc 0; expect_out "Flagged rows"; expect_out "not real-time"
run "$LOAXA" -c district.conf report --merge --from "$TODAY" --to "$TODAY" --format json st/a.lxe
expect_rc 0
if command -v python3 >/dev/null; then
	printf '%s' "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
s = [s for s in r["stations"] if s["code"] == "ATK-DB"][0]
assert s["flags"] and any("not real-time" in f["what"] for f in s["flags"]), s
assert all(isinstance(f["line"], int) for f in s["flags"]), s["flags"]
' || fail "the merge's JSON does not carry the flags"
else
	expect_out '"flags":['; expect_out "not real-time"
fi
run "$LOAXA" -c district.conf report --merge --from "$TODAY" --to "$TODAY" --format csv st/a.lxe
expect_rc 0
printf '%s\n' "$OUT" | grep -q '^ATK-DB,st/a.lxe:[0-9]*,.*not real-time' ||
    fail "the merge's CSV does not carry the flags"

# --- B. A closed airing row changed: the chain breaks, export refuses. ----
DB "UPDATE airings SET played_ms = played_ms + 600000 WHERE id = (SELECT min(airing_id) FROM airing_chain)"
run L export --from "$TODAY" --to "$TODAY" --out "$T/st/b.lxe"
expect_rc 1; expect_err "row 1 was changed in the database"
[ ! -e st/b.lxe ] || fail "an export of the edited log was written"

# --- A. The library's rows edited. ----------------------------------------
F1=$(Q "SELECT file FROM bulletins WHERE id = $B1")
# The file moved to a name of the attacker's choosing (same bytes, for now).
$AS cp "$T/st/data/$F1" "$T/st/data/bulletins/moved.wav" || fail "cp"
DB "UPDATE bulletins SET file = 'bulletins/moved.wav' WHERE id = $B1"
run L verify-library
expect_rc 3; expect_err "misfiled (bulletin $B1)"
DB "UPDATE bulletins SET file = '$F1' WHERE id = $B1"
run L verify-library
expect_rc 0
# The approved hash made another content's.
DB "UPDATE bulletins SET approved_sha256 = (SELECT sha256 FROM bulletins WHERE id = $B3) WHERE id = $B2"
run L verify-library
expect_rc 3; expect_err "approval (bulletin $B2)"
DB "UPDATE bulletins SET approved_sha256 = sha256 WHERE id = $B2"
# An approval whose audit event is deleted, the trigger dropped first.
DB "DROP TRIGGER bulletin_events_no_delete"
DB "DELETE FROM bulletin_events WHERE bulletin_id = $B2 AND action = 'approve'"
run L verify-library
expect_rc 3; expect_err "unaudited (bulletin $B2)"
# A pending bulletin approved in its row only.
DB "UPDATE bulletins SET status = 'approved', approved_sha256 = sha256, approved_by = 'Admin', approved_at = 1 WHERE id = $B3"
run L verify-library
expect_rc 3; expect_err "unaudited (bulletin $B3)"
[ "$(printf '%s\n' "$ERR" | grep -c 'bulletin ')" -eq 2 ] || fail "not one line per problem"
echo "attack-db: $CHECKS checks passed"
