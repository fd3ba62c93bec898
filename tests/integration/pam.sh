#!/bin/sh
# pam.sh - pam_eksauth.so through the real libpam, against the local STS
# stand-in over TLS, with tokens from the real `aws eks get-token`:
#   1. the C driver (tests/pam/test_pam_eksauth.c, pam_start_confdir): every
#      case of issue 5 (its TAP lines are carried over here);
#   2. pamtester under pam_wrapper (a service folder of our own, no /etc
#      change): whole token, token in pieces, refusal; the audit lines that
#      pam_wrapper prints and no token in them; a login without the sync's
#      login index logs why, once;
#   3. pamtester without wrappers, in a private mount namespace with a copy
#      of /etc/pam.d, an /etc/passwd copy with a local "bob", and a /dev/log
#      of our own (overlay on /dev) that captures the real syslog lines;
#   4. the driver's pam_env cases (pam_env.so user_readenv=1 in the session,
#      a hostile ~/.pam_environment) in a namespace where glibc's NSS asks
#      the eksauth module, so that pam_env finds the user's home;
#   5. a name that a directory service (tests/lib/nss_directory.c) and
#      eksauth both serve: the driver's directory cases, in namespaces whose
#      passwd: line puts the directory before eksauth, after it, or has it
#      fail.
# Nothing on the host changes; every process started here is stopped by pid.
. "$top_srcdir/tests/pam/pam_common.sh"

pam_setup
ALICE=$(cat "$PE_DIR/tok/alice")
ALICE_FP=$(printf '%s' "$ALICE" | sha256sum | cut -c1-8)
pass "setup: stand-in on port $STS_PORT, identity DB synced, tokens minted (alice: ${#ALICE} bytes)"

# carry NAME TAP RC ERR: a driver run's TAP lines as this test's, each named
# "NAME: ..."; its exit status RC must be 0; its stderr ERR is shown.
carry() {
    while IFS= read -r line; do
        case $line in
        "ok "*) pass "$1: ${line#* - }" ;;
        "not ok "*) fail "$1: ${line#* - }" ;;
        "#"*) echo "$line" ;;
        esac
    done <"$2"
    is "$3" 0 "$1: driver exit status"
    [ -s "$4" ] && sed 's/^/# driver stderr: /' "$4"
}

# --------------------------------------------------------------- 1. driver
PE_LOG="$PE_DIR/driver.log" "$PAM_DRIVER" suite >"$PE_DIR/driver.tap" 2>"$PE_DIR/driver.err"
carry driver "$PE_DIR/driver.tap" $? "$PE_DIR/driver.err"
no_token_in "$PE_DIR/driver.log" "$PE_DIR/driver.tap" "$PE_DIR/driver.err"
ok $? "driver: no token in its captured syslog, TAP or stderr"

# ------------------------------------------------- 2. pamtester + pam_wrapper
PW="$PE_DIR/pw"
mkdir -p "$PW"
cat >"$PW/eksauth" <<EOF
auth     required $PAM_MODULE config=$PE_DIR/eksauth.conf
account  required $PAM_MODULE config=$PE_DIR/eksauth.conf
session  required $PAM_MODULE config=$PE_DIR/eksauth.conf
EOF
printf 'auth required pam_deny.so\naccount required pam_deny.so\npassword required pam_deny.so\nsession required pam_deny.so\n' >"$PW/other"

# pw OUT USER OPERATIONS... < ANSWERS: pamtester under pam_wrapper; pam_syslog lines go to
# stderr at debug level 3 (level 4 adds pam_wrapper's own trace, which prints PAM items).
pw() {
    _out=$1
    shift
    LD_PRELOAD="$SAN_PRELOAD libpam_wrapper.so" ASAN_OPTIONS=detect_leaks=0 \
        PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PW" \
        PAM_WRAPPER_DEBUGLEVEL=3 PAM_WRAPPER_DISABLE_DEEPBIND=1 \
        pamtester -v eksauth "$@" >"$_out" 2>&1
}

# scripts/install-deps installs pam_wrapper (libpam-wrapper) and pamtester:
# without them this part cannot run, and that is a broken test machine.
# LD_PRELOAD names the library, so the dynamic linker's cache must list it.
ldconfig -p | grep -q 'libpam_wrapper\.so' ||
    bail "pam_wrapper not installed (libpam-wrapper; scripts/install-deps installs it)"
command -v pamtester >/dev/null 2>&1 ||
    bail "pamtester not installed (scripts/install-deps installs it)"
printf '%s\n' "$ALICE" | pw "$PE_DIR/pw1.out" admin-alice authenticate acct_mgmt open_session close_session
ok $? "pam_wrapper: whole token, authenticate acct_mgmt open_session close_session"
line=$(grep 'event=auth ' "$PE_DIR/pw1.out" | head -n 1)
like "$line" "event=auth result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice access_key_id=ASIAFAKEEXAMPLE00001 account=111122223333 rhost=- token_fp=$ALICE_FP audience=host canonical_arn=arn:aws:iam::111122223333:role/eks-admins ruser=- reason=\"uid " \
    "pam_wrapper: the audit line has every field"
like "$(cat "$PE_DIR/pw1.out")" "event=open_session result=success user=admin-alice" "pam_wrapper: session audit line"
like "$(cat "$PE_DIR/pw1.out")" "event=close_session result=success user=admin-alice" "pam_wrapper: close audit line"
is "$(grep -c 'mapped with the whole snapshot' "$PE_DIR/pw1.out")" 0 \
    "pam_wrapper: a login through the sync's login index logs no fallback"

# Without the login index (no sync since an upgrade): the login works, and one line says why.
mv "$PE_DIR/db/aws-auth.index" "$PE_DIR/db/aws-auth.index.kept"
printf '%s\n' "$ALICE" | pw "$PE_DIR/pw-noindex.out" admin-alice authenticate
ok $? "pam_wrapper: without the login index the login still succeeds"
is "$(grep -c 'mapped with the whole snapshot (slower): login index: .*/aws-auth.index: missing .*; run: eksauth sync' "$PE_DIR/pw-noindex.out")" 1 \
    "pam_wrapper: a login without the index logs why, once, and what to run"
# A token STS refuses was never mapped: its one line is the audit line (a spray of
# bad tokens must not log two lines each).
pw "$PE_DIR/pw-noindex-bad.out" admin-alice authenticate <"$PE_DIR/tok/other"
is $? 1 "pam_wrapper: without the index, a token STS refuses is refused"
n=$(grep -c 'SYSLOG(' "$PE_DIR/pw-noindex-bad.out")
is "$n" 1 "pam_wrapper: ... with one line, the audit line, and no fallback line"
[ "$n" = 1 ] || grep 'SYSLOG(' "$PE_DIR/pw-noindex-bad.out" | cut -c1-200 | sed 's/^/# /'
# Nor a token STS vouches for that aws-auth maps to nobody (any AWS account has one).
pw "$PE_DIR/pw-noindex-unmapped.out" admin-alice authenticate <"$PE_DIR/tok/carol"
is $? 1 "pam_wrapper: without the index, an unmapped principal is refused"
n=$(grep -c 'SYSLOG(' "$PE_DIR/pw-noindex-unmapped.out")
is "$n" 1 "pam_wrapper: ... with one line, the audit line, and no fallback line"
[ "$n" = 1 ] || grep 'SYSLOG(' "$PE_DIR/pw-noindex-unmapped.out" | cut -c1-200 | sed 's/^/# /'
mv "$PE_DIR/db/aws-auth.index.kept" "$PE_DIR/db/aws-auth.index"

pieces "$PE_DIR/tok/alice" 500 | pw "$PE_DIR/pw2.out" admin-alice authenticate
ok $? "pam_wrapper: token in pieces of 500 bytes"
n=$(grep -o 'EKS token (continued): ' "$PE_DIR/pw2.out" | wc -l)
is "$n" "$(($(pieces "$PE_DIR/tok/alice" 500 | wc -l) - 1))" "pam_wrapper: one continued prompt per extra piece"

printf 'k8s-aws-v1.bm90IGEgdG9rZW4\n' | pw "$PE_DIR/pw3.out" admin-alice authenticate
is $? 1 "pam_wrapper: a bad token is refused"
like "$(cat "$PE_DIR/pw3.out")" "event=auth result=denied user=admin-alice .*reason=\"token: " "pam_wrapper: the refusal is logged with its rule"

# The project's own client: `eksauth token`, sent in pieces.
(
    sts_creds ASIAFAKEEXAMPLE00001
    "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1
) >"$PE_DIR/tok/own" 2>"$PE_DIR/own.err"
if [ -s "$PE_DIR/tok/own" ]; then
    pieces "$PE_DIR/tok/own" 500 | pw "$PE_DIR/pw4.out" admin-alice authenticate acct_mgmt
    ok $? "pam_wrapper: a token from eksauth token, in pieces of 500 bytes"
else
    fail "eksauth token made no token: $(cat "$PE_DIR/own.err")"
fi

no_token_in "$PE_DIR"/pw*.out
ok $? "pam_wrapper: no token in any captured output"

# ------------------------------------------- 3. mount namespace, no wrappers
NS="$PE_DIR/ns"
host_devlog=$(ls -l /dev/log 2>/dev/null)
host_varlib=$(ls -l /var/lib/eksauth 2>&1)
mkdir -p "$NS/up" "$NS/work"
cp -a /etc/pam.d "$NS/pam.d"
cat >"$NS/pam.d/eksauth-test" <<EOF
auth     required $PAM_MODULE config=$PE_DIR/eksauth.conf
account  required $PAM_MODULE config=$PE_DIR/eksauth.conf
session  required $PAM_MODULE config=$PE_DIR/eksauth.conf
EOF
cat >"$NS/pam.d/eksauth-fallthrough" <<EOF
auth     [success=done ignore=ignore default=die] $PAM_MODULE config=$PE_DIR/eksauth.conf ignore_unknown_user
auth     required pam_permit.so
EOF
# A config whose db_path is not the DB NSS reads (sync warns about it): its
# DB from the aws-auth without the eks-admins role, while NSS's DB (bound
# over /var/lib/eksauth, EKSAUTH_DB unset) still has its template.
sed -e "s|^db_path = .*|db_path = $PE_DIR/otherdb/identity.db|" \
    -e "s|^aws_auth_file = .*|aws_auth_file = $PE_DIR/aws-auth-revoked.yaml|" \
    "$PE_DIR/eksauth.conf" >"$PE_DIR/otherdb.conf"
mkdir -p "$PE_DIR/otherdb" "$NS/varlib/eksauth"
"$EKSAUTH" --config "$PE_DIR/otherdb.conf" sync >"$PE_DIR/otherdb.out" 2>&1 ||
    fail "eksauth sync of otherdb.conf failed: $(cat "$PE_DIR/otherdb.out")"
cp "$PE_DIR/db/identity.db" "$NS/varlib/eksauth/identity.db"
cat >"$NS/pam.d/eksauth-otherdb" <<EOF
account  [success=done ignore=ignore default=die] $PAM_MODULE config=$PE_DIR/otherdb.conf ignore_unknown_user
account  required pam_permit.so
EOF
cp /etc/passwd "$NS/passwd"
echo "bob:x:4242:4242:a local bob:/nonexistent:/usr/sbin/nologin" >>"$NS/passwd"
cat >"$NS/listen.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.lexists("/dev/log"):
    os.unlink("/dev/log")  # in the overlay only: a whiteout, the host keeps its own
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
open(sys.argv[2], "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
EOF
pieces "$PE_DIR/tok/alice" 500 >"$NS/alice.pieces"
cat >"$NS/run.sh" <<EOF
# Runs inside unshare -m: private mounts, dropped with the namespace.
mount -t overlay overlay -o lowerdir=/dev,upperdir=$NS/up,workdir=$NS/work /dev || exit 90
mount --bind $NS/pam.d /etc/pam.d || exit 91
mount --bind $NS/passwd /etc/passwd || exit 92
if [ ! -d /var/lib/eksauth ]; then
    mount -t tmpfs -o mode=0755 tmpfs /var/lib || exit 93
    mkdir -m 0755 /var/lib/eksauth || exit 94
fi
mount --bind $NS/varlib/eksauth /var/lib/eksauth || exit 95
unset EKSAUTH_DB
$PYTHON $NS/listen.py $NS/syslog $NS/ready & L=\$!
i=0; while [ ! -e $NS/ready ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
export LD_PRELOAD="$SAN_PRELOAD" ASAN_OPTIONS=detect_leaks=0
pamtester -v eksauth-test admin-alice authenticate acct_mgmt open_session close_session <$NS/alice.pieces >$NS/r1.out 2>&1; echo "r1=\$?"
printf '%s\n' "\$(cat $PE_DIR/tok/bob)" | pamtester -v eksauth-test bob authenticate >$NS/r2.out 2>&1; echo "r2=\$?"
printf 'x\n' | pamtester -v eksauth-fallthrough bob authenticate >$NS/r3.out 2>&1; echo "r3=\$?"
pamtester -v eksauth-otherdb admin-neverseen acct_mgmt >$NS/r5.out 2>&1; echo "r5=\$?"
pamtester -v eksauth-otherdb nosuchuser acct_mgmt >$NS/r6.out 2>&1; echo "r6=\$?"
printf 'k8s-aws-v1.bad\n' | pamtester -v eksauth-fallthrough admin-alice authenticate >$NS/r4.out 2>&1; echo "r4=\$?"
# The last login's line is the listener's last: then every earlier one is in (one socket, in order).
i=0; while ! grep -q 'eksauth-fallthrough:auth' $NS/syslog 2>/dev/null && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
kill \$L
EOF
unshare -m sh "$NS/run.sh" >"$NS/rc.out" 2>"$NS/run.err"
ns_rc=$?
is "$ns_rc" 0 "namespace: the private /etc/pam.d, /etc/passwd and /dev/log were set up"
[ "$ns_rc" = 0 ] || sed 's/^/# /' "$NS/run.err"
rc_of() { sed -n "s/^$1=//p" "$NS/rc.out"; }
is "$(rc_of r1)" 0 "namespace: real /etc/pam.d service, token in pieces of 500 bytes: authenticate acct_mgmt open_session close_session"
[ "$(rc_of r1)" = 0 ] || sed 's/^/# r1: /' "$NS/r1.out" | head -n 20
is "$(rc_of r2)" 1 "namespace: a name that a local account owns (bob in /etc/passwd) is not eksauth's"
like "$(cat "$NS/r2.out")" "User not known" "namespace: ... PAM_USER_UNKNOWN, even with bob's valid token"
is "$(rc_of r3)" 0 "namespace: ignore_unknown_user lets the stack go on to the next module for the local bob"
is "$(rc_of r4)" 1 "namespace: ... but a bad token of an eksauth user ends the stack"
is "$(rc_of r5)" 1 "namespace: ignore_unknown_user, db_path not NSS's DB, a templated name NSS serves: refused"
is "$(rc_of r6)" 0 "namespace: ... a name NSS does not serve goes on to the next module"
log=$(cat "$NS/syslog" 2>/dev/null)
like "$log" "pam_eksauth\\(eksauth-test:auth\\): event=auth result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice access_key_id=ASIAFAKEEXAMPLE00001 account=111122223333 rhost=- token_fp=$ALICE_FP audience=host " \
    "namespace: the real syslog line of the login has every field"
like "$log" "^<85>" "namespace: facility authpriv, level notice"
like "$log" "event=account result=success user=admin-alice" "namespace: account audit line"
like "$log" "event=open_session result=success user=admin-alice" "namespace: session audit line"
like "$log" "pam_eksauth\\(eksauth-fallthrough:auth\\): event=auth result=denied user=admin-alice" \
    "namespace: the last login's line (a bad token) was logged, so the log is whole"
unlike "$log" "user=bob" "namespace: nothing logged for the local bob"
like "$log" "event=account result=unknown_user user=admin-neverseen .*NSS serves it" \
    "namespace: the refusal is logged: NSS serves the name from another DB"
no_token_in "$NS/syslog" "$NS"/r*.out
ok $? "namespace: no token in the syslog or in pamtester's output"
[ ! -e /etc/pam.d/eksauth-test ] && ! grep -q '^bob:x:4242' /etc/passwd &&
    [ "$(ls -l /var/lib/eksauth 2>&1)" = "$host_varlib" ] &&
    [ "$(ls -l /dev/log 2>/dev/null)" = "$host_devlog" ]
ok $? "namespace: the host's /etc/pam.d, /etc/passwd, /dev and /var/lib/eksauth are untouched"

# ----------------------- 4. pam_env user_readenv=1 and the user's own file
# pam_env finds ~/.pam_environment through getpwnam: in a second namespace
# glibc asks the eksauth module (nsswitch.conf, an ld.so.cache that lists the
# build's module, EKSAUTH_DB) and /home is a folder of ours.
ENVNS="$PE_DIR/envns"
mkdir -p "$ENVNS/home"
chmod 0755 "$ENVNS/home"
sed -e 's/^passwd:.*/passwd: files eksauth/' -e 's/^group:.*/group: files eksauth/' \
    -e '/^initgroups:/d' /etc/nsswitch.conf >"$ENVNS/nsswitch.conf"
{ cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'; echo "$top_builddir/nss_eksauth"; } >"$ENVNS/ld.so.conf"
ldconfig -X -C "$ENVNS/ld.so.cache" -f "$ENVNS/ld.so.conf" 2>/dev/null ||
    bail "ldconfig could not make the namespace's ld.so.cache"
cat >"$ENVNS/run.sh" <<EOF
# Runs inside unshare -m: private mounts, dropped with the namespace.
mount --bind $ENVNS/nsswitch.conf /etc/nsswitch.conf || exit 90
mount --bind $ENVNS/ld.so.cache /etc/ld.so.cache || exit 91
mount --bind $ENVNS/home /home || exit 92
EKSAUTH_DB=$PE_DIR/db/identity.db PE_LOG=$ENVNS/driver.log exec "$PAM_DRIVER" pam_env
EOF
unshare -m sh "$ENVNS/run.sh" >"$ENVNS/driver.tap" 2>"$ENVNS/driver.err"
carry pam_env "$ENVNS/driver.tap" $? "$ENVNS/driver.err"
no_token_in "$ENVNS/driver.log" "$ENVNS/driver.tap" "$ENVNS/driver.err"
ok $? "pam_env: no token in the driver's captured syslog, TAP or stderr"
[ ! -e /home/admin-alice ]
ok $? "pam_env: the host's /home is untouched"

# ------------------- 5. a directory service and eksauth serve the same name
# sshd logs in to the account NSS gives first: with the directory before
# eksauth on passwd:, a token for eksauth's admin-alice must not log in to
# the directory's admin-alice (libnss_directory.so.2 serves it, uid
# 1999999991).  The build's tests/lib, where that module is, joins the
# namespace's ld.so.cache.
DIRNS="$PE_DIR/dirns"
mkdir -p "$DIRNS"
# The DB as a sync writes it: section 1's revocation left admin-alice's
# tombstone beside its record again, which the next write of a login refuses
# until a sync drops it.
"$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >"$DIRNS/sync.out" 2>&1 ||
    bail "eksauth sync failed: $(cat "$DIRNS/sync.out")"
{ cat "$ENVNS/ld.so.conf"; echo "$top_builddir/tests/lib"; } >"$DIRNS/ld.so.conf"
ldconfig -X -C "$DIRNS/ld.so.cache" -f "$DIRNS/ld.so.conf" 2>/dev/null ||
    bail "ldconfig could not make the namespace's ld.so.cache"
# dir_case HOW SOURCES USERS FAILING: the driver's directory HOW cases in a
# namespace whose passwd: line is SOURCES, the directory serving USERS and
# failing (EIO) for FAILING.
dir_case() {
    sed -e "s/^passwd:.*/passwd: $2/" -e '/^initgroups:/d' /etc/nsswitch.conf >"$DIRNS/nsswitch.$1"
    cat >"$DIRNS/run.$1.sh" <<EOF
# Runs inside unshare -m: private mounts, dropped with the namespace.
mount --bind $DIRNS/nsswitch.$1 /etc/nsswitch.conf || exit 90
mount --bind $DIRNS/ld.so.cache /etc/ld.so.cache || exit 91
NSS_DIRECTORY_USERS='$3' NSS_DIRECTORY_FAIL='$4' EKSAUTH_DB=$PE_DIR/db/identity.db \\
    PE_LOG=$DIRNS/driver.$1.log exec "$PAM_DRIVER" directory $1
EOF
    unshare -m sh "$DIRNS/run.$1.sh" >"$DIRNS/driver.$1.tap" 2>"$DIRNS/driver.$1.err"
    carry "directory $1 (passwd: $2)" "$DIRNS/driver.$1.tap" $? "$DIRNS/driver.$1.err"
}
dir_case first "directory files eksauth" admin-alice ""
dir_case last "files eksauth directory" admin-alice ""
dir_case fail "directory [UNAVAIL=return] files eksauth" "" admin-alice
no_token_in "$DIRNS"/driver.*
ok $? "directory: no token in the driver's captured syslog, TAP or stderr"
! grep -q '^passwd:.*directory' /etc/nsswitch.conf
ok $? "directory: the host's nsswitch.conf is untouched"

done_testing
