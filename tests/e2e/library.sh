# The bulletin library end to end: import and its refusals, the workflow,
# list formats, verify-library, keys and signed packages, the inbox.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

: "${LOAXA_GEN_AUDIO:=}"
# A WAV: python3's wave module (no other tool needed). $1 name, $2 seconds, $3 amplitude.
mkwav() {
	python3 - "$1" "$2" "$3" "${4:-440}" <<'PY'
import math, struct, sys, wave
name, secs, amp, f = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
w = wave.open(name, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b''.join(struct.pack('<h', int(amp * 32000 * math.sin(2 * math.pi * f * i / 8000))) for i in range(int(secs * 8000))))
w.close()
PY
}
mkwav a.wav 2 0.3; mkwav b.wav 3 0.3 660; mkwav c.wav 2 0.3 880
mkwav short.wav 0.4 0.3; mkwav silent.wav 2 0
head -c 3000 b.wav > truncated.wav; echo "không phải âm thanh" > text.wav

cat > st.conf <<'CONF'
station = { code = "HY-KD-TT"; name = "Đài truyền thanh xã Toàn Thắng"; };
paths = { data = "./data"; inbox = "./inbox"; };
CONF
L="$LOAXA -c st.conf"

count() { $L list --format csv | tail -n +2 | wc -l; }

# Refusals: exit 3, "FILE: reason", nothing added.
for f in short.wav silent.wav truncated.wav text.wav nothere.wav; do
	run $L import $f
	expect_rc 3; expect_err "$f: "; expect_one_err_line
done
[ "$(count)" -eq 0 ] || fail "a refused file was added"
run $L import --topic nosuch a.wav
expect_rc 2; expect_err "unknown topic 'nosuch'"; expect_err "cchc"
run $L import --approve a.wav
expect_rc 2; expect_err "--by"

# Import: the id is the last word; the same content again is the same bulletin.
run $L import --topic cchc --title "Bản tin PAPI số 1" --agency "UBND xã" a.wav
expect_rc 0; expect_out "pending"
ID=${OUT##* }
run $L import --topic tthc b.wav
expect_rc 0
run $L import c.wav a.wav
expect_rc 0; expect_out "same bulletin"
[ "${OUT##* }" = "$ID" ] || fail "double import gave another id"
[ "$(count)" -eq 3 ] || fail "expected 3 bulletins"

# Tags: a bad one is refused by name (exit 2, nothing changes); the same
# content again with --tag adds those it lacks and says so; show, list JSON
# and CSV give them.
run $L import --tag papi --tag Papi a.wav
expect_rc 2; expect_err "'Papi' is not a tag"; expect_one_err_line
run $L show "$ID"
expect_rc 0; expect_out "tags         -"
run $L import --tag papi --tag bau-cu --tag papi a.wav
expect_rc 0; expect_out "2 tags added, its tags: bau-cu, papi): $ID"
run $L import --tag papi a.wav
expect_rc 0; expect_out "it has the tags already: bau-cu, papi): $ID"
run $L show "$ID"
expect_rc 0; expect_out "tags         bau-cu, papi"
run $L list
expect_rc 0; expect_out "TAGS"; expect_out "bau-cu,papi"
run $L list --format json
expect_rc 0; expect_out '"tags":["bau-cu","papi"]'; expect_out '"tags":[]'
run $L list --format csv
expect_rc 0; expect_out ",path,tags"; expect_out ",bau-cu papi"

# --approve on content that waits for approval approves it.
run $L import --approve --by "Cán bộ C" c.wav
expect_rc 0; expect_out "approved now): 3"
run $L show 3
expect_rc 0; expect_out "pending -> approved by Cán bộ C"

# Workflow and the history.
run $L approve "$ID"
expect_rc 2; expect_err "--by"
run $L approve --by "Nguyễn Văn A" "$ID"
expect_rc 0; expect_out "approved by Nguyễn Văn A"
run $L approve --by "Nguyễn Văn A" "$ID"
expect_rc 3; expect_err "already approved"
run $L reject --by "Trần B" --reason "sai số liệu" 2
expect_rc 0
run $L retire --by "Trần B" 3
expect_rc 0
run $L show "$ID"
expect_rc 0; expect_out "Bản tin PAPI số 1"; expect_out "approve "; expect_out "Nguyễn Văn A"
run $L show 2
expect_out "sai số liệu"
run $L list --status approved --format json
expect_rc 0; expect_out '"title":"Bản tin PAPI số 1"'; expect_out '"status":"approved"'
expect_out '"duration_ms":2000'; expect_out '"valid_until":null'
if command -v python3 >/dev/null; then
	$L list --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==3 and all(k in d[0] for k in ("id","title","topic","agency","status","sha256","duration_ms","valid_from","valid_until"))' || fail "list json"
fi
run $L list --format xml
expect_rc 2

# verify-library: intact, then a changed file.
run $L verify-library
expect_rc 0; expect_out "all intact"
F=$($L show --format json "$ID" | sed 's/.*"path":"\([^"]*\)".*/\1/')
[ -f "$F" ] || fail "no stored file $F"
printf 'x' | dd of="$F" bs=1 seek=200 conv=notrunc 2>/dev/null
run $L verify-library
expect_rc 3; expect_err "changed (bulletin $ID)"

# Keys and packages.
run $LOAXA key generate --out huyen.key
expect_rc 0
PUB=$OUT
[ "$(stat -c %a huyen.key)" = 600 ] || fail "secret key is not 0600"
run $LOAXA key generate --out huyen.key
expect_rc 1; expect_err "already exists"
run $LOAXA package create --key huyen.key --out p.lxp --topic cchc --agency "Huyện Kim Động" --until 2099-12-31 c.wav b.wav
expect_rc 0
run $LOAXA package create --key huyen.key --out bad.lxp c.wav silent.wav
expect_rc 3; expect_err "silent.wav: "
[ ! -e bad.lxp ] || fail "a package was written with a bad file"

cat > xa.conf <<CONF
station = { code = "HY-KD-X"; name = "Xã khác"; };
paths = { data = "./xa"; inbox = "./xa-inbox"; };
trust = { districts = ( { name = "TT VH-TT&DL Kim Động"; key = "$PUB"; auto_approve = true; } ); };
CONF
run $L package import p.lxp
expect_rc 3; expect_err "p.lxp: signed by an unknown key"
cp p.lxp forged.lxp
printf 'Z' | dd of=forged.lxp bs=1 seek=700 conv=notrunc 2>/dev/null
run $LOAXA -c xa.conf package import forged.lxp
expect_rc 3; expect_err "forged.lxp: "
head -c 20000 p.lxp > short.lxp
run $LOAXA -c xa.conf package import short.lxp
expect_rc 3; expect_err "truncated"
run $LOAXA -c xa.conf list --format csv
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "a refused package added bulletins"
run $LOAXA -c xa.conf package import p.lxp
expect_rc 0; expect_out "approved"
run $LOAXA -c xa.conf list --status approved --format csv
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 3 ] || fail "package bulletins not approved"

# Packages carry tags: --tag for every file, a manifest's tags added per
# bulletin; they arrive with the bulletins, and content the commune has
# already (c.wav) takes them.
mkwav e.wav 2 0.3 990
cat > m.conf <<'CONF'
bulletins = ( { file = "e.wav"; title = "Tin bầu cử"; tags = [ "bau-cu" ]; },
              { file = "c.wav"; } );
CONF
run $LOAXA package create --key huyen.key --out t.lxp --tag papi --manifest m.conf
expect_rc 0; expect_out "2 bulletins packed and signed"
run $LOAXA -c xa.conf package import t.lxp
expect_rc 0; expect_out 'added "Tin bầu cử"'; expect_out "tags bau-cu papi: "
expect_out "already in the library:"
$LOAXA -c xa.conf list --format json | python3 -c '
import hashlib, json, sys
d = {b["sha256"]: b for b in json.load(sys.stdin)}
sha = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
assert d[sha("e.wav")]["tags"] == ["bau-cu", "papi"], d[sha("e.wav")]
assert d[sha("c.wav")]["tags"] == ["papi"], d[sha("c.wav")]
assert d[sha("b.wav")]["tags"] == [], d[sha("b.wav")]
' || fail "package tags"
CHECKS=$((CHECKS + 1))
# A manifest's settings of the wrong type or with bad values: each at its
# line, exit 2, no package.
cat > bad-m.conf <<'CONF'
bulletins = ( { file = "e.wav"; min_airings = "8"; title = 5; },
              { file = "c.wav"; from = "2026-13-01"; until = 20260601; tags = [ "Papi" ]; } );
CONF
run $LOAXA package create --key huyen.key --out bad.lxp --manifest bad-m.conf
expect_rc 2
expect_err "bad-m.conf:1: 'min_airings' must be an integer, not a string"
expect_err "bad-m.conf:1: 'title' must be a string in quotes, not an integer"
expect_err "bad-m.conf:2: '2026-13-01' is not a date"
expect_err "bad-m.conf:2: 'until' must be a string in quotes, not an integer"
expect_err "bad-m.conf:2: 'Papi' is not a tag"
[ ! -e bad.lxp ] || fail "a package was written from a bad manifest"
# The shipped example manifest packs as it is.
mkdir ex
cp "$SRC/examples/package.conf" ex/
mkwav ex/cai-cach-hanh-chinh-thang-6.mp3 2 0.3 300; mkwav ex/thu-tuc-hanh-chinh-moi.mp3 2 0.3 350
run $LOAXA package create --key huyen.key --out ex.lxp --manifest ex/package.conf
expect_rc 0; expect_out "2 bulletins packed and signed"
grep -aq '^tags papi cai-cach-2026$' ex.lxp || fail "the example's tags are not in its package"

# The inbox: good to done/, bad to rejected/ with a note.
mkdir -p xa-inbox
run $LOAXA package create --key huyen.key --out xa-inbox/good.lxp --topic cchc c.wav
expect_rc 0
cp forged.lxp xa-inbox/evil.lxp
run $LOAXA -c xa.conf inbox
expect_rc 3; expect_out "1 package imported, 1 rejected"
[ -f xa-inbox/done/good.lxp ] || fail "good package not in done/"
[ -f xa-inbox/rejected/evil.lxp.why ] || fail "no .why for the rejected package"

# Package sequences: each package takes the next number from the counter
# beside the key; a replayed or older one is refused on one line and changes
# nothing; a newer one corrects the metadata of what its district brought,
# or retires it; format 1 is refused with its own reason.
[ -f huyen.key.seq ] || fail "no counter beside the district key"
run $LOAXA package create --key huyen.key --out old.lxp --topic cchc --title "Tin cũ" c.wav
expect_rc 0
run $LOAXA package create --key huyen.key --out new.lxp --topic cchc --title "Tin đã sửa" \
    --agency "TT VH-TT&DL Kim Động" --until 2099-06-30 --min-airings 4 c.wav
expect_rc 0
NEW=${OUT##*package }
run $LOAXA -c xa.conf package import new.lxp
expect_rc 0; expect_out 'corrected: "Tin đã sửa"'
ID=${OUT##* }
run $LOAXA -c xa.conf show "$ID"
expect_rc 0; expect_out "Kim Động'"; expect_out "package $NEW: title "
expect_out "until '2099-12-31' -> '2099-06-30'"
BEFORE=$($LOAXA -c xa.conf list --format json; $LOAXA -c xa.conf show "$ID")
run $LOAXA -c xa.conf package import old.lxp
expect_rc 3; expect_err "old.lxp: replayed or older than package $NEW already imported"
expect_one_err_line
run $LOAXA -c xa.conf package import new.lxp
expect_rc 3; expect_err "new.lxp: replayed or older than package $NEW already imported"
sed '1s/^LOAXA-PACKAGE 2$/LOAXA-PACKAGE 1/' new.lxp > v1.lxp
run $LOAXA -c xa.conf package import v1.lxp
expect_rc 3
expect_err "v1.lxp: package format 1 is no longer accepted: ask the district to pack it again"
AFTER=$($LOAXA -c xa.conf list --format json; $LOAXA -c xa.conf show "$ID")
[ "$BEFORE" = "$AFTER" ] || fail "a refused package changed the library"
run $LOAXA package create --key huyen.key --out retire.lxp --retire "$(sha256sum c.wav | cut -c1-64)"
expect_rc 0; expect_out "0 bulletins packed and signed, 1 retirement"
run $LOAXA -c xa.conf package import retire.lxp
expect_rc 0; expect_out 'retired: "Tin đã sửa"'
run $LOAXA -c xa.conf list --status retired
expect_rc 0; expect_out "Tin đã sửa"

# CSV for Excel: UTF-8 with a byte-order mark.
run $LOAXA -c xa.conf list --format csv
[ "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf ] ||
    fail "list CSV has no byte-order mark"

# Validity ends: the next command of any kind retires what ended before
# today (not only an import), with an audit entry.
mkwav d.wav 2 0.3 550
run $L import --topic cchc --until 2020-01-31 --approve --by "Cán bộ" d.wav
expect_rc 0
ID=${OUT##* }
run $L list --status retired
expect_rc 0; expect_out "..2020-01-31"
run $L show "$ID"
expect_rc 0; expect_out "approved -> retired by loaxa: validity ended before"
echo "$CHECKS checks"
