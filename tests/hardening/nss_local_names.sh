#!/bin/bash
# nss_local_names.sh - an eksauth entry whose name becomes local between two
# syncs (a local user or group made after the last sync) is served by no
# lookup of libnss_eksauth.so.2 until the next sync drops it.  The sync
# refuses such names (lib/identity.c), but "files eksauth" only gives files
# the lookups *by name*: by id, enumeration and initgroups still reach
# eksauth.  Without the module's check, getgrgid(the gid of eksauth's
# eks-ops) says "eks-ops", and sudo (match_group_by_gid off, its default)
# matches a user by the names of its gids: eksauth's members of eks-ops
# would get the sudoers rules of a local group eks-ops made since (and, in
# a DB from before version 3, eksauth alice's private group those of a
# local group alice).  Here, in a private mount namespace (tests/e2e/e2e_common.sh
# does the same: nsswitch.conf, ld.so.cache, passwd, group, sudoers and
# /var/lib/eksauth bound over the host's), through glibc (getent, id) and
# real sudo (sudo -l -U as root, and a setuid sudo run by the eksauth uid).
# TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (mount namespace, root-owned DB)"; exit 0; }
why=$(hard_ns_unsupported)
case $why in
"") ;;
sanitizer*) echo "1..0 # SKIP $why"; exit 0 ;;
*) bail "$why" ;;
esac
command -v sudo >/dev/null 2>&1 || bail "sudo is not installed (install-deps installs it)"
command -v setpriv >/dev/null 2>&1 || bail "setpriv is not installed (util-linux)"

# aws-auth: alice (ops), bob (ops, devs), dave (devs).
cat >"$tmp/aws-auth.yaml" <<'YAML'
mapUsers: |
  - userarn: arn:aws:iam::111122223333:user/alice
    username: alice
    groups: [ops]
  - userarn: arn:aws:iam::111122223333:user/bob
    username: bob
    groups: [ops, devs]
  - userarn: arn:aws:iam::111122223333:user/dave
    username: dave
    groups: [devs]
YAML
hard_ns_prepare "files eksauth"
mkdir -p -m 0755 "$NS/varlib" "$NS/varlib/eksauth"
NS_DB=$NS/varlib/eksauth/identity.db
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/aws-auth.yaml" "$NS_DB" >"$tmp/eksauth.conf"
chmod 0644 "$tmp/aws-auth.yaml" "$tmp/eksauth.conf"
"$EKSAUTH" --config "$tmp/eksauth.conf" sync >"$tmp/sync.out" 2>&1 || bail "sync failed: $(cat "$tmp/sync.out")"
cp "$NS/passwd" "$NS/passwd.orig"
cp "$NS/group" "$NS/group.orig"
# sudoers: rules for the local group alice, the local group eks-ops and the local user dave.
cp /etc/sudoers "$NS/sudoers"
printf '\n%%alice ALL=(ALL) NOPASSWD: /bin/true\n%%eks-ops ALL=(ALL) NOPASSWD: /bin/false\ndave ALL=(ALL) NOPASSWD: /bin/echo\n' >>"$NS/sudoers"
chmod 0440 "$NS/sudoers"
visudo -cqf "$NS/sudoers" || bail "the test sudoers does not parse"

# The DB at the fixed path too (hard_ns binds $NS/varlib/eksauth): setuid sudo reads it there.
nsr() { hard_ns "$@"; }
field() { cut -d: -f"$1"; }
UID_ALICE=$(nsr getent passwd alice | field 3)
UID_BOB=$(nsr getent passwd bob | field 3)
UID_DAVE=$(nsr getent passwd dave | field 3)
GID_OPS=$(nsr getent group eks-ops | field 3)
[ -n "$UID_ALICE" ] && [ -n "$UID_BOB" ] && [ -n "$UID_DAVE" ] && [ -n "$GID_OPS" ] ||
    bail "the eksauth users are not served before any clash"

# ---- before: no local name clashes; sudo sees eksauth groups ----
nsr getent group "$UID_ALICE" >/dev/null 2>&1
is "$?" 2 "before: no group has alice's uid (no group per login)"
is "$(nsr getent passwd "$UID_ALICE" | field 1)" alice "before: getpwuid of alice's uid is eksauth's alice"
like "$(nsr sudo -l -U bob 2>&1)" "/bin/false" "before: sudo -l -U bob matches %eks-ops through eksauth's eks-ops (the mechanism works)"
# setuid sudo run by an eksauth uid (AT_SECURE): the module reads the DB at
# the fixed path (/var/lib/eksauth, bound to $NS/varlib/eksauth) and ignores
# EKSAUTH_DB, here a path with no DB: were it read, no eksauth uid would
# resolve.  --clear-groups: sudo finds the groups through NSS itself.
setuid_sudo_l() {
    nss_ns_run "$NS" "$tmp/no-such-dir/identity.db" \
        setpriv --reuid="$1" --regid="$1" --clear-groups sudo -n -l 2>&1
}
NO_USER="sudo: you do not exist in the passwd database"
like "$(setuid_sudo_l "$UID_BOB")" "NOPASSWD: /bin/false" \
    "before: setuid sudo -n -l by eksauth bob's uid gets %eks-ops' rule (fixed-path DB, EKSAUTH_DB ignored)"
like "$(setuid_sudo_l "$UID_ALICE")" "User alice may run|User alice is not allowed|a password is required" \
    "before: setuid sudo -n -l by eksauth alice's uid: alice is known to sudo"

# ---- a local group alice, a local group eks-ops and a local user dave, made after the sync ----
echo "alice:x:5555:" >>"$NS/group"
echo "eks-ops:x:5556:" >>"$NS/group"
echo "dave:x:5557:5557:local dave:/home/dave:/bin/sh" >>"$NS/passwd"
echo "dave:x:5557:" >>"$NS/group"

nsr getent group "$UID_ALICE" >"$tmp/out" 2>&1
is "$?:$(cat "$tmp/out")" "2:" "getgrgid of eksauth alice's uid: not found"
nsr getent group "$GID_OPS" >"$tmp/out" 2>&1
is "$?:$(cat "$tmp/out")" "2:" "getgrgid of eksauth's eks-ops: not found (its name is a local group's now)"
is "$(nsr getent group eks-ops)" "eks-ops:x:5556:" "getgrnam eks-ops: the local group, no eksauth member"
nsr getent passwd alice >/dev/null 2>&1
is "$?" 2 "getpwnam alice (named like the local group alice): not found"
nsr getent passwd "$UID_ALICE" >/dev/null 2>&1
is "$?" 2 "getpwuid of eksauth alice: not found"
is "$(nsr getent passwd dave | field 3)" 5557 "getpwnam dave: the local dave"
nsr getent passwd "$UID_DAVE" >/dev/null 2>&1
is "$?" 2 "getpwuid of eksauth dave: not found (it would say 'dave', the local user's name)"
is "$(nsr id -G dave)" 5557 "initgroups of the local dave: its own group only, none of eksauth dave's"
is "$(nsr getent group eks-devs | field 4)" bob "eks-devs lists bob, not dave (the name is the local dave's now)"
nsr getent passwd >"$tmp/pw.all"
nsr getent group >"$tmp/gr.all"
is "$(grep -c -e "^alice:" -e ":$UID_ALICE:" -e ":$UID_DAVE:" "$tmp/pw.all")" 0 \
    "enumeration of passwd: neither eksauth alice nor eksauth dave"
is "$(grep -c -e ":$UID_ALICE:" -e ":$GID_OPS:" "$tmp/gr.all")" 0 \
    "enumeration of group: neither eksauth alice's group nor eksauth's eks-ops"
is "$(nsr id -Gn bob | tr ' ' '\n' | sort | tr '\n' ' ')" "eks-devs eks-users " \
    "bob (no clash) is still served, without the clashing eks-ops"
out=$(nsr sudo -l -U bob 2>&1)
like "$out" "User bob is not allowed to run sudo" \
    "sudo -l -U bob: the local group eks-ops' rule no longer matches eksauth's eks-ops (sudo: not allowed)"
unlike "$out" "/bin/false" "... and sudo lists no /bin/false rule for bob"
# A real setuid sudo run by eksauth alice's uid and gid.  Without the check it
# resolves to "alice" with the group "alice" and gets the local group alice's
# rule; with it, sudo refuses: the uid is nobody's.
out=$(setuid_sudo_l "$UID_ALICE")
is "$out" "$NO_USER" "setuid sudo -n -l by eksauth alice's uid: refused, not the local group alice's rule"
out=$(setuid_sudo_l "$UID_DAVE")
is "$out" "$NO_USER" "setuid sudo -n -l by eksauth dave's uid: refused, not the local user dave's rule"

# ---- the local names go again: served again, no stale state ----
cat "$NS/passwd.orig" >"$NS/passwd"
cat "$NS/group.orig" >"$NS/group"
is "$(nsr getent passwd "$UID_ALICE" | field 1)" alice "local names removed: eksauth alice is served again"
is "$(nsr getent passwd "$UID_DAVE" | field 1)" dave "... and eksauth dave"
like "$(nsr sudo -l -U bob 2>&1)" "/bin/false" "... and bob matches %eks-ops again"
like "$(setuid_sudo_l "$UID_ALICE")" "User alice may run|User alice is not allowed|a password is required" \
    "... and setuid sudo by eksauth alice's uid knows alice again"

# ---- the same names written after blanks: glibc's files reader skips them ----
# nss_files (and fgetpwent, which the sync reads with) take " eks-ops:x:..."
# as the group eks-ops: a check that read the name from the first byte would
# serve eksauth's eks-ops by gid, and sudo would match the local one's rule.
printf ' eks-ops:x:5556:\n' >>"$NS/group"
printf '\tdave:x:5557:5557:local dave:/home/dave:/bin/sh\n' >>"$NS/passwd"
is "$(nsr getent group eks-ops)" "eks-ops:x:5556:" "glibc: ' eks-ops' in /etc/group is the local group eks-ops"
is "$(nsr getent passwd dave | field 3)" 5557 "glibc: a tab before dave in /etc/passwd is the local dave"
nsr getent group "$GID_OPS" >"$tmp/out" 2>&1
is "$?:$(cat "$tmp/out")" "2:" "getgrgid of eksauth's eks-ops: not found (' eks-ops' is a local group's name)"
nsr getent passwd "$UID_DAVE" >"$tmp/out" 2>&1
is "$?:$(cat "$tmp/out")" "2:" "getpwuid of eksauth dave: not found ('\tdave' is the local dave)"
unlike "$(nsr sudo -l -U bob 2>&1)" "/bin/false" "sudo -l -U bob: no %eks-ops rule through eksauth's eks-ops"
# A comment is no account for glibc: "#alice" names nobody, and alice stays served.
printf '#alice:x:5555:\n' >>"$NS/group"
is "$(nsr getent passwd "$UID_ALICE" | field 1)" alice "a '#alice' comment line in /etc/group: eksauth alice still served"
cat "$NS/passwd.orig" >"$NS/passwd"
cat "$NS/group.orig" >"$NS/group"
done_testing
