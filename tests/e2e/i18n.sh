# Messages in Vietnamese (GNU gettext): every message the source marks for
# translation (_("...") and N_("...")) has a Vietnamese translation in
# po/vi/*.po, none fuzzy; LANG=vi_VN.UTF-8 gives Vietnamese and the C locale
# English, for a sample of commands; numbers in machine output never take a
# decimal comma from the environment.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
command -v xgettext >/dev/null && command -v msgcmp >/dev/null ||
    fail "xgettext and msgcmp (Debian package gettext) are needed"

# 1. Every marked message is translated.
(cd "$SRC" && find . -name '*.c' -not -path './build/*' -not -path './tests/*' |
    sort | xargs xgettext --from-code=UTF-8 -k_ -kN_ -o "$T/loaxa.pot") ||
    fail "xgettext failed"
msgcat --use-first "$SRC"/po/vi/*.po -o "$T/vi.po" || fail "msgcat of po/vi failed"
CHECKS=$((CHECKS + 1))
if ! msgcmp "$T/vi.po" "$T/loaxa.pot" 2>"$T/cmp.err"; then
	n=$(grep -c 'this message is used but not defined\|this message is untranslated' "$T/cmp.err")
	sed -n '1,20p' "$T/cmp.err" >&2
	fail "$n messages of the source have no Vietnamese translation in po/vi/ (above)"
fi
CHECKS=$((CHECKS + 1))
if msgattrib --only-fuzzy "$T/vi.po" | grep -q '^msgid'; then
	fail "fuzzy translations in po/vi/: $(msgattrib --only-fuzzy "$T/vi.po" | grep '^msgid' | head -3)"
fi

# 2. The reader's language, with or without the vi_VN.UTF-8 locale installed.
for lang in vi_VN.UTF-8 vi; do
	LANG=$lang LC_ALL= LANGUAGE= run "$LOAXA" --help
	expect_rc 0; expect_out "các lệnh:"; expect_out "mã thoát"
done
LANG=C LC_ALL= LANGUAGE= run "$LOAXA" --help
expect_rc 0; expect_out "commands:"
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" nosuchcommand
expect_rc 2; expect_err "không có lệnh 'nosuchcommand'"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" nosuchcommand
expect_rc 2; expect_err "unknown command 'nosuchcommand'"

# 3. Machine output keeps the dot whatever the locale asks for.
cat >st.conf <<CONF
station = { code = "I18N"; name = "Đài thử"; };
paths = { data = "$T/data"; };
CONF
"$LOAXA_GEN_AUDIO" --format wav --kind speech --seconds 2 b.wav >/dev/null || fail "gen-audio"
LC_ALL=vi_VN.UTF-8 run "$LOAXA" probe --format json b.wav
expect_rc 0
CHECKS=$((CHECKS + 1))
printf '%s' "$OUT" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
    fail "probe --format json is not JSON under a Vietnamese locale: $OUT"

# 4. Causes in the reader's language: a configuration's FILE:LINE problem,
# a refused import, a forged package; the C locale keeps them English.
cat >bad.conf <<'CONF'
station = { code = "I18N"; name = "Đài thử"; };
audio = { drivr = "null"; };
CONF
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c bad.conf check
expect_rc 2; expect_err "bad.conf:2: không có thiết lập 'drivr' trong audio; có phải là 'driver' không?"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c bad.conf check
expect_rc 2; expect_err "bad.conf:2: unknown setting 'drivr' in audio; did you mean 'driver'?"
printf 'Kính gửi UBND xã,\nđây là văn bản, không phải âm thanh.\n' >notes.wav
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf import notes.wav
expect_rc 3; expect_err "notes.wav: không phải âm thanh: tệp chứa văn bản"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf import notes.wav
expect_rc 3; expect_err "notes.wav: not audio: the file holds text"
run "$LOAXA" -c st.conf key generate --out huyen.key
expect_rc 0
cat >xa.conf <<CONF
station = { code = "I18N-XA"; name = "Đài xã"; };
paths = { data = "$T/xa"; };
trust = { districts = ( { name = "Huyện thử"; key = "$OUT"; } ); };
CONF
run "$LOAXA" -c st.conf package create --key huyen.key --out p.lxp --topic cchc b.wav
expect_rc 0
cp p.lxp forged.lxp
printf 'Z' | dd of=forged.lxp bs=1 seek=$(($(stat -c %s p.lxp) - 2000)) conv=notrunc 2>/dev/null
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c xa.conf package import forged.lxp
expect_rc 3; expect_err "forged.lxp: giả mạo hoặc hư hỏng: "
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c xa.conf package import forged.lxp
expect_rc 3; expect_err "forged.lxp: forged or damaged: "

# 5. What the CLI says when the daemon is not there, in the reader's language.
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf status
expect_rc 1; expect_err "không có bộ phát loaxa nào đang chạy"
LANG=C.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf status
expect_rc 1; expect_err "no loaxa daemon is running here"

# 6. The daemon's human log lines follow the station's LANG (systemd's); the
# null output keeps the machine quiet.
cat >d.conf <<CONF
station = { code = "I18N"; name = "Đài thử"; };
paths = { data = "$T/ddata"; };
audio = { driver = "null"; };
CONF
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c d.conf run --for 2s
expect_rc 0
expect_err "đang chạy: đài I18N, dữ liệu tại $T/ddata, đầu ra âm thanh null"
expect_err "đã hết thời gian chạy được yêu cầu; dừng lại"
LANG=C.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c d.conf run --for 1s
expect_rc 0
expect_err "running: station I18N, data in $T/ddata, audio null"

# 7. The reports' and the exports' errors.
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf report --period 2026-Q5
expect_rc 2; expect_err "kỳ báo cáo '2026-Q5' không hợp lệ"
LANG=C.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf report --period 2026-Q5
expect_rc 2; expect_err "unknown period '2026-Q5'"
printf 'hello\n' >x.lxe
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf verify x.lxe
expect_rc 3; expect_err "x.lxe: không phải bản xuất nhật ký phát sóng của loaxa"

# 8. A sample of the commands' own lines, in Vietnamese under vi_VN.UTF-8 and
# in English under C.UTF-8 (the Vietnamese as written in po/vi/10-cli.po).
# Not one of them unchanged in English: a message left unmarked shows here.
expect_not_out() {
	CHECKS=$((CHECKS + 1))
	case "$OUT" in *"$1"*) fail "stdout has: $1" ;; esac
}
expect_not_err() {
	CHECKS=$((CHECKS + 1))
	case "$ERR" in *"$1"*) fail "stderr has: $1" ;; esac
}
# The Vietnamese that the catalogue gives for msgid, or msgid itself.
vi_text() {
	v=$(msggrep --no-wrap -K -F -e "$1" "$T/vi.po" |
	    sed -n 's/^msgstr "\(.*\)"$/\1/p' | grep -v '^$' | tail -1)
	printf '%s' "${v:-$1}"
}

LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" import --help
expect_rc 0
expect_out "cách dùng: loaxa import [--title T]"
expect_out "kiểm tra tệp âm thanh và nhập vào kho bản tin"
expect_out "Mỗi FILE (MP3, MP2, WAV, FLAC, Ogg Vorbis, Opus) được giải mã một lần"
expect_out "  --min-airings N   số lượt phát tối thiểu bắt buộc (để báo cáo)"
expect_out "mã thoát: 0 đã thêm tất cả (hoặc đã có sẵn), 3 có tệp bị từ chối,"
expect_out '  loaxa import --topic cchc --agency "UBND xã" --until 2026-12-31 \'
expect_not_out "Each FILE"; expect_not_out "how many times it must air"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" import --help
expect_rc 0
expect_out "usage: loaxa import [--title T]"
expect_out "check audio files and add them to the bulletin library (nhập bản tin)"
expect_out "  --min-airings N   how many times it must air (for the report)"
expect_out "exit status: 0 all added (or already there), 3 a file was refused,"
expect_not_out "số lượt phát tối thiểu"

# check on a configuration with a problem: its count, exit 2.
printf 'station = { code = "X"; name = "Y"; bogus = 1; };\n' >bad.conf
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" check bad.conf
expect_rc 2; expect_err "bad.conf: 1 lỗi"; expect_not_err "1 problem"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" check bad.conf
expect_rc 2; expect_err "bad.conf: 1 problem"; expect_not_err "lỗi"

# list on an empty library.
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf list
expect_rc 0; expect_out "không có bản tin nào"; expect_not_out "no bulletins"
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf list --status pending
expect_rc 0; expect_out "không có bản tin nào chờ duyệt"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf list
expect_rc 0; expect_out "no bulletins"; expect_not_out "không có"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf list --status pending
expect_rc 0; expect_out "no bulletins pending"

# approve of an id the library does not have (its line is the library's),
# and of something that is no id at all (the command's own).
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf approve --by "Nguyễn Văn A" 99
expect_rc 3
expect_err "99: $(vi_text 'no bulletin %lld in the library' | sed 's/%lld/99/')"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf approve --by "Nguyễn Văn A" 99
expect_rc 3; expect_err "99: no bulletin 99 in the library"
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf approve --by "Nguyễn Văn A" abc
expect_rc 2
expect_err "loaxa approve: 'abc' không phải là mã số bản tin (xem loaxa list)"
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf approve 12
expect_rc 2; expect_err "loaxa approve: cần có --by TÊN (người quyết định được ghi lại)"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf approve 12
expect_rc 2; expect_err "loaxa approve: --by NAME is required (who decides is recorded)"

# plan --help: the command's own help in the reader's language.
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" plan --help
expect_rc 0
expect_out "chạy thử: những gì bộ lập lịch sẽ phát, theo từng khung giờ"
expect_out "  --days N        hiển thị N ngày, từ 1 đến 366 (mặc định 7)"
expect_not_out "Simulates the timetable"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" plan --help
expect_rc 0
expect_out "dry run: what the scheduler would air, slot by slot"
expect_out "  --days N        show N days, 1 to 366 (default 7)"
expect_not_out "lịch phát sóng"

# 5. loaxa link (in loaxa-net) without a link section says so in the reader's
# language, through the same catalogue.
LANG=vi_VN.UTF-8 LC_ALL= run "$LOAXA" -c st.conf link
expect_rc 2; expect_err "st.conf không có mục link: đài này không có máy chủ MQTT nào"
LANG=C.UTF-8 LC_ALL= run "$LOAXA" -c st.conf link
expect_rc 2; expect_err "st.conf has no link section: this station has no broker"


echo "i18n: $CHECKS checks passed"
