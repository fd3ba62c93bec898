#!/bin/bash
# uid_race.sh - the uid race of issue 16 with the real sshd and OpenSSH
# client (tests/e2e/e2e_common.sh).  sshd looks a templated name up before
# PAM and keeps the uid it got.  An attacker who may assume a role mapped to
# dev:{{SessionName}} picks a session name whose login lands on the uid
# admin-alice (admin:{{SessionName}}) will get at her first login, connects,
# and holds the token prompt open (a stand-in askpass) until alice has
# logged in for the first time; then answers.  Before issue 16 the
# attacker's login was recorded with another uid while the shell ran with
# alice's.  Now it is refused: the uid is held.  A small id range
# (uid_min = 1000000, uid_max = 1000999) makes the session name quick to
# find; with id_key_file it cannot be found at all (tests/unit/test_names.c).
# TAP output.
#
# Environment: EKSAUTH, top_srcdir, top_builddir (set by make check).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/e2e/e2e_common.sh"
e2e_plan_skip_if_unsupported
IDDB_TOOL="$top_builddir/tests/integration/iddb_tool"
LO=1000000
HI=1000999

# ------------------------------------------------------------------- setup
# The attacker's search, as the issue describes it (unkeyed ids).
SESSION=$("$IDDB_TOOL" aim admin-alice dev- "$LO" "$HI") || bail "no session name lands on alice's uid"
TARGET=$("$IDDB_TOOL" id admin-alice "$LO" "$HI")
[ "$("$IDDB_TOOL" id "dev-$SESSION" "$LO" "$HI")" = "$TARGET" ] || bail "the aimed name misses"
# The stand-in STS knows the attacker's session of role eks-interns too.
E2E_CREDS="$H/etc/creds.json"
"$PYTHON" - "$E2E_FIX/creds.json" "$E2E_CREDS" "$SESSION" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["ASIAE2EINTERNMALLORY"] = {
    "secret": "mAlLoRyTestSecretKeyOfTheUidRace0000001",
    "session_token": "IQoJb3JpZ2luX2VjMalloryUidRaceSessionToken" + "x" * 400 + "=",
    "arn": "arn:aws:sts::111122223333:assumed-role/eks-interns/" + sys.argv[3],
    "user_id": "AROAE2EINTERNS000001:" + sys.argv[3],
    "account": "111122223333"}
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
"$PYTHON" - "$E2E_FIX/aws-auth.yaml" "$H/etc/race-aws-auth.yaml" <<'EOF'
import sys, yaml
cm = yaml.safe_load(open(sys.argv[1]))
roles = yaml.safe_load(cm["data"]["mapRoles"])
roles.append({"rolearn": "arn:aws:iam::111122223333:role/eks-interns",
              "username": "dev:{{SessionName}}", "groups": ["interns"]})
cm["data"]["mapRoles"] = yaml.safe_dump(roles)
open(sys.argv[2], "w").write(yaml.safe_dump(cm))
EOF
e2e_start_sts
e2e_config "$H/etc/race-aws-auth.yaml"
printf 'uid_min = %s\nuid_max = %s\nid_key_file = %s/etc/no-such.key\n' "$LO" "$HI" "$H" >>"$CONF"
e2e_namespace
e2e_sync || bail "eksauth sync failed: $(cat "$H/out/sync.out")"
e2e_start_syslog
e2e_start_sshd
pass "setup: sshd on port $SSH_PORT; the attacker's session '$SESSION' lands on admin-alice's uid $TARGET"
is "$(ns getent passwd "dev-$SESSION" | cut -d: -f3)" "$TARGET" \
    "before: NSS answers dev-$SESSION with the uid admin-alice will get ($TARGET)"

# ssh_as NAME USER AKID ASKPASS: ssh with that askpass and those credentials;
# rc, $H/out/NAME.out and NAME.err (in the background: sets SSH_BG).
ssh_as() {
    local name=$1 user=$2 akid=$3 askpass=$4
    (
        creds "$akid"
        export SSH_ASKPASS="$askpass" SSH_ASKPASS_REQUIRE=force EKSAUTH_HOST="$E2E_HOST"
        # shellcheck disable=SC2046
        exec ssh $(SSH_OPTS) $AS_BASTION -o PreferredAuthentications=keyboard-interactive \
            "$user@127.0.0.1" 'id -u' </dev/null >"$H/out/$name.out" 2>"$H/out/$name.err"
    ) &
    SSH_BG=$!
}

# The stand-in askpass: at the first token prompt it says the prompt is open,
# holds it until $H/go exists, then answers as eksauth askpass does.
cat >"$H/bin/held-askpass" <<EOF
#!/bin/sh
case "\$1" in
*"(continued)"*) ;;
*"EKS token"*)
    touch "$H/held"
    while [ ! -e "$H/go" ]; do sleep 0.2; done ;;
esac
exec "$EKSAUTH" askpass "\$@"
EOF
printf '#!/bin/sh\nexec "%s" askpass "$@"\n' "$EKSAUTH" >"$H/bin/askpass"
chmod 0755 "$H/bin/held-askpass" "$H/bin/askpass"

# ------------------------------------------- 1. the attacker holds the prompt
n0=$(syslog_lines)
ssh_as attacker "dev-$SESSION" ASIAE2EINTERNMALLORY "$H/bin/held-askpass"
ATTACKER=$SSH_BG
for _ in $(seq 300); do
    [ -e "$H/held" ] && break
    sleep 0.1
done
[ -e "$H/held" ] && pass "the attacker's ssh is at the token prompt: sshd has resolved dev-$SESSION" ||
    fail "the attacker's ssh never reached the token prompt"

# ------------------------------------------- 2. alice's first login
ssh_as victim admin-alice ASIAE2EADMINALICE001 "$H/bin/askpass"
wait "$SSH_BG"
is "$?" 0 "admin-alice logs in for the first time"
is "$(cat "$H/out/victim.out")" "$TARGET" "... with uid $TARGET"

# ------------------------------------------- 3. the attacker answers
touch "$H/go"
wait "$ATTACKER"
rc=$?
syslog_since "$n0" "event=auth result=denied user=dev-$SESSION " >"$H/out/race.syslog"
if [ "$rc" != 0 ] && [ ! -s "$H/out/attacker.out" ]; then
    pass "the attacker's login is refused (ssh exit $rc), no shell ran"
else
    fail "the attacker's login is refused (rc=$rc, id -u: $(cat "$H/out/attacker.out"))"
fi
like "$(cat "$H/out/race.syslog")" \
    "event=auth result=denied user=dev-$SESSION .*its id $TARGET is held by user admin-alice" \
    "the log says why: the id is held by admin-alice"
# (sshd shows a keyboard-interactive refusal as "Permission denied"; the reason
# the module sends, its class alone, is test_login.c's test_uid_race_refused.)
unlike "$(cat "$H/out/attacker.err")" "admin-alice" "the attacker's client never sees who holds the id"
ns getent passwd "dev-$SESSION" >/dev/null
is "$?" 2 "after: dev-$SESSION is not recorded, and NSS no longer answers it"
is "$(ns getent passwd admin-alice | cut -d: -f3)" "$TARGET" "admin-alice keeps her uid"

no_secret_in "$H"/out/*
ok $? "no token or secret in any log or output"
e2e_host_unchanged
ok $? "the host is as it was"
done_testing
