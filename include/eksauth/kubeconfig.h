/*
 * kubeconfig.h - where an engineer's cluster is: its API server and CA, as
 * kubectl finds them in the kubeconfig (KUBECONFIG, a ':'-separated list,
 * else ~/.kube/config), for `eksauth login-name`.
 *
 * The cluster is named as askpass names it (EKSAUTH_CLUSTER): an entry of
 * that name, or one that `aws eks update-kubeconfig` wrote, named by the
 * cluster's ARN (arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME).  When
 * several match, the one of the current context wins, else the one in
 * region (when given); else it is an error that says how to choose.  The
 * server must be https and its certificate is always checked:
 * insecure-skip-tls-verify is refused.  The first file of KUBECONFIG that
 * names an entry wins, as kubectl merges them.
 */
#ifndef EKSAUTH_KUBECONFIG_H
#define EKSAUTH_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

#define EKSAUTH_KUBECONFIG_MAX (1024 * 1024) /* bytes of one kubeconfig file */

/* One clusters: entry of a kubeconfig (strings malloc'd; NULL when absent). */
struct eksauth_kubeconfig_entry {
    char *name;
    char *server;
    char *ca_data; /* certificate-authority-data: base64 of PEM */
    char *ca_file; /* certificate-authority: a path, made absolute against the file's folder */
    bool insecure; /* insecure-skip-tls-verify: true */
    char *from;    /* the kubeconfig file */
};

/* A cluster's API server, ready to call. */
struct eksauth_kube_target {
    char server[512]; /* https://..., without a trailing '/' */
    char *ca_pem;     /* the CA certificates, PEM (malloc'd) */
    size_t ca_len;
    char what[768]; /* for messages: "<server> (cluster NAME in FILE)" */
};

/* ---- pure ---- */

/* Whether a kubeconfig entry name is cluster: the name itself or an EKS cluster ARN of it. */
bool eksauth_kubeconfig_names(const char *entry_name, const char *cluster);

/*
 * One kubeconfig text (from path, for messages and relative CA paths):
 * every clusters: entry named for cluster is appended to *v (*n of them;
 * entries of a name already there are skipped: the first file wins), and
 * current (may be NULL) gets the cluster of the current context, when this
 * file sets current-context and it is still "".  EKSAUTH_EINVAL for a text
 * that is not a kubeconfig.
 */
enum eksauth_status eksauth_kubeconfig_scan(const char *text, size_t len, const char *path,
                                            const char *cluster,
                                            struct eksauth_kubeconfig_entry **v, size_t *n,
                                            char *current, size_t currentlen,
                                            struct eksauth_error *err);

/*
 * The one entry of v for cluster: the current context's (unless region
 * names another region: an explicit choice wins), else the one in region
 * (NULL: any); *chosen is its index.  EKSAUTH_ENOTFOUND when there
 * is none, EKSAUTH_EINVAL when several remain (the message lists them).
 */
enum eksauth_status eksauth_kubeconfig_choose(const struct eksauth_kubeconfig_entry *v, size_t n,
                                              const char *cluster, const char *current,
                                              const char *region, size_t *chosen,
                                              struct eksauth_error *err);

void eksauth_kubeconfig_entries_free(struct eksauth_kubeconfig_entry *v, size_t n);

/* cluster_ca_data (base64 of PEM, as in a kubeconfig) -> PEM bytes; must hold a certificate. */
enum eksauth_status eksauth_kube_ca_pem(const char *b64, char **pem, size_t *len,
                                        struct eksauth_error *err);

/* ---- I/O ---- */

/*
 * The API server and CA of cluster from the kubeconfig files (KUBECONFIG,
 * else $HOME/.kube/config).  EKSAUTH_ENOTFOUND names the files read and
 * says how to add the cluster (aws eks update-kubeconfig).
 */
enum eksauth_status eksauth_kubeconfig_find(const char *cluster, const char *region,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err);

/* The target of an explicit server URL and CA file (EKSAUTH_CLUSTER_ENDPOINT and ..._CA_FILE). */
enum eksauth_status eksauth_kube_target_set(const char *server, const char *ca_file,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err);

void eksauth_kube_target_free(struct eksauth_kube_target *t);

#endif
