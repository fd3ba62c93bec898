#!/bin/bash
# sync_disk_full.sh - a sync whose DB folder fills up part-way: room for the
# new aws-auth snapshot and its state, not for the new identity DB (a small
# tmpfs in a private mount namespace).  The sync must fail, naming the
# folder and the errno, and leave what logins decide with as it was: the old
# DB, and the old snapshot and state beside it, so `eksauth map` (a login's
# mapping, from the snapshot of the DB's sync) still answers with the old
# aws-auth.  No temp file is left; with room again the sync works.  Then
# no room at all when the timer's sync finds the source unchanged: the
# confirmation of the snapshot (the state's checked_at, which
# max_snapshot_age counts from) cannot be written, and the sync fails.
# TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
READER=$top_builddir/tests/hardening/iddb_reader
[ -x "$READER" ] || bail "$READER not built"

# aws-auth A (3 users) and B (300 users, each with 40 groups: a small
# document, a big DB).
"$PYTHON" - "$tmp" <<'EOF'
import sys
d = sys.argv[1]
def doc(n, tag, groups):
    lines = ["mapRoles: |"]
    for i in range(n):
        lines += ["  - rolearn: arn:aws:iam::111122223333:role/%s%04d" % (tag, i),
                  "    username: %s-user-%04d" % (tag, i),
                  "    groups: [%s]" % ", ".join("g%s%d" % (tag, (i + k) % 90) for k in range(groups))]
    return "\n".join(lines) + "\n"
open(d + "/a.yaml", "w").write(doc(3, "a", 1))
open(d + "/b.yaml", "w").write(doc(300, "b", 40))
EOF
chmod 0644 "$tmp/a.yaml" "$tmp/b.yaml"
mkdir -p "$tmp/scratch" "$tmp/small"
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/b.yaml" "$tmp/scratch/b.db" >"$tmp/scratch.conf"
chmod 0644 "$tmp/scratch.conf"
"$EKSAUTH" --config "$tmp/scratch.conf" sync >/dev/null 2>&1 || bail "the scratch sync of B failed"
kib() { echo $((($(stat -c %s "$1") + 4095) / 4096 * 4)); }
SNAP_K=$(kib "$tmp/scratch/aws-auth.snapshot")
DB_K=$(kib "$tmp/scratch/b.db")
echo "# B: snapshot ${SNAP_K} KiB, DB ${DB_K} KiB"
# Room for B's snapshot, its state and a page more, not for its DB.
LEAVE=$((SNAP_K + 8))
[ "$DB_K" -gt $((LEAVE + 8)) ] || bail "B's DB (${DB_K} KiB) is not bigger than its snapshot and state"

cat >"$tmp/full.sh" <<EOF
# Runs inside unshare -m: the tmpfs goes with the namespace.
D=$tmp/small
mount -t tmpfs -o size=1m,mode=0755 tmpfs "\$D" || exit 90
for v in a b; do
    printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/\$v.yaml" "\$D/identity.db" >"$tmp/f\$v.conf"
    chmod 0644 "$tmp/f\$v.conf"
done
"$EKSAUTH" --config "$tmp/fa.conf" sync >"$tmp/full-a.out" 2>&1; echo "a=\$?"
"$READER" dump "\$D/identity.db" >"$tmp/a.dump" 2>&1
cp "\$D/aws-auth.state" "$tmp/a.state"
avail=\$(df -k --output=avail "\$D" | tail -n 1)
dd if=/dev/zero of="\$D/filler" bs=1k count=\$((avail - $LEAVE)) >/dev/null 2>&1
"$EKSAUTH" --config "$tmp/fb.conf" sync >"$tmp/full-b.out" 2>&1; echo "b=\$?"
"$READER" dump "\$D/identity.db" >"$tmp/after.dump" 2>&1; echo "dump=\$?"
cmp -s "\$D/aws-auth.snapshot" "$tmp/a.yaml"; echo "snapshot=\$?"
cmp -s "\$D/aws-auth.state" "$tmp/a.state"; echo "state=\$?"
"$EKSAUTH" --config "$tmp/fa.conf" map arn:aws:iam::111122223333:role/a0001 >"$tmp/map-a.out" 2>&1; echo "map=\$?"
echo "left=\$(find "\$D" -maxdepth 1 -name '*.tmp.*' | wc -l)"
# Not a page left: the timer's sync finds A unchanged and cannot confirm it.
dd if=/dev/zero of="\$D/filler2" bs=4k >/dev/null 2>&1
"$EKSAUTH" --config "$tmp/fa.conf" sync --if-changed >"$tmp/confirm.out" 2>&1; echo "confirm=\$?"
cmp -s "\$D/aws-auth.state" "$tmp/a.state"; echo "confirm_state=\$?"
echo "confirm_left=\$(find "\$D" -maxdepth 1 -name '*.tmp.*' | wc -l)"
rm -f "\$D/filler" "\$D/filler2"
"$EKSAUTH" --config "$tmp/fa.conf" sync --if-changed >"$tmp/confirm2.out" 2>&1; echo "confirm2=\$?"
"$EKSAUTH" --config "$tmp/fb.conf" sync >"$tmp/full-b2.out" 2>&1; echo "b2=\$?"
"$EKSAUTH" --config "$tmp/fb.conf" map arn:aws:iam::111122223333:role/b0007 >"$tmp/map-b.out" 2>&1; echo "mapb=\$?"
EOF
unshare -m sh "$tmp/full.sh" >"$tmp/full.rc" 2>&1
rc_of() { sed -n "s/^$1=//p" "$tmp/full.rc"; }
is "$(rc_of a)" 0 "the first sync (A) fits"
if [ "$(rc_of b)" != 0 ] && grep -q "$tmp/small/.*No space left" "$tmp/full-b.out"; then
    pass "disk full: the sync of B fails, naming the folder and the errno: $(head -c 300 "$tmp/full-b.out")"
else
    fail "disk full: the sync of B fails, naming the folder and the errno (exit $(rc_of b))"
    sed 's/^/#   /' "$tmp/full-b.out" | head -n 5
fi
is "$(rc_of dump)" 0 "disk full: the DB reads back whole"
cmp -s "$tmp/after.dump" "$tmp/a.dump"
ok $? "disk full: ... and it is A, the old DB"
is "$(rc_of snapshot):$(rc_of state)" "0:0" "disk full: the snapshot and state beside it are A's too"
if [ "$(rc_of map)" = 0 ] && grep -q '"a-user-0001"' "$tmp/map-a.out"; then
    pass "disk full: a login still maps with the old aws-auth (eksauth map of A's role)"
else
    fail "disk full: a login still maps with the old aws-auth (eksauth map exit $(rc_of map))"
    sed 's/^/#   /' "$tmp/map-a.out" | head -n 5
fi
is "$(rc_of left)" 0 "disk full: no temp file left behind"
# The state's checked_at is what max_snapshot_age counts from: a confirmation
# that cannot be written is a failure to see (exit 2, naming the file and the
# errno), not an "unchanged" that lets logins be refused later without a word.
if [ "$(rc_of confirm)" = 2 ] && grep -q "$tmp/small/aws-auth.state.*No space left" "$tmp/confirm.out"; then
    pass "disk full: an unchanged sync that cannot confirm the snapshot fails, naming the state file and the errno"
else
    fail "disk full: an unchanged sync that cannot confirm the snapshot fails, naming the state file and the errno (exit $(rc_of confirm))"
    sed 's/^/#   /' "$tmp/confirm.out" | head -n 5
fi
is "$(rc_of confirm_state):$(rc_of confirm_left)" "0:0" "disk full: ... the state is as it was, no temp file left"
is "$(rc_of confirm2)" 0 "with room again, the unchanged sync confirms"
grep -q "unchanged" "$tmp/confirm2.out"
ok $? "... and says it is unchanged"
is "$(rc_of b2)" 0 "with room again, the sync of B succeeds"
if [ "$(rc_of mapb)" = 0 ] && grep -q '"b-user-0007"' "$tmp/map-b.out"; then
    pass "... and logins map with B"
else
    fail "... and logins map with B (eksauth map exit $(rc_of mapb))"
    sed 's/^/#   /' "$tmp/map-b.out" | head -n 5
fi
grep -q "$tmp/small" /proc/mounts
is "$?" 1 "the tmpfs went with its namespace"

done_testing
