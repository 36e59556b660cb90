#!/bin/sh
# bench/link: the station link against a private mosquitto on 127.0.0.1
# (tests/e2e/broker.sh, TLS with client certificates).
#   throughput: N (LINK_BENCH_ROWS, 2000) airing rows and their outbox rows
#     written into the station's database at once; messages per second from
#     the link's start until link.db's watermark covers them all (every
#     PUBACK received and recorded);
#   latency: 200 rows committed one by one, 20 ms apart, while the link runs;
#     from each commit (its scheduled_at, written at commit time) to its
#     arrival at a subscriber (mosquitto_sub's receive time): median, max;
#   the link's resident memory (VmRSS, VmHWM; target < 8 MB), and what it is
#     made of (/proc/PID/smaps): RSS beside PSS (shared pages divided among
#     the processes that map them), private dirty against the shared clean
#     pages of the program and its libraries, the largest mappings; its CPU time
#     over an idle minute (LINK_BENCH_IDLE seconds, 60 by default; target
#     about 0: nothing polls).
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
export LOAXA_SRCDIR=${LOAXA_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
ROWS=${LINK_BENCH_ROWS:-2000}
IDLE=${LINK_BENCH_IDLE:-60}
# broker.sh's helpers are written for the tests' shell: no -e.
set +eu
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
. "$LOAXA_SRCDIR/tests/e2e/broker.sh"
LINK_PID=
trap '[ -z "$LINK_PID" ] || broker_end "$LINK_PID" TERM; broker_cleanup; rm -rf "$T"' EXIT

B=$T/broker
broker_start "$B"
P=$(broker_prefix 00001)
mkdir -p "$T/s"
cat >"$T/s/st.conf" <<CONF
station = { code = "BENCH"; name = "bench"; };
paths = { data = "$T/s/data"; };
audio = { driver = "null"; };
link = { host = "127.0.0.1"; port = $BROKER_PORT; ca_file = "$BROKER_CAFILE";
  cert_file = "$B/station-00001.crt"; key_file = "$B/station-00001.key";
  topic_prefix = "$P"; };
CONF
$LOAXA -c "$T/s/st.conf" list >/dev/null # makes the data directory and database
DB=$T/s/data/loaxa.db

# rows N DELAY_S: N airing rows with their outbox rows, DELAY_S apart, each
# committed with scheduled_at = the commit's time in ms.
rows() {
	python3 - "$DB" "$1" "$2" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
n, delay = int(sys.argv[2]), float(sys.argv[3])
if delay == 0:
    db.execute("BEGIN")
for i in range(n):
    now = int(time.time() * 1000)
    if delay:
        db.execute("BEGIN")
    cur = db.execute("INSERT INTO airings (scheduled_at, played_ms, outcome, reason)"
                     " VALUES (?, 0, 'missed', 'no content')", (now,))
    db.execute("INSERT INTO outbox (kind, ref, created_at) VALUES ('airing', ?, ?)",
               (cur.lastrowid, now))
    if delay:
        db.execute("COMMIT")
        time.sleep(delay)
if delay == 0:
    db.execute("COMMIT")
PY
}

acked() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key = '"'"'acked_through'"'"'").fetchone()[0])' \
	    "$T/s/data/link/link.db" 2>/dev/null || echo 0
}

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# Throughput.
rows "$ROWS" 0
t0=$(now_ms)
$LOAXA -c "$T/s/st.conf" link 2>"$T/link.err" &
LINK_PID=$!
while [ "$(acked)" -lt "$ROWS" ]; do
	broker_alive "$LINK_PID" || { cat "$T/link.err" >&2; exit 1; }
	sleep 0.05
done
t1=$(now_ms)
echo "link: $ROWS messages from outbox to broker (acknowledged) in $((t1 - t0)) ms: $((ROWS * 1000 / (t1 - t0 + 1))) messages/s (including the link's start and TLS connect)"

# Latency.
sub_start --as district-001 "$P/up/airing" "$T/lat.sub" -q 1 -F '%U %p'
rows 200 0.02
want=$((ROWS + 200))
while [ "$(acked)" -lt "$want" ]; do sleep 0.05; done
sleep 0.5
python3 - "$T/lat.sub" <<'PY'
import json, statistics, sys
lat = []
for line in open(sys.argv[1], encoding="utf-8"):
    t, _, body = line.partition(" ")
    m = json.loads(body)
    lat.append(float(t) * 1000 - m["scheduled_at_ms"])
lat = lat[-200:]
print("link: commit to subscriber over %d rows: median %.1f ms, max %.1f ms"
      % (len(lat), statistics.median(lat), max(lat)))
PY

# Memory, and CPU over an idle window.
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$LINK_PID/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$LINK_PID/status")
anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$LINK_PID/status")
file=$(awk '/^RssFile/ { print $2 }' "/proc/$LINK_PID/status")
ticks() { awk '{ print $14 + $15 }' "/proc/$LINK_PID/stat"; }
c0=$(ticks)
sleep "$IDLE"
c1=$(ticks)
hz=$(getconf CLK_TCK)
echo "link: resident memory $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MB (peak $((hwm / 1024)).$(((hwm % 1024) * 10 / 1024)) MB; target < 8 MB)$([ "$rss" -lt 8192 ] || echo ' OVER TARGET'): $anon kB its own (heap, stacks), $file kB pages of the program and its shared libraries"
# What the resident pages are: RSS counts every page mapped, PSS shares each
# shared page among the processes that map it (the libraries' code, which
# other processes of the machine map too).
# The link is not dumpable: only root reads its smaps.
[ "$(id -u)" -eq 0 ] ||
    echo "link: what the pages are: skipped (the link's smaps are root's to read)"
[ "$(id -u)" -ne 0 ] || python3 - "/proc/$LINK_PID/smaps" <<'PY'
import collections, os, sys
keys = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Shared_Dirty")
by = collections.defaultdict(lambda: dict.fromkeys(keys, 0))
name = None
for line in open(sys.argv[1]):
    f = line.split()
    if "-" in f[0] and len(f[0]) > 8 and ":" not in f[0]:
        path = f[5] if len(f) > 5 else "[anon]"
        name = os.path.basename(path) if path.startswith("/") else path
        if name.startswith("[heap") or name.startswith("[stack") or name == "[anon]":
            name = "[heap, stacks, anonymous]"
    elif f[0].rstrip(":") in keys:
        by[name][f[0].rstrip(":")] += int(f[1])
tot = {k: sum(v[k] for v in by.values()) for k in keys}
print("link: RSS %d kB, PSS %d kB: private dirty %d kB (its own: heap, stacks, "
      "libraries' data), private clean %d kB, shared clean %d kB (program and "
      "library pages other processes map too)"
      % (tot["Rss"], tot["Pss"], tot["Private_Dirty"], tot["Private_Clean"],
         tot["Shared_Clean"]))
for n, v in sorted(by.items(), key=lambda kv: -kv[1]["Rss"])[:8]:
    print("  %-28s RSS %5d kB  PSS %5d kB  private dirty %5d kB"
          % (n, v["Rss"], v["Pss"], v["Private_Dirty"]))
PY
echo "link: CPU over ${IDLE} s idle: $(((c1 - c0) * 1000 / hz)) ms ($(python3 -c "print('%.3f' % ($((c1 - c0)) * 100.0 / $hz / $IDLE))") %)"
