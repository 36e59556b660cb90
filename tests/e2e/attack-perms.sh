# Loose permissions are refused, not ignored, and the station's key is made
# only when the operator asks: a hostile local user (made here, when the
# tests run as root) who may write the configuration, the data directory,
# its database or the inbox's parent, or read a secret key, gets nothing
# used; a lost station key stops exports instead of being replaced.
. "$LOAXA_SRCDIR/tests/e2e/lib.sh"
: "${LOAXA_GEN_AUDIO:?set LOAXA_GEN_AUDIO to build/tests/gen-audio}"
G=$LOAXA_GEN_AUDIO
# The temp dir is 0700; the other user must reach what it attacks.
chmod 0755 "$T"

# as CMD...: runs CMD as the hostile user, when there is one.
U=
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v runuser >/dev/null; then
	U=lxatk$$
	useradd -M -N -s /bin/sh "$U" || fail "useradd $U"
	trap 'userdel "$U" 2>/dev/null; rm -rf "$T"' EXIT
else
	echo "attack-perms: the hostile user's part skipped: needs root, useradd, runuser"
fi
as() {
	[ -n "$U" ] && runuser -u "$U" -- "$@"
}

"$LOAXA" key generate --out district.key >/dev/null 2>&1 || fail "key generate"
mkdir drop
cat >st.conf <<EOF
station = { code = "ATK-TT"; name = "Đài thử"; };
paths = { data = "$T/data"; inbox = "$T/drop/inbox"; };
audio = { driver = "null"; realtime = false; };
EOF
chmod 0644 st.conf
C="$T/st.conf"
L="$LOAXA -c $C"
"$G" --format wav --kind speech --seconds 2 --seed 1 b1.wav >/dev/null || fail "gen-audio"
run $L import --topic cchc --approve --by Admin b1.wav; expect_rc 0
run "$LOAXA" check "$C"; expect_rc 0; expect_out "ok"

# refused WHAT CMD...: CMD exits 2 naming the file and its fix, WHAT.
refused() {
	what=$1
	shift
	run "$@"
	expect_rc 2; expect_err "$what"
}

# --- A configuration others (or its group) can write, or another user owns.
chmod 0666 st.conf
if [ -n "$U" ]; then
	# The attack: the hostile user gives the station a district key of theirs.
	as sh -c "printf 'trust = { districts = ( { name = \"x\"; key = \"%s\"; auto_approve = true; } ); };\n' \
		\"\$(cat $T/district.key.pub)\" >> $C" || fail "the config was not open to $U"
fi
fix="$C: its group and others can write it; run chmod go-w $C"
refused "$fix" "$LOAXA" check "$C"
refused "$fix" $L run --for 1s
refused "$fix" $L export --period 2026 --out e.lxe
chmod 0664 st.conf
refused "$C: its group can write it; run chmod g-w $C" "$LOAXA" check "$C"
chmod 0644 st.conf
if [ -n "$U" ]; then
	chown "$U" st.conf
	refused "$C: owned by user $U, who can change it; run chown root $C" "$LOAXA" check "$C"
	refused "owned by user $U" $L run --for 1s
	chown 0 st.conf
fi
# Its directory: others may not replace it there, unless the directory is sticky.
mkdir cdir && cp st.conf cdir/st.conf && chmod 0777 cdir
refused "$T/cdir: others can write it; run chmod o-w $T/cdir" "$LOAXA" check "$T/cdir/st.conf"
chmod 1777 cdir
run "$LOAXA" check "$T/cdir/st.conf"; expect_rc 0

# --- The data directory, its database, the inbox's parent. -----------------
chmod 0777 data
refused "$T/data: others can write it; run chmod o-w $T/data" "$LOAXA" check "$C"
refused "$T/data: others can write it" $L run --for 1s
chmod 0770 data   # the daemon's group may write it (UMask=0007)
run "$LOAXA" check "$C"; expect_rc 0
chmod 0666 data/loaxa.db
refused "$T/data/loaxa.db: others can write it; run chmod o-w $T/data/loaxa.db" \
	"$LOAXA" check "$C"
refused "$T/data/loaxa.db: others can write it" $L export --period 2026 --out e.lxe
chmod 0660 data/loaxa.db
chmod 0777 drop
refused "$T/drop: others can write it; run chmod o-w $T/drop" "$LOAXA" check "$C"
refused "$T/drop: others can write it" $L run --for 1s
chmod 0755 drop
run "$LOAXA" check "$C"; expect_rc 0

# --- Secret keys others can read. -------------------------------------------
[ ! -e data/station.key ] || fail "a station key was made unasked"
run $L export --period 2026 --out e.lxe
expect_rc 1; expect_err "$T/data/station.key: this station has no export key yet"
[ ! -e data/station.key ] || fail "export made a station key"
run $L key station; expect_rc 0; KEY=$OUT
chmod 0644 data/station.key
if [ -n "$U" ]; then
	chmod 0755 data
	as cat "$T/data/station.key" >/dev/null || fail "the key was not open to $U"
fi
fix="$T/data/station.key: its group and others can read this secret key; run chmod 600 $T/data/station.key"
refused "$fix" "$LOAXA" check "$C"
refused "$fix" $L export --period 2026 --out e.lxe
[ ! -e e.lxe ] || fail "exported with a key others can read"
chmod 0600 data/station.key
run $L export --period 2026 --out e.lxe; expect_rc 0; expect_out "$KEY"
chmod 0640 district.key
run $L package create --key district.key --out p.lxp --topic cchc b1.wav
expect_rc 1
expect_err "district.key: its group can read this secret key; run chmod 600 district.key"
[ ! -e p.lxp ] || fail "a package signed with a key others can read"
chmod 0600 district.key
run $L package create --key district.key --out p.lxp --topic cchc b1.wav; expect_rc 0

# --- A lost station key stops exports; it is never silently replaced. -------
if [ -n "$U" ]; then
	chmod 0777 data   # what a loose data directory let the hostile user do
	as rm -f "$T/data/station.key" || fail "$U could not remove the key"
	chmod 0750 data
else
	rm data/station.key
fi
run $L export --period 2026 --out e2.lxe
expect_rc 1; expect_err "$T/data/station.key: missing"; expect_err "$KEY"
expect_err "restore the key file from a backup"
[ ! -e data/station.key ] || fail "a lost key was replaced"
[ ! -e e2.lxe ] || fail "exported without the station's key"
run $L list; expect_rc 1; expect_err "$T/data/station.key: missing"
run $L key station
expect_rc 1; expect_err "missing, but this station's exports were signed with public key $KEY"
[ ! -e data/station.key ] || fail "key station replaced a lost key unasked"
run $L key station --replace; expect_rc 0
[ -n "$OUT" ] && [ "$OUT" != "$KEY" ] || fail "no new key: $OUT"
run $L export --period 2026 --out e2.lxe; expect_rc 0; expect_out "$OUT"
echo "attack-perms: $CHECKS checks"
