/*
 * creds_dump.c - a test helper for tests/integration/creds_botocore.sh:
 * the credentials and region eksauth signs with, from an AWS credentials
 * file and config file, for comparing with botocore's.
 *
 *   creds_dump CREDENTIALS CONFIG [PROFILE]
 *
 * CREDENTIALS or CONFIG "-": none given, so AWS_SHARED_CREDENTIALS_FILE or
 * AWS_CONFIG_FILE (expanded as botocore expands them), else ~/.aws/...
 * The environment is read as eksauth token reads it (AWS_PROFILE,
 * AWS_REGION, AWS_ACCESS_KEY_ID...); PROFILE is --profile.  Instance
 * metadata is never asked.  Prints two lines, tab separated:
 *
 *   creds  ACCESS_KEY  SECRET  SESSION_TOKEN_OR_-  |  creds-err STATUS MESSAGE
 *   region REGION                                  |  region-err STATUS MESSAGE
 *
 * The files are the test's own, made up: their keys are no one's secret,
 * and the test prints none of them.  Exit 0, or 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eksauth/creds.h"

int main(int argc, char **argv)
{
    struct eksauth_creds_options opt;
    struct eksauth_creds creds;
    struct eksauth_error err;
    char region[64];

    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: creds_dump CREDENTIALS CONFIG [PROFILE]\n");
        return 2;
    }
    memset(&opt, 0, sizeof(opt));
    memset(&creds, 0, sizeof(creds));
    opt.sources = EKSAUTH_CREDS_ENV | EKSAUTH_CREDS_PROFILE;
    opt.credentials_file = strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
    opt.config_file = strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    opt.profile = argc == 4 ? argv[3] : NULL;
    memset(&err, 0, sizeof(err));
    if (eksauth_creds_load(&opt, &creds, &err) == EKSAUTH_OK)
        printf("creds\t%s\t%s\t%s\n", creds.access_key_id, creds.secret_access_key,
               creds.session_token != NULL ? creds.session_token : "-");
    else
        printf("creds-err\t%d\t%s\n", (int)err.status, err.msg);
    eksauth_creds_free(&creds);
    memset(&err, 0, sizeof(err));
    if (eksauth_creds_region(NULL, &opt, region, sizeof(region), &err) == EKSAUTH_OK)
        printf("region\t%s\n", region);
    else
        printf("region-err\t%d\t%s\n", (int)err.status, err.msg);
    return 0;
}
