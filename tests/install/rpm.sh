#!/bin/sh
# rpm.sh - the RPM package (issue 21), end to end on this Debian machine:
#  1. `make dist`'s tarball, and the spec that travels in it;
#  2. rpmbuild -ba of that spec: configure --prefix=/usr --libdir=/usr/lib64
#     (as Amazon Linux 2023 builds it, with hardening flags in the style of
#     its %optflags) and the whole make check (RPM_CHECK=unit: unit tests only);
#  3. rpmlint with rpm/rpmlint.toml: no error;
#  4. what the RPM holds (paths, modes, owners, %config(noreplace)), and its
#     files against the Debian package's, role by role (the .deb is built by
#     dpkg-buildpackage from the same tarball);
#  5. its scriptlets, as `rpm -qp --scripts` prints them, run in a throwaway
#     root on nsswitch.conf variants: %post gives exactly the bytes that
#     debian/eksauth.postinst gives, an upgrade adds nothing and removes
#     nothing, the erase's %postun gives the file back byte for byte;
#     %preun refuses an erase while a PAM line would fail without the module;
#  6. a real rpm -i, reinstall (-U --replacepkgs) and -e in a throwaway root:
#     nsswitch.conf, the config kept, an eksauth user through glibc, units
#     not enabled, and after the erase nsswitch.conf and /etc/pam.d byte for
#     byte as before.
# The throwaway roots are this machine's /usr and /etc under overlays (the
# writes land in the temp folder), in private mount namespaces: the host
# gets nothing.  Amazon Linux itself is not reachable here: docs/al2023.md
# says what this does and does not prove.
#
# Heavy (a few minutes): .ci/run calls it, make check does not.  TAP output.
# usage: tests/install/rpm.sh
# environment: RPM_CHECK=full (default) or unit; KEEP=1 keeps the temp folder.
set -u

top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
. "$top_srcdir/tests/lib/tap.sh"

[ "$(id -u)" = 0 ] || bail "needs root (rpm --root, mount namespaces)"
for tool in rpmbuild rpmlint rpm rpmspec rpm2cpio cpio dpkg-buildpackage dpkg-deb unshare chroot file make; do
    command -v "$tool" >/dev/null 2>&1 ||
        bail "$tool not found: run scripts/install-deps (rpm rpmlint file debhelper)"
done
for d in bin sbin lib lib64; do
    [ -L "/$d" ] || bail "/$d is not a link into /usr: the throwaway roots need a merged /usr"
done

PACKAGE_TEST=rpm
. "$top_srcdir/tests/install/package_common.sh"
# ok that fails like the check it reports, so `ok $? WHAT || diag FILE` shows FILE.
ok() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; return 1; fi; }

# --- 1. the dist tarball --------------------------------------------------
if [ ! -x "$top_srcdir/configure" ]; then
    (cd "$top_srcdir" && autoreconf -fi) >"$T/autoreconf.log" 2>&1 || {
        diag_tail "$T/autoreconf.log"
        bail "autoreconf failed"
    }
fi
mkdir -p "$T/dist"
(cd "$T/dist" && "$top_srcdir/configure" --quiet && make dist) >"$T/dist.log" 2>&1
ok $? "make dist ($(elapsed))" || diag_tail "$T/dist.log"
TARBALL=$(ls "$T"/dist/eksauth-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$TARBALL" ] || bail "no tarball"
VERSION=$(basename "$TARBALL" .tar.gz)
VERSION=${VERSION#eksauth-}
tar -xOzf "$TARBALL" "eksauth-$VERSION/rpm/eksauth.spec" >"$T/eksauth.spec" 2>/dev/null
ok $? "the tarball carries rpm/eksauth.spec"
is "$(rpmspec -q --srpm --qf '%{version}' "$T/eksauth.spec" 2>/dev/null)" "$VERSION" \
    "the spec's Version is configure's version"

# --- 2. rpmbuild ----------------------------------------------------------
# Debian's rpm lacks what a Fedora build root has: the build requirements are
# Debian packages (--nodeps), systemd-rpm-macros (the spec falls back to its
# own), and brp-compress needs bash (it uses `read -d`, and /bin/sh is dash).
check_opt="--with fullcheck"
[ "${RPM_CHECK:-full}" = unit ] && check_opt=""
# shellcheck disable=SC2086 # check_opt: zero or two words
rpmbuild -ba --nodeps $check_opt \
    --define "_topdir $T/rpmbuild" --define "_sourcedir $T/dist" \
    --define '__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}' \
    --define 'optflags -O2 -g -pipe -Wall -Werror=format-security -Wp,-D_FORTIFY_SOURCE=2 -Wp,-D_GLIBCXX_ASSERTIONS -fexceptions -fstack-protector-strong -fasynchronous-unwind-tables -fstack-clash-protection -fcf-protection' \
    --define 'build_ldflags -Wl,-z,relro -Wl,--as-needed -Wl,-z,now' \
    "$T/eksauth.spec" >"$T/rpmbuild.log" 2>&1
ok $? "rpmbuild -ba ${check_opt:-(unit tests)} ($(elapsed))" || {
    grep -E '^(FAIL|ERROR|XPASS):|^error:' "$T/rpmbuild.log" | head -n 40 | sed 's/^/#   /'
    diag_tail "$T/rpmbuild.log" 40
}
RPM=$(ls "$T"/rpmbuild/RPMS/*/eksauth-"$VERSION"-*.rpm 2>/dev/null | head -n 1)
SRPM=$(ls "$T"/rpmbuild/SRPMS/eksauth-"$VERSION"-*.src.rpm 2>/dev/null | head -n 1)
[ -n "$RPM" ] && [ -n "$SRPM" ] || bail "no RPM was built"
grep -q -- '--libdir=/usr/lib64' "$T/rpmbuild.log"
ok $? "configured with --libdir=/usr/lib64"
# make check's summary in the build log (the whole suite with fullcheck)
total=$(sed -n 's/^# TOTAL: *//p' "$T/rpmbuild.log" | tail -n 1)
failed=$(sed -n 's/^# \(FAIL\|ERROR\|XPASS\): *//p' "$T/rpmbuild.log" | awk '{ n += $1 } END { print n + 0 }')
[ -n "$total" ] && [ "$total" -gt 0 ] && [ "${failed:-0}" -eq 0 ]
ok $? "make check in the lib64 build: ${total:-no} tests, ${failed:-0} failed"

# --- 3. rpmlint -----------------------------------------------------------
rpmlint -c "$top_srcdir/rpm/rpmlint.toml" "$RPM" "$SRPM" "$T/eksauth.spec" >"$T/rpmlint.log" 2>&1
errors=$(sed -n 's/.* checked; \([0-9]*\) errors\{0,1\},.*/\1/p' "$T/rpmlint.log" | tail -n 1)
is "${errors:-none counted}" "0" "rpmlint: no error"
[ "${errors:-x}" = 0 ] || diag "$T/rpmlint.log"
grep -E ': [EW]: ' "$T/rpmlint.log" | sed 's/^/# rpmlint: /'

# --- 4. what the package holds --------------------------------------------
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' \
    "$RPM" >"$T/rpm.files" 2>"$T/rpm.err"
ok $? "rpm -qp lists the package" || diag "$T/rpm.err"
awk '{ print $NF }' "$T/rpm.files" | grep -v '^/usr/lib/\.build-id' >"$T/rpm.contents"
# attrs PATH: "MODE OWNER FLAGS" of PATH in the package
attrs() { awk -v p="$1" '$NF == p { print $1, $2, ($3 == "" ? "-" : $3) }' "$T/rpm.files"; }
for f in /usr/bin/eksauth /usr/bin/eksauth-askpass /usr/lib64/security/pam_eksauth.so \
    /usr/lib64/libnss_eksauth.so.2 /etc/eksauth/eksauth.conf /var/lib/eksauth \
    /usr/lib/systemd/system/eksauth-sync.service /usr/lib/systemd/system/eksauth-sync.timer \
    /usr/lib/systemd/system/eksauth-watch.service /usr/share/man/man1/eksauth.1.gz \
    /usr/share/man/man1/eksauth-askpass.1.gz /usr/share/man/man5/eksauth.conf.5.gz \
    /usr/share/man/man8/pam_eksauth.8.gz /usr/share/man/man8/nss_eksauth.8.gz \
    /usr/share/doc/eksauth/examples/pam.d/sshd /usr/share/doc/eksauth/al2023.md \
    /usr/share/doc/eksauth/examples/sshd_config.d/40-eksauth.conf; do
    grep -qx "$f" "$T/rpm.contents"
    ok $? "the RPM holds $f"
done
is "$(attrs /var/lib/eksauth | cut -d' ' -f1-2)" "drwxr-xr-x root:root" "/var/lib/eksauth: 0755, root's"
is "$(attrs /etc/eksauth/eksauth.conf)" "-rw-r--r-- root:root cn" \
    "/etc/eksauth/eksauth.conf: 0644, root's, %config(noreplace)"
is "$(attrs /usr/lib64/security/pam_eksauth.so | cut -d' ' -f1-2)" "-rwxr-xr-x root:root" "pam_eksauth.so: 0755, root's"
is "$(rpm -qp --configfiles "$RPM" 2>/dev/null)" "/etc/eksauth/eksauth.conf" "the one config file"
grep -Eq '\.la$|^/usr/local|^/lib/|^/usr/lib/x86_64-linux-gnu|^/usr/lib/security' "$T/rpm.contents"
ok $((!$?)) "no libtool archive, nothing in /usr/local or in a Debian multiarch folder"
rpm -qp --requires "$RPM" 2>/dev/null | grep -q '^libpam\.so\.0'
ok $? "the RPM requires libpam (found by rpmbuild from the module)"
rpm -qp --requires "$RPM" 2>/dev/null | grep -q '^libcurl\.so\.4()(64bit)'
ok $? "the RPM requires libcurl (loaded at the first request, so named in the spec)"

# The same files in the same roles as the Debian package, built from the
# same tarball by dpkg-buildpackage (unit tests skipped: they ran above).
mkdir -p "$T/deb" && tar -xzf "$TARBALL" -C "$T/deb"
(cd "$T/deb/eksauth-$VERSION" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" DEB_BUILD_PROFILES=nocheck \
    dpkg-buildpackage -us -uc -b) >"$T/deb.log" 2>&1
ok $? "dpkg-buildpackage -b from the same tarball ($(elapsed))" || diag_tail "$T/deb.log" 60
DEB=$(ls "$T"/deb/eksauth_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || bail "no .deb was built"
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$T/deb.contents"

# roles LIST TREE: what each file is for, whatever folder each system puts
# it in.  Folders (but the state folder) are no role; what only one
# packaging system has is dropped, with the reason; a path left over is a
# file nobody mapped ("unknown").
roles() {
    while read -r path; do
        [ -n "$path" ] || continue
        if [ -d "$2$path" ] && [ ! -L "$2$path" ] && [ "$path" != /var/lib/eksauth ]; then continue; fi
        echo "$path"
    done <"$1" | sed -E \
        -e 's,^/(usr/)?lib(64)?/([^/]+/)?security/pam_eksauth\.so$,pam-module,' \
        -e 's,^/(usr/)?lib(64)?/([^/]+/)?libnss_eksauth\.so\.2$,nss-module,' \
        -e 's,^/usr/bin/eksauth$,cli,' \
        -e 's,^/usr/bin/eksauth-askpass$,askpass,' \
        -e 's,^/usr/share/man/(man[0-9])/([^/]+)\.gz$,man:\1/\2,' \
        -e 's,^/(usr/)?lib/systemd/system/(eksauth[^/]+)$,unit:\2,' \
        -e 's,^/etc/eksauth/eksauth\.conf$,config,' \
        -e 's,^/var/lib/eksauth$,state-dir,' \
        -e 's,^/usr/share/doc/eksauth/examples/(.+)\.gz$,example:\1,' \
        -e 's,^/usr/share/doc/eksauth/examples/(.+)$,example:\1,' \
        -e 's,^/usr/share/doc/eksauth/README\.md(\.gz)?$,doc:README,' \
        -e 's,^/usr/share/doc/eksauth/operating\.md(\.gz)?$,doc:operating,' \
        -e '# the setup guide of the system: README.Debian, docs/al2023.md' \
        -e 's,^/usr/share/doc/eksauth/(README\.Debian|al2023\.md)(\.gz)?$,doc:system-guide,' \
        -e '# Debian only: the pam-auth-update profile (Amazon Linux has no such' \
        -e '# tool: PAM lines there are the operator'"'"'s), the copyright file and' \
        -e '# changelogs that Debian policy asks for (an RPM carries its' \
        -e '# changelog in its header), the lintian overrides.' \
        -e '/^\/usr\/share\/pam-configs\/eksauth$/d' \
        -e '/^\/usr\/share\/doc\/eksauth\/(copyright|changelog(\.Debian)?\.gz)$/d' \
        -e '/^\/usr\/share\/lintian\//d' \
        -e 's,^/,unknown:/,' | sort -u
}
# Folders are looked up in the unpacked packages.
mkdir -p "$T/deb.tree" "$T/rpm.tree"
dpkg-deb -x "$DEB" "$T/deb.tree"
(cd "$T/rpm.tree" && rpm2cpio "$RPM" | cpio -idm --quiet)
roles "$T/deb.contents" "$T/deb.tree" >"$T/deb.roles"
roles "$T/rpm.contents" "$T/rpm.tree" >"$T/rpm.roles"
diff "$T/deb.roles" "$T/rpm.roles" >"$T/roles.diff"
ok $? "the RPM's files have the Debian package's roles, no more, no fewer" || diag "$T/roles.diff"
for r in pam-module nss-module cli askpass config state-dir unit:eksauth-sync.timer \
    unit:eksauth-watch.service man:man1/eksauth-askpass.1 man:man8/nss_eksauth.8 example:pam.d/sudo doc:README \
    doc:operating doc:system-guide; do
    grep -qx "$r" "$T/rpm.roles"
    ok $? "role $r is in both packages"
done
grep -q '^unknown:' "$T/deb.roles" "$T/rpm.roles"
ok $((!$?)) "every file of both packages has a role" || grep -h '^unknown:' "$T/deb.roles" "$T/rpm.roles" | sed 's/^/#   /'

# --- 5. the scriptlets, on nsswitch.conf variants -------------------------
# A throwaway root: overlays of /usr and /etc (writes go to $T), its own /var.
# inroot ROOT CMD...: run CMD (on the host side) with ROOT's mounts in place.
mkroot() {
    for d in usr etc; do mkdir -p "$T/ov/$1/$d/up" "$T/ov/$1/$d/work" "$T/$1/$d"; done
    mkdir -p "$T/$1/var/tmp" "$T/$1/var/lib" "$T/$1/tmp" "$T/$1/dev" "$T/$1/proc" "$T/$1/run"
    chmod 1777 "$T/$1/tmp" "$T/$1/var/tmp"
    for d in bin sbin lib lib64; do ln -s "usr/$d" "$T/$1/$d"; done
}
inroot() {
    root=$1
    shift
    unshare --mount --propagation private sh -c '
        T=$1 root=$2
        shift 2
        for d in usr etc; do
            mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$root/$d/up,workdir=$T/ov/$root/$d/work" \
                "$T/$root/$d" || exit 97
        done
        mount --rbind /dev "$T/$root/dev" && mount -t proc proc "$T/$root/proc" || exit 97
        exec "$@"' sh "$T" "$root" "$@"
}
# inchroot ROOT CMD...: run CMD inside ROOT.
inchroot() {
    root=$1
    shift
    inroot "$root" chroot "$T/$root" env -i PATH=/usr/sbin:/usr/bin LC_ALL=C.UTF-8 "$@"
}

# The scriptlets as rpm prints them: "postinstall scriptlet (using /bin/sh):"
# then the body, up to the next such header.
rpm -qp --scripts "$RPM" >"$T/scripts.txt" 2>&1
awk -v dir="$T" '
    /^[a-z]+ scriptlet \(using [^)]*\):$/ { out = dir "/" $1 ".sh"; next }
    out { print > out }' "$T/scripts.txt"
for s in postinstall preuninstall postuninstall; do
    [ -s "$T/$s.sh" ]
    ok $? "rpm -qp --scripts has a $s scriptlet" || diag "$T/scripts.txt"
done
grep -q pam_eksauth "$T/postinstall.sh" "$T/postuninstall.sh"
ok $((!$?)) "%post and %postun never name a PAM module (they write no PAM file)"

mkroot s
cp "$T/postinstall.sh" "$T/preuninstall.sh" "$T/postuninstall.sh" "$T/s/tmp/"
# run_script NAME ARG: one scriptlet in the root, as rpm runs it (sh, $1 = ARG).
run_script() { inchroot s sh "/tmp/$1.sh" "$2" >"$T/script.out" 2>&1; }
# The Debian maintainer scripts on a copy (DPKG_ROOT: no pam-auth-update).
mkdir -p "$T/dpkgroot/etc"
deb_configure() { DPKG_ROOT="$T/dpkgroot" sh "$top_srcdir/debian/eksauth.postinst" configure "" >/dev/null 2>&1; }
NSS="$T/ov/s/etc/up/nsswitch.conf" # the root's nsswitch.conf, as the upper layer holds it

# variant NAME CONTENT [EXPECTED]: %post 1 on CONTENT gives what Debian's
# postinst gives (and EXPECTED when given); %post 2 and %postun 1 (an
# upgrade) change nothing; %postun 0 gives CONTENT back byte for byte.
variant() {
    printf '%s' "$2" >"$T/before"
    cp "$T/before" "$T/dpkgroot/etc/nsswitch.conf"
    deb_configure
    cp "$T/before" "$NSS"
    run_script postinstall 1
    ok $? "$1: %post 1 runs" || diag "$T/script.out"
    if cmp -s "$NSS" "$T/dpkgroot/etc/nsswitch.conf"; then
        pass "$1: %post gives the bytes Debian's postinst gives"
    else
        fail "$1: %post gives the bytes Debian's postinst gives"
        diff "$T/dpkgroot/etc/nsswitch.conf" "$NSS" | sed 's/^/#   /'
    fi
    if [ $# -ge 3 ]; then
        printf '%s' "$3" | cmp -s - "$NSS"
        ok $? "$1: eksauth right after files" || diff "$T/before" "$NSS" | sed 's/^/#   /'
    fi
    cp "$NSS" "$T/added"
    run_script postinstall 2 && run_script postuninstall 1
    cmp -s "$NSS" "$T/added"
    ok $? "$1: an upgrade (%post 2, %postun 1) leaves the file alone"
    run_script postuninstall 0
    ok $? "$1: %postun 0 runs" || diag "$T/script.out"
    if cmp -s "$NSS" "$T/before"; then pass "$1: erase gives back the file byte for byte"; else
        fail "$1: erase gives back the file byte for byte"
        diff "$T/before" "$NSS" | sed 's/^/#   /'
    fi
}

# Amazon Linux 2023 runs authselect; these two are in the style of its
# profiles' nsswitch.conf (sssd, local), written here, not copied from a host.
variant "authselect-style, sssd profile" '# Generated by authselect
# Do not modify this file manually, use authselect instead.

# In order of likelihood of use to accelerate lookup.
passwd:     sss files systemd
shadow:     files
group:      sss files systemd
hosts:      files myhostname resolve [!UNAVAIL=return] dns
services:   files sss
netgroup:   sss
automount:  files sss
' '# Generated by authselect
# Do not modify this file manually, use authselect instead.

# In order of likelihood of use to accelerate lookup.
passwd:     sss files eksauth systemd
shadow:     files
group:      sss files eksauth systemd
hosts:      files myhostname resolve [!UNAVAIL=return] dns
services:   files sss
netgroup:   sss
automount:  files sss
'
variant "authselect-style, local profile" 'passwd:     files systemd
group:      files [SUCCESS=merge] systemd
shadow:     files
hosts:      files myhostname dns
' 'passwd:     files eksauth systemd
group:      files [SUCCESS=merge] eksauth systemd
shadow:     files
hosts:      files myhostname dns
'
variant "files with an action that ends at NOTFOUND" 'passwd: files [NOTFOUND=return] systemd
group: files systemd
' 'passwd: files eksauth [NOTFOUND=return] systemd
group: files eksauth systemd
'
variant "an action of several items, or negated, that ends at NOTFOUND" 'passwd: files [SUCCESS=merge NOTFOUND=return] systemd
group: files [!UNAVAIL=return] systemd
' 'passwd: files eksauth [SUCCESS=merge NOTFOUND=return] systemd
group: files eksauth [!UNAVAIL=return] systemd
'
variant "this machine's nsswitch.conf" "$(cat /etc/nsswitch.conf)
"
# glibc's own example file has initgroups: (read instead of group: for a login's groups).
variant "an initgroups: line" 'passwd: files
group: files
initgroups: files
' 'passwd: files eksauth
group: files eksauth
initgroups: files eksauth
'
variant "compat" 'passwd: compat
group: compat
'
variant "tabs, comments, no final newline" "$(printf 'passwd:\tfiles # local first\ngroup:\tfiles#x')"
variant "files later on the line" 'passwd: sss files
group: ldap filesystem
'
variant "no passwd line" 'hosts: files dns
'

# Listed already (by hand): %post leaves the file alone; the erase takes
# eksauth out (its module is gone), as Debian's postrm does on purge.
printf 'passwd: files eksauth\ngroup: files [SUCCESS=merge] eksauth systemd\n' >"$NSS"
cp "$NSS" "$T/before"
run_script postinstall 1
cmp -s "$NSS" "$T/before"
ok $? "listed already: %post leaves the file alone"
cp "$T/before" "$T/dpkgroot/etc/nsswitch.conf"
DPKG_ROOT="$T/dpkgroot" sh "$top_srcdir/debian/eksauth.postrm" purge >/dev/null 2>&1
run_script postuninstall 0
cmp -s "$NSS" "$T/dpkgroot/etc/nsswitch.conf" && ! grep -q eksauth "$NSS"
ok $? "listed already: the erase takes it out, as Debian's postrm does" || diag "$NSS"

# A symlinked nsswitch.conf (authselect makes one): the link stays, its
# target is edited, mode and owner are kept.
mkdir -p "$T/ov/s/etc/up/alt"
printf 'passwd: files systemd\ngroup: files systemd\n' >"$T/ov/s/etc/up/alt/nsswitch.conf"
chmod 0640 "$T/ov/s/etc/up/alt/nsswitch.conf"
chown 0:4 "$T/ov/s/etc/up/alt/nsswitch.conf" 2>/dev/null
rm -f "$NSS"
ln -s alt/nsswitch.conf "$NSS"
run_script postinstall 1
[ -L "$NSS" ] && grep -qx 'passwd: files eksauth systemd' "$T/ov/s/etc/up/alt/nsswitch.conf"
ok $? "a symlinked nsswitch.conf: the link stays, its target gets eksauth"
is "$(stat -c '%a %g' "$T/ov/s/etc/up/alt/nsswitch.conf")" "640 4" "the target keeps its mode and group"
run_script postuninstall 0
printf 'passwd: files systemd\ngroup: files systemd\n' | cmp -s - "$T/ov/s/etc/up/alt/nsswitch.conf"
ok $? "erase through the symlink gives back the file"
find "$T/ov/s/etc/up" -name '*eksauth-new*' | grep -q .
ok $((!$?)) "no temporary file is left in /etc"
# (without a file in the upper layer the root shows the host's: delete it there)
rm -f "$NSS"
inroot s rm -f "$T/s/etc/nsswitch.conf"
run_script postinstall 1 && run_script postuninstall 0
ok $? "no nsswitch.conf at all: %post and %postun succeed"
inroot s test ! -e "$T/s/etc/nsswitch.conf"
ok $? "... and create none"

# %preun refuses the erase while a PAM line would fail without the module.
# guard EXPECT NAME LINE FILE: with /etc/pam.d/FILE holding LINE and nothing
# else in /etc/pam.d, the erase is EXPECT ("refused" or "allowed").
inroot s sh -c 'rm -rf "$1/etc/pam.d" "$1/etc/pam.conf" && mkdir "$1/etc/pam.d"' sh "$T/s"
guard() {
    printf '%s\n' "$3" >"$T/ov/s/etc/up/pam.d/$4"
    run_script preuninstall 0
    rc=$?
    rm -f "$T/ov/s/etc/up/pam.d/$4"
    got=allowed
    [ "$rc" -ne 0 ] && got=refused
    is "$got" "$1" "erase $1: $2"
    [ "$got" = "$1" ] || diag "$T/script.out"
}
guard refused "auth [success=done ignore=ignore default=die]" \
    'auth [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user' sshd
grep -q '/etc/pam.d/sshd:1: auth \[success=done' "$T/script.out"
ok $? "the refusal names the file, the line and the text" || diag "$T/script.out"
grep -q 'module_unknown=ignore' "$T/script.out"
ok $? "the refusal says what to change"
guard allowed "the same with module_unknown=ignore" \
    'auth [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user' sshd
guard allowed "module_unknown=ignore after default=die" \
    'account [default=die module_unknown=ignore success=done] pam_eksauth.so' sshd
guard allowed "blanks around =" 'auth [success=done default = die module_unknown = ignore] pam_eksauth.so' sshd
guard refused "required" 'account required pam_eksauth.so' sudo
guard refused "Requisite (keywords are case-blind)" 'auth Requisite pam_eksauth.so' sudo
guard allowed "optional" 'session optional pam_eksauth.so' sshd
guard allowed "sufficient" 'auth sufficient pam_eksauth.so' sshd
guard allowed "default=ignore, absolute path" \
    'account [success=ok default=ignore] /usr/lib64/security/pam_eksauth.so' sshd
guard refused "a bracket control with no default (Linux-PAM makes it bad)" \
    'account [success=ok ignore=ignore] pam_eksauth.so' sshd
guard refused "a leading - only silences the log" '-auth [success=done default=die] pam_eksauth.so' sshd
guard refused "a line continued with a backslash" 'auth [success=done \
    default=die] pam_eksauth.so' sshd
guard allowed "a comment" '# auth required pam_eksauth.so' sshd
guard allowed "another module" 'auth required pam_unix.so' sshd
rm -f "$T/ov/s/etc/up/pam.conf" # (a whiteout: the host's pam.conf was deleted above)
printf 'sshd auth required pam_eksauth.so\n' >"$T/ov/s/etc/up/pam.conf"
run_script preuninstall 0
is "$?" "1" "erase refused: /etc/pam.conf, with its service column"
rm -f "$T/ov/s/etc/up/pam.conf"
mkdir -p "$T/ov/s/etc/up/authselect"
printf 'auth required pam_env.so\nauth [default=die] pam_eksauth.so\n' >"$T/ov/s/etc/up/authselect/system-auth"
ln -s ../authselect/system-auth "$T/ov/s/etc/up/pam.d/system-auth"
run_script preuninstall 0
is "$?" "1" "erase refused: a symlinked system-auth (authselect) is read through the link"
grep -q 'system-auth:2:' "$T/script.out"
ok $? "... and its line 2 is named" || diag "$T/script.out"
rm -f "$T/ov/s/etc/up/pam.d/system-auth"
run_script preuninstall 1
is "$?" "0" "an upgrade (%preun 1) never checks"

# --- 6. rpm -i, reinstall, rpm -e in a throwaway root ---------------------
mkroot r
# Amazon Linux's and Fedora's presets disable what they do not name; an
# AL2023 library folder is /usr/lib64: both made so here.
mkdir -p "$T/ov/r/etc/up/systemd/system-preset" "$T/ov/r/etc/up/ld.so.conf.d"
echo 'disable *' >"$T/ov/r/etc/up/systemd/system-preset/99-default-disable.preset"
echo /usr/lib64 >"$T/ov/r/etc/up/ld.so.conf.d/zz-lib64.conf"
inroot r sh -c 'cp "$1/etc/nsswitch.conf" "$2/nsswitch.before" && cp -a "$1/etc/pam.d" "$2/pam.d.before"' \
    sh "$T/r" "$T"
# rpm as the root's: its own database in the root, no dependency solving
# (the root is Debian's, its libraries are not in an rpm database).
inroot r rpm --root "$T/r" --initdb >"$T/rpmi.log" 2>&1 &&
    inroot r rpm --root "$T/r" -i --nodeps "$RPM" >>"$T/rpmi.log" 2>&1
ok $? "rpm -i in the root" || diag "$T/rpmi.log"
is "$(inroot r rpm --root "$T/r" -q eksauth 2>&1)" "$(rpm -qp "$RPM" 2>/dev/null)" "rpm -q eksauth in the root"
for f in /usr/bin/eksauth /usr/lib64/security/pam_eksauth.so /usr/lib64/libnss_eksauth.so.2 \
    /etc/eksauth/eksauth.conf /usr/lib/systemd/system/eksauth-sync.timer; do
    inroot r test -f "$T/r$f"
    ok $? "installed: $f"
done
is "$(inroot r stat -c '%a %u' "$T/r/var/lib/eksauth")" "755 0" "/var/lib/eksauth is 0755 root's"
is "$(inchroot r eksauth --version 2>&1)" "eksauth $VERSION" "eksauth --version in the root"
inroot r diff "$T/nsswitch.before" "$T/r/etc/nsswitch.conf" >"$T/nsswitch.diff"
is "$(sed -n 's/^> //p' "$T/nsswitch.diff" | grep -c 'files eksauth')" \
    "$(grep -Ec '^(passwd|group):.*[[:space:]]files([[:space:]]|$)' "$T/nsswitch.before")" \
    "nsswitch.conf: eksauth after files on the passwd: and group: lines" || diag "$T/nsswitch.diff"
inroot r test -L "$T/r/etc/systemd/system/timers.target.wants/eksauth-sync.timer"
ok $((!$?)) "the timer is not enabled (the preset disables it)"
inroot r diff -r "$T/pam.d.before" "$T/r/etc/pam.d" >"$T/pam.diff" 2>&1
ok $? "/etc/pam.d untouched by the install" || diag "$T/pam.diff"

# A working host: config, aws-auth, sync, then glibc resolves an eksauth user
# through the RPM's NSS module in /usr/lib64.
printf 'cluster_id = prod\naws_auth_file = /root/aws-auth.yaml\n' >"$T/ov/r/etc/up/eksauth/eksauth.conf"
chmod 0644 "$T/ov/r/etc/up/eksauth/eksauth.conf"
mkdir -p "$T/r/root"
install -m 0644 "$top_srcdir/tests/fixtures/aws-auth-bare.yaml" "$T/r/root/aws-auth.yaml"
inchroot r ldconfig && inchroot r eksauth sync >"$T/sync.log" 2>&1
ok $? "eksauth sync in the root" || diag "$T/sync.log"
like "$(inchroot r getent passwd deployer 2>&1)" '^deployer:\*:[0-9]+:[0-9]+:' \
    "getent passwd deployer: through /usr/lib64/libnss_eksauth.so.2"
like "$(inchroot r id -Gn alice 2>&1)" 'viewers' "id -Gn alice: the mapped group, through initgroups"

# Reinstall (an upgrade to the same version): the edited config stays, and
# eksauth stays in nsswitch.conf, once; taken out by the operator, it stays out.
inroot r cp "$T/r/etc/nsswitch.conf" "$T/nsswitch.installed"
inroot r rpm --root "$T/r" -U --replacepkgs --nodeps "$RPM" >"$T/rpmu.log" 2>&1
ok $? "rpm -U --replacepkgs in the root" || diag "$T/rpmu.log"
inroot r cmp -s "$T/nsswitch.installed" "$T/r/etc/nsswitch.conf"
ok $? "the upgrade leaves nsswitch.conf as it was (eksauth once)"
grep -q '^cluster_id = prod' "$T/ov/r/etc/up/eksauth/eksauth.conf"
ok $? "the edited eksauth.conf is kept (%config(noreplace))"
inroot r cp "$T/nsswitch.before" "$T/r/etc/nsswitch.conf"
inroot r rpm --root "$T/r" -U --replacepkgs --nodeps "$RPM" >>"$T/rpmu.log" 2>&1
inroot r cmp -s "$T/nsswitch.before" "$T/r/etc/nsswitch.conf"
ok $? "taken out by the operator, eksauth is not added back by an upgrade"
inroot r cp "$T/nsswitch.installed" "$T/r/etc/nsswitch.conf"

# The operator enables the timer; a hand-edited PAM line without
# module_unknown=ignore stops the erase; made safe, the erase goes on.
inchroot r systemctl enable eksauth-sync.timer >"$T/enable.log" 2>&1
inroot r test -L "$T/r/etc/systemd/system/timers.target.wants/eksauth-sync.timer"
ok $? "the operator enables the timer" || diag "$T/enable.log"
mkdir -p "$T/ov/r/etc/up/pam.d"
printf 'auth [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user\n' \
    >"$T/ov/r/etc/up/pam.d/eksauth-test"
inroot r rpm --root "$T/r" -e eksauth >"$T/rpme.log" 2>&1
ok $((!$?)) "rpm -e refused while /etc/pam.d has an unsafe pam_eksauth line" || diag "$T/rpme.log"
inroot r rpm --root "$T/r" -q eksauth >/dev/null 2>&1
ok $? "... the package is still installed"
inroot r test -x "$T/r/usr/bin/eksauth" && inroot r cmp -s "$T/nsswitch.installed" "$T/r/etc/nsswitch.conf"
ok $? "... and nothing of it was touched"
printf 'auth [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user\n' \
    >"$T/ov/r/etc/up/pam.d/eksauth-test"
inroot r rpm --root "$T/r" -e eksauth >"$T/rpme.log" 2>&1
ok $? "rpm -e in the root once the line survives a missing module" || diag "$T/rpme.log"
rm -f "$T/ov/r/etc/up/pam.d/eksauth-test"
inroot r cmp -s "$T/nsswitch.before" "$T/r/etc/nsswitch.conf"
ok $? "nsswitch.conf is back byte for byte" ||
    inroot r diff "$T/nsswitch.before" "$T/r/etc/nsswitch.conf" | sed 's/^/#   /'
inroot r diff -r "$T/pam.d.before" "$T/r/etc/pam.d" >"$T/pam.diff" 2>&1
ok $? "/etc/pam.d is back as it was" || diag "$T/pam.diff"
for f in /usr/bin/eksauth /usr/bin/eksauth-askpass /usr/lib64/security/pam_eksauth.so \
    /usr/lib64/libnss_eksauth.so.2 /var/lib/eksauth /usr/lib/systemd/system/eksauth-sync.timer \
    /etc/systemd/system/timers.target.wants/eksauth-sync.timer; do
    inroot r test ! -e "$T/r$f" -a ! -L "$T/r$f"
    ok $? "erased: $f"
done
inroot r test -f "$T/r/etc/eksauth/eksauth.conf.rpmsave"
ok $? "the edited config is kept as eksauth.conf.rpmsave"

echo "# rpm.sh took $(elapsed)"
done_testing
