#!/bin/sh
# bench/fleet: the district (`loaxa fleet`) against a private broker on
# 127.0.0.1 and N simulated stations in one process (bench/fleet-sim.c: one
# MQTT 5 client per station, its own client id and prefix
# loaxa/v1/01/001/NNNNN, retained up/state, down/pkg chunks counted and
# acknowledged on up/ack as `loaxa link` does). For each N in
# FLEET_BENCH_N (default "200 2000"):
#   status:  from the simulator's start until `fleet status` lists all N
#            online (polled with --wait 5), and one such status call alone;
#   send:    `fleet send` of a ~5 MB signed package --to all, until every
#            station's acknowledgement came (the command's wall time);
#   msgs/s:  the chunks and acknowledgements of that send per second; and the
#            airing rows (FLEET_BENCH_AIRINGS per station, published at once)
#            that `fleet watch` keeps in fleet.db, per second until all are in;
#   collect: `fleet collect --period 2026-H1 --out DIR` of all N, until
#            every export came and was verified (the command's wall time),
#            then `report --merge DIR/*.lxe` of them. Each station answers
#            with its own real export: before the run, `loaxa export` of a
#            station database with FLEET_BENCH_ROWS airings over 2026-H1
#            (3,000 by default), once per station code with that station's
#            own key (`loaxa key station`), the same rows in each; the
#            fleet section lists each key. FLEET_BENCH_EXPORTS keeps them
#            between runs (made once: about 0.1 s a station);
#   memory:  the broker's VmHWM, and each district command's maximum RSS
#            (/usr/bin/time) or VmHWM (watch).
# FLEET_BENCH_PROTOCOL=5 (default) or 3.1.1: the MQTT version the district
# (fleet.protocol) and the simulated stations speak.
# FLEET_BENCH_BROKER=mosquitto (default) or rabbitmq (Debian rabbitmq-server
# with rabbitmq_mqtt, started here under $T on private ports). The broker
# takes anonymous clients on a plain listener (no TLS, no ACL: the bench
# measures throughput; the ACL is tests/e2e/fleet.sh's). Every process is
# started here, listens on 127.0.0.1 only, is stopped by its PID; every
# wait is bounded (FLEET_BENCH_LIMIT seconds, 300 by default).
set -u
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
: "${FLEET_SIM:?set FLEET_SIM to build/bench/fleet-sim (make bench-fleet)}"
NS=${FLEET_BENCH_N:-"200 2000"}
KIND=${FLEET_BENCH_BROKER:-mosquitto}
AIR=${FLEET_BENCH_AIRINGS:-20}
LIMIT=${FLEET_BENCH_LIMIT:-300}
ROWS=${FLEET_BENCH_ROWS:-3000}
PROTO=${FLEET_BENCH_PROTOCOL:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-fleet.XXXXXX")
PIDS=

say() { printf '%s\n' "$*" >&2; }
die() { say "bench/fleet: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# Stops PID (ours): TERM, then KILL after 10 s.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	_n=0
	while kill -0 "$1" 2>/dev/null && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	for p in $PIDS; do
		stop_pid "$p"
	done
	[ -z "${RABBIT_ENV:-}" ] || rabbit_stop
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most LIMIT s) until CMD succeeds; 1 if it never did.
wait_for() {
	_end=$(($(date +%s) + LIMIT))
	until "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# shellcheck disable=SC3045 # dash and bash both have ulimit -n and -H
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# shellcheck disable=SC3045
[ "$(ulimit -n)" -ge 4200 ] || say "bench/fleet: only $(ulimit -n) file descriptors; N = 2,000 needs about 4,100"
for b in mosquitto python3 sqlite3 /usr/bin/time; do
	command -v "$b" >/dev/null || die "$b is not installed"
done
PORT=$(free_port)

mosquitto_start() {
	cat >"$T/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages 20
log_dest file $T/mosquitto.log
log_type error
log_type warning
listener $PORT 127.0.0.1
max_connections -1
CONF
	mosquitto -c "$T/mosquitto.conf" >"$T/mosquitto.out" 2>&1 </dev/null &
	BROKER_PID=$!
	PIDS="$PIDS $BROKER_PID"
	LIMIT=10 wait_for python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" \
	    2>/dev/null || die "mosquitto did not start: $(cat "$T/mosquitto.out")"
	BROKER_VERSION=$(mosquitto -h 2>/dev/null | head -n 1)
}

# RabbitMQ under $T: node, epmd and distribution on 127.0.0.1, MQTT on PORT.
rabbit_env() {
	export RABBITMQ_HOME=/usr/lib/rabbitmq RABBITMQ_CONFIG_FILE="$R/rabbitmq.conf" \
	    RABBITMQ_ENABLED_PLUGINS_FILE="$R/enabled_plugins" RABBITMQ_MNESIA_BASE="$R/mnesia" \
	    RABBITMQ_LOG_BASE="$R/log" RABBITMQ_NODENAME=loaxa-bench@localhost \
	    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT="$RDIST" \
	    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$REPMD" HOME="$R" \
	    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_start() {
	# The scripts themselves: /usr/sbin's wrappers switch to the rabbitmq user.
	RB=/usr/lib/rabbitmq/bin
	[ -x "$RB/rabbitmq-server" ] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server)"
	R=$T/rabbit
	mkdir -p "$R/log" "$R/mnesia"
	echo "[rabbitmq_mqtt]." >"$R/enabled_plugins"
	cat >"$R/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$(free_port)
mqtt.listeners.tcp.1 = 127.0.0.1:$PORT
mqtt.allow_anonymous = true
loopback_users = none
CONF
	RDIST=$(free_port) REPMD=$(free_port)
	RABBIT_ENV=1
	(rabbit_env; exec "$RB/rabbitmq-server") >"$R/server.out" 2>&1 </dev/null &
	BROKER_PID=$!
	PIDS="$PIDS $BROKER_PID"
	LIMIT=120 wait_for python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" \
	    2>/dev/null || die "rabbitmq did not open MQTT on $PORT: $(tail -n 20 "$R/server.out")"
	BROKER_VERSION="RabbitMQ $(rabbit_env; "$RB/rabbitmqctl" -n loaxa-bench@localhost version 2>/dev/null) + rabbitmq_mqtt"
	# The beam process (rabbitmq-server is a shell script that execs it).
	BEAM=$(pgrep -P "$BROKER_PID" beam.smp 2>/dev/null | head -n 1)
	[ -n "$BEAM" ] || BEAM=$BROKER_PID
	rabbit_probe
}

# What the MQTT plugin takes: the station's topics over MQTT 3.1.1 (a
# retained state read back on its exact topic and through a '+'), and an
# MQTT 5 CONNECT, which `loaxa link` and `loaxa fleet` send.
rabbit_probe() {
	command -v mosquitto_pub >/dev/null || return 0
	_t=loaxa/v1/01/001/00001/up/state
	timeout 10 mosquitto_pub -V mqttv311 -h 127.0.0.1 -p "$PORT" -q 1 -r -t "$_t" \
	    -m '{"online":true}' 2>/dev/null && _r=taken || _r=refused
	say "rabbitmq: MQTT 3.1.1 retained publish on $_t: $_r"
	for _s in "$_t" loaxa/v1/01/001/+/up/state; do
		timeout 10 mosquitto_sub -V mqttv311 -h 127.0.0.1 -p "$PORT" -t "$_s" -C 1 -W 3 \
		    >/dev/null 2>&1 && _r="the retained state came" || _r="nothing came in 3 s"
		say "rabbitmq: MQTT 3.1.1 subscription to $_s: $_r"
	done
	if ! timeout 10 mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -q 1 -t "$_t" -m x \
	    2>/dev/null; then
		LIMIT=5 wait_for grep -qs "MQTT cannot parse a frame" "$R/log/loaxa-bench@localhost.log"
		say "rabbitmq: an MQTT 5 CONNECT is refused; its log: $(grep -m 1 -o 'MQTT cannot parse a frame[^,]*' \
		    "$R/log/loaxa-bench@localhost.log")"
		[ "$PROTO" != 5 ] ||
		    die "$BROKER_VERSION takes MQTT 3.1.1 only: run with FLEET_BENCH_PROTOCOL=3.1.1 (fleet.protocol, link.protocol)"
	fi
	# The probe's retained state would count as a station's.
	timeout 10 mosquitto_pub -V mqttv311 -h 127.0.0.1 -p "$PORT" -q 1 -r -t "$_t" -n 2>/dev/null
}

rabbit_stop() {
	(rabbit_env; timeout 30 "$RB/rabbitmqctl" -n loaxa-bench@localhost stop) >/dev/null 2>&1
	(rabbit_env; timeout 10 epmd -kill) >/dev/null 2>&1
	RABBIT_ENV=
}

broker_rss() {
	if [ "$KIND" = rabbitmq ]; then hwm_kb "$BEAM"; else hwm_kb "$BROKER_PID"; fi
}

case "$KIND" in
mosquitto) mosquitto_start ;;
rabbitmq) rabbit_start ;;
*) die "FLEET_BENCH_BROKER is mosquitto or rabbitmq" ;;
esac
FIRST=1

# The district's key and a ~5 MB package it signed (160 s of 16 kHz speech).
"$LOAXA" key generate --out "$T/district.key" >/dev/null 2>&1 || die "key generate"
"$LOAXA_GEN_AUDIO" --format wav --kind speech --seconds 160 --rate 16000 --channels 1 \
    --seed 5 "$T/p.wav" >/dev/null || die gen-audio
"$LOAXA" package create --key "$T/district.key" --title "Bản tin tỉnh" --out "$T/p.lxp" \
    "$T/p.wav" >/dev/null || die "package create"
PKG_BYTES=$(stat -c %s "$T/p.lxp")
CHUNKS=$(((PKG_BYTES + 262143) / 262144))

# The stations' half-year exports, E/CODE.lxe for 00001 .. N, and E/keys
# ("CODE KEY" lines): a station database with ROWS airings over 2026-H1
# (2025-12-15..2026-06-14, 17 a day from 05:30, 20 bulletins, one in 97
# interrupted) written with the sqlite3 CLI as bench/report.sh does, then
# for each code a copy of it, the station's own key and `loaxa export`.
E=${FLEET_BENCH_EXPORTS:-$T/exports}
make_exports() {
	mkdir -p "$E/tpl"
	if [ ! -s "$E/tpl/data/loaxa.db" ]; then
		printf 'station = { code = "TPL"; name = "bench"; timezone = "Asia/Ho_Chi_Minh"; };\npaths = { data = "%s"; };\n' \
		    "$E/tpl/data" >"$E/tpl/loaxa.conf"
		"$LOAXA" -c "$E/tpl/loaxa.conf" log --from 2020-01-01 --to 2020-01-01 >/dev/null ||
		    die "a station database"
		sqlite3 "$E/tpl/data/loaxa.db" <<SQL || die "the airing rows"
BEGIN;
WITH RECURSIVE b(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM b WHERE i < 20)
INSERT INTO bulletins (id, sha256, file, title, topic, agency, status, min_airings,
  format, sample_rate, channels, duration_ms, size, approved_sha256, imported_at)
SELECT i, printf('%064x', i * 2654435761), 'f', 'Bản tin ' || i,
  (SELECT value FROM json_each('["cchc","chinhsach","dautu","chinhquyen","tthc","doanhnghiep","danchu"]')
   WHERE key = i % 7), 'TT VH-TT&DL huyện', 'approved', 0,
  'wav', 48000, 1, 90000, 1000, printf('%064x', i * 2654435761), 0 FROM b;
-- 2025-12-15T05:30+07:00 is 1765751400000.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS - 1),
r AS (SELECT i, 1765751400000 + (i / 17) * 86400000 AS slot_start, i % 17 AS item,
  i % 20 + 1 AS b FROM n)
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, priority, scheduled_at,
  started_at, ended_at, played_ms, outcome, reason)
SELECT b, printf('%064x', b * 2654435761), 'Buổi sáng', slot_start, 'normal',
  slot_start + item * 90000, slot_start + item * 90000,
  slot_start + item * 90000 + CASE WHEN i % 97 = 3 THEN 30000 ELSE 90000 END,
  CASE WHEN i % 97 = 3 THEN 30000 ELSE 90000 END,
  CASE WHEN i % 97 = 3 THEN 'interrupted' ELSE 'completed' END,
  CASE WHEN i % 97 = 3 THEN 'emergency' END FROM r;
COMMIT;
SQL
		: >"$E/keys"
	fi
	_t0=$(now_ms)
	_i=$(($(wc -l <"$E/keys") + 1))
	while [ "$_i" -le "$1" ]; do
		_c=$(printf %05d "$_i")
		rm -rf "$E/w"
		mkdir -p "$E/w"
		cp "$E/tpl/data/loaxa.db" "$E/w/"
		printf 'station = { code = "%s"; name = "Đài %s"; timezone = "Asia/Ho_Chi_Minh"; };\npaths = { data = "%s"; };\n' \
		    "$_c" "$_c" "$E/w" >"$E/w.conf"
		_k=$("$LOAXA" -c "$E/w.conf" key station 2>/dev/null) || die "$_c: key station"
		"$LOAXA" -c "$E/w.conf" export --period 2026-H1 --out "$E/$_c.lxe" >/dev/null 2>&1 ||
		    die "$_c: export"
		echo "$_c $_k" >>"$E/keys"
		_i=$((_i + 1))
	done
	rm -rf "$E/w" "$E/w.conf"
	say "bench/fleet: $1 exports of $ROWS rows ($(stat -c %s "$E/00001.lxe") bytes each) in $E, $(($(now_ms) - _t0)) ms to make what was missing"
}

# district N: the district's configuration for stations 00001 .. N, each
# with its export key, and the same keys in trust.stations for the merge.
district() {
	{
		echo "station = { code = \"DISTRICT-001\"; name = \"bench\"; timezone = \"Asia/Ho_Chi_Minh\"; };"
		echo "paths = { data = \"$T/d$1\"; };"
		echo "fleet = { host = \"127.0.0.1\"; port = $PORT; signing_key = \"$T/district.key\";"
		[ "$PROTO" = 5 ] || echo "  protocol = \"$PROTO\";"
		echo "  ack_timeout = 60; stations = ("
		head -n "$1" "$E/keys" | awk '{ printf "%s    { code = \"%s\"; prefix = \"loaxa/v1/01/001/%s\"; key = \"%s\"; }", (NR > 1 ? ",\n" : ""), $1, $1, $2 }'
		printf ' ); };\n'
		echo "trust = { stations = ("
		head -n "$1" "$E/keys" | awk '{ printf "%s    { code = \"%s\"; key = \"%s\"; }", (NR > 1 ? ",\n" : ""), $1, $2 }'
		printf ' ); };\n'
	} >"$T/d$1.conf"
}

online_count() {
	/usr/bin/time -f %M -o "$T/status.rss" "$LOAXA" -c "$T/d$1.conf" fleet status \
	    --format json --wait 5 2>"$T/status.err" | python3 -c '
import json, sys
try:
    print(sum(1 for s in json.load(sys.stdin) if s["state"] == "online"))
except ValueError:
    print(0)'
}

MAXN=0
for N in $NS; do [ "$N" -le "$MAXN" ] || MAXN=$N; done
make_exports "$MAXN"
printf '%s\n' "broker: $BROKER_VERSION; MQTT $PROTO; package $PKG_BYTES bytes, $CHUNKS chunks; $(nproc) cores" >&2
printf '| broker | N | all online in fleet status | one status call | 5 MB to all N (acks) | chunks+acks/s | airing rows into fleet.db/s | collect of N exports (verified) | report --merge of N | broker RSS (peak) | district RSS status / send / watch / collect / merge |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
for N in $NS; do
	# A fresh mosquitto for each N: no retained state of the last round.
	if [ "$KIND" = mosquitto ] && [ -z "$FIRST" ]; then
		stop_pid "$BROKER_PID"
		mosquitto_start
	fi
	FIRST=
	district "$N"
	"$LOAXA" -c "$T/d$N.conf" check >/dev/null 2>"$T/check.err" || die "district $N: $(cat "$T/check.err")"
	mkdir -p "$T/d$N"
	# Status: from the simulator's start until all N show online.
	t0=$(now_ms)
	"$FLEET_SIM" 127.0.0.1 "$PORT" loaxa/v1/01/001 1 "$N" "$AIR" "$E" "$PROTO" >"$T/sim$N.out" 2>"$T/sim$N.err" &
	SIM=$!
	PIDS="$PIDS $SIM"
	end=$(($(date +%s) + LIMIT))
	while [ "$(online_count "$N")" -lt "$N" ]; do
		if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$SIM" 2>/dev/null; then
			die "N=$N: not all online in $LIMIT s: $(tail -n 1 "$T/sim$N.out") $(tail -n 3 "$T/sim$N.err" "$T/status.err")"
		fi
	done
	t_status=$(($(now_ms) - t0))
	t0=$(now_ms)
	got=$(online_count "$N")
	t_one=$(($(now_ms) - t0))
	[ "$got" -eq "$N" ] || die "N=$N: a second status saw $got online"
	rss_status=$(cat "$T/status.rss")
	# Send: the package to all, every acknowledgement back.
	t0=$(now_ms)
	/usr/bin/time -f %M -o "$T/send.rss" timeout "$((LIMIT + 60))" "$LOAXA" -c "$T/d$N.conf" \
	    fleet send "$T/p.lxp" --to all --timeout "$LIMIT" >"$T/send.out" 2>"$T/send.err"
	rc=$?
	t_send=$(($(now_ms) - t0))
	grep -q "^$N of $N stations acknowledged" "$T/send.out" ||
	    die "N=$N: send (exit $rc): $(tail -n 2 "$T/send.out" "$T/send.err")"
	rss_send=$(tail -n 1 "$T/send.rss")
	mps=$(((N * CHUNKS + N) * 1000 / t_send))
	# Airing rows: AIR per station at once, until fleet watch kept them all.
	"$LOAXA" -c "$T/d$N.conf" fleet watch >/dev/null 2>"$T/watch$N.err" &
	WATCH=$!
	PIDS="$PIDS $WATCH"
	LIMIT=60 wait_for grep -qs "listening to $N stations" "$T/watch$N.err" ||
	    die "N=$N: watch: $(cat "$T/watch$N.err")"
	rows() { sqlite3 "$T/d$N/fleet.db" "SELECT count(*) FROM airings" 2>/dev/null || echo 0; }
	rows_in() { [ "$(rows)" -ge "$want" ]; }
	want=$((N * AIR + $(rows)))
	t0=$(now_ms)
	kill -USR1 "$SIM"
	wait_for rows_in || die "N=$N: fleet.db has $(rows) of $want airing rows"
	t_air=$(($(now_ms) - t0))
	aps=$((N * AIR * 1000 / t_air))
	rss_watch=$(hwm_kb "$WATCH")
	stop_pid "$WATCH"
	# Collect: every station's signed export of 2026-H1, verified; then the merge.
	t0=$(now_ms)
	/usr/bin/time -f %M -o "$T/collect.rss" timeout "$((LIMIT + 60))" "$LOAXA" -c "$T/d$N.conf" \
	    fleet collect --period 2026-H1 --out "$T/c$N" --timeout "$LIMIT" >"$T/collect.out" 2>"$T/collect.err"
	rc=$?
	t_collect=$(($(now_ms) - t0))
	grep -q "^$N of $N came: $N verified" "$T/collect.out" ||
	    die "N=$N: collect (exit $rc): $(tail -n 2 "$T/collect.out" "$T/collect.err")"
	rss_collect=$(tail -n 1 "$T/collect.rss")
	t0=$(now_ms)
	# shellcheck disable=SC2046 # one argument a file: the names have no spaces
	/usr/bin/time -f %M -o "$T/merge.rss" "$LOAXA" -c "$T/d$N.conf" report --merge \
	    $(ls "$T/c$N"/*.lxe) >"$T/merge.out" 2>"$T/merge.err" ||
	    die "N=$N: report --merge: $(tail -n 2 "$T/merge.err")"
	t_merge=$(($(now_ms) - t0))
	rss_merge=$(tail -n 1 "$T/merge.rss")
	stop_pid "$SIM"
	printf '| %s | %d | %d.%01d s | %d.%01d s | %d.%01d s | %d | %d (%d rows in %d.%01d s) | %d.%01d s (%d) | %d.%01d s | %d MB | %d / %d / %d / %d / %d MB |\n' \
	    "$KIND" "$N" $((t_status / 1000)) $((t_status % 1000 / 100)) \
	    $((t_one / 1000)) $((t_one % 1000 / 100)) $((t_send / 1000)) $((t_send % 1000 / 100)) \
	    "$mps" "$aps" $((N * AIR)) $((t_air / 1000)) $((t_air % 1000 / 100)) \
	    $((t_collect / 1000)) $((t_collect % 1000 / 100)) "$N" $((t_merge / 1000)) $((t_merge % 1000 / 100)) \
	    $(($(broker_rss) / 1024)) $((rss_status / 1024)) $((rss_send / 1024)) $((rss_watch / 1024)) \
	    $((rss_collect / 1024)) $((rss_merge / 1024))
	say "N=$N: $(tail -n 1 "$T/collect.out"); merge: $(grep -c . "$T/merge.out") lines"
	rm -rf "$T/c$N"
done
