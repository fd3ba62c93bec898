#!/bin/bash
# access_policies.sh - a cluster in EKS's API authentication mode, end to end:
# admin rights come from an access policy associated with an access entry, not
# from a Kubernetes group, and the host's sudo still gates on them.
#   the STS stand-in and the EKS API stand-in (tests/lib/fake_eks.py: DescribeCluster
#   says API; two access entries, one with AmazonEKSClusterAdminPolicy for the
#   whole cluster, one with AmazonEKSViewPolicy for namespace dev) over TLS;
#   `eksauth sync` with source = auto; then, in the suite's namespace
#   (tests/e2e/e2e_common.sh), a sudoers rule for %eks-policy-cluster-admin:
#   the real setuid sudo lets the admin's login run a command as root and
#   refuses the viewer; and a real ssh login of the admin role (a token from
#   `aws eks get-token`) whose session runs sudo.  The audit line, no secret in
#   any output, the host as it was.  TAP output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir, top_builddir (set by make check).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/e2e/e2e_common.sh"
e2e_plan_skip_if_unsupported

# ------------------------------------------------------------------- setup
e2e_start_sts # its certificates include the EKS API's, eks.crt (tests/lib/mkcerts.sh)
P=arn:aws:eks::aws:cluster-access-policy
cat >"$H/etc/entries.json" <<EOF
[
  {"principalArn": "arn:aws:iam::111122223333:role/platform/eks-admins",
   "username": "platform-admin", "type": "STANDARD",
   "accessPolicies": [{"policyArn": "$P/AmazonEKSClusterAdminPolicy",
                       "accessScope": {"type": "cluster"}}]},
  {"principalArn": "arn:aws:iam::111122223333:role/eks-devs", "username": "erin",
   "type": "STANDARD",
   "accessPolicies": [{"policyArn": "$P/AmazonEKSViewPolicy",
                       "accessScope": {"type": "namespace", "namespaces": ["dev"]}}]}
]
EOF
"$PYTHON" "$top_srcdir/tests/lib/fake_eks.py" --cert "$H/tls/eks.crt" --key "$H/tls/eks.key" \
    --creds "$E2E_FIX/creds.json" --entries "$H/etc/entries.json" --cluster "$CLUSTER" \
    --auth-mode API --log "$H/out/eks.log" --ready-file "$H/eks.ready" 2>"$H/out/eks.err" &
e2e_track eks $!
e2e_wait_for "$H/eks.ready" $! "$H/out/eks.err" "the EKS API stand-in did not start"
e2e_config
# The cluster is the source: no aws-auth file (a login would read it instead of the snapshot).
sed -i '/^aws_auth_file = /d' "$CONF"
cat >>"$CONF" <<EOF
source = auto
cluster_name = $CLUSTER
region = us-east-1
eks_connect_to = eks.us-east-1.amazonaws.com:443:127.0.0.1:$(cat "$H/eks.ready")
eks_ca_file = $H/tls/ca.crt
EOF
e2e_namespace
# The rule this suite is about: root for whoever has the cluster-admin access policy.
printf '%%eks-policy-cluster-admin ALL=(ALL:ALL) NOPASSWD: ALL\n' >>"$H/ns/sudoers"
visudo -cqf "$H/ns/sudoers" || bail "the test sudoers does not parse"
# The bastion syncs with its own credentials (here a test key the EKS stand-in knows).
(creds ASIAE2EONCALLDAVE001 && e2e_sync) || bail "eksauth sync failed: $(cat "$H/out/sync.out")"
e2e_start_syslog
e2e_start_sshd
pass "setup: STS, EKS API (authentication mode API) and sshd on port $SSH_PORT"

# ------------------------------------------------------------------- the sync
like "$(cat "$H/out/sync.out")" "access entries of $CLUSTER .*\\(authentication mode API\\)" \
    "sync with source = auto read the access entries the API-mode cluster names"
calls=$("$PYTHON" - "$H/out/eks.log" <<'EOF'
import json, sys
print(" ".join(sorted(json.loads(l)["path"].rsplit("/", 1)[-1] if "access-" in l else "cluster"
                      for l in open(sys.argv[1]))))
EOF
)
like "$calls" "^access-entries access-policies access-policies .*cluster" \
    "one DescribeCluster, the entries, and each entry's access policies were asked for"
is "$(ns getent group eks-policy-cluster-admin | cut -d: -f1,4)" \
    "eks-policy-cluster-admin:platform-admin" \
    "AmazonEKSClusterAdminPolicy is the POSIX group eks-policy-cluster-admin, with the admin in it"
is "$(ns getent group eks-policy-view-ns-dev | cut -d: -f4)" "erin" \
    "a namespace-scoped policy is one group per namespace (eks-policy-view-ns-dev)"

# ------------------------------------------------------------------- real sudo
# as USER CMD...: run CMD with USER's ids and groups (from NSS), in the namespace.
as() {
    local user=$1 uid gid
    shift
    uid=$(ns getent passwd "$user" | cut -d: -f3)
    gid=$(ns getent passwd "$user" | cut -d: -f4)
    ns setpriv --reuid="$uid" --regid="$gid" --init-groups "$@"
}
out=$(as platform-admin sudo -n id -u 2>&1)
is "$out" "0" "setuid sudo: %eks-policy-cluster-admin lets the admin run id as root"
out=$(as erin sudo -n id -u 2>&1)
rc=$?
if [ "$rc" != 0 ] && [ "$out" != 0 ]; then
    pass "setuid sudo: the viewer (no cluster-admin policy) is refused"
else
    fail "setuid sudo: the viewer (no cluster-admin policy) is refused (rc=$rc: $out)"
fi

# ------------------------------------------------------------------- ssh, then sudo
mapfile -t admin_env < <(creds_env ASIAE2EADMINALICE001)
n0=$(syslog_lines)
env EKSAUTH_CLUSTER="$CLUSTER" "${admin_env[@]}" "$EKSAUTH" ssh $(SSH_OPTS) \
    $AS_BASTION platform-admin@127.0.0.1 'id -Gn; sudo -n id -u' >"$H/out/ssh.out" 2>"$H/out/ssh.err" </dev/null
rc=$?
is "$rc" 0 "eksauth ssh platform-admin: the admin role (its access entry names it with a path) logs in"
[ "$rc" = 0 ] || sed 's/^/# /' "$H/out/ssh.err"
like "$(sed -n 1p "$H/out/ssh.out")" "(^| )eks-policy-cluster-admin( |$)" \
    "the session's groups hold eks-policy-cluster-admin"
is "$(tail -n 1 "$H/out/ssh.out")" "0" "sudo -n id -u in the session: 0"
syslog_since "$n0" "event=auth result=success user=platform-admin " >"$H/out/ssh.syslog"
like "$(cat "$H/out/ssh.syslog")" "event=auth result=success user=platform-admin k8s_user=platform-admin arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice" \
    "sshd's log: the audit line of the login"

# ------------------------------------------------------------------- leftovers
no_secret_in "$H"/out/* "$H/db/identity.db"
ok $? "no token and no secret in any output, log or the identity DB"
e2e_stop
e2e_host_unchanged
ok $? "the host's /etc, runtime folders and mounts are as before"

done_testing
