/*
 * id_policy.c - the host's side of eksauth's ids (see id_policy.h): its
 * own id ranges and ids, and the fleet's id key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/file.h"
#include "eksauth/id_policy.h"
#include "eksauth/idkey.h"

#define LOGIN_DEFS_MAX (64 * 1024)

const char eksauth_id_policy_unkeyed[] =
    "templated uids are predictable: anyone who can choose a session name can aim at a uid; "
    "create " EKSAUTH_ID_KEY_PATH " ((umask 077; head -c 32 /dev/urandom > " EKSAUTH_ID_KEY_PATH
    "): mode 0600 from the start), the same file on every host, then run eksauth sync";

/* One "KEY value" line's number into *out, when the line is KEY. */
static void defs_number(const char *line, const char *key, uint32_t *out)
{
    size_t n = strlen(key);
    char *end;
    unsigned long v;

    if (strncmp(line, key, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
        return;
    v = strtoul(line + n, &end, 10);
    if (end != line + n && v <= UINT32_MAX)
        *out = (uint32_t)v;
}

void eksauth_login_defs_parse(const char *text, size_t len, struct eksauth_login_defs *out)
{
    char line[256];
    size_t i = 0, n;

    /* shadow-utils' own defaults, for what the file does not set. */
    memset(out, 0, sizeof(*out));
    out->uid_min = out->gid_min = 1000;
    out->uid_max = out->gid_max = 60000;
    out->sys_uid_min = out->sys_gid_min = 101;
    out->sys_uid_max = out->sys_gid_max = 0; /* below: UID_MIN - 1 */
    out->sub_uid_min = out->sub_gid_min = 100000;
    out->sub_uid_max = out->sub_gid_max = 600100000;
    while (i < len) {
        for (n = 0; i < len && text[i] != '\n'; i++)
            if (n + 1 < sizeof(line))
                line[n++] = text[i];
        line[n] = '\0';
        i++;
        defs_number(line, "UID_MIN", &out->uid_min);
        defs_number(line, "UID_MAX", &out->uid_max);
        defs_number(line, "SYS_UID_MIN", &out->sys_uid_min);
        defs_number(line, "SYS_UID_MAX", &out->sys_uid_max);
        defs_number(line, "GID_MIN", &out->gid_min);
        defs_number(line, "GID_MAX", &out->gid_max);
        defs_number(line, "SYS_GID_MIN", &out->sys_gid_min);
        defs_number(line, "SYS_GID_MAX", &out->sys_gid_max);
        defs_number(line, "SUB_UID_MIN", &out->sub_uid_min);
        defs_number(line, "SUB_UID_MAX", &out->sub_uid_max);
        defs_number(line, "SUB_GID_MIN", &out->sub_gid_min);
        defs_number(line, "SUB_GID_MAX", &out->sub_gid_max);
    }
    if (out->sys_uid_max == 0)
        out->sys_uid_max = out->uid_min > 0 ? out->uid_min - 1 : 0;
    if (out->sys_gid_max == 0)
        out->sys_gid_max = out->gid_min > 0 ? out->gid_min - 1 : 0;
}

static bool overlaps(uint32_t a_lo, uint32_t a_hi, uint32_t b_lo, uint32_t b_hi)
{
    return a_lo <= b_hi && b_lo <= a_hi;
}

enum eksauth_status eksauth_id_policy_range(uint32_t id_min, uint32_t id_max,
                                            const struct eksauth_login_defs *defs,
                                            const uint32_t *local_ids, size_t n_local,
                                            struct eksauth_strlist *findings,
                                            struct eksauth_error *err)
{
    uint32_t lo = defs->sys_uid_min < defs->sys_gid_min ? defs->sys_uid_min : defs->sys_gid_min;
    uint32_t hi = defs->uid_max > defs->gid_max ? defs->uid_max : defs->gid_max;
    uint32_t sub_lo = defs->sub_uid_min < defs->sub_gid_min ? defs->sub_uid_min : defs->sub_gid_min;
    uint32_t sub_hi = defs->sub_uid_max > defs->sub_gid_max ? defs->sub_uid_max : defs->sub_gid_max;
    enum eksauth_status st = EKSAUTH_OK;
    size_t i, inside = 0;
    uint32_t first = 0;

    /* Users and groups share eksauth's one range: both of the host's ranges count. */
    if (overlaps(id_min, id_max, defs->sys_uid_min, defs->uid_max) ||
        overlaps(id_min, id_max, defs->sys_gid_min, defs->gid_max))
        st = eksauth_strlist_addf(findings, err,
                                  "uid_min..uid_max (%u-%u) overlaps the ids useradd and groupadd "
                                  "give (/etc/login.defs: %u-%u): a local account made later may "
                                  "get an id eksauth gave; set uid_min above %u",
                                  id_min, id_max, lo, hi, hi);
    /*
     * useradd gives each new account a block of subordinate ids, which it
     * can act as in a user namespace of its own (newuidmap): an eksauth id
     * in such a block is that local account's to read, write and signal.
     */
    if (st == EKSAUTH_OK && (overlaps(id_min, id_max, defs->sub_uid_min, defs->sub_uid_max) ||
                             overlaps(id_min, id_max, defs->sub_gid_min, defs->sub_gid_max)))
        st = eksauth_strlist_addf(
            findings, err,
            "uid_min..uid_max (%u-%u) overlaps the subordinate ids useradd gives (/etc/login.defs: "
            "%u-%u, written to /etc/subuid and /etc/subgid): a local account's user namespace "
            "could act as an eksauth user; set uid_min above %u",
            id_min, id_max, sub_lo, sub_hi, sub_hi);
    for (i = 0; i < n_local; i++) {
        if (local_ids[i] >= id_min && local_ids[i] <= id_max && inside++ == 0)
            first = local_ids[i];
    }
    if (st == EKSAUTH_OK && inside > 0)
        st = eksauth_strlist_addf(findings, err,
                                  "uid_min..uid_max (%u-%u) holds local uids or gids (%zu, e.g. "
                                  "%u): eksauth never gives them, and a templated login that lands "
                                  "on one is refused; move the range clear of the local ids",
                                  id_min, id_max, inside, first);
    return st;
}

enum eksauth_status eksauth_id_policy_subordinate(uint32_t id_min, uint32_t id_max,
                                                  const struct eksauth_id_range *subs,
                                                  size_t n_subs, struct eksauth_strlist *findings,
                                                  struct eksauth_error *err)
{
    size_t i, inside = 0, first = 0;

    for (i = 0; i < n_subs; i++) {
        if (overlaps(id_min, id_max, subs[i].lo, subs[i].hi) && inside++ == 0)
            first = i;
    }
    if (inside == 0)
        return EKSAUTH_OK;
    /* Held like local ids (lib/hostfiles.c): say so, or templated logins fail unexplained. */
    return eksauth_strlist_addf(findings, err,
                                "uid_min..uid_max (%u-%u) holds subordinate ids of local accounts "
                                "(/etc/subuid, /etc/subgid: %zu block%s, e.g. %u-%u), which they "
                                "act as in user namespaces of their own: eksauth never gives them, "
                                "and a templated login that lands on one is refused; move the "
                                "range clear of them",
                                id_min, id_max, inside, inside == 1 ? "" : "s", subs[first].lo,
                                subs[first].hi);
}

enum eksauth_status eksauth_id_policy_warnings(struct eksauth_ctx *ctx, size_t n_templates,
                                               const char *login_defs_path,
                                               struct eksauth_strlist *warnings,
                                               struct eksauth_error *err)
{
    const struct eksauth_host *host;
    struct eksauth_login_defs defs;
    struct eksauth_error ferr;
    const char *nss_key = NULL;
    enum eksauth_status st;
    char *text = NULL;
    size_t len = 0;

    st = eksauth_ctx_local_names(ctx, &host, err);
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_id_key(ctx, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Only the ranges are read from it: a missing or odd file leaves shadow-utils' defaults. */
    if (eksauth_file_read(login_defs_path != NULL ? login_defs_path : EKSAUTH_LOGIN_DEFS_PATH,
                          LOGIN_DEFS_MAX, false, &text, &len, &ferr) != EKSAUTH_OK)
        len = 0;
    eksauth_login_defs_parse(text != NULL ? text : "", len, &defs);
    free(text);
    st = eksauth_id_policy_range(ctx->cfg.uid_min, ctx->cfg.uid_max, &defs, ctx->local.ids,
                                 ctx->local.n_ids, warnings, err);
    if (st == EKSAUTH_OK)
        st = eksauth_id_policy_subordinate(ctx->cfg.uid_min, ctx->cfg.uid_max, ctx->local.subs,
                                           ctx->local.n_subs, warnings, err);
    if (st == EKSAUTH_OK && n_templates > 0 && !ctx->cfg.id_key_set)
        st = eksauth_strlist_add(warnings, eksauth_id_policy_unkeyed, err);
    /*
     * The NSS module reads no config: a key elsewhere, or an EKSAUTH_ID_KEY
     * it refuses, leaves it without one (fail closed).
     */
    if (st != EKSAUTH_OK || !ctx->cfg.id_key_set || ctx->cfg.id_key_file == NULL)
        return st;
    if (eksauth_idkey_default_path(&nss_key, &ferr) != EKSAUTH_OK)
        return eksauth_strlist_addf(warnings, err,
                                    "id_key_file is %s, but the NSS module reads no key (%s): it "
                                    "answers no templated name",
                                    ctx->cfg.id_key_file, ferr.msg);
    if (strcmp(ctx->cfg.id_key_file, nss_key) != 0)
        st = eksauth_strlist_addf(warnings, err,
                                  "id_key_file is %s, but the NSS module reads %s: it answers no "
                                  "templated name until the key is there too",
                                  ctx->cfg.id_key_file, nss_key);
    return st;
}
