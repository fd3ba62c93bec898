#!/bin/sh
# deb_prerm.sh - debian/eksauth.prerm remove, run for real with DPKG_ROOT
# pointing at a private folder: it refuses (exit 1, the file, line and text
# named, nothing changed) while a PAM line loads pam_eksauth.so and would
# fail once the module is gone, which would lock every account out, the
# break-glass one too; it lets the removal go on with the lines that step
# aside (what eksauth setup, the examples and the pam-auth-update profile
# write).  The same cases as rpm/eksauth.spec's %preun in
# tests/install/rpm.sh.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

PRERM="$top_srcdir/debian/eksauth.prerm"
[ -f "$PRERM" ] || skip_all "no debian/ maintainer scripts"

R="$T/root"
mkdir -p "$R/etc/pam.d"

# guard EXPECT NAME LINE [FILE]: with LINE alone in /etc/pam.d/FILE (sshd),
# prerm remove is EXPECT: refused or allowed.
guard() {
    rm -f "$R"/etc/pam.d/* "$R/etc/pam.conf"
    printf '%s\n' '# PAM configuration for the Secure Shell service' '@include common-auth' >"$R/etc/pam.d/${4:-sshd}"
    printf '%s\n' "$3" >>"$R/etc/pam.d/${4:-sshd}"
    cp "$R/etc/pam.d/${4:-sshd}" "$T/before"
    DPKG_ROOT="$R" sh "$PRERM" remove >"$T/out" 2>&1
    rc=$?
    got=allowed
    [ "$rc" -ne 0 ] && got=refused
    is "$got" "$1" "prerm remove: $2"
    if [ "$1" = refused ]; then
        like "$(cat "$T/out")" "$R/etc/pam.d/${4:-sshd}:3: " "prerm remove: $2: names the file and line"
    fi
    cmp -s "$T/before" "$R/etc/pam.d/${4:-sshd}"
    ok $? "prerm remove: $2: the file is left as it was"
}

guard refused "[success=done ignore=ignore default=die], an older README's" \
    'auth [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user'
guard refused "required" 'account required pam_eksauth.so' sudo
guard refused "Requisite (keywords are case-blind)" 'auth Requisite pam_eksauth.so'
guard refused "-auth required (the dash only silences the log)" '-auth required pam_eksauth.so'
guard refused "a full path" 'auth required /lib/x86_64-linux-gnu/security/pam_eksauth.so'
guard refused "module_unknown=bad" 'auth [success=ok module_unknown=bad default=ignore] pam_eksauth.so'
guard refused "module_unknown=ignore taken back by a later module_unknown=die" \
    'auth [module_unknown=ignore success=ok module_unknown=die] pam_eksauth.so'
guard refused "MODULE_UNKNOWN=ignore (not a word Linux-PAM knows)" \
    'auth [success=ok MODULE_UNKNOWN=ignore default=die] pam_eksauth.so'
guard refused "a line continued with a backslash" 'auth required \
    pam_eksauth.so'
guard refused "an unknown value name beside module_unknown=ignore (every value bad)" \
    'auth [success=ok bogus=ignore module_unknown=ignore] pam_eksauth.so'
guard refused "a \\] inside the brackets (a ] Linux-PAM cannot read: every value bad)" \
    'auth [module_unknown=ignore success=ok\] default=die] pam_eksauth.so'
guard refused "blanks after the continuing backslash" \
    "$(printf 'auth required \\  \n    pam_eksauth.so')"
guard allowed "a bare module_unknown=ignore control (not a keyword)" \
    'auth module_unknown=ignore pam_eksauth.so'
guard allowed "eksauth setup's auth line" \
    'auth    [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user'
guard allowed "eksauth setup's account line" \
    'account [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user require_token=sshd'
guard allowed "the pam-auth-update profile's auth line" 'auth [success=2 default=ignore] pam_eksauth.so' common-auth
guard allowed "optional" 'session optional pam_eksauth.so'
guard allowed "sufficient" 'auth sufficient pam_eksauth.so'
guard allowed "the first default= decides without module_unknown" \
    'auth [success=ok default=ignore default=die] pam_eksauth.so'
guard allowed "a comment" '# auth required pam_eksauth.so'
guard allowed "another module" 'auth required pam_eksauth_other.so'
guard allowed "pam_eksauth.so as another module's argument" 'auth required pam_exec.so /bin/true pam_eksauth.so'

# /etc/pam.conf: a service name first.
rm -f "$R"/etc/pam.d/*
printf 'sshd auth required pam_eksauth.so\n' >"$R/etc/pam.conf"
DPKG_ROOT="$R" sh "$PRERM" remove >"$T/out" 2>&1
is "$?" 1 "prerm remove: a failing line in /etc/pam.conf refuses too"
like "$(cat "$T/out")" "module_unknown=ignore" "prerm remove: the refusal says the fix"

# Allowed, the lines left are still named.
rm -f "$R/etc/pam.conf"
printf 'session optional pam_eksauth.so\n' >"$R/etc/pam.d/sshd"
DPKG_ROOT="$R" sh "$PRERM" remove >"$T/out" 2>&1
is "$?:$(grep -c "$R/etc/pam.d/sshd:1: session optional pam_eksauth.so" "$T/out")" "0:1" \
    "prerm remove: allowed, and names the lines still loading the module"

done_testing
