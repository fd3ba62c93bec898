#!/bin/sh
# deb.sh - the Debian package, end to end (issue 10): build it with
# dpkg-buildpackage -us -uc -b from a clean copy of the tree, lint it
# (lintian: no error), install it into a throwaway Debian 12 root made by
# debootstrap from the Debian mirror, check its files, nsswitch.conf, the
# ldconfig trigger, `eksauth --version`, an eksauth user resolved through
# glibc there and the pam-auth-update profile; purge it and check that
# nsswitch.conf is back byte for byte and nothing of eksauth is left.
#
# Heavy (about 5 minutes; needs root and deb.debian.org): .ci/run calls it,
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
    /usr/share/doc/eksauth/copyright /var/lib/eksauth/; do
    grep -qx "$f" "$T/contents"
    ok $? "the package holds $f"
done
grep -q '\.la$' "$T/contents"
ok $((!$?)) "no libtool archive in the package"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/eksauth/eksauth.conf
ok $? "/etc/eksauth/eksauth.conf is a conffile"
dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./triggers 2>/dev/null | grep -q 'ldconfig'
ok $? "an ldconfig trigger"

# --- 5. a throwaway Debian 12 root --------------------------------------
# The package's dependencies come in with debootstrap, so dpkg -i needs no
# network in the root.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep . | paste -sd, -)
R="$T/root"
debootstrap --variant=minbase --include="$deps" "$SUITE" "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1
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
# doctor agrees that this PAM stack works (sshd is not installed: use sshd's stack as sudo's).
printf '@include common-auth\n@include common-account\n@include common-session\n' >"$R/etc/pam.d/sshd"
inroot eksauth doctor --json >"$T/doctor.json" 2>"$T/doctor.err"
python3 -c '
import json, sys
bad = [f for f in json.load(open(sys.argv[1]))["findings"]
       if f["check"] in ("pam", "nsswitch", "modules", "config", "db") and f["level"] == "error"]
for f in bad:
    print(f["where"], f["problem"])
sys.exit(1 if bad else 0)' "$T/doctor.json" >"$T/doctor.bad"
ok $? "eksauth doctor in the root: no config, module, nsswitch, PAM or DB error" || diag "$T/doctor.bad"
rm -f "$R/etc/pam.d/sshd"

# --- 6. purge -----------------------------------------------------------
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

echo "# deb.sh took $(elapsed)"
done_testing
