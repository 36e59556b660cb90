#!/usr/bin/env python3
"""
tests/soak/soak.py [--minutes M]: the daemon on a compressed timetable.

`loaxa run` airs a one-off slot every 5 s (4 s long, two items of 1.5-1.9 s,
through the null driver in real time) for M minutes (10: 120 slots, some 240
airings), while `loaxa status` asks it every 5 s and SIGHUP reloads its
configuration every minute. Its resident memory (VmRSS) is sampled every
10 s; the growth from the sample after the warm-up (the first minute) to
the last may not reach 1 MB. Then every airing must be logged: each slot
occurrence has its rows, every airing the daemon announced on stderr has a
row, all completed.

Needs LOAXA and LOAXA_GEN_AUDIO. Prints the figures; exits 1 on a failure.
"""
import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

TZ = "Asia/Ho_Chi_Minh"
PERIOD = 5
LENGTH = 4
ITEMS = (1.5, 1.6, 1.7, 1.8, 1.9)
WARMUP_S = 60
LIMIT_KB = 1024

LOAXA = os.environ.get("LOAXA")
GEN = os.environ.get("LOAXA_GEN_AUDIO")


def fail(msg):
    print("FAIL: soak: %s" % msg, flush=True)
    sys.exit(1)


def run(*argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(argv[:4]), p.returncode, p.stderr.strip()))
    return p.stdout


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    fail("no VmRSS for %d" % pid)


def main():
    ap = argparse.ArgumentParser(description="the loaxa daemon's soak test")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if not LOAXA or not GEN:
        sys.exit("soak: set LOAXA and LOAXA_GEN_AUDIO")
    os.environ["TZ"] = TZ
    time.tzset()
    top = tempfile.mkdtemp(prefix="loaxa-soak.", dir=os.environ.get("TMPDIR", "/tmp"))
    conf = os.path.join(top, "st.conf")
    data = os.path.join(top, "data")
    duration = a.minutes * 60
    base = int(time.time()) + 8
    nslots = int(duration // PERIOD)
    slots = []
    for k in range(nslots):
        at = time.localtime(base + k * PERIOD)
        slots.append('  { name = "S%04d"; date = "%s"; start = "%s"; length = "%ds";'
                     ' playlist = "air"; }' % (k, time.strftime("%Y-%m-%d", at),
                                               time.strftime("%H:%M:%S", at), LENGTH))
    with open(conf, "w") as f:
        f.write('station = { code = "SOAK"; name = "Đài thử bền"; timezone = "%s"; };\n' % TZ)
        f.write('paths = { data = "%s"; };\n' % data)
        f.write('audio = { driver = "null"; realtime = true; fade_ms = 300; };\n')
        f.write('playlists = ( { name = "air"; mode = "rotate"; } );\n')
        f.write("timetable = (\n%s\n);\n" % ",\n".join(slots))
    for i, s in enumerate(ITEMS):
        w = os.path.join(top, "b%d.wav" % i)
        run(GEN, "--format", "wav", "--kind", "speech", "--seconds", str(s), "--seed",
            str(i + 1), w)
        run(LOAXA, "-c", conf, "import", "--title", "Bản tin %d" % i, "--topic", "cchc",
            "--approve", "--by", "soak", w)
    err_path = os.path.join(top, "run.err")
    err = open(err_path, "w")
    d = subprocess.Popen([LOAXA, "-c", conf, "run"], stdout=subprocess.DEVNULL, stderr=err,
                         start_new_session=True)
    # The daemon answers once its control socket is there (it loads libao's
    # plugins first): wait for it rather than ask too soon.
    sock = os.path.join(data, "control.sock")
    deadline = time.time() + 10
    while not os.path.exists(sock):
        if d.poll() is not None or time.time() > deadline:
            fail("the daemon did not start: %s" % open(err_path).read())
        time.sleep(0.05)
    print("soak: %d slots of %d s every %d s for %.0f min, in %s" % (
        nslots, LENGTH, PERIOD, a.minutes, top), flush=True)
    samples = []
    t0 = time.time()
    end = base + nslots * PERIOD + 1
    last_status = last_hup = last_sample = 0
    try:
        while time.time() < end:
            now = time.time()
            if d.poll() is not None:
                fail("the daemon exited %d: %s" % (d.returncode, open(err_path).read()))
            if now - last_status >= 5:
                run(LOAXA, "-c", conf, "status", "--format", "json")
                last_status = now
            if now - last_hup >= 60 and now - t0 > 30:
                d.send_signal(signal.SIGHUP)
                last_hup = now
            if now - last_sample >= 10:
                samples.append((now - t0, rss_kb(d.pid)))
                last_sample = now
            time.sleep(0.5)
        samples.append((time.time() - t0, rss_kb(d.pid)))
        d.send_signal(signal.SIGTERM)
        if d.wait(timeout=10) != 0:
            fail("the daemon exited %d on SIGTERM" % d.returncode)
    finally:
        if d.poll() is None:
            os.killpg(d.pid, signal.SIGKILL)
            d.wait()
        err.close()

    warm = [kb for t, kb in samples if t >= WARMUP_S]
    if len(warm) < 2:
        fail("the run is too short to sample after a %d s warm-up" % WARMUP_S)
    growth = warm[-1] - warm[0]
    print("soak: VmRSS %d kB after the warm-up, %d kB at the end (growth %+d kB,"
          " limit %d); min %d, max %d over %d samples" % (
              warm[0], warm[-1], growth, LIMIT_KB, min(warm), max(warm), len(warm)),
          flush=True)

    db = sqlite3.connect(os.path.join(data, "loaxa.db"))
    rows = db.execute("SELECT slot, slot_start, scheduled_at, started_at, outcome, reason"
                      " FROM airings").fetchall()
    db.close()
    started = [r for r in rows if r[3] is not None]
    announced = sum(1 for line in open(err_path) if "on air: '" in line)
    occ = {(r[0], r[1]) for r in rows}
    missing = [k for k in range(nslots) if ("S%04d" % k, (base + k * PERIOD) * 1000)
               not in occ]
    bad = [r for r in rows if r[4] != "completed"]
    late = [r[3] - r[2] for r in started]
    print("soak: %d airings logged for %d slots, %d announced by the daemon;"
          " lateness median %d ms, max %d ms; %d not completed" % (
              len(started), nslots, announced, statistics.median(late) if late else 0,
              max(late) if late else 0, len(bad)), flush=True)
    problems = []
    if growth >= LIMIT_KB:
        problems.append("resident memory grew by %d kB" % growth)
    if missing:
        problems.append("slots without a row: %s" % missing[:10])
    if announced != len(started):
        problems.append("%d airings announced, %d logged" % (announced, len(started)))
    if bad:
        problems.append("airings not completed: %s" % bad[:5])
    if len(started) < nslots:
        problems.append("fewer airings (%d) than slots (%d)" % (len(started), nslots))
    errors = [line.strip() for line in open(err_path) if "error" in line.lower()]
    if errors:
        problems.append("the daemon reported errors: %s" % errors[:5])
    if problems:
        fail("; ".join(problems) + " (work directory %s)" % top)
    print("soak: passed", flush=True)
    if not a.keep:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
