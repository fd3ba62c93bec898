#!/bin/bash
# mkseeds.sh - regenerate the committed seed corpora of tests/fuzz/corpus/
# (run by hand when a format changes; CI only reads what is committed).
# Tokens are minted with the test credentials of tests/fixtures/sts (fake
# keys: the secrets are in the repository already) at FUZZ_SIGNED
# (2026-01-01T00:00:00Z), by `eksauth token` and by the real
# `aws eks get-token`, so the targets' clock (FUZZ_NOW, five minutes later)
# accepts them.  aws-auth seeds are the test fixtures.
#
# usage: tests/fuzz/mkseeds.sh BUILDDIR     (a built tree: tools/eksauth, iddb_tool)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: mkseeds.sh BUILDDIR}
EKSAUTH=$build/tools/eksauth
C=$here/corpus
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
NOW=1767225600 # FUZZ_SIGNED in fuzz.h

rm -rf "$C"
mkdir -p "$C"/{token,query,pieces,awsauth,template,names,arn,config,sts,iddb,login_index,replay,kubeconfig,creds,kube_api,exec_credential}

for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
HOME=$(mktemp -d)
export AWS_EC2_METADATA_DISABLED=true HOME
trap 'rm -rf "$HOME"' EXIT

creds() {
    eval "$("$PYTHON" - "$top/tests/fixtures/sts/creds.json" "$1" <<'PY'
import json, shlex, sys
c = json.load(open(sys.argv[1]))[sys.argv[2]]
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (shlex.quote(sys.argv[2]), shlex.quote(c["secret"])))
print("export AWS_SESSION_TOKEN=%s" % shlex.quote(c["session_token"]) if c.get("session_token") else "unset AWS_SESSION_TOKEN")
PY
)"
}

n=0
mint() { # NAME AKID eksauth-token-args...
    local name=$1 akid=$2
    shift 2
    (creds "$akid"; "$EKSAUTH" token --now $NOW "$@") >"$C/token/$name" || exit 1
    printf '%s' "$(cat "$C/token/$name")" >"$C/token/$name"
}
mint akia-regional AKIAFAKEUSER00000001 --cluster-id prod --region us-east-1
mint asia-regional ASIAFAKEEXAMPLE00001 --cluster-id prod --region us-east-1
mint asia-global ASIAFAKEEXAMPLE00002 --cluster-id test-cluster --global
mint akia-west AKIAFAKEUSER00000001 --cluster-id prod --region us-west-2
(creds ASIAFAKEEXAMPLE00001; AWS_DEFAULT_REGION=us-east-1 "$PYTHON" "$top/tests/lib/aws_get_token.py" \
    --now $NOW --cluster-name prod --output json) |
    "$PYTHON" -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["status"]["token"])' \
        >"$C/token/aws-eks-get-token" || exit 1

# query: the URLs inside the tokens, and a few shapes around them.
# pieces: each token in 500-byte pieces (what eksauth askpass answers), and whole.
"$PYTHON" - "$C" <<'PY'
import base64, os, sys
c = sys.argv[1]
for name in sorted(os.listdir(os.path.join(c, "token"))):
    t = open(os.path.join(c, "token", name)).read()
    body = t[len("k8s-aws-v1."):]
    url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    open(os.path.join(c, "query", name), "wb").write(url)
    p = [t[i:i + 500] for i in range(0, len(t), 500)]
    open(os.path.join(c, "pieces", name), "w").write("\n".join([x + "\\" for x in p[:-1]] + [p[-1]]))
open(os.path.join(c, "query", "minimal"), "w").write("https://sts.amazonaws.com/?Action=GetCallerIdentity")
open(os.path.join(c, "pieces", "cut-ssh"), "w").write("k8s-aws-v1." + "A" * 1012)
PY

cp "$top"/tests/fixtures/aws-auth-*.yaml "$top"/tests/fixtures/aws-auth-*.json "$C/awsauth/"
for f in "$top"/tests/fixtures/{iddb,pam,sts,cluster}/aws-auth*.yaml; do
    [ -f "$f" ] && cp "$f" "$C/awsauth/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# template: byte 0 picks username (even) or group (odd); template NUL session name.
printf '\0admin:{{SessionName}}\0bob@example.com' >"$C/template/username-session"
printf '\0{{SessionNameRaw}}-{{AccountID}}\0alice' >"$C/template/raw-account"
printf '\1key-{{AccessKeyID}}\0x' >"$C/template/group-akid"
printf '\0node:{{EC2PrivateDNSName}}\0x' >"$C/template/ec2"
printf '\0{{Unknown}}\0x' >"$C/template/unknown"

for s in admin:alice system:masters bob@example.com 'Very.Long.Name.With.Many.Parts.That.Exceeds.Thirty.Two' \
    ':colon' '../etc' 'root' 'sudo'; do
    printf '%s' "$s" >"$C/names/$(printf '%s' "$s" | tr -c 'A-Za-z0-9' '_' | cut -c1-40)"
done

for a in 'arn:aws:iam::111122223333:role/eks-admins' 'arn:aws:sts::111122223333:assumed-role/eks-admins/alice' \
    'arn:aws:iam::123456789012:role/teams/platform/Admins' 'arn:aws:iam::123456789012:user/ops/Bob' \
    'arn:aws:iam::123456789012:root' 'arn:aws:sts::123456789012:federated-user/Bob' \
    'arn:aws-cn:iam::123456789012:role/ChinaOps' 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/x@y.z'; do
    printf '%s' "$a" >"$C/arn/$(printf '%s' "$a" | md5sum | cut -c1-12)"
done

cat >"$C/config/full" <<'CONF'
# every key once
cluster_id = prod
partition = aws
region = us-east-1
sts_connect_timeout = 2
sts_timeout = 5
sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:8443
sts_ca_file = /etc/eksauth/ca.crt
https_proxy = http://proxy.internal:3128
sts_host = vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com
max_clock_skew = 300
single_use = yes
source = file
aws_auth_file = /etc/eksauth/aws-auth.yaml
db_path = /var/lib/eksauth/identity.db
uid_min = 1900000000
uid_max = 1999999999
group_prefix = eks-
group_map = system:masters sudo
user_map = admin:alice alice
home = /home/%u
shell = /bin/bash
deny_user = admin
allow_system_users = no
CONF
printf 'cluster_id = prod\n' >"$C/config/minimal"
printf 'cluster_id = prod\nsource = kubernetes+eks-api\ncluster_name = prod\ncluster_endpoint = https://ABC.gr7.us-east-1.eks.amazonaws.com\n' >"$C/config/cluster"

# sts: byte 0 picks the HTTP status (0 -> 200, 4 -> 400, 5 -> 403, 7 -> 500).
printf '\0{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:sts::111122223333:assumed-role/eks-admins/alice","UserId":"AROAFAKEROLEID000001:alice","Account":"111122223333"},"ResponseMetadata":{"RequestId":"0"}}}' >"$C/sts/assumed-role"
printf '\0{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Arn":"arn:aws:iam::111122223333:user/bob","UserId":"AIDAFAKEUSERID000001","Account":"111122223333"}}}' >"$C/sts/user"
printf '\5{"Error":{"Code":"SignatureDoesNotMatch","Message":"x","Type":"Sender"},"RequestId":"0"}' >"$C/sts/sig-error"
printf '\4<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>' >"$C/sts/throttling-xml"
printf '\7{"Error":{"Code":"InternalFailure"}}' >"$C/sts/500"

"$build/tests/integration/iddb_tool" make "$C/iddb/nss.db" "$top/tests/fixtures/iddb/nss.spec" || exit 1
rm -f "$C/iddb/nss.db.lock"

# login_index: the index `eksauth sync` writes for the full fixture.
li=$(mktemp -d) || exit 1
chmod 0755 "$li"
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s/identity.db\n' \
    "$top/tests/fixtures/aws-auth-full.yaml" "$li" >"$li/eksauth.conf"
"$build/tools/eksauth" --config "$li/eksauth.conf" sync >/dev/null 2>&1
cp "$li/aws-auth.index" "$C/login_index/full.index" || exit 1
rm -rf "$li"

# replay: an empty record and one of three entries (sorted hashes).
"$PYTHON" - "$C/replay" <<'PY'
import hashlib, os, struct, sys
d = sys.argv[1]
def rec(hs):
    hs = sorted(hs)
    return b"EKSRPLY\n" + struct.pack("<II", 1, len(hs)) + b"".join(h + struct.pack("<Q", 1767226500) for h in hs)
open(os.path.join(d, "empty"), "wb").write(rec([]))
open(os.path.join(d, "three"), "wb").write(rec([hashlib.sha256(b"sig%d" % i).digest() for i in range(3)]))
PY

# kubeconfig: what the real `aws eks update-kubeconfig` writes (in process, its
# DescribeCluster answered here: tests/lib/aws_update_kubeconfig.py), alone and
# merged into one file; then other exec commands and malformed sections. A line
# "#--" splits an input into the files of KUBECONFIG (fuzz_kubeconfig.c).
K=$C/kubeconfig
ukc() { # FILE update-kubeconfig-args...
    local f=$1
    shift
    "$PYTHON" "$top/tests/lib/aws_update_kubeconfig.py" --kubeconfig "$f" "$@" >/dev/null || exit 1
}
ROLE=arn:aws:iam::111122223333:role/eks-admins
ukc "$K/update-kubeconfig" --name prod --region us-east-1
ukc "$K/update-kubeconfig-role-arn" --name prod --region us-east-1 --role-arn "$ROLE"
AWS_PROFILE=kube-profile ukc "$K/update-kubeconfig-profile" --name prod --region us-east-1
# Two regions and an alias (the west current), then another cluster current.
ukc "$K/update-kubeconfig-merged" --name prod --region us-east-1 --role-arn "$ROLE"
ukc "$K/update-kubeconfig-merged" --name prod --region us-west-2 --alias w2 --user-alias w2-user \
    --profile w2-profile
cp "$K/update-kubeconfig-merged" "$K/update-kubeconfig-other-current"
ukc "$K/update-kubeconfig-other-current" --name staging --region us-east-1
# Two files: the first names the context current, the second its user.
{ cat "$K/update-kubeconfig"; printf '#--\n'; cat "$K/update-kubeconfig-profile"; } >"$K/two-files"
CA=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
# An exec: section's apiVersion: without one kubectl runs no plugin (seed no-api-version).
API='      apiVersion: client.authentication.k8s.io/v1beta1'
# kc NAME LINE...: one cluster prod, its context current, user u of the lines given.
kc() {
    local name=$1
    shift
    {
        printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n'
        printf '    server: https://prod.example\n    certificate-authority-data: %s\n' "$CA"
        printf 'contexts:\n- name: prod\n  context: {cluster: prod, user: u}\n'
        printf 'current-context: prod\nusers:\n- name: u\n  user:\n'
        printf '%s\n' "$@"
    } >"$K/$name"
}
kc authenticator '    exec:' "$API" \
    '      command: aws-iam-authenticator' "      args: [token, -i, prod, -r, $ROLE]"
kc authenticator-short '    exec:' "$API" '      command: /usr/local/bin/aws-iam-authenticator' \
    "      args: [token, -i, prod, -r$ROLE]"
kc authenticator-default-role '    exec:' "$API" '      command: aws-iam-authenticator' \
    '      args: [token, --cluster-id, prod]' '      env:' \
    "      - {name: DEFAULT_ROLE, value: \"$ROLE\"}" '      - {name: AWS_PROFILE, value: dev}'
kc authenticator-session '    exec:' "$API" '      command: aws-iam-authenticator' \
    "      args: [token, -i, prod, --role=$ROLE, --session-name, me]"
kc eksauth-token '    exec:' "$API" '      command: eksauth' '      args: [token, --cluster-id, prod, --json]' \
    '      env:' '      - name: AWS_PROFILE' '        value: ops' '      - name: AWS_REGION' \
    '        value: us-east-1' '      - name: KUBE_ONLY' '        value: x'
kc aws-equals '    exec:' "$API" '      command: aws' \
    "      args: [--region, us-east-1, eks, get-token, --cluster-name, prod, --role-arn=$ROLE, --profile=p.1]" \
    '      env:' '      - {name: AWS_STS_REGIONAL_ENDPOINTS, value: regional}'
kc aws-secrets '    exec:' "$API" '      command: aws' '      args: [eks, get-token, --cluster-name, prod]' \
    '      env:' '      - {name: AWS_ACCESS_KEY_ID, value: AKIAFAKEUSER00000001}' \
    '      - {name: AWS_SECRET_ACCESS_KEY, value: "fake/secret+key"}' '      - {name: AWS_SESSION_TOKEN}'
kc other-command '    exec:' "$API" '      command: kubelogin' '      args: [get-token, --login, azurecli]'
kc token-user '    token: abc'
kc bad-role '    exec:' "$API" '      command: aws' \
    '      args: [eks, get-token, --role-arn, "arn:aws:iam::111122223333:user/bob"]'
kc bad-profile '    exec:' "$API" '      command: aws' '      args: [eks, get-token, --profile, --debug]'
kc bad-env-name '    exec:' "$API" '      command: aws' '      args: [eks, get-token]' '      env:' \
    '      - {name: AWS_profile, value: x}'
kc control-value '    exec:' "$API" '      command: aws' '      args: [eks, get-token]' '      env:' \
    '      - {name: AWS_REGION, value: "us-east-1\nX=1"}'
kc nul-arg '    exec:' "$API" '      command: aws' "      args: [eks, get-token, --role-arn, \"$ROLE\\0x\"]"
kc args-not-list '    exec:' "$API" '      command: aws' '      args: eks get-token'
kc env-no-name '    exec:' "$API" '      command: aws' '      args: [eks, get-token]' '      env: [{value: x}]'
kc env-value-not-string '    exec:' "$API" '      command: aws' '      args: [eks, get-token]' \
    '      env: [{name: AWS_PROFILE, value: [x]}]'
kc exec-scalar '    exec: aws eks get-token'
kc no-api-version '    exec:' '      command: aws' "      args: [eks, get-token, --role-arn, $ROLE]"
kc anchors '    exec: &e' "$API" '      command: aws' '      args: &a [eks, get-token, --role-arn, *a]'
# Contexts of one cluster that disagree, none current; a JSON kubeconfig; not a kubeconfig.
cat >"$K/contexts-disagree" <<EOF
clusters:
- {name: prod, cluster: {server: 'https://p', certificate-authority-data: $CA}}
contexts:
- {name: a, context: {cluster: prod, user: ua}}
- {name: b, context: {cluster: prod, user: ub}}
users:
- {name: ua, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --role-arn, '$ROLE']}}}
- {name: ub, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --profile, other]}}}
EOF
printf '%s' '{"apiVersion":"v1","kind":"Config","clusters":[{"name":"arn:aws:eks:eu-west-1:111122223333:cluster/prod","cluster":{"server":"https://p","insecure-skip-tls-verify":true}}],"contexts":[{"name":"c","context":{"cluster":"arn:aws:eks:eu-west-1:111122223333:cluster/prod","user":"u"}}],"current-context":"c","users":[{"name":"u","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1beta1","command":"aws","args":["eks","get-token","--cluster-name","prod"]}}}]}' \
    >"$K/json"
# certificate-authority: a path, relative to the kubeconfig's folder or not.
cat >"$K/ca-file" <<EOF
clusters:
- {name: prod, cluster: {server: 'https://p/', certificate-authority: ca/prod.pem}}
- {name: 'arn:aws:eks:us-west-2:111122223333:cluster/prod', cluster: {server: 'https://w', certificate-authority: /etc/ca.pem}}
contexts:
- {name: prod, context: {cluster: prod, user: u}}
current-context: prod
users:
- {name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --profile, dev]}}}
EOF
# proxy-url and tls-server-name (kubeconfig.h, eksauth_kube_target_route).
cat >"$K/route" <<EOF
clusters:
- {name: prod, cluster: {server: 'https://10.0.0.5:6443/k8s', tls-server-name: api.prod.example, proxy-url: 'socks5://127.0.0.1:1080', certificate-authority-data: $CA}}
- {name: 'arn:aws:eks:us-west-2:111122223333:cluster/prod', cluster: {server: 'https://[fd00::1]', tls-server-name: w, proxy-url: 'ftp://x', certificate-authority-data: $CA}}
contexts:
- {name: prod, context: {cluster: prod, user: u}}
current-context: prod
users:
- {name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, prod]}}}
EOF
# A cluster client-go refuses before any plugin runs: insecure beside a CA.
cat >"$K/insecure-with-ca" <<EOF
clusters:
- {name: prod, cluster: {server: 'https://p', insecure-skip-tls-verify: yes, certificate-authority-data: $CA}}
contexts: [{name: i, context: {cluster: prod, user: ui}}]
current-context: i
users: [{name: ui, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --role-arn, '$ROLE']}}}]
EOF
# The name "": the context named "" is current when none is set, and runs the user named "".
cat >"$K/empty-names" <<EOF
clusters: [{name: prod, cluster: {server: 'https://p', certificate-authority-data: $CA}}]
contexts: [{name: '', context: {cluster: prod}}, {name: b, context: {cluster: prod, user: ub}}]
users:
- {name: '', user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --profile, none]}}}
- {name: ub, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --profile, b]}}}
EOF
printf -- '- not\n- a mapping\n' >"$K/sequence"
printf 'clusters: [\n' >"$K/not-yaml"

# creds: byte 0 picks the reader (bits 0-1: 0 the credentials file, 2 the chain of
# credentials and config split at "#--", 3 instance metadata) and the profile
# (bits 2-3: default, dev, prod, "a b"; bit 4: named). The files are what the real
# `aws configure set` writes (fuzz_creds.c).
A=$(mktemp -d) || exit 1
awsset() { AWS_SHARED_CREDENTIALS_FILE=$A/credentials AWS_CONFIG_FILE=$A/config aws configure set "$@" || exit 1; }
awsset aws_access_key_id AKIAFAKEUSER00000001
awsset aws_secret_access_key fake/secret+key
awsset region us-east-1
awsset aws_access_key_id ASIAFAKEEXAMPLE00001 --profile dev
awsset aws_secret_access_key fake/dev+secret --profile dev
awsset aws_session_token FwoGZXIvYXdzEFAKEsessiontoken --profile dev
awsset region eu-west-1 --profile dev
awsset role_arn arn:aws:iam::111122223333:role/ops --profile prod
awsset source_profile dev --profile prod
awsset region us-gov-west-1 --profile 'a b'
awsset aws_access_key_id AKIAFAKEUSER00000002 --profile 'a b'
awsset aws_secret_access_key spaced/secret --profile 'a b'
{ printf '\0'; cat "$A/credentials"; } >"$C/creds/credentials-default"
{ printf '\4'; cat "$A/credentials"; } >"$C/creds/credentials-dev"
{ printf '\14'; cat "$A/credentials"; } >"$C/creds/credentials-a-b"
{ printf '\2'; cat "$A/credentials"; printf '#--\n'; cat "$A/config"; } >"$C/creds/chain-default"
{ printf '\26'; cat "$A/credentials"; printf '#--\n'; cat "$A/config"; } >"$C/creds/chain-dev-named"
{ printf '\32'; cat "$A/credentials"; printf '#--\n'; cat "$A/config"; } >"$C/creds/chain-prod-role"
{ printf '\36'; printf '#--\n'; cat "$A/config"; } >"$C/creds/chain-a-b-config-only"
rm -rf "$A"
printf '\0[DEFAULT]\nregion = us-east-1\n[default]\naws_access_key_id = AKIAFAKEUSER00000001\naws_secret_access_key =\n    continued\n; comment\n# comment\n' >"$C/creds/defaults-continuation"
printf '\0[default]\r\naws_access_key_id: AKIAFAKEUSER00000001\r\nAWS_SECRET_ACCESS_KEY : s\r\n[default]\r\n' >"$C/creds/crlf-repeated"
printf '\2#--\n[profile "dev"]\nregion = us-west-2\n[profile dev]\nregion = us-east-2\n[default]\nregion=ap-southeast-2\n' >"$C/creds/config-quoted"
"$PYTHON" - "$C/creds" <<'PY'
import json, os, sys
d = sys.argv[1]
doc = {"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC",
       "AccessKeyId": "ASIAFAKEEXAMPLE00001", "SecretAccessKey": "fake/imds+secret",
       "Token": "FwoGZXIvYXdzEFAKEimdstoken", "Expiration": "2026-01-01T06:00:00Z"}
open(os.path.join(d, "imds"), "wb").write(b"\3" + json.dumps(doc, indent=2).encode())
open(os.path.join(d, "imds-failed"), "wb").write(b"\3" + json.dumps({"Code": "AssumeRoleUnauthorizedAccess"}).encode())
PY

# kube_api: byte 0 picks the reader (fuzz_kube_api.c); the answers have the shapes
# the API servers send (tests/lib/fake_kube.py, tests/lib/fake_eks.py).
"$PYTHON" - "$C/kube_api" "$top/tests/fixtures/cluster" <<'PY'
import json, os, sys
d, fx = sys.argv[1], sys.argv[2]
def put(name, reader, obj, raw=False):
    body = obj if raw else json.dumps(obj).encode() + b"\n"
    open(os.path.join(d, name), "wb").write(bytes([reader]) + body)
cm = json.load(open(os.path.join(fx, "configmap.json")))
entries = json.load(open(os.path.join(fx, "access-entries.json")))
put("configmap", 0, cm)
put("list", 1, {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {"resourceVersion": "4243"}, "items": [cm]})
put("list-empty", 1, {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {"resourceVersion": "17"}, "items": []})
put("event-modified", 2, {"type": "MODIFIED", "object": cm})
put("event-bookmark", 2, {"type": "BOOKMARK", "object": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": "4250"}}})
gone = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "too old resource version: 1 (4242)", "reason": "Expired", "code": 410}}
put("event-gone", 2, gone)
stream = b"".join(json.dumps(e).encode() + b"\n" for e in [
    {"type": "ADDED", "object": cm}, {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "4244"}}},
    {"type": "DELETED", "object": cm}, gone]) + b'{"type": "ADD'
put("stream", 3, b"\x07" + stream, raw=True)
put("entries", 4, {"accessEntries": [e["principalArn"] for e in entries], "nextToken": "tok+Mg==/="})
put("entries-last", 4, {"accessEntries": [], "nextToken": None})
put("cluster", 5, {"cluster": {"name": "prod", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
    "status": "ACTIVE", "accessConfig": {"bootstrapClusterCreatorAdminPermissions": True,
    "authenticationMode": "API_AND_CONFIG_MAP"}}})
put("cluster-old", 5, {"cluster": {"name": "prod", "status": "ACTIVE"}})
put("policies", 6, {"clusterName": "prod", "principalArn": "arn:aws:iam::111122223333:role/ops",
    "associatedAccessPolicies": [
        {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
         "accessScope": {"type": "cluster", "namespaces": []}, "associatedAt": 1767225600.0},
        {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
         "accessScope": {"type": "namespace", "namespaces": ["dev", "web-*"]}}],
    "nextToken": None})
for i, e in enumerate(entries):
    ae = dict(e, clusterName="prod", modifiedAt=1767225600.5,
              accessEntryArn="arn:aws:eks:us-east-1:111122223333:access-entry/prod/x")
    put("describe-%d" % i, 7, {"accessEntry": ae})
put("review", 8, {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
    "metadata": {"creationTimestamp": None}, "status": {"userInfo": {"username": "alice",
    "uid": "aws-iam-authenticator:111122223333:AIDAFAKE", "groups": ["devs", "system:authenticated"],
    "extra": {"arn": ["arn:aws:iam::111122223333:user/alice"], "canonicalArn": ["arn:aws:iam::111122223333:user/alice"]}}}})
put("status", 9, gone["object"])
PY

# exec_credential: byte 0 picks the caller's buffer (5: the real one); what the
# real `aws eks get-token` prints, and `eksauth token --json`.
(creds ASIAFAKEEXAMPLE00001; AWS_DEFAULT_REGION=us-east-1 "$PYTHON" "$top/tests/lib/aws_get_token.py" \
    --now $NOW --cluster-name prod --output json) >"$C/exec_credential/aws.json.tmp" || exit 1
{ printf '\5'; cat "$C/exec_credential/aws.json.tmp"; } >"$C/exec_credential/aws-eks-get-token"
{ printf '\2'; cat "$C/exec_credential/aws.json.tmp"; } >"$C/exec_credential/aws-short-buffer"
rm -f "$C/exec_credential/aws.json.tmp"
{ printf '\5'; creds AKIAFAKEUSER00000001; "$EKSAUTH" token --now $NOW --cluster-id prod --region us-east-1 --json; } \
    >"$C/exec_credential/eksauth-token-json" || exit 1
printf '\5  {"status": {"token": "k8s-aws-v1.x", "expirationTimestamp": null}}\n' >"$C/exec_credential/minimal"
du -sh "$C"
