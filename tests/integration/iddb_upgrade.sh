#!/bin/sh
# iddb_upgrade.sh - an identity DB of a later format than this eksauth reads
# (a host whose eksauth was rolled back, or a process that still runs the
# module of before an upgrade): eksauth sync refuses it and leaves it byte
# for byte as it was (rebuilding it would forget its recorded ids and id
# holds, and give a removed login's uid to the next one), and a process
# that mapped the DB of its own format fails closed for eksauth's names,
# silently, once a later one replaces it, and serves again when its own
# format is back.  A version word damaged to a later number (its header
# checksum not sealed again) is damage: NSS fails closed on it and eksauth
# sync rebuilds it.  TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"

why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 0
fi

SPEC="$top_srcdir/tests/fixtures/iddb/nss.spec"
DB="$T/identity.db"
check "build the test DB" "$IDDB_TOOL" make "$DB" "$SPEC"
# The next format: this build's version (the u32 at offset 8) plus one.
later=$(($(od -An -tu4 -j8 -N4 "$DB" | tr -d ' ') + 1))
cp "$DB" "$T/current.db"
cp "$DB" "$T/damaged.db"
cp "$DB" "$T/later.db"
check "give a copy the next format version" "$IDDB_TOOL" version "$T/later.db" "$later"
chmod 0644 "$DB" "$T/current.db" "$T/damaged.db" "$T/later.db"

# ---- eksauth sync refuses a later format, and changes nothing --------------
mkdir -p "$T/up"
cp "$T/later.db" "$T/up/identity.db"
printf 'mapUsers: |\n  - userarn: arn:aws:iam::123456789012:user/build\n    username: build\n    groups: [devs]\n' \
    >"$T/up/aws-auth.yaml"
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\nid_key_file = %s/none\n' \
    "$T/up/aws-auth.yaml" "$T/up/identity.db" "$T/up" >"$T/up/eksauth.conf"
chmod 0644 "$T/up/aws-auth.yaml" "$T/up/eksauth.conf"
"$IDDB_TOOL" dump "$T/up/identity.db" >"$T/up/dump" 2>&1
case $(cat "$T/up/dump") in
*"version $later, written by a later eksauth (this one reads version $((later - 1))); upgrade eksauth again"*)
    pass "a later format is refused, saying whose it is and what to do" ;;
*) fail "a later format is refused, saying whose it is and what to do"; sed 's/^/# /' "$T/up/dump" ;;
esac
"$EKSAUTH" --config "$T/up/eksauth.conf" sync >"$T/up/sync.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'written by a later eksauth' "$T/up/sync.out" &&
    grep -q 'the identity DB is unchanged' "$T/up/sync.out"; then
    pass "eksauth sync refuses it (exit $rc) and says the DB is unchanged"
else
    fail "eksauth sync refuses it (exit $rc) and says the DB is unchanged"
    sed 's/^/# /' "$T/up/sync.out"
fi
cmp -s "$T/later.db" "$T/up/identity.db"
ok $? "... the DB is byte for byte as it was (its recorded ids and id holds kept)"

# ---- a process that mapped its own format, when a later one replaces it ----
ns_prepare "files eksauth"
# One process: build resolves from the DB it maps; a later format renamed
# over it (no stale mark: a later writer marks only its own format) is
# noticed within the module's recheck bound (1 s, nss_eksauth.c), and then
# every lookup of an eksauth name fails, nothing is written to stderr, and
# local names still resolve; the current format back, build resolves again.
ns_run python3 -c '
import os, pwd, grp, sys, time
db, later, current = sys.argv[1:4]
def build():
    try:
        return str(pwd.getpwnam("build").pw_uid)
    except KeyError:
        return "none"
def by_uid():
    try:
        return pwd.getpwuid(1900000100).pw_name
    except KeyError:
        return "none"
def group():
    try:
        return grp.getgrnam("eks-devs").gr_name
    except KeyError:
        return "none"
print("before", build())
os.rename(later, db)
time.sleep(1.5)
seen = set()
for i in range(200):
    seen.add(build() + "/" + by_uid() + "/" + group())
print("later", " ".join(sorted(seen)), pwd.getpwnam("root").pw_uid)
os.rename(current, db)
time.sleep(1.5)
print("again", build())
' "$DB" "$T/later.db" "$T/current.db" >"$T/long.out" 2>"$T/long.err"
rc=$?
same 0 "$rc" "the long-running process ran to its end (no crash)"
same "before 1900000100" "$(sed -n 1p "$T/long.out")" "... build resolves from its own format"
same "later none/none/none 0" "$(sed -n 2p "$T/long.out")" \
    "... a later format: 200 lookups by name, uid and group all fail closed, root still resolves"
same "again 1900000100" "$(sed -n 3p "$T/long.out")" "... its own format back: build resolves again"
same "" "$(cat "$T/long.err")" "... and nothing written to stderr"

# getent, a fresh process: the same refusal, exit 2 (not found), no crash.
cp "$T/up/identity.db" "$DB"
ns_run getent passwd build >/dev/null 2>"$T/getent.err"
same "2:" "$?:$(cat "$T/getent.err")" "getent passwd build on a later format: exit 2, silent"

# ---- a version word damaged to the next version: damage, rebuilt ------------
# The header checksum covers the version word, and every format from 2 on
# keeps it (docs/identity-db.md, "Versioning"): the same word as the later
# format's above, its checksum not sealed again, is no later eksauth's.
python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8)
    f.write(struct.pack("<I", int(sys.argv[2])))
' "$T/damaged.db" "$later"
"$IDDB_TOOL" dump "$T/damaged.db" >"$T/up/dump" 2>&1
case $(cat "$T/up/dump") in
*"later eksauth"*) fail "a damaged version word is damage, not a later eksauth's"; sed 's/^/# /' "$T/up/dump" ;;
*"version $later with a header checksum that does not hold, which no eksauth writes: a damaged header; run eksauth sync to rebuild it"*)
    pass "a damaged version word is damage, not a later eksauth's" ;;
*) fail "a damaged version word is damage, not a later eksauth's"; sed 's/^/# /' "$T/up/dump" ;;
esac
cp "$T/damaged.db" "$DB"
ns_run getent passwd build >/dev/null 2>"$T/getent.err"
same "2:" "$?:$(cat "$T/getent.err")" "getent passwd build on it: exit 2, silent"
cp "$T/damaged.db" "$T/up/identity.db"
"$EKSAUTH" --config "$T/up/eksauth.conf" sync >"$T/up/sync.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'a damaged header' "$T/up/sync.out" &&
    grep -q 'rebuilt without its recorded ids and logins' "$T/up/sync.out"; then
    pass "eksauth sync rebuilds it, saying so (exit $rc)"
else
    fail "eksauth sync rebuilds it, saying so (exit $rc)"
    sed 's/^/# /' "$T/up/sync.out"
fi
same "$((later - 1))" "$(od -An -tu4 -j8 -N4 "$T/up/identity.db" | tr -d ' ')" \
    "... in this eksauth's format"

done_testing
