#!/bin/sh
# nss.sh - libnss_eksauth.so.2 through the real glibc (getent, id, sudo,
# and three C drivers), in a private mount namespace with its own
# nsswitch.conf and ld.so.cache (iddb_common.sh).  Covers: lookups by name
# and id, id with mapped groups (initgroups), a templated name, enumeration,
# local names never served, short buffers from 1 byte up, 8 threads during
# 1,000 DB rewrites, a thread cancelled inside a lookup (lookups and fork()
# go on), a missing / corrupt / truncated / untrusted DB (getent exits 2,
# nothing crashes; enumeration skips a damaged block's entries), revocation,
# and setuid sudo gated on the mapped group eks-system-masters.  TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"

why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 0
fi

SPEC="$top_srcdir/tests/fixtures/iddb/nss.spec"
DB="$T/identity.db"
ns_prepare "files eksauth"
check "build the test DB" "$IDDB_TOOL" make "$DB" "$SPEC"

# ---- lookups --------------------------------------------------------------
same "build:*:1900000100:1900000005:build:/home/build:/bin/bash" \
    "$(ns_run getent passwd build)" "getent passwd build (primary group: eks-users)"
same "build:*:1900000100:1900000005:build:/home/build:/bin/bash" \
    "$(ns_run getent passwd 1900000100)" "getent passwd by uid"
same "admin-alice:*:1900000200:1900000005:admin-alice:/home/admin-alice:/bin/bash" \
    "$(ns_run getent passwd admin-alice)" "getent passwd of a recorded templated user"
same "eks-system-masters:*:1900000010:build" \
    "$(ns_run getent group eks-system-masters)" "getent group eks-system-masters"
same "eks-devs:*:1900000011:admin-alice,build" \
    "$(ns_run getent group 1900000011)" "getent group by gid, members in order"
same "eks-users:*:1900000005:" "$(ns_run getent group 1900000005)" "the users' group, every login's primary group"
ns_run getent group build >/dev/null
same 2 $? "no group is named like a login"
ns_run getent group 1900000100 >/dev/null
same 2 $? "no group has a login's uid"
same "root:x:0:0:" "$(ns_run getent passwd root | cut -d: -f1-4):" \
    "local users still come from files"
ns_run getent passwd nosuchuser-xyz >/dev/null
same 2 $? "an unknown name: getent exits 2"

# ---- id: groups through initgroups_dyn ------------------------------------
same "uid=1900000100(build) gid=1900000005(eks-users) groups=1900000005(eks-users),1900000010(eks-system-masters),1900000011(eks-devs)" \
    "$(ns_run id build)" "id build shows the mapped groups"
same "eks-users eks-devs localgrp" "$(ns_run id -Gn admin-alice)" \
    "id: a local group mapped on purpose comes through initgroups"

# ---- templated names ------------------------------------------------------
want_uid=$("$IDDB_TOOL" template-uid "$DB" admin-bob)
same "admin-bob:*:$want_uid:1900000005::/home/admin-bob:/bin/bash" \
    "$(ns_run getent passwd admin-bob)" "a templated name resolves before any login"
case $want_uid in 19[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) pass "its uid is in the range" ;;
*) fail "its uid is in the range ($want_uid)" ;; esac
ns_run getent passwd admin-root >/dev/null
same 2 $? "a denied name that fits the template is not served"
ns_run getent passwd admin-b >/dev/null
same 2 $? "a name too short for a session name is not served"
ns_run getent passwd other-bob >/dev/null
same 2 $? "a name that fits no template is not served"
ns_run getent group admin-bob >/dev/null
same 2 $? "no group entry for a templated name before its login"

# ---- enumeration ----------------------------------------------------------
ns_run getent passwd >"$T/all"
if grep -q '^build:' "$T/all" && grep -q '^admin-alice:' "$T/all" && grep -q '^root:' "$T/all"; then
    pass "getent passwd lists files and eksauth users"
else
    fail "getent passwd lists files and eksauth users"
fi
if grep -q '^admin-bob:' "$T/all"; then fail "templated names are never listed"; else
    pass "templated names are never listed"; fi
ns_run getent group >"$T/allg"
same "3" "$(grep -c '^eks-\|^build:\|^admin-alice:' "$T/allg" | tr -d ' ')" \
    "getent group lists eksauth groups (none per login)"
same "1" "$(grep -c '^localgrp:' "$T/allg" | tr -d ' ')" \
    "a local group is listed once (by files, not again by eksauth)"

# ---- local and reserved names are never served (eksauth alone) ------------
"$IDDB_TOOL" make "$DB" "$top_srcdir/tests/fixtures/iddb/catchall.spec"
ns_prepare "eksauth"
ns_run getent passwd someone-new >/dev/null
same 0 $? "templates that fit local names: a new name resolves"
ns_run getent passwd localbob >/dev/null
same 2 $? "a local user's name is never served through eksauth"
ns_run getent passwd localgrp >/dev/null
same 2 $? "a local group's name is never served as a templated user"
ns_run getent passwd root >/dev/null
same 2 $? "root is never served through eksauth"
ns_run getent passwd systemd-coredump >/dev/null
same 2 $? "reserved system names are never served, even when absent locally"

# ---- the buffer contract through glibc ------------------------------------
"$IDDB_TOOL" make "$DB" "$SPEC"
ns_prepare "files eksauth"
check "getpwnam_r from 1 byte up" ns_run "$top_builddir/tests/integration/nss_buffers" \
    passwd build "build:*:1900000100:1900000005:build:/home/build:/bin/bash"
check "getgrnam_r from 1 byte up" ns_run "$top_builddir/tests/integration/nss_buffers" \
    group eks-devs "eks-devs:*:1900000011:admin-alice,build"
check "getpwnam_r of a templated name from 1 byte up" \
    ns_run "$top_builddir/tests/integration/nss_buffers" \
    passwd admin-bob "admin-bob:*:$want_uid:1900000005::/home/admin-bob:/bin/bash"

# ---- 8 threads while another process rewrites the DB 1,000 times -----------
cp "$DB" "$T/good.db"
cp "$top_srcdir/tests/fixtures/iddb/v1-nss.db" "$T/v1.db"
"$IDDB_TOOL" rewrite "$DB" 1 # version A in place before the threads start
if ns_run "$top_builddir/tests/integration/nss_threads" "$IDDB_TOOL" "$DB" 1000 8 >"$T/out" 2>&1
then
    pass "8 threads, 1000 rewrites: every answer whole ($(tail -1 "$T/out"))"
else
    fail "8 threads, 1000 rewrites: every answer whole"
    sed 's/^/# /' "$T/out"
fi
rm -f "$DB" && cp "$T/good.db" "$DB"

# ---- a thread cancelled inside a lookup ---------------------------------------
# A templated name reads the local files under the module's lock: a cancelled
# lookup must leave it free for the next lookup and for fork().
if ns_run "$top_builddir/tests/integration/nss_cancel" 300 build admin-bob >"$T/out" 2>&1; then
    pass "300 threads cancelled in templated lookups: lookups and fork() go on ($(tail -1 "$T/out"))"
else
    fail "300 threads cancelled in templated lookups: lookups and fork() go on"
    sed 's/^/# /' "$T/out"
fi

# ---- missing, corrupt, truncated, untrusted DB ------------------------------
# getent exits 2 (not found) and nothing crashes (a signal would give >= 128).
unavail() {
    desc=$1
    ns_run getent passwd build >/dev/null 2>&1
    rc1=$?
    ns_run id build >/dev/null 2>&1
    rc2=$?
    ns_run getent group eks-devs >/dev/null 2>&1
    rc3=$?
    ns_run getent passwd root >/dev/null 2>&1
    rc4=$?
    if [ "$rc1" = 2 ] && [ "$rc2" = 1 ] && [ "$rc3" = 2 ] && [ "$rc4" = 0 ]; then
        pass "$desc: getent exits 2, id fails cleanly, local users still resolve"
    else
        fail "$desc: getent=$rc1 id=$rc2 getent-group=$rc3 root=$rc4"
    fi
}
rm -f "$DB"
unavail "missing DB"
head -c 100 "$T/good.db" >"$DB"
unavail "DB truncated to 100 bytes"
size=$(wc -c <"$T/good.db")
head -c $((size - 1)) "$T/good.db" >"$DB"
unavail "DB short by one byte"
rm -f "$DB" && cp "$T/good.db" "$DB"
printf 'X' | dd of="$DB" bs=1 seek=400 conv=notrunc 2>/dev/null
unavail "DB with one byte of its header page changed"
rm -f "$DB" && cp "$T/good.db" "$DB"
printf 'X' | dd of="$DB" bs=1 seek=4200 conv=notrunc 2>/dev/null
unavail "DB with one byte of its first data block changed"
cp "$T/v1.db" "$DB"
unavail "DB in the previous format (version 1)"
# A bigger DB damaged in one user-record block: the users whose records (or
# index slots) lie in that block are refused, every other answer is exact.
"$IDDB_TOOL" gen "$DB" 300 "$T/gen_passwd" "$T/gen_group" >/dev/null
printf 'X' | dd of="$DB" bs=1 seek=$((4096 * 2 + 100)) conv=notrunc 2>/dev/null
names=$(seq 0 299 | sed 's/^/u/')
# shellcheck disable=SC2086
ns_run getent passwd $names >"$T/damaged.out" 2>/dev/null
rc=$?
served=$(wc -l <"$T/damaged.out")
wrong=$(sed 's/^\([^:]*\):\*:/\1:x:/' "$T/damaged.out" | grep -cvxF -f "$T/gen_passwd")
if [ "$rc" = 2 ] && [ "$served" -gt 0 ] && [ "$served" -lt 300 ] && [ "$wrong" = 0 ]; then
    pass "one damaged block: $served of 300 users served, each exactly, the rest refused"
else
    fail "one damaged block: getent=$rc served=$served wrong=$wrong"
fi
# Enumeration skips the damaged records, as files skips a bad line: glibc
# takes UNAVAIL from getpwent as the end of the source, so a module that
# answered UNAVAIL there listed only the users before the block.
ns_run getent passwd | grep '^u[0-9]' >"$T/damaged.enum"
same "$(sort "$T/damaged.out")" "$(sort "$T/damaged.enum")" \
    "one damaged block: getent passwd lists every user a lookup serves, none else"
# The same for groups: a DB whose group records span several blocks, one damaged.
"$IDDB_TOOL" gen "$DB" 3000 "$T/gen_passwd" "$T/gen_group" nobig >/dev/null
# The groups section's offset and size: the header's third section entry
# (docs/identity-db.md, include/eksauth/iddb_format.h).
goff=$(od -An -tu4 -j $((96 + 8 * 2)) -N4 "$DB" | tr -d ' ')
gsize=$(od -An -tu4 -j $((96 + 8 * 2 + 4)) -N4 "$DB" | tr -d ' ')
printf 'X' | dd of="$DB" bs=1 seek=$((goff + gsize / 2)) conv=notrunc 2>/dev/null
gnames=$(seq 0 299 | sed 's/^/eks-g/')
# shellcheck disable=SC2086
ns_run getent group $gnames >"$T/damaged.gout" 2>/dev/null
ns_run getent group | grep '^eks-g[0-9]' >"$T/damaged.genum"
gserved=$(wc -l <"$T/damaged.gout")
if [ "$gserved" -gt 0 ] && [ "$gserved" -lt 300 ]; then
    pass "one damaged group block: $gserved of 300 groups served by name"
else
    fail "one damaged group block: $gserved of 300 groups served by name"
fi
same "$(sort "$T/damaged.gout")" "$(sort "$T/damaged.genum")" \
    "one damaged group block: getent group lists every group a lookup serves, none else"
head -c 4096 /dev/urandom >"$DB"
unavail "random bytes"
rm -f "$DB" && cp "$T/good.db" "$DB"
chmod 0666 "$DB"
unavail "world-writable DB"
chmod 0644 "$DB"
chown 1 "$DB"
unavail "DB not owned by root"
rm -f "$DB" && cp "$T/good.db" "$DB"
same "build" "$(ns_run getent passwd build | cut -d: -f1)" "a good DB again: served"

# ---- sudo gated on the mapped group (setuid, fixed DB path) -----------------
# scripts/install-deps installs sudo: without it the setuid checks below
# cannot run, and that is a broken test machine, not a skip.
if ! command -v sudo >/dev/null 2>&1 || ! command -v visudo >/dev/null 2>&1; then
    bail "sudo/visudo not installed (scripts/install-deps installs sudo)"
fi
command -v setpriv >/dev/null 2>&1 || bail "setpriv not installed (util-linux)"
# !authenticate: a user no rule allows gets sudo's own refusal ("NAME is not
# in the sudoers file"), not a password demand that -n turns into an error.
SUDO_REFUSED="build is not in the sudoers file"
cp /etc/sudoers "$T/sudoers"
printf '\nDefaults !authenticate\n%%eks-system-masters ALL=(ALL:ALL) NOPASSWD: ALL\n' >>"$T/sudoers"
chmod 0440 "$T/sudoers"
if visudo -cf "$T/sudoers" >/dev/null; then pass "test sudoers parses"; else
    fail "test sudoers parses"; fi
ns_publish_db
out=$(ns_run sudo -l -U build 2>&1)
case $out in *"(ALL : ALL) NOPASSWD: ALL"*) pass "sudo -l -U build: allowed through %eks-system-masters" ;;
*) fail "sudo -l -U build"; echo "$out" | sed 's/^/# /' ;; esac
out=$(ns_run sudo -l -U admin-alice 2>&1)
case $out in *"not allowed"*) pass "sudo -l -U admin-alice: not in the group, not allowed" ;;
*) fail "sudo -l -U admin-alice"; echo "$out" | sed 's/^/# /' ;; esac
# A real setuid sudo run by the mapped user (AT_SECURE: EKSAUTH_DB is ignored,
# the module reads /var/lib/eksauth/identity.db, here a tmpfs of the namespace).
out=$(ns_run setpriv --reuid=1900000100 --regid=1900000100 --init-groups \
    sudo -n id -un 2>&1)
same "root" "$out" "setuid sudo as build (uid from eksauth) runs as root"

# setuid sudo takes the DB from the fixed path, never from the caller's
# EKSAUTH_DB.  Two DBs that differ only in build's membership of
# eks-system-masters: one at the fixed path, the other named by EKSAUTH_DB.
# --clear-groups: build's process has no supplementary groups, so the
# membership sudo sees comes from its own NSS lookups (the group's members),
# made under AT_SECURE.
sed 's/^user|build|1900000100|build|eks-system-masters,eks-devs$/user|build|1900000100|build|eks-devs/' \
    "$SPEC" >"$T/revoked.spec"
grep -q '^user|build|1900000100|build|eks-devs$' "$T/revoked.spec" || bail "revoked.spec: the sed did not apply"
"$IDDB_TOOL" make "$T/granting.db" "$SPEC" || bail "cannot build granting.db"
"$IDDB_TOOL" make "$T/revoked.db" "$T/revoked.spec" || bail "cannot build revoked.db"
chmod 0644 "$T/granting.db" "$T/revoked.db"
sudo_as_build() { # EKSAUTH_DB for the caller; prints sudo's answer
    nss_ns_run "$T" "$1" setpriv --reuid=1900000100 --regid=1900000005 --clear-groups \
        sudo -n id -un 2>&1
}
cp "$T/granting.db" "$DB" && ns_publish_db
same "root" "$(sudo_as_build "$T/revoked.db")" \
    "control: the fixed-path DB's grant lets setuid sudo run (EKSAUTH_DB names a DB without it)"
cp "$T/revoked.db" "$DB" && ns_publish_db
out=$(sudo_as_build "$T/granting.db")
case $out in *"$SUDO_REFUSED"*) pass "setuid sudo ignores EKSAUTH_DB naming a DB that grants eks-system-masters" ;;
*) fail "setuid sudo ignores EKSAUTH_DB naming a DB that grants eks-system-masters"
    echo "$out" | sed 's/^/# /' ;; esac

# revocation: build leaves eks-system-masters (both paths); the next sudo refuses
out=$(ns_run setpriv --reuid=1900000100 --regid=1900000100 --init-groups \
    sudo -n id -un 2>&1)
case $out in *"$SUDO_REFUSED"*) pass "after revocation sudo refuses ($(echo "$out" | head -1))" ;;
*) fail "after revocation sudo refuses"; echo "$out" | sed 's/^/# /' ;; esac
# ---- eksauth sync rewrites a version 1 DB and keeps its recorded ids ---------
mkdir -p "$T/up"
cp "$top_srcdir/tests/fixtures/iddb/v1-nss.db" "$T/up/identity.db"
chmod 0644 "$T/up/identity.db"
printf 'mapUsers: |\n  - userarn: arn:aws:iam::123456789012:user/build\n    username: build\n    groups: [devs]\n' \
    >"$T/up/aws-auth.yaml"
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\nid_key_file = %s/none\n' \
    "$T/up/aws-auth.yaml" "$T/up/identity.db" "$T/up" >"$T/up/eksauth.conf"
chmod 0644 "$T/up/aws-auth.yaml" "$T/up/eksauth.conf"
"$IDDB_TOOL" dump "$T/up/identity.db" >"$T/up/before" 2>&1
case $(cat "$T/up/before") in
*"version 1; run eksauth sync to rewrite it"*) pass "a version 1 DB is refused, saying what to do" ;;
*) fail "a version 1 DB is refused, saying what to do"; sed 's/^/# /' "$T/up/before" ;;
esac
if "$EKSAUTH" --config "$T/up/eksauth.conf" sync >"$T/up/sync.out" 2>&1 &&
    "$IDDB_TOOL" dump "$T/up/identity.db" >"$T/up/after" 2>&1; then
    pass "eksauth sync rewrites it in the current version"
else
    fail "eksauth sync rewrites it in the current version"
    sed 's/^/# /' "$T/up/sync.out" "$T/up/after"
fi
same "build:x:1900000100" "$(grep '^build:x:.*:/bin/bash$' "$T/up/after" | cut -d: -f1-3)" \
    "... keeping build's uid from the old DB (not the one a new plan would give)"
users_gid=$(grep '^eks-users:x:' "$T/up/after" | cut -d: -f3)
same "build:x:1900000100:$users_gid" "$(grep '^build:x:' "$T/up/after" | cut -d: -f1-4)" \
    "... with the users' group as its primary group, no group of its own"

if grep -q eks- /etc/sudoers /etc/nsswitch.conf; then fail "host files untouched"; else
    pass "host /etc/sudoers and /etc/nsswitch.conf untouched"; fi

done_testing
