/*
 * The schema, as an ordered list of migrations. Version N is migrations[N-1];
 * never edit a released migration, append a new one.
 */
#include <stddef.h>

#include "store/migrations.h"

static const char *const migrations[] = {
	/* 1: the store's own facts (station key, creation time). */
	"CREATE TABLE meta (\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") STRICT;\n",
};

const char *
store_migration(int version)
{
	if (version < 1 || (size_t)version > sizeof migrations / sizeof migrations[0])
		return NULL;
	return migrations[version - 1];
}

int
store_latest_version(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}
