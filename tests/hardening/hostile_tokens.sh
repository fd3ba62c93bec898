#!/bin/bash
# hostile_tokens.sh - a corpus of forged and malformed tokens
# (gen_hostile_tokens.py: every rule of docs/token-rules.md broken alone and in
# pairs, case and percent-encoding tricks, overlong fields, NUL and
# non-ASCII bytes, hosts that look like STS), made from a real token minted
# now, goes through
#   1. `eksauth check-token`: every one refused (exit 1), the message opens
#      with the rule that failed, and no message holds the real token's
#      signature or session token;
#   2. pam_eksauth.so (pamtester under pam_wrapper, against the local STS
#      stand-in): every one refused with PAM_AUTH_ERR and a logged
#      "token: <rule>" reason, and not one request reached the stand-in
#      (the local checks refuse before anything leaves the host); the real
#      token through the same path succeeds (the harness can say yes).
# Zero accepted.  TAP output.  Environment: make check's.
set -u
. "$top_srcdir/tests/hardening/common.sh"
GEN=$HERE/gen_hostile_tokens.py

hard_require

# ------------------------------------------------------------ 1. check-token
T0=$(date +%s)
sts_creds ASIAFAKEEXAMPLE00001
SESSION_TOKEN=$AWS_SESSION_TOKEN
REAL=$("$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1 --now "$T0") ||
    bail "eksauth token could not mint the base token"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
SIG=$(printf '%s' "$REAL" | "$PYTHON" -c '
import base64, sys, urllib.parse
t = sys.stdin.read()[len("k8s-aws-v1."):]
u = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode()
print(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(u).query))["X-Amz-Signature"])')
C=$tmp/corpus
"$PYTHON" "$GEN" "$REAL" "$T0" "$C" || bail "gen_hostile_tokens.py failed"
n=$(wc -l <"$C/cases.tsv")
# At least 200, as SECURITY.md says (the generator makes 222).
if [ "$n" -ge 200 ]; then pass "the corpus has $n hostile tokens (at least 200)"; else
    fail "the corpus has $n hostile tokens (at least 200)"; fi

printf '%s\n' "$REAL" | "$EKSAUTH" check-token --now "$T0" - >/dev/null 2>&1
ok $? "control: the real token passes check-token"

accepted=0
: >"$tmp/messages"
while IFS=$TAB read -r f name rules; do
    "$EKSAUTH" check-token --now "$T0" - <"$C/$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    msg=$(head -c 400 "$tmp/err")
    cat "$tmp/err" "$tmp/out" >>"$tmp/messages"
    named=no
    IFS='|'
    for r in $rules; do
        case $msg in "eksauth: token rejected: $r:"*) named=yes ;; esac
    done
    unset IFS
    # Nothing at all is no token to judge: the command says so and how to give one (exit 2).
    [ "$name" = empty ] && case $msg in "eksauth: check-token: no token: "*) named=usage ;; esac
    if [ "$rc" -eq 0 ]; then
        accepted=$((accepted + 1))
        fail "check-token refuses $name: ACCEPTED"
    elif [ "$rc" -eq 2 ] && [ "$named" = usage ]; then
        pass "check-token refuses $name: ${msg#eksauth: check-token: }"
    elif [ "$rc" -eq 1 ] && [ "$named" = yes ]; then
        pass "check-token refuses $name: ${msg#eksauth: token rejected: }"
    else
        fail "check-token refuses $name with exit 1 naming one of [$rules]"
        echo "#   exit $rc: $msg"
    fi
done <"$C/cases.tsv"
is "$accepted" 0 "check-token: zero hostile tokens accepted"
# The messages may quote a host or a parameter name, never the secrets.
if grep -aqF -e "$SIG" -e "${SESSION_TOKEN:0:32}" -e "${REAL:11:48}" "$tmp/messages"; then
    fail "no check-token message holds the signature, the session token or the token"
else
    pass "no check-token message holds the signature, the session token or the token"
fi
if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]' "$tmp/messages"; then
    fail "every check-token message is free of control bytes"
else
    pass "every check-token message is free of control bytes"
fi

# ------------------------------------------------------------ 2. the PAM module
hard_setup
hard_services

# A fresh corpus: the module checks at the real clock.
T1=$(date +%s)
REAL=$(sts_creds ASIAFAKEEXAMPLE00001 && "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1)
printf '%s' "$REAL" >"$PE_DIR/tok/hostilebase" # no_token_in looks for it too
C=$tmp/corpus-pam
"$PYTHON" "$GEN" "$REAL" "$T1" "$C" || bail "gen_hostile_tokens.py failed"

requests() { if [ -f "$tmp/sts.log" ]; then wc -l <"$tmp/sts.log"; else echo 0; fi; }
before=$(requests)
# A PAM conversation carries C strings: a case with a NUL or a newline
# cannot reach the module as forged (it arrives cut), so it stays in the
# check-token half only.
: >"$tmp/pam-cases"
skipped=0
while IFS=$TAB read -r f name rules; do
    if [ "$(tr -d '\000\n' <"$C/$f" | wc -c)" != "$(wc -c <"$C/$f")" ]; then
        skipped=$((skipped + 1))
        continue
    fi
    printf '%s\t%s\t%s\n' "$C/$f" "$name" "$rules" >>"$tmp/pam-cases"
done <"$C/cases.tsv"
# Pieces of 500 bytes, as eksauth askpass sends them through ssh and sudo.
PB_LOG=$tmp/pam.log "$PB" "$SVC" eksauth-hard admin-alice -p 500 $(cut -f1 "$tmp/pam-cases") \
    >"$tmp/pam.tsv" 2>"$tmp/pam.err"
is "$?" 0 "pam_batch ran $(wc -l <"$tmp/pam-cases") hostile tokens ($skipped with a NUL or newline left to check-token)"
accepted=0
refused=0
while IFS=$TAB read -r file rc code secs reason; do
    name=$(grep -F "$file$TAB" "$tmp/pam-cases" | cut -f2)
    if [ "$code" = PAM_SUCCESS ]; then
        accepted=$((accepted + 1))
        fail "PAM refuses $name: ACCEPTED"
    elif [ "$code" = PAM_AUTH_ERR ] && case $reason in "token: "*) true ;; *) false ;; esac then
        refused=$((refused + 1))
    else
        fail "PAM refuses $name with PAM_AUTH_ERR and a logged token rule"
        echo "#   $code in ${secs}s: $reason"
    fi
done <"$tmp/pam.tsv"
n=$(wc -l <"$tmp/pam-cases")
is "$refused" "$n" "PAM: all $n hostile tokens refused with PAM_AUTH_ERR and a logged 'token: <rule>' reason"
is "$accepted" 0 "PAM: zero hostile tokens accepted"
is "$(($(requests) - before))" 0 "PAM: not one hostile token reached STS (refused before anything left the host)"
no_token_in "$tmp/pam.log" "$tmp/pam.tsv" "$tmp/pam.err"
ok $? "PAM: no minted token in the captured syslog or output"

printf '%s' "$REAL" >"$tmp/real"
"$PB" "$SVC" eksauth-hard admin-alice -p 500 "$tmp/real" >"$tmp/real.tsv" 2>&1
is "$(cut -f3 "$tmp/real.tsv")" PAM_SUCCESS "control: the real token through the same PAM path is accepted"
is "$(($(requests) - before))" 1 "control: ... and it made exactly one STS request"

done_testing
