/*
 * audience.h - who a token is for (docs/token-rules.md, "Audiences").
 *
 * A token's audience is the value signed into its x-k8s-aws-id header
 * (`aws eks get-token --cluster-name AUDIENCE`); STS accepts the token only
 * from a caller that sends the same value.  The cluster's API server sends
 * its cluster id, so a token minted for the cluster is a cluster
 * credential.  A host of eksauth's accepts by default only tokens minted
 * for its own audience,
 *
 *     eksauth:<cluster id>:<host name>
 *
 * which the cluster refuses (another value) and every other host refuses
 * (another host name): a token sent to a host is neither a cluster
 * credential nor a credential for another host.  The mapping is still the
 * cluster's (the cluster id names it).  Pure.
 */
#ifndef EKSAUTH_AUDIENCE_H
#define EKSAUTH_AUDIENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

#define EKSAUTH_AUDIENCE_PREFIX "eksauth:"
#define EKSAUTH_AUDIENCE_MAX    600 /* bytes, "eksauth:" + cluster id + ':' + host name */
#define EKSAUTH_HOST_NAME_MAX   253
#define EKSAUTH_CLUSTER_ID_MAX  256

/*
 * What may go into the signed x-k8s-aws-id header: visible ASCII only (no
 * CR/LF injection), 1..EKSAUTH_AUDIENCE_MAX bytes; a cluster id at most
 * EKSAUTH_CLUSTER_ID_MAX.
 */
bool eksauth_audience_valid(const char *audience);
bool eksauth_cluster_id_valid(const char *id);

/* A host name an audience may carry: 1..253 of [A-Za-z0-9.-_], no leading '.' or '-'. */
bool eksauth_host_name_valid(const char *name);

/* "eksauth:<cluster_id>:<host_name>" into out (host name lower-cased).  EKSAUTH_EINVAL. */
enum eksauth_status eksauth_audience_for_host(const char *cluster_id, const char *host_name,
                                              char *out, size_t outlen, struct eksauth_error *err);

/*
 * Split an eksauth host audience into its cluster id and host name (split
 * at the last ':'); false for anything else (a cluster id, a malformed one).
 */
bool eksauth_audience_parse(const char *audience, char *cluster_id, size_t cluster_len,
                            char *host_name, size_t host_len);

/*
 * Whether a client that reached a host as `reached` (the name the user gave
 * ssh, or EKSAUTH_HOST) may mint for a host that calls itself `named`:
 * equal ignoring case, or `reached` is its first labels ("bastion1" for
 * "bastion1.example.com"); `reached` with a trailing dot (an absolute name)
 * is equal, without it, or nothing; an address (what inet_aton reads as
 * one: "10.0.0.5", "0xa000005"; "web.01" is a name) is equal or nothing.  So a host reached by its
 * full name obtains a token for itself only; one reached by a short name obtains one for any host
 * whose name begins with it ("web1" for web1.prod.example too: SECURITY.md, "Known gaps", the
 * first-label rule of askpass).
 */
bool eksauth_host_name_matches(const char *reached, const char *named);

#endif
