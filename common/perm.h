/*
 * Who else may change or read the files loaxa trusts. A configuration says
 * which keys approve bulletins, the data directory and its database hold
 * what airs and what was aired, a secret key signs: one that others can
 * write (or, for a key, read) is refused, never used, with the command that
 * closes it.
 */
#ifndef LOAXA_PERM_H
#define LOAXA_PERM_H

#include <sys/stat.h>

enum perm_kind {
	/*
	 * A file only its owner may write (a configuration): no group or other
	 * write bit, owned by root or by the user running loaxa.
	 */
	PERM_OWNER,
	/* A secret key: no group or other bit at all. */
	PERM_SECRET,
	/*
	 * The station's data (its directory, the database): the daemon's group
	 * may write it (the unit's UMask=0007), others may not.
	 */
	PERM_GROUP,
	/*
	 * A directory that holds one of the above (the inbox's parent, the
	 * configuration's directory): others may not write it unless it is
	 * sticky (/tmp), where they cannot rename or remove what is not theirs.
	 */
	PERM_PARENT,
};

/*
 * Checks sb, the status of path, for kind. 0, or -1 with *cause
 * "PATH: others can write it; run chmod o-w PATH".
 */
int perm_check_stat(const char *path, const struct stat *sb, enum perm_kind kind,
    char **cause);

/*
 * Checks path (following links: what is read is the target) for kind; a
 * path that cannot be looked at (missing) is no problem here: whoever opens
 * it reports that. -1 with *cause otherwise.
 */
int perm_check(const char *path, enum perm_kind kind, char **cause);

/*
 * Closes this process to the other processes of its own user (the station
 * link and the web console run as the daemon's user): no ptrace, no
 * /proc/PID/{environ,maps,mem,fd,root}, no core dump. Children inherit it
 * until they exec. For the daemon and the processes that handle what
 * arrives from outside.
 */
void perm_close_proc(void);

#endif
