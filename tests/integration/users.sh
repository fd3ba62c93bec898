#!/bin/sh
# users.sh - `eksauth users` and `eksauth groups`: getent form, --json, and
# the same lines glibc gives through libnss_eksauth.so.2 (in a private mount
# namespace).  No DB yet is "unavailable" (exit 4, as for eksauth map and
# verify); an untrusted or unreadable DB, or config, is a config error
# (exit 2), and not root, it says what to do.  TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"

: "${EKSAUTH:?EKSAUTH is not set (run through make check)}"
DB="$T/identity.db"
export EKSAUTH_DB="$DB"
unset EKSAUTH_CONFIG

# The option parser: --help exits 0 with the usage (a regression fails here, it never skips).
for cmd in users groups; do
    "$EKSAUTH" $cmd --help >"$T/out" 2>&1
    same "0" "$?" "eksauth $cmd --help exits 0"
    if grep -q "^usage: eksauth $cmd " "$T/out"; then pass "eksauth $cmd --help prints its usage"; else
        fail "eksauth $cmd --help prints its usage"; sed 's/^/# /' "$T/out"; fi
done

"$EKSAUTH" users >"$T/out" 2>"$T/err"
same 4 $? "no DB yet: unavailable, exit 4 (as eksauth map and verify)"
same "eksauth: users: identity DB: $DB: No such file or directory (run eksauth sync first)" \
    "$(cat "$T/err")" "no DB: the error says to run eksauth sync, once"

"$IDDB_TOOL" make "$DB" "$top_srcdir/tests/fixtures/iddb/nss.spec"
same "admin-alice:*:1900000200:1900000005:admin-alice:/home/admin-alice:/bin/bash
build:*:1900000100:1900000005:build:/home/build:/bin/bash" "$("$EKSAUTH" users)" "eksauth users"
same "eks-devs:*:1900000011:admin-alice,build
eks-system-masters:*:1900000010:build
eks-users:*:1900000005:" "$("$EKSAUTH" groups)" \
    "eksauth groups (local groups are not listed: files serves them; no group per login)"

if "$EKSAUTH" users --json >"$T/json" &&
    python3 - "$T/json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
u = {x["login"]: x for x in d["users"]}
assert u["build"]["uid"] == 1900000100, u
assert u["build"]["posix_groups"] == ["eks-system-masters", "eks-devs"], u["build"]
assert u["admin-alice"]["templated"] is True and u["admin-alice"]["username"] == "admin:alice"
assert d["templates"] == ["admin:{{SessionName}}"], d["templates"]
EOF
then pass "eksauth users --json"; else fail "eksauth users --json"; sed 's/^/# /' "$T/json"; fi

if "$EKSAUTH" groups --json >"$T/json" &&
    python3 - "$T/json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in d["groups"]}
assert g["localgrp"]["local"] is True and g["localgrp"]["members"] == ["admin-alice"], g["localgrp"]
assert "build" not in g, g
assert g["eks-users"]["private"] is False and g["eks-users"]["k8s_group"] is None
assert g["eks-system-masters"]["k8s_group"] == "system:masters"
EOF
then pass "eksauth groups --json"; else fail "eksauth groups --json"; sed 's/^/# /' "$T/json"; fi

"$EKSAUTH" users --bogus >/dev/null 2>&1
same 2 $? "an unknown option: exit 2"

chmod 0664 "$DB"
"$EKSAUTH" users >"$T/out" 2>"$T/err"
same 2 $? "a group-writable DB: refused, exit 2"
chmod 0644 "$DB"

# Not root: a DB or a config that only root may read says what to do, once.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    chmod 0755 "$T"
    chmod 0600 "$DB"
    nobody "$EKSAUTH" users >"$T/out" 2>"$T/err"
    same "2:eksauth: users: identity DB: $DB: Permission denied; every user must be able to read it (NSS reads it as the user): as root, chmod 0644 $DB, the mode eksauth sync gives it" \
        "$?:$(cat "$T/err")" "not root, a DB only root may read: exit 2, and the fix"
    chmod 0644 "$DB"
    # Behind a folder closed to the caller: the file's mode is not what stops it.
    mkdir -m 0700 "$T/closeddb"
    cp "$DB" "$T/closeddb/identity.db"
    EKSAUTH_DB="$T/closeddb/identity.db" nobody "$EKSAUTH" users >"$T/out" 2>"$T/err"
    same "2:eksauth: users: identity DB: $T/closeddb/identity.db: Permission denied; a folder on its path is closed to you, and every user must reach it (NSS reads it as the user): as root, chmod o+x that folder (eksauth sync makes its own 0755)" \
        "$?:$(cat "$T/err")" "not root, a DB in a folder closed to the caller: exit 2, and that folder"
    printf 'db_path = %s\n' "$DB" >"$T/root.conf"
    chmod 0600 "$T/root.conf"
    nobody "$EKSAUTH" --config "$T/root.conf" groups >"$T/out" 2>"$T/err"
    same "2:eksauth: groups: config: $T/root.conf: Permission denied; it is root's: run this as root (sudo eksauth ...)" \
        "$?:$(cat "$T/err")" "not root, a config only root may read: exit 2, and run it as root"
    # Another user's, or behind a folder closed to the caller: not said to be root's.
    chown 1 "$T/root.conf"
    nobody "$EKSAUTH" --config "$T/root.conf" groups >"$T/out" 2>"$T/err"
    same "2:eksauth: groups: config: $T/root.conf: Permission denied; it is uid 1's: run this as root (sudo eksauth ...) or as uid 1" \
        "$?:$(cat "$T/err")" "not root, another user's config: exit 2, and whose it is"
    mkdir -m 0700 "$T/closed"
    cp "$T/root.conf" "$T/closed/e.conf"
    nobody "$EKSAUTH" --config "$T/closed/e.conf" groups >"$T/out" 2>"$T/err"
    same "2:eksauth: groups: config: $T/closed/e.conf: Permission denied; a folder on its path is closed to you: run this as root (sudo eksauth ...)" \
        "$?:$(cat "$T/err")" "not root, a config in a folder closed to the caller: exit 2, and that folder"
else
    skip "not root, a DB only root may read (needs root and setpriv)"
    skip "not root, a DB in a folder closed to the caller (needs root and setpriv)"
    skip "not root, a config only root may read (needs root and setpriv)"
    skip "not root, another user's config (needs root and setpriv)"
    skip "not root, a config in a folder closed to the caller (needs root and setpriv)"
fi

why=$(ns_unsupported)
if [ -n "$why" ]; then
    skip "eksauth users = getent ($why)"
    skip "eksauth groups = getent ($why)"
else
    ns_prepare "eksauth"
    same "$("$EKSAUTH" users)" "$(ns_run getent passwd)" \
        "eksauth users = getent passwd with nsswitch 'passwd: eksauth'"
    same "$("$EKSAUTH" groups)" "$(ns_run getent group)" \
        "eksauth groups = getent group with nsswitch 'group: eksauth'"
fi

done_testing
