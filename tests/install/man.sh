#!/bin/sh
# man.sh - the man pages: each renders with groff -man -ww (every warning
# on) without a single warning, has the sections a man page needs;
# eksauth(1) names every subcommand `eksauth --help` lists,
# eksauth.conf(5) every key the config parser knows and no other, and
# pam_eksauth(8) exactly the module's options, and eksauth(1) exactly the
# keys of doctor --json.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

command -v groff >/dev/null 2>&1 || skip_all "groff not found (Debian: groff-base)"
pages="eksauth.1 eksauth.conf.5 pam_eksauth.8 nss_eksauth.8"

for page in $pages; do
    f="$top_srcdir/man/$page"
    if [ ! -f "$f" ]; then
        fail "$page exists"
        continue
    fi
    LC_ALL=C.UTF-8 groff -man -ww -z "$f" >"$T/warn" 2>&1
    if [ $? -eq 0 ] && [ ! -s "$T/warn" ]; then pass "$page: groff -man -ww: no warning"; else
        fail "$page: groff -man -ww: no warning"
        diag "$T/warn"
    fi
    for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
        grep -q "^\.SH \"\{0,1\}$section\"\{0,1\}\$" "$f"
        ok $? "$page: has $section"
    done
done

# Every subcommand of `eksauth --help` is a .TP entry of eksauth(1).
if [ -x "$EKSAUTH" ]; then
    "$EKSAUTH" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' >"$T/commands"
    [ -s "$T/commands" ] || fail "eksauth --help lists its commands"
    while read -r cmd; do
        esc=$(printf '%s' "$cmd" | sed 's/-/\\\\-/g')
        grep -Eq "^(\.B[IR]* \"?|\\\\fB)$esc( |\"|\\\\fR|\$)" "$top_srcdir/man/eksauth.1"
        ok $? "eksauth(1) documents '$cmd'"
    done <"$T/commands"
else
    skip "eksauth is not built"
fi

# eksauth(1)'s doctor entry names exactly the keys of doctor --json: the
# words of its "prints the findings as JSON (...)" list, against the keys
# of the object and of its findings, for a root whose identity DB is sound
# (its finding has age_seconds).  Root's files: doctor trusts no other.
if [ -x "$EKSAUTH" ] && [ "$(id -u)" = 0 ]; then
    r="$T/doctor-root"
    mkdir -p "$r/etc/eksauth" "$r/var/lib/eksauth"
    printf 'cluster_id = test\naws_auth_file = /etc/eksauth/aws-auth.yaml\n' >"$r/etc/eksauth/eksauth.conf"
    install -m 0644 "$top_srcdir/tests/fixtures/aws-auth-sample.yaml" "$r/etc/eksauth/aws-auth.yaml"
    chmod 0644 "$r/etc/eksauth/eksauth.conf"
    EKSAUTH_DB="$r/var/lib/eksauth/identity.db" "$EKSAUTH" --config "$r/etc/eksauth/eksauth.conf" \
        --aws-auth "$r/etc/eksauth/aws-auth.yaml" sync >"$T/doctor-sync" 2>&1 ||
        { diag "$T/doctor-sync"; fail "eksauth sync writes the doctor root's identity DB"; }
    "$EKSAUTH" doctor --json --root "$r" >"$T/doctor.json" 2>"$T/doctor.err"
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("\n".join(sorted(set(d) | {k for f in d["findings"] for k in f})))' "$T/doctor.json" >"$T/doctor_keys" ||
        diag "$T/doctor.err"
    sed -n '/prints the findings as JSON/,/);/p' "$top_srcdir/man/eksauth.1" |
        sed -n 's/^\.[BIR]* *(\{0,1\} *\([a-z_][a-z_]*\).*/\1/p' | sort -u >"$T/doctor_man"
    [ -s "$T/doctor_keys" ] || fail "doctor --json's keys are found"
    is "$(comm -3 "$T/doctor_keys" "$T/doctor_man" | tr -d '\t' | tr '\n' ' ')" "" \
        "eksauth(1) names exactly the keys of doctor --json"
else
    skip "doctor --json's keys: eksauth is not built, or this is not root"
fi

# Every key of lib/config.c's table is an entry of eksauth.conf(5): each
# entry of keys[] (an initializer or a macro such as STRING, SECONDS, DAYS)
# names its key first.
awk '/^static const struct key keys\[\] = \{/, /^\};/' "$top_srcdir/lib/config.c" |
    grep '^    [A-Z{]' >"$T/entries"
sed -n 's/^ *\([A-Z_]*(\|{\)"\([a-z_]*\)",.*/\2/p' "$T/entries" | sort -u >"$T/keys"
[ -s "$T/keys" ] || fail "the config keys are found in lib/config.c"
is "$(wc -l <"$T/keys" | tr -d ' ')" "$(wc -l <"$T/entries" | tr -d ' ')" \
    "every entry of lib/config.c's keys[] gives its key"
while read -r key; do
    esc=$(printf '%s' "$key" | sed 's/_/\\\\?_/g')
    grep -Eq "^(\.B[IR]* \"?|\\\\fB)$esc( |\"|\\\\fR|\$)" "$top_srcdir/man/eksauth.conf.5"
    ok $? "eksauth.conf(5) documents '$key'"
done <"$T/keys"

# ... and no more: every key eksauth.conf(5) gives an entry of (".TP" then
# ".BI key ...") under KEYS is a key of lib/config.c's table.
awk '/^\.SH KEYS/ { on = 1; next } /^\.SH/ { on = 0 } on && prev == ".TP" { print } { prev = $0 }' \
    "$top_srcdir/man/eksauth.conf.5" | sed -n 's/^\.BI \([a-z_]*\) .*/\1/p' | sort -u >"$T/man_keys"
[ -s "$T/man_keys" ] || fail "the keys are found in eksauth.conf(5)"
is "$(comm -13 "$T/keys" "$T/man_keys" | tr '\n' ' ')" "" \
    "eksauth.conf(5) documents no key lib/config.c does not take"

# pam_eksauth(8)'s OPTIONS are exactly the arguments lib/pam_args.c's table names.
sed -n 's/^ *{"\([a-z_]*\)=*", EKSAUTH_PAM_ARG_.*/\1/p' \
    "$top_srcdir/lib/pam_args.c" | sort -u >"$T/pam_code"
awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 } on && prev == ".TP" { print } { prev = $0 }' \
    "$top_srcdir/man/pam_eksauth.8" | sed 's/^\.B[IR]* //; s/[^a-z_].*//' | sort -u >"$T/pam_man"
[ -s "$T/pam_code" ] || fail "the module options are found in lib/pam_args.c"
is "$(comm -3 "$T/pam_code" "$T/pam_man" | tr -d '\t' | tr '\n' ' ')" "" \
    "pam_eksauth(8) OPTIONS lists exactly the options of lib/pam_args.c"

done_testing
