#!/bin/sh
# make_install.sh - `make install DESTDIR=...` puts every file where the
# configure folders say (the modules, the tool, the man pages, the systemd
# units, the example config, the state folder 0755 root's, the examples);
# a second install keeps an edited config; `make uninstall` removes what
# install put there and nothing else (an edited config, the identity DB).
# TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"
submake -s install-dirs >"$T/dirs" 2>"$T/err" || { diag "$T/err"; bail "make install-dirs failed"; }
. "$T/dirs"

D="$T/dest"
submake install DESTDIR="$D" >"$T/install.log" 2>&1
ok $? "make install DESTDIR=..." || diag "$T/install.log"

# there PATH [TEST]: PATH exists under DESTDIR (and passes test, default -f).
there() {
    if [ "${2:--f}" "$D$1" ]; then pass "installed: $1"; else fail "installed: $1"; fi
}

there "$bindir/eksauth" -x
like "$("$D$bindir/eksauth" --version 2>&1)" "^eksauth $VERSION\$" "the installed eksauth runs: eksauth --version"
there "$pammoddir/pam_eksauth.so"
[ ! -e "$D$pammoddir/pam_eksauth.la" ]
ok $? "no libtool archive beside the PAM module"
there "$nssdir/libnss_eksauth.so.2"
there "$mandir/man1/eksauth.1"
there "$mandir/man5/eksauth.conf.5"
there "$mandir/man8/pam_eksauth.8"
there "$mandir/man8/nss_eksauth.8"
there "$systemdsystemunitdir/eksauth-sync.service"
there "$systemdsystemunitdir/eksauth-sync.timer"
grep -qx "ExecStart=$bindir/eksauth sync --if-changed" "$D$systemdsystemunitdir/eksauth-sync.service"
ok $? "the service runs the installed eksauth ($bindir/eksauth sync --if-changed)"
! grep -q '@[a-z]*@' "$D$systemdsystemunitdir"/eksauth-sync.*
ok $? "no @placeholder@ is left in the units"
for ex in eksauth.conf pam.d/sshd pam.d/sudo sshd_config.d/40-eksauth.conf sudoers.d/eksauth sudo.conf; do
    there "$eksauthexampledir/$ex"
done

conf="$D$eksauthconfdir/eksauth.conf"
cmp -s "$top_srcdir/etc/eksauth.conf.example" "$conf"
ok $? "the example config is installed as $eksauthconfdir/eksauth.conf"
# Every key the example shows, uncommented (the first of each), is one eksauth reads.
sed -nE 's/^#([a-z_]+) = /\1 = /p' "$top_srcdir/etc/eksauth.conf.example" |
    awk -F' = ' '!seen[$1]++' >"$T/example-all.conf"
"$EKSAUTH" --config "$T/example-all.conf" --aws-auth "$top_srcdir/tests/fixtures/aws-auth-sample.yaml" \
    map arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole >"$T/example-map.json" 2>"$T/example-map.err"
is "$?:$(grep -c '"name": "sudo"' "$T/example-map.json")" "0:1" \
    "every key of the example config, uncommented, is read ($(grep -c . "$T/example-all.conf") keys; its group_map applies)" ||
    sed 's/^/#   /' "$T/example-map.err"
is "$(stat -c %a "$conf" 2>/dev/null)" "644" "... mode 0644"
is "$(stat -c %a "$D$eksauthstatedir" 2>/dev/null)" "755" "the state folder $eksauthstatedir is 0755"
if [ "$(id -u)" = 0 ]; then
    is "$(stat -c %u:%g "$D$eksauthstatedir")" "0:0" "... and root's"
else
    skip "the state folder's owner (not root)"
fi

# An edited config survives a second install, and the DB an uninstall.
echo "cluster_id = edited" >>"$conf"
submake install DESTDIR="$D" >"$T/install2.log" 2>&1
ok $? "make install again"
grep -q "cluster_id = edited" "$conf"
ok $? "a second install keeps the edited config"
like "$(cat "$T/install2.log")" "keeping .*eksauth.conf" "... and says so"
: >"$D$eksauthstatedir/identity.db"

submake uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1
ok $? "make uninstall" || diag "$T/uninstall.log"
(cd "$D" && find . \( -type f -o -type l \) | sort) >"$T/left"
is "$(cat "$T/left")" "./${eksauthconfdir#/}/eksauth.conf
./${eksauthstatedir#/}/identity.db" "uninstall leaves only the edited config and the identity DB"

rm -f "$conf" "$D$eksauthstatedir/identity.db"
submake uninstall DESTDIR="$D" >"$T/uninstall2.log" 2>&1
ok $? "make uninstall again (nothing to remove)"

# A plain install and uninstall leave no file and none of eksauth's folders.
D="$T/dest2"
submake install DESTDIR="$D" >"$T/install3.log" 2>&1 && submake uninstall DESTDIR="$D" >"$T/uninstall3.log" 2>&1
ok $? "install, then uninstall, into a fresh DESTDIR"
is "$(cd "$D" && find . \( -type f -o -type l \) | wc -l)" "0" "uninstall leaves no file behind"
for dir in "$eksauthconfdir" "$eksauthstatedir" "$eksauthexampledir"; do
    [ ! -e "$D$dir" ]
    ok $? "uninstall removes $dir"
done

done_testing
