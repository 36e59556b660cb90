/* The package inbox: import what the district dropped, file it as done or rejected. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "library/internal.h"

/* Orders names for qsort. */
static int
inbox_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Moves inbox/name into inbox/sub/, under a free name (a numeric suffix when
 * taken); sets *dest to the allocated new path.
 */
static int
inbox_move(const char *inbox, const char *sub, const char *name, char **dest,
    char **cause)
{
	char *dir, *from;
	int i;

	xasprintf(&dir, "%s/%s", inbox, sub);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	xasprintf(&from, "%s/%s", inbox, name);
	xasprintf(dest, "%s/%s", dir, name);
	for (i = 1; access(*dest, F_OK) == 0 && i < 1000; i++) {
		free(*dest);
		xasprintf(dest, "%s/%s.%d", dir, name, i);
	}
	free(dir);
	if (rename(from, *dest) != 0) {
		xasprintf(cause, "%s: cannot move to %s: %s", from, *dest,
		    strerror(errno));
		free(from);
		free(*dest);
		*dest = NULL;
		return -1;
	}
	free(from);
	return 0;
}

/* Writes why beside a rejected package as PATH.why, mode 0640 whatever the umask. */
static void
inbox_why(const char *dest, const char *why)
{
	char *path;
	FILE *f;
	int fd;

	xasprintf(&path, "%s.why", dest);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) >= 0) {
		fchmod(fd, 0640);
		if ((f = fdopen(fd, "w")) != NULL) {
			fprintf(f, "%s\n", why);
			fclose(f);
		} else
			close(fd);
	}
	free(path);
}

/* Imports each package in the inbox and files it. */
int
lib_inbox(struct library *lib, const char *inbox,
    const struct lib_trusted *trusted, size_t ntrusted, const char *const *topics,
    void (*fn)(const char *path, int rc, const struct lib_pkg_result *,
    const char *cause, void *arg), void *arg, size_t *ndone, size_t *nrejected,
    char **cause)
{
	struct lib_pkg_result res;
	struct dirent *de;
	struct stat sb;
	char **names = NULL, *path, *dest, *why;
	size_t n = 0, i;
	DIR *d;
	int rc;

	*ndone = *nrejected = 0;
	if ((d = opendir(inbox)) == NULL) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", inbox, strerror(errno));
		return LIB_ERR;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", inbox, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, inbox_cmp);
	for (i = 0; i < n; i++) {
		why = NULL;
		xasprintf(&path, "%s/%s", inbox, names[i]);
		rc = lib_package_import(lib, path, trusted, ntrusted, topics, &res, &why);
		if (fn != NULL)
			fn(path, rc, &res, why, arg);
		if (rc == 0 && inbox_move(inbox, "done", names[i], &dest, &why) == 0) {
			(*ndone)++;
			free(dest);
		} else if (rc == LIB_REJECTED &&
		    inbox_move(inbox, "rejected", names[i], &dest, cause) == 0) {
			inbox_why(dest, why);
			(*nrejected)++;
			free(dest);
		}
		lib_pkg_result_clear(&res);
		free(why);
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}
