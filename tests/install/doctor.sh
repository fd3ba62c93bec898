#!/bin/sh
# doctor.sh - `eksauth doctor --root DIR` against fixture host trees: a
# well-configured host (tests/fixtures/doctor/host plus the shipped
# examples from etc/, so those are checked too) passes with no error and no
# warning, and each deliberately broken copy (tests/fixtures/doctor/cases/
# NAME: files/ laid over the host, then setup run in it) gives exactly the
# findings its expect file lists ("exit N", then "LEVEL CHECK REGEX" lines;
# REGEX is matched against "WHERE: PROBLEM fix: FIX"), each error with its
# fix, and nothing else at warning or error level (an "info" line asks for
# that information too, other information is not checked), none of them
# twice.  doctor writes nothing.
# Each host is synced in its own tree ($HOST_SYNC), so its login index fits
# that host; the index-* cases break one condition of the fit each.
# Its trust verdicts are the library's, in the same words as the refusal of
# config loading and eksauth sync; run as nobody it says it could not read
# sudoers instead of finding no rule.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (doctor wants the config and the identity DB root's)"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not built"
command -v python3 >/dev/null || bail "python3 is needed to read doctor's JSON"
command -v setpriv >/dev/null || bail "setpriv (util-linux) is needed to run doctor as nobody"
FIX="$top_srcdir/tests/fixtures/doctor"
EX="$top_srcdir/etc"
export EKSAUTH

# The fleet's id key of every host here (a well-configured host has one):
# the syncs of this test read it through EKSAUTH_ID_KEY, doctor under --root
# at the host's /etc/eksauth/id.key.
head -c 32 /dev/urandom >"$T/id.key"
chmod 0400 "$T/id.key"
export EKSAUTH_ID_KEY="$T/id.key"

# $HOST_SYNC ROOT [SYNC ARGS]: eksauth sync of ROOT's config and aws-auth
# into ROOT's identity DB (and the snapshot and login index beside it),
# with ROOT's /etc/passwd and /etc/group bound over this host's in a
# private mount namespace (nothing on this host changes), and its
# /etc/subuid and /etc/subgid (empty ones when it has none) over this
# host's, where this host has them: the login index is then planned with
# the local accounts doctor reads under --root, whatever blocks this host
# delegates.  Case setups run it too.
command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
    bail "unshare -m is needed (a sync that reads the fixture's /etc/passwd)"
HOST_SYNC="$T/host-sync"
cat >"$HOST_SYNC" <<'SH'
#!/bin/sh
r=$1
shift
exec unshare -m sh -c '
    r=$1
    shift
    mount --bind "$r/etc/passwd" /etc/passwd && mount --bind "$r/etc/group" /etc/group || exit 1
    for f in subuid subgid; do
        [ -e "/etc/$f" ] || continue
        src="$r/etc/$f"
        [ -e "$src" ] || src=$(mktemp) || exit 1
        mount --bind "$src" "/etc/$f" || exit 1
        [ "$src" = "$r/etc/$f" ] || rm -f "$src"
    done
    EKSAUTH_DB="$r/var/lib/eksauth/identity.db" exec "$EKSAUTH" \
            --config "$r/etc/eksauth/eksauth.conf" --aws-auth "$r/etc/eksauth/aws-auth.yaml" \
            sync "$@"' sh "$r" "$@"
SH
chmod 0755 "$HOST_SYNC"
export HOST_SYNC

# make_host DIR: the well-configured host, with a fresh identity DB, its
# snapshot and its login index, as eksauth sync leaves them.
make_host() {
    h=$1
    mkdir -p "$h"
    cp -R "$FIX/host/." "$h/"
    mkdir -p "$h/etc/ssh/sshd_config.d" "$h/lib/x86_64-linux-gnu/security" \
        "$h/etc/systemd/system/timers.target.wants" "$h/var/lib/eksauth"
    install -m 0644 "$EX/pam.d-sshd.example" "$h/etc/pam.d/sshd"
    install -m 0644 "$EX/pam.d-sudo.example" "$h/etc/pam.d/sudo"
    install -m 0644 "$EX/sshd_config.example" "$h/etc/ssh/sshd_config.d/40-eksauth.conf"
    install -m 0440 "$EX/sudoers.example" "$h/etc/sudoers.d/eksauth"
    install -m 0644 "$EX/sudo.conf.example" "$h/etc/sudo.conf"
    chmod 0440 "$h/etc/sudoers"
    chmod 0644 "$h/etc/eksauth/eksauth.conf" "$h/etc/eksauth/aws-auth.yaml"
    chmod 0755 "$h/etc/eksauth" "$h/var/lib/eksauth"
    install -m 0400 "$T/id.key" "$h/etc/eksauth/id.key"
    # The modules only need to be there (a .so is not kept in git).
    : >"$h/lib/x86_64-linux-gnu/security/pam_eksauth.so"
    : >"$h/lib/x86_64-linux-gnu/libnss_eksauth.so.2"
    ln -s /lib/systemd/system/eksauth-sync.timer "$h/etc/systemd/system/timers.target.wants/"
    "$HOST_SYNC" "$h" >"$h.sync.out" 2>&1 || { diag "$h.sync.out"; bail "eksauth sync in $h"; }
}

make_host "$T/base"
[ -f "$T/base/var/lib/eksauth/identity.db" ] && [ -f "$T/base/var/lib/eksauth/aws-auth.index" ]
ok $? "eksauth sync makes the fixture's identity DB and login index"

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
infos = [f for f in got["findings"] if f["level"] == "info"]
matched = set()
for line in expect[1:]:
    if not line.strip():
        continue
    level, check, rx = line.split(" ", 2)
    hits = [i for i, f in enumerate(infos if level == "info" else loud)
            if f["level"] == level and f["check"] == check and re.search(rx, text(f))]
    if not hits:
        problems.append("missing: %s" % line)
    if level != "info":
        matched.update(hits)
seen = set()
for i, f in enumerate(loud):
    # A file several services include (common-*) is read for each: its finding said once.
    key = (f["level"], f["check"], text(f))
    if key in seen:
        problems.append("said twice: %s %s %s" % key)
    seen.add(key)
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
for check in config source modules nsswitch pam sshd db index sync sudoers; do
    grep -Eq "^ok +$check " "$T/text" || { fail "text form: an ok line for $check"; diag "$T/text"; continue; }
    pass "text form: an ok line for $check"
done
"$EKSAUTH" doctor --root "$T/cases/nsswitch-no-eksauth" >"$T/text" 2>&1
is "$?" "1" "text form: exit 1 with errors"
like "$(cat "$T/text")" 'ERROR +nsswitch /etc/nsswitch.conf:3: passwd: does not list eksauth' "text form: ERROR line"
like "$(cat "$T/text")" 'fix: change line 3 of /etc/nsswitch.conf to: passwd: +files eksauth systemd' "text form: its fix"

# The trust verdicts are the library's (lib/trust.c), in its words: what
# config loading and eksauth sync refuse, doctor reports as an error with the
# same "<where>: <problem>" and the same fix.  (--config/--aws-auth name the
# files as they are, so doctor and the library name the same paths.)
# same_words CHECK LIBRARY_STDERR NAME
same_words() {
    if python3 - "$T/words.json" "$1" "$2" >"$T/words.why" <<'PY'
import json, sys
findings, check, lib = json.load(open(sys.argv[1]))["findings"], sys.argv[2], open(sys.argv[3]).read()
errors = [f for f in findings if f["level"] == "error" and f["check"] == check]
if len(errors) != 1:
    sys.exit("%d %s errors: %s" % (len(errors), check, errors))
f = errors[0]
words = "%s: %s; run: %s" % (f["where"], f["problem"].rsplit("; ", 1)[0], f["fix"])
if words not in lib:
    sys.exit("doctor: %s\nlibrary: %s" % (words, lib))
PY
    then pass "$3"; else fail "$3"; diag "$T/words.why"; fi
}
W="$T/words"
make_host "$W"
chmod 0777 "$W/etc/eksauth"
"$EKSAUTH" --config "$W/etc/eksauth/eksauth.conf" map arn:aws:iam::111122223333:role/x \
    >/dev/null 2>"$T/words.lib"
is "$?" "2" "/etc/eksauth mode 0777: config loading refuses it"
"$EKSAUTH" --config "$W/etc/eksauth/eksauth.conf" --aws-auth "$W/etc/eksauth/aws-auth.yaml" \
    doctor --json >"$T/words.json" 2>"$T/words.err"
same_words config "$T/words.lib" "/etc/eksauth mode 0777: a doctor ERROR in the words of the refusal"
chmod 0755 "$W/etc/eksauth"
chmod 0666 "$W/etc/eksauth/aws-auth.yaml"
EKSAUTH_DB="$T/words.db" "$EKSAUTH" --config "$W/etc/eksauth/eksauth.conf" \
    --aws-auth "$W/etc/eksauth/aws-auth.yaml" sync >/dev/null 2>"$T/words.lib"
is "$?" "2" "aws-auth mode 0666: eksauth sync refuses it"
"$EKSAUTH" --config "$W/etc/eksauth/eksauth.conf" --aws-auth "$W/etc/eksauth/aws-auth.yaml" \
    doctor --json >"$T/words.json" 2>"$T/words.err"
same_words source "$T/words.lib" "aws-auth mode 0666: a doctor ERROR in the words of sync's refusal"

# Not root: sudoers (0440) and sudoers.d (0750) cannot be read.  doctor says
# so and how to read them, and never claims that no rule gives an eks- group sudo.
N="$T/nobody"
make_host "$N"
chmod 0750 "$N/etc/sudoers.d"
# doctor_as_nobody: doctor --root $N as nobody, into $T/nobody.out.
doctor_as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$EKSAUTH" doctor --root "$N" >"$T/nobody.out" 2>&1
}
doctor_as_nobody
is "$?" "0" "as nobody: exit 0 (doctor could not check sudoers, it found nothing wrong)"
like "$(cat "$T/nobody.out")" 'WARNING sudoers +/etc/sudoers: cannot read it \(Permission denied\): the sudo rules in it were not checked' \
    "as nobody: /etc/sudoers could not be read, said plainly"
like "$(cat "$T/nobody.out")" 'fix: run eksauth doctor as root' "as nobody: the fix is to run as root"
unlike "$(cat "$T/nobody.out")" 'no rule gives' "as nobody: no claim that no rule names an eks- group"
chmod 0444 "$N/etc/sudoers"
doctor_as_nobody
like "$(cat "$T/nobody.out")" 'WARNING sudoers +/etc/sudoers.d: cannot read it \(Permission denied\)' \
    "as nobody: an unreadable /etc/sudoers.d is said too"
unlike "$(cat "$T/nobody.out")" 'no rule gives' "as nobody: still no claim about the rules"
# A config only root reads (0600, which eksauth allows): not a problem of the
# host, so said as not checked, as sudoers is, and not an error.
chmod 0600 "$N/etc/eksauth/eksauth.conf"
doctor_as_nobody
is "$?" "0" "as nobody, a config of mode 0600: exit 0 (not checked, not wrong)"
like "$(grep ' config ' "$T/nobody.out")" 'WARNING config +/etc/eksauth/eksauth.conf: cannot read it \(Permission denied\): it, and what depends on it, were not checked' \
    "as nobody, a config of mode 0600: said plainly"
is "$(grep -c '^ERROR *config' "$T/nobody.out")" "0" "as nobody, a config of mode 0600: no config error"
chmod 0644 "$N/etc/eksauth/eksauth.conf"
"$EKSAUTH" doctor --root "$N" >"$T/root.out" 2>&1
like "$(cat "$T/root.out")" 'ok +sudoers +/etc/sudoers: 1 rule names eks- groups, all known' \
    "as root the same tree's rules are read"

# No sudoers rule names an eks- group: said with the group system:masters
# maps to and how to give it sudo (a choice: an info, not a warning).
S="$T/nosudo"
make_host "$S"
rm -f "$S/etc/sudoers.d/eksauth"
"$EKSAUTH" doctor --root "$S" 2>&1 | grep -A1 '^info *sudoers' | sed 's/^ *//' >"$T/nosudo.out"
like "$(head -n 1 "$T/nosudo.out")" 'info +sudoers +/etc/sudoers: no rule gives sudo to a group starting with eks-: system:masters \(%eks-system-masters\) gets no sudo on this host' \
    "no sudoers rule: the group system:masters maps to is named"
like "$(tail -n 1 "$T/nosudo.out")" '^fix: if it should, eksauth setup writes /etc/sudoers.d/eksauth \(%eks-system-masters ALL=' \
    "no sudoers rule: the fix that writes one"

# The clock tokens are checked against: on this host (not under --root),
# whether a time service keeps it, as the kernel says (adjtimex, read only).
# findings_of CHECK JSON: "LEVEL PROBLEM fix: FIX" a line, or "no CHECK finding"
# (a verdict: a parse that failed prints nothing).
findings_of() {
    python3 -c '
import json, sys
found = [" ".join((f["level"], f["problem"], "fix:", str(f["fix"])))
         for f in json.load(open(sys.argv[2]))["findings"] if f["check"] == sys.argv[1]]
print("\n".join(found) or "no %s finding" % sys.argv[1])' "$1" "$2"
}
clock_findings() { findings_of clock "$1"; }
is "$(clock_findings "$T/good.json")" "no clock finding" "--root: no clock finding (the clock is this machine's)"
"$EKSAUTH" --config "$T/base/etc/eksauth/eksauth.conf" doctor --json >"$T/clock.json" 2>/dev/null
# A relative EKSAUTH_ID_KEY is refused (lib/idkey.c), never replaced by the default key.
EKSAUTH_ID_KEY=id.key "$EKSAUTH" --config "$T/base/etc/eksauth/eksauth.conf" doctor --json \
    >"$T/relkey.json" 2>/dev/null
like "$(findings_of ids "$T/relkey.json")" \
    "^error id key: EKSAUTH_ID_KEY must be an absolute path, not a relative one \\(6 bytes, not shown\\): sync, PAM and NSS refuse it.*fix: give EKSAUTH_ID_KEY the key file's absolute path, or unset it" \
    "a relative EKSAUTH_ID_KEY: an ids error naming it, with the fix"
unlike "$(cat "$T/relkey.json")" "id\\.key'" "... never quoting its value (it could be the key itself)"
kernel_state=$(python3 -c '
import ctypes
buf = ctypes.create_string_buffer(1024)  # struct timex, modes = 0: read only
print(ctypes.CDLL(None, use_errno=True).adjtimex(buf))')
if [ "$kernel_state" = 5 ]; then # TIME_ERROR: not synchronized
    like "$(clock_findings "$T/clock.json")" \
        '^warning the kernel says the system clock is not synchronized.*"future date".*fix: systemctl enable --now chronyd' \
        "an unsynchronized clock (as the kernel says here): a warning with the fix"
    # chronyd clears the kernel's flag only with rtcsync in chrony.conf: a host it
    # keeps without rtcsync reads as unsynchronized, and the finding says so.
    like "$(clock_findings "$T/clock.json")" \
        'or chronyd runs without rtcsync.*fix: .*chronyc tracking.*add rtcsync to chrony.conf' \
        "an unsynchronized clock: the finding names chronyd without rtcsync, which leaves the kernel's flag unset"
else
    like "$(clock_findings "$T/clock.json")" '^ok the system clock is synchronized' \
        "a synchronized clock (as the kernel says here): ok"
fi

# host_name on this host (not under --root, where the root is an image): a
# warning when it is unset and this machine's name, as gethostname says, is
# one many hosts have (in its own UTS namespace, so this host keeps its name).
# live_host_name NAME CONFIG: doctor's host_name findings ("LEVEL PROBLEM fix: FIX"),
# or "no host_name finding" (a verdict: a doctor or unshare that failed prints nothing).
live_host_name() {
    unshare -u sh -c 'hostname "$1" && exec "$EKSAUTH" --config "$2" doctor --json' sh "$1" "$2" \
        >"$T/live.json" 2>"$T/live.err"
    python3 -c '
import json, sys
found = [" ".join((f["level"], f["problem"], "fix:", str(f["fix"])))
         for f in json.load(open(sys.argv[1]))["findings"] if "host_name" in f["problem"]]
print("\n".join(found) or "no host_name finding")' "$T/live.json"
}
CONF="$T/base/etc/eksauth/eksauth.conf"
like "$(live_host_name localhost "$CONF")" \
    '^warning host_name is not set, so tokens are for this machine.s name, localhost, which other hosts have too: .* fix: set "host_name = NAME" in '"$CONF"', NAME this host.s own' \
    "this host named localhost, host_name unset: a warning with the fix"
like "$(live_host_name LocalHost.LocalDomain "$CONF")" \
    '^warning host_name is not set, so tokens are for this machine.s name, LocalHost.LocalDomain, which' \
    "this host named LocalHost.LocalDomain: localhost's name in any case"
like "$(live_host_name ip-172-31-5-10.us-west-2.compute.internal "$CONF")" \
    '^warning host_name is not set, so tokens are for this machine.s name, ip-172-31-5-10.us-west-2.compute.internal, which' \
    "this host named as EC2 names it: a warning"
is "$(live_host_name bastion7.example.com "$CONF")" "no host_name finding" "this host with a name of its own: no host_name finding"
mkdir -p "$T/named"
cp "$CONF" "$T/named/eksauth.conf"
printf 'host_name = bastion1.example.com\n' >>"$T/named/eksauth.conf"
is "$(live_host_name localhost "$T/named/eksauth.conf")" "no host_name finding" \
    "this host with host_name set: no finding (under --root, an image's, it is a warning)"

"$EKSAUTH" doctor --bogus >/dev/null 2>&1
is "$?" "2" "an unknown option: exit 2"
"$EKSAUTH" doctor --root >/dev/null 2>"$T/err"
is "$?" "2" "--root without its value: exit 2"
like "$(head -n 1 "$T/err")" '^eksauth: doctor: --root needs a value$' "--root without its value: says so"
"$EKSAUTH" doctor --root "$T/no-such-folder" >/dev/null 2>"$T/err"
is "$?" "2" "--root of a missing folder: exit 2"
"$EKSAUTH" doctor --help >"$T/out" 2>&1
ok $? "--help: exit 0"
like "$(cat "$T/out")" 'usage: eksauth doctor \[--network\] \[--json\] \[--root DIR\]' "--help: the usage line"

done_testing
