/* Trang chủ and Phát ngay: the daemon's state and commands, over its control socket. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json.h"
#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "scheduler/control.h"
#include "web/internal.h"

int
web_ctl(struct web *w, const char *request, int timeout_ms, char **message,
    char **body)
{
	char *path, *cause = NULL;
	int status;

	xasprintf(&path, "%s/%s", w->cfg->paths.data, SCHED_CTL_NAME);
	status = sched_ctl_request(path, request, timeout_ms, message, body, &cause);
	free(path);
	if (status < 0) {
		*message = cause;
		*body = NULL;
	}
	return status;
}

void
web_home(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	FILE *f = p->f;

	(void)c;
	(void)rest;
	web_html_begin(p, w, &r->user, "Trang chủ", "/");
	fputs("<div class=\"grid\">"
	    "<section class=\"card\"><h2>Đang phát</h2>"
	    "<p class=\"big\" id=\"onair-title\">Đang tải…</p>"
	    "<p class=\"muted\" id=\"onair-slot\"></p>"
	    "<div class=\"bar\"><span id=\"onair-bar\"></span></div>"
	    "<p class=\"muted\" id=\"onair-time\"></p></section>"
	    "<section class=\"card\"><h2>Tiếp theo</h2><ol id=\"next-list\"></ol>"
	    "<p>Khung giờ tới: <span id=\"next-slot\">-</span></p></section>"
	    "<section class=\"card\"><h2>Thiết bị và kết nối</h2>"
	    "<p>Thiết bị: <span id=\"device\">-</span></p>"
	    "<p>Bộ phát: <span id=\"link\">-</span></p>"
	    "<p id=\"uplink-row\" hidden>Kết nối huyện: <span id=\"uplink\">-</span>"
	    "<br><span class=\"muted\" id=\"uplink-detail\"></span></p>"
	    "<p>Lỗi gần nhất: <span id=\"last-error\">-</span></p></section>"
	    "</div>", f);
	web_html_end(p);
}

/* Where `loaxa link` keeps the station link's state, under the data directory. */
#define HOME_LINK_STATUS "link/status.json"
#define HOME_LINK_MAX 16384

/*
 * The station link's state document as `loaxa link` writes it, as text the
 * caller frees; NULL when the station has no link (no file), or it is not a
 * regular file of at most HOME_LINK_MAX bytes. The browser parses it, so a
 * half-written or foreign file costs that line of the page, not the rest.
 */
static char *
home_link_status(const struct web *w)
{
	struct stat sb;
	char *path, *text = NULL;
	ssize_t n;
	int fd;

	xasprintf(&path, "%s/%s", w->cfg->paths.data, HOME_LINK_STATUS);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= HOME_LINK_MAX) {
		text = xmalloc((size_t)sb.st_size + 1);
		n = read(fd, text, (size_t)sb.st_size);
		text[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	return text;
}

/*
 * GET /api/state: {"online": bool, "daemon": the daemon's status document or
 * null, "error": why it is null, "link": the text of the station link's state
 * document, or null when the station has no link}.
 */
void
web_state(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	char *message = NULL, *body = NULL, *link;
	int status;

	(void)c;
	(void)r;
	(void)rest;
	p->type = "application/json";
	status = web_ctl(w, "status json", 3000, &message, &body);
	if (status == 0 && body != NULL && body[0] == '{') {
		body[strcspn(body, "\n")] = '\0';
		fprintf(p->f, "{\"online\":true,\"daemon\":%s,\"error\":null", body);
	} else {
		fputs("{\"online\":false,\"daemon\":null,\"error\":", p->f);
		json_write(p->f, message != NULL ? message : "");
	}
	link = home_link_status(w);
	fputs(",\"link\":", p->f);
	json_write(p->f, link);
	fputs("}\n", p->f);
	free(link);
	free(message);
	free(body);
}

/* The form of Phát ngay: an approved bulletin, its priority; stop and skip. */
static void
play_form(struct web *w, struct web_page *p, const struct web_user *u,
    const char *note, int ok)
{
	struct lib_bulletin *b = NULL;
	char *cause = NULL;
	FILE *f = p->f;
	size_t n = 0, i;

	web_html_begin(p, w, u, "Phát ngay", "/play");
	if (note != NULL) {
		fprintf(f, "<p class=\"%s\" id=\"message\">", ok ? "ok" : "err");
		web_h(f, note);
		fputs("</p>", f);
	}
	if (!web_may_change(u)) {
		fputs("<p class=\"muted\">Tài khoản chỉ xem: không phát được.</p>", f);
		web_html_end(p);
		return;
	}
	if (lib_list(w->lib, "approved", NULL, &b, &n, &cause) != 0) {
		fputs("<p class=\"err\">", f);
		web_h(f, cause);
		fputs("</p>", f);
		free(cause);
	}
	fputs("<section class=\"card\"><form method=\"post\" action=\"/play\">", f);
	web_csrf_input(f, u);
	fputs("<label>Bản tin đã duyệt <select name=\"id\" id=\"play-id\">", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "<option value=\"%lld\">#%lld ", (long long)b[i].id,
		    (long long)b[i].id);
		web_h(f, b[i].title);
		fputs("</option>", f);
	}
	fputs("</select></label><label>Mức ưu tiên <select name=\"priority\" "
	    "id=\"play-priority\"><option value=\"normal\">thường</option>"
	    "<option value=\"priority\">ưu tiên</option><option value=\"emergency\">"
	    "khẩn cấp (ngắt ngay mục đang phát)</option></select></label>"
	    "<button type=\"submit\" id=\"play\">Phát</button></form></section>"
	    "<section class=\"card\"><form method=\"post\" action=\"/control/skip\" "
	    "class=\"inline\">", f);
	web_csrf_input(f, u);
	fputs("<button type=\"submit\" class=\"plain\" id=\"skip\">Bỏ qua mục đang "
	    "phát</button></form> <form method=\"post\" action=\"/control/stop\" "
	    "class=\"inline\">", f);
	web_csrf_input(f, u);
	fputs("<button type=\"submit\" class=\"danger\" id=\"stop\">Dừng phát</button>"
	    "</form></section>", f);
	lib_bulletins_free(&b, n);
	web_html_end(p);
}

void
web_play_page(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	(void)c;
	(void)rest;
	play_form(w, p, &r->user, NULL, 1);
}

/* Says what the daemon answered (or why it could not be asked). */
static void
play_answer(struct web *w, struct web_req *r, struct web_page *p, int status,
    char *message, const char *done)
{
	char *note;

	if (status == 0)
		note = xstrdup(done);
	else if (status < 0)
		xasprintf(&note, "Bộ phát không trả lời (loaxa run có đang chạy?): %s",
		    message != NULL ? message : "");
	else
		xasprintf(&note, "Bộ phát từ chối: %s", message != NULL ? message : "");
	if (status != 0)
		p->status = status < 0 ? MHD_HTTP_SERVICE_UNAVAILABLE :
		    MHD_HTTP_UNPROCESSABLE_CONTENT;
	play_form(w, p, &r->user, note, status == 0);
	free(note);
}

/* POST /play: id, priority; an emergency first asks to confirm. */
void
web_play(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const char *ids = web_field(r, "id"), *prio = web_field(r, "priority");
	struct lib_bulletin b;
	char *end, *req, *message = NULL, *body = NULL, *cause = NULL;
	long long id = 0;
	int status;

	(void)c;
	(void)rest;
	if (!web_may_change(&r->user)) {
		web_error_page(p, w, &r->user, MHD_HTTP_FORBIDDEN, "Phát ngay",
		    "Tài khoản chỉ xem không được phát.");
		return;
	}
	if (ids != NULL)
		id = strtoll(ids, &end, 10);
	if (ids == NULL || *end != '\0' || id <= 0 || prio == NULL ||
	    (strcmp(prio, "normal") != 0 && strcmp(prio, "priority") != 0 &&
	    strcmp(prio, "emergency") != 0)) {
		web_error_page(p, w, &r->user, MHD_HTTP_BAD_REQUEST, "Phát ngay",
		    "Chọn một bản tin đã duyệt và mức ưu tiên.");
		return;
	}
	if (lib_get(w->lib, id, &b, &cause) != 0) {
		web_error_page(p, w, &r->user, MHD_HTTP_NOT_FOUND, "Phát ngay", cause);
		free(cause);
		return;
	}
	if (strcmp(prio, "emergency") == 0 && web_field(r, "confirm") == NULL) {
		web_html_begin(p, w, &r->user, "Xác nhận phát khẩn cấp", "/play");
		fputs("<section class=\"card warn\"><p>Phát <b>", p->f);
		web_h(p->f, b.title);
		fputs("</b> ở mức <b>khẩn cấp</b>: mục đang phát sẽ bị ngắt ngay.</p>"
		    "<form method=\"post\" action=\"/play\">", p->f);
		web_csrf_input(p->f, &r->user);
		fprintf(p->f, "<input type=\"hidden\" name=\"id\" value=\"%lld\">"
		    "<input type=\"hidden\" name=\"priority\" value=\"emergency\">"
		    "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
		    "<button type=\"submit\" class=\"danger\" id=\"confirm\">Xác nhận "
		    "phát khẩn cấp</button> <a href=\"/play\">Hủy</a></form></section>",
		    id);
		web_html_end(p);
		lib_bulletin_clear(&b);
		return;
	}
	xasprintf(&req, "play %lld %s", id, prio);
	status = web_ctl(w, req, 10000, &message, &body);
	free(req);
	xasprintf(&req, "Đã gửi lệnh phát \"%s\" (%s).", b.title,
	    strcmp(prio, "emergency") == 0 ? "khẩn cấp" :
	    strcmp(prio, "priority") == 0 ? "ưu tiên" : "thường");
	play_answer(w, r, p, status, message, req);
	free(req);
	free(message);
	free(body);
	lib_bulletin_clear(&b);
}

/* POST /control/stop and /control/skip. */
void
web_control(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	char *message = NULL, *body = NULL;
	int status;

	(void)c;
	if (strcmp(rest, "stop") != 0 && strcmp(rest, "skip") != 0) {
		web_text(p, MHD_HTTP_NOT_FOUND, "no such command");
		return;
	}
	if (!web_may_change(&r->user)) {
		web_error_page(p, w, &r->user, MHD_HTTP_FORBIDDEN, "Phát ngay",
		    "Tài khoản chỉ xem không được điều khiển bộ phát.");
		return;
	}
	status = web_ctl(w, rest, 10000, &message, &body);
	play_answer(w, r, p, status, message, strcmp(rest, "stop") == 0 ?
	    "Đã dừng phát." : "Đã bỏ qua mục đang phát.");
	free(message);
	free(body);
}
