#!/bin/bash
# check_token.sh - `eksauth check-token` against tokens minted at test time by
# the real `aws eks get-token` (fixed fake credentials, fully offline): the
# accepted tokens' JSON, the 15-minute window, a token argument gone from
# /proc/PID/cmdline once read, and the rejections of issue 2, each made by
# altering a real token's URL.  TAP output.
#
# Environment: EKSAUTH (the built CLI), FIXTURES and top_srcdir (set by make check).

set -u

: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"

. "${top_srcdir:?top_srcdir must be set (make check sets it)}/tests/lib/tap.sh"

# not_ok DESCRIPTION LINE...: a failed test, each LINE a comment under it.
not_ok() {
    fail "$1"
    shift
    for line in "$@"; do
        echo "# $line"
    done
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-check-token.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

command -v aws >/dev/null 2>&1 ||
    bail "aws (awscli) not found: the test mints real tokens with 'aws eks get-token'"
command -v python3 >/dev/null 2>&1 || bail "python3 not found"
[ -x "$EKSAUTH" ] || bail "$EKSAUTH is not an executable"

# Nothing of the host's AWS setup may leak in: no AWS_* variable, no ~/.aws.
. "$top_srcdir/tests/lib/aws_token.sh"
aws_env_clean
export HOME="$tmp/home"
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# A session token shaped like a real one: ~900 base64 characters with + / =.
SESSION_TOKEN=$(python3 -c '
import base64, hashlib
raw = b"".join(hashlib.sha256(b"eksauth-test-%d" % i).digest() for i in range(21))[:663]
print("IQoJb3JpZ2luX2VjEP" + base64.b64encode(raw).decode())')

conf="$tmp/eksauth.conf"
printf 'cluster_id = test-cluster\n' >"$conf"

# The helper that reads and rewrites tokens: python3 TOOL OP < token.
tool="$tmp/token_tool.py"
cat >"$tool" <<'PYEOF'
import base64, calendar, json, re, sys, time

op = sys.argv[1]
token = sys.stdin.read().strip()
body = token[len("k8s-aws-v1."):]
url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
host = re.match(r"https://([^/?#]+)/", url).group(1)


def emit(u, pad=False):
    enc = base64.urlsafe_b64encode(u.encode()).decode()
    print("k8s-aws-v1." + (enc if pad else enc.rstrip("=")))


if op == "date":
    stamp = re.search(r"[?&]X-Amz-Date=(\d{8}T\d{6}Z)", url).group(1)
    print(calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ")))
elif op == "secrets":
    # What must never show up in a message: signature, session token, the URL.
    print(re.search(r"[?&]X-Amz-Signature=([^&]*)", url).group(1))
    m = re.search(r"[?&]X-Amz-Security-Token=([^&]*)", url)
    if m:
        print(m.group(1))
    print(url)
    print(body)
elif op == "prefix":
    print("k8s-aws-v2." + body)
elif op == "padding":
    while len(url.encode()) % 3 == 0:
        url += "&"  # make the encoding need '=' padding
    emit(url, pad=True)
else:
    before = url
    if op == "http":
        url = url.replace("https://", "http://", 1)
    elif op == "userinfo":
        url = url.replace("https://", "https://user@", 1)
    elif op == "port":
        url = url.replace(host + "/", host + ":443/", 1)
    elif op == "unknown-parameter":
        url += "&Foo=bar"
    elif op == "case-duplicate":
        cred = re.search(r"[?&]X-Amz-Credential=([^&]*)", url).group(1)
        url += "&x-amz-credential=" + cred
    elif op == "unsigned-cluster-id":
        url = url.replace("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=host")
    elif op == "expires-901":
        url = re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=901", url)
    elif op.startswith("host="):
        url = url.replace("https://" + host + "/", "https://" + op[5:] + "/", 1)
    else:
        sys.exit("unknown op " + op)
    if url == before:
        sys.exit("op %s changed nothing" % op)
    emit(url)
PYEOF

# The JSON check: python3 - FILE KEY=VALUE... (signed_headers and has_session_token are fixed).
json_check="$tmp/json_check.py"
cat >"$json_check" <<'PYEOF'
import json, sys

with open(sys.argv[1]) as f:
    got = json.load(f)
want = dict(arg.split("=", 1) for arg in sys.argv[2:])
errors = []
keys = {"host", "region", "partition", "access_key_id", "signed_headers", "signed_at",
        "expires_at", "has_session_token"}
if set(got) != keys:
    errors.append("keys %s" % sorted(got))
for k, v in want.items():
    if k == "has_session_token":
        if got.get(k) is not (v == "true"):
            errors.append("%s=%r, want %s" % (k, got.get(k), v))
    elif got.get(k) != v:
        errors.append("%s=%r, want %r" % (k, got.get(k), v))
if got.get("signed_headers") != ["host", "x-k8s-aws-id"]:
    errors.append("signed_headers=%r" % got.get("signed_headers"))
if errors:
    print("; ".join(errors))
    sys.exit(1)
PYEOF

rfc3339() {
    date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# mint NAME [VAR=VALUE...]: a token from the real CLI into $tmp/NAME.token,
# run in process by aws_get_token.py: AWS CLI v2 (Debian 12's 2.9) ignores
# AWS_STS_REGIONAL_ENDPOINTS=legacy, and the helper then signs for the global
# host itself, as v1 does.
mint() {
    local name=$1
    shift
    if env "$@" python3 "$top_srcdir/tests/lib/aws_get_token.py" --now "$(date +%s)" --cluster-name test-cluster \
        --region us-west-2 --query status.token --output text >"$tmp/$name.token" 2>"$tmp/$name.mint-err" &&
        grep -q '^k8s-aws-v1\.' "$tmp/$name.token"; then
        pass "aws eks get-token minted the $name token ($(wc -c <"$tmp/$name.token") bytes)"
    else
        not_ok "aws eks get-token minted the $name token" "$(head -3 "$tmp/$name.mint-err")"
        bail "cannot mint tokens with aws eks get-token"
    fi
}

# run_check TOKEN_FILE NOW: eksauth check-token into $tmp/out and $tmp/err, status in $rc.
run_check() {
    "$EKSAUTH" --config "$conf" check-token --now "$2" - <"$1" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# No token bytes on stderr: no secret, no long run of base64url characters.
stderr_is_clean() {
    local secret
    while IFS= read -r secret; do
        [ -n "$secret" ] && grep -qF -- "$secret" "$tmp/err" && return 1
    done <"$tmp/secrets"
    ! grep -qE '[A-Za-z0-9_-]{24,}' "$tmp/err"
}

expect_accepted() { # NAME TOKEN_FILE NOW DESCRIPTION KEY=VALUE...
    local name=$1 file=$2 now=$3 desc=$4
    shift 4
    run_check "$file" "$now"
    if [ "$rc" -ne 0 ]; then
        not_ok "$name: $desc: accepted" "exit $rc" "$(cat "$tmp/err")"
    elif [ -s "$tmp/err" ]; then
        not_ok "$name: $desc: accepted" "stderr: $(cat "$tmp/err")"
    elif ! why=$(python3 "$json_check" "$tmp/out" "$@"); then
        not_ok "$name: $desc: accepted" "JSON: $why"
    else
        pass "$name: $desc: accepted, JSON right"
    fi
}

expect_rejected() { # DESCRIPTION TOKEN_FILE NOW RULE
    local desc=$1 file=$2 now=$3 rule=$4
    run_check "$file" "$now"
    if [ "$rc" -ne 1 ]; then
        not_ok "$desc: rejected by rule \"$rule\"" "exit $rc, want 1" "$(cat "$tmp/err")"
    elif [ -s "$tmp/out" ]; then
        not_ok "$desc: rejected by rule \"$rule\"" "stdout not empty"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
        ! grep -q "^eksauth: token rejected: $rule: " "$tmp/err"; then
        not_ok "$desc: rejected by rule \"$rule\"" "stderr: $(cat "$tmp/err")"
    elif ! stderr_is_clean; then
        not_ok "$desc: rejected by rule \"$rule\"" "token bytes on stderr"
    else
        pass "$desc: rejected by rule \"$rule\", no token bytes on stderr"
    fi
}

# --- the four kinds of real tokens ---------------------------------------
mint regional
mint regional-session AWS_SESSION_TOKEN="$SESSION_TOKEN"
mint global AWS_STS_REGIONAL_ENDPOINTS=legacy
mint global-session AWS_STS_REGIONAL_ENDPOINTS=legacy AWS_SESSION_TOKEN="$SESSION_TOKEN"

size=$(tr -d '\n' <"$tmp/regional-session.token" | wc -c)
if [ "$size" -gt 1500 ] && [ "$size" -le 4096 ]; then
    pass "a token with a session token is long: $size bytes"
else
    not_ok "a token with a session token is long" "$size bytes"
fi

for name in regional regional-session global global-session; do
    file="$tmp/$name.token"
    python3 "$tool" secrets <"$file" >"$tmp/secrets"
    signed_at=$(python3 "$tool" date <"$file")
    case $name in
    regional*) host=sts.us-west-2.amazonaws.com region=us-west-2 ;;
    global*) host=sts.amazonaws.com region=us-east-1 ;;
    esac
    case $name in
    *-session) session=true ;;
    *) session=false ;;
    esac
    fields="host=$host region=$region partition=aws access_key_id=AKIAIOSFODNN7EXAMPLE"
    fields="$fields signed_at=$(rfc3339 "$signed_at")"
    fields="$fields expires_at=$(rfc3339 $((signed_at + 900))) has_session_token=$session"
    # shellcheck disable=SC2086 # fields is a list of words
    expect_accepted "$name" "$file" $((signed_at + 5)) "just after minting" $fields
    # shellcheck disable=SC2086
    expect_accepted "$name" "$file" "$(rfc3339 $((signed_at + 14 * 60)))" "14 minutes later" $fields
    expect_rejected "$name: 16 minutes later" "$file" $((signed_at + 16 * 60)) "expired"
    expect_rejected "$name: 10 minutes before its date" "$file" $((signed_at - 10 * 60)) \
        "future date"
done

# --- the token read from standard input -----------------------------------
file="$tmp/regional-session.token"
signed_at=$(python3 "$tool" date <"$file")
if "$EKSAUTH" --config "$conf" check-token --now $((signed_at + 5)) - <"$file" >"$tmp/out" \
    2>"$tmp/err" && python3 "$json_check" "$tmp/out" has_session_token=true >/dev/null; then
    pass "a token on standard input (\"-\") is read and accepted"
else
    not_ok "a token on standard input (\"-\") is read and accepted" "$(cat "$tmp/err")"
fi

# --- its options, read and refused as verify's and map's are (cli_shared_option) ---
"$EKSAUTH" check-token --bogus </dev/null >/dev/null 2>"$tmp/err"
is "$?:$(head -n 2 "$tmp/err" | tr '\n' ' ')" \
    "2:eksauth: check-token: unknown option --bogus usage: eksauth check-token [--now TIME] [TOKEN|-] " \
    "an unknown option: exit 2, named, and the usage"
# A single-dash typo after the token ("-now" for "--now"): getopt leaves optind on the
# token, so naming argv[optind - 1] printed the token itself (cli_option_error).
tok=$(cat "$file")
"$EKSAUTH" check-token "$tok" -now 2026-12-01T00:00:00Z </dev/null >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && grep -q '^eksauth: check-token: unknown option -n$' "$tmp/err" &&
    ! grep -qF "${tok#k8s-aws-v1.}" "$tmp/err" && ! grep -q 'k8s-aws-v1' "$tmp/err"; then
    pass "an unknown short option after the token: exit 2, named as -n, the token never printed"
else
    not_ok "an unknown short option after the token: exit 2, named as -n, the token never printed" \
        "rc $rc; $(grep -c 'k8s-aws-v1' "$tmp/err") lines with a token"
fi
"$EKSAUTH" check-token --tokn="$tok" </dev/null >/dev/null 2>"$tmp/err"
is "$?:$(head -n 1 "$tmp/err")" "2:eksauth: check-token: unknown option --tokn" \
    "an unknown --option=VALUE: named up to its '=', its value never printed"
unset tok
"$EKSAUTH" check-token --now yesterday - <"$file" >/dev/null 2>"$tmp/err"
like "$?:$(cat "$tmp/err")" '^2:eksauth: check-token: time: "yesterday": not RFC 3339' \
    "--now that is no time: exit 2, said so"

# --- a token given as the argument: gone from /proc/PID/cmdline once read ---
# Every user of the host reads the arguments.  check-token writes its JSON to a
# pipe already full, so it waits in that write, after the read, while its
# command line is read (the kernel's wchan, pipe_write or anon_pipe_write, says it
# waits there; where wchan reads 0 the deadline ends the wait: nothing but the
# full pipe blocks it).  It must still be running once cmdline is read: an exited
# process's cmdline reads empty, which would hide the token.
python3 - "$EKSAUTH" "$conf" $((signed_at + 5)) "$(tr -d '\n' <"$file")" >"$tmp/argv.out" <<'PYEOF'
import fcntl, os, subprocess, sys, time

eksauth, conf, now, token = sys.argv[1:]
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, os.O_NONBLOCK)
try:
    while True:
        os.write(w, b"x" * 4096)
except BlockingIOError:
    pass
fcntl.fcntl(w, fcntl.F_SETFL, 0)
p = subprocess.Popen([eksauth, "--config", conf, "check-token", "--now", now, token],
                     stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
wchan, end = "", time.monotonic() + 10
while not wchan.endswith("pipe_write") and p.poll() is None and time.monotonic() < end:
    time.sleep(0.02)
    with open("/proc/%d/wchan" % p.pid) as f:
        wchan = f.read()
with open("/proc/%d/cmdline" % p.pid, "rb") as f:
    argv = f.read().split(b"\0")
running = p.poll() is None
while os.read(r, 65536):  # drained: it writes its JSON and ends
    pass
print("running=%s exit=%s" % (running, p.wait()))
print("named=%s" % (b"check-token" in argv))
print("token=%s" % any(token[-40:].encode() in a for a in argv))
PYEOF
is "$(tr '\n' ' ' <"$tmp/argv.out")" "running=True exit=0 named=True token=False " \
    "a token given as the argument is gone from /proc/PID/cmdline once read"

# --- rejections (issue 2, "Done when"): real tokens, altered -------------
python3 "$tool" secrets <"$file" >"$tmp/secrets"
now=$((signed_at + 5))
while IFS='|' read -r op rule desc; do
    if ! python3 "$tool" "$op" <"$file" >"$tmp/altered.token" 2>"$tmp/tool-err"; then
        not_ok "$desc: rejected by rule \"$rule\"" "altering failed: $(cat "$tmp/tool-err")"
        continue
    fi
    expect_rejected "$desc" "$tmp/altered.token" "$now" "$rule"
done <<'EOF'
prefix|prefix|wrong prefix k8s-aws-v2.
padding|base64|'=' padding
http|url scheme|an http:// URL
userinfo|url userinfo|userinfo in the URL
port|url port|a port in the URL
unknown-parameter|unknown parameter|an unknown parameter
case-duplicate|duplicate parameter|X-Amz-Credential repeated as x-amz-credential
unsigned-cluster-id|signed headers|x-k8s-aws-id missing from the signed headers
expires-901|expires|X-Amz-Expires=901
host=sts.amazonaws.com.evil.com|host|host sts.amazonaws.com.evil.com
host=sts.us-east-1.amazonaws.com.cn|host|host sts.us-east-1.amazonaws.com.cn (partition aws)
EOF

# A token in the arguments is still taken, never silently: argv is public on a
# host.  (Not a real token: the suite never puts one in an argument.)
"$EKSAUTH" --config "$conf" check-token "k8s-aws-v1.bm90IGEgdG9rZW4" >/dev/null 2>"$tmp/argv.err"
if grep -q "warning: a token in the arguments can be read by every user" "$tmp/argv.err"; then
    pass "a token given as an argument: a warning to pass it on standard input"
else
    not_ok "a token given as an argument: a warning to pass it on standard input"
fi

# check-token holds a token that logs in until it expires: no core file
# (SECURITY.md, invariant 2).  Its soft limit raised (root may raise the hard
# one), it reads the token from a pipe held open while its limits are read.
mkfifo "$tmp/hold"
(
    ulimit -H -c unlimited 2>/dev/null
    ulimit -S -c "$(ulimit -H -c)"
    exec "$EKSAUTH" --config "$conf" check-token - <"$tmp/hold"
) >/dev/null 2>&1 &
pid=$!
exec 7>"$tmp/hold"
core=""
for _ in $(seq 100); do
    core=$(awk '/^Max core file size/ { print $5 }' "/proc/$pid/limits" 2>/dev/null)
    [ "$core" = 0 ] && break
    sleep 0.05
done
exec 7>&-
wait "$pid" 2>/dev/null
is "$core" 0 "check-token: no core file of the process that holds the token"

done_testing
