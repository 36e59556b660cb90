/*
 * The control socket's server: clients are accepted (their credentials
 * checked first), heard as their request's bytes arrive, never waited for,
 * answered and closed. Each client is a descriptor and a deadline timer of
 * the loop: one that says nothing within SCHED_CTL_REQUEST_MS is dropped.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "common/human.h"
#include "common/i18n.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "scheduler/internal.h"
#include "scheduler/loop.h"

/* Formats ms since the epoch as local ISO 8601 in the station's zone. */
static void
fmt_time(const struct daemon *d, int64_t ms, char *buf, size_t len)
{
	char t[DATE_ISO8601_LEN];

	(void)d;
	snprintf(buf, len, "%s", date_iso8601(ms, t));
}

/* Appends a JSON string literal of s to *buf. */
static void
json_str(char **buf, const char *s)
{
	char *out, *o = json_quote(s);

	out = *buf;
	xasprintf(buf, "%s%s", out ? out : "", o);
	free(out);
	free(o);
}

/* Appends printf output to *buf. */
static void
cat(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cat(char **buf, const char *fmt, ...)
{
	char *add, *old = *buf;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&add, fmt, ap);
	va_end(ap);
	xasprintf(buf, "%s%s", old ? old : "", add);
	free(old);
	free(add);
}

/*
 * Appends one line of the status text for a person, in the daemon's
 * language: its translation alone, or, where the language has none (the C
 * locale), the English line after its Vietnamese label ("Đài / station:
 * ..."), as an operator beside an English terminal still reads it. gettext
 * returns fmt itself when there is no translation.
 */
static void
label(char **buf, const char *vi, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
label(char **buf, const char *vi, const char *fmt, ...)
{
	const char *tr = gettext(fmt);
	char *add;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&add, tr, ap);
	va_end(ap);
	cat(buf, "%s%s%s", tr == fmt ? vi : "", tr == fmt ? " / " : "", add);
	free(add);
}

/* The status document, as JSON or as text for a person. */
static char *
server_status(struct daemon *d, int json)
{
	int64_t now = sched_log_now_ms(), elapsed = 0, remaining = 0;
	struct sched_occurrence occ;
	char *b = NULL, t[64];
	int have_next, have_air = d->air_active && d->air.row != 0;
	size_t i;

	if (have_air) {
		elapsed = now - d->air.started_at;
		remaining = d->air.item.duration_ms - d->air.played_ms;
		if (remaining < 0)
			remaining = 0;
	}
	have_next = sched_prog_next_occurrence(d, d->prog.active ? d->prog.occ.air_end :
	    now, &occ, 0);
	if (json) {
		cat(&b, "{\"station\":");
		json_str(&b, d->cfg->station.code);
		cat(&b, ",\"now\":");
		fmt_time(d, now, t, sizeof t);
		json_str(&b, t);
		cat(&b, ",\"on_air\":");
		if (have_air) {
			cat(&b, "{\"bulletin\":%lld,\"title\":", (long long)d->air.item.bulletin_id);
			json_str(&b, d->air.item.title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->air.slot);
			cat(&b, ",\"priority\":");
			json_str(&b, sched_onair_priority(&d->air));
			cat(&b, ",\"elapsed_ms\":%lld,\"remaining_ms\":%lld}",
			    (long long)elapsed, (long long)remaining);
		} else
			cat(&b, "null");
		cat(&b, ",\"starting\":");
		if (d->air_active && !have_air) {
			/* Prepared in the pre-roll: its first sample is due at "at". */
			cat(&b, "{\"bulletin\":%lld,\"title\":", (long long)d->air.item.bulletin_id);
			json_str(&b, d->air.item.title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->air.slot);
			fmt_time(d, d->air.scheduled_at, t, sizeof t);
			cat(&b, ",\"at\":");
			json_str(&b, t);
			cat(&b, "}");
		} else
			cat(&b, "null");
		cat(&b, ",\"next\":[");
		for (i = d->prog.next; d->prog.active && i < d->prog.n; i++) {
			cat(&b, "%s{\"bulletin\":%lld,\"title\":", i > d->prog.next ? "," : "",
			    (long long)d->prog.items[i].bulletin_id);
			json_str(&b, d->prog.items[i].title);
			cat(&b, ",\"slot\":");
			json_str(&b, d->prog.slot);
			cat(&b, "}");
		}
		cat(&b, "],\"next_slot\":");
		if (have_next) {
			cat(&b, "{\"slot\":");
			json_str(&b, d->cfg->slots[occ.slot].name);
			fmt_time(d, occ.start, t, sizeof t);
			cat(&b, ",\"start\":");
			json_str(&b, t);
			cat(&b, "}");
		} else
			cat(&b, "null");
		cat(&b, ",\"device\":\"%s\",\"last_error\":", d->device_ok ? "ok" : "failing");
		json_str(&b, d->last_error);
		cat(&b, "}\n");
	} else {
		/*
		 * For a person, in the daemon's language (the station's LANG):
		 * Vietnamese dates, times and durations.
		 */
		char h1[HUMAN_LEN], h2[HUMAN_LEN];

		label(&b, "Đài", N_("station: %s (%s)\n"), d->cfg->station.name,
		    d->cfg->station.code);
		if (have_air)
			label(&b, "Đang phát", N_("on air: '%s' (%s), %s played, %s left\n"),
			    d->air.item.title ? d->air.item.title : "?",
			    d->air.slot ? d->air.slot : _("operator"),
			    human_duration(HUMAN_VI, elapsed, h1),
			    human_duration(HUMAN_VI, remaining, h2));
		else if (d->air_active) {
			human_datetime_s(HUMAN_VI, d->air.scheduled_at, t);
			label(&b, "Đang phát", N_("on air: nothing yet; '%s' (%s) starts at "
			    "%s\n"), d->air.item.title ? d->air.item.title : "?",
			    d->air.slot ? d->air.slot : _("operator"), t);
		} else
			label(&b, "Đang phát", N_("on air: nothing\n"));
		for (i = d->prog.next; d->prog.active && i < d->prog.n; i++)
			cat(&b, _("  then: '%s'\n"), d->prog.items[i].title ?
			    d->prog.items[i].title : "?");
		if (have_next) {
			human_datetime(HUMAN_VI, occ.start, t);
			label(&b, "Khung giờ tới", N_("next slot: %s at %s\n"),
			    d->cfg->slots[occ.slot].name, t);
		} else
			label(&b, "Khung giờ tới", N_("next slot: none in the timetable\n"));
		label(&b, "Thiết bị", N_("device: %s (%s)\n"), d->device_ok ? _("ok") :
		    _("failing"), d->cfg->audio.driver);
		label(&b, "Lỗi gần nhất", N_("last error: %s\n"), d->last_error ?
		    d->last_error : _("none"));
	}
	return b;
}

/* Answers one control request, line, on fd and closes fd. */
static void
server_request(struct daemon *d, int fd, char *line)
{
	char *body, *arg, *why = NULL, *end, *by;
	long long id;
	const char *prio;
	int prog, level;
	size_t dropped;

	log_debug("control: %s", line);
	if (strcmp(line, "status") == 0 || strcmp(line, "status json") == 0) {
		body = server_status(d, strcmp(line, "status json") == 0);
		sched_ctl_reply(fd, 0, "ok", body);
		free(body);
	} else if (strncmp(line, "play ", 5) == 0) {
		arg = line + 5;
		id = strtoll(arg, &end, 10);
		prio = *end == ' ' ? end + 1 : "normal";
		/* "play ID PRIORITY by WHO": who asked, for the log (a district). */
		if ((by = strstr(prio, " by ")) != NULL) {
			*by = '\0';
			by += 4;
		}
		if (end == arg || id <= 0 || (*end != '\0' && *end != ' '))
			sched_ctl_reply(fd, 2, _("play: the bulletin id must be a number"), NULL);
		else if ((level = conf_priority_parse(prio)) < 0)
			sched_ctl_reply(fd, 2, _("play: priority must be normal, priority or "
			    "emergency"), NULL);
		else if (d->stopping)
			sched_ctl_reply(fd, 1, _("refused: the daemon is stopping"), NULL);
		else if (sched_prog_play(d, id, level, &why) != 0) {
			xasprintf(&body, _("refused: bulletin %lld: %s"), id, why);
			sched_ctl_reply(fd, 3, body, NULL);
			free(body);
			free(why);
		} else {
			if (by != NULL)
				log_info(_("play of bulletin %lld (%s) asked by %s"), id, prio, by);
			xasprintf(&body, _("queued bulletin %lld (%s)"), id, prio);
			sched_ctl_reply(fd, 0, body, NULL);
			free(body);
		}
	} else if (strcmp(line, "stop") == 0) {
		/*
		 * A slot stopped before anything of it aired is logged missed; the
		 * operator's plays still waiting go too, or one would start at once.
		 */
		prog = d->prog.active;
		dropped = sched_prog_drop_queue(d);
		if (d->air_active)
			sched_onair_stop(d, SCHED_R_OPERATOR_STOP);
		sched_prog_end(d, SCHED_R_OPERATOR_STOP);
		xasprintf(&body, "%s%s", d->air_active ? _("stopping what is on air; the "
		    "rest of this slot will not air") : prog ? _("this slot will not air "
		    "(logged missed: operator stop)") : _("nothing was on air"), dropped == 0 ?
		    "" : _("; the waiting plays were dropped"));
		sched_ctl_reply(fd, 0, body, NULL);
		free(body);
	} else if (strcmp(line, "skip") == 0) {
		if (d->air_active) {
			sched_onair_stop(d, SCHED_R_SKIPPED);
			sched_ctl_reply(fd, 0, _("skipping to the next item"), NULL);
		} else
			sched_ctl_reply(fd, 1, _("nothing is on air"), NULL);
	} else if (strcmp(line, "reload") == 0) {
		if (sched_daemon_reload(d, &why) != 0) {
			sched_ctl_reply(fd, 2, _("refused: the new configuration has problems; "
			    "the old one stays"), why);
			free(why);
		} else
			sched_ctl_reply(fd, 0, _("configuration reloaded"), NULL);
	} else
		sched_ctl_reply(fd, 2, _("unknown request (status, play ID [PRIORITY [by WHO]], "
		    "stop, skip, reload)"), NULL);
}

/*
 * Warns about the control socket's clients, at most once in
 * SCHED_CTL_WARN_MS: a script that knocks thousands of times a second would
 * fill the journal. A warning held back is counted in the next one.
 */
static void
server_warn(struct daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
server_warn(struct daemon *d, const char *fmt, ...)
{
	struct sched_server *s = &d->srv;
	int64_t now = sched_loop_now();
	va_list ap;
	char *msg;

	if (s->warned_at != 0 && now - s->warned_at < SCHED_CTL_WARN_MS) {
		s->unsaid++;
		return;
	}
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (s->unsaid > 0)
		log_warn(_("%s (and %lu more warnings about control clients in the "
		    "last %lld s)"), msg, s->unsaid, (long long)(now - s->warned_at) / 1000);
	else
		log_warn("%s", msg);
	free(msg);
	s->warned_at = now;
	s->unsaid = 0;
}

/* The pending client heard on fd, or NULL. */
static struct sched_client *
client_by_fd(struct sched_server *s, int fd)
{
	size_t k;

	for (k = 0; k < s->n; k++)
		if (s->clients[k].req.fd == fd)
			return &s->clients[k];
	return NULL;
}

/* Answers c (status and message), stops hearing it and closes it. */
static void
client_drop(struct daemon *d, struct sched_client *c, int status, const char *message)
{
	struct sched_server *s = &d->srv;
	int fd = c->req.fd;

	sched_loop_del_fd(d->loop, fd);
	sched_loop_del_timer(d->loop, c->timer);
	memmove(c, c + 1, (size_t)(s->clients + s->n - (c + 1)) * sizeof *c);
	s->n--;
	if (message != NULL)
		sched_ctl_reply(fd, status, message, NULL);
}

/* A client's bytes arrived: answers it once its request is whole. */
static void
client_ready(struct sched_loop *loop, int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct sched_client *c = client_by_fd(&d->srv, fd);
	char *cause = NULL, line[sizeof c->req.buf];
	int rc;

	(void)loop;
	(void)revents;
	if (c == NULL || (rc = sched_ctl_read_some(&c->req, &cause)) == 0)
		return;
	if (rc < 0) {
		server_warn(d, _("control socket: %s"), cause);
		free(cause);
		client_drop(d, c, 2, _("no request"));
		return;
	}
	/* Out of the list first: the request may reload, stop, or answer others. */
	memcpy(line, c->req.buf, sizeof line);
	client_drop(d, c, 0, NULL);
	server_request(d, fd, line);
}

/* A client's deadline: it sent no whole request in time. */
static void
client_late(struct sched_loop *loop, uint64_t id, void *arg)
{
	struct daemon *d = arg;
	size_t k;

	(void)loop;
	for (k = 0; k < d->srv.n; k++)
		if (d->srv.clients[k].timer == id) {
			server_warn(d, _("control socket: a client (uid %ld) sent no request "
			    "within %d ms; dropped it"), (long)d->srv.clients[k].uid, SCHED_CTL_REQUEST_MS);
			d->srv.clients[k].timer = 0;
			client_drop(d, &d->srv.clients[k], 2, _("no request"));
			return;
		}
}

/*
 * Whether a client of uid may be heard now, when s->n others are: 0, or -1
 * with the refusal's words in *why. Root and the daemon's user may fill every
 * place; anyone else only SCHED_CTL_PER_USER, and never the last
 * SCHED_CTL_RESERVED.
 */
static int
server_room(const struct sched_server *s, uid_t uid, const char **why)
{
	size_t k, mine = 0;

	if (s->n == SCHED_CTL_PENDING) {
		*why = _("too many control clients at once");
		return -1;
	}
	if (uid == 0 || uid == geteuid())
		return 0;
	if (s->n >= SCHED_CTL_PENDING - SCHED_CTL_RESERVED) {
		*why = _("too many control clients at once");
		return -1;
	}
	for (k = 0; k < s->n; k++)
		if (s->clients[k].uid == uid)
			mine++;
	if (mine >= SCHED_CTL_PER_USER) {
		*why = _("this user has too many control clients at once");
		return -1;
	}
	return 0;
}

/*
 * A client that passed the credential check: heard by the loop from now on,
 * or refused at once when there is no room for it (server_room).
 */
static void
server_accept(struct sched_loop *loop, int lfd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct sched_server *s = &d->srv;
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t len = sizeof cred;
	struct sched_client *c;
	const char *why;
	char *cause = NULL, *msg;
	int fd;

	(void)revents;
	if ((fd = sched_ctl_accept(lfd, &cause)) < 0) {
		if (cause != NULL)
			server_warn(d, "%s", cause);
		free(cause);
		return;
	}
	/* sched_ctl_accept checked it already: it cannot fail here. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		cred.uid = (uid_t)-1;
	if (server_room(s, cred.uid, &why) != 0) {
		server_warn(d, _("control socket: %s: refused a client (uid %ld); %zu are "
		    "still to send their request"), why, (long)cred.uid, s->n);
		xasprintf(&msg, _("refused: %s; try again"), why);
		sched_ctl_reply(fd, 1, msg, NULL);
		free(msg);
		return;
	}
	c = &s->clients[s->n++];
	c->req.fd = fd;
	c->req.n = 0;
	c->uid = cred.uid;
	c->timer = sched_loop_add_timer(loop, sched_loop_now() + SCHED_CTL_REQUEST_MS,
	    client_late, d);
	sched_loop_add_fd(loop, fd, POLLIN, client_ready, d);
}

int
sched_server_open(struct daemon *d, char **cause)
{
	struct sched_server *s = &d->srv;

	xasprintf(&s->path, "%s/%s", d->cfg->paths.data, SCHED_CTL_NAME);
	if (sched_ctl_listen(s->path, &s->lfd, cause) != 0)
		return -1;
	sched_loop_add_fd(d->loop, s->lfd, POLLIN, server_accept, d);
	return 0;
}

void
sched_server_close(struct daemon *d)
{
	struct sched_server *s = &d->srv;

	while (s->n > 0)
		client_drop(d, &s->clients[0], 1, _("refused: the daemon is stopping"));
	if (s->lfd >= 0) {
		sched_loop_del_fd(d->loop, s->lfd);
		unlink(s->path);
		close(s->lfd);
		s->lfd = -1;
	}
	free(s->path);
	s->path = NULL;
}
