#!/bin/bash
# askpass.sh - the client half on its own, without sshd: `eksauth askpass`
# answering pam_eksauth's prompts as ssh and sudo pass them, and what
# `eksauth ssh` hands to ssh (a stand-in `ssh` first in PATH records it).
# Covers: the prompts it answers and the ones it refuses (without ever
# running the token command), pieces of at most 500 bytes that rebuild the
# token, the 0600 file in a 0700 folder and its removal after the last
# piece or on expiry, a fresh token on the first prompt of each process (none
# when it asks again while pieces remain), the default
# `aws eks get-token` command and the built-in signer, bad token commands, a
# missing AWS CLI (named, with the two ways out), unsafe folders; the
# bare prompt (sudo's) answered for this machine only when a process named sudo asks
# (an ssh before OpenSSH 8.5 passes the server's prompt bare too); the
# identity of the kubeconfig's exec section for the host's cluster (a
# stand-in aws shows the --role-arn, --profile, --region and AWS_PROFILE it
# gets; the real aws and the built-in signer sign for the section's region;
# EKSAUTH_TOKEN_COMMAND winning; EKSAUTH_BUILTIN=1 refusing a role; what is
# not a role ARN refused; login-name the same); after a
# refusal (a first prompt again from the same process right after a whole
# token, or after a failed mint) no other token and no second run of the
# command; a prompt that is not ours asked on a terminal (a pty) with the
# answer echoed only for a yes/no question (asked again after Ctrl-Z, bg and
# fg, stopped while in the background), and without one a host key
# question shown whole with the right port in the hint; and for `eksauth
# ssh`: arguments untouched (--config included), keyboard-interactive
# preferred and one attempt unless an -o option chooses them (never a
# host, a file or a remote command that names them), --help and --version its own,
# no login name and no cluster said before ssh runs, ssh's exit status (a
# SIGTERM at the fork not lost: tests/lib/fork_signal.c), the
# private folder removed; eksauth scp and sftp the same.  TAP output; no
# root needed.
#
# Tokens are real (eksauth token, test credentials) and minted for a host
# audience; askpass asks the STS stand-in (tests/lib/fake_sts.py) whether a
# token command's output is for the audience before it sends it.
#
# Environment: EKSAUTH, top_srcdir, FIXTURES (set by make check).
# bash (arrays, process substitution), whatever shell make check starts us with.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"
sts_require
FIX="$top_srcdir/tests/e2e/fixtures"
T="$tmp"
unset EKSAUTH_CLUSTER EKSAUTH_REGION EKSAUTH_TOKEN_COMMAND EKSAUTH_BUILTIN EKSAUTH_ASKPASS_DIR
unset EKSAUTH_HOST XDG_RUNTIME_DIR SSH_ASKPASS SSH_ASKPASS_REQUIRE KUBECONFIG AWS_PROFILE
export HOME="$T/home" TMPDIR="$T/tmp" AWS_CONFIG_FILE="$T/none" AWS_SHARED_CREDENTIALS_FILE="$T/none"
mkdir -m 0700 -p "$T/home" "$T/tmp" "$T/dir" "$T/tok"
sts_certs
# The stand-in knows the e2e credentials too: askpass's own tokens are checked there.
sts_creds_with "$FIX/creds.json"
sts_start sts --creds "$tmp/creds.json"
# The stand-in, where askpass checks a token command's output.
export EKSAUTH_STS_CONNECT_TO="sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT"
export EKSAUTH_STS_CA_FILE="$tmp/tls/ca.crt"

# The host asks for its audience; ssh reached it as h.example.
AUD="eksauth:prod:h.example"
P1="EKS token for $AUD: "
PC="EKS token (continued): "
# mint FILE AKID AUDIENCE: a real token (eksauth token, test credentials).
mint() {
    (sts_creds "$2" && "$EKSAUTH" token --cluster-id prod --region us-east-1 \
        $([ "$3" = prod ] || echo "--host ${3##*:}")) >"$1" || bail "eksauth token failed"
}
# An assumed-role token (over 1023 bytes: in pieces), and a long-term key's short one.
mint "$T/tok/long" ASIAFAKEEXAMPLE00001 "$AUD"
mint "$T/tok/short" AKIAFAKEUSER00000001 "$AUD"
mint "$T/tok/cluster" ASIAFAKEEXAMPLE00001 prod
LONG=$(cat "$T/tok/long")
SHORT=$(cat "$T/tok/short")
[ ${#LONG} -gt 1500 ] && [ ${#SHORT} -le 500 ] ||
    bail "test tokens of ${#LONG} and ${#SHORT} bytes (want > 1500 and <= 500)"
# The answers for LONG: 499 bytes and '\' while more follows, then the rest.
last=$(( ${#LONG} - 3 * 499 ))

# ask OUT PROMPT: one askpass call, as ssh makes it (a child of one process: this
# shell, so that the pieces of one conversation share a parent); rc, $T/OUT, $T/OUT.err.
# setsid: no controlling terminal, whoever runs the test (a prompt that is not ours
# would be asked there).
SETSID=$(command -v setsid) || bail "setsid (util-linux) not found"
ask() {
    "$SETSID" "$EKSAUTH" askpass "$2" >>"$T/$1" 2>"$T/$1.err"
    rc=$?
}
# new_ssh: the next prompts come from another ssh.  Here every prompt comes from this
# shell, so the mark askpass left for the end of the last conversation goes.
new_ssh() { rm -f "${EKSAUTH_ASKPASS_DIR:-$T/dir}"/askpass-*.done; }
# tokfiles DIR: the token files in DIR (not last-mint, not the marks of finished ones).
tokfiles() { ls -A "$1" | grep -v -e '^last-mint$' -e '\.done$' | wc -l | tr -d ' '; }
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
    "(a@h) Password: EKS token: " "EKS token: please" "(a@h) EKS token (continued):" \
    "EKS token for : " "EKS token for $AUD:" "(a@h.example) x) $P1"; do
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

# Prompts that name no host audience, or another host than the one reached:
# never a token, and the token command never runs.
# ASK=sudo_ask: asked as sudo asks.
refused_why() { # PROMPT REGEX DESCRIPTION
    rm -f "$T/refused"
    "${ASK:-ask}" refused "$1"
    if [ "$rc" = 1 ] && [ ! -s "$T/refused" ] && [ ! -e "$T/runs" ] && grep -Eq -- "$2" "$T/refused.err"; then
        pass "$3"
    else
        fail "$3 (rc=$rc)"
        sed 's/^/#   /' "$T/refused.err"
    fi
}
refused_why "EKS token: " "names no audience" \
    "an old host's prompt that names no audience: refused (it would take a cluster token)"
refused_why "(u@h.example) EKS token for prod: " "no host audience.*cluster access" \
    "a host asking for the cluster's own audience: refused"
refused_why "(u@h.example) EKS token for eksauth:prod:bastion2.example: " \
    'calls itself "bastion2.example", but you reached "h.example".*EKSAUTH_HOST=bastion2.example' \
    "a host asking for another host's audience (a relay): refused, and how to name it if meant"
EKSAUTH_CLUSTER=staging refused_why "(u@h.example) $P1" 'maps through cluster "prod", not EKSAUTH_CLUSTER=staging' \
    "a host of another cluster than EKSAUTH_CLUSTER: refused"
# EKSAUTH_HOST past 1 KB: each name whole, never cut to its first letters ("h" of
# h.example.org would take every host h.*).
filler=$(printf 'x%.0s' $(seq 1 1021))
EKSAUTH_HOST="$filler h.example.org" refused_why "EKS token for eksauth:prod:h.example: " \
    'calls itself "h\.example"' \
    "an EKSAUTH_HOST over 1 KB naming h.example.org last: a host calling itself h.example refused"
# named_ask NAME OUT PROMPT: one askpass call from a stand-in process named NAME (bash
# under that name; askpass reads its parent's name); rc, $T/OUT, $T/OUT.err.
# sudo_ask: as sudo asks; oldssh_ask: as an ssh that is no OpenSSH 8.5 or later asks
# (its -V, bash's, names no such version).
mkdir -p "$T/parent"
named_ask() {
    ln -sf "$BASH" "$T/parent/$1"
    "$SETSID" "$T/parent/$1" -c '"$1" askpass "$2" >>"$3" 2>"$3.err"; exit $?' "$1" \
        "$EKSAUTH" "$3" "$T/$2"
    rc=$?
}
sudo_ask() { named_ask sudo "$@"; }
oldssh_ask() { named_ask ssh "$@"; }
oldslogin_ask() { named_ask slogin "$@"; }
ASK=sudo_ask refused_why "$P1" \
    'sudo asks for a token for "h.example", which is not this machine.*EKSAUTH_HOST=h.example' \
    "a bare prompt from sudo naming a host that is not this machine: refused"
# A bare prompt naming this machine, asked by a process that is not sudo: an ssh
# before OpenSSH 8.5 passes a server's prompt without its "(user@host) ", so on an
# eksauth host the server it reached could ask for this host's own audience.
SELF=$(hostname)
refused_why "EKS token for eksauth:prod:$SELF: " \
    "does not say which host you reached.*OpenSSH 8\.5.*EKSAUTH_HOST=$SELF" \
    "a bare prompt for this machine from a process that is not sudo (an old ssh): refused"
# An ssh before OpenSSH 8.5 writes no "(user@host) ": one in its prompt is the server's,
# naming whatever host it likes (here the one askpass would mint for).
ASK=oldssh_ask refused_why "(u@h.example) $P1" \
    'the prompt for "h.example" does not say which host you reached.*OpenSSH 8\.5.*EKSAUTH_HOST=h.example' \
    "a \"(user@host) \" under an ssh that does not write one (before OpenSSH 8.5): the server's, refused"
ASK=oldslogin_ask refused_why "(u@h.example) $P1" 'the prompt for "h.example" does not say which host' \
    "... and under the same ssh started as slogin"
# The same prompt from sudo: this machine's own.
mint "$T/tok/self" AKIAFAKEUSER00000001 "eksauth:prod:$SELF"
rm -f "$T/self"
EKSAUTH_TOKEN_COMMAND="cat $T/tok/self" sudo_ask self "EKS token for eksauth:prod:$SELF: "
is "$rc:$(cat "$T/self")" "0:$(cat "$T/tok/self")" "the same bare prompt from sudo: answered with a token for this machine"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/self.err"
new_ssh

# ssh's question about a host key it does not know, with no terminal: shown whole (the
# fingerprint is what to compare), and the ways to accept it name the host and port.
FP="SHA256:Jq0vRb3bX9mQ8cE1kT5yP2wZ7nH4uL6sA0dF3gV9xYk"
HOSTKEY_PROMPT="The authenticity of host '[127.0.0.1]:2222 ([127.0.0.1]:2222)' can't be established.
ED25519 key fingerprint is $FP.
This key is not known by any other names.
Are you sure you want to continue connecting (yes/no/[fingerprint])? "
rm -f "$T/hk"
ask hk "$HOSTKEY_PROMPT"
is "$rc:$(wc -c <"$T/hk" | tr -d ' ')" "1:0" "an unknown host key without a terminal: not answered"
like "$(cat "$T/hk.err")" "ED25519 key fingerprint is $FP\." "the whole fingerprint is shown"
like "$(cat "$T/hk.err")" 'eksauth ssh -p 2222 127\.0\.0\.1 true.*ssh-keyscan -p 2222 127\.0\.0\.1' \
    "the ways to accept it name the port and host"
# A server's keyboard-interactive prompt posing as that question (after ssh's own
# "(user@host) "): its "port" a command and a terminal escape.  No command of its is
# offered to paste, and no control byte of it reaches the terminal.
ESC=$(printf '\033') BEL=$(printf '\007')
rm -f "$T/hkx"
ask hkx "(u@h.example) The authenticity of host '[h.example]:22;reboot${ESC}]0;x${BEL} (1.2.3.4)' can't be established.
Are you sure you want to continue connecting (yes/no/[fingerprint])? "
is "$rc:$(wc -c <"$T/hkx" | tr -d ' ')" "1:0" "a server's text posing as a host key question: not answered"
unlike "$(cat "$T/hkx.err")" "$ESC|$BEL" "... no control byte of it on the terminal"
unlike "$(grep -e 'eksauth ssh' -e ssh-keyscan "$T/hkx.err")" "reboot" "... and no command of its offered"
like "$(cat "$T/hkx.err")" 'not an eksauth prompt.*answer it with ssh or sudo on a terminal' \
    "... refused as a prompt that is not ours"

# On a terminal (a pty), a prompt that is not ours is the person's: the host key question
# shown whole and the answer echoed; a password not echoed.  The answer goes to ssh.
"$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --transcript "$T/tty.shown" \
    --expect 'yes/no/\[fingerprint\]\)\? $' --send yes -- "$EKSAUTH" askpass "$HOSTKEY_PROMPT"
is "$?:$(cat "$T/tty.out")" "0:yes" "on a terminal: the host key question answered by the person (yes)"
grep -q "fingerprint is $FP\." "$T/tty.shown" && tr -d '\r' <"$T/tty.shown" | grep -q '(yes/no/\[fingerprint\])? yes$'
ok $? "... shown whole, the answer echoed"
# Ctrl-Z at the question, bg, fg (askpass a shell's job, as under ssh run from a
# shell): in the background its read stops it again (SIGTTIN) rather than failing
# or spinning, and after fg it asks again and takes the answer.  With `stty tostop`
# its prompt, written again in the background, stops it (SIGTTOU) without a spin.
for tostop in -tostop:SIGTTIN tostop:SIGTTOU; do
    rm -f "$T/tty.out" "$T/tty.job"
    "$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --job-stop "$T/tty.job" \
        --timeout 20 --expect 'yes/no/\[fingerprint\]\)\? $' --send yes -- \
        sh -c 'stty "$1" && exec "$0" askpass "$2"' "$EKSAUTH" "${tostop%:*}" "$HOSTKEY_PROMPT"
    is "$?:$(cat "$T/tty.out"):$(tr '\n' ' ' <"$T/tty.job")" "0:yes:stopped SIGTSTP stopped ${tostop#*:} " \
        "on a terminal, stty ${tostop%:*}: Ctrl-Z, bg (stopped, no spin), fg: the host key question answered"
done
# SIGTTIN ignored by the caller: in the background askpass can neither read nor stop;
# it refuses at once, named, rather than asking and failing in a loop.
rm -f "$T/tty.out" "$T/tty.job"
"$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --job-stop "$T/tty.job" \
    --transcript "$T/tty.shown" --timeout 10 --expect 'yes/no/\[fingerprint\]\)\? $' --send yes -- \
    sh -c 'trap "" TTIN && exec "$0" askpass "$1"' "$EKSAUTH" "$HOSTKEY_PROMPT"
is "$(tr '\n' ' ' <"$T/tty.job"):$(grep -c 'cannot stop there' "$T/tty.shown")" \
    "stopped SIGTSTP exited 1 :1" "on a terminal, SIGTTIN ignored: bg refuses the question at once, named"
"$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --transcript "$T/tty.shown" \
    --expect 'Password:' --send 'pass word' -- "$EKSAUTH" askpass "(bg@host) Password: "
is "$?:$(cat "$T/tty.out")" "0:pass word" "on a terminal: a password prompt answered by the person"
unlike "$(cat "$T/tty.shown")" "pass word" "... not echoed"
# A signal while the password is half typed (Ctrl-C, a closed window, kill): askpass
# ends by it, and the terminal has its echo back (tools/askpass_terminal.c).
for sig in INT:130 TERM:143 HUP:129; do
    rm -f "$T/tty.out" "$T/tty.echo"
    "$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --echo "$T/tty.echo" \
        --signal "${sig%:*}" --expect 'Password:' --send 'pass' -- "$EKSAUTH" askpass "(bg@host) Password: "
    is "$?:$(cat "$T/tty.echo"):$(cat "$T/tty.out")" "${sig#*:}:echo on:" \
        "on a terminal: SIG${sig%:*} at a password prompt ends askpass, and echo is back on"
done
# A signal the caller started askpass with ignored stays ignored: the prompt goes on
# (an ignored SIGTTOU, caught, had a background askpass loop forever on tcsetattr).
for sig in INT HUP TTOU; do
    rm -f "$T/tty.out" "$T/tty.echo"
    "$PYTHON" "$top_srcdir/tests/lib/pty_run.py" --stdout "$T/tty.out" --echo "$T/tty.echo" \
        --signal "$sig" --ignored ' word' --timeout 10 --expect 'Password:' --send 'pass' -- \
        "$EKSAUTH" askpass "(bg@host) Password: "
    is "$?:$(cat "$T/tty.echo"):$(cat "$T/tty.out")" "0:echo on:pass word" \
        "on a terminal: SIG$sig that the caller ignores leaves the prompt to its answer"
done
[ ! -e "$T/runs" ]
ok $? "no token was made for any of them"
export EKSAUTH_HOST="other.example h.example"

# ----------------------------------------------- a long token, in pieces
: >"$T/p"
ask p "$P1"
is "$rc" 0 "first prompt, bare as sudo passes it (the host named in EKSAUTH_HOST): answered"
is "$(lengths "$T/p")" 500 "the first answer is 500 bytes"
like "$(head -c 511 "$T/p")" '\\$' "it ends with '\\' (more follows)"
files=$(ls "$T/dir" | grep -vx last-mint | grep -v '\.done$')
is "$(echo "$files" | wc -l | tr -d ' ')" 1 "one token file while pieces remain"
is "$(stat -c '%a %U' "$T/dir/$files")" "600 $(id -un)" "the token file is 0600 and ours"
is "$(stat -c '%a' "$T/dir")" 700 "in a 0700 folder"
for _ in 1 2 3; do ask p "(admin-alice@h.example) $PC"; done
is "$rc" 0 "continued prompts, with ssh's (user@host) prefix: answered"
is "$(lengths "$T/p")" "500 500 500 $last" "pieces of 500, 500, 500 and $last bytes"
is "$(rebuild "$T/p")" "$LONG" "the pieces rebuild the token exactly"
is "$(tokfiles "$T/dir")" 0 "the token file is gone after the last piece"
is "$(stat -c '%a %U %s' "$T/dir/last-mint")" "600 $(id -un) 11" \
    "beside it only last-mint: 0600, ours, a time (the next mint starts in a later second)"
ask p "(admin-alice@h.example) $PC"
is "$rc:$(lengths "$T/p")" "1:500 500 500 $last" "a continued prompt after the end: refused, nothing printed"
is "$(wc -l <"$T/runs" | tr -d ' ')" 1 "the token command ran once for the four pieces"

# The host refused it: ssh asks again, from the same process.  No other token.
: >"$T/again"
ask again "(admin-alice@h.example) $P1"
is "$rc:$(wc -c <"$T/again" | tr -d ' '):$(wc -l <"$T/runs" | tr -d ' ')" "1:0:1" \
    "a first prompt again from the ssh that was sent a whole token: refused, nothing sent, no mint"
like "$(cat "$T/again.err")" "the host refused the token sent a moment ago.*not making another" \
    "and askpass says why, once"
# The mark dated a second ahead of time(): the kernel stamps files from a finer clock,
# so a mark written just after a second boundary can be.  Still a retry.
marks=$(ls "$T/dir" | grep '\.done$')
is "$(echo "$marks" | wc -l | tr -d ' ')" 1 "one mark for the sent token"
touch -d "@$(( $(date +%s) + 1 ))" "$T/dir/$marks"
: >"$T/again1"
ask again1 "(admin-alice@h.example) $P1"
is "$rc:$(wc -c <"$T/again1" | tr -d ' '):$(wc -l <"$T/runs" | tr -d ' ')" "1:0:1" \
    "... and with its mark dated a second ahead: refused, nothing sent, no mint"
# Another process (another ssh) gets a fresh token.
: >"$T/other"
sh -c '"$0" askpass "$2" >>"$1"; exit $?' "$EKSAUTH" "$T/other" "$P1" 2>"$T/other.err" </dev/null
is "$?:$(head -c 11 "$T/other"):$(wc -l <"$T/runs" | tr -d ' ')" "0:k8s-aws-v1.:2" \
    "a first prompt from another process: a fresh token"

# A first prompt again while pieces remain (the server started over): no second token.
# Each would be a mint (an AssumeRole of the person's role, an STS check of a token
# command's output), and a host that asks the first prompt over and over would
# have askpass mint once a second for as long as it likes.
new_ssh
: >"$T/p2"
ask p2 "(u@h.example) $P1"
is "$rc:$(lengths "$T/p2"):$(wc -l <"$T/runs" | tr -d ' ')" "0:500:3" \
    "a first prompt: its first piece, a third run of the command"
ask p2 "(u@h.example) $P1"
is "$rc:$(lengths "$T/p2"):$(wc -l <"$T/runs" | tr -d ' ')" "1:500:3" \
    "a first prompt again before the last piece: refused, nothing sent, no mint"
like "$(cat "$T/p2.err")" "asked for a new token before the last one was whole.*not making another.*run ssh again" \
    "and askpass says why and what to do"
unlike "$(cat "$T/p2.err")" "k8s-aws-v1" "... without any of the token"
is "$(ls -A "$T/dir" | grep -c "^askpass-$$-[0-9]*\$")" 0 "the unfinished token's file is removed"
for _ in 1 2 3; do ask p2 "(u@h.example) $P1"; ask p2 "(u@h.example) $PC"; done
is "$(lengths "$T/p2"):$(wc -l <"$T/runs" | tr -d ' ')" "500:3" \
    "three more first and continued prompts from that ssh: nothing sent, no mint"
rm -f "$T/dir"/* "$T/dir"/.askpass-* "$T/runs"

# A short token: one answer, no file at all.
: >"$T/s"
EKSAUTH_TOKEN_COMMAND="cat $T/tok/short" ask s "(u@h.example) $P1"
is "$rc:$(cat "$T/s")" "0:$SHORT" "a token of 500 bytes or less: answered whole"
is "$(tokfiles "$T/dir")" 0 "no token file for a one-piece token"

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
new_ssh
: >"$T/j"
EKSAUTH_TOKEN_COMMAND="cat $T/exec.json" ask j "$P1"
for _ in 1 2 3; do ask j "$PC"; done
is "$(rebuild "$T/j")" "$LONG" "an ExecCredential's status.token, in pieces"

# Expiry: a token that expires between two prompts is dropped, not sent.  The
# first prompt must be answered before it expires, even on a loaded machine: 10 s;
# the second comes once the clock is past it (waited for, not slept).
soon=$(( $(date +%s) + 10 ))
sed "s/\"expirationTimestamp\": \"[^\"]*\"/\"expirationTimestamp\": \"$(date -u -d "@$soon" +%Y-%m-%dT%H:%M:%SZ)\"/" \
    "$T/exec.json" >"$T/soon.json"
new_ssh
: >"$T/e"
EKSAUTH_TOKEN_COMMAND="cat $T/soon.json" ask e "$P1"
while [ "$(date +%s)" -le "$soon" ]; do sleep 0.2; done
ask e "$PC"
is "$rc:$(lengths "$T/e")" "1:500" "a token that expired between prompts is not sent"
like "$(cat "$T/e.err")" "expired between prompts" "and askpass says why"
is "$(tokfiles "$T/dir")" 0 "and its file is removed"

for bad in "printf 'not a token\n'" "echo k8s-aws-v1.abc+def" "echo '{\"status\": {}}'" "exit 3" \
    "head -c 5000 /dev/zero | tr '\\\\0' A | sed 's/^/k8s-aws-v1./'"; do
    new_ssh
    : >"$T/b"
    EKSAUTH_TOKEN_COMMAND="$bad" ask b "$P1"
    if [ "$rc" != 0 ] && [ ! -s "$T/b" ] && [ "$(tokfiles "$T/dir")" = 0 ]; then
        pass "a bad token command ($bad): no answer, no file"
    else
        fail "a bad token command ($bad): no answer, no file (rc=$rc)"
    fi
done
# A command that mints for something else than the audience: STS says so, nothing is sent.
new_ssh
: >"$T/c"
EKSAUTH_TOKEN_COMMAND="cat $T/tok/cluster" ask c "$P1"
if [ "$rc" != 0 ] && [ ! -s "$T/c" ] && grep -q "is not for $AUD.*SignatureDoesNotMatch" "$T/c.err" &&
    [ "$(tokfiles "$T/dir")" = 0 ]; then
    pass "a token command that prints a cluster token: not sent (STS: not for $AUD)"
else
    fail "a token command that prints a cluster token: not sent (rc=$rc)"
    sed 's/^/#   /' "$T/c.err"
fi
# The command learns the audience from EKSAUTH_AUDIENCE.
new_ssh
: >"$T/ea"
EKSAUTH_TOKEN_COMMAND="printf '%s\\n' \"\$EKSAUTH_AUDIENCE\" >$T/audience; cat $T/tok/short" ask ea "$P1"
is "$rc:$(cat "$T/audience")" "0:$AUD" "the token command gets the audience in EKSAUTH_AUDIENCE"
# After a failed mint, the same process's next first prompt does not run the command again.
new_ssh
: >"$T/runs"
EKSAUTH_TOKEN_COMMAND="echo run >>$T/runs; exit 3" ask b "$P1"
EKSAUTH_TOKEN_COMMAND="echo run >>$T/runs; exit 3" ask b "$P1"
is "$rc:$(wc -l <"$T/runs" | tr -d ' ')" "2:1" "after a failed mint, the same process gets no second run of the command"
like "$(cat "$T/b.err")" "no token \(see the first error above\): not trying again" "and one short line"
unset EKSAUTH_TOKEN_COMMAND

# ------------------------------------------- the kubeconfig's exec identity
# kubectl runs the exec: section of the kubeconfig user of the cluster's context;
# askpass mints as that identity for the cluster of the host's audience (prod):
# aws eks get-token with its --role-arn / --profile, and its AWS_* variables over
# the shell's.  A stand-in aws first in PATH records what it was asked and with
# which variables, and prints a real token for the audience.
mkdir -p "$T/fakeaws" "$T/kube"
cat >"$T/fakeaws/aws" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_AWS_OUT.args"
printf 'AWS_PROFILE=%s\nAWS_REGION=%s\nKUBE_ONLY=%s\n' "${AWS_PROFILE-unset}" \
    "${AWS_REGION-unset}" "${KUBE_ONLY-unset}" >"$FAKE_AWS_OUT.env"
if [ -n "${FAKE_AWS_FAIL:-}" ]; then
    echo "An error occurred (AccessDenied) when calling the AssumeRole operation" >&2
    exit 255
fi
cat "$FAKE_AWS_TOKEN"
EOF
chmod 0755 "$T/fakeaws/aws"
ROLE="arn:aws:iam::111122223333:role/eks-admins"
KARN="arn:aws:eks:us-east-1:111122223333:cluster"
# kube FILE CLUSTER COMMAND ARGS [ENV-LINES]: a kubeconfig as aws eks update-kubeconfig
# writes it, the cluster's context current; its API server answers nothing (port 9).
kube() {
    cat >"$1" <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 <"$tmp/tls/ca.crt")
    server: https://127.0.0.1:9
  name: $KARN/$2
contexts:
- context:
    cluster: $KARN/$2
    user: $KARN/$2
  name: $KARN/$2
current-context: $KARN/$2
kind: Config
preferences: {}
users:
- name: $KARN/$2
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $3
      args: [$4]
${5:-}
EOF
}
# kask OUT PROMPT: ask with the stand-in aws first in PATH, the kubeconfig of the test,
# and AWS_PROFILE=shell-profile in the shell; the stand-in's record goes.
kask() {
    rm -f "$T/aws.args" "$T/aws.env"
    new_ssh
    : >"$T/$1"
    PATH="$T/fakeaws:$PATH" KUBECONFIG="$T/kube/config" AWS_PROFILE=shell-profile \
        FAKE_AWS_OUT="$T/aws" FAKE_AWS_TOKEN="$T/tok/short" ask "$@"
}
awsargs() { tr '\n' ' ' <"$T/aws.args" 2>/dev/null | sed 's/ $//'; }

# The kubeconfig the real aws eks update-kubeconfig --role-arn ROLE --profile kube-profile
# writes (its DescribeCluster answered locally: tests/lib/aws_update_kubeconfig.py): the
# role as "--role ROLE" and the region in args, the profile in env (over the shell's).
rm -f "$T/kube/config"
"$PYTHON" "$top_srcdir/tests/lib/aws_update_kubeconfig.py" --name prod --region us-east-1 \
    --role-arn "$ROLE" --profile kube-profile --kubeconfig "$T/kube/config" >"$T/update-kubeconfig.out" 2>&1 ||
    bail "aws eks update-kubeconfig failed: $(tail -n 1 "$T/update-kubeconfig.out")"
grep -q -- "- --role$" "$T/kube/config" || bail "update-kubeconfig no longer writes --role: see this test"
kask k0 "$P1"
is "$rc:$(awsargs)" "0:eks get-token --cluster-name $AUD --role-arn $ROLE --output json --region us-east-1" \
    "update-kubeconfig --role-arn's kubeconfig: its --role (the AWS CLI's start of --role-arn) and --region followed"
is "$(head -n 1 "$T/aws.env")" "AWS_PROFILE=kube-profile" "... and its AWS_PROFILE, over the shell's"
# The same by hand, spelled in full, with a variable that is not the AWS CLI's: left out.
kube "$T/kube/config" prod aws \
    "--region, us-east-1, eks, get-token, --cluster-name, prod, --output, json, --role-arn, $ROLE" \
    "      env:
      - {name: AWS_PROFILE, value: kube-profile}
      - {name: KUBE_ONLY, value: x}"
kask k "$P1"
is "$rc:$(cat "$T/k")" "0:$SHORT" "kubeconfig with a role: answered with the token aws printed"
is "$(awsargs)" "eks get-token --cluster-name $AUD --role-arn $ROLE --output json --region us-east-1" \
    "... aws eks get-token for the host's audience with the kubeconfig's --role-arn and --region"
is "$(tr '\n' ' ' <"$T/aws.env")" "AWS_PROFILE=kube-profile AWS_REGION=unset KUBE_ONLY=unset " \
    "... AWS_PROFILE of its exec env over the shell's (kubectl's rule); KUBE_ONLY, not AWS_*, left out"
# --role-arn=ARN and --profile P in the args.
kube "$T/kube/config" prod /usr/local/bin/aws "eks, get-token, --cluster-name, prod, --role-arn=$ROLE, --profile, kp2"
kask k2 "$P1"
is "$rc:$(awsargs)" "0:eks get-token --cluster-name $AUD --role-arn $ROLE --profile kp2 --output json" \
    "--role-arn=ARN and --profile P spelled in the args: both passed on"
is "$(head -n 1 "$T/aws.env")" "AWS_PROFILE=shell-profile" "... the shell's AWS_PROFILE untouched (--profile is aws's to weigh)"
# aws-iam-authenticator with -r: the role, minted by aws.
kube "$T/kube/config" prod aws-iam-authenticator "token, -i, prod, -r, $ROLE"
kask k3 "$P1"
is "$rc:$(awsargs)" "0:eks get-token --cluster-name $AUD --role-arn $ROLE --output json" \
    "aws-iam-authenticator token -r ROLE: aws eks get-token --role-arn ROLE"
# The person's EKSAUTH_REGION wins over the section's --region.
kube "$T/kube/config" prod aws "--region, us-west-2, eks, get-token, --cluster-name, prod"
EKSAUTH_REGION=eu-west-1 kask k3r "$P1"
is "$rc:$(awsargs)" "0:eks get-token --cluster-name $AUD --output json --region eu-west-1" \
    "EKSAUTH_REGION over the kubeconfig's --region"
# A region no partition claims: aws would sign for sts.xx-nowhere-9.amazonaws.com,
# which every host refuses; refused first (lib/mint.c's rule), named, aws never run.
for how in EKSAUTH_REGION kubeconfig; do
    if [ "$how" = kubeconfig ]; then
        kube "$T/kube/config" prod aws "--region, xx-nowhere-9, eks, get-token, --cluster-name, prod"
        kask k3n "$P1"
        from="the --region of $T/kube/config"
    else
        EKSAUTH_REGION=xx-nowhere-9 kask k3n "$P1"
        from=EKSAUTH_REGION
    fi
    like "$rc:$(cat "$T/k3n.err"):$([ -e "$T/aws.args" ] && echo aws-ran)" \
        "^2:.*no token: the region from $from.*: region: xx-nowhere-9 is a region of no AWS partition .*:\$" \
        "a region of no partition from $how: refused before aws runs, named"
done
# A region that is not one is refused, naming the file, and never reaches aws.
kube "$T/kube/config" prod aws "--region, 'us-east-1 --debug', eks, get-token"
kask k3x "$P1"
like "$rc:$(cat "$T/k3x.err")" "^2:.*no token: $T/kube/config \(user $KARN/prod\): --region 'us-east-1 --debug' is not a region name" \
    "a --region that is not a region name: refused, naming the kubeconfig"
[ ! -e "$T/aws.args" ]
ok $? "... and aws never ran"
# A kubeconfig of another cluster: nothing to follow, the shell's identity as before.
kube "$T/kube/config" staging aws "eks, get-token, --cluster-name, staging, --role-arn, $ROLE" \
    "      env:
      - {name: AWS_PROFILE, value: kube-profile}"
kask k4 "$P1"
is "$rc:$(awsargs):$(head -n 1 "$T/aws.env")" \
    "0:eks get-token --cluster-name $AUD --output json:AWS_PROFILE=shell-profile" \
    "a kubeconfig of another cluster only: aws as before, the shell's AWS_PROFILE"
# The role again: EKSAUTH_TOKEN_COMMAND still wins (the kubeconfig is not read).
kube "$T/kube/config" prod aws "eks, get-token, --cluster-name, prod, --role-arn, $ROLE"
EKSAUTH_TOKEN_COMMAND="echo run >$T/tc.run; cat $T/tok/short" kask k5 "$P1"
is "$rc:$(cat "$T/k5"):$(cat "$T/tc.run"):$([ -e "$T/aws.args" ] && echo aws-ran)" "0:$SHORT:run:" \
    "EKSAUTH_TOKEN_COMMAND wins over the kubeconfig's role: the command ran, aws did not"
# EKSAUTH_BUILTIN=1 cannot assume the role: refused, never signed as the shell's identity.
EKSAUTH_BUILTIN=1 AWS_ACCESS_KEY_ID=AKIAFAKEUSER00000001 AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
    kask k6 "$P1"
like "$rc:$(cat "$T/k6.err")" "^2:eksauth: askpass: no token: EKSAUTH_BUILTIN=1 cannot assume role $ROLE, which kubectl assumes for cluster prod \($T/kube/config \(user $KARN/prod\)\).*unset EKSAUTH_BUILTIN" \
    "EKSAUTH_BUILTIN=1 with the kubeconfig's role: refused, saying why and the way out"
is "$(wc -c <"$T/k6" | tr -d ' '):$([ -e "$T/aws.args" ] && echo aws-ran)" "0:" "... no answer, nothing run"
# A failed mint says whom it minted as.
FAKE_AWS_FAIL=1 kask k7 "$P1"
like "$rc:$(tail -n 1 "$T/k7.err")" "^2:.*no token: the token command exited with status 255 \(minted as kubectl does for cluster prod: role $ROLE; from $T/kube/config" \
    "aws failing to assume the role: the message names the role and the kubeconfig"
# What is not a role ARN is refused, naming the file, and never reaches aws.
kube "$T/kube/config" prod aws "eks, get-token, --role-arn, '--debug'"
kask k8 "$P1"
like "$rc:$(cat "$T/k8.err")" "^2:.*no token: $T/kube/config \(user $KARN/prod\): --role-arn '--debug' is not an IAM role ARN.*set EKSAUTH_TOKEN_COMMAND" \
    "a --role-arn that is not a role ARN: refused, naming the kubeconfig"
[ ! -e "$T/aws.args" ]
ok $? "... and aws never ran"
# Another plugin: not followed; a failed mint says which command kubectl runs.
kube "$T/kube/config" prod kubelogin "get-token, --login, azurecli"
FAKE_AWS_FAIL=1 kask k9 "$P1"
like "$(cat "$T/k9.err")" "kubectl runs kubelogin for cluster prod .*EKSAUTH_TOKEN_COMMAND can run it" \
    "a kubeconfig running another command: aws as before; the failure names that command"
is "$(awsargs)" "eks get-token --cluster-name $AUD --output json" "... aws without a role"
# eksauth token as the plugin: kubectl runs eksauth's own signer, so askpass signs with
# it, never aws.  aws would read a credential_process that eksauth token never runs: a
# kubeconfig from a repo must not make askpass run a command kubectl would not.
cat >"$T/kube/aws-config" <<EOF
[profile repo]
credential_process = sh -c 'echo ran >$T/cp.ran'
EOF
kube "$T/kube/config" prod eksauth "token, --cluster-id, prod, --host, h.example" \
    "      env:
      - {name: AWS_CONFIG_FILE, value: $T/kube/aws-config}
      - {name: AWS_PROFILE, value: repo}"
rm -f "$T/cp.ran"
AWS_REGION=us-east-1 kask k11 "$P1"
is "$rc:$(wc -c <"$T/k11" | tr -d ' '):$([ -e "$T/aws.args" ] && echo aws-ran):$([ -e "$T/cp.ran" ] && echo cp-ran)" \
    "2:0::" "eksauth token with a credential_process profile: aws never runs (nor the process); no token"
like "$(cat "$T/k11.err")" "no token: AWS credentials: profile .repo. .*\(eksauth token, which kubectl runs for this cluster, signs with keys only: it cannot either; give it keys, or set EKSAUTH_TOKEN_COMMAND\)" \
    "... saying that kubectl's eksauth token could not sign either, and the way out"
# Its keys, from the profile files its env names: the token is theirs, aws never ran.
printf '[kp]\naws_access_key_id = AKIAKUBEEXAMPLE00001\naws_secret_access_key = x\n' >"$T/kube/aws-creds"
kube "$T/kube/config" prod eksauth "token, --cluster-id, prod, --host, h.example" \
    "      env:
      - {name: AWS_SHARED_CREDENTIALS_FILE, value: $T/kube/aws-creds}
      - {name: AWS_PROFILE, value: kp}"
AWS_REGION=us-east-1 kask k12 "$P1"
k12=$("$PYTHON" -c 'import base64, sys
t = open(sys.argv[1]).read().strip()[len("k8s-aws-v1."):]
print(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode())' "$T/k12" 2>/dev/null)
is "$rc:$([ -e "$T/aws.args" ] && echo aws-ran)" "0:" "eksauth token with a key profile: answered, aws never ran"
like "$k12" "Credential=AKIAKUBEEXAMPLE00001%2F" "... signed with the keys of the profile its env names, as eksauth token signs"
# aws eks get-token --profile kp, signed by the built-in signer with the shell's own
# keys exported: kubectl's aws --profile kp drops the environment's keys (botocore:
# an explicit profile), so the token is kp's, not the shell's.
kube "$T/kube/config" prod aws "eks, get-token, --cluster-name, prod, --profile, kp" \
    "      env:
      - {name: AWS_SHARED_CREDENTIALS_FILE, value: $T/kube/aws-creds}"
AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIASHELLEXAMPLE0001 AWS_SECRET_ACCESS_KEY=shell \
    EKSAUTH_BUILTIN=1 kask k13 "$P1"
k13=$("$PYTHON" -c 'import base64, sys
t = open(sys.argv[1]).read().strip()[len("k8s-aws-v1."):]
print(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode())' "$T/k13" 2>/dev/null)
is "$rc:$([ -e "$T/aws.args" ] && echo aws-ran)" "0:" "EKSAUTH_BUILTIN=1 with the kubeconfig's --profile and the shell's keys: answered"
like "$k13" "Credential=AKIAKUBEEXAMPLE00001%2F" "... signed with the profile's keys, as aws --profile signs, not the shell's"
# login-name mints for the cluster's name as the same identity (its API server then
# answers nothing here: only what aws was asked is looked at).
kube "$T/kube/config" prod aws "eks, get-token, --cluster-name, prod, --role-arn, $ROLE"
rm -f "$T/aws.args"
PATH="$T/fakeaws:$PATH" KUBECONFIG="$T/kube/config" EKSAUTH_CLUSTER=prod FAKE_AWS_OUT="$T/aws" \
    FAKE_AWS_TOKEN="$T/tok/short" "$EKSAUTH" login-name >/dev/null 2>"$T/ln.err"
is "$(awsargs)" "eks get-token --cluster-name prod --role-arn $ROLE --output json" \
    "login-name: aws eks get-token for the cluster with the kubeconfig's role"
# No AWS CLI: the way out is to install it (EKSAUTH_BUILTIN=1 cannot assume the role).
mkdir -p "$T/noaws"
for tool in sh cat; do ln -sf "$(command -v "$tool")" "$T/noaws/$tool"; done
new_ssh
KUBECONFIG="$T/kube/config" PATH="$T/noaws" ask k10 "$P1"
like "$rc:$(cat "$T/k10.err")" "^2:.*the AWS CLI \(aws\) is not installed.*it assumes role $ROLE for you" \
    "no aws and a role to assume: install the AWS CLI"
unlike "$(cat "$T/k10.err")" "EKSAUTH_BUILTIN=1" "... EKSAUTH_BUILTIN=1 not offered"

# No AWS CLI on PATH: named once, with the two ways out; nothing run.
new_ssh
PATH="$T/noaws" ask b "$P1"
like "$rc:$(cat "$T/b.err")" "^2:eksauth: askpass: no token: the AWS CLI \(aws\) is not installed.*apt-get install awscli.*EKSAUTH_BUILTIN=1" \
    "no aws on PATH: the AWS CLI named, with the two ways out"
is "$(grep -c . "$T/b.err")" 1 "... in one line"
PATH="$T/noaws" ask b "$P1"
unlike "$(cat "$T/b.err")" "AWS CLI" "... once: the retry of the same ssh does not repeat it"
new_ssh

# The default command (the real aws eks get-token) and the built-in signer.
eval "$("$PYTHON" - "$FIX/creds.json" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))["ASIAE2EADMINALICE001"]
print("export AWS_ACCESS_KEY_ID=ASIAE2EADMINALICE001 AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      % (shlex.quote(c["secret"]), shlex.quote(c["session_token"])))
EOF
)"
export EKSAUTH_CLUSTER=prod EKSAUTH_REGION=us-east-1
if command -v aws >/dev/null 2>&1; then
    new_ssh
    : >"$T/a"
    ask a "$P1"
    for _ in 1 2 3; do ask a "$PC"; done
    rebuild "$T/a" | "$EKSAUTH" check-token - >"$T/a.json" 2>&1
    is "$?:$(grep -c '"has_session_token": true' "$T/a.json")" "0:1" \
        "default command aws eks get-token: the pieces make a valid token with a session token"
else
    fail "aws (awscli) is not installed: scripts/install-deps installs it"
fi
new_ssh
: >"$T/bi"
EKSAUTH_BUILTIN=1 ask bi "$P1"
for _ in 1 2 3; do EKSAUTH_BUILTIN=1 ask bi "$PC"; done
rebuild "$T/bi" | "$EKSAUTH" check-token - >"$T/bi.json" 2>&1
is "$?:$(grep -c '"access_key_id": "ASIAE2EADMINALICE001"' "$T/bi.json")" "0:1" \
    "EKSAUTH_BUILTIN=1: the built-in signer's token, in pieces, passes check-token"
# An SSO profile: keys the built-in signer cannot read, and the way out said.
new_ssh
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_PROFILE=sso-dev \
    AWS_SHARED_CREDENTIALS_FILE="$T/no-credentials" EKSAUTH_BUILTIN=1 \
    "$EKSAUTH" askpass "$P1" >"$T/sso.out" 2>"$T/sso.err"
like "$?:$(cat "$T/sso.err")" "^[12]:.*profile \"sso-dev\" was asked for.*unset it to mint with the AWS CLI" \
    "EKSAUTH_BUILTIN=1 with an SSO profile: says the AWS CLI reads it"
# No region, or a bad one: the message names what askpass reads, EKSAUTH_REGION,
# never eksauth token's --region, which askpass has not.
for region in "" us-east-1x; do
    new_ssh
    env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE="$T/no-config" \
        AWS_SHARED_CREDENTIALS_FILE="$T/no-credentials" EKSAUTH_REGION="$region" \
        EKSAUTH_BUILTIN=1 "$EKSAUTH" askpass "$P1" >"$T/region.out" 2>"$T/region.err"
    rc=$?
    if [ -z "$region" ]; then
        like "$rc:$(cat "$T/region.err")" "^2:eksauth: askpass: no token: no AWS region: tried EKSAUTH_REGION, AWS_REGION, AWS_DEFAULT_REGION and $T/no-config \\(no such file\\)" \
            "EKSAUTH_BUILTIN=1 and no region: names EKSAUTH_REGION, the AWS variables and the file"
    else
        like "$rc:$(cat "$T/region.err")" "^2:eksauth: askpass: no token: region: \"us-east-1x\" from EKSAUTH_REGION is not a region name" \
            "EKSAUTH_BUILTIN=1 and EKSAUTH_REGION=us-east-1x: refused, naming EKSAUTH_REGION"
    fi
done
# The region of the kubeconfig's exec section, which update-kubeconfig writes first:
# the token is signed for that region's STS host, as kubectl's is, when the AWS
# config names no region and when the shell's AWS_REGION names another (the
# argument wins); the real aws eks get-token (without --region it signs for the
# global host), then the built-in signer.
kube "$T/kube/config" prod aws "--region, us-east-1, eks, get-token, --cluster-name, prod, --output, json"
unset EKSAUTH_REGION # (the pieces must come from this shell: no subshell to unset it in)
for how in aws builtin; do
    if [ "$how" = aws ] && ! command -v aws >/dev/null 2>&1; then
        fail "aws (awscli) is not installed: scripts/install-deps installs it"
        continue
    fi
    for shell_region in "" eu-west-1; do
        new_ssh
        : >"$T/kr"
        for prompt in "$P1" "$PC" "$PC" "$PC"; do
            if [ "$how" = builtin ]; then
                AWS_REGION=$shell_region EKSAUTH_BUILTIN=1 KUBECONFIG="$T/kube/config" ask kr "$prompt"
            else
                AWS_REGION=$shell_region KUBECONFIG="$T/kube/config" ask kr "$prompt"
            fi
            [ "$rc" = 0 ] || break
        done
        rebuild "$T/kr" | "$EKSAUTH" check-token - >"$T/kr.json" 2>&1
        is "$?:$(grep -c '"host": "sts.us-east-1.amazonaws.com"' "$T/kr.json")" "0:1" \
            "the kubeconfig's --region, AWS_REGION '$shell_region' ($how): a valid token for sts.us-east-1"
    done
done
export EKSAUTH_REGION=us-east-1
# at_sts FILE AUDIENCE: STS's answer (status, and the error code if any) to the
# token whose pieces are in FILE, called as a caller that sends x-k8s-aws-id:
# AUDIENCE: the cluster's API server sends its cluster id (prod), this host its
# own audience.  The token goes on standard input, never in an argument.
at_sts() {
    rebuild "$1" | "$PYTHON" -c '
import base64, http.client, re, socket, ssl, sys, urllib.parse
port, ca, audience = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tok = sys.stdin.read().strip()
b = tok[len("k8s-aws-v1."):]
u = urllib.parse.urlsplit(base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)).decode())
class ToStandIn(http.client.HTTPSConnection):
    def connect(self):
        raw = socket.create_connection(("127.0.0.1", port))
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
c = ToStandIn(u.hostname, 443, context=ssl.create_default_context(cafile=ca))
c.request("GET", u.path + "?" + u.query, headers={"x-k8s-aws-id": audience, "Accept": "application/json"})
r = c.getresponse()
code = re.search(r"\"Code\":\s*\"(\w+)\"", r.read().decode())
print(r.status, code.group(1) if code else "")' "$STS_PORT" "$tmp/tls/ca.crt" "$2"
}
# What askpass sent this host is no cluster credential: the API server's STS call
# (x-k8s-aws-id: prod) fails; the host's own call succeeds.
for f in a bi; do
    [ -s "$T/$f" ] || continue
    is "$(at_sts "$T/$f" prod)" "403 SignatureDoesNotMatch" \
        "askpass's token ($f) at STS as the cluster's API server calls it: SignatureDoesNotMatch"
    is "$(at_sts "$T/$f" "$AUD")" "200 " "... and as this host calls it: accepted"
done
: >"$T/bo"
ask bo --builtin
is "$rc" 2 "askpass --builtin without a prompt: usage error"
unset EKSAUTH_CLUSTER EKSAUTH_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# ------------------------------------------------------------- folders
export EKSAUTH_TOKEN_COMMAND="cat $T/tok/long"
chmod 0755 "$T/dir"
: >"$T/u"
ask u "$P1"
is "$rc:$(wc -c <"$T/u" | tr -d ' ')" "2:0" "a token folder others can read is refused"
like "$(cat "$T/u.err")" "lets others in" "and the message says why"
chmod 0700 "$T/dir"
unset EKSAUTH_ASKPASS_DIR
: >"$T/d"
ask d "$P1"
is "$rc:$(stat -c %a "$TMPDIR/eksauth-askpass-$(id -u)")" "0:700" \
    "without EKSAUTH_ASKPASS_DIR or XDG_RUNTIME_DIR: \$TMPDIR/eksauth-askpass-UID, 0700"
mkdir -m 0700 "$T/xdg"
: >"$T/x"
XDG_RUNTIME_DIR="$T/xdg" ask x "$P1"
is "$rc:$(stat -c %a "$T/xdg/eksauth")" "0:700" "with XDG_RUNTIME_DIR: \$XDG_RUNTIME_DIR/eksauth, 0700"
mkdir -m 0777 "$T/tmp2" "$T/tmp2/eksauth-askpass-$(id -u)"
chmod 0777 "$T/tmp2/eksauth-askpass-$(id -u)"
: >"$T/w"
TMPDIR="$T/tmp2" ask w "$P1"
is "$rc:$(wc -c <"$T/w" | tr -d ' ')" "2:0" "a folder made beforehand with mode 0777 is refused"
like "$(cat "$T/w.err")" "lets others in.*set EKSAUTH_ASKPASS_DIR to a private folder of yours, or run eksauth ssh" \
    "... saying why and the ways round a folder someone else made"

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
    echo "core=$(ulimit -S -c)"
} >"$FAKE_OUT.env"
"$SSH_ASKPASS" "(u@h.example) EKS token for eksauth:prod:h.example: " >"$FAKE_OUT.answer"
echo "askpass=$?" >>"$FAKE_OUT.env"
ls "$EKSAUTH_ASKPASS_DIR" | grep -c '^askpass-' | sed 's/^/tokenfiles=/' >>"$FAKE_OUT.env"
[ -n "${FAKE_SIGNAL:-}" ] && kill -s "$FAKE_SIGNAL" $$
exit "${FAKE_RC:-0}"
EOF
chmod 0755 "$T/bin/ssh"
# `ssh -G` (what eksauth ssh asks for the login ssh_config gives): "user $FAKE_G_USER".
sed -i '2i [ "$1" = -G ] \&\& { echo "user ${FAKE_G_USER:-$(id -un)}"; exit 0; }' "$T/bin/ssh"
ln -s ssh "$T/bin/scp"
ln -s ssh "$T/bin/sftp"
export PATH="$T/bin:$PATH" FAKE_OUT="$T/fake"
unset EKSAUTH_TOKEN_COMMAND

# No setting needed: the host names its audience in its prompt.
EKSAUTH_TOKEN_COMMAND="cat $T/tok/long" EKSAUTH_CLUSTER='' "$EKSAUTH" ssh u@host >/dev/null 2>"$T/ssh0.err"
is "$?" 0 "eksauth ssh needs no EKSAUTH_CLUSTER (the host's prompt names its audience)"
like "$(cat "$T/fake.env")" "askpass=0" "and askpass answered the host's prompt"
rm -f "$T/fake.args" "$T/fake.env" "$T/fake.answer"
# ssh holds the token as a typed password: it runs with no core file (SECURITY.md,
# invariant 2), though the person's soft limit was raised (root may raise the hard one).
(
    ulimit -H -c unlimited 2>/dev/null
    ulimit -S -c "$(ulimit -H -c)"
    EKSAUTH_TOKEN_COMMAND="cat $T/tok/long" EKSAUTH_CLUSTER='' exec "$EKSAUTH" ssh u@host
) >/dev/null 2>"$T/ssh0.err"
is "$?:$(grep '^core=' "$T/fake.env")" "0:core=0" "eksauth ssh: ssh runs with a core limit of 0"
rm -f "$T/fake.args" "$T/fake.env" "$T/fake.answer"

# --help and --version are eksauth's own: ssh gets neither.
"$EKSAUTH" ssh --help >"$T/help.out" 2>&1
is "$?:$(head -n 1 "$T/help.out")" "0:usage: eksauth ssh [ssh ARGS]" "eksauth ssh --help: its own usage"
[ ! -e "$T/fake.args" ]
ok $? "... and ssh does not run"
"$EKSAUTH" ssh --version >"$T/version.out" 2>&1
is "$?:$(head -n 1 "$T/version.out"):$(cat "$T/fake.args")" "0:eksauth $("$EKSAUTH" --version | cut -d' ' -f2):-V" \
    "eksauth ssh --version: eksauth's version, then ssh -V"
rm -f "$T/fake.args"


export EKSAUTH_TOKEN_COMMAND="cat $T/tok/long"
FAKE_RC=7 "$EKSAUTH" --config /dev/null ssh -p 2222 -o 'User=a b' --config x --aws-auth=y host 'echo "$HOME"; ls' --
is "$?" 7 "eksauth ssh exits with ssh's status"
printf '%s\n' -o PreferredAuthentications=keyboard-interactive,publickey -o NumberOfPasswordPrompts=1 \
    -p 2222 -o 'User=a b' --config x --aws-auth=y host 'echo "$HOME"; ls' -- >"$T/want.args"
is "$(cat "$T/fake.args")" "$(cat "$T/want.args")" \
    "every argument reaches ssh untouched (--config and --aws-auth too), after keyboard-interactive first and one attempt"
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

"$EKSAUTH" ssh -oPreferredAuthentications=password -o numberofpasswordprompts=3 u@host
is "$(head -n 4 "$T/fake.args" | tr '\n' ' ')" "-oPreferredAuthentications=password -o numberofpasswordprompts=3 u@host " \
    "arguments that choose PreferredAuthentications or NumberOfPasswordPrompts are left to decide"
# Only an -o option's value chooses, as ssh reads its options (ssh(1)): never the
# destination, the remote command, or the value of another option that names the key.
ADDED="-o PreferredAuthentications=keyboard-interactive,publickey -o NumberOfPasswordPrompts=1"
"$EKSAUTH" ssh u@host 'grep -i numberofpasswordprompts /etc/ssh/ssh_config'
is "$(tr '\n' ' ' <"$T/fake.args")" "$ADDED u@host grep -i numberofpasswordprompts /etc/ssh/ssh_config " \
    "a remote command that names NumberOfPasswordPrompts chooses nothing: one attempt all the same"
"$EKSAUTH" ssh -F "$T/PreferredAuthentications=password" numberofpasswordprompts=2@host true
is "$(head -n 4 "$T/fake.args" | tr '\n' ' ')" "$ADDED " \
    "nor does a destination or an -F file that names them"
"$EKSAUTH" ssh u@host -- -o NumberOfPasswordPrompts=2
is "$(head -n 4 "$T/fake.args" | tr '\n' ' ')" "$ADDED " "nor an -o after -- (the remote command's)"
"$EKSAUTH" ssh -vo 'numberofpasswordprompts 2' u@host -o ' PreferredAuthentications=password' true
is "$(tr '\n' ' ' <"$T/fake.args")" \
    "-vo numberofpasswordprompts 2 u@host -o  PreferredAuthentications=password true " \
    "-o among other flags, as 'Key value', and after the destination (ssh reads it there): left to decide"
"$EKSAUTH" scp -o NumberOfPasswordPrompts=2 f u@host: 2>/dev/null
is "$(head -n 4 "$T/fake.args" | tr '\n' ' ')" \
    "-o PreferredAuthentications=keyboard-interactive,publickey -o NumberOfPasswordPrompts=2 " \
    "eksauth scp: an -o of scp's chooses"
"$EKSAUTH" scp -p f u@host: -o NumberOfPasswordPrompts=2 2>/dev/null
is "$(head -n 4 "$T/fake.args" | tr '\n' ' ')" "$ADDED " \
    "eksauth scp: after the files nothing is an option (scp reads none there)"
"$EKSAUTH" sftp -b "$T/BatchMode=yes" u@host 2>/dev/null
is "$(sed -n 5,6p "$T/fake.args" | tr '\n' ' ')" "-o BatchMode=no " \
    "eksauth sftp -b FILE: a batch file's name is no BatchMode option"
"$EKSAUTH" sftp -oBatchMode=yes u@host 2>/dev/null
is "$(sed -n 5p "$T/fake.args")" "-oBatchMode=yes" "eksauth sftp -oBatchMode=yes: left to decide"
FAKE_SIGNAL=TERM "$EKSAUTH" ssh u@host
is "$?" 143 "ssh ended by SIGTERM: exit 128 + 15"
# A SIGTERM for eksauth ssh just before it forks ssh, or reaching the child before it
# runs ssh, is not lost: ssh ends by it (tools/cmd_ssh.c, run_and_wait).  No timing
# from outside hits those moments: fork_signal.so raises it there.
FORK_PRELOAD="$top_builddir/tests/lib/fork_signal.so"
if [ "${EKSAUTH_SANITIZERS:-}" = yes ]; then
    FORK_PRELOAD="$(${CC:-gcc} -print-file-name=libasan.so) $(${CC:-gcc} -print-file-name=libubsan.so) $FORK_PRELOAD"
fi
LD_PRELOAD="$FORK_PRELOAD" ASAN_OPTIONS=detect_leaks=0 FORK_SIGNAL=parent \
    "$EKSAUTH" ssh u@host >/dev/null 2>&1
is "$?" 143 "a SIGTERM for eksauth ssh just before it forks: ssh ended by it, exit 128 + 15"
rm -f "$T/fake.args"
LD_PRELOAD="$FORK_PRELOAD" ASAN_OPTIONS=detect_leaks=0 FORK_SIGNAL=child \
    "$EKSAUTH" ssh u@host >/dev/null 2>&1
is "$?:$([ -e "$T/fake.args" ] && echo ran)" "143:" \
    "a SIGTERM reaching the child before it runs ssh: it ends, ssh never runs"

# No login name anywhere (user@, -l, -o User, ssh_config) and no cluster to learn it from:
# said before ssh runs.  One from ssh_config is ssh's to use.
rm -f "$T/fake.args"
"$EKSAUTH" ssh -p 2222 host true >/dev/null 2>"$T/nouser.err"
like "$?:$(cat "$T/nouser.err")" "^2:eksauth: ssh: no login name given, and it could not be learnt from the cluster: .*EKSAUTH_CLUSTER.*give it as NAME@HOST" \
    "eksauth ssh HOST without a login name or a cluster: says so, and how to give one"
[ ! -e "$T/fake.args" ]
ok $? "... and ssh does not run"
FAKE_G_USER=from-ssh-config "$EKSAUTH" ssh host true
is "$?:$(head -n 5 "$T/fake.args" | tail -n 1)" "0:host" "a login name from ssh_config: no -l added"
"$EKSAUTH" ssh -l bob host true
is "$(sed -n 5,6p "$T/fake.args" | tr '\n' ' ')" "-l bob " "-l NAME: left as it is"

# eksauth scp and sftp: the same askpass, keyboard-interactive first, one attempt.
for prog in scp sftp; do
    rm -f "$T/fake.args" "$T/fake.env"
    "$EKSAUTH" "$prog" -P 2222 "$T/tok/short" u@host:/tmp/
    is "$?:$(head -n 4 "$T/fake.args" | tr '\n' ' ')" \
        "0:-o PreferredAuthentications=keyboard-interactive,publickey -o NumberOfPasswordPrompts=1 " \
        "eksauth $prog: keyboard-interactive first, one attempt, then the arguments"
    like "$(cat "$T/fake.env")" "askpass=0" "eksauth $prog: the token prompt answered by eksauth askpass"
done

# Nothing secret in what askpass and eksauth ssh print on standard error (the
# stand-in's own sts.err aside).
for f in "$T"/*.err; do [ "$f" = "$T/sts.err" ] || cat "$f"; done >"$T/all.err"
if grep -q 'k8s-aws-v1\.' "$T/all.err" || grep -qF "${LONG:40:40}" "$T/all.err"; then
    fail "no token in any message"
    grep -l 'k8s-aws-v1\.' "$T"/*.err | sed 's/^/#   in /'
    grep -o '.\{0,60\}k8s-aws-v1\..\{0,20\}' "$T/all.err" | head -3 | sed 's/^/#   /'
else
    pass "no token in any message"
fi

done_testing
