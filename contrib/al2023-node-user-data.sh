#!/bin/bash
# al2023-node-user-data.sh - the shell part of the user data of an Amazon EKS
# node on Amazon Linux 2023 that takes eksauth logins: it installs the
# eksauth RPM, writes /etc/eksauth/eksauth.conf, checks with `eksauth whoami`
# that this instance's IAM role is mapped in the cluster, runs the first sync
# with that role and keeps syncing, and only then turns on the PAM lines and
# sshd settings that let eksauth users log in.  docs/al2023.md explains each
# step; nothing here prints a credential.
#
# An AL2023 node's user data is a MIME multi-part document: nodeadm reads the
# NodeConfig part, cloud-init runs this script as a text/x-shellscript part.
#
#   MIME-Version: 1.0
#   Content-Type: multipart/mixed; boundary="BOUNDARY"
#
#   --BOUNDARY
#   Content-Type: application/node.eks.aws
#
#   ---
#   apiVersion: node.eks.aws/v1alpha1
#   kind: NodeConfig
#   spec:
#     cluster:
#       name: prod
#       apiServerEndpoint: https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
#       certificateAuthority: LS0tLS1CRUdJTi...
#       cidr: 10.100.0.0/16
#
#   --BOUNDARY
#   Content-Type: text/x-shellscript; charset="us-ascii"
#
#   #!/bin/bash
#   ... this file, with the settings below filled in ...
#
#   --BOUNDARY--
#
# When it runs: the EKS AMI's nodeadm-config.service applies the NodeConfig
# before cloud-init starts (it writes the cluster's CA to
# /etc/kubernetes/pki/ca.crt); cloud-init's final stage runs this script;
# nodeadm-run.service starts kubelet after that.  sshd is up from early boot,
# but an eksauth user cannot log in before this script's last step: the PAM
# lines and the sshd drop-in are written only once the node's own mapping and
# the first sync have succeeded.  Any failure stops here with eksauth logins
# off (exit status non-zero, the reason in /var/log/cloud-init-output.log);
# the node still joins the cluster, and its key pair or SSM still reach it.
#
# The instance role needs read access to the aws-auth ConfigMap (source =
# kubernetes; see eksauth.conf(5), CLUSTER SOURCES) or eks:ListAccessEntries
# and eks:DescribeAccessEntry (source = eks-api), and must be mapped itself
# (node groups' roles are: system:node:{{EC2PrivateDNSName}}).
set -euo pipefail

# --- settings: fill in (or export before running) -----------------------------
# The cluster, as in the NodeConfig part: spec.cluster.name and .apiServerEndpoint.
CLUSTER_NAME=${CLUSTER_NAME:-}
API_SERVER_ENDPOINT=${API_SERVER_ENDPOINT:-}
# spec.cluster.certificateAuthority (base64); empty: the file nodeadm wrote.
CERTIFICATE_AUTHORITY=${CERTIFICATE_AUTHORITY:-}
# Empty: this instance's region, from instance metadata.
REGION=${REGION:-}
# Where aws-auth comes from: kubernetes, eks-api or kubernetes+eks-api.
EKSAUTH_SOURCE=${EKSAUTH_SOURCE:-kubernetes}
# The eksauth RPM: an https URL and its SHA-256 (both, checked before dnf
# sees the file), or empty to install "eksauth" from a dnf repository the
# node already has.
EKSAUTH_RPM_URL=${EKSAUTH_RPM_URL:-}
EKSAUTH_RPM_SHA256=${EKSAUTH_RPM_SHA256:-}
# watch (eksauth-watch.service: aws-auth changes within a second) or timer
# (eksauth-sync.timer: every minute).
EKSAUTH_SYNC=${EKSAUTH_SYNC:-watch}
# yes: also ask for a token at sudo (/etc/pam.d/sudo); no: sudo rules with
# NOPASSWD for the mapped groups need none.
EKSAUTH_SUDO_PAM=${EKSAUTH_SUDO_PAM:-no}
# -------------------------------------------------------------------------------

NODEADM_CA=/etc/kubernetes/pki/ca.crt
SSHD_DROPIN=/etc/ssh/sshd_config.d/40-eksauth.conf

say() { echo "eksauth-user-data: $*"; }
die() {
    echo "eksauth-user-data: $*" >&2
    echo "eksauth-user-data: stopped; eksauth logins stay off" >&2
    exit 1
}

# replace_file FILE: put FILE.eksauth-new (already written) in FILE's place
# with FILE's owner and mode, or root's and 0644 for a new file.
replace_file() {
    local file=$1
    if [ -e "$file" ]; then
        chown --reference="$file" "$file.eksauth-new"
        chmod --reference="$file" "$file.eksauth-new"
    else
        chown root:root "$file.eksauth-new"
        chmod 0644 "$file.eksauth-new"
    fi
    mv -f "$file.eksauth-new" "$file"
    # The new file's SELinux label is its folder's default; make it the
    # policy's for that path.
    if command -v restorecon >/dev/null 2>&1; then restorecon "$file" || true; fi
}

# pam_add FILE ANCHOR LINE [ANCHOR LINE]...: each LINE goes right before the
# first line of FILE that matches its ANCHOR (an awk regular expression), in
# one rename.  A FILE that names pam_eksauth.so already is left as it is; an
# ANCHOR that matches nothing stops everything (an unknown layout: the lines
# are then the operator's to place, docs/al2023.md).
pam_add() {
    local file=$1 work
    shift
    [ -f "$file" ] || die "$file: not found"
    if grep -q 'pam_eksauth\.so' "$file"; then
        say "$file names pam_eksauth.so already: left as it is"
        return 0
    fi
    work="$file.eksauth-new"
    cp "$file" "$work"
    while [ $# -ge 2 ]; do
        if ! awk -v anchor="$1" -v add="$2" '
            !added && $0 ~ anchor { print add; added = 1 }
            { print }
            END { exit !added }' "$work" >"$work.next"; then
            rm -f "$work" "$work.next"
            die "$file: no line matches /$1/: add the eksauth lines by hand (docs/al2023.md)"
        fi
        mv -f "$work.next" "$work"
        shift 2
    done
    replace_file "$file"
    say "$file: pam_eksauth lines added"
}

# imds PATH: an instance metadata value (IMDSv2).
imds() {
    local token
    token=$(curl -fsS -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
        http://169.254.169.254/latest/api/token) || return 1
    curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

[ "$(id -u)" = 0 ] || die "run as root (cloud-init runs user data as root)"
[ -n "$CLUSTER_NAME" ] || die "CLUSTER_NAME is empty: set it to the NodeConfig's spec.cluster.name"
case $EKSAUTH_SOURCE in
kubernetes | kubernetes+eks-api)
    case $API_SERVER_ENDPOINT in
    https://*) ;;
    *) die "API_SERVER_ENDPOINT must be the cluster's https:// endpoint (spec.cluster.apiServerEndpoint)" ;;
    esac
    [ -n "$CERTIFICATE_AUTHORITY" ] || [ -s "$NODEADM_CA" ] ||
        die "CERTIFICATE_AUTHORITY is empty and nodeadm wrote no $NODEADM_CA" ;;
eks-api) ;;
*) die "EKSAUTH_SOURCE must be kubernetes, eks-api or kubernetes+eks-api" ;;
esac
case $EKSAUTH_SYNC in watch | timer) ;; *) die "EKSAUTH_SYNC must be watch or timer" ;; esac
case $EKSAUTH_SUDO_PAM in yes | no) ;; *) die "EKSAUTH_SUDO_PAM must be yes or no" ;; esac
if [ -z "$REGION" ]; then
    REGION=$(imds placement/region) || die "no REGION set and instance metadata did not answer"
fi

# --- 1. install ------------------------------------------------------------------
if [ -n "$EKSAUTH_RPM_URL" ]; then
    case $EKSAUTH_RPM_URL in https://*) ;; *) die "EKSAUTH_RPM_URL must be https://" ;; esac
    [[ $EKSAUTH_RPM_SHA256 =~ ^[0-9a-f]{64}$ ]] ||
        die "EKSAUTH_RPM_SHA256 must be the RPM's SHA-256 (64 hex digits) when EKSAUTH_RPM_URL is set"
    rpmdir=$(mktemp -d /var/tmp/eksauth-rpm.XXXXXX)
    trap 'rm -rf "$rpmdir"' EXIT
    rpm_file="$rpmdir/eksauth.rpm"
    curl -fsS --proto '=https' --retry 3 -o "$rpm_file" "$EKSAUTH_RPM_URL" ||
        die "$EKSAUTH_RPM_URL: download failed"
    # The checksum is what makes a URL safe to install from: dnf never sees
    # a file that is not the one named here.
    echo "$EKSAUTH_RPM_SHA256  $rpm_file" | sha256sum -c --quiet - ||
        die "$EKSAUTH_RPM_URL: SHA-256 is not EKSAUTH_RPM_SHA256: not installed"
    dnf install -y "$rpm_file" || die "dnf install $rpm_file failed"
else
    dnf install -y eksauth || die "dnf install eksauth failed (no repository has it? set EKSAUTH_RPM_URL)"
fi
command -v eksauth >/dev/null 2>&1 || die "eksauth is not on PATH after the install"

# --- 2. the configuration (root's, 0644: eksauth refuses anything looser) -------
conf=/etc/eksauth/eksauth.conf
install -d -m 0755 -o root -g root /etc/eksauth
{
    echo "# written by al2023-node-user-data.sh"
    echo "cluster_id = $CLUSTER_NAME"
    echo "cluster_name = $CLUSTER_NAME"
    echo "region = $REGION"
    echo "source = $EKSAUTH_SOURCE"
    if [ -n "$API_SERVER_ENDPOINT" ]; then echo "cluster_endpoint = $API_SERVER_ENDPOINT"; fi
    if [ -n "$CERTIFICATE_AUTHORITY" ]; then
        echo "cluster_ca_data = $CERTIFICATE_AUTHORITY"
    elif [ -s "$NODEADM_CA" ]; then
        echo "cluster_ca_file = $NODEADM_CA"
    fi
} >"$conf.eksauth-new"
replace_file "$conf"
chown root:root "$conf"
chmod 0644 "$conf"

# --- 3. this node's own identity, the way a login goes: STS, then aws-auth -------
rc=0
whoami_json=$(eksauth whoami) || rc=$?
case $rc in
0) ;;
3) die "this instance's IAM role is not mapped in $CLUSTER_NAME: add it to aws-auth or as an access entry" ;;
4) die "STS or the cluster did not answer eksauth whoami (network, endpoints, region $REGION)" ;;
*) die "eksauth whoami failed (exit $rc): see the line above" ;;
esac
username=$(printf '%s' "$whoami_json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["username"])') ||
    die "eksauth whoami printed no username"
say "this node maps to $username in $CLUSTER_NAME"

# --- 4. the first identity DB, then keep it current --------------------------------
eksauth sync || die "the first eksauth sync failed: see the lines above"
if [ "$EKSAUTH_SYNC" = timer ]; then
    systemctl enable --now eksauth-sync.timer || die "cannot start eksauth-sync.timer"
else
    systemctl enable --now eksauth-watch.service || die "cannot start eksauth-watch.service"
fi

# --- 5. sshd: keyboard-interactive passes the 1.5-2.5 KB tokens ---------------------
# sshd keeps the first value it reads: 40- comes before AL2023's 50-redhat.conf.
# Every eksauth login is in eks-users (users_group, eksauth.conf(5)): keyboard-
# interactive only, no key or host-based login; ec2-user and root keep their keys.
cat >"$SSHD_DROPIN.eksauth-new" <<'EOF'
# eksauth (al2023-node-user-data.sh): tokens arrive as keyboard-interactive
# answers, which PAM checks.
UsePAM yes
KbdInteractiveAuthentication yes

# eksauth logins: a token every time, nothing else stands in for one.  A
# Match block lasts to the end of its file: keep it last.
Match Group eks-users
    AuthenticationMethods keyboard-interactive
    AuthorizedKeysFile none
    PubkeyAuthentication no
    HostbasedAuthentication no
EOF
replace_file "$SSHD_DROPIN"
sshd_settings=$(sshd -T 2>&1) || {
    rm -f "$SSHD_DROPIN"
    die "sshd -T refuses the configuration with $SSHD_DROPIN: $sshd_settings"
}
for want in 'usepam yes' 'kbdinteractiveauthentication yes'; do
    grep -qix "$want" <<<"$sshd_settings" || {
        rm -f "$SSHD_DROPIN"
        die "sshd does not end up with '$want' (is $SSHD_DROPIN included, and first?)"
    }
done

# --- 6. PAM: the lines survive the module's removal (module_unknown=ignore) -------
# With ignore_unknown_user, users eksauth does not serve (root, ec2-user, local
# accounts) go on to password-auth untouched, without a token prompt.
eksauth_auth='auth       [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user'
# require_token=sshd: an eksauth user passes sshd's account stage only after a token.
eksauth_account='account    [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user require_token=sshd'
pam_add /etc/pam.d/sshd \
    '^[ \t]*auth[ \t]+(substack|include)[ \t]+password-auth' "$eksauth_auth" \
    '^[ \t]*account[ \t]+(substack|include)[ \t]+password-auth' "$eksauth_account" \
    '^[ \t]*session[ \t]+(substack|include)[ \t]+password-auth' 'session    optional     pam_eksauth.so
session    optional     pam_mkhomedir.so umask=0077'
if [ "$EKSAUTH_SUDO_PAM" = yes ]; then
    pam_add /etc/pam.d/sudo \
        '^[ \t]*auth[ \t]+(substack|include)[ \t]+system-auth' "$eksauth_auth" \
        '^[ \t]*account[ \t]+(substack|include)[ \t]+system-auth' \
        'account    [success=ok ignore=ignore module_unknown=ignore default=bad] pam_eksauth.so ignore_unknown_user'
fi
# sudo asks NSS for the groups at every use: a group taken from a role loses its
# sudo at the next sync in sessions already open too.  A group_source of the
# operator's is left as it is.
if [ -f /etc/sudo.conf ] && ! grep -qiE '^[[:blank:]]*Set[[:blank:]]+group_source[[:blank:]]' /etc/sudo.conf; then
    { cat /etc/sudo.conf; printf '# eksauth (al2023-node-user-data.sh)\nSet group_source dynamic\n'; } \
        >/etc/sudo.conf.eksauth-new
    replace_file /etc/sudo.conf
fi
if systemctl is-active --quiet sshd; then
    systemctl reload sshd || die "systemctl reload sshd failed"
fi
say "eksauth logins are on for $CLUSTER_NAME ($EKSAUTH_SOURCE, sync by $EKSAUTH_SYNC)"
