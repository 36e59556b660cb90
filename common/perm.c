/*
 * Permission checks on the files loaxa trusts (see perm.h). They look at
 * the mode and the owner, not at access(2): what matters is who else could
 * write the file, not whether this process can.
 */
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/perm.h"
#include "common/xmalloc.h"

/* "its group", "others" or "its group and others", by which of the bits are set in mode. */
static const char *
perm_who(mode_t mode, mode_t group, mode_t other)
{
	if ((mode & group) && (mode & other))
		return "its group and others";
	return (mode & group) ? "its group" : "others";
}

int
perm_check_stat(const char *path, const struct stat *sb, enum perm_kind kind,
    char **cause)
{
	struct passwd *pw;
	mode_t m = sb->st_mode;

	switch (kind) {
	case PERM_SECRET:
		if ((m & 077) == 0)
			return 0;
		xasprintf(cause, "%s: %s can %s this secret key; run chmod 600 %s",
		    path, perm_who(m, 070, 007), (m & 022) ? "write" : "read", path);
		return -1;
	case PERM_OWNER:
		if ((m & 022) != 0) {
			xasprintf(cause, "%s: %s can write it; run chmod %s-w %s", path,
			    perm_who(m, 020, 002), (m & 020) && (m & 002) ? "go" :
			    (m & 020) ? "g" : "o", path);
			return -1;
		}
		if (sb->st_uid != 0 && sb->st_uid != geteuid()) {
			if ((pw = getpwuid(sb->st_uid)) != NULL)
				xasprintf(cause, "%s: owned by user %s, who can change it; "
				    "run chown root %s", path, pw->pw_name, path);
			else
				xasprintf(cause, "%s: owned by uid %ld, who can change it; "
				    "run chown root %s", path, (long)sb->st_uid, path);
			return -1;
		}
		return 0;
	case PERM_PARENT:
		if (S_ISDIR(m) && (m & S_ISVTX))
			return 0;
		/* FALLTHROUGH */
	case PERM_GROUP:
		if ((m & 002) == 0)
			return 0;
		xasprintf(cause, "%s: others can write it; run chmod o-w %s", path, path);
		return -1;
	}
	return 0;
}

int
perm_check(const char *path, enum perm_kind kind, char **cause)
{
	struct stat sb;

	/* What cannot be reached is reported where it is opened. */
	if (stat(path, &sb) != 0)
		return 0;
	return perm_check_stat(path, &sb, kind, cause);
}

void
perm_close_proc(void)
{
	/* Cannot fail for 0 (an unknown option would be EINVAL). */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
