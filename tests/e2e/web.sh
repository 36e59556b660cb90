# loaxa web over HTTP (curl): no page without a session, wrong passwords and
# the rate limit, CSRF tokens, roles, uploads (too big, not audio), unknown
# ids, '..' in a path; each leaves the library as it was.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?}"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 0; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >loaxa.conf <<CONF
station = { code = "HY-TEST"; name = "Đài thử"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { data = "$T/data"; };
audio = { driver = "null"; };
web = { address = "127.0.0.1"; port = $PORT; upload_max_mb = 1; };
CONF
export LOAXA_CONFIG="$T/loaxa.conf"
U="http://127.0.0.1:$PORT"

"$LOAXA_GEN_AUDIO" --format mp3 --kind speech --seconds 3 ok.mp3 || fail "gen-audio"
run "$LOAXA" import --title "Có sẵn" ok.mp3
expect_rc 0
echo 'mat-khau-duyet' | "$LOAXA" web user add duyet --role approver >/dev/null || fail "user add"
echo 'mat-khau-vanhanh' | "$LOAXA" web user add vanhanh --role operator >/dev/null || fail "user add"
run sh -c "echo ngan | '$LOAXA' web user add x --role operator"
expect_rc 2
expect_err "8 to 1024 bytes"
run sh -c "echo mat-khau-dai | '$LOAXA' web user add x --role admin"
expect_rc 2
expect_err "operator, approver or viewer"

# What a crash left: old request directories go at start; a newer one, a
# symbolic link, a name of another pattern and what a link points to stay.
mkdir -p data/web-upload-AbC123 data/web-report-XyZ789 data/web-upload-new000 \
	data/web-upload-other elsewhere
echo x >data/web-upload-AbC123/0-tin.mp3
echo x >data/web-report-XyZ789/bao-cao.xlsx
echo x >elsewhere/keep
ln -s "$T/elsewhere" data/web-report-Link00
touch -d '2 hours ago' data/web-upload-AbC123/0-tin.mp3 data/web-upload-AbC123 \
	data/web-report-XyZ789/bao-cao.xlsx data/web-report-XyZ789 \
	data/web-upload-other elsewhere/keep elsewhere
touch -h -d '2 hours ago' data/web-report-Link00
touch -d '1 hour' data/web-upload-new000

"$LOAXA" web 2>web.err &
WEB=$!
trap 'kill $WEB 2>/dev/null; rm -rf "$T"' EXIT
i=0
until curl -s -o /dev/null "$U/login"; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "loaxa web did not start: $(cat web.err)"
	sleep 0.1
done

CHECKS=$((CHECKS + 1))
[ ! -e data/web-upload-AbC123 ] && [ ! -e data/web-report-XyZ789 ] ||
	fail "stale request directories left: $(ls data)"
CHECKS=$((CHECKS + 1))
[ -d data/web-upload-new000 ] && [ -d data/web-upload-other ] && [ -L data/web-report-Link00 ] &&
	[ -f elsewhere/keep ] || fail "the sweep removed too much: $(ls data)"
grep -q "web-upload-AbC123, left by an earlier run" web.err || fail "the sweep said nothing"
rm -rf data/web-upload-new000 data/web-upload-other data/web-report-Link00

snap() { "$LOAXA" list --format json; }
BEFORE=$(snap)
same() {
	CHECKS=$((CHECKS + 1))
	[ "$(snap)" = "$BEFORE" ] || fail "$1: the library changed"
}
# code URL [curl options]: the HTTP status
code() { u=$1; shift; curl -s -o body -w '%{http_code}' "$@" "$U$u"; }
expect_code() {
	CHECKS=$((CHECKS + 1))
	[ "$1" = "$2" ] || { cat body >&2; fail "$3: HTTP $1, expected $2"; }
}
body_has() {
	CHECKS=$((CHECKS + 1))
	grep -qF -- "$1" body || { cat body >&2; fail "the page lacks: $1"; }
}

# Without a session: pages go to the login, the rest is 401.
for p in / /bulletins /bulletins/1 /plan /play /log /reports "/reports/file?format=csv"; do
	expect_code "$(code "$p")" 303 "GET $p without a session"
done
expect_code "$(code /api/state)" 401 "the state without a session"
expect_code "$(code /audio/1)" 303 "audio without a session"
expect_code "$(code /bulletins/1/approve -d x=1)" 401 "approve without a session"
expect_code "$(code /bulletins/1/approve -b 'loaxa_sid=0000000000000000000000000000000000000000000000000000000000000000' -d x=1)" 401 "a forged session"
same "no session"

# A wrong password, then the rate limit: five failures in a minute lock the name.
expect_code "$(code /login -d 'name=duyet&password=sai-roi')" 401 "a wrong password"
body_has "Sai tên hoặc mật khẩu"
for n in 2 3 4 5; do code /login -d 'name=vanhanh&password=sai' >/dev/null; done
code /login -d 'name=vanhanh&password=sai' >/dev/null
expect_code "$(code /login -d 'name=vanhanh&password=mat-khau-vanhanh')" 429 "the sixth try, right password"
body_has "thử lại sau"
# Another name is not slowed down.
expect_code "$(code /login -c duyet.jar -d 'name=duyet&password=mat-khau-duyet')" 303 "the approver logs in"
grep -q 'HttpOnly' duyet.jar || grep -q '#HttpOnly_' duyet.jar || fail "the session cookie is not HttpOnly"
curl -s -D hdr -o /dev/null -d 'name=duyet&password=mat-khau-duyet' "$U/login"
grep -qi 'set-cookie: loaxa_sid=.*HttpOnly; SameSite=Strict; Max-Age=' hdr || fail "cookie flags: $(cat hdr)"
csrf() { curl -s -b "$1" "$U/play" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1; }
CD=$(csrf duyet.jar)
[ ${#CD} -eq 64 ] || fail "no CSRF token in the page"

# CSRF: missing, wrong, stale (from a session that ended).
expect_code "$(code /bulletins/1/approve -b duyet.jar -d x=1)" 403 "approve without a CSRF token"
expect_code "$(code /bulletins/1/approve -b duyet.jar -d csrf=abc)" 403 "a wrong CSRF token"
OLD=$CD
expect_code "$(code /logout -b duyet.jar -d "csrf=$CD")" 303 "log out"
expect_code "$(code /bulletins -b duyet.jar)" 303 "the ended session"
code /login -c duyet.jar -d 'name=duyet&password=mat-khau-duyet' >/dev/null
CD=$(csrf duyet.jar)
[ "$CD" != "$OLD" ] || fail "a new session has the old CSRF token"
expect_code "$(code /bulletins/1/approve -b duyet.jar -d "csrf=$OLD")" 403 "a stale CSRF token"
same "CSRF"

# The operator: logs in after the minute? No: a fresh name.
echo 'mat-khau-op2' | "$LOAXA" web user add op2 --role operator >/dev/null
code /login -c op.jar -d 'name=op2&password=mat-khau-op2' >/dev/null
CO=$(csrf op.jar)
expect_code "$(code /bulletins/1/approve -b op.jar -d "csrf=$CO")" 403 "approve as an operator"
body_has "Chỉ người duyệt"
expect_code "$(code /bulletins/1/reject -b op.jar -d "csrf=$CO&reason=x")" 403 "reject as an operator"
same "operator approve"

# Uploads: too big (1 MB limit), not audio (the importer's text), no file.
head -c 1500000 /dev/urandom >big.mp3
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F file=@big.mp3)" 413 "an oversized upload"
printf 'this is not audio at all\n' >notes.mp3
run "$LOAXA" import notes.mp3
WHY=$(printf '%s' "$ERR" | sed 's/^notes.mp3: //')
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F file=@notes.mp3)" 422 "a non-audio upload"
body_has "$(printf '%s' "$WHY" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g')"
expect_code "$(code /bulletins -b op.jar -F csrf=bad -F file=@notes.mp3)" 403 "an upload with a wrong token"
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F topic=nope -F file=@ok.mp3)" 400 "an unknown topic"
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F until=2026-02-30 -F file=@ok.mp3)" 400 "a bad date"
ls "$T/data" | grep -q web-upload && fail "an upload directory was left behind"
same "bad uploads"

# Unknown ids, bad paths, bad ranges.
expect_code "$(code /bulletins/999 -b duyet.jar)" 404 "an unknown bulletin"
expect_code "$(code /bulletins/abc -b duyet.jar)" 404 "a bulletin id that is not a number"
expect_code "$(code /bulletins/999/approve -b duyet.jar -d "csrf=$CD")" 422 "approve an unknown id"
expect_code "$(code /audio/999 -b duyet.jar)" 404 "audio of an unknown id"
expect_code "$(code /static/../data/loaxa.db --path-as-is)" 400 "'..' in a path"
expect_code "$(code /audio/../../etc/passwd --path-as-is -b duyet.jar)" 400 "'..' in a path, signed in"
expect_code "$(code /nothing -b duyet.jar)" 404 "an unknown page"
expect_code "$(code /audio/1 -b duyet.jar -H 'Range: bytes=99999999-')" 416 "a range past the end"
same "bad ids and paths"

# What works: a good upload by the operator, a range, the approver approves.
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F title="Tin mới" -F file=@ok.mp3)" 200 "an upload of the same content"
body_has "đã có trong thư viện"
"$LOAXA_GEN_AUDIO" --format mp3 --kind tone --seconds 2 --seed 7 new.mp3
expect_code "$(code /bulletins -b op.jar -F "csrf=$CO" -F title="Tin mới" -F topic= -F file=@new.mp3)" 200 "an upload"
body_has "đã thêm, chờ duyệt"
run "$LOAXA" list --status pending --format json
expect_out '"title":"Tin mới"'
SIZE=$(stat -c %s "$(ls "$T"/data/bulletins/* | head -n 1)")
expect_code "$(code /audio/1 -b duyet.jar -H 'Range: bytes=0-99')" 206 "a range"
CHECKS=$((CHECKS + 1)); [ "$(stat -c %s body)" -eq 100 ] || fail "the range has $(stat -c %s body) bytes"
expect_code "$(code /bulletins/2/approve -b duyet.jar -d "csrf=$CD")" 303 "approve as the approver"
run "$LOAXA" show 2
expect_out "duyet (web)"
expect_code "$(code /bulletins/2/reject -b duyet.jar -d "csrf=$CD")" 400 "reject without a reason"
expect_code "$(code "/log?from=2026-13-01" -b duyet.jar)" 400 "a bad date in the log"
for p in / /bulletins /bulletins/1 /plan /play /log /reports "/reports/view?period=2026" "/reports/file?period=2026&format=csv"; do
	expect_code "$(code "$p" -b duyet.jar)" 200 "GET $p"
done
expect_code "$(code /api/state -b duyet.jar)" 200 "the state"
body_has '"online":false'
body_has '"link":null'
# The station link's state, as `loaxa link` writes it, goes to the page as
# text (the browser parses it), whatever it holds.
mkdir -p data/link
printf '{"connected": false, "since": "2026-12-07T05:30:00.000+07:00", "broker": "mqtts://huyen:8883", "queued": 3}\n' >data/link/status.json
expect_code "$(code /api/state -b duyet.jar)" 200 "the state with a link"
body_has '"link":"{\"connected\": false, \"since\": \"2026-12-07T05:30:00.000+07:00\"'
python3 -c 'import json,sys; d=json.load(open("body")); l=json.loads(d["link"]); sys.exit(l["queued"] != 3)' ||
	fail "the state with a link is not JSON: $(cat body)"
printf '{"connected": tr\001"</script>' >data/link/status.json
expect_code "$(code /api/state -b duyet.jar)" 200 "the state with a damaged link file"
python3 -c 'import json; json.load(open("body"))' || fail "a damaged link file broke the state: $(cat body)"
rm -r data/link

# A slow client is dropped: headers never finished.
CHECKS=$((CHECKS + 1))
python3 - "$PORT" <<'PY' || fail "a client that never finished its headers kept its connection"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
s.settimeout(15)
t = time.monotonic()
try:
    data = s.recv(100)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if time.monotonic() - t < 12 else 1)
PY
kill -0 $WEB || fail "loaxa web died"
echo "web.sh: $CHECKS checks passed"
