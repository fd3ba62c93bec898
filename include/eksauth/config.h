/*
 * config.h - /etc/eksauth/eksauth.conf: "key = value" lines, '#' comments.
 * An unknown key, a bad value, a repeated single-valued key or a missing
 * cluster_id (unless EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL) is an error naming
 * file:line.  Parsing is pure; loading checks
 * that the file is root-owned and not group- or world-writable.
 */
#ifndef EKSAUTH_CONFIG_H
#define EKSAUTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/names.h"
#include "eksauth/status.h"

/*
 * Days the id of a removed user stays held by default: half a year, long
 * enough for the files it left (homes, /tmp, shared and backed-up volumes)
 * to be found and cleaned up, as the ids it holds are few against the range.
 */
#define EKSAUTH_TOMBSTONE_DAYS 180u

enum eksauth_source {
    EKSAUTH_SOURCE_FILE,
    EKSAUTH_SOURCE_KUBERNETES,
    EKSAUTH_SOURCE_EKS_API,
    EKSAUTH_SOURCE_KUBERNETES_EKS_API,
    /* The sources the cluster's accessConfig.authenticationMode says, read at each sync. */
    EKSAUTH_SOURCE_AUTO,
};

/* Pairs from the repeatable keys group_map and user_map: "key = FROM TO" (two words). */
struct eksauth_name_map {
    char *from;
    char *to;
};

/*
 * Recorded templated logins idle this long are dropped by sync: long enough
 * for a holiday or a quarter's on-call, short enough that a departed
 * engineer's account does not linger (docs/names-and-ids.md).
 */
#define EKSAUTH_LOGIN_IDLE_DAYS 90

struct eksauth_config {
    char *cluster_id;         /* required: the x-k8s-aws-id the tokens are bound to */
    char *partition;          /* "aws" */
    char *region;             /* NULL: from the token */
    long sts_connect_timeout; /* seconds, 3 */
    long sts_timeout;         /* seconds, 10 */
    char *sts_connect_to;     /* libcurl CONNECT_TO "host:port:addr:port" */
    char *sts_ca_file;
    char *https_proxy;
    /*
     * Not a file setting: the client (the person's own process, never PAM
     * or a setuid program) takes HTTPS_PROXY and NO_PROXY from its
     * environment, as the AWS CLI and kubectl do (http.h).
     */
    bool proxy_from_env;
    char **sts_hosts;    /* extra exact STS host names (VPC endpoints); NULL-terminated */
    long max_clock_skew; /* seconds, 300 */
    /*
     * The name in this host's audience, "eksauth:<cluster_id>:<host_name>"
     * (audience.h); NULL: the host's own name (gethostname).
     */
    char *host_name;
    /*
     * Also accept a plain cluster token (minted for cluster_id itself, a
     * live credential for the cluster's API): off by default, since every
     * login would hand this host the user's cluster access.
     */
    bool accept_cluster_tokens;
    /*
     * A login recorded from a template that has not logged in for this many
     * days is removed by the next sync (its next login records it again);
     * 0: never.  EKSAUTH_LOGIN_IDLE_DAYS by default.
     */
    long login_idle_days;
    bool single_use;
    enum eksauth_source source;
    char *aws_auth_file;
    char *cluster_name;
    char *cluster_endpoint;
    char *cluster_ca_file;
    char *cluster_ca_data;
    char *imds_endpoint;
    char *eks_connect_to; /* libcurl CONNECT_TO for eks.<region>.<domain> (VPC endpoints, tests) */
    char *eks_ca_file;    /* CA file for the EKS API; NULL: the system store */
    char *db_path;        /* EKSAUTH_DB_PATH */
    uint32_t uid_min, uid_max;
    /*
     * The fleet's id key (idkey.h); NULL: eksauth_idkey_default_path().
     * What it holds is not the parser's: eksauth_ctx_id_key loads it into
     * id_key, id_key_set (false: no key file, ids unkeyed).
     */
    char *id_key_file;
    struct eksauth_id_key id_key;
    bool id_key_set;
    /* How long the id of a removed user or group stays held (tombstone.h). */
    uint32_t id_tombstone_days;
    char *group_prefix; /* "eks-" */
    /*
     * The group every login eksauth serves is in, so sshd_config can say
     * "Match Group eks-users" (docs/design.md); NULL: group_prefix + "users".
     */
    char *users_group;
    struct eksauth_name_map *group_map;
    size_t n_group_map;
    struct eksauth_name_map *user_map;
    size_t n_user_map;
    char *home;        /* "/home/%u": %u is the login name */
    char *shell;       /* "/bin/bash" */
    char **deny_users; /* deny_user lines, NULL-terminated; root and the system accounts are always
                          denied */
    bool allow_system_users;
    /* What a host asks of the cluster, and how stale it may be (docs/fleet.md). */
    uint32_t sync_max_requests; /* requests one sync may send to the cluster's APIs (100) */
    long access_entry_max_age;  /* seconds before a described access entry is read again (300) */
    long sync_spread;           /* seconds over which a relist after 410 Gone is spread (10) */
    long max_snapshot_age;      /* seconds; 0 (default): no limit; else older refuses logins */
    char *source_file;          /* where it came from, for messages */
    /*
     * SHA-256 of the file's bytes as eksauth_config_load read them (all
     * zero for a config parsed from memory): a sync whose source is
     * unchanged still plans again when the host's own settings changed.
     */
    unsigned char file_sha256[32];
};

/* Defaults, no cluster_id.  Every pointer owned; free with eksauth_config_free. */
enum eksauth_status eksauth_config_init(struct eksauth_config *cfg, struct eksauth_error *err);

/*
 * Parse text[0..len) on top of the defaults in cfg.  filename is for messages.
 * Errors: EKSAUTH_EINVAL "config: FILE:LINE: <why>"; rules that span keys
 * (cluster_id is required, uid_min < uid_max, sts_timeout >= the connect
 * timeout, max_snapshot_age 0 or at least 120, not both cluster_ca_file and
 * cluster_ca_data, sts_host under the partition's domain) "config: FILE: <why>".
 * On failure cfg still owns what it holds: free it with eksauth_config_free.
 */
enum eksauth_status eksauth_config_parse(struct eksauth_config *cfg, const char *text, size_t len,
                                         const char *filename, struct eksauth_error *err);

/*
 * eksauth_config_parse_with's flags.  EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL: a
 * config without cluster_id is not refused for that (cfg->cluster_id stays
 * NULL); every other rule holds.  For eksauth doctor, which says so in its
 * own words and checks the rest in the same run; the PAM module, sync and
 * the command line never pass it (eksauth_config_load does not).
 */
#define EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL 0x1u

/*
 * eksauth_config_parse (flags 0) with flags; all_lines (may be NULL) gets
 * whether every line parsed, so the rules over the whole file ran: only
 * then does a NULL cfg->cluster_id mean the file has none.
 */
enum eksauth_status eksauth_config_parse_with(struct eksauth_config *cfg, const char *text,
                                              size_t len, const char *filename, unsigned flags,
                                              bool *all_lines, struct eksauth_error *err);

/*
 * Read path (at most 1 MiB; with require_root_owned it must be root-owned and
 * not group/world-writable) and parse it.  File errors are "config: <path>: ...".
 */
enum eksauth_status eksauth_config_load(struct eksauth_config *cfg, const char *path,
                                        bool require_root_owned, struct eksauth_error *err);

/*
 * Whether the file at path is no longer the one cfg was loaded from (its
 * digest differs, or it cannot be read): a long-running sync stops rather
 * than write a DB from settings the host no longer has.
 */
bool eksauth_config_file_changed(const struct eksauth_config *cfg, const char *path);

/* Whether a deny_user line names name (exactly: a login or a Kubernetes username). */
bool eksauth_config_denies(const struct eksauth_config *cfg, const char *name);

void eksauth_config_free(struct eksauth_config *cfg);

/*
 * This host's name, the one in its audience: cfg's host_name, else (cfg
 * NULL or no host_name) its own name, gethostname.  name holds
 * EKSAUTH_HOST_NAME_MAX + 2 bytes (audience.h); false when gethostname
 * fails or its name does not fit.
 */
bool eksauth_config_host_name(const struct eksauth_config *cfg, char *name);

const char *eksauth_source_name(enum eksauth_source src);

/* The "to" of from in a group_map or user_map list; NULL when from is not mapped. */
const char *eksauth_config_map_find(const struct eksauth_name_map *map, size_t n, const char *from);

#endif
