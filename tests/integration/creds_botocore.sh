#!/bin/bash
# creds_botocore.sh - eksauth signs with the keys and region botocore (the AWS
# CLI's reader) resolves: random AWS credentials and config files, profiles
# from --profile, AWS_PROFILE and AWS_DEFAULT_PROFILE, keys and region in the
# environment (tests/lib/awsfiles_gen.py); eksauth's answer (creds_dump)
# against botocore's.  Fails when eksauth signs with other keys, session token
# or region than botocore resolves (where botocore fails too: an empty region,
# files it refuses, a missing profile, AWS_PROFILE and AWS_DEFAULT_PROFILE
# naming different profiles), and on a refusal without a message; eksauth's
# refusals of what botocore reads are counted.
#
# Seeded: CREDS_DIFF_SEED (default 5) and CREDS_DIFF_CASES (default 800,
# about 15 s) run other or more cases by hand.
# Environment: top_srcdir, top_builddir (set by make check).  TAP.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
. "$top_srcdir/tests/lib/peer_diff.sh"
peer_diff botocore awsfiles_gen.py creds_dump "${CREDS_DIFF_SEED:-5}" "${CREDS_DIFF_CASES:-800}"
