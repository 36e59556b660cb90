/*
 * `loaxa link`'s connection to the broker: the libmosquitto client (TLS, the
 * station's credentials, the last will, MQTT v5 properties), its callbacks,
 * a connection attempt that never blocks the loop, and what is said when the
 * broker or the TLS handshake refuses. The loop itself is link/link.c.
 */
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "link/internal.h"
#include "link/process.h"
#include "scheduler/airlog.h"
#include "store/store.h"

static void
on_connect(struct mosquitto *mosq, void *arg, int rc, int flags,
    const mosquitto_property *props)
{
	struct link *l = arg;

	(void)flags;
	(void)props;
	if (rc != 0) {
		/* The broker closes next: the attempt ends then, said once. */
		link_say_once(l, "%s:%d refused the connection: %s", l->cfg->link.host,
		    l->cfg->link.port, mosquitto_reason_string(rc));
		l->refused = 1;
		return;
	}
	l->attempt = 0;
	link_timer_disarm(l->waitfd);
	l->connected = 1;
	l->backoff = 0;
	l->status.connected = 1;
	l->status.since_ms = sched_log_now_ms();
	free(l->status.last_error);
	l->status.last_error = NULL;
	free(l->said);
	l->said = NULL;
	free(l->mosq_error);
	l->mosq_error = NULL;
	log_info(_("link: connected to %s"), l->status.broker);
	mosquitto_subscribe_v5(mosq, NULL, l->topic_pkg, 1, 0, NULL);
	mosquitto_subscribe_v5(mosq, NULL, l->topic_cmd, 1, 0, NULL);
	l->state_due = l->state_force = l->scan_due = l->status_due = 1;
}

/* Turns OpenSSL's words into what the operator should check. */
static const char *
link_tls_hint(const char *err)
{
	if (strstr(err, "certificate verify failed") != NULL)
		return _("the broker's certificate is not signed by link.ca_file, "
		    "or not for link.host");
	if (strstr(err, "unknown ca") != NULL || strstr(err, "bad certificate") !=
	    NULL || strstr(err, "certificate required") != NULL)
		return _("the broker refused the station's certificate "
		    "(link.cert_file is not signed by the broker's CA)");
	return NULL;
}

/*
 * Says why the connection failed or was lost (rc from libmosquitto):
 * OpenSSL's refusal with what to check first, else the system's or the
 * library's words.
 */
static void
link_failed(struct link *l, int rc)
{
	const char *hint = l->mosq_error != NULL ? link_tls_hint(l->mosq_error) : NULL;

	if (hint != NULL)
		link_say_once(l, _("%s: TLS refused: %s (%s)"), l->status.broker, hint,
		    l->mosq_error);
	else if (rc == MOSQ_ERR_ERRNO && l->attempt && l->mosq_error == NULL &&
	    (errno == EPROTO || errno == ECONNRESET || errno == EPIPE))
		/*
		 * The broker closed during the handshake or before CONNACK: with
		 * TLS 1.3 it checks the station's certificate after the client's
		 * side of the handshake is done, and its alert is often lost to
		 * the reset that follows.
		 */
		link_say_once(l, _("%s: TLS refused: the broker closed the connection "
		    "during the handshake (%s): %s"), l->status.broker, strerror(errno),
		    l->cfg->link.cert_file != NULL ? _("it most likely refused the "
		    "station's certificate (link.cert_file is not signed by the "
		    "broker's CA)") : _("does it require a client certificate "
		    "(link.cert_file)?"));
	else if (rc == MOSQ_ERR_ERRNO && errno == ETIMEDOUT && l->attempt)
		link_say_once(l, _("the broker %s did not answer within %d s (TCP "
		    "connection, TLS handshake or CONNACK)%s%s"), l->status.broker,
		    LINK_CONNECT_S, l->mosq_error != NULL ? ": " : "",
		    l->mosq_error != NULL ? l->mosq_error : "");

	else if (rc == MOSQ_ERR_ERRNO)
		link_say_once(l, _("cannot reach the broker %s: %s"), l->status.broker,
		    strerror(errno));
	else if (l->mosq_error != NULL)
		link_say_once(l, _("the broker %s: %s"), l->status.broker, l->mosq_error);
	else
		link_say_once(l, _("lost the broker %s: %s"), l->status.broker,
		    rc > 0 && rc < 128 ? mosquitto_strerror(rc) :
		    mosquitto_reason_string(rc));
}

/* Schedules the next connection attempt: reconnect_min, doubling to max. */
static void
link_retry_later(struct link *l)
{
	const struct config_link *c = &l->cfg->link;

	l->backoff = l->backoff == 0 ? c->reconnect_min : l->backoff * 2;
	if (l->backoff > c->reconnect_max)
		l->backoff = c->reconnect_max;
	link_timer_arm(l->retryfd, (int64_t)l->backoff * 1000, 0);
}

/*
 * The connection or the attempt ended (rc from libmosquitto): says why once
 * and schedules the next attempt. The socket is no longer polled; the next
 * attempt closes it if libmosquitto has not.
 */
void
link_lost(struct link *l, int rc)
{
	if (l->connected)
		l->status.since_ms = sched_log_now_ms();
	l->connected = 0;
	l->status.connected = 0;
	l->status_due = 1;
	link_timer_disarm(l->waitfd);
	if (!l->stopping && !l->refused)
		link_failed(l, rc);
	l->attempt = l->refused = 0;
	if (!l->stopping)
		link_retry_later(l);
}

static void
on_disconnect(struct mosquitto *mosq, void *arg, int rc, const mosquitto_property *props)
{
	struct link *l = arg;

	(void)mosq;
	(void)props;
	l->lost++;
	link_lost(l, rc);
}

static void
on_publish(struct mosquitto *mosq, void *arg, int mid, int reason,
    const mosquitto_property *props)
{
	struct link *l = arg;
	char *cause = NULL;
	size_t i;

	(void)mosq;
	(void)props;
	for (i = 0; i < l->nflights && l->flights[i].mid != mid; i++)
		;
	if (reason >= 128) {
		/* Refused: not delivered. Hold the queue and try again later. */
		link_say_once(l, _("the broker refused %s: %s (reason 0x%02x); "
		    "is link.topic_prefix this station's?"), i < l->nflights ?
		    l->topic_airing : l->topic_state, mosquitto_reason_string(reason),
		    reason);
		if (i < l->nflights) {
			l->hold = 1;
			l->flights[i] = l->flights[--l->nflights];
			if (!link_timer_armed(l->retryfd))
				link_timer_arm(l->retryfd, (int64_t)l->cfg->link.reconnect_max *
				    1000, 0);
		}
		return;
	}
	if (i == l->nflights)
		return;
	if (link_state_ack(l->state, l->st, l->flights[i].id, &cause) != 0) {
		log_warn("link: %s", cause);
		free(cause);
	}
	l->flights[i] = l->flights[--l->nflights];
	l->scan_due = l->status_due = 1;
}

static void
on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *m,
    const mosquitto_property *props)
{
	struct link *l = arg;

	int batch = !sqlite3_get_autocommit(l->state);

	(void)mosq;
	(void)props;
	/*
	 * The acknowledgements of a read are batched in one transaction of
	 * link.db; a handler's own writes (a command's sequence, a chunk) must
	 * be durable before it acts, so they commit on their own.
	 */
	if (batch)
		sqlite3_exec(l->state, "COMMIT", NULL, NULL, NULL);
	if (strcmp(m->topic, l->topic_pkg) == 0)
		link_pkg_message(&l->env, m->payload, (size_t)m->payloadlen);
	else if (strcmp(m->topic, l->topic_cmd) == 0)
		link_cmd_message(&l->env, m->payload, (size_t)m->payloadlen);
	if (batch)
		sqlite3_exec(l->state, "BEGIN", NULL, NULL, NULL);
}

/* Keeps libmosquitto's errors (OpenSSL's among them) for the next message. */
static void
on_log(struct mosquitto *mosq, void *arg, int level, const char *text)
{
	struct link *l = arg;

	(void)mosq;
	log_debug("mosquitto: %s", text);
	if (level == MOSQ_LOG_ERR && l->mosq_error == NULL)
		l->mosq_error = xstrdup(text);
}

/*
 * Starts one connection attempt without waiting for it: the loop drives
 * it, and it must end (connected or said why) by LINK_CONNECT_S. A
 * previous socket is closed by libmosquitto. On a failure at once, says
 * why and schedules the next.
 */
void
link_connect(struct link *l)
{
	const struct config_link *c = &l->cfg->link;
	int rc;

	free(l->mosq_error);
	l->mosq_error = NULL;
	l->attempt = 1;
	rc = mosquitto_connect_bind_async(l->mosq, c->host, c->port, c->keepalive, NULL);
	if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_CONN_PENDING) {
		link_timer_arm(l->waitfd, LINK_CONNECT_S * 1000, 0);
		return;
	}
	link_lost(l, rc);
}

/*
 * The CONNECT properties (the session expiry that keeps the station's
 * session while it is away) can only be given to mosquitto_connect_bind_v5,
 * which blocks. It keeps them before it checks its arguments, and every
 * later connect_bind_async and reconnect sends them: a call with an
 * invalid port stores them and connects nothing. link-down.sh checks that a
 * command sent while the link is away still arrives.
 */
static int
link_properties(struct link *l, char **cause)
{
	const struct config_link *c = &l->cfg->link;
	int rc;

	mosquitto_property_add_int32(&l->props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
	    LINK_SESSION_EXPIRY);
	rc = mosquitto_connect_bind_v5(l->mosq, c->host, -1, c->keepalive, NULL, l->props);
	if (rc != MOSQ_ERR_INVAL) {
		xasprintf(cause, _("link: the session's properties: %s"),
		    mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

/* Reads the first line of the password file; NULL after saying why. */
static char *
link_password(const char *path, char **cause)
{
	char buf[1024];
	FILE *f = fopen(path, "re");

	if (f == NULL || fgets(buf, sizeof buf, f) == NULL) {
		xasprintf(cause, "link.password_file: %s: %s", path,
		    f == NULL ? strerror(errno) : _("empty"));
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

/* Makes the client: identity, TLS, credentials, will, callbacks. */
int
link_client(struct link *l, char **cause)
{
	const struct config_link *c = &l->cfg->link;
	struct link_state_facts will = { 0 };
	char *pw, *msg;
	int rc;

	mosquitto_lib_init();
	if ((l->mosq = mosquitto_new(c->client_id, false, l)) == NULL) {
		xasprintf(cause, _("cannot make the MQTT client: %s"), strerror(errno));
		return -1;
	}
	mosquitto_int_option(l->mosq, MOSQ_OPT_PROTOCOL_VERSION, c->mqtt_v311 ?
	    MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5);
	rc = mosquitto_tls_set(l->mosq, c->ca_file, NULL, c->cert_file, c->key_file, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, _("link: TLS files (ca_file, cert_file, key_file): %s"),
		    mosquitto_strerror(rc));
		return -1;
	}
	if (c->username != NULL) {
		if ((pw = link_password(c->password_file, cause)) == NULL)
			return -1;
		rc = mosquitto_username_pw_set(l->mosq, c->username, pw);
		free(pw);
		if (rc != MOSQ_ERR_SUCCESS) {
			xasprintf(cause, "link.username: %s", mosquitto_strerror(rc));
			return -1;
		}
	}
	msg = link_up_state(l->cfg, &will);
	rc = mosquitto_will_set_v5(l->mosq, l->topic_state, (int)strlen(msg), msg, 1, true,
	    NULL);
	free(msg);
	if (rc != MOSQ_ERR_SUCCESS) {
		xasprintf(cause, _("link: the last will: %s"), mosquitto_strerror(rc));
		return -1;
	}
	/*
	 * A persistent session: kept by the broker while the station is away
	 * (in MQTT 3.1.1, clean session false alone, for as long as the broker
	 * keeps sessions).
	 */
	if (!c->mqtt_v311 && link_properties(l, cause) != 0)
		return -1;
	mosquitto_connect_v5_callback_set(l->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(l->mosq, on_disconnect);
	mosquitto_publish_v5_callback_set(l->mosq, on_publish);
	mosquitto_message_v5_callback_set(l->mosq, on_message);
	mosquitto_log_callback_set(l->mosq, on_log);
	return 0;
}

