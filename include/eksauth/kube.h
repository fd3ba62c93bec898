/*
 * kube.h - the Kubernetes API, for the aws-auth ConfigMap only:
 *
 *  - the list GET /api/v1/namespaces/kube-system/configmaps with
 *    fieldSelector=metadata.name=aws-auth, with "Authorization: Bearer
 *    <EKS token minted for cluster_id with the host's own credentials>"
 *    (cluster_host.h), TLS checked against cluster_ca_file or
 *    cluster_ca_data, never the system store; the ConfigMap item is what
 *    `kubectl -o json` prints, so awsauth.h reads it as it is; its
 *    resourceVersion and the list's are kept;
 *  - the watch API (the same selector, from a resourceVersion, with
 *    bookmarks; 410 Gone means "relist").
 *
 * The parsers are pure; the calls use http.h.  Bearer tokens never reach a
 * message.
 */
#ifndef EKSAUTH_KUBE_H
#define EKSAUTH_KUBE_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/budget.h"
#include "eksauth/config.h"
#include "eksauth/http.h"
/* eksauth_kube_ca_pem (cluster_ca_data) and eksauth_kube_status_message, shared with the client. */
#include "eksauth/kube_review.h"
#include "eksauth/kubeconfig.h"
#include "eksauth/status.h"

#define EKSAUTH_KUBE_MAX_BODY   (4u * 1024 * 1024) /* a ConfigMap holds at most 1 MiB of data */
#define EKSAUTH_KUBE_RV_MAX     64
#define EKSAUTH_KUBE_CONNECT_MS 3000
#define EKSAUTH_KUBE_TIMEOUT_MS 10000
#define EKSAUTH_KUBE_LINE_MAX   EKSAUTH_KUBE_MAX_BODY /* one watch event */

/* The aws-auth document of a cluster without the ConfigMap (gone, or deleted): it maps nobody. */
#define EKSAUTH_KUBE_NO_AWS_AUTH                                                                   \
    "{\"mapRoles\": \"[]\", \"mapUsers\": \"[]\", \"mapAccounts\": \"[]\"}"

/* The RBAC a host needs, for the 401/403 messages and the docs. */
#define EKSAUTH_KUBE_RBAC_HINT                                                                     \
    "a Role in kube-system with rules [{apiGroups: [\"\"], resources: [\"configmaps\"], "          \
    "resourceNames: [\"aws-auth\"], verbs: [\"get\", \"list\", \"watch\"]}] bound to a group "     \
    "that aws-auth (or an access entry) gives this host's role"

/* ---- pure ---- */

/* A resourceVersion we store and send back: 1..63 of [A-Za-z0-9._-]. */
bool eksauth_kube_rv_valid(const char *rv);

/*
 * The status of a Kubernetes API code, one rule for an HTTP answer, a
 * Status line in a watch's stream and a watch's ERROR event: 410, our
 * resourceVersion gone (EKSAUTH_ENOTFOUND: the watch lists again,
 * lib/sync_watch.c); 401 and 403 refused (EKSAUTH_EREJECTED); 429 and 5xx
 * (or no code) EKSAUTH_EUNAVAIL; anything else EKSAUTH_EINVAL, a 404
 * included: a list or watch of aws-auth by field selector answers 200 with
 * no item when it is absent, so a 404 is a path the server does not have
 * (a wrong cluster_endpoint), never "not found".
 */
enum eksauth_status eksauth_kube_code_status(long code);

/*
 * The ConfigMap object of a GET: a JSON object with metadata.name
 * "aws-auth", metadata.namespace "kube-system" (when present) and a valid
 * metadata.resourceVersion, copied to rv.  EKSAUTH_EINVAL names what is wrong.
 */
enum eksauth_status eksauth_kube_parse_configmap(const char *body, size_t len, char *rv,
                                                 size_t rvlen, struct eksauth_error *err);

enum eksauth_kube_event_type {
    EKSAUTH_KUBE_ADDED,
    EKSAUTH_KUBE_MODIFIED,
    EKSAUTH_KUBE_DELETED,
    EKSAUTH_KUBE_BOOKMARK,
    EKSAUTH_KUBE_ERROR,
};

struct eksauth_kube_event {
    enum eksauth_kube_event_type type;
    char rv[EKSAUTH_KUBE_RV_MAX]; /* the object's resourceVersion ("" for ERROR) */
    long code;                    /* ERROR: the Status code (410: the version is gone) */
    char message[200];            /* ERROR: the Status message, safe to print */
    char *object;                 /* ADDED/MODIFIED/DELETED: the ConfigMap as JSON text */
    size_t object_len;
};

/*
 * A list of the aws-auth ConfigMap (a ConfigMapList with at most one item):
 * list_rv gets the list's metadata.resourceVersion (required); with an
 * item, *object gets it as JSON text (malloc'd, what awsauth.h reads) and
 * rv its own resourceVersion; with none, *object is NULL.
 */
enum eksauth_status eksauth_kube_parse_list(const char *body, size_t len, char **object,
                                            size_t *object_len, char *rv, size_t rvlen,
                                            char *list_rv, size_t list_rvlen,
                                            struct eksauth_error *err);

/* One line of a watch stream: {"type": ..., "object": {...}}.  Free with ..._event_free. */
enum eksauth_status eksauth_kube_parse_event(const char *line, size_t len,
                                             struct eksauth_kube_event *ev,
                                             struct eksauth_error *err);
void eksauth_kube_event_free(struct eksauth_kube_event *ev);

/*
 * The watch stream cut into lines: feed it bytes as they come, it calls
 * on_line for each complete line (without the newline).  A line longer than
 * EKSAUTH_KUBE_LINE_MAX is an error.  Returns 0, on_line's non-zero value,
 * or -1 for an over-long line or no memory.
 */
struct eksauth_kube_lines {
    char *buf;
    size_t len, cap;
};
int eksauth_kube_lines_feed(struct eksauth_kube_lines *l, const char *data, size_t n,
                            int (*on_line)(void *ctx, const char *line, size_t len), void *ctx);
void eksauth_kube_lines_free(struct eksauth_kube_lines *l);

/* ---- calls ---- */

struct eksauth_kube_configmap {
    char *data; /* the ConfigMap as JSON; awsauth.h reads it */
    size_t len;
    char rv[EKSAUTH_KUBE_RV_MAX];      /* its resourceVersion (its own: the snapshot's version) */
    char list_rv[EKSAUTH_KUBE_RV_MAX]; /* the list's: where a watch starts */
    char what[512]; /* for messages: "<endpoint> ConfigMap kube-system/aws-auth" */
    bool absent;    /* EKSAUTH_ENOTFOUND from a list that answered, without aws-auth */
};

/*
 * The connection every Kubernetes API call of cfg's takes (the sync's,
 * doctor's probe): the cluster's CA (ca_pem[0..ca_len), decoded from
 * cluster_ca_data by eksauth_kube_ca_pem, else cluster_ca_file; never the
 * system store), https_proxy and the timeouts, into req (zeroed first);
 * what, url and headers are the caller's to set.
 */
void eksauth_kube_connection(const struct eksauth_config *cfg, const char *ca_pem, size_t ca_len,
                             struct eksauth_http_request *req);

/*
 * List the aws-auth ConfigMap (cfg: cluster_endpoint, cluster_ca_file or
 * cluster_ca_data, cluster_id): the collection with
 * fieldSelector=metadata.name=aws-auth, so the answer carries the list's
 * resourceVersion a watch starts from.  With since_rv (may be NULL) the
 * list is asked at least as new as it (resourceVersionMatch=NotOlderThan):
 * the API server answers from its watch cache; a version it does not have
 * yet ("Too large resource version") is dropped and the list asked again
 * without it.  Every request counts against budget (may be NULL); one
 * turned away (429, 5xx, a connection that failed) is tried again as
 * budget.h says.  Failures: EKSAUTH_EUNAVAIL (network, timeouts, 5xx,
 * throttling, the budget spent), EKSAUTH_EREJECTED (401/403: the message
 * names the RBAC the host needs), EKSAUTH_ENOTFOUND (no aws-auth
 * ConfigMap: out->absent, with out->list_rv and out->what, when the list
 * answered without it), EKSAUTH_EINVAL (config, bad answers).  Free out
 * whatever the result.
 */
enum eksauth_status eksauth_kube_list_configmap(const struct eksauth_config *cfg,
                                                const char *since_rv, struct eksauth_budget *budget,
                                                struct eksauth_kube_configmap *out,
                                                struct eksauth_error *err);
void eksauth_kube_configmap_free(struct eksauth_kube_configmap *cm);

/*
 * Watch the aws-auth ConfigMap from resourceVersion rv (NULL or "": the
 * current state as an ADDED event, then changes) for at most
 * timeout_s seconds (the server ends the stream then), with bookmarks
 * (allowWatchBookmarks=true: the server tells the latest version even when
 * aws-auth does not change, so a watch resumed after a drop starts from
 * it and rarely falls out of the server's history).  on_event gets each
 * event; a non-zero return stops the watch (EKSAUTH_OK).  An ERROR event
 * with code 410 or an HTTP 410 is EKSAUTH_ENOTFOUND ("relist").  Transport
 * failures, 429 and 5xx are EKSAUTH_EUNAVAIL (*retry_after_ms, may be
 * NULL, gets the answer's Retry-After), 401/403 EKSAUTH_EREJECTED.
 */
enum eksauth_status
eksauth_kube_watch(const struct eksauth_config *cfg, const char *rv, long timeout_s,
                   int (*on_event)(void *ctx, const struct eksauth_kube_event *ev), void *ctx,
                   long *retry_after_ms, struct eksauth_error *err);

#endif
