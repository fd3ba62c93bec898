#!/bin/bash
# exec_plugin.sh - `eksauth token --json` as a kubeconfig exec plugin of the real
# kubectl (client-go), with the exec apiVersion set to v1 and to v1beta1: kubectl
# sends KUBERNETES_EXEC_INFO, eksauth answers in the version asked for, and the
# token it mints opens the Kubernetes API stand-in (tests/lib/fake_kube.py, which
# checks it with the STS stand-in as EKS does).  An answer in another version is
# refused by kubectl (the plugin run without KUBERNETES_EXEC_INFO shows it).  TAP.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir (set by make check).
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require
command -v kubectl >/dev/null 2>&1 || bail "kubectl not found (scripts/install-deps installs it)"
"$PYTHON" -c 'import yaml' 2>/dev/null || bail "python3 has no PyYAML (fake_kube.py reads YAML)"

plan 7

sts_certs
sts_creds_with "$FIXTURES/cluster/node-creds.json"
sts_start sts --creds "$tmp/creds.json"
cp "$FIXTURES/cluster/aws-auth.yaml" "$tmp/cm.yaml"
stand_in kube fake_kube.py --cert "$tmp/tls/server.crt" --key "$tmp/tls/server.key" \
    --ca "$tmp/tls/ca.crt" --configmap "$tmp/cm.yaml" --sts-addr "127.0.0.1:$STS_PORT" \
    --cluster-id prod
KUBE=$STAND_IN_PORT

# The role bastion-sync reads aws-auth in the stand-in's RBAC (tests/fixtures/cluster).
eval "$("$PYTHON" - "$tmp/creds.json" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))["ASIAFAKENODE00000001"]
print("export AWS_ACCESS_KEY_ID=ASIAFAKENODE00000001 AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      % (shlex.quote(c["secret"]), shlex.quote(c["session_token"])))
EOF
)"

# The plugin, through a wrapper that keeps what kubectl sent (and may drop it).
cat >"$tmp/plugin.sh" <<EOF
#!/bin/sh
printf '%s' "\${KUBERNETES_EXEC_INFO-unset}" >"$tmp/exec-info.\$PLUGIN_RUN"
[ "\${DROP_EXEC_INFO-}" = yes ] && unset KUBERNETES_EXEC_INFO
exec "$EKSAUTH" token --cluster-id prod --region us-east-1 --json
EOF
chmod 0755 "$tmp/plugin.sh"

# kubeconfig VERSION: a kubeconfig whose user runs the plugin with that exec apiVersion.
kubeconfig() {
    cat >"$tmp/kubeconfig.$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://127.0.0.1:$KUBE
    certificate-authority: $tmp/tls/ca.crt
users:
- name: eksauth
  user:
    exec:
      apiVersion: client.authentication.k8s.io/$1
      command: $tmp/plugin.sh
      interactiveMode: Never
contexts:
- name: prod
  context: {cluster: prod, user: eksauth}
current-context: prod
EOF
}

# get VERSION RUN: kubectl reads the aws-auth ConfigMap through the plugin.
get() {
    kubeconfig "$1"
    PLUGIN_RUN=$2 kubectl --kubeconfig "$tmp/kubeconfig.$1" \
        get --raw /api/v1/namespaces/kube-system/configmaps/aws-auth >"$tmp/out.$2" 2>"$tmp/err.$2"
}

for v in v1 v1beta1; do
    get "$v" "$v"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '"mapRoles"' "$tmp/out.$v"; then
        pass "kubectl with exec apiVersion $v: the token eksauth mints opens the API"
    else
        fail "kubectl with exec apiVersion $v: the token eksauth mints opens the API"
        sed 's/^/# /' "$tmp/err.$v"
    fi
    like "$(cat "$tmp/exec-info.$v")" "\"apiVersion\":\"client.authentication.k8s.io/$v\"" \
        "kubectl sent KUBERNETES_EXEC_INFO asking for $v"
done

# Without KUBERNETES_EXEC_INFO eksauth answers v1beta1, which kubectl refuses for v1.
kubeconfig v1
DROP_EXEC_INFO=yes PLUGIN_RUN=drop kubectl --kubeconfig "$tmp/kubeconfig.v1" \
    get --raw /api/v1/namespaces/kube-system/configmaps/aws-auth >/dev/null 2>"$tmp/err.drop"
is "$?" "1" "kubectl refuses a v1beta1 answer to a v1 exec config"
like "$(cat "$tmp/err.drop")" "v1beta1" "kubectl names the version it got"

# The API saw one authenticated read per successful run, as the mapped role.
"$PYTHON" - "$tmp/kube.log" >"$tmp/users" <<'EOF'
import json, sys
print(" ".join(sorted({json.loads(l).get("user") or "-" for l in open(sys.argv[1])
                       if json.loads(l).get("status") == 200})))
EOF
is "$(cat "$tmp/users")" "bastion-sync" "the API stand-in served the role the token names"

done_testing
