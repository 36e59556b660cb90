# Attacks through the package inbox, each made by a user who may only drop
# files into it (the inbox is open to all; the data directory is not):
#  A. links planted as inbox/rejected/NAME.why, as rejected/ or done/
#     themselves, pointing into the data directory: nothing outside the
#     inbox is written, moved or replaced;
#  B. an older rejected/NAME (or NAME.why) is never replaced;
#  C. a file planted in the bulletin store (another user's, hard-linked,
#     writable by others) is never adopted by an import: it is copied anew;
#  D. a package still being copied in is neither imported nor rejected
#     until it is whole;
#  E. `loaxa check` refuses an inbox that is the data directory, lies
#     inside it (other than DATA/inbox) or contains it;
#  F. a file name with a terminal escape and a new line comes out cleaned,
#     on one line, in the output and the .why file.
# The station's commands run as root (the daemon's user); the dropper is a
# user the test creates. Without root, useradd or runuser it is skipped.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null ||
    ! command -v runuser >/dev/null; then
	echo "attack-inbox: skipped: needs root, useradd and runuser"
	exit 0
fi
U=loaxa-e2e-drop
id -u $U >/dev/null 2>&1 || useradd -r -M -d /nonexistent -s /bin/sh $U 2>/dev/null ||
    id -u $U >/dev/null 2>&1 || fail "cannot create the user $U"
chmod 0755 "$T"

# as_drop SCRIPT: runs a shell script as the dropper, in $T.
as_drop() {
	runuser -u $U -- sh -c "cd '$T' && $1" || fail "as $U: $1"
}
sum() { sha256sum "$1" | cut -d' ' -f1; }

"$LOAXA" key generate --out district.key >/dev/null 2>&1 || fail "key generate"
"$G" --format wav --kind speech --seconds 2 --seed 3 b.wav >/dev/null || fail "gen-audio"
"$G" --format mp3 --kind speech --seconds 2 --seed 4 p.mp3 >/dev/null || fail "gen-audio"
# station NAME: a station with its data in NAME/data (0750, root's) and an
# inbox NAME/inbox that everyone may write, an import done and a package.
station() {
	mkdir -p "$1/data" "$1/inbox"
	cat >"$1/st.conf" <<EOF
station = { code = "ATK-IN"; name = "Đài thử"; };
paths = { data = "$T/$1/data"; inbox = "$T/$1/inbox"; };
audio = { driver = "null"; realtime = false; };
trust = { districts = ( { name = "Huyện"; key = "$(cat district.key.pub)"; auto_approve = true; } ); };
EOF
	chmod 0750 "$1/data"
	chmod 0777 "$1/inbox"
	run "$LOAXA" -c "$1/st.conf" import --topic cchc --title "Trước" p.mp3
	expect_rc 0
}
run "$LOAXA" package create --key district.key --out p.lxp --topic cchc b.wav
expect_rc 0
chmod 0644 p.lxp b.wav

# --- A. Links planted in the inbox lead nowhere. ---------------------------
station a
DB=$(sum a/data/loaxa.db)
# rejected/ made by the dropper, NAME.why in it a link to the database.
as_drop "mkdir a/inbox/rejected && ln -s '$T/a/data/loaxa.db' a/inbox/rejected/bad.lxp.why &&
    echo junk >a/inbox/bad.lxp"
run "$LOAXA" -c a/st.conf inbox
CHECKS=$((CHECKS + 1))
[ "$(sum a/data/loaxa.db)" = "$DB" ] || fail "the database was written through rejected/bad.lxp.why"
expect_rc 1; expect_err "rejected"

# rejected/ itself a link into the store: a refused file named as a stored
# bulletin would land there, the dropper's, for an import to adopt.
station a2
SHA=$(sum b.wav)
as_drop "ln -s '$T/a2/data/bulletins' a2/inbox/rejected && cp b.wav a2/inbox/$SHA.wav"
run "$LOAXA" -c a2/st.conf inbox
CHECKS=$((CHECKS + 1))
[ ! -e "a2/data/bulletins/$SHA.wav" ] || fail "a refused file was moved into the store"
expect_rc 1; expect_err "rejected"
# The same content imported later is stored as the library's own.
run "$LOAXA" -c a2/st.conf import --topic cchc b.wav
CHECKS=$((CHECKS + 1))
[ "$(stat -c %U "a2/data/bulletins/$SHA.wav")" = root ] || fail "the dropper's file was adopted"

# done/ a link to the data directory: an imported package would land in it.
station a3
as_drop "ln -s '$T/a3/data' a3/inbox/done && cp p.lxp a3/inbox/good.lxp"
run "$LOAXA" -c a3/st.conf inbox
CHECKS=$((CHECKS + 1))
[ ! -e a3/data/good.lxp ] || fail "an imported package was moved into the data directory"
expect_rc 1; expect_err "done"

# --- B. An older rejected/NAME or NAME.why is never replaced. ---------------
station b
as_drop "echo junk >b/inbox/first.lxp"
run "$LOAXA" -c b/st.conf inbox
expect_rc 3
[ -d b/inbox/rejected ] || fail "no rejected/"
# Older entries in the station's own rejected/: a link (left by whatever)
# under the next refused name, and a .why link beside another.
ln -s "$T/b/data/loaxa.db" b/inbox/rejected/bad.lxp.why
ln -s "$T/nowhere" b/inbox/rejected/old.lxp
DB=$(sum b/data/loaxa.db)
as_drop "echo junk >b/inbox/bad.lxp && echo junk >b/inbox/old.lxp"
run "$LOAXA" -c b/st.conf inbox
expect_rc 3; expect_out "2 rejected"
CHECKS=$((CHECKS + 1))
[ "$(sum b/data/loaxa.db)" = "$DB" ] || fail "the database was written through rejected/bad.lxp.why"
CHECKS=$((CHECKS + 1))
[ -L b/inbox/rejected/old.lxp ] || fail "an older rejected/old.lxp was replaced"
CHECKS=$((CHECKS + 1))
[ -f b/inbox/rejected/old.lxp.1 ] && [ -f b/inbox/rejected/old.lxp.1.why ] &&
    [ -f b/inbox/rejected/bad.lxp.1 ] && [ -f b/inbox/rejected/bad.lxp.1.why ] ||
    fail "the refused packages are not under new names: $(ls b/inbox/rejected)"

# --- C. A file planted in the store is not adopted. -------------------------
station c
SHA=$(sum b.wav)
# The dropper's own file, hard-linked into the store (as a move through a
# link once could), then the same content imported: the stored file must
# be the library's own.
as_drop "cp b.wav c/inbox/.mine.wav && chmod 0666 c/inbox/.mine.wav"
ln c/inbox/.mine.wav "c/data/bulletins/$SHA.wav"
run "$LOAXA" -c c/st.conf import --topic cchc b.wav
expect_rc 0
F=c/data/bulletins/$SHA.wav
CHECKS=$((CHECKS + 1))
[ "$(stat -c '%U %h %a' "$F")" = "root 1 640" ] ||
    fail "a planted file was adopted: $(stat -c '%U %h %a' "$F")"
as_drop "echo changed >c/inbox/.mine.wav"
CHECKS=$((CHECKS + 1))
[ "$(sum "$F")" = "$SHA" ] || fail "the dropper can change a stored bulletin"
# Root's own file, but writable by others: copied anew too.
"$G" --format wav --kind speech --seconds 2 --seed 5 d.wav >/dev/null || fail "gen-audio"
SHA=$(sum d.wav)
cp d.wav "c/data/bulletins/$SHA.wav"
chmod 0666 "c/data/bulletins/$SHA.wav"
run "$LOAXA" -c c/st.conf import --topic cchc d.wav
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(stat -c '%U %h %a' "c/data/bulletins/$SHA.wav")" = "root 1 640" ] ||
    fail "a file others may write was adopted"

# --- D. A package still being copied in waits. -----------------------------
station d
SIZE=$(stat -c %s p.lxp)
as_drop "head -c 2000 p.lxp >d/inbox/slow.lxp"
"$LOAXA" -c d/st.conf inbox >d/inbox.out 2>d/inbox.err &
pid=$!
sleep 1
as_drop "tail -c +2001 p.lxp >>d/inbox/slow.lxp"
wait $pid
RC=$?
CHECKS=$((CHECKS + 1))
[ ! -e d/inbox/rejected/slow.lxp ] || fail "a package being copied in was rejected: $(cat d/inbox.err)"
CHECKS=$((CHECKS + 1))
[ "$(stat -c %s d/inbox/done/slow.lxp 2>/dev/null)" = "$SIZE" ] ||
    fail "the whole package was not imported: $(cat d/inbox.out d/inbox.err)"
expect_rc 0

# --- E. The inbox and the data directory apart. ----------------------------
# conf NAME DATA INBOX
conf() {
	cat >"$1.conf" <<EOF
station = { code = "ATK-IN"; name = "Đài thử"; };
paths = { data = "$2"; inbox = "$3"; };
EOF
}
mkdir -p e/data/bulletins e/in
conf same "$T/e/data" "$T/e/data/"
conf inside "$T/e/data" "$T/e/data/bulletins"
conf deeper "./e/data" "e/data/x/inbox"
conf contains "$T/e/in/data" "$T/e/in"
conf dots "$T/e/in/../data" "$T/e/data/bulletins/.."
for c in same inside deeper contains dots; do
	run "$LOAXA" check $c.conf
	expect_rc 2; expect_err "paths.inbox"
done
conf apart "$T/e/data" "$T/e/in"
conf default "$T/e/data" "$T/e/data/inbox"
for c in apart default; do
	run "$LOAXA" check $c.conf
	expect_rc 0
done

# --- F. A name with terminal escapes and a new line reaches no output raw. --
station f
as_drop "printf 'junk' >\"f/inbox/\$(printf 'x\\033[31mred\\nloaxa: forged.lxp')\""
run "$LOAXA" -c f/st.conf inbox
expect_rc 3
CHECKS=$((CHECKS + 1))
printf '%s%s' "$OUT" "$ERR" | od -An -c | grep -q '033' &&
    fail "an escape reached the output: $ERR"
[ "$(printf '%s\n' "$ERR" | grep -c 'forged')" -le 1 ] &&
    printf '%s\n' "$ERR" | grep -q 'x.*red.*loaxa: forged' ||
    fail "the name did not come out on one cleaned line: $ERR"
CHECKS=$((CHECKS + 1))
for w in f/inbox/rejected/*.why; do
	od -An -c "$w" | grep -q '033' && fail "an escape reached $w"
	[ "$(wc -l <"$w")" -eq 1 ] || fail "$w has more than one line"
done

echo "attack-inbox: $CHECKS checks passed"
