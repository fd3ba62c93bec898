#!/bin/bash
# kubeconfig_kubectl.sh - eksauth finds whom kubectl signs as: random sets of
# kubeconfig files (tests/lib/kubeconfig_gen.py), eksauth's answer for the
# cluster (kubeconfig_dump) from the files against its answer from kubectl's
# merged view of them (kubectl config view --raw -o json).  Fails when they
# differ (another user, exec section, role, profile, region or variable), when
# eksauth follows an identity in files kubectl refuses, and on a refusal
# without a message; eksauth's refusals of files kubectl reads are counted.
#
# Seeded: KUBECONFIG_DIFF_SEED (default 7) and KUBECONFIG_DIFF_CASES (default
# 150, about 25 s; kubectl runs once a case) run other or more cases by hand.
# Environment: top_srcdir, top_builddir (set by make check).  TAP.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
. "$top_srcdir/tests/lib/peer_diff.sh"
peer_diff kubectl kubeconfig_gen.py kubeconfig_dump \
    "${KUBECONFIG_DIFF_SEED:-7}" "${KUBECONFIG_DIFF_CASES:-150}"
