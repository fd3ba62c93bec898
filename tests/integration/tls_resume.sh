#!/bin/bash
# tls_resume.sh - the STS call's TLS session kept between logins
# (include/eksauth/tls_resume.h, docs/security.md "TLS session resumption"),
# end to end: `eksauth verify` as root against the STS stand-in
# (tests/lib/fake_sts.py) over real TLS 1.3, which logs whether each
# handshake resumed a session.  Checks: a full handshake keeps the session
# (root's, mode 0600, beside the DB) and the next call resumes it without
# rewriting it; a server that does not hold the session's secret (another
# certificate, another CA) is still checked and refused; a session is not
# offered through another route, after the CA file changed, when it is
# older than the hour, from a file that others may read, through a
# symlink, or from a file that is not a session file; each of those calls
# makes a full handshake and still succeeds; through an https:// proxy the
# session is STS's, never the proxy's; a call that resumes never reads the
# CA file, one that checks a chain reads it and trusts nothing else.  TAP
# output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir (set by make check).

set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require
command -v strace >/dev/null 2>&1 || bail "strace not found: the test lists the files a call opens"
sts_require_aws
[ "$(id -u)" -eq 0 ] || bail "tls_resume.sh runs as root (only root keeps a session)"

plan 42

sts_certs
sts_start main --control "$tmp/control.json"
MAIN_PORT=$STS_PORT
MAIN_LOG=$tmp/main.log
echo '{"fault": "none"}' >"$tmp/control.json"
sts_config "$tmp/eksauth.conf" "$MAIN_PORT"
CONF=$tmp/eksauth.conf
sts_sync "$CONF"
SESSION=$tmp/iddb/sts.tls-session

sts_creds ASIAFAKEEXAMPLE00001
TOKEN=$(aws_eks_token --cluster-name "$STS_AUDIENCE" --region us-east-1) ||
    bail "aws eks get-token failed"

# check [CONF]: eksauth verify of TOKEN; sets rc and err.
check() {
    printf '%s\n' "$TOKEN" | "$EKSAUTH" --config "${1:-$CONF}" verify - >/dev/null 2>"$tmp/err.txt"
    rc=$?
    err=$(cat "$tmp/err.txt")
}

# last_handshake LOG: "resumed" or "full" for the last request the stand-in logged,
# with its TLS version ("full TLSv1.3").
last_handshake() {
    "$PYTHON" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("method") == "GET"]
r = rows[-1] if rows else {}
print("%s %s" % ("resumed" if r.get("tls_resumed") else "full", r.get("tls_version")))' "$1"
}

# 1-6: the first call makes a full handshake and keeps the session.
check
is "$rc" "0" "the first call succeeds"
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "the first call makes a full TLS 1.3 handshake"
[ -f "$SESSION" ]
ok $? "the session is kept beside the DB ($SESSION)"
is "$(stat -c '%u %a' "$SESSION" 2>/dev/null)" "0 600" "the session file is root's, mode 0600"
head -c 22 "$SESSION" | grep -qx 'eksauth-tls-session 1'
ok $? "the file starts with its format line"
! grep -q -- "$TOKEN" "$SESSION"
ok $? "the file holds no part of the token"

# 7-10: the next calls resume it, and do not rewrite it.
cp "$SESSION" "$tmp/first.session"
check
is "$rc" "0" "the second call succeeds"
is "$(last_handshake "$MAIN_LOG")" "resumed TLSv1.3" "the second call resumes the session"
check
is "$(last_handshake "$MAIN_LOG")" "resumed TLSv1.3" "the third call resumes it too"
cmp -s "$SESSION" "$tmp/first.session"
ok $? "a resumed handshake leaves the file as the full one wrote it"

# 11-12: a resumed session changes nothing STS decides: a token minted for
# another audience is still refused (SignatureDoesNotMatch, exit 1).
OTHER_TOKEN=$(aws_eks_token --cluster-name "eksauth:staging:$STS_HOST" --region us-east-1) ||
    bail "aws eks get-token failed"
printf '%s\n' "$OTHER_TOKEN" | "$EKSAUTH" --config "$CONF" verify - >/dev/null 2>"$tmp/err.txt"
is "$?:$(grep -c 'SignatureDoesNotMatch' "$tmp/err.txt")" "1:1" \
    "over a resumed session, a token for another host or cluster is refused by STS (exit 1)"
is "$(last_handshake "$MAIN_LOG")" "resumed TLSv1.3" "... and that call did resume the session"

# traced_check: check, under strace; $tmp/trace has the files the call opened and read.
# (In the sanitizer build, LeakSanitizer would stop the process with ptrace at
# exit, which strace already holds: the calls not traced check for leaks.)
traced_check() {
    printf '%s\n' "$TOKEN" | ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -qq -e trace=openat,read,close -o "$tmp/trace" \
        "$EKSAUTH" --config "$CONF" verify - >/dev/null 2>"$tmp/err.txt"
    rc=$?
    err=$(cat "$tmp/err.txt")
}
# ca_reads: how many read(2)s of the CA file returned bytes in that trace.
# (OpenSSL 3.0.x opens the file when it is named to the store, to see that
# it can: an open alone reads and decodes nothing.)
ca_reads() {
    "$PYTHON" - "$tmp/trace" "$tmp/tls/ca.crt" <<'EOF'
import re, sys
trace, ca = sys.argv[1], '"%s"' % sys.argv[2]
open_fds, n = set(), 0
for line in open(trace):
    pid = line.split(" ", 1)[0]
    m = re.search(r"(openat|read|close)\((?:AT_FDCWD, )?([^,)]*).*= (-?\d+)", line)
    if not m:
        continue
    call, arg, ret = m.group(1), m.group(2), int(m.group(3))
    if call == "openat" and arg == ca and ret >= 0:
        open_fds.add((pid, str(ret)))
    elif call == "close":
        open_fds.discard((pid, arg))
    elif call == "read" and (pid, arg) in open_fds and ret > 0:
        n += 1
print(n)
EOF
}

# 13-14: a resumed handshake checks no chain, so the call never reads the CA
# file (tls_resume.h: the store looks in it only when an issuer is asked for).
traced_check
is "$rc:$(last_handshake "$MAIN_LOG")" "0:resumed TLSv1.3" "under strace: the call resumes the session"
is "$(ca_reads)" "0" "... and never reads the CA file"

# 15-20: a server without the session's secret is checked as ever, against
# the CA file, read when the chain is checked.
for fault in foreign-ca-cert wrong-name-cert; do
    echo "{\"fault\": \"$fault\"}" >"$tmp/control.json"
    traced_check
    is "$rc" "4" "$fault, with a session kept: refused (exit 4)"
    like "$err" "TLS" "$fault: the message says TLS"
    [ "$(ca_reads)" -ge 1 ]
    ok $? "$fault: the CA file was read to check the chain"
done

# 21: that store trusts the CA file alone: with the foreign CA among the
# system's CAs (a copy bound over /etc/ssl/certs in a private mount
# namespace), its certificate is still refused.
{ cp -a /etc/ssl/certs "$tmp/certs-foreign" &&
    cp "$tmp/tls/otherca.crt" "$tmp/certs-foreign/eksauth-foreign-ca.pem" &&
    cat "$tmp/tls/otherca.crt" >>"$tmp/certs-foreign/ca-certificates.crt" &&
    openssl rehash "$tmp/certs-foreign"; } >/dev/null 2>&1 || bail "cannot make the system-CA copy"
echo '{"fault": "foreign-ca-cert"}' >"$tmp/control.json"
TOKEN=$TOKEN CERTS=$tmp/certs-foreign CONF=$CONF unshare -m sh -c '
    mount --bind "$CERTS" /etc/ssl/certs || exit 99
    printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$CONF" verify - >/dev/null 2>&1' >/dev/null 2>&1
is "$?" "4" "foreign-ca-cert while the system's CAs trust its CA: refused all the same (exit 4)"
echo '{"fault": "none"}' >"$tmp/control.json"

# 22-23: the same server by another route (connect-to "localhost", not
# "127.0.0.1"): the session is bound to the route, so it is not offered,
# though this server could resume it.
sed "s/:127\.0\.0\.1:$MAIN_PORT\$/:localhost:$MAIN_PORT/" "$CONF" >"$tmp/other.conf"
grep -q ":localhost:$MAIN_PORT\$" "$tmp/other.conf" || bail "other.conf has no localhost route"
check "$tmp/other.conf"
is "$rc" "0" "through another route: the call succeeds"
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "through another route: a full handshake"

# 24-26: a changed CA file (same bytes, rewritten) forces a full handshake.
check # the first route again: a full handshake (the other route's session is kept now)
sleep 1.1
cp "$tmp/tls/ca.crt" "$tmp/ca.copy" && cat "$tmp/ca.copy" >"$tmp/tls/ca.crt"
check
is "$rc" "0" "after the CA file changed: the call succeeds"
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "after the CA file changed: a full handshake"
check
is "$(last_handshake "$MAIN_LOG")" "resumed TLSv1.3" "then the new session is resumed"

# set_verified SECONDS_AGO: rewrite the file's "verified" line (same session).
set_verified() {
    "$PYTHON" - "$SESSION" "$1" <<'EOF'
import os, re, sys, time
p, ago = sys.argv[1], int(sys.argv[2])
data = open(p, "rb").read()
data = re.sub(rb"\nverified [0-9]+\n", b"\nverified %d\n" % (int(time.time()) - ago), data, count=1)
open(p, "wb").write(data)
os.chmod(p, 0o600)
EOF
}

# 27-30: the hour is the limit, from the full handshake.
set_verified 3500
check
is "$rc" "0" "a session checked 58 minutes ago: the call succeeds"
is "$(last_handshake "$MAIN_LOG")" "resumed TLSv1.3" "a session checked 58 minutes ago is resumed"
set_verified 3700
check
is "$rc" "0" "a session checked 62 minutes ago: the call succeeds"
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "a session checked 62 minutes ago is not offered"

# 31-32: a file others may read is not used.
check # now resumable again
chmod 0644 "$SESSION"
check
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "a session file of mode 0644 is not used"
is "$(stat -c '%a' "$SESSION")" "600" "the session the full handshake brought replaced it, mode 0600"

# 33-34: a symlink in its place is not followed.
cp -p "$SESSION" "$tmp/real.session"
rm -f "$SESSION"
ln -s "$tmp/real.session" "$SESSION"
check
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "a symlink in the session's place is not followed"
[ -f "$SESSION" ] && [ ! -L "$SESSION" ]
ok $? "the full handshake's session replaced the symlink with a file"

# 35-36: a file that is not a session file is ignored.
head -c 600 /dev/urandom >"$SESSION"
chmod 0600 "$SESSION"
check
is "$rc" "0" "over a file of random bytes: the call succeeds"
is "$(last_handshake "$MAIN_LOG")" "full TLSv1.3" "over a file of random bytes: a full handshake"

# 37-40: through an https:// proxy (tests/lib/fake_tls_proxy.py).  libcurl's
# callback runs for the proxy's own TLS connection too: the session is offered
# and kept only on the connection to STS, by the name it sends (SNI), so the
# proxy's sessions never stand for STS's.  The proxy's certificate is checked
# against the system's CAs: a copy of them with the test CA, bound over
# /etc/ssl/certs in a private mount namespace.
stand_in proxy fake_tls_proxy.py --cert "$tmp/tls/server.crt" --key "$tmp/tls/server.key" \
    --to "$MAIN_PORT"
{ grep -v '^sts_connect_to' "$CONF" && echo "https_proxy = https://localhost:$STAND_IN_PORT"; } \
    >"$tmp/proxy.conf"
{ cp -a /etc/ssl/certs "$tmp/certs" && cp "$tmp/tls/ca.crt" "$tmp/certs/eksauth-test-ca.pem" &&
    cat "$tmp/tls/ca.crt" >>"$tmp/certs/ca-certificates.crt" && openssl rehash "$tmp/certs"; } \
    >/dev/null 2>&1 || bail "cannot make the system-CA copy"
TOKEN=$TOKEN CERTS=$tmp/certs PROXY_CONF=$tmp/proxy.conf unshare -m sh -c '
    mount --bind "$CERTS" /etc/ssl/certs || exit 1
    for i in 1 2 3; do
        printf "%s\n" "$TOKEN" | "$EKSAUTH" --config "$PROXY_CONF" verify - >/dev/null 2>&1
        printf "%s " "$?"
    done' >"$tmp/proxy.rc" 2>&1
is "$(cat "$tmp/proxy.rc")" "0 0 0 " "three calls through an https:// proxy succeed"
is "$(grep -c '"CONNECT sts.us-east-1.amazonaws.com:443' "$tmp/proxy.log")" "3" \
    "each went through the proxy"
is "$("$PYTHON" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gets = ["resumed" if r.get("tls_resumed") else "full" for r in rows if r.get("method") == "GET"]
print(" ".join(gets[-3:]))' "$MAIN_LOG")" \
    "full resumed resumed" "through the proxy: STS's session is kept and resumed, never the proxy's"
is "$(grep -c '"tls_resumed": true' "$tmp/proxy.log")" "0" "the proxy's own handshake is never offered STS's session"

# 41-42: no secret in what the calls printed.
! grep -q "$(sts_secret ASIAFAKEEXAMPLE00001 secret)" "$tmp/err.txt"
ok $? "no secret key in the last message"
[ -z "$(find "$tmp/iddb" -name 'sts.tls-session.tmp.*')" ]
ok $? "no temp file left beside the session"
