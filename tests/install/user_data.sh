#!/bin/sh
# user_data.sh - contrib/al2023-node-user-data.sh, the shell part of an Amazon
# Linux 2023 node's user data (issue 21):
#  - bash -n and shellcheck;
#  - run for real, as root, in a private mount namespace where /etc is an
#    overlay of this machine's (writes land in the temp folder) holding PAM
#    files in AL2023's layout, with stand-ins for what a node has and this
#    machine has not (dnf, eksauth's calls to AWS, systemctl, sshd -T, curl
#    for instance metadata and the download): the config, the sshd drop-in
#    and the PAM lines land where docs/al2023.md says, once and in that order;
#    each failure (role not mapped, wrong checksum, sshd not taking the
#    drop-in, an unknown PAM layout, no cluster name) stops it with eksauth
#    logins off and the PAM files as they were;
#  - the sshd drop-in it writes, through the real sshd -T behind AL2023's
#    50-redhat.conf, for an eksauth login and a local account;
#  - the PAM lines it writes, with the module missing, through the real
#    libpam (pamtester): they lock nobody out, and the same line without
#    module_unknown=ignore would.
# TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"
# ok that fails like the check it reports, so `ok $? WHAT || diag FILE` shows FILE.
ok() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; return 1; fi; }

SCRIPT="$top_srcdir/contrib/al2023-node-user-data.sh"

bash -n "$SCRIPT"
ok $? "bash -n contrib/al2023-node-user-data.sh"
command -v shellcheck >/dev/null 2>&1 || bail "shellcheck not found: run scripts/install-deps"
shellcheck "$SCRIPT" >"$T/shellcheck.out" 2>&1
ok $? "shellcheck contrib/al2023-node-user-data.sh" || diag "$T/shellcheck.out"
command -v pamtester >/dev/null 2>&1 || bail "pamtester not found: run scripts/install-deps"

# --- stand-ins, on PATH before the real commands -----------------------------
S="$T/stubs"
mkdir -p "$S"
CALLS="$T/calls"
stub() {
    printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"
    chmod 0755 "$S/$1"
}
stub dnf 'echo "dnf $*" >>"$CALLS"; exit "${STUB_DNF_RC:-0}"'
stub eksauth 'echo "eksauth $*" >>"$CALLS"
case $1 in
whoami) [ "${STUB_WHOAMI_RC:-0}" = 0 ] || exit "$STUB_WHOAMI_RC"
        echo "{\"arn\": \"arn:aws:sts::111122223333:assumed-role/node/i-0abc\", \"username\": \"system:node:ip-10-0-0-1.eu-west-1.compute.internal\", \"login\": null}" ;;
esac'
stub systemctl 'echo "systemctl $*" >>"$CALLS"'
# sshd -T: what sshd would end up with; STUB_SSHD_IGNORES=1: the drop-in is not read.
stub sshd 'echo "sshd $*" >>"$CALLS"
kbd=no
[ -f /etc/ssh/sshd_config.d/40-eksauth.conf ] && [ -z "${STUB_SSHD_IGNORES:-}" ] && kbd=yes
printf "port 22\nusepam yes\nkbdinteractiveauthentication %s\n" "$kbd"'
# curl: IMDSv2 (a token, then the region) and the download (-o FILE).
stub curl 'out=
for a; do case $a in */api/token) echo token; exit 0 ;; */placement/region) echo eu-west-1; exit 0 ;; esac; done
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
echo "curl -o" >>"$CALLS"
cp "$FAKE_RPM" "$out"'
FAKE_RPM="$T/fake.rpm"
printf 'not really an rpm\n' >"$FAKE_RPM"
SHA=$(sha256sum "$FAKE_RPM" | cut -d' ' -f1)
export CALLS FAKE_RPM

# --- AL2023's PAM layout (Fedora's openssh-server and sudo files, written here) ---
mkdir -p "$T/pam"
cat >"$T/pam/sshd" <<'EOF'
#%PAM-1.0
auth       substack     password-auth
auth       include      postlogin
account    required     pam_sepermit.so
account    required     pam_nologin.so
account    include      password-auth
password   include      password-auth
session    required     pam_selinux.so close
session    required     pam_loginuid.so
session    required     pam_selinux.so open env_params
session    required     pam_namespace.so
session    optional     pam_keyinit.so force revoke
session    optional     pam_motd.so
session    include      password-auth
session    include      postlogin
EOF
cat >"$T/pam/sudo" <<'EOF'
#%PAM-1.0
auth       include      system-auth
account    include      system-auth
password   include      system-auth
session    optional     pam_keyinit.so revoke
session    required     pam_limits.so
session    include      system-auth
EOF

UP="$T/etc-up"
# fresh_etc: /etc as this machine has it, but AL2023's pam.d/sshd and sudo.
fresh_etc() {
    rm -rf "$UP" "$T/etc-work"
    mkdir -p "$UP/pam.d" "$UP/ssh/sshd_config.d" "$T/etc-work"
    cp "$T/pam/sshd" "$T/pam/sudo" "$UP/pam.d/"
    : >"$CALLS"
}
# user_data [VAR=VALUE]...: run the script in the namespace with the settings.
user_data() {
    unshare --mount --propagation private sh -c '
        mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc || exit 97
        shift 2
        exec env PATH="$0:$PATH" "$@"' "$S" "$UP" "$T/etc-work" \
        CLUSTER_NAME=prod API_SERVER_ENDPOINT=https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com \
        CERTIFICATE_AUTHORITY=LS0tdGVzdA== EKSAUTH_RPM_URL=https://artifacts.example.com/eksauth.rpm \
        EKSAUTH_RPM_SHA256="$SHA" "$@" bash "$SCRIPT" >"$T/out" 2>&1
}
# eksauth_lines FILE: the lines that name pam_eksauth.so; others_of FILE: the rest.
eksauth_lines() { grep 'pam_eksauth\.so' "$1"; }
others_of() { grep -v 'pam_eksauth\.so' "$1" | grep -v 'pam_mkhomedir\.so'; }
# before FILE PATTERN ANCHOR: the line after the one matching PATTERN matches ANCHOR.
before() { awk -v p="$2" -v a="$3" 'found { checked = 1; exit !($0 ~ a) } $0 ~ p { found = 1 } END { if (!checked) exit 1 }' "$1"; }
leftovers() { find "$UP" /var/tmp -maxdepth 3 \( -name '*.eksauth-new*' -o -name 'eksauth-rpm.*' \) 2>/dev/null; }

# --- the path a node takes --------------------------------------------------
fresh_etc
user_data
ok $? "the user data runs to the end" || diag "$T/out"
grep -q 'eksauth logins are on for prod' "$T/out"
ok $? "... and says eksauth logins are on"
grep -q 'maps to system:node:ip-10-0-0-1' "$T/out"
ok $? "it prints the node's own mapping from eksauth whoami"
is "$(cut -d' ' -f1-2 "$CALLS" | paste -sd, -)" \
    "curl -o,dnf install,eksauth whoami,eksauth sync,systemctl enable,sshd -T,systemctl is-active,systemctl reload" \
    "order: download, install, whoami, sync, the watch service, sshd -T, then sshd reload"
grep -qx 'dnf install -y /var/tmp/eksauth-rpm\.[A-Za-z0-9]*/eksauth\.rpm' "$CALLS"
ok $? "dnf installs the downloaded RPM"
grep -qx 'systemctl enable --now eksauth-watch.service' "$CALLS"
ok $? "eksauth-watch.service is enabled and started"
C="$UP/eksauth/eksauth.conf"
is "$(grep -v '^#' "$C")" "cluster_id = prod
cluster_name = prod
region = eu-west-1
source = kubernetes
cluster_endpoint = https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
cluster_ca_data = LS0tdGVzdA==" "eksauth.conf: the cluster, the region from instance metadata, the source"
is "$(stat -c '%a %U' "$C")" "644 root" "eksauth.conf is 0644, root's"
grep -qx 'KbdInteractiveAuthentication yes' "$UP/ssh/sshd_config.d/40-eksauth.conf"
ok $? "the sshd drop-in turns on keyboard-interactive"
P="$UP/pam.d/sshd"
others_of "$P" | cmp -s - "$T/pam/sshd"
ok $? "pam.d/sshd: every line of AL2023's file kept, in order"
is "$(eksauth_lines "$P" | wc -l)" 3 "pam.d/sshd: three pam_eksauth lines"
before "$P" '^auth .*pam_eksauth\.so ignore_unknown_user$' '^auth +substack +password-auth$'
ok $? "the auth line comes right before 'auth substack password-auth'"
before "$P" '^account .*pam_eksauth\.so ignore_unknown_user require_token=sshd$' '^account +include +password-auth$'
ok $? "the account line (require_token=sshd) comes right before 'account include password-auth' (after pam_nologin)"
grep -q '^Match Group eks-users$' "$UP/ssh/sshd_config.d/40-eksauth.conf" &&
    grep -qx '    AuthorizedKeysFile none' "$UP/ssh/sshd_config.d/40-eksauth.conf"
ok $? "the sshd drop-in keeps eksauth logins (Match Group eks-users) to keyboard-interactive, no keys"
# The drop-in through the real sshd (-T: what it ends up with for a
# connection), behind AL2023's own 50-redhat.conf, which turns
# keyboard-interactive off: an eksauth login (a member of eks-users) gets
# keyboard-interactive alone and no keys, a local account keeps its keys.
# The accounts (and /run/sshd) exist only in a private mount namespace.
sshd_T() { # DIR USER: sshd -T with DIR's drop-ins, for USER
    unshare --mount --propagation private sh -c '
        mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group &&
            mount --bind "$1/run" /run || exit 97
        /usr/sbin/sshd -T -f "$2/sshd_config" -C "user=$3,host=laptop,addr=192.0.2.7"' \
        sh "$T/accounts" "$1" "$2" 2>&1
}
[ -x /usr/sbin/sshd ] || bail "sshd not found: run scripts/install-deps"
mkdir -p "$T/accounts/run/sshd" "$T/real-sshd/sshd_config.d" # /run/sshd: sshd's own folder
cat /etc/passwd >"$T/accounts/passwd"
echo "eksalice:x:1900000001:1900000002::/home/eksalice:/bin/bash" >>"$T/accounts/passwd"
cat /etc/group >"$T/accounts/group"
echo "eks-users:x:1900000002:eksalice" >>"$T/accounts/group"
ssh-keygen -q -t ed25519 -N '' -f "$T/real-sshd/hostkey"
printf 'Include %s/sshd_config.d/*.conf\nHostKey %s/hostkey\n' "$T/real-sshd" "$T/real-sshd" \
    >"$T/real-sshd/sshd_config"
printf 'KbdInteractiveAuthentication no\nChallengeResponseAuthentication no\nUsePAM yes\n' \
    >"$T/real-sshd/sshd_config.d/50-redhat.conf"
cp "$UP/ssh/sshd_config.d/40-eksauth.conf" "$T/real-sshd/sshd_config.d/"
sshd_T "$T/real-sshd" eksalice >"$T/sshd-T.eks"
grep -qx 'kbdinteractiveauthentication yes' "$T/sshd-T.eks" &&
    grep -qx 'authenticationmethods keyboard-interactive' "$T/sshd-T.eks" &&
    grep -qx 'pubkeyauthentication no' "$T/sshd-T.eks" &&
    grep -qx 'authorizedkeysfile none' "$T/sshd-T.eks" &&
    grep -qx 'usepam yes' "$T/sshd-T.eks"
ok $? "real sshd -T, behind 50-redhat.conf: an eksauth login gets keyboard-interactive alone, no keys" ||
    diag "$T/sshd-T.eks"
sshd_T "$T/real-sshd" root >"$T/sshd-T.root"
grep -qx 'pubkeyauthentication yes' "$T/sshd-T.root" && grep -qx 'authenticationmethods any' "$T/sshd-T.root"
ok $? "... and a local account (root) keeps its keys" || diag "$T/sshd-T.root"
# The control: the same file named to sort after 50-redhat.conf loses.
mv "$T/real-sshd/sshd_config.d/40-eksauth.conf" "$T/real-sshd/sshd_config.d/60-eksauth.conf"
sshd_T "$T/real-sshd" eksalice >"$T/sshd-T.late"
grep -qx 'kbdinteractiveauthentication no' "$T/sshd-T.late"
ok $? "... while the same drop-in read after 50-redhat.conf would leave keyboard-interactive off" ||
    diag "$T/sshd-T.late"
grep -qx 'Set group_source dynamic' "$UP/sudo.conf"
ok $? "sudo.conf: Set group_source dynamic"
before "$P" '^session +optional +pam_mkhomedir\.so' '^session +include +password-auth$'
ok $? "the session lines come right before 'session include password-auth'"
eksauth_lines "$P" | grep -Ev -e 'module_unknown=ignore' -e '^session +optional ' | grep -q .
ok $((!$?)) "every pam_eksauth line survives a missing module (module_unknown=ignore or optional)"
cmp -s "$UP/pam.d/sudo" "$T/pam/sudo"
ok $? "pam.d/sudo untouched (EKSAUTH_SUDO_PAM=no)"
is "$(leftovers)" "" "no temporary file left in /etc or /var/tmp"

cp "$P" "$T/sshd.after"
: >"$CALLS"
user_data EKSAUTH_SUDO_PAM=yes EKSAUTH_SYNC=timer
ok $? "a second run (sudo too, the timer) runs to the end" || diag "$T/out"
cmp -s "$P" "$T/sshd.after"
ok $? "... and leaves pam.d/sshd as the first run left it"
grep -qx 'systemctl enable --now eksauth-sync.timer' "$CALLS"
ok $? "EKSAUTH_SYNC=timer enables eksauth-sync.timer"
others_of "$UP/pam.d/sudo" | cmp -s - "$T/pam/sudo"
ok $? "pam.d/sudo: every line of AL2023's file kept"
before "$UP/pam.d/sudo" '^auth .*pam_eksauth\.so' '^auth +include +system-auth$' &&
    before "$UP/pam.d/sudo" '^account .*module_unknown=ignore.*pam_eksauth\.so' '^account +include +system-auth$'
ok $? "pam.d/sudo: the auth and account lines right before the system-auth includes"

# --- each failure: eksauth logins stay off ----------------------------------
# fails NAME GREP [VAR=VALUE]...: the run fails, says GREP, and leaves the
# PAM files and sshd settings as they were.
fails() {
    name=$1 says=$2
    shift 2
    fresh_etc
    user_data "$@"
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 97 ]
    ok $? "$name: the user data stops" || diag "$T/out"
    grep -q -- "$says" "$T/out" && grep -q 'eksauth logins stay off' "$T/out"
    ok $? "$name: it says why ($says)" || diag "$T/out"
    cmp -s "$UP/pam.d/sshd" "$T/pam/sshd" && cmp -s "$UP/pam.d/sudo" "$T/pam/sudo" &&
        [ ! -e "$UP/ssh/sshd_config.d/40-eksauth.conf" ] && [ -z "$(leftovers)" ]
    ok $? "$name: PAM files, sshd settings as they were, nothing left behind"
}
fails "the node's role is not mapped" "not mapped in prod" STUB_WHOAMI_RC=3
grep -q 'eksauth sync' "$CALLS"
ok $((!$?)) "... and no sync ran"
fails "STS unreachable" "did not answer" STUB_WHOAMI_RC=4
fails "a download whose SHA-256 differs" "SHA-256 is not" \
    EKSAUTH_RPM_SHA256=0000000000000000000000000000000000000000000000000000000000000000
grep -q '^dnf' "$CALLS"
ok $((!$?)) "... and dnf never saw the file"
fails "an http:// URL" "must be https" EKSAUTH_RPM_URL=http://artifacts.example.com/eksauth.rpm
fails "sshd ignores the drop-in" "kbdinteractiveauthentication yes" STUB_SSHD_IGNORES=1
fails "no cluster name" "CLUSTER_NAME is empty" CLUSTER_NAME=
fails "no CA and none from nodeadm" "CERTIFICATE_AUTHORITY is empty" CERTIFICATE_AUTHORITY=
fresh_etc
printf 'auth include system-auth\naccount include system-auth\n' >"$UP/pam.d/sshd"
cp "$UP/pam.d/sshd" "$T/sshd.unknown"
user_data
[ $? -ne 0 ] && grep -q 'no line matches' "$T/out"
ok $? "an sshd PAM file in an unknown layout: stops and says so" || diag "$T/out"
cmp -s "$UP/pam.d/sshd" "$T/sshd.unknown" && [ -z "$(leftovers)" ]
ok $? "... that file untouched, no temporary file left"

# --- the real libpam: a missing module locks nobody out -----------------------
# The lines as the user data wrote them, the module at a path that does not
# exist (Linux-PAM's faulty-module path, as after `dnf remove eksauth`), then
# pam_permit for the rest of the stack.
mkdir -p "$T/pam.d"
missing=/nonexistent/eksauth-test/pam_eksauth.so
# pam_service NAME: the three eksauth lines of the sshd file written above,
# each followed by pam_permit of its type.
{
    eksauth_lines "$T/sshd.after" | sed "s|pam_eksauth\\.so|$missing|" |
        awk '{ print; print $1 "    required    pam_permit.so" }'
} >"$T/pam.d/eksauth-missing"
printf 'auth [success=done ignore=ignore default=die] %s ignore_unknown_user\nauth required pam_permit.so\n' \
    "$missing" >"$T/pam.d/eksauth-unsafe"
in_pamd() {
    unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/pam.d || exit 97; exec "$@"' \
        "$T/pam.d" "$@" >"$T/pamtester.out" 2>&1
}
in_pamd pamtester eksauth-missing root authenticate acct_mgmt open_session close_session
ok $? "with the module gone, the user data's lines let root through (authenticate, account, session)" ||
    diag "$T/pamtester.out"
in_pamd pamtester eksauth-unsafe root authenticate
ok $((!$?)) "... while [success=done ignore=ignore default=die] without module_unknown=ignore refuses everyone"

done_testing
