#!/bin/sh
# doctor_network.sh - `eksauth doctor --network`: STS and the Kubernetes API
# are reached over TLS, with the config's sts_connect_to, sts_ca_file and
# cluster CA (file or inline data), read under --root; any HTTP answer
# counts; a closed port and an untrusted certificate are errors with a fix.
# Without region in the config the region is found as eksauth whoami finds
# it (and said), never the global endpoint in its place.  The local STS
# stand-in (tests/lib/fake_sts.py) plays both servers.  TAP.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sts_common.sh"

sts_require
command -v base64 >/dev/null || bail "base64 not found"
sts_certs
sts_start sts
port=$STS_PORT
# A port nobody listens on: port 1 of loopback refuses at once (as in
# tests/hardening/sts_faults_pam.sh); a port freed a moment ago could be taken
# meanwhile by another test's stand-in.
closed=1

R="$tmp/root"
mkdir -p "$R/etc/eksauth" "$R/tls"
cp "$tmp/tls/ca.crt" "$R/tls/ca.crt"

# conf LINES...: the host's eksauth.conf (with $region_line, when not empty).
region_line="region = us-east-1"
conf() {
    {
        echo "cluster_id = prod"
        [ -z "$region_line" ] || echo "$region_line"
        echo "sts_connect_timeout = 2"
        echo "sts_timeout = 3"
        for line in "$@"; do
            echo "$line"
        done
    } >"$R/etc/eksauth/eksauth.conf"
    chmod 0644 "$R/etc/eksauth/eksauth.conf"
}

# network_findings [ENV ARGS...]: "LEVEL WHERE: PROBLEM | FIX" of the network
# checks, doctor run under env with the arguments given (none of the caller's
# AWS region settings count unless given).
network_findings() {
    env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE=/nonexistent "$@" \
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

# No region in the config: doctor finds one as eksauth whoami and sync do
# (AWS_REGION here) and says so, and never probes the global endpoint in its
# place (a host that only reaches its regional STS would get a false error).
region_line=
conf "sts_connect_to = sts.eu-west-1.amazonaws.com:443:127.0.0.1:$port" "sts_ca_file = /tls/ca.crt" \
    "imds_endpoint = http://127.0.0.1:$closed"
out=$(network_findings AWS_REGION=eu-west-1)
like "$out" '^ok https://sts.eu-west-1.amazonaws.com/: STS answers \(HTTP [0-9]+ in ' \
    "no region in the config: STS of the region AWS_REGION names"
like "$out" '^info /etc/eksauth/eksauth.conf: no region in the config: checking eu-west-1, found as eksauth whoami and sync find it' \
    "no region in the config: the region doctor assumed is said"
unlike "$out" 'sts.amazonaws.com|^error' "no region in the config: no global STS probe, no error"
printf '[default]\nregion = eu-west-1\n' >"$tmp/aws-config"
out=$(network_findings AWS_CONFIG_FILE="$tmp/aws-config")
like "$out" '^ok https://sts.eu-west-1.amazonaws.com/: STS answers' \
    "no region in the config: the AWS config file's region, as whoami takes it"
# Nowhere a region (no variable, no AWS config file, instance metadata closed):
# a warning with the fix, not an error, and nothing probed.
out=$(network_findings)
like "$out" '^warning /etc/eksauth/eksauth.conf: STS and the EKS API not checked: no region.*\| add "region = REGION"' \
    "no region anywhere: a warning that names the fix"
unlike "$out" 'https://|^error' "no region anywhere: nothing probed, no error"

done_testing
