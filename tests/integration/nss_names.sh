#!/bin/sh
# nss_names.sh - the names and ids of issue 16 through `eksauth sync` and the
# real glibc (getent, id, sudo, useradd, setpriv) in a private mount
# namespace (iddb_common.sh):
#  - no group a session name or login can name: logins admin, wheel, docker
#    (static) and sso-admin ... (templated) are in no group of that name,
#    and sudoers' %admin, %wheel, %docker rules match none of them;
#  - a bare template ({{SessionName}}) is not served: getpwnam of any new
#    name is NOTFOUND and useradd of a new local account works;
#  - uid_min = 1000 with a local uid where a templated name lands: the sync
#    warns, NSS does not answer the name and its login is refused;
#  - 65534 and 65535 in the range, with no local nobody: no static name
#    gets one, and NSS does not answer a templated name whose one uid is one;
#  - uid_min = 100000 with a block of /etc/subuid and /etc/subgid in the
#    range: the sync warns, and no static name gets an id of the blocks;
#  - keyed ids (id_key_file): root gets the keyed uid of a templated name,
#    another user gets no answer; without a key the sync warns.
# TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"

why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 0
fi
for tool in useradd sudo visudo setpriv; do
    command -v "$tool" >/dev/null 2>&1 || { echo "Bail out! $tool is not installed (install-deps)"; exit 1; }
done

DB="$T/identity.db"
ETC="$T/etc"
mkdir -p "$ETC"
ns_prepare "files eksauth"

# conf NAME EXTRA: a config for the sync ($ETC/NAME.conf) with the aws-auth of $ETC.
conf() {
    printf 'cluster_id = prod\naws_auth_file = %s/aws-auth.yaml\ndb_path = %s\n%s\n' \
        "$ETC" "$DB" "$2" >"$ETC/$1.conf"
    chmod 0644 "$ETC/$1.conf"
}
# sync NAME: eksauth sync with $ETC/NAME.conf, inside the namespace (its local
# accounts count); its output in $T/sync.out.
sync_with() {
    ns_run "$EKSAUTH" --config "$ETC/$1.conf" sync >"$T/sync.out" 2>&1
}

cat >"$ETC/aws-auth.yaml" <<'EOF'
mapRoles: |
  - rolearn: arn:aws:iam::111122223333:role/sso
    username: sso:{{SessionName}}
    groups: [devs]
  - rolearn: arn:aws:iam::111122223333:role/bare
    username: "{{SessionName}}"
    groups: [devs]
mapUsers: |
  - userarn: arn:aws:iam::111122223333:user/admin
    username: admin
  - userarn: arn:aws:iam::111122223333:user/wheel
    username: wheel
  - userarn: arn:aws:iam::111122223333:user/docker
    username: docker
    groups: [devs]
EOF
chmod 0644 "$ETC/aws-auth.yaml"
conf plain "id_key_file = $ETC/no-such.key"
if sync_with plain; then pass "eksauth sync"; else fail "eksauth sync"; sed 's/^/# /' "$T/sync.out"; fi

# ---- no group a login names ------------------------------------------------
for s in admin wheel docker; do
    "$IDDB_TOOL" record "$DB" "sso-$s" "sso:$s" "arn:aws:sts::111122223333:assumed-role/sso/$s" \
        "eks-devs|0|devs" >/dev/null 2>"$T/rec.err" || { fail "record sso-$s"; sed 's/^/# /' "$T/rec.err"; }
done
ns_publish_db
for n in admin wheel docker sso-admin sso-wheel sso-docker; do
    ns_run getent passwd "$n" >/dev/null
    rc_user=$?
    ns_run getent group "$n" >/dev/null
    same "0:2" "$rc_user:$?" "login $n is served, and no group is named $n"
    same "eks-users" "$(ns_run id -Gn "$n" | tr ' ' '\n' | grep -v '^eks-devs$' | tr '\n' ' ' | sed 's/ $//')" \
        "id -Gn $n: eks-users (and eks-devs), nothing named after the login"
done
cp /etc/sudoers "$T/sudoers"
printf '\n%%admin ALL=(ALL) ALL\n%%wheel ALL=(ALL) ALL\n%%docker ALL=(ALL) NOPASSWD: ALL\n' >>"$T/sudoers"
chmod 0440 "$T/sudoers"
if visudo -cqf "$T/sudoers"; then pass "a sudoers with Ubuntu's %admin rule, %wheel and %docker parses"; else
    fail "the test sudoers parses"; fi
for n in admin wheel docker sso-admin sso-wheel sso-docker; do
    out=$(ns_run sudo -l -U "$n" 2>&1)
    case $out in
    *"not allowed"*) pass "sudo -l -U $n: %admin, %wheel and %docker match nothing" ;;
    *) fail "sudo -l -U $n"; echo "$out" | sed 's/^/# /' ;;
    esac
done
rm -f "$T/sudoers"

# ---- a bare template is not served --------------------------------------------
if grep -q "template '{{SessionName}}' is not served: .*give it a prefix, e.g. 'sso:{{SessionName}}'" "$T/sync.out"; then
    pass "sync: the bare template is not served, its entry named, a prefix suggested"
else
    fail "sync: the bare template is not served"; sed 's/^/# /' "$T/sync.out"
fi
for n in newsvc postgres2 anything-at-all; do
    ns_run getent passwd "$n" >/dev/null
    same 2 $? "getpwnam $n: NOTFOUND (no template answers for any name)"
done
# useradd of a new local account, in a copy of /etc bound over /etc in the namespace.
useradd_in_ns() {
    rm -rf "$T/etcroot"
    cp -a /etc "$T/etcroot"
    cp "$T/nsswitch.conf" "$T/etcroot/nsswitch.conf"
    cp "$T/ld.so.cache" "$T/etcroot/ld.so.cache"
    cp "$T/passwd" "$T/etcroot/passwd"
    cp "$T/group" "$T/etcroot/group"
    EKSAUTH_DB="$DB" T="$T" unshare -m sh -c '
        mount --bind "$T/etcroot" /etc || exit 99
        exec useradd -M -s /usr/sbin/nologin "$1"' ns "$1" >"$T/useradd.out" 2>&1
}
useradd_in_ns newsvc
same 0 $? "useradd newsvc works on an eksauth host ($(head -n 1 "$T/useradd.out"))"
same "newsvc" "$(cut -d: -f1 "$T/etcroot/passwd" | grep -x newsvc)" "... and newsvc is a local account"
# A DB written by an older eksauth with the bare template in it: still no answer.
printf 'range|1900000000|1999999999\nusers|eks-users|1900000005\ntemplate|{{SessionName}}\n' >"$T/bare.spec"
"$IDDB_TOOL" make "$DB" "$T/bare.spec"
ns_run getent passwd newsvc >/dev/null
same 2 $? "a DB holding a bare template: getpwnam newsvc is NOTFOUND all the same"
useradd_in_ns newsvc
same 0 $? "... and useradd newsvc works"

# ---- uid_min = 1000: a local uid where a templated name lands ---------------------
LOCAL_UID=$("$IDDB_TOOL" id sso-carol 1000 1999999)
echo "svc:x:$LOCAL_UID:$LOCAL_UID:a local service:/srv:/usr/sbin/nologin" >>"$T/passwd"
conf low "id_key_file = $ETC/no-such.key
uid_min = 1000
uid_max = 1999999"
rm -f "$DB"
if sync_with low; then pass "eksauth sync with uid_min = 1000"; else fail "eksauth sync with uid_min = 1000"; fi
if grep -q "overlaps the ids useradd and groupadd give" "$T/sync.out" &&
    grep -q "holds local uids or gids" "$T/sync.out"; then
    pass "sync warns: the range overlaps /etc/login.defs' and holds local ids"
else
    fail "sync warns about the range"; sed 's/^/# /' "$T/sync.out"
fi
ns_run getent passwd sso-carol >/dev/null
same 2 $? "getpwnam sso-carol: NOTFOUND (its one uid, $LOCAL_UID, is the local svc's)"
ns_run getent passwd sso-dave >/dev/null
same 0 $? "getpwnam sso-dave: served (control)"
ns_run "$IDDB_TOOL" record "$DB" sso-carol sso:carol "arn:aws:sts::111122223333:assumed-role/sso/carol" \
    >/dev/null 2>"$T/rec.err"
same 1 $? "the login of sso-carol is refused, not given another uid"
if grep -q "its id $LOCAL_UID is held by a local account or group" "$T/rec.err"; then
    pass "... and the log says which id and why"
else
    fail "... the log says why"; sed 's/^/# /' "$T/rec.err"
fi
for n in admin wheel docker; do
    uid=$(ns_run getent passwd "$n" | cut -d: -f3)
    if [ -n "$uid" ] && ! cut -d: -f3,4 "$T/passwd" | tr ':' '\n' | grep -qx "$uid" &&
        ! cut -d: -f3 "$T/group" | grep -qx "$uid"; then
        pass "static $n ($uid) got no local uid or gid"
    else
        fail "static $n ($uid) got no local uid or gid"
    fi
done
grep -v '^svc:' "$T/passwd" >"$T/passwd.new" && cat "$T/passwd.new" >"$T/passwd"

# ---- reserved ids: 65534 and 65535 are never given, even with no local nobody -------
cp "$T/passwd" "$T/passwd.keep"
cp "$T/group" "$T/group.keep"
awk -F: '$3 != 65534 && $3 != 65535 && $4 != 65534 && $4 != 65535' "$T/passwd.keep" >"$T/passwd"
awk -F: '$3 != 65534 && $3 != 65535' "$T/group.keep" >"$T/group"
conf reserved "id_key_file = $ETC/no-such.key
uid_min = 65530
uid_max = 65540"
rm -f "$DB"
if sync_with reserved; then pass "eksauth sync with uid_min = 65530, uid_max = 65540"; else
    fail "eksauth sync with uid_min = 65530"; sed 's/^/# /' "$T/sync.out"; fi
used=""
for n in admin wheel docker; do used="$used $(ns_run getent passwd "$n" | cut -d: -f3)"; done
for g in eks-devs eks-users; do used="$used $(ns_run getent group "$g" | cut -d: -f3)"; done
case " $used " in
*" 65534 "* | *" 65535 "*) fail "static users and groups got no reserved id ($used)" ;;
*) pass "static users and groups got no reserved id ($used)" ;;
esac
reserved_name="" free_name=""
i=0
while [ "$i" -lt 2000 ] && { [ -z "$reserved_name" ] || [ -z "$free_name" ]; }; do
    i=$((i + 1))
    id=$("$IDDB_TOOL" id "sso-r$i" 65530 65540)
    case " 65534 65535 " in *" $id "*) [ -n "$reserved_name" ] || reserved_name="sso-r$i"; continue ;; esac
    case " $used " in *" $id "*) continue ;; esac
    [ -n "$free_name" ] || free_name="sso-r$i"
done
ns_run getent passwd "$reserved_name" >/dev/null
same 2 $? "getpwnam $reserved_name: NOTFOUND (its one uid is reserved: nobody's or 16-bit -1)"
ns_run getent passwd "$free_name" >/dev/null
same 0 $? "getpwnam $free_name: served (control)"
cp "$T/passwd.keep" "$T/passwd"
cp "$T/group.keep" "$T/group"

# ---- subordinate ids: a block of /etc/subuid or /etc/subgid is never given ----------
# uid_min = 100000, above UID_MAX: where useradd gives each account a block of
# subordinate ids, which it acts as in a user namespace of its own.  The
# static names probe past alice's block; the sync says why.
printf 'alice:100000:60\n' >"$T/subuid"
printf 'alice:100060:41\n' >"$T/subgid"
conf sub "id_key_file = $ETC/no-such.key
uid_min = 100000
uid_max = 100199"
rm -f "$DB"
# ns_sub CMD...: CMD in the namespace, with $T/subuid and $T/subgid over /etc's.
ns_sub() {
    ns_run sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec "$@"' \
        sh "$T/subuid" "$T/subgid" "$@"
}
if ns_sub "$EKSAUTH" --config "$ETC/sub.conf" sync >"$T/sync.out" 2>&1; then
    pass "eksauth sync with uid_min = 100000 and blocks of subordinate ids in the range"
else
    fail "eksauth sync with uid_min = 100000"; sed 's/^/# /' "$T/sync.out"
fi
if grep -q "overlaps the subordinate ids useradd gives (/etc/login.defs: 100000-600100000" "$T/sync.out" &&
    grep -q "holds subordinate ids of local accounts (/etc/subuid, /etc/subgid: 1 block, e.g. 100000-100100)" \
        "$T/sync.out"; then
    pass "sync warns: the range is where useradd gives subordinate ids, and holds alice's"
else
    fail "sync warns about subordinate ids"; sed 's/^/# /' "$T/sync.out"
fi
used=""
for n in admin wheel docker; do used="$used $(ns_run getent passwd "$n" | cut -d: -f3)"; done
for g in eks-devs eks-users; do used="$used $(ns_run getent group "$g" | cut -d: -f3)"; done
inside=""
for id in $used; do [ "$id" -le 100100 ] && inside="$inside $id"; done
if [ -z "$inside" ] && [ "$(echo $used | wc -w)" -eq 5 ]; then
    pass "static users and groups got no id of alice's blocks ($used)"
else
    fail "static users and groups got no id of alice's blocks ($used)"
fi
# A templated name whose one uid is in a block: NSS does not answer it (its
# login is refused), read from /etc/subuid or /etc/subgid between syncs.
in_uid="" in_gid="" free_name=""
i=0
while [ "$i" -lt 2000 ] && { [ -z "$in_uid" ] || [ -z "$in_gid" ] || [ -z "$free_name" ]; }; do
    i=$((i + 1))
    id=$("$IDDB_TOOL" id "sso-s$i" 100000 100199)
    if [ "$id" -le 100059 ]; then [ -n "$in_uid" ] || in_uid="sso-s$i"; continue; fi
    if [ "$id" -le 100100 ]; then [ -n "$in_gid" ] || in_gid="sso-s$i"; continue; fi
    case " $used " in *" $id "*) continue ;; esac
    [ -n "$free_name" ] || free_name="sso-s$i"
done
ns_sub getent passwd "$in_uid" >/dev/null
same 2 $? "getpwnam $in_uid: NOTFOUND (its one uid is in alice's block of /etc/subuid)"
ns_sub getent passwd "$in_gid" >/dev/null
same 2 $? "getpwnam $in_gid: NOTFOUND (its one uid is in alice's block of /etc/subgid)"
ns_sub getent passwd "$free_name" >/dev/null
same 0 $? "getpwnam $free_name: served (control: its uid is in no block)"
ns_run getent passwd "$in_uid" >/dev/null
same 0 $? "getpwnam $in_uid without the blocks: served (the block, not the name, held it)"
ns_sub "$IDDB_TOOL" record "$DB" "$in_uid" "sso:${in_uid#sso-}" \
    "arn:aws:sts::111122223333:assumed-role/sso/${in_uid#sso-}" >/dev/null 2>"$T/rec.err"
same 1 $? "the login of $in_uid is refused too: NSS and the login agree"
rm -f "$T/subuid" "$T/subgid"

# ---- keyed ids: only root gets a templated name's uid -------------------------------
rm -f "$DB"
if sync_with plain && grep -q "templated uids are predictable: anyone who can choose a session name can aim at a uid; create /etc/eksauth/id.key" "$T/sync.out"; then
    pass "sync without a key: templated uids are predictable, it says, and how to make the key"
else
    fail "sync without a key warns"; sed 's/^/# /' "$T/sync.out"
fi
head -c 32 /dev/urandom >"$ETC/id.key"
chmod 0400 "$ETC/id.key"
conf keyed "id_key_file = $ETC/id.key"
rm -f "$DB"
if sync_with keyed && ! grep -q "predictable" "$T/sync.out"; then
    pass "sync with id_key_file: no warning"
else
    fail "sync with id_key_file"; sed 's/^/# /' "$T/sync.out"
fi
export EKSAUTH_ID_KEY="$ETC/id.key" # where the module reads it (a fixed path outside tests)
want=$("$IDDB_TOOL" template-uid "$DB" sso-erin)
unkeyed=$("$IDDB_TOOL" id sso-erin 1900000000 1999999999)
same "$want" "$(ns_run getent passwd sso-erin | cut -d: -f3)" "root: getpwnam sso-erin gives the keyed uid ($want)"
if [ -n "$want" ] && [ "$want" != "$unkeyed" ]; then pass "... not the unkeyed one ($unkeyed)"; else
    fail "... not the unkeyed one ($want, $unkeyed)"; fi
ns_run setpriv --reuid=65534 --regid=65534 --clear-groups getent passwd sso-erin >/dev/null
same 2 $? "another user: getpwnam sso-erin gives no answer (no oracle for aiming)"
same "admin" "$(ns_run setpriv --reuid=65534 --regid=65534 --clear-groups getent passwd admin | cut -d: -f1)" \
    "another user: a static user needs no key"
chmod 0644 "$ETC/id.key"
ns_run getent passwd sso-erin >/dev/null
same 2 $? "root, with a key file others can read: no answer"
unset EKSAUTH_ID_KEY

if grep -q eks- /etc/sudoers /etc/nsswitch.conf || grep -q '^newsvc:' /etc/passwd; then
    fail "host files untouched"
else
    pass "host /etc/sudoers, /etc/nsswitch.conf and /etc/passwd untouched"
fi
done_testing
