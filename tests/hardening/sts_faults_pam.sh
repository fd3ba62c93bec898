#!/bin/bash
# sts_faults_pam.sh - the STS fault matrix through pam_eksauth.so: every
# fault of the stand-in (tests/lib/fake_sts.py: delay, silence, stalled
# TLS, close mid-body, reset, redirect, 500, 503, Throttling, non-JSON,
# truncated JSON, wrong JSON types, an identity in another
# partition (arn:aws-cn:), XML, empty, 1 MiB bodies, wrong
# certificate name, foreign CA), STS's own refusals (SignatureDoesNotMatch
# for another cluster and for a wrong secret, ExpiredToken,
# InvalidClientTokenId), plain HTTP on the TLS port, nothing listening, a
# token naming a region AWS does not list, and
# SSLKEYLOGFILE set by the caller of a setuid program.  Each login goes
# through the real libpam (pam_batch, a fresh process per case) and must end
# in refusal with the right PAM code (PAM_AUTHINFO_UNAVAIL when STS could
# not answer, PAM_AUTH_ERR when it said no or said nonsense) and a logged
# reason naming the cause; a stand-in that does not answer is cut off by the
# module's own timeout (the stand-in logs who closed the connection); the
# caller's SSLKEYLOGFILE is a refusal (PAM_AUTH_ERR), even with
# ignore_authinfo_unavail.  The bound is held by the stand-in: it gives up on a
# connection it held $HOLD s (sts_timeout + 3), so a module that closed it first
# ended within that; each login also runs under `timeout $HANG`, hang protection
# only.  A table of case -> PAM code -> elapsed (for reading only) -> cause is
# printed.  TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require

TIMEOUT=2 # sts_timeout here
HANG=30   # a login killed after this: a hang fails, it is no time limit
HOLD=$((TIMEOUT + 3)) # the stand-in closes a connection it held this long: a module
          # slower than its timeout (+ 3 s of slack for a slow machine) shows as
          # "stand-in" (sts_cut), before the hang protection

hard_setup --control "$tmp/control.json" --hold-max "$HOLD"
MAIN_PORT=$STS_PORT
echo '{"fault": "none"}' >"$tmp/control.json"
# Short timeouts for the matrix (the config of hard_setup has 2 s / 5 s).
pam_conf "$PE_DIR/faults.conf" "db_path = $PE_DIR/db/identity.db"
sed -i "s/^sts_connect_timeout = .*/sts_connect_timeout = 1/; s/^sts_timeout = .*/sts_timeout = $TIMEOUT/" \
    "$PE_DIR/faults.conf"
SVC=$tmp/services
mkdir -p "$SVC"
svc() { # NAME CONFIG [options]: a service for the module with that config
    _n=$1
    _c=$2
    shift 2
    echo "auth required $PAM_MODULE config=$_c $*" >"$SVC/$_n"
}
svc faults "$PE_DIR/faults.conf" debug

hard_mint alice ASIAFAKEEXAMPLE00001
(sts_creds ASIAFAKEEXAMPLE00001 && "$EKSAUTH" token --cluster-id other-cluster --region us-east-1) \
    >"$PE_DIR/tok/othercluster" || bail "minting for another cluster failed"
(sts_creds ASIAFAKEEXAMPLE00001 && AWS_SECRET_ACCESS_KEY=wrong-secret \
    "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1) >"$PE_DIR/tok/wrongsecret" ||
    bail "minting with a wrong secret failed"
(sts_creds ASIAFAKEEXAMPLE00001 && AWS_ACCESS_KEY_ID=ASIAFAKEUNKNOWN00001 \
    "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1) >"$PE_DIR/tok/unknownkey" ||
    bail "minting with an unknown key failed"
hard_mint old ASIAFAKEEXAMPLE00001 --now $(($(date +%s) - 60))

: >"$tmp/table"
: >"$tmp/all.log"
# run CASE SERVICE TOKEN WANT_CODE CAUSE_REGEX: one login; checks the PAM code and
# the logged cause; sets from (the stand-in's log before it).
run() {
    _case=$1
    _svc=$2
    _tok=$3
    _want=$4
    _re=$5
    from=$(wc -l <"$tmp/sts.log")
    : >"$tmp/pb.tsv"
    PB_LOG=$tmp/all.log timeout "$HANG" "$PB" "$SVC" "$_svc" admin-alice -p 500 "$PE_DIR/tok/$_tok" \
        >"$tmp/pb.tsv" 2>"$tmp/pb.err"
    [ $? != 124 ] || echo "hang protection: pam_batch did not end in $HANG s" >>"$tmp/pb.err"
    _code= _secs= _reason=
    IFS=$TAB read -r _f _rc _code _secs _reason <"$tmp/pb.tsv"
    printf '%-24s %-22s %6ss  %s\n' "$_case" "${_code:-none}" "${_secs:-?}" "${_reason:-}" >>"$tmp/table"
    if [ "${_code:-}" = "$_want" ] && printf '%s' "${_reason:-}" | grep -Eq -- "$_re"; then
        pass "$_case: $_want, cause: $_re"
    else
        fail "$_case: expected $_want with a cause matching /$_re/; got ${_code:-no result}"
        echo "#   cause: ${_reason:-none logged}"
        sed 's/^/#   stderr: /' "$tmp/pb.err" | head -n 5
    fi
}
fault() { # FAULT WANT_CODE CAUSE_REGEX [DELAY]
    printf '{"fault": "%s", "delay": %s}\n' "$1" "${4:-5}" >"$tmp/control.json"
    run "fault $1" faults alice "$2" "$3"
}

run "no fault (control)" faults alice PAM_SUCCESS "^uid [0-9]+$"
# A stand-in that holds the connection without answering (an answer 5 s late,
# none, no TLS): the module must have closed it first, at its own timeout
# (sts_timeout, sts_connect_timeout), before any answer and before the
# stand-in gave up ($HOLD s).
fault delay PAM_AUTHINFO_UNAVAIL "sts: .*timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/sts.log" "$from")" "request client" \
    "fault delay: the stand-in read the request; the module closed the connection before the answer"
fault silence PAM_AUTHINFO_UNAVAIL "sts: .*timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/sts.log" "$from")" "request client" \
    "fault silence: the stand-in read the request; the module closed the connection, not the stand-in"
fault stall-tls PAM_AUTHINFO_UNAVAIL "sts: .*timed out \\(limits: connect 1 s, total $TIMEOUT s\\)"
is "$(sts_cut "$tmp/sts.log" "$from")" "tcp client" \
    "fault stall-tls: the stand-in took the connection; the module closed it, TLS never started"
fault close-mid-body PAM_AUTHINFO_UNAVAIL "sts: .*cut short"
fault reset PAM_AUTHINFO_UNAVAIL "sts: .*connection failed"
fault redirect PAM_AUTH_ERR "sts: .*redirect \\(HTTP 302\\)"
fault 500 PAM_AUTHINFO_UNAVAIL "sts: .*HTTP 500 InternalFailure"
fault 503 PAM_AUTHINFO_UNAVAIL "sts: .*HTTP 503 ServiceUnavailable"
fault throttling PAM_AUTHINFO_UNAVAIL "sts: throttled \\(HTTP 400 Throttling\\)"
fault non-json PAM_AUTH_ERR "sts: bad answer: not JSON"
fault truncated-json PAM_AUTH_ERR "sts: bad answer: truncated JSON"
fault wrong-types PAM_AUTH_ERR "sts: .*Account is not a string"
fault mismatched-account PAM_AUTH_ERR "sts: .*is not the ARN's account"
# STS answers with an identity of another partition (arn:aws-cn:): this
# host's partition is aws (lib/sts.c), so a refusal naming both.
fault other-partition PAM_AUTH_ERR "sts: .*the identity is in partition aws-cn, this host's is aws"
fault xml PAM_AUTH_ERR "sts: bad answer: not JSON"
fault empty PAM_AUTH_ERR "sts: bad answer: empty"
fault huge PAM_AUTH_ERR "sts: .*larger than 65536 bytes"
fault huge-chunked PAM_AUTH_ERR "sts: .*larger than 65536 bytes"
fault wrong-name-cert PAM_AUTHINFO_UNAVAIL "sts: .*TLS: .*(subject name|does not match|verification)"
fault foreign-ca-cert PAM_AUTHINFO_UNAVAIL "sts: .*TLS: .*(issuer|certificate|verification)"
echo '{"fault": "none"}' >"$tmp/control.json"

# STS's own verdicts.
run "SignatureDoesNotMatch (other cluster)" faults othercluster PAM_AUTH_ERR \
    "sts: .*SignatureDoesNotMatch.*another host or cluster"
run "SignatureDoesNotMatch (wrong secret)" faults wrongsecret PAM_AUTH_ERR "sts: .*SignatureDoesNotMatch"
run "InvalidClientTokenId" faults unknownkey PAM_AUTH_ERR "sts: .*InvalidClientTokenId"
sts_start aged --max-age 30
pam_conf "$PE_DIR/aged.conf" "db_path = $PE_DIR/db/identity.db"
sed -i "s/^sts_connect_timeout = .*/sts_connect_timeout = 1/; s/^sts_timeout = .*/sts_timeout = $TIMEOUT/" \
    "$PE_DIR/aged.conf"
svc aged "$PE_DIR/aged.conf" debug
run "ExpiredToken" aged old PAM_AUTH_ERR "sts: .*ExpiredToken"

# Plain HTTP on the port the token's host is mapped to.
cat >"$tmp/plain.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"GetCallerIdentityResponse": {}}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
"$PYTHON" "$tmp/plain.py" "$tmp/plain.port" &
_sts_pids="$_sts_pids $!" # stopped by pid with the stand-ins
i=0
while [ ! -s "$tmp/plain.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/plain.port" ] || bail "the plain HTTP server did not start in 30 s (hang protection)"
sed "s/127\\.0\\.0\\.1:[0-9]*$/127.0.0.1:$(cat "$tmp/plain.port")/" "$PE_DIR/faults.conf" >"$PE_DIR/plain.conf"
chmod 0644 "$PE_DIR/plain.conf"
svc plain "$PE_DIR/plain.conf" debug
run "plain HTTP on the TLS port" plain alice PAM_AUTHINFO_UNAVAIL "sts: .*TLS"

# Nothing listening (port 1 of loopback refuses at once).
sed "s/127\\.0\\.0\\.1:[0-9]*$/127.0.0.1:1/" "$PE_DIR/faults.conf" >"$PE_DIR/down.conf"
chmod 0644 "$PE_DIR/down.conf"
svc down "$PE_DIR/down.conf" debug
run "nothing listening" down alice PAM_AUTHINFO_UNAVAIL "sts: .*cannot connect"

# ignore_authinfo_unavail: the module steps aside (PAM_IGNORE) when STS is
# unavailable, so the next module decides (pam_permit here: success) ...
svc ignore "$PE_DIR/down.conf" debug ignore_authinfo_unavail
echo "auth required pam_permit.so" >>"$SVC/ignore"
run "unavail+ignore, then permit" ignore alice PAM_SUCCESS "sts: .*cannot connect"
# ... but never when STS said no.
svc ignore2 "$PE_DIR/faults.conf" debug ignore_authinfo_unavail
echo "auth required pam_permit.so" >>"$SVC/ignore2"
run "denied+ignore, then permit" ignore2 othercluster PAM_AUTH_ERR "sts: .*SignatureDoesNotMatch"
# ... nor when the token names a region AWS does not list: the cluster's host
# rule takes any label of a region's shape, so a stranger with no credentials
# would otherwise choose "unavailable" (lib/sts.c failure_is_refusal).
# forge_unsigned HOST REGION: a token for HOST that passes every local check,
# signed with no key at all.
forge_unsigned() {
    "$PYTHON" - "$1" "$2" <<'EOF' || bail "forging a token failed"
import base64, sys, time
host, region, d = sys.argv[1], sys.argv[2], time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
url = ("https://%s/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
       "&X-Amz-Credential=AKIAAAAAAAAAAAAAAAAA%%2F%s%%2F%s%%2Fsts%%2Faws4_request"
       "&X-Amz-Date=%s&X-Amz-Expires=60&X-Amz-SignedHeaders=host%%3Bx-k8s-aws-id"
       "&X-Amz-Signature=%s" % (host, d[:8], region, d, "0" * 64))
print("k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("="))
EOF
}
forge_unsigned sts.us-nowhere-9.amazonaws.com us-nowhere-9 >"$PE_DIR/tok/nowhere"
run "made-up region+ignore, then permit" ignore2 nowhere PAM_AUTH_ERR "sts: .*AWS lists no region"
# ... nor a real region's FIPS name at which AWS lists no STS: the SDK's
# rules make it for every region, and it does not resolve.
forge_unsigned sts-fips.eu-west-1.amazonaws.com eu-west-1 >"$PE_DIR/tok/fips"
run "unlisted FIPS name+ignore, then permit" ignore2 fips PAM_AUTH_ERR "sts: .*not at this host"

# SSLKEYLOGFILE from the caller of a setuid program: libcurl would write the
# TLS secrets there as root; the module refuses the STS call instead, as a
# refusal (PAM_AUTH_ERR): the caller chose it, so it must not read as
# "unavailable", which ignore_authinfo_unavail would step aside for.
hard_suid
cp "$PE_DIR/tok/alice" "$SUID/alice"
chmod 0600 "$SUID/alice"
mkdir -m 0755 "$SUID/keys"
for _svc in faults ignore2; do
    before=$(wc -l <"$tmp/sts.log")
    SSLKEYLOGFILE=$SUID/keys/keylog setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$SUID/pam_batch" "$SVC" "$_svc" admin-alice -p 500 "$SUID/alice" >"$tmp/pb.tsv" 2>"$tmp/pb.err"
    IFS=$TAB read -r _f _rc _code _secs _reason <"$tmp/pb.tsv"
    printf '%-24s %-22s %6ss  %s\n' "SSLKEYLOGFILE ($_svc)" "${_code:-none}" "${_secs:-?}" "${_reason:-}" >>"$tmp/table"
    if [ "${_code:-}" = PAM_AUTH_ERR ] && printf '%s' "${_reason:-}" | grep -q SSLKEYLOGFILE; then
        pass "SSLKEYLOGFILE set by the caller of a setuid program ($_svc): PAM_AUTH_ERR, STS not called"
    else
        fail "SSLKEYLOGFILE set by the caller of a setuid program ($_svc): ${_code:-none}: ${_reason:-}"
        sed 's/^/#   /' "$tmp/pb.err" | head -n 5
    fi
    [ ! -e "$SUID/keys/keylog" ] && [ "$(wc -l <"$tmp/sts.log")" = "$before" ]
    ok $? "... no key log file was written and no request reached STS ($_svc)"
done
rm -rf "$SUID"

echo "# ---- the STS fault matrix through pam_eksauth.so (sts_timeout ${TIMEOUT}s) ----"
printf '# %-24s %-22s %7s  %s\n' case "PAM code" elapsed "logged cause"
sed 's/^/# /' "$tmp/table"

no_token_in "$tmp/all.log" "$tmp/table"
ok $? "no token in the module's captured log (debug on) or the table"
done_testing
