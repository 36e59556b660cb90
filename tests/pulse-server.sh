# Sourced by tests/e2e/pulse.sh and bench/timing.sh: a private PulseAudio
# server with one null sink, loaxa_null, whose monitor (loaxa_null.monitor)
# records what loaxa played. It runs as the calling user (root too), with its
# runtime directory, home and socket in a directory of the caller's, and
# never touches a sound server that was already running.
#   pulse_start DIR  starts it; on success PULSE_SERVER (exported) names its
#                    socket (PULSE_COOKIE a cookie file beside it) and
#                    PULSE_PID its process; on failure returns 1
#                    with PULSE_WHY saying why
#   pulse_stop       stops the server that pulse_start started (by its PID)

PULSE_PID=
PULSE_WHY=

pulse_start() {
	pd=$1
	PULSE_PID=
	if ! command -v pulseaudio >/dev/null; then
		PULSE_WHY="pulseaudio is not installed (tools/deps)"
		return 1
	fi
	if ! command -v parec >/dev/null || ! command -v pactl >/dev/null; then
		PULSE_WHY="parec and pactl are not installed (pulseaudio-utils)"
		return 1
	fi
	mkdir -p "$pd"
	chmod 700 "$pd"
	# The socket is named, and open to anyone who can reach it: the
	# clients (loaxa, parec) need neither this HOME nor its cookie.
	if ! XDG_RUNTIME_DIR="$pd" HOME="$pd" pulseaudio -D --system=false \
	    --exit-idle-time=-1 -n --use-pid-file=yes --log-target="file:$pd/pulse.log" \
	    -L "module-null-sink sink_name=loaxa_null rate=48000" \
	    -L "module-native-protocol-unix auth-anonymous=1 socket=$pd/native" \
	    >"$pd/start.err" 2>&1; then
		PULSE_WHY="pulseaudio did not start: $(tail -n 1 "$pd/pulse.log" 2>/dev/null)"
		return 1
	fi
	PULSE_PID=$(cat "$pd/pulse/pid" 2>/dev/null || true)
	if [ -z "$PULSE_PID" ]; then
		# Started, but with no PID to stop it by: ask it to go.
		XDG_RUNTIME_DIR="$pd" HOME="$pd" pulseaudio --kill 2>/dev/null || true
		PULSE_WHY="pulseaudio started but wrote no PID file"
		return 1
	fi
	PULSE_SERVER="unix:$pd/native"
	PULSE_COOKIE="$pd/cookie" # else clients write one in the real HOME
	export PULSE_SERVER PULSE_COOKIE
	if ! pactl list short sinks 2>/dev/null | grep -q loaxa_null; then
		PULSE_WHY="pulseaudio started but has no loaxa_null sink"
		pulse_stop
		return 1
	fi
	return 0
}

pulse_stop() {
	[ -n "${PULSE_PID:-}" ] || return 0
	kill "$PULSE_PID" 2>/dev/null || true
	n=0
	while kill -0 "$PULSE_PID" 2>/dev/null && [ $n -lt 20 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	# Only if it is still there: the PID of a server that has gone may be
	# another process's by now.
	if kill -0 "$PULSE_PID" 2>/dev/null; then
		kill -KILL "$PULSE_PID" 2>/dev/null || true
	fi
	PULSE_PID=
}
