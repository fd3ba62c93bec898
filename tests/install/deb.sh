#!/bin/sh
# deb.sh - the Debian package, end to end (issue 10): build it with
# dpkg-buildpackage -us -uc -b from a clean copy of the tree, lint it
# (lintian: no error), install it into a throwaway Debian 12 root made by
# debootstrap from the Debian mirror (with openssh-server and sudo), check its
# files, nsswitch.conf, the ldconfig trigger, `eksauth --version`, an eksauth
# user resolved through glibc there and the pam-auth-update profile; log in
# over the root's real sshd through the pam-auth-update route (the home made
# by pam_mkhomedir), then through `eksauth setup`'s files; an upgrade (the
# package over itself) keeps eksauth.conf, nsswitch.conf and the profile's
# PAM lines as they were and syncs again; a removal is
# refused while a hand-made PAM line would fail without the module; remove the
# package with setup's files still in place and check that the local
# break-glass account still logs in with a key and with a password (prerm
# names the PAM lines left); `eksauth setup --undo` gives every file back;
# purge it and check that nsswitch.conf is back byte for byte and nothing of
# eksauth is left.  Then, in a second, bare Debian 12 root (debootstrap
# minbase and nothing else): `bash scripts/demo` of the same tree, which
# installs what it needs (scripts/install-deps, Debian's awscli included),
# builds and runs; its time is printed.
#
# Heavy (about 10 minutes; needs root and deb.debian.org): .ci/run calls it,
# `make check` does not.  Everything lives in one temp folder, removed at
# the end; mounts are made only inside a private mount namespace; the host
# gets no package.  TAP output.
#
# usage: tests/install/deb.sh
# environment: DEB_MIRROR (default http://deb.debian.org/debian),
#   DEB_SUITE (bookworm), DEB_CHECK=1 to run the unit tests in the build,
#   KEEP=1 to keep the temp folder (its path is printed).
set -u

top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
. "$top_srcdir/tests/lib/tap.sh"

MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEB_SUITE:-bookworm}

[ "$(id -u)" = 0 ] || bail "needs root (debootstrap, chroot)"
for tool in dpkg-buildpackage dh lintian debootstrap unshare chroot dpkg-deb; do
    command -v "$tool" >/dev/null 2>&1 ||
        bail "$tool not found (apt-get install debhelper lintian debootstrap)"
done
# The logins: the STS stand-in (botocore), a token from the real AWS CLI, the host's ssh tools.
for tool in python3 openssl aws ssh ssh-keygen ssh-keyscan sshpass; do
    command -v "$tool" >/dev/null 2>&1 || bail "$tool not found (bash scripts/install-deps installs it)"
done
python3 -c 'import botocore' 2>/dev/null || bail "python3 cannot import botocore (scripts/install-deps)"

PACKAGE_TEST=deb
. "$top_srcdir/tests/install/package_common.sh"

# --- 1. a clean copy of the tree: what git tracks or would track ---------
SRC="$T/src/eksauth"
mkdir -p "$SRC"
if [ -d "$top_srcdir/.git" ] && command -v git >/dev/null 2>&1; then
    # (a tracked file deleted in the work tree is left out)
    (cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\0" "$f"; fi; done' sh |
        tar --null -T - -cf -) | (cd "$SRC" && tar -xf -)
else
    # A release tarball: everything but build trees.
    (cd "$top_srcdir" && tar --exclude='./_build*' --exclude=./build --exclude=./autom4te.cache -cf - .) |
        (cd "$SRC" && tar -xf -)
fi
[ -f "$SRC/debian/control" ] && [ -f "$SRC/configure.ac" ]
ok $? "a clean copy of the tree"
# The same tree, unbuilt, for the demo in the bare root (section 7).
(cd "$SRC" && tar -cf "$T/src.tar" .)

# --- 2. build -----------------------------------------------------------
# The unit tests run in CI already: skip them here unless DEB_CHECK=1.
profiles=nocheck
[ "${DEB_CHECK:-0}" = 1 ] && profiles=""
(cd "$SRC" && DEB_BUILD_OPTIONS="$profiles parallel=$(nproc)" DEB_BUILD_PROFILES="$profiles" \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
ok $? "dpkg-buildpackage -us -uc -b ($(elapsed))" || diag_tail "$T/build.log" 60
DEB=$(ls "$T"/src/eksauth_*.deb 2>/dev/null | head -n 1)
CHANGES=$(ls "$T"/src/eksauth_*.changes 2>/dev/null | head -n 1)
[ -n "$DEB" ] || bail "no .deb was built"
VERSION=$(dpkg-deb -f "$DEB" Version)

# --- 3. lintian ---------------------------------------------------------
lintian --fail-on error --display-info "$CHANGES" >"$T/lintian.log" 2>&1
ok $? "lintian: no error" || diag "$T/lintian.log"
grep -E '^[EWI]: ' "$T/lintian.log" | sed 's/^/# lintian: /'

# --- 4. what the package holds ------------------------------------------
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/contents"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in /usr/bin/eksauth "/lib/$MA/security/pam_eksauth.so" "/lib/$MA/libnss_eksauth.so.2" \
    /etc/eksauth/eksauth.conf /usr/share/pam-configs/eksauth \
    /lib/systemd/system/eksauth-sync.service /lib/systemd/system/eksauth-sync.timer \
    /usr/share/man/man5/eksauth.conf.5.gz /usr/share/man/man8/pam_eksauth.8.gz \
    /usr/share/man/man8/nss_eksauth.8.gz /usr/share/man/man1/eksauth.1.gz \
    /usr/share/doc/eksauth/examples/pam.d/sshd /usr/share/doc/eksauth/examples/pam.d/sudo \
    /usr/share/doc/eksauth/examples/sshd_config.d/40-eksauth.conf \
    /usr/share/doc/eksauth/copyright /usr/share/doc/eksauth/operating.md.gz /var/lib/eksauth/; do
    grep -qx "$f" "$T/contents"
    ok $? "the package holds $f"
done
grep -q '\.la$' "$T/contents"
ok $((!$?)) "no libtool archive in the package"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/eksauth/eksauth.conf
ok $? "/etc/eksauth/eksauth.conf is a conffile"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./triggers 2>/dev/null | grep -q 'ldconfig'
ok $? "an ldconfig trigger"
dpkg-deb -f "$DEB" Depends | grep -q 'libcurl4 (>= 7.85.0)'
ok $? "depends on libcurl4 (loaded at the first request, so named in debian/control)"

# --- 5. a throwaway Debian 12 root --------------------------------------
# The package's dependencies come in with debootstrap, so dpkg -i needs no
# network in the root.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep . | paste -sd, -)
R="$T/root"
# openssh-server and sudo: the logins of section 6 (debootstrap fakes
# start-stop-daemon, so no sshd starts on the host's network).
debootstrap --variant=minbase --include="$deps,openssh-server,sudo" "$SUITE" "$R" "$MIRROR" \
    >"$T/debootstrap.log" 2>&1
ok $? "debootstrap $SUITE ($(elapsed))" || { diag_tail "$T/debootstrap.log"; bail "no root to install into"; }

# inroot CMD...: run in the root, with its own /proc, in a private mount namespace.
inroot() {
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$0/proc" || exit 97
        exec chroot "$0" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"' "$R" "$@"
}
cp "$R/etc/nsswitch.conf" "$T/nsswitch.before"
cp -a "$R/etc/pam.d" "$T/pam.d.before"
cp "$DEB" "$R/tmp/eksauth.deb"

inroot dpkg -i /tmp/eksauth.deb >"$T/install.log" 2>&1
ok $? "dpkg -i in the root" || diag_tail "$T/install.log"
for f in /usr/bin/eksauth "/lib/$MA/security/pam_eksauth.so" "/lib/$MA/libnss_eksauth.so.2" \
    /etc/eksauth/eksauth.conf /usr/share/pam-configs/eksauth /lib/systemd/system/eksauth-sync.timer; do
    [ -f "$R$f" ]
    ok $? "installed: $f"
done
is "$(stat -c '%a %u' "$R/var/lib/eksauth")" "755 0" "/var/lib/eksauth is 0755 root's"
is "$(inroot eksauth --version 2>&1)" "eksauth ${VERSION%%-*}" "eksauth --version in the root"
inroot ldconfig -p | grep -q 'libnss_eksauth.so.2'
ok $? "the ldconfig trigger ran: libnss_eksauth.so.2 is in ld.so.cache"
[ ! -e "$R/etc/systemd/system/timers.target.wants/eksauth-sync.timer" ]
ok $? "the timer is not enabled before the config is written"

# nsswitch.conf: eksauth right after files on passwd: and group:, nothing else.
diff "$T/nsswitch.before" "$R/etc/nsswitch.conf" >"$T/nsswitch.diff"
grep '^[<>]' "$T/nsswitch.diff" >"$T/changed"
sed -n 's/^< //p' "$T/changed" | sed -E 's/^((passwd|group):([^#]*[[:space:]])?files)/\1 eksauth/' >"$T/expected"
sed -n 's/^> //p' "$T/changed" >"$T/got"
is "$(sed -n 's/^< //p' "$T/changed" | cut -d: -f1 | paste -sd' ' -)" "passwd group" \
    "nsswitch.conf: only the passwd: and group: lines changed"
cmp -s "$T/expected" "$T/got"
ok $? "nsswitch.conf: eksauth added right after files" || diag "$T/nsswitch.diff"
inroot getent passwd root >/dev/null
ok $? "getent passwd root still works (no identity DB yet)"

# A working host: config, aws-auth, sync, then glibc resolves an eksauth user.
# (aws-auth outside /etc/eksauth: purge leaves an operator's own files alone)
cat >"$R/etc/eksauth/eksauth.conf" <<'EOF'
cluster_id = prod
aws_auth_file = /root/aws-auth.yaml
EOF
cat >"$R/root/aws-auth.yaml" <<'EOF'
mapRoles: |
  - rolearn: arn:aws:iam::111122223333:role/ci
    username: build
    groups:
      - system:masters
EOF
chmod 0644 "$R/etc/eksauth/eksauth.conf" "$R/root/aws-auth.yaml"
inroot eksauth sync >"$T/sync.log" 2>&1
ok $? "eksauth sync in the root" || diag "$T/sync.log"
like "$(inroot getent passwd build 2>&1)" '^build:\*:[0-9]+:[0-9]+:' "getent passwd build: through libnss_eksauth"
like "$(inroot id -Gn build 2>&1)" 'eks-system-masters' "id build: the mapped group via initgroups"

# The pam-auth-update profile: offered, off by default, and usable.
grep -q pam_eksauth "$R/etc/pam.d/common-auth"
ok $((!$?)) "the pam-auth-update profile is not enabled by default"
inroot pam-auth-update --enable eksauth >"$T/pam.log" 2>&1
ok $? "pam-auth-update --enable eksauth" || diag "$T/pam.log"
awk '/pam_eksauth/ { e = NR } /pam_unix/ && !u { u = NR } END { exit !(e && u && e < u) }' \
    "$R/etc/pam.d/common-auth"
ok $? "common-auth: pam_eksauth before pam_unix" || diag "$R/etc/pam.d/common-auth"
grep -q pam_eksauth "$R/etc/pam.d/common-account" && grep -q pam_eksauth "$R/etc/pam.d/common-session"
ok $? "common-account and common-session: pam_eksauth"

# An upgrade (dpkg -i over the installed package: prerm upgrade, then
# postinst configure with the version before): the operator's eksauth.conf
# kept (a conffile), nsswitch.conf and the enabled profile's common-* lines
# as they were (eksauth once each), and postinst's sync rewrote the DB.
cp "$R/etc/nsswitch.conf" "$T/nsswitch.installed"
for f in common-auth common-account common-session; do cp "$R/etc/pam.d/$f" "$T/$f.installed"; done
cp "$R/var/lib/eksauth/identity.db" "$T/identity.db.installed"
inroot dpkg -i /tmp/eksauth.deb >"$T/upgrade.log" 2>&1
ok $? "dpkg -i over the installed package (an upgrade)" || diag_tail "$T/upgrade.log"
cmp -s "$T/nsswitch.installed" "$R/etc/nsswitch.conf"
ok $? "upgrade: nsswitch.conf as it was (eksauth once on each line)" ||
    diff "$T/nsswitch.installed" "$R/etc/nsswitch.conf" | sed 's/^/#   /'
for f in common-auth common-account common-session; do
    cmp -s "$T/$f.installed" "$R/etc/pam.d/$f" && [ "$(grep -c pam_eksauth "$R/etc/pam.d/$f")" = 1 ]
    ok $? "upgrade: $f as it was, pam_eksauth on one line" || diag "$R/etc/pam.d/$f"
done
grep -q '^aws_auth_file = /root/aws-auth.yaml$' "$R/etc/eksauth/eksauth.conf"
ok $? "upgrade: the operator's eksauth.conf is kept (a conffile)"
cmp -s "$T/identity.db.installed" "$R/var/lib/eksauth/identity.db"
ok $((!$?)) "upgrade: postinst's eksauth sync rewrote the identity DB" || diag_tail "$T/upgrade.log"
like "$(inroot getent passwd build 2>&1)" '^build:\*:[0-9]+:[0-9]+:' "upgrade: getent passwd build still resolves"
# doctor_errors: eksauth doctor --json in the root; its config, module,
# nsswitch, PAM and DB errors, one a line (status 1 when there is one).
doctor_errors() {
    inroot eksauth doctor --json >"$T/doctor.json" 2>"$T/doctor.err"
    python3 -c '
import json, sys
bad = [f for f in json.load(open(sys.argv[1]))["findings"]
       if f["check"] in ("pam", "nsswitch", "modules", "config", "db") and f["level"] == "error"]
for f in bad:
    print(f["where"], f["problem"])
sys.exit(1 if bad else 0)' "$T/doctor.json"
}
# common-session comes before Debian's pam_env user_readenv=1 line in
# pam.d/sshd: doctor names exactly that, and docs/operating.md's step for
# this route (take user_readenv=1 out) leaves a stack doctor accepts.
doctor_errors >"$T/doctor.bad"
is "$(sed -E 's/:[0-9]+/:N/g' "$T/doctor.bad")" \
    "/etc/pam.d/sshd:N session: pam_env with user_readenv=1 runs after pam_eksauth (/etc/pam.d/common-session:N): a user's ~/.pam_environment sets EKS_* over the module's values" \
    "eksauth doctor after pam-auth-update: the one error is Debian's pam_env user_readenv=1 after the session line"
cp -p "$R/etc/pam.d/sshd" "$T/pam.d-sshd.stock"
sed -i -E 's/^(session[[:space:]]+required[[:space:]]+pam_env\.so)[[:space:]]+user_readenv=1/\1/' "$R/etc/pam.d/sshd"
doctor_errors >"$T/doctor.bad"
ok $? "eksauth doctor in the root: no config, module, nsswitch, PAM or DB error" || diag "$T/doctor.bad"
cp -p "$T/pam.d-sshd.stock" "$R/etc/pam.d/sshd" # Debian's file again: purge must restore it

# --- 6. logins, removal and the break-glass account ----------------------
# The STS stand-in runs on the host; the root's sshd reaches it on 127.0.0.1
# (sts_connect_to), with the test CA.  Tokens come from the real AWS CLI with
# the e2e suite's test credentials of eks-admins/alice.
E2E_FIX="$top_srcdir/tests/e2e/fixtures"
sh "$top_srcdir/tests/lib/mkcerts.sh" "$T/tls" >/dev/null 2>&1 || bail "tests/lib/mkcerts.sh failed"
python3 "$top_srcdir/tests/lib/fake_sts.py" --cert "$T/tls/server.crt" --key "$T/tls/server.key" \
    --creds "$E2E_FIX/creds.json" --ready-file "$T/sts.ready" >/dev/null 2>"$T/sts.err" &
pids="$pids $!"
for _ in $(seq 300); do
    [ -s "$T/sts.ready" ] && break
    sleep 0.1
done
[ -s "$T/sts.ready" ] || bail "the STS stand-in did not start: $(cat "$T/sts.err")"
install -m 0644 "$T/tls/ca.crt" "$R/root/sts-ca.crt"
cat >>"$R/etc/eksauth/eksauth.conf" <<EOF
host_name = deb-root
sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$(cat "$T/sts.ready")
sts_ca_file = /root/sts-ca.crt
EOF
cat >>"$R/root/aws-auth.yaml" <<'EOF'
  - rolearn: arn:aws:iam::111122223333:role/eks-admins
    username: admin:{{SessionName}}
    groups:
      - system:masters
EOF
inroot eksauth sync >"$T/sync2.log" 2>&1
ok $? "eksauth sync with the role eks-admins (admin:{{SessionName}})" || diag "$T/sync2.log"
alice_env=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["ASIAE2EADMINALICE001"]
print("AWS_ACCESS_KEY_ID=ASIAE2EADMINALICE001 AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      % (c["secret"], c["session_token"]))' "$E2E_FIX/creds.json")
# mint_alice: a fresh token for this host (audience eksauth:prod:deb-root) in the root's
# /tmp/alice.tok.
mint_alice() {
    # shellcheck disable=SC2086 # VAR=VALUE words without blanks
    env -i PATH="$PATH" HOME="$T" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
        AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1 $alice_env \
        bash -c '. "$0"; aws_eks_token --cluster-name eksauth:prod:deb-root' "$top_srcdir/tests/lib/aws_token.sh" \
        >"$R/tmp/alice.tok" 2>"$T/mint.err" || bail "aws eks get-token failed: $(cat "$T/mint.err")"
}
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_sshd / stop_sshd: the root's own sshd (its config, its PAM) on 127.0.0.1:$SSH_PORT.
start_sshd() {
    SSH_PORT=$(free_port)
    mkdir -p "$R/run/sshd"
    # As inroot does it, but a simple command: $! is then sshd itself (unshare and chroot exec).
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$0/proc" || exit 97
        exec chroot "$0" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
            /usr/sbin/sshd -D -e -p "$1" -o ListenAddress=127.0.0.1' "$R" "$SSH_PORT" \
        >>"$T/sshd.log" 2>&1 &
    SSHD_PID=$!
    pids="$pids $SSHD_PID"
    : >"$T/known_hosts"
    for _ in $(seq 50); do
        ssh-keyscan -T 1 -t ed25519 -p "$SSH_PORT" 127.0.0.1 >"$T/known_hosts" 2>/dev/null
        [ -s "$T/known_hosts" ] && break
        sleep 0.1
    done
    [ -s "$T/known_hosts" ] || bail "the root's sshd did not start: $(tail -n 5 "$T/sshd.log")"
    cp "$T/known_hosts" "$R/tmp/known_hosts"
}
stop_sshd() {
    kill "$SSHD_PID" 2>/dev/null
    wait "$SSHD_PID" 2>/dev/null
}
# eks_login NAME COMMAND: `eksauth ssh admin-alice@127.0.0.1 COMMAND` with the root's
# eksauth and ssh client, a fresh token; rc, $T/NAME.out and $T/NAME.err.
eks_login() {
    mint_alice
    # EKSAUTH_HOST: the host is reached as 127.0.0.1 but calls itself deb-root; askpass has
    # STS check the command's token for that audience, through the stand-in.
    inroot env HOME=/root EKSAUTH_TOKEN_COMMAND="cat /tmp/alice.tok" EKSAUTH_HOST=deb-root \
        EKSAUTH_STS_CONNECT_TO="sts.us-east-1.amazonaws.com:443:127.0.0.1:$(cat "$T/sts.ready")" \
        EKSAUTH_STS_CA_FILE=/root/sts-ca.crt eksauth ssh -p "$SSH_PORT" \
        -o UserKnownHostsFile=/tmp/known_hosts -o StrictHostKeyChecking=yes \
        admin-alice@127.0.0.1 "$2" >"$T/$1.out" 2>"$T/$1.err" </dev/null
    rc=$?
}
# A local break-glass account with a password and a key of its own.
BG_PW="break-glass-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
inroot useradd -m -s /bin/sh breakglass >"$T/useradd.log" 2>&1 &&
    echo "breakglass:$BG_PW" | inroot chpasswd >>"$T/useradd.log" 2>&1
ok $? "a local break-glass account with a password" || diag "$T/useradd.log"
ssh-keygen -q -t ed25519 -N '' -f "$T/bg_key" >/dev/null 2>&1 || bail "ssh-keygen failed"
mkdir -p "$R/home/breakglass/.ssh"
cp "$T/bg_key.pub" "$R/home/breakglass/.ssh/authorized_keys"
inroot chown -R breakglass: /home/breakglass/.ssh
chmod 0700 "$R/home/breakglass/.ssh"
# bg_login key | keyboard-interactive | password: the break-glass account over the host's ssh.
bg_login() {
    if [ "$1" = key ]; then
        ssh -F /dev/null -i "$T/bg_key" -o IdentitiesOnly=yes -o PreferredAuthentications=publickey \
            -o BatchMode=yes -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes \
            -p "$SSH_PORT" breakglass@127.0.0.1 'id -un' </dev/null 2>>"$T/bg.err"
    else
        sshpass -p "$BG_PW" ssh -F /dev/null -o PreferredAuthentications="$1" \
            -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 \
            -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes \
            -p "$SSH_PORT" breakglass@127.0.0.1 'id -un' </dev/null 2>>"$T/bg.err"
    fi
}

# The pam-auth-update route (README.Debian): the profile enabled above, with
# mkhomedir for the home, and the example sshd drop-in.
inroot pam-auth-update --enable mkhomedir >>"$T/pam.log" 2>&1
grep -q pam_mkhomedir "$R/etc/pam.d/common-session"
ok $? "pam-auth-update --enable mkhomedir: common-session makes homes" || diag "$T/pam.log"
cp "$R/usr/share/doc/eksauth/examples/sshd_config.d/40-eksauth.conf" "$R/etc/ssh/sshd_config.d/40-eksauth.conf"
start_sshd
eks_login pau 'id -un; pwd; test -O "$HOME" && echo home-ok'
is "$rc:$(tr '\n' ' ' <"$T/pau.out")" "0:admin-alice /home/admin-alice home-ok " \
    "pam-auth-update route: eksauth ssh admin-alice logs in, into a home pam_mkhomedir made" ||
    diag_tail "$T/pau.err" 10
stop_sshd
inroot pam-auth-update --disable eksauth mkhomedir >>"$T/pam.log" 2>&1
rm -rf "$R/etc/ssh/sshd_config.d/40-eksauth.conf" "$R/home/admin-alice"
grep -q 'pam_eksauth\|pam_mkhomedir' "$R"/etc/pam.d/common-*
ok $((!$?)) "pam-auth-update --disable eksauth mkhomedir: the common-* files without them"

# eksauth setup: the README's bastion files, written once; again is nothing.
cp "$R/etc/pam.d/sshd" "$T/pam.d-sshd.before"
cp "$R/etc/nsswitch.conf" "$T/nsswitch.setup-before"
cp "$R/etc/sudo.conf" "$T/sudo.conf.before"
inroot eksauth setup --dry-run >"$T/setup-dry.out" 2>&1
ok $? "eksauth setup --dry-run" || diag "$T/setup-dry.out"
is "$(grep -c 'would write' "$T/setup-dry.out"):$(cmp -s "$T/pam.d-sshd.before" "$R/etc/pam.d/sshd" && echo same)" \
    "4:same" "--dry-run: four files would change (nsswitch.conf already names eksauth); none did"
inroot eksauth setup >"$T/setup.out" 2>&1
ok $? "eksauth setup" || diag "$T/setup.out"
for f in /etc/ssh/sshd_config.d/40-eksauth.conf /etc/sudoers.d/eksauth; do
    [ -f "$R$f" ]
    ok $? "eksauth setup wrote $f"
done
is "$(grep -c 'module_unknown=ignore.* pam_eksauth.so' "$R/etc/pam.d/sshd")" 2 \
    "pam.d/sshd: the auth and account lines survive a missing module (module_unknown=ignore)"
grep -q '^account .*pam_eksauth.so .*require_token=sshd$' "$R/etc/pam.d/sshd"
ok $? "pam.d/sshd: the account line asks for this login's token (require_token=sshd)"
# The session line after Debian's pam_env lines (user_readenv=1 reads ~/.pam_environment).
last_env=$(grep -n '^session .*pam_env.so' "$R/etc/pam.d/sshd" | tail -n 1 | cut -d: -f1)
eks_session=$(grep -n '^session optional pam_eksauth.so$' "$R/etc/pam.d/sshd" | cut -d: -f1)
[ -n "$last_env" ] && [ -n "$eks_session" ] && [ "$eks_session" -gt "$last_env" ]
ok $? "pam.d/sshd: pam_eksauth's session line (line $eks_session) after the last pam_env (line $last_env)"
inroot sshd -T -C user=root,host=localhost,addr=127.0.0.1 >"$T/sshd-T.root" 2>&1 &&
    grep -qx 'pubkeyauthentication yes' "$T/sshd-T.root"
ok $? "sshd -T: the drop-in parses, and root (not in eks-users) keeps its keys" || diag "$T/sshd-T.root"
grep -qx 'Set group_source dynamic' "$R/etc/sudo.conf"
ok $? "sudo.conf: Set group_source dynamic (sudo asks NSS for the groups at every use)"
inroot visudo -cf /etc/sudoers >"$T/visudo.out" 2>&1
ok $? "visudo -c: sudoers with /etc/sudoers.d/eksauth parses" || diag "$T/visudo.out"
sum_setup() { cat "$R/etc/nsswitch.conf" "$R/etc/pam.d/sshd" "$R/etc/ssh/sshd_config.d/40-eksauth.conf" \
    "$R/etc/sudoers.d/eksauth" "$R/etc/sudo.conf" | cksum; }
before=$(sum_setup)
inroot eksauth setup >"$T/setup2.out" 2>&1
is "$?:$(grep -c 'already set up' "$T/setup2.out"):$(sum_setup)" "0:5:$before" \
    "eksauth setup again: every file already set up, nothing changed"

start_sshd
eks_login setup 'id -un; id -Gn; pwd; sudo -n id -u'
is "$rc" 0 "setup route: eksauth ssh admin-alice logs in" || diag_tail "$T/setup.err" 10
like "$(sed -n 2p "$T/setup.out")" 'eks-system-masters' "setup route: id -Gn has eks-system-masters"
is "$(sed -n 3p "$T/setup.out"):$(sed -n 4p "$T/setup.out")" "/home/admin-alice:0" \
    "setup route: a home from pam_mkhomedir, and sudo from /etc/sudoers.d/eksauth"
for how in key keyboard-interactive password; do
    is "$(bg_login "$how")" breakglass "before removal: the break-glass account logs in ($how)"
done

# A hand-made line without module_unknown=ignore would lock everyone out once
# the module is gone: prerm refuses the removal and names it.
printf 'auth [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user\n' \
    >"$R/etc/pam.d/eksauth-handmade"
inroot dpkg --remove eksauth >"$T/refused.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ -e "$R/lib/$MA/security/pam_eksauth.so" ]
ok $? "dpkg --remove eksauth is refused while a PAM line would fail without the module" ||
    diag_tail "$T/refused.log"
like "$(cat "$T/refused.log")" "eksauth-handmade:1: auth .*pam_eksauth.so" "prerm names the hand-made line"
inroot dpkg --audit >"$T/audit.log" 2>&1
is "$?:$(wc -c <"$T/audit.log")" "0:0" "after the refusal, dpkg --audit finds the package installed and configured"
rm -f "$R/etc/pam.d/eksauth-handmade"

# Removal with setup's lines still in place: the module goes, the lines stay
# (each steps aside without it), prerm names them.
inroot dpkg --remove eksauth >"$T/remove.log" 2>&1
ok $? "dpkg --remove eksauth, with eksauth setup's files in place" || diag_tail "$T/remove.log"
[ ! -e "$R/lib/$MA/security/pam_eksauth.so" ] && grep -q pam_eksauth.so "$R/etc/pam.d/sshd"
ok $? "removed: pam_eksauth.so is gone, pam.d/sshd still names it"
like "$(cat "$T/remove.log")" "/etc/pam.d/sshd:[0-9]+: auth .*pam_eksauth.so" "prerm names the lines left in pam.d/sshd"
like "$(cat "$T/remove.log")" "eksauth setup --undo" "prerm says how to take setup's lines out"
for how in key keyboard-interactive password; do
    is "$(bg_login "$how")" breakglass "after removal: the break-glass account still logs in ($how)"
done
[ -s "$T/bg.err" ] && grep -v '^Warning: Permanently added' "$T/bg.err" | sed 's/^/#   /' | tail -n 5
ssh -F /dev/null -o BatchMode=yes -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes \
    -p "$SSH_PORT" admin-alice@127.0.0.1 true </dev/null >/dev/null 2>&1
rc=$?
grep -q 'Invalid user admin-alice' "$T/sshd.log"
is "$rc:$?" "255:0" "after removal: the eksauth user is gone with the NSS module (sshd: Invalid user)"
stop_sshd

# Reinstalled, eksauth setup --undo gives every file back as it was before setup.
inroot dpkg -i /tmp/eksauth.deb >"$T/reinstall.log" 2>&1
ok $? "dpkg -i again" || diag_tail "$T/reinstall.log"
inroot eksauth setup --undo >"$T/undo.out" 2>&1
ok $? "eksauth setup --undo" || diag "$T/undo.out"
cmp -s "$T/pam.d-sshd.before" "$R/etc/pam.d/sshd"
ok $? "--undo: pam.d/sshd back byte for byte" || diff "$T/pam.d-sshd.before" "$R/etc/pam.d/sshd" | sed 's/^/#   /'
cmp -s "$T/nsswitch.before" "$R/etc/nsswitch.conf"
ok $? "--undo: nsswitch.conf without eksauth, as before the package"
cmp -s "$T/sudo.conf.before" "$R/etc/sudo.conf"
ok $? "--undo: sudo.conf back byte for byte" || diff "$T/sudo.conf.before" "$R/etc/sudo.conf" | sed 's/^/#   /'
[ ! -e "$R/etc/ssh/sshd_config.d/40-eksauth.conf" ] && [ ! -e "$R/etc/sudoers.d/eksauth" ]
ok $? "--undo: the sshd drop-in and the sudoers file are gone"
inroot eksauth setup --undo >"$T/undo2.out" 2>&1
is "$?:$(grep -c 'nothing to take out' "$T/undo2.out")" "0:5" "eksauth setup --undo again: nothing to take out"

# --- 7. purge -----------------------------------------------------------
inroot dpkg --purge eksauth >"$T/purge.log" 2>&1
ok $? "dpkg --purge eksauth" || diag_tail "$T/purge.log"
cmp -s "$T/nsswitch.before" "$R/etc/nsswitch.conf"
ok $? "nsswitch.conf is back byte for byte" || diff "$T/nsswitch.before" "$R/etc/nsswitch.conf" | sed 's/^/#   /'
diff -r "$T/pam.d.before" "$R/etc/pam.d" >"$T/pam.diff" 2>&1
ok $? "/etc/pam.d is back as it was" || diag "$T/pam.diff"
for f in /usr/bin/eksauth "/lib/$MA/security/pam_eksauth.so" "/lib/$MA/libnss_eksauth.so.2" \
    /etc/eksauth /var/lib/eksauth /usr/share/pam-configs/eksauth /lib/systemd/system/eksauth-sync.timer; do
    [ ! -e "$R$f" ]
    ok $? "purged: $f"
done
inroot ldconfig -p | grep -q 'libnss_eksauth'
ok $((!$?)) "ld.so.cache no longer lists libnss_eksauth"

# --- 8. the demo in a bare Debian 12 root --------------------------------
# debootstrap minbase and nothing else; the clean tree in /root/eksauth;
# then `bash scripts/demo`, which installs what it needs and builds.  A
# chroot has no init, so its packages must not start services on the
# host's network (policy-rc.d); the root is a mount point of its own so that
# the demo's `unshare -m` can make its namespace there.
B="$T/bare"
debootstrap --variant=minbase "$SUITE" "$B" "$MIRROR" >"$T/debootstrap-bare.log" 2>&1
ok $? "debootstrap $SUITE, minbase alone ($(elapsed))" || diag_tail "$T/debootstrap-bare.log"
mkdir -p "$B/root/eksauth" && tar -xf "$T/src.tar" -C "$B/root/eksauth"
printf '#!/bin/sh\nexit 101\n' >"$B/usr/sbin/policy-rc.d"
chmod 0755 "$B/usr/sbin/policy-rc.d"
demo_started=$(date +%s)
unshare --mount --propagation private sh -c '
    mount --bind "$0" "$0" && mount --rbind /dev "$0/dev" && mount --make-rslave "$0/dev" &&
        mount -t proc proc "$0/proc" && mount -t sysfs sysfs "$0/sys" || exit 97
    exec chroot "$0" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 bash -c "cd /root/eksauth && bash scripts/demo"' "$B" \
    >"$T/demo.log" 2>&1 </dev/null
rc=$?
demo_took=$(($(date +%s) - demo_started))
ok $rc "bash scripts/demo in the bare root: install-deps, build and the demo in $demo_took s" ||
    diag_tail "$T/demo.log" 40
[ -x "$B/usr/bin/aws" ] && [ ! -e "$B/usr/local/bin/aws" ]
ok $? "the demo's install-deps installed Debian's awscli"
# Debian 12's kubectl (1.20) knows no exec v1: install-deps brings Debian
# 13's kubectl package alone, and leaves no Debian 13 apt source behind.
kminor=$(chroot "$B" kubectl version --client -o json 2>/dev/null |
    sed -n '/"minor"/{s/^ *"minor": *"\([0-9]*\).*/\1/p;q;}')
[ -n "$kminor" ] && [ "$kminor" -ge 22 ]
ok $? "the demo's install-deps installed kubectl 1.22 or later (1.${kminor:-none})"
! grep -rqs trixie "$B/etc/apt/sources.list" "$B/etc/apt/sources.list.d"
ok $? "... and left no Debian 13 source in the root's apt"
like "$(cat "$T/demo.log")" "build may use sudo" "the demo: eksauth ssh logs in and sudo is allowed for build"
like "$(cat "$T/demo.log")" "refused: build no longer exists on this host" "the demo: revocation refuses build"
tail -n 1 "$T/demo.log" | grep -q '^Done\.'
ok $? "the demo ends with Done."
echo "# the demo in the bare root took $demo_took s (debootstrap not counted)"

echo "# deb.sh took $(elapsed)"
done_testing
