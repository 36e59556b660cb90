/*
 * The subcommands of `loaxa fleet` that live beside cli/cmd-fleet.c (which
 * holds the command's table): status, watch and deliveries
 * (cmd-fleet-view.c), collect and broker-config (cmd-fleet-collect.c).
 */
#ifndef LOAXA_CLI_CMD_FLEET_H
#define LOAXA_CLI_CMD_FLEET_H

#include <sqlite3.h>

#include "cli/cli.h"

extern const struct cmd_entry fleet_status_entry, fleet_watch_entry,
    fleet_deliveries_entry, fleet_collect_entry, fleet_broker_entry;

/*
 * Prints "loaxa fleet CMD: ..." on one line and returns status; checks that
 * cfg has a fleet section first with fleet_cli_section.
 */
int fleet_cli_fail(const char *cmd, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* EXIT_OK when cfg has a fleet section, else says so (EXIT_USAGE). */
int fleet_cli_section(const struct config *cfg, const char *cmd);

/* Opens fleet.db; EXIT_OK, or says why and returns EXIT_FAIL. */
int fleet_cli_db(const struct config *cfg, const char *cmd, sqlite3 **db);

#endif
