#!/bin/sh
# doctor.sh - `eksauth doctor --root DIR` against fixture host trees: a
# well-configured host (tests/fixtures/doctor/host plus the shipped
# examples from etc/, so those are checked too) passes with no error and no
# warning, and each deliberately broken copy (tests/fixtures/doctor/cases/
# NAME: files/ laid over the host, then setup run in it) gives exactly the
# findings its expect file lists ("exit N", then "LEVEL CHECK REGEX" lines;
# REGEX is matched against "WHERE: PROBLEM fix: FIX"), each error with its
# fix, and nothing else at warning or error level.  doctor writes nothing.
# TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (doctor wants the config and the identity DB root's)"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"
command -v python3 >/dev/null || bail "python3 is needed to read doctor's JSON"
FIX="$top_srcdir/tests/fixtures/doctor"
EX="$top_srcdir/etc"
export EKSAUTH

# make_host DIR: the well-configured host, with a fresh identity DB.
make_host() {
    h=$1
    mkdir -p "$h"
    cp -R "$FIX/host/." "$h/"
    mkdir -p "$h/etc/ssh/sshd_config.d" "$h/lib/x86_64-linux-gnu/security" \
        "$h/etc/systemd/system/timers.target.wants" "$h/var/lib/eksauth"
    install -m 0644 "$EX/pam.d-sshd.example" "$h/etc/pam.d/sshd"
    install -m 0644 "$EX/pam.d-sudo.example" "$h/etc/pam.d/sudo"
    install -m 0644 "$EX/sshd_config.example" "$h/etc/ssh/sshd_config.d/eksauth.conf"
    install -m 0440 "$EX/sudoers.example" "$h/etc/sudoers.d/eksauth"
    chmod 0440 "$h/etc/sudoers"
    chmod 0644 "$h/etc/eksauth/eksauth.conf" "$h/etc/eksauth/aws-auth.yaml"
    chmod 0755 "$h/etc/eksauth" "$h/var/lib/eksauth"
    # The modules only need to be there (a .so is not kept in git).
    : >"$h/lib/x86_64-linux-gnu/security/pam_eksauth.so"
    : >"$h/lib/x86_64-linux-gnu/libnss_eksauth.so.2"
    ln -s /lib/systemd/system/eksauth-sync.timer "$h/etc/systemd/system/timers.target.wants/"
    if [ -f "$T/identity.db" ]; then
        cp -p "$T/identity.db" "$h/var/lib/eksauth/identity.db"
    fi
}

# The DB of the fixture's aws-auth, made once by eksauth sync.
make_host "$T/base"
EKSAUTH_DB="$T/identity.db" "$EKSAUTH" --config "$T/base/etc/eksauth/eksauth.conf" \
    --aws-auth "$T/base/etc/eksauth/aws-auth.yaml" sync >"$T/sync.out" 2>&1
ok $? "eksauth sync makes the fixture's identity DB"
[ -f "$T/identity.db" ] || { diag "$T/sync.out"; bail "no identity DB"; }

# check_case NAME ROOT: run doctor, compare with the case's expect file.
check_case() {
    name=$1
    root=$2
    "$EKSAUTH" doctor --json --root "$root" >"$T/$name.json" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
    if python3 - "$FIX/cases/$name/expect" "$T/$name.json" "$(cat "$T/$name.rc")" >"$T/$name.why" <<'PY'
import json, re, sys
expect, got, rc = open(sys.argv[1]).read().splitlines(), json.load(open(sys.argv[2])), int(sys.argv[3])
want_rc = int(expect[0].split()[1])
problems = []
if rc != want_rc:
    problems.append("exit %d, expected %d" % (rc, want_rc))
if got["ok"] != (want_rc == 0):
    problems.append("ok is %s" % got["ok"])
def text(f):
    return "%s%s fix: %s" % (f["where"] + ": " if f["where"] else "", f["problem"], f["fix"] or "")
loud = [f for f in got["findings"] if f["level"] in ("error", "warning")]
matched = set()
for line in expect[1:]:
    if not line.strip():
        continue
    level, check, rx = line.split(" ", 2)
    hits = [i for i, f in enumerate(loud)
            if f["level"] == level and f["check"] == check and re.search(rx, text(f))]
    if not hits:
        problems.append("missing: %s" % line)
    matched.update(hits)
for i, f in enumerate(loud):
    if i not in matched:
        problems.append("unexpected: %s %s %s" % (f["level"], f["check"], text(f)))
    if not f["fix"]:
        problems.append("no fix: %s" % text(f))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
    then
        pass "$name: $(sed -n 2,99p "$FIX/cases/$name/expect" | awk '{print $1, $2}' | sort -u | tr '\n' ' ' | sed 's/ $//;s/^$/no findings/')"
    else
        fail "$name"
        diag "$T/$name.why"
        diag "$T/$name.err"
    fi
}

for dir in "$FIX"/cases/*/; do
    name=$(basename "$dir")
    root="$T/cases/$name"
    make_host "$root"
    if [ -d "$dir/files" ]; then
        cp -R "$dir/files/." "$root/"
    fi
    if [ -f "$dir/setup" ]; then
        (cd "$root" && sh -eu "$dir/setup") >"$T/$name.setup" 2>&1 ||
            { fail "$name: setup"; diag "$T/$name.setup"; continue; }
    fi
    find "$root" -exec stat -c '%n %a %u %s %Y' {} + | sort >"$T/$name.before"
    check_case "$name" "$root"
    find "$root" -exec stat -c '%n %a %u %s %Y' {} + | sort >"$T/$name.after"
    cmp -s "$T/$name.before" "$T/$name.after" || { fail "$name: doctor changed the tree"; diff "$T/$name.before" "$T/$name.after" | sed 's/^/#   /'; }
done

# The identity DB's age, for scripts.
python3 -c '
import json, sys
db = [f for f in json.load(open(sys.argv[1]))["findings"] if f["check"] == "db"][0]
sys.exit(0 if db["level"] == "ok" and 0 <= db["age_seconds"] < 3600 else 1)' "$T/good.json"
ok $? "--json: the identity DB finding has its age_seconds"

# The text form, on the good host: every check said, and the summary.
"$EKSAUTH" doctor --root "$T/cases/good" >"$T/text" 2>&1
ok $? "text form: exit 0 on the good host"
like "$(tail -n 1 "$T/text")" '^0 errors, 0 warnings$' "text form: ends with the count"
for check in config source modules nsswitch pam sshd db sync sudoers; do
    grep -Eq "^ok +$check " "$T/text" || { fail "text form: an ok line for $check"; diag "$T/text"; continue; }
    pass "text form: an ok line for $check"
done
"$EKSAUTH" doctor --root "$T/cases/nsswitch-no-eksauth" >"$T/text" 2>&1
is "$?" "1" "text form: exit 1 with errors"
like "$(cat "$T/text")" 'ERROR +nsswitch /etc/nsswitch.conf:3: passwd: does not list eksauth' "text form: ERROR line"
like "$(cat "$T/text")" 'fix: change line 3 of /etc/nsswitch.conf to: passwd: +files eksauth systemd' "text form: its fix"

"$EKSAUTH" doctor --bogus >/dev/null 2>&1
is "$?" "2" "an unknown option: exit 2"
"$EKSAUTH" doctor --root "$T/no-such-folder" >/dev/null 2>"$T/err"
is "$?" "2" "--root of a missing folder: exit 2"
"$EKSAUTH" doctor --help >"$T/out" 2>&1
ok $? "--help: exit 0"
like "$(cat "$T/out")" 'usage: eksauth doctor \[--network\] \[--json\] \[--root DIR\]' "--help: the usage line"

done_testing
