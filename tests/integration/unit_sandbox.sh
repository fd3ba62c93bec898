#!/bin/bash
# unit_sandbox.sh - `eksauth sync` as systemd/eksauth-sync.service.in and
# systemd/eksauth-watch.service.in run it on a node, whose eksauth.conf names no
# region and whose credentials come from instance metadata
# (contrib/node-bootstrap.sh): run as root with no capability at all
# (CapabilityBoundingSet= empty, NoNewPrivileges=yes), a clean environment
# without HOME (no User=: root's home, /root, from passwd), and /root as the
# unit's ProtectHome= makes it, read from each unit file:
#   yes        an empty mode-000 folder over /root (no capability enters it)
#   read-only  /root bound read-only
#   tmpfs      an empty read-only tmpfs over /root
# Every credential and region lookup opens /root/.aws/credentials and config
# (lib/creds.c home_path); only "not there" lets it go on to instance metadata.
# The sync must reach the cluster (tests/lib/fake_imds.py, fake_sts.py,
# fake_kube.py, as tests/integration/cluster_sync.sh) and write the DB.  Then,
# with the unit's setting, root's own ~/.aws/config is read (its region).
# Emulated without systemd as PID 1: a private mount namespace (unshare -m)
# holds a stand-in /root (mode 0700, root's) so the host's /root is neither
# read nor changed; setpriv drops the capabilities; ProtectSystem=strict makes
# every mount read-only but the DB's folder.  Not emulated: the other sandbox
# settings (PrivateTmp=, PrivateDevices=, ProtectProc=, the system call filter).  TAP.
# Environment: EKSAUTH, FIXTURES, top_srcdir, top_builddir (set by make check).

set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require
"$PYTHON" -c 'import yaml' 2>/dev/null || bail "python3 has no PyYAML (fake_kube.py reads YAML)"
[ "$(id -u)" = 0 ] || bail "the unit runs eksauth as root: run as root"
command -v unshare >/dev/null 2>&1 || bail "unshare not found (util-linux; scripts/install-deps)"
command -v setpriv >/dev/null 2>&1 || bail "setpriv not found (util-linux; scripts/install-deps)"
unshare -m true 2>/dev/null || bail "unshare -m: no private mount namespace here"

CL_FIX="$FIXTURES/cluster"
UNITS="sync watch"

sts_certs
sts_creds_with "$CL_FIX/node-creds.json"
sts_start sts --creds "$tmp/creds.json"
echo '{"fault": "none"}' >"$tmp/imds.json"
stand_in imds fake_imds.py --creds "$tmp/creds.json" --akid ASIAFAKENODE00000001 \
    --role bastion-sync --control "$tmp/imds.json" --region us-east-1
IMDS=$STAND_IN_PORT
cp "$CL_FIX/aws-auth.yaml" "$tmp/cm.yaml"
stand_in kube fake_kube.py --cert "$tmp/tls/server.crt" --key "$tmp/tls/server.key" \
    --ca "$tmp/tls/ca.crt" --configmap "$tmp/cm.yaml" --sts-addr "127.0.0.1:$STS_PORT" \
    --cluster-id prod --served "$tmp/kube.served"
KUBE=$STAND_IN_PORT

# The node's config: no region (instance metadata's placement/region).
sts_config "$tmp/node.conf" "$STS_PORT" "source = kubernetes" \
    "cluster_endpoint = https://127.0.0.1:$KUBE" "cluster_ca_file = $tmp/tls/ca.crt" \
    "imds_endpoint = http://127.0.0.1:$IMDS"

# protect_home UNIT: the unit's ProtectHome= (systemd's default, no, when unset).
protect_home() {
    _v=$(sed -n 's/^ProtectHome=//p' "$top_srcdir/systemd/eksauth-$1.service.in" | tail -n 1)
    echo "${_v:-no}"
}

# sandboxed SETTING DBDIR [AWSCONFIG]: eksauth sync --if-changed as the unit runs it,
# /root as SETTING makes it (root's ~/.aws/config holds AWSCONFIG when given), and
# the file system as PROTECT_SYSTEM (the unit's ProtectSystem=) makes it; sets rc,
# output in $tmp/out.
sandboxed() {
    rm -rf "$2"
    mkdir -m 0755 "$2"
    sed "s|^db_path = .*|db_path = $2/identity.db|" "$tmp/node.conf" >"$tmp/run.conf"
    chmod 0644 "$tmp/run.conf"
    # A sanitizer build's options pass through; nothing else of the test's environment.
    _env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
    for _v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        [ -n "${!_v+set}" ] && _env+=("$_v=${!_v}")
    done
    env -i "${_env[@]}" unshare -m --propagation private /bin/sh -c '
set -e
# a stand-in for a node /root: uid 0, 0700, with ~/.aws/config when asked
mount -t tmpfs -o mode=0700,uid=0,gid=0 eksauth-root /root
if [ -n "$4" ]; then mkdir -m 0700 /root/.aws; printf "%s\n" "$4" >/root/.aws/config; chmod 0600 /root/.aws/config; fi
case $1 in
yes) mount -t tmpfs -o mode=0000,ro eksauth-inaccessible /root ;;
read-only) mount -o remount,bind,ro /root ;;
tmpfs) mount -t tmpfs -o mode=0755,ro eksauth-home /root ;;
no) ;;
*) echo "ProtectHome=$1: not emulated" >&2; exit 99 ;;
esac
# ProtectSystem=strict with ReadWritePaths= the DB folder: every mount read-only but
# that one (stricter than the unit: /tmp too, where its PrivateTmp= is writable).
if [ "$5" = strict ]; then
    mount --bind "$6" "$6"
    for m in $(awk "{ print \$5 }" /proc/self/mountinfo); do
        m=$(printf "%b" "$m")
        [ "$m" = "$6" ] || mount -o remount,bind,ro "$m" 2>/dev/null || true
    done
fi
exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --ambient-caps=-all \
    "$2" --config "$3" sync --if-changed
' sandbox "$1" "$EKSAUTH" "$tmp/run.conf" "${3:-}" "$PROTECT_SYSTEM" "$2" >"$tmp/out" 2>&1
    rc=$?
}

# The sandbox itself: no capability is left (else /root's mode 000 would not hold).
env -i unshare -m setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --ambient-caps=-all \
    grep '^CapEff:' /proc/self/status >"$tmp/caps" 2>&1
is "$(cat "$tmp/caps")" "CapEff:	0000000000000000" "sandbox: setpriv leaves no effective capability"

for u in $UNITS; do
    ph=$(protect_home "$u")
    PROTECT_SYSTEM=$(sed -n 's/^ProtectSystem=//p' "$top_srcdir/systemd/eksauth-$u.service.in" | tail -n 1)
    sandboxed "$ph" "$tmp/db-$u"
    is "$rc" 0 "eksauth-$u.service (ProtectHome=$ph): sync with credentials and region from instance metadata"
    [ "$rc" = 0 ] || sed "s/^/# /" "$tmp/out"
    ok "$([ -s "$tmp/db-$u/identity.db" ] && echo 0 || echo 1)" "eksauth-$u.service (ProtectHome=$ph): the DB is written"
    unlike "$(cat "$tmp/out")" "/root/\\.aws.*(Permission denied|denied)" \
        "eksauth-$u.service (ProtectHome=$ph): no lookup under /root is refused"
done

# Root's ~/.aws is the sync's (man/eksauth.conf.5): a region there that is no region
# name is refused, naming it (lib/cluster_host.c), not passed over for the instance's.
for u in $UNITS; do
    ph=$(protect_home "$u")
    PROTECT_SYSTEM=$(sed -n 's/^ProtectSystem=//p' "$top_srcdir/systemd/eksauth-$u.service.in" | tail -n 1)
    sandboxed "$ph" "$tmp/db-$u-cfg" "$(printf '[default]\nregion = us-east-1x')"
    like "$rc $(cat "$tmp/out")" "^[1-9][0-9]* .*us-east-1x" \
        "eksauth-$u.service (ProtectHome=$ph): the region of root's ~/.aws/config is read"
done

done_testing
