# sts_common.sh - shared by the STS shell tests (sourced, not run): a clean AWS
# environment, the local STS stand-in over TLS (tests/lib/fake_sts.py) with
# certificates made at test time (tests/lib/mkcerts.sh), test credentials from
# tests/fixtures/sts/creds.json, a test eksauth.conf, and what the stand-in
# logged of a connection it held without answering (sts_cut).
#
# Needs: top_srcdir, FIXTURES, EKSAUTH (set by make check); python3 with
# botocore; openssl.  Defines: tmp (a scratch folder removed on exit).

: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
: "${FIXTURES:?FIXTURES must be set (make check sets it)}"
: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"
# The interpreter itself, not a version manager's shim: it starts faster.
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}
STS_LIB="$top_srcdir/tests/lib"
. "$STS_LIB/aws_token.sh"
STS_FIX="$FIXTURES/sts"
# This host's name and audience (lib/audience.c): what tokens for it are minted for.
STS_HOST=testhost
STS_AUDIENCE="eksauth:prod:$STS_HOST"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-sts.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
_sts_pids=""

sts_cleanup() {
    # Stop every stand-in this test started, by its pid only.
    for p in $_sts_pids; do
        kill "$p" 2>/dev/null
    done
    for p in $_sts_pids; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap sts_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Nothing of the host's AWS or proxy setup may leak in.
aws_env_clean
export HOME="$tmp/home"
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""

sts_require() {
    command -v "$PYTHON" >/dev/null 2>&1 || { echo "Bail out! python3 not found"; exit 1; }
    "$PYTHON" -c 'import botocore' 2>/dev/null ||
        { echo "Bail out! python3 has no botocore (the stand-in verifies SigV4 with it)"; exit 1; }
    command -v openssl >/dev/null 2>&1 || { echo "Bail out! openssl not found"; exit 1; }
    [ -x "$EKSAUTH" ] || { echo "Bail out! $EKSAUTH is not an executable"; exit 1; }
}

# sts_require_aws: bail out without aws(1), which mints the tests' tokens.
sts_require_aws() {
    command -v aws >/dev/null 2>&1 ||
        bail "aws (awscli) not found: the test mints tokens with 'aws eks get-token'"
}

# sts_creds AKID: export the environment credentials of that key of creds.json.
sts_creds() {
    eval "$("$PYTHON" - "$STS_FIX/creds.json" "$1" <<'EOF'
import json, shlex, sys
c = json.load(open(sys.argv[1]))[sys.argv[2]]
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (
    shlex.quote(sys.argv[2]), shlex.quote(c["secret"])))
if c.get("session_token"):
    print("export AWS_SESSION_TOKEN=%s" % shlex.quote(c["session_token"]))
else:
    print("unset AWS_SESSION_TOKEN")
EOF
)"
}

# sts_secret AKID FIELD: one field of a credentials record (secret, session_token, ...).
sts_secret() {
    "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]] or "")' \
        "$STS_FIX/creds.json" "$1" "$2"
}

sts_certs() {
    sh "$STS_LIB/mkcerts.sh" "$tmp/tls" || { echo "Bail out! mkcerts.sh failed"; exit 1; }
}

# stand_in NAME SCRIPT [options]: start the stand-in tests/lib/SCRIPT with
# --ready-file $tmp/NAME.ready, --log $tmp/NAME.log and the options (stderr
# in $tmp/NAME.err, stopped on exit) and wait for its port: sets
# STAND_IN_PORT and STAND_IN_PID.
stand_in() {
    _name=$1
    _script=$2
    shift 2
    rm -f "$tmp/$_name.ready"
    "$PYTHON" "$STS_LIB/$_script" --ready-file "$tmp/$_name.ready" --log "$tmp/$_name.log" "$@" \
        2>"$tmp/$_name.err" &
    STAND_IN_PID=$!
    _sts_pids="$_sts_pids $STAND_IN_PID"
    _i=0
    while [ ! -s "$tmp/$_name.ready" ]; do
        _i=$((_i + 1))
        if [ "$_i" -gt 300 ] || ! kill -0 "$STAND_IN_PID" 2>/dev/null; then
            echo "Bail out! $_script did not start: $(cat "$tmp/$_name.err")"
            exit 1
        fi
        sleep 0.1
    done
    STAND_IN_PORT=$(cat "$tmp/$_name.ready")
}

# sts_start NAME [fake_sts.py options]: start an STS stand-in; sets STS_PORT and STS_PID.
sts_start() {
    _sts_name=$1
    shift
    stand_in "$_sts_name" fake_sts.py --cert "$tmp/tls/server.crt" --key "$tmp/tls/server.key" \
        --alt "wrong-name=$tmp/tls/wrongname.crt,$tmp/tls/wrongname.key" \
        --alt "foreign-ca=$tmp/tls/foreignca.crt,$tmp/tls/foreignca.key" \
        --creds "$STS_FIX/creds.json" "$@"
    STS_PID=$STAND_IN_PID
    STS_PORT=$STAND_IN_PORT
}

# sts_creds_with FILE: $tmp/creds.json, the test credentials and those of FILE.
sts_creds_with() {
    "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1])); d.update(json.load(open(sys.argv[2]))); print(json.dumps(d))' \
        "$STS_FIX/creds.json" "$1" >"$tmp/creds.json"
}

# sts_config FILE PORT [extra lines...]: an eksauth.conf for the stand-in on PORT.
sts_config() {
    _file=$1
    _port=$2
    shift 2
    {
        echo "# written by $(basename "$0")"
        echo "cluster_id = prod"
        echo "host_name = $STS_HOST"
        echo "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$_port"
        echo "sts_ca_file = $tmp/tls/ca.crt"
        echo "aws_auth_file = $STS_FIX/aws-auth.yaml"
        echo "sts_connect_timeout = 1"
        echo "sts_timeout = 2"
        case " $* " in *" db_path = "*) ;; *) echo "db_path = $tmp/iddb/identity.db" ;; esac
        for _line in "$@"; do
            echo "$_line"
        done
    } >"$_file"
    chmod 0644 "$_file"
}

# sts_sync CONF: eksauth sync with CONF, so that verify and map decide as a login
# would, with the aws-auth of the last sync (include/eksauth/mapping.h).
sts_sync() {
    mkdir -p -m 0755 "$tmp/iddb"
    "$EKSAUTH" --config "$1" sync >"$tmp/sync.out" 2>&1 || bail "eksauth sync failed: $(cat "$tmp/sync.out")"
}

# sts_cut LOG FROM: what the STS stand-in logged, after line FROM of LOG, of a
# connection it held without answering (faults delay, silence, stall-tls:
# tests/lib/fake_sts.py): what it saw ("request", "tcp" when TLS never started,
# "nothing"), then who closed it ("client": the client gave up first, at its own
# timeout; "stand-in": it held the connection --hold-max seconds; "open": not
# closed after 60 s, the hang protection of this wait).
sts_cut() {
    _end=$((SECONDS + 60))
    while ! tail -n +"$(($2 + 1))" "$1" | grep -q '"closed_by"' && [ "$SECONDS" -lt "$_end" ]; do
        sleep 0.05
    done
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]):]
seen = ("request" if any(x.get("method") == "GET" for x in r) else
        "tcp" if any(x.get("tls") == "never started" for x in r) else "nothing")
print(seen, " ".join(x["closed_by"] for x in r if "closed_by" in x) or "open")
EOF
}
