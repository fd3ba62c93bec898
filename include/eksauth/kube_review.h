/*
 * kube_review.h - who the cluster says the caller is: the Kubernetes
 * SelfSubjectReview (what `kubectl auth whoami` asks), with the caller's
 * own bearer token, for `eksauth login-name`.
 *
 *   POST /apis/authentication.k8s.io/v1/selfsubjectreviews
 *   {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
 *   -> 201 with status.userInfo {username, uid, groups, extra}
 *
 * Every authenticated user may ask (Kubernetes' system:basic-user role);
 * an API server without the v1 API (Kubernetes 1.27) is asked v1beta1.
 * On EKS the username is the one aws-auth or an access entry gives, its
 * templates ({{SessionName}}, ...) already filled in.  The parser is pure;
 * the call uses http.h and never puts the token in a message.
 */
#ifndef EKSAUTH_KUBE_REVIEW_H
#define EKSAUTH_KUBE_REVIEW_H

#include <stddef.h>

#include "eksauth/kubeconfig.h"
#include "eksauth/status.h"

#define EKSAUTH_KUBE_REVIEW_MAX (64 * 1024) /* bytes of an answer */

/* status.userInfo (strings malloc'd; arn NULL when the cluster gives none). */
struct eksauth_kube_user {
    char *username;
    char *uid;
    char **groups;
    size_t n_groups;
    char *arn; /* extra.arn[0]: the caller's ARN as STS answered */
};

/* ---- pure ---- */

/*
 * A SelfSubjectReview answer into out; EKSAUTH_EINVAL names what is missing,
 * or a username that is not printable (eksauth_is_printable, printable.h).
 */
enum eksauth_status eksauth_kube_parse_review(const char *body, size_t len,
                                              struct eksauth_kube_user *out,
                                              struct eksauth_error *err);

void eksauth_kube_user_free(struct eksauth_kube_user *u);

/* The message of a Kubernetes Status answer, made safe to print (visible ASCII, cut); "" if none.
 */
void eksauth_kube_status_message(const char *body, size_t len, char *out, size_t outlen);

/* ---- calls ---- */

/*
 * Ask t who the bearer of token[0..len) is (cluster: its name, for
 * messages).  EKSAUTH_EREJECTED: 401 (the cluster does not accept the
 * token: not its cluster, or an identity it does not map) or 403;
 * EKSAUTH_EUNAVAIL: network, TLS, 429, 5xx; EKSAUTH_EINVAL: an answer that
 * is not a SelfSubjectReview, an API server without it.
 */
enum eksauth_status eksauth_kube_self_review(const struct eksauth_kube_target *t,
                                             const char *cluster, const char *token, size_t len,
                                             struct eksauth_kube_user *out,
                                             struct eksauth_error *err);

#endif
