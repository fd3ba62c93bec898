#!/bin/bash
# sshd.sh - eksauth end to end, the way a bastion operator and an engineer
# with a laptop meet it (issue 6; docs/design.md, "The client half"):
#   the STS stand-in over TLS; `eksauth sync` of a test aws-auth; a real sshd
#   (Debian openssh-server) on 127.0.0.1 and a free port with UsePAM,
#   KbdInteractiveAuthentication yes, PasswordAuthentication no and
#   pam_eksauth + pam_mkhomedir, in a private mount namespace
#   (tests/e2e/e2e_common.sh) where real setuid sudo loads libnss_eksauth;
#   the real OpenSSH client through `eksauth ssh` with tokens minted by the
#   real `aws eks get-token` from assumed-role credentials (over 1023 bytes:
#   they go in pieces); sshpass at the plain prompt; refusals; sudo with
#   NOPASSWD for one role, refused for another, and `sudo -A` with
#   `eksauth askpass` for a rule that needs a token; single_use (fresh tokens
#   for ssh and each sudo pass, a replayed token is refused); revocation in a session
#   that stays open; the audit lines (a token login's session lines name its
#   principal and token, a key login's none); no token in any log or output;
#   the host as it was.  TAP output.
#
# Environment: EKSAUTH, FIXTURES, top_srcdir, top_builddir (set by make check).
# bash (arrays, process substitution), whatever shell make check starts us with.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/e2e/e2e_common.sh"
e2e_plan_skip_if_unsupported

# ------------------------------------------------------------------- setup
e2e_start_sts
e2e_config
e2e_namespace
e2e_sync || bail "eksauth sync failed: $(cat "$H/out/sync.out")"
e2e_start_syslog
e2e_start_sshd
pass "setup: STS stand-in on port $STS_PORT, sshd on port $SSH_PORT, namespace held by pid $HOLD_PID"

# Tokens the test hands to askpass through EKSAUTH_TOKEN_COMMAND (the main
# logins mint their own with the default `aws eks get-token`).
mint alice ASIAE2EADMINALICE001
mint dave ASIAE2EONCALLDAVE001
mint erin ASIAE2EDEVSERIN00001
mint bob AKIAE2EUSERBOB000001
mint carol ASIAE2EUNMAPPEDCAROL
(
    creds ASIAE2EADMINALICE001
    aws_eks_token --cluster-name other-cluster
) >"$H/tok/other" 2>"$H/out/mint-other.err" || bail "a token for another cluster could not be made"
(
    creds ASIAE2EADMINALICE001
    aws_eks_token --cluster-name "$CLUSTER"
) >"$H/tok/cluster" 2>"$H/out/mint-cluster.err" || bail "a plain cluster token could not be made"
(
    creds ASIAE2EADMINALICE001
    aws_eks_token --cluster-name "eksauth:$CLUSTER:other.e2e.test"
) >"$H/tok/otherhost" 2>"$H/out/mint-otherhost.err" || bail "a token for another host could not be made"
mint_at expired ASIAE2EADMINALICE001 $(($(date +%s) - 1000))
alice_len=$(wc -c <"$H/tok/alice")
bob_len=$(wc -c <"$H/tok/bob")
if [ "$alice_len" -gt 1100 ] && [ "$bob_len" -lt 600 ]; then
    pass "tokens: assumed-role $((alice_len - 1)) bytes (over ssh's 1023), long-term key $((bob_len - 1)) bytes"
else
    fail "tokens: assumed-role $((alice_len - 1)) bytes, long-term key $((bob_len - 1)) bytes"
fi

# The launcher SUDO_ASKPASS names on the bastion (make install puts one in bindir).
printf '#!/bin/sh\nexec %s askpass "$@"\n' "$EKSAUTH" >"$H/bin/eksauth-askpass"
chmod 0755 "$H/bin/eksauth-askpass"

mapfile -t alice_env < <(creds_env ASIAE2EADMINALICE001)

# --------------------------------------------- 1. eksauth ssh, real aws token
n0=$(syslog_lines)
login main admin-alice 'id -u; id -Gn; echo "EKS_USERNAME=$EKS_USERNAME"; echo "EKS_GROUPS=$EKS_GROUPS";
    echo "EKS_ARN=$EKS_ARN"; echo "HOME=$HOME"; test -d "$HOME" && test -O "$HOME" && echo home-ok;
    sudo -n id -u' EKSAUTH_CLUSTER=$CLUSTER "${alice_env[@]}"
is "$rc" 0 "eksauth ssh admin-alice: logged in with a token from aws eks get-token"
[ "$rc" = 0 ] || sed 's/^/# /' "$H/out/main.err"
uid=$(ns getent passwd admin-alice | cut -d: -f3)
is "$(out main | sed -n 1p)" "$uid" "id -u is the mapped uid ($uid)"
like "$(out main | sed -n 2p)" "^eks-users( .*)? eks-system-masters" "id -Gn: eks-users (every login's primary group) and the mapped group eks-system-masters"
unlike "$(out main | sed -n 2p)" "(^| )admin-alice( |$)" "id -Gn: no group named like the login"
is "$(out main | grep '^EKS_USERNAME=')" "EKS_USERNAME=admin:alice" "EKS_USERNAME is the k8s username"
is "$(out main | grep '^EKS_GROUPS=')" "EKS_GROUPS=system:masters" "EKS_GROUPS are the k8s groups"
is "$(out main | grep '^EKS_ARN=')" "EKS_ARN=arn:aws:sts::111122223333:assumed-role/eks-admins/alice" "EKS_ARN is the caller's ARN"
is "$(out main | grep '^HOME=')" "HOME=$H/home/admin-alice" "HOME is the configured home"
is "$(out main | grep -c '^home-ok$')" 1 "pam_mkhomedir made the home, owned by the user"
is "$(out main | tail -n 1)" 0 "sudo -n id -u: 0 for system:masters (%eks-system-masters NOPASSWD)"
syslog_since "$n0" 'sudo: pam_eksauth\(sudo:account\): event=account' >"$H/out/main.syslog"
pieces=$(sed -n 's/.*sshd: pam_eksauth(sshd:auth): token of \([0-9]*\) bytes in \([0-9]*\) answer(s).*/\1 \2/p' "$H/out/main.syslog")
if [ -n "$pieces" ] && [ "${pieces% *}" -gt 1023 ] && [ "${pieces#* }" -ge 3 ]; then
    pass "the module got the whole token in pieces: ${pieces% *} bytes in ${pieces#* } answers"
else
    fail "the module got the whole token in pieces (saw: '$pieces')"
fi
like "$(cat "$H/out/main.syslog")" "sshd: pam_eksauth\(sshd:auth\): event=auth result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice access_key_id=ASIAE2EADMINALICE001 account=111122223333 rhost=127.0.0.1 token_fp=[0-9a-f]{8} audience=host canonical_arn=arn:aws:iam::111122223333:role/eks-admins ruser=- reason=\"uid [0-9]+\"" \
    "sshd's log: the audit line of the login, with a token fingerprint and the role"
like "$(cat "$H/out/main.syslog")" "sshd: pam_eksauth\(sshd:session\): event=open_session result=success user=admin-alice" \
    "sshd's log: the session line"
like "$(cat "$H/out/main.syslog")" "sudo: pam_eksauth\(sudo:account\): event=account result=success user=admin-alice" \
    "sudo's log: the account stage passed for the mapped user"
syslog_since "$n0" 'sshd: pam_eksauth\(sshd:session\): event=close_session' >"$H/out/main-close.syslog"
like "$(cat "$H/out/main-close.syslog")" "sshd: pam_eksauth\(sshd:session\): event=close_session result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice " \
    "sshd's log: the session's close line names the identity that logged in"
# sshd opens the session in another process than the authentication's: the
# token's fingerprint crosses with its proof, and both session lines name it.
main_fp=$(sed -n 's/.*pam_eksauth(sshd:auth): event=auth result=success user=admin-alice .* token_fp=\([0-9a-f]\{8\}\) .*/\1/p' "$H/out/main.syslog")
like "$main_fp" "^[0-9a-f]{8}$" "sshd's auth line gives the token's fingerprint ($main_fp)"
like "$(cat "$H/out/main.syslog")" "sshd: pam_eksauth\(sshd:session\): event=open_session result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice access_key_id=- account=111122223333 rhost=127.0.0.1 token_fp=$main_fp audience=- canonical_arn=arn:aws:iam::111122223333:role/eks-admins ruser=- reason=\"groups system:masters\"" \
    "sshd's open line names the principal and the token of this login (token_fp=$main_fp)"
like "$(cat "$H/out/main-close.syslog")" "event=close_session result=success user=admin-alice k8s_user=admin:alice arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice .* token_fp=$main_fp " \
    "sshd's close line names the token too"
like "$(cat "$H/out/sshd.log")" "Accepted keyboard-interactive/pam for admin-alice from 127.0.0.1" \
    "sshd accepted keyboard-interactive/pam"
left=$(find "$H/client" -name 'eksauth-ssh.*' -o -name 'askpass-*' | wc -l)
is "$left" 0 "eksauth ssh left no folder and no token file behind"

# --------------------------------------------- 2. the plain prompt (sshpass)
# sshpass reads the answer from a file and types it at ssh's own prompt.
plain() {
    local name=$1 user=$2 tok=$3
    sshpass -f "$H/tok/$tok" -P "EKS token" ssh $(SSH_OPTS) \
        -o PreferredAuthentications=keyboard-interactive $AS_BASTION "$user@127.0.0.1" 'id -un' \
        >"$H/out/$name.out" 2>"$H/out/$name.err" </dev/null
    rc=$?
}
plain plain-short bob bob
is "$rc:$(out plain-short)" "0:bob" "sshpass at the plain prompt: a long-term key's short token logs bob in"
n0=$(syslog_lines)
plain plain-long admin-alice alice
isnt_zero=$([ "$rc" != 0 ] && echo refused || echo "logged in")
is "$isnt_zero" refused "sshpass at the plain prompt: the assumed-role token is cut by ssh and refused"
syslog_since "$n0" "event=auth result=denied user=admin-alice " >"$H/out/plain-long.syslog"
like "$(cat "$H/out/plain-long.syslog")" "event=auth result=denied user=admin-alice .*answer of 1023 bytes: the client cut the token; use eksauth ssh" \
    "the log says the client cut the token at 1023 bytes and what to use instead"

# --------------------------------------------- 3. refusals
# refused NAME USER TOKEN REGEX DESCRIPTION: the login fails and sshd's log says why.
refused() {
    local name=$1 user=$2 tok=$3 re=$4 desc=$5 n0
    n0=$(syslog_lines)
    login "$name" "$user" true "$(with_token "$tok")"
    syslog_since "$n0" "$re" >"$H/out/$name.syslog"
    if [ "$rc" != 0 ] && grep -Eq -- "$re" "$H/out/$name.syslog"; then
        pass "$desc"
    else
        fail "$desc (rc=$rc)"
        sed 's/^/#   /' "$H/out/$name.syslog" "$H/out/$name.err" | tail -n 8
    fi
}
refused refuse-unmapped erin carol \
    'event=auth result=denied user=erin k8s_user=- arn=arn:aws:sts::111122223333:assumed-role/unmapped-role/carol .*reason="not mapped' \
    "refused: a role that aws-auth does not map"
# Tokens that are not for this bastion never leave the client: askpass asks STS
# first (EKSAUTH_TOKEN_COMMAND may mint anything) and sends nothing.
not_sent() {
    local name=$1 tok=$2 desc=$3 n0
    n0=$(syslog_lines)
    login "$name" admin-alice true "$(with_token "$tok")"
    syslog_since "$n0" >"$H/out/$name.syslog"
    if [ "$rc" != 0 ] && grep -q "is not for $AUDIENCE" "$H/out/$name.err" &&
        grep -q "SignatureDoesNotMatch" "$H/out/$name.err" &&
        ! grep -q "token_fp=$(token_fp "$H/tok/$tok")" "$H/out/$name.syslog"; then
        pass "$desc"
    else
        fail "$desc (rc=$rc)"
        sed 's/^/#   /' "$H/out/$name.syslog" "$H/out/$name.err" | tail -n 8
    fi
}
not_sent refuse-other other "not sent: a token minted for another cluster (askpass: STS says it is not for this host)"
not_sent refuse-cluster cluster "not sent: a plain cluster token (aws eks get-token --cluster-name $CLUSTER)"
not_sent refuse-otherhost otherhost "not sent: a token minted for another host of the cluster"
# A bastion reached by another name than the one it calls itself gets no token.
n0=$(syslog_lines)
env EKSAUTH_CLUSTER=$CLUSTER "${alice_env[@]}" "$EKSAUTH" ssh $(SSH_OPTS) "admin-alice@127.0.0.1" true \
    >"$H/out/by-ip.out" 2>"$H/out/by-ip.err" </dev/null
rc=$?
like "$rc:$(cat "$H/out/by-ip.err")" "^[1-9][0-9]*:.*calls itself \"$E2E_HOST\", but you reached \"127.0.0.1\".*EKSAUTH_HOST=$E2E_HOST" \
    "reached by its address, the bastion (host_name $E2E_HOST) gets no token, and askpass says how to name it"
# An expired token is not sent either: askpass checks it first (the host's own
# refusal of one is tests/integration/pam.sh's).
n0=$(syslog_lines)
login refuse-expired admin-alice true "$(with_token expired)"
syslog_since "$n0" >"$H/out/refuse-expired.syslog"
like "$rc:$(cat "$H/out/refuse-expired.err")" "^[1-9][0-9]*:.*expired: signed" \
    "not sent: an expired token (more than 15 minutes old)"
refused refuse-login erin alice \
    "event=auth result=denied user=erin .*the token maps to login 'admin-alice', not 'erin'" \
    "refused: a login name other than the mapped one"
refused refuse-root root alice \
    "pam_eksauth\(sshd:auth\): event=auth result=unknown_user user=root .*'root' is a local account" \
    "refused: root, a local account (never served by eksauth)"
sshd_log_has 0 "Failed keyboard-interactive/pam for root from 127.0.0.1"
ok $? "sshd logged the failed root login"

# --------------------------------------------- 3b. no login without a token
# One token login, then a key planted where sshd looks (as the user could
# write ~/.ssh/authorized_keys): the key alone must not log the user in.
mkdir -p "$H/keys"
ssh-keygen -q -t ed25519 -N '' -f "$H/client/planted" || bail "ssh-keygen failed"
# key_login NAME USER CMD: ssh with the planted key alone; rc, $H/out/NAME.out and .err.
key_login() {
    ssh $(SSH_OPTS) $AS_BASTION -i "$H/client/planted" -o PreferredAuthentications=publickey \
        -o IdentitiesOnly=yes "$2@127.0.0.1" "$3" >"$H/out/$1.out" 2>"$H/out/$1.err" </dev/null
    rc=$?
}
login proof-env admin-alice 'env | grep -c "^EKSAUTH_PROOF=" ; true' "$(with_token alice)"
is "$rc:$(out proof-env)" "0:0" "a token login: the account stage's proof is not in the session's environment"
install -m 0644 "$H/client/planted.pub" "$H/keys/admin-alice"
n0=$(syslog_lines)
key_login planted admin-alice 'id -un'
syslog_since "$n0" 'pam_eksauth\(sshd:account\): event=account result=denied' >"$H/out/planted.syslog"
is "$rc:$(cat "$H/out/planted.out")" "255:" "a key planted after a token login: the eksauth user is refused"
like "$(cat "$H/out/planted.syslog")" "pam_eksauth\(sshd:account\): event=account result=denied user=admin-alice .*no token was given in this login" \
    "... at the account stage: no token was given in this login"
sshd_log_has 0 "Failed publickey for admin-alice" &&
    grep -q "Postponed publickey for admin-alice" "$H/out/sshd.log"
ok $? "... though the key itself matched (sshd: postponed, then failed by the account stage)"
# The break-glass local account logs in with its key.
install -m 0644 "$H/client/planted.pub" "$H/keys/root"
key_login breakglass root 'id -u'
is "$rc:$(cat "$H/out/breakglass.out")" "0:0" "the break-glass root logs in with its key (pam_eksauth ignores local accounts)"
rm -f "$H/keys/admin-alice" "$H/keys/root"

# --------------------------------------------- 3c. the lines of a key login
# A stack without require_token lets the key in.  Whoever holds it is not
# known to eksauth: the lines name the k8s user and no principal, not the
# one of admin-alice's last token login, which the identity DB records.
cp "$H/ns/pam.d/sshd" "$H/pam.d-sshd.orig"
sed -i 's/ require_token=sshd$//' "$H/ns/pam.d/sshd"
install -m 0644 "$H/client/planted.pub" "$H/keys/admin-alice"
n0=$(syslog_lines)
key_login keylogin admin-alice 'id -un'
syslog_since "$n0" 'pam_eksauth\(sshd:session\): event=close_session' >"$H/out/keylogin.syslog"
cp "$H/pam.d-sshd.orig" "$H/ns/pam.d/sshd"
rm -f "$H/keys/admin-alice"
is "$rc:$(cat "$H/out/keylogin.out")" "0:admin-alice" "without require_token, the planted key logs admin-alice in"
sshd_log_has 0 "Accepted publickey for admin-alice"
ok $? "... by its key (sshd: Accepted publickey)"
nobody="k8s_user=admin:alice arn=- session=- access_key_id=- account=- rhost=127.0.0.1 token_fp=- audience=- canonical_arn=- ruser=- reason=\"([a-z:, ]*; )?no token in this login: the principal is not known\""
for line in 'account\): event=account' 'session\): event=open_session' 'session\): event=close_session'; do
    like "$(cat "$H/out/keylogin.syslog")" "pam_eksauth\(sshd:$line result=success user=admin-alice $nobody" \
        "a key login: the ${line##*=} line names no principal"
done
unlike "$(cat "$H/out/keylogin.syslog")" "eks-admins/alice|ASIAE2E|token_fp=[0-9a-f]" \
    "a key login: no line names the principal or a token of admin-alice's token logins"

# --------------------------------------------- 4. sudo in the session
login sudo-erin erin 'id -Gn; sudo -n id -u; echo "sudo=$?"' "$(with_token erin)"
is "$rc" 0 "erin (eks-devs) logs in"
like "$(out sudo-erin | sed -n 1p)" "eks-developers" "erin is in eks-developers"
is "$(out sudo-erin | grep '^sudo=')" "sudo=1" "sudo -n id -u is refused for a role without a sudo rule"

# dave's rule needs authentication: sudo -A asks pam_eksauth, eksauth askpass answers
# in pieces under sudo's 511 bytes, with a token from the built-in signer.  The token
# folder is named with EKSAUTH_ASKPASS_DIR: glibc drops TMPDIR for setuid sudo, and the
# default would be /tmp/eksauth-askpass-UID on the host.
creds_env ASIAE2EONCALLDAVE001 | sed "s/=\(.*\)/='\1'/; s/^/export /" >"$H/dave.env"
chmod 0644 "$H/dave.env"
n0=$(syslog_lines)
login sudo-dave dave "sudo -n true 2>/dev/null; echo \"nopw=\$?\";
    . $H/dave.env; export EKSAUTH_CLUSTER=$CLUSTER EKSAUTH_HOST=$E2E_HOST EKSAUTH_BUILTIN=1;
    mkdir -m 0700 \$HOME/askpass; export EKSAUTH_ASKPASS_DIR=\$HOME/askpass;
    echo \"notself=\$(EKSAUTH_HOST= SUDO_ASKPASS=$H/bin/eksauth-askpass sudo -A -k true 2>&1 |
        grep -c 'sudo asks for a token for .$E2E_HOST., which is not this machine')\" >&2;
    SUDO_ASKPASS=$H/bin/eksauth-askpass sudo -A -k id -u; echo \"sudo=\$?\";
    ls -A \$HOME/askpass | grep -v -e '^last-mint\$' -e '\.done\$' | wc -l" "$(with_token dave)"
# sudo's audit line comes after the line of the token's pieces: wait for it.
syslog_since "$n0" 'sudo: pam_eksauth\(sudo:auth\): event=auth result=success user=dave ' >"$H/out/sudo-dave.syslog"
is "$rc" 0 "dave (eks-oncall) logs in"
is "$(out sudo-dave | grep '^nopw=')" "nopw=1" "dave's rule needs authentication: sudo -n is refused"
is "$(out sudo-dave | sed -n 2,3p | tr '\n' ' ')" "0 sudo=0 " "sudo -A with SUDO_ASKPASS=eksauth askpass: id -u is 0"
[ "$(out sudo-dave | sed -n 3p)" = "sudo=0" ] || sed 's/^/#   /' "$H/out/sudo-dave.err" "$H/out/sudo-dave.syslog" | tail -n 12
is "$(out sudo-dave | tail -n 1)" 0 "no token file left in dave's folder after the last piece"
# Without EKSAUTH_HOST, the bare prompt of the real (setuid) sudo is taken as sudo's: this
# machine's audience only, and the bastion's host_name is not this machine's name here.
is "$(grep '^notself=' "$H/out/sudo-dave.err")" "notself=1" \
    "sudo -A without EKSAUTH_HOST: askpass sees sudo asking, and refuses a name that is not this machine"
pieces=$(sed -n 's/.*sudo: pam_eksauth(sudo:auth): token of \([0-9]*\) bytes in \([0-9]*\) answer(s).*/\1 \2/p' "$H/out/sudo-dave.syslog")
if [ -n "$pieces" ] && [ "${pieces% *}" -gt 1023 ] && [ "${pieces#* }" -ge 4 ]; then
    pass "sudo's module got ${pieces% *} bytes in ${pieces#* } answers of at most 500"
else
    fail "sudo's module got the token in pieces (saw: '$pieces')"
fi
like "$(cat "$H/out/sudo-dave.syslog")" "sudo: pam_eksauth\(sudo:auth\): event=auth result=success user=dave k8s_user=dave arn=arn:aws:sts::111122223333:assumed-role/eks-oncall/dave .* canonical_arn=arn:aws:iam::111122223333:role/eks-oncall ruser=dave reason=" \
    "sudo's log: the audit line of the token authentication, with the role and who ran sudo"

# sudo with "Defaults !pam_setcred": no setcred, and the session is root's, not
# eksauth's user's.  pam_eksauth's account stage keeps the token proof in the handle that
# made it (sshd's child hands it on), so its session stage must take it out for root
# too: sudo gives the command the PAM environment.
cp "$H/ns/sudoers" "$H/sudoers.orig"
printf 'Defaults:dave !pam_setcred\n' >>"$H/ns/sudoers"
visudo -cqf "$H/ns/sudoers" || bail "the sudoers with !pam_setcred does not parse"
login sudo-nosetcred dave ". $H/dave.env; export EKSAUTH_CLUSTER=$CLUSTER EKSAUTH_HOST=$E2E_HOST EKSAUTH_BUILTIN=1;
    export EKSAUTH_ASKPASS_DIR=\$HOME/askpass;
    SUDO_ASKPASS=$H/bin/eksauth-askpass sudo -A -k env >\$HOME/sudo-env; echo \"sudo=\$?\";
    grep -c '^EKSAUTH_PROOF=' \$HOME/sudo-env" "$(with_token dave)"
cat "$H/sudoers.orig" >"$H/ns/sudoers" # in place: /etc/sudoers is bound to this file
is "$(out sudo-nosetcred | tr '\n' ' ')" "sudo=0 0 " \
    "sudo -A without pam_setcred: the command's environment holds no token proof"

# single_use = yes on the bastion: a token works once on this host.  The ssh
# login gets a fresh token from the real `aws eks get-token`, and each of three
# `sudo -A -k` in a row a fresh one from eksauth askpass: all pass.  The same
# pre-minted token twice: the second login is refused as a replay.
printf 'single_use = yes\n' >>"$CONF"
mapfile -t dave_env < <(creds_env ASIAE2EONCALLDAVE001)
n0=$(syslog_lines)
# The login's token and the first sudo's come from the same credentials: a second apart,
# or they are one token (and askpass, rightly, makes no other after the host's refusal).
login sudo-single dave ". $H/dave.env; export EKSAUTH_CLUSTER=$CLUSTER EKSAUTH_HOST=$E2E_HOST EKSAUTH_BUILTIN=1;
    export EKSAUTH_ASKPASS_DIR=\$HOME/askpass; sleep 1;
    for i in 1 2 3; do SUDO_ASKPASS=$H/bin/eksauth-askpass sudo -A -k id -u; echo \"sudo=\$?\"; done" \
    EKSAUTH_CLUSTER=$CLUSTER "${dave_env[@]}"
syslog_since "$n0" >"$H/out/sudo-single.syslog"
is "$rc" 0 "single_use: dave logs in with a fresh token from aws eks get-token"
is "$(out sudo-single | tr '\n' ' ')" "0 sudo=0 0 sudo=0 0 sudo=0 " \
    "single_use: three sudo -A -k in a row, each with a fresh token from eksauth askpass: all pass"
[ "$(out sudo-single | grep -c '^sudo=0$')" = 3 ] || sed 's/^/#   /' "$H/out/sudo-single.err" "$H/out/sudo-single.syslog" | tail -n 12
is "$(ns sh -c 'stat -c %a /var/lib/eksauth/replay /var/lib/eksauth/replay/*.db' 2>&1 | tr '\n' ' ')" "700 600 " \
    "single_use: dave's record in the folder replay beside the identity DB (0700), 0600"
# The same credentials in the same second sign the same URL: mint in a later second
# than askpass's last token, or this one is rightly a replay of it.
sleep 1
mint dave-once ASIAE2EONCALLDAVE001
login single-1 dave 'true' "$(with_token dave-once)"
is "$rc" 0 "single_use: a pre-minted token logs in once"
n0=$(syslog_lines)
login single-2 dave 'true' "$(with_token dave-once)"
syslog_since "$n0" 'already used' >"$H/out/single-2.syslog"
[ "$rc" != 0 ]
ok $? "single_use: the same token again is refused"
like "$(cat "$H/out/single-2.syslog")" "already used" "... as a replay, in sshd's log"
sed -i '/^single_use = yes$/d' "$CONF"

# --------------------------------------------- 5. revocation, session still open
# One session runs sudo three times: before any sync, after a routine sync of
# the same aws-auth (nothing may change), and after the role's removal.  The
# test moves it on with the files $H/step1 and $H/step2.
rm -f "$H/step1" "$H/step2"
login revoke admin-alice "waitfor() { i=0; while [ ! -e \$1 ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; };
    sudo -n id -u; echo \"first=\$?\";
    waitfor $H/step1; sudo -n id -u; echo \"second=\$?\";
    waitfor $H/step2; sudo -n id -u; echo \"third=\$?\"" "$(with_token alice)" &
revoke_pid=$!
session_waits revoke '^first='
is "$(out revoke | grep '^first=')" "first=0" "an open session: sudo -n id -u gives 0"
e2e_sync
ok $? "a routine eksauth sync, aws-auth unchanged"
n0=$(syslog_lines)
touch "$H/step1"
session_waits revoke '^second='
syslog_since "$n0" >"$H/out/routine.syslog"
is "$(out revoke | grep '^second=')" "second=0" "the open session still gets sudo after a routine sync"
if ! out revoke | grep -q '^second=0'; then
    sed 's/^/#   /' "$H/out/routine.syslog" | grep -E 'event=|removed' | tail -n 4
    grep removed "$H/out/sync.out" | sed 's/^/#   sync: /'
fi
n0=$(syslog_lines)
install -m 0644 "$E2E_FIX/aws-auth-revoked.yaml" "$H/etc/aws-auth.yaml"
e2e_sync
ok $? "revocation: eks-admins removed from aws-auth, eksauth sync"
touch "$H/step2"
wait "$revoke_pid"
syslog_since "$n0" >"$H/out/revoke.syslog"
like "$(out revoke | grep '^third=')" "^third=[1-9]" "revocation: the same open session is refused sudo after the sync"
like "$(cat "$H/out/revoke.err")" "sudo: (you do not exist in the passwd database|unknown user|a password is required|.*account)" \
    "revocation: sudo says why ($(grep -m1 '^sudo:' "$H/out/revoke.err"))"
ns getent passwd admin-alice >/dev/null
is "$?" 2 "revocation: NSS no longer resolves admin-alice"
refused revoke-new admin-alice alice "." "revocation: a new login of the removed role is refused"
sshd_log_has 0 "Invalid user admin-alice from 127.0.0.1"
ok $? "revocation: sshd no longer knows the user"
login after-revoke dave 'id -un' "$(with_token dave)"
is "$rc:$(out after-revoke)" "0:dave" "revocation: other roles still log in"

# --------------------------------------------- 6. secrets and the host
e2e_stopped_all
no_secret_in "$H"/out/*
ok $? "no token, piece of one or secret in any log or output ($(ls "$H/out" | wc -l) files: syslog, sshd, sudo, ssh)"
grep -q 'pam_eksauth(sshd:auth): event=auth' "$H/out/syslog" && grep -q 'pam_eksauth(sudo:auth): event=auth' "$H/out/syslog"
ok $? "the audit lines of sshd and sudo reached syslog"
e2e_host_unchanged
ok $? "the host is as it was: /etc (pam.d, nsswitch, ld.so.cache, sudoers, passwd, ssh), /run/sshd, /dev/log, /tmp, mounts"

done_testing
