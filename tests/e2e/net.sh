# The network commands run beside loaxa: fleet and web in loaxa-net, link in
# loaxa-link, which maps MQTT and its TLS alone (neither the web's libraries
# nor the audio decoders). loaxa maps none of the MQTT, HTTP and TLS
# libraries; it lists the three commands, shows their whole help, passes -c
# and -v through, and says in one line when the program is missing.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"

NET=$(dirname "$LOAXA")/loaxa-net
[ -x "$NET" ] || fail "no loaxa-net beside $LOAXA"
run ldd "$LOAXA"
expect_rc 0
case "$OUT" in
*libmosquitto* | *libssl* | *libcrypto* | *libmicrohttpd* | *libgnutls*)
	fail "loaxa links a network library" ;;
esac
run ldd "$NET"
expect_out "libmosquitto"
expect_out "libmicrohttpd"
LINKP=$(dirname "$LOAXA")/loaxa-link
[ -x "$LINKP" ] || fail "no loaxa-link beside $LOAXA"
run ldd "$LINKP"
expect_out "libmosquitto"
case "$OUT" in
*libmicrohttpd* | *libgnutls* | *libmpg123* | *libsndfile* | *libebur128*)
	fail "loaxa-link maps a library the link does not call: $OUT" ;;
esac

run "$LOAXA" --help
expect_rc 0
expect_out "  link           the station's connection to its district's MQTT broker"
expect_out "  fleet          the district's side of the link"
expect_out "  web            the operator's console in a browser"
run "$LOAXA" web --help
expect_rc 0
expect_out "usage: loaxa web | web user add NAME"
expect_out "loaxa web serves the console"
run "$LOAXA" help fleet
expect_rc 0
expect_out "usage: loaxa fleet"
# -c passes through: a configuration without a link section.
printf 'station = { code = "00001"; name = "x"; };\npaths = { data = "%s/d"; };\n' "$T" \
    >"$T/st.conf"
run "$LOAXA" -c "$T/st.conf" link
expect_rc 2
expect_err "link"
run "$LOAXA" -c "$T/missing.conf" link
expect_rc 2
expect_err "missing.conf"

# Without its program beside it nor in BINDIR: one line, exit 1.
mkdir "$T/alone"
cp "$LOAXA" "$T/alone/loaxa"
if [ ! -e /usr/local/bin/loaxa-link ]; then
	run "$T/alone/loaxa" link
	expect_rc 1
	expect_err "loaxa-link"
	expect_one_err_line
fi
if [ ! -e /usr/local/bin/loaxa-net ]; then
	run "$T/alone/loaxa" fleet status
	expect_rc 1
	expect_err "loaxa-net"
	expect_one_err_line
fi
echo "net: $CHECKS checks passed"
