"""Stream servers and probes for the relay tests and bench/relay.sh, on 127.0.0.1 only.

  streams.py port [N]                  prints N (1) free TCP ports, one a line
  streams.py probe PORT PATH           exit 0 when GET PATH answers 200 (an
                                       Icecast mount is up)
  streams.py live PORT FILE RATE [--t0 EPOCH] [--cut-at EPOCH --cut-file F]
                                       a live station: FILE (MP3, looped) at
                                       RATE bytes/s; every connection gets it
                                       from where the programme is now
                                       ((now - t0) * RATE), with 2 s at once
                                       as a burst; at --cut-at every
                                       connection open is closed, and the
                                       first close's instant (ms) is written
                                       to --cut-file; later ones are served
  streams.py fast PORT FILE LOOPS      FILE (raw MP3 frames) LOOPS times
                                       over, as fast as the client reads: a
                                       long programme in less than its time
  streams.py head PORT                 an HTTP header, then nothing (each
                                       connection held 60 s)
  streams.py junk PORT                 an HTTP header, then 1 MiB of random
                                       bytes
  streams.py tones WAV HZ... [--tags LETTERS]
                                       the tones heard in WAV (its first
                                       channel), a quarter second at a time,
                                       by zero crossings: "sequence: T@s ..."
                                       (T: the tone's letter, - for silence or
                                       something else) and the tags in order
                                       ("RFR"); tone_runs() does it for a
                                       script that imports this file

Every server ends by itself after 180 s (--for S to change it).
"""
import os
import socket
import struct
import sys
import threading
import time

HEAD = b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n"


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def listen(port, lifetime, talk):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    deadline = time.time() + lifetime
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            c, _ = s.accept()
        except OSError:
            continue
        threading.Thread(target=talk, args=(c,), daemon=True).start()


def option(args, name, default=None):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def live(args, lifetime):
    t0 = float(option(args, "--t0", time.time()))
    cut_at = float(option(args, "--cut-at", 0))
    cut_file = option(args, "--cut-file")
    port, path, rate = int(args[0]), args[1], int(args[2])
    data = open(path, "rb").read()

    def talk(c):
        try:
            c.settimeout(5)
            c.recv(4096)
            c.sendall(HEAD)
            start = time.time()
            pos = int(max(0.0, start - t0) * rate) // 4096 * 4096
            sent = 0
            while True:
                now = time.time()
                if cut_at and start < cut_at <= now:
                    if cut_file and not os.path.exists(cut_file):
                        with open(cut_file, "w") as f:
                            f.write("%d" % int(now * 1000))
                    break
                ahead = sent - (now - start) * rate - 2 * rate
                if ahead > 0:
                    time.sleep(min(ahead / rate, 0.1))
                    continue
                at = (pos + sent) % len(data)
                chunk = data[at:at + 4096]
                c.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        c.close()

    listen(port, lifetime, talk)


def fixed(port, reply, hold, lifetime):
    def talk(c):
        try:
            c.settimeout(5)
            c.recv(4096)
            c.sendall(reply)
            time.sleep(hold)
        except OSError:
            pass
        c.close()

    listen(port, lifetime, talk)


def fast(port, path, loops, lifetime):
    data = open(path, "rb").read()

    def talk(c):
        try:
            c.settimeout(30)
            c.recv(4096)
            c.sendall(HEAD)
            for _ in range(loops):
                c.sendall(data)
        except OSError:
            pass
        c.close()

    listen(port, lifetime, talk)


def probe(port, path):
    try:
        s = socket.create_connection(("127.0.0.1", port), 1)
        s.settimeout(1)
        s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n\r\n")
        return b" 200 " in s.recv(64)
    except OSError:
        return False


def wav_first_channel(path):
    b = open(path, "rb").read()
    at, rate, ch, data = 12, 0, 0, None
    while at + 8 <= len(b):
        cid, size = b[at:at + 4], struct.unpack("<I", b[at + 4:at + 8])[0]
        if cid == b"fmt ":
            ch, rate = struct.unpack("<HI", b[at + 10:at + 16])
        elif cid == b"data":
            raw = b[at + 8:at + 8 + size]
            data = struct.unpack("<%dh" % (len(raw) // 2), raw[:len(raw) // 2 * 2])[::ch]
        at += 8 + size + (size & 1)
    return rate, data


def tone_runs(path, hz, letters):
    """The runs of tones in path, a quarter second at a time: [tag, start s,
    quarters] for each (tag: the letter of the tone in hz, "-" for silence or
    something else), and the tags in order, runs of one quarter left out."""
    rate, data = wav_first_channel(path)
    if not data:
        sys.exit("no audio in " + path)
    seq = []
    q = rate // 4
    for start in range(0, len(data) - q, q):
        win = data[start:start + q]
        tag = "-"
        if max(abs(v) for v in win) >= 300:
            cross = sum(1 for a, b in zip(win, win[1:]) if (a < 0) != (b < 0))
            f = cross / 2 / 0.25
            for i, h in enumerate(hz):
                if abs(f - h) < max(40, h * 0.06):
                    tag = letters[i]
        if not seq or seq[-1][0] != tag:
            seq.append([tag, start / rate, 0])
        seq[-1][2] += 1
    tags = ""
    for t, _, n in seq:
        if t != "-" and n >= 2 and not tags.endswith(t):
            tags += t
    return seq, tags


def tones(args):
    letters = option(args, "--tags")
    path, hz = args[0], [float(x) for x in args[1:]]
    letters = letters or "".join(chr(ord("A") + i) for i in range(len(hz)))
    seq, tags = tone_runs(path, hz, letters)
    print("sequence:", " ".join("%s@%.2f" % (t, s) for t, s, _ in seq))
    print("tags:", tags)


def main():
    args = sys.argv[1:]
    lifetime = float(option(args, "--for", 180))
    what = args.pop(0)
    if what == "port":
        print("\n".join(str(p) for p in free_ports(int(args[0]) if args else 1)))
    elif what == "probe":
        sys.exit(0 if probe(int(args[0]), args[1]) else 1)
    elif what == "live":
        live(args, lifetime)
    elif what == "fast":
        fast(int(args[0]), args[1], int(args[2]), lifetime)
    elif what == "head":
        fixed(int(args[0]), HEAD, 60, lifetime)
    elif what == "junk":
        fixed(int(args[0]), HEAD + os.urandom(1 << 20), 1, lifetime)
    elif what == "tones":
        tones(args)
    else:
        sys.exit("streams.py: unknown command " + what)


if __name__ == "__main__":
    main()
