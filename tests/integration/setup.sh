#!/bin/sh
# setup.sh - `eksauth setup --root DIR` as the operator sees it, on a
# throwaway root laid out like Debian 12: a write that fails halfway (a
# folder made read-only in a private mount namespace) is said file by file,
# written or not, exit 2, and the way on; setup again then writes what is
# left, and --undo after a stopped run gives every file back.  What setup
# writes, eksauth doctor does not call an error: eksauth in front of a
# [NOTFOUND=return] after files; no drop-in that sshd_config does not
# include.  The drop-in is 40-eksauth.conf: an earlier setup's eksauth.conf
# is moved there (never an operator's), and with AL2023's 50-redhat.conf
# beside it sshd -T says keyboard-interactive is on.  A symbolic link under
# --root on the way to a file setup reads or writes is refused, never
# followed out of the image.  TAP output.
#
# Environment: EKSAUTH, top_srcdir (set by make check).
set -u
. "$top_srcdir/tests/lib/tap.sh"
: "${EKSAUTH:?EKSAUTH is not set (run through make check)}"

[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
    bail "needs root and unshare -m (a folder made read-only in a private mount namespace)"
T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-setup.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
chmod 0755 "$T"
unset EKSAUTH_CONFIG
HOST="$top_srcdir/tests/fixtures/doctor/host"
DROPIN=/etc/ssh/sshd_config.d/40-eksauth.conf
OLD_DROPIN=/etc/ssh/sshd_config.d/eksauth.conf # an earlier setup's name for it
FILES="etc/nsswitch.conf etc/pam.d/sshd $DROPIN etc/sudoers.d/eksauth etc/sudo.conf $OLD_DROPIN"

# make_root DIR: Debian 12's files as its packages leave them, and eksauth.conf.
make_root() {
    mkdir -p "$1/etc/pam.d" "$1/etc/ssh/sshd_config.d" "$1/etc/sudoers.d" "$1/etc/eksauth"
    cp "$HOST/etc/passwd" "$HOST/etc/group" "$1/etc/"
    sed 's/ eksauth//' "$HOST/etc/nsswitch.conf" >"$1/etc/nsswitch.conf"
    cp "$HOST/etc/ssh/sshd_config" "$1/etc/ssh/"
    printf '%s\n' '# PAM configuration for the Secure Shell service' '@include common-auth' \
        'account    required     pam_nologin.so' '@include common-account' \
        'session    required     pam_loginuid.so' '@include common-session' \
        'session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale' \
        '@include common-password' >"$1/etc/pam.d/sshd"
    printf '#\n# Default /etc/sudo.conf file\n#\n' >"$1/etc/sudo.conf"
    printf 'cluster_id = prod\n' >"$1/etc/eksauth/eksauth.conf"
    chmod 0644 "$1/etc/eksauth/eksauth.conf"
}

# sums DIR: each setup file's sha256 (or "none").
sums() {
    for f in $FILES; do
        if [ -e "$1/$f" ]; then sha256sum <"$1/$f" | cut -c1-16; else echo none; fi
    done | tr '\n' ' '
}

# setup_ro DIR FOLDER [ARGS]: eksauth setup --root DIR with DIR/FOLDER read-only.
setup_ro() {
    r=$1
    ro=$2
    shift 2
    unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" &&
        shift && exec "$@"' sh "$r/$ro" "$EKSAUTH" setup --root "$r" "$@" \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# row FILE: the line setup printed for FILE.
row() { grep "^$1 " "$T/out" | sed 's/  */ /g'; }

R="$T/root"
make_root "$R"
before=$(sums "$R")
cp -a "$R" "$T/whole"
"$EKSAUTH" setup --root "$T/whole" >"$T/whole.out" 2>&1
ok $? "setup on a copy: the files one whole run writes" || sed 's/^/#   /' "$T/whole.out"
whole=$(sums "$T/whole")

# 1. pam.d read-only: the drop-in and the sudo files are written first, then
#    pam.d/sshd fails, and nsswitch.conf is not tried.
setup_ro "$R" etc/pam.d
is "$rc" 2 "a write fails: exit 2"
like "$(row $DROPIN)" "^$DROPIN written: " \
    "the drop-in (written first): written"
like "$(row /etc/sudoers.d/eksauth):$(row /etc/sudo.conf)" '^/etc/sudoers.d/eksauth written: .*:/etc/sudo.conf written: ' \
    "sudoers.d/eksauth and sudo.conf: written"
like "$(row /etc/pam.d/sshd)" '^/etc/pam.d/sshd NOT written \(it failed, below\): ' \
    "pam.d/sshd: NOT written, it failed"
like "$(row /etc/nsswitch.conf)" '^/etc/nsswitch.conf not written \(stopped before it\): ' \
    "nsswitch.conf: not written, setup stopped before it"
unlike "$(cat "$T/out")" '^next:' "no 'next:' line after a failure"
like "$(sed -n 1p "$T/err")" "^eksauth: setup: $R/etc/pam.d/sshd: cannot create a temporary file: Read-only file system$" \
    "the error names the file and the cause"
like "$(sed -n 2p "$T/err")" '^eksauth: setup: stopped at that failure: changed: /etc/ssh/sshd_config.d/40-eksauth.conf, /etc/sudoers.d/eksauth, /etc/sudo.conf; not changed: /etc/nsswitch.conf, /etc/pam.d/sshd\.  Fix the cause above and run eksauth setup again: it changes only what is left \(eksauth setup --undo takes out what was written\)$' \
    "then which files changed and which not, and to run setup again"
is "$(sums "$R" | cut -d' ' -f1,2)" "$(echo "$before" | cut -d' ' -f1,2)" \
    "nsswitch.conf and pam.d/sshd are byte for byte as before"
is "$(sums "$R" | cut -d' ' -f3-)" "$(echo "$whole" | cut -d' ' -f3-)" \
    "the three files said written are as a whole run writes them"

# 2. Setup again: the rest, and the files as one whole run leaves them.
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
is "$?:$(grep -c ' written: ' "$T/out"):$(grep -c ' already set up: ' "$T/out")" "0:2:3" \
    "setup again: exit 0, the two files left written, three already set up"
is "$(sums "$R")" "$whole" "... and every file as one whole run writes it"
is "$(grep '^next:' "$T/out")" "next: on an instance booted from $R, eksauth doctor checks it (its sshd reads the files at boot)" \
    "... and its next step is the image's, never this host's sshd reload"

# 3. --undo after a stopped run: every file as it was.
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
setup_ro "$R" etc/pam.d
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>"$T/err"
is "$?:$(sums "$R")" "0:$before" "--undo after a stopped run: every file back as it was"
is "$(grep -c ' nothing to take out$' "$T/out")" 2 "... nsswitch.conf and pam.d/sshd had nothing to take out"

# 4. --undo stopped halfway: the drop-in goes last (eksauth users are
#    unknown by then), and --undo again finishes.
"$EKSAUTH" setup --root "$R" >"$T/out" 2>&1
setup_ro "$R" etc/ssh/sshd_config.d --undo
is "$rc" 2 "--undo with the drop-in's folder read-only: exit 2"
like "$(row /etc/nsswitch.conf):$(row /etc/pam.d/sshd)" '^/etc/nsswitch.conf taken out:/etc/pam.d/sshd taken out$' \
    "nsswitch.conf and pam.d/sshd taken out first"
like "$(row /etc/sudoers.d/eksauth):$(row /etc/sudo.conf)" '^/etc/sudoers.d/eksauth removed:/etc/sudo.conf taken out$' \
    "the sudo files taken out next"
like "$(row $DROPIN)" "^$DROPIN NOT removed \\(it failed, below\\)\$" \
    "the drop-in, last: NOT removed"
like "$(sed -n 2p "$T/err")" 'run eksauth setup --undo again: it changes only what is left$' \
    "the way on: --undo again"

# 5. Nothing written before the failure: said so.
make_root "$T/first"
setup_ro "$T/first" etc/ssh/sshd_config.d
is "$rc:$(sed -n 2p "$T/err")" "2:eksauth: setup: nothing was changed: fix the cause above and run eksauth setup again" \
    "the first write fails: nothing was changed, and to run setup again"
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
is "$?:$(sums "$R")" "0:$before" "--undo again: every file back as it was"

# doctor_errors DIR CHECK: eksauth doctor's errors of CHECK for DIR, one a line,
# or "no CHECK error": a verdict, so a doctor or a parse that failed (nothing
# printed) is not taken for no error.
doctor_errors() {
    "$EKSAUTH" doctor --json --root "$1" >"$T/doctor.json" 2>"$T/doctor.err"
    python3 - "$T/doctor.json" "$2" <<'PY'
import json, sys
errors = ["%s: %s fix: %s" % (f["where"], f["problem"], f["fix"])
          for f in json.load(open(sys.argv[1]))["findings"]
          if f["level"] == "error" and f["check"] == sys.argv[2]]
print("\n".join(errors) or "no %s error" % sys.argv[2])
PY
}

# 6. [NOTFOUND=return] after files: eksauth goes in front of it, where it is
#    asked, and doctor finds nothing wrong with the line.
R="$T/notfound"
make_root "$R"
printf 'passwd: files [NOTFOUND=return] systemd\ngroup: files systemd\n' >"$R/etc/nsswitch.conf"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
is "$?:$(sed -n 1p "$R/etc/nsswitch.conf")" "0:passwd: files eksauth [NOTFOUND=return] systemd" \
    "passwd: files [NOTFOUND=return] systemd: eksauth in front of the action"
is "$(doctor_errors "$R" nsswitch)" "no nsswitch error" "... and eksauth doctor reports no nsswitch error"
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
is "$(sed -n 1p "$R/etc/nsswitch.conf")" "passwd: files [NOTFOUND=return] systemd" \
    "--undo: the line as it was"
printf 'passwd: sss systemd\ngroup: files systemd\n' >"$R/etc/nsswitch.conf"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" '^2:eksauth: setup: line 1 of nsswitch.conf, passwd:, lists neither files nor compat: .*put files first on it and run setup again; nothing was changed$' \
    "passwd: without files: refused, nothing changed"

# 7. An sshd_config without the Include of sshd_config.d: sshd would never
#    read the drop-in, so setup refuses and changes nothing.
R="$T/noinclude"
make_root "$R"
sed -i '/^Include /d' "$R/etc/ssh/sshd_config"
before=$(sums "$R")
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $R/etc/ssh/sshd_config has no Include line for $DROPIN .*add the line \"Include /etc/ssh/sshd_config.d/\*.conf\" at the top of it .*; nothing was changed\$" \
    "sshd_config without Include: refused, with the line to add"
is "$(sums "$R")" "$before" "... and every file as it was"
sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' "$R/etc/ssh/sshd_config"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
is "$?:$(grep -c ' written: ' "$T/out")" "0:5" "the Include added: setup writes the five files"

# The drop-in an earlier setup wrote as eksauth.conf, for eks-users (doctor's
# case of a host set up so, tests/install/doctor.sh, has it too).
EARLIER_DROPIN="$top_srcdir/tests/fixtures/doctor/cases/sshd-dropin-earlier-name/files$OLD_DROPIN"

# earlier_root DIR: a host an earlier version set up: its files, with the drop-in as eksauth.conf.
earlier_root() {
    make_root "$1"
    "$EKSAUTH" setup --root "$1" >"$T/out" 2>&1 || bail "setup --root $1: $(cat "$T/out")"
    rm "$1$DROPIN"
    cp "$EARLIER_DROPIN" "$1$OLD_DROPIN"
}

# 8. A host an earlier version set up: setup writes 40-eksauth.conf, then
#    removes eksauth.conf, which sshd read after the distributions' 50-*.conf;
#    again, nothing (and no line for a name no longer there); --undo takes
#    out either.
make_root "$T/fresh"
fresh=$(sums "$T/fresh")
R="$T/earlier"
earlier_root "$R"
before=$(sums "$R")
"$EKSAUTH" setup --dry-run --root "$R" >"$T/out" 2>&1
like "$?:$(row $DROPIN):$(row $OLD_DROPIN)" "^0:$DROPIN would write: .*:$OLD_DROPIN would remove: an earlier setup's drop-in, now 40-eksauth.conf" \
    "an earlier setup's eksauth.conf: --dry-run says 40-eksauth.conf would be written and it removed"
is "$(sums "$R")" "$before" "... and changes nothing"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
is "$?:$(grep -c ' written: ' "$T/out"):$(grep -c ' already set up: ' "$T/out")" "0:1:4" \
    "setup: exit 0, the drop-in written, the other four already set up"
like "$(row $OLD_DROPIN)" "^$OLD_DROPIN removed: an earlier setup's drop-in, now 40-eksauth.conf" \
    "... and the earlier eksauth.conf removed, saying where it went"
is "$(sums "$R")" "$whole" "... every file as a whole run on a fresh host leaves it (no eksauth.conf)"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>&1
is "$?:$(grep -c ' already set up: ' "$T/out"):$(grep -c "$OLD_DROPIN" "$T/out")" "0:5:0" \
    "setup again: five files already set up, no line for the earlier name"
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
is "$?:$(row $DROPIN):$(sums "$R")" "0:$DROPIN removed:$fresh" "--undo: 40-eksauth.conf removed, every file as before setup"
earlier_root "$R"
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
is "$?:$(row $OLD_DROPIN):$(sums "$R")" "0:$OLD_DROPIN removed:$fresh" \
    "--undo on a host only an earlier version set up: its eksauth.conf removed, every file as before"

# 9. An operator's file at either name is neither removed nor written over.
R="$T/foreign"
make_root "$R"
printf 'UsePAM yes\nKbdInteractiveAuthentication yes\n' >"$R$OLD_DROPIN"
before=$(sums "$R")
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $R$OLD_DROPIN exists and eksauth setup did not write it: setup now writes the drop-in as 40-eksauth.conf beside it.*; nothing was changed\$" \
    "an operator's eksauth.conf: setup refuses and says why"
is "$(sums "$R")" "$before" "... every file as it was"
"$EKSAUTH" setup --undo --root "$R" >"$T/out" 2>&1
is "$?:$(row $OLD_DROPIN):$(sums "$R")" "0:$OLD_DROPIN left alone: not written by eksauth setup (or edited since): left as it is:$before" \
    "--undo leaves the operator's eksauth.conf and says so"
rm "$R$OLD_DROPIN"
printf 'UsePAM yes\n' >"$R$DROPIN"
before=$(sums "$R")
"$EKSAUTH" setup --root "$R" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err"):$(sums "$R")" "^2:eksauth: setup: $R$DROPIN exists and eksauth setup did not write it: .*; nothing was changed:$before\$" \
    "an operator's 40-eksauth.conf: setup refuses, nothing changed"

# 10. A --root that is a folder but no system's root (an image's mount
#     point before it is mounted: empty, or without etc/): refused, exit 2,
#     naming the folder and what is missing, and nothing made in it.  (It
#     said "nothing to take out" to --undo, and --config elsewhere planned
#     every file as new, exit 0: the operator took the image as done.)
mkdir "$T/unmounted"
printf 'cluster_id = prod\n' >"$T/unmounted.conf"
for args in "--root $T/unmounted" "--undo --root $T/unmounted" "--undo --dry-run --root $T/unmounted" \
    "--dry-run --root $T/unmounted --config $T/unmounted.conf"; do
    # shellcheck disable=SC2086
    "$EKSAUTH" setup $args >"$T/out" 2>"$T/err"
    is "$?:$(cat "$T/err"):$(cat "$T/out")" \
        "2:eksauth: setup: --root $T/unmounted: no etc/ folder in it, so it is not a system's root: is the image mounted there?:" \
        "setup $args on an empty folder: exit 2, no etc/, is the image mounted"
done
mkdir "$T/unmounted/boot"
"$EKSAUTH" setup --undo --root "$T/unmounted" >"$T/out" 2>"$T/err"
is "$?:$(ls -A "$T/unmounted")" "2:boot" "... a folder with no etc/ but other files: refused too, nothing made"
# An etc that is a symbolic link (to the host's /etc) would have setup write
# outside the image: refused, said so.
ln -s /etc "$T/unmounted/etc"
"$EKSAUTH" setup --dry-run --root "$T/unmounted" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
    "2:eksauth: setup: $T/unmounted/etc is a symbolic link to /etc: setup does not follow it under --root (this host would resolve it, an absolute one against its own /, and could leave the image); make it the image's own file or folder, or run eksauth setup inside the image (chroot)" \
    "... an etc that is a symbolic link: refused, not followed to the host's /etc"
# A root whose etc/ the user may not look at is not said to have none.
chmod 0711 "$T"
mkdir -m 0700 "$T/closed" && mkdir "$T/closed/etc"
setpriv --reuid=65534 --regid=65534 --clear-groups "$EKSAUTH" setup --dry-run --root "$T/closed" \
    >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
    "2:eksauth: setup: cannot look at $T/closed/etc: Permission denied" \
    "... an etc/ closed to the user: said so, not 'is the image mounted'"
chmod 0700 "$T"
# "--root IMG/": a --root with a trailing slash is the same root: every path said is
# IMG/etc/..., never IMG//etc/... (setup joined IMG/ and /etc/... as given).
R="$T/slash"
make_root "$R"
rm "$R/etc/nsswitch.conf"
"$EKSAUTH" setup --root "$R//" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:eksauth: setup: $R/etc/nsswitch.conf does not exist; nothing was changed" \
    "--root IMG//: the file named IMG/etc/nsswitch.conf, no double slash"
ln -s /etc/nsswitch.conf "$R/etc/nsswitch.conf"
"$EKSAUTH" setup --root "$R/" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $R/etc/nsswitch.conf is a symbolic link to /etc/nsswitch.conf: " \
    "--root IMG/: a link under it named IMG/etc/nsswitch.conf"
rm "$R/etc/nsswitch.conf"
rm -r "$R/etc/eksauth"
"$EKSAUTH" setup --root "$R/" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $R/etc/eksauth/eksauth.conf does not exist: write it first" \
    "--root IMG/: the missing config named IMG/etc/eksauth/eksauth.conf"

# A relative --root: refused before any file is read, so a config that
# cannot be read or does not parse still gets the --root message (it was
# read first, and its error said instead).
printf 'no_such_key = 1\n' >"$T/broken.conf"
for conf in "$T/broken.conf" "$T/no-such.conf"; do
    (cd "$T" && "$EKSAUTH" setup --dry-run --root slash --config "$conf") >"$T/out" 2>"$T/err"
    is "$?:$(cat "$T/err")" "2:eksauth: setup: --root slash: must be an absolute path; nothing was changed" \
        "a relative --root with --config ${conf##*/}: refused for the --root, before the config"
done
(cd "$T" && "$EKSAUTH" setup --undo --root no-such-folder) >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "2:eksauth: setup: --root no-such-folder: must be an absolute path; nothing was changed" \
    "--undo --root of a relative path that is not there: the same words, not 'No such file'"

# 11. A folder or file under --root that is a symbolic link out of the image
#     (an absolute one, which this host resolves against its own /, or a
#     relative one climbing out): setup, --dry-run and --undo refuse it,
#     naming the link and where it points, exit 2; nothing changes in the
#     image nor in the decoy root beside it that the link points to.  (Setup
#     wrote the decoy's sshd_config.d and sudoers.d through such links and
#     read its nsswitch.conf and eksauth.conf.)
# tree_sum DIR: one checksum of every name under DIR, its type, link target and content.
tree_sum() {
    (cd "$1" && find . | LC_ALL=C sort | while IFS= read -r f; do
        if [ -L "$f" ]; then
            printf '%s -> %s\n' "$f" "$(readlink "$f")"
        elif [ -f "$f" ]; then
            printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-16)"
        else
            printf '%s/\n' "$f"
        fi
    done) | sha256sum | cut -c1-16
}
# link_case MODE LINK TARGET: IMG/LINK (IMG set up for --undo, else fresh)
# made a symbolic link to TARGET, then setup MODE --root IMG.
link_case() {
    rm -rf "$T/img" "$T/decoy"
    if [ "$1" = --undo ]; then
        cp -a "$T/whole" "$T/img" && cp -a "$T/whole" "$T/decoy"
    else
        make_root "$T/img" && make_root "$T/decoy"
    fi
    rm -rf "${T:?}/img/$2" && ln -s "$3" "$T/img/$2"
    img=$(tree_sum "$T/img")
    decoy=$(tree_sum "$T/decoy")
    # shellcheck disable=SC2086
    "$EKSAUTH" setup $1 --root "$T/img" >"$T/out" 2>"$T/err"
    like "$?:$(cat "$T/err")" "^2:eksauth: setup: $T/img/$2 is a symbolic link to $3: setup does not follow it under --root .*; nothing was changed\$" \
        "setup $1 with $2 -> $3: refused, naming the link and its target"
    is "$(tree_sum "$T/img"):$(tree_sum "$T/decoy")" "$img:$decoy" \
        "... nothing changed in the image, nor in the decoy it points to"
}
for mode in "" --dry-run --undo; do
    link_case "$mode" etc/ssh "$T/decoy/etc/ssh"
    link_case "$mode" etc/ssh/sshd_config.d ../../../decoy/etc/ssh/sshd_config.d
    link_case "$mode" etc/sudoers.d ../../decoy/etc/sudoers.d
    link_case "$mode" etc/pam.d/sshd "$T/decoy/etc/pam.d/sshd"
    link_case "$mode" etc/nsswitch.conf ../../decoy/etc/nsswitch.conf
done
# eksauth.conf (--undo reads none): the image's own, never the decoy's.
for mode in "" --dry-run; do
    link_case "$mode" etc/eksauth "$T/decoy/etc/eksauth"
    link_case "$mode" etc/eksauth/eksauth.conf ../../../decoy/etc/eksauth/eksauth.conf
done
# A file setup only reads: /etc/passwd, and an sshd_config Include through a link.
link_case "" etc/passwd "$T/decoy/etc/passwd"
rm -rf "$T/img" "$T/decoy"
make_root "$T/img" && make_root "$T/decoy"
sed -i 's|^Include .*|Include /etc/ssh/more/*.conf|' "$T/img/etc/ssh/sshd_config"
printf 'Include /etc/ssh/sshd_config.d/*.conf\n' >"$T/decoy/etc/ssh/include.conf"
mkdir "$T/img/etc/ssh/more" && ln -s "$T/decoy/etc/ssh/include.conf" "$T/img/etc/ssh/more/a.conf"
"$EKSAUTH" setup --root "$T/img" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $T/img/etc/ssh/more/a.conf is a symbolic link to $T/decoy/etc/ssh/include.conf: setup does not follow" \
    "an Include'd file that is a symbolic link: refused, not read"
# A link that stays in the image is followed by nothing either, with the same words:
# the image's own nsswitch.conf of authselect (an absolute link into the image) still works.
rm -rf "$T/img"
make_root "$T/img"
mkdir "$T/img/etc/authselect" && mv "$T/img/etc/nsswitch.conf" "$T/img/etc/authselect/"
ln -s /etc/authselect/nsswitch.conf "$T/img/etc/nsswitch.conf"
sed -i 's/^\(passwd\|group\):.*files/& eksauth/' "$T/img/etc/authselect/nsswitch.conf"
"$EKSAUTH" setup --root "$T/img" >"$T/out" 2>"$T/err"
is "$?:$(row /etc/nsswitch.conf)" "0:/etc/nsswitch.conf already set up: eksauth after files on passwd: and group: (and initgroups:, if there is one)" \
    "authselect's nsswitch.conf, a link inside the image: read through as before" || sed 's/^/#   /' "$T/err"
# The folder it points into a link out of the image: that folder is the link named.
mv "$T/img/etc/authselect" "$T/decoy/etc/authselect"
ln -s "$T/decoy/etc/authselect" "$T/img/etc/authselect"
"$EKSAUTH" setup --root "$T/img" >"$T/out" 2>"$T/err"
like "$?:$(cat "$T/err")" "^2:eksauth: setup: $T/img/etc/authselect is a symbolic link to $T/decoy/etc/authselect: setup does not follow" \
    "... its folder a link out of the image: that folder named, not nsswitch.conf, which is read through"

# 12. sshd itself, with Amazon Linux 2023's 50-redhat.conf, which turns
#     keyboard-interactive off (ChallengeResponseAuthentication, its old
#     name).  An earlier setup's eksauth.conf is read after it: sshd -T says
#     no (and doctor, reading the files, agrees); after setup, 40-eksauth.conf
#     is read first: yes.
[ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null || bail "needs openssh-server (sshd -T)"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || bail "ssh-keygen failed"
# sshd_T DIR: usepam and kbdinteractiveauthentication as sshd -T reads DIR's
# sshd_config (its Include pointed into DIR), on one line; /run/sshd, which
# sshd -T wants, on a tmpfs of a private mount namespace.
sshd_T() {
    sed "s|/etc/ssh/sshd_config.d/|$1&|" "$1/etc/ssh/sshd_config" >"$T/sshd_config.T"
    unshare -m sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd &&
        exec /usr/sbin/sshd -T -f "$1" -h "$2"' sh "$T/sshd_config.T" "$T/hostkey" 2>"$T/sshd-T.err" |
        grep -E '^(usepam|kbdinteractiveauthentication) ' | sort | tr '\n' ' '
}
R="$T/al2023"
earlier_root "$R"
printf '# as on Amazon Linux 2023\nChallengeResponseAuthentication no\n' >"$R/etc/ssh/sshd_config.d/50-redhat.conf"
is "$(sshd_T "$R")" "kbdinteractiveauthentication no usepam yes " \
    "50-redhat.conf and an earlier setup's eksauth.conf: sshd -T says keyboard-interactive is off" ||
    sed 's/^/#   /' "$T/sshd-T.err"
like "$(doctor_errors "$R" sshd)" "^/etc/ssh/sshd_config.d/50-redhat.conf:2: KbdInteractiveAuthentication is no" \
    "... and eksauth doctor says so, at 50-redhat.conf"
"$EKSAUTH" setup --root "$R" >"$T/out" 2>&1
is "$?:$(sshd_T "$R")" "0:kbdinteractiveauthentication yes usepam yes " \
    "after setup (40-eksauth.conf, read before 50-redhat.conf): sshd -T says keyboard-interactive is on" ||
    sed 's/^/#   /' "$T/sshd-T.err"
is "$(doctor_errors "$R" sshd)" "no sshd error" "... and eksauth doctor reports no sshd error"

done_testing
