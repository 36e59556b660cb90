/*
 * bench/fleet-sim: N simulated stations in one process for bench/fleet.sh.
 * Each is its own MQTT 5 client (libmosquitto, no thread: one poll() over
 * every socket) with the client id and topic prefix of a station,
 * PREFIX = BASE/NNNNN (NNNNN = FIRST .. FIRST + N - 1, five digits, also
 * the station's code). Like `loaxa link` (link/up.c, link/pkg.c,
 * link/down.c) each one
 *   - connects with a retained last will {"online":false} on PREFIX/up/state,
 *   - publishes its retained state (online, software, disk free) there,
 *   - subscribes to PREFIX/down/pkg and counts the chunks of each package
 *     (the header's package, index and count; neither the chunk's SHA-256
 *     nor the signature is checked: the bench measures the broker and the
 *     district, not a station's disk), and when every index came publishes
 *     the acknowledgement on PREFIX/up/ack,
 *   - on SIGUSR1 publishes AIRINGS airing rows each on PREFIX/up/airing,
 *   - with EXPORTS (a directory of CODE.lxe, real signed exports made by
 *     `loaxa export`, bench/fleet.sh) subscribes to PREFIX/down/cmd and
 *     answers an export command as link/cmd.c does: its acknowledgement on
 *     PREFIX/up/ack, then the file CODE.lxe in the link's JSON envelope
 *     (base64) on PREFIX/up/export, the request being the command's
 *     sequence. Neither the signature nor the targets are checked, and the
 *     file is read when asked, not made (a station's `loaxa export` of a
 *     half-year takes about 30 ms of its own CPU); at most SIM_EXPORTS_OUT
 *     exports wait for their PUBACK at once, so the process holds a few
 *     files, not N.
 * Every second it prints one line to stdout:
 *   T_MS CONNECTED STATES_ACKED CHUNKS ACKS AIRINGS_ACKED EXPORTS_ACKED
 * and ends on SIGTERM or SIGINT (disconnecting each client).
 *
 *   fleet-sim HOST PORT BASE FIRST N [AIRINGS [EXPORTS [PROTOCOL]]]
 *
 * PROTOCOL is 5 (default) or 3.1.1 (clean_session false, as the link's
 * protocol = "3.1.1").
 */
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIM_CHUNKS_MAX 1024 /* 256 MiB at 256 KiB a chunk */
#define SIM_EXPORTS_OUT 16  /* exports waiting for their PUBACK at most */

struct sim_station {
	struct mosquitto *m;
	char code[8];
	char prefix[128];
	int connected, state_acked, state_mid;
	char package[65];
	int count, have;
	unsigned char got[SIM_CHUNKS_MAX / 8];
	long airings_acked;
	long long request;  /* an export command's sequence to answer, or 0 */
	char period[64];
	long long export_seq; /* the request of the export being published */
	int export_mid;     /* the export's publish, until its PUBACK */
	struct sim_station *next; /* in the queue of exports to publish */
};

static volatile sig_atomic_t sim_stop, sim_air;
static long sim_chunks, sim_acks, sim_exports_acked;
static const char *sim_exports; /* the directory of CODE.lxe, or NULL */
static struct sim_station *sim_queue, **sim_tail = &sim_queue;
static int sim_out;             /* exports waiting for their PUBACK */

static long long
sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sim_signal(int sig)
{
	if (sig == SIGUSR1)
		sim_air = 1;
	else
		sim_stop = 1;
}

static void
sim_pub(struct sim_station *s, const char *sub, const char *json, int retain,
    int *mid)
{
	char topic[160];

	snprintf(topic, sizeof topic, "%s/%s", s->prefix, sub);
	mosquitto_publish_v5(s->m, mid, topic, (int)strlen(json), json, 1, retain, NULL);
}

static void
sim_on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct sim_station *s = arg;
	char topic[160], json[512];
	long long now = sim_now_ms();

	if (rc != 0)
		return;
	s->connected = 1;
	snprintf(topic, sizeof topic, "%s/down/pkg", s->prefix);
	mosquitto_subscribe(m, NULL, topic, 1);
	if (sim_exports != NULL) {
		snprintf(topic, sizeof topic, "%s/down/cmd", s->prefix);
		mosquitto_subscribe(m, NULL, topic, 1);
	}
	snprintf(json, sizeof json, "{\"v\":1,\"msg_id\":\"%s:state:%lld\",\"station\":"
	    "\"%s\",\"online\":true,\"software\":\"loaxa fleet-sim\",\"sent_at_ms\":%lld,"
	    "\"connected_since_ms\":%lld,\"queued\":0,\"disk_free_bytes\":%lld,"
	    "\"daemon\":null,\"daemon_error\":null}", s->code, now, s->code, now, now,
	    (long long)8 << 30);
	sim_pub(s, "up/state", json, 1, &s->state_mid);
}

static void
sim_on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct sim_station *s = arg;

	(void)m;
	(void)rc;
	s->connected = 0;
}

static void
sim_on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct sim_station *s = arg;

	(void)m;
	if (mid == s->state_mid)
		s->state_acked = 1;
	else if (s->export_mid != 0 && mid == s->export_mid) {
		s->export_mid = 0;
		sim_out--;
		sim_exports_acked++;
	} else
		s->airings_acked++;
}

/* The value after "name " in the chunk's header (hdr, len bytes), or -1. */
static long long
sim_field(const char *hdr, size_t len, const char *name, char *word, size_t wlen)
{
	char pat[32];
	const char *p, *e;
	size_t n;

	snprintf(pat, sizeof pat, "\n%s ", name);
	if ((p = memmem(hdr, len, pat, strlen(pat))) == NULL)
		return -1;
	p += strlen(pat);
	if ((e = memchr(p, '\n', len - (size_t)(p - hdr))) == NULL)
		return -1;
	n = (size_t)(e - p);
	if (word != NULL) {
		if (n >= wlen)
			return -1;
		memcpy(word, p, n);
		word[n] = '\0';
		return 0;
	}
	return strtoll(p, NULL, 10);
}

/*
 * An export command (library/command.c's text): acknowledged at once as
 * link/cmd.c does, its export queued for sim_flush.
 */
static void
sim_command(struct sim_station *s, const char *text, size_t len)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	char id[17], action[16], json[512];
	long long seq;

	if (sim_field(text, len, "action", action, sizeof action) != 0 ||
	    strcmp(action, "export") != 0 || (seq = sim_field(text, len, "sequence",
	    NULL, 0)) < 1 || sim_field(text, len, "period", s->period,
	    sizeof s->period) != 0 || s->request != 0)
		return;
	crypto_hash_sha256(d, (const unsigned char *)text, len);
	sodium_bin2hex(id, sizeof id, d, 8);
	snprintf(json, sizeof json, "{\"msg_id\":\"%s:command:%s\",\"command_seq\":%lld,"
	    "\"signer\":\"district\",\"action\":\"export\",\"ok\":true,\"why\":null}",
	    s->code, id, seq);
	sim_pub(s, "up/ack", json, 0, NULL);
	s->request = seq;
	s->next = NULL;
	*sim_tail = s;
	sim_tail = &s->next;
}

/* Publishes one station's queued export on up/export in the link's envelope. */
static void
sim_export(struct sim_station *s)
{
	char path[4096], topic[160], *b64, *json;
	unsigned char *bin;
	size_t blen, jlen;
	long n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.lxe", sim_exports, s->code);
	s->request = 0;
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "fleet-sim: %s: cannot read\n", path);
		if (f != NULL)
			fclose(f);
		return;
	}
	bin = malloc((size_t)n + 1);
	blen = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(blen);
	json = malloc(blen + 512);
	if (bin == NULL || b64 == NULL || json == NULL ||
	    fread(bin, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fleet-sim: %s: cannot read\n", path);
		fclose(f);
		free(bin);
		free(b64);
		free(json);
		return;
	}
	fclose(f);
	sodium_bin2base64(b64, blen, bin, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	jlen = (size_t)snprintf(json, blen + 512, "{\"msg_id\":\"%s:export:%lld\","
	    "\"request\":%lld,\"period\":\"%s\",\"lxe\":\"%s\"}", s->code,
	    s->export_seq, s->export_seq, s->period, b64);
	snprintf(topic, sizeof topic, "%s/up/export", s->prefix);
	if (mosquitto_publish(s->m, &s->export_mid, topic, (int)jlen, json, 1, false) ==
	    MOSQ_ERR_SUCCESS)
		sim_out++;
	free(bin);
	free(b64);
	free(json);
}

/* Publishes queued exports while fewer than SIM_EXPORTS_OUT wait for a PUBACK. */
static void
sim_flush(void)
{
	struct sim_station *s;

	while (sim_queue != NULL && sim_out < SIM_EXPORTS_OUT) {
		s = sim_queue;
		if ((sim_queue = s->next) == NULL)
			sim_tail = &sim_queue;
		s->export_seq = s->request;
		sim_export(s);
	}
}

static void
sim_on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct sim_station *s = arg;
	const char *hdr = msg->payload, *end;
	size_t hlen;
	char pkg[65], json[512];
	long long idx, count;

	(void)m;
	if (msg->payloadlen > 0 && strstr(msg->topic, "/down/cmd") != NULL) {
		sim_command(s, msg->payload, (size_t)msg->payloadlen);
		return;
	}
	if (msg->payloadlen <= 0 || (end = memmem(hdr, (size_t)msg->payloadlen,
	    "\n\n", 2)) == NULL)
		return;
	hlen = (size_t)(end - hdr) + 1;
	if (sim_field(hdr, hlen, "package", pkg, sizeof pkg) != 0 ||
	    (idx = sim_field(hdr, hlen, "index", NULL, 0)) < 0 ||
	    (count = sim_field(hdr, hlen, "count", NULL, 0)) < 1 ||
	    count > SIM_CHUNKS_MAX || idx >= count)
		return;
	sim_chunks++;
	if (strcmp(pkg, s->package) != 0) {
		snprintf(s->package, sizeof s->package, "%s", pkg);
		memset(s->got, 0, sizeof s->got);
		s->have = 0;
		s->count = (int)count;
	}
	if (s->got[idx / 8] & (1u << (idx % 8)))
		return;
	s->got[idx / 8] |= (unsigned char)(1u << (idx % 8));
	if (++s->have < s->count)
		return;
	snprintf(json, sizeof json, "{\"msg_id\":\"%s:package:%s\",\"package\":\"%s\","
	    "\"what\":\"arrived\",\"ok\":true,\"why\":null}", s->code, pkg, pkg);
	sim_pub(s, "up/ack", json, 0, NULL);
	sim_acks++;
}

static void
sim_airings(struct sim_station *s, int n)
{
	char json[1024];
	long long now = sim_now_ms();
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(json, sizeof json, "{\"v\":1,\"msg_id\":\"%s:airing:%lld%04d\","
		    "\"station\":\"%s\",\"id\":%lld%04d,\"bulletin\":1,\"title\":\"Bản tin\","
		    "\"topic\":\"cchc\",\"agency\":null,\"sha256\":null,\"slot\":\"S\","
		    "\"slot_start_ms\":%lld,\"priority\":\"normal\",\"scheduled_at_ms\":%lld,"
		    "\"started_at_ms\":%lld,\"ended_at_ms\":%lld,\"played_ms\":1000,"
		    "\"outcome\":\"aired\",\"reason\":null,\"paced\":0,\"chain_seq\":null,"
		    "\"chain\":null}", s->code, now, i, s->code, now, i, now, now, now,
		    now + 1000);
		sim_pub(s, "up/airing", json, 0, NULL);
	}
}

int
main(int argc, char **argv)
{
	struct sim_station *st;
	struct pollfd *pfd;
	struct sigaction sa;
	long long t0, last = 0;
	int port, first, n, airings, i, started = 0, v311;

	if (argc < 6 || (port = atoi(argv[2])) < 1 || (first = atoi(argv[4])) < 0 ||
	    (n = atoi(argv[5])) < 1 || first + n > 99999) {
		fprintf(stderr, "usage: fleet-sim HOST PORT BASE FIRST N [AIRINGS "
		    "[EXPORTS [PROTOCOL]]]\n");
		return 2;
	}
	airings = argc > 6 ? atoi(argv[6]) : 0;
	if (argc > 7 && argv[7][0] != '\0')
		sim_exports = argv[7];
	v311 = argc > 8 && strcmp(argv[8], "3.1.1") == 0;
	if (sodium_init() < 0)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sim_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	mosquitto_lib_init();
	st = calloc((size_t)n, sizeof *st);
	pfd = calloc((size_t)n, sizeof *pfd);
	if (st == NULL || pfd == NULL)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	t0 = sim_now_ms();
	while (!sim_stop) {
		long long now;
		long c = 0, sa_n = 0, air = 0;
		int np = 0;

		/* Connect in batches of 50 while the others already run. */
		for (i = 0; started < n && i < 50; i++, started++) {
			struct sim_station *s = &st[started];
			char will[256];

			snprintf(s->code, sizeof s->code, "%05d", first + started);
			snprintf(s->prefix, sizeof s->prefix, "%s/%s", argv[3], s->code);
			s->m = mosquitto_new(s->code, v311 ? false : true, s);
			if (s->m == NULL)
				return 1;
			mosquitto_int_option(s->m, MOSQ_OPT_PROTOCOL_VERSION, v311 ?
			    MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5);
			mosquitto_connect_callback_set(s->m, sim_on_connect);
			mosquitto_disconnect_callback_set(s->m, sim_on_disconnect);
			mosquitto_publish_callback_set(s->m, sim_on_publish);
			mosquitto_message_callback_set(s->m, sim_on_message);
			mosquitto_max_inflight_messages_set(s->m, 0);
			snprintf(will, sizeof will, "{\"v\":1,\"msg_id\":\"%s:state:0\","
			    "\"station\":\"%s\",\"online\":false,\"software\":\"loaxa fleet-sim\"}",
			    s->code, s->code);
			snprintf(s->package, sizeof s->package, "%s/up/state", s->prefix);
			mosquitto_will_set(s->m, s->package, (int)strlen(will), will, 1, true);
			s->package[0] = '\0';
			if (mosquitto_connect(s->m, argv[1], port, 60) != MOSQ_ERR_SUCCESS)
				fprintf(stderr, "fleet-sim: %s: cannot connect: %s\n", s->code,
				    strerror(errno));
		}
		if (sim_air) {
			sim_air = 0;
			for (i = 0; i < started; i++)
				sim_airings(&st[i], airings);
		}
		sim_flush();
		for (i = 0; i < started; i++) {
			pfd[i].fd = mosquitto_socket(st[i].m);
			pfd[i].events = POLLIN | (mosquitto_want_write(st[i].m) ? POLLOUT : 0);
			pfd[i].revents = 0;
			np++;
		}
		if (poll(pfd, (nfds_t)np, 100) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < started; i++) {
			struct sim_station *s = &st[i];

			if (pfd[i].fd < 0) {
				mosquitto_reconnect(s->m);
				continue;
			}
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				mosquitto_loop_read(s->m, 16);
			if (mosquitto_want_write(s->m))
				mosquitto_loop_write(s->m, 16);
			mosquitto_loop_misc(s->m);
			c += s->connected;
			sa_n += s->state_acked;
			air += s->airings_acked;
		}
		now = sim_now_ms();
		if (now - last >= 1000) {
			printf("%lld %ld %ld %ld %ld %ld %ld\n", now - t0, c, sa_n,
			    sim_chunks, sim_acks, air, sim_exports_acked);
			last = now;
		}
	}
	for (i = 0; i < started; i++) {
		mosquitto_disconnect(st[i].m);
		mosquitto_loop_write(st[i].m, 1);
		mosquitto_destroy(st[i].m);
	}
	free(st);
	free(pfd);
	mosquitto_lib_cleanup();
	return 0;
}
