#!/usr/bin/env python3
"""gen_hostile_tokens.py - a corpus of forged and malformed EKS tokens made
from one real token, for tests/hardening/hostile_tokens.sh.

Every rule of docs/token-rules.md ("The rules in order", eksauth's strict
extras included) is broken alone, then in pairs; plus case tricks, percent-encoding
tricks, overlong fields, NUL bytes, non-ASCII bytes and hosts that look like
STS.  Every case must be refused by the local checks: a case a reading of
the rules could accept is not in here (e.g. "%41ction" for "Action" decodes
to the same request, and STS signs the decoded form).

usage: gen_hostile_tokens.py TOKEN NOW OUTDIR
  TOKEN  a valid token (host sts.us-east-1.amazonaws.com, signed at most a
         minute before NOW, with a session token)
  NOW    the Unix time the checks will run at
writes OUTDIR/NNN (the token bytes, exactly) and OUTDIR/cases.tsv:
  NNN <TAB> name <TAB> rule|rule...   (the rules whose name may open the refusal)
"""
import base64
import datetime
import itertools
import os
import sys
from urllib.parse import quote

PREFIX = b"k8s-aws-v1."


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


class Url:
    """The token's URL as parts: scheme, authority, path, raw query pairs, fragment."""

    def __init__(self, url):
        rest = url
        self.scheme, rest = rest.split(b"://", 1)
        self.host, rest = rest.split(b"/", 1)
        rest = b"/" + rest
        self.path, query = rest.split(b"?", 1)
        self.params = [tuple(p.split(b"=", 1)) for p in query.split(b"&")]
        self.fragment = None
        self.sep = b"&"

    def copy(self):
        u = Url.__new__(Url)
        u.scheme, u.host, u.path = self.scheme, self.host, self.path
        u.params = list(self.params)
        u.fragment, u.sep = self.fragment, self.sep
        return u

    def get(self, key):
        for k, v in self.params:
            if k == key:
                return v
        return None

    def set(self, key, value):
        self.params = [(k, value if k == key else v) for k, v in self.params]

    def drop(self, key):
        self.params = [(k, v) for k, v in self.params if k != key]

    def add(self, key, value):
        self.params.append((key, value))

    def bytes(self):
        q = self.sep.join(k + b"=" + v if v is not None else k for k, v in self.params)
        s = self.scheme + b"://" + self.host + self.path + b"?" + q
        if self.fragment is not None:
            s += b"#" + self.fragment
        return s


def amz(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ").encode()


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    token = sys.argv[1].strip().encode()
    now = int(sys.argv[2])
    out = sys.argv[3]
    if not token.startswith(PREFIX):
        sys.stderr.write("gen_hostile_tokens: not a token\n")
        return 2
    body = token[len(PREFIX):]
    base = Url(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
    assert base.host == b"sts.us-east-1.amazonaws.com", base.host
    assert base.get(b"X-Amz-Security-Token") is not None, "needs a token with a session token"
    cred = base.get(b"X-Amz-Credential")
    akid, cdate, cregion, csvc, cterm = cred.split(b"%2F")

    cases = []  # (name, token bytes, rules)

    def tok(name, raw, *rules):
        cases.append((name, raw, rules))

    def url(name, u, *rules):
        tok(name, PREFIX + b64(u.bytes()), *rules)

    # ---- URL-level mutations: each breaks exactly one rule -------------------
    # name -> (function(Url) -> Url, rules); used alone and in pairs.
    def m(fn):
        def apply(u):
            u = u.copy()
            fn(u)
            return u
        return apply

    def with_date(t):
        def fn(u):
            d = amz(t)
            u.set(b"X-Amz-Date", d)
            u.set(b"X-Amz-Credential", b"%2F".join([akid, d[:8], cregion, csvc, cterm]))
        return fn

    def set_host(h):
        def fn(u):
            u.host = h
        return fn

    def set_cred(parts):
        def fn(u):
            u.set(b"X-Amz-Credential", b"%2F".join(parts))
        return fn

    M = {
        # scheme
        "scheme-http": (m(lambda u: setattr(u, "scheme", b"http")), ["url scheme"]),
        "scheme-upper": (m(lambda u: setattr(u, "scheme", b"HTTPS")), ["url scheme"]),
        "scheme-mixed": (m(lambda u: setattr(u, "scheme", b"Https")), ["url scheme"]),
        "scheme-ftp": (m(lambda u: setattr(u, "scheme", b"ftp")), ["url scheme"]),
        # authority
        "userinfo": (m(lambda u: setattr(u, "host", b"user@" + u.host)), ["url userinfo"]),
        "userinfo-pass": (m(lambda u: setattr(u, "host", b"u:p@" + u.host)), ["url userinfo", "url port"]),
        "userinfo-lookalike": (m(set_host(b"sts.us-east-1.amazonaws.com@evil.example")), ["url userinfo"]),
        "port-443": (m(lambda u: setattr(u, "host", u.host + b":443")), ["url port"]),
        "port-8443": (m(lambda u: setattr(u, "host", u.host + b":8443")), ["url port"]),
        "port-empty": (m(lambda u: setattr(u, "host", u.host + b":")), ["url port"]),
        "fragment": (m(lambda u: setattr(u, "fragment", b"x")), ["url fragment"]),
        "fragment-empty": (m(lambda u: setattr(u, "fragment", b"")), ["url fragment"]),
        # path
        "path-x": (m(lambda u: setattr(u, "path", b"/x")), ["url path"]),
        "path-empty": (m(lambda u: setattr(u, "path", b"")), ["url path"]),
        "path-double": (m(lambda u: setattr(u, "path", b"//")), ["url path"]),
        "path-encoded-slash": (m(lambda u: setattr(u, "path", b"/%2F")), ["url path"]),
        "path-dot": (m(lambda u: setattr(u, "path", b"/./")), ["url path"]),
        # hosts that look like STS, and hosts that are not
        "host-suffix": (m(set_host(b"sts.us-east-1.amazonaws.com.evil.example")), ["host", "region"]),
        "host-evil": (m(set_host(b"evil.example")), ["host", "region"]),
        "host-trailing-dot": (m(set_host(b"sts.us-east-1.amazonaws.com.")), ["host"]),
        "host-upper": (m(set_host(b"STS.US-EAST-1.AMAZONAWS.COM")), ["host"]),
        "host-mixed": (m(set_host(b"sts.us-east-1.AmazonAWS.com")), ["host"]),
        "host-co": (m(set_host(b"sts.us-east-1.amazonaws.co")), ["host"]),
        "host-cn-in-aws": (m(set_host(b"sts.cn-north-1.amazonaws.com.cn")), ["host", "credential"]),
        "host-dash": (m(set_host(b"sts-us-east-1.amazonaws.com")), ["host", "region"]),
        "host-nodot": (m(set_host(b"stsus-east-1amazonaws.com")), ["host", "region"]),
        "host-ip": (m(set_host(b"127.0.0.1")), ["host", "url host", "region"]),
        "host-ipv6": (m(set_host(b"[::1]")), ["url host"]),
        "host-empty": (m(set_host(b"")), ["url host"]),
        "host-double-dot": (m(set_host(b"sts..us-east-1.amazonaws.com")), ["host", "region"]),
        "host-vpce-unconfigured": (m(set_host(b"vpce-0a1b.sts.us-east-1.vpce.amazonaws.com")), ["host", "region"]),
        # a FIPS name the SDK never makes in aws: us-gov-west-1 is GovCloud's region
        "host-fips-gov-in-aws": (m(set_host(b"sts-fips.us-gov-west-1.amazonaws.com")), ["region"]),
        "host-cn-region-in-aws": (m(set_host(b"sts.cn-north-1.amazonaws.com")), ["region"]),
        "host-cyrillic-s": (m(set_host("ѕts.us-east-1.amazonaws.com".encode())), ["url host"]),
        "host-fullwidth-dot": (m(set_host("sts.us-east-1.amazonaws\uff0ecom".encode())), ["url host"]),
        "host-idn": (m(set_host(b"xn--sts-9na.us-east-1.amazonaws.com")), ["host"]),
        "host-percent": (m(set_host(b"sts.us-east-1.amazonaws.com%2eevil.example")), ["url host"]),
        "host-backslash": (m(set_host(b"sts.us-east-1.amazonaws.com\\@evil.example")), ["url host", "url userinfo"]),
        "host-nul": (m(set_host(b"sts.us-east-1.amazonaws.com\x00.evil.example")), ["url host"]),
        "host-tab": (m(set_host(b"sts.us-east-1.amazonaws.com\t")), ["url host"]),
        "host-overlong": (m(set_host(b"a" * 250 + b".sts.us-east-1.amazonaws.com")), ["url host", "host", "region"]),
        "host-region-other": (m(set_host(b"sts.us-west-2.amazonaws.com")), ["credential"]),
        "host-region-shape": (m(set_host(b"sts.evil.amazonaws.com")), ["region", "host"]),
        # query syntax and percent-encoding tricks
        "query-bad-escape": (m(lambda u: u.set(b"Version", b"%zz")), ["url query"]),
        "query-trailing-percent": (m(lambda u: u.set(b"X-Amz-Expires", b"60%")), ["url query"]),
        "query-semicolon": (m(lambda u: setattr(u, "sep", b";")), ["url query"]),
        "query-space": (m(lambda u: u.set(b"Version", b"2011-06-15 ")), ["url query"]),
        "query-nul-escaped": (m(lambda u: u.set(b"Action", b"GetCallerIdentity%00")), ["url query"]),
        "query-nul-raw": (m(lambda u: u.set(b"Action", b"GetCallerIdentity\x00")), ["url query"]),
        "query-newline-escaped": (m(lambda u: u.set(b"Action", b"GetCallerIdentity%0A")), ["url query"]),
        "query-non-ascii-raw": (m(lambda u: u.set(b"Version", "2011-06-15é".encode())), ["url query"]),
        "query-non-ascii-escaped": (m(lambda u: u.set(b"Version", b"2011-06-15%C3%A9")), ["url query"]),
        "query-double-encoded-key": (m(lambda u: u.add(b"%2541ction", b"x")), ["unknown parameter"]),
        "query-encoded-amp": (m(lambda u: u.set(b"Action", b"GetCallerIdentity%26Foo%3Dbar")), ["action"]),
        "query-plus-space": (m(lambda u: u.set(b"Action", b"GetCallerIdentity+")), ["action"]),
        "query-too-many": (m(lambda u: [u.add(b"X-Amz-Foo%d" % i, b"1") for i in range(10)]),
                           ["url query", "unknown parameter"]),
        # CVE-2022-2385: case duplicates
        "dup-credential-lower": (m(lambda u: u.add(b"x-amz-credential", b"%2F".join([b"AKIAEVILEVILEVIL0000", cdate, cregion, csvc, cterm]))),
                                 ["duplicate parameter"]),
        "dup-date-lower": (m(lambda u: u.add(b"x-amz-date", u.get(b"X-Amz-Date"))), ["duplicate parameter"]),
        "dup-action-upper": (m(lambda u: u.add(b"ACTION", b"GetCallerIdentity")), ["duplicate parameter"]),
        "dup-signedheaders": (m(lambda u: u.add(b"X-AMZ-SIGNEDHEADERS", b"host")), ["duplicate parameter"]),
        "dup-expires-mixed": (m(lambda u: u.add(b"x-Amz-Expires", b"900")), ["duplicate parameter"]),
        # unknown and repeated parameters
        "unknown-foo": (m(lambda u: u.add(b"Foo", b"bar")), ["unknown parameter"]),
        "unknown-amz": (m(lambda u: u.add(b"X-Amz-Foo", b"1")), ["unknown parameter"]),
        "unknown-noval": (m(lambda u: u.add(b"Policy", None)), ["unknown parameter"]),
        "unknown-long-key": (m(lambda u: u.add(b"K" * 1500, b"v")), ["unknown parameter"]),
        "repeat-action": (m(lambda u: u.add(b"Action", b"GetCallerIdentity")), ["repeated parameter"]),
        "repeat-date": (m(lambda u: u.add(b"X-Amz-Date", amz(now))), ["repeated parameter"]),
        "repeat-signature": (m(lambda u: u.add(b"X-Amz-Signature", b"0" * 64)), ["repeated parameter"]),
        "repeat-encoded-key": (m(lambda u: u.add(b"%41ction", b"GetCallerIdentity")), ["repeated parameter"]),
        # Action, Version, Algorithm
        "action-other": (m(lambda u: u.set(b"Action", b"AssumeRole")), ["action"]),
        "action-lower": (m(lambda u: u.set(b"Action", b"getcalleridentity")), ["action"]),
        "action-suffix": (m(lambda u: u.set(b"Action", b"GetCallerIdentity2")), ["action"]),
        "action-empty": (m(lambda u: u.set(b"Action", b"")), ["action"]),
        "action-missing": (m(lambda u: u.drop(b"Action")), ["action"]),
        "version-missing": (m(lambda u: u.drop(b"Version")), ["version"]),
        "version-other": (m(lambda u: u.set(b"Version", b"2011-06-16")), ["version"]),
        "algorithm-missing": (m(lambda u: u.drop(b"X-Amz-Algorithm")), ["algorithm"]),
        "algorithm-sha512": (m(lambda u: u.set(b"X-Amz-Algorithm", b"AWS4-HMAC-SHA512")), ["algorithm"]),
        "algorithm-lower": (m(lambda u: u.set(b"X-Amz-Algorithm", b"aws4-hmac-sha256")), ["algorithm"]),
        # credential scope
        "cred-missing": (m(lambda u: u.drop(b"X-Amz-Credential")), ["credential"]),
        "cred-4-parts": (m(set_cred([akid, cdate, cregion, csvc])), ["credential"]),
        "cred-6-parts": (m(set_cred([akid, cdate, cregion, csvc, cterm, b"x"])), ["credential"]),
        "cred-akid-short": (m(set_cred([akid[:10], cdate, cregion, csvc, cterm])), ["credential"]),
        "cred-akid-lower": (m(set_cred([akid.lower(), cdate, cregion, csvc, cterm])), ["credential"]),
        "cred-akid-prefix": (m(set_cred([b"ABIA" + akid[4:], cdate, cregion, csvc, cterm])), ["credential"]),
        "cred-akid-overlong": (m(set_cred([akid + b"X" * 200, cdate, cregion, csvc, cterm])), ["credential"]),
        "cred-date-other": (m(set_cred([akid, b"20200101", cregion, csvc, cterm])), ["credential"]),
        "cred-region-other": (m(set_cred([akid, cdate, b"us-west-2", csvc, cterm])), ["credential"]),
        "cred-service-s3": (m(set_cred([akid, cdate, cregion, b"s3", cterm])), ["credential"]),
        "cred-terminator": (m(set_cred([akid, cdate, cregion, csvc, b"aws4_requestx"])), ["credential"]),
        "cred-raw-slashes": (m(lambda u: u.set(b"X-Amz-Credential", cred.replace(b"%2F", b"/") + b"/x")), ["credential"]),
        "session-token-empty": (m(lambda u: u.set(b"X-Amz-Security-Token", b"")), ["credential"]),
        # signed headers
        "sh-missing": (m(lambda u: u.drop(b"X-Amz-SignedHeaders")), ["signed headers"]),
        "sh-host-only": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"host")), ["signed headers"]),
        "sh-cluster-only": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"x-k8s-aws-id")), ["signed headers"]),
        "sh-lookalike": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"host%3Bx-k8s-aws-idx")), ["signed headers"]),
        "sh-empty": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"")), ["signed headers"]),
        "sh-empty-name": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"host%3B%3Bx-k8s-aws-id")), ["signed headers"]),
        "sh-overlong": (m(lambda u: u.set(b"X-Amz-SignedHeaders", b"host%3Bx-k8s-aws-id" + b"%3Bh" * 200)), ["signed headers"]),
        # signature
        "sig-missing": (m(lambda u: u.drop(b"X-Amz-Signature")), ["signature"]),
        "sig-63": (m(lambda u: u.set(b"X-Amz-Signature", u.get(b"X-Amz-Signature")[:63])), ["signature"]),
        "sig-65": (m(lambda u: u.set(b"X-Amz-Signature", u.get(b"X-Amz-Signature") + b"0")), ["signature"]),
        "sig-upper": (m(lambda u: u.set(b"X-Amz-Signature", u.get(b"X-Amz-Signature").upper())), ["signature"]),
        "sig-non-hex": (m(lambda u: u.set(b"X-Amz-Signature", b"g" + u.get(b"X-Amz-Signature")[1:])), ["signature"]),
        "sig-empty": (m(lambda u: u.set(b"X-Amz-Signature", b"")), ["signature"]),
        # expires
        "expires-missing": (m(lambda u: u.drop(b"X-Amz-Expires")), ["expires"]),
        "expires-901": (m(lambda u: u.set(b"X-Amz-Expires", b"901")), ["expires"]),
        "expires-negative": (m(lambda u: u.set(b"X-Amz-Expires", b"-1")), ["expires"]),
        "expires-plus": (m(lambda u: u.set(b"X-Amz-Expires", b"%2B60")), ["expires"]),
        "expires-exp": (m(lambda u: u.set(b"X-Amz-Expires", b"6e1")), ["expires"]),
        "expires-empty": (m(lambda u: u.set(b"X-Amz-Expires", b"")), ["expires"]),
        "expires-overflow": (m(lambda u: u.set(b"X-Amz-Expires", b"9" * 40)), ["expires"]),
        # date and the window
        "date-missing": (m(lambda u: u.drop(b"X-Amz-Date")), ["date"]),
        "date-iso": (m(lambda u: u.set(b"X-Amz-Date", b"2026-01-01T00%3A00%3A00Z")), ["date"]),
        "date-month-13": (m(lambda u: u.set(b"X-Amz-Date", amz(now)[:4] + b"13" + amz(now)[6:])), ["date", "credential"]),
        "date-feb-30": (m(lambda u: u.set(b"X-Amz-Date", amz(now)[:4] + b"0230" + amz(now)[8:])), ["date", "credential"]),
        "date-fraction": (m(lambda u: u.set(b"X-Amz-Date", amz(now)[:-1] + b".5Z")), ["date"]),
        "date-no-z": (m(lambda u: u.set(b"X-Amz-Date", amz(now)[:-1])), ["date"]),
        "date-expired": (m(with_date(now - 901)), ["expired"]),
        "date-expired-long": (m(with_date(now - 86400 * 365)), ["expired"]),
        "date-future": (m(with_date(now + 1800)), ["future date"]),
        "date-far-future": (m(with_date(now + 86400 * 3650)), ["future date"]),
    }

    for name, (fn, rules) in M.items():
        url("single-" + name, fn(base), *rules)

    # ---- token-level: prefix, base64, length ----------------------------------
    good = token
    tok("prefix-v2", b"k8s-aws-v2." + body, "prefix")
    tok("prefix-upper", b"K8S-AWS-V1." + body, "prefix")
    tok("prefix-no-dot", b"k8s-aws-v1" + body, "prefix")
    tok("prefix-missing", body, "prefix")
    tok("prefix-twice", PREFIX + good, "base64")
    tok("prefix-only", PREFIX, "base64", "url scheme")
    tok("empty", b"", "prefix")
    tok("b64-padding", good + b"=" * ((-len(body)) % 4 or 2), "base64")
    if b"-" in body or b"_" in body:
        # The standard alphabet: the same bytes, '+' and '/' for '-' and '_'.
        tok("b64-std-alphabet", PREFIX + body.replace(b"-", b"+").replace(b"_", b"/"), "base64")
    tok("b64-crlf", good[:200] + b"\r\n" + good[200:], "base64")
    tok("b64-lf", good[:300] + b"\n" + good[300:], "base64")
    tok("b64-space", good[:400] + b" " + good[400:], "base64")
    tok("b64-nul", good[:100] + b"\x00" + good[100:], "base64")
    tok("b64-nul-end", good + b"\x00", "base64")
    tok("b64-non-ascii", good[:150] + "é".encode() + good[150:], "base64")
    tok("b64-dot", good[:250] + b"." + good[250:], "base64")
    tok("b64-len-1-mod-4", good + b"A" if len(body) % 4 == 0 else good + b"AAAAA"[: (1 - len(body)) % 4 or 4],
        "base64")
    # Non-canonical trailing bits: change the last character so its unused low bits are set.
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if len(body) % 4 in (2, 3):
        last = alphabet.index(body[-1:])
        bits = 4 if len(body) % 4 == 2 else 2
        if last % (1 << bits) == 0:
            tok("b64-loose-bits", PREFIX + body[:-1] + alphabet[last + 1:last + 2], "base64")
    long_st = base.copy()
    long_st.set(b"X-Amz-Security-Token", long_st.get(b"X-Amz-Security-Token") + b"A" * 3000)
    tok("length-4097", (PREFIX + b64(long_st.bytes()))[:4097], "length")
    tok("length-huge", PREFIX + b64(long_st.bytes()) + b"A" * 400, "length")
    tok("control-bytes", PREFIX + b64(b"https://sts.us-east-1.amazonaws.com/?\x01\x02\x1b[31m"), "url query")
    tok("decoded-garbage", PREFIX + b64(bytes(range(256))), "url scheme")
    tok("decoded-empty-url", PREFIX + b64(b"https://"), "url host", "url path")

    # ---- pairs: two rules broken at once (from different groups) ---------------
    def group(name):
        return name.split("-")[0]

    pair_pool = [
        "scheme-http", "userinfo", "host-suffix", "query-semicolon", "dup-credential-lower",
        "unknown-foo", "repeat-action", "action-other", "cred-service-s3", "sh-host-only",
        "sig-upper", "expires-901", "date-expired",
    ]
    for a, b in itertools.combinations(pair_pool, 2):
        if group(a) == group(b):
            continue
        fa, ra = M[a]
        fb, rb = M[b]
        url("pair-%s+%s" % (a, b), fb(fa(base)), *(ra + rb))

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases.tsv"), "w") as idx:
        for i, (name, raw, rules) in enumerate(cases):
            fn = "%03d" % i
            with open(os.path.join(out, fn), "wb") as f:
                f.write(raw)
            idx.write("%s\t%s\t%s\n" % (fn, name, "|".join(rules)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
