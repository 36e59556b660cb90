/*
 * `loaxa link`: one process, one poll() loop over a signalfd, an inotify
 * watch on the data directory, four CLOCK_MONOTONIC timerfds (the
 * keepalive tick, "soon" for coalesced work, the reconnect back-off, the
 * deadline of a connection attempt) and the broker's socket, driven
 * through libmosquitto's loop_read, loop_write and loop_misc. No thread and
 * no busy wait: idle, it wakes once per tick (half the keepalive, at most
 * 30 s).
 *
 * Connecting never blocks the loop (but for the name lookup): the socket
 * is opened with mosquitto_connect_bind_async and the TCP connection, the
 * TLS handshake and CONNACK are driven by the same poll(). Every attempt
 * ends in one line within LINK_CONNECT_S: connected, refused and why, or
 * no answer. libmosquitto 2.0.11 (Debian 12) drops a TLS failure met
 * during the handshake without calling the disconnect callback, and says a
 * broker's alert read only after the handshake as EPROTO; the loop checks
 * every return code itself and says what the operator should check.
 *
 * How it learns of new outbox rows without polling: every commit of the
 * daemon appends to the database's -wal file, and the link watches the data
 * directory for IN_MODIFY of loaxa.db-wal (a watch on the file itself would
 * be lost when the daemon restarts and SQLite recreates it). Events are
 * coalesced: one scan of the outbox 5 ms after the first, and one more
 * 250 ms later (the -wal is written before the commit becomes visible).
 */
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/perm.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "link/internal.h"
#include "link/process.h"
#include "scheduler/airlog.h"
#include "scheduler/control.h"
#include "store/store.h"


static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Arms timerfd fd to fire once in ms (0: at once), or every ms when periodic. */
void
link_timer_arm(int fd, int64_t ms, int periodic)
{
	struct itimerspec it = { 0 };

	if (ms <= 0)
		ms = 1;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_nsec = (ms % 1000) * 1000000;
	if (periodic)
		it.it_interval = it.it_value;
	timerfd_settime(fd, 0, &it, NULL);
}

void
link_timer_disarm(int fd)
{
	struct itimerspec it = { 0 };

	timerfd_settime(fd, 0, &it, NULL);
}

/* Whether the one-shot timerfd fd is armed. */
int
link_timer_armed(int fd)
{
	struct itimerspec it;

	return timerfd_gettime(fd, &it) == 0 &&
	    (it.it_value.tv_sec != 0 || it.it_value.tv_nsec != 0);
}

/* Has the "soon" timer fire in ms at the latest. */
static void
link_soon(struct link *l, int64_t ms)
{
	struct itimerspec it;
	int64_t left;

	if (timerfd_gettime(l->soonfd, &it) == 0 && (it.it_value.tv_sec != 0 ||
	    it.it_value.tv_nsec != 0)) {
		left = (int64_t)it.it_value.tv_sec * 1000 + it.it_value.tv_nsec / 1000000;
		if (left <= ms)
			return;
	}
	link_timer_arm(l->soonfd, ms, 0);
}

/*
 * Prints a problem on one line ("loaxa link: ...") unless it is the one
 * printed last (a broker that stays away is said once, not at every retry),
 * and keeps it as the last error for `loaxa status`.
 */
void
link_say_once(struct link *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (l->said == NULL || strcmp(l->said, msg) != 0)
		fprintf(stderr, "loaxa link: %s\n", msg);
	free(l->said);
	l->said = msg;
	free(l->status.last_error);
	l->status.last_error = xstrdup(msg);
	l->status_due = 1;
}

/* Writes status.json now when due (and not written in the last second). */
static void
link_status_flush(struct link *l, int now)
{
	char *cause = NULL;
	int64_t t = mono_ms();

	if (!l->status_due)
		return;
	if (!now && t - l->status_at < LINK_STATUS_MIN) {
		link_soon(l, LINK_STATUS_MIN - (t - l->status_at));
		return;
	}
	l->status.queued = link_state_queued(l->state, l->st);
	l->status.updated_ms = sched_log_now_ms();
	l->status.pid = (int)getpid();
	if (link_status_write(l->datadir, &l->status, &cause) != 0) {
		log_warn("link: %s", cause);
		free(cause);
	}
	l->status_due = 0;
	l->status_at = t;
}

/*
 * SQLite's page cache for each of the link's two databases: the link reads
 * a few rows at a time, each once; with SQLite's default (2 MB a
 * connection) every page of new airing rows read would stay, and the
 * resident link would grow by up to 4 MB over months for nothing.
 */
#define LINK_CACHE_PRAGMA "PRAGMA cache_size = -256"

/* Opens the station's database read-only when it is not yet; 0 when open. */
static int
link_open_station(struct link *l)
{
	char *cause = NULL;

	if (l->st != NULL)
		return 0;
	if (store_open_readonly(l->dbpath, LINK_MIN_SCHEMA, &l->st, &cause) != 0) {
		link_say_once(l, "%s", cause);
		free(cause);
		return -1;
	}
	l->env.st = l->st;
	sqlite3_exec(store_db(l->st), LINK_CACHE_PRAGMA, NULL, NULL, NULL);
	return 0;
}

/* Publishes on topic; the message id in *mid. -1 after saying why. */
static int
link_publish(struct link *l, const char *topic, const void *data, size_t len, int qos,
    int retain, int *mid)
{
	int rc = mosquitto_publish_v5(l->mosq, mid, topic, (int)len, data, qos, retain,
	    NULL);

	if (rc != MOSQ_ERR_SUCCESS) {
		link_say_once(l, _("cannot publish on %s: %s"), topic, mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

/* The publish the down handlers use: on PREFIX/sub. */
static int
link_env_publish(void *arg, const char *sub, const void *data, size_t len, int qos,
    int retain)
{
	struct link *l = arg;
	char *topic;
	int rc;

	xasprintf(&topic, "%s/%s", l->cfg->link.topic_prefix, sub);
	rc = link_publish(l, topic, data, len, qos, retain, NULL);
	free(topic);
	return rc;
}

static void
link_env_note(void *arg, const char *what, const char *text)
{
	struct link *l = arg;
	char **slot = strcmp(what, "package") == 0 ? &l->status.last_package :
	    &l->status.last_command;

	free(*slot);
	*slot = xstrdup(text);
	l->status_due = 1;
	link_status_flush(l, 1);
}

/* Removes "key":value from a flat part of a JSON text (value: no ',' or '}'). */
static void
scrub(char *json, const char *key)
{
	char *p = strstr(json, key), *end;

	if (p == NULL)
		return;
	end = p + strcspn(p, ",}");
	if (*end == ',')
		end++;
	memmove(p, end, strlen(end) + 1);
}

/*
 * Asks the daemon for its status and publishes the state when it changed
 * (clock readings aside), when forced, or when the last is a minute old.
 */
static void
link_state(struct link *l)
{
	struct link_state_facts f = { 0 };
	char *message = NULL, *body = NULL, *cause = NULL, *msg, *key;
	struct statvfs vfs;
	int64_t t = mono_ms();

	if (!l->connected || !l->state_due)
		return;
	if (!l->state_force && t - l->state_asked_at < LINK_STATE_MIN) {
		link_soon(l, LINK_STATE_MIN - (t - l->state_asked_at));
		return;
	}
	l->state_due = 0;
	l->state_asked_at = t;
	if (sched_ctl_request(l->ctlpath, "status json", 2000, &message, &body,
	    &cause) == 0) {
		body[strcspn(body, "\n")] = '\0';
		f.daemon_json = body;
	} else
		f.daemon_error = cause != NULL ? cause : message;
	f.online = 1;
	f.sent_at_ms = sched_log_now_ms();
	f.since_ms = l->status.since_ms;
	f.queued = link_state_queued(l->state, l->st);
	if (statvfs(l->datadir, &vfs) == 0)
		f.disk_free = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	xasprintf(&key, "%s|%s", f.daemon_json ? f.daemon_json : "",
	    f.daemon_error ? f.daemon_error : "");
	scrub(key, "\"now\":");
	scrub(key, "\"elapsed_ms\":");
	scrub(key, "\"remaining_ms\":");
	if (l->state_force || l->state_key == NULL || strcmp(key, l->state_key) != 0 ||
	    t - l->state_at >= LINK_STATE_EVERY) {
		msg = link_up_state(l->cfg, &f);
		if (link_publish(l, l->topic_state, msg, strlen(msg), 1, 1, NULL) == 0) {
			free(l->state_key);
			l->state_key = key;
			key = NULL;
			l->state_at = t;
			l->state_force = 0;
		}
		free(msg);
	}
	free(key);
	free(message);
	free(body);
	free(cause);
}

static int
link_in_flight(struct link *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->nflights; i++)
		if (l->flights[i].id == id)
			return 1;
	return 0;
}

/* Publishes the outbox rows after the cursor, up to the window. */
static void
link_scan(struct link *l)
{
	sqlite3_stmt *q;
	char *msg, *cause = NULL;
	int64_t id, ref;
	int mid, n;

	l->scan_due = 0;
	if (!l->connected || l->hold || link_open_station(l) != 0)
		return;
	do {
		if (sqlite3_prepare_v2(store_db(l->st), "SELECT id, ref FROM outbox"
		    " WHERE id > ?1 AND kind = 'airing' ORDER BY id LIMIT ?2", -1, &q,
		    NULL) != SQLITE_OK) {
			link_say_once(l, "outbox: %s", sqlite3_errmsg(store_db(l->st)));
			return;
		}
		sqlite3_bind_int64(q, 1, l->cursor);
		sqlite3_bind_int(q, 2, (int)(LINK_WINDOW - l->nflights));
		n = 0;
		while (l->nflights < LINK_WINDOW && sqlite3_step(q) == SQLITE_ROW) {
			n++;
			id = sqlite3_column_int64(q, 0);
			ref = sqlite3_column_int64(q, 1);
			if (link_state_is_acked(l->state, id) || link_in_flight(l, id)) {
				l->cursor = id;
				continue;
			}
			if ((msg = link_up_airing(l->st, l->cfg->station.code, id, ref,
			    &cause)) == NULL) {
				link_say_once(l, "%s", cause);
				free(cause);
				break;
			}
			if (link_publish(l, l->topic_airing, msg, strlen(msg), 1, 0,
			    &mid) != 0) {
				free(msg);
				break;
			}
			free(msg);
			l->flights[l->nflights].mid = mid;
			l->flights[l->nflights++].id = id;
			l->cursor = id;
		}
		sqlite3_finalize(q);
	} while (n > 0 && l->nflights < LINK_WINDOW);
	l->status_due = 1;
}

/*
 * Watches INBOX/sub (made, with the inbox, as the daemon's inbox makes them
 * when missing), for the packages the daemon files there; the watch, or -1
 * (a change of the database and the tick look then).
 */
static int
link_watch_inbox(struct link *l, const char *sub)
{
	char *dir;
	int wd;

	xasprintf(&dir, "%s/%s", l->cfg->paths.inbox, sub);
	if ((mkdir(l->cfg->paths.inbox, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0750) != 0 && errno != EEXIST))
		wd = -1;
	else
		wd = inotify_add_watch(l->infd, dir, IN_CREATE | IN_MOVED_TO |
		    IN_CLOSE_WRITE | IN_DONT_FOLLOW | IN_ONLYDIR);
	free(dir);
	return wd;
}

/* Opens the fds of the loop. */
static int
link_fds(struct link *l, char **cause)
{
	sigset_t set;
	int64_t tick = l->cfg->link.keepalive * 1000 / 2;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	l->infd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	l->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	l->soonfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	l->retryfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	l->waitfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->sigfd < 0 || l->infd < 0 || l->tickfd < 0 || l->soonfd < 0 ||
	    l->retryfd < 0 || l->waitfd < 0) {
		xasprintf(cause, "link: %s", strerror(errno));
		return -1;
	}
	if (inotify_add_watch(l->infd, l->datadir, IN_MODIFY | IN_CREATE |
	    IN_MOVED_TO) < 0) {
		xasprintf(cause, _("%s: cannot watch the data directory: %s"), l->datadir,
		    strerror(errno));
		return -1;
	}
	link_timer_arm(l->tickfd, tick > 30000 ? 30000 : tick, 1);
	l->donewd = link_watch_inbox(l, "done");
	l->rejectedwd = link_watch_inbox(l, "rejected");
	return 0;
}

/* Reads the directory's events; a change of the database asks for a scan. */
static void
link_inotify(struct link *l)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	while ((n = read(l->infd, buf, sizeof buf)) > 0)
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->wd >= 0 && (ev->wd == l->donewd ||
			    ev->wd == l->rejectedwd))
				l->pkg_due = 1;
			else if (ev->len > 0 && (strcmp(ev->name, STORE_DB_NAME "-wal") == 0 ||
			    strcmp(ev->name, STORE_DB_NAME) == 0)) {
				l->wal_due = l->state_due = 1;
				link_soon(l, 5);
			}
		}
}

/* Drains a timerfd; whether it had fired. */
static int
timer_fired(int fd)
{
	uint64_t n;

	return read(fd, &n, sizeof n) == (ssize_t)sizeof n;
}

/* The pending error of a socket whose connection failed, or 0. */
static int
sock_error(int sock)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

/*
 * The broker's socket is ready (revents): reads, then writes, inside one
 * transaction of link.db for the acknowledgements. An error that
 * libmosquitto returns without calling the disconnect callback (TLS during
 * the handshake, a refused TCP connection) ends the attempt here.
 */
static void
link_socket(struct link *l, int sock, short revents)
{
	unsigned lost = l->lost;
	int rc = MOSQ_ERR_SUCCESS, err;

	if (l->attempt && (revents & (POLLERR | POLLHUP)) &&
	    (err = sock_error(sock)) != 0) {
		errno = err;
		link_lost(l, MOSQ_ERR_ERRNO);
		return;
	}
	sqlite3_exec(l->state, "BEGIN", NULL, NULL, NULL);
	/* While connecting, reading also drives the TLS handshake. */
	if ((revents & (POLLIN | POLLERR | POLLHUP)) || l->attempt)
		rc = mosquitto_loop_read(l->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (revents & POLLOUT) && l->lost == lost)
		rc = mosquitto_loop_write(l->mosq, 1);
	sqlite3_exec(l->state, "COMMIT", NULL, NULL, NULL);
	if (l->lost != lost)
		return;
	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_PENDING)
		link_lost(l, rc);
	else if (l->attempt && (revents & POLLHUP)) {
		errno = ECONNRESET;
		link_lost(l, MOSQ_ERR_ERRNO);
	} else if (l->connected)
		mosquitto_loop_misc(l->mosq);
}

/* One turn of the loop; 1 to go on, 0 to stop. */
static int
link_turn(struct link *l)
{
	struct pollfd p[7];
	struct signalfd_siginfo si;
	int sock = mosquitto_socket(l->mosq);
	nfds_t n = 6;

	p[0] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = l->infd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = l->tickfd, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = l->soonfd, .events = POLLIN };
	p[4] = (struct pollfd){ .fd = l->retryfd, .events = POLLIN };
	p[5] = (struct pollfd){ .fd = l->waitfd, .events = POLLIN };
	/* A socket whose attempt failed waits, unpolled, for the next attempt. */
	if (sock >= 0 && (l->connected || l->attempt))
		p[n++] = (struct pollfd){ .fd = sock, .events = (short)(POLLIN |
		    (mosquitto_want_write(l->mosq) ? POLLOUT : 0)) };
	if (poll(p, n, -1) < 0)
		return errno == EINTR;
	if (p[0].revents && read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si &&
	    si.ssi_signo != SIGHUP)
		return 0;
	if (p[1].revents)
		link_inotify(l);
	if (p[2].revents && timer_fired(l->tickfd)) {
		if (l->connected)
			mosquitto_loop_misc(l->mosq);
		l->state_due = l->status_due = l->scan_due = l->pkg_due = 1;
		link_soon(l, 0);
	}
	if (p[4].revents && timer_fired(l->retryfd)) {
		if (l->hold) {
			/* Try the refused rows again, from the watermark. */
			l->hold = 0;
			l->cursor = link_state_acked_through(l->state);
			l->scan_due = 1;
		}
		if (!l->connected && !l->attempt)
			link_connect(l);
	}
	if (p[5].revents && timer_fired(l->waitfd) && l->attempt && !l->connected) {
		errno = ETIMEDOUT;
		link_lost(l, MOSQ_ERR_ERRNO);
	}
	if (n == 7 && p[6].revents && (l->connected || l->attempt))
		link_socket(l, sock, p[6].revents);
	if (p[3].revents && timer_fired(l->soonfd)) {
		/*
		 * The -wal is written before the commit shows (SQLite publishes
		 * it in the -shm, which inotify cannot see): look again a little
		 * later, once, so that a scan too early misses nothing.
		 */
		if (l->wal_due) {
			l->wal_due = 0;
			l->recheck = 1;
			l->scan_due = 1;
			link_soon(l, 250);
		} else if (l->recheck) {
			l->recheck = 0;
			l->scan_due = l->pkg_due = 1;
		}
	}
	/* The work the events asked for, outside libmosquitto's callbacks. */
	if (l->scan_due && (p[3].revents || p[2].revents || l->nflights < LINK_WINDOW / 2))
		link_scan(l);
	if (l->state_due && (p[3].revents || l->state_force))
		link_state(l);
	if (l->pkg_due && l->connected) {
		l->pkg_due = 0;
		link_open_station(l);
		link_pkg_check(&l->env);
	}
	link_status_flush(l, 0);
	return 1;
}

/*
 * Says goodbye: the broker publishes the last will (offline), retained. In
 * MQTT 3.1.1 a DISCONNECT discards the will: the link publishes the same
 * offline state itself first.
 */
static void
link_stop(struct link *l)
{
	struct link_state_facts gone = { 0 };
	int64_t until = mono_ms() + 2000;
	struct pollfd p;
	char *msg;

	l->stopping = 1;
	if (l->connected && l->cfg->link.mqtt_v311) {
		msg = link_up_state(l->cfg, &gone);
		mosquitto_publish(l->mosq, NULL, l->topic_state, (int)strlen(msg), msg, 1,
		    true);
		free(msg);
	}
	if (l->connected) {
		mosquitto_disconnect_v5(l->mosq, MQTT_RC_DISCONNECT_WITH_WILL_MSG, NULL);
		while (mosquitto_socket(l->mosq) >= 0 && mosquitto_want_write(l->mosq) &&
		    mono_ms() < until) {
			p = (struct pollfd){ .fd = mosquitto_socket(l->mosq), .events = POLLOUT };
			if (poll(&p, 1, 200) > 0)
				mosquitto_loop_write(l->mosq, 1);
		}
	}
	l->connected = l->status.connected = 0;
	l->status.since_ms = sched_log_now_ms();
	l->status_due = 1;
	link_status_flush(l, 1);
}

static void
link_free(struct link *l)
{
	int fds[] = { l->sigfd, l->infd, l->tickfd, l->soonfd, l->retryfd, l->waitfd };
	size_t i;

	if (l->mosq != NULL)
		mosquitto_destroy(l->mosq);
	mosquitto_property_free_all(&l->props);
	mosquitto_lib_cleanup();
	for (i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	store_close(&l->st);
	if (l->state != NULL)
		sqlite3_close_v2(l->state);
	free(l->dbpath);
	free(l->ctlpath);
	free(l->topic_state);
	free(l->topic_airing);
	free(l->topic_pkg);
	free(l->topic_cmd);
	free(l->state_key);
	free(l->said);
	free(l->mosq_error);
	link_status_clear(&l->status);
}

int
link_run(const struct config *cfg, char **cause)
{
	struct link l = { .cfg = cfg, .sigfd = -1, .infd = -1, .tickfd = -1,
		.soonfd = -1, .retryfd = -1, .waitfd = -1 };
	const char *pfx = cfg->link.topic_prefix;
	int rc = -1;

	perm_close_proc();
	l.datadir = cfg->paths.data;
	xasprintf(&l.dbpath, "%s/%s", l.datadir, STORE_DB_NAME);
	xasprintf(&l.ctlpath, "%s/%s", l.datadir, SCHED_CTL_NAME);
	xasprintf(&l.topic_state, "%s/up/state", pfx);
	xasprintf(&l.topic_airing, "%s/up/airing", pfx);
	xasprintf(&l.topic_pkg, "%s/down/pkg", pfx);
	xasprintf(&l.topic_cmd, "%s/down/cmd", pfx);
	xasprintf(&l.status.broker, "%s:%d", cfg->link.host, cfg->link.port);
	l.env = (struct link_env){ .cfg = cfg, .inbox = cfg->paths.inbox,
		.publish = link_env_publish, .note = link_env_note, .arg = &l,
		.groups = (const char *const *)cfg->link.groups,
		.ngroups = cfg->link.ngroups };
	if (link_state_open(l.datadir, &l.state, cause) != 0 ||
	    link_pkg_init(l.state, cause) != 0 ||
	    link_fds(&l, cause) != 0 || link_client(&l, cause) != 0)
		goto out;
	l.env.state = l.state;
	sqlite3_exec(l.state, LINK_CACHE_PRAGMA, NULL, NULL, NULL);
	l.cursor = link_state_acked_through(l.state);
	link_open_station(&l);
	link_cmd_undo(&l.env);
	l.status_due = l.pkg_due = 1;
	link_status_flush(&l, 1);
	log_info(_("link: station %s as %s to %s, topics %s/..."), cfg->station.code,

	    cfg->link.client_id, l.status.broker, pfx);
	link_connect(&l);
	while (link_turn(&l))
		;
	link_stop(&l);
	rc = 0;
out:
	link_free(&l);
	return rc;
}
