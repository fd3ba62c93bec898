#!/bin/bash
# partition_data.sh - the STS hosts eksauth accepts are exactly those the AWS
# SDK's data can produce (docs/token-rules.md decision 3).
#
#  1. lib/partition_data.c is what lib/partition_data.py makes from the
#     installed botocore: the test fails when AWS's data moved on.  A botocore
#     older than the one the table was made from (TABLE_BOTOCORE; Debian 12's
#     python3-botocore 1.29) knows fewer partitions, regions and hosts: then
#     every partition and region it lists must be in the table, and (2) every
#     host it produces accepted as the table says.
#  2. Every host botocore's endpoint rules give STS (each region of each
#     partition, plain, FIPS, dual-stack and FIPS dual-stack, and the global
#     host), in a token presigned by botocore's own SigV4 signer, checked by
#     `eksauth check-token` under each partition: accepted with the SDK's
#     signing region exactly under the partition that produces it, refused
#     under every other; and names the SDK never produces refused everywhere.
#     Except where the cluster's own domain list refuses what the SDK makes:
#     the ISO partitions' dual-stack hosts are refused everywhere
#     (docs/token-rules.md, "Hosts"; decision 1).
#
# Environment: EKSAUTH (the built CLI), top_srcdir (set by make check).  TAP.
set -u
: "${EKSAUTH:?EKSAUTH must name the eksauth binary}"
: "${top_srcdir:?top_srcdir must name the source tree}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

exec python3 - "$EKSAUTH" "$top_srcdir" "$tmp" <<'PYEOF'
import base64
import itertools
import json
import os
import re
import subprocess
import sys

import botocore
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.endpoint_provider import EndpointProvider
from botocore.loaders import create_loader

eksauth, top, tmp = sys.argv[1:4]
n = failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1
        for line in detail.splitlines():
            print("#   " + line)


# The botocore lib/partition_data.c was last made from (the file names none:
# lib/partition_data.py says why); raise it when regenerating.
TABLE_BOTOCORE = (1, 43)
older = tuple(int(x) for x in botocore.__version__.split(".")[:2]) < TABLE_BOTOCORE


def table_regions(path):
    """{partition: set of its regions} of the C table at PATH."""
    with open(path) as f:
        blocks = f.read().split(".name = ")[1:]
    return {re.match(r'"([^"]*)"', b).group(1):
            set(re.findall(r'"([^"]*)"', re.search(r"\.regions =(.*?)\}", b, re.S).group(1)))
            for b in blocks}


# 1. The committed table is the installed botocore's (or holds all of an older one's).
table_c = os.path.join(top, "lib/partition_data.c")
if not older:
    gen = subprocess.run([sys.executable, os.path.join(top, "lib/partition_data.py"), "--check",
                          table_c], capture_output=True, text=True)
    ok(gen.returncode == 0, "lib/partition_data.c is what botocore's data gives",
       (gen.stdout + gen.stderr)[-3000:])
else:
    gen = subprocess.run([sys.executable, os.path.join(top, "lib/partition_data.py"), "--regions"],
                         capture_output=True, text=True)
    table = table_regions(table_c)
    missing = []
    for line in gen.stdout.splitlines():
        name, *regions = line.split()
        missing += ["%s %s" % (name, r) for r in regions if r not in table.get(name, ())]
        if name not in table:
            missing.append("partition " + name)
    ok(gen.returncode == 0 and gen.stdout and not missing,
       "lib/partition_data.c holds every partition and region of botocore %s's older data"
       % botocore.__version__, gen.stderr[-3000:] + "\n".join(missing))

# 2. Every SDK host, under every partition.
loader = create_loader()
partitions = loader.load_data("partitions")["partitions"]
provider = EndpointProvider(loader.load_service_model("sts", "endpoint-rule-set-1"),
                            {"partitions": partitions, "version": "1.1"})


def sdk_host(region, fips, dualstack, use_global=False):
    try:
        ep = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack,
                                       UseGlobalEndpoint=use_global)
    except Exception:
        return None
    scheme = (ep.properties.get("authSchemes") or [{}])[0]
    return ep.url[len("https://"):], scheme.get("signingRegion", region)


produced = {}  # host -> (partition, signing region)
for p in partitions:
    for region in p["regions"]:
        if region.endswith("-global"):
            continue
        for fips, ds, glob in itertools.product((False, True), (False, True), (False, True)):
            got = sdk_host(region, fips, ds, glob and not fips and not ds)
            if got is not None:
                produced.setdefault(got[0], (p["id"], got[1]))
ok(len(produced) > 100, "the SDK's rules give %d STS hosts" % len(produced))

# Names no SDK produces: the cases of docs/token-rules.md "Hosts".
never = {
    "sts.us-west-2.amazonaws.com.cn": "us-west-2",   # aws region, aws-cn suffix
    "sts.cn-north-1.amazonaws.com": "cn-north-1",    # aws-cn region, aws suffix
    "sts-fips.us-gov-west-1.amazonaws.com": "us-gov-west-1",  # gov FIPS is sts.<region>
    "sts.xx-nowhere-9.amazonaws.com": "xx-nowhere-9",  # no partition's region
    "sts.us-gov-west-1.api.amazonwebservices.com.cn": "us-gov-west-1",
}
for host in never:
    ok(host not in produced, "the SDK does not produce %s" % host)


def token(host, region):
    """A token for host presigned by botocore's SigV4 query signer, as get-token makes it."""
    req = AWSRequest(method="GET",
                     url="https://%s/?Action=GetCallerIdentity&Version=2011-06-15" % host,
                     headers={"x-k8s-aws-id": "test-cluster"})
    SigV4QueryAuth(Credentials("AKIAIOSFODNN7EXAMPLE", "secret"), "sts", region,
                   expires=60).add_auth(req)
    url = req.url
    return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def check(partition, host, region):
    conf = os.path.join(tmp, partition + ".conf")
    if not os.path.exists(conf):
        with open(conf, "w") as f:
            f.write("cluster_id = test-cluster\npartition = %s\n" % partition)
    # Signed now, checked now: the clock is the only date either side reads.
    r = subprocess.run([eksauth, "--config", conf, "check-token", token(host, region)],
                       capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


# The cluster's own STS domains per partition (its list, not the SDK's): the
# part of a host after its service and region labels must be one of them.
cluster_domains = {
    "aws": ("amazonaws.com", "api.aws"),
    "aws-cn": ("amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    "aws-us-gov": ("amazonaws.com", "api.aws"),
    "aws-iso": ("c2s.ic.gov",),
    "aws-iso-b": ("sc2s.sgov.gov",),
    "aws-iso-e": ("cloud.adc-e.uk",),
    "aws-iso-f": ("csp.hci.ic.gov",),
    "aws-eusc": ("amazonaws.eu", "api.amazonwebservices.eu"),
}


def cluster_takes(partition, host):
    return host == "sts.amazonaws.com" or \
        host.split(".", 2)[-1] in cluster_domains.get(partition, ())


names = [p["id"] for p in partitions]
# An older botocore knows some of them; its ISO partitions may have no dual-stack hosts yet.
ok(set(names) <= set(cluster_domains) if older else sorted(names) == sorted(cluster_domains),
   "the cluster's domain list names botocore's partitions",
   "%s vs %s" % (sorted(names), sorted(cluster_domains)))
dropped = [h for h, (o, _) in produced.items() if not cluster_takes(o, h)]
ok((older or any(".api.aws.ic.gov" in h for h in dropped)) and
   not any(o in ("aws", "aws-cn", "aws-us-gov", "aws-eusc") for h, (o, _) in produced.items()
           if h in dropped),
   "the cluster refuses %d SDK hosts, all dual-stack in an ISO partition" % len(dropped),
   "\n".join(sorted(dropped)))
bad = []
for partition in names:
    accepted = refused = 0
    for host, (owner, region) in sorted(produced.items()):
        rc, out, err = check(partition, host, region)
        if owner == partition and cluster_takes(partition, host):
            good = rc == 0 and json.loads(out).get("region") == region
            accepted += good
        else:
            good = rc == 1 and ("host:" in err or "region:" in err)
            refused += good
        if not good:
            bad.append("%s under %s (the SDK's %s): rc %d %s" % (host, partition, owner, rc,
                                                                  err.strip()))
    for host, region in never.items():
        rc, out, err = check(partition, host, region)
        good = rc == 1 and ("host:" in err or "region:" in err)
        refused += good
        if not good:
            bad.append("%s under %s (never produced): rc %d" % (host, partition, rc))
    mine = sum(1 for h, (o, _) in produced.items() if o == partition and cluster_takes(o, h))
    ok(accepted == mine and refused == len(produced) - mine + len(never),
       "partition %s: its %d SDK hosts the cluster takes accepted, the other %d refused" %
       (partition, mine, len(produced) - mine + len(never)), "\n".join(bad[-20:]))

print("1..%d" % n)
sys.exit(1 if failed else 0)
PYEOF
