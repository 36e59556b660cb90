# Sourced by the relay scripts (tests/e2e/relay*.sh) after tests/e2e/lib.sh.
# It sets RELAY (loaxa-relay beside $LOAXA), STREAMS (tests/e2e/streams.py,
# the stream servers), G (gen-audio) and TZONE.
#   relay_setup NAME CMD...  skips the script (exit 0, one line) unless every
#                            CMD is installed; fails without loaxa-relay; at
#                            exit, stops every PID in $pids (TERM, then KILL)
#                            and removes $T and $RELAY_RM
#   relay_service CONF DATA  starts loaxa-relay -c CONF (its log in
#                            relay.err) and waits for DATA/relay.sock
#   relay_verify CONF CODE DAY  exports DAY (day.lxe) and verifies it with
#                            station CODE's key trusted: it must pass, and
#                            OUT holds what verify said
# shellcheck disable=SC2034 # G, TZONE and STREAMS are for the scripts that source this
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
TZONE=Asia/Ho_Chi_Minh
RELAY=$(dirname "$LOAXA")/loaxa-relay
STREAMS=$LOAXA_SRCDIR/tests/e2e/streams.py
RELAY_RM=
pids=""

relay_cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.2
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	# shellcheck disable=SC2086 # none, or one path without spaces
	rm -rf "$T" $RELAY_RM
}

relay_setup() {
	name=$1
	shift
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "$name: skipped: $c is not installed"; exit 0; }
	done
	[ -x "$RELAY" ] || fail "no $RELAY"
	trap relay_cleanup EXIT
}

relay_verify() {
	run "$LOAXA" -c "$1" key station
	expect_rc 0
	key=$(printf '%s\n' "$OUT" | head -n 1)
	run "$LOAXA" -c "$1" export --from "$3" --to "$3" --out day.lxe
	expect_rc 0
	{ cat "$1"; printf 'trust = { stations = ( { code = "%s"; key = "%s"; } ); };\n' \
	    "$2" "$key"; } >v.conf
	run "$LOAXA" -c v.conf verify day.lxe
	expect_rc 0; expect_out "(trusted)"
}

relay_service() {
	"$RELAY" -c "$1" 2>relay.err &
	pids="$pids $!"
	n=0
	until [ -S "$2/relay.sock" ]; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "no relay socket: $(cat relay.err)"
		sleep 0.1
	done
}
