# loaxa link against a real mosquitto (tests/e2e/broker.sh): the state
# appears retained on up/state, and offline through the last will when the
# link is SIGKILLed; airings logged by a real `loaxa run` reach a subscriber
# on up/airing; the link SIGKILLed 30 times at random moments while airings
# are logged loses no row (each msg_id arrives, a duplicate only with the
# same msg_id); rows queued while the broker is down arrive after it comes
# back; a prefix of another station is refused by the broker (the PUBACK's
# reason code, said on one line); a certificate from another CA is refused
# with a clear message; without a link section `loaxa link` exits 2.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh

B=$T/broker
broker_start "$B"
P=$(broker_prefix 00001)
O=$(broker_prefix 00004)
LINK_PID=
DAEMON_PID=
trap 'stop_pid "$LINK_PID"; stop_pid "$DAEMON_PID"; broker_cleanup; rm -rf "$T"' EXIT

# stop_pid PID: SIGTERM, then SIGKILL after 5 s; reaps it (our children only).
stop_pid() {
	[ -n "$1" ] || return 0
	broker_end "$1" TERM
}

# station DIR START LENGTH [LINK]: null output, one slot of a rotate playlist
# that repeats its 1-s bulletins from BASE + START for LENGTH, LINK appended.
station() {
	mkdir -p "$T/$1"
	at=$((BASE + $2))
	cat >"$T/$1/st.conf" <<CONF
station = { code = "E2E-$1"; name = "Đài thử $1"; timezone = "$TZONE"; };
paths = { data = "$T/$1/data"; };
audio = { driver = "null"; realtime = true; fade_ms = 100; };
playlists = ( { name = "all"; mode = "rotate"; repeat = true; } );
timetable = ( { name = "S"; date = "$(TZ=$TZONE date -d "@$at" +%Y-%m-%d)";
  start = "$(TZ=$TZONE date -d "@$at" +%H:%M:%S)"; length = "$3"; playlist = "all"; } );
${4:-}
CONF
}

# linkconf PREFIX [cert|password] [CERTNAME]: a link section for station-00001.
linkconf() {
	case "${2:-cert}" in
	cert) printf 'link = { host = "127.0.0.1"; port = %s; ca_file = "%s"; cert_file = "%s/%s.crt"; key_file = "%s/%s.key"; topic_prefix = "%s"; keepalive = 10; reconnect_min = 1; reconnect_max = 2; };\n' \
	    "$BROKER_PORT" "$BROKER_CAFILE" "$B" "${3:-station-00001}" "$B" "${3:-station-00001}" "$1" ;;
	password) printf 'link = { host = "127.0.0.1"; port = %s; ca_file = "%s"; username = "station-00001"; password_file = "%s/station-00001.pass"; topic_prefix = "%s"; reconnect_min = 1; reconnect_max = 2; };\n' \
	    "$BROKER_PW_PORT" "$BROKER_CAFILE" "$B" "$1" ;;
	esac
}

bulletins() {
	for i in 1 2 3; do
		"$G" --format wav --kind speech --seconds 1 --seed "$i" "$T/$1/b$i.wav" >/dev/null ||
		    fail "gen-audio"
		run $LOAXA -c "$T/$1/st.conf" import --title "Bản tin $i" --topic cchc \
		    --approve --by E2E "$T/$1/b$i.wav"
		expect_rc 0
	done
}

link_start() {
	$LOAXA -c "$T/$1/st.conf" link 2>>"$T/$1/link.err" &
	LINK_PID=$!
}

link_kill() {
	kill -KILL "$LINK_PID" 2>/dev/null
	wait "$LINK_PID" 2>/dev/null
	LINK_PID=
}

# ids FILE: the msg_ids of the airing messages in a subscriber's FILE.
ids() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    topic, _, body = line.partition(" ")
    if topic.endswith("/up/airing"):
        print(json.loads(body)["msg_id"])
' "$1"
}

# --- A: no link section: exit 2, one line. ---------------------------------
BASE=$(date +%s)
station nolink 3600 1m
run $LOAXA -c "$T/nolink/st.conf" link
expect_rc 2; expect_err "has no link section"; expect_one_err_line

# --- B: state retained; airings arrive; offline by the last will. ----------
BASE=$(($(date +%s) + 4))
station a 3 8s "$(linkconf "$P")"
bulletins a
run $LOAXA -c "$T/a/st.conf" check
expect_rc 0
sub_start --as district-001 "$P/up/#" "$T/a.sub" -q 1
$LOAXA -c "$T/a/st.conf" run 2>"$T/a/run.err" &
DAEMON_PID=$!
link_start a
wait_line "$T/a.sub" '"online":true' || fail "no online state: $(cat "$T/a/link.err")"
wait_line "$T/a.sub" '"daemon":{"station":"E2E-a"' || fail "the state lacks the daemon's status"
# Retained: a new subscriber gets it at once.
sub_start --as district-001 "$P/up/state" "$T/a.retained" -C 1
wait_line "$T/a.retained" '"online":true' || fail "the state is not retained"
until [ "$(date +%s)" -ge $((BASE + 12)) ]; do sleep 0.3; done
n=$($LOAXA -c "$T/a/st.conf" log --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" -ge 3 ] || fail "only $n airings logged"
for i in $(seq 1 "$n"); do
	wait_line "$T/a.sub" "\"msg_id\":\"E2E-a:airing:$i\"" 50 ||
	    fail "airing $i did not arrive: $(cat "$T/a.sub")"
done
wait_line "$T/a.sub" '"chain":"' || fail "no chain link in the airing messages"
CHECKS=$((CHECKS + 1))
run $LOAXA -c "$T/a/st.conf" status
expect_out "Kết nối / link: connected"
link_kill
wait_line "$T/a.sub" '"online":false' || fail "no last will after SIGKILL"

stop_pid "$DAEMON_PID"; DAEMON_PID=
sub_stop "$SUB_PID"

# --- C: another station's prefix: the broker refuses, the link says so. ----
BASE=$(date +%s)
station f 3600 1m "$(linkconf "$O")"
$LOAXA -c "$T/f/st.conf" run 2>"$T/f/run.err" &
DAEMON_PID=$!
link_start f
wait_line "$T/f/link.err" "refused" || fail "no refusal said: $(cat "$T/f/link.err")"
CHECKS=$((CHECKS + 1))
grep "refused" "$T/f/link.err" | head -n 1 | grep -q "Not authorized" ||
    fail "the refusal does not give the broker's reason: $(cat "$T/f/link.err")"
[ "$(grep -c "refused" "$T/f/link.err")" -eq 1 ] || fail "the refusal is said more than once"
link_kill
stop_pid "$DAEMON_PID"; DAEMON_PID=

# --- D: a certificate from another CA, a CA that did not sign the broker. ---
station r 3600 1m "$(linkconf "$P" cert rogue)"
link_start r
wait_line "$T/r/link.err" "TLS" 300 || fail "no TLS refusal: $(cat "$T/r/link.err")"
CHECKS=$((CHECKS + 1))
grep -q "refused the station's certificate" "$T/r/link.err" ||
    fail "unclear TLS refusal: $(cat "$T/r/link.err")"
link_kill
station w 3600 1m "$(linkconf "$P" | sed "s|$BROKER_CAFILE|$B/other-ca.crt|")"
link_start w
wait_line "$T/w/link.err" "TLS" 300 || fail "no TLS refusal: $(cat "$T/w/link.err")"
CHECKS=$((CHECKS + 1))
grep -q "not signed by link.ca_file" "$T/w/link.err" ||
    fail "unclear TLS refusal: $(cat "$T/w/link.err")"
link_kill

# --- E: 30 SIGKILLs of the link while airings are logged; then the broker
# killed and restarted with rows queued meanwhile. Every row arrives, each
# msg_id at least once, and a duplicate is the same message again. ---------
BASE=$(($(date +%s) + 3))
station k 1 36s "$(linkconf "$P" password)"
bulletins k
sub_start --as district-001 "$P/up/airing" "$T/k.sub" -q 1 -c -i dist-k -W 120
$LOAXA -c "$T/k/st.conf" run 2>"$T/k/run.err" &
DAEMON_PID=$!
link_start k
until [ "$(date +%s)" -ge $((BASE + 1)) ]; do sleep 0.2; done
kills=0
while [ $kills -lt 30 ]; do
	sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 0.6), 3))')"
	link_kill
	kills=$((kills + 1))
	link_start k
done
CHECKS=$((CHECKS + 1))
# The broker away for a while: rows queue in the outbox, then arrive.
sleep 1
broker_kill
sleep 3
n_down=$($LOAXA -c "$T/k/st.conf" log --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
broker_restart
# mosquitto_sub ends when its broker goes; the district comes back to its
# persistent session (QoS 1) and gets what was queued for it.
cp "$T/k.sub" "$T/k.sub.1"
sub_start --as district-001 "$P/up/airing" "$T/k.sub.2" -q 1 -c -i dist-k -W 120
until [ "$(date +%s)" -ge $((BASE + 38)) ]; do sleep 0.3; done
stop_pid "$DAEMON_PID"; DAEMON_PID=
n=$($LOAXA -c "$T/k/st.conf" log --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" -ge 20 ] && [ "$n" -gt "$n_down" ] || fail "only $n airings logged ($n_down before the broker restarted)"
i=0
while [ $i -lt 100 ] && [ "$(cat "$T/k.sub.1" "$T/k.sub.2" >"$T/k.sub"; ids "$T/k.sub" | sort -u | wc -l)" -lt "$n" ]; do
	sleep 0.2
	i=$((i + 1))
done
CHECKS=$((CHECKS + 1))
python3 - "$T/k.sub" "$n" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1], encoding="utf-8"):
    topic, _, body = line.partition(" ")
    m = json.loads(body)
    if m["msg_id"] in seen and seen[m["msg_id"]] != m:
        print("differs:", m["msg_id"]); sys.exit(1)
    seen[m["msg_id"]] = m
n = int(sys.argv[2])
want = {"E2E-k:airing:%d" % i for i in range(1, n + 1)}
if set(seen) != want:
    print("missing:", sorted(want - set(seen)), "extra:", sorted(set(seen) - want)); sys.exit(1)
if sorted(m["id"] for m in seen.values()) != list(range(1, n + 1)):
    print("airing ids differ"); sys.exit(1)
print("link.sh: %d rows, each once by msg_id (%d messages)" % (n, sum(1 for _ in open(sys.argv[1]))))
PY
[ $? -eq 0 ] || fail "rows lost or duplicates that differ; link: $(tail -n 5 "$T/k/link.err"); subscriber: $(cat "$T/k.sub.2.err"); $($LOAXA -c "$T/k/st.conf" status 2>&1 | tail -n 5)"
link_kill
sub_stop "$SUB_PID"

echo "link.sh: $CHECKS checks passed"
