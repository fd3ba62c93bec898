/*
 * id_policy.h - whether this host's eksauth ids stay clear of its own ids
 * and cannot be aimed (docs/names-and-ids.md, "Ids"): the id range against
 * /etc/login.defs (the ranges useradd and groupadd give from, subordinate
 * ids included) and against the ids local accounts and groups hold (their
 * blocks of subordinate ids too), and the fleet's id key.  What
 * `eksauth sync` warns about and `eksauth doctor` reports.
 */
#ifndef EKSAUTH_ID_POLICY_H
#define EKSAUTH_ID_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/context.h"
#include "eksauth/hostfiles.h"
#include "eksauth/status.h"
#include "eksauth/strlist.h"

#define EKSAUTH_LOGIN_DEFS_PATH "/etc/login.defs"

/*
 * The id ranges of /etc/login.defs; keys it does not set have shadow-utils'
 * defaults.  sub_*: where useradd takes each new account's block of
 * subordinate ids (/etc/subuid, /etc/subgid), ids its owner can act as in a
 * user namespace of its own.
 */
struct eksauth_login_defs {
    uint32_t uid_min, uid_max, sys_uid_min, sys_uid_max;
    uint32_t gid_min, gid_max, sys_gid_min, sys_gid_max;
    uint32_t sub_uid_min, sub_uid_max, sub_gid_min, sub_gid_max;
};

/*
 * Parse login.defs text (UID_MIN, UID_MAX, SYS_UID_MIN, ..., SUB_UID_MIN,
 * SUB_UID_MAX, SUB_GID_MIN, SUB_GID_MAX lines; the rest ignored).  Pure.
 */
void eksauth_login_defs_parse(const char *text, size_t len, struct eksauth_login_defs *out);

/*
 * Findings about the range [id_min, id_max]: overlaps with the ranges of
 * defs (local accounts made later could get an id eksauth gave, or
 * subordinate ids over one), and the local ids (sorted) inside it (names
 * landing on them are refused), each one line with what to do.  Pure.
 */
enum eksauth_status eksauth_id_policy_range(uint32_t id_min, uint32_t id_max,
                                            const struct eksauth_login_defs *defs,
                                            const uint32_t *local_ids, size_t n_local,
                                            struct eksauth_strlist *findings,
                                            struct eksauth_error *err);

/*
 * The finding (at most one line, with what to do) when blocks of
 * subordinate ids (subs, as lib/hostfiles.c reads /etc/subuid and
 * /etc/subgid) lie inside [id_min, id_max]: eksauth holds them as local
 * ids, so a templated login landing on one is refused.  Pure.
 */
enum eksauth_status eksauth_id_policy_subordinate(uint32_t id_min, uint32_t id_max,
                                                  const struct eksauth_id_range *subs,
                                                  size_t n_subs, struct eksauth_strlist *findings,
                                                  struct eksauth_error *err);

/*
 * The warnings of a sync: the range against login_defs_path (NULL:
 * EKSAUTH_LOGIN_DEFS_PATH; a missing file: shadow-utils' defaults), the
 * local ids and the delegated subordinate ids; with templates served and
 * no id key, that templated uids can be aimed; an id_key_file other than
 * the one the NSS module reads.
 */
enum eksauth_status eksauth_id_policy_warnings(struct eksauth_ctx *ctx, size_t n_templates,
                                               const char *login_defs_path,
                                               struct eksauth_strlist *warnings,
                                               struct eksauth_error *err);

/* The warning of an unkeyed host with templates (one line, with how to make the key). */
extern const char eksauth_id_policy_unkeyed[];

#endif
