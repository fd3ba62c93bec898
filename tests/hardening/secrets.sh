#!/bin/bash
# secrets.sh - secret hygiene.  Every flow that handles a token or a key
# runs with `debug` on (PAM) and every byte it writes is captured: the PAM
# module's syslog (successful logins whole and in pieces through
# authenticate, account, setcred and both session stages; refusals: bad
# token, another cluster, expired, unmapped, STS faults), the PAM
# environment of the session, `eksauth verify`, `check-token`, `map`,
# `sync`, `users`, `groups`, the identity DB itself; then every token,
# signature, secret key and session token the test used is searched for
# (raw, URL-encoded, JSON-escaped, and every 24-byte window of each token),
# and so are the marks of any presigned URL: zero hits.  TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
SCAN=$HERE/scan_secrets.py
OUT=$tmp/captured
mkdir -p "$OUT"

hard_setup --control "$tmp/control.json"
echo '{"fault": "none"}' >"$tmp/control.json"
hard_services debug
pam_conf "$PE_DIR/unavail.conf" "db_path = $PE_DIR/db/identity.db"
sed -i 's/^sts_timeout = .*/sts_timeout = 2/; s/^sts_connect_timeout = .*/sts_connect_timeout = 1/' "$PE_DIR/unavail.conf"
echo "auth required $PAM_MODULE config=$PE_DIR/unavail.conf debug" >"$SVC/eksauth-faults"

hard_mint alice ASIAFAKEEXAMPLE00001
hard_mint bobex ASIAFAKEEXAMPLE00002
hard_mint bob AKIAFAKEUSER00000001
hard_mint carol ASIAFAKEUNMAPPED0001
(sts_creds ASIAFAKEEXAMPLE00001 && "$EKSAUTH" token --cluster-id other-cluster --region us-east-1) \
    >"$PE_DIR/tok/other" || bail "minting for another cluster failed"
hard_mint expired ASIAFAKEEXAMPLE00001 --now $(($(date +%s) - 1000))
(sts_creds ASIAFAKEEXAMPLE00001 && AWS_SECRET_ACCESS_KEY=wrong-secret-0123456789abcdef \
    "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1) >"$PE_DIR/tok/wrongsecret" ||
    bail "minting with a wrong secret failed"
n_tok=$(ls "$PE_DIR/tok" | wc -l)

# ---- PAM, debug on ---------------------------------------------------------------
export PB_LOG=$OUT/pam-syslog.log
"$PB" "$SVC" eksauth-hard admin-alice -s "$PE_DIR/tok/alice" >"$OUT/pam1.tsv" 2>"$OUT/pam1.err"
is "$(cut -f3 "$OUT/pam1.tsv")" PAM_SUCCESS "debug: alice, whole token: authenticate .. close_session succeed"
"$PB" "$SVC" eksauth-hard admin-alice -s -p 500 "$PE_DIR/tok/alice" >"$OUT/pam2.tsv" 2>"$OUT/pam2.err"
is "$(cut -f3 "$OUT/pam2.tsv")" PAM_SUCCESS "debug: alice, token in pieces of 500: the whole session succeeds"
"$PB" "$SVC" eksauth-hard admin-bob-example.com -s -p 500 "$PE_DIR/tok/bobex" >"$OUT/pam3.tsv" 2>"$OUT/pam3.err"
is "$(cut -f3 "$OUT/pam3.tsv")" PAM_SUCCESS "debug: bob@example.com (templated, recorded): the whole session succeeds"
"$PB" "$SVC" eksauth-hard bob -s "$PE_DIR/tok/bob" >"$OUT/pam4.tsv" 2>"$OUT/pam4.err"
is "$(cut -f3 "$OUT/pam4.tsv")" PAM_SUCCESS "debug: bob (IAM user, long-term key): the whole session succeeds"
"$PB" "$SVC" eksauth-hard admin-alice -p 500 "$PE_DIR/tok/other" "$PE_DIR/tok/expired" \
    "$PE_DIR/tok/wrongsecret" "$PE_DIR/tok/bob" >"$OUT/pam5.tsv" 2>"$OUT/pam5.err"
is "$(cut -f3 "$OUT/pam5.tsv" | sort -u | tr '\n' ' ')" "PAM_AUTH_ERR " \
    "debug: another cluster, expired, wrong secret, someone else's token: all refused"
"$PB" "$SVC" eksauth-hard admin-carol -p 500 "$PE_DIR/tok/carol" >"$OUT/pam6.tsv" 2>"$OUT/pam6.err"
like "$(cut -f3 "$OUT/pam6.tsv")" "PAM_AUTH_ERR|PAM_USER_UNKNOWN" "debug: an unmapped role is refused"
for f in 500 non-json huge reset delay; do
    printf '{"fault": "%s", "delay": 3}\n' "$f" >"$tmp/control.json"
    "$PB" "$SVC" eksauth-faults admin-alice -p 500 "$PE_DIR/tok/alice" >>"$OUT/pam7.tsv" 2>>"$OUT/pam7.err"
done
echo '{"fault": "none"}' >"$tmp/control.json"
is "$(grep -c PAM_SUCCESS "$OUT/pam7.tsv")" 0 "debug: five STS faults, five refusals"
printf 'k8s-aws-v1.%s\n' "$(head -c 600 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" >"$tmp/junk"
"$PB" "$SVC" eksauth-hard admin-alice "$tmp/junk" >"$OUT/pam8.tsv" 2>"$OUT/pam8.err"
like "$(grep -c 'sts: ' "$PB_LOG")" "^[1-9]" "debug: the module logged its STS steps (debug is on)"
like "$(cat "$PB_LOG")" "env: EKS_USERNAME=admin:alice" "the session environment was captured"
unset PB_LOG

# ---- the command line ----------------------------------------------------------
CONF=$PE_DIR/eksauth.conf
cli() { # NAME ARGS...: stdout and stderr of one eksauth run into $OUT
    _n=$1
    shift
    "$EKSAUTH" --config "$CONF" "$@" >"$OUT/cli-$_n.out" 2>"$OUT/cli-$_n.err"
}
cli verify-ok verify - <"$PE_DIR/tok/alice"
cli verify-stdin verify - <"$PE_DIR/tok/bob"
cli verify-other verify - <"$PE_DIR/tok/other"
cli verify-expired verify - <"$PE_DIR/tok/expired"
cli verify-wrong verify - <"$PE_DIR/tok/wrongsecret"
cli verify-unmapped verify - <"$PE_DIR/tok/carol"
printf '{"fault": "non-json"}\n' >"$tmp/control.json"
cli verify-fault verify - <"$PE_DIR/tok/alice"
echo '{"fault": "none"}' >"$tmp/control.json"
cli check-ok check-token - <"$PE_DIR/tok/alice"
cli check-expired check-token - <"$PE_DIR/tok/expired"
cli check-junk check-token - <"$tmp/junk"
cli map map arn:aws:sts::111122223333:assumed-role/eks-admins/alice
cli sync sync --force
cli users users
cli groups groups
like "$(cat "$OUT/cli-verify-ok.out")" '"username": "admin:alice"' "eksauth verify of alice works (the captures are real)"
cp "$PE_DIR/db/identity.db" "$OUT/identity.db"

# ---- the search ---------------------------------------------------------------------
"$PYTHON" "$SCAN" --creds "$STS_FIX/creds.json" --tokens "$PE_DIR/tok" \
    --string wrong-secret-0123456789abcdef --generic "$OUT" >"$tmp/scan.out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/scan.out" | tail -n 20
is "$rc" 0 "zero hits: no token ($n_tok minted), signature, secret key or session token in $(ls "$OUT" | wc -l) captured files"
# The scanner itself finds what it must (a planted token, URL-encoded session token).
cp "$PE_DIR/tok/alice" "$tmp/planted.log"
"$PYTHON" -c 'import json, sys
from urllib.parse import quote
print("x" + quote(json.load(open(sys.argv[1]))["ASIAFAKEEXAMPLE00001"]["session_token"], safe="") + "x")' \
    "$STS_FIX/creds.json" >"$tmp/planted2.log"
"$PYTHON" "$SCAN" --creds "$STS_FIX/creds.json" --tokens "$PE_DIR/tok" "$tmp/planted.log" >/dev/null 2>&1
is "$?" 1 "control: the scan finds a planted token"
"$PYTHON" "$SCAN" --creds "$STS_FIX/creds.json" "$tmp/planted2.log" >/dev/null 2>&1
is "$?" 1 "control: the scan finds a planted URL-encoded session token"
done_testing
