/*
 * The district's MQTT connection (libmosquitto, MQTT 5): connect, subscribe
 * to acknowledgements, publish at QoS 1 and wait for the broker's PUBACK,
 * whose reason code says when the broker refused a publish (its ACL). No
 * thread: each wait drives mosquitto_loop until its condition or deadline
 * (CLOCK_MONOTONIC).
 */
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "fleet/fleet.h"
#include "fleet/internal.h"
#include "scheduler/loop.h"

#define UNUSED __attribute__((unused))

static void
mq_on_connect(struct mosquitto *m UNUSED, void *arg, int rc, int flags,
    const mosquitto_property *props UNUSED)
{
	struct fleet *f = arg;

	f->connack = rc == 0 ? 1 : -1;
	f->connack_rc = rc;
	f->session = (flags & 1) != 0;
}

static void
mq_on_subscribe(struct mosquitto *m UNUSED, void *arg, int mid UNUSED, int n,
    const int *qos, const mosquitto_property *props UNUSED)
{
	struct fleet *f = arg;

	f->subacks++;
	if (n < 1 || qos[0] >= 0x80)
		f->sub_refused++;
}

static void
mq_on_publish(struct mosquitto *m UNUSED, void *arg, int mid UNUSED, int reason,
    const mosquitto_property *props UNUSED)
{
	struct fleet *f = arg;

	f->inflight--;
	if (reason >= 0x80 && f->refused == 0)
		f->refused = reason;
}

static void
mq_on_message(struct mosquitto *m UNUSED, void *arg,
    const struct mosquitto_message *msg, const mosquitto_property *props UNUSED)
{
	struct fleet *f = arg;

	if (msg->payloadlen > 0)
		fleet_message(f, msg->topic, msg->payload, (size_t)msg->payloadlen,
		    msg->retain);
}

/* Runs the network until done(f) or deadline; 0, or -1 when the connection fell. */
int
fleet_loop_until(struct fleet *f, int (*done)(const struct fleet *), int64_t deadline)
{
	int rc;

	while (!done(f) && sched_loop_now() < deadline) {
		rc = mosquitto_loop(f->m, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
			f->lost = rc;
			return -1;
		}
	}
	return done(f) ? 0 : -1;
}

int64_t
fleet_deadline(int timeout_ms)
{
	return sched_loop_now() + timeout_ms;
}

static int
mq_connacked(const struct fleet *f)
{
	return f->connack != 0;
}

/* Reads the first line of a password file into an allocated string. */
static char *
mq_password(const char *path, char **cause)
{
	char buf[512];
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL || fgets(buf, sizeof buf, fp) == NULL) {
		xasprintf(cause, "%s: %s", path, fp == NULL ? strerror(errno) :
		    "empty password file");
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

/* Sets TLS and credentials on f->m from the fleet section. */
static int
mq_setup(struct fleet *f, const struct config_fleet *c, char **cause)
{
	char *pw = NULL;
	int rc;

	mosquitto_int_option(f->m, MOSQ_OPT_PROTOCOL_VERSION, c->mqtt_v311 ?
	    MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5);
	if (c->cafile != NULL && (rc = mosquitto_tls_set(f->m, c->cafile, NULL,
	    c->certfile, c->keyfile, NULL)) != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, "fleet TLS (%s%s%s): %s", c->cafile,
		    c->certfile ? ", " : "", c->certfile ? c->certfile : "",
		    mosquitto_strerror(rc));
		return -1;
	}
	if (c->password_file != NULL && (pw = mq_password(c->password_file, cause)) ==
	    NULL)
		return -1;
	if (c->username != NULL)
		mosquitto_username_pw_set(f->m, c->username, pw);
	free(pw);
	return 0;
}

static int
mq_prefix_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fleet_prefix *)a)->prefix,
	    ((const struct fleet_prefix *)b)->prefix);
}

/* Waits for the broker's CONNACK; 0 when it accepted, else -1 with *cause. */
static int
mq_connack_wait(struct fleet *f, int timeout_ms, char **cause)
{
	const struct config_fleet *c = &f->cfg->fleet;

	if (fleet_loop_until(f, mq_connacked, fleet_deadline(timeout_ms)) == 0 &&
	    f->connack == 1)
		return 0;
	xasprintf(cause, "broker %s:%d: %s", c->host, c->port,
	    f->connack < 0 ? mosquitto_reason_string(f->connack_rc) :
	    f->lost != 0 ? mosquitto_strerror(f->lost) :
	    "no answer (a TLS or network problem?)");
	return -1;
}

int
fleet_connect(const struct config *cfg, int timeout_ms, struct fleet **out,
    char **cause)
{
	return fleet_connect_as(cfg, timeout_ms, NULL, 0, out, cause);
}

int
fleet_connect_as(const struct config *cfg, int timeout_ms, const char *cid,
    int persistent, struct fleet **out, char **cause)
{
	const struct config_fleet *c = &cfg->fleet;
	mosquitto_property *props = NULL;
	struct fleet *f;
	char *id;
	size_t i;
	int rc;

	*out = NULL;
	mosquitto_lib_init();
	f = xcalloc(1, sizeof *f);
	f->cfg = cfg;
	f->prefixes = xcalloc(c->nstations + 1, sizeof *f->prefixes);
	for (i = 0; i < c->nstations; i++) {
		f->prefixes[i].prefix = c->stations[i].prefix;
		f->prefixes[i].idx = i;
	}
	qsort(f->prefixes, c->nstations, sizeof *f->prefixes, mq_prefix_cmp);
	if (cid != NULL)
		id = xstrdup(cid);
	else if (c->client_id != NULL)
		id = xstrdup(c->client_id);
	else
		xasprintf(&id, "district-%ld", (long)getpid());
	f->m = mosquitto_new(id, !persistent, f);
	free(id);
	if (f->m == NULL) {
		xasprintf(cause, _("cannot make an MQTT client: %s"), strerror(errno));
		free(f);
		return -1;
	}
	mosquitto_connect_v5_callback_set(f->m, mq_on_connect);
	mosquitto_subscribe_v5_callback_set(f->m, mq_on_subscribe);
	mosquitto_publish_v5_callback_set(f->m, mq_on_publish);
	mosquitto_message_v5_callback_set(f->m, mq_on_message);
	if (mq_setup(f, c, cause) != 0) {
		fleet_free(&f);
		return -1;
	}
	if (persistent && !c->mqtt_v311)
		mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
		    7 * 86400);
	rc = mosquitto_connect_bind_v5(f->m, c->host, c->port, 60, NULL, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, "broker %s:%d: %s", c->host, c->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		fleet_free(&f);
		return -1;
	}
	if (mq_connack_wait(f, timeout_ms, cause) != 0) {
		fleet_free(&f);
		return -1;
	}
	*out = f;
	return 0;
}

int
fleet_reconnect(struct fleet *f, int timeout_ms, int *session, char **cause)
{
	const struct config_fleet *c = &f->cfg->fleet;
	int rc;

	f->connack = 0;
	f->lost = 0;
	*session = 0;
	if ((rc = mosquitto_reconnect(f->m)) != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, "broker %s:%d: %s", c->host, c->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return -1;
	}
	if (mq_connack_wait(f, timeout_ms, cause) != 0) {
		f->connack = 0;
		return -1;
	}
	*session = f->session;
	return 0;
}

void
fleet_free(struct fleet **fp)
{
	struct fleet *f = *fp;
	size_t i;

	if (f == NULL)
		return;
	if (f->connack == 1) {
		mosquitto_disconnect(f->m);
		mosquitto_loop(f->m, 100, 1);
	}
	mosquitto_destroy(f->m);
	for (i = 0; i < f->nheard; i++) {
		free(f->heard[i].msg_id);
		free(f->heard[i].why);
	}
	free(f->heard);
	free(f->prefixes);
	free(f);
	*fp = NULL;
	mosquitto_lib_cleanup();
}

static int
mq_subacked(const struct fleet *f)
{
	return f->subacks >= f->subs;
}

int
fleet_listen_acks(struct fleet *f, const size_t *idx, size_t n, int timeout_ms,
    char **cause)
{
	return fleet_subscribe(f, idx, n, "up/ack", timeout_ms, cause);
}

int
fleet_subscribe(struct fleet *f, const size_t *idx, size_t n, const char *sub,
    int timeout_ms, char **cause)
{
	char *topic;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		xasprintf(&topic, "%s/%s", f->cfg->fleet.stations[idx[i]].prefix, sub);
		rc = mosquitto_subscribe_v5(f->m, NULL, topic, 1, 0, NULL);
		free(topic);
		if (rc != MOSQ_ERR_SUCCESS) {
			xasprintf(cause, _("cannot subscribe: %s"), mosquitto_strerror(rc));
			return -1;
		}
		f->subs++;
	}
	if (fleet_loop_until(f, mq_subacked, fleet_deadline(timeout_ms)) != 0) {
		xasprintf(cause, _("the broker did not answer the subscriptions"));
		return -1;
	}
	if (f->sub_refused > 0) {
		xasprintf(cause, ngettext("the broker refused %d subscription to the "
		    "stations' %s (its ACL?)", "the broker refused %d subscriptions to "
		    "the stations' %s (its ACL?)", (unsigned long)f->sub_refused),
		    f->sub_refused, sub);
		return -1;
	}
	return 0;
}

/* Whether at most f->window publishes wait for their PUBACK. */
static int
mq_room(const struct fleet *f)
{
	return f->inflight <= f->window || f->refused != 0;
}

int
fleet_publish_one(struct fleet *f, const char *topic, const void *data,
    size_t len, int64_t deadline, char **cause)
{
	int rc;

	if (fleet_loop_until(f, mq_room, deadline) != 0) {
		xasprintf(cause, _("the broker did not acknowledge what was sent in time"));
		return -1;
	}
	if (f->refused != 0) {
		xasprintf(cause, _("the broker refused to take it: %s"),
		    mosquitto_reason_string(f->refused));
		return -1;
	}
	rc = mosquitto_publish_v5(f->m, NULL, topic, (int)len, data, 1, false, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, _("cannot publish on %s: %s"), topic, mosquitto_strerror(rc));
		return -1;
	}
	f->inflight++;
	return 0;
}

int
fleet_publish(struct fleet *f, const size_t *idx, size_t n, const char *sub,
    const void *data, size_t len, int timeout_ms, char **cause)
{
	int64_t deadline = fleet_deadline(timeout_ms);
	char *topic;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		xasprintf(&topic, "%s/%s", f->cfg->fleet.stations[idx[i]].prefix, sub);
		rc = fleet_publish_one(f, topic, data, len, deadline, cause);
		free(topic);
	}
	return rc == 0 ? fleet_drain(f, deadline, cause) : -1;
}

static int
mq_drained(const struct fleet *f)
{
	return f->inflight == 0 || f->refused != 0;
}

int
fleet_drain(struct fleet *f, int64_t deadline, char **cause)
{
	if (fleet_loop_until(f, mq_drained, deadline) != 0) {
		xasprintf(cause, _("the broker did not acknowledge what was sent in time"));
		return -1;
	}
	if (f->refused != 0) {
		xasprintf(cause, _("the broker refused to take it: %s"),
		    mosquitto_reason_string(f->refused));
		return -1;
	}
	return 0;
}

/* A station's index by its prefix, or -1. */
static long
mq_station(const struct fleet *f, const char *prefix)
{
	struct fleet_prefix key = { prefix, 0 }, *p;

	p = bsearch(&key, f->prefixes, f->cfg->fleet.nstations, sizeof *f->prefixes,
	    mq_prefix_cmp);
	return p == NULL ? -1 : (long)p->idx;
}

void
fleet_message(struct fleet *f, const char *topic, const void *payload, size_t len,
    int retained)
{
	const char *up = NULL, *p;
	char *prefix, *text;
	long st;

	for (p = topic; (p = strstr(p, "/up/")) != NULL; p++)
		up = p;
	if (up == NULL)
		return;
	prefix = xstrndup(topic, (size_t)(up - topic));
	st = mq_station(f, prefix);
	free(prefix);
	if (st < 0)
		return;
	text = xmalloc(len + 1);
	memcpy(text, payload, len);
	text[len] = '\0';
	fleet_keep_message(f, (size_t)st, up + 4, text, len, retained);
	if (f->heard_fn != NULL)
		f->heard_fn(f->heard_arg, (size_t)st, up + 4, text, len, retained);
	free(text);
}

void
fleet_on_heard(struct fleet *f, fleet_heard_fn fn, void *arg)
{
	f->heard_fn = fn;
	f->heard_arg = arg;
}

void
fleet_keep(struct fleet *f, sqlite3 *db)
{
	f->db = db;
}

int
fleet_run_for(struct fleet *f, int timeout_ms, int (*done)(void *), void *arg,
    volatile int *stop, char **cause)
{
	int64_t deadline = fleet_deadline(timeout_ms);
	int rc;

	while (sched_loop_now() < deadline && (stop == NULL || !*stop) &&
	    (done == NULL || !done(arg))) {
		rc = mosquitto_loop(f->m, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			xasprintf(cause, _("the connection to the broker fell: %s"),

			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			return -1;
		}
	}
	return 0;
}
