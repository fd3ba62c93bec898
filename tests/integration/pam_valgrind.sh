#!/bin/sh
# pam_valgrind.sh - 1,000 whole PAM transactions of pam_eksauth.so in one
# process (authenticate with a token in pieces, acct_mgmt, setcred, open and
# close session; plus refused logins), through the real libpam and the local
# STS stand-in over TLS, under valgrind memcheck: no error, no leak.
# PAM_VALGRIND_N overrides the count (default 1000).
. "$top_srcdir/tests/pam/pam_common.sh"

N=${PAM_VALGRIND_N:-1000}
command -v valgrind >/dev/null 2>&1 || { echo "1..0 # SKIP valgrind not installed"; exit 0; }
[ -z "$SAN_PRELOAD" ] || { echo "1..0 # SKIP sanitizer build: ASan and valgrind exclude each other"; exit 0; }
# valgrind slows TLS twenty-fold or more, and make -j loads the machine.
PAM_STS_CONNECT_TIMEOUT=20 PAM_STS_TIMEOUT=60
pam_setup
plan 3
pass "setup: stand-in on port $STS_PORT, identity DB synced, token minted"
PE_LOG="$PE_DIR/loop.log" valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    --log-file="$PE_DIR/valgrind.log" "$PAM_DRIVER" loop "$N" >"$PE_DIR/loop.tap" 2>&1
rc=$?
sed 's/^/# /' "$PE_DIR/loop.tap"
is "$rc" 0 "$N transactions under valgrind: every one succeeded, no memory error, no leak"
if [ "$rc" != 0 ]; then
    sed 's/^/# valgrind: /' "$PE_DIR/valgrind.log" | head -n 80
    grep -v 'result=success' "$PE_DIR/loop.log" | grep -v 'user=bob\|k8s-aws-v1.bad\|token: ' |
        head -n 20 | sed 's/^/# log: /'
fi
[ ! -s "$PE_DIR/valgrind.log" ]
ok $? "valgrind reported nothing"
