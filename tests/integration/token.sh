#!/bin/bash
# token.sh - `eksauth token` against the real `aws eks get-token` (awscli and
# botocore, run in process by tests/lib/aws_get_token.py with the clock fixed):
# for the same credentials, region, cluster id and time the token, and the
# --json ExecCredential, are byte-for-byte the same, with and without a session
# token, regional and global, from the environment and from a profile.  Then
# the ExecCredential's shape, the clock, and every usage and credential error.
# Offline: presigning sends nothing.  TAP output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir (set by make check).

set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require

T=1796017305 # 2026-11-30T05:41:45Z
AWSTOK="$PYTHON $STS_LIB/aws_get_token.py"

plan 53

"$EKSAUTH" token --help >/dev/null 2>&1 ||
    { echo "Bail out! '$EKSAUTH token' does not run (is the command dispatched?)"; exit 1; }

# same_credential: $tmp/ours.json is byte for byte the ExecCredential of
# $tmp/aws.json (its members in its order, the same values) as AWS CLI v1
# prints it: indented by 4, then a blank line.  eksauth prints v1's form; v2
# (Debian 12's 2.9) prints the same object compact, which kubectl reads alike.
# The status says whether they match; a diff goes to stdout as TAP notes.
same_credential() {
    "$PYTHON" - "$tmp/aws.json" "$tmp/ours.json" <<'EOF'
import difflib, json, sys
with open(sys.argv[1]) as f:
    v1_form = json.dumps(json.load(f), indent=4) + "\n\n"
with open(sys.argv[2]) as f:
    ours = f.read()
for line in list(difflib.unified_diff(v1_form.splitlines(), ours.splitlines(), "aws", "ours", lineterm=""))[:8]:
    print("# " + line)
sys.exit(v1_form != ours)
EOF
}

# same_as_aws LABEL EKSAUTH-ARGS -- AWS-ARGS: token and ExecCredential both byte-identical.
same_as_aws() {
    label=$1
    shift
    ours=()
    while [ "$1" != "--" ]; do
        ours+=("$1")
        shift
    done
    shift
    $AWSTOK --now $T "$@" --output json >"$tmp/aws.json" 2>"$tmp/aws.err" ||
        { fail "$label: aws eks get-token ran"; cat "$tmp/aws.err" | sed 's/^/# /'; return; }
    "$EKSAUTH" token --now $T "${ours[@]}" --json >"$tmp/ours.json" 2>"$tmp/ours.err"
    if same_credential >"$tmp/diff"; then
        pass "$label: --json is byte-identical to aws eks get-token --output json"
    else
        fail "$label: --json is byte-identical to aws eks get-token --output json"
        cat "$tmp/diff"
        sed 's/^/# /' "$tmp/ours.err"
    fi
    aws_tok=$("$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])' <"$tmp/aws.json")
    our_tok=$("$EKSAUTH" token --now $T "${ours[@]}")
    is "$our_tok" "$aws_tok" "$label: the token is byte-identical"
}

# 1-2: long-term key, the default regional endpoint.
sts_creds AKIAFAKEUSER00000001
same_as_aws "AKIA us-east-1" --cluster-id prod --region us-east-1 -- --cluster-name prod --region us-east-1

# 3-4: assumed-role credentials with a 1000-byte session token.
sts_creds ASIAFAKEEXAMPLE00001
same_as_aws "ASIA us-east-1" --cluster-id prod --region us-east-1 -- --cluster-name prod --region us-east-1
len=$("$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 | tr -d '\n' | wc -c)
if [ "$len" -gt 1024 ] && [ "$len" -le 4096 ]; then
    pass "an assumed-role token is over 1 KB and within 4096 bytes ($len)"
else
    fail "an assumed-role token is over 1 KB and within 4096 bytes ($len)"
fi

# 6-7: another region, region from AWS_DEFAULT_REGION.
AWS_DEFAULT_REGION=eu-west-1 same_as_aws "ASIA eu-west-1 (AWS_DEFAULT_REGION)" --cluster-id prod -- --cluster-name prod

# 8-9: the global endpoint (botocore's "legacy" STS endpoints).
AWS_STS_REGIONAL_ENDPOINTS=legacy same_as_aws "ASIA global" --cluster-id prod --global -- --cluster-name prod --region us-east-1

# 10-11: aws-cn, a cluster id with characters a URL would encode.
sts_creds AKIAFAKEUSER00000001
same_as_aws "AKIA cn-north-1" --cluster-id 'my_cluster-1.x~%' --region cn-north-1 -- --cluster-name 'my_cluster-1.x~%' --region cn-north-1

# 12-13: credentials from the shared credentials file, profile from AWS_PROFILE.
mkdir -p "$HOME/.aws"
{
    echo "[default]"
    echo "aws_access_key_id = AKIAFAKEUSER00000001"
    echo "aws_secret_access_key = $(sts_secret AKIAFAKEUSER00000001 secret)"
    echo "[eks]"
    echo "aws_access_key_id = ASIAFAKEEXAMPLE00002"
    echo "aws_secret_access_key = $(sts_secret ASIAFAKEEXAMPLE00002 secret)"
    echo "aws_session_token = $(sts_secret ASIAFAKEEXAMPLE00002 session_token)"
} >"$HOME/.aws/credentials"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
AWS_PROFILE=eks same_as_aws "profile eks in ~/.aws/credentials" --cluster-id prod --region us-west-2 -- --cluster-name prod --region us-west-2
# 14-15: the default profile, region from ~/.aws/config.
printf '[default]\nregion = us-west-2\n' >"$HOME/.aws/config"
same_as_aws "profile default, region from ~/.aws/config" --cluster-id prod -- --cluster-name prod
# 16: AWS_SHARED_CREDENTIALS_FILE.
mv "$HOME/.aws/credentials" "$tmp/creds.ini"
a=$(AWS_SHARED_CREDENTIALS_FILE="$tmp/creds.ini" AWS_PROFILE=eks "$EKSAUTH" token --now $T --cluster-id prod --region us-east-1)
sts_creds ASIAFAKEEXAMPLE00002
b=$("$EKSAUTH" token --now $T --cluster-id prod --region us-east-1)
is "$a" "$b" "AWS_SHARED_CREDENTIALS_FILE gives the same token as the environment"

# Config files botocore refuses whole, which eksauth once took: a nested
# value's line that str.splitlines cuts into a piece without '=' (at U+2028 or
# \v), a value of U+00A0 alone (Python strips it: nested), a Latin-1 comment
# (not UTF-8).  Both refuse, with the profile's keys in the credentials file.
cp "$tmp/creds.ini" "$HOME/.aws/credentials"
for c in 'ls:4:s3 =\n    a = 1\xe2\x80\xa8b' 'vt:4:s3 =\n    a = 1\vb' \
    'nbsp:4:s3 = \xc2\xa0\n    oops' 'latin1:3:# caf\xe9'; do
    name=${c%%:*} c=${c#*:}
    line=${c%%:*} c=${c#*:}
    printf "[default]\nregion = us-west-2\n$c\n" >"$HOME/.aws/config"
    AWS_PROFILE=eks $AWSTOK --now $T --cluster-name prod >/dev/null 2>&1
    aws_rc=$?
    AWS_PROFILE=eks "$EKSAUTH" token --now $T --cluster-id prod >/dev/null 2>"$tmp/ours.err"
    ours_rc=$?
    if [ "$aws_rc" -ne 0 ] && [ "$ours_rc" -ne 0 ] && grep -q "config: line $line: " "$tmp/ours.err"; then
        pass "a config botocore refuses ($name): eksauth refuses it too, naming line $line"
    else
        fail "a config botocore refuses ($name): eksauth refuses it too, naming line $line"
        echo "# aws: $aws_rc, eksauth: $ours_rc: $(cat "$tmp/ours.err")"
    fi
done
rm -f "$HOME/.aws/credentials"
printf '[default]\nregion = us-west-2\n' >"$HOME/.aws/config"

# The apiVersion follows KUBERNETES_EXEC_INFO as `aws eks get-token` decides it:
# the JSON kubectl sends for v1 and v1beta1 (with and without cluster info),
# the deprecated v1alpha1, and what is neither (a note, then v1beta1).
sts_creds AKIAFAKEUSER00000001
exec_info_same_as_aws() {
    label=$1
    KUBERNETES_EXEC_INFO=$2 $AWSTOK --now $T --cluster-name prod --region us-east-1 \
        --output json >"$tmp/aws.json" 2>"$tmp/aws.err"
    KUBERNETES_EXEC_INFO=$2 "$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 \
        --json >"$tmp/ours.json" 2>"$tmp/ours.err"
    if same_credential >"$tmp/diff"; then
        pass "KUBERNETES_EXEC_INFO $label: --json is byte-identical to aws eks get-token"
    else
        fail "KUBERNETES_EXEC_INFO $label: --json is byte-identical to aws eks get-token"
        cat "$tmp/diff"
    fi
    # Both say something on stderr, or both keep quiet.
    is "$([ -s "$tmp/ours.err" ] && echo note || echo quiet)" \
        "$([ -s "$tmp/aws.err" ] && echo note || echo quiet)" \
        "KUBERNETES_EXEC_INFO $label: a note on stderr exactly when aws prints one"
}
exec_info_same_as_aws "v1 (kubectl)" \
    '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
exec_info_same_as_aws "v1beta1 with cluster info (kubectl)" \
    '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"cluster":{"server":"https://127.0.0.1:6443","certificate-authority-data":"TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==","config":null},"interactive":true}}'
exec_info_same_as_aws "v1alpha1 (deprecated)" \
    '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{}}'
exec_info_same_as_aws "not JSON" '{"apiVersion": client.authentication.k8s.io/v1'
exec_info_same_as_aws "an unknown version" '{"apiVersion":"client.authentication.k8s.io/v2"}'
grep -q '"apiVersion": "client.authentication.k8s.io/v1",' "$(KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1"}' \
    "$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 --json >"$tmp/v1.json"; echo "$tmp/v1.json")"
ok $? "asked for v1, --json answers v1"
sts_creds ASIAFAKEEXAMPLE00002

# 17-22: the ExecCredential parses as one, expiring 14 minutes after signing.
"$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 --json >"$tmp/ec.json"
ok $? "token --json exits 0"
"$PYTHON" - "$tmp/ec.json" >"$tmp/ec.out" 2>&1 <<'EOF'
import json, sys
ec = json.load(open(sys.argv[1]))
assert ec["kind"] == "ExecCredential", ec["kind"]
assert ec["apiVersion"] == "client.authentication.k8s.io/v1beta1", ec["apiVersion"]
assert ec["spec"] == {}, ec["spec"]
assert set(ec) == {"kind", "apiVersion", "spec", "status"}, sorted(ec)
assert set(ec["status"]) == {"expirationTimestamp", "token"}, sorted(ec["status"])
print(ec["status"]["expirationTimestamp"])
print(ec["status"]["token"][:11])
EOF
ok $? "token --json parses as an ExecCredential (kind, apiVersion, spec, status)"
is "$(sed -n 1p "$tmp/ec.out")" "2026-11-30T05:55:45Z" "expirationTimestamp is the signing time + 14 min"
is "$(sed -n 2p "$tmp/ec.out")" "k8s-aws-v1." "status.token has the k8s-aws-v1. prefix"
# The token passes eksauth's own local checks at that time.
tok=$("$EKSAUTH" token --now $T --cluster-id prod --region us-east-1)
printf '%s\n' "$tok" | "$EKSAUTH" check-token --now $T - >"$tmp/check.json" 2>"$tmp/check.err"
ok $? "eksauth check-token accepts the minted token"
grep -q '"has_session_token": *true' "$tmp/check.json"
ok $? "check-token sees its session token"

# 23-24: without --now the clock signs: X-Amz-Date within a few seconds of now.
before=$(date -u +%s)
tok=$("$EKSAUTH" token --cluster-id prod --region us-east-1)
after=$(date -u +%s)
signed=$("$PYTHON" -c '
import base64, calendar, sys, time, urllib.parse
t = sys.argv[1][len("k8s-aws-v1."):]
url = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode()
q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
print(calendar.timegm(time.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ")))' "$tok")
if [ "$signed" -ge "$before" ] && [ "$signed" -le "$after" ]; then
    pass "without --now the token is dated now"
else
    fail "without --now the token is dated now ($before <= $signed <= $after)"
fi
"$EKSAUTH" token --now 2026-11-30T05:41:45Z --cluster-id prod --region us-east-1 >"$tmp/rfc.tok"
is "$(cat "$tmp/rfc.tok")" "$("$EKSAUTH" token --now $T --cluster-id prod --region us-east-1)" \
    "--now takes RFC 3339 as well as Unix seconds"

# 25-28: missing credentials: exit 2, a message that says what was tried, no output.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
rm -f "$HOME/.aws/credentials"
out=$("$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 2>"$tmp/err")
is "$?" "2" "no credentials: exit 2"
like "$(cat "$tmp/err")" "^eksauth: token: no AWS credentials: tried environment .*shared credentials file $HOME/.aws/credentials \\(no such file\\)" \
    "no credentials: the message names what was tried"
is "$out" "" "no credentials: nothing on standard output"
out=$(AWS_ACCESS_KEY_ID=AKIAFAKEUSER00000001 "$EKSAUTH" token --now $T --cluster-id prod --region us-east-1 2>"$tmp/err")
is "$?:$(grep -c 'but not AWS_SECRET_ACCESS_KEY' "$tmp/err")" "2:1" "half a key pair: exit 2, named"

# 44-52: usage and region errors.
sts_creds AKIAFAKEUSER00000001
"$EKSAUTH" token --now $T --region us-east-1 >/dev/null 2>"$tmp/err"
is "$?:$(grep -c 'cluster-id is required' "$tmp/err")" "2:1" "no --cluster-id: exit 2"
"$EKSAUTH" token --now $T --cluster-id 'a b' --region us-east-1 >/dev/null 2>&1
is "$?" "2" "a cluster id with a space: exit 2"
"$EKSAUTH" token --now $T --cluster-id prod --region 'us-east-1.evil.example' >/dev/null 2>"$tmp/err"
is "$?:$(grep -c 'is not a region name' "$tmp/err")" "2:1" "a bad --region: exit 2, named"
# aws eks get-token signs a region no partition claims for sts.REGION.amazonaws.com,
# which a host refuses (lib/token.c): refused here before signing, the region named.
"$EKSAUTH" token --now $T --cluster-id prod --region xx-nowhere-9 >"$tmp/out" 2>"$tmp/err"
is "$?:$(grep -c 'region: xx-nowhere-9 is a region of no AWS partition' "$tmp/err"):$(wc -c <"$tmp/out")" \
    "2:1:0" "a --region of no partition: exit 2, named, nothing printed"
rm -f "$HOME/.aws/config"
"$EKSAUTH" token --now $T --cluster-id prod >/dev/null 2>"$tmp/err"
is "$?:$(grep -c 'no AWS region' "$tmp/err")" "2:1" "no region anywhere: exit 2, named"
"$EKSAUTH" token --now $T --cluster-id prod --region cn-north-1 --global >/dev/null 2>"$tmp/err"
is "$?:$(grep -c 'no global STS endpoint' "$tmp/err")" "2:1" "--global outside partition aws: exit 2"
"$EKSAUTH" token --now yesterday --cluster-id prod --region us-east-1 >/dev/null 2>&1
is "$?" "2" "a bad --now: exit 2"
"$EKSAUTH" token --cluster-id prod --region us-east-1 --bogus >/dev/null 2>"$tmp/err"
is "$?:$(grep -c 'unknown option --bogus' "$tmp/err")" "2:1" "an unknown option: exit 2"
# No error above printed a secret.
secret=$(sts_secret AKIAFAKEUSER00000001 secret)
grep -rqF -e "$secret" -e "$(sts_secret ASIAFAKEEXAMPLE00001 session_token)" "$tmp"/*.err
is "$?" "1" "no secret in any error output"

# 53: no core file of a process that holds the keys and the token (SECURITY.md,
# invariant 2).  The caller's soft limit raised to its hard one (root may
# raise that first), so the test fails where the program leaves it; where the
# hard limit stays 0, no process can write a core and the test holds for that.
# eksauth token waits on an instance metadata stand-in that never answers,
# while its limits are read.
ulimit -H -c unlimited 2>/dev/null
{
    stand_in imds fake_imds.py --creds "$STS_FIX/creds.json" --akid AKIAFAKEUSER00000001 \
        --role r --fault silence
    (
        ulimit -S -c "$(ulimit -H -c)"
        unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
        exec env AWS_EC2_METADATA_DISABLED= \
            AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$STAND_IN_PORT" \
            AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent \
            "$EKSAUTH" token --now $T --cluster-id prod --region us-east-1
    ) >/dev/null 2>&1 &
    pid=$!
    core=""
    for _ in $(seq 100); do
        grep -q 'PUT' "$tmp/imds.log" 2>/dev/null &&
            core=$(awk '/^Max core file size/ { print $5 }' "/proc/$pid/limits" 2>/dev/null) && break
        sleep 0.05
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    is "$core" "0" "eksauth token: no core file (its soft core limit 0 while it asks for keys)"
}

done_testing
