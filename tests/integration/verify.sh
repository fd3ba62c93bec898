#!/bin/bash
# verify.sh - `eksauth verify` end to end against the local STS stand-in
# (tests/lib/fake_sts.py) over real TLS, with certificates made at test time
# and libcurl pointed at it by sts_connect_to + sts_ca_file, so that the URL,
# Host, SNI and certificate checks are those of production.  Tokens come from
# the real `aws eks get-token` (assumed-role credentials with a long session
# token, so well over 1 KB) and from `eksauth token`.  Checks: the identity
# JSON and the aws-auth mapping; a token for another cluster (exit 1, with the
# cluster-id hint); an unmapped role (exit 3); STS's own refusals; every fault
# of the stand-in ends in exit 4 or 1, never 0, and a stand-in that does not
# answer is cut off by the client's own timeout (the stand-in logs who closed
# the connection); the identity DB's exit rule, that of eksauth users and map
# (none yet 4, untrusted, unreadable or damaged 2, never 1); no proxy from the
# environment; no secret in any message.
# Nothing is timed: each verify runs under `timeout $HANG`, hang protection
# only.  TAP output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir (set by make check).

set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require
sts_require_aws

TIMEOUT=2 # sts_timeout of the test config (sts_common.sh)
HANG=30   # verify killed after this: a hang fails, it is no time limit
HOLD=20   # the stand-in closes a connection it held this long: a client with no
          # timeout shows as "stand-in" (sts_cut), before the hang protection

plan 81

"$EKSAUTH" verify --help >/dev/null 2>&1 ||
    { echo "Bail out! '$EKSAUTH verify' does not run (is the command dispatched?)"; exit 1; }

sts_certs
sts_start main --control "$tmp/control.json" --hold-max "$HOLD"
MAIN_PORT=$STS_PORT
sts_config "$tmp/eksauth.conf" "$MAIN_PORT"
CONF="$tmp/eksauth.conf"
# verify decides as a login: with the aws-auth of the last sync (every config here shares its DB).
sts_sync "$CONF"
echo '{"fault": "none"}' >"$tmp/control.json"

# verify [ARGS...] [TOKEN]: run eksauth verify, the token on standard input
# (never in the arguments, which every user can read in /proc); sets rc, out
# (stdout file), err (stderr text); rc 124: the hang protection stopped it.
verify() {
    local args=("$@") tok=""
    if [ $# -gt 0 ] && [[ "${!#}" == k8s-aws-v1.* || "${!#}" == "" ]]; then
        tok=${!#}
        unset 'args[$#-1]'
    fi
    printf '%s\n' "$tok" | timeout "$HANG" "$EKSAUTH" --config "$CONF" verify "${args[@]}" - \
        >"$tmp/out.json" 2>"$tmp/err.txt"
    rc=$?
    [ "$rc" != 124 ] || echo "hang protection: verify did not end in $HANG s" >>"$tmp/err.txt"
    err=$(cat "$tmp/err.txt")
    cat "$tmp/err.txt" >>"$tmp/all-errors.txt"
}

# fields: read the identity JSON of the last run once (python starts slowly here);
# field NAME: one top-level field of it (lists joined by ",").
fields() {
    "$PYTHON" -c '
import json, sys
for k, v in json.load(open(sys.argv[1])).items():
    if isinstance(v, list):
        v = ",".join(x["name"] if isinstance(x, dict) else str(x) for x in v)
    print("%s=%s" % (k, v))' "$tmp/out.json" >"$tmp/fields.txt" 2>/dev/null || : >"$tmp/fields.txt"
}
field() { sed -n "s/^$1=//p" "$tmp/fields.txt"; }

# ---------------------------------------------------------------------------
# 1-13: a real `aws eks get-token` token with assumed-role credentials.
sts_creds ASIAFAKEEXAMPLE00001
SESSION_TOKEN=$AWS_SESSION_TOKEN
TOKEN=$(aws_eks_token --cluster-name "$STS_AUDIENCE" --region us-east-1)
ok $? "aws eks get-token minted a token"
len=${#TOKEN}
if [ "$len" -gt 1024 ]; then pass "the assumed-role token is over 1 KB ($len bytes)"; else
    fail "the assumed-role token is over 1 KB ($len bytes)"; fi
verify "$TOKEN"
is "$rc" "0" "verify of an aws eks get-token token: exit 0"
[ "$rc" -eq 0 ] || echo "# $err"
fields
is "$(field arn)" "arn:aws:sts::111122223333:assumed-role/eks-admins/alice" "identity: arn"
is "$(field canonical_arn)" "arn:aws:iam::111122223333:role/eks-admins" "identity: canonical_arn"
is "$(field account)" "111122223333" "identity: account"
is "$(field user_id)" "AROAFAKEROLEID000001" "identity: user_id (the role id, as upstream)"
is "$(field session_name)" "alice" "identity: session_name"
is "$(field access_key_id)" "ASIAFAKEEXAMPLE00001" "identity: access_key_id from the token"
is "$(field username)" "admin:alice" "mapping: username from the {{SessionName}} template"
is "$(field groups)" "system:masters" "mapping: groups"
is "$(field source)" "mapRoles" "mapping: source mapRoles"
is "$(field posix_groups)" "eks-system-masters,eks-users" "POSIX: system:masters is eks-system-masters, and every login is in eks-users"

# 14-16: the request that reached STS: headers as docs/token-rules.md ("The STS call") says.
"$PYTHON" - "$tmp/main.log" >"$tmp/hdr.txt" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
h = r["headers"]
print(h.get("x-k8s-aws-id"), h.get("accept"), h.get("host"), h.get("user-agent", "").split("/")[0])
EOF
is "$(cut -d' ' -f1 "$tmp/hdr.txt")" "$STS_AUDIENCE" "STS received x-k8s-aws-id: $STS_AUDIENCE (this host's audience)"
is "$(cut -d' ' -f2 "$tmp/hdr.txt")" "application/json" "STS received Accept: application/json"
is "$(cut -d' ' -f3-4 "$tmp/hdr.txt")" "sts.us-east-1.amazonaws.com eksauth" \
    "Host is the token's host (CONNECT_TO changed only the address); User-Agent eksauth/"

# 17-18: the token on standard input.
"$EKSAUTH" --config "$CONF" verify - <<<"$TOKEN" >"$tmp/out.json" 2>"$tmp/err.txt"
is "$?" "0" "verify - (token on standard input): exit 0"
fields
is "$(field login)" "admin-alice" "POSIX: login admin-alice"

# 19-21: a token from `eksauth token`; the session name has '@' ({{SessionName}} makes it '-').
sts_creds ASIAFAKEEXAMPLE00002
tok2=$("$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1)
verify "$tok2"
is "$rc" "0" "verify of an eksauth token token: exit 0"
fields
is "$(field username)" "admin:bob-example.com" "mapping: {{SessionName}} turns @ into -"
is "$(field session_name)" "bob@example.com" "identity: the raw session name"

# 22-24: an IAM user's long-term key, through mapUsers.
sts_creds AKIAFAKEUSER00000001
tok3=$("$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1)
verify "$tok3"
is "$rc" "0" "verify of an IAM user's token: exit 0"
fields
is "$(field username)" "bob" "mapping: mapUsers username"
is "$(field source):$(field user_id)" "mapUsers:AIDAFAKEUSERID000001" "mapping: mapUsers, whole UserId"

# ---------------------------------------------------------------------------
# 25-30: refusals that come from STS or the mapping.
verify --cluster-id staging "$TOKEN"
is "$rc" "1" "verify --cluster-id staging of a prod token: exit 1"
like "$err" "SignatureDoesNotMatch.*another host or cluster.*takes tokens for \"eksauth:staging:$STS_HOST\"" "the message says the token is for another host or cluster, and which audience this one takes"
sts_creds ASIAFAKEEXAMPLE00001
tok_staging=$(aws_eks_token --cluster-name "eksauth:staging:$STS_HOST" --region us-east-1)
verify "$tok_staging"
is "$rc:$(grep -c 'another host or cluster' "$tmp/err.txt")" "1:1" "a token minted for cluster staging, host prod: exit 1 with the hint"
sts_creds ASIAFAKEUNMAPPED0001
verify "$("$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1)"
is "$rc" "3" "an unmapped role: exit 3"
like "$err" "^eksauth: verify: " "an unmapped role: one line eksauth: verify: ..."
# STS says ExpiredToken: dated 1000 s ago, checked locally as of then, at STS as of now.
sts_creds ASIAFAKEEXAMPLE00001
past=$(($(date +%s) - 1000))
verify --now $((past + 10)) "$("$EKSAUTH" token --now $past --cluster-id prod --host "$STS_HOST" --region us-east-1)"
is "$rc:$(grep -c 'ExpiredToken' "$tmp/err.txt")" "1:1" "STS ExpiredToken: exit 1, code named"

# 31-32: an access key STS does not know; a secret that is wrong.
tokx=$(AWS_ACCESS_KEY_ID=ASIAFAKEUNKNOWN00001 "$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1)
verify "$tokx"
is "$rc:$(grep -c 'InvalidClientTokenId' "$tmp/err.txt")" "1:1" "unknown access key: exit 1, InvalidClientTokenId"
tokx=$(AWS_SECRET_ACCESS_KEY=wrong-secret "$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1)
verify "$tokx"
is "$rc:$(grep -c 'SignatureDoesNotMatch' "$tmp/err.txt")" "1:1" "wrong secret: exit 1, SignatureDoesNotMatch"

# ---------------------------------------------------------------------------
# 33-59: every fault of the stand-in: exit 4 (unavailable) or 1 (denied), never 0,
# and the message names the cause.
# fault NAME EXPECTED-EXIT REGEX; sets from (the stand-in's log before it).
fault() {
    from=$(wc -l <"$tmp/main.log")
    printf '{"fault": "%s", "delay": %s}\n' "$1" "${4:-5}" >"$tmp/control.json"
    verify "$TOKEN"
    if [ "$rc" = "$2" ] && printf '%s' "$err" | grep -Eq -- "$3"; then
        pass "fault $1: exit $rc: $3"
    else
        fail "fault $1: expected exit $2 and a message matching /$3/; got exit $rc"
        echo "#   $err"
    fi
}
# A stand-in that holds the connection without answering (an answer 5 s late,
# none, no TLS): the client must have closed it first, at its own timeout
# (sts_timeout 2 s; sts_connect_timeout 1 s covers the TLS handshake), before
# any answer and before the stand-in gave up ($HOLD s).
fault delay 4 "timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/main.log" "$from")" "request client" \
    "fault delay: the stand-in read the request; the client closed the connection before the answer"
fault silence 4 "timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/main.log" "$from")" "request client" \
    "fault silence: the stand-in read the request; the client closed the connection, not the stand-in"
fault stall-tls 4 "timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/main.log" "$from")" "tcp client" \
    "fault stall-tls: the stand-in took the connection; the client closed it, TLS never started"
fault close-mid-body 4 "cut short"
fault reset 4 "connection failed"
fault redirect 1 "redirect \\(HTTP 302\\)"
fault 500 4 "HTTP 500 InternalFailure"
fault 503 4 "HTTP 503 ServiceUnavailable"
fault throttling 4 "throttled \\(HTTP 400 Throttling\\)"
fault non-json 1 "bad answer: not JSON"
fault truncated-json 1 "bad answer: truncated JSON"
fault wrong-types 1 "Account is not a string"
fault mismatched-account 1 "is not the ARN's account"
fault xml 1 "bad answer: not JSON"
fault empty 1 "bad answer: empty"
fault huge 1 "larger than 65536 bytes"
fault huge-chunked 1 "larger than 65536 bytes"
fault wrong-name-cert 4 "TLS: .*(subject name|does not match)"
fault foreign-ca-cert 4 "TLS: .*(issuer|certificate problem)"
# A delay within the limit is just slow: an answer 3 s late (later than the 2 s
# above) with sts_timeout = 60, so that how long the machine takes does not matter.
sed "s/^sts_timeout = .*/sts_timeout = 60/" "$CONF" >"$tmp/slow.conf"
printf '{"fault": "delay", "delay": 3}\n' >"$tmp/control.json"
CONF=$tmp/slow.conf
verify "$TOKEN"
CONF=$tmp/eksauth.conf
is "$rc" "0" "fault delay 3 s with sts_timeout = 60: exit 0 (the configured timeout decides)"
echo '{"fault": "none"}' >"$tmp/control.json"
verify "$TOKEN"
is "$rc" "0" "no fault again: exit 0"
# A token given as the argument is in /proc/PID/cmdline, which every user of the
# host reads: once read, verify wipes it there, so while it waits on STS (here
# held 30 s) its command line no longer holds it.  The stand-in's log says the
# request came, so verify has read the token; the process is then stopped.
printf '{"fault": "delay", "delay": 30}\n' >"$tmp/control.json"
from=$(wc -l <"$tmp/main.log")
"$EKSAUTH" --config "$tmp/slow.conf" verify "$TOKEN" >/dev/null 2>"$tmp/argv.err" &
vpid=$!
end=$((SECONDS + HANG))
while ! tail -n +"$((from + 1))" "$tmp/main.log" | grep -q '"method": "GET"' && [ "$SECONDS" -lt "$end" ]; do
    sleep 0.05
done
tr '\0' '\n' <"/proc/$vpid/cmdline" >"$tmp/argv.cmdline"
kill "$vpid"
wait "$vpid"
echo '{"fault": "none"}' >"$tmp/control.json"
is "$(grep -cx verify "$tmp/argv.cmdline")" "1" "the command line of verify was read while it waited on STS"
is "$(grep -cF -- "${TOKEN: -40}" "$tmp/argv.cmdline")" "0" \
    "a token given as the argument is gone from /proc/PID/cmdline once read"
# A fault chosen on the command line at start.
sts_start flag --fault 503
sts_config "$tmp/flag.conf" "$STS_PORT"
printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$tmp/flag.conf" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'HTTP 503' "$tmp/err.txt")" "4:1" "fault chosen by --fault at start: exit 4"
# Nobody listening.
sts_config "$tmp/closed.conf" 1
printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$tmp/closed.conf" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'cannot connect' "$tmp/err.txt")" "4:1" "nothing listening: exit 4, cannot connect"
# The system's CAs do not know the test CA: the certificate is refused.
sts_config "$tmp/noca.conf" "$MAIN_PORT"
sed -i '/^sts_ca_file/d' "$tmp/noca.conf"
printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$tmp/noca.conf" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'TLS' "$tmp/err.txt")" "4:1" "without sts_ca_file the test CA is not trusted: exit 4"
# Without sts_ca_file the system's store is searched in its hashed folder, never
# parsed whole from the bundle beside it (lib/http.c).  Each case binds its own
# /etc/ssl/certs in a private mount namespace: FOLDER holds the bundle and links.
store_verify() { # FOLDER: exit status of verify with noca.conf, that folder as /etc/ssl/certs
    printf "%s\n" "$TOKEN" | unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs && shift &&
        exec "$@"' sh "$1" "$EKSAUTH" --config "$tmp/noca.conf" verify - >/dev/null 2>"$tmp/err.txt"
}
mkdir -p "$tmp/store/linked" "$tmp/store/plain" "$tmp/store/other"
# A hashed folder that holds the test CA, beside a bundle that is not PEM: trusted,
# so the bundle was not read (libcurl's own default fails on it).
cp "$tmp/tls/ca.crt" "$tmp/store/linked/test-ca.pem"
echo "not a certificate" >"$tmp/store/linked/ca-certificates.crt"
# No hash links (a system that ships the bundle only): libcurl's default, the bundle.
cp "$tmp/tls/ca.crt" "$tmp/store/plain/ca-certificates.crt"
# Hash links of other certificates only, the test CA in the bundle: the folder alone
# decides.  (The bundle is written after rehash, which would link a one-certificate file.)
cp "$tmp/tls/foreignca.crt" "$tmp/store/other/foreign.pem" &&
    openssl rehash "$tmp/store/linked" "$tmp/store/other" &&
    cp "$tmp/tls/ca.crt" "$tmp/store/other/ca-certificates.crt" ||
    { echo "Bail out! cannot build the CA folders under $tmp/store"; exit 1; }
store_verify "$tmp/store/linked"
is "$?" "0" "system store: the CA is found by hash in the folder, the bundle beside it is not read"
store_verify "$tmp/store/plain"
is "$?" "0" "system store: a folder without hash links leaves libcurl's default, the bundle"
store_verify "$tmp/store/other"
is "$?:$(grep -c 'TLS' "$tmp/err.txt")" "4:1" "system store: a hashed folder alone decides; a CA only in the bundle is not trusted"
# OpenSSL's own variables name no store here (under sudo they are the caller's).
printf "%s\n" "$TOKEN" | SSL_CERT_FILE="$tmp/tls/ca.crt" SSL_CERT_DIR="$tmp/store/linked" \
    "$EKSAUTH" --config "$tmp/noca.conf" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'TLS' "$tmp/err.txt")" "4:1" "SSL_CERT_FILE and SSL_CERT_DIR in the environment add no CA"

# ---------------------------------------------------------------------------
# The identity DB: the exit rule of eksauth users and map (tools/cli.c,
# cli_db_fail).  None yet is unavailable (4, run eksauth sync); one that may
# not be trusted or read is the host's setup to fix (2), never 1, a refused token.
# db_verify NAME [ARGS...]: verify $TOKEN with a config whose DB is $tmp/NAME/identity.db.
db_verify() {
    sts_config "$tmp/$1.conf" "$MAIN_PORT" "db_path = $tmp/$1/identity.db"
    CONF=$tmp/$1.conf
    shift
    verify "$@" "$TOKEN"
    CONF=$tmp/eksauth.conf
}
db_verify nodb
is "$rc:$err" "4:eksauth: verify: identity DB: $tmp/nodb/identity.db: No such file or directory (run eksauth sync first)" \
    "no identity DB yet: exit 4, and run eksauth sync, once"
mkdir -m 0755 "$tmp/gw"
cp "$tmp/iddb/identity.db" "$tmp/gw/identity.db"
chmod 0664 "$tmp/gw/identity.db"
db_verify gw
like "$rc:$err" "^2:eksauth: verify: identity DB: .*writable by group or others.*chmod go-w" \
    "a group-writable DB: exit 2 and the fix (not 1, a refused token)"
db_verify gw --aws-auth "$STS_FIX/aws-auth.yaml"
like "$rc:$err" "^2:eksauth: verify: identity DB: .*writable by group or others" \
    "a group-writable DB with --aws-auth: exit 2 too"
# A damaged DB (as tests/integration/nss.sh damages one): exit 2, the host's
# to fix, never 1; the message names the file, says it is damaged, and what
# eksauth sync does with it (rebuilds it: lib/sync.c).  (No case had it, and
# the words were the check that failed alone: "header checksum mismatch",
# "truncated or padded (...)", "bad config section"; then no remedy; and a
# file of zero bytes alone, as a crash can leave one, was "not an identity
# DB (bad magic)".)
# damaged_db NAME HOW: a copy of the sync's DB at $tmp/NAME/identity.db, then HOW run on it.
damaged_db() {
    mkdir -m 0755 "$tmp/$1"
    cp "$tmp/iddb/identity.db" "$tmp/$1/identity.db"
    (cd "$tmp/$1" && eval "$2")
}
size=$(wc -c <"$tmp/iddb/identity.db")
damaged_db hdrflip "printf X | dd of=identity.db bs=1 seek=400 conv=notrunc 2>/dev/null"
damaged_db blkflip "printf X | dd of=identity.db bs=1 seek=4200 conv=notrunc 2>/dev/null"
damaged_db trunc100 "truncate -s 100 identity.db"
damaged_db short1 "truncate -s $((size - 1)) identity.db"
damaged_db trunc10 "truncate -s 10 identity.db"
damaged_db empty "truncate -s 0 identity.db"
damaged_db zeros "head -c $size /dev/zero >identity.db"
for c in "hdrflip:with a byte of its header page changed" "blkflip:with a byte of its first data block changed" \
    "trunc100:truncated to 100 bytes" "short1:short by one byte" "trunc10:truncated to 10 bytes" \
    "empty:of 0 bytes (a crash's leftover)" "zeros:of zero bytes alone (a crash's leftover too)"; do
    db_verify "${c%%:*}"
    like "$rc:$err" "^2:eksauth: verify: identity DB: $tmp/${c%%:*}/identity\.db: damaged \([^)]+\): eksauth sync rebuilds it, without its recorded logins, ids and id holds\$" \
        "a DB ${c#*:}: exit 2, the file named, said damaged, and that eksauth sync rebuilds it"
done
# ... which it does: the sync says so, and verify then passes on the new DB.
rebuilt=
for c in hdrflip zeros; do
    "$EKSAUTH" --config "$tmp/$c.conf" sync >"$tmp/sync.out" 2>&1
    rebuilt="$rebuilt$?:$(grep -c 'rebuilt without its recorded ids' "$tmp/sync.out"):"
    db_verify "$c"
    rebuilt="$rebuilt$rc "
done
is "$rebuilt" "0:1:0 0:1:0 " "eksauth sync on the header-damaged and the all-zero DB: rebuilt, said so; verify passes"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    mkdir -m 0755 "$tmp/ro"
    cp "$tmp/iddb/identity.db" "$tmp/ro/identity.db"
    chmod 0600 "$tmp/ro/identity.db"
    chmod 0755 "$tmp"
    sts_config "$tmp/ro.conf" "$MAIN_PORT" "db_path = $tmp/ro/identity.db"
    printf '%s\n' "$TOKEN" | timeout "$HANG" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$EKSAUTH" --config "$tmp/ro.conf" verify - >/dev/null 2>"$tmp/err.txt"
    is "$?:$(cat "$tmp/err.txt")" "2:eksauth: verify: identity DB: $tmp/ro/identity.db: Permission denied; every user must be able to read it (NSS reads it as the user): as root, chmod 0644 $tmp/ro/identity.db, the mode eksauth sync gives it" \
        "not root, a DB only root may read: exit 2, and the fix"
    cat "$tmp/err.txt" >>"$tmp/all-errors.txt"
    chmod 0700 "$tmp"
else
    skip "not root, a DB only root may read (needs root and setpriv)"
fi

# ---------------------------------------------------------------------------
# 64-67: proxies, and secrets.
https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1 \
    verify "$TOKEN"
is "$rc" "0" "proxies in the environment are ignored: exit 0"
sts_config "$tmp/proxy.conf" "$MAIN_PORT" "https_proxy = http://127.0.0.1:1"
printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$tmp/proxy.conf" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'cannot connect' "$tmp/err.txt")" "4:1" "the config's https_proxy is used (here: refused): exit 4"
sig=$(printf '%s' "$TOKEN" | "$PYTHON" -c '
import base64, sys, urllib.parse
t = sys.stdin.read()[len("k8s-aws-v1."):]
u = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode()
print(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(u).query))["X-Amz-Signature"])')
grep -qF -e "$sig" -e "${TOKEN:11:40}" -e "${SESSION_TOKEN:0:40}" -e "X-Amz-" "$tmp/all-errors.txt"
is "$?" "1" "no message held the token, its signature, its session token or its URL"
kill -0 "$STS_PID" 2>/dev/null
ok $? "the stand-in is still running (it is stopped by pid on exit)"

done_testing
