#!/usr/bin/env python3
"""partition_data.py - write lib/partition_data.c, the table of AWS partitions and
the STS host names the AWS SDK can produce in each, from the botocore installed
here.

  python3 lib/partition_data.py > lib/partition_data.c     regenerate
  python3 lib/partition_data.py --check lib/partition_data.c
      exit 1 with a diff when the file differs from what this botocore gives

The source is the data every current SDK resolves endpoints with, the
aws-iam-authenticator's Go SDK v2 included: botocore/data/partitions.json (each
partition's region regex, DNS suffix and dual-stack DNS suffix, its regions) and
STS's endpoint rule set (sts/*/endpoint-rule-set-1.json), evaluated by
botocore's own rule engine for every region of every partition in the four
variants plain, FIPS, dual-stack and FIPS dual-stack.  The host of each variant
must have the same form for every region of a partition, "sts.{region}.suffix"
with the region as one label; anything else stops the script (the C side would
not express it).  The legacy table botocore/data/endpoints.json does not
decide the forms: it lacks the dual-stack names of the ISO partitions that the
rules give.  It is read for one thing: the FIPS and dual-stack STS hosts it
lists at a listed region.  The rules make those forms at every region, but STS
is served at few of them (FIPS in four US regions): a login whose token names
another, and whose STS cannot be reached, is refused rather than "unavailable"
(lib/sts.c says why).

The region regexes must be "^" + literal alternatives + "\\-\\w+\\-\\d+$" (every
partition's today); each becomes the list of literal prefixes it allows.  Each
region listed in a partition must match its own regex and no earlier
partition's, so that "the first partition whose regex matches" (what the C side
does) is the SDK's answer.  The global host (the one a region's global endpoint
resolves to, sts.amazonaws.com) is kept with its signing region.

The regions each partition lists are kept too: a login whose token names a
region AWS does not list, and whose STS cannot be reached, is refused rather
than "unavailable" (lib/sts.c says why).

Nothing here names the botocore version: the file changes only when the data
that decides STS host names, or the list of regions, does.
"""
import argparse
import difflib
import itertools
import re
import sys

from botocore.endpoint_provider import EndpointProvider
from botocore.loaders import create_loader

VARIANTS = [  # (name in the C table, UseFIPS, UseDualStack)
    ("plain", False, False),
    ("fips", True, False),
    ("dualstack", False, True),
    ("fips_dualstack", True, True),
]
TAIL = r"\-\w+\-\d+$"


def fail(msg):
    sys.stderr.write("partition_data.py: %s\n" % msg)
    sys.exit(2)


def region_prefixes(regex):
    """The literal prefixes of ^(a|b)\\-(c)\\-\\w+\\-\\d+$, each alternative expanded."""
    if not regex.startswith("^") or not regex.endswith(TAIL):
        fail("region regex %r is not ^...%s" % (regex, TAIL))
    body = regex[1:-len(TAIL)]
    parts = []
    pos = 0
    token = re.compile(r"\(([a-z0-9|]+)\)|([a-z0-9]+)|(\\-)")
    while pos < len(body):
        m = token.match(body, pos)
        if m is None:
            fail("region regex %r: cannot read %r" % (regex, body[pos:]))
        if m.group(1) is not None:
            parts.append(m.group(1).split("|"))
        elif m.group(2) is not None:
            parts.append([m.group(2)])
        else:
            parts.append(["-"])
        pos = m.end()
    prefixes = ["".join(p) for p in itertools.product(*parts)]
    # The expansion must mean what the regex means.
    compiled = re.compile(regex)
    for p in prefixes:
        if not compiled.match(p + "-x-1") or compiled.match(p + "x-x-1"):
            fail("region regex %r: expansion %r does not match as the regex does" % (regex, p))
    return prefixes


def resolve(provider, region, fips, dualstack, use_global=False):
    try:
        ep = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack,
                                       UseGlobalEndpoint=use_global)
    except Exception:  # the rules refuse this variant here
        return None, None
    url = ep.url
    if not url.startswith("https://") or "/" in url[8:]:
        fail("%s: endpoint %r is not https://HOST" % (region, url))
    scheme = (ep.properties.get("authSchemes") or [{}])[0]
    return url[8:], scheme.get("signingRegion", region)


def host_form(host, region):
    """sts.{region}.suffix for host, or None when host does not hold the region as a label."""
    labels = host.split(".")
    if region not in labels:
        return None
    i = labels.index(region)
    return ".".join(labels[:i]), ".".join(labels[i + 1:])


def listed_variant_hosts(endpoints, name, regions, forms):
    """The non-plain STS hosts endpoints.json lists at the partition's regions, in its forms."""
    sts = {}
    for p in endpoints["partitions"]:
        if p["partition"] == name:
            sts = p["services"].get("sts", {}).get("endpoints", {})
    made = set()
    for vname, _, _ in VARIANTS[1:]:
        if forms[vname] is not None:
            made.update("%s.%s.%s" % (forms[vname][0], r, forms[vname][1]) for r in regions)
    plain = set("%s.%s.%s" % (forms["plain"][0], r, forms["plain"][1]) for r in regions)
    hosts = set()
    for r in regions:
        for v in sts.get(r, {}).get("variants", []):
            h = v.get("hostname", "")
            if h in made and h not in plain:
                hosts.add(h)
    return sorted(hosts)


def partition_rows():
    loader = create_loader()
    partitions = loader.load_data("partitions")["partitions"]
    endpoints = loader.load_data("endpoints")
    provider = EndpointProvider(loader.load_service_model("sts", "endpoint-rule-set-1"),
                                {"partitions": partitions, "version": "1.1"})
    rows = []
    earlier = []
    for p in partitions:
        name = p["id"]
        out = p["outputs"]
        regex = p["regionRegex"]
        compiled = re.compile(regex)
        prefixes = region_prefixes(regex)
        regions = [r for r in p["regions"] if compiled.match(r)]
        pseudo = [r for r in p["regions"] if not compiled.match(r)]
        for r in regions:
            for e in earlier:
                if re.match(e, r):
                    fail("region %s of %s matches an earlier partition's regex %s" % (r, name, e))
        for r in pseudo:
            if not r.endswith("-global"):
                fail("region %s of %s does not match its regex %s" % (r, name, regex))
        earlier.append(regex)
        # A region the data does not list yet, made from the regex: the same forms must hold.
        probe = prefixes[0] + "-zzprobe-9"
        forms = {}
        for vname, fips, ds in VARIANTS:
            seen = set()
            for r in regions + [probe]:
                host, _ = resolve(provider, r, fips, ds)
                seen.add(None if host is None else host_form(host, r))
            if len(seen) != 1 or (None in seen and len(seen) > 1):
                fail("%s: the %s hosts of its regions differ: %r" % (name, vname, seen))
            form = seen.pop()
            if form is None:
                forms[vname] = None
                continue
            if form[0] not in ("sts", "sts-fips"):
                fail("%s: %s host form %r does not start with sts" % (name, vname, form))
            forms[vname] = form
        # The global endpoint: a host without the region in it.
        global_host = global_region = None
        for r in regions + [r for r in pseudo]:
            for use_global in (False, True):
                host, signing = resolve(provider, r, False, False, use_global)
                if host is None or host_form(host, r) is not None:
                    continue
                if global_host not in (None, host) or global_region not in (None, signing):
                    fail("%s: two global hosts %s and %s" % (name, global_host, host))
                global_host, global_region = host, signing
        rows.append({
            "name": name, "regex": regex, "prefixes": prefixes,
            "domain": out["dnsSuffix"], "dualstack_domain": out.get("dualStackDnsSuffix"),
            "forms": forms, "global_host": global_host, "global_region": global_region,
            "regions": regions,
            "listed_hosts": listed_variant_hosts(endpoints, name, regions, forms),
        })
    return rows


def c_string(s):
    return "NULL" if s is None else '"%s"' % s


def render(rows):
    out = []
    w = out.append
    w("/*")
    w(" * partition_data.c - the AWS partitions and the STS host names the AWS SDK")
    w(" * can produce in each.  GENERATED by lib/partition_data.py from botocore's")
    w(" * partitions.json, STS's endpoint rule set and (listed_hosts only)")
    w(" * endpoints.json: do not edit; regenerate with")
    w(" *   python3 lib/partition_data.py > lib/partition_data.c")
    w(" * (tests/integration/partition_data.sh fails when this file and the")
    w(" * installed botocore disagree).")
    w(" */")
    w('#include "config.h"')
    w("")
    w("#include <stddef.h>")
    w("")
    w('#include "eksauth/partition.h"')
    w("")
    w("const struct eksauth_partition eksauth_partition_table[] = {")
    for r in rows:
        w("    {")
        w("        .name = %s," % c_string(r["name"]))
        w("        .region_regex = %s," % c_string(r["regex"].replace("\\", "\\\\")))
        w("        .region_prefixes = %s," % c_string("|".join(r["prefixes"])))
        w("        .domain = %s," % c_string(r["domain"]))
        w("        .dualstack_domain = %s," % c_string(r["dualstack_domain"]))
        w("        .sts_hosts =")
        w("            {")
        for vname, _, _ in VARIANTS:
            f = r["forms"][vname]
            if f is None:
                w("                [EKSAUTH_STS_%s] = {NULL, NULL}," % vname.upper())
            else:
                w("                [EKSAUTH_STS_%s] = {%s, %s}," %
                  (vname.upper(), c_string(f[0] + "."), c_string("." + f[1])))
        w("            },")
        w("        .global_host = %s," % c_string(r["global_host"]))
        w("        .global_region = %s," % c_string(r["global_region"]))
        for field in ("regions", "listed_hosts"):
            w("        .%s =" % field)
            w("            (const char *const[]){")
            for item in r[field]:
                w("                %s," % c_string(item))
            w("                NULL,")
            w("            },")
        w("    },")
    w("};")
    w("")
    w("const size_t eksauth_partition_count =")
    w("    sizeof(eksauth_partition_table) / sizeof(eksauth_partition_table[0]);")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", metavar="FILE",
                    help="compare FILE with what this botocore gives; exit 1 when they differ")
    ap.add_argument("--regions", action="store_true",
                    help="print each partition's listed regions (for tests), one line each")
    a = ap.parse_args()
    rows = partition_rows()
    if a.regions:
        for r in rows:
            print(r["name"], " ".join(r["regions"]))
        return 0
    text = render(rows)
    if a.check is None:
        sys.stdout.write(text)
        return 0
    with open(a.check) as f:
        committed = f.read()
    if committed == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(committed.splitlines(True), text.splitlines(True),
                                               a.check, "from the installed botocore"))
    sys.stderr.write("partition_data.py: %s differs from the installed botocore's data; "
                     "regenerate it (see its header) and review the diff\n" % a.check)
    return 1


if __name__ == "__main__":
    sys.exit(main())
