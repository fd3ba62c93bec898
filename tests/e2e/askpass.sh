#!/bin/bash
# askpass.sh - the client half on its own, without sshd: `eksauth askpass`
# answering pam_eksauth's prompts as ssh and sudo pass them, and what
# `eksauth ssh` hands to ssh (a stand-in `ssh` first in PATH records it).
# Covers: the prompts it answers and the ones it refuses (without ever
# running the token command), pieces of at most 500 bytes that rebuild the
# token, the 0600 file in a 0700 folder and its removal after the last
# piece or on expiry, a fresh token on every first prompt, the default
# `aws eks get-token` command and the built-in signer, bad token commands,
# unsafe folders, and for `eksauth ssh`: arguments untouched (--config
# included), keyboard-interactive preferred unless chosen, ssh's exit status,
# the private folder removed.  TAP output; no root needed.
#
# Environment: EKSAUTH, top_srcdir (set by make check).
# bash (arrays, process substitution), whatever shell make check starts us with.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"
. "$top_srcdir/tests/lib/tap.sh"
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}
FIX="$top_srcdir/tests/e2e/fixtures"

T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-askpass.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset EKSAUTH_CLUSTER EKSAUTH_REGION EKSAUTH_TOKEN_COMMAND EKSAUTH_BUILTIN EKSAUTH_ASKPASS_DIR
unset XDG_RUNTIME_DIR SSH_ASKPASS SSH_ASKPASS_REQUIRE
export HOME="$T/home" TMPDIR="$T/tmp" AWS_CONFIG_FILE="$T/none" AWS_SHARED_CREDENTIALS_FILE="$T/none"
mkdir -m 0700 "$T/home" "$T/tmp" "$T/dir" "$T/tok"

# A test token of the length of an assumed-role one (1811 bytes), and a short one.
LONG="k8s-aws-v1.$(head -c 1350 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' | head -c 1800)"
SHORT="k8s-aws-v1.$(head -c 360 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' | head -c 480)"
printf '%s\n' "$LONG" >"$T/tok/long"
printf '%s\n' "$SHORT" >"$T/tok/short"

# ask OUT PROMPT: one askpass call, as ssh makes it (a child of one process: this
# shell, so that the pieces of one conversation share a parent); rc, $T/OUT, $T/OUT.err.
ask() {
    "$EKSAUTH" askpass "$2" >>"$T/$1" 2>"$T/$1.err"
    rc=$?
}
# rebuild FILE: the answers in FILE joined as pam_eksauth joins them.
rebuild() {
    "$PYTHON" -c '
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
print("".join(l[:-1] if l.endswith("\\") else l for l in lines))' "$1"
}
# lengths FILE: the length of each answer, on one line.
lengths() { awk '{ printf "%s%d", (NR > 1 ? " " : ""), length($0) }' "$1"; }

export EKSAUTH_ASKPASS_DIR="$T/dir"
export EKSAUTH_TOKEN_COMMAND="echo run >>$T/runs; cat $T/tok/long"

# ---------------------------------------------------------------- usage
"$EKSAUTH" askpass --help >/dev/null
ok $? "askpass --help"
"$EKSAUTH" askpass >/dev/null 2>&1
is $? 2 "askpass without a prompt: usage error (exit 2)"

# ------------------------------------------------------- refused prompts
for prompt in "admin-alice@127.0.0.1's password: " \
    "Are you sure you want to continue connecting (yes/no/[fingerprint])? " \
    "Enter passphrase for key '/home/a/.ssh/id_ed25519': " \
    "[sudo] password for alice: " "Password: " "EKS token:" "Your EKS token: " \
    "(a@h) Password: EKS token: " "EKS token: please" "(a@h) EKS token (continued):"; do
    rm -f "$T/refused"
    ask refused "$prompt"
    if [ "$rc" = 1 ] && [ ! -s "$T/refused" ] && [ ! -e "$T/runs" ] &&
        grep -q 'not an eksauth prompt, not answered' "$T/refused.err"; then
        pass "refused, nothing printed, no token made: \"$prompt\""
    else
        fail "refused, nothing printed, no token made: \"$prompt\" (rc=$rc)"
    fi
done
printf 'x\033[2Jy' >"$T/ctl"
ask refused "$(cat "$T/ctl")"
unlike "$(cat "$T/refused.err")" $'\033' "a refused prompt is quoted without its control characters"

# ----------------------------------------------- a long token, in pieces
: >"$T/p"
ask p "EKS token: "
is "$rc" 0 "first prompt, bare as sudo passes it: answered"
is "$(lengths "$T/p")" 500 "the first answer is 500 bytes"
like "$(head -c 511 "$T/p")" '\\$' "it ends with '\\' (more follows)"
files=$(ls "$T/dir" | grep -vx last-mint)
is "$(echo "$files" | wc -l | tr -d ' ')" 1 "one token file while pieces remain"
is "$(stat -c '%a %U' "$T/dir/$files")" "600 $(id -un)" "the token file is 0600 and ours"
is "$(stat -c '%a' "$T/dir")" 700 "in a 0700 folder"
for _ in 1 2 3; do ask p "(admin-alice@127.0.0.1) EKS token (continued): "; done
is "$rc" 0 "continued prompts, with ssh's (user@host) prefix: answered"
is "$(lengths "$T/p")" "500 500 500 314" "pieces of 500, 500, 500 and 314 bytes"
is "$(rebuild "$T/p")" "$LONG" "the pieces rebuild the token exactly"
is "$(ls "$T/dir" | grep -vx last-mint | wc -l | tr -d ' ')" 0 "the token file is gone after the last piece"
is "$(stat -c '%a %U %s' "$T/dir/last-mint")" "600 $(id -un) 11" \
    "beside it only last-mint: 0600, ours, a time (the next mint starts in a later second)"
ask p "(admin-alice@127.0.0.1) EKS token (continued): "
is "$rc:$(lengths "$T/p")" "1:500 500 500 314" "a continued prompt after the end: refused, nothing printed"
is "$(wc -l <"$T/runs" | tr -d ' ')" 1 "the token command ran once for the four pieces"

# A new first prompt (ssh tries again) makes a fresh token.
: >"$T/p2"
ask p2 "(u@h) EKS token: "
ask p2 "(u@h) EKS token: "
is "$(wc -l <"$T/runs" | tr -d ' ')" 3 "every first prompt gets a fresh token"
rm -f "$T/dir"/* "$T/runs"

# A short token: one answer, no file at all.
: >"$T/s"
EKSAUTH_TOKEN_COMMAND="cat $T/tok/short" ask s "(u@h) EKS token: "
is "$rc:$(cat "$T/s")" "0:$SHORT" "a token of 500 bytes or less: answered whole"
is "$(ls -A "$T/dir" | grep -vx last-mint | wc -l | tr -d ' ')" 0 "no token file for a one-piece token"

# ------------------------------------------------------- token commands
# An ExecCredential, as aws eks get-token --output json prints it.
cat >"$T/exec.json" <<EOF
{
    "kind": "ExecCredential",
    "apiVersion": "client.authentication.k8s.io/v1beta1",
    "spec": {},
    "status": {
        "expirationTimestamp": "$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)",
        "token": "$LONG"
    }
}
EOF
: >"$T/j"
EKSAUTH_TOKEN_COMMAND="cat $T/exec.json" ask j "EKS token: "
for _ in 1 2 3; do ask j "EKS token (continued): "; done
is "$(rebuild "$T/j")" "$LONG" "an ExecCredential's status.token, in pieces"

# Expiry: a token that expires between two prompts is dropped, not sent.  The
# first prompt must be answered before it expires, even on a loaded machine: 6 s.
sed "s/\"expirationTimestamp\": \"[^\"]*\"/\"expirationTimestamp\": \"$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)\"/" \
    "$T/exec.json" >"$T/soon.json"
: >"$T/e"
EKSAUTH_TOKEN_COMMAND="cat $T/soon.json" ask e "EKS token: "
sleep 7
ask e "EKS token (continued): "
is "$rc:$(lengths "$T/e")" "1:500" "a token that expired between prompts is not sent"
like "$(cat "$T/e.err")" "expired between prompts" "and askpass says why"
is "$(ls -A "$T/dir" | grep -vx last-mint | wc -l | tr -d ' ')" 0 "and its file is removed"

for bad in "printf 'not a token\n'" "echo k8s-aws-v1.abc+def" "echo '{\"status\": {}}'" "exit 3" \
    "head -c 5000 /dev/zero | tr '\\\\0' A | sed 's/^/k8s-aws-v1./'"; do
    : >"$T/b"
    EKSAUTH_TOKEN_COMMAND="$bad" ask b "EKS token: "
    if [ "$rc" != 0 ] && [ ! -s "$T/b" ] && [ "$(ls -A "$T/dir" | grep -vx last-mint | wc -l)" = 0 ]; then
        pass "a bad token command ($bad): no answer, no file"
    else
        fail "a bad token command ($bad): no answer, no file (rc=$rc)"
    fi
done
unset EKSAUTH_TOKEN_COMMAND
EKSAUTH_CLUSTER='' ask b "EKS token: "
like "$rc:$(cat "$T/b.err")" "^2:.*set EKSAUTH_CLUSTER" "no EKSAUTH_CLUSTER and no command: says what to set"

# The default command (the real aws eks get-token) and the built-in signer.
eval "$("$PYTHON" - "$FIX/creds.json" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))["ASIAE2EADMINALICE001"]
print("export AWS_ACCESS_KEY_ID=ASIAE2EADMINALICE001 AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      % (shlex.quote(c["secret"]), shlex.quote(c["session_token"])))
EOF
)"
export EKSAUTH_CLUSTER=e2e-cluster EKSAUTH_REGION=us-east-1
if command -v aws >/dev/null 2>&1; then
    : >"$T/a"
    ask a "EKS token: "
    for _ in 1 2 3; do ask a "EKS token (continued): "; done
    "$EKSAUTH" check-token "$(rebuild "$T/a")" >"$T/a.json" 2>&1
    is "$?:$(grep -c '"has_session_token": true' "$T/a.json")" "0:1" \
        "default command aws eks get-token: the pieces make a valid token with a session token"
else
    pass "# SKIP aws (awscli) not installed"
fi
: >"$T/bi"
EKSAUTH_BUILTIN=1 ask bi "EKS token: "
for _ in 1 2 3; do EKSAUTH_BUILTIN=1 ask bi "EKS token (continued): "; done
"$EKSAUTH" check-token "$(rebuild "$T/bi")" >"$T/bi.json" 2>&1
is "$?:$(grep -c '"access_key_id": "ASIAE2EADMINALICE001"' "$T/bi.json")" "0:1" \
    "EKSAUTH_BUILTIN=1: the built-in signer's token, in pieces, passes check-token"
: >"$T/bo"
ask bo --builtin
is "$rc" 2 "askpass --builtin without a prompt: usage error"
unset EKSAUTH_CLUSTER EKSAUTH_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# ------------------------------------------------------------- folders
export EKSAUTH_TOKEN_COMMAND="cat $T/tok/long"
chmod 0755 "$T/dir"
: >"$T/u"
ask u "EKS token: "
is "$rc:$(wc -c <"$T/u" | tr -d ' ')" "2:0" "a token folder others can read is refused"
like "$(cat "$T/u.err")" "lets others in" "and the message says why"
chmod 0700 "$T/dir"
unset EKSAUTH_ASKPASS_DIR
: >"$T/d"
ask d "EKS token: "
is "$rc:$(stat -c %a "$TMPDIR/eksauth-askpass-$(id -u)")" "0:700" \
    "without EKSAUTH_ASKPASS_DIR or XDG_RUNTIME_DIR: \$TMPDIR/eksauth-askpass-UID, 0700"
mkdir -m 0700 "$T/xdg"
: >"$T/x"
XDG_RUNTIME_DIR="$T/xdg" ask x "EKS token: "
is "$rc:$(stat -c %a "$T/xdg/eksauth")" "0:700" "with XDG_RUNTIME_DIR: \$XDG_RUNTIME_DIR/eksauth, 0700"
mkdir -m 0777 "$T/tmp2" "$T/tmp2/eksauth-askpass-$(id -u)"
chmod 0777 "$T/tmp2/eksauth-askpass-$(id -u)"
: >"$T/w"
TMPDIR="$T/tmp2" ask w "EKS token: "
is "$rc:$(wc -c <"$T/w" | tr -d ' ')" "2:0" "a folder made beforehand with mode 0777 is refused"

# --------------------------------------------------------- eksauth ssh
# A stand-in ssh: records its arguments and environment, answers one prompt
# through SSH_ASKPASS as ssh would, and exits with $FAKE_RC.
mkdir -p "$T/bin"
cat >"$T/bin/ssh" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >"$FAKE_OUT.args"
{
    echo "SSH_ASKPASS_REQUIRE=$SSH_ASKPASS_REQUIRE"
    echo "dir=$EKSAUTH_ASKPASS_DIR"
    echo "dirmode=$(stat -c %a "$EKSAUTH_ASKPASS_DIR")"
    echo "launcher=$(stat -c %a "$SSH_ASKPASS")"
    case $SSH_ASKPASS in "$EKSAUTH_ASKPASS_DIR"/*) echo "launcher-inside=yes" ;; esac
} >"$FAKE_OUT.env"
"$SSH_ASKPASS" "(u@h) EKS token: " >"$FAKE_OUT.answer"
echo "askpass=$?" >>"$FAKE_OUT.env"
ls "$EKSAUTH_ASKPASS_DIR" | grep -c '^askpass-' | sed 's/^/tokenfiles=/' >>"$FAKE_OUT.env"
[ -n "${FAKE_SIGNAL:-}" ] && kill -s "$FAKE_SIGNAL" $$
exit "${FAKE_RC:-0}"
EOF
chmod 0755 "$T/bin/ssh"
export PATH="$T/bin:$PATH" FAKE_OUT="$T/fake"
unset EKSAUTH_TOKEN_COMMAND

EKSAUTH_TOKEN_COMMAND='' EKSAUTH_CLUSTER='' "$EKSAUTH" ssh host >/dev/null 2>"$T/ssh0.err"
like "$?:$(cat "$T/ssh0.err")" "^2:.*set EKSAUTH_CLUSTER" "eksauth ssh without EKSAUTH_CLUSTER: says what to set (exit 2)"
[ ! -e "$T/fake.args" ]
ok $? "and ssh is not run"

export EKSAUTH_TOKEN_COMMAND="cat $T/tok/long"
FAKE_RC=7 "$EKSAUTH" --config /dev/null ssh --config x --aws-auth=y -p 2222 -o 'User=a b' host 'echo "$HOME"; ls' --
is "$?" 7 "eksauth ssh exits with ssh's status"
printf '%s\n' -o PreferredAuthentications=keyboard-interactive,publickey --config x --aws-auth=y \
    -p 2222 -o 'User=a b' host 'echo "$HOME"; ls' -- >"$T/want.args"
is "$(cat "$T/fake.args")" "$(cat "$T/want.args")" \
    "every argument reaches ssh untouched (--config and --aws-auth too), after -o PreferredAuthentications=keyboard-interactive,..."
like "$(cat "$T/fake.env")" "SSH_ASKPASS_REQUIRE=force" "SSH_ASKPASS_REQUIRE=force"
like "$(cat "$T/fake.env")" "dirmode=700" "a private 0700 folder for the run"
like "$(cat "$T/fake.env")" "launcher=700" "the SSH_ASKPASS launcher is 0700"
like "$(cat "$T/fake.env")" "launcher-inside=yes" "and lives in that folder"
like "$(cat "$T/fake.env")" "askpass=0" "ssh's askpass call answered"
is "$(head -c 500 "$T/fake.answer")" "$(head -c 499 "$T/tok/long")\\" "with the first piece of the token"
like "$(cat "$T/fake.env")" "tokenfiles=1" "the token file waits in the run's folder"
dir=$(sed -n 's/^dir=//p' "$T/fake.env")
[ -n "$dir" ] && [ ! -e "$dir" ]
ok $? "the folder and the unfinished token file are gone when ssh ends"

"$EKSAUTH" ssh -oPreferredAuthentications=password host
is "$(head -n 1 "$T/fake.args")" "-oPreferredAuthentications=password" \
    "arguments that choose PreferredAuthentications are left to decide"
FAKE_SIGNAL=TERM "$EKSAUTH" ssh host
is "$?" 143 "ssh ended by SIGTERM: exit 128 + 15"

# Nothing secret in what askpass and eksauth ssh print on standard error.
cat "$T"/*.err >"$T/all.err"
if grep -q 'k8s-aws-v1\.' "$T/all.err" || grep -qF "${LONG:40:40}" "$T/all.err"; then
    fail "no token in any message"
else
    pass "no token in any message"
fi

done_testing
