#!/bin/sh
# upgrade_sync.sh - the sync an upgrade runs (debian/eksauth.postinst
# configure, rpm/eksauth.spec's %post): the two copies are the same text,
# and each, run as the package manager runs it (sh -e), with the real
# eksauth on PATH: a sync that fails says why with the sync's own lines
# (its warnings, then its error) above its note, and the install goes on
# (exit 0); a sync that works prints nothing.  (It said only "could not be
# synced now", the sync's output thrown away: the operator never saw why.)
# The packages' tests (deb.sh, rpm.sh) run the scripts whole on a synced
# host; this one needs no package build.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

POSTINST="$top_srcdir/debian/eksauth.postinst"
SPEC="$top_srcdir/rpm/eksauth.spec"
[ -f "$POSTINST" ] && [ -f "$SPEC" ] || skip_all "no debian/ or rpm/ maintainer scripts"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"
[ "$(id -u)" = 0 ] || bail "needs root (eksauth reads a config only when root's)"

# The snippet: from "if ! why=$(eksauth sync" to its "fi", unindented; rpm
# reads the spec's %% as %.
snippet() { sed -n '/^ *if ! why=\$(eksauth sync/,/^ *fi$/p' "$1" | sed 's/^ *//'; }
snippet "$POSTINST" >"$T/deb.sh"
snippet "$SPEC" | sed 's/%%/%/g' >"$T/rpm.sh"
is "$(wc -l <"$T/deb.sh" | tr -d ' ')" 4 "the postinst's sync is found (4 lines)"
cmp -s "$T/deb.sh" "$T/rpm.sh"
ok $? "the postinst's and the %post's are the same text" ||
    diff "$T/deb.sh" "$T/rpm.sh" | sed 's/^/#   /'

# The real eksauth, as the scripts find it (PATH), with its config and DB here.
mkdir -p "$T/bin" "$T/db"
ln -s "$(cd "$(dirname "$EKSAUTH")" && pwd)/$(basename "$EKSAUTH")" "$T/bin/eksauth"
cp "$top_srcdir/tests/fixtures/aws-auth-sample.yaml" "$T/aws-auth.yaml"
chmod 0644 "$T/aws-auth.yaml"
chmod 0755 "$T/db"
export EKSAUTH_DB="$T/db/identity.db"
export EKSAUTH_CONFIG="$T/eksauth.conf"

# run WHICH: the snippet of WHICH (deb, rpm) under sh -e; rc, $T/out, $T/err.
run() {
    PATH="$T/bin:$PATH" sh -e "$T/$1.sh" >"$T/out" 2>"$T/err"
    rc=$?
}

for which in deb rpm; do
    # aws_auth_file names a file that is not there: the sync fails (exit 2).
    printf 'cluster_id = prod\naws_auth_file = %s/missing.yaml\n' "$T" >"$T/eksauth.conf"
    chmod 0644 "$T/eksauth.conf"
    run "$which"
    is "$rc" 0 "$which: a failed sync: the install goes on"
    like "$(cat "$T/err")" "eksauth: sync: $T/missing.yaml \(aws_auth_file in $T/eksauth.conf\) does not exist" \
        "$which: ... the sync's own error says why" || diag "$T/err"
    is "$(tail -n 1 "$T/err")" \
        "eksauth: the identity DB could not be synced now (see above); run eksauth sync" \
        "$which: ... then the note, last"
    is "$(cat "$T/out")" "" "$which: ... nothing on standard output"

    # The sample aws-auth: the sync works, and says nothing (its summary is not shown).
    printf 'cluster_id = prod\naws_auth_file = %s/aws-auth.yaml\n' "$T" >"$T/eksauth.conf"
    run "$which"
    is "$rc:$(cat "$T/out" "$T/err")" "0:" "$which: a sync that works: exit 0, nothing printed"
    [ -f "$EKSAUTH_DB" ]
    ok $? "$which: ... and the identity DB is written"
    rm -f "$T/db/"*
done

done_testing
