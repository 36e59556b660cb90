# Sourced (after lib.sh) by the end-to-end scripts that need an MQTT broker:
# a private mosquitto on 127.0.0.1 with a generated configuration, TLS
# certificates made here with openssl, a password file from mosquitto_passwd
# and an ACL that keeps every station under its own prefix. Not a test itself.
#
# Topic layout assumed (version 1):
#   loaxa/v1/PROVINCE/DISTRICT/STATION/up/...     written by the station
#   loaxa/v1/PROVINCE/DISTRICT/STATION/down/...   written by its district
# PROVINCE, DISTRICT and STATION are one level each (the administrative codes:
# 2-digit province, 3-digit district, 5-digit commune). The world is
# $BROKER_STATIONS, a list of PROVINCE/DISTRICT/STATION; default below.
#
# Users (the same name whether it comes from a password or a certificate CN):
#   station-STATION   readwrite loaxa/v1/PROVINCE/DISTRICT/STATION/up/#
#                     read      loaxa/v1/PROVINCE/DISTRICT/STATION/down/#
#   district-DISTRICT read      loaxa/v1/PROVINCE/DISTRICT/+/up/#
#                     write     loaxa/v1/PROVINCE/DISTRICT/+/down/#
#   admin             readwrite # (test set-up only; never a station's or district's part)
# The ACL names every user's full prefix in a `user` block. It does not use
# `pattern` lines: %c is the client id, which any client chooses freely, and
# %u would put the user name itself (station-00001) into the topic; and a
# `+` in place of PROVINCE/DISTRICT would let a station write under the same
# code in another district.
#
# Listeners, all on 127.0.0.1 (ports chosen free at start, kept on restart):
#   $BROKER_PORT        TLS, a client certificate from the test CA required;
#                       its CN is the user name (no password)
#   $BROKER_PW_PORT     TLS (server certificate only), user name and password
#   $BROKER_PLAIN_PORT  plain TCP, user name and password (broker_start --plain)
#
#   broker_certs DIR   CA (ca.crt/ca.key), server.crt/.key for 127.0.0.1 and
#                      localhost, USER.crt/.key for every user above, and
#                      rogue.crt/.key (CN station-<first station>) signed by
#                      another CA (other-ca.crt); EC P-256, valid 2 days
#   broker_start DIR [--plain] [--conf LINE]...
#                      writes DIR/mosquitto.conf, passwords, acl; starts the
#                      broker, persistence in DIR, log in DIR/mosquitto.log
#                      (log_type all), saving its database after every change
#                      ($BROKER_DB); returns once a TLS client got through.
#                      Sets BROKER_PID, BROKER_PORT, BROKER_PW_PORT,
#                      BROKER_PLAIN_PORT, BROKER_CAFILE, BROKER_LOG, BROKER_DB.
#                      --conf adds a global line to mosquitto.conf.
#   broker_stop        SIGTERM (the broker saves its database), waits
#   broker_kill        SIGKILL, waits
#   broker_restart     starts it again: same configuration, ports, database
#   broker_password USER   prints USER's password; DIR/USER.pass holds it
#   broker_opts USER [cert|password|plain]
#                      prints the mosquitto_pub/sub options to connect as USER
#                      (default cert); DIR has no spaces, so use it unquoted
#   pub [--as USER] [--via cert|password|plain] TOPIC MESSAGE [OPTION]...
#                      mosquitto_pub (default as admin, via cert), at most 10 s
#   sub_start [--as USER] [--via ...] TOPIC FILE [OPTION]...
#                      mosquitto_sub -v in the background into FILE (stderr in
#                      FILE.err), client id $SUB_ID (or the -i among OPTIONs),
#                      -W 60 unless an OPTION gives -W; returns once the broker
#                      sent its SUBACK. Sets SUB_PID, SUB_ID.
#   sub_stop PID       stops one subscriber (SIGKILL: no clean DISCONNECT)
#   wait_line FILE TEXT [TENTHS]  waits (default 100 tenths of a second) until
#                      FILE has a line containing TEXT; 1 if it never came
#   broker_db_changed SUM  waits until the database's sha256 differs from SUM
#                      (get it with broker_db_sum), i.e. a change is on disk
# Everything started here is stopped by PID at exit (broker_cleanup, in the
# EXIT trap this file sets; a script that sets its own must call it).
#   broker_prefix STATION  prints loaxa/v1/PROVINCE/DISTRICT/STATION

# broker_opts prints several words, split on purpose (no spaces in DIR).
# shellcheck disable=SC2046,SC2086,SC2034

BROKER_STATIONS=${BROKER_STATIONS:-"01/001/00001 01/001/00004 01/002/00037"}
BROKER_HOST=127.0.0.1
BROKER_DIR=
BROKER_PID=
BROKER_PORT=
BROKER_PW_PORT=
BROKER_PLAIN_PORT=
BROKER_CHILDREN=
BROKER_NSUB=0
SUB_PID=
SUB_ID=

trap 'broker_cleanup; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

for _b in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd openssl python3 timeout; do
	command -v "$_b" >/dev/null || fail "$_b is not installed (tools/deps)"
done

# A child of this shell, alive and not a zombie (a child that died stays in
# the table until waited; one reaped has a PID another process may reuse).
broker_alive() {
	set -- $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)
	[ $# -ge 2 ] && [ "$2" = "$$" ] || return 1
	case "$1" in Z | X) return 1 ;; esac
	return 0
}

# Sends SIG to PID, waits up to 5 s for it to go, then SIGKILLs what is left
# (only while it is still ours: alive, so its PID not reused) and reaps it.
broker_end() {
	broker_alive "$1" || { wait "$1" 2>/dev/null; return 0; }
	kill -"$2" "$1" 2>/dev/null || true
	_n=0
	while broker_alive "$1" && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if broker_alive "$1"; then
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

broker_users() {
	for _s in $BROKER_STATIONS; do
		echo "station-${_s##*/}"
	done
	for _s in $BROKER_STATIONS; do
		_d=${_s%/*}
		echo "district-${_d#*/}"
	done | sort -u
	echo admin
}

# One certificate, key beside it: DIR NAME CN CA-BASENAME EXTENSIONS...
broker_cert() {
	_dir=$1 _name=$2 _cn=$3 _ca=$4
	shift 4
	_ext=
	for _e in "$@"; do
		_ext="$_ext -addext $_e"
	done
	# shellcheck disable=SC2086
	openssl req -config "$_dir/openssl.cnf" -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$_cn" \
	    -CA "$_dir/$_ca.crt" -CAkey "$_dir/$_ca.key" \
	    -keyout "$_dir/$_name.key" -out "$_dir/$_name.crt" $_ext \
	    2>>"$_dir/openssl.err" || fail "openssl: certificate $_name: $(tail -n 2 "$_dir/openssl.err")"
}

broker_ca() {
	openssl req -config "$1/openssl.cnf" -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$3" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign \
	    -keyout "$1/$2.key" -out "$1/$2.crt" \
	    2>>"$1/openssl.err" || fail "openssl: CA $2: $(tail -n 2 "$1/openssl.err")"
}

broker_certs() {
	if ! mkdir -p "$1" || ! chmod 700 "$1"; then
		fail "broker_certs: cannot make $1"
	fi
	# The system's openssl.cnf would add CA extensions to every certificate.
	printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n' >"$1/openssl.cnf"
	broker_ca "$1" ca "loaxa test CA"
	broker_ca "$1" other-ca "another CA"
	broker_cert "$1" server localhost ca basicConstraints=CA:FALSE \
	    extendedKeyUsage=serverAuth subjectAltName=IP:127.0.0.1,DNS:localhost
	for _u in $(broker_users); do
		broker_cert "$1" "$_u" "$_u" ca basicConstraints=CA:FALSE \
		    extendedKeyUsage=clientAuth
	done
	_first=$(echo "$BROKER_STATIONS" | awk '{ print $1 }')
	broker_cert "$1" rogue "station-${_first##*/}" other-ca \
	    basicConstraints=CA:FALSE extendedKeyUsage=clientAuth
	chmod 600 "$1"/*.key
}

broker_prefix() {
	for _s in $BROKER_STATIONS; do
		[ "${_s##*/}" != "$1" ] || { echo "loaxa/v1/$_s"; return 0; }
	done
	fail "broker_prefix: no station $1 in BROKER_STATIONS"
}

broker_password() {
	echo "pw-$1-$BROKER_SECRET"
}

broker_acl() {
	for _s in $BROKER_STATIONS; do
		printf 'user station-%s\ntopic readwrite loaxa/v1/%s/up/#\ntopic read loaxa/v1/%s/down/#\n\n' \
		    "${_s##*/}" "$_s" "$_s"
	done
	for _d in $(for _s in $BROKER_STATIONS; do echo "${_s%/*}"; done | sort -u); do
		printf 'user district-%s\ntopic read loaxa/v1/%s/+/up/#\ntopic write loaxa/v1/%s/+/down/#\n\n' \
		    "${_d#*/}" "$_d" "$_d"
	done
	printf 'user admin\ntopic readwrite #\n'
}

# N distinct free TCP ports on 127.0.0.1, one a line (held together while
# chosen, so distinct; the broker binds them a moment later).
broker_free_ports() {
	python3 -c '
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ss.append(s)
for s in ss:
    print(s.getsockname()[1])
' "$1"
}

broker_write_conf() {
	_c=$BROKER_DIR/mosquitto.conf
	{
		echo "# written by tests/e2e/broker.sh"
		echo "user $(id -un)"
		echo "per_listener_settings false"
		echo "allow_anonymous false"
		echo "password_file $BROKER_DIR/passwords"
		echo "acl_file $BROKER_DIR/acl"
		echo "persistence true"
		echo "persistence_location $BROKER_DIR/"
		echo "persistence_file mosquitto.db"
		echo "autosave_on_changes true"
		echo "autosave_interval 1"
		echo "log_dest file $BROKER_DIR/mosquitto.log"
		echo "log_type all"
		echo "log_timestamp_format %H:%M:%S"
		echo "connection_messages true"
		printf '%s\n' "$BROKER_EXTRA"
		echo
		echo "listener $BROKER_PORT 127.0.0.1"
		echo "cafile $BROKER_DIR/ca.crt"
		echo "certfile $BROKER_DIR/server.crt"
		echo "keyfile $BROKER_DIR/server.key"
		echo "require_certificate true"
		echo "use_identity_as_username true"
		echo
		echo "listener $BROKER_PW_PORT 127.0.0.1"
		echo "certfile $BROKER_DIR/server.crt"
		echo "keyfile $BROKER_DIR/server.key"
		echo "require_certificate false"
		if [ -n "$BROKER_PLAIN_PORT" ]; then
			echo
			echo "listener $BROKER_PLAIN_PORT 127.0.0.1"
		fi
	} >"$_c"
}

broker_start() {
	BROKER_DIR=$1
	shift
	case "$BROKER_DIR" in *[[:space:]]*) fail "broker_start: no spaces in $BROKER_DIR" ;; esac
	_plain=
	BROKER_EXTRA=
	while [ $# -gt 0 ]; do
		case "$1" in
		--plain) _plain=1 ;;
		--conf) BROKER_EXTRA="$BROKER_EXTRA$2
"; shift ;;
		*) fail "broker_start: unknown option $1" ;;
		esac
		shift
	done
	[ -f "$BROKER_DIR/ca.crt" ] || broker_certs "$BROKER_DIR"
	BROKER_CAFILE=$BROKER_DIR/ca.crt
	BROKER_LOG=$BROKER_DIR/mosquitto.log
	BROKER_DB=$BROKER_DIR/mosquitto.db
	BROKER_SECRET=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	: >"$BROKER_DIR/passwords"
	chmod 600 "$BROKER_DIR/passwords"
	for _u in $(broker_users); do
		broker_password "$_u" >"$BROKER_DIR/$_u.pass"
		mosquitto_passwd -b "$BROKER_DIR/passwords" "$_u" "$(broker_password "$_u")" ||
		    fail "mosquitto_passwd failed for $_u"
	done
	broker_acl >"$BROKER_DIR/acl"
	# A port taken between choosing and binding: choose again (3 times).
	_try=0
	while :; do
		_try=$((_try + 1))
		set -- $(broker_free_ports 3)
		BROKER_PORT=$1 BROKER_PW_PORT=$2 BROKER_PLAIN_PORT=
		[ -z "$_plain" ] || BROKER_PLAIN_PORT=$3
		broker_write_conf
		broker_launch && return 0
		if [ $_try -ge 3 ] || ! grep -q "Address already in use" \
		    "$BROKER_DIR/mosquitto.out" "$BROKER_LOG" 2>/dev/null; then
			fail "broker_start: $BROKER_WHY"
		fi
	done
}

# Starts mosquitto on the written configuration and waits (at most 10 s) until
# a TLS client gets through; 1 with BROKER_WHY if not.
broker_launch() {
	mosquitto -c "$BROKER_DIR/mosquitto.conf" >"$BROKER_DIR/mosquitto.out" 2>&1 </dev/null &
	BROKER_PID=$!
	_n=0
	while [ $_n -lt 100 ]; do
		if ! broker_alive "$BROKER_PID"; then
			wait "$BROKER_PID" 2>/dev/null
			BROKER_PID=
			BROKER_WHY="mosquitto exited: $(tail -n 3 "$BROKER_DIR/mosquitto.out" "$BROKER_LOG" 2>/dev/null)"
			return 1
		fi
		if grep -q " running" "$BROKER_LOG" 2>/dev/null &&
		    timeout 5 mosquitto_pub $(broker_opts admin) -t harness/probe -n \
		    >/dev/null 2>"$BROKER_DIR/probe.err"; then
			return 0
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	BROKER_WHY="mosquitto did not take a TLS client in 10 s: $(cat "$BROKER_DIR/probe.err")"
	broker_end "$BROKER_PID" KILL
	BROKER_PID=
	return 1
}

broker_stop() {
	[ -n "$BROKER_PID" ] || return 0
	broker_end "$BROKER_PID" TERM
	BROKER_PID=
}

broker_kill() {
	[ -n "$BROKER_PID" ] || return 0
	broker_end "$BROKER_PID" KILL
	BROKER_PID=
}

broker_restart() {
	broker_stop
	broker_launch || fail "broker_restart: $BROKER_WHY"
}

broker_opts() {
	_h="-h $BROKER_HOST --cafile $BROKER_DIR/ca.crt"
	case "${2:-cert}" in
	cert) echo "$_h -p $BROKER_PORT --cert $BROKER_DIR/$1.crt --key $BROKER_DIR/$1.key" ;;
	password) echo "$_h -p $BROKER_PW_PORT -u $1 -P $(broker_password "$1")" ;;
	plain)
		[ -n "$BROKER_PLAIN_PORT" ] || fail "broker_opts: start the broker with --plain"
		echo "-h $BROKER_HOST -p $BROKER_PLAIN_PORT -u $1 -P $(broker_password "$1")" ;;
	*) fail "broker_opts: no way $2" ;;
	esac
}

# Leaves _as, _via and the count of options it took in _took.
broker_who() {
	_as=$1 _via=cert _took=0
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--as) _as=$2 ;;
		--via) _via=$2 ;;
		*) return 0 ;;
		esac
		shift 2
		_took=$((_took + 2))
	done
}

pub() {
	broker_who admin "$@"
	shift $_took
	_t=$1 _m=$2
	shift 2
	timeout 10 mosquitto_pub $(broker_opts "$_as" "$_via") -t "$_t" -m "$_m" "$@"
}

sub_start() {
	broker_who admin "$@"
	shift $_took
	_t=$1 _f=$2
	shift 2
	BROKER_NSUB=$((BROKER_NSUB + 1))
	SUB_ID=sub-$BROKER_NSUB-$$
	_w="-W 60"
	_prev=
	for _a in "$@"; do
		case "$_prev" in -i | --id) SUB_ID=$_a ;; esac
		case "$_a" in -W) _w= ;; esac
		_prev=$_a
	done
	_before=$(grep -c "Sending SUBACK to $SUB_ID\$" "$BROKER_LOG" 2>/dev/null)
	mosquitto_sub $(broker_opts "$_as" "$_via") -i "$SUB_ID" $_w -v -t "$_t" "$@" \
	    >"$_f" 2>"$_f.err" </dev/null &
	SUB_PID=$!
	BROKER_CHILDREN="$BROKER_CHILDREN $SUB_PID"
	_n=0
	while [ "$(grep -c "Sending SUBACK to $SUB_ID\$" "$BROKER_LOG")" -le "${_before:-0}" ]; do
		if ! broker_alive "$SUB_PID" || [ $_n -ge 100 ]; then
			fail "sub_start: $SUB_ID got no SUBACK for $_t: $(cat "$_f.err")"
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
}

sub_stop() {
	broker_end "$1" KILL
	_left=
	for _p in $BROKER_CHILDREN; do
		[ "$_p" = "$1" ] || _left="$_left $_p"
	done
	BROKER_CHILDREN=$_left
}

wait_line() {
	_n=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		[ $_n -lt "${3:-100}" ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

broker_db_sum() {
	sha256sum "$BROKER_DB" 2>/dev/null | cut -d' ' -f1
}

broker_db_changed() {
	_n=0
	while [ "$(broker_db_sum)" = "$1" ]; do
		[ $_n -lt 50 ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

broker_cleanup() {
	for _p in $BROKER_CHILDREN; do
		broker_alive "$_p" && broker_end "$_p" TERM
	done
	BROKER_CHILDREN=
	broker_stop
}
