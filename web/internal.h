/* What the files of web/ share: the server, one request, the page helpers. */
#ifndef LOAXA_WEB_INTERNAL_H
#define LOAXA_WEB_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include <microhttpd.h>

#include "web/web.h"

struct library;

/* Failed logins a name may have in WEB_FAIL_WINDOW_MS before it is slowed down. */
#define WEB_FAIL_MAX 5
#define WEB_FAIL_WINDOW_MS 60000
#define WEB_FAILS_KEPT 64
#define WEB_SESSION_MS (12 * 3600 * 1000LL)
#define WEB_FIELD_MAX 4096  /* one form field */
#define WEB_FORM_MAX 65536  /* all the fields of one form */
#define WEB_FILES_MAX 16    /* files in one upload */

struct web {
	const struct config *cfg;
	const struct rep_schedule *sched;
	struct store *st;
	struct library *lib;
	struct MHD_Daemon *mhd;
	char *tls_cert, *tls_key; /* PEM text, NULL for HTTP */
	int port;
	struct web_fail {
		char name[65];
		int count;
		int64_t first;
	} fails[WEB_FAILS_KEPT];
};

/* The signed-in account of a request. */
struct web_user {
	char name[65];
	char role[16];
	char csrf[65];
};

/* One field or file of a POSTed form. */
struct web_field {
	char *name;
	char *value;     /* the text, or the file's original name */
	char *path;      /* a file: where it was streamed, else NULL */
	FILE *f;
};

/* One request as it arrives (libmicrohttpd's per-connection pointer). */
struct web_req {
	struct web *w;
	struct MHD_PostProcessor *pp;
	struct web_field fields[32];
	size_t nfields;
	size_t form_bytes;
	uint64_t file_bytes, file_max;
	char *upload_dir; /* DATA/web-upload-XXXXXX, removed when done */
	const char *error; /* "too big", "bad form" */
	int have_user;
	struct web_user user;
};

/* An answer being built: status, body and headers, sent by web_send. */
struct web_page {
	int status;
	char *body;
	size_t len;
	FILE *f;  /* the body while it is written */
	const char *type;
	char *location;  /* a redirect */
	char *cookie;    /* Set-Cookie */
	const char *csp; /* a Content-Security-Policy other than the default */
	char *disposition;
	int fd;          /* a file's bytes instead of body, or -1 */
	uint64_t fd_off, fd_len;
	char *content_range;
};

/* --- server.c --- */
const char *web_field(const struct web_req *, const char *name);
const char *web_arg(struct MHD_Connection *, const char *name);
void web_page_init(struct web_page *, int status);
/* Whether a request's path may be served: absolute, no "..", no backslash. */
int web_path_ok(const char *url);
void web_redirect(struct web_page *, const char *location);
/* A short text answer: "403 message". */
void web_text(struct web_page *, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- auth.c --- */
int web_login(struct web *, const char *name, const char *password,
    char token[65], const char **why);
int web_session(struct web *, const char *token, struct web_user *);
void web_logout(struct web *, const char *token);
int web_csrf_ok(const struct web_req *);
int web_may_change(const struct web_user *);
int web_may_approve(const struct web_user *);

/* --- html.c --- */
void web_html_begin(struct web_page *, const struct web *, const struct web_user *,
    const char *title, const char *active);
void web_html_end(struct web_page *);
void web_h(FILE *, const char *s); /* HTML-escaped */
void web_csrf_input(FILE *, const struct web_user *);
void web_error_page(struct web_page *, const struct web *, const struct web_user *,
    int status, const char *title, const char *message);
const char *web_status_vi(const char *status);
void web_login_page(struct web_page *, const struct web *, const char *message);

/* --- pages: one function per route --- */
typedef void web_handler(struct web *, struct MHD_Connection *, struct web_req *,
    const char *rest, struct web_page *);
web_handler web_home, web_state, web_bulletins, web_bulletin, web_upload,
    web_action, web_audio, web_plan, web_play_page, web_play, web_control, web_log,
    web_reports, web_report_view, web_report_file, web_static;

/* Sends a request to the daemon; its status (0..3) or -1 with *message the cause. */
int web_ctl(struct web *, const char *request, int timeout_ms, char **message,
    char **body);

#endif
