#!/bin/bash
# replay_pam.sh - single_use = yes through pam_eksauth.so: eight logins of
# one token at once (separate processes, real libpam): exactly one succeeds,
# the others are refused as a replay; a later use is refused too; a fresh
# token works; the record (admin-alice's role's, in the folder replay beside
# the identity DB) is 0600 and
# holds no signature.  Then `eksauth askpass` (the built-in signer, as for
# SUDO_ASKPASS) answers the prompts of several successive authentications
# (pam_batch -a runs it per prompt, as ssh and sudo do): each gets a fresh
# token and succeeds, and replaying any one of those tokens is refused.
# TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require

hard_setup
hard_single_use
hard_mint alice ASIAFAKEEXAMPLE00001

"$PB" "$SVC" single admin-alice -p 500 "$PE_DIR/tok/alice" >"$tmp/probe.tsv" 2>&1
IFS=$TAB read -r _f _rc code _s reason <"$tmp/probe.tsv"
is "$code" PAM_SUCCESS "single_use: the first use of a token succeeds"
"$PB" "$SVC" single admin-alice -p 500 "$PE_DIR/tok/alice" >"$tmp/again.tsv" 2>&1
IFS=$TAB read -r _f _rc code _s reason <"$tmp/again.tsv"
is "$code" PAM_AUTH_ERR "single_use: the second use of the same token is refused"
like "$reason" "already used" "... as a replay: $reason"

# Same credentials in the same second sign the same URL: a token minted in the
# second of the first one would be a replay of it.  Step the clock first.
sleep 1
hard_mint alice2 ASIAFAKEEXAMPLE00001
sleep 1 # a distinct X-Amz-Date, so a distinct signature
hard_mint alice3 ASIAFAKEEXAMPLE00001
pids=
for i in 1 2 3 4 5 6 7 8; do
    "$PB" "$SVC" single admin-alice -p 500 "$PE_DIR/tok/alice3" >"$tmp/race$i.tsv" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
won=$(cat "$tmp"/race*.tsv | awk -F'\t' '$3 == "PAM_SUCCESS"' | wc -l)
replays=$(cat "$tmp"/race*.tsv | awk -F'\t' '$3 == "PAM_AUTH_ERR" && $5 ~ /already used/' | wc -l)
is "$won:$replays" "1:7" "eight simultaneous logins of one token: exactly one succeeds, seven are replays"
"$PB" "$SVC" single admin-alice -p 500 "$PE_DIR/tok/alice2" >"$tmp/fresh.tsv" 2>&1
is "$(cut -f3 "$tmp/fresh.tsv")" PAM_SUCCESS "a fresh token still works"
# On failure, say why (the reason column never holds the token).
[ "$(cut -f3 "$tmp/fresh.tsv")" = PAM_SUCCESS ] || sed 's/^/#   /' "$tmp/fresh.tsv"
# One record per principal: only the role that logged in has one.
is "$(stat -c %a "$PE_DIR/db/replay" 2>/dev/null):$(ls "$PE_DIR/db/replay" | grep -c '^[0-9a-f]\{16\}\.db$')" \
    "700:1" "the records are in the folder replay beside the identity DB (0700), one for the one principal"
REC=$(ls "$PE_DIR"/db/replay/*.db)
is "$(stat -c %a "$REC" 2>/dev/null)" 600 "the principal's record is mode 0600"
"$PYTHON" "$HERE/scan_secrets.py" --tokens "$PE_DIR/tok" "$REC" >/dev/null 2>&1
ok $? "the record holds no token or signature (only their SHA-256)"

# ---- eksauth askpass: a fresh token for each authentication ----
# The askpass protocol of ssh and sudo: a new askpass process per prompt, the
# prompt its only argument, its first line the answer.  pam_batch -a does that
# through the real libpam and keeps each token it was given (-t) for the
# replays below.  The built-in signer, with alice's credentials.
mkdir -m 0700 "$tmp/askdir" "$tmp/asked" "$tmp/asked2"
askpass_logins() { # OUT COUNT WAIT_MS KEEPDIR
    (
        sts_creds ASIAFAKEEXAMPLE00001
        EKSAUTH_BUILTIN=1 EKSAUTH_CLUSTER=$CLUSTER_ID EKSAUTH_HOST=$PE_HOST EKSAUTH_REGION=us-east-1 \
            EKSAUTH_ASKPASS_DIR="$tmp/askdir" \
            "$PB" "$SVC" single admin-alice -a "$EKSAUTH askpass" -n "$2" -w "$3" -t "$4"
    ) >"$tmp/$1.tsv" 2>"$tmp/$1.err"
}
sleep 1 # not in the second of the tokens above
askpass_logins asked 4 1100 "$tmp/asked"
is "$(awk -F'\t' '$3 == "PAM_SUCCESS"' "$tmp/asked.tsv" | wc -l)" 4 \
    "four authentications answered by eksauth askpass under single_use (a second apart): all succeed"
awk -F'\t' '$3 != "PAM_SUCCESS"' "$tmp/asked.tsv" "$tmp/asked.err" | sed 's/^/#   /'
is "$(for f in "$tmp"/asked/askpass-*; do sha256sum <"$f"; done | sort -u | wc -l)" 4 "... each with its own token (four distinct tokens)"
like "$(head -c 11 "$tmp/asked/askpass-1")" '^k8s-aws-v1\.' "... kept as the module received them"
is "$(ls -A "$tmp/askdir" | grep -v -e '^last-mint$' -e '\.done$' | wc -l)" 0 \
    "askpass left no token file behind (only the time of its last mint and the marks of sent tokens)"
"$PB" "$SVC" single admin-alice -p 500 "$tmp"/asked/askpass-* >"$tmp/replayed.tsv" 2>&1
refused=$(awk -F'\t' '$3 == "PAM_AUTH_ERR" && $5 ~ /already used/' "$tmp/replayed.tsv" | wc -l)
is "$refused" 4 "replaying any of those four tokens is refused as already used"

# Back to back (no pause): the same credentials in the same second would sign
# the same URL; askpass makes each mint start in a later second than the one
# before (its last-mint record), so five prompts in a row get five distinct
# tokens and every authentication succeeds.
askpass_logins asked2 5 0 "$tmp/asked2"
is "$(awk -F'\t' '$3 == "PAM_SUCCESS"' "$tmp/asked2.tsv" | wc -l)" 5 \
    "five authentications back to back through eksauth askpass under single_use: all succeed"
awk -F'\t' '$3 != "PAM_SUCCESS"' "$tmp/asked2.tsv" "$tmp/asked2.err" | sed 's/^/#   /'
is "$(for f in "$tmp"/asked2/askpass-*; do sha256sum <"$f"; done | sort -u | wc -l)" 5 \
    "... with five distinct tokens"
"$PYTHON" "$HERE/scan_secrets.py" --tokens "$tmp/asked" "$REC" >/dev/null 2>&1
ok $? "the record holds none of the askpass tokens either"
done_testing
