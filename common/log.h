/*
 * Logging: levels, printf-style, to stderr (journald adds the time when systemd
 * runs the daemon). log_debug prints only after log_set_verbose(1).
 */
#ifndef LOAXA_LOG_H
#define LOAXA_LOG_H

void log_set_verbose(int);
int log_verbose(void);
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
