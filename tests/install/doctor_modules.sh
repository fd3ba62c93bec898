#!/bin/sh
# doctor_modules.sh - `eksauth doctor` on this host (not under --root) says
# whether glibc and libpam load the modules, not only whether a copy is on
# disk: the NSS module as glibc loads it (dlopen of libnss_eksauth.so.2, its
# _nss_eksauth_getpwnam_r), pam_eksauth.so beside pam_unix.so, where libpam
# loads modules from.  A copy only in /usr/local/lib (a source build's
# default prefix, which ld.so does not search and ldconfig may not list) or
# in /usr/local/lib/security is an error there, with the fix; the NSS copy
# in ld.so's cache, and pam_eksauth.so beside pam_unix.so, are ok.  Each run
# is in a private mount namespace: a tmpfs over /usr/local/lib, ld.so's
# cache and the PAM module folder bound over from copies in $T, so nothing
# on this host changes.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (mount namespaces)"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"
command -v unshare >/dev/null && unshare -m true 2>/dev/null || skip_all "unshare -m is not allowed here"
command -v python3 >/dev/null || bail "python3 is needed to read doctor's JSON"
command -v ldconfig >/dev/null || skip_all "no ldconfig"
NSS="$top_builddir/nss_eksauth/libnss_eksauth.so.2"
PAM="$top_builddir/pam_eksauth/.libs/pam_eksauth.so"
[ -f "$NSS" ] && [ -f "$PAM" ] || bail "the modules are not built"
[ -d /usr/local/lib ] || skip_all "no /usr/local/lib to mount over"
# The folder libpam loads modules from on this host: where pam_unix.so is.
unix_so=$(find /lib /usr/lib /lib64 /usr/lib64 -name pam_unix.so 2>/dev/null | head -n 1)
[ -n "$unix_so" ] || skip_all "no pam_unix.so on this host"
SECDIR=$(dirname "$(readlink -f "$unix_so")")
[ ! -e "$SECDIR/pam_eksauth.so" ] || skip_all "pam_eksauth.so is installed on this host"
if sh -c 'exec env -u LD_LIBRARY_PATH python3 -c "import ctypes; ctypes.CDLL(\"libnss_eksauth.so.2\")"' 2>/dev/null; then
    skip_all "libnss_eksauth.so.2 is installed on this host"
fi
DOCTOR_LD=
export EKSAUTH T DOCTOR_LD

# in_ns SCRIPT: SCRIPT in a private mount namespace, /usr/local/lib a tmpfs
# holding the built NSS module and security/pam_eksauth.so; then doctor's
# module findings ("LEVEL WHERE: PROBLEM fix: FIX", one a line) into $T/out.
in_ns() {
    unshare -m sh -eu -c '
        mount -t tmpfs tmpfs /usr/local/lib
        mkdir /usr/local/lib/security
        cp "$1" /usr/local/lib/libnss_eksauth.so.2
        cp "$2" /usr/local/lib/security/pam_eksauth.so
        eval "$3"
        exec env -u LD_LIBRARY_PATH ${DOCTOR_LD:+"LD_LIBRARY_PATH=$DOCTOR_LD"} "$EKSAUTH" doctor --json' \
        sh "$NSS" "$PAM" "$1" >"$T/doctor.json" 2>"$T/doctor.err"
    python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] == "modules":
        print("%s %s: %s fix: %s" % (f["level"], f["where"], f["problem"], f["fix"]))' \
        "$T/doctor.json" >"$T/out" || { cat "$T/doctor.err"; return 1; }
}

# Copies only in /usr/local: doctor's earlier check took the NSS one for installed.
in_ns ':'
out=$(cat "$T/out")
like "$out" '^error /usr/local/lib/libnss_eksauth.so.2: glibc does not load it from there \(.*\): NSS never asks eksauth, so eksauth users are unknown fix: run ldconfig if that folder is listed in /etc/ld.so.conf\(.d\), else install the module where glibc looks: the eksauth package, or ./configure --with-nssdir=/' \
    "NSS module only in /usr/local/lib: an error, with ldconfig and --with-nssdir"
like "$out" "^error /usr/local/lib/security/pam_eksauth.so: libpam does not load it from there: it loads modules from $SECDIR \\(where pam_unix.so is\\), so sshd's pam_eksauth lines find no module fix: install the module there: the eksauth package, or ./configure --with-pammoddir=$SECDIR" \
    "PAM module only in /usr/local/lib/security: an error naming libpam's folder"
unlike "$out" '^ok ' "no ok for a module neither loader loads"

# The NSS copy found only through this shell's LD_LIBRARY_PATH, which sshd has
# not: a warning, not an ok.
DOCTOR_LD=/usr/local/lib in_ns ':'
DOCTOR_LD=
out=$(cat "$T/out")
like "$out" "^warning /usr/local/lib/libnss_eksauth.so.2: libnss_eksauth.so.2 was found in a folder this shell's LD_LIBRARY_PATH names, which services such as sshd do not have fix: run eksauth doctor again without LD_LIBRARY_PATH" \
    "NSS module found through LD_LIBRARY_PATH alone: a warning"
unlike "$out" '^ok /usr/local/lib/libnss' "... and no ok for it"

# /usr/local/lib in ld.so's cache (ldconfig run for it), pam_eksauth.so beside
# pam_unix.so: both loaded, both ok.
in_ns '
    printf "include /etc/ld.so.conf\n/usr/local/lib\n" >"$T/ld.so.conf"
    ldconfig -C "$T/ld.so.cache" -f "$T/ld.so.conf"
    mount --bind "$T/ld.so.cache" /etc/ld.so.cache
    mkdir "$T/security"
    cp -a '"$SECDIR"'/. "$T/security/"
    cp /usr/local/lib/security/pam_eksauth.so "$T/security/"
    mount --bind "$T/security" '"$SECDIR"'
    rm /usr/local/lib/security/pam_eksauth.so'
out=$(cat "$T/out")
like "$out" '^ok /usr/local/lib/libnss_eksauth.so.2: libnss_eksauth.so.2 is installed: glibc loads it from there' \
    "NSS module in ld.so's cache: ok, where glibc loads it from"
like "$out" "^ok $SECDIR/pam_eksauth.so: pam_eksauth.so is installed where libpam loads modules from" \
    "PAM module beside pam_unix.so: ok"
unlike "$out" '^error ' "no module error then"

# The same cache, and /usr/local/lib in this shell's LD_LIBRARY_PATH too: ld.so
# finds the module without it (what sshd loads), so no warning; the ok.
DOCTOR_LD=/usr/local/lib in_ns '
    printf "include /etc/ld.so.conf\n/usr/local/lib\n" >"$T/ld.so.conf"
    ldconfig -C "$T/ld.so.cache" -f "$T/ld.so.conf"
    mount --bind "$T/ld.so.cache" /etc/ld.so.cache'
DOCTOR_LD=
out=$(cat "$T/out")
like "$out" '^ok /usr/local/lib/libnss_eksauth.so.2: libnss_eksauth.so.2 is installed: glibc loads it from there' \
    "NSS module in ld.so's cache and in LD_LIBRARY_PATH: ok, as ld.so finds it without"
unlike "$out" '^warning /usr/local/lib/libnss' "... and no LD_LIBRARY_PATH warning"

# Under --root (an image) the files are looked for as before: this host's
# loaders are not the image's.
mkdir -p "$T/img/usr/local/lib"
cp "$NSS" "$T/img/usr/local/lib/"
"$EKSAUTH" doctor --json --root "$T/img" >"$T/img.json" 2>/dev/null
like "$(python3 -c '
import json, sys
print([f["level"] + " " + str(f["where"]) for f in json.load(open(sys.argv[1]))["findings"] if f["check"] == "modules"])' "$T/img.json")" \
    "ok /usr/local/lib/libnss_eksauth.so.2" "--root: a copy on disk, as before"

done_testing
