/*
 * fuzz_login_index.c - libFuzzer target for the login index reader
 * (lib/login_index.c): open the input as an index (its block sums and
 * header sum recomputed first, eksauth_login_index_reseal, so mutations
 * reach the structural and record checks) and, when accepted, map
 * principals through it and resolve them with the index's answers over an
 * empty identity DB.  Promises checked: an entry found is the one of the
 * key asked for (never another principal's); a refusal's message is one
 * line; a granted login is a valid POSIX name with an id in the index's
 * range or none of the host's.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "eksauth/arn.h"
#include "eksauth/config.h"
#include "eksauth/iddb.h"
#include "eksauth/login_index.h"
#include "eksauth/names.h"
#include "fuzz.h"

/* Principals of the seed's aws-auth (tests/fixtures/aws-auth-full.yaml) and strangers. */
static const char *const principals[][2] = {
    {"arn:aws:sts::123456789012:assumed-role/Admins/alice", "alice"},
    {"arn:aws:sts::123456789012:assumed-role/Developers/bob@example.com", "bob@example.com"},
    {"arn:aws:sts::123456789012:assumed-role/Auditor/anyone", "anyone"},
    {"arn:aws:iam::123456789012:user/ops/Bob", ""},
    {"arn:aws:iam::444455556666:user/dave", ""},
    {"arn:aws:sts::123456789012:assumed-role/Shared/x", "x"},
    {"arn:aws:sts::123456789012:assumed-role/nobody/x", "x"},
};

static struct eksauth_iddb *empty_db(void)
{
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    void *img = NULL;
    size_t len = 0;

    memset(&params, 0, sizeof(params));
    if (eksauth_iddb_builder_new(&params, &b, NULL) == EKSAUTH_OK &&
        eksauth_iddb_builder_serialize(b, &img, &len, NULL) == EKSAUTH_OK)
        (void)eksauth_iddb_open_owned(img, len, &db, NULL);
    eksauth_iddb_builder_free(b);
    return db;
}

/* p through ix: the entry found is p's own, and what it resolves to keeps the promises. */
static void one(struct eksauth_login_index *ix, const struct eksauth_config *cfg,
                const struct eksauth_iddb *db, const struct eksauth_principal *p)
{
    struct eksauth_awsauth *mini = NULL;
    struct eksauth_k8s_identity k8s;
    struct eksauth_plan_view view;
    struct eksauth_identity id;
    struct eksauth_error err;
    struct eksauth_arn arn;

    if (eksauth_login_index_awsauth(ix, p, &mini, &err) != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        return;
    }
    FUZZ_ASSERT(eksauth_arn_parse(p->arn, &arn, NULL) == EKSAUTH_OK);
    if (eksauth_awsauth_map(mini, p, &k8s, &err) == EKSAUTH_OK) {
        /* Never another principal's entry: its key is this ARN's, or this account. */
        FUZZ_ASSERT(k8s.entry != NULL && k8s.entry->key != NULL);
        FUZZ_ASSERT(strcmp(k8s.entry->key,
                           k8s.source == EKSAUTH_SRC_MAPACCOUNTS ? arn.account : arn.key) == 0);
        eksauth_k8s_identity_free(&k8s);
    } else {
        fuzz_check_message(err.msg);
    }
    eksauth_login_index_view(ix, db, 1767225600u, NULL, &view);
    if (eksauth_identity_resolve_view(cfg, mini, &view, NULL, p, NULL, &id, &err) == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_names_valid(id.login));
        FUZZ_ASSERT(id.uid != 0 && id.gid != 0);
        eksauth_identity_free(&id);
    } else {
        fuzz_check_message(err.msg);
    }
    eksauth_awsauth_free(mini);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_login_index *ix = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_config cfg;
    char *copy = fuzz_dup(data, size); /* on the heap: ASan sees a read past the end */
    size_t i;

    if (copy == NULL)
        return 0;
    eksauth_login_index_reseal(copy, size);
    if (eksauth_config_init(&cfg, NULL) != EKSAUTH_OK)
        goto out;
    db = empty_db();
    if (db != NULL && eksauth_login_index_open_mem(copy, size, &ix, NULL) == EKSAUTH_OK) {
        for (i = 0; i < sizeof(principals) / sizeof(principals[0]); i++) {
            struct eksauth_principal p = {
                principals[i][0], "", "", principals[i][1], "", NULL, NULL};

            one(ix, &cfg, db, &p);
        }
    }
    eksauth_login_index_close(ix);
    eksauth_iddb_close(db);
    eksauth_config_free(&cfg);
out:
    free(copy);
    return 0;
}
