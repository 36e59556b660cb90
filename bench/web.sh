#!/bin/sh
# bench/web: the console's live-state endpoint (/api/state, what the home page
# polls) under 50 concurrent clients, with a running daemon answering it over
# the control socket, as requests per second (wrk, else a python3 loop), and
# the resident memory of `loaxa web` idle and after the load. Targets: RSS
# under 10 MB idle; the endpoint costs one control-socket round trip.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-web.XXXXXX")
WEB= RUN=
trap 'kill $WEB $RUN 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >loaxa.conf <<CONF
station = { code = "BENCH"; name = "Bench"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; };
web = { port = $PORT; };
CONF
export LOAXA_CONFIG="$T/loaxa.conf"
echo 'mat-khau-bench' | "$LOAXA" web user add bench --role viewer >/dev/null
"$LOAXA" run 2>run.err & RUN=$!
"$LOAXA" web 2>web.err & WEB=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && [ -S data/control.sock ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat web.err run.err; exit 1; }
	sleep 0.1
done
curl -s -c jar -o /dev/null -d 'name=bench&password=mat-khau-bench' "http://127.0.0.1:$PORT/login"
SID=$(awk '$6 == "loaxa_sid" { print $7 }' jar)
sleep 1
rss() { awk '/^VmRSS/ { print $2 }' /proc/$WEB/status; }
IDLE=$(rss)
URL="http://127.0.0.1:$PORT/api/state"
if command -v wrk >/dev/null; then
	RPS=$(wrk -t2 -c50 -d5s -H "Cookie: loaxa_sid=$SID" "$URL" |
	    awk '/Requests\/sec/ { print $2 }')
	TOOL=wrk
else
	RPS=$(python3 - "$PORT" "$SID" <<'PY'
import http.client, sys, threading, time
port, sid = int(sys.argv[1]), sys.argv[2]
n = [0]; stop = time.monotonic() + 5; lock = threading.Lock()
def client():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < stop:
        c.request("GET", "/api/state", headers={"Cookie": "loaxa_sid=" + sid})
        c.getresponse().read()
        with lock: n[0] += 1
ts = [threading.Thread(target=client) for _ in range(50)]
[t.start() for t in ts]; [t.join() for t in ts]
print("%.0f" % (n[0] / 5))
PY
)
	TOOL=python3
fi
LOADED=$(rss)
BASE=$(curl -s -o /dev/null -w '%{time_total}' -b "loaxa_sid=$SID" "$URL")
echo "bench/web: /api/state, 50 concurrent clients ($TOOL): $RPS requests/s"
echo "bench/web: one request alone: ${BASE}s"
echo "bench/web: loaxa web RSS idle ${IDLE} kB, after the load ${LOADED} kB (target < 10240 kB idle)"
[ "$IDLE" -lt 10240 ] || { echo "bench/web: idle RSS over 10 MB"; exit 1; }
