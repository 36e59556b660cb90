/*
 * The HTTP server: libmicrohttpd on one internal thread (every request is
 * handled there, so the store and the library see one caller at a time),
 * the route table, the session check before any body is read, forms and
 * uploads through MHD's post processor with the uploads streamed to a
 * private directory in the data directory, and the limits on connections,
 * request size and time.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/file.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/perm.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "store/store.h"
#include "web/internal.h"

#define CONN_LIMIT 100
#define CONN_PER_IP 64       /* the bench's 50 clients come from one address */
#define CONN_TIMEOUT_S 5     /* idle seconds: a slow client is dropped */
#define CONN_MEMORY (64 * 1024) /* headers and buffers of one connection */

/* Routes: the method, the path (a prefix when it ends with '/'), who may. */
enum { OPEN, SESSION };
static const struct route {
	const char *method, *path;
	int access;
	web_handler *fn;
} routes[] = {
	{ "GET", "/static/", OPEN, web_static },
	{ "GET", "/", SESSION, web_home },
	{ "GET", "/api/state", SESSION, web_state },
	{ "GET", "/bulletins", SESSION, web_bulletins },
	{ "GET", "/bulletins/", SESSION, web_bulletin },
	{ "POST", "/bulletins", SESSION, web_upload },
	{ "POST", "/bulletins/", SESSION, web_action },
	{ "GET", "/audio/", SESSION, web_audio },
	{ "GET", "/plan", SESSION, web_plan },
	{ "GET", "/play", SESSION, web_play_page },
	{ "POST", "/play", SESSION, web_play },
	{ "POST", "/control/", SESSION, web_control },
	{ "GET", "/log", SESSION, web_log },
	{ "GET", "/reports", SESSION, web_reports },
	{ "GET", "/reports/view", SESSION, web_report_view },
	{ "GET", "/reports/file", SESSION, web_report_file },
};

const char *
web_field(const struct web_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].path == NULL && strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

const char *
web_arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

void
web_page_init(struct web_page *p, int status)
{
	memset(p, 0, sizeof *p);
	p->status = status;
	p->type = "text/html; charset=utf-8";
	p->fd = -1;
	p->f = open_memstream(&p->body, &p->len);
	if (p->f == NULL)
		abort();
}

void
web_redirect(struct web_page *p, const char *location)
{
	p->status = MHD_HTTP_SEE_OTHER;
	free(p->location);
	p->location = xstrdup(location);
}

void
web_text(struct web_page *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->status = status;
	p->type = "text/plain; charset=utf-8";
	rewind(p->f);
	fflush(p->f);
	p->len = 0;
	fprintf(p->f, "%d ", status);
	va_start(ap, fmt);
	vfprintf(p->f, fmt, ap);
	va_end(ap);
	fputc('\n', p->f);
}

/* Removes a request's upload directory and what is in it. */
static void
req_clean_uploads(struct web_req *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].f != NULL)
			fclose(r->fields[i].f);
		if (r->fields[i].path != NULL)
			unlink(r->fields[i].path);
		free(r->fields[i].name);
		free(r->fields[i].value);
		free(r->fields[i].path);
	}
	r->nfields = 0;
	if (r->upload_dir != NULL) {
		rmdir(r->upload_dir);
		free(r->upload_dir);
		r->upload_dir = NULL;
	}
}

/* A file name as the browser gave it, reduced to a safe base name. */
static char *
req_file_name(const char *given)
{
	const char *b = strrchr(given, '/'), *bs;

	b = b != NULL ? b + 1 : given;
	if ((bs = strrchr(b, '\\')) != NULL)
		b = bs + 1;
	if (b[0] == '\0' || b[0] == '.' || !lib_text_ok(b, 200))
		return xstrdup("upload");
	return xstrdup(b);
}

/* Opens the file of a new upload field under the request's directory. */
static int
req_open_file(struct web_req *r, struct web_field *fl, const char *filename)
{
	char *base;

	if (r->upload_dir == NULL) {
		xasprintf(&r->upload_dir, "%s/web-upload-XXXXXX", r->w->cfg->paths.data);
		if (mkdtemp(r->upload_dir) == NULL) {
			log_warn("%s: %s", r->upload_dir, strerror(errno));
			free(r->upload_dir);
			r->upload_dir = NULL;
			return -1;
		}
	}
	base = req_file_name(filename);
	xasprintf(&fl->path, "%s/%zu-%s", r->upload_dir, r->nfields, base);
	fl->value = base;
	fl->f = fopen(fl->path, "wx");
	return fl->f != NULL ? 0 : -1;
}

/* MHD's post iterator: each piece of each field, in order. */
static enum MHD_Result
req_post(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *encoding, const char *data, uint64_t off,
    size_t size)
{
	struct web_req *r = cls;
	struct web_field *fl = r->nfields ? &r->fields[r->nfields - 1] : NULL;
	size_t old;

	(void)kind;
	(void)content_type;
	(void)encoding;
	if (r->error != NULL)
		return MHD_NO;
	if (off == 0 || fl == NULL || strcmp(fl->name, key) != 0) {
		if (r->nfields == sizeof r->fields / sizeof r->fields[0]) {
			r->error = "bad form";
			return MHD_NO;
		}
		fl = &r->fields[r->nfields++];
		memset(fl, 0, sizeof *fl);
		fl->name = xstrdup(key);
		if (filename != NULL) {
			if (req_open_file(r, fl, filename) != 0) {
				r->error = "bad form";
				return MHD_NO;
			}
		} else
			fl->value = xstrdup("");
	}
	if (fl->path != NULL) {
		if (fl->f == NULL)
			return MHD_NO;
		r->file_bytes += size;
		if (r->file_bytes > r->file_max) {
			r->error = "too big";
			return MHD_NO;
		}
		if (size > 0 && fwrite(data, 1, size, fl->f) != size) {
			r->error = "disk";
			return MHD_NO;
		}
		return MHD_YES;
	}
	old = strlen(fl->value);
	r->form_bytes += size;
	if (old + size > WEB_FIELD_MAX || r->form_bytes > WEB_FORM_MAX) {
		r->error = "bad form";
		return MHD_NO;
	}
	fl->value = xrealloc(fl->value, old + size + 1);
	memcpy(fl->value + old, data, size);
	fl->value[old + size] = '\0';
	return MHD_YES;
}

/* Queues p on c and frees it. */
static enum MHD_Result
web_send(struct web *w, struct MHD_Connection *c, struct web_page *p)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	fclose(p->f);
	if (p->fd >= 0) {
		resp = MHD_create_response_from_fd_at_offset64(p->fd_len, p->fd, p->fd_off);
		free(p->body);
	} else
		resp = MHD_create_response_from_buffer(p->len, p->body,
		    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		abort();
	MHD_add_response_header(resp, "Content-Type", p->type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "SAMEORIGIN");
	MHD_add_response_header(resp, "Content-Security-Policy", p->csp != NULL ?
	    p->csp : "default-src 'self'; frame-ancestors 'self'; form-action 'self'");
	if (p->location != NULL)
		MHD_add_response_header(resp, "Location", p->location);
	if (p->cookie != NULL)
		MHD_add_response_header(resp, "Set-Cookie", p->cookie);
	if (p->disposition != NULL)
		MHD_add_response_header(resp, "Content-Disposition", p->disposition);
	if (p->content_range != NULL)
		MHD_add_response_header(resp, "Content-Range", p->content_range);
	if (p->fd >= 0 || strncmp(p->type, "audio/", 6) == 0)
		MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	(void)w;
	rc = MHD_queue_response(c, (unsigned)p->status, resp);
	MHD_destroy_response(resp);
	free(p->location);
	free(p->cookie);
	free(p->disposition);
	free(p->content_range);
	return rc;
}

/* The route for method and url, and the rest of the url after a prefix route. */
static const struct route *
route_find(const char *method, const char *url, const char **rest)
{
	const struct route *best = NULL;
	size_t i, n;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(routes[i].method, method) != 0 &&
		    !(strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
			continue;
		n = strlen(routes[i].path);
		if (strcmp(url, routes[i].path) == 0) {
			*rest = "";
			return &routes[i];
		}
		if (n > 1 && routes[i].path[n - 1] == '/' &&
		    strncmp(url, routes[i].path, n) == 0 && url[n] != '\0') {
			best = &routes[i];
			*rest = url + n;
		}
	}
	return best;
}

/* The session cookie's token, or NULL. */
static const char *
req_token(struct MHD_Connection *c)
{
	return MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "loaxa_sid");
}

/* POST /login and /logout, and GET /login: the only pages without a session. */
static void
req_login(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *method, const char *url, struct web_page *p)
{
	const char *name = web_field(r, "name"), *pass = web_field(r, "password");
	const char *why = NULL, *tok = req_token(c);
	char token[65];

	if (strcmp(url, "/logout") == 0) {
		if (strcmp(method, "POST") != 0) {
			web_text(p, MHD_HTTP_METHOD_NOT_ALLOWED, "use the form");
			return;
		}
		if (!r->have_user) {
			web_redirect(p, "/login");
			return;
		}
		if (!web_csrf_ok(r)) {
			web_text(p, MHD_HTTP_FORBIDDEN, "missing or stale form token; "
			    "reload the page");
			return;
		}
		web_logout(w, tok);
		p->cookie = xstrdup("loaxa_sid=; Path=/; HttpOnly; SameSite=Strict; "
		    "Max-Age=0");
		web_redirect(p, "/login");
		return;
	}
	if (strcmp(method, "POST") != 0) {
		web_login_page(p, w, NULL);
		return;
	}
	if (name == NULL || pass == NULL) {
		p->status = MHD_HTTP_BAD_REQUEST;
		web_login_page(p, w, "Nhập tên và mật khẩu.");
		return;
	}
	switch (web_login(w, name, pass, token, &why)) {
	case 0:
		xasprintf(&p->cookie, "loaxa_sid=%s; Path=/; HttpOnly; SameSite=Strict; "
		    "Max-Age=%lld%s", token, WEB_SESSION_MS / 1000,
		    w->tls_cert != NULL ? "; Secure" : "");
		web_redirect(p, "/");
		return;
	case 1:
		p->status = MHD_HTTP_TOO_MANY_REQUESTS;
		break;
	default:
		p->status = MHD_HTTP_UNAUTHORIZED;
		break;
	}
	web_login_page(p, w, why);
}

/* Answers a whole request: the checks, then its route. */
static void
req_handle(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *url, const char *method, struct web_page *p)
{
	const struct route *rt;
	const char *rest = "";

	if (strcmp(url, "/login") == 0 || strcmp(url, "/logout") == 0) {
		req_login(w, c, r, method, url, p);
		return;
	}
	if ((rt = route_find(method, url, &rest)) == NULL) {
		web_text(p, MHD_HTTP_NOT_FOUND, "no such page");
		return;
	}
	if (rt->access == SESSION && strcmp(method, "POST") == 0 && !web_csrf_ok(r)) {
		web_text(p, MHD_HTTP_FORBIDDEN, "missing or stale form token; reload the "
		    "page and try again (nothing was changed)");
		return;
	}
	rt->fn(w, c, r, rest, p);
}

int
web_path_ok(const char *url)
{
	return url[0] == '/' && strstr(url, "..") == NULL && strchr(url, '\\') == NULL;
}

/* Whether the request may go on to its body: a session, a sane url and size. */
static int
req_first(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *url, const char *method, struct web_page *p)
{
	const char *len, *tok;
	unsigned long long n;

	if (!web_path_ok(url)) {
		web_text(p, MHD_HTTP_BAD_REQUEST, "bad path");
		return -1;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0) {
		web_text(p, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
		return -1;
	}
	if ((tok = req_token(c)) != NULL && web_session(w, tok, &r->user) == 0)
		r->have_user = 1;
	if (!r->have_user && strncmp(url, "/static/", 8) != 0 &&
	    strcmp(url, "/login") != 0 && strcmp(url, "/logout") != 0) {
		if (strcmp(method, "GET") == 0 && strncmp(url, "/api/", 5) != 0)
			web_redirect(p, "/login");
		else
			web_text(p, MHD_HTTP_UNAUTHORIZED, "sign in first");
		return -1;
	}
	r->file_max = (uint64_t)w->cfg->web.upload_max_mb * 1024 * 1024;
	len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (len != NULL && sscanf(len, "%llu", &n) == 1 &&
	    n > r->file_max + WEB_FORM_MAX) {
		web_text(p, MHD_HTTP_CONTENT_TOO_LARGE, "the upload is larger than %d MB "
		    "(web.upload_max_mb); nothing was added", w->cfg->web.upload_max_mb);
		return -1;
	}
	if (strcmp(method, "POST") == 0) {
		r->pp = MHD_create_post_processor(c, 16 * 1024, req_post, r);
		if (r->pp == NULL) {
			web_text(p, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "a form is expected");
			return -1;
		}
	}
	return 0;
}

static enum MHD_Result
web_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **con_cls)
{
	struct web *w = cls;
	struct web_req *r = *con_cls;
	struct web_page p;

	(void)version;
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->w = w;
		*con_cls = r;
		web_page_init(&p, MHD_HTTP_OK);
		if (req_first(w, c, r, url, method, &p) != 0)
			return web_send(w, c, &p);
		fclose(p.f);
		free(p.body);
		return MHD_YES;
	}
	if (*size != 0) {
		if (r->pp != NULL && r->error == NULL &&
		    MHD_post_process(r->pp, data, *size) != MHD_YES && r->error == NULL)
			r->error = "bad form";
		*size = 0;
		return MHD_YES;
	}
	web_page_init(&p, MHD_HTTP_OK);
	if (r->error != NULL && strcmp(r->error, "too big") == 0)
		web_text(&p, MHD_HTTP_CONTENT_TOO_LARGE, "the upload is larger than %d MB "
		    "(web.upload_max_mb); nothing was added", w->cfg->web.upload_max_mb);
	else if (r->error != NULL)
		web_text(&p, MHD_HTTP_BAD_REQUEST, "the form could not be read (%s); "
		    "nothing was changed", r->error);
	else {
		size_t i;

		for (i = 0; i < r->nfields; i++)
			if (r->fields[i].f != NULL && fclose(r->fields[i].f) != 0)
				r->error = "disk";
			else
				r->fields[i].f = NULL;
		for (i = 0; i < r->nfields; i++)
			r->fields[i].f = NULL;
		req_handle(w, c, r, url, method, &p);
	}
	return web_send(w, c, &p);
}

/* Frees a request when its connection is done with it. */
static void
web_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r == NULL)
		return;
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	req_clean_uploads(r);
	free(r);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages, through our log. */
static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *msg;

	(void)cls;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("web: %s", msg);
	free(msg);
}

/* Reads a PEM file whole; -1 with *cause. */
static int
web_read_pem(const char *path, char **out, char **cause)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *m;

	if (f == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	m = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && len < 1024 * 1024)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	*out = buf;
	return 0;
}

/* Whether name is one of a request's directories: web-upload-XXXXXX, web-report-XXXXXX. */
static int
web_scratch_name(const char *name)
{
	const char *tail;

	if (strncmp(name, "web-upload-", 11) == 0)
		tail = name + 11;
	else if (strncmp(name, "web-report-", 11) == 0)
		tail = name + 11;
	else
		return 0;
	return strlen(tail) == 6 && strchr(tail, '/') == NULL;
}

/*
 * Removes what a crash left in the data directory data: the directories of
 * requests (web_scratch_name) that are ours and older than started, with the
 * regular files of ours in them. Anything else, a symbolic link, a file of
 * another user, a directory that is not empty afterwards, stays, named in a
 * warning when it cannot go.
 */
static void
web_sweep(const char *data, time_t started)
{
	struct dirent *de, *fe;
	struct stat sb, fb;
	DIR *d, *sub;
	int dfd, sfd;

	if ((d = opendir(data)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (!web_scratch_name(de->d_name) ||
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
		    sb.st_mtime >= started)
			continue;
		sfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (sfd < 0 || (sub = fdopendir(sfd)) == NULL) {
			if (sfd >= 0)
				close(sfd);
			continue;
		}
		while ((fe = readdir(sub)) != NULL)
			if (fstatat(sfd, fe->d_name, &fb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(fb.st_mode) && fb.st_uid == geteuid() &&
			    fb.st_mtime < started)
				unlinkat(sfd, fe->d_name, 0);
		closedir(sub);
		if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) == 0)
			log_info(_("web: removed %s/%s, left by an earlier run"), data,
			    de->d_name);
		else
			log_warn(_("web: %s/%s, left by an earlier run: %s"), data, de->d_name,
			    strerror(errno));
	}
	closedir(d);
}

int
web_start(const struct config *cfg, const struct rep_schedule *sched,
    struct web **out, char **cause)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opt[10];
	struct web *w;
	char today[16];
	int expired;
	size_t n;

	perm_close_proc();
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	if (inet_pton(AF_INET, cfg->web.address, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)cfg->web.port);
		sa = (struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, cfg->web.address, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)cfg->web.port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		xasprintf(cause, _("web.address '%s' is not an IP address"), cfg->web.address);
		return -1;
	}
	w = xcalloc(1, sizeof *w);
	w->cfg = cfg;
	w->sched = sched;
	if (cfg->web.tls_cert[0] != '\0') {
		if (web_read_pem(cfg->web.tls_cert, &w->tls_cert, cause) != 0 ||
		    web_read_pem(cfg->web.tls_key, &w->tls_key, cause) != 0) {
			web_free(&w);
			return -1;
		}
		flags |= MHD_USE_TLS;
	}
	setenv("TZ", cfg->station.timezone, 1);
	tzset();
	web_sweep(cfg->paths.data, time(NULL));
	if (store_open_dir(cfg->paths.data, &w->st, cause) != 0 ||
	    lib_new(w->st, cfg->paths.data, &w->lib, cause) != 0) {
		web_free(&w);
		return -1;
	}
	lib_date(lib_now_ms(), today);
	if (lib_expire(w->lib, today, &expired, cause) != 0) {
		log_warn("%s: %s", cfg->paths.data, *cause);
		free(*cause);
		*cause = NULL;
	}
	n = 0;
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, sa };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
	    NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    CONN_PER_IP, NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
	    CONN_TIMEOUT_S, NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    CONN_MEMORY, NULL };
	if (w->tls_cert != NULL) {
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
		    w->tls_cert };
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
		    w->tls_key };
	}
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, web_access, w,
	    MHD_OPTION_ARRAY, opt,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
	    MHD_OPTION_END);
	if (w->mhd == NULL) {
		xasprintf(cause, _("cannot listen on %s port %d (in use, or not an "
		    "address of this machine%s)"), cfg->web.address, cfg->web.port,
		    w->tls_cert != NULL ? _(", or a bad certificate or key") : "");
		web_free(&w);
		return -1;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	w->port = info != NULL ? info->port : cfg->web.port;
	*out = w;
	return 0;
}

int
web_port(const struct web *w)
{
	return w->port;
}

void
web_free(struct web **wp)
{
	struct web *w = *wp;

	if (w == NULL)
		return;
	if (w->mhd != NULL)
		MHD_stop_daemon(w->mhd);
	lib_free(&w->lib);
	store_close(&w->st);
	if (w->tls_key != NULL)
		explicit_bzero(w->tls_key, strlen(w->tls_key));
	free(w->tls_key);
	free(w->tls_cert);
	free(w);
	*wp = NULL;
}
