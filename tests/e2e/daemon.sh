# loaxa run end to end, in real time through libao's null driver: a slot airs
# on time and is logged completed; status and the control commands; an
# emergency cuts what is on air; reload keeps a good configuration when the
# new one is bad; SIGTERM mid-airing fades out and logs the cut; SIGKILL
# mid-airing (a power cut) is recovered at the next start, with the slot the
# controller was off for logged missed; a bulletin whose file changed after
# approval is refused on the air; a player that crashes or hangs costs only
# its item; control clients that connect and say nothing hold up neither a
# slot nor `loaxa status`, and are dropped after 2 s; a skip or an emergency
# in a slot's pre-roll, a slot skipped for overlap, and a stop while a slot
# waits for its device all leave the rows they should; after a power cut
# mid-slot, the restarted daemon airs the rest of the slot; a slot waiting
# behind an overlap when the controller goes off is logged missed.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
command -v python3 >/dev/null || fail "python3 is needed to read the log's JSON"

# station DIR SLOTS [EXTRA]: a config in DIR/st.conf, data in DIR/data, null
# output, EXTRA appended.
# SLOTS is a list of "NAME OFFSET_S LENGTH PLAYLIST [PRIORITY]" lines; offsets
# are from BASE (seconds since the epoch).
station() {
	dir=$1
	mkdir -p "$dir"
	{
		cat <<EOF
station = { code = "E2E-$dir"; name = "Đài thử $dir"; timezone = "$TZONE"; };
paths = { data = "$T/$dir/data"; };
audio = { driver = "null"; realtime = true; fade_ms = 300; };
playlists = ( { name = "all"; mode = "rotate"; },
              { name = "one"; mode = "fixed"; items = [ "1" ]; },
              { name = "two"; mode = "fixed"; items = [ "2" ]; },
              { name = "onethree"; mode = "fixed"; items = [ "1", "3" ]; },
              { name = "onetwo"; mode = "fixed"; items = [ "1", "2" ]; } );
EOF
		printf 'timetable = (\n'
		sep=""
		printf '%s\n' "$2" | while read -r name off len pl prio; do
			[ -n "$name" ] || continue
			at=$((BASE + off))
			printf '%s  { name = "%s"; date = "%s"; start = "%s"; length = "%s"; playlist = "%s"; priority = "%s"; }\n' \
			    "$sep" "$name" "$(TZ=$TZONE date -d "@$at" +%Y-%m-%d)" \
			    "$(TZ=$TZONE date -d "@$at" +%H:%M:%S)" "$len" "$pl" "${prio:-normal}"
			sep=","
		done
		printf ');\n%s\n' "${3:-}"
	} >"$dir/st.conf"
}

# bulletins DIR SECONDS...: imports and approves one speech-like WAV per argument.
bulletins() {
	dir=$1
	shift
	i=0
	for s in "$@"; do
		i=$((i + 1))
		"$G" --format wav --kind speech --seconds "$s" --seed "$i" "$dir/b$i.wav" >/dev/null ||
		    fail "gen-audio"
		run $LOAXA -c "$dir/st.conf" import --title "Bản tin $i" --topic cchc \
		    --approve --by "E2E" "$dir/b$i.wav"
		expect_rc 0
	done
}

# until_s S: sleeps until BASE + S.
until_s() {
	while [ "$(date +%s)" -lt $((BASE + $1)) ]; do sleep 0.2; done
}

# logq DIR PYTHON: runs PYTHON with r = the log's rows (a list of dicts).
logq() {
	$LOAXA -c "$1/st.conf" log --format json >"$T/log.json" 2>"$T/.err" ||
	    fail "loaxa log failed"
	CHECKS=$((CHECKS + 1))
	python3 - "$T/log.json" "$2" <<'PY' || fail "log check failed: $2 in $(cat "$T/log.json")"
import json, sys, datetime
r = json.load(open(sys.argv[1]))
def t(s):
    return datetime.datetime.fromisoformat(s).timestamp()
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
PY
}

# waitfor DIR TEXT SECONDS: polls `loaxa status` until its output has TEXT.
waitfor() {
	n=0
	while [ $n -lt $(($3 * 5)) ]; do
		if $LOAXA -c "$1/st.conf" status 2>/dev/null | grep -q "$2"; then
			return 0
		fi
		sleep 0.2
		n=$((n + 1))
	done
	fail "status never showed '$2'"
}

# gone PID: the process has exited (a zombie that nobody reaps counts).
gone() {
	[ -r "/proc/$1/status" ] || return 0
	grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

# --- A: on time, completed; status; operator play, refusals; reload. ---------
BASE=$(($(date +%s) + 1))
station a "S1 5 15s all"
bulletins a 3 3
$LOAXA -c a/st.conf run --for 14s 2>a/run.err &
pid=$!
waitfor a "Khung giờ tới / next slot: S1" 4
run $LOAXA -c a/st.conf status --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["station"]=="E2E-a" and d["device"]=="ok", d' ||
    fail "status JSON: $OUT"
waitfor a "Đang phát / on air: 'Bản tin" 8
run $LOAXA -c a/st.conf play 99
expect_rc 3; expect_err "bulletin 99"
run $LOAXA -c a/st.conf play 1 --priority loud
expect_rc 2
# A bad configuration is refused by reload; the daemon keeps the old one.
cp a/st.conf a/good.conf
run $LOAXA -c a/good.conf reload
expect_rc 0
sed 's/fade_ms = 300/fade_ms = "slow"/' a/good.conf >a/st.conf
run $LOAXA -c a/good.conf reload
expect_rc 2; expect_err "fade_ms"
cp a/good.conf a/st.conf
wait $pid
RC=$?
expect_rc 0
logq a 'len(r) == 2 and all(x["outcome"] == "completed" for x in r)'
logq a 'abs(t(r[0]["started_at"]) - t(r[0]["scheduled_at"])) < 0.5'
logq a 'abs(t(r[0]["scheduled_at"]) - '$((BASE + 5))') < 0.01'
logq a 'all(2900 <= x["played_ms"] <= 3100 for x in r)'
logq a 't(r[1]["started_at"]) - t(r[0]["ended_at"]) < 0.5'
logq a 'r[0]["slot"] == "S1" and r[0]["priority"] == "normal"'
run $LOAXA -c a/st.conf status
expect_rc 1; expect_err "no loaxa daemon is running"

# --- B: an emergency cuts the item on air, the programme resumes; skip; -----
# an operator's play; SIGTERM mid-airing.
BASE=$(($(date +%s) + 1))
station b "S1 3 30s onethree"
bulletins b 8 2 8
$LOAXA -c b/st.conf run --for 40s 2>b/run.err &
pid=$!
waitfor b "on air: 'Bản tin 1'" 8
sleep 1
run $LOAXA -c b/st.conf play 2 --priority emergency
expect_rc 0
waitfor b "on air: 'Bản tin 2'" 4
waitfor b "on air: 'Bản tin 3' (S1)" 6
run $LOAXA -c b/st.conf skip
expect_rc 0
sleep 1
run $LOAXA -c b/st.conf play 3
expect_rc 0
waitfor b "on air: 'Bản tin 3'" 4
sleep 1
kill -TERM $pid
t0=$(date +%s)
wait $pid
RC=$?
expect_rc 0
[ $(($(date +%s) - t0)) -le 3 ] || fail "SIGTERM took more than 3 s"
logq b '[x["outcome"] for x in r] == ["interrupted", "completed", "interrupted", "interrupted"]'
logq b 'r[0]["reason"] == "emergency" and r[1]["priority"] == "emergency"'
logq b 'r[2]["reason"] == "skipped by operator" and r[3]["reason"] == "shutdown"'
logq b 'r[2]["slot"] == "S1" and r[2]["bulletin"] == 3'
logq b 'r[3]["slot"] is None and 500 < r[3]["played_ms"] < 3000'

# --- C: SIGKILL mid-airing (a power cut), restart after a missed slot. -------
BASE=$(($(date +%s) + 1))
station c "K1 3 5s one
K2 9 2s one"
bulletins c 4.5
$LOAXA -c c/st.conf run 2>c/run1.err &
pid=$!
waitfor c "on air: 'Bản tin 1'" 8
sleep 2
child=$(pgrep -P $pid || true)
[ -n "$child" ] || fail "no player process under the daemon"
kill -KILL $pid
wait $pid 2>/dev/null
sleep 1.5
gone "$child" || fail "the player outlived its daemon"
until_s 13
$LOAXA -c c/st.conf run --for 2s 2>c/run2.err
RC=$?
expect_rc 0
grep -q "recovered 1 airing" c/run2.err || fail "no recovery message: $(cat c/run2.err)"
logq c 'r[0]["outcome"] == "interrupted" and r[0]["reason"] == "power loss"'
logq c '1000 <= r[0]["played_ms"] <= 4000 and r[0]["ended_at"] is not None'
logq c 'len(r) == 2 and r[1]["slot"] == "K2" and r[1]["outcome"] == "missed"'
logq c 'r[1]["reason"] == "controller off"'

# --- D: a changed file is refused on the air and the next item plays; a ----
# player that crashes or hangs costs one item; a device that will not open.
BASE=$(($(date +%s) + 1))
station d "T 3 5s onetwo
X 9 4s two
H 15 8s two
N 26 6s two"
bulletins d 2 3
stored=$(ls d/data/bulletins/"$(sha256sum d/b1.wav | cut -c1-64)".*)
chmod u+w "$stored"
printf 'junk' >>"$stored"
$LOAXA -c d/st.conf run --for 7s 2>d/run1.err
RC=$?
expect_rc 0
logq d 'r[0]["slot"] == "T" and r[0]["outcome"] == "failed" and r[0]["reason"] == "tampered"'
# The reason is the code alone; the file and what was wrong are its detail.
logq d '"changed since it was approved" in r[0]["detail"] and r[1]["detail"] is None'
logq d 'r[1]["slot"] == "T" and r[1]["bulletin"] == 2 and r[1]["outcome"] == "completed"'
LOAXA_TEST_FAULT=crash $LOAXA -c d/st.conf run --for 6s 2>d/run2.err
RC=$?
expect_rc 0
logq d 'r[2]["slot"] == "X" and r[2]["outcome"] == "failed" and r[2]["reason"] == "player" and "crashed" in r[2]["detail"]'
logq d '900 <= r[2]["played_ms"] <= 1500'
# The hang: no progress for 5 s, the player is killed, the daemon goes on.
until_s 14
LOAXA_TEST_FAULT=hang $LOAXA -c d/st.conf run --for 11s 2>d/run3.err &
pid=$!
waitfor d "station" 3
run $LOAXA -c d/st.conf play 1
expect_rc 3; expect_err "changed since it was approved"
wait $pid
RC=$?
expect_rc 0
logq d 'r[3]["slot"] == "H" and r[3]["outcome"] == "failed" and r[3]["reason"] == "player" and "hung" in r[3]["detail"]'
logq d 'r[3]["played_ms"] >= 900'
# No device: retried every 2 s, then the slot is logged missed (device).
until_s 25
LOAXA_TEST_FAULT=nodevice $LOAXA -c d/st.conf run --for 8s 2>d/run4.err
RC=$?
expect_rc 0
logq d 'len(r) == 5 and r[4]["slot"] == "N" and r[4]["outcome"] == "missed" and r[4]["reason"] == "device"'
[ "$(grep -c 'no-such-driver' d/run4.err)" -ge 2 ] || fail "the device was not retried: $(cat d/run4.err)"
# The report counts by code: one tampered, two player failures, in Vietnamese
# words, and no file path in it.
DAYS="--from $(TZ=$TZONE date -d "@$BASE" +%F) --to $(TZ=$TZONE date -d "@$((BASE + 40))" +%F)"
run $LOAXA -c d/st.conf report $DAYS --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); f={x["reason"]: x["count"] for x in d["failures"]}; assert f == {"tampered": 1, "player": 2}, f; assert d["slots"]["missed_by"][0]["reason"] == "device", d["slots"]' ||
    fail "the report does not group failures by code: $OUT"
run $LOAXA -c d/st.conf report $DAYS
expect_rc 0; expect_out "tệp bị thay đổi"; expect_out "lỗi trình phát"
case "$OUT" in */bulletins/* | *changed* | *crashed*) fail "the report holds a detail: $OUT" ;; esac

# --- E: a signed package dropped into the inbox is imported by the daemon. --
mkdir -p e
run $LOAXA key generate --out e/district.key
expect_rc 0
BASE=$(($(date +%s) + 1))
station e "" "trust = { districts = ( { name = \"Huyện\"; key = \"$(cat e/district.key.pub)\"; auto_approve = true; } ); };"
"$G" --format mp3 --kind speech --seconds 2 --seed 7 e/pkg.mp3 >/dev/null || fail "gen-audio"
run $LOAXA -c e/st.conf package create --key e/district.key --out e/thang6.lxp \
    --topic cchc --title "Bản tin gói" e/pkg.mp3
expect_rc 0
$LOAXA -c e/st.conf run --for 6s 2>e/run.err &
pid=$!
waitfor e "station" 3
cp e/thang6.lxp e/data/inbox/
wait $pid
RC=$?
expect_rc 0
run $LOAXA -c e/st.conf list
expect_rc 0; expect_out "Bản tin gói"; expect_out "approved"
[ -f e/data/inbox/done/thang6.lxp ] || fail "the package was not moved to inbox/done: $(cat e/run.err)"

# --- F: silent control clients (a hung script) cost the loop nothing. ------
# silent N AT OUT: at AT (seconds since the epoch) opens N connections to
# f's control socket and sends nothing; touches OUT.ready once connected,
# then writes to OUT, for each, how long until the daemon closed it (null:
# not within 6 s) and what it answered.
silent() {
	python3 - "$T/f/data/control.sock" "$2" "$1" "$3" <<'PY' &
import json, socket, sys, time
path, at, n, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
time.sleep(max(0, at - time.time()))
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append((s, time.time()))
open(out + ".ready", "w").close()
res = []
for s, t0 in socks:
    got, after = b"", None
    s.settimeout(max(0.1, t0 + 6 - time.time()))
    try:
        while True:
            b = s.recv(256)
            if not b:
                after = time.time() - t0
                break
            got += b
    except OSError:
        pass
    res.append({"after": after, "got": got.decode()})
json.dump(res, open(out, "w"))
PY
	spid=$!
	n=0
	until [ -e "$3.ready" ]; do
		n=$((n + 1)); [ $n -lt 200 ] || fail "the silent clients did not connect"
		sleep 0.05
	done
}

# closed OUT: every silent client was answered "no request" and closed
# between 1.5 and 4 s after it connected.
closed() {
	wait $spid
	CHECKS=$((CHECKS + 1))
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if all(x["after"] is not None and 1.5 <= x["after"] <= 4 and
    x["got"] == "2 no request\n" for x in r) else 1)' "$1" ||
	    fail "silent clients: $(cat "$1")"
}

# timed_status: `loaxa status` for f, its time in ms in $MS.
timed_status() {
	t0=$(date +%s%3N)
	run $LOAXA -c f/st.conf status
	MS=$(($(date +%s%3N) - t0))
}

BASE=$(($(date +%s) + 1))
station f "S1 6 10s one"
bulletins f 2
$LOAXA -c f/st.conf run --for 16s 2>f/run.err &
pid=$!
waitfor f "next slot: S1" 4
# Six clients (fewer than the daemon hears at once), 1.8 s before the slot:
# they are pending when the player is started (1.5 s ahead) and on the
# slot's instant. The daemon that waited up to 250 ms on each in turn
# answered status after all six, 1.5 s later (the slot itself stayed on
# time there: the player starts 1.5 s ahead, and the loop planned between
# two clients).
silent 6 "$((BASE + 4)).2" "$T/f/six"
timed_status
[ "$MS" -lt 800 ] || fail "status took $MS ms behind six silent clients"
expect_rc 0; expect_out "station: Đài thử f"
closed "$T/f/six"
waitfor f "on air: 'Bản tin 1'" 3
# Thirty-two pending (root's: every place is open to it): the next client is
# refused at once; after they are dropped, status answers again.
silent 32 0 "$T/f/eight"
timed_status
[ "$MS" -lt 800 ] || fail "the refusal took $MS ms"
expect_rc 1; expect_err "too many control clients"
closed "$T/f/eight"
run $LOAXA -c f/st.conf status
expect_rc 0
wait $pid
RC=$?
expect_rc 0
logq f 'len(r) == 1 and r[0]["outcome"] == "completed"'
logq f 'abs(t(r[0]["started_at"]) - t(r[0]["scheduled_at"])) < 0.1'
# The 38 dropped clients and the refusal: warned about once in 10 s at most.
CHECKS=$((CHECKS + 1))
n=$(grep -c 'control socket' f/run.err)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && grep -q 'sent no request within 2000 ms' f/run.err ||
    fail "not one or two warnings about the clients: $(cat f/run.err)"

# --- G: the pre-roll (the 1.5 s before a slot's first sample) and overlap. --
# A skip in the pre-roll logs the first item skipped and the next one still
# waits for the slot's start; a slot inside another of equal priority is
# logged skipped (overlap) at its planned start; an emergency in the
# pre-roll airs, then the slot's programme airs whole.
# until_ms MS: sleeps until BASE seconds + MS milliseconds.
until_ms() {
	while [ "$(date +%s%3N)" -lt $((BASE * 1000 + $1)) ]; do sleep 0.05; done
}
BASE=$(($(date +%s) + 1))
station g "S1 4 6s onetwo
S2 12 8s one
S3 14 3s two
S4 24 8s one"
bulletins g 2 2
$LOAXA -c g/st.conf run --for 34s 2>g/run.err &
pid=$!
until_ms 2900
run $LOAXA -c g/st.conf status
expect_rc 0; expect_out "nothing yet; 'Bản tin 1' (S1) starts at"
until_ms 3200
run $LOAXA -c g/st.conf skip
expect_rc 0; expect_out "skipping"
until_ms 23200
run $LOAXA -c g/st.conf play 2 --priority emergency
expect_rc 0
wait $pid
RC=$?
expect_rc 0
S1=$((BASE + 4))
logq g 'r[0]["slot"] == "S1" and r[0]["bulletin"] == 1 and r[0]["outcome"] == "skipped" and r[0]["reason"] == "skipped by operator" and r[0]["started_at"] is None'
logq g "r[1]['slot'] == 'S1' and r[1]['bulletin'] == 2 and r[1]['outcome'] == 'completed' and t(r[1]['started_at']) >= $S1 - 0.05"
logq g "[(x['outcome'], x['reason'], t(x['scheduled_at'])) for x in r if x['slot'] == 'S3'] == [('skipped', 'overlap', $BASE + 14)]"
logq g "[(x['bulletin'], x['priority'], x['outcome']) for x in r if x['slot'] is None] == [(2, 'emergency', 'completed')]"
logq g "[(x['bulletin'], x['outcome']) for x in r if x['slot'] == 'S4'] == [(1, 'completed')]"
run $LOAXA -c g/st.conf log
expect_rc 0; expect_out "overlap"
run $LOAXA -c g/st.conf report --from "$(TZ=$TZONE date -d "@$BASE" +%F)" --to "$(TZ=$TZONE date -d "@$((BASE + 40))" +%F)" --format json
expect_rc 0
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["slots"]; assert s["scheduled"] == 4 and s["aired"] == 3, s' ||
    fail "the report does not count the overlap: $OUT"

# --- H: a slot waiting for its device is stopped by the operator: logged ---
# missed (operator stop), not dropped. A SIGHUP with a bad configuration
# shows in status as the last error.
BASE=$(($(date +%s) + 1))
station h "S1 3 6s one"
bulletins h 2
cp h/st.conf h/good.conf
LOAXA_TEST_FAULT=nodevice $LOAXA -c h/st.conf run --for 9s 2>h/run.err &
pid=$!
until_ms 5000
run $LOAXA -c h/good.conf stop
expect_rc 0; expect_out "logged missed: operator stop"
printf 'audio = { fade_ms = "slow"; };\n' >>h/st.conf
kill -HUP $pid
sleep 0.5
run $LOAXA -c h/good.conf status
expect_rc 0; expect_out "reload refused"
wait $pid
RC=$?
expect_rc 0
cp h/good.conf h/st.conf
logq h "[(x['slot'], x['outcome'], x['reason']) for x in r] == [('S1', 'missed', 'operator stop')]"

# --- R: a power cut in the middle of a slot: the restarted daemon airs what
# is left of the slot, without the item that was cut.
BASE=$(($(date +%s) + 1))
station r "S1 3 20s onetwo"
bulletins r 4 3
$LOAXA -c r/st.conf run 2>r/run1.err &
pid=$!
until_ms 4500
kill -KILL $pid
wait $pid 2>/dev/null
$LOAXA -c r/st.conf run --for 7s 2>r/run2.err
RC=$?
expect_rc 0
logq r "[(x['bulletin'], x['outcome'], x['reason']) for x in r] == [(1, 'interrupted', 'power loss'), (2, 'completed', None)]"
grep -q "is logged already; not aired again" r/run2.err || fail "no resume line: $(cat r/run2.err)"


# --- O: a slot waiting behind an overlapping one when the controller goes --
# off (a power cut, then a clean stop) is logged missed (controller off) at
# the next start, not forgotten; the timetable in force is recorded.
for how in KILL TERM; do
	BASE=$(($(date +%s) + 1))
	station o "S1 3 8s one
S2 6 10s two"
	bulletins o 7 3
	$LOAXA -c o/st.conf run 2>o/run1.err &
	pid=$!
	until_ms 8000
	kill -$how $pid
	wait $pid 2>/dev/null
	until_s 17
	$LOAXA -c o/st.conf run --for 2s 2>o/run2.err
	RC=$?
	expect_rc 0
	cut=$([ $how = KILL ] && echo "power loss" || echo "shutdown")
	logq o "[(x['slot'], x['bulletin'], x['outcome'], x['reason']) for x in r] == [('S1', 1, 'interrupted', '$cut'), ('S2', None, 'missed', 'controller off')]"
	logq o "[(t(x['slot_start']), t(x['scheduled_at'])) for x in r if x['slot'] == 'S2'] == [($BASE + 6, $BASE + 11)]"
	n=$(sqlite3 o/data/loaxa.db "SELECT count(*) FROM timetables WHERE recorded_by = 'daemon'")
	[ "$n" = 1 ] || fail "the daemon recorded $n timetables, not 1"
	rm -rf o
done

echo "daemon: $CHECKS checks"
