# pam_common.sh - shared by the PAM shell tests (sourced, not run): the local
# STS stand-in over TLS (tests/lib/sts_common.sh), a prepared folder $PE_DIR
# for the C driver (tests/pam/test_pam_eksauth.c) and for pamtester:
#   eksauth.conf down.conf nodb.conf badperm.conf   configs (root's, 0644; badperm 0666)
#   stale.conf, stale-db/                            a cluster source no sync confirmed
#   faults.conf                                      a second stand-in, its fault in fault.json
#   aws-auth.yaml aws-auth-revoked.yaml              tests/fixtures/pam
#   db/identity.db                                   made by `eksauth sync`
#   keyed.conf, keyed-db/, key/id.key                a DB whose ids are keyed, by the key
#                                                    in key/ (root's alone)
#   tok/alice tok/bobex tok/bob tok/carol            real `aws eks get-token` tokens
#                                                    for this host's audience
#   tok/other (another cluster) tok/expired          (aws_get_token.py, 1000 s old)
#   tok/cluster (the cluster's own) tok/otherhost    (another host of the cluster)
#
# Needs: top_srcdir, top_builddir, FIXTURES, EKSAUTH (make check sets them);
# python3 with botocore and awscli; openssl; root (the config and DB trust
# checks want root-owned files).

: "${top_builddir:?top_builddir must be set (make check sets it)}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"

PAM_MODULE="$top_builddir/pam_eksauth/.libs/pam_eksauth.so"
PAM_DRIVER="$top_builddir/tests/pam/test_pam_eksauth"
PAM_FIX="$FIXTURES/pam"
PE_DIR="$tmp/pam"
CLUSTER_ID=test-cluster
# This host's name and audience (lib/audience.c): tokens are minted for it.
PE_HOST=testhost
PE_AUDIENCE="eksauth:$CLUSTER_ID:$PE_HOST"
export PE_DIR PE_MODULE="$PAM_MODULE" PE_AUDIENCE

# A sanitizer build (configure --enable-sanitizers): an uninstrumented program
# (pamtester) that loads the module needs the runtimes preloaded, first.
SAN_PRELOAD=
if ldd "$PAM_MODULE" 2>/dev/null | grep -q libasan; then
    SAN_PRELOAD="$(${CC:-gcc} -print-file-name=libasan.so) $(${CC:-gcc} -print-file-name=libubsan.so)"
fi

pam_require() {
    sts_require
    [ "$(id -u)" = 0 ] || { echo "1..0 # SKIP the trust checks want root-owned files: run as root"; exit 0; }
    [ -f "$PAM_MODULE" ] || { echo "Bail out! $PAM_MODULE not built"; exit 1; }
    [ -x "$PAM_DRIVER" ] || { echo "Bail out! $PAM_DRIVER not built"; exit 1; }
    "$PYTHON" -c 'import awscli' 2>/dev/null || { echo "Bail out! awscli not found (aws eks get-token)"; exit 1; }
}

# pam_conf FILE [extra lines...]: a config for the stand-in.
pam_conf() {
    _f=$1
    shift
    {
        echo "cluster_id = $CLUSTER_ID"
        echo "host_name = $PE_HOST"
        echo "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT"
        echo "sts_ca_file = $tmp/tls/ca.crt"
        echo "sts_connect_timeout = ${PAM_STS_CONNECT_TIMEOUT:-2}"
        echo "sts_timeout = ${PAM_STS_TIMEOUT:-5}"
        echo "aws_auth_file = $PE_DIR/aws-auth.yaml"
        for _l in "$@"; do echo "$_l"; done
    } >"$_f"
    chmod 0644 "$_f"
}

# mint NAME AKID [aws eks get-token arguments]: a token from the real CLI.
mint() {
    _name=$1
    _akid=$2
    shift 2
    (
        sts_creds "$_akid"
        AWS_DEFAULT_REGION=us-east-1 aws eks get-token --cluster-name "$PE_AUDIENCE" "$@" --output json
    ) >"$PE_DIR/tok/$_name.json" 2>"$PE_DIR/tok/$_name.err" || {
        echo "Bail out! aws eks get-token for $_name failed: $(cat "$PE_DIR/tok/$_name.err")"
        exit 1
    }
    "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"]["token"])' \
        "$PE_DIR/tok/$_name.json" >"$PE_DIR/tok/$_name"
    rm -f "$PE_DIR/tok/$_name.json"
}

pam_setup() {
    pam_require
    sts_certs
    # A second stand-in whose answers the driver picks per case (PE_DIR/fault.json).
    sts_start faults --control "$PE_DIR/fault.json"
    FAULT_PORT=$STS_PORT
    sts_start sts
    mkdir -p "$PE_DIR/tok" "$PE_DIR/db"
    cp "$PAM_FIX/aws-auth.yaml" "$PAM_FIX/aws-auth-revoked.yaml" "$PE_DIR/"
    chmod 0644 "$PE_DIR"/aws-auth*.yaml
    pam_conf "$PE_DIR/eksauth.conf" "db_path = $PE_DIR/db/identity.db"
    pam_conf "$PE_DIR/nodb.conf" "db_path = $PE_DIR/no-such-db/identity.db"
    pam_conf "$PE_DIR/badperm.conf" "db_path = $PE_DIR/db/identity.db"
    chmod 0666 "$PE_DIR/badperm.conf"
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    pam_conf "$PE_DIR/down.conf" "db_path = $PE_DIR/db/identity.db"
    sed -i 's/127\.0\.0\.1:[0-9]*$/127.0.0.1:1/' "$PE_DIR/down.conf"
    (
        PAM_STS_CONNECT_TIMEOUT=1 PAM_STS_TIMEOUT=2
        pam_conf "$PE_DIR/faults.conf" "db_path = $PE_DIR/db/identity.db"
    )
    sed -i "s/127\.0\.0\.1:[0-9]*\$/127.0.0.1:$FAULT_PORT/" "$PE_DIR/faults.conf"
    "$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >"$PE_DIR/sync.out" 2>&1 ||
        { echo "Bail out! eksauth sync failed: $(cat "$PE_DIR/sync.out")"; exit 1; }
    # The same DB for a cluster source with max_snapshot_age, and no sync's
    # state beside it: no snapshot has been confirmed, so eksauth logins stop.
    mkdir -p "$PE_DIR/stale-db"
    cp -p "$PE_DIR/db/identity.db" "$PE_DIR/stale-db/"
    pam_conf "$PE_DIR/stale.conf" "db_path = $PE_DIR/stale-db/identity.db" "source = kubernetes" \
        "cluster_endpoint = https://127.0.0.1:1" "max_snapshot_age = 120"

    # A DB with keyed ids: the account stage cannot tell whether NSS serves
    # a templated name of it without the key (case_account_unavailable).
    mkdir -p "$PE_DIR/key" "$PE_DIR/keyed-db"
    (umask 077 && head -c 32 /dev/urandom >"$PE_DIR/key/id.key")
    pam_conf "$PE_DIR/keyed.conf" "db_path = $PE_DIR/keyed-db/identity.db" \
        "id_key_file = $PE_DIR/key/id.key"
    "$EKSAUTH" --config "$PE_DIR/keyed.conf" sync >"$PE_DIR/sync.out" 2>&1 ||
        { echo "Bail out! eksauth sync (keyed) failed: $(cat "$PE_DIR/sync.out")"; exit 1; }

    mint alice ASIAFAKEEXAMPLE00001
    mint bobex ASIAFAKEEXAMPLE00002
    mint bob AKIAFAKEUSER00000001
    mint carol ASIAFAKEUNMAPPED0001
    (
        sts_creds ASIAFAKEEXAMPLE00001
        AWS_DEFAULT_REGION=us-east-1 aws eks get-token --cluster-name other-cluster --output json
    ) | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])' \
        >"$PE_DIR/tok/other" || bail "aws eks get-token for another cluster failed"
    # What `aws eks get-token --cluster-name <this cluster>` prints: a live cluster credential.
    (
        sts_creds ASIAFAKEEXAMPLE00001
        AWS_DEFAULT_REGION=us-east-1 aws eks get-token --cluster-name "$CLUSTER_ID" --output json
    ) | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])' \
        >"$PE_DIR/tok/cluster" || bail "aws eks get-token for the cluster failed"
    # A token another host of the same cluster asked for.
    (
        sts_creds ASIAFAKEEXAMPLE00001
        AWS_DEFAULT_REGION=us-east-1 aws eks get-token --cluster-name "eksauth:$CLUSTER_ID:otherhost" \
            --output json
    ) | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])' \
        >"$PE_DIR/tok/otherhost" || bail "aws eks get-token for another host failed"
    (
        sts_creds ASIAFAKEEXAMPLE00001
        AWS_DEFAULT_REGION=us-east-1 "$PYTHON" "$STS_LIB/aws_get_token.py" \
            --now "$(($(date +%s) - 1000))" --cluster-name "$PE_AUDIENCE" --output json
    ) | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])' \
        >"$PE_DIR/tok/expired" || bail "an expired token could not be made"
}

# pieces FILE SIZE: the token of FILE cut in SIZE-byte pieces, one a line,
# each but the last ending with '\' (what `eksauth askpass` answers).
pieces() {
    "$PYTHON" -c '
import sys
t = open(sys.argv[1]).read().strip()
n = int(sys.argv[2])
p = [t[i:i + n] for i in range(0, len(t), n)]
print("\n".join([x + "\\" for x in p[:-1]] + [p[-1]]))' "$1" "$2"
}

# no_token_in FILE...: no 24-byte run of any test token's body in the files.
no_token_in() {
    "$PYTHON" - "$PE_DIR/tok" "$@" <<'PYEOF'
import os, sys
toks = []
d = sys.argv[1]
for n in os.listdir(d):
    p = os.path.join(d, n)
    if os.path.isfile(p) and "." not in n:
        toks.append(open(p).read().strip()[len("k8s-aws-v1."):])
text = "".join(open(f, errors="replace").read() for f in sys.argv[2:])
for t in toks:
    for i in range(0, len(t) - 24, 12):
        if t[i:i + 24] in text:
            print("# token bytes found in the log")
            sys.exit(1)
sys.exit(0)
PYEOF
}
