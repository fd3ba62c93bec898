#!/usr/bin/env python3
"""awsauth_gen.py - random aws-auth values, read by eksauth and by kubectl's YAML reader.

Used by tests/integration/awsauth_kubectl.sh:

  awsauth_gen.py DUMP WORKDIR SEED COUNT

makes COUNT mapRoles or mapUsers values from SEED (YAML of every style: quoting,
escapes, block scalars, flow collections, tags, anchors, odd keys, YAML 1.1 words,
line breaks, and a few random edits), and compares what eksauth maps
(tests/integration/awsauth_dump) with what the cluster maps.  The cluster reads
aws-auth with sigs.k8s.io/yaml (go-yaml v2 to JSON) into Go structs
(encoding/json: keys matched ignoring case), as kubectl reads a manifest: the
value, wrapped as a document, goes through `kubectl annotate --local`, whose
error for a document without a kind quotes the JSON it decoded, or through
`kubectl patch --local --patch-file` when that answer is in doubt.  Prints TAP.

Failures (docs/aws-auth.md "eksauth and the cluster"): eksauth maps an ARN the
cluster does not map, or maps it to another username or groups; eksauth leaves
out an entry the cluster maps with no warning, dropped value or ignored entry
saying so.  Counted and printed, not failed: the documented refusals (a value
dropped, an entry skipped, with the reason), messages whose account of the
cluster is imprecise, and what kubectl's answer left unknown.
"""
import collections
import json
import os
import random
import re
import subprocess
import sys

ACCT = "123456789012"
ROLES = ["arn:aws:iam::%s:role/%s" % (ACCT, n) for n in
         ("Admin", "ops", "Dev", "admin", "path/x", "a.b@c=d,e+f_g-h")] + \
    ["arn:aws:sts::%s:assumed-role/Admin/s" % ACCT, "arn:aws-cn:iam::%s:role/Cn" % ACCT]
USERS = ["arn:aws:iam::%s:user/alice" % ACCT, "arn:aws:iam::%s:user/Bob" % ACCT,
         "arn:aws:iam::%s:user/bob" % ACCT, "arn:aws:iam::%s:root" % ACCT]
# Usernames: templates, then what YAML 1.1 or 1.2 types (bools, nulls, numbers,
# dates), what JSON or YAML quotes oddly, blanks, breaks and non-ASCII.
NAMES = ["admin", "alice", "ops-{{SessionName}}", "dev:{{AccountID}}",
         "system:node:{{EC2PrivateDNSName}}",
         "yes", "no", "on", "off", "y", "n", "Y", "N", "true", "False", "TRUE", "null", "Null", "~",
         "NULL", "12", "012", "0x1f", "0o17", "0b101", "1_000", "1.5e3", "+1", "-2", ".5", "1.",
         "1e3", "6.8523015e+5", "190:20:30", "1:2", "0x_1F", "-0b1_0", ".inf", "-.Inf", ".NaN",
         ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
         "\u00fcn\u00ef", "u\u017fer", "\u212aelvin", "a#b", "a #b", "a:b", "a: b", "-a", "?a", ":a",
         "a,b", "a]b", "a}b", "a?b", "a'b", 'a"b', "a\\b", "a\tb", "a b", " a", "a ", "", "@x", "`x",
         "%x", "!x", "&x", "*x", "|x", ">x", "a\nb", "a\n\nb", "a\u2028b", "a\u0085b", "a\rb",
         "a\u00a0b", "\u00e9", "\U0001F600", "x" * 1030, "=", "<<", "a--", "---", "...", "- a",
         "[a]", "{a}", "0", "-0", "0.0", "1e", "0x", "+.inf", "._", "1_", "0b2", "0o8", "09", "0777",
         "1__0", "1,000", "Yes", "yES", "oN", "NO", "nO"]
# The words above that YAML 1.1 (the cluster's reader) types, picked more often.
TYPED = NAMES[5:43] + NAMES[-12:]
GROUPS = ["system:masters", "devs", "ops:{{SessionName}}", "g-{{AccessKeyID}}"] + NAMES
ROLE_KEYS = ["rolearn", "roleARN", "RoleArn", "ROLEARN", "rolearN", "roleArn"]
USER_KEYS = ["userarn", "userARN", "UserArn", "u\u017ferarn"]
UN_KEYS = ["username", "userName", "UserName", "u\u017fername", "USERNAME", "Username"]
GR_KEYS = ["groups", "Groups", "group\u017f", "GROUPS", "gRoups"]
UNK_KEYS = ["userid", "x", "note", "sso", "SSO", "rolearn2", "user name", "~", "null", "1", "true",
            "<<", "? q"]
MUT = 0.15  # the share of values given a random edit


def pick(r, seq):
    return seq[r.randrange(len(seq))]


def dq(r, s):
    """s double-quoted, with the escapes YAML allows (and \\/, \\' that go-yaml takes)."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append(pick(r, ["\\n", "\\n", "\\x0a", "\\u000a"]))
        elif ch == "\t":
            out.append(pick(r, ["\\t", "\t", "\\x09"]))
        elif o < 0x20 or o == 0x7f or o in (0x85, 0x2028, 0x2029):
            out.append("\\u%04x" % o)
        elif ch == "/" and r.random() < 0.1:
            out.append("\\/")
        elif ch == "'" and r.random() < 0.2:
            out.append("\\'")
        elif r.random() < 0.03 and o < 0x80:
            out.append(pick(r, ["\\x%02x" % o, "\\u%04x" % o, "\\U%08x" % o]))
        elif r.random() < 0.02 and 0x80 <= o < 0x10000:
            out.append("\\u%04X" % o)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def sq(s):
    return "'" + s.replace("'", "''") + "'"


def scalar(r, s, ind, flow=False):
    """s in a random style, for a value at indentation ind."""
    k = r.random()
    if k < 0.45 or not isinstance(s, str):
        return s
    if k < 0.62:
        return sq(s) if "\n" not in s else sq(s).replace("\n", "\n\n" + " " * (ind + 2))
    if k < 0.85 or flow:
        return dq(r, s)
    ind2 = ind + 2
    chomp = pick(r, ["", "-", "+"])
    ii = pick(r, ["", "", "2", "1", "4"])
    hdr = pick(r, ["|", ">"]) + pick(r, [ii + chomp, chomp + ii])
    if ii:
        ind2 = ind + int(ii)
    body = "\n".join((" " * ind2 + line) if line else "" for line in s.split("\n"))
    return hdr + pick(r, ["", " # c", "  "]) + "\n" + body


def tagwrap(r, v):
    if r.random() < 0.9:
        return v
    return pick(r, ["!!str ", "! ", "!!int ", "!!binary ", "!local ", "!!null ", "!!bool ",
                    "!<tag:yaml.org,2002:str> "]) + v


def anchor(r, v, anchors):
    if r.random() < 0.08:
        a = pick(r, ["a", "b", "x1"])
        anchors.append(a)
        return "&%s %s" % (a, v)
    if anchors and r.random() < 0.1:
        return "*" + pick(r, anchors)
    return v


def sep(r):
    return pick(r, [": "] * 12 + [":  ", ":\t", ": \t", ":\t ", " : "])


def name(r, pool):
    """A username or group: a plain one, a YAML 1.1 word or any of pool."""
    k = r.random()
    return pick(r, pool[:5] if k < 0.4 else TYPED if k < 0.6 else pool)


def fields_of(r, src):
    """The (key, value) pairs of one entry, in a random order."""
    roles = src == "mapRoles"
    fields = []
    if r.random() < 0.95:
        arn = pick(r, ROLES if roles else USERS)
        if r.random() < 0.1:
            arn = arn.upper() if r.random() < 0.5 else arn.replace("a", "A", 1)
        key = pick(r, ROLE_KEYS if roles else USER_KEYS) if r.random() < 0.25 else \
            ("rolearn" if roles else "userarn")
        fields.append((key, arn))
    if r.random() < 0.93:
        fields.append((pick(r, UN_KEYS) if r.random() < 0.2 else "username", name(r, NAMES)))
    if r.random() < 0.85:
        n = pick(r, [0, 1, 1, 2, 3])
        fields.append((pick(r, GR_KEYS) if r.random() < 0.2 else "groups",
                       [name(r, GROUPS) for _ in range(n)]))
    while r.random() < 0.15:
        fields.append((pick(r, UNK_KEYS + UN_KEYS + ROLE_KEYS + GR_KEYS),
                       pick(r, NAMES + [None, [], ["a"], {}])))
    r.shuffle(fields)
    return fields


def flow_entry(r, fields, ind, anchors):
    parts = []
    for k, v in fields:
        if isinstance(v, list):
            vs = "[" + ", ".join(tagwrap(r, scalar(r, g, ind, True)) for g in v) + "]"
        elif v is None:
            vs = pick(r, ["~", "null", ""])
        elif isinstance(v, dict):
            vs = "{}"
        else:
            vs = anchor(r, tagwrap(r, scalar(r, v, ind, True)), anchors)
        parts.append("%s: %s" % (k, vs))
    j = pick(r, [", ", ",", ",\n" + " " * (ind + 1), " ,"])
    return ["{" + j.join(parts) + pick(r, ["}", " }", ",}", "\n" + " " * ind + "}"])]


def entry(r, src, ind, anchors):
    """The lines of one entry after its "- " (the first unindented)."""
    fields = fields_of(r, src)
    if r.random() < 0.2:
        return flow_entry(r, fields, ind, anchors)
    lines = []
    for k, v in fields:
        if r.random() < 0.05:
            k = pick(r, ['"%s"' % k, "'%s'" % k, "? " + k + "\n" + " " * ind])
        if isinstance(v, list):
            if r.random() < 0.5:
                lines.append(k + sep(r).rstrip(" ") + " [" +
                             pick(r, [", ", ",", ",\n" + " " * (ind + 2)]).join(
                                 tagwrap(r, scalar(r, g, ind, True)) for g in v) + "]")
            elif not v:
                lines.append(k + ":" + pick(r, ["", " []", " ~", " # none"]))
            else:
                sub = pick(r, [ind, ind + 2, ind + 4])
                lines.append(k + ":" + pick(r, ["", " # g"]))
                for g in v:
                    lines.append(" " * sub + "-" + pick(r, [" ", " ", "   ", "\t"]) +
                                 anchor(r, tagwrap(r, scalar(r, g, sub + 2)), anchors))
        elif v is None:
            lines.append(k + ":" + pick(r, ["", " ~", " null", " # n"]))
        elif isinstance(v, dict):
            lines.append(k + ": {}")
        else:
            lines.append(k + sep(r) + anchor(r, tagwrap(r, scalar(r, v, ind)), anchors) +
                         pick(r, [""] * 8 + [" # c", "#c", "\t#c", "  ", "\t"]))
        if r.random() < 0.04:
            lines.append(" " * pick(r, [0, 1, ind, ind + 3]) + "# comment")
        if r.random() < 0.03:
            lines.append("")
    if not lines:
        return ["{}"]
    return [lines[0]] + [(" " * ind + line if line and not line.startswith("# ") else line)
                         for line in lines[1:]]


def mutate(r, s):
    """One random insertion, deletion or replacement of a character YAML cares about."""
    if not s:
        return s
    i = r.randrange(len(s))
    ins = pick(r, list(" \t\n:#-?[]{},'\"!&*|>%@`\\") +
               ["\r", "\u00a0", "\ufeff", "\u2028", "\x00", "\x1b", "\x7f", "\u0085", "\ud7ff",
                "\ue000", "\ufffe"])
    k = r.random()
    if k < 0.5:
        return s[:i] + ins + s[i:]
    if k < 0.8:
        return s[:i] + s[i + 1:]
    return s[:i] + ins + s[i + 1:]


def value(r, src):
    """One mapRoles or mapUsers value: a list of 1 to 4 entries, as text."""
    anchors = []
    ind = pick(r, [0, 0, 0, 2])
    dash = pick(r, ["- "] * 8 + ["-   ", "-\t", "-\n" + " " * (ind + 2)])
    out = []
    for _ in range(pick(r, [1, 1, 2, 2, 3, 4])):
        e = entry(r, src, ind + (len(dash) if "\n" not in dash else 2), anchors)
        out.append(" " * ind + dash + e[0] + "".join("\n" + line for line in e[1:]))
        if r.random() < 0.05:
            out.append(pick(r, ["# c", "  # c", "", "\t"]))
    body = "\n".join(out) + pick(r, ["\n"] * 6 + ["", "\n\n", "\n...\n", "\n---\n",
                                                  "\n---\n- x\n", "\n# end"])
    if r.random() < 0.05:
        body = "---\n" + body
    if r.random() < 0.03:
        body = "\ufeff" + body
    if r.random() < 0.08:
        body = body.replace("\n", pick(r, ["\r\n", "\r", "\u0085", "\u2028"]))
    if r.random() < MUT:
        body = mutate(r, body)
    if r.random() < MUT / 2:
        body = mutate(r, body)
    return body


def plain_words():
    """Every word of NAMES, plain, once as a username and once as a group, of a role whose
    entry is otherwise good: the typing rules met head on, not by chance."""
    out = []
    for w in NAMES:
        if "\n" in w or w != w.strip() or len(w) > 64:
            continue
        out.append(("mapRoles", "- rolearn: %s\n  username: %s\n  groups: [devs]\n" % (ROLES[0], w)))
        out.append(("mapUsers", "- userarn: %s\n  username: alice\n  groups:\n  - %s\n" %
                    (USERS[0], w)))
    return out


# --- the cluster's reading, through kubectl -------------------------------

def wrapped(i, v):
    """v as the value of key x of a document (a BOM or "---" kept first), with nn: i before."""
    pre, body = "", v
    if body.startswith("\ufeff"):
        pre, body = pre + "\ufeff", body[1:]
    if body.startswith("---\n"):
        pre, body = pre + "---\n", body[4:]
    head = "x:" if i is None else "nn: %d\nx:" % i
    return pre + head + (" " if body.lstrip(" ").startswith(("[", "{")) else "\n") + body


def kubectl_env(work):
    """kubectl with no kubeconfig of the caller's (--local needs none; a broken one fails it)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work}


def kubectl_batch(cases, work):
    """{i: ("json", TEXT) | ("err", WHY) | ("other", LINE)}: one kubectl run over every case."""
    d = os.path.join(work, "docs")
    os.makedirs(d)
    for i, (_, v) in enumerate(cases):
        with open(os.path.join(d, "c%05d.yaml" % i), "w", encoding="utf-8", newline="") as f:
            f.write(wrapped(i, v))
    p = subprocess.run(["kubectl", "annotate", "--local", "-o", "json", "-f", d, "x=y"],
                       capture_output=True, env=kubectl_env(work))
    got = {}
    for line in p.stderr.decode("utf-8", "replace").split("\n"):
        m = re.match(r'unable to decode "[^"]*/c(\d+)\.yaml": Object \'Kind\' is missing in '
                     r"'(.*)'$", line)
        kind = "json"
        if not m:
            m = re.match(r"error parsing [^ ]*/c(\d+)\.yaml: (.*)$", line)
            kind = "err"
        if not m:
            m = re.search(r"/c(\d+)\.yaml()", line)
            kind = "other"
        if m:
            got.setdefault(int(m.group(1)), (kind, m.group(2) or line))
    return got


def kubectl_patch(v, work):
    """The cluster's reading of one value, as a merge patch of a ConfigMap: kubectl's whole
    decode of the value alone, not the batch's error message."""
    cm = os.path.join(work, "cm.json")
    if not os.path.exists(cm):
        with open(cm, "w") as f:
            f.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}')
    patch = os.path.join(work, "patch.yaml")

    def run(text):
        with open(patch, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return subprocess.run(["kubectl", "patch", "--local", "-f", cm, "--type", "merge",
                               "--patch-file", patch, "-o", "json"], capture_output=True,
                              env=kubectl_env(work))

    w = wrapped(None, v)
    body = v[1:] if v.startswith("\ufeff") else v
    m = re.match(r"---(\r\n|[\n\r\x85\u2028\u2029])", body)
    if m:
        w = ("\ufeff" if v.startswith("\ufeff") else "") + "---" + m.group(1) + "x:" + \
            m.group(1) + body[m.end():]
    p = run(w)
    if p.returncode != 0:
        # The wrap may have made the error (a first document ended early): the raw value.
        q = run(v)
        if b"cannot unmarshal array into Go value of type unstructured.detector" in q.stderr:
            return ("rawlist", "a list")
        return ("err", p.stderr.decode("utf-8", "replace").strip())
    o = json.loads(p.stdout, object_pairs_hook=collections.OrderedDict)
    extra = set(o) - {"apiVersion", "kind", "metadata", "x"}
    if extra:
        return ("wrapbad", repr(extra))
    return ("obj", o.get("x"))


def fold(k):
    """A key as encoding/json matches a field: ASCII case, and the long s and Kelvin sign."""
    return "".join(c.lower() if c.isascii() else {"\u017f": "s", "\u212a": "k"}.get(c, c)
                   for c in k)


def cluster_entry(o, src):
    """What the cluster's Go struct holds for one decoded entry (last key wins)."""
    f = {"arn": "", "username": "", "groups": None, "sso": None}
    names = {"rolearn": "arn", "username": "username", "groups": "groups", "sso": "sso"} \
        if src == "mapRoles" else {"userarn": "arn", "username": "username", "groups": "groups"}
    for k, v in o.items():
        fk = names.get(fold(k))
        if fk in ("arn", "username") and isinstance(v, str):
            f[fk] = v
        elif fk == "groups" and (v is None or isinstance(v, list)):
            f["groups"] = None if v is None else [g if isinstance(g, str) else "" for g in v]
        elif fk == "sso" and v is not None:
            f["sso"] = v
    return f


SERIOUS = ("maps-where-cluster-fails", "maps-absent", "maps-differently", "skipped-silently",
           "maps-where-cluster-content-unknown")


def compare(i, src, e, answer, note):
    """Compare eksauth's reading e of value i (awsauth_dump's line) with the cluster's answer."""
    if e["status"] != 0:
        note("eksauth-refused-document", e.get("err", ""))
        return
    emap = {k: m for k, m in e["map"].items() if m is not None}
    dropped = e["dropped"]
    why = dropped[0]["why"] if dropped else ""
    if answer[0] == "rawlist":
        # The cluster reads a list whose content the wrap hid.
        if emap:
            note("maps-where-cluster-content-unknown", emap)
        elif dropped:
            note("refused-dropped" if dropped[0]["cluster_reads"] else "refused-dropped-imprecise",
                 why)
        else:
            note("agree-nothing-unknown", "")
        return
    if answer[0] == "err":
        if emap:
            note("maps-where-cluster-fails", (answer[1][:150], emap))
        elif dropped and dropped[0]["cluster_reads"]:
            note("message-says-cluster-reads", (answer[1][:150], why[:150]))
        else:
            note("agree-nothing", "")
        return
    if answer[0] == "json":
        try:
            top = json.loads(answer[1], object_pairs_hook=collections.OrderedDict)
        except ValueError:
            note("kubectl-answer-unread", answer[1][:200])
            return
        if set(top) - {"nn", "x"} or top.get("nn") != i:
            note("kubectl-answer-wrap-broken", answer[1][:200])  # the value ended the wrap
            return
        x = top.get("x")
    elif answer[0] == "obj":
        x = answer[1]
    else:
        note("kubectl-answer-" + answer[0], answer[1][:200])
        return
    if x is not None and not isinstance(x, list):
        if emap:
            note("maps-where-cluster-fails", ("not a list", emap))
        else:
            note("agree-nothing", "")
        return
    cmap = {}
    for it in x or []:
        if isinstance(it, dict):
            f = cluster_entry(it, src)
            if f["arn"] and f["sso"] is None:
                cmap[f["arn"].lower()] = f
            elif f["sso"] is not None:
                note("sso-entry", "")
    for k, m in emap.items():
        cm = cmap.get(k)
        if cm is None:
            note("maps-absent", (k, m))
        elif cm["username"] != m["username"] or (cm["groups"] or []) != m["groups"]:
            note("maps-differently", (k, m, cm))
        else:
            note("agree-entry", "")
    for k, cm in cmap.items():
        if k in emap:
            continue
        if cm["username"] == "" or "" in (cm["groups"] or []):
            note("cluster-empty-field", "")  # the cluster's mapper refuses it at login
        elif dropped:
            if dropped[0]["cluster_reads"] or re.search(r"the YAML tag !!|a YAML merge key", why):
                note("refused-dropped", why)
            else:
                note("refused-dropped-imprecise", (why[:200], k))
        elif e["warnings"] or e["ignored"]:
            note("refused-skipped-warned", "")
        else:
            note("skipped-silently", (k, cm))
    if not cmap and not emap:
        note("agree-nothing", "")


def main():
    dump, work, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    r = random.Random(seed)
    cases = plain_words()
    for _ in range(count):
        src = "mapRoles" if r.random() < 0.7 else "mapUsers"
        cases.append((src, value(r, src)))
    feed = b""
    for src, v in cases:
        doc = json.dumps({"kind": "ConfigMap", "data": {src: v}}).encode()
        feed += b"%d\n" % len(doc) + doc
    q = subprocess.run([dump], input=feed, capture_output=True)
    eks = [json.loads(line) for line in q.stdout.decode().split("\n") if line]
    n = failed = 0

    def ok(cond, what, detail=""):
        nonlocal n, failed
        n += 1
        failed += not cond
        print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
        for line in ([] if cond else detail.splitlines()):
            print("#   " + line)
        return cond

    if not ok(q.returncode == 0 and len(eks) == len(cases),
              "awsauth_dump read all %d values" % len(cases),
              q.stderr.decode("utf-8", "replace")[-2000:]):
        print("1..%d" % n)
        return 1
    batch = kubectl_batch(cases, work)
    counts = collections.Counter()
    examples = collections.defaultdict(list)
    patched = 0
    for i, (src, v) in enumerate(cases):
        sub = []
        compare(i, src, eks[i], batch.get(i, ("missing", "")), lambda k, d: sub.append((k, d)))
        # In doubt (a failure, an unread answer, a value whose end the wrap may change):
        # ask kubectl about the value alone.
        doubt = any(k in SERIOUS or k.startswith(("kubectl-", "message-", "refused-dropped-imp"))
                    for k, _ in sub) or not v.endswith("\n")
        if doubt:
            patched += 1
            sub = []
            compare(i, src, eks[i], kubectl_patch(v, work), lambda k, d: sub.append((k, d)))
        for k, d in sub:
            counts[k] += 1
            if len(examples[k]) < 5:
                examples[k].append((i, d))
    print("# seed %d, %d random values and %d of each word plain, %d asked again of kubectl "
          "alone" % (seed, count, len(cases) - count, patched))
    for k, c in sorted(counts.items()):
        print("# %6d %s%s" % (c, k, "  (FAILS)" if k in SERIOUS else ""))
    for k in sorted(examples):
        if k in SERIOUS or k.startswith(("kubectl-", "message-", "refused-dropped-imp")):
            print("# -- %s, e.g.:" % k)
            for i, d in examples[k][:3]:
                print("#   value %d %s\n#     %s" % (i, repr(cases[i][1])[:300], repr(d)[:300]))
    mappable = counts["agree-entry"] + counts["maps-differently"] + counts["refused-dropped"] + \
        counts["refused-skipped-warned"] + counts["skipped-silently"]
    # A reader that refused everything, with warnings, would pass the rest.
    ok(counts["agree-entry"] * 4 >= mappable and counts["agree-entry"] > 0,
       "eksauth maps as the cluster does %d of the %d entries the cluster maps" %
       (counts["agree-entry"], mappable))
    ok(not counts["maps-absent"] and not counts["maps-where-cluster-fails"] and
       not counts["maps-where-cluster-content-unknown"],
       "eksauth maps no ARN the cluster does not map")
    ok(not counts["maps-differently"], "eksauth maps no ARN to another username or groups")
    ok(not counts["skipped-silently"],
       "every entry the cluster maps and eksauth does not has a warning saying why")
    ok(len(batch) * 10 >= len(cases) * 9, "kubectl's one run answered for %d of the values" % len(batch))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
