#!/usr/bin/env python3
"""scan_secrets.py - search captured logs and outputs for secrets.

usage: scan_secrets.py [--creds FILE.json]... [--tokens DIR]... [--string S]...
                       [--generic] [--name GLOB]... PATH...

  --creds FILE   a credentials table as tests/fixtures/sts/creds.json:
                 every "secret" and "session_token" is a secret
  --tokens DIR   every file of DIR whose content starts with "k8s-aws-v1."
                 is a token: the token, every 24-byte window of its body, its
                 X-Amz-Signature and its X-Amz-Security-Token are secrets
  --string S     one more secret
  --generic      also flag what only a leaked token or presigned URL holds,
                 whoever minted it: "k8s-aws-v1.aHR0cHM6" (the start of
                 every token), "X-Amz-Signature=", "X-Amz-Security-Token="
  --name GLOB    only files whose name matches (default: every file)
  PATH           files, or folders searched recursively

Each secret is also searched URL-encoded and JSON-escaped.  Prints one line
per hit (file, what, offset; never the secret itself) and a summary.
Exit 0 when nothing is found, 1 when something is, 2 on usage errors.
"""
import base64
import fnmatch
import json
import os
import sys
from urllib.parse import parse_qsl, quote, urlsplit

GENERIC = [b"k8s-aws-v1.aHR0cHM6", b"X-Amz-Signature=", b"X-Amz-Security-Token="]
MIN_LEN = 16  # shorter strings would match by chance


def variants(s):
    out = {s}
    out.add(quote(s, safe="").encode() if isinstance(s, str) else s)
    if isinstance(s, str):
        out.add(s.encode())
        out.add(s.replace("/", "\\/").encode())
    return {v if isinstance(v, bytes) else v.encode() for v in out}


def token_secrets(tok):
    found = [("token", tok)]
    body = tok[len("k8s-aws-v1."):]
    for i in range(0, max(len(body) - 24, 0), 12):
        found.append(("token bytes", body[i:i + 24]))
    try:
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii", "replace")
        q = dict(parse_qsl(urlsplit(url).query))
        if q.get("X-Amz-Signature"):
            found.append(("signature", q["X-Amz-Signature"]))
        if q.get("X-Amz-Security-Token"):
            found.append(("session token", q["X-Amz-Security-Token"]))
    except Exception:
        pass
    return found


def main(argv):
    secrets = []  # (what, bytes)
    generic = False
    names = []
    paths = []
    i = 0
    try:
        while i < len(argv):
            a = argv[i]
            if a == "--creds":
                for akid, c in json.load(open(argv[i + 1])).items():
                    for field in ("secret", "session_token"):
                        if c.get(field):
                            secrets.append(("%s of %s" % (field, akid), c[field]))
                i += 2
            elif a == "--tokens":
                d = argv[i + 1]
                for n in sorted(os.listdir(d)):
                    p = os.path.join(d, n)
                    if os.path.isfile(p):
                        t = open(p, errors="replace").read().strip()
                        if t.startswith("k8s-aws-v1."):
                            secrets += [("%s of token %s" % (w, n), s) for w, s in token_secrets(t)]
                i += 2
            elif a == "--string":
                secrets.append(("string", argv[i + 1]))
                i += 2
            elif a == "--generic":
                generic = True
                i += 1
            elif a == "--name":
                names.append(argv[i + 1])
                i += 2
            else:
                paths.append(a)
                i += 1
    except (IndexError, OSError, ValueError) as e:
        sys.stderr.write("scan_secrets: %s\n%s" % (e, __doc__))
        return 2
    if not paths:
        sys.stderr.write(__doc__)
        return 2

    needles = []
    for what, s in secrets:
        if len(s) < MIN_LEN:
            continue
        for v in variants(s):
            needles.append((what, v))
    if generic:
        needles += [("generic %s" % g.decode(), g) for g in GENERIC]

    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, fs in os.walk(p):
                files += [os.path.join(root, f) for f in fs]
        elif os.path.isfile(p):
            files.append(p)
    if names:
        files = [f for f in files if any(fnmatch.fnmatch(os.path.basename(f), g) for g in names)]

    hits = 0
    for f in sorted(files):
        try:
            data = open(f, "rb").read()
        except OSError:
            continue
        for what, n in needles:
            at = data.find(n)
            if at >= 0:
                hits += 1
                print("%s: %s at offset %d" % (f, what, at))
    print("scan_secrets: %d files, %d secrets, %d hits" % (len(files), len(needles), hits))
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
