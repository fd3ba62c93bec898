/*
 * audience.c - who a token is for (see audience.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "eksauth/ascii.h"
#include "eksauth/audience.h"
#include "eksauth/printable.h"

bool eksauth_audience_valid(const char *audience)
{
    return eksauth_visible_ascii(audience, EKSAUTH_AUDIENCE_MAX);
}

bool eksauth_cluster_id_valid(const char *id)
{
    return eksauth_visible_ascii(id, EKSAUTH_CLUSTER_ID_MAX);
}

bool eksauth_host_name_valid(const char *name)
{
    size_t i, n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > EKSAUTH_HOST_NAME_MAX || name[0] == '.' || name[0] == '-')
        return false;
    for (i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

enum eksauth_status eksauth_audience_for_host(const char *cluster_id, const char *host_name,
                                              char *out, size_t outlen, struct eksauth_error *err)
{
    size_t i, n;
    int len;

    /* Both go into a signed header: visible ASCII, bounded, and a host name's characters. */
    if (!eksauth_cluster_id_valid(cluster_id))
        return eksauth_fail(err, EKSAUTH_EINVAL, "audience: the cluster id is not usable");
    if (!eksauth_host_name_valid(host_name))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "audience: '%.260s' is not a host name (letters, digits, '.', '-', "
                            "'_'; at most %d)",
                            host_name != NULL ? host_name : "", EKSAUTH_HOST_NAME_MAX);
    len = snprintf(out, outlen, "%s%s:%s", EKSAUTH_AUDIENCE_PREFIX, cluster_id, host_name);
    if (len < 0 || (size_t)len >= outlen || (size_t)len > EKSAUTH_AUDIENCE_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "audience: longer than %d bytes",
                            EKSAUTH_AUDIENCE_MAX);
    /* Host names compare without case: one spelling of each, lower case. */
    n = (size_t)len;
    for (i = n - strlen(host_name); i < n; i++) {
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    }
    return EKSAUTH_OK;
}

bool eksauth_audience_parse(const char *audience, char *cluster_id, size_t cluster_len,
                            char *host_name, size_t host_len)
{
    size_t plen = strlen(EKSAUTH_AUDIENCE_PREFIX);
    const char *colon;
    size_t clen;

    if (audience == NULL || strlen(audience) > EKSAUTH_AUDIENCE_MAX ||
        strncmp(audience, EKSAUTH_AUDIENCE_PREFIX, plen) != 0)
        return false;
    colon = strrchr(audience + plen, ':');
    if (colon == NULL)
        return false;
    clen = (size_t)(colon - (audience + plen));
    if (clen == 0 || clen >= cluster_len || strlen(colon + 1) >= host_len)
        return false;
    memcpy(cluster_id, audience + plen, clen);
    cluster_id[clen] = '\0';
    snprintf(host_name, host_len, "%s", colon + 1);
    return eksauth_cluster_id_valid(cluster_id) && eksauth_host_name_valid(host_name);
}

/*
 * Whether ssh takes name for an IPv4 address, not a name to resolve: every
 * form the C library reads as one ("10.0.0.5", "0xa000005", "1234"), and
 * no more ("web.01" is a short name its search domains complete).
 */
static bool is_address(const char *name)
{
    struct in_addr a;

    return inet_aton(name, &a) != 0;
}

bool eksauth_host_name_matches(const char *reached, const char *named)
{
    size_t n = strlen(reached);

    if (n == 0 || !eksauth_host_name_valid(reached) || !eksauth_host_name_valid(named))
        return false;
    /* ASCII's case, never the locale's (ascii.h): a Turkish locale's would refuse "I". */
    if (eksauth_ascii_eq_nocase(named, strlen(named), reached))
        return true;
    /* An absolute name ("bastion.example.com.") is that name whole: never its first labels. */
    if (n > 1 && reached[n - 1] == '.' && reached[n - 2] != '.')
        return eksauth_ascii_eq_nocase(reached, n - 1, named);
    /* Why: ssh 10.0.0.5 reached that address, not every host named "10.0.0.5.*". */
    if (is_address(reached))
        return false;
    return strlen(named) > n && eksauth_ascii_prefix_nocase(named, strlen(named), reached) &&
           named[n] == '.';
}
