/*
 * imds.c - IMDSv2 (see imds.h): the pure readers of its answers and the
 * calls (session token, role name, the role's credentials document,
 * single values).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eksauth/http.h"
#include "eksauth/imds.h"
#include "eksauth/partition.h"
#include "eksauth/printable.h"
#include "eksauth/template.h"

/* ------------------------------------------------------------------ */
/* pure readers */

int eksauth_imds_token_valid(const char *body, size_t len)
{
    /* It goes into a header: visible ASCII only (no CR/LF injection). */
    return body != NULL && len < EKSAUTH_IMDS_TOKEN_MAX && eksauth_visible_ascii_len(body, len);
}

enum eksauth_status eksauth_imds_parse_role(const char *body, size_t len, char *out, size_t outlen,
                                            struct eksauth_error *err)
{
    size_t n = 0, i;

    if (outlen > 0)
        out[0] = '\0';
    while (n < len && body[n] != '\n' && body[n] != '\r')
        n++;
    if (n == 0)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "instance metadata: no IAM role is attached to this instance");
    /* The name becomes part of the next URL's path: IAM's role name alphabet only. */
    if (n > 64 || n >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: the role name is too long");
    for (i = 0; i < n; i++) {
        char c = body[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (c != '\0' && strchr("+=,.@_-", c) != NULL)))
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "instance metadata: the role name has a byte outside "
                                "[A-Za-z0-9+=,.@_-]");
    }
    memcpy(out, body, n);
    out[n] = '\0';
    return EKSAUTH_OK;
}

/* "ip-" and the four decimal octets of an IPv4 address, '-'-joined, as EC2 writes them. */
static bool ip_label(const char *s, size_t len)
{
    size_t i = 3;
    int octet;

    if (len < 3 || strncmp(s, "ip-", 3) != 0)
        return false;
    for (octet = 0; octet < 4; octet++) {
        size_t start = i;
        unsigned v = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return false;
        if (octet < 3 && (i >= len || s[i++] != '-'))
            return false;
    }
    return i == len;
}

enum eksauth_status eksauth_imds_private_dns_name_check(const char *name, const char *region,
                                                        const char *instance_id,
                                                        struct eksauth_error *err)
{
    char suffix[64];
    size_t n, sn;

    if (region == NULL || !eksauth_region_valid(region, strlen(region)))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "instance metadata: placement/region is not a region name");
    /* EC2's own domain for the region, which DescribeInstances' PrivateDnsName always ends in. */
    if (strcmp(region, "us-east-1") == 0)
        snprintf(suffix, sizeof(suffix), ".ec2.internal");
    else
        snprintf(suffix, sizeof(suffix), ".%s.compute.internal", region);
    n = strlen(name);
    sn = strlen(suffix);
    if (n > sn && strcmp(name + n - sn, suffix) == 0 &&
        (ip_label(name, n - sn) ||
         (strlen(instance_id) == n - sn && strncmp(name, instance_id, n - sn) == 0)))
        return EKSAUTH_OK;
    /* Kept short: callers prefix it, and an error holds EKSAUTH_ERROR_MAX bytes. */
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "instance metadata: local-hostname '%.80s' is not the PrivateDnsName "
                        "the cluster renders {{EC2PrivateDNSName}} from (ip-A-B-C-D%s): the "
                        "VPC's DHCP option set names another domain; set its domain-name to %s, "
                        "or map the role without {{EC2PrivateDNSName}}",
                        name, suffix, suffix + 1);
}

/* ------------------------------------------------------------------ */
/* calls */

struct imds {
    char base[256];
    char token[EKSAUTH_IMDS_TOKEN_MAX];
};

static enum eksauth_status imds_base(const char *endpoint, struct imds *m,
                                     struct eksauth_error *err)
{
    size_t n;

    memset(m, 0, sizeof(*m));
    if (endpoint == NULL || endpoint[0] == '\0')
        endpoint = EKSAUTH_IMDS_DEFAULT_ENDPOINT;
    n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        n--;
    if (n == 0 || n >= sizeof(m->base) || !eksauth_visible_ascii_len(endpoint, n) ||
        (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "instance metadata: the endpoint must be an http:// URL");
    memcpy(m->base, endpoint, n);
    m->base[n] = '\0';
    return EKSAUTH_OK;
}

/* One request, tried EKSAUTH_IMDS_TRIES times while the service cannot be reached. */
static enum eksauth_status imds_call(const struct imds *m, const char *method, const char *path,
                                     const char *header, struct eksauth_http_response *resp,
                                     struct eksauth_error *err)
{
    const char *headers[2] = {header, NULL};
    struct eksauth_http_request req;
    enum eksauth_status st = EKSAUTH_EUNAVAIL;
    char url[512];
    int i;

    if (snprintf(url, sizeof(url), "%s%s", m->base, path) >= (int)sizeof(url))
        return eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: URL too long");
    memset(&req, 0, sizeof(req));
    req.what = "instance metadata";
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.connect_timeout_ms = EKSAUTH_IMDS_TIMEOUT_MS;
    req.timeout_ms = EKSAUTH_IMDS_TIMEOUT_MS;
    req.max_body = EKSAUTH_IMDS_MAX_BODY;
    req.allow_http = true;
    for (i = 0; i < EKSAUTH_IMDS_TRIES; i++) {
        st = eksauth_http_perform(&req, resp, err);
        if (st != EKSAUTH_EUNAVAIL)
            break;
    }
    if (st == EKSAUTH_OK && resp->status >= 500) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "instance metadata: %s: HTTP %ld", path,
                          resp->status);
        eksauth_http_response_free(resp);
    }
    return st;
}

static enum eksauth_status imds_session(struct imds *m, struct eksauth_error *err)
{
    struct eksauth_http_response resp;
    enum eksauth_status st;
    char ttl[64];

    snprintf(ttl, sizeof(ttl), "X-aws-ec2-metadata-token-ttl-seconds: %d", EKSAUTH_IMDS_TOKEN_TTL);
    st = imds_call(m, "PUT", "/latest/api/token", ttl, &resp, err);
    if (st != EKSAUTH_OK)
        return st;
    if (resp.status != 200) {
        st = eksauth_fail(err, resp.status == 403 ? EKSAUTH_EUNAVAIL : EKSAUTH_EINVAL,
                          "instance metadata: the IMDSv2 session token was refused (HTTP %ld)%s",
                          resp.status,
                          resp.status == 403 ? ": IMDS may be disabled on this instance" : "");
        goto out;
    }
    if (!eksauth_imds_token_valid(resp.body, resp.len)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: a malformed session token");
        goto out;
    }
    memcpy(m->token, resp.body, resp.len);
    m->token[resp.len] = '\0';
out:
    eksauth_http_response_free(&resp);
    return st;
}

static enum eksauth_status imds_get(struct imds *m, const char *path,
                                    struct eksauth_http_response *resp, struct eksauth_error *err)
{
    char hdr[EKSAUTH_IMDS_TOKEN_MAX + 64];
    enum eksauth_status st;

    if (m->token[0] == '\0' && (st = imds_session(m, err)) != EKSAUTH_OK)
        return st;
    snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", m->token);
    st = imds_call(m, "GET", path, hdr, resp, err);
    OPENSSL_cleanse(hdr, sizeof(hdr));
    if (st == EKSAUTH_OK && resp->status == 401) {
        /* The session token expired in between: one new session, one more try. */
        eksauth_http_response_free(resp);
        m->token[0] = '\0';
        if ((st = imds_session(m, err)) != EKSAUTH_OK)
            return st;
        snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", m->token);
        st = imds_call(m, "GET", path, hdr, resp, err);
        OPENSSL_cleanse(hdr, sizeof(hdr));
    }
    return st;
}

static void imds_end(struct imds *m)
{
    OPENSSL_cleanse(m->token, sizeof(m->token));
}

enum eksauth_status eksauth_imds_role_credentials(const char *endpoint, char *role, size_t rolelen,
                                                  char **doc, size_t *len,
                                                  struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    enum eksauth_status st;
    struct imds m;
    char path[160];

    *doc = NULL;
    *len = 0;
    if (rolelen > 0)
        role[0] = '\0';
    if ((st = imds_base(endpoint, &m, err)) != EKSAUTH_OK)
        return st;
    st = imds_get(&m, "/latest/meta-data/iam/security-credentials/", &resp, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (resp.status == 404) {
        st = eksauth_fail(err, EKSAUTH_ENOTFOUND,
                          "instance metadata: no IAM role is attached to this instance");
        goto out;
    }
    if (resp.status != 200) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: the role listing: HTTP %ld",
                          resp.status);
        goto out;
    }
    if ((st = eksauth_imds_parse_role(resp.body, resp.len, role, rolelen, err)) != EKSAUTH_OK)
        goto out;
    eksauth_http_response_free(&resp);
    snprintf(path, sizeof(path), "/latest/meta-data/iam/security-credentials/%s", role);
    st = imds_get(&m, path, &resp, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (resp.status != 200) {
        st = eksauth_fail(err, resp.status == 404 ? EKSAUTH_ENOTFOUND : EKSAUTH_EINVAL,
                          "instance metadata: the credentials of role %s: HTTP %ld", role,
                          resp.status);
        goto out;
    }
    /* The document holds secrets: the caller wipes it. */
    *doc = resp.body;
    *len = resp.len;
    resp.body = NULL;
    resp.len = 0;
out:
    eksauth_http_response_free(&resp);
    imds_end(&m);
    return st;
}

static bool line_ok(const char *s, size_t n, bool spaces)
{
    size_t i;

    if (!spaces)
        return eksauth_visible_ascii_len(s, n);
    for (i = 0; i < n; i++)
        if (s[i] != ' ' && !eksauth_visible_ascii_len(s + i, 1))
            return false;
    return true;
}

/*
 * One value of meta-data/<path> with the session m (opened on first use);
 * spaces lets blanks in (local-hostname holds one with two DHCP domain-names).
 */
static enum eksauth_status imds_line(struct imds *m, const char *path, bool spaces, char *out,
                                     size_t outlen, struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    enum eksauth_status st;
    char full[256];
    size_t n;

    if (outlen > 0)
        out[0] = '\0';
    if (snprintf(full, sizeof(full), "/latest/meta-data/%s", path) >= (int)sizeof(full))
        return eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: path too long");
    st = imds_get(m, full, &resp, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (resp.status != 200) {
        st = eksauth_fail(err, resp.status == 404 ? EKSAUTH_ENOTFOUND : EKSAUTH_EINVAL,
                          "instance metadata: %s: HTTP %ld", path, resp.status);
        goto out;
    }
    n = strcspn(resp.body, "\r\n");
    if (n == 0 || n >= outlen || !line_ok(resp.body, n, spaces)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: %s: a malformed value", path);
        goto out;
    }
    memcpy(out, resp.body, n);
    out[n] = '\0';
out:
    eksauth_http_response_free(&resp);
    return st;
}

static enum eksauth_status imds_value(struct imds *m, const char *path, char *out, size_t outlen,
                                      struct eksauth_error *err)
{
    return imds_line(m, path, false, out, outlen, err);
}

enum eksauth_status eksauth_imds_get_value(const char *endpoint, const char *path, char *out,
                                           size_t outlen, struct eksauth_error *err)
{
    enum eksauth_status st;
    struct imds m;

    if (outlen > 0)
        out[0] = '\0';
    if ((st = imds_base(endpoint, &m, err)) != EKSAUTH_OK)
        return st;
    st = imds_value(&m, path, out, outlen, err);
    imds_end(&m);
    return st;
}

enum eksauth_status eksauth_imds_instance_identity(const char *endpoint,
                                                   struct eksauth_host_instance *out,
                                                   struct eksauth_error *err)
{
    enum eksauth_status st;
    char region[64];
    struct imds m;

    out->instance_id[0] = '\0';
    out->private_dns_name[0] = '\0';
    if ((st = imds_base(endpoint, &m, err)) != EKSAUTH_OK)
        return st;
    st = imds_value(&m, "instance-id", out->instance_id, sizeof(out->instance_id), err);
    if (st != EKSAUTH_OK)
        goto out;
    /* Compared with a session name: the shape the authenticator gives instance ids. */
    if (!eksauth_template_instance_id_valid(out->instance_id)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "instance metadata: instance-id is not an "
                          "instance id");
        goto out;
    }
    st = imds_value(&m, "placement/region", region, sizeof(region), err);
    if (st != EKSAUTH_OK)
        goto out;
    st = imds_line(&m, "local-hostname", true, out->private_dns_name, sizeof(out->private_dns_name),
                   err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * The cluster renders EC2's PrivateDnsName, which local-hostname equals
     * only while the VPC's DHCP domain-name is EC2's own: anything else is
     * refused here, the one place every user of the name reads it from.
     */
    /*
     * Two DHCP domain-names read "<name>.<first> <second>": the first word
     * is the instance's name in the first domain, which may be EC2's own
     * (then it is the PrivateDnsName); the second is a bare domain.
     */
    out->private_dns_name[strcspn(out->private_dns_name, " ")] = '\0';
    st = eksauth_imds_private_dns_name_check(out->private_dns_name, region, out->instance_id, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* It becomes a k8s username and a login: a DNS name, nothing else. */
    if (!eksauth_template_dns_name_valid(out->private_dns_name)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "instance metadata: local-hostname is not a lower-case DNS name");
        goto out;
    }
out:
    if (st != EKSAUTH_OK) {
        out->instance_id[0] = '\0';
        out->private_dns_name[0] = '\0';
    }
    imds_end(&m);
    return st;
}

enum eksauth_status eksauth_imds_host_instance(const char *endpoint,
                                               struct eksauth_host_instance *inst,
                                               struct eksauth_error *err)
{
    if (!inst->tried) {
        inst->tried = true;
        inst->status = eksauth_imds_instance_identity(endpoint, inst, &inst->failure);
    }
    if (inst->status != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "{{EC2PrivateDNSName}}: this host's own instance is unknown: %s",
                            inst->failure.msg);
    return EKSAUTH_OK;
}
