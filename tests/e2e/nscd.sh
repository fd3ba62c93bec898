#!/bin/sh
# nscd.sh - glibc's nscd caching passwd and group in front of
# libnss_eksauth.so.2, as Debian's nscd.conf has it (Debian's nscd,
# unpacked by scripts/install-deps and never installed: its maintainer
# scripts would start it for the whole host), in a private mount namespace
# with its own /run, nsswitch.conf and ld.so.cache (tests/lib/nss_ns.sh).
# glibc asks nscd before any NSS module, and nscd watches /etc/passwd and
# /etc/group only.  An eksauth writer replacing the DB (lib/iddb_replace.c)
# has nscd drop both caches, so a user the new DB removed is gone at once
# for getent, id (initgroups) and the group's members; before, nscd served
# it, with eks-system-masters, for its time to live (600 s and 3600 s).  A
# DB replaced by hand stays cached until nscd -i passwd and nscd -i group, what
# docs/identity-db.md tells the operator.  TAP output.
. "$top_srcdir/tests/integration/iddb_common.sh"

# As tests/integration/nss.sh: the sanitizer tree's module loads into no
# uninstrumented program (its skip is listed by .ci/run; the main tree's
# counts as a failure).
why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "1..0 # SKIP $why"
    exit 0
fi
NSCD=${EKSAUTH_TEST_NSCD:-/var/cache/eksauth-tests/nscd/usr/sbin/nscd}
[ -x "$NSCD" ] || bail "$NSCD is missing: scripts/install-deps unpacks Debian's nscd there"

SPEC="$top_srcdir/tests/fixtures/iddb/nss.spec"
grep -v '^user|build|' "$SPEC" >"$T/revoked.spec"
ns_prepare "files eksauth"
check "build the revoked DB" "$IDDB_TOOL" make "$T/revoked.db" "$T/revoked.spec"
chmod 0644 "$T/revoked.db"
cat >"$T/nscd.conf" <<'CONF'
	enable-cache		passwd		yes
	positive-time-to-live	passwd		600
	negative-time-to-live	passwd		20
	check-files		passwd		yes
	persistent		passwd		no
	shared			passwd		yes
	enable-cache		group		yes
	positive-time-to-live	group		3600
	negative-time-to-live	group		60
	check-files		group		yes
	persistent		group		no
	shared			group		yes
CONF

# Inside the namespace: a /run of its own with nscd in it, the full DB, the
# cache filled by getent and id, then the DB replaced (MODE: "writer", with
# eksauth's writer; "hand", a copy renamed over it; "hand+i", that and then
# nscd -i passwd, then nscd -i group), and what getent and id say of build then.
cat >"$T/inner.sh" <<'SH'
T=$1 MODE=$2 NSCD=$3 IDDB_TOOL=$4 SPEC=$5
mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/nscd || exit 3
"$IDDB_TOOL" make "$T/identity.db" "$SPEC" && chmod 0644 "$T/identity.db" || exit 3
"$NSCD" -F -f "$T/nscd.conf" 2>"$T/nscd.err" &
pid=$!
trap 'kill $pid' EXIT
i=0
while [ ! -S /run/nscd/socket ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -S /run/nscd/socket ] || exit 4
echo "before: $(getent passwd build | cut -d: -f1,3) $(id -Gn build) $(getent group eks-system-masters)"
case $MODE in
writer) "$IDDB_TOOL" make "$T/identity.db" "$T/revoked.spec" || exit 5 ;;
hand*)
    cp "$T/revoked.db" "$T/identity.db.new" && mv -f "$T/identity.db.new" "$T/identity.db" || exit 5
    # Once the module in nscd has seen the new file: without the writer's
    # stale mark it looks at the path at most once a second (RECHECK_S).
    [ "$MODE" = hand ] || { sleep 1.1 && "$NSCD" -i passwd && "$NSCD" -i group; } || exit 6
    ;;
esac
echo "after: $(getent passwd build | cut -d: -f1,3) $(id -Gn build 2>/dev/null) $(getent group eks-system-masters)"
echo "module: $(getent -s eksauth passwd build)"
SH

for mode in writer hand hand+i; do
    ns_run sh "$T/inner.sh" "$T" "$mode" "$NSCD" "$IDDB_TOOL" "$SPEC" >"$T/$mode.out" 2>&1
    echo "# $mode: exit $?"
    sed 's/^/# /' "$T/$mode.out"
done
before="before: build:1900000100 eks-users eks-system-masters eks-devs eks-system-masters:*:1900000010:build"
gone="after:   eks-system-masters:*:1900000010:"
grep -Fqx "$before" "$T/writer.out" && grep -Fqx "module: " "$T/writer.out"
ok $? "nscd caches build with its groups, and the new DB no longer has it"
grep -Fqx "$gone" "$T/writer.out"
ok $? "eksauth's writer replaces the DB: nscd no longer knows build, nor its groups, nor it as a member"
grep -Fqx "$before" "$T/hand.out" && grep -Fqx "after:${before#before:}" "$T/hand.out"
ok $? "a DB renamed into place by hand: nscd still serves build and its groups (what nscd -i is for)"
grep -Fqx "$gone" "$T/hand+i.out"
ok $? "then nscd -i passwd and nscd -i group: build is gone"
done_testing
