/*
 * mapping.h - the mapping a login, a check or a sync decides with: one
 * aws-auth document, read from this host's source with one size cap
 * (EKSAUTH_AWSAUTH_MAX) and one trust rule (context.h), parsed
 * (awsauth.h) and planned for this host (identity.h) with the ids the
 * identity DB has already given.
 *
 * The source of a login: the file named on the command line, else the
 * snapshot `eksauth sync` keeps beside the identity DB it wrote from it
 * (snapshot.h), whatever the configured source: a login, NSS and the
 * account stage decide from one sync, and an edit of aws_auth_file counts
 * once a sync has applied it.
 */
#ifndef EKSAUTH_MAPPING_H
#define EKSAUTH_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/awsauth.h"
#include "eksauth/context.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"
#include "eksauth/imds.h"
#include "eksauth/login_index.h"
#include "eksauth/login_index_fit.h"
#include "eksauth/paths.h"
#include "eksauth/snapshot.h"
#include "eksauth/status.h"

struct eksauth_mapping {
    char source[EKSAUTH_PATH_MAX + 64]; /* where the document came from, for messages */
    struct eksauth_awsauth *aa;
    struct eksauth_plan plan;
    /*
     * Through the last sync's login index (eksauth_mapping_load_indexed):
     * plan stays empty, and aa holds only the entries of the principal
     * eksauth_mapping_resolve was last given.  db: the identity DB the
     * index's answers ask for ids (borrowed from the context).
     */
    struct eksauth_login_index *index;
    const struct eksauth_iddb *db;
    /*
     * A login that asked for the index and mapped with the whole snapshot
     * instead: which condition failed (login_index_fit.h) and its message,
     * for the operator (pam_eksauth logs it).  EKSAUTH_LOGIN_INDEX_FITS and
     * no message otherwise.
     */
    enum eksauth_login_index_fit index_fit;
    struct eksauth_error index_unfit;
    /*
     * The instance the plan binds {{EC2PrivateDNSName}} to, as the
     * snapshot's state keeps it ("<instance id> <private DNS name>",
     * EKSAUTH_SNAPSHOT_HOST_UNKNOWN, or "" when no served template needs
     * it).  host_given: the sync's (eksauth_mapping_plan_instance), or read
     * from the state of the snapshot mapped (eksauth_mapping_load), so a
     * login plans as the sync did; otherwise eksauth_mapping_plan fills it.
     */
    char host[EKSAUTH_SNAPSHOT_HOST_MAX];
    bool host_given;
    /*
     * The last eksauth_mapping_resolve was refused because the principal's
     * entry needs this host's own instance and instance metadata did not
     * give it: the host could not check (an outage), which is not the
     * person's mapping refused (login.c tells them so).
     */
    bool instance_unknown;
    /*
     * ... and instance metadata answered, with a value the cluster would
     * not render (a VPC's DHCP domain-name, lib/imds.c): the host's setup,
     * which waiting does not mend.
     */
    bool instance_misnamed;
};

/*
 * The ids db has given, as seeds of a plan (an id never changes once
 * given): every user's uid, the gid of every group that is neither a
 * user's private group (DBs before version 3: its gid is the user's uid,
 * already a seed, and its name is the login's: as a group seed it would
 * hand that uid to a k8s group of the same name) nor a local group
 * (group_map: the host's gid), and the id of every tombstone that lasts
 * beyond now under its removed name (so no other name gets it), held
 * (identity.h) when that name is in db again: the id stays the removed
 * one's until the tombstone ends, whatever its name does.  db may be
 * NULL (no seeds).  The names point into db: keep it open while the seeds
 * are used; free(*seeds).
 */
enum eksauth_status eksauth_mapping_seeds(const struct eksauth_iddb *db, uint64_t now,
                                          struct eksauth_id_seed **seeds, size_t *n,
                                          struct eksauth_error *err);

/*
 * Read the aws-auth document of this host's file source (path overrides
 * it) into *data (free it) and name it in label: what a sync applies.
 * EKSAUTH_EINVAL when no file is configured (a cluster source is fetched:
 * eksauth_mapping_fetch); file errors as file.h gives them, and a file of
 * root's that another user may not read says to run as root.
 */
enum eksauth_status eksauth_mapping_read(struct eksauth_ctx *ctx, const char *path, char **data,
                                         size_t *len, char label[EKSAUTH_PATH_MAX + 64],
                                         struct eksauth_error *err);

/*
 * Parse data[0..len) (named label) into m->aa (m is zeroed first); errors
 * are prefixed with label.
 */
enum eksauth_status eksauth_mapping_parse(const char *label, const char *data, size_t len,
                                          struct eksauth_mapping *m, struct eksauth_error *err);

/*
 * Plan m->aa for this host with the ids db gave (db may be NULL), the
 * host's local names and ids, the fleet's id key (eksauth_ctx_id_key) and
 * the name {{EC2PrivateDNSName}} renders here: m->host's when
 * m->host_given, else (a file or the source named on the command line)
 * the one the last sync bound, from the snapshot's state, when a served
 * template holds it; never instance metadata.  Unknown, or a host that
 * does not read "<instance id> <DNS name>", the plan takes it for any DNS
 * name (identity.h).
 */
enum eksauth_status eksauth_mapping_plan(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                         struct eksauth_mapping *m, struct eksauth_error *err);

/*
 * This host's instance, read once per context (imds.h), as the state of a
 * snapshot keeps it (m->host): "<instance id> <private DNS name>", or
 * EKSAUTH_SNAPSHOT_HOST_UNKNOWN when instance metadata does not answer.
 */
void eksauth_mapping_instance_line(struct eksauth_ctx *ctx, char out[EKSAUTH_SNAPSHOT_HOST_MAX]);

/*
 * The sync's binding, before eksauth_mapping_plan: when a template hosts
 * serve holds {{EC2PrivateDNSName}}, this host's instance
 * (eksauth_mapping_instance_line) into m->host; else "".  m->host_given.
 */
void eksauth_mapping_plan_instance(struct eksauth_ctx *ctx, struct eksauth_mapping *m);

/*
 * eksauth_mapping_parse then eksauth_mapping_plan: parse data[0..len) (named label) and plan it for
 * this host, with the ids db gave (db may be NULL).  Errors are prefixed with label.
 */
enum eksauth_status eksauth_mapping_build(struct eksauth_ctx *ctx, const char *label,
                                          const char *data, size_t len,
                                          const struct eksauth_iddb *db, struct eksauth_mapping *m,
                                          struct eksauth_error *err);

/*
 * The mapping of path (a file named on the command line), else of the
 * snapshot db was written from (EKSAUTH_EUNAVAIL without db, without a
 * snapshot, or with one of a later sync: snapshot.h), built with db's ids.
 */
enum eksauth_status eksauth_mapping_load(struct eksauth_ctx *ctx, const char *path,
                                         const struct eksauth_iddb *db, struct eksauth_mapping *m,
                                         struct eksauth_error *err);

/*
 * The mapping of the snapshot db was written from, through the login index
 * the same sync wrote (login_index.h), when eksauth_login_index_fit says it
 * fits with this host's inputs now (config, id key, local accounts:
 * snapshot.h).  Otherwise EKSAUTH_ENOTFOUND, *fit says which condition
 * failed and err->msg why and what to do, and the caller maps with the
 * whole snapshot (eksauth_mapping_load), which decides the same, slower.
 * EKSAUTH_ENOMEM when memory ran out.  db must outlive m.
 */
enum eksauth_status eksauth_mapping_load_indexed(struct eksauth_ctx *ctx,
                                                 const struct eksauth_iddb *db,
                                                 struct eksauth_mapping *m,
                                                 enum eksauth_login_index_fit *fit,
                                                 struct eksauth_error *err);

/*
 * The mapping of the configured source as it is now: the file, or the
 * cluster's API read at this moment (not the snapshot): what `eksauth
 * whoami` shows.
 */
enum eksauth_status eksauth_mapping_fetch(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                          struct eksauth_mapping *m, struct eksauth_error *err);

/*
 * Before mapping p through aa: when p's entry renders
 * {{EC2PrivateDNSName}} (eksauth_awsauth_needs_host_instance), read this
 * host's instance from instance metadata into *inst (once: inst caches the
 * answer or the failure; zero it before the first call) and point p's
 * self_instance_id and self_private_dns_name at it.  Otherwise nothing is
 * read, so logins that do not need it never wait for instance metadata.
 * A failed read is EKSAUTH_EREJECTED naming the placeholder and the cause:
 * the login that needs it is refused, no other (eksauth_mapping_resolve
 * then sets m->instance_unknown).
 */
enum eksauth_status eksauth_mapping_bind_principal_instance(const char *endpoint,
                                                            const struct eksauth_awsauth *aa,
                                                            struct eksauth_principal *p,
                                                            struct eksauth_host_instance *inst,
                                                            struct eksauth_error *err);

/*
 * p's identity on this host under m (identity.h), with this host's own
 * instance bound into p first when p's entry renders {{EC2PrivateDNSName}}
 * (read once per context).  user_id may be NULL.  Through a login index, a
 * record that does not check makes m the whole snapshot's mapping
 * (eksauth_mapping_load; m->index_fit then says the index is damaged) and
 * p is resolved again with it: a broken index never decides.
 */
enum eksauth_status eksauth_mapping_resolve(struct eksauth_ctx *ctx, struct eksauth_mapping *m,
                                            struct eksauth_principal *p, const char *user_id,
                                            struct eksauth_identity *out,
                                            struct eksauth_error *err);

void eksauth_mapping_free(struct eksauth_mapping *m);

#endif
