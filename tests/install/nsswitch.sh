#!/bin/sh
# nsswitch.sh - the Debian maintainer scripts' edits of /etc/nsswitch.conf,
# run for real (postinst configure, postrm purge) with DPKG_ROOT pointing at
# a private folder: eksauth goes right after "files" on the passwd: and
# group: lines (and initgroups:, when there is one), only on the first
# configure, nothing else in the file changes (bytes, mode, owner, a
# symlink), and purge gives back the file byte for byte.  The fix that `eksauth doctor` prints is the same line.
# TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

POSTINST="$top_srcdir/debian/eksauth.postinst"
POSTRM="$top_srcdir/debian/eksauth.postrm"
[ -f "$POSTINST" ] && [ -f "$POSTRM" ] || skip_all "no debian/ maintainer scripts"

R="$T/root"
mkdir -p "$R/etc"

configure() { DPKG_ROOT="$R" sh "$POSTINST" configure "$@" >"$T/out" 2>&1; }
purge() { DPKG_ROOT="$R" sh "$POSTRM" purge >"$T/out" 2>&1; }

# case NAME INPUT EXPECTED: configure on INPUT must give EXPECTED, purge INPUT.
case_() {
    name=$1
    printf '%s' "$2" >"$R/etc/nsswitch.conf"
    cp "$R/etc/nsswitch.conf" "$T/before"
    printf '%s' "$3" >"$T/want"
    configure ""
    ok $? "$name: postinst configure runs"
    if cmp -s "$R/etc/nsswitch.conf" "$T/want"; then pass "$name: eksauth added as expected"; else
        fail "$name: eksauth added as expected"
        diff "$T/want" "$R/etc/nsswitch.conf" | sed 's/^/#   /'
    fi
    purge
    ok $? "$name: postrm purge runs"
    if cmp -s "$R/etc/nsswitch.conf" "$T/before"; then pass "$name: purge gives back the file byte for byte"; else
        fail "$name: purge gives back the file byte for byte"
        diff "$T/before" "$R/etc/nsswitch.conf" | sed 's/^/#   /'
    fi
}

debian12='# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.

passwd:         files systemd
group:          files systemd
shadow:         files systemd
gshadow:        files systemd

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
'
want12=$(printf '%s' "$debian12" | sed -e 's/^passwd:         files systemd$/passwd:         files eksauth systemd/' \
    -e 's/^group:          files systemd$/group:          files eksauth systemd/')
case_ "Debian 12" "$debian12" "$want12
"
case_ "minbase" 'passwd: files
group: files
hosts: files dns
' 'passwd: files eksauth
group: files eksauth
hosts: files dns
'
case_ "compat" 'passwd:         compat
group:          compat
' 'passwd:         compat eksauth
group:          compat eksauth
'
case_ "files with an action" 'passwd: files systemd
group: files [SUCCESS=merge] systemd
' 'passwd: files eksauth systemd
group: files [SUCCESS=merge] eksauth systemd
'
case_ "files with an action that ends at NOTFOUND" 'passwd: files [NOTFOUND=return] systemd
group: files [ notfound = Return ] systemd
' 'passwd: files eksauth [NOTFOUND=return] systemd
group: files eksauth [ notfound = Return ] systemd
'
case_ "an action of several items, or negated, that ends at NOTFOUND" 'passwd: files [SUCCESS=merge NOTFOUND=return] systemd
group: files [ !UNAVAIL = return ] systemd
' 'passwd: files eksauth [SUCCESS=merge NOTFOUND=return] systemd
group: files eksauth [ !UNAVAIL = return ] systemd
'
case_ "an action that does not end at NOTFOUND" 'passwd: files [!NOTFOUND=return] systemd
group: files [UNAVAIL=return TRYAGAIN=return] systemd
' 'passwd: files [!NOTFOUND=return] eksauth systemd
group: files [UNAVAIL=return TRYAGAIN=return] eksauth systemd
'
case_ "tabs" "$(printf 'passwd:\tfiles\tsystemd\ngroup:\tfiles')" "$(printf 'passwd:\tfiles eksauth\tsystemd\ngroup:\tfiles eksauth')"
case_ "comments" 'passwd: files # local accounts first
group: files#no blank
# passwd: files
' 'passwd: files eksauth # local accounts first
group: files eksauth#no blank
# passwd: files
'
case_ "files later on the line" 'passwd: sss files
group: ldap filesystem
' 'passwd: sss files eksauth
group: ldap filesystem eksauth
'
# glibc's own example file has an initgroups: line, which glibc's
# initgroups (a login's groups) reads instead of group:.
case_ "an initgroups: line" 'passwd:     files
group:      files
initgroups: files
hosts:      files dns
' 'passwd:     files eksauth
group:      files eksauth
initgroups: files eksauth
hosts:      files dns
'
case_ "no final newline" 'hosts: files dns
passwd: files' 'hosts: files dns
passwd: files eksauth'

# Already listed: nothing changes on configure.
printf 'passwd: files eksauth\ngroup: files systemd eksauth\n' >"$R/etc/nsswitch.conf"
cp "$R/etc/nsswitch.conf" "$T/before"
configure ""
cmp -s "$R/etc/nsswitch.conf" "$T/before"
ok $? "a file that lists eksauth already is left as it is"

# An upgrade (a previous version configured) never adds it back.
printf '%s' "$debian12" >"$R/etc/nsswitch.conf"
configure "0.0.9"
is "$(grep -c eksauth "$R/etc/nsswitch.conf")" "0" "an upgrade leaves nsswitch.conf alone"

# Twice in a row (a failed configure run again): the same as once.
configure ""
configure ""
is "$(grep -c 'files eksauth systemd' "$R/etc/nsswitch.conf")" "2" "configure twice adds eksauth once"
purge

# Mode and owner stay; a symlink stays a symlink and its target is edited.
mkdir -p "$R/etc/alt"
printf '%s' "$debian12" >"$R/etc/alt/nsswitch.conf"
chmod 0640 "$R/etc/alt/nsswitch.conf"
rm -f "$R/etc/nsswitch.conf"
ln -s alt/nsswitch.conf "$R/etc/nsswitch.conf"
configure ""
[ -L "$R/etc/nsswitch.conf" ] && grep -q 'files eksauth systemd' "$R/etc/alt/nsswitch.conf"
ok $? "a symlinked nsswitch.conf: the link stays, its target gets eksauth"
is "$(stat -c %a "$R/etc/alt/nsswitch.conf")" "640" "the file's mode is kept"
purge
printf '%s' "$debian12" | cmp -s - "$R/etc/alt/nsswitch.conf"
ok $? "purge through the symlink gives back the file"
rm -rf "$R/etc/alt" "$R/etc/nsswitch.conf"
ls "$R/etc" | grep -q eksauth-new
ok $((!$?)) "no temporary file is left in /etc"

configure ""
ok $? "no nsswitch.conf at all: configure succeeds"
[ ! -e "$R/etc/nsswitch.conf" ]
ok $? "... and creates none"

# purge also removes the state folder (under DPKG_ROOT).
mkdir -p "$R/var/lib/eksauth"
: >"$R/var/lib/eksauth/identity.db"
purge
[ ! -e "$R/var/lib/eksauth" ]
ok $? "purge removes /var/lib/eksauth"

# eksauth doctor proposes the very line postinst writes.
if [ -x "$EKSAUTH" ]; then
    for input in "passwd:         files systemd" "passwd: files [SUCCESS=merge] sss" \
        "passwd: files [NOTFOUND=return] systemd" \
        "passwd: files [SUCCESS=merge NOTFOUND=return] systemd" "passwd: files [!UNAVAIL=return] sss" \
        "passwd: files [!NOTFOUND=return] systemd" \
        "passwd:	compat" "passwd: eksauth files" "passwd: ldap # no files"; do
        printf '%s\n' "$input" >"$R/etc/nsswitch.conf"
        "$EKSAUTH" doctor --json --root "$R" >"$T/json" 2>"$T/err"
        got=$(python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] == "nsswitch" and "passwd:" in f["problem"]:
        print(f["fix"].split(" to: ", 1)[1])' "$T/json")
        rm -f "$R/etc/nsswitch.conf"
        printf '%s\n' "$input" | sed 's/ eksauth//' >"$R/etc/nsswitch.conf"
        configure ""
        is "$got" "$(cat "$R/etc/nsswitch.conf")" "doctor's fix for '$input' is postinst's line"
        rm -f "$R/etc/nsswitch.conf"
    done
else
    skip "eksauth is not built"
fi

done_testing
