/*
 * cmd_users.c - `eksauth users [--json]` and `eksauth groups [--json]`:
 * the identity DB as NSS serves it, one getent line per entry
 * ("login:*:uid:gid:gecos:home:shell", "group:*:gid:member,..."), or JSON
 * with what getent cannot show (k8s names, ARNs, templated logins, local
 * groups, the username templates).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eksauth/iddb.h"
#include "eksauth/paths.h"

static int list_usage(const char *cmd, FILE *out)
{
    fprintf(out,
            "usage: eksauth %s [--json]\n"
            "  the %s of the identity DB in getent form (as NSS serves them), or JSON\n"
            "exit: 0 listed, 2 usage error or a DB that may not be trusted or read,\n"
            "      4 no identity DB yet (run eksauth sync)\n",
            cmd, strcmp(cmd, "users") == 0 ? "users" : "groups");
    return out == stdout ? 0 : EXIT_USAGE;
}

/* Parse [--json]; -1: go on, else the exit code. */
static int parse_list_args(const char *cmd, int argc, char **argv, bool *json)
{
    int i;

    *json = false;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            *json = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return list_usage(cmd, stdout);
        } else {
            cli_error("usage", "%s: unknown argument '%s'", cmd, argv[i]);
            return list_usage(cmd, stderr);
        }
    }
    return -1;
}

static int open_db(struct eksauth_cli *cli, const char *cmd, struct eksauth_iddb **db)
{
    struct eksauth_error err = {0};

    if (cli_load_config(cli, false, &err) != EKSAUTH_OK)
        return cli_fail(cmd, &err);
    if (eksauth_iddb_open(cli->ctx.paths.db, db, &err) != EKSAUTH_OK)
        return cli_db_fail(cmd, cli->ctx.paths.db, &err);
    return 0;
}

static struct json_object *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_object_new_string(s) : NULL;
}

/* One kind of DB entry `eksauth users` or `groups` lists. */
struct db_list {
    const char *cmd;    /* the subcommand, and the key of the JSON list */
    const char *record; /* in "malformed ... record" */
    uint32_t (*count)(const struct eksauth_iddb *db);
    /* Entry i as a getent line on stdout (arr NULL) or a JSON object in arr; false when malformed.
     */
    bool (*show)(const struct eksauth_iddb *db, uint32_t i, struct json_object *arr);
    /* What the JSON has beside the list (may be NULL). */
    void (*more)(const struct eksauth_iddb *db, struct json_object *root);
};

static int list_db(struct eksauth_cli *cli, int argc, char **argv, const struct db_list *l)
{
    struct eksauth_iddb *db = NULL;
    struct json_object *root = NULL, *arr = NULL;
    bool json;
    uint32_t i;
    int rc;

    rc = parse_list_args(l->cmd, argc, argv, &json);
    if (rc >= 0)
        return rc;
    rc = open_db(cli, l->cmd, &db);
    if (rc != 0)
        return rc;
    if (json) {
        root = json_object_new_object();
        arr = json_object_new_array();
    }
    for (i = 0; i < l->count(db); i++) {
        if (!l->show(db, i, arr)) {
            cli_error(l->cmd, "identity DB: malformed %s record %u", l->record, i);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (json) {
        json_object_object_add(root, l->cmd, arr);
        arr = NULL;
        if (l->more != NULL)
            l->more(db, root);
        rc = cli_print_json(root);
    } else if (fflush(stdout) != 0) {
        rc = EXIT_USAGE;
    }
out:
    json_object_put(root);
    json_object_put(arr);
    eksauth_iddb_close(db);
    return rc;
}

static bool show_user(const struct eksauth_iddb *db, uint32_t i, struct json_object *arr)
{
    struct eksauth_iddb_user u;
    struct json_object *o, *groups;
    uint32_t j;

    if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
        return false;
    if (arr == NULL) {
        printf("%s:*:%u:%u:%s:%s:%s\n", u.login, u.uid, u.gid, u.gecos, u.home, u.shell);
        return true;
    }
    o = json_object_new_object();
    groups = json_object_new_array();
    for (j = 0; j < u.n_groups; j++) {
        struct eksauth_iddb_group g;

        if (eksauth_iddb_user_group(db, &u, j, &g) == EKSAUTH_OK)
            json_object_array_add(groups, json_object_new_string(g.name));
    }
    json_object_object_add(o, "login", json_object_new_string(u.login));
    json_object_object_add(o, "uid", json_object_new_int64(u.uid));
    json_object_object_add(o, "gid", json_object_new_int64(u.gid));
    json_object_object_add(o, "gecos", json_object_new_string(u.gecos));
    json_object_object_add(o, "home", json_object_new_string(u.home));
    json_object_object_add(o, "shell", json_object_new_string(u.shell));
    json_object_object_add(o, "username", str_or_null(u.k8s_username));
    json_object_object_add(o, "arn", str_or_null(u.arn));
    json_object_object_add(o, "templated",
                           json_object_new_boolean((u.flags & EKSAUTH_IDDB_USER_TEMPLATED) != 0));
    json_object_object_add(o, "posix_groups", groups);
    json_object_array_add(arr, o);
    return true;
}

/* The username templates and the DB's generation, beside the users. */
static void users_more(const struct eksauth_iddb *db, struct json_object *root)
{
    struct json_object *tpl = json_object_new_array();
    uint32_t i;

    for (i = 0; i < eksauth_iddb_template_count(db); i++)
        json_object_array_add(tpl, json_object_new_string(eksauth_iddb_template_at(db, i)));
    json_object_object_add(root, "templates", tpl);
    json_object_object_add(root, "generation",
                           json_object_new_int64((int64_t)eksauth_iddb_generation(db)));
}

static bool show_group(const struct eksauth_iddb *db, uint32_t i, struct json_object *arr)
{
    struct eksauth_iddb_group g;
    struct json_object *o, *members;
    const char *m;
    uint32_t j;

    if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK)
        return false;
    if (arr == NULL) {
        /* A local group (group_map) is served by files, not by eksauth: not listed. */
        if ((g.flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0)
            return true;
        printf("%s:*:%u:", g.name, g.gid);
        for (j = 0; j < g.n_members; j++)
            if (eksauth_iddb_group_member(db, &g, j, &m, NULL) == EKSAUTH_OK)
                printf("%s%s", j > 0 ? "," : "", m);
        printf("\n");
        return true;
    }
    o = json_object_new_object();
    members = json_object_new_array();
    for (j = 0; j < g.n_members; j++)
        if (eksauth_iddb_group_member(db, &g, j, &m, NULL) == EKSAUTH_OK)
            json_object_array_add(members, json_object_new_string(m));
    json_object_object_add(o, "name", json_object_new_string(g.name));
    json_object_object_add(o, "gid", json_object_new_int64(g.gid));
    json_object_object_add(o, "k8s_group", str_or_null(g.k8s_group));
    json_object_object_add(o, "private",
                           json_object_new_boolean((g.flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0));
    json_object_object_add(o, "local",
                           json_object_new_boolean((g.flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0));
    json_object_object_add(o, "members", members);
    json_object_array_add(arr, o);
    return true;
}

int cmd_users(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct db_list users = {"users", "user", eksauth_iddb_user_count, show_user,
                                         users_more};

    return list_db(cli, argc, argv, &users);
}

int cmd_groups(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct db_list groups = {"groups", "group", eksauth_iddb_group_count, show_group,
                                          NULL};

    return list_db(cli, argc, argv, &groups);
}
