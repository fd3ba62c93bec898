#!/bin/bash
# awsauth_kubectl.sh - eksauth reads aws-auth as the cluster does: random
# mapRoles and mapUsers values (tests/lib/awsauth_gen.py), each read by
# eksauth (awsauth_dump) and by kubectl's YAML reader, sigs.k8s.io/yaml, the
# cluster's (docs/aws-auth.md, "eksauth and the cluster").  Fails when
# eksauth maps an ARN the cluster does not, maps one to another username or
# groups, or leaves out an entry the cluster maps without a warning; the
# documented refusals are counted.
#
# Seeded: AWSAUTH_DIFF_SEED (default 11) and AWSAUTH_DIFF_CASES (default 400,
# about 15 s) run other or more values by hand.
# Environment: top_srcdir, top_builddir (set by make check).  TAP.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
. "$top_srcdir/tests/lib/peer_diff.sh"
peer_diff kubectl awsauth_gen.py awsauth_dump \
    "${AWSAUTH_DIFF_SEED:-11}" "${AWSAUTH_DIFF_CASES:-400}"
