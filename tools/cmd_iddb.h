/*
 * cmd_iddb.h - the identity DB subcommands: `eksauth sync` (aws-auth ->
 * identity DB) and `eksauth users` / `eksauth groups` (the DB in getent
 * form or JSON).  tools/eksauth.c dispatches to them.
 */
#ifndef EKSAUTH_CMD_IDDB_H
#define EKSAUTH_CMD_IDDB_H

#include "cli.h"

int cmd_sync(struct eksauth_cli *cli, int argc, char **argv);
int cmd_users(struct eksauth_cli *cli, int argc, char **argv);
int cmd_groups(struct eksauth_cli *cli, int argc, char **argv);

/*
 * The DB the CLI works on: EKSAUTH_DB (secure_getenv), else the config's
 * db_path, else EKSAUTH_DB_PATH.  The config must be loaded.
 */
const char *cmd_iddb_path(const struct eksauth_cli *cli);

#endif
