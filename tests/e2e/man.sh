# loaxa(1) and its Vietnamese edition, doc/loaxa.vi.1: both render at 80
# columns without a warning; the Vietnamese page has every heading of the
# English one, in the same order, with the same number of subsections and of
# entries in each; every entry of COMMANDS (the commands and the log's reason
# codes) is there with the same synopsis line; `make install` puts it where
# `man -L vi loaxa` finds it. When the English page changes, this says what the
# Vietnamese one lacks.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
EN=$SRC/doc/loaxa.1
VI=$SRC/doc/loaxa.vi.1
[ -f "$VI" ] || fail "doc/loaxa.vi.1 is missing"

# 1. No warnings, as man formats them (groff with man's line length without it).
if command -v man >/dev/null; then
	warnings() { LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null; }
elif command -v groff >/dev/null; then
	warnings() { groff -k -man -Tutf8 -ww -rLL=78n -rLT=78n "$1" 2>&1 >/dev/null; }
else
	fail "man (Debian package man-db) or groff (groff-base) is needed: run tools/deps"
fi
for page in "$EN" "$VI"; do
	CHECKS=$((CHECKS + 1))
	w=$(warnings "$page")
	[ -z "$w" ] || fail "$(basename "$page") renders with warnings: $w"
done

# 2. The same outline: each English .SH heading has its Vietnamese title, in
# the same place, and each section the same number of .SS and of entries
# (.TP, .TQ, .IP).
cat >headings <<'MAP'
NAME	TÊN
SYNOPSIS	TÓM TẮT
DESCRIPTION	MÔ TẢ
OPTIONS	TÙY CHỌN
COMMANDS	CÁC LỆNH
CONFIGURATION	CẤU HÌNH
RELAYS	TIẾP SÓNG
LINK	KẾT NỐI
EXIT STATUS	MÃ THOÁT
ENVIRONMENT	BIẾN MÔI TRƯỜNG
FILES	TỆP
EXAMPLES	VÍ DỤ
SEE ALSO	XEM THÊM
MAP
# outline PAGE: one line per .SH: its title, its .SS count, its entry count.
outline() {
	awk '/^\.SH / { if (t != "") print t "\t" ss "\t" tp; t = substr($0, 5); ss = 0; tp = 0 }
	     /^\.SS / { ss++ }
	     /^\.(TP|TQ|IP)( |$)/ { tp++ }
	     END { if (t != "") print t "\t" ss "\t" tp }' "$1" | sed 's/"//g'
}
outline "$EN" >en.outline
outline "$VI" >vi.outline
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^\.SH' "$EN")" -eq "$(grep -c '^\.SH' "$VI")" ] ||
	fail "loaxa.1 has $(grep -c '^\.SH' "$EN") .SH headings, loaxa.vi.1 $(grep -c '^\.SH' "$VI")"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^\.SS' "$EN")" -eq "$(grep -c '^\.SS' "$VI")" ] ||
	fail "loaxa.1 has $(grep -c '^\.SS' "$EN") .SS headings, loaxa.vi.1 $(grep -c '^\.SS' "$VI")"
n=0
while IFS='	' read -r title ss tp; do
	n=$((n + 1))
	vi=$(awk -F '	' -v t="$title" '$1 == t { print $2 }' headings)
	[ -n "$vi" ] || fail "loaxa.1's heading $title has no Vietnamese title in tests/e2e/man.sh: translate the section into loaxa.vi.1 and add the title there"
	line=$(sed -n "${n}p" vi.outline)
	CHECKS=$((CHECKS + 1))
	[ "$(printf '%s' "$line" | cut -f1)" = "$vi" ] ||
		fail "heading $n of loaxa.1 is $title, so loaxa.vi.1's should be $vi, not $(printf '%s' "$line" | cut -f1)"
	CHECKS=$((CHECKS + 1))
	[ "$(printf '%s' "$line" | cut -f2)" = "$ss" ] ||
		fail "$title has $ss subsections (.SS) in loaxa.1, $vi $(printf '%s' "$line" | cut -f2) in loaxa.vi.1"
	CHECKS=$((CHECKS + 1))
	[ "$(printf '%s' "$line" | cut -f3)" = "$tp" ] ||
		fail "$title has $tp entries (.TP, .TQ, .IP) in loaxa.1, $vi $(printf '%s' "$line" | cut -f3) in loaxa.vi.1"
done <en.outline

# 3. Every entry of COMMANDS: the line after each .TP or .TQ that starts with
# .B or .BR, in the section named COMMANDS (CÁC LỆNH), is the same line in the
# Vietnamese page; its leading lower-case words name the command (or code).
heads() { # PAGE TITLE: the entry lines of section TITLE
	awk -v t="$2" '/^\.SH / { in_s = (substr($0, 5) == t); next }
	     in_s && /^\.(TP|TQ)( |$)/ { head = 1; next }
	     in_s && head && /^\.BR? / { print }
	     { head = 0 }' "$1"
}
# plain LINE: a man line as it reads (fail's echo would take \f for a form feed).
plain() { printf '%s\n' "$1" | sed 's/\\f[BIRP]//g; s/\\//g'; }
heads "$EN" COMMANDS >en.heads
heads "$VI" "CÁC LỆNH" >vi.heads
CHECKS=$((CHECKS + 1))
[ "$(wc -l <en.heads)" -ge 20 ] || fail "found only $(wc -l <en.heads) entries in loaxa.1's COMMANDS"
while IFS= read -r head; do
	cmd=$(printf '%s\n' "$head" | awk '{ c = ""; for (i = 2; i <= NF && $i ~ /^[a-z][a-z0-9\\-]*$/; i++) c = c (c == "" ? "" : " ") $i; print c }')
	[ -n "$cmd" ] || fail "no command name in loaxa.1's entry: $(plain "$head")"
	CHECKS=$((CHECKS + 1))
	awk -v c="$cmd" '{ d = ""; for (i = 2; i <= NF && $i ~ /^[a-z][a-z0-9\\-]*$/; i++) d = d (d == "" ? "" : " ") $i; if (d == c) f = 1 } END { exit !f }' vi.heads ||
		fail "loaxa.vi.1 does not document $(plain "$cmd") (loaxa.1: $(plain "$head"))"
	CHECKS=$((CHECKS + 1))
	grep -qxF -- "$head" vi.heads ||
		fail "loaxa.vi.1's entry for $(plain "$cmd") differs from loaxa.1's: $(plain "$head")"
done <en.heads

# 4. make install puts the Vietnamese page where man -L vi looks; English stays
# the page of every other language. The install rule's own commands, from make -n.
make -s -n -C "$SRC" install DESTDIR="$T/inst" PREFIX=/usr 2>/dev/null |
	grep -E '^install -m 0644 doc/loaxa(\.vi)?\.1 ' >install.sh
CHECKS=$((CHECKS + 1))
grep -q ' doc/loaxa\.vi\.1 .*/share/man/vi/man1/loaxa\.1$' install.sh ||
	fail "make install does not install doc/loaxa.vi.1 as MANDIR/vi/man1/loaxa.1: $(cat install.sh)"
mkdir -p "$T/inst/usr/share/man/man1" "$T/inst/usr/share/man/vi/man1"
(cd "$SRC" && sh -e "$T/install.sh") || fail "the install commands failed: $(cat install.sh)"
if command -v man >/dev/null; then
	MANPATH=$T/inst/usr/share/man MANWIDTH=80 run man -L vi loaxa
	expect_rc 0; expect_out "MÔ TẢ"; expect_out "CÁC LỆNH"
	MANPATH=$T/inst/usr/share/man MANWIDTH=80 LC_ALL=C.UTF-8 run man loaxa
	expect_rc 0; expect_out "DESCRIPTION"; expect_out "COMMANDS"
fi

echo "man: $CHECKS checks passed"
