#!/bin/bash
# frozen_login.sh - a login the caller freezes while it holds the identity
# DB's writer lock.  sudo and su are setuid: the person who runs them may
# signal them (their real uid is the caller's), and a terminal's Ctrl-Z
# stops them without any permission check.  A login stopped while it holds
# the DB's lock (the record of the login, lib/iddb_record.c) would hang
# every other eksauth login on the host and every `eksauth sync`, so no
# revocation would reach the host for as long as the caller kept it
# stopped.  pam_eksauth holds the caller off for the locked part of a
# login (pam_eksauth/shield.c): the real uid is root's there, so the
# caller's SIGSTOP is refused, and the terminal's stop signals wait until
# the locks are released.
#
# The caller here is uid 65534 running a setuid copy of the PAM driver, as
# sudo is run; it watches /proc/locks and signals the driver the moment
# the driver holds the DB's lock.  Then another login and a sync must end
# (each under `timeout`, hang protection only, nothing is timed).  TAP.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require

HANG=20   # a login or sync still waiting after this is hung
TRIES=50 # first logins the caller starts to catch one holding the lock

hard_setup
# 20,000 more users: a first login rewrites the whole DB under its lock,
# which then lasts long enough for the caller's /proc/locks watch to see it
# every time (a DB of a few users is written within a moment that 50 tries
# can all miss on a busy machine).
awk '{ print } /^  mapUsers: \|$/ { for (i = 0; i < 20000; i++)
        printf "    - userarn: arn:aws:iam::111122223333:user/bulk%d\n      username: bulk%d\n", i, i }' \
    "$PAM_FIX/aws-auth.yaml" >"$PE_DIR/aws-auth.yaml" || bail "cannot write the big aws-auth"
"$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >"$PE_DIR/sync.out" 2>&1 ||
    bail "eksauth sync of the big aws-auth failed: $(cat "$PE_DIR/sync.out")"
SVC=$tmp/services
mkdir -p "$SVC"
echo "auth required $PAM_MODULE config=$PE_DIR/eksauth.conf" >"$SVC/plain"
hard_mint alice ASIAFAKEEXAMPLE00001

hard_suid
cp "$PE_DIR/tok/alice" "$SUID/alice"
chmod 0644 "$SUID/alice"
# The driver the caller starts; on success "RESULT PID" and the driver's
# /proc status lines, "never" when no login was caught holding the lock.
cat >"$SUID/catch.sh" <<'EOF'
# catch.sh SUID SVC LOCK_INODE SIGNAL TRIES [RUNAS...]
suid=$1 svc=$2 ino=$3 sig=$4 tries=$5
shift 5
held() { # whether pid $1 holds the flock on inode $ino (bash builtins only: fast)
    local _n _kind _adv _mode pid dev _rest
    while read -r _n _kind _adv _mode pid dev _rest; do
        [ "$_kind" = FLOCK ] && [ "$pid" = "$1" ] && [ "${dev##*:}" = "$ino" ] && return 0
    done </proc/locks
    return 1
}
for _ in $(seq 1 "$tries"); do
    "$@" "$suid/pam_batch" "$svc" plain admin-alice -p 500 "$suid/alice" >/dev/null 2>&1 &
    p=$!
    while read -r _ _ state _ 2>/dev/null <"/proc/$p/stat" && [ "$state" != Z ]; do
        held "$p" || continue
        # Its status while it holds the lock: read, then the lock seen still held.
        status=$(grep -E '^(Uid|SigBlk)' "/proc/$p/status" 2>/dev/null)
        held "$p" || continue
        if kill "-$sig" "$p" 2>/dev/null; then r=signalled; else r=refused; fi
        echo "$r $p"
        echo "$status"
        exit 0
    done
    wait "$p"
done
echo never
EOF
chmod 0755 "$SUID/catch.sh"
# The DB lock's inode now (a sync may have made the file anew).
lock_ino() { stat -c %i "$PE_DIR/db/identity.db.lock" || bail "no DB lock file after the sync"; }

# The host as the sync left it, before any login: each try is a first login,
# which writes the DB under its lock (a login with nothing new to record
# holds it only for a moment).
mkdir "$tmp/pristine"
cp -p "$PE_DIR"/db/aws-auth.* "$PE_DIR/db/identity.db" "$tmp/pristine/" || bail "copy failed"
pristine() {
    for _f in "$tmp"/pristine/*; do
        cp -p "$_f" "$PE_DIR/db/.new" && mv "$PE_DIR/db/.new" "$PE_DIR/db/${_f##*/}" || bail "restore failed"
    done
}
# catch SIGNAL caller|root: up to $TRIES first logins by uid 65534, one at a
# time, until one is signalled holding the DB lock, by uid 65534 itself (the
# caller) or by root; catch.sh's output in $tmp/catch.out.
AS_CALLER="setpriv --reuid=65534 --regid=65534 --clear-groups"
catch() {
    for _ in $(seq 1 "$TRIES"); do
        pristine
        if [ "$2" = caller ]; then
            $AS_CALLER bash "$SUID/catch.sh" "$SUID" "$SVC" "$(lock_ino)" "$1" 1
        else
            bash "$SUID/catch.sh" "$SUID" "$SVC" "$(lock_ino)" "$1" 1 $AS_CALLER
        fi >"$tmp/catch.out" 2>&1
        read -r result caught <"$tmp/catch.out"
        [ "$result" = never ] || return 0
    done
}

# after_catch WHAT: another login and a sync end; then the caught driver is ended.
after_catch() {
    timeout "$HANG" "$PB" "$SVC" plain admin-alice -p 500 "$PE_DIR/tok/alice" >"$tmp/other.tsv" 2>&1
    rc=$?
    is "$rc:$(cut -f3 "$tmp/other.tsv")" 0:PAM_SUCCESS "$1: another login ends, and succeeds"
    timeout "$HANG" "$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >"$tmp/sync.out" 2>&1
    is "$?" 0 "$1: eksauth sync ends, and succeeds"
    [ -n "${caught:-}" ] && kill -KILL "$caught" 2>/dev/null
    [ -n "${caught:-}" ] && kill -CONT "$caught" 2>/dev/null
    caught=
}

# 1. The caller's own SIGSTOP, sent the moment the login holds the DB's lock.
catch STOP caller
like "$result" '^(refused|signalled)$' "the caller caught a login holding the DB lock"
is "$result" refused "the caller's SIGSTOP to its setuid login holding the DB lock is refused"
is "$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/catch.out")" 0 \
    "... the login's real uid is root's while it holds the lock"
sed 's/^/#   /' "$tmp/catch.out"
after_catch "after the caller's SIGSTOP"

# 2. A terminal's Ctrl-Z (SIGTSTP, sent here by root: a terminal checks no
# permission) to the login uid 65534 started: the login goes on, releases
# the lock, and stops only then.
catch TSTP root
is "$result" signalled "root's SIGTSTP reached a login holding the DB lock (as a terminal's would)"
blocked=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$tmp/catch.out")
is "$(((0x${blocked:-0} >> 19) & 1))" 1 "... the login holds SIGTSTP off while it holds the lock"
sed 's/^/#   /' "$tmp/catch.out"
after_catch "after SIGTSTP"

rm -rf "$SUID"
done_testing
