#!/bin/bash
# nss_valgrind.sh - valgrind memcheck over libnss_eksauth.so.2 as glibc
# loads it (getent, id) in a private mount namespace: lookups by name and
# id, unknown names, enumeration, initgroups, a templated name, and a
# missing, truncated, corrupt or untrusted DB.  Each run: zero errors, zero
# definite or indirect leaks (valgrind --error-exitcode).  TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
command -v valgrind >/dev/null 2>&1 || { echo "1..0 # SKIP valgrind not installed"; exit 0; }
why=$(hard_ns_unsupported)
[ -z "$why" ] || { echo "1..0 # SKIP $why"; exit 0; }

hard_ns_prepare "files eksauth"
NS_DB=$tmp/db/identity.db
mkdir -p "$tmp/db"
cat >"$tmp/aws-auth.yaml" <<'EOF'
mapRoles: |
  - rolearn: arn:aws:iam::111122223333:role/eks-admins
    username: admin:{{SessionName}}
    groups: [system:masters, ops]
  - rolearn: arn:aws:iam::111122223333:role/build
    username: build
    groups: [system:masters, devs]
mapUsers: |
  - userarn: arn:aws:iam::111122223333:user/bob
    username: bob
    groups: [devs]
EOF
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/aws-auth.yaml" "$NS_DB" >"$tmp/eksauth.conf"
chmod 0644 "$tmp/aws-auth.yaml" "$tmp/eksauth.conf"
hard_ns "$EKSAUTH" --config "$tmp/eksauth.conf" sync >"$tmp/sync.out" 2>&1 || bail "sync failed: $(cat "$tmp/sync.out")"
BUILD_UID=$(hard_ns getent passwd build | cut -d: -f3)
DEVS_GID=$(hard_ns getent group eks-devs | cut -d: -f3)
[ -n "$BUILD_UID" ] && [ -n "$DEVS_GID" ] || bail "the DB does not serve build and eks-devs"

n=0
# vg WANT_EXIT DESCRIPTION CMD...: CMD under memcheck in the namespace.
vg() {
    _want=$1
    _desc=$2
    shift 2
    n=$((n + 1))
    # --run-libc-freeres=no: at exit glibc's freeres dlcloses the NSS modules,
    # so the module's one process-wide DB handle (a static pointer in the
    # unmapped module) would show as "definitely lost".  Without it, that
    # handle is "still reachable"; a real leak is definitely lost either way.
    hard_ns valgrind -q --run-libc-freeres=no --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$tmp/vg.$n.log" "$@" >"$tmp/vg.$n.out" 2>&1
    _rc=$?
    if [ "$_rc" = "$_want" ] && [ ! -s "$tmp/vg.$n.log" ]; then
        pass "valgrind: $_desc: exit $_rc, no error, no leak"
    else
        fail "valgrind: $_desc: exit $_rc (want $_want)"
        sed 's/^/#   /' "$tmp/vg.$n.log" | head -n 30
    fi
}

vg 0 "getent passwd build" getent passwd build
vg 0 "getent passwd by uid" getent passwd "$BUILD_UID"
vg 0 "getent group eks-devs" getent group eks-devs
vg 0 "getent group by gid" getent group "$DEVS_GID"
vg 2 "getent passwd of an unknown name" getent passwd nosuchuser-xyz
vg 2 "getent passwd of an unknown uid" getent passwd 1999999998
vg 0 "getent passwd (enumeration)" getent passwd
vg 0 "getent group (enumeration)" getent group
vg 0 "id build (initgroups)" id build
vg 0 "getent initgroups bob" getent initgroups bob
vg 0 "getent passwd of a templated name before its login" getent passwd admin-carol
vg 2 "getent passwd of a name too short for the template" getent passwd admin-r

cp "$NS_DB" "$tmp/good.db"
rm -f "$NS_DB"
vg 2 "a missing DB" getent passwd build
head -c 100 "$tmp/good.db" >"$NS_DB"
vg 2 "a truncated DB" getent passwd build
cp "$tmp/good.db" "$NS_DB"
printf 'garbage!' | dd of="$NS_DB" bs=1 seek=200 conv=notrunc 2>/dev/null
vg 2 "a corrupt DB (bad checksum)" getent passwd build
cp "$tmp/good.db" "$NS_DB"
chmod 0666 "$NS_DB"
vg 2 "an untrusted DB (world-writable)" getent passwd build
chmod 0644 "$NS_DB"
vg 0 "the good DB again" id bob

done_testing
