# The audio commands end to end: loaxa probe (text, JSON, refusals) and
# loaxa play-file through the wav driver (normalised output, bad files,
# an unwritable output). Test audio comes from gen-audio.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO

$G --format mp3 --kind speech --seconds 4 --gain-db -28 quiet.mp3 || fail "gen"
$G --format flac --kind speech --seconds 4 --gain-db -16 loud.flac || fail "gen"
$G --format ogg --seconds 2 tone.ogg || fail "gen"
$G --format wav --seconds 2 named.mp3 || fail "gen"
$G --damage text notes.mp3 || fail "gen"
$G --format mp3 --seconds 4 whole.mp3 && $G --damage truncate whole.mp3 half.mp3 || fail "gen"

# probe: one line per good file; content, not name, decides the format.
run "$LOAXA" probe quiet.mp3 tone.ogg named.mp3
expect_rc 0
expect_out "quiet.mp3: mp3, 48000 Hz"; expect_out "tone.ogg: vorbis"; expect_out "named.mp3: wav"

# JSON: one document with the contract's fields; bad files on stderr, exit 3.
run "$LOAXA" probe --format json tone.ogg notes.mp3 half.mp3 loud.flac
expect_rc 3
for k in duration_ms sample_rate channels format loudness_lufs true_peak_dbtp sha256; do
	expect_out "\"$k\""
done
expect_err "notes.mp3: "; expect_err "half.mp3: truncated"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 2 ] || fail "expected one stderr line per bad file"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==2 and d[0]["duration_ms"]==2000 and len(d[0]["sha256"])==64, d' \
	|| fail "probe JSON does not parse or is wrong"
SHA=$(sha256sum tone.ogg | cut -d' ' -f1)
expect_out "$SHA"

run "$LOAXA" probe
expect_rc 2
run "$LOAXA" probe --format xml tone.ogg
expect_rc 2

# play-file: both files come out at the target, within 1 LU of each other.
run "$LOAXA" play-file quiet.mp3 --driver wav --out q.wav --no-realtime
expect_rc 0; expect_out "completed, 4000 ms played"
run "$LOAXA" play-file --driver wav --out l.wav --no-realtime loud.flac
expect_rc 0
run "$LOAXA" probe --format json q.wav l.wav
expect_rc 0
printf '%s' "$OUT" | python3 -c '
import json, sys
q, l = json.load(sys.stdin)
assert abs(q["loudness_lufs"] - l["loudness_lufs"]) <= 1, (q, l)
assert abs(q["loudness_lufs"] + 16) <= 1, q
assert q["true_peak_dbtp"] <= -0.5 and l["true_peak_dbtp"] <= -0.5, (q, l)
' || fail "normalised outputs differ: $OUT"

# --no-normalize leaves the level alone.
run "$LOAXA" play-file quiet.mp3 --driver wav --out raw.wav --no-realtime --no-normalize
expect_rc 0; expect_out "gain +0.0 dB"

# MPEG that mpg123 plays is played whole: zeros before the first frame, free
# format, and a stream that turns from mono to stereo midway (probed and
# played to its end in the first frame's format, not cut at the seam).
$G --format mp3 --channels 1 --rate 44100 --seconds 1.3 mono.mp3 &&
	$G --format mp3 --channels 2 --rate 44100 --seconds 1.3 stereo.mp3 &&
	$G --splice join mono.mp3 stereo.mp3 joined.mp3 &&
	$G --splice lead stereo.mp3 lead.mp3 && $G --splice free stereo.mp3 free.mp3 || fail "gen"
run "$LOAXA" probe --format json joined.mp3 lead.mp3 free.mp3
expect_rc 0
D=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["duration_ms"])')
[ "$D" -ge 2600 ] || fail "joined.mp3 probed as $D ms"
expect_out '"channels": 1'
run "$LOAXA" play-file joined.mp3 --driver wav --out j.wav --no-realtime
expect_rc 0; expect_out "completed, $D ms played"

# Refusals: a bad file exits 3 with one line; an unwritable output exits 1.
run "$LOAXA" play-file notes.mp3 --driver null
expect_rc 3; expect_err "notes.mp3: not audio"; expect_one_err_line
run "$LOAXA" play-file tone.ogg --driver wav --out "$T/no/such/dir/x.wav"
expect_rc 1; expect_err "cannot write"; expect_one_err_line
run "$LOAXA" play-file tone.ogg --driver nosuch
expect_rc 1; expect_err "nosuch"
run "$LOAXA" play-file tone.ogg --driver null --no-realtime
expect_rc 0

# A configured wav output through -c.
cat > st.conf <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; };
audio = { driver = "wav"; file = "conf.wav"; realtime = false; loudness_target = -20.0; };
CONF
run "$LOAXA" -c st.conf play-file loud.flac
expect_rc 0
run "$LOAXA" probe conf.wav
expect_rc 0; expect_out "-20.0 LUFS"

# Stopping: SIGTERM fades out and ends "stopped" quickly.
"$LOAXA" play-file loud.flac --driver null --fade-ms 200 >stop.out 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 0 ] || fail "play-file after SIGTERM exited $rc: $(cat stop.out)"
grep -q "stopped" stop.out || fail "not stopped: $(cat stop.out)"

echo "audio: $CHECKS checks"
