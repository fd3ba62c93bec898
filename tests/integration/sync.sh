#!/bin/sh
# sync.sh - `eksauth sync`: aws-auth -> identity DB.  Stable ids across
# syncs; collisions, local names and denied names refused with a warning
# naming both sources; recorded templated logins kept (same uid, groups
# recomputed) or revoked; removed users dropped; a parse error and an empty
# aws-auth (without --allow-empty) leave the DB byte for byte as it was; an
# untrusted DB is refused, and so is a file at db_path that is no identity
# DB (left byte for byte); --json; a failed sync prints its warnings; a
# YAML error inside mapRoles drops mapRoles alone, as the cluster does, and
# sync exits 2 naming it.  Then the
# synced DB through the real glibc: getent, id with eks-system-masters, a
# templated name and a setuid sudo -l -U build, in a private mount
# namespace.  TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"

: "${EKSAUTH:?EKSAUTH is not set (run through make check)}"
FIX="$top_srcdir/tests/fixtures/iddb"
DB="$T/identity.db"
export EKSAUTH_DB="$DB"

# The option parser: --help exits 0 with the usage (a regression fails here, it never skips).
"$EKSAUTH" sync --help >"$T/out" 2>&1
same "0" "$?" "eksauth sync --help exits 0"
if grep -q '^usage: eksauth sync ' "$T/out"; then pass "eksauth sync --help prints its usage"; else
    fail "eksauth sync --help prints its usage"; sed 's/^/# /' "$T/out"; fi

# Usage errors say which option is wrong, and change nothing.
"$EKSAUTH" sync --force --if-changed >"$T/out" 2>&1
same "2" "$?" "eksauth sync --force --if-changed: a usage error (the usage line has one or the other)"
if grep -q '^eksauth: usage: sync: --force and --if-changed ask for opposite things; give one$' "$T/out"; then
    pass "... which names both options"; else
    fail "... which names both options"; sed 's/^/# /' "$T/out"; fi
[ ! -e "$DB" ] && pass "... and no identity DB was written" || fail "... and no identity DB was written"

# The CLI refuses aws-auth files others can write when run as root: use copies.
for f in "$FIX"/aws-auth-*.yaml "$top_srcdir/tests/fixtures/aws-auth-empty.yaml"; do
    cp "$f" "$T/" && chmod 0644 "$T/$(basename "$f")"
done
# A config: cluster_id is required in a file; deny dave.
printf 'cluster_id = test-cluster\ndeny_user = dave\n' >"$T/eksauth.conf"
chmod 0600 "$T/eksauth.conf"
CONF="--config $T/eksauth.conf"

sync_ok() {
    desc=$1
    shift
    if "$EKSAUTH" $CONF sync "$@" >"$T/out" 2>"$T/err"; then
        pass "$desc"
    else
        fail "$desc (exit $?)"
        sed 's/^/# /' "$T/out" "$T/err"
    fi
}

users() { "$EKSAUTH" $CONF users; }
uid_of() { users | awk -F: -v u="$1" '$1 == u { print $3 }'; }

# ---- a first sync -------------------------------------------------------------
sync_ok "sync the sample aws-auth" --aws-auth "$T/aws-auth-sync.yaml"
same "build carol" "$(users | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')" \
    "static users served; dave denied by deny_user; templated names not listed"
if grep -q "dave" "$T/out"; then pass "the summary names the denied user"; else
    fail "the summary names the denied user"; sed 's/^/# /' "$T/out"; fi
same "eks-system-masters:*:$("$EKSAUTH" $CONF groups | awk -F: '$1 == "eks-system-masters" { print $3 }'):build" \
    "$("$EKSAUTH" $CONF groups | grep '^eks-system-masters:')" "build is in eks-system-masters"
same "1" "$(grep -c 'admin:{{SessionName}}' "$T/out" | tr -d ' ')" "the summary lists the template"
if grep -q 'EC2PrivateDNSName' "$T/out"; then pass "the node template is reported as not servable"; else
    fail "the node template is reported as not servable"; fi
[ "$(stat -c %a "$DB")" = 644 ] && pass "DB mode 0644" || fail "DB mode $(stat -c %a "$DB")"
build_uid=$(uid_of build)
case $build_uid in 19[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) pass "uid in the default range" ;;
*) fail "uid in the default range ($build_uid)" ;; esac

sync_ok "sync again" --aws-auth "$T/aws-auth-sync.yaml"
same "$build_uid" "$(uid_of build)" "ids are stable across syncs"
case $(head -1 "$T/out") in *"generation 2"*) pass "generation counts writes" ;;
*) fail "generation counts writes: $(head -1 "$T/out")" ;; esac

# ---- --json ---------------------------------------------------------------------
if "$EKSAUTH" $CONF sync --json --aws-auth "$T/aws-auth-sync.yaml" >"$T/json" 2>"$T/err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["users"] == 2, d; assert "admin:{{SessionName}}" in d["templates"]; assert isinstance(d["warnings"], list)' "$T/json"
then pass "sync --json"; else fail "sync --json"; sed 's/^/# /' "$T/json" "$T/err"; fi

# ---- a recorded templated login is kept, then revoked ------------------------------
bob_uid=$("$IDDB_TOOL" record "$DB" admin-bob admin:bob \
    arn:aws:sts::123456789012:assumed-role/Admins/bob \
    "eks-system-masters|0|system:masters" "eks-devs|0|devs" 2>&1)
case $bob_uid in 19*) pass "a templated login recorded (uid $bob_uid)" ;;
*) fail "a templated login recorded: $bob_uid" ;; esac
sync_ok "sync with a recorded login" --aws-auth "$T/aws-auth-sync.yaml"
same "$bob_uid" "$(uid_of admin-bob)" "the recorded login keeps its uid"
case $("$EKSAUTH" $CONF groups | grep '^eks-system-masters:') in *admin-bob*) pass "its groups are recomputed from aws-auth" ;;
*) fail "its groups are recomputed from aws-auth" ;; esac
if grep -q "1 recorded logins kept" "$T/out"; then pass "the summary counts kept logins"; else
    fail "the summary counts kept logins"; sed 's/^/# /' "$T/out"; fi

sync_ok "sync after the Admins role and carol were removed" --aws-auth "$T/aws-auth-revoked.yaml"
same "build" "$(users | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')" \
    "revocation: the templated login and carol are gone"
if grep -q "admin-bob (revoked" "$T/out" && grep -q "carol (no longer in aws-auth)" "$T/out"; then
    pass "the summary names what was removed and why"
else
    fail "the summary names what was removed and why"; sed 's/^/# /' "$T/out"
fi
same "$build_uid" "$(uid_of build)" "build keeps its uid"

# ---- a parse error keeps the last good DB -------------------------------------------
cp "$DB" "$T/before.db"
"$EKSAUTH" $CONF sync --aws-auth "$T/aws-auth-broken.yaml" >"$T/out" 2>"$T/err"
same 2 $? "a malformed aws-auth: exit 2"
if cmp -s "$DB" "$T/before.db"; then pass "the DB is untouched"; else fail "the DB is untouched"; fi
if grep -q "unchanged" "$T/err"; then pass "the error says the DB is unchanged"; else
    fail "the error says the DB is unchanged"; sed 's/^/# /' "$T/err"; fi
"$EKSAUTH" $CONF sync --aws-auth "$T/missing.yaml" >"$T/out" 2>"$T/err"
same 2 $? "a missing aws-auth: exit 2"
cmp -s "$DB" "$T/before.db" && pass "the DB is untouched" || fail "the DB is untouched"

# ---- a value the cluster drops is dropped here too, and sync says so ---------------------
"$EKSAUTH" $CONF sync --aws-auth "$T/aws-auth-broken-maproles.yaml" >"$T/out" 2>"$T/err"
same 2 $? "a YAML error inside mapRoles: exit 2"
same "carol" "$(users | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')" \
    "mapRoles dropped as the cluster drops it: build is gone, carol (mapUsers) still served"
if grep -q "dropped, as the cluster drops them: mapRoles (14:8: mapRoles: " "$T/err"; then
    pass "the error names the dropped key and where it broke"
else
    fail "the error names the dropped key and where it broke"; sed 's/^/# /' "$T/err"
fi
if grep -q "aws-auth: mapRoles dropped: " "$T/out"; then pass "the summary warns about it"; else
    fail "the summary warns about it"; sed 's/^/# /' "$T/out"; fi
"$EKSAUTH" $CONF sync --json --aws-auth "$T/aws-auth-broken-maproles.yaml" >"$T/json" 2>/dev/null
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["dropped"]) == 1 and d["dropped"][0].startswith("mapRoles ("), d' "$T/json"
then pass "sync --json lists it under dropped"; else fail "sync --json lists it under dropped"; sed 's/^/# /' "$T/json"; fi
sync_ok "a good aws-auth again" --aws-auth "$T/aws-auth-sync.yaml"
cp "$DB" "$T/before.db"

# ---- an empty aws-auth ----------------------------------------------------------
"$EKSAUTH" $CONF sync --aws-auth "$T/aws-auth-empty.yaml" >"$T/out" 2>"$T/err"
same 2 $? "an aws-auth that maps nobody: refused without --allow-empty"
cmp -s "$DB" "$T/before.db" && pass "the DB is untouched" || fail "the DB is untouched"
# Every entry malformed (skipped, each with a warning): the one-line refusal says why.
printf 'mapRoles: |\n  - rolearn: arn:aws:iam::{{id}}:role/x\n    username: a\n  - rolearn: notanarn\n    username: b\n' \
    >"$T/aws-auth-all-skipped.yaml"
chmod 0644 "$T/aws-auth-all-skipped.yaml"
"$EKSAUTH" $CONF sync --aws-auth "$T/aws-auth-all-skipped.yaml" >"$T/out" 2>"$T/err"
same 2 $? "an aws-auth whose every entry is skipped: refused as mapping nobody"
if tail -n 1 "$T/err" | grep -q '^eksauth: sync: .* maps nobody (2 warnings; the first: aws-auth: mapRoles: .*entry skipped)'; then
    pass "the refusal says why: both entries skipped, and the first warning"
else
    fail "the refusal says why: both entries skipped, and the first warning"
    sed 's/^/# /' "$T/err"
fi
# A failed sync prints its warnings too, before its error (it printed the
# error alone, so what only a warning says, nscd's caches not dropped
# among them, was never seen).
if [ "$(wc -l <"$T/err")" = 3 ] && [ "$(grep -c '^eksauth: sync: warning: aws-auth: mapRoles: .*entry skipped' "$T/err")" = 2 ]; then
    pass "a failed sync prints its warnings before its error"
else
    fail "a failed sync prints its warnings before its error"
    sed 's/^/# /' "$T/err"
fi
"$EKSAUTH" $CONF sync --json --aws-auth "$T/aws-auth-all-skipped.yaml" >"$T/json" 2>"$T/err"
same 2 $? "... --json: refused the same"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "maps nobody" in d["error"], d; assert len(d["warnings"]) == 2 and all("entry skipped" in w for w in d["warnings"]), d' "$T/json"
then pass "... --json: an object with the error and both warnings"
else fail "... --json: an object with the error and both warnings"; sed 's/^/# /' "$T/json" "$T/err"; fi
cmp -s "$DB" "$T/before.db" && pass "the DB is still untouched" || fail "the DB is still untouched"
sync_ok "--allow-empty writes it" --allow-empty --aws-auth "$T/aws-auth-empty.yaml"
same "" "$(users)" "no users left"

# ---- an untrusted DB is refused, never silently replaced ---------------------------------
sync_ok "sync (rebuild)" --aws-auth "$T/aws-auth-sync.yaml"
chmod 0666 "$DB"
"$EKSAUTH" $CONF sync --aws-auth "$T/aws-auth-sync.yaml" >"$T/out" 2>"$T/err"
same 2 $? "a world-writable DB: sync refuses"
same 666 "$(stat -c %a "$DB")" "and leaves it for the admin to look at"
rm -f "$DB"

# ---- a file at db_path that is no identity DB is never written over ---------------------
# db_path naming another file (a typo: /etc/passwd) was rebuilt over, as a
# damaged DB is (lib/sync.c): refused now, byte for byte as it was.
mkdir -m 0755 "$T/etc"
printf 'root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/usr/sbin/nologin\n' >"$T/etc/passwd"
chmod 0644 "$T/etc/passwd"
cp "$T/etc/passwd" "$T/passwd.before"
{ cat "$T/eksauth.conf"; echo "db_path = $T/etc/passwd"; } >"$T/foreign.conf"
chmod 0600 "$T/foreign.conf"
env -u EKSAUTH_DB "$EKSAUTH" --config "$T/foreign.conf" sync --aws-auth "$T/aws-auth-sync.yaml" >"$T/out" 2>"$T/err"
same 2 $? "db_path naming a file that is no identity DB: sync refuses (exit 2)"
cmp -s "$T/etc/passwd" "$T/passwd.before" && pass "... and leaves it byte for byte as it was" ||
    fail "... and leaves it byte for byte as it was"
if grep -q "^eksauth: sync: identity DB: $T/etc/passwd: not an identity DB (bad magic), and eksauth sync leaves it as it is; check db_path in the config, or, if it was an identity DB damaged at its start, move it away and run eksauth sync again\$" "$T/err"; then
    pass "... saying so: the path, no identity DB, left as it is, what to do"
else
    fail "... saying so: the path, no identity DB, left as it is, what to do"; sed 's/^/# /' "$T/out" "$T/err"
fi
# /etc/passwd.lock is shadow's own lock: useradd and passwd would find it held.
[ ! -e "$T/etc/passwd.lock" ] && pass "... and makes no lock file beside it (passwd.lock)" ||
    fail "... and makes no lock file beside it (passwd.lock)"

# ---- collisions, local names, reserved names (needs a namespace for local names) ----------
why=$(ns_unsupported)
if [ -n "$why" ]; then
    skip "collisions and local names ($why)"
    skip "getent/id/sudo on the synced DB ($why)"
    done_testing
    exit $?
fi
ns_prepare "files eksauth"
echo "eks-ops:x:5002:" >>"$T/group" # a local group that a k8s group would map onto
EKSAUTH_CONFIG="$T/eksauth.conf" ns_run "$EKSAUTH" sync --aws-auth "$T/aws-auth-collide.yaml" \
    >"$T/out" 2>"$T/err"
same 0 $? "sync with collisions and clashes succeeds (they are warnings)"
same "erin opsuser" "$(users | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')" "erin and opsuser served (opsuser without the refused group)"
if grep -q "'alice'" "$T/out" && grep -q "'Alice'" "$T/out"; then
    pass "the collision warning names both k8s usernames"
else
    fail "the collision warning names both k8s usernames"; sed 's/^/# /' "$T/out" "$T/err"
fi
if grep -q "localbob" "$T/out"; then pass "a local user's name is refused with a warning"; else
    fail "a local user's name is refused with a warning"; sed 's/^/# /' "$T/out"; fi
if grep -q "eks-ops" "$T/out"; then pass "a local group's name is refused with a warning"; else
    fail "a local group's name is refused with a warning"; sed 's/^/# /' "$T/out"; fi
if grep -q "root" "$T/out"; then pass "a reserved name is refused with a warning"; else
    fail "a reserved name is refused with a warning"; sed 's/^/# /' "$T/out"; fi
case $("$EKSAUTH" $CONF groups | grep '^eks-ops:') in "") pass "eks-ops is not served" ;;
*) fail "eks-ops is not served" ;; esac

# ---- the synced DB through glibc: getent, id, templated name, setuid sudo --------------------
EKSAUTH_CONFIG="$T/eksauth.conf" ns_run "$EKSAUTH" sync --aws-auth "$T/aws-auth-sync.yaml" \
    >"$T/out" 2>&1
ns_publish_db
same "$("$EKSAUTH" $CONF users | grep '^build:')" "$(ns_run getent passwd build)" \
    "getent passwd build = eksauth users"
out=$(ns_run id -Gn build)
case " $out " in *" eks-system-masters "*) pass "id build: eks-system-masters among its groups" ;;
*) fail "id build: $out" ;; esac
case $(ns_run getent passwd admin-zoe) in "admin-zoe:*:19"*":/home/admin-zoe:/bin/bash") pass "a templated name resolves" ;;
*) fail "a templated name resolves: $(ns_run getent passwd admin-zoe)" ;; esac
cp /etc/sudoers "$T/sudoers"
printf '\n%%eks-system-masters ALL=(ALL:ALL) ALL\n' >>"$T/sudoers"
chmod 0440 "$T/sudoers"
out=$(ns_run sudo -l -U build 2>&1)
case $out in *"(ALL : ALL) ALL"*) pass "sudo -l -U build: allowed through %eks-system-masters" ;;
*) fail "sudo -l -U build"; echo "$out" | sed 's/^/# /' ;; esac
out=$(ns_run sudo -l -U carol 2>&1)
case $out in *"not allowed"*) pass "sudo -l -U carol: not allowed" ;;
*) fail "sudo -l -U carol"; echo "$out" | sed 's/^/# /' ;; esac

done_testing
