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
#   memory:  the broker's VmHWM, and each district command's maximum RSS
#            (/usr/bin/time) or VmHWM (watch).
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
		die "$BROKER_VERSION takes MQTT 3.1.1 only; loaxa link and loaxa fleet speak MQTT 5 (RabbitMQ takes MQTT 5 from 3.13)"
	fi
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

# district N: the district's configuration for stations 00001 .. N.
district() {
	{
		echo "station = { code = \"DISTRICT-001\"; name = \"bench\"; timezone = \"Asia/Ho_Chi_Minh\"; };"
		echo "paths = { data = \"$T/d$1\"; };"
		echo "fleet = { host = \"127.0.0.1\"; port = $PORT; signing_key = \"$T/district.key\";"
		echo "  ack_timeout = 60; stations = ("
		i=1
		while [ $i -le "$1" ]; do
			c=$(printf %05d $i)
			[ $i -eq 1 ] || printf ',\n'
			printf '    { code = "%s"; prefix = "loaxa/v1/01/001/%s"; }' "$c" "$c"
			i=$((i + 1))
		done
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

printf '%s\n' "broker: $BROKER_VERSION; package $PKG_BYTES bytes, $CHUNKS chunks; $(nproc) cores" >&2
printf '| broker | N | all online in fleet status | one status call | 5 MB to all N (acks) | chunks+acks/s | airing rows into fleet.db/s | broker RSS (peak) | district RSS status / send / watch |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
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
	"$FLEET_SIM" 127.0.0.1 "$PORT" loaxa/v1/01/001 1 "$N" "$AIR" >"$T/sim$N.out" 2>"$T/sim$N.err" &
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
	stop_pid "$SIM"
	printf '| %s | %d | %d.%01d s | %d.%01d s | %d.%01d s | %d | %d (%d rows in %d.%01d s) | %d MB | %d / %d / %d MB |\n' \
	    "$KIND" "$N" $((t_status / 1000)) $((t_status % 1000 / 100)) \
	    $((t_one / 1000)) $((t_one % 1000 / 100)) $((t_send / 1000)) $((t_send % 1000 / 100)) \
	    "$mps" "$aps" $((N * AIR)) $((t_air / 1000)) $((t_air % 1000 / 100)) \
	    $(($(broker_rss) / 1024)) $((rss_status / 1024)) $((rss_send / 1024)) $((rss_watch / 1024))
done
