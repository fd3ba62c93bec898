#!/bin/bash
# bastion.sh - a bastion exactly as `eksauth setup` writes it, with the real
# sshd, OpenSSH client, setuid sudo and libpam (issues 15 and 16):
#   `eksauth setup --root` on a copy of this host's own files (Debian's
#   /etc/pam.d/sshd, nsswitch.conf, sudo.conf); its pam.d/sshd (the module
#   named by its path and the test config, nothing else changed), its sshd
#   drop-in (included first, as Debian's sshd_config does), its sudoers file
#   and its sudo.conf are the namespace's (tests/e2e/e2e_common.sh).
#   - sshd: eksauth logins are keyboard-interactive only; a key planted in
#     the user's authorized_keys is not even tried; root keeps its key
#     (the break-glass path); `sshd -T` for a member of eks-users;
#   - PAM: Debian's pam_env user_readenv=1 runs before pam_eksauth's session
#     line, so a hostile ~/.pam_environment cannot set EKS_*; the other order
#     (pam-auth-update's) still ends with the module's values in sshd's
#     session (setcred), and doctor calls it an error;
#   - eksauth doctor on this host: the effective sshd config (sshd -T) with
#     the Match block, and an error without it;
#   - sudo: a group taken from a role while a session is open.  With sudo's
#     own group source the session keeps its sudo after the sync (the group
#     list fixed at login); with setup's "Set group_source dynamic" sudo asks
#     NSS, and the same session is refused.
# Environment: EKSAUTH, top_srcdir, top_builddir (set by make check).  TAP.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/e2e/e2e_common.sh"
e2e_plan_skip_if_unsupported
command -v python3 >/dev/null || bail "python3 is needed to read doctor's JSON"

# ------------------------------------------------------------------- setup
e2e_start_sts
e2e_config "$E2E_FIX/aws-auth-sudo.yaml"
e2e_namespace
e2e_sync || bail "eksauth sync failed: $(cat "$H/out/sync.out")"
e2e_start_syslog

# eksauth setup on a copy of this host's files.
R="$H/root"
mkdir -p "$R/etc/pam.d" "$R/etc/ssh/sshd_config.d" "$R/etc/sudoers.d"
cp /etc/pam.d/sshd "$R/etc/pam.d/sshd" || bail "no /etc/pam.d/sshd (openssh-server)"
# Its Include of sshd_config.d: setup refuses a drop-in sshd would never read.
cp /etc/ssh/sshd_config "$R/etc/ssh/sshd_config" || bail "no /etc/ssh/sshd_config (openssh-server)"
cp /etc/nsswitch.conf /etc/passwd /etc/group "$R/etc/" || bail "could not copy the account files"
# Debian's sudo ships a sudo.conf that sets nothing; without one, sudo's defaults.
if [ -f /etc/sudo.conf ]; then cp /etc/sudo.conf "$H/sudo.conf.stock"; else : >"$H/sudo.conf.stock"; fi
[ -f /etc/sudo.conf ] && cp /etc/sudo.conf "$R/etc/sudo.conf"
"$EKSAUTH" --config "$CONF" setup --root "$R" >"$H/out/setup.out" 2>&1
is "$?:$(grep -c ' written: ' "$H/out/setup.out")" "0:5" \
    "eksauth setup --root: nsswitch.conf, pam.d/sshd, the sshd drop-in, sudoers.d/eksauth, sudo.conf"
grep -q '^Match Group eks-users$' "$R/etc/ssh/sshd_config.d/40-eksauth.conf"
ok $? "the drop-in holds the Match block for eks-users (the group of every login)"

# The namespace takes them: PAM with the module's path and the test config named.
sed "s|pam_eksauth.so|$PAM_MODULE config=$CONF|" "$R/etc/pam.d/sshd" >"$H/ns/pam.d/sshd"
is "$(diff "$R/etc/pam.d/sshd" "$H/ns/pam.d/sshd" | grep -c '^>')" 3 \
    "sshd's PAM service is setup's, only the module's path changed (3 lines)"
cp /etc/sudoers "$H/ns/sudoers" # the host's own, with @includedir /etc/sudoers.d: no rule of the test's
cp "$R/etc/sudo.conf" "$H/ns/sudo.conf"
ns mount --bind "$R/etc/sudoers.d" /etc/sudoers.d && ns mount --bind "$H/ns/sudo.conf" /etc/sudo.conf ||
    bail "the namespace could not take setup's sudoers.d and sudo.conf"
E2E_SSHD_INCLUDE="$R/etc/ssh/sshd_config.d/40-eksauth.conf" e2e_start_sshd
pass "sshd -t takes setup's drop-in; sshd on port $SSH_PORT with it included first"
ns mount --bind "$H/ssh/sshd_config" /etc/ssh/sshd_config || bail "could not show sshd_config to doctor"

mint alice ASIAE2EADMINALICE001
mint dave ASIAE2EONCALLDAVE001

# --------------------------------------------------- 1. a token login
n0=$(syslog_lines)
login first admin-alice 'id -Gn; echo "EKS_USERNAME=$EKS_USERNAME"; sudo -n id -u' "$(with_token alice)"
is "$rc" 0 "eksauth ssh admin-alice through setup's files: logged in"
[ "$rc" = 0 ] || { sed 's/^/#   /' "$H/out/first.err"; syslog_since "$n0" | sed 's/^/#   /' | tail -n 8; }
like "$(out first | sed -n 1p)" "(^| )eks-users( |$)" "id -Gn: the user is in eks-users"
is "$(out first | sed -n 2,3p | tr '\n' ' ')" "EKS_USERNAME=admin:alice 0 " \
    "EKS_USERNAME set; sudo -n id -u is 0 through setup's sudoers file"
sshd_log_has 0 "Accepted keyboard-interactive/pam for admin-alice from 127.0.0.1"
ok $? "sshd accepted keyboard-interactive/pam"

# ------------------------------------- 2. no key for eksauth users, root keeps its own
# sshd_config_for USER: sshd -T for USER connecting from 127.0.0.1, in the namespace.
sshd_config_for() {
    ns /usr/sbin/sshd -T -f "$H/ssh/sshd_config" -C "user=$1,host=localhost,addr=127.0.0.1" 2>&1
}
sshd_config_for admin-alice >"$H/out/sshd-T.alice"
for want in 'authenticationmethods keyboard-interactive' 'authorizedkeysfile none' \
    'pubkeyauthentication no' 'hostbasedauthentication no' 'kbdinteractiveauthentication yes'; do
    grep -qx "$want" "$H/out/sshd-T.alice"
    ok $? "sshd -T -C user=admin-alice: $want"
done
sshd_config_for root >"$H/out/sshd-T.root"
grep -qx 'pubkeyauthentication yes' "$H/out/sshd-T.root" && grep -qx 'authenticationmethods any' "$H/out/sshd-T.root"
ok $? "sshd -T -C user=root: keys and any method (root is in no eksauth group)"

ssh-keygen -q -t ed25519 -N '' -f "$H/client/planted" || bail "ssh-keygen failed"
mkdir -p "$H/keys" "$H/home/admin-alice/.ssh"
# As the user could: a key in ~/.ssh/authorized_keys and where the test's sshd_config looks.
install -m 0644 "$H/client/planted.pub" "$H/keys/admin-alice"
install -m 0600 "$H/client/planted.pub" "$H/home/admin-alice/.ssh/authorized_keys"
chown -R "$(ns getent passwd admin-alice | cut -d: -f3)" "$H/home/admin-alice/.ssh"
before=$(wc -l <"$H/out/sshd.log")
ssh $(SSH_OPTS) $AS_BASTION -i "$H/client/planted" -o IdentitiesOnly=yes -o BatchMode=yes \
    admin-alice@127.0.0.1 'id -un' >"$H/out/planted.out" 2>"$H/out/planted.err" </dev/null
rc=$?
is "$rc:$(cat "$H/out/planted.out")" "255:" "a key planted in admin-alice's authorized_keys: refused"
like "$(cat "$H/out/planted.err")" "Permission denied \(keyboard-interactive\)" \
    "... sshd offers eksauth users keyboard-interactive alone"
# (once sshd logged the connection's end: a publickey line would come before it)
sshd_log_has "$before" "Connection closed by authenticating user admin-alice "
tail -n +"$((before + 1))" "$H/out/sshd.log" | grep -q 'publickey for admin-alice'
ok $((!$?)) "... and never looks at the key (no publickey line for admin-alice in sshd's log)"
install -m 0644 "$H/client/planted.pub" "$H/keys/root"
ssh $(SSH_OPTS) $AS_BASTION -i "$H/client/planted" -o IdentitiesOnly=yes -o BatchMode=yes \
    root@127.0.0.1 'id -u' >"$H/out/breakglass.out" 2>"$H/out/breakglass.err" </dev/null
is "$?:$(cat "$H/out/breakglass.out")" "0:0" "the break-glass root logs in with its key"
rm -f "$H/keys/root" "$H/keys/admin-alice"

# ----------------------------------- 3. a hostile ~/.pam_environment
# Debian's sshd stack reads it (pam_env user_readenv=1) before pam_eksauth's session line.
grep -n 'pam_env.so\|pam_eksauth' "$H/ns/pam.d/sshd" | grep '^[0-9]*:session' >"$H/out/session-order"
like "$(tail -n 1 "$H/out/session-order")" "pam_eksauth.so" \
    "in setup's stack pam_eksauth's session line comes after every pam_env line"
uid=$(ns getent passwd admin-alice | cut -d: -f3)
hostile() {
    printf '%s\n' "$@" >"$H/home/admin-alice/.pam_environment"
    chown "$uid" "$H/home/admin-alice/.pam_environment"
}
hostile 'EKS_USERNAME DEFAULT=evil' 'EKS_GROUPS DEFAULT=system:masters' \
    'EKS_ARN DEFAULT=arn:aws:iam::999999999999:role/evil' 'EKS_SESSION_NAME DEFAULT=evil' \
    'PAM_ENV_CANARY DEFAULT=read'
login env1 admin-alice 'echo "$PAM_ENV_CANARY|$EKS_USERNAME|$EKS_GROUPS|$EKS_ARN|$EKS_SESSION_NAME"' \
    "$(with_token alice)"
is "$rc:$(out env1)" "0:read|admin:alice|system:masters|arn:aws:sts::111122223333:assumed-role/eks-admins/alice|alice" \
    "a hostile ~/.pam_environment: pam_env read it (its canary), yet every EKS_* is the module's"
hostile 'EKS_USERNAME DEFAULT=admin:alice' 'EKS_SESSION_NAME DEFAULT=mallory' \
    'EKS_ARN DEFAULT=arn:aws:iam::999999999999:role/evil'
login env2 admin-alice 'echo "$EKS_USERNAME|$EKS_SESSION_NAME|$EKS_ARN"' "$(with_token alice)"
is "$rc:$(out env2)" "0:admin:alice|alice|arn:aws:sts::111122223333:assumed-role/eks-admins/alice" \
    "the right k8s user in the file, a forged session name and ARN: still the module's"
# pam-auth-update's order: pam_eksauth's session line in common-session, before
# Debian's pam_env lines.  sshd calls setcred in the session's own process after
# the session stack, and pam_eksauth sets EKS_* there again.
cp "$H/ns/pam.d/sshd" "$H/pam.d-sshd.setup"
grep -v "^session optional $PAM_MODULE " "$H/pam.d-sshd.setup" |
    sed "s|^@include common-session\$|&\nsession optional $PAM_MODULE config=$CONF|" >"$H/ns/pam.d/sshd"
grep -n 'pam_env.so\|pam_eksauth' "$H/ns/pam.d/sshd" | grep '^[0-9]*:session' >"$H/out/session-order2"
like "$(head -n 1 "$H/out/session-order2")" "pam_eksauth.so" "the other order: pam_eksauth's session line before pam_env"
hostile 'EKS_USERNAME DEFAULT=evil' 'EKS_ARN DEFAULT=arn:aws:iam::999999999999:role/evil' \
    'PAM_ENV_CANARY DEFAULT=read'
login env3 admin-alice 'echo "$PAM_ENV_CANARY|$EKS_USERNAME|$EKS_ARN"' "$(with_token alice)"
is "$rc:$(out env3)" "0:read|admin:alice|arn:aws:sts::111122223333:assumed-role/eks-admins/alice" \
    "pam_env after pam_eksauth in the session: sshd's session still gets the module's EKS_* (setcred)"
ns "$EKSAUTH" --config "$CONF" doctor --json >"$H/out/doctor-order.json" 2>&1
python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] == "pam" and f["level"] == "error":
        print(f["problem"])' "$H/out/doctor-order.json" >"$H/out/doctor-order.pam"
like "$(cat "$H/out/doctor-order.pam")" "session: pam_env with user_readenv=1 runs after pam_eksauth" \
    "doctor: that order is an error all the same (programs that call setcred before the session)"
cp "$H/pam.d-sshd.setup" "$H/ns/pam.d/sshd"
rm -f "$H/home/admin-alice/.pam_environment"

# --------------------------------------------------- 4. eksauth doctor here
# doctor_sshd NAME: eksauth doctor --json in the namespace; its sshd findings, one a line.
doctor_sshd() {
    ns "$EKSAUTH" --config "$CONF" doctor --json >"$H/out/$1.json" 2>"$H/out/$1.err"
    python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] == "sshd":
        print("level=%s %s: %s" % (f["level"], f["where"], f["problem"]))' "$H/out/$1.json"
}
doctor_sshd doctor-ok >"$H/out/doctor-ok.sshd"
like "$(cat "$H/out/doctor-ok.sshd")" "level=ok .*sshd -T -C user=admin-alice.*keyboard-interactive only, no key" \
    "doctor: the effective config of an eksauth user (sshd -T) allows keyboard-interactive only"
unlike "$(cat "$H/out/doctor-ok.sshd")" "level=error" "doctor: no sshd error with setup's drop-in"
python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] in ("pam", "sudoers") and f["level"] != "info":
        print("level=%s %s" % (f["level"], f["problem"]))' "$H/out/doctor-ok.json" >"$H/out/doctor-ok.rest"
unlike "$(cat "$H/out/doctor-ok.rest")" "level=(error|warning)" "doctor: no pam or sudoers problem in setup's files"
like "$(cat "$H/out/doctor-ok.rest")" "level=ok account: .*a token in every login" "doctor: the account line requires a token"
like "$(cat "$H/out/doctor-ok.rest")" "level=ok Set group_source dynamic" "doctor: sudo asks NSS for the groups"
cp "$R/etc/ssh/sshd_config.d/40-eksauth.conf" "$H/dropin.setup"
sed '/^Match /,$d' "$H/dropin.setup" >"$R/etc/ssh/sshd_config.d/40-eksauth.conf"
doctor_sshd doctor-nomatch >"$H/out/doctor-nomatch.sshd"
like "$(cat "$H/out/doctor-nomatch.sshd")" "level=error .*sshd -T -C user=admin-alice.*could log in by a key" \
    "doctor: without the Match block, an error: an eksauth user could log in by a key (sshd -T)"
cp "$H/dropin.setup" "$R/etc/ssh/sshd_config.d/40-eksauth.conf"

# ------------------------------ 5. a group taken from a role, session open
# dave's role has system:masters (aws-auth-sudo.yaml); the session runs sudo
# when the test says (the files $H/go.N), then puts aws-auth.yaml back (dave
# keeps oncall, alice keeps system:masters) and syncs.
rm -f "$H"/go.*
login revoke dave "waitfor() { i=0; while [ ! -e \$1 ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; };
    id -Gn; sudo -n true; echo \"before=\$?\";
    waitfor $H/go.1; sudo -n true; echo \"stock=\$?\";
    waitfor $H/go.2; id -Gn; sudo -n true; echo \"dynamic=\$?\"" "$(with_token dave)" &
revoke_pid=$!
session_waits revoke '^before='
like "$(out revoke | sed -n 1p)" "(^| )eks-system-masters( |$)" "dave's session: eks-system-masters among its groups"
is "$(out revoke | grep '^before=')" "before=0" "dave's open session: sudo -n true is allowed (%eks-system-masters)"
install -m 0644 "$E2E_FIX/aws-auth.yaml" "$H/etc/aws-auth.yaml"
e2e_sync
ok $? "system:masters taken from dave's role (alice keeps it), eksauth sync"
like "$(ns id -Gn dave)" "^eks-users eks-oncall$" \
    "NSS: dave's groups without eks-system-masters now"
ns getent group eks-system-masters >/dev/null
ok $? "... and the group itself stays (admin-alice is in it)"
# sudo's own group source first: the group list the kernel fixed at login.
cp "$H/sudo.conf.stock" "$H/ns/sudo.conf"
touch "$H/go.1"
session_waits revoke '^stock='
is "$(out revoke | grep '^stock=')" "stock=0" \
    "without group_source dynamic the same session keeps its sudo (the groups fixed at login)"
cp "$R/etc/sudo.conf" "$H/ns/sudo.conf"
touch "$H/go.2"
wait "$revoke_pid"
like "$(out revoke | sed -n 4p)" "(^| )eks-system-masters( |$)" "the session's own group list still names eks-system-masters"
like "$(out revoke | grep '^dynamic=')" "^dynamic=[1-9]" \
    "with setup's Set group_source dynamic: sudo -n true in the same open session is refused"
like "$(cat "$H/out/revoke.err")" "sudo: (a password is required|.*not in the sudoers)" \
    "sudo says why ($(grep -m1 '^sudo:' "$H/out/revoke.err"))"

# --------------------------------------------- 6. secrets and the host
e2e_stopped_all
no_secret_in "$H"/out/*
ok $? "no token, piece of one or secret in any log or output ($(ls "$H/out" | wc -l) files)"
e2e_host_unchanged
ok $? "the host is as it was: /etc (pam.d, nsswitch, sudoers, sudo.conf, ssh), /run/sshd, /dev/log, mounts"

done_testing
