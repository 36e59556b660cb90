/*
 * Opening the files users name (regular files only, never waiting on one),
 * and writing a file whole or not at all.
 */
#ifndef LOAXA_FILE_H
#define LOAXA_FILE_H

#include <sys/stat.h>

#define FILE_NOT_REGULAR (-2)

int file_open_regular(const char *, struct stat *);
const char *file_open_error(int);

/* What a temporary file's name has after the name it stands for. */
#define FILE_TMP_INFIX ".tmp-"

/*
 * Creates the temporary file PATH.tmp-XXXXXX then tail (may be NULL), with
 * six random characters, exclusively, without following a symbolic link,
 * write-only, close-on-exec and with mode (the umask applies). A path
 * ending in '/' gives a hidden DIR/.tmp-XXXXXX. Returns the descriptor and
 * sets *tmp to the allocated name; -1 with *cause (no file name in it).
 */
int file_tmp_open(const char *path, const char *tail, mode_t mode, char **tmp,
    char **cause);

/*
 * Puts the written temporary file tmp in place as path, durably: fsyncs it
 * (through fd, or, when fd is -1, by its name, for a file a library wrote),
 * renames it to path and fsyncs path's directory. fd stays open (the
 * caller's lock, if any, lasts until the rename). On failure, -1 with
 * *cause (no file name in it), and tmp removed if it was not renamed.
 */
int file_tmp_commit(int fd, const char *tmp, const char *path, char **cause);

#endif
