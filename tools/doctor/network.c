/*
 * network.c - `doctor --network`: STS and the sync source (the Kubernetes
 * API, the EKS API) answer over a TLS connection eksauth trusts.  Every
 * call goes through lib/http.c with the settings the library's own calls
 * use (CA, connect_to, proxy, timeouts), so what doctor reaches is what a
 * login and a sync reach; any HTTP answer counts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doctor.h"
#include "eksauth/cluster_host.h"
#include "eksauth/eks_api.h"
#include "eksauth/http.h"
#include "eksauth/kube.h"
#include "eksauth/sigv4.h"
#include "eksauth/sts.h"

/* The body is not needed: any answer means the service is there. */
static int discard(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * One GET of url on the connection req has (the library's for the
 * service), its CA file (ca_file, a config path) read under doctor's root
 * (into ca_buf): any HTTP answer (a redirect too: http.c refuses to follow
 * it but keeps its status) means the service is reachable over TLS we trust.
 */
static void probe(struct doctor *d, struct eksauth_http_request *req, const char *what,
                  const char *url, const char *ca_file, char ca_buf[PATH_MAX], const char *fix)
{
    struct eksauth_http_response resp;
    struct eksauth_error err = {EKSAUTH_OK, ""};
    const char *why = err.msg;
    size_t wlen = strlen(what);
    struct timespec t0;
    struct finding *f;

    req->what = what;
    req->url = url;
    req->ca_file = ca_file != NULL ? rooted_file(d, ca_file, ca_buf) : NULL;
    req->on_data = discard;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    eksauth_http_perform(req, &resp, &err);
    if (resp.status > 0) {
        report(d, LV_OK, "network", req->url, "%s answers (HTTP %ld in %.2f s)", req->what,
               resp.status, seconds_since(&t0));
    } else {
        /* http.c's message starts with what; the finding says it once. */
        if (strncmp(why, req->what, wlen) == 0 && strncmp(why + wlen, ": ", 2) == 0)
            why += wlen + 2;
        f = report(d, LV_ERROR, "network", req->url, "%s does not answer: %s", req->what, why);
        set_fix(d, f, "%s", fix);
    }
    eksauth_http_response_free(&resp);
}

/*
 * The region STS and the EKS API are reached in, found as eksauth whoami
 * and sync find it (eksauth_cluster_region): the config's, else AWS_REGION,
 * AWS_DEFAULT_REGION, the AWS config file, instance metadata.  Said plainly
 * when it is not the config's.
 */
static bool find_region(struct doctor *d, char *region, size_t n)
{
    struct eksauth_error err;
    struct finding *f;

    if (eksauth_cluster_region(&d->cfg, region, n, &err) != EKSAUTH_OK) {
        /* Logins use the region each token names; doctor has none to try. */
        f = report(d, LV_WARNING, "network", d->conf_host, "STS and the EKS API not checked: %s",
                   err.msg);
        set_fix(d, f, "add \"region = REGION\" (this host's region, e.g. us-east-1) to %s",
                d->conf_host);
        return false;
    }
    if (d->cfg.region == NULL)
        report(d, LV_INFO, "network", d->conf_host,
               "no region in the config: checking %s, found as eksauth whoami and sync find it "
               "(AWS_REGION, AWS_DEFAULT_REGION, the AWS config file, instance metadata)",
               region);
    return true;
}

/*
 * An AWS API's root, https://host/ (any answer, 404 too, shows it is
 * there); the fix names its connect_to key (connect_key).
 */
static void probe_aws(struct doctor *d, struct eksauth_http_request *req, const char *what,
                      const char *host, const char *ca_file, const char *connect_key)
{
    char url[300], ca[PATH_MAX], fix[1024];

    fmt(url, sizeof(url), "https://%s/", host);
    fmt(fix, sizeof(fix),
        "check DNS, routes and security groups to port 443 of %s (a proxy: https_proxy; a VPC "
        "endpoint without private DNS: %s) in %s",
        what, connect_key, d->conf_host);
    probe(d, req, what, url, ca_file, ca, fix);
}

static void probe_sts(struct doctor *d, const char *region)
{
    struct eksauth_http_request req;
    struct eksauth_error err;
    struct finding *f;
    char host[256];

    if (eksauth_sigv4_sts_host(region, false, host, sizeof(host), &err) != EKSAUTH_OK) {
        f = report(d, LV_ERROR, "network", d->conf_host, "%s", err.msg);
        set_fix(d, f, "set region in %s to this host's region (e.g. us-east-1)", d->conf_host);
        return;
    }
    eksauth_sts_connection(&d->cfg, &req);
    probe_aws(d, &req, "STS", host, d->cfg.sts_ca_file, "sts_connect_to");
}

/* GET /version of the API server, trusting the cluster's own CA as sync does. */
static void probe_kubernetes(struct doctor *d)
{
    const char *endpoint = d->cfg.cluster_endpoint;
    char url[1024], ca[PATH_MAX], fix[1024];
    struct eksauth_http_request req;
    struct eksauth_error err;
    struct finding *f;
    char *pem = NULL;
    size_t pem_len = 0;

    fmt(fix, sizeof(fix),
        "check cluster_endpoint and the cluster CA in %s, and that the cluster's endpoint "
        "access (public or private) admits this host",
        d->conf_host);
    if (d->cfg.cluster_ca_data != NULL &&
        eksauth_kube_ca_pem(d->cfg.cluster_ca_data, &pem, &pem_len, &err) != EKSAUTH_OK) {
        f = report(d, LV_ERROR, "network", d->conf_host, "%s", err.msg);
        set_fix(d, f, "%s", fix);
        return;
    }
    fmt(url, sizeof(url), "%s%sversion", endpoint,
        endpoint[strlen(endpoint) - 1] == '/' ? "" : "/");
    eksauth_kube_connection(&d->cfg, pem, pem_len, &req);
    probe(d, &req, "the Kubernetes API", url, d->cfg.cluster_ca_file, ca, fix);
    free(pem);
}

/* The EKS API of the region, with the connection settings sync uses (eks_connect_to, eks_ca_file).
 */
static void probe_eks(struct doctor *d, const char *region)
{
    struct eksauth_http_request req;
    struct eksauth_error err;
    char host[256];

    if (eksauth_eks_host(&d->cfg, region, host, sizeof(host), &err) != EKSAUTH_OK)
        return;
    eksauth_eks_connection(&d->cfg, &req);
    probe_aws(d, &req, "the EKS API", host, d->cfg.eks_ca_file, "eks_connect_to");
}

void check_network(struct doctor *d)
{
    enum eksauth_source src = d->cfg.source;
    bool have_region;
    char region[64];

    have_region = find_region(d, region, sizeof(region));
    if (have_region)
        probe_sts(d, region);
    if ((src == EKSAUTH_SOURCE_KUBERNETES || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API ||
         src == EKSAUTH_SOURCE_AUTO) &&
        d->cfg.cluster_endpoint != NULL && d->cfg.cluster_endpoint[0] != '\0')
        probe_kubernetes(d);
    if ((src == EKSAUTH_SOURCE_EKS_API || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API ||
         src == EKSAUTH_SOURCE_AUTO) &&
        have_region)
        probe_eks(d, region);
}
