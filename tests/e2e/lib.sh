# Sourced by every end-to-end script: a temp dir, and assertions on the real binary.
#   run CMD...          runs CMD, keeping stdout in $OUT, stderr in $ERR, status in $RC
#   expect_rc N         fails unless $RC is N
#   expect_out TEXT     fails unless stdout contains TEXT
#   expect_err TEXT     fails unless stderr contains TEXT
#   fail MESSAGE
set -u
: "${LOAXA:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/loaxa-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
unset LOAXA_CONFIG
SRC=${LOAXA_SRCDIR:-.}
CHECKS=0

fail() {
	echo "FAIL: $*" >&2
	echo "--- stdout:" >&2; cat "$T/.out" >&2 2>/dev/null
	echo "--- stderr:" >&2; cat "$T/.err" >&2 2>/dev/null
	exit 1
}

run() {
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

expect_rc() {
	CHECKS=$((CHECKS + 1))
	[ "$RC" -eq "$1" ] || fail "expected exit $1, got $RC"
}

expect_out() {
	CHECKS=$((CHECKS + 1))
	case "$OUT" in *"$1"*) ;; *) fail "stdout lacks: $1" ;; esac
}

expect_err() {
	CHECKS=$((CHECKS + 1))
	case "$ERR" in *"$1"*) ;; *) fail "stderr lacks: $1" ;; esac
}

# One line on stderr, no more.
expect_one_err_line() {
	CHECKS=$((CHECKS + 1))
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "expected one line on stderr"
}
