#!/bin/bash
# hostile_context_pam.sh - the process context the caller of a setuid sudo
# or su hands pam_eksauth: its umask, its descriptors, its resource limits,
# its signal dispositions, its environment and its folder.  The caller here
# is uid 65534 running a setuid copy of the PAM driver (as sudo and su are
# run), under single_use, with a service that runs every stage:
#   - umask 0: every file a first login makes (the single-use folder and
#     record, proof.key, sts.tls-session, the lock files) is root's and
#     private, and the DB it rewrites stays 0644;
#   - descriptors 0, 1 and 2 closed: the login succeeds, and the record it
#     wrote is whole (the same token is then a replay);
#   - RLIMIT_FSIZE 0, SIGXFSZ ignored or not: no success, nothing half
#     written (the record and the DB read as before, the token is still
#     unused);
#   - RLIMIT_NOFILE too low: no success, a reason;
#   - an environment naming proxies, CAs, an OpenSSL config, eksauth paths,
#     AWS settings, a time zone, a locale and a home of the caller's, in a
#     deleted folder: the login succeeds, as without them;
#   - a bounding set without CAP_SETUID: the login succeeds, unshielded
#     (pam_eksauth/shield.c), with the caller's real uid its own again.
# TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require

hard_setup
hard_single_use stages
DB=$PE_DIR/db

hard_suid
AS_CALLER="setpriv --reuid=65534 --regid=65534 --clear-groups"

n=0
# fresh: a new token (a later second: another signature) in $SUID/tok, readable by the caller.
fresh() {
    sleep 1
    n=$((n + 1))
    hard_mint "t$n" ASIAFAKEEXAMPLE00001
    cp "$PE_DIR/tok/t$n" "$SUID/tok"
    chmod 0644 "$SUID/tok"
}
# login SCRIPT: the caller runs SCRIPT (which ends in exec "$@") to start the setuid driver on $SUID/tok, with
# every stage; the result's PAM code in $code (from the module's audit line
# when the driver's own output is gone).
login() {
    : >"$tmp/pb.log"
    # Through a pipe: the caller's RLIMIT_FSIZE limits the driver's writes to files too.
    $AS_CALLER bash -c "$1" x env PB_LOG="$tmp/pb.log" "$SUID/pam_batch" "$SVC" single \
        admin-alice -s -p 500 "$SUID/tok" 2>"$tmp/pb.err" | cat >"$tmp/pb.tsv"
    rc=${PIPESTATUS[0]}
    code=$(cut -f3 "$tmp/pb.tsv")
    reason=$(cut -f5 "$tmp/pb.tsv")
}
modes() { # NAME...: "name:mode:owner" of each file in $DB
    for _f in "$@"; do printf '%s ' "$_f:$(stat -c %a:%U "$DB/$_f" 2>/dev/null)"; done
}
sums() { sha256sum "$DB/identity.db" "$DB"/replay/*.db 2>/dev/null; }

# 1. umask 0, a first login: everything it makes is root's and private.
rm -rf "$DB/replay" "$DB"/proof.key* "$DB"/sts.tls-session*
fresh
login 'umask 0; exec "$@"'
is "$code" PAM_SUCCESS "umask 0: the login succeeds"
rec=$(cd "$DB" && ls replay/*.db 2>/dev/null | head -n 1)
is "$(modes replay "$rec" "$rec.lock" proof.key proof.key.lock sts.tls-session \
    sts.tls-session.lock identity.db identity.db.lock)" \
    "replay:700:root $rec:600:root $rec.lock:600:root proof.key:600:root proof.key.lock:600:root sts.tls-session:600:root sts.tls-session.lock:600:root identity.db:644:root identity.db.lock:600:root " \
    "umask 0: the single-use folder 0700, the record, proof.key, the TLS session and the locks 0600, the DB 0644, all root's"

# 2. Descriptors 0, 1 and 2 closed: the setuid driver gets them back on
# /dev/null (glibc's rule for AT_SECURE); nothing the module opens is read
# as an answer or written by someone else's stderr.
fresh
login 'exec "$@" <&- >&- 2>&-'
grep -q 'event=auth result=success' "$tmp/pb.log"
ok $? "fds 0-2 closed: the login succeeds (its audit line)"
login 'exec "$@"'
is "$code" PAM_AUTH_ERR "... and the record it wrote is whole: the same token again is a replay"
like "$reason" "already used" "... refused as: $reason"

# 3. RLIMIT_FSIZE 0: the record cannot be written; the login must not pass,
# and nothing may be left half-written.
fresh
before=$(sums)
login 'ulimit -f 0; trap "" XFSZ; exec "$@"'
is "$code" PAM_AUTHINFO_UNAVAIL "RLIMIT_FSIZE 0, SIGXFSZ ignored: no success"
like "$reason" "File too large" "... the reason says why: $reason"
is "$(sums)" "$before" "... the record and the DB are as they were"
login 'ulimit -f 0; exec "$@"'
isnt_success=$([ "$code" != PAM_SUCCESS ] && ! grep -q 'result=success' "$tmp/pb.log" && echo yes)
is "${isnt_success:-no}" yes "RLIMIT_FSIZE 0, SIGXFSZ as it comes: no success (${code:-killed, rc $rc})"
is "$(sums)" "$before" "... the record and the DB are as they were"
login 'exec "$@"'
is "$code" PAM_SUCCESS "... and the token was never taken as used: with no limit it logs in once"

# 4. RLIMIT_NOFILE: from too few descriptors to load anything, up, with one
# token until it logs in.  Below that, no try succeeds or crashes, and some
# reach the module, which refuses and says why.
fresh
said=0 crashed=0 lim=4
while [ $lim -le 32 ]; do
    login "ulimit -n $lim; exec \"\$@\""
    [ "$code" = PAM_SUCCESS ] && break
    [ "$rc" -lt 128 ] || crashed=$((crashed + 1)) # killed by a signal
    [ "${reason:--}" = - ] || said=$((said + 1))
    echo "# RLIMIT_NOFILE $lim: ${code:-rc $rc}: ${reason:-}"
    lim=$((lim + 1))
done
is "$code" PAM_SUCCESS "RLIMIT_NOFILE: the token logs in once the limit allows ($lim)"
is "$crashed" 0 "... below that, no try was killed by a signal (the driver's own setup may fail first)"
[ "$said" -gt 0 ]
ok $? "... and $said of them reached the module, which refused and said why"

# 5. The caller's environment, in a deleted folder.  Proxies that do not
# listen, CAs that trust nothing, an OpenSSL config that allows no protocol
# STS speaks, an AWS endpoint that does not listen: any of them honoured
# fails the login.  The caller's eksauth paths (a config for another
# cluster), AWS region and files, time zone, locale and home ride along.
mkdir -m 0755 "$SUID/env"
printf 'openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMinProtocol = None\nMaxProtocol = SSLv3\n' \
    >"$SUID/env/openssl.cnf"
sed 's/^cluster_id = .*/cluster_id = the-callers-cluster/' "$PE_DIR/single.conf" >"$SUID/env/eksauth.conf"
: >"$SUID/env/empty.pem"
fresh
login 'mkdir /tmp/eksauth-gone.$$ && cd /tmp/eksauth-gone.$$ && rmdir /tmp/eksauth-gone.$$ && exec env \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    ALL_PROXY=socks5://127.0.0.1:9 all_proxy=socks5://127.0.0.1:9 NO_PROXY= no_proxy= \
    SSL_CERT_FILE='"$SUID"'/env/empty.pem SSL_CERT_DIR='"$SUID"'/env CURL_CA_BUNDLE='"$SUID"'/env/empty.pem \
    AWS_CA_BUNDLE='"$SUID"'/env/empty.pem OPENSSL_CONF='"$SUID"'/env/openssl.cnf OPENSSL_MODULES='"$SUID"'/env \
    CURL_SSL_BACKEND=none EKSAUTH_CONFIG='"$SUID"'/env/eksauth.conf EKSAUTH_DB='"$SUID"'/env/identity.db \
    EKSAUTH_ID_KEY='"$SUID"'/env/id.key AWS_REGION=cn-north-1 AWS_STS_REGIONAL_ENDPOINTS=legacy \
    AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 \
    AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
    TZ=XXX-14 LC_ALL=tr_TR.UTF-8 LANG=tr_TR.UTF-8 HOME=/nonexistent "$@"'
is "$code" PAM_SUCCESS "the caller's proxies, CAs, OpenSSL config, eksauth paths, AWS settings, TZ, locale and HOME, in a deleted folder: the login succeeds${reason:+ ($reason)}"

# 6. A bounding set without CAP_SETUID (a container's --cap-drop SETUID,
# systemd's CapabilityBoundingSet): the setuid driver's effective uid is
# root's, so it may make its real uid root's, but not put the caller's back.
# The shield must not take a real uid it cannot return: the login succeeds
# unshielded, and the log says so.
fresh
saved_as_caller=$AS_CALLER
AS_CALLER="setpriv --bounding-set -setuid --reuid=65534 --regid=65534 --clear-groups"
login 'exec "$@"'
AS_CALLER=$saved_as_caller
is "$code" PAM_SUCCESS "no CAP_SETUID in the bounding set: the login succeeds${reason:+ ($reason)}"
grep -q 'cannot hold the caller off' "$tmp/pb.log"
ok $? "... unshielded, and the log says so"

rm -rf "$SUID"
no_token_in "$tmp/pb.log" "$tmp/pb.err"
ok $? "no token in the module's captured log or the driver's stderr"
done_testing
