# The power-cut loop of tests/crash/crash.py, shortened for every `make test`
# and `make sanitize`: 30 SIGKILLs (15 under the sanitizers, where everything
# runs slower) at random moments of airings and imports, each followed by the
# integrity, log, library and recovery checks. `make crash` runs all 200.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
command -v python3 >/dev/null || fail "python3 is needed"
command -v sqlite3 >/dev/null || fail "the sqlite3 CLI is needed"
kills=30
[ -n "${LOAXA_SANITIZED:-}" ] && kills=15
TMPDIR=$T python3 "$LOAXA_SRCDIR/tests/crash/crash.py" --kills "$kills" ||
    fail "the crash loop failed"
