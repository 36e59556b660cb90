/* Opening the files users name: regular files only, never waiting on one. */
#ifndef LOAXA_FILE_H
#define LOAXA_FILE_H

#include <sys/stat.h>

#define FILE_NOT_REGULAR (-2)

int file_open_regular(const char *, struct stat *);
const char *file_open_error(int);

#endif
