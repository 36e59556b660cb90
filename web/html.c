/* The page frame: the head, the navigation in Vietnamese, escaping, messages. */
#include <string.h>

#include "config/config.h"
#include "reports/reports.h"
#include "web/internal.h"

/* The pages of the navigation, with the words of the product. */
static const struct {
	const char *path, *name;
} nav[] = {
	{ "/", "Trang chủ" },
	{ "/bulletins", "Bản tin" },
	{ "/plan", "Lịch phát" },
	{ "/play", "Phát ngay" },
	{ "/log", "Nhật ký" },
	{ "/reports", "Báo cáo" },
};

void
web_h(FILE *f, const char *s)
{
	rep_html_str(f, s != NULL ? s : "");
}

/* The document head, shared by the login page and the others. */
static void
html_head(FILE *f, const struct web *w, const char *title)
{
	fputs("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	    "<title>", f);
	web_h(f, title);
	fputs(" - ", f);
	web_h(f, w->cfg->station.name != NULL ? w->cfg->station.name : "loaxa");
	fputs("</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
	    "<script src=\"/static/app.js\" defer></script></head>\n<body>", f);
}

void
web_html_begin(struct web_page *p, const struct web *w, const struct web_user *u,
    const char *title, const char *active)
{
	FILE *f = p->f;
	size_t i;

	html_head(f, w, title);
	fputs("<header><div class=\"top\"><span class=\"station\">", f);
	web_h(f, w->cfg->station.name != NULL ? w->cfg->station.name : "loaxa");
	fputs("</span><form method=\"post\" action=\"/logout\" class=\"who\">", f);
	web_h(f, u->name);
	fprintf(f, " (%s) ", strcmp(u->role, "approver") == 0 ? "người duyệt" :
	    strcmp(u->role, "operator") == 0 ? "người vận hành" : "người xem");
	web_csrf_input(f, u);
	fputs("<button type=\"submit\" id=\"logout\">Đăng xuất</button></form></div>"
	    "<nav>", f);
	for (i = 0; i < sizeof nav / sizeof nav[0]; i++)
		fprintf(f, "<a href=\"%s\"%s>%s</a>", nav[i].path,
		    strcmp(nav[i].path, active) == 0 ? " class=\"on\"" : "", nav[i].name);
	fputs("</nav></header>\n<main>\n<h1>", f);
	web_h(f, title);
	fputs("</h1>\n", f);
}

void
web_html_end(struct web_page *p)
{
	fputs("</main>\n<footer>loaxa " LOAXA_VERSION "</footer></body></html>\n", p->f);
}

void
web_csrf_input(FILE *f, const struct web_user *u)
{
	fprintf(f, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", u->csrf);
}

void
web_error_page(struct web_page *p, const struct web *w, const struct web_user *u,
    int status, const char *title, const char *message)
{
	p->status = status;
	web_html_begin(p, w, u, title, "");
	fputs("<p class=\"err\" id=\"message\">", p->f);
	web_h(p->f, message);
	fputs("</p><p><a href=\"/\">Về trang chủ</a></p>", p->f);
	web_html_end(p);
}

const char *
web_status_vi(const char *status)
{
	if (status == NULL)
		return "";
	if (strcmp(status, "pending") == 0)
		return "chờ duyệt";
	if (strcmp(status, "approved") == 0)
		return "đã duyệt";
	if (strcmp(status, "rejected") == 0)
		return "bị từ chối";
	if (strcmp(status, "retired") == 0)
		return "đã thu hồi";
	return status;
}

void
web_login_page(struct web_page *p, const struct web *w, const char *message)
{
	FILE *f = p->f;

	html_head(f, w, "Đăng nhập");
	fputs("<main class=\"login\"><h1>", f);
	web_h(f, w->cfg->station.name != NULL ? w->cfg->station.name : "loaxa");
	fputs("</h1>", f);
	if (message != NULL) {
		fputs("<p class=\"err\" id=\"message\">", f);
		web_h(f, message);
		fputs("</p>", f);
	}
	fputs("<form method=\"post\" action=\"/login\"><label>Tên đăng nhập "
	    "<input name=\"name\" id=\"name\" autocomplete=\"username\" required>"
	    "</label><label>Mật khẩu <input type=\"password\" name=\"password\" "
	    "id=\"password\" autocomplete=\"current-password\" required></label>"
	    "<button type=\"submit\" id=\"login\">Đăng nhập</button></form></main>"
	    "</body></html>\n", f);
}
