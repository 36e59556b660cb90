/* The schema migrations, kept apart so that modules append theirs in one place. */
#ifndef LOAXA_MIGRATIONS_H
#define LOAXA_MIGRATIONS_H

/* The SQL that takes the schema from version - 1 to version, or NULL. */
const char *store_migration(int version);
int store_latest_version(void);

#endif
