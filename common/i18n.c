/* Message catalogues (common/i18n.h). */
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

#define I18N_DOMAIN "loaxa"

/* The first of LC_ALL, LC_MESSAGES, LANG that is set, as setlocale reads them. */
static const char *
i18n_wanted(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return v;
	return "";
}

void
i18n_init(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 8], *slash;
	const char *want = i18n_wanted(), *lang;
	struct stat st;
	ssize_t n;

	if (setlocale(LC_CTYPE, "") == NULL)
		setlocale(LC_CTYPE, "C.UTF-8");
	lang = getenv("LANGUAGE");
	if (setlocale(LC_MESSAGES, "") == NULL && strncmp(want, "vi", 2) == 0 &&
	    setlocale(LC_MESSAGES, "C.UTF-8") != NULL && (lang == NULL || lang[0] == '\0'))
		setenv("LANGUAGE", "vi", 1);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		strcpy(dir, exe);
		strcat(dir, "/locale");
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			bindtextdomain(I18N_DOMAIN, dir);
			goto bound;
		}
	}
	bindtextdomain(I18N_DOMAIN, LOCALEDIR);
bound:
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	textdomain(I18N_DOMAIN);
}
