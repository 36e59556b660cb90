# What keeps a station's controls, keys and disk to itself:
#  A. the control socket: the data directory (0750) and the socket (0660)
#     keep other users out, and behind them the daemon's own check of the
#     peer's credentials (SO_PEERCRED, SO_PEERGROUPS) refuses whoever got
#     through; members of the daemon's group, primary or supplementary, in;
#  B. under a permissive umask (000): secret keys 0600, never overwritten,
#     never half written; nothing in the data directory open to others;
#  C. packages: entry count, entry size, file size, names and free space
#     are checked before anything is written; a refused package leaves
#     nothing behind, in the library or on disk.
# Tests run as root; other users are played with setpriv. The parts that need
# root (or a tmpfs mount) say so and are skipped without.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
command -v python3 >/dev/null || fail "python3 is needed to craft packages"
umask 000
# The temp dir is 0700; others must reach the station's directory to knock.
chmod 0755 "$T"

# modeis MODE PATH...: each path has exactly that mode (octal, as stat %a).
modeis() {
	m=$1
	shift
	for p in "$@"; do
		CHECKS=$((CHECKS + 1))
		[ "$(stat -c %a "$p")" = "$m" ] || fail "$p: mode $(stat -c %a "$p"), not $m"
	done
}

"$LOAXA" key generate --out district.key >/dev/null 2>&1 || fail "key generate"
cat >st.conf <<EOF
station = { code = "SEC-TT"; name = "Đài thử"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; realtime = false; };
trust = { districts = ( { name = "Huyện"; key = "$(cat district.key.pub)"; auto_approve = true; } ); };
EOF
# Written under umask 000: a configuration anyone may change is refused.
chmod 0644 st.conf
"$G" --format wav --kind speech --seconds 2 --seed 1 b1.wav >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf import --topic cchc --approve --by "Admin" b1.wav
expect_rc 0

# --- A. The control socket. -------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "security: control socket part skipped: needs root and setpriv"
else
	# A python3 that another user may run (not one under /root).
	PY=/usr/bin/python3
	[ -x $PY ] || PY=$(command -v python3)
	cat >knock.py <<'EOF'
# knock.py SOCKET REQUEST: one request; prints the answer's first line, or
# "connect: REASON" (exit 10).
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect:", e.strerror)
    sys.exit(10)
try:
    s.sendall((sys.argv[2] + "\n").encode())
except BrokenPipeError:
    pass  # refused at once: the answer is waiting
print(s.recv(4096).decode().split("\n")[0])
EOF
	# as ID_ARGS...: runs knock.py as nobody with those groups.
	knock() {
		req=$1
		shift
		run setpriv --reuid=65534 "$@" $PY "$T/knock.py" "$T/data/control.sock" "$req"
	}
	"$LOAXA" -c st.conf run --for 30s >run.out 2>run.err &
	pid=$!
	trap 'kill -TERM $pid 2>/dev/null; rm -rf "$T"' EXIT
	n=0
	until [ -S data/control.sock ]; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "no control socket: $(cat run.err)"
		sleep 0.1
	done
	modeis 750 data
	modeis 660 data/control.sock
	# The data directory keeps others out.
	knock status --regid=65534 --clear-groups
	expect_rc 10; expect_out "connect: Permission denied"
	# Past the directory, the socket's own mode does.
	chmod 0751 data
	knock status --regid=65534 --clear-groups
	expect_rc 10; expect_out "connect: Permission denied"
	# With both opened up, the daemon checks who is calling and refuses,
	# and what a refused client asked for is not done.
	chmod 0666 data/control.sock
	knock status --regid=65534 --clear-groups
	expect_rc 0; expect_out "1 refused: not allowed to control this station"
	knock "play 1 emergency" --regid=65534 --groups=65533,65532
	expect_rc 0; expect_out "1 refused"
	CHECKS=$((CHECKS + 1))
	grep -q "refused a client (uid 65534, gid 65534)" run.err ||
	    fail "the refusal was not logged: $(cat run.err)"
	sleep 0.5
	run "$LOAXA" -c st.conf log --format csv
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "a refused client's play aired: $OUT"
	CHECKS=$((CHECKS + 1))
	# loaxa's own client shows the refusal (the daemon answers before it
	# reads, so the connection is reset behind the answer: 10 tries).
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$LOAXA" -c st.conf status
		expect_rc 1; expect_err "loaxa status: refused: not allowed to control this station"
	done
	# The daemon's group may: as the primary group or a supplementary one.
	knock status --regid=0 --clear-groups
	expect_rc 0; expect_out "0 ok"
	knock status --regid=65534 --groups=0
	expect_rc 0; expect_out "0 ok"
	# More supplementary groups than the first buffer holds.
	knock status --regid=65534 --groups="$(seq -s, 1000 1080),0"
	expect_rc 0; expect_out "0 ok"
	chmod 0660 data/control.sock
	chmod 0750 data
	kill -TERM $pid
	wait $pid
	trap 'rm -rf "$T"' EXIT
fi

# --- A2. The running daemon is closed to its own user's other processes. ----
# The station link and the web console run as the daemon's user: whatever
# takes one over must not read or trace the daemon through /proc (its
# memory, its open files, its view of the disk by /proc/PID/root). The
# daemon runs here as nobody, started from a shell (as a service manager's
# child would be, dumpable unless it says otherwise), and another process of
# nobody's looks.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "security: /proc part skipped: needs root and setpriv"
else
	mkdir -p n
	chmod 0755 n
	sed -e 's|code = "SEC-TT"|code = "SEC-N"|' -e "s|$T/data|$T/n/data|" st.conf >n/st.conf
	chmod 0644 n/st.conf
	chown -R 65534:65534 n
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	asnobody sh -c "'$LOAXA' -c '$T/n/st.conf' run --for 20s >'$T/n/run.out' 2>'$T/n/run.err' & echo \$! >'$T/n/pid'; wait"  &
	npid=
	n=0
	until [ -S n/data/control.sock ] && [ -s n/pid ]; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "no daemon as nobody: $(cat n/run.err)"
		sleep 0.1
	done
	npid=$(cat n/pid)
	trap 'kill -TERM $npid 2>/dev/null; rm -rf "$T"' EXIT
	# The process is there to be looked at, and the looker can see its own.
	asnobody sh -c "head -c 1 /proc/self/environ" >/dev/null 2>&1 ||
	    fail "nobody cannot read its own /proc/self/environ"
	grep -q "^Uid:.65534" /proc/$npid/status || fail "the daemon is not nobody's"
	for f in environ maps; do
		CHECKS=$((CHECKS + 1))
		if asnobody head -c 1 /proc/$npid/$f >/dev/null 2>&1; then
			fail "another process of the daemon's user reads /proc/$npid/$f"
		fi
	done
	for d in root fd; do
		CHECKS=$((CHECKS + 1))
		if asnobody ls /proc/$npid/$d/ >/dev/null 2>&1; then
			fail "another process of the daemon's user lists /proc/$npid/$d"
		fi
	done
	kill -TERM "$npid"
	n=0
	while kill -0 "$npid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	trap 'rm -rf "$T"' EXIT
fi

# --- B. Keys and modes under umask 000. -------------------------------------
modeis 600 district.key
modeis 644 district.key.pub
sum=$(sha256sum district.key district.key.pub)
run "$LOAXA" key generate --out district.key
expect_rc 1; expect_err "district.key: already exists; a key is never overwritten"
CHECKS=$((CHECKS + 1))
[ "$(sha256sum district.key district.key.pub)" = "$sum" ] || fail "a key was overwritten"
# Only the public half is in the way: no secret key without its public key.
echo "stale" >half.key.pub
run "$LOAXA" key generate --out half.key
expect_rc 1; expect_err "half.key.pub: already exists"
[ ! -e half.key ] || fail "a secret key was left without its public key"
# A symlink planted where the key goes is not followed.
ln -s "$T/elsewhere.key" link.key
run "$LOAXA" key generate --out link.key
expect_rc 1; expect_err "link.key: already exists"
[ ! -e elsewhere.key ] || fail "the key went through a symlink"

# Everything a station writes: the library, a package, the inbox, an
# airing, an export, the station's key.
"$G" --format mp3 --kind speech --seconds 2 --seed 2 p.mp3 >/dev/null || fail "gen-audio"
run "$LOAXA" -c st.conf package create --key district.key --out p.lxp --topic cchc p.mp3
expect_rc 0
mkdir -p data/inbox
cp p.lxp data/inbox/good.lxp
printf 'not a package\n' >data/inbox/bad.lxp
run "$LOAXA" -c st.conf inbox
expect_rc 3; expect_out "1 package imported, 1 rejected"
run "$LOAXA" -c st.conf key station
expect_rc 0
run "$LOAXA" -c st.conf export --from 2000-01-01 --to 2099-12-31 --out e.lxe
expect_rc 0
modeis 600 data/station.key
modeis 750 data data/bulletins data/inbox data/inbox/done data/inbox/rejected
modeis 640 data/loaxa.db data/inbox/rejected/bad.lxp.why
for f in data/bulletins/*; do modeis 640 "$f"; done
[ -e data/loaxa.db-wal ] && modeis 640 data/loaxa.db-wal data/loaxa.db-shm
# Nothing loaxa made is open to others (the packages dropped into the inbox
# keep the mode they came with).
CHECKS=$((CHECKS + 1))
open=$(find data ! -type l -perm /o=rwx ! -path 'data/inbox/done/*' ! -path 'data/inbox/rejected/*.lxp')
[ -z "$open" ] || fail "open to others: $(ls -l $open)"

# --- C. Packages: bounded before anything is written. -----------------------
mkdir -p c
cat >c.conf <<EOF
station = { code = "SEC-C"; name = "Đài thử"; };
paths = { data = "$T/c/data"; };
audio = { driver = "null"; };
trust = { districts = ( { name = "Huyện"; key = "$(cat district.key.pub)"; } ); };
EOF
run "$LOAXA" -c c.conf list
expect_rc 0
SIGNER=$(cat district.key.pub)
# craft OUT HEADER_LINES...: a package from a trusted signer with these
# header lines after "entries"; the body is a few bytes, never signed.
craft() {
	python3 - "$@" <<'PY'
import sys
out, signer, lines = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as f:
    f.write(b"LOAXA-PACKAGE 2\nsigner " + signer.encode() + b"\nsigned-at 1\nsequence 1\n")
    for l in lines:
        f.write(l.encode("utf-8", "surrogateescape").replace(b"<NUL>", b"\0") + b"\n")
    f.write(b"RIFF....WAVEfmt \n")
PY
}
SHA=$(printf '%064d' 0)
# refused FILE REASON: exit 3, the reason on one line, nothing written.
refused() {
	run "$LOAXA" -c c.conf package import "$1"
	expect_rc 3; expect_err "$1: $2"; expect_one_err_line
	nothing_written
}
nothing_written() {
	CHECKS=$((CHECKS + 1))
	[ -z "$(ls -A c/data/bulletins)" ] || fail "files left behind: $(ls -A c/data/bulletins)"
	run "$LOAXA" -c c.conf list --format csv
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "bulletins were added: $OUT"
}
craft huge-entry.lxp "$SIGNER" "entries 1" "" "entry 107374182400 $SHA a.wav" ""
refused huge-entry.lxp "oversized: an entry of 107374182400 bytes (at most 536870912)"
craft many.lxp "$SIGNER" "entries 100000" ""
refused many.lxp "oversized: 100000 entries (at most 256)"
craft overflow.lxp "$SIGNER" "entries 1" "" "entry 99999999999999999999999 $SHA a.wav" ""
refused overflow.lxp "oversized: an entry of"
craft negative.lxp "$SIGNER" "entries 1" "" "entry -1 $SHA a.wav" ""
refused negative.lxp "malformed: bad entry size"
# A 3 GB file (sparse: it takes no room) is refused by its size alone.
craft big.lxp "$SIGNER" "entries 1" ""
truncate -s 3G big.lxp
refused big.lxp "oversized: 3221225472 bytes (a package is at most 2147483648)"
rm -f big.lxp
# Names never become paths, and the odd ones are refused outright.
for name in "../../../etc/cron.d/x.wav" "/etc/passwd" "..wav" ".hidden.wav" \
    "a/b.wav" 'a\b.wav' "$(printf 'a\001b.wav')"; do
	craft name.lxp "$SIGNER" "entries 1" "" "entry 4 $SHA $name" ""
	refused name.lxp "refused: entry name '"
done
craft nul.lxp "$SIGNER" "entries 1" "" "entry 4 $SHA a<NUL>../x.wav" ""
refused nul.lxp "malformed: bad header line"
craft long.lxp "$SIGNER" "entries 1" "" "entry 4 $SHA $(printf '%0300d' 0).wav" ""
refused long.lxp "refused: entry name '"
craft longline.lxp "$SIGNER" "entries 1" "" "entry 4 $SHA a.wav" "title $(printf '%02000d' 0)" ""
refused longline.lxp "malformed: bad header line"
# An entry that says it is bigger than the file: what there is is read, then
# refused as truncated, and the temporary copy is removed.
craft short.lxp "$SIGNER" "entries 1" "" "entry 400000000 $SHA a.wav" ""
refused short.lxp "truncated: the package ends at byte"
[ ! -e "$T/etc" ] && [ ! -e /etc/cron.d/x.wav ] || fail "a name became a path"
# Through the inbox too: rejected/, with the reason.
mkdir -p c/data/inbox
craft c/data/inbox/many.lxp "$SIGNER" "entries 100000" ""
run "$LOAXA" -c c.conf inbox
expect_rc 3; expect_out "0 packages imported, 1 rejected"
CHECKS=$((CHECKS + 1))
grep -q "oversized: 100000 entries" c/data/inbox/rejected/many.lxp.why ||
    fail "no reason beside the rejected package"
nothing_written

# A package that does not fit on the data directory's disk with room to
# spare for the airing log is not started: a 16 MB tmpfs.
mkdir -p small
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=20m,mode=0755 tmpfs small 2>/dev/null; then
	trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
	sed "s|$T/c/data|$T/small/data|" c.conf >small.conf
	run "$LOAXA" -c small.conf package import p.lxp
	expect_rc 0
	# A well-signed package (the space is checked once the signature holds):
	# 70 s of 16-bit stereo at 44.1 kHz, about 12 MB.
	"$G" --format wav --kind speech --seconds 70 --seed 3 fat.wav >/dev/null ||
	    fail "gen-audio"
	"$LOAXA" -c st.conf package create --key district.key --out fat.lxp \
	    --topic cchc fat.wav >/dev/null 2>&1 || fail "package create fat.lxp"
	run "$LOAXA" -c small.conf package import fat.lxp
	expect_rc 1; expect_err "fat.lxp: not enough space in $T/small/data/bulletins: the package needs 13 MB"
	CHECKS=$((CHECKS + 1))
	[ "$(ls -A small/data/bulletins | wc -l)" -eq 1 ] || fail "fat.lxp left files: $(ls -A small/data/bulletins)"
	umount small
else
	echo "security: free-space part skipped: cannot mount a tmpfs here"
fi
echo "security: $CHECKS checks"
