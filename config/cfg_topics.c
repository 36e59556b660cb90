/* The topics section: content areas, by default the seed plan's seven (section II). */
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "config/cfg.h"

static const struct {
	const char *key, *name;
} default_topics[] = {
	{ "cchc", "Ý nghĩa, tầm quan trọng của cải cách hành chính, cải thiện Chỉ số PAPI" },
	{ "chinhsach", "Chủ trương của Đảng, chính sách pháp luật của Nhà nước về cải cách hành chính" },
	{ "dautu", "Chính sách thu hút đầu tư, tiềm năng của tỉnh, công khai quy hoạch" },
	{ "chinhquyen", "Xây dựng chính quyền, phòng chống tham nhũng, thực hành tiết kiệm, chống lãng phí" },
	{ "tthc", "Văn bản pháp luật, thủ tục hành chính, công khai kết quả giải quyết TTHC" },
	{ "doanhnghiep", "Khó khăn, vướng mắc của doanh nghiệp, nhà đầu tư" },
	{ "danchu", "Quy chế dân chủ ở cơ sở, Nhân dân tham gia góp ý chính sách" },
};

/* A topic key: lower-case ASCII letters, digits, '-' and '_', up to 32. */
static int
topic_key_valid(const char *k)
{
	size_t n = 0;

	for (; *k != '\0'; k++, n++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		    *k == '-' || *k == '_'))
			return 0;
	return n > 0 && n <= 32;
}

static void
topics_add(struct config *c, const char *key, const char *name)
{
	c->topics = xreallocarray(c->topics, c->ntopics + 1, sizeof *c->topics);
	c->topics[c->ntopics].key = xstrdup(key);
	c->topics[c->ntopics].name = xstrdup(name);
	c->ntopics++;
}

void
cfg_read_topics(struct cfg_reader *r, const config_setting_t *s, struct config *c)
{
	static const char *const names[] = { "key", "name", NULL };
	const config_setting_t *t;
	char *key, *name;
	size_t i;
	int n;

	if (s == NULL) {
		for (i = 0; i < sizeof default_topics / sizeof default_topics[0]; i++)
			topics_add(c, default_topics[i].key, default_topics[i].name);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_problem(r, s, _("'topics' must be a list ( { key = \"...\"; "
		    "name = \"...\"; }, ... )"));
		return;
	}
	if (config_setting_length(s) == 0)
		cfg_problem(r, s, _("'topics' is empty; list at least one topic"));
	for (n = 0; (t = config_setting_get_elem(s, (unsigned)n)) != NULL; n++) {
		if (config_setting_type(t) != CONFIG_TYPE_GROUP) {
			cfg_problem(r, t, _("topic %d must be a group { key = ...; "
			    "name = ...; }"), n + 1);
			continue;
		}
		cfg_check_members(r, t, names);
		key = name = NULL;
		if (!cfg_string(r, t, "key", &key, 0)) {
			if (config_setting_get_member(t, "key") == NULL)
				cfg_problem(r, t, _("topic %d has no 'key'"), n + 1);
		} else if (!topic_key_valid(key))
			cfg_problem(r, config_setting_get_member(t, "key"),
			    _("topic key '%s' may hold only a-z, 0-9, '-' and '_' "
			    "(at most 32)"), key);
		else if (conf_topic(c, key) != NULL)
			cfg_problem(r, config_setting_get_member(t, "key"),
			    _("topic key '%s' is listed twice"), key);
		else if (!cfg_string(r, t, "name", &name, 0)) {
			if (config_setting_get_member(t, "name") == NULL)
				cfg_problem(r, t, _("topic '%s' has no 'name'"), key);
		} else
			topics_add(c, key, name);
		free(key);
		free(name);
	}
}
