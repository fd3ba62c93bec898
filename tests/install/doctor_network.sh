#!/bin/sh
# doctor_network.sh - `eksauth doctor --network`: STS and the Kubernetes API
# are reached over TLS, with the config's sts_connect_to, sts_ca_file and
# cluster CA (file or inline data), read under --root; any HTTP answer
# counts; a closed port and an untrusted certificate are errors with a fix.
# The local STS stand-in (tests/lib/fake_sts.py) plays both servers.  TAP.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"

sts_require
command -v base64 >/dev/null || bail "base64 not found"
sts_certs
sts_start sts
port=$STS_PORT
# A port nobody listens on (free a moment ago).
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

R="$tmp/root"
mkdir -p "$R/etc/eksauth" "$R/tls"
cp "$tmp/tls/ca.crt" "$R/tls/ca.crt"

# conf LINES...: the host's eksauth.conf.
conf() {
    {
        echo "cluster_id = prod"
        echo "region = us-east-1"
        echo "sts_connect_timeout = 2"
        echo "sts_timeout = 3"
        for line in "$@"; do
            echo "$line"
        done
    } >"$R/etc/eksauth/eksauth.conf"
    chmod 0644 "$R/etc/eksauth/eksauth.conf"
}

# network_findings: "LEVEL WHERE: PROBLEM | FIX" of the network checks.
network_findings() {
    "$EKSAUTH" doctor --network --json --root "$R" >"$tmp/json" 2>"$tmp/err"
    python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["check"] == "network":
        print("%s %s: %s | %s" % (f["level"], f["where"], f["problem"], f["fix"] or ""))' "$tmp/json"
}

conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$port" "sts_ca_file = /tls/ca.crt" \
    "aws_auth_file = /etc/eksauth/aws-auth.yaml"
out=$(network_findings)
like "$out" '^ok https://sts.us-east-1.amazonaws.com/: STS answers \(HTTP [0-9]+ in ' \
    "STS through sts_connect_to, its CA read under --root"
is "$(echo "$out" | wc -l)" "1" "source = file: nothing else to reach"

"$EKSAUTH" doctor --json --root "$R" >"$tmp/json" 2>&1
grep -q '"network"' "$tmp/json" && ! grep -q '"check": "network"' "$tmp/json"
ok $? "without --network nothing is reached"

conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$closed" "sts_ca_file = /tls/ca.crt"
out=$(network_findings)
like "$out" '^error https://sts.us-east-1.amazonaws.com/: STS does not answer: .*\| check DNS, routes' \
    "a closed port: an error with the fix"
"$EKSAUTH" doctor --network --root "$R" >/dev/null 2>&1
is "$?" "1" "a closed port: exit 1"

conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$port"
out=$(network_findings)
like "$out" '^error https://sts.us-east-1.amazonaws.com/: STS does not answer: .*(certificate|SSL)' \
    "a certificate the system CAs do not trust: an error"

# The Kubernetes API (source = kubernetes): the stand-in on 127.0.0.1 again.
conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$port" "sts_ca_file = /tls/ca.crt" \
    "source = kubernetes" "cluster_endpoint = https://127.0.0.1:$port" "cluster_ca_file = /tls/ca.crt"
out=$(network_findings)
like "$out" "ok https://127.0.0.1:$port/version: the Kubernetes API answers \\(HTTP [0-9]+" \
    "the Kubernetes API with cluster_ca_file"
conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$port" "sts_ca_file = /tls/ca.crt" \
    "source = kubernetes" "cluster_endpoint = https://127.0.0.1:$port" \
    "cluster_ca_data = $(base64 -w0 "$tmp/tls/ca.crt")"
out=$(network_findings)
like "$out" "ok https://127.0.0.1:$port/version: the Kubernetes API answers" \
    "the Kubernetes API with cluster_ca_data"
conf "sts_connect_to = sts.us-east-1.amazonaws.com:443:127.0.0.1:$port" "sts_ca_file = /tls/ca.crt" \
    "source = kubernetes" "cluster_endpoint = https://127.0.0.1:$closed" "cluster_ca_file = /tls/ca.crt"
out=$(network_findings)
like "$out" "error https://127.0.0.1:$closed/version: the Kubernetes API does not answer: .*\\| check cluster_endpoint" \
    "the Kubernetes API on a closed port: an error with the fix"

done_testing
