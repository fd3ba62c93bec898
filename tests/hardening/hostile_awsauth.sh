#!/bin/bash
# hostile_awsauth.sh - aws-auth with hostile values, through `eksauth sync`,
# `eksauth users`/`groups`, the NSS module (getent, id) and the PAM module,
# in a private mount namespace whose /etc/passwd has a local "localbob" and
# whose /etc/group has "localgrp".  Hostile: usernames with ':', newline,
# NUL, ESC/CR, '../', 10,000 bytes, denied names (root, daemon), a local
# user's name, two usernames that sanitise to one login; groups with
# newline and ESC, groups that sanitise to local groups (sudo, root, wheel,
# adm, shadow, disk, localgrp); templated usernames whose session names
# (chosen by whoever assumes the role) collide with a static user, a local
# user, a local group, a denied name or each other, a session name with
# characters a login cannot carry, and a bare template that would answer for
# any name.  The same document as
# YAML and as JSON.  Promises: nothing hostile reaches a passwd or group
# line, the DB or a message unescaped; nothing takes over a local name; a
# collision is refused loudly and changes nothing.  TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
why=$(hard_ns_unsupported)
[ -z "$why" ] || { echo "1..0 # SKIP $why"; exit 0; }

LO=1900000000
HI=1999999999
hard_ns_prepare "files eksauth"
# Debian's rule: members of group sudo may run anything as root.
printf 'root ALL=(ALL:ALL) ALL\n%%sudo ALL=(ALL:ALL) ALL\n' >"$NS/sudoers"
chmod 0440 "$NS/sudoers"
NS_DB=$tmp/db/identity.db
mkdir -p "$tmp/db"

# ---- the hostile document -------------------------------------------------------
"$PYTHON" - "$tmp" <<'EOF'
import json, sys, yaml
d = sys.argv[1]
long_u, long_g = "a" * 10000, "g" * 10000
roles = [
    {"rolearn": "arn:aws:iam::111122223333:role/colon", "username": "evil:root:x:0:0", "groups": ["system:masters"]},
    {"rolearn": "arn:aws:iam::111122223333:role/newline", "username": "nl\nroot:x:0:0:root:/root:/bin/bash"},
    {"rolearn": "arn:aws:iam::111122223333:role/nul", "username": "nul\0root"},
    {"rolearn": "arn:aws:iam::111122223333:role/ansi", "username": "ansi\x1b[31mred\rcr"},
    {"rolearn": "arn:aws:iam::111122223333:role/tab", "username": "g,e:c=o\ts"},
    {"rolearn": "arn:aws:iam::111122223333:role/gnl", "username": "gnl", "groups": ["g\nroot:x:0:", "ok"]},
    {"rolearn": "arn:aws:iam::111122223333:role/gesc", "username": "gesc", "groups": ["e\x1b[2Jx"]},
    {"rolearn": "arn:aws:iam::111122223333:role/dotdot", "username": "../../etc/passwd", "groups": ["../../etc/shadow"]},
    {"rolearn": "arn:aws:iam::111122223333:role/long", "username": long_u, "groups": [long_g]},
    {"rolearn": "arn:aws:iam::111122223333:role/localgroups", "username": "localgroups",
     "groups": ["sudo", "root", "wheel", "adm", "shadow", "disk", "localgrp", "sudo:", ":sudo"]},
    {"rolearn": "arn:aws:iam::111122223333:role/root", "username": "root"},
    {"rolearn": "arn:aws:iam::111122223333:role/daemon", "username": "daemon"},
    {"rolearn": "arn:aws:iam::111122223333:role/localbob", "username": "localbob"},
    # A login named like Debian's group of "%sudo ALL=(ALL:ALL) ALL".
    {"rolearn": "arn:aws:iam::111122223333:role/sudoer", "username": "sudo"},
    {"rolearn": "arn:aws:iam::111122223333:role/Admin1", "username": "Collide.Me"},
    {"rolearn": "arn:aws:iam::111122223333:role/admin2", "username": "collide.me"},
    {"rolearn": "arn:aws:iam::111122223333:role/unicode", "username": "j\u00f6e-\u00fcn\u00efc\u00f6d\u00e9"},
    {"rolearn": "arn:aws:iam::111122223333:role/badtmpl", "username": "x{{Foo\nevent=auth result=success user=root}}"},
    # Whoever may assume these roles names the session, hence the login and a group.
    # A bare template would answer for any name: hosts never serve it.
    {"rolearn": "arn:aws:iam::111122223333:role/bare", "username": "{{SessionName}}", "groups": ["{{SessionName}}", "free"]},
    {"rolearn": "arn:aws:iam::111122223333:role/free", "username": "free:{{SessionName}}", "groups": ["{{SessionName}}", "free"]},
    {"rolearn": "arn:aws:iam::111122223333:role/good", "username": "good", "groups": ["devs"]},
]
users = [{"userarn": "arn:aws:iam::111122223333:user/bob", "username": "bob", "groups": ["devs"]},
         # The login free-erin is hers: session "Erin" of role free (k8s free:Erin) must not take it.
         {"userarn": "arn:aws:iam::111122223333:user/erin", "username": "free:erin"}]
data = {"mapRoles": yaml.safe_dump(roles, allow_unicode=True), "mapUsers": yaml.safe_dump(users)}
cm = {"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": data}
open(d + "/aws-auth.yaml", "w").write(yaml.safe_dump(cm, allow_unicode=True, width=1 << 20))
open(d + "/aws-auth.json", "w").write(json.dumps(cm, indent=2))
EOF
[ -s "$tmp/aws-auth.yaml" ] && [ -s "$tmp/aws-auth.json" ] || bail "the hostile aws-auth was not written"
chmod 0644 "$tmp"/aws-auth.*

# creds for the stand-in: sessions of roles "bare" and "free", named by an attacker.
"$PYTHON" - "$tmp/creds.json" <<'EOF'
import json, sys
c = {}
sessions = [("bare", "Bob"), ("bare", "root"), ("bare", "localbob"), ("bare", "sudo"),
            ("free", "Carol"), ("free", "carol"), ("free", "dave"), ("free", "Erin")]
for i, (role, s) in enumerate(sessions):
    akid = "ASIAHOSTILESESS%05d" % i
    c[akid] = {"secret": "hostileSecret%02d" % i, "session_token": "hostile-session-token-%d" % i,
               "arn": "arn:aws:sts::111122223333:assumed-role/%s/%s" % (role, s),
               "user_id": "AROAFAKEFREEROLE0001:" + s, "account": "111122223333"}
open(sys.argv[1], "w").write(json.dumps(c, indent=1))
EOF
akid_of() { "$PYTHON" -c 'import json,sys
for k, v in json.load(open(sys.argv[1])).items():
    if v["arn"].endswith("/" + sys.argv[2]): print(k)' "$tmp/creds.json" "$1"; }

sts_certs
sts_start sts --creds "$tmp/creds.json"
mkdir -p "$PE_DIR"
conf() { # FILE AWS_AUTH
    pam_conf "$1" "db_path = $NS_DB"
    sed -i "s|^aws_auth_file = .*|aws_auth_file = $2|" "$1"
}
conf "$tmp/yaml.conf" "$tmp/aws-auth.yaml"
conf "$tmp/json.conf" "$tmp/aws-auth.json"

# no_control FILE...: true when the files hold no control byte but newline.
no_control() { ! LC_ALL=C grep -aqP '[\x00-\x09\x0b-\x1f\x7f]' "$@"; }

# ---- sync, users, groups ------------------------------------------------------
hard_ns "$EKSAUTH" --config "$tmp/yaml.conf" sync >"$tmp/sync.out" 2>"$tmp/sync.err"
is "$?" 0 "eksauth sync of the hostile aws-auth (YAML) succeeds: hostile entries are skipped, not fatal"
no_control "$tmp/sync.out" "$tmp/sync.err"
ok $? "sync: no control byte in its output (no forged line, no terminal escape)"
if awk 'length > 1200 { bad = 1 } END { exit bad }' "$tmp/sync.out" "$tmp/sync.err"; then
    pass "sync: no output line longer than 1200 bytes (10,000-byte names are not echoed whole)"
else
    fail "sync: no output line longer than 1200 bytes"
fi
unlike "$(cat "$tmp/sync.out" "$tmp/sync.err")" "^(root|nl|[a-z]*):[x*]?:0:" "sync: no output line looks like a passwd entry of uid 0"
hard_ns "$EKSAUTH" --config "$tmp/yaml.conf" sync --json 2>/dev/null >"$tmp/sync.json"
"$PYTHON" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["warnings"]))' \
    "$tmp/sync.json" >"$tmp/warnings" 2>/dev/null
like "$(cat "$tmp/warnings")" "Collide\\.Me.*collide\\.me.*neither is served" "sync: the login collision is refused loudly, both named"
like "$(cat "$tmp/warnings")" "'root' is denied" "sync: username root is refused"
like "$(cat "$tmp/warnings")" "'daemon' is denied" "sync: username daemon is refused"
like "$(cat "$tmp/warnings")" "'localbob' belongs to a local account" "sync: username localbob (a local account) is refused"
like "$(cat "$tmp/warnings")" "'sudo'.*(local group|not served)" "sync: username sudo (a local group's name) is refused"
like "$(cat "$tmp/warnings")" "role/bare \\(mapRoles line [0-9]+\\): template '\\{\\{SessionName\\}\\}' is not served: .*give it a prefix" \
    "sync: the bare template {{SessionName}} is not served, its entry named, a prefix suggested"
n_ctrl=$("$PYTHON" -c 'import json,sys
w = json.load(open(sys.argv[1]))["warnings"]
print(sum("control character" in x for x in w))' "$tmp/sync.json" 2>/dev/null)
is "${n_ctrl:-0}" 7 "sync: the 7 entries with control characters are each skipped with a warning"

hard_ns "$EKSAUTH" --config "$tmp/yaml.conf" users >"$tmp/users.out" 2>&1
ok $? "eksauth users"
hard_ns "$EKSAUTH" --config "$tmp/yaml.conf" groups >"$tmp/groups.out" 2>&1
ok $? "eksauth groups"
no_control "$tmp/users.out" "$tmp/groups.out"
ok $? "users, groups: no control byte in their output"

# ---- what NSS serves -------------------------------------------------------------
hard_ns getent -s eksauth passwd >"$tmp/passwd.eks"
hard_ns getent -s eksauth group >"$tmp/group.eks"
[ -s "$tmp/passwd.eks" ] && [ -s "$tmp/group.eks" ]
ok $? "getent -s eksauth passwd / group list what eksauth serves ($(wc -l <"$tmp/passwd.eks") users, $(wc -l <"$tmp/group.eks") groups)"
no_control "$tmp/passwd.eks" "$tmp/group.eks"
ok $? "NSS: no control byte in any passwd or group line"
users_gid=$(awk -F: '$1 == "eks-users" { print $3 }' "$tmp/group.eks")
bad=$(awk -F: -v lo=$LO -v hi=$HI -v ug="${users_gid:-none}" '
    NF != 7 || $1 !~ /^[a-z_][a-z0-9._-]*$/ || length($1) > 32 || $3 < lo || $3 > hi || $4 != ug ||
    $5 ~ /[,:=]/ || $6 != "/home/" $1 || $6 ~ /(^|\/)\.\.(\/|$)/ || $7 != "/bin/bash" { print }' "$tmp/passwd.eks")
is "$bad" "" "NSS: every passwd line has 7 fields, a valid name, an id in range, gid = eks-users ($users_gid), a clean gecos, home /home/NAME"
bad=$(awk -F: -v lo=$LO -v hi=$HI 'NF != 4 || $1 !~ /^[a-z_][a-z0-9._-]*$/ || length($1) > 32 ||
    $3 < lo || $3 > hi || $4 !~ /^[a-z0-9._,-]*$/ { print }' "$tmp/group.eks")
is "$bad" "" "NSS: every group line has 4 fields, a valid name, a gid in range, valid member names"
taken=$(cut -d: -f1 "$tmp/group.eks" | grep -Fxf <(cut -d: -f1 "$NS/group") | tr '\n' ' ')
is "$taken" "" "NSS: no eksauth group has the name of a local group (sudo, root, adm, localgrp, ...)"
taken=$(cut -d: -f1 "$tmp/passwd.eks" | grep -Fxf <(cut -d: -f1 "$NS/passwd") | tr '\n' ' ')
is "$taken" "" "NSS: no eksauth user has the name of a local user (root, daemon, localbob, ...)"
for name in root daemon localbob collide.me sudo; do
    hard_ns getent -s eksauth passwd "$name" >/dev/null
    is "$?" 2 "NSS: eksauth does not serve '$name'"
done
is "$(hard_ns getent passwd localbob | cut -d: -f3)" 5000 "getent passwd localbob is still the local one (uid 5000)"
is "$(hard_ns getent group sudo | cut -d: -f3)" "$(awk -F: '$1 == "sudo" { print $3 }' "$NS/group")" \
    "getent group sudo is still the local one"
hard_ns sudo -l -U sudo >"$tmp/sudo-l.out" 2>&1
unlike "$(cat "$tmp/sudo-l.out")" "may run the following" \
    "sudo -l -U sudo: an aws-auth user named sudo gets no %sudo rule (eksauth serves no group sudo)"
hard_ns getent -s eksauth passwd newsvc >/dev/null
is "$?" 2 "NSS: the bare template answers for no name (newsvc)"
gids=$(hard_ns id -G localgroups)
bad=$(for g in $gids; do [ "$g" -lt $LO ] && echo "$g"; done | tr '\n' ' ')
is "$bad" "" "id localgroups: none of its groups (sudo, root, wheel, adm, shadow, disk, localgrp from k8s) is a local gid"
like "$(hard_ns id -Gn localgroups)" "eks-sudo" "id localgroups: k8s group sudo is eks-sudo"
"$top_builddir/tests/hardening/iddb_reader" dump "$NS_DB" >"$tmp/db.dump" 2>&1
ok $? "the DB reads back whole"
no_control "$tmp/db.dump"
ok $? "the DB: no control byte in any stored field (logins, k8s names, homes, shells, groups)"
unlike "$(cat "$tmp/db.dump")" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "the DB: no 10,000-byte name stored"

# ---- the same document as JSON gives the same identities --------------------------
cp "$NS_DB" "$tmp/yaml.db"
hard_ns "$EKSAUTH" --config "$tmp/json.conf" users >"$tmp/users-yaml.out" 2>&1
hard_ns "$EKSAUTH" --config "$tmp/json.conf" sync >"$tmp/sync-json.out" 2>&1
ok $? "eksauth sync of the same hostile aws-auth as JSON"
hard_ns "$EKSAUTH" --config "$tmp/json.conf" users >"$tmp/users-json.out" 2>&1
if diff "$tmp/users-yaml.out" "$tmp/users-json.out" >"$tmp/users.diff"; then
    pass "JSON and YAML give the same users"
else
    fail "JSON and YAML give the same users"
    sed 's/^/#   /' "$tmp/users.diff"
fi
no_control "$tmp/sync-json.out"
ok $? "sync (JSON): no control byte in its output"

# ---- templated names: the session name is the attacker's ------------------------
# login NAME SESSION: pam_batch as NAME with a fresh token of the session's key.
SVC=$tmp/services
mkdir -p "$SVC"
printf 'auth required %s config=%s\n' "$PAM_MODULE" "$tmp/yaml.conf" >"$SVC/hostile"
login() {
    _akid=$(akid_of "$2")
    "$PYTHON" - "$tmp/creds.json" "$_akid" >"$tmp/env.sh" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))[sys.argv[2]]
print("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s" % (
    sys.argv[2], shlex.quote(c["secret"]), shlex.quote(c["session_token"])))
EOF
    env $(cat "$tmp/env.sh") "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1 \
        >"$tmp/tok.$2" || bail "eksauth token for session $2 failed"
    PB_LOG=$tmp/pam.log hard_ns "$PB" "$SVC" hostile "$1" -p 500 "$tmp/tok.$2" >"$tmp/pb.tsv" 2>&1
    IFS=$TAB read -r _f _rc code _secs reason <"$tmp/pb.tsv"
}
cp "$NS_DB" "$tmp/before.db"
hard_ns "$top_builddir/tests/hardening/iddb_reader" dump "$NS_DB" >"$tmp/before.dump"
login bob Bob
is "$code" PAM_AUTH_ERR "session 'Bob' of the bare template as login bob, which k8s user 'bob' owns: refused"
like "$reason" "bob" "... the reason names the taken login: $reason"
login root root
is "$code" PAM_USER_UNKNOWN "session 'root' as login root: not eksauth's ($reason)"
login localbob localbob
is "$code" PAM_USER_UNKNOWN "session 'localbob' as the local user localbob: not eksauth's ($reason)"
login sudo sudo
if [ "${code:-}" != PAM_SUCCESS ]; then
    pass "session 'sudo' (a local group's name) as login sudo: refused ($code: $reason)"
else
    fail "session 'sudo' (a local group's name) as login sudo: ACCEPTED"
fi
login free-erin Erin
is "$code" PAM_AUTH_ERR "session 'Erin' (k8s 'free:Erin') as login free-erin, which k8s user 'free:erin' owns: refused"
like "$reason" "belongs to k8s user 'free:erin'" "... the reason names the owner: $reason"
hard_ns "$top_builddir/tests/hardening/iddb_reader" dump "$NS_DB" >"$tmp/after.dump"
is "$(cat "$tmp/after.dump")" "$(cat "$tmp/before.dump")" "the refused logins changed nothing in the DB"
login free-dave dave
is "$code" PAM_SUCCESS "control: session 'dave' as login free-dave is accepted ($reason)"
login free-carol Carol
is "$code" PAM_AUTH_ERR "session 'Carol' as login free-carol (k8s 'free:Carol', first to come): refused"
like "$reason" "session name 'Carol' has characters a login name cannot carry" "... the reason: $reason"
login free-carol carol
is "$code" PAM_SUCCESS "session 'carol' (k8s 'free:carol') as login free-carol: accepted"
hard_ns getent -s eksauth passwd free-carol >"$tmp/carol"
like "$(cat "$tmp/carol")" "^free-carol:\\*:[0-9]+:[0-9]+:free-carol:" "free-carol is k8s user 'free:carol' (gecos)"
hard_ns getent -s eksauth group sudo >/dev/null
is "$?" 2 "after every login: eksauth serves no group named sudo"
hard_ns sudo -l -U sudo >"$tmp/sudo-l.out" 2>&1
unlike "$(cat "$tmp/sudo-l.out")" "may run the following" \
    "after every login: sudo -l -U sudo grants nothing (a session named sudo is no sudoer)"
hard_ns getent -s eksauth passwd sudo >/dev/null
is "$?" 2 "after every login: eksauth serves no user named sudo"
hard_ns getent -s eksauth group >"$tmp/group2.eks"
taken=$(cut -d: -f1 "$tmp/group2.eks" | grep -Fxf <(cut -d: -f1 "$NS/group") | tr '\n' ' ')
is "$taken" "" "after every login: no eksauth group has the name of a local group"
no_control "$tmp/pam.log"
ok $? "the PAM log holds no control byte"

[ ! -e /etc/eksauth-hostile ] && ! grep -q '^localbob:' /etc/passwd
ok $? "the host's /etc/passwd is untouched"
done_testing
