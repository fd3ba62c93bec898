#!/bin/bash
# client.sh - the engineer's side, end to end, with the real OpenSSH client and
# sshd of tests/e2e/e2e_common.sh (issue 18):
#   a refused login takes one attempt and one token (eksauth ssh: one
#   keyboard-interactive attempt; plain ssh with SSH_ASKPASS=eksauth-askpass: askpass
#   makes no second token), and what the module says reaches the person's terminal
#   (the cut-token message, "eksauth: login refused: <reason>");
#   no AWS CLI: named once, with the two ways out;
#   an unknown host key: shown whole and accepted on a terminal (a pty), or, with no
#   terminal, shown whole with the ways to accept it for the right port;
#   eksauth scp and eksauth sftp over the real scp and sftp;
#   eksauth login-name: the Kubernetes SelfSubjectReview (tests/lib/fake_kube.py, its
#   bearer token checked with the STS stand-in) on the API server of a kubeconfig as
#   `aws eks update-kubeconfig` writes it, or EKSAUTH_CLUSTER_ENDPOINT; v1beta1 when
#   the server has no v1; HTTPS_PROXY, and the cluster's proxy-url (http, https, socks5)
#   and tls-server-name; refusals; and `eksauth ssh HOST` logging in with that name.
# No token or secret in any output.  TAP output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir, top_builddir (set by make check).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/e2e/e2e_common.sh"
e2e_plan_skip_if_unsupported
"$PYTHON" -c 'import yaml' 2>/dev/null || bail "python3 has no PyYAML (fake_kube.py reads YAML)"
SETSID=$(command -v setsid) || bail "setsid (util-linux) not found"
PTY="$top_srcdir/tests/lib/pty_run.py"

e2e_start_sts
e2e_config
e2e_namespace
e2e_sync || bail "eksauth sync failed: $(cat "$H/out/sync.out")"
e2e_start_syslog
e2e_start_sshd
pass "setup: STS stand-in on port $STS_PORT, sshd on port $SSH_PORT"
mint alice ASIAE2EADMINALICE001
printf '#!/bin/sh\nexec %s askpass "$@"\n' "$EKSAUTH" >"$H/bin/eksauth-askpass"
chmod 0755 "$H/bin/eksauth-askpass"
mapfile -t alice_env < <(creds_env ASIAE2EADMINALICE001)
# The bastion calls itself $E2E_HOST and is reached here as 127.0.0.1 (plain host key
# questions about 127.0.0.1 below): the engineer names the host meant, so askpass mints
# for it (sshd.sh reaches it with HostKeyAlias instead).
export EKSAUTH_HOST="$E2E_HOST"
# askpass has STS check a token command's output for the host's audience: the stand-in.
export EKSAUTH_STS_CONNECT_TO="sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT"
export EKSAUTH_STS_CA_FILE="$H/tls/ca.crt"

# The options of these logins: as SSH_OPTS, but with ssh's own LogLevel, so that
# what the server says to the person is shown (LogLevel=ERROR hides it).
OPTS=(-F /dev/null -p "$SSH_PORT" -o "UserKnownHostsFile=$H/client/known_hosts"
    -o StrictHostKeyChecking=yes -o ConnectTimeout=10)
failed_logins() { grep -c "Failed keyboard-interactive/pam for $1 " "$H/out/sshd.log"; }

# --------------------------------------------- 1. a refusal: one attempt, the reason
: >"$H/out/runs"
before=$(failed_logins erin)
at=$(wc -l <"$H/out/sshd.log")
t0=$(date +%s%N)
env EKSAUTH_TOKEN_COMMAND="echo run >>$H/out/runs; cat $H/tok/alice" \
    "$SETSID" "$EKSAUTH" ssh "${OPTS[@]}" erin@127.0.0.1 true >"$H/out/refused.out" \
    2>"$H/out/refused.err" </dev/null
rc=$?
took=$((($(date +%s%N) - t0) / 1000000))
is "$rc:$(wc -l <"$H/out/runs" | tr -d ' ')" "255:1" \
    "eksauth ssh, a token the host refuses (another login's): one token made (${took} ms)"
# The connection's end is logged after its every attempt.
sshd_log_has "$at" "Connection closed by authenticating user erin "
is "$(($(failed_logins erin) - before))" 1 "... and one keyboard-interactive attempt in sshd's log"
like "$(cat "$H/out/refused.err")" "Permission denied" "... then ssh's refusal"
# What pam_eksauth sends through the conversation when it refuses (PAM_ERROR_MSG) reaches the
# person's terminal: one line with the class of the refusal, never the token or the ARN.
is "$(grep '^eksauth: login refused: ' "$H/out/refused.err")" \
    "eksauth: login refused: your identity logs in as 'admin-alice' here" \
    "the reason class reaches the person (eksauth: login refused: ...), once"
# The module's message of today, over the same path: sshpass at ssh's own prompt, the
# assumed-role token cut at 1023 bytes by ssh.
sshpass -f "$H/tok/alice" -P "EKS token" ssh "${OPTS[@]}" -o PreferredAuthentications=keyboard-interactive \
    -o NumberOfPasswordPrompts=1 admin-alice@127.0.0.1 true >/dev/null 2>"$H/out/cut.err" </dev/null
like "$(cat "$H/out/cut.err")" "The EKS token was cut at 1023 bytes by the client" \
    "a message of pam_eksauth (PAM_ERROR_MSG) is shown by the real ssh client at its default LogLevel"

# Plain ssh with SSH_ASKPASS=eksauth-askpass and ssh's three tries: one token all the same.
: >"$H/out/runs"
env SSH_ASKPASS="$H/bin/eksauth-askpass" SSH_ASKPASS_REQUIRE=force \
    EKSAUTH_TOKEN_COMMAND="echo run >>$H/out/runs; cat $H/tok/alice" \
    "$SETSID" ssh "${OPTS[@]}" -o PreferredAuthentications=keyboard-interactive erin@127.0.0.1 true \
    >/dev/null 2>"$H/out/plain-refused.err" </dev/null
is "$?:$(wc -l <"$H/out/runs" | tr -d ' ')" "255:1" \
    "plain ssh with eksauth-askpass, three tries: the refused token is the only one made"
like "$(cat "$H/out/plain-refused.err")" "the host refused the token sent a moment ago" \
    "... askpass says why it makes no other"

# --------------------------------------------- 2. no AWS CLI
mkdir -p "$H/noaws"
ln -sf "$(command -v ssh)" "$H/noaws/ssh"
env EKSAUTH_CLUSTER="$CLUSTER" PATH="$H/noaws" "$SETSID" "$EKSAUTH" ssh "${OPTS[@]}" \
    admin-alice@127.0.0.1 true >/dev/null 2>"$H/out/noaws.err" </dev/null
is "$?:$(grep -c 'the AWS CLI (aws) is not installed' "$H/out/noaws.err")" "255:1" \
    "no AWS CLI: named once"
like "$(cat "$H/out/noaws.err")" "apt-get install awscli.*EKSAUTH_BUILTIN=1" "... with the two ways out"
unlike "$(cat "$H/out/noaws.err")" "No such file or directory" "... and no bare 'No such file or directory'"

# --------------------------------------------- 3. an unknown host key
fp=$(ssh-keygen -lf "$H/ssh/hostkey.pub" | awk '{ print $2 }')
: >"$H/client/kh_new"
"$PYTHON" "$PTY" --transcript "$H/out/hostkey.shown" --expect 'yes/no/\[fingerprint\]\)\? $' --send yes -- \
    env EKSAUTH_TOKEN_COMMAND="cat $H/tok/alice" "$EKSAUTH" ssh -F /dev/null -p "$SSH_PORT" \
    -o UserKnownHostsFile="$H/client/kh_new" -o StrictHostKeyChecking=ask admin-alice@127.0.0.1 'id -un'
rc=$?
is "$rc" 0 "eksauth ssh on a terminal: an unknown host key accepted with 'yes', then the token login"
grep -qF "fingerprint is $fp." "$H/out/hostkey.shown"
ok $? "... the host key's whole fingerprint was shown ($fp)"
like "$(tr -d '\r' <"$H/out/hostkey.shown" | tail -n 3)" "admin-alice" "... and the session ran as admin-alice"
like "$(cat "$H/client/kh_new")" "^\[127\.0\.0\.1\]:$SSH_PORT ssh-ed25519 " "... and ssh keeps the key in known_hosts"
: >"$H/client/kh_none"
env EKSAUTH_TOKEN_COMMAND="cat $H/tok/alice" "$SETSID" "$EKSAUTH" ssh -F /dev/null -p "$SSH_PORT" \
    -o UserKnownHostsFile="$H/client/kh_none" -o StrictHostKeyChecking=ask admin-alice@127.0.0.1 true \
    >/dev/null 2>"$H/out/hostkey-notty.err" </dev/null
is "$?" 255 "with no terminal: the unknown host key is not accepted"
grep -qF "fingerprint is $fp." "$H/out/hostkey-notty.err"
ok $? "... the whole fingerprint is shown"
like "$(cat "$H/out/hostkey-notty.err")" "eksauth ssh -p $SSH_PORT 127\.0\.0\.1 true.*ssh-keyscan -p $SSH_PORT 127\.0\.0\.1" \
    "... and how to accept it, for this port"

# --------------------------------------------- 4. eksauth scp and eksauth sftp
head -c 3000 /dev/urandom | base64 >"$H/client/upload.txt"
env EKSAUTH_TOKEN_COMMAND="cat $H/tok/alice" "$SETSID" "$EKSAUTH" scp -F /dev/null -P "$SSH_PORT" \
    -o UserKnownHostsFile="$H/client/known_hosts" -o StrictHostKeyChecking=yes \
    "$H/client/upload.txt" admin-alice@127.0.0.1:up.txt >"$H/out/scp.out" 2>"$H/out/scp.err" </dev/null
is "$?" 0 "eksauth scp: a file copied to the host with the real scp"
cmp -s "$H/client/upload.txt" "$H/home/admin-alice/up.txt"
ok $? "... it arrived whole in admin-alice's home"
printf 'get up.txt %s\n' "$H/client/down.txt" >"$H/client/batch"
env EKSAUTH_TOKEN_COMMAND="cat $H/tok/alice" "$SETSID" "$EKSAUTH" sftp -F /dev/null -P "$SSH_PORT" \
    -o UserKnownHostsFile="$H/client/known_hosts" -o StrictHostKeyChecking=yes \
    -b "$H/client/batch" admin-alice@127.0.0.1 >"$H/out/sftp.out" 2>"$H/out/sftp.err" </dev/null
is "$?" 0 "eksauth sftp: a batch run with the real sftp"
cmp -s "$H/client/upload.txt" "$H/client/down.txt"
ok $? "... and the file came back whole"

# --------------------------------------------- 5. eksauth login-name
# The cluster's API server: fake_kube.py with the same aws-auth, over TLS with the test CA.
# start_kube NAME ARGS...: sets KUBE_PORT.
start_kube() {
    local name=$1
    shift
    "$PYTHON" "$top_srcdir/tests/lib/fake_kube.py" --cert "$H/tls/server.crt" \
        --key "$H/tls/server.key" --ca "$H/tls/ca.crt" --configmap "$H/etc/aws-auth.yaml" \
        --sts-addr "127.0.0.1:$STS_PORT" --cluster-id "$CLUSTER" --ready-file "$H/$name.ready" \
        --log "$H/out/$name.log" "$@" >/dev/null 2>"$H/out/$name.err" &
    e2e_track "$name" $!
    e2e_wait_for "$H/$name.ready" $! "$H/out/$name.err" "fake_kube.py did not start"
    KUBE_PORT=$(cat "$H/$name.ready")
}
# kubeconfig FILE PORT [LINES]: what `aws eks update-kubeconfig --name $CLUSTER` writes,
# with LINES (more keys of the cluster, each "    key: value" and a newline) after server.
kubeconfig() {
    local arn="arn:aws:eks:us-east-1:111122223333:cluster/$CLUSTER"
    cat >"$1" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 <"$H/tls/ca.crt")
    server: https://127.0.0.1:$2
${3:-}  name: $arn
contexts:
- context:
    cluster: $arn
    user: $arn
  name: $arn
current-context: $arn
kind: Config
preferences: {}
users:
- name: $arn
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [--region, us-east-1, eks, get-token, --cluster-name, $CLUSTER, --output, json]
      command: aws
EOF
}
start_kube kube
kubeconfig "$H/client/kubeconfig" "$KUBE_PORT"
# who AKID ARGS...: eksauth login-name ARGS with that key's credentials; rc, $H/out/who.*
who() {
    local akid=$1
    shift
    env $(creds_env "$akid") EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/kubeconfig" \
        "$EKSAUTH" login-name "$@" >"$H/out/who.out" 2>"$H/out/who.err" </dev/null
    rc=$?
}
who ASIAE2EADMINALICE001
is "$rc:$(cat "$H/out/who.out")" "0:admin-alice" \
    "login-name: admin:{{SessionName}} for session alice, asked of the cluster, is admin-alice"
like "$(tail -n 1 "$H/out/kube.log")" '"path": "/apis/authentication.k8s.io/v1/selfsubjectreviews".*"status": 201' \
    "... a SelfSubjectReview (POST, v1) the API server answered 201"
who ASIAE2EADMINALICE001 --json
"$PYTHON" - "$H/out/who.out" >"$H/out/who.check" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["login"], d["username"], ",".join(d["groups"]), d["arn"])
EOF
is "$(cat "$H/out/who.check")" \
    "admin-alice admin:alice system:masters,system:authenticated arn:aws:sts::111122223333:assumed-role/eks-admins/alice" \
    "login-name --json: the login, the Kubernetes username, groups and ARN"
who ASIAE2EONCALLDAVE001
is "$rc:$(cat "$H/out/who.out")" "0:dave" "login-name: dave for the eks-oncall role"
who ASIAE2EUNMAPPEDCAROL
like "$rc:$(cat "$H/out/who.err")" "^1:eksauth: login-name: Kubernetes API .*401 Unauthorized.*neither aws-auth nor an access entry" \
    "login-name: an identity the cluster does not map: 401, said plainly (exit 1)"
env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER=other-cluster KUBECONFIG="$H/client/kubeconfig" \
    "$EKSAUTH" login-name >/dev/null 2>"$H/out/who-other.err" </dev/null
like "$?:$(cat "$H/out/who-other.err")" "^2:.*no cluster other-cluster in .*aws eks update-kubeconfig --name other-cluster" \
    "login-name for a cluster the kubeconfig does not have: how to add it"
env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/none" \
    EKSAUTH_CLUSTER_ENDPOINT="https://127.0.0.1:$KUBE_PORT" EKSAUTH_CLUSTER_CA_FILE="$H/tls/ca.crt" \
    "$EKSAUTH" login-name >"$H/out/who-env.out" 2>&1 </dev/null
is "$?:$(cat "$H/out/who-env.out")" "0:admin-alice" "login-name with EKSAUTH_CLUSTER_ENDPOINT and _CA_FILE, no kubeconfig"
# A token for another cluster: the API server (STS with its cluster id) refuses it.
(
    creds ASIAE2EADMINALICE001
    aws_eks_token --cluster-name other-cluster
) >"$H/tok/other" 2>/dev/null || bail "a token for another cluster could not be made"
env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/kubeconfig" \
    EKSAUTH_TOKEN_COMMAND="cat $H/tok/other" "$EKSAUTH" login-name >/dev/null 2>"$H/out/who-wrong.err" </dev/null
like "$?:$(cat "$H/out/who-wrong.err")" "^1:.*401 Unauthorized.*not for cluster $CLUSTER" \
    "login-name with a token for another cluster: 401, which cluster it must be for"
# An API server without SelfSubjectReview v1 (Kubernetes 1.27): v1beta1.
start_kube kube-127 --review-versions v1beta1
kubeconfig "$H/client/kubeconfig-127" "$KUBE_PORT"
env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/kubeconfig-127" \
    "$EKSAUTH" login-name >"$H/out/who-127.out" 2>&1 </dev/null
is "$?:$(cat "$H/out/who-127.out")" "0:admin-alice" "login-name on an API server with only v1beta1"
like "$(cut -d, -f1 "$H/out/kube-127.log" | tr '\n' ' ')" "/v1/selfsubjectreviews.*/v1beta1/selfsubjectreviews" \
    "... asked v1 (404) and then v1beta1"
# start_proxy NAME TO [--plain]: a CONNECT proxy to port TO (https://, with the test CA's
# certificate; http:// with --plain), logging to $H/out/NAME.log.
start_proxy() {
    "$PYTHON" "$top_srcdir/tests/lib/fake_tls_proxy.py" ${3:-} --cert "$H/tls/server.crt" \
        --key "$H/tls/server.key" --to "$2" --ready-file "$H/$1.ready" \
        --log "$H/out/$1.log" >/dev/null 2>"$H/out/$1.err" &
    e2e_track "$1" $!
    e2e_wait_for "$H/$1.ready" $! "$H/out/$1.err" "fake_tls_proxy.py did not start"
}
# Through the laptop's HTTPS_PROXY (an http:// CONNECT proxy), as kubectl goes.
start_proxy proxy "$KUBE_PORT" --plain
env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/kubeconfig-127" \
    HTTPS_PROXY="http://127.0.0.1:$(cat "$H/proxy.ready")" \
    "$EKSAUTH" login-name >"$H/out/who-proxy.out" 2>&1 </dev/null
is "$?:$(cat "$H/out/who-proxy.out")" "0:admin-alice" "login-name with HTTPS_PROXY set: answered"
like "$(cat "$H/out/proxy.log")" "\"request\": \"CONNECT 127.0.0.1:$KUBE_PORT HTTP/1.1\"" \
    "... through the proxy, as kubectl would go"

# The cluster's proxy-url wins over HTTPS_PROXY (a dead one here), as in kubectl.
start_proxy proxy2 "$KUBE_PORT" --plain
# login_name_with NAME KUBECONFIG VAR=VALUE...: login-name as alice; "rc:output" is $H/out/NAME.out.
login_name_with() {
    local name=$1 file=$2
    shift 2
    env $(creds_env ASIAE2EADMINALICE001) EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$file" "$@" \
        "$EKSAUTH" login-name >"$H/out/$name.out" 2>&1 </dev/null
    echo "$?:$(cat "$H/out/$name.out")"
}
kubeconfig "$H/client/kubeconfig-proxy" "$KUBE_PORT" \
    "    proxy-url: http://127.0.0.1:$(cat "$H/proxy2.ready")
"
is "$(login_name_with who-proxy-url "$H/client/kubeconfig-proxy" HTTPS_PROXY=http://127.0.0.1:1)" \
    "0:admin-alice" "login-name with the cluster's proxy-url: answered"
like "$(cat "$H/out/proxy2.log" 2>/dev/null)" "\"request\": \"CONNECT 127.0.0.1:$KUBE_PORT HTTP/1.1\"" \
    "... through that proxy, not HTTPS_PROXY and not direct"
# socks5:// as kubectl's SOCKS dialer has it: the proxy resolves the API server's name.
start_proxy proxy-socks "$KUBE_PORT" --socks5
kubeconfig "$H/client/kubeconfig-socks" "$KUBE_PORT" \
    "    proxy-url: socks5://127.0.0.1:$(cat "$H/proxy-socks.ready")
"
sed -i "s#server: https://127.0.0.1:#server: https://localhost:#" "$H/client/kubeconfig-socks"
is "$(login_name_with who-socks "$H/client/kubeconfig-socks")" "0:admin-alice" \
    "login-name with a socks5:// proxy-url: answered"
like "$(cat "$H/out/proxy-socks.log" 2>/dev/null)" "\"request\": \"SOCKS5 CONNECT domain localhost:$KUBE_PORT\"" \
    "... the proxy asked for the name, to resolve it itself"
# An https:// proxy is checked against the system store: one of the test CA is not trusted.
start_proxy proxy-tls "$KUBE_PORT"
kubeconfig "$H/client/kubeconfig-proxy-tls" "$KUBE_PORT" \
    "    proxy-url: https://127.0.0.1:$(cat "$H/proxy-tls.ready")
"
like "$(login_name_with who-proxy-tls "$H/client/kubeconfig-proxy-tls")" \
    "^4:.*Kubernetes API.*certificate.*through the cluster's proxy-url.*trusted by the system store" \
    "an https:// proxy-url whose certificate the system store does not trust: refused"
is "$(grep -c CONNECT "$H/out/proxy-tls.log" 2>/dev/null)" "0" "... nothing asked of it"
kubeconfig "$H/client/kubeconfig-socks4" "$KUBE_PORT" "    proxy-url: socks4://127.0.0.1:1080
"
like "$(login_name_with who-socks4 "$H/client/kubeconfig-socks4")" \
    "^2:.*cluster arn:.*proxy-url: kubectl takes an http://, https:// or socks5:// proxy only, not 'socks4'" \
    "a proxy-url kubectl refuses: refused, naming it (not gone around)"
# tls-server-name: the API server reached at 127.0.0.1 with a certificate for another name.
"$PYTHON" "$top_srcdir/tests/lib/fake_kube.py" --cert "$H/tls/wrongname.crt" \
    --key "$H/tls/wrongname.key" --ca "$H/tls/ca.crt" --configmap "$H/etc/aws-auth.yaml" \
    --sts-addr "127.0.0.1:$STS_PORT" --cluster-id "$CLUSTER" --ready-file "$H/kube-sni.ready" \
    --log "$H/out/kube-sni.log" >/dev/null 2>"$H/out/kube-sni.err" &
e2e_track kube-sni $!
e2e_wait_for "$H/kube-sni.ready" $! "$H/out/kube-sni.err" "fake_kube.py did not start"
SNI_PORT=$(cat "$H/kube-sni.ready")
kubeconfig "$H/client/kubeconfig-sni-none" "$SNI_PORT"
like "$(login_name_with who-sni-none "$H/client/kubeconfig-sni-none")" \
    "^4:.*Kubernetes API: 127.0.0.1:$SNI_PORT: TLS: the server's certificate failed verification.*'127.0.0.1'" \
    "login-name to a server whose certificate is for another name, no tls-server-name: refused"
kubeconfig "$H/client/kubeconfig-sni" "$SNI_PORT" "    tls-server-name: sts.wrong.example
"
is "$(login_name_with who-sni "$H/client/kubeconfig-sni")" "0:admin-alice" \
    "... with tls-server-name naming the certificate's name: answered"
kubeconfig "$H/client/kubeconfig-sni-other" "$SNI_PORT" "    tls-server-name: other.example
"
like "$(login_name_with who-sni-other "$H/client/kubeconfig-sni-other")" \
    "^4:.*Kubernetes API: other.example:$SNI_PORT: TLS: the server's certificate failed verification.*'other.example'" \
    "... with a tls-server-name the certificate is not for: refused (checked against that name)"
start_proxy proxy3 "$SNI_PORT" --plain
kubeconfig "$H/client/kubeconfig-sni-proxy" "$SNI_PORT" "    tls-server-name: sts.wrong.example
    proxy-url: http://127.0.0.1:$(cat "$H/proxy3.ready")
"
is "$(login_name_with who-sni-proxy "$H/client/kubeconfig-sni-proxy")" "0:admin-alice" \
    "... and through the proxy-url too: answered"
like "$(cat "$H/out/proxy3.log" 2>/dev/null)" "\"request\": \"CONNECT 127.0.0.1:$SNI_PORT HTTP/1.1\"" \
    "... the proxy asked for the server's host, not the TLS name"

# eksauth ssh HOST: the login name from the cluster, the login through the real sshd.
at=$(wc -l <"$H/out/sshd.log")
env "${alice_env[@]}" EKSAUTH_CLUSTER="$CLUSTER" KUBECONFIG="$H/client/kubeconfig" \
    "$SETSID" "$EKSAUTH" ssh "${OPTS[@]}" 127.0.0.1 'id -un' >"$H/out/nouser.out" 2>"$H/out/nouser.err" </dev/null
is "$?:$(cat "$H/out/nouser.out")" "0:admin-alice" \
    "eksauth ssh 127.0.0.1 (no user@): logged in as admin-alice, the name login-name learns"
sshd_log_has "$at" 'Accepted keyboard-interactive/pam for admin-alice'
ok $? \
    "... with a token, as sshd says"

# --------------------------------------------- 6. secrets and the host
e2e_stop
no_secret_in "$H"/out/*
ok $? "no token, piece of one or secret in any output or log ($(ls "$H/out" | wc -l) files)"
e2e_host_unchanged
ok $? "the host is as it was"

done_testing
