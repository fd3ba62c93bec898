#!/bin/bash
# node_dns.sh - {{EC2PrivateDNSName}} (issue 9): resolved only for this host's own
# instance, read from instance metadata (tests/lib/fake_imds.py serves instance-id
# and local-hostname) only when the matched entry needs it, through
#   eksauth map     own instance -> mapped; another instance, a session name that is
#                   no instance id, instance metadata down -> refused with the reason;
#                   a login that does not need it reads no metadata
#   eksauth whoami  on a node: system:node:<its private DNS name>, also when the host
#                   refuses system: logins; on another host with that node's
#                   credentials -> refused
#   pam_eksauth.so  (pamtester under pam_wrapper) own instance -> success; another
#                   instance's token, instance metadata down -> refused with the reason
# TAP.  Environment: EKSAUTH, FIXTURES, top_srcdir, top_builddir (set by make check).

set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require

NODE_FIX="$FIXTURES/node-dns"
OWN_ID=i-0c6f21bf1f24f9708
OWN_DNS=ip-172-31-27-14.ec2.internal
NODE_ARN="arn:aws:sts::111122223333:assumed-role/TestNodeRole"
PAM_MODULE="$top_builddir/pam_eksauth/.libs/pam_eksauth.so"
IDDB_TOOL="$top_builddir/tests/integration/iddb_tool"
[ "$(id -u)" = 0 ] || bail "the config and DB trust checks want root-owned files: run as root"
command -v pamtester >/dev/null 2>&1 || bail "pamtester not found"
[ -f "$PAM_MODULE" ] || bail "$PAM_MODULE not built"
[ -x "$IDDB_TOOL" ] || bail "$IDDB_TOOL not built"
ldconfig -p | grep -q libpam_wrapper.so || bail "libpam_wrapper.so not found (pam_wrapper)"

sts_certs
sts_start sts --creds "$NODE_FIX/creds.json"

# imds NAME INSTANCE_ID AKID: an IMDSv2 stand-in for a host; sets PORT.
imds() {
    echo '{"fault": "none"}' >"$tmp/$1.json"
    stand_in "$1" fake_imds.py --creds "$NODE_FIX/creds.json" --akid "$3" --role TestNodeRole \
        --instance-id "$2" --hostname "$OWN_DNS" --control "$tmp/$1.json"
    PORT=$STAND_IN_PORT
}
imds node "$OWN_ID" ASIAFAKENODEOWN00001
IMDS=$PORT
# Another host, whose instance metadata answers with another instance id.
imds elsewhere i-0bbbbbbbbbbbbbbbb ASIAFAKENODEOWN00001
IMDS_ELSEWHERE=$PORT

mkdir -p "$tmp/db"
cp "$NODE_FIX/aws-auth.yaml" "$tmp/aws-auth.yaml"
chmod 0644 "$tmp/aws-auth.yaml"
# conf FILE IMDS_PORT [extra lines]
conf() {
    _f=$1
    _p=$2
    shift 2
    sts_config "$_f" "$STS_PORT" "region = us-east-1" "imds_endpoint = http://127.0.0.1:$_p" \
        "db_path = $tmp/db/identity.db" "$@"
    sed -i "s|^aws_auth_file = .*|aws_auth_file = $tmp/aws-auth.yaml|" "$_f"
}
conf "$tmp/node.conf" "$IMDS"
conf "$tmp/sys.conf" "$IMDS" "allow_system_users = true"
conf "$tmp/elsewhere.conf" "$IMDS_ELSEWHERE"
unset EKSAUTH_DB EKSAUTH_CONFIG

# (map and verify with --aws-auth: the file itself, no sync needed; mapping.h)
run() {
    _c=$1
    _cmd=$2
    shift 2
    case $_cmd in map | verify) set -- --aws-auth "$tmp/aws-auth.yaml" "$@" ;; esac
    "$EKSAUTH" --config "$_c" "$_cmd" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
field() { "$PYTHON" -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(",".join(v) if isinstance(v, list) else v)' "$tmp/out" "$1" 2>/dev/null; }
reads() { grep -c '"path": "/latest/meta-data/\(instance-id\|local-hostname\)"' "$tmp/$1.log" 2>/dev/null || true; }
fault() { echo "{\"fault\": \"$2\"}" >"$tmp/$1.json"; }

# ---------------------------------------------------------------- eksauth map
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc" 0 "map: the host's own instance is mapped"
is "$(field username)" "system:node:$OWN_DNS" "map: system:node:<the private DNS name from instance metadata>"
is "$(field groups)" "system:bootstrappers,system:nodes" "map: the node's groups"
LOGIN=$(field login)
like "$LOGIN" '^system-node-ip-172-31-2' "map: a login made from the DNS name ($LOGIN)"
is "$(reads node)" 2 "map: instance-id and local-hostname read once each"

run "$tmp/sys.conf" map "$NODE_ARN/i-0aaaaaaaaaaaaaaaa"
is "$rc" 1 "map: another instance is refused (exit 1)"
like "$(cat "$tmp/err")" "^eksauth: map: .*\{\{EC2PrivateDNSName\}\}: instance i-0aaaaaaaaaaaaaaaa is not this host \($OWN_ID\): eksauth resolves \{\{EC2PrivateDNSName\}\} only for the host's own instance" \
    "map: the refusal names both instances and the rule"
is "$(cat "$tmp/out")" "" "map: nothing printed for the refused instance"

run "$tmp/sys.conf" map "$NODE_ARN/alice"
is "$rc" 1 "map: a session name that is no instance id is refused"
like "$(cat "$tmp/err")" "SessionName did not contain an instance id" "map: with the authenticator's reason"

before=$(reads node)
run "$tmp/sys.conf" map "arn:aws:sts::111122223333:assumed-role/ops/alice"
is "$rc:$(field username)" "0:ops" "map: a role without the placeholder maps"
is "$(reads node)" "$before" "map: ... and reads no instance metadata"

fault node down
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc" 1 "map: instance metadata down: the node is refused (fail closed)"
like "$(cat "$tmp/err")" "\{\{EC2PrivateDNSName\}\}: this host's own instance is unknown: instance metadata" \
    "map: the refusal says why"
run "$tmp/sys.conf" map "arn:aws:sts::111122223333:assumed-role/ops/alice"
is "$rc:$(field username)" "0:ops" "map: instance metadata down: other logins are unaffected"
fault node none

# ------------------------------------------------- the VPC's DHCP domain-name
# local-hostname carries the VPC's DHCP option set domain-name; the cluster renders
# EC2's PrivateDnsName, which keeps EC2's own domain.  Only a local-hostname of that
# shape for the instance's region is taken (lib/imds.c); any other fails closed.
# dhcp HOSTNAME [REGION]: what instance metadata answers from now on.
dhcp() { echo "{\"fault\": \"none\", \"hostname\": \"$1\", \"region\": \"${2:-us-east-1}\"}" >"$tmp/node.json"; }
for h in "ip-172-31-27-14.corp.example" "ip-172-31-27-14" "$OWN_ID.corp.example"; do
    dhcp "$h"
    run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
    is "$rc:$(cat "$tmp/out")" "1:" "map: local-hostname '$h' (a DHCP domain-name) is refused"
    like "$(cat "$tmp/err")" "this host's own instance is unknown: instance metadata: local-hostname '$h' is not the PrivateDnsName the cluster renders \\{\\{EC2PrivateDNSName\\}\\} from \\(ip-A-B-C-D\\.ec2\\.internal\\): the VPC's DHCP option set names another domain; set its domain-name to ec2\\.internal, or map the role without \\{\\{EC2PrivateDNSName\\}\\}\$" \
        "... saying why and what to do"
done
# Two domain-names: "<name>.<first> <second>"; the first word is the name in the first.
dhcp "ip-172-31-27-14.ec2.internal corp.example"
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc:$(field username)" "0:system:node:ip-172-31-27-14.ec2.internal" \
    "map: two domain-names, EC2's first: the name in EC2's domain is taken"
dhcp "ip-172-31-27-14.corp.example ec2.internal"
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc:$(cat "$tmp/out")" "1:" "map: two domain-names, another first: refused"
like "$(cat "$tmp/err")" "local-hostname 'ip-172-31-27-14\\.corp\\.example' is not the PrivateDnsName" \
    "... naming the first domain's name"
dhcp "$OWN_DNS" eu-west-1
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc" 1 "map: us-east-1's domain in eu-west-1 is refused"
like "$(cat "$tmp/err")" "domain-name to eu-west-1\\.compute\\.internal" "... naming the region's domain"
dhcp ip-172-31-27-14.eu-west-1.compute.internal eu-west-1
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc:$(field username)" "0:system:node:ip-172-31-27-14.eu-west-1.compute.internal" \
    "map: a regional private DNS name is taken"
dhcp "$OWN_ID.ec2.internal"
run "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID"
is "$rc:$(field username)" "0:system:node:$OWN_ID.ec2.internal" \
    "map: a resource-based name (the instance id) is taken"
dhcp ip-172-31-27-14.corp.example
run "$tmp/sys.conf" sync
like "$(cat "$tmp/out" "$tmp/err")" "template 'system:node:\{\{EC2PrivateDNSName\}\}' cannot be served on this host: .*local-hostname 'ip-172-31-27-14\\.corp\\.example'" \
    "sync: the node template is skipped under a DHCP domain-name, with the reason"
unlike "$(cat "$tmp/out")" "system:node:ip-172-31-27-14\\.corp" "sync: ... and binds no template to local-hostname"
"$IDDB_TOOL" dump "$tmp/db/identity.db" >"$tmp/dump" 2>&1
unlike "$(cat "$tmp/dump")" "corp\\.example" "sync: ... nor records a login made from it"
fault node none

# ------------------------------------------------------------- eksauth whoami
unset AWS_EC2_METADATA_DISABLED
run "$tmp/node.conf" whoami
is "$rc" 0 "whoami on the node: exit 0"
is "$(field username)" "system:node:$OWN_DNS" "whoami: system:node:<its private DNS name> (node bootstrap)"
is "$(field login)" "None" "whoami: no login on a host that refuses system: users"
like "$(field login_refused)" "system: user" "whoami: ... and says why"
is "$(field credentials)" "instance metadata (role TestNodeRole)" "whoami: the node's credentials"

run "$tmp/sys.conf" whoami
is "$rc:$(field username):$(field login)" "0:system:node:$OWN_DNS:$LOGIN" "whoami with allow_system_users: the login too"

run "$tmp/elsewhere.conf" whoami
is "$rc" 1 "whoami: the node's credentials on another host are refused"
like "$(cat "$tmp/err")" "instance $OWN_ID is not this host \(i-0bbbbbbbbbbbbbbbb\)" "whoami: with the reason"
export AWS_EC2_METADATA_DISABLED=true

# ------------------------------------------------------------ pam_eksauth.so
# The identity DB: sync binds the node template to this host's own private DNS name,
# so NSS serves this node's login (and no other node's) before its first login.
fault node down
run "$tmp/sys.conf" sync
is "$rc" 0 "sync with instance metadata down: still a DB"
like "$(cat "$tmp/out" "$tmp/err")" "template 'system:node:\{\{EC2PrivateDNSName\}\}' cannot be served on this host: .*this host's own instance is unknown" \
    "sync: the node template is skipped, with the reason"
"$IDDB_TOOL" template-uid "$tmp/db/identity.db" "$LOGIN" >/dev/null 2>&1
is "$?" 1 "sync: ... and NSS does not serve the node's login"
fault node none
run "$tmp/sys.conf" sync
is "$rc" 0 "sync"
like "$(cat "$tmp/out")" "system:node:$OWN_DNS" "sync: the node template bound to this host's DNS name"
"$IDDB_TOOL" template-uid "$tmp/db/identity.db" "$LOGIN" >"$tmp/uid" 2>&1
is "$?" 0 "sync: NSS serves this node's login before its first login ($(cat "$tmp/uid"))"
other_login=$("$EKSAUTH" --config "$tmp/sys.conf" map "$NODE_ARN/$OWN_ID" 2>/dev/null | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["login"])')
"$IDDB_TOOL" template-uid "$tmp/db/identity.db" system-node-ip-10-9-9-9 >/dev/null 2>&1
is "$?" 1 "sync: ... and not another node's"
is "$other_login" "$LOGIN" "map and sync agree on the login"
# Where system: logins are refused (the default), the template is not served, and
# the warning says why rather than waiting for a login that cannot happen.
run "$tmp/node.conf" sync
is "$rc" 0 "sync where system: logins are refused"
like "$(cat "$tmp/out" "$tmp/err")" "template 'system:node:\{\{EC2PrivateDNSName\}\}' is not served: system: usernames are refused as logins here \(allow_system_users\)" \
    "sync: ... the node template is skipped, saying system: logins are refused"
run "$tmp/sys.conf" sync # back to the node's DB for the logins below
is "$rc" 0 "sync with allow_system_users again"
run "$tmp/sys.conf" sync --if-changed
like "$(cat "$tmp/out")" "unchanged" "sync --if-changed on the same instance: unchanged"
# An image baked after a sync, started as another instance: the same disk, the same
# aws-auth and host files, but the DB's node template is bound to the image builder's
# name.  The timer's sync --if-changed plans again, for this instance.
BAKED_ID=i-0dddddddddddddddd
BAKED_DNS=ip-10-9-9-9.ec2.internal
echo "{\"fault\": \"none\", \"instance_id\": \"$BAKED_ID\", \"hostname\": \"$BAKED_DNS\"}" \
    >"$tmp/node.json"
run "$tmp/sys.conf" map "$NODE_ARN/$BAKED_ID"
baked_login=$(field login)
like "$baked_login" "^system-node-ip-10-9-9-9" "another instance: its own node login ($baked_login)"
run "$tmp/sys.conf" sync --if-changed
is "$rc" 0 "sync --if-changed on another instance from the same disk: exit 0"
unlike "$(cat "$tmp/out")" "unchanged" "... it plans again (the DB was bound to another instance)"
like "$(cat "$tmp/out")" "system:node:$BAKED_DNS" "... the node template bound to this instance's name"
"$IDDB_TOOL" template-uid "$tmp/db/identity.db" "$baked_login" >/dev/null 2>&1
is "$?" 0 "... NSS serves this instance's node login"
"$IDDB_TOOL" template-uid "$tmp/db/identity.db" "$LOGIN" >/dev/null 2>&1
is "$?" 1 "... and no longer the image builder's"
like "$(sed -n 's/^host=//p' "$tmp/db/aws-auth.state")" "^$BAKED_ID $BAKED_DNS\$" \
    "... the state keeps the instance the templates are bound to"
run "$tmp/sys.conf" sync --if-changed
like "$(cat "$tmp/out")" "unchanged" "... and the next sync --if-changed finds it unchanged"
fault node none # this host's own instance again, for the logins below
run "$tmp/sys.conf" sync --if-changed
like "$(cat "$tmp/out")" "system:node:$OWN_DNS" "back on the first instance: planned again for it"

# token AKID NAME: `eksauth token` with that key's credentials.
token() {
    (
        eval "$("$PYTHON" - "$NODE_FIX/creds.json" "$1" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))[sys.argv[2]]
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s" % (
    shlex.quote(sys.argv[2]), shlex.quote(c["secret"]), shlex.quote(c["session_token"])))
EOF
)"
        "$EKSAUTH" token --cluster-id prod --host "$STS_HOST" --region us-east-1
    ) >"$tmp/$2.tok" 2>"$tmp/$2.err" || bail "eksauth token for $2: $(cat "$tmp/$2.err")"
}
token ASIAFAKENODEOWN00001 own
token ASIAFAKENODEOTHER001 other

PW="$tmp/pw"
mkdir -p "$PW"
printf 'auth required %s config=%s\naccount required %s config=%s\n' \
    "$PAM_MODULE" "$tmp/sys.conf" "$PAM_MODULE" "$tmp/sys.conf" >"$PW/eksauth"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$PW/other"
SAN_PRELOAD=
if ldd "$PAM_MODULE" 2>/dev/null | grep -q libasan; then
    SAN_PRELOAD="$(${CC:-gcc} -print-file-name=libasan.so) $(${CC:-gcc} -print-file-name=libubsan.so)"
fi
# pw OUT TOKEN_FILE: pamtester authenticate + acct_mgmt as $LOGIN under pam_wrapper.
pw() {
    LD_PRELOAD="$SAN_PRELOAD libpam_wrapper.so" ASAN_OPTIONS=detect_leaks=0 \
        PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PW" \
        PAM_WRAPPER_DEBUGLEVEL=3 PAM_WRAPPER_DISABLE_DEEPBIND=1 \
        pamtester -v eksauth "$LOGIN" authenticate acct_mgmt <"$2" >"$tmp/$1" 2>&1
}

before=$(reads node)
pw pam-own.out "$tmp/own.tok"
is "$?" 0 "pam: the node's own instance logs in as $LOGIN"
like "$(grep 'event=auth ' "$tmp/pam-own.out")" "result=success user=$LOGIN k8s_user=system:node:$OWN_DNS" \
    "pam: the audit line names the node"
is "$(($(reads node) - before))" 2 "pam: instance metadata read for this login"
"$IDDB_TOOL" dump "$tmp/db/identity.db" >"$tmp/dump" 2>&1
like "$(cat "$tmp/dump")" "^$LOGIN:" "pam: the login is recorded in the identity DB"

pw pam-other.out "$tmp/other.tok"
is "$?" 1 "pam: another instance's token is refused"
like "$(grep 'event=auth ' "$tmp/pam-other.out")" "result=denied user=$LOGIN .*reason=\".*instance i-0aaaaaaaaaaaaaaaa is not this host \($OWN_ID\)" \
    "pam: the refusal names both instances"

dhcp ip-172-31-27-14.corp.example
pw pam-dhcp.out "$tmp/own.tok"
is "$?" 1 "pam: local-hostname under a DHCP domain-name: refused (fail closed)"
like "$(grep 'event=auth ' "$tmp/pam-dhcp.out")" "result=denied .*reason=\".*local-hostname 'ip-172-31-27-14\\.corp\\.example' is not the PrivateDnsName the cluster renders" \
    "pam: with the reason"
fault node down
pw pam-down.out "$tmp/own.tok"
is "$?" 1 "pam: instance metadata down: refused (fail closed)"
like "$(grep 'event=auth ' "$tmp/pam-down.out")" "result=denied .*reason=\".*this host's own instance is unknown: instance metadata" \
    "pam: with the reason"
fault node none

# No secret in any output.
leak=0
for f in "$tmp"/*.out "$tmp/err" "$tmp/out"; do
    for t in own other; do
        if grep -qF "$(cut -c12-60 "$tmp/$t.tok")" "$f" 2>/dev/null; then leak=1; fi
    done
    grep -qF "ownNodeSecret" "$f" 2>/dev/null && leak=1
done
is "$leak" 0 "no token or secret in any output"

done_testing
