# The bad-input corpus: every case in tests/bad/cases (audio, configuration,
# packages, exports, command-line arguments) must be refused with the right
# exit status and one line naming the file or argument and the reason, and
# must change nothing. The bad inputs are made here, at run time (gen-audio,
# printf, sed), from a scratch station with a library, an audit trail, an
# airing log, a district key, a package and an export.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (tools/deps)"; exit 1; }
G=$LOAXA_GEN_AUDIO
CASES=$SRC/tests/bad/cases
CONF=$SRC/tests/bad/conf
# A case that runs longer than this hangs (the sanitizers make loaxa slower).
TMO=${BAD_TIMEOUT:-30}
NB=$(printf 'b\377n')
SUR=$(printf 's\355\240\200x')   # U+D800, a UTF-16 surrogate
OVL=$(printf 'o\340\200\257')      # '/' in an overlong form
VI="bản tin hỏng"

# The commune station, with a library (1 approved, 2 pending), its audit
# trail, two airings and a signed export of them.
cat > st.conf <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; inbox = "./inbox"; };
audio = { driver = "null"; };
CONF
L="$LOAXA -c st.conf"
D=$LOAXA
X="$LOAXA -c xa.conf"
$G --seconds 2 a.wav && $G --seconds 2 --seed 2 --kind speech b.wav &&
	$G --seconds 2 --seed 3 --kind speech c.wav || fail "gen-audio"
run $L import --topic cchc --approve --by "Nguyễn Văn A" a.wav; expect_rc 0
run $L import c.wav; expect_rc 0
sqlite3 data/loaxa.db <<'SQL' || fail "airings"
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome, reason)
SELECT 1, sha256, 'Buổi sáng', 1767565800000, 1767565800000, 1767565800000,
  1767565802000, 2000, 'completed', NULL FROM bulletins WHERE id = 1;
INSERT INTO airings (bulletin_id, sha256, slot, slot_start, scheduled_at, started_at,
  ended_at, played_ms, outcome, reason) VALUES (NULL, NULL, 'Buổi sáng',
  1767652200000, 1767652200000, NULL, NULL, 0, 'missed', 'controller off');
SQL
run $L key station; expect_rc 0
run $L export --period 2026 --out ex.lxe; expect_rc 0

# Audio: gen-audio's damage kinds, a WAV that claims 4 GB, odd paths.
mkdir "$VI" dir.wav dir.lxp
$G --damage empty empty.mp3 && $G --damage random random.mp3 &&
	$G --damage text text.wav && $G --damage id3-only id3-only.mp3 &&
	$G --damage wav-lying a.wav lying.wav && $G --damage zero-channels a.wav zero-channels.wav &&
	$G --damage absurd-rate a.wav absurd-rate.wav &&
	$G --format mp3 --seconds 4 s.mp3 && $G --damage truncate s.mp3 half.mp3 &&
	$G --format flac --seconds 4 s.flac && $G --damage truncate s.flac half.flac &&
	$G --format opus --seconds 6 s.opus && $G --damage truncate s.opus half.opus &&
	$G --format ogg --kind speech --seconds 6 s.ogg && $G --damage ogg-corrupt s.ogg corrupt.ogg &&
	$G --format ogg --seconds 2 s2.ogg && $G --damage ogg-corrupt s2.ogg corrupt-end.ogg &&
	$G --format mp3 --kind speech --seconds 6 s6.mp3 && $G --damage junk s6.mp3 junk.mp3 &&
	$G --format flac --kind silence --seconds 2 silent.flac &&
	$G --seconds 0.3 short.wav && $G --damage text "$VI/tin xấu.mp3" &&
	$G --damage random "$NB.mp3" || fail "gen-audio"
rm s.mp3 s.flac s.opus s.ogg s2.ogg s6.mp3
# RIFF and data sizes of 4 GB - 1 in front of 2 s of audio.
cp a.wav 4gb.wav
off=$(grep -boa data 4gb.wav | head -n 1 | cut -d: -f1)
printf '\377\377\377\377' | dd of=4gb.wav bs=1 seek=4 conv=notrunc 2>/dev/null
printf '\377\377\377\377' | dd of=4gb.wav bs=1 seek=$((off + 4)) conv=notrunc 2>/dev/null
ln -s loop2.wav loop.wav; ln -s loop.wav loop2.wav
mkfifo fifo.wav fifo.conf fifo.lxp
# chmod 000 stops no one running as root (as CI does): the cases on these are
# @nonroot; /proc/self/mem and a path under a file stand in for them as root.
cp a.wav unreadable.wav; chmod 000 unreadable.wav

# Configuration files that cannot be committed as text, or are about paths.
printf 'station = { code = "A"; name = "B\377n"; };\n' > name-not-utf8.conf
printf 'station = { code = "A"; name = "B"; };\npaths = { data = "./d\377"; };\n' > data-not-utf8.conf
printf 'station = { code = "A"; name = "B"; timezone = "Asia/H\303"; };\n' > tz-not-utf8.conf
printf '# nothing but a comment\n' > "$NB.conf"
printf 'station = { code = "A"; name = "Đài xã";\n  timezon = "Asia/Ho_Chi_Minh"; };\n' > "$VI/đài xã.conf"
: > empty.conf
# A good configuration with a block of zeros in it (a power cut's mark), line 3.
{ head -n 2 st.conf; head -c 4096 /dev/zero; tail -n +3 st.conf; } > zeros.conf
$G --damage random random.conf || fail "gen-audio"
ln -s loop2.conf loop.conf; ln -s loop.conf loop2.conf
cp st.conf unreadable.conf; chmod 000 unreadable.conf

# The district: a key, a signed package of two bulletins, a commune trusting it.
run $D key generate --out d.key; expect_rc 0
PUB=$(cat d.key.pub)
cat > xa.conf <<CONF
station = { code = "HY-KD-X"; name = "Xã khác"; };
paths = { data = "./xa"; inbox = "./xa-inbox"; };
audio = { driver = "null"; };
trust = { districts = ( { name = "TT VH-TT&DL Kim Động"; key = "$PUB"; auto_approve = true; } ); };
CONF
run $D package create --key d.key --out p.lxp --topic cchc a.wav b.wav; expect_rc 0
run $X list; expect_rc 0
SIZE=$(stat -c %s a.wav)
: > empty.lxp
head -c 60 p.lxp > cut.lxp
sed "0,/^entry $SIZE /s//entry 4294967296 /" p.lxp > 4gb.lxp
sed "0,/^entry $SIZE /s//entry 99999999999999999999 /" p.lxp > huge-size.lxp
sed '0,/^entries 2$/s//entries 4294967297/' p.lxp > many.lxp
sed '0,/^entries 2$/s//entries 0/' p.lxp > none.lxp
sed "0,/^\(entry $SIZE [0-9a-f]*\) a.wav\$/s//\1 ..\/..\/etc\/x.wav/" p.lxp > escape.lxp
sed '0,/^topic cchc$/s//topic dautu/' p.lxp > topic.lxp
sed "0,/^topic cchc\$/s//title $NB/" p.lxp > title.lxp
cat p.lxp p.lxp > twice.lxp

# Exports: a row count past any integer and past any file, a cut, a changed
# signature, a slot name that is not UTF-8, a changed period, nothing.
TAB=$(printf '\t')
sed "s/^end$TAB[0-9]*$TAB/end${TAB}99999999999999999999$TAB/" ex.lxe > ex-count.lxe
sed "s/^end$TAB[0-9]*$TAB/end${TAB}9999999999$TAB/" ex.lxe > ex-big-count.lxe
head -c $(($(stat -c %s ex.lxe) - 30)) ex.lxe > ex-cut.lxe
sed "s/^\(end$TAB.*$TAB\)./\1A/" ex.lxe > ex-sig.lxe
cmp -s ex.lxe ex-sig.lxe && sed "s/^\(end$TAB.*$TAB\)./\1B/" ex.lxe > ex-sig.lxe
sed "s/Buổi sáng/Bu${NB}i/" ex.lxe > ex-utf8.lxe
sed "s/^\(period$TAB[^$TAB]*$TAB[^$TAB]*$TAB\)[^$TAB]*/\12026-13-45/" ex.lxe > ex-period.lxe
: > ex-empty.lxe
# A first line and then 8 MB without a newline: not read into memory whole.
{ head -n 1 ex.lxe; head -c 8000000 /dev/zero | tr '\0' x; } > ex-endless.lxe
for f in ex-count ex-big-count ex-cut ex-sig ex-utf8 ex-period ex-endless; do
	cmp -s ex.lxe $f.lxe && fail "$f.lxe is not changed"
done

# What must not change: the rows of both stations' libraries, audit trails,
# airing logs and meta, and every file here (name, type, size, mode, and the
# content of the stored audio and keys).
state() {
	for db in data/loaxa.db xa/loaxa.db; do
		[ -f "$db" ] || continue
		echo "== $db"
		sqlite3 "$db" "SELECT * FROM bulletins ORDER BY id;
		    SELECT * FROM bulletin_events ORDER BY id;
		    SELECT * FROM bulletin_tags ORDER BY bulletin_id, tag;
		    SELECT * FROM airings ORDER BY id; SELECT * FROM meta ORDER BY key;"
	done
	find . -path ./.out -prune -o -path ./.err -prune -o -path ./.before -prune -o -path ./.after -prune -o -printf '%p %y %s %m\n' |
		LC_ALL=C sort
	find data xa -type f ! -name 'loaxa.db' -exec sha256sum {} + | LC_ALL=C sort
}

# One case: status, first stderr line (name and reason), other lines, state.
# A case that fails is shown and counted, and the others still run.
tried=0 skipped=0 failed=0
problem() {
	failed=$((failed + 1))
	{
		echo "FAIL: $*"
		echo "--- stdout:"; cat .out
		echo "--- stderr:"; cat .err
	} >&2
}

check_case() {
	want_rc=$1 name=$2 reason=$3 cmd=$4
	case "$cmd" in
	@nonroot*)
		if [ "$(id -u)" -eq 0 ]; then
			skipped=$((skipped + 1))
			return
		fi
		cmd=${cmd#@nonroot} ;;
	esac
	tried=$((tried + 1))
	state > .before
	eval "set -- $cmd"
	timeout -k 5 "$TMO" "$@" >.out 2>.err
	RC=$?
	what="case '$cmd' (tests/bad/cases:$lineno)"
	if [ "$RC" -eq 124 ]; then
		problem "$what hangs (no end after $TMO s)"
		return
	fi
	if [ "$RC" -ne "$want_rc" ]; then
		problem "$what: expected exit $want_rc, got $RC"
		return
	fi
	first=$(head -n 1 .err)
	case "$first" in
	*"$name"*"$reason"* | *"$reason"*"$name"*) ;;
	*)
		problem "$what: the first line on stderr does not say '$name' and '$reason'"
		return ;;
	esac
	file=${name%%:*}
	other=$(tail -n +2 .err | grep -Fv -e "$file" | grep -v -e "^usage: loaxa " -e "^Try 'loaxa ")
	if [ -n "$other" ]; then
		problem "$what: a line on stderr does not name '$file': $other"
		return
	fi
	state > .after
	if ! cmp -s .before .after; then
		diff .before .after >&2
		problem "$what changed something"
		return
	fi
	CHECKS=$((CHECKS + 4))
}

lineno=0
while IFS= read -r line; do
	lineno=$((lineno + 1))
	case "$line" in '#'* | '') continue ;; esac
	# STATUS | NAME | REASON | COMMAND; NAME and REASON are shell words.
	want_rc=$(printf '%s' "$line" | cut -d '|' -f 1 | tr -d ' ')
	eval "name=\"$(printf '%s' "$line" | cut -d '|' -f 2 | sed 's/^ *//; s/ *$//')\""
	eval "reason=\"$(printf '%s' "$line" | cut -d '|' -f 3 | sed 's/^ *//; s/ *$//')\""
	cmd=$(printf '%s' "$line" | cut -d '|' -f 4- | sed 's/^ *//')
	check_case "$want_rc" "$name" "$reason" "$cmd" </dev/null
done < "$CASES"

# Not refused, but kept as text: a good file whose name is not UTF-8 is
# imported, and list still prints valid UTF-8 (U+FFFD for the byte).
$G --seconds 2 --seed 9 --kind speech "ok-$NB.wav" || fail "gen-audio"
run $L import "ok-$NB.wav"
expect_rc 0
run $L list --format json
expect_rc 0; expect_out "ok-b�n.wav"
strict_utf8() {
	python3 -c 'import sys, json; json.loads(sys.stdin.buffer.read().decode("utf-8"))'
}
printf '%s' "$OUT" | strict_utf8 2>/dev/null || fail "list --format json is not UTF-8"
CHECKS=$((CHECKS + 1))
# The same for a UTF-16 surrogate and an overlong form, which only look like
# UTF-8; and for a login name that is not UTF-8 when --by is left off.
$G --seconds 2 --seed 10 --kind speech "ok-$SUR$OVL.wav" || fail "gen-audio"
run $L import "ok-$SUR$OVL.wav"
expect_rc 0
run $L list --format json
expect_rc 0
printf '%s' "$OUT" | strict_utf8 2>/dev/null || fail "list --format json is not UTF-8 (surrogate, overlong)"
CHECKS=$((CHECKS + 1))
run env SUDO_USER= USER="$NB" LOGNAME="$NB" $L retire 1
expect_rc 0
run $L show 1 --format json
expect_rc 0; expect_out '"action":"retire"'; expect_out '"actor":"operator","action":"retire"'
printf '%s' "$OUT" | strict_utf8 2>/dev/null || fail "show --format json is not UTF-8 (login name)"
CHECKS=$((CHECKS + 1))

echo "bad inputs: $tried cases tried, $failed failed, $skipped skipped (not for root), $CHECKS checks"
[ "$failed" -eq 0 ] || exit 1
[ "$tried" -ge 40 ] || fail "only $tried cases in $CASES"
