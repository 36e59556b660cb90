/*
 * Bản tin: the library with its filters, uploads through lib_import (the
 * checks and the error text of `loaxa import`), one bulletin with its audio
 * (HTTP range requests) and history, and approve, reject, retire.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "config/config.h"
#include "library/library.h"
#include "web/internal.h"

/* Who acts, for the audit trail: the account, marked as the console's. */
static void
bul_actor(const struct web_user *u, char *out, size_t len)
{
	snprintf(out, len, "%s (web)", u->name);
}

/* A bulletin id from text; 0 when it is not one. */
static int64_t
bul_id(const char *s)
{
	char *end;
	long long id;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	id = strtoll(s, &end, 10);
	return *end == '\0' && errno == 0 && id > 0 ? id : 0;
}

static int
bul_has_tag(const struct lib_bulletin *b, const char *tag)
{
	size_t i;

	for (i = 0; i < b->ntags; i++)
		if (strcmp(b->tags[i], tag) == 0)
			return 1;
	return 0;
}

/* The topic select of a form, with "" for any or none. */
static void
bul_topics(FILE *f, const struct web *w, const char *name, const char *sel,
    const char *none)
{
	size_t i;

	fprintf(f, "<select name=\"%s\" id=\"%s\"><option value=\"\">%s</option>", name,
	    name, none);
	for (i = 0; i < w->cfg->ntopics; i++) {
		fputs("<option value=\"", f);
		web_h(f, w->cfg->topics[i].key);
		fprintf(f, "\"%s>", sel != NULL && strcmp(sel,
		    w->cfg->topics[i].key) == 0 ? " selected" : "");
		web_h(f, w->cfg->topics[i].name);
		fputs("</option>", f);
	}
	fputs("</select>", f);
}

/*
 * The upload form, folded under the list so that a phone shows the
 * bulletins first; it opens with a tap on its summary.
 */
static void
bul_upload_form(FILE *f, const struct web *w, const struct web_user *u)
{
	fputs("<details class=\"card\" id=\"upload-form\"><summary>Nhập bản tin mới"
	    "</summary><form method=\"post\" action=\"/bulletins\" "
	    "enctype=\"multipart/form-data\">", f);
	web_csrf_input(f, u);
	fputs("<label>Tệp âm thanh (MP3, WAV, FLAC, Ogg) <input type=\"file\" "
	    "name=\"file\" id=\"file\" accept=\"audio/*\" multiple required></label>"
	    "<label>Tiêu đề <input name=\"title\" id=\"title\"></label>"
	    "<label>Chủ đề ", f);
	bul_topics(f, w, "topic", NULL, "(không)");
	fputs("</label><div class=\"filters\"><label>Phát từ ngày <input type=\"date\" "
	    "name=\"from\"></label><label>Đến ngày <input type=\"date\" name=\"until\">"
	    "</label><label>Số lượt tối thiểu <input type=\"number\" min=\"0\" "
	    "max=\"100000\" name=\"min_airings\"></label></div>"
	    "<button type=\"submit\" id=\"upload\">Nhập</button></form></details>", f);
}

void
web_bulletins(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	static const char *const statuses[] = { "pending", "approved", "rejected",
	    "retired" };
	const char *status = web_arg(c, "status"), *topic = web_arg(c, "topic");
	const char *tag = web_arg(c, "tag");
	struct lib_bulletin *b = NULL;
	char *cause = NULL;
	FILE *f = p->f;
	size_t n = 0, i, shown = 0;

	(void)rest;
	web_html_begin(p, w, &r->user, "Bản tin", "/bulletins");
	fputs("<form method=\"get\" action=\"/bulletins\" class=\"card filters\">"
	    "<label>Trạng thái <select name=\"status\" id=\"status\">"
	    "<option value=\"\">tất cả</option>", f);
	for (i = 0; i < 4; i++)
		fprintf(f, "<option value=\"%s\"%s>%s</option>", statuses[i],
		    status != NULL && strcmp(status, statuses[i]) == 0 ? " selected" : "",
		    web_status_vi(statuses[i]));
	fputs("</select></label><label>Chủ đề ", f);
	bul_topics(f, w, "topic", topic, "tất cả");
	fputs("</label><label>Thẻ <input name=\"tag\" value=\"", f);
	web_h(f, tag);
	fputs("\"></label><button type=\"submit\">Lọc</button></form>", f);
	if (lib_list(w->lib, status, topic, &b, &n, &cause) != 0) {
		fputs("<p class=\"err\">", f);
		web_h(f, cause);
		fputs("</p>", f);
		free(cause);
	}
	fputs("<div class=\"scroll\"><table id=\"bulletins\"><thead><tr><th>#</th>"
	    "<th>Tiêu đề</th><th class=\"opt\">Chủ đề</th><th>Trạng thái</th>"
	    "<th class=\"opt\">Thời lượng</th></tr></thead><tbody>", f);
	for (i = n; i-- > 0;) {
		if (tag != NULL && !bul_has_tag(&b[i], tag))
			continue;
		shown++;
		fprintf(f, "<tr data-id=\"%lld\"><td>%lld</td><td><a href=\"/bulletins/"
		    "%lld\">", (long long)b[i].id, (long long)b[i].id, (long long)b[i].id);
		web_h(f, b[i].title);
		fputs("</a></td><td class=\"opt\">", f);
		web_h(f, b[i].topic != NULL ? b[i].topic : "-");
		fprintf(f, "</td><td class=\"st-%s\">%s</td><td class=\"opt\">%.0f giây"
		    "</td></tr>\n", b[i].status, web_status_vi(b[i].status),
		    (double)b[i].duration_ms / 1000.0);
	}
	fputs("</tbody></table></div>", f);
	if (shown == 0)
		fputs("<p class=\"muted\">Không có bản tin nào.</p>", f);
	if (web_may_change(&r->user))
		bul_upload_form(f, w, &r->user);
	lib_bulletins_free(&b, n);
	web_html_end(p);
}

/* Checks the form's metadata as `loaxa import` does; -1 with *why. */
static int
bul_meta(const struct web *w, const struct web_req *r, struct lib_meta *m,
    char **why)
{
	const char *v;

	memset(m, 0, sizeof *m);
	m->title = web_field(r, "title");
	m->topic = web_field(r, "topic");
	m->valid_from = web_field(r, "from");
	m->valid_until = web_field(r, "until");
	if (m->title != NULL && m->title[0] == '\0')
		m->title = NULL;
	if (m->topic != NULL && m->topic[0] == '\0')
		m->topic = NULL;
	if (m->valid_from != NULL && m->valid_from[0] == '\0')
		m->valid_from = NULL;
	if (m->valid_until != NULL && m->valid_until[0] == '\0')
		m->valid_until = NULL;
	if ((v = web_field(r, "min_airings")) != NULL && v[0] != '\0' &&
	    lib_min_airings_parse(v, &m->min_airings) != 0) {
		xasprintf(why, "số lượt tối thiểu phải là số nguyên từ 0 đến 100000");
		return -1;
	}
	if (m->topic != NULL && conf_topic(w->cfg, m->topic) == NULL) {
		xasprintf(why, "unknown topic '%s'", m->topic);
		return -1;
	}
	return lib_check_meta(m, why) == 0 ? 0 : -1;
}

/* POST /bulletins: one or more files, imported one by one as `loaxa import` does. */
void
web_upload(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	char actor[96], *cause = NULL;
	struct lib_bulletin b;
	struct lib_meta m;
	FILE *f = p->f;
	int64_t id;
	int existed, rc, refused = 0, files = 0;
	size_t i;

	(void)c;
	(void)rest;
	if (!web_may_change(&r->user)) {
		web_error_page(p, w, &r->user, MHD_HTTP_FORBIDDEN, "Bản tin",
		    "Tài khoản chỉ xem không được nhập bản tin.");
		return;
	}
	if (bul_meta(w, r, &m, &cause) != 0) {
		web_error_page(p, w, &r->user, MHD_HTTP_BAD_REQUEST, "Bản tin", cause);
		free(cause);
		return;
	}
	bul_actor(&r->user, actor, sizeof actor);
	web_html_begin(p, w, &r->user, "Nhập bản tin", "/bulletins");
	fputs("<ul id=\"results\">", f);
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].path == NULL || strcmp(r->fields[i].name, "file") != 0)
			continue;
		files++;
		m.source = r->fields[i].value;
		rc = lib_import(w->lib, r->fields[i].path, &m, actor, 0, &id, &existed,
		    &cause);
		fputs("<li>", f);
		web_h(f, r->fields[i].value);
		fputs(": ", f);
		if (rc != 0) {
			refused++;
			fputs("<span class=\"err\">", f);
			web_h(f, cause);
			fputs("</span>", f);
			free(cause);
			cause = NULL;
		} else if (lib_get(w->lib, id, &b, &cause) == 0) {
			fprintf(f, "%s <a href=\"/bulletins/%lld\">#%lld ", existed ?
			    "đã có trong thư viện:" : "đã thêm, chờ duyệt:", (long long)id,
			    (long long)id);
			web_h(f, b.title);
			fputs("</a>", f);
			lib_bulletin_clear(&b);
		} else {
			web_h(f, cause);
			free(cause);
			cause = NULL;
		}
		fputs("</li>", f);
	}
	fputs("</ul>", f);
	if (files == 0) {
		p->status = MHD_HTTP_BAD_REQUEST;
		fputs("<p class=\"err\">Chưa chọn tệp nào.</p>", f);
	} else if (refused > 0)
		p->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
	fputs("<p><a href=\"/bulletins?status=pending\">Bản tin chờ duyệt</a></p>", f);
	web_html_end(p);
}

/* An audit-trail action in the console's words. */
static const char *
bul_action_vi(const char *action)
{
	static const char *const vi[][2] = { { "import", "nhập" },
	    { "approve", "duyệt" }, { "reject", "từ chối" }, { "retire", "thu hồi" },
	    { "expire", "hết hạn" }, { "correct", "cập nhật từ gói" } };
	size_t i;

	for (i = 0; action != NULL && i < sizeof vi / sizeof vi[0]; i++)
		if (strcmp(vi[i][0], action) == 0)
			return vi[i][1];
	return action;
}

/* One row of the detail table; id names its value cell when not NULL. */
static void
bul_row_id(FILE *f, const char *name, const char *value, const char *id)
{
	fprintf(f, "<tr><th>%s</th><td%s%s%s>", name, id != NULL ? " id=\"" : "",
	    id != NULL ? id : "", id != NULL ? "\"" : "");
	web_h(f, value != NULL ? value : "-");
	fputs("</td></tr>", f);
}

static void
bul_row(FILE *f, const char *name, const char *value)
{
	bul_row_id(f, name, value, NULL);
}

/* An action form of the detail page. */
static void
bul_form(FILE *f, const struct web_user *u, int64_t id, const char *action,
    const char *label, int reason, const char *cls)
{
	fprintf(f, "<form method=\"post\" action=\"/bulletins/%lld/%s\">", (long long)id,
	    action);
	web_csrf_input(f, u);
	if (reason)
		fputs("<label>Lý do <input name=\"reason\" id=\"reason\" required>"
		    "</label>", f);
	fprintf(f, "<button type=\"submit\" id=\"%s\"%s>%s</button></form>", action,
	    cls, label);
}

void
web_bulletin(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	struct lib_bulletin b;
	struct lib_event *ev = NULL;
	int64_t id = bul_id(rest);
	char *cause = NULL, buf[64];
	FILE *f = p->f;
	size_t n = 0, i;

	(void)c;
	if (id == 0 || lib_get(w->lib, id, &b, &cause) != 0) {
		free(cause);
		web_error_page(p, w, &r->user, MHD_HTTP_NOT_FOUND, "Bản tin",
		    "Không có bản tin này.");
		return;
	}
	snprintf(buf, sizeof buf, "Bản tin #%lld", (long long)id);
	web_html_begin(p, w, &r->user, buf, "/bulletins");
	fputs("<section class=\"card\"><p class=\"big\" id=\"title\">", f);
	web_h(f, b.title);
	fprintf(f, "</p><audio controls preload=\"none\" src=\"/audio/%lld\"></audio>"
	    "<table>", (long long)id);
	bul_row_id(f, "Trạng thái", web_status_vi(b.status), "status");
	bul_row(f, "Chủ đề", b.topic);
	bul_row(f, "Đơn vị sản xuất", b.agency);
	snprintf(buf, sizeof buf, "%.1f giây", (double)b.duration_ms / 1000.0);
	bul_row(f, "Thời lượng", buf);
	bul_row(f, "Phát từ ngày", b.valid_from);
	bul_row(f, "Đến ngày", b.valid_until);
	snprintf(buf, sizeof buf, "%d", b.min_airings);
	bul_row(f, "Số lượt tối thiểu", buf);
	fputs("<tr><th>SHA-256</th><td class=\"hash\">", f);
	web_h(f, b.sha256);
	fputs("</td></tr>", f);
	fputs("</table></section><section class=\"card\">", f);
	if (web_may_approve(&r->user) && (strcmp(b.status, "pending") == 0 ||
	    strcmp(b.status, "rejected") == 0))
		bul_form(f, &r->user, id, "approve", "Duyệt", 0, "");
	if (web_may_approve(&r->user) && (strcmp(b.status, "pending") == 0 ||
	    strcmp(b.status, "approved") == 0))
		bul_form(f, &r->user, id, "reject", "Từ chối", 1, " class=\"plain\"");
	if (web_may_change(&r->user) && strcmp(b.status, "retired") != 0)
		bul_form(f, &r->user, id, "retire", "Thu hồi", 0, " class=\"danger\"");
	if (!web_may_approve(&r->user))
		fputs("<p class=\"muted\">Chỉ người duyệt mới được duyệt hoặc từ chối.</p>",
		    f);
	fputs("</section>", f);
	if (lib_events(w->lib, id, &ev, &n, &cause) == 0) {
		fputs("<h2>Lịch sử</h2><div class=\"scroll\"><table><tbody>", f);
		for (i = 0; i < n; i++) {
			lib_date(ev[i].at, buf);
			fprintf(f, "<tr><td>%s</td><td>", buf);
			web_h(f, bul_action_vi(ev[i].action));
			fputs("</td><td>", f);
			web_h(f, ev[i].actor);
			fputs("</td><td>", f);
			web_h(f, ev[i].reason);
			fputs("</td></tr>", f);
		}
		fputs("</tbody></table></div>", f);
		lib_events_free(&ev, n);
	} else
		free(cause);
	lib_bulletin_clear(&b);
	web_html_end(p);
}

/* POST /bulletins/ID/approve|reject|retire. */
void
web_action(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const char *slash = strchr(rest, '/'), *action, *reason = web_field(r, "reason");
	char idtext[24], actor[96], *cause = NULL, *loc;
	int64_t id;
	int rc;

	(void)c;
	if (slash == NULL || (size_t)(slash - rest) >= sizeof idtext) {
		web_text(p, MHD_HTTP_NOT_FOUND, "no such page");
		return;
	}
	memcpy(idtext, rest, (size_t)(slash - rest));
	idtext[slash - rest] = '\0';
	action = slash + 1;
	if (strcmp(action, "approve") != 0 && strcmp(action, "reject") != 0 &&
	    strcmp(action, "retire") != 0) {
		web_text(p, MHD_HTTP_NOT_FOUND, "no such action");
		return;
	}
	if ((id = bul_id(idtext)) == 0) {
		web_error_page(p, w, &r->user, MHD_HTTP_NOT_FOUND, "Bản tin",
		    "Không có bản tin này.");
		return;
	}
	if (strcmp(action, "retire") == 0 ? !web_may_change(&r->user) :
	    !web_may_approve(&r->user)) {
		web_error_page(p, w, &r->user, MHD_HTTP_FORBIDDEN, "Bản tin",
		    "Chỉ người duyệt (approver) mới được duyệt hoặc từ chối bản tin; "
		    "không có gì thay đổi.");
		return;
	}
	if (reason != NULL && reason[0] == '\0')
		reason = NULL;
	if (reason != NULL && !lib_text_ok(reason, 500)) {
		web_error_page(p, w, &r->user, MHD_HTTP_BAD_REQUEST, "Bản tin",
		    "Lý do phải là một dòng chữ (tối đa 500 byte).");
		return;
	}
	bul_actor(&r->user, actor, sizeof actor);
	if (strcmp(action, "approve") == 0)
		rc = lib_approve(w->lib, id, actor, &cause);
	else if (strcmp(action, "reject") == 0) {
		if (reason == NULL) {
			web_error_page(p, w, &r->user, MHD_HTTP_BAD_REQUEST, "Bản tin",
			    "Từ chối cần có lý do.");
			return;
		}
		rc = lib_reject(w->lib, id, actor, reason, &cause);
	} else
		rc = lib_retire(w->lib, id, actor, reason, &cause);
	if (rc != 0) {
		web_error_page(p, w, &r->user, rc == LIB_REJECTED ?
		    MHD_HTTP_UNPROCESSABLE_CONTENT : MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "Bản tin", cause);
		free(cause);
		return;
	}
	xasprintf(&loc, "/bulletins/%lld", (long long)id);
	web_redirect(p, loc);
	free(loc);
}

/* The MIME type of a bulletin's format (library's names). */
static const char *
bul_mime(const char *format)
{
	if (format == NULL)
		return "application/octet-stream";
	if (strstr(format, "mp3") != NULL || strstr(format, "mpeg") != NULL ||
	    strstr(format, "mp2") != NULL)
		return "audio/mpeg";
	if (strstr(format, "wav") != NULL)
		return "audio/wav";
	if (strstr(format, "flac") != NULL)
		return "audio/flac";
	if (strstr(format, "ogg") != NULL || strstr(format, "vorbis") != NULL ||
	    strstr(format, "opus") != NULL)
		return "audio/ogg";
	return "application/octet-stream";
}

/* GET /audio/ID: the bulletin's file, whole or one "bytes=A-B" range. */
void
web_audio(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	unsigned long long a, b;
	struct lib_bulletin bl;
	struct stat sb;
	int64_t id = bul_id(rest);
	char *cause = NULL;
	uint64_t size;
	int fd, n;

	(void)r;
	if (id == 0 || lib_get(w->lib, id, &bl, &cause) != 0) {
		free(cause);
		web_text(p, MHD_HTTP_NOT_FOUND, "no such bulletin");
		return;
	}
	fd = open(bl.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	p->type = bul_mime(bl.format);
	lib_bulletin_clear(&bl);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		web_text(p, MHD_HTTP_NOT_FOUND, "the bulletin's file is missing");
		return;
	}
	size = (uint64_t)sb.st_size;
	p->fd = fd;
	p->fd_off = 0;
	p->fd_len = size;
	if (range == NULL)
		return;
	a = 0;
	b = size - 1;
	if (sscanf(range, "bytes=%llu-%llu", &a, &b) == 2 ||
	    ((n = sscanf(range, "bytes=%llu-", &a)) == 1 && range[strlen(range) - 1] ==
	    '-')) {
		if (b >= size)
			b = size - 1;
	} else if (sscanf(range, "bytes=-%llu", &b) == 1 && b > 0) {
		a = b >= size ? 0 : size - b;
		b = size - 1;
	} else
		a = size; /* unreadable: refused below */
	if (size == 0 || a > b || a >= size) {
		close(fd);
		p->fd = -1;
		web_text(p, MHD_HTTP_RANGE_NOT_SATISFIABLE, "bad range");
		xasprintf(&p->content_range, "bytes */%llu", (unsigned long long)size);
		return;
	}
	p->status = MHD_HTTP_PARTIAL_CONTENT;
	p->fd_off = a;
	p->fd_len = b - a + 1;
	xasprintf(&p->content_range, "bytes %llu-%llu/%llu", a, b,
	    (unsigned long long)size);
}
