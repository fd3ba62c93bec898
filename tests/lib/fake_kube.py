#!/usr/bin/env python3
"""fake_kube.py - a local stand-in for an EKS cluster's Kubernetes API server, for tests.

HTTPS on 127.0.0.1 (certificate from tests/lib/mkcerts.sh).  It serves the one
ConfigMap kube-system/aws-auth, read from a YAML file (--configmap) that the test
edits; every change of the file is a new resourceVersion and a MODIFIED event.

Authentication is done as EKS does it: the bearer token (k8s-aws-v1.<base64url URL>)
is decoded and its presigned GetCallerIdentity URL is sent to STS (the STS stand-in,
tests/lib/fake_sts.py, reached at --sts-addr with the token's Host, SNI and the test
CA) with "x-k8s-aws-id: <--cluster-id>"; the ARN STS answers is canonicalised and
mapped through the served aws-auth (mapRoles, mapUsers; a value that does not parse
is dropped, as the cluster drops it).  No answer, a refusal or no mapping: 401.
Authorisation (RBAC): the mapped groups must hold one of --reader-group (default
eksauth:aws-auth-readers) or system:masters, else 403.

  GET /api/v1/namespaces/kube-system/configmaps/aws-auth
  GET /api/v1/namespaces/kube-system/configmaps?watch=1&fieldSelector=metadata.name%3Daws-auth
      &resourceVersion=RV&timeoutSeconds=N   (chunked stream of JSON lines; a
      resourceVersion older than the compaction floor gives an ERROR event, code 410)
  POST /apis/authentication.k8s.io/v1/selfsubjectreviews   (kubectl auth whoami; also
      v1beta1; --review-versions lists the versions served, the others are 404 as on an
      older API server) -> 201 with status.userInfo as aws-iam-authenticator makes it:
      the username and groups with their templates filled in ({{AccountID}},
      {{SessionName}} with '@' as '-', {{SessionNameRaw}}, {{AccessKeyID}}),
      "system:authenticated" added, uid "aws-iam-authenticator:ACCOUNT:USERID" and extra
      (arn, canonicalArn, sessionName, accessKeyId, principalId).  Every authenticated
      user may ask (system:basic-user); a body that is not a SelfSubjectReview of that
      version is 400.

Faults, from the JSON --control file (re-read per request): {"fault": NAME}
  none | 500 | down (close without answering) | drop-watch (close watch streams after
  the first event or 0.5 s) | compact (open streams end and every version so far is
  compacted away: a watch from an older version gets an ERROR event with code 410; a
  watch without resourceVersion gets the current state as ADDED, then changes)
Every request is logged as a JSON line (path, query, user, status) to --log.
"""
import base64
import http.client
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import yaml

from fake_server import RequestLog, arguments, read_control, serve

CM_PATH = "/api/v1/namespaces/kube-system/configmaps"


class State:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Condition()
        self.rv = 1000
        self.floor = 0
        self.history = []  # (rv, type, object)
        self.obj = None
        self.mtime = None
        self.raw = None
        self.log = RequestLog(a.log)
        self.load()
        threading.Thread(target=self.poll, daemon=True).start()

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

    def poll(self):
        while True:
            time.sleep(0.05)
            try:
                self.load()
            except Exception as e:  # a half-written or bad file: keep serving the last one
                print("fake_kube: %s: %s" % (self.a.configmap, e), file=sys.stderr)

    def control(self):
        return read_control(self.a.control, "fake_kube") or {}


class StsConn(http.client.HTTPSConnection):
    """HTTPS to the STS stand-in's address, with the token's host for Host, SNI and the cert."""

    def __init__(self, host, addr, ctx):
        super().__init__(host, 443, context=ctx, timeout=5)
        self._addr = addr

    def connect(self):
        sock = socket.create_connection(self._addr, timeout=5)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def canonical(arn):
    p = arn.split(":", 5)
    if len(p) == 6 and p[2] == "sts" and p[5].startswith("assumed-role/"):
        return "arn:%s:iam::%s:role/%s" % (p[1], p[4], p[5].split("/")[1])
    return arn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, message):
        self.send_json(code, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure", "message": message, "reason": reason,
                              "code": code})

    def refuse(self, rec, code, reason, message):
        """Log rec with the status code, then answer it as a Status."""
        self.server.state.log(dict(rec, status=code))
        self.status(code, reason, message)

    def authenticate(self):
        """(user, groups, identity) or None, the way aws-iam-authenticator does it, via STS."""
        st = self.server.state
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer k8s-aws-v1."):
            return None
        b64 = auth[len("Bearer k8s-aws-v1."):]
        try:
            url = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode()
        except Exception:
            return None
        u = urlsplit(url)
        if u.scheme != "https" or not u.hostname or not u.hostname.startswith("sts."):
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
        arn = res["Arn"]
        can = canonical(arn).lower()
        akid = parse_qs(u.query).get("X-Amz-Credential", [""])[0].split("/")[0]
        data = (st.obj or {}).get("data", {})
        for key, field in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
            try:
                entries = yaml.safe_load(data.get(key) or "[]") or []
            except yaml.YAMLError:
                continue  # as the cluster: a value it cannot parse is dropped, the others map
            for e in entries if isinstance(entries, list) else []:
                if isinstance(e, dict) and str(e.get(field, "")).lower() == can:
                    ident = {"arn": arn, "canonical": canonical(arn), "account": res["Account"],
                             "user_id": res["UserId"], "akid": akid}
                    return (e.get("username", arn), e.get("groups") or [], ident)
        return None

    @staticmethod
    def render(text, ident):
        """A template of aws-auth filled in as aws-iam-authenticator fills it."""
        p = ident["arn"].split(":", 5)
        session = p[5].split("/")[2] if len(p) == 6 and p[5].startswith("assumed-role/") else ""
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
            return self.refuse(rec, 404, "NotFound",
                               "the server could not find the requested resource")
        who = self.authenticate()
        if who is None:
            return self.refuse(rec, 401, "Unauthorized", "Unauthorized")
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        api = "authentication.k8s.io/" + version
        if not isinstance(req, dict) or req.get("kind") != "SelfSubjectReview" or \
                req.get("apiVersion") != api:
            return self.refuse(rec, 400, "BadRequest", "the body is not a %s SelfSubjectReview" % api)
        user, groups, ident = who
        rec["user"] = self.render(user, ident)
        st.log(dict(rec, status=201))
        info = {
            "username": rec["user"],
            "uid": "aws-iam-authenticator:%s:%s" % (ident["account"], ident["user_id"]),
            "groups": [self.render(g, ident) for g in groups] + ["system:authenticated"],
            "extra": {"accessKeyId": [ident["akid"]], "arn": [ident["arn"]],
                      "canonicalArn": [ident["canonical"]],
                      "principalId": [ident["user_id"].split(":")[0]],
                      "sessionName": [self.render("{{SessionName}}", ident)]},
        }
        self.send_json(201, {"kind": "SelfSubjectReview", "apiVersion": api,
                             "metadata": {"creationTimestamp": None},
                             "status": {"userInfo": info}})

    def do_GET(self):
        st = self.server.state
        ctl = st.control()
        fault = ctl.get("fault", "none")
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        rec = {"path": u.path, "query": q}
        if fault == "down":
            st.log(dict(rec, status="down"))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "500":
            return self.refuse(rec, 500, "InternalError", "the stand-in was told to fail")
        who = self.authenticate()
        if who is None:
            return self.refuse(rec, 401, "Unauthorized", "Unauthorized")
        user, groups, _ = who
        rec["user"] = user
        if not (set(groups) & {st.a.reader_group, "system:masters"}):
            return self.refuse(rec, 403, "Forbidden",
                               'configmaps "aws-auth" is forbidden: User "%s" cannot get resource '
                               '"configmaps" in API group "" in the namespace "kube-system"'
                               % user)
        if u.path == CM_PATH + "/aws-auth":
            with st.lock:
                obj = st.obj
            st.log(dict(rec, status=200 if obj else 404))
            if obj is None:
                return self.status(404, "NotFound", 'configmaps "aws-auth" not found')
            return self.send_json(200, obj)
        if u.path == CM_PATH and q.get("watch") in ("1", "true"):
            if q.get("fieldSelector") != "metadata.name=aws-auth":
                return self.refuse(rec, 400, "BadRequest", "eksauth must watch with the field selector")
            return self.watch(q, rec, fault)
        self.refuse(rec, 404, "NotFound", "the server could not find the requested resource")

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
        st.log(dict(rec, status=200, watch=True))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with st.lock:
            too_old = not fresh and since < st.floor
        if too_old:
            # What the apiserver sends for a compacted version: 200, then an ERROR event.
            ev = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1",
                                              "status": "Failure", "reason": "Expired",
                                              "message": "too old resource version: %d (%d)"
                                              % (since, st.floor), "code": 410}}
            self.chunk(json.dumps(ev).encode() + b"\n")
            self.chunk(b"")
            return
        if fresh:
            # No version: the current state as ADDED, then the changes after it.
            with st.lock:
                obj, since = st.obj, st.rv
            if obj is not None:
                self.chunk(json.dumps({"type": "ADDED", "object": obj}).encode() + b"\n")
        end = time.monotonic() + timeout
        drop_at = time.monotonic() + 0.5 if fault == "drop-watch" else None
        sent = since
        try:
            while time.monotonic() < end:
                with st.lock:
                    evs = [h for h in st.history if h[0] > sent]
                    if not evs:
                        st.lock.wait(0.1)
                        evs = [h for h in st.history if h[0] > sent]
                for rv, etype, obj in evs:
                    self.chunk(json.dumps({"type": etype, "object": obj}).encode() + b"\n")
                    sent = rv
                if drop_at is not None and (evs or time.monotonic() > drop_at):
                    # A dropped connection: no final chunk, the socket just closes.
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                f = st.control().get("fault")
                if f == "drop-watch":
                    drop_at = drop_at or time.monotonic()
                elif f == "compact":
                    # Compaction: every version up to now is gone; open streams end.
                    with st.lock:
                        st.rv += 1
                        st.floor = st.rv
                    break
            self.chunk(b"")
        except OSError:
            self.close_connection = True


def main():
    p = arguments("a local stand-in for the Kubernetes API")
    p.add_argument("--ca", required=True)
    p.add_argument("--configmap", required=True)
    p.add_argument("--sts-addr", required=True)
    p.add_argument("--cluster-id", required=True)
    p.add_argument("--reader-group", default="eksauth:aws-auth-readers")
    p.add_argument("--review-versions", default="v1,v1beta1")
    a = p.parse_args()
    return serve(Handler, a.port, a.cert, a.key, a.ready_file, state=State(a))


if __name__ == "__main__":
    sys.exit(main())
