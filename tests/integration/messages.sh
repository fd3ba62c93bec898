#!/bin/sh
# messages.sh - the messages issue 18 found saying what is wrong but not what
# to do, each with a test: `eksauth sync` with no config at all (the default
# file missing, in a mount namespace whose /etc has no eksauth folder), with
# an aws_auth_file that does not exist, with an --aws-auth that does not
# exist, run by someone other than root (the identity DB's lock), and
# `check-token` / `verify` of an empty token.  Each names what is wrong, says
# what to do, and exits 2 with the identity DB unchanged.  And check-token
# drops the blanks around a token that a login drops, no others.  TAP output.
#
# Environment: EKSAUTH, top_srcdir (set by make check).
set -u
. "$top_srcdir/tests/lib/tap.sh"
: "${EKSAUTH:?EKSAUTH is not set (run through make check)}"

T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-messages.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
chmod 0755 "$T"
unset EKSAUTH_CONFIG
export EKSAUTH_DB="$T/db/identity.db"
mkdir -m 0755 "$T/db"
cp "$top_srcdir/tests/fixtures/aws-auth-sample.yaml" "$T/aws-auth.yaml"
chmod 0644 "$T/aws-auth.yaml"

# run NAME CMD...: rc, $T/NAME.err
run() {
    name=$1
    shift
    "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
    rc=$?
}

# 1. No config at all: /etc/eksauth/eksauth.conf is missing (here /etc is an overlay,
#    in a private mount namespace, without an eksauth folder).
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    mkdir -p "$T/etc.up" "$T/etc.work"
    unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc &&
        rm -rf /etc/eksauth && exec "$0" sync' "$EKSAUTH" "$T/etc.up" "$T/etc.work" \
        >"$T/noconf.out" 2>"$T/noconf.err" </dev/null
    rc=$?
    like "$rc:$(cat "$T/noconf.err")" \
        "^2:eksauth: sync: /etc/eksauth/eksauth.conf does not exist: write it first \(cluster_id = .*aws_auth_file = .*\), or give --aws-auth FILE; the identity DB is unchanged$" \
        "sync without a config: the config file is missing, what to write in it"
else
    bail "needs root and unshare -m (a private /etc without /etc/eksauth)"
fi

# 2. aws_auth_file names a file that is not there.
printf 'cluster_id = prod\naws_auth_file = %s/missing.yaml\n' "$T" >"$T/eksauth.conf"
chmod 0644 "$T/eksauth.conf"
run nofile "$EKSAUTH" --config "$T/eksauth.conf" sync
like "$rc:$(cat "$T/nofile.err")" \
    "^2:eksauth: sync: $T/missing.yaml \(aws_auth_file in $T/eksauth.conf\) does not exist: write the ConfigMap there \(kubectl get configmap aws-auth -n kube-system -o yaml\), or set source = kubernetes" \
    "sync, aws_auth_file missing: the file, where it is set, how to write it"
is "$(grep -o 'missing\.yaml' "$T/nofile.err" | wc -l | tr -d ' ')" 1 "... the path said once"
run noarg "$EKSAUTH" --config "$T/eksauth.conf" sync --aws-auth "$T/nowhere.yaml"
like "$rc:$(cat "$T/noarg.err")" "^2:eksauth: sync: --aws-auth $T/nowhere.yaml: no such file; the identity DB is unchanged$" \
    "sync --aws-auth FILE missing: says it was the option's file"
[ ! -e "$EKSAUTH_DB" ]
ok $? "no identity DB was written by any of them"

# 3. Not root: the identity DB (its lock) is root's.  One good sync first, as root.
run first "$EKSAUTH" --config "$T/eksauth.conf" sync --aws-auth "$T/aws-auth.yaml"
is "$rc" 0 "a sync as root" || sed 's/^/#   /' "$T/first.err"
sum=$(cksum <"$EKSAUTH_DB")
command -v setpriv >/dev/null 2>&1 || bail "setpriv (util-linux) not found"
run nonroot setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$EKSAUTH" --config "$T/eksauth.conf" sync --aws-auth "$T/aws-auth.yaml"
# The error is the last line: a failed sync prints its warnings (the
# sample's skipped entries) before it.
like "$rc:$(tail -n 1 "$T/nonroot.err")" \
    "^2:eksauth: sync: identity DB: .*identity\.db\.lock: Permission denied; the identity DB is root's: run eksauth sync as root \(sudo eksauth sync\)$" \
    "sync as nobody: Permission denied, and run it as root"
is "$(cksum <"$EKSAUTH_DB")" "$sum" "... the identity DB unchanged"

# 4. An empty token, on standard input or as the argument.
run emptystdin sh -c 'printf "\n" | "$0" check-token -' "$EKSAUTH"
like "$rc:$(cat "$T/emptystdin.err")" \
    "^2:eksauth: check-token: no token: standard input is empty; give the token as the argument, or on standard input: aws eks get-token --cluster-name eksauth:CLUSTER:HOST .* \| eksauth check-token -$" \
    "check-token of empty input: no token, and how to give one (exit 2, not 'token rejected: prefix')"
run emptyarg "$EKSAUTH" check-token ""
like "$rc:$(cat "$T/emptyarg.err")" "^2:eksauth: check-token: no token: the argument is empty" \
    "check-token \"\": the argument is empty"
run emptyverify "$EKSAUTH" --config "$T/eksauth.conf" verify ""
like "$rc:$(cat "$T/emptyverify.err")" "^2:eksauth: verify: no token: the argument is empty.*get-token --cluster-name eksauth:CLUSTER:HOST .*\| eksauth verify -$" \
    "verify \"\": the same, for verify"

# 5. check-token predicts a login: the blanks around a token that pam_eksauth drops from
#    an answer (lib/pieces.c: space, tab, CR, LF) are dropped, any other is the token's.
tok=$(AWS_ACCESS_KEY_ID=AKIAFAKEEXAMPLE00001 AWS_SECRET_ACCESS_KEY=fake AWS_SESSION_TOKEN= \
    "$EKSAUTH" token --cluster-id prod --host h1 --region us-east-1 2>/dev/null)
printf ' \t%s \r\n' "$tok" | "$EKSAUTH" check-token - >/dev/null 2>"$T/blanks.err"
is "$?" 0 "check-token: space, tab, CR and LF around the token are dropped, as a login drops them"
printf '\v%s' "$tok" | "$EKSAUTH" check-token - >/dev/null 2>"$T/vt.err"
like "$?:$(cat "$T/vt.err")" '^1:eksauth: token rejected: prefix' \
    "check-token: a vertical tab is the token's, as in a login (rejected)"

done_testing
