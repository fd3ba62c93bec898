#!/bin/sh
# pam_classifiers.sh - the two copies of the check that refuses to remove
# the package while a PAM line would fail without pam_eksauth.so (the awk
# program of debian/eksauth.prerm and of rpm/eksauth.spec's %preun) are
# the same text, and each, fed the same lines, says of each what Linux-PAM
# does when the module cannot be loaded: a bracket control takes its last
# module_unknown=, else its first default=, else bad, and a word Linux-PAM
# cannot parse (an empty action, an upper-case name) makes every value bad
# (pam_handlers.c's _pam_parse_control); "optional" and "sufficient" go on.
# Each program runs under every awk here of mawk (Debian's default) and
# gawk (the RPM side's).  `eksauth doctor` (tools/doctor/pam.c) is held to
# the same verdicts: each line is also the /etc/pam.d/sshd of a root doctor
# reads (--root), and its missing-module warning there means "refused".
# Where a line's reading is in doubt (continued lines, words in brackets,
# \r \v \f), this machine's libpam says what it does too: pamtester runs
# the lines as /etc/pam.d/sshd in a private mount namespace, with no
# pam_eksauth.so installed, as once the package is removed.  Both package
# tests (deb_prerm.sh, rpm.sh) run the scripts whole; this one needs no
# package build.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

PRERM="$top_srcdir/debian/eksauth.prerm"
SPEC="$top_srcdir/rpm/eksauth.spec"
[ -f "$PRERM" ] && [ -f "$SPEC" ] || skip_all "no debian/ or rpm/ maintainer scripts"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"

# The program between "awk '" and its closing "}' $FILES" in each file.
sed -n "/^    awk '\$/,/^        }' \\\$files\$/p" "$PRERM" | sed '1d;$d' >"$T/deb.awk"
sed -n "/|| awk '\$/,/^        }' \\\$pam_files)\$/p" "$SPEC" | sed '1d;$d' >"$T/rpm.awk"
echo '        }' | tee -a "$T/deb.awk" >>"$T/rpm.awk"
[ "$(wc -l <"$T/deb.awk")" -gt 20 ]
ok $? "the prerm's program is found ($(wc -l <"$T/deb.awk") lines)"
cmp -s "$T/deb.awk" "$T/rpm.awk"
ok $? "the prerm's and the %preun's programs are the same text" ||
    diff "$T/deb.awk" "$T/rpm.awk" | sed 's/^/#   /'

# A quote in the program would end the shell's single-quoted text around it.
is "$(grep -c "'" "$T/deb.awk")" 0 "the program holds no single quote"

# The lines are the /etc/pam.d/sshd of a root for doctor too.
P="$T/root/etc/pam.d"
mkdir -p "$P"
# The awks to run each program with: mawk (Debian's prerm) and gawk (the
# RPM's %preun requires it); scripts/install-deps installs both.
AWKS="mawk gawk"
for a in $AWKS; do
    command -v "$a" >/dev/null 2>&1 || bail "$a is needed (scripts/install-deps installs it)"
done
echo "# awks: $AWKS"
# verdict PROGRAM [PAM_CONF] [AWK]: "refused" when PROGRAM, run by AWK
# (awk), marks a line of $P/sshd (or PAM_CONF) as failing without the
# module, else "allowed".
verdict() {
    "${3:-awk}" -f "$1" "$P/sshd" ${2:+"$2"} >"$T/out" 2>&1 || { echo "awk failed: $(cat "$T/out")"; return; }
    if grep -q '^    ^ ' "$T/out"; then echo refused; else echo allowed; fi
}
# doctor_verdict: "refused" when eksauth doctor, reading $P/sshd as
# the /etc/pam.d/sshd of a root, warns that a line fails without the module.
doctor_verdict() {
    "$EKSAUTH" doctor --json --root "$T/root" >"$T/doctor.json" 2>"$T/doctor.err"
    [ $? -le 1 ] || { echo "doctor failed: $(cat "$T/doctor.err")"; return; }
    if grep -q 'without pam_eksauth.so (the package removed) this line refuses every login' \
        "$T/doctor.json"; then echo refused; else echo allowed; fi
}
# doctor_case EXPECT NAME LINE: doctor says EXPECT of LINE.
doctor_case() {
    printf '%s\n' "$3" >"$P/sshd"
    is "$(doctor_verdict)" "$1" "doctor: $2"
}
# awk_case EXPECT NAME LINE: both programs, under each awk, say EXPECT of
# LINE.
awk_case() {
    printf '%s\n' "$3" >"$P/sshd"
    for a in $AWKS; do
        is "$(verdict "$T/deb.awk" "" "$a")" "$1" "prerm ($a): $2"
        is "$(verdict "$T/rpm.awk" "" "$a")" "$1" "%preun ($a): $2"
    done
}
# case EXPECT NAME LINE: both programs, under each awk, and doctor say
# EXPECT of LINE.
case_() {
    awk_case "$@"
    doctor_case "$@"
}

# libpam: this machine's, its module folder (where pam_permit.so is) without
# pam_eksauth.so; its version decides how it joins a continued line.
[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
    bail "root and unshare -m are needed (libpam reads only /etc/pam.d)"
command -v pamtester >/dev/null 2>&1 || bail "pamtester is needed (scripts/install-deps installs it)"
PAM_VERSION=$(pkg-config --modversion pam) || bail "pkg-config cannot find pam's version"
for m in /lib*/security/pam_permit.so /usr/lib*/security/pam_permit.so \
    /lib/*/security/pam_permit.so /usr/lib/*/security/pam_permit.so; do
    [ -f "$m" ] || continue
    [ ! -e "${m%/*}/pam_eksauth.so" ] || bail "${m%/*}/pam_eksauth.so is installed: libpam would load it"
done
echo "# libpam $PAM_VERSION"
case $PAM_VERSION in
0.* | 1.[0-5] | 1.[0-5].*) JOIN=1.5 ;;
*) JOIN=1.6 ;;
esac
# libpam_verdict: "refused" when libpam, reading $P/sshd and then "auth
# required pam_permit.so" as the service sshd, fails root's authentication
# (pamtester then prints libpam's one-line reason; pam_permit passes it:
# only the lines before it can fail it).
libpam_verdict() {
    cp "$P/sshd" "$T/libpam.d/sshd"
    echo 'auth required pam_permit.so' >>"$T/libpam.d/sshd"
    if unshare -m sh -c 'mount --bind "$0" /etc/pam.d && exec pamtester sshd root authenticate' \
        "$T/libpam.d" </dev/null >"$T/libpam.out" 2>&1; then
        echo allowed
    elif [ "$(wc -l <"$T/libpam.out")" = 1 ] && grep -q '^pamtester: ' "$T/libpam.out"; then
        echo refused
    else
        echo "pamtester failed: $(cat "$T/libpam.out")"
    fi
}
mkdir -p "$T/libpam.d"
# libpam_case EXPECT NAME LINE [EXPECT_16]: libpam says EXPECT of LINE
# (EXPECT_16 where 1.6 and later, which end a continued line at a blank or
# comment line, say otherwise).
libpam_case() {
    printf '%s\n' "$3" >"$P/sshd"
    _want=$1
    [ "$JOIN" = 1.5 ] || _want=${4:-$1}
    is "$(libpam_verdict)" "$_want" "libpam $PAM_VERSION: $2"
}
# all_case EXPECT NAME LINE [EXPECT_16]: both programs, doctor and libpam
# say EXPECT of LINE.
all_case() {
    case_ "$1" "$2" "$3"
    libpam_case "$@"
}

all_case refused "required" 'auth required pam_eksauth.so'
all_case refused "Requisite (keywords in any case)" 'auth Requisite pam_eksauth.so'
case_ allowed "optional" 'session optional pam_eksauth.so'
all_case allowed "SUFFICIENT" 'auth SUFFICIENT pam_eksauth.so'
all_case refused "-auth required (the dash only silences the log)" '-auth required pam_eksauth.so'
all_case allowed "eksauth setup's line" \
    'auth [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user'
all_case allowed "the pam-auth-update profile's auth line" 'auth [success=2 default=ignore] pam_eksauth.so'
case_ refused "a bracket control with no default (bad)" 'account [success=ok ignore=ignore] pam_eksauth.so'
case_ allowed "blanks around =" 'auth [success=done default = die module_unknown = ignore] pam_eksauth.so'
all_case allowed "the first default= decides" 'auth [success=ok default=ignore default=die] pam_eksauth.so'
all_case refused "the first default= decides (the other way)" 'auth [success=ok default=die default=ignore] pam_eksauth.so'
case_ allowed "module_unknown= overrides an earlier default=" 'auth [default=die module_unknown=ignore] pam_eksauth.so'
case_ refused "the last module_unknown= decides" \
    'auth [module_unknown=ignore success=ok module_unknown=die] pam_eksauth.so'
all_case refused "module_unknown=ok (the stack takes PAM_MODULE_UNKNOWN)" \
    'auth [success=ok module_unknown=ok default=ignore] pam_eksauth.so'
case_ refused "module_unknown=done" 'auth [success=ok module_unknown=done default=ignore] pam_eksauth.so'
all_case refused "MODULE_UNKNOWN=ignore (not a name Linux-PAM knows: every value bad)" \
    'auth [success=ok MODULE_UNKNOWN=ignore default=ignore] pam_eksauth.so'
case_ refused "a module_unknown= left empty after one that ignores (every value bad)" \
    'auth [module_unknown=ignore success=ok module_unknown=] pam_eksauth.so'
case_ refused "an empty action beside default=ignore (every value bad)" \
    'auth [success=ok default=ignore module_unknown=] pam_eksauth.so'
all_case refused "a line continued with a backslash" 'auth required \
    pam_eksauth.so'
case_ allowed "a comment" '# auth required pam_eksauth.so'
case_ allowed "another module" 'auth required pam_eksauth_other.so'
case_ allowed "pam_eksauth.so as another module's argument" 'auth required pam_exec.so /bin/true pam_eksauth.so'
case_ refused "a full path" 'auth required /lib/x86_64-linux-gnu/security/pam_eksauth.so'
case_ refused "session required (every type counts)" 'session required pam_eksauth.so'
case_ refused "password requisite" 'password requisite pam_eksauth.so'
case_ refused "the second auth line fails" 'auth optional pam_eksauth.so
auth required pam_eksauth.so'
case_ refused "module_unknown=reset (only ignore goes on)" \
    'auth [success=ok module_unknown=reset default=ignore] pam_eksauth.so'
case_ refused "module_unknown=1 (a jump: only ignore goes on)" \
    'account [success=ok module_unknown=1 default=ignore] pam_eksauth.so'
case_ allowed "default = ignore, blanks around =" 'auth [success=ok default = ignore] pam_eksauth.so'
case_ refused "default = die, blanks around =" 'auth [success=ok default = die] pam_eksauth.so'
case_ refused "Default=ignore (not a name Linux-PAM knows: every value bad)" \
    'auth [success=ok Default=ignore] pam_eksauth.so'
case_ refused "module_unknown=IGNORE (not an action Linux-PAM knows: every value bad)" \
    'auth [success=ok module_unknown=IGNORE] pam_eksauth.so'

# Words Linux-PAM cannot read beside module_unknown=ignore: every value
# bad, so the line fails without the module.
case_ refused "an unknown value name (every value bad)" \
    'auth [success=ok bogus=ignore module_unknown=ignore] pam_eksauth.so'
case_ refused "an unknown action beside module_unknown=ignore (every value bad)" \
    'auth [module_unknown=ignore default=dei] pam_eksauth.so'
case_ refused "an action with more after it (every value bad)" \
    'auth [module_unknown=ignore default=dief] pam_eksauth.so'
case_ refused "a jump of 0 (every value bad)" \
    'auth [success=0 module_unknown=ignore] pam_eksauth.so'
case_ refused "a jump past INT_MAX (every value bad)" \
    'auth [success=2147483648 module_unknown=ignore] pam_eksauth.so'
case_ allowed "a jump of INT_MAX" 'auth [success=2147483647 module_unknown=ignore] pam_eksauth.so'
all_case refused "a word with no = (every value bad)" \
    'auth [module_unknown=ignore success] pam_eksauth.so'
case_ refused "\\] inside the brackets (kept, as a ], which makes every value bad)" \
    'auth [module_unknown=ignore success=ok\] default=die] pam_eksauth.so'
all_case allowed "[optional] (the brackets cut off before the keyword is read)" \
    'auth [optional] pam_eksauth.so'
all_case allowed "[Sufficient]" 'auth [Sufficient] pam_eksauth.so'
all_case refused "[required]" 'auth [required] pam_eksauth.so'
case_ allowed "[include] reads a file, loads no module" 'auth [include] pam_eksauth.so'
all_case refused "[] (every value bad)" 'auth [] pam_eksauth.so'
all_case allowed "a bare value=action control, not a keyword" 'auth module_unknown=ignore pam_eksauth.so'
case_ refused "a bare value=action control that does not ignore" 'auth success=ok pam_eksauth.so'
all_case allowed "words with no blank between them" \
    'auth [success=okmodule_unknown=ignoredefault=die] pam_eksauth.so'
case_ allowed "jump then word with no blank between them" \
    'auth [success=2default=ignore] pam_eksauth.so'
all_case allowed "the module right after the ]" 'auth [module_unknown=ignore]pam_eksauth.so'
case_ allowed "include reads a file, loads no module" 'auth include pam_eksauth.so'
all_case refused "blanks after the continuing backslash" \
    "$(printf 'auth required \\  \n    pam_eksauth.so')"
case_ allowed "a comment ends the line, backslash or not" 'auth required # a comment \
    pam_eksauth.so'
all_case allowed "a control continued on the next line" 'auth [success=ok \
    module_unknown=ignore] pam_eksauth.so'

# Linux-PAM 1.5 and before (Debian 12, Amazon Linux 2023) pass over blank
# and comment-only lines inside a continued line; 1.6 and later end the
# line there.  The awk and doctor read both ways and refuse what either
# refuses.  libpam says what its version does (the second verdict 1.6's,
# where its lines fail with or without the module).
all_case refused "a blank line inside a continued line (1.5 joins past it)" 'auth required \

    pam_eksauth.so'
all_case refused "a comment line inside a continued line (1.5 joins past it)" 'auth required \
# the module
    pam_eksauth.so'
case_ refused "a line 1.6 starts after a blank line, where 1.5 goes on" 'auth optional pam_permit.so \

auth required pam_eksauth.so'
libpam_case allowed "a line 1.6 starts after a blank line, where 1.5 goes on" 'auth optional pam_permit.so \

auth required pam_eksauth.so' refused
case_ allowed "a control continued past a blank line" 'auth [module_unknown=ignore \

    success=ok] pam_eksauth.so'
libpam_case allowed "a control continued past a blank line" 'auth [module_unknown=ignore \

    success=ok] pam_eksauth.so' refused
case_ refused "a control continued past a comment line (1.6 reads its last line alone)" \
    'auth [success=ok \
# it steps aside without the module
    module_unknown=ignore default=die] pam_eksauth.so'
libpam_case allowed "a control continued past a comment line" 'auth [success=ok \
# it steps aside without the module
    module_unknown=ignore default=die] pam_eksauth.so' refused
all_case refused "the same line read both ways" 'auth required pam_eksauth.so \

    debug'
printf '%s\n' 'auth required pam_eksauth.so \' '' '    debug' >"$P/sshd"
doctor_verdict >/dev/null
is "$(grep -o 'this line refuses every login' "$T/doctor.json" | wc -l)" 1 \
    "doctor: the same line read both ways is one warning"

# Linux-PAM cuts "[...]" as one word wherever it stands, the type's and
# the module's too.
all_case refused "the module in brackets" 'auth required [pam_eksauth.so]'
all_case allowed "the module in brackets, optional" 'auth optional [pam_eksauth.so] debug'
all_case refused "the type in brackets" '[auth] required pam_eksauth.so'
# A "[" with no "]" runs to the line's end, its newline too: no module of
# that name loads.  The awk, reading no newline, takes the module (it
# refuses more, never less); doctor reads as libpam does.
doctor_case allowed "an unclosed [ before the module (libpam keeps the newline)" \
    'auth required [pam_eksauth.so'
printf 'auth required [pam_eksauth.so' >"$P/sshd"
is "$(doctor_verdict)" refused "doctor: an unclosed [ before the module on a last line without a newline"

# Inside a control libpam takes \r, \v and \f for blanks (isspace); between
# words it does not (only space, tab and newline part them), so a CRLF
# line's last word ends in \r.
all_case allowed "\\v between a bracket control's words" \
    "$(printf 'auth [success=ok\vmodule_unknown=ignore] pam_eksauth.so')"
all_case allowed "\\r and \\f around a control's =" \
    "$(printf 'auth [success=ok module_unknown\f=\rignore] pam_eksauth.so')"
all_case allowed "\\f between a bare control's words" \
    "$(printf 'auth module_unknown=ignore\fsuccess=ok pam_eksauth.so')"
all_case refused "\\v inside a control beside a failing action" \
    "$(printf 'auth [module_unknown=ignore\vdefault=die\vmodule_unknown=die] pam_eksauth.so')"
case_ allowed "\\v between the control and the module (one word: no module)" \
    "$(printf 'auth required\vpam_eksauth.so')"
case_ allowed "a CRLF line (the module pam_eksauth.so\\r, which never loads)" \
    "$(printf 'auth required pam_eksauth.so\r')"
all_case refused "a CRLF line with arguments (the module loads)" \
    "$(printf 'auth required pam_eksauth.so debug\r')"

# A module's arguments are cut alike (the same tokenizer): in a CRLF
# file pam_eksauth gets "ignore_unknown_user\r", no option it knows, so a
# local account's answer is user_unknown, which setup's line makes die.
printf 'auth [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user\r\n' >"$P/sshd"
doctor_verdict >/dev/null
grep -q 'auth: local accounts (root too) are refused at pam_eksauth' "$T/doctor.json"
ok $? "doctor: ignore_unknown_user\\r in a CRLF line is not that option"
printf 'auth [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so ignore_unknown_user\n' >"$P/sshd"
doctor_verdict >/dev/null
! grep -q 'auth: local accounts (root too) are refused at pam_eksauth' "$T/doctor.json"
ok $? "doctor: ignore_unknown_user, the same line without the \\r"

# /etc/pam.conf: a service name first (Linux-PAM reads it only when there
# is no /etc/pam.d, which doctor reads: the awk's alone).
printf '\n' >"$P/sshd"
printf 'sshd auth required pam_eksauth.so\n' >"$T/pam.conf"
for a in $AWKS; do
    is "$(verdict "$T/deb.awk" "$T/pam.conf" "$a"):$(verdict "$T/rpm.awk" "$T/pam.conf" "$a")" \
        "refused:refused" "both ($a): a failing line in pam.conf, after its service name"
done

done_testing
