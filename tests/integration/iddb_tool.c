/*
 * iddb_tool.c - a test helper that writes identity DBs with lib/iddb
 * directly (no aws-auth, no CLI), for the NSS tests and the benchmark:
 *
 *   iddb_tool make DB SPEC        DB from a spec file, one entry a line,
 *                                 fields separated by '|':
 *       range|LO|HI   home|PATTERN   shell|PATH   template|TMPL   deny|NAME
 *       users|NAME|GID                the users' group, every user's primary group
 *       key|PATH                      templated ids keyed by this id key file
 *       group|NAME|GID|K8S_GROUP[|local]
 *       user|LOGIN|UID|K8S_USERNAME|GROUP,GROUP...[|templated]
 *   iddb_tool gen DB N PASSWD GROUP
 *                                 N users u0..u(N-1) (uid LO+i), user i in
 *                                 eks-g(i/10) (10 members each) and, for
 *                                 i < 10,000, in eks-big; and the same
 *                                 entries as passwd/group files for the
 *                                 files baseline (eks-big first);
 *                                 "nobig" after GROUP leaves eks-big out
 *   iddb_tool rewrite DB COUNT    replace DB COUNT times, alternating two
 *                                 versions A and B (see nss_threads.c)
 *   iddb_tool dump DB             users and groups in getent form
 *   iddb_tool version DB N        give DB the format version N, its header
 *                                 sealed again (a later or earlier eksauth's
 *                                 file, for tests/integration/iddb_upgrade.sh)
 *   iddb_tool template-uid DB NAME
 *                                 the uid NSS gives root for the templated
 *                                 NAME (the key of EKSAUTH_ID_KEY or
 *                                 /etc/eksauth/id.key when the DB is keyed);
 *                                 exit 1 when NAME gets no uid, 2 when the
 *                                 DB cannot be opened (so that a test
 *                                 expecting "no uid" never passes on a
 *                                 missing or broken DB)
 *   iddb_tool record DB LOGIN K8S_USERNAME ARN ["GROUP|GID|K8S_GROUP"...]
 *                                 record one templated login as the PAM
 *                                 module will (eksauth_iddb_record_login,
 *                                 the local ids of /etc/passwd and
 *                                 /etc/group held); prints the uid
 *   iddb_tool id NAME LO HI       the unkeyed probe-0 id of NAME in LO..HI
 *   iddb_tool aim VICTIM PREFIX LO HI
 *                                 the attacker's search of issue 16: a
 *                                 session name s such that PREFIX s lands
 *                                 on VICTIM's unkeyed probe-0 id in LO..HI
 * Exit 0 on success, 1 on failure (message on stderr); template-uid: see
 * above; a usage error: 2.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_record.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/iddb_template.h"
#include "eksauth/idkey.h"
#include "eksauth/names.h"

#define LO 1900000000u
#define HI 1999999999u

static int fail(const struct eksauth_error *err)
{
    fprintf(stderr, "iddb_tool: %s\n", err->msg);
    return 1;
}

static char *field(char **p)
{
    char *s = *p, *bar;

    if (s == NULL)
        return NULL;
    bar = strchr(s, '|');
    if (bar != NULL) {
        *bar = '\0';
        *p = bar + 1;
    } else {
        *p = NULL;
    }
    return s;
}

/*
 * What decides a templated name's id, as the NSS module has it as root:
 * the key, the time, and (with hf) the local ids.
 */
static void id_rules(struct eksauth_iddb_id_rules *rules, struct eksauth_id_key *key,
                     const struct eksauth_hostfiles *hf)
{
    struct eksauth_error err = {0};
    const char *path;
    bool present = false;

    memset(rules, 0, sizeof(*rules));
    rules->now = (uint64_t)time(NULL);
    if (hf != NULL) {
        rules->local_id = hf->host.local_id;
        rules->ctx = hf->host.ctx;
    }
    if (eksauth_idkey_default_path(&path, &err) == EKSAUTH_OK &&
        eksauth_idkey_load(path, key, &present, &err) == EKSAUTH_OK && present)
        rules->key = key;
}

static int cmd_make(const char *db, const char *spec)
{
    struct eksauth_iddb_params params = {LO, HI, NULL, NULL, 0, false, 0};
    struct eksauth_iddb_group_in users = {NULL, "", 0, 0};
    struct eksauth_id_key key;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    char line[4096], home[1024] = "", shell[1024] = "", users_name[64] = "";
    FILE *f = fopen(spec, "r");
    int rc = 1, pass;

    if (f == NULL) {
        perror(spec);
        return 1;
    }
    /* pass 0: header lines; pass 1: groups; pass 2: users, templates, denied */
    for (pass = 0; pass < 3; pass++) {
        rewind(f);
        while (fgets(line, sizeof(line), f) != NULL) {
            char *p = line, *kind;

            line[strcspn(line, "\n")] = '\0';
            if (line[0] == '\0' || line[0] == '#')
                continue;
            kind = field(&p);
            if (pass == 0 && strcmp(kind, "range") == 0) {
                params.id_min = (uint32_t)strtoul(field(&p), NULL, 10);
                params.id_max = (uint32_t)strtoul(field(&p), NULL, 10);
            } else if (pass == 0 && strcmp(kind, "home") == 0) {
                snprintf(home, sizeof(home), "%s", field(&p));
                params.home = home;
            } else if (pass == 0 && strcmp(kind, "shell") == 0) {
                snprintf(shell, sizeof(shell), "%s", field(&p));
                params.shell = shell;
            } else if (pass == 0 && strcmp(kind, "users") == 0) {
                const char *name = field(&p), *gid = field(&p);

                if (name == NULL || gid == NULL)
                    continue;
                snprintf(users_name, sizeof(users_name), "%s", name);
                params.users_gid = (uint32_t)strtoul(gid, NULL, 10);
                users.name = users_name;
                users.gid = params.users_gid;
            } else if (pass == 0 && strcmp(kind, "key") == 0) {
                bool present = false;

                if (eksauth_idkey_load(field(&p), &key, &present, &err) != EKSAUTH_OK)
                    goto out_err;
                params.keyed = present;
                params.key_check = key.check;
            } else if (pass == 1 && strcmp(kind, "group") == 0) {
                struct eksauth_iddb_group_in g = {0};
                char *local;

                g.name = field(&p);
                g.gid = (uint32_t)strtoul(field(&p), NULL, 10);
                g.k8s_group = field(&p);
                local = field(&p);
                if (local != NULL && strcmp(local, "local") == 0)
                    g.flags = EKSAUTH_IDDB_GROUP_LOCAL;
                if (eksauth_iddb_builder_add_group(b, &g, &err) != EKSAUTH_OK)
                    goto out_err;
            } else if (pass == 2 && strcmp(kind, "user") == 0) {
                struct eksauth_iddb_user_in u = {0};
                const char *groups[64];
                char *gl, *tok, *save = NULL, *flag;

                u.login = field(&p);
                u.uid = (uint32_t)strtoul(field(&p), NULL, 10);
                u.k8s_username = field(&p);
                gl = field(&p);
                flag = field(&p);
                for (tok = gl != NULL ? strtok_r(gl, ",", &save) : NULL;
                     tok != NULL && u.n_groups < 64; tok = strtok_r(NULL, ",", &save))
                    groups[u.n_groups++] = tok;
                u.groups = groups;
                if (flag != NULL && strcmp(flag, "templated") == 0)
                    u.flags = EKSAUTH_IDDB_USER_TEMPLATED;
                if (eksauth_iddb_builder_add_user(b, &u, &err) != EKSAUTH_OK)
                    goto out_err;
            } else if (pass == 2 && strcmp(kind, "template") == 0) {
                if (eksauth_iddb_builder_add_template(b, field(&p), &err) != EKSAUTH_OK)
                    goto out_err;
            } else if (pass == 2 && strcmp(kind, "deny") == 0) {
                if (eksauth_iddb_builder_add_denied(b, field(&p), &err) != EKSAUTH_OK)
                    goto out_err;
            }
        }
        if (pass == 0 &&
            (eksauth_iddb_builder_new(&params, &b, &err) != EKSAUTH_OK ||
             (users.name != NULL && eksauth_iddb_builder_add_group(b, &users, &err) != EKSAUTH_OK)))
            goto out_err;
    }
    if (eksauth_iddb_write(b, db, &err) != EKSAUTH_OK)
        goto out_err;
    rc = 0;
    goto out;
out_err:
    rc = fail(&err);
out:
    fclose(f);
    eksauth_iddb_builder_free(b);
    return rc;
}

static int cmd_gen(const char *db, unsigned long n, const char *passwd, const char *group,
                   bool with_big)
{
    unsigned long i, j, ng = (n + 9) / 10, nbig = !with_big ? 0 : n < 10000 ? n : 10000;
    uint32_t users_gid = (uint32_t)(HI - ng - 1); /* below the groups' gids */
    struct eksauth_iddb_params params = {LO, HI, NULL, NULL, users_gid, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", users_gid, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    FILE *pf = NULL, *gf = NULL;
    char name[32], gname[32];
    const char *gp[2];
    int rc = 1;

    if (eksauth_iddb_builder_new(&params, &b, &err) != EKSAUTH_OK ||
        eksauth_iddb_builder_add_group(b, &users, &err) != EKSAUTH_OK) {
        eksauth_iddb_builder_free(b);
        return fail(&err);
    }
    pf = fopen(passwd, "w");
    gf = fopen(group, "w");
    if (pf == NULL || gf == NULL) {
        perror("open");
        goto out;
    }
    for (j = 0; j < ng + (with_big ? 1 : 0); j++) {
        struct eksauth_iddb_group_in g = {gname, "g", (uint32_t)(HI - j), 0};

        if (j < ng)
            snprintf(gname, sizeof(gname), "eks-g%lu", j);
        else
            snprintf(gname, sizeof(gname), "eks-big");
        if (eksauth_iddb_builder_add_group(b, &g, &err) != EKSAUTH_OK)
            goto out_err;
    }
    /* The big group first in the group file: the files source's best case. */
    if (with_big) {
        fprintf(gf, "eks-big:x:%lu:", HI - ng);
        for (i = 0; i < nbig; i++)
            fprintf(gf, "%su%lu", i == 0 ? "" : ",", i);
        fputc('\n', gf);
    }
    for (i = 0; i < n; i++) {
        struct eksauth_iddb_user_in u = {0};

        snprintf(name, sizeof(name), "u%lu", i);
        snprintf(gname, sizeof(gname), "eks-g%lu", i / 10);
        gp[0] = gname;
        gp[1] = "eks-big";
        u.login = name;
        u.k8s_username = name;
        u.uid = (uint32_t)(LO + i);
        u.groups = gp;
        u.n_groups = i < nbig ? 2 : 1;
        if (eksauth_iddb_builder_add_user(b, &u, &err) != EKSAUTH_OK)
            goto out_err;
        fprintf(pf, "%s:x:%lu:%u:%s:/home/%s:/bin/bash\n", name, LO + i, users_gid, name, name);
    }
    fprintf(gf, "eks-users:x:%u:\n", users_gid);
    /* the 10-member groups, with their members, as the DB has them */
    for (j = 0; j < ng; j++) {
        fprintf(gf, "eks-g%lu:x:%lu:", j, HI - j);
        for (i = j * 10; i < n && i < j * 10 + 10; i++)
            fprintf(gf, "%su%lu", i == j * 10 ? "" : ",", i);
        fputc('\n', gf);
    }
    if (eksauth_iddb_write(b, db, &err) != EKSAUTH_OK)
        goto out_err;
    rc = 0;
    goto out;
out_err:
    rc = fail(&err);
out:
    if (pf != NULL && fclose(pf) != 0)
        rc = 1;
    if (gf != NULL && fclose(gf) != 0)
        rc = 1;
    eksauth_iddb_builder_free(b);
    return rc;
}

/*
 * Version A: users t0..t49, uid LO+i, gid LO+500 (eks-users), gecos "A",
 * home /a/tI, shell /bin/sh, group eks-x gid LO+1000 with all of them.
 * Version B: uid LO+2000+i, gid LO+2500, gecos "B", home /b/tI, shell
 * /bin/bash, eks-x gid LO+3000 with t0..t24.
 */
static int build_version(char v, struct eksauth_iddb_builder **bp)
{
    uint32_t users_gid = v == 'A' ? LO + 500 : LO + 2500;
    struct eksauth_iddb_params params = {
        LO,    HI, v == 'A' ? "/a/%u" : "/b/%u", v == 'A' ? "/bin/sh" : "/bin/bash", users_gid,
        false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", users_gid, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    struct eksauth_iddb_group_in g = {"eks-x", "x", v == 'A' ? LO + 1000 : LO + 3000, 0};
    const char *gp[] = {"eks-x"};
    char name[16];
    unsigned i;

    if (eksauth_iddb_builder_new(&params, &b, &err) != EKSAUTH_OK ||
        eksauth_iddb_builder_add_group(b, &users, &err) != EKSAUTH_OK ||
        eksauth_iddb_builder_add_group(b, &g, &err) != EKSAUTH_OK) {
        eksauth_iddb_builder_free(b);
        return fail(&err);
    }
    for (i = 0; i < 50; i++) {
        struct eksauth_iddb_user_in u = {0};

        snprintf(name, sizeof(name), "t%u", i);
        u.login = name;
        u.k8s_username = name;
        u.gecos = v == 'A' ? "A" : "B";
        u.uid = (v == 'A' ? LO : LO + 2000) + i;
        u.groups = gp;
        u.n_groups = (v == 'A' || i < 25) ? 1 : 0;
        if (eksauth_iddb_builder_add_user(b, &u, &err) != EKSAUTH_OK) {
            eksauth_iddb_builder_free(b);
            return fail(&err);
        }
    }
    *bp = b;
    return 0;
}

static int cmd_rewrite(const char *db, unsigned long count)
{
    struct eksauth_iddb_builder *a = NULL, *b = NULL;
    struct eksauth_error err = {0};
    unsigned long i;
    int rc = 1;

    if (build_version('A', &a) != 0 || build_version('B', &b) != 0)
        goto out;
    for (i = 0; i < count; i++) {
        if (eksauth_iddb_write(i % 2 ? b : a, db, &err) != EKSAUTH_OK) {
            rc = fail(&err);
            goto out;
        }
    }
    rc = 0;
out:
    eksauth_iddb_builder_free(a);
    eksauth_iddb_builder_free(b);
    return rc;
}

static int cmd_dump(const char *path)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    uint32_t i, j;

    if (eksauth_iddb_open(path, &db, &err) != EKSAUTH_OK)
        return fail(&err);
    for (i = 0; i < eksauth_iddb_user_count(db); i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        printf("%s:x:%u:%u:%s:%s:%s\n", u.login, u.uid, u.gid, u.gecos, u.home, u.shell);
    }
    for (i = 0; i < eksauth_iddb_group_count(db); i++) {
        struct eksauth_iddb_group g;
        const char *m;

        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK)
            continue;
        printf("%s:x:%u:", g.name, g.gid);
        for (j = 0; j < g.n_members; j++)
            if (eksauth_iddb_group_member(db, &g, j, &m, NULL) == EKSAUTH_OK)
                printf("%s%s", j ? "," : "", m);
        printf("\n");
    }
    eksauth_iddb_close(db);
    return 0;
}

static int cmd_template_uid(const char *path, const char *name)
{
    struct eksauth_iddb_id_rules rules;
    struct eksauth_id_key key;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    uint32_t uid;
    int rc = 1; /* no uid for NAME */

    if (eksauth_iddb_open(path, &db, &err) != EKSAUTH_OK) {
        fail(&err);
        return 2; /* no answer at all: not "no uid" */
    }
    id_rules(&rules, &key, NULL);
    if (eksauth_iddb_template_user(db, name, &rules, &uid) == EKSAUTH_IDDB_TEMPLATED) {
        printf("%u\n", uid);
        rc = 0;
    }
    eksauth_iddb_close(db);
    return rc;
}

static int cmd_record(const char *path, int argc, char **argv)
{
    struct eksauth_hostfiles hf;
    struct eksauth_iddb_id_rules rules;
    struct eksauth_id_key key;
    struct eksauth_iddb_group_in groups[32];
    struct eksauth_iddb_user_in u = {0};
    struct eksauth_error err = {0};
    uint32_t uid = 0;
    int i, n = 0;

    u.login = argv[0];
    u.k8s_username = argv[1];
    u.arn = argv[2];
    u.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    for (i = 3; i < argc && n < 32; i++) {
        char *p = argv[i];

        memset(&groups[n], 0, sizeof(groups[n]));
        groups[n].name = field(&p);
        groups[n].gid = (uint32_t)strtoul(field(&p), NULL, 10);
        groups[n].k8s_group = field(&p);
        n++;
    }
    if (eksauth_hostfiles_load(&hf, NULL, NULL, &err) != EKSAUTH_OK)
        return fail(&err);
    id_rules(&rules, &key, &hf);
    if (eksauth_iddb_record_login(path, &u, groups, (size_t)n, &rules, &uid, NULL, &err) !=
        EKSAUTH_OK) {
        eksauth_hostfiles_free(&hf);
        return fail(&err);
    }
    eksauth_hostfiles_free(&hf);
    printf("%u\n", uid);
    return 0;
}

static int cmd_version(const char *path, uint32_t version)
{
    struct eksauth_error err = {0};
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = 1;
    FILE *out;

    if (eksauth_file_read(path, EKSAUTH_IDDB_MAX_SIZE, false, (char **)&data, &len, &err) !=
        EKSAUTH_OK)
        return fail(&err);
    if (len < 16) {
        fprintf(stderr, "iddb_tool: %s: too short\n", path);
        goto out;
    }
    eksauth_le32_put(data + 8, version); /* the version's offset (docs/identity-db.md) */
    eksauth_iddb_reseal(data, len);
    out = fopen(path, "wb");
    if (out == NULL || fwrite(data, 1, len, out) != len || fclose(out) != 0) {
        fprintf(stderr, "iddb_tool: %s: cannot write\n", path);
        goto out;
    }
    rc = 0;
out:
    free(data);
    return rc;
}

static int cmd_aim(const char *victim, const char *prefix, uint32_t lo, uint32_t hi)
{
    uint32_t target = eksauth_names_id(NULL, victim, 0, lo, hi);
    char name[64];
    unsigned long i;

    for (i = 0; i < 100000000ul; i++) {
        snprintf(name, sizeof(name), "%sm%lu", prefix, i);
        if (eksauth_names_id(NULL, name, 0, lo, hi) == target) {
            printf("m%lu\n", i);
            return 0;
        }
    }
    fprintf(stderr, "iddb_tool: no session name found\n");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "make") == 0)
        return cmd_make(argv[2], argv[3]);
    if ((argc == 6 || (argc == 7 && strcmp(argv[6], "nobig") == 0)) && strcmp(argv[1], "gen") == 0)
        return cmd_gen(argv[2], strtoul(argv[3], NULL, 10), argv[4], argv[5], argc == 6);
    if (argc == 4 && strcmp(argv[1], "rewrite") == 0)
        return cmd_rewrite(argv[2], strtoul(argv[3], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "dump") == 0)
        return cmd_dump(argv[2]);
    if (argc == 4 && strcmp(argv[1], "version") == 0)
        return cmd_version(argv[2], (uint32_t)strtoul(argv[3], NULL, 10));
    if (argc >= 6 && strcmp(argv[1], "record") == 0)
        return cmd_record(argv[2], argc - 3, argv + 3);
    if (argc == 4 && strcmp(argv[1], "template-uid") == 0)
        return cmd_template_uid(argv[2], argv[3]);
    if (argc == 6 && strcmp(argv[1], "aim") == 0)
        return cmd_aim(argv[2], argv[3], (uint32_t)strtoul(argv[4], NULL, 10),
                       (uint32_t)strtoul(argv[5], NULL, 10));
    if (argc == 5 && strcmp(argv[1], "id") == 0) {
        printf("%u\n", eksauth_names_id(NULL, argv[2], 0, (uint32_t)strtoul(argv[3], NULL, 10),
                                        (uint32_t)strtoul(argv[4], NULL, 10)));
        return 0;
    }
    fprintf(stderr,
            "usage: iddb_tool make DB SPEC | gen DB N PASSWD GROUP [nobig] | rewrite DB COUNT | "
            "dump DB | version DB N | template-uid DB NAME | record DB LOGIN K8S ARN "
            "[G|GID|K8S...] | id NAME "
            "LO HI | aim VICTIM PREFIX LO HI\n");
    return 2;
}
