#!/usr/bin/env python3
"""fake_kube.py - a local stand-in for an EKS cluster's Kubernetes API server, for tests.

HTTPS on 127.0.0.1 (certificate from tests/lib/mkcerts.sh).  It serves the one
ConfigMap kube-system/aws-auth, read from a YAML file (--configmap) that the test
edits; every change of the file is a new resourceVersion and a MODIFIED event.  As
in a real cluster the resourceVersion is the whole store's: --churn N writes of other
objects per second move it on while aws-auth stays as it is.

Authentication is done as EKS does it: the bearer token (k8s-aws-v1.<base64url URL>)
is decoded, its URL checked as aws-iam-authenticator checks it (token_url_ok: an STS
host, path /, only the allowed keys, none twice, Action, X-Amz-Expires 0..900,
x-k8s-aws-id signed; else 401), and its presigned GetCallerIdentity URL is sent to STS (the STS stand-in,
tests/lib/fake_sts.py, reached at --sts-addr with the token's Host, SNI and the test
CA) with "x-k8s-aws-id: <--cluster-id>"; the ARN STS answers is canonicalised and
mapped through the served aws-auth (mapRoles, mapUsers; a value that does not parse
is dropped, as the cluster drops it; {{SessionName}} in a username is rendered).  No
answer, a refusal or no mapping: 401.  With --entries (the EKS stand-in's access
entries, tests/lib/fake_eks.py's file), a principal with an access entry is mapped by
it (its username, else the ARN, and its kubernetesGroups; a role's entry matches
whatever its path), before aws-auth, as an API_AND_CONFIG_MAP cluster maps it.  As the API server's webhook authenticator, an
answer is cached for the token for 120 s (--authentication-token-webhook-cache-ttl).
Authorisation (RBAC): the mapped groups must hold one of --reader-group (default
eksauth:aws-auth-readers) or system:masters, else 403; a list or watch must name
aws-auth with the field selector (resourceNames).

  GET /api/v1/namespaces/kube-system/configmaps/aws-auth
  GET /api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Daws-auth
      [&resourceVersion=RV&resourceVersionMatch=NotOlderThan]
      a ConfigMapList with the store's resourceVersion, its item without kind and
      apiVersion (a watch's objects have them), as the API server; RV newer than the store's:
      504 "Too large resource version"
  GET /api/v1/namespaces/kube-system/configmaps?watch=1&fieldSelector=metadata.name%3Daws-auth
      &resourceVersion=RV&timeoutSeconds=N   (chunked stream of JSON lines; a
      resourceVersion older than the compaction floor gives an ERROR event, code 410)
  POST /apis/authentication.k8s.io/v1/selfsubjectreviews   (kubectl auth whoami; also
      v1beta1; --review-versions lists the versions served, the others are 404 as on an
      older API server) -> 201 with status.userInfo as aws-iam-authenticator makes it:
      the username and groups with their templates filled in ({{AccountID}},
      {{SessionName}} with '@' as '-', {{SessionNameRaw}}, {{AccessKeyID}}),
      "system:authenticated" added, uid "aws-iam-authenticator:ACCOUNT:PRINCIPALID" and
      extra (arn, canonicalArn, sessionName raw, accessKeyId, principalId and
      sigs.k8s.io/aws-iam-authenticator/principalId; PRINCIPALID is an assumed role's
      UserId before its ':', a user's, the root's or a federated user's UserId whole; an
      assumed role whose UserId has not exactly one ':' is 401).  Every authenticated
      user may ask (system:basic-user); a body that is not a SelfSubjectReview of that
      version is 400.
  (the watch: &allowWatchBookmarks=true asks for a BOOKMARK with the store's version
      every --bookmark-interval seconds)

Rate limit (--rate R --burst B, as API Priority and Fairness turns a host away when
its share is spent): a token bucket over every request, list, get and the start of a
watch; a request over it is answered 429 TooManyRequests with Retry-After: 1 before
it is authenticated.  Restarts: --state FILE keeps the store's version across
restarts; a server that starts has no history (every version before its start is
gone: a watch from one gets 410, as from a restarted API server's new watch cache)
and, with --warmup S, answers 429 with Retry-After: 1 for S seconds while its cache
fills.  --history-window S compacts as etcd does: a version older than S seconds is
gone (a watch resumed from it gets 410, so a client that never hears a bookmark must
list again after a long quiet drop).

Faults, from the JSON --control file (re-read at every request and every 50 ms):
{"fault": NAME}
  none | 500 | down (close without answering) | drop-watch (close watch streams after
  the first event or 0.5 s) | drop-all (once per change of the file: every open watch
  stream breaks off at once, as when a load balancer restarts) | compact (once per change of the file: open streams end
  and every version so far is compacted away: a watch from an older version gets an
  ERROR event with code 410; a watch without resourceVersion gets the current state as
  ADDED, then changes) | half-line (a watch stream that runs its course ends well
  with the first half of a bookmark's line before its final chunk, as a proxy that
  cut the stream between chunks and closed it well would) | watch-404 (a watch is
  answered 404 NotFound, as a server without the path would; lists still answer)
A path the server does not serve (a wrong prefix in cluster_endpoint) is 404 NotFound.
Every request is logged as a JSON line (t, kind, path, query, user, arn, status) to
--log.  --served FILE: the resourceVersion and the SHA-256 of the --configmap file
it serves, "RV HEX", rewritten at each new version (a test that edits the file waits
until the stand-in serves its edit instead of sleeping).
"""
import base64
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
from urllib.parse import parse_qs, parse_qsl, urlsplit

import yaml

from fake_server import FleetHandler, arguments, serve, write_atomic

CM_PATH = "/api/v1/namespaces/kube-system/configmaps"
SELECTOR = "metadata.name=aws-auth"
TOKEN_CACHE_TTL = 120.0


class State:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Condition()
        self.log_lock = threading.Lock()
        self.rv = 1000
        if a.state:
            try:
                self.rv = int(open(a.state).read().strip()) + 1
            except (OSError, ValueError):
                pass
        # A server that starts has no history: every version before now is gone.
        self.floor = self.rv
        self.started = time.monotonic()
        self.generation = 0  # moves when open streams must end (compaction)
        self.drops = 0  # moves when open streams must break off (drop-all)
        self.history = []  # (rv, type, object)
        self.obj = None
        self.mtime = None
        self.raw = None
        self.ctl = {}
        self.ctl_raw = None
        self.tokens = float(a.burst)
        self.bucket_t = time.monotonic()
        self.auth_cache = {}  # token -> (expires, who)
        self.churn_due = time.monotonic()
        self.samples = []  # (monotonic time, store version): what --history-window keeps
        self.load()
        self.save_rv()
        threading.Thread(target=self.poll, daemon=True).start()

    def save_rv(self):
        if self.a.state:
            with open(self.a.state + ".tmp", "w") as f:
                f.write(str(self.rv))
            os.rename(self.a.state + ".tmp", self.a.state)

    def load(self):
        try:
            raw = open(self.a.configmap, "rb").read()
        except FileNotFoundError:
            raw = None
        if raw is not None:
            yaml.safe_load(raw)  # refuse a broken file before it becomes a version
        with self.lock:
            if raw == self.raw:
                return
            self.rv += 1
            etype = "MODIFIED" if self.raw is not None else "ADDED"
            self.raw = raw
            if raw is None:
                etype = "DELETED"
                obj = dict(self.obj or {})
                obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
                self.obj = None
            else:
                doc = yaml.safe_load(raw)
                obj = {
                    "kind": "ConfigMap",
                    "apiVersion": "v1",
                    "metadata": {
                        "name": "aws-auth",
                        "namespace": "kube-system",
                        "uid": "0a1b2c3d-0000-4000-8000-aws-auth0001",
                        "resourceVersion": str(self.rv),
                        "creationTimestamp": "2026-11-01T00:00:00Z",
                    },
                    "data": doc.get("data", {}),
                }
                self.obj = obj
            self.history.append((self.rv, etype, json.loads(json.dumps(obj))))
            self.lock.notify_all()
            served = "%d %s\n" % (self.rv, hashlib.sha256(raw or b"").hexdigest())
        self.save_rv()
        if self.a.served:
            write_atomic(self.a.served, served)

    def read_control(self):
        # Read under the lock: a request's thread and the poll thread both read the
        # file, and a read from before a change applied after a newer one would make
        # the change happen twice (two compactions for one "compact").
        with self.lock:
            try:
                with open(self.a.control) as f:
                    raw = f.read()
            except (OSError, TypeError):
                raw = ""
            try:
                ctl = json.loads(raw) if raw else {}
            except ValueError:
                ctl = {}
            if raw == self.ctl_raw:
                return
            self.ctl_raw = raw
            self.ctl = ctl
            if ctl.get("fault") == "compact":
                # Compaction: every version up to now is gone; open streams end.
                self.rv += 1
                self.floor = self.rv
                self.generation += 1
            if ctl.get("fault") == "drop-all":
                self.drops += 1
            self.lock.notify_all()

    def poll(self):
        while True:
            time.sleep(0.05)
            try:
                self.load()
            except Exception as e:  # a half-written or bad file: keep serving the last one
                print("fake_kube: %s: %s" % (self.a.configmap, e), file=sys.stderr)
            if self.a.control:
                self.read_control()
            now = time.monotonic()
            if self.a.churn > 0:
                # Other objects change: the store's version moves, aws-auth's does not.
                n = int((now - self.churn_due) * self.a.churn)
                if n > 0:
                    with self.lock:
                        self.rv += n
                    self.churn_due += n / self.a.churn
                    self.save_rv()
            if self.a.history_window > 0:
                # Compaction as etcd does it: versions older than the window are gone.
                with self.lock:
                    self.samples.append((now, self.rv))
                    while len(self.samples) > 1 and self.samples[1][0] < now - self.a.history_window:
                        self.samples.pop(0)
                    if self.samples[0][0] < now - self.a.history_window:
                        self.floor = max(self.floor, self.samples[0][1])
                    self.history = [h for h in self.history if h[0] > self.floor] or self.history[-1:]

    def fault(self):
        # Read at every request too: a test that writes the file and calls at once is heard.
        if self.a.control:
            self.read_control()
        with self.lock:
            return self.ctl.get("fault", "none")

    def admit(self):
        """A token of the bucket for one request, or the seconds to wait for one."""
        if self.a.rate <= 0:
            return 0
        with self.lock:
            now = time.monotonic()
            self.tokens = min(float(self.a.burst), self.tokens + (now - self.bucket_t) * self.a.rate)
            self.bucket_t = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0
            return (1 - self.tokens) / self.a.rate

    def log(self, rec):
        if self.a.log:
            rec["t"] = round(time.time(), 3)
            line = json.dumps(rec) + "\n"
            with self.log_lock, open(self.a.log, "a") as f:
                f.write(line)


class StsConn(http.client.HTTPSConnection):
    """HTTPS to the STS stand-in's address, with the token's host for Host, SNI and the cert."""

    def __init__(self, host, addr, ctx):
        super().__init__(host, 443, context=ctx, timeout=5)
        self._addr = addr

    def connect(self):
        sock = socket.create_connection(self._addr, timeout=5)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def principal(arn, user_id):
    """(canonical ARN, principal id, session name) of an STS answer as aws-iam-authenticator
    takes it (pkg/arn Canonicalize, pkg/token getIdentityFromSTSResponse), or None where it
    refuses the answer: an assumed role is its role's ARN, and its UserId splits at the one
    ':' into the role's id and the session name, raw; a user's, the root's or a federated
    user's UserId is the principal id whole ("ACCOUNT:Name" for a federated user, whose
    account alone would name the root) with no session name."""
    if not isinstance(arn, str) or not isinstance(user_id, str):
        return None
    p = arn.split(":", 5)
    if len(p) != 6 or p[0] != "arn" or not p[5]:
        return None
    kind = (p[2], p[5].split("/")[0])
    if kind in (("sts", "federated-user"), ("iam", "user"), ("iam", "root")):
        return arn, user_id, ""
    if kind == ("sts", "assumed-role"):
        parts = p[5].split("/")
        if len(parts) < 3:
            return None
        arn_c = "arn:%s:iam::%s:role/%s" % (p[1], p[4], "/".join(parts[1:-1]))
    elif kind == ("iam", "role"):
        arn_c = arn
    else:
        return None
    ids = user_id.split(":")
    return (arn_c, ids[0], ids[1]) if len(ids) == 2 else None


# What aws-iam-authenticator's token Verify refuses before it asks STS (docs/token-rules.md,
# "The rules in order"), so no token the cluster turns away passes here: the keys it
# allows (compared in lower case), an STS host as the SDK names it (the global host, or
# sts or sts-fips, a region label, a partition's domain or dual-stack domain; exact, no
# port), the path "/", Action, X-Amz-Expires 0 to 900 and x-k8s-aws-id signed.
TOKEN_KEYS = {"action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
              "x-amz-expires", "x-amz-security-token", "x-amz-signature",
              "x-amz-signedheaders"}
STS_HOST = re.compile(r"sts\.amazonaws\.com|sts(-fips)?\.[a-z0-9-]+\.(amazonaws\.com"
                      r"|api\.aws|amazonaws\.com\.cn|api\.amazonwebservices\.com\.cn"
                      r"|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov"
                      r"|amazonaws\.eu)")


def token_url_ok(u):
    if u.scheme != "https" or not STS_HOST.fullmatch(u.netloc) or u.path != "/":
        return False
    if ";" in u.query:  # Go's query parser: an error
        return False
    try:
        pairs = parse_qsl(u.query, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        return False
    keys = [k.lower() for k, _ in pairs]
    if len(set(keys)) != len(keys) or not set(keys) <= TOKEN_KEYS:
        return False  # a key twice (in any case) or one not allowed
    q = {k.lower(): v for k, v in pairs}
    if q.get("action") != "GetCallerIdentity":
        return False
    if not re.fullmatch(r"[+-]?[0-9]+", q.get("x-amz-expires", "")) or \
            not 0 <= int(q["x-amz-expires"]) <= 900:
        return False
    return any(h.lower() == "x-k8s-aws-id" for h in q.get("x-amz-signedheaders", "").split(";"))


class Handler(FleetHandler):
    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode() + b"\n"  # the API server's encoder ends each with one
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, message, headers=()):
        self.send_json(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure", "message": message, "reason": reason,
                              "code": code}, headers)

    def ask_sts(self, auth):
        """(GetCallerIdentityResult, access key id) for the bearer token, via STS, or None."""
        st = self.server.state
        b64 = auth[len("Bearer k8s-aws-v1."):]
        try:
            url = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode()
        except Exception:
            return None
        u = urlsplit(url)
        if not token_url_ok(u):
            return None
        ctx = ssl.create_default_context(cafile=st.a.ca)
        host, port = st.a.sts_addr.rsplit(":", 1)
        conn = StsConn(u.hostname, (host, int(port)), ctx)
        try:
            conn.request("GET", u.path + "?" + u.query,
                         headers={"x-k8s-aws-id": st.a.cluster_id, "Accept": "application/json"})
            r = conn.getresponse()
            body = r.read()
        except OSError:
            return None
        finally:
            conn.close()
        if r.status != 200:
            return None
        res = json.loads(body)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        akid = parse_qs(u.query).get("X-Amz-Credential", [""])[0].split("/")[0]
        return res, akid

    def authenticate(self):
        """(user, groups, identity) or None, the way aws-iam-authenticator does it, via STS
        (the user and groups as aws-auth writes them: render() fills their templates)."""
        st = self.server.state
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer k8s-aws-v1."):
            return None
        now = time.monotonic()
        with st.lock:
            hit = st.auth_cache.get(auth)
        if hit is not None and hit[0] > now:
            res, akid = hit[1]
        else:
            answer = self.ask_sts(auth)
            if answer is None:
                return None
            res, akid = answer
            with st.lock:
                if len(st.auth_cache) > 10000:
                    st.auth_cache = {k: v for k, v in st.auth_cache.items() if v[0] > now}
                st.auth_cache[auth] = (now + TOKEN_CACHE_TTL, answer)
        arn = res["Arn"]
        who = principal(arn, res["UserId"])
        if who is None:
            return None  # as the reference: an ARN or a UserId it cannot read is no identity
        ident = {"arn": arn, "canonical": who[0], "account": res["Account"],
                 "principal_id": who[1], "session": who[2], "akid": akid}
        can = who[0].lower()
        entry = self.access_entry(can)
        if entry is not None:
            return (entry.get("username", arn), entry.get("kubernetesGroups") or [], ident)
        data = (st.obj or {}).get("data", {})
        for key, field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
            try:
                entries = yaml.safe_load(data.get(key) or "[]") or []
            except yaml.YAMLError:
                continue  # as the cluster: a value it cannot parse is dropped, the others map
            for e in entries if isinstance(entries, list) else []:
                if isinstance(e, dict) and str(e.get(field, "")).lower() == can:
                    return (e.get("username", arn), e.get("groups") or [], ident)
        return None

    def access_entry(self, can):
        """The access entry of the canonical ARN can (lower case) in --entries, or None."""
        path = self.server.state.a.entries
        try:
            entries = json.load(open(path)) if path else []
        except FileNotFoundError:
            return None
        for e in entries:
            p = str(e.get("principalArn", "")).lower()
            head, _, name = p.partition(":role/")
            if name:  # EKS matches a role's entry whatever the role's path
                p = head + ":role/" + name.rsplit("/", 1)[-1]
            if p == can:
                return e
        return None

    @staticmethod
    def render(text, ident):
        """A template of aws-auth filled in as aws-iam-authenticator fills it."""
        session = ident["session"]  # from the UserId, as the reference takes it
        for k, v in (("{{AccountID}}", ident["account"]), ("{{SessionNameRaw}}", session),
                     ("{{SessionName}}", session.replace("@", "-")),
                     ("{{AccessKeyID}}", ident["akid"])):
            text = text.replace(k, v)
        return text

    def do_POST(self):
        st = self.server.state
        u = urlsplit(self.path)
        rec = {"path": u.path, "method": "POST"}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        prefix, _, rest = u.path.rpartition("/selfsubjectreviews")
        version = prefix[len("/apis/authentication.k8s.io/"):]
        if rest or not prefix.startswith("/apis/authentication.k8s.io/") or \
                version not in st.a.review_versions.split(","):
            st.log(dict(rec, status=404))
            return self.status(404, "NotFound", "the server could not find the requested resource")
        who = self.authenticate()
        if who is None:
            st.log(dict(rec, status=401))
            return self.status(401, "Unauthorized", "Unauthorized")
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        api = "authentication.k8s.io/" + version
        if not isinstance(req, dict) or req.get("kind") != "SelfSubjectReview" or \
                req.get("apiVersion") != api:
            st.log(dict(rec, status=400))
            return self.status(400, "BadRequest", "the body is not a %s SelfSubjectReview" % api)
        user, groups, ident = who
        rec["user"] = self.render(user, ident)
        st.log(dict(rec, status=201))
        info = {
            "username": rec["user"],
            "uid": "aws-iam-authenticator:%s:%s" % (ident["account"], ident["principal_id"]),
            "groups": [self.render(g, ident) for g in groups] + ["system:authenticated"],
            # pkg/server/server.go: the session name raw ("" where there is none), both
            # principal id keys; the API server passes them on as they are.
            "extra": {"accessKeyId": [ident["akid"]], "arn": [ident["arn"]],
                      "canonicalArn": [ident["canonical"]],
                      "principalId": [ident["principal_id"]],
                      "sigs.k8s.io/aws-iam-authenticator/principalId": [ident["principal_id"]],
                      "sessionName": [ident["session"]]},
        }
        self.send_json(201, {"kind": "SelfSubjectReview", "apiVersion": api,
                             "metadata": {"creationTimestamp": None},
                             "status": {"userInfo": info}})

    def do_GET(self):
        st = self.server.state
        fault = st.fault()
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        watch = q.get("watch") in ("1", "true")
        kind = "get" if u.path != CM_PATH else "watch" if watch else "list"
        rec = {"kind": kind, "path": u.path, "query": q}
        if fault == "down":
            st.log(dict(rec, status="down"))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "500":
            st.log(dict(rec, status=500))
            return self.status(500, "InternalError", "the stand-in was told to fail")
        # A new server's cache is filling: come back in a second.
        if st.a.warmup > 0 and time.monotonic() - st.started < st.a.warmup:
            st.log(dict(rec, status=429, why="warmup"))
            return self.status(429, "TooManyRequests", "the watch cache is initializing",
                               [("Retry-After", "1")])
        if st.admit() > 0:
            st.log(dict(rec, status=429, why="rate"))
            return self.status(429, "TooManyRequests",
                               "Too many requests, please try again later.",
                               [("Retry-After", "1")])
        who = self.authenticate()
        if who is None:
            st.log(dict(rec, status=401))
            return self.status(401, "Unauthorized", "Unauthorized")
        user, groups, ident = who
        user = self.render(str(user), ident)
        rec["user"] = user
        rec["arn"] = ident["arn"]
        if not (set(groups) & {st.a.reader_group, "system:masters"}):
            st.log(dict(rec, status=403))
            return self.status(403, "Forbidden",
                               'configmaps "aws-auth" is forbidden: User "%s" cannot get resource '
                               '"configmaps" in API group "" in the namespace "kube-system"' % user)
        if u.path == CM_PATH + "/aws-auth":
            with st.lock:
                obj = st.obj
            st.log(dict(rec, status=200 if obj else 404))
            if obj is None:
                return self.status(404, "NotFound", 'configmaps "aws-auth" not found')
            return self.send_json(200, obj)
        if u.path == CM_PATH:
            if q.get("fieldSelector") != SELECTOR:
                # RBAC with resourceNames: only requests naming aws-auth are allowed.
                st.log(dict(rec, status=403))
                return self.status(403, "Forbidden",
                                   'configmaps is forbidden: User "%s" cannot %s resource '
                                   '"configmaps" in API group "" in the namespace "kube-system"'
                                   % (user, kind))
            if watch and fault == "watch-404":
                st.log(dict(rec, status=404))
                return self.status(404, "NotFound", "the server could not find the requested resource")
            return self.watch(q, rec, fault) if watch else self.list(q, rec)
        st.log(dict(rec, status=404))
        self.status(404, "NotFound", "the server could not find the requested resource")

    def list(self, q, rec):
        st = self.server.state
        with st.lock:
            obj, rv = st.obj, st.rv
        want = q.get("resourceVersion")
        if want not in (None, "", "0"):
            try:
                too_large = int(want) > rv
            except ValueError:
                st.log(dict(rec, status=400))
                return self.status(400, "BadRequest", "invalid resourceVersion")
            if too_large:
                st.log(dict(rec, status=504))
                return self.status(504, "Timeout", "Too large resource version: %s, current: %d"
                                   % (want, rv), [("Retry-After", "1")])
        st.log(dict(rec, status=200))
        # As the API server: a list's items carry no kind or apiVersion (the list
        # has them); a watch's objects and a GET's answer do.
        item = {k: v for k, v in (obj or {}).items() if k not in ("kind", "apiVersion")}
        self.send_json(200, {"kind": "ConfigMapList", "apiVersion": "v1",
                             "metadata": {"resourceVersion": str(rv)},
                             "items": [item] if obj is not None else []})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, q, rec, fault):
        st = self.server.state
        fresh = "resourceVersion" not in q
        try:
            since = int(q.get("resourceVersion", "0"))
        except ValueError:
            since = 0
        timeout = min(int(q.get("timeoutSeconds", "300")), 3600)
        bookmarks = q.get("allowWatchBookmarks") == "true"
        st.log(dict(rec, status=200, watch=True))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with st.lock:
            too_old = not fresh and since < st.floor
            floor, generation, drops = st.floor, st.generation, st.drops
        if too_old:
            # What the apiserver sends for a compacted version: 200, then an ERROR event.
            ev = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1",
                                              "status": "Failure", "reason": "Expired",
                                              "message": "too old resource version: %d (%d)"
                                              % (since, floor), "code": 410}}
            try:
                self.chunk(json.dumps(ev).encode() + b"\n")
                self.chunk(b"")
            except OSError:
                self.close_connection = True
            return
        if fresh:
            # No version: the current state as ADDED, then the changes after it.
            with st.lock:
                obj, since = st.obj, st.rv
            if obj is not None:
                self.chunk(json.dumps({"type": "ADDED", "object": obj}).encode() + b"\n")
        start = time.monotonic()
        end = start + timeout
        next_bookmark = start + st.a.bookmark_interval
        drop_at = start + 0.5 if fault == "drop-watch" else None
        sent = since
        try:
            while True:
                now = time.monotonic()
                if now >= end:
                    if st.ctl.get("fault") == "half-line":
                        # A proxy's fault: the stream ends well, half an event unsent.
                        line = json.dumps({"type": "BOOKMARK", "object": {
                            "kind": "ConfigMap", "apiVersion": "v1",
                            "metadata": {"resourceVersion": str(st.rv)}}}).encode()
                        self.chunk(line[:len(line) // 2])
                    break
                with st.lock:
                    evs = [h for h in st.history if h[0] > sent]
                    if not evs and st.generation == generation:
                        st.lock.wait(min(1.0, end - now, max(0.01, next_bookmark - now)))
                        evs = [h for h in st.history if h[0] > sent]
                    ended = st.generation != generation
                    fault = st.ctl.get("fault", "none")
                    rv = st.rv
                    if st.drops != drops:
                        drop_at = 0.0  # drop-all: every stream open then breaks off now
                for ev_rv, etype, obj in evs:
                    self.chunk(json.dumps({"type": etype, "object": obj}).encode() + b"\n")
                    sent = ev_rv
                if ended:
                    break  # compacted: open streams end
                if fault == "drop-watch":
                    drop_at = drop_at or time.monotonic()
                if drop_at is not None and (evs or drop_at == 0.0 or time.monotonic() > drop_at):
                    # A dropped connection: no final chunk, the socket just closes.
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if bookmarks and time.monotonic() >= next_bookmark:
                    self.chunk(json.dumps({"type": "BOOKMARK", "object": {
                        "kind": "ConfigMap", "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(rv)}}}).encode() + b"\n")
                    next_bookmark = time.monotonic() + st.a.bookmark_interval
            self.chunk(b"")
        except OSError:
            self.close_connection = True


def main():
    p = arguments("a local stand-in for the Kubernetes API server of an EKS cluster")
    p.add_argument("--ca", required=True)
    p.add_argument("--configmap", required=True)
    p.add_argument("--sts-addr", required=True)
    p.add_argument("--cluster-id", required=True)
    p.add_argument("--reader-group", default="eksauth:aws-auth-readers")
    p.add_argument("--entries", help="access entries (JSON) that map before aws-auth")
    p.add_argument("--review-versions", default="v1,v1beta1")
    p.add_argument("--state", help="keeps the store's resourceVersion across restarts")
    p.add_argument("--served", help="gets the version served and its file's SHA-256")
    p.add_argument("--churn", type=float, default=0.0,
                   help="writes of other objects per second (the store's version moves)")
    p.add_argument("--bookmark-interval", type=float, default=60.0)
    p.add_argument("--history-window", type=float, default=0.0,
                   help="seconds of history kept (etcd compaction); 0: all since the start")
    p.add_argument("--rate", type=float, default=0.0, help="requests per second; 0: no limit")
    p.add_argument("--burst", type=float, default=1.0)
    p.add_argument("--warmup", type=float, default=0.0,
                   help="seconds after the start answered 429 (the watch cache fills)")
    a = p.parse_args()
    if a.rate > 0 and a.burst < 1:
        a.burst = 1.0
    return serve(Handler, a.port, a.cert, a.key, a.ready_file, state=State(a))


if __name__ == "__main__":
    sys.exit(main())
