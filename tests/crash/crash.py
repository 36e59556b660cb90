#!/usr/bin/env python3
"""
tests/crash/crash.py [--kills N] [--seed S] [--keep]: the power-cut loop.

The real `loaxa run` daemon airs a compressed timetable (a one-off slot every
3 s, 2 s long, two items of 1.05-1.25 s in each, through the null or the wav
driver in real time) while `loaxa import --approve` adds generated audio
beside it. At random moments (most of the daemon's inside an airing, most of
an import's late, where the file is stored and the row committed) SIGKILL
hits the daemon, an import, or both at once (a power cut), until N kills
have landed on a running process. After each kill:

  - PRAGMA integrity_check is ok on the database exactly as the kill left it
    (a copy of loaxa.db and its WAL, checked with the sqlite3 CLI);
  - every airing row seen before the kill is still there, unchanged but for
    an outcome that may only move from 'playing' to a final one (and
    played_ms that only grows);
  - the library and its files agree: an import is all there (row, approval,
    audit trail, intact file) or not at all, `loaxa verify-library` exits 0,
    a file without a row is only ever the content of a killed import, and no
    temporary file of a dead import survives the next start of the library;
  - the restarted daemon recovers: the row the kill left 'playing' becomes
    interrupted ('power loss') with what its last heartbeat recorded, and
    every slot that began and ended while the controller was off is logged
    missed ('controller off').

At the end the killed imports are retried (each must reuse what it left), the
daemon stops with SIGTERM, and the whole log is checked: no row left open,
every slot occurrence has a row, no two airings overlap (no double airing),
and the daemons never failed to write the log.

Needs LOAXA (the binary) and LOAXA_GEN_AUDIO; python3 and sqlite3. Prints one
line per kill and a summary; exits 1 on the first broken promise.
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TZ = "Asia/Ho_Chi_Minh"
PERIOD = 3      # a slot starts every PERIOD seconds
LENGTH = 2      # and lasts LENGTH seconds (an item may end 0.5 s after)
AIR_SECONDS = (1.05, 1.15, 1.25)  # two fit in a slot: on air 70% of the time
READY_S = 20    # how long a daemon may take to answer its first status

LOAXA = os.environ.get("LOAXA")
GEN = os.environ.get("LOAXA_GEN_AUDIO")


class Broken(Exception):
    """A promise the controller did not keep."""


def say(msg):
    print(msg, flush=True)


def run(*argv, check=True):
    """Runs a command, returning (rc, stdout, stderr)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    if check and p.returncode != 0:
        raise Broken("%s exited %d: %s" % (" ".join(argv[:4]), p.returncode,
                                           p.stderr.strip()))
    return p.returncode, p.stdout, p.stderr


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def group(pgid):
    """The live processes (not zombies) of process group pgid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(d))
    return out


AIRING_COLS = ("id, bulletin_id, sha256, slot, slot_start, priority, scheduled_at,"
               " started_at, ended_at, played_ms, outcome, reason")
FINAL = ("completed", "interrupted", "failed", "missed", "skipped")
FIXED = ("bulletin_id", "sha256", "slot", "slot_start", "priority", "scheduled_at",
         "started_at")


def airings(db):
    """Every airing row of the database at db, by id."""
    c = sqlite3.connect(db, timeout=30)
    try:
        c.row_factory = sqlite3.Row
        return {r["id"]: dict(r) for r in c.execute("SELECT %s FROM airings" % AIRING_COLS)}
    finally:
        c.close()


def query(db, sql, *args):
    c = sqlite3.connect(db, timeout=30)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


class Station:
    def __init__(self, top, kills, rng):
        self.top = top
        self.data = os.path.join(top, "data")
        self.db = os.path.join(self.data, "loaxa.db")
        self.files = os.path.join(self.data, "bulletins")
        self.rng = rng
        self.kills = kills
        self.seen = {}          # airing id -> the row as last seen
        self.daemon = None
        self.daemon_err = None
        self.daemon_n = 0
        self.nslots = kills * 2 + 40
        self.base = int(time.time()) + 6
        self.import_n = 0
        self.import_times = []
        self.killed_imports = {}  # sha256 -> file, imports a kill cut short
        self.committed = set()    # sha256 of every import that is in the library
        self.stats = dict(daemon=0, on_air=0, recovered=0, powercut=0, imports=0,
                          import_committed=0, import_finished=0, temps=0,
                          orphans=0, off_slots=0, reused=0, fading=0)

    # --- set-up -------------------------------------------------------------

    def conf(self, driver):
        return os.path.join(self.top, "%s.conf" % driver)

    def write_configs(self):
        slots = []
        for k in range(self.nslots):
            at = time.localtime(self.base + k * PERIOD)
            slots.append('  { name = "K%04d"; date = "%s"; start = "%s"; length = "%ds";'
                         ' playlist = "air"; }' % (k, time.strftime("%Y-%m-%d", at),
                                                   time.strftime("%H:%M:%S", at), LENGTH))
        for driver in ("null", "wav"):
            with open(self.conf(driver), "w") as f:
                f.write('station = { code = "CRASH"; name = "Đài thử mất điện";'
                        ' timezone = "%s"; };\n' % TZ)
                f.write('paths = { data = "%s"; };\n' % self.data)
                f.write('audio = { driver = "%s"; file = "%s/out.wav"; realtime = true;'
                        ' fade_ms = 200; };\n' % (driver, self.top))
                f.write('playlists = ( { name = "air"; mode = "rotate";'
                        ' topics = [ "cchc" ]; } );\n')
                f.write("timetable = (\n%s\n);\n" % ",\n".join(slots))

    def setup(self):
        self.write_configs()
        run(LOAXA, "-c", self.conf("null"), "check")
        for i, s in enumerate(AIR_SECONDS):
            f = os.path.join(self.top, "air%d.wav" % i)
            run(GEN, "--format", "wav", "--kind", "speech", "--seconds", str(s),
                "--seed", str(i + 1), f)
            run(LOAXA, "-c", self.conf("null"), "import", "--title", "Bản tin %d" % i,
                "--topic", "cchc", "--approve", "--by", "crash", f)
            self.committed.add(sha256(f))

    def slot_times(self):
        """(name, start, end) of every slot, in seconds since the epoch."""
        return [("K%04d" % k, self.base + k * PERIOD, self.base + k * PERIOD + LENGTH)
                for k in range(self.nslots)]

    # --- the daemon ---------------------------------------------------------

    def start_daemon(self):
        """Starts `loaxa run` on the null or wav driver; returns when it answers."""
        self.daemon_n += 1
        driver = self.rng.choice(("null", "null", "wav"))
        self.daemon_err = os.path.join(self.top, "run%04d.err" % self.daemon_n)
        with open(self.daemon_err, "w") as err:
            # Its own process group: the players it forks are found by it.
            self.daemon = subprocess.Popen([LOAXA, "-c", self.conf(driver), "run"],
                                           stdout=subprocess.DEVNULL, stderr=err,
                                           start_new_session=True)
        t0 = time.time()
        while time.time() - t0 < READY_S:
            if self.daemon.poll() is not None:
                raise Broken("the daemon exited %d at start: %s" % (
                    self.daemon.returncode, open(self.daemon_err).read()))
            rc, _, _ = run(LOAXA, "-c", self.conf("null"), "status", check=False)
            if rc == 0:
                return
            time.sleep(0.05)
        raise Broken("the daemon did not answer within %d s" % READY_S)

    def kill_daemon(self, wait_player):
        """
        SIGKILL. A power cut takes the player with it: then wait until it
        has followed its daemon. A crash of the daemon alone leaves the player
        fading out while the daemon restarts: then do not wait.
        """
        pgid = self.daemon.pid
        os.kill(self.daemon.pid, signal.SIGKILL)
        self.daemon.wait()
        self.daemon = None
        t0 = time.time()
        while group(pgid):
            if not wait_player:
                self.stats["fading"] += 1
                return
            if time.time() - t0 > 5:
                raise Broken("the player outlived its daemon by 5 s: %s" % group(pgid))
            time.sleep(0.05)

    # --- checks -------------------------------------------------------------

    def merge(self, rows, when):
        """Checks rows against every row seen before, then remembers them."""
        for i, old in self.seen.items():
            new = rows.get(i)
            if new is None:
                raise Broken("%s: airing row %d is gone (it was %s)" % (when, i, old))
            for k in FIXED:
                if new[k] != old[k]:
                    raise Broken("%s: airing row %d changed %s: %r -> %r" % (
                        when, i, k, old[k], new[k]))
            if old["outcome"] != "playing" and (
                    new["outcome"], new["reason"], new["ended_at"], new["played_ms"]) != (
                    old["outcome"], old["reason"], old["ended_at"], old["played_ms"]):
                raise Broken("%s: airing row %d was final (%s) and changed: %s" % (
                    when, i, old, new))
            if new["played_ms"] < old["played_ms"]:
                raise Broken("%s: airing row %d played_ms went back %d -> %d" % (
                    when, i, old["played_ms"], new["played_ms"]))
        for r in rows.values():
            if r["outcome"] not in FINAL + ("playing",):
                raise Broken("%s: row %d has outcome %r" % (when, r["id"], r["outcome"]))
        self.seen = rows

    def integrity(self, db, when):
        rc, out, err = run("sqlite3", db, "PRAGMA integrity_check", check=False)
        if rc != 0 or out.strip() != "ok":
            raise Broken("%s: integrity_check: %s %s" % (when, out.strip(), err.strip()))

    def crash_image(self, when):
        """Checks the database as the kill left it, on a copy; returns its rows."""
        img = os.path.join(self.top, "img")
        shutil.rmtree(img, ignore_errors=True)
        os.mkdir(img)
        for suffix in ("", "-wal"):
            if os.path.exists(self.db + suffix):
                shutil.copyfile(self.db + suffix, os.path.join(img, "loaxa.db" + suffix))
        self.integrity(os.path.join(img, "loaxa.db"), when)
        rows = airings(os.path.join(img, "loaxa.db"))
        self.merge(rows, when)
        return rows

    def library(self, when):
        """The library and its files agree; returns the files without a row."""
        rc, out, err = run(LOAXA, "-c", self.conf("null"), "verify-library", check=False)
        if rc != 0:
            raise Broken("%s: verify-library exited %d: %s %s" % (when, rc, out, err))
        rows = query(self.db, "SELECT b.sha256, b.file, b.status, b.approved_sha256,"
                     " (SELECT group_concat(action) FROM bulletin_events e"
                     " WHERE e.bulletin_id = b.id) FROM bulletins b")
        known = set()
        for sha, rel, status, approved, actions in rows:
            known.add(os.path.basename(rel))
            if status != "approved" or approved != sha or actions != "import,approve":
                raise Broken("%s: bulletin %s is half imported: %s %s %s" % (
                    when, sha[:12], status, approved, actions))
            if sha256(os.path.join(self.data, rel)) != sha:
                raise Broken("%s: %s does not hash to its row" % (when, rel))
            self.committed.add(sha)
        lost = self.committed - {r[0] for r in rows}
        if lost:
            raise Broken("%s: imported bulletins vanished: %s" % (when, sorted(lost)))
        stray = []
        for name in os.listdir(self.files):
            if name in known:
                continue
            if name.startswith(".tmp-"):
                raise Broken("%s: the temporary file %s of a dead import is still"
                             " there after verify-library" % (when, name))
            if name.split(".")[0] not in self.killed_imports:
                raise Broken("%s: %s has no row and no killed import made it" % (
                    when, name))
            stray.append(name)
        return stray

    # --- one kill -----------------------------------------------------------

    def new_import_file(self):
        """A file a killed import left to retry, or a new one."""
        if self.killed_imports and self.rng.random() < 0.5:
            sha = self.rng.choice(sorted(self.killed_imports))
            return self.killed_imports[sha], sha
        self.import_n += 1
        fmt = self.rng.choice(("wav", "wav", "flac", "mp3"))
        f = os.path.join(self.top, "imp%04d.%s" % (self.import_n, fmt))
        run(GEN, "--format", fmt, "--kind", "speech", "--seconds",
            str(self.rng.randint(4, 20)), "--seed", str(1000 + self.import_n), f)
        return f, sha256(f)

    def start_import(self):
        f, sha = self.new_import_file()
        p = subprocess.Popen([LOAXA, "-c", self.conf("null"), "import", "--title",
                              os.path.basename(f), "--topic", "tthc", "--approve",
                              "--by", "crash", f],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return p, f, sha, time.time()

    def import_delay(self):
        est = sorted(self.import_times)[len(self.import_times) // 2] \
            if self.import_times else 0.3
        if self.rng.random() < 0.5:
            return self.rng.uniform(0, est * 1.3)
        return self.rng.uniform(est * 0.75, est * 1.05)

    def end_import(self, p, f, sha, t0, killed):
        """After the import's end: what it left, and whether a kill cut it."""
        if not killed:
            out, err = p.communicate()
            if p.returncode != 0:
                raise Broken("import of %s exited %d: %s" % (f, p.returncode, err))
            if sha in self.killed_imports:
                self.stats["reused"] += 1
                del self.killed_imports[sha]
            self.committed.add(sha)
            self.stats["import_finished"] += 1
            return "finished before the kill"
        p.communicate()
        left = [n for n in os.listdir(self.files) if n.startswith(".tmp-")]
        self.stats["temps"] += len(left)
        if query(self.db, "SELECT 1 FROM bulletins WHERE sha256 = ?", sha):
            self.stats["import_committed"] += 1
            self.killed_imports.pop(sha, None)
            self.committed.add(sha)
            return "committed" + (", %d temp file" % len(left) if left else "")
        self.killed_imports[sha] = f
        return "not committed" + (", %d temp file" % len(left) if left else "")

    def daemon_moment(self):
        """Waits for a random moment: mostly one inside an airing."""
        if self.rng.random() < 0.3:
            time.sleep(self.rng.uniform(0.0, PERIOD))
            return
        t0 = time.time()
        while time.time() - t0 < 2 * PERIOD:
            if query(self.db, "SELECT 1 FROM airings WHERE outcome = 'playing'"):
                break
            time.sleep(0.02)
        time.sleep(self.rng.uniform(0.0, max(AIR_SECONDS)))

    def kill_once(self, n):
        kind = self.rng.choices(("daemon", "import", "both"), (45, 40, 15))[0]
        t_start = time.time()
        imp = None
        if kind != "import":
            self.daemon_moment()
        if kind != "daemon":
            imp = self.start_import()
            until = time.time() + self.import_delay()
            while time.time() < until and imp[0].poll() is None:
                time.sleep(0.002)
            if imp[0].poll() is not None:
                self.import_times.append(time.time() - imp[3])
        if kind != "import":
            before = airings(self.db)
            self.merge(before, "before kill %d" % n)
        t_kill = time.time()
        killed_import = False
        if imp is not None and imp[0].poll() is None:
            imp[0].kill()
            killed_import = True
        if kind != "import":
            self.kill_daemon(kind == "both" or self.rng.random() < 0.7)
        landed = (kind != "import") or killed_import
        what = []
        if imp is not None:
            msg = self.end_import(*imp, killed=killed_import)
            what.append("import %s" % msg)
            if killed_import:
                self.stats["imports"] += 1
        if kind == "import":
            self.integrity(self.db, "after import kill %d" % n)
            self.merge(airings(self.db), "after import kill %d" % n)
        else:
            what.insert(0, self.recover(n, t_kill))
            if kind == "both":
                self.stats["powercut"] += 1
        stray = self.library("after kill %d" % n)
        if stray:
            self.stats["orphans"] = max(self.stats["orphans"], len(stray))
            what.append("%d file%s without a row" % (len(stray), "" if len(stray) == 1
                                                     else "s"))
        if landed:
            say("kill %d/%d (%s, %.1f s): %s" % (n, self.kills, kind, time.time() - t_start,
                                                 "; ".join(what)))
        return landed

    def recover(self, n, t_kill):
        """After the daemon's kill: the crash image, a restart, its recovery."""
        self.stats["daemon"] += 1
        when = "kill %d" % n
        image = self.crash_image("crash image of " + when)
        open_rows = {i: r for i, r in image.items() if r["outcome"] == "playing"}
        if len(open_rows) > 1:
            raise Broken("%s: %d rows open at once" % (when, len(open_rows)))
        if open_rows:
            self.stats["on_air"] += 1
        # Now and then the controller stays off until a whole slot has passed.
        if self.rng.random() < 0.12:
            nxt = min(start for _, start, _ in self.slot_times() if start > t_kill + 0.1)
            time.sleep(max(0.0, nxt + LENGTH + self.rng.uniform(0.1, 1.0) - time.time()))
        t_restart = time.time()
        self.start_daemon()
        rows = airings(self.db)
        self.merge(rows, "after the restart of " + when)
        err = open(self.daemon_err).read()
        for i, old in open_rows.items():
            r = rows[i]
            if (r["outcome"], r["reason"]) != ("interrupted", "power loss") or \
                    r["ended_at"] is None or r["played_ms"] != old["played_ms"]:
                raise Broken("%s: row %d was not recovered: %s" % (when, i, r))
            if "recovered 1 airing" not in err:
                raise Broken("%s: no recovery message: %s" % (when, err))
            self.stats["recovered"] += 1
        for r in rows.values():
            if r["outcome"] == "playing" and r["started_at"] < t_restart * 1000:
                raise Broken("%s: row %d still open after the restart" % (when, r["id"]))
        off = 0
        for name, start, end in self.slot_times():
            if start > t_kill + 0.05 and end < t_restart - 0.05:
                hit = [r for r in rows.values() if r["slot"] == name and
                       r["slot_start"] == start * 1000]
                if not any(r["outcome"] == "missed" and r["reason"] == "controller off"
                           for r in hit):
                    raise Broken("%s: slot %s passed while off but is logged %s" % (
                        when, name, hit))
                off += 1
        self.stats["off_slots"] += off
        msg = "daemon %s" % ("on air (row %d, %d ms played), recovered" % (
            min(open_rows), open_rows[min(open_rows)]["played_ms"]) if open_rows else
                             "between airings")
        if off:
            msg += ", %d slot%s missed (controller off)" % (off, "" if off == 1 else "s")
        return msg

    # --- the end ------------------------------------------------------------

    def finish(self):
        """Retries the killed imports, stops the daemon, checks the whole log."""
        for sha, f in sorted(self.killed_imports.items()):
            rc, out, err = run(LOAXA, "-c", self.conf("null"), "import", "--title",
                               os.path.basename(f), "--topic", "tthc", "--approve",
                               "--by", "crash", f, check=False)
            if rc != 0:
                raise Broken("retrying the killed import of %s: %s" % (f, err))
            self.stats["reused"] += 1
            self.committed.add(sha)
        self.killed_imports = {}
        self.daemon.send_signal(signal.SIGTERM)
        if self.daemon.wait(timeout=10) != 0:
            raise Broken("the daemon exited %d on SIGTERM" % self.daemon.returncode)
        t_stop = time.time()
        self.integrity(self.db, "at the end")
        rows = airings(self.db)
        self.merge(rows, "at the end")
        if self.library("at the end"):
            raise Broken("files without a row remain after every import was retried")
        bad = [r for r in rows.values() if r["outcome"] == "playing"]
        if bad:
            raise Broken("rows left open: %s" % bad)
        occ = {(r["slot"], r["slot_start"]) for r in rows.values()}
        last = None
        for name, start, end in self.slot_times():
            if end < t_stop - 1 and (name, start * 1000) not in occ:
                raise Broken("slot %s at %d has no row" % (name, start))
            if end < t_stop - 1:
                last = name
        played = sorted((r for r in rows.values() if r["started_at"] is not None),
                        key=lambda r: r["started_at"])
        for a, b in zip(played, played[1:]):
            if b["started_at"] < a["ended_at"] - 50:
                raise Broken("airings %d and %d overlap (double airing?)" % (a["id"],
                                                                             b["id"]))
        for i in range(1, self.daemon_n + 1):
            with open(os.path.join(self.top, "run%04d.err" % i)) as f:
                for line in f:
                    if "airing log:" in line:
                        raise Broken("run %d could not write the log: %s" % (i, line))
        out = {}
        for r in rows.values():
            out[r["outcome"]] = out.get(r["outcome"], 0) + 1
        return len(rows), out, last


def main():
    ap = argparse.ArgumentParser(description="SIGKILL loop over loaxa run and import")
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if not LOAXA or not GEN:
        sys.exit("crash: set LOAXA and LOAXA_GEN_AUDIO")
    for tool in ("sqlite3",):
        if shutil.which(tool) is None:
            sys.exit("crash: %s is needed (tools/deps installs it)" % tool)
    seed = a.seed if a.seed is not None else int(time.time())
    # SIGTERM (a timeout) still stops the daemon this started, through finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["TZ"] = TZ
    time.tzset()
    top = tempfile.mkdtemp(prefix="loaxa-crash.", dir=os.environ.get("TMPDIR", "/tmp"))
    st = Station(top, a.kills, random.Random(seed))
    say("crash: %d kills, seed %d, in %s" % (a.kills, seed, top))
    t0 = time.time()
    ok = False
    try:
        st.setup()
        st.start_daemon()
        n = 0
        while n < a.kills:
            if st.kill_once(n + 1):
                n += 1
            if time.time() > st.base + st.nslots * PERIOD - 10:
                raise Broken("the run outlasted its timetable")
        nrows, outcomes, last = st.finish()
        s = st.stats
        say("crash: %d kills survived in %.0f s: %d of the daemon (%d on air, %d rows"
            " recovered as power loss, %d slots missed while off; %d restarts while"
            " the old player still faded out; %d with an import, a power cut), %d of"
            " imports (%d had committed; %d temporary files"
            " left and cleaned; up to %d stored files without a row at once; %d killed"
            " imports retried, reusing what they left);"
            " %d imports finished before their kill; log: %d rows %s" % (
                n, time.time() - t0, s["daemon"], s["on_air"], s["recovered"],
                s["off_slots"], s["fading"], s["powercut"], s["imports"], s["import_committed"],
                s["temps"], s["orphans"], s["reused"], s["import_finished"], nrows,
                ", ".join("%s %d" % kv for kv in sorted(outcomes.items()))))
        ok = True
    except Broken as e:
        say("FAIL: %s (seed %d, work directory %s)" % (e, seed, top))
    finally:
        if st.daemon is not None and st.daemon.poll() is None:
            os.killpg(st.daemon.pid, signal.SIGKILL)
            st.daemon.wait()
        if ok and not a.keep:
            shutil.rmtree(top, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
