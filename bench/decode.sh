#!/bin/sh
# bench/decode: a generated 10-minute 128 kbps stereo MP3 of speech-like sound
# (what bulletins are), timed in the same run, in rounds that take turns
# (best of BENCH_ROUNDS, default 5):
#   mpg123 -t            the reference decode
#   loaxa probe          decode + SHA-256 + integrated loudness + true peak
#   pipeline             loaxa play-file to the null driver, unpaced, with the
#                        loudness known (as the daemon has it from the library):
#                        decode -> gain and limiter -> 16-bit output
#   pipeline, no gain    the same with --no-normalize
# and the peak RSS of play-file. Targets: pipeline >= 0.8x mpg123's speed,
# probe <= 2x mpg123's time, RSS while playing < 10 MB.
# A steady tone is the worst case for probe (no block can skip true peak);
# it is timed too, for the record.
set -eu
: "${LOAXA:?set LOAXA to the loaxa binary}"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
command -v mpg123 >/dev/null || { echo "bench/decode: mpg123 is not installed; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-bench-decode.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
unset LOAXA_CONFIG

"$LOAXA_GEN_AUDIO" --format mp3 --kind speech --rate 44100 --channels 2 \
	--bitrate-kbps 128 --seconds 600 speech.mp3
"$LOAXA_GEN_AUDIO" --format mp3 --kind tone --rate 44100 --channels 2 \
	--bitrate-kbps 128 --seconds 600 tone.mp3

now() { date +%s.%N; }
# time CMD...: one wall time, in seconds.
time1() {
	t0=$(now); "$@" >/dev/null 2>&1 || { echo "bench/decode: failed: $*" >&2; exit 1; }
	echo "$(now) - $t0" | bc -l
}
# min A B: the smaller, or B when A is empty.
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" -eq 1 ]; then echo "$2"; else echo "$1"; fi; }

L=$("$LOAXA" probe --format json speech.mp3 | sed -n 's/.*"loudness_lufs": \([-0-9.]*\).*/\1/p')
# Rounds that take turns, so that a noisy moment on a shared machine hits the
# reference and loaxa alike; the best of each over BENCH_ROUNDS (default 5).
ref= probe= pipe= raw= tref= tprobe=
r=0
while [ $r -lt "${BENCH_ROUNDS:-5}" ]; do
	ref=$(min "$ref" "$(time1 mpg123 -q -t speech.mp3)")
	probe=$(min "$probe" "$(time1 "$LOAXA" probe speech.mp3)")
	pipe=$(min "$pipe" "$(time1 "$LOAXA" play-file speech.mp3 --driver null --no-realtime --loudness "$L")")
	raw=$(min "$raw" "$(time1 "$LOAXA" play-file speech.mp3 --driver null --no-realtime --no-normalize)")
	tref=$(min "$tref" "$(time1 mpg123 -q -t tone.mp3)")
	tprobe=$(min "$tprobe" "$(time1 "$LOAXA" probe tone.mp3)")
	r=$((r + 1))
done
rss=$(/usr/bin/time -f %M "$LOAXA" play-file speech.mp3 --driver null --no-realtime \
	--loudness "$L" 2>&1 >/dev/null | tail -n 1)

printf 'bench/decode: 10 min, 128 kbps stereo MP3 (speech-like, %s LUFS)\n' "$L"
printf '  mpg123 -t            %6.3f s\n' "$ref"
printf '  loaxa probe          %6.3f s   %.2fx mpg123 time   (target <= 2x)\n' \
	"$probe" "$(echo "$probe / $ref" | bc -l)"
printf '  pipeline to null     %6.3f s   %.2fx mpg123 speed  (target >= 0.8x)\n' \
	"$pipe" "$(echo "$ref / $pipe" | bc -l)"
printf '  pipeline, no gain    %6.3f s   %.2fx mpg123 speed\n' \
	"$raw" "$(echo "$ref / $raw" | bc -l)"
printf '  play-file peak RSS   %6.1f MB  (target < 10 MB)\n' "$(echo "$rss / 1024" | bc -l)"
printf '  worst case, a steady tone: probe %.3f s = %.2fx mpg123 time (%.3f s)\n' \
	"$tprobe" "$(echo "$tprobe / $tref" | bc -l)" "$tref"
