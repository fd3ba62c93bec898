#!/usr/bin/env bash
# map.sh - `eksauth map` on the sample ConfigMap and on hand-written fixtures:
# the identity JSON, the exit codes, and the warnings for malformed entries.
set -u
. "$top_srcdir/tests/lib/tap.sh"

sample=$FIXTURES/aws-auth-sample.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# No host configuration may leak in: an empty config of our own.
# Instance metadata on a closed port: {{EC2PrivateDNSName}} never reaches a real IMDS.
printf 'cluster_id = test-cluster\nimds_endpoint = http://127.0.0.1:1\n' > "$tmp/eksauth.conf"
run() { "$EKSAUTH" --config "$tmp/eksauth.conf" "$@" > "$tmp/out" 2> "$tmp/err"; echo $? > "$tmp/rc"; }
rc() { cat "$tmp/rc"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d[sys.argv[2]]) if not isinstance(d[sys.argv[2]], str) else d[sys.argv[2]])' "$tmp/out" "$1"; }

plan 37

run map arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole --aws-auth "$sample"
is "$(rc)" 0 "the CodeBuild role maps"
is "$(field username)" build "username is build"
is "$(field groups)" '["system:masters"]' "groups are [system:masters]"
is "$(field login)" build "login is build"
like "$(field posix_groups)" '"name": "eks-system-masters"' "posix_groups include eks-system-masters"
is "$(field source)" mapRoles "source is mapRoles"
like "$(field uid)" '^19[0-9]{8}$' "uid is in the default range"
# The placeholder entry of the sample is reported with its line, and the rest maps.
like "$(cat "$tmp/err")" 'warning: .*mapRoles: [0-9]+:[0-9]+: .*entry skipped' "the {{aws-account-id}} entry is reported as malformed with its position"

run map arn:aws:sts::123456789012:assumed-role/EksCodeBuildKubectlRole/codebuild-session --aws-auth "$sample"
is "$(rc)" 0 "an assumed-role ARN is canonicalised and maps"
is "$(field canonical_arn)" arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole "canonical ARN is the role's"
is "$(field session_name)" codebuild-session "the session name comes from the ARN"

uid_a=$(run map arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole --aws-auth "$sample"; field uid)
uid_b=$(run map arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole --aws-auth "$sample"; field uid)
is "$uid_a" "$uid_b" "the uid is the same on every run"

run map arn:aws:iam::123456789012:role/eksctl-foo-nodegroup-bar-NodeInstanceRole-u4CxYVzWNTmG --session-name i-0123456789abcdef0 --aws-auth "$sample"
is "$(rc)" 1 "the node role is refused off EC2 (exit 1)"
like "$(cat "$tmp/err")" "^eksauth: map: .*EC2PrivateDNSName}}: this host's own instance is unknown" "with the EC2PrivateDNSName reason"

run map arn:aws:iam::123456789012:role/NotInAwsAuth --aws-auth "$sample"
is "$(rc)" 3 "an unmapped role exits 3"
like "$(cat "$tmp/err")" '^eksauth: map: .*not mapped' "and says it is not mapped"

run map not-an-arn --aws-auth "$sample"
is "$(rc)" 2 "a malformed ARN is a usage error"

run map arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole --aws-auth "$tmp/missing.yaml"
is "$(rc)" 2 "a missing aws-auth file is an error (exit 2)"
like "$(cat "$tmp/err")" "missing.yaml" "naming the file"

cat > "$tmp/templated.yaml" <<'YAML'
mapRoles: |
  - rolearn: arn:aws:iam::123456789012:role/admins
    username: admin:{{SessionName}}
    groups:
      - system:masters
YAML
run map arn:aws:sts::123456789012:assumed-role/admins/alice@example.com --aws-auth "$tmp/templated.yaml"
is "$(field username)" "admin:alice-example.com" "a {{SessionName}} template renders with @ -> -"
is "$(field login)" "admin-alice-example.com" "and gives a POSIX login"

cat > "$tmp/root.yaml" <<'YAML'
mapRoles: |
  - rolearn: arn:aws:iam::123456789012:role/admins
    username: root
YAML
run map arn:aws:iam::123456789012:role/admins --aws-auth "$tmp/root.yaml"
is "$(rc)" 1 "a mapping to root is refused"

# A merge key after an entry's own keys overrides them in the cluster (Ops is ReadOnly's entry
# there): read as written it would be admin here.  The value is dropped; mapUsers still maps.
cat > "$tmp/merge.yaml" <<'YAML'
mapRoles: |
  - &ro
    rolearn: arn:aws:iam::123456789012:role/ReadOnly
    username: viewer
  - rolearn: arn:aws:iam::123456789012:role/Ops
    username: admin
    groups: [system:masters]
    <<: *ro
mapUsers: |
  - userarn: arn:aws:iam::123456789012:user/bob
    username: bob
YAML
run map arn:aws:sts::123456789012:assumed-role/Ops/s --aws-auth "$tmp/merge.yaml"
like "$(rc):$(cat "$tmp/err")" '^3:.*mapRoles dropped: 8:5: mapRoles: a YAML merge key \(<<\)' "a merge key drops mapRoles: the role is not mapped (exit 3), and why"
run map arn:aws:iam::123456789012:user/bob --aws-auth "$tmp/merge.yaml"
is "$(rc):$(field username)" 0:bob "... while mapUsers still maps"

# Usage errors in the form of every other command: one line "eksauth: map: ...", the usage, exit 2.
run map --bogus arn:aws:iam::123456789012:role/admins
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: unknown option --bogus$' "an unknown option: eksauth: map: unknown option"
is "$(sed -n 2p "$tmp/err" | cut -d' ' -f1-3)" "usage: eksauth map" "... then the usage"
run map arn:aws:iam::123456789012:role/admins --session-name
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: --session-name needs a value$' "an option without its value: eksauth: map: OPT needs a value"
run map
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: the ARN is required$' "no ARN: eksauth: map: the ARN is required"
# --session-name: only a role's session has a name (the cluster's SessionName is empty for the
# others), and it is checked as the token path checks an assumed-role ARN's session.
run map arn:aws:iam::123456789012:user/bob --session-name alice --aws-auth "$tmp/templated.yaml"
like "$(rc):$(head -n 1 "$tmp/err")" "^2:eksauth: map: --session-name: a user ARN has no session name; only a role's or an assumed role's takes one$" "--session-name for an IAM user: exit 2, and why"
run map arn:aws:sts::123456789012:federated-user/bob --session-name alice --aws-auth "$tmp/templated.yaml"
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: --session-name: a federated-user ARN has no session name' "... for a federated user too"
run map arn:aws:sts::123456789012:assumed-role/admins/alice --session-name bob --aws-auth "$tmp/templated.yaml"
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: --session-name bob differs from the ARN.s own session name alice' \
    "an assumed-role ARN with another --session-name: exit 2 (no login presents that pair)"
run map arn:aws:sts::123456789012:assumed-role/admins/alice --session-name 'al ice' --aws-auth "$tmp/templated.yaml"
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: --session-name: not a session name: 1 to 127 of ' "a session name with a space: exit 2"
run map arn:aws:iam::123456789012:role/admins --session-name "$(printf 'a%.0s' $(seq 128))" --aws-auth "$tmp/templated.yaml"
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: --session-name: not a session name' "128 characters: exit 2"
run map arn:aws:iam::123456789012:role/admins --session-name "$(printf 'a%.0s' $(seq 127))" --aws-auth "$tmp/templated.yaml"
unlike "$(rc):$(head -n 1 "$tmp/err")" '^2:|--session-name' "127 characters pass the check, as in an assumed-role ARN"

# Without --aws-auth, the aws-auth of the last sync: none yet is "unavailable", exit 4, as --help says.
printf 'cluster_id = test-cluster\ndb_path = %s/no-db/identity.db\n' "$tmp" > "$tmp/nodb.conf"
"$EKSAUTH" --config "$tmp/nodb.conf" map arn:aws:iam::123456789012:role/admins > /dev/null 2> "$tmp/err"
echo $? > "$tmp/rc"
like "$(rc):$(head -n 1 "$tmp/err")" '^4:eksauth: map: no identity DB yet .*run eksauth sync first$' "no sync yet: exit 4, and what to run"
like "$("$EKSAUTH" map --help)" '4 no identity DB' "map --help lists exit 4"

# A DB that may not be trusted is the host's setup to fix: exit 2, as eksauth users (not 1, a refused login).
mkdir -m 0755 "$tmp/db"
"$top_builddir/tests/integration/iddb_tool" make "$tmp/db/identity.db" "$top_srcdir/tests/fixtures/iddb/nss.spec"
chmod 0664 "$tmp/db/identity.db"
printf 'cluster_id = test-cluster\ndb_path = %s/db/identity.db\n' "$tmp" > "$tmp/baddb.conf"
"$EKSAUTH" --config "$tmp/baddb.conf" map arn:aws:iam::123456789012:role/admins > /dev/null 2> "$tmp/err"
echo $? > "$tmp/rc"
like "$(rc):$(head -n 1 "$tmp/err")" '^2:eksauth: map: identity DB: .*writable by group or others.*chmod go-w' "a group-writable DB: exit 2 and the fix"

done_testing
