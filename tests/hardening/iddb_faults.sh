#!/bin/bash
# iddb_faults.sh - the identity DB under faults:
#   1. `eksauth sync` killed with SIGKILL at every file system call of a
#      sync of each version (about 180 points, placed by strace, not by
#      timing) while two readers map and look up the DB without pause
#      (iddb_reader watch): every read is the old DB or the new one, whole;
#      kills landed in every phase (before the lock, holding it, writing the
#      DB's temp file, after its rename); a kill after the DB's rename and
#      before nscd's drop was paid leaves the drop owed on disk (a claim or
#      the mark beside the DB, include/eksauth/nscd.h); no kill leaves the lock held; a
#      later sync works and leaves a whole DB; the temp files killed writers
#      left (and one planted like them) are removed by the next sync, while
#      a planted symlink with that name, its target, a file of another owner
#      and files of other names are left alone.
#   2. 50 concurrent PAM logins of distinct templated users (each its own
#      process, through the real libpam) while `eksauth sync` runs in a
#      loop: every login recorded, all uids distinct, unchanged by two more
#      syncs.
#   3. Disk full (a 256 KiB tmpfs in a private mount namespace): sync fails
#      with a clear message, leaves no temp file, and the old DB stays in
#      use (read back whole, and through getent); with room again it works.
# TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
READER=$top_builddir/tests/hardening/iddb_reader
[ -x "$READER" ] || bail "$READER not built"

# aws-auth A (3 users) and B (300 users): a bigger B widens the write window.
"$PYTHON" - "$tmp" <<'EOF'
import sys
d = sys.argv[1]
def doc(n, tag):
    lines = ["mapRoles: |"]
    for i in range(n):
        lines += ["  - rolearn: arn:aws:iam::111122223333:role/%s%04d" % (tag, i),
                  "    username: %s-user-%04d" % (tag, i),
                  "    groups: [team-%s-%d, everyone]" % (tag, i % 7)]
    return "\n".join(lines) + "\n"
open(d + "/a.yaml", "w").write(doc(3, "a"))
open(d + "/b.yaml", "w").write(doc(300, "b"))
EOF
mkdir -p "$tmp/db" "$tmp/scratch"
chmod 0755 "$tmp/db"
for v in a b; do
    printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/$v.yaml" "$tmp/db/identity.db" >"$tmp/$v.conf"
    printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/$v.yaml" "$tmp/scratch/$v.db" >"$tmp/$v-scratch.conf"
    chmod 0644 "$tmp/$v.yaml" "$tmp/$v.conf" "$tmp/$v-scratch.conf"
    "$EKSAUTH" --config "$tmp/$v-scratch.conf" sync >/dev/null 2>&1 || bail "sync of $v failed"
    "$READER" dump "$tmp/scratch/$v.db" >"$tmp/$v.dump" || bail "dump of $v failed"
done
[ "$(wc -l <"$tmp/a.dump")" -lt "$(wc -l <"$tmp/b.dump")" ] || bail "A and B are not different"

# ---------------------------------------------------------------- 1. SIGKILL
# The kills land at chosen points, not after random delays: strace stops the
# writer with SIGKILL on entering the Nth call of one system call (-e inject),
# so every point of a sync is hit whatever the machine's speed.  The points:
# each file system call of a reference sync of each version, in order.
command -v strace >/dev/null 2>&1 || bail "strace not found: it places the kills (scripts/install-deps)"
CALLS=openat,close,write,pwrite64,fchmod,fsync,rename,flock,getdents64,mkdir,unlinkat
# traced ARGS: strace ARGS.  LeakSanitizer cannot run under ptrace (in the
# sanitizer tree it would end every traced sync with an error of its own): off
# for the traced writer alone; the rest of the suite checks the sync's leaks.
traced() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"; }
"$EKSAUTH" --config "$tmp/a.conf" sync >/dev/null 2>&1 || bail "the first sync failed"
for v in a b; do
    traced -qq -o "$tmp/ref-$v.trace" -e trace="$CALLS" "$EKSAUTH" --config "$tmp/$v.conf" sync --force \
        >/dev/null 2>&1 || bail "the reference sync of $v under strace failed"
    # "CALL N" for each call: the Nth of its name.
    awk -F'(' '/^[a-z0-9_]+\(/ { n[$1]++; print $1, n[$1] }' "$tmp/ref-$v.trace" >"$tmp/points-$v"
done
[ -s "$tmp/points-a" ] && [ -s "$tmp/points-b" ] || bail "no system call traced in the reference syncs"
# where TRACE: where a writer killed under strace was, from its own trace: the
# phase (before the lock; holding it, before the DB's temp file; the DB's temp
# file made, not renamed; after the DB's rename) and the call it was entering.
where() {
    awk '
        /^flock\(/ && / = 0$/ { locked = 1 }
        /^openat\(.*\/identity\.db\.tmp\.[A-Za-z0-9]+"/ && / = [0-9]+$/ { made = 1 }
        /^rename\(.*\/identity\.db\.tmp\.[A-Za-z0-9]+", ".*\/identity\.db"\) = 0$/ { renamed = 1 }
        /^unlink(at)?\(.*\/nscd\.pending\.asking\.[A-Za-z0-9]+"/ && / = 0$/ { if (renamed) paid = 1 }
        / = \?$/ { sub(/\(.*/, ""); call = $0 }
        END {
            phase = renamed ? "after-rename" : made ? "temp-file" : locked ? "locked" : "before-lock"
            print phase, call, (renamed && !paid ? "owes" : "-")
        }' "$1"
}
# Files beside the DB that keep nscd's drop owed: the mark and claims (include/eksauth/nscd.h).
nscd_owed() { find "$tmp/db" -maxdepth 1 -name 'nscd.pending*' | grep -q .; }
rm -f "$tmp/stop"
"$READER" watch "$tmp/db/identity.db" "$tmp/a.dump" "$tmp/b.dump" "$tmp/stop" >"$tmp/r1.out" 2>&1 &
r1=$!
"$READER" watch "$tmp/db/identity.db" "$tmp/a.dump" "$tmp/b.dump" "$tmp/stop" >"$tmp/r2.out" 2>&1 &
r2=$!
# An interrupted run (INT, a timeout) stops them with the stand-ins.
_sts_pids="$_sts_pids $r1 $r2"
# Whole syncs of both versions while they read: they meet both, whatever the kills leave.
for v in b a b a; do
    "$EKSAUTH" --config "$tmp/$v.conf" sync --force >/dev/null 2>&1
done
killed=0
completed=0
held=0
hung=0
lost=0
owing=0
: >"$tmp/kills"
i=0
# Every point of A's sync, then every point of B's: the DB goes back and forth.
for v in a b; do
    while read -r call n; do
        i=$((i + 1))
        # unlink traced too (not a point): where the claim paid for was removed.
        traced -qq -o "$tmp/kill.trace" -e trace="$CALLS,unlink" -e inject="$call:signal=KILL:when=$n" \
            "$EKSAUTH" --config "$tmp/$v.conf" sync --force >/dev/null 2>&1 &
        wait $! 2>/dev/null
        rc=$?
        case $rc in
        137) killed=$((killed + 1)) ;;
        0) completed=$((completed + 1)) ;;
        esac
        echo "$v $call#$n $(where "$tmp/kill.trace") rc=$rc" >>"$tmp/kills"
        # Killed after the DB's rename and before nscd's drop was paid: still owed on disk.
        if [ "$(where "$tmp/kill.trace" | cut -d' ' -f3)" = owes ] && ! nscd_owed; then
            lost=$((lost + 1))
        fi
        # A killed writer must not leave the lock held: it is free at once ...
        flock -n -x "$tmp/db/identity.db.lock" true || held=$((held + 1))
        # ... and now and then a whole sync takes it (timeout: hang protection only).
        # (Not after the last kills: what they leave is checked below.)
        if [ $((i % 20)) -eq 10 ]; then
            timeout 60 "$EKSAUTH" --config "$tmp/a.conf" sync --force >/dev/null 2>&1 || hung=$((hung + 1))
        fi
    done <"$tmp/points-$v"
done
touch "$tmp/stop"
wait "$r1"
rc1=$?
wait "$r2"
rc2=$?
KILLS=$i
phases() { cut -d' ' -f3 "$tmp/kills" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }'; }
echo "# $KILLS syncs, each killed entering one of its system calls: $killed killed, $completed completed"
echo "# where they were: $(phases)"
echo "# reader 1: $(cat "$tmp/r1.out" | tail -n 1); reader 2: $(cat "$tmp/r2.out" | tail -n 1)"
is "$rc1:$rc2" "0:0" "two readers saw only the old or the new DB, whole, during $KILLS killed syncs"
[ "$rc1:$rc2" = "0:0" ] || sed 's/^/#   /' "$tmp/r1.out" "$tmp/r2.out" | head -n 20
reads=$(cat "$tmp/r1.out" "$tmp/r2.out" | sed -n 's/^reads=\([0-9]*\) a=\([0-9]*\) b=\([0-9]*\)$/\1 \2 \3/p' |
    awk '{ r += $1; a += $2; b += $3 } END { print r, a, b }')
set -- $reads
if [ "${1:-0}" -gt 100 ] && [ "${2:-0}" -gt 0 ] && [ "${3:-0}" -gt 0 ]; then
    pass "the readers read $1 times and met both versions ($2 old-or-A, $3 B)"
else
    fail "the readers read often and met both versions (reads=${1:-0} a=${2:-0} b=${3:-0})"
fi
is "$killed:$completed" "$KILLS:0" "every sync was killed at its point, none ran to its end"
[ "$killed" = "$KILLS" ] || grep -v ' rc=137$' "$tmp/kills" | head -n 5 | sed 's/^/#   /'
# Each phase of a sync was hit, by the points themselves: a slow or a fast
# machine moves none of them.
is "$(cut -d' ' -f3 "$tmp/kills" | sort -u | tr '\n' ' ')" "after-rename before-lock locked temp-file " \
    "kills landed before the lock, holding it, with the DB's temp file made and after its rename ($(phases))"
is "$held:$hung" "0:0" "no killed sync left the lock held (free after every kill; every probe sync ran)"
owing=$(grep -c ' owes rc=' "$tmp/kills")
if [ "$owing" -gt 0 ] && [ "$lost" = 0 ]; then
    pass "every sync killed after its DB's rename, before nscd's drop was paid, left it owed ($owing kills)"
else
    fail "every sync killed after its DB's rename, before nscd's drop was paid, left it owed ($lost of $owing lost)"
fi
"$READER" dump "$tmp/db/identity.db" >"$tmp/now.dump" 2>&1
if cmp -s "$tmp/now.dump" "$tmp/a.dump" || cmp -s "$tmp/now.dump" "$tmp/b.dump"; then
    pass "after the kills the DB is A or B, whole"
else
    fail "after the kills the DB is A or B, whole"
fi
# Temp files: "identity.db.tmp.XXXXXX" (lib/file.c).  Besides what the kills
# left: one planted as a killed writer leaves it, and things the sweep must
# not touch: a symlink with that name (and its target), a file of that name
# owned by someone else, and names that only look alike.
temps() { find "$tmp/db" -maxdepth 1 -regextype posix-extended -regex '.*/identity\.db\.tmp\.[A-Za-z0-9]{6}' "$@"; }
killed_left=$(temps | wc -l)
echo "# temp files left by the SIGKILLed syncs: $killed_left"
: >"$tmp/db/identity.db.tmp.KiLLed"
echo precious >"$tmp/precious"
ln -s "$tmp/precious" "$tmp/db/identity.db.tmp.SyMlNk"
echo theirs >"$tmp/db/identity.db.tmp.NoBody"
chown nobody "$tmp/db/identity.db.tmp.NoBody"
for f in .identity.db.AbC123 identity.db.tmp.AbC1234 identity.db.tmp.Ab_123 other.db.tmp.AbC123; do
    echo foreign >"$tmp/db/$f"
done
"$EKSAUTH" --config "$tmp/b.conf" sync --force >"$tmp/final.out" 2>&1
ok $? "a later sync succeeds despite what the kills left"
"$READER" dump "$tmp/db/identity.db" >"$tmp/now.dump" 2>&1
cmp -s "$tmp/now.dump" "$tmp/b.dump"
ok $? "... and the DB is B, whole"
left=$(temps ! -name identity.db.tmp.SyMlNk ! -name identity.db.tmp.NoBody | wc -l)
is "$left" 0 "that sync removed the temp files of killed writers ($killed_left left by the kills, 1 planted)"
[ "$left" = 0 ] || ls -la "$tmp/db" | sed 's/^/#   /'
[ -L "$tmp/db/identity.db.tmp.SyMlNk" ] && [ "$(cat "$tmp/precious")" = precious ]
ok $? "... but not a symlink with that name, nor its target"
[ "$(stat -c %U "$tmp/db/identity.db.tmp.NoBody" 2>/dev/null)" = nobody ]
ok $? "... nor a file of that name owned by another user"
n=0
for f in .identity.db.AbC123 identity.db.tmp.AbC1234 identity.db.tmp.Ab_123 other.db.tmp.AbC123; do
    [ "$(cat "$tmp/db/$f" 2>/dev/null)" = foreign ] && n=$((n + 1))
done
is "$n" 4 "... nor files of other names (.identity.db.*, a longer or odd suffix, another DB's)"
rm -f "$tmp/db/identity.db.tmp.SyMlNk" "$tmp/db/identity.db.tmp.NoBody" "$tmp/db/.identity.db.AbC123" \
    "$tmp/db/identity.db.tmp.AbC1234" "$tmp/db/identity.db.tmp.Ab_123" "$tmp/db/other.db.tmp.AbC123"
others=$(find "$tmp/db" -maxdepth 1 ! -type d ! -name identity.db ! -name identity.db.lock \
    ! -name aws-auth.snapshot ! -name aws-auth.state ! -name aws-auth.index | wc -l)
is "$others" 0 "nothing but the DB, its lock, the aws-auth it was written from and its login index in the DB folder"
# Many killed syncs in a row, then one: no temp file accumulates.  Each is killed
# while its DB temp file exists (the points of B's reference sync from the temp
# file's openat to its rename), so each leaves one behind for the next to sweep.
awk -F'(' '/^[a-z0-9_]+\(/ { n[$1]++ }
    inside && /^[a-z0-9_]+\(/ { print $1, n[$1] }
    /^openat\(.*\/identity\.db\.tmp\.[A-Za-z0-9]+"/ && / = [0-9]+$/ { inside = 1 }
    /^rename\(.*\/identity\.db\.tmp\./ { inside = 0 }' "$tmp/ref-b.trace" >"$tmp/points-temp"
[ -s "$tmp/points-temp" ] || bail "no call between the DB temp file's openat and its rename in $tmp/ref-b.trace"
killed=0
for i in $(seq 1 30); do
    read -r call n <<<"$(sed -n "$(((i - 1) % $(wc -l <"$tmp/points-temp") + 1))p" "$tmp/points-temp")"
    traced -qq -o /dev/null -e trace="$CALLS" -e inject="$call:signal=KILL:when=$n" \
        "$EKSAUTH" --config "$tmp/b.conf" sync --force >/dev/null 2>&1 &
    wait $! 2>/dev/null
    [ $? = 137 ] && killed=$((killed + 1))
done
left=$(find "$tmp/db" -maxdepth 1 -name '*.tmp.*' | wc -l)
is "$killed:$([ "$left" -gt 0 ] && echo left)" "30:left" \
    "30 more syncs killed with their DB temp file written ($(tr '\n' ' ' <"$tmp/points-temp")), $left temp file(s) left"
"$EKSAUTH" --config "$tmp/a.conf" sync --force >/dev/null 2>&1
ok $? "after 30 more killed syncs, a sync succeeds"
is "$(find "$tmp/db" -maxdepth 1 -name '*.tmp.*' | wc -l)" 0 "... and leaves no temp file at all"

# ------------------------------------------------ 2. concurrent logins + sync
N=50
"$PYTHON" - "$tmp/creds.json" "$N" <<'EOF'
import json, sys
n = int(sys.argv[2])
c = {}
for i in range(n):
    akid = "ASIACONCURRENT%06d" % i
    c[akid] = {"secret": "concurrentSecret%03d" % i, "session_token": "concurrent-session-%d" % i,
               "arn": "arn:aws:sts::111122223333:assumed-role/eks-admins/user%03d" % i,
               "user_id": "AROAFAKEROLEID000001:user%03d" % i, "account": "111122223333"}
open(sys.argv[1], "w").write(json.dumps(c))
EOF
sts_certs
sts_start sts --creds "$tmp/creds.json"
mkdir -p "$PE_DIR/db" "$PE_DIR/tok"
cp "$PAM_FIX/aws-auth.yaml" "$PE_DIR/aws-auth.yaml"
chmod 0644 "$PE_DIR/aws-auth.yaml"
pam_conf "$PE_DIR/eksauth.conf" "db_path = $PE_DIR/db/identity.db"
"$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >/dev/null 2>&1 || bail "sync for the logins failed"
hard_services
for i in $(seq 0 $((N - 1))); do
    akid=$(printf 'ASIACONCURRENT%06d' "$i")
    secret=$(printf 'concurrentSecret%03d' "$i")
    AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=concurrent-session-$i \
        "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1 >"$PE_DIR/tok/c$i" ||
        bail "minting token $i failed"
done
rm -f "$tmp/stop-sync"
(
    while [ ! -e "$tmp/stop-sync" ]; do
        "$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync --force >>"$tmp/loop-sync.out" 2>&1 ||
            echo "sync failed" >>"$tmp/loop-sync.err"
    done
) &
syncer=$!
_sts_pids="$_sts_pids $syncer"
pids=
for i in $(seq 0 $((N - 1))); do
    "$PB" "$SVC" eksauth-hard "admin-user$(printf '%03d' "$i")" -p 500 "$PE_DIR/tok/c$i" \
        >"$tmp/login$i.tsv" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
touch "$tmp/stop-sync"
wait "$syncer"
ok_logins=$(cat "$tmp"/login*.tsv | awk -F'\t' '$3 == "PAM_SUCCESS"' | wc -l)
is "$ok_logins" "$N" "$N concurrent logins of distinct templated users, with sync in a loop: all succeed"
[ "$ok_logins" = "$N" ] || awk -F'\t' '$3 != "PAM_SUCCESS"' "$tmp"/login*.tsv | head -n 5 | sed 's/^/#   /'
[ ! -s "$tmp/loop-sync.err" ]
ok $? "every concurrent sync succeeded ($(grep -c generation "$tmp/loop-sync.out") of them)"
"$READER" dump "$PE_DIR/db/identity.db" | awk '$1 == "user" && $2 ~ /^admin-user/ { print $2, $3 }' | sort >"$tmp/uids1"
is "$(wc -l <"$tmp/uids1")" "$N" "every login is recorded in the DB"
[ "$(wc -l <"$tmp/uids1")" = "$N" ] || grep -m 2 'revoked' "$tmp/loop-sync.out" | sed 's/^/#   sync said: /'
is "$(cut -d' ' -f2 "$tmp/uids1" | sort -u | wc -l)" "$N" "all $N uids are distinct"
"$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync --force >/dev/null 2>&1
"$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync --force >/dev/null 2>&1
"$READER" dump "$PE_DIR/db/identity.db" | awk '$1 == "user" && $2 ~ /^admin-user/ { print $2, $3 }' | sort >"$tmp/uids2"
if [ "$(wc -l <"$tmp/uids2")" = "$N" ] && cmp -s "$tmp/uids1" "$tmp/uids2"; then
    pass "two more syncs keep all $N recorded logins and their uids"
else
    fail "two more syncs keep all $N recorded logins and their uids ($(wc -l <"$tmp/uids2") left)"
fi

# ------------------------------------------------------------ 3. disk full
cat >"$tmp/full.sh" <<EOF
# Runs inside unshare -m: the tmpfs goes with the namespace.
D=$tmp/small
mount -t tmpfs -o size=256k,mode=0755 tmpfs "\$D" || exit 90
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/a.yaml" "\$D/identity.db" >"$tmp/fa.conf"
printf 'cluster_id = prod\naws_auth_file = %s\ndb_path = %s\n' "$tmp/b.yaml" "\$D/identity.db" >"$tmp/fb.conf"
chmod 0644 "$tmp/fa.conf" "$tmp/fb.conf"
"$EKSAUTH" --config "$tmp/fa.conf" sync >"$tmp/full-a.out" 2>&1; echo "a=\$?"
# Fill it, leaving about 8 KiB: A's DB fits, B's (300 users) does not.
avail=\$(df -k --output=avail "\$D" | tail -n 1)
dd if=/dev/zero of="\$D/filler" bs=1k count=\$((avail - 8)) >/dev/null 2>&1
"$EKSAUTH" --config "$tmp/fb.conf" sync >"$tmp/full-b.out" 2>&1; echo "b=\$?"
"$READER" dump "\$D/identity.db" >"$tmp/full-after.dump" 2>&1; echo "dump=\$?"
echo "left=\$(find "\$D" -maxdepth 1 -name 'identity.db.tmp.*' | wc -l)"
EKSAUTH_DB=\$D/identity.db getent -s eksauth passwd a-user-0001 >/dev/null 2>&1; echo "getent=\$?"
rm -f "\$D/filler"
"$EKSAUTH" --config "$tmp/fb.conf" sync >"$tmp/full-b2.out" 2>&1; echo "b2=\$?"
"$READER" dump "\$D/identity.db" >"$tmp/full-b2.dump" 2>&1
EOF
mkdir -p "$tmp/small"
# getent -s eksauth needs the module: run it with the namespace's cache and nsswitch.
why=$(hard_ns_unsupported)
if [ -z "$why" ]; then
    hard_ns_prepare "files eksauth"
    sed -i "s|^EKSAUTH_DB=|mount --bind $NS/nsswitch.conf /etc/nsswitch.conf; mount --bind $NS/ld.so.cache /etc/ld.so.cache; EKSAUTH_DB=|" "$tmp/full.sh"
fi
unshare -m sh "$tmp/full.sh" >"$tmp/full.rc" 2>&1
rc_of() { sed -n "s/^$1=//p" "$tmp/full.rc"; }
is "$(rc_of a)" 0 "disk full: the first sync (A) fits"
if [ "$(rc_of b)" != 0 ] && grep -qi 'no space left' "$tmp/full-b.out"; then
    pass "disk full: sync of B fails, and says so: $(head -c 200 "$tmp/full-b.out")"
else
    fail "disk full: sync of B fails with a clear message (exit $(rc_of b))"
    sed 's/^/#   /' "$tmp/full-b.out" | head -n 5
fi
is "$(rc_of dump)" 0 "disk full: the DB still reads back whole"
cmp -s "$tmp/full-after.dump" "$tmp/a.dump"
ok $? "disk full: ... and it is still A, the old DB"
is "$(rc_of left)" 0 "disk full: no temp file left behind"
if [ -z "$why" ]; then
    is "$(rc_of getent)" 0 "disk full: NSS still serves the old DB (getent -s eksauth passwd a-user-0001)"
else
    pass "# SKIP getent under disk full: $why"
fi
is "$(rc_of b2)" 0 "disk full: with room again, the sync of B succeeds"
cmp -s "$tmp/full-b2.dump" "$tmp/b.dump"
ok $? "disk full: ... and the DB is B, whole"
grep -q "$tmp/small" /proc/mounts
is "$?" 1 "the tmpfs went with its namespace"

done_testing
