/*
 * fuzz_kubeconfig.c - libFuzzer target: the client's reading of the
 * person's kubeconfig (lib/kubeconfig.c) and of the exec: section of the
 * user kubectl would run (lib/exec_identity.c), as eksauth askpass,
 * login-name and ssh read them.  The input is one to three kubeconfig
 * files, split at a line "#--" (a YAML comment: a seed of one file is a
 * plain kubeconfig), merged as KUBECONFIG's files are; then the entry of a
 * cluster is chosen (the fixed "prod", and a name the input spells after
 * "cluster/", as a host's prompt may name any cluster id) with no region
 * and with a region the input spells after ":eks:", and whom kubectl signs
 * as for it is read.  Every user's exec: section is also read on its own.
 *
 * Promises checked (kubeconfig.h, exec_identity.h): an entry names the
 * cluster, a name is kept once (the first file wins), the current context
 * is named by the first file that names one and is the first file's of
 * that name, and when its cluster is an entry of the region its user is
 * whom kubectl signs as (no one when client-go refuses that cluster); a choice is an entry of the
 * region; what is taken from an exec section is a role that parses as an IAM role ARN, a profile of
 * the allowed alphabet, and AWS_[A-Z0-9_]+ variables (at most EKSAUTH_EXEC_ENV_MAX, once each)
 * whose values have no control byte, all of it as the section wrote it, and nothing from a command
 * not followed; a refusal is one line naming the file and leaves the identity empty; a cluster's
 * proxy-url and tls-server-name route its requests as check_routes says; and everything frees
 * cleanly (LeakSanitizer).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/audience.h"
#include "eksauth/exec_identity.h"
#include "eksauth/kubeconfig.h"
#include "eksauth/printable.h"
#include "fuzz.h"

#define MAX_FILES 3
#define MAX_USERS 32 /* users whose exec: section is read on its own */
#define FILE_SEP  "\n#--\n"

static const char *const paths[MAX_FILES] = {"/home/fuzz/.kube/config", "/home/fuzz/.kube/dev",
                                             "/etc/kube/shared"};

/* Whether the string s ends inside its buffer of len bytes. */
static bool terminated(const char *s, size_t len)
{
    return memchr(s, '\0', len) != NULL;
}

static bool is_path(const char *from)
{
    for (size_t i = 0; i < MAX_FILES; i++) {
        if (strcmp(from, paths[i]) == 0)
            return true;
    }
    return false;
}

/* A refusal names the file it is about. */
static void check_refusal(const struct eksauth_error *err)
{
    bool named = false;

    fuzz_check_message(err->msg);
    for (size_t i = 0; i < MAX_FILES; i++)
        named = named || strstr(err->msg, paths[i]) != NULL;
    FUZZ_ASSERT(named);
}

/* A kubeconfig user's exec: section as kubeconfig.c hands it out. */
static void check_exec(const struct eksauth_kube_exec *e)
{
    if (e->command == NULL) {
        FUZZ_ASSERT(e->n_args == 0 && e->n_env == 0 && e->problem == NULL);
        return;
    }
    FUZZ_ASSERT(e->n_args == 0 || e->args != NULL);
    for (size_t i = 0; i < e->n_args; i++)
        FUZZ_ASSERT(e->args[i] != NULL);
    FUZZ_ASSERT(e->n_env == 0 || (e->env_names != NULL && e->env_values != NULL));
    for (size_t i = 0; i < e->n_env; i++)
        FUZZ_ASSERT(e->env_names[i] != NULL && e->env_values[i] != NULL);
}

/* Whether e's args or env gave value v: an argument, or what follows '=' or a short option. */
static bool in_section(const struct eksauth_kube_exec *e, const char *v)
{
    size_t n = strlen(v);

    for (size_t i = 0; i < e->n_args; i++) {
        size_t a = strlen(e->args[i]);

        if (a >= n && strcmp(e->args[i] + a - n, v) == 0)
            return true;
    }
    for (size_t i = 0; i < e->n_env; i++) {
        if (strcmp(e->env_values[i], v) == 0)
            return true;
    }
    return false;
}

/* The value the last env entry of e named name gives, or NULL. */
static const char *last_env(const struct eksauth_kube_exec *e, const char *name, size_t len)
{
    const char *v = NULL;

    for (size_t i = 0; i < e->n_env; i++) {
        if (strlen(e->env_names[i]) == len && strncmp(e->env_names[i], name, len) == 0)
            v = e->env_values[i];
    }
    return v;
}

/* One "AWS_NAME=value" of an identity's env. */
static void check_env_entry(const struct eksauth_exec_identity *id, size_t k)
{
    const char *s = id->env[k], *eq = strchr(s, '=');
    size_t len;

    FUZZ_ASSERT(eq != NULL && strncmp(s, "AWS_", 4) == 0 && eq - s > 4);
    len = (size_t)(eq - s);
    FUZZ_ASSERT(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len);
    FUZZ_ASSERT(strlen(eq + 1) <= EKSAUTH_EXEC_ENV_VALUE_MAX);
    for (const char *p = eq + 1; *p != '\0'; p++)
        FUZZ_ASSERT((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
    /* Each variable once: the last of the section's wins. */
    for (size_t j = 0; j < k; j++)
        FUZZ_ASSERT(strncmp(id->env[j], s, len + 1) != 0);
    FUZZ_ASSERT(eksauth_exec_identity_env(id, "AWS_PROFILE") == NULL ||
                eksauth_exec_profile_valid(eksauth_exec_identity_env(id, "AWS_PROFILE")));
    FUZZ_ASSERT(eksauth_exec_identity_env(id, "AWS_DEFAULT_PROFILE") == NULL ||
                eksauth_exec_profile_valid(eksauth_exec_identity_env(id, "AWS_DEFAULT_PROFILE")));
}

/*
 * What an accepted identity promises; e, when known, is the section it was
 * read from (its values are taken as written, never another's).
 */
static void check_identity(const struct eksauth_exec_identity *id,
                           const struct eksauth_kube_exec *e)
{
    char what[256];

    FUZZ_ASSERT(id->kind >= EKSAUTH_EXEC_NONE && id->kind <= EKSAUTH_EXEC_OTHER);
    FUZZ_ASSERT(terminated(id->command, sizeof(id->command)) && eksauth_is_printable(id->command));
    FUZZ_ASSERT(terminated(id->from, sizeof(id->from)));
    FUZZ_ASSERT(terminated(id->role_arn, sizeof(id->role_arn)));
    FUZZ_ASSERT(terminated(id->profile, sizeof(id->profile)));
    FUZZ_ASSERT(id->role_arn[0] == '\0' || eksauth_exec_role_arn_valid(id->role_arn));
    FUZZ_ASSERT(id->profile[0] == '\0' || eksauth_exec_profile_valid(id->profile));
    FUZZ_ASSERT(id->n_env <= EKSAUTH_EXEC_ENV_MAX);
    FUZZ_ASSERT(id->n_env == 0 || id->env != NULL);
    /* A command not followed gives nothing: the person's own identity is used. */
    if (id->kind == EKSAUTH_EXEC_NONE || id->kind == EKSAUTH_EXEC_OTHER)
        FUZZ_ASSERT(!eksauth_exec_identity_applies(id) && id->n_env == 0);
    for (size_t k = 0; k < id->n_env; k++) {
        check_env_entry(id, k);
        if (e != NULL) {
            const char *eq = strchr(id->env[k], '=');
            const char *v = last_env(e, id->env[k], (size_t)(eq - id->env[k]));

            FUZZ_ASSERT(v != NULL && strcmp(v, eq + 1) == 0);
        }
    }
    if (e != NULL) {
        FUZZ_ASSERT(id->kind == EKSAUTH_EXEC_NONE || e->command != NULL);
        FUZZ_ASSERT(id->role_arn[0] == '\0' || in_section(e, id->role_arn));
        FUZZ_ASSERT(id->profile[0] == '\0' || in_section(e, id->profile));
    }
    FUZZ_ASSERT(eksauth_exec_identity_same(id, id));
    /* What messages say of it: one line, never a variable's value (not checked: may be short). */
    eksauth_exec_identity_describe(id, what, sizeof(what));
    FUZZ_ASSERT(terminated(what, sizeof(what)));
    for (size_t i = 0; what[i] != '\0'; i++)
        FUZZ_ASSERT((unsigned char)what[i] >= 0x20 && (unsigned char)what[i] != 0x7f);
}

/* A refused identity is left empty, as eksauth_exec_identity_free leaves it. */
static void check_empty(const struct eksauth_exec_identity *id)
{
    FUZZ_ASSERT(id->kind == EKSAUTH_EXEC_NONE);
    FUZZ_ASSERT(id->env == NULL && id->n_env == 0);
    FUZZ_ASSERT(id->role_arn[0] == '\0' && id->profile[0] == '\0');
    FUZZ_ASSERT(!eksauth_exec_identity_applies(id));
}

/* The context of a named name (NULL: "", kubectl's current context when none is set), or NULL. */
static const struct eksauth_kubeconfig_context *
context_named(const struct eksauth_kubeconfig_auth *a, const char *name)
{
    if (name == NULL)
        name = "";
    for (size_t i = 0; i < a->n_contexts; i++) {
        if (strcmp(a->contexts[i].name, name) == 0)
            return &a->contexts[i];
    }
    return NULL;
}

/* The entries and the contexts and users a scan hands out. */
static void check_scan(const struct eksauth_kubeconfig_entry *v, size_t n, const char *cluster,
                       const struct eksauth_kubeconfig_auth *a)
{
    const struct eksauth_kubeconfig_context *cur = context_named(a, a->current_context);

    for (size_t i = 0; i < n; i++) {
        FUZZ_ASSERT(v[i].name != NULL && v[i].from != NULL && is_path(v[i].from));
        FUZZ_ASSERT(eksauth_kubeconfig_names(v[i].name, cluster));
        /* A relative certificate-authority is made absolute against the (absolute) file. */
        FUZZ_ASSERT(v[i].ca_file == NULL || v[i].ca_file[0] == '/');
        for (size_t j = 0; j < i; j++)
            FUZZ_ASSERT(strcmp(v[i].name, v[j].name) != 0);
    }
    for (size_t i = 0; i < a->n_contexts; i++) {
        const struct eksauth_kubeconfig_context *c = &a->contexts[i];

        FUZZ_ASSERT(c->name != NULL && c->from != NULL && is_path(c->from));
        for (size_t j = 0; j < i; j++)
            FUZZ_ASSERT(strcmp(c->name, a->contexts[j].name) != 0);
    }
    /* The current cluster is the merged current context's (the first file to define it). */
    FUZZ_ASSERT(a->current_context == NULL || a->current_context[0] != '\0');
    FUZZ_ASSERT(eksauth_kubeconfig_current_cluster(a) == (cur != NULL ? cur->cluster : NULL));
    for (size_t i = 0; i < a->n_users; i++) {
        FUZZ_ASSERT(a->users[i].name != NULL && a->users[i].from != NULL);
        FUZZ_ASSERT(is_path(a->users[i].from));
        for (size_t j = 0; j < i; j++)
            FUZZ_ASSERT(strcmp(a->users[i].name, a->users[j].name) != 0);
        check_exec(&a->users[i].exec);
    }
}

/*
 * Whether client-go's validation refuses cluster e before any plugin runs
 * (no server, both CA fields, insecure-skip-tls-verify beside a CA).
 */
static bool kubectl_refuses(const struct eksauth_kubeconfig_entry *e)
{
    bool data = eksauth_kubeconfig_ca_data_given(e), file = e->ca_file != NULL;

    return e->server == NULL || e->server[0] == '\0' || (data && file) ||
           (e->insecure && (data || file));
}

static bool followed(enum eksauth_exec_kind kind)
{
    return kind != EKSAUTH_EXEC_NONE && kind != EKSAUTH_EXEC_OTHER;
}

/* Whether entry e is one a choice in region may take (an ARN of another region is not). */
static bool in_region(const struct eksauth_kubeconfig_entry *e, const char *region)
{
    const char *r = strstr(e->name, ":eks:"), *end;

    if (region == NULL || strncmp(e->name, "arn:", 4) != 0 || r == NULL)
        return true;
    r += 5;
    end = strchr(r, ':');
    return end == NULL || end == r ||
           ((size_t)(end - r) == strlen(region) && strncmp(r, region, strlen(region)) == 0);
}

/* Whether the identity came from one of a's users (the one of the chosen context). */
static bool from_some_user(const struct eksauth_kubeconfig_auth *a, const char *value)
{
    for (size_t i = 0; i < a->n_users; i++) {
        if (a->users[i].exec.command != NULL && in_section(&a->users[i].exec, value))
            return true;
    }
    return false;
}

/*
 * What the user of context c gives on its own (eksauth_exec_identity_read;
 * no user: nothing to follow), into *ref; its status.
 */
static enum eksauth_status user_identity(const struct eksauth_kubeconfig_auth *a,
                                         const struct eksauth_kubeconfig_context *c,
                                         struct eksauth_exec_identity *ref)
{
    struct eksauth_error err;

    /* A context without user: has kubectl run the user named "". */
    for (size_t i = 0; i < a->n_users; i++) {
        if (strcmp(a->users[i].name, c->user != NULL ? c->user : "") == 0)
            return eksauth_exec_identity_read(&a->users[i].exec, "ref", ref, &err);
    }
    return eksauth_exec_identity_read(NULL, "ref", ref, &err);
}

static void choose(const struct eksauth_kubeconfig_entry *v, size_t n,
                   const struct eksauth_kubeconfig_auth *a, const char *cluster, const char *region)
{
    const char *current = eksauth_kubeconfig_current_cluster(a);
    const struct eksauth_kubeconfig_context *cur = context_named(a, a->current_context);
    struct eksauth_exec_identity id, ref;
    struct eksauth_error err;
    enum eksauth_status st, ref_st;
    size_t chosen = n, hits = 0;
    const struct eksauth_kubeconfig_entry *decides = NULL;

    for (size_t i = 0; i < n; i++)
        hits += in_region(&v[i], region);
    st = eksauth_kubeconfig_choose(v, n, cluster, current, region, &chosen, &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(chosen < n && in_region(&v[chosen], region));
        /* The current context's entry wins when it is one of the region. */
        for (size_t i = 0; current != NULL && i < n; i++) {
            if (strcmp(v[i].name, current) == 0 && in_region(&v[i], region))
                FUZZ_ASSERT(chosen == i);
        }
    } else {
        FUZZ_ASSERT(st == EKSAUTH_ENOTFOUND ? hits == 0 : st == EKSAUTH_EINVAL && hits > 1);
        for (size_t i = 0; current != NULL && i < n; i++)
            FUZZ_ASSERT(strcmp(v[i].name, current) != 0 || !in_region(&v[i], region));
        fuzz_check_message(err.msg);
    }

    /* Garbage in, to see it replaced. */
    memset(&id, 0xa5, sizeof(id));
    st = eksauth_kubeconfig_identity_choose(v, n, a, cluster, region, &id, &err);
    /* kubectl's own choice: the current context, when its cluster is an entry of the region. */
    for (size_t i = 0; cur != NULL && cur->cluster != NULL && i < n; i++)
        if (decides == NULL && strcmp(v[i].name, cur->cluster) == 0 && in_region(&v[i], region))
            decides = &v[i];
    if (decides != NULL) {
        ref_st = user_identity(a, cur, &ref);
        /* A followed section of a cluster kubectl refuses: kubectl runs nothing, so no token. */
        if (ref_st == EKSAUTH_OK && followed(ref.kind) && kubectl_refuses(decides))
            FUZZ_ASSERT(st == EKSAUTH_EINVAL);
        else
            FUZZ_ASSERT(st == ref_st);
        FUZZ_ASSERT(st != EKSAUTH_OK ||
                    (id.kind == ref.kind && eksauth_exec_identity_same(&id, &ref)));
        eksauth_exec_identity_free(&ref);
    }
    if (st == EKSAUTH_OK) {
        check_identity(&id, NULL);
        FUZZ_ASSERT(id.role_arn[0] == '\0' || from_some_user(a, id.role_arn));
        FUZZ_ASSERT(id.profile[0] == '\0' || from_some_user(a, id.profile));
        if (hits == 0)
            FUZZ_ASSERT(id.kind == EKSAUTH_EXEC_NONE);
    } else {
        check_refusal(&err);
        check_empty(&id);
    }
    eksauth_exec_identity_free(&id);
    check_empty(&id);
}

/* Every user's exec: section read on its own, as context_identity would read it. */
static void read_each(const struct eksauth_kubeconfig_auth *a)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    enum eksauth_status st;

    for (size_t i = 0; i < a->n_users && i < MAX_USERS; i++) {
        const struct eksauth_kube_exec *e = &a->users[i].exec;

        memset(&id, 0xa5, sizeof(id));
        st = eksauth_exec_identity_read(e, paths[0], &id, &err);
        FUZZ_ASSERT(strcmp(id.from, paths[0]) == 0);
        if (st == EKSAUTH_OK) {
            check_identity(&id, e);
            /* A malformed section of a command eksauth follows is never guessed at. */
            FUZZ_ASSERT(e->problem == NULL || id.kind == EKSAUTH_EXEC_OTHER);
        } else {
            check_refusal(&err);
            check_empty(&id);
        }
        eksauth_exec_identity_free(&id);
    }
}

/* What the input spells after its first `after`, up to a byte of stop, into out; else "". */
static void spelled(const char *text, const char *after, const char *stop, char *out, size_t outlen)
{
    const char *p = strstr(text, after);
    size_t len;

    out[0] = '\0';
    if (p == NULL)
        return;
    p += strlen(after);
    len = strcspn(p, stop);
    if (len == 0 || len >= outlen)
        return;
    memcpy(out, p, len);
    out[len] = '\0';
}

/*
 * Each entry's proxy-url and tls-server-name over its server
 * (eksauth_kube_target_route): taken, the request goes to https://NAME:...,
 * connected to the server's host, through a proxy of a scheme kubectl
 * takes, and nothing that reaches libcurl or a header holds a control byte
 * or a blank; refused, one clean line.
 */
static void check_routes(const struct eksauth_kubeconfig_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct eksauth_kube_target t;
        struct eksauth_error err;
        size_t len = v[i].server != NULL ? strlen(v[i].server) : 0;

        if (len < 8 || len >= sizeof(t.server) || strncmp(v[i].server, "https://", 8) != 0)
            continue;
        memset(&t, 0, sizeof(t));
        memcpy(t.server, v[i].server, len + 1);
        if (eksauth_kube_target_route(&t, v[i].proxy_url, v[i].tls_server_name, &err) !=
            EKSAUTH_OK) {
            fuzz_check_message(err.msg);
            continue;
        }
        FUZZ_ASSERT(strncmp(t.base, "https://", 8) == 0);
        FUZZ_ASSERT(eksauth_visible_ascii_len(t.connect_to, strlen(t.connect_to)) ||
                    t.connect_to[0] == '\0');
        FUZZ_ASSERT(strchr(t.host_header, '\r') == NULL && strchr(t.host_header, '\n') == NULL);
        if (v[i].tls_server_name != NULL) {
            size_t k = strlen(v[i].tls_server_name);

            FUZZ_ASSERT(strncmp(t.base + 8, v[i].tls_server_name, k) == 0 && t.base[8 + k] == ':');
            FUZZ_ASSERT(strncmp(t.connect_to, v[i].tls_server_name, k) == 0);
        } else {
            FUZZ_ASSERT(strcmp(t.base, t.server) == 0 && t.connect_to[0] == '\0');
        }
        FUZZ_ASSERT((v[i].proxy_url == NULL) == (t.proxy[0] == '\0'));
        FUZZ_ASSERT(t.proxy[0] == '\0' || strncmp(t.proxy, "http://", 7) == 0 ||
                    strncmp(t.proxy, "https://", 8) == 0 ||
                    strncmp(t.proxy, "socks5h://", 10) == 0);
    }
}

/* Scan the files (as scan_files does: the first one that fails ends it) for cluster, then choose.
 */
static void run(char *const *files, const size_t *lens, size_t n_files, const char *cluster,
                const char *region)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_kubeconfig_auth a;
    struct eksauth_error err;
    enum eksauth_status st = EKSAUTH_OK;
    char *again = NULL;
    bool named = false;
    size_t n = 0, n_again, n_contexts, n_users;

    memset(&a, 0, sizeof(a));
    for (size_t f = 0; st == EKSAUTH_OK && f < n_files; f++) {
        st = eksauth_kubeconfig_scan(files[f], lens[f], paths[f], cluster, &v, &n, &err);
        if (st == EKSAUTH_OK)
            st = eksauth_kubeconfig_scan_auth(files[f], lens[f], paths[f], &a, &err);
        if (st != EKSAUTH_OK) {
            FUZZ_ASSERT(st == EKSAUTH_EINVAL);
            fuzz_check_message(err.msg);
            FUZZ_ASSERT(strstr(err.msg, paths[f]) != NULL);
        }
    }
    if (st != EKSAUTH_OK)
        goto out;
    check_scan(v, n, cluster, &a);
    check_routes(v, n);
    choose(v, n, &a, cluster, NULL);
    if (region != NULL)
        choose(v, n, &a, cluster, region);
    read_each(&a);

    /* The current context's name is the first file's that sets one (each file read alone). */
    for (size_t f = 0; f < n_files && !named; f++) {
        struct eksauth_kubeconfig_auth alone;

        memset(&alone, 0, sizeof(alone));
        FUZZ_ASSERT(eksauth_kubeconfig_scan_auth(files[f], lens[f], paths[f], &alone, &err) ==
                    EKSAUTH_OK);
        named = alone.current_context != NULL;
        if (named)
            FUZZ_ASSERT(a.current_context != NULL &&
                        strcmp(a.current_context, alone.current_context) == 0);
        eksauth_kubeconfig_auth_free(&alone);
    }
    FUZZ_ASSERT(named || a.current_context == NULL);

    /* The first file again, under another name: everything in it is known already. */
    n_again = n;
    n_contexts = a.n_contexts;
    n_users = a.n_users;
    again = a.current_context;
    st = eksauth_kubeconfig_scan(files[0], lens[0], paths[MAX_FILES - 1], cluster, &v, &n, &err);
    FUZZ_ASSERT(st == EKSAUTH_OK && n == n_again);
    st = eksauth_kubeconfig_scan_auth(files[0], lens[0], paths[MAX_FILES - 1], &a, &err);
    FUZZ_ASSERT(st == EKSAUTH_OK && a.n_contexts == n_contexts && a.n_users == n_users);
    FUZZ_ASSERT(a.current_context == again);
out:
    eksauth_kubeconfig_auth_free(&a);
    eksauth_kubeconfig_entries_free(v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *files[MAX_FILES] = {NULL}, *text, derived[EKSAUTH_CLUSTER_ID_MAX + 1], region[64];
    size_t lens[MAX_FILES], n_files = 0, at = 0;

    /* The whole input as a string, for spelled(); each file an exact-size copy. */
    text = fuzz_dup(data, size);
    if (text == NULL)
        return 0;
    while (n_files < MAX_FILES) {
        const char *sep = memmem(data + at, size - at, FILE_SEP, strlen(FILE_SEP));
        size_t len = n_files < MAX_FILES - 1 && sep != NULL
                         ? (size_t)(sep - (const char *)data) - at
                         : size - at;

        files[n_files] = malloc(len > 0 ? len : 1);
        if (files[n_files] == NULL)
            goto out;
        memcpy(files[n_files], data + at, len);
        lens[n_files++] = len;
        if (len == size - at)
            break;
        at += len + strlen(FILE_SEP);
    }
    spelled(text, ":eks:", ":\"' \t\r\n,]}", region, sizeof(region));
    /* EKSAUTH_REGION is the person's own setting: a region's alphabet. */
    if (strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region))
        region[0] = '\0';
    run(files, lens, n_files, "prod", region[0] != '\0' ? region : NULL);
    /* A host's prompt may name any cluster id an audience carries (eksauth_audience_parse). */
    spelled(text, "cluster/", "\"' \t\r\n,]}", derived, sizeof(derived));
    if (derived[0] != '\0' && strcmp(derived, "prod") != 0 && eksauth_cluster_id_valid(derived))
        run(files, lens, n_files, derived, region[0] != '\0' ? region : NULL);
out:
    for (size_t i = 0; i < n_files; i++)
        free(files[i]);
    free(text);
    return 0;
}
