#!/bin/sh
# docs.sh - what the documentation names is there: every page of docs/ is in
# docs/README.md's index; every file or folder of this repository that
# README.md, HACKING.md, SECURITY.md, docs/*.md or the man pages cite
# (lib/..., tests/..., a `test_name` of a test file) exists; and the
# EKSAUTH_* variables that the command line reads or sets are exactly those
# of eksauth(1)'s ENVIRONMENT, and the --help of askpass, ssh and login-name
# names each one that section gives the command; scp and sftp are said to
# learn no login name; docs/fleet.md's drop-ins
# for --interval and the timer's period fit the units of systemd/.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

command -v python3 >/dev/null 2>&1 || bail "python3 is needed (scripts/install-deps installs it)"
cd "$top_srcdir" || bail "cannot enter $top_srcdir"

# Every docs/*.md but the index itself is linked from the index.
for page in docs/*.md; do
    name=${page#docs/}
    [ "$name" = README.md ] && continue
    grep -q "](${name})" docs/README.md
    ok $? "docs/README.md indexes $name"
done

# Cited paths: a word starting with one of the repository's top folders,
# not inside a longer path (/etc/eksauth is the host's, not etc/), and not
# a pattern (tools/cmd_*.c, tests/unit/test_<module>.c); a program of the
# tree is there when its source is.  The man pages are
# read with their escapes taken out.
python3 - README.md HACKING.md SECURITY.md docs/*.md man/*.[158] >"$T/missing" <<'EOF'
import os, re, sys
top = ("lib|tools|tests|pam_eksauth|nss_eksauth|include|contrib|scripts|mk|"
       "rpm|debian|systemd|bench|docs|etc|man|m4|build-aux")
path = re.compile(r"(?<![\w./~$-])(?:%s)/[\w./-]*[\w]" % top)
for f in sys.argv[1:]:
    text = open(f, encoding="utf-8").read()
    if f.startswith("man/"):
        text = re.sub(r"\\f[BIRP]|\\&", "", text).replace("\\-", "-")
    for m in path.finditer(text):
        p, rest = m.group(0), re.match(r"[^\s`'\")]*", text[m.end():]).group(0)
        if re.search(r"[*<{]", rest) or p.endswith("_"):
            continue
        # A program of the tree (make check TESTS=tests/unit/test_login) is its source's.
        if not os.path.exists(p) and not os.path.exists(p + ".c"):
            print("%s: %s" % (f, p))
EOF
[ ! -s "$T/missing" ]
ok $? "every repository path the documentation cites exists"
[ -s "$T/missing" ] && diag "$T/missing"

# Cited tests: a `test_name` in back quotes is a test of tests/ or bench/.
grep -ho '`test_[a-z0-9_]*[a-z0-9]`' README.md HACKING.md docs/*.md | tr -d '`' | sort -u |
    while read -r t; do
        grep -rqw -- "$t" tests bench || echo "$t"
    done >"$T/tests"
[ ! -s "$T/tests" ]
ok $? "every test the documentation names by its function exists"
[ -s "$T/tests" ] && diag "$T/tests"

# The EKSAUTH_* variables of the command line and the library (read with
# getenv, secure_getenv or tools' own readers, or set for a child) against
# eksauth(1)'s ENVIRONMENT section.
grep -ho '"EKSAUTH_[A-Z_]*[A-Z]' tools/*.c lib/*.c nss_eksauth/*.c | tr -d '"' | sort -u >"$T/env_code"
sed 's/\\-/-/g; s/\\f[BIRP]//g' man/eksauth.1 |
    awk '/^\.SH ENVIRONMENT/ { on = 1; next } /^\.SH/ { on = 0 } on && prev == ".TP" { print } { prev = $0 }' |
    grep -o 'EKSAUTH_[A-Z_]*[A-Z]' | sort -u >"$T/env_man"
[ -s "$T/env_code" ] && [ -s "$T/env_man" ] || fail "the variables are found in the code and in eksauth(1)"
is "$(comm -3 "$T/env_code" "$T/env_man" | tr -d '\t' | tr '\n' ' ')" "" \
    "eksauth(1)'s ENVIRONMENT names exactly the EKSAUTH_* variables of the code"

# Each EKSAUTH_* variable that eksauth(1)'s ENVIRONMENT gives to askpass,
# ssh or login-name (the words before the first ':' of its entry, "askpass
# and ssh: ...") is named by that command's --help too.
sed 's/\\-/-/g; s/\\f[BIRP]//g' man/eksauth.1 |
    awk '/^\.SH ENVIRONMENT/ { on = 1; next } /^\.SH/ { on = 0 } !on { next }
        prev == ".TP" { vars = $0; want = 1; prev = $0; next }
        want && !/^\./ { split($0, a, ":"); print a[1] "\t" vars; want = 0 }
        { prev = $0 }' >"$T/env_entries"
[ -s "$T/env_entries" ] || fail "eksauth(1)'s ENVIRONMENT entries are found"
for cmd in askpass ssh login-name; do
    if [ -x "$EKSAUTH" ]; then
        "$EKSAUTH" "$cmd" --help >"$T/help" 2>&1
        awk -F '\t' -v c="$cmd" '{ n = split($1, w, /[ ,]+/); for (i = 1; i <= n; i++) if (w[i] == c) { print $2; break } }' \
            "$T/env_entries" | grep -o 'EKSAUTH_[A-Z_]*[A-Z]' | sort -u | while read -r v; do
            grep -q "$v" "$T/help" || echo "$v"
        done >"$T/unnamed"
        is "$(tr '\n' ' ' <"$T/unnamed")" "" "$cmd --help names every variable eksauth(1) gives it"
    else
        skip "$cmd --help: eksauth is not built"
    fi
done

# scp and sftp learn no login name (eksauth(1): only ssh adds the one
# login-name learns; scp's -l is a bandwidth limit): their --help and
# README.md's paragraph on them say so, and neither says it is learnt.
for cmd in scp sftp; do
    if [ -x "$EKSAUTH" ]; then
        "$EKSAUTH" $cmd --help 2>&1 | tr '\n' ' ' | tr -s ' ' >"$T/help"
        like "$(cat "$T/help")" "No login name is learnt for [a-z ]*$cmd[a-z ]*: give NAME@HOST" \
            "$cmd --help: no login name is learnt, give NAME@HOST"
        unlike "$(cat "$T/help")" "login name is learnt from it" "$cmd --help: does not say it is learnt"
    else
        skip "$cmd --help: eksauth is not built"
        skip "$cmd --help: eksauth is not built"
    fi
done
like "$(awk -v RS= '/`eksauth scp`/' README.md | tr '\n' ' ')" 'learn no login name' \
    "README.md: eksauth scp and sftp learn no login name"

# docs/fleet.md's --interval and timer period reach a host as drop-ins
# (systemctl edit): the watch service's own command
# (systemd/eksauth-watch.service.in) again with --interval, after the empty
# ExecStart= that drops the unit's; the timer's new OnUnitActiveSec= after
# the empty one, which resets every timer of the unit, so each other one
# the unit sets (OnBootSec=) is given again.
dropin() { # dropin UNIT: the ```ini block after "systemctl edit UNIT" in docs/fleet.md
    awk -v u="systemctl edit $1" 'index($0, u) { on = 1 } on && /^```ini$/ { b = 1; next }
        b && /^```$/ { exit } b' docs/fleet.md
}
watch_cmd=$(sed -n 's|^ExecStart=@bindir@/|/usr/bin/|p' systemd/eksauth-watch.service.in)
dropin eksauth-watch.service | grep '^ExecStart=' >"$T/watch"
like "$(tr '\n' '|' <"$T/watch")" "^ExecStart=\|ExecStart=$watch_cmd --interval [0-9]+\|\$" \
    "docs/fleet.md: the watch service's drop-in runs its own command with --interval"
dropin eksauth-sync.timer | grep '^On' >"$T/timer"
sed -n '/^On/p' systemd/eksauth-sync.timer.in | grep -v '^OnUnitActiveSec=' >"$T/timer_kept"
like "$(head -n 1 "$T/timer")" '^OnUnitActiveSec=$' "docs/fleet.md: the timer's drop-in resets its timers first"
sort -o "$T/timer_sorted" "$T/timer"
sort -o "$T/timer_kept" "$T/timer_kept"
is "$(comm -23 "$T/timer_kept" "$T/timer_sorted" | tr '\n' ' ')" "" \
    "docs/fleet.md: the timer's drop-in gives again every other timer of eksauth-sync.timer"
grep -Eq '^OnUnitActiveSec=[0-9]+(s|min|h)$' "$T/timer"
ok $? "docs/fleet.md: the timer's drop-in sets a new period"

done_testing
