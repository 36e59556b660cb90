# The command line: help, version, exit statuses, and `loaxa check`.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

run "$LOAXA" --help
expect_rc 0; expect_out "usage: loaxa"; expect_out "check"; expect_out "exit status"
run "$LOAXA" --version
expect_rc 0; expect_out "loaxa "
run "$LOAXA"
expect_rc 2; expect_err "usage: loaxa"
run "$LOAXA" frobnicate
expect_rc 2; expect_err "unknown command 'frobnicate'"; expect_one_err_line
run "$LOAXA" --bogus check
expect_rc 2; expect_err "unknown option"
run "$LOAXA" check --help
expect_rc 0; expect_out "usage: loaxa check"; expect_out "FILE:LINE"
run "$LOAXA" help check
expect_rc 0; expect_out "usage: loaxa check"
run "$LOAXA" check --frob
expect_rc 2; expect_err "usage: loaxa check"

# Options and operand counts come from each command's entry, parsed in one
# place: a missing value, a value given to a flag, an ambiguous abbreviation,
# too many operands and an unknown subcommand are usage errors (exit 2).
run "$LOAXA" probe --format
expect_rc 2; expect_err "loaxa probe: option --format needs a value"
run "$LOAXA" play-file --no-realtime=1 x.wav
expect_rc 2; expect_err "loaxa play-file: option --no-realtime takes no value"
run "$LOAXA" play-file --no x.wav
expect_rc 2; expect_err "loaxa play-file: ambiguous option --no"
run "$LOAXA" check a.conf b.conf
expect_rc 2; expect_err "usage: loaxa check [FILE]"
run "$LOAXA" key generate --out k.key extra
expect_rc 2; expect_err "usage: loaxa key generate"
[ ! -e k.key ] || fail "key generate wrote a key from a bad command line"
run "$LOAXA" package frob
expect_rc 2; expect_err "usage: loaxa package create"

# Every command in the table has help that shows its usage.
for cmd in $("$LOAXA" --help | sed -n '/^commands:/,/^$/p' | awk 'NF>1 {print $1}'); do
	run "$LOAXA" "$cmd" --help
	expect_rc 0; expect_out "usage: loaxa $cmd"
done

# The embedded default, when no file is found.
run "$LOAXA" check
expect_rc 0; expect_out "(built-in default): ok"; expect_out "7 topics"

# The shipped example passes.
run "$LOAXA" check "$SRC/examples/loaxa.conf"
expect_rc 0; expect_out "ok (station HY-KD-TT"
run "$LOAXA" -c "$SRC/examples/loaxa.conf" check
expect_rc 0

# Search order: ./loaxa.conf, then $LOAXA_CONFIG, then -c.
cat > loaxa.conf <<'CONF'
station = { code = "CWD"; name = "Thư mục hiện tại"; };
CONF
run "$LOAXA" check
expect_rc 0; expect_out "station CWD"
printf 'station = { code = "ENV"; name = "Biến môi trường"; };\n' > env.conf
LOAXA_CONFIG=$T/env.conf run "$LOAXA" check
expect_rc 0; expect_out "station ENV"
LOAXA_CONFIG=$T/env.conf run "$LOAXA" -c "$SRC/examples/loaxa.conf" check
expect_rc 0; expect_out "station HY-KD-TT"
rm loaxa.conf

# A misspelt setting: FILE:LINE: and the suggestion, exit 2.
cat > "bad config.conf" <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài";
            timezon = "Asia/Ho_Chi_Minh"; };
audio = { loudnes_target = -16.0; fade_ms = 20000; };
CONF
run "$LOAXA" check "bad config.conf"
expect_rc 2
expect_err "bad config.conf:2: unknown setting 'timezon' in station; did you mean 'timezone'?"
expect_err "bad config.conf:3: unknown setting 'loudnes_target' in audio; did you mean 'loudness_target'?"
expect_err "bad config.conf:3: 'fade_ms' is 20000; it must be from 0 to 10000"
expect_err "bad config.conf: 3 problems"

# A command that needs the config refuses to start on a bad one (exit 2).
run "$LOAXA" -c "bad config.conf" check
expect_rc 2

# Missing, unreadable, a directory.
run "$LOAXA" check /nonexistent.conf
expect_rc 2; expect_err "/nonexistent.conf: cannot read the configuration"
run "$LOAXA" check "$T"
expect_rc 2; expect_err "not a regular file"
echo "$CHECKS checks"
