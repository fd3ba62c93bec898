# e2e_common.sh - shared by the end-to-end tests (sourced, not run).
#
# What it sets up, all of it under one private temp folder $H, and all of it
# stopped by pid and removed on exit:
#   - the STS stand-in (tests/lib/fake_sts.py) over TLS with certificates made
#     now (tests/lib/mkcerts.sh) and the credentials of tests/e2e/fixtures;
#   - an eksauth.conf pointing at it, the test aws-auth and an identity DB;
#   - a private mount namespace, held open by one `sleep` process, in which
#     /etc/pam.d, /etc/nsswitch.conf, /etc/ld.so.cache and /etc/sudoers are
#     copies of our own (the ld.so.cache
#     also lists the build's nss_eksauth folder, so setuid sudo loads it),
#     and /dev, /run, /var/lib and /var/log are overlays whose changes land
#     in $H: /dev/log is our syslog listener, /run/sshd exists, and
#     /var/lib/eksauth is $H/db.  Nothing is mounted outside the namespace;
#   - a syslog listener and a real sshd on 127.0.0.1 and a free port, inside.
#
# Needs (make check exports them): top_srcdir, top_builddir, EKSAUTH.
# scripts/demo uses it too, with its own CLUSTER and aws-auth.

: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
: "${top_builddir:?top_builddir must be set (make check sets it)}"
: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/aws_token.sh"

E2E_FIX="$top_srcdir/tests/e2e/fixtures"
# The credentials the STS stand-in knows (a test may add its own: uid_race.sh).
E2E_CREDS=${E2E_CREDS:-$E2E_FIX/creds.json}
PAM_MODULE="$top_builddir/pam_eksauth/.libs/pam_eksauth.so"
NSS_DIR="$top_builddir/nss_eksauth"
CLUSTER=${CLUSTER:-e2e-cluster} # the cluster id: the mapping's, and the cluster's own tokens
# This bastion's name, as people type it (host_name), and its audience: the
# tokens it takes are minted for it.  ssh reaches it on 127.0.0.1 (SSH_OPTS).
E2E_HOST=bastion.e2e.test
AUDIENCE="eksauth:$CLUSTER:$E2E_HOST"
# ssh options: reach the bastion as $E2E_HOST (its host key checked under that name).
AS_BASTION="-o HostKeyAlias=$E2E_HOST"
# The interpreter itself, not a version manager's shim: it starts faster.
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}

# e2e_unsupported: why this machine cannot run the suite (empty when it can).
e2e_unsupported() {
    local tool
    if [ "$(id -u)" != 0 ]; then
        echo "needs root (mount namespaces, sshd, sudo)"
        return
    fi
    for tool in unshare nsenter sshd ssh ssh-keygen sshpass sudo visudo openssl aws ldconfig; do
        if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
            echo "$tool not found (bash scripts/install-deps installs it)"
            return
        fi
    done
    if ! unshare -m true 2>/dev/null; then
        echo "unshare -m is not permitted here"
    elif ! "$PYTHON" -c 'import botocore' 2>/dev/null; then
        echo "python3 cannot import botocore (the STS stand-in needs it)"
    elif [ ! -f "$PAM_MODULE" ] || [ ! -f "$NSS_DIR/libnss_eksauth.so.2" ]; then
        echo "pam_eksauth.so or libnss_eksauth.so.2 is not built"
    elif readelf -d "$PAM_MODULE" "$NSS_DIR/libnss_eksauth.so.2" | grep -q 'NEEDED.*lib[atl]san'; then
        echo "sanitizer build: sshd and sudo cannot load ASan modules"
    fi
}

# e2e_multiarch: this machine's multiarch triplet (x86_64-linux-gnu,
# aarch64-linux-gnu, ...), the folder of its libraries and PAM modules.
e2e_multiarch() {
    dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null
}

# e2e_not_installed: what scripts/install-deps installs and this machine
# lacks (empty when nothing).  Unlike e2e_unsupported, a broken test machine:
# the suite bails out rather than skip.
e2e_not_installed() {
    local ma
    ma=$(e2e_multiarch)
    if [ -z "$ma" ]; then
        echo "cannot tell the multiarch triplet (dpkg-architecture -qDEB_HOST_MULTIARCH, gcc -print-multiarch)"
    elif [ ! -f "/lib/$ma/security/pam_mkhomedir.so" ] &&
        [ ! -f "/usr/lib/$ma/security/pam_mkhomedir.so" ]; then
        echo "pam_mkhomedir.so not found in /lib/$ma/security or /usr/lib/$ma/security" \
            "(libpam-modules; bash scripts/install-deps installs it)"
    fi
}

# e2e_plan_skip_if_unsupported: the TAP plan of no tests with the reason, and
# exit, when this machine cannot run the suite (e2e_unsupported); a bail out
# when it lacks what scripts/install-deps installs (e2e_not_installed).
e2e_plan_skip_if_unsupported() {
    local why
    why=$(e2e_unsupported)
    if [ -n "$why" ]; then
        echo "1..0 # SKIP $why"
        exit 0
    fi
    why=$(e2e_not_installed)
    [ -z "$why" ] || bail "$why"
}

# ------------------------------------------------------------------ the folder
E2E_TMPDIR=${TMPDIR:-} # a test may point TMPDIR into $H later
H=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-e2e.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
# Mapped users reach their homes and the askpass launcher through it: so must
# every folder above it (a TMPDIR inside a private home would not let them).
chmod 0755 "$H"
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$H/." 2>/dev/null; then
    echo "Bail out! other users cannot reach $H (TMPDIR=${TMPDIR:-}): the mapped users' homes are in it"
    rm -rf "$H"
    exit 1
fi
mkdir -p "$H/etc" "$H/tok" "$H/out" "$H/db" "$H/home" "$H/bin" "$H/client" "$H/nss"
chmod 0700 "$H/tok" "$H/client"
# The mapped users' own processes load the NSS module (id -Gn, sudo's group
# rules) and run eksauth (askpass under sudo -A).  A build in a private folder
# (/root/eksauth: Debian's /root is 0700) is out of their reach, and glibc then
# resolves no eksauth name for them, silently: copies in $H are what they run.
cp "$NSS_DIR/libnss_eksauth.so.2" "$H/nss/" && cp "$EKSAUTH" "$H/bin/eksauth" ||
    { echo "Bail out! could not copy the NSS module and eksauth into $H"; rm -rf "$H"; exit 1; }
NSS_DIR=$H/nss
EKSAUTH=$H/bin/eksauth

# A listing of what must not change on the host: eksauth's part of /etc, a few
# runtime folders, the mount table.
e2e_host_state() {
    {
        find /etc/pam.d /etc/nsswitch.conf /etc/ld.so.cache /etc/sudoers /etc/sudoers.d /etc/sudo.conf \
            /etc/passwd /etc/group /etc/shadow /etc/ssh /etc/eksauth \
            -printf '%p %s %T@ %m\n' 2>/dev/null | sort
        ls -ld /run/sshd /dev/log /var/lib/eksauth /home/admin-alice /home/dave 2>&1
        # askpass's default folders (in ${TMPDIR:-/tmp}: tools/askpass_state.c), in
        # /tmp and in the TMPDIR the suite started with: everything of ours stays in $H
        ls -d /tmp/eksauth-askpass-* /tmp/eksauth-ssh.* 2>/dev/null
        [ -z "$E2E_TMPDIR" ] || ls -d "$E2E_TMPDIR"/eksauth-askpass-* "$E2E_TMPDIR"/eksauth-ssh.* 2>/dev/null
        findmnt -rn -o TARGET | sort
    }
}
e2e_host_state >"$H/host.before"

# Every process started here, as "name:pid", stopped in reverse order.
_e2e_pids=""
E2E_ALL_PIDS=""
e2e_track() {
    _e2e_pids="$1:$2 $_e2e_pids"
    E2E_ALL_PIDS="$E2E_ALL_PIDS $2"
}

# e2e_stop: stop every process, by pid, last started first.
e2e_stop() {
    local entry pid
    for entry in $_e2e_pids; do
        pid=${entry#*:}
        kill "$pid" 2>/dev/null
    done
    for entry in $_e2e_pids; do
        pid=${entry#*:}
        # wait works for our own children; the loop covers the rest.
        wait "$pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
    done
    _e2e_pids=""
}

# e2e_wait_for FILE PID LOG WHAT: wait, 30 s at most, until FILE is there (a
# process says it is ready); bail with WHAT, and LOG, if PID ends first.
e2e_wait_for() {
    local file=$1 pid=$2 log=$3 what=$4
    for _ in $(seq 300); do
        [ -e "$file" ] && return 0
        kill -0 "$pid" 2>/dev/null || bail "$what: $(cat "$log")"
        sleep 0.1
    done
    bail "$what in 30 s: $(cat "$log")"
}

e2e_cleanup() {
    e2e_stop
    [ -n "${E2E_KEEP:-}" ] && { echo "# kept $H"; return; }
    rm -rf "$H"
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM HUP

# A clean client environment: nothing of the host's AWS or proxy setup leaks in.
aws_env_clean
unset SSH_ASKPASS SSH_ASKPASS_REQUIRE SUDO_ASKPASS SSH_AUTH_SOCK DISPLAY XDG_RUNTIME_DIR
unset EKSAUTH_CLUSTER EKSAUTH_REGION EKSAUTH_TOKEN_COMMAND EKSAUTH_BUILTIN EKSAUTH_ASKPASS_DIR KUBECONFIG
export HOME="$H/client" AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" TMPDIR="$H/client"
export AWS_CONFIG_FILE="$H/client/none" AWS_SHARED_CREDENTIALS_FILE="$H/client/none"

# ------------------------------------------------------------- credentials
# creds_env AKID: that key's test credentials, one VAR=VALUE a line, as env(1) takes them.
creds_env() {
    "$PYTHON" - "$E2E_CREDS" "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))[sys.argv[2]]
print("AWS_ACCESS_KEY_ID=" + sys.argv[2])
print("AWS_SECRET_ACCESS_KEY=" + c["secret"])
print("AWS_DEFAULT_REGION=us-east-1")
if c.get("session_token"):
    print("AWS_SESSION_TOKEN=" + c["session_token"])
EOF
}

# creds AKID: export them (AWS_SESSION_TOKEN unset for a long-term key).
creds() {
    local kv
    unset AWS_SESSION_TOKEN
    while IFS= read -r kv; do
        export "${kv?}" # VAR=VALUE
    done < <(creds_env "$1")
}

# mint NAME AKID [aws eks get-token args]: a token for this bastion from the real
# `aws eks get-token --cluster-name $AUDIENCE`, kept in $H/tok/NAME (0600).
mint() {
    local name=$1 akid=$2
    shift 2
    (
        creds "$akid"
        aws_eks_token --cluster-name "$AUDIENCE" "$@"
    ) >"$H/tok/$name" 2>"$H/out/mint-$name.err" && [ -s "$H/tok/$name" ] ||
        bail "aws eks get-token for $name failed: $(cat "$H/out/mint-$name.err")"
}

# token_fp FILE: the fingerprint the module logs for the token in FILE (SHA-256, 8 hex).
token_fp() { tr -d '\n' <"$1" | sha256sum | cut -c1-8; }

# mint_at NAME AKID UNIX_SECONDS: the same, signed as of that time (awscli with a frozen clock).
mint_at() {
    (
        creds "$2"
        "$PYTHON" "$top_srcdir/tests/lib/aws_get_token.py" --now "$3" --cluster-name "$AUDIENCE" \
            --query status.token --output text
    ) >"$H/tok/$1" 2>"$H/out/mint-$1.err" && [ -s "$H/tok/$1" ] ||
        bail "an old token for $1 could not be made: $(cat "$H/out/mint-$1.err")"
}

# ------------------------------------------------------------- STS and config
e2e_start_sts() {
    sh "$top_srcdir/tests/lib/mkcerts.sh" "$H/tls" || bail "mkcerts.sh failed"
    # No --log: the stand-in's request log would hold the tokens it was sent.
    "$PYTHON" "$top_srcdir/tests/lib/fake_sts.py" --cert "$H/tls/server.crt" \
        --key "$H/tls/server.key" --creds "$E2E_CREDS" \
        --ready-file "$H/sts.ready" >/dev/null 2>"$H/out/sts.err" &
    STS_PID=$!
    e2e_track sts "$STS_PID"
    e2e_wait_for "$H/sts.ready" "$STS_PID" "$H/out/sts.err" "the STS stand-in did not start"
    STS_PORT=$(cat "$H/sts.ready")
}

# e2e_config [AWS-AUTH]: $H/etc/eksauth.conf (root's, 0644, as the trust checks
# want) and a copy of the aws-auth (default: the e2e fixture).  The DB is $H/db, which the namespace shows as
# /var/lib/eksauth (where NSS, in setuid sudo too, reads it).
e2e_config() {
    install -m 0644 "${1:-$E2E_FIX/aws-auth.yaml}" "$H/etc/aws-auth.yaml"
    cat >"$H/etc/eksauth.conf" <<EOF
# written by $(basename "$0")
cluster_id = $CLUSTER
host_name = $E2E_HOST
sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT
sts_ca_file = $H/tls/ca.crt
sts_connect_timeout = 2
sts_timeout = 5
aws_auth_file = $H/etc/aws-auth.yaml
home = $H/home/%u
shell = /bin/sh
EOF
    chmod 0644 "$H/etc/eksauth.conf"
    CONF="$H/etc/eksauth.conf"
}

# e2e_sync: eksauth sync of the current $H/etc/aws-auth.yaml into the DB (in the namespace).
e2e_sync() {
    ns "$EKSAUTH" --config "$CONF" sync >"$H/out/sync.out" 2>&1
}

# --------------------------------------------------------------- the namespace
# e2e_namespace: the files of the namespace, then the process that holds it.
e2e_namespace() {
    local ns="$H/ns" d
    mkdir -p "$ns/mnt/pts" "$ns/mnt/shm"
    for d in dev run varlib varlog; do
        mkdir -p "$ns/$d.up" "$ns/$d.work"
    done
    cp -a /etc/pam.d "$ns/pam.d"
    # sshd: the token (in pieces) by keyboard-interactive, the mapping, a home.
    cat >"$ns/pam.d/sshd" <<EOF
# written by $(basename "$0"): pam_eksauth alone, debug for the reasons in the log
auth     required  $PAM_MODULE config=$CONF debug
# An eksauth user only with a token in this login (require_token); local
# accounts (root: the break-glass) go on to pam_permit.
account  [success=done ignore=ignore default=die]  $PAM_MODULE config=$CONF debug ignore_unknown_user require_token=sshd
account  required  pam_permit.so
session  required  pam_mkhomedir.so umask=0077
session  required  $PAM_MODULE config=$CONF debug
EOF
    # sudo: a rule that needs authentication asks pam_eksauth for a token.
    cat >"$ns/pam.d/sudo" <<EOF
# written by $(basename "$0")
auth     required  $PAM_MODULE config=$CONF debug
account  required  $PAM_MODULE config=$CONF debug
session  optional  $PAM_MODULE config=$CONF
session  required  pam_permit.so
EOF
    sed -e 's/^passwd:.*/passwd: files eksauth/' -e 's/^group:.*/group: files eksauth/' \
        -e '/^initgroups:/d' /etc/nsswitch.conf >"$ns/nsswitch.conf"
    { cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'; echo "$NSS_DIR"; } >"$ns/ld.so.conf"
    # -X: never create or change links, neither in the build nor in system folders.
    ldconfig -X -C "$ns/ld.so.cache" -f "$ns/ld.so.conf" 2>/dev/null ||
        bail "ldconfig could not make the namespace's ld.so.cache"
    cp /etc/sudoers "$ns/sudoers"
    cat >>"$ns/sudoers" <<EOF

# written by $(basename "$0")
Defaults lecture=never
Defaults logfile=$H/out/sudo.log
%eks-system-masters ALL=(ALL:ALL) NOPASSWD: ALL
%eks-oncall ALL=(ALL:ALL) ALL
EOF
    chmod 0440 "$ns/sudoers"
    visudo -cqf "$ns/sudoers" || bail "the test sudoers does not parse"

    cat >"$ns/setup.sh" <<EOF
# Runs inside unshare -m (private propagation): these mounts go with the namespace.
set -e
# /dev: keep the pts and shm mounts, overlay /dev so /dev/log can be ours, put them back.
mount --rbind /dev/pts $ns/mnt/pts
mount --rbind /dev/shm $ns/mnt/shm
mount -t overlay overlay -o lowerdir=/dev,upperdir=$ns/dev.up,workdir=$ns/dev.work /dev
mount --rbind $ns/mnt/pts /dev/pts
mount --rbind $ns/mnt/shm /dev/shm
rm -f /dev/log
# /run (sshd's privilege separation folder, sudo's timestamps), /var/log, /var/lib.
mount -t overlay overlay -o lowerdir=/run,upperdir=$ns/run.up,workdir=$ns/run.work /run
mkdir -p -m 0755 /run/sshd
mount -t overlay overlay -o lowerdir=/var/log,upperdir=$ns/varlog.up,workdir=$ns/varlog.work /var/log
mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$ns/varlib.up,workdir=$ns/varlib.work /var/lib
mkdir -p -m 0755 /var/lib/eksauth
mount --bind $H/db /var/lib/eksauth
# /etc: our PAM services, NSS sources, library cache and sudoers.
mount --bind $ns/pam.d /etc/pam.d
mount --bind $ns/nsswitch.conf /etc/nsswitch.conf
mount --bind $ns/ld.so.cache /etc/ld.so.cache
mount --bind $ns/sudoers /etc/sudoers
touch $ns/ready
exec sleep 3600
EOF
    unshare -m sh "$ns/setup.sh" >"$H/out/ns.out" 2>&1 </dev/null &
    HOLD_PID=$!
    e2e_track namespace "$HOLD_PID"
    e2e_wait_for "$ns/ready" "$HOLD_PID" "$H/out/ns.out" "the namespace setup did not finish"
}

# ns CMD...: run CMD inside the namespace.  --root: entering a mount namespace
# starts at its root, so in a chroot (scripts/demo in tests/install/deb.sh's
# Debian root) the holder's root is taken along; elsewhere it is "/" anyway.
# --wd=/: in a chroot the caller's folder is out of reach in there (sh says
# "getcwd() failed"); elsewhere CMD starts in "/" anyway.
ns() { nsenter -t "$HOLD_PID" -m --root --wd=/ -- "$@"; }

# e2e_start_syslog: a /dev/log inside the namespace; every line lands in $H/out/syslog.
e2e_start_syslog() {
    cat >"$H/ns/syslog.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")  # the namespace's overlay /dev: the host has none of it
os.chmod("/dev/log", 0o666)
open(sys.argv[2], "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\n") + b"\n")
EOF
    # nsenter itself in the background (not the ns function): $! is then the listener.
    nsenter -t "$HOLD_PID" -m --root -- "$PYTHON" "$H/ns/syslog.py" "$H/out/syslog" "$H/ns/syslog.ready" \
        >/dev/null 2>"$H/out/syslog.err" &
    e2e_track syslog $!
    e2e_wait_for "$H/ns/syslog.ready" $! "$H/out/syslog.err" "the syslog listener did not start"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# e2e_start_sshd: the real sshd in the namespace; sets SSH_PORT, SSHD_PID and
# $H/client/known_hosts with its host key.  E2E_SSHD_INCLUDE (optional): a
# file the config includes first, as Debian's sshd_config includes its
# sshd_config.d (tests/e2e/bastion.sh: eksauth setup's drop-in).
e2e_start_sshd() {
    local try
    mkdir -p "$H/ssh"
    ssh-keygen -q -t ed25519 -N '' -f "$H/ssh/hostkey" || bail "ssh-keygen failed"
    for _ in 1 2 3; do
        SSH_PORT=$(free_port)
        cat >"$H/ssh/sshd_config" <<EOF
# written by $(basename "$0")
${E2E_SSHD_INCLUDE:+Include $E2E_SSHD_INCLUDE}
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $H/ssh/hostkey
PidFile $H/ssh/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
# Keys too, as sshd's default: a key planted after a token login must not let
# an eksauth user in (pam_eksauth require_token), the break-glass root's must.
PubkeyAuthentication yes
AuthorizedKeysFile $H/keys/%u
# root is let through to PAM, so that pam_eksauth itself is seen refusing it
PermitRootLogin yes
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxAuthTries 3
LoginGraceTime 60
LogLevel VERBOSE
# scp and sftp (eksauth scp, eksauth sftp): SFTP inside sshd
Subsystem sftp internal-sftp
EOF
        ns /usr/sbin/sshd -t -f "$H/ssh/sshd_config" 2>"$H/out/sshd-t.err" ||
            bail "sshd -t: $(cat "$H/out/sshd-t.err")"
        nsenter -t "$HOLD_PID" -m --root -- /usr/sbin/sshd -D -e -f "$H/ssh/sshd_config" \
            >/dev/null 2>>"$H/out/sshd.log" &
        SSHD_PID=$!
        e2e_track sshd "$SSHD_PID"
        for _ in $(seq 50); do
            if ssh-keyscan -T 1 -t ed25519 -p "$SSH_PORT" 127.0.0.1 >"$H/out/keyscan" 2>/dev/null &&
                [ -s "$H/out/keyscan" ]; then
                {
                    echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1-2 "$H/ssh/hostkey.pub")"
                    echo "$E2E_HOST $(cut -d' ' -f1-2 "$H/ssh/hostkey.pub")"
                    echo "[$E2E_HOST]:$SSH_PORT $(cut -d' ' -f1-2 "$H/ssh/hostkey.pub")"
                } >"$H/client/known_hosts"
                return 0
            fi
            kill -0 "$SSHD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
    done
    bail "sshd did not start: $(tail -5 "$H/out/sshd.log")"
}

# The ssh client options of every login: our known_hosts, no user config, one try.
# The bastion is reached on 127.0.0.1 with its host key checked as
# $E2E_HOST's (HostKeyAlias): the name ssh vouches for, and puts before the
# prompt, so askpass mints for that host.
SSH_OPTS() {
    echo "-F /dev/null -p $SSH_PORT -o UserKnownHostsFile=$H/client/known_hosts" \
        "-o StrictHostKeyChecking=yes -o NumberOfPasswordPrompts=1 -o ConnectTimeout=10" \
        "-o LogLevel=ERROR"
}

# login NAME USER COMMAND [VAR=VALUE...]: `eksauth ssh USER@127.0.0.1 COMMAND` with
# the variables set; rc, $H/out/NAME.out and NAME.err.
login() {
    local name=$1 user=$2 cmd=$3
    shift 3
    env EKSAUTH_STS_CONNECT_TO="sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT" \
        EKSAUTH_STS_CA_FILE="$H/tls/ca.crt" "$@" "$EKSAUTH" ssh $(SSH_OPTS) $AS_BASTION "$user@127.0.0.1" "$cmd" \
        >"$H/out/$name.out" 2>"$H/out/$name.err" </dev/null
    rc=$?
}
out() { cat "$H/out/$1.out"; }
# with_token NAME: (one argument) askpass prints that pre-minted token instead of running aws.
with_token() { echo "EKSAUTH_TOKEN_COMMAND=cat $H/tok/$1"; }

# session_waits NAME TEXT: until the session of `login NAME ... &` printed a
# line matching TEXT (30 s at most); 1 when it did not.
session_waits() {
    for _ in $(seq 300); do
        grep -q "$2" "$H/out/$1.out" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# sshd_log_has FROM ERE: 0 once a line after line FROM of sshd's log matches
# ERE (30 s at most, hang protection only); 1 when none came.  sshd may write a
# connection's lines after the client it answered has exited: never read the
# log at once for a line.
sshd_log_has() {
    for _ in $(seq 300); do
        tail -n +"$(($1 + 1))" "$H/out/sshd.log" | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    return 1
}

# e2e_stopped_all: e2e_stop, then a test line: every process started here is gone.
e2e_stopped_all() {
    local p gone=yes
    e2e_stop
    for p in $E2E_ALL_PIDS; do
        kill -0 "$p" 2>/dev/null && gone="no ($p)"
    done
    is "$gone" yes "every process started here (stand-in, namespace, syslog, sshd) is stopped"
}

# syslog_since N [ERE]: the syslog lines after line N, once the log has settled
# (sshd's child may still be logging when the client has already exited:
# wait for the line the caller asserts, ERE, 30 s at most, as hang protection
# only; without one for a first line after N, 5 s at most, every caller's step
# makes sshd or sudo log; then until no line came for 0.3 s, 5 s at most).
syslog_lines() { wc -l <"$H/out/syslog" | tr -d ' '; }
syslog_since() {
    local before now i
    if [ -n "${2:-}" ]; then
        for i in $(seq 1 300); do
            tail -n +"$(($1 + 1))" "$H/out/syslog" | grep -Eq -- "$2" && break
            sleep 0.1
        done
    fi
    for i in $(seq 1 50); do
        [ "$(syslog_lines)" -gt "$1" ] && break
        sleep 0.1
    done
    before=$(syslog_lines)
    for i in $(seq 1 16); do
        sleep 0.3
        now=$(syslog_lines)
        [ "$now" = "$before" ] && break
        before=$now
    done
    tail -n +"$(($1 + 1))" "$H/out/syslog"
}

# no_secret_in FILE...: no token, no piece of one, no secret or session token of
# the test credentials in any of the files.  Tokens minted inside askpass are
# unknown here, so any "k8s-aws-v1." and any 200-character base64url run
# (a 500-byte piece is one) count as a leak too.
no_secret_in() {
    "$PYTHON" - "$H/tok" "$E2E_CREDS" "$@" <<'EOF'
import json, os, re, sys
tokdir, credfile, files = sys.argv[1], sys.argv[2], sys.argv[3:]
needles = []
for n in os.listdir(tokdir):
    t = open(os.path.join(tokdir, n)).read().strip()
    body = t[len("k8s-aws-v1."):]
    needles += [body[i:i + 32] for i in range(0, max(len(body) - 32, 1), 32)]
for c in json.load(open(credfile)).values():
    needles.append(c["secret"])
    if c.get("session_token"):
        needles.append(c["session_token"][:40])
bad = 0
run = re.compile(rb"[A-Za-z0-9_-]{200,}")
for f in files:
    if not os.path.isfile(f):
        continue
    data = open(f, "rb").read()
    text = data.decode("latin-1")
    if "k8s-aws-v1." in text or run.search(data):
        print("# token-like text in %s" % f)
        bad += 1
        continue
    for nd in needles:
        if nd and nd in text:
            print("# a secret of the test credentials in %s" % f)
            bad += 1
            break
sys.exit(1 if bad else 0)
EOF
}

# e2e_host_unchanged: 0 when /etc, the runtime folders and the mount table are as
# before; else the differences, as TAP comments.
e2e_host_unchanged() {
    e2e_host_state >"$H/host.after"
    diff "$H/host.before" "$H/host.after" >"$H/host.diff" && return 0
    sed 's/^/# host changed: /' "$H/host.diff" | head -n 20
    return 1
}
