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

# 4. What the CLI says when the daemon is not there, in the reader's language.
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf status
expect_rc 1; expect_err "không có bộ phát loaxa nào đang chạy"
LANG=C.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf status
expect_rc 1; expect_err "no loaxa daemon is running here"

# 5. The daemon's human log lines follow the station's LANG (systemd's); the
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

# 6. The reports' and the exports' errors.
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf report --period 2026-Q5
expect_rc 2; expect_err "kỳ báo cáo '2026-Q5' không hợp lệ"
LANG=C.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf report --period 2026-Q5
expect_rc 2; expect_err "unknown period '2026-Q5'"
printf 'hello\n' >x.lxe
LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= run "$LOAXA" -c st.conf verify x.lxe
expect_rc 3; expect_err "x.lxe: không phải bản xuất nhật ký phát sóng của loaxa"

echo "i18n: $CHECKS checks passed"
