#!/bin/bash
# failalloc_pam.sh - every allocation pam_eksauth.so makes, failed in turn,
# in logins that must be refused: a caller of a setuid sudo or su can make
# allocations fail with a small RLIMIT_AS, and one that turned a refusal
# into a success would let a replayed token, a stranger's token or an
# unmapped principal in.  The driver pam_batch_failalloc (failalloc.c)
# counts the allocations called from the module and fails the Nth
# (FAILALLOC_AT=N); each N from 1 to the count of a whole login runs in a
# process of its own.  Three refusals, under single_use:
#   - a replay: a token already used on this host;
#   - a stranger's token: alice's token for PAM_USER bob;
#   - an unmapped principal (carol).
# For each: no N ends in PAM_SUCCESS, and every N ends in a PAM code (no
# crash).  TAP output.
set -u
. "$top_srcdir/tests/hardening/common.sh"
hard_require
FA=$top_builddir/tests/hardening/pam_batch_failalloc
[ -x "$FA" ] || bail "$FA not built"

hard_setup
hard_single_use
hard_mint alice ASIAFAKEEXAMPLE00001
hard_mint carol ASIAFAKEUNMAPPED0001
"$FA" "$SVC" single admin-alice -p 500 "$PE_DIR/tok/alice" >"$tmp/first.tsv" 2>/dev/null
is "$(cut -f3 "$tmp/first.tsv")" PAM_SUCCESS "alice's token logs in once (single_use)"

# every CASE USER TOKEN WANT_REASON: each counted allocation failed in turn.
every() {
    _case=$1 _user=$2 _tok=$3 _want=$4
    "$FA" "$SVC" single "$_user" -p 500 "$PE_DIR/tok/$_tok" >"$tmp/whole.tsv" 2>"$tmp/whole.err"
    _count=$(sed -n 's/^failalloc: //p' "$tmp/whole.err")
    like "$(cut -f5 "$tmp/whole.tsv")" "$_want" "$_case, no allocation failed: refused ($_count allocations)"
    : >"$tmp/all.tsv"
    _crashed=0
    for _n in $(seq 1 "${_count:-0}"); do
        FAILALLOC_AT=$_n "$FA" "$SVC" single "$_user" -p 500 "$PE_DIR/tok/$_tok" >"$tmp/one.tsv" 2>/dev/null
        [ $? -lt 128 ] && [ -s "$tmp/one.tsv" ] || _crashed=$((_crashed + 1))
        sed "s/^/$_n$TAB/" "$tmp/one.tsv" >>"$tmp/all.tsv"
    done
    _won=$(awk -F'\t' '$4 == "PAM_SUCCESS" {print $1}' "$tmp/all.tsv" | tr '\n' ' ')
    is "${_won:-none}" none "$_case: no failed allocation (of $_count) ends in success"
    is "$_crashed" 0 "$_case: every one ends in a PAM code"
    cut -f4 "$tmp/all.tsv" | sort | uniq -c | sort -rn | sed 's/^ */#   /'
}

every "a replayed token" admin-alice alice "already used"
every "alice's token for bob" bob alice "maps to login 'admin-alice', not 'bob'"
every "an unmapped principal" admin-alice carol "not mapped"

done_testing
