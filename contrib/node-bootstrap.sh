#!/bin/sh
# node-bootstrap.sh - an example of bringing a bastion or node into eksauth at boot
# (EC2 user data, or after the node's own bootstrap): install eksauth, write
# /etc/eksauth/eksauth.conf for the cluster, check with `eksauth whoami` that this
# instance's IAM role is mapped, run the first sync, then keep the identity DB
# current with eksauth-watch.service (or the eksauth-sync.timer).
#
# usage: node-bootstrap.sh --cluster-name NAME --endpoint URL --ca-data BASE64
#                          [--region R] [--cluster-id ID] [--source S] [--timer]
#                          [--package FILE.deb]
#   --cluster-name  the EKS cluster's name (also the cluster id unless --cluster-id)
#   --endpoint      its API server URL, https://...eks.amazonaws.com
#   --ca-data       its certificate-authority-data (base64, as in a kubeconfig)
#   --source        kubernetes (default), eks-api or kubernetes+eks-api
#   --timer         poll every minute (eksauth-sync.timer) instead of watching
#   --package       a local eksauth .deb to install (else apt-get install eksauth)
# Values for a cluster come from `aws eks describe-cluster --name NAME` (endpoint,
# certificateAuthority.data).  The instance role needs read access to the aws-auth
# ConfigMap (see eksauth.conf(5), CLUSTER SOURCES) and/or eks:ListAccessEntries and
# eks:DescribeAccessEntry.  Nothing here prints a credential.
set -eu

cluster_name='' cluster_id='' endpoint='' ca_data='' region='' source=kubernetes timer=no package=''
while [ $# -gt 0 ]; do
    case $1 in
    --cluster-name) cluster_name=$2; shift 2 ;;
    --cluster-id) cluster_id=$2; shift 2 ;;
    --endpoint) endpoint=$2; shift 2 ;;
    --ca-data) ca_data=$2; shift 2 ;;
    --region) region=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --timer) timer=yes; shift ;;
    --package) package=$2; shift 2 ;;
    -h | --help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "node-bootstrap: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$cluster_name" ] || { echo "node-bootstrap: --cluster-name is required" >&2; exit 2; }
case $source in
kubernetes | kubernetes+eks-api)
    case $endpoint in https://*) ;; *) echo "node-bootstrap: --endpoint https://... is required" >&2; exit 2 ;; esac
    [ -n "$ca_data" ] || { echo "node-bootstrap: --ca-data is required" >&2; exit 2; } ;;
eks-api) ;;
*) echo "node-bootstrap: --source must be kubernetes, eks-api or kubernetes+eks-api" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "node-bootstrap: run as root" >&2; exit 2; }

# 1. Install.
if ! command -v eksauth >/dev/null 2>&1; then
    if [ -n "$package" ]; then
        apt-get install -y "$package"
    else
        apt-get update && apt-get install -y eksauth
    fi
fi

# 2. Configure: root-owned, not group- or world-writable (eksauth refuses it otherwise).
install -d -m 0755 -o root -g root /etc/eksauth
conf=/etc/eksauth/eksauth.conf
tmpconf=$(mktemp /etc/eksauth/.eksauth.conf.XXXXXX)
{
    echo "# written by node-bootstrap.sh"
    echo "cluster_id = ${cluster_id:-$cluster_name}"
    echo "cluster_name = $cluster_name"
    if [ -n "$region" ]; then echo "region = $region"; fi
    echo "source = $source"
    if [ -n "$endpoint" ]; then echo "cluster_endpoint = $endpoint"; fi
    if [ -n "$ca_data" ]; then echo "cluster_ca_data = $ca_data"; fi
} >"$tmpconf"
chmod 0644 "$tmpconf"
chown root:root "$tmpconf"
mv -f "$tmpconf" "$conf"

# 3. Is this instance's role mapped?  Exit 3 means not: say what to map and stop.
rc=0
eksauth whoami >/run/eksauth-whoami.json || rc=$?
if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 3 ]; then
        echo "node-bootstrap: this instance's IAM role is not mapped in the cluster: add it to" \
            "aws-auth or as an access entry, with read access to aws-auth" >&2
    fi
    exit "$rc"
fi

# 4. The first sync, then keep following the cluster.
eksauth sync
if [ "$timer" = yes ]; then
    systemctl enable --now eksauth-sync.timer
else
    systemctl enable --now eksauth-watch.service
fi

# 5. Serve the synced users and groups.  The package put eksauth right after
# "files" on the passwd: and group: lines, and on initgroups: when the file
# has one (glibc reads a login's groups from it then), when it was first
# installed (debian/eksauth.postinst: local accounts first, the break-glass
# path, and before an [action] that would end the lookup).  Missing, it was
# taken out on purpose, or the file is not the distribution's: stop, and let
# doctor say which line to write, rather than guess at it here.
dbs="passwd group"
grep -Eq '^initgroups:' /etc/nsswitch.conf && dbs="$dbs initgroups"
for db in $dbs; do
    if ! grep -Eq "^$db:([^#]*[[:space:]])?eksauth([[:space:]#[]|$)" /etc/nsswitch.conf; then
        echo "node-bootstrap: the $db: line of /etc/nsswitch.conf does not list eksauth;" \
            "eksauth doctor prints the line to write" >&2
        exit 1
    fi
done
echo "node-bootstrap: eksauth is set up for cluster $cluster_name (source = $source)"
