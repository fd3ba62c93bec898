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
 * insecure-skip-tls-verify is refused; tls-server-name and proxy-url are
 * honoured as kubectl honours them (eksauth_kube_target_route), or refused.  The first file of
 * KUBECONFIG that names an entry wins, as kubectl merges them.  A file that kubectl (client-go:
 * go-yaml v2, then JSON) reads otherwise than libyaml is refused, naming its line: an explicit tag,
 * a merge key "<<", a key given twice in a mapping (kubectl keeps the later), two clusters,
 * contexts or users of one name (client-go refuses the file), a bool or number go-yaml reads in a
 * string field (yes, on, 123, 0x10 unquoted: client-go refuses the file; a plain null is "" to
 * both), a value of another shape than client-go's (users: {}, context: 12), .inf or .nan anywhere
 * (go-yaml's JSON step fails), flow collections nested deeper than go-yaml's 10000 (found before
 * libyaml loads the file, whose scan is quadratic in that depth).
 *
 * The same search gives the client half whom kubectl signs as for that
 * cluster (eksauth_kubeconfig_identity): the contexts of the chosen entry
 * (the current context when it is one of them), their users and those
 * users' exec: sections, read by exec_identity.h.
 */
#ifndef EKSAUTH_KUBECONFIG_H
#define EKSAUTH_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/exec_identity.h"
#include "eksauth/status.h"

#define EKSAUTH_KUBECONFIG_MAX (1024 * 1024) /* bytes of one kubeconfig file */

/* One clusters: entry of a kubeconfig (strings malloc'd; NULL when absent). */
struct eksauth_kubeconfig_entry {
    char *name;
    char *server;
    char *ca_data;   /* certificate-authority-data: base64 of PEM */
    char *ca_file;   /* certificate-authority: a path, made absolute against the file's folder */
    bool insecure;   /* insecure-skip-tls-verify: true */
    char *proxy_url; /* proxy-url */
    char *tls_server_name; /* tls-server-name */
    char *from;            /* the kubeconfig file */
};

/* One contexts: entry (strings malloc'd; cluster and user NULL when absent). */
struct eksauth_kubeconfig_context {
    char *name;
    char *cluster;
    char *user;
    char *from; /* the kubeconfig file */
};

/* One users: entry and its exec: section (exec.command NULL when it has none). */
struct eksauth_kubeconfig_user {
    char *name;
    char *from;
    struct eksauth_kube_exec exec;
};

/*
 * The contexts and users of the kubeconfig files, merged as kubectl merges
 * them (the first file that names one wins), and the current context.
 */
struct eksauth_kubeconfig_auth {
    struct eksauth_kubeconfig_context *contexts;
    size_t n_contexts;
    struct eksauth_kubeconfig_user *users;
    size_t n_users;
    size_t cap_contexts, cap_users; /* allocated lengths of contexts and users */
    /* The current context's name (malloc'd), from the first file that sets one; NULL: none. */
    char *current_context;
};

/*
 * A cluster's API server, ready to call.  With a tls-server-name the
 * requests go to base, https://TLS-SERVER-NAME:PORT/PATH (SNI and the
 * certificate's name: that name), connected to the server's host and port
 * (connect_to, CURLOPT_CONNECT_TO), with the server's host (and port, as
 * written) as the Host header, as kubectl sends it.  With a proxy-url, through that proxy
 * (socks5:// as socks5h://: the proxy resolves the name, as kubectl's
 * SOCKS dialer has it do).
 */
struct eksauth_kube_target {
    char server[512]; /* https://..., without a trailing '/' */
    char *ca_pem;     /* the CA certificates, PEM (malloc'd) */
    size_t ca_len;
    char what[768];        /* for messages: "<server> (cluster NAME in FILE)" */
    char base[512];        /* where requests go: server, or with tls-server-name as its host */
    char connect_to[600];  /* "" or NAME:PORT:HOST:PORT */
    char host_header[560]; /* "" or "Host: HOST[:PORT]" (the server's, as written) */
    char proxy[512];       /* "" or the proxy-url, for libcurl */
};

/* ---- pure ---- */

/* Whether a kubeconfig entry name is cluster: the name itself or an EKS cluster ARN of it. */
bool eksauth_kubeconfig_names(const char *entry_name, const char *cluster);

/*
 * One kubeconfig text (from path, for messages and relative CA paths):
 * every clusters: entry named for cluster is appended to *v (*n of them;
 * entries of a name already there are skipped: the first file wins).
 * EKSAUTH_EINVAL for a text that is not a kubeconfig.  Which of them is
 * current is read from the contexts of every file (scan_auth below).
 */
enum eksauth_status eksauth_kubeconfig_scan(const char *text, size_t len, const char *path,
                                            const char *cluster,
                                            struct eksauth_kubeconfig_entry **v, size_t *n,
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

/*
 * A cluster's proxy-url and tls-server-name (either may be NULL) into t,
 * whose server is set: base, connect_to, host_header and proxy above.
 * EKSAUTH_EINVAL for what kubectl refuses or eksauth cannot honour: a
 * proxy-url not http://, https:// or socks5:// (kubectl takes those
 * only), a tls-server-name not a host name, a server URL whose host and
 * port cannot be read.  Never ignored: the request would go elsewhere
 * than kubectl's, or be checked against another name.
 */
enum eksauth_status eksauth_kube_target_route(struct eksauth_kube_target *t, const char *proxy_url,
                                              const char *tls_server_name,
                                              struct eksauth_error *err);

/*
 * One kubeconfig text (from path): its contexts and users are appended to
 * *a (a name already there is skipped: the first file wins), and
 * a->current_context is set, when still NULL, from its current-context,
 * whether or not this file defines that context: kubectl merges the files
 * first.  A malformed exec: section is kept with exec.problem set.
 * EKSAUTH_EINVAL for a text that is not a kubeconfig.
 */
enum eksauth_status eksauth_kubeconfig_scan_auth(const char *text, size_t len, const char *path,
                                                 struct eksauth_kubeconfig_auth *a,
                                                 struct eksauth_error *err);

/*
 * The cluster of a's current context (the first file's that defines it;
 * with none set, the context named "", as kubectl takes it), or NULL.
 */
const char *eksauth_kubeconfig_current_cluster(const struct eksauth_kubeconfig_auth *a);

/*
 * Whom kubectl signs as for cluster, over the entries v of the scan (as
 * eksauth_kubeconfig_choose picks one, a's current cluster current; when
 * several remain, each of them) and a: the contexts that name the entry
 * (the current context when it is one of them, else every one, which must
 * then agree), their users' exec: sections (exec_identity.h).  No entry,
 * or no context for it: EKSAUTH_OK with out->kind EKSAUTH_EXEC_NONE.
 * EKSAUTH_EINVAL, naming the file, for an exec section that cannot be
 * followed, a followed one of a cluster client-go refuses (no server, both
 * CA fields, insecure-skip-tls-verify beside a CA: kubectl runs nothing)
 * or for contexts that disagree.
 */
enum eksauth_status eksauth_kubeconfig_identity_choose(const struct eksauth_kubeconfig_entry *v,
                                                       size_t n,
                                                       const struct eksauth_kubeconfig_auth *a,
                                                       const char *cluster, const char *region,
                                                       struct eksauth_exec_identity *out,
                                                       struct eksauth_error *err);

void eksauth_kubeconfig_auth_free(struct eksauth_kubeconfig_auth *a);

/*
 * Whether e's certificate-authority-data is data at all: client-go decodes
 * '' and line breaks alone to no bytes, and then reads the
 * certificate-authority file beside it, or the system's CAs.
 */
bool eksauth_kubeconfig_ca_data_given(const struct eksauth_kubeconfig_entry *e);

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

/*
 * Whom kubectl signs as for cluster (region: EKSAUTH_REGION, or NULL),
 * from the kubeconfig files eksauth_kubeconfig_find reads:
 * eksauth_kubeconfig_identity_choose over them.  No kubeconfig, no entry
 * for cluster: EKSAUTH_OK with out->kind EKSAUTH_EXEC_NONE.  A file that
 * cannot be read or is not a kubeconfig is an error (what kubectl would
 * run is then unknown).
 */
enum eksauth_status eksauth_kubeconfig_identity(const char *cluster, const char *region,
                                                struct eksauth_exec_identity *out,
                                                struct eksauth_error *err);

/* The target of an explicit server URL and CA file (EKSAUTH_CLUSTER_ENDPOINT and ..._CA_FILE). */
enum eksauth_status eksauth_kube_target_set(const char *server, const char *ca_file,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err);

void eksauth_kube_target_free(struct eksauth_kube_target *t);

#endif
