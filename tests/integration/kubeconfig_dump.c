/*
 * kubeconfig_dump.c - a test helper for tests/integration/kubeconfig_kubectl.sh:
 * whom eksauth finds kubectl signs as for a cluster.
 *
 *   kubeconfig_dump CLUSTER
 *
 * reads the kubeconfig files as eksauth does (KUBECONFIG, else
 * $HOME/.kube/config) and prints eksauth_kubeconfig_identity's answer:
 *
 *   kind=AWS|AUTHENTICATOR|EKSAUTH   user=NAME (the kubeconfig user)
 *   role=  profile=  region=  env=NAME=VALUE (sorted, one a line)
 *
 * or "as-engineer" when what it found changes nothing of eksauth's mint
 * (no exec, another command, none of a role, profile, region or AWS_*
 * variable: eksauth_exec_identity_applies), whichever user that was,
 * or "ERR STATUS" with the message on stderr when eksauth refuses the files.
 * The test runs it over the files and over kubectl's merged view of them
 * (kubectl config view --raw -o json), and compares.  Exit 0 when it
 * printed either, 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/exec_identity.h"
#include "eksauth/kubeconfig.h"

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The user of from, "FILE (user NAME)": FILE differs between the files and the merged view. */
static const char *user_of(const char *from)
{
    const char *p = strstr(from, " (user ");

    return p != NULL ? p + strlen(" (user ") : "";
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {"NONE", "AWS", "AUTHENTICATOR", "EKSAUTH", "OTHER"};
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    enum eksauth_status st;
    const char *user;
    size_t i;

    if (argc != 2) {
        fprintf(stderr, "usage: kubeconfig_dump CLUSTER\n");
        return 2;
    }
    memset(&id, 0, sizeof(id));
    memset(&err, 0, sizeof(err));
    st = eksauth_kubeconfig_identity(argv[1], NULL, &id, &err);
    if (st != EKSAUTH_OK) {
        printf("ERR %d\n", (int)st);
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    if (!eksauth_exec_identity_applies(&id)) {
        printf("as-engineer\n");
        goto out;
    }
    user = user_of(id.from);
    /* from ends with the ")" of "(user NAME)". */
    printf("kind=%s\nuser=%.*s\n", kinds[id.kind], (int)(strlen(user) ? strlen(user) - 1 : 0),
           user);
    printf("role=%s\nprofile=%s\nregion=%s\n", id.role_arn, id.profile, id.region);
    if (id.n_env > 0) /* qsort wants an array, even of none (UBSan says so) */
        qsort(id.env, id.n_env, sizeof(*id.env), by_string);
    for (i = 0; i < id.n_env; i++)
        printf("env=%s\n", id.env[i]);
out:
    eksauth_exec_identity_free(&id);
    return 0;
}
