# One daemon airing under valgrind's memcheck, and the one-shot commands a
# station and a district use most: no invalid read or write, no use of
# uninitialised memory, no definite leak, in the daemon and in the airing
# child it forks to decode and play (memcheck follows a fork by itself; the
# child's report is a log of its own).
#
# The daemon also starts `loaxa inbox` through /proc/self/exe when packages
# wait; under valgrind 3.19 that path names valgrind's own tool binary, so
# the exec fails. No package waits during the airing here; the inbox
# command is checked as a one-shot instead, which is the code that child runs.
#
# Skipped under the sanitizer build (valgrind cannot run ASan binaries) and
# where valgrind is missing. No suppressions are needed: the null output,
# libsndfile, libmpg123, SQLite and libsodium run clean.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh

if [ "${LOAXA_SANITIZED:-}" = 1 ]; then
	echo "valgrind: skipped: this is the sanitizer build (valgrind cannot run ASan binaries)"
	exit 0
fi
if ! command -v valgrind >/dev/null; then
	echo "valgrind: skipped: valgrind is not installed (tools/deps installs it)"
	exit 0
fi
command -v python3 >/dev/null || fail "python3 is needed to read the log's JSON"

mkdir -p vg
VG="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-fds=no --trace-children=yes
    --log-file=$T/vg/%p.log"

# vg CMD...: runs loaxa under memcheck, like run.
vg() {
	run $VG "$LOAXA" "$@"
}

# One process's report, NAME for messages: a summary with no errors.
vg_clean() {
	CHECKS=$((CHECKS + 1))
	grep -q 'ERROR SUMMARY: 0 errors' "$1" ||
	    fail "memcheck found errors in $2: $(cat "$1")"
}

# conf AT: a station whose one-off slot S starts at AT (seconds since the
# epoch), the null output not paced, the district key trusted.
conf() {
	cat >st.conf <<EOF
station = { code = "VG-TT"; name = "Đài thử valgrind"; timezone = "$TZONE"; };
paths = { data = "$T/data"; inbox = "$T/inbox"; };
audio = { driver = "null"; realtime = false; fade_ms = 300; };
playlists = ( { name = "all"; mode = "rotate"; } );
timetable = ( { name = "S"; date = "$(TZ=$TZONE date -d "@$1" +%Y-%m-%d)";
                start = "$(TZ=$TZONE date -d "@$1" +%H:%M:%S)"; length = "20s";
                playlist = "all"; } );
trust = { districts = ( { name = "Huyện"; key = "$(cat district.key.pub)"; auto_approve = true; } ); };
EOF
}

"$G" --format wav --kind speech --seconds 3 --seed 1 b1.wav >/dev/null || fail "gen-audio"
"$G" --format mp3 --kind speech --seconds 2 --seed 2 b2.mp3 >/dev/null || fail "gen-audio"
"$G" --format mp3 --kind speech --seconds 2 --seed 3 p.mp3 >/dev/null || fail "gen-audio"

# --- The district side: a key, a signed package. ----------------------------
vg key generate --out district.key
expect_rc 0
conf "$(date +%s)"
vg -c st.conf package create --key district.key --out p.lxp --topic cchc \
    --title "Bản tin gói" p.mp3
expect_rc 0

# --- The station's one-shot commands. ----------------------------------------
vg -c st.conf probe --format json b1.wav b2.mp3
expect_rc 0; expect_out '"loudness_lufs"'
vg -c st.conf import --topic cchc --approve --by "Valgrind" b1.wav b2.mp3
expect_rc 0
mkdir -p inbox
cp p.lxp inbox/
vg -c st.conf inbox
expect_rc 0; expect_out "1 package imported"
run "$LOAXA" -c st.conf list --status approved --format csv
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 4 ] || fail "three approved bulletins expected: $OUT"

# --- The daemon: one programme of three items, then SIGTERM. ---------------
# Under memcheck the daemon takes a few seconds to start; the slot is 8 s ahead.
BASE=$(($(date +%s) + 8))
conf "$BASE"
$VG "$LOAXA" -c st.conf run --for 120s 2>run.err &
pid=$!
# A check that fails below must not leave the daemon running under memcheck.
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
n=0
until "$LOAXA" -c st.conf log --format csv 2>/dev/null | grep -c ',completed,' |
    grep -qx 3; do
	n=$((n + 1))
	[ $n -lt 150 ] || { kill -TERM $pid; wait $pid; fail "the programme did not complete: $(cat run.err)"; }
	kill -0 $pid 2>/dev/null || fail "the daemon died under valgrind: $(cat run.err)"
	sleep 0.2
done
# The control socket's side in the daemon: accept, credentials, a request.
run "$LOAXA" -c st.conf status --format json
expect_rc 0; expect_out '"station"'
kill -TERM $pid
wait $pid
RC=$?
trap 'rm -rf "$T"' EXIT
expect_rc 0
"$LOAXA" -c st.conf log --format json >log.json || fail "loaxa log"
CHECKS=$((CHECKS + 1))
python3 - log.json <<'PY' || fail "airing log: $(cat log.json)"
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 3 and all(x["outcome"] == "completed" for x in r), r
PY
grep -q "Command: .* run --for 120s$" vg/*.log || fail "no memcheck report from the daemon"
# The daemon and one child per airing, each with its own report.
[ "$(grep -l 'Command: .* run --for 120s$' vg/*.log | wc -l)" -ge 4 ] ||
    fail "no memcheck report from the airing children: $(ls vg)"

# --- Reports and exports from what aired. ------------------------------------
vg -c st.conf report --from 2000-01-01 --to 2099-12-31 --format json
expect_rc 0
vg -c st.conf report --from 2000-01-01 --to 2099-12-31 --format xlsx --out r.xlsx
expect_rc 0
vg -c st.conf key station
expect_rc 0
vg -c st.conf export --from 2000-01-01 --to 2099-12-31 --out e.lxe
expect_rc 0
vg -c st.conf verify e.lxe
expect_rc 3; expect_err "e.lxe: untrusted: station VG-TT"

# --- Every process memcheck watched finished with no error. ------------------
for f in vg/*.log; do
	cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$f")
	vg_clean "$f" "$cmd"
done
echo "valgrind: $(ls vg | wc -l) processes clean, $CHECKS checks"
